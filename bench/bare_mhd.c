/*
 * bare_mhd.c — the benchmark's baseline: the fastest correct libmicrohttpd JSON handler we can
 * write, with the same thread model, TLS settings and thread count as ggzyd. It queues its
 * response on the *second* call of the access handler: with libmicrohttpd 0.9.75 a response
 * queued on the first call makes HTTPS responses Connection: close (a handshake per request).
 *
 * usage: bench_bare PORT THREADS [CERT KEY [BODYFILE | --sink DIR]]   (until SIGTERM/SIGINT)
 * BODYFILE: serve these bytes instead of a small JSON object (a page of the same size as the
 * ggzyd response it is compared with).
 * --sink DIR: the deadline rush's second baseline — each POST's body is hashed (SHA-256) and
 * written to its own file in DIR as it arrives, fsynced and closed at its end (then the
 * directory is fsynced), and answered 201 with the hash: what any server taking sealed bids must
 * do at the least, with none of ggzyd's checks, spool, database or audit entry.
 * --sse: the live stream's baseline — GET answers text/event-stream and parks the connection
 * (suspend) until POST publishes an event {"at_us": now}, which resumes every parked watcher: the
 * same suspend/resume pattern as ggzyd's streams, with nothing else (no authorization, no
 * database, no per-class filter).
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fcntl.h>
#include <pthread.h>
#include <time.h>
#include <stdatomic.h>
#include <unistd.h>

#include <microhttpd.h>
#include <openssl/evp.h>

static const char small[] = "{\"id\":1,\"username\":\"bench\",\"role\":\"bidder\",\"org_id\":1}";
static const char *body = small;
static size_t body_len = sizeof small - 1;

static bool sse;

/* ---- --sse ---- */

struct watcher {
    pthread_mutex_t mu;
    struct MHD_Connection *conn;
    long seen;
    bool parked, pending;
    struct watcher *next, *prev;
};
static pthread_mutex_t sse_mu = PTHREAD_MUTEX_INITIALIZER;
static struct watcher *watchers;
static long seq;
static bool stopping;
static char event[128];
static size_t event_len;

static void
wake(struct watcher *w)
{
    pthread_mutex_lock(&w->mu);
    if (w->parked) {
        w->parked = false;
        MHD_resume_connection(w->conn);
    } else
        w->pending = true;
    pthread_mutex_unlock(&w->mu);
}

static ssize_t
sse_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)pos;
    struct watcher *w = cls;
    pthread_mutex_lock(&w->mu);
    w->pending = false;
    pthread_mutex_unlock(&w->mu);
    size_t n = 0;
    pthread_mutex_lock(&sse_mu);
    if (stopping) {
        pthread_mutex_unlock(&sse_mu);
        return MHD_CONTENT_READER_END_OF_STREAM;
    }
    if (w->seen < seq && event_len <= max) {
        memcpy(buf, event, event_len);
        n = event_len;
        w->seen = seq;
    }
    pthread_mutex_unlock(&sse_mu);
    if (n)
        return (ssize_t)n;
    pthread_mutex_lock(&w->mu);
    if (!w->pending) {
        w->parked = true;
        MHD_suspend_connection(w->conn);
    }
    pthread_mutex_unlock(&w->mu);
    return 0;
}

static void
sse_free(void *cls)
{
    struct watcher *w = cls;
    pthread_mutex_lock(&sse_mu);
    if (w->prev)
        w->prev->next = w->next;
    else
        watchers = w->next;
    if (w->next)
        w->next->prev = w->prev;
    pthread_mutex_unlock(&sse_mu);
    pthread_mutex_destroy(&w->mu);
    free(w);
}

static enum MHD_Result
sse_handler(struct MHD_Connection *c, const char *method, size_t *upload_size, void **con_cls)
{
    static int first;
    if (*con_cls == NULL) {
        *con_cls = &first;
        return MHD_YES;
    }
    if (*upload_size) {
        *upload_size = 0;
        return MHD_YES;
    }
    struct MHD_Response *r;
    unsigned status = 200;
    if (!strcmp(method, "POST")) { /* publish: every watcher is woken */
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        pthread_mutex_lock(&sse_mu);
        seq++;
        event_len = (size_t)snprintf(event, sizeof event,
                                     "id: %ld\nevent: state\ndata: {\"at_us\":%lld}\n\n", seq,
                                     (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000);
        for (struct watcher *w = watchers; w; w = w->next)
            wake(w);
        pthread_mutex_unlock(&sse_mu);
        r = MHD_create_response_from_buffer(2, (void *)"{}", MHD_RESPMEM_PERSISTENT);
    } else {
        struct watcher *w = calloc(1, sizeof *w);
        if (!w || pthread_mutex_init(&w->mu, NULL))
            return MHD_NO;
        w->conn = c;
        pthread_mutex_lock(&sse_mu);
        w->seen = seq;
        w->next = watchers;
        if (watchers)
            watchers->prev = w;
        watchers = w;
        pthread_mutex_unlock(&sse_mu);
        r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096, sse_read, w, sse_free);
    }
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, "Content-Type",
                            status == 200 && strcmp(method, "POST") ? "text/event-stream"
                                                                    : "application/json");
    enum MHD_Result ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
}

static const char *sink_dir;
static int sink_dfd = -1;
static atomic_long sink_seq;

struct upload {
    int fd;
    EVP_MD_CTX *md;
    bool failed;
};

static void
upload_done(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode t)
{
    (void)cls, (void)c, (void)t;
    struct upload *u = *con_cls;
    if (sink_dir && u) {
        if (u->fd >= 0)
            close(u->fd);
        EVP_MD_CTX_free(u->md);
        free(u);
    }
    *con_cls = NULL;
}

