/*
 * notices.c — the bank's signed notices (docs/deposits.md §5). The center's bank holds a key
 * certified under the finance anchor (trust.finance_ca) naming the bank's credit code
 * (deposits.bank_credit_code); its certificate is configured (deposits.bank_cert). The bank
 * posts each movement of the center's account: an arrival into a sub-account, or the outcome of
 * a refund instruction. A notice is checked (the certificate against the anchors in force, the
 * signature over "ggzy-bank-notice-v1" "\n" canonical(notice), signed_us within
 * deposits.notice_skew_s of the platform's clock) and booked once per bank_txn: the same notice
 * again is answered as booked, another notice under a booked bank_txn is refused. An arrival is
 * credited to the sub-account when it counts (deposits_rule_arrival), else held — never
 * guessed; a payer account seen for another bidder of the lot raises a collusion indicator
 * (实施条例 第四十条). The bank acts in the log as "bank:<key id>".
 *
 *   POST /api/v1/deposits/bank/notices   the bank (no session: its signature)
 *   GET  /api/v1/deposits/notices        staff, supervisors (?outcome=held)
 *   GET  /api/v1/projects/{id}/deposit-flags   staff, supervisors: collusion indicators
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accounts/accounts.h"
#include "announce/announce.h"
#include "audit.h"
#include "canon.h"
#include "internal.h"
#include "trust.h"
#include "util.h"

#define NOTICE_DOMAIN "ggzy-bank-notice-v1"

static struct cert_chain bank_chain;
static bool bank_loaded;

bool
bank_load(char *err, size_t errlen)
{
    size_t len;
    char why[300];
    if (!deposits_conf.bank_cert || !*deposits_conf.bank_cert)
        return true; /* no bank configured: notices are refused (DEP-BANK) */
    char *pem = read_file(deposits_conf.bank_cert, 1 << 20, &len);
    if (!pem) {
        snprintf(err, errlen, "deposits.bank_cert: cannot read %s", deposits_conf.bank_cert);
        return false;
    }
    bool ok = cert_chain_from_pem(pem, len, &bank_chain, why, sizeof why);
    free(pem);
    if (!ok) {
        snprintf(err, errlen, "deposits.bank_cert: %s", why);
        return false;
    }
    if (strlen(deposits_conf.bank_credit_code) != 18) {
        snprintf(err, errlen, "deposits.bank_credit_code: the bank's 18-character credit code");
        cert_chain_free(&bank_chain);
        return false;
    }
    bank_loaded = true;
    return true;
}

bool
bank_is_loaded(void)
{
    return bank_loaded;
}

void
bank_free(void)
{
    if (bank_loaded)
        cert_chain_free(&bank_chain);
    bank_loaded = false;
}

static const char *const notice_kinds[] = {"arrival", "refund_paid", "refund_failed", NULL};
#define MAX_ID INT64_C(9007199254740991)
static const struct field notice_schema[] = {
    {"platform", F_STRING, true, 1, 100, NULL},
    {"bank_txn", F_STRING, true, 1, 64, NULL},
    {"kind", F_STRING, true, 1, 16, notice_kinds},
    {"account", F_STRING, true, 6, 34, NULL},
    {"amount_fen", F_INT, true, 1, MAX_ID, NULL},
    {"payer_account", F_STRING, false, 0, 34, NULL},
    {"payer_name", F_STRING, false, 0, 200, NULL},
    {"instrument", F_STRING, false, 1, 16, deposits_instruments},
    {"refund_id", F_INT, false, 1, MAX_ID, NULL},
    {"value_us", F_INT, true, 0, MAX_ID, NULL},
    {"signed_us", F_INT, true, 0, MAX_ID, NULL},
    {NULL},
};

struct notice_ctx {
    const cJSON *fields;
    const char *signature;
    struct bank_notice n;
    struct signing_key k; /* the bank's: chain borrowed from bank_chain, info owned */
    int64_t org, lot;     /* an arrival's sub-account's */
    int64_t others[32];   /* other bidders of the lot the payer account paid for */
    size_t nothers;
};

/* Is the booked notice old the same movement as n (a resend)? */
static bool
same_notice(const struct dbres *old, const struct bank_notice *n)
{
    const char *op = dbres_str(old, 0, NC_PAYER), *on = dbres_str(old, 0, NC_PAYER_NAME);
    const char *oi = dbres_str(old, 0, NC_INSTRUMENT);
    return !strcmp(dbres_str(old, 0, NC_KIND), n->kind) &&
           !strcmp(dbres_str(old, 0, NC_ACCOUNT), n->account) &&
           dbres_i64(old, 0, NC_AMOUNT) == n->amount &&
           dbres_i64(old, 0, NC_VALUE) == n->value_us &&
           dbres_i64(old, 0, NC_REFUND) == n->refund &&
           !strcmp(op ? op : "", n->payer ? n->payer : "") &&
           !strcmp(on ? on : "", n->payer_name ? n->payer_name : "") &&
           !strcmp(oi ? oi : "", n->instrument ? n->instrument : "");
}

