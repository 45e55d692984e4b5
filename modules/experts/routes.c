/*
 * routes.c — the experts module's route rows, schemas, configuration, job and descriptor: the
 * library (experts keep their profile; center staff admit, suspend and remove), the committee
 * draw (agents ask, center staff cosign, supervisors bring entropy, experts answer). Refusals:
 * rule codes EXP-*, DRAW-* and the statutory R-EXPERT-*, R-COMMITTEE-*. docs/experts.md and
 * docs/draw.md are the reference.
 */
#include <stdio.h>
#include <string.h>

#include "internal.h"

struct experts_conf experts_conf;
const struct config *experts_cfg;

#define MAX_ID INT64_C(9007199254740991)

static const struct field profile_schema[] = {
    {"title", F_STRING, true, 1, 16, experts_titles},
    {"field_since", F_INT, true, 1900, 2200, NULL},
    {"birth_year", F_INT, true, 1900, 2200, NULL},
    {"region", F_STRING, true, 6, 6, NULL},
    {"sharing", F_STRING, true, 1, 16, experts_sharing},
    {"e_evaluation", F_BOOL, true, 0, 0, NULL},
    {"specialties", F_ARRAY, true, 1, 20, NULL},
    {"phone", F_STRING, false, 5, 20, NULL},
    {NULL},
};
static const char *const settable_states[] = {"active", "suspended", "removed", NULL};
static const struct field state_schema[] = {
    {"state", F_STRING, true, 1, 16, settable_states},
    {"reason", F_STRING, true, 1, 2000, NULL},
    {"until_us", F_INT, false, 1, MAX_ID, NULL},
    {NULL},
};
static const struct field relation_schema[] = {
    {"kind", F_STRING, true, 1, 24, experts_relation_kinds},
    {"credit_code", F_STRING, true, 18, 18, NULL},
    {"org_name", F_STRING, true, 1, 200, NULL},
    {"ended_us", F_INT, false, 1, MAX_ID, NULL},
    {NULL},
};
static const struct field relation_end_schema[] = {
    {"ended_us", F_INT, true, 1, MAX_ID, NULL},
    {"reason", F_STRING, true, 1, 2000, NULL},
    {NULL},
};
static const struct field leave_schema[] = {
    {"start_us", F_INT, true, 0, MAX_ID, NULL},
    {"end_us", F_INT, true, 0, MAX_ID, NULL},
    {NULL},
};
static const struct field draw_schema[] = {
    {"project_id", F_INT, true, 1, MAX_ID, NULL},
    {"booking_id", F_INT, true, 1, MAX_ID, NULL},
    {"groups", F_ARRAY, true, 1, DRAW_GROUPS_MAX, NULL},
    {"owner_reps", F_INT, true, 0, 33, NULL},
    {"reserves", F_INT, true, 0, 50, NULL},
    {"regions", F_ARRAY, true, 1, 64, NULL},
    {NULL},
};
static const struct field cosign_schema[] = {
    {"key_id", F_STRING, true, 64, 64, NULL},
    {"signed_us", F_INT, true, 0, MAX_ID, NULL},
    {"signature", F_STRING, true, 1, 200, NULL},
    {NULL},
};
static const struct field entropy_schema[] = {
    {"value", F_STRING, true, 1, 200, NULL},
    {"key_id", F_STRING, true, 64, 64, NULL},
    {"signed_us", F_INT, true, 0, MAX_ID, NULL},
    {"signature", F_STRING, true, 1, 200, NULL},
    {NULL},
};
static const struct field beacon_schema[] = {
    {"value", F_STRING, true, 1, 200, NULL},
    {"published_us", F_INT, true, 0, MAX_ID, NULL},
    {NULL},
};
static const struct field answer_schema[] = {
    {"accept", F_BOOL, true, 0, 0, NULL},        {"reason", F_STRING, false, 1, 400, NULL},
    {"key_id", F_STRING, true, 64, 64, NULL},    {"signed_us", F_INT, true, 0, MAX_ID, NULL},
    {"signature", F_STRING, true, 1, 200, NULL}, {NULL},
};
static const char *const replace_causes[] = {"recusal", "illness", "misconduct", "other", NULL};
static const struct field replace_schema[] = {
    {"cause", F_STRING, true, 1, 16, replace_causes},
    {"reason", F_STRING, true, 1, 400, NULL},
    {NULL},
};
static const struct field rating_schema[] = {
    {"score", F_INT, true, 1, 5, NULL},
    {"comment", F_STRING, false, 1, 2000, NULL},
    {NULL},
};
static const char *const agency_states[] = {"active", "suspended", NULL};
static const struct field agency_schema[] = {
    {"categories", F_ARRAY, true, 1, 4, NULL},
    {"affiliates", F_ARRAY, true, 0, 50, NULL},
    {"state", F_STRING, true, 1, 16, agency_states},
    {"reason", F_STRING, false, 1, 2000, NULL},
    {NULL},
};
static const struct field agency_draw_schema[] = {
    {"category", F_STRING, true, 1, 16, NULL},
    {"regions", F_ARRAY, true, 1, 64, NULL},
    {"count", F_INT, true, 1, 3, NULL},
    {"reserves", F_INT, true, 0, 10, NULL},
    {NULL},
};
static const struct field cancel_schema[] = {
    {"reason", F_STRING, true, 1, 2000, NULL},
    {NULL},
};

