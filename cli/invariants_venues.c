/*
 * invariants_venues.c — the venue ledger of the replay (see invariants.h): every booking of every
 * room rebuilt from the log alone — asked (venue.booking.request), decided or cancelled, moved by
 * an amendment (announce.publish opening_moves) or by a relocation (venue.room.relocate) — with
 * the rooms each tender announcement promised for its lots' openings, the recordings each
 * recorder registered and the monitor's warnings. It checks, across projects (fed the whole log):
 *   INV-VENUE-OVERLAP    no two live bookings of a room hold the same minute (with their buffers);
 *   INV-VENUE-OPENING    a tender names an opening room per lot, booked from the lot's opening
 *                        time, and each opening starts in that room, in its booked span;
 *   INV-VENUE-RECORDING  a booking that ended a week before the log's last entry has recordings
 *                        that cover it or a warning.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "invariants.h"
#include "util.h"

#define WEEK_US   (INT64_C(7) * 86400 * 1000000)
#define GAP_US    (INT64_C(5) * 1000000) /* as ggzyd's monitor (modules/venues) */
#define MAX_SPANS 64

struct vbook {
    int64_t id, project, room, start, end, buffer;
    char purpose[16], state[16];
    bool warned;
    size_t nspans;
    int64_t from[MAX_SPANS], to[MAX_SPANS];
};

struct vlot { /* the room a published announcement promised for a lot's opening */
    int64_t project, lot, booking, room, start;
};

struct venue_ledger {
    struct vbook *b;
    size_t nb, bcap;
    struct vlot *l;
    size_t nl, lcap;
    int64_t last_us;
};

struct venue_ledger *
vl_new(void)
{
    return calloc(1, sizeof(struct venue_ledger));
}

void
vl_free(struct venue_ledger *v)
{
    if (v) {
        free(v->b);
        free(v->l);
    }
    free(v);
}

static const char *
s_of(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int64_t
n_of(const cJSON *o, const char *k, int64_t def)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    if (cJSON_IsNumber(v))
        return (int64_t)v->valuedouble;
    int64_t out;
    if (cJSON_IsString(v) && parse_i64(v->valuestring, INT64_MIN, INT64_MAX, &out))
        return out; /* a lot is written as a string in some payloads */
    return def;
}

static struct vbook *
find(struct venue_ledger *v, int64_t id)
{
    for (size_t i = 0; i < v->nb; i++)
        if (v->b[i].id == id)
            return &v->b[i];
    return NULL;
}

static bool
live(const struct vbook *b)
{
    return !strcmp(b->state, "requested") || !strcmp(b->state, "approved");
}

/* x now holds its span: does a live booking of its room hold any of the same minutes? */
static void
check_overlap(struct venue_ledger *v, const struct vbook *x, int64_t idx, struct inv_report *rep)
{
    if (!live(x))
        return;
    for (size_t i = 0; i < v->nb; i++) {
        const struct vbook *y = &v->b[i];
        if (y == x || y->room != x->room || !live(y))
            continue;
        if (x->start < y->end + y->buffer && y->start < x->end + x->buffer)
            inv_violate(rep, "INV-VENUE-OVERLAP", idx,
                        "booking %lld of room %lld overlaps booking %lld (with the setup buffer)",
                        (long long)x->id, (long long)x->room, (long long)y->id);
    }
}

static struct vlot *
lot_of(struct venue_ledger *v, int64_t project, int64_t lot, bool add)
{
    for (size_t i = 0; i < v->nl; i++)
        if (v->l[i].project == project && v->l[i].lot == lot)
            return &v->l[i];
    if (!add)
        return NULL;
    if (v->nl == v->lcap) {
        size_t cap = v->lcap ? v->lcap * 2 : 16;
        struct vlot *l = realloc(v->l, cap * sizeof *l);
        if (!l)
            return NULL;
        v->l = l;
        v->lcap = cap;
    }
    struct vlot *l = &v->l[v->nl++];
    memset(l, 0, sizeof *l);
    l->project = project;
    l->lot = lot;
    return l;
}

