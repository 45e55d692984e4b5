/*
 * validity.c — extending the bid validity period (docs/evaluation.md §9d). The evaluation and the
 * award are to be completed 30 working days before the validity ends (评标委员会和评标方法暂行规定
 * 第四十条; the deadline `validity` warns of it); when they cannot, the tenderer asks every bidder
 * to extend it, in a request signed with its certified key naming the new end, and each bidder with
 * a current bid answers, signed, before the end it would extend (silence counts as a refusal). A
 * bidder who refuses may take its deposit back (the deposits stage's refund is not built yet), and
 * its bid lapses at the old end: once that has passed the tenderer may not award it
 * (AWARD-VALIDITY) and decides another candidate. Those who agree keep their bid unchanged (an
 * extension never changes a bid's substance). The deadline `validity` follows the new end.
 *
 *   POST /api/v1/projects/{id}/validity          {until_us, key_id, signed_us, signature}
 *   POST /api/v1/projects/{id}/validity/answer   {agree, key_id, signed_us, signature}
 *   GET  /api/v1/projects/{id}/validity          the requests and the answers
 *
 * What is signed: "ggzy-bid-validity-v1\n" canonical({platform, project_id, signed_us, until_us,
 * user_id}); "ggzy-bid-validity-answer-v1\n" canonical({agree, platform, project_id, signed_us,
 * until_us, user_id}).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "bids/bids.h"
#include "calendar.h"
#include "canon.h"
#include "entry/entry.h"
#include "internal.h"
#include "outbox/outbox.h"

struct validity_in {
    int64_t project, until, signed_us;
    bool agree;
    const char *key_id, *signature;
};

/* Does the organization org hold a current bid in the project (bids_project_bidders)? */
static enum db_status
is_bidder(struct dbconn *c, int64_t project, int64_t org, bool *yes)
{
    enum db_status st;
    char *ids = bids_project_bidders(c, project, &st);
    cJSON *all = st == DB_OK ? cJSON_Parse(ids ? ids : "[]") : NULL, *x;
    *yes = false;
    cJSON_ArrayForEach(x, all) *yes |= (int64_t)x->valuedouble == org;
    cJSON_Delete(all);
    free(ids);
    return st;
}

static enum tx_result
ask_tx(struct dbconn *c, struct req *r, void *arg)
{
    struct validity_in *x = arg;
    struct project_view v;
    struct award_project *p = malloc(sizeof *p);
    struct signing_key k = {0};
    char state[32], why[300] = "", body[900], when[24];
    const char *rule = NULL;
    cJSON *fields = NULL, *pl = NULL;
    char *bidders = NULL;
    int64_t now = clock_now_us();
    enum tx_result t;
    if ((t = award_load(c, r, x->project, true, &v, p, state)) != TX_COMMIT)
        goto out;
    t = TX_DBFAIL;
    fields = cJSON_CreateObject();
    json_add_i64(fields, "project_id", x->project);
    json_add_i64(fields, "until_us", x->until);
    struct validity_ask_facts f = {.p = p, .until_us = x->until};
    f.sig = store_signed_act(c, r, VALIDITY_DOMAIN, fields, x->key_id, x->signed_us, x->signature,
                             now, &k, &rule, why, sizeof why);
    if (f.sig == ACT_DBFAIL)
        goto out;
    f.sig_rule = rule;
    f.sig_why = why;
    struct refusal no = evaluation_rule_validity_ask(&f, now);
    if (no.code) {
        req_refusal(r, &no);
        t = TX_REFUSE;
        goto out;
    }
    if (store_validity_request_insert(c, x->project, x->until, p->validity_end_us, r->who.user_id,
                                      x->key_id, x->signature, x->signed_us, now) != DB_OK)
        goto out;
    /* every bidder is asked, in writing, through the platform */
    enum db_status st;
    bidders = bids_project_bidders(c, x->project, &st);
    if (st != DB_OK)
        goto out;
    cal_format_minute(x->until, when);
    snprintf(
        body, sizeof body,
        "项目 %s：招标人请求将投标有效期延长至 %s（北京时间）。请在原有效期届满前签署是否同意；"
        "同意的，投标保证金有效期相应延长，不得修改投标文件的实质性内容；拒绝的，有权收回投标"
        "保证金（评标委员会和评标方法暂行规定 第四十条）。Project %s: the tenderer asks to extend "
        "the bid validity to %s Beijing time; answer, signed, before it ends.",
        v.code, when, v.code, when);
    struct outbox_msg m = {.kind = "award.validity",
                           .subject = "延长投标有效期 Extend the bid validity",
                           .body = body,
                           .ref_type = "project",
                           .ref_id = x->project};
    if (award_tell_orgs(c, bidders ? bidders : "[]", &m, now) != DB_OK)
        goto out;
    pl = cJSON_CreateObject();
    json_add_i64(pl, "project_id", x->project);
    json_add_i64(pl, "until_us", x->until);
    json_add_i64(pl, "from_us", p->validity_end_us);
    cJSON *sa = accounts_signed_json(&k, VALIDITY_DOMAIN, fields, x->signature);
    if (!sa)
        goto out;
    cJSON_AddItemToObject(pl, "signed", sa);
    st = audit_append(c, req_actor(r), "award.validity.ask", "project", x->project, x->project, pl,
                      NULL);
    pl = NULL;
    if (st != DB_OK)
        goto out;
    cJSON *o = cJSON_CreateObject();
    json_add_i64(o, "project_id", x->project);
    json_add_i64(o, "from_us", p->validity_end_us);
    json_add_i64(o, "until_us", x->until);
    req_json(r, 201, o);
    t = TX_COMMIT;
out:
    cJSON_Delete(fields);
    cJSON_Delete(pl);
    accounts_signing_key_free(&k);
    free(bidders);
    free(p);
    return t;
}

