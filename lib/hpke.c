/*
 * hpke.c — see hpke.h. Written from RFC 9180 §4 (the key schedule's labelled HKDF), §4.1
 * (DHKEM), §5.1 (the key schedule) and §7.1.3 (DeriveKeyPair for P-256); tested against the
 * RFC's Appendix A.3.1 vectors (tests/unit/lib/test_hpke.c).
 */
#include "hpke.h"

#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/param_build.h>
#include <openssl/rand.h>

#define KEM_ID 0x0010
#define KDF_ID 0x0001

static const uint8_t p256_order[32] = {
    0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    0xBC, 0xE6, 0xFA, 0xAD, 0xA7, 0x17, 0x9E, 0x84, 0xF3, 0xB9, 0xCA, 0xC2, 0xFC, 0x63, 0x25, 0x51};

/* HKDF-Extract or -Expand with SHA-256 (EVP_KDF "HKDF"). */
static bool
hkdf(int mode, const uint8_t *salt, size_t salt_len, const uint8_t *key, size_t key_len,
     const uint8_t *info, size_t info_len, uint8_t *out, size_t out_len)
{
    EVP_KDF *kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
    EVP_KDF_CTX *ctx = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
    bool ok = false;
    if (ctx) {
        OSSL_PARAM params[6], *p = params;
        *p++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)"SHA256", 0);
        *p++ = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode);
        /* An empty key is legal in HKDF; OpenSSL wants a non-NULL pointer for it. */
        *p++ = OSSL_PARAM_construct_octet_string(
            OSSL_KDF_PARAM_KEY, (void *)(key_len ? key : (const uint8_t *)""), key_len);
        if (mode == EVP_KDF_HKDF_MODE_EXTRACT_ONLY)
            *p++ = OSSL_PARAM_construct_octet_string(
                OSSL_KDF_PARAM_SALT, (void *)(salt_len ? salt : (const uint8_t *)""), salt_len);
        else
            *p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)info, info_len);
        *p = OSSL_PARAM_construct_end();
        ok = EVP_KDF_derive(ctx, out, out_len, params) == 1;
    }
    EVP_KDF_CTX_free(ctx);
    EVP_KDF_free(kdf);
    return ok;
}

/* LabeledExtract(salt, label, ikm) = Extract(salt, "HPKE-v1" || suite_id || label || ikm). */
static bool
labeled_extract(const uint8_t *suite, size_t suite_len, const uint8_t *salt, size_t salt_len,
                const char *label, const uint8_t *ikm, size_t ikm_len, uint8_t out[32])
{
    uint8_t buf[512];
    size_t l = strlen(label), n = 7 + suite_len + l + ikm_len;
    if (n > sizeof buf)
        return false;
    memcpy(buf, "HPKE-v1", 7);
    memcpy(buf + 7, suite, suite_len);
    memcpy(buf + 7 + suite_len, label, l);
    if (ikm_len)
        memcpy(buf + 7 + suite_len + l, ikm, ikm_len);
    bool ok = hkdf(EVP_KDF_HKDF_MODE_EXTRACT_ONLY, salt, salt_len, buf, n, NULL, 0, out, 32);
    OPENSSL_cleanse(buf, n); /* held the input keying material */
    return ok;
}

/* LabeledExpand(prk, label, info, L) = Expand(prk, I2OSP(L, 2) || "HPKE-v1" || suite_id ||
 * label || info, L). */
static bool
labeled_expand(const uint8_t *suite, size_t suite_len, const uint8_t prk[32], const char *label,
               const uint8_t *info, size_t info_len, uint8_t *out, size_t L)
{
    uint8_t buf[512];
    size_t l = strlen(label), n = 2 + 7 + suite_len + l + info_len;
    if (n > sizeof buf || L > 255 * 32)
        return false;
    buf[0] = (uint8_t)(L >> 8);
    buf[1] = (uint8_t)L;
    memcpy(buf + 2, "HPKE-v1", 7);
    memcpy(buf + 9, suite, suite_len);
    memcpy(buf + 9 + suite_len, label, l);
    if (info_len)
        memcpy(buf + 9 + suite_len + l, info, info_len);
    return hkdf(EVP_KDF_HKDF_MODE_EXPAND_ONLY, NULL, 0, prk, 32, buf, n, out, L);
}

