/*
 * store.h — the accounts module's SQL (store.c). Every function runs prepared statements on
 * the connection it is given and returns the classifier's verdict; row layouts are listed at
 * each SELECT so routes.c can read them by column number.
 */
#ifndef GGZY_ACCOUNTS_STORE_H
#define GGZY_ACCOUNTS_STORE_H

#include <stdint.h>

#include "db.h"

struct principal;

/* organization rows (store_org_get, store_org_by_code, store_org_list) */
#define ORG_COLS(X)                                                                                \
    X(OC_ID, "id")                                                                                 \
    X(OC_NAME, "name")                                                                             \
    X(OC_TYPE, "type")                                                                             \
    X(OC_CREDIT, "credit_code")                                                                    \
    X(OC_REGION, "region")                                                                         \
    X(OC_CREATED, "created_us")
enum { ORG_COLS(DB_COL_ENUM) OC__COUNT };
/* user rows with their organization (store_user_get, store_user_list) */
#define USER_COLS(X)                                                                               \
    X(UC_ID, "u.id")                                                                               \
    X(UC_USERNAME, "u.username")                                                                   \
    X(UC_DISPLAY, "u.display_name")                                                                \
    X(UC_ROLE, "u.role")                                                                           \
    X(UC_ORG, "u.org_id")                                                                          \
    X(UC_ORG_NAME, "o.name")                                                                       \
    X(UC_ORG_TYPE, "o.type")                                                                       \
    X(UC_DISABLED, "u.disabled")                                                                   \
    X(UC_CREATED, "u.created_us")
enum { USER_COLS(DB_COL_ENUM) UC__COUNT };
/* what a login checks (store_user_login) */
#define LOGIN_COLS(X)                                                                              \
    X(LG_ID, "id")                                                                                 \
    X(LG_ORG, "org_id")                                                                            \
    X(LG_ROLE, "role")                                                                             \
    X(LG_HASH, "password_hash")                                                                    \
    X(LG_DISABLED, "disabled")
enum { LOGIN_COLS(DB_COL_ENUM) LG__COUNT };
/* a throttle window (store_throttle_get) */
#define THROTTLE_COLS(X)                                                                           \
    X(TH_FAILURES, "failures")                                                                     \
    X(TH_WINDOW, "window_start_us")
enum { THROTTLE_COLS(DB_COL_ENUM) TH__COUNT };

enum db_status store_org_insert(struct dbconn *c, const char *name, const char *type,
                                const char *credit_code, const char *region, int64_t now,
                                int64_t *id);
enum db_status store_org_get(struct dbconn *c, int64_t id, struct dbres *out);
enum db_status store_org_by_code(struct dbconn *c, const char *credit_code, struct dbres *out);
enum db_status store_org_list(struct dbconn *c, const char *type, int64_t after, int64_t limit,
                              struct dbres *out);

/* user rows: id, username, display_name, role, org_id, org_name, org_type, disabled,
 * created_us */
enum db_status store_user_insert(struct dbconn *c, int64_t org_id, const char *username,
                                 const char *display_name, const char *role, const char *pwhash,
                                 int64_t now, int64_t *id);
enum db_status store_user_get(struct dbconn *c, int64_t id, struct dbres *out);
enum db_status store_user_list(struct dbconn *c, int64_t org_id, const char *role, int64_t after,
                               int64_t limit, struct dbres *out);
/* login rows: id, org_id, role, password_hash, disabled */
enum db_status store_user_login(struct dbconn *c, const char *username, struct dbres *out);
enum db_status store_user_set_disabled(struct dbconn *c, int64_t id, bool disabled, int64_t now,
                                       uint64_t *changed);
enum db_status store_user_set_password(struct dbconn *c, int64_t id, const char *pwhash,
                                       int64_t now);
enum db_status store_count_center_admins(struct dbconn *c, int64_t *n);

