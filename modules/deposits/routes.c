/*
 * routes.c — the deposits module's route rows, schemas, configuration, jobs and descriptor: basic
 * accounts (organizations ask, signed; center staff decide), sub-accounts per bidder per lot,
 * the bank's signed notices, the ledger, refunds and the collusion indicators. Refusals: rule
 * codes DEP-* and the statutory R-DEPOSIT-*, R-REFUND-*. docs/deposits.md is the reference.
 */
#include <stdio.h>
#include <string.h>

#include "bids/bids.h"
#include "internal.h"

struct deposits_conf deposits_conf;
const struct config *deposits_cfg;

#define MAX_ID INT64_C(9007199254740991)
#define STAFF  (ROLE_CENTER_ADMIN | ROLE_SUPERVISOR)

static const struct field basic_schema[] = {
    {"account_no", F_STRING, true, 6, 34, NULL},
    {"bank_name", F_STRING, true, 1, 200, NULL},
    {"holder_name", F_STRING, true, 1, 200, NULL},
    {"key_id", F_STRING, true, 64, 64, NULL},
    {"signed_us", F_INT, true, 0, MAX_ID, NULL},
    {"signature", F_STRING, true, 1, 200, NULL},
    {NULL},
};
static const struct field decision_schema[] = {
    {"approve", F_BOOL, true, 0, 0, NULL},
    {"reason", F_STRING, false, 1, 2000, NULL},
    {NULL},
};
static const struct field notice_body_schema[] = {
    {"notice", F_OBJECT, true, 0, 0, NULL},
    {"signature", F_STRING, true, 1, 200, NULL},
    {NULL},
};

static const struct field guarantee_body_schema[] = {
    {"guarantee", F_OBJECT, true, 0, 0, NULL},
    {"certificate", F_STRING, true, 1, 16384, NULL},
    {"signature", F_STRING, true, 1, 200, NULL},
    {NULL},
};
static const struct field statement_body_schema[] = {
    {"statement", F_OBJECT, true, 0, 0, NULL},
    {"signature", F_STRING, true, 1, 200, NULL},
    {NULL},
};
static const struct field return_schema[] = {
    {"reason", F_STRING, true, 1, 500, NULL},
    {NULL},
};
static const char *const forfeit_grounds[] = {"revocation", "refused_contract", "refused_bond",
                                              NULL};
static const struct field forfeit_schema[] = {
    {"org_id", F_INT, true, 1, MAX_ID, NULL},
    {"ground", F_STRING, true, 1, 24, forfeit_grounds},
    {"reason", F_STRING, true, 1, 2000, NULL},
    {NULL},
};
static const struct field forfeit_decision_schema[] = {
    {"approve", F_BOOL, true, 0, 0, NULL},       {"reason", F_STRING, true, 1, 2000, NULL},
    {"key_id", F_STRING, true, 64, 64, NULL},    {"signed_us", F_INT, true, 0, MAX_ID, NULL},
    {"signature", F_STRING, true, 1, 200, NULL}, {NULL},
};

/* the lists' query parameters (checked by the dispatcher, route.h) */
static const char *const q_basic_states[] = {"pending", "approved", "refused", "replaced", NULL};
static const char *const q_outcomes[] = {"credited", "held",     "confirmed",
                                         "failed",   "returned", NULL};
static const char *const q_refund_states[] = {"instructed", "sent", "paid", "failed", NULL};
static const struct field basic_query[] = {
    Q_BEFORE, Q_LIMIT(500), Q_ENUM("state", q_basic_states), Q_ID("org"), {NULL}};
static const struct field sub_query[] = {
    Q_BEFORE, Q_LIMIT(100), Q_ID("project"), Q_ID("org"), {NULL}};
static const struct field notice_query[] = {
    Q_BEFORE, Q_LIMIT(500), Q_ENUM("outcome", q_outcomes), {NULL}};
static const struct field entries_query[] = {Q_AFTER, Q_LIMIT(500), {NULL}};
static const struct field page_query[] = {Q_BEFORE, Q_LIMIT(500), {NULL}};
static const struct field guarantee_query[] = {Q_BEFORE, Q_LIMIT(500), Q_ID("project"), {NULL}};
static const struct field refund_query[] = {Q_BEFORE,
                                            Q_LIMIT(500),
                                            Q_ENUM("state", q_refund_states),
                                            {"late", F_INT, false, 1, 1, NULL},
                                            {NULL}};

