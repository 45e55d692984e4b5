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
#include <stdlib.h>
#include <string.h>

#include "canon.h"
#include "checkpoint.h"
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

/* Compare one sub-account's postings in the ledger (rows [from, to) of p, sorted by amount) with
 * the log's, into altered. */
static void
agree_one(int64_t sub, const struct dbres *p, size_t from, size_t to, cJSON *altered)
{
    struct sub_evidence ev;
    int64_t *fen = malloc((to > from ? to - from : 1) * sizeof *fen), rows_sum = 0;
    for (size_t i = from; fen && i < to; i++) {
        fen[i - from] = dbres_i64(p, i, SP_FEN);
        rows_sum += fen[i - from];
    }
    evidence_sub(sub, &ev);
    struct agree_in in = {fen,      ev.fen,   fen ? to - from : 0, ev.nfen, NULL, NULL,
                          ev.known, ev.forged};
    struct refusal f = deposits_rule_agrees(&in);
    if (f.code) {
        int64_t log_sum = 0;
        for (size_t i = 0; i < ev.nfen; i++)
            log_sum += ev.fen[i];
        cJSON *o = cJSON_CreateObject();
        json_add_i64(o, "subaccount_id", sub);
        json_add_i64(o, "ledger_fen", rows_sum);
        json_add_i64(o, "log_fen", log_sum);
        cJSON_AddStringToObject(o, "why", f.why);
        cJSON_AddItemToArray(altered, o);
    }
    free(fen);
    evidence_sub_free(&ev);
}

/* Every sub-account's agreement with the log's evidence (docs/deposits.md §10a), into o. */
static enum db_status
ledger_agreement(struct dbconn *c, cJSON *o)
{
    struct dbres p = {0}, al = {0};
    size_t nlog = 0, checked = 0;
    int64_t *logged = evidence_sub_ids(&nlog);
    enum db_status st = store_all_sub_postings(c, &p);
    if (st == DB_OK)
        st = store_alarms_open(c, &al);
    if (st != DB_OK || !logged) {
        free(logged);
        dbres_free(&p);
        dbres_free(&al);
        return st == DB_OK ? DB_ERROR : st;
    }
    cJSON *altered = cJSON_CreateArray();
    for (size_t i = 0; i < p.nrows;) {
        size_t j = i;
        int64_t sub = dbres_i64(&p, i, SP_REF);
        while (j < p.nrows && dbres_i64(&p, j, SP_REF) == sub)
            j++;
        agree_one(sub, &p, i, j, altered);
        for (size_t k = 0; k < nlog; k++)
            if (logged[k] == sub)
                logged[k] = 0; /* seen in the ledger */
        checked++;
        i = j;
    }
    for (size_t k = 0; k < nlog; k++) /* in the log, not in the ledger: every posting deleted */
        if (logged[k]) {
            agree_one(logged[k], &p, 0, 0, altered);
            checked++;
        }
    struct sub_evidence any;
    evidence_sub(0, &any); /* the checkpoint the evidence runs to */
    cJSON *ev = cJSON_AddObjectToObject(o, "evidence");
    json_add_i64(ev, "checkpoint_size", (int64_t)any.covered);
    json_add_i64(ev, "signed_us", any.signed_us);
    evidence_sub_free(&any);
    json_add_i64(o, "subaccounts_checked", (int64_t)checked);
    cJSON *alarms = cJSON_AddArrayToObject(o, "alarms");
    bool raised = false;
    for (size_t i = 0; i < al.nrows; i++) {
        cJSON *a = cJSON_CreateObject();
        cJSON_AddStringToObject(a, "what", dbres_str(&al, i, AL_WHAT));
        cJSON_AddStringToObject(a, "state", dbres_str(&al, i, AL_STATE));
        cJSON_AddStringToObject(a, "why", dbres_str(&al, i, AL_WHY));
        json_add_i64(a, "first_us", dbres_i64(&al, i, AL_FIRST));
        json_add_col_i64(a, "raised_us", &al, i, AL_RAISED);
        raised = raised || !strcmp(dbres_str(&al, i, AL_STATE), "altered");
        cJSON_AddItemToArray(alarms, a);
    }
    cJSON_AddBoolToObject(o, "agrees_with_log", cJSON_GetArraySize(altered) == 0 && !raised);
    cJSON_AddItemToObject(o, "altered", altered);
    free(logged);
    dbres_free(&p);
    dbres_free(&al);
    return DB_OK;
}

struct watch_ctx {
    const char *key, *why; /* why NULL: key agrees again */
    const struct actor *a;
    int64_t now;
};

/* One thing's alarm (each its own transaction: one audit entry each). */
static enum tx_result
ledger_watch_tx(struct dbconn *c, void *arg)
{
    struct watch_ctx *x = arg;
    bool raised;
    enum db_status st = x->why ? evidence_alarm(c, x->a, x->key, x->why, false, x->now, &raised)
                               : evidence_clear(c, x->a, x->key, x->now);
    return st == DB_OK ? TX_COMMIT : TX_DBFAIL;
}

bool
deposits_job_ledger(struct dbconn *c, const struct actor *a, int64_t now_us)
{
    bool intact, ok;
    struct dbres al = {0};
    char key[40];
    if (evidence_sync(c, false, &intact) != DB_OK)
        return false;
    if (!intact)
        return true; /* the log's own alarm is raised: nothing here can be judged */
    cJSON *o = cJSON_CreateObject(), *it;
    ok = ledger_agreement(c, o) == DB_OK;
    if (ok && cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(o, "altered"))) {
        /* perhaps changes the checkpoint did not cover yet: judged over one that covers every
         * change committed so far */
        cJSON_Delete(o);
        o = cJSON_CreateObject();
        ok = evidence_sync(c, true, &intact) == DB_OK && intact && ledger_agreement(c, o) == DB_OK;
    }
    ok = ok && store_alarms_open(c, &al) == DB_OK;
    const cJSON *altered = cJSON_GetObjectItemCaseSensitive(o, "altered");
    cJSON_ArrayForEach(it, altered)
    {
        snprintf(key, sizeof key, "sub:%lld", (long long)json_i64(it, "subaccount_id", 0));
        struct watch_ctx x = {key, json_str(it, "why"), a, now_us};
        ok = ok && db_tx(c, ledger_watch_tx, &x) == DB_OK;
    }
    /* a sub-account that agrees again: its alarm resolved (a held payment's ends with its
     * return's check) */
    for (size_t i = 0; ok && i < al.nrows; i++) {
        const char *what = dbres_str(&al, i, AL_WHAT);
        bool still = strncmp(what, "sub:", 4) != 0;
        cJSON_ArrayForEach(it, altered)
        {
            snprintf(key, sizeof key, "sub:%lld", (long long)json_i64(it, "subaccount_id", 0));
            still = still || !strcmp(key, what);
        }
        struct watch_ctx x = {what, NULL, a, now_us};
        ok = still || db_tx(c, ledger_watch_tx, &x) == DB_OK;
    }
    dbres_free(&al);
    cJSON_Delete(o);
    return ok;
}

void
ledger_get(struct req *r, const cJSON *body)
{
    (void)body;
    struct dbres b = {0}, u = {0};
    struct dbconn *c = req_db(r);
    if (!c || !evidence_sync_req(r, c))
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
    if ((st = ledger_agreement(c, o)) != DB_OK) {
        cJSON_Delete(o);
        req_db_fail(r, c, st);
        goto out;
    }
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
