// Usage: curl_bench handles N            -- N easy handles created and configured, no transfer (per-handle memory)
//        curl_bench threads N URL SLEEP  -- N threads, each a blocking curl_easy_perform
//        curl_bench multi   N URL SLEEP  -- one thread, N easy handles in one multi handle, curl_multi_poll loop
#include <curl/curl.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>
#include "memstat.h"
static const char *url; static double S;
static size_t sink(char *p, size_t s, size_t n, void *u) { (void)p; (void)u; return s * n; }
static CURL *make(void) {
    CURL *e = curl_easy_init();
    curl_easy_setopt(e, CURLOPT_URL, url ? url : "http://127.0.0.1:1/");
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, sink);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    return e;
}
static void *worker(void *a) { (void)a; CURL *e = make(); CURLcode rc = curl_easy_perform(e);
    if (rc) { fprintf(stderr, "perform: %s\n", curl_easy_strerror(rc)); exit(1); } curl_easy_cleanup(e); return NULL; }
int main(int argc, char **argv) {
    const char *mode = argv[1]; int N = atoi(argv[2]); url = argc > 3 ? argv[3] : NULL; S = argc > 4 ? atof(argv[4]) : 0;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    report("start (libcurl loaded)");
    if (!strcmp(mode, "handles")) {
        CURL **e = malloc(sizeof(CURL *) * N);
        for (int i = 0; i < N; i++) e[i] = make();
        report("handles created");
    } else if (!strcmp(mode, "threads")) {
        pthread_t *t = malloc(sizeof(pthread_t) * N); double t0 = now();
        for (int i = 0; i < N; i++) pthread_create(&t[i], NULL, worker, NULL);
        usleep((useconds_t)(S * 1e6 / 2)); report("all waiting");
        for (int i = 0; i < N; i++) pthread_join(t[i], NULL);
        printf("%d concurrent requests took %.2fs wall on %d threads\n", N, now() - t0, N);
    } else {
        CURLM *m = curl_multi_init(); double t0 = now(); int running = 0, sampled = 0;
        curl_multi_setopt(m, CURLMOPT_MAX_HOST_CONNECTIONS, 0L);
        for (int i = 0; i < N; i++) curl_multi_add_handle(m, make());
        do {
            curl_multi_perform(m, &running);
            if (!sampled && now() - t0 > S / 2) { report("all waiting (1 thread)"); sampled = 1; }
            if (running) curl_multi_poll(m, NULL, 0, 100, NULL);
        } while (running);
        CURLMsg *msg; int q, ok = 0; while ((msg = curl_multi_info_read(m, &q))) if (msg->msg == CURLMSG_DONE && msg->data.result == CURLE_OK) ok++;
        printf("%d concurrent requests (%d ok) took %.2fs wall on 1 thread\n", N, ok, now() - t0);
    }
    report("end");
    return 0;
}
