/*
 * submit.c — sealed bid submission (docs/envelope.md §8): a bidder streams an envelope, the
 * platform checks it as it arrives (format, size) while spooling it to disk, then checks the
 * bidder's signature, what the header binds against the project, lot and bidder, the revision
 * and the deadline, stores the envelope durably (envstore_commit) and only then commits the bid
 * with its audit entry `bid.receive` and answers with a receipt signed by the platform.
 *
 *   GET    /api/v1/projects/{id}/lots/{lot}/bids/binding    what to seal (ggzy bid seal)
 *   POST   /api/v1/projects/{id}/lots/{lot}/bids            submit (streamed)
 *   GET    /api/v1/projects/{id}/lots/{lot}/bids/mine       the caller's revisions
 *   POST   /api/v1/projects/{id}/lots/{lot}/bids/withdrawal withdraw the current one (signed)
 *   GET    /api/v1/bids/{id}/receipt                        the receipt, with an inclusion proof
 *   GET    /api/v1/bids/{id}/envelope                       the stored bytes
 *
 * The time of record of a bid is its audit entry's (one clock, lib/util.h): the deadline is
 * checked against it, inside the transaction, so no bid.receive entry can be later than the
 * deadline it was accepted under.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <openssl/crypto.h>

#include "accounts/accounts.h"
#include "announce/announce.h"
#include "audit.h"
#include "bids.h"
#include "canon.h"
#include "checkpoint.h"
#include "crypto.h"
#include "entry/entry.h"
#include "envstore.h"
#include "internal.h"
#include "merkle.h"
#include "store.h"
#include "util.h"

#define RECEIPT_DOMAIN "ggzy-bid-receipt-v1\n"

/* ---- the upload: checked as it streams, spooled to tmp/ ---- */

struct upload {
    struct env_stream st;
    struct spool sp;
};

struct lot_terms;
static enum tx_result lot_terms(struct dbconn *c, struct req *r, int64_t project, int64_t lot,
                                struct lot_terms *t);
static bool early_refusal(struct req *r);

static void *
submit_open(struct req *r)
{
    if (!bids_length_ok(r) || early_refusal(r))
        return NULL;
    struct upload *u = calloc(1, sizeof *u);
    if (!u) {
        req_error(r, E_INTERNAL, "the upload could not be started");
        return NULL;
    }
    u->sp.fd = -1;
    if (!env_stream_init(&u->st, (uint64_t)bids_conf.max_envelope_bytes) || !spool_open(&u->sp)) {
        env_stream_free(&u->st);
        free(u);
        req_error(r, E_INTERNAL, "the upload could not be started");
        return NULL;
    }
    return u;
}

static bool
submit_write(struct req *r, void *state, const void *p, size_t n)
{
    struct upload *u = state;
    if (!env_stream_feed(&u->st, p, n)) {
        bids_stream_refusal(r, &u->st);
        return false;
    }
    if (!spool_write(&u->sp, p, n)) {
        req_error(r, E_INTERNAL, "the envelope could not be written to disk; try again");
        return false;
    }
    return true;
}

/* Runs once whatever happened: an upload that did not become an envelope leaves nothing. */
static void
submit_close(void *state)
{
    struct upload *u = state;
    spool_abort(&u->sp);
    env_stream_free(&u->st);
    free(u);
}

const struct body_sink bids_submit_sink = {submit_open, submit_write, submit_close};

/* ---- views ---- */

