/*
 * opening.c — the bid opening ceremony (开标, docs/envelope.md §9).
 *
 *   POST /api/v1/projects/{id}/lots/{lot}/opening                  start it (agent, center)
 *   POST /api/v1/projects/{id}/lots/{lot}/opening/shares           a custodian hands in a share
 *   GET  /api/v1/projects/{id}/lots/{lot}/opening                  the opening record (anyone)
 *   POST /api/v1/projects/{id}/lots/{lot}/opening/objections       a bidder objects on the spot
 *   POST …/opening/objections/{oid}/answer                         the answer, recorded
 *
 * Nothing here works before the lot's opening time (BID-OPENING-TIME). Starting counts the
 * current bids: below R-MIN-BIDS the lot fails unopened. Otherwise custodians hand in their
 * shares, each checked against the Feldman commitments before it is kept; the k-th rebuilds
 * the opening private key, which must match the published public key, and every current
 * envelope is opened in order — committed in small batches, so the record grows while it runs —
 * then the key itself is published with `opening.complete`. An envelope that fails is recorded
 * with its reason and its legal class (撤销 / 撤回, bids_rule_failure_class) and the others go on.
 * An opening interrupted by a crash stays `opening`; starting it again resumes where it was.
 * One run opens at a time: the run holds a lease on the opening row (migrations/0008), claimed
 * in the transaction that starts it and checked under the row lock before every commit, so two
 * runs never both decrypt, record and audit the same envelopes.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <openssl/crypto.h>

#include "accounts/accounts.h"
#include "announce/announce.h"
#include "audit.h"
#include "bidplain.h"
#include "bids.h"
#include "canon.h"
#include "crypto.h"
#include "entry/entry.h"
#include "envstore.h"
#include "hpke.h"
#include "venues/venues.h"
#include "internal.h"
#include "store.h"
#include "stream.h"
#include "util.h"
#include "vss.h"

/* How long a run's lease on an opening holds without renewal (ggzyd clock). A run renews it
 * with every batch (at most bids.opening_batch_bytes of envelopes); a run that crashed keeps
 * others out this long at most. */
#define OPENING_LEASE_US (60 * 1000000LL)

const struct field opening_share_schema[] = {
    {"x", F_INT, true, 1, VSS_MAX, NULL},
    {"share", F_STRING, true, 64, 64, NULL},
    {"key_id", F_STRING, true, 64, 64, NULL},
    {"signed_us", F_INT, true, 1, INT64_C(9007199254740991), NULL},
    {"signature", F_STRING, true, 1, 200, NULL},
    {NULL},
};
const struct field opening_start_schema[] = {
    {"key_id", F_STRING, true, 64, 64, NULL},
    {"signed_us", F_INT, true, 1, INT64_C(9007199254740991), NULL},
    {"signature", F_STRING, true, 1, 200, NULL},
    {NULL},
};

#define START_DOMAIN "ggzy-opening-start-v1"
#define SHARE_DOMAIN "ggzy-share-handin-v1"
/* How far a signed step's time may be from the platform's clock. */
#define SIGNED_SKEW_US (300 * 1000000LL)

/* A step of the opening signed by the caller (docs/envelope.md §9.1): fields — the lot, its
 * opening key, the platform, the project code, the signer's time and what the step adds — signed
 * with a certified key of the caller's own, whose certificate is re-verified now. The signed
 * time must be within SIGNED_SKEW_US of the platform's clock (BID-SIGNED-TIME). On success
 * *out is the record for the audit payload (accounts_signed_json). fields is consumed. */
static enum tx_result
signed_step(struct dbconn *c, struct req *r, const char *domain, cJSON *fields, const char *key_id,
            const char *sig, int64_t signed_us, cJSON **out)
{
    struct signing_key k;
    enum db_status st;
    char why[400];
    int64_t now = clock_now_us();
    *out = NULL;
    enum tx_result res = TX_REFUSE;
    const char *rule =
        accounts_signing_key(c, r->who.user_id, key_id, now, &k, why, sizeof why, &st);
    if (st != DB_OK)
        res = TX_DBFAIL;
    else if (rule)
        req_rule(r, !strcmp(rule, "KEY-UNKNOWN") ? "BID-SIGNER-KEY" : rule, "%s", why);
    else if (signed_us < now - SIGNED_SKEW_US || signed_us > now + SIGNED_SKEW_US)
        req_rule(r, "BID-SIGNED-TIME",
                 "signed_us is %lld s from the platform's clock: sign the step now (within %lld s)",
                 (long long)((signed_us - now) / 1000000), (long long)(SIGNED_SKEW_US / 1000000));
    else if (!accounts_act_verifies(&k, domain, fields, sig))
        req_rule(r, "BID-SIGNATURE",
                 "the signature does not verify with key %.64s over \"%s\\n\" + canonical "
                 "JSON of the step (docs/envelope.md §9.1)",
                 key_id, domain);
    else {
        *out = accounts_signed_json(&k, domain, fields, sig);
        res = *out ? TX_COMMIT : TX_DBFAIL;
    }
    if (!rule)
        accounts_signing_key_free(&k);
    cJSON_Delete(fields);
    return res;
}

/* The fields every signed step of a lot's opening carries. */
static cJSON *
step_fields(const struct lot_view *s, int64_t lot, const char *opening_key_id, int64_t signed_us)
{
    cJSON *f = cJSON_CreateObject();
    json_add_i64(f, "lot", lot);
    cJSON_AddStringToObject(f, "opening_key_id", opening_key_id);
    cJSON_AddStringToObject(f, "platform", bids_cfg->platform_id);
    cJSON_AddStringToObject(f, "project_code", s->p.code);
    json_add_i64(f, "signed_us", signed_us);
    return f;
}
const struct field objection_schema[] = {
    {"text", F_STRING, true, 1, 2000, NULL},
    {NULL},
};
const struct field answer_schema[] = {
    {"answer", F_STRING, true, 1, 2000, NULL},
    {NULL},
};

/* After the commit: the opening record of (project, lot) changed, its watchers read it again
 * (GET …/opening/stream). */
static void
record_changed(struct dbconn *c, void *arg)
{
    (void)c;
    stream_topic_changed("opening", (int64_t)(intptr_t)arg);
}

/* In the transaction that changes lot's opening record: its watchers are told once it commits.
 * The topic id is project × 64 + lot (lots run 1–50). */
static void
opening_changed(struct dbconn *c, int64_t project, int64_t lot)
{
    if (!db_on_commit_has(c, record_changed))
        db_on_commit(c, record_changed, (void *)(intptr_t)(project * 64 + lot));
}

/* Who may act at an opening: a party to the project, or any bidder (objections; their own
 * standing is checked by the step). */
static bool
party_or_bidder(const struct req *r, const struct project_view *p)
{
    return r->who.role == ROLE_BIDDER || entry_rule_is_party(&r->who, p);
}

/* The preamble of every step: the project (a party's, for the staff steps), the lot, and the
 * opening time, which must have come. */
