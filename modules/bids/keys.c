/*
 * keys.c — a lot's opening key (the time lock, docs/envelope.md §5): made with its custodians'
 * sealed shares by the agent or the center, read by anyone, and each custodian's own share.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include "accounts/accounts.h"
#include "announce/announce.h"
#include "audit.h"
#include "bids.h"
#include "crypto.h"
#include "entry/entry.h"
#include "envelope.h"
#include "envstore.h"
#include "internal.h"
#include "store.h"
#include "timelock.h"
#include "util.h"

void
bids_add_hex(cJSON *o, const char *key, const void *bytes, size_t n)
{
    char hex[2 * 1040 + 1];
    if (n > 1040)
        n = 0; /* never: the columns hold at most 1040 bytes */
    hex_encode(bytes, n, hex);
    if (o->type == cJSON_Array)
        cJSON_AddItemToArray(o, cJSON_CreateString(hex));
    else
        cJSON_AddStringToObject(o, key, hex);
}

/* The public view of a lot's opening key (one row of store_opening_get, its shares), with the
 * project's code and each custodian's role as their modules (entry, accounts) say; NULL with *st
 * on a database failure. */
static cJSON *
key_json(struct dbconn *c, int64_t project, int64_t lot, const struct dbres *k,
         const struct dbres *s, enum db_status *st)
{
    struct project_view pv;
    bool found = false;
    if ((*st = entry_project(c, project, false, &pv, &found)) != DB_OK)
        return NULL;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "platform", bids_cfg->platform_id);
    if (found && pv.code[0]) /* what a signed step of the opening binds (docs/envelope.md §9.1) */
        cJSON_AddStringToObject(o, "project_code", pv.code);
    json_add_i64(o, "project_id", project);
    json_add_i64(o, "lot", lot);
    cJSON_AddStringToObject(o, "key_id", dbres_str(k, 0, OK_KEY_ID));
    bids_add_hex(o, "public_key", dbres_str(k, 0, OK_PUBLIC), dbres_len(k, 0, OK_PUBLIC));
    cJSON_AddStringToObject(o, "suite", "HPKE(DHKEM-P256-HKDF-SHA256,HKDF-SHA256,AES-256-GCM)");
    json_add_i64(o, "threshold", dbres_i64(k, 0, OK_THRESHOLD));
    cJSON *cm = cJSON_AddArrayToObject(o, "commitments");
    const char *cms = dbres_str(k, 0, OK_COMMITMENTS);
    for (size_t off = 0; off + 65 <= dbres_len(k, 0, OK_COMMITMENTS); off += 65)
        bids_add_hex(cm, NULL, cms + off, 65);
    cJSON *cu = cJSON_AddArrayToObject(o, "custodians");
    for (size_t i = 0; i < s->nrows; i++) {
        cJSON *e = cJSON_CreateObject();
        json_add_i64(e, "x", dbres_i64(s, i, SH_X));
        json_add_i64(e, "user_id", dbres_i64(s, i, SH_USER));
        char role[24];
        if ((*st = accounts_user_role(c, dbres_i64(s, i, SH_USER), role, &found)) != DB_OK) {
            cJSON_Delete(e);
            cJSON_Delete(o);
            return NULL;
        }
        cJSON_AddStringToObject(e, "role", role);
        cJSON_AddStringToObject(e, "key_id", dbres_str(s, i, SH_KEY_ID));
        cJSON_AddItemToArray(cu, e);
    }
    json_add_i64(o, "created_us", dbres_i64(k, 0, OK_CREATED));
    return o;
}

enum db_status
bids_load_key(struct dbconn *c, int64_t project, int64_t lot, struct dbres *k, struct dbres *s,
              bool *found)
{
    memset(s, 0, sizeof *s);
    enum db_status st = store_opening_get(c, project, lot, k);
    *found = st == DB_OK && k->nrows == 1;
    if (st == DB_OK && *found)
        st = store_opening_shares(c, dbres_i64(k, 0, OK_ID), s);
    return st;
}

/* ---- making the key ---- */

