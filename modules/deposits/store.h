/*
 * store.h — the deposits module's SQL (store.c) and its rows' columns. Tables:
 * deposit_basic_accounts, deposit_subaccounts, deposit_entries, deposit_postings,
 * deposit_notices, deposit_refunds, deposit_events, deposit_flags, deposit_guarantees,
 * deposit_forfeitures (migration 0021).
 */
#ifndef GGZY_DEPOSITS_STORE_H
#define GGZY_DEPOSITS_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "db.h"
#include "deposits.h"

#define BASIC_COLS(X)                                                                              \
    X(BA_ID, "id")                                                                                 \
    X(BA_ORG, "org_id")                                                                            \
    X(BA_ACCOUNT, "account_no")                                                                    \
    X(BA_BANK, "bank_name")                                                                        \
    X(BA_HOLDER, "holder_name")                                                                    \
    X(BA_STATE, "state")                                                                           \
    X(BA_REQUESTED_BY, "requested_by")                                                             \
    X(BA_REQUESTED, "requested_us")                                                                \
    X(BA_DECIDED_BY, "decided_by")                                                                 \
    X(BA_DECIDED, "decided_us")                                                                    \
    X(BA_REASON, "reason")
enum { BASIC_COLS(DB_COL_ENUM) BA__COUNT };

#define SUB_COLS(X)                                                                                \
    X(SC_ID, "id")                                                                                 \
    X(SC_PROJECT, "project_id")                                                                    \
    X(SC_LOT, "lot_seq")                                                                           \
    X(SC_ORG, "org_id")                                                                            \
    X(SC_NUMBER, "number")                                                                         \
    X(SC_REQUIRED, "required_fen")                                                                 \
    X(SC_CATEGORY, "category")                                                                     \
    X(SC_DEADLINE, "deadline_us")                                                                  \
    X(SC_STATE, "state")                                                                           \
    X(SC_CREATED, "created_us")
enum { SUB_COLS(DB_COL_ENUM) SC__COUNT };

#define NOTICE_COLS(X)                                                                             \
    X(NC_ID, "id")                                                                                 \
    X(NC_TXN, "bank_txn")                                                                          \
    X(NC_KIND, "kind")                                                                             \
    X(NC_ACCOUNT, "account")                                                                       \
    X(NC_AMOUNT, "amount_fen")                                                                     \
    X(NC_PAYER, "payer_account")                                                                   \
    X(NC_PAYER_NAME, "payer_name")                                                                 \
    X(NC_INSTRUMENT, "instrument")                                                                 \
    X(NC_REFUND, "refund_id")                                                                      \
    X(NC_VALUE, "value_us")                                                                        \
    X(NC_SIGNED, "signed_us")                                                                      \
    X(NC_RECEIVED, "received_us")                                                                  \
    X(NC_OUTCOME, "outcome")                                                                       \
    X(NC_HOLD, "hold_reason")                                                                      \
    X(NC_SUB, "subaccount_id")                                                                     \
    X(NC_ENTRY, "entry_id")
enum { NOTICE_COLS(DB_COL_ENUM) NC__COUNT };
/* The list of notices (store_notices) also names the return under way of a held one (NULL when
 * none), after the row's own columns (a row read elsewhere has ncols <= NV_RETURN). */
#define NOTICE_VIEW_COLS(X)                                                                        \
    X(NV_RETURN, "(SELECT r.id FROM deposit_refunds r WHERE r.active_notice = "                    \
                 "deposit_notices.id)")
enum { NV__BEFORE = NC__COUNT - 1, NOTICE_VIEW_COLS(DB_COL_ENUM) NV__COUNT };

