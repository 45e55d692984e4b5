/*
 * rooms.c — the center's sites and rooms: registered by center staff, read by anyone (where the
 * center is and what its rooms are is public), a room's state moved by staff (open, under
 * maintenance, retired — never retired while it has bookings to come), and the public calendar
 * of a site's day, which shows an evaluation room only as occupied.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accounts/accounts.h"
#include "audit.h"
#include "canon.h"
#include "internal.h"
#include "util.h"

/* ---- sites ---- */

struct site_ctx {
    const char *name, *address, *region;
};

static enum tx_result
site_tx(struct dbconn *c, struct req *r, void *arg)
{
    struct site_ctx *x = arg;
    int64_t id, now = clock_now_us();
    struct dbres s = {0};
    enum db_status st =
        store_site_insert(c, x->name, x->address, x->region, r->who.user_id, now, &id);
    if (st == DB_DUPLICATE) {
        req_error(r, E_CONFLICT, "a site named %s exists already", x->name);
        return TX_REFUSE;
    }
    cJSON *p = cJSON_CreateObject();
    cJSON_AddStringToObject(p, "name", x->name);
    cJSON_AddStringToObject(p, "address", x->address);
    cJSON_AddStringToObject(p, "region", x->region);
    if (st != DB_OK ||
        audit_append(c, req_actor(r), "venue.site.create", "site", id, 0, p, NULL) != DB_OK ||
        store_site(c, id, &s) != DB_OK || s.nrows != 1) {
        dbres_free(&s);
        return TX_DBFAIL;
    }
    req_json(r, 201, site_json(&s, 0));
    dbres_free(&s);
    return TX_COMMIT;
}

void
site_create(struct req *r, const cJSON *body)
{
    struct site_ctx x = {json_str(body, "name"), json_str(body, "address"),
                         json_str(body, "region")};
    if (!accounts_rule_region_ok(x.region)) {
        req_field_error(r, E_INVALID_FIELD, "region",
                        "region must be a six-digit administrative division code");
        return;
    }
    req_tx(r, site_tx, &x);
}

static cJSON *
site_row(void *ctx, const struct dbres *s, size_t i)
{
    (void)ctx;
    return site_json(s, i);
}

void
venues_page(struct req *r, venues_page_fn fn, size_t id_col,
            cJSON *(*row)(void *ctx, const struct dbres *s, size_t i))
{
    int64_t after, limit;
    struct dbres s = {0};
    struct dbconn *c = req_db(r);
    if (!c || !req_page(r, &after, &limit, 50, 200))
        return;
    enum db_status st = fn(c, after, limit, &s);
    if (st != DB_OK)
        req_db_fail(r, c, st);
    else
        req_page_reply(r, &s, limit, "after", id_col, row, NULL);
    dbres_free(&s);
}

void
site_list(struct req *r, const cJSON *body)
{
    (void)body;
    venues_page(r, store_sites, SC_ID, site_row);
}

/* ---- rooms ---- */

struct room_ctx {
    int64_t site, capacity;
    const char *name, *kind, *region;
    char equipment[200];
    int opens, closes;
};

static enum tx_result
room_tx(struct dbconn *c, struct req *r, void *arg)
{
    struct room_ctx *x = arg;
    struct dbres s = {0};
    int64_t id, now = clock_now_us();
    if (store_site(c, x->site, &s) != DB_OK)
        goto dbfail;
    if (s.nrows != 1) {
        req_error(r, E_NOT_FOUND, "no site %lld", (long long)x->site);
        dbres_free(&s);
        return TX_REFUSE;
    }
    dbres_free(&s);
    enum db_status st = store_room_insert(c, x->site, x->name, x->kind, x->region, x->capacity,
                                          x->equipment, x->opens, x->closes, now, &id);
    if (st == DB_DUPLICATE) {
        req_error(r, E_CONFLICT, "the site has a room named %s already", x->name);
        return TX_REFUSE;
    }
    cJSON *p = cJSON_CreateObject();
    json_add_i64(p, "site_id", x->site);
    cJSON_AddStringToObject(p, "name", x->name);
    cJSON_AddStringToObject(p, "kind", x->kind);
    json_add_i64(p, "capacity", x->capacity);
    json_add_i64(p, "opens_min", x->opens);
    json_add_i64(p, "closes_min", x->closes);
    if (st != DB_OK ||
        audit_append(c, req_actor(r), "venue.room.create", "room", id, 0, p, NULL) != DB_OK ||
        store_room(c, id, ROOM_READ, &s) != DB_OK || s.nrows != 1)
        goto dbfail;
    req_json(r, 201, room_json(&s, 0));
    dbres_free(&s);
    return TX_COMMIT;
dbfail:
    dbres_free(&s);
    return TX_DBFAIL;
}

