/*
 * keys.c — certified signing keys: registration, listing and revocation of a user's keys, and
 * accounts_signing_key, which every module calls before it accepts a signature (the key's
 * certificate re-verified against the trust anchors in force, every time).
 *
 *   POST   /api/v1/me/keys            register: the certificate chain and a proof of possession
 *   GET    /api/v1/me/keys            one's keys;  GET /api/v1/users/{id}/keys  someone's
 *   DELETE /api/v1/me/keys/{key_id}   revoke one's own key
 *
 * Registering needs (docs/operations.md "Trust anchors"): a certificate that chains to a CA of the
 * side of the user's organization (trust.*_ca in the configuration file, not the database),
 * valid now, with a signing key usage, naming the organization's unified social credit code;
 * and a proof — a signature with the certified key over "ggzy-key-register-v1" — so nobody
 * registers a certificate whose key they do not hold. The center admin, who sets every password,
 * holds no side's CA key, so it can sign in as anyone but certify no key. Rule codes: KEY-PROOF,
 * KEY-CERT-* (cert.h), KEY-SIDE (an account with no side; an expert's side is always the experts'
 * CA).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "accounts.h"
#include "audit.h"
#include "canon.h"
#include "crypto.h"
#include "internal.h"
#include "sigsuite.h"
#include "store.h"
#include "trust.h"

#define REGISTER_DOMAIN "ggzy-key-register-v1"

/* ---- the signing key API for every module ---- */

void
accounts_signing_key_free(struct signing_key *k)
{
    cert_chain_free(&k->chain);
    cert_info_free(&k->info);
}

const char *
accounts_signing_key(struct dbconn *c, int64_t user_id, const char *key_id, int64_t at_us,
                     struct signing_key *k, char *why, size_t whylen, enum db_status *st)
{
    struct dbres r = {0};
    const char *rule = "KEY-UNKNOWN";
    memset(k, 0, sizeof *k);
    *st = key_id ? store_key_for_use(c, key_id, &r) : DB_OK;
    if (*st != DB_OK || !key_id || r.nrows != 1 ||
        (user_id && dbres_i64(&r, 0, KU_USER) != user_id) || dbres_str(&r, 0, KU_REVOKED) ||
        dbres_i64(&r, 0, KU_DISABLED)) {
        snprintf(why, whylen, "key %.64s is not a live registered key%s", key_id ? key_id : "",
                 user_id ? " of that user" : "");
        goto out;
    }
    k->user_id = dbres_i64(&r, 0, KU_USER);
    k->org_id = dbres_i64(&r, 0, KU_ORG);
    k->role = role_from_name(dbres_str(&r, 0, KU_ROLE));
    snprintf(k->key_id, sizeof k->key_id, "%s", key_id);
    if (!dbres_str(&r, 0, KU_CHAIN) ||
        !cert_chain_from_der((const uint8_t *)dbres_str(&r, 0, KU_CHAIN),
                             dbres_len(&r, 0, KU_CHAIN), &k->chain)) {
        rule = "KEY-NO-CERT";
        snprintf(why, whylen,
                 "key %.64s has no certificate (registered before certificates were required): "
                 "register it again with its certificate",
                 key_id);
        goto out;
    }
    /* the row is not trusted: the side and credit code come from the organization, the key
     * from the certificate, and the certificate is checked against the anchors in force */
    enum side side = side_of_account(dbres_str(&r, 0, KU_ROLE), dbres_str(&r, 0, KU_ORG_TYPE));
    rule = trust_check(side, &k->chain, dbres_str(&r, 0, KU_CREDIT), at_us, &k->info, why, whylen);
    if (!rule && strcmp(k->info.key_id, key_id)) {
        rule = "KEY-CERT-CHAIN";
        snprintf(why, whylen, "key %.64s is not the key its certificate certifies", key_id);
    }
out:
    dbres_free(&r);
    if (rule)
        accounts_signing_key_free(k);
    return rule;
}

bool
accounts_act_verifies(const struct signing_key *k, const char *domain, const cJSON *fields,
                      const char *sig_b64)
{
    uint8_t sig[SIG_MAX];
    size_t len = 0, bl = sig_b64 ? strlen(sig_b64) : 0;
    long n = bl && bl < 4 * SIG_MAX ? b64_decode(sig_b64, bl, sig, sizeof sig) : -1;
    char *msg = n > 0 ? sig_message(domain, fields, &len) : NULL;
    bool ok = msg && k->info.suite && (size_t)n == k->info.suite->sig_len &&
              k->info.suite->verify(k->info.key, msg, len, sig, (size_t)n);
    free(msg);
    return ok;
}

