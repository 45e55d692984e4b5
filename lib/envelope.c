/*
 * envelope.c — see envelope.h and docs/envelope.md. OpenSSL 3 only: HPKE (hpke.c) wraps the
 * content key; HKDF derives the payload key and the key commitment; AES-256-GCM encrypts the
 * chunks; ECDSA P-256 signs everything before the signature.
 */
#include "envelope.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include "canon.h"
#include "crypto.h"
#include "hpke.h"

#define WRAPPED_LEN (32 + HPKE_NT)
#define FIXED_TAIL  (HPKE_NENC + WRAPPED_LEN + 16 + 32 + 8)

/* The bytes of the chunks of a plaintext of pt_len bytes: each chunk adds its 16-byte tag, and
 * an empty plaintext is one empty chunk. False over the format's 1 TiB bound. */
static bool
chunks_len(uint64_t pt_len, uint64_t *out)
{
    if (pt_len > (uint64_t)1 << 40)
        return false;
    uint64_t nchunks = pt_len == 0 ? 1 : (pt_len + ENV_CHUNK - 1) / ENV_CHUNK;
    *out = pt_len + nchunks * 16;
    return true;
}

/* HKDF-SHA256(ikm = content key, salt = nonce, info = label || header hash), 32 bytes. */
static bool
derive(const uint8_t key[32], const uint8_t nonce[16], const char *label, const uint8_t hh[32],
       uint8_t out[32])
{
    uint8_t info[96];
    size_t l = strlen(label);
    memcpy(info, label, l);
    memcpy(info + l, hh, 32);
    return crypto_hkdf(CRYPTO_HKDF_FULL, nonce, 16, key, 32, info, l + 32, out, 32);
}

/* The nonce of chunk i: an 11-byte big-endian counter, then 0x01 on the last chunk. */
static void
chunk_nonce(uint64_t i, bool last, uint8_t nonce[12])
{
    memset(nonce, 0, 3); /* I2OSP(i, 11): 3 zero bytes, then i as 8 bytes */
    be_store(nonce + 3, i, 8);
    nonce[11] = last ? 0x01 : 0x00;
}

static bool
gcm_chunk(EVP_CIPHER_CTX *c, bool seal, const uint8_t nonce[12], const uint8_t aad[32],
          const uint8_t *in, size_t n, uint8_t *out, const uint8_t *tag_in, uint8_t *tag_out)
{
    int l = 0, f = 0;
    bool ok = (seal ? EVP_EncryptInit_ex(c, NULL, NULL, NULL, nonce)
                    : EVP_DecryptInit_ex(c, NULL, NULL, NULL, nonce)) == 1 &&
              (seal ? EVP_EncryptUpdate(c, NULL, &l, aad, 32)
                    : EVP_DecryptUpdate(c, NULL, &l, aad, 32)) == 1 &&
              (n == 0 || (seal ? EVP_EncryptUpdate(c, out, &l, in, (int)n)
                               : EVP_DecryptUpdate(c, out, &l, in, (int)n)) == 1);
    if (ok && seal)
        ok = EVP_EncryptFinal_ex(c, out + n, &f) == 1 &&
             EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16, tag_out) == 1;
    else if (ok)
        ok = EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, 16, (void *)tag_in) == 1 &&
             EVP_DecryptFinal_ex(c, out + n, &f) == 1;
    return ok;
}

/* A context keyed once for a whole payload (the key schedule is not redone per chunk); NULL
 * when OpenSSL fails. Caller frees with EVP_CIPHER_CTX_free. */
static EVP_CIPHER_CTX *
gcm_keyed(bool seal, const uint8_t key[32])
{
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    if (c && (seal ? EVP_EncryptInit_ex(c, EVP_aes_256_gcm(), NULL, key, NULL)
                   : EVP_DecryptInit_ex(c, EVP_aes_256_gcm(), NULL, key, NULL)) != 1) {
        EVP_CIPHER_CTX_free(c);
        return NULL;
    }
    return c;
}

