/*
 * core_routes.c — the core's own module: health, metrics, the OpenAPI document, and the
 * test-mode clock. It is listed first in the module table like any other module.
 *
 * Its jobs (run by the scheduler, scheduler.c): core.idempotency-expire deletes answers kept for
 * Idempotency-Key retries past their time; core.log-scan re-hashes the whole log at start-up and
 * every audit.scan_interval_s. GET /api/v1/system/jobs shows every module's jobs.
 *
 * In test mode, POST /api/v1/test/events emits an event of a stage not built yet (the award
 * notice, the contract: app.h) as the caller, with its audit entry (action test.event), so that
 * the stages before it are tested through the hook they will be told by.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "audit.h"
#include "core.h"
#include "canon.h"
#include "crypto.h"
#include "db.h"
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
    if (clock_is_demo()) /* every page shows a banner: these times are a demonstration's */
        cJSON_AddBoolToObject(o, "demo_clock", true);
    /* the modules' parts: the calendar's end, the deposit ledger's agreement with the log */
    enum err_code code = E_INTERNAL;
    if (!app_health(c, o, &code, why, sizeof why)) {
        cJSON_Delete(o);
        req_error(r, code, "%s", why);
        return;
    }
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
    scheduler_clock_moved(); /* what fell due at the new time runs now */
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

/* ---- test events ---- */

static const char *const event_kinds[] = {"award_notice", "contract_signed", NULL};
static const struct field event_schema[] = {
    {"kind", F_STRING, true, 1, 32, event_kinds},
    {"project_id", F_INT, true, 1, INT64_C(9007199254740991), NULL},
    {"winner_org_id", F_INT, false, 1, INT64_C(9007199254740991), NULL},
    {"at_us", F_INT, false, 0, INT64_C(9007199254740991), NULL},
    {"lot", F_INT, false, 0, 50, NULL},
    {NULL},
};

static enum tx_result
event_tx(struct dbconn *c, struct req *r, void *arg)
{
    const struct app_event *e = arg;
    cJSON *p = cJSON_CreateObject();
    cJSON_AddStringToObject(p, "kind", app_event_name(e->kind));
    json_add_i64(p, "winner_org_id", e->winner_org);
    json_add_i64(p, "at_us", e->at_us);
    json_add_i64(p, "lot", e->lot);
    if (audit_append(c, req_actor(r), "test.event", "project", e->project_id, e->project_id, p,
                     NULL) != DB_OK ||
        app_emit(c, req_actor(r), e) != DB_OK)
        return TX_DBFAIL;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "kind", app_event_name(e->kind));
    json_add_i64(o, "project_id", e->project_id);
    json_add_i64(o, "at_us", e->at_us);
    req_json(r, 201, o);
    return TX_COMMIT;
}

static void
test_event(struct req *r, const cJSON *body)
{
    struct app_event e = {
        .kind =
            strcmp(json_str(body, "kind"), "award_notice") ? EV_CONTRACT_SIGNED : EV_AWARD_NOTICE,
        .project_id = json_i64(body, "project_id", 0),
        .winner_org = json_i64(body, "winner_org_id", 0),
        .at_us = json_i64(body, "at_us", clock_now_us()),
        .lot = json_i64(body, "lot", 0),
    };
    req_tx(r, event_tx, &e);
}

/* ---- jobs ---- */

#define JOB_COLS(X)                                                                                \
    X(JB_NAME, "name")                                                                             \
    X(JB_NEXT, "next_due_us")                                                                      \
    X(JB_LAST, "last_run_us")                                                                      \
    X(JB_OK, "last_ok")                                                                            \
    X(JB_RUNS, "runs")                                                                             \
    X(JB_FAILURES, "failures")
enum { JOB_COLS(DB_COL_ENUM) JB__COUNT };
static const char sql_jobs[] = "SELECT " JOB_COLS(DB_COL_SQL) DB_COL_END " FROM jobs ORDER BY name";

/* GET /api/v1/system/jobs: every background job, when it last ran and how, when it runs next. */
static void
jobs_list(struct req *r, const cJSON *body)
{
    (void)body;
    struct dbconn *c = req_db(r);
    if (!c)
        return;
    struct dbres res;
    enum db_status st = db_query(c, sql_jobs, NULL, 0, &res);
    if (st != DB_OK) {
        dbres_free(&res);
        req_db_fail(r, c, st);
        return;
    }
    cJSON *o = cJSON_CreateObject(), *items = cJSON_AddArrayToObject(o, "items");
    for (size_t i = 0; i < res.nrows; i++) {
        cJSON *j = cJSON_CreateObject();
        cJSON_AddStringToObject(j, "name", dbres_str(&res, i, JB_NAME));
        json_add_i64(j, "next_due_us", dbres_i64(&res, i, JB_NEXT));
        if (!dbres_str(&res, i, JB_LAST))
            cJSON_AddNullToObject(j, "last_run_us");
        else
            json_add_i64(j, "last_run_us", dbres_i64(&res, i, JB_LAST));
        if (!dbres_str(&res, i, JB_OK))
            cJSON_AddNullToObject(j, "last_ok");
        else
            cJSON_AddBoolToObject(j, "last_ok", dbres_i64(&res, i, JB_OK) != 0);
        json_add_i64(j, "runs", dbres_i64(&res, i, JB_RUNS));
        json_add_i64(j, "failures", dbres_i64(&res, i, JB_FAILURES));
        cJSON_AddItemToArray(items, j);
    }
    dbres_free(&res);
    req_json(r, 200, o);
}

