/*
 * forfeit.c — forfeiture of a deposit (投标保证金不予退还, docs/deposits.md §9a). The project's
 * agent (for the tenderer) or center staff propose it with a legal ground the platform checks
 * against the record, and a supervisor decides, signed by their certified key, with the reason:
 *
 *   revocation        the bid was revoked after the deadline (撤销) — the opening record
 *                     classified its rejection as the bidder's fault ("revocation") —
 *                     实施条例 第三十五条;
 *   refused_contract  the winner (the award notice's) refuses to sign the contract, or
 *   refused_bond      to provide the performance bond, and no contract was signed —
 *                     实施条例 第七十四条.
 *
 * A withdrawal before the deadline or a rejection the platform's side caused (撤回, class
 * "withdrawal") never forfeits. Government procurement's grounds are not in the table yet: a
 * proposal there is refused (DEP-FORFEIT-REGIME). While a proposal is open or approved, the
 * deposit is not refunded; an approval moves the cash to `forfeited` in the ledger, or marks a
 * guarantee claimed (its issuer pays the tenderer).
 *
 *   POST /api/v1/projects/{id}/lots/{lot}/forfeitures   the project's agent, center staff
 *   GET  /api/v1/projects/{id}/forfeitures              the agent, staff, supervisors
 *   POST /api/v1/deposits/forfeitures/{id}/decision     a supervisor (signed)
 */
#include <stdio.h>
#include <string.h>

#include "accounts/accounts.h"
#include "announce/announce.h"
#include "audit.h"
#include "bids/bids.h"
#include "entry/entry.h"
#include "internal.h"
#include "util.h"

#define DECISION_DOMAIN "ggzy-forfeiture-decision-v1"

struct propose_in {
    int64_t project, lot, org;
    const char *ground, *reason;
};

/* The award notice's winner and whether a contract was signed, from the events reported. */
static enum db_status
award_of(struct dbconn *c, int64_t project, int64_t *winner, bool *contract)
{
    struct dbres ev = {0};
    enum db_status st = store_events(c, project, &ev);
    *winner = 0;
    *contract = false;
    for (size_t i = 0; st == DB_OK && i < ev.nrows; i++) {
        if (!strcmp(dbres_str(&ev, i, VC_KIND), "award_notice"))
            *winner = dbres_str(&ev, i, VC_WINNER) ? dbres_i64(&ev, i, VC_WINNER) : 0;
        else
            *contract = true;
    }
    dbres_free(&ev);
    return st;
}

