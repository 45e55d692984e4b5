/*
 * store.h — the evaluation module's SQL (store.c), prepared statements only; it owns the tables
 * evaluations, evaluation_members, evaluation_bids and evaluation_acts (migrations/0027).
 */
#ifndef GGZY_EVALUATION_STORE_H
#define GGZY_EVALUATION_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "accounts/accounts.h"
#include "db.h"
#include "bids/bids.h"
#include "experts/experts.h"

struct eval_session;
struct open_facts;
struct principal;
struct req;

/* The signature fact of the caller's act over domain (the loading of every signed act's facts):
 * fields — the act's own members — get the bindings every act carries (platform, signed_us,
 * user_id), then accounts_check_act checks the signature as it does (*k, *rule and why filled as
 * it fills them; the caller frees k). ACT_DBFAIL on a database error. */
enum act_check store_signed_act(struct dbconn *c, const struct req *r, const char *domain,
                                cJSON *fields, const char *key_id, int64_t signed_us,
                                const char *signature, int64_t now, struct signing_key *k,
                                const char **rule, char *why, size_t whylen);

/* Fill the facts of opening a session for lot of booking, asked by who (strings point into
 * *keep, which the caller frees with open_facts_free); *project and *draw are set when known. */
struct open_keep {
    char purpose[16], booking_state[16], project_state[32], committee_state[16], absent[17];
    char *method_json;
    int64_t method_ann, project, agent_org, tenderer_org, draw, start_us, end_us;
    int category;
    struct bid_opened *bids; /* the lot's opened bids (bids_opened_lot) */
    int64_t ceiling;         /* the lot's estimate (0: none) */
    cJSON *same_payer;       /* deposits_same_payer */
    size_t nbids;
    struct experts_committee committee;
    char absent_rep[24];
    int64_t reps[EXPERTS_COMMITTEE_MAX]; /* the representatives designated, up to owner_reps */
    size_t nreps;
};
void open_keep_free(struct open_keep *k);
enum db_status store_eval_open_facts(struct dbconn *c, const struct principal *who, int64_t booking,
                                     int64_t lot, struct open_facts *f, struct open_keep *keep);
/* Insert the session, its members and its bids; *id set. */
enum db_status store_eval_insert(struct dbconn *c, const struct eval_session *s,
                                 const char *method_json, int64_t method_ann, int64_t user,
                                 int64_t now, int64_t *id);
/* Load session id (lock: FOR UPDATE) with its members, bids and acts; *found false when none. */
enum db_status store_eval_load(struct dbconn *c, int64_t id, bool lock, struct eval_session *s,
                               bool *found);
/* Record a member's act. */
enum db_status store_eval_act_insert(struct dbconn *c, int64_t id, int64_t user, const char *kind,
                                     int round, const char *payload, const char *key_id,
                                     const char *signature, int64_t signed_us, int64_t now);
/* Write the session's step, chair, round, state, the bids' decisions and the report. */
enum db_status store_eval_update(struct dbconn *c, const struct eval_session *s,
                                 const char *pause_reason, int64_t now);

/* The sessions a caller may list, in order: a member's own (expert), its agency's (agent),
 * every one (center staff, supervisors); project 0: any; oldest first after id after. Rows of
 * EVAL_LIST_COLS. */
#define EVAL_LIST_COLS(X)                                                                          \
    X(EL_ID, "e.id")                                                                               \
    X(EL_PROJECT, "e.project_id")                                                                  \
    X(EL_LOT, "e.lot_seq")                                                                         \
    X(EL_STEP, "e.step")                                                                           \
    X(EL_STATE, "e.state")                                                                         \
    X(EL_OPENED, "e.opened_us")                                                                    \
    X(EL_REPORTED, "e.reported_us")
enum { EVAL_LIST_COLS(DB_COL_ENUM) EL__COUNT };
enum db_status store_eval_list(struct dbconn *c, const struct principal *who, int64_t project,
                               int64_t after, int64_t limit, struct dbres *out);

/* the award (see internal.h for store_award_project) */
struct lot_result;
enum db_status store_award_insert(struct dbconn *c, int64_t project, const struct lot_result *l,
                                  const char *reason, int64_t user, const char *key_id,
                                  const char *signature, int64_t signed_us, int64_t now);
