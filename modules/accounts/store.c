/*
 * store.c — the accounts module's SQL, prepared statements only (see store.h).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accounts.h"
#include "crypto.h"

#include "store.h"

#define COUNT_COLS(X) X(CN_COUNT, "COUNT(*)")
enum { COUNT_COLS(DB_COL_ENUM) CN__COUNT };
#define DEVICE_COLS(X) X(DV_USER, "user_id")
enum { DEVICE_COLS(DB_COL_ENUM) DV__COUNT };
#define KEY_PREFIX_COLS(X)                                                                         \
    X(KP_KEY_ID, "key_id")                                                                         \
    X(KP_SPKI, "spki_der")
enum { KEY_PREFIX_COLS(DB_COL_ENUM) KP__COUNT };

static const char sql_org_insert[] = "INSERT INTO organizations (name, type, credit_code, "
                                     "region, created_us) VALUES (?, ?, ?, ?, ?)";
static const char sql_org_get[] =
    "SELECT " ORG_COLS(DB_COL_SQL) DB_COL_END " FROM organizations WHERE id = ?";
static const char sql_org_by_code[] =
    "SELECT " ORG_COLS(DB_COL_SQL) DB_COL_END " FROM organizations WHERE credit_code = ?";
static const char sql_org_list[] = "SELECT " ORG_COLS(DB_COL_SQL) DB_COL_END
    " FROM organizations "
    "WHERE (? IS NULL OR type = ?) AND id > ? ORDER BY id LIMIT ?";

enum db_status
store_org_insert(struct dbconn *c, const char *name, const char *type, const char *credit_code,
                 const char *region, int64_t now, int64_t *id)
{
    struct dbv p[] = {DBV_STR(name), DBV_STR(type), DBV_STR(credit_code), DBV_STR(region),
                      DBV_INT(now)};
    uint64_t iid = 0;
    enum db_status st = db_exec(c, sql_org_insert, p, 5, NULL, &iid);
    *id = (int64_t)iid;
    return st;
}

enum db_status
store_org_get(struct dbconn *c, int64_t id, struct dbres *out)
{
    struct dbv p[] = {DBV_INT(id)};
    return db_query(c, sql_org_get, p, 1, out);
}

enum db_status
store_org_by_code(struct dbconn *c, const char *credit_code, struct dbres *out)
{
    struct dbv p[] = {DBV_STR(credit_code)};
    return db_query(c, sql_org_by_code, p, 1, out);
}

enum db_status
store_org_list(struct dbconn *c, const char *type, int64_t after, int64_t limit, struct dbres *out)
{
    struct dbv t = type ? DBV_STR(type) : DBV_NUL;
    struct dbv p[] = {t, t, DBV_INT(after), DBV_INT(limit)};
    return db_query(c, sql_org_list, p, 4, out);
}

static const char sql_user_insert[] =
    "INSERT INTO users (org_id, username, display_name, role, password_hash, disabled, "
    "created_us, updated_us) VALUES (?, ?, ?, ?, ?, 0, ?, ?)";
static const char sql_user_get[] =
    "SELECT " USER_COLS(DB_COL_SQL) DB_COL_END " FROM users u JOIN organizations o "
                                               "ON o.id = u.org_id WHERE u.id = ?";
static const char sql_user_list[] = "SELECT " USER_COLS(DB_COL_SQL) DB_COL_END
    " FROM users u JOIN organizations o ON o.id = u.org_id "
    "WHERE (? = 0 OR u.org_id = ?) AND (? IS NULL OR u.role = ?) AND u.id > ? "
    "ORDER BY u.id LIMIT ?";
static const char sql_user_login[] =
    "SELECT " LOGIN_COLS(DB_COL_SQL) DB_COL_END " FROM users WHERE username = ?";
static const char sql_user_disable[] =
    "UPDATE users SET disabled = ?, updated_us = ? WHERE id = ? AND disabled <> ?";
static const char sql_user_password[] =
    "UPDATE users SET password_hash = ?, updated_us = ? WHERE id = ?";
static const char sql_count_admins[] =
    "SELECT " COUNT_COLS(DB_COL_SQL) DB_COL_END " FROM users WHERE role = 'center_admin'";

enum db_status
store_user_insert(struct dbconn *c, int64_t org_id, const char *username, const char *display_name,
                  const char *role, const char *pwhash, int64_t now, int64_t *id)
{
    struct dbv p[] = {DBV_INT(org_id), DBV_STR(username), DBV_STR(display_name), DBV_STR(role),
                      DBV_STR(pwhash), DBV_INT(now),      DBV_INT(now)};
    uint64_t iid = 0;
    enum db_status st = db_exec(c, sql_user_insert, p, 7, NULL, &iid);
    *id = (int64_t)iid;
    return st;
}

enum db_status
store_user_get(struct dbconn *c, int64_t id, struct dbres *out)
{
    struct dbv p[] = {DBV_INT(id)};
    return db_query(c, sql_user_get, p, 1, out);
}

enum db_status
store_user_list(struct dbconn *c, int64_t org_id, const char *role, int64_t after, int64_t limit,
                struct dbres *out)
{
    struct dbv rv = role ? DBV_STR(role) : DBV_NUL;
    struct dbv p[] = {DBV_INT(org_id), DBV_INT(org_id), rv, rv, DBV_INT(after), DBV_INT(limit)};
    return db_query(c, sql_user_list, p, 6, out);
}

enum db_status
store_user_login(struct dbconn *c, const char *username, struct dbres *out)
{
    struct dbv p[] = {DBV_STR(username)};
    return db_query(c, sql_user_login, p, 1, out);
}

enum db_status
store_user_set_disabled(struct dbconn *c, int64_t id, bool disabled, int64_t now, uint64_t *changed)
{
    struct dbv p[] = {DBV_INT(disabled), DBV_INT(now), DBV_INT(id), DBV_INT(disabled)};
    return db_exec(c, sql_user_disable, p, 4, changed, NULL);
}

enum db_status
store_user_set_password(struct dbconn *c, int64_t id, const char *pwhash, int64_t now)
{
    struct dbv p[] = {DBV_STR(pwhash), DBV_INT(now), DBV_INT(id)};
    return db_exec(c, sql_user_password, p, 3, NULL, NULL);
}

enum db_status
store_count_center_admins(struct dbconn *c, int64_t *n)
{
    struct dbres r;
    enum db_status st = db_query(c, sql_count_admins, NULL, 0, &r);
    *n = st == DB_OK ? dbres_i64(&r, 0, CN_COUNT) : 0;
    dbres_free(&r);
    return st;
}

static const char sql_session_insert[] =
    "INSERT INTO sessions (token_hash, user_id, created_us, expires_us, client) "
    "VALUES (?, ?, ?, ?, ?)";
static const char sql_session_revoke[] =
    "UPDATE sessions SET revoked_us = ? WHERE token_hash = ? AND revoked_us IS NULL";
static const char sql_sessions_revoke_user[] =
    "UPDATE sessions SET revoked_us = ? WHERE user_id = ? AND revoked_us IS NULL "
    "AND token_hash <> ?";

enum db_status
store_session_insert(struct dbconn *c, const uint8_t hash[32], int64_t user_id, int64_t now,
                     int64_t expires, const char *client)
{
    struct dbv p[] = {DBV_BLOB(hash, 32), DBV_INT(user_id), DBV_INT(now), DBV_INT(expires),
                      DBV_STR(client)};
    return db_exec(c, sql_session_insert, p, 5, NULL, NULL);
}

enum db_status
store_session_revoke(struct dbconn *c, const uint8_t hash[32], int64_t now)
{
    struct dbv p[] = {DBV_INT(now), DBV_BLOB(hash, 32)};
    return db_exec(c, sql_session_revoke, p, 2, NULL, NULL);
}

enum db_status
store_sessions_revoke_user(struct dbconn *c, int64_t user_id, int64_t now, const uint8_t *keep)
{
    static const uint8_t none[32];
    struct dbv p[] = {DBV_INT(now), DBV_INT(user_id), DBV_BLOB(keep ? keep : none, 32)};
    return db_exec(c, sql_sessions_revoke_user, p, 3, NULL, NULL);
}

static const char sql_throttle_get[] =
    "SELECT " THROTTLE_COLS(DB_COL_SQL) DB_COL_END " FROM login_throttle WHERE throttle_key = ?";
/* A failure inside the window counts up; one after it starts a new window at 1. */
static const char sql_throttle_fail[] =
    "INSERT INTO login_throttle (throttle_key, failures, window_start_us) VALUES (?, 1, ?) "
    "ON DUPLICATE KEY UPDATE "
    "failures = IF(window_start_us < ?, 1, failures + 1), "
    "window_start_us = IF(window_start_us < ?, VALUES(window_start_us), window_start_us)";
