/*
 * routes.c — the bids module's route table, and the handlers of a lot's opening key (the time
 * lock, docs/envelope.md §7) and of the pre-flight check. Submission and receipts live in
 * submit.c, the opening ceremony in opening.c (internal.h is what the three share).
 *
 *   POST /api/v1/projects/{id}/lots/{lot}/opening-key            make it (center staff, agent)
 *   GET  /api/v1/projects/{id}/lots/{lot}/opening-key            the public key (anyone)
 *   GET  /api/v1/projects/{id}/lots/{lot}/opening-key/share      a custodian's sealed share
 *   POST /api/v1/envelopes/check                                   a bidder's pre-flight check
 *
 * Making the key is one transaction with its audit entry, whose payload carries everything a
 * custodian needs to check their share (the commitments) and even to recover it (the sealed
 * shares): the private scalar is never stored, only wiped (lib/timelock.c).
 */
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

const struct config *bids_cfg;

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

/* The public view of a lot's opening key (one row of store_opening_get, its shares). */
static cJSON *
key_json(int64_t project, int64_t lot, const struct dbres *k, const struct dbres *s)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "platform", bids_cfg->platform_id);
    if (dbres_str(k, 0, 7)) /* what a signed step of the opening binds (docs/envelope.md §9.1) */
        cJSON_AddStringToObject(o, "project_code", dbres_str(k, 0, 7));
    json_add_i64(o, "project_id", project);
    json_add_i64(o, "lot", lot);
    cJSON_AddStringToObject(o, "key_id", dbres_str(k, 0, 1));
    bids_add_hex(o, "public_key", dbres_str(k, 0, 2), k->len[2]);
    cJSON_AddStringToObject(o, "suite", "HPKE(DHKEM-P256-HKDF-SHA256,HKDF-SHA256,AES-256-GCM)");
    json_add_i64(o, "threshold", dbres_i64(k, 0, 3));
    cJSON *cm = cJSON_AddArrayToObject(o, "commitments");
    const char *c = dbres_str(k, 0, 5);
    for (size_t off = 0; off + 65 <= k->len[5]; off += 65)
        bids_add_hex(cm, NULL, c + off, 65);
    cJSON *cu = cJSON_AddArrayToObject(o, "custodians");
    for (size_t i = 0; i < s->nrows; i++) {
        cJSON *e = cJSON_CreateObject();
        json_add_i64(e, "x", dbres_i64(s, i, 0));
        json_add_i64(e, "user_id", dbres_i64(s, i, 1));
        cJSON_AddStringToObject(e, "role", dbres_str(s, i, 2));
        cJSON_AddStringToObject(e, "key_id", dbres_str(s, i, 3));
        cJSON_AddItemToArray(cu, e);
    }
    json_add_i64(o, "created_us", dbres_i64(k, 0, 6));
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
        st = store_opening_shares(c, dbres_i64(k, 0, 0), s);
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
        holders[i].side = (int)k.info.side;
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
    if (!found || !entry_is_party(&r->who, &p)) {
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
    if (!bids_key_state_ok(p.state)) {
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
                  dbres_str(&k, 0, 1));
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
    req_json(r, 201, key_json(x->project, x->lot, &k, &s));
    dbres_free(&k);
    dbres_free(&s);
    return TX_COMMIT;
}

static void
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

static void
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
    if (!ann && (!r->authed || !found || !entry_is_party(&r->who, &p))) {
        dbres_free(&k);
        dbres_free(&s);
        req_error(r, E_NOT_FOUND, "lot %lld of project %lld has no opening key", (long long)lot,
                  (long long)project);
        return;
    }
    req_json(r, 200, key_json(project, lot, &k, &s));
    dbres_free(&k);
    dbres_free(&s);
}