cJSON *
bids_view(const struct dbres *b, size_t i, bool with_opening)
{
    cJSON *o = cJSON_CreateObject();
    json_add_i64(o, "id", dbres_i64(b, i, BC_ID));
    json_add_i64(o, "project_id", dbres_i64(b, i, BC_PROJECT));
    json_add_i64(o, "lot", dbres_i64(b, i, BC_LOT));
    json_add_i64(o, "bidder_org_id", dbres_i64(b, i, BC_ORG));
    json_add_i64(o, "revision", dbres_i64(b, i, BC_REVISION));
    bids_add_hex(o, "envelope_sha256", dbres_str(b, i, BC_SHA), 32);
    json_add_i64(o, "size", dbres_i64(b, i, BC_SIZE));
    json_add_i64(o, "received_us", dbres_i64(b, i, BC_RECEIVED));
    json_add_time(o, "received_at", dbres_i64(b, i, BC_RECEIVED));
    if (dbres_str(b, i, BC_AUDIT_INDEX))
        json_add_i64(o, "audit_index", dbres_i64(b, i, BC_AUDIT_INDEX));
    else
        cJSON_AddNullToObject(o, "audit_index");
    cJSON_AddStringToObject(o, "state", dbres_str(b, i, BC_STATE));
    json_add_i64(o, "state_us", dbres_i64(b, i, BC_STATE_US));
    if (with_opening && dbres_str(b, i, BC_OPEN_STATUS)) {
        cJSON *op = cJSON_AddObjectToObject(o, "opening");
        cJSON_AddStringToObject(op, "status", dbres_str(b, i, BC_OPEN_STATUS));
        if (dbres_str(b, i, BC_SUMMARY)) {
            /* the sealed bytes verbatim, and the parsed view: every number in it is an integer
             * within ±(2^53−1) (bidplain_summary_check), which the one writer prints exactly */
            const char *sum = dbres_str(b, i, BC_SUMMARY);
            size_t n = dbres_len(b, i, BC_SUMMARY);
            char *b64 = malloc(4 * ((n + 2) / 3) + 1);
            if (b64) {
                b64_encode((const uint8_t *)sum, n, b64);
                cJSON_AddStringToObject(op, "summary_b64", b64);
                free(b64);
            }
            cJSON_AddItemToObject(op, "summary", cJSON_ParseWithLength(sum, n));
            json_add_i64(op, "price_fen", dbres_i64(b, i, BC_PRICE));
        }
        if (dbres_str(b, i, BC_OPEN_CLASS)) {
            cJSON_AddStringToObject(op, "class", dbres_str(b, i, BC_OPEN_CLASS));
            cJSON_AddStringToObject(op, "reason", dbres_str(b, i, BC_OPEN_REASON));
        }
        json_add_i64(op, "opened_us", dbres_i64(b, i, BC_OPENED_US));
    }
    return o;
}

/* The receipt of a bid (canonical JSON text, malloc'd) and its platform signature:
 * Ed25519 over RECEIPT_DOMAIN || text (docs/envelope.md §8.2). */
static char *
receipt_text(const char *platform, const char *project_code, int64_t project, int64_t lot,
             int64_t bid_id, int64_t org, int64_t user, int64_t revision, const void *sha,
             int64_t size, int64_t received_us, int64_t audit_index, uint8_t sig[64])
{
    cJSON *o = cJSON_CreateObject();
    if (audit_index >= 0)
        json_add_i64(o, "audit_index", audit_index);
    json_add_i64(o, "bid_id", bid_id);
    json_add_i64(o, "bidder_org_id", org);
    json_add_i64(o, "bidder_user_id", user);
    bids_add_hex(o, "envelope_sha256", sha, 32);
    json_add_i64(o, "lot", lot);
    cJSON_AddStringToObject(o, "platform", platform);
    cJSON_AddStringToObject(o, "project_code", project_code);
    json_add_i64(o, "project_id", project);
    json_add_i64(o, "received_us", received_us);
    json_add_i64(o, "revision", revision);
    json_add_i64(o, "size", size);
    cJSON_AddStringToObject(o, "type", "bid_receipt");
    json_add_i64(o, "v", 1);
    size_t len;
    char *text = canon_json(o, &len);
    cJSON_Delete(o);
    struct buf m = {0};
    buf_puts(&m, RECEIPT_DOMAIN);
    if (text)
        buf_append(&m, text, len);
    bool ok = text && !m.oom && platform_sign(m.p, m.len, sig);
    buf_free(&m);
    if (!ok) {
        log_error("the receipt of bid %lld cannot be signed", (long long)bid_id);
        free(text);
        return NULL;
    }
    return text;
}

static void
add_receipt(cJSON *o, char *text, const uint8_t sig[64])
{
    char b64[100];
    b64_encode(sig, 64, b64);
    cJSON_AddStringToObject(o, "receipt", text);
    cJSON_AddStringToObject(o, "signature", b64);
    cJSON_AddStringToObject(o, "vkey", checkpoint_vkey());
    free(text);
}

/* ---- the lot as a bidder sees it ---- */

enum tx_result
bids_lot_view(struct dbconn *c, struct req *r, int64_t project, int64_t lot, bool lock,
              bool (*visible)(const struct req *r, const struct project_view *p),
              struct lot_view *v)
{
    bool found;
    int64_t fen;
    if (entry_project(c, project, lock, &v->p, &found) != DB_OK)
        return TX_DBFAIL;
    if (!found || !visible(r, &v->p)) {
        req_error(r, E_NOT_FOUND, "no project %lld", (long long)project);
        return TX_REFUSE;
    }
    if (entry_lot_estimate(c, project, (int)lot, &fen, &found) != DB_OK)
        return TX_DBFAIL;
    if (!found) {
        req_error(r, E_NOT_FOUND, "project %lld has no lot %lld", (long long)project,
                  (long long)lot);
        return TX_REFUSE;
    }
    if (announce_bid_times(c, project, &v->deadline_us, &v->opening_us, &v->deadline_ann, &found) !=
        DB_OK)
        return TX_DBFAIL;
    if (!found && !entry_rule_is_party(&r->who, &v->p)) {
        /* to a bidder, a project that announced nothing does not exist: not even its code */
        req_error(r, E_NOT_FOUND, "no project %lld", (long long)project);
        return TX_REFUSE;
    }
    if (!found) {
        req_rule(r, "BID-NOT-OPEN",
                 "project %s has no published tender announcement: bids are not taken", v->p.code);
        return TX_REFUSE;
    }
    return TX_COMMIT;
}