static const char sql_throttle_clear[] = "DELETE FROM login_throttle WHERE throttle_key = ?";

enum db_status
store_throttle_get(struct dbconn *c, const char *key, struct dbres *out)
{
    struct dbv p[] = {DBV_STR(key)};
    return db_query(c, sql_throttle_get, p, 1, out);
}

enum db_status
store_throttle_fail(struct dbconn *c, const char *key, int64_t now, int64_t window_us)
{
    int64_t stale = now - window_us;
    struct dbv p[] = {DBV_STR(key), DBV_INT(now), DBV_INT(stale), DBV_INT(stale)};
    return db_exec(c, sql_throttle_fail, p, 4, NULL, NULL);
}

enum db_status
store_throttle_clear(struct dbconn *c, const char *key)
{
    struct dbv p[] = {DBV_STR(key)};
    return db_exec(c, sql_throttle_clear, p, 1, NULL, NULL);
}

static const char sql_key_insert[] =
    "INSERT INTO user_keys (user_id, key_id, spki_der, label, created_us, cert_chain, cert_sha256, "
    "side, credit_code, suite, not_after_us) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char sql_key_list[] =
    "SELECT " KEY_COLS(DB_COL_SQL) DB_COL_END " FROM user_keys WHERE "
                                              "user_id = ? "
                                              "ORDER BY id";