static const uint8_t kem_suite[5] = {'K', 'E', 'M', KEM_ID >> 8, KEM_ID & 0xFF};

static void
hpke_suite(enum hpke_aead aead, uint8_t out[10])
{
    memcpy(out, "HPKE", 4);
    out[4] = KEM_ID >> 8;
    out[5] = KEM_ID & 0xFF;
    out[6] = KDF_ID >> 8;
    out[7] = KDF_ID & 0xFF;
    out[8] = 0;
    out[9] = (uint8_t)aead;
}

bool
hpke_public_key(const uint8_t sk[HPKE_NSK], uint8_t pk[HPKE_NENC])
{
    EC_GROUP *g = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
    EC_POINT *P = g ? EC_POINT_new(g) : NULL;
    BIGNUM *k = BN_bin2bn(sk, HPKE_NSK, NULL);
    bool ok =
        P && k && EC_POINT_mul(g, P, k, NULL, NULL, NULL) == 1 &&
        EC_POINT_point2oct(g, P, POINT_CONVERSION_UNCOMPRESSED, pk, HPKE_NENC, NULL) == HPKE_NENC;
    BN_clear_free(k); /* the private scalar */
    EC_POINT_free(P);
    EC_GROUP_free(g);
    return ok;
}

bool
hpke_derive_keypair(const uint8_t *ikm, size_t ikm_len, uint8_t sk[HPKE_NSK], uint8_t pk[HPKE_NENC])
{
    uint8_t prk[32];
    bool ok = false;
    if (!labeled_extract(kem_suite, 5, NULL, 0, "dkp_prk", ikm, ikm_len, prk))
        goto out;
    for (int counter = 0; counter < 256; counter++) {
        uint8_t c = (uint8_t)counter;
        if (!labeled_expand(kem_suite, 5, prk, "candidate", &c, 1, sk, HPKE_NSK))
            goto out;
        /* bitmask 0xFF for P-256: keep every bit; accept 0 < sk < order */
        bool zero = true;
        for (int i = 0; i < HPKE_NSK; i++)
            zero = zero && sk[i] == 0;
        if (!zero && memcmp(sk, p256_order, 32) < 0) {
            ok = hpke_public_key(sk, pk);
            break;
        }
    }
out:
    OPENSSL_cleanse(prk, sizeof prk);
    return ok;
}

/* An EVP_PKEY for a P-256 private scalar (with its public point) or a public point alone. */
static EVP_PKEY *
p256_key(const uint8_t *sk, const uint8_t pk[HPKE_NENC])
{
    OSSL_PARAM_BLD *b = OSSL_PARAM_BLD_new();
    BIGNUM *k = sk ? BN_bin2bn(sk, HPKE_NSK, NULL) : NULL;
    OSSL_PARAM *params = NULL;
    EVP_PKEY *key = NULL;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
    if (b && ctx && (!sk || k) &&
        OSSL_PARAM_BLD_push_utf8_string(b, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) == 1 &&
        OSSL_PARAM_BLD_push_octet_string(b, OSSL_PKEY_PARAM_PUB_KEY, pk, HPKE_NENC) == 1 &&
        (!sk || OSSL_PARAM_BLD_push_BN(b, OSSL_PKEY_PARAM_PRIV_KEY, k) == 1) &&
        (params = OSSL_PARAM_BLD_to_param(b)) && EVP_PKEY_fromdata_init(ctx) == 1)
        if (EVP_PKEY_fromdata(ctx, &key, sk ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY, params) != 1)
            key = NULL;
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(b);
    BN_clear_free(k);
    EVP_PKEY_CTX_free(ctx);
    return key;
}

