/*
 * common.c — what every ggzy command shares: the HTTPS client set-up, the verifier key, private
 * keys and key ids, signed acts, the platform's clock, uploads with progress, and the one way a
 * refusal is printed. Nothing here knows a command.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "cmd.h"
#include "crypto.h"
#include "note.h"
#include "sigsuite.h"
#include "util.h"

bool
setup_client(const struct opts *o, struct client *c)
{
    char err[300];
    if (!o->server) {
        fprintf(stderr, "ggzy: no server: pass --server URL or set GGZY_SERVER\n");
        return false;
    }
    if (!client_init(c, o->server, err, sizeof err)) {
        fprintf(stderr, "ggzy: %s\n", err);
        return false;
    }
    c->ca_file = o->ca;
    c->token = o->token;
    return true;
}

/* The verifier key: --vkey, else the server's (trusted on first use, with a warning). */
char *
get_vkey(const struct opts *o, const struct client *c, const char *from_file)
{
    if (o->vkey)
        return strdup(o->vkey);
    if (from_file) {
        fprintf(stderr, "ggzy: warning: trusting the verifier key in the export; pin it with "
                        "--vkey\n");
        return strdup(from_file);
    }
    char err[300];
    cJSON *j = client_get_json(c, "/api/v1/audit/vkey", err, sizeof err);
    if (!j) {
        fprintf(stderr, "ggzy: %s\n", err);
        return NULL;
    }
    const cJSON *v = cJSON_GetObjectItem(j, "vkey");
    char *out = cJSON_IsString(v) ? strdup(v->valuestring) : NULL;
    cJSON_Delete(j);
    fprintf(stderr, "ggzy: warning: trusting the server's verifier key %s; pin it with --vkey\n",
            out ? out : "?");
    return out;
}

/* Read a PEM private key (supervisor's or bidder's). Returns the key (caller frees with
 * EVP_PKEY_free) or NULL; the PEM text is wiped once parsed. */
EVP_PKEY *
load_private_key(const char *path)
{
    size_t keylen = 0;
    char *pem = read_file(path, 64 * 1024, &keylen);
    BIO *bio = pem ? BIO_new_mem_buf(pem, (int)keylen) : NULL;
    EVP_PKEY *key = bio ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL) : NULL;
    BIO_free(bio);
    if (pem)
        OPENSSL_cleanse(pem, keylen); /* the private key's text is wiped once parsed */
    free(pem);
    return key;
}

bool
key_id_of(EVP_PKEY *key, char out[65])
{
    unsigned char *der = NULL;
    int n = key ? i2d_PUBKEY(key, &der) : -1;
    uint8_t h[32];
    bool ok = n > 0 && crypto_sha256(der, (size_t)n, h);
    OPENSSL_free(der);
    if (ok)
        hex_encode(h, 32, out);
    return ok;
}

char *
sign_act_b64(EVP_PKEY *key, const char *domain, const cJSON *fields)
{
    size_t len = 0, dlen = 0;
    uint8_t der[80], raw[64];
    char *msg = sig_message(domain, fields, &len), *out = NULL;
    ECDSA_SIG *sig = NULL;
    const unsigned char *p = der;
    if (msg && note_ecdsa_sign(key, msg, len, der, &dlen) &&
        (sig = d2i_ECDSA_SIG(NULL, &p, (long)dlen)) != NULL &&
        BN_bn2binpad(ECDSA_SIG_get0_r(sig), raw, 32) == 32 &&
        BN_bn2binpad(ECDSA_SIG_get0_s(sig), raw + 32, 32) == 32 && (out = malloc(100)) != NULL)
        b64_encode(raw, 64, out);
    ECDSA_SIG_free(sig);
    free(msg);
    return out;
}

int64_t
server_now_us(const struct client *c)
{
    char err[200];
    cJSON *h = client_get_json(c, "/healthz", err, sizeof err);
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(h, "now_us");
    int64_t now = cJSON_IsNumber(n) ? (int64_t)n->valuedouble : 0;
    cJSON_Delete(h);
    return now;
}

/* Decode a hex string member of o into out (exactly n bytes). */
bool
hex_member(const cJSON *o, const char *name, uint8_t *out, size_t n)
{
    const char *h = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, name));
    return h && strlen(h) == 2 * n && hex_decode(h, out, n);
}

/* Progress of a large upload on stderr, every 10 %, when stderr is a terminal. */
void
upload_progress(uint64_t sent, uint64_t total, void *arg)
{
    int *last = arg;
    int pct = total ? (int)(sent * 100 / total) : 100;
    if (pct / 10 != *last / 10 || sent == total) {
        fprintf(stderr, "\rsent %llu of %llu bytes (%d%%)%s", (unsigned long long)sent,
                (unsigned long long)total, pct, sent == total ? "\n" : "");
        *last = pct;
    }
}

void
print_refusal(int status, const char *resp)
{
    cJSON *j = cJSON_Parse(resp);
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(j, "error");
    const char *code = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "code"));
    const char *rule = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "rule"));
    const char *msg = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "message"));
    printf("REFUSED (HTTP %d): %s%s%s: %s\n", status, code ? code : "?", rule ? " " : "",
           rule ? rule : "", msg ? msg : resp);
    cJSON_Delete(j);
}

bool
upload_file(const struct client *c, const char *file, const char *path, int *status, char **resp,
            size_t *resplen)
{
    char err[300];
    FILE *f = fopen(file, "rb");
    struct stat st;
    if (!f || fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        fprintf(stderr, "ggzy: cannot read %s\n", file);
        if (f)
            fclose(f);
        return false;
    }
    int last = -1;
    struct client_body body = {.type = "application/octet-stream",
                               .file = f,
                               .file_len = (uint64_t)st.st_size,
                               .progress = isatty(2) ? upload_progress : NULL,
                               .arg = &last};
    bool ok = client_send(c, "POST", path, &body, status, resp, resplen, err, sizeof err);
    if (!ok)
        fprintf(stderr, "ggzy: %s\n", err);
    fclose(f);
    return ok;
}
