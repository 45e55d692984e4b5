/*
 * core_routes.c — the core's own module: health, metrics, the OpenAPI document, and the
 * test-mode clock. It is listed first in the module table like any other module.
 *
 * It also runs the maintenance thread: once a minute it deletes expired sessions, idempotency
 * records and stale login-throttle rows (these are housekeeping of expired data, not state
 * changes of the platform, so they write no audit entry).
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto.h"
#include "db.h"
#include "http.h"
#include "idem.h"
#include "logwatch.h"
#include "metrics.h"

static char *openapi_doc;
static size_t openapi_len;
static const char *metrics_token;

static void
healthz(struct req *r, const cJSON *body)
{
    (void)body;
    struct dbconn *c = req_db(r);
    if (!c)
        return;
    struct dbres res;
    static const char sql[] = "SELECT 1";
    enum db_status st = db_query(c, sql, NULL, 0, &res);
    dbres_free(&res);
    if (st != DB_OK) {
        req_error(r, E_DB_UNAVAILABLE, "the database does not answer");
        return;
    }
    char why[400];
    if (!logwatch_ok(why, sizeof why)) {
        req_error(r, E_LOG_ALTERED, "the audit log failed its self-check: %s", why);
        return;
    }
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "status", "ok");
    cJSON_AddStringToObject(o, "database", "ok");
    cJSON_AddStringToObject(o, "audit_log", "intact");
    /* the platform's clock, which signed steps are checked against (docs/envelope.md §9.1) */
    json_add_i64(o, "now_us", clock_now_us());
    req_json(r, 200, o);
}

static void
metrics(struct req *r, const cJSON *body)
{
    (void)body;
    /* With metrics.token set, a scraper shows it (compared in constant time) from anywhere;
     * without, only a loopback peer that is not a proxy relaying someone else is served: the
     * peer's address alone proves nothing behind a reverse proxy. */
    const char *auth = req_header(r, "Authorization");
    bool allowed;
    if (metrics_token && *metrics_token) {
        size_t n = strlen(metrics_token);
        allowed = auth && !strncmp(auth, "Bearer ", 7) && strlen(auth + 7) == n &&
                  crypto_equal(auth + 7, metrics_token, n);
    } else
        allowed = !r->via_proxy && (!strncmp(r->client, "127.", 4) || !strcmp(r->client, "::1"));
    if (!allowed) {
        req_error(r, E_FORBIDDEN,
                  "metrics are served with the scrape token (metrics.token), or to local "
                  "clients when none is configured");
        return;
    }
    size_t len;
    char *text = metrics_render(&len);
    if (!text) {
        req_error(r, E_INTERNAL, "out of memory");
        return;
    }
    req_raw(r, 200, "text/plain; version=0.0.4; charset=utf-8", text, len);
}

static void
openapi(struct req *r, const cJSON *body)
{
    (void)body;
    if (!openapi_doc) {
        req_error(r, E_NOT_FOUND, "the OpenAPI document is not installed");
        return;
    }
    char *copy = malloc(openapi_len);
    if (!copy) {
        req_error(r, E_INTERNAL, "out of memory");
        return;
    }
    memcpy(copy, openapi_doc, openapi_len);
    req_raw(r, 200, "application/json", copy, openapi_len);
}

static void
clock_reply(struct req *r)
{
    int64_t now = clock_now_us();
    char ts[40];
    clock_format(now, ts, sizeof ts);
    cJSON *o = cJSON_CreateObject();
    json_add_i64(o, "now_us", now);
    cJSON_AddStringToObject(o, "now", ts);
    req_json(r, 200, o);
}

static void
test_clock_get(struct req *r, const cJSON *body)
{
    (void)body;
    clock_reply(r);
}

static void
test_clock_set(struct req *r, const cJSON *body)
{
    const cJSON *set = cJSON_GetObjectItemCaseSensitive(body, "set_us");
    const cJSON *adv = cJSON_GetObjectItemCaseSensitive(body, "advance_us");
    if ((set != NULL) == (adv != NULL)) {
        req_error(r, E_INVALID_FIELD, "send exactly one of set_us and advance_us");
        return;
    }
    if (set)
        clock_set_us((int64_t)set->valuedouble);
    else
        clock_advance_us((int64_t)adv->valuedouble);
    log_warn("test clock moved");
    clock_reply(r);
}

