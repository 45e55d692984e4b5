/*
 * live.c — watching a session live (评标统一监控): GET /api/v1/evaluations/{id}/stream answers
 * with Server-Sent Events (text/event-stream; server/http/stream.h). Each event is a row of
 * evaluation_events written in the act's own transaction — who acted on which step and when, the
 * step reached, a pause and its reason, an indicator, a clarification asked or answered, the
 * report signed — never a score's value. After the commit the hub of this node reads the new rows
 * once and wakes the session's watchers, each of which is sent what its role may see
 * (evaluation_rule_stream_sees, checked for every event); `Last-Event-ID` resumes after an id.
 * A node learns of events another node committed at its next event or a watcher's reconnect
 * (docs/evaluation.md §6: the stream is per node).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "canon.h"
#include "internal.h"
#include "stream.h"

#define RING 1024 /* the events a channel keeps in memory */

struct live_event_row {
    int64_t id;
    char cls[16];
    char *data;
};

struct watcher;

struct channel {
    int64_t evaluation;
    int64_t max_id;
    size_t n, head; /* ring of the last RING events, oldest at head */
    struct live_event_row ring[RING];
    struct watcher *watchers;
    struct channel *next;
};

struct watcher {
    struct channel *ch;
    struct stream_watcher *w;
    unsigned role;
    bool member;
    int64_t last_id;
    bool hello; /* the retry hint is written first */
    struct watcher *next;
};

static pthread_mutex_t hub_mu = PTHREAD_MUTEX_INITIALIZER;
static struct channel *channels;

static struct channel *
channel_of(int64_t evaluation, bool create)
{
    for (struct channel *c = channels; c; c = c->next)
        if (c->evaluation == evaluation)
            return c;
    if (!create)
        return NULL;
    struct channel *c = calloc(1, sizeof *c);
    if (c) {
        c->evaluation = evaluation;
        c->next = channels;
        channels = c;
    }
    return c;
}

/* Append the rows of r (in id order) the channel has not seen; hub_mu held. */
static void
channel_add(struct channel *ch, const struct dbres *r)
{
    for (size_t i = 0; i < r->nrows; i++) {
        int64_t id = dbres_i64(r, i, LV_ID);
        if (id <= ch->max_id)
            continue;
        char *data = strdup(dbres_str(r, i, LV_DATA));
        if (!data)
            return;
        struct live_event_row *e;
        if (ch->n == RING) { /* the oldest goes */
            e = &ch->ring[ch->head];
            free(e->data);
            ch->head = (ch->head + 1) % RING;
        } else
            e = &ch->ring[(ch->head + ch->n++) % RING];
        e->id = id;
        snprintf(e->cls, sizeof e->cls, "%s", dbres_str(r, i, LV_CLASS));
        e->data = data;
        ch->max_id = id;
    }
}

/* After a commit that recorded events of a session: read them once, wake its watchers. */
static void
notify(struct dbconn *c, void *arg)
{
    int64_t evaluation = (int64_t)(intptr_t)arg;
    pthread_mutex_lock(&hub_mu);
    struct channel *ch = channel_of(evaluation, false);
    int64_t after = ch ? ch->max_id : 0;
    pthread_mutex_unlock(&hub_mu);
    if (!ch)
        return; /* nobody watches here */
    struct dbres r = {0};
    if (store_live_after(c, evaluation, after, &r) != DB_OK) {
        log_warn("live: evaluation %lld: %s", (long long)evaluation, db_last_error(c));
        dbres_free(&r);
        return;
    }
    pthread_mutex_lock(&hub_mu);
    if ((ch = channel_of(evaluation, false))) {
        channel_add(ch, &r);
        for (struct watcher *w = ch->watchers; w; w = w->next)
            stream_wake(w->w);
    }
    pthread_mutex_unlock(&hub_mu);
    dbres_free(&r);
}

enum db_status
live_event(struct dbconn *c, int64_t evaluation, const char *cls, cJSON *data, int64_t now)
{
    json_add_i64(data, "at_us", now); /* when, on the platform's clock */
    char *text = canon_text(data);
    cJSON_Delete(data);
    if (!text)
        return DB_ERROR;
    enum db_status st = store_live_insert(c, evaluation, cls, text, now);
    free(text);
    if (st == DB_OK && !db_on_commit_has(c, notify) &&
        !db_on_commit(c, notify, (void *)(intptr_t)evaluation))
        st = DB_ERROR;
    return st;
}

/* ---- a watcher ---- */