#define REFUND_COLS(X)                                                                             \
    X(RC_ID, "id")                                                                                 \
    X(RC_SUB, "subaccount_id")                                                                     \
    X(RC_NOTICE, "notice_id")                                                                      \
    X(RC_REASON, "reason")                                                                         \
    X(RC_CAUSE, "cause")                                                                           \
    X(RC_BASIS, "basis")                                                                           \
    X(RC_PRINCIPAL, "principal_fen")                                                               \
    X(RC_INTEREST, "interest_fen")                                                                 \
    X(RC_FEE, "fee_fen")                                                                           \
    X(RC_TO_ACCOUNT, "to_account")                                                                 \
    X(RC_TO_NAME, "to_name")                                                                       \
    X(RC_EVENT, "event_us")                                                                        \
    X(RC_DUE, "due_us")                                                                            \
    X(RC_DUE_PROVISIONAL, "due_provisional")                                                       \
    X(RC_STATE, "state")                                                                           \
    X(RC_INSTRUCTION, "instruction")                                                               \
    X(RC_CREATED, "created_us")                                                                    \
    X(RC_SENT, "sent_us")                                                                          \
    X(RC_PAID, "paid_us")                                                                          \
    X(RC_LATE, "late")                                                                             \
    X(RC_WARNED, "warned_us")                                                                      \
    X(RC_LATE_FLAGGED, "late_flagged_us")
enum { REFUND_COLS(DB_COL_ENUM) RC__COUNT };
/* The lists of refunds (store_refunds) also name whose they are: the sub-account's project, lot
 * and organization (a return's: its notice's sub-account's, if any; else NULL), after the row's
 * own columns (a row read elsewhere has ncols <= RV_PROJECT). */
#define REFUND_OWNER                                                                               \
    "COALESCE(subaccount_id, (SELECT n.subaccount_id FROM deposit_notices n WHERE n.id = "         \
    "notice_id))"
#define REFUND_VIEW_COLS(X)                                                                        \
    X(RV_PROJECT,                                                                                  \
      "(SELECT s.project_id FROM deposit_subaccounts s WHERE s.id = " REFUND_OWNER ")")            \
    X(RV_LOT, "(SELECT s.lot_seq FROM deposit_subaccounts s WHERE s.id = " REFUND_OWNER ")")       \
    X(RV_ORG, "(SELECT s.org_id FROM deposit_subaccounts s WHERE s.id = " REFUND_OWNER ")")
enum { RV__BEFORE = RC__COUNT - 1, REFUND_VIEW_COLS(DB_COL_ENUM) RV__COUNT };

#define ENTRY_COLS(X)                                                                              \
    X(EC_ID, "id")                                                                                 \
    X(EC_KIND, "kind")                                                                             \
    X(EC_PROJECT, "project_id")                                                                    \
    X(EC_SUB, "subaccount_id")                                                                     \
    X(EC_MEMO, "memo")                                                                             \
    X(EC_CREATED, "created_us")
enum { ENTRY_COLS(DB_COL_ENUM) EC__COUNT };

#define POSTING_COLS(X)                                                                            \
    X(PC_ENTRY, "entry_id")                                                                        \
    X(PC_ACCOUNT, "account")                                                                       \
    X(PC_REF, "ref")                                                                               \
    X(PC_FEN, "fen")
enum { POSTING_COLS(DB_COL_ENUM) PC__COUNT };

#define BALANCE_COLS(X)                                                                            \
    X(BL_ACCOUNT, "account")                                                                       \
    X(BL_FEN, "CAST(SUM(fen) AS SIGNED)")                                                          \
    X(BL_POSTINGS, "COUNT(*)")
enum { BALANCE_COLS(DB_COL_ENUM) BL__COUNT };

#define FLAG_COLS(X)                                                                               \
    X(FC_ID, "id")                                                                                 \
    X(FC_PROJECT, "project_id")                                                                    \
    X(FC_LOT, "lot_seq")                                                                           \
    X(FC_PAYER, "payer_account")                                                                   \
    X(FC_ORG_A, "org_a")                                                                           \
    X(FC_ORG_B, "org_b")                                                                           \
    X(FC_NOTICE, "notice_id")                                                                      \
    X(FC_CREATED, "created_us")
enum { FLAG_COLS(DB_COL_ENUM) FC__COUNT };