/* "HH:MM" (00:00 to 24:00) as minutes after midnight; -1 when it is not such a time. */
static int
parse_hhmm(const char *s)
{
    int h, m;
    char tail;
    if (!s || strlen(s) != 5 || s[2] != ':' || sscanf(s, "%2d:%2d%c", &h, &m, &tail) != 2 ||
        h < 0 || m < 0 || m > 59 || h > 24 || (h == 24 && m != 0))
        return -1;
    return h * 60 + m;
}

static bool
in_list(const char *const *list, const char *v)
{
    for (size_t i = 0; list[i]; i++)
        if (!strcmp(list[i], v))
            return true;
    return false;
}

void
room_create(struct req *r, const cJSON *body)
{
    struct room_ctx x = {0};
    if (!req_param_id(r, "id", &x.site))
        return;
    x.name = json_str(body, "name");
    x.kind = json_str(body, "kind");
    x.region = json_str(body, "region");
    x.capacity = json_i64(body, "capacity", 0);
    x.opens = parse_hhmm(json_str(body, "opens"));
    x.closes = parse_hhmm(json_str(body, "closes"));
    bool remote = !strcmp(x.kind, "remote_main") || !strcmp(x.kind, "remote_guest");
    if (remote != (x.region != NULL) || (x.region && !accounts_rule_region_ok(x.region))) {
        req_field_error(r, E_INVALID_FIELD, "region",
                        "a remote evaluation venue (remote_main, remote_guest) names the "
                        "six-digit region it serves; other rooms have none");
        return;
    }
    if (x.opens < 0 || x.closes < 0) {
        req_field_error(r, E_INVALID_FIELD, x.opens < 0 ? "opens" : "closes",
                        "opening hours are HH:MM, 00:00 to 24:00");
        return;
    }
    struct refusal f = venues_rule_hours(x.opens, x.closes);
    if (f.code) {
        req_refusal(r, &f);
        return;
    }
    const cJSON *eq = cJSON_GetObjectItemCaseSensitive(body, "equipment");
    size_t n = 0;
    for (const cJSON *it = eq ? eq->child : NULL; it; it = it->next) {
        if (!cJSON_IsString(it) || !in_list(venues_equipment, it->valuestring)) {
            req_field_error(r, E_INVALID_FIELD, "equipment",
                            "equipment is a list of: recording, screens, "
                            "isolated_network, document_cabinets");
            return;
        }
        if (strstr(x.equipment, it->valuestring))
            continue; /* said twice */
        n += (size_t)snprintf(x.equipment + n, sizeof x.equipment - n, "%s%s", n ? "," : "",
                              it->valuestring);
    }
    req_tx(r, room_tx, &x);
}

void
room_get(struct req *r, const cJSON *body)
{
    (void)body;
    int64_t id;
    struct dbres s = {0};
    struct dbconn *c = req_db_for(r, "id", &id);
    if (!c)
        return;
    enum db_status st = store_room(c, id, ROOM_READ, &s);
    if (st != DB_OK)
        req_db_fail(r, c, st);
    else if (s.nrows != 1)
        req_error(r, E_NOT_FOUND, "no room %lld", (long long)id);
    else
        req_json(r, 200, room_json(&s, 0));
    dbres_free(&s);
}

struct state_ctx {
    int64_t id;
    const char *to, *reason;
};

/* 409 VENUE-ROOM-BOOKED naming the bookings still to come (their ids and spans only). */
static void
refuse_booked(struct req *r, const struct dbres *b)
{
    cJSON *d = cJSON_CreateObject(), *list = cJSON_AddArrayToObject(d, "bookings");
    char ids[300] = "";
    size_t n = 0;
    cJSON_AddStringToObject(d, "rule", "VENUE-ROOM-BOOKED");
    for (size_t i = 0; i < b->nrows; i++) {
        cJSON *o = cJSON_CreateObject();
        json_add_i64(o, "id", dbres_i64(b, i, BC_ID));
        json_add_i64(o, "start_us", dbres_i64(b, i, BC_START));
        json_add_i64(o, "end_us", dbres_i64(b, i, BC_END));
        cJSON_AddItemToArray(list, o);
        if (n < sizeof ids - 32)
            n += (size_t)snprintf(ids + n, sizeof ids - n, "%s%lld", i ? ", " : "",
                                  (long long)dbres_i64(b, i, BC_ID));
    }
    req_error_x(r, E_CONFLICT, d,
                "the room has %zu booking(s) to come (%s): relocate or cancel them before "
                "retiring it",
                b->nrows, ids);
}

