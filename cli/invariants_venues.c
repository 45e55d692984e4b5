/*
 * invariants_venues.c — the venue ledger of the replay (see invariants.h): every booking of every
 * room rebuilt from the log alone — asked (venue.booking.request), decided or cancelled, moved by
 * an amendment (announce.publish opening_moves), by a relocation (venue.room.relocate) or
 * extended for an evaluation's more time (evaluation.act booking_moves) — with
 * the rooms each tender announcement promised for its lots' openings, the recordings each
 * recorder registered and the monitor's warnings. It checks, across projects (fed the whole log):
 *   INV-VENUE-OVERLAP    no two live bookings of a room hold the same minute (with their buffers);
 *   INV-VENUE-OPENING    a tender names an opening room per lot, booked from the lot's opening
 *                        time, and each opening starts in that room, in its booked span;
 *   INV-VENUE-RECORDING  a booking that ended a week before the log's last entry has recordings
 *                        that cover it or a warning;
 *   INV-VENUE-ATTENDEE   a bidder signs in to an opening only while its organization has a
 *                        current bid for one of the session's lots (bid.receive, not withdrawn),
 *                        an expert to an evaluation only as a confirmed member of the session's
 *                        live committee draw (draw.answer confirmed, not replaced, the draw not
 *                        cancelled or short), a tenderer user to an evaluation only as a
 *                        representative the tenderer designated for it
 *                        (evaluation.representative).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "canon.h"
#include "invariants.h"
#include "util.h"

#define WEEK_US   (INT64_C(7) * 86400 * 1000000)
#define GAP_US    (INT64_C(5) * 1000000) /* as ggzyd's monitor (modules/venues) */
#define MAX_SPANS 64

struct vbook {
    int64_t id, project, room, start, end, buffer;
    uint64_t lots; /* bit n: lot n (1–63) */
    char purpose[16], state[16];
    bool warned;
    size_t nspans;
    int64_t from[MAX_SPANS], to[MAX_SPANS];
};

struct vlot { /* the room a published announcement promised for a lot's opening */
    int64_t project, lot, booking, room, start;
};

struct vbid { /* an organization's latest bid for a lot */
    int64_t project, lot, org, bid;
    bool current;
};

struct vmember {
    char pseudonym[24];
    int64_t user;
    bool confirmed;
};

struct vdraw { /* a committee draw and the members who confirmed */
    int64_t id, booking;
    bool live;
    struct vmember *m;
    size_t nm, mcap;
};

struct venue_ledger {
    struct vbook *b;
    size_t nb, bcap;
    struct vlot *l;
    size_t nl, lcap;
    struct vbid *bids;
    size_t nbids, bidcap;
    struct vdraw *d;
    size_t nd, dcap;
    int64_t (*reps)[2]; /* [booking, user]: the tenderer's representatives designated */
    size_t nreps, repcap;
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
        free(v->bids);
        free(v->reps);
        for (size_t i = 0; i < v->nd; i++)
            free(v->d[i].m);
        free(v->d);
    }
    free(v);
}

/* An integer member, also one written as a decimal string (a lot is, in some payloads); def
 * when absent or neither. */
static int64_t
num_or_text(const cJSON *o, const char *k, int64_t def)
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
    struct vlot *l = add ? arr_push((void **)&v->l, &v->nl, &v->lcap, sizeof *v->l) : NULL;
    if (!l)
        return NULL;
    l->project = project;
    l->lot = lot;
    return l;
}