#define EVENT_COLS(X)                                                                              \
    X(VC_KIND, "kind")                                                                             \
    X(VC_WINNER, "winner_org")                                                                     \
    X(VC_AT, "at_us")                                                                              \
    X(VC_LOT, "lot_seq")
enum { EVENT_COLS(DB_COL_ENUM) VC__COUNT };

#define GUARANTEE_COLS(X)                                                                          \
    X(GC_ID, "id")                                                                                 \
    X(GC_ISSUER, "issuer_code")                                                                    \
    X(GC_NUMBER, "guarantee_no")                                                                   \
    X(GC_ISSUER_NAME, "issuer_name")                                                               \
    X(GC_KEY, "issuer_key_id")                                                                     \
    X(GC_REF, "verify_ref")                                                                        \
    X(GC_PROJECT, "project_id")                                                                    \
    X(GC_LOT, "lot_seq")                                                                           \
    X(GC_ORG, "org_id")                                                                            \
    X(GC_AMOUNT, "amount_fen")                                                                     \
    X(GC_FROM, "valid_from_us")                                                                    \
    X(GC_UNTIL, "valid_until_us")                                                                  \
    X(GC_SIGNED, "signed_us")                                                                      \
    X(GC_RECEIVED, "received_us")                                                                  \
    X(GC_STATE, "state")
enum { GUARANTEE_COLS(DB_COL_ENUM) GC__COUNT };

#define FORFEIT_COLS(X)                                                                            \
    X(FF_ID, "id")                                                                                 \
    X(FF_PROJECT, "project_id")                                                                    \
    X(FF_LOT, "lot_seq")                                                                           \
    X(FF_ORG, "org_id")                                                                            \
    X(FF_SUB, "subaccount_id")                                                                     \
    X(FF_GUARANTEE, "guarantee_id")                                                                \
    X(FF_GROUND, "ground")                                                                         \
    X(FF_ARTICLE, "article")                                                                       \
    X(FF_REASON, "reason")                                                                         \
    X(FF_AMOUNT, "amount_fen")                                                                     \
    X(FF_PROPOSED_BY, "proposed_by")                                                               \
    X(FF_PROPOSED, "proposed_us")                                                                  \
    X(FF_STATE, "state")                                                                           \
    X(FF_DECIDED_BY, "decided_by")                                                                 \
    X(FF_DECIDED, "decided_us")                                                                    \
    X(FF_DECISION, "decision_reason")
enum { FORFEIT_COLS(DB_COL_ENUM) FF__COUNT };

/* basic accounts */
enum db_status store_basic_insert(struct dbconn *c, int64_t org, const char *account,
                                  const char *bank, const char *holder, int64_t user, int64_t now,
                                  int64_t *id);
enum db_status store_basic_get(struct dbconn *c, int64_t id, bool lock, struct dbres *out);
/* org 0: every organization's; state NULL: any state. Newest first below `before` (0: all). */
enum db_status store_basic_list(struct dbconn *c, int64_t org, const char *state, int64_t before,
                                int64_t limit, struct dbres *out);
/* The organization's approved basic account (0 or 1 row). */
enum db_status store_basic_approved(struct dbconn *c, int64_t org, struct dbres *out);
/* Decide a pending request: approve replaces the approved one (if any). */
enum db_status store_basic_decide(struct dbconn *c, int64_t id, int64_t org, bool approve,
                                  int64_t user, const char *reason, int64_t now);

/* sub-accounts */
enum db_status store_sub_get(struct dbconn *c, int64_t project, int64_t lot, int64_t org, bool lock,
                             struct dbres *out);
/* Sub-accounts newest first: of org and of project (0: any), ids below before (0: any). */
enum db_status store_subs(struct dbconn *c, int64_t org, int64_t project, int64_t before,
                          int64_t limit, struct dbres *out);