/* An arrival: credited or held, booked, collusion checked. Fills row and pl. */
static enum tx_result
arrival(struct dbconn *c, struct notice_ctx *x, int64_t now, struct notice_row *row, cJSON *pl,
        int64_t *project)
{
    const struct bank_notice *n = &x->n;
    struct dbres s = {0}, o = {0};
    char basic[40] = "";
    int64_t deadline = 0, opening, ann, org = 0, lot = 0;
    x->nothers = 0;
    bool found;
    enum tx_result t = TX_DBFAIL;
    if (store_sub_by_number(c, n->account, &s) != DB_OK)
        goto out;
    struct arrival_in in = {.sub_found = s.nrows == 1,
                            .value_us = n->value_us,
                            .payer_account = n->payer,
                            .payer_name = n->payer_name,
                            .instrument = n->instrument};
    if (in.sub_found) {
        *project = dbres_i64(&s, 0, SC_PROJECT);
        org = dbres_i64(&s, 0, SC_ORG);
        lot = dbres_i64(&s, 0, SC_LOT);
        in.category = (enum category)dbres_i64(&s, 0, SC_CATEGORY);
        if (announce_bid_times(c, *project, &deadline, &opening, &ann, &found) != DB_OK ||
            basic_account_of(c, org, basic, sizeof basic, NULL, 0) != DB_OK)
            goto out;
        in.deadline_us = found ? deadline : dbres_i64(&s, 0, SC_DEADLINE);
        in.basic_account = *basic ? basic : NULL;
        row->sub = dbres_i64(&s, 0, SC_ID);
        if (strcmp(dbres_str(&s, 0, SC_STATE), "open"))
            in.value_us = INT64_MAX; /* refunding or closed: nothing more counts */
    }
    const char *hold = deposits_rule_arrival(&in);
    row->outcome = hold ? "held" : "credited";
    row->hold = hold;
    struct posting p[2] = {{ACC_BANK, 0, n->amount},
                           {hold ? ACC_HELD : ACC_SUB, hold ? 0 : row->sub, -n->amount}};
    cJSON *postings = NULL;
    if (ledger_post(c, hold ? "arrival_held" : "arrival", *project, row->sub, n->txn, p, 2, now,
                    &row->entry, &postings) != DB_OK)
        goto out;
    cJSON_AddItemToObject(pl, "postings", postings);
    cJSON_AddStringToObject(pl, "outcome", row->outcome);
    if (hold)
        cJSON_AddStringToObject(pl, "hold_reason", hold);
    if (in.sub_found) {
        json_add_i64(pl, "subaccount_id", row->sub);
        json_add_i64(pl, "org_id", org);
        json_add_i64(pl, "lot", lot);
        json_add_i64(pl, "category", in.category);
        json_add_i64(pl, "deadline_us", in.deadline_us);
        cJSON_AddStringToObject(pl, "basic_account", basic);
    }
    /* 实施条例 第四十条: one payer account for two bidders of a lot */
    cJSON *flags = cJSON_AddArrayToObject(pl, "collusion");
    if (in.sub_found && n->payer && *n->payer) {
        if (store_payer_others(c, *project, lot, n->payer, org, &o) != DB_OK)
            goto out;
        for (size_t i = 0; i < o.nrows && x->nothers < ARRAY_LEN(x->others); i++) {
            x->others[x->nothers++] = dbres_i64(&o, i, DB_VALUE);
            json_append_i64(flags, dbres_i64(&o, i, DB_VALUE));
        }
    }
    x->org = org;
    x->lot = lot;
    t = TX_COMMIT;
out:
    dbres_free(&s);
    dbres_free(&o);
    return t;
}

/* Answer a notice whose bank_txn is booked (old): the same movement again is 200 with the
 * notice as booked and duplicate true, anything else 409. Returns same when it was the same
 * (TX_COMMIT when nothing was written yet, TX_REFUSE to roll back what was), else TX_REFUSE. */
