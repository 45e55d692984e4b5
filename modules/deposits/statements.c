/*
 * statements.c — reconciliation with the bank's daily statement (对账, docs/deposits.md §5b). The
 * bank signs the day's movements of the center's account (over "ggzy-bank-statement-v1" "\n"
 * canonical(statement), with the key its notices are signed with) and posts them once per day.
 * Each line is matched against the notices booked: the same movement is matched; one that differs
 * is reported; an arrival the bank never notified is booked as held (owed back to its payer until
 * staff look: never guessed into a sub-account); a refund outcome never notified is reported; a
 * notice booked for that day that the statement lacks is reported. One transaction, one entry
 * (deposit.statement.import) with the held bookings' postings and every difference.
 *
 *   POST /api/v1/deposits/statements   the bank (no session: its signature)
 *   GET  /api/v1/deposits/statements   staff, supervisors: each day's result and differences
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accounts/accounts.h"
#include "audit.h"
#include "calendar.h"
#include "canon.h"
#include "internal.h"
#include "util.h"

#define STATEMENT_DOMAIN "ggzy-bank-statement-v1"
#define MAX_ID           INT64_C(9007199254740991)
#define LINES_MAX        5000

static const char *const line_kinds[] = {"arrival", "refund_paid", "refund_failed", NULL};
static const struct field statement_schema[] = {
    {"platform", F_STRING, true, 1, 100, NULL},
    {"date", F_STRING, true, 10, 10, NULL},
    {"lines", F_ARRAY, true, 0, LINES_MAX, NULL},
    {"signed_us", F_INT, true, 0, MAX_ID, NULL},
    {NULL},
};
static const struct field line_schema[] = {
    {"bank_txn", F_STRING, true, 1, 64, NULL},
    {"kind", F_STRING, true, 1, 16, line_kinds},
    {"account", F_STRING, true, 6, 34, NULL},
    {"amount_fen", F_INT, true, 1, MAX_ID, NULL},
    {"payer_account", F_STRING, false, 0, 34, NULL},
    {"payer_name", F_STRING, false, 0, 200, NULL},
    {"instrument", F_STRING, false, 1, 16, deposits_instruments},
    {"refund_id", F_INT, false, 1, MAX_ID, NULL},
    {"value_us", F_INT, true, 0, MAX_ID, NULL},
    {NULL},
};

struct statement_ctx {
    const cJSON *st;
    const char *signature;
    struct signing_key k; /* the bank's: chain borrowed, info owned */
    int64_t from, to;     /* the statement's day, CST */
};

static struct bank_notice
line_notice(const cJSON *l, int64_t signed_us)
{
    return (struct bank_notice){json_str(l, "bank_txn"),      json_str(l, "kind"),
                                json_str(l, "account"),       json_str(l, "payer_account"),
                                json_str(l, "payer_name"),    json_str(l, "instrument"),
                                json_i64(l, "amount_fen", 0), json_i64(l, "refund_id", 0),
                                json_i64(l, "value_us", 0),   signed_us};
}

static void
differ(cJSON *diffs, const char *txn, const char *kind, const char *issue)
{
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "bank_txn", txn);
    cJSON_AddStringToObject(d, "kind", kind);
    cJSON_AddStringToObject(d, "issue", issue);
    cJSON_AddItemToArray(diffs, d);
}

/* An arrival the bank never notified: booked as held, with the line as its notice. */
static enum db_status
hold_unmatched(struct dbconn *c, const cJSON *line, const struct bank_notice *n, int64_t now,
               cJSON *postings)
{
    size_t len;
    char *text = canon_json(line, &len);
    cJSON *ps = NULL;
    struct notice_row row = {.txn = n->txn,
                             .kind = n->kind,
                             .account = n->account,
                             .payer = n->payer,
                             .payer_name = n->payer_name,
                             .instrument = n->instrument,
                             .outcome = "held",
                             .hold = "unmatched",
                             .notice = text,
                             .amount = n->amount,
                             .value_us = n->value_us,
                             .signed_us = n->signed_us,
                             .received_us = now};
    struct posting p[2] = {{ACC_BANK, 0, n->amount}, {ACC_HELD, 0, -n->amount}};
    int64_t id;
    enum db_status st =
        text ? ledger_post(c, "arrival_held", 0, 0, n->txn, p, 2, now, &row.entry, &ps) : DB_ERROR;
    if (st == DB_OK)
        st = store_notice_insert(c, &row, &id);
    cJSON *it;
    cJSON_ArrayForEach(it, ps) cJSON_AddItemToArray(postings, cJSON_Duplicate(it, true));
    cJSON_Delete(ps);
    free(text);
    return st;
}

