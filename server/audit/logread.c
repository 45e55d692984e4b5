/*
 * logread.c — see logread.h: the log's reads, prepared statements only.
 */
#include "logread.h"

static const char sql_cp_at_least[] = "SELECT " CP_COLS(DB_COL_SQL) DB_COL_END
    " FROM audit_checkpoints WHERE size >= ? ORDER BY size LIMIT 1";
static const char sql_cp_latest[] =
    "SELECT " CP_COLS(DB_COL_SQL) DB_COL_END " FROM audit_checkpoints ORDER BY size DESC LIMIT 1";
static const char sql_cp_get[] =
    "SELECT " CP_COLS(DB_COL_SQL) DB_COL_END " FROM audit_checkpoints WHERE size = ?";
static const char sql_cp_list[] = "SELECT " CP_COLS(DB_COL_SQL) DB_COL_END
    " FROM audit_checkpoints WHERE size > ? ORDER BY size LIMIT ?";
static const char sql_entries[] =
    "SELECT " ENTRY_COLS(DB_COL_SQL) DB_COL_END " FROM audit_entries WHERE idx >= ? "
                                                "ORDER BY idx LIMIT ?";
/* a project's entries, and the global ones every timeline includes (audit_global: the trust
 * anchors), in log order */
static const char sql_project[] = "SELECT " ENTRY_COLS(DB_COL_SQL) DB_COL_END
    " FROM audit_entries WHERE project_id = ? AND idx < ? UNION ALL "
    "SELECT " ENTRY_COLS(DB_COL_SQL) DB_COL_END
    " FROM audit_entries WHERE idx IN (SELECT idx FROM audit_global WHERE "
    "idx < ?) ORDER BY idx";
static const char sql_size[] = "SELECT size FROM audit_head WHERE id = 1";
static const char sql_vkeys[] =
    "SELECT " VKEY_COLS(DB_COL_SQL) DB_COL_END " FROM audit_keys ORDER BY first_used_us";

static enum db_status
q1(struct dbconn *c, const char *sql, int64_t a, struct dbres *out)
{
    struct dbv p[] = {DBV_INT(a)};
    return db_query(c, sql, p, 1, out);
}

static enum db_status
q2(struct dbconn *c, const char *sql, int64_t a, int64_t b, struct dbres *out)
{
    struct dbv p[] = {DBV_INT(a), DBV_INT(b)};
    return db_query(c, sql, p, 2, out);
}

enum db_status
logread_checkpoint_at_least(struct dbconn *c, uint64_t size, struct dbres *out)
{
    return q1(c, sql_cp_at_least, (int64_t)size, out);
}

enum db_status
logread_checkpoint_latest(struct dbconn *c, struct dbres *out)
{
    return db_query(c, sql_cp_latest, NULL, 0, out);
}

enum db_status
logread_checkpoint_get(struct dbconn *c, uint64_t size, struct dbres *out)
{
    return q1(c, sql_cp_get, (int64_t)size, out);
}

enum db_status
logread_checkpoint_list(struct dbconn *c, uint64_t after, int64_t limit, struct dbres *out)
{
    return q2(c, sql_cp_list, (int64_t)after, limit, out);
}

enum db_status
logread_entries(struct dbconn *c, uint64_t from, int64_t limit, struct dbres *out)
{
    return q2(c, sql_entries, (int64_t)from, limit, out);
}

enum db_status
logread_project_entries(struct dbconn *c, int64_t project_id, uint64_t below, struct dbres *out)
{
    struct dbv p[] = {DBV_INT(project_id), DBV_INT((int64_t)below), DBV_INT((int64_t)below)};
    return db_query(c, sql_project, p, 3, out);
}

enum db_status
logread_tree_size(struct dbconn *c, uint64_t *size)
{
    struct dbres r;
    enum db_status st = db_query(c, sql_size, NULL, 0, &r);
    *size = st == DB_OK && r.nrows ? (uint64_t)dbres_i64(&r, 0, DB_VALUE) : 0;
    dbres_free(&r);
    return st;
}

enum db_status
logread_vkeys(struct dbconn *c, struct dbres *out)
{
    return db_query(c, sql_vkeys, NULL, 0, out);
}

static const char sql_last_qid[] = "SELECT COALESCE(MAX(qid), 0) FROM audit_entries";
static const char sql_pending_upto[] =
    "SELECT COUNT(*) FROM audit_entries WHERE idx IS NULL AND qid <= ?";

enum db_status
logread_last_qid(struct dbconn *c, int64_t *qid)
{
    struct dbres r;
    enum db_status st = db_query(c, sql_last_qid, NULL, 0, &r);
    *qid = st == DB_OK && r.nrows ? dbres_i64(&r, 0, DB_VALUE) : 0;
    dbres_free(&r);
    return st;
}

enum db_status
logread_pending_upto(struct dbconn *c, int64_t qid, int64_t *n)
{
    struct dbres r;
    enum db_status st = q1(c, sql_pending_upto, qid, &r);
    *n = st == DB_OK && r.nrows ? dbres_i64(&r, 0, DB_VALUE) : 0;
    dbres_free(&r);
    return st;
}
