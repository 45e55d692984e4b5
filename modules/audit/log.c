/*
 * log.c — reading the log: entries by index (withheld fields redacted for whoever may not see
 * them, audit_rule_*), inclusion and consistency proofs (RFC 6962), and a project's timeline
 * with the proofs a supervisor replays offline.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "accounts/accounts.h"
#include "audit.h"
#include "checkpoint.h"
#include "crypto.h"
#include "internal.h"
#include "logwatch.h"
#include "merkle.h"
#include "note.h"
#include "logread.h"
#include "store.h"

struct read_ctx {
    const char *what;
    int64_t id;
    int64_t from, count;
};

static enum tx_result
read_log_tx(struct dbconn *c, struct req *r, void *arg)
{
    struct read_ctx *x = arg;
    cJSON *p = cJSON_CreateObject();
    cJSON_AddStringToObject(p, "what", x->what);
    json_add_i64(p, "from", x->from);
    json_add_i64(p, "count", x->count);
    return audit_append(c, req_actor(r), "audit.read_withheld", "audit_log", x->id, 0, p, NULL) ==
                   DB_OK
               ? TX_COMMIT
               : TX_DBFAIL;
}

/* Answer with o — unless it shows fields withheld from others (a sensitive read) and that read
 * cannot be logged: no such read without its entry. */
static void
reply_logged(struct req *r, cJSON *o, bool withheld_seen, struct read_ctx *x)
{
    if (withheld_seen && !req_tx(r, read_log_tx, x)) {
        cJSON_Delete(o);
        return; /* req_tx set the refusal */
    }
    req_json(r, 200, o);
}

void
entries_get(struct req *r, const cJSON *body)
{
    (void)body;
    uint64_t from = 0;
    int64_t limit = 1000;
    const char *l = req_query(r, "limit");
    if (!query_u64(r, "from", &from, false, 0))
        return;
    if (l && !parse_i64(l, 1, 1000, &limit)) {
        req_error(r, E_BAD_REQUEST, "limit must be from 1 to 1000");
        return;
    }
    struct dbconn *c = req_db(r);
    if (!c)
        return;
    struct dbres e;
    enum db_status st = logread_entries(c, from, limit, &e);
    if (st != DB_OK) {
        req_db_fail(r, c, st);
        return;
    }
    cJSON *o = cJSON_CreateObject();
    cJSON *items = cJSON_AddArrayToObject(o, "items");
    bool withheld_seen = false;
    for (size_t i = 0; i < e.nrows; i++)
        cJSON_AddItemToArray(items, entry_json(r, &e, i, &withheld_seen));
    if ((int64_t)e.nrows == limit)
        json_add_i64(o, "next_from", (dbres_i64(&e, e.nrows - 1, EC_IDX) + 1));
    else
        cJSON_AddNullToObject(o, "next_from");
    struct read_ctx x = {"entries", (int64_t)from, (int64_t)from, (int64_t)e.nrows};
    dbres_free(&e);
    reply_logged(r, o, withheld_seen, &x);
}

/* The request's connection and the log's current size. NULL: the refusal (503) is set. */
static struct dbconn *
db_and_tree(struct req *r, uint64_t *tree)
{
    struct dbconn *c = req_db(r);
    enum db_status st;
    if (c && (st = logread_tree_size(c, tree)) != DB_OK) {
        req_db_fail(r, c, st);
        return NULL;
    }
    return c;
}

void
inclusion_proof(struct req *r, const cJSON *body)
{
    (void)body;
    uint64_t index, size;
    if (!query_u64(r, "index", &index, true, 0) || !query_u64(r, "size", &size, true, 1))
        return;
    uint64_t tree;
    struct dbconn *c = db_and_tree(r, &tree);
    if (!c)
        return;
    if (size > tree || index >= size) {
        req_error(r, E_NOT_FOUND, "no entry %llu in a tree of size %llu (the log has %llu)",
                  (unsigned long long)index, (unsigned long long)size, (unsigned long long)tree);
        return;
    }
    mhash leaf;
    cJSON *arr = audit_proof_json(c, index, size);
    if (!arr || !audit_node(c, 0, index, leaf)) {
        cJSON_Delete(arr);
        req_error(r, E_INTERNAL, "cannot build the proof");
        return;
    }
    cJSON *o = cJSON_CreateObject();
    json_add_i64(o, "index", index);
    json_add_i64(o, "size", size);
    add_b64(o, "leaf_hash", leaf, 32);
    cJSON_AddItemToObject(o, "proof", arr);
    req_json(r, 200, o);
}

