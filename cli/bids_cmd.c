/*
 * bids_cmd.c — the ggzy client's bid commands (docs/envelope.md §8–§9):
 *
 *   ggzy bid submit --project ID --lot N --file ENVELOPE [--receipt-out FILE]
 *   ggzy bid list --project ID --lot N        the organization's revisions and their states
 *   ggzy bid withdraw --project ID --lot N --key BIDDER.pem   the current bid (撤回), signed
 *   ggzy opening start --project ID --lot N --key KEY.pem      start a lot's opening, signed
 *   ggzy receipt verify --file RECEIPT.json [--envelope ENVELOPE] [--vkey VKEY]
 *   ggzy opening verify --project ID --lot N [--vkey VKEY]
 *
 * They trust nothing the server says that they can check: a receipt is checked against the
 * platform's verifier key, the envelope's bytes and — through an inclusion proof under a signed
 * checkpoint — the audit log; an opening is checked by re-deriving every decryption from the
 * published opening key. Exit status: 0 verified, 1 a problem was found, 2 usage or I/O.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "bidplain.h"
#include "canon.h"
#include "client.h"
#include "cmd.h"
#include "crypto.h"
#include "envelope.h"
#include "hpke.h"
#include "merkle.h"
#include "note.h"
#include "util.h"

#define RECEIPT_DOMAIN "ggzy-bid-receipt-v1\n"

static const char *
jstr(const cJSON *o, const char *name)
{
    return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, name));
}

static int64_t
jint(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsNumber(v) ? (int64_t)v->valuedouble : -1;
}

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

/* ---- bid submit ---- */

/* Stream a sealed envelope to the lot (with progress on a terminal), print the receipt and
 * keep it (--receipt-out) for `ggzy receipt verify`. */
int
cmd_bid_submit(const struct opts *o)
{
    struct client c;
    char path[160];
    if (!o->file || !o->have_project || o->lot <= 0)
        return usage();
    if (!setup_client(o, &c))
        return 2;
    int status = 0, rc = 2;
    char *resp = NULL;
    size_t resplen = 0;
    cJSON *j = NULL;
    snprintf(path, sizeof path, "/api/v1/projects/%lld/lots/%lld/bids", o->project, o->lot);
    if (!upload_file(&c, o->file, path, &status, &resp, &resplen)) {
        fprintf(stderr, "ggzy: no receipt: submit again\n");
        goto out;
    }
    if (status != 201) {
        print_refusal(status, resp);
        rc = 1;
        goto out;
    }
    j = cJSON_Parse(resp);
    printf("received: bid %lld, revision %lld, sha256 %s, at %s\n", (long long)jint(j, "bid_id"),
           (long long)jint(j, "revision"), jstr(j, "envelope_sha256"), jstr(j, "received_at"));
    if (o->receipt_out) {
        FILE *rf = fopen(o->receipt_out, "w");
        bool ok = rf && fwrite(resp, 1, resplen, rf) == resplen;
        if (rf && fclose(rf) != 0)
            ok = false;
        if (!ok) {
            fprintf(stderr, "ggzy: cannot write %s (the receipt is below)\n", o->receipt_out);
            printf("%s\n", resp);
            goto out;
        }
        printf("receipt saved to %s\n", o->receipt_out);
    }
    rc = 0;
out:
    cJSON_Delete(j);
    free(resp);
    return rc;
}

/* ---- receipt verify ---- */

/* Check an inclusion proof: the checkpoint signed by the log key, the entry hashed to the leaf,
 * the leaf under the checkpoint's root. Fills *entry (parsed, caller frees). NULL when fine,
 * else what is wrong. */