/* DH(sk, pk): the x-coordinate of the shared point. */
static bool
dh(const uint8_t sk[HPKE_NSK], const uint8_t pk_own[HPKE_NENC], const uint8_t peer[HPKE_NENC],
   uint8_t out[32])
{
    EVP_PKEY *mine = p256_key(sk, pk_own), *theirs = p256_key(NULL, peer);
    EVP_PKEY_CTX *ctx = mine && theirs ? EVP_PKEY_CTX_new_from_pkey(NULL, mine, NULL) : NULL;
    size_t len = 32;
    bool ok = ctx && EVP_PKEY_derive_init(ctx) == 1 && EVP_PKEY_derive_set_peer(ctx, theirs) == 1 &&
              EVP_PKEY_derive(ctx, out, &len) == 1 && len == 32;
    EVP_PKEY_CTX_free(ctx);
    EVP_PKEY_free(mine);
    EVP_PKEY_free(theirs);
    return ok;
}

/* ExtractAndExpand(dh, kem_context) with kem_context = enc || pkRm. */
static bool
shared(const uint8_t dhv[32], const uint8_t enc[HPKE_NENC], const uint8_t pkR[HPKE_NENC],
       uint8_t out[HPKE_NSECRET])
{
    uint8_t prk[32], kem_context[2 * HPKE_NENC];
    memcpy(kem_context, enc, HPKE_NENC);
    memcpy(kem_context + HPKE_NENC, pkR, HPKE_NENC);
    bool ok = labeled_extract(kem_suite, 5, NULL, 0, "eae_prk", dhv, 32, prk) &&
              labeled_expand(kem_suite, 5, prk, "shared_secret", kem_context, sizeof kem_context,
                             out, HPKE_NSECRET);
    OPENSSL_cleanse(prk, sizeof prk);
    return ok;
}

/* KeySchedule(mode_base, shared_secret, info, "", ""). */
static bool
key_schedule(enum hpke_aead aead, const uint8_t ss[HPKE_NSECRET], const uint8_t *info,
             size_t info_len, struct hpke_ctx *ctx)
{
    uint8_t suite[10], psk_id_hash[32], info_hash[32], context[65], secret[32];
    hpke_suite(aead, suite);
    memset(ctx, 0, sizeof *ctx);
    ctx->aead = aead;
    ctx->nk = aead == HPKE_AES_256_GCM ? 32 : 16;
    bool ok = (aead == HPKE_AES_128_GCM || aead == HPKE_AES_256_GCM) &&
              labeled_extract(suite, 10, NULL, 0, "psk_id_hash", NULL, 0, psk_id_hash) &&
              labeled_extract(suite, 10, NULL, 0, "info_hash", info, info_len, info_hash);
    context[0] = 0; /* mode_base */
    memcpy(context + 1, psk_id_hash, 32);
    memcpy(context + 33, info_hash, 32);
    ok = ok && labeled_extract(suite, 10, ss, HPKE_NSECRET, "secret", NULL, 0, secret) &&
         labeled_expand(suite, 10, secret, "key", context, 65, ctx->key, ctx->nk) &&
         labeled_expand(suite, 10, secret, "base_nonce", context, 65, ctx->base_nonce, HPKE_NN) &&
         labeled_expand(suite, 10, secret, "exp", context, 65, ctx->exporter_secret, 32);
    OPENSSL_cleanse(secret, sizeof secret);
    if (!ok)
        hpke_ctx_wipe(ctx);
    return ok;
}

bool
hpke_setup_sender(enum hpke_aead aead, const uint8_t pkR[HPKE_NENC], const uint8_t *info,
                  size_t info_len, const uint8_t *ikmE, size_t ikmE_len, uint8_t enc[HPKE_NENC],
                  struct hpke_ctx *ctx, uint8_t shared_secret[HPKE_NSECRET])
{
    uint8_t ikm[32], skE[HPKE_NSK], dhv[32], ss[HPKE_NSECRET];
    bool ok;
    if (!ikmE) { /* a fresh ephemeral key */
        ok = RAND_bytes(ikm, sizeof ikm) == 1;
        ikmE = ikm;
        ikmE_len = sizeof ikm;
    } else {
        ok = true;
    }
    ok = ok && hpke_derive_keypair(ikmE, ikmE_len, skE, enc) && dh(skE, enc, pkR, dhv) &&
         shared(dhv, enc, pkR, ss) && key_schedule(aead, ss, info, info_len, ctx);
    if (ok && shared_secret)
        memcpy(shared_secret, ss, HPKE_NSECRET);
    OPENSSL_cleanse(ikm, sizeof ikm); /* ephemeral secrets die here */
    OPENSSL_cleanse(skE, sizeof skE);
    OPENSSL_cleanse(dhv, sizeof dhv);
    OPENSSL_cleanse(ss, sizeof ss);
    return ok;
}

