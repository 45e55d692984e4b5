/*
 * calendar_admin.c — the working-day calendar as the platform keeps it (docs/rules.md "Working
 * days"): the State Council's arrangements the operator imports without a release
 * (`ggzyd calendar import FILE --notice TEXT`, table calendar_imports, audit action
 * calendar.import), applied on every node by the job core.calendar (system:calendar-watch),
 * which also warns — a metric, a message to center staff, a note in /healthz — once the loaded
 * (official) calendar ends within CAL_WARN_DAYS; and the public view of a year,
 * GET /api/v1/calendar/{year}. The counting itself is pure code (server/rules/calendar.c).
 *
 * An import reports every deadline it would move: each module that issued deadlines from
 * working days says which (the descriptor's calendar_moved), and keeps for each the reading that
 * favours the party the period protects, in the import's own transaction.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "audit.h"
#include "calendar.h"
#include "canon.h"
#include "core.h"
#include "crypto.h"
#include "metrics.h"
#include "statutes.h"

#define CAL_WARN_DAYS 90
#define CALENDAR      ACTOR_SYSTEM("system:calendar")

#define IMPORT_COLS(X)                                                                             \
    X(IC_YEAR, "year")                                                                             \
    X(IC_NOTICE, "notice")                                                                         \
    X(IC_ARRANGEMENT, "arrangement")
enum { IMPORT_COLS(DB_COL_ENUM) IC__COUNT };
static const char sql_newest[] = "SELECT " IMPORT_COLS(DB_COL_SQL) DB_COL_END
    " FROM calendar_imports i WHERE i.id = (SELECT MAX(j.id) FROM calendar_imports j WHERE "
    "j.year = i.year) ORDER BY year";
static const char sql_insert[] = "INSERT INTO calendar_imports (year, notice, arrangement, sha256, "
                                 "imported_us) VALUES (?, ?, ?, ?, ?)";
static const char sql_warned[] =
    "INSERT IGNORE INTO calendar_warnings (official_end, warned_us) VALUES (?, ?)";

bool
core_calendar_apply_imports(struct dbconn *c)
{
    struct dbres s;
    if (db_query(c, sql_newest, NULL, 0, &s) != DB_OK) {
        dbres_free(&s);
        return false;
    }
    for (size_t i = 0; i < s.nrows; i++) {
        struct cal_arrangement a;
        char why[300];
        if (!cal_arrangement_parse(dbres_str(&s, i, IC_ARRANGEMENT),
                                   dbres_len(&s, i, IC_ARRANGEMENT), &a, why, sizeof why)) {
            log_error("calendar: the imported arrangement of %s no longer parses: %s",
                      dbres_str(&s, i, IC_YEAR), why);
            continue;
        }
        snprintf(a.source, sizeof a.source, "%s", dbres_str(&s, i, IC_NOTICE));
        calendar_set_import(&a);
    }
    dbres_free(&s);
    return true;
}

/* Days from today to the end of the official calendar (negative once it has ended). */
static int64_t
days_left(int64_t now_us, int64_t *end)
{
    int64_t today = cal_day(now_us);
    *end = cal_official_end(today);
    return *end - today;
}

bool
core_calendar_health(struct dbconn *c, cJSON *o, enum err_code *code, char *why, size_t whylen)
{
    (void)c, (void)code, (void)why, (void)whylen;
    int64_t end, left = days_left(clock_now_us(), &end);
    char day[11];
    cal_format_day(end, day);
    cJSON *cal = cJSON_AddObjectToObject(o, "calendar");
    cJSON_AddStringToObject(cal, "official_until", day);
    json_add_i64(cal, "days_left", left);
    if (left <= CAL_WARN_DAYS)
        cJSON_AddStringToObject(cal, "warning",
                                "the State Council's holiday arrangement in force ends within 90 "
                                "days: working days after it are counted on the provisional "
                                "calendar until the operator imports the next one (ggzyd "
                                "calendar import)");
    return true; /* a note, not an outage: the provisional calendar counts on */
}

