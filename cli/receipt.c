/*
 * receipt.c — `ggzy receipt verify`: check a bid receipt (docs/envelope.md §8.2) against the
 * platform's verifier key, the envelope's bytes and — through an inclusion proof under a signed
 * checkpoint — the audit log. Trusts nothing the server says that it can check.
 * Exit status: 0 verified, 1 a check failed, 2 usage or I/O.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "cmd.h"
#include "crypto.h"
#include "merkle.h"
#include "note.h"
#include "util.h"

#define RECEIPT_DOMAIN "ggzy-bid-receipt-v1\n"

/* SHA-256 of a file, streamed. */
static bool
file_sha256(const char *path, uint8_t out[32])
{
    FILE *f = fopen(path, "rb");
    EVP_MD_CTX *m = EVP_MD_CTX_new();
    bool ok = f && m && EVP_DigestInit_ex(m, EVP_sha256(), NULL) == 1;
    unsigned char buf[65536];
    size_t n;
    while (ok && (n = fread(buf, 1, sizeof buf, f)) > 0)
        ok = EVP_DigestUpdate(m, buf, n) == 1;
    ok = ok && !ferror(f) && EVP_DigestFinal_ex(m, out, NULL) == 1;
    EVP_MD_CTX_free(m);
    if (f)
        fclose(f);
    return ok;
}

/* Check an inclusion proof: the checkpoint signed by the log key, the entry hashed to the leaf,
 * the leaf under the checkpoint's root. Fills *entry (parsed, caller frees). NULL when fine,
 * else what is wrong. */
static const char *
check_inclusion(const cJSON *inc, const char *vname, const uint8_t vid[4], const uint8_t vpub[32],
                int64_t index, cJSON **entry)
{
    const char *note = json_str(inc, "checkpoint"), *text = json_str(inc, "entry");
    struct checkpoint_note cp;
    char why[200];
    if (!note || !text || json_i64(inc, "index", -1) != index)
        return "the inclusion proof is incomplete or for another entry";
    if (!note_parse(note, strlen(note), &cp, why, sizeof why))
        return "the checkpoint is not a signed note";
    if (!note_signed_by(&cp, note, vname, vid, vpub))
        return "the checkpoint is not signed by the platform's verifier key";
    if ((int64_t)cp.size != json_i64(inc, "size", -1))
        return "the proof is for another tree size than the checkpoint";
    mhash leaf, proof[MERKLE_MAX_DEPTH];
    size_t n = 0;
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(inc, "proof");
    for (const cJSON *it = arr ? arr->child : NULL; it; it = it->next) {
        if (n == MERKLE_MAX_DEPTH || !cJSON_IsString(it) ||
            b64_decode(it->valuestring, strlen(it->valuestring), proof[n], 32) != 32)
            return "the proof is not a list of base64 hashes";
        n++;
    }
    if (!merkle_leaf_hash(text, strlen(text), leaf) ||
        !merkle_verify_inclusion((uint64_t)index, cp.size, leaf, proof, n, cp.root))
        return "the entry is not in the log under the signed checkpoint";
    *entry = cJSON_Parse(text);
    return *entry ? NULL : "the entry is not JSON";
}

/* Verify a receipt (the answer of bid submit or GET /api/v1/bids/{id}/receipt): the platform's
 * signature, the envelope's bytes (--envelope) and its audit entry under a signed checkpoint
 * (fetched from the server when the file has no proof yet). */
