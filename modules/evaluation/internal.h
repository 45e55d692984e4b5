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
#define EVAL_EXTEND_US  (INT64_C(3600) * 1000000) /* more time: the room's booking, an hour more */
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
    int64_t owner_reps;            /* the tenderer's seats the draw counted */
    size_t reps, reps_signed_in;   /* the representatives designated, and signed in */
    const char *absent_rep;        /* the pseudonym of one not signed in */
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
    char client[64]; /* the address it was handed in from, at the opening only ("": unknown) */
    bool valid;      /* not rejected at a review */
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
    size_t seats;   /* the members at the opening; every one must be filled to go on */
    int extensions; /* times more than a third of the members found the time too short */
    char state[16]; /* open, paused, reported */
    int64_t chair_user;
    char back_to[16]; /* a send-back the chair asked, awaiting a supervisor ("": none) */
    char back_reason[1004];
    struct scoring_method method;
    size_t nmembers, nbids, nacts;
    struct eval_member members[EXPERTS_COMMITTEE_MAX];
    struct eval_bid bids[EVAL_MAX_BIDS];
    struct eval_act *acts;
    char *report;          /* canonical JSON once reported */
    cJSON *clarifications; /* [eval_clar_json], in order */
    cJSON *indicators;     /* [{code, subject, evidence, fired_us}], in order */
};
void eval_session_free(struct eval_session *s);
/* The member of s who is user (NULL: none). */
const struct eval_member *eval_member_of(const struct eval_session *s, int64_t user);

/* ---- the facts of a member's act, and the rule ---- */
/* A clarification (澄清) as stored. */
struct eval_clar {
    int64_t id, evaluation_id, bid_id, org_id, answer_by_us;
    bool answered, found;
};
#define EVAL_CLARIFY_MAX_US (INT64_C(72) * 3600 * 1000000) /* an answer is due within 72 h */

struct act_facts {
    const struct eval_session *s;
    const struct eval_member *me; /* NULL: not of this committee */
    const char *kind;
    const cJSON *payload;
    const struct eval_clar *clar; /* a finding: the clarification it is about (NULL: none) */
    bool joining;       /* not a member, but a confirmed member of the draw, signed in in the room:
                         * a replacement taking a vacant seat by pledging */
    bool done;          /* already acted on this step (and round) */
    enum act_check sig; /* the signature's check (accounts_check_act) */
    const char *sig_rule, *sig_why;
};
struct refusal evaluation_rule_act(const struct act_facts *f, int64_t now_us);
/* The payload of an act of kind, against the session: every valid bid once, known criteria,
 * scores as the method allows, grounds and reasons for a rejection. EVAL-PAYLOAD, or the
 * scoring layer's EVAL-SCORE-FORMAT / EVAL-SCORE-RANGE. */
struct refusal evaluation_rule_payload(const struct eval_session *s, const char *kind,
                                       const cJSON *payload, int64_t now_us);
/* Are kind's acts outside the steps (a clarification asked, the committee's finding on its
 * answer), taken during the reviews? */
bool evaluation_rule_side_act(const char *kind);
/* Every bid rejected when too few remain for competition (评标委员会和评标方法暂行规定 第二十七条):
 * a member's vote (the side act reject_all {reason}) is taken during the reviews only while fewer
 * valid bids than R-MIN-BIDS remain (EVAL-REJECT-ALL); carried by more than half of the sitting
 * members, every remaining bid is rejected (at the current step) and the session goes to the
 * report, which then names no candidate: the lot fails, and the project can be tendered again
 * (the failure announcement; a new project linked, ENT-RETENDER). */
bool evaluation_rule_reject_all_carried(const struct eval_session *s);
/* More time (实施条例 第四十八条): a member's request (the side act more_time {reason}, once per
 * round) during the reviews; granted when more than a third of the sitting members asked in the
 * round (s->extensions + 1), after which a new round begins. */
bool evaluation_rule_more_time_granted(const struct eval_session *s);
void evaluation_rule_reject_everything(struct eval_session *s);
/* The chair's send-back (the side act send_back {to, reason}) awaits a supervisor: may it be
 * decided? EVAL-STATE when none is asked or the report is signed. */
