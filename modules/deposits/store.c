/*
 * store.c — the deposits module's SQL, prepared statements only, named columns (store.h).
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "canon.h"
#include "deposits.h"
#include "store.h"
#include "util.h"

#define BASIC_SELECT  "SELECT " BASIC_COLS(DB_COL_SQL) DB_COL_END " FROM deposit_basic_accounts "
#define SUB_SELECT    "SELECT " SUB_COLS(DB_COL_SQL) DB_COL_END " FROM deposit_subaccounts "
#define NOTICE_SELECT "SELECT " NOTICE_COLS(DB_COL_SQL) DB_COL_END " FROM deposit_notices "
#define REFUND_SELECT "SELECT " REFUND_COLS(DB_COL_SQL) DB_COL_END " FROM deposit_refunds "
#define NOTICE_LIST                                                                                \
    "SELECT " NOTICE_COLS(DB_COL_SQL) NOTICE_VIEW_COLS(DB_COL_SQL) DB_COL_END                      \
        " FROM deposit_notices "
#define REFUND_LIST                                                                                \
    "SELECT " REFUND_COLS(DB_COL_SQL) REFUND_VIEW_COLS(DB_COL_SQL) DB_COL_END                      \
        " FROM deposit_refunds "
#define GUARANTEE_SELECT "SELECT " GUARANTEE_COLS(DB_COL_SQL) DB_COL_END " FROM deposit_guarantees "
#define FORFEIT_SELECT   "SELECT " FORFEIT_COLS(DB_COL_SQL) DB_COL_END " FROM deposit_forfeitures "

static const char *const account_sql[ACC__COUNT] = {
    "bank", "sub", "held", "refunds_payable", "interest_expense", "forfeited"};

/* One value of a one-row statement (0 when no row or NULL). */
static enum db_status
one_i64(struct dbconn *c, const char *sql, const struct dbv *p, size_t np, int64_t *v)
{
    struct dbres r;
    enum db_status st = db_query(c, sql, p, np, &r);
    *v = st == DB_OK && r.nrows == 1 ? dbres_i64(&r, 0, DB_VALUE) : 0;
    dbres_free(&r);
    return st;
}

/* ---- basic accounts ---- */

enum db_status
store_basic_insert(struct dbconn *c, int64_t org, const char *account, const char *bank,
                   const char *holder, int64_t user, int64_t now, int64_t *id)
{
    static const char sql[] =
        "INSERT INTO deposit_basic_accounts (org_id, account_no, bank_name, holder_name, state, "
        "requested_by, requested_us, pending_org) VALUES (?, ?, ?, ?, 'pending', ?, ?, ?)";
    struct dbv p[] = {DBV_INT(org),  DBV_STR(account), DBV_STR(bank), DBV_STR(holder),
                      DBV_INT(user), DBV_INT(now),     DBV_INT(org)};
    uint64_t iid = 0;
    enum db_status st = db_exec(c, sql, p, ARRAY_LEN(p), NULL, &iid);
    *id = (int64_t)iid;
    return st;
}

enum db_status
store_basic_get(struct dbconn *c, int64_t id, bool lock, struct dbres *out)
{
    static const char sql[] = BASIC_SELECT "WHERE id = ?";
    static const char sql_lock[] = BASIC_SELECT "WHERE id = ? FOR UPDATE";
    struct dbv p[] = {DBV_INT(id)};
    return db_query(c, lock ? sql_lock : sql, p, 1, out);
}

enum db_status
store_basic_list(struct dbconn *c, int64_t org, const char *state, int64_t before, int64_t limit,
                 struct dbres *out)
{
    static const char sql[] = BASIC_SELECT "WHERE (? = 0 OR org_id = ?) AND (? = '' OR state = ?) "
                                           "AND (? = 0 OR id < ?) ORDER BY id DESC LIMIT ?";
    const char *s = state ? state : "";
    struct dbv p[] = {DBV_INT(org),    DBV_INT(org),    DBV_STR(s),    DBV_STR(s),
                      DBV_INT(before), DBV_INT(before), DBV_INT(limit)};
    return db_query(c, sql, p, ARRAY_LEN(p), out);
}

enum db_status
store_basic_approved(struct dbconn *c, int64_t org, struct dbres *out)
{
    static const char sql[] = BASIC_SELECT "WHERE approved_org = ?";
    struct dbv p[] = {DBV_INT(org)};
    return db_query(c, sql, p, 1, out);
}

enum db_status
store_basic_decide(struct dbconn *c, int64_t id, int64_t org, bool approve, int64_t user,
                   const char *reason, int64_t now)
{
    static const char sql_replace[] =
        "UPDATE deposit_basic_accounts SET state = 'replaced', approved_org = NULL "
        "WHERE approved_org = ?";
    static const char sql_decide[] =
        "UPDATE deposit_basic_accounts SET state = ?, decided_by = ?, decided_us = ?, reason = ?, "
        "pending_org = NULL, approved_org = ? WHERE id = ? AND state = 'pending'";
    enum db_status st = DB_OK;
    if (approve) {
        struct dbv q[] = {DBV_INT(org)};
        st = db_exec(c, sql_replace, q, 1, NULL, NULL);
    }
    if (st != DB_OK)
        return st;
    struct dbv p[] = {DBV_STR(approve ? "approved" : "refused"),
                      DBV_INT(user),
                      DBV_INT(now),
                      reason ? DBV_STR(reason) : DBV_NUL,
                      approve ? DBV_INT(org) : DBV_NUL,
                      DBV_INT(id)};
    uint64_t n = 0;
    st = db_exec(c, sql_decide, p, ARRAY_LEN(p), &n, NULL);
    return st == DB_OK && n != 1 ? DB_RETRY : st;
}

/* ---- sub-accounts ---- */