/* The award notice is out (the award announcement published) for every decided lot. */
enum db_status store_award_noticed(struct dbconn *c, int64_t project, int64_t now);
enum db_status store_contract_offer(struct dbconn *c, int64_t project, const struct lot_result *l,
                                    int64_t price, const char *doc, int64_t user,
                                    const char *key_id, const char *signature, int64_t signed_us,
                                    int64_t now, int64_t *id);
enum db_status store_contract_sign(struct dbconn *c, int64_t id, int64_t user, const char *key_id,
                                   const char *signature, int64_t signed_us, int64_t now);

/* The signed reports of a project's lots, by lot: rows of REPORT_COLS. */
#define REPORT_COLS(X)                                                                             \
    X(RP_LOT, "lot_seq")                                                                           \
    X(RP_REPORT, "report_json")
enum { REPORT_COLS(DB_COL_ENUM) RP__COUNT };
enum db_status store_eval_reports(struct dbconn *c, int64_t project, struct dbres *out);

/* A step sent back: its acts of kind are no longer in force (kept, for the record). */
enum db_status store_acts_void(struct dbconn *c, int64_t evaluation, const char *kind);

/* A member's seat: added (a replacement joining) or left (recused, replaced). */
enum db_status store_member_set(struct dbconn *c, int64_t evaluation, int64_t user,
                                const char *pseudonym, bool sitting);

/* the deadlines (jobs.c): the projects to watch (ids in DB_VALUE), a deadline's marks for the
 * due time given (another due time: none), and a warning or a flag recorded */
enum db_status store_deadline_projects(struct dbconn *c, struct dbres *out);
enum db_status store_deadline_get(struct dbconn *c, int64_t project, const char *kind, int64_t due,
                                  bool *warned, bool *flagged);
enum db_status store_deadline_mark(struct dbconn *c, int64_t project, const char *kind, int64_t due,
                                   bool flag, int64_t now);

/* the live record (live.c) */
#define EVENT_COLS(X)                                                                              \
    X(LV_ID, "id")                                                                                 \
    X(LV_CLASS, "class")                                                                           \
    X(LV_DATA, "data")                                                                             \
    X(LV_CREATED, "created_us")
enum { EVENT_COLS(DB_COL_ENUM) LV__COUNT };
enum db_status store_live_insert(struct dbconn *c, int64_t evaluation, const char *cls,
                                 const char *data, int64_t now);
/* A session's events after id after, in order, at most 1000. */
enum db_status store_live_after(struct dbconn *c, int64_t evaluation, int64_t after,
                                struct dbres *out);

/* clarifications */
struct eval_clar;
enum db_status store_clar_insert(struct dbconn *c, int64_t evaluation, int64_t bid, int64_t org,
                                 int64_t user, const char *question, int64_t answer_by, int64_t now,
                                 int64_t *id);
/* Clarification id (*found false when none); lock: FOR UPDATE. */
enum db_status store_clar_get(struct dbconn *c, int64_t id, bool lock, struct eval_clar *k,
                              bool *found);
enum db_status store_clar_answer(struct dbconn *c, int64_t id, int64_t user, const char *answer,
                                 const char *key_id, const char *signature, int64_t now);
enum db_status store_clar_finding(struct dbconn *c, int64_t id, bool substantive, const char *note,
                                  int64_t now);
/* A session's clarifications (rows of CLAR_COLS), or an organization's (evaluation 0). */
#define CLAR_COLS(X)                                                                               \
    X(KC_ID, "id")                                                                                 \
    X(KC_EVAL, "evaluation_id")                                                                    \
    X(KC_BID, "bid_id")                                                                            \
    X(KC_ORG, "org_id")                                                                            \
    X(KC_QUESTION, "question")                                                                     \
    X(KC_BY, "answer_by_us")                                                                       \
    X(KC_ASKED, "asked_us")                                                                        \
    X(KC_ANSWER, "answer")                                                                         \
    X(KC_ANSWERED, "answered_us")                                                                  \
    X(KC_SUBST, "substantive")                                                                     \
    X(KC_NOTE, "finding_note")
