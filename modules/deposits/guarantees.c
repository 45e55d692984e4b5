/*
 * guarantees.c — electronic guarantees (电子保函, docs/deposits.md §5a). A guarantee is
 * registered by its issuer — an insurer or a bank, whose key is certified under the finance
 * anchor (trust.finance_ca) naming the issuer's credit code — signed over "ggzy-guarantee-v1"
 * "\n" canonical(guarantee), with the certificate in the request: the platform verifies it and
 * counts it as the deposit. Any certified issuer is accepted: the platform designates none, and
 * the bidder chooses between cash and a guarantee (a valid guarantee may not be refused). It
 * covers one bidder, one lot, an amount (at least the deposit stated) and a validity that
 * reaches the end of the bid validity period (实施条例 第二十六条: the deposit's validity is the
 * bids'). Booked once per issuer and number; the issuer acts in the log as "issuer:<key id>".
 *
 *   POST /api/v1/deposits/guarantees   the issuer (no session: its signature)
 *   GET  /api/v1/deposits/guarantees   a bidder: its own; staff, supervisors: every one
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accounts/accounts.h"
#include "announce/announce.h"
#include "audit.h"
#include "canon.h"
#include "entry/entry.h"
#include "internal.h"
#include "trust.h"
#include "util.h"

#define GUARANTEE_DOMAIN "ggzy-guarantee-v1"
#define MAX_ID           INT64_C(9007199254740991)

static const struct field guarantee_schema[] = {
    {"platform", F_STRING, true, 1, 100, NULL},
    {"guarantee_no", F_STRING, true, 1, 64, NULL},
    {"issuer_credit_code", F_STRING, true, 18, 18, NULL},
    {"issuer_name", F_STRING, true, 1, 200, NULL},
    {"verify_ref", F_STRING, true, 1, 300, NULL},
    /* the project by its public code, or (as before) its id; the bidder by its credit code,
     * and optionally its id: an issuer knows the public names, not the platform's ids */
    {"project_code", F_STRING, false, 1, 32, NULL},
    {"project_id", F_INT, false, 1, MAX_ID, NULL},
    {"lot", F_INT, true, 1, 1000, NULL},
    {"bidder_org_id", F_INT, false, 1, MAX_ID, NULL},
    {"bidder_credit_code", F_STRING, true, 18, 18, NULL},
    {"amount_fen", F_INT, true, 1, MAX_ID, NULL},
    {"valid_from_us", F_INT, true, 0, MAX_ID, NULL},
    {"valid_until_us", F_INT, true, 0, MAX_ID, NULL},
    {"signed_us", F_INT, true, 0, MAX_ID, NULL},
    {NULL},
};

int64_t
deposits_validity_end(int64_t deadline_us)
{
    return deadline_us + deposits_conf.bid_validity_days * DEP_DAY_US;
}

struct guarantee_ctx {
    const cJSON *g;
    const char *signature;
    struct signing_key k; /* the issuer's: chain and info owned */
    int64_t project, org; /* resolved from the codes (or the ids) */
};

/* The booked guarantee old is the one g describes (a resend)? */
static bool
same_guarantee(const struct dbres *old, const cJSON *g, int64_t project, int64_t org)
{
    return dbres_i64(old, 0, GC_PROJECT) == project &&
           dbres_i64(old, 0, GC_LOT) == json_i64(g, "lot", 0) && dbres_i64(old, 0, GC_ORG) == org &&
           dbres_i64(old, 0, GC_AMOUNT) == json_i64(g, "amount_fen", 0) &&
           dbres_i64(old, 0, GC_FROM) == json_i64(g, "valid_from_us", 0) &&
           dbres_i64(old, 0, GC_UNTIL) == json_i64(g, "valid_until_us", 0);
}