static void
request(struct venue_ledger *v, int64_t id, int64_t project, const cJSON *p, int64_t idx,
        struct inv_report *rep)
{
    struct vbook *b = arr_push((void **)&v->b, &v->nb, &v->bcap, sizeof *v->b);
    if (!b)
        return;
    b->id = id;
    b->project = project;
    b->room = num_or_text(p, "room_id", 0);
    b->start = num_or_text(p, "start_us", 0);
    b->end = num_or_text(p, "end_us", 0);
    b->buffer = num_or_text(p, "buffer_us", 0);
    const cJSON *lots = cJSON_GetObjectItemCaseSensitive(p, "lots");
    for (const cJSON *e = cJSON_IsArray(lots) ? lots->child : NULL; e; e = e->next)
        if (cJSON_IsNumber(e) && e->valuedouble >= 1 && e->valuedouble <= 63)
            b->lots |= UINT64_C(1) << (int)e->valuedouble;
    snprintf(b->purpose, sizeof b->purpose, "%s",
             json_str(p, "purpose") ? json_str(p, "purpose") : "");
    snprintf(b->state, sizeof b->state, "%s",
             json_str(p, "state") ? json_str(p, "state") : "requested");
    check_overlap(v, b, idx, rep);
}

/* A booking moved to [start, end) (and room, when > 0). */
static void
move(struct venue_ledger *v, const cJSON *m, int64_t room, int64_t idx, struct inv_report *rep)
{
    struct vbook *b = find(v, num_or_text(m, "booking_id", -1));
    if (!b) {
        inv_violate(rep, "INV-VENUE-OVERLAP", idx, "booking %lld is moved but was never booked",
                    (long long)num_or_text(m, "booking_id", -1));
        return;
    }
    if (room > 0)
        b->room = room;
    b->start = num_or_text(m, "start_us", b->start);
    b->end = num_or_text(m, "end_us", b->end);
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
    const char *type = json_str(p, "type");
    if (type && !strcmp(type, "tender") && !cJSON_IsArray(venues))
        inv_violate(rep, "INV-VENUE-OPENING", idx,
                    "a tender announcement of project %lld names no opening room",
                    (long long)project);
    for (const cJSON *e = cJSON_IsArray(venues) ? venues->child : NULL; e; e = e->next) {
        int64_t lot = num_or_text(e, "lot", -1), start = num_or_text(e, "start_us", -1);
        struct vbook *b = find(v, num_or_text(e, "booking_id", -1));
        if (!b || b->project != project || b->room != num_or_text(e, "room_id", -1) ||
            b->start != start || strcmp(b->purpose, "opening"))
            inv_violate(rep, "INV-VENUE-OPENING", idx,
                        "lot %lld's announced opening room is not a booking of it in the log",
                        (long long)lot);
        else if (strcmp(b->state, "approved"))
            inv_violate(rep, "INV-VENUE-OPENING", idx,
                        "lot %lld's announced opening booking %lld is %s, not approved",
                        (long long)lot, (long long)b->id, b->state);
        for (const cJSON *d = cJSON_IsArray(deadlines) ? deadlines->child : NULL; d; d = d->next)
            if (num_or_text(d, "lot", -2) == lot && num_or_text(d, "opening_us", -1) != start)
                inv_violate(rep, "INV-VENUE-OPENING", idx,
                            "lot %lld's opening room is booked from another time than its "
                            "announced opening",
                            (long long)lot);
        struct vlot *l = lot_of(v, project, lot, true);
        if (l) {
            l->booking = num_or_text(e, "booking_id", -1);
            l->room = num_or_text(e, "room_id", -1);
            l->start = start;
        }
    }
}

