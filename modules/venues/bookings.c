/*
 * bookings.c — an agent books a room for its project: the opening of one or more lots, or an
 * evaluation (or negotiation) session. Each booking holds its room's minutes from its start to
 * its end plus the setup buffer (store_slots_take), so a second booking of any of them fails
 * as a duplicate key and is answered 409 VENUE-OVERLAP naming the holder's span, never its
 * project. Staff approve or refuse a request (or the configured policy approves it at once);
 * the agent or staff cancel one before it begins. Each change is one req_tx with its entry.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "canon.h"
#include "entry/entry.h"
#include "internal.h"
#include "util.h"

#define MAX_BOOKED_LOTS 50

struct booking_ctx {
    struct booking_in in;
    int lots[MAX_BOOKED_LOTS];
    int nlots;
};

/* 409 VENUE-OVERLAP: the span the holder keeps (with its buffer), not whose it is. */
static void
refuse_overlap(struct req *r, const struct refusal *f, const int64_t held[3])
{
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "rule", f->code);
    if (held[0] || held[1]) {
        json_add_i64(d, "held_from_us", held[0]);
        json_add_i64(d, "held_until_us", held[2]);
        json_add_i64(d, "booked_until_us", held[1]);
    }
    req_error_x(r, E_CONFLICT, d, "%s", f->why);
}

/* The lots exist in the project; for an evaluation, each one's opening session is over by the
 * start. */
static enum tx_result
check_lots(struct dbconn *c, struct req *r, struct booking_ctx *x)
{
    struct dbres lots = {0}, o = {0};
    enum tx_result t = TX_DBFAIL;
    if (entry_lots(c, x->in.project, &lots) != DB_OK)
        goto out;
    t = TX_REFUSE;
    for (int i = 0; i < x->nlots; i++) {
        bool found = false;
        for (size_t k = 0; k < lots.nrows && !found; k++)
            found = dbres_i64(&lots, k, LC_SEQ) == x->lots[i];
        if (!found) {
            req_rule(r, "VENUE-LOTS", "the project has no lot %d", x->lots[i]);
            goto out;
        }
        if (!strcmp(x->in.purpose, "evaluation")) {
            dbres_free(&o);
            if (store_lot_opening_booking(c, x->in.project, x->lots[i], &o) != DB_OK) {
                t = TX_DBFAIL;
                goto out;
            }
            struct refusal f = venues_rule_after_opening(
                x->in.start_us, o.nrows == 1 ? dbres_i64(&o, 0, BC_END) : 0, x->lots[i]);
            if (f.code) {
                req_refusal(r, &f);
                goto out;
            }
        }
    }
    t = TX_COMMIT;
out:
    dbres_free(&lots);
    dbres_free(&o);
    return t;
}

static cJSON *
booking_payload(const struct booking_ctx *x)
{
    cJSON *p = cJSON_CreateObject();
    json_add_i64(p, "room_id", x->in.room);
    cJSON_AddStringToObject(p, "purpose", x->in.purpose);
    cJSON *lots = cJSON_AddArrayToObject(p, "lots");
    for (int i = 0; i < x->nlots; i++) {
        char lit[24];
        i64_format(x->lots[i], lit);
        cJSON_AddItemToArray(lots, cJSON_CreateRaw(lit));
    }
    json_add_i64(p, "start_us", x->in.start_us);
    json_add_i64(p, "end_us", x->in.end_us);
    json_add_i64(p, "buffer_us", x->in.buffer_us);
    json_add_i64(p, "people", x->in.people);
    cJSON_AddStringToObject(p, "state", x->in.state);
    return p;
}

static bool
reply_booking(struct dbconn *c, struct req *r, int64_t id, unsigned status)
{
    struct dbres b = {0};
    bool ok = store_booking(c, id, false, &b) == DB_OK && b.nrows == 1;
    if (ok)
        req_json(r, status, booking_json(&b, 0));
    dbres_free(&b);
    return ok;
}

