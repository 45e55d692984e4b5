/*
 * ledger.c — the double-entry ledger (docs/deposits.md §2): the one function that posts an
 * entry, and the ledger's reads for center staff and supervisors. Balances are sums of
 * postings; nothing here updates or deletes a posting.
 *
 *   GET /api/v1/deposits/ledger    every account's balance, the total (zero) and any entry
 *                                  that does not balance (none, unless the tables were edited)
 *   GET /api/v1/deposits/entries   the journal, oldest first, with postings (?after=&limit=)
 */
#include <stdio.h>
#include <string.h>

#include "canon.h"
#include "internal.h"
#include "util.h"

static cJSON *
posting_json(enum dep_account a, int64_t ref, int64_t fen)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "account", deposits_rule_account_name(a));
    if (a == ACC_SUB)
        json_add_i64(o, "ref", ref);
    json_add_i64(o, "fen", fen);
    return o;
}

enum db_status
ledger_post(struct dbconn *c, const char *kind, int64_t project, int64_t sub, const char *memo,
            const struct posting *p, size_t n, int64_t now, int64_t *entry, cJSON **json)
{
    *json = NULL;
    if (!deposits_rule_balanced(p, n)) {
        log_error("ledger_post: an unbalanced %s entry was refused (a bug)", kind);
        return DB_ERROR;
    }
    enum db_status st = store_entry_insert(c, kind, project, sub, memo, now, entry);
    cJSON *arr = cJSON_CreateArray();
    for (size_t i = 0; st == DB_OK && i < n; i++) {
        st = store_posting_insert(c, *entry, p[i].account, p[i].ref, p[i].fen);
        cJSON_AddItemToArray(arr, posting_json(p[i].account, p[i].ref, p[i].fen));
    }
    if (st != DB_OK) {
        cJSON_Delete(arr);
        return st;
    }
    *json = arr;
    return DB_OK;
}

void
ledger_get(struct req *r, const cJSON *body)
{
    (void)body;
    struct dbres b = {0}, u = {0};
    struct dbconn *c = req_db(r);
    if (!c)
        return;
    enum db_status st = store_balances(c, &b);
    if (st == DB_OK)
        st = store_unbalanced(c, &u);
    if (st != DB_OK) {
        req_db_fail(r, c, st);
        goto out;
    }
    int64_t bal[ACC__COUNT] = {0}, total = 0, postings = 0;
    for (size_t i = 0; i < b.nrows; i++) {
        int a = deposits_rule_account_from_name(dbres_str(&b, i, BL_ACCOUNT));
        if (a >= 0)
            bal[a] = dbres_i64(&b, i, BL_FEN);
        total += dbres_i64(&b, i, BL_FEN);
        postings += dbres_i64(&b, i, BL_POSTINGS);
    }
    cJSON *o = cJSON_CreateObject(), *acc = cJSON_AddObjectToObject(o, "accounts");
    for (int a = 0; a < ACC__COUNT; a++)
        json_add_i64(acc, deposits_rule_account_name((enum dep_account)a), bal[a]);
    json_add_i64(o, "total_fen", total);
    json_add_i64(o, "postings", postings);
    cJSON *bad = cJSON_AddArrayToObject(o, "unbalanced_entries");
    for (size_t i = 0; i < u.nrows; i++)
        json_append_i64(bad, dbres_i64(&u, i, DB_VALUE));
    cJSON_AddBoolToObject(o, "balanced", total == 0 && u.nrows == 0);
    req_json(r, 200, o);
out:
    dbres_free(&b);
    dbres_free(&u);
}

void
entries_list(struct req *r, const cJSON *body)
{
    (void)body;
    int64_t after, limit;
    struct dbres e = {0}, p = {0};
    if (!req_page(r, &after, &limit, 100, 500))
        return;
    struct dbconn *c = req_db(r);
    if (!c)
        return;
    enum db_status st = store_entries(c, after, limit, &e);
    if (st == DB_OK && e.nrows)
        st = store_postings_between(c, dbres_i64(&e, 0, EC_ID), dbres_i64(&e, e.nrows - 1, EC_ID),
                                    &p);
    if (st != DB_OK) {
        req_db_fail(r, c, st);
        goto out;
    }
    cJSON *o = cJSON_CreateObject(), *items = cJSON_AddArrayToObject(o, "items");
    for (size_t i = 0, k = 0; i < e.nrows; i++) {
        cJSON *j = cJSON_CreateObject();
        int64_t id = dbres_i64(&e, i, EC_ID);
        json_add_i64(j, "id", id);
        cJSON_AddStringToObject(j, "kind", dbres_str(&e, i, EC_KIND));
        json_add_i64(j, "project_id", dbres_i64(&e, i, EC_PROJECT));
        json_add_i64(j, "subaccount_id", dbres_i64(&e, i, EC_SUB));
        cJSON_AddStringToObject(j, "memo", dbres_str(&e, i, EC_MEMO));
        json_add_i64(j, "created_us", dbres_i64(&e, i, EC_CREATED));
        cJSON *ps = cJSON_AddArrayToObject(j, "postings");
        for (; k < p.nrows && dbres_i64(&p, k, PC_ENTRY) <= id; k++)
            if (dbres_i64(&p, k, PC_ENTRY) == id) {
                int a = deposits_rule_account_from_name(dbres_str(&p, k, PC_ACCOUNT));
                cJSON_AddItemToArray(ps, posting_json(a < 0 ? ACC__COUNT : (enum dep_account)a,
                                                      dbres_i64(&p, k, PC_REF),
                                                      dbres_i64(&p, k, PC_FEN)));
            }
        cJSON_AddItemToArray(items, j);
    }
    if ((int64_t)e.nrows == limit)
        json_add_i64(o, "next_after", dbres_i64(&e, e.nrows - 1, EC_ID));
    else
        cJSON_AddNullToObject(o, "next_after");
    req_json(r, 200, o);
out:
    dbres_free(&e);
    dbres_free(&p);
}
