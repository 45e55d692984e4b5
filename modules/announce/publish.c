/*
 * publish.c — publishing: the statutory checks (announce_rule_*), immutability, the platform's
 * signature, the project's next state and the bid deadline's checkpoint, in one transaction
 * with one audit entry; a tender announcement carries every lot's opening key (from the opening
 * stage, through the announce_openings provider).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "accounts/accounts.h"
#include "announce.h"
#include "audit.h"
#include "scoring.h"
#include "calendar.h"
#include "checkpoint.h"
#include "crypto.h"
#include "entry/entry.h"
#include "internal.h"
#include "store.h"
#include "venues/venues.h"

/* ---- what the opening stage provides ---- */

static cJSON *
no_keys(struct dbconn *c, int64_t project_id, enum db_status *st)
{
    (void)c, (void)project_id;
    *st = DB_OK;
    return NULL;
}

static enum db_status
no_lot(struct dbconn *c, int64_t project_id, int64_t *lot)
{
    (void)c, (void)project_id;
    *lot = 0;
    return DB_OK;
}

static enum db_status
not_started(struct dbconn *c, int64_t project_id, bool *started)
{
    (void)c, (void)project_id;
    *started = false;
    return DB_OK;
}

/* set once at start-up by the opening stage (bids), before any request */
static struct announce_openings openings = {no_keys, no_lot, not_started};

void
announce_set_openings(const struct announce_openings *p)
{
    openings = *p;
}

static struct announce_results results;

void
announce_set_results(const struct announce_results *p)
{
    results = *p;
}

cJSON *
announce_contracts(struct dbconn *c, int64_t project, enum db_status *st)
{
    if (!results.contracts) {
        *st = DB_OK;
        return cJSON_CreateArray();
    }
    return results.contracts(c, project, st);
}

/* ---- publishing ---- */

struct publish_ctx {
    int64_t id;
    struct audit_ref ref; /* outlives the transaction: filled after the commit */
};

static bool
need_times(struct req *r, const struct dbres *a, const int *keys, int n)
{
    for (int k = 0; k < n; k++)
        if (!dbres_str(a, 0, AC_DOCS_FROM + (size_t)keys[k])) {
            req_field_error(r, E_MISSING_FIELD, announce_time_keys[keys[k]],
                            "publishing this announcement needs %s", announce_time_keys[keys[k]]);
            return false;
        }
    return true;
}

/* Every lot of the project has an approved opening booking, beginning at opening_us (0: at
 * whatever time): the place the announcement states is the booked rooms' (招标投标法 第三十四条).
 * Fills place (the distinct places, joined by "；") and adds "opening_venues" to out; each
 * booking is marked as stated by announcement ann_id (it is never cancelled). TX_REFUSE
 * with ANN-OPENING-VENUE set on r. */
