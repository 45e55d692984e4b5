/*
 * key.c — `ggzy key register`: register a signing key with the platform, with its certificate
 * chain from a CA outside the platform and a proof of possession (docs/operations.md "Trust
 * anchors"). Exit status: 0 registered, 1 refused, 2 usage or I/O.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "cmd.h"
#include "crypto.h"
#include "sigsuite.h"
#include "util.h"

/* Register a signing key with its certificate (docs/operations.md "Trust anchors"): the
 * certificate chain from --cert, and the proof of possession signed with --key. */
int
cmd_key_register(const struct opts *o)
{
    struct client c;
    char err[300];
    if (!o->cert || !o->key)
        return usage();
    if (!setup_client(o, &c))
        return 2;
    int rc = 2;
    size_t plen = 0;
    char *pem = read_file(o->cert, 1 << 16, &plen), *proof = NULL, *body = NULL, *resp = NULL;
    EVP_PKEY *key = load_private_key(o->key);
    cJSON *me = NULL, *f = NULL, *b = NULL;
    BIO *bio = pem ? BIO_new_mem_buf(pem, (int)plen) : NULL;
    X509 *leaf = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
    unsigned char *der = NULL;
    int dl = leaf ? i2d_X509(leaf, &der) : -1;
    uint8_t h[32];
    char hex[65];
    if (!pem || !key || dl <= 0 || !crypto_sha256(der, (size_t)dl, h)) {
        fprintf(stderr, "ggzy: %s is not a PEM certificate or %s not a private key\n", o->cert,
                o->key);
        goto out;
    }
    hex_encode(h, 32, hex);
    me = client_get_json(&c, "/api/v1/me", err, sizeof err);
    const cJSON *uid = cJSON_GetObjectItemCaseSensitive(me, "id");
    const char *platform = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(me, "platform"));
    if (!cJSON_IsNumber(uid) || !platform) {
        fprintf(stderr, "ggzy: %s\n", me ? "GET /api/v1/me does not say who and where" : err);
        goto out;
    }
    f = cJSON_CreateObject();
    cJSON_AddStringToObject(f, "certificate_sha256", hex);
    cJSON_AddStringToObject(f, "platform", platform);
    char idlit[24];
    snprintf(idlit, sizeof idlit, "%lld", (long long)uid->valuedouble);
    cJSON_AddRawToObject(f, "user_id", idlit);
    proof = sign_act_b64(key, "ggzy-key-register-v1", f);
    b = cJSON_CreateObject();
    cJSON_AddStringToObject(b, "certificate", pem);
    cJSON_AddStringToObject(b, "proof", proof ? proof : "");
    cJSON_AddStringToObject(b, "label", o->label ? o->label : "");
    body = cJSON_PrintUnformatted(b);
    int status = 0;
    if (!proof || !body ||
        !client_request(&c, "POST", "/api/v1/me/keys", body, &status, &resp, NULL, err,
                        sizeof err)) {
        fprintf(stderr, "ggzy: %s\n", proof ? err : "cannot sign the proof");
        goto out;
    }
    rc = 1;
    if (status != 201)
        print_refusal(status, resp);
    else {
        cJSON *a = cJSON_Parse(resp);
        printf("registered key %s\n",
               cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(a, "key_id")));
        cJSON_Delete(a);
        rc = 0;
    }
out:
    OPENSSL_free(der);
    X509_free(leaf);
    BIO_free(bio);
    free(pem);
    free(proof);
    free(body);
    free(resp);
    cJSON_Delete(me);
    cJSON_Delete(f);
    cJSON_Delete(b);
    EVP_PKEY_free(key);
    return rc;
}