/* The project of sub-account sub; *project 0 when sub is 0 or there is none. */
enum db_status store_sub_project(struct dbconn *c, int64_t sub, int64_t *project);
enum db_status store_sub_by_id(struct dbconn *c, int64_t id, bool lock, struct dbres *out);
enum db_status store_sub_by_number(struct dbconn *c, const char *number, struct dbres *out);
enum db_status store_sub_insert(struct dbconn *c, int64_t project, int64_t lot, int64_t org,
                                int64_t required, int category, int64_t deadline, int64_t now,
                                int64_t *id);
enum db_status store_sub_set_number(struct dbconn *c, int64_t id, const char *number);
enum db_status store_sub_set_state(struct dbconn *c, int64_t id, const char *state);
/* What the center owes on the sub-account now (−Σ of its postings). */
enum db_status store_sub_balance(struct dbconn *c, int64_t id, int64_t *fen);
/* Σ of the arrivals credited to it that arrived by `by`. */
enum db_status store_sub_credited(struct dbconn *c, int64_t id, int64_t by, int64_t *fen);
/* Every sub-account of a lot, in org_id order; and for each that had arrivals credited by `by`,
 * their Σ (a row per sub-account in id order, CREDITED_COLS). */
enum db_status store_subs_of_lot(struct dbconn *c, int64_t project, int64_t lot, struct dbres *out);
#define CREDITED_COLS(X)                                                                           \
    X(CR_SUB, "s.id")                                                                              \
    X(CR_FEN, "CAST(SUM(n.amount_fen) AS SIGNED)")
enum { CREDITED_COLS(DB_COL_ENUM) CR__COUNT };
enum db_status store_credited_of_lot(struct dbconn *c, int64_t project, int64_t lot, int64_t by,
                                     struct dbres *out);
/* Open sub-accounts with money on them, by id after `after`. */
enum db_status store_subs_open(struct dbconn *c, int64_t after, int64_t limit, struct dbres *out);

/* the ledger */
enum db_status store_entry_insert(struct dbconn *c, const char *kind, int64_t project, int64_t sub,
                                  const char *memo, int64_t now, int64_t *id);
enum db_status store_posting_insert(struct dbconn *c, int64_t entry, enum dep_account a,
                                    int64_t ref, int64_t fen);
enum db_status store_balances(struct dbconn *c, struct dbres *out);
/* Entries that do not balance (ids, at most 10): none, ever, unless someone edited the tables. */
enum db_status store_unbalanced(struct dbconn *c, struct dbres *out);
enum db_status store_entries(struct dbconn *c, int64_t after, int64_t limit, struct dbres *out);
enum db_status store_postings_between(struct dbconn *c, int64_t from, int64_t to,
                                      struct dbres *out);

/* notices */
struct notice_row {
    const char *txn, *kind, *account, *payer, *payer_name, *instrument, *outcome, *hold, *notice;
    int64_t amount, refund, value_us, signed_us, received_us, sub, entry;
};
enum db_status store_notice_insert(struct dbconn *c, const struct notice_row *n, int64_t *id);
enum db_status store_notice_by_txn(struct dbconn *c, const char *txn, struct dbres *out);
enum db_status store_notice_get(struct dbconn *c, int64_t id, struct dbres *out);
/* The notice, FOR UPDATE. */
enum db_status store_notice_lock(struct dbconn *c, int64_t id, struct dbres *out);
/* A held notice's outcome once its return is paid. */
enum db_status store_notice_set_outcome(struct dbconn *c, int64_t id, const char *outcome);
enum db_status store_notice_set_entry(struct dbconn *c, int64_t id, int64_t entry);
/* outcome NULL: any. Newest first below `before` (0: all). */
enum db_status store_notices(struct dbconn *c, const char *outcome, int64_t before, int64_t limit,
                             struct dbres *out);
enum db_status store_notices_of_sub(struct dbconn *c, int64_t sub, struct dbres *out);
/* Other organizations' sub-accounts of the lot that received money from payer: their org ids. */
enum db_status store_payer_others(struct dbconn *c, int64_t project, int64_t lot, const char *payer,
                                  int64_t org, struct dbres *out);

/* flags */
enum db_status store_flag_insert(struct dbconn *c, int64_t project, int64_t lot, const char *payer,
                                 int64_t a, int64_t b, int64_t notice, int64_t now);