static void
request(struct venue_ledger *v, int64_t id, int64_t project, const cJSON *p, int64_t idx,
        struct inv_report *rep)
{
    if (v->nb == v->bcap) {
        size_t cap = v->bcap ? v->bcap * 2 : 64;
        struct vbook *b = realloc(v->b, cap * sizeof *b);
        if (!b)
            return;
        v->b = b;
        v->bcap = cap;
    }
    struct vbook *b = &v->b[v->nb++];
    memset(b, 0, sizeof *b);
    b->id = id;
    b->project = project;
    b->room = n_of(p, "room_id", 0);
    b->start = n_of(p, "start_us", 0);
    b->end = n_of(p, "end_us", 0);
    b->buffer = n_of(p, "buffer_us", 0);
    snprintf(b->purpose, sizeof b->purpose, "%s", s_of(p, "purpose") ? s_of(p, "purpose") : "");
    snprintf(b->state, sizeof b->state, "%s", s_of(p, "state") ? s_of(p, "state") : "requested");
    check_overlap(v, b, idx, rep);
}

/* A booking moved to [start, end) (and room, when > 0). */
static void
move(struct venue_ledger *v, const cJSON *m, int64_t room, int64_t idx, struct inv_report *rep)
{
    struct vbook *b = find(v, n_of(m, "booking_id", -1));
    if (!b) {
        inv_violate(rep, "INV-VENUE-OVERLAP", idx, "booking %lld is moved but was never booked",
                    (long long)n_of(m, "booking_id", -1));
        return;
    }
    if (room > 0)
        b->room = room;
    b->start = n_of(m, "start_us", b->start);
    b->end = n_of(m, "end_us", b->end);
    check_overlap(v, b, idx, rep);
}

/* A publication: the rooms it promises, checked against the lots' opening times, and the
 * bookings its new deadline moved. */
static void
publish(struct venue_ledger *v, int64_t project, const cJSON *p, int64_t idx,
        struct inv_report *rep)
{
    const cJSON *moves = cJSON_GetObjectItemCaseSensitive(p, "opening_moves");
    for (const cJSON *m = cJSON_IsArray(moves) ? moves->child : NULL; m; m = m->next)
        move(v, m, 0, idx, rep);
    const cJSON *venues = cJSON_GetObjectItemCaseSensitive(p, "opening_venues");
    const cJSON *deadlines = cJSON_GetObjectItemCaseSensitive(p, "deadlines");
    const char *type = s_of(p, "type");
    if (type && !strcmp(type, "tender") && !cJSON_IsArray(venues))
        inv_violate(rep, "INV-VENUE-OPENING", idx,
                    "a tender announcement of project %lld names no opening room",
                    (long long)project);
    for (const cJSON *e = cJSON_IsArray(venues) ? venues->child : NULL; e; e = e->next) {
        int64_t lot = n_of(e, "lot", -1), start = n_of(e, "start_us", -1);
        struct vbook *b = find(v, n_of(e, "booking_id", -1));
        if (!b || b->project != project || b->room != n_of(e, "room_id", -1) || b->start != start ||
            strcmp(b->purpose, "opening"))
            inv_violate(rep, "INV-VENUE-OPENING", idx,
                        "lot %lld's announced opening room is not a booking of it in the log",
                        (long long)lot);
        else if (strcmp(b->state, "approved"))
            inv_violate(rep, "INV-VENUE-OPENING", idx,
                        "lot %lld's announced opening booking %lld is %s, not approved",
                        (long long)lot, (long long)b->id, b->state);
        for (const cJSON *d = cJSON_IsArray(deadlines) ? deadlines->child : NULL; d; d = d->next)
            if (n_of(d, "lot", -2) == lot && n_of(d, "opening_us", -1) != start)
                inv_violate(rep, "INV-VENUE-OPENING", idx,
                            "lot %lld's opening room is booked from another time than its "
                            "announced opening",
                            (long long)lot);
        struct vlot *l = lot_of(v, project, lot, true);
        if (l) {
            l->booking = n_of(e, "booking_id", -1);
            l->room = n_of(e, "room_id", -1);
            l->start = start;
        }
    }
}

