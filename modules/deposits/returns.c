/*
 * returns.c — returning held money to its payer (退回, docs/deposits.md §5c). A held arrival
 * (an unknown sub-account, a late payment, one not from the basic account, cash where none is
 * taken, one only the statement showed) is never guessed into a sub-account: center staff
 * return it, with a reason, to the account the bank's signed notice says it came from — never
 * anywhere else, whoever asks — as a refund whose source is the notice: the same signed payment
 * instruction, the same job that hands it to the bank (deposits.refunds), the same warnings and
 * late flags (deposits.deadlines), due deposits.return_days working days after the decision. The
 * bank's notice confirms it (the notice becomes `returned`) or says it failed (the money is held
 * again, to be returned again). One return of a notice at a time (active_notice).
 *
 *   POST /api/v1/deposits/notices/{id}/return   center staff: {reason}
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "canon.h"
#include "internal.h"
#include "util.h"

#define RETURN_BASIS "deposits.return_days"

struct return_in {
    int64_t notice;
    const char *reason;
};

static enum tx_result
return_tx(struct dbconn *c, struct req *r, void *arg)
{
    struct return_in *x = arg;
    struct dbres n = {0}, f = {0};
    int64_t now = clock_now_us(), id = 0, project = 0, entry;
    char *text = NULL;
    cJSON *fields = NULL, *postings = NULL, *pl = NULL;
    enum tx_result t = TX_DBFAIL;
    if (store_notice_lock(c, x->notice, &n) != DB_OK)
        goto out;
    t = TX_REFUSE;
    if (n.nrows != 1) {
        req_error(r, E_NOT_FOUND, "no notice %lld", (long long)x->notice);
        goto out;
    }
    const char *kind = dbres_str(&n, 0, NC_KIND), *outcome = dbres_str(&n, 0, NC_OUTCOME);
    const char *payer = dbres_str(&n, 0, NC_PAYER), *payer_name = dbres_str(&n, 0, NC_PAYER_NAME);
    if (strcmp(kind, "arrival") || strcmp(outcome, "held")) {
        req_rule_as(r, E_CONFLICT, "DEP-RETURN-STATE",
                    "notice %lld is %s %s: only a held arrival is returned", (long long)x->notice,
                    !strcmp(kind, "arrival") ? "an arrival" : "a refund's notice", outcome);
        goto out;
    }
    if (!payer || !*payer || !payer_name || !*payer_name) {
        req_rule_as(r, E_CONFLICT, "DEP-RETURN-PAYER",
                    "notice %lld names no payer account or name: only the bank can say where it "
                    "goes back (a corrected notice, or the day's statement)",
                    (long long)x->notice);
        goto out;
    }
    /* money leaves only on what the log proves (docs/deposits.md §10a): the payment as the
     * bank signed it (its notice, or the day's statement), still held by the log's account */
    struct held_evidence ev;
    const char *txn = dbres_str(&n, 0, NC_TXN);
    evidence_held(txn, &ev);
    bool returning;
    t = TX_DBFAIL;
    if (store_return_active(c, x->notice, &returning) != DB_OK)
        goto out;
    t = TX_REFUSE;
    struct held_rows hr = {dbres_i64(&n, 0, NC_AMOUNT), payer, payer_name, returning,
                           dbres_i64(&n, 0, NC_RECEIVED)};
    struct held_log hl = {ev.known, ev.amount, ev.payer,    ev.payer_name,
                          ev.state, ev.forged, ev.signed_us};
    struct refusal why = deposits_rule_held_agrees(&hr, &hl);
    if (why.code && strcmp(why.code, "DEP-LEDGER-ALTERED")) {
        req_refusal(r, &why);
        goto out;
    }
    if (why.code) { /* an edited row: nothing goes out, and the alarm is raised (committed) */
        char key[100];
        bool raised;
        snprintf(key, sizeof key, "txn:%s", txn);
        if (evidence_alarm(c, req_actor(r), key, why.why, true, now, &raised) != DB_OK) {
            t = TX_DBFAIL;
            goto out;
        }
        req_rule_as(r, E_CONFLICT, why.code,
                    "notice %lld is not returned: %s (docs/deposits.md §10a)", (long long)x->notice,
                    why.why);
        t = TX_COMMIT;
        goto out;
    }
    payer = ev.payer;
    payer_name = ev.payer_name;
    /* a due time the calendar cannot compute: returned all the same, with no due time, and
     * warned of at once (docs/deposits.md §5c) — never refused for the calendar's sake */
    bool provisional;
    int64_t due = deposits_rule_return_due(now, deposits_conf.return_days, &provisional);
    bool due_known = due != INT64_MIN;
    t = TX_DBFAIL;
    int64_t amount = ev.amount, sub = dbres_i64(&n, 0, NC_SUB);
    struct refund_row row = {.principal = amount,
                             .event_us = now,
                             .due_us = due_known ? due : 0,
                             .due_known = due_known,
                             .due_provisional = provisional,
                             .now = now,
                             .cause = "return",
                             .basis = RETURN_BASIS,
                             .to_account = payer,
                             .to_name = payer_name,
                             .instruction = "",
                             .notice = x->notice,
                             .reason = x->reason};
    enum db_status st = store_refund_insert(c, &row, &id);
    if (st == DB_DUPLICATE) { /* the notice's lock serialized a twin, which committed first */
        req_rule_as(r, E_CONFLICT, "DEP-RETURN-STATE", "notice %lld is being returned already",
                    (long long)x->notice);
        t = TX_REFUSE;
        goto out;
    }
    if (st != DB_OK)
        goto out;
    fields = cJSON_CreateObject();
    cJSON_AddStringToObject(fields, "platform", deposits_cfg->platform_id);
    json_add_i64(fields, "refund_id", id);
    cJSON_AddStringToObject(fields, "from_account", dbres_str(&n, 0, NC_ACCOUNT));
    cJSON_AddStringToObject(fields, "to_account", payer);
    cJSON_AddStringToObject(fields, "to_name", payer_name);
    json_add_i64(fields, "principal_fen", amount);
    json_add_i64(fields, "interest_fen", 0);
    json_add_i64(fields, "fee_fen", 0);
    json_add_i64(fields, "amount_fen", amount);
    cJSON_AddStringToObject(fields, "cause", "return");
    cJSON_AddStringToObject(fields, "basis", RETURN_BASIS);
    cJSON_AddStringToObject(fields, "returns_bank_txn", dbres_str(&n, 0, NC_TXN));
    if (due_known)
        json_add_i64(fields, "due_us", due);
    else
        cJSON_AddNullToObject(fields, "due_us");
    cJSON_AddBoolToObject(fields, "due_provisional", provisional);
    json_add_i64(fields, "issued_us", now);
    if (!(text = refund_instruction_text(fields)) ||
        store_refund_set_instruction(c, id, text) != DB_OK)
        goto out;
    if (store_sub_project(c, sub, &project) != DB_OK)
        goto out;
    struct posting p[2] = {{ACC_HELD, 0, amount}, {ACC_REFUNDS_PAYABLE, 0, -amount}};
    if (ledger_post(c, "return_instructed", project, sub, dbres_str(&n, 0, NC_TXN), p, 2, now,
                    &entry, &postings) != DB_OK)
        goto out;
    pl = cJSON_CreateObject();
    json_add_i64(pl, "refund_id", id);
    json_add_i64(pl, "notice_id", x->notice);
    cJSON_AddStringToObject(pl, "bank_txn", dbres_str(&n, 0, NC_TXN));
    json_add_i64(pl, "amount_fen", amount);
    cJSON_AddStringToObject(pl, "payer_account", payer);
    cJSON_AddStringToObject(pl, "hold_reason", dbres_str(&n, 0, NC_HOLD));
    cJSON_AddStringToObject(pl, "reason", x->reason);
    cJSON *ins = cJSON_Parse(text);
    if (!ins)
        goto out;
    cJSON_AddItemToObject(pl, "instruction", ins);
    cJSON_AddItemToObject(pl, "postings", postings);
    postings = NULL;
    st = audit_append(c, req_actor(r), "deposit.return.instruct", "refund", id, project, pl, NULL);
    pl = NULL;
    if (st != DB_OK || store_refund_get(c, id, false, &f) != DB_OK || f.nrows != 1)
        goto out;
    req_json(r, 201, refund_json(&f, 0));
    t = TX_COMMIT;
