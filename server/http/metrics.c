/*
 * metrics.c — lock-free counters (relaxed atomics) in one flat array:
 * [route][status class][bucket…, count, sum_us]. Rendering reads them without stopping
 * writers, so a scrape never slows the request path.
 */
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "http.h"
#include "logwatch.h"
#include "metrics.h"
#include "util.h"

static const unsigned statuses[] = {200, 201, 204, 206, 304, 400, 401, 403, 404,
                                    405, 409, 413, 415, 422, 429, 500, 503, 0 /* other */};
#define NSTATUS ARRAY_LEN(statuses)
static const int64_t bucket_us[] = {500,    1000,   2500,   5000,    10000,   25000,  50000,
                                    100000, 250000, 500000, 1000000, 2500000, 5000000};
#define NBUCKET ARRAY_LEN(bucket_us)
#define CELL    (NBUCKET + 2) /* buckets, count, sum */

static _Atomic uint64_t *cells;
static size_t nroutes; /* incl. the two pseudo routes */

#define NGAUGE 32
static struct {
    _Atomic(const char *) name;
    _Atomic(const char *) help;
    _Atomic int64_t value;
} gauges[NGAUGE];

bool
metrics_gauge_set(const char *name, const char *help, int64_t value)
{
    for (size_t i = 0; i < NGAUGE; i++) {
        const char *n = atomic_load(&gauges[i].name);
        if (!n) {
            const char *expected = NULL;
            if (atomic_compare_exchange_strong(&gauges[i].name, &expected, name))
                atomic_store(&gauges[i].help, help);
            else if (strcmp(expected, name))
                continue; /* another gauge took this slot meanwhile */
            n = name;
        }
        if (!strcmp(n, name)) {
            atomic_store(&gauges[i].value, value);
            return true;
        }
    }
    return false;
}

bool
metrics_init(void)
{
    nroutes = router_count() + 2;
    cells = calloc(nroutes * NSTATUS * CELL, sizeof *cells);
    return cells != NULL;
}

void
metrics_free(void)
{
    free((void *)cells);
    cells = NULL;
}

static size_t
status_index(unsigned st)
{
    for (size_t i = 0; i + 1 < NSTATUS; i++)
        if (statuses[i] == st)
            return i;
    return NSTATUS - 1;
}

void
metrics_record(size_t route_idx, unsigned status, int64_t dur_us)
{
    if (!cells || route_idx >= nroutes)
        return;
    _Atomic uint64_t *c = cells + (route_idx * NSTATUS + status_index(status)) * CELL;
    for (size_t b = 0; b < NBUCKET; b++)
        if (dur_us <= bucket_us[b]) {
            atomic_fetch_add_explicit(&c[b], 1, memory_order_relaxed);
            break;
        }
    atomic_fetch_add_explicit(&c[NBUCKET], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&c[NBUCKET + 1], (uint64_t)(dur_us > 0 ? dur_us : 0),
                              memory_order_relaxed);
}

static void
route_label(struct buf *b, size_t i)
{
    const struct route *rt = router_at(i);
    if (rt)
        buf_printf(b, "method=\"%s\",route=\"%s\"", rt->method, rt->pattern);
    else
        buf_printf(b, "method=\"\",route=\"%s\"", i == nroutes - 2 ? "unmatched" : "static");
}