enum act_check
accounts_check_act(struct dbconn *c, int64_t user_id, const char *key_id, int64_t signed_us,
                   const char *domain, const cJSON *fields, const char *sig_b64, int64_t now,
                   int64_t skew_us, struct signing_key *k, const char **rule, char *why,
                   size_t whylen)
{
    enum db_status st;
    *rule = accounts_signing_key(c, user_id, key_id, now, k, why, whylen, &st);
    if (st != DB_OK)
        return ACT_DBFAIL;
    if (*rule)
        return ACT_KEY;
    if (signed_us < now - skew_us || signed_us > now + skew_us) {
        *rule = "";
        snprintf(why, whylen,
                 "signed_us is more than %lld s from the platform's clock: sign it now",
                 (long long)(skew_us / 1000000));
        accounts_signing_key_free(k);
        return ACT_TIME;
    }
    if (!accounts_act_verifies(k, domain, fields, sig_b64)) {
        *rule = "";
        snprintf(why, whylen, "the signature does not verify over %s and the act's fields", domain);
        accounts_signing_key_free(k);
        return ACT_SIGNATURE;
    }
    return ACT_OK;
}

cJSON *
accounts_signed_json(const struct signing_key *k, const char *domain, const cJSON *fields,
                     const char *sig_b64)
{
    cJSON *o = cJSON_CreateObject();
    if (domain)
        cJSON_AddStringToObject(o, "domain", domain);
    cJSON_AddItemToObject(o, "fields", cJSON_Duplicate(fields, true));
    cJSON_AddStringToObject(o, "signature", sig_b64);
    cJSON *s = cJSON_AddObjectToObject(o, "signer");
    cJSON_AddStringToObject(s, "key_id", k->key_id);
    cJSON_AddStringToObject(s, "suite", k->info.suite ? k->info.suite->name : "");
    cJSON_AddStringToObject(s, "side", side_name(k->info.side));
    cJSON_AddStringToObject(s, "credit_code", k->info.credit_code);
    cJSON *chain = cert_chain_json(&k->chain);
    if (!chain) {
        cJSON_Delete(o);
        return NULL;
    }
    cJSON_AddItemToObject(s, "certificate", chain);
    return o;
}

/* ---- views ---- */

static cJSON *
key_json(const struct dbres *r, size_t i)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "key_id", dbres_str(r, i, KC_KEY_ID));
    size_t n = dbres_len(r, i, KC_SPKI);
    char *b64 = malloc(4 * ((n + 2) / 3) + 1);
    struct buf pem = {0};
    if (b64) {
        b64_encode((const uint8_t *)dbres_str(r, i, KC_SPKI), n, b64);
        buf_puts(&pem, "-----BEGIN PUBLIC KEY-----\n");
        for (size_t off = 0, len = strlen(b64); off < len; off += 64) {
            buf_append(&pem, b64 + off, len - off < 64 ? len - off : 64);
            buf_append(&pem, "\n", 1);
        }
        buf_puts(&pem, "-----END PUBLIC KEY-----\n");
    }
    cJSON_AddStringToObject(o, "public_key", pem.p ? pem.p : "");
    buf_free(&pem);
    free(b64);
    const char *suite = dbres_str(r, i, KC_SUITE);
    cJSON_AddStringToObject(o, "algorithm", suite ? suite : "ECDSA-P256-SHA256");
    cJSON_AddStringToObject(o, "label", dbres_str(r, i, KC_LABEL));
    json_add_time(o, "created_at", dbres_i64(r, i, KC_CREATED));
    if (dbres_str(r, i, KC_REVOKED))
        json_add_time(o, "revoked_at", dbres_i64(r, i, KC_REVOKED));
    else
        cJSON_AddNullToObject(o, "revoked_at");
    cJSON *cert = cJSON_AddObjectToObject(o, "certificate");
    if (dbres_str(r, i, KC_CERT_SHA)) {
        struct cert_chain chain;
        cJSON_AddStringToObject(cert, "sha256", dbres_str(r, i, KC_CERT_SHA));
        cJSON_AddStringToObject(cert, "side", dbres_str(r, i, KC_SIDE));
        cJSON_AddStringToObject(cert, "credit_code", dbres_str(r, i, KC_CREDIT));
        json_add_time(cert, "not_after", dbres_i64(r, i, KC_NOT_AFTER));
        if (cert_chain_from_der((const uint8_t *)dbres_str(r, i, KC_CHAIN),
                                dbres_len(r, i, KC_CHAIN), &chain)) {
            cJSON_AddItemToObject(cert, "chain", cert_chain_json(&chain));
            cert_chain_free(&chain);
        }
    } else {
        cJSON_AddNullToObject(cert, "sha256"); /* registered before certificates: unusable */
    }
    return o;
}