/* The sink: hash and write each piece as it arrives; at the end fsync, close, answer 201. */
static enum MHD_Result
sink(struct MHD_Connection *c, const char *upload, size_t *upload_size, void **con_cls)
{
    struct upload *u = *con_cls;
    if (!u) {
        u = calloc(1, sizeof *u);
        if (!u)
            return MHD_NO;
        char name[64];
        snprintf(name, sizeof name, "upload-%ld", atomic_fetch_add(&sink_seq, 1));
        u->fd = openat(sink_dfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        u->md = EVP_MD_CTX_new();
        u->failed = u->fd < 0 || !u->md || EVP_DigestInit_ex(u->md, EVP_sha256(), NULL) != 1;
        *con_cls = u;
        return MHD_YES;
    }
    if (*upload_size) {
        size_t n = *upload_size;
        if (!u->failed && EVP_DigestUpdate(u->md, upload, n) != 1)
            u->failed = true;
        while (!u->failed && n > 0) {
            ssize_t w = write(u->fd, upload, n);
            if (w <= 0)
                u->failed = true;
            else
                upload += w, n -= (size_t)w;
        }
        *upload_size = 0;
        return MHD_YES;
    }
    unsigned char h[32];
    unsigned hl = 0;
    char hex[80] = "{\"sha256\":\"";
    if (u->failed || fsync(u->fd) != 0 || EVP_DigestFinal_ex(u->md, h, &hl) != 1 ||
        fsync(sink_dfd) != 0)
        return MHD_NO;
    for (unsigned i = 0; i < hl; i++)
        snprintf(hex + 11 + 2 * i, 3, "%02x", h[i]);
    strcat(hex, "\"}");
    struct MHD_Response *r =
        MHD_create_response_from_buffer(strlen(hex), hex, MHD_RESPMEM_MUST_COPY);
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, "Content-Type", "application/json");
    enum MHD_Result ret = MHD_queue_response(c, 201, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result
handler(void *cls, struct MHD_Connection *c, const char *url, const char *method,
        const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
    (void)cls;
    (void)url;
    (void)method;
    (void)version;
    if (sink_dir && !strcmp(method, "POST"))
        return sink(c, upload, upload_size, con_cls);
    if (sse)
        return sse_handler(c, method, upload_size, con_cls);
    static int first;
    if (*con_cls == NULL) {
        *con_cls = &first; /* first call: headers only */
        return MHD_YES;
    }
    if (*upload_size) {
        *upload_size = 0;
        return MHD_YES;
    }
    struct MHD_Response *r =
        MHD_create_response_from_buffer(body_len, (void *)body, MHD_RESPMEM_PERSISTENT);
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, "Content-Type", "application/json");
    enum MHD_Result ret = MHD_queue_response(c, 200, r);
    MHD_destroy_response(r);
    return ret;
}

static char *
slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = calloc(1, 1 << 20);
    size_t n = buf ? fread(buf, 1, (1 << 20) - 1, f) : 0;
    fclose(f);
    if (buf)
        buf[n] = '\0';
    return buf;
}

int
main(int argc, char **argv)
{
    if (argc != 3 && argc != 5 && argc != 6 && !(argc == 7 && !strcmp(argv[5], "--sink"))) {
        fprintf(stderr,
                "usage: bench_bare PORT THREADS [CERT KEY [BODYFILE | --sink DIR | --sse]]\n");
        return 2;
    }
    if (argc == 6 && !strcmp(argv[5], "--sse")) {
        sse = true;
        argc = 5;
    }
    if (argc == 7) {
        sink_dir = argv[6];
        sink_dfd = open(sink_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (sink_dfd < 0) {
            fprintf(stderr, "cannot open %s\n", sink_dir);
            return 1;
        }
    }
    char *page = argc == 6 ? slurp(argv[5]) : NULL;
    if (page) {
        body = page;
        body_len = strlen(page);
    }
    unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
    char *cert = NULL, *key = NULL;
    if (argc >= 5) {
        cert = slurp(argv[3]);
        key = slurp(argv[4]);
        if (!cert || !key) {
            fprintf(stderr, "cannot read certificate or key\n");
            return 1;
        }
        flags |= MHD_USE_TLS;
    }
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    struct MHD_Daemon *d = MHD_start_daemon(
        flags, (uint16_t)atoi(argv[1]), NULL, NULL, handler, NULL, MHD_OPTION_THREAD_POOL_SIZE,
        (unsigned)atoi(argv[2]), MHD_OPTION_CONNECTION_LIMIT, 4096u, MHD_OPTION_NOTIFY_COMPLETED,
        upload_done, NULL, cert ? MHD_OPTION_HTTPS_MEM_KEY : MHD_OPTION_END, key,
        MHD_OPTION_HTTPS_MEM_CERT, cert, MHD_OPTION_HTTPS_PRIORITIES,
        "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2", MHD_OPTION_END);
    if (!d) {
        fprintf(stderr, "cannot start\n");
        return 1;
    }
    int sig;
    sigwait(&set, &sig);
    if (sse) { /* every parked stream resumes, to end: the daemon stops with none suspended */
        pthread_mutex_lock(&sse_mu);
        stopping = true;
        for (struct watcher *w = watchers; w; w = w->next)
            wake(w);
        pthread_mutex_unlock(&sse_mu);
        struct timespec ts = {0, 300 * 1000000L};
        nanosleep(&ts, NULL);
    }
    MHD_stop_daemon(d);
    free(cert);
    free(key);
    free(page);
    return 0;
}
