/*
 * acts.c — a member's act in the session, signed with the member's certified expert key: the
 * pledge, the vote for the chair, a review's pass or fail per bid, the detailed scores, a
 * correction after summing (财政部令第87号 第六十四条), the signature of the report. The facts are
 * the session as stored and the signature's check; the rule (evaluation_rule_act) decides; the
 * effects are the act's row and, when it completes the step, the step's consequence — the chair
 * elected (or a new round), the reviews' decisions, the result drafted, the report signed — all in
 * one transaction with one audit entry.
 *
 *   POST /api/v1/evaluations/{id}/acts   {kind, payload, key_id, signed_us, signature}
 *
 * What is signed (docs/evaluation.md §4): the canonical JSON of {"evaluation_id", "kind",
 * "payload", "platform", "signed_us", "user_id"}, after "ggzy-evaluation-act-v1\n".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "canon.h"
#include "calendar.h"
#include "venues/venues.h"
#include "internal.h"
#include "outbox/outbox.h"

struct act_in {
    int64_t id, signed_us;
    const char *kind, *key_id, *signature;
    const cJSON *payload;
};

/* Record the caller's act x of round in the session: its row, and s's acts in memory (what the
 * step's completion and the votes count). */
static enum db_status
record_act(struct dbconn *c, struct req *r, struct eval_session *s, const struct act_in *x,
           int round, int64_t now)
{
    char *text = canon_text(x->payload);
    enum db_status st = text ? store_eval_act_insert(c, s->id, r->who.user_id, x->kind, round, text,
                                                     x->key_id, x->signature, x->signed_us, now)
                             : DB_ERROR;
    free(text);
    struct eval_act *grown =
        st == DB_OK ? realloc(s->acts, (s->nacts + 1) * sizeof *s->acts) : NULL;
    if (!grown)
        return st == DB_OK ? DB_ERROR : st;
    s->acts = grown;
    s->acts[s->nacts] = (struct eval_act){.user_id = r->who.user_id,
                                          .signed_us = x->signed_us,
                                          .round = round,
                                          .payload = cJSON_Duplicate(x->payload, true)};
    snprintf(s->acts[s->nacts].kind, sizeof s->acts[s->nacts].kind, "%s", x->kind);
    s->nacts++;
    return DB_OK;
}

/* What the step's completion does to s (in memory; the caller writes it): the consequence of
 * the last act of the step. Adds to pl what happened. */
