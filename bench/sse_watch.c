/*
 * sse_watch.c — the live stream's load: N watchers of one event stream over HTTPS, one thread
 * each (small stacks), each reading the stream and timing every event whose data carries
 * "at_us" (the server's time of the event) from that time to its arrival here. Prints READY once
 * every watcher has its response headers (the caller then publishes), and at the end the
 * latencies' p50, p99 and max over all deliveries, and how many arrived.
 *
 * usage: bench_sse_watch HOST PORT PATH TOKEN N EVENTS TIMEOUT_S
 *   TOKEN "-": no Authorization header. Events stamped before the start are not counted.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/ssl.h>

static const char *host, *path, *token;
static int port, nevents, timeout_s;
static int64_t start_us;
static SSL_CTX *ctx;
static atomic_int ready, failed;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static int64_t *lat;
static size_t nlat, caplat;

static int64_t
now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void
record(int64_t v)
{
    pthread_mutex_lock(&mu);
    if (nlat < caplat)
        lat[nlat++] = v;
    pthread_mutex_unlock(&mu);
}

static void *
watch(void *arg)
{
    (void)arg;
    int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, host, &a.sin_addr);
    struct timeval tv = {timeout_s, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    SSL *s = NULL;
    char req[1024], buf[16384];
    if (connect(fd, (struct sockaddr *)&a, sizeof a) || !(s = SSL_new(ctx)) || !SSL_set_fd(s, fd) ||
        SSL_connect(s) != 1)
        goto fail;
    int n = snprintf(req, sizeof req,
                     "GET %s HTTP/1.1\r\nHost: %s\r\nAccept: text/event-stream\r\n%s%s%s\r\n", path,
                     host, strcmp(token, "-") ? "Authorization: Bearer " : "",
                     strcmp(token, "-") ? token : "", strcmp(token, "-") ? "\r\n" : "");
    if (SSL_write(s, req, n) != n)
        goto fail;
    size_t have = 0;
    bool headers = false;
    int got = 0;
    while (got < nevents) {
        int r = SSL_read(s, buf + have, (int)(sizeof buf - 1 - have));
        if (r <= 0)
            goto fail;
        int64_t t = now_us();
        have += (size_t)r;
        buf[have] = '\0';
        char *p = buf;
        if (!headers) {
            char *end = strstr(buf, "\r\n\r\n");
            if (!end)
                continue;
            if (strncmp(buf, "HTTP/1.1 200", 12))
                goto fail;
            headers = true;
            atomic_fetch_add(&ready, 1);
            p = end + 4;
        }
        char *q;
        while ((q = strstr(p, "\"at_us\":"))) {
            char *e;
            long long at = strtoll(q + 8, &e, 10);
            if (e == q + 8 || !*e)
                break; /* the number is cut: the rest comes with the next read */
            if (at >= start_us) {
                record(t - at);
                got++;
            }
            p = e;
        }
        /* keep the unread tail (an event cut between reads) */
        size_t keep = strlen(p);
        if (keep > 256) {
            p += keep - 256;
            keep = 256;
        }
        memmove(buf, p, keep);
        have = keep;
    }
    SSL_free(s);
    close(fd);
    return NULL;
fail:
    atomic_fetch_add(&failed, 1);
    if (s)
        SSL_free(s);
    close(fd);
    return NULL;
}

static int
cmp(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

int
main(int argc, char **argv)
{
    if (argc != 8) {
        fprintf(stderr, "usage: bench_sse_watch HOST PORT PATH TOKEN N EVENTS TIMEOUT_S\n");
        return 2;
    }
    host = argv[1];
    port = atoi(argv[2]);
    path = argv[3];
    token = argv[4];
    int n = atoi(argv[5]);
    nevents = atoi(argv[6]);
    timeout_s = atoi(argv[7]);
    start_us = now_us();
    caplat = (size_t)n * (size_t)nevents;
    lat = calloc(caplat, sizeof *lat);
    ctx = SSL_CTX_new(TLS_client_method());
    if (!lat || !ctx)
        return 1;
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL); /* the bench's own server on loopback */
    pthread_attr_t at;
    pthread_attr_init(&at);
    pthread_attr_setstacksize(&at, 128 * 1024);
    pthread_t *th = calloc((size_t)n, sizeof *th);
    for (int i = 0; i < n; i++)
        if (pthread_create(&th[i], &at, watch, NULL))
            atomic_fetch_add(&failed, 1);
    for (int waited = 0; atomic_load(&ready) + atomic_load(&failed) < n && waited < timeout_s * 100;
         waited++) {
        struct timespec ts = {0, 10 * 1000000L};
        nanosleep(&ts, NULL);
    }
    printf("READY %d %d\n", atomic_load(&ready), atomic_load(&failed));
    fflush(stdout);
    for (int i = 0; i < n; i++)
        pthread_join(th[i], NULL);
    qsort(lat, nlat, sizeof *lat, cmp);
    printf("DONE deliveries=%zu failed=%d p50_us=%lld p99_us=%lld max_us=%lld\n", nlat,
           atomic_load(&failed), nlat ? (long long)lat[nlat / 2] : -1,
           nlat ? (long long)lat[nlat * 99 / 100] : -1, nlat ? (long long)lat[nlat - 1] : -1);
    return 0;
}
