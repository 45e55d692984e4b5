/*
 * routes.c — the bids module's route table, and the handlers of a lot's opening key (the time
 * lock, docs/envelope.md §7) and of the pre-flight check. Submission and receipts live in
 * submit.c, the opening ceremony in opening.c (internal.h is what the three share).
 *
 *   POST /api/v1/projects/{id}/lots/{lot}/opening-key            make it (center staff, agent)
 *   GET  /api/v1/projects/{id}/lots/{lot}/opening-key            the public key (anyone)
 *   GET  /api/v1/projects/{id}/lots/{lot}/opening-key/share      a custodian's sealed share
 *   POST /api/v1/envelopes/check                                   a bidder's pre-flight check
 *
 * Making the key is one transaction with its audit entry, whose payload carries everything a
 * custodian needs to check their share (the commitments) and even to recover it (the sealed
 * shares): the private scalar is never stored, only wiped (lib/timelock.c).
 */
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

const struct config *bids_cfg;

static int
sweep_known(const uint8_t sha256[32], void *ctx)
{
    int64_t id = 0;
    return store_bid_by_sha(ctx, sha256, &id) == DB_OK ? id != 0 : -1;
}

static bool
bids_init(const struct config *config)
{
    bids_cfg = config;
    audit_on_sequenced("bid.receive", store_sql_bid_index);
    entry_on_opened_check(bids_all_opened); /* opened → evaluating waits for every lot */
    static const struct announce_openings openings = {bids_opening_keys, bids_lot_without_key,
                                                      bids_opening_started};
    announce_set_openings(&openings); /* a tender announcement carries the opening keys */
    bids_parties_init();              /* an opening admits its bidders; relocations tell them */
    if (!envstore_init(bids_conf.store_dir))
        return false;
    /* envelopes a crash left without their bid (made durable, never committed) */
    struct dbconn *c = db_acquire();
    if (!c) {
        log_warn("the database is not reachable: stored envelopes were not swept");
        return true;
    }
    int n = envstore_sweep(sweep_known, c, 600);
    db_release(c);
    if (n < 0)
        log_warn("the sweep of stored envelopes stopped on an error");
    return true;
}

/* ---- the table ---- */

static const struct field withdraw_schema[] = {
    {"bid_id", F_INT, true, 1, INT64_C(9007199254740991), NULL},
    {"key_id", F_STRING, true, 64, 64, NULL},
    {"signature", F_STRING, true, 1, 200, NULL},
    {NULL},
};
static const struct field make_schema[] = {
    {"custodians", F_ARRAY, true, 2, VSS_MAX, NULL},
    {"threshold", F_INT, false, 2, VSS_MAX, NULL},
    {NULL},
};

#define CUSTODIANS (ROLE_AGENT | ROLE_CENTER_ADMIN | ROLE_SUPERVISOR)