char *
metrics_render(size_t *len)
{
    struct buf b = {0};
    char why[400];
    buf_puts(&b, "# HELP ggzy_http_requests_total HTTP requests by route and status.\n"
                 "# TYPE ggzy_http_requests_total counter\n");
    for (size_t r = 0; r < nroutes; r++)
        for (size_t s = 0; s < NSTATUS; s++) {
            uint64_t n = atomic_load_explicit(&cells[(r * NSTATUS + s) * CELL + NBUCKET],
                                              memory_order_relaxed);
            if (!n)
                continue;
            buf_puts(&b, "ggzy_http_requests_total{");
            route_label(&b, r);
            buf_printf(&b, ",status=\"%s%u\"} %llu\n", statuses[s] ? "" : "other",
                       statuses[s] ? statuses[s] : 0u, (unsigned long long)n);
        }
    buf_puts(&b, "# HELP ggzy_http_request_duration_seconds Time from request to response.\n"
                 "# TYPE ggzy_http_request_duration_seconds histogram\n");
    for (size_t r = 0; r < nroutes; r++)
        for (size_t s = 0; s < NSTATUS; s++) {
            _Atomic uint64_t *c = cells + (r * NSTATUS + s) * CELL;
            uint64_t n = atomic_load_explicit(&c[NBUCKET], memory_order_relaxed);
            if (!n)
                continue;
            uint64_t acc = 0;
            char st[16];
            if (statuses[s])
                snprintf(st, sizeof st, "%u", statuses[s]);
            else
                snprintf(st, sizeof st, "other");
            for (size_t k = 0; k < NBUCKET; k++) {
                acc += atomic_load_explicit(&c[k], memory_order_relaxed);
                buf_puts(&b, "ggzy_http_request_duration_seconds_bucket{");
                route_label(&b, r);
                buf_printf(&b, ",status=\"%s\",le=\"%g\"} %llu\n", st, (double)bucket_us[k] / 1e6,
                           (unsigned long long)acc);
            }
            buf_puts(&b, "ggzy_http_request_duration_seconds_bucket{");
            route_label(&b, r);
            buf_printf(&b, ",status=\"%s\",le=\"+Inf\"} %llu\n", st, (unsigned long long)n);
            buf_puts(&b, "ggzy_http_request_duration_seconds_sum{");
            route_label(&b, r);
            buf_printf(&b, ",status=\"%s\"} %.6f\n", st,
                       (double)atomic_load_explicit(&c[NBUCKET + 1], memory_order_relaxed) / 1e6);
            buf_puts(&b, "ggzy_http_request_duration_seconds_count{");
            route_label(&b, r);
            buf_printf(&b, ",status=\"%s\"} %llu\n", st, (unsigned long long)n);
        }
    struct db_pool_stats ps;
    db_pool_stats(&ps);
    buf_printf(&b,
               "# HELP ggzy_db_pool_connections Database pool connections by state.\n"
               "# TYPE ggzy_db_pool_connections gauge\n"
               "ggzy_db_pool_connections{state=\"in_use\"} %ld\n"
               "ggzy_db_pool_connections{state=\"idle\"} %ld\n"
               "ggzy_db_pool_connections{state=\"size\"} %ld\n"
               "# HELP ggzy_db_pool_waits_total Acquires that had to wait for a free connection.\n"
               "# TYPE ggzy_db_pool_waits_total counter\n"
               "ggzy_db_pool_waits_total %ld\n"
               "# HELP ggzy_db_pool_timeouts_total Acquires that gave up (answered 503).\n"
               "# TYPE ggzy_db_pool_timeouts_total counter\n"
               "ggzy_db_pool_timeouts_total %ld\n"
               "# HELP ggzy_db_connects_total Connections opened.\n"
               "# TYPE ggzy_db_connects_total counter\n"
               "ggzy_db_connects_total %ld\n"
               "# HELP ggzy_db_connect_failures_total Failed connection attempts.\n"
               "# TYPE ggzy_db_connect_failures_total counter\n"
               "ggzy_db_connect_failures_total %ld\n"
               "# HELP ggzy_db_lost_total Connections dropped after the server went away.\n"
               "# TYPE ggzy_db_lost_total counter\n"
               "ggzy_db_lost_total %ld\n"
               "# HELP ggzy_http_in_flight Requests being served.\n"
               "# TYPE ggzy_http_in_flight gauge\n"
               "ggzy_http_in_flight %ld\n"
               "# HELP ggzy_audit_log_intact 1 while the audit log passes the server's own check, "
               "0 once it failed (checkpoints are no longer signed).\n"
               "# TYPE ggzy_audit_log_intact gauge\n"
               "ggzy_audit_log_intact %d\n",
               ps.in_use, ps.idle, ps.size, ps.waits, ps.timeouts, ps.connects, ps.connect_failures,
               ps.lost, http_in_flight(), logwatch_ok(why, sizeof why) ? 1 : 0);
    for (size_t i = 0; i < NGAUGE; i++) {
        const char *n = atomic_load(&gauges[i].name);
        if (!n)
            break;
        const char *help = atomic_load(&gauges[i].help);
        buf_printf(&b, "# HELP %s %s\n# TYPE %s gauge\n%s %lld\n", n, help ? help : n, n, n,
                   (long long)atomic_load(&gauges[i].value));
    }
    if (b.oom) {
        buf_free(&b);
        return NULL;
    }
    *len = b.len;
    return buf_take(&b);
}