static void
opening_start(struct venue_ledger *v, int64_t project, const cJSON *p, int64_t t, int64_t idx,
              struct inv_report *rep)
{
    int64_t lot = num_or_text(p, "lot", -1);
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

/* ---- who may sign in (INV-VENUE-ATTENDEE) ---- */

static struct vbid *
bid_of(struct venue_ledger *v, int64_t project, int64_t lot, int64_t org, bool add)
{
    for (size_t i = 0; i < v->nbids; i++)
        if (v->bids[i].project == project && v->bids[i].lot == lot && v->bids[i].org == org)
            return &v->bids[i];
    struct vbid *b =
        add ? arr_push((void **)&v->bids, &v->nbids, &v->bidcap, sizeof *v->bids) : NULL;
    if (b)
        *b = (struct vbid){.project = project, .lot = lot, .org = org};
    return b;
}

static struct vdraw *
draw_of(struct venue_ledger *v, int64_t id)
{
    for (size_t i = 0; i < v->nd; i++)
        if (v->d[i].id == id)
            return &v->d[i];
    return NULL;
}

static struct vmember *
member_of(struct vdraw *d, const char *pseudonym, bool add)
{
    for (size_t i = 0; i < d->nm; i++)
        if (!strcmp(d->m[i].pseudonym, pseudonym))
            return &d->m[i];
    struct vmember *m = add ? arr_push((void **)&d->m, &d->nm, &d->mcap, sizeof *d->m) : NULL;
    if (!m)
        return NULL;
    snprintf(m->pseudonym, sizeof m->pseudonym, "%s", pseudonym);
    return m;
}

/* The draw acts that decide who sits in a session: the request names the booking, a signed
 * confirmation makes the answering expert a member, a replacement ends it, a cancelled or short
 * draw has no committee. */
static void
draw_act(struct venue_ledger *v, const char *action, const cJSON *entry, const cJSON *p,
         int64_t oid)
{
    const cJSON *actor = cJSON_GetObjectItemCaseSensitive(entry, "actor");
    struct vdraw *d = draw_of(v, num_or_text(p, "draw_id", oid));
    if (!strcmp(action, "draw.request")) {
        if (d || !(d = arr_push((void **)&v->d, &v->nd, &v->dcap, sizeof *v->d)))
            return;
        *d = (struct vdraw){.id = num_or_text(p, "draw_id", oid),
                            .booking = num_or_text(p, "booking_id", 0),
                            .live = true};
        return;
    }
    if (!d)
        return;
    const char *state = json_str(p, "state"), *ps = json_str(p, "pseudonym"),
               *ans = json_str(p, "answer");
    struct vmember *m;
    if (!strcmp(action, "draw.cancel") ||
        (state && (!strcmp(state, "cancelled") || !strcmp(state, "short"))))
        d->live = false;
    if (!strcmp(action, "draw.answer") && ps && ans && !strcmp(ans, "confirmed") &&
        (m = member_of(d, ps, true))) {
        m->user = num_or_text(actor, "user_id", 0);
        m->confirmed = true;
    } else if (!strcmp(action, "draw.replace") && ps && (m = member_of(d, ps, false)))
        m->confirmed = false;
}

static void
attendance(struct venue_ledger *v, const cJSON *entry, const cJSON *p, int64_t idx,
           struct inv_report *rep)
{
    const cJSON *actor = cJSON_GetObjectItemCaseSensitive(entry, "actor");
    const char *role = json_str(actor, "role");
    int64_t user = num_or_text(actor, "user_id", 0), org = num_or_text(actor, "org_id", 0);
    struct vbook *b = find(v, num_or_text(p, "booking_id", -1));
    bool ok = false;
    if (!role || (strcmp(role, "bidder") && strcmp(role, "expert") && strcmp(role, "tenderer")))
        return; /* the roles every session of its kind admits */
    if (b && !strcmp(role, "tenderer") && !strcmp(b->purpose, "evaluation"))
        for (size_t i = 0; i < v->nreps && !ok; i++)
            ok = v->reps[i][0] == b->id && v->reps[i][1] == user;
    if (b && !strcmp(role, "bidder") && !strcmp(b->purpose, "opening"))
        for (size_t i = 0; i < v->nbids && !ok; i++) {
            const struct vbid *x = &v->bids[i];
            ok = x->project == b->project && x->org == org && x->current && x->lot >= 1 &&
                 x->lot <= 63 && (b->lots >> x->lot & 1);
        }
    if (b && !strcmp(role, "expert"))
        for (size_t i = 0; i < v->nd && !ok; i++) {
            const struct vdraw *d = &v->d[i];
            for (size_t k = 0; d->booking == b->id && d->live && k < d->nm && !ok; k++)
                ok = d->m[k].confirmed && d->m[k].user == user;
        }
    if (!ok)
        inv_violate(rep, "INV-VENUE-ATTENDEE", idx,
                    "user %lld (%s) signed in to booking %lld, which is not theirs to attend: %s",
                    (long long)user, role, (long long)num_or_text(p, "booking_id", -1),
                    !strcmp(role, "bidder") ? "their organization has no current bid for its lots"
                    : !strcmp(role, "tenderer") ? "they are no designated representative on its "
                                                  "committee"
                                                : "they are no confirmed member of its committee");
}

void
vl_feed(struct venue_ledger *v, const cJSON *entry, struct inv_report *rep)
{
    const char *action = json_str(entry, "action");
    const cJSON *p = cJSON_GetObjectItemCaseSensitive(entry, "payload");
    const cJSON *obj = cJSON_GetObjectItemCaseSensitive(entry, "object");
    int64_t idx = num_or_text(entry, "index", -1), t = num_or_text(entry, "time_us", 0);
    int64_t project = num_or_text(entry, "project_id", 0), oid = num_or_text(obj, "id", 0);
    if (!action)
        return;
    v->last_us = t; /* the time of the log's last entry, in log order */
    struct vbook *b;
    if (!strcmp(action, "venue.booking.request"))
        request(v, oid, project, p, idx, rep);
    else if (!strcmp(action, "venue.booking.decide") || !strcmp(action, "venue.booking.cancel")) {
        if ((b = find(v, oid)) && json_str(p, "to"))
            snprintf(b->state, sizeof b->state, "%s", json_str(p, "to"));
    } else if (!strcmp(action, "announce.publish"))
        publish(v, project, p, idx, rep);
    else if (!strcmp(action, "venue.room.relocate")) {
        const cJSON *moves = cJSON_GetObjectItemCaseSensitive(p, "moves");
        for (const cJSON *m = cJSON_IsArray(moves) ? moves->child : NULL; m; m = m->next)
            move(v, m, num_or_text(m, "to_room_id", 0), idx, rep);
    } else if (!strcmp(action, "evaluation.representative")) {
        int64_t(*r)[2] = arr_push((void **)&v->reps, &v->nreps, &v->repcap, sizeof *v->reps);
        if (r) {
            (*r)[0] = num_or_text(p, "booking_id", -1);
            (*r)[1] = num_or_text(p, "representative_user_id", -1);
        }
    } else if (!strcmp(action, "evaluation.act")) { /* more time: the room's booking extended */
        const cJSON *moves = cJSON_GetObjectItemCaseSensitive(p, "booking_moves");
        for (const cJSON *m = cJSON_IsArray(moves) ? moves->child : NULL; m; m = m->next)
            move(v, m, 0, idx, rep);
    } else if (!strcmp(action, "opening.start"))
        opening_start(v, project, p, t, idx, rep);
    else if (!strcmp(action, "venue.recording.register")) {
        if ((b = find(v, num_or_text(p, "booking_id", -1))) && b->nspans < MAX_SPANS) {
            size_t k = b->nspans++; /* kept sorted by start */
            int64_t from = num_or_text(p, "start_us", 0), to = num_or_text(p, "end_us", 0);
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
    } else if (!strcmp(action, "venue.attendance"))
        attendance(v, entry, p, idx, rep);
    else if (!strcmp(action, "bid.receive")) {
        struct vbid *x = bid_of(v, project, num_or_text(p, "lot", -1),
                                num_or_text(p, "bidder_org_id", -1), true);
        if (x) {
            x->bid = num_or_text(p, "bid_id", oid);
            x->current = true;
        }
    } else if (!strcmp(action, "bid.withdraw")) {
        for (size_t i = 0; i < v->nbids; i++)
            if (v->bids[i].bid == num_or_text(p, "bid_id", oid))
                v->bids[i].current = false;
    } else if (!strncmp(action, "draw.", 5))
        draw_act(v, action, entry, p, oid);
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