void
validity_ask(struct req *r, const cJSON *body)
{
    struct validity_in x = {.until = json_i64(body, "until_us", 0),
                            .signed_us = json_i64(body, "signed_us", 0),
                            .key_id = json_str(body, "key_id"),
                            .signature = json_str(body, "signature")};
    if (req_param_id(r, "id", &x.project))
        req_tx(r, ask_tx, &x);
}

static enum tx_result
answer_tx(struct dbconn *c, struct req *r, void *arg)
{
    struct validity_in *x = arg;
    struct project_view v;
    struct signing_key k = {0};
    struct dbres req = {0}, ans = {0};
    char why[300] = "", body[600], ids[64];
    const char *rule = NULL;
    cJSON *fields = NULL, *pl = NULL;
    int64_t now = clock_now_us();
    bool found = false, bidder = false;
    enum tx_result t = TX_DBFAIL;
    if (entry_project(c, x->project, true, &v, &found) != DB_OK ||
        (found && is_bidder(c, x->project, r->who.org_id, &bidder) != DB_OK))
        goto out;
    if (!found || !bidder) { /* only a bidder of the project is asked */
        req_error(r, E_NOT_FOUND, "no project %lld with a bid of yours", (long long)x->project);
        t = TX_REFUSE;
        goto out;
    }
    if (store_validity_requests(c, x->project, &req) != DB_OK)
        goto out;
    struct validity_answer_facts f = {.asked = req.nrows > 0};
    int64_t request = f.asked ? dbres_i64(&req, 0, VR_ID) : 0;
    int64_t until = f.asked ? dbres_i64(&req, 0, VR_UNTIL) : 0;
    f.from_us = f.asked ? dbres_i64(&req, 0, VR_FROM) : 0;
    if (f.asked && store_validity_answers(c, request, &ans) != DB_OK)
        goto out;
    for (size_t i = 0; i < ans.nrows; i++)
        f.answered |= dbres_i64(&ans, i, VA_ORG) == r->who.org_id;
    fields = cJSON_CreateObject();
    cJSON_AddBoolToObject(fields, "agree", x->agree);
    json_add_i64(fields, "project_id", x->project);
    json_add_i64(fields, "until_us", until);
    f.sig = store_signed_act(c, r, VALIDITY_ANSWER_DOMAIN, fields, x->key_id, x->signed_us,
                             x->signature, now, &k, &rule, why, sizeof why);
    if (f.sig == ACT_DBFAIL)
        goto out;
    f.sig_rule = rule;
    f.sig_why = why;
    struct refusal no = evaluation_rule_validity_answer(&f, now);
    if (no.code) {
        req_refusal(r, &no);
        t = TX_REFUSE;
        goto out;
    }
    if (store_validity_answer_insert(c, request, r->who.org_id, x->agree, r->who.user_id, x->key_id,
                                     x->signature, x->signed_us, now) != DB_OK)
        goto out;
    snprintf(body, sizeof body,
             "项目 %s：投标人（单位 %lld）%s延长投标有效期。Project %s: bidder %lld %s the "
             "extension of the bid validity.",
             v.code, (long long)r->who.org_id, x->agree ? "同意" : "拒绝", v.code,
             (long long)r->who.org_id, x->agree ? "agrees to" : "refuses");
    snprintf(ids, sizeof ids, "[%lld,%lld]", (long long)v.agent_org_id,
             (long long)v.tenderer_org_id);
    struct outbox_msg m = {.kind = "award.validity.answer",
                           .subject = "投标有效期延长的答复 An answer on the bid validity",
                           .body = body,
                           .ref_type = "project",
                           .ref_id = x->project};
    if (award_tell_orgs(c, ids, &m, now) != DB_OK)
        goto out;
    pl = cJSON_CreateObject();
    json_add_i64(pl, "project_id", x->project);
    json_add_i64(pl, "until_us", until);
    json_add_i64(pl, "org_id", r->who.org_id);
    cJSON_AddBoolToObject(pl, "agree", x->agree);
    cJSON *sa = accounts_signed_json(&k, VALIDITY_ANSWER_DOMAIN, fields, x->signature);
    if (!sa)
        goto out;
    cJSON_AddItemToObject(pl, "signed", sa);
    enum db_status st = audit_append(c, req_actor(r), "award.validity.answer", "project",
                                     x->project, x->project, pl, NULL);
    pl = NULL;
    if (st != DB_OK)
        goto out;
    cJSON *o = cJSON_CreateObject();
    json_add_i64(o, "project_id", x->project);
    json_add_i64(o, "until_us", until);
    cJSON_AddBoolToObject(o, "agree", x->agree);
    req_json(r, 200, o);
    t = TX_COMMIT;
out:
    cJSON_Delete(fields);
    cJSON_Delete(pl);
    dbres_free(&req);
    dbres_free(&ans);
    accounts_signing_key_free(&k);
    return t;
}