static void
complete_step(struct eval_session *s, cJSON *pl, int64_t now)
{
    (void)now;
    enum eval_step was = s->step;
    if (was == STEP_REPORT) {
        /* every member signed: the report is the draft and the signatures; a refusal without
         * reasons counts as agreement (评标委员会和评标方法暂行规定 第四十三条) */
        cJSON *rep = cJSON_Parse(s->report), *sig = cJSON_CreateArray();
        for (size_t i = 0; i < s->nmembers; i++) {
            const struct eval_member *m = &s->members[i];
            for (size_t a = 0; m->sitting && a < s->nacts; a++) {
                if (s->acts[a].user_id != m->user_id || strcmp(s->acts[a].kind, "report"))
                    continue;
                const cJSON *p = s->acts[a].payload;
                const char *why =
                    cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(p, "reason"));
                bool dissent = cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(p, "agree"));
                cJSON *x = cJSON_CreateObject();
                cJSON_AddStringToObject(x, "member", m->pseudonym);
                cJSON_AddBoolToObject(x, "agree", !(dissent && why && *why));
                if (dissent && why && *why)
                    cJSON_AddStringToObject(x, "dissent", why);
                if (dissent && !(why && *why))
                    cJSON_AddBoolToObject(x, "counted_as_agreement", true);
                cJSON_AddItemToArray(sig, x);
            }
        }
        if (!rep)
            rep = cJSON_CreateObject();
        if (s->chair_user && eval_member_of(s, s->chair_user))
            cJSON_AddStringToObject(rep, "chair", eval_member_of(s, s->chair_user)->pseudonym);
        cJSON_AddItemToObject(rep, "signatures", sig);
        free(s->report);
        s->report = canon_text(rep);
        cJSON_AddItemToObject(pl, "report", rep);
    }
    if (was == STEP_CHAIR) {
        s->chair_user = evaluation_rule_chair(s);
        if (!s->chair_user) { /* no majority: the members vote again */
            s->chair_round++;
            json_add_i64(pl, "chair_round", s->chair_round);
            return;
        }
        const struct eval_member *m = eval_member_of(s, s->chair_user);
        cJSON_AddStringToObject(pl, "chair", m ? m->pseudonym : "");
    }
    if (was == STEP_QUALIFICATION || was == STEP_PRELIMINARY) {
        evaluation_rule_reviews(s, was);
        cJSON *rej = cJSON_AddArrayToObject(pl, "rejected");
        for (size_t i = 0; i < s->nbids; i++)
            if (!s->bids[i].valid && !strcmp(s->bids[i].rejected_at, evaluation_steps[was]))
                cJSON_AddItemToArray(rej, cJSON_CreateNumber((double)s->bids[i].bid_id));
    }
    s->step = evaluation_rule_next(was, s->method.kind);
    if (s->step == STEP_REPORT) {
        /* the platform drafts the result from the record; the members sign it */
        cJSON *res = evaluation_rule_result(s);
        free(s->report);
        s->report = NULL;
        char *text = canon_text(res);
        cJSON_AddItemToObject(pl, "result", res);
        /* kept as the draft until every member signed (then the state says reported) */
        s->report = text;
    }
    if (s->step == STEP_DONE)
        snprintf(s->state, sizeof s->state, "%s", "reported");
    cJSON_AddStringToObject(pl, "advanced_to", evaluation_steps[s->step]);
}

/* A clarification asked (the bidder is told, in writing, through the platform) or the
 * committee's finding on its answer: its row and its entry; the steps do not move. */