static const struct route routes[] = {
    {"POST", "/api/v1/deposits/basic-accounts", basic_create, ROLE_BIDDER, 4096, basic_schema,
     ROUTE_CREATES},
    {"GET", "/api/v1/deposits/basic-accounts", basic_list, ROLE_BIDDER | STAFF, 0, NULL, 0,
     .query = basic_query},
    {"POST", "/api/v1/deposits/basic-accounts/{id}/decision", basic_decide, ROLE_CENTER_ADMIN, 4096,
     decision_schema, 0},
    {"POST", "/api/v1/projects/{id}/lots/{lot}/deposit", sub_open, ROLE_BIDDER, 0, NULL,
     ROUTE_CREATES},
    {"GET", "/api/v1/projects/{id}/lots/{lot}/deposit", sub_get, ROLE_BIDDER, 0, NULL, 0},
    {"GET", "/api/v1/deposits/subaccounts", sub_list, ROLE_BIDDER | STAFF, 0, NULL, 0,
     .query = sub_query},
    {"GET", "/api/v1/projects/{id}/deposit-flags", flag_list, STAFF, 0, NULL, 0},
    {"POST", "/api/v1/deposits/bank/notices", notice_create, ROLE_PUBLIC, 8192, notice_body_schema,
     ROUTE_CREATES},
    {"GET", "/api/v1/deposits/notices", notice_list, STAFF, 0, NULL, 0, .query = notice_query},
    {"POST", "/api/v1/deposits/notices/{id}/return", return_create, ROLE_CENTER_ADMIN, 4096,
     return_schema, ROUTE_CREATES},
    {"GET", "/api/v1/deposits/ledger", ledger_get, STAFF, 0, NULL, 0},
    {"GET", "/api/v1/deposits/entries", entries_list, STAFF, 0, NULL, 0, .query = entries_query},
    {"GET", "/api/v1/deposits/refunds", refund_list, STAFF, 0, NULL, 0, .query = refund_query},
    {"POST", "/api/v1/deposits/guarantees", guarantee_create, ROLE_PUBLIC, 32768,
     guarantee_body_schema, ROUTE_CREATES},
    {"GET", "/api/v1/deposits/guarantees", guarantee_list, ROLE_BIDDER | STAFF, 0, NULL, 0,
     .query = guarantee_query},
    {"POST", "/api/v1/deposits/statements", statement_create, ROLE_PUBLIC, 2 * 1024 * 1024,
     statement_body_schema, ROUTE_CREATES},
    {"GET", "/api/v1/deposits/statements", statement_list, STAFF, 0, NULL, 0, .query = page_query},
    {"POST", "/api/v1/projects/{id}/lots/{lot}/forfeitures", forfeit_propose,
     ROLE_AGENT | ROLE_CENTER_ADMIN, 4096, forfeit_schema, ROUTE_CREATES},
    {"GET", "/api/v1/projects/{id}/forfeitures", forfeit_list, ROLE_AGENT | STAFF, 0, NULL, 0},
    {"POST", "/api/v1/deposits/forfeitures/{id}/decision", forfeit_decide, ROLE_SUPERVISOR, 4096,
     forfeit_decision_schema, 0},
};

static const char *const rule_codes[] = {
    "DEP-BANK",
    "DEP-BASIC-HOLDER",
    "DEP-BASIC-PENDING",
    "DEP-DEADLINE",
    "DEP-EVIDENCE-PENDING",
    "DEP-FORFEIT-GROUND",
    "DEP-FORFEIT-NOTHING",
    "DEP-FORFEIT-OPEN",
    "DEP-FORFEIT-REGIME",
    "DEP-FORFEIT-SELF",
    "DEP-GUARANTEE-AMOUNT",
    "DEP-GUARANTEE-BIDDER",
    "DEP-GUARANTEE-CONFLICT",
    "DEP-GUARANTEE-VALIDITY",
    "DEP-LEDGER-ALTERED",
    "DEP-NONE",
    "DEP-NOT-BIDDING",
    "DEP-NOTICE-CONFLICT",
    "DEP-PLATFORM",
    "DEP-REFUND-MISMATCH",
    "DEP-REFUND-STATE",
    "DEP-REFUND-UNKNOWN",
    "DEP-RETURN-PAYER",
    "DEP-RETURN-STATE",
    "DEP-SIGNATURE",
    "DEP-SIGNED-TIME",
    "DEP-STATEMENT-CONFLICT",
    NULL,
};

