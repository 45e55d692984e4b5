/*
 * refunds.c — refunds on time (docs/deposits.md §6–§8). The job deposits.refunds
 * (system:refund-scheduler) finds each open sub-account with money on it whose refund is due to
 * start — the cause (deposits_rule_cause) from the project's state, the bid's standing and the
 * events of later stages (the award notice, the contract: app.h's event hook, which this module
 * subscribes to) — and issues a payment instruction: the principal (what the sub-account holds,
 * never more), the interest where the law gives it and the late fee where it is late, signed by
 * the platform's key over "ggzy-refund-instruction-v1" "\n" canonical(fields), booked as owed
 * (refunds payable) in the same transaction as its audit entry, then written for the bank as a
 * file (deposits.instructions_dir) and marked sent. The bank's notice confirms it (refund_confirm)
 * or says it failed (the money goes back on the sub-account, to be instructed again). The job
 * deposits.deadlines (system:refund-monitor) warns center staff and supervisors before a due
 * time and flags each refund still unpaid after it.
 *
 *   GET /api/v1/deposits/refunds   staff, supervisors (?state=&late=1)
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "accounts/accounts.h"
#include "announce/announce.h"
#include "audit.h"
#include "bids/bids.h"
#include "calendar.h"
#include "canon.h"
#include "checkpoint.h"
#include "crypto.h"
#include "entry/entry.h"
#include "internal.h"
#include "outbox/outbox.h"
#include "util.h"

#define INSTRUCTION_DOMAIN "ggzy-refund-instruction-v1"
#define RATES_MAX          512

static struct rate_row rates[RATES_MAX];
static size_t nrates;

bool
rates_load(const char *path, char *err, size_t errlen)
{
    size_t len;
    char why[200];
    char *text = read_file(path, 1 << 20, &len);
    if (!text) {
        snprintf(err, errlen, "deposits.rates: cannot read %s", path);
        return false;
    }
    bool ok = deposits_rule_rates_parse(text, rates, RATES_MAX, &nrates, why, sizeof why);
    free(text);
    if (!ok)
        snprintf(err, errlen, "deposits.rates %s: %s", path, why);
    return ok;
}

enum db_status
deposits_on_event(struct dbconn *c, const struct actor *a, const struct app_event *e)
{
    (void)a; /* the emitter writes the audit entry of its act */
    return store_event_insert(c, e->project_id, app_event_name(e->kind), e->lot, e->winner_org,
                              e->at_us);
}

/* ---- instructing a refund ---- */

struct refund_ctx {
    int64_t sub, now, refund; /* refund: the one issued (0: none due) */
    const struct actor *a;
    bool judge;    /* a disagreement counts (the evidence covers every change committed) */
    bool disagree; /* the rows disagree with the evidence (not judged: look again) */
};

/* What the refund of sub-account s is for now (cause, event), from the project, the bid and the
 * events. CAUSE_NONE when nothing is due yet. */
static enum db_status
refund_cause(struct dbconn *c, const struct dbres *s, int64_t now, enum refund_cause *cause,
             int64_t *event_us)
{
    struct project_view p;
    struct bid_standing b;
    struct dbres ev = {0};
    int64_t project = dbres_i64(s, 0, SC_PROJECT), deadline, opening, ann;
    bool found, published;
    *cause = CAUSE_NONE;
    enum db_status st = entry_project(c, project, false, &p, &found);
    if (st == DB_OK)
        st = announce_bid_times(c, project, &deadline, &opening, &ann, &published);
    if (st == DB_OK)
        st = bids_standing(c, project, dbres_i64(s, 0, SC_LOT), dbres_i64(s, 0, SC_ORG), &b);
    if (st == DB_OK)
        st = store_events(c, project, &ev);
    if (st != DB_OK || !found)
        goto out;
    struct cause_in in = {.category = (enum category)dbres_i64(s, 0, SC_CATEGORY),
                          .project_state = p.state,
                          .now_us = now,
                          .deadline_us = published ? deadline : dbres_i64(s, 0, SC_DEADLINE),
                          .org = dbres_i64(s, 0, SC_ORG),
                          .bid_any = b.any,
                          .bid_current = b.current,
                          .withdrawn_us = b.withdrawn_us};
    /* the events of this sub-account's lot; one of every lot (lot 0) where the lot has none */
    int64_t lot = dbres_i64(s, 0, SC_LOT);
    bool exact[2] = {false, false};
    for (size_t i = 0; i < ev.nrows; i++) {
        const char *k = dbres_str(&ev, i, VC_KIND);
        int64_t w = dbres_str(&ev, i, VC_WINNER) ? dbres_i64(&ev, i, VC_WINNER) : 0;
        int64_t el = dbres_i64(&ev, i, VC_LOT);
        int award = !strcmp(k, "award_notice") ? 1 : 0;
        if ((el != lot && el != 0) || (el == 0 && exact[award]))
            continue;
        exact[award] = el == lot;
        if (award)
            in.award_us = dbres_i64(&ev, i, VC_AT), in.award_winner = w;
        else
            in.contract_us = dbres_i64(&ev, i, VC_AT), in.contract_winner = w;
    }
    *cause = deposits_rule_cause(&in, event_us);
out:
    dbres_free(&ev);
    return st;
}