static enum tx_result
state_tx(struct dbconn *c, struct req *r, void *arg)
{
    struct state_ctx *x = arg;
    struct dbres s = {0}, b = {0};
    int64_t now = clock_now_us();
    enum tx_result t = TX_DBFAIL;
    if (store_room(c, x->id, ROOM_EXCLUSIVE, &s) != DB_OK)
        goto out;
    t = TX_REFUSE;
    if (s.nrows != 1) {
        req_error(r, E_NOT_FOUND, "no room %lld", (long long)x->id);
        goto out;
    }
    const char *from = dbres_str(&s, 0, RC_STATE);
    if (!strcmp(from, "retired") || !strcmp(from, x->to)) {
        req_transition_refused(r, from, x->to, "the room is %s", from);
        goto out;
    }
    if (!strcmp(x->to, "retired")) {
        t = TX_DBFAIL;
        if (store_bookings_live_after(c, x->id, now, &b) != DB_OK)
            goto out;
        t = TX_REFUSE;
        if (b.nrows > 0) {
            refuse_booked(r, &b);
            goto out;
        }
    }
    t = TX_DBFAIL;
    cJSON *p = cJSON_CreateObject();
    cJSON_AddStringToObject(p, "from", from);
    cJSON_AddStringToObject(p, "to", x->to);
    if (x->reason)
        cJSON_AddStringToObject(p, "reason", x->reason);
    if (store_room_set_state(c, x->id, x->to, x->reason, now) != DB_OK ||
        audit_append(c, req_actor(r), "venue.room.state", "room", x->id, 0, p, NULL) != DB_OK)
        goto out;
    dbres_free(&s);
    if (store_room(c, x->id, ROOM_READ, &s) != DB_OK || s.nrows != 1)
        goto out;
    req_json(r, 200, room_json(&s, 0));
    t = TX_COMMIT;
out:
    dbres_free(&s);
    dbres_free(&b);
    return t;
}

void
room_state(struct req *r, const cJSON *body)
{
    struct state_ctx x = {0, json_str(body, "state"), json_str(body, "reason")};
    if (!req_param_id(r, "id", &x.id))
        return;
    if (strcmp(x.to, "open") && !x.reason) {
        req_field_error(r, E_MISSING_FIELD, "reason",
                        "taking a room out of service needs a reason");
        return;
    }
    req_tx(r, state_tx, &x);
}

/* ---- the calendar ---- */

void
calendar_get(struct req *r, const cJSON *body)
{
    (void)body;
    int64_t site, day;
    const char *ss = req_query(r, "site"), *ds = req_query(r, "day");
    if (!ss || !parse_i64(ss, 1, INT64_MAX, &site) || !venues_rule_parse_day(ds, &day)) {
        req_error(r, E_BAD_REQUEST, "the calendar needs ?site=<id>&day=YYYY-MM-DD");
        return;
    }
    struct dbconn *c = req_db(r);
    struct dbres s = {0}, rooms = {0}, b = {0};
    if (!c)
        return;
    int64_t from = venues_rule_day_start_us(day), to = venues_rule_day_start_us(day + 1);
    enum db_status st = store_site(c, site, &s);
    if (st == DB_OK && s.nrows == 1)
        st = store_rooms_of_site(c, site, &rooms);
    if (st == DB_OK && s.nrows == 1)
        st = store_bookings_of_site(c, site, from, to, &b);
    if (st != DB_OK) {
        req_db_fail(r, c, st);
        goto out;
    }
    if (s.nrows != 1) {
        req_error(r, E_NOT_FOUND, "no site %lld", (long long)site);
        goto out;
    }
    /* staff and supervisors see every booking; an agent its own organization's; the public (and
     * everyone else) the occupied spans, and of an evaluation room nothing more ever */
    bool staff = r->authed && (r->who.role & (ROLE_CENTER_ADMIN | ROLE_SUPERVISOR));
    cJSON *o = site_json(&s, 0), *list = cJSON_AddArrayToObject(o, "rooms");
    cJSON_AddStringToObject(o, "day", ds);
    json_add_i64(o, "day_start_us", from);
    json_add_i64(o, "day_end_us", to);
    for (size_t i = 0; i < rooms.nrows; i++) {
        cJSON *room = room_json(&rooms, i), *occ = cJSON_AddArrayToObject(room, "bookings");
        for (size_t k = 0; k < b.nrows; k++) {
            if (dbres_i64(&b, k, BC_ROOM) != dbres_i64(&rooms, i, RC_ID))
                continue;
            bool own = r->authed && r->who.role == ROLE_AGENT &&
                       r->who.org_id == dbres_i64(&b, k, BC_AGENT_ORG);
            cJSON_AddItemToArray(occ, booking_slot_json(&b, k, staff || own));
        }
        cJSON_AddItemToArray(list, room);
    }
    req_json(r, 200, o);
out:
    dbres_free(&s);
    dbres_free(&rooms);
    dbres_free(&b);
}
