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
#define cfg accounts_cfg
static char *dummy_hash; /* verified against when the user does not exist: same timing */

/* ---- JSON views of rows ---- */

static cJSON *
org_json(const struct dbres *r, size_t i)
{
    cJSON *o = cJSON_CreateObject();
    json_add_i64(o, "id", dbres_i64(r, i, 0));
    cJSON_AddStringToObject(o, "name", dbres_str(r, i, 1));
    cJSON_AddStringToObject(o, "type", dbres_str(r, i, 2));
    cJSON_AddStringToObject(o, "credit_code", dbres_str(r, i, 3));
    cJSON_AddStringToObject(o, "region", dbres_str(r, i, 4));
    json_add_time(o, "created_at", dbres_i64(r, i, 5));
    return o;
}

static cJSON *
user_json(const struct dbres *r, size_t i)
{
    cJSON *o = cJSON_CreateObject();
    json_add_i64(o, "id", dbres_i64(r, i, 0));
    cJSON_AddStringToObject(o, "username", dbres_str(r, i, 1));
    cJSON_AddStringToObject(o, "display_name", dbres_str(r, i, 2));
    cJSON_AddStringToObject(o, "role", dbres_str(r, i, 3));
    cJSON *org = cJSON_AddObjectToObject(o, "organization");
    json_add_i64(org, "id", dbres_i64(r, i, 4));
    cJSON_AddStringToObject(org, "name", dbres_str(r, i, 5));
    cJSON_AddStringToObject(org, "type", dbres_str(r, i, 6));
    cJSON_AddBoolToObject(o, "disabled", dbres_i64(r, i, 7) != 0);
    json_add_time(o, "created_at", dbres_i64(r, i, 8));
    return o;
}

/* List rows, in the shape req_page_reply takes. */
static cJSON *
org_row(void *ctx, const struct dbres *r, size_t i)
{
    (void)ctx;
    return org_json(r, i);
}

static cJSON *
user_row(void *ctx, const struct dbres *r, size_t i)
{
    (void)ctx;
    return user_json(r, i);
}

/* ---- sessions ---- */

/*
 * Login throttling (docs/operations.md "Login throttling") that cannot be turned into a lockout
 * of someone else. Failures are counted under keys that are hashes (so any username fits, and
 * none is stored): per account and per client address for an untrusted client, and per device
 * for a client that presents the device token an earlier successful login of that account gave
 * it. An attacker's failures — against the account, or from an address its owner shares — fill
 * the first two and never the owner's device key, so the owner keeps signing in from a device
 * it used before, while guesses from everywhere else stay throttled.
 */
struct login_ctx {
    char ukey[80], ckey[80], dkey[80]; /* dkey[0]: no trusted device */
    int64_t user_id;
    bool ok;
    char device[44]; /* the device token handed out, when a new one */
};

/* A throttle key: prefix ":" hex SHA-256(what). */
static void
throttle_key(char out[80], const char *prefix, const void *what, size_t n)
{
    uint8_t h[32];
    char hex[65] = "";
    if (crypto_sha256(what, n, h))
        hex_encode(h, 32, hex);
    snprintf(out, 80, "%s:%s", prefix, hex);
}