static enum tx_result
propose_tx(struct dbconn *c, struct req *r, void *arg)
{
    struct propose_in *x = arg;
    struct project_view p;
    struct bid_standing b;
    struct dbres s = {0}, f = {0};
    bool found, contract;
    int64_t now = clock_now_us(), winner, balance = 0, deadline, opening, ann, sub = 0, gid = 0;
    int64_t amount = 0, id;
    const char *article;
    enum tx_result t = TX_DBFAIL;
    if (entry_project(c, x->project, false, &p, &found) != DB_OK)
        goto out;
    t = TX_REFUSE;
    if (!found || (r->who.role == ROLE_AGENT && !entry_rule_is_party(&r->who, &p))) {
        req_error(r, E_NOT_FOUND, "no project %lld of yours", (long long)x->project);
        goto out;
    }
    if (p.category != CAT_ENGINEERING) {
        req_rule(r, "DEP-FORFEIT-REGIME",
                 "forfeiture grounds are in the table for the tendering law only (this project is "
                 "%s): docs/deposits.md §9a",
                 category_name((enum category)p.category));
        goto out;
    }
    t = TX_DBFAIL;
    if (bids_standing(c, x->project, x->lot, x->org, &b) != DB_OK ||
        award_of(c, x->project, &winner, &contract) != DB_OK ||
        announce_bid_times(c, x->project, &deadline, &opening, &ann, &found) != DB_OK ||
        store_sub_get(c, x->project, x->lot, x->org, true, &s) != DB_OK)
        goto out;
    t = TX_REFUSE;
    if (!strcmp(x->ground, "revocation")) {
        article = "实施条例 第三十五条";
        if (strcmp(b.open_class, "revocation")) {
            req_rule(r, "DEP-FORFEIT-GROUND",
                     "the opening record does not classify organization %lld's bid as revoked by "
                     "the bidder (its class: %s); a withdrawal before the deadline or a failure on "
                     "the platform's side (撤回) never forfeits",
                     (long long)x->org, *b.open_class ? b.open_class : "none");
            goto out;
        }
    } else {
        article = "实施条例 第七十四条";
        if (winner != x->org || contract) {
            req_rule(r, "DEP-FORFEIT-GROUND",
                     "organization %lld is not the winner of the award notice without a signed "
                     "contract",
                     (long long)x->org);
            goto out;
        }
    }
    t = TX_DBFAIL;
    if (s.nrows == 1) {
        sub = dbres_i64(&s, 0, SC_ID);
        if (store_sub_balance(c, sub, &balance) != DB_OK)
            goto out;
        if (strcmp(dbres_str(&s, 0, SC_STATE), "open") || balance <= 0)
            sub = 0, balance = 0;
    }
    amount = balance;
    if (!amount && found) {
        int64_t g;
        if (store_guarantee_cover(c, x->project, x->lot, x->org, deadline, deadline,
                                  deposits_validity_end(deadline), &g, &gid) != DB_OK)
            goto out;
        amount = g;
    }
    t = TX_REFUSE;
    if (!amount) {
        req_rule_as(r, E_CONFLICT, "DEP-FORFEIT-NOTHING",
                    "organization %lld holds no deposit for lot %lld (nothing on its sub-account, "
                    "no valid guarantee)",
                    (long long)x->org, (long long)x->lot);
        goto out;
    }
    t = TX_DBFAIL;
    struct forfeit_row row = {x->project,     x->lot, x->org,    sub,     sub ? 0 : gid, amount,
                              r->who.user_id, now,    x->ground, article, x->reason};
    enum db_status st = store_forfeit_insert(c, &row, &id);
    if (st == DB_DUPLICATE) {
        req_rule_as(r, E_CONFLICT, "DEP-FORFEIT-OPEN",
                    "a forfeiture of this deposit is proposed or approved already");
        t = TX_REFUSE;
        goto out;
    }
    if (st != DB_OK)
        goto out;
    cJSON *pl = cJSON_CreateObject();
    json_add_i64(pl, "forfeiture_id", id);
    json_add_i64(pl, "lot", x->lot);
    json_add_i64(pl, "org_id", x->org);
    cJSON_AddStringToObject(pl, "ground", x->ground);
    cJSON_AddStringToObject(pl, "article", article);
    cJSON_AddStringToObject(pl, "reason", x->reason);
    json_add_i64(pl, "amount_fen", amount);
    json_add_i64(pl, "subaccount_id", sub);
    json_add_i64(pl, "guarantee_id", sub ? 0 : gid);
    cJSON *ev = cJSON_AddObjectToObject(pl, "evidence");
    cJSON_AddStringToObject(ev, "open_class", b.open_class);
    json_add_i64(ev, "award_winner", winner);
    cJSON_AddBoolToObject(ev, "contract_signed", contract);
    if (audit_append(c, req_actor(r), "deposit.forfeit.propose", "forfeiture", id, x->project, pl,
                     NULL) != DB_OK ||
        store_forfeit_get(c, id, false, &f) != DB_OK || f.nrows != 1)
        goto out;
    req_json(r, 201, forfeit_json(&f, 0));
    t = TX_COMMIT;
out:
    dbres_free(&s);
    dbres_free(&f);
    return t;
}

