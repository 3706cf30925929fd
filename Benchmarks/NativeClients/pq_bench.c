// Usage: pq_bench threads N SLEEP   -- N threads, one blocking libpq connection each, all in SELECT pg_sleep(SLEEP)
//        pq_bench async   N SLEEP   -- one thread, N libpq connections driven by PQsendQuery + poll()
//        pq_bench serial  N SLEEP   -- one thread, one connection, N blocking queries in a row
#include <libpq-fe.h>
#include <pthread.h>
#include <poll.h>
#include <stdlib.h>
#include <unistd.h>
#include "memstat.h"
static const char *conninfo = "host=127.0.0.1 port=55432 user=postgres dbname=postgres sslmode=disable";
static int N; static double S; static pthread_barrier_t connected, querying;
static char sql[64];
static void *worker(void *arg) {
    PGconn *c = PQconnectdb(conninfo);
    if (PQstatus(c) != CONNECTION_OK) { fprintf(stderr, "connect: %s", PQerrorMessage(c)); exit(1); }
    pthread_barrier_wait(&connected);
    pthread_barrier_wait(&querying);
    PGresult *r = PQexec(c, sql);            // blocks this thread until the server answers
    if (PQresultStatus(r) != PGRES_TUPLES_OK) { fprintf(stderr, "query: %s", PQerrorMessage(c)); exit(1); }
    PQclear(r); PQfinish(c); return NULL;
}
int main(int argc, char **argv) {
    const char *mode = argv[1]; N = atoi(argv[2]); S = atof(argv[3]);
    snprintf(sql, sizeof sql, "SELECT pg_sleep(%g)", S);
    report("start (libpq loaded)");
    if (!strcmp(mode, "threads")) {
        pthread_barrier_init(&connected, NULL, N + 1); pthread_barrier_init(&querying, NULL, N + 1);
        pthread_t *t = malloc(sizeof(pthread_t) * N);
        for (int i = 0; i < N; i++) if (pthread_create(&t[i], NULL, worker, NULL)) { perror("pthread_create"); return 1; }
        pthread_barrier_wait(&connected); report("all connected");
        double t0 = now(); pthread_barrier_wait(&querying);
        usleep((useconds_t)(S * 1e6 / 2)); report("all blocked in query");
        for (int i = 0; i < N; i++) pthread_join(t[i], NULL);
        printf("%d concurrent %gs queries took %.2fs wall on %d threads\n", N, S, now() - t0, N);
    } else if (!strcmp(mode, "async")) {
        PGconn **c = malloc(sizeof(PGconn *) * N); struct pollfd *p = malloc(sizeof(struct pollfd) * N);
        for (int i = 0; i < N; i++) { c[i] = PQconnectdb(conninfo); if (PQstatus(c[i]) != CONNECTION_OK) { fprintf(stderr, "%s", PQerrorMessage(c[i])); return 1; } }
        report("all connected");
        double t0 = now();
        for (int i = 0; i < N; i++) { PQsendQuery(c[i], sql); p[i].fd = PQsocket(c[i]); p[i].events = POLLIN; }
        usleep((useconds_t)(S * 1e6 / 2)); report("all waiting (1 thread)");
        int left = N;
        while (left) {
            poll(p, N, -1);
            for (int i = 0; i < N; i++) if (p[i].fd >= 0 && p[i].revents) {
                PQconsumeInput(c[i]);
                if (!PQisBusy(c[i])) { PGresult *r; while ((r = PQgetResult(c[i]))) PQclear(r); p[i].fd = -1; left--; }
            }
        }
        printf("%d concurrent %gs queries took %.2fs wall on 1 thread\n", N, S, now() - t0);
        for (int i = 0; i < N; i++) PQfinish(c[i]);
    } else {
        PGconn *c = PQconnectdb(conninfo); double t0 = now();
        for (int i = 0; i < N; i++) PQclear(PQexec(c, sql));
        printf("%d blocking %gs queries on one connection/thread took %.2fs wall\n", N, S, now() - t0);
        PQfinish(c);
    }
    report("end");
    return 0;
}
