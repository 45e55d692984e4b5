/*
 * contracts.c — the contract of each awarded lot and the close of the project (docs/evaluation.md
 * §9). The tenderer offers the contract — the document's hash, at the winning price, signed with
 * its certified key — and the winner signs the same (招标投标法 第四十六条: within 30 days of the
 * award notice, not departing from the tender and the bid; a later signature is recorded late).
 * When every awarded lot's contract is signed the project is contracted and the deposits stage
 * hears of it (EV_CONTRACT_SIGNED: the deposits and their interest go back within 5 days,
 * 实施条例 第五十七条). The tenderer's signed written report to the supervising department
 * (第四十七条, within 15 days of the decision, else recorded late) closes the project.
 *
 *   POST /api/v1/projects/{id}/lots/{lot}/contract        the tenderer offers, signed
 *   POST /api/v1/projects/{id}/lots/{lot}/contract/sign   the winner signs
 *   POST /api/v1/projects/{id}/close                      the tenderer's written report
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "canon.h"
#include "entry/entry.h"
#include "internal.h"
#include "outbox/outbox.h"

#define DAY_US (INT64_C(86400) * 1000000)

struct contract_in {
    int64_t project, lot, price_fen, signed_us;
    const char *doc, *key_id, *signature;
    bool bidder;
};

static struct lot_result *
find_lot(struct award_project *p, int64_t lot)
{
    for (size_t i = 0; i < p->nlots; i++)
        if (p->lots[i].lot == lot && p->lots[i].decided)
            return &p->lots[i];
    return NULL;
}

static enum tx_result
contract_tx(struct dbconn *c, struct req *r, void *arg)
{
    struct contract_in *x = arg;
    struct project_view v;
    struct award_project *p = malloc(sizeof *p);
    struct signing_key k = {0};
    char state[32], why[300] = "";
    const char *rule = NULL;
    cJSON *fields = NULL, *pl = NULL;
    int64_t now = clock_now_us(), id = 0;
    enum tx_result t = TX_DBFAIL;
    if ((t = award_load(c, r, x->project, !x->bidder, &v, p, state)) != TX_COMMIT)
        goto out;
    t = TX_DBFAIL;
    struct lot_result *l = find_lot(p, x->lot);
    if (x->bidder && (!l || l->won.org_id != r->who.org_id)) {
        req_error(r, E_NOT_FOUND, "no contract of yours for lot %lld", (long long)x->lot);
        t = TX_REFUSE;
        goto out;
    }
    fields = cJSON_CreateObject();
    cJSON_AddStringToObject(fields, "document_sha256", x->doc);
    json_add_i64(fields, "lot", x->lot);
    json_add_i64(fields, "price_fen", x->price_fen);
    json_add_i64(fields, "project_id", x->project);
    struct contract_facts f = {.project_state = p->project_state,
                               .lot = l,
                               .bidder = x->bidder,
                               .winner = l && l->won.org_id == r->who.org_id,
                               .price_fen = x->price_fen,
                               .document_sha256 = x->doc};
    f.sig = store_signed_act(c, r, CONTRACT_DOMAIN, fields, x->key_id, x->signed_us, x->signature,
                             now, &k, &rule, why, sizeof why);
    if (f.sig == ACT_DBFAIL)
        goto out;
    f.sig_rule = rule;
    f.sig_why = why;
    struct refusal no = evaluation_rule_contract(&f, now);
    if (no.code) {
        req_refusal(r, &no);
        t = TX_REFUSE;
        goto out;
    }
    pl = cJSON_CreateObject();
    json_add_i64(pl, "project_id", x->project);
    json_add_i64(pl, "lot", x->lot);
    json_add_i64(pl, "org_id", l->won.org_id);
    json_add_i64(pl, "price_fen", x->price_fen);
    cJSON_AddStringToObject(pl, "document_sha256", x->doc);
    if (!x->bidder) {
        if (store_contract_offer(c, x->project, l, x->price_fen, x->doc, r->who.user_id, x->key_id,
                                 x->signature, x->signed_us, now, &id) != DB_OK)
            goto out;
        char ids[40], body[600];
        snprintf(ids, sizeof ids, "[%lld]", (long long)l->won.org_id);
        snprintf(body, sizeof body,
                 "招标人已签署项目 %s 第 %lld 标段的合同（%lld 分，文本 SHA-256 "
                 "%s），请以贵单位证书签署。"
                 "The tenderer signed the contract of lot %lld of project %s; sign it with your "
                 "key.",
                 v.code, (long long)x->lot, (long long)x->price_fen, x->doc, (long long)x->lot,
                 v.code);
        struct outbox_msg m = {.kind = "contract.offer",
                               .subject = "合同待签署 A contract to sign",
                               .body = body,
                               .ref_type = "project",
                               .ref_id = x->project};
        enum db_status st;
        char *users = accounts_members_of(c, ids, &st);
        if (st == DB_OK)
            st = outbox_send_each(c, users, &m, now);
        free(users);
        if (st != DB_OK)
            goto out;
    } else {
        if (store_contract_sign(c, l->contract_id, r->who.user_id, x->key_id, x->signature,
                                x->signed_us, now) != DB_OK)
            goto out;
        snprintf(l->contract_state, sizeof l->contract_state, "signed");
        id = l->contract_id;
        /* 招标投标法 第四十六条: within 30 days of the award notice */
        bool late = l->noticed_us && now > l->noticed_us + AWARD_CONTRACT_DAYS * DAY_US;
        cJSON_AddBoolToObject(pl, "late", late);
        /* the deposits stage: this lot's deposits and their interest go back (实施条例 第五十七条)
         */
        struct app_event e = {EV_CONTRACT_SIGNED, x->project, l->won.org_id, now, l->lot};
        if (app_emit(c, req_actor(r), &e) != DB_OK)
            goto out;
        bool all = true;
        for (size_t i = 0; i < p->nlots; i++)
            all &= !p->lots[i].decided || !strcmp(p->lots[i].contract_state, "signed");
        if (all) {
            if (entry_set_state(c, x->project, "contracted", v.state) != DB_OK)
                goto out;
            cJSON *tr = cJSON_AddObjectToObject(pl, "transition");
            cJSON_AddStringToObject(tr, "from", v.state);
            cJSON_AddStringToObject(tr, "to", "contracted");
        }
    }
    json_add_i64(pl, "contract_id", id);
    cJSON *sa = accounts_signed_json(&k, CONTRACT_DOMAIN, fields, x->signature);
    if (!sa)
        goto out;
    cJSON_AddItemToObject(pl, "signed", sa);
    enum db_status st =
        audit_append(c, req_actor(r), x->bidder ? "contract.sign" : "contract.offer", "contract",
                     id, x->project, pl, NULL);
    pl = NULL;
    if (st != DB_OK)
        goto out;
    cJSON *o = cJSON_CreateObject();
    json_add_i64(o, "id", id);
    json_add_i64(o, "project_id", x->project);
    json_add_i64(o, "lot", x->lot);
    cJSON_AddStringToObject(o, "state", x->bidder ? "signed" : "offered");
    json_add_i64(o, "price_fen", x->price_fen);
    cJSON_AddStringToObject(o, "document_sha256", x->doc);
    req_json(r, x->bidder ? 200 : 201, o);
    t = TX_COMMIT;
