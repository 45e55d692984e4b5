/*
 * routes.c — the accounts module's route rows and handlers: log in and out, who am I,
 * password change, public-key registration, and the center admin's organization and user
 * administration. The dispatcher has already authenticated, authorized and validated the body
 * when a handler runs; every state change goes through req_tx with exactly one audit entry.
 *
 * Rule codes used in refusals (docs/errors.md): ACC-ROLE-ORG, ACC-PASSWORD, ACC-SELF-DISABLE.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "accounts.h"
#include "audit.h"
#include "auth.h"
#include "crypto.h"
#include "db.h"
#include "app.h"
#include "store.h"

#include "internal.h"

const struct config *accounts_cfg;
char *accounts_dummy_hash; /* verified against when the user does not exist: same timing */

/* ---- the rows ---- */

static const char *const role_values[] = {"center_admin", "agent",    "bidder", "expert",
                                          "supervisor",   "tenderer", NULL};

static const struct field login_schema[] = {
    {"username", F_STRING, true, 1, 64, NULL},
    {"password", F_STRING, true, 1, 512, NULL},
    {"device_token", F_STRING, false, 1, 64, NULL},
    {NULL},
};
static const struct field password_schema[] = {
    {"old_password", F_STRING, true, 1, 512, NULL},
    {"new_password", F_STRING, true, 1, 512, NULL},
    {NULL},
};
static const struct field key_schema[] = {
    {"certificate", F_STRING, true, 1, 65536, NULL},
    {"proof", F_STRING, true, 1, 200, NULL},
    {"label", F_STRING, false, 0, 100, NULL},
    {NULL},
};
static const struct field org_schema[] = {
    {"name", F_STRING, true, 1, 200, NULL},
    {"type", F_STRING, true, 1, 20, org_types},
    {"credit_code", F_STRING, true, 18, 18, NULL},
    {"region", F_STRING, true, 6, 6, NULL},
    {NULL},
};
static const struct field user_schema[] = {
    {"username", F_STRING, true, 3, 64, NULL},
    {"display_name", F_STRING, true, 1, 100, NULL},
    {"org_id", F_INT, true, 1, INT64_C(9007199254740991), NULL},
    {"role", F_STRING, true, 1, 20, role_values},
    {"password", F_STRING, true, 1, 512, NULL},
    {NULL},
};

#define STAFF (ROLE_CENTER_ADMIN | ROLE_SUPERVISOR)

/* the lists' query parameters (checked by the dispatcher, route.h) */
static const char *const q_org_types[] = {"bidder", "agency",      "tenderer",
                                          "center", "supervision", NULL};
static const char *const q_roles[] = {"center_admin", "agent",    "bidder", "expert",
                                      "supervisor",   "tenderer", NULL};
static const struct field org_query[] = {
    Q_AFTER, Q_LIMIT(200), Q_ENUM("type", q_org_types), {NULL}};
static const struct field user_query[] = {
    Q_AFTER, Q_LIMIT(200), Q_ID("org_id"), Q_ENUM("role", q_roles), {NULL}};

