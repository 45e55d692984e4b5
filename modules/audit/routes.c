/*
 * routes.c — the audit module's route rows and handlers: the verifier key, checkpoints (with
 * supervisors' cosignatures), entries, inclusion and consistency proofs, project timelines.
 * Checkpoints, the key and consistency proofs are public, so anyone can watch the log grow;
 * entries need a login and are filtered by rules.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "accounts/accounts.h"
#include "audit.h"
#include "internal.h"
#include "checkpoint.h"
#include "logwatch.h"
#include "crypto.h"
#include "merkle.h"
#include "note.h"
#include "store.h"

/* ---- views ---- */

static void
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
static cJSON *
checkpoint_json(struct dbconn *c, const struct dbres *r, size_t i)
{
    uint64_t size = (uint64_t)dbres_i64(r, i, 0);
    cJSON *o = cJSON_CreateObject();
    json_add_i64(o, "size", size);
    add_b64(o, "root", dbres_str(r, i, 1), 32);
    json_add_time(o, "signed_at", dbres_i64(r, i, 2));
    cJSON_AddStringToObject(o, "kind", dbres_str(r, i, 3));
    struct dbres cs = {0};
    struct buf note = {0};
    buf_puts(&note, dbres_str(r, i, 4));
    cJSON *arr = cJSON_AddArrayToObject(o, "cosignatures");
    if (store_cosignatures(c, size, &cs) == DB_OK)
        for (size_t k = 0; k < cs.nrows; k++) {
            cJSON *x = cJSON_CreateObject();
            json_add_i64(x, "user_id", dbres_i64(&cs, k, 0));
            cJSON_AddStringToObject(x, "key_id", dbres_str(&cs, k, 1));
            cJSON_AddStringToObject(x, "line", dbres_str(&cs, k, 2));
            json_add_time(x, "signed_at", dbres_i64(&cs, k, 3));
            cJSON_AddItemToArray(arr, x);
            buf_puts(&note, dbres_str(&cs, k, 2));
        }
    cJSON_AddStringToObject(o, "note", note.p ? note.p : "");
    buf_free(&note);
    dbres_free(&cs);
    return o;
}

/* A checkpoint in a list (req_page_reply's shape). */
static cJSON *
checkpoint_row(void *c, const struct dbres *r, size_t i)
{
    return checkpoint_json(c, r, i);
}

static bool
visible(const struct req *r, const struct dbres *e, size_t i)
{
    return audit_rule_visible(&r->who, dbres_str(e, i, 3) ? dbres_i64(e, i, 3) : 0,
                              dbres_str(e, i, 4), dbres_i64(e, i, 5));
}

/* An entry row as a caller may see it. Every index is served, so anyone can rebuild the tree:
 * an entry the caller may not see comes as its index and leaf hash only; one with withheld
 * fields comes without its bytes, redacted. *withheld_seen tells that a supervisor's response
 * holds fields others do not see. */
static cJSON *
entry_json(const struct req *r, const struct dbres *e, size_t i, bool *withheld_seen)
{
    cJSON *o = cJSON_CreateObject();
    const char *action = dbres_str(e, i, 2);
    json_add_i64(o, "index", dbres_i64(e, i, 0));
    add_b64(o, "leaf_hash", dbres_str(e, i, 8), 32);
    if (!visible(r, e, i)) {
        cJSON_AddNullToObject(o, "entry");
        return o;
    }
    json_add_time(o, "time", dbres_i64(e, i, 1));
    cJSON_AddStringToObject(o, "action", action);
    const char *const *fields = audit_rule_withheld(action);
    size_t len = e->len[i * e->ncols + 7];
    /* only an entry that holds a withheld field is withheld (older auth.login_failed entries
     * kept the typed username; newer ones keep none) */
    cJSON *parsed = fields ? cJSON_ParseWithLength(dbres_str(e, i, 7), len) : NULL;
    bool holds = parsed && audit_rule_redact(parsed, fields);
    if (holds && r->who.role != ROLE_SUPERVISOR) {
        /* Served without its bytes; the leaf hash (which proofs cover) still verifies. */
        cJSON_AddNullToObject(o, "entry");
        cJSON_AddItemToObject(o, "redacted", parsed);
        parsed = NULL;
    } else {
        if (holds)
            *withheld_seen = true;
        add_b64(o, "entry", dbres_str(e, i, 7), len);
    }
    cJSON_Delete(parsed);
    return o;
}