/* The signed instruction (fields and signature) as the bank receives it; caller frees. */
char *
refund_instruction_text(const cJSON *fields)
{
    size_t len = 0;
    char *canon = canon_json(fields, &len);
    struct buf m = {0};
    uint8_t sig[64];
    char b64[100];
    char *out = NULL;
    if (!canon)
        return NULL;
    buf_append(&m, INSTRUCTION_DOMAIN "\n", strlen(INSTRUCTION_DOMAIN) + 1);
    buf_append(&m, canon, len);
    if (!m.oom && platform_sign(m.p, m.len, sig)) {
        b64_encode(sig, sizeof sig, b64);
        cJSON *o = cJSON_CreateObject();
        cJSON_AddItemToObject(o, "instruction", cJSON_Duplicate(fields, true));
        cJSON_AddStringToObject(o, "signature", b64);
        cJSON_AddStringToObject(o, "key", checkpoint_vkey());
        out = canon_json(o, &len);
        cJSON_Delete(o);
    }
    free(canon);
    buf_free(&m);
    OPENSSL_cleanse(sig, sizeof sig);
    return out;
}

static enum tx_result
refund_tx(struct dbconn *c, void *arg)
{
    struct refund_ctx *x = arg;
    struct dbres s = {0}, n = {0};
    struct sub_evidence ev = {0};
    enum refund_cause cause;
    int64_t event_us = 0, balance = 0, interest = 0, fee = 0, id = 0;
    const char *to = NULL, *to_name = NULL;
    char *text = NULL;
    cJSON *fj = NULL, *pl = NULL, *postings = NULL;
    enum tx_result t = TX_DBFAIL;
    x->refund = 0;
    x->disagree = false;
    if (store_sub_by_id(c, x->sub, true, &s) != DB_OK || s.nrows != 1)
        goto out;
    t = TX_COMMIT; /* from here, nothing to do commits nothing */
    if (strcmp(dbres_str(&s, 0, SC_STATE), "open"))
        goto out;
    t = TX_DBFAIL;
    if (store_sub_balance(c, x->sub, &balance) != DB_OK ||
        refund_cause(c, &s, x->now, &cause, &event_us) != DB_OK ||
        store_notices_of_sub(c, x->sub, &n) != DB_OK)
        goto out;
    t = TX_COMMIT;
    if (balance <= 0 || cause == CAUSE_NONE)
        goto out;
    bool forfeiting;
    t = TX_DBFAIL;
    if (store_forfeit_open(c, dbres_i64(&s, 0, SC_PROJECT), dbres_i64(&s, 0, SC_LOT),
                           dbres_i64(&s, 0, SC_ORG), &forfeiting) != DB_OK)
        goto out;
    t = TX_COMMIT;
    if (forfeiting) /* proposed or approved: not refunded while a supervisor decides */
        goto out;
    int64_t failed_us = 0;
    t = TX_DBFAIL;
    if (store_refund_last_failed(c, x->sub, &failed_us) != DB_OK)
        goto out;
    t = TX_COMMIT;
    if (failed_us && x->now < failed_us + deposits_conf.retry_hours * 3600 * INT64_C(1000000))
        goto out; /* the bank could not pay it: again after deposits.retry_hours, not every run */
    enum category cat = (enum category)dbres_i64(&s, 0, SC_CATEGORY);
    bool provisional;
    int64_t due = deposits_rule_due(cat, cause, event_us, &provisional), today = cal_day(x->now);
    if (due == -1) {
        log_warn("refund_tx: sub-account %lld: no statute sets a due time for %s in category %s",
                 (long long)x->sub, deposits_rule_cause_name(cause), category_name(cat));
        goto out;
    }
    /* a due time the calendar cannot compute (a year it does not know): the refund is made all
     * the same, with no due time, and the monitor warns of it at once (docs/deposits.md §6) */
    bool due_known = due != INT64_MIN;
    /* money leaves only on what the log proves (docs/deposits.md §10a): the ledger's rows must
     * agree with the log's evidence — every posting of the sub-account, and the account its
     * deposit came from — and the instruction is made from the evidence */
    for (size_t i = 0; i < n.nrows && !to; i++)
        if (!strcmp(dbres_str(&n, i, NC_KIND), "arrival") &&
            !strcmp(dbres_str(&n, i, NC_OUTCOME), "credited"))
            to = dbres_str(&n, i, NC_PAYER);
    t = TX_DBFAIL;
    enum db_status est;
    struct refusal f = evidence_check_sub(c, x->sub, to, &ev, &est);
    if (est != DB_OK)
        goto out;
    char key[40];
    snprintf(key, sizeof key, "sub:%lld", (long long)x->sub);
    bool raised;
    if (f.code && !x->judge) { /* perhaps a change the checkpoint does not cover yet */
        x->disagree = true;
        t = TX_COMMIT;
        goto out;
    }
    if (f.code) { /* no instruction: suspected now, raised if it persists at the next run */
        t = evidence_alarm(c, x->a, key, f.why, false, x->now, &raised) == DB_OK ? TX_COMMIT
                                                                                 : TX_DBFAIL;
        goto out;
    }
    bool alarm_open, raised_before;
    if (evidence_alarm_open(c, key, &alarm_open, &raised_before) != DB_OK)
        goto out;
    if (raised_before) { /* it agrees again: the alarm ends now (logged), the refund next run */
        t = evidence_clear(c, x->a, key, x->now) == DB_OK ? TX_COMMIT : TX_DBFAIL;
        goto out;
    }
    /* a suspicion (a change the evidence did not cover yet, never raised) ends unlogged */
    if (alarm_open && evidence_clear(c, x->a, key, x->now) != DB_OK)
        goto out;
    t = TX_COMMIT;
    to = ev.payer;
    to_name = ev.payer_name;
    /* the interest on each credited arrival, as the bank signed it, from the day it arrived to
     * the day the refund is instructed (docs/deposits.md §7); refunded to its payer */
    bool with_interest = deposits_rule_interest_applies(cat, cause);
    for (size_t i = 0; with_interest && i < ev.narr; i++) {
        int64_t v = deposits_rule_interest(rates, nrates, ev.arr_amount[i],
                                           cal_day(ev.arr_value_us[i]), today, false, 1000);
        if (v < 0) {
            log_error("refund_tx: the rate table does not reach back to sub-account %lld's "
                      "arrival",
                      (long long)x->sub);
            goto out;
        }
        interest += v;
    }
    if (!ev.payee)
        goto out; /* money on it but no credited arrival: cannot be (the log says) */
    /* procurement: a late refund pays the benchmark lending rate plus 20 % for each day late
     * (87号令 第三十八条) */
    int64_t permille = statute_value(S_REFUND_LATE_FEE, cat);
    if (permille > 0 && due_known && x->now > due) {
        fee = deposits_rule_interest(rates, nrates, balance, cal_day(due) + 1, today + 1, true,
                                     permille);
        if (fee < 0)
            fee = 0;
    }
    const struct statute *law = statute(deposits_rule_cause_statute(cause));
    struct refund_row row = {.sub = x->sub,
                             .principal = balance,
                             .interest = interest,
                             .fee = fee,
                             .event_us = event_us,
                             .due_us = due_known ? due : 0,
                             .due_known = due_known,
                             .due_provisional = provisional,
                             .now = x->now,
                             .cause = deposits_rule_cause_name(cause),
                             .basis = law->code,
                             .to_account = to,
                             .to_name = to_name ? to_name : "",
                             .instruction = ""};
    t = TX_DBFAIL;
    if (store_refund_insert(c, &row, &id) != DB_OK)
        goto out;
    int64_t total = balance + interest + fee;
    fj = cJSON_CreateObject();
    cJSON_AddStringToObject(fj, "platform", deposits_cfg->platform_id);
    json_add_i64(fj, "refund_id", id);
    cJSON_AddStringToObject(fj, "from_account", dbres_str(&s, 0, SC_NUMBER));
    cJSON_AddStringToObject(fj, "to_account", to);
    cJSON_AddStringToObject(fj, "to_name", row.to_name);
    json_add_i64(fj, "principal_fen", balance);
    json_add_i64(fj, "interest_fen", interest);
    json_add_i64(fj, "fee_fen", fee);
    json_add_i64(fj, "amount_fen", total);
    cJSON_AddStringToObject(fj, "cause", row.cause);
    cJSON_AddStringToObject(fj, "basis", law->code);
    if (due_known)
        json_add_i64(fj, "due_us", due);
    else
        cJSON_AddNullToObject(fj, "due_us");
    cJSON_AddBoolToObject(fj, "due_provisional", provisional);
    json_add_i64(fj, "issued_us", x->now);
    if (!(text = refund_instruction_text(fj)) || store_refund_set_instruction(c, id, text) != DB_OK)
        goto out;
    struct posting p[3] = {{ACC_SUB, x->sub, balance},
                           {ACC_REFUNDS_PAYABLE, 0, -total},
                           {ACC_INTEREST_EXPENSE, 0, interest + fee}};
    int64_t project = dbres_i64(&s, 0, SC_PROJECT), entry;
    if (ledger_post(c, "refund_instructed", project, x->sub, row.cause, p, interest + fee ? 3 : 2,
                    x->now, &entry, &postings) != DB_OK ||
        store_sub_set_state(c, x->sub, "refunding") != DB_OK)
        goto out;
    pl = cJSON_CreateObject();
    json_add_i64(pl, "refund_id", id);
    json_add_i64(pl, "subaccount_id", x->sub);
    json_add_i64(pl, "org_id", dbres_i64(&s, 0, SC_ORG));
    json_add_i64(pl, "lot", dbres_i64(&s, 0, SC_LOT));
    json_add_i64(pl, "category", cat);
    json_add_i64(pl, "event_us", event_us);
    cJSON_AddStringToObject(pl, "source", law->source[cat] ? law->source[cat] : "");
    cJSON *ins = cJSON_Parse(text);
    if (!ins)
        goto out;
    cJSON_AddItemToObject(pl, "instruction", ins);
    cJSON_AddItemToObject(pl, "postings", postings);
    postings = NULL;
    enum db_status st =
        audit_append(c, x->a, "deposit.refund.instruct", "refund", id, project, pl, NULL);
    pl = NULL;
    if (st != DB_OK)
        goto out;
    x->refund = id;
    t = TX_COMMIT;
out:
    free(text);
    cJSON_Delete(fj);
    cJSON_Delete(pl);
    cJSON_Delete(postings);
    dbres_free(&s);
    dbres_free(&n);
    evidence_sub_free(&ev);
    return t;
}

