/*
 * bid.c — `ggzy bid …`: a bidder's commands (docs/envelope.md §8).
 *
 *   seal      seal a bid on this machine, to the opening key the platform signed in its tender
 *             announcement (checked before sealing), signed with the bidder's key
 *   check     the platform's pre-flight check of a sealed envelope
 *   submit    stream the envelope to the lot and keep the signed receipt
 *   list      the organization's revisions of its bid and their states
 *   withdraw  withdraw the current bid (撤回), signed, before the deadline
 *
 * Exit status: 0 done, 1 refused or a check failed, 2 usage or I/O.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "bidplain.h"
#include "cmd.h"
#include "crypto.h"
#include "envelope.h"
#include "note.h"
#include "util.h"

/* An integer member of the lot binding; false if missing or not an exact integer. */
static bool
binding_i64(const cJSON *o, const char *name, int64_t *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    if (!cJSON_IsNumber(v) || !(v->valuedouble >= 0 && v->valuedouble <= 9007199254740991.0) ||
        v->valuedouble != (double)(int64_t)v->valuedouble)
        return false;
    *out = (int64_t)v->valuedouble;
    return true;
}

/* A signed public announcement (GET /api/v1/public/announcements/{id}/signature), its Ed25519
 * signature checked with vpub: its content, parsed (caller frees), or NULL with the reason on
 * stderr. */
static cJSON *
signed_announcement(const struct client *c, int64_t id, const uint8_t vpub[32])
{
    char path[96], err[300], msg[128];
    snprintf(path, sizeof path, "/api/v1/public/announcements/%lld/signature", (long long)id);
    cJSON *j = client_get_json(c, path, err, sizeof err), *content = NULL;
    const char *text = j ? cJSON_GetStringValue(cJSON_GetObjectItem(j, "content")) : NULL;
    const char *sig64 = j ? cJSON_GetStringValue(cJSON_GetObjectItem(j, "signature")) : NULL;
    uint8_t sha[32], sig[64];
    char hex[65];
    if (!text || !sig64) {
        fprintf(stderr, "ggzy: announcement %lld: %s\n", (long long)id,
                j ? "no signed content" : err);
        goto out;
    }
    if (!crypto_sha256(text, strlen(text), sha))
        goto out;
    hex_encode(sha, 32, hex);
    int mlen = snprintf(msg, sizeof msg, "ggzy-announcement-v1\n%s\n", hex);
    if (b64_decode(sig64, strlen(sig64), sig, sizeof sig) != 64 ||
        !note_ed25519_verify(vpub, msg, (size_t)mlen, sig, 64)) {
        printf("REFUSED: announcement %lld is not signed by the platform's key\n", (long long)id);
        goto out;
    }
    content = cJSON_Parse(text);
out:
    cJSON_Delete(j);
    return content;
}

/* The binding fetched from the platform must say what the platform signed for everyone: the
 * lot's opening key as in the tender announcement's `opening_keys`, and the deadline as in the
 * announcement that sets it (docs/envelope.md §8). So a platform cannot hand one bidder a key
 * of its own without publishing it to all. The verifier key: --vkey, else the server's (with a
 * warning). False, with the reason printed, when anything differs. */
static bool
binding_published(const struct opts *o, const struct client *c, const cJSON *b,
                  const struct env_binding *eb, const char *pk_hex)
{
    char vname[256];
    uint8_t vid[4], vpub[32];
    char *vkey = get_vkey(o, c, NULL);
    bool vk = vkey && note_parse_vkey(vkey, vname, vid, vpub);
    free(vkey);
    if (!vk) {
        fprintf(stderr, "ggzy: no usable verifier key (--vkey)\n");
        return false;
    }
    const cJSON *src = cJSON_GetObjectItemCaseSensitive(b, "announcements");
    int64_t keys_ann = 0, deadline_ann = 0;
    if (!binding_i64(src, "opening_key", &keys_ann) ||
        !binding_i64(src, "deadline", &deadline_ann)) {
        printf("REFUSED: no published tender announcement carries lot %lld's opening key\n",
               (long long)eb->lot);
        return false;
    }
    bool ok = false;
    cJSON *k = signed_announcement(c, keys_ann, vpub), *d = NULL;
    const cJSON *e, *keys = k ? cJSON_GetObjectItemCaseSensitive(k, "opening_keys") : NULL;
    cJSON_ArrayForEach(e, keys)
    {
        int64_t lot;
        const char *id = cJSON_GetStringValue(cJSON_GetObjectItem(e, "key_id"));
        const char *pub = cJSON_GetStringValue(cJSON_GetObjectItem(e, "public_key"));
        if (binding_i64(e, "lot", &lot) && lot == eb->lot && id && pub)
            ok = !strcmp(id, eb->opening_key_id) && !strcasecmp(pub, pk_hex);
    }
    if (k && !ok)
        printf("REFUSED: the binding's opening key for lot %lld is not the one announcement %lld "
               "published\n",
               (long long)eb->lot, (long long)keys_ann);
    int64_t dl = 0;
    if (ok && (d = signed_announcement(c, deadline_ann, vpub)) != NULL &&
        !(binding_i64(d, "bid_deadline_us", &dl) && dl == eb->bid_deadline_us)) {
        printf("REFUSED: the binding's deadline is not the one announcement %lld published\n",
               (long long)deadline_ann);
        ok = false;
    }
    ok = ok && d;
    if (ok)
        printf("checked: the opening key and the deadline are those the platform signed in "
               "announcements %lld and %lld\n",
               (long long)keys_ann, (long long)deadline_ann);
    cJSON_Delete(k);
    cJSON_Delete(d);
    return ok;
}