out:
    free(text);
    cJSON_Delete(fields);
    cJSON_Delete(postings);
    cJSON_Delete(pl);
    dbres_free(&n);
    dbres_free(&f);
    return t;
}

void
return_create(struct req *r, const cJSON *body)
{
    struct return_in x = {0, json_str(body, "reason")};
    struct dbconn *c = req_db_for(r, "id", &x.notice);
    /* the log's evidence, up to a checkpoint covering every change committed so far */
    if (c && evidence_sync_req(r, c))
        req_tx(r, return_tx, &x);
}

enum tx_result
return_confirm(struct dbconn *c, const struct dbres *f, const struct bank_notice *n, int64_t now,
               struct notice_row *row, cJSON *pl, int64_t *project)
{
    struct dbres h = {0};
    cJSON *postings = NULL;
    enum tx_result t = TX_DBFAIL;
    int64_t refund = dbres_i64(f, 0, RC_ID), notice = dbres_i64(f, 0, RC_NOTICE);
    int64_t due = dbres_i64(f, 0, RC_DUE);
    if (store_notice_lock(c, notice, &h) != DB_OK || h.nrows != 1)
        goto out;
    int64_t sub = dbres_i64(&h, 0, NC_SUB);
    if (store_sub_project(c, sub, project) != DB_OK)
        goto out;
    bool paid = !strcmp(n->kind, "refund_paid"),
         late = paid && dbres_str(f, 0, RC_DUE) && n->value_us > due;
    /* paid: the payable leaves the bank; failed: the money is held again */
    struct posting p[2] = {{ACC_REFUNDS_PAYABLE, 0, n->amount},
                           {paid ? ACC_BANK : ACC_HELD, 0, -n->amount}};
    if (ledger_post(c, paid ? "return_paid" : "return_failed", *project, sub, n->txn, p, 2, now,
                    &row->entry, &postings) != DB_OK ||
        store_refund_done(c, refund, paid ? "paid" : "failed", n->value_us, late) != DB_OK ||
        (paid && store_notice_set_outcome(c, notice, "returned") != DB_OK) ||
        (!paid && refund_tell_failed(c, f, now) != DB_OK))
        goto out;
    row->outcome = paid ? "confirmed" : "failed";
    cJSON_AddStringToObject(pl, "outcome", row->outcome);
    json_add_i64(pl, "refund_id", refund);
    json_add_i64(pl, "returns_notice_id", notice);
    cJSON_AddStringToObject(pl, "returns_bank_txn", dbres_str(&h, 0, NC_TXN));
    json_add_i64(pl, "principal_fen", dbres_i64(f, 0, RC_PRINCIPAL));
    json_add_col_i64(pl, "due_us", f, 0, RC_DUE);
    cJSON_AddBoolToObject(pl, "late", late);
    cJSON_AddItemToObject(pl, "postings", postings);
    postings = NULL;
    t = TX_COMMIT;
out:
    cJSON_Delete(postings);
    dbres_free(&h);
    return t;
}
