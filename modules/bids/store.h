/*
 * store.h — the bids module's SQL (store.c).
 */
#ifndef GGZY_BIDS_STORE_H
#define GGZY_BIDS_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "db.h"
#include "timelock.h"

/* Insert an opening key and its sealed shares (users[i], key_ids[i] hold share x = i + 1). */
enum db_status store_opening_insert(struct dbconn *c, int64_t project, int64_t lot,
                                    const struct tl_key *k, const int64_t *users,
                                    const char *const *key_ids, int64_t by, int64_t now,
                                    int64_t *id);
/* A lot's opening key (no row when there is none). */
#define OPENING_KEY_COLS(X)                                                                        \
    X(OK_ID, "k.id")                                                                               \
    X(OK_KEY_ID, "k.key_id")                                                                       \
    X(OK_PUBLIC, "k.public_key")                                                                   \
    X(OK_THRESHOLD, "k.threshold")                                                                 \
    X(OK_CUSTODIANS, "k.custodians")                                                               \
    X(OK_COMMITMENTS, "k.commitments")                                                             \
    X(OK_CREATED, "k.created_us")
enum { OPENING_KEY_COLS(DB_COL_ENUM) OK__COUNT };
enum db_status store_opening_get(struct dbconn *c, int64_t project, int64_t lot, struct dbres *out);
/* Its shares, by x. */
#define SHARE_COLS(X)                                                                              \
    X(SH_X, "s.x")                                                                                 \
    X(SH_USER, "s.custodian_user")                                                                 \
    X(SH_KEY_ID, "s.custodian_key_id")                                                             \
    X(SH_ENC, "s.enc")                                                                             \
    X(SH_SEALED, "s.sealed")
enum { SHARE_COLS(DB_COL_ENUM) SH__COUNT };
enum db_status store_opening_shares(struct dbconn *c, int64_t opening_key, struct dbres *out);

/* ---- bids ---- */
struct bid_row {
    int64_t project, lot, org, user, revision, size, received_us;
    const char *signer_key_id;
    const uint8_t *sha256;
    const char *client; /* the submitting client's address ("" unknown) */
};
/* The columns of every bid read (store_bid_get, store_bids_of_org, store_bids_current). */
#define BID_COLS(X)                                                                                \
    X(BC_ID, "id")                                                                                 \
    X(BC_PROJECT, "project_id")                                                                    \
    X(BC_LOT, "lot_seq")                                                                           \
    X(BC_ORG, "bidder_org_id")                                                                     \
    X(BC_USER, "bidder_user_id")                                                                   \
    X(BC_REVISION, "revision")                                                                     \
    X(BC_SIGNER, "signer_key_id")                                                                  \
    X(BC_SHA, "envelope_sha256")                                                                   \
    X(BC_SIZE, "size")                                                                             \
    X(BC_RECEIVED, "received_us")                                                                  \
    X(BC_AUDIT_INDEX, "audit_index")                                                               \
    X(BC_STATE, "state")                                                                           \
    X(BC_STATE_US, "state_us")                                                                     \
    X(BC_OPEN_STATUS, "open_status")                                                               \
    X(BC_OPEN_CLASS, "open_class")                                                                 \
    X(BC_OPEN_REASON, "open_reason")                                                               \
    X(BC_SUMMARY, "summary")                                                                       \
    X(BC_PRICE, "price_fen")                                                                       \
    X(BC_OPENED_US, "opened_us")
enum { BID_COLS(DB_COL_ENUM) BC__COUNT };
/* The bid holding exactly these envelope bytes (*id 0 when none). */
enum db_status store_bid_by_sha(struct dbconn *c, const uint8_t sha[32], int64_t *id);
/* The bidder's latest revision for the lot (*id 0 when none) and whether it is current. */
enum db_status store_bid_last(struct dbconn *c, int64_t project, int64_t lot, int64_t org,
                              int64_t *id, int64_t *revision, bool *current);
/* Move a current bid to superseded or withdrawn (DB_RETRY when it is no longer current). */
enum db_status store_bid_set_state(struct dbconn *c, int64_t id, const char *state, int64_t now);
enum db_status store_bid_insert(struct dbconn *c, const struct bid_row *b, int64_t *id);
/* Set the time of record (the audit entry's) once it is known. */
enum db_status store_bid_time(struct dbconn *c, int64_t id, int64_t t);
enum db_status store_bid_get(struct dbconn *c, int64_t id, struct dbres *out);
enum db_status store_bids_of_org(struct dbconn *c, int64_t project, int64_t lot, int64_t org,
                                 struct dbres *out);
enum db_status store_bids_current(struct dbconn *c, int64_t project, int64_t lot,
                                  struct dbres *out);
/* The organizations with a current bid for the lot, as a JSON array of ids (for accounts_orgs);
 * NULL when there is none or on an error (*st says which). Caller frees. */
char *store_bidder_ids(struct dbconn *c, int64_t project, int64_t lot, enum db_status *st);
/* The organizations with a current bid for any of lots (comma-separated lot numbers) of project,
 * as a JSON array of ids ("[]" when none); NULL on an error (*st). Caller frees. */
