/*
 * store.c — the bids module's SQL: opening keys and their sealed shares (migration 0006).
 * Prepared statements only; the callers hold the transaction.
 */
#include "entry/entry.h"
#include "store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bids.h"
#include "crypto.h"
#include "util.h"

static const char sql_key_ins[] =
    "INSERT INTO opening_keys (project_id, lot_seq, key_id, public_key, threshold, custodians, "
    "commitments, created_by, created_us) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char sql_share_ins[] =
    "INSERT INTO opening_shares (opening_key, x, custodian_user, custodian_key_id, enc, sealed) "
    "VALUES (?, ?, ?, ?, ?, ?)";
static const char sql_key_get[] =
    "SELECT " OPENING_KEY_COLS(DB_COL_SQL) DB_COL_END " FROM opening_keys k "
                                                      "WHERE k.project_id = ? AND k.lot_seq = ?";
static const char sql_shares[] = "SELECT " SHARE_COLS(DB_COL_SQL) DB_COL_END
    " FROM opening_shares s WHERE s.opening_key = ? ORDER BY s.x";

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

/* ---- bids (migration 0007) ---- */

#define BID_LAST_COLS(X)                                                                           \
    X(BL_ID, "id")                                                                                 \
    X(BL_REVISION, "revision")                                                                     \
    X(BL_STATE, "state")
enum { BID_LAST_COLS(DB_COL_ENUM) BL__COUNT };
#define KEY_LIST_COLS(X)                                                                           \
    X(KL_LOT, "lot_seq")                                                                           \
    X(KL_KEY_ID, "key_id")                                                                         \
    X(KL_PUBLIC, "public_key")
enum { KEY_LIST_COLS(DB_COL_ENUM) KL__COUNT };
#define LOT_STATE_COLS(X)                                                                          \
    X(LS_LOT, "lot_seq")                                                                           \
    X(LS_STATE, "state")
enum { LOT_STATE_COLS(DB_COL_ENUM) LS__COUNT };

static const char sql_bid_by_sha[] = "SELECT id FROM bids WHERE envelope_sha256 = ?";
static const char sql_bid_last[] = "SELECT " BID_LAST_COLS(DB_COL_SQL) DB_COL_END
    " FROM bids WHERE project_id = ? AND lot_seq = ? AND "
    "bidder_org_id = ? ORDER BY revision DESC LIMIT 1";
static const char sql_bid_state[] =
    "UPDATE bids SET state = ?, state_us = ? WHERE id = ? AND state = 'current'";
static const char sql_bid_ins[] =
    "INSERT INTO bids (project_id, lot_seq, bidder_org_id, bidder_user_id, revision, "
    "signer_key_id, envelope_sha256, size, received_us, state, state_us, client_address) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'current', ?, ?)";
static const char sql_bid_time[] = "UPDATE bids SET received_us = ?, state_us = ? WHERE id = ?";
static const char sql_bid_get[] =
    "SELECT " BID_COLS(DB_COL_SQL) DB_COL_END " FROM bids WHERE id = ?";
static const char sql_bids_org[] =
    "SELECT " BID_COLS(DB_COL_SQL) DB_COL_END " FROM bids WHERE project_id = ? AND "
                                              "lot_seq = ? AND bidder_org_id = ? ORDER BY revision";
static const char sql_bids_current[] =
    "SELECT " BID_COLS(DB_COL_SQL) DB_COL_END " FROM bids WHERE project_id = ? AND "
                                              "lot_seq = ? AND state = 'current' ORDER BY id";
static const char sql_bid_opened[] =
    "UPDATE bids SET open_status = ?, open_class = ?, open_reason = ?, summary = ?, "
    "price_fen = ?, opened_us = ? WHERE id = ? AND open_status IS NULL";

enum db_status
store_bid_by_sha(struct dbconn *c, const uint8_t sha[32], int64_t *id)
{
    struct dbv p[] = {DBV_BLOB(sha, 32)};
    struct dbres r;
    enum db_status st = db_query(c, sql_bid_by_sha, p, 1, &r);
    *id = st == DB_OK && r.nrows == 1 ? dbres_i64(&r, 0, DB_VALUE) : 0;
    dbres_free(&r);
    return st;
}

