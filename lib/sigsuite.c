/*
 * sigsuite.c — see sigsuite.h. The table of suites; ECDSA P-256 with SHA-256 is the one row
 * today (an SM2 row needs its distinguishing identifier and SM3, both in OpenSSL 3's default
 * provider, and the same two functions).
 */
#include "sigsuite.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>

#include "canon.h"
#include "util.h"

/* raw r‖s (n bytes each) as a DER ECDSA-Sig-Value: malloc'd by OpenSSL, *dlen set; NULL if not */
static unsigned char *
raw_to_der(const uint8_t *sig, size_t half, int *dlen)
{
    ECDSA_SIG *s = ECDSA_SIG_new();
    BIGNUM *r = BN_bin2bn(sig, (int)half, NULL), *t = BN_bin2bn(sig + half, (int)half, NULL);
    unsigned char *der = NULL;
    *dlen = -1;
    if (s && r && t && ECDSA_SIG_set0(s, r, t) == 1) {
        r = t = NULL; /* owned by s now */
        *dlen = i2d_ECDSA_SIG(s, &der);
    }
    BN_free(r);
    BN_free(t);
    ECDSA_SIG_free(s);
    return *dlen > 0 ? der : NULL;
}

static bool
p256_accepts(EVP_PKEY *key)
{
    char group[64] = "";
    size_t glen = 0;
    return key && EVP_PKEY_is_a(key, "EC") &&
           EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group,
                                          &glen) == 1 &&
           !strcmp(group, "prime256v1");
}

static bool
p256_verify_digest(EVP_PKEY *key, const uint8_t *digest, size_t dlen, const uint8_t *sig,
                   size_t siglen)
{
    int derlen;
    if (siglen != 64 || dlen != 32 || !p256_accepts(key))
        return false;
    unsigned char *der = raw_to_der(sig, 32, &derlen);
    EVP_PKEY_CTX *ctx = der ? EVP_PKEY_CTX_new(key, NULL) : NULL;
    bool ok = ctx && EVP_PKEY_verify_init(ctx) == 1 &&
              EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha256()) == 1 &&
              EVP_PKEY_verify(ctx, der, (size_t)derlen, digest, dlen) == 1;
    EVP_PKEY_CTX_free(ctx);
    OPENSSL_free(der);
    return ok;
}

static bool
p256_verify(EVP_PKEY *key, const void *msg, size_t len, const uint8_t *sig, size_t siglen)
{
    uint8_t h[32];
    unsigned int hl = 0;
    return EVP_Digest(msg, len, h, &hl, EVP_sha256(), NULL) == 1 && hl == 32 &&
           p256_verify_digest(key, h, 32, sig, siglen);
}

static const struct sig_suite suites[] = {
    {"ECDSA-P256-SHA256", 64, p256_accepts, p256_verify, p256_verify_digest},
};

const struct sig_suite *
sig_suite_of(EVP_PKEY *key)
{
    for (size_t i = 0; i < ARRAY_LEN(suites); i++)
        if (suites[i].accepts(key))
            return &suites[i];
    return NULL;
}

const struct sig_suite *
sig_suite_named(const char *name)
{
    for (size_t i = 0; name && i < ARRAY_LEN(suites); i++)
        if (!strcmp(suites[i].name, name))
            return &suites[i];
    return NULL;
}

const char *
sig_key_kind(EVP_PKEY *key)
{
    if (!key)
        return "no key";
    if (EVP_PKEY_is_a(key, "SM2"))
        return "an SM2 key (国密; its suite is not yet enabled)";
    if (EVP_PKEY_is_a(key, "RSA"))
        return "an RSA key";
    if (EVP_PKEY_is_a(key, "EC"))
        return "an EC key on another curve than P-256";
    return "a key of an unsupported type";
}

char *
sig_message(const char *domain, const cJSON *fields, size_t *len)
{
    size_t n = 0;
    char *canon = canon_json(fields, &n);
    if (!canon)
        return NULL;
    size_t dl = strlen(domain);
    char *m = malloc(dl + 1 + n + 1);
    if (m) {
        memcpy(m, domain, dl);
        m[dl] = '\n';
        memcpy(m + dl + 1, canon, n);
        m[dl + 1 + n] = '\0';
        *len = dl + 1 + n;
    }
    free(canon);
    return m;
}