static enum tx_result
login_tx(struct dbconn *c, struct req *r, void *arg)
{
    struct login_ctx *x = arg;
    int64_t now = clock_now_us();
    int64_t window = accounts_conf.throttle_window_s * 1000000LL;
    if (!x->ok) {
        if (x->dkey[0] ? store_throttle_fail(c, x->dkey, now, window) != DB_OK
                       : store_throttle_fail(c, x->ukey, now, window) != DB_OK ||
                             store_throttle_fail(c, x->ckey, now, window) != DB_OK)
            return TX_DBFAIL;
        /* what was typed as a username is not kept (it may be a password typed in the wrong
         * box): only whether it named an account, and which (the entry's object) */
        cJSON *p = cJSON_CreateObject();
        cJSON_AddBoolToObject(p, "known_user", x->user_id != 0);
        cJSON_AddBoolToObject(p, "trusted_device", x->dkey[0] != '\0');
        if (audit_append(c, req_actor(r), "auth.login_failed", "user", x->user_id, 0, p, NULL) !=
            DB_OK)
            return TX_DBFAIL;
        req_error(r, E_BAD_CREDENTIALS, "wrong username or password, or the account is disabled");
        return TX_COMMIT;
    }
    char token[44];
    uint8_t hash[32], dhash[32];
    struct dbres u = {0};
    if (!auth_new_token(token, hash)) {
        req_error(r, E_INTERNAL, "cannot make a token");
        return TX_REFUSE;
    }
    /* a device token for the next logins of this account from this client */
    x->device[0] = '\0';
    if (!x->dkey[0]) {
        uint8_t raw[32];
        if (!crypto_random(raw, sizeof raw)) {
            req_error(r, E_INTERNAL, "cannot make a device token");
            return TX_REFUSE;
        }
        b64url_encode(raw, sizeof raw, x->device);
        OPENSSL_cleanse(raw, sizeof raw);
        if (!crypto_sha256(x->device, strlen(x->device), dhash) ||
            store_device_put(c, dhash, x->user_id, now) != DB_OK)
            return TX_DBFAIL;
    }
    int64_t expires = now + cfg->auth_session_ttl_s * 1000000LL;
    if (store_session_insert(c, hash, x->user_id, now, expires, r->client) != DB_OK ||
        store_throttle_clear(c, x->dkey[0] ? x->dkey : x->ukey) != DB_OK ||
        audit_append(c, req_actor(r), "auth.login", "user", x->user_id, 0, NULL, NULL) != DB_OK ||
        store_user_get(c, x->user_id, &u) != DB_OK || u.nrows != 1) {
        dbres_free(&u);
        OPENSSL_cleanse(token, sizeof token);
        return TX_DBFAIL;
    }
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "token", token);
    cJSON_AddStringToObject(o, "token_type", "Bearer");
    json_add_time(o, "expires_at", expires);
    if (x->device[0])
        cJSON_AddStringToObject(o, "device_token", x->device);
    cJSON_AddItemToObject(o, "user", user_json(&u, 0));
    dbres_free(&u);
    OPENSSL_cleanse(token, sizeof token); /* the only copy left is in the response */
    req_json(r, 200, o);
    return TX_COMMIT;
}

/* Seconds the caller must wait before another attempt on key (0: none); -1 on db error. */
static long
throttled(struct req *r, struct dbconn *c, const char *key, long limit)
{
    struct dbres t;
    enum db_status st = store_throttle_get(c, key, &t);
    if (st != DB_OK) {
        req_db_fail(r, c, st);
        return -1;
    }
    long wait =
        t.nrows ? rule_throttle_wait((long)dbres_i64(&t, 0, 0), dbres_i64(&t, 0, 1), clock_now_us(),
                                     accounts_conf.throttle_window_s * 1000000LL, limit)
                : 0;
    dbres_free(&t);
    return wait;
}

/* 429 with Retry-After when any wait is due; false on a database error (set on r). */
static bool
refuse_throttled(struct req *r, long wait, const char *what)
{
    if (wait <= 0)
        return false;
    r->retry_after = wait;
    req_error(r, E_TOO_MANY_REQUESTS, "too many failed %s; try again in %ld seconds", what, wait);
    return true;
}