/* The caller's own sealed share: only ciphertext, which only their registered key opens. */
static void
opening_share_mine(struct req *r, const cJSON *body)
{
    (void)body;
    int64_t project, lot;
    struct dbres k, s;
    if (!read_key(r, &project, &lot, &k, &s))
        return;
    size_t row = SIZE_MAX;
    for (size_t i = 0; i < s.nrows; i++)
        if (dbres_i64(&s, i, 1) == r->who.user_id)
            row = i;
    if (row == SIZE_MAX)
        req_error(r, E_NOT_FOUND, "you hold no share of the opening key of lot %lld",
                  (long long)lot);
    else {
        cJSON *o = key_json(project, lot, &k, &s);
        cJSON *m = cJSON_AddObjectToObject(o, "share");
        json_add_i64(m, "x", dbres_i64(&s, row, 0));
        cJSON_AddStringToObject(m, "key_id", dbres_str(&s, row, 3));
        bids_add_hex(m, "enc", dbres_str(&s, row, 4), s.len[4]);
        bids_add_hex(m, "sealed", dbres_str(&s, row, 5), s.len[5]);
        req_json(r, 200, o);
    }
    dbres_free(&k);
    dbres_free(&s);
}

/* ---- checking an envelope before submitting it ---- */

bool
bids_length_ok(struct req *r)
{
    const char *cl = req_header(r, "Content-Length");
    int64_t declared;
    if (cl && parse_i64(cl, 0, INT64_MAX, &declared) && declared > bids_conf.max_envelope_bytes) {
        req_error(r, E_PAYLOAD_TOO_LARGE,
                  "an envelope is at most %lld bytes (bids.max_envelope_bytes)",
                  (long long)bids_conf.max_envelope_bytes);
        return false;
    }
    return true;
}

/* The body streams into an env_stream: a few KiB per upload whatever its size. */
static void *
check_open(struct req *r)
{
    if (!bids_length_ok(r))
        return NULL;
    struct env_stream *st = malloc(sizeof *st);
    if (!st || !env_stream_init(st, (uint64_t)bids_conf.max_envelope_bytes)) {
        if (st)
            env_stream_free(st);
        free(st);
        log_error("check_open: out of memory");
        req_error(r, E_INTERNAL, "the check could not be started");
        return NULL;
    }
    return st;
}

void
bids_stream_refusal(struct req *r, const struct env_stream *st)
{
    if (st->too_large)
        req_error(r, E_PAYLOAD_TOO_LARGE, "%s of %lld bytes (bids.max_envelope_bytes)", st->why,
                  (long long)bids_conf.max_envelope_bytes);
    else
        req_error(r, E_INVALID_ENVELOPE, "%s", st->why);
}

static bool
check_write(struct req *r, void *state, const void *p, size_t n)
{
    struct env_stream *st = state;
    if (env_stream_feed(st, p, n))
        return true;
    bids_stream_refusal(r, st);
    return false;
}

static void
check_close(void *state)
{
    env_stream_free(state);
    free(state);
}

static const struct body_sink check_sink = {check_open, check_write, check_close};

bool
bids_verify_signer(struct req *r, struct dbconn *c, const struct env_view *v, cJSON **header,
                   struct signing_key *k)
{
    *header = cJSON_ParseWithLength((const char *)v->header, v->header_len);
    memset(k, 0, sizeof *k);
    const char *kid =
        cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(*header, "signer_key_id"));
    if (!cJSON_IsObject(*header) || !kid) {
        req_error(r, E_INVALID_ENVELOPE, "the header is not a JSON object naming signer_key_id");
        return false;
    }
    /* the key must be the caller's, live, and certified for the bidders' side and the caller's
     * organization — re-verified now, whatever the database says of it */
    enum db_status st;
    char why[400];
    const char *rule =
        accounts_signing_key(c, r->who.user_id, kid, clock_now_us(), k, why, sizeof why, &st);
    if (st != DB_OK) {
        req_db_fail(r, c, st);
        return false;
    }
    if (rule && !strcmp(rule, "KEY-UNKNOWN")) {
        req_rule(r, "BID-SIGNER-KEY",
                 "the envelope is signed with key %.64s, which is not a live key of yours (POST "
                 "/api/v1/me/keys)",
                 kid);
        return false;
    }
    if (rule) {
        req_rule(r, rule, "the envelope's signing key: %s", why);
        return false;
    }
    if (!env_verify_signature(v, k->info.spki, k->info.spki_len)) {
        accounts_signing_key_free(k);
        req_rule(r, "BID-SIGNATURE", "the signature does not verify with key %.64s", kid);
        return false;
    }
    return true;
}

