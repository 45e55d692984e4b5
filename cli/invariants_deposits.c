/*
 * invariants_deposits.c — the deposit ledger of the replay (see invariants.h): every posting the
 * log records (deposit.notice, deposit.refund.instruct: their payloads' "postings"), every
 * sub-account's balance rebuilt from them, the basic accounts the log approved, and each refund's
 * due time, payment and late flag. It checks, from the log alone (docs/deposits.md §10):
 *   INV-DEP-BALANCE  every entry's postings sum to zero (so the ledger balances at every index);
 *   INV-DEP-REFUND   no sub-account is ever debited beyond what was credited to it (no refund
 *                    exceeds the deposit); held money goes back only by center staff, once at a
 *                    time, whole, and to the payer account the bank's signed notice (or
 *                    statement) names;
 *   INV-DEP-BASIC    no arrival is counted (credited) from another account than the bidder's
 *                    registered basic account where the law asks (实施条例 第二十六条), or after
 *                    the bid deadline;
 *   INV-DEP-LATE     every refund paid after its due time says so, and every refund still unpaid
 *                    an hour past its due time by the log's last entry was flagged late;
 *   INV-DEP-FORFEIT  money reaches `forfeited` only by a supervisor's approval of a proposal
 *                    whose ground is of the 撤销 class and borne out by its recorded evidence.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "canon.h"
#include "invariants.h"
#include "statutes.h"

/* The monitor (deposits.deadlines) runs every minute: a refund unpaid past its due time is
 * flagged within this much of it. */
#define DEP_GRACE_US (INT64_C(3600) * 1000000)

struct dsub {
    int64_t id, balance;
};
struct dbasic {
    int64_t org;
    char account[40];
};
struct drefund {
    int64_t id, due;
    bool done, flagged;
    long held; /* a return: the index of its held payment in held[], else -1 */
};
/* A payment the bank notified (or only its statement showed) that was held, as signed. */
struct dheld {
    char txn[80], payer[40];
    int64_t amount;
    int state; /* 0 held, 1 being returned, 2 returned */
};

struct dforfeit {
    int64_t id, org;
    bool grounded; /* a 撤销-class ground its evidence bears out */
};

struct deposit_ledger {
    struct dforfeit *f;
    size_t nf, fcap;
    struct dsub *s;
    size_t ns, scap;
    struct dbasic *b;
    size_t nb, bcap;
    struct drefund *r;
    size_t nr, rcap;
    struct dheld *h;
    size_t nh, hcap;
    int64_t last_us;
};

struct deposit_ledger *
dep_new(void)
{
    return calloc(1, sizeof(struct deposit_ledger));
}

void
dep_free(struct deposit_ledger *d)
{
    if (d) {
        free(d->f);
        free(d->s);
        free(d->b);
        free(d->r);
        free(d->h);
    }
    free(d);
}

static struct dsub *
sub(struct deposit_ledger *d, int64_t id)
{
    for (size_t i = 0; i < d->ns; i++)
        if (d->s[i].id == id)
            return &d->s[i];
    struct dsub *s = arr_push((void **)&d->s, &d->ns, &d->scap, sizeof *d->s);
    if (s)
        s->id = id;
    return s;
}

static struct drefund *
refund(struct deposit_ledger *d, int64_t id, bool add)
{
    for (size_t i = 0; i < d->nr; i++)
        if (d->r[i].id == id)
            return &d->r[i];
    struct drefund *r = add ? arr_push((void **)&d->r, &d->nr, &d->rcap, sizeof *d->r) : NULL;
    if (r)
        *r = (struct drefund){.id = id, .held = -1};
    return r;
}

/* Record a held payment (txn, amount, payer as the bank signed them). */
static void
held_add(struct deposit_ledger *d, const cJSON *f)
{
    const char *txn = json_str(f, "bank_txn"), *payer = json_str(f, "payer_account");
    struct dheld *h = txn ? arr_push((void **)&d->h, &d->nh, &d->hcap, sizeof *d->h) : NULL;
    if (!h)
        return;
    h->amount = json_i64(f, "amount_fen", 0);
    snprintf(h->txn, sizeof h->txn, "%s", txn);
    snprintf(h->payer, sizeof h->payer, "%s", payer ? payer : "");
}