/* Write text as dir/refund-<id>.json, whole or not at all (a temporary file renamed). */
static bool
write_instruction(int64_t id, const char *text)
{
    char path[4096], tmp[4200];
    snprintf(path, sizeof path, "%s/refund-%lld.json", deposits_conf.instructions_dir,
             (long long)id);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
    if (fd < 0) {
        log_error("write_instruction: %s: %s", tmp, strerror(errno));
        return false;
    }
    size_t len = strlen(text), at = 0;
    while (at < len) {
        ssize_t w = write(fd, text + at, len - at);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            break;
        at += (size_t)w;
    }
    bool ok = at == len && fsync(fd) == 0;
    ok = close(fd) == 0 && ok;
    if (ok && rename(tmp, path) != 0)
        ok = false;
    if (!ok) {
        log_error("write_instruction: %s: %s", path, strerror(errno));
        unlink(tmp);
    }
    return ok;
}

/* The project refund row f is of (0 when none: a return of money paid into no sub-account): its
 * sub-account's, or for a return its notice's sub-account's. */
static enum db_status
refund_project(struct dbconn *c, const struct dbres *f, int64_t *project)
{
    struct dbres n = {0};
    int64_t sub = dbres_i64(f, 0, RC_SUB);
    enum db_status st = DB_OK;
    if (!sub && dbres_i64(f, 0, RC_NOTICE)) {
        st = store_notice_get(c, dbres_i64(f, 0, RC_NOTICE), &n);
        if (st == DB_OK && n.nrows == 1)
            sub = dbres_i64(&n, 0, NC_SUB);
    }
    dbres_free(&n);
    *project = 0;
    return st == DB_OK ? store_sub_project(c, sub, project) : st;
}