/* ---- registration ---- */

struct key_ctx {
    const char *label;
    const struct cert_chain *chain;
    const struct cert_info *info;
    uint8_t *der;
    size_t der_len;
};

static enum tx_result
key_register_tx(struct dbconn *c, struct req *r, void *arg)
{
    struct key_ctx *x = arg;
    int64_t now = clock_now_us();
    struct key_row row = {.key_id = x->info->key_id,
                          .label = x->label,
                          .cert_sha256 = x->info->sha256,
                          .side = side_name(x->info->side),
                          .credit_code = x->info->credit_code,
                          .suite = x->info->suite->name,
                          .spki = x->info->spki,
                          .spki_len = x->info->spki_len,
                          .chain = x->der,
                          .chain_len = x->der_len,
                          .not_after_us = x->info->not_after_us};
    enum db_status st = store_key_insert(c, r->who.user_id, &row, now);
    if (st == DB_DUPLICATE) {
        req_error(r, E_CONFLICT, "this public key is already registered");
        return TX_REFUSE;
    }
    if (st != DB_OK)
        return TX_DBFAIL;
    cJSON *p = cJSON_CreateObject();
    cJSON_AddStringToObject(p, "key_id", x->info->key_id);
    cJSON_AddStringToObject(p, "certificate_sha256", x->info->sha256);
    cJSON_AddStringToObject(p, "side", side_name(x->info->side));
    cJSON_AddStringToObject(p, "credit_code", x->info->credit_code);
    cJSON_AddStringToObject(p, "suite", x->info->suite->name);
    cJSON_AddItemToObject(p, "certificate", cert_chain_json(x->chain));
    struct dbres k = {0};
    if (audit_append(c, req_actor(r), "account.key_register", "user", r->who.user_id, 0, p, NULL) !=
            DB_OK ||
        store_key_list(c, r->who.user_id, &k) != DB_OK) {
        dbres_free(&k);
        return TX_DBFAIL;
    }
    for (size_t i = 0; i < k.nrows; i++)
        if (!strcmp(dbres_str(&k, i, KC_KEY_ID), x->info->key_id))
            req_json(r, 201, key_json(&k, i));
    dbres_free(&k);
    return TX_COMMIT;
}