enum db_status
store_sub_get(struct dbconn *c, int64_t project, int64_t lot, int64_t org, bool lock,
              struct dbres *out)
{
    static const char sql[] = SUB_SELECT "WHERE project_id = ? AND lot_seq = ? AND org_id = ?";
    static const char sql_lock[] =
        SUB_SELECT "WHERE project_id = ? AND lot_seq = ? AND org_id = ? FOR UPDATE";
    struct dbv p[] = {DBV_INT(project), DBV_INT(lot), DBV_INT(org)};
    return db_query(c, lock ? sql_lock : sql, p, ARRAY_LEN(p), out);
}

enum db_status
store_subs_of_lot(struct dbconn *c, int64_t project, int64_t lot, struct dbres *out)
{
    static const char sql[] = SUB_SELECT "WHERE project_id = ? AND lot_seq = ? ORDER BY org_id";
    struct dbv p[] = {DBV_INT(project), DBV_INT(lot)};
    return db_query(c, sql, p, ARRAY_LEN(p), out);
}

enum db_status
store_subs(struct dbconn *c, int64_t org, int64_t project, int64_t before, int64_t limit,
           struct dbres *out)
{
    static const char sql[] = SUB_SELECT "WHERE (? = 0 OR org_id = ?) AND (? = 0 OR project_id = "
                                         "?) AND (? = 0 OR id < ?) ORDER BY id DESC LIMIT ?";
    struct dbv p[] = {DBV_INT(org),    DBV_INT(org),    DBV_INT(project), DBV_INT(project),
                      DBV_INT(before), DBV_INT(before), DBV_INT(limit)};
    return db_query(c, sql, p, ARRAY_LEN(p), out);
}

enum db_status
store_sub_project(struct dbconn *c, int64_t sub, int64_t *project)
{
    static const char sql[] = "SELECT project_id FROM deposit_subaccounts WHERE id = ?";
    struct dbv p[] = {DBV_INT(sub)};
    struct dbres r = {0};
    *project = 0;
    if (!sub)
        return DB_OK;
    enum db_status st = db_query(c, sql, p, 1, &r);
    if (st == DB_OK && r.nrows == 1)
        *project = dbres_i64(&r, 0, DB_VALUE);
    dbres_free(&r);
    return st;
}

enum db_status
store_sub_by_id(struct dbconn *c, int64_t id, bool lock, struct dbres *out)
{
    static const char sql[] = SUB_SELECT "WHERE id = ?";
    static const char sql_lock[] = SUB_SELECT "WHERE id = ? FOR UPDATE";
    struct dbv p[] = {DBV_INT(id)};
    return db_query(c, lock ? sql_lock : sql, p, 1, out);
}

enum db_status
store_sub_by_number(struct dbconn *c, const char *number, struct dbres *out)
{
    static const char sql[] = SUB_SELECT "WHERE number = ? FOR UPDATE";
    struct dbv p[] = {DBV_STR(number)};
    return db_query(c, sql, p, 1, out);
}

enum db_status
store_sub_insert(struct dbconn *c, int64_t project, int64_t lot, int64_t org, int64_t required,
                 int category, int64_t deadline, int64_t now, int64_t *id)
{
    static const char sql[] =
        "INSERT INTO deposit_subaccounts (project_id, lot_seq, org_id, required_fen, category, "
        "deadline_us, state, created_us) VALUES (?, ?, ?, ?, ?, ?, 'open', ?)";
    struct dbv p[] = {DBV_INT(project),  DBV_INT(lot),      DBV_INT(org), DBV_INT(required),
                      DBV_INT(category), DBV_INT(deadline), DBV_INT(now)};
    uint64_t iid = 0;
    enum db_status st = db_exec(c, sql, p, ARRAY_LEN(p), NULL, &iid);
    *id = (int64_t)iid;
    return st;
}

enum db_status
store_sub_set_number(struct dbconn *c, int64_t id, const char *number)
{
    static const char sql[] = "UPDATE deposit_subaccounts SET number = ? WHERE id = ?";
    struct dbv p[] = {DBV_STR(number), DBV_INT(id)};
    return db_exec(c, sql, p, 2, NULL, NULL);
}

enum db_status
store_sub_set_state(struct dbconn *c, int64_t id, const char *state)
{
    static const char sql[] = "UPDATE deposit_subaccounts SET state = ? WHERE id = ?";
    struct dbv p[] = {DBV_STR(state), DBV_INT(id)};
    return db_exec(c, sql, p, 2, NULL, NULL);
}

enum db_status
store_sub_balance(struct dbconn *c, int64_t id, int64_t *fen)
{
    static const char sql[] = "SELECT CAST(-COALESCE(SUM(fen), 0) AS SIGNED) FROM "
                              "deposit_postings WHERE account = 'sub' AND ref = ?";
    struct dbv p[] = {DBV_INT(id)};
    return one_i64(c, sql, p, 1, fen);
}

enum db_status
store_sub_credited(struct dbconn *c, int64_t id, int64_t by, int64_t *fen)
{
    static const char sql[] =
        "SELECT CAST(COALESCE(SUM(amount_fen), 0) AS SIGNED) FROM deposit_notices WHERE "
        "subaccount_id = ? AND kind = 'arrival' AND outcome = 'credited' AND value_us <= ?";
    struct dbv p[] = {DBV_INT(id), DBV_INT(by)};
    return one_i64(c, sql, p, 2, fen);
}