static enum tx_result
guarantee_tx(struct dbconn *c, struct req *r, void *arg)
{
    struct guarantee_ctx *x = arg;
    const cJSON *g = x->g;
    struct dbres old = {0};
    struct project_view p;
    struct org_view o;
    bool found, ofound, stated, published;
    int64_t now = clock_now_us(), project = 0, lot = json_i64(g, "lot", 0);
    int64_t org = 0, amount = json_i64(g, "amount_fen", 0);
    int64_t deadline = 0, opening, ann, required = 0, id;
    char *text = NULL, name[40];
    cJSON *pl = NULL;
    enum tx_result t = TX_DBFAIL;
    /* whom and what it covers, by the names an issuer knows: the project's public code and the
     * bidder's credit code (the ids, when given, must name the same) */
    const char *pcode = json_str(g, "project_code");
    bool pfound = true;
    if (pcode && entry_project_id_by_code(c, pcode, &project, &pfound) != DB_OK)
        goto out;
    if (accounts_org_by_code(c, json_str(g, "bidder_credit_code"), &o, &ofound) != DB_OK)
        goto out;
    org = ofound ? o.id : 0;
    t = TX_REFUSE;
    if (!pcode)
        project = json_i64(g, "project_id", 0);
    else if (!pfound || (json_i64(g, "project_id", project) != project)) {
        req_error(r, E_NOT_FOUND, "no project %s%s", pcode, pfound ? " with that project_id" : "");
        goto out;
    }
    if (!project) {
        req_field_error(r, E_MISSING_FIELD, "guarantee.project_code",
                        "field \"guarantee.project_code\" (or project_id) is required");
        goto out;
    }
    if (!ofound || (json_i64(g, "bidder_org_id", org) != org)) {
        req_rule(r, "DEP-GUARANTEE-BIDDER", "no bidder has credit code %s%s",
                 json_str(g, "bidder_credit_code"), ofound ? " with that bidder_org_id" : "");
        goto out;
    }
    t = TX_DBFAIL;
    if (store_guarantee_by_number(c, json_str(g, "issuer_credit_code"), json_str(g, "guarantee_no"),
                                  &old) != DB_OK)
        goto out;
    if (old.nrows == 1) {
        t = TX_REFUSE;
        if (!same_guarantee(&old, g, project, org)) {
            req_rule_as(r, E_CONFLICT, "DEP-GUARANTEE-CONFLICT",
                        "guarantee %s of this issuer was registered (id %lld) with other terms",
                        json_str(g, "guarantee_no"), (long long)dbres_i64(&old, 0, GC_ID));
            goto out;
        }
        cJSON *v = guarantee_json(&old, 0);
        cJSON_AddBoolToObject(v, "duplicate", true);
        req_json(r, 200, v);
        t = TX_COMMIT;
        goto out;
    }
    if (entry_project(c, project, false, &p, &found) != DB_OK ||
        announce_bid_times(c, project, &deadline, &opening, &ann, &published) != DB_OK ||
        announce_lot_deposit(c, project, lot, &required, &stated) != DB_OK)
        goto out;
    t = TX_REFUSE;
    if (!found) {
        req_error(r, E_NOT_FOUND, "no project %lld", (long long)project);
        goto out;
    }
    if (!stated || required <= 0) {
        req_rule_as(r, E_CONFLICT, "DEP-NONE",
                    "the published tender states no deposit for lot %lld", (long long)lot);
        goto out;
    }
    if (strcmp(p.state, "bidding") || now >= deadline) {
        req_rule_as(r, E_CONFLICT, "DEP-DEADLINE",
                    "lot %lld does not take deposits now (the project is %s; the deadline %s)",
                    (long long)lot, p.state, now >= deadline ? "has passed" : "is ahead");
        goto out;
    }
    if (!ofound || strcmp(o.type, "bidder") ||
        strcmp(o.credit_code, json_str(g, "bidder_credit_code"))) {
        req_rule(r, "DEP-GUARANTEE-BIDDER", "organization %lld is not a bidder with credit code %s",
                 (long long)org, json_str(g, "bidder_credit_code"));
        goto out;
    }
    if (amount < required) {
        req_rule(
            r, "DEP-GUARANTEE-AMOUNT",
            "the guarantee covers %lld fen; the tender asks a deposit of %lld fen for lot %lld",
            (long long)amount, (long long)required, (long long)lot);
        goto out;
    }
    int64_t until = deposits_validity_end(deadline);
    if (json_i64(g, "valid_from_us", 0) > deadline || json_i64(g, "valid_until_us", 0) < until) {
        req_rule(
            r, "DEP-GUARANTEE-VALIDITY",
            "a guarantee is valid from the bid deadline at the latest to the end of the bid "
            "validity period (%lld days after it: until_us %lld at least; 实施条例 第二十六条)",
            (long long)deposits_conf.bid_validity_days, (long long)until);
        goto out;
    }
    t = TX_DBFAIL;
    size_t tlen;
    if (!(text = canon_json(g, &tlen)))
        goto out;
    struct guarantee_row row = {json_str(g, "issuer_credit_code"),
                                json_str(g, "guarantee_no"),
                                json_str(g, "issuer_name"),
                                x->k.key_id,
                                json_str(g, "verify_ref"),
                                text,
                                project,
                                lot,
                                org,
                                amount,
                                json_i64(g, "valid_from_us", 0),
                                json_i64(g, "valid_until_us", 0),
                                json_i64(g, "signed_us", 0),
                                now};
    if (store_guarantee_insert(c, &row, &id) != DB_OK)
        goto out;
    pl = cJSON_CreateObject();
    json_add_i64(pl, "guarantee_id", id);
    json_add_i64(pl, "lot", lot);
    json_add_i64(pl, "org_id", org);
    json_add_i64(pl, "amount_fen", amount);
    json_add_i64(pl, "required_fen", required);
    json_add_i64(pl, "deadline_us", deadline);
    json_add_i64(pl, "validity_until_us", until);
    cJSON *sg = accounts_signed_json(&x->k, GUARANTEE_DOMAIN, g, x->signature);
    if (!sg)
        goto out;
    cJSON_AddItemToObject(pl, "signed", sg);
    struct actor issuer = party_actor("issuer", &x->k, r, name);
    enum db_status st =
        audit_append(c, &issuer, "deposit.guarantee.register", "guarantee", id, project, pl, NULL);
    pl = NULL;
    dbres_free(&old);
    if (st != DB_OK || store_guarantee_get(c, id, false, &old) != DB_OK || old.nrows != 1)
        goto out;
    req_json(r, 201, guarantee_json(&old, 0));
    t = TX_COMMIT;
out:
    free(text);
    cJSON_Delete(pl);
    dbres_free(&old);
    return t;
}

