/*
 * openings.c — what the announcement stage asks of the venues (venues.h): the place and time of
 * a lot's opening booking, which a tender announcement must promise (招标投标法 第三十四条: the
 * opening is at the bid deadline, at the place the tender documents set), and the move of the
 * opening bookings that an amendment moving the deadline makes in its own transaction. Also the
 * one way a booking takes its minutes (slots_take_or_refuse), which bookings.c, this file and
 * the relocation share.
 */
#include <stdio.h>
#include <string.h>

#include "canon.h"
#include "internal.h"
#include "util.h"

/* f: 409 VENUE-OVERLAP naming holder row 0 of h (held: its start, end, end with buffer). */
static void
overlap(const struct dbres *h, struct refusal *f, int64_t held[3])
{
    held[0] = held[1] = held[2] = 0;
    if (h->nrows == 1) {
        held[0] = dbres_i64(h, 0, BC_START);
        held[1] = dbres_i64(h, 0, BC_END);
        held[2] = held[1] + dbres_i64(h, 0, BC_BUFFER);
        char a[40], b[40], e[40];
        clock_format(held[0], a, sizeof a);
        clock_format(held[1], b, sizeof b);
        clock_format(held[2], e, sizeof e);
        refuse(f, "VENUE-OVERLAP",
               "the room is booked from %s to %s (held until %s with the setup buffer)", a, b, e);
    } else /* the holder gave its minutes back meanwhile: asking again may succeed */
        refuse(f, "VENUE-OVERLAP", "the room was being booked for that time; ask again");
    f->conflict = true;
}

enum db_status
slots_peek(struct dbconn *c, int64_t room, int64_t start_us, int64_t end_us, int64_t buffer_us,
           struct refusal *f, int64_t held[3])
{
    int64_t first, last;
    struct dbres h = {0};
    venues_rule_slots(start_us, end_us, buffer_us, &first, &last);
    enum db_status st = store_slot_holder(c, room, first, last, false, &h);
    if (st == DB_OK && h.nrows == 1) {
        overlap(&h, f, held);
        st = DB_DUPLICATE;
    }
    dbres_free(&h);
    return st;
}

enum db_status
slots_take_or_refuse(struct dbconn *c, int64_t room, int64_t booking, int64_t start_us,
                     int64_t end_us, int64_t buffer_us, struct refusal *f, int64_t held[3])
{
    int64_t first, last;
    struct dbres h = {0};
    venues_rule_slots(start_us, end_us, buffer_us, &first, &last);
    /* the keys decide between bookings under way at once (and across a cluster's nodes) */
    enum db_status st = store_slots_take(c, room, first, last, booking);
    if (st != DB_DUPLICATE)
        return st;
    if ((st = store_slot_holder(c, room, first, last, true, &h)) == DB_OK) {
        overlap(&h, f, held);
        st = DB_DUPLICATE;
    }
    dbres_free(&h);
    return st;
}

void
booking_place(const struct dbres *b, size_t i, char *out, size_t n)
{
    snprintf(out, n, "%s %s（%s）", dbres_str(b, i, BC_SITE_NAME), dbres_str(b, i, BC_ROOM_NAME),
             dbres_str(b, i, BC_ADDRESS));
}

enum db_status
venues_lot_opening(struct dbconn *c, int64_t project, int lot, struct venue_opening *o, bool *found)
{
    struct dbres b = {0};
    enum db_status st = store_lot_opening_booking(c, project, lot, &b);
    *found = st == DB_OK && b.nrows == 1;
    memset(o, 0, sizeof *o);
    if (*found) {
        o->booking_id = dbres_i64(&b, 0, BC_ID);
        o->room_id = dbres_i64(&b, 0, BC_ROOM);
        o->start_us = dbres_i64(&b, 0, BC_START);
        o->end_us = dbres_i64(&b, 0, BC_END);
        o->approved = !strcmp(dbres_str(&b, 0, BC_STATE), "approved");
        booking_place(&b, 0, o->place, sizeof o->place);
    }
    dbres_free(&b);
    return st;
}

void
booking_session(const struct dbres *b, size_t i, struct venue_session *s)
{
    memset(s, 0, sizeof *s);
    s->booking_id = dbres_i64(b, i, BC_ID);
    s->project_id = dbres_i64(b, i, BC_PROJECT);
    s->agent_org_id = dbres_i64(b, i, BC_AGENT_ORG);
    s->room_id = dbres_i64(b, i, BC_ROOM);
    s->start_us = dbres_i64(b, i, BC_START);
    s->end_us = dbres_i64(b, i, BC_END);
    s->people = dbres_i64(b, i, BC_PEOPLE);
    snprintf(s->purpose, sizeof s->purpose, "%s", dbres_str(b, i, BC_PURPOSE));
    snprintf(s->state, sizeof s->state, "%s", dbres_str(b, i, BC_STATE));
    snprintf(s->lots, sizeof s->lots, "%s", dbres_str(b, i, BC_LOTS));
    booking_place(b, i, s->place, sizeof s->place);
}

enum db_status
venues_session(struct dbconn *c, int64_t id, struct venue_session *s, bool *found)
{
    struct dbres b = {0};
    enum db_status st = store_booking(c, id, false, &b);
    *found = st == DB_OK && b.nrows == 1;
    memset(s, 0, sizeof *s);
    if (*found)
        booking_session(&b, 0, s);
    dbres_free(&b);
    return st;
}