static enum tx_result
statement_tx(struct dbconn *c, struct req *r, void *arg)
{
    struct statement_ctx *x = arg;
    const char *date = json_str(x->st, "date");
    struct dbres old = {0}, seen = {0};
    int64_t now = clock_now_us(), matched = 0, lines = 0, id;
    char *text = NULL, *dtext = NULL, name[40];
    cJSON *diffs = cJSON_CreateArray(), *postings = cJSON_CreateArray(), *pl = NULL;
    enum tx_result t = TX_DBFAIL;
    size_t len;
    if (!(text = canon_json(x->st, &len)) || store_statement_by_date(c, date, &old) != DB_OK)
        goto out;
    if (old.nrows == 1) { /* the day's statement again: the same bytes, or a conflict */
        t = TX_REFUSE;
        /* the same lines (re-signed or not) are the same statement */
        cJSON *was = cJSON_Parse(dbres_str(&old, 0, ST_TEXT));
        char *a = was ? canon_json(cJSON_GetObjectItemCaseSensitive(was, "lines"), &len) : NULL;
        char *b = canon_json(cJSON_GetObjectItemCaseSensitive(x->st, "lines"), &len);
        bool same = a && b && !strcmp(a, b);
        free(a);
        free(b);
        cJSON_Delete(was);
        if (!same) {
            req_rule_as(r, E_CONFLICT, "DEP-STATEMENT-CONFLICT",
                        "the statement of %s was imported (id %lld) with other lines", date,
                        (long long)dbres_i64(&old, 0, ST_ID));
            goto out;
        }
        cJSON *o = statement_json(&old, 0);
        cJSON_AddBoolToObject(o, "duplicate", true);
        req_json(r, 200, o);
        t = TX_COMMIT;
        goto out;
    }
    const cJSON *ls = cJSON_GetObjectItemCaseSensitive(x->st, "lines"), *l;
    cJSON *txns = cJSON_CreateObject(); /* the statement's bank_txn, for the other direction */
    cJSON_ArrayForEach(l, ls)
    {
        struct bank_notice n = line_notice(l, json_i64(x->st, "signed_us", 0));
        struct dbres b = {0};
        lines++;
        cJSON_AddTrueToObject(txns, n.txn);
        if (store_notice_by_txn(c, n.txn, &b) != DB_OK) {
            dbres_free(&b);
            cJSON_Delete(txns);
            goto out;
        }
        if (b.nrows == 1 && notices_same(&b, &n))
            matched++;
        else if (b.nrows == 1)
            differ(diffs, n.txn, n.kind, "differs");
        else if (strcmp(n.kind, "arrival"))
            differ(diffs, n.txn, n.kind, "refund_not_notified");
        else if (hold_unmatched(c, l, &n, now, postings) != DB_OK) {
            dbres_free(&b);
            cJSON_Delete(txns);
            goto out;
        } else
            differ(diffs, n.txn, n.kind, "unmatched_held");
        dbres_free(&b);
    }
    if (store_notices_valued(c, x->from, x->to, &seen) != DB_OK) {
        cJSON_Delete(txns);
        goto out;
    }
    for (size_t i = 0; i < seen.nrows; i++)
        if (!cJSON_GetObjectItemCaseSensitive(txns, dbres_str(&seen, i, DB_VALUE)))
            differ(diffs, dbres_str(&seen, i, DB_VALUE), "", "not_in_statement");
    cJSON_Delete(txns);
    if (!(dtext = canon_json(diffs, &len)) ||
        store_statement_insert(c, date, now, lines, matched, dtext, text, &id) != DB_OK)
        goto out;
    pl = cJSON_CreateObject();
    json_add_i64(pl, "statement_id", id);
    cJSON_AddStringToObject(pl, "date", date);
    json_add_i64(pl, "lines", lines);
    json_add_i64(pl, "matched", matched);
    cJSON_AddItemToObject(pl, "differences", diffs);
    diffs = NULL;
    if (cJSON_GetArraySize(postings)) {
        cJSON_AddItemToObject(pl, "postings", postings);
        postings = NULL;
    }
    cJSON *sg = accounts_signed_json(&x->k, STATEMENT_DOMAIN, x->st, x->signature);
    if (!sg)
        goto out;
    cJSON_AddItemToObject(pl, "signed", sg);
    struct actor bank = party_actor("bank", &x->k, r, name);
    enum db_status st =
        audit_append(c, &bank, "deposit.statement.import", "statement", id, 0, pl, NULL);
    pl = NULL;
    dbres_free(&old);
    if (st != DB_OK || store_statement_by_date(c, date, &old) != DB_OK || old.nrows != 1)
        goto out;
    req_json(r, 201, statement_json(&old, 0));
    t = TX_COMMIT;
out:
    free(text);
    free(dtext);
    cJSON_Delete(diffs);
    cJSON_Delete(postings);
    cJSON_Delete(pl);
    dbres_free(&old);
    dbres_free(&seen);
    return t;
}