struct refusal evaluation_rule_send_back(const struct eval_session *s);
/* An approved send-back, in memory: the step is the one asked, the reviews from there on are
 * made again (their rejections undone), the draft report goes. */
void evaluation_rule_go_back(struct eval_session *s);
/* A bidder's answer to a clarification: the caller's organization's (else 404: a bidder never
 * starts a contact), once, before its time (EVAL-CLARIFY-LATE), while the session is open. */
struct clarify_answer_facts {
    const struct eval_clar *clar; /* NULL: none addressed to the caller's organization */
    const char *session_state;
    enum act_check sig;
    const char *sig_rule, *sig_why;
    size_t answer_len;
};
struct refusal evaluation_rule_clarify_answer(const struct clarify_answer_facts *f, int64_t now_us);
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

/* ---- the award and the contract (award.c, contracts.c) ---- */
#define AWARD_DOMAIN        "ggzy-award-decision-v1"
#define CONTRACT_DOMAIN     "ggzy-contract-v1"
#define CLOSE_DOMAIN        "ggzy-result-report-v1"
#define AWARD_MAX_LOTS      50
#define AWARD_CONTRACT_DAYS 30 /* 招标投标法 第四十六条 */
#define AWARD_REPORT_DAYS   15 /* 招标投标法 第四十七条 */

/* The reasons of 财政部令第87号 第六十四条 a correction after summing names (the act correct):
 * sum_error, out_of_range (which cannot arise on the platform: refused), objective_mismatch,
 * extreme. NULL-ended. */
extern const char *const evaluation_correct_reasons[];

/* The reasons a tenderer may award another than the first candidate (实施条例 第五十五条): the
 * first gave up, did not perform the contract, did not give the performance bond, or was found
 * to have broken the law in a way that affects the award. NULL-ended. */
extern const char *const evaluation_award_reasons[];

/* A lot as the award reads it: its evaluation's signed report (candidates), the tenderer's
 * decision and the contract. */
struct award_candidate {
    int64_t bid_id, org_id, price_fen;
    int rank;
};
struct lot_result {
    int64_t lot, evaluation_id;
    bool reported;
    int64_t reported_us;
    size_t ncand;
    struct award_candidate cand[3];
    bool decided;
    struct award_candidate won;
    int64_t decided_us, noticed_us;
    int64_t contract_id;
    char contract_state[16]; /* "" (none), offered, signed */
    int64_t contract_price, contract_signed_us;
    char contract_doc[65];
    size_t objections_pending; /* objections to the result not yet answered (§8b) */
};
struct award_project {
    const char *project_state;
    int category; /* enum category: which law's deadlines */
    bool legally_required;
    int64_t tenderer_org, agent_org;
    int64_t publicity_until_us; /* 0: no candidates' publicity published */
    int64_t validity_end_us;    /* the bid validity period's end (0: no deadline known), extended */
    int64_t validity_first_us;  /* its end before the latest extension */
    size_t nrefused;            /* the organizations that refused the latest extension */
    int64_t refused[EVAL_MAX_BIDS];
    size_t nlots;
    struct lot_result lots[AWARD_MAX_LOTS];
};
struct project_view;
/* Every opened lot of project (a lot whose opening failed has no result): its session's report,
 * decision and contract. */
enum db_status store_award_project(struct dbconn *c, const struct project_view *v,
                                   struct award_project *p, char state_buf[32]);

/* The facts of an act on a project's award, the project locked: 404 set (TX_REFUSE) unless the
 * caller's organization is its tenderer (when mine); TX_COMMIT when v and p are loaded. */
enum tx_result award_load(struct dbconn *c, struct req *r, int64_t project, bool mine,
                          struct project_view *v, struct award_project *p, char state[32]);
/* Is every opened lot's report signed (award false) / every reported lot decided (award true)?
 * ANN-NO-EVALUATION / ANN-NO-AWARD (409). */
struct refusal evaluation_rule_results_ready(const struct award_project *p, bool award);

/* The tenderer's decision: one choice per reported lot, among its candidates; the first unless a
 * reason of 实施条例 第五十五条 (for a project the law requires to be tendered), after the
 * candidates' publicity ended. */