/* What the platform will check at submission, without storing anything: the format and the
 * bidder's signature. The answer names the envelope's SHA-256, which the receipt will carry. */
static void
envelope_check(struct req *r, const cJSON *body)
{
    (void)body;
    struct env_stream *st = r->sink_state;
    struct env_view v;
    uint8_t sha[32];
    if (r->body_bytes == 0) {
        req_error(r, E_INVALID_ENVELOPE, "send the envelope as the request body");
        return;
    }
    if (!env_stream_finish(st, &v, sha)) {
        bids_stream_refusal(r, st);
        return;
    }
    struct dbconn *c = req_db(r);
    cJSON *header = NULL;
    struct signing_key k;
    if (c && bids_verify_signer(r, c, &v, &header, &k)) {
        accounts_signing_key_free(&k);
        cJSON *o = cJSON_CreateObject();
        bids_add_hex(o, "sha256", sha, 32);
        json_add_i64(o, "size", (int64_t)r->body_bytes);
        json_add_i64(o, "plaintext_size", (int64_t)v.pt_len);
        cJSON_AddItemToObject(o, "header", header);
        header = NULL;
        cJSON_AddStringToObject(o, "signature", "verified");
        req_json(r, 200, o);
    }
    cJSON_Delete(header);
}

static int
sweep_known(const uint8_t sha256[32], void *ctx)
{
    int64_t id = 0;
    return store_bid_by_sha(ctx, sha256, &id) == DB_OK ? id != 0 : -1;
}

static bool
bids_init(const struct config *config)
{
    bids_cfg = config;
    static const char sql_seq[] = "UPDATE bids SET audit_index = ? WHERE id = ?";
    audit_on_sequenced("bid.receive", sql_seq);
    entry_on_opened_check(bids_all_opened); /* opened → evaluating waits for every lot */
    static const struct announce_openings openings = {bids_opening_keys, bids_lot_without_key,
                                                      bids_opening_started};
    announce_set_openings(&openings); /* a tender announcement carries the opening keys */
    if (!envstore_init(bids_conf.store_dir))
        return false;
    /* envelopes a crash left without their bid (made durable, never committed) */
    struct dbconn *c = db_acquire();
    if (!c) {
        log_warn("the database is not reachable: stored envelopes were not swept");
        return true;
    }
    int n = envstore_sweep(sweep_known, c, 600);
    db_release(c);
    if (n < 0)
        log_warn("the sweep of stored envelopes stopped on an error");
    return true;
}

/* ---- the table ---- */

static const struct field withdraw_schema[] = {
    {"bid_id", F_INT, true, 1, INT64_C(9007199254740991), NULL},
    {"key_id", F_STRING, true, 64, 64, NULL},
    {"signature", F_STRING, true, 1, 200, NULL},
    {NULL},
};
static const struct field make_schema[] = {
    {"custodians", F_ARRAY, true, 2, VSS_MAX, NULL},
    {"threshold", F_INT, false, 2, VSS_MAX, NULL},
    {NULL},
};

#define CUSTODIANS (ROLE_AGENT | ROLE_CENTER_ADMIN | ROLE_SUPERVISOR)