int
cmd_receipt_verify(const struct opts *o)
{
    if (!o->file)
        return usage();
    size_t len = 0;
    int rc = 2;
    char *text = read_file(o->file, 1 << 20, &len), *vkey = NULL, vname[256];
    cJSON *j = text ? cJSON_ParseWithLength(text, len) : NULL, *rcpt = NULL, *fetched = NULL;
    cJSON *entry = NULL;
    uint8_t vid[4], vpub[32], sig[64], sha[32];
    struct buf m = {0};
    struct client c;
    bool have_client = o->server && setup_client(o, &c);
    const char *rtext = json_str(j, "receipt"), *sig64 = json_str(j, "signature");
    if (!rtext || !sig64 || !(rcpt = cJSON_Parse(rtext))) {
        fprintf(stderr, "ggzy: %s is not a receipt (receipt and signature)\n", o->file);
        goto out;
    }
    if (o->vkey)
        vkey = strdup(o->vkey);
    else if (have_client)
        vkey = get_vkey(o, &c, NULL);
    else if (json_str(j, "vkey")) {
        fprintf(stderr, "ggzy: warning: trusting the verifier key in the receipt; pin it with "
                        "--vkey\n");
        vkey = strdup(json_str(j, "vkey"));
    }
    if (!vkey || !note_parse_vkey(vkey, vname, vid, vpub)) {
        fprintf(stderr, "ggzy: no usable verifier key (--vkey)\n");
        goto out;
    }
    rc = 1;
    buf_puts(&m, RECEIPT_DOMAIN);
    buf_puts(&m, rtext);
    if (b64_decode(sig64, strlen(sig64), sig, sizeof sig) != 64 ||
        !note_ed25519_verify(vpub, m.p, m.len, sig, 64)) {
        printf("FAILED: the receipt's signature does not verify with %s\n", vname);
        goto out;
    }
    const char *esha = json_str(rcpt, "envelope_sha256");
    int64_t bid = json_i64(rcpt, "bid_id", -1), index = json_i64(rcpt, "audit_index", -1);
    printf("receipt signed by %s: bid %lld of project %s lot %lld, envelope %s, received %lld\n",
           vname, (long long)bid, json_str(rcpt, "project_code"),
           (long long)json_i64(rcpt, "lot", -1), esha ? esha : "?",
           (long long)json_i64(rcpt, "received_us", -1));
    if (o->envelope) {
        char hex[65];
        if (!file_sha256(o->envelope, sha)) {
            fprintf(stderr, "ggzy: cannot read %s\n", o->envelope);
            rc = 2;
            goto out;
        }
        hex_encode(sha, 32, hex);
        if (!esha || strcmp(hex, esha)) {
            printf("FAILED: %s is not the envelope the receipt names (sha256 %s)\n", o->envelope,
                   hex);
            goto out;
        }
        printf("envelope %s matches\n", o->envelope);
    }
    const cJSON *inc = cJSON_GetObjectItemCaseSensitive(j, "inclusion");
    if (!cJSON_IsObject(inc) && have_client && bid > 0) {
        char path[96], err[300];
        snprintf(path, sizeof path, "/api/v1/bids/%lld/receipt", (long long)bid);
        fetched = client_get_json(&c, path, err, sizeof err);
        inc = cJSON_GetObjectItemCaseSensitive(fetched, "inclusion");
        if (!fetched)
            fprintf(stderr, "ggzy: %s\n", err);
        else if (json_i64(fetched, "audit_index", -1) >= 0 && index < 0)
            index = -2; /* the receipt was issued before its entry was sequenced: see below */
    }
    if (index < 0) {
        printf("the receipt names no audit index yet: fetch it again (GET /api/v1/bids/%lld/"
               "receipt)\n",
               (long long)bid);
        rc = index == -2 ? 1 : 0;
        goto out;
    }
    if (!cJSON_IsObject(inc)) {
        printf("no signed checkpoint covers audit entry %lld yet: the receipt is verified, its "
               "inclusion is not (try again after the next checkpoint)\n",
               (long long)index);
        rc = 0;
        goto out;
    }
    const char *why = check_inclusion(inc, vname, vid, vpub, index, &entry);
    const cJSON *p = cJSON_GetObjectItemCaseSensitive(entry, "payload");
    if (!why && (!json_str(entry, "action") || strcmp(json_str(entry, "action"), "bid.receive") ||
                 json_i64(entry, "time_us", -1) != json_i64(rcpt, "received_us", -1) ||
                 json_i64(p, "bid_id", -1) != bid || !json_str(p, "envelope_sha256") || !esha ||
                 strcmp(json_str(p, "envelope_sha256"), esha)))
        why = "the audit entry is not this bid's receipt (action, time, bid or envelope differ)";
    if (why) {
        printf("FAILED: %s\n", why);
        goto out;
    }
    printf("audit entry %lld (bid.receive) is in the log under the signed checkpoint of size "
           "%lld\n",
           (long long)index, (long long)json_i64(inc, "size", -1));
    rc = 0;
out:
    buf_free(&m);
    cJSON_Delete(entry);
    cJSON_Delete(fetched);
    cJSON_Delete(rcpt);
    cJSON_Delete(j);
    free(text);
    free(vkey);
    return rc;
}