enum db_status
store_credited_of_lot(struct dbconn *c, int64_t project, int64_t lot, int64_t by, struct dbres *out)
{
    static const char sql[] = "SELECT " CREDITED_COLS(DB_COL_SQL) DB_COL_END
        " FROM deposit_subaccounts s JOIN "
        "deposit_notices n ON n.subaccount_id = s.id WHERE s.project_id = ? AND s.lot_seq = ? AND "
        "n.kind = 'arrival' AND n.outcome = 'credited' AND n.value_us <= ? GROUP BY s.id ORDER BY "
        "s.id";
    struct dbv p[] = {DBV_INT(project), DBV_INT(lot), DBV_INT(by)};
    return db_query(c, sql, p, ARRAY_LEN(p), out);
}

enum db_status
store_subs_open(struct dbconn *c, int64_t after, int64_t limit, struct dbres *out)
{
    static const char sql[] = SUB_SELECT "WHERE state = 'open' AND id > ? AND EXISTS (SELECT 1 "
                                         "FROM deposit_postings WHERE account = 'sub' AND ref = "
                                         "deposit_subaccounts.id) ORDER BY id LIMIT ?";
    struct dbv p[] = {DBV_INT(after), DBV_INT(limit)};
    return db_query(c, sql, p, 2, out);
}

/* ---- the ledger ---- */

enum db_status
store_entry_insert(struct dbconn *c, const char *kind, int64_t project, int64_t sub,
                   const char *memo, int64_t now, int64_t *id)
{
    static const char sql[] = "INSERT INTO deposit_entries (kind, project_id, subaccount_id, memo, "
                              "created_us) VALUES (?, ?, ?, ?, ?)";
    struct dbv p[] = {DBV_STR(kind), project ? DBV_INT(project) : DBV_NUL,
                      sub ? DBV_INT(sub) : DBV_NUL, DBV_STR(memo), DBV_INT(now)};
    uint64_t iid = 0;
    enum db_status st = db_exec(c, sql, p, ARRAY_LEN(p), NULL, &iid);
    *id = (int64_t)iid;
    return st;
}

enum db_status
store_posting_insert(struct dbconn *c, int64_t entry, enum dep_account a, int64_t ref, int64_t fen)
{
    static const char sql[] =
        "INSERT INTO deposit_postings (entry_id, account, ref, fen) VALUES (?, ?, ?, ?)";
    if (a >= ACC__COUNT)
        return DB_ERROR;
    struct dbv p[] = {DBV_INT(entry), DBV_STR(account_sql[a]), DBV_INT(ref), DBV_INT(fen)};
    return db_exec(c, sql, p, ARRAY_LEN(p), NULL, NULL);
}

enum db_status
store_balances(struct dbconn *c, struct dbres *out)
{
    static const char sql[] = "SELECT " BALANCE_COLS(DB_COL_SQL) DB_COL_END
        " FROM deposit_postings GROUP BY account ORDER BY account";
    return db_query(c, sql, NULL, 0, out);
}

enum db_status
store_unbalanced(struct dbconn *c, struct dbres *out)
{
    static const char sql[] = "SELECT entry_id FROM deposit_postings GROUP BY entry_id HAVING "
                              "SUM(fen) <> 0 ORDER BY entry_id LIMIT 10";
    return db_query(c, sql, NULL, 0, out);
}

enum db_status
store_entries(struct dbconn *c, int64_t after, int64_t limit, struct dbres *out)
{
    static const char sql[] = "SELECT " ENTRY_COLS(DB_COL_SQL) DB_COL_END
        " FROM deposit_entries WHERE id > ? ORDER BY id LIMIT ?";
    struct dbv p[] = {DBV_INT(after), DBV_INT(limit)};
    return db_query(c, sql, p, 2, out);
}

enum db_status
store_postings_between(struct dbconn *c, int64_t from, int64_t to, struct dbres *out)
{
    static const char sql[] = "SELECT " POSTING_COLS(DB_COL_SQL) DB_COL_END
        " FROM deposit_postings WHERE entry_id BETWEEN ? AND ? ORDER BY entry_id, id";
    struct dbv p[] = {DBV_INT(from), DBV_INT(to)};
    return db_query(c, sql, p, 2, out);
}

/* ---- notices ---- */

enum db_status
store_notice_insert(struct dbconn *c, const struct notice_row *n, int64_t *id)
{
    static const char sql[] =
        "INSERT INTO deposit_notices (bank_txn, kind, account, amount_fen, payer_account, "
        "payer_name, instrument, refund_id, value_us, signed_us, received_us, outcome, "
        "hold_reason, subaccount_id, entry_id, notice) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
        "?, ?, ?, ?, ?)";
    struct dbv p[] = {DBV_STR(n->txn),
                      DBV_STR(n->kind),
                      DBV_STR(n->account),
                      DBV_INT(n->amount),
                      n->payer ? DBV_STR(n->payer) : DBV_NUL,
                      n->payer_name ? DBV_STR(n->payer_name) : DBV_NUL,
                      n->instrument ? DBV_STR(n->instrument) : DBV_NUL,
                      n->refund ? DBV_INT(n->refund) : DBV_NUL,
                      DBV_INT(n->value_us),
                      DBV_INT(n->signed_us),
                      DBV_INT(n->received_us),
                      DBV_STR(n->outcome),
                      n->hold ? DBV_STR(n->hold) : DBV_NUL,
                      n->sub ? DBV_INT(n->sub) : DBV_NUL,
                      n->entry ? DBV_INT(n->entry) : DBV_NUL,
                      DBV_STR(n->notice)};
    uint64_t iid = 0;
    enum db_status st = db_exec(c, sql, p, ARRAY_LEN(p), NULL, &iid);
    *id = (int64_t)iid;
    return st;
}

enum db_status
store_notice_by_txn(struct dbconn *c, const char *txn, struct dbres *out)
{
    static const char sql[] = NOTICE_SELECT "WHERE bank_txn = ? FOR UPDATE";
    struct dbv p[] = {DBV_STR(txn)};
    return db_query(c, sql, p, 1, out);
}