static enum tx_result
side_effects(struct dbconn *c, struct req *r, struct eval_session *s, const struct eval_member *me,
             const struct act_in *x, const struct signing_key *k, const cJSON *fields, int64_t now)
{
    int64_t id = json_i64(x->payload, "clarification_id", 0);
    enum db_status st = DB_OK;
    cJSON *carried = NULL, *result = NULL; /* a reject-all carried: the bids, the drafted result */
    cJSON *booking_move = NULL;            /* more time: the room's booking extended */
    bool extended = false;
    if (!strcmp(x->kind, "clarify")) {
        int64_t bid = json_i64(x->payload, "bid_id", 0), org = 0;
        for (size_t i = 0; i < s->nbids; i++)
            if (s->bids[i].bid_id == bid)
                org = s->bids[i].org_id;
        int64_t by = json_i64(x->payload, "answer_by_us", 0);
        const char *q = json_str(x->payload, "question");
        if (store_clar_insert(c, s->id, bid, org, r->who.user_id, q, by, now, &id) != DB_OK)
            return TX_DBFAIL;
        char ids[40], body[2600], when[24];
        snprintf(ids, sizeof ids, "[%lld]", (long long)org);
        cal_format_minute(by, when);
        snprintf(
            body, sizeof body,
            "评标委员会要求贵单位对投标文件作出书面澄清（实施条例 第五十二条），请于 %s 前在平台以"
            "单位证书签署答复（澄清 %lld）。澄清不得改变投标文件的实质性内容。问题：%s",
            when, (long long)id, q);
        struct outbox_msg m = {.kind = "evaluation.clarification",
                               .subject = "澄清要求 A clarification is asked",
                               .body = body,
                               .ref_type = "clarification",
                               .ref_id = id};
        char *users = accounts_members_of(c, ids, &st);
        if (st == DB_OK)
            st = outbox_send_each(c, users, &m, now);
        free(users);
    } else if (!strcmp(x->kind, "more_time")) { /* granted when more than a third asked */
        if (record_act(c, r, s, x, s->extensions + 1, now) != DB_OK)
            return TX_DBFAIL;
        if (evaluation_rule_more_time_granted(s)) {
            s->extensions++;
            extended = true;
            /* the room's booking extended by the platform, when the room can hold it */
            struct venue_session vs;
            struct refusal vf = {0};
            bool have = false;
            if (venues_session(c, s->booking_id, &vs, &have) != DB_OK ||
                (have && venues_extend(c, s->booking_id, vs.end_us + EVAL_EXTEND_US, now, &vf,
                                       &booking_move) != DB_OK))
                return TX_DBFAIL;
            char body[1800], until[24] = "";
            if (booking_move)
                cal_format_minute(vs.end_us + EVAL_EXTEND_US, until);
            if (booking_move)
                snprintf(body, sizeof body,
                         "评标 %lld：超过三分之一的评标委员会成员认为评标时间不够，评标时间延长"
                         "（实施条例 第四十八条），评标室预约已延长至 %s（北京时间）。Evaluation "
                         "%lld: more than a third of the members find the time too short; the "
                         "room's booking is extended to %s.",
                         (long long)s->id, until, (long long)s->id, until);
            else
                snprintf(body, sizeof body,
                         "评标 %lld：超过三分之一的评标委员会成员认为评标时间不够，评标时间应当延长"
                         "（实施条例 第四十八条），但评标室无法顺延（%s），请代理机构另行安排。"
                         "Evaluation %lld: the time is extended, but the room cannot hold it "
                         "(%s): arrange another.",
                         (long long)s->id, vf.code ? vf.why : "无预约 no booking", (long long)s->id,
                         vf.code ? vf.why : "no booking");
            cJSON *ev = cJSON_CreateObject();
            cJSON_AddStringToObject(ev, "event", "extended");
            json_add_i64(ev, "extensions", s->extensions);
            char ids[40];
            snprintf(ids, sizeof ids, "[%lld]", (long long)s->agent_org_id);
            char *users = NULL;
            st = store_eval_update(c, s, NULL, now);
            if (st == DB_OK)
                st = live_event(c, s->id, "state", ev, now);
            else
                cJSON_Delete(ev);
            if (st == DB_OK)
                users = accounts_members_of(c, ids, &st);
            struct outbox_msg m = {.kind = "evaluation.extended",
                                   .subject = "评标时间延长 More time for the evaluation",
                                   .body = body,
                                   .ref_type = "evaluation",
                                   .ref_id = s->id};
            if (st == DB_OK)
                st = outbox_send_each(c, users, &m, now);
            free(users);
            if (st == DB_OK)
                st = app_notify(c, "supervisor", m.kind, m.subject, body, now);
        }
    } else if (!strcmp(x->kind, "reject_all")) { /* a vote; carried by a majority, the lot fails */
        if (record_act(c, r, s, x, 1, now) != DB_OK)
            return TX_DBFAIL;
        if (evaluation_rule_reject_all_carried(s)) {
            carried = cJSON_CreateArray();
            for (size_t i = 0; i < s->nbids; i++)
                if (s->bids[i].valid)
                    cJSON_AddItemToArray(carried, cJSON_CreateNumber((double)s->bids[i].bid_id));
            evaluation_rule_reject_everything(s);
            cJSON *res = evaluation_rule_result(s);
            cJSON_AddBoolToObject(res, "rejected_all", true);
            free(s->report);
            s->report = canon_text(res);
            result = res;
            cJSON *ev = cJSON_CreateObject();
            cJSON_AddStringToObject(ev, "event", "rejected_all");
            cJSON_AddStringToObject(ev, "step", evaluation_steps[s->step]);
            st = s->report ? store_eval_update(c, s, NULL, now) : DB_ERROR;
            if (st == DB_OK)
                st = live_event(c, s->id, "state", ev, now);
            else
                cJSON_Delete(ev);
        }
    } else if (!strcmp(x->kind, "correct")) { /* after summing: the draft is made again */
        int round = 1;
        for (size_t i = 0; i < s->nacts; i++)
            round += s->acts[i].user_id == r->who.user_id && !strcmp(s->acts[i].kind, "correct");
        if (record_act(c, r, s, x, round, now) != DB_OK)
            return TX_DBFAIL;
        result = evaluation_rule_result(s);
        free(s->report);
        s->report = canon_text(result);
        st = s->report ? store_eval_update(c, s, NULL, now) : DB_ERROR;
    } else if (!strcmp(x->kind, "send_back")) { /* asked by the chair, for a supervisor to decide */
        snprintf(s->back_to, sizeof s->back_to, "%s", json_str(x->payload, "to"));
        snprintf(s->back_reason, sizeof s->back_reason, "%s", json_str(x->payload, "reason"));
        cJSON *ev = cJSON_CreateObject();
        cJSON_AddStringToObject(ev, "event", "send_back_asked");
        cJSON_AddStringToObject(ev, "to", s->back_to);
        cJSON_AddStringToObject(ev, "reason", s->back_reason);
        char body[1300];
        snprintf(body, sizeof body, "评标 %lld：组长申请退回至「%s」，理由：%s。请监督人员审核。",
                 (long long)s->id, s->back_to, s->back_reason);
        st = store_eval_update(c, s, NULL, now);
        if (st == DB_OK)
            st = live_event(c, s->id, "state", ev, now);
        else
            cJSON_Delete(ev);
        if (st == DB_OK)
            st = app_notify(c, "supervisor", "evaluation.send_back",
                            "评标退回申请 A send-back to decide", body, now);
    } else
        st = store_clar_finding(c, id, json_bool(x->payload, "substantive", false),
                                json_str(x->payload, "note"), now);
    if (st != DB_OK) {
        cJSON_Delete(carried);
        cJSON_Delete(result);
        cJSON_Delete(booking_move);
        return TX_DBFAIL;
    }
    if (!strcmp(x->kind, "clarify") || !strcmp(x->kind, "finding")) {
        cJSON *ev = cJSON_CreateObject();
        json_add_i64(ev, "id", id);
        cJSON_AddStringToObject(ev, "event", !strcmp(x->kind, "clarify") ? "asked" : "found");
        cJSON_AddStringToObject(ev, "member", me->pseudonym);
        if (live_event(c, s->id, "clarification", ev, now) != DB_OK)
            return TX_DBFAIL;
    }
    if (!strcmp(x->kind, "reject_all") || !strcmp(x->kind, "more_time") ||
        !strcmp(x->kind, "correct")) { /* for the board: who and when, never a value */
        cJSON *ev = cJSON_CreateObject();
        cJSON_AddStringToObject(ev, "member", me->pseudonym);
        cJSON_AddStringToObject(ev, "kind", x->kind);
        json_add_i64(ev, "signed_us", x->signed_us);
        if (live_event(c, s->id, "progress", ev, now) != DB_OK) {
            cJSON_Delete(carried);
            cJSON_Delete(result);
            cJSON_Delete(booking_move);
            return TX_DBFAIL;
        }
    }
    cJSON *pl = cJSON_CreateObject();
    json_add_i64(pl, "evaluation_id", s->id);
    cJSON_AddStringToObject(pl, "member", me->pseudonym);
    cJSON_AddStringToObject(pl, "kind", x->kind);
    json_add_i64(pl, "clarification_id", id);
    cJSON *sa = accounts_signed_json(k, EVAL_ACT_DOMAIN, fields, x->signature);
    if (!sa) {
        cJSON_Delete(pl);
        cJSON_Delete(carried);
        cJSON_Delete(result);
        cJSON_Delete(booking_move);
        return TX_DBFAIL;
    }
    cJSON_AddItemToObject(pl, "signed", sa);
    if (extended)
        json_add_i64(pl, "extended", s->extensions);
    if (booking_move) { /* as the venue ledger of the replay reads a move */
        cJSON *moves = cJSON_AddArrayToObject(pl, "booking_moves");
        cJSON_AddItemToArray(moves, booking_move);
        booking_move = NULL;
    }
    if (carried) {
        cJSON_AddItemToObject(pl, "rejected", carried);
        cJSON_AddStringToObject(pl, "advanced_to", evaluation_steps[s->step]);
        carried = NULL;
    }
    if (result) /* the draft made again: by a carried reject-all or a correction */
        cJSON_AddItemToObject(pl, "result", result);
    return audit_append(c, req_actor(r), "evaluation.act", "evaluation", s->id, s->project_id, pl,
                        NULL) == DB_OK
               ? TX_COMMIT
               : TX_DBFAIL;
}

