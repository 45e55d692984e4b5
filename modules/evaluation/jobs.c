/*
 * jobs.c — the evaluation module's background work: evaluation.deadlines (system:award-monitor)
 * watches the deadlines after the report — the candidates' publicity within 3 days of the last
 * report (实施条例 第五十四条), the contract within 30 days of the award notice (招标投标法
 * 第四十六条), the written report within 15 days of the decision (第四十七条). A day before each,
 * the agency's and the tenderer's people are warned; once past, it is flagged in the log
 * (award.deadline, missed) and supervisors are told. Each project's change is one transaction
 * with one entry; the rule (evaluation_rule_deadline_act) decides.
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
    if (!p || entry_project(c, x->project, true, &v, &found) != DB_OK)
        goto out;
    if (!found) {
        t = TX_COMMIT;
        goto out;
    }
    if (store_award_project(c, &v, p, state) != DB_OK)
        goto out;
    int64_t due[DL__COUNT];
    evaluation_rule_deadlines(p, due);
    pl = cJSON_CreateObject();
    json_add_i64(pl, "project_id", x->project);
    cJSON *acts = cJSON_AddArrayToObject(pl, "deadlines");
    for (int k = 0; k < DL__COUNT; k++) {
        struct deadline_state d = {.due_us = due[k]};
        if (due[k] && store_deadline_get(c, x->project, evaluation_deadline_names[k], due[k],
                                         &d.warned, &d.flagged) != DB_OK)
            goto out;
        enum deadline_act act = evaluation_rule_deadline_act(&d, x->now);
        if (act == DA_NONE)
            continue;
        if (store_deadline_mark(c, x->project, evaluation_deadline_names[k], due[k], act == DA_FLAG,
                                x->now) != DB_OK)
            goto out;
        char when[24], body[800], ids[64];
        cal_format_minute(due[k], when);
        snprintf(body, sizeof body, "项目 %s：%s的期限为 %s%s。Project %s: a deadline %s %s.",
                 v.code, what[k], when, act == DA_FLAG ? "，已逾期" : "，即将届满", v.code,
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
        enum db_status st;
        char *users = accounts_members_of(c, ids, &st);
        if (st == DB_OK)
            st = outbox_send_each(c, users, &m, x->now);
        free(users);
        if (st == DB_OK && act == DA_FLAG)
            st = app_notify(c, "supervisor", m.kind, m.subject, body, x->now);
        if (st != DB_OK)
            goto out;
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "kind", evaluation_deadline_names[k]);
        cJSON_AddStringToObject(o, "event", act == DA_FLAG ? "missed" : "warning");
        json_add_i64(o, "due_us", due[k]);
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