enum db_status store_flags(struct dbconn *c, int64_t project, int64_t lot, struct dbres *out);

/* refunds */
/* A refund of sub-account sub, or (sub 0) the return of held notice `notice` with its reason.
 * due_known false: no due time (NULL); due_provisional: computed on a provisional calendar. */
struct refund_row {
    int64_t sub, principal, interest, fee, event_us, due_us, now;
    bool due_known, due_provisional;
    const char *cause, *basis, *to_account, *to_name, *instruction;
    int64_t notice;
    const char *reason;
};
enum db_status store_refund_insert(struct dbconn *c, const struct refund_row *f, int64_t *id);
enum db_status store_refund_set_instruction(struct dbconn *c, int64_t id, const char *text);
enum db_status store_refund_get(struct dbconn *c, int64_t id, bool lock, struct dbres *out);
enum db_status store_refunds_instructed(struct dbconn *c, int64_t limit, struct dbres *out);
enum db_status store_refund_sent(struct dbconn *c, int64_t id, int64_t now);
/* When sub-account sub's latest refund failed (the bank's value time; 0 when its latest did
 * not fail, or it has none). */
enum db_status store_refund_last_failed(struct dbconn *c, int64_t sub, int64_t *failed_us);
enum db_status store_refund_done(struct dbconn *c, int64_t id, const char *state, int64_t paid_us,
                                 bool late);
/* state NULL: any; late: only late ones. Newest first below `before` (0: all). */
enum db_status store_refunds(struct dbconn *c, const char *state, bool late, int64_t before,
                             int64_t limit, struct dbres *out);
enum db_status store_refunds_of_sub(struct dbconn *c, int64_t sub, struct dbres *out);
/* Unpaid refunds due before `by` (or with no due time) not yet warned of / past due not yet
 * flagged late. */
enum db_status store_refunds_to_warn(struct dbconn *c, int64_t by, int64_t limit,
                                     struct dbres *out);
enum db_status store_refunds_overdue(struct dbconn *c, int64_t now, int64_t limit,
                                     struct dbres *out);
enum db_status store_refund_mark(struct dbconn *c, int64_t id, bool late_flag, int64_t now);
/* Unpaid refunds whose due time was computed on a provisional calendar or could not be computed
 * (what an imported arrangement may move), and setting one's due time. */
enum db_status store_refunds_due_unsettled(struct dbconn *c, struct dbres *out);
enum db_status store_refund_set_due(struct dbconn *c, int64_t id, int64_t due_us, bool provisional);

/* the ledger against the log (evidence.c) */
#define ALARM_COLS(X)                                                                              \
    X(AL_WHAT, "what")                                                                             \
    X(AL_STATE, "state")                                                                           \
    X(AL_WHY, "why")                                                                               \
    X(AL_FIRST, "first_us")                                                                        \
    X(AL_RAISED, "raised_us")
enum { ALARM_COLS(DB_COL_ENUM) AL__COUNT };
/* The open alarm of key (suspect or altered), if any. */
enum db_status store_alarm_get(struct dbconn *c, const char *key, struct dbres *out);
enum db_status store_alarm_insert(struct dbconn *c, const char *key, const char *state,
                                  const char *why, int64_t now);
enum db_status store_alarm_raise(struct dbconn *c, const char *key, const char *why, int64_t now);
enum db_status store_alarm_resolve(struct dbconn *c, const char *key, int64_t now);
enum db_status store_alarms_raised(struct dbconn *c, int64_t *n);
/* Every open alarm (the ledger's view). */
enum db_status store_alarms_open(struct dbconn *c, struct dbres *out);
/* The amounts of sub-account sub's postings, smallest first (DB_VALUE); and every sub-account's,
 * by sub-account (SP_ columns), with when its latest entry was made. */