enum db_status
store_notice_get(struct dbconn *c, int64_t id, struct dbres *out)
{
    static const char sql[] = NOTICE_SELECT "WHERE id = ?";
    struct dbv p[] = {DBV_INT(id)};
    return db_query(c, sql, p, 1, out);
}

enum db_status
store_notice_lock(struct dbconn *c, int64_t id, struct dbres *out)
{
    static const char sql[] = NOTICE_SELECT "WHERE id = ? FOR UPDATE";
    struct dbv p[] = {DBV_INT(id)};
    return db_query(c, sql, p, 1, out);
}

enum db_status
store_notice_set_outcome(struct dbconn *c, int64_t id, const char *outcome)
{
    static const char sql[] = "UPDATE deposit_notices SET outcome = ? WHERE id = ?";
    struct dbv p[] = {DBV_STR(outcome), DBV_INT(id)};
    return db_exec(c, sql, p, 2, NULL, NULL);
}

enum db_status
store_notice_set_entry(struct dbconn *c, int64_t id, int64_t entry)
{
    static const char sql[] = "UPDATE deposit_notices SET entry_id = ? WHERE id = ?";
    struct dbv p[] = {DBV_INT(entry), DBV_INT(id)};
    return db_exec(c, sql, p, 2, NULL, NULL);
}

enum db_status
store_notices(struct dbconn *c, const char *outcome, int64_t before, int64_t limit,
              struct dbres *out)
{
    static const char sql[] = NOTICE_LIST "WHERE (? = '' OR outcome = ?) AND (? = 0 OR id < ?) "
                                          "ORDER BY id DESC LIMIT ?";
    const char *o = outcome ? outcome : "";
    struct dbv p[] = {DBV_STR(o), DBV_STR(o), DBV_INT(before), DBV_INT(before), DBV_INT(limit)};
    return db_query(c, sql, p, ARRAY_LEN(p), out);
}

enum db_status
store_notices_of_sub(struct dbconn *c, int64_t sub, struct dbres *out)
{
    static const char sql[] = NOTICE_SELECT "WHERE subaccount_id = ? ORDER BY id";
    struct dbv p[] = {DBV_INT(sub)};
    return db_query(c, sql, p, 1, out);
}

enum db_status
store_payer_others(struct dbconn *c, int64_t project, int64_t lot, const char *payer, int64_t org,
                   struct dbres *out)
{
    static const char sql[] =
        "SELECT DISTINCT s.org_id FROM deposit_notices n JOIN deposit_subaccounts s ON s.id = "
        "n.subaccount_id WHERE s.project_id = ? AND s.lot_seq = ? AND n.payer_account = ? AND "
        "n.kind = 'arrival' AND s.org_id <> ? ORDER BY s.org_id";
    struct dbv p[] = {DBV_INT(project), DBV_INT(lot), DBV_STR(payer), DBV_INT(org)};
    return db_query(c, sql, p, ARRAY_LEN(p), out);
}

/* ---- flags ---- */

enum db_status
store_flag_insert(struct dbconn *c, int64_t project, int64_t lot, const char *payer, int64_t a,
                  int64_t b, int64_t notice, int64_t now)
{
    static const char sql[] = "INSERT IGNORE INTO deposit_flags (project_id, lot_seq, "
                              "payer_account, org_a, org_b, notice_id, created_us) VALUES (?, ?, "
                              "?, ?, ?, ?, ?)";
    struct dbv p[] = {
        DBV_INT(project),       DBV_INT(lot),    DBV_STR(payer), DBV_INT(a < b ? a : b),
        DBV_INT(a < b ? b : a), DBV_INT(notice), DBV_INT(now)};
    return db_exec(c, sql, p, ARRAY_LEN(p), NULL, NULL);
}

enum db_status
store_flags(struct dbconn *c, int64_t project, int64_t lot, struct dbres *out)
{
    static const char sql[] = "SELECT " FLAG_COLS(DB_COL_SQL) DB_COL_END
        " FROM deposit_flags WHERE project_id = ? AND (? = 0 OR lot_seq = ?) ORDER BY id";
    struct dbv p[] = {DBV_INT(project), DBV_INT(lot), DBV_INT(lot)};
    return db_query(c, sql, p, ARRAY_LEN(p), out);
}

/* ---- refunds ---- */

enum db_status
store_refund_insert(struct dbconn *c, const struct refund_row *f, int64_t *id)
{
    static const char sql[] =
        "INSERT INTO deposit_refunds (subaccount_id, notice_id, reason, cause, basis, "
        "principal_fen, interest_fen, fee_fen, to_account, to_name, event_us, due_us, "
        "due_provisional, state, instruction, created_us, active_sub, active_notice) VALUES (?, ?, "
        "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'instructed', ?, ?, ?, ?)";
    struct dbv sub = f->sub ? DBV_INT(f->sub) : DBV_NUL,
               notice = f->notice ? DBV_INT(f->notice) : DBV_NUL;
    struct dbv p[] = {sub,
                      notice,
                      f->reason ? DBV_STR(f->reason) : DBV_NUL,
                      DBV_STR(f->cause),
                      DBV_STR(f->basis),
                      DBV_INT(f->principal),
                      DBV_INT(f->interest),
                      DBV_INT(f->fee),
                      DBV_STR(f->to_account),
                      DBV_STR(f->to_name),
                      DBV_INT(f->event_us),
                      f->due_known ? DBV_INT(f->due_us) : DBV_NUL,
                      DBV_INT(f->due_provisional),
                      DBV_STR(f->instruction),
                      DBV_INT(f->now),
                      sub,
                      notice};
    uint64_t iid = 0;
    enum db_status st = db_exec(c, sql, p, ARRAY_LEN(p), NULL, &iid);
    *id = (int64_t)iid;
    return st;
}