static enum tx_result
booked(struct req *r, const struct dbres *old, const struct bank_notice *n, enum tx_result same)
{
    if (!same_notice(old, n)) {
        req_rule_as(r, E_CONFLICT, "DEP-NOTICE-CONFLICT",
                    "bank_txn %s was booked (notice %lld) with other details", n->txn,
                    (long long)dbres_i64(old, 0, NC_ID));
        return TX_REFUSE;
    }
    cJSON *o = notice_json(old, 0);
    cJSON_AddBoolToObject(o, "duplicate", true);
    req_json(r, 200, o);
    return same;
}

static enum tx_result
notice_tx(struct dbconn *c, struct req *r, void *arg)
{
    struct notice_ctx *x = arg;
    const struct bank_notice *n = &x->n;
    struct dbres old = {0};
    int64_t now = clock_now_us(), project = 0, id;
    char *text = NULL, name[40];
    cJSON *pl = NULL;
    enum tx_result t = TX_DBFAIL;
    if (store_notice_by_txn(c, n->txn, &old) != DB_OK)
        goto out;
    if (old.nrows == 1) {
        t = booked(r, &old, n, TX_COMMIT);
        goto out;
    }
    pl = cJSON_CreateObject();
    struct notice_row row = {.txn = n->txn,
                             .kind = n->kind,
                             .account = n->account,
                             .payer = n->payer,
                             .payer_name = n->payer_name,
                             .instrument = n->instrument,
                             .amount = n->amount,
                             .refund = n->refund,
                             .value_us = n->value_us,
                             .signed_us = n->signed_us,
                             .received_us = now};
    if (!strcmp(n->kind, "arrival"))
        t = arrival(c, x, now, &row, pl, &project);
    else
        t = refund_confirm(c, r, n, now, &row, pl, &project);
    if (t != TX_COMMIT)
        goto out;
    t = TX_DBFAIL;
    size_t tlen;
    if (!(text = canon_json(x->fields, &tlen)))
        goto out;
    row.notice = text;
    enum db_status st = store_notice_insert(c, &row, &id);
    if (st == DB_DUPLICATE) {
        /* a twin of this notice committed while this one was being booked (its insert waited
         * on the twin's key): roll this one back and answer as the twin booked it — a locking
         * read sees the committed row */
        dbres_free(&old);
        if (store_notice_by_txn(c, n->txn, &old) != DB_OK || old.nrows != 1)
            goto out;
        t = booked(r, &old, n, TX_REFUSE);
        goto out;
    }
    if (st != DB_OK)
        goto out;
    for (size_t i = 0; i < x->nothers; i++) {
        int64_t a = x->others[i] < x->org ? x->others[i] : x->org;
        int64_t b = x->others[i] < x->org ? x->org : x->others[i];
        if (store_flag_insert(c, project, x->lot, n->payer, a, b, id, now) != DB_OK)
            goto out;
    }
    json_add_i64(pl, "notice_id", id);
    cJSON *sg = accounts_signed_json(&x->k, NOTICE_DOMAIN, x->fields, x->signature);
    if (!sg)
        goto out;
    cJSON_AddItemToObject(pl, "signed", sg);
    /* the bank acts, named by its key, as the replay expects (docs/audit.md INV-ACTOR) */
    struct actor bank = party_actor("bank", &x->k, r, name);
    st = audit_append(c, &bank, "deposit.notice", "notice", id, project, pl, NULL);
    pl = NULL;
    dbres_free(&old);
    if (st != DB_OK || store_notice_get(c, id, &old) != DB_OK || old.nrows != 1)
        goto out;
    req_json(r, 201, notice_json(&old, 0));
    t = TX_COMMIT;
out:
    free(text);
    cJSON_Delete(pl);
    dbres_free(&old);
    return t;
}

bool
bank_check(struct req *r, const char *domain, const cJSON *fields, const char *signature,
           struct signing_key *k)
{
    char why[300];
    int64_t now = clock_now_us(), skew = deposits_conf.notice_skew_s * 1000000;
    int64_t signed_us = json_i64(fields, "signed_us", 0);
    /* the certificate as of now, against the anchors in force (a revoked bank key stops here) */
    k->chain = bank_chain;
    const char *rule = trust_check(SIDE_FINANCE, &bank_chain, deposits_conf.bank_credit_code, now,
                                   &k->info, why, sizeof why);
    if (rule) {
        req_rule_as(r, E_FORBIDDEN, rule, "the bank's certificate: %s", why);
        return false;
    }
    snprintf(k->key_id, sizeof k->key_id, "%s", k->info.key_id);
    if (!accounts_act_verifies(k, domain, fields, signature)) {
        req_rule_as(r, E_FORBIDDEN, "DEP-SIGNATURE",
                    "the signature is not the bank's over %s and the document (docs/deposits.md "
                    "§5)",
                    domain);
        return false;
    }
    if (strcmp(json_str(fields, "platform"), deposits_cfg->platform_id)) {
        req_rule(r, "DEP-PLATFORM", "the document is for platform %s, not this one",
                 json_str(fields, "platform"));
        return false;
    }
    if (signed_us < now - skew || signed_us > now + skew) {
        req_rule(r, "DEP-SIGNED-TIME",
                 "signed_us is more than %lld s from the platform's clock: a stale or replayed "
                 "document is signed again by the bank",
                 (long long)deposits_conf.notice_skew_s);
        return false;
    }
    return true;
}