static void
test_sleep(struct req *r, const cJSON *body)
{
    (void)body;
    int64_t ms = 0;
    const char *q = req_query(r, "ms");
    if (!q || !parse_i64(q, 0, 60000, &ms)) {
        req_error(r, E_BAD_REQUEST, "ms must be 0 to 60000");
        return;
    }
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
    cJSON *o = cJSON_CreateObject();
    json_add_i64(o, "slept_ms", ms);
    req_json(r, 200, o);
}

static const struct field clock_schema[] = {
    {"set_us", F_INT, false, 0, INT64_C(9007199254740991), NULL},
    {"advance_us", F_INT, false, -INT64_C(9007199254740991), INT64_C(9007199254740991), NULL},
    {NULL},
};

static const struct route routes[] = {
    {"GET", "/healthz", healthz, ROLE_PUBLIC, 0, NULL, 0},
    {"GET", "/metrics", metrics, ROLE_PUBLIC, 0, NULL, ROUTE_RAW},
    {"GET", "/api/v1/openapi.json", openapi, ROLE_PUBLIC, 0, NULL, ROUTE_RAW},
    {"GET", "/api/v1/test/clock", test_clock_get, ROLE_PUBLIC, 0, NULL, ROUTE_TEST_ONLY},
    {"POST", "/api/v1/test/clock", test_clock_set, ROLE_PUBLIC, 256, clock_schema, ROUTE_TEST_ONLY},
    {"GET", "/api/v1/test/sleep", test_sleep, ROLE_PUBLIC, 0, NULL, ROUTE_TEST_ONLY},
};

/* ---- maintenance ---- */

static pthread_t maint_thread;
static atomic_bool maint_stop;
static bool maint_started;
static pthread_mutex_t maint_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t maint_cv = PTHREAD_COND_INITIALIZER;

static const char sql_old_sessions[] = "DELETE FROM sessions WHERE expires_us < ? LIMIT 10000";
static const char sql_old_throttle[] =
    "DELETE FROM login_throttle WHERE window_start_us < ? LIMIT 10000";

static void *
maint_main(void *arg)
{
    const struct config *cfg = arg;
    while (!atomic_load(&maint_stop)) {
        struct dbconn *c = db_acquire();
        if (c) {
            int64_t now = clock_now_us();
            struct dbv p1[] = {DBV_INT(now - 86400LL * 1000000)};
            struct dbv p2[] = {DBV_INT(now - cfg->auth_throttle_window_s * 1000000LL)};
            if (db_exec(c, sql_old_sessions, p1, 1, NULL, NULL) != DB_OK ||
                db_exec(c, sql_old_throttle, p2, 1, NULL, NULL) != DB_OK)
                log_warn("housekeeping failed: %s", db_last_error(c));
            idem_expire(c);
            db_release(c);
        }
        pthread_mutex_lock(&maint_mu);
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += 60;
        if (!atomic_load(&maint_stop))
            pthread_cond_timedwait(&maint_cv, &maint_mu, &ts);
        pthread_mutex_unlock(&maint_mu);
    }
    return NULL;
}

static const struct config *core_cfg;

static bool
core_init(const struct config *cfg)
{
    core_cfg = cfg;
    metrics_token = cfg->metrics_token;
    idem_set_ttl(cfg->idempotency_ttl_s);
    openapi_doc = read_file(cfg->openapi_path, 4 << 20, &openapi_len);
    if (!openapi_doc)
        log_warn("cannot read the OpenAPI document %s", cfg->openapi_path);
    maint_started = pthread_create(&maint_thread, NULL, maint_main, (void *)cfg) == 0;
    if (!maint_started)
        log_error("cannot start the maintenance thread");
    return maint_started;
}

static void
core_fini(void)
{
    if (maint_started) {
        pthread_mutex_lock(&maint_mu);
        atomic_store(&maint_stop, true);
        pthread_cond_signal(&maint_cv);
        pthread_mutex_unlock(&maint_mu);
        pthread_join(maint_thread, NULL);
        maint_started = false;
    }
    free(openapi_doc);
    openapi_doc = NULL;
}

const struct module core_module = {
    .name = "core",
    .routes = routes,
    .nroutes = ARRAY_LEN(routes),
    .init = core_init,
    .fini = core_fini,
};