struct make_ctx {
    int64_t project, lot;
    int n, k;
    int64_t users[VSS_MAX];
    const char *key_ids[VSS_MAX];
};

/* Check each named custodian key as accounts_signing_key does (live, its owner enabled, its
 * certificate re-verified now for the owner's side and organization), that it is the user's
 * named, and that an agent custodian is of the project's own agency. Fills holders (side and
 * organization from the certificate), points, and each custodian's signer record for the audit
 * entry (signers[i], owned by the caller). */
static enum tx_result
check_custodians(struct dbconn *c, struct req *r, const struct make_ctx *x,
                 const struct project_view *p, struct tl_holder *holders, struct tl_custodian *cust,
                 cJSON **signers)
{
    int64_t now = clock_now_us();
    for (int i = 0; i < x->n; i++) {
        struct signing_key k;
        enum db_status st;
        char why[400];
        const char *rule =
            accounts_signing_key(c, x->users[i], x->key_ids[i], now, &k, why, sizeof why, &st);
        if (st != DB_OK)
            return TX_DBFAIL;
        if (rule) {
            req_rule(r, !strcmp(rule, "KEY-UNKNOWN") ? "BID-CUSTODIAN-KEY" : rule,
                     "custodian %d: %s", i + 1, why);
            return TX_REFUSE;
        }
        const char *bad = NULL;
        if (!tl_spki_point(k.info.spki, k.info.spki_len, cust[i].pk))
            bad = "is not a P-256 key: a share is sealed to it with HPKE";
        else if (k.role == ROLE_AGENT && k.org_id != p->agent_org_id)
            bad = "belongs to an agent outside the project's agency";
        holders[i].user = x->users[i];
        /* a tenderer conducting its own tender holds the tendering side's share */
        holders[i].side = (int)(k.info.side == SIDE_TENDERER ? SIDE_AGENT : k.info.side);
        snprintf(holders[i].org, sizeof holders[i].org, "%s", k.info.credit_code);
        cJSON *f = cJSON_CreateObject();
        cJSON_AddStringToObject(f, "key_id", k.key_id);
        signers[i] = bad ? NULL : accounts_signed_json(&k, NULL, f, "");
        cJSON_Delete(f);
        accounts_signing_key_free(&k);
        if (bad) {
            req_rule(r, "BID-CUSTODIAN-KEY", "custodian %d: key %s %s", i + 1, x->key_ids[i], bad);
            return TX_REFUSE;
        }
        if (!signers[i])
            return TX_DBFAIL;
    }
    return TX_COMMIT;
}

static cJSON *
make_payload(const struct make_ctx *x, const struct tl_key *k, cJSON **signers)
{
    cJSON *o = cJSON_CreateObject();
    json_add_i64(o, "lot", x->lot);
    cJSON_AddStringToObject(o, "key_id", k->key_id);
    bids_add_hex(o, "public_key", k->pk, 65);
    json_add_i64(o, "threshold", k->k);
    cJSON *cm = cJSON_AddArrayToObject(o, "commitments");
    for (int i = 0; i < k->k; i++)
        bids_add_hex(cm, NULL, k->commitments[i], 65);
    cJSON *sh = cJSON_AddArrayToObject(o, "shares");
    for (int i = 0; i < k->n; i++) {
        cJSON *e = cJSON_CreateObject();
        json_add_i64(e, "x", i + 1);
        json_add_i64(e, "user_id", x->users[i]);
        cJSON_AddStringToObject(e, "key_id", x->key_ids[i]);
        bids_add_hex(e, "enc", k->enc[i], 65);
        bids_add_hex(e, "sealed", k->sealed[i], TL_SEALED_SHARE);
        /* the custodian's certificate: the replay re-derives side and organization from it */
        cJSON *sg = cJSON_DetachItemFromObjectCaseSensitive(signers[i], "signer");
        cJSON_AddItemToObject(e, "custodian", sg);
        cJSON_AddItemToArray(sh, e);
    }
    return o;
}