static const struct route routes[] = {
    {"POST", "/api/v1/auth/login", login, ROLE_PUBLIC, 2048, login_schema, 0},
    {"POST", "/api/v1/auth/logout", logout, ROLES_USER, 0, NULL, 0},
    {"GET", "/api/v1/me", me, ROLES_USER, 0, NULL, 0},
    {"POST", "/api/v1/me/password", password_change, ROLES_USER, 2048, password_schema, 0},
    {"GET", "/api/v1/me/keys", my_keys, ROLES_USER, 0, NULL, 0},
    {"POST", "/api/v1/me/keys", key_register, ROLES_USER, 96 * 1024, key_schema, ROUTE_CREATES},
    {"DELETE", "/api/v1/me/keys/{key_id}", key_revoke, ROLES_USER, 0, NULL, 0},
    {"POST", "/api/v1/orgs", org_create, ROLE_CENTER_ADMIN, 4096, org_schema, ROUTE_CREATES},
    {"GET", "/api/v1/orgs", org_list, STAFF, 0, NULL, 0, .query = org_query},
    {"GET", "/api/v1/orgs/{id}", org_get, ROLES_USER, 0, NULL, 0},
    {"POST", "/api/v1/users", user_create, ROLE_CENTER_ADMIN, 4096, user_schema, ROUTE_CREATES},
    {"GET", "/api/v1/users", user_list, STAFF, 0, NULL, 0, .query = user_query},
    {"GET", "/api/v1/users/{id}", user_get, ROLES_USER, 0, NULL, 0},
    {"GET", "/api/v1/users/{id}/keys", user_keys, ROLES_USER, 0, NULL, 0},
    {"POST", "/api/v1/users/{id}/disable", user_disable, ROLE_CENTER_ADMIN, 0, NULL, 0},
    {"POST", "/api/v1/users/{id}/enable", user_enable, ROLE_CENTER_ADMIN, 0, NULL, 0},
};

static bool
accounts_init(const struct config *c)
{
    accounts_cfg = c;
    auth_set_session_lookup(store_session_lookup); /* the core authenticates through accounts */
    accounts_dummy_hash =
        password_hash("not a password", (unsigned)accounts_conf.scrypt_log2n,
                      (unsigned)accounts_conf.scrypt_r, (unsigned)accounts_conf.scrypt_p);
    return accounts_dummy_hash != NULL;
}

static void
accounts_fini(void)
{
    free(accounts_dummy_hash);
    accounts_dummy_hash = NULL;
}

static int
bootstrap_command(const struct command_ctx *x)
{
    return accounts_bootstrap_admin(x->cfg) ? 0 : 1;
}

struct accounts_conf accounts_conf;

#define I(name, field, def, lo, hi) CONFIG_I(struct accounts_conf, name, field, def, lo, hi)
static const struct config_key config_keys[] = {
    I("auth.scrypt_log2n", scrypt_log2n, "15", 10, 22),
    I("auth.scrypt_r", scrypt_r, "8", 1, 32),
    I("auth.scrypt_p", scrypt_p, "1", 1, 16),
    I("auth.throttle_failures", throttle_failures, "5", 1, 1000),
    I("auth.throttle_window_s", throttle_window_s, "900", 1, 86400),
};
#undef I

static const struct job jobs[] = {
    {"accounts.sessions-expire", "system:housekeeping", 60, NULL, false, accounts_job_sessions},
    {"accounts.throttle-expire", "system:housekeeping", 60, NULL, false, accounts_job_throttle},
    {"accounts.devices-expire", "system:housekeeping", 3600, NULL, false, accounts_job_devices},
};

static const struct command commands[] = {
    {"bootstrap-admin", bootstrap_command, "create the first center_admin if there is none"},
};

static const char *const rule_codes[] = {
    "ACC-PASSWORD",     "ACC-ROLE-ORG",     "ACC-SELF-DISABLE", "KEY-CERT-ALG",
    "KEY-CERT-CHAIN",   "KEY-CERT-EXPIRED", "KEY-CERT-FORMAT",  "KEY-CERT-ORG",
    "KEY-CERT-REVOKED", "KEY-CERT-SIDE",    "KEY-CERT-USAGE",   "KEY-NO-CERT",
    "KEY-PROOF",        "KEY-SIDE",         "KEY-UNKNOWN",      NULL,
};

const struct module accounts_module = {
    .name = "accounts",
    .rule_codes = rule_codes,
    .routes = routes,
    .nroutes = ARRAY_LEN(routes),
    .init = accounts_init,
    .fini = accounts_fini,
    .jobs = jobs,
    .njobs = ARRAY_LEN(jobs),
    .commands = commands,
    .ncommands = ARRAY_LEN(commands),
    .config_keys = config_keys,
    .nconfig_keys = ARRAY_LEN(config_keys),
    .config = &accounts_conf,
};