/* Seal a bid on the bidder's machine (docs/envelope.md): the opening summary and the
 * documents go into the bid container (§4.1), which is sealed to the lot's opening public key
 * and signed with the bidder's key. The lot binding (LOT.json) names what the header binds:
 * platform, project_code, lot, bidder_org_id, revision, bid_deadline_us, opening_key_id and
 * opening_pk (hex, 65-byte uncompressed P-256 point). Nothing leaves the machine. */
int
cmd_bid_seal(const struct opts *o)
{
    if ((!o->binding && !(o->have_project && o->lot > 0)) || !o->summary || !o->key || !o->out)
        return usage();
    int rc = 2;
    size_t len = 0, slen = 0, envlen = 0;
    char *bjson = NULL, *summary = NULL, why[300];
    uint8_t *docbuf[BIDPLAIN_MAX_DOCS] = {0}, *der = NULL, *env = NULL;
    struct bid_doc docs[BIDPLAIN_MAX_DOCS];
    struct buf pt = {0};
    cJSON *b = NULL;
    EVP_PKEY *key = load_private_key(o->key);
    if (!key || !EVP_PKEY_is_a(key, "EC")) {
        fprintf(stderr, "ggzy: %s is not an EC (P-256) private key\n", o->key);
        goto out;
    }
    if (o->binding) {
        bjson = read_file(o->binding, 64 * 1024, &len);
        b = bjson ? cJSON_ParseWithLength(bjson, len) : NULL;
    } else { /* the lot's binding for the caller's organization, from the platform */
        struct client c;
        char err[300], path[128];
        if (!setup_client(o, &c))
            goto out;
        snprintf(path, sizeof path, "/api/v1/projects/%lld/lots/%lld/bids/binding", o->project,
                 o->lot);
        if (!(b = client_get_json(&c, path, err, sizeof err))) {
            fprintf(stderr, "ggzy: %s\n", err);
            goto out;
        }
    }
    struct env_binding eb = {0};
    uint8_t opk[65];
    const cJSON *pk = cJSON_GetObjectItemCaseSensitive(b, "opening_pk");
    eb.platform = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(b, "platform"));
    eb.project_code = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(b, "project_code"));
    eb.opening_key_id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(b, "opening_key_id"));
    if (!b || !eb.platform || !eb.project_code || !eb.opening_key_id ||
        !binding_i64(b, "lot", &eb.lot) || !binding_i64(b, "bidder_org_id", &eb.bidder_org_id) ||
        !binding_i64(b, "revision", &eb.revision) ||
        !binding_i64(b, "bid_deadline_us", &eb.bid_deadline_us) || !cJSON_IsString(pk) ||
        !hex_decode(pk->valuestring, opk, sizeof opk)) {
        fprintf(stderr,
                "ggzy: %s must be a JSON object with platform, project_code, lot, bidder_org_id, "
                "revision, bid_deadline_us, opening_key_id and opening_pk (hex)\n",
                o->binding ? o->binding : "the lot binding");
        goto out;
    }
    if (!o->binding) { /* fetched: it must be what the platform signed for everyone */
        struct client c;
        if (!setup_client(o, &c))
            goto out;
        if (!binding_published(o, &c, b, &eb, pk->valuestring)) {
            rc = 1;
            goto out;
        }
    }
    /* signer_key_id: hex SHA-256 of the bidder's SubjectPublicKeyInfo, as registered */
    int dl = i2d_PUBKEY(key, &der);
    uint8_t kid_raw[32];
    char kid[65];
    if (dl <= 0 || !crypto_sha256(der, (size_t)dl, kid_raw)) {
        fprintf(stderr, "ggzy: cannot encode the bidder's public key\n");
        goto out;
    }
    hex_encode(kid_raw, 32, kid);
    eb.signer_key_id = kid;
    summary = read_file(o->summary, BIDPLAIN_MAX_SUMMARY + 1, &slen);
    if (!summary) {
        fprintf(stderr, "ggzy: cannot read %s (at most %d bytes)\n", o->summary,
                BIDPLAIN_MAX_SUMMARY);
        goto out;
    }
    while (slen && (summary[slen - 1] == '\n' || summary[slen - 1] == '\r'))
        slen--; /* a trailing newline from an editor is not part of the summary */
    for (int i = 0; i < o->ndocs; i++) {
        size_t dlen = 0;
        docbuf[i] = (uint8_t *)read_file(o->docs[i], (size_t)1 << 30, &dlen);
        if (!docbuf[i]) {
            fprintf(stderr, "ggzy: cannot read %s\n", o->docs[i]);
            goto out;
        }
        const char *slash = strrchr(o->docs[i], '/');
        docs[i].name = slash ? slash + 1 : o->docs[i];
        docs[i].name_len = strlen(docs[i].name);
        docs[i].data = docbuf[i];
        docs[i].len = dlen;
    }
    if (!bidplain_build(summary, slen, docs, o->ndocs, &pt, why, sizeof why)) {
        printf("REFUSED: %s\n", why);
        rc = 1;
        goto out;
    }
    if (!env_seal(&eb, opk, key, (const uint8_t *)pt.p, pt.len, NULL, &env, &envlen)) {
        fprintf(stderr, "ggzy: sealing failed (is opening_pk a P-256 point?)\n");
        goto out;
    }
    FILE *f = fopen(o->out, "wb");
    bool wrote = f && fwrite(env, 1, envlen, f) == envlen;
    if (f && fclose(f) != 0)
        wrote = false;
    if (!wrote) {
        fprintf(stderr, "ggzy: cannot write %s\n", o->out);
        goto out;
    }
    uint8_t h[32];
    char hh[65];
    crypto_sha256(env, envlen, h);
    hex_encode(h, 32, hh);
    printf("sealed %zu bytes (%d documents) into %s, %zu bytes, sha256 %s\n", pt.len, o->ndocs,
           o->out, envlen, hh);
    rc = 0;
