/*
 * objections.c — objections (异议; under government procurement 质疑) to a lot's evaluation result
 * (docs/evaluation.md §8b), the first case of the objection workflow. A bidder of the lot objects,
 * signed with its certified key, while the window is open: during the candidates' publicity under
 * the tendering law (实施条例 第五十四条), within 7 working days after the result's announcement
 * period under government procurement (政府采购法 第五十二条). The tenderer or its agency answers,
 * signed, within 3 days (7 working days: 政府采购法 第五十三条); until then the lot's award and
 * contract wait (AWARD-OBJECTION), and the job evaluation.deadlines warns before the answer is due
 * and flags it once missed. The answer goes to the objector and to every bidder of the lot.
 *
 *   POST /api/v1/projects/{id}/objections   {lot, text, key_id, signed_us, signature}
 *   GET  /api/v1/projects/{id}/objections   the parties: all; a bidder: its own and the answered
 *   POST /api/v1/objections/{id}/answer     {answer, upheld, key_id, signed_us, signature}
 *
 * What is signed: "ggzy-objection-v1\n" canonical({lot, platform, project_id, signed_us, text,
 * user_id}); "ggzy-objection-answer-v1\n" canonical({answer, objection_id, platform, signed_us,
 * upheld, user_id}).
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

/* An objection as the caller may see it: another organization's objection without its name. */
static cJSON *
objection_json(void *ctx, const struct dbres *s, size_t i)
{
    const struct principal *who = ctx;
    cJSON *o = cJSON_CreateObject();
    json_add_i64(o, "id", dbres_i64(s, i, OB_ID));
    json_add_i64(o, "project_id", dbres_i64(s, i, OB_PROJECT));
    json_add_i64(o, "lot", dbres_i64(s, i, OB_LOT));
    if (!who || who->role != ROLE_BIDDER || dbres_i64(s, i, OB_ORG) == who->org_id)
        json_add_i64(o, "org_id", dbres_i64(s, i, OB_ORG));
    cJSON_AddStringToObject(o, "text", dbres_str(s, i, OB_TEXT));
    json_add_i64(o, "filed_us", dbres_i64(s, i, OB_FILED));
    json_add_i64(o, "answer_due_us", dbres_i64(s, i, OB_DUE));
    if (dbres_str(s, i, OB_ANSWERED)) {
        cJSON_AddStringToObject(o, "answer", dbres_str(s, i, OB_ANSWER));
        cJSON_AddBoolToObject(o, "upheld", dbres_i64(s, i, OB_UPHELD) != 0);
        json_add_i64(o, "answered_us", dbres_i64(s, i, OB_ANSWERED));
    } else {
        cJSON_AddNullToObject(o, "answer");
        cJSON_AddNullToObject(o, "answered_us");
    }
    return o;
}

/* ---- a bidder objects ---- */

struct file_in {
    int64_t project, lot, signed_us;
    const char *text, *key_id, *signature;
};