out:
    cJSON_Delete(fields);
    cJSON_Delete(pl);
    accounts_signing_key_free(&k);
    free(p);
    return t;
}

static void
contract_act(struct req *r, const cJSON *body, bool bidder)
{
    struct contract_in x = {.price_fen = json_i64(body, "price_fen", 0),
                            .signed_us = json_i64(body, "signed_us", 0),
                            .doc = json_str(body, "document_sha256"),
                            .key_id = json_str(body, "key_id"),
                            .signature = json_str(body, "signature"),
                            .bidder = bidder};
    if (req_param_id(r, "id", &x.project) && req_param_id(r, "lot", &x.lot))
        req_tx(r, contract_tx, &x);
}

void
contract_offer(struct req *r, const cJSON *body)
{
    contract_act(r, body, false);
}

void
contract_sign(struct req *r, const cJSON *body)
{
    contract_act(r, body, true);
}

/* ---- the written report closes the project ---- */

struct close_in {
    int64_t project, signed_us;
    const char *report, *key_id, *signature;
};

static enum tx_result
close_tx(struct dbconn *c, struct req *r, void *arg)
{
    struct close_in *x = arg;
    struct project_view v;
    struct award_project *p = malloc(sizeof *p);
    struct signing_key k = {0};
    char state[32], why[300] = "";
    const char *rule = NULL;
    cJSON *fields = NULL, *pl = NULL;
    int64_t now = clock_now_us();
    enum tx_result t = TX_DBFAIL;
    if ((t = award_load(c, r, x->project, true, &v, p, state)) != TX_COMMIT)
        goto out;
    t = TX_DBFAIL;
    fields = cJSON_CreateObject();
    json_add_i64(fields, "project_id", x->project);
    cJSON_AddStringToObject(fields, "report_sha256", x->report);
    enum act_check sig = store_signed_act(c, r, CLOSE_DOMAIN, fields, x->key_id, x->signed_us,
                                          x->signature, now, &k, &rule, why, sizeof why);
    if (sig == ACT_DBFAIL)
        goto out;
    struct refusal no = evaluation_rule_close(p->project_state, sig, rule, why);
    if (no.code) {
        req_refusal(r, &no);
        t = TX_REFUSE;
        goto out;
    }
    if (entry_set_state(c, x->project, "closed", v.state) != DB_OK)
        goto out;
    pl = cJSON_CreateObject();
    json_add_i64(pl, "project_id", x->project);
    cJSON_AddStringToObject(pl, "report_sha256", x->report);
    /* 招标投标法 第四十七条: within 15 days of determining the winner */
    int64_t decided = 0;
    for (size_t i = 0; i < p->nlots; i++)
        if (p->lots[i].decided && (!decided || p->lots[i].decided_us < decided))
            decided = p->lots[i].decided_us;
    cJSON_AddBoolToObject(pl, "late", decided && now > decided + AWARD_REPORT_DAYS * DAY_US);
    cJSON *tr = cJSON_AddObjectToObject(pl, "transition");
    cJSON_AddStringToObject(tr, "from", v.state);
    cJSON_AddStringToObject(tr, "to", "closed");
    cJSON *sa = accounts_signed_json(&k, CLOSE_DOMAIN, fields, x->signature);
    if (!sa)
        goto out;
    cJSON_AddItemToObject(pl, "signed", sa);
    enum db_status st =
        audit_append(c, req_actor(r), "project.close", "project", x->project, x->project, pl, NULL);
    pl = NULL;
    if (st != DB_OK)
        goto out;
    cJSON *o = cJSON_CreateObject();
    json_add_i64(o, "project_id", x->project);
    cJSON_AddStringToObject(o, "state", "closed");
    req_json(r, 200, o);
    t = TX_COMMIT;
out:
    cJSON_Delete(fields);
    cJSON_Delete(pl);
    accounts_signing_key_free(&k);
    free(p);
    return t;
}

void
project_close(struct req *r, const cJSON *body)
{
    struct close_in x = {.signed_us = json_i64(body, "signed_us", 0),
                         .report = json_str(body, "report_sha256"),
                         .key_id = json_str(body, "key_id"),
                         .signature = json_str(body, "signature")};
    if (req_param_id(r, "id", &x.project))
        req_tx(r, close_tx, &x);
}
