/*
 * events.c — the core's hooks (app.h): a fixed table of subscribers per event kind, the one
 * notifier and the parts of the health answer, filled by modules at init and read without a lock
 * afterwards (nothing subscribes once ggzyd serves).
 */
#include <stdio.h>

#include "app.h"

#define SUBS_MAX 8

static app_event_fn subs[EV__COUNT][SUBS_MAX];
static const char *const names[EV__COUNT] = {"award_notice", "contract_signed"};

bool
app_subscribe(enum app_event_kind kind, app_event_fn fn)
{
    if (kind >= EV__COUNT || !fn)
        return false;
    for (int i = 0; i < SUBS_MAX; i++)
        if (!subs[kind][i] || subs[kind][i] == fn) {
            subs[kind][i] = fn;
            return true;
        }
    return false;
}

enum db_status
app_emit(struct dbconn *c, const struct actor *a, const struct app_event *e)
{
    if (e->kind >= EV__COUNT)
        return DB_ERROR;
    for (int i = 0; i < SUBS_MAX && subs[e->kind][i]; i++) {
        enum db_status st = subs[e->kind][i](c, a, e);
        if (st != DB_OK)
            return st;
    }
    return DB_OK;
}

const char *
app_event_name(enum app_event_kind kind)
{
    return kind < EV__COUNT ? names[kind] : "unknown";
}

/* ---- the notifier and the health parts (set at init, read without a lock afterwards) ---- */

static app_notify_fn notifier;
static app_health_fn health[SUBS_MAX];

void
app_set_notifier(app_notify_fn fn)
{
    notifier = fn;
}

enum db_status
app_notify(struct dbconn *c, const char *role, const char *kind, const char *subject,
           const char *body, int64_t now)
{
    if (!notifier) {
        log_warn("app_notify: no module delivers messages; not sent to %s: %s", role, subject);
        return DB_OK;
    }
    return notifier(c, role, kind, subject, body, now);
}

bool
app_health_add(app_health_fn fn)
{
    for (int i = 0; i < SUBS_MAX; i++)
        if (!health[i] || health[i] == fn) {
            health[i] = fn;
            return true;
        }
    return false;
}

bool
app_health(struct dbconn *c, cJSON *o, enum err_code *code, char *why, size_t whylen)
{
    bool ok = true;
    for (int i = 0; i < SUBS_MAX && health[i]; i++) {
        char w[300] = "";
        enum err_code e = E_INTERNAL;
        if (!health[i](c, o, &e, w, sizeof w) && ok) {
            ok = false;
            *code = e;
            snprintf(why, whylen, "%s", w);
        }
    }
    return ok;
}