struct award_facts {
    const struct award_project *p;
    const cJSON *choices; /* [{lot, bid_id, reason?}] */
    enum act_check sig;
    const char *sig_rule, *sig_why;
};
struct refusal evaluation_rule_award(const struct award_facts *f, int64_t now_us);

/* A contract's signature: the tenderer offers it (bidder false) for a decided lot of an awarded
 * project, at the winning price (第四十六条: no deviation from the tender and the bid); the
 * winner signs it (bidder true) once offered. */
struct contract_facts {
    const char *project_state;
    const struct lot_result *lot; /* NULL: no such lot decided */
    bool bidder, winner; /* the winner signing; the caller is of the winning organization */
    int64_t price_fen;
    const char *document_sha256;
    enum act_check sig;
    const char *sig_rule, *sig_why;
};
struct refusal evaluation_rule_contract(const struct contract_facts *f, int64_t now_us);
/* ---- the tenderer's representatives (representatives.c; docs/evaluation.md §7a) ---- */
#define EVAL_REP_DOMAIN "ggzy-evaluation-representative-v1"
#define EVAL_REP_PREFIX "rep-" /* a representative's pseudonym: "rep-<user id>" */
/* Is pseudonym a representative's (not a library expert's)? */
bool evaluation_rule_is_rep(const char *pseudonym);
/* The tenderer designates who sits in the seats the draw counted for it (owner_reps): one of its
 * own tenderer users, signed, while a seat is free — before the session, or in place of a
 * representative who recused. */
struct designate_facts {
    bool booking_found, own_project; /* the evaluation booking of a project of the caller's */
    bool committee_found;
    int64_t owner_reps;
    size_t designated;   /* designations so far */
    size_t recused;      /* representatives who left their seat in the session */
    bool already;        /* this user is designated already */
    bool user_ok;        /* a tenderer user of the caller's organization, not disabled */
    const char *session; /* the session's state ("": none yet) */
    enum act_check sig;
    const char *sig_rule, *sig_why;
};
struct refusal evaluation_rule_designate(const struct designate_facts *f, int64_t now_us);
/* Under government procurement the purchaser's representative does not chair
 * (财政部令第87号 第四十五条): may pseudonym be voted chair in a session of category? */
bool evaluation_rule_may_chair(int category, const char *pseudonym);
void eval_designate(struct req *r, const cJSON *body);
/* venues' party check for a tenderer user signing in to an evaluation: designated for it */
struct venue_session;
enum db_status eval_rep_admitted(struct dbconn *c, const struct venue_session *s, int64_t user,
                                 int64_t org, bool *admitted);

/* ---- objections to the result (objections.c; docs/evaluation.md §8b) ---- */
#define OBJECTION_DOMAIN        "ggzy-objection-v1"
#define OBJECTION_ANSWER_DOMAIN "ggzy-objection-answer-v1"
#define OBJECTION_MAX_TEXT      4000 /* bytes */
/* A bidder's objection (异议; under government procurement 质疑) to a lot's result: by a bidder
 * of the lot (OBJ-STANDING), in its window (OBJ-WINDOW: during the candidates' publicity under the
 * tendering law, 实施条例 第五十四条; within R-OBJECTION-WINDOW working days after the result's
 * announcement period under government procurement, 政府采购法 第五十二条), while the lot is not
 * contracted, one unanswered at a time per organization and lot (OBJ-PENDING); under government
 * procurement once per organization and lot, every ground at once (OBJ-ONCE, 财政部令第94号
 * 第十条). */
struct objection_facts {
    const struct award_project *p;
    const struct lot_result *lot; /* NULL: no such reported lot */
    bool bidder_of_lot;           /* the caller's organization bid in the lot */
    bool pending_own;             /* it has an unanswered objection on the lot */
    bool objected_before; /* it has objected to the lot's result already (answered or not) */
    size_t text_len;
    enum act_check sig;
    const char *sig_rule, *sig_why;
};
struct refusal evaluation_rule_object(const struct objection_facts *f, int64_t now_us);
/* The end of the objection window of a project as it stands (0: no publicity yet). */
int64_t evaluation_rule_objection_window(const struct award_project *p);
/* When an objection filed at filed_us must be answered (R-OBJECTION-ANSWER-DUE, to the end of its
 * last day, Beijing time). */
