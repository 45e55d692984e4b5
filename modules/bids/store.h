/*
 * store.h — the bids module's SQL (store.c).
 */
#ifndef GGZY_BIDS_STORE_H
#define GGZY_BIDS_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "db.h"
#include "timelock.h"

/* A registered key and its owner: row user_id, role, org_id, disabled, spki_der, revoked_us. */
/* Insert an opening key and its sealed shares (users[i], key_ids[i] hold share x = i + 1). */
enum db_status store_opening_insert(struct dbconn *c, int64_t project, int64_t lot,
                                    const struct tl_key *k, const int64_t *users,
                                    const char *const *key_ids, int64_t by, int64_t now,
                                    int64_t *id);
/* A lot's opening key: row id, key_id, public_key, threshold, custodians, commitments,
 * created_us (no row when there is none). */
enum db_status store_opening_get(struct dbconn *c, int64_t project, int64_t lot, struct dbres *out);
/* Its shares, by x: rows x, custodian_user, role, custodian_key_id, enc, sealed. */
enum db_status store_opening_shares(struct dbconn *c, int64_t opening_key, struct dbres *out);

/* ---- bids ---- */
struct bid_row {
    int64_t project, lot, org, user, revision, size, received_us;
    const char *signer_key_id;
    const uint8_t *sha256;
};
/* The columns of every bid read (store_bid_get, store_bids_of_org, store_bids_current). */
enum bid_col {
    BC_ID,
    BC_PROJECT,
    BC_LOT,
    BC_ORG,
    BC_USER,
    BC_REVISION,
    BC_SIGNER,
    BC_SHA,
    BC_SIZE,
    BC_RECEIVED,
    BC_AUDIT_INDEX,
    BC_STATE,
    BC_STATE_US,
    BC_OPEN_STATUS,
    BC_OPEN_CLASS,
    BC_OPEN_REASON,
    BC_SUMMARY,
    BC_PRICE,
    BC_OPENED_US
};
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
/* The names of the organizations with a current bid for the lot: rows id, name. */
enum db_status store_bidder_names(struct dbconn *c, int64_t project, int64_t lot,
                                  struct dbres *out);
/* Record a bid's opening outcome (status "opened" with summary and price, or "rejected" with
 * class and reason); a bid already recorded is left alone. */
enum db_status store_bid_opened(struct dbconn *c, int64_t id, const char *status, const char *cls,
                                const char *reason, const char *summary, int64_t price,
                                int64_t now);

/* ---- openings ---- */
/* A lot's opening: row id, opening_key, state, bids, started_by, started_us, completed_us,
 * private_key, reason, runner, runner_until_us (no row before it starts); lock: FOR UPDATE. */
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
/* Shares handed in: rows x, custodian_user, share, submitted_us. */
enum db_status store_shares_in(struct dbconn *c, int64_t opening, struct dbres *out);
enum db_status store_objection_insert(struct dbconn *c, int64_t opening, int64_t org, int64_t user,
                                      const char *text, int64_t now, int64_t *id);
/* rows id, org_id, user_id, text, created_us, answer, answered_by, answered_us */
enum db_status store_objections(struct dbconn *c, int64_t opening, struct dbres *out);
enum db_status store_objection_answer(struct dbconn *c, int64_t opening, int64_t id,
                                      const char *answer, int64_t by, int64_t now, bool *done);

#endif