struct warn_ctx {
    int64_t end, left, now;
    bool sent;
};

static enum tx_result
warn_tx(struct dbconn *c, void *arg)
{
    struct warn_ctx *x = arg;
    char day[11], subject[160], body[600];
    cal_format_day(x->end, day);
    uint64_t affected = 0;
    struct dbv p[] = {DBV_STR(day), DBV_INT(x->now)};
    x->sent = false;
    if (db_exec(c, sql_warned, p, 2, &affected, NULL) != DB_OK)
        return TX_DBFAIL;
    if (affected == 0)
        return TX_COMMIT; /* told already (by this node or another) */
    snprintf(subject, sizeof subject, "节假日安排将于 %s 到期 (the holiday arrangement ends %s)",
             day, day);
    snprintf(body, sizeof body,
             "The State Council's holiday arrangement loaded on the platform ends on %s (%lld "
             "days from today). Working days after it are counted on the provisional calendar "
             "(statutory holidays only; a day near a holiday counts for the party a period "
             "protects). When the next year's notice is published, import it: ggzyd calendar "
             "import FILE --notice \"国办发明电〔…〕…号\" (docs/rules.md).",
             day, (long long)x->left);
    cJSON *pl = cJSON_CreateObject();
    cJSON_AddStringToObject(pl, "official_until", day);
    json_add_i64(pl, "days_left", x->left);
    if (app_notify(c, "center_admin", "calendar.ending", subject, body, x->now) != DB_OK ||
        audit_append(c, CALENDAR, "calendar.warn", "calendar", 0, 0, pl, NULL) != DB_OK)
        return TX_DBFAIL;
    x->sent = true;
    return TX_COMMIT;
}

bool
core_calendar_job(struct dbconn *c, const struct actor *a, int64_t now_us)
{
    (void)a;
    if (!core_calendar_apply_imports(c))
        return false;
    struct warn_ctx x = {.now = now_us};
    x.left = days_left(now_us, &x.end);
    metrics_gauge_set("ggzy_calendar_official_days_left",
                      "Days until the loaded (official) working-day calendar ends; warned at 90.",
                      x.left);
    if (x.left > CAL_WARN_DAYS)
        return true;
    if (db_tx(c, warn_tx, &x) != DB_OK)
        return false;
    if (x.sent)
        log_warn("calendar: the official arrangement ends in %lld days; center staff were told",
                 (long long)x.left);
    return true;
}

/* ---- GET /api/v1/calendar/{year} ---- */

void
core_calendar_get(struct req *r, const cJSON *body)
{
    (void)body;
    int64_t year;
    if (!req_param_id(r, "year", &year))
        return;
    if (year < 2000 || year > 2098) {
        req_error(r, E_NOT_FOUND, "the calendar covers the years 2000 to 2098");
        return;
    }
    enum cal_kind k = cal_year_kind((int)year);
    char src[400], day[11];
    cal_year_source((int)year, src, sizeof src);
    cJSON *o = cJSON_CreateObject();
    json_add_i64(o, "year", year);
    cJSON_AddStringToObject(o, "kind",
                            k == CAL_OFFICIAL      ? "official"
                            : k == CAL_PROVISIONAL ? "provisional"
                                                   : "unknown");
    cJSON_AddStringToObject(o, "source", src);
    cal_format_day(cal_official_end(cal_day(clock_now_us())), day);
    cJSON_AddStringToObject(o, "official_until", day);
    int64_t from = cal_day_from_ymd((int)year, 1, 1), to = cal_day_from_ymd((int)year + 1, 1, 1);
    if (k != CAL_UNKNOWN) {
        /* the days off on a weekday, the weekend days worked, and (provisional) the uncertain
         * days: rest for a right, working for a duty */
        cJSON *off = cJSON_AddArrayToObject(o, "weekdays_off");
        cJSON *worked = cJSON_AddArrayToObject(o, "weekend_days_worked");
        cJSON *unsure = cJSON_AddArrayToObject(o, "uncertain");
        char d[11];
        for (int64_t dd = from; dd < to; dd++) {
            int right = cal_is_working(dd, CAL_RIGHT), duty = cal_is_working(dd, CAL_DUTY);
            bool weekend = ((dd % 7) + 7 + 3) % 7 >= 5;
            cal_format_day(dd, d);
            if (right != duty)
                cJSON_AddItemToArray(unsure, cJSON_CreateString(d));
            else if (!weekend && !right)
                cJSON_AddItemToArray(off, cJSON_CreateString(d));
            else if (weekend && right)
                cJSON_AddItemToArray(worked, cJSON_CreateString(d));
        }
    }
    req_json(r, 200, o);
}

