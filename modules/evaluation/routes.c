/*
 * routes.c — the evaluation module's route rows, schemas and descriptor.
 */
#include <stdio.h>
#include <string.h>

#include "announce/announce.h"
#include "venues/venues.h"
#include "internal.h"

const struct config *evaluation_cfg;

#define STAFF (ROLE_CENTER_ADMIN | ROLE_SUPERVISOR)

static const struct field open_schema[] = {
    {"booking_id", F_INT, true, 1, INT64_C(9007199254740991), NULL},
    {"lot", F_INT, true, 1, 50, NULL},
    {NULL},
};

static const char *const act_kinds[] = {
    "pledge",  "chair",     "qualification", "preliminary", "detailed", "report", "clarify",
    "finding", "send_back", "reject_all",    "more_time",   "correct",  NULL};
static const struct field act_schema[] = {
    {"kind", F_STRING, true, 1, 16, act_kinds},
    {"payload", F_OBJECT, true, 0, 0, NULL},
    {"key_id", F_STRING, true, 64, 64, NULL},
    {"signed_us", F_INT, true, 0, INT64_C(9007199254740991), NULL},
    {"signature", F_STRING, true, 1, 200, NULL},
    {NULL},
};

static const struct field back_schema[] = {
    {"approve", F_BOOL, true, 0, 0, NULL},
    {"reason", F_STRING, true, 2, 400, NULL},
    {NULL},
};

static const struct field reason_schema[] = {
    {"reason", F_STRING, true, 2, 400, NULL},
    {NULL},
};

static const struct field award_schema[] = {
    {"lots", F_ARRAY, true, 1, 50, NULL},
    {"key_id", F_STRING, true, 64, 64, NULL},
    {"signed_us", F_INT, true, 0, INT64_C(9007199254740991), NULL},
    {"signature", F_STRING, true, 1, 200, NULL},
    {NULL},
};
static const struct field contract_schema[] = {
    {"price_fen", F_INT, true, 1, INT64_C(9007199254740991), NULL},
    {"document_sha256", F_STRING, true, 64, 64, NULL},
    {"key_id", F_STRING, true, 64, 64, NULL},
    {"signed_us", F_INT, true, 0, INT64_C(9007199254740991), NULL},
    {"signature", F_STRING, true, 1, 200, NULL},
    {NULL},
};
static const struct field close_schema[] = {
    {"report_sha256", F_STRING, true, 64, 64, NULL},
    {"key_id", F_STRING, true, 64, 64, NULL},
    {"signed_us", F_INT, true, 0, INT64_C(9007199254740991), NULL},
    {"signature", F_STRING, true, 1, 200, NULL},
    {NULL},
};

static const struct field answer_schema[] = {
    {"answer", F_STRING, true, 1, 1000, NULL},
    {"key_id", F_STRING, true, 64, 64, NULL},
    {"signed_us", F_INT, true, 0, INT64_C(9007199254740991), NULL},
    {"signature", F_STRING, true, 1, 200, NULL},
    {NULL},
};
static const struct field objection_schema[] = {
    {"lot", F_INT, true, 1, 50, NULL},
    {"text", F_STRING, true, 2, OBJECTION_MAX_TEXT, NULL},
    {"key_id", F_STRING, true, 64, 64, NULL},
    {"signed_us", F_INT, true, 0, INT64_C(9007199254740991), NULL},
    {"signature", F_STRING, true, 1, 200, NULL},
    {NULL},
};
static const struct field objection_answer_schema[] = {
    {"answer", F_STRING, true, 2, OBJECTION_MAX_TEXT, NULL},
    {"upheld", F_BOOL, true, 0, 0, NULL},
    {"key_id", F_STRING, true, 64, 64, NULL},
    {"signed_us", F_INT, true, 0, INT64_C(9007199254740991), NULL},
    {"signature", F_STRING, true, 1, 200, NULL},
    {NULL},
};
static const struct field designate_schema[] = {
    {"booking_id", F_INT, true, 1, INT64_C(9007199254740991), NULL},
    {"user_id", F_INT, true, 1, INT64_C(9007199254740991), NULL},
    {"key_id", F_STRING, true, 64, 64, NULL},
    {"signed_us", F_INT, true, 0, INT64_C(9007199254740991), NULL},
    {"signature", F_STRING, true, 1, 200, NULL},
    {NULL},
};
static const struct field validity_schema[] = {
    {"until_us", F_INT, true, 1, INT64_C(9007199254740991), NULL},
    {"key_id", F_STRING, true, 64, 64, NULL},
    {"signed_us", F_INT, true, 0, INT64_C(9007199254740991), NULL},
    {"signature", F_STRING, true, 1, 200, NULL},
    {NULL},
};
static const struct field validity_answer_schema[] = {
    {"agree", F_BOOL, true, 0, 0, NULL},
    {"key_id", F_STRING, true, 64, 64, NULL},
    {"signed_us", F_INT, true, 0, INT64_C(9007199254740991), NULL},
    {"signature", F_STRING, true, 1, 200, NULL},
    {NULL},
};
static const struct field page_query[] = {Q_AFTER, Q_LIMIT(200), {NULL}};