bool
hpke_setup_receiver(enum hpke_aead aead, const uint8_t enc[HPKE_NENC], const uint8_t skR[HPKE_NSK],
                    const uint8_t *info, size_t info_len, struct hpke_ctx *ctx,
                    uint8_t shared_secret[HPKE_NSECRET])
{
    uint8_t pkR[HPKE_NENC], dhv[32], ss[HPKE_NSECRET];
    bool ok = hpke_public_key(skR, pkR) && dh(skR, pkR, enc, dhv) && shared(dhv, enc, pkR, ss) &&
              key_schedule(aead, ss, info, info_len, ctx);
    if (ok && shared_secret)
        memcpy(shared_secret, ss, HPKE_NSECRET);
    OPENSSL_cleanse(dhv, sizeof dhv);
    OPENSSL_cleanse(ss, sizeof ss);
    return ok;
}

static bool
aead(struct hpke_ctx *ctx, bool seal, const uint8_t *aad, size_t aad_len, const uint8_t *in,
     size_t in_len, uint8_t *out)
{
    if (ctx->seq == UINT64_MAX || in_len > INT32_MAX - 64 || aad_len > INT32_MAX)
        return false;
    uint8_t nonce[HPKE_NN];
    memcpy(nonce, ctx->base_nonce, HPKE_NN);
    for (int i = 0; i < 8; i++)
        nonce[HPKE_NN - 1 - i] ^= (uint8_t)(ctx->seq >> (8 * i));
    size_t body = seal ? in_len : in_len - HPKE_NT;
    if (!seal && in_len < HPKE_NT)
        return false;
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    const EVP_CIPHER *cipher = ctx->nk == 32 ? EVP_aes_256_gcm() : EVP_aes_128_gcm();
    int n = 0, f = 0;
    bool ok = c &&
              (seal ? EVP_EncryptInit_ex(c, cipher, NULL, ctx->key, nonce)
                    : EVP_DecryptInit_ex(c, cipher, NULL, ctx->key, nonce)) == 1 &&
              (aad_len == 0 || (seal ? EVP_EncryptUpdate(c, NULL, &n, aad, (int)aad_len)
                                     : EVP_DecryptUpdate(c, NULL, &n, aad, (int)aad_len)) == 1);
    if (ok && seal)
        ok = EVP_EncryptUpdate(c, out, &n, in, (int)body) == 1 &&
             EVP_EncryptFinal_ex(c, out + n, &f) == 1 &&
             EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, HPKE_NT, out + body) == 1;
    else if (ok)
        ok = EVP_DecryptUpdate(c, out, &n, in, (int)body) == 1 &&
             EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, HPKE_NT, (void *)(in + body)) == 1 &&
             EVP_DecryptFinal_ex(c, out + n, &f) == 1;
    EVP_CIPHER_CTX_free(c);
    if (ok)
        ctx->seq++;
    else if (!seal)
        OPENSSL_cleanse(out, body); /* no unauthenticated plaintext leaves */
    return ok;
}

bool
hpke_seal(struct hpke_ctx *ctx, const uint8_t *aad, size_t aad_len, const uint8_t *pt,
          size_t pt_len, uint8_t *ct)
{
    return aead(ctx, true, aad, aad_len, pt, pt_len, ct);
}

bool
hpke_open(struct hpke_ctx *ctx, const uint8_t *aad, size_t aad_len, const uint8_t *ct,
          size_t ct_len, uint8_t *pt)
{
    return aead(ctx, false, aad, aad_len, ct, ct_len, pt);
}

void
hpke_ctx_wipe(struct hpke_ctx *ctx)
{
    OPENSSL_cleanse(ctx, sizeof *ctx);
}
