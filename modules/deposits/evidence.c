/*
 * evidence.c — money leaves only on what the log proves (docs/deposits.md §10a). The deposit
 * ledger's rows are the database's, which its administrator can edit; the log is not (the
 * platform signs it). So the facts an instruction moves money on — how much a sub-account holds,
 * from which account and when it arrived, what a held payment was and who paid it — are rebuilt
 * here from the log's own entries, read in order and verified against the signed checkpoints
 * (logfollow.h), the bank's and the issuers' signatures checked again: every deposit.* entry's
 * "postings" (what each sub-account holds, as a multiset of amounts), each credited arrival's
 * notice as the bank signed it (the payee and the interest's days), each held payment's notice or
 * statement line (who it goes back to, how much), and the state of each return.
 *
 * An instruction (a refund, a return, a forfeiture's transfer) is made from these facts, and made
 * only when the ledger's rows agree with them (deposits_rule_agrees). A disagreement is an
 * alteration: the instruction is not made, and an alarm is raised (deposit_alarms, the log's
 * deposit.ledger.altered, center staff and supervisors told, /healthz 503, the metric
 * ggzy_deposits_ledger_intact 0) until the rows agree again.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "accounts/accounts.h"
#include "audit.h"
#include "canon.h"
#include "internal.h"
#include "logfollow.h"
#include "metrics.h"
#include "outbox/outbox.h"
#include "trust.h"
#include "util.h"

struct ev_arrival {
    int64_t amount, value_us;
};

struct ev_sub {
    int64_t id;
    char number[40];
    int64_t *fen; /* the amounts of its postings, as the log records them */
    size_t nfen, capfen;
    struct ev_arrival *arr; /* its credited arrivals, as the bank signed them */
    size_t narr, caparr;
    char payer[40], payer_name[208]; /* the first credited arrival's, as signed */
    bool payee;
    char forged[160]; /* an entry about it whose signature failed: what */
};

