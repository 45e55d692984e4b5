/*
 * basic.c — organizations' basic accounts (基本存款账户, docs/deposits.md §3). A cash deposit
 * counts only from the bidder's basic account (实施条例 第二十六条), and a refund goes back to
 * it, so who names the account is the question: the organization asks, signed by its own
 * certified key (no staff member can name an account for it), and center staff decide (no
 * organization's change takes effect unreviewed). One approved and one pending request per
 * organization at a time; an approval replaces the account approved before.
 *
 *   POST /api/v1/deposits/basic-accounts                 a bidder, for its organization (signed)
 *   GET  /api/v1/deposits/basic-accounts                 a bidder: its own; staff: every one
 *   POST /api/v1/deposits/basic-accounts/{id}/decision   center staff: approve or refuse
 */
#include <stdio.h>
#include <string.h>

#include "accounts/accounts.h"
#include "audit.h"
#include "internal.h"
#include "util.h"

#define BASIC_DOMAIN "ggzy-basic-account-v1"

struct basic_in {
    const char *account, *bank, *holder, *key_id, *signature;
    int64_t signed_us;
};

/* Digits only, 6 to 34 of them (the longest IBAN): what a bank account number is here. */
static bool
account_number_ok(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n < 6 || n > 34)
        return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

static enum tx_result
basic_tx(struct dbconn *c, struct req *r, void *arg)
{
    struct basic_in *x = arg;
    struct org_view o;
    struct signing_key k = {0};
    struct dbres b = {0};
    bool found;
    int64_t now = clock_now_us(), id;
    cJSON *fields = NULL, *p = NULL;
    enum tx_result t = TX_DBFAIL;
    if (accounts_org(c, r->who.org_id, &o, &found) != DB_OK)
        goto out;
    t = TX_REFUSE;
    if (!found) {
        req_error(r, E_NOT_FOUND, "your organization is not registered");
        goto out;
    }
    if (!account_number_ok(x->account)) {
        req_field_error(r, E_INVALID_FIELD, "account_no", "an account number is 6 to 34 digits");
        goto out;
    }
    if (strcmp(x->holder, o.name)) {
        req_rule(r, "DEP-BASIC-HOLDER",
                 "a basic account is held by the organization itself: holder_name must be \"%s\"",
                 o.name);
        goto out;
    }
    fields = cJSON_CreateObject();
    cJSON_AddStringToObject(fields, "account_no", x->account);
    cJSON_AddStringToObject(fields, "bank_name", x->bank);
    cJSON_AddStringToObject(fields, "holder_name", x->holder);
    json_add_i64(fields, "org_id", r->who.org_id);
    cJSON_AddStringToObject(fields, "platform", deposits_cfg->platform_id);
    json_add_i64(fields, "signed_us", x->signed_us);
    if ((t = deposits_person_act(c, r, BASIC_DOMAIN, fields, x->key_id, x->signed_us, x->signature,
                                 "§3", &k)) != TX_COMMIT)
        goto out;
    t = TX_DBFAIL;
    enum db_status st = store_basic_insert(c, r->who.org_id, x->account, x->bank, x->holder,
                                           r->who.user_id, now, &id);
    if (st == DB_DUPLICATE) {
        req_rule_as(r, E_CONFLICT, "DEP-BASIC-PENDING",
                    "your organization has a request under review already");
        t = TX_REFUSE;
        goto out;
    }
    if (st != DB_OK)
        goto out;
    p = cJSON_CreateObject();
    json_add_i64(p, "org_id", r->who.org_id);
    cJSON_AddStringToObject(p, "account_no", x->account);
    cJSON *sg = accounts_signed_json(&k, BASIC_DOMAIN, fields, x->signature);
    if (!sg)
        goto out;
    cJSON_AddItemToObject(p, "signed", sg);
    st = audit_append(c, req_actor(r), "deposit.basic_account.request", "basic_account", id, 0, p,
                      NULL);
    p = NULL;
    if (st != DB_OK || store_basic_get(c, id, false, &b) != DB_OK || b.nrows != 1)
        goto out;
    req_json(r, 201, basic_json(&b, 0));
    t = TX_COMMIT;
out:
    accounts_signing_key_free(&k);
    cJSON_Delete(fields);
    cJSON_Delete(p);
    dbres_free(&b);
    return t;
}