static void
login(struct req *r, const cJSON *body)
{
    const char *username = json_str(body, "username"), *pw = json_str(body, "password");
    const char *device = json_str(body, "device_token");
    struct login_ctx x = {0};
    throttle_key(x.ukey, "u", username, strlen(username));
    throttle_key(x.ckey, "c", r->client, strlen(r->client));
    struct dbconn *c = req_db(r);
    if (!c)
        return;
    struct dbres u;
    enum db_status st = store_user_login(c, username, &u);
    if (st != DB_OK) {
        req_db_fail(r, c, st);
        return;
    }
    x.user_id = u.nrows == 1 ? dbres_i64(&u, 0, 0) : 0;
    /* a device token this account's earlier login handed out: its own counter only */
    if (device && x.user_id) {
        uint8_t dh[32];
        int64_t owner = 0;
        if (!crypto_sha256(device, strlen(device), dh) ||
            (st = store_device_user(c, dh, &owner)) != DB_OK) {
            dbres_free(&u);
            req_db_fail(r, c, st == DB_OK ? DB_ERROR : st);
            return;
        }
        if (owner == x.user_id)
            throttle_key(x.dkey, "d", dh, sizeof dh);
    }
    long limit = (long)accounts_conf.throttle_failures, w1, w2 = 0;
    if (x.dkey[0])
        w1 = throttled(r, c, x.dkey, limit);
    else { /* per account, and (more loosely, since offices share addresses) per address */
        w1 = throttled(r, c, x.ukey, limit);
        w2 = w1 < 0 ? -1 : throttled(r, c, x.ckey, 4 * limit);
    }
    if (w1 < 0 || w2 < 0 || refuse_throttled(r, w1 > w2 ? w1 : w2, "logins")) {
        dbres_free(&u);
        return;
    }
    if (u.nrows == 1)
        x.ok = password_verify(pw, dbres_str(&u, 0, 3)) && dbres_i64(&u, 0, 4) == 0;
    else
        (void)password_verify(pw, dummy_hash); /* same work whether or not the user exists */
    dbres_free(&u);
    req_tx(r, login_tx, &x);
    OPENSSL_cleanse(x.device, sizeof x.device);
}

static enum tx_result
logout_tx(struct dbconn *c, struct req *r, void *arg)
{
    (void)arg;
    if (store_session_revoke(c, r->who.token_hash, clock_now_us()) != DB_OK ||
        audit_append(c, req_actor(r), "auth.logout", "user", r->who.user_id, 0, NULL, NULL) !=
            DB_OK)
        return TX_DBFAIL;
    req_empty(r, 204);
    return TX_COMMIT;
}

static void
logout(struct req *r, const cJSON *body)
{
    (void)body;
    if (req_tx(r, logout_tx, NULL))
        auth_cache_forget(r->who.token_hash);
}

static void
me(struct req *r, const cJSON *body)
{
    (void)body;
    cJSON *o = cJSON_CreateObject();
    json_add_i64(o, "id", r->who.user_id);
    cJSON_AddStringToObject(o, "username", r->who.username);
    cJSON_AddStringToObject(o, "role", role_name(r->who.role));
    json_add_i64(o, "org_id", r->who.org_id);
    cJSON_AddStringToObject(o, "platform", cfg->platform_id); /* what signed acts bind */
    req_json(r, 200, o);
}

struct pw_ctx {
    const char *hash;
};

static enum tx_result
password_tx(struct dbconn *c, struct req *r, void *arg)
{
    struct pw_ctx *x = arg;
    int64_t now = clock_now_us();
    if (store_user_set_password(c, r->who.user_id, x->hash, now) != DB_OK ||
        store_sessions_revoke_user(c, r->who.user_id, now, r->who.token_hash) != DB_OK ||
        audit_append(c, req_actor(r), "account.password_change", "user", r->who.user_id, 0, NULL,
                     NULL) != DB_OK)
        return TX_DBFAIL;
    req_empty(r, 204);
    return TX_COMMIT;
}

static void
password_change(struct req *r, const cJSON *body)
{
    const char *old = json_str(body, "old_password"), *new = json_str(body, "new_password");
    const char *why = rule_password_problem(new, r->who.username);
    if (why) {
        req_rule(r, "ACC-PASSWORD", "%s", why);
        return;
    }
    struct dbconn *c = req_db(r);
    if (!c)
        return;
    char pkey[80];
    throttle_key(pkey, "p", &r->who.user_id, sizeof r->who.user_id);
    long wait = throttled(r, c, pkey, (long)accounts_conf.throttle_failures);
    if (wait < 0 || refuse_throttled(r, wait, "password changes"))
        return;
    struct dbres u;
    enum db_status st = store_user_login(c, r->who.username, &u);
    if (st != DB_OK) {
        req_db_fail(r, c, st);
        return;
    }
    bool ok = u.nrows == 1 && password_verify(old, dbres_str(&u, 0, 3));
    dbres_free(&u);
    if (!ok) {
        /* a stolen session must not become an unthrottled password oracle */
        st = store_throttle_fail(c, pkey, clock_now_us(),
                                 accounts_conf.throttle_window_s * 1000000LL);
        if (st != DB_OK)
            req_db_fail(r, c, st);
        else
            req_error(r, E_BAD_CREDENTIALS, "the old password is wrong");
        return;
    }
    struct pw_ctx x = {password_hash(new, (unsigned)accounts_conf.scrypt_log2n,
                                     (unsigned)accounts_conf.scrypt_r,
                                     (unsigned)accounts_conf.scrypt_p)};
    if (!x.hash) {
        req_error(r, E_INTERNAL, "cannot hash the password");
        return;
    }
    if (req_tx(r, password_tx, &x))
        auth_cache_forget_user(r->who.user_id);
    free((char *)x.hash);
}