static ssize_t
next(void *state, char *buf, size_t max)
{
    struct watcher *w = state;
    size_t used = 0;
    if (!w->hello) { /* how long a browser waits before it reconnects */
        const char hint[] = "retry: 3000\n\n";
        if (max < sizeof hint)
            return 0;
        memcpy(buf, hint, sizeof hint - 1);
        used = sizeof hint - 1;
        w->hello = true;
    }
    pthread_mutex_lock(&hub_mu);
    struct channel *ch = w->ch;
    for (size_t k = 0; k < ch->n; k++) {
        const struct live_event_row *e = &ch->ring[(ch->head + k) % RING];
        if (e->id <= w->last_id)
            continue;
        if (evaluation_rule_stream_sees(e->cls, w->role, w->member)) {
            char head[80];
            int hn = snprintf(head, sizeof head, "id: %lld\nevent: %s\ndata: ", (long long)e->id,
                              e->cls);
            size_t dn = strlen(e->data);
            if (hn < 0 || used + (size_t)hn + dn + 2 > max)
                break; /* the rest next time */
            memcpy(buf + used, head, (size_t)hn);
            memcpy(buf + used + (size_t)hn, e->data, dn);
            memcpy(buf + used + (size_t)hn + dn, "\n\n", 2);
            used += (size_t)hn + dn + 2;
        }
        w->last_id = e->id;
    }
    pthread_mutex_unlock(&hub_mu);
    return (ssize_t)used;
}

static void
close_watcher(void *state, struct stream_watcher *sw)
{
    (void)sw;
    struct watcher *w = state;
    pthread_mutex_lock(&hub_mu);
    for (struct watcher **p = &w->ch->watchers; *p; p = &(*p)->next)
        if (*p == w) {
            *p = w->next;
            break;
        }
    pthread_mutex_unlock(&hub_mu);
    free(w);
}

static const struct stream_src source = {next, close_watcher};

/* GET /api/v1/evaluations/{id}/stream: who may see the session at all (404 otherwise), checked
 * once here; each event's class is checked for the watcher as it is sent. */
void
eval_stream(struct req *r, const cJSON *body)
{
    (void)body;
    int64_t id, last = 0;
    bool found;
    struct eval_session s;
    struct dbconn *c = req_db_for(r, "id", &id);
    if (!c)
        return;
    const char *lei = req_header(r, "Last-Event-ID");
    if (lei && !parse_i64(lei, 0, INT64_MAX, &last)) {
        req_error(r, E_BAD_REQUEST, "Last-Event-ID is the id of an event");
        return;
    }
    enum db_status st = store_eval_load(c, id, false, &s, &found);
    if (st != DB_OK) {
        req_db_fail(r, c, st);
        return;
    }
    bool member = found && (r->who.role & (ROLE_EXPERT | ROLE_TENDERER)) &&
                  eval_member_of(&s, r->who.user_id);
    bool sees = found && eval_may_see(&s, &r->who);
    eval_session_free(&s);
    if (!sees) {
        req_error(r, E_NOT_FOUND, "no evaluation %lld", (long long)id);
        return;
    }
    /* the channel holds every event so far (its ring the last RING) */
    pthread_mutex_lock(&hub_mu);
    struct channel *ch = channel_of(id, true);
    int64_t after = ch ? ch->max_id : 0;
    pthread_mutex_unlock(&hub_mu);
    struct dbres ev = {0};
    struct watcher *w = calloc(1, sizeof *w);
    if (!ch || !w || (st = store_live_after(c, id, after, &ev)) != DB_OK) {
        free(w);
        dbres_free(&ev);
        if (st != DB_OK)
            req_db_fail(r, c, st);
        else
            req_error(r, E_INTERNAL, "the stream cannot be set up");
        return;
    }
    w->ch = ch;
    w->role = r->who.role;
    w->member = member;
    w->last_id = last;
    struct stream_watcher *sw;
    pthread_mutex_lock(&hub_mu);
    channel_add(ch, &ev);
    if (req_stream(r, &source, w, &sw)) {
        w->w = sw;
        w->next = ch->watchers;
        ch->watchers = w;
    } else
        free(w);
    pthread_mutex_unlock(&hub_mu);
    dbres_free(&ev);
}

void
live_fini(void)
{
    pthread_mutex_lock(&hub_mu);
    while (channels) {
        struct channel *c = channels;
        channels = c->next;
        for (size_t k = 0; k < c->n; k++)
            free(c->ring[(c->head + k) % RING].data);
        free(c);
    }
    pthread_mutex_unlock(&hub_mu);
}
