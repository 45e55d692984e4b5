/*
 * store.c — the audit module's own SQL, prepared statements only: supervisors' cosignatures.
 */
#include "store.h"

static const char sql_cosigs[] = "SELECT " COSIG_COLS(DB_COL_SQL) DB_COL_END
    " FROM "
    "audit_cosignatures WHERE size = ? ORDER BY signed_us, user_id";
static const char sql_cosig_insert[] = "INSERT INTO audit_cosignatures (size, user_id, key_id, "
                                       "line, signed_us) VALUES (?, ?, ?, ?, ?)";
static const char sql_cosigned_max[] =
    "SELECT COALESCE(MAX(size), 0) FROM audit_cosignatures WHERE user_id = ?";

enum db_status
store_cosignatures(struct dbconn *c, uint64_t size, struct dbres *out)
{
    struct dbv p[] = {DBV_INT((int64_t)size)};
    return db_query(c, sql_cosigs, p, 1, out);
}

enum db_status
store_cosignature_insert(struct dbconn *c, uint64_t size, int64_t user_id, const char *key_id,
                         const char *line, int64_t now)
{
    struct dbv p[] = {DBV_INT((int64_t)size), DBV_INT(user_id), DBV_STR(key_id), DBV_STR(line),
                      DBV_INT(now)};
    return db_exec(c, sql_cosig_insert, p, 5, NULL, NULL);
}

enum db_status
store_cosigned_max(struct dbconn *c, int64_t user_id, uint64_t *size)
{
    struct dbres r;
    struct dbv p[] = {DBV_INT(user_id)};
    enum db_status st = db_query(c, sql_cosigned_max, p, 1, &r);
    *size = st == DB_OK && r.nrows ? (uint64_t)dbres_i64(&r, 0, DB_VALUE) : 0;
    dbres_free(&r);
    return st;
}
