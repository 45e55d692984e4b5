/*
 * relocate.c — a room breaks down: center staff relocate its bookings still to come to
 * equivalent free rooms (same kind, open, seating the booking's people; the same site's first) in
 * one action, one transaction, one audit entry. Either every booking finds a room or nothing
 * moves (409 VENUE-NO-ROOM names the booking left over). The room goes under maintenance. A
 * booking under way stays (what happens in the room is on record). Where an opening's place
 * changes on a published tender, the announce stage drafts the change notice for the agent
 * (venues_set_on_relocated) in the same transaction; the answer and the entry name the drafts.
 * Everyone the move affects is told in the same transaction: the booking's agency here, and
 * whom later stages bind to the session (venues_add_on_moved: an opening's bidders, an
 * evaluation's drawn experts, whose assignment then names the new room).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accounts/accounts.h"
#include "audit.h"
#include "calendar.h"
#include "canon.h"
#include "internal.h"
#include "outbox/outbox.h"
#include "util.h"

static enum db_status
no_draft(struct dbconn *c, int64_t project, int64_t user, const char *old_place,
         const char *new_place, int64_t now_us, int64_t *draft)
{
    (void)c, (void)project, (void)user, (void)old_place, (void)new_place, (void)now_us;
    *draft = 0;
    return DB_OK;
}

static venues_relocated_fn on_relocated = no_draft;

static venues_moved_fn on_moved[8];
static size_t n_moved;

void
venues_add_on_moved(venues_moved_fn fn)
{
    if (fn && n_moved < ARRAY_LEN(on_moved))
        on_moved[n_moved++] = fn;
}

/* Tell everyone booking was affects that it moved to now_at: the booking's agency here, then
 * whom each later stage keeps bound to the session (venues_add_on_moved). */
static enum db_status
tell_moved(struct dbconn *c, const struct venue_session *was, const struct venue_session *now_at,
           const char *reason, int64_t now)
{
    char org[24], from[40], subject[200], body[2400];
    enum db_status st;
    snprintf(org, sizeof org, "[%lld]", (long long)was->agent_org_id);
    char *ids = accounts_members_of(c, org, &st);
    if (!ids)
        return st;
    cal_format_minute(was->start_us, from);
    snprintf(subject, sizeof subject, "场地变更：预约 %lld", (long long)was->booking_id);
    snprintf(body, sizeof body,
             "The %s session of project %lld (lots %s) at %s (UTC+8) moves from %s to %s: %s. %s",
             was->purpose, (long long)was->project_id, was->lots, from, was->place, now_at->place,
             reason,
             strcmp(was->purpose, "opening")
                 ? "The drawn experts are told by the platform."
                 : "Where the tender was published, a change notice (变更公告) is drafted for "
                   "you: publish it.");
    struct outbox_msg m = {.kind = "venue.booking.moved",
                           .subject = subject,
                           .body = body,
                           .ref_type = "booking",
                           .ref_id = was->booking_id};
    st = outbox_send_each(c, ids, &m, now);
    free(ids);
    for (size_t i = 0; st == DB_OK && i < n_moved; i++)
        st = on_moved[i](c, was, now_at, reason, now);
    return st;
}

void
venues_set_on_relocated(venues_relocated_fn fn)
{
    on_relocated = fn ? fn : no_draft;
}

struct relocate_ctx {
    int64_t id;
    const char *reason;
};

/* Move booking row i of b to the first free room like its own; *moved false when none is. */
static enum db_status
move_somewhere(struct dbconn *c, const struct dbres *b, size_t i, const struct dbres *room,
               int64_t now, bool *moved, struct dbres *to)
{
    struct dbres like = {0};
    struct refusal f;
    *moved = false;
    enum db_status st =
        store_rooms_like(c, dbres_i64(room, 0, RC_ID), dbres_i64(room, 0, RC_SITE),
                         dbres_str(room, 0, RC_KIND), dbres_i64(b, i, BC_PEOPLE), &like);
    for (size_t k = 0; st == DB_OK && k < like.nrows && !*moved; k++) {
        st = booking_move(c, b, i, dbres_i64(&like, k, RC_ID), dbres_i64(b, i, BC_START),
                          dbres_i64(b, i, BC_END), now, false, &f);
        *moved = st == DB_OK && !f.code;
    }
    if (*moved)
        st = store_booking(c, dbres_i64(b, i, BC_ID), false, to);
    dbres_free(&like);
    return st;
}

