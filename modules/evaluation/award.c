/*
 * award.c — from the signed reports to the award notice (docs/evaluation.md §8). The candidates'
 * publicity and the award announcement are the announce module's, which asks this module, through
 * the hook it declares (announce_set_results), what they publish: every opened lot's candidates
 * from its signed report, then the tenderer's decision. The tenderer decides the winner of each
 * lot with a statement signed by its certified key (招标投标法 第四十条), after the publicity
 * ended, among the candidates — the first, for a project the law requires to be tendered, unless
 * a reason of 实施条例 第五十五条. Once the award announcement is published, the winner gets the
 * award notice and every other bidder the result (第四十五条), and the deposits stage hears of it,
 * lot by lot (EV_AWARD_NOTICE).
 *
 *   POST /api/v1/projects/{id}/award   the tenderer's decision
 *   GET  /api/v1/projects/{id}/award   the lots' candidates, decisions and contracts
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "bids/bids.h"
#include "canon.h"
#include "entry/entry.h"
#include "internal.h"
#include "outbox/outbox.h"

static cJSON *
candidate_json(const struct award_candidate *c)
{
    cJSON *o = cJSON_CreateObject();
    json_add_i64(o, "rank", c->rank);
    json_add_i64(o, "bid_id", c->bid_id);
    json_add_i64(o, "org_id", c->org_id);
    json_add_i64(o, "price_fen", c->price_fen);
    return o;
}

/* A candidate with its bidder's name (public once the candidates are publicized). */
static cJSON *
named(struct dbconn *c, const struct award_candidate *k, enum db_status *st)
{
    struct org_view o;
    bool have = false;
    cJSON *x = candidate_json(k);
    if ((*st = accounts_org(c, k->org_id, &o, &have)) == DB_OK && have)
        cJSON_AddStringToObject(x, "name", o.name);
    return x;
}

enum tx_result
award_load(struct dbconn *c, struct req *r, int64_t project, bool mine, struct project_view *v,
           struct award_project *p, char state[32])
{
    bool found;
    if (!p || entry_project(c, project, true, v, &found) != DB_OK)
        return TX_DBFAIL;
    if (!found || (mine && v->tenderer_org_id != r->who.org_id)) {
        req_error(r, E_NOT_FOUND, "no project %lld of yours", (long long)project);
        return TX_REFUSE;
    }
    return store_award_project(c, v, p, state) == DB_OK ? TX_COMMIT : TX_DBFAIL;
}

/* ---- the announce hooks ---- */

enum db_status
award_result(struct dbconn *c, int64_t project, bool award, int64_t now, cJSON **out,
             struct refusal *why)
{
    struct project_view v;
    struct award_project *p = NULL;
    char state[32];
    bool found;
    (void)now;
    *out = NULL;
    enum db_status st = entry_project(c, project, false, &v, &found);
    if (st != DB_OK || !found)
        return st;
    if (!(p = malloc(sizeof *p)))
        return DB_ERROR;
    if ((st = store_award_project(c, &v, p, state)) != DB_OK)
        goto out;
    if ((*why = evaluation_rule_results_ready(p, award)).code)
        goto out;
    *out = cJSON_CreateObject();
    cJSON *a = cJSON_AddArrayToObject(*out, award ? "awards" : "candidates");
    struct org_view org;
    bool have;
    for (size_t i = 0; i < p->nlots; i++) {
        const struct lot_result *l = &p->lots[i];
        if (!l->reported)
            continue;
        cJSON *o = award ? candidate_json(&l->won) : cJSON_CreateObject();
        json_add_i64(o, "lot", l->lot);
        json_add_i64(o, "evaluation_id", l->evaluation_id);
        /* the publicity names the bidders (实施条例 第五十四条) */
        if (award) {
            if ((st = accounts_org(c, l->won.org_id, &org, &have)) != DB_OK)
                goto out;
            cJSON_AddStringToObject(o, "name", have ? org.name : "");
        } else {
            cJSON *cs = cJSON_AddArrayToObject(o, "candidates");
            for (size_t k = 0; k < l->ncand; k++) {
                cJSON *x = candidate_json(&l->cand[k]);
                if ((st = accounts_org(c, l->cand[k].org_id, &org, &have)) != DB_OK) {
                    cJSON_Delete(x);
                    goto out;
                }
                cJSON_AddStringToObject(x, "name", have ? org.name : "");
                cJSON_AddItemToArray(cs, x);
            }
        }
        cJSON_AddItemToArray(a, o);
    }
out:
    if (st != DB_OK) {
        cJSON_Delete(*out);
        *out = NULL;
    }
    free(p);
    return st;
}