static long
held_find(const struct deposit_ledger *d, const char *txn)
{
    for (size_t i = 0; txn && i < d->nh; i++)
        if (!strcmp(d->h[i].txn, txn))
            return (long)i;
    return -1;
}

/* INV-DEP-REFUND for a return of held money (deposit.return.instruct). */
static void
held_return(struct deposit_ledger *d, const cJSON *entry, const cJSON *p, int64_t idx,
            struct inv_report *rep)
{
    const cJSON *obj = cJSON_GetObjectItemCaseSensitive(entry, "object");
    const cJSON *ins = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(p, "instruction"), "instruction");
    const char *role = json_str(cJSON_GetObjectItemCaseSensitive(entry, "actor"), "role");
    const char *txn = json_str(p, "bank_txn"), *to = json_str(ins, "to_account");
    long i = held_find(d, txn);
    int64_t amount = json_i64(ins, "amount_fen", -1);
    const char *why = !role || strcmp(role, "center_admin") ? "by someone who is not center staff"
                      : i < 0                               ? "of a payment the log never held"
                      : d->h[i].state == 1                  ? "while its return is under way"
                      : d->h[i].state == 2                  ? "of a payment returned already"
                      : amount != d->h[i].amount || json_i64(ins, "principal_fen", -1) != amount
                          ? "of another amount than was held"
                      : !to || strcmp(to, d->h[i].payer) || !*d->h[i].payer
                          ? "to another account than the one it came from"
                          : NULL;
    if (why) {
        inv_violate(rep, "INV-DEP-REFUND", idx, "held payment %s was returned %s",
                    txn ? txn : "(unnamed)", why);
        return;
    }
    d->h[i].state = 1;
    struct drefund *r = refund(d, json_i64(obj, "id", 0), true);
    if (r) {
        r->due = json_i64(ins, "due_us", INT64_MAX); /* null: no due time (docs/deposits.md §6) */
        r->held = i;
    }
}

static const char *
basic_of(const struct deposit_ledger *d, int64_t org)
{
    for (size_t i = 0; i < d->nb; i++)
        if (d->b[i].org == org)
            return d->b[i].account;
    return NULL;
}

/* INV-DEP-BALANCE and INV-DEP-REFUND over one entry's postings (forfeiting: an approved
 * forfeiture, the only act that may credit `forfeited`). */
static void
postings(struct deposit_ledger *d, const char *action, const cJSON *ps, int64_t idx,
         bool forfeiting, struct inv_report *rep)
{
    __int128 sum = 0;
    int n = 0;
    for (const cJSON *p = ps->child; p; p = p->next, n++)
        sum += json_i64(p, "fen", 0);
    if (n < 2 || sum != 0)
        inv_violate(rep, "INV-DEP-BALANCE", idx,
                    "%s: its %d postings sum to %lld fen, not zero: money created or lost", action,
                    n, (long long)sum);
    for (const cJSON *p = ps->child; p; p = p->next) {
        const char *acc = json_str(p, "account");
        struct dsub *s;
        if (acc && !strcmp(acc, "forfeited") && json_i64(p, "fen", 0) < 0 && !forfeiting)
            inv_violate(rep, "INV-DEP-FORFEIT", idx,
                        "%s moves %lld fen to forfeited deposits without an approved forfeiture",
                        action, (long long)-json_i64(p, "fen", 0));
        if (!acc || strcmp(acc, "sub") || !(s = sub(d, json_i64(p, "ref", 0))))
            continue;
        s->balance += json_i64(p, "fen", 0);
        if (s->balance > 0)
            inv_violate(rep, "INV-DEP-REFUND", idx,
                        "%s: sub-account %lld is debited %lld fen beyond what was credited to it",
                        action, (long long)s->id, (long long)s->balance);
    }
}

