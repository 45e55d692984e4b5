/*
 * opening.c — `ggzy opening start|verify` (docs/envelope.md §9): start a lot's opening, signed
 * (the agent or the center), and verify a finished opening by re-deriving every decryption from
 * the published opening key. Exit status: 0 verified, 1 a check failed, 2 usage or I/O.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "bidplain.h"
#include "canon.h"
#include "cmd.h"
#include "crypto.h"
#include "envelope.h"
#include "hpke.h"
#include "util.h"

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
    if (!k || !json_str(k, "key_id") || !json_str(k, "platform") || !json_str(k, "project_code") ||
        !now) {
        fprintf(stderr, "ggzy: %s\n",
                k ? "the lot's opening key or the server's clock is missing" : err);
        goto out;
    }
    f = cJSON_CreateObject();
    char lit[24];
    snprintf(lit, sizeof lit, "%lld", o->lot);
    cJSON_AddRawToObject(f, "lot", lit);
    cJSON_AddStringToObject(f, "opening_key_id", json_str(k, "key_id"));
    cJSON_AddStringToObject(f, "platform", json_str(k, "platform"));
    cJSON_AddStringToObject(f, "project_code", json_str(k, "project_code"));
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
        printf("the opening of lot %lld is %s (%lld bids)\n", o->lot, json_str(j, "state"),
               (long long)json_i64(j, "bids", -1));
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
    const char *st = json_str(op, "status");
    snprintf(path, sizeof path, "/api/v1/bids/%lld/envelope", (long long)json_i64(rec, "id", -1));
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
        const char *b64 = json_str(op, "summary_b64");
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
        else if (json_i64(op, "price_fen", -1) != bp.price_fen)
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
               json_str(j, "state") ? json_str(j, "state") : "?");
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
            printf("FAILED: bid %lld: %s\n", (long long)json_i64(rec, "id", -1), problem);
        } else if (!strcmp(json_str(op, "status"), "opened"))
            printf("bid %lld: opened, price %lld fen, summary matches the sealed one\n",
                   (long long)json_i64(rec, "id", -1), (long long)json_i64(op, "price_fen", -1));
        else
            printf("bid %lld: rejected (%s) and indeed does not open\n",
                   (long long)json_i64(rec, "id", -1),
                   json_str(op, "class") ? json_str(op, "class") : "?");
    }
    if (n != json_i64(j, "bids", -1)) {
        printf("FAILED: the record lists %d envelopes of the %lld received\n", n,
               (long long)json_i64(j, "bids", -1));
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
