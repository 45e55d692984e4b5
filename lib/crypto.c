/*
 * crypto.c — OpenSSL 3 helpers for the whole platform (see crypto.h).
 *
 * Every OpenSSL return code is checked; derived password bytes and salts are wiped with
 * OPENSSL_cleanse before the stack frame goes away.
 */
#include "crypto.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/bio.h>
#include <openssl/x509.h>

bool
crypto_random(void *out, size_t n)
{
    return n <= INT32_MAX && RAND_bytes(out, (int)n) == 1;
}

/* SHA-256 fetched from the provider once: EVP_sha256() makes OpenSSL 3 look the algorithm up by
 * name (a lock and string compares) on every use, which showed in the request path's profile
 * (every request hashes its bearer token). */
static EVP_MD *sha256_md;
static pthread_once_t sha256_once = PTHREAD_ONCE_INIT;

/* One digest context per thread, reused: EVP_Digest allocates and frees a context on every
 * call, which the request path's profile showed (every request hashes its bearer token). The
 * key's destructor frees a thread's context when the thread ends. */
static pthread_key_t sha256_ctx_key;
static bool sha256_ctx_key_ok;

static void
sha256_ctx_free(void *ctx)
{
    EVP_MD_CTX_free(ctx);
}

static void
sha256_fetch(void)
{
    sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
    sha256_ctx_key_ok = pthread_key_create(&sha256_ctx_key, sha256_ctx_free) == 0;
}

bool
crypto_sha256(const void *data, size_t n, uint8_t out[32])
{
    unsigned int len = 0;
    pthread_once(&sha256_once, sha256_fetch);
    const EVP_MD *md = sha256_md ? sha256_md : EVP_sha256();
    EVP_MD_CTX *ctx = sha256_ctx_key_ok ? pthread_getspecific(sha256_ctx_key) : NULL;
    if (!ctx && sha256_ctx_key_ok && (ctx = EVP_MD_CTX_new()) != NULL &&
        pthread_setspecific(sha256_ctx_key, ctx) != 0) {
        EVP_MD_CTX_free(ctx);
        ctx = NULL;
    }
    if (!ctx) /* no per-thread context: the one-shot call */
        return EVP_Digest(data, n, out, &len, md, NULL) == 1 && len == 32;
    return EVP_DigestInit_ex2(ctx, md, NULL) == 1 && EVP_DigestUpdate(ctx, data, n) == 1 &&
           EVP_DigestFinal_ex(ctx, out, &len) == 1 && len == 32;
}

static EVP_KDF *hkdf_kdf;
static pthread_once_t hkdf_once = PTHREAD_ONCE_INIT;

static void
hkdf_fetch(void)
{
    hkdf_kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
}

bool
crypto_hkdf(enum crypto_hkdf_mode mode, const uint8_t *salt, size_t salt_len, const uint8_t *key,
            size_t key_len, const uint8_t *info, size_t info_len, uint8_t *out, size_t out_len)
{
    pthread_once(&hkdf_once, hkdf_fetch);
    EVP_KDF_CTX *ctx = hkdf_kdf ? EVP_KDF_CTX_new(hkdf_kdf) : NULL;
    if (!ctx)
        return false;
    int m = mode == CRYPTO_HKDF_EXTRACT  ? EVP_KDF_HKDF_MODE_EXTRACT_ONLY
            : mode == CRYPTO_HKDF_EXPAND ? EVP_KDF_HKDF_MODE_EXPAND_ONLY
                                         : EVP_KDF_HKDF_MODE_EXTRACT_AND_EXPAND;
    OSSL_PARAM params[6], *p = params;
    *p++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)"SHA256", 0);
    *p++ = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &m);
    /* An empty key or salt is legal in HKDF; OpenSSL wants a non-NULL pointer for it. */
    *p++ = OSSL_PARAM_construct_octet_string(
        OSSL_KDF_PARAM_KEY, (void *)(key_len ? key : (const uint8_t *)""), key_len);
    if (mode != CRYPTO_HKDF_EXPAND)
        *p++ = OSSL_PARAM_construct_octet_string(
            OSSL_KDF_PARAM_SALT, (void *)(salt_len ? salt : (const uint8_t *)""), salt_len);
    if (mode != CRYPTO_HKDF_EXTRACT)
        *p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)info, info_len);
    *p = OSSL_PARAM_construct_end();
    bool ok = EVP_KDF_derive(ctx, out, out_len, params) == 1;
    EVP_KDF_CTX_free(ctx); /* clears the key material it copied */
    return ok;
}

