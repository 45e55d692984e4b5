/*
 * note.c — see note.h. Only OpenSSL and the base64 helpers of crypto.c.
 */
#include "note.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/x509.h>

#include "crypto.h"

static const char em_dash[] = "\xE2\x80\x94 "; /* U+2014 and a space */

char *
note_checkpoint_text(const char *origin, uint64_t size, const uint8_t root[32])
{
    char b64[48];
    b64_encode(root, 32, b64);
    size_t n = strlen(origin) + 80;
    char *t = malloc(n);
    if (t)
        snprintf(t, n, "%s\n%llu\n%s\n", origin, (unsigned long long)size, b64);
    return t;
}

static bool
sha256_cat(const void *a, size_t na, const void *b, size_t nb, const void *c, size_t nc,
           uint8_t out[32])
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    unsigned int len = 0;
    bool ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1 &&
              EVP_DigestUpdate(ctx, a, na) == 1 && EVP_DigestUpdate(ctx, b, nb) == 1 &&
              EVP_DigestUpdate(ctx, c, nc) == 1 && EVP_DigestFinal_ex(ctx, out, &len) == 1;
    EVP_MD_CTX_free(ctx);
    return ok;
}

bool
note_ed25519_key_id(const char *name, const uint8_t pub[32], uint8_t id[4])
{
    static const uint8_t sep[2] = {0x0A, 0x01};
    uint8_t h[32];
    if (!sha256_cat(name, strlen(name), sep, 2, pub, 32, h))
        return false;
    memcpy(id, h, 4);
    return true;
}

char *
note_vkey(const char *name, const uint8_t pub[32])
{
    uint8_t id[4], raw[33];
    char hex[9], b64[64];
    if (!note_ed25519_key_id(name, pub, id))
        return NULL;
    hex_encode(id, 4, hex);
    raw[0] = 0x01;
    memcpy(raw + 1, pub, 32);
    b64_encode(raw, 33, b64);
    size_t n = strlen(name) + 80;
    char *v = malloc(n);
    if (v)
        snprintf(v, n, "%s+%s+%s", name, hex, b64);
    return v;
}

bool
note_parse_vkey(const char *vkey, char name[256], uint8_t id[4], uint8_t pub[32])
{
    const char *p1 = strchr(vkey, '+');
    const char *p2 = p1 ? strchr(p1 + 1, '+') : NULL;
    if (!p1 || !p2 || p1 == vkey || (size_t)(p1 - vkey) >= 256 || p2 - p1 != 9)
        return false;
    memcpy(name, vkey, (size_t)(p1 - vkey));
    name[p1 - vkey] = '\0';
    char hex[9];
    memcpy(hex, p1 + 1, 8);
    hex[8] = '\0';
    uint8_t raw[40], want[4];
    if (!hex_decode(hex, id, 4) || b64_decode(p2 + 1, strlen(p2 + 1), raw, sizeof raw) != 33 ||
        raw[0] != 0x01)
        return false;
    memcpy(pub, raw + 1, 32);
    return note_ed25519_key_id(name, pub, want) && memcmp(want, id, 4) == 0;
}

char *
note_sign_line(EVP_PKEY *key, const char *name, const uint8_t id[4], const char *text, size_t len)
{
    uint8_t raw[4 + 64];
    size_t siglen = 64;
    char b64[128];
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    bool ok = ctx && EVP_DigestSignInit(ctx, NULL, NULL, NULL, key) == 1 &&
              EVP_DigestSign(ctx, raw + 4, &siglen, (const unsigned char *)text, len) == 1 &&
              siglen == 64;
    EVP_MD_CTX_free(ctx);
    if (!ok)
        return NULL;
    memcpy(raw, id, 4);
    b64_encode(raw, sizeof raw, b64);
    size_t n = strlen(name) + strlen(b64) + 16;
    char *line = malloc(n);
    if (line)
        snprintf(line, n, "%s%s %s\n", em_dash, name, b64);
    return line;
}

bool
note_ed25519_verify(const uint8_t pub[32], const void *msg, size_t len, const uint8_t *sig,
                    size_t siglen)
{
    EVP_PKEY *k = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pub, 32);
    EVP_MD_CTX *ctx = k ? EVP_MD_CTX_new() : NULL;
    bool ok = ctx && siglen == 64 && EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, k) == 1 &&
              EVP_DigestVerify(ctx, sig, siglen, msg, len) == 1;
    EVP_MD_CTX_free(ctx);
    EVP_PKEY_free(k);
    return ok;
}

bool
note_signed_by(const struct checkpoint_note *n, const char *note, const char *name,
               const uint8_t id[4], const uint8_t pub[32])
{
    for (int i = 0; i < n->nsigs; i++)
        if (!strcmp(n->sigs[i].name, name) && !memcmp(n->sigs[i].key_id, id, 4) &&
            note_ed25519_verify(pub, note, n->text_len, n->sigs[i].sig, n->sigs[i].sig_len))
            return true;
    return false;
}