/* ---- organizations ---- */

struct org_ctx {
    const cJSON *body;
};

static enum tx_result
org_create_tx(struct dbconn *c, struct req *r, void *arg)
{
    const cJSON *b = ((struct org_ctx *)arg)->body;
    int64_t id, now = clock_now_us();
    const char *code = json_str(b, "credit_code");
    enum db_status st = store_org_insert(c, json_str(b, "name"), json_str(b, "type"), code,
                                         json_str(b, "region"), now, &id);
    if (st == DB_DUPLICATE) {
        req_error(r, E_CONFLICT, "an organization with credit code %s already exists", code);
        return TX_REFUSE;
    }
    struct dbres o = {0};
    cJSON *p = cJSON_CreateObject();
    cJSON_AddStringToObject(p, "name", json_str(b, "name"));
    cJSON_AddStringToObject(p, "type", json_str(b, "type"));
    cJSON_AddStringToObject(p, "credit_code", code);
    cJSON_AddStringToObject(p, "region", json_str(b, "region"));
    if (st != DB_OK) {
        cJSON_Delete(p);
        return TX_DBFAIL;
    }
    if (audit_append(c, req_actor(r), "account.org_create", "organization", id, 0, p, NULL) !=
            DB_OK ||
        store_org_get(c, id, &o) != DB_OK || o.nrows != 1) {
        dbres_free(&o);
        return TX_DBFAIL;
    }
    req_json(r, 201, org_json(&o, 0));
    dbres_free(&o);
    return TX_COMMIT;
}

static bool
check_field(struct req *r, bool ok, const char *field, const char *msg)
{
    if (ok)
        return true;
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "field", field);
    req_error_x(r, E_INVALID_FIELD, d, "%s", msg);
    return false;
}

static void
org_create(struct req *r, const cJSON *body)
{
    if (!check_field(r, rule_credit_code_ok(json_str(body, "credit_code")), "credit_code",
                     "credit_code is not a valid unified social credit code (GB 32100-2015)") ||
        !check_field(r, rule_region_ok(json_str(body, "region")), "region",
                     "region must be a six-digit administrative division code (GB/T 2260)"))
        return;
    struct org_ctx x = {body};
    req_tx(r, org_create_tx, &x);
}

static void
org_list(struct req *r, const cJSON *body)
{
    (void)body;
    int64_t after, limit;
    const char *type = req_query(r, "type");
    if (!req_page(r, &after, &limit, 50, 200))
        return;
    if (type) {
        const char *const *t = org_types;
        while (*t && strcmp(*t, type))
            t++;
        if (!*t) {
            req_error(r, E_BAD_REQUEST, "unknown organization type \"%s\"", type);
            return;
        }
    }
    struct dbconn *c = req_db(r);
    if (!c)
        return;
    struct dbres res;
    enum db_status st = store_org_list(c, type, after, limit, &res);
    if (st != DB_OK) {
        req_db_fail(r, c, st);
        return;
    }
    req_page_reply(r, &res, limit, "next_after", 0, org_row, NULL);
    dbres_free(&res);
}