static enum tx_result
booking_tx(struct dbconn *c, struct req *r, void *arg)
{
    struct booking_ctx *x = arg;
    struct project_view p;
    struct dbres room = {0};
    bool found;
    int64_t id, now = clock_now_us();
    enum tx_result t = TX_DBFAIL;
    if (entry_project(c, x->in.project, false, &p, &found) != DB_OK)
        goto out;
    t = TX_REFUSE;
    if (!found || p.agent_org_id != r->who.org_id) {
        req_error(r, E_NOT_FOUND, "no project %lld of yours", (long long)x->in.project);
        goto out;
    }
    struct refusal f = venues_rule_project_state(x->in.purpose, p.state);
    if (f.code) {
        req_refusal(r, &f);
        goto out;
    }
    t = TX_DBFAIL;
    if (store_room(c, x->in.room, ROOM_SHARED, &room) != DB_OK)
        goto out;
    t = TX_REFUSE;
    if (room.nrows != 1) {
        req_error(r, E_NOT_FOUND, "no room %lld", (long long)x->in.room);
        goto out;
    }
    struct venue_room_facts facts = room_facts(&room, 0);
    struct venue_ask ask = {x->in.purpose, x->in.start_us, x->in.end_us, x->in.people};
    f = venues_rule_booking(&facts, &ask, now);
    if (f.code) {
        req_refusal(r, &f);
        goto out;
    }
    if ((t = check_lots(c, r, x)) != TX_COMMIT)
        goto out;
    t = TX_DBFAIL;
    x->in.agent_org = r->who.org_id;
    x->in.user = r->who.user_id;
    x->in.buffer_us = venues_conf.buffer_minutes * VENUES_MINUTE_US;
    x->in.state = !strcmp(venues_conf.approval, "auto") ? "approved" : "requested";
    int64_t held[3];
    enum db_status st =
        slots_peek(c, x->in.room, x->in.start_us, x->in.end_us, x->in.buffer_us, &f, held);
    if (st == DB_DUPLICATE) {
        refuse_overlap(r, &f, held);
        t = TX_REFUSE;
        goto out;
    }
    if (st != DB_OK || store_booking_insert(c, &x->in, now, &id) != DB_OK)
        goto out;
    st = slots_take_or_refuse(c, x->in.room, id, x->in.start_us, x->in.end_us, x->in.buffer_us, &f,
                              held);
    if (st == DB_DUPLICATE) {
        refuse_overlap(r, &f, held);
        t = TX_REFUSE;
        goto out;
    }
    if (st != DB_OK)
        goto out;
    for (int i = 0; !strcmp(x->in.purpose, "opening") && i < x->nlots; i++) {
        st = store_opening_lot_take(c, x->in.project, x->lots[i], id);
        if (st == DB_DUPLICATE) {
            req_rule_as(r, E_CONFLICT, "VENUE-LOT-BOOKED",
                        "lot %d has an opening booked already: cancel or move that one",
                        x->lots[i]);
            t = TX_REFUSE;
            goto out;
        }
        if (st != DB_OK)
            goto out;
    }
    if (audit_append(c, req_actor(r), "venue.booking.request", "booking", id, x->in.project,
                     booking_payload(x), NULL) != DB_OK ||
        !reply_booking(c, r, id, 201))
        goto out;
    t = TX_COMMIT;
out:
    dbres_free(&room);
    return t;
}

void
booking_create(struct req *r, const cJSON *body)
{
    struct booking_ctx x = {0};
    x.in.room = json_i64(body, "room_id", 0);
    x.in.project = json_i64(body, "project_id", 0);
    x.in.purpose = json_str(body, "purpose");
    x.in.start_us = json_i64(body, "start_us", 0);
    x.in.end_us = json_i64(body, "end_us", 0);
    x.in.people = json_i64(body, "people", 0);
    const cJSON *lots = cJSON_GetObjectItemCaseSensitive(body, "lots");
    size_t n = 0;
    for (const cJSON *it = lots->child; it; it = it->next) {
        if (!cJSON_IsNumber(it) || it->valuedouble < 1 || it->valuedouble > 1000 ||
            it->valuedouble != (double)(int)it->valuedouble || x.nlots >= MAX_BOOKED_LOTS) {
            req_field_error(r, E_INVALID_FIELD, "lots", "lots is a list of lot numbers (1, 2, …)");
            return;
        }
        for (int k = 0; k < x.nlots; k++)
            if (x.lots[k] == (int)it->valuedouble) {
                req_field_error(r, E_INVALID_FIELD, "lots", "a lot is named twice");
                return;
            }
        x.lots[x.nlots++] = (int)it->valuedouble;
        n += (size_t)snprintf(x.in.lots + n, sizeof x.in.lots - n, "%s%d", n ? "," : "",
                              (int)it->valuedouble);
    }
    req_tx(r, booking_tx, &x);
}

/* Load a booking the caller may see (staff, supervisors, the organization that asked); 404
 * otherwise. */
static bool
load_visible(struct req *r, struct dbconn *c, int64_t id, bool lock, struct dbres *b,
             enum tx_result *t)
{
    if (store_booking(c, id, lock, b) != DB_OK) {
        *t = TX_DBFAIL;
        return false;
    }
    if (b->nrows != 1 || (!(r->who.role & (ROLE_CENTER_ADMIN | ROLE_SUPERVISOR)) &&
                          dbres_i64(b, 0, BC_AGENT_ORG) != r->who.org_id)) {
        req_error(r, E_NOT_FOUND, "no booking %lld", (long long)id);
        *t = TX_REFUSE;
        return false;
    }
    return true;
}