enum db_status
store_bid_last(struct dbconn *c, int64_t project, int64_t lot, int64_t org, int64_t *id,
               int64_t *revision, bool *current)
{
    struct dbv p[] = {DBV_INT(project), DBV_INT(lot), DBV_INT(org)};
    struct dbres r;
    enum db_status st = db_query(c, sql_bid_last, p, ARRAY_LEN(p), &r);
    *id = *revision = 0;
    *current = false;
    if (st == DB_OK && r.nrows == 1) {
        *id = dbres_i64(&r, 0, BL_ID);
        *revision = dbres_i64(&r, 0, BL_REVISION);
        *current = !strcmp(dbres_str(&r, 0, BL_STATE), "current");
    }
    dbres_free(&r);
    return st;
}

enum db_status
store_bid_set_state(struct dbconn *c, int64_t id, const char *state, int64_t now)
{
    struct dbv p[] = {DBV_STR(state), DBV_INT(now), DBV_INT(id)};
    uint64_t n = 0;
    enum db_status st = db_exec(c, sql_bid_state, p, ARRAY_LEN(p), &n, NULL);
    return st == DB_OK && n != 1 ? DB_RETRY : st; /* changed under us: run the transaction again */
}

enum db_status
store_bid_insert(struct dbconn *c, const struct bid_row *b, int64_t *id)
{
    struct dbv p[] = {DBV_INT(b->project),
                      DBV_INT(b->lot),
                      DBV_INT(b->org),
                      DBV_INT(b->user),
                      DBV_INT(b->revision),
                      DBV_STR(b->signer_key_id),
                      DBV_BLOB(b->sha256, 32),
                      DBV_INT(b->size),
                      DBV_INT(b->received_us),
                      DBV_INT(b->received_us),
                      b->client && *b->client ? DBV_STR(b->client) : DBV_NUL};
    uint64_t iid = 0;
    enum db_status st = db_exec(c, sql_bid_ins, p, ARRAY_LEN(p), NULL, &iid);
    *id = (int64_t)iid;
    return st;
}

enum db_status
store_bid_time(struct dbconn *c, int64_t id, int64_t t)
{
    struct dbv p[] = {DBV_INT(t), DBV_INT(t), DBV_INT(id)};
    return db_exec(c, sql_bid_time, p, ARRAY_LEN(p), NULL, NULL);
}

enum db_status
store_bid_get(struct dbconn *c, int64_t id, struct dbres *out)
{
    struct dbv p[] = {DBV_INT(id)};
    return db_query(c, sql_bid_get, p, 1, out);
}

enum db_status
store_bids_of_org(struct dbconn *c, int64_t project, int64_t lot, int64_t org, struct dbres *out)
{
    struct dbv p[] = {DBV_INT(project), DBV_INT(lot), DBV_INT(org)};
    return db_query(c, sql_bids_org, p, ARRAY_LEN(p), out);
}

enum db_status
store_bids_current(struct dbconn *c, int64_t project, int64_t lot, struct dbres *out)
{
    struct dbv p[] = {DBV_INT(project), DBV_INT(lot)};
    return db_query(c, sql_bids_current, p, ARRAY_LEN(p), out);
}

char *
bids_project_bidders(struct dbconn *c, int64_t project, enum db_status *st)
{
    static const char sql[] = "SELECT COALESCE(JSON_ARRAYAGG(DISTINCT bidder_org_id), '[]') FROM "
                              "bids WHERE project_id = ?";
    struct dbv p[] = {DBV_INT(project)};
    struct dbres r;
    char *ids = NULL;
    *st = db_query(c, sql, p, ARRAY_LEN(p), &r);
    if (*st == DB_OK &&
        !(ids = strdup(r.nrows == 1 && dbres_str(&r, 0, DB_VALUE) ? dbres_str(&r, 0, DB_VALUE)
                                                                  : "[]")))
        *st = DB_ERROR;
    dbres_free(&r);
    return ids;
}

char *
store_bidder_ids(struct dbconn *c, int64_t project, int64_t lot, enum db_status *st)
{
    static const char sql[] = "SELECT JSON_ARRAYAGG(DISTINCT bidder_org_id) FROM bids WHERE "
                              "project_id = ? AND lot_seq = ? AND state = 'current'";
    struct dbv p[] = {DBV_INT(project), DBV_INT(lot)};
    struct dbres r;
    char *ids = NULL;
    *st = db_query(c, sql, p, ARRAY_LEN(p), &r);
    if (*st == DB_OK && r.nrows == 1 && dbres_str(&r, 0, DB_VALUE)) {
        ids = strdup(dbres_str(&r, 0, DB_VALUE));
        if (!ids)
            *st = DB_ERROR;
    }
    dbres_free(&r);
    return ids;
}