static enum tx_result
make_tx(struct dbconn *c, struct req *r, void *arg)
{
    struct make_ctx *x = arg;
    struct project_view p;
    bool found;
    int64_t fen, id;
    if (entry_project(c, x->project, true, &p, &found) != DB_OK)
        return TX_DBFAIL;
    if (!found || !entry_rule_is_party(&r->who, &p)) {
        req_error(r, E_NOT_FOUND, "no project %lld", (long long)x->project);
        return TX_REFUSE;
    }
    if (entry_lot_estimate(c, x->project, (int)x->lot, &fen, &found) != DB_OK)
        return TX_DBFAIL;
    if (!found) {
        req_error(r, E_NOT_FOUND, "project %lld has no lot %lld", (long long)x->project,
                  (long long)x->lot);
        return TX_REFUSE;
    }
    if (!bids_rule_key_state_ok(p.state)) {
        req_transition_refused(
            r, p.state, "accepted",
            "an opening key is made before bidding starts (the project accepted, its tender "
            "not yet published); "
            "the project is %s",
            p.state);
        return TX_REFUSE;
    }
    struct dbres k, s;
    enum db_status st = bids_load_key(c, x->project, x->lot, &k, &s, &found);
    if (st == DB_OK && found) {
        req_error(r, E_CONFLICT, "lot %lld already has the opening key %s", (long long)x->lot,
                  dbres_str(&k, 0, OK_KEY_ID));
    }
    dbres_free(&k);
    dbres_free(&s);
    if (st != DB_OK)
        return TX_DBFAIL;
    if (found)
        return TX_REFUSE;

    struct tl_holder holders[VSS_MAX];
    struct tl_custodian cust[VSS_MAX];
    cJSON *signers[VSS_MAX] = {NULL};
    char why[200];
    enum tx_result t = check_custodians(c, r, x, &p, holders, cust, signers);
    const char *rule =
        t == TX_COMMIT ? tl_custodians_problem(holders, x->n, x->k, why, sizeof why) : NULL;
    if (rule) {
        req_rule(r, rule, "%s", why);
        t = TX_REFUSE;
    }
    struct tl_key key; /* public and sealed material only: tl_generate wiped the scalar */
    if (t == TX_COMMIT && !tl_generate(x->k, x->n, cust, &key)) {
        log_error("make_tx: opening key generation failed");
        req_error(r, E_INTERNAL, "the opening key could not be made");
        t = TX_REFUSE;
    }
    if (t == TX_COMMIT && (store_opening_insert(c, x->project, x->lot, &key, x->users, x->key_ids,
                                                r->who.user_id, clock_now_us(), &id) != DB_OK ||
                           audit_append(c, req_actor(r), "opening_key.create", "opening_key", id,
                                        x->project, make_payload(x, &key, signers), NULL) != DB_OK))
        t = TX_DBFAIL;
    for (int i = 0; i < x->n; i++)
        cJSON_Delete(signers[i]);
    if (t != TX_COMMIT)
        return t;
    if (bids_load_key(c, x->project, x->lot, &k, &s, &found) != DB_OK || !found) {
        dbres_free(&k);
        dbres_free(&s);
        return TX_DBFAIL;
    }
    enum db_status vst;
    cJSON *view = key_json(c, x->project, x->lot, &k, &s, &vst);
    dbres_free(&k);
    dbres_free(&s);
    if (!view)
        return TX_DBFAIL;
    req_json(r, 201, view);
    return TX_COMMIT;
}

void
opening_key_create(struct req *r, const cJSON *body)
{
    static const struct field custodian_schema[] = {
        {"user_id", F_INT, true, 1, INT64_C(9007199254740991), NULL},
        {"key_id", F_STRING, true, 64, 64, NULL},
        {NULL},
    };
    struct make_ctx x = {0};
    if (!req_param_id(r, "id", &x.project) || !req_param_id(r, "lot", &x.lot))
        return;
    x.k = (int)json_i64(body, "threshold", BIDS_DEFAULT_THRESHOLD);
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(body, "custodians");
    for (const cJSON *it = list ? list->child : NULL; it; it = it->next) {
        if (!json_validate(r, it, custodian_schema, "custodians[]."))
            return;
        x.users[x.n] = json_i64(it, "user_id", 0);
        x.key_ids[x.n++] = json_str(it, "key_id");
    }
    req_tx(r, make_tx, &x);
}