enum db_status
store_refund_set_instruction(struct dbconn *c, int64_t id, const char *text)
{
    static const char sql[] = "UPDATE deposit_refunds SET instruction = ? WHERE id = ?";
    struct dbv p[] = {DBV_STR(text), DBV_INT(id)};
    return db_exec(c, sql, p, 2, NULL, NULL);
}

enum db_status
store_refund_get(struct dbconn *c, int64_t id, bool lock, struct dbres *out)
{
    static const char sql[] = REFUND_SELECT "WHERE id = ?";
    static const char sql_lock[] = REFUND_SELECT "WHERE id = ? FOR UPDATE";
    struct dbv p[] = {DBV_INT(id)};
    return db_query(c, lock ? sql_lock : sql, p, 1, out);
}

enum db_status
store_refunds_instructed(struct dbconn *c, int64_t limit, struct dbres *out)
{
    static const char sql[] = REFUND_SELECT "WHERE state = 'instructed' ORDER BY id LIMIT ?";
    struct dbv p[] = {DBV_INT(limit)};
    return db_query(c, sql, p, 1, out);
}

enum db_status
store_refund_sent(struct dbconn *c, int64_t id, int64_t now)
{
    static const char sql[] = "UPDATE deposit_refunds SET state = 'sent', sent_us = ? WHERE id = ? "
                              "AND state = 'instructed'";
    struct dbv p[] = {DBV_INT(now), DBV_INT(id)};
    return db_exec(c, sql, p, 2, NULL, NULL);
}

enum db_status
store_refund_last_failed(struct dbconn *c, int64_t sub, int64_t *failed_us)
{
    static const char sql[] = "SELECT state, paid_us FROM deposit_refunds WHERE subaccount_id = ? "
                              "ORDER BY id DESC LIMIT 1";
    enum { LF_STATE, LF_AT };
    struct dbv p[] = {DBV_INT(sub)};
    struct dbres r = {0};
    enum db_status st = db_query(c, sql, p, 1, &r);
    *failed_us = st == DB_OK && r.nrows == 1 && !strcmp(dbres_str(&r, 0, LF_STATE), "failed")
                     ? dbres_i64(&r, 0, LF_AT)
                     : 0;
    dbres_free(&r);
    return st;
}

enum db_status
store_refund_done(struct dbconn *c, int64_t id, const char *state, int64_t paid_us, bool late)
{
    static const char sql[] = "UPDATE deposit_refunds SET state = ?, paid_us = ?, late = ?, "
                              "active_sub = NULL, active_notice = NULL WHERE id = ?";
    struct dbv p[] = {DBV_STR(state), paid_us ? DBV_INT(paid_us) : DBV_NUL, DBV_INT(late ? 1 : 0),
                      DBV_INT(id)};
    return db_exec(c, sql, p, ARRAY_LEN(p), NULL, NULL);
}

enum db_status
store_refunds(struct dbconn *c, const char *state, bool late, int64_t before, int64_t limit,
              struct dbres *out)
{
    static const char sql[] = REFUND_LIST "WHERE (? = '' OR state = ?) AND (? = 0 OR late = 1 OR "
                                          "late_flagged_us IS NOT NULL) AND (? = 0 OR id < ?) "
                                          "ORDER BY id DESC LIMIT ?";
    const char *s = state ? state : "";
    struct dbv p[] = {DBV_STR(s),      DBV_STR(s),      DBV_INT(late ? 1 : 0),
                      DBV_INT(before), DBV_INT(before), DBV_INT(limit)};
    return db_query(c, sql, p, ARRAY_LEN(p), out);
}

enum db_status
store_refunds_of_sub(struct dbconn *c, int64_t sub, struct dbres *out)
{
    static const char sql[] = REFUND_SELECT "WHERE subaccount_id = ? ORDER BY id";
    struct dbv p[] = {DBV_INT(sub)};
    return db_query(c, sql, p, 1, out);
}

enum db_status
store_refunds_due_unsettled(struct dbconn *c, struct dbres *out)
{
    static const char sql[] = REFUND_SELECT "WHERE state IN ('instructed', 'sent', 'failed') AND "
                                            "(due_provisional = 1 OR due_us IS NULL) ORDER BY id";
    return db_query(c, sql, NULL, 0, out);
}

enum db_status
store_refund_set_due(struct dbconn *c, int64_t id, int64_t due_us, bool provisional)
{
    static const char sql[] =
        "UPDATE deposit_refunds SET due_us = ?, due_provisional = ? WHERE id = ?";
    struct dbv p[] = {DBV_INT(due_us), DBV_INT(provisional), DBV_INT(id)};
    return db_exec(c, sql, p, ARRAY_LEN(p), NULL, NULL);
}

enum db_status
store_refunds_to_warn(struct dbconn *c, int64_t by, int64_t limit, struct dbres *out)
{
    static const char sql[] =
        REFUND_SELECT "WHERE state IN ('instructed', 'sent') AND warned_us IS "
                      "NULL AND (due_us <= ? OR due_us IS NULL) ORDER BY due_us, id LIMIT ?";
    struct dbv p[] = {DBV_INT(by), DBV_INT(limit)};
    return db_query(c, sql, p, 2, out);
}

enum db_status
store_refunds_overdue(struct dbconn *c, int64_t now, int64_t limit, struct dbres *out)
{
    static const char sql[] =
        REFUND_SELECT "WHERE state IN ('instructed', 'sent') AND late_flagged_us IS NULL AND "
                      "due_us < ? ORDER BY due_us, id LIMIT ?";
    struct dbv p[] = {DBV_INT(now), DBV_INT(limit)};
    return db_query(c, sql, p, 2, out);
}

