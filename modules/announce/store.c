/*
 * store.c — the announce module's SQL, prepared statements only (see store.h).
 */
#include <stdio.h>
#include <string.h>

#include "store.h"
#include "announce.h"
#include "util.h"

#define DEADLINE_COLS(X)                                                                           \
    X(DL_DEADLINE, "bid_deadline_us")                                                              \
    X(DL_OPENING, "opening_us")                                                                    \
    X(DL_ID, "id")
enum { DEADLINE_COLS(DB_COL_ENUM) DL__COUNT };
#define DOCS_NOW_COLS(X)                                                                           \
    X(DN_FROM, "docs_from_us")                                                                     \
    X(DN_UNTIL, "docs_until_us")
enum { DOCS_NOW_COLS(DB_COL_ENUM) DN__COUNT };

static const char sql_insert[] =
    "INSERT INTO announcements (project_id, project_code, type, title, body, amends_id, "
    "affects_bids, "
    "docs_from_us, docs_until_us, bid_deadline_us, opening_us, publicity_from_us, "
    "publicity_until_us, opening_place, evaluation_json, state, category, region, created_by, "
    "created_us, "
    "updated_us) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'draft', ?, ?, ?, ?, ?)";
static const char sql_update[] =
    "UPDATE announcements SET type = ?, title = ?, body = ?, amends_id = ?, affects_bids = ?, "
    "docs_from_us = ?, docs_until_us = ?, bid_deadline_us = ?, opening_us = ?, "
    "publicity_from_us = ?, publicity_until_us = ?, opening_place = ?, evaluation_json = ?, "
    "updated_us = ? WHERE "
    "id = ? AND state = 'draft'";
static const char sql_get[] =
    "SELECT " ANN_COLS(DB_COL_SQL) DB_COL_END " FROM announcements a WHERE a.id = ?";
static const char sql_get_lock[] =
    "SELECT " ANN_COLS(DB_COL_SQL) DB_COL_END " FROM announcements a WHERE a.id = ? FOR UPDATE";
static const char sql_dep_del[] = "DELETE FROM announcement_deposits WHERE announcement_id = ?";
static const char sql_dep_ins[] =
    "INSERT INTO announcement_deposits (announcement_id, lot_seq, deposit_fen) VALUES (?, ?, ?)";
static const char sql_deps[] =
    "SELECT " DEPOSIT_COLS(DB_COL_SQL) DB_COL_END " FROM announcement_deposits WHERE "
                                                  "announcement_id = ? ORDER BY lot_seq";
static const char sql_publish[] =
    "UPDATE announcements SET state = 'published', published_us = ?, content = ?, "
    "content_sha256 = ?, signature = ? WHERE id = ? AND state = 'draft'";
static const char sql_deadline[] = "SELECT " DEADLINE_COLS(DB_COL_SQL) DB_COL_END
    " FROM announcements WHERE project_id = ? AND "
    "state = 'published' AND type IN ('tender','amendment') AND bid_deadline_us IS NOT NULL "
    "ORDER BY published_us DESC, id DESC LIMIT 1";
static const char sql_public[] = "SELECT " ANN_COLS(DB_COL_SQL) DB_COL_END
    " FROM announcements a "
    "WHERE a.pub_seq IS NOT NULL AND (? = 0 OR a.pub_seq < ?) AND (? IS NULL OR a.type = ?) "
    "AND (? IS NULL OR a.category = ?) AND (? IS NULL OR a.region = ?) "
    "AND (? = 0 OR a.published_us >= ?) AND (? = 0 OR a.published_us < ?) "
    "AND (? IS NULL OR a.title LIKE CONCAT('%', ?, '%') ESCAPE '!') ORDER BY a.pub_seq DESC "
    "LIMIT ?";
static const char sql_of_project[] = "SELECT " ANN_COLS(DB_COL_SQL) DB_COL_END
    " FROM announcements a "
    "WHERE a.project_id = ? AND a.pub_seq IS NOT NULL ORDER BY a.pub_seq";

static struct dbv
opt(int64_t v)
{
    return v ? DBV_INT(v) : DBV_NUL;
}

static struct dbv
opt_str(const char *s)
{
    return s ? DBV_STR(s) : DBV_NUL;
}