/* A project a bidder may know of: one that has been accepted. */
static bool
public_project(const struct req *r, const struct project_view *p)
{
    (void)r;
    return strcmp(p->state, "draft") && strcmp(p->state, "submitted");
}

static void
refuse_late(struct req *r, const struct lot_view *v)
{
    char at[40];
    clock_format(v->deadline_us, at, sizeof at);
    req_rule(r, "BID-DEADLINE", "the bid deadline of project %s was %s: bids are closed", v->p.code,
             at);
}

/* What a bidder needs about a lot: the project, its deadline and opening key. Refusal set on r
 * (and TX_REFUSE) when the lot does not take bids now. */
struct lot_terms {
    struct lot_view v;
    char key_id[65];
    uint8_t opening_pk[65];
};

static enum tx_result
lot_terms(struct dbconn *c, struct req *r, int64_t project, int64_t lot, struct lot_terms *t)
{
    bool found;
    enum tx_result res = bids_lot_view(c, r, project, lot, false, public_project, &t->v);
    if (res != TX_COMMIT)
        return res;
    if (!bids_rule_accepting_state(t->v.p.state)) {
        req_rule(r, "BID-NOT-OPEN", "project %s is %s: bids are taken only while it is bidding",
                 t->v.p.code, t->v.p.state);
        return TX_REFUSE;
    }
    /* whatever the state says: once the lot's opening has started, its bids are what they are */
    struct dbres o = {0};
    if (store_opening_of_lot(c, project, lot, false, &o) != DB_OK) {
        dbres_free(&o);
        return TX_DBFAIL;
    }
    bool started = o.nrows > 0;
    dbres_free(&o);
    if (started) {
        req_rule(r, "BID-DEADLINE",
                 "the opening of lot %lld of project %s has started: bids are closed",
                 (long long)lot, t->v.p.code);
        return TX_REFUSE;
    }
    struct dbres k, s;
    if (bids_load_key(c, project, lot, &k, &s, &found) != DB_OK) {
        dbres_free(&k);
        dbres_free(&s);
        return TX_DBFAIL;
    }
    if (found) {
        snprintf(t->key_id, sizeof t->key_id, "%s", dbres_str(&k, 0, OK_KEY_ID));
        memcpy(t->opening_pk, dbres_str(&k, 0, OK_PUBLIC), 65);
        dbres_free(&k);
        dbres_free(&s);
        return TX_COMMIT;
    }
    req_rule(r, "BID-NO-KEY", "lot %lld of project %s has no opening key: nothing can be sealed",
             (long long)lot, t->v.p.code);
    return TX_REFUSE;
}

/* Lots lately found taking bids, by (project, lot): the early check below asks the database
 * once a second per lot, not once per upload — in a deadline rush hundreds of uploads start
 * together, and six queries each before their first byte cost a fifth of the throughput
 * (bench/bids.py). Only a yes is remembered, with the deadline it was found under, which is
 * checked every time; whatever changes within the second is refused by the same checks in the
 * transaction, after the body instead of before it. While one upload asks, the others of that
 * lot wait for its answer (up to 200 ms) instead of asking too. */
#define EARLY_SLOTS   64
#define EARLY_TTL_US  1000000
#define EARLY_WAIT_MS 200
static struct {
    int64_t project, lot, deadline_us, checked_us;
    bool asking;
} early[EARLY_SLOTS];
static pthread_mutex_t early_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t early_cv = PTHREAD_COND_INITIALIZER;

/* Under early_mu: the slot of (project, lot), and whether it holds a fresh yes. */
static size_t
early_slot(int64_t project, int64_t lot)
{
    return (size_t)(((uint64_t)project * 31u + (uint64_t)lot) % EARLY_SLOTS);
}

static bool
early_fresh(size_t i, int64_t project, int64_t lot, int64_t now)
{
    return early[i].project == project && early[i].lot == lot && early[i].deadline_us &&
           now >= early[i].checked_us && now - early[i].checked_us < EARLY_TTL_US;
}

/* The remembered deadline of (project, lot), or 0 when the caller must ask the database; then
 * *asker says whether it asks for the slot (and must call early_answer). */
