/*
 * views.c — the audit module's JSON views: a checkpoint with its cosignatures, an entry as the
 * caller may see it, the one place they are shaped.
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

/* ---- views ---- */

void
add_b64(cJSON *o, const char *key, const void *bytes, size_t n)
{
    char *b = malloc(4 * ((n + 2) / 3) + 1);
    if (!b)
        return;
    b64_encode(bytes, n, b);
    cJSON_AddStringToObject(o, key, b);
    free(b);
}

/* A checkpoint row with its cosignatures: the note carries them as extra signature lines. */
cJSON *
checkpoint_json(struct dbconn *c, const struct dbres *r, size_t i)
{
    uint64_t size = (uint64_t)dbres_i64(r, i, CP_SIZE);
    cJSON *o = cJSON_CreateObject();
    json_add_i64(o, "size", size);
    add_b64(o, "root", dbres_str(r, i, CP_ROOT), 32);
    json_add_time(o, "signed_at", dbres_i64(r, i, CP_SIGNED));
    cJSON_AddStringToObject(o, "kind", dbres_str(r, i, CP_KIND));
    struct dbres cs = {0};
    struct buf note = {0};
    buf_puts(&note, dbres_str(r, i, CP_NOTE));
    cJSON *arr = cJSON_AddArrayToObject(o, "cosignatures");
    if (store_cosignatures(c, size, &cs) == DB_OK)
        for (size_t k = 0; k < cs.nrows; k++) {
            cJSON *x = cJSON_CreateObject();
            json_add_i64(x, "user_id", dbres_i64(&cs, k, CS_USER));
            cJSON_AddStringToObject(x, "key_id", dbres_str(&cs, k, CS_KEY_ID));
            cJSON_AddStringToObject(x, "line", dbres_str(&cs, k, CS_LINE));
            json_add_time(x, "signed_at", dbres_i64(&cs, k, CS_SIGNED));
            cJSON_AddItemToArray(arr, x);
            buf_puts(&note, dbres_str(&cs, k, CS_LINE));
        }
    cJSON_AddStringToObject(o, "note", note.p ? note.p : "");
    buf_free(&note);
    dbres_free(&cs);
    return o;
}

/* A checkpoint in a list (req_page_reply's shape). */
cJSON *
checkpoint_row(void *c, const struct dbres *r, size_t i)
{
    return checkpoint_json(c, r, i);
}

bool
visible(const struct req *r, const struct dbres *e, size_t i)
{
    return audit_rule_visible(&r->who, dbres_str(e, i, EC_ACTOR) ? dbres_i64(e, i, EC_ACTOR) : 0,
                              dbres_str(e, i, EC_OBJ_TYPE), dbres_i64(e, i, EC_OBJ_ID));
}

/* An entry row as a caller may see it. Every index is served, so anyone can rebuild the tree:
 * an entry the caller may not see comes as its index and leaf hash only; one with withheld
 * fields comes without its bytes, redacted. *withheld_seen tells that a supervisor's response
 * holds fields others do not see. */
cJSON *
entry_json(const struct req *r, const struct dbres *e, size_t i, bool *withheld_seen)
{
    cJSON *o = cJSON_CreateObject();
    const char *action = dbres_str(e, i, EC_ACTION);
    json_add_i64(o, "index", dbres_i64(e, i, EC_IDX));
    add_b64(o, "leaf_hash", dbres_str(e, i, EC_LEAF), 32);
    if (!visible(r, e, i)) {
        cJSON_AddNullToObject(o, "entry");
        return o;
    }
    json_add_time(o, "time", dbres_i64(e, i, EC_RECORDED));
    cJSON_AddStringToObject(o, "action", action);
    const char *const *fields = audit_rule_withheld(action);
    size_t len = dbres_len(e, i, EC_ENTRY);
    /* only an entry that holds a withheld field is withheld (older auth.login_failed entries
     * kept the typed username; newer ones keep none) */
    cJSON *parsed = fields ? cJSON_ParseWithLength(dbres_str(e, i, EC_ENTRY), len) : NULL;
    bool holds = parsed && audit_rule_redact(parsed, fields);
    if (holds && r->who.role != ROLE_SUPERVISOR) {
        /* Served without its bytes; the leaf hash (which proofs cover) still verifies. */
        cJSON_AddNullToObject(o, "entry");
        cJSON_AddItemToObject(o, "redacted", parsed);
        parsed = NULL;
    } else {
        if (holds)
            *withheld_seen = true;
        add_b64(o, "entry", dbres_str(e, i, EC_ENTRY), len);
    }
    cJSON_Delete(parsed);
    return o;
}

bool
query_u64(struct req *r, const char *name, uint64_t *out, bool required, int64_t min)
{
    const char *v = req_query(r, name);
    int64_t x;
    if (!v) {
        if (required)
            req_error(r, E_BAD_REQUEST, "the query parameter %s is required", name);
        return !required;
    }
    if (!parse_i64(v, min, INT64_MAX, &x)) {
        req_error(r, E_BAD_REQUEST, "%s must be a whole number of at least %lld", name,
                  (long long)min);
        return false;
    }
    *out = (uint64_t)x;
    return true;
}

/* Answer with the one checkpoint in res (404 when res is empty). */
void
reply_checkpoint(struct req *r, struct dbconn *c, struct dbres *res, enum db_status st)
{
    if (st != DB_OK)
        req_db_fail(r, c, st);
    else if (res->nrows == 0)
        req_error(r, E_NOT_FOUND, "no such checkpoint (yet)");
    else
        req_json(r, 200, checkpoint_json(c, res, 0));
    dbres_free(res);
}
