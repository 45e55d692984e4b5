/*
 * bare_mhd.c — the benchmark's baseline: the fastest correct libmicrohttpd JSON handler we can
 * write, with the same thread model, TLS settings and thread count as ggzyd. It queues its
 * response on the *second* call of the access handler: with libmicrohttpd 0.9.75 a response
 * queued on the first call makes HTTPS responses Connection: close (a handshake per request).
 *
 * usage: bench_bare PORT THREADS [CERT KEY [BODYFILE]]   (runs until SIGTERM/SIGINT)
 * BODYFILE: serve these bytes instead of a small JSON object (a page of the same size as the
 * ggzyd response it is compared with).
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

static const char small[] = "{\"id\":1,\"username\":\"bench\",\"role\":\"bidder\",\"org_id\":1}";
static const char *body = small;
static size_t body_len = sizeof small - 1;

static enum MHD_Result
handler(void *cls, struct MHD_Connection *c, const char *url, const char *method,
        const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
    (void)cls;
    (void)url;
    (void)method;
    (void)version;
    (void)upload;
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
    if (argc != 3 && argc != 5 && argc != 6) {
        fprintf(stderr, "usage: bench_bare PORT THREADS [CERT KEY [BODYFILE]]\n");
        return 2;
    }
    char *page = argc == 6 ? slurp(argv[5]) : NULL;
    if (page) {
        body = page;
        body_len = strlen(page);
    }
    unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG;
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
        (unsigned)atoi(argv[2]), MHD_OPTION_CONNECTION_LIMIT, 4096u,
        cert ? MHD_OPTION_HTTPS_MEM_KEY : MHD_OPTION_END, key, MHD_OPTION_HTTPS_MEM_CERT, cert,
        MHD_OPTION_HTTPS_PRIORITIES, "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2", MHD_OPTION_END);
    if (!d) {
        fprintf(stderr, "cannot start\n");
        return 1;
    }
    int sig;
    sigwait(&set, &sig);
    MHD_stop_daemon(d);
    free(cert);
    free(key);
    free(page);
    return 0;
}