/* ---- `ggzyd calendar` ---- */

struct import_ctx {
    const struct command_ctx *x;
    const struct cal_arrangement *a;
    const char *text, *notice;
    char sha[65];
    bool apply;
    cJSON *moved;
};

/* Every module's deadlines the arrangement (now in force in this process) moves: into x->moved,
 * applied when x->apply. */
static enum db_status
moved(struct dbconn *c, struct import_ctx *x)
{
    cJSON_Delete(x->moved);
    x->moved = cJSON_CreateArray();
    for (size_t i = 0; i < x->x->nmods; i++) {
        const struct module *m = x->x->mods[i];
        if (!m->calendar_moved)
            continue;
        enum db_status st = m->calendar_moved(c, x->a->year, x->apply, x->moved);
        if (st != DB_OK)
            return st;
    }
    return DB_OK;
}

static enum tx_result
import_tx(struct dbconn *c, void *arg)
{
    struct import_ctx *x = arg;
    int64_t now = clock_now_us();
    if (moved(c, x) != DB_OK)
        return TX_DBFAIL;
    if (!x->apply)
        return TX_COMMIT;
    struct dbv p[] = {DBV_INT(x->a->year), DBV_STR(x->notice), DBV_STR(x->text), DBV_STR(x->sha),
                      DBV_INT(now)};
    uint64_t id = 0;
    if (db_exec(c, sql_insert, p, ARRAY_LEN(p), NULL, &id) != DB_OK)
        return TX_DBFAIL;
    cJSON *pl = cJSON_CreateObject();
    json_add_i64(pl, "year", x->a->year);
    cJSON_AddStringToObject(pl, "notice", x->notice);
    cJSON_AddStringToObject(pl, "arrangement_sha256", x->sha);
    cJSON *h = cJSON_AddArrayToObject(pl, "holidays"), *w = cJSON_AddArrayToObject(pl, "workdays");
    char d[11];
    for (size_t i = 0; i < x->a->nholidays; i++) {
        cal_format_day(x->a->holidays[i], d);
        cJSON_AddItemToArray(h, cJSON_CreateString(d));
    }
    for (size_t i = 0; i < x->a->nworkdays; i++) {
        cal_format_day(x->a->workdays[i], d);
        cJSON_AddItemToArray(w, cJSON_CreateString(d));
    }
    cJSON_AddItemToObject(pl, "moved", cJSON_Duplicate(x->moved, true));
    return audit_append(c, CALENDAR, "calendar.import", "calendar", (int64_t)id, 0, pl, NULL) ==
                   DB_OK
               ? TX_COMMIT
               : TX_DBFAIL;
}

static void
print_moved(const cJSON *arr)
{
    const cJSON *it;
    size_t n = 0;
    cJSON_ArrayForEach(it, arr)
    {
        char was[17] = "none", off[17] = "none", kept[17] = "none";
        if (json_i64(it, "was_us", -1) >= 0)
            cal_format_minute(json_i64(it, "was_us", 0), was);
        if (json_i64(it, "official_us", -1) >= 0)
            cal_format_minute(json_i64(it, "official_us", 0), off);
        if (json_i64(it, "kept_us", -1) >= 0)
            cal_format_minute(json_i64(it, "kept_us", 0), kept);
        printf("  %s %lld: was %s, the arrangement gives %s, kept %s (%s)\n", json_str(it, "what"),
               (long long)json_i64(it, "id", 0), was, off, kept, json_str(it, "why"));
        n++;
    }
    printf("%zu deadline(s) the arrangement moves\n", n);
}