static enum db_status
deposits_replace(struct dbconn *c, int64_t id, const struct ann_in *in)
{
    struct dbv d[] = {DBV_INT(id)};
    enum db_status st = db_exec(c, sql_dep_del, d, 1, NULL, NULL);
    for (int i = 0; st == DB_OK && i < in->ndep; i++) {
        struct dbv p[] = {DBV_INT(id), DBV_INT(in->dep_lot[i]), DBV_INT(in->dep_fen[i])};
        st = db_exec(c, sql_dep_ins, p, 3, NULL, NULL);
    }
    return st;
}

enum db_status
store_ann_insert(struct dbconn *c, int64_t project, const char *project_code, const char *category,
                 const char *region, const struct ann_in *in, int64_t user, int64_t now,
                 int64_t *id)
{
    struct dbv p[] = {DBV_INT(project),
                      project_code && *project_code ? DBV_STR(project_code) : DBV_NUL,
                      DBV_STR(in->type),
                      DBV_STR(in->title),
                      DBV_STR(in->body),
                      opt(in->amends_id),
                      DBV_INT(in->affects_bids),
                      opt(in->t[0]),
                      opt(in->t[1]),
                      opt(in->t[2]),
                      opt(in->t[3]),
                      opt(in->t[4]),
                      opt(in->t[5]),
                      opt_str(in->opening_place),
                      opt_str(in->evaluation),
                      DBV_STR(category),
                      DBV_STR(region),
                      DBV_INT(user),
                      DBV_INT(now),
                      DBV_INT(now)};
    uint64_t iid = 0;
    enum db_status st = db_exec(c, sql_insert, p, ARRAY_LEN(p), NULL, &iid);
    *id = (int64_t)iid;
    return st == DB_OK ? deposits_replace(c, *id, in) : st;
}

enum db_status
store_ann_update(struct dbconn *c, int64_t id, const struct ann_in *in, int64_t now)
{
    struct dbv p[] = {DBV_STR(in->type),
                      DBV_STR(in->title),
                      DBV_STR(in->body),
                      opt(in->amends_id),
                      DBV_INT(in->affects_bids),
                      opt(in->t[0]),
                      opt(in->t[1]),
                      opt(in->t[2]),
                      opt(in->t[3]),
                      opt(in->t[4]),
                      opt(in->t[5]),
                      opt_str(in->opening_place),
                      opt_str(in->evaluation),
                      DBV_INT(now),
                      DBV_INT(id)};
    enum db_status st = db_exec(c, sql_update, p, ARRAY_LEN(p), NULL, NULL);
    return st == DB_OK ? deposits_replace(c, id, in) : st;
}

enum db_status
store_ann_get(struct dbconn *c, int64_t id, bool lock, struct dbres *out)
{
    struct dbv p[] = {DBV_INT(id)};
    return db_query(c, lock ? sql_get_lock : sql_get, p, 1, out);
}

enum db_status
store_ann_deposits(struct dbconn *c, int64_t id, struct dbres *out)
{
    struct dbv p[] = {DBV_INT(id)};
    return db_query(c, sql_deps, p, 1, out);
}

enum db_status
store_ann_publish(struct dbconn *c, int64_t id, int64_t now, const char *content, size_t len,
                  const uint8_t sha[32], const uint8_t sig[64])
{
    struct dbv p[] = {DBV_INT(now), DBV_BLOB(content, len), DBV_BLOB(sha, 32), DBV_BLOB(sig, 64),
                      DBV_INT(id)};
    uint64_t changed = 0;
    enum db_status st = db_exec(c, sql_publish, p, 5, &changed, NULL);
    return st == DB_OK && changed != 1 ? DB_ERROR : st;
}

enum db_status
store_ann_deadline(struct dbconn *c, int64_t project, int64_t *deadline, int64_t *opening,
                   int64_t *ann_id, bool *found)
{
    struct dbv p[] = {DBV_INT(project)};
    struct dbres r;
    enum db_status st = db_query(c, sql_deadline, p, 1, &r);
    *found = st == DB_OK && r.nrows == 1;
    if (*found) {
        *deadline = dbres_i64(&r, 0, DL_DEADLINE);
        *opening = dbres_i64(&r, 0, DL_OPENING);
        *ann_id = dbres_i64(&r, 0, DL_ID);
    }
    dbres_free(&r);
    return st;
}

