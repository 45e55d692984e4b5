/*
 * store.c — the entry module's SQL, prepared statements only.
 */
#include <stdio.h>
#include <string.h>

#include "entry.h"
#include "store.h"

#define ESTIMATE_COLS(X) X(LE_ESTIMATE, "estimate_fen")
enum { ESTIMATE_COLS(DB_COL_ENUM) LE__COUNT };

static const char sql_insert[] =
    "INSERT INTO projects (name, category, method, region, tenderer_org_id, agent_org_id, "
    "created_by, budget_fen, funding_source, legally_required, state, retender_of, created_us, "
    "updated_us) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'draft', ?, ?, ?)";
static const char sql_update[] =
    "UPDATE projects SET name = ?, category = ?, method = ?, region = ?, tenderer_org_id = ?, "
    "budget_fen = ?, funding_source = ?, legally_required = ?, updated_us = ? WHERE id = ?";
static const char sql_get[] =
    "SELECT " PROJECT_COLS(DB_COL_SQL) DB_COL_END " FROM projects WHERE id = ?";
static const char sql_get_lock[] =
    "SELECT " PROJECT_COLS(DB_COL_SQL) DB_COL_END " FROM projects WHERE id = ? FOR UPDATE";
static const char sql_list_all[] = "SELECT " PROJECT_COLS(DB_COL_SQL) DB_COL_END
    " FROM projects WHERE (? IS NULL OR state = ?) AND id > ? "
    "ORDER BY id LIMIT ?";
static const char sql_list_org[] = "SELECT " PROJECT_COLS(DB_COL_SQL) DB_COL_END
    " FROM projects WHERE (agent_org_id = ? OR tenderer_org_id = ?) "
    "AND (? IS NULL OR state = ?) AND id > ? ORDER BY id LIMIT ?";
static const char sql_lots_del[] = "DELETE FROM project_lots WHERE project_id = ?";
static const char sql_lot_ins[] =
    "INSERT INTO project_lots (project_id, seq, name, estimate_fen) VALUES (?, ?, ?, ?)";
static const char sql_lots[] = "SELECT " LOT_COLS(DB_COL_SQL) DB_COL_END
    " FROM project_lots WHERE project_id = ? ORDER BY seq";
static const char sql_lot[] = "SELECT " ESTIMATE_COLS(DB_COL_SQL) DB_COL_END
    " FROM project_lots WHERE project_id = ? AND seq = ?";
static const char sql_state[] =
    "UPDATE projects SET suspended_from = IF(? = 'suspended', state, NULL), state = ?, "
    "return_reason = ?, updated_us = ? WHERE id = ? AND state = ?";
static const char sql_code[] = "UPDATE projects SET code = ? WHERE id = ?";
static const char sql_counter[] =
    "INSERT INTO project_code_counters (region, year, category, last_seq) "
    "VALUES (?, ?, ?, LAST_INSERT_ID(1)) "
    "ON DUPLICATE KEY UPDATE last_seq = LAST_INSERT_ID(last_seq + 1)";
static const char sql_doc_ins[] =
    "INSERT INTO project_documents (project_id, name, content_type, size, sha256, content, "
    "uploaded_by, created_us) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
static const char sql_docs[] = "SELECT " DOC_COLS(DB_COL_SQL) DB_COL_END
    " FROM project_documents WHERE project_id = ? ORDER BY id";
static const char sql_doc[] =
    "SELECT " DOC1_COLS(DB_COL_SQL) DB_COL_END " FROM project_documents "
                                               "WHERE project_id = ? AND id = ?";