void
forfeit_propose(struct req *r, const cJSON *body)
{
    struct propose_in x = {0, 0, json_i64(body, "org_id", 0), json_str(body, "ground"),
                           json_str(body, "reason")};
    if (req_param_id(r, "id", &x.project) && req_param_id(r, "lot", &x.lot))
        req_tx(r, propose_tx, &x);
}

struct decide_in {
    int64_t id, signed_us;
    bool approve;
    const char *reason, *key_id, *signature;
};

static enum tx_result
decide_tx(struct dbconn *c, struct req *r, void *arg)
{
    struct decide_in *x = arg;
    struct dbres f = {0};
    struct signing_key k = {0};
    cJSON *fields = NULL, *pl = NULL, *postings = NULL;
    int64_t now = clock_now_us(), entry;
    enum tx_result t = TX_DBFAIL;
    if (store_forfeit_get(c, x->id, true, &f) != DB_OK)
        goto out;
    t = TX_REFUSE;
    if (f.nrows != 1) {
        req_error(r, E_NOT_FOUND, "no forfeiture %lld", (long long)x->id);
        goto out;
    }
    if (strcmp(dbres_str(&f, 0, FF_STATE), "proposed")) {
        req_transition_refused(r, dbres_str(&f, 0, FF_STATE), x->approve ? "approved" : "rejected",
                               "the forfeiture was decided already");
        goto out;
    }
    if (dbres_i64(&f, 0, FF_PROPOSED_BY) == r->who.user_id) {
        req_rule_as(r, E_FORBIDDEN, "DEP-FORFEIT-SELF",
                    "who proposes a forfeiture does not decide it");
        goto out;
    }
    fields = cJSON_CreateObject();
    cJSON_AddBoolToObject(fields, "approve", x->approve);
    json_add_i64(fields, "forfeiture_id", x->id);
    cJSON_AddStringToObject(fields, "platform", deposits_cfg->platform_id);
    cJSON_AddStringToObject(fields, "reason", x->reason);
    json_add_i64(fields, "signed_us", x->signed_us);
    json_add_i64(fields, "user_id", r->who.user_id);
    if ((t = deposits_person_act(c, r, DECISION_DOMAIN, fields, x->key_id, x->signed_us,
                                 x->signature, "§9a", &k)) != TX_COMMIT)
        goto out;
    t = TX_DBFAIL;
    int64_t project = dbres_i64(&f, 0, FF_PROJECT), amount = dbres_i64(&f, 0, FF_AMOUNT);
    int64_t sub = dbres_str(&f, 0, FF_SUB) ? dbres_i64(&f, 0, FF_SUB) : 0;
    int64_t gid = dbres_str(&f, 0, FF_GUARANTEE) ? dbres_i64(&f, 0, FF_GUARANTEE) : 0;
    if (x->approve && sub) {
        /* the deposit leaves the bidder only on what the log proves (docs/deposits.md §10a) */
        enum db_status est;
        struct sub_evidence ev = {0};
        struct refusal why = evidence_check_sub(c, sub, NULL, &ev, &est);
        evidence_sub_free(&ev);
        if (est != DB_OK)
            goto out;
        if (why.code) {
            char key[40];
            bool raised;
            snprintf(key, sizeof key, "sub:%lld", (long long)sub);
            if (evidence_alarm(c, req_actor(r), key, why.why, true, now, &raised) != DB_OK)
                goto out;
            req_rule_as(r, E_CONFLICT, why.code,
                        "forfeiture %lld is not decided: sub-account %lld %s", (long long)x->id,
                        (long long)sub, why.why);
            t = TX_COMMIT; /* the alarm, nothing else */
            goto out;
        }
    }
    if (store_forfeit_decide(c, x->id, x->approve, r->who.user_id, x->reason, now) != DB_OK)
        goto out;
    pl = cJSON_CreateObject();
    json_add_i64(pl, "forfeiture_id", x->id);
    json_add_i64(pl, "org_id", dbres_i64(&f, 0, FF_ORG));
    cJSON_AddStringToObject(pl, "ground", dbres_str(&f, 0, FF_GROUND));
    cJSON_AddStringToObject(pl, "article", dbres_str(&f, 0, FF_ARTICLE));
    cJSON_AddBoolToObject(pl, "approve", x->approve);
    cJSON_AddStringToObject(pl, "reason", x->reason);
    json_add_i64(pl, "amount_fen", amount);
    if (x->approve && sub) {
        int64_t held;
        if (store_sub_balance(c, sub, &held) != DB_OK)
            goto out;
        if (held < amount) { /* cannot be: refunds wait while a proposal is open */
            log_error("decide_tx: sub-account %lld holds %lld fen, the forfeiture %lld",
                      (long long)sub, (long long)held, (long long)amount);
            goto out;
        }
        struct posting p[2] = {{ACC_SUB, sub, amount}, {ACC_FORFEITED, 0, -amount}};
        if (ledger_post(c, "forfeit", project, sub, dbres_str(&f, 0, FF_GROUND), p, 2, now, &entry,
                        &postings) != DB_OK ||
            store_sub_set_state(c, sub, "forfeited") != DB_OK)
            goto out;
        cJSON_AddItemToObject(pl, "postings", postings);
        postings = NULL;
    } else if (x->approve && gid && store_guarantee_set_state(c, gid, "claimed") != DB_OK)
        goto out;
    if (gid)
        json_add_i64(pl, "guarantee_id", gid);
    cJSON *sg = accounts_signed_json(&k, DECISION_DOMAIN, fields, x->signature);
    if (!sg)
        goto out;
    cJSON_AddItemToObject(pl, "signed", sg);
    enum db_status st = audit_append(c, req_actor(r), "deposit.forfeit.decide", "forfeiture", x->id,
                                     project, pl, NULL);
    pl = NULL;
    dbres_free(&f);
    if (st != DB_OK || store_forfeit_get(c, x->id, false, &f) != DB_OK || f.nrows != 1)
        goto out;
    req_json(r, 200, forfeit_json(&f, 0));
    t = TX_COMMIT;
out:
    accounts_signing_key_free(&k);
    cJSON_Delete(fields);
    cJSON_Delete(pl);
    cJSON_Delete(postings);
    dbres_free(&f);
    return t;
}