void
statement_create(struct req *r, const cJSON *body)
{
    struct statement_ctx x = {.st = cJSON_GetObjectItemCaseSensitive(body, "statement"),
                              .signature = json_str(body, "signature")};
    int64_t day;
    if (!bank_is_loaded()) {
        req_rule_as(r, E_FORBIDDEN, "DEP-BANK", "no bank is configured (deposits.bank_cert)");
        return;
    }
    if (!cJSON_IsObject(x.st)) {
        req_field_error(r, E_INVALID_FIELD, "statement", "statement is an object");
        return;
    }
    if (!json_validate(r, x.st, statement_schema, "statement."))
        return;
    if (!cal_parse_date(json_str(x.st, "date"), &day)) {
        req_field_error(r, E_INVALID_FIELD, "statement.date", "a date is YYYY-MM-DD");
        return;
    }
    const cJSON *l;
    cJSON_ArrayForEach(l, cJSON_GetObjectItemCaseSensitive(x.st, "lines"))
    {
        if (!cJSON_IsObject(l)) {
            req_field_error(r, E_INVALID_FIELD, "statement.lines[]", "each line is an object");
            return;
        }
        if (!json_validate(r, l, line_schema, "statement.lines[]."))
            return;
    }
    x.from = day * DEP_DAY_US - INT64_C(8) * 3600 * 1000000;
    x.to = x.from + DEP_DAY_US;
    if (bank_check(r, STATEMENT_DOMAIN, x.st, x.signature, &x.k))
        req_tx(r, statement_tx, &x);
    cert_info_free(&x.k.info);
}

cJSON *
statement_json(const struct dbres *s, size_t i)
{
    cJSON *o = cJSON_CreateObject();
    json_add_i64(o, "id", dbres_i64(s, i, ST_ID));
    cJSON_AddStringToObject(o, "date", dbres_str(s, i, ST_DATE));
    json_add_i64(o, "received_us", dbres_i64(s, i, ST_RECEIVED));
    json_add_i64(o, "lines", dbres_i64(s, i, ST_LINES));
    json_add_i64(o, "matched", dbres_i64(s, i, ST_MATCHED));
    cJSON *d = cJSON_Parse(dbres_str(s, i, ST_DIFFERENCES));
    cJSON_AddItemToObject(o, "differences", d ? d : cJSON_CreateArray());
    return o;
}

static cJSON *
statement_view(void *ctx, const struct dbres *s, size_t i)
{
    (void)ctx;
    return statement_json(s, i);
}

void
statement_list(struct req *r, const cJSON *body)
{
    (void)body;
    int64_t before, limit;
    struct dbres s = {0};
    if (!deposits_page(r, &before, &limit))
        return;
    struct dbconn *c = req_db(r);
    if (!c)
        return;
    enum db_status st = store_statements(c, before, limit, &s);
    if (st != DB_OK)
        req_db_fail(r, c, st);
    else
        req_page_reply(r, &s, limit, "next_before", ST_ID, statement_view, NULL);
    dbres_free(&s);
}