int64_t evaluation_rule_objection_due(int category, int64_t filed_us);
/* The answer, by the tenderer's or its agency's people (else 404), once (OBJ-ANSWERED). A late
 * answer is taken (the award waits for it) and was flagged by the job. */
struct objection_answer_facts {
    bool answered;
    size_t answer_len;
    enum act_check sig;
    const char *sig_rule, *sig_why;
};
struct refusal evaluation_rule_object_answer(const struct objection_answer_facts *f,
                                             int64_t now_us);
void objection_file(struct req *r, const cJSON *body);
void objection_answer(struct req *r, const cJSON *body);
void objection_list(struct req *r, const cJSON *body);

/* ---- the bid validity's extension (validity.c; docs/evaluation.md §9d) ---- */
#define VALIDITY_DOMAIN        "ggzy-bid-validity-v1"
#define VALIDITY_ANSWER_DOMAIN "ggzy-bid-validity-answer-v1"
/* The tenderer asks every bidder to extend the bid validity to until_us
 * (评标委员会和评标方法暂行规定 第四十条): before any lot is decided, before the validity ends, to
 * a later end. EVAL-VALIDITY. */
struct validity_ask_facts {
    const struct award_project *p;
    int64_t until_us;
    enum act_check sig;
    const char *sig_rule, *sig_why;
};
struct refusal evaluation_rule_validity_ask(const struct validity_ask_facts *f, int64_t now_us);
/* A bidder with a current bid answers the latest request, once, before the end it extends
 * (from_us; silence by then counts as a refusal). EVAL-VALIDITY. */
struct validity_answer_facts {
    bool asked, answered;
    int64_t from_us;
    enum act_check sig;
    const char *sig_rule, *sig_why;
};
struct refusal evaluation_rule_validity_answer(const struct validity_answer_facts *f,
                                               int64_t now_us);
void validity_ask(struct req *r, const cJSON *body);
void validity_answer(struct req *r, const cJSON *body);
void validity_get(struct req *r, const cJSON *body);

/* The written report closes a contracted project. AWARD-STATE. */
struct refusal evaluation_rule_close(const char *project_state, enum act_check sig,
                                     const char *sig_rule, const char *sig_why);
/* The signature check's failure as a refusal with the module's codes (prefix "EVAL" or "AWARD"). */
struct refusal evaluation_rule_signature(const char *prefix, enum act_check sig,
                                         const char *sig_rule, const char *sig_why);

/* the announce hooks (award.c) */
enum db_status award_result(struct dbconn *c, int64_t project, bool award, int64_t now, cJSON **out,
                            struct refusal *why);
enum db_status award_published(struct dbconn *c, const struct actor *a, int64_t project,
                               int64_t announcement, bool award, int64_t now);
cJSON *award_contracts(struct dbconn *c, int64_t project, enum db_status *st);
/* Tell the organizations of ids (a JSON array) one message each, through the outbox. */
struct outbox_msg;
enum db_status award_tell_orgs(struct dbconn *c, const char *org_ids, const struct outbox_msg *m,
                               int64_t now);
void award_decide(struct req *r, const cJSON *body);
void award_get(struct req *r, const cJSON *body);
void contract_offer(struct req *r, const cJSON *body);
void contract_sign(struct req *r, const cJSON *body);
void project_close(struct req *r, const cJSON *body);

/* ---- indicators of collusion and anomaly (rules.c): one rule table, deciding nothing ---- */
struct eval_indicator_rule {
    const char *code, *source, *what;
    int64_t threshold; /* per mille, its meaning in what */
};
extern const struct eval_indicator_rule evaluation_indicator_rules[]; /* code NULL ends it */
struct eval_fired {
    const char *code;
    char subject[200], evidence[400];
};
#define EVAL_MAX_FIRED 64
/* At the opening of a session: the opened prices (IND-PRICE-PATTERN: three or more forming an
 * arithmetic progression; IND-PRICE-CEILING: all within the threshold below the lot's estimate,
 * ceiling 0: unknown) and the deposits' payer accounts (IND-SAME-ACCOUNT: same_payer as
 * deposits_same_payer gives it). Returns how many fired into out. */