static enum tx_result
file_tx(struct dbconn *c, struct req *r, void *arg)
{
    struct file_in *x = arg;
    struct project_view v;
    struct award_project *p = malloc(sizeof *p);
    struct signing_key k = {0};
    struct bid_opened *b = NULL;
    struct dbres pend = {0};
    char state[32], why[300] = "", body[900], ids[64], when[24];
    const char *rule = NULL;
    cJSON *fields = NULL, *pl = NULL;
    int64_t now = clock_now_us(), id = 0;
    enum tx_result t;
    if ((t = award_load(c, r, x->project, false, &v, p, state)) != TX_COMMIT)
        goto out;
    t = TX_DBFAIL;
    struct objection_facts f = {.p = p, .text_len = strlen(x->text)};
    for (size_t i = 0; i < p->nlots; i++)
        if (p->lots[i].lot == x->lot && p->lots[i].reported)
            f.lot = &p->lots[i];
    bool opened = false;
    size_t n = 0;
    if (f.lot && bids_opened_lot(c, x->project, x->lot, &opened, &b, &n) != DB_OK)
        goto out;
    for (size_t i = 0; i < n; i++)
        f.bidder_of_lot |= b[i].org_id == r->who.org_id;
    /* the organization's objections to the lot: any (objected before), any unanswered (pending) */
    if (store_result_objection_list(c, x->project, r->who.org_id, 0, 1000, &pend) != DB_OK)
        goto out;
    for (size_t i = 0; i < pend.nrows; i++) {
        bool own =
            dbres_i64(&pend, i, OB_ORG) == r->who.org_id && dbres_i64(&pend, i, OB_LOT) == x->lot;
        f.objected_before |= own;
        f.pending_own |= own && !dbres_str(&pend, i, OB_ANSWERED);
    }
    fields = cJSON_CreateObject();
    json_add_i64(fields, "lot", x->lot);
    json_add_i64(fields, "project_id", x->project);
    cJSON_AddStringToObject(fields, "text", x->text);
    f.sig = store_signed_act(c, r, OBJECTION_DOMAIN, fields, x->key_id, x->signed_us, x->signature,
                             now, &k, &rule, why, sizeof why);
    if (f.sig == ACT_DBFAIL)
        goto out;
    f.sig_rule = rule;
    f.sig_why = why;
    struct refusal no = evaluation_rule_object(&f, now);
    if (no.code) {
        req_refusal(r, &no);
        t = TX_REFUSE;
        goto out;
    }
    int64_t due = evaluation_rule_objection_due(v.category, now);
    if (store_result_objection_insert(c, x->project, x->lot, r->who.org_id, r->who.user_id, x->text,
                                      x->key_id, x->signature, x->signed_us, due, now,
                                      &id) != DB_OK)
        goto out;
    /* the tenderer and its agency: answer in time; the lot waits meanwhile */
    cal_format_minute(due, when);
    snprintf(body, sizeof body,
             "项目 %s 第 %lld 标段的评标结果收到异议（编号 %lld），请于 %s（北京时间）前答复；"
             "答复前该标段暂停定标和签约（实施条例 第五十四条）。An objection (%lld) to lot %lld "
             "of project %s: answer it by %s Beijing time; the lot's award and contract wait.",
             v.code, (long long)x->lot, (long long)id, when, (long long)id, (long long)x->lot,
             v.code, when);
    snprintf(ids, sizeof ids, "[%lld,%lld]", (long long)v.agent_org_id,
             (long long)v.tenderer_org_id);
    struct outbox_msg m = {.kind = "award.objection",
                           .subject = "评标结果异议 An objection to the result",
                           .body = body,
                           .ref_type = "project",
                           .ref_id = x->project};
    if (award_tell_orgs(c, ids, &m, now) != DB_OK)
        goto out;
    pl = cJSON_CreateObject();
    json_add_i64(pl, "objection_id", id);
    json_add_i64(pl, "project_id", x->project);
    json_add_i64(pl, "lot", x->lot);
    json_add_i64(pl, "org_id", r->who.org_id);
    json_add_i64(pl, "answer_due_us", due);
    cJSON *sa = accounts_signed_json(&k, OBJECTION_DOMAIN, fields, x->signature);
    if (!sa)
        goto out;
    cJSON_AddItemToObject(pl, "signed", sa);
    enum db_status st = audit_append(c, req_actor(r), "award.objection", "project", x->project,
                                     x->project, pl, NULL);
    pl = NULL;
    if (st != DB_OK)
        goto out;
    cJSON *o = cJSON_CreateObject();
    json_add_i64(o, "id", id);
    json_add_i64(o, "project_id", x->project);
    json_add_i64(o, "lot", x->lot);
    json_add_i64(o, "filed_us", now);
    json_add_i64(o, "answer_due_us", due);
    req_json(r, 201, o);
    t = TX_COMMIT;
out:
    cJSON_Delete(fields);
    cJSON_Delete(pl);
    dbres_free(&pend);
    accounts_signing_key_free(&k);
    free(b);
    free(p);
    return t;
}

void
objection_file(struct req *r, const cJSON *body)
{
    struct file_in x = {.lot = json_i64(body, "lot", 0),
                        .signed_us = json_i64(body, "signed_us", 0),
                        .text = json_str(body, "text"),
                        .key_id = json_str(body, "key_id"),
                        .signature = json_str(body, "signature")};
    if (req_param_id(r, "id", &x.project))
        req_tx(r, file_tx, &x);
}

/* ---- the tenderer or its agency answers ---- */

struct answer_in {
    int64_t id, signed_us;
    bool upheld;
    const char *answer, *key_id, *signature;
};