static void
opening_start(struct venue_ledger *v, int64_t project, const cJSON *p, int64_t t, int64_t idx,
              struct inv_report *rep)
{
    int64_t lot = n_of(p, "lot", -1);
    struct vlot *l = lot_of(v, project, lot, false);
    struct vbook *b = l ? find(v, l->booking) : NULL;
    if (!l || !b)
        inv_violate(rep, "INV-VENUE-OPENING", idx,
                    "lot %lld of project %lld was opened without an announced opening room",
                    (long long)lot, (long long)project);
    else if (b->room != l->room || b->start != l->start)
        inv_violate(rep, "INV-VENUE-OPENING", idx,
                    "lot %lld was opened in room %lld from %lld, but the announcement says room "
                    "%lld from %lld",
                    (long long)lot, (long long)b->room, (long long)b->start, (long long)l->room,
                    (long long)l->start);
    else if (strcmp(b->state, "approved") || t < b->start || t >= b->end)
        inv_violate(rep, "INV-VENUE-OPENING", idx,
                    "lot %lld's opening started outside its booked session (booking %lld, %s)",
                    (long long)lot, (long long)b->id, b->state);
}

void
vl_feed(struct venue_ledger *v, const cJSON *entry, struct inv_report *rep)
{
    const char *action = s_of(entry, "action");
    const cJSON *p = cJSON_GetObjectItemCaseSensitive(entry, "payload");
    const cJSON *obj = cJSON_GetObjectItemCaseSensitive(entry, "object");
    int64_t idx = n_of(entry, "index", -1), t = n_of(entry, "time_us", 0);
    int64_t project = n_of(entry, "project_id", 0), oid = n_of(obj, "id", 0);
    if (!action)
        return;
    v->last_us = t; /* the time of the log's last entry, in log order */
    struct vbook *b;
    if (!strcmp(action, "venue.booking.request"))
        request(v, oid, project, p, idx, rep);
    else if (!strcmp(action, "venue.booking.decide") || !strcmp(action, "venue.booking.cancel")) {
        if ((b = find(v, oid)) && s_of(p, "to"))
            snprintf(b->state, sizeof b->state, "%s", s_of(p, "to"));
    } else if (!strcmp(action, "announce.publish"))
        publish(v, project, p, idx, rep);
    else if (!strcmp(action, "venue.room.relocate")) {
        const cJSON *moves = cJSON_GetObjectItemCaseSensitive(p, "moves");
        for (const cJSON *m = cJSON_IsArray(moves) ? moves->child : NULL; m; m = m->next)
            move(v, m, n_of(m, "to_room_id", 0), idx, rep);
    } else if (!strcmp(action, "opening.start"))
        opening_start(v, project, p, t, idx, rep);
    else if (!strcmp(action, "venue.recording.register")) {
        if ((b = find(v, n_of(p, "booking_id", -1))) && b->nspans < MAX_SPANS) {
            size_t k = b->nspans++; /* kept sorted by start */
            int64_t from = n_of(p, "start_us", 0), to = n_of(p, "end_us", 0);
            while (k > 0 && b->from[k - 1] > from) {
                b->from[k] = b->from[k - 1];
                b->to[k] = b->to[k - 1];
                k--;
            }
            b->from[k] = from;
            b->to[k] = to;
        }
    } else if (!strcmp(action, "venue.recording.missing")) {
        if ((b = find(v, oid)))
            b->warned = true;
    }
}

void
vl_finish(struct venue_ledger *v, struct inv_report *rep)
{
    for (size_t i = 0; i < v->nb; i++) {
        const struct vbook *b = &v->b[i];
        if (strcmp(b->state, "approved") || b->end + WEEK_US > v->last_us || b->warned)
            continue;
        if (!spans_cover(b->start, b->end, b->from, b->to, b->nspans, GAP_US))
            inv_violate(rep, "INV-VENUE-RECORDING", -1,
                        "booking %lld (%s, room %lld) ended without a recording that covers it "
                        "and without a warning",
                        (long long)b->id, b->purpose, (long long)b->room);
    }
}