enum { CLAR_COLS(DB_COL_ENUM) KC__COUNT };
enum db_status store_clar_list(struct dbconn *c, int64_t evaluation, int64_t org, int64_t after,
                               int64_t limit, struct dbres *out);

/* objections to the result (objections.c) */
#define OBJECTION_COLS(X)                                                                          \
    X(OB_ID, "id")                                                                                 \
    X(OB_PROJECT, "project_id")                                                                    \
    X(OB_LOT, "lot_seq")                                                                           \
    X(OB_ORG, "org_id")                                                                            \
    X(OB_TEXT, "text")                                                                             \
    X(OB_FILED, "filed_us")                                                                        \
    X(OB_DUE, "answer_due_us")                                                                     \
    X(OB_ANSWER, "answer")                                                                         \
    X(OB_UPHELD, "upheld")                                                                         \
    X(OB_ANSWERED, "answered_us")
enum { OBJECTION_COLS(DB_COL_ENUM) OB__COUNT };
enum db_status store_result_objection_insert(struct dbconn *c, int64_t project, int64_t lot,
                                             int64_t org, int64_t user, const char *text,
                                             const char *key_id, const char *signature,
                                             int64_t signed_us, int64_t due, int64_t now,
                                             int64_t *id);
/* Objection id as a row of OBJECTION_COLS (lock: FOR UPDATE); out->nrows 0 when none. */
enum db_status store_result_objection_get(struct dbconn *c, int64_t id, bool lock,
                                          struct dbres *out);
enum db_status store_result_objection_answer(struct dbconn *c, int64_t id, int64_t user,
                                             const char *answer, bool upheld, const char *key_id,
                                             const char *signature, int64_t signed_us, int64_t now);
/* A project's objections, oldest first after id after; org 0: every one, else that
 * organization's and the answered ones. */
enum db_status store_result_objection_list(struct dbconn *c, int64_t project, int64_t org,
                                           int64_t after, int64_t limit, struct dbres *out);
/* A project's unanswered objections (rows of OBJECTION_COLS), for the award's facts and the job. */
enum db_status store_result_objection_pending(struct dbconn *c, int64_t project, struct dbres *out);

/* the tenderer's representatives (representatives.c): designated for an evaluation booking */
enum db_status store_rep_insert(struct dbconn *c, int64_t booking, int64_t user, int64_t org,
                                int64_t by, const char *key_id, const char *signature,
                                int64_t signed_us, int64_t now);
/* The representatives designated for booking: user ids in DB_VALUE, oldest first. */
enum db_status store_reps(struct dbconn *c, int64_t booking, struct dbres *out);
/* One row about the sessions of booking: how many, how many not reported, and how many
 * representatives left a seat in them (recused). */
enum { BS_SESSIONS, BS_OPEN, BS_RECUSED };
enum db_status store_booking_sessions(struct dbconn *c, int64_t booking, struct dbres *out);

/* the bid validity's extension (validity.c) */
#define VALIDITY_COLS(X)                                                                           \
    X(VR_ID, "id")                                                                                 \
    X(VR_UNTIL, "until_us")                                                                        \
    X(VR_FROM, "from_us")                                                                          \
    X(VR_ASKED, "asked_us")
enum { VALIDITY_COLS(DB_COL_ENUM) VR__COUNT };
/* A project's requests, the latest first (rows of VALIDITY_COLS). */
enum db_status store_validity_requests(struct dbconn *c, int64_t project, struct dbres *out);
enum db_status store_validity_request_insert(struct dbconn *c, int64_t project, int64_t until,
                                             int64_t from, int64_t user, const char *key_id,
                                             const char *signature, int64_t signed_us, int64_t now);
#define VANSWER_COLS(X)                                                                            \
    X(VA_ORG, "org_id")                                                                            \
    X(VA_AGREE, "agree")                                                                           \
    X(VA_ANSWERED, "answered_us")
enum { VANSWER_COLS(DB_COL_ENUM) VA__COUNT };
/* The answers to request id (rows of VANSWER_COLS). */
enum db_status store_validity_answers(struct dbconn *c, int64_t request, struct dbres *out);
enum db_status store_validity_answer_insert(struct dbconn *c, int64_t request, int64_t org,
                                            bool agree, int64_t user, const char *key_id,
                                            const char *signature, int64_t signed_us, int64_t now);

#endif