static bool
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
static void
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

/* ---- handlers ---- */

static void
vkey_get(struct req *r, const cJSON *body)
{
    (void)body;
    struct dbconn *c = req_db(r);
    if (!c)
        return;
    struct dbres k;
    enum db_status st = store_vkeys(c, &k);
    if (st != DB_OK) {
        req_db_fail(r, c, st);
        return;
    }
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "origin", checkpoint_origin());
    cJSON_AddStringToObject(o, "vkey", checkpoint_vkey());
    cJSON *all = cJSON_AddArrayToObject(o, "all_vkeys");
    for (size_t i = 0; i < k.nrows; i++)
        cJSON_AddItemToArray(all, cJSON_CreateString(dbres_str(&k, i, 0)));
    dbres_free(&k);
    req_json(r, 200, o);
}

static void
checkpoint_get(struct req *r, const cJSON *body)
{
    (void)body;
    uint64_t at_least = 0;
    if (!query_u64(r, "at_least", &at_least, false, 0))
        return;
    struct dbconn *c = req_db(r);
    if (!c)
        return;
    struct dbres res;
    enum db_status st = req_query(r, "at_least") ? store_checkpoint_at_least(c, at_least, &res)
                                                 : store_checkpoint_latest(c, &res);
    reply_checkpoint(r, c, &res, st);
}

static void
checkpoint_by_size(struct req *r, const cJSON *body)
{
    (void)body;
    int64_t size;
    const char *v = req_param(r, "size");
    if (!v || !parse_i64(v, 0, INT64_MAX, &size)) {
        req_error(r, E_NOT_FOUND, "no such checkpoint");
        return;
    }
    struct dbconn *c = req_db(r);
    if (!c)
        return;
    struct dbres res;
    enum db_status st = store_checkpoint_get(c, (uint64_t)size, &res);
    reply_checkpoint(r, c, &res, st);
}

static void
checkpoint_list(struct req *r, const cJSON *body)
{
    (void)body;
    int64_t after, limit;
    if (!req_page(r, &after, &limit, 100, 1000))
        return;
    struct dbconn *c = req_db(r);
    if (!c)
        return;
    struct dbres res;
    enum db_status st = store_checkpoint_list(c, (uint64_t)after, limit, &res);
    if (st != DB_OK) {
        req_db_fail(r, c, st);
        return;
    }
    req_page_reply(r, &res, limit, "next_after", 0, checkpoint_row, c);
    dbres_free(&res);
}

static void
checkpoint_request_now(struct req *r, const cJSON *body)
{
    (void)body;
    char why[400];
    if (!logwatch_ok(why, sizeof why)) { /* nothing is signed once the log failed its check */
        req_error(r, E_LOG_ALTERED,
                  "no checkpoint is signed: the audit log failed its self-check: %s", why);
        return;
    }
    struct dbconn *c = req_db(r);
    if (!c)
        return;
    /* Everything committed before this request is sequenced first, then signed. */
    int64_t last_qid;
    enum db_status st = store_last_qid(c, &last_qid);
    for (int waited = 0; st == DB_OK; waited += 2) {
        int64_t pending;
        st = store_pending_upto(c, last_qid, &pending);
        if (st != DB_OK || pending == 0)
            break;
        if (waited > 5000) {
            req_error(r, E_DB_UNAVAILABLE, "the log is behind; retry");
            return;
        }
        audit_kick();
        struct timespec ts = {0, 2000000L};
        nanosleep(&ts, NULL);
    }
    uint64_t size;
    if (st == DB_OK)
        st = store_tree_size(c, &size);
    if (st != DB_OK) {
        req_db_fail(r, c, st);
        return;
    }
    checkpoint_request();
    /* The sequencer signs on its next pass: wait for a checkpoint covering today's tree. */
    for (int waited = 0; waited < 5000; waited += 5) {
        struct dbres res;
        st = store_checkpoint_at_least(c, size, &res);
        if (st != DB_OK || res.nrows > 0) {
            reply_checkpoint(r, c, &res, st);
            return;
        }
        dbres_free(&res);
        if (!logwatch_ok(why, sizeof why)) {
            req_error(r, E_LOG_ALTERED,
                      "no checkpoint is signed: the audit log failed its self-check: %s", why);
            return;
        }
        struct timespec ts = {0, 5000000L};
        nanosleep(&ts, NULL);
    }
    req_error(r, E_DB_UNAVAILABLE, "no checkpoint was signed within 5 seconds; retry");
}