size_t evaluation_rule_open_indicators(const struct eval_bid *bids, size_t n, int64_t ceiling_fen,
                                       const cJSON *same_payer, struct eval_fired *out, size_t max);
/* Once the detailed scores are in: IND-SCORE-OUTLIER (a member's score on a criterion far from
 * the other members' mean), IND-SCORE-FAVOUR (a member gives one bidder alone the top score on
 * every criterion, as no other member does). */
size_t evaluation_rule_score_indicators(const struct eval_session *s, struct eval_fired *out,
                                        size_t max);
enum db_status store_indicator_insert(struct dbconn *c, int64_t evaluation,
                                      const struct eval_fired *f, int64_t now);

/* ---- the deadlines after the report (jobs.c, rules.c) ---- */
/* publicity: the candidates publicized within 3 days of the last report (实施条例 第五十四条);
 * contract: signed within 30 days of the award notice (招标投标法 第四十六条); report: the
 * written report within 15 days of the decision (第四十七条). */
/* validity: the evaluation and the award done 30 working days before the bid validity period
 * ends (评标委员会和评标方法暂行规定 第四十条), while no lot is decided. */
enum award_deadline { DL_PUBLICITY, DL_CONTRACT, DL_REPORT, DL_VALIDITY, DL__COUNT };
extern const char *const evaluation_deadline_names[]; /* "publicity", …, "validity" */
#define AWARD_PUBLICITY_DAYS 3
#define AWARD_WARN_US        (INT64_C(86400) * 1000000) /* warned a day before */
struct deadline_state {
    int64_t due_us; /* 0: not running (not yet begun, or met) */
    bool warned, flagged;
};
enum deadline_act { DA_NONE, DA_WARN, DA_FLAG };
/* The due time of each deadline of a project as it stands (0: not running). */
void evaluation_rule_deadlines(const struct award_project *p, int64_t due[DL__COUNT]);
/* What to do about one deadline now: warn once within AWARD_WARN_US before, flag once after. */
enum deadline_act evaluation_rule_deadline_act(const struct deadline_state *d, int64_t now_us);
bool evaluation_job_deadlines(struct dbconn *c, const struct actor *a, int64_t now_us);

/* ---- the live record (live.c) ---- */
/* Record an event of session evaluation in the caller's transaction (class: progress, state,
 * indicator, clarification; data: a JSON object, consumed) and wake its watchers once the
 * transaction commits. */
enum db_status live_event(struct dbconn *c, int64_t evaluation, const char *cls, cJSON *data,
                          int64_t now);
/* May a watcher of this role (a member of the committee or not; the session reported or not) see
 * an event of class? progress and state: everyone who may see the session; indicator and
 * clarification: its members, center staff and supervisors. Values are never in an event. */
bool evaluation_rule_stream_sees(const char *cls, unsigned role, bool member);
void eval_stream(struct req *r, const cJSON *body);
/* May who see session s at all (sessions.c)? */
bool eval_may_see(const struct eval_session *s, const struct principal *who);
void live_fini(void);

/* ---- views (views.c) ---- */
/* A session as the caller may see it: scores only to a member who has given theirs, and to
 * everyone entitled once the report is signed. acts_values false: the acts without their
 * payloads (the answer to an act: the caller knows what it signed; GET gives the rest). */
cJSON *eval_session_json(const struct eval_session *s, const struct principal *who,
                         bool acts_values);

/* ---- handlers ---- */
void eval_open(struct req *r, const cJSON *body);
void eval_list(struct req *r, const cJSON *body);
void eval_get(struct req *r, const cJSON *body);
void eval_pause(struct req *r, const cJSON *body);
void eval_resume(struct req *r, const cJSON *body);
void eval_send_back(struct req *r, const cJSON *body);
void eval_act(struct req *r, const cJSON *body);
void clar_list(struct req *r, const cJSON *body);
void clar_answer(struct req *r, const cJSON *body);
/* a clarification row (CLAR_COLS) as JSON */
cJSON *eval_clar_json(void *ctx, const struct dbres *s, size_t i);

#endif