static enum tx_result
relocate_tx(struct dbconn *c, struct req *r, void *arg)
{
    struct relocate_ctx *x = arg;
    struct dbres room = {0}, b = {0}, to = {0};
    int64_t now = clock_now_us();
    enum tx_result t = TX_DBFAIL;
    cJSON *p = cJSON_CreateObject(), *moves = NULL, *stay = NULL, *drafts = NULL;
    if (store_room(c, x->id, ROOM_EXCLUSIVE, &room) != DB_OK)
        goto out;
    t = TX_REFUSE;
    if (room.nrows != 1) {
        req_error(r, E_NOT_FOUND, "no room %lld", (long long)x->id);
        goto out;
    }
    if (!strcmp(dbres_str(&room, 0, RC_STATE), "retired")) {
        req_transition_refused(r, "retired", "maintenance", "the room is retired");
        goto out;
    }
    t = TX_DBFAIL;
    if (store_bookings_live_after(c, x->id, now, &b) != DB_OK)
        goto out;
    json_add_i64(p, "room_id", x->id);
    cJSON_AddStringToObject(p, "from", dbres_str(&room, 0, RC_STATE));
    cJSON_AddStringToObject(p, "reason", x->reason);
    moves = cJSON_AddArrayToObject(p, "moves");
    stay = cJSON_AddArrayToObject(p, "under_way");
    drafts = cJSON_AddArrayToObject(p, "drafted");
    for (size_t i = 0; i < b.nrows; i++) {
        int64_t id = dbres_i64(&b, i, BC_ID), project = dbres_i64(&b, i, BC_PROJECT);
        if (dbres_i64(&b, i, BC_START) <= now) {
            cJSON *o = cJSON_CreateObject();
            json_add_i64(o, "booking_id", id);
            cJSON_AddItemToArray(stay, o);
            continue;
        }
        bool moved;
        dbres_free(&to);
        if (move_somewhere(c, &b, i, &room, now, &moved, &to) != DB_OK)
            goto out;
        if (!moved || to.nrows != 1) {
            char a[40], e[40];
            clock_format(dbres_i64(&b, i, BC_START), a, sizeof a);
            clock_format(dbres_i64(&b, i, BC_END), e, sizeof e);
            cJSON *d = cJSON_CreateObject();
            cJSON_AddStringToObject(d, "rule", "VENUE-NO-ROOM");
            json_add_i64(d, "booking_id", id);
            req_error_x(r, E_CONFLICT, d,
                        "no equivalent room is free for booking %lld (%s to %s): nothing was "
                        "moved",
                        (long long)id, a, e);
            t = TX_REFUSE;
            goto out;
        }
        cJSON *o = cJSON_CreateObject();
        json_add_i64(o, "booking_id", id);
        json_add_i64(o, "project_id", project);
        cJSON_AddStringToObject(o, "purpose", dbres_str(&b, i, BC_PURPOSE));
        json_add_i64(o, "to_room_id", dbres_i64(&to, 0, BC_ROOM));
        json_add_i64(o, "start_us", dbres_i64(&b, i, BC_START));
        json_add_i64(o, "end_us", dbres_i64(&b, i, BC_END));
        cJSON_AddItemToArray(moves, o);
        struct venue_session before, after;
        booking_session(&b, i, &before);
        booking_session(&to, 0, &after);
        if (tell_moved(c, &before, &after, x->reason, now) != DB_OK)
            goto out;
        if (!strcmp(dbres_str(&b, i, BC_PURPOSE), "opening")) {
            char was[3000], now_at[3000];
            int64_t draft = 0;
            booking_place(&b, i, was, sizeof was);
            booking_place(&to, 0, now_at, sizeof now_at);
            if (on_relocated(c, project, r->who.user_id, was, now_at, now, &draft) != DB_OK)
                goto out;
            if (draft) {
                cJSON *d = cJSON_CreateObject();
                json_add_i64(d, "project_id", project);
                json_add_i64(d, "announcement_id", draft);
                cJSON_AddStringToObject(d, "opening_place", now_at);
                cJSON_AddItemToArray(drafts, d);
            }
        }
    }
    t = TX_DBFAIL;
    if (strcmp(dbres_str(&room, 0, RC_STATE), "maintenance") &&
        store_room_set_state(c, x->id, "maintenance", x->reason, now) != DB_OK)
        goto out;
    cJSON *answer = cJSON_Duplicate(p, true);
    if (audit_append(c, req_actor(r), "venue.room.relocate", "room", x->id, 0, p, NULL) != DB_OK) {
        p = NULL;
        cJSON_Delete(answer);
        goto out;
    }
    p = NULL; /* consumed */
    req_json(r, 200, answer);
    t = TX_COMMIT;
out:
    cJSON_Delete(p);
    dbres_free(&room);
    dbres_free(&b);
    dbres_free(&to);
    return t;
}

void
room_relocate(struct req *r, const cJSON *body)
{
    struct relocate_ctx x = {0, json_str(body, "reason")};
    if (req_param_id(r, "id", &x.id))
        req_tx(r, relocate_tx, &x);
}