static void
org_get(struct req *r, const cJSON *body)
{
    (void)body;
    int64_t id;
    struct dbconn *c = req_db_for(r, "id", &id);
    if (!c)
        return;
    /* bidders (and experts) see their own organization only: who else takes part in tenders,
     * and so who obtained tender documents, is not theirs to know (招标投标法 第二十二条) */
    if ((r->who.role & (ROLE_BIDDER | ROLE_EXPERT)) && id != r->who.org_id) {
        req_error(r, E_NOT_FOUND, "no organization %lld", (long long)id);
        return;
    }
    struct dbres res;
    enum db_status st = store_org_get(c, id, &res);
    if (st != DB_OK)
        req_db_fail(r, c, st);
    else if (res.nrows == 0)
        req_error(r, E_NOT_FOUND, "no organization %lld", (long long)id);
    else
        req_json(r, 200, org_json(&res, 0));
    dbres_free(&res);
}

/* ---- users ---- */

struct user_ctx {
    const cJSON *body;
    const char *hash;
};

static enum tx_result
user_create_tx(struct dbconn *c, struct req *r, void *arg)
{
    struct user_ctx *x = arg;
    const cJSON *b = x->body;
    int64_t org_id = json_i64(b, "org_id", 0), id, now = clock_now_us();
    const char *role = json_str(b, "role");
    struct dbres o = {0}, u = {0};
    enum db_status st = store_org_get(c, org_id, &o);
    if (st != DB_OK)
        return TX_DBFAIL;
    if (o.nrows == 0) {
        dbres_free(&o);
        cJSON *d = cJSON_CreateObject();
        cJSON_AddStringToObject(d, "field", "org_id");
        req_error_x(r, E_INVALID_FIELD, d, "no organization %lld", (long long)org_id);
        return TX_REFUSE;
    }
    bool fits = rule_role_fits_org(role_from_name(role), dbres_str(&o, 0, 2));
    if (!fits) {
        req_rule(r, "ACC-ROLE-ORG", "a user with role %s cannot belong to a%s %s organization",
                 role, dbres_str(&o, 0, 2)[0] == 'a' ? "n" : "", dbres_str(&o, 0, 2));
        dbres_free(&o);
        return TX_REFUSE;
    }
    dbres_free(&o);
    st = store_user_insert(c, org_id, json_str(b, "username"), json_str(b, "display_name"), role,
                           x->hash, now, &id);
    if (st == DB_DUPLICATE) {
        req_error(r, E_CONFLICT, "the username %s is taken", json_str(b, "username"));
        return TX_REFUSE;
    }
    if (st != DB_OK)
        return TX_DBFAIL;
    cJSON *p = cJSON_CreateObject();
    cJSON_AddStringToObject(p, "username", json_str(b, "username"));
    cJSON_AddStringToObject(p, "role", role);
    json_add_i64(p, "org_id", org_id);
    if (audit_append(c, req_actor(r), "account.user_create", "user", id, 0, p, NULL) != DB_OK ||
        store_user_get(c, id, &u) != DB_OK || u.nrows != 1) {
        dbres_free(&u);
        return TX_DBFAIL;
    }
    req_json(r, 201, user_json(&u, 0));
    dbres_free(&u);
    return TX_COMMIT;
}

static void
user_create(struct req *r, const cJSON *body)
{
    const char *username = json_str(body, "username");
    if (!check_field(r, rule_username_ok(username), "username",
                     "username must be 3 to 64 characters of a-z, 0-9, '.', '_' and '-', "
                     "starting with a letter"))
        return;
    const char *why = rule_password_problem(json_str(body, "password"), username);
    if (why) {
        req_rule(r, "ACC-PASSWORD", "%s", why);
        return;
    }
    struct user_ctx x = {
        body, password_hash(json_str(body, "password"), (unsigned)accounts_conf.scrypt_log2n,
                            (unsigned)accounts_conf.scrypt_r, (unsigned)accounts_conf.scrypt_p)};
    if (!x.hash) {
        req_error(r, E_INTERNAL, "cannot hash the password");
        return;
    }
    req_tx(r, user_create_tx, &x);
    free((char *)x.hash);
}