struct ev_held {
    char txn[72], payer[40], payer_name[208];
    int64_t amount;
    enum held_state state;
    char forged[160];
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static struct logfollow *follower;
static struct ev_sub *subs;
static size_t nsubs, capsubs;
static struct ev_held *held;
static size_t nheld, capheld;
static uint64_t ev_size;
static int64_t ev_signed_us;
static bool ev_intact = true;

/* ---- the facts, fed in log order (mu held by the sync) ---- */

static const char *
nz(const char *s)
{
    return s ? s : "";
}

static struct ev_sub *
sub_of(int64_t id, bool add)
{
    for (size_t i = 0; i < nsubs; i++)
        if (subs[i].id == id)
            return &subs[i];
    struct ev_sub *s = add ? arr_push((void **)&subs, &nsubs, &capsubs, sizeof *subs) : NULL;
    if (s) {
        memset(s, 0, sizeof *s);
        s->id = id;
    }
    return s;
}

static struct ev_held *
held_of(const char *txn, bool add)
{
    for (size_t i = 0; txn && i < nheld; i++)
        if (!strcmp(held[i].txn, txn))
            return &held[i];
    struct ev_held *h =
        txn && add ? arr_push((void **)&held, &nheld, &capheld, sizeof *held) : NULL;
    if (h) {
        memset(h, 0, sizeof *h);
        snprintf(h->txn, sizeof h->txn, "%s", txn);
    }
    return h;
}

/* Is signed (a payload's "signed": domain, fields, signature, signer) the center's bank's act,
 * its certificate valid when it signed under a finance anchor and naming the bank's code? */
static bool
bank_signed(const cJSON *sg, const char *domain)
{
    const cJSON *fields = cJSON_GetObjectItemCaseSensitive(sg, "fields");
    const cJSON *signer = cJSON_GetObjectItemCaseSensitive(sg, "signer");
    const char *d = json_str(sg, "domain");
    struct signing_key k = {0};
    char why[200];
    if (!cJSON_IsObject(fields) || !d || strcmp(d, domain) ||
        !cert_chain_from_json(cJSON_GetObjectItemCaseSensitive(signer, "certificate"), &k.chain))
        return false;
    bool ok = !trust_check(SIDE_FINANCE, &k.chain, deposits_conf.bank_credit_code,
                           json_i64(fields, "signed_us", 0), &k.info, why, sizeof why) &&
              accounts_act_verifies(&k, domain, fields, json_str(sg, "signature"));
    cert_info_free(&k.info);
    cert_chain_free(&k.chain);
    return ok;
}

static void
feed_postings(const cJSON *ps)
{
    const cJSON *p;
    cJSON_ArrayForEach(p, ps)
    {
        const char *acc = json_str(p, "account");
        struct ev_sub *s = acc && !strcmp(acc, "sub") ? sub_of(json_i64(p, "ref", 0), true) : NULL;
        int64_t *f = s ? arr_push((void **)&s->fen, &s->nfen, &s->capfen, sizeof *s->fen) : NULL;
        if (f)
            *f = json_i64(p, "fen", 0);
    }
}

static void
feed_notice(const cJSON *pl)
{
    const cJSON *sg = cJSON_GetObjectItemCaseSensitive(pl, "signed");
    const cJSON *f = cJSON_GetObjectItemCaseSensitive(sg, "fields");
    const char *outcome = json_str(pl, "outcome"), *txn = json_str(f, "bank_txn");
    bool ok = bank_signed(sg, "ggzy-bank-notice-v1");
    if (outcome && !strcmp(outcome, "credited")) {
        struct ev_sub *s = sub_of(json_i64(pl, "subaccount_id", 0), true);
        if (!s)
            return;
        const char *account = json_str(f, "account"), *payer = json_str(f, "payer_account");
        if (!ok || !account || (s->number[0] && strcmp(account, s->number)))
            snprintf(
                s->forged, sizeof s->forged,
                "a credited arrival (bank_txn %s) is not the bank's signed notice of a payment "
                "into this sub-account",
                txn ? txn : "?");
        struct ev_arrival *a = arr_push((void **)&s->arr, &s->narr, &s->caparr, sizeof *s->arr);
        if (a)
            *a = (struct ev_arrival){json_i64(f, "amount_fen", 0), json_i64(f, "value_us", 0)};
        if (!s->payee && payer) {
            snprintf(s->payer, sizeof s->payer, "%s", payer);
            snprintf(s->payer_name, sizeof s->payer_name, "%s", nz(json_str(f, "payer_name")));
            s->payee = true;
        }
        struct ev_held *h = held_of(txn, true); /* a credited payment is never held money */
        if (h && h->state == HELD_NONE)
            h->state = HELD_CREDITED;
    } else if (outcome && !strcmp(outcome, "held")) {
        struct ev_held *h = held_of(txn, true);
        if (!h || h->state != HELD_NONE)
            return; /* booked once per bank_txn: the first entry is the booking */
        snprintf(h->payer, sizeof h->payer, "%s", nz(json_str(f, "payer_account")));
        snprintf(h->payer_name, sizeof h->payer_name, "%s", nz(json_str(f, "payer_name")));
        h->amount = json_i64(f, "amount_fen", 0);
        h->state = HELD_HELD;
        if (!ok)
            snprintf(h->forged, sizeof h->forged, "its notice is not signed by the bank");
    } else if (outcome && json_str(pl, "returns_bank_txn")) { /* a return's outcome */
        struct ev_held *h = held_of(json_str(pl, "returns_bank_txn"), false);
        if (h && h->state == HELD_RETURNING)
            h->state = !strcmp(outcome, "confirmed") ? HELD_RETURNED : HELD_HELD;
    }
}

/* An arrival only the day's statement showed, booked held (deposit.statement.import). */
static void
feed_statement(const cJSON *pl)
{
    const cJSON *sg = cJSON_GetObjectItemCaseSensitive(pl, "signed");
    const cJSON *lines =
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(sg, "fields"), "lines");
    bool ok = bank_signed(sg, "ggzy-bank-statement-v1");
    const cJSON *d, *l;
    cJSON_ArrayForEach(d, cJSON_GetObjectItemCaseSensitive(pl, "differences"))
    {
        const char *issue = json_str(d, "issue"), *txn = json_str(d, "bank_txn");
        if (!issue || strcmp(issue, "unmatched_held") || !txn)
            continue;
        cJSON_ArrayForEach(l, lines)
        {
            if (!json_str(l, "bank_txn") || strcmp(json_str(l, "bank_txn"), txn))
                continue;
            struct ev_held *h = held_of(txn, true);
            if (h && h->state == HELD_NONE) {
                snprintf(h->payer, sizeof h->payer, "%s", nz(json_str(l, "payer_account")));
                snprintf(h->payer_name, sizeof h->payer_name, "%s", nz(json_str(l, "payer_name")));
                h->amount = json_i64(l, "amount_fen", 0);
                h->state = HELD_HELD;
                if (!ok)
                    snprintf(h->forged, sizeof h->forged, "its statement is not the bank's");
            }
            break;
        }
    }
}

