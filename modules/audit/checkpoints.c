/*
 * checkpoints.c — the log's signed checkpoints (C2SP signed notes): the verification keys, one
 * checkpoint by size or the latest, the list, a checkpoint on request, and supervisors'
 * cosignatures over them (AUD-COSIGN-*).
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

/* ---- handlers ---- */

void
vkey_get(struct req *r, const cJSON *body)
{
    (void)body;
    struct dbconn *c = req_db(r);
    if (!c)
        return;
    struct dbres k;
    enum db_status st = logread_vkeys(c, &k);
    if (st != DB_OK) {
        req_db_fail(r, c, st);
        return;
    }
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "origin", checkpoint_origin());
    cJSON_AddStringToObject(o, "vkey", checkpoint_vkey());
    cJSON *all = cJSON_AddArrayToObject(o, "all_vkeys");
    for (size_t i = 0; i < k.nrows; i++)
        cJSON_AddItemToArray(all, cJSON_CreateString(dbres_str(&k, i, VK_KEY)));
    dbres_free(&k);
    req_json(r, 200, o);
}

void
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
    enum db_status st = req_query(r, "at_least") ? logread_checkpoint_at_least(c, at_least, &res)
                                                 : logread_checkpoint_latest(c, &res);
    reply_checkpoint(r, c, &res, st);
}

void
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
    enum db_status st = logread_checkpoint_get(c, (uint64_t)size, &res);
    reply_checkpoint(r, c, &res, st);
}

void
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
    enum db_status st = logread_checkpoint_list(c, (uint64_t)after, limit, &res);
    if (st != DB_OK) {
        req_db_fail(r, c, st);
        return;
    }
    req_page_reply(r, &res, limit, "next_after", CP_SIZE, checkpoint_row, c);
    dbres_free(&res);
}

void
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
    enum db_status st = logread_last_qid(c, &last_qid);
    for (int waited = 0; st == DB_OK; waited += 2) {
        int64_t pending;
        st = logread_pending_upto(c, last_qid, &pending);
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
        st = logread_tree_size(c, &size);
    if (st != DB_OK) {
        req_db_fail(r, c, st);
        return;
    }
    checkpoint_request();
    /* The sequencer signs on its next pass: wait for a checkpoint covering today's tree. */
    for (int waited = 0; waited < 5000; waited += 5) {
        struct dbres res;
        st = logread_checkpoint_at_least(c, size, &res);
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
    if (logread_checkpoint_get(c, x->size, &cp) != DB_OK)
        return TX_DBFAIL;
    req_json(r, 201, checkpoint_json(c, &cp, 0));
    dbres_free(&cp);
    return TX_COMMIT;
}

void
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
    enum db_status st = logread_checkpoint_get(c, x.size, &cp);
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
    const char *note = dbres_str(&cp, 0, CP_NOTE);
    bool parsed = note_parse(note, strlen(note), &n, why, sizeof why);
    const char *sig64 = json_str(body, "signature");
    uint8_t raw[4 + 160];
    long rawlen = b64_decode(sig64, strlen(sig64), raw, sizeof raw);
    uint8_t *der = NULL;
    size_t der_len = 0;
    bool found = false;
    if (!parsed || rawlen < 8) {
        dbres_free(&cp);
        req_field_error(r, E_INVALID_FIELD, "signature",
                        "signature must be base64(key id || DER signature)");
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