char *
store_session_bidders(struct dbconn *c, int64_t project, const char *lots, enum db_status *st)
{
    static const char sql[] = "SELECT COALESCE(JSON_ARRAYAGG(DISTINCT bidder_org_id), '[]') FROM "
                              "bids WHERE project_id = ? AND FIND_IN_SET(lot_seq, ?) > 0 AND "
                              "state = 'current'";
    struct dbv p[] = {DBV_INT(project), DBV_STR(lots)};
    struct dbres r;
    char *ids = NULL;
    *st = db_query(c, sql, p, ARRAY_LEN(p), &r);
    if (*st == DB_OK &&
        !(ids = strdup(r.nrows == 1 && dbres_str(&r, 0, DB_VALUE) ? dbres_str(&r, 0, DB_VALUE)
                                                                  : "[]")))
        *st = DB_ERROR;
    dbres_free(&r);
    return ids;
}

enum db_status
store_org_bids_in(struct dbconn *c, int64_t project, const char *lots, int64_t org, bool *any)
{
    static const char sql[] = "SELECT COUNT(*) FROM bids WHERE project_id = ? AND "
                              "FIND_IN_SET(lot_seq, ?) > 0 AND bidder_org_id = ? AND "
                              "state = 'current'";
    struct dbv p[] = {DBV_INT(project), DBV_STR(lots), DBV_INT(org)};
    struct dbres r;
    enum db_status st = db_query(c, sql, p, ARRAY_LEN(p), &r);
    *any = st == DB_OK && r.nrows == 1 && dbres_i64(&r, 0, DB_VALUE) > 0;
    dbres_free(&r);
    return st;
}

enum db_status
store_bid_opened(struct dbconn *c, int64_t id, const char *status, const char *cls,
                 const char *reason, const char *summary, int64_t price, int64_t now)
{
    struct dbv p[] = {DBV_STR(status),
                      cls ? DBV_STR(cls) : DBV_NUL,
                      reason ? DBV_STR(reason) : DBV_NUL,
                      summary ? DBV_STR(summary) : DBV_NUL,
                      summary ? DBV_INT(price) : DBV_NUL,
                      DBV_INT(now),
                      DBV_INT(id)};
    return db_exec(c, sql_bid_opened, p, ARRAY_LEN(p), NULL, NULL);
}

/* ---- openings ---- */

static const char sql_opening_get[] =
    "SELECT " OPENING_COLS(DB_COL_SQL) DB_COL_END " FROM openings WHERE project_id = ? AND "
                                                  "lot_seq = ?";
static const char sql_opening_lock[] =
    "SELECT " OPENING_COLS(DB_COL_SQL) DB_COL_END " FROM openings WHERE project_id = ? AND "
                                                  "lot_seq = ? FOR UPDATE";
static const char sql_opening_ins[] =
    "INSERT INTO openings (opening_key, project_id, lot_seq, state, bids, started_by, "
    "started_us, completed_us, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char sql_opening_set[] =
    "UPDATE openings SET state = ?, completed_us = ?, private_key = ? WHERE id = ?";
static const char sql_opening_runner[] =
    "UPDATE openings SET runner = ?, runner_until_us = ? WHERE id = ?";
static const char sql_sub_ins[] =
    "INSERT INTO opening_share_subs (opening_id, x, custodian_user, share, submitted_us) "
    "VALUES (?, ?, ?, ?, ?)";
static const char sql_subs[] = "SELECT " SHARE_IN_COLS(DB_COL_SQL) DB_COL_END
    " FROM "
    "opening_share_subs WHERE opening_id = ? ORDER BY x";
static const char sql_obj_ins[] =
    "INSERT INTO opening_objections (opening_id, org_id, user_id, text, created_us) "
    "VALUES (?, ?, ?, ?, ?)";
static const char sql_obj_list[] = "SELECT " OBJECTION_COLS(DB_COL_SQL) DB_COL_END
    " FROM opening_objections WHERE opening_id = ? ORDER BY id";
static const char sql_obj_answer[] =
    "UPDATE opening_objections SET answer = ?, answered_by = ?, answered_us = ? "
    "WHERE id = ? AND opening_id = ? AND answer IS NULL";

