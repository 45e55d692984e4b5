/*
 * cert.c — see cert.h. OpenSSL's X509_verify_cert does the chain, validity and CRL checks; the
 * rest (side, key usage, credit code, suite) is read from the leaf here.
 */
#define _GNU_SOURCE /* timegm */
#include "cert.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "crypto.h"
#include "util.h"

static const char *const side_names[SIDE__COUNT] = {"bidder", "agent",  "supervision", "center",
                                                    "device", "expert", "finance",     "tenderer"};

const char *
side_name(enum side s)
{
    return s >= 0 && s < SIDE__COUNT ? side_names[s] : "none";
}

enum side
side_from_name(const char *name)
{
    for (int i = 0; name && i < SIDE__COUNT; i++)
        if (!strcmp(name, side_names[i]))
            return (enum side)i;
    return SIDE_NONE;
}

enum side
side_of_org_type(const char *t)
{
    if (!t)
        return SIDE_NONE;
    if (!strcmp(t, "bidder"))
        return SIDE_BIDDER;
    if (!strcmp(t, "agency"))
        return SIDE_AGENT;
    if (!strcmp(t, "tenderer"))
        return SIDE_TENDERER;
    if (!strcmp(t, "supervision"))
        return SIDE_SUPERVISION;
    if (!strcmp(t, "center"))
        return SIDE_CENTER;
    return SIDE_NONE;
}

enum side
side_of_account(const char *role, const char *org_type)
{
    return role && !strcmp(role, "expert") ? SIDE_EXPERT : side_of_org_type(org_type);
}

struct trust_set {
    STACK_OF(X509) * anchors[SIDE__COUNT];
    STACK_OF(X509_CRL) * crls;
};

struct trust_set *
trust_set_new(void)
{
    struct trust_set *ts = calloc(1, sizeof *ts);
    if (!ts)
        return NULL;
    bool ok = (ts->crls = sk_X509_CRL_new_null()) != NULL;
    for (int i = 0; ok && i < SIDE__COUNT; i++)
        ok = (ts->anchors[i] = sk_X509_new_null()) != NULL;
    if (!ok) {
        trust_set_free(ts);
        return NULL;
    }
    return ts;
}

void
trust_set_free(struct trust_set *ts)
{
    if (!ts)
        return;
    for (int i = 0; i < SIDE__COUNT; i++)
        sk_X509_pop_free(ts->anchors[i], X509_free);
    sk_X509_CRL_pop_free(ts->crls, X509_CRL_free);
    free(ts);
}

size_t
trust_set_count(const struct trust_set *ts, enum side side)
{
    return ts && side >= 0 && side < SIDE__COUNT ? (size_t)sk_X509_num(ts->anchors[side]) : 0;
}