void
guarantee_create(struct req *r, const cJSON *body)
{
    struct guarantee_ctx x = {.g = cJSON_GetObjectItemCaseSensitive(body, "guarantee"),
                              .signature = json_str(body, "signature")};
    const char *pem = json_str(body, "certificate");
    char why[300];
    int64_t now = clock_now_us(), skew = deposits_conf.notice_skew_s * 1000000;
    if (!cJSON_IsObject(x.g)) {
        req_field_error(r, E_INVALID_FIELD, "guarantee", "guarantee is an object");
        return;
    }
    if (!json_validate(r, x.g, guarantee_schema, "guarantee."))
        return;
    if (!cert_chain_from_pem(pem, strlen(pem), &x.k.chain, why, sizeof why)) {
        req_rule(r, "KEY-CERT-FORMAT", "%s", why);
        return;
    }
    /* any issuer certified under the finance anchor, naming the issuer it says it is */
    const char *rule = trust_check(SIDE_FINANCE, &x.k.chain, json_str(x.g, "issuer_credit_code"),
                                   now, &x.k.info, why, sizeof why);
    if (rule) {
        req_rule_as(r, E_FORBIDDEN, rule, "the issuer's certificate: %s", why);
        goto out;
    }
    snprintf(x.k.key_id, sizeof x.k.key_id, "%s", x.k.info.key_id);
    if (!accounts_act_verifies(&x.k, GUARANTEE_DOMAIN, x.g, x.signature)) {
        req_rule_as(r, E_FORBIDDEN, "DEP-SIGNATURE",
                    "the signature is not the certificate's key's over " GUARANTEE_DOMAIN
                    " and the guarantee (docs/deposits.md §5a)");
        goto out;
    }
    if (strcmp(json_str(x.g, "platform"), deposits_cfg->platform_id)) {
        req_rule(r, "DEP-PLATFORM", "the guarantee is for platform %s, not this one",
                 json_str(x.g, "platform"));
        goto out;
    }
    int64_t signed_us = json_i64(x.g, "signed_us", 0);
    if (signed_us < now - skew || signed_us > now + skew) {
        req_rule(r, "DEP-SIGNED-TIME", "signed_us is more than %lld s from the platform's clock",
                 (long long)deposits_conf.notice_skew_s);
        goto out;
    }
    req_tx(r, guarantee_tx, &x);
out:
    accounts_signing_key_free(&x.k);
}

static cJSON *
guarantee_view(void *ctx, const struct dbres *s, size_t i)
{
    (void)ctx;
    return guarantee_json(s, i);
}

void
guarantee_list(struct req *r, const cJSON *body)
{
    (void)body;
    int64_t before, limit, project = 0;
    struct dbres s = {0};
    if (!deposits_page(r, &before, &limit))
        return;
    if (req_query(r, "project") && !parse_i64(req_query(r, "project"), 1, INT64_MAX, &project)) {
        req_error(r, E_BAD_REQUEST, "project must be a project id");
        return;
    }
    struct dbconn *c = req_db(r);
    if (!c)
        return;
    int64_t org = r->who.role == ROLE_BIDDER ? r->who.org_id : 0;
    enum db_status st = store_guarantees(c, project, 0, org, before, limit, &s);
    if (st != DB_OK)
        req_db_fail(r, c, st);
    else
        req_page_reply(r, &s, limit, "next_before", GC_ID, guarantee_view, NULL);
    dbres_free(&s);
}