enum db_status
store_opening_of_lot(struct dbconn *c, int64_t project, int64_t lot, bool lock, struct dbres *out)
{
    struct dbv p[] = {DBV_INT(project), DBV_INT(lot)};
    return db_query(c, lock ? sql_opening_lock : sql_opening_get, p, ARRAY_LEN(p), out);
}

enum db_status
store_opening_start(struct dbconn *c, int64_t key, int64_t project, int64_t lot, const char *state,
                    int64_t nbids, int64_t by, int64_t now, const char *reason, int64_t *id)
{
    struct dbv p[] = {DBV_INT(key),
                      DBV_INT(project),
                      DBV_INT(lot),
                      DBV_STR(state),
                      DBV_INT(nbids),
                      DBV_INT(by),
                      DBV_INT(now),
                      reason ? DBV_INT(now) : DBV_NUL,
                      reason ? DBV_STR(reason) : DBV_NUL};
    uint64_t iid = 0;
    enum db_status st = db_exec(c, sql_opening_ins, p, ARRAY_LEN(p), NULL, &iid);
    *id = (int64_t)iid;
    return st;
}

enum db_status
store_opening_set(struct dbconn *c, int64_t id, const char *state, int64_t completed_us,
                  const uint8_t *private_key)
{
    struct dbv p[] = {DBV_STR(state), completed_us ? DBV_INT(completed_us) : DBV_NUL,
                      private_key ? DBV_BLOB(private_key, 32) : DBV_NUL, DBV_INT(id)};
    return db_exec(c, sql_opening_set, p, ARRAY_LEN(p), NULL, NULL);
}

enum db_status
store_opening_runner(struct dbconn *c, int64_t id, const uint8_t *token, int64_t until_us)
{
    struct dbv p[] = {token ? DBV_BLOB(token, OPENING_TOKEN_LEN) : DBV_NUL,
                      token ? DBV_INT(until_us) : DBV_NUL, DBV_INT(id)};
    return db_exec(c, sql_opening_runner, p, ARRAY_LEN(p), NULL, NULL);
}

enum db_status
store_share_insert(struct dbconn *c, int64_t opening, int x, int64_t user, const uint8_t y[32],
                   int64_t now)
{
    struct dbv p[] = {DBV_INT(opening), DBV_INT(x), DBV_INT(user), DBV_BLOB(y, 32), DBV_INT(now)};
    return db_exec(c, sql_sub_ins, p, ARRAY_LEN(p), NULL, NULL);
}

enum db_status
store_shares_in(struct dbconn *c, int64_t opening, struct dbres *out)
{
    struct dbv p[] = {DBV_INT(opening)};
    return db_query(c, sql_subs, p, 1, out);
}

enum db_status
store_objection_insert(struct dbconn *c, int64_t opening, int64_t org, int64_t user,
                       const char *text, int64_t now, int64_t *id)
{
    struct dbv p[] = {DBV_INT(opening), DBV_INT(org), DBV_INT(user), DBV_STR(text), DBV_INT(now)};
    uint64_t iid = 0;
    enum db_status st = db_exec(c, sql_obj_ins, p, ARRAY_LEN(p), NULL, &iid);
    *id = (int64_t)iid;
    return st;
}

enum db_status
store_objections(struct dbconn *c, int64_t opening, struct dbres *out)
{
    struct dbv p[] = {DBV_INT(opening)};
    return db_query(c, sql_obj_list, p, 1, out);
}

enum db_status
store_objection_answer(struct dbconn *c, int64_t opening, int64_t id, const char *answer,
                       int64_t by, int64_t now, bool *done)
{
    struct dbv p[] = {DBV_STR(answer), DBV_INT(by), DBV_INT(now), DBV_INT(id), DBV_INT(opening)};
    uint64_t n = 0;
    enum db_status st = db_exec(c, sql_obj_answer, p, ARRAY_LEN(p), &n, NULL);
    *done = n == 1;
    return st;
}

