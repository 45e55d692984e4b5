/*
 * jobs.c — the evaluation module's background work: evaluation.deadlines (system:award-monitor)
 * watches the deadlines after the report — the candidates' publicity within 3 days of the last
 * report (实施条例 第五十四条), the contract within 30 days of the award notice (招标投标法
 * 第四十六条), the written report within 15 days of the decision (第四十七条). A day before each,
 * the agency's and the tenderer's people are warned; once past, it is flagged in the log
 * (award.deadline, missed) and supervisors are told. An objection to a result (§8b) is a deadline
 * of the same kind: its answer, due within R-OBJECTION-ANSWER-DUE (kind "obj-<id>"). Each project's
 * change is one transaction with one entry; the rule (evaluation_rule_deadline_act) decides.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "calendar.h"
#include "canon.h"
#include "entry/entry.h"
#include "internal.h"
#include "outbox/outbox.h"

struct deadline_ctx {
    int64_t project, now;
    const struct actor *a;
};

static const char *const what[] = {
    "候选人公示（收到评标报告之日起 3 日内，实施条例 第五十四条）",
    "订立书面合同（中标通知书发出之日起 30 日内，招标投标法 第四十六条）",
    "向有关行政监督部门提交招标投标情况的书面报告（确定中标人之日起 15 日内，第四十七条）",
    "完成评标和定标（投标有效期结束日 30 个工作日前；不能完成的，应通知所有投标人延长投标有效期，"
    "评标委员会和评标方法暂行规定 第四十条）",
};

static enum tx_result
deadline_tx(struct dbconn *c, void *arg)
{
    struct deadline_ctx *x = arg;
    struct project_view v;
    struct award_project *p = malloc(sizeof *p);
    char state[32];
    bool found;
    enum tx_result t = TX_DBFAIL;
    cJSON *pl = NULL;
    struct dbres pend = {0};
    if (!p || entry_project(c, x->project, true, &v, &found) != DB_OK)
        goto out;
    if (!found) {
        t = TX_COMMIT;
        goto out;
    }
    if (store_award_project(c, &v, p, state) != DB_OK)
        goto out;
    /* the three deadlines, then each unanswered objection's (R-OBJECTION-ANSWER-DUE) */
    struct {
        char kind[24], what[400];
        int64_t due;
    } dl[DL__COUNT + 32];
    size_t ndl = 0;
    int64_t due[DL__COUNT];
    evaluation_rule_deadlines(p, due);
    for (int k = 0; k < DL__COUNT; k++) {
        snprintf(dl[ndl].kind, sizeof dl[ndl].kind, "%s", evaluation_deadline_names[k]);
        snprintf(dl[ndl].what, sizeof dl[ndl].what, "%s", what[k]);
        dl[ndl++].due = due[k];
    }
    if (store_result_objection_pending(c, x->project, &pend) != DB_OK)
        goto out;
    for (size_t i = 0; i < pend.nrows && ndl < ARRAY_LEN(dl); i++, ndl++) {
        snprintf(dl[ndl].kind, sizeof dl[ndl].kind, "obj-%lld",
                 (long long)dbres_i64(&pend, i, OB_ID));
        snprintf(dl[ndl].what, sizeof dl[ndl].what,
                 "答复第 %lld 标段评标结果异议（编号 %lld，实施条例 第五十四条）",
                 (long long)dbres_i64(&pend, i, OB_LOT), (long long)dbres_i64(&pend, i, OB_ID));
        dl[ndl].due = dbres_i64(&pend, i, OB_DUE);
    }
    pl = cJSON_CreateObject();
    json_add_i64(pl, "project_id", x->project);
    cJSON *acts = cJSON_AddArrayToObject(pl, "deadlines");
    for (size_t k = 0; k < ndl; k++) {
        struct deadline_state d = {.due_us = dl[k].due};
        if (dl[k].due && store_deadline_get(c, x->project, dl[k].kind, dl[k].due, &d.warned,
                                            &d.flagged) != DB_OK)
            goto out;
        enum deadline_act act = evaluation_rule_deadline_act(&d, x->now);
        if (act == DA_NONE)
            continue;
        if (store_deadline_mark(c, x->project, dl[k].kind, dl[k].due, act == DA_FLAG, x->now) !=
            DB_OK)
            goto out;
        char when[24], body[800], ids[64];
        cal_format_minute(dl[k].due, when);
        snprintf(body, sizeof body, "项目 %s：%s的期限为 %s%s。Project %s: a deadline %s %s.",
                 v.code, dl[k].what, when, act == DA_FLAG ? "，已逾期" : "，即将届满", v.code,
                 act == DA_FLAG ? "was missed at" : "falls due at", when);
        struct outbox_msg m = {.kind = act == DA_FLAG ? "award.deadline.missed"
                                                      : "award.deadline.warning",
                               .subject = act == DA_FLAG ? "期限已过 A deadline was missed"
                                                         : "期限将至 A deadline falls due",
                               .body = body,
                               .ref_type = "project",
                               .ref_id = x->project};
        snprintf(ids, sizeof ids, "[%lld,%lld]", (long long)v.agent_org_id,
                 (long long)v.tenderer_org_id);
        enum db_status st = award_tell_orgs(c, ids, &m, x->now);
        if (st == DB_OK && act == DA_FLAG)
            st = app_notify(c, "supervisor", m.kind, m.subject, body, x->now);
        if (st != DB_OK)
            goto out;
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "kind", dl[k].kind);
        cJSON_AddStringToObject(o, "event", act == DA_FLAG ? "missed" : "warning");
        json_add_i64(o, "due_us", dl[k].due);
        cJSON_AddItemToArray(acts, o);
    }
    if (!cJSON_GetArraySize(acts)) {
        t = TX_COMMIT; /* nothing due: nothing to log */
        goto out;
    }
    enum db_status st =
        audit_append(c, x->a, "award.deadline", "project", x->project, x->project, pl, NULL);
    pl = NULL;
    t = st == DB_OK ? TX_COMMIT : TX_DBFAIL;
out:
    cJSON_Delete(pl);
    dbres_free(&pend);
    free(p);
    return t;
}

bool
evaluation_job_deadlines(struct dbconn *c, const struct actor *a, int64_t now_us)
{
    struct dbres ids = {0};
    if (store_deadline_projects(c, &ids) != DB_OK) {
        dbres_free(&ids);
        return false;
    }
    bool ok = true;
    for (size_t i = 0; i < ids.nrows; i++) {
        struct deadline_ctx x = {dbres_i64(&ids, i, DB_VALUE), now_us, a};
        if (db_tx(c, deadline_tx, &x) != DB_OK) {
            log_warn("evaluation_job_deadlines: project %lld: %s", (long long)x.project,
                     db_last_error(c));
            ok = false;
        }
    }
    dbres_free(&ids);
    return ok;
}