enum db_status
store_ann_in_force(struct dbconn *c, int64_t project, struct ann_in_force *f)
{
    static const char sql_docs[] =
        "SELECT docs_from_us FROM announcements WHERE project_id = ? AND state = 'published' "
        "AND type = 'tender' ORDER BY published_us, id LIMIT 1";
    static const char sql_docs_now[] = "SELECT " DOCS_NOW_COLS(DB_COL_SQL) DB_COL_END
        " FROM announcements WHERE project_id = ? AND state = "
        "'published' AND type IN ('tender','amendment') AND docs_from_us IS NOT NULL ORDER BY "
        "published_us DESC, id DESC LIMIT 1";
    static const char sql_place[] =
        "SELECT opening_place FROM announcements WHERE project_id = ? AND state = 'published' "
        "AND type IN ('tender','amendment') AND opening_place IS NOT NULL ORDER BY published_us "
        "DESC, id DESC LIMIT 1";
    struct dbv p[] = {DBV_INT(project)};
    struct dbres d = {0}, n = {0}, pl = {0};
    memset(f, 0, sizeof *f);
    enum db_status st =
        store_ann_deadline(c, project, &f->deadline_us, &f->opening_us, &f->ann_id, &f->found);
    if (st == DB_OK)
        st = db_query(c, sql_docs, p, 1, &d);
    if (st == DB_OK)
        st = db_query(c, sql_docs_now, p, 1, &n);
    if (st == DB_OK)
        st = db_query(c, sql_place, p, 1, &pl);
    if (st == DB_OK) {
        f->docs_first_us = d.nrows == 1 ? dbres_i64(&d, 0, DB_VALUE) : 0;
        f->docs_from_us = n.nrows == 1 ? dbres_i64(&n, 0, DN_FROM) : 0;
        f->docs_until_us = n.nrows == 1 ? dbres_i64(&n, 0, DN_UNTIL) : 0;
        snprintf(f->place, sizeof f->place, "%s", pl.nrows == 1 ? dbres_str(&pl, 0, DB_VALUE) : "");
    }
    dbres_free(&d);
    dbres_free(&n);
    dbres_free(&pl);
    return st;
}

enum db_status
store_ann_set_affects(struct dbconn *c, int64_t id, bool affects)
{
    static const char sql[] = "UPDATE announcements SET affects_bids = ? WHERE id = ? AND state = "
                              "'draft'";
    struct dbv p[] = {DBV_INT(affects), DBV_INT(id)};
    return db_exec(c, sql, p, 2, NULL, NULL);
}

enum db_status
store_ann_set_place(struct dbconn *c, int64_t id, const char *place)
{
    static const char sql[] = "UPDATE announcements SET opening_place = ? WHERE id = ? AND "
                              "state = 'draft'";
    struct dbv p[] = {DBV_STR(place), DBV_INT(id)};
    return db_exec(c, sql, p, 2, NULL, NULL);
}

enum db_status
store_ann_public(struct dbconn *c, const char *type, const char *category, const char *region,
                 int64_t from_us, int64_t to_us, const char *q, int64_t before, int64_t limit,
                 struct dbres *out)
{
    /* the title search matches q literally: LIKE's % and _ (and the escape itself) escaped */
    char esc[2 * 400 + 1];
    size_t n = 0;
    for (const char *p = q; p && *p && n + 2 < sizeof esc; p++) {
        if (*p == '%' || *p == '_' || *p == '!')
            esc[n++] = '!';
        esc[n++] = *p;
    }
    esc[n] = '\0';
    struct dbv t = type ? DBV_STR(type) : DBV_NUL, k = category ? DBV_STR(category) : DBV_NUL,
               g = region ? DBV_STR(region) : DBV_NUL, s = q ? DBV_STR(esc) : DBV_NUL;
    struct dbv p[] = {DBV_INT(before),
                      DBV_INT(before),
                      t,
                      t,
                      k,
                      k,
                      g,
                      g,
                      DBV_INT(from_us),
                      DBV_INT(from_us),
                      DBV_INT(to_us),
                      DBV_INT(to_us),
                      s,
                      s,
                      DBV_INT(limit)};
    return db_query(c, sql_public, p, ARRAY_LEN(p), out);
}