static int64_t
early_lookup(int64_t project, int64_t lot, int64_t now, bool *asker)
{
    size_t i = early_slot(project, lot);
    int64_t deadline = 0;
    struct timespec until;
    clock_deadline_ms(CLOCK_REALTIME, EARLY_WAIT_MS, &until);
    *asker = false;
    pthread_mutex_lock(&early_mu);
    while (!early_fresh(i, project, lot, now) && early[i].asking && early[i].project == project &&
           early[i].lot == lot)
        if (pthread_cond_timedwait(&early_cv, &early_mu, &until) != 0)
            break;
    if (early_fresh(i, project, lot, now)) {
        deadline = early[i].deadline_us;
    } else if (!early[i].asking) {
        early[i].project = project;
        early[i].lot = lot;
        early[i].deadline_us = 0;
        early[i].asking = *asker = true;
    }
    pthread_mutex_unlock(&early_mu);
    return deadline;
}

/* The asker's answer: the deadline of a lot found taking bids, or 0 for anything else. */
static void
early_answer(int64_t project, int64_t lot, int64_t deadline_us, int64_t now)
{
    size_t i = early_slot(project, lot);
    pthread_mutex_lock(&early_mu);
    early[i].deadline_us = deadline_us;
    early[i].checked_us = now;
    early[i].asking = false;
    pthread_cond_broadcast(&early_cv);
    pthread_mutex_unlock(&early_mu);
}

/* Before the first byte: a lot that takes no bids now (no such lot, bids not open, past the
 * deadline) is refused at once, so a bidder does not upload 60 MiB to hear it. The connection
 * is given back at once: an upload does not hold one while its body arrives. If the database
 * is busy this check is skipped; the transaction makes the same checks anyway. */
static bool
early_refusal(struct req *r)
{
    int64_t project, lot, now = clock_now_us();
    bool asker;
    if (!req_param_id(r, "id", &project) || !req_param_id(r, "lot", &lot))
        return true;
    int64_t deadline = early_lookup(project, lot, now, &asker);
    if (deadline && bids_rule_in_time(now, deadline))
        return false;
    struct dbconn *c = db_acquire();
    struct lot_terms t;
    enum tx_result res = c ? lot_terms(c, r, project, lot, &t) : TX_DBFAIL;
    if (c)
        db_release(c);
    bool yes = res == TX_COMMIT && bids_rule_in_time(now, t.v.deadline_us);
    if (asker)
        early_answer(project, lot, yes ? t.v.deadline_us : 0, now);
    if (res == TX_COMMIT && !yes) {
        refuse_late(r, &t.v);
        return true;
    }
    return res == TX_REFUSE;
}

struct binding_ctx {
    int64_t project, lot;
};

static enum tx_result
binding_tx(struct dbconn *c, struct req *r, void *arg)
{
    struct binding_ctx *x = arg;
    struct lot_terms t;
    enum tx_result res = lot_terms(c, r, x->project, x->lot, &t);
    if (res != TX_COMMIT)
        return res;
    int64_t last_id, last_rev, keys_ann;
    bool current;
    if (store_bid_last(c, x->project, x->lot, r->who.org_id, &last_id, &last_rev, &current) !=
            DB_OK ||
        announce_keys_published(c, x->project, &keys_ann) != DB_OK)
        return TX_DBFAIL;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "platform", bids_cfg->platform_id);
    cJSON_AddStringToObject(o, "project_code", t.v.p.code);
    json_add_i64(o, "project_id", x->project);
    json_add_i64(o, "lot", x->lot);
    json_add_i64(o, "bidder_org_id", r->who.org_id);
    json_add_i64(o, "revision", last_rev + 1);
    json_add_i64(o, "bid_deadline_us", t.v.deadline_us);
    json_add_time(o, "bid_deadline_at", t.v.deadline_us);
    json_add_i64(o, "opening_us", t.v.opening_us);
    cJSON_AddStringToObject(o, "opening_key_id", t.key_id);
    bids_add_hex(o, "opening_pk", t.opening_pk, 65);
    /* where the bidder checks both in the signed public record (docs/envelope.md §8) */
    cJSON *src = cJSON_AddObjectToObject(o, "announcements");
    json_add_i64(src, "deadline", t.v.deadline_ann);
    if (keys_ann)
        json_add_i64(src, "opening_key", keys_ann);
    else
        cJSON_AddNullToObject(src, "opening_key");
    req_json(r, 200, o);
    return TX_COMMIT;
}

/* GET …/bids/binding: the lot binding `ggzy bid seal --binding` takes, for the caller's
 * organization and its next revision. */