void
key_register(struct req *r, const cJSON *body)
{
    const char *pem = json_str(body, "certificate"), *proof = json_str(body, "proof");
    struct key_ctx x = {.label = json_str(body, "label")};
    struct cert_chain chain = {0};
    struct cert_info info = {0};
    struct dbres org = {0};
    char why[400];
    if (!x.label)
        x.label = "";
    if (!cert_chain_from_pem(pem, strlen(pem), &chain, why, sizeof why)) {
        req_rule(r, "KEY-CERT-FORMAT", "%s", why);
        goto out;
    }
    struct dbconn *c = req_db(r);
    if (!c)
        goto out;
    enum db_status st = store_org_get(c, r->who.org_id, &org);
    if (st != DB_OK || org.nrows != 1) {
        req_db_fail(r, c, st == DB_OK ? DB_ERROR : st);
        goto out;
    }
    enum side side = side_of_account(role_name(r->who.role), dbres_str(&org, 0, OC_TYPE));
    if (side == SIDE_NONE) {
        req_rule(r, "KEY-SIDE",
                 "a %s organization has no side whose CA certifies signing keys on this platform",
                 dbres_str(&org, 0, OC_TYPE));
        goto out;
    }
    const char *rule = trust_check(side, &chain, dbres_str(&org, 0, OC_CREDIT), clock_now_us(),
                                   &info, why, sizeof why);
    if (rule) {
        req_rule(r, rule, "%s", why);
        goto out;
    }
    /* proof of possession: the certified key signs who registers it, here */
    cJSON *f = cJSON_CreateObject();
    cJSON_AddStringToObject(f, "certificate_sha256", info.sha256);
    cJSON_AddStringToObject(f, "platform", accounts_cfg->platform_id);
    json_add_i64(f, "user_id", r->who.user_id);
    struct signing_key k = {.info = info};
    bool proven = accounts_act_verifies(&k, REGISTER_DOMAIN, f, proof);
    cJSON_Delete(f);
    if (!proven) {
        req_rule(r, "KEY-PROOF",
                 "proof must be the certified key's signature (base64 of raw r||s) over "
                 "\"" REGISTER_DOMAIN "\\n\" + canonical JSON {\"certificate_sha256\", "
                 "\"platform\": \"%s\", \"user_id\": %lld} (docs/operations.md)",
                 accounts_cfg->platform_id, (long long)r->who.user_id);
        goto out;
    }
    struct buf der = {0};
    for (size_t i = 0; i < chain.n; i++)
        buf_append(&der, chain.der[i], chain.len[i]);
    if (der.oom) {
        buf_free(&der);
        req_error(r, E_INTERNAL, "out of memory");
        goto out;
    }
    x.der = (uint8_t *)der.p;
    x.der_len = der.len;
    x.chain = &chain;
    x.info = &info;
    req_tx(r, key_register_tx, &x);
    buf_free(&der);
out:
    dbres_free(&org);
    cert_info_free(&info);
    cert_chain_free(&chain);
}

/* ---- listing, revoking ---- */

static void
reply_keys(struct req *r, int64_t user_id)
{
    struct dbconn *c = req_db(r);
    if (!c)
        return;
    struct dbres k;
    enum db_status st = store_key_list(c, user_id, &k);
    if (st != DB_OK) {
        req_db_fail(r, c, st);
        return;
    }
    cJSON *o = cJSON_CreateObject();
    cJSON *items = cJSON_AddArrayToObject(o, "items");
    for (size_t i = 0; i < k.nrows; i++)
        cJSON_AddItemToArray(items, key_json(&k, i));
    dbres_free(&k);
    req_json(r, 200, o);
}

void
my_keys(struct req *r, const cJSON *body)
{
    (void)body;
    reply_keys(r, r->who.user_id);
}

void
user_keys(struct req *r, const cJSON *body)
{
    (void)body;
    int64_t id;
    if (!req_param_id(r, "id", &id))
        return;
    /* a bidder's or an expert's certificates name organizations: theirs only */
    if ((r->who.role & (ROLE_BIDDER | ROLE_EXPERT)) && id != r->who.user_id) {
        req_error(r, E_NOT_FOUND, "no user %lld", (long long)id);
        return;
    }
    reply_keys(r, id);
}

struct revoke_ctx {
    const char *key_id;
};

static enum tx_result
key_revoke_tx(struct dbconn *c, struct req *r, void *arg)
{
    struct revoke_ctx *x = arg;
    uint64_t changed = 0;
    if (store_key_revoke(c, r->who.user_id, x->key_id, clock_now_us(), &changed) != DB_OK)
        return TX_DBFAIL;
    if (changed == 0) {
        req_error(r, E_NOT_FOUND, "you have no live key %s", x->key_id);
        return TX_REFUSE;
    }
    cJSON *p = cJSON_CreateObject();
    cJSON_AddStringToObject(p, "key_id", x->key_id);
    if (audit_append(c, req_actor(r), "account.key_revoke", "user", r->who.user_id, 0, p, NULL) !=
        DB_OK)
        return TX_DBFAIL;
    req_empty(r, 204);
    return TX_COMMIT;
}

void
key_revoke(struct req *r, const cJSON *body)
{
    (void)body;
    struct revoke_ctx x = {req_param(r, "key_id")};
    uint8_t tmp[32];
    if (!x.key_id || !hex_decode(x.key_id, tmp, 32)) {
        req_error(r, E_NOT_FOUND, "no such key");
        return;
    }
    req_tx(r, key_revoke_tx, &x);
}