static enum tx_result
booked_place(struct dbconn *c, struct req *r, const struct project_view *v, int64_t ann_id,
             int64_t opening_us, char *place, size_t n, cJSON *out)
{
    struct dbres lots = {0};
    enum tx_result t = TX_COMMIT;
    size_t used = 0;
    place[0] = '\0';
    if (entry_lots(c, v->id, &lots) != DB_OK)
        return TX_DBFAIL;
    cJSON *list = cJSON_AddArrayToObject(out, "opening_venues");
    for (size_t k = 0; k < lots.nrows && t == TX_COMMIT; k++) {
        int lot = (int)dbres_i64(&lots, k, LC_SEQ);
        struct venue_opening o;
        bool found;
        char a[40], b[40];
        if (venues_lot_opening(c, v->id, lot, &o, &found) != DB_OK) {
            t = TX_DBFAIL;
            break;
        }
        t = TX_REFUSE;
        if (!found)
            req_rule(r, "ANN-OPENING-VENUE",
                     "lot %d has no opening room booked: the opening is held in a booked room at "
                     "the bid deadline (招标投标法 第三十四条); book one (POST "
                     "/api/v1/venues/bookings) and have it approved first",
                     lot);
        else if (!o.approved)
            req_rule(r, "ANN-OPENING-VENUE",
                     "lot %d's opening booking %lld awaits the center's approval", lot,
                     (long long)o.booking_id);
        else if (opening_us && o.start_us != opening_us) {
            clock_format(o.start_us, a, sizeof a);
            clock_format(opening_us, b, sizeof b);
            req_rule(
                r, "ANN-OPENING-VENUE",
                "lot %d's opening booking %lld begins at %s, not at the opening time %s: "
                "the opening is at the bid deadline, in the booked room (招标投标法 第三十四条)",
                lot, (long long)o.booking_id, a, b);
        } else
            t = TX_COMMIT;
        if (t != TX_COMMIT)
            break;
        if (venues_mark_announced(c, o.booking_id, ann_id) != DB_OK) {
            t = TX_DBFAIL;
            break;
        }
        cJSON *e = cJSON_CreateObject();
        json_add_i64(e, "lot", lot);
        json_add_i64(e, "booking_id", o.booking_id);
        json_add_i64(e, "room_id", o.room_id);
        json_add_i64(e, "start_us", o.start_us);
        json_add_i64(e, "end_us", o.end_us);
        cJSON_AddStringToObject(e, "place", o.place);
        cJSON_AddItemToArray(list, e);
        if (!strstr(place, o.place) && used < n)
            used += (size_t)snprintf(place + used, n - used, "%s%s", used ? "；" : "", o.place);
    }
    dbres_free(&lots);
    return t;
}

/* The draft states the booked place: a place it says must be that one (ANN-OPENING-VENUE: the
 * center relocates a booking, the agent does not retype it), and one it does not say is set
 * (*reread: its row changed). */
static enum tx_result
set_place(struct dbconn *c, struct req *r, const struct dbres *a, const char *place, bool *reread)
{
    const char *had = dbres_str(a, 0, AC_PLACE);
    if (had && !strcmp(had, place))
        return TX_COMMIT;
    if (had) {
        req_rule(r, "ANN-OPENING-VENUE",
                 "the opening place is the booked room's: %s (to open elsewhere, the booking is "
                 "moved to another room first)",
                 place);
        return TX_REFUSE;
    }
    *reread = true;
    return store_ann_set_place(c, dbres_i64(a, 0, AC_ID), place) == DB_OK ? TX_COMMIT : TX_DBFAIL;
}

/* The statutory checks for this announcement; sets the refusal on r. *deadline and *opening
 * get the bid deadline it sets (0: none); *affects whether it affects the bids (an amendment's
 * is decided from its content, at what the amendment was checked against). The opening's
 * place is the booked rooms': it is set on the draft (*reread) and the bookings an amendment's
 * new deadline moves are moved; venue gets "opening_venues" and "opening_moves" for the entry. */