out:
    if (pt.p)
        OPENSSL_cleanse(pt.p, pt.cap); /* the bid's plaintext is wiped once sealed */
    buf_free(&pt);
    for (int i = 0; i < o->ndocs; i++)
        free(docbuf[i]);
    free(summary);
    free(env);
    OPENSSL_free(der);
    cJSON_Delete(b);
    free(bjson);
    EVP_PKEY_free(key);
    return rc;
}

/* Stream a sealed envelope to the platform's pre-flight check (POST /api/v1/envelopes/check):
 * its format and the signature with one of the bidder's registered keys. Prints the SHA-256
 * a receipt will name. The file is streamed, never read whole. */
int
cmd_bid_check(const struct opts *o)
{
    struct client c;
    if (!o->file)
        return usage();
    if (!setup_client(o, &c))
        return 2;
    int status = 0, rc = 2;
    char *resp = NULL;
    cJSON *j = NULL;
    if (!upload_file(&c, o->file, "/api/v1/envelopes/check", &status, &resp, NULL))
        goto out;
    if (status != 200) {
        print_refusal(status, resp);
        rc = 1;
        goto out;
    }
    j = cJSON_Parse(resp);
    const char *sha = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "sha256"));
    printf("envelope OK: sha256 %s, signature verified\n", sha ? sha : "?");
    rc = 0;
out:
    cJSON_Delete(j);
    free(resp);
    return rc;
}

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
    printf("received: bid %lld, revision %lld, sha256 %s, at %s\n",
           (long long)json_i64(j, "bid_id", -1), (long long)json_i64(j, "revision", -1),
           json_str(j, "envelope_sha256"), json_str(j, "received_at"));
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
    printf("revision %lld  %-10s  received %s  sha256 %s\n", (long long)json_i64(b, "revision", -1),
           json_str(b, "state"), json_str(b, "received_at"), json_str(b, "envelope_sha256"));
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
        if (json_str(it, "state") && !strcmp(json_str(it, "state"), "current"))
            cur = it;
    if (!cur) {
        printf("no current bid in lot %lld\n", o->lot);
        rc = 1;
        goto out;
    }
    f = cJSON_CreateObject();
    char lit[24];
    snprintf(lit, sizeof lit, "%lld", (long long)json_i64(cur, "id", -1));
    cJSON_AddRawToObject(f, "bid_id", lit);
    snprintf(lit, sizeof lit, "%lld", (long long)json_i64(cur, "bidder_org_id", -1));
    cJSON_AddRawToObject(f, "bidder_org_id", lit);
    cJSON_AddStringToObject(f, "envelope_sha256", json_str(cur, "envelope_sha256"));
    snprintf(lit, sizeof lit, "%lld", o->lot);
    cJSON_AddRawToObject(f, "lot", lit);
    cJSON_AddStringToObject(f, "platform", json_str(bind, "platform"));
    cJSON_AddStringToObject(f, "project_code", json_str(bind, "project_code"));
    snprintf(lit, sizeof lit, "%lld", (long long)json_i64(cur, "revision", -1));
    cJSON_AddRawToObject(f, "revision", lit);
    sig = sign_act_b64(key, "ggzy-bid-withdraw-v1", f);
    if (!sig) {
        fprintf(stderr, "ggzy: the withdrawal cannot be signed with %s\n", o->key);
        goto out;
    }
    snprintf(body, sizeof body, "{\"bid_id\":%lld,\"key_id\":\"%s\",\"signature\":\"%s\"}",
             (long long)json_i64(cur, "id", -1), kid, sig);
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