/* ---- reading it ---- */

/* The preamble of the two readers: the path's project and lot, the request's connection, the
 * lot's key and its shares. NULL (with the refusal set, and nothing to free) when there is
 * no such key; else the connection, and the caller frees k and s. */
static struct dbconn *
read_key(struct req *r, int64_t *project, int64_t *lot, struct dbres *k, struct dbres *s)
{
    struct dbconn *c = req_db_for(r, "id", project);
    if (!c || !req_param_id(r, "lot", lot))
        return NULL;
    bool found;
    enum db_status st = bids_load_key(c, *project, *lot, k, s, &found);
    if (st == DB_OK && found)
        return c;
    if (st != DB_OK)
        req_db_fail(r, c, st);
    else
        req_error(r, E_NOT_FOUND, "lot %lld of project %lld has no opening key", (long long)*lot,
                  (long long)*project);
    dbres_free(k);
    dbres_free(s);
    return NULL;
}

void
opening_key_get(struct req *r, const cJSON *body)
{
    (void)body;
    int64_t project, lot;
    struct dbres k, s;
    if (!read_key(r, &project, &lot, &k, &s))
        return;
    /* public once the tender announcement published it; before, only the project's parties know
     * the project and its lots exist */
    int64_t ann = 0;
    struct project_view p;
    bool found = false;
    if (announce_keys_published(req_db(r), project, &ann) != DB_OK ||
        (!ann && entry_project(req_db(r), project, false, &p, &found) != DB_OK)) {
        dbres_free(&k);
        dbres_free(&s);
        req_db_fail(r, req_db(r), DB_ERROR);
        return;
    }
    if (!ann && (!r->authed || !found || !entry_rule_is_party(&r->who, &p))) {
        dbres_free(&k);
        dbres_free(&s);
        req_error(r, E_NOT_FOUND, "lot %lld of project %lld has no opening key", (long long)lot,
                  (long long)project);
        return;
    }
    enum db_status st;
    cJSON *view = key_json(req_db(r), project, lot, &k, &s, &st);
    dbres_free(&k);
    dbres_free(&s);
    if (view)
        req_json(r, 200, view);
    else
        req_db_fail(r, req_db(r), st);
}

/* The caller's own sealed share: only ciphertext, which only their registered key opens. */
void
opening_share_mine(struct req *r, const cJSON *body)
{
    (void)body;
    int64_t project, lot;
    struct dbres k, s;
    if (!read_key(r, &project, &lot, &k, &s))
        return;
    size_t row = SIZE_MAX;
    for (size_t i = 0; i < s.nrows; i++)
        if (dbres_i64(&s, i, SH_USER) == r->who.user_id)
            row = i;
    if (row == SIZE_MAX)
        req_error(r, E_NOT_FOUND, "you hold no share of the opening key of lot %lld",
                  (long long)lot);
    else {
        enum db_status st;
        cJSON *o = key_json(req_db(r), project, lot, &k, &s, &st);
        if (!o) {
            req_db_fail(r, req_db(r), st);
            dbres_free(&k);
            dbres_free(&s);
            return;
        }
        cJSON *m = cJSON_AddObjectToObject(o, "share");
        json_add_i64(m, "x", dbres_i64(&s, row, SH_X));
        cJSON_AddStringToObject(m, "key_id", dbres_str(&s, row, SH_KEY_ID));
        bids_add_hex(m, "enc", dbres_str(&s, row, SH_ENC), dbres_len(&s, row, SH_ENC));
        bids_add_hex(m, "sealed", dbres_str(&s, row, SH_SEALED), dbres_len(&s, row, SH_SEALED));
        req_json(r, 200, o);
    }
    dbres_free(&k);
    dbres_free(&s);
}