struct sent_ctx {
    int64_t refund, now;
    const struct actor *a;
};

static enum tx_result
sent_tx(struct dbconn *c, void *arg)
{
    struct sent_ctx *x = arg;
    struct dbres f = {0};
    int64_t project;
    enum tx_result t = TX_DBFAIL;
    if (store_refund_get(c, x->refund, true, &f) != DB_OK || f.nrows != 1)
        goto out;
    t = TX_COMMIT;
    if (strcmp(dbres_str(&f, 0, RC_STATE), "instructed"))
        goto out;
    t = TX_DBFAIL;
    if (refund_project(c, &f, &project) != DB_OK ||
        store_refund_sent(c, x->refund, x->now) != DB_OK)
        goto out;
    cJSON *pl = cJSON_CreateObject();
    json_add_i64(pl, "refund_id", x->refund);
    json_add_col_i64(pl, "subaccount_id", &f, 0, RC_SUB);
    json_add_col_i64(pl, "notice_id", &f, 0, RC_NOTICE);
    char file[64];
    snprintf(file, sizeof file, "refund-%lld.json", (long long)x->refund);
    cJSON_AddStringToObject(pl, "file", file);
    if (audit_append(c, x->a, "deposit.refund.sent", "refund", x->refund, project, pl, NULL) !=
        DB_OK)
        goto out;
    t = TX_COMMIT;
out:
    dbres_free(&f);
    return t;
}