static void
feed(void *ctx, uint64_t index, const cJSON *entry)
{
    (void)ctx, (void)index;
    const char *action = json_str(entry, "action");
    const cJSON *pl = cJSON_GetObjectItemCaseSensitive(entry, "payload");
    const cJSON *ps = cJSON_GetObjectItemCaseSensitive(pl, "postings");
    if (!action)
        return;
    if (cJSON_IsArray(ps))
        feed_postings(ps);
    if (!strcmp(action, "deposit.subaccount.open")) {
        struct ev_sub *s =
            sub_of(json_i64(cJSON_GetObjectItemCaseSensitive(entry, "object"), "id", 0), true);
        if (s)
            snprintf(s->number, sizeof s->number, "%s", nz(json_str(pl, "number")));
    } else if (!strcmp(action, "deposit.notice"))
        feed_notice(pl);
    else if (!strcmp(action, "deposit.statement.import"))
        feed_statement(pl);
    else if (!strcmp(action, "deposit.return.instruct")) {
        struct ev_held *h = held_of(json_str(pl, "bank_txn"), false);
        if (h && h->state == HELD_HELD)
            h->state = HELD_RETURNING;
    }
}

/* ---- reading them ---- */

bool
evidence_init(void)
{
    follower = logfollow_new("deposit.", feed, NULL);
    metrics_gauge_set("ggzy_deposits_ledger_intact",
                      "1 while every deposit sub-account agrees with the log's evidence, 0 while "
                      "an alteration is raised (docs/deposits.md §10a).",
                      1);
    return follower != NULL;
}

void
evidence_fini(void)
{
    pthread_mutex_lock(&mu);
    logfollow_free(follower);
    follower = NULL;
    for (size_t i = 0; i < nsubs; i++) {
        free(subs[i].fen);
        free(subs[i].arr);
    }
    free(subs);
    free(held);
    subs = NULL;
    held = NULL;
    nsubs = capsubs = nheld = capheld = 0;
    pthread_mutex_unlock(&mu);
}

enum db_status
evidence_sync(struct dbconn *c, bool await, bool *intact)
{
    if (await && !logfollow_await_checkpoint(c, 5000))
        log_warn("evidence_sync: no checkpoint covered every committed entry within 5 s");
    pthread_mutex_lock(&mu);
    enum db_status st =
        follower ? logfollow_sync(follower, c, &ev_size, &ev_signed_us, &ev_intact) : DB_ERROR;
    *intact = ev_intact;
    pthread_mutex_unlock(&mu);
    return st;
}

bool
evidence_sync_req(struct req *r, struct dbconn *c)
{
    bool intact;
    enum db_status st = evidence_sync(c, true, &intact);
    if (st != DB_OK)
        req_db_fail(r, c, st);
    else if (!intact)
        req_error(r, E_LOG_ALTERED,
                  "the audit log failed its check: no money moves on what it no longer proves");
    return st == DB_OK && intact;
}

static int
cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