static const char *
check_inclusion(const cJSON *inc, const char *vname, const uint8_t vid[4], const uint8_t vpub[32],
                int64_t index, cJSON **entry)
{
    const char *note = jstr(inc, "checkpoint"), *text = jstr(inc, "entry");
    struct checkpoint_note cp;
    char why[200];
    if (!note || !text || jint(inc, "index") != index)
        return "the inclusion proof is incomplete or for another entry";
    if (!note_parse(note, strlen(note), &cp, why, sizeof why))
        return "the checkpoint is not a signed note";
    bool signed_ok = false;
    for (int i = 0; i < cp.nsigs; i++)
        if (!strcmp(cp.sigs[i].name, vname) && !memcmp(cp.sigs[i].key_id, vid, 4))
            signed_ok =
                note_ed25519_verify(vpub, note, cp.text_len, cp.sigs[i].sig, cp.sigs[i].sig_len);
    if (!signed_ok)
        return "the checkpoint is not signed by the platform's verifier key";
    if ((int64_t)cp.size != jint(inc, "size"))
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

/* What bid list and bid withdraw start with: the options, the client, and the path of the
 * organization's bids in the lot. -1 to go on, else the exit status. */
static int
mine_preamble(const struct opts *o, struct client *c, char *path, size_t n)
{
    if (!o->have_project || o->lot <= 0)
        return usage();
    if (!setup_client(o, c))
        return 2;
    snprintf(path, n, "/api/v1/projects/%lld/lots/%lld/bids/mine", o->project, o->lot);
    return -1;
}

/* One line per revision of the organization's bid in the lot, newest first. */
static void
print_bid(const cJSON *b)
{
    printf("revision %lld  %-10s  received %s  sha256 %s\n", (long long)jint(b, "revision"),
           jstr(b, "state"), jstr(b, "received_at"), jstr(b, "envelope_sha256"));
}

int
cmd_bid_list(const struct opts *o)
{
    struct client c;
    char path[160], err[512];
    int pre = mine_preamble(o, &c, path, sizeof path);
    if (pre >= 0)
        return pre;
    cJSON *j = client_get_json(&c, path, err, sizeof err);
    if (!j) {
        fprintf(stderr, "ggzy: %s\n", err);
        return 1;
    }
    const cJSON *items = cJSON_GetObjectItemCaseSensitive(j, "items");
    int n = cJSON_GetArraySize(items);
    if (n == 0)
        printf("no bid in lot %lld\n", o->lot);
    for (int i = n - 1; i >= 0; i--)
        print_bid(cJSON_GetArrayItem(items, i));
    cJSON_Delete(j);
    return 0;
}

/* Withdraw the organization's current bid (撤回), signed with the bidder's certified key over
 * the exact bid (docs/envelope.md §8.3): a password alone withdraws nothing. */
int
cmd_bid_withdraw(const struct opts *o)
{
    struct client c;
    char path[160], err[512], kid[65];
    if (!o->key)
        return usage();
    int pre = mine_preamble(o, &c, path, sizeof path);
    if (pre >= 0)
        return pre;
    int rc = 2, status = 0;
    char *resp = NULL, *sig = NULL, body[400];
    EVP_PKEY *key = load_private_key(o->key);
    cJSON *mine = NULL, *bind = NULL, *f = NULL;
    if (!key || !key_id_of(key, kid)) {
        fprintf(stderr, "ggzy: %s is not a private key\n", o->key);
        goto out;
    }
    mine = client_get_json(&c, path, err, sizeof err);
    snprintf(path, sizeof path, "/api/v1/projects/%lld/lots/%lld/bids/binding", o->project, o->lot);
    bind = mine ? client_get_json(&c, path, err, sizeof err) : NULL;
    if (!mine || !bind) {
        fprintf(stderr, "ggzy: %s\n", err);
        goto out;
    }
    const cJSON *cur = NULL, *items = cJSON_GetObjectItemCaseSensitive(mine, "items");
    for (const cJSON *it = items ? items->child : NULL; it; it = it->next)
        if (jstr(it, "state") && !strcmp(jstr(it, "state"), "current"))
            cur = it;
    if (!cur) {
        printf("no current bid in lot %lld\n", o->lot);
        rc = 1;
        goto out;
    }
    f = cJSON_CreateObject();
    char lit[24];
    snprintf(lit, sizeof lit, "%lld", (long long)jint(cur, "id"));
    cJSON_AddRawToObject(f, "bid_id", lit);
    snprintf(lit, sizeof lit, "%lld", (long long)jint(cur, "bidder_org_id"));
    cJSON_AddRawToObject(f, "bidder_org_id", lit);
    cJSON_AddStringToObject(f, "envelope_sha256", jstr(cur, "envelope_sha256"));
    snprintf(lit, sizeof lit, "%lld", o->lot);
    cJSON_AddRawToObject(f, "lot", lit);
    cJSON_AddStringToObject(f, "platform", jstr(bind, "platform"));
    cJSON_AddStringToObject(f, "project_code", jstr(bind, "project_code"));
    snprintf(lit, sizeof lit, "%lld", (long long)jint(cur, "revision"));
    cJSON_AddRawToObject(f, "revision", lit);
    sig = sign_act_b64(key, "ggzy-bid-withdraw-v1", f);
    if (!sig) {
        fprintf(stderr, "ggzy: the withdrawal cannot be signed with %s\n", o->key);
        goto out;
    }
    snprintf(body, sizeof body, "{\"bid_id\":%lld,\"key_id\":\"%s\",\"signature\":\"%s\"}",
             (long long)jint(cur, "id"), kid, sig);
    snprintf(path, sizeof path, "/api/v1/projects/%lld/lots/%lld/bids/withdrawal", o->project,
             o->lot);
    if (!client_request(&c, "POST", path, body, &status, &resp, NULL, err, sizeof err)) {
        fprintf(stderr, "ggzy: %s\n", err);
        goto out;
    }
    rc = 1;
    if (status != 200)
        print_refusal(status, resp);
    else {
        cJSON *j = cJSON_Parse(resp);
        printf("withdrawn: ");
        print_bid(j);
        cJSON_Delete(j);
        rc = 0;
    }
out:
    free(resp);
    free(sig);
    cJSON_Delete(mine);
    cJSON_Delete(bind);
    cJSON_Delete(f);
    EVP_PKEY_free(key);
    return rc;
}

/* Start a lot's opening (the agent or the center), signed with the caller's certified key over
 * the lot, its opening key and the platform's time (docs/envelope.md §9.1). */
int
cmd_opening_start(const struct opts *o)
{
    struct client c;
    char path[160], err[512], kid[65], body[400];
    if (!o->key || !o->have_project || o->lot <= 0)
        return usage();
    if (!setup_client(o, &c))
        return 2;
    int rc = 2, status = 0;
    char *resp = NULL, *sig = NULL;
    EVP_PKEY *key = load_private_key(o->key);
    cJSON *k = NULL, *f = NULL;
    if (!key || !key_id_of(key, kid)) {
        fprintf(stderr, "ggzy: %s is not a private key\n", o->key);
        goto out;
    }
    snprintf(path, sizeof path, "/api/v1/projects/%lld/lots/%lld/opening-key", o->project, o->lot);
    k = client_get_json(&c, path, err, sizeof err);
    int64_t now = server_now_us(&c);
    if (!k || !jstr(k, "key_id") || !jstr(k, "platform") || !jstr(k, "project_code") || !now) {
        fprintf(stderr, "ggzy: %s\n",
                k ? "the lot's opening key or the server's clock is missing" : err);
        goto out;
    }
    f = cJSON_CreateObject();
    char lit[24];
    snprintf(lit, sizeof lit, "%lld", o->lot);
    cJSON_AddRawToObject(f, "lot", lit);
    cJSON_AddStringToObject(f, "opening_key_id", jstr(k, "key_id"));
    cJSON_AddStringToObject(f, "platform", jstr(k, "platform"));
    cJSON_AddStringToObject(f, "project_code", jstr(k, "project_code"));
    snprintf(lit, sizeof lit, "%lld", (long long)now);
    cJSON_AddRawToObject(f, "signed_us", lit);
    sig = sign_act_b64(key, "ggzy-opening-start-v1", f);
    if (!sig) {
        fprintf(stderr, "ggzy: the start cannot be signed with %s\n", o->key);
        goto out;
    }
    snprintf(body, sizeof body, "{\"key_id\":\"%s\",\"signed_us\":%lld,\"signature\":\"%s\"}", kid,
             (long long)now, sig);
    snprintf(path, sizeof path, "/api/v1/projects/%lld/lots/%lld/opening", o->project, o->lot);
    if (!client_request(&c, "POST", path, body, &status, &resp, NULL, err, sizeof err)) {
        fprintf(stderr, "ggzy: %s\n", err);
        goto out;
    }
    rc = 1;
    if (status != 200)
        print_refusal(status, resp);
    else {
        cJSON *j = cJSON_Parse(resp);
        printf("the opening of lot %lld is %s (%lld bids)\n", o->lot, jstr(j, "state"),
               (long long)jint(j, "bids"));
        cJSON_Delete(j);
        rc = 0;
    }
out:
    free(resp);
    free(sig);
    cJSON_Delete(k);
    cJSON_Delete(f);
    EVP_PKEY_free(key);
    return rc;
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
    const char *rtext = jstr(j, "receipt"), *sig64 = jstr(j, "signature");
    if (!rtext || !sig64 || !(rcpt = cJSON_Parse(rtext))) {
        fprintf(stderr, "ggzy: %s is not a receipt (receipt and signature)\n", o->file);
        goto out;
    }
    if (o->vkey)
        vkey = strdup(o->vkey);
    else if (have_client)
        vkey = get_vkey(o, &c, NULL);
    else if (jstr(j, "vkey")) {
        fprintf(stderr, "ggzy: warning: trusting the verifier key in the receipt; pin it with "
                        "--vkey\n");
        vkey = strdup(jstr(j, "vkey"));
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
    const char *esha = jstr(rcpt, "envelope_sha256");
    int64_t bid = jint(rcpt, "bid_id"), index = jint(rcpt, "audit_index");
    printf("receipt signed by %s: bid %lld of project %s lot %lld, envelope %s, received %lld\n",
           vname, (long long)bid, jstr(rcpt, "project_code"), (long long)jint(rcpt, "lot"),
           esha ? esha : "?", (long long)jint(rcpt, "received_us"));
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
        else if (jint(fetched, "audit_index") >= 0 && index < 0)
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
    if (!why && (!jstr(entry, "action") || strcmp(jstr(entry, "action"), "bid.receive") ||
                 jint(entry, "time_us") != jint(rcpt, "received_us") || jint(p, "bid_id") != bid ||
                 !jstr(p, "envelope_sha256") || !esha || strcmp(jstr(p, "envelope_sha256"), esha)))
        why = "the audit entry is not this bid's receipt (action, time, bid or envelope differ)";
    if (why) {
        printf("FAILED: %s\n", why);
        goto out;
    }
    printf("audit entry %lld (bid.receive) is in the log under the signed checkpoint of size "
           "%lld\n",
           (long long)index, (long long)jint(inc, "size"));
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

/* ---- opening verify ---- */

/* Re-derive one record of the opening: fetch the envelope, check its hash, open it with the
 * published key and compare the summary with the one read out. NULL when it agrees. */
static const char *
check_record(const struct client *c, const cJSON *rec, const uint8_t sk[32], char *why,
             size_t whylen)
{
    char path[96], err[200], *bytes = NULL;
    size_t len = 0;
    int status = 0;
    uint8_t sha[32], want[32], *pt = NULL;
    const char *problem = NULL;
    struct env_view v;
    struct bidplain bp;
    const cJSON *op = cJSON_GetObjectItemCaseSensitive(rec, "opening");
    const char *st = jstr(op, "status");
    snprintf(path, sizeof path, "/api/v1/bids/%lld/envelope", (long long)jint(rec, "id"));
    if (!hex_member(rec, "envelope_sha256", want, 32) || !st)
        return "the record is incomplete";
    if (!client_request(c, "GET", path, NULL, &status, &bytes, &len, err, sizeof err) ||
        status != 200) {
        snprintf(why, whylen, "the envelope cannot be fetched (%.200s)",
                 status ? "HTTP error: a party's token is needed" : err);
        free(bytes);
        return why;
    }
    if (!crypto_sha256(bytes, len, sha) || memcmp(sha, want, 32)) {
        problem = "the envelope served is not the one received";
        goto out;
    }
    bool opens = env_parse((uint8_t *)bytes, len, &v, why, whylen) &&
                 env_open(&v, sk, &pt, why, whylen) &&
                 bidplain_parse(pt, (size_t)v.pt_len, &bp, why, whylen);
    if (!strcmp(st, "opened")) {
        /* byte for byte: the summary published verbatim (summary_b64) must be the sealed one,
         * and the parsed view must say the same (its canonical form is those bytes) */
        size_t slen = 0;
        char *pub = canon_json(cJSON_GetObjectItemCaseSensitive(op, "summary"), &slen);
        const char *b64 = jstr(op, "summary_b64");
        size_t blen = b64 ? strlen(b64) : 0;
        uint8_t *raw = b64 ? malloc(blen + 1) : NULL;
        long rlen = raw ? b64_decode(b64, blen, raw, blen) : -1;
        if (!opens)
            problem = "the record says opened, but the envelope does not open with the key";
        else if (rlen < 0 || (size_t)rlen != bp.summary_len ||
                 memcmp(raw, bp.summary, bp.summary_len))
            problem = "the summary published (summary_b64) is not the one sealed in the envelope";
        else if (!pub || slen != bp.summary_len || memcmp(pub, bp.summary, slen))
            problem = "the summary read out is not the one sealed in the envelope";
        else if (jint(op, "price_fen") != bp.price_fen)
            problem = "the price read out is not the one sealed";
        free(raw);
        free(pub);
    } else if (opens)
        problem = "the record says rejected, but the envelope opens with the key";
out:
    if (pt) {
        OPENSSL_cleanse(pt, (size_t)v.pt_len);
        free(pt);
    }
    free(bytes);
    return problem;
}

/* Re-derive every decryption of a lot's opening from the published key and compare with the
 * opening record. Needs a token of a party to the project (the envelopes are theirs to see). */
int
cmd_opening_verify(const struct opts *o)
{
    struct client c;
    char err[300], path[128], why[300];
    if (!o->have_project || o->lot <= 0)
        return usage();
    if (!setup_client(o, &c))
        return 2;
    snprintf(path, sizeof path, "/api/v1/projects/%lld/lots/%lld/opening", o->project, o->lot);
    cJSON *j = client_get_json(&c, path, err, sizeof err);
    if (!j) {
        fprintf(stderr, "ggzy: %s\n", err);
        return 2;
    }
    int rc = 1, bad = 0, n = 0;
    uint8_t sk[32], pk[65], want[65];
    if (!hex_member(j, "private_key", sk, 32)) {
        printf("FAILED: the opening key is not published (the opening is %s)\n",
               jstr(j, "state") ? jstr(j, "state") : "?");
        goto out;
    }
    if (!hex_member(j, "public_key", want, 65) || !hpke_public_key(sk, pk) ||
        memcmp(pk, want, 65)) {
        printf("FAILED: the published private key is not the lot's opening key\n");
        goto out;
    }
    const cJSON *recs = cJSON_GetObjectItemCaseSensitive(j, "records");
    for (const cJSON *rec = recs ? recs->child : NULL; rec; rec = rec->next, n++) {
        const char *problem = check_record(&c, rec, sk, why, sizeof why);
        const cJSON *op = cJSON_GetObjectItemCaseSensitive(rec, "opening");
        if (problem) {
            bad++;
            printf("FAILED: bid %lld: %s\n", (long long)jint(rec, "id"), problem);
        } else if (!strcmp(jstr(op, "status"), "opened"))
            printf("bid %lld: opened, price %lld fen, summary matches the sealed one\n",
                   (long long)jint(rec, "id"), (long long)jint(op, "price_fen"));
        else
            printf("bid %lld: rejected (%s) and indeed does not open\n", (long long)jint(rec, "id"),
                   jstr(op, "class") ? jstr(op, "class") : "?");
    }
    if (n != jint(j, "bids")) {
        printf("FAILED: the record lists %d envelopes of the %lld received\n", n,
               (long long)jint(j, "bids"));
        bad++;
    }
    if (!bad) {
        printf("opening verified: %d envelopes re-derived from the published key\n", n);
        rc = 0;
    }
out:
    OPENSSL_cleanse(sk, sizeof sk);
    cJSON_Delete(j);
    return rc;
}