static int
usage_calendar(void)
{
    fprintf(stderr, "usage: ggzyd calendar import FILE --notice TEXT [--dry-run]\n"
                    "       ggzyd calendar status\n");
    return 2;
}

int
core_calendar_command(const struct command_ctx *cx)
{
    const char *verb = cx->argc > 0 ? cx->argv[0] : "", *file = NULL, *notice = NULL;
    bool dry = false;
    for (int i = 1; i < cx->argc; i++) {
        if (!strcmp(cx->argv[i], "--notice") && i + 1 < cx->argc)
            notice = cx->argv[++i];
        else if (!strcmp(cx->argv[i], "--dry-run"))
            dry = true;
        else if (!file && cx->argv[i][0] != '-')
            file = cx->argv[i];
        else
            return usage_calendar();
    }
    char err[400];
    if (!calendar_load(cx->cfg->calendar_dir, err, sizeof err) ||
        !statutes_load_overrides(cx->cfg->rules_overrides, err, sizeof err)) {
        log_error("%s", err);
        return 1;
    }
    struct dbconn *c = db_connect_direct(cx->cfg, false, err, sizeof err);
    if (!c) {
        log_error("calendar: %s", err);
        calendar_free();
        return 1;
    }
    int rc = 1;
    char *text = NULL;
    if (!core_calendar_apply_imports(c)) {
        log_error("calendar: the imported arrangements cannot be read: %s", db_last_error(c));
        goto out;
    }
    if (!strcmp(verb, "status") && !file) {
        int64_t end, left = days_left(clock_now_us(), &end);
        char day[11], src[400];
        cal_format_day(end, day);
        printf("official calendar until %s (%lld days from today)\n", day, (long long)left);
        int y0 = cal_year_of(cal_day(clock_now_us()));
        for (int y = y0 - 1; y <= y0 + 12; y++) {
            enum cal_kind k = cal_year_kind(y);
            cal_year_source(y, src, sizeof src);
            printf("%d  %-11s  %s\n", y,
                   k == CAL_OFFICIAL      ? "official"
                   : k == CAL_PROVISIONAL ? "provisional"
                                          : "unknown",
                   src);
        }
        rc = 0;
        goto out;
    }
    if (strcmp(verb, "import") || !file || !notice || !*notice) {
        rc = usage_calendar();
        goto out;
    }
    size_t len;
    struct cal_arrangement a;
    uint8_t h[32];
    if (!(text = read_file(file, 1 << 20, &len))) {
        log_error("calendar: cannot read %s", file);
        goto out;
    }
    if (!cal_arrangement_parse(text, len, &a, err, sizeof err)) {
        fprintf(stderr, "calendar: %s: %s\n", file, err);
        goto out;
    }
    struct import_ctx x = {.x = cx, .a = &a, .text = text, .notice = notice, .apply = !dry};
    crypto_sha256(text, len, h);
    hex_encode(h, 32, x.sha);
    snprintf(a.source, sizeof a.source, "%s", notice);
    calendar_set_import(&a); /* in force in this process: what the modules recompute with */
    if (db_tx(c, import_tx, &x) != DB_OK) {
        log_error("calendar: the import failed: %s", db_last_error(c));
        cJSON_Delete(x.moved);
        goto out;
    }
    printf("%s the arrangement of %d (%s): %zu holidays, %zu weekend days worked\n",
           dry ? "would import" : "imported", a.year, notice, a.nholidays, a.nworkdays);
    print_moved(x.moved);
    if (!dry)
        printf("every ggzyd applies it within a minute (job core.calendar) or at SIGHUP\n");
    cJSON_Delete(x.moved);
    rc = 0;
out:
    free(text);
    db_close_direct(c);
    calendar_free();
    return rc;
}