enum db_status
store_refund_mark(struct dbconn *c, int64_t id, bool late_flag, int64_t now)
{
    static const char sql_warn[] =
        "UPDATE deposit_refunds SET warned_us = ? WHERE id = ? AND warned_us IS NULL";
    static const char sql_late[] =
        "UPDATE deposit_refunds SET late_flagged_us = ?, warned_us = "
        "COALESCE(warned_us, ?) WHERE id = ? AND late_flagged_us IS NULL";
    if (late_flag) {
        struct dbv p[] = {DBV_INT(now), DBV_INT(now), DBV_INT(id)};
        return db_exec(c, sql_late, p, 3, NULL, NULL);
    }
    struct dbv p[] = {DBV_INT(now), DBV_INT(id)};
    return db_exec(c, sql_warn, p, 2, NULL, NULL);
}

/* ---- events ---- */

enum db_status
store_event_insert(struct dbconn *c, int64_t project, const char *kind, int64_t lot, int64_t winner,
                   int64_t at)
{
    static const char sql[] = "INSERT IGNORE INTO deposit_events (project_id, kind, lot_seq, "
                              "winner_org, at_us) VALUES (?, ?, ?, ?, ?)";
    struct dbv p[] = {DBV_INT(project), DBV_STR(kind), DBV_INT(lot),
                      winner ? DBV_INT(winner) : DBV_NUL, DBV_INT(at)};
    return db_exec(c, sql, p, ARRAY_LEN(p), NULL, NULL);
}

enum db_status
store_events(struct dbconn *c, int64_t project, struct dbres *out)
{
    static const char sql[] =
        "SELECT " EVENT_COLS(DB_COL_SQL) DB_COL_END " FROM deposit_events WHERE project_id = ?";
    struct dbv p[] = {DBV_INT(project)};
    return db_query(c, sql, p, 1, out);
}

/* ---- guarantees ---- */

enum db_status
store_guarantee_insert(struct dbconn *c, const struct guarantee_row *g, int64_t *id)
{
    static const char sql[] =
        "INSERT INTO deposit_guarantees (issuer_code, guarantee_no, issuer_name, issuer_key_id, "
        "verify_ref, project_id, lot_seq, org_id, amount_fen, valid_from_us, valid_until_us, "
        "signed_us, received_us, state, guarantee) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
        "'valid', ?)";
    struct dbv p[] = {DBV_STR(g->issuer),      DBV_STR(g->number),   DBV_STR(g->issuer_name),
                      DBV_STR(g->key_id),      DBV_STR(g->ref),      DBV_INT(g->project),
                      DBV_INT(g->lot),         DBV_INT(g->org),      DBV_INT(g->amount),
                      DBV_INT(g->from_us),     DBV_INT(g->until_us), DBV_INT(g->signed_us),
                      DBV_INT(g->received_us), DBV_STR(g->text)};
    uint64_t iid = 0;
    enum db_status st = db_exec(c, sql, p, ARRAY_LEN(p), NULL, &iid);
    *id = (int64_t)iid;
    return st;
}

enum db_status
store_guarantee_get(struct dbconn *c, int64_t id, bool lock, struct dbres *out)
{
    static const char sql[] = GUARANTEE_SELECT "WHERE id = ?";
    static const char sql_lock[] = GUARANTEE_SELECT "WHERE id = ? FOR UPDATE";
    struct dbv p[] = {DBV_INT(id)};
    return db_query(c, lock ? sql_lock : sql, p, 1, out);
}

enum db_status
store_guarantee_by_number(struct dbconn *c, const char *issuer, const char *number,
                          struct dbres *out)
{
    static const char sql[] =
        GUARANTEE_SELECT "WHERE issuer_code = ? AND guarantee_no = ? FOR UPDATE";
    struct dbv p[] = {DBV_STR(issuer), DBV_STR(number)};
    return db_query(c, sql, p, 2, out);
}

enum db_status
store_guarantees(struct dbconn *c, int64_t project, int64_t lot, int64_t org, int64_t before,
                 int64_t limit, struct dbres *out)
{
    static const char sql[] =
        GUARANTEE_SELECT "WHERE (? = 0 OR project_id = ?) AND (? = 0 OR lot_seq = ?) AND "
                         "(? = 0 OR org_id = ?) AND (? = 0 OR id < ?) ORDER BY id DESC LIMIT ?";
    struct dbv p[] = {DBV_INT(project), DBV_INT(project), DBV_INT(lot),
                      DBV_INT(lot),     DBV_INT(org),     DBV_INT(org),
                      DBV_INT(before),  DBV_INT(before),  DBV_INT(limit)};
    return db_query(c, sql, p, ARRAY_LEN(p), out);
}

enum db_status
store_guarantee_cover(struct dbconn *c, int64_t project, int64_t lot, int64_t org, int64_t by,
                      int64_t from, int64_t until, int64_t *fen, int64_t *id)
{
    static const char sql[] = "SELECT id, amount_fen FROM deposit_guarantees WHERE project_id = ? "
                              "AND lot_seq = ? AND org_id = ? AND state = 'valid' AND "
                              "received_us <= ? AND valid_from_us <= ? AND valid_until_us >= ? "
                              "ORDER BY amount_fen DESC, id LIMIT 1";
    enum { G_ID, G_AMOUNT };
    struct dbv p[] = {DBV_INT(project), DBV_INT(lot),  DBV_INT(org),
                      DBV_INT(by),      DBV_INT(from), DBV_INT(until)};
    struct dbres r;
    enum db_status st = db_query(c, sql, p, ARRAY_LEN(p), &r);
    bool one = st == DB_OK && r.nrows == 1;
    *fen = one ? dbres_i64(&r, 0, G_AMOUNT) : 0;
    *id = one ? dbres_i64(&r, 0, G_ID) : 0;
    dbres_free(&r);
    return st;
}