static const char sql_key_revoke[] = "UPDATE user_keys SET revoked_us = ? "
                                     "WHERE user_id = ? AND key_id = ? AND revoked_us IS NULL";
static const char sql_key_use[] = "SELECT " KEY_USE_COLS(DB_COL_SQL) DB_COL_END
    " FROM user_keys k JOIN users u ON u.id = k.user_id "
    "JOIN "
    "organizations o ON o.id = u.org_id WHERE k.key_id = ?";

enum db_status
store_key_insert(struct dbconn *c, int64_t user_id, const struct key_row *k, int64_t now)
{
    struct dbv p[] = {DBV_INT(user_id),
                      DBV_STR(k->key_id),
                      DBV_BLOB(k->spki, k->spki_len),
                      DBV_STR(k->label),
                      DBV_INT(now),
                      DBV_BLOB(k->chain, k->chain_len),
                      DBV_STR(k->cert_sha256),
                      DBV_STR(k->side),
                      DBV_STR(k->credit_code),
                      DBV_STR(k->suite),
                      DBV_INT(k->not_after_us)};
    return db_exec(c, sql_key_insert, p, ARRAY_LEN(p), NULL, NULL);
}

enum db_status
store_key_list(struct dbconn *c, int64_t user_id, struct dbres *out)
{
    struct dbv p[] = {DBV_INT(user_id)};
    return db_query(c, sql_key_list, p, 1, out);
}

enum db_status
store_key_for_use(struct dbconn *c, const char *key_id, struct dbres *out)
{
    struct dbv p[] = {DBV_STR(key_id)};
    return db_query(c, sql_key_use, p, 1, out);
}

enum db_status
store_key_revoke(struct dbconn *c, int64_t user_id, const char *key_id, int64_t now,
                 uint64_t *changed)
{
    struct dbv p[] = {DBV_INT(now), DBV_INT(user_id), DBV_STR(key_id)};
    return db_exec(c, sql_key_revoke, p, 3, changed, NULL);
}

static const char sql_key_by_prefix[] =
    "SELECT " KEY_PREFIX_COLS(DB_COL_SQL) DB_COL_END " FROM user_keys WHERE user_id = ? "
                                                     "AND revoked_us IS NULL AND key_id LIKE ?";

enum db_status
accounts_find_key(struct dbconn *c, int64_t user_id, const uint8_t id4[4], uint8_t **der,
                  size_t *der_len, char key_id[65], bool *found)
{
    char prefix[10];
    hex_encode(id4, 4, prefix);
    prefix[8] = '%';
    prefix[9] = '\0';
    struct dbv p[] = {DBV_INT(user_id), DBV_STR(prefix)};
    struct dbres r;
    *found = false;
    enum db_status st = db_query(c, sql_key_by_prefix, p, 2, &r);
    if (st == DB_OK && r.nrows >= 1) {
        *der_len = dbres_len(&r, 0, KP_SPKI);
        *der = malloc(*der_len ? *der_len : 1);
        if (*der) {
            memcpy(*der, dbres_str(&r, 0, KP_SPKI), *der_len);
            snprintf(key_id, 65, "%s", dbres_str(&r, 0, KP_KEY_ID));
            *found = true;
        } else {
            st = DB_ERROR;
        }
    }
    dbres_free(&r);
    return st;
}