static char *
header_json(const struct env_binding *b, size_t *len)
{
    cJSON *h = cJSON_CreateObject();
    cJSON_AddNumberToObject(h, "v", 1);
    cJSON_AddStringToObject(h, "suite",
                            "HPKE(DHKEM-P256-HKDF-SHA256,HKDF-SHA256,AES-256-GCM)"
                            "+AES-256-GCM-64KiB+ECDSA-P256-SHA256");
    cJSON_AddStringToObject(h, "platform", b->platform);
    cJSON_AddStringToObject(h, "project_code", b->project_code);
    cJSON_AddNumberToObject(h, "lot", (double)b->lot);
    cJSON_AddNumberToObject(h, "bidder_org_id", (double)b->bidder_org_id);
    cJSON_AddStringToObject(h, "signer_key_id", b->signer_key_id);
    cJSON_AddNumberToObject(h, "revision", (double)b->revision);
    char dl[24];
    snprintf(dl, sizeof dl, "%lld", (long long)b->bid_deadline_us);
    cJSON_AddRawToObject(h, "bid_deadline_us", dl);
    cJSON_AddStringToObject(h, "opening_key_id", b->opening_key_id);
    cJSON_AddNumberToObject(h, "chunk_size", ENV_CHUNK);
    char *out = canon_json(h, len);
    cJSON_Delete(h);
    return out;
}

/* ECDSA P-256 over SHA-256 of data, as raw r||s (what WebCrypto produces). */
static bool
sign_raw(EVP_PKEY *key, const uint8_t *data, size_t n, uint8_t rs[64])
{
    uint8_t der[80];
    size_t dl = sizeof der;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    bool ok = ctx && EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, key) == 1 &&
              EVP_DigestSign(ctx, der, &dl, data, n) == 1;
    EVP_MD_CTX_free(ctx);
    const unsigned char *p = der;
    ECDSA_SIG *sig = ok ? d2i_ECDSA_SIG(NULL, &p, (long)dl) : NULL;
    const BIGNUM *r = NULL, *s = NULL;
    if (sig)
        ECDSA_SIG_get0(sig, &r, &s);
    ok = sig && BN_bn2binpad(r, rs, 32) == 32 && BN_bn2binpad(s, rs + 32, 32) == 32;
    ECDSA_SIG_free(sig);
    return ok;
}

bool
env_seal(const struct env_binding *b, const uint8_t opening_pk[65], EVP_PKEY *signer,
         const uint8_t *pt, size_t pt_len, const struct env_fixed *fixed, uint8_t **out,
         size_t *out_len)
{
    EVP_CIPHER_CTX *gc = NULL;
    uint8_t key[32], nonce[16], hh[32], payload[32], commitment[32], info[48];
    size_t hl = 0;
    char *header = header_json(b, &hl);
    uint8_t *buf = NULL;
    bool ok = false;
    struct hpke_ctx hc;
    memset(&hc, 0, sizeof hc);
    uint64_t nchunks = pt_len == 0 ? 1 : (pt_len + ENV_CHUNK - 1) / ENV_CHUNK;
    size_t total = 8 + 4 + hl + FIXED_TAIL + pt_len + nchunks * 16 + 64;
    if (!header || hl > ENV_MAX_HEADER || !(buf = malloc(total)))
        goto out;
    if (fixed) {
        memcpy(key, fixed->content_key, 32);
        memcpy(nonce, fixed->nonce, 16);
    } else if (RAND_bytes(key, 32) != 1 || RAND_bytes(nonce, 16) != 1) {
        goto out; /* a fresh content key for every envelope: never reused */
    }
    size_t o = 0;
    memcpy(buf, ENV_MAGIC, 8);
    be_store(buf + 8, hl, 4);
    memcpy(buf + 12, header, hl);
    o = 12 + hl;
    if (!crypto_sha256(header, hl, hh))
        goto out;
    memcpy(info, "ggzy-envelope-v1", 16);
    memcpy(info + 16, hh, 32);
    if (!hpke_setup_sender(HPKE_AES_256_GCM, opening_pk, info, sizeof info,
                           fixed ? fixed->ikm_e : NULL, fixed ? 32 : 0, buf + o, &hc, NULL) ||
        !hpke_seal(&hc, NULL, 0, key, 32, buf + o + HPKE_NENC))
        goto out;
    o += HPKE_NENC + WRAPPED_LEN;
    if (!derive(key, nonce, "ggzy-envelope-v1 payload", hh, payload) ||
        !derive(key, nonce, "ggzy-envelope-v1 commitment", hh, commitment))
        goto out;
    memcpy(buf + o, nonce, 16);
    memcpy(buf + o + 16, commitment, 32);
    be_store(buf + o + 48, pt_len, 8);
    o += 56;
    if (!(gc = gcm_keyed(true, payload)))
        goto out;
    for (uint64_t i = 0; i < nchunks; i++) {
        size_t off = (size_t)i * ENV_CHUNK, n = pt_len - off < ENV_CHUNK ? pt_len - off : ENV_CHUNK;
        uint8_t cn[12];
        chunk_nonce(i, i + 1 == nchunks, cn);
        if (!gcm_chunk(gc, true, cn, hh, pt + off, n, buf + o, NULL, buf + o + n))
            goto out;
        o += n + 16;
    }
    if (!sign_raw(signer, buf, o, buf + o))
        goto out;
    *out = buf;
    *out_len = o + 64;
    buf = NULL;
    ok = true;
out:
    EVP_CIPHER_CTX_free(gc);
    OPENSSL_cleanse(key, sizeof key); /* the content key lives only inside the envelope */
    OPENSSL_cleanse(payload, sizeof payload);
    hpke_ctx_wipe(&hc);
    free(buf);
    free(header);
    return ok;
}

