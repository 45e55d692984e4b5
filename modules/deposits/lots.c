/*
 * lots.c — a bidder's virtual sub-account for a lot (虚拟子账号, docs/deposits.md §4): opened by
 * the bidder while the lot takes bids and its published tender states a deposit, numbered from
 * its id with a check digit so a mistyped number reaches no other bidder; and the deposit's
 * state at the bid deadline, which the opening record shows (the provider of bids.h: every
 * bidder's of a lot in a few reads, whatever their number).
 *
 *   POST /api/v1/projects/{id}/lots/{lot}/deposit   a bidder: open (or see) its sub-account
 *   GET  /api/v1/projects/{id}/lots/{lot}/deposit   a bidder: its sub-account, arrivals, refunds
 *   GET  /api/v1/deposits/subaccounts               a bidder's own, or every one for staff
 */
#include <stdio.h>
#include <string.h>

#include "announce/announce.h"
#include "audit.h"
#include "entry/entry.h"
#include "internal.h"
#include "util.h"

/* The bid deadline in force for the project (falls back to fallback when none is published). */
static enum db_status
deadline_of(struct dbconn *c, int64_t project, int64_t fallback, int64_t *deadline)
{
    int64_t opening, ann;
    bool found;
    enum db_status st = announce_bid_times(c, project, deadline, &opening, &ann, &found);
    if (st == DB_OK && !found)
        *deadline = fallback;
    return st;
}

/* The deposit's state for (project, lot, org): cash credited by the deadline (deposits_rule_state)
 * unless a guarantee registered by the deadline covers what cash does not — at least the amount
 * asked, valid from the deadline to the end of the bid validity period: "guaranteed". */
static enum db_status
state_of(struct dbconn *c, int64_t project, int64_t lot, int64_t org, int64_t required,
         int64_t credited, int64_t deadline, char out[16])
{
    int64_t fen = 0, gid;
    const char *s = deposits_rule_state(required, credited);
    enum db_status st = DB_OK;
    if (strcmp(s, "paid") && strcmp(s, "none")) {
        st = store_guarantee_cover(c, project, lot, org, deadline, deadline,
                                   deposits_validity_end(deadline), &fen, &gid);
        if (st == DB_OK && fen >= required)
            s = "guaranteed";
    }
    snprintf(out, 16, "%s", s);
    return st;
}

/* The view of sub-account row i of s: the row, the project's name, where to pay, its balance,
 * its arrivals, refunds and guarantees, and the state of the deposit (at the deadline once it
 * passed, else now). On DB_OK *out is a new object the caller owns; else *out is NULL. */
static enum db_status
sub_view(struct dbconn *c, const struct dbres *s, size_t i, cJSON **out)
{
    struct dbres n = {0}, f = {0}, g = {0};
    struct project_view p;
    bool found = false;
    int64_t id = dbres_i64(s, i, SC_ID), bal = 0, credited = 0, deadline;
    int64_t project = dbres_i64(s, i, SC_PROJECT), lot = dbres_i64(s, i, SC_LOT);
    int64_t org = dbres_i64(s, i, SC_ORG);
    char state[16];
    *out = NULL;
    enum db_status st = deadline_of(c, project, dbres_i64(s, i, SC_DEADLINE), &deadline);
    if (st == DB_OK)
        st = entry_project(c, project, false, &p, &found);
    if (st == DB_OK)
        st = store_sub_balance(c, id, &bal);
    if (st == DB_OK)
        st = store_sub_credited(c, id, deadline, &credited);
    if (st == DB_OK)
        st = store_notices_of_sub(c, id, &n);
    if (st == DB_OK)
        st = store_refunds_of_sub(c, id, &f);
    if (st == DB_OK)
        st = store_guarantees(c, project, lot, org, 0, 50, &g);
    if (st == DB_OK)
        st =
            state_of(c, project, lot, org, dbres_i64(s, i, SC_REQUIRED), credited, deadline, state);
    if (st != DB_OK)
        goto out;
    cJSON *o = sub_json(s, i);
    json_add_str_or_null(o, "project_name", found ? p.name : NULL);
    cJSON *pay = cJSON_AddObjectToObject(o, "pay_to");
    cJSON_AddStringToObject(pay, "bank_name", deposits_conf.bank_name);
    cJSON_AddStringToObject(pay, "account_name", deposits_conf.account_name);
    cJSON_AddStringToObject(pay, "account_no", dbres_str(s, i, SC_NUMBER));
    json_add_i64(o, "deadline_us", deadline);
    json_add_i64(o, "balance_fen", bal);
    json_add_i64(o, "credited_by_deadline_fen", credited);
    cJSON_AddStringToObject(o, "deposit", state);
    cJSON *arr = cJSON_AddArrayToObject(o, "arrivals");
    for (size_t k = 0; k < n.nrows; k++)
        cJSON_AddItemToArray(arr, notice_json(&n, k));
    arr = cJSON_AddArrayToObject(o, "refunds");
    for (size_t k = 0; k < f.nrows; k++)
        cJSON_AddItemToArray(arr, refund_json(&f, k));
    arr = cJSON_AddArrayToObject(o, "guarantees");
    for (size_t k = 0; k < g.nrows; k++)
        cJSON_AddItemToArray(arr, guarantee_json(&g, k));
    *out = o;
out:
    dbres_free(&n);
    dbres_free(&f);
    dbres_free(&g);
    return st;
}