void
bids_binding(struct req *r, const cJSON *body)
{
    (void)body;
    struct binding_ctx x;
    if (!req_param_id(r, "id", &x.project) || !req_param_id(r, "lot", &x.lot))
        return;
    req_tx(r, binding_tx, &x);
}

/* ---- submission ---- */

struct submit_ctx {
    int64_t project, lot;
    const cJSON *header;
    const struct signing_key *key;
    const struct env_view *env;
    const char *signer;
    uint8_t sha[32];
    int64_t size, revision;
    struct upload *up;
    bool stored; /* the envelope file is in place (a retried transaction does not redo it) */
    struct audit_ref ref;
    int64_t bid_id, superseded;
    char code[32];
};

static enum tx_result
submit_tx(struct dbconn *c, struct req *r, void *arg)
{
    struct submit_ctx *x = arg;
    struct lot_terms t;
    enum tx_result res = lot_terms(c, r, x->project, x->lot, &t);
    if (res != TX_COMMIT)
        return res;
    snprintf(x->code, sizeof x->code, "%s", t.v.p.code);
    struct bid_expect e = {bids_cfg->platform_id, t.v.p.code,     t.key_id, x->lot,
                           r->who.org_id,         t.v.deadline_us};
    struct refusal bound = bids_rule_binding(&e, x->header);
    if (bound.code) {
        req_refusal(r, &bound);
        return TX_REFUSE;
    }
    if (!bids_rule_in_time(clock_now_us(), t.v.deadline_us)) {
        refuse_late(r, &t.v);
        return TX_REFUSE;
    }
    int64_t dup, last_id, last_rev;
    bool current;
    if (store_bid_by_sha(c, x->sha, &dup) != DB_OK ||
        store_bid_last(c, x->project, x->lot, r->who.org_id, &last_id, &last_rev, &current) !=
            DB_OK)
        return TX_DBFAIL;
    if (dup) {
        req_rule(r, "BID-REPLAY",
                 "this envelope was received already (bid %lld): every revision is a new "
                 "envelope",
                 (long long)dup);
        return TX_REFUSE;
    }
    x->revision =
        (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(x->header, "revision"));
    if (!bids_rule_revision_ok(x->revision, last_rev)) {
        req_rule(r, "BID-REVISION",
                 "revision %lld is not the next one: your last revision for this lot is %lld, "
                 "so seal revision %lld",
                 (long long)x->revision, (long long)last_rev, (long long)last_rev + 1);
        return TX_REFUSE;
    }
    /* durable before anything refers to it: the receipt will name these bytes */
    if (!x->stored) {
        if (!envstore_commit(&x->up->sp, x->sha)) {
            req_error(r, E_INTERNAL, "the envelope could not be stored; nothing was received");
            return TX_REFUSE;
        }
        x->stored = true;
    }
    int64_t now = clock_now_us();
    x->superseded = current ? last_id : 0;
    if (current && store_bid_set_state(c, last_id, "superseded", now) != DB_OK)
        return TX_DBFAIL;
    struct bid_row b = {x->project, x->lot, r->who.org_id, r->who.user_id, x->revision,
                        x->size,    now,    x->signer,     x->sha,         r->client};
    if (store_bid_insert(c, &b, &x->bid_id) != DB_OK)
        return TX_DBFAIL;
    cJSON *p = cJSON_CreateObject();
    char lot[24];
    snprintf(lot, sizeof lot, "%lld", (long long)x->lot);
    cJSON_AddStringToObject(p, "lot", lot);
    json_add_i64(p, "bid_id", x->bid_id);
    json_add_i64(p, "bidder_org_id", r->who.org_id);
    json_add_i64(p, "revision", x->revision);
    bids_add_hex(p, "envelope_sha256", x->sha, 32);
    json_add_i64(p, "size", x->size);
    cJSON_AddStringToObject(p, "signer_key_id", x->signer);
    if (x->superseded)
        json_add_i64(p, "supersedes", x->superseded);
    /* the envelope's signature over its digest, with the signer's certificate: re-verifiable
     * offline (docs/audit.md §8) without the envelope, which stays sealed until the opening */
    char sig[100];
    b64_encode(x->env->signature, 64, sig);
    cJSON *f = cJSON_CreateObject();
    bids_add_hex(f, "signed_sha256", x->env->signed_digest, 32);
    cJSON *signed_ = accounts_signed_json(x->key, NULL, f, sig);
    cJSON_Delete(f);
    if (!signed_) {
        cJSON_Delete(p);
        return TX_DBFAIL;
    }
    cJSON_AddItemToObject(p, "signed", signed_);
    if (audit_append(c, req_actor(r), "bid.receive", "bid", x->bid_id, x->project, p, &x->ref) !=
        DB_OK)
        return TX_DBFAIL;
    /* the time of record is the entry's: it too must be within the deadline */
    if (!bids_rule_in_time(x->ref.time_us, t.v.deadline_us)) {
        refuse_late(r, &t.v);
        return TX_REFUSE;
    }
    return store_bid_time(c, x->bid_id, x->ref.time_us) == DB_OK ? TX_COMMIT : TX_DBFAIL;
}