bool
evidence_sub(int64_t id, struct sub_evidence *out)
{
    memset(out, 0, sizeof *out);
    pthread_mutex_lock(&mu);
    const struct ev_sub *s = sub_of(id, false);
    out->covered = ev_size;
    out->signed_us = ev_signed_us;
    if (s) {
        out->known = true;
        out->nfen = s->nfen;
        out->fen = malloc((s->nfen ? s->nfen : 1) * sizeof *out->fen);
        out->narr = s->narr;
        out->arr_amount = malloc((s->narr ? s->narr : 1) * sizeof *out->arr_amount);
        out->arr_value_us = malloc((s->narr ? s->narr : 1) * sizeof *out->arr_value_us);
        if (out->fen && out->arr_amount && out->arr_value_us) {
            if (s->nfen)
                memcpy(out->fen, s->fen, s->nfen * sizeof *out->fen);
            for (size_t i = 0; i < s->narr; i++) {
                out->arr_amount[i] = s->arr[i].amount;
                out->arr_value_us[i] = s->arr[i].value_us;
            }
        } else
            out->known = false;
        snprintf(out->payer, sizeof out->payer, "%s", s->payer);
        snprintf(out->payer_name, sizeof out->payer_name, "%s", s->payer_name);
        out->payee = s->payee;
        snprintf(out->forged, sizeof out->forged, "%s", s->forged);
    }
    pthread_mutex_unlock(&mu);
    if (out->fen)
        qsort(out->fen, out->nfen, sizeof *out->fen, cmp_i64);
    return out->known;
}

int64_t *
evidence_sub_ids(size_t *n)
{
    pthread_mutex_lock(&mu);
    int64_t *ids = malloc((nsubs ? nsubs : 1) * sizeof *ids);
    *n = 0;
    for (size_t i = 0; ids && i < nsubs; i++)
        if (subs[i].nfen)
            ids[(*n)++] = subs[i].id;
    pthread_mutex_unlock(&mu);
    return ids;
}

void
evidence_sub_free(struct sub_evidence *e)
{
    free(e->fen);
    free(e->arr_amount);
    free(e->arr_value_us);
    memset(e, 0, sizeof *e);
}

bool
evidence_held(const char *txn, struct held_evidence *out)
{
    memset(out, 0, sizeof *out);
    pthread_mutex_lock(&mu);
    const struct ev_held *h = held_of(txn, false);
    if (h) {
        out->known = true;
        snprintf(out->payer, sizeof out->payer, "%s", h->payer);
        snprintf(out->payer_name, sizeof out->payer_name, "%s", h->payer_name);
        out->amount = h->amount;
        out->state = h->state;
        snprintf(out->forged, sizeof out->forged, "%s", h->forged);
    }
    out->signed_us = ev_signed_us;
    pthread_mutex_unlock(&mu);
    return out->known;
}

struct refusal
evidence_check_sub(struct dbconn *c, int64_t sub, const char *payee, struct sub_evidence *ev,
                   enum db_status *st)
{
    struct dbres rows = {0};
    struct refusal f = {0};
    int64_t *fen = NULL;
    evidence_sub(sub, ev);
    *st = store_sub_postings(c, sub, &rows);
    if (*st == DB_OK && !(fen = malloc((rows.nrows ? rows.nrows : 1) * sizeof *fen)))
        *st = DB_ERROR;
    if (*st == DB_OK) {
        for (size_t i = 0; i < rows.nrows; i++)
            fen[i] = dbres_i64(&rows, i, DB_VALUE);
        struct agree_in in = {fen,       ev->fen,   rows.nrows,
                              ev->nfen,  payee,     ev->payee ? ev->payer : NULL,
                              ev->known, ev->forged};
        f = deposits_rule_agrees(&in);
    }
    free(fen);
    dbres_free(&rows);
    return f;
}

/* ---- alarms ---- */

/* Tell center staff and supervisors what was found (their inbox, the outbox's channels). */
static enum db_status
tell_altered(struct dbconn *c, const char *key, const char *why, int64_t now)
{
    char subject[200], body[700];
    snprintf(subject, sizeof subject, "保证金账务被改动：%s (the deposit ledger was altered)", key);
    snprintf(body, sizeof body,
             "The deposit ledger's rows for %s disagree with the audit log's evidence: %s. No "
             "payment is instructed for it until they agree again. Compare GET "
             "/api/v1/deposits/ledger (\"altered\") with the log (ggzy audit replay), and have the "
             "database's change investigated (docs/deposits.md §10a).",
             key, why);
    struct outbox_msg m = {.kind = "deposit.ledger.altered", .subject = subject, .body = body};
    enum db_status st = outbox_send_role(c, "center_admin", &m, now);
    return st == DB_OK ? outbox_send_role(c, "supervisor", &m, now) : st;
}