void
booking_get(struct req *r, const cJSON *body)
{
    (void)body;
    int64_t id;
    struct dbres b = {0};
    enum tx_result t;
    struct dbconn *c = req_db_for(r, "id", &id);
    if (!c)
        return;
    if (load_visible(r, c, id, false, &b, &t))
        req_json(r, 200, booking_json(&b, 0));
    else if (t == TX_DBFAIL)
        req_db_fail(r, c, DB_ERROR);
    dbres_free(&b);
}

static cJSON *
booking_row(void *ctx, const struct dbres *s, size_t i)
{
    (void)ctx;
    return booking_json(s, i);
}

void
booking_list(struct req *r, const cJSON *body)
{
    (void)body;
    int64_t project, after, limit;
    const char *ps = req_query(r, "project");
    if (!ps || !parse_i64(ps, 1, INT64_MAX, &project)) {
        req_error(r, E_BAD_REQUEST, "the list needs ?project=<id>");
        return;
    }
    struct dbconn *c = req_db(r);
    struct dbres b = {0};
    if (!c || !req_page(r, &after, &limit, 50, 200))
        return;
    int64_t org = r->who.role & (ROLE_CENTER_ADMIN | ROLE_SUPERVISOR) ? 0 : r->who.org_id;
    enum db_status st = store_bookings_of_project(c, project, org, after, limit, &b);
    if (st != DB_OK)
        req_db_fail(r, c, st);
    else
        req_page_reply(r, &b, limit, "after", BC_ID, booking_row, NULL);
    dbres_free(&b);
}

/* ---- decisions and cancellations ---- */

struct decide_ctx {
    int64_t id;
    bool approve, cancel;
    const char *reason;
};

static enum tx_result
decide_tx(struct dbconn *c, struct req *r, void *arg)
{
    struct decide_ctx *x = arg;
    struct dbres b = {0};
    enum tx_result t;
    int64_t now = clock_now_us();
    if (!load_visible(r, c, x->id, true, &b, &t))
        goto out;
    t = TX_REFUSE;
    const char *from = dbres_str(&b, 0, BC_STATE);
    const char *to = x->cancel ? "cancelled" : x->approve ? "approved" : "refused";
    bool live = !strcmp(from, "requested") || (x->cancel && !strcmp(from, "approved"));
    if (!live) {
        req_transition_refused(r, from, to, "the booking is %s", from);
        goto out;
    }
    if (x->cancel && dbres_str(&b, 0, BC_ANNOUNCED)) {
        req_rule_as(r, E_CONFLICT, "VENUE-ANNOUNCED",
                    "announcement %lld states this opening room: it moves with an amendment of the "
                    "deadline, or the center relocates it (with the change notice); it is not "
                    "cancelled",
                    (long long)dbres_i64(&b, 0, BC_ANNOUNCED));
        goto out;
    }
    if (x->cancel && dbres_i64(&b, 0, BC_START) <= now) {
        req_rule_as(r, E_CONFLICT, "VENUE-STARTED",
                    "the booking has begun: what happened in the room stays on record");
        goto out;
    }
    t = TX_DBFAIL;
    cJSON *p = cJSON_CreateObject();
    json_add_i64(p, "room_id", dbres_i64(&b, 0, BC_ROOM));
    cJSON_AddStringToObject(p, "from", from);
    cJSON_AddStringToObject(p, "to", to);
    if (x->reason)
        cJSON_AddStringToObject(p, "reason", x->reason);
    enum db_status st = x->cancel
                            ? store_booking_cancel(c, x->id, x->reason, now)
                            : store_booking_decide(c, x->id, to, x->reason, r->who.user_id, now);
    if (st != DB_OK || (strcmp(to, "approved") && store_booking_release(c, x->id) != DB_OK) ||
        audit_append(c, req_actor(r), x->cancel ? "venue.booking.cancel" : "venue.booking.decide",
                     "booking", x->id, dbres_i64(&b, 0, BC_PROJECT), p, NULL) != DB_OK ||
        !reply_booking(c, r, x->id, 200)) {
        goto out;
    }
    t = TX_COMMIT;
out:
    dbres_free(&b);
    return t;
}

void
booking_decide(struct req *r, const cJSON *body)
{
    struct decide_ctx x = {0, json_bool(body, "approve", false), false, json_str(body, "reason")};
    if (!req_param_id(r, "id", &x.id))
        return;
    if (!x.approve && !x.reason) {
        req_field_error(r, E_MISSING_FIELD, "reason", "a refusal needs a reason");
        return;
    }
    req_tx(r, decide_tx, &x);
}

void
booking_cancel(struct req *r, const cJSON *body)
{
    struct decide_ctx x = {0, false, true, json_str(body, "reason")};
    if (!req_param_id(r, "id", &x.id))
        return;
    req_tx(r, decide_tx, &x);
}
