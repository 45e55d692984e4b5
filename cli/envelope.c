/*
 * envelope.c — `ggzy envelope open`: open a sealed envelope with a lot's published opening key
 * (docs/envelope.md §6), check the bidder's signature, and write the plaintext or its
 * documents. Exit status: 0 opened, 1 the envelope does not open, 2 usage or I/O.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "bidplain.h"
#include "cmd.h"
#include "crypto.h"
#include "envelope.h"
#include "util.h"

/* Write each document of an opened bid into dir (names were checked by bidplain_parse, so
 * none escapes dir). Returns false on the first I/O error. */
static bool
write_documents(const struct bidplain *bp, const char *dir)
{
    for (int i = 0; i < bp->ndocs; i++) {
        char path[4096];
        int n = snprintf(path, sizeof path, "%s/%.*s", dir, (int)bp->docs[i].name_len,
                         bp->docs[i].name);
        if (n < 0 || (size_t)n >= sizeof path)
            return false;
        FILE *f = fopen(path, "wb");
        bool ok = f && fwrite(bp->docs[i].data, 1, (size_t)bp->docs[i].len, f) == bp->docs[i].len;
        if (f && fclose(f) != 0)
            ok = false;
        if (!ok)
            return false;
    }
    return true;
}

/* Open an envelope with a lot's opening private key (published after the opening): check
 * its structure, the bidder's signature (with --bidder-key) and every chunk; print the header
 * and write the plaintext to --out (or stdout). */
int
cmd_envelope_open(const struct opts *o)
{
    uint8_t sk[32];
    size_t len = 0;
    if (!o->file || !o->opening_sk || !hex_decode(o->opening_sk, sk, 32))
        return usage();
    uint8_t *env = (uint8_t *)read_file(o->file, (size_t)1 << 30, &len);
    if (!env) {
        fprintf(stderr, "ggzy: cannot read %s\n", o->file);
        return 2;
    }
    struct env_view v;
    char why[200];
    uint8_t *pt = NULL;
    int rc = 1;
    if (!env_parse(env, len, &v, why, sizeof why)) {
        printf("FAILED: %s\n", why);
        goto out;
    }
    printf("header: %.*s\n", (int)v.header_len, (const char *)v.header);
    if (o->key) {
        size_t kl = 0;
        char *pem = read_file(o->key, 64 * 1024, &kl);
        uint8_t *der = NULL;
        size_t dl = 0;
        char kid[65], err[200];
        bool ok = pem && pubkey_parse_p256(pem, kl, &der, &dl, kid, err, sizeof err) &&
                  env_verify_signature(&v, der, dl);
        free(pem);
        free(der);
        if (!ok) {
            printf("FAILED: the bidder's signature does not verify\n");
            goto out;
        }
        printf("signature: verified (key %s)\n", kid);
    }
    if (!env_open(&v, sk, &pt, why, sizeof why)) {
        printf("FAILED: %s\n", why);
        goto out;
    }
    FILE *f = o->out ? fopen(o->out, "wb") : o->out_dir ? NULL : stdout;
    if ((o->out || !o->out_dir) &&
        (!f || fwrite(pt, 1, (size_t)v.pt_len, f) != v.pt_len || (o->out && fclose(f) != 0))) {
        fprintf(stderr, "ggzy: cannot write the plaintext\n");
        rc = 2;
        goto out;
    }
    if (o->out)
        printf("plaintext: %llu bytes written to %s\n", (unsigned long long)v.pt_len, o->out);
    struct bidplain bp;
    if (bidplain_parse(pt, (size_t)v.pt_len, &bp, why, sizeof why)) {
        printf("summary: %.*s\n", (int)bp.summary_len, bp.summary);
        for (int i = 0; i < bp.ndocs; i++)
            printf("document: %.*s (%llu bytes)\n", (int)bp.docs[i].name_len, bp.docs[i].name,
                   (unsigned long long)bp.docs[i].len);
        if (o->out_dir && !write_documents(&bp, o->out_dir)) {
            fprintf(stderr, "ggzy: cannot write the documents into %s\n", o->out_dir);
            rc = 2;
            goto out;
        }
    } else if (o->out_dir) {
        printf("FAILED: %s\n", why);
        goto out;
    }
    rc = 0;
out:
    OPENSSL_cleanse(sk, sizeof sk);
    free(pt);
    free(env);
    return rc;
}