static const struct route routes[] = {
    {"POST", "/api/v1/projects/{id}/lots/{lot}/opening-key", opening_key_create,
     ROLE_AGENT | ROLE_CENTER_ADMIN, 8192, make_schema, ROUTE_CREATES},
    {"GET", "/api/v1/projects/{id}/lots/{lot}/opening-key", opening_key_get, ROLE_PUBLIC, 0, NULL,
     0},
    {"GET", "/api/v1/projects/{id}/lots/{lot}/opening-key/share", opening_share_mine, CUSTODIANS, 0,
     NULL, 0},
    /* the cap is the configuration's ceiling: check_open applies bids.max_envelope_bytes */
    {"POST", "/api/v1/envelopes/check", envelope_check, ROLE_BIDDER, (size_t)1 << 36, NULL,
     ROUTE_BODY_STREAM, &bids_check_sink},
    /* submission (submit.c) */
    {"GET", "/api/v1/projects/{id}/lots/{lot}/bids/binding", bids_binding, ROLE_BIDDER, 0, NULL, 0},
    {"POST", "/api/v1/projects/{id}/lots/{lot}/bids", bids_submit, ROLE_BIDDER, (size_t)1 << 36,
     NULL, ROUTE_BODY_STREAM, &bids_submit_sink},
    {"GET", "/api/v1/projects/{id}/lots/{lot}/bids/mine", bids_mine, ROLE_BIDDER, 0, NULL, 0},
    {"POST", "/api/v1/projects/{id}/lots/{lot}/bids/withdrawal", bids_withdraw, ROLE_BIDDER, 1024,
     withdraw_schema, 0},
    {"GET", "/api/v1/bids/{id}/receipt", bids_receipt, ROLES_USER, 0, NULL, 0},
    {"GET", "/api/v1/bids/{id}/envelope", bids_envelope, ROLES_USER, 0, NULL, ROUTE_RAW},
    /* the opening ceremony (opening.c) */
    {"POST", "/api/v1/projects/{id}/lots/{lot}/opening", opening_start,
     ROLE_AGENT | ROLE_CENTER_ADMIN, 1024, opening_start_schema, 0},
    {"GET", "/api/v1/projects/{id}/lots/{lot}/opening", opening_get, ROLE_PUBLIC, 0, NULL, 0},
    {"GET", "/api/v1/projects/{id}/lots/{lot}/opening/stream", opening_stream, ROLE_PUBLIC, 0, NULL,
     0},
    {"POST", "/api/v1/projects/{id}/lots/{lot}/opening/shares", opening_share, CUSTODIANS, 2048,
     opening_share_schema, 0},
    {"POST", "/api/v1/projects/{id}/lots/{lot}/opening/objections", opening_object, ROLE_BIDDER,
     8192, objection_schema, ROUTE_CREATES},
    {"POST", "/api/v1/projects/{id}/lots/{lot}/opening/objections/{oid}/answer", opening_answer,
     ROLE_AGENT | ROLE_CENTER_ADMIN | ROLE_SUPERVISOR, 8192, answer_schema, 0},
};

struct bids_conf bids_conf;

static const struct config_key config_keys[] = {
    CONFIG_I(struct bids_conf, "bids.max_envelope_bytes", max_envelope_bytes, "67108864", 4096,
             INT64_C(1) << 36),
    CONFIG_S(struct bids_conf, "bids.store_dir", store_dir, "var/envelopes"),
    CONFIG_I(struct bids_conf, "bids.resume_after_s", resume_after_s, "60", 0, 86400),
    CONFIG_I(struct bids_conf, "bids.opening_batch", opening_batch, "128", 1, OPENING_BATCH_CAP),
    CONFIG_I(struct bids_conf, "bids.opening_batch_bytes", opening_batch_bytes, "134217728", 1,
             INT64_C(1) << 36),
};

static const struct job jobs[] = {
    {"bids.openings-resume", "system:opening-runner", 15, NULL, true, bids_job_resume},
};

static bool
config_check(char *err, size_t errlen)
{
    if (bids_conf.store_dir && bids_conf.store_dir[0])
        return true;
    snprintf(err, errlen, "bids.store_dir must name a directory");
    return false;
}

static const char *const rule_codes[] = {
    "BID-BOUND-BIDDER",  "BID-BOUND-LOT",   "BID-BOUND-PROJECT", "BID-BOUND-ROUND",
    "BID-CUSTODIAN-KEY", "BID-DEADLINE",    "BID-NO-KEY",        "BID-NOT-OPEN",
    "BID-OPENING-TIME",  "BID-REPLAY",      "BID-REVISION",      "BID-SHARE",
    "BID-SIGNATURE",     "BID-SIGNED-TIME", "BID-SIGNER-KEY",    NULL,
};

const struct module bids_module = {
    .name = "bids",
    .rule_codes = rule_codes,
    .routes = routes,
    .nroutes = ARRAY_LEN(routes),
    .init = bids_init,
    .jobs = jobs,
    .njobs = ARRAY_LEN(jobs),
    .config_keys = config_keys,
    .nconfig_keys = ARRAY_LEN(config_keys),
    .config = &bids_conf,
    .config_check = config_check,
};