bool
note_ecdsa_key_id(const uint8_t *spki, size_t len, uint8_t id[4])
{
    uint8_t h[32];
    if (!crypto_sha256(spki, len, h))
        return false;
    memcpy(id, h, 4);
    return true;
}

bool
note_ecdsa_verify(const uint8_t *spki, size_t spki_len, const void *msg, size_t len,
                  const uint8_t *sig, size_t siglen)
{
    const unsigned char *p = spki;
    EVP_PKEY *k = spki_len <= INT32_MAX ? d2i_PUBKEY(NULL, &p, (long)spki_len) : NULL;
    EVP_MD_CTX *ctx = k ? EVP_MD_CTX_new() : NULL;
    bool ok = ctx && EVP_PKEY_is_a(k, "EC") &&
              EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, k) == 1 &&
              EVP_DigestVerify(ctx, sig, siglen, msg, len) == 1;
    EVP_MD_CTX_free(ctx);
    EVP_PKEY_free(k);
    return ok;
}

bool
note_ecdsa_sign(EVP_PKEY *key, const void *msg, size_t len, uint8_t *sig, size_t *siglen)
{
    size_t cap = 80;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    bool ok = ctx && EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, key) == 1 &&
              EVP_DigestSign(ctx, sig, &cap, msg, len) == 1;
    EVP_MD_CTX_free(ctx);
    *siglen = cap;
    return ok;
}

bool
note_parse(const char *note, size_t len, struct checkpoint_note *out, char *why, size_t whylen)
{
    memset(out, 0, sizeof *out);
    const char *end = note + len;
    for (const char *p = note; p < end; p++)
        if ((unsigned char)*p < 0x20 && *p != '\n') {
            snprintf(why, whylen, "the note holds a control character");
            return false;
        }
    /* text: lines up to the blank line */
    const char *sep = NULL;
    for (const char *p = note; p + 1 < end; p++)
        if (p[0] == '\n' && p[1] == '\n') {
            sep = p + 1;
            break;
        }
    if (!sep) {
        snprintf(why, whylen, "no blank line before the signatures");
        return false;
    }
    out->text_len = (size_t)(sep - note);
    const char *l1 = note, *e1 = memchr(l1, '\n', (size_t)(sep - l1));
    const char *l2 = e1 ? e1 + 1 : NULL, *e2 = l2 ? memchr(l2, '\n', (size_t)(sep - l2)) : NULL;
    const char *l3 = e2 ? e2 + 1 : NULL, *e3 = l3 ? memchr(l3, '\n', (size_t)(sep - l3)) : NULL;
    if (!e3 || e1 == l1 || (size_t)(e1 - l1) >= sizeof out->origin) {
        snprintf(why, whylen, "a checkpoint needs origin, size and root lines");
        return false;
    }
    memcpy(out->origin, l1, (size_t)(e1 - l1));
    char num[24], b64[64];
    if (e2 - l2 < 1 || e2 - l2 > 20 || e3 - l3 < 1 || e3 - l3 >= (long)sizeof b64) {
        snprintf(why, whylen, "bad size or root line");
        return false;
    }
    memcpy(num, l2, (size_t)(e2 - l2));
    num[e2 - l2] = '\0';
    memcpy(b64, l3, (size_t)(e3 - l3));
    b64[e3 - l3] = '\0';
    char *numend = NULL;
    if (num[0] < '0' || num[0] > '9' || (num[0] == '0' && num[1])) {
        snprintf(why, whylen, "the size is not a decimal number");
        return false;
    }
    out->size = strtoull(num, &numend, 10);
    if (*numend || b64_decode(b64, strlen(b64), out->root, 32) != 32) {
        snprintf(why, whylen, "bad size or root hash");
        return false;
    }
    /* signatures */
    const char *p = sep + 1;
    while (p < end) {
        const char *e = memchr(p, '\n', (size_t)(end - p));
        if (!e) {
            snprintf(why, whylen, "the last signature line has no newline");
            return false;
        }
        size_t dl = sizeof em_dash - 1;
        if ((size_t)(e - p) < dl || memcmp(p, em_dash, dl)) {
            snprintf(why, whylen, "a signature line must start with an em dash");
            return false;
        }
        const char *name = p + dl, *sp = memchr(name, ' ', (size_t)(e - name));
        if (!sp || sp == name || (size_t)(sp - name) >= 256 || out->nsigs == NOTE_MAX_SIGS) {
            snprintf(why, whylen, "bad signature line");
            return false;
        }
        struct note_sig *s = &out->sigs[out->nsigs];
        memcpy(s->name, name, (size_t)(sp - name));
        uint8_t raw[4 + 160];
        long n = b64_decode(sp + 1, (size_t)(e - sp - 1), raw, sizeof raw);
        if (n < 5) {
            snprintf(why, whylen, "bad signature encoding");
            return false;
        }
        memcpy(s->key_id, raw, 4);
        s->sig_len = (size_t)n - 4;
        memcpy(s->sig, raw + 4, s->sig_len);
        out->nsigs++;
        p = e + 1;
    }
    if (out->nsigs == 0) {
        snprintf(why, whylen, "no signatures");
        return false;
    }
    return true;
}