static enum tx_result
act_tx(struct dbconn *c, struct req *r, void *arg)
{
    struct experts_committee *com = NULL;
    struct act_in *x = arg;
    struct eval_session s;
    struct signing_key k = {0};
    bool found;
    char why[300] = "";
    const char *rule = NULL;
    cJSON *fields = NULL, *pl = NULL;
    int64_t now = clock_now_us();
    if (store_eval_load(c, x->id, true, &s, &found) != DB_OK)
        return TX_DBFAIL;
    enum tx_result t = TX_REFUSE;
    if (!found) {
        req_error(r, E_NOT_FOUND, "no evaluation %lld", (long long)x->id);
        goto out;
    }
    /* the facts: who the caller is in this committee, what they did, the signature's check */
    /* the committee as the draw has it now: a member the center replaced sits no more; a
     * confirmed replacement signed in in the room may take a vacant seat */
    com = calloc(1, sizeof *com);
    bool have_com = false;
    int64_t signed_in = 0;
    const char *join_pseudonym = NULL;
    if (!com || experts_committee(c, s.booking_id, com, &have_com) != DB_OK) {
        free(com);
        com = NULL;
        t = TX_DBFAIL;
        goto out;
    }
    size_t replaced[EXPERTS_COMMITTEE_MAX], nreplaced = 0;
    for (size_t i = 0; have_com && i < com->n; i++) {
        struct eval_member *m = NULL;
        for (size_t j = 0; j < s.nmembers; j++)
            if (s.members[j].user_id == com->m[i].user_id)
                m = &s.members[j];
        if (m && com->m[i].replaced && m->sitting) {
            m->sitting = false;
            replaced[nreplaced++] = (size_t)(m - s.members);
        }
        if (!m && !com->m[i].replaced && com->m[i].user_id == r->who.user_id)
            join_pseudonym = com->m[i].pseudonym;
    }
    /* a representative the tenderer designated in place of one who recused joins the same way */
    char rep_pseudonym[17];
    if (!join_pseudonym && !eval_member_of(&s, r->who.user_id) && r->who.role == ROLE_TENDERER) {
        struct venue_session vs = {.booking_id = s.booking_id};
        bool rep = false;
        if (eval_rep_admitted(c, &vs, r->who.user_id, r->who.org_id, &rep) != DB_OK) {
            t = TX_DBFAIL;
            goto out;
        }
        snprintf(rep_pseudonym, sizeof rep_pseudonym, EVAL_REP_PREFIX "%lld",
                 (long long)r->who.user_id);
        join_pseudonym = rep ? rep_pseudonym : NULL;
    }
    if (join_pseudonym && venues_signed_in(c, s.booking_id, r->who.user_id, &signed_in) != DB_OK) {
        t = TX_DBFAIL;
        goto out;
    }
    struct act_facts f = {
        .s = &s, .me = eval_member_of(&s, r->who.user_id), .kind = x->kind, .payload = x->payload};
    f.joining = join_pseudonym && signed_in;
    struct eval_clar clar;
    bool have_clar = false;
    if (!strcmp(x->kind, "finding") &&
        store_clar_get(c, json_i64(x->payload, "clarification_id", 0), true, &clar, &have_clar) !=
            DB_OK) {
        t = TX_DBFAIL;
        goto out;
    }
    f.clar = have_clar ? &clar : NULL;
    int round = !strcmp(x->kind, "chair")       ? s.chair_round
                : !strcmp(x->kind, "more_time") ? s.extensions + 1
                                                : 1;
    for (size_t i = 0; f.me && i < s.nacts; i++)
        f.done |= s.acts[i].user_id == r->who.user_id && !strcmp(s.acts[i].kind, x->kind) &&
                  s.acts[i].round == round;
    fields = cJSON_CreateObject();
    json_add_i64(fields, "evaluation_id", s.id);
    cJSON_AddStringToObject(fields, "kind", x->kind);
    cJSON_AddItemToObject(fields, "payload", cJSON_Duplicate(x->payload, true));
    f.sig = f.me || f.joining
                ? store_signed_act(c, r, EVAL_ACT_DOMAIN, fields, x->key_id, x->signed_us,
                                   x->signature, now, &k, &rule, why, sizeof why)
                : ACT_KEY;
    if (f.sig == ACT_DBFAIL) {
        t = TX_DBFAIL;
        goto out;
    }
    f.sig_rule = rule;
    f.sig_why = why;
    struct refusal no = evaluation_rule_act(&f, now);
    if (no.code) {
        if (!f.me && !f.joining)
            req_error(r, E_NOT_FOUND, "no evaluation %lld", (long long)x->id);
        else
            req_refusal(r, &no);
        goto out;
    }
    /* the effects */
    t = TX_DBFAIL;
    for (size_t i = 0; i < nreplaced; i++)
        if (store_member_set(c, s.id, s.members[replaced[i]].user_id,
                             s.members[replaced[i]].pseudonym, false) != DB_OK)
            goto out;
    bool joined = false, recused = false;
    if (f.joining) { /* the replacement takes the vacant seat */
        if (s.nmembers >= EXPERTS_COMMITTEE_MAX ||
            store_member_set(c, s.id, r->who.user_id, join_pseudonym, true) != DB_OK)
            goto out;
        struct eval_member *m = &s.members[s.nmembers++];
        m->user_id = r->who.user_id;
        snprintf(m->pseudonym, sizeof m->pseudonym, "%s", join_pseudonym);
        m->sitting = true;
        f.me = m;
        joined = true;
    }
    if (!strcmp(x->kind, "pledge") && json_bool(x->payload, "conflict", false)) {
        /* 回避: the member leaves; center staff replace them from the draw's order */
        struct eval_member *m = (struct eval_member *)f.me;
        m->sitting = false;
        recused = true;
        char body[400];
        snprintf(body, sizeof body,
                 "评标委员会成员 %s 声明回避（评标 %lld）。请从抽取顺序中补抽：POST "
                 "/api/v1/draws/%lld/members/%s/replace。Member %s of evaluation %lld declared a "
                 "conflict of interest: replace them from the draw.",
                 m->pseudonym, (long long)s.id, (long long)s.draw_id, m->pseudonym, m->pseudonym,
                 (long long)s.id);
        if (store_member_set(c, s.id, m->user_id, m->pseudonym, false) != DB_OK ||
            app_notify(c, "center_admin", "evaluation.recusal", "评标专家回避 A member recused",
                       body, now) != DB_OK)
            goto out;
    }
    if (evaluation_rule_side_act(x->kind)) {
        if ((t = side_effects(c, r, &s, f.me, x, &k, fields, now)) == TX_COMMIT) {
            struct eval_session again;
            bool found2;
            if (store_eval_load(c, s.id, false, &again, &found2) != DB_OK || !found2) {
                t = TX_DBFAIL;
                goto out;
            }
            req_json(r, 201, eval_session_json(&again, &r->who, false));
            eval_session_free(&again);
        }
        goto out;
    }
    if (record_act(c, r, &s, x, round, now) != DB_OK)
        goto out;
    pl = cJSON_CreateObject();
    json_add_i64(pl, "evaluation_id", s.id);
    cJSON_AddStringToObject(pl, "member", f.me->pseudonym);
    cJSON_AddStringToObject(pl, "kind", x->kind);
    if (joined)
        cJSON_AddBoolToObject(pl, "joined", true);
    if (recused)
        cJSON_AddBoolToObject(pl, "recused", true);
    if (nreplaced) {
        cJSON *gone = cJSON_AddArrayToObject(pl, "replaced");
        for (size_t i = 0; i < nreplaced; i++)
            cJSON_AddItemToArray(gone, cJSON_CreateString(s.members[replaced[i]].pseudonym));
    }
    cJSON *sa = accounts_signed_json(&k, EVAL_ACT_DOMAIN, fields, x->signature);
    if (!sa)
        goto out;
    cJSON_AddItemToObject(pl, "signed", sa);
    if (evaluation_rule_step_complete(&s)) {
        enum eval_step was = s.step;
        complete_step(&s, pl, now);
        if (store_eval_update(c, &s, NULL, now) != DB_OK)
            goto out;
        if (was == STEP_DETAILED) { /* the scoring indicators, for the committee and supervisors */
            struct eval_fired fired[EVAL_MAX_FIRED];
            size_t nf = evaluation_rule_score_indicators(&s, fired, EVAL_MAX_FIRED);
            cJSON *ind = cJSON_AddArrayToObject(pl, "indicators");
            for (size_t i = 0; i < nf; i++) {
                if (store_indicator_insert(c, s.id, &fired[i], now) != DB_OK)
                    goto out;
                cJSON *o = cJSON_CreateObject();
                cJSON_AddStringToObject(o, "code", fired[i].code);
                cJSON_AddStringToObject(o, "subject", fired[i].subject);
                cJSON_AddStringToObject(o, "evidence", fired[i].evidence);
                cJSON_AddItemToArray(ind, o);
            }
        }
    }
    /* the live record: who acted on which step and when, never a value */
    cJSON *ev = cJSON_CreateObject();
    cJSON_AddStringToObject(ev, "member", f.me->pseudonym);
    cJSON_AddStringToObject(ev, "kind", x->kind);
    json_add_i64(ev, "round", round);
    json_add_i64(ev, "signed_us", x->signed_us);
    if (joined)
        cJSON_AddBoolToObject(ev, "joined", true);
    if (recused)
        cJSON_AddBoolToObject(ev, "recused", true);
    if (live_event(c, s.id, "progress", ev, now) != DB_OK)
        goto out;
    const char *adv = json_str(pl, "advanced_to");
    if (adv || cJSON_GetObjectItemCaseSensitive(pl, "chair_round")) {
        ev = cJSON_CreateObject();
        cJSON_AddStringToObject(ev, "event", !strcmp(s.state, "reported") ? "reported" : "step");
        cJSON_AddStringToObject(ev, "step", evaluation_steps[s.step]);
        json_add_i64(ev, "chair_round", s.chair_round);
        if (live_event(c, s.id, "state", ev, now) != DB_OK)
            goto out;
    }
    const cJSON *ind;
    cJSON_ArrayForEach(ind, cJSON_GetObjectItemCaseSensitive(pl, "indicators"))
    {
        ev = cJSON_CreateObject();
        cJSON_AddStringToObject(ev, "code", json_str(ind, "code"));
        cJSON_AddStringToObject(ev, "subject", json_str(ind, "subject"));
        if (live_event(c, s.id, "indicator", ev, now) != DB_OK)
            goto out;
    }
    enum db_status st =
        audit_append(c, req_actor(r), "evaluation.act", "evaluation", s.id, s.project_id, pl, NULL);
    pl = NULL;
    if (st != DB_OK)
        goto out;
    req_json(r, 201, eval_session_json(&s, &r->who, false));
    t = TX_COMMIT;
out:
    free(com);

    cJSON_Delete(fields);
    cJSON_Delete(pl);
    accounts_signing_key_free(&k);
    eval_session_free(&s);
    return t;
}

void
eval_act(struct req *r, const cJSON *body)
{
    struct act_in x = {.signed_us = json_i64(body, "signed_us", 0),
                       .kind = json_str(body, "kind"),
                       .key_id = json_str(body, "key_id"),
                       .signature = json_str(body, "signature"),
                       .payload = cJSON_GetObjectItemCaseSensitive(body, "payload")};
    if (req_param_id(r, "id", &x.id))
        req_tx(r, act_tx, &x);
}