static void
user_list(struct req *r, const cJSON *body)
{
    (void)body;
    int64_t after, limit, org_id = 0;
    const char *role = req_query(r, "role"), *org = req_query(r, "org_id");
    if (!req_page(r, &after, &limit, 50, 200))
        return;
    if (role && !role_from_name(role)) {
        req_error(r, E_BAD_REQUEST, "unknown role \"%s\"", role);
        return;
    }
    if (org && !parse_i64(org, 1, INT64_MAX, &org_id)) {
        req_error(r, E_BAD_REQUEST, "org_id must be a positive whole number");
        return;
    }
    struct dbconn *c = req_db(r);
    if (!c)
        return;
    struct dbres res;
    enum db_status st = store_user_list(c, org_id, role, after, limit, &res);
    if (st != DB_OK) {
        req_db_fail(r, c, st);
        return;
    }
    req_page_reply(r, &res, limit, "next_after", 0, user_row, NULL);
    dbres_free(&res);
}

static void
user_get(struct req *r, const cJSON *body)
{
    (void)body;
    int64_t id;
    if (!req_param_id(r, "id", &id))
        return;
    /* Staff see everyone; other users see themselves (others look like they do not exist). */
    if (!(r->who.role & (ROLE_CENTER_ADMIN | ROLE_SUPERVISOR)) && id != r->who.user_id) {
        req_error(r, E_NOT_FOUND, "no user %lld", (long long)id);
        return;
    }
    struct dbconn *c = req_db(r);
    if (!c)
        return;
    struct dbres res;
    enum db_status st = store_user_get(c, id, &res);
    if (st != DB_OK)
        req_db_fail(r, c, st);
    else if (res.nrows == 0)
        req_error(r, E_NOT_FOUND, "no user %lld", (long long)id);
    else
        req_json(r, 200, user_json(&res, 0));
    dbres_free(&res);
}

struct disable_ctx {
    int64_t id;
    bool disabled;
};

static enum tx_result
user_disable_tx(struct dbconn *c, struct req *r, void *arg)
{
    struct disable_ctx *x = arg;
    int64_t now = clock_now_us();
    struct dbres u = {0};
    uint64_t changed = 0;
    if (store_user_get(c, x->id, &u) != DB_OK)
        return TX_DBFAIL;
    if (u.nrows == 0) {
        dbres_free(&u);
        req_error(r, E_NOT_FOUND, "no user %lld", (long long)x->id);
        return TX_REFUSE;
    }
    dbres_free(&u);
    if (store_user_set_disabled(c, x->id, x->disabled, now, &changed) != DB_OK)
        return TX_DBFAIL;
    if (changed) { /* disabling or enabling twice changes nothing and logs nothing */
        if ((x->disabled && store_sessions_revoke_user(c, x->id, now, NULL) != DB_OK) ||
            audit_append(c, req_actor(r),
                         x->disabled ? "account.user_disable" : "account.user_enable", "user",
                         x->id, 0, NULL, NULL) != DB_OK)
            return TX_DBFAIL;
    }
    if (store_user_get(c, x->id, &u) != DB_OK)
        return TX_DBFAIL;
    req_json(r, 200, user_json(&u, 0));
    dbres_free(&u);
    return TX_COMMIT;
}

static void
user_set_disabled(struct req *r, bool disabled)
{
    struct disable_ctx x = {0, disabled};
    if (!req_param_id(r, "id", &x.id))
        return;
    if (disabled && x.id == r->who.user_id) {
        req_rule(r, "ACC-SELF-DISABLE", "you cannot disable your own account");
        return;
    }
    if (req_tx(r, user_disable_tx, &x) && disabled)
        auth_cache_forget_user(x.id);
}

static void
user_disable(struct req *r, const cJSON *body)
{
    (void)body;
    user_set_disabled(r, true);
}

static void
user_enable(struct req *r, const cJSON *body)
{
    (void)body;
    user_set_disabled(r, false);
}

/* ---- the rows ---- */

static const char *const role_values[] = {"center_admin", "agent",      "bidder",
                                          "expert",       "supervisor", NULL};

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