/* POST …/bids: the body streamed through bids_submit_sink. */
void
bids_submit(struct req *r, const cJSON *body)
{
    (void)body;
    struct submit_ctx x = {0};
    struct upload *u = r->sink_state;
    struct env_view v;
    cJSON *header = NULL;
    if (!req_param_id(r, "id", &x.project) || !req_param_id(r, "lot", &x.lot))
        return;
    if (r->body_bytes == 0) {
        req_error(r, E_INVALID_ENVELOPE, "send the envelope as the request body");
        return;
    }
    if (!env_stream_finish(&u->st, &v, x.sha)) {
        bids_stream_refusal(r, &u->st);
        return;
    }
    struct dbconn *c = req_db(r);
    struct signing_key key = {0};
    if (!c || !bids_verify_signer(r, c, &v, &header, &key))
        goto out;
    x.header = header;
    x.key = &key;
    x.env = &v;
    x.signer = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(header, "signer_key_id"));
    x.size = (int64_t)r->body_bytes;
    x.up = u;
    if (!req_tx(r, submit_tx, &x)) {
        /* refused or failed after the file was made durable: leave no envelope that no bid
         * refers to (an identical upload committing concurrently keeps its file) */
        int64_t holder = 0;
        if (x.stored && store_bid_by_sha(c, x.sha, &holder) == DB_OK && holder == 0)
            envstore_remove(x.sha);
        goto out;
    }
    uint8_t sig[64];
    char *text =
        receipt_text(bids_cfg->platform_id, x.code, x.project, x.lot, x.bid_id, r->who.org_id,
                     r->who.user_id, x.revision, x.sha, x.size, x.ref.time_us, x.ref.index, sig);
    cJSON *o = cJSON_CreateObject();
    json_add_i64(o, "bid_id", x.bid_id);
    json_add_i64(o, "revision", x.revision);
    bids_add_hex(o, "envelope_sha256", x.sha, 32);
    json_add_i64(o, "received_us", x.ref.time_us);
    json_add_time(o, "received_at", x.ref.time_us);
    if (x.superseded)
        json_add_i64(o, "supersedes", x.superseded);
    if (text)
        add_receipt(o, text, sig);
    req_json(r, 201, o);
out:
    accounts_signing_key_free(&key);
    cJSON_Delete(header);
}

/* ---- the caller's bids, withdrawal ---- */

void
bids_mine(struct req *r, const cJSON *body)
{
    (void)body;
    int64_t project, lot;
    struct dbconn *c = req_db_for(r, "id", &project);
    if (!c || !req_param_id(r, "lot", &lot))
        return;
    struct dbres b;
    enum db_status st = store_bids_of_org(c, project, lot, r->who.org_id, &b);
    if (st != DB_OK)
        req_db_fail(r, c, st);
    else {
        cJSON *o = cJSON_CreateObject();
        cJSON *items = cJSON_AddArrayToObject(o, "items");
        for (size_t i = 0; i < b.nrows; i++)
            cJSON_AddItemToArray(items, bids_view(&b, i, true));
        cJSON_AddNullToObject(o, "next_after");
        req_json(r, 200, o);
    }
    dbres_free(&b);
}

#define WITHDRAW_DOMAIN "ggzy-bid-withdraw-v1"

struct withdraw_ctx {
    int64_t project, lot, bid_id;
    const char *key_id, *signature;
};

/* What a withdrawal signs (docs/envelope.md §8.3): the exact bid, by its envelope's hash, so a
 * signature withdraws that revision and nothing else. Caller frees. */
static cJSON *
withdraw_fields(const struct dbres *b, const char *code)
{
    cJSON *f = cJSON_CreateObject();
    json_add_i64(f, "bid_id", dbres_i64(b, 0, BC_ID));
    json_add_i64(f, "bidder_org_id", dbres_i64(b, 0, BC_ORG));
    bids_add_hex(f, "envelope_sha256", dbres_str(b, 0, BC_SHA), 32);
    json_add_i64(f, "lot", dbres_i64(b, 0, BC_LOT));
    cJSON_AddStringToObject(f, "platform", bids_cfg->platform_id);
    cJSON_AddStringToObject(f, "project_code", code);
    json_add_i64(f, "revision", dbres_i64(b, 0, BC_REVISION));
    return f;
}