/* Hand refund id's instruction to the bank and record that. */
static bool
send_refund(struct dbconn *c, const struct actor *a, int64_t id, int64_t now)
{
    struct dbres f = {0};
    bool ok = false;
    if (!*deposits_conf.instructions_dir)
        return true; /* nowhere to hand it: it stays instructed, and the monitor warns */
    if (store_refund_get(c, id, false, &f) != DB_OK || f.nrows != 1)
        goto out;
    if (!write_instruction(id, dbres_str(&f, 0, RC_INSTRUCTION)))
        goto out;
    struct sent_ctx x = {id, now, a};
    ok = db_tx(c, sent_tx, &x) == DB_OK;
out:
    dbres_free(&f);
    return ok;
}

/* The refund of one sub-account, if due, instructed and handed to the bank. False: not judged
 * yet (its rows changed after the checkpoint the evidence runs to). */
static bool
refund_one(struct dbconn *c, const struct actor *a, int64_t sub, int64_t now_us, bool judge,
           bool *ok)
{
    struct refund_ctx x = {sub, now_us, 0, a, judge, false};
    if (db_tx(c, refund_tx, &x) != DB_OK) {
        log_warn("deposits_job_refunds: sub-account %lld: %s", (long long)x.sub, db_last_error(c));
        *ok = false;
    } else if (x.refund)
        *ok = send_refund(c, a, x.refund, now_us) && *ok;
    return !x.disagree;
}

bool
deposits_job_refunds(struct dbconn *c, const struct actor *a, int64_t now_us)
{
    struct dbres s = {0};
    bool ok = true, intact;
    /* the log's evidence, up to the latest signed checkpoint: what every instruction below is
     * made from and checked against (docs/deposits.md §10a); what changed after it waits for the
     * next checkpoint */
    if (evidence_sync(c, false, &intact) != DB_OK)
        return false;
    if (!intact) {
        log_error("deposits_job_refunds: the audit log is altered: no refund is instructed");
        return false;
    }
    /* instructions a crash left unsent first */
    if (store_refunds_instructed(c, 200, &s) != DB_OK)
        return false;
    for (size_t i = 0; i < s.nrows; i++)
        ok = send_refund(c, a, dbres_i64(&s, i, RC_ID), now_us) && ok;
    dbres_free(&s);
    int64_t *later = NULL;
    size_t nlater = 0, caplater = 0;
    for (int64_t after = 0;;) {
        if (store_subs_open(c, after, 200, &s) != DB_OK) {
            free(later);
            return false;
        }
        for (size_t i = 0; i < s.nrows; i++) {
            int64_t *l;
            if (!refund_one(c, a, dbres_i64(&s, i, SC_ID), now_us, false, &ok) &&
                (l = arr_push((void **)&later, &nlater, &caplater, sizeof *later)))
                *l = dbres_i64(&s, i, SC_ID);
        }
        size_t got = s.nrows;
        if (got)
            after = dbres_i64(&s, got - 1, SC_ID);
        dbres_free(&s);
        if (got < 200)
            break;
    }
    /* what disagreed: once more, over a checkpoint that covers every change committed so far
     * (a disagreement then counts: suspected now, raised if the next run sees it too) */
    if (nlater && evidence_sync(c, true, &intact) == DB_OK && intact)
        for (size_t i = 0; i < nlater; i++)
            refund_one(c, a, later[i], now_us, true, &ok);
    free(later);
    return ok;
}