cJSON *
award_contracts(struct dbconn *c, int64_t project, enum db_status *st)
{
    struct project_view v;
    struct award_project *p = malloc(sizeof *p);
    char state[32];
    bool found;
    cJSON *out = NULL;
    *st = p ? entry_project(c, project, false, &v, &found) : DB_ERROR;
    if (*st == DB_OK && found)
        *st = store_award_project(c, &v, p, state);
    if (*st == DB_OK) {
        out = cJSON_CreateArray();
        for (size_t i = 0; found && i < p->nlots; i++) {
            const struct lot_result *l = &p->lots[i];
            if (strcmp(l->contract_state, "signed"))
                continue;
            cJSON *o = candidate_json(&l->won);
            json_add_i64(o, "id", l->contract_id);
            json_add_i64(o, "lot", l->lot);
            json_add_i64(o, "signed_us", l->contract_signed_us);
            cJSON_AddItemToArray(out, o);
        }
    }
    free(p);
    return out;
}

enum db_status
award_tell_orgs(struct dbconn *c, const char *org_ids, const struct outbox_msg *m, int64_t now)
{
    enum db_status st;
    char *users = accounts_members_of(c, org_ids, &st);
    if (st == DB_OK)
        st = outbox_send_each(c, users, m, now);
    free(users);
    return st;
}

enum db_status
award_published(struct dbconn *c, const struct actor *a, int64_t project, int64_t announcement,
                bool award, int64_t now)
{
    struct project_view v;
    struct award_project *p = NULL;
    char state[32], ids[64], body[1200];
    bool found;
    if (!award)
        return DB_OK;
    enum db_status st = entry_project(c, project, false, &v, &found);
    if (st != DB_OK || !found)
        return st == DB_OK ? DB_ERROR : st;
    if (!(p = malloc(sizeof *p)))
        return DB_ERROR;
    char *bidders = NULL;
    if ((st = store_award_project(c, &v, p, state)) != DB_OK ||
        (st = store_award_noticed(c, project, now)) != DB_OK)
        goto out;
    bidders = bids_project_bidders(c, project, &st);
    if (st != DB_OK)
        goto out;
    cJSON *all = cJSON_Parse(bidders ? bidders : "[]"), *x;
    cJSON *losers = cJSON_CreateArray();
    cJSON_ArrayForEach(x, all)
    {
        bool won = false;
        for (size_t i = 0; i < p->nlots; i++)
            won |= p->lots[i].decided && p->lots[i].won.org_id == (int64_t)x->valuedouble;
        if (!won)
            cJSON_AddItemToArray(losers, cJSON_CreateNumber(x->valuedouble));
    }
    cJSON_Delete(all);
    for (size_t i = 0; st == DB_OK && i < p->nlots; i++) {
        const struct lot_result *l = &p->lots[i];
        if (!l->decided)
            continue;
        snprintf(ids, sizeof ids, "[%lld]", (long long)l->won.org_id);
        snprintf(
            body, sizeof body,
            "中标通知书：贵单位在项目 %s 第 %lld 标段中标，中标价 %lld 分。请于 %d 日内与招标人"
            "订立书面合同（招标投标法 第四十六条）。Award notice: your bid won lot %lld of "
            "project %s at %lld fen; sign the contract within %d days.",
            v.code, (long long)l->lot, (long long)l->won.price_fen, AWARD_CONTRACT_DAYS,
            (long long)l->lot, v.code, (long long)l->won.price_fen, AWARD_CONTRACT_DAYS);
        struct outbox_msg m = {.kind = "award.notice",
                               .subject = "中标通知书 Award notice",
                               .body = body,
                               .ref_type = "announcement",
                               .ref_id = announcement};
        st = award_tell_orgs(c, ids, &m, now);
    }
    /* every other bidder: the result (招标投标法 第四十五条); under government procurement with
     * its own score and rank in each lot it bid for (财政部令第87号 第六十九条) */
    struct dbres reports = {0};
    if (st == DB_OK)
        st = store_eval_reports(c, project, &reports);
    cJSON_ArrayForEach(x, losers)
    {
        if (st != DB_OK)
            break;
        int64_t org = (int64_t)x->valuedouble;
        char mine[600] = "";
        size_t used = 0;
        for (size_t i = 0; v.category == CAT_PROCUREMENT && i < reports.nrows; i++) {
            cJSON *rep = cJSON_Parse(dbres_str(&reports, i, RP_REPORT)), *y;
            int n = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(rep, "ranking"));
            cJSON_ArrayForEach(y, cJSON_GetObjectItemCaseSensitive(rep, "ranking"))
            {
                if (json_i64(y, "org_id", 0) != org || used >= sizeof mine - 1)
                    continue;
                int w = snprintf(mine + used, sizeof mine - used,
                                 "第 %lld 标段：第 %lld 名（共 %d 名），%s 分；",
                                 (long long)dbres_i64(&reports, i, RP_LOT),
                                 (long long)json_i64(y, "rank", 0), n,
                                 json_str(y, "total") ? json_str(y, "total") : "—");
                used += w > 0 ? (size_t)w : 0;
            }
            cJSON_ArrayForEach(y, cJSON_GetObjectItemCaseSensitive(rep, "bids"))
            {
                if (json_i64(y, "org_id", 0) != org ||
                    cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(y, "valid")) ||
                    used >= sizeof mine - 1)
                    continue;
                int w = snprintf(mine + used, sizeof mine - used, "第 %lld 标段：于%s被否决；",
                                 (long long)dbres_i64(&reports, i, RP_LOT),
                                 json_str(y, "rejected_at") ? json_str(y, "rejected_at") : "评审");
                used += w > 0 ? (size_t)w : 0;
            }
            cJSON_Delete(rep);
        }
        snprintf(body, sizeof body,
                 "中标结果通知：项目 %s 的中标结果已公告（公告 "
                 "%lld），贵单位未中标。%s投标保证金将按规定"
                 "退还。Result notice: project %s has been awarded (announcement %lld); your bid "
                 "did not win. Your deposit will be refunded as the law requires.",
                 v.code, (long long)announcement, mine, v.code, (long long)announcement);
        snprintf(ids, sizeof ids, "[%lld]", (long long)org);
        struct outbox_msg m = {.kind = "award.result",
                               .subject = "中标结果通知书 Result notice",
                               .body = body,
                               .ref_type = "announcement",
                               .ref_id = announcement};
        st = award_tell_orgs(c, ids, &m, now);
    }
    dbres_free(&reports);
    cJSON_Delete(losers);
    /* the deposits stage, per lot: its losing bidders' refunds under government procurement */
    for (size_t i = 0; st == DB_OK && i < p->nlots; i++) {
        if (!p->lots[i].decided)
            continue;
        struct app_event e = {EV_AWARD_NOTICE, project, p->lots[i].won.org_id, now, p->lots[i].lot};
        st = app_emit(c, a, &e);
    }