static enum tx_result
answer_tx(struct dbconn *c, struct req *r, void *arg)
{
    struct answer_in *x = arg;
    struct project_view v;
    struct signing_key k = {0};
    struct dbres row = {0};
    struct bid_opened *b = NULL;
    char why[300] = "", body[1400], ids[64];
    const char *rule = NULL;
    cJSON *fields = NULL, *pl = NULL;
    int64_t now = clock_now_us();
    bool found = false;
    enum tx_result t = TX_DBFAIL;
    if (store_result_objection_get(c, x->id, true, &row) != DB_OK)
        goto out;
    if (row.nrows == 1 &&
        entry_project(c, dbres_i64(&row, 0, OB_PROJECT), true, &v, &found) != DB_OK)
        goto out;
    /* only the project's tendering side answers; to anyone else there is no such objection */
    if (!found || !(r->who.role & (ROLE_TENDERER | ROLE_AGENT)) ||
        !entry_rule_is_party(&r->who, &v)) {
        req_error(r, E_NOT_FOUND, "no objection %lld to answer", (long long)x->id);
        t = TX_REFUSE;
        goto out;
    }
    int64_t project = dbres_i64(&row, 0, OB_PROJECT), lot = dbres_i64(&row, 0, OB_LOT);
    int64_t due = dbres_i64(&row, 0, OB_DUE);
    fields = cJSON_CreateObject();
    cJSON_AddStringToObject(fields, "answer", x->answer);
    json_add_i64(fields, "objection_id", x->id);
    cJSON_AddBoolToObject(fields, "upheld", x->upheld);
    struct objection_answer_facts f = {.answered = dbres_str(&row, 0, OB_ANSWERED) != NULL,
                                       .answer_len = strlen(x->answer)};
    f.sig = store_signed_act(c, r, OBJECTION_ANSWER_DOMAIN, fields, x->key_id, x->signed_us,
                             x->signature, now, &k, &rule, why, sizeof why);
    if (f.sig == ACT_DBFAIL)
        goto out;
    f.sig_rule = rule;
    f.sig_why = why;
    struct refusal no = evaluation_rule_object_answer(&f, now);
    if (no.code) {
        req_refusal(r, &no);
        t = TX_REFUSE;
        goto out;
    }
    if (store_result_objection_answer(c, x->id, r->who.user_id, x->answer, x->upheld, x->key_id,
                                      x->signature, x->signed_us, now) != DB_OK)
        goto out;
    /* the answer to the objector and to every bidder of the lot */
    bool opened;
    size_t n = 0;
    if (bids_opened_lot(c, project, lot, &opened, &b, &n) != DB_OK)
        goto out;
    snprintf(body, sizeof body,
             "项目 %s 第 %lld 标段评标结果异议（编号 %lld）的答复：%s（%s）。The answer to "
             "objection %lld on lot %lld of project %s (%s) is published.",
             v.code, (long long)lot, (long long)x->id, x->upheld ? "异议成立" : "异议不成立",
             x->answer, (long long)x->id, (long long)lot, v.code,
             x->upheld ? "upheld" : "not upheld");
    struct outbox_msg m = {.kind = "award.objection.answer",
                           .subject = "异议答复 The answer to an objection",
                           .body = body,
                           .ref_type = "project",
                           .ref_id = project};
    for (size_t i = 0; i < n; i++) {
        snprintf(ids, sizeof ids, "[%lld]", (long long)b[i].org_id);
        if (award_tell_orgs(c, ids, &m, now) != DB_OK)
            goto out;
    }
    pl = cJSON_CreateObject();
    json_add_i64(pl, "objection_id", x->id);
    json_add_i64(pl, "project_id", project);
    json_add_i64(pl, "lot", lot);
    cJSON_AddBoolToObject(pl, "upheld", x->upheld);
    cJSON_AddBoolToObject(pl, "late", now > due);
    cJSON *sa = accounts_signed_json(&k, OBJECTION_ANSWER_DOMAIN, fields, x->signature);
    if (!sa)
        goto out;
    cJSON_AddItemToObject(pl, "signed", sa);
    enum db_status st = audit_append(c, req_actor(r), "award.objection.answer", "project", project,
                                     project, pl, NULL);
    pl = NULL;
    if (st != DB_OK)
        goto out;
    cJSON *o = cJSON_CreateObject();
    json_add_i64(o, "id", x->id);
    cJSON_AddStringToObject(o, "answer", x->answer);
    cJSON_AddBoolToObject(o, "upheld", x->upheld);
    json_add_i64(o, "answered_us", now);
    cJSON_AddBoolToObject(o, "late", now > due);
    req_json(r, 200, o);
    t = TX_COMMIT;
out:
    cJSON_Delete(fields);
    cJSON_Delete(pl);
    dbres_free(&row);
    accounts_signing_key_free(&k);
    free(b);
    return t;
}

void
objection_answer(struct req *r, const cJSON *body)
{
    struct answer_in x = {.signed_us = json_i64(body, "signed_us", 0),
                          .upheld = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(body, "upheld")),
                          .answer = json_str(body, "answer"),
                          .key_id = json_str(body, "key_id"),
                          .signature = json_str(body, "signature")};
    if (req_param_id(r, "id", &x.id))
        req_tx(r, answer_tx, &x);
}

/* ---- the list ---- */

void
objection_list(struct req *r, const cJSON *body)
{
    (void)body;
    int64_t id, after, limit;
    struct project_view v;
    struct dbres s = {0};
    bool found = false;
    struct dbconn *c = req_db_for(r, "id", &id);
    if (!c || !req_page(r, &after, &limit, 50, 200))
        return;
    enum db_status st = entry_project(c, id, false, &v, &found);
    if (st != DB_OK) {
        req_db_fail(r, c, st);
        return;
    }
    /* the parties see every objection; a bidder its own and the answered ones */
    bool party = found && entry_rule_is_party(&r->who, &v);
    if (!found || !(party || r->who.role == ROLE_BIDDER)) {
        req_error(r, E_NOT_FOUND, "no project %lld", (long long)id);
        return;
    }
    st = store_result_objection_list(c, id, party ? 0 : r->who.org_id, after, limit, &s);
    if (st != DB_OK)
        req_db_fail(r, c, st);
    else
        req_page_reply(r, &s, limit, "after", OB_ID, objection_json, &r->who);
    dbres_free(&s);
}