/* Answer the one sub-account in s with status. */
static enum db_status
sub_reply(struct dbconn *c, struct req *r, const struct dbres *s, unsigned status)
{
    cJSON *o;
    enum db_status st = sub_view(c, s, 0, &o);
    if (st == DB_OK)
        req_json(r, status, o);
    return st;
}

struct sub_in {
    int64_t project, lot;
};

static enum tx_result
open_tx(struct dbconn *c, struct req *r, void *arg)
{
    struct sub_in *x = arg;
    struct project_view p;
    struct dbres s = {0};
    bool found, stated;
    char number[40];
    int64_t now = clock_now_us(), deadline, opening, ann, fen, id;
    enum tx_result t = TX_DBFAIL;
    if (store_sub_get(c, x->project, x->lot, r->who.org_id, false, &s) != DB_OK)
        goto out;
    if (s.nrows == 1) { /* opened before: the same sub-account */
        t = sub_reply(c, r, &s, 200) == DB_OK ? TX_COMMIT : TX_DBFAIL;
        goto out;
    }
    if (entry_project(c, x->project, false, &p, &found) != DB_OK ||
        announce_bid_times(c, x->project, &deadline, &opening, &ann, &stated) != DB_OK ||
        announce_lot_deposit(c, x->project, x->lot, &fen, &stated) != DB_OK)
        goto out;
    t = TX_REFUSE;
    if (!found) {
        req_error(r, E_NOT_FOUND, "no project %lld", (long long)x->project);
        goto out;
    }
    if (strcmp(p.state, "bidding")) {
        req_rule_as(r, E_CONFLICT, "DEP-NOT-BIDDING",
                    "the project is %s: a sub-account opens while it takes bids", p.state);
        goto out;
    }
    if (!stated || fen <= 0) {
        req_rule_as(r, E_CONFLICT, "DEP-NONE",
                    "the published tender states no deposit for lot %lld", (long long)x->lot);
        goto out;
    }
    if (now >= deadline) {
        req_rule_as(r, E_CONFLICT, "DEP-DEADLINE", "the bid deadline of lot %lld has passed",
                    (long long)x->lot);
        goto out;
    }
    t = TX_DBFAIL;
    enum db_status st =
        store_sub_insert(c, x->project, x->lot, r->who.org_id, fen, p.category, deadline, now, &id);
    if (st != DB_OK) /* a concurrent twin committed first: 409, and a retry sees it */
        goto out;
    if (!deposits_rule_subaccount_number(deposits_conf.prefix, id, number, sizeof number)) {
        log_error("open_tx: sub-account %lld does not fit a number with prefix %s", (long long)id,
                  deposits_conf.prefix);
        goto out;
    }
    if (store_sub_set_number(c, id, number) != DB_OK)
        goto out;
    cJSON *pl = cJSON_CreateObject();
    json_add_i64(pl, "lot", x->lot);
    json_add_i64(pl, "org_id", r->who.org_id);
    cJSON_AddStringToObject(pl, "number", number);
    json_add_i64(pl, "required_fen", fen);
    json_add_i64(pl, "category", p.category);
    json_add_i64(pl, "deadline_us", deadline);
    if (audit_append(c, req_actor(r), "deposit.subaccount.open", "subaccount", id, x->project, pl,
                     NULL) != DB_OK ||
        store_sub_by_id(c, id, false, &s) != DB_OK || s.nrows != 1)
        goto out;
    t = sub_reply(c, r, &s, 201) == DB_OK ? TX_COMMIT : TX_DBFAIL;
out:
    dbres_free(&s);
    return t;
}

static bool
sub_params(struct req *r, struct sub_in *x)
{
    return req_param_id(r, "id", &x->project) && req_param_id(r, "lot", &x->lot);
}

void
sub_open(struct req *r, const cJSON *body)
{
    (void)body;
    struct sub_in x;
    if (sub_params(r, &x))
        req_tx(r, open_tx, &x);
}

