/*
 * internal.h — what the evaluation module's files share: the facts each act loads (store.c
 * fills them), the pure rules over them (rules.c), the handlers (sessions.c: open, list, view,
 * pause and resume; acts.c: a member's signed act), the views (views.c).
 */
#ifndef GGZY_EVALUATION_INTERNAL_H
#define GGZY_EVALUATION_INTERNAL_H

#include <cjson/cJSON.h>

#include "accounts/accounts.h"
#include "experts/experts.h"
#include "app.h"
#include "evaluation.h"
#include "store.h"

#define EVAL_ACT_DOMAIN "ggzy-evaluation-act-v1"
#define EVAL_SKEW_US    (INT64_C(300) * 1000000)
#define EVAL_MAX_BIDS   200

extern const struct config *evaluation_cfg;

/* ---- the facts of opening a session (store.c fills, evaluation_rule_open decides) ---- */
struct open_facts {
    bool booking_found, own_agency, lot_in_booking;
    const char *purpose, *booking_state;
    int64_t start_us, end_us;
    const char *project_state;
    bool committee_found;
    const char *committee_state;
    size_t sitting, signed_in;
    const char *absent; /* the pseudonym of a sitting member not signed in */
    bool lot_opened;
    size_t nbids;
    bool method_found;
    struct scoring_refusal method; /* the declared method as checked now */
    bool exists;                   /* the lot has a session already */
};
struct refusal evaluation_rule_open(const struct open_facts *f, int64_t now_us);

/* ---- a session in memory: its row, members, bids and acts (store_eval_load) ---- */
struct eval_member {
    int64_t user_id;
    char pseudonym[17];
    bool sitting; /* not recused or replaced */
};
struct eval_bid {
    int64_t bid_id, org_id, price_fen;
    char sha256[65];
    bool valid; /* not rejected at a review */
    char rejected_at[16];
};
struct eval_act {
    int64_t user_id, signed_us;
    int round;
    char kind[16];
    cJSON *payload;
};
struct eval_session {
    int64_t id, project_id, lot, booking_id, draw_id, agent_org_id, tenderer_org_id, opened_us;
    int category;
    enum eval_step step;
    int chair_round;
    char state[16]; /* open, paused, reported */
    int64_t chair_user;
    struct scoring_method method;
    size_t nmembers, nbids, nacts;
    struct eval_member members[EXPERTS_COMMITTEE_MAX];
    struct eval_bid bids[EVAL_MAX_BIDS];
    struct eval_act *acts;
    char *report; /* canonical JSON once reported */
};
void eval_session_free(struct eval_session *s);
/* The member of s who is user (NULL: none). */
const struct eval_member *eval_member_of(const struct eval_session *s, int64_t user);

/* ---- the facts of a member's act, and the rule ---- */
struct act_facts {
    const struct eval_session *s;
    const struct eval_member *me; /* NULL: not of this committee */
    const char *kind;
    const cJSON *payload;
    bool done;          /* already acted on this step (and round) */
    enum act_check sig; /* the signature's check (accounts_check_act) */
    const char *sig_rule, *sig_why;
};
struct refusal evaluation_rule_act(const struct act_facts *f, int64_t now_us);
/* The payload of an act of kind, against the session: every valid bid once, known criteria,
 * scores as the method allows, grounds and reasons for a rejection. EVAL-PAYLOAD, or the
 * scoring layer's EVAL-SCORE-FORMAT / EVAL-SCORE-RANGE. */
struct refusal evaluation_rule_payload(const struct eval_session *s, const char *kind,
                                       const cJSON *payload);
/* Has every sitting member acted on the session's current step (and chair round)? */
bool evaluation_rule_step_complete(const struct eval_session *s);
/* The step after step for a method (a lowest-price evaluation has no detailed review). */
enum eval_step evaluation_rule_next(enum eval_step step, enum scoring_kind kind);
/* The chair elected by the round's votes: the pseudonym with more than half of the sitting
 * members' votes (0: nobody — the members vote again). */
int64_t evaluation_rule_chair(const struct eval_session *s);
/* The committee's decision on each bid after a review step: rejected when more than half of the
 * sitting members failed it (s->bids[].valid and rejected_at updated). */
void evaluation_rule_reviews(struct eval_session *s, enum eval_step step);
/* The result: per bid the members' and the committee's scores, the ranking and the candidates,
 * as the report's JSON (caller frees). */
cJSON *evaluation_rule_result(const struct eval_session *s);
/* May a supervisor pause (pause true) or resume a session in this state? EVAL-STATE. */
struct refusal evaluation_rule_pause(const char *state, bool pause);

/* ---- views (views.c) ---- */
/* A session as the caller may see it: scores only to a member who has given theirs, and to
 * everyone entitled once the report is signed. */
cJSON *eval_session_json(const struct eval_session *s, const struct principal *who);

/* ---- handlers ---- */
void eval_open(struct req *r, const cJSON *body);
void eval_list(struct req *r, const cJSON *body);
void eval_get(struct req *r, const cJSON *body);
void eval_pause(struct req *r, const cJSON *body);
void eval_resume(struct req *r, const cJSON *body);
void eval_act(struct req *r, const cJSON *body);

#endif