bool
crypto_equal(const void *a, const void *b, size_t n)
{
    return CRYPTO_memcmp(a, b, n) == 0;
}

void
hex_encode(const uint8_t *in, size_t n, char *out)
{
    static const char d[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = d[in[i] >> 4];
        out[2 * i + 1] = d[in[i] & 15];
    }
    out[2 * n] = '\0';
}

int
hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

bool
hex_decode(const char *in, uint8_t *out, size_t n)
{
    if (strlen(in) != 2 * n)
        return false;
    for (size_t i = 0; i < n; i++) {
        int hi = hex_digit(in[2 * i]), lo = hex_digit(in[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return false;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return true;
}

static const char b64std[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char b64url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static size_t
b64_enc(const char *alpha, bool pad, const uint8_t *in, size_t n, char *out)
{
    size_t o = 0, i = 0;
    for (; i + 2 < n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
        out[o++] = alpha[v >> 18 & 63];
        out[o++] = alpha[v >> 12 & 63];
        out[o++] = alpha[v >> 6 & 63];
        out[o++] = alpha[v & 63];
    }
    if (i < n) {
        uint32_t v = (uint32_t)in[i] << 16 | (i + 1 < n ? (uint32_t)in[i + 1] << 8 : 0);
        out[o++] = alpha[v >> 18 & 63];
        out[o++] = alpha[v >> 12 & 63];
        if (i + 1 < n)
            out[o++] = alpha[v >> 6 & 63];
        else if (pad)
            out[o++] = '=';
        if (pad)
            out[o++] = '=';
    }
    out[o] = '\0';
    return o;
}

/* The value of each byte in alpha, or -1. */
static void
b64_table(const char *alpha, signed char t[256])
{
    memset(t, -1, 256);
    for (int i = 0; i < 64; i++)
        t[(unsigned char)alpha[i]] = (signed char)i;
}

static long
b64_dec(const signed char *t, bool pad, const char *in, size_t len, uint8_t *out, size_t outcap)
{
    if (pad) {
        if (len % 4)
            return -1;
        if (len && in[len - 1] == '=')
            len--;
        if (len && in[len - 1] == '=')
            len--;
    }
    if (len % 4 == 1 || (len / 4) * 3 + (len % 4 ? len % 4 - 1 : 0) > outcap)
        return -1;
    size_t o = 0, i = 0;
    for (; i + 4 <= len; i += 4) {
        int a = t[(unsigned char)in[i]], b = t[(unsigned char)in[i + 1]],
            c = t[(unsigned char)in[i + 2]], d = t[(unsigned char)in[i + 3]];
        if ((a | b | c | d) < 0)
            return -1;
        uint32_t v = (uint32_t)a << 18 | (uint32_t)b << 12 | (uint32_t)c << 6 | (uint32_t)d;
        out[o++] = (uint8_t)(v >> 16);
        out[o++] = (uint8_t)(v >> 8);
        out[o++] = (uint8_t)v;
    }
    if (i < len) { /* 2 or 3 characters left */
        int a = t[(unsigned char)in[i]], b = t[(unsigned char)in[i + 1]];
        int c = len - i == 3 ? t[(unsigned char)in[i + 2]] : 0;
        if ((a | b | c) < 0)
            return -1;
        uint32_t v = (uint32_t)a << 18 | (uint32_t)b << 12 | (uint32_t)c << 6;
        out[o++] = (uint8_t)(v >> 16);
        if (len - i == 3)
            out[o++] = (uint8_t)(v >> 8);
        if ((len - i == 2 && (v & 0xFFFF)) || (len - i == 3 && (v & 0xFF)))
            return -1; /* non-canonical trailing bits */
    }
    return (long)o;
}

static signed char url_table[256], std_table[256];
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;

static void
init_tables(void)
{
    b64_table(b64url, url_table);
    b64_table(b64std, std_table);
}

size_t
b64url_encode(const uint8_t *in, size_t n, char *out)
{
    return b64_enc(b64url, false, in, n, out);
}

long
b64url_decode(const char *in, uint8_t *out, size_t outcap)
{
    pthread_once(&tables_once, init_tables);
    return b64_dec(url_table, false, in, strlen(in), out, outcap);
}

size_t
b64_encode(const uint8_t *in, size_t n, char *out)
{
    return b64_enc(b64std, true, in, n, out);
}

long
b64_decode(const char *in, size_t inlen, uint8_t *out, size_t outcap)
{
    pthread_once(&tables_once, init_tables);
    return b64_dec(std_table, true, in, inlen, out, outcap);
}

/* Derive 32 bytes with scrypt. Returns false on any OpenSSL failure. */
static bool
scrypt32(const char *pw, const uint8_t *salt, size_t saltlen, unsigned log2n, unsigned r,
         unsigned p, uint8_t out[32])
{
    bool ok = false;
    EVP_KDF *kdf = EVP_KDF_fetch(NULL, "SCRYPT", NULL);
    EVP_KDF_CTX *ctx = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
    if (!ctx)
        goto fail;
    uint64_t n = (uint64_t)1 << log2n;
    uint32_t rr = r, pp = p;
    uint64_t maxmem = (uint64_t)128 * r * (n + p + 2) + (1u << 20);
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PASSWORD, (void *)pw, strlen(pw)),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)salt, saltlen),
        OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_N, &n),
        OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_R, &rr),
        OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_P, &pp),
        OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_MAXMEM, &maxmem),
        OSSL_PARAM_construct_end(),
    };
    ok = EVP_KDF_derive(ctx, out, 32, params) == 1;