out:
    free(bidders);
    free(p);
    return st;
}

/* ---- the tenderer's decision ---- */

struct decide_in {
    int64_t project, signed_us;
    const cJSON *lots;
    const char *key_id, *signature;
};

static enum tx_result
decide_tx(struct dbconn *c, struct req *r, void *arg)
{
    struct decide_in *x = arg;
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
    cJSON_AddItemToObject(fields, "lots", cJSON_Duplicate(x->lots, true));
    json_add_i64(fields, "project_id", x->project);
    struct award_facts f = {.p = p, .choices = x->lots};
    f.sig = store_signed_act(c, r, AWARD_DOMAIN, fields, x->key_id, x->signed_us, x->signature, now,
                             &k, &rule, why, sizeof why);
    if (f.sig == ACT_DBFAIL)
        goto out;
    f.sig_rule = rule;
    f.sig_why = why;
    struct refusal no = evaluation_rule_award(&f, now);
    if (no.code) {
        req_refusal(r, &no);
        t = TX_REFUSE;
        goto out;
    }
    pl = cJSON_CreateObject();
    json_add_i64(pl, "project_id", x->project);
    cJSON *lots = cJSON_AddArrayToObject(pl, "lots");
    const cJSON *ch;
    cJSON_ArrayForEach(ch, x->lots)
    {
        struct lot_result *l = NULL;
        for (size_t i = 0; i < p->nlots; i++)
            if (p->lots[i].lot == json_i64(ch, "lot", 0))
                l = &p->lots[i];
        for (size_t k2 = 0; l && k2 < l->ncand; k2++)
            if (l->cand[k2].bid_id == json_i64(ch, "bid_id", 0))
                l->won = l->cand[k2];
        if (!l || store_award_insert(c, x->project, l, json_str(ch, "reason"), r->who.user_id,
                                     x->key_id, x->signature, x->signed_us, now) != DB_OK)
            goto out;
        cJSON *o = candidate_json(&l->won);
        json_add_i64(o, "lot", l->lot);
        json_add_i64(o, "evaluation_id", l->evaluation_id);
        if (json_str(ch, "reason"))
            cJSON_AddStringToObject(o, "reason", json_str(ch, "reason"));
        cJSON_AddItemToArray(lots, o);
    }
    cJSON *sa = accounts_signed_json(&k, AWARD_DOMAIN, fields, x->signature);
    if (!sa)
        goto out;
    cJSON_AddItemToObject(pl, "signed", sa);
    cJSON *o = cJSON_CreateObject(); /* the answer, before the payload goes to the log */
    json_add_i64(o, "project_id", x->project);
    cJSON_AddItemToObject(o, "lots", cJSON_Duplicate(lots, true));
    enum db_status st =
        audit_append(c, req_actor(r), "award.decide", "project", x->project, x->project, pl, NULL);
    pl = NULL;
    if (st != DB_OK) {
        cJSON_Delete(o);
        goto out;
    }
    req_json(r, 201, o);
    t = TX_COMMIT;
out:
    cJSON_Delete(fields);
    cJSON_Delete(pl);
    accounts_signing_key_free(&k);
    free(p);
    return t;
}

