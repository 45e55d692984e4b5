/*
 * sessions.c — signing in and out, who am I, changing one's password: login throttling by
 * hashed keys (per account and address, or per device for a device the account used before),
 * session tokens stored as hashes (ACC-PASSWORD).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include "accounts.h"
#include "app.h"
#include "audit.h"
#include "auth.h"
#include "crypto.h"
#include "db.h"
#include "internal.h"
#include "store.h"

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
    int64_t expires = now + accounts_cfg->auth_session_ttl_s * 1000000LL;
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
    long wait = t.nrows ? accounts_rule_throttle_wait(
                              (long)dbres_i64(&t, 0, TH_FAILURES), dbres_i64(&t, 0, TH_WINDOW),
                              clock_now_us(), accounts_conf.throttle_window_s * 1000000LL, limit)
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

void
login(struct req *r, const cJSON *body)
{
    const char *username = json_str(body, "username"), *pw = json_str(body, "password");
    const char *device = json_str(body, "device_token");
    struct login_ctx x = {0};
    /* one name, one account: a user name is exactly as created — never with spaces before or
     * after (no account has them, and the database compares names byte for byte, NO PAD) — and
     * the account's throttle counts the account, however it was typed */
    size_t ulen = strlen(username);
    if (ulen &&
        (isspace((unsigned char)username[0]) || isspace((unsigned char)username[ulen - 1]))) {
        req_field_error(r, E_INVALID_FIELD, "username",
                        "field \"username\" has spaces before or after it: a user name has none");
        return;
    }
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
    x.user_id = u.nrows == 1 ? dbres_i64(&u, 0, LG_ID) : 0;
    if (x.user_id)
        throttle_key(x.ukey, "a", &x.user_id, sizeof x.user_id); /* the stored account */
    else
        throttle_key(x.ukey, "u", username, strlen(username)); /* no account: the name asked */
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
        x.ok = password_verify(pw, dbres_str(&u, 0, LG_HASH)) && dbres_i64(&u, 0, LG_DISABLED) == 0;
    else
        (void)password_verify(pw,
                              accounts_dummy_hash); /* same work whether or not the user exists */
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

void
logout(struct req *r, const cJSON *body)
{
    (void)body;
    if (req_tx(r, logout_tx, NULL))
        auth_cache_forget(r->who.token_hash);
}

void
me(struct req *r, const cJSON *body)
{
    (void)body;
    cJSON *o = cJSON_CreateObject();
    json_add_i64(o, "id", r->who.user_id);
    cJSON_AddStringToObject(o, "username", r->who.username);
    cJSON_AddStringToObject(o, "role", role_name(r->who.role));
    json_add_i64(o, "org_id", r->who.org_id);
    cJSON_AddStringToObject(o, "platform", accounts_cfg->platform_id); /* what signed acts bind */
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

void
password_change(struct req *r, const cJSON *body)
{
    const char *old = json_str(body, "old_password"), *new = json_str(body, "new_password");
    struct refusal f = accounts_rule_password(new, r->who.username);
    if (f.code) {
        req_refusal(r, &f);
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
    bool ok = u.nrows == 1 && password_verify(old, dbres_str(&u, 0, LG_HASH));
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