enum db_status
evidence_alarm(struct dbconn *c, const struct actor *a, const char *key, const char *why,
               bool at_once, int64_t now, bool *raised)
{
    struct dbres r = {0};
    *raised = false;
    enum db_status st = store_alarm_get(c, key, &r);
    if (st != DB_OK)
        goto out;
    bool suspect = r.nrows == 1 && !strcmp(dbres_str(&r, 0, AL_STATE), "suspect");
    if (r.nrows == 1 && !suspect)
        goto out; /* raised already */
    if (!at_once && !suspect) {
        /* the first sight: a change committed after the last checkpoint looks the same; it is an
         * alteration when the next run, with the log synced again, still sees it */
        st = store_alarm_insert(c, key, "suspect", why, now);
        goto out;
    }
    st = suspect ? store_alarm_raise(c, key, why, now)
                 : store_alarm_insert(c, key, "altered", why, now);
    cJSON *pl = cJSON_CreateObject();
    cJSON_AddStringToObject(pl, "what", key);
    cJSON_AddStringToObject(pl, "why", why);
    if (st == DB_OK)
        st = tell_altered(c, key, why, now);
    if (st == DB_OK)
        st = audit_append(c, a, "deposit.ledger.altered", "deposit_alarm", 0, 0, pl, NULL);
    else
        cJSON_Delete(pl);
    if (st == DB_OK) {
        *raised = true;
        metrics_gauge_set("ggzy_deposits_ledger_intact", NULL, 0);
        log_error("THE DEPOSIT LEDGER IS ALTERED: %s: %s", key, why);
    }
out:
    dbres_free(&r);
    return st;
}

enum db_status
evidence_alarm_open(struct dbconn *c, const char *key, bool *open, bool *raised)
{
    struct dbres r = {0};
    enum db_status st = store_alarm_get(c, key, &r);
    *open = st == DB_OK && r.nrows == 1;
    *raised = *open && !strcmp(dbres_str(&r, 0, AL_STATE), "altered");
    dbres_free(&r);
    return st;
}

enum db_status
evidence_clear(struct dbconn *c, const struct actor *a, const char *key, int64_t now)
{
    struct dbres r = {0};
    enum db_status st = store_alarm_get(c, key, &r);
    if (st == DB_OK && r.nrows == 1) {
        bool raised = !strcmp(dbres_str(&r, 0, AL_STATE), "altered");
        st = store_alarm_resolve(c, key, now);
        if (st == DB_OK && raised) {
            cJSON *pl = cJSON_CreateObject();
            cJSON_AddStringToObject(pl, "what", key);
            st = audit_append(c, a, "deposit.ledger.restored", "deposit_alarm", 0, 0, pl, NULL);
        }
    }
    dbres_free(&r);
    return st;
}

bool
deposits_health(struct dbconn *c, cJSON *o, enum err_code *code, char *why, size_t whylen)
{
    int64_t n = 0;
    if (store_alarms_raised(c, &n) != DB_OK) {
        *code = E_DB_UNAVAILABLE;
        snprintf(why, whylen, "the database does not answer");
        return false;
    }
    metrics_gauge_set("ggzy_deposits_ledger_intact", NULL, n == 0);
    cJSON_AddStringToObject(o, "deposits_ledger", n ? "altered" : "agrees with the log");
    if (n) {
        /* degraded, not down: what disagrees moves no money, everything else goes on (a node
         * taken out of service for one edited row would let that edit stop every tender) */
        cJSON_ReplaceItemInObjectCaseSensitive(o, "status", cJSON_CreateString("degraded"));
        json_add_i64(o, "deposits_alarms", n);
    }
    return true;
}