struct cosign_ctx {
    uint64_t size;
    char key_id[65];
    char line[600];
    cJSON *signer; /* the certified key (accounts_signed_json's signer): the caller frees */
};

static enum tx_result
cosign_tx(struct dbconn *c, struct req *r, void *arg)
{
    struct cosign_ctx *x = arg;
    uint64_t last;
    if (store_cosigned_max(c, r->who.user_id, &last) != DB_OK)
        return TX_DBFAIL;
    if (last > x->size) {
        req_rule(r, "AUD-COSIGN-BACKWARDS",
                 "you already cosigned a checkpoint of size %llu; cosign newer ones only",
                 (unsigned long long)last);
        return TX_REFUSE;
    }
    enum db_status st =
        store_cosignature_insert(c, x->size, r->who.user_id, x->key_id, x->line, clock_now_us());
    if (st == DB_DUPLICATE) {
        req_error(r, E_CONFLICT, "you already cosigned this checkpoint");
        return TX_REFUSE;
    }
    cJSON *p = cJSON_CreateObject();
    cJSON_AddStringToObject(p, "key_id", x->key_id);
    json_add_i64(p, "size", x->size);
    cJSON_AddStringToObject(p, "line", x->line);
    if (x->signer)
        cJSON_AddItemReferenceToObject(p, "signer", x->signer);
    if (st != DB_OK) {
        cJSON_Delete(p);
        return TX_DBFAIL;
    }
    if (audit_append(c, req_actor(r), "audit.cosign", "checkpoint", (int64_t)x->size, 0, p, NULL) !=
        DB_OK)
        return TX_DBFAIL;
    struct dbres cp = {0};
    if (store_checkpoint_get(c, x->size, &cp) != DB_OK)
        return TX_DBFAIL;
    req_json(r, 201, checkpoint_json(c, &cp, 0));
    dbres_free(&cp);
    return TX_COMMIT;
}

static void
cosign(struct req *r, const cJSON *body)
{
    struct cosign_ctx x = {0};
    int64_t size;
    const char *v = req_param(r, "size");
    if (!v || !parse_i64(v, 1, INT64_MAX, &size)) {
        req_error(r, E_NOT_FOUND, "no such checkpoint");
        return;
    }
    x.size = (uint64_t)size;
    struct dbconn *c = req_db(r);
    if (!c)
        return;
    struct dbres cp;
    enum db_status st = store_checkpoint_get(c, x.size, &cp);
    if (st != DB_OK || cp.nrows == 0) {
        if (st != DB_OK)
            req_db_fail(r, c, st);
        else
            req_error(r, E_NOT_FOUND, "no checkpoint of size %lld", (long long)size);
        dbres_free(&cp);
        return;
    }
    struct checkpoint_note n;
    char why[120];
    const char *note = dbres_str(&cp, 0, 4);
    bool parsed = note_parse(note, strlen(note), &n, why, sizeof why);
    const char *sig64 = json_str(body, "signature");
    uint8_t raw[4 + 160];
    long rawlen = b64_decode(sig64, strlen(sig64), raw, sizeof raw);
    uint8_t *der = NULL;
    size_t der_len = 0;
    bool found = false;
    if (!parsed || rawlen < 8) {
        dbres_free(&cp);
        cJSON *d = cJSON_CreateObject();
        cJSON_AddStringToObject(d, "field", "signature");
        req_error_x(r, E_INVALID_FIELD, d, "signature must be base64(key id || DER signature)");
        return;
    }
    st = accounts_find_key(c, r->who.user_id, raw, &der, &der_len, x.key_id, &found);
    if (st != DB_OK) {
        dbres_free(&cp);
        req_db_fail(r, c, st);
        return;
    }
    free(der);
    /* the key must be certified for the supervision side, re-verified now */
    struct signing_key k;
    char kwhy[400];
    const char *rule = found ? accounts_signing_key(c, r->who.user_id, x.key_id, clock_now_us(), &k,
                                                    kwhy, sizeof kwhy, &st)
                             : "KEY-UNKNOWN";
    if (found && st != DB_OK) {
        dbres_free(&cp);
        req_db_fail(r, c, st);
        return;
    }
    if (rule && strcmp(rule, "KEY-UNKNOWN")) {
        dbres_free(&cp);
        req_rule(r, rule, "the cosigning key: %s", kwhy);
        return;
    }
    bool ok = !rule && note_ecdsa_verify(k.info.spki, k.info.spki_len, note, n.text_len, raw + 4,
                                         (size_t)rawlen - 4);
    if (!rule) {
        cJSON *f = cJSON_CreateObject();
        cJSON *sg = accounts_signed_json(&k, NULL, f, "");
        x.signer = cJSON_DetachItemFromObjectCaseSensitive(sg, "signer");
        cJSON_Delete(sg);
        cJSON_Delete(f);
        accounts_signing_key_free(&k);
    }
    dbres_free(&cp);
    if (!ok) {
        cJSON_Delete(x.signer);
        req_rule(r, "AUD-COSIGN-SIGNATURE",
                 !rule ? "the signature does not verify over the checkpoint's text"
                       : "no live registered key of yours has this key id");
        return;
    }
    /* The signed-note line, under the name the supervisor is known by in this log. */
    snprintf(x.line, sizeof x.line, "\xE2\x80\x94 %s/witness/%s %s\n", checkpoint_origin(),
             r->who.username, sig64);
    req_tx(r, cosign_tx, &x);
    cJSON_Delete(x.signer);
}

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