/* core.idempotency-expire: answers kept for Idempotency-Key retries past their time to live
 * (housekeeping of expired data, not a state change of the platform: no audit entry). */
static bool
idempotency_expire(struct dbconn *c, const struct actor *a, int64_t now_us)
{
    (void)a;
    return idem_expire(c, now_us);
}

/* core.log-scan: the whole log re-hashed against every signed checkpoint (logwatch.h), every
 * audit.scan_interval_s (300 by default: an edit of an old entry is found within minutes), its
 * time and result in /metrics. */
static bool
log_scan(struct dbconn *c, const struct actor *a, int64_t now_us)
{
    (void)a;
    bool db_error = false;
    uint64_t entries = 0;
    int64_t t0 = monotonic_us();
    bool ok = logwatch_scan(c, &db_error, &entries);
    int64_t took = monotonic_us() - t0;
    if (!ok && db_error) {
        log_warn("log_scan: the log could not be read; the scan is tried again later");
        return false;
    }
    metrics_gauge_set("ggzy_audit_log_scan_duration_microseconds",
                      "How long the last full check of the log took, in microseconds.", took);
    metrics_gauge_set("ggzy_audit_log_scan_entries", "Entries the last full check re-hashed.",
                      (int64_t)entries);
    metrics_gauge_set("ggzy_audit_log_scan_last_us",
                      "When the last full check of the log ran (the platform's clock, µs).",
                      now_us);
    metrics_gauge_set("ggzy_audit_log_scan_ok", "1 when the last full check found the log intact.",
                      ok);
    log_info("log_scan: %llu entries re-hashed in %lld µs: %s", (unsigned long long)entries,
             (long long)took, ok ? "intact" : "ALTERED");
    return true; /* an alarm is the watch's own outcome, raised and reported by it */
}

static int64_t
log_scan_every(const struct config *cfg)
{
    return cfg->audit_scan_interval_s;
}

static const struct job jobs[] = {
    {"core.idempotency-expire", "system:housekeeping", 60, NULL, false, idempotency_expire},
    {"core.log-scan", "system:log-watch", 0, log_scan_every, true, log_scan},
    {"core.calendar", "system:calendar", 60, NULL, true, core_calendar_job},
};

static const struct command commands[] = {
    {"calendar", core_calendar_command,
     "import FILE --notice TEXT [--dry-run]: a year's holiday arrangement; status: the years"},
};

static const struct field sleep_query[] = {{"ms", F_INT, false, 0, 60000, NULL}, {NULL}};

static const struct route routes[] = {
    {"GET", "/healthz", healthz, ROLE_PUBLIC, 0, NULL, 0},
    {"GET", "/metrics", metrics, ROLE_PUBLIC, 0, NULL, ROUTE_RAW},
    {"GET", "/api/v1/openapi.json", openapi, ROLE_PUBLIC, 0, NULL, ROUTE_RAW},
    {"GET", "/api/v1/test/clock", test_clock_get, ROLE_PUBLIC, 0, NULL,
     ROUTE_TEST_ONLY | ROUTE_DEMO},
    {"POST", "/api/v1/test/clock", test_clock_set, ROLE_PUBLIC, 256, clock_schema,
     ROUTE_TEST_ONLY | ROUTE_DEMO},
    {"GET", "/api/v1/test/sleep", test_sleep, ROLE_PUBLIC, 0, NULL, ROUTE_TEST_ONLY,
     .query = sleep_query},
    {"POST", "/api/v1/test/events", test_event, ROLE_CENTER_ADMIN, 1024, event_schema,
     ROUTE_TEST_ONLY},
    {"GET", "/api/v1/system/jobs", jobs_list, ROLE_CENTER_ADMIN | ROLE_SUPERVISOR, 0, NULL, 0},
    {"GET", "/api/v1/calendar/{year}", core_calendar_get, ROLE_PUBLIC, 0, NULL, 0},
};

static bool
core_init(const struct config *cfg)
{
    metrics_token = cfg->metrics_token;
    idem_set_ttl(cfg->idempotency_ttl_s);
    openapi_doc = read_file(cfg->openapi_path, 4 << 20, &openapi_len);
    if (!openapi_doc)
        log_warn("cannot read the OpenAPI document %s", cfg->openapi_path);
    /* the arrangements imported since the release, before anything counts a working day */
    struct dbconn *c = db_acquire();
    bool ok = c && core_calendar_apply_imports(c);
    if (c)
        db_release(c);
    if (!ok) {
        log_error("the imported holiday arrangements cannot be read");
        return false;
    }
    return app_health_add(core_calendar_health);
}

static void
core_fini(void)
{
    free(openapi_doc);
    openapi_doc = NULL;
}

const struct module core_module = {
    .name = "core",
    .routes = routes,
    .nroutes = ARRAY_LEN(routes),
    .init = core_init,
    .fini = core_fini,
    .jobs = jobs,
    .njobs = ARRAY_LEN(jobs),
    .commands = commands,
    .ncommands = ARRAY_LEN(commands),
};