enum db_status store_session_insert(struct dbconn *c, const uint8_t hash[32], int64_t user_id,
                                    int64_t now, int64_t expires, const char *client);
enum db_status store_session_revoke(struct dbconn *c, const uint8_t hash[32], int64_t now);
/* Revoke every live session of the user except keep (may be NULL). */
enum db_status store_sessions_revoke_user(struct dbconn *c, int64_t user_id, int64_t now,
                                          const uint8_t *keep);

enum db_status store_throttle_get(struct dbconn *c, const char *key, struct dbres *out);
enum db_status store_throttle_fail(struct dbconn *c, const char *key, int64_t now,
                                   int64_t window_us);
enum db_status store_throttle_clear(struct dbconn *c, const char *key);
/* Device tokens (SHA-256 only): whose it is (0: none), and recording one. */
enum db_status store_device_user(struct dbconn *c, const uint8_t hash[32], int64_t *user_id);
enum db_status store_device_put(struct dbconn *c, const uint8_t hash[32], int64_t user_id,
                                int64_t now);
/* The live session of a token (auth_set_session_lookup: the core asks accounts, which owns
 * sessions and users). */
enum db_status store_session_lookup(struct dbconn *c, const uint8_t hash[32], int64_t now_us,
                                    struct principal *who, int64_t *expires_us, bool *found);
/* Housekeeping (jobs.c): delete sessions that expired before `before`, throttle windows that
 * began before it, device tokens last used before it (up to 10000 rows a call). */
enum db_status store_sessions_expire(struct dbconn *c, int64_t before);
enum db_status store_throttle_expire(struct dbconn *c, int64_t before);
enum db_status store_devices_expire(struct dbconn *c, int64_t before);

/* key rows (store_key_list) */
#define KEY_COLS(X)                                                                                \
    X(KC_KEY_ID, "key_id")                                                                         \
    X(KC_SPKI, "spki_der")                                                                         \
    X(KC_LABEL, "label")                                                                           \
    X(KC_CREATED, "created_us")                                                                    \
    X(KC_REVOKED, "revoked_us")                                                                    \
    X(KC_CERT_SHA, "cert_sha256")                                                                  \
    X(KC_SIDE, "side")                                                                             \
    X(KC_CREDIT, "credit_code")                                                                    \
    X(KC_SUITE, "suite")                                                                           \
    X(KC_NOT_AFTER, "not_after_us")                                                                \
    X(KC_CHAIN, "cert_chain")
enum { KEY_COLS(DB_COL_ENUM) KC__COUNT };
/* a key as used (store_key_for_use): the key, its owner and the owner's organization */
#define KEY_USE_COLS(X)                                                                            \
    X(KU_USER, "k.user_id")                                                                        \
    X(KU_KEY_ID, "k.key_id")                                                                       \
    X(KU_CHAIN, "k.cert_chain")                                                                    \
    X(KU_REVOKED, "k.revoked_us")                                                                  \
    X(KU_DISABLED, "u.disabled")                                                                   \
    X(KU_ROLE, "u.role")                                                                           \
    X(KU_ORG, "u.org_id")                                                                          \
    X(KU_ORG_TYPE, "o.type")                                                                       \
    X(KU_CREDIT, "o.credit_code")
enum { KEY_USE_COLS(DB_COL_ENUM) KU__COUNT };

struct key_row {
    const char *key_id, *label, *cert_sha256, *side, *credit_code, *suite;
    const uint8_t *spki, *chain;
    size_t spki_len, chain_len;
    int64_t not_after_us;
};
enum db_status store_key_insert(struct dbconn *c, int64_t user_id, const struct key_row *k,
                                int64_t now);
enum db_status store_key_list(struct dbconn *c, int64_t user_id, struct dbres *out);
enum db_status store_key_for_use(struct dbconn *c, const char *key_id, struct dbres *out);
enum db_status store_key_revoke(struct dbconn *c, int64_t user_id, const char *key_id, int64_t now,
                                uint64_t *changed);

#endif