void
validity_answer(struct req *r, const cJSON *body)
{
    struct validity_in x = {.agree = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(body, "agree")),
                            .signed_us = json_i64(body, "signed_us", 0),
                            .key_id = json_str(body, "key_id"),
                            .signature = json_str(body, "signature")};
    if (req_param_id(r, "id", &x.project))
        req_tx(r, answer_tx, &x);
}

void
validity_get(struct req *r, const cJSON *body)
{
    (void)body;
    int64_t id;
    struct project_view v;
    struct dbres req = {0}, ans = {0};
    bool found = false, bidder = false;
    struct dbconn *c = req_db_for(r, "id", &id);
    if (!c)
        return;
    enum db_status st = entry_project(c, id, false, &v, &found);
    bool party = st == DB_OK && found && entry_rule_is_party(&r->who, &v);
    if (st == DB_OK && found && !party && r->who.role == ROLE_BIDDER)
        st = is_bidder(c, id, r->who.org_id, &bidder);
    if (st == DB_OK && (!found || !(party || bidder))) {
        req_error(r, E_NOT_FOUND, "no project %lld", (long long)id);
        return;
    }
    if (st == DB_OK)
        st = store_validity_requests(c, id, &req);
    cJSON *o = cJSON_CreateObject(), *list = cJSON_AddArrayToObject(o, "requests");
    json_add_i64(o, "project_id", id);
    for (size_t i = 0; st == DB_OK && i < req.nrows; i++) {
        cJSON *x = cJSON_CreateObject(), *a = cJSON_AddArrayToObject(x, "answers");
        json_add_i64(x, "until_us", dbres_i64(&req, i, VR_UNTIL));
        json_add_i64(x, "from_us", dbres_i64(&req, i, VR_FROM));
        json_add_i64(x, "asked_us", dbres_i64(&req, i, VR_ASKED));
        if ((st = store_validity_answers(c, dbres_i64(&req, i, VR_ID), &ans)) == DB_OK)
            for (size_t k = 0; k < ans.nrows; k++) {
                /* a bidder sees its own answer; the parties every one */
                if (!party && dbres_i64(&ans, k, VA_ORG) != r->who.org_id)
                    continue;
                cJSON *y = cJSON_CreateObject();
                json_add_i64(y, "org_id", dbres_i64(&ans, k, VA_ORG));
                cJSON_AddBoolToObject(y, "agree", dbres_i64(&ans, k, VA_AGREE) != 0);
                json_add_i64(y, "answered_us", dbres_i64(&ans, k, VA_ANSWERED));
                cJSON_AddItemToArray(a, y);
            }
        dbres_free(&ans);
        cJSON_AddItemToArray(list, x);
    }
    dbres_free(&req);
    if (st != DB_OK) {
        cJSON_Delete(o);
        req_db_fail(r, c, st);
        return;
    }
    req_json(r, 200, o);
}