enum db_status
store_ann_of_project(struct dbconn *c, int64_t project, struct dbres *out)
{
    struct dbv p[] = {DBV_INT(project)};
    return db_query(c, sql_of_project, p, 1, out);
}

enum db_status
announce_bid_times(struct dbconn *c, int64_t project_id, int64_t *deadline_us, int64_t *opening_us,
                   int64_t *ann_id, bool *found)
{
    return store_ann_deadline(c, project_id, deadline_us, opening_us, ann_id, found);
}

enum db_status
announce_keys_published(struct dbconn *c, int64_t project_id, int64_t *ann_id)
{
    static const char sql[] = "SELECT id FROM announcements WHERE project_id = ? AND "
                              "state = 'published' AND type = 'tender' ORDER BY published_us "
                              "DESC, id DESC LIMIT 1";
    struct dbv p[] = {DBV_INT(project_id)};
    struct dbres r;
    enum db_status st = db_query(c, sql, p, 1, &r);
    *ann_id = st == DB_OK && r.nrows == 1 ? dbres_i64(&r, 0, DB_VALUE) : 0;
    dbres_free(&r);
    return st;
}

#define METHOD_COLS(X)                                                                             \
    X(MC_ID, "id")                                                                                 \
    X(MC_JSON, "evaluation_json")
enum { METHOD_COLS(DB_COL_ENUM) MC__COUNT };

enum db_status
announce_evaluation_method(struct dbconn *c, int64_t project_id, char **json, int64_t *ann_id)
{
    static const char sql[] = "SELECT " METHOD_COLS(DB_COL_SQL) DB_COL_END
        " FROM announcements WHERE project_id = ? AND state = 'published' AND type IN "
        "('tender','amendment') AND evaluation_json IS NOT NULL ORDER BY published_us DESC, id "
        "DESC LIMIT 1";
    struct dbv p[] = {DBV_INT(project_id)};
    struct dbres r;
    *json = NULL;
    *ann_id = 0;
    enum db_status st = db_query(c, sql, p, 1, &r);
    if (st == DB_OK && r.nrows == 1) {
        *ann_id = dbres_i64(&r, 0, MC_ID);
        if (!(*json = strdup(dbres_str(&r, 0, MC_JSON))))
            st = DB_ERROR;
    }
    dbres_free(&r);
    return st;
}

#define PUBLICITY_COLS(X)                                                                          \
    X(PB_PUBLISHED, "published_us")                                                                \
    X(PB_UNTIL, "publicity_until_us")
enum { PUBLICITY_COLS(DB_COL_ENUM) PB__COUNT };

enum db_status
announce_publicity(struct dbconn *c, int64_t project_id, int64_t *published_us, int64_t *until_us,
                   bool *found)
{
    static const char sql[] = "SELECT " PUBLICITY_COLS(DB_COL_SQL) DB_COL_END
        " FROM announcements WHERE project_id = ? AND state = 'published' AND type = "
        "'candidates' ORDER BY published_us DESC, id DESC LIMIT 1";
    struct dbv p[] = {DBV_INT(project_id)};
    struct dbres r;
    enum db_status st = db_query(c, sql, p, 1, &r);
    *found = st == DB_OK && r.nrows == 1;
    *published_us = *found ? dbres_i64(&r, 0, PB_PUBLISHED) : 0;
    *until_us = *found ? dbres_i64(&r, 0, PB_UNTIL) : 0;
    dbres_free(&r);
    return st;
}

const char store_sql_public_order[] = "UPDATE announcements SET pub_seq = ? WHERE id = ?";

enum db_status
announce_lot_deposit(struct dbconn *c, int64_t project_id, int64_t lot, int64_t *fen, bool *found)
{
    int64_t ann;
    struct dbres d = {0};
    *fen = 0;
    *found = false;
    enum db_status st = announce_keys_published(c, project_id, &ann);
    if (st != DB_OK || !ann)
        return st;
    if ((st = store_ann_deposits(c, ann, &d)) == DB_OK)
        for (size_t i = 0; i < d.nrows; i++)
            if (dbres_i64(&d, i, DP_LOT) == lot) {
                *fen = dbres_i64(&d, i, DP_FEN);
                *found = true;
            }
    dbres_free(&d);
    return st;
}