enum tx_result
deposits_person_act(struct dbconn *c, struct req *r, const char *domain, const cJSON *fields,
                    const char *key_id, int64_t signed_us, const char *signature,
                    const char *section, struct signing_key *k)
{
    char why[300];
    const char *rule;
    switch (accounts_check_act(c, r->who.user_id, key_id, signed_us, domain, fields, signature,
                               clock_now_us(), INT64_C(300) * 1000000, k, &rule, why, sizeof why)) {
    case ACT_OK:
        return TX_COMMIT;
    case ACT_DBFAIL:
        return TX_DBFAIL;
    case ACT_KEY:
        req_rule(r, rule, "%s", why);
        break;
    case ACT_TIME:
        req_rule(r, "DEP-SIGNED-TIME", "%s", why);
        break;
    case ACT_SIGNATURE:
        req_rule(r, "DEP-SIGNATURE", "%s (docs/deposits.md %s)", why, section);
        break;
    }
    return TX_REFUSE;
}

struct actor
party_actor(const char *role, const struct signing_key *k, const struct req *r, char name[40])
{
    snprintf(name, 40, "%s:%.16s", role, k->key_id);
    return (struct actor){.role = role, .name = name, .request_id = r->id, .client = r->client};
}

bool
notices_same(const struct dbres *old, const struct bank_notice *n)
{
    return same_notice(old, n);
}

void
notice_create(struct req *r, const cJSON *body)
{
    struct notice_ctx x = {.fields = cJSON_GetObjectItemCaseSensitive(body, "notice"),
                           .signature = json_str(body, "signature")};
    if (!bank_loaded) {
        req_rule_as(r, E_FORBIDDEN, "DEP-BANK", "no bank is configured (deposits.bank_cert)");
        return;
    }
    if (!cJSON_IsObject(x.fields)) {
        req_field_error(r, E_INVALID_FIELD, "notice", "notice is an object");
        return;
    }
    if (!json_validate(r, x.fields, notice_schema, "notice."))
        return;
    const cJSON *f = x.fields;
    x.n = (struct bank_notice){json_str(f, "bank_txn"),      json_str(f, "kind"),
                               json_str(f, "account"),       json_str(f, "payer_account"),
                               json_str(f, "payer_name"),    json_str(f, "instrument"),
                               json_i64(f, "amount_fen", 0), json_i64(f, "refund_id", 0),
                               json_i64(f, "value_us", 0),   json_i64(f, "signed_us", 0)};
    if (!bank_check(r, NOTICE_DOMAIN, x.fields, x.signature, &x.k))
        goto out;
    if (strcmp(x.n.kind, "arrival") && !x.n.refund) {
        req_field_error(r, E_MISSING_FIELD, "notice.refund_id", "a refund's notice names it");
        goto out;
    }
    req_tx(r, notice_tx, &x);
out:
    cert_info_free(&x.k.info);
}

static cJSON *
notice_view(void *ctx, const struct dbres *s, size_t i)
{
    (void)ctx;
    return notice_json(s, i);
}

void
notice_list(struct req *r, const cJSON *body)
{
    (void)body;
    int64_t before, limit;
    struct dbres s = {0};
    if (!deposits_page(r, &before, &limit))
        return;
    struct dbconn *c = req_db(r);
    if (!c)
        return;
    enum db_status st = store_notices(c, req_query(r, "outcome"), before, limit, &s);
    if (st != DB_OK)
        req_db_fail(r, c, st);
    else
        req_page_reply(r, &s, limit, "next_before", NC_ID, notice_view, NULL);
    dbres_free(&s);
}

void
flag_list(struct req *r, const cJSON *body)
{
    (void)body;
    int64_t project;
    enum db_status st;
    struct dbconn *c = req_db_for(r, "id", &project);
    if (!c)
        return;
    cJSON *items = deposits_collusion(c, project, 0, &st);
    if (!items) {
        req_db_fail(r, c, st);
        return;
    }
    cJSON *o = cJSON_CreateObject();
    cJSON_AddItemToObject(o, "items", items);
    req_json(r, 200, o);
}