enum db_status
store_project_insert(struct dbconn *c, const struct project_in *in, int64_t agent_org, int64_t user,
                     int64_t now, int64_t *id)
{
    struct dbv p[] = {DBV_STR(in->name),
                      DBV_STR(category_name(in->category)),
                      DBV_STR(in->method),
                      DBV_STR(in->region),
                      DBV_INT(in->tenderer_org_id),
                      DBV_INT(agent_org),
                      DBV_INT(user),
                      DBV_INT(in->budget_fen),
                      DBV_STR(in->funding_source),
                      DBV_INT(in->legally_required),
                      in->retender_of ? DBV_INT(in->retender_of) : DBV_NUL,
                      DBV_INT(now),
                      DBV_INT(now)};
    uint64_t iid = 0;
    enum db_status st = db_exec(c, sql_insert, p, ARRAY_LEN(p), NULL, &iid);
    *id = (int64_t)iid;
    return st;
}

enum db_status
store_project_update(struct dbconn *c, int64_t id, const struct project_in *in, int64_t now)
{
    struct dbv p[] = {DBV_STR(in->name),
                      DBV_STR(category_name(in->category)),
                      DBV_STR(in->method),
                      DBV_STR(in->region),
                      DBV_INT(in->tenderer_org_id),
                      DBV_INT(in->budget_fen),
                      DBV_STR(in->funding_source),
                      DBV_INT(in->legally_required),
                      DBV_INT(now),
                      DBV_INT(id)};
    return db_exec(c, sql_update, p, ARRAY_LEN(p), NULL, NULL);
}

enum db_status
store_project_get(struct dbconn *c, int64_t id, bool lock, struct dbres *out)
{
    struct dbv p[] = {DBV_INT(id)};
    return db_query(c, lock ? sql_get_lock : sql_get, p, 1, out);
}

enum db_status
store_project_list(struct dbconn *c, int64_t org, const char *state, int64_t after, int64_t limit,
                   struct dbres *out)
{
    struct dbv s = state ? DBV_STR(state) : DBV_NUL;
    if (org) {
        struct dbv p[] = {DBV_INT(org), DBV_INT(org), s, s, DBV_INT(after), DBV_INT(limit)};
        return db_query(c, sql_list_org, p, 6, out);
    }
    struct dbv p[] = {s, s, DBV_INT(after), DBV_INT(limit)};
    return db_query(c, sql_list_all, p, 4, out);
}

enum db_status
store_lots_replace(struct dbconn *c, int64_t id, const struct project_in *in)
{
    struct dbv d[] = {DBV_INT(id)};
    enum db_status st = db_exec(c, sql_lots_del, d, 1, NULL, NULL);
    for (int i = 0; st == DB_OK && i < in->nlots; i++) {
        struct dbv p[] = {DBV_INT(id), DBV_INT(i + 1), DBV_STR(in->lot_name[i]),
                          DBV_INT(in->lot_fen[i])};
        st = db_exec(c, sql_lot_ins, p, 4, NULL, NULL);
    }
    return st;
}

enum db_status
store_lots(struct dbconn *c, int64_t id, struct dbres *out)
{
    struct dbv p[] = {DBV_INT(id)};
    return db_query(c, sql_lots, p, 1, out);
}

enum db_status
store_code_next(struct dbconn *c, const char *region, int year, const char *cat, int *seq)
{
    struct dbv p[] = {DBV_STR(region), DBV_INT(year), DBV_STR(cat)};
    uint64_t v = 0;
    enum db_status st = db_exec(c, sql_counter, p, 3, NULL, &v);
    *seq = (int)v;
    return st;
}

enum db_status
store_project_code(struct dbconn *c, int64_t id, const char *code)
{
    struct dbv p[] = {DBV_STR(code), DBV_INT(id)};
    return db_exec(c, sql_code, p, 2, NULL, NULL);
}

enum db_status
store_state(struct dbconn *c, int64_t id, const char *to, const char *from, const char *reason,
            int64_t now, uint64_t *changed)
{
    struct dbv p[] = {DBV_STR(to),  DBV_STR(to), reason ? DBV_STR(reason) : DBV_NUL,
                      DBV_INT(now), DBV_INT(id), DBV_STR(from)};
    return db_exec(c, sql_state, p, 6, changed, NULL);
}