static enum tx_result
step_begin(struct dbconn *c, struct req *r, int64_t project, int64_t lot, bool lock,
           struct lot_view *s)
{
    enum tx_result res = bids_lot_view(c, r, project, lot, lock, party_or_bidder, s);
    if (res != TX_COMMIT)
        return res;
    if (r->who.role != ROLE_BIDDER && !bids_rule_opening_state_ok(s->p.state)) {
        req_transition_refused(r, s->p.state, "opened",
                               "project %s is %s: its bids are not opened now", s->p.code,
                               s->p.state);
        return TX_REFUSE;
    }
    int64_t now = clock_now_us();
    if (now < s->opening_us) {
        char at[40], cur[40];
        clock_format(s->opening_us, at, sizeof at);
        clock_format(now, cur, sizeof cur);
        req_rule(r, "BID-OPENING-TIME",
                 "the opening of project %s is at %s (it is now %s): nothing is opened, and no "
                 "share is taken, before then",
                 s->p.code, at, cur);
        return TX_REFUSE;
    }
    return TX_COMMIT;
}

/* The opening moves its project: bidding → opened when a lot's opening completes, bidding →
 * failed when every lot failed unopened (the actions that own these transitions,
 * project_states.c). Nothing happens when the project is elsewhere (opened already by another
 * lot). The transition goes into payload, which the replay checks. */
static enum db_status
advance(struct dbconn *c, struct project_view *p, const char *to, cJSON *payload)
{
    if (strcmp(p->state, "bidding"))
        return DB_OK;
    enum db_status st = entry_set_state(c, p->id, to, "bidding");
    if (st == DB_OK) {
        cJSON *tr = cJSON_AddObjectToObject(payload, "transition");
        cJSON_AddStringToObject(tr, "from", "bidding");
        cJSON_AddStringToObject(tr, "to", to);
        snprintf(p->state, sizeof p->state, "%s", to);
    }
    return st;
}

/* ---- the record ---- */

static bids_deposit_states_fn deposit_states_of;

void
bids_set_deposit_states(bids_deposit_states_fn fn)
{
    deposit_states_of = fn;
}

/* The deposit state at the deadline of the organization of every row of bids b (BC_ORG), in one
 * call of the provider: *out is a malloc'd array of b->nrows (the caller frees), or NULL without
 * a provider or rows. False on a database error or out of memory. */
static bool
deposits_of(struct dbconn *c, int64_t project, int64_t lot, const struct dbres *b, char (**out)[16])
{
    *out = NULL;
    if (!deposit_states_of || b->nrows == 0)
        return true;
    int64_t *orgs = calloc(b->nrows, sizeof *orgs);
    char(*states)[16] = calloc(b->nrows, sizeof *states);
    bool ok = orgs && states;
    for (size_t i = 0; ok && i < b->nrows; i++)
        orgs[i] = dbres_i64(b, i, BC_ORG);
    ok = ok && deposit_states_of(c, project, lot, b->nrows, orgs, states);
    free(orgs);
    if (!ok) {
        free(states);
        return false;
    }
    *out = states;
    return true;
}

/* The opening record of a lot (NULL with st DB_OK when it has not started). */
static cJSON *
record_json(struct dbconn *c, int64_t project, int64_t lot, enum db_status *st)
{
    struct dbres o = {0}, k = {0}, s = {0}, in = {0}, b = {0}, ob = {0}, names = {0};
    cJSON *j = NULL;
    char *ids = NULL;
    char(*deposits)[16] = NULL;
    bool found;
    *st = store_opening_of_lot(c, project, lot, false, &o);
    if (*st != DB_OK || o.nrows != 1)
        goto out;
    int64_t id = dbres_i64(&o, 0, OC_ID);
    if ((*st = bids_load_key(c, project, lot, &k, &s, &found)) != DB_OK || !found ||
        (*st = store_shares_in(c, id, &in)) != DB_OK ||
        (*st = store_bids_current(c, project, lot, &b)) != DB_OK ||
        (*st = store_objections(c, id, &ob)) != DB_OK ||
        (ids = store_bidder_ids(c, project, lot, st), *st != DB_OK) ||
        (ids && (*st = accounts_org_names(c, ids, &names)) != DB_OK)) {
        if (*st == DB_OK)
            *st = DB_ERROR;
        goto out;
    }
    j = cJSON_CreateObject();
    json_add_i64(j, "project_id", project);
    json_add_i64(j, "lot", lot);
    cJSON_AddStringToObject(j, "state", dbres_str(&o, 0, OC_STATE));
    json_add_i64(j, "bids", dbres_i64(&o, 0, OC_BIDS));
    json_add_i64(j, "started_us", dbres_i64(&o, 0, OC_STARTED));
    if (dbres_str(&o, 0, OC_COMPLETED))
        json_add_i64(j, "completed_us", dbres_i64(&o, 0, OC_COMPLETED));
    if (dbres_str(&o, 0, OC_REASON))
        cJSON_AddStringToObject(j, "reason", dbres_str(&o, 0, OC_REASON));
    cJSON_AddStringToObject(j, "opening_key_id", dbres_str(&k, 0, OK_KEY_ID));
    bids_add_hex(j, "public_key", dbres_str(&k, 0, OK_PUBLIC), 65);
    json_add_i64(j, "threshold", dbres_i64(&k, 0, OK_THRESHOLD));
    if (dbres_str(&o, 0, OC_SK))
        bids_add_hex(j, "private_key", dbres_str(&o, 0, OC_SK), 32);
    else
        cJSON_AddNullToObject(j, "private_key");
    cJSON *sh = cJSON_AddArrayToObject(j, "shares");
    for (size_t i = 0; i < in.nrows; i++) {
        cJSON *e = cJSON_CreateObject();
        json_add_i64(e, "x", dbres_i64(&in, i, SI_X));
        json_add_i64(e, "custodian_user", dbres_i64(&in, i, SI_USER));
        json_add_i64(e, "submitted_us", dbres_i64(&in, i, SI_SUBMITTED));
        cJSON_AddItemToArray(sh, e);
    }
    /* the record grows as envelopes are opened: only bids with an outcome are listed, each
     * with the bidder's name, as it is read out (唱标) */
    cJSON *rec = cJSON_AddArrayToObject(j, "records");
    if (!deposits_of(c, project, lot, &b, &deposits)) {
        *st = DB_ERROR;
        cJSON_Delete(j);
        j = NULL;
        goto out;
    }
    for (size_t i = 0; i < b.nrows; i++) {
        if (!dbres_str(&b, i, BC_OPEN_STATUS))
            continue;
        cJSON *v = bids_view(&b, i, true);
        for (size_t n = 0; n < names.nrows; n++)
            if (dbres_i64(&names, n, ON_ID) == dbres_i64(&b, i, BC_ORG))
                cJSON_AddStringToObject(v, "bidder_name", dbres_str(&names, n, ON_NAME));
        if (deposits)
            cJSON_AddStringToObject(v, "deposit", deposits[i]);
        cJSON_AddItemToArray(rec, v);
    }
    cJSON *obj = cJSON_AddArrayToObject(j, "objections");
    for (size_t i = 0; i < ob.nrows; i++) {
        cJSON *e = cJSON_CreateObject();
        json_add_i64(e, "id", dbres_i64(&ob, i, OB_ID));
        json_add_i64(e, "org_id", dbres_i64(&ob, i, OB_ORG));
        cJSON_AddStringToObject(e, "text", dbres_str(&ob, i, OB_TEXT));
        json_add_i64(e, "created_us", dbres_i64(&ob, i, OB_CREATED));
        if (dbres_str(&ob, i, OB_ANSWER)) {
            cJSON_AddStringToObject(e, "answer", dbres_str(&ob, i, OB_ANSWER));
            json_add_i64(e, "answered_us", dbres_i64(&ob, i, OB_ANSWERED));
        } else
            cJSON_AddNullToObject(e, "answer");
        cJSON_AddItemToArray(obj, e);
    }
    /* who attended, in the room or online, each by a signed sign-in (docs/venues.md §5) */
    cJSON *att = venues_opening_attendance(c, project, lot, st);
    if (!att) {
        cJSON_Delete(j);
        j = NULL;
        goto out;
    }
    cJSON_AddItemToObject(j, "attendance", att);
out:
    dbres_free(&o);
    dbres_free(&k);
    dbres_free(&s);
    dbres_free(&in);
    dbres_free(&b);
    dbres_free(&ob);
    dbres_free(&names);
    free(ids);
    free(deposits);
    return j;
}