#define STAFF (ROLE_CENTER_ADMIN | ROLE_SUPERVISOR)

/* query parameters (checked by the dispatcher, route.h) */
static const char *const q_expert_states[] = {"applied", "active", "suspended", "removed", NULL};
static const char *const q_categories[] = {"engineering", "procurement", "land_mineral",
                                           "state_property", NULL};
static const struct field profile_query[] = {
    Q_ENUM("state", q_expert_states), Q_AFTER, Q_LIMIT(200), {NULL}};
static const struct field agency_query[] = {Q_ENUM("category", q_categories), {NULL}};
static const struct field draw_query[] = {Q_ID("project_id"), Q_AFTER, Q_LIMIT(200), {NULL}};

static const struct route routes[] = {
    {"GET", "/api/v1/experts/specialties", specialties_get, ROLE_PUBLIC, 0, NULL, 0},
    {"GET", "/api/v1/experts/me", profile_me, ROLE_EXPERT, 0, NULL, 0},
    {"POST", "/api/v1/experts/me", profile_save, ROLE_EXPERT, 8192, profile_schema, 0},
    {"POST", "/api/v1/experts/me/relations", relation_create, ROLE_EXPERT, 4096, relation_schema,
     ROUTE_CREATES},
    {"POST", "/api/v1/experts/me/leaves", leave_create, ROLE_EXPERT, 1024, leave_schema,
     ROUTE_CREATES},
    {"GET", "/api/v1/experts/me/assignments", assignment_list, ROLE_EXPERT, 0, NULL, 0},
    {"POST", "/api/v1/experts/me/assignments/{id}/answer", assignment_answer, ROLE_EXPERT, 4096,
     answer_schema, 0},
    {"GET", "/api/v1/experts", profile_list, STAFF, 0, NULL, 0, .query = profile_query},
    {"GET", "/api/v1/experts/{id}", profile_get, STAFF, 0, NULL, 0},
    {"POST", "/api/v1/experts/{id}/admit", profile_admit, ROLE_CENTER_ADMIN, 0, NULL, 0},
    {"POST", "/api/v1/experts/{id}/relations/{rid}/end", relation_end, ROLE_CENTER_ADMIN, 4096,
     relation_end_schema, 0},
    {"POST", "/api/v1/experts/{id}/state", profile_state, ROLE_CENTER_ADMIN, 4096, state_schema, 0},
    {"POST", "/api/v1/agencies/{id}/registration", agency_register, ROLE_CENTER_ADMIN, 8192,
     agency_schema, 0},
    {"GET", "/api/v1/agencies", agency_list, ROLE_PUBLIC, 0, NULL, 0, .query = agency_query},
    {"POST", "/api/v1/agency-draws", agency_draw_create, ROLE_TENDERER, 4096, agency_draw_schema,
     ROUTE_CREATES},
    {"POST", "/api/v1/draws", draw_create, ROLE_AGENT, 8192, draw_schema, ROUTE_CREATES},
    {"GET", "/api/v1/draws", draw_list, ROLE_AGENT | ROLE_TENDERER | STAFF, 0, NULL, 0,
     .query = draw_query},
    {"GET", "/api/v1/draws/{id}", draw_get, ROLE_AGENT | ROLE_TENDERER | STAFF, 0, NULL, 0},
    {"POST", "/api/v1/draws/{id}/cosign", draw_cosign, ROLE_CENTER_ADMIN, 4096, cosign_schema, 0},
    {"POST", "/api/v1/draws/{id}/entropy", draw_entropy, ROLE_SUPERVISOR, 4096, entropy_schema, 0},
    {"POST", "/api/v1/draws/{id}/members/{pseudonym}/replace", member_replace, ROLE_CENTER_ADMIN,
     4096, replace_schema, 0},
    {"POST", "/api/v1/draws/{id}/members/{pseudonym}/rating", member_rate,
     ROLE_AGENT | ROLE_SUPERVISOR, 4096, rating_schema, ROUTE_CREATES},
    {"POST", "/api/v1/draws/{id}/beacon", draw_beacon, ROLE_CENTER_ADMIN, 1024, beacon_schema, 0},
    {"POST", "/api/v1/draws/{id}/cancel", draw_cancel, ROLE_AGENT | ROLE_CENTER_ADMIN, 4096,
     cancel_schema, 0},
};