static enum tx_result
statutory(struct dbconn *c, struct req *r, const struct dbres *a, const struct project_view *v,
          int64_t now, int64_t *deadline, int64_t *opening, bool *affects,
          struct ann_amend_terms *at, cJSON *venue, bool *reread)
{
    char place[8010];
    enum tx_result vt;
    const char *type = dbres_str(a, 0, AC_TYPE);
    enum category cat = (enum category)v->category;
    struct ann_terms t = {.now_us = now};
    int64_t *slots[6] = {&t.docs_from_us, &t.docs_until_us,     &t.bid_deadline_us,
                         &t.opening_us,   &t.publicity_from_us, &t.publicity_until_us};
    for (int k = 0; k < 6; k++)
        *slots[k] = dbres_i64(a, 0, AC_DOCS_FROM + (size_t)k);
    struct refusal why;
    *deadline = *opening = 0;
    *affects = dbres_i64(a, 0, AC_AFFECTS) != 0;
    if ((why = announce_rule_capability(type, results.result != NULL)).code) {
        req_refusal(r, &why);
        return TX_REFUSE;
    }
    if (dbres_str(a, 0, AC_EVALUATION)) {
        /* the declared method, against this category's limits (the price's weight) */
        struct scoring_method m;
        cJSON *ev = cJSON_Parse(dbres_str(a, 0, AC_EVALUATION));
        struct scoring_refusal f = scoring_rule_method(ev, cat, &m);
        cJSON_Delete(ev);
        if (f.code) {
            req_rule(r, f.code, "%s", f.why);
            return TX_REFUSE;
        }
    }
    if (!strcmp(type, "tender")) {
        static const int keys[] = {0, 1, 2, 3};
        if (!need_times(r, a, keys, 4))
            return TX_REFUSE;
        if ((why = announce_rule_tender(cat, v->legally_required,
                                        entry_rule_method_is_tender(v->method), &t))
                .code) {
            req_refusal(r, &why);
            return TX_REFUSE;
        }
        struct dbres d;
        if (store_ann_deposits(c, dbres_i64(a, 0, AC_ID), &d) != DB_OK)
            return TX_DBFAIL;
        for (size_t k = 0; k < d.nrows; k++) {
            int64_t est;
            bool found;
            if (entry_lot_estimate(c, v->id, (int)dbres_i64(&d, k, DP_LOT), &est, &found) !=
                DB_OK) {
                dbres_free(&d);
                return TX_DBFAIL;
            }
            if (!found) {
                dbres_free(&d);
                req_error(r, E_INVALID_FIELD, "the project has no lot %lld",
                          (long long)dbres_i64(&d, k, DP_LOT));
                return TX_REFUSE;
            }
            if ((why = announce_rule_deposit(cat, dbres_i64(&d, k, DP_FEN), est)).code) {
                dbres_free(&d);
                req_refusal(r, &why);
                return TX_REFUSE;
            }
        }
        dbres_free(&d);
        if ((vt = booked_place(c, r, v, dbres_i64(a, 0, AC_ID), t.opening_us, place, sizeof place,
                               venue)) != TX_COMMIT)
            return vt;
        if ((vt = set_place(c, r, a, place, reread)) != TX_COMMIT)
            return vt;
        *deadline = t.bid_deadline_us;
        *opening = t.opening_us;
    } else if (!strcmp(type, "amendment")) {
        struct dbres old = {0};
        int64_t amends = dbres_i64(a, 0, AC_AMENDS);
        if (store_ann_get(c, amends, false, &old) != DB_OK)
            return TX_DBFAIL;
        bool ok = old.nrows == 1 && dbres_i64(&old, 0, AC_PROJECT) == v->id &&
                  !strcmp(dbres_str(&old, 0, AC_STATE), "published") &&
                  (!strcmp(dbres_str(&old, 0, AC_TYPE), "tender") ||
                   !strcmp(dbres_str(&old, 0, AC_TYPE), "amendment"));
        dbres_free(&old);
        if (!ok) {
            req_rule(r, "ANN-AMENDS",
                     "an amendment amends a published tender announcement (or "
                     "amendment) of the same project");
            return TX_REFUSE;
        }
        /* a new deadline comes with its opening time (they are the same instant), and back */
        static const int both[] = {2, 3};
        if ((dbres_str(a, 0, AC_DEADLINE) || dbres_str(a, 0, AC_OPENING)) &&
            !need_times(r, a, both, 2))
            return TX_REFUSE;
        struct ann_in_force f;
        if (store_ann_in_force(c, v->id, &f) != DB_OK ||
            openings.started(c, v->id, &at->opening_started) != DB_OK)
            return TX_DBFAIL;
        /* a new deadline moves the opening booking with it; a place is the booked rooms' */
        bool moves = dbres_str(a, 0, AC_DEADLINE) && dbres_i64(a, 0, AC_DEADLINE) != f.deadline_us;
        bool placed = dbres_str(a, 0, AC_PLACE) || moves;
        if (placed) {
            if ((vt = booked_place(c, r, v, dbres_i64(a, 0, AC_ID), 0, place, sizeof place,
                                   venue)) != TX_COMMIT)
                return vt;
        }
        at->now_us = now;
        at->deadline_us = f.deadline_us;
        at->opening_us = f.opening_us;
        at->docs_first_us = f.docs_first_us;
        at->new_deadline_us = dbres_i64(a, 0, AC_DEADLINE);
        at->new_opening_us = dbres_i64(a, 0, AC_OPENING);
        at->place_changed = placed && strcmp(place, f.place);
        at->method_changed = dbres_str(a, 0, AC_EVALUATION) != NULL;
        at->docs_changed =
            (dbres_str(a, 0, AC_DOCS_FROM) && dbres_i64(a, 0, AC_DOCS_FROM) != f.docs_from_us) ||
            (dbres_str(a, 0, AC_DOCS_UNTIL) && dbres_i64(a, 0, AC_DOCS_UNTIL) != f.docs_until_us);
        at->flag = dbres_i64(a, 0, AC_AFFECTS) != 0;
        at->docs_from_us = dbres_str(a, 0, AC_DOCS_FROM) ? dbres_i64(a, 0, AC_DOCS_FROM) : 0;
        at->docs_until_us = dbres_str(a, 0, AC_DOCS_UNTIL) ? dbres_i64(a, 0, AC_DOCS_UNTIL) : 0;
        if ((why = announce_rule_amendment(cat, v->legally_required,
                                           entry_rule_method_is_tender(v->method), at, affects))
                .code) {
            req_refusal(r, &why);
            return TX_REFUSE;
        }
        if (moves) {
            cJSON *mv = NULL;
            if (venues_move_openings(c, v->id, at->new_opening_us, now, &why, &mv) != DB_OK)
                return TX_DBFAIL;
            cJSON_AddItemToObject(venue, "opening_moves", mv);
            if (why.code) {
                req_refusal(r, &why);
                return TX_REFUSE;
            }
        }
        if (placed && (vt = set_place(c, r, a, place, reread)) != TX_COMMIT)
            return vt;
        if (moves) {
            *deadline = at->new_deadline_us;
            *opening = at->new_opening_us;
        }
    } else if (!strcmp(type, "candidates")) {
        static const int keys[] = {4, 5};
        if (!need_times(r, a, keys, 2))
            return TX_REFUSE;
        if ((why = announce_rule_publicity(cat, &t)).code) {
            req_refusal(r, &why);
            return TX_REFUSE;
        }
    }
    return TX_COMMIT;
}