cJSON *
bids_opening_keys(struct dbconn *c, int64_t project_id, enum db_status *st)
{
    static const char sql[] =
        "SELECT " KEY_LIST_COLS(DB_COL_SQL) DB_COL_END " FROM opening_keys WHERE "
                                                       "project_id = ? ORDER BY lot_seq";
    struct dbv p[] = {DBV_INT(project_id)};
    struct dbres r;
    cJSON *arr = NULL;
    *st = db_query(c, sql, p, 1, &r);
    for (size_t i = 0; *st == DB_OK && i < r.nrows; i++) {
        char hex[131];
        if (!arr)
            arr = cJSON_CreateArray();
        cJSON *o = cJSON_CreateObject();
        json_add_i64(o, "lot", dbres_i64(&r, i, KL_LOT));
        cJSON_AddStringToObject(o, "key_id", dbres_str(&r, i, KL_KEY_ID));
        hex_encode((const uint8_t *)dbres_str(&r, i, KL_PUBLIC), 65, hex);
        cJSON_AddStringToObject(o, "public_key", hex);
        cJSON_AddItemToArray(arr, o);
    }
    dbres_free(&r);
    return arr;
}

enum db_status
bids_lot_without_key(struct dbconn *c, int64_t project_id, int64_t *lot)
{
    static const char sql[] = "SELECT lot_seq FROM opening_keys WHERE project_id = ?";
    struct dbv p[] = {DBV_INT(project_id)};
    struct dbres lots = {0}, keys = {0};
    *lot = 0;
    enum db_status st = entry_lots(c, project_id, &lots);
    if (st == DB_OK)
        st = db_query(c, sql, p, 1, &keys);
    for (size_t i = 0; st == DB_OK && i < lots.nrows && !*lot; i++) {
        bool has = false;
        for (size_t k = 0; k < keys.nrows && !has; k++)
            has = dbres_i64(&keys, k, DB_VALUE) == dbres_i64(&lots, i, LC_SEQ);
        if (!has)
            *lot = dbres_i64(&lots, i, LC_SEQ);
    }
    dbres_free(&lots);
    dbres_free(&keys);
    return st;
}

enum db_status
bids_opening_started(struct dbconn *c, int64_t project_id, bool *started)
{
    static const char sql[] = "SELECT COUNT(*) FROM openings WHERE project_id = ?";
    struct dbv p[] = {DBV_INT(project_id)};
    struct dbres r;
    enum db_status st = db_query(c, sql, p, 1, &r);
    *started = st == DB_OK && r.nrows == 1 && dbres_i64(&r, 0, DB_VALUE) > 0;
    dbres_free(&r);
    return st;
}

/* The state of each lot's opening (NULL before it starts), lots in order. */
static const char *
lot_opening_state(const struct dbres *states, int64_t lot)
{
    for (size_t k = 0; k < states->nrows; k++)
        if (dbres_i64(states, k, LS_LOT) == lot)
            return dbres_str(states, k, LS_STATE);
    return NULL;
}

enum db_status
bids_all_opened(struct dbconn *c, int64_t project_id, bool *ready, char *why, size_t whylen)
{
    static const char sql[] =
        "SELECT " LOT_STATE_COLS(DB_COL_SQL) DB_COL_END " FROM openings WHERE project_id = ?";
    struct dbv p[] = {DBV_INT(project_id)};
    struct dbres lots = {0}, states = {0};
    enum db_status st = entry_lots(c, project_id, &lots);
    if (st == DB_OK)
        st = db_query(c, sql, p, 1, &states);
    *ready = false;
    if (st == DB_OK) {
        size_t opened = 0, i;
        for (i = 0; i < lots.nrows; i++) {
            int64_t lot = dbres_i64(&lots, i, LC_SEQ);
            const char *os = lot_opening_state(&states, lot);
            if (!os || (strcmp(os, "opened") && strcmp(os, "failed"))) {
                snprintf(why, whylen, "the opening of lot %lld %s", (long long)lot,
                         os ? "has not ended" : "has not started");
                break;
            }
            opened += !strcmp(os, "opened");
        }
        if (i == lots.nrows && opened == 0)
            snprintf(why, whylen, "no lot was opened: every one failed");
        *ready = i == lots.nrows && opened > 0;
    }
    dbres_free(&lots);
    dbres_free(&states);
    return st;
}

enum db_status
store_openings_failed(struct dbconn *c, int64_t project, struct dbres *out)
{
    static const char sql[] =
        "SELECT lot_seq FROM openings WHERE project_id = ? AND state = 'failed'";
    struct dbv p[] = {DBV_INT(project)};
    return db_query(c, sql, p, 1, out);
}

enum db_status
store_openings_stalled(struct dbconn *c, int64_t before, struct dbres *out)
{
    static const char sql[] = "SELECT " STALLED_COLS(DB_COL_SQL) DB_COL_END
        " FROM openings WHERE state = 'opening' AND (runner IS NULL OR "
        "runner_until_us < ?) ORDER BY id LIMIT 100";
    struct dbv p[] = {DBV_INT(before)};
    return db_query(c, sql, p, 1, out);
}