static const struct field list_query[] = {Q_AFTER, Q_LIMIT(200), Q_ID("project_id"), {NULL}};

static const struct route routes[] = {
    {"POST", "/api/v1/evaluations", eval_open, ROLE_AGENT, 1024, open_schema, ROUTE_CREATES},
    {"GET", "/api/v1/evaluations", eval_list, ROLE_AGENT | ROLE_TENDERER | ROLE_EXPERT | STAFF, 0,
     NULL, 0, .query = list_query},
    {"POST", "/api/v1/evaluations/representatives", eval_designate, ROLE_TENDERER, 2048,
     designate_schema, ROUTE_CREATES},
    {"GET", "/api/v1/evaluations/{id}/stream", eval_stream,
     ROLE_AGENT | ROLE_TENDERER | ROLE_EXPERT | STAFF, 0, NULL, 0},
    {"GET", "/api/v1/evaluations/{id}", eval_get, ROLE_AGENT | ROLE_TENDERER | ROLE_EXPERT | STAFF,
     0, NULL, 0},
    {"POST", "/api/v1/evaluations/{id}/acts", eval_act, ROLE_EXPERT | ROLE_TENDERER, 256 * 1024,
     act_schema, 0},
    {"POST", "/api/v1/evaluations/{id}/pause", eval_pause, ROLE_SUPERVISOR, 2048, reason_schema, 0},
    {"GET", "/api/v1/clarifications", clar_list, ROLE_BIDDER, 0, NULL, 0, .query = page_query},
    {"POST", "/api/v1/clarifications/{id}/answer", clar_answer, ROLE_BIDDER, 8192, answer_schema,
     0},
    {"POST", "/api/v1/projects/{id}/award", award_decide, ROLE_TENDERER, 16384, award_schema, 0},
    {"GET", "/api/v1/projects/{id}/award", award_get,
     ROLE_AGENT | ROLE_TENDERER | ROLE_BIDDER | STAFF, 0, NULL, 0},
    {"POST", "/api/v1/projects/{id}/lots/{lot}/contract", contract_offer, ROLE_TENDERER, 4096,
     contract_schema, 0},
    {"POST", "/api/v1/projects/{id}/lots/{lot}/contract/sign", contract_sign, ROLE_BIDDER, 4096,
     contract_schema, 0},
    {"POST", "/api/v1/projects/{id}/close", project_close, ROLE_TENDERER, 4096, close_schema, 0},
    {"POST", "/api/v1/evaluations/{id}/send-back", eval_send_back, ROLE_SUPERVISOR, 2048,
     back_schema, 0},
    {"POST", "/api/v1/evaluations/{id}/resume", eval_resume, ROLE_SUPERVISOR, 2048, reason_schema,
     0},
    {"POST", "/api/v1/projects/{id}/objections", objection_file, ROLE_BIDDER, 16384,
     objection_schema, ROUTE_CREATES},
    {"GET", "/api/v1/projects/{id}/objections", objection_list,
     ROLE_AGENT | ROLE_TENDERER | ROLE_BIDDER | STAFF, 0, NULL, 0, .query = page_query},
    {"POST", "/api/v1/objections/{id}/answer", objection_answer, ROLE_TENDERER | ROLE_AGENT, 16384,
     objection_answer_schema, 0},
    {"POST", "/api/v1/projects/{id}/validity", validity_ask, ROLE_TENDERER, 2048, validity_schema,
     0},
    {"POST", "/api/v1/projects/{id}/validity/answer", validity_answer, ROLE_BIDDER, 2048,
     validity_answer_schema, 0},
    {"GET", "/api/v1/projects/{id}/validity", validity_get,
     ROLE_AGENT | ROLE_TENDERER | ROLE_BIDDER | STAFF, 0, NULL, 0},
};