/* Move booking row i of b (locked) to [start_us, end_us) in room (its own or another):
 * checks the room as a new booking would (kind, state, hours, capacity; a session that has begun
 * and keeps its start — running — is not "in the past"), gives back the old minutes and takes
 * the new ones. DB_OK with f->code NULL when moved; DB_OK with f set when refused. */
enum db_status
booking_move(struct dbconn *c, const struct dbres *b, size_t i, int64_t room, int64_t start_us,
             int64_t end_us, int64_t now_us, bool running, struct refusal *f)
{
    struct dbres r = {0};
    int64_t id = dbres_i64(b, i, BC_ID), held[3];
    enum db_status st = store_room(c, room, ROOM_SHARED, &r);
    memset(f, 0, sizeof *f);
    if (st != DB_OK)
        goto out;
    if (r.nrows != 1) {
        refuse(f, "VENUE-ROOM-STATE", "room %lld does not exist", (long long)room);
        goto out;
    }
    struct venue_room_facts facts = room_facts(&r, 0);
    struct venue_ask ask = {dbres_str(b, i, BC_PURPOSE), start_us, end_us,
                            dbres_i64(b, i, BC_PEOPLE)};
    *f = venues_rule_booking(&facts, &ask, running && start_us < now_us ? start_us : now_us);
    if (f->code)
        goto out;
    if ((st = store_slots_free(c, id)) != DB_OK ||
        (st = store_booking_move(c, id, room, start_us, end_us, now_us)) != DB_OK)
        goto out;
    st = slots_take_or_refuse(c, room, id, start_us, end_us, dbres_i64(b, i, BC_BUFFER), f, held);
    if (st == DB_DUPLICATE)
        st = DB_OK; /* f says it */
out:
    dbres_free(&r);
    return st;
}

enum db_status
venues_move_openings(struct dbconn *c, int64_t project, int64_t start_us, int64_t now_us,
                     struct refusal *f, cJSON **moves)
{
    struct dbres b = {0};
    memset(f, 0, sizeof *f);
    *moves = NULL;
    enum db_status st = store_project_openings(c, project, &b);
    if (st != DB_OK)
        goto out;
    *moves = cJSON_CreateArray();
    for (size_t i = 0; i < b.nrows && !f->code; i++) {
        int64_t from = dbres_i64(&b, i, BC_START), len = dbres_i64(&b, i, BC_END) - from;
        if (from == start_us)
            continue;
        if ((st = booking_move(c, &b, i, dbres_i64(&b, i, BC_ROOM), start_us, start_us + len,
                               now_us, false, f)) != DB_OK)
            goto out;
        cJSON *m = cJSON_CreateObject();
        json_add_i64(m, "booking_id", dbres_i64(&b, i, BC_ID));
        json_add_i64(m, "room_id", dbres_i64(&b, i, BC_ROOM));
        json_add_i64(m, "from_us", from);
        json_add_i64(m, "start_us", start_us);
        json_add_i64(m, "end_us", start_us + len);
        cJSON_AddItemToArray(*moves, m);
    }
out:
    if (st != DB_OK) {
        cJSON_Delete(*moves);
        *moves = NULL;
    }
    dbres_free(&b);
    return st;
}

enum db_status
venues_extend(struct dbconn *c, int64_t booking, int64_t end_us, int64_t now_us, struct refusal *f,
              cJSON **move)
{
    struct dbres b = {0};
    memset(f, 0, sizeof *f);
    *move = NULL;
    enum db_status st = store_booking(c, booking, true, &b);
    if (st != DB_OK || b.nrows != 1 || end_us <= dbres_i64(&b, 0, BC_END))
        goto out;
    int64_t start = dbres_i64(&b, 0, BC_START), from = dbres_i64(&b, 0, BC_END);
    int64_t room = dbres_i64(&b, 0, BC_ROOM), buffer = dbres_i64(&b, 0, BC_BUFFER);
    /* the minutes it would add, looked at first: a refusal here writes nothing, and the caller's
     * act goes on without the extension */
    int64_t first, last, new_first, new_last, held[3];
    venues_rule_slots(start, from, buffer, &first, &last);
    venues_rule_slots(start, end_us, buffer, &new_first, &new_last);
    struct dbres h = {0};
    if ((st = store_slot_holder(c, room, last, new_last, true, &h)) == DB_OK && h.nrows)
        overlap(&h, f, held);
    dbres_free(&h);
    if (st != DB_OK || f->code)
        goto out;
    if ((st = booking_move(c, &b, 0, room, start, end_us, now_us, true, f)) != DB_OK)
        goto out;
    if (f->code && !strcmp(f->code, "VENUE-OVERLAP")) {
        /* taken between the look and the move: the minutes were given back already, so the
         * transaction fails (the caller's act is tried again) rather than half-written */
        st = DB_ERROR;
        goto out;
    }
    if (f->code)
        goto out;
    *move = cJSON_CreateObject();
    json_add_i64(*move, "booking_id", booking);
    json_add_i64(*move, "room_id", dbres_i64(&b, 0, BC_ROOM));
    json_add_i64(*move, "from_us", start);
    json_add_i64(*move, "start_us", start);
    json_add_i64(*move, "end_us", end_us);
    json_add_i64(*move, "was_end_us", from);
out:
    dbres_free(&b);
    return st;
}

enum db_status
venues_mark_announced(struct dbconn *c, int64_t booking, int64_t announcement)
{
    return store_booking_announced(c, booking, announcement);
}