enum db_status
store_document_insert(struct dbconn *c, int64_t project, const char *name, const char *type,
                      const void *bytes, size_t len, const uint8_t sha[32], int64_t user,
                      int64_t now, int64_t *id)
{
    struct dbv p[] = {DBV_INT(project),  DBV_STR(name),        DBV_STR(type), DBV_INT((int64_t)len),
                      DBV_BLOB(sha, 32), DBV_BLOB(bytes, len), DBV_INT(user), DBV_INT(now)};
    uint64_t iid = 0;
    enum db_status st = db_exec(c, sql_doc_ins, p, 8, NULL, &iid);
    *id = (int64_t)iid;
    return st;
}

enum db_status
store_documents(struct dbconn *c, int64_t project, struct dbres *out)
{
    struct dbv p[] = {DBV_INT(project)};
    return db_query(c, sql_docs, p, 1, out);
}

enum db_status
store_document(struct dbconn *c, int64_t project, int64_t id, struct dbres *out)
{
    struct dbv p[] = {DBV_INT(project), DBV_INT(id)};
    return db_query(c, sql_doc, p, 2, out);
}

/* ---- for other modules ---- */

enum db_status
entry_project_id_by_code(struct dbconn *c, const char *code, int64_t *id, bool *found)
{
    static const char sql[] = "SELECT id FROM projects WHERE code = ?";
    struct dbv p[] = {DBV_STR(code)};
    struct dbres r;
    enum db_status st = db_query(c, sql, p, 1, &r);
    *found = st == DB_OK && r.nrows == 1;
    *id = *found ? dbres_i64(&r, 0, DB_VALUE) : 0;
    dbres_free(&r);
    return st;
}

enum db_status
entry_project(struct dbconn *c, int64_t id, bool lock, struct project_view *v, bool *found)
{
    struct dbres r;
    enum db_status st = store_project_get(c, id, lock, &r);
    *found = st == DB_OK && r.nrows == 1;
    if (*found) {
        memset(v, 0, sizeof *v);
        v->id = dbres_i64(&r, 0, PC_ID);
        snprintf(v->code, sizeof v->code, "%s",
                 dbres_str(&r, 0, PC_CODE) ? dbres_str(&r, 0, PC_CODE) : "");
        snprintf(v->name, sizeof v->name, "%s", dbres_str(&r, 0, PC_NAME));
        v->category = category_from_name(dbres_str(&r, 0, PC_CATEGORY));
        snprintf(v->method, sizeof v->method, "%s", dbres_str(&r, 0, PC_METHOD));
        snprintf(v->region, sizeof v->region, "%s", dbres_str(&r, 0, PC_REGION));
        v->tenderer_org_id = dbres_i64(&r, 0, PC_TENDERER);
        v->agent_org_id = dbres_i64(&r, 0, PC_AGENT);
        v->budget_fen = dbres_i64(&r, 0, PC_BUDGET);
        v->legally_required = dbres_i64(&r, 0, PC_LEGAL) != 0;
        snprintf(v->state, sizeof v->state, "%s", dbres_str(&r, 0, PC_STATE));
    }
    dbres_free(&r);
    return st;
}

enum db_status
entry_lots(struct dbconn *c, int64_t project_id, struct dbres *out)
{
    return store_lots(c, project_id, out);
}

enum db_status
entry_lot_estimate(struct dbconn *c, int64_t project_id, int seq, int64_t *fen, bool *found)
{
    struct dbres r;
    struct dbv p[] = {DBV_INT(project_id), DBV_INT(seq)};
    enum db_status st = db_query(c, sql_lot, p, 2, &r);
    *found = st == DB_OK && r.nrows == 1;
    *fen = *found ? dbres_i64(&r, 0, LE_ESTIMATE) : 0;
    dbres_free(&r);
    return st;
}

enum db_status
entry_set_state(struct dbconn *c, int64_t id, const char *to, const char *from)
{
    uint64_t changed = 0;
    enum db_status st = store_state(c, id, to, from, NULL, clock_now_us(), &changed);
    return st == DB_OK && changed != 1 ? DB_ERROR : st;
}