/* Answer with the lot's record (status), or 404 when it has not started. */
static void
reply_record(struct req *r, struct dbconn *c, int64_t project, int64_t lot, unsigned status)
{
    enum db_status st;
    cJSON *j = record_json(c, project, lot, &st);
    if (st != DB_OK)
        req_db_fail(r, c, st);
    else if (!j)
        req_error(r, E_NOT_FOUND, "the opening of lot %lld has not started", (long long)lot);
    else
        req_json(r, status, j);
}

void
opening_get(struct req *r, const cJSON *body)
{
    (void)body;
    int64_t project, lot;
    struct dbconn *c = req_db_for(r, "id", &project);
    if (c && req_param_id(r, "lot", &lot))
        reply_record(r, c, project, lot, 200);
}

/* GET /api/v1/projects/{id}/lots/{lot}/opening/stream: the public record's change feed
 * (text/event-stream, event "changed"): the page reads the record again at each, never polls. */
void
opening_stream(struct req *r, const cJSON *body)
{
    (void)body;
    int64_t project, lot;
    if (!req_param_id(r, "id", &project) || !req_param_id(r, "lot", &lot))
        return;
    if (lot > 50 || project > INT64_MAX / 64) {
        req_error(r, E_NOT_FOUND, "no lot %lld", (long long)lot);
        return;
    }
    req_stream_topic(r, "opening", project * 64 + lot);
}

/* ---- opening the envelopes ---- */

/* A batch — the envelopes opened between two commits of their outcomes — holds at most
 * bids.opening_batch envelopes (OPENING_BATCH_CAP, internal.h, at the most) and
 * bids.opening_batch_bytes stored bytes, always at least one envelope: few commits for many small
 * envelopes, and a batch of the largest still takes well under a second at the defaults (128,
 * 128 MiB), so the run renews its lease often and the live record grows in steps people can
 * follow. */
#define BATCH_MAX OPENING_BATCH_CAP

struct outcome {
    int64_t bid_id;
    enum open_failure f;
    char reason[200];
    char *summary; /* malloc'd, when opened */
    int64_t price;
    uint8_t sha[32];
};

/* What one opener thread reuses from envelope to envelope: a buffer for the stored bytes and
 * one for the plaintext, each as large as the largest envelope of the lot. */
struct opener {
    uint8_t *file, *pt;
    size_t cap;
};

/* Open one stored envelope with the rebuilt key; the outcome says how it went. */
static void
open_one(struct opener *w, const struct dbres *b, size_t i, const struct hpke_receiver *key,
         struct outcome *o)
{
    size_t len = 0;
    uint8_t h[32];
    struct env_view v;
    struct bidplain bp;
    memset(o, 0, sizeof *o);
    o->bid_id = dbres_i64(b, i, BC_ID);
    memcpy(o->sha, dbres_str(b, i, BC_SHA), 32);
    if (!envstore_read_into(o->sha, w->file, w->cap, &len, h) ||
        CRYPTO_memcmp(h, o->sha, 32) != 0) {
        o->f = OPEN_STORE;
        snprintf(o->reason, sizeof o->reason,
                 "the stored envelope is missing or is not the bytes received");
    } else if (!env_parse_layout(w->file, len, &v, false, o->reason, sizeof o->reason))
        o->f = OPEN_FORMAT;
    else if (!env_open_buf(&v, key, w->pt, w->cap, o->reason, sizeof o->reason))
        o->f = OPEN_CIPHER;
    else if (!bidplain_parse(w->pt, (size_t)v.pt_len, &bp, o->reason, sizeof o->reason))
        o->f = OPEN_CONTAINER;
    else if (!(o->summary = strndup(bp.summary, bp.summary_len))) {
        o->f = OPEN_STORE;
        snprintf(o->reason, sizeof o->reason, "out of memory");
    } else
        o->price = bp.price_fen;
    /* Only the summary is kept. The plaintext stays in w->pt until the next envelope overwrites
     * it and the run wipes the buffer as it ends (opening_run's out:): wiping each envelope's
     * megabyte at once cost the run a twentieth of its time, and the run's memory holds the
     * private key anyway. */
}

/* One batch opened by the opener threads: each takes the next envelope until none is left. */
struct batch_work {
    const struct dbres *b;
    size_t rows[BATCH_MAX];
    struct outcome out[BATCH_MAX];
    size_t n;
    const struct hpke_receiver *key;
    atomic_size_t next;
};

struct worker_arg {
    struct batch_work *bw;
    struct opener *w;
};

static void *
open_worker(void *arg)
{
    struct worker_arg *a = arg;
    struct batch_work *bw = a->bw;
    for (size_t k; (k = atomic_fetch_add(&bw->next, 1)) < bw->n;)
        open_one(a->w, bw->b, bw->rows[k], bw->key, &bw->out[k]);
    return NULL;
}

#define MAX_OPENERS 8

/* The opener threads of one batch, running while the caller commits the previous batch. */
struct batch_run {
    struct worker_arg args[MAX_OPENERS];
    pthread_t th[MAX_OPENERS];
    bool started[MAX_OPENERS];
    int n;
};

static void
batch_start(struct batch_run *run, struct batch_work *bw, struct opener *w, int nthreads)
{
    atomic_store(&bw->next, 0);
    run->n = nthreads;
    for (int t = 0; t < nthreads; t++) {
        run->args[t] = (struct worker_arg){bw, &w[t]};
        run->started[t] = pthread_create(&run->th[t], NULL, open_worker, &run->args[t]) == 0;
    }
}