static const char *const rule_codes[] = {
    "DRAW-AGENCY",      "DRAW-ANSWER-LATE",   "DRAW-TENDERER",
    "DRAW-BEACON-TIME", "DRAW-RATED",         "DRAW-RATING-EARLY",
    "DRAW-CAPACITY",    "DRAW-COSIGNED",      "DRAW-EXISTS",
    "DRAW-POOL-SMALL",  "DRAW-PROJECT-STATE", "DRAW-SESSION",
    "DRAW-SIGNATURE",   "DRAW-SIGNED-TIME",   "DRAW-SIGNER-KEY",
    "DRAW-SPECIALTY",   "DRAW-WINDOW",        "EXP-PROFILE",
    "EXP-SPECIALTY",    "EXP-STATE",          NULL,
};

static const struct config_key config_keys[] = {
    CONFIG_S(struct experts_conf, "experts.specialties", specialties, ""),
    CONFIG_I(struct experts_conf, "experts.window_hours", window_hours, "24", 1, 720),
    CONFIG_I(struct experts_conf, "experts.answer_minutes", answer_minutes, "30", 1, 1440),
    /* 财政部令第87号 第十四条 (as the issue cites it): at least two staff supervise a draw */
    CONFIG_I(struct experts_conf, "experts.staff", staff, "2", 2, 10),
    CONFIG_I(struct experts_conf, "experts.pool_ratio", pool_ratio, "2", 2, 100),
    CONFIG_I(struct experts_conf, "experts.served_days", served_days, "30", 0, 3650),
    CONFIG_I(struct experts_conf, "experts.relation_years", relation_years, "3", 0, 50),
    /* RFC 3797 §4: a public random source, named before the pool is fixed */
    CONFIG_S(struct experts_conf, "experts.beacon_source", beacon_source, ""),
};

static const struct job jobs[] = {
    {"experts.answers-expire", "system:draw-monitor", 60, NULL, false, experts_job_expire},
    {"experts.reveal", "system:draw-reveal", 60, NULL, false, experts_job_reveal},
};

static bool
experts_init(const struct config *config)
{
    char err[300];
    experts_cfg = config;
    experts_parties_init(); /* an evaluation admits its committee; relocations tell it */
    if (!specialties_load(experts_conf.specialties, err, sizeof err)) {
        log_error("experts_init: %s", err);
        return false;
    }
    return true;
}

static void
experts_fini(void)
{
    specialties_free();
}

const struct module experts_module = {
    .name = "experts",
    .routes = routes,
    .nroutes = ARRAY_LEN(routes),
    .init = experts_init,
    .fini = experts_fini,
    .jobs = jobs,
    .njobs = ARRAY_LEN(jobs),
    .rule_codes = rule_codes,
    .config_keys = config_keys,
    .nconfig_keys = ARRAY_LEN(config_keys),
    .config = &experts_conf,
};
