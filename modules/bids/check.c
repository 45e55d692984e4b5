/*
 * check.c — POST /api/v1/envelopes/check: a sealed envelope streamed through the format checks
 * (docs/envelope.md) and its signer's certified key, in bounded memory, before a bidder submits it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include "accounts/accounts.h"
#include "announce/announce.h"
#include "audit.h"
#include "bids.h"
#include "crypto.h"
#include "entry/entry.h"
#include "envelope.h"
#include "envstore.h"
#include "internal.h"
#include "store.h"
#include "timelock.h"
#include "util.h"

/* ---- checking an envelope before submitting it ---- */

bool
bids_length_ok(struct req *r)
{
    const char *cl = req_header(r, "Content-Length");
    int64_t declared;
    if (cl && parse_i64(cl, 0, INT64_MAX, &declared) && declared > bids_conf.max_envelope_bytes) {
        req_error(r, E_PAYLOAD_TOO_LARGE,
                  "an envelope is at most %lld bytes (bids.max_envelope_bytes)",
                  (long long)bids_conf.max_envelope_bytes);
        return false;
    }
    return true;
}

/* The body streams into an env_stream: a few KiB per upload whatever its size. */
static void *
check_open(struct req *r)
{
    if (!bids_length_ok(r))
        return NULL;
    struct env_stream *st = malloc(sizeof *st);
    if (!st || !env_stream_init(st, (uint64_t)bids_conf.max_envelope_bytes)) {
        if (st)
            env_stream_free(st);
        free(st);
        log_error("check_open: out of memory");
        req_error(r, E_INTERNAL, "the check could not be started");
        return NULL;
    }
    return st;
}

void
bids_stream_refusal(struct req *r, const struct env_stream *st)
{
    if (st->too_large)
        req_error(r, E_PAYLOAD_TOO_LARGE, "%s of %lld bytes (bids.max_envelope_bytes)", st->why,
                  (long long)bids_conf.max_envelope_bytes);
    else
        req_error(r, E_INVALID_ENVELOPE, "%s", st->why);
}

static bool
check_write(struct req *r, void *state, const void *p, size_t n)
{
    struct env_stream *st = state;
    if (env_stream_feed(st, p, n))
        return true;
    bids_stream_refusal(r, st);
    return false;
}

static void
check_close(void *state)
{
    env_stream_free(state);
    free(state);
}

const struct body_sink bids_check_sink = {check_open, check_write, check_close};

bool
bids_verify_signer(struct req *r, struct dbconn *c, const struct env_view *v, cJSON **header,
                   struct signing_key *k)
{
    *header = cJSON_ParseWithLength((const char *)v->header, v->header_len);
    memset(k, 0, sizeof *k);
    const char *kid =
        cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(*header, "signer_key_id"));
    if (!cJSON_IsObject(*header) || !kid) {
        req_error(r, E_INVALID_ENVELOPE, "the header is not a JSON object naming signer_key_id");
        return false;
    }
    /* the key must be the caller's, live, and certified for the bidders' side and the caller's
     * organization — re-verified now, whatever the database says of it */
    enum db_status st;
    char why[400];
    const char *rule =
        accounts_signing_key(c, r->who.user_id, kid, clock_now_us(), k, why, sizeof why, &st);
    if (st != DB_OK) {
        req_db_fail(r, c, st);
        return false;
    }
    if (rule && !strcmp(rule, "KEY-UNKNOWN")) {
        req_rule(r, "BID-SIGNER-KEY",
                 "the envelope is signed with key %.64s, which is not a live key of yours (POST "
                 "/api/v1/me/keys)",
                 kid);
        return false;
    }
    if (rule) {
        req_rule(r, rule, "the envelope's signing key: %s", why);
        return false;
    }
    if (!env_verify_signature(v, k->info.spki, k->info.spki_len)) {
        accounts_signing_key_free(k);
        req_rule(r, "BID-SIGNATURE", "the signature does not verify with key %.64s", kid);
        return false;
    }
    return true;
}

/* What the platform will check at submission, without storing anything: the format and the
 * bidder's signature. The answer names the envelope's SHA-256, which the receipt will carry. */
void
envelope_check(struct req *r, const cJSON *body)
{
    (void)body;
    struct env_stream *st = r->sink_state;
    struct env_view v;
    uint8_t sha[32];
    if (r->body_bytes == 0) {
        req_error(r, E_INVALID_ENVELOPE, "send the envelope as the request body");
        return;
    }
    if (!env_stream_finish(st, &v, sha)) {
        bids_stream_refusal(r, st);
        return;
    }
    struct dbconn *c = req_db(r);
    cJSON *header = NULL;
    struct signing_key k;
    if (c && bids_verify_signer(r, c, &v, &header, &k)) {
        accounts_signing_key_free(&k);
        cJSON *o = cJSON_CreateObject();
        bids_add_hex(o, "sha256", sha, 32);
        json_add_i64(o, "size", (int64_t)r->body_bytes);
        json_add_i64(o, "plaintext_size", (int64_t)v.pt_len);
        cJSON_AddItemToObject(o, "header", header);
        header = NULL;
        cJSON_AddStringToObject(o, "signature", "verified");
        req_json(r, 200, o);
    }
    cJSON_Delete(header);
}