/* Wait for the batch; if no thread could start, the caller opens it alone (with opener 0). */
static void
batch_join(struct batch_run *run)
{
    bool any = false;
    for (int t = 0; t < run->n; t++)
        if (run->started[t]) {
            pthread_join(run->th[t], NULL);
            any = true;
        }
    if (!any)
        open_worker(&run->args[0]);
}

/* ---- the run's lease ---- */

/* Claim the lease of opening row o (locked in the caller's transaction) for a new run, with a
 * fresh token written to `token`. TX_REFUSE (409) while another run holds it. */
static enum tx_result
lease_claim(struct dbconn *c, struct req *r, const struct dbres *o, int64_t lot,
            uint8_t token[OPENING_TOKEN_LEN])
{
    int64_t now = clock_now_us(), until = dbres_i64(o, 0, OC_RUNNER_UNTIL);
    if (dbres_str(o, 0, OC_RUNNER) && until > now) {
        char at[40];
        clock_format(until, at, sizeof at);
        req_error(r, E_CONFLICT,
                  "the envelopes of lot %lld are being opened right now (GET …/opening shows the "
                  "record as it grows); should that run have stopped, it can be resumed after %s",
                  (long long)lot, at);
        return TX_REFUSE;
    }
    if (!crypto_random(token, OPENING_TOKEN_LEN)) {
        req_error(r, E_INTERNAL, "no random bytes for the opening's run");
        return TX_REFUSE;
    }
    return store_opening_runner(c, dbres_i64(o, 0, OC_ID), token, now + OPENING_LEASE_US) == DB_OK
               ? TX_COMMIT
               : TX_DBFAIL;
}

/* What stopped a run, for whoever started it: a request answers it, the job logs it. st != DB_OK:
 * a database failure; else e and why. */
struct run_err {
    enum err_code e;
    enum db_status st;
    char why[300];
};