static enum db_status org_view_of(enum db_status st, struct dbres *r, struct org_view *o,
                                  bool *found);

enum db_status
accounts_org(struct dbconn *c, int64_t id, struct org_view *o, bool *found)
{
    struct dbres r;
    return org_view_of(store_org_get(c, id, &r), &r, o, found);
}

enum db_status
accounts_org_by_code(struct dbconn *c, const char *credit_code, struct org_view *o, bool *found)
{
    struct dbres r;
    return org_view_of(store_org_by_code(c, credit_code, &r), &r, o, found);
}

/* Fill o from the organization row r (consumed), as accounts_org says. */
static enum db_status
org_view_of(enum db_status st, struct dbres *res, struct org_view *o, bool *found)
{
    struct dbres r = *res;
    *found = st == DB_OK && r.nrows == 1;
    memset(o, 0, sizeof *o);
    if (*found) {
        o->id = dbres_i64(&r, 0, OC_ID);
        snprintf(o->type, sizeof o->type, "%s", dbres_str(&r, 0, OC_TYPE));
        snprintf(o->credit_code, sizeof o->credit_code, "%s", dbres_str(&r, 0, OC_CREDIT));
        snprintf(o->region, sizeof o->region, "%s", dbres_str(&r, 0, OC_REGION));
        snprintf(o->name, sizeof o->name, "%s", dbres_str(&r, 0, OC_NAME));
    }
    dbres_free(&r);
    return st;
}

enum db_status
store_device_user(struct dbconn *c, const uint8_t hash[32], int64_t *user_id)
{
    static const char sql[] =
        "SELECT " DEVICE_COLS(DB_COL_SQL) DB_COL_END " FROM login_devices WHERE token_hash = ?";
    struct dbv p[] = {DBV_BLOB(hash, 32)};
    struct dbres r;
    enum db_status st = db_query(c, sql, p, 1, &r);
    *user_id = st == DB_OK && r.nrows == 1 ? dbres_i64(&r, 0, DV_USER) : 0;
    dbres_free(&r);
    return st;
}

enum db_status
store_device_put(struct dbconn *c, const uint8_t hash[32], int64_t user_id, int64_t now)
{
    static const char sql[] =
        "INSERT INTO login_devices (token_hash, user_id, created_us, last_used_us) VALUES (?, ?, "
        "?, ?) ON DUPLICATE KEY UPDATE last_used_us = VALUES(last_used_us)";
    struct dbv p[] = {DBV_BLOB(hash, 32), DBV_INT(user_id), DBV_INT(now), DBV_INT(now)};
    return db_exec(c, sql, p, 4, NULL, NULL);
}

enum db_status
store_sessions_expire(struct dbconn *c, int64_t before)
{
    static const char sql[] = "DELETE FROM sessions WHERE expires_us < ? LIMIT 10000";
    struct dbv p[] = {DBV_INT(before)};
    return db_exec(c, sql, p, 1, NULL, NULL);
}

enum db_status
store_throttle_expire(struct dbconn *c, int64_t before)
{
    static const char sql[] = "DELETE FROM login_throttle WHERE window_start_us < ? LIMIT 10000";
    struct dbv p[] = {DBV_INT(before)};
    return db_exec(c, sql, p, 1, NULL, NULL);
}

enum db_status
store_devices_expire(struct dbconn *c, int64_t before)
{
    static const char sql[] = "DELETE FROM login_devices WHERE last_used_us < ? LIMIT 10000";
    struct dbv p[] = {DBV_INT(before)};
    return db_exec(c, sql, p, 1, NULL, NULL);
}

enum db_status
accounts_user_role(struct dbconn *c, int64_t id, char role[24], bool *found)
{
    struct dbres r;
    enum db_status st = store_user_get(c, id, &r);
    *found = st == DB_OK && r.nrows == 1;
    snprintf(role, 24, "%s", *found ? dbres_str(&r, 0, UC_ROLE) : "");
    dbres_free(&r);
    return st;
}

enum db_status
accounts_org_names(struct dbconn *c, const char *ids, struct dbres *out)
{
    static const char sql[] = "SELECT " ORG_NAME_COLS(DB_COL_SQL) DB_COL_END
        " FROM organizations WHERE id IN "
        "(SELECT j.id FROM JSON_TABLE(?, '$[*]' COLUMNS (id BIGINT PATH '$')) AS j)";
    struct dbv p[] = {DBV_STR(ids)};
    return db_query(c, sql, p, 1, out);
}