/* ---- the bank's confirmation ---- */

enum tx_result
refund_confirm(struct dbconn *c, struct req *r, const struct bank_notice *n, int64_t now,
               struct notice_row *row, cJSON *pl, int64_t *project)
{
    struct dbres f = {0}, s = {0};
    cJSON *postings = NULL;
    enum tx_result t = TX_DBFAIL;
    if (store_refund_get(c, n->refund, true, &f) != DB_OK)
        goto out;
    t = TX_REFUSE;
    if (f.nrows != 1) {
        req_rule(r, "DEP-REFUND-UNKNOWN", "no refund %lld was instructed", (long long)n->refund);
        goto out;
    }
    const char *state = dbres_str(&f, 0, RC_STATE);
    if (strcmp(state, "sent") && strcmp(state, "instructed")) {
        req_rule_as(r, E_CONFLICT, "DEP-REFUND-STATE", "refund %lld is %s already",
                    (long long)n->refund, state);
        goto out;
    }
    int64_t principal = dbres_i64(&f, 0, RC_PRINCIPAL),
            extra = dbres_i64(&f, 0, RC_INTEREST) + dbres_i64(&f, 0, RC_FEE);
    if (n->amount != principal + extra || strcmp(n->account, dbres_str(&f, 0, RC_TO_ACCOUNT))) {
        req_rule_as(r, E_CONFLICT, "DEP-REFUND-MISMATCH",
                    "refund %lld instructs %lld fen to %s, not %lld fen to %s",
                    (long long)n->refund, (long long)(principal + extra),
                    dbres_str(&f, 0, RC_TO_ACCOUNT), (long long)n->amount, n->account);
        goto out;
    }
    if (dbres_i64(&f, 0, RC_NOTICE)) { /* the return of a held notice */
        t = return_confirm(c, &f, n, now, row, pl, project);
        goto out;
    }
    t = TX_DBFAIL;
    int64_t sub = dbres_i64(&f, 0, RC_SUB), due = dbres_i64(&f, 0, RC_DUE);
    if (store_sub_by_id(c, sub, true, &s) != DB_OK || s.nrows != 1)
        goto out;
    *project = dbres_i64(&s, 0, SC_PROJECT);
    /* no due time (the calendar could not compute one): never late by it */
    bool paid = !strcmp(n->kind, "refund_paid"),
         late = paid && dbres_str(&f, 0, RC_DUE) && n->value_us > due;
    struct posting pp[2] = {{ACC_REFUNDS_PAYABLE, 0, n->amount}, {ACC_BANK, 0, -n->amount}};
    struct posting pf[3] = {{ACC_REFUNDS_PAYABLE, 0, n->amount},
                            {ACC_SUB, sub, -principal},
                            {ACC_INTEREST_EXPENSE, 0, -extra}};
    if (ledger_post(c, paid ? "refund_paid" : "refund_failed", *project, sub, n->txn,
                    paid ? pp : pf, paid ? 2 : (extra ? 3 : 2), now, &row->entry,
                    &postings) != DB_OK ||
        store_refund_done(c, n->refund, paid ? "paid" : "failed", n->value_us, late) != DB_OK ||
        store_sub_set_state(c, sub, paid ? "closed" : "open") != DB_OK ||
        (!paid && refund_tell_failed(c, &f, now) != DB_OK))
        goto out;
    row->outcome = paid ? "confirmed" : "failed";
    row->sub = sub;
    cJSON_AddStringToObject(pl, "outcome", row->outcome);
    json_add_i64(pl, "refund_id", n->refund);
    json_add_i64(pl, "subaccount_id", sub);
    json_add_i64(pl, "org_id", dbres_i64(&s, 0, SC_ORG));
    json_add_i64(pl, "principal_fen", principal);
    json_add_col_i64(pl, "due_us", &f, 0, RC_DUE);
    cJSON_AddBoolToObject(pl, "late", late);
    cJSON_AddItemToObject(pl, "postings", postings);
    postings = NULL;
    t = TX_COMMIT;
out:
    cJSON_Delete(postings);
    dbres_free(&f);
    dbres_free(&s);
    return t;
}