static enum tx_result
withdraw_tx(struct dbconn *c, struct req *r, void *arg)
{
    struct withdraw_ctx *x = arg;
    struct lot_terms t;
    enum tx_result res = lot_terms(c, r, x->project, x->lot, &t);
    if (res != TX_COMMIT)
        return res;
    if (!bids_rule_in_time(clock_now_us(), t.v.deadline_us)) {
        req_rule(r, "BID-DEADLINE",
                 "the bid deadline of project %s passed: a bid can no longer be withdrawn",
                 t.v.p.code);
        return TX_REFUSE;
    }
    int64_t id, rev;
    bool current;
    if (store_bid_last(c, x->project, x->lot, r->who.org_id, &id, &rev, &current) != DB_OK)
        return TX_DBFAIL;
    if (!current || id != x->bid_id) {
        req_error(r, E_NOT_FOUND, "bid %lld is not your organization's current bid for lot %lld",
                  (long long)x->bid_id, (long long)x->lot);
        return TX_REFUSE;
    }
    struct dbres b;
    if (store_bid_get(c, id, &b) != DB_OK || b.nrows != 1) {
        dbres_free(&b);
        return TX_DBFAIL;
    }
    /* signed by a certified key of the caller: a password alone withdraws nothing */
    struct signing_key k;
    enum db_status st;
    char why[400];
    const char *rule = accounts_signing_key(c, r->who.user_id, x->key_id, clock_now_us(), &k, why,
                                            sizeof why, &st);
    cJSON *f = withdraw_fields(&b, t.v.p.code), *signed_ = NULL;
    dbres_free(&b);
    if (st != DB_OK) {
        cJSON_Delete(f);
        return TX_DBFAIL;
    }
    if (rule || !accounts_act_verifies(&k, WITHDRAW_DOMAIN, f, x->signature)) {
        if (rule)
            req_rule(r, !strcmp(rule, "KEY-UNKNOWN") ? "BID-SIGNER-KEY" : rule, "%s", why);
        else
            req_rule(
                r, "BID-SIGNATURE",
                "the withdrawal's signature does not verify with key %.64s over \"" WITHDRAW_DOMAIN
                "\\n\" + canonical JSON {bid_id, bidder_org_id, "
                "envelope_sha256, lot, platform, project_code, revision}",
                x->key_id);
        accounts_signing_key_free(&k);
        cJSON_Delete(f);
        return TX_REFUSE;
    }
    signed_ = accounts_signed_json(&k, WITHDRAW_DOMAIN, f, x->signature);
    accounts_signing_key_free(&k);
    cJSON_Delete(f);
    if (!signed_ || store_bid_set_state(c, id, "withdrawn", clock_now_us()) != DB_OK) {
        cJSON_Delete(signed_);
        return TX_DBFAIL;
    }
    cJSON *p = cJSON_CreateObject();
    char lot[24];
    snprintf(lot, sizeof lot, "%lld", (long long)x->lot);
    cJSON_AddStringToObject(p, "lot", lot);
    json_add_i64(p, "bid_id", id);
    json_add_i64(p, "revision", rev);
    cJSON_AddItemToObject(p, "signed", signed_);
    if (audit_append(c, req_actor(r), "bid.withdraw", "bid", id, x->project, p, NULL) != DB_OK)
        return TX_DBFAIL;
    if (store_bid_get(c, id, &b) != DB_OK || b.nrows != 1) {
        dbres_free(&b);
        return TX_DBFAIL;
    }
    req_json(r, 200, bids_view(&b, 0, false));
    dbres_free(&b);
    return TX_COMMIT;
}

/* POST …/bids/withdrawal {bid_id, key_id, signature} */
void
bids_withdraw(struct req *r, const cJSON *body)
{
    struct withdraw_ctx x = {.bid_id = json_i64(body, "bid_id", 0),
                             .key_id = json_str(body, "key_id"),
                             .signature = json_str(body, "signature")};
    if (!req_param_id(r, "id", &x.project) || !req_param_id(r, "lot", &x.lot))
        return;
    req_tx(r, withdraw_tx, &x);
}

/* ---- reading one bid: receipt and envelope ---- */

/* The bid of path parameter id, if the caller may see it (bids_rule_visibility). NULL with the
 * refusal set: 404 for a bid the caller may not know exists, 403 for an envelope not yet due. */
