/*
 * store.c — the bids module's SQL: opening keys and their sealed shares (migration 0006).
 * Prepared statements only; the callers hold the transaction.
 */
#include "store.h"

#include <string.h>

#include "util.h"

static const char sql_user_key[] =
    "SELECT u.id, u.role, u.org_id, u.disabled, k.spki_der, k.revoked_us FROM user_keys k "
    "JOIN users u ON u.id = k.user_id WHERE k.key_id = ?";
static const char sql_key_ins[] =
    "INSERT INTO opening_keys (project_id, lot_seq, key_id, public_key, threshold, custodians, "
    "commitments, created_by, created_us) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char sql_share_ins[] =
    "INSERT INTO opening_shares (opening_key, x, custodian_user, custodian_key_id, enc, sealed) "
    "VALUES (?, ?, ?, ?, ?, ?)";
static const char sql_key_get[] =
    "SELECT id, key_id, public_key, threshold, custodians, commitments, created_us "
    "FROM opening_keys WHERE project_id = ? AND lot_seq = ?";
static const char sql_shares[] =
    "SELECT s.x, s.custodian_user, u.role, s.custodian_key_id, s.enc, s.sealed "
    "FROM opening_shares s JOIN users u ON u.id = s.custodian_user "
    "WHERE s.opening_key = ? ORDER BY s.x";

enum db_status
store_user_key(struct dbconn *c, const char *key_id, struct dbres *out)
{
    struct dbv p[] = {DBV_STR(key_id)};
    return db_query(c, sql_user_key, p, ARRAY_LEN(p), out);
}

enum db_status
store_opening_insert(struct dbconn *c, int64_t project, int64_t lot, const struct tl_key *k,
                     const int64_t *users, const char *const *key_ids, int64_t by, int64_t now,
                     int64_t *id)
{
    struct dbv p[] = {DBV_INT(project),
                      DBV_INT(lot),
                      DBV_STR(k->key_id),
                      DBV_BLOB(k->pk, 65),
                      DBV_INT(k->k),
                      DBV_INT(k->n),
                      DBV_BLOB(k->commitments, (size_t)k->k * 65),
                      DBV_INT(by),
                      DBV_INT(now)};
    uint64_t iid = 0;
    enum db_status st = db_exec(c, sql_key_ins, p, ARRAY_LEN(p), NULL, &iid);
    *id = (int64_t)iid;
    for (int i = 0; st == DB_OK && i < k->n; i++) {
        struct dbv s[] = {
            DBV_INT(*id),        DBV_INT(i + 1),          DBV_INT(users[i]),
            DBV_STR(key_ids[i]), DBV_BLOB(k->enc[i], 65), DBV_BLOB(k->sealed[i], TL_SEALED_SHARE)};
        st = db_exec(c, sql_share_ins, s, ARRAY_LEN(s), NULL, NULL);
    }
    return st;
}

enum db_status
store_opening_get(struct dbconn *c, int64_t project, int64_t lot, struct dbres *out)
{
    struct dbv p[] = {DBV_INT(project), DBV_INT(lot)};
    return db_query(c, sql_key_get, p, ARRAY_LEN(p), out);
}

enum db_status
store_opening_shares(struct dbconn *c, int64_t opening_key, struct dbres *out)
{
    struct dbv p[] = {DBV_INT(opening_key)};
    return db_query(c, sql_shares, p, ARRAY_LEN(p), out);
}