void
sub_get(struct req *r, const cJSON *body)
{
    (void)body;
    struct sub_in x;
    struct dbres s = {0};
    if (!sub_params(r, &x))
        return;
    struct dbconn *c = req_db(r);
    if (!c)
        return;
    enum db_status st = store_sub_get(c, x.project, x.lot, r->who.org_id, false, &s);
    if (st == DB_OK && s.nrows != 1)
        req_error(r, E_NOT_FOUND, "your organization has no sub-account for lot %lld",
                  (long long)x.lot);
    else if (st == DB_OK)
        st = sub_reply(c, r, &s, 200);
    if (st != DB_OK)
        req_db_fail(r, c, st);
    dbres_free(&s);
}

/* The row of r whose column col holds v, r being in ascending order of that column; r->nrows
 * when none does. */
static size_t
row_by_id(const struct dbres *r, size_t col, int64_t v)
{
    size_t lo = 0, hi = r->nrows;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int64_t x = dbres_i64(r, mid, col);
        if (x == v)
            return mid;
        if (x < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return r->nrows;
}

bool
deposit_states_at_deadline(struct dbconn *c, int64_t project, int64_t lot, size_t n,
                           const int64_t *orgs, char (*states)[16])
{
    struct dbres s = {0}, cr = {0};
    int64_t deadline = 0, lot_fen = 0;
    bool stated = false;
    enum db_status st = deadline_of(c, project, 0, &deadline);
    bool published = deadline != 0; /* else each sub-account's own deadline */
    if (st == DB_OK)
        st = store_subs_of_lot(c, project, lot, &s);
    if (st == DB_OK && published)
        st = store_credited_of_lot(c, project, lot, deadline, &cr);
    if (st == DB_OK)
        st = announce_lot_deposit(c, project, lot, &lot_fen, &stated);
    if (!stated)
        lot_fen = 0;
    for (size_t i = 0; st == DB_OK && i < n; i++) {
        size_t k = row_by_id(&s, SC_ORG, orgs[i]);
        int64_t fen = lot_fen, credited = 0, by = deadline;
        if (k < s.nrows) {
            int64_t sub = dbres_i64(&s, k, SC_ID);
            fen = dbres_i64(&s, k, SC_REQUIRED);
            if (!published) {
                by = dbres_i64(&s, k, SC_DEADLINE);
                st = store_sub_credited(c, sub, by, &credited);
            } else if ((k = row_by_id(&cr, CR_SUB, sub)) < cr.nrows)
                credited = dbres_i64(&cr, k, CR_FEN);
        }
        if (st == DB_OK)
            st = state_of(c, project, lot, orgs[i], fen, credited, by, states[i]);
    }
    dbres_free(&s);
    dbres_free(&cr);
    return st == DB_OK;
}

/* GET /api/v1/deposits/subaccounts?project=&org=&before=&limit= — newest first, each in full
 * (as GET …/deposit answers it). A bidder sees its organization's only, whatever org it asks;
 * staff and supervisors every one (limit at most 100: each is several reads). */
void
sub_list(struct req *r, const cJSON *body)
{
    (void)body;
    int64_t before, limit, project = 0, org = 0;
    struct dbres s = {0};
    const char *q_project = req_query(r, "project"), *q_org = req_query(r, "org");
    if (!deposits_page(r, &before, &limit))
        return;
    if (limit > 100) {
        req_error(r, E_BAD_REQUEST, "limit must be from 1 to 100 here");
        return;
    }
    if ((q_project && !parse_i64(q_project, 1, INT64_MAX, &project)) ||
        (q_org && !parse_i64(q_org, 1, INT64_MAX, &org))) {
        req_error(r, E_BAD_REQUEST, "project and org are positive ids");
        return;
    }
    if (r->who.role == ROLE_BIDDER)
        org = r->who.org_id;
    struct dbconn *c = req_db(r);
    if (!c)
        return;
    enum db_status st = store_subs(c, org, project, before, limit, &s);
    cJSON *o = cJSON_CreateObject(), *items = cJSON_AddArrayToObject(o, "items");
    for (size_t i = 0; st == DB_OK && i < s.nrows; i++) {
        cJSON *v;
        st = sub_view(c, &s, i, &v);
        if (st == DB_OK)
            cJSON_AddItemToArray(items, v);
    }
    if (st != DB_OK) {
        cJSON_Delete(o);
        req_db_fail(r, c, st);
        goto out;
    }
    if ((int64_t)s.nrows == limit && s.nrows > 0)
        json_add_i64(o, "next_before", dbres_i64(&s, s.nrows - 1, SC_ID));
    else
        cJSON_AddNullToObject(o, "next_before");
    req_json(r, 200, o);
out:
    dbres_free(&s);
}