/* ---- warnings and late flags ---- */

struct watch_ctx {
    int64_t refund, now;
    bool late;
    const struct actor *a;
};

/* What a refund's message says: it is due soon, late, or the bank could not pay it. */
enum tell_kind { TELL_DUE, TELL_LATE, TELL_FAILED };

/* Tell every enabled user of role about refund f (in the caller's transaction). */
static enum db_status
tell(struct dbconn *c, const char *role, const struct dbres *f, enum tell_kind k, int64_t now)
{
    static const char *const kinds[] = {"deposit.refund.due", "deposit.refund.late",
                                        "deposit.refund.failed"};
    static const char *const subjects[] = {"保证金退还即将到期", "保证金退还逾期",
                                           "保证金退款未能支付"};
    char subject[200], body[900], due[160];
    if (!dbres_str(f, 0, RC_DUE))
        snprintf(due, sizeof due,
                 "a day the working-day calendar cannot compute yet (it does not "
                 "know the year: import the State Council's arrangement, ggzyd "
                 "calendar import)");
    else {
        char day[11];
        cal_format_day(cal_day(dbres_i64(f, 0, RC_DUE)), day);
        snprintf(due, sizeof due, "the end of %s%s", day,
                 dbres_i64(f, 0, RC_DUE_PROVISIONAL) ? " (provisional calendar)" : "");
    }
    snprintf(subject, sizeof subject, "%s：退款 %lld", subjects[k],
             (long long)dbres_i64(f, 0, RC_ID));
    bool ret = dbres_i64(f, 0, RC_NOTICE) != 0;
    snprintf(body, sizeof body,
             "Refund %lld of %s %lld (%lld fen to %s, %s) is due by %s (China Standard Time) "
             "and %s.",
             (long long)dbres_i64(f, 0, RC_ID), ret ? "held payment notice" : "sub-account",
             (long long)dbres_i64(f, 0, ret ? RC_NOTICE : RC_SUB),
             (long long)(dbres_i64(f, 0, RC_PRINCIPAL) + dbres_i64(f, 0, RC_INTEREST) +
                         dbres_i64(f, 0, RC_FEE)),
             dbres_str(f, 0, RC_TO_ACCOUNT), dbres_str(f, 0, RC_BASIS), due,
             k == TELL_FAILED ? "could not be paid by the bank (it is instructed again after "
                                "deposits.retry_hours; check the payee account)"
             : k == TELL_LATE ? "is late"
                              : "is not yet paid");
    struct outbox_msg m = {.kind = kinds[k],
                           .subject = subject,
                           .body = body,
                           .ref_type = "refund",
                           .ref_id = dbres_i64(f, 0, RC_ID)};
    return outbox_send_role(c, role, &m, now);
}

enum db_status
refund_tell_failed(struct dbconn *c, const struct dbres *f, int64_t now)
{
    return tell(c, "center_admin", f, TELL_FAILED, now);
}

static enum tx_result
watch_tx(struct dbconn *c, void *arg)
{
    struct watch_ctx *x = arg;
    struct dbres f = {0};
    int64_t project;
    enum tx_result t = TX_DBFAIL;
    if (store_refund_get(c, x->refund, true, &f) != DB_OK || f.nrows != 1)
        goto out;
    t = TX_COMMIT;
    const char *state = dbres_str(&f, 0, RC_STATE);
    if ((strcmp(state, "instructed") && strcmp(state, "sent")) ||
        (x->late ? dbres_str(&f, 0, RC_LATE_FLAGGED) != NULL : dbres_str(&f, 0, RC_WARNED) != NULL))
        goto out; /* paid or handled meanwhile */
    t = TX_DBFAIL;
    if (refund_project(c, &f, &project) != DB_OK ||
        store_refund_mark(c, x->refund, x->late, x->now) != DB_OK ||
        tell(c, "center_admin", &f, x->late ? TELL_LATE : TELL_DUE, x->now) != DB_OK ||
        tell(c, "supervisor", &f, x->late ? TELL_LATE : TELL_DUE, x->now) != DB_OK)
        goto out;
    cJSON *pl = cJSON_CreateObject();
    json_add_i64(pl, "refund_id", x->refund);
    json_add_col_i64(pl, "subaccount_id", &f, 0, RC_SUB);
    json_add_col_i64(pl, "notice_id", &f, 0, RC_NOTICE);
    json_add_col_i64(pl, "due_us", &f, 0, RC_DUE);
    cJSON_AddStringToObject(pl, "state", state);
    if (audit_append(c, x->a, x->late ? "deposit.refund.late" : "deposit.refund.warn", "refund",
                     x->refund, project, pl, NULL) != DB_OK)
        goto out;
    t = TX_COMMIT;
out:
    dbres_free(&f);
    return t;
}

