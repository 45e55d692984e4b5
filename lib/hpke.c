/*
 * hpke.c — see hpke.h. Written from RFC 9180 §4 (the key schedule's labelled HKDF), §4.1
 * (DHKEM), §5.1 (the key schedule) and §7.1.3 (DeriveKeyPair for P-256); tested against the
 * RFC's Appendix A.3.1 vectors (tests/unit/lib/test_hpke.c).
 */
#include "hpke.h"
#include "crypto.h"

#include <pthread.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#define KEM_ID 0x0010
#define KDF_ID 0x0001

static const uint8_t p256_order[32] = {
    0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    0xBC, 0xE6, 0xFA, 0xAD, 0xA7, 0x17, 0x9E, 0x84, 0xF3, 0xB9, 0xCA, 0xC2, 0xFC, 0x63, 0x25, 0x51};

/* HKDF-Extract or -Expand with SHA-256 (EVP_KDF "HKDF"). */
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
    bool ok = crypto_hkdf(CRYPTO_HKDF_EXTRACT, salt, salt_len, buf, n, NULL, 0, out, 32);
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
    return crypto_hkdf(CRYPTO_HKDF_EXPAND, NULL, 0, prk, 32, buf, n, out, L);
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

/* The P-256 group, made once and shared read-only by every thread: making it per call cost
 * a tenth of a decapsulation. NULL if OpenSSL could not make it. */
static EC_GROUP *p256_group;
static pthread_once_t p256_once = PTHREAD_ONCE_INIT;

static void
p256_make(void)
{
    p256_group = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
}

static const EC_GROUP *
p256(void)
{
    pthread_once(&p256_once, p256_make);
    return p256_group;
}

/* A private scalar as a BIGNUM flagged for OpenSSL's constant-time paths; caller frees it with
 * BN_clear_free. */
static BIGNUM *
scalar(const uint8_t sk[HPKE_NSK])
{
    BIGNUM *k = BN_bin2bn(sk, HPKE_NSK, NULL);
    if (k)
        BN_set_flags(k, BN_FLG_CONSTTIME);
    return k;
}

bool
hpke_public_key(const uint8_t sk[HPKE_NSK], uint8_t pk[HPKE_NENC])
{
    const EC_GROUP *g = p256();
    EC_POINT *P = g ? EC_POINT_new(g) : NULL;
    BIGNUM *k = scalar(sk);
    bool ok =
        P && k && EC_POINT_mul(g, P, k, NULL, NULL, NULL) == 1 &&
        EC_POINT_point2oct(g, P, POINT_CONVERSION_UNCOMPRESSED, pk, HPKE_NENC, NULL) == HPKE_NENC;
    BN_clear_free(k); /* the private scalar */
    EC_POINT_free(P);
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

/* DH(k, peer): the x-coordinate of k times the peer's point — the computation OpenSSL's ECDH
 * makes (EC_POINT_mul on the scalar flagged constant-time), without building an EVP_PKEY per
 * point, which cost more than the multiplication. The peer's encoding must be an uncompressed
 * point on the curve (EC_POINT_oct2point checks it; P-256's cofactor is 1, so every such point
 * is in the group). */
static bool
dh(const BIGNUM *k, const uint8_t peer[HPKE_NENC], uint8_t out[32])
{
    const EC_GROUP *g = p256();
    EC_POINT *P = g ? EC_POINT_new(g) : NULL, *S = g ? EC_POINT_new(g) : NULL;
    BN_CTX *bc = BN_CTX_new();
    BIGNUM *x = BN_new();
    bool ok = P && S && bc && x && k && peer[0] == 0x04 &&
              EC_POINT_oct2point(g, P, peer, HPKE_NENC, bc) == 1 &&
              EC_POINT_mul(g, S, NULL, P, k, bc) == 1 && !EC_POINT_is_at_infinity(g, S) &&
              EC_POINT_get_affine_coordinates(g, S, x, NULL, bc) == 1 &&
              BN_bn2binpad(x, out, 32) == 32;
    BN_clear_free(x); /* the shared x-coordinate */
    BN_CTX_free(bc);
    EC_POINT_clear_free(S);
    EC_POINT_free(P);
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
    ok = ok && hpke_derive_keypair(ikmE, ikmE_len, skE, enc);
    BIGNUM *eph = ok ? scalar(skE) : NULL;
    ok = eph && dh(eph, pkR, dhv) && shared(dhv, enc, pkR, ss) &&
         key_schedule(aead, ss, info, info_len, ctx);
    if (ok && shared_secret)
        memcpy(shared_secret, ss, HPKE_NSECRET);
    BN_clear_free(eph);               /* the ephemeral scalar */
    OPENSSL_cleanse(ikm, sizeof ikm); /* ephemeral secrets die here */
    OPENSSL_cleanse(skE, sizeof skE);
    OPENSSL_cleanse(dhv, sizeof dhv);
    OPENSSL_cleanse(ss, sizeof ss);
    return ok;
}

bool
hpke_receiver_init(struct hpke_receiver *k, const uint8_t skR[HPKE_NSK])
{
    k->scalar = hpke_public_key(skR, k->pk) ? scalar(skR) : NULL;
    return k->scalar != NULL;
}

void
hpke_receiver_free(struct hpke_receiver *k)
{
    BN_clear_free(k->scalar); /* the private scalar */
    k->scalar = NULL;
}

bool
hpke_setup_receiver_with(enum hpke_aead aead, const uint8_t enc[HPKE_NENC],
                         const struct hpke_receiver *k, const uint8_t *info, size_t info_len,
                         struct hpke_ctx *ctx, uint8_t shared_secret[HPKE_NSECRET])
{
    uint8_t dhv[32], ss[HPKE_NSECRET];
    bool ok = k->scalar && dh(k->scalar, enc, dhv) && shared(dhv, enc, k->pk, ss) &&
              key_schedule(aead, ss, info, info_len, ctx);
    if (ok && shared_secret)
        memcpy(shared_secret, ss, HPKE_NSECRET);
    OPENSSL_cleanse(dhv, sizeof dhv);
    OPENSSL_cleanse(ss, sizeof ss);
    return ok;
}

bool
hpke_setup_receiver(enum hpke_aead aead, const uint8_t enc[HPKE_NENC], const uint8_t skR[HPKE_NSK],
                    const uint8_t *info, size_t info_len, struct hpke_ctx *ctx,
                    uint8_t shared_secret[HPKE_NSECRET])
{
    struct hpke_receiver k;
    bool ok = hpke_receiver_init(&k, skR) &&
              hpke_setup_receiver_with(aead, enc, &k, info, info_len, ctx, shared_secret);
    hpke_receiver_free(&k);
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