#define SESSION_COLS(X)                                                                            \
    X(SS_USER, "s.user_id")                                                                        \
    X(SS_EXPIRES, "s.expires_us")                                                                  \
    X(SS_REVOKED, "s.revoked_us")                                                                  \
    X(SS_ORG, "u.org_id")                                                                          \
    X(SS_ROLE, "u.role")                                                                           \
    X(SS_USERNAME, "u.username")                                                                   \
    X(SS_DISABLED, "u.disabled")
enum { SESSION_COLS(DB_COL_ENUM) SS__COUNT };

enum db_status
store_session_lookup(struct dbconn *c, const uint8_t hash[32], int64_t now_us,
                     struct principal *who, int64_t *expires_us, bool *found)
{
    static const char sql[] = "SELECT " SESSION_COLS(DB_COL_SQL) DB_COL_END
        " FROM sessions s JOIN users u ON u.id = s.user_id WHERE "
        "s.token_hash = ?";
    struct dbv p[] = {DBV_BLOB(hash, 32)};
    struct dbres res;
    *found = false;
    enum db_status st = db_query(c, sql, p, 1, &res);
    if (st == DB_OK && res.nrows == 1) {
        *expires_us = dbres_i64(&res, 0, SS_EXPIRES);
        bool revoked = dbres_str(&res, 0, SS_REVOKED) != NULL;
        bool disabled = dbres_i64(&res, 0, SS_DISABLED) != 0;
        unsigned role = role_from_name(dbres_str(&res, 0, SS_ROLE));
        if (!revoked && !disabled && now_us < *expires_us && role) {
            who->user_id = dbres_i64(&res, 0, SS_USER);
            who->org_id = dbres_i64(&res, 0, SS_ORG);
            who->role = role;
            snprintf(who->username, sizeof who->username, "%s", dbres_str(&res, 0, SS_USERNAME));
            *found = true;
        }
    }
    dbres_free(&res);
    return st;
}

enum db_status
accounts_people(struct dbconn *c, const char *ids, struct dbres *out)
{
    static const char sql[] = "SELECT " PEOPLE_COLS(DB_COL_SQL) DB_COL_END
        " FROM users u JOIN organizations o ON o.id = u.org_id WHERE u.id IN "
        "(SELECT j.id FROM JSON_TABLE(?, '$[*]' COLUMNS (id BIGINT PATH '$')) AS j)";
    struct dbv p[] = {DBV_STR(ids)};
    return db_query(c, sql, p, 1, out);
}

size_t
accounts_person_row(const struct dbres *people, int64_t id)
{
    for (size_t i = 0; i < people->nrows; i++)
        if (dbres_i64(people, i, PE_ID) == id)
            return i;
    return (size_t)-1;
}

/* One JSON array of ids from a one-column query with one string parameter. */
static char *
id_array(struct dbconn *c, const char *sql, const char *param, enum db_status *st)
{
    struct dbv p[] = {DBV_STR(param)};
    struct dbres r;
    char *out = NULL;
    *st = db_query(c, sql, p, 1, &r);
    if (*st == DB_OK &&
        !(out = strdup(r.nrows == 1 && dbres_str(&r, 0, DB_VALUE) ? dbres_str(&r, 0, DB_VALUE)
                                                                  : "[]")))
        *st = DB_ERROR;
    dbres_free(&r);
    return out;
}

char *
accounts_members_of(struct dbconn *c, const char *org_ids, enum db_status *st)
{
    static const char sql[] =
        "SELECT COALESCE(JSON_ARRAYAGG(u.id), '[]') FROM users u WHERE u.org_id IN "
        "(SELECT j.id FROM JSON_TABLE(?, '$[*]' COLUMNS (id BIGINT PATH '$')) AS j)";
    return id_array(c, sql, org_ids, st);
}

char *
accounts_disabled(struct dbconn *c, const char *role, enum db_status *st)
{
    static const char sql[] =
        "SELECT COALESCE(JSON_ARRAYAGG(id), '[]') FROM users WHERE disabled = 1 AND role = ?";
    return id_array(c, sql, role, st);
}

char *
accounts_active_of_role(struct dbconn *c, const char *role, enum db_status *st)
{
    static const char sql[] =
        "SELECT COALESCE(JSON_ARRAYAGG(id), '[]') FROM users WHERE disabled = 0 AND role = ?";
    return id_array(c, sql, role, st);
}