bool
env_parse(const uint8_t *buf, size_t len, struct env_view *v, char *why, size_t whylen)
{
    return env_parse_layout(buf, len, v, true, why, whylen);
}

bool
env_parse_layout(const uint8_t *buf, size_t len, struct env_view *v, bool digest, char *why,
                 size_t whylen)
{
    memset(v, 0, sizeof *v);
    if (len < 12 || memcmp(buf, ENV_MAGIC, 8)) {
        snprintf(why, whylen, "not a ggzy envelope (magic GGZYENV1)");
        return false;
    }
    uint32_t hl = (uint32_t)be_load(buf + 8, 4);
    if (hl == 0 || hl > ENV_MAX_HEADER || len < 12 + (size_t)hl + FIXED_TAIL + 64) {
        snprintf(why, whylen, "the header length is wrong or the envelope is truncated");
        return false;
    }
    size_t o = 12;
    v->header = buf + o;
    v->header_len = hl;
    o += hl;
    v->enc = buf + o;
    v->wrapped = buf + o + HPKE_NENC;
    o += HPKE_NENC + WRAPPED_LEN;
    v->nonce = buf + o;
    v->commitment = buf + o + 16;
    v->pt_len = be_load(buf + o + 48, 8);
    o += 56;
    uint64_t clen;
    if (!chunks_len(v->pt_len, &clen) || len - o - 64 != clen) {
        snprintf(why, whylen,
                 "the ciphertext length does not match the declared plaintext "
                 "length (truncated or padded)");
        return false;
    }
    v->chunks = buf + o;
    v->chunks_len = len - o - 64;
    v->signature = buf + len - 64;
    if (!crypto_sha256(v->header, hl, v->header_hash) ||
        (digest && !crypto_sha256(buf, len - 64, v->signed_digest))) {
        snprintf(why, whylen, "cannot hash");
        return false;
    }
    return true;
}

bool
env_verify_signature(const struct env_view *v, const uint8_t *spki, size_t spki_len)
{
    /* raw r||s -> DER, then verify over the same bytes (their SHA-256 is signed_digest) */
    ECDSA_SIG *sig = ECDSA_SIG_new();
    BIGNUM *r = BN_bin2bn(v->signature, 32, NULL), *s = BN_bin2bn(v->signature + 32, 32, NULL);
    unsigned char *der = NULL;
    int dl = -1;
    if (sig && r && s && ECDSA_SIG_set0(sig, r, s) == 1) {
        r = s = NULL; /* owned by sig now */
        dl = i2d_ECDSA_SIG(sig, &der);
    }
    BN_free(r);
    BN_free(s);
    ECDSA_SIG_free(sig);
    const unsigned char *p = spki;
    EVP_PKEY *key = dl > 0 && spki_len <= INT32_MAX ? d2i_PUBKEY(NULL, &p, (long)spki_len) : NULL;
    EVP_PKEY_CTX *ctx = key ? EVP_PKEY_CTX_new(key, NULL) : NULL;
    bool ok = ctx && EVP_PKEY_is_a(key, "EC") && EVP_PKEY_verify_init(ctx) == 1 &&
              EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha256()) == 1 &&
              EVP_PKEY_verify(ctx, der, (size_t)dl, v->signed_digest, 32) == 1;
    EVP_PKEY_CTX_free(ctx);
    EVP_PKEY_free(key);
    OPENSSL_free(der);
    return ok;
}

