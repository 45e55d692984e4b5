/*
 * internal.h — what the bids module's three handler files share (not for other modules):
 * routes.c (the route table, opening keys, the pre-flight check), submit.c (submission,
 * receipts, withdrawal) and opening.c (the opening ceremony).
 */
#ifndef GGZY_BIDS_INTERNAL_H
#define GGZY_BIDS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "config.h"
#include "db.h"
#include "envelope.h"
#include "app.h"

extern const struct config *bids_cfg;
/* The module's own configuration keys (routes.c). */
/* The most envelopes one batch of an opening may hold (bids.opening_batch's ceiling). */
#define OPENING_BATCH_CAP 512

struct bids_conf {
    int64_t max_envelope_bytes;
    char *store_dir;
    int64_t resume_after_s; /* an interrupted opening's lease lapsed this long: the job resumes */
    int64_t opening_batch;  /* envelopes opened between two commits of their outcomes, at most */
    int64_t opening_batch_bytes; /* and their stored bytes, at most (one envelope at least) */
};
extern struct bids_conf bids_conf;

/* Add bytes as lower-case hex under key (or to an array when o is one). */
void bids_add_hex(cJSON *o, const char *key, const void *bytes, size_t n);
/* Refuse r for an envelope stream's first problem: 413 for the limit, 422 for the format. */
void bids_stream_refusal(struct req *r, const struct env_stream *st);
/* Refuse an upload whose declared Content-Length is over bids.max_envelope_bytes (true: go on). */
bool bids_length_ok(struct req *r);
/* Verify a complete envelope's signature with the key its header names, which must be one of
 * the caller's live keys certified for the bidders' side (accounts_signing_key). *header gets
 * the parsed header (caller frees, also on failure); the signer key id is header's
 * "signer_key_id"; *k the key (free it with accounts_signing_key_free when true). Refusal set on
 * r when false: BID-SIGNER-KEY, KEY-NO-CERT, KEY-CERT-*, BID-SIGNATURE. */
struct signing_key;
bool bids_verify_signer(struct req *r, struct dbconn *c, const struct env_view *v, cJSON **header,
                        struct signing_key *k);
/* Load a lot's key and its shares; *found false (and nothing to free) when there is none. */
enum db_status bids_load_key(struct dbconn *c, int64_t project, int64_t lot, struct dbres *k,
                             struct dbres *s, bool *found);

/* A lot as the bid steps see it: its project and the bid times in force. */
#include "entry/entry.h"
struct lot_view {
    struct project_view p;
    int64_t deadline_us, opening_us;
    int64_t deadline_ann; /* the published announcement that sets them */
};
/* Load the project (FOR UPDATE when lock), the lot and the bid times of the latest published
 * tender announcement. Refuses (TX_REFUSE, set on r) with 404 when there is no such project or
 * visible(r, project) is false, or no such lot, and BID-NOT-OPEN when nothing is published. */
enum tx_result bids_lot_view(struct dbconn *c, struct req *r, int64_t project, int64_t lot,
                             bool lock,
                             bool (*visible)(const struct req *r, const struct project_view *p),
                             struct lot_view *v);

/* submit.c */
extern const struct body_sink bids_submit_sink;
/* parties.c: the venue stage's hooks (sign-in of an opening's bidders, relocations) */
void bids_parties_init(void);

void bids_submit(struct req *r, const cJSON *body);
void bids_withdraw(struct req *r, const cJSON *body);
void bids_mine(struct req *r, const cJSON *body);
void bids_binding(struct req *r, const cJSON *body);
void bids_receipt(struct req *r, const cJSON *body);
void bids_envelope(struct req *r, const cJSON *body);
/* The JSON view of row i of a bid result (store.h bid_col order). */
cJSON *bids_view(const struct dbres *b, size_t i, bool with_opening);

/* opening.c */
void opening_start(struct req *r, const cJSON *body);
void opening_share(struct req *r, const cJSON *body);
void opening_get(struct req *r, const cJSON *body);
void opening_stream(struct req *r, const cJSON *body);
void opening_object(struct req *r, const cJSON *body);
void opening_answer(struct req *r, const cJSON *body);
extern const struct field opening_share_schema[], opening_start_schema[], objection_schema[],
    answer_schema[];

/* opening.c: the job bids.openings-resume (system:opening-runner) */
bool bids_job_resume(struct dbconn *c, const struct actor *a, int64_t now_us);

/* check.c (bids_check_sink: the route's body sink) */
extern const struct body_sink bids_check_sink;
void envelope_check(struct req *r, const cJSON *body);

/* keys.c */
void opening_key_create(struct req *r, const cJSON *body);
void opening_key_get(struct req *r, const cJSON *body);
void opening_share_mine(struct req *r, const cJSON *body);

#endif