static enum tx_result
publish_tx(struct dbconn *c, struct req *r, void *arg)
{
    struct publish_ctx *x = arg;
    struct dbres a = {0};
    struct project_view v;
    enum tx_result t;
    cJSON *content = NULL, *p = NULL, *venue = NULL, *result = NULL;
    char *bytes = NULL;
    if (!load_own(c, r, x->id, true, &a, &v, &t))
        goto out;
    t = TX_REFUSE;
    const char *type = dbres_str(&a, 0, AC_TYPE);
    if (strcmp(dbres_str(&a, 0, AC_STATE), "draft")) {
        req_transition_refused(r, "published", "published",
                               "this announcement is published already");
        goto out;
    }
    const char *after = announce_rule_state_after(type);
    if (!announce_rule_state_ok(type, v.state)) {
        req_transition_refused(r, v.state, after ? after : v.state,
                               "a %s announcement cannot be published for a "
                               "%s project",
                               type, v.state);
        goto out;
    }
    int64_t now = clock_now_us(), deadline, opening;
    bool affects;
    struct ann_amend_terms at = {0};
    bool reread = false;
    venue = cJSON_CreateObject();
    if ((t = statutory(c, r, &a, &v, now, &deadline, &opening, &affects, &at, venue, &reread)) !=
        TX_COMMIT)
        goto out;
    t = TX_DBFAIL;
    if (affects != (dbres_i64(&a, 0, AC_AFFECTS) != 0)) { /* the server's decision is published */
        if (store_ann_set_affects(c, x->id, affects) != DB_OK)
            goto out;
        reread = true;
    }
    if (reread) {
        dbres_free(&a);
        if (store_ann_get(c, x->id, true, &a) != DB_OK || a.nrows != 1)
            goto out;
        type = dbres_str(&a, 0, AC_TYPE); /* the row was read again: its cells are new */
    }
    /* The content as published: canonical JSON, hashed, signed. */
    content = ann_json(NULL, &a, 0, true);
    cJSON_DeleteItemFromObject(content, "state");
    cJSON_DeleteItemFromObject(content, "created_at");
    cJSON_DeleteItemFromObject(content, "deposits");
    json_add_i64(content, "published_us", now);
    cJSON_AddNumberToObject(content, "v", 1);
    struct dbres d;
    if (store_ann_deposits(c, x->id, &d) != DB_OK)
        goto out;
    cJSON *deps = cJSON_AddArrayToObject(content, "deposits");
    for (size_t k = 0; k < d.nrows; k++) {
        cJSON *o = cJSON_CreateObject();
        json_add_i64(o, "lot", dbres_i64(&d, k, DP_LOT));
        json_add_i64(o, "deposit_fen", dbres_i64(&d, k, DP_FEN));
        cJSON_AddItemToArray(deps, o);
    }
    dbres_free(&d);
    bool result_type = !strcmp(type, "candidates") || !strcmp(type, "award");
    if (result_type) { /* the evaluated result, signed with the rest; the log keeps it too */
        struct refusal why = {0};
        cJSON *res = NULL;
        if (results.result(c, v.id, !strcmp(type, "award"), now, &res, &why) != DB_OK)
            goto out;
        if (why.code || !res) {
            cJSON_Delete(res);
            req_refusal(r, &why);
            t = TX_REFUSE;
            goto out;
        }
        for (cJSON *it = res->child; it; it = it->next)
            cJSON_AddItemToObject(content, it->string, cJSON_Duplicate(it, true));
        result = res;
    }
    if (!strcmp(type, "tender")) { /* the time lock: what bidders seal to, signed with the rest */
        enum db_status kst;
        int64_t missing = 0;
        if (entry_rule_method_is_tender(v.method)) {
            if (openings.lot_without_key(c, v.id, &missing) != DB_OK)
                goto out;
            if (missing) {
                req_rule(r, "ANN-OPENING-KEY",
                         "lot %lld has no opening key: a tender announcement publishes every "
                         "lot's opening key, so make them first (POST /api/v1/projects/%lld/lots/"
                         "%lld/opening-key)",
                         (long long)missing, (long long)v.id, (long long)missing);
                t = TX_REFUSE;
                goto out;
            }
        }
        cJSON *keys = openings.keys(c, v.id, &kst);
        if (kst != DB_OK)
            goto out;
        if (keys)
            cJSON_AddItemToObject(content, "opening_keys", keys);
    }
    size_t len;
    uint8_t sha[32], sig[64];
    char hex[65], msg[128];
    bytes = canon_json(content, &len);
    if (!bytes || !crypto_sha256(bytes, len, sha)) {
        log_error("announcement %lld: its content cannot be encoded", (long long)x->id);
        goto out;
    }
    hex_encode(sha, 32, hex);
    int mlen = snprintf(msg, sizeof msg, "ggzy-announcement-v1\n%s\n", hex);
    if (!platform_sign(msg, (size_t)mlen, sig) ||
        store_ann_publish(c, x->id, now, bytes, len, sha, sig) != DB_OK)
        goto out;
    p = cJSON_CreateObject();
    json_add_i64(p, "announcement_id", x->id);
    cJSON_AddStringToObject(p, "type", type);
    cJSON_AddStringToObject(p, "content_sha256", hex);
    /* what `ggzy audit replay` checks the statutes against, from the log alone */
    cJSON_AddStringToObject(p, "category", category_name((enum category)v.category));
    cJSON_AddBoolToObject(p, "legally_required", v.legally_required);
    cJSON_AddBoolToObject(p, "tender_method", entry_rule_method_is_tender(v.method));
    cJSON_AddBoolToObject(p, "affects_bids", affects);
    /* a period checked on working days of a year whose holiday arrangement is not published
     * yet (docs/rules.md "Working days"): the log says which calendar the statutes were read on */
    int64_t last = 0;
    for (int k = AC_DOCS_FROM; k <= AC_PUBLICITY_UNTIL; k++)
        if (dbres_str(&a, 0, (size_t)k) && dbres_i64(&a, 0, (size_t)k) > last)
            last = dbres_i64(&a, 0, (size_t)k);
    cJSON_AddStringToObject(p, "calendar",
                            last && cal_range_kind(cal_day(now), cal_day(last)) == CAL_PROVISIONAL
                                ? "provisional"
                                : "official");
    if (dbres_str(&a, 0, AC_DOCS_FROM))
        json_add_i64(p, "docs_from_us", dbres_i64(&a, 0, AC_DOCS_FROM));
    if (dbres_str(&a, 0, AC_DOCS_UNTIL))
        json_add_i64(p, "docs_until_us", dbres_i64(&a, 0, AC_DOCS_UNTIL));
    if (dbres_str(&a, 0, AC_PUBLICITY_UNTIL)) /* the award waits for its end (replayed) */
        json_add_i64(p, "publicity_until_us", dbres_i64(&a, 0, AC_PUBLICITY_UNTIL));
    if (dbres_str(&a, 0, AC_PLACE))
        cJSON_AddStringToObject(p, "opening_place", dbres_str(&a, 0, AC_PLACE));
    if (dbres_str(&a, 0, AC_AMENDS))
        json_add_i64(p, "supersedes", dbres_i64(&a, 0, AC_AMENDS));
    while (result && result->child) { /* the candidates, the awards: the replay checks them */
        cJSON *it = cJSON_DetachItemViaPointer(result, result->child);
        cJSON_AddItemToObject(p, it->string, it);
    }
    while (venue->child) { /* the booked rooms and the bookings moved: the replay checks them */
        cJSON *it = cJSON_DetachItemViaPointer(venue, venue->child);
        cJSON_AddItemToObject(p, it->string, it);
    }
    if (after && strcmp(after, v.state)) {
        if (entry_set_state(c, v.id, after, v.state) != DB_OK)
            goto out;
        cJSON *tr = cJSON_AddObjectToObject(p, "transition");
        cJSON_AddStringToObject(tr, "from", v.state);
        cJSON_AddStringToObject(tr, "to", after);
    }
    if (deadline) { /* every lot shares the announcement's deadline; the log checkpoints it */
        char label[200];
        snprintf(label, sizeof label, "project %s bid deadline", v.code);
        if (checkpoint_schedule(c, deadline, v.id, label) != DB_OK)
            goto out;
        cJSON *dl = cJSON_AddArrayToObject(p, "deadlines");
        struct dbres lots;
        if (entry_lots(c, v.id, &lots) != DB_OK)
            goto out;
        for (size_t k = 0; k < lots.nrows; k++) {
            cJSON *o = cJSON_CreateObject();
            json_add_i64(o, "lot", dbres_i64(&lots, k, LC_SEQ)); /* an integer, as everywhere */
            json_add_i64(o, "bid_deadline_us", deadline);
            json_add_i64(o, "opening_us", opening);
            cJSON_AddItemToArray(dl, o);
        }
        dbres_free(&lots);
    }
    enum db_status st =
        audit_append(c, req_actor(r), "announce.publish", "announcement", x->id, v.id, p, &x->ref);
    p = NULL; /* consumed */
    if (st != DB_OK || (result_type && results.published(c, req_actor(r), v.id, x->id,
                                                         !strcmp(type, "award"), now) != DB_OK))
        goto out;
    dbres_free(&a);
    if (store_ann_get(c, x->id, false, &a) != DB_OK || a.nrows != 1)
        goto out;
    req_json(r, 200, ann_json(c, &a, 0, true));
    t = TX_COMMIT;
out:
    cJSON_Delete(result);
    cJSON_Delete(p);
    cJSON_Delete(venue);
    cJSON_Delete(content);
    free(bytes);
    dbres_free(&a);
    return t;
}

void
ann_publish(struct req *r, const cJSON *body)
{
    (void)body;
    struct publish_ctx x = {0};
    if (req_param_id(r, "id", &x.id) && req_tx(r, publish_tx, &x))
        pages_invalidate(); /* after its index exists: the next read shows it */
}