/* INV-DEP-BASIC for an arrival the platform credited. */
static void
arrival(struct deposit_ledger *d, const cJSON *p, int64_t idx, struct inv_report *rep)
{
    const cJSON *f = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(p, "signed"),
                                                      "fields"); /* as the bank signed it */
    const char *payer = json_str(f, "payer_account"), *recorded = json_str(p, "basic_account");
    const char *approved = basic_of(d, json_i64(p, "org_id", -1));
    int cat = (int)json_i64(p, "category", -1);
    if (json_i64(f, "value_us", 0) > json_i64(p, "deadline_us", INT64_MAX))
        inv_violate(rep, "INV-DEP-BASIC", idx,
                    "an arrival after the bid deadline was counted as sub-account %lld's deposit",
                    (long long)json_i64(p, "subaccount_id", 0));
    if (cat < 0 || cat >= CAT__COUNT || statute_value(S_DEPOSIT_BASIC, (enum category)cat) != 1)
        return;
    if (!payer || !recorded || strcmp(payer, recorded) || (approved && strcmp(approved, payer)))
        inv_violate(rep, "INV-DEP-BASIC", idx,
                    "a payment from %s was counted as organization %lld's deposit, which is not "
                    "its registered basic account (%s)",
                    payer ? payer : "no account", (long long)json_i64(p, "org_id", 0),
                    approved   ? approved
                    : recorded ? recorded
                               : "none");
}