bool
env_open(const struct env_view *v, const uint8_t opening_sk[32], uint8_t **pt_out, char *why,
         size_t whylen)
{
    size_t cap = v->pt_len ? (size_t)v->pt_len : 1;
    uint8_t *pt = v->pt_len <= SIZE_MAX ? malloc(cap) : NULL;
    if (!pt) {
        snprintf(why, whylen, "out of memory");
        return false;
    }
    struct hpke_receiver k;
    if (!hpke_receiver_init(&k, opening_sk)) {
        free(pt);
        snprintf(why, whylen, "the opening key is not a P-256 private key");
        return false;
    }
    bool ok = env_open_buf(v, &k, pt, cap, why, whylen);
    hpke_receiver_free(&k);
    if (!ok) {
        free(pt); /* env_open_buf wiped it */
        return false;
    }
    *pt_out = pt;
    return true;
}

bool
env_open_buf(const struct env_view *v, const struct hpke_receiver *opening_key, uint8_t *pt,
             size_t cap, char *why, size_t whylen)
{
    uint8_t key[32], payload[32], commitment[32], info[48];
    struct hpke_ctx hc;
    EVP_CIPHER_CTX *gc = NULL;
    bool ok = false;
    memcpy(info, "ggzy-envelope-v1", 16);
    memcpy(info + 16, v->header_hash, 32);
    if (!hpke_setup_receiver_with(HPKE_AES_256_GCM, v->enc, opening_key, info, sizeof info, &hc,
                                  NULL) ||
        !hpke_open(&hc, NULL, 0, v->wrapped, WRAPPED_LEN, key)) {
        snprintf(why, whylen,
                 "the content key does not unwrap with this opening key (wrong "
                 "key, or the envelope is bound to another header)");
        goto out;
    }
    if (!derive(key, v->nonce, "ggzy-envelope-v1 commitment", v->header_hash, commitment) ||
        CRYPTO_memcmp(commitment, v->commitment, 32) != 0) {
        snprintf(why, whylen, "the key commitment does not match");
        goto out;
    }
    if (v->pt_len > cap) {
        snprintf(why, whylen, "the plaintext is larger than the buffer");
        goto out;
    }
    if (!derive(key, v->nonce, "ggzy-envelope-v1 payload", v->header_hash, payload))
        goto out;
    uint64_t nchunks = v->pt_len == 0 ? 1 : (v->pt_len + ENV_CHUNK - 1) / ENV_CHUNK;
    size_t o = 0;
    if (!(gc = gcm_keyed(false, payload)))
        goto out;
    for (uint64_t i = 0; i < nchunks; i++) {
        size_t off = (size_t)i * ENV_CHUNK;
        size_t n = v->pt_len - off < ENV_CHUNK ? (size_t)(v->pt_len - off) : ENV_CHUNK;
        uint8_t cn[12];
        chunk_nonce(i, i + 1 == nchunks, cn);
        if (!gcm_chunk(gc, false, cn, v->header_hash, v->chunks + o, n, pt + off, v->chunks + o + n,
                       NULL)) {
            snprintf(why, whylen,
                     "chunk %llu does not decrypt (tampered, reordered or "
                     "truncated)",
                     (unsigned long long)i);
            goto out;
        }
        o += n + 16;
    }
    ok = true;
out:
    if (!ok)
        OPENSSL_cleanse(pt, v->pt_len < cap ? (size_t)v->pt_len : cap); /* nothing of a failed
                                                                           decryption is returned */
    EVP_CIPHER_CTX_free(gc); /* frees (and clears) the key schedule */
    OPENSSL_cleanse(key, sizeof key);
    OPENSSL_cleanse(payload, sizeof payload);
    hpke_ctx_wipe(&hc);
    return ok;
}

/* ---- streaming ---- */

bool
env_stream_init(struct env_stream *s, uint64_t limit)
{
    memset(s, 0, sizeof *s);
    s->limit = limit;
    s->all = EVP_MD_CTX_new();
    s->signed_part = EVP_MD_CTX_new();
    return s->all && s->signed_part && EVP_DigestInit_ex(s->signed_part, EVP_sha256(), NULL) == 1;
}

static bool
stream_fail(struct env_stream *s, const char *why)
{
    s->failed = true;
    snprintf(s->why, sizeof s->why, "%s", why);
    return false;
}