char *store_session_bidders(struct dbconn *c, int64_t project, const char *lots,
                            enum db_status *st);
/* Has org a current bid for any of lots of project? */
enum db_status store_org_bids_in(struct dbconn *c, int64_t project, const char *lots, int64_t org,
                                 bool *any);
/* Record a bid's opening outcome (status "opened" with summary and price, or "rejected" with
 * class and reason); a bid already recorded is left alone. */
enum db_status store_bid_opened(struct dbconn *c, int64_t id, const char *status, const char *cls,
                                const char *reason, const char *summary, int64_t price,
                                int64_t now);

/* ---- openings ---- */
/* A lot's opening (no row before it starts); lock: FOR UPDATE. */
#define OPENING_COLS(X)                                                                            \
    X(OC_ID, "id")                                                                                 \
    X(OC_KEY, "opening_key")                                                                       \
    X(OC_STATE, "state")                                                                           \
    X(OC_BIDS, "bids")                                                                             \
    X(OC_BY, "started_by")                                                                         \
    X(OC_STARTED, "started_us")                                                                    \
    X(OC_COMPLETED, "completed_us")                                                                \
    X(OC_SK, "private_key")                                                                        \
    X(OC_REASON, "reason")                                                                         \
    X(OC_RUNNER, "runner")                                                                         \
    X(OC_RUNNER_UNTIL, "runner_until_us")
enum { OPENING_COLS(DB_COL_ENUM) OC__COUNT };
enum db_status store_opening_of_lot(struct dbconn *c, int64_t project, int64_t lot, bool lock,
                                    struct dbres *out);
/* reason not NULL: the opening ends at once (failed) with it. */
enum db_status store_opening_start(struct dbconn *c, int64_t key, int64_t project, int64_t lot,
                                   const char *state, int64_t nbids, int64_t by, int64_t now,
                                   const char *reason, int64_t *id);
enum db_status store_opening_set(struct dbconn *c, int64_t id, const char *state,
                                 int64_t completed_us, const uint8_t *private_key);
/* The run that opens the envelopes holds a lease (migrations/0008): token (OPENING_TOKEN_LEN
 * bytes) until until_us; token NULL releases it. Call with the row locked. */
#define OPENING_TOKEN_LEN 16
enum db_status store_opening_runner(struct dbconn *c, int64_t id, const uint8_t *token,
                                    int64_t until_us);
enum db_status store_share_insert(struct dbconn *c, int64_t opening, int x, int64_t user,
                                  const uint8_t y[32], int64_t now);
/* Shares handed in. */
#define SHARE_IN_COLS(X)                                                                           \
    X(SI_X, "x")                                                                                   \
    X(SI_USER, "custodian_user")                                                                   \
    X(SI_SHARE, "share")                                                                           \
    X(SI_SUBMITTED, "submitted_us")
enum { SHARE_IN_COLS(DB_COL_ENUM) SI__COUNT };
enum db_status store_shares_in(struct dbconn *c, int64_t opening, struct dbres *out);
enum db_status store_objection_insert(struct dbconn *c, int64_t opening, int64_t org, int64_t user,
                                      const char *text, int64_t now, int64_t *id);
/* Objections raised at the opening, with their answers. */
#define OBJECTION_COLS(X)                                                                          \
    X(OB_ID, "id")                                                                                 \
    X(OB_ORG, "org_id")                                                                            \
    X(OB_USER, "user_id")                                                                          \
    X(OB_TEXT, "text")                                                                             \
    X(OB_CREATED, "created_us")                                                                    \
    X(OB_ANSWER, "answer")                                                                         \
    X(OB_BY, "answered_by")                                                                        \
    X(OB_ANSWERED, "answered_us")
enum { OBJECTION_COLS(DB_COL_ENUM) OB__COUNT };
enum db_status store_objections(struct dbconn *c, int64_t opening, struct dbres *out);
enum db_status store_objection_answer(struct dbconn *c, int64_t opening, int64_t id,
                                      const char *answer, int64_t by, int64_t now, bool *done);

/* Openings a run left unfinished: state opening, no live lease since before `before` (the lease's
 * end, or none at all). */
#define STALLED_COLS(X)                                                                            \
    X(SL_PROJECT, "project_id")                                                                    \
    X(SL_LOT, "lot_seq")
enum { STALLED_COLS(DB_COL_ENUM) SL__COUNT };
enum db_status store_openings_stalled(struct dbconn *c, int64_t before, struct dbres *out);
/* The lots of a project whose opening failed (one row per such lot, column DB_VALUE: the lot). */
enum db_status store_openings_failed(struct dbconn *c, int64_t project, struct dbres *out);
/* The receipt's inclusion: the latest signed checkpoint's size and note, and the entry at index
 * (core audit tables, read through the audit layer). */

/* The statement the sequencer runs for each received bid (audit_on_sequenced): its index. */
extern const char store_sql_bid_index[];

#endif