bool
deposits_job_deadlines(struct dbconn *c, const struct actor *a, int64_t now_us)
{
    bool ok = true;
    for (int late = 0; late < 2; late++) {
        struct dbres f = {0};
        enum db_status st =
            late ? store_refunds_overdue(c, now_us, 200, &f)
                 : store_refunds_to_warn(c, now_us + deposits_conf.warn_hours * 3600 * 1000000, 200,
                                         &f);
        if (st != DB_OK) {
            dbres_free(&f);
            return false;
        }
        for (size_t i = 0; i < f.nrows; i++) {
            struct watch_ctx x = {dbres_i64(&f, i, RC_ID), now_us, late, a};
            if (db_tx(c, watch_tx, &x) != DB_OK) {
                log_warn("deposits_job_deadlines: refund %lld: %s", (long long)x.refund,
                         db_last_error(c));
                ok = false;
            }
        }
        dbres_free(&f);
    }
    return ok;
}

/* ---- an imported holiday arrangement (app.h calendar_moved) ---- */

enum db_status
deposits_calendar_moved(struct dbconn *c, int year, bool apply, cJSON *out)
{
    (void)year; /* every unsettled due time is computed again: the others come out the same */
    struct dbres f = {0}, s = {0};
    enum db_status st = store_refunds_due_unsettled(c, &f);
    for (size_t i = 0; st == DB_OK && i < f.nrows; i++) {
        bool prov = false, was_known = dbres_str(&f, i, RC_DUE) != NULL;
        int64_t id = dbres_i64(&f, i, RC_ID), event = dbres_i64(&f, i, RC_EVENT), due;
        if (dbres_str(&f, i, RC_NOTICE))
            due = deposits_rule_return_due(event, deposits_conf.return_days, &prov);
        else {
            dbres_free(&s);
            if ((st = store_sub_by_id(c, dbres_i64(&f, i, RC_SUB), false, &s)) != DB_OK)
                break;
            if (s.nrows != 1)
                continue;
            due = deposits_rule_due((enum category)dbres_i64(&s, 0, SC_CATEGORY),
                                    deposits_rule_cause_from_name(dbres_str(&f, i, RC_CAUSE)),
                                    event, &prov);
        }
        if (due < 0) /* still unknown (or no statute) */
            continue;
        int64_t was = dbres_i64(&f, i, RC_DUE);
        /* a refund is an obligation: the earlier time favours the bidder it is owed to */
        int64_t kept = was_known && was < due ? was : due;
        if (was_known && was == due && prov == (dbres_i64(&f, i, RC_DUE_PROVISIONAL) != 0))
            continue;
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "what", "refund");
        json_add_i64(o, "id", id);
        json_add_col_i64(o, "was_us", &f, i, RC_DUE);
        json_add_i64(o, "official_us", due);
        json_add_i64(o, "kept_us", kept);
        cJSON_AddBoolToObject(o, "provisional", prov);
        cJSON_AddStringToObject(o, "why",
                                "a refund is the platform's obligation: the earlier due time "
                                "favours the bidder it is owed to");
        cJSON_AddItemToArray(out, o);
        if (apply)
            st = store_refund_set_due(c, id, kept, prov);
    }
    dbres_free(&f);
    dbres_free(&s);
    return st;
}

/* ---- the list ---- */

static cJSON *
refund_view(void *ctx, const struct dbres *s, size_t i)
{
    (void)ctx;
    return refund_json(s, i);
}

void
refund_list(struct req *r, const cJSON *body)
{
    (void)body;
    int64_t before, limit;
    struct dbres s = {0};
    const char *late = req_query(r, "late");
    if (!deposits_page(r, &before, &limit))
        return;
    struct dbconn *c = req_db(r);
    if (!c)
        return;
    enum db_status st =
        store_refunds(c, req_query(r, "state"), late && !strcmp(late, "1"), before, limit, &s);
    if (st != DB_OK)
        req_db_fail(r, c, st);
    else
        req_page_reply(r, &s, limit, "next_before", RC_ID, refund_view, NULL);
    dbres_free(&s);
}