void
basic_create(struct req *r, const cJSON *body)
{
    struct basic_in x = {json_str(body, "account_no"),  json_str(body, "bank_name"),
                         json_str(body, "holder_name"), json_str(body, "key_id"),
                         json_str(body, "signature"),   json_i64(body, "signed_us", 0)};
    req_tx(r, basic_tx, &x);
}

static cJSON *
basic_view(void *ctx, const struct dbres *s, size_t i)
{
    (void)ctx;
    return basic_json(s, i);
}

void
basic_list(struct req *r, const cJSON *body)
{
    (void)body;
    int64_t before, limit;
    struct dbres s = {0};
    const char *state = req_query(r, "state");
    if (!deposits_page(r, &before, &limit))
        return;
    struct dbconn *c = req_db(r);
    if (!c)
        return;
    /* a bidder sees its own organization's requests only */
    int64_t org = r->who.role == ROLE_BIDDER ? r->who.org_id : 0;
    if (r->who.role != ROLE_BIDDER && req_query(r, "org") &&
        !parse_i64(req_query(r, "org"), 1, INT64_MAX, &org)) {
        req_error(r, E_BAD_REQUEST, "org must be an organization id");
        return;
    }
    enum db_status st = store_basic_list(c, org, state, before, limit, &s);
    if (st != DB_OK)
        req_db_fail(r, c, st);
    else
        req_page_reply(r, &s, limit, "next_before", BA_ID, basic_view, NULL);
    dbres_free(&s);
}

struct decide_in {
    int64_t id;
    bool approve;
    const char *reason;
};

static enum tx_result
decide_tx(struct dbconn *c, struct req *r, void *arg)
{
    struct decide_in *x = arg;
    struct dbres b = {0};
    int64_t now = clock_now_us();
    enum tx_result t = TX_DBFAIL;
    if (store_basic_get(c, x->id, true, &b) != DB_OK)
        goto out;
    t = TX_REFUSE;
    if (b.nrows != 1) {
        req_error(r, E_NOT_FOUND, "no basic account request %lld", (long long)x->id);
        goto out;
    }
    if (strcmp(dbres_str(&b, 0, BA_STATE), "pending")) {
        req_transition_refused(r, dbres_str(&b, 0, BA_STATE), x->approve ? "approved" : "refused",
                               "the request was decided already");
        goto out;
    }
    if (!x->approve && !x->reason) {
        req_field_error(r, E_MISSING_FIELD, "reason", "a refusal gives its reason");
        goto out;
    }
    t = TX_DBFAIL;
    int64_t org = dbres_i64(&b, 0, BA_ORG);
    if (store_basic_decide(c, x->id, org, x->approve, r->who.user_id, x->reason, now) != DB_OK)
        goto out;
    cJSON *p = cJSON_CreateObject();
    json_add_i64(p, "org_id", org);
    cJSON_AddStringToObject(p, "account_no", dbres_str(&b, 0, BA_ACCOUNT));
    cJSON_AddStringToObject(p, "decision", x->approve ? "approved" : "refused");
    if (x->reason)
        cJSON_AddStringToObject(p, "reason", x->reason);
    if (audit_append(c, req_actor(r), "deposit.basic_account.decide", "basic_account", x->id, 0, p,
                     NULL) != DB_OK)
        goto out;
    dbres_free(&b);
    if (store_basic_get(c, x->id, false, &b) != DB_OK || b.nrows != 1)
        goto out;
    req_json(r, 200, basic_json(&b, 0));
    t = TX_COMMIT;
out:
    dbres_free(&b);
    return t;
}

void
basic_decide(struct req *r, const cJSON *body)
{
    struct decide_in x = {0, json_bool(body, "approve", false), json_str(body, "reason")};
    if (req_param_id(r, "id", &x.id))
        req_tx(r, decide_tx, &x);
}

enum db_status
basic_account_of(struct dbconn *c, int64_t org, char *out, size_t outlen, char *holder,
                 size_t holderlen)
{
    struct dbres b = {0};
    enum db_status st = store_basic_approved(c, org, &b);
    bool one = st == DB_OK && b.nrows == 1;
    snprintf(out, outlen, "%s", one ? dbres_str(&b, 0, BA_ACCOUNT) : "");
    if (holder)
        snprintf(holder, holderlen, "%s", one ? dbres_str(&b, 0, BA_HOLDER) : "");
    dbres_free(&b);
    return st;
}
