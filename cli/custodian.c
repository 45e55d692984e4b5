/*
 * custodian.c — `ggzy custodian check|share`: a custodian of a lot's opening key (docs/envelope.md
 * §7) opens their own share locally, verifies it against the published Feldman commitments, and
 * at the opening hands it in, signed. The share is never printed or written.
 * Exit status: 0 verified (and handed in), 1 a check failed or refused, 2 usage or I/O.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "cmd.h"
#include "crypto.h"
#include "timelock.h"
#include "util.h"
#include "vss.h"

/* A custodian checks their share of a lot's opening key (docs/envelope.md §7): fetch the
 * sealed share, open it with their own private key, and verify it against the published
 * Feldman commitments, whose first is the public key itself — so a bad share, or commitments
 * to another key, are found when the key is made, not at the opening.
 * The share itself is never printed or written. */
static int
custodian_run(const struct opts *o, bool submit)
{
    struct client c;
    char err[300], path[128];
    if (!o->key || !o->have_project || o->lot <= 0)
        return usage();
    if (!setup_client(o, &c))
        return 2;
    int rc = 2;
    uint8_t sk[32], pk[65], enc[65], sealed[TL_SEALED_SHARE], cm[VSS_MAX][65];
    struct vss_share share;
    BIGNUM *bn = NULL;
    cJSON *j = NULL;
    EVP_PKEY *key = load_private_key(o->key);
    if (!key || !EVP_PKEY_is_a(key, "EC") ||
        EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_PRIV_KEY, &bn) != 1 ||
        BN_bn2binpad(bn, sk, 32) != 32) {
        fprintf(stderr, "ggzy: %s is not an EC (P-256) private key\n", o->key);
        goto out;
    }
    snprintf(path, sizeof path, "/api/v1/projects/%lld/lots/%lld/opening-key/share", o->project,
             o->lot);
    j = client_get_json(&c, path, err, sizeof err);
    if (!j) {
        fprintf(stderr, "ggzy: %s\n", err);
        goto out;
    }
    const cJSON *sh = cJSON_GetObjectItemCaseSensitive(j, "share");
    const cJSON *cms = cJSON_GetObjectItemCaseSensitive(j, "commitments");
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(sh, "x");
    const char *kid = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "key_id"));
    int k = cJSON_GetArraySize(cms);
    char id[65];
    if (!hex_member(j, "public_key", pk, 65) || !hex_member(sh, "enc", enc, 65) ||
        !hex_member(sh, "sealed", sealed, sizeof sealed) || !cJSON_IsNumber(x) ||
        x->valuedouble < 1 || x->valuedouble > VSS_MAX || k < 2 || k > VSS_MAX || !kid) {
        fprintf(stderr, "ggzy: the server's answer is not an opening key with a share\n");
        goto out;
    }
    for (int i = 0; i < k; i++) {
        const char *h = cJSON_GetStringValue(cJSON_GetArrayItem(cms, i));
        if (!h || strlen(h) != 130 || !hex_decode(h, cm[i], 65)) {
            fprintf(stderr, "ggzy: commitment %d is not a hex point\n", i);
            goto out;
        }
    }
    rc = 1;
    if (!tl_key_id(pk, id) || strcmp(id, kid)) {
        printf("FAILED: the key id %s is not the hash of the public key\n", kid);
        goto out;
    }
    /* Feldman: C_0 = f(0)·G is the opening public key itself, so shares that match the
     * commitments are shares of the published key, and of no other */
    if (CRYPTO_memcmp(cm[0], pk, 65) != 0) {
        printf("FAILED: the commitments are not to opening key %s (C_0 is not its public key)\n",
               kid);
        goto out;
    }
    if (!tl_share_open(pk, (uint8_t)x->valueint, enc, sealed, sk, &share)) {
        printf("FAILED: share %d does not open with this key\n", x->valueint);
        goto out;
    }
    if (!vss_verify(&share, (const uint8_t(*)[65])cm, k)) {
        printf("FAILED: share %d does not match the published commitments\n", x->valueint);
        goto out;
    }
    printf("share %d of opening key %s (any %d open) verified against the commitments\n",
           x->valueint, kid, k);
    rc = 0;
    if (submit) { /* hand it in, signed: the server refuses it before the opening time */
        char hex[65], bodyj[512], *resp = NULL, kidh[65], sh_hex[65];
        int status = 0;
        uint8_t sh_hash[32];
        const char *platform =
            cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "platform"));
        const char *code =
            cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "project_code"));
        int64_t now = server_now_us(&c);
        cJSON *f = cJSON_CreateObject();
        char lit[24];
        snprintf(lit, sizeof lit, "%lld", o->lot);
        cJSON_AddRawToObject(f, "lot", lit);
        cJSON_AddStringToObject(f, "opening_key_id", kid);
        cJSON_AddStringToObject(f, "platform", platform ? platform : "");
        cJSON_AddStringToObject(f, "project_code", code ? code : "");
        snprintf(lit, sizeof lit, "%lld", (long long)now);
        cJSON_AddRawToObject(f, "signed_us", lit);
        crypto_sha256(share.y, 32, sh_hash);
        hex_encode(sh_hash, 32, sh_hex);
        cJSON_AddStringToObject(f, "share_sha256", sh_hex);
        cJSON_AddNumberToObject(f, "x", x->valueint);
        char *sig = platform && code && now > 0 && key_id_of(key, kidh)
                        ? sign_act_b64(key, "ggzy-share-handin-v1", f)
                        : NULL;
        cJSON_Delete(f);
        if (!sig) {
            fprintf(stderr, "ggzy: the hand-in cannot be signed (the server's clock, platform or "
                            "project code is missing)\n");
            rc = 2;
            goto out;
        }
        hex_encode(share.y, 32, hex);
        snprintf(bodyj, sizeof bodyj,
                 "{\"x\":%d,\"share\":\"%s\",\"key_id\":\"%s\",\"signed_us\":%lld,"
                 "\"signature\":\"%s\"}",
                 x->valueint, hex, kidh, (long long)now, sig);
        free(sig);
        OPENSSL_cleanse(hex, sizeof hex);
        snprintf(path, sizeof path, "/api/v1/projects/%lld/lots/%lld/opening/shares", o->project,
                 o->lot);
        bool sent = client_request(&c, "POST", path, bodyj, &status, &resp, NULL, err, sizeof err);
        OPENSSL_cleanse(bodyj, sizeof bodyj);
        cJSON *a = sent ? cJSON_Parse(resp) : NULL;
        if (!sent) {
            fprintf(stderr, "ggzy: %s\n", err);
            rc = 2;
        } else if (status != 200) {
            print_refusal(status, resp);
            rc = 1;
        } else {
            const char *state = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(a, "state"));
            printf("share %d handed in; the opening is %s\n", x->valueint, state ? state : "?");
        }
        cJSON_Delete(a);
        free(resp);
    }
out:
    /* the custodian's private scalar and their share are wiped once used */
    OPENSSL_cleanse(sk, sizeof sk);
    OPENSSL_cleanse(&share, sizeof share);
    BN_clear_free(bn);
    EVP_PKEY_free(key);
    cJSON_Delete(j);
    return rc;
}

int
cmd_custodian_check(const struct opts *o)
{
    return custodian_run(o, false);
}

/* At the opening: open one's own share locally, check it, and hand it in. */
int
cmd_custodian_share(const struct opts *o)
{
    return custodian_run(o, true);
}