void
forfeit_decide(struct req *r, const cJSON *body)
{
    struct decide_in x = {0,
                          json_i64(body, "signed_us", 0),
                          json_bool(body, "approve", false),
                          json_str(body, "reason"),
                          json_str(body, "key_id"),
                          json_str(body, "signature")};
    struct dbconn *c = req_db_for(r, "id", &x.id);
    /* an approval moves a deposit: on the log's evidence, up to a checkpoint covering every
     * change committed so far (docs/deposits.md §10a) */
    if (c && (!x.approve || evidence_sync_req(r, c)))
        req_tx(r, decide_tx, &x);
}

void
forfeit_list(struct req *r, const cJSON *body)
{
    (void)body;
    int64_t project;
    struct dbres f = {0};
    struct project_view p;
    bool found;
    struct dbconn *c = req_db_for(r, "id", &project);
    if (!c)
        return;
    enum db_status st = entry_project(c, project, false, &p, &found);
    if (st == DB_OK &&
        (!found || (r->who.role == ROLE_AGENT && !entry_rule_is_party(&r->who, &p)))) {
        req_error(r, E_NOT_FOUND, "no project %lld of yours", (long long)project);
        return;
    }
    if (st == DB_OK)
        st = store_forfeits(c, project, &f);
    if (st != DB_OK) {
        req_db_fail(r, c, st);
    } else {
        cJSON *o = cJSON_CreateObject(), *items = cJSON_AddArrayToObject(o, "items");
        for (size_t i = 0; i < f.nrows; i++)
            cJSON_AddItemToArray(items, forfeit_json(&f, i));
        req_json(r, 200, o);
    }
    dbres_free(&f);
}