static const struct route routes[] = {
    {"POST", "/api/v1/projects/{id}/lots/{lot}/opening-key", opening_key_create,
     ROLE_AGENT | ROLE_CENTER_ADMIN, 8192, make_schema, ROUTE_CREATES},
    {"GET", "/api/v1/projects/{id}/lots/{lot}/opening-key", opening_key_get, ROLE_PUBLIC, 0, NULL,
     0},
    {"GET", "/api/v1/projects/{id}/lots/{lot}/opening-key/share", opening_share_mine, CUSTODIANS, 0,
     NULL, 0},
    /* the cap is the configuration's ceiling: check_open applies bids.max_envelope_bytes */
    {"POST", "/api/v1/envelopes/check", envelope_check, ROLE_BIDDER, (size_t)1 << 36, NULL,
     ROUTE_BODY_STREAM, &check_sink},
    /* submission (submit.c) */
    {"GET", "/api/v1/projects/{id}/lots/{lot}/bids/binding", bids_binding, ROLE_BIDDER, 0, NULL, 0},
    {"POST", "/api/v1/projects/{id}/lots/{lot}/bids", bids_submit, ROLE_BIDDER, (size_t)1 << 36,
     NULL, ROUTE_BODY_STREAM, &bids_submit_sink},
    {"GET", "/api/v1/projects/{id}/lots/{lot}/bids/mine", bids_mine, ROLE_BIDDER, 0, NULL, 0},
    {"POST", "/api/v1/projects/{id}/lots/{lot}/bids/withdrawal", bids_withdraw, ROLE_BIDDER, 1024,
     withdraw_schema, 0},
    {"GET", "/api/v1/bids/{id}/receipt", bids_receipt, ROLES_USER, 0, NULL, 0},
    {"GET", "/api/v1/bids/{id}/envelope", bids_envelope, ROLES_USER, 0, NULL, ROUTE_RAW},
    /* the opening ceremony (opening.c) */
    {"POST", "/api/v1/projects/{id}/lots/{lot}/opening", opening_start,
     ROLE_AGENT | ROLE_CENTER_ADMIN, 1024, opening_start_schema, 0},
    {"GET", "/api/v1/projects/{id}/lots/{lot}/opening", opening_get, ROLE_PUBLIC, 0, NULL, 0},
    {"POST", "/api/v1/projects/{id}/lots/{lot}/opening/shares", opening_share, CUSTODIANS, 2048,
     opening_share_schema, 0},
    {"POST", "/api/v1/projects/{id}/lots/{lot}/opening/objections", opening_object, ROLE_BIDDER,
     8192, objection_schema, ROUTE_CREATES},
    {"POST", "/api/v1/projects/{id}/lots/{lot}/opening/objections/{oid}/answer", opening_answer,
     ROLE_AGENT | ROLE_CENTER_ADMIN | ROLE_SUPERVISOR, 8192, answer_schema, 0},
};

struct bids_conf bids_conf;

static const struct config_key config_keys[] = {
    CONFIG_I(struct bids_conf, "bids.max_envelope_bytes", max_envelope_bytes, "67108864", 4096,
             INT64_C(1) << 36),
    CONFIG_S(struct bids_conf, "bids.store_dir", store_dir, "var/envelopes"),
};

static bool
config_check(char *err, size_t errlen)
{
    if (bids_conf.store_dir && bids_conf.store_dir[0])
        return true;
    snprintf(err, errlen, "bids.store_dir must name a directory");
    return false;
}

static const char *const rule_codes[] = {
    "BID-BOUND-BIDDER",  "BID-BOUND-LOT",   "BID-BOUND-PROJECT", "BID-BOUND-ROUND",
    "BID-CUSTODIAN-KEY", "BID-DEADLINE",    "BID-NO-KEY",        "BID-NOT-OPEN",
    "BID-OPENING-TIME",  "BID-REPLAY",      "BID-REVISION",      "BID-SHARE",
    "BID-SIGNATURE",     "BID-SIGNED-TIME", "BID-SIGNER-KEY",    NULL,
};

const struct module bids_module = {
    .name = "bids",
    .rule_codes = rule_codes,
    .routes = routes,
    .nroutes = ARRAY_LEN(routes),
    .init = bids_init,
    .config_keys = config_keys,
    .nconfig_keys = ARRAY_LEN(config_keys),
    .config = &bids_conf,
    .config_check = config_check,
};