static const char *const rule_codes[] = {
    "AWARD-CANDIDATE",
    "AWARD-CONTRACT-PRICE",
    "AWARD-CONTRACT-STATE",
    "AWARD-DECIDED",
    "AWARD-LOTS",
    "AWARD-NOT-FIRST",
    "AWARD-NOT-WINNER",
    "AWARD-OBJECTION",
    "AWARD-PUBLICITY",
    "AWARD-SIGNATURE",
    "AWARD-SIGNED-TIME",
    "AWARD-SIGNER-KEY",
    "AWARD-STATE",
    "AWARD-VALIDITY",
    "EVAL-BOOKING",
    "EVAL-CHAIR",
    "EVAL-CHAIR-REPRESENTATIVE",
    "EVAL-CLARIFY-LATE",
    "EVAL-CLARIFY-STATE",
    "EVAL-COMMITTEE",
    "EVAL-CORRECT",
    "EVAL-DONE",
    "EVAL-EXISTS",
    "EVAL-GROUND",
    "EVAL-METHOD",
    "EVAL-NO-METHOD",
    "EVAL-NOT-MEMBER",
    "EVAL-NOT-OPENED",
    "EVAL-PAUSED",
    "EVAL-PAYLOAD",
    "EVAL-PROJECT-STATE",
    "EVAL-REJECT-ALL",
    "EVAL-REPRESENTATIVE",
    "EVAL-SCORE-FORMAT",
    "EVAL-SCORE-RANGE",
    "EVAL-SEND-BACK",
    "EVAL-SIGN-IN",
    "EVAL-SIGNATURE",
    "EVAL-SIGNED-TIME",
    "EVAL-SIGNER-KEY",
    "EVAL-STATE",
    "EVAL-STEP",
    "EVAL-TIME",
    "EVAL-VALIDITY",
    "OBJ-ANSWERED",
    "OBJ-LOT",
    "OBJ-ONCE",
    "OBJ-PAYLOAD",
    "OBJ-PENDING",
    "OBJ-SIGNATURE",
    "OBJ-SIGNED-TIME",
    "OBJ-SIGNER-KEY",
    "OBJ-STANDING",
    "OBJ-WINDOW",
    NULL,
};

static bool
evaluation_init(const struct config *config)
{
    evaluation_cfg = config;
    static const struct announce_results results = {award_result, award_published, award_contracts};
    announce_set_results(&results); /* the candidates and the award are this stage's */
    venues_set_party_check("tenderer", eval_rep_admitted); /* its representatives sign in */
    return true;
}

static const struct job jobs[] = {
    {"evaluation.deadlines", "system:award-monitor", 300, NULL, false, evaluation_job_deadlines},
};

const struct module evaluation_module = {
    .name = "evaluation",
    .routes = routes,
    .nroutes = ARRAY_LEN(routes),
    .init = evaluation_init,
    .fini = live_fini,
    .jobs = jobs,
    .njobs = ARRAY_LEN(jobs),
    .rule_codes = rule_codes,
};