static const struct route routes[] = {
    {"POST", "/api/v1/auth/login", login, ROLE_PUBLIC, 2048, login_schema, 0},
    {"POST", "/api/v1/auth/logout", logout, ROLES_USER, 0, NULL, 0},
    {"GET", "/api/v1/me", me, ROLES_USER, 0, NULL, 0},
    {"POST", "/api/v1/me/password", password_change, ROLES_USER, 2048, password_schema, 0},
    {"GET", "/api/v1/me/keys", my_keys, ROLES_USER, 0, NULL, 0},
    {"POST", "/api/v1/me/keys", key_register, ROLES_USER, 96 * 1024, key_schema, ROUTE_CREATES},
    {"DELETE", "/api/v1/me/keys/{key_id}", key_revoke, ROLES_USER, 0, NULL, 0},
    {"POST", "/api/v1/orgs", org_create, ROLE_CENTER_ADMIN, 4096, org_schema, ROUTE_CREATES},
    {"GET", "/api/v1/orgs", org_list, STAFF, 0, NULL, 0},
    {"GET", "/api/v1/orgs/{id}", org_get, ROLES_USER, 0, NULL, 0},
    {"POST", "/api/v1/users", user_create, ROLE_CENTER_ADMIN, 4096, user_schema, ROUTE_CREATES},
    {"GET", "/api/v1/users", user_list, STAFF, 0, NULL, 0},
    {"GET", "/api/v1/users/{id}", user_get, ROLES_USER, 0, NULL, 0},
    {"GET", "/api/v1/users/{id}/keys", user_keys, ROLES_USER, 0, NULL, 0},
    {"POST", "/api/v1/users/{id}/disable", user_disable, ROLE_CENTER_ADMIN, 0, NULL, 0},
    {"POST", "/api/v1/users/{id}/enable", user_enable, ROLE_CENTER_ADMIN, 0, NULL, 0},
};

static bool
accounts_init(const struct config *c)
{
    cfg = c;
    dummy_hash = password_hash("not a password", (unsigned)accounts_conf.scrypt_log2n,
                               (unsigned)accounts_conf.scrypt_r, (unsigned)accounts_conf.scrypt_p);
    return dummy_hash != NULL;
}

static void
accounts_fini(void)
{
    free(dummy_hash);
    dummy_hash = NULL;
}