const char store_sql_bid_index[] = "UPDATE bids SET audit_index = ? WHERE id = ?";

enum db_status
bids_standing(struct dbconn *c, int64_t project, int64_t lot, int64_t org, struct bid_standing *s)
{
    static const char sql[] = "SELECT state, state_us, open_status, open_class FROM bids WHERE "
                              "project_id = ? AND lot_seq = ? AND bidder_org_id = ? "
                              "ORDER BY revision DESC LIMIT 1";
    enum { S_STATE, S_STATE_US, S_OPEN, S_CLASS };
    struct dbv p[] = {DBV_INT(project), DBV_INT(lot), DBV_INT(org)};
    struct dbres r;
    enum db_status st = db_query(c, sql, p, ARRAY_LEN(p), &r);
    memset(s, 0, sizeof *s);
    if (st == DB_OK && r.nrows == 1) {
        s->any = true;
        s->current = !strcmp(dbres_str(&r, 0, S_STATE), "current");
        s->withdrawn_us = s->current ? 0 : dbres_i64(&r, 0, S_STATE_US);
        s->opened = dbres_str(&r, 0, S_OPEN) && !strcmp(dbres_str(&r, 0, S_OPEN), "opened");
        snprintf(s->open_class, sizeof s->open_class, "%s",
                 dbres_str(&r, 0, S_CLASS) ? dbres_str(&r, 0, S_CLASS) : "");
    }
    dbres_free(&r);
    return st;
}

#define OPENED_COLS(X)                                                                             \
    X(OL_ID, "b.id")                                                                               \
    X(OL_ORG, "b.bidder_org_id")                                                                   \
    X(OL_PRICE, "b.price_fen")                                                                     \
    X(OL_RECEIVED, "b.received_us")                                                                \
    X(OL_SHA, "HEX(b.envelope_sha256)")                                                            \
    X(OL_CLIENT, "b.client_address")
enum { OPENED_COLS(DB_COL_ENUM) OL__COUNT };

enum db_status
bids_opened_lot(struct dbconn *c, int64_t project, int64_t lot, bool *opened,
                struct bid_opened **out, size_t *n)
{
    static const char sql_state[] =
        "SELECT state FROM openings WHERE project_id = ? AND lot_seq = ?";
    static const char sql[] = "SELECT " OPENED_COLS(DB_COL_SQL) DB_COL_END
        " FROM bids b WHERE b.project_id = ? AND b.lot_seq = ? AND b.state = 'current' AND "
        "b.open_status = 'opened' AND b.price_fen IS NOT NULL ORDER BY b.received_us, b.id";
    struct dbv p[] = {DBV_INT(project), DBV_INT(lot)};
    struct dbres r = {0};
    *opened = false;
    *out = NULL;
    *n = 0;
    enum db_status st = db_query(c, sql_state, p, 2, &r);
    if (st != DB_OK || r.nrows != 1 || strcmp(dbres_str(&r, 0, DB_VALUE), "opened")) {
        dbres_free(&r);
        return st;
    }
    dbres_free(&r);
    *opened = true;
    if ((st = db_query(c, sql, p, 2, &r)) == DB_OK && r.nrows) {
        if (!(*out = calloc(r.nrows, sizeof **out))) {
            dbres_free(&r);
            return DB_ERROR;
        }
        for (size_t i = 0; i < r.nrows; i++) {
            struct bid_opened *b = &(*out)[i];
            b->bid_id = dbres_i64(&r, i, OL_ID);
            b->org_id = dbres_i64(&r, i, OL_ORG);
            b->price_fen = dbres_i64(&r, i, OL_PRICE);
            b->received_us = dbres_i64(&r, i, OL_RECEIVED);
            snprintf(b->sha256, sizeof b->sha256, "%s", dbres_str(&r, i, OL_SHA));
            snprintf(b->client, sizeof b->client, "%s",
                     dbres_str(&r, i, OL_CLIENT) ? dbres_str(&r, i, OL_CLIENT) : "");
            for (char *h = b->sha256; *h; h++)
                if (*h >= 'A' && *h <= 'F')
                    *h = (char)(*h - 'A' + 'a');
        }
        *n = r.nrows;
    }
    dbres_free(&r);
    return st;
}