void
consistency_proof(struct req *r, const cJSON *body)
{
    (void)body;
    uint64_t from, to;
    if (!query_u64(r, "from", &from, true, 1) || !query_u64(r, "to", &to, true, 1))
        return;
    uint64_t tree;
    struct dbconn *c = db_and_tree(r, &tree);
    if (!c)
        return;
    if (from > to || to > tree) {
        req_error(r, E_NOT_FOUND, "no consistency proof from %llu to %llu (the log has %llu)",
                  (unsigned long long)from, (unsigned long long)to, (unsigned long long)tree);
        return;
    }
    mhash proof[2 * MERKLE_MAX_DEPTH];
    int n = merkle_consistency_proof(audit_node, c, from, to, proof);
    if (n < 0) {
        req_error(r, E_INTERNAL, "cannot build the proof");
        return;
    }
    cJSON *o = cJSON_CreateObject();
    json_add_i64(o, "from", from);
    json_add_i64(o, "to", to);
    cJSON *arr = cJSON_AddArrayToObject(o, "proof");
    for (int i = 0; i < n; i++) {
        char b[48];
        b64_encode(proof[i], 32, b);
        cJSON_AddItemToArray(arr, cJSON_CreateString(b));
    }
    req_json(r, 200, o);
}

void
timeline(struct req *r, const cJSON *body)
{
    (void)body;
    int64_t pid;
    struct dbconn *c = req_db_for(r, "id", &pid);
    if (!c)
        return;
    struct dbres cp, e = {0};
    enum db_status st = logread_checkpoint_latest(c, &cp);
    if (st != DB_OK || cp.nrows == 0) {
        if (st != DB_OK)
            req_db_fail(r, c, st);
        else
            req_error(r, E_NOT_FOUND, "no checkpoint has been signed yet");
        dbres_free(&cp);
        return;
    }
    uint64_t size = (uint64_t)dbres_i64(&cp, 0, CP_SIZE);
    st = logread_project_entries(c, pid, size, &e);
    if (st != DB_OK) {
        dbres_free(&cp);
        req_db_fail(r, c, st);
        return;
    }
    cJSON *o = cJSON_CreateObject();
    json_add_i64(o, "project_id", pid);
    cJSON_AddItemToObject(o, "checkpoint", checkpoint_json(c, &cp, 0));
    cJSON *items = cJSON_AddArrayToObject(o, "entries");
    bool withheld_seen = false;
    int64_t omitted = 0;
    for (size_t i = 0; i < e.nrows; i++) {
        if (!visible(r, &e, i)) {
            omitted++;
            continue;
        }
        cJSON *x = entry_json(r, &e, i, &withheld_seen);
        cJSON *arr = audit_proof_json(c, (uint64_t)dbres_i64(&e, i, EC_IDX), size);
        cJSON_AddItemToObject(x, "proof", arr ? arr : cJSON_CreateArray());
        cJSON_AddItemToArray(items, x);
    }
    /* a view filtered for the caller's role says so: what it leaves out cannot be replayed
     * from it (docs/audit.md §7: the replay needs a supervisor's view) */
    cJSON_AddBoolToObject(o, "complete", omitted == 0);
    json_add_i64(o, "omitted", omitted);
    cJSON_AddStringToObject(o, "view", role_name(r->who.role));
    struct read_ctx rx = {"project_timeline", pid, 0, (int64_t)e.nrows};
    dbres_free(&cp);
    dbres_free(&e);
    reply_logged(r, o, withheld_seen, &rx);
}