bool
trust_set_load_pem(struct trust_set *ts, enum side side, const char *path, char *err, size_t errlen)
{
    size_t len = 0;
    char *pem = read_file(path, 1 << 20, &len);
    BIO *bio = pem ? BIO_new_mem_buf(pem, (int)len) : NULL;
    int n = 0;
    X509 *x;
    while (bio && (x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
        if (!sk_X509_push(ts->anchors[side], x)) {
            X509_free(x);
            break;
        }
        n++;
    }
    BIO_free(bio);
    free(pem);
    if (n == 0) {
        snprintf(err, errlen, "%s: no PEM certificate could be read", path);
        return false;
    }
    return true;
}

bool
trust_set_load_crls(struct trust_set *ts, const char *path, char *err, size_t errlen)
{
    size_t len = 0;
    char *pem = read_file(path, 16 << 20, &len);
    BIO *bio = pem ? BIO_new_mem_buf(pem, (int)len) : NULL;
    int n = 0;
    X509_CRL *c;
    while (bio && (c = PEM_read_bio_X509_CRL(bio, NULL, NULL, NULL)) != NULL) {
        if (!sk_X509_CRL_push(ts->crls, c)) {
            X509_CRL_free(c);
            break;
        }
        n++;
    }
    BIO_free(bio);
    free(pem);
    if (!pem) {
        snprintf(err, errlen, "%s: cannot be read", path);
        return false;
    }
    (void)n; /* an empty CRL file is allowed: no revocations published yet */
    return true;
}

/* base64 of DER (malloc'd) */
static char *
b64_of(const unsigned char *der, int n)
{
    char *s = n > 0 ? malloc(4 * (((size_t)n + 2) / 3) + 1) : NULL;
    if (s)
        b64_encode(der, (size_t)n, s);
    return s;
}

static bool
add_b64(cJSON *arr, const unsigned char *der, int n)
{
    char *s = b64_of(der, n);
    if (!s)
        return false;
    cJSON_AddItemToArray(arr, cJSON_CreateString(s));
    free(s);
    return true;
}

cJSON *
trust_set_json(const struct trust_set *ts)
{
    cJSON *o = cJSON_CreateObject(), *sides = cJSON_AddObjectToObject(o, "sides");
    bool ok = sides != NULL;
    for (int i = 0; ok && i < SIDE__COUNT; i++) {
        cJSON *arr = cJSON_AddArrayToObject(sides, side_names[i]);
        for (int k = 0; ok && k < sk_X509_num(ts->anchors[i]); k++) {
            unsigned char *der = NULL;
            int n = i2d_X509(sk_X509_value(ts->anchors[i], k), &der);
            ok = add_b64(arr, der, n);
            OPENSSL_free(der);
        }
    }
    cJSON *crls = cJSON_AddArrayToObject(o, "crls");
    for (int k = 0; ok && k < sk_X509_CRL_num(ts->crls); k++) {
        unsigned char *der = NULL;
        int n = i2d_X509_CRL(sk_X509_CRL_value(ts->crls, k), &der);
        ok = add_b64(crls, der, n);
        OPENSSL_free(der);
    }
    if (!ok) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

/* base64 DER of a JSON string into a malloc'd buffer */
static uint8_t *
der_of(const cJSON *s, size_t *len)
{
    const char *b = cJSON_GetStringValue(s);
    size_t bl = b ? strlen(b) : 0;
    uint8_t *der = bl ? malloc(bl) : NULL;
    long n = der ? b64_decode(b, bl, der, bl) : -1;
    if (n <= 0) {
        free(der);
        return NULL;
    }
    *len = (size_t)n;
    return der;
}

struct trust_set *
trust_set_from_json(const cJSON *j)
{
    struct trust_set *ts = trust_set_new();
    const cJSON *sides = cJSON_GetObjectItemCaseSensitive(j, "sides");
    bool ok = ts && cJSON_IsObject(sides);
    for (int i = 0; ok && i < SIDE__COUNT; i++) {
        const cJSON *arr = cJSON_GetObjectItemCaseSensitive(sides, side_names[i]);
        for (const cJSON *it = cJSON_IsArray(arr) ? arr->child : NULL; ok && it; it = it->next) {
            size_t n = 0;
            uint8_t *der = der_of(it, &n);
            const unsigned char *p = der;
            X509 *x = der ? d2i_X509(NULL, &p, (long)n) : NULL;
            ok = x && sk_X509_push(ts->anchors[i], x);
            if (!ok)
                X509_free(x);
            free(der);
        }
    }
    const cJSON *crls = cJSON_GetObjectItemCaseSensitive(j, "crls");
    for (const cJSON *it = cJSON_IsArray(crls) ? crls->child : NULL; ok && it; it = it->next) {
        size_t n = 0;
        uint8_t *der = der_of(it, &n);
        const unsigned char *p = der;
        X509_CRL *c = der ? d2i_X509_CRL(NULL, &p, (long)n) : NULL;
        ok = c && sk_X509_CRL_push(ts->crls, c);
        if (!ok)
            X509_CRL_free(c);
        free(der);
    }
    if (!ok) {
        trust_set_free(ts);
        return NULL;
    }
    return ts;
}

/* ---- chains ---- */

void
cert_chain_free(struct cert_chain *c)
{
    for (size_t i = 0; i < c->n; i++)
        free(c->der[i]);
    memset(c, 0, sizeof *c);
}

static bool
chain_push(struct cert_chain *c, X509 *x)
{
    unsigned char *der = NULL;
    int n = c->n < CERT_MAX_CHAIN ? i2d_X509(x, &der) : -1;
    if (n <= 0 || n > CERT_MAX_DER) {
        OPENSSL_free(der);
        return false;
    }
    c->der[c->n] = malloc((size_t)n);
    if (!c->der[c->n]) {
        OPENSSL_free(der);
        return false;
    }
    memcpy(c->der[c->n], der, (size_t)n);
    c->len[c->n++] = (size_t)n;
    OPENSSL_free(der);
    return true;
}

bool
cert_chain_from_pem(const char *pem, size_t len, struct cert_chain *out, char *why, size_t whylen)
{
    memset(out, 0, sizeof *out);
    BIO *bio = len <= INT32_MAX ? BIO_new_mem_buf(pem, (int)len) : NULL;
    X509 *x;
    bool ok = bio != NULL;
    while (ok && (x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
        ok = chain_push(out, x);
        X509_free(x);
    }
    BIO_free(bio);
    if (!ok || out->n == 0) {
        snprintf(why, whylen,
                 "certificate must be PEM text: the signing certificate first, then any "
                 "intermediate CA certificates (at most %d, each at most %d bytes)",
                 CERT_MAX_CHAIN, CERT_MAX_DER);
        cert_chain_free(out);
        return false;
    }
    return true;
}

bool
cert_chain_from_der(const uint8_t *der, size_t len, struct cert_chain *out)
{
    memset(out, 0, sizeof *out);
    const unsigned char *p = der, *end = der + len;
    while (p < end) {
        X509 *x = d2i_X509(NULL, &p, (long)(end - p));
        bool ok = x && chain_push(out, x);
        X509_free(x);
        if (!ok) {
            cert_chain_free(out);
            return false;
        }
    }
    return out->n > 0;
}

bool
cert_chain_from_json(const cJSON *arr, struct cert_chain *out)
{
    memset(out, 0, sizeof *out);
    for (const cJSON *it = cJSON_IsArray(arr) ? arr->child : NULL; it; it = it->next) {
        size_t n = 0;
        uint8_t *der = der_of(it, &n);
        const unsigned char *p = der;
        X509 *x = der ? d2i_X509(NULL, &p, (long)n) : NULL;
        bool ok = x && p == der + n && chain_push(out, x);
        X509_free(x);
        free(der);
        if (!ok) {
            cert_chain_free(out);
            return false;
        }
    }
    return out->n > 0;
}

cJSON *
cert_chain_json(const struct cert_chain *c)
{
    cJSON *arr = cJSON_CreateArray();
    for (size_t i = 0; arr && i < c->n; i++)
        if (!add_b64(arr, c->der[i], (int)c->len[i])) {
            cJSON_Delete(arr);
            return NULL;
        }
    return arr;
}

/* ---- checking ---- */

void
cert_info_free(struct cert_info *info)
{
    EVP_PKEY_free(info->key);
    info->key = NULL;
}

static int64_t
asn1_time_us(const ASN1_TIME *t)
{
    struct tm tm;
    if (!t || ASN1_TIME_to_tm(t, &tm) != 1)
        return 0;
    return (int64_t)timegm(&tm) * 1000000;
}

/* The credit code the subject names: serialNumber or organizationIdentifier. */
static bool
subject_code(X509_NAME *name, char out[19])
{
    static const int nids[] = {NID_serialNumber, NID_organizationIdentifier};
    for (size_t i = 0; i < ARRAY_LEN(nids); i++) {
        int at = X509_NAME_get_index_by_NID(name, nids[i], -1);
        X509_NAME_ENTRY *e = at >= 0 ? X509_NAME_get_entry(name, at) : NULL;
        ASN1_STRING *s = e ? X509_NAME_ENTRY_get_data(e) : NULL;
        if (s && ASN1_STRING_length(s) == 18) {
            memcpy(out, ASN1_STRING_get0_data(s), 18);
            out[18] = '\0';
            return true;
        }
    }
    out[0] = '\0';
    return false;
}

/* Narrow [*lo, *hi] to [from, until] (0: unbounded on that side). */
static void
narrow(int64_t *lo, int64_t *hi, int64_t from, int64_t until)
{
    if (from > *lo)
        *lo = from;
    if (until && until < *hi)
        *hi = until;
}

void
trust_set_window(const struct trust_set *ts, enum side side, int64_t *lo, int64_t *hi)
{
    *lo = INT64_MIN;
    *hi = INT64_MAX;
    for (int i = 0; side >= 0 && side < SIDE__COUNT && i < sk_X509_num(ts->anchors[side]); i++) {
        X509 *a = sk_X509_value(ts->anchors[side], i);
        narrow(lo, hi, asn1_time_us(X509_get0_notBefore(a)), asn1_time_us(X509_get0_notAfter(a)));
    }
    for (int i = 0; i < sk_X509_CRL_num(ts->crls); i++) {
        X509_CRL *c = sk_X509_CRL_value(ts->crls, i);
        const ASN1_TIME *next = X509_CRL_get0_nextUpdate(c);
        narrow(lo, hi, asn1_time_us(X509_CRL_get0_lastUpdate(c)), next ? asn1_time_us(next) : 0);
    }
}

bool
cert_chain_window(const struct cert_chain *chain, int64_t *lo, int64_t *hi)
{
    *lo = INT64_MIN;
    *hi = INT64_MAX;
    for (size_t i = 0; i < chain->n; i++) {
        const unsigned char *p = chain->der[i];
        X509 *x = d2i_X509(NULL, &p, (long)chain->len[i]);
        if (!x)
            return false;
        narrow(lo, hi, asn1_time_us(X509_get0_notBefore(x)), asn1_time_us(X509_get0_notAfter(x)));
        X509_free(x);
    }
    return true;
}

/* X509_verify_cert of leaf against side's anchors at t (seconds). Returns the X509_V_* result. */
static int
verify_side(const struct trust_set *ts, enum side side, X509 *leaf, STACK_OF(X509) * untrusted,
            time_t t)
{
    if (!sk_X509_num(ts->anchors[side]))
        return X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY;
    X509_STORE *store = X509_STORE_new();
    X509_STORE_CTX *ctx = X509_STORE_CTX_new();
    int result = X509_V_ERR_UNSPECIFIED;
    bool ok = store && ctx;
    for (int i = 0; ok && i < sk_X509_num(ts->anchors[side]); i++)
        ok = X509_STORE_add_cert(store, sk_X509_value(ts->anchors[side], i)) == 1;
    /* revocation: checked whenever the set holds a CRL of the leaf's issuer (a side with no CRL
     * published yet is not refused for lacking one) */
    bool crl = false;
    for (int i = 0; ok && i < sk_X509_CRL_num(ts->crls); i++) {
        X509_CRL *c = sk_X509_CRL_value(ts->crls, i);
        ok = X509_STORE_add_crl(store, c) == 1;
        crl = crl || X509_NAME_cmp(X509_CRL_get_issuer(c), X509_get_issuer_name(leaf)) == 0;
    }
    if (ok && X509_STORE_CTX_init(ctx, store, leaf, untrusted) == 1) {
        X509_VERIFY_PARAM *pm = X509_STORE_CTX_get0_param(ctx);
        X509_VERIFY_PARAM_set_time(pm, t);
        /* an operator may anchor at an intermediate CA (PARTIAL_CHAIN) */
        X509_VERIFY_PARAM_set_flags(pm,
                                    X509_V_FLAG_PARTIAL_CHAIN | (crl ? X509_V_FLAG_CRL_CHECK : 0));
        result = X509_verify_cert(ctx) == 1 ? X509_V_OK : X509_STORE_CTX_get_error(ctx);
    }
    X509_STORE_CTX_free(ctx);
    X509_STORE_free(store);
    return result;
}

const char *
cert_check(const struct trust_set *ts, enum side side, const struct cert_chain *chain,
           const char *credit_code, int64_t at_us, struct cert_info *info, char *why, size_t whylen)
{
    const char *rule = "KEY-CERT-FORMAT";
    memset(info, 0, sizeof *info);
    info->side = side;
    X509 *leaf = NULL;
    STACK_OF(X509) *untrusted = sk_X509_new_null();
    unsigned char *spki = NULL;
    if (!untrusted || chain->n == 0 || side < 0 || side >= SIDE__COUNT) {
        snprintf(why, whylen, "no certificate");
        goto out;
    }
    for (size_t i = 0; i < chain->n; i++) {
        const unsigned char *p = chain->der[i];
        X509 *x = d2i_X509(NULL, &p, (long)chain->len[i]);
        if (!x || (i > 0 && !sk_X509_push(untrusted, x))) {
            X509_free(x);
            snprintf(why, whylen, "certificate %zu of the chain cannot be read", i + 1);
            goto out;
        }
        if (i == 0)
            leaf = x;
    }
    uint8_t h[32];
    if (!crypto_sha256(chain->der[0], chain->len[0], h))
        goto out;
    hex_encode(h, 32, info->sha256);
    X509_NAME_oneline(X509_get_subject_name(leaf), info->subject, sizeof info->subject);
    info->not_before_us = asn1_time_us(X509_get0_notBefore(leaf));
    info->not_after_us = asn1_time_us(X509_get0_notAfter(leaf));
    info->key = X509_get_pubkey(leaf);
    int sl = info->key ? i2d_PUBKEY(info->key, &spki) : -1;
    if (sl <= 0 || (size_t)sl > sizeof info->spki || !crypto_sha256(spki, (size_t)sl, h)) {
        snprintf(why, whylen, "the certificate's public key cannot be read");
        goto out;
    }
    memcpy(info->spki, spki, (size_t)sl);
    info->spki_len = (size_t)sl;
    hex_encode(h, 32, info->key_id);
    subject_code(X509_get_subject_name(leaf), info->credit_code);

    rule = "KEY-CERT-ALG";
    info->suite = sig_suite_of(info->key);
    if (!info->suite) {
        snprintf(why, whylen, "the certificate carries %s: keys are certified for %s",
                 sig_key_kind(info->key), "ECDSA-P256-SHA256");
        goto out;
    }
    time_t t = (time_t)(at_us / 1000000);
    int v = verify_side(ts, side, leaf, untrusted, t);
    if (v == X509_V_ERR_CERT_HAS_EXPIRED || v == X509_V_ERR_CERT_NOT_YET_VALID) {
        rule = "KEY-CERT-EXPIRED";
        snprintf(why, whylen, "the certificate is not valid at that time (%s)",
                 X509_verify_cert_error_string(v));
        goto out;
    }
    if (v == X509_V_ERR_CERT_REVOKED) {
        rule = "KEY-CERT-REVOKED";
        snprintf(why, whylen, "the certificate is revoked by its CA's CRL");
        goto out;
    }
    if (v != X509_V_OK) {
        for (int s = 0; s < SIDE__COUNT; s++)
            if (s != (int)side && verify_side(ts, (enum side)s, leaf, untrusted, t) == X509_V_OK) {
                rule = "KEY-CERT-SIDE";
                snprintf(why, whylen,
                         "the certificate is issued for the %s side, not the %s side: each side's "
                         "keys are certified by its own CAs",
                         side_names[s], side_names[side]);
                goto out;
            }
        rule = "KEY-CERT-CHAIN";
        snprintf(why, whylen,
                 "the certificate does not chain to a CA the platform trusts for the %s side "
                 "(%s)",
                 side_names[side], X509_verify_cert_error_string(v));
        goto out;
    }
    uint32_t ku = X509_get_key_usage(leaf);
    if (ku == UINT32_MAX || !(ku & (KU_DIGITAL_SIGNATURE | KU_NON_REPUDIATION))) {
        rule = "KEY-CERT-USAGE";
        snprintf(why, whylen,
                 "the certificate's key usage must include digitalSignature or nonRepudiation");
        goto out;
    }
    if (credit_code && strcmp(info->credit_code, credit_code)) {
        rule = "KEY-CERT-ORG";
        snprintf(why, whylen,
                 "the certificate names the organization %s, not yours (%s): its subject's "
                 "serialNumber or organizationIdentifier must be your unified social credit code",
                 info->credit_code[0] ? info->credit_code : "(none)", credit_code);
        goto out;
    }
    rule = NULL;
out:
    OPENSSL_free(spki);
    X509_free(leaf);
    sk_X509_pop_free(untrusted, X509_free);
    return rule;
}