fail:
    EVP_KDF_CTX_free(ctx);
    EVP_KDF_free(kdf);
    return ok;
}

char *
password_hash(const char *pw, unsigned log2n, unsigned r, unsigned p)
{
    uint8_t salt[16], dk[32];
    char salt64[32], dk64[48];
    char *out = NULL;
    if (!crypto_random(salt, sizeof salt) || !scrypt32(pw, salt, sizeof salt, log2n, r, p, dk))
        goto fail;
    b64url_encode(salt, sizeof salt, salt64);
    b64url_encode(dk, sizeof dk, dk64);
    size_t len = 96;
    out = malloc(len);
    if (out)
        snprintf(out, len, "scrypt$%u$%u$%u$%s$%s", log2n, r, p, salt64, dk64);
fail:
    OPENSSL_cleanse(dk, sizeof dk); /* derived key: wiped */
    return out;
}

bool
password_verify(const char *pw, const char *encoded)
{
    unsigned log2n, r, p;
    char salt64[33], dk64[65];
    uint8_t salt[32], want[48], got[32];
    bool ok = false;
    if (sscanf(encoded, "scrypt$%u$%u$%u$%32[A-Za-z0-9_-]$%64[A-Za-z0-9_-]", &log2n, &r, &p, salt64,
               dk64) != 5)
        return false;
    if (log2n < 1 || log2n > 24 || r < 1 || r > 64 || p < 1 || p > 64)
        return false;
    long sl = b64url_decode(salt64, salt, sizeof salt);
    long wl = b64url_decode(dk64, want, sizeof want);
    if (sl < 8 || wl != 32)
        return false;
    if (scrypt32(pw, salt, (size_t)sl, log2n, r, p, got))
        ok = crypto_equal(got, want, 32);
    OPENSSL_cleanse(got, sizeof got); /* derived key: wiped */
    OPENSSL_cleanse(want, sizeof want);
    return ok;
}

bool
pubkey_parse_p256(const char *pem, size_t pem_len, uint8_t **der, size_t *der_len, char key_id[65],
                  char *err, size_t errlen)
{
    bool ok = false;
    EVP_PKEY *pk = NULL;
    unsigned char *d = NULL;
    BIO *bio = pem_len <= INT32_MAX ? BIO_new_mem_buf(pem, (int)pem_len) : NULL;
    if (!bio) {
        snprintf(err, errlen, "cannot read the key");
        goto fail;
    }
    pk = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
    if (!pk) {
        snprintf(err, errlen, "public_key is not a PEM public key (-----BEGIN PUBLIC KEY-----)");
        goto fail;
    }
    char group[64] = "";
    size_t glen = 0;
    if (!EVP_PKEY_is_a(pk, "EC") ||
        EVP_PKEY_get_utf8_string_param(pk, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group,
                                       &glen) != 1 ||
        strcmp(group, "prime256v1") != 0) {
        snprintf(err, errlen, "public_key must be an ECDSA P-256 (prime256v1) key");
        goto fail;
    }
    int n = i2d_PUBKEY(pk, &d);
    if (n <= 0) {
        snprintf(err, errlen, "cannot encode the key");
        goto fail;
    }
    uint8_t h[32];
    if (!crypto_sha256(d, (size_t)n, h)) {
        snprintf(err, errlen, "cannot hash the key");
        goto fail;
    }
    hex_encode(h, 32, key_id);
    *der = malloc((size_t)n);
    if (!*der) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    memcpy(*der, d, (size_t)n);
    *der_len = (size_t)n;
    ok = true;
fail:
    OPENSSL_free(d);
    EVP_PKEY_free(pk);
    BIO_free(bio);
    return ok;
}