static struct dbconn *
visible_bid(struct req *r, struct dbres *b, bool envelope)
{
    int64_t id;
    struct dbconn *c = req_db_for(r, "id", &id);
    memset(b, 0, sizeof *b);
    if (!c)
        return NULL;
    enum db_status st = store_bid_get(c, id, b);
    struct dbres o = {0};
    struct project_view p;
    bool found = false;
    enum bid_visibility see = SEE_HIDDEN;
    if (st == DB_OK && b->nrows == 1)
        st = entry_project(c, dbres_i64(b, 0, BC_PROJECT), false, &p, &found);
    if (st == DB_OK && found)
        st = store_opening_of_lot(c, p.id, dbres_i64(b, 0, BC_LOT), false, &o);
    if (st == DB_OK && found)
        see = bids_rule_visibility(r->who.role, dbres_i64(b, 0, BC_ORG) == r->who.org_id,
                                   entry_rule_is_party(&r->who, &p),
                                   o.nrows == 1 ? dbres_str(&o, 0, OC_STATE) : NULL, envelope);
    dbres_free(&o);
    if (st != DB_OK) {
        req_db_fail(r, c, st);
        return NULL;
    }
    if (see == SEE_OK)
        return c;
    if (see == SEE_FORBIDDEN)
        req_error(r, E_FORBIDDEN,
                  "an envelope is given to the project's parties only once its lot is opened");
    else
        req_error(r, E_NOT_FOUND, "no bid %lld", (long long)id);
    return NULL;
}

void
bids_receipt(struct req *r, const cJSON *body)
{
    (void)body;
    struct dbres b;
    struct dbconn *c = visible_bid(r, &b, false);
    if (!c) {
        dbres_free(&b);
        return;
    }
    struct project_view p;
    bool found;
    char *note = NULL, *entry = NULL;
    uint64_t size = 0;
    enum db_status st = entry_project(c, dbres_i64(&b, 0, BC_PROJECT), false, &p, &found);
    int64_t index = dbres_str(&b, 0, BC_AUDIT_INDEX) ? dbres_i64(&b, 0, BC_AUDIT_INDEX) : -1;
    if (st == DB_OK && index >= 0)
        st = checkpoint_latest(c, &size, &note);
    if (st == DB_OK && index >= 0)
        st = audit_entry_text(c, (uint64_t)index, &entry);
    if (st != DB_OK) {
        req_db_fail(r, c, st);
        goto out;
    }
    uint8_t sig[64];
    char *text =
        receipt_text(bids_cfg->platform_id, p.code, p.id, dbres_i64(&b, 0, BC_LOT),
                     dbres_i64(&b, 0, BC_ID), dbres_i64(&b, 0, BC_ORG), dbres_i64(&b, 0, BC_USER),
                     dbres_i64(&b, 0, BC_REVISION), dbres_str(&b, 0, BC_SHA),
                     dbres_i64(&b, 0, BC_SIZE), dbres_i64(&b, 0, BC_RECEIVED), index, sig);
    if (!text) {
        req_error(r, E_INTERNAL, "the receipt cannot be signed");
        goto out;
    }
    cJSON *o = bids_view(&b, 0, true);
    add_receipt(o, text, sig);
    /* the inclusion proof, once a signed checkpoint covers the entry */
    mhash leaf;
    cJSON *proof = index >= 0 && size > (uint64_t)index && note && entry
                       ? audit_proof_json(c, (uint64_t)index, size)
                       : NULL;
    if (proof && audit_node(c, 0, (uint64_t)index, leaf)) {
        char b64[48];
        cJSON *inc = cJSON_AddObjectToObject(o, "inclusion");
        json_add_i64(inc, "index", index);
        json_add_i64(inc, "size", (int64_t)size);
        cJSON_AddStringToObject(inc, "checkpoint", note);
        cJSON_AddStringToObject(inc, "entry", entry);
        b64_encode(leaf, 32, b64);
        cJSON_AddStringToObject(inc, "leaf_hash", b64);
        cJSON_AddItemToObject(inc, "proof", proof);
    } else {
        cJSON_Delete(proof);
        cJSON_AddNullToObject(o, "inclusion");
    }
    req_json(r, 200, o);
out:
    dbres_free(&b);
    free(note);
    free(entry);
}

void
bids_envelope(struct req *r, const cJSON *body)
{
    (void)body;
    struct dbres b;
    struct dbconn *c = visible_bid(r, &b, true);
    if (c) {
        /* served from the file (libmicrohttpd reads it as it sends): memory stays bounded */
        int fd = envstore_open((const uint8_t *)dbres_str(&b, 0, BC_SHA),
                               (uint64_t)dbres_i64(&b, 0, BC_SIZE));
        if (fd < 0) {
            log_error("bids_envelope: bid %lld: its envelope file is missing, unreadable or "
                      "not the bytes received",
                      (long long)dbres_i64(&b, 0, BC_ID));
            req_error(r, E_INTERNAL, "the envelope cannot be read");
        } else
            req_file(r, 200, "application/octet-stream", fd, (uint64_t)dbres_i64(&b, 0, BC_SIZE));
    }
    dbres_free(&b);
}