static const struct config_key config_keys[] = {
    CONFIG_S(struct deposits_conf, "deposits.bank_cert", bank_cert, ""),
    CONFIG_S(struct deposits_conf, "deposits.bank_credit_code", bank_credit_code, ""),
    CONFIG_S(struct deposits_conf, "deposits.bank_name", bank_name, "开发测试银行"),
    CONFIG_S(struct deposits_conf, "deposits.account_name", account_name, "公共资源交易中心"),
    CONFIG_S(struct deposits_conf, "deposits.subaccount_prefix", prefix, "8801"),
    CONFIG_S(struct deposits_conf, "deposits.instructions_dir", instructions_dir, ""),
    CONFIG_S(struct deposits_conf, "deposits.rates", rates, "data/deposit-rates.tsv"),
    CONFIG_I(struct deposits_conf, "deposits.notice_skew_s", notice_skew_s, "300", 10, 86400),
    CONFIG_I(struct deposits_conf, "deposits.warn_hours", warn_hours, "24", 1, 720),
    /* 实施条例 第二十六条: a deposit's validity is the bids' (until the tender states its own) */
    CONFIG_I(struct deposits_conf, "deposits.bid_validity_days", bid_validity_days, "90", 1, 365),
    /* no statute sets it: the platform's own promise, published (docs/deposits.md §5c) */
    CONFIG_I(struct deposits_conf, "deposits.return_days", return_days, "5", 1, 30),
    CONFIG_I(struct deposits_conf, "deposits.retry_hours", retry_hours, "24", 1, 720),
    CONFIG_I(struct deposits_conf, "deposits.ledger_check_s", ledger_check_s, "300", 10, 86400),
};

static int64_t
ledger_watch_every(const struct config *cfg)
{
    (void)cfg;
    return deposits_conf.ledger_check_s;
}

static const struct job jobs[] = {
    {"deposits.refunds", "system:refund-scheduler", 60, NULL, true, deposits_job_refunds},
    {"deposits.deadlines", "system:refund-monitor", 60, NULL, false, deposits_job_deadlines},
    {"deposits.ledger-watch", "system:ledger-watch", 0, ledger_watch_every, true,
     deposits_job_ledger},
};

static bool
deposits_check(char *err, size_t errlen)
{
    char n[40];
    if (!deposits_rule_subaccount_number(deposits_conf.prefix, 1, n, sizeof n) || strlen(n) > 34) {
        snprintf(err, errlen, "deposits.subaccount_prefix: up to 20 digits");
        return false;
    }
    return true;
}

static bool
deposits_init(const struct config *config)
{
    char err[400];
    deposits_cfg = config;
    if (!bank_load(err, sizeof err) || !rates_load(deposits_conf.rates, err, sizeof err)) {
        log_error("deposits_init: %s", err);
        bank_free();
        return false;
    }
    if (!app_subscribe(EV_AWARD_NOTICE, deposits_on_event) ||
        !app_subscribe(EV_CONTRACT_SIGNED, deposits_on_event)) {
        log_error("deposits_init: the event hook is full");
        bank_free();
        return false;
    }
    bids_set_deposit_states(deposit_states_at_deadline);
    if (!evidence_init() || !app_health_add(deposits_health)) {
        log_error("deposits_init: the log's evidence cannot be followed");
        bank_free();
        return false;
    }
    return true;
}

static void
deposits_fini(void)
{
    evidence_fini();
    bank_free();
}

const struct module deposits_module = {
    .name = "deposits",
    .calendar_moved = deposits_calendar_moved,
    .routes = routes,
    .nroutes = ARRAY_LEN(routes),
    .init = deposits_init,
    .fini = deposits_fini,
    .jobs = jobs,
    .njobs = ARRAY_LEN(jobs),
    .rule_codes = rule_codes,
    .config_keys = config_keys,
    .nconfig_keys = ARRAY_LEN(config_keys),
    .config = &deposits_conf,
    .config_check = deposits_check,
};