enum db_status
store_guarantee_set_state(struct dbconn *c, int64_t id, const char *state)
{
    static const char sql[] = "UPDATE deposit_guarantees SET state = ? WHERE id = ?";
    struct dbv p[] = {DBV_STR(state), DBV_INT(id)};
    return db_exec(c, sql, p, 2, NULL, NULL);
}

/* ---- forfeitures ---- */

enum db_status
store_forfeit_insert(struct dbconn *c, const struct forfeit_row *f, int64_t *id)
{
    static const char sql[] =
        "INSERT INTO deposit_forfeitures (project_id, lot_seq, org_id, subaccount_id, "
        "guarantee_id, ground, article, reason, amount_fen, proposed_by, proposed_us, state, "
        "active_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'proposed', ?)";
    char key[64];
    snprintf(key, sizeof key, "%lld:%lld:%lld", (long long)f->project, (long long)f->lot,
             (long long)f->org);
    struct dbv p[] = {DBV_INT(f->project),
                      DBV_INT(f->lot),
                      DBV_INT(f->org),
                      f->sub ? DBV_INT(f->sub) : DBV_NUL,
                      f->guarantee ? DBV_INT(f->guarantee) : DBV_NUL,
                      DBV_STR(f->ground),
                      DBV_STR(f->article),
                      DBV_STR(f->reason),
                      DBV_INT(f->amount),
                      DBV_INT(f->user),
                      DBV_INT(f->now),
                      DBV_STR(key)};
    uint64_t iid = 0;
    enum db_status st = db_exec(c, sql, p, ARRAY_LEN(p), NULL, &iid);
    *id = (int64_t)iid;
    return st;
}

enum db_status
store_forfeit_get(struct dbconn *c, int64_t id, bool lock, struct dbres *out)
{
    static const char sql[] = FORFEIT_SELECT "WHERE id = ?";
    static const char sql_lock[] = FORFEIT_SELECT "WHERE id = ? FOR UPDATE";
    struct dbv p[] = {DBV_INT(id)};
    return db_query(c, lock ? sql_lock : sql, p, 1, out);
}

enum db_status
store_forfeit_decide(struct dbconn *c, int64_t id, bool approve, int64_t user, const char *reason,
                     int64_t now)
{
    static const char sql[] = "UPDATE deposit_forfeitures SET state = ?, decided_by = ?, "
                              "decided_us = ?, decision_reason = ?, active_key = IF(? = 1, "
                              "active_key, NULL) WHERE id = ? AND state = 'proposed'";
    struct dbv p[] = {DBV_STR(approve ? "approved" : "rejected"),
                      DBV_INT(user),
                      DBV_INT(now),
                      DBV_STR(reason),
                      DBV_INT(approve ? 1 : 0),
                      DBV_INT(id)};
    uint64_t n = 0;
    enum db_status st = db_exec(c, sql, p, ARRAY_LEN(p), &n, NULL);
    return st == DB_OK && n != 1 ? DB_RETRY : st;
}

enum db_status
store_forfeits(struct dbconn *c, int64_t project, struct dbres *out)
{
    static const char sql[] = FORFEIT_SELECT "WHERE project_id = ? ORDER BY id";
    struct dbv p[] = {DBV_INT(project)};
    return db_query(c, sql, p, 1, out);
}

enum db_status
store_forfeit_open(struct dbconn *c, int64_t project, int64_t lot, int64_t org, bool *open)
{
    static const char sql[] = "SELECT COUNT(*) FROM deposit_forfeitures WHERE project_id = ? AND "
                              "lot_seq = ? AND org_id = ? AND state IN ('proposed', 'approved')";
    struct dbv p[] = {DBV_INT(project), DBV_INT(lot), DBV_INT(org)};
    int64_t n;
    enum db_status st = one_i64(c, sql, p, 3, &n);
    *open = n > 0;
    return st;
}

/* ---- statements ---- */

#define STATEMENT_SELECT "SELECT " STATEMENT_COLS(DB_COL_SQL) DB_COL_END " FROM deposit_statements "

enum db_status
store_statement_by_date(struct dbconn *c, const char *date, struct dbres *out)
{
    static const char sql[] = STATEMENT_SELECT "WHERE statement_date = ? FOR UPDATE";
    struct dbv p[] = {DBV_STR(date)};
    return db_query(c, sql, p, 1, out);
}

enum db_status
store_statement_insert(struct dbconn *c, const char *date, int64_t now, int64_t lines,
                       int64_t matched, const char *differences, const char *text, int64_t *id)
{
    static const char sql[] =
        "INSERT INTO deposit_statements (statement_date, received_us, line_count, "
        "matched, differences, statement) VALUES (?, ?, ?, ?, ?, ?)";
    struct dbv p[] = {DBV_STR(date),    DBV_INT(now),         DBV_INT(lines),
                      DBV_INT(matched), DBV_STR(differences), DBV_STR(text)};
    uint64_t iid = 0;
    enum db_status st = db_exec(c, sql, p, ARRAY_LEN(p), NULL, &iid);
    *id = (int64_t)iid;
    return st;
}

enum db_status
store_statements(struct dbconn *c, int64_t before, int64_t limit, struct dbres *out)
{
    static const char sql[] = STATEMENT_SELECT "WHERE (? = 0 OR id < ?) ORDER BY id DESC LIMIT ?";
    struct dbv p[] = {DBV_INT(before), DBV_INT(before), DBV_INT(limit)};
    return db_query(c, sql, p, ARRAY_LEN(p), out);
}

enum db_status
store_notices_valued(struct dbconn *c, int64_t from, int64_t to, struct dbres *out)
{
    static const char sql[] = "SELECT bank_txn FROM deposit_notices WHERE value_us >= ? AND "
                              "value_us < ? ORDER BY id";
    struct dbv p[] = {DBV_INT(from), DBV_INT(to)};
    return db_query(c, sql, p, 2, out);
}

