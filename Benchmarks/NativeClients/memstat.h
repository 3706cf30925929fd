#include <stdio.h>
#include <string.h>
#include <time.h>
static long status_kb(const char *key) {
    FILE *f = fopen("/proc/self/status", "r"); char line[256]; long v = -1; size_t n = strlen(key);
    while (fgets(line, sizeof line, f)) if (!strncmp(line, key, n) && line[n] == ':') { sscanf(line + n + 1, "%ld", &v); break; }
    fclose(f); return v;
}
static void report(const char *phase) {
    printf("%-28s VmRSS %8ld KiB  VmSize %10ld KiB  Threads %5ld\n", phase, status_kb("VmRSS"), status_kb("VmSize"), status_kb("Threads"));
    fflush(stdout);
}
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec / 1e9; }