static void
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
    enum db_status st = store_entries(c, from, limit, &e);
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
        json_add_i64(o, "next_from", (dbres_i64(&e, e.nrows - 1, 0) + 1));
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
    if (c && (st = store_tree_size(c, tree)) != DB_OK) {
        req_db_fail(r, c, st);
        return NULL;
    }
    return c;
}

static void
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

static void
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

static void
timeline(struct req *r, const cJSON *body)
{
    (void)body;
    int64_t pid;
    struct dbconn *c = req_db_for(r, "id", &pid);
    if (!c)
        return;
    struct dbres cp, e = {0};
    enum db_status st = store_checkpoint_latest(c, &cp);
    if (st != DB_OK || cp.nrows == 0) {
        if (st != DB_OK)
            req_db_fail(r, c, st);
        else
            req_error(r, E_NOT_FOUND, "no checkpoint has been signed yet");
        dbres_free(&cp);
        return;
    }
    uint64_t size = (uint64_t)dbres_i64(&cp, 0, 0);
    st = store_project_entries(c, pid, size, &e);
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
    for (size_t i = 0; i < e.nrows; i++) {
        if (!visible(r, &e, i))
            continue;
        cJSON *x = entry_json(r, &e, i, &withheld_seen);
        cJSON *arr = audit_proof_json(c, (uint64_t)dbres_i64(&e, i, 0), size);
        cJSON_AddItemToObject(x, "proof", arr ? arr : cJSON_CreateArray());
        cJSON_AddItemToArray(items, x);
    }
    struct read_ctx rx = {"project_timeline", pid, 0, (int64_t)e.nrows};
    dbres_free(&cp);
    dbres_free(&e);
    reply_logged(r, o, withheld_seen, &rx);
}

static void
test_deadline(struct req *r, const cJSON *body)
{
    struct dbconn *c = req_db(r);
    if (!c)
        return;
    enum db_status st =
        checkpoint_schedule(c, json_i64(body, "deadline_us", 0), json_i64(body, "project_id", 0),
                            json_str(body, "label"));
    if (st != DB_OK) {
        req_db_fail(r, c, st);
        return;
    }
    req_empty(r, 204);
}

struct raw_ctx {
    const cJSON *body;
    struct audit_ref ref; /* filled after the commit: it must outlive the transaction */
};