enum db_status store_sub_postings(struct dbconn *c, int64_t sub, struct dbres *out);
#define SUB_POSTING_COLS(X)                                                                        \
    X(SP_REF, "p.ref")                                                                             \
    X(SP_FEN, "p.fen")                                                                             \
    X(SP_CREATED, "e.created_us")
enum { SUB_POSTING_COLS(DB_COL_ENUM) SP__COUNT };
enum db_status store_all_sub_postings(struct dbconn *c, struct dbres *out);
/* Is a return of held notice `notice` under way (its refund row active)? */
enum db_status store_return_active(struct dbconn *c, int64_t notice, bool *active);

/* guarantees */
struct guarantee_row {
    const char *issuer, *number, *issuer_name, *key_id, *ref, *text;
    int64_t project, lot, org, amount, from_us, until_us, signed_us, received_us;
};
enum db_status store_guarantee_insert(struct dbconn *c, const struct guarantee_row *g, int64_t *id);
enum db_status store_guarantee_get(struct dbconn *c, int64_t id, bool lock, struct dbres *out);
/* The issuer's guarantee of that number (locking, so that two registrations serialize). */
enum db_status store_guarantee_by_number(struct dbconn *c, const char *issuer, const char *number,
                                         struct dbres *out);
/* org 0: every bidder's of the lot; project 0: every guarantee (newest first below before). */
enum db_status store_guarantees(struct dbconn *c, int64_t project, int64_t lot, int64_t org,
                                int64_t before, int64_t limit, struct dbres *out);
/* The largest amount of a valid guarantee of (project, lot, org) registered by `by` whose
 * validity covers [from, until]; 0 when none. */
enum db_status store_guarantee_cover(struct dbconn *c, int64_t project, int64_t lot, int64_t org,
                                     int64_t by, int64_t from, int64_t until, int64_t *fen,
                                     int64_t *id);
enum db_status store_guarantee_set_state(struct dbconn *c, int64_t id, const char *state);

/* forfeitures */
struct forfeit_row {
    int64_t project, lot, org, sub, guarantee, amount, user, now;
    const char *ground, *article, *reason;
};
enum db_status store_forfeit_insert(struct dbconn *c, const struct forfeit_row *f, int64_t *id);
enum db_status store_forfeit_get(struct dbconn *c, int64_t id, bool lock, struct dbres *out);
enum db_status store_forfeit_decide(struct dbconn *c, int64_t id, bool approve, int64_t user,
                                    const char *reason, int64_t now);
enum db_status store_forfeits(struct dbconn *c, int64_t project, struct dbres *out);
/* Is a forfeiture of (project, lot, org) proposed or approved? */
enum db_status store_forfeit_open(struct dbconn *c, int64_t project, int64_t lot, int64_t org,
                                  bool *open);

/* statements */
#define STATEMENT_COLS(X)                                                                          \
    X(ST_ID, "id")                                                                                 \
    X(ST_DATE, "statement_date")                                                                   \
    X(ST_RECEIVED, "received_us")                                                                  \
    X(ST_LINES, "line_count")                                                                      \
    X(ST_MATCHED, "matched")                                                                       \
    X(ST_DIFFERENCES, "differences")                                                               \
    X(ST_TEXT, "statement")
enum { STATEMENT_COLS(DB_COL_ENUM) ST__COUNT };
enum db_status store_statement_by_date(struct dbconn *c, const char *date, struct dbres *out);
enum db_status store_statement_insert(struct dbconn *c, const char *date, int64_t now,
                                      int64_t lines, int64_t matched, const char *differences,
                                      const char *text, int64_t *id);
enum db_status store_statements(struct dbconn *c, int64_t before, int64_t limit, struct dbres *out);
/* Arrivals and refund notices whose value date lies in [from, to): their bank_txn. */
enum db_status store_notices_valued(struct dbconn *c, int64_t from, int64_t to, struct dbres *out);

/* events of later stages */
enum db_status store_event_insert(struct dbconn *c, int64_t project, const char *kind, int64_t lot,
                                  int64_t winner, int64_t at);
enum db_status store_events(struct dbconn *c, int64_t project, struct dbres *out);

#endif