/* Take the structured front (magic, header length, header, fixed fields) from p. */
static bool
stream_front(struct env_stream *s, const uint8_t *p, size_t n)
{
    while (n > 0 && s->expected == 0) {
        uint8_t *dst;
        size_t want;
        if (s->pos < 12) {
            dst = s->prefix + s->pos;
            want = 12 - s->pos;
        } else if (s->pos < 12 + (size_t)s->hl) {
            dst = s->header + (s->pos - 12);
            want = 12 + s->hl - s->pos;
        } else {
            dst = s->fixed + (s->pos - 12 - s->hl);
            want = 12 + s->hl + FIXED_TAIL - s->pos;
        }
        size_t take = n < want ? n : want;
        memcpy(dst, p, take);
        s->pos += take;
        p += take;
        n -= take;
        if (s->pos == 12) {
            if (memcmp(s->prefix, ENV_MAGIC, 8))
                return stream_fail(s, "not a ggzy envelope (magic GGZYENV1)");
            s->hl = (uint32_t)be_load(s->prefix + 8, 4);
            if (s->hl == 0 || s->hl > ENV_MAX_HEADER)
                return stream_fail(s, "the header length is wrong");
        } else if (s->pos == 12 + (size_t)s->hl + FIXED_TAIL) {
            uint64_t clen;
            uint64_t pt_len = be_load(s->fixed + FIXED_TAIL - 8, 8);
            if (!chunks_len(pt_len, &clen))
                return stream_fail(s, "the declared plaintext length is out of range");
            s->expected = 12 + s->hl + FIXED_TAIL + clen + 64;
            if (s->expected > s->limit) {
                s->too_large = true;
                return stream_fail(s, "the envelope declares more bytes than the limit");
            }
        }
    }
    return true;
}

bool
env_stream_feed(struct env_stream *s, const uint8_t *p, size_t n)
{
    if (s->failed)
        return false;
    if (s->expected && n > s->expected - s->total)
        return stream_fail(s, "more bytes than the envelope declares (padded)");
    if (n > s->limit - s->total) {
        s->too_large = true;
        return stream_fail(s, "the envelope is larger than the limit");
    }
    s->total += n;
    /* everything but the last 64 bytes is signed: hold those back until more arrive (one pass:
     * the whole envelope's hash continues from a copy of this one at the end) */
    if (s->tail_len + n > 64) {
        size_t spill = s->tail_len + n - 64;
        size_t from_tail = spill < s->tail_len ? spill : s->tail_len;
        if (EVP_DigestUpdate(s->signed_part, s->tail, from_tail) != 1 ||
            EVP_DigestUpdate(s->signed_part, p, spill - from_tail) != 1)
            return stream_fail(s, "cannot hash");
        memmove(s->tail, s->tail + from_tail, s->tail_len - from_tail);
        s->tail_len -= from_tail;
        size_t keep = n - (spill - from_tail);
        memcpy(s->tail + s->tail_len, p + (spill - from_tail), keep);
        s->tail_len += keep;
    } else {
        memcpy(s->tail + s->tail_len, p, n);
        s->tail_len += n;
    }
    if (!stream_front(s, p, n))
        return false;
    /* the piece that completed the fixed fields may also run past the declared end */
    if (s->expected && s->total > s->expected)
        return stream_fail(s, "more bytes than the envelope declares (padded)");
    return true;
}

bool
env_stream_finish(struct env_stream *s, struct env_view *v, uint8_t sha256[32])
{
    memset(v, 0, sizeof *v);
    if (s->failed)
        return false;
    if (s->expected == 0 || s->total != s->expected)
        return stream_fail(s, "the envelope is truncated");
    unsigned n1 = 0, n2 = 0;
    if (s->tail_len != 64 || EVP_MD_CTX_copy_ex(s->all, s->signed_part) != 1 ||
        EVP_DigestUpdate(s->all, s->tail, 64) != 1 ||
        EVP_DigestFinal_ex(s->all, sha256, &n1) != 1 ||
        EVP_DigestFinal_ex(s->signed_part, v->signed_digest, &n2) != 1 ||
        !crypto_sha256(s->header, s->hl, v->header_hash))
        return stream_fail(s, "cannot hash");
    v->header = s->header;
    v->header_len = s->hl;
    v->enc = s->fixed;
    v->wrapped = s->fixed + HPKE_NENC;
    v->nonce = s->fixed + HPKE_NENC + WRAPPED_LEN;
    v->commitment = v->nonce + 16;
    v->pt_len = be_load(s->fixed + FIXED_TAIL - 8, 8);
    v->chunks = NULL;
    v->chunks_len = (size_t)(s->expected - 12 - s->hl - FIXED_TAIL - 64);
    v->signature = s->tail;
    return true;
}

void
env_stream_free(struct env_stream *s)
{
    EVP_MD_CTX_free(s->all);
    EVP_MD_CTX_free(s->signed_part);
    s->all = s->signed_part = NULL;
}