static enum tx_result
test_entry_tx(struct dbconn *c, struct req *r, void *arg)
{
    struct raw_ctx *x = arg;
    const cJSON *b = x->body;
    const cJSON *p = cJSON_GetObjectItemCaseSensitive(b, "payload");
    /* as a bug or a DBA's queued row would: an entry claimed by a system job */
    struct actor sys = {.role = "system", .name = json_str(b, "system_actor")};
    if (audit_append(c, sys.name ? &sys : req_actor(r), json_str(b, "action"),
                     json_str(b, "object_type"), json_i64(b, "object_id", 0),
                     json_i64(b, "project_id", 0), p ? cJSON_Duplicate(p, true) : NULL,
                     &x->ref) != DB_OK)
        return TX_DBFAIL;
    req_empty(r, 201);
    return TX_COMMIT;
}

static void
test_entry(struct req *r, const cJSON *body)
{
    struct raw_ctx x = {.body = body};
    req_tx(r, test_entry_tx, &x);
}

static const struct field raw_entry_schema[] = {
    {"action", F_STRING, true, 1, 64, NULL},
    {"object_type", F_STRING, true, 1, 32, NULL},
    {"object_id", F_INT, true, 0, INT64_C(9007199254740991), NULL},
    {"project_id", F_INT, false, 1, INT64_C(9007199254740991), NULL},
    {"payload", F_OBJECT, false, 0, 0, NULL},
    {"system_actor", F_STRING, false, 1, 64, NULL},
    {NULL},
};

static const struct field cosign_schema[] = {
    {"signature", F_STRING, true, 8, 400, NULL},
    {NULL},
};
static const struct field deadline_schema[] = {
    {"deadline_us", F_INT, true, 0, INT64_C(9007199254740991), NULL},
    {"label", F_STRING, true, 1, 200, NULL},
    {"project_id", F_INT, false, 1, INT64_C(9007199254740991), NULL},
    {NULL},
};

static const struct route routes[] = {
    {"GET", "/api/v1/audit/vkey", vkey_get, ROLE_PUBLIC, 0, NULL, 0},
    {"GET", "/api/v1/audit/checkpoint", checkpoint_get, ROLE_PUBLIC, 0, NULL, 0},
    {"GET", "/api/v1/audit/checkpoints", checkpoint_list, ROLE_PUBLIC, 0, NULL, 0},
    {"POST", "/api/v1/audit/checkpoints", checkpoint_request_now,
     ROLE_SUPERVISOR | ROLE_CENTER_ADMIN, 0, NULL, 0},
    {"GET", "/api/v1/audit/checkpoints/{size}", checkpoint_by_size, ROLE_PUBLIC, 0, NULL, 0},
    {"POST", "/api/v1/audit/checkpoints/{size}/cosignatures", cosign, ROLE_SUPERVISOR, 1024,
     cosign_schema, ROUTE_CREATES},
    {"GET", "/api/v1/audit/entries", entries_get, ROLES_USER, 0, NULL, 0},
    {"GET", "/api/v1/audit/proofs/inclusion", inclusion_proof, ROLES_USER, 0, NULL, 0},
    {"GET", "/api/v1/audit/proofs/consistency", consistency_proof, ROLE_PUBLIC, 0, NULL, 0},
    {"GET", "/api/v1/audit/projects/{id}/timeline", timeline, ROLES_USER, 0, NULL, 0},
    {"POST", "/api/v1/test/audit/deadlines", test_deadline, ROLE_PUBLIC, 512, deadline_schema,
     ROUTE_TEST_ONLY},
    {"POST", "/api/v1/test/audit/entries", test_entry, ROLES_USER, 16384, raw_entry_schema,
     ROUTE_TEST_ONLY},
};

static bool
audit_init(const struct config *cfg)
{
    /* the trust anchors in force belong to every project's timeline (the replay checks each
     * signature against the anchors published before it) */
    static const char sql_global[] =
        "INSERT IGNORE INTO audit_global (idx, object_id) VALUES (?, ?)";
    (void)cfg;
    audit_on_sequenced("trust.anchors", sql_global);
    return true;
}

static const char *const rule_codes[] = {
    "AUD-COSIGN-BACKWARDS",
    "AUD-COSIGN-SIGNATURE",
    NULL,
};

const struct module audit_module = {
    .name = "audit",
    .rule_codes = rule_codes,
    .routes = routes,
    .nroutes = ARRAY_LEN(routes),
    .init = audit_init,
};