void
award_decide(struct req *r, const cJSON *body)
{
    struct decide_in x = {.signed_us = json_i64(body, "signed_us", 0),
                          .lots = cJSON_GetObjectItemCaseSensitive(body, "lots"),
                          .key_id = json_str(body, "key_id"),
                          .signature = json_str(body, "signature")};
    if (req_param_id(r, "id", &x.project))
        req_tx(r, decide_tx, &x);
}

/* ---- the view ---- */

void
award_get(struct req *r, const cJSON *body)
{
    (void)body;
    int64_t id;
    bool found;
    struct project_view v;
    char state[32];
    struct dbconn *c = req_db_for(r, "id", &id);
    if (!c)
        return;
    struct award_project *p = malloc(sizeof *p);
    enum db_status st = p ? entry_project(c, id, false, &v, &found) : DB_ERROR;
    if (st == DB_OK && found)
        st = store_award_project(c, &v, p, state);
    if (st != DB_OK) {
        req_db_fail(r, c, st);
        free(p);
        return;
    }
    bool winner = false;
    for (size_t i = 0; found && i < p->nlots; i++)
        winner |= p->lots[i].decided && p->lots[i].won.org_id == r->who.org_id;
    /* the project's parties; a bidder only once it won a lot (its contract to sign). Before the
     * candidates' publicity nobody but staff learns a candidate (招标投标法 第四十四条). */
    if (!found || !(entry_rule_is_party(&r->who, &v) || (r->who.role == ROLE_BIDDER && winner))) {
        req_error(r, E_NOT_FOUND, "no project %lld", (long long)id);
        free(p);
        return;
    }
    bool published = p->publicity_until_us != 0;
    cJSON *o = cJSON_CreateObject(), *lots = cJSON_AddArrayToObject(o, "lots");
    json_add_i64(o, "project_id", id);
    cJSON_AddStringToObject(o, "project_state", v.state);
    if (published)
        json_add_i64(o, "publicity_until_us", p->publicity_until_us);
    for (size_t i = 0; i < p->nlots; i++) {
        const struct lot_result *l = &p->lots[i];
        if (r->who.role == ROLE_BIDDER && !(l->decided && l->won.org_id == r->who.org_id))
            continue;
        cJSON *x = cJSON_CreateObject();
        json_add_i64(x, "lot", l->lot);
        cJSON_AddBoolToObject(x, "reported", l->reported);
        if (published && r->who.role != ROLE_BIDDER) {
            cJSON *cs = cJSON_AddArrayToObject(x, "candidates");
            for (size_t k = 0; k < l->ncand; k++)
                cJSON_AddItemToArray(cs, named(c, &l->cand[k], &st));
        }
        if (l->decided) {
            cJSON_AddItemToObject(x, "winner", named(c, &l->won, &st));
            json_add_i64(x, "decided_us", l->decided_us);
            if (l->noticed_us)
                json_add_i64(x, "noticed_us", l->noticed_us);
        }
        if (*l->contract_state) {
            cJSON *k = cJSON_AddObjectToObject(x, "contract");
            json_add_i64(k, "id", l->contract_id);
            cJSON_AddStringToObject(k, "state", l->contract_state);
            json_add_i64(k, "price_fen", l->contract_price);
            cJSON_AddStringToObject(k, "document_sha256", l->contract_doc);
        }
        cJSON_AddItemToArray(lots, x);
    }
    if (st != DB_OK) {
        cJSON_Delete(o);
        req_db_fail(r, c, st);
        free(p);
        return;
    }
    req_json(r, 200, o);
    free(p);
}
