/*
 * events.c — the core's event hook (app.h): a fixed table of subscribers per event kind, filled
 * by modules at init and read without a lock afterwards (nothing subscribes once ggzyd serves).
 */
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