void
dep_feed(struct deposit_ledger *d, const cJSON *entry, struct inv_report *rep)
{
    const char *action = json_str(entry, "action");
    const cJSON *p = cJSON_GetObjectItemCaseSensitive(entry, "payload");
    const cJSON *obj = cJSON_GetObjectItemCaseSensitive(entry, "object");
    int64_t idx = json_i64(entry, "index", -1);
    if (!action || strncmp(action, "deposit.", 8))
        return;
    d->last_us = json_i64(entry, "time_us", d->last_us);
    const cJSON *ps = cJSON_GetObjectItemCaseSensitive(p, "postings");
    bool forfeiting = false;
    if (!strcmp(action, "deposit.forfeit.propose")) {
        const char *ground = json_str(p, "ground");
        const cJSON *ev = cJSON_GetObjectItemCaseSensitive(p, "evidence");
        const char *cls = json_str(ev, "open_class");
        bool ok =
            ground && ((!strcmp(ground, "revocation") && cls && !strcmp(cls, "revocation")) ||
                       ((!strcmp(ground, "refused_contract") || !strcmp(ground, "refused_bond")) &&
                        json_i64(ev, "award_winner", -1) == json_i64(p, "org_id", -2) &&
                        !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(ev, "contract_signed"))));
        struct dforfeit *f = arr_push((void **)&d->f, &d->nf, &d->fcap, sizeof *d->f);
        if (f)
            *f = (struct dforfeit){json_i64(p, "forfeiture_id", 0), json_i64(p, "org_id", 0), ok};
    } else if (!strcmp(action, "deposit.forfeit.decide") &&
               cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(p, "approve"))) {
        const struct dforfeit *f = NULL;
        const char *role = json_str(cJSON_GetObjectItemCaseSensitive(entry, "actor"), "role");
        for (size_t i = 0; i < d->nf; i++)
            if (d->f[i].id == json_i64(p, "forfeiture_id", -1))
                f = &d->f[i];
        forfeiting = f && f->grounded && role && !strcmp(role, "supervisor");
        if (!forfeiting)
            inv_violate(rep, "INV-DEP-FORFEIT", idx, "forfeiture %lld was approved %s",
                        (long long)json_i64(p, "forfeiture_id", 0),
                        !f ? "without a proposal in the log"
                        : !f->grounded
                            ? "on a ground the record does not bear out (撤回 never forfeits)"
                            : "by someone who is not a supervisor");
    }
    if (cJSON_IsArray(ps))
        postings(d, action, ps, idx, forfeiting, rep);
    else if (!strcmp(action, "deposit.notice") || !strcmp(action, "deposit.refund.instruct") ||
             !strcmp(action, "deposit.return.instruct"))
        inv_violate(rep, "INV-DEP-BALANCE", idx, "%s records no postings", action);
    if (!strcmp(action, "deposit.basic_account.decide")) {
        const char *acc = json_str(p, "account_no"), *dec = json_str(p, "decision");
        int64_t org = json_i64(p, "org_id", 0);
        if (!acc || !dec || strcmp(dec, "approved"))
            return;
        size_t i = 0;
        while (i < d->nb && d->b[i].org != org)
            i++;
        if (i == d->nb) {
            if (!arr_push((void **)&d->b, &d->nb, &d->bcap, sizeof *d->b))
                return;
        }
        d->b[i].org = org;
        snprintf(d->b[i].account, sizeof d->b[i].account, "%s", acc);
    } else if (!strcmp(action, "deposit.statement.import")) {
        /* an arrival only the statement showed was booked held: its line as the bank signed it */
        const cJSON *lines = cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(p, "signed"),
                                             "fields"),
            "lines");
        const cJSON *df, *l;
        cJSON_ArrayForEach(df, cJSON_GetObjectItemCaseSensitive(p, "differences"))
        {
            const char *issue = json_str(df, "issue"), *txn = json_str(df, "bank_txn");
            if (!issue || strcmp(issue, "unmatched_held") || !txn)
                continue;
            cJSON_ArrayForEach(l, lines) if (json_str(l, "bank_txn") &&
                                             !strcmp(json_str(l, "bank_txn"), txn))
            {
                held_add(d, l);
                break;
            }
        }
    } else if (!strcmp(action, "deposit.return.instruct")) {
        held_return(d, entry, p, idx, rep);
    } else if (!strcmp(action, "deposit.notice")) {
        const char *outcome = json_str(p, "outcome");
        if (outcome && !strcmp(outcome, "credited"))
            arrival(d, p, idx, rep);
        if (outcome && !strcmp(outcome, "held"))
            held_add(d, cJSON_GetObjectItemCaseSensitive(
                            cJSON_GetObjectItemCaseSensitive(p, "signed"), "fields"));
        struct drefund *r = outcome && (!strcmp(outcome, "confirmed") || !strcmp(outcome, "failed"))
                                ? refund(d, json_i64(p, "refund_id", 0), false)
                                : NULL;
        if (!r)
            return;
        r->done = true;
        if (r->held >= 0) /* a return: paid, or held again to be returned again */
            d->h[r->held].state = !strcmp(outcome, "confirmed") ? 2 : 0;
        const cJSON *f = cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(p, "signed"), "fields");
        const cJSON *late = cJSON_GetObjectItemCaseSensitive(p, "late");
        if (!strcmp(outcome, "confirmed") && json_i64(f, "value_us", 0) > r->due &&
            !cJSON_IsTrue(late))
            inv_violate(rep, "INV-DEP-LATE", idx,
                        "refund %lld was paid after its due time and is not recorded late",
                        (long long)r->id);
    } else if (!strcmp(action, "deposit.refund.instruct")) {
        const cJSON *ins = cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(p, "instruction"), "instruction");
        struct drefund *r = refund(d, json_i64(obj, "id", 0), true);
        if (r)
            r->due = json_i64(ins, "due_us", INT64_MAX); /* null: no due time */
    } else if (!strcmp(action, "deposit.refund.late")) {
        struct drefund *r = refund(d, json_i64(obj, "id", 0), false);
        if (r)
            r->flagged = true;
    }
}

void
dep_finish(struct deposit_ledger *d, struct inv_report *rep)
{
    for (size_t i = 0; i < d->nr; i++) {
        const struct drefund *r = &d->r[i];
        if (!r->done && !r->flagged && r->due < INT64_MAX - DEP_GRACE_US &&
            r->due + DEP_GRACE_US < d->last_us)
            inv_violate(rep, "INV-DEP-LATE", -1,
                        "refund %lld is unpaid past its due time and was never flagged late",
                        (long long)r->id);
    }
}