static bool run_failed(struct run_err *f, enum err_code e, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static bool
run_failed(struct run_err *f, enum err_code e, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    f->e = e;
    vsnprintf(f->why, sizeof f->why, fmt, ap);
    va_end(ap);
    return false;
}

/* Before a run commits anything: lock the opening row, check that the run still holds the lease
 * and renew it — or, with release, give it up as the run ends. TX_REFUSE (409) when another run
 * took over (this one held it past OPENING_LEASE_US without renewal). */
static enum tx_result
lease_keep(struct dbconn *c, struct run_err *err, int64_t project, int64_t lot,
           const uint8_t token[OPENING_TOKEN_LEN], bool release)
{
    struct dbres o = {0};
    if (store_opening_of_lot(c, project, lot, true, &o) != DB_OK) {
        dbres_free(&o);
        return TX_DBFAIL;
    }
    bool mine = o.nrows == 1 && !strcmp(dbres_str(&o, 0, OC_STATE), "opening") &&
                dbres_str(&o, 0, OC_RUNNER) && dbres_len(&o, 0, OC_RUNNER) == OPENING_TOKEN_LEN &&
                CRYPTO_memcmp(dbres_str(&o, 0, OC_RUNNER), token, OPENING_TOKEN_LEN) == 0;
    int64_t id = o.nrows == 1 ? dbres_i64(&o, 0, OC_ID) : 0;
    dbres_free(&o);
    if (!mine) {
        log_error("lease_keep: project %lld lot %lld: another run took over the opening",
                  (long long)project, (long long)lot);
        run_failed(err, E_CONFLICT,
                   "another run took over the opening of lot %lld; it goes on there (GET "
                   "…/opening shows the record)",
                   (long long)lot);
        return TX_REFUSE;
    }
    return store_opening_runner(c, id, release ? NULL : token, clock_now_us() + OPENING_LEASE_US) ==
                   DB_OK
               ? TX_COMMIT
               : TX_DBFAIL;
}

struct batch_ctx {
    const struct actor *actor;
    struct run_err *err;
    int64_t project, lot;
    const uint8_t *token;
    struct outcome *out;
    size_t n;
};

static enum tx_result
batch_tx(struct dbconn *c, void *arg)
{
    struct batch_ctx *x = arg;
    enum tx_result held = lease_keep(c, x->err, x->project, x->lot, x->token, false);
    if (held != TX_COMMIT)
        return held;
    int64_t now = clock_now_us();
    cJSON *p = cJSON_CreateObject();
    json_add_i64(p, "lot", x->lot); /* an integer, as in the signed fields */
    cJSON *arr = cJSON_AddArrayToObject(p, "bids");
    for (size_t i = 0; i < x->n; i++) {
        struct outcome *o = &x->out[i];
        const char *cls = bids_rule_failure_class(o->f);
        if (store_bid_opened(c, o->bid_id, o->f == OPEN_OK ? "opened" : "rejected", cls,
                             o->f == OPEN_OK ? NULL : o->reason, o->summary, o->price,
                             now) != DB_OK) {
            cJSON_Delete(p);
            return TX_DBFAIL;
        }
        cJSON *e = cJSON_CreateObject();
        json_add_i64(e, "bid_id", o->bid_id);
        bids_add_hex(e, "envelope_sha256", o->sha, 32);
        if (o->f == OPEN_OK) { /* digests, not documents: a summary may be 16 KiB */
            uint8_t h[32];
            cJSON_AddStringToObject(e, "status", "opened");
            json_add_i64(e, "price_fen", o->price);
            if (!crypto_sha256(o->summary, strlen(o->summary), h)) {
                cJSON_Delete(p);
                return TX_DBFAIL;
            }
            bids_add_hex(e, "summary_sha256", h, 32);
        } else {
            cJSON_AddStringToObject(e, "status", "rejected");
            cJSON_AddStringToObject(e, "class", cls);
            cJSON_AddStringToObject(e, "failure", bids_rule_failure_name(o->f));
            cJSON_AddStringToObject(e, "reason", o->reason);
        }
        cJSON_AddItemToArray(arr, e);
    }
    opening_changed(c, x->project, x->lot);
    return audit_append(c, x->actor, "bid.decrypt", "lot", x->lot, x->project, p, NULL) == DB_OK
               ? TX_COMMIT
               : TX_DBFAIL;
}

/* The deposit state at the deadline of every bidder with a current bid, into the record of
 * opening.complete as "deposits": [{org_id, state}] (nothing without a provider). */
static enum db_status
deposit_states(struct dbconn *c, cJSON *pl, int64_t project, int64_t lot)
{
    struct dbres b = {0};
    char(*deposits)[16] = NULL;
    if (!deposit_states_of)
        return DB_OK;
    enum db_status st = store_bids_current(c, project, lot, &b);
    if (st == DB_OK && !deposits_of(c, project, lot, &b, &deposits))
        st = DB_ERROR;
    cJSON *arr = cJSON_AddArrayToObject(pl, "deposits");
    for (size_t i = 0; st == DB_OK && deposits && i < b.nrows; i++) {
        cJSON *e = cJSON_CreateObject();
        cJSON_AddItemToArray(arr, e);
        json_add_i64(e, "org_id", dbres_i64(&b, i, BC_ORG));
        cJSON_AddStringToObject(e, "deposit", deposits[i]);
    }
    free(deposits);
    dbres_free(&b);
    return st;
}

struct complete_ctx {
    const struct actor *actor;
    struct run_err *err;
    int64_t project, lot, opening;
    const uint8_t *sk, *token;
    int64_t opened, rejected;
};

static enum tx_result
complete_tx(struct dbconn *c, void *arg)
{
    struct complete_ctx *x = arg;
    struct project_view p;
    bool found;
    enum tx_result held = lease_keep(c, x->err, x->project, x->lot, x->token, true);
    if (held != TX_COMMIT)
        return held;
    if (entry_project(c, x->project, true, &p, &found) != DB_OK || !found)
        return TX_DBFAIL;
    cJSON *pl = cJSON_CreateObject();
    json_add_i64(pl, "lot", x->lot); /* an integer, as in the signed fields */
    bids_add_hex(pl, "private_key", x->sk, 32);
    json_add_i64(pl, "opened", x->opened);
    json_add_i64(pl, "rejected", x->rejected);
    if (deposit_states(c, pl, x->project, x->lot) != DB_OK) {
        cJSON_Delete(pl);
        return TX_DBFAIL;
    }
    if (store_opening_set(c, x->opening, "opened", clock_now_us(), x->sk) != DB_OK ||
        advance(c, &p, "opened", pl) != DB_OK) {
        cJSON_Delete(pl);
        return TX_DBFAIL;
    }
    opening_changed(c, x->project, x->lot);
    return audit_append(c, x->actor, "opening.complete", "lot", x->lot, x->project, pl, NULL) ==
                   DB_OK
               ? TX_COMMIT
               : TX_DBFAIL;
}

/* Rebuild the opening private key from the shares handed in, check it against the public key,
 * open every current envelope not opened yet, then publish the key, acting as a (the custodian
 * whose share completed it, or the platform's resuming job), under the lease token holds. False
 * (err filled) when the key cannot be rebuilt or a database step fails; the opening then stays
 * `opening`, and starting it again — or, once its lease has long lapsed, the job
 * bids.openings-resume — resumes it. No request is needed: each step is its own db_tx. */
static bool
opening_run(struct dbconn *c, const struct actor *a, int64_t project, int64_t lot,
            const uint8_t token[OPENING_TOKEN_LEN], struct run_err *err)
{
    struct dbres o = {0}, k = {0}, s = {0}, in = {0}, b = {0};
    struct vss_share shares[VSS_MAX];
    uint8_t sk[32];
    struct hpke_receiver key = {0};
    struct batch_work *work = NULL;
    struct opener openers[MAX_OPENERS] = {{0}};
    bool found, ok = false;
    enum db_status st;
    if ((st = store_opening_of_lot(c, project, lot, false, &o)) != DB_OK ||
        (st = bids_load_key(c, project, lot, &k, &s, &found)) != DB_OK || o.nrows != 1 || !found ||
        (st = store_shares_in(c, dbres_i64(&o, 0, OC_ID), &in)) != DB_OK ||
        (st = store_bids_current(c, project, lot, &b)) != DB_OK) {
        err->st = st == DB_OK ? DB_ERROR : st;
        goto out;
    }
    int t = (int)dbres_i64(&k, 0, OK_THRESHOLD);
    if (t < 2 || t > VSS_MAX) { /* never: the key was made within these bounds */
        run_failed(err, E_INTERNAL, "the opening key's threshold is out of range");
        goto out;
    }
    if ((int)in.nrows < t) {
        run_failed(err, E_CONFLICT, "the opening has %zu of the %d shares it needs", in.nrows, t);
        goto out;
    }
    for (int i = 0; i < t; i++) {
        shares[i].x = (uint8_t)dbres_i64(&in, (size_t)i, SI_X);
        memcpy(shares[i].y, dbres_str(&in, (size_t)i, SI_SHARE), 32);
    }
    if (!vss_combine(shares, t, sk) || !hpke_receiver_init(&key, sk) ||
        CRYPTO_memcmp(key.pk, dbres_str(&k, 0, OK_PUBLIC), 65) != 0) {
        log_error("project %lld lot %lld: the shares do not rebuild the opening key",
                  (long long)project, (long long)lot);
        run_failed(err, E_INTERNAL, "the shares handed in do not rebuild the opening key");
        goto out;
    }
    /* openers: one per CPU (at most MAX_OPENERS), each with buffers for the largest envelope */
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    int nthreads = cpus < 1 ? 1 : cpus > MAX_OPENERS ? MAX_OPENERS : (int)cpus;
    size_t cap = 1;
    for (size_t i = 0; i < b.nrows; i++)
        if ((size_t)dbres_i64(&b, i, BC_SIZE) > cap)
            cap = (size_t)dbres_i64(&b, i, BC_SIZE);
    /* two batches: the openers work on one while this thread commits the other */
    work = calloc(2, sizeof *work);
    bool mem = work != NULL;
    for (int w = 0; w < nthreads; w++) {
        openers[w].cap = cap;
        openers[w].file = mem ? malloc(cap) : NULL;
        openers[w].pt = mem ? malloc(cap) : NULL;
        mem = mem && openers[w].file && openers[w].pt;
    }
    if (!mem) {
        run_failed(err, E_INTERNAL, "out of memory");
        goto out;
    }
    struct complete_ctx cx = {a, err, project, lot, dbres_i64(&o, 0, OC_ID), sk, token, 0, 0};
    struct batch_work *cur = &work[0], *prev = NULL;
    struct batch_run run;
    bool failed = false;
    size_t i = 0;
    for (;;) {
        cur->b = &b;
        cur->key = &key;
        cur->n = 0;
        int64_t bytes = 0;
        for (; i < b.nrows && cur->n < (size_t)bids_conf.opening_batch && cur->n < BATCH_MAX; i++) {
            int64_t size = dbres_i64(&b, i, BC_SIZE);
            if (cur->n > 0 && bytes + size > bids_conf.opening_batch_bytes)
                break;                              /* this envelope starts the next batch */
            if (dbres_str(&b, i, BC_OPEN_STATUS)) { /* opened before a restart */
                if (!strcmp(dbres_str(&b, i, BC_OPEN_STATUS), "opened"))
                    cx.opened++;
                else
                    cx.rejected++;
            } else {
                cur->rows[cur->n++] = i;
                bytes += size;
            }
        }
        if (cur->n > 0)
            batch_start(&run, cur, openers, nthreads);
        if (prev) { /* commit the previous batch meanwhile */
            struct batch_ctx bx = {a, err, project, lot, token, prev->out, prev->n};
            if (!failed) {
                enum db_status bs = db_tx(c, batch_tx, &bx);
                failed = bs != DB_OK;
                if (failed && bs != DB_REFUSED)
                    err->st = bs;
            }
            for (size_t j = 0; j < prev->n; j++)
                free(prev->out[j].summary);
            prev = NULL;
        }
        if (cur->n == 0)
            break;
        batch_join(&run);
        for (size_t j = 0; j < cur->n; j++) {
            if (cur->out[j].f == OPEN_OK)
                cx.opened++;
            else
                cx.rejected++;
        }
        prev = cur;
        cur = cur == &work[0] ? &work[1] : &work[0];
    }
    if (failed)
        goto out;
    st = db_tx(c, complete_tx, &cx);
    ok = st == DB_OK;
    if (!ok && st != DB_REFUSED)
        err->st = st;
out:
    OPENSSL_cleanse(sk, sizeof sk); /* the rebuilt key is wiped: it is published in the record */
    hpke_receiver_free(&key);
    OPENSSL_cleanse(shares, sizeof shares);
    for (int w = 0; w < MAX_OPENERS; w++) {
        if (openers[w].pt)
            OPENSSL_cleanse(openers[w].pt, openers[w].cap); /* no plaintext outlives the run */
        free(openers[w].file);
        free(openers[w].pt);
    }
    free(work);
    dbres_free(&o);
    dbres_free(&k);
    dbres_free(&s);
    dbres_free(&in);
    dbres_free(&b);
    return ok;
}

/* The request's run: opening_run as the calling custodian, its failure answered on r. */
static bool
run_opening(struct req *r, struct dbconn *c, int64_t project, int64_t lot,
            const uint8_t token[OPENING_TOKEN_LEN])
{
    struct run_err err = {.e = E_INTERNAL, .st = DB_OK, .why = "the opening stopped"};
    if (opening_run(c, req_actor(r), project, lot, token, &err))
        return true;
    if (err.st != DB_OK)
        req_db_fail(r, c, err.st);
    else
        req_error(r, err.e, "%s", err.why);
    return false;
}

/* ---- resuming, by the platform ---- */

struct resume_ctx {
    int64_t project, lot, before;
    uint8_t token[OPENING_TOKEN_LEN];
    bool claimed;
};

/* Take the lease of a stalled opening for the job's run (another node's job, or a person's
 * resume, may have taken it first: then nothing). */
static enum tx_result
resume_claim_tx(struct dbconn *c, void *arg)
{
    struct resume_ctx *x = arg;
    struct dbres o = {0};
    x->claimed = false;
    if (store_opening_of_lot(c, x->project, x->lot, true, &o) != DB_OK) {
        dbres_free(&o);
        return TX_DBFAIL;
    }
    bool stalled = o.nrows == 1 && !strcmp(dbres_str(&o, 0, OC_STATE), "opening") &&
                   (!dbres_str(&o, 0, OC_RUNNER) || dbres_i64(&o, 0, OC_RUNNER_UNTIL) < x->before);
    int64_t id = o.nrows == 1 ? dbres_i64(&o, 0, OC_ID) : 0;
    dbres_free(&o);
    if (!stalled)
        return TX_COMMIT; /* nothing to do */
    if (!crypto_random(x->token, OPENING_TOKEN_LEN))
        return TX_DBFAIL;
    if (store_opening_runner(c, id, x->token, clock_now_us() + OPENING_LEASE_US) != DB_OK)
        return TX_DBFAIL;
    x->claimed = true;
    return TX_COMMIT;
}

bool
bids_job_resume(struct dbconn *c, const struct actor *a, int64_t now_us)
{
    /* people first: the custodians and the agent may resume it themselves (POST …/opening) as
     * soon as the lease lapses; the platform does once it has lapsed for bids.resume_after_s */
    int64_t before = now_us - bids_conf.resume_after_s * 1000000LL;
    struct dbres st = {0};
    if (bids_conf.resume_after_s == 0)
        return true;
    if (store_openings_stalled(c, before, &st) != DB_OK) {
        dbres_free(&st);
        return false;
    }
    bool ok = true;
    for (size_t i = 0; i < st.nrows; i++) {
        struct resume_ctx x = {
            dbres_i64(&st, i, SL_PROJECT), dbres_i64(&st, i, SL_LOT), before, {0}, false};
        if (db_tx(c, resume_claim_tx, &x) != DB_OK) {
            ok = false;
            continue;
        }
        if (!x.claimed)
            continue;
        struct run_err err = {.e = E_INTERNAL, .st = DB_OK, .why = ""};
        log_info("bids_job_resume: project %lld lot %lld: resuming an interrupted opening",
                 (long long)x.project, (long long)x.lot);
        if (!opening_run(c, a, x.project, x.lot, x.token, &err)) {
            log_warn("bids_job_resume: project %lld lot %lld: %s", (long long)x.project,
                     (long long)x.lot, err.st != DB_OK ? db_last_error(c) : err.why);
            ok = false;
        }
        OPENSSL_cleanse(x.token, sizeof x.token);
    }
    dbres_free(&st);
    return ok;
}

/* ---- starting ---- */

struct start_ctx {
    int64_t project, lot;
    const char *key_id, *signature;
    int64_t signed_us;
    bool run; /* an interrupted opening: resume it */
    uint8_t token[OPENING_TOKEN_LEN];
};

static enum tx_result
start_tx(struct dbconn *c, struct req *r, void *arg)
{
    struct start_ctx *x = arg;
    struct lot_view s;
    enum tx_result res = step_begin(c, r, x->project, x->lot, true, &s);
    if (res != TX_COMMIT)
        return res;
    struct dbres o, k, sh, b;
    bool found;
    if (bids_load_key(c, x->project, x->lot, &k, &sh, &found) != DB_OK) {
        dbres_free(&k);
        dbres_free(&sh);
        return TX_DBFAIL;
    }
    if (!found) {
        req_rule(r, "BID-NO-KEY", "lot %lld has no opening key", (long long)x->lot);
        return TX_REFUSE;
    }
    int64_t key = dbres_i64(&k, 0, OK_ID), threshold = dbres_i64(&k, 0, OK_THRESHOLD);
    cJSON *signed_ = NULL;
    res = signed_step(c, r, START_DOMAIN,
                      step_fields(&s, x->lot, dbres_str(&k, 0, OK_KEY_ID), x->signed_us), x->key_id,
                      x->signature, x->signed_us, &signed_);
    dbres_free(&k);
    dbres_free(&sh);
    if (res != TX_COMMIT)
        return res;
    if (store_opening_of_lot(c, x->project, x->lot, true, &o) != DB_OK) {
        dbres_free(&o);
        cJSON_Delete(signed_);
        return TX_DBFAIL;
    }
    if (o.nrows == 1) {
        x->run = !strcmp(dbres_str(&o, 0, OC_STATE), "opening");
        if (!x->run)
            req_error(r, E_CONFLICT, "the opening of lot %lld is %s already", (long long)x->lot,
                      dbres_str(&o, 0, OC_STATE));
        res = x->run ? lease_claim(c, r, &o, x->lot, x->token) : TX_REFUSE;
        dbres_free(&o);
        cJSON_Delete(signed_);
        return res;
    }
    dbres_free(&o);
    if (store_bids_current(c, x->project, x->lot, &b) != DB_OK) {
        dbres_free(&b);
        cJSON_Delete(signed_);
        return TX_DBFAIL;
    }
    int64_t n = (int64_t)b.nrows, id, now = clock_now_us();
    char reason[300];
    cJSON *p = cJSON_CreateObject();
    json_add_i64(p, "lot", x->lot); /* an integer, as in the signed fields */
    json_add_i64(p, "bids", n);
    cJSON_AddItemToObject(p, "signed", signed_);
    enum db_status st;
    const char *action;
    if (!bids_rule_enough((enum category)s.p.category, n)) {
        snprintf(reason, sizeof reason,
                 "R-MIN-BIDS: %lld bid(s) received, fewer than %lld: the bids are not opened and "
                 "the lot is tendered again",
                 (long long)n, (long long)statute_value(S_MIN_BIDS, (enum category)s.p.category));
        cJSON_AddStringToObject(p, "rule", "R-MIN-BIDS");
        st = store_opening_start(c, key, x->project, x->lot, "failed", n, r->who.user_id, now,
                                 reason, &id);
        /* a project whose every lot failed fails */
        struct dbres lots = {0}, failed = {0};
        if (st == DB_OK)
            st = entry_lots(c, x->project, &lots);
        if (st == DB_OK)
            st = store_openings_failed(c, x->project, &failed);
        if (st == DB_OK && failed.nrows == lots.nrows)
            st = advance(c, &s.p, "failed", p);
        dbres_free(&lots);
        dbres_free(&failed);
        action = "opening.fail";
    } else {
        /* the exact set to be opened, as a digest (an entry holds digests, whatever the count):
         * SHA-256 of the canonical JSON [[bid_id, "envelope_sha256"], …] in bid id order */
        cJSON *set = cJSON_CreateArray();
        for (size_t i = 0; i < b.nrows; i++) {
            cJSON *e = cJSON_CreateArray();
            char hex[65];
            hex_encode((const uint8_t *)dbres_str(&b, i, BC_SHA), 32, hex);
            json_append_i64(e, dbres_i64(&b, i, BC_ID));
            cJSON_AddItemToArray(e, cJSON_CreateString(hex));
            cJSON_AddItemToArray(set, e);
        }
        size_t slen = 0;
        uint8_t h[32];
        char *canon = canon_json(set, &slen);
        cJSON_Delete(set);
        bool hashed = canon && crypto_sha256(canon, slen, h);
        free(canon);
        if (!hashed) {
            dbres_free(&b);
            cJSON_Delete(p);
            return TX_DBFAIL;
        }
        bids_add_hex(p, "envelopes_sha256", h, 32);
        json_add_i64(p, "threshold", threshold);
        st = store_opening_start(c, key, x->project, x->lot, "awaiting_shares", n, r->who.user_id,
                                 now, NULL, &id);
        action = "opening.start";
    }
    dbres_free(&b);
    if (st != DB_OK) {
        cJSON_Delete(p);
        return TX_DBFAIL;
    }
    opening_changed(c, x->project, x->lot);
    return audit_append(c, req_actor(r), action, "lot", x->lot, x->project, p, NULL) == DB_OK
               ? TX_COMMIT
               : TX_DBFAIL;
}

void
opening_start(struct req *r, const cJSON *body)
{
    struct start_ctx x = {.key_id = json_str(body, "key_id"),
                          .signature = json_str(body, "signature"),
                          .signed_us = json_i64(body, "signed_us", 0)};
    if (!req_param_id(r, "id", &x.project) || !req_param_id(r, "lot", &x.lot))
        return;
    if (!req_tx(r, start_tx, &x))
        return;
    if (x.run && !run_opening(r, req_db(r), x.project, x.lot, x.token))
        return;
    reply_record(r, req_db(r), x.project, x.lot, 200);
}

/* ---- shares ---- */

struct share_ctx {
    int64_t project, lot;
    const char *key_id, *signature;
    int64_t signed_us;
    struct vss_share share;
    bool run; /* the k-th share: this request opens the envelopes */
    uint8_t token[OPENING_TOKEN_LEN];
};

static enum tx_result
share_tx(struct dbconn *c, struct req *r, void *arg)
{
    struct share_ctx *x = arg;
    struct lot_view s;
    enum tx_result res = step_begin(c, r, x->project, x->lot, false, &s);
    if (res != TX_COMMIT)
        return res;
    struct dbres o = {0}, k = {0}, sh = {0}, in = {0};
    cJSON *signed_ = NULL; /* the signed hand-in, for the audit payload */
    bool found;
    res = TX_DBFAIL;
    if (store_opening_of_lot(c, x->project, x->lot, true, &o) != DB_OK ||
        bids_load_key(c, x->project, x->lot, &k, &sh, &found) != DB_OK)
        goto out;
    res = TX_REFUSE;
    if (o.nrows != 1 || !found) {
        req_error(r, E_CONFLICT,
                  "the opening of lot %lld has not started: the agent or the center starts it "
                  "(POST …/opening)",
                  (long long)x->lot);
        goto out;
    }
    if (strcmp(dbres_str(&o, 0, OC_STATE), "awaiting_shares")) {
        req_error(r, E_CONFLICT, "the opening of lot %lld is %s: it takes no more shares",
                  (long long)x->lot, dbres_str(&o, 0, OC_STATE));
        goto out;
    }
    size_t row = SIZE_MAX;
    for (size_t i = 0; i < sh.nrows; i++)
        if (dbres_i64(&sh, i, SH_X) == x->share.x)
            row = i;
    if (row == SIZE_MAX || dbres_i64(&sh, row, SH_USER) != r->who.user_id) {
        req_error(r, E_FORBIDDEN, "share %d of lot %lld's opening key is not yours", x->share.x,
                  (long long)x->lot);
        goto out;
    }
    /* the hand-in is signed by the custodian: the lot, the share (its hash), the time */
    cJSON *f = step_fields(&s, x->lot, dbres_str(&k, 0, OK_KEY_ID), x->signed_us);
    uint8_t sh_hash[32];
    if (!crypto_sha256(x->share.y, 32, sh_hash)) {
        cJSON_Delete(f);
        res = TX_DBFAIL;
        goto out;
    }
    bids_add_hex(f, "share_sha256", sh_hash, 32);
    json_add_i64(f, "x", x->share.x);
    if ((res = signed_step(c, r, SHARE_DOMAIN, f, x->key_id, x->signature, x->signed_us,
                           &signed_)) != TX_COMMIT)
        goto out;
    res = TX_REFUSE;
    int t = (int)dbres_i64(&k, 0, OK_THRESHOLD);
    uint8_t cm[VSS_MAX][65];
    if (t < 2 || t > VSS_MAX ||
        dbres_len(&k, 0, OK_COMMITMENTS) != (unsigned long)t * 65) { /* never: made so */
        req_error(r, E_INTERNAL, "the opening key's commitments are malformed");
        goto out;
    }
    for (int i = 0; i < t; i++)
        memcpy(cm[i], dbres_str(&k, 0, OK_COMMITMENTS) + 65 * i, 65);
    if (!vss_verify(&x->share, (const uint8_t(*)[65])cm, t)) {
        req_rule(r, "BID-SHARE",
                 "share %d does not match the published commitments: it was not kept (open "
                 "your sealed share with your own key: ggzy custodian share)",
                 x->share.x);
        goto out;
    }
    res = TX_DBFAIL;
    int64_t opening = dbres_i64(&o, 0, OC_ID);
    if (store_share_insert(c, opening, x->share.x, r->who.user_id, x->share.y, clock_now_us()) !=
            DB_OK ||
        store_shares_in(c, opening, &in) != DB_OK) {
        goto out;
    }
    x->run = (int)in.nrows >= t;
    if ((x->run && store_opening_set(c, opening, "opening", 0, NULL) != DB_OK) ||
        (x->run && (res = lease_claim(c, r, &o, x->lot, x->token)) != TX_COMMIT)) {
        goto out;
    }
    res = TX_DBFAIL;
    cJSON *p = cJSON_CreateObject();
    cJSON_AddItemToObject(p, "signed", signed_);
    signed_ = NULL;
    json_add_i64(p, "lot", x->lot); /* an integer, as in the signed fields */
    json_add_i64(p, "x", x->share.x);
    json_add_i64(p, "shares_in", (int64_t)in.nrows);
    json_add_i64(p, "threshold", t);
    opening_changed(c, x->project, x->lot);
    if (audit_append(c, req_actor(r), "opening.share", "lot", x->lot, x->project, p, NULL) == DB_OK)
        res = TX_COMMIT;
out:
    cJSON_Delete(signed_);
    dbres_free(&o);
    dbres_free(&k);
    dbres_free(&sh);
    dbres_free(&in);
    return res;
}

void
opening_share(struct req *r, const cJSON *body)
{
    struct share_ctx x = {.key_id = json_str(body, "key_id"),
                          .signature = json_str(body, "signature"),
                          .signed_us = json_i64(body, "signed_us", 0)};
    if (!req_param_id(r, "id", &x.project) || !req_param_id(r, "lot", &x.lot))
        return;
    x.share.x = (uint8_t)json_i64(body, "x", 0);
    if (!hex_decode(json_str(body, "share"), x.share.y, 32)) {
        req_error(r, E_INVALID_FIELD, "share must be 64 hex digits (the 32-byte share)");
        return;
    }
    bool ok = req_tx(r, share_tx, &x);
    OPENSSL_cleanse(&x.share, sizeof x.share); /* the clear share: kept only in the database */
    if (!ok)
        return;
    if (x.run && !run_opening(r, req_db(r), x.project, x.lot, x.token))
        return;
    reply_record(r, req_db(r), x.project, x.lot, 200);
}

/* ---- objections ---- */

struct objection_ctx {
    int64_t project, lot, id;
    const char *text;
};

static enum tx_result
object_tx(struct dbconn *c, struct req *r, void *arg)
{
    struct objection_ctx *x = arg;
    struct lot_view s;
    enum tx_result res = step_begin(c, r, x->project, x->lot, false, &s);
    if (res != TX_COMMIT)
        return res;
    struct dbres o = {0}, b = {0};
    res = TX_DBFAIL;
    if (store_opening_of_lot(c, x->project, x->lot, false, &o) != DB_OK ||
        store_bids_of_org(c, x->project, x->lot, r->who.org_id, &b) != DB_OK)
        goto out;
    res = TX_REFUSE;
    if (o.nrows != 1 || !strcmp(dbres_str(&o, 0, OC_STATE), "failed")) {
        req_error(r, E_CONFLICT, "lot %lld is not being opened: there is nothing to object to",
                  (long long)x->lot);
        goto out;
    }
    if (b.nrows == 0) {
        req_error(r, E_FORBIDDEN, "only a bidder of lot %lld may object at its opening",
                  (long long)x->lot);
        goto out;
    }
    res = TX_DBFAIL;
    int64_t now = clock_now_us();
    if (store_objection_insert(c, dbres_i64(&o, 0, OC_ID), r->who.org_id, r->who.user_id, x->text,
                               now, &x->id) != DB_OK)
        goto out;
    cJSON *p = cJSON_CreateObject();
    json_add_i64(p, "lot", x->lot); /* an integer, as in the signed fields */
    json_add_i64(p, "objection_id", x->id);
    json_add_i64(p, "org_id", r->who.org_id);
    cJSON_AddStringToObject(p, "text", x->text);
    opening_changed(c, x->project, x->lot);
    if (audit_append(c, req_actor(r), "opening.objection", "objection", x->id, x->project, p,
                     NULL) != DB_OK)
        goto out;
    cJSON *j = cJSON_CreateObject();
    json_add_i64(j, "id", x->id);
    json_add_i64(j, "org_id", r->who.org_id);
    cJSON_AddStringToObject(j, "text", x->text);
    json_add_i64(j, "created_us", now);
    cJSON_AddNullToObject(j, "answer");
    req_json(r, 201, j);
    res = TX_COMMIT;
out:
    dbres_free(&o);
    dbres_free(&b);
    return res;
}

void
opening_object(struct req *r, const cJSON *body)
{
    struct objection_ctx x = {0};
    if (!req_param_id(r, "id", &x.project) || !req_param_id(r, "lot", &x.lot))
        return;
    x.text = json_str(body, "text");
    req_tx(r, object_tx, &x);
}

static enum tx_result
answer_tx(struct dbconn *c, struct req *r, void *arg)
{
    struct objection_ctx *x = arg;
    struct lot_view s;
    enum tx_result res = step_begin(c, r, x->project, x->lot, false, &s);
    if (res != TX_COMMIT)
        return res;
    struct dbres o = {0};
    bool done = false;
    if (store_opening_of_lot(c, x->project, x->lot, false, &o) != DB_OK ||
        (o.nrows == 1 && store_objection_answer(c, dbres_i64(&o, 0, OC_ID), x->id, x->text,
                                                r->who.user_id, clock_now_us(), &done) != DB_OK)) {
        dbres_free(&o);
        return TX_DBFAIL;
    }
    dbres_free(&o);
    if (!done) {
        req_error(r, E_NOT_FOUND, "no unanswered objection %lld at this opening", (long long)x->id);
        return TX_REFUSE;
    }
    cJSON *p = cJSON_CreateObject();
    json_add_i64(p, "lot", x->lot); /* an integer, as in the signed fields */
    json_add_i64(p, "objection_id", x->id);
    cJSON_AddStringToObject(p, "answer", x->text);
    opening_changed(c, x->project, x->lot);
    if (audit_append(c, req_actor(r), "opening.answer", "objection", x->id, x->project, p, NULL) !=
        DB_OK)
        return TX_DBFAIL;
    reply_record(r, c, x->project, x->lot, 200);
    return TX_COMMIT;
}

void
opening_answer(struct req *r, const cJSON *body)
{
    struct objection_ctx x = {0};
    if (!req_param_id(r, "id", &x.project) || !req_param_id(r, "lot", &x.lot) ||
        !req_param_id(r, "oid", &x.id))
        return;
    x.text = json_str(body, "answer");
    req_tx(r, answer_tx, &x);
}