/* ---- the ledger against the log ---- */

static const char sql_alarm_get[] =
    "SELECT " ALARM_COLS(DB_COL_SQL) DB_COL_END " FROM deposit_alarms WHERE active_key = ?";
static const char sql_alarm_ins[] =
    "INSERT INTO deposit_alarms (what, state, why, first_us, raised_us, active_key) VALUES (?, ?, "
    "?, ?, IF(? = 'altered', ?, NULL), ?)";
static const char sql_alarm_raise[] = "UPDATE deposit_alarms SET state = 'altered', why = ?, "
                                      "raised_us = ? WHERE active_key = ?";
static const char sql_alarm_resolve[] = "UPDATE deposit_alarms SET state = 'resolved', "
                                        "resolved_us = ?, active_key = NULL WHERE active_key = ?";
static const char sql_alarms_raised[] =
    "SELECT COUNT(*) FROM deposit_alarms WHERE state = 'altered'";
static const char sql_alarms_open[] = "SELECT " ALARM_COLS(DB_COL_SQL) DB_COL_END
    " FROM deposit_alarms WHERE active_key IS NOT NULL ORDER BY id";
static const char sql_sub_postings[] =
    "SELECT fen FROM deposit_postings WHERE account = 'sub' AND ref = ? ORDER BY fen";
static const char sql_all_sub_postings[] = "SELECT " SUB_POSTING_COLS(DB_COL_SQL) DB_COL_END
    " FROM deposit_postings p JOIN deposit_entries e ON e.id = p.entry_id WHERE p.account = "
    "'sub' ORDER BY p.ref, p.fen";

enum db_status
store_alarm_get(struct dbconn *c, const char *key, struct dbres *out)
{
    struct dbv p[] = {DBV_STR(key)};
    return db_query(c, sql_alarm_get, p, 1, out);
}

enum db_status
store_alarm_insert(struct dbconn *c, const char *key, const char *state, const char *why,
                   int64_t now)
{
    char w[1000];
    snprintf(w, sizeof w, "%s", why); /* bounded to the column */
    struct dbv p[] = {DBV_STR(key),   DBV_STR(state), DBV_STR(w),  DBV_INT(now),
                      DBV_STR(state), DBV_INT(now),   DBV_STR(key)};
    return db_exec(c, sql_alarm_ins, p, ARRAY_LEN(p), NULL, NULL);
}

enum db_status
store_alarm_raise(struct dbconn *c, const char *key, const char *why, int64_t now)
{
    char w[1000];
    snprintf(w, sizeof w, "%s", why);
    struct dbv p[] = {DBV_STR(w), DBV_INT(now), DBV_STR(key)};
    return db_exec(c, sql_alarm_raise, p, ARRAY_LEN(p), NULL, NULL);
}

enum db_status
store_alarm_resolve(struct dbconn *c, const char *key, int64_t now)
{
    struct dbv p[] = {DBV_INT(now), DBV_STR(key)};
    return db_exec(c, sql_alarm_resolve, p, ARRAY_LEN(p), NULL, NULL);
}

enum db_status
store_alarms_raised(struct dbconn *c, int64_t *n)
{
    return one_i64(c, sql_alarms_raised, NULL, 0, n);
}

enum db_status
store_alarms_open(struct dbconn *c, struct dbres *out)
{
    return db_query(c, sql_alarms_open, NULL, 0, out);
}

enum db_status
store_sub_postings(struct dbconn *c, int64_t sub, struct dbres *out)
{
    struct dbv p[] = {DBV_INT(sub)};
    return db_query(c, sql_sub_postings, p, 1, out);
}

enum db_status
store_all_sub_postings(struct dbconn *c, struct dbres *out)
{
    return db_query(c, sql_all_sub_postings, NULL, 0, out);
}

enum db_status
store_return_active(struct dbconn *c, int64_t notice, bool *active)
{
    static const char sql[] = "SELECT COUNT(*) FROM deposit_refunds WHERE active_notice = ?";
    struct dbv p[] = {DBV_INT(notice)};
    struct dbres r;
    enum db_status st = db_query(c, sql, p, 1, &r);
    *active = st == DB_OK && r.nrows == 1 && dbres_i64(&r, 0, DB_VALUE) > 0;
    dbres_free(&r);
    return st;
}

#define SAME_PAYER_COLS(X)                                                                         \
    X(SX_A, "org_a")                                                                               \
    X(SX_B, "org_b")                                                                               \
    X(SX_ACCOUNT, "payer_account")
enum { SAME_PAYER_COLS(DB_COL_ENUM) SX__COUNT };

cJSON *
deposits_same_payer(struct dbconn *c, int64_t project, int64_t lot, enum db_status *st)
{
    static const char sql[] = "SELECT DISTINCT " SAME_PAYER_COLS(DB_COL_SQL) DB_COL_END
        " FROM deposit_flags WHERE project_id = ? AND lot_seq = ? ORDER BY org_a, org_b";
    struct dbv p[] = {DBV_INT(project), DBV_INT(lot)};
    struct dbres r;
    *st = db_query(c, sql, p, 2, &r);
    cJSON *a = *st == DB_OK ? cJSON_CreateArray() : NULL;
    for (size_t i = 0; a && i < r.nrows; i++) {
        cJSON *o = cJSON_CreateObject();
        json_add_i64(o, "org_a", dbres_i64(&r, i, SX_A));
        json_add_i64(o, "org_b", dbres_i64(&r, i, SX_B));
        cJSON_AddStringToObject(o, "payer_account", dbres_str(&r, i, SX_ACCOUNT));
        cJSON_AddItemToArray(a, o);
    }
    dbres_free(&r);
    return a;
}