static int
bootstrap_command(const struct config *conf)
{
    return accounts_bootstrap_admin(conf) ? 0 : 1;
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

/* ---- bootstrap ---- */

struct boot_ctx {
    const char *username, *hash, *center, *code, *region;
    int64_t org_id;
    bool exists, created;
    char why[200]; /* a refusal */
};

/* Bootstrap runs before any request, as the system (docs/audit.md). */
#define BOOTSTRAP ACTOR_SYSTEM("system:bootstrap")

/* Step 1: the trading center organization (found by its credit code, or created). */
static enum tx_result
bootstrap_org_tx(struct dbconn *c, void *arg)
{
    struct boot_ctx *x = arg;
    int64_t n;
    struct dbres o = {0};
    x->exists = false;
    if (store_count_center_admins(c, &n) != DB_OK)
        return TX_DBFAIL;
    if (n > 0) {
        x->exists = true;
        return TX_COMMIT;
    }
    if (store_org_by_code(c, x->code, &o) != DB_OK)
        return TX_DBFAIL;
    if (o.nrows == 1) { /* left by an earlier, interrupted bootstrap */
        x->org_id = dbres_i64(&o, 0, 0);
        bool center = !strcmp(dbres_str(&o, 0, 2), "center");
        dbres_free(&o);
        if (!center) {
            snprintf(x->why, sizeof x->why,
                     "credit code %s belongs to an organization that is not the trading center",
                     x->code);
            return TX_REFUSE;
        }
        return TX_COMMIT;
    }
    dbres_free(&o);
    cJSON *p = cJSON_CreateObject();
    cJSON_AddStringToObject(p, "name", x->center);
    cJSON_AddStringToObject(p, "type", "center");
    cJSON_AddStringToObject(p, "credit_code", x->code);
    cJSON_AddStringToObject(p, "region", x->region);
    if (store_org_insert(c, x->center, "center", x->code, x->region, clock_now_us(), &x->org_id) !=
        DB_OK) {
        cJSON_Delete(p);
        return TX_DBFAIL;
    }
    return audit_append(c, BOOTSTRAP, "account.org_create", "organization", x->org_id, 0, p,
                        NULL) == DB_OK
               ? TX_COMMIT
               : TX_DBFAIL;
}

/* Step 2: its first center_admin. */
static enum tx_result
bootstrap_user_tx(struct dbconn *c, void *arg)
{
    struct boot_ctx *x = arg;
    int64_t user_id;
    cJSON *q = cJSON_CreateObject();
    cJSON_AddStringToObject(q, "username", x->username);
    cJSON_AddStringToObject(q, "role", "center_admin");
    json_add_i64(q, "org_id", x->org_id);
    if (store_user_insert(c, x->org_id, x->username, "Center administrator", "center_admin",
                          x->hash, clock_now_us(), &user_id) != DB_OK) {
        cJSON_Delete(q);
        return TX_DBFAIL;
    }
    if (audit_append(c, BOOTSTRAP, "account.user_create", "user", user_id, 0, q, NULL) != DB_OK)
        return TX_DBFAIL;
    x->created = true;
    return TX_COMMIT;
}

bool
accounts_bootstrap_admin(const struct config *c)
{
    char err[300], gen[44] = "";
    const char *pw = getenv("GGZY_ADMIN_PASSWORD");
    struct boot_ctx x = {
        .username = getenv("GGZY_ADMIN_USERNAME") ? getenv("GGZY_ADMIN_USERNAME") : "admin",
        .center = getenv("GGZY_CENTER_NAME") ? getenv("GGZY_CENTER_NAME") : "公共资源交易中心",
        .code = getenv("GGZY_CENTER_CREDIT_CODE"),
        .region = getenv("GGZY_CENTER_REGION") ? getenv("GGZY_CENTER_REGION") : "110000",
    };
    char code[19] = "12110000MB0000001";
    if (!x.code) {
        code[17] = rule_credit_code_check(code);
        code[18] = '\0';
        x.code = code;
    }
    if (!rule_username_ok(x.username) || !rule_credit_code_ok(x.code) ||
        !rule_region_ok(x.region)) {
        log_error("GGZY_ADMIN_USERNAME, GGZY_CENTER_CREDIT_CODE or GGZY_CENTER_REGION is invalid");
        return false;
    }
    if (!pw) {
        uint8_t raw[18];
        if (!crypto_random(raw, sizeof raw))
            return false;
        b64url_encode(raw, sizeof raw, gen);
        OPENSSL_cleanse(raw, sizeof raw);
        pw = gen;
    } else if (rule_password_problem(pw, x.username)) {
        log_error("GGZY_ADMIN_PASSWORD: %s", rule_password_problem(pw, x.username));
        return false;
    }
    x.hash = password_hash(pw, (unsigned)accounts_conf.scrypt_log2n,
                           (unsigned)accounts_conf.scrypt_r, (unsigned)accounts_conf.scrypt_p);
    struct dbconn *db = db_connect_direct(c, false, err, sizeof err);
    enum db_status st = DB_ERROR;
    bool ok = false;
    if (!db)
        log_error("accounts_bootstrap_admin: %s", err);
    else if (x.hash && (st = db_tx(db, bootstrap_org_tx, &x)) == DB_OK &&
             (x.exists || (st = db_tx(db, bootstrap_user_tx, &x)) == DB_OK)) {
        ok = true;
        if (!x.created)
            printf("a center_admin account exists already; nothing to do\n");
        else if (gen[0])
            printf("created center_admin \"%s\" with password: %s\n"
                   "(shown once; change it with POST /api/v1/me/password)\n",
                   x.username, gen);
        else
            printf("created center_admin \"%s\" with the password from GGZY_ADMIN_PASSWORD\n",
                   x.username);
    } else if (x.hash)
        log_error("accounts_bootstrap_admin: bootstrap failed: %s",
                  st == DB_REFUSED ? x.why : db_last_error(db));
    OPENSSL_cleanse(gen, sizeof gen);
    free((char *)x.hash);
    db_close_direct(db);
    return ok;
}
