/*
 * bids.h — the bids module: sealed bids and their opening (docs/envelope.md). So far it holds
 * the time lock's first half: a lot's opening key, made when the lot is readied for bidding,
 * whose private scalar is split among custodians (by default the tender agent, the supervisor
 * and the trading center, any two of three) and never stored. Submission, receipts and the
 * opening ceremony join this module. Its rules are pure functions (rules.c).
 */
#ifndef GGZY_BIDS_H
#define GGZY_BIDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "db.h"
#include "app.h"
#include "statutes.h"

#define BIDS_DEFAULT_THRESHOLD 2

/* For the tender announcement (announce): every opening key of the project's lots, as
 * [{"lot","key_id","public_key"}] (NULL when there is none, or st says a database error). */
struct dbconn;
cJSON *bids_opening_keys(struct dbconn *c, int64_t project_id, enum db_status *st);
/* The first lot of the project without an opening key (*lot 0 when every lot has one). */
enum db_status bids_lot_without_key(struct dbconn *c, int64_t project_id, int64_t *lot);

/* For announce: has the opening of any lot of the project started? (An amendment then touches
 * nothing about the bids: ANN-OPENING-STARTED.) */
enum db_status bids_opening_started(struct dbconn *c, int64_t project_id, bool *started);
/* For entry (entry_on_opened_check): has every lot's opening ended (opened or failed), with at
 * least one opened? Else why says which lot is not. */
enum db_status bids_all_opened(struct dbconn *c, int64_t project_id, bool *ready, char *why,
                               size_t whylen);

/* For the expert draw (avoidance): every organization that has bid for any lot of the project,
 * in any state (withdrawn too), as a JSON array of ids (malloc'd; "[]" when none; NULL when *st
 * says a database error). */
char *bids_project_bidders(struct dbconn *c, int64_t project_id, enum db_status *st);

/* For deposits: where an organization's bid for a lot stands. any: it ever bid; current: its
 * latest revision is current (not withdrawn); withdrawn_us: when its latest was withdrawn (0 when
 * current or none); opened: the opening opened it; open_class: "revocation" or "withdrawal" when
 * the opening rejected it (bids_rule_failure_class), else "". */
struct bid_standing {
    bool any, current, opened;
    int64_t withdrawn_us;
    char open_class[16];
};
enum db_status bids_standing(struct dbconn *c, int64_t project, int64_t lot, int64_t org,
                             struct bid_standing *s);

/* For the evaluation: the bids a lot's opening opened — the current revision of each bidder,
 * decrypted, with the price its opening summary declared — in the order they were received.
 * *opened false when the lot's opening has not ended with "opened" (then *n is 0). *out is
 * malloc'd (free it; NULL when n is 0). */
struct bid_opened {
    int64_t bid_id, org_id, price_fen, received_us;
    char sha256[65]; /* the envelope's, hex */
    char client[64]; /* the address it was handed in from ("" unknown) */
};
enum db_status bids_opened_lot(struct dbconn *c, int64_t project, int64_t lot, bool *opened,
                               struct bid_opened **out, size_t *n);

/* What the opening record shows of deposits, which come after bids: a provider hook the
 * deposits module sets at start-up. states[i]: the deposit of organization orgs[i] (n of them)
 * for the lot at the bid deadline ("paid", "partial", "guaranteed", "missing", or "none" when
 * the lot asks for none) — all of a lot's bidders in one call, which reads the lot at once;
 * false on a database error. Without a provider the record shows no deposit states. */
typedef bool (*bids_deposit_states_fn)(struct dbconn *c, int64_t project, int64_t lot, size_t n,
                                       const int64_t *orgs, char (*states)[16]);
void bids_set_deposit_states(bids_deposit_states_fn fn);

/* ---- rules (rules.c) ---- */
/* May a lot get its opening key while its project is in this state? (accepted: before
 * bidding starts, so the key is published in the tender announcement.) */
bool bids_rule_key_state_ok(const char *project_state);

/* What an envelope submitted for a lot must bind (docs/envelope.md §2). */
struct bid_expect {
    const char *platform, *project_code, *opening_key_id;
    int64_t lot, bidder_org_id, bid_deadline_us;
};
/* Does the envelope's header (parsed JSON) bind this lot for this bidder? NULL, or the rule
 * code with why filled naming the field: BID-BOUND-PROJECT (platform or project code),
 * BID-BOUND-LOT, BID-BOUND-BIDDER, BID-BOUND-ROUND (another opening key or deadline: sealed
 * for an earlier round, e.g. before an amendment moved the deadline), BID-REVISION (not a
 * positive integer). */
struct refusal bids_rule_binding(const struct bid_expect *e, const cJSON *header);
/* Are bids taken while the project is in this state? (bidding; the deadline in force and the
 * lot's opening decide too, whatever the state says) */
bool bids_rule_accepting_state(const char *project_state);
/* May a lot's opening start, or take shares, while its project is in this state? (bidding, or
 * opened when another lot opened first; not suspended, failed or terminated) */
bool bids_rule_opening_state_ok(const char *project_state);
/* Is now within the bid period? (now <= deadline: the deadline's own microsecond is in time) */
bool bids_rule_in_time(int64_t now_us, int64_t deadline_us);
/* Revisions run 1, 2, 3 … per bidder and lot: the next is last + 1 (last 0: none yet). */
bool bids_rule_revision_ok(int64_t revision, int64_t last);
/* May the lot be opened with n current bids in category c? (R-MIN-BIDS: at least 3 for
 * tenders; categories where the rule does not apply open any number above 0.) */
bool bids_rule_enough(enum category c, int64_t n);

/* May a caller see a bid? (its receipt, or — envelope true — its stored ciphertext)
 * The bidder's own organization always. Nobody else who is not a party to the project, and no
 * other bidder or expert: not even the bid's existence (SEE_HIDDEN, answered 404). The agent
 * learns of bids only once the lot's opening has started (招标投标法 第二十二条: who bid is not
 * disclosed before the opening); supervisors and center staff see receipts at any time (they
 * handle complaints). Envelopes go to the parties only once the lot is opened (SEE_FORBIDDEN
 * before, for those who may know the bid exists). opening_state: NULL when not started. */
enum bid_visibility { SEE_OK, SEE_FORBIDDEN, SEE_HIDDEN };
enum bid_visibility bids_rule_visibility(unsigned role, bool own, bool party,
                                         const char *opening_state, bool envelope);

/* Why an envelope failed at the opening, and how the law counts it. */
enum open_failure {
    OPEN_OK,
    OPEN_STORE,     /* the stored file is missing, unreadable or not the received bytes */
    OPEN_FORMAT,    /* the bytes do not parse as an envelope */
    OPEN_KEY,       /* the content key does not unwrap with the lot's opening key */
    OPEN_CIPHER,    /* the commitment or a chunk does not verify */
    OPEN_CONTAINER, /* the plaintext is not a valid bid container with an opening summary */
};
/* "revocation" (撤销: the bidder's envelope is at fault, counted as a withdrawal after the
 * deadline — the deposit may be kept) or "withdrawal" (撤回: the platform is at fault, counted as
 * a withdrawal before the deadline — the deposit is refunded). NULL for OPEN_OK. */
const char *bids_rule_failure_class(enum open_failure f);
const char *bids_rule_failure_name(enum open_failure f);

#endif
