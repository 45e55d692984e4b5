/*
 * clarify.c — a bidder's side of a clarification (澄清, 实施条例 第五十二条): the committee asks
 * in writing (a member's act, acts.c); the bidder reads what was asked of its organization and
 * answers, signed with its certified key, before the time the committee set. A bidder never
 * starts a contact: there is no route for it, and an answer to anything but a question asked of
 * the caller's organization is 404. The committee records whether the answer would change the
 * bid's substance (the chair's "finding" act); the answer is kept in the record either way.
 *
 *   GET  /api/v1/clarifications                 what was asked of the caller's organization
 *   POST /api/v1/clarifications/{id}/answer     {answer, key_id, signed_us, signature}
 *
 * What is signed: "ggzy-clarification-answer-v1\n" canonical({answer, clarification_id,
 * platform, signed_us, user_id}).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "canon.h"
#include "internal.h"

#define ANSWER_DOMAIN "ggzy-clarification-answer-v1"

cJSON *
eval_clar_json(void *ctx, const struct dbres *s, size_t i)
{
    (void)ctx;
    cJSON *o = cJSON_CreateObject();
    json_add_i64(o, "id", dbres_i64(s, i, KC_ID));
    json_add_i64(o, "evaluation_id", dbres_i64(s, i, KC_EVAL));
    json_add_i64(o, "bid_id", dbres_i64(s, i, KC_BID));
    json_add_i64(o, "org_id", dbres_i64(s, i, KC_ORG));
    cJSON_AddStringToObject(o, "question", dbres_str(s, i, KC_QUESTION));
    json_add_i64(o, "answer_by_us", dbres_i64(s, i, KC_BY));
    json_add_i64(o, "asked_us", dbres_i64(s, i, KC_ASKED));
    if (dbres_str(s, i, KC_ANSWERED)) {
        cJSON_AddStringToObject(o, "answer", dbres_str(s, i, KC_ANSWER));
        json_add_i64(o, "answered_us", dbres_i64(s, i, KC_ANSWERED));
    } else {
        cJSON_AddNullToObject(o, "answer");
        cJSON_AddNullToObject(o, "answered_us");
    }
    if (dbres_str(s, i, KC_SUBST)) {
        cJSON_AddBoolToObject(o, "substantive", dbres_i64(s, i, KC_SUBST) != 0);
        cJSON_AddStringToObject(o, "finding_note", dbres_str(s, i, KC_NOTE));
    }
    return o;
}

void
clar_list(struct req *r, const cJSON *body)
{
    (void)body;
    int64_t after, limit;
    struct dbres s = {0};
    struct dbconn *c = req_db(r);
    if (!c || !req_page(r, &after, &limit, 50, 200))
        return;
    enum db_status st = store_clar_list(c, 0, r->who.org_id, after, limit, &s);
    if (st != DB_OK)
        req_db_fail(r, c, st);
    else
        req_page_reply(r, &s, limit, "after", KC_ID, eval_clar_json, NULL);
    dbres_free(&s);
}

struct answer_in {
    int64_t id, signed_us;
    const char *answer, *key_id, *signature;
};

static enum tx_result
answer_tx(struct dbconn *c, struct req *r, void *arg)
{
    struct answer_in *x = arg;
    struct eval_clar k;
    struct eval_session s = {0};
    struct signing_key key = {0};
    bool found, have_s = false;
    char why[300] = "";
    const char *rule = NULL;
    cJSON *fields = NULL, *pl = NULL;
    int64_t now = clock_now_us();
    enum tx_result t = TX_DBFAIL;
    if (store_clar_get(c, x->id, true, &k, &found) != DB_OK)
        goto out;
    /* only what was asked of the caller's organization exists for it */
    if (found && k.org_id != r->who.org_id)
        found = false;
    if (found && store_eval_load(c, k.evaluation_id, false, &s, &have_s) != DB_OK)
        goto out;
    t = TX_REFUSE;
    if (!found || !have_s) {
        req_error(r, E_NOT_FOUND, "no clarification %lld asked of you", (long long)x->id);
        goto out;
    }
    fields = cJSON_CreateObject();
    cJSON_AddStringToObject(fields, "answer", x->answer);
    json_add_i64(fields, "clarification_id", x->id);
    struct clarify_answer_facts f = {
        .clar = &k, .session_state = s.state, .answer_len = strlen(x->answer)};
    f.sig = store_signed_act(c, r, ANSWER_DOMAIN, fields, x->key_id, x->signed_us, x->signature,
                             now, &key, &rule, why, sizeof why);
    if (f.sig == ACT_DBFAIL) {
        t = TX_DBFAIL;
        goto out;
    }
    f.sig_rule = rule;
    f.sig_why = why;
    struct refusal no = evaluation_rule_clarify_answer(&f, now);
    if (no.code) {
        req_refusal(r, &no);
        goto out;
    }
    t = TX_DBFAIL;
    if (store_clar_answer(c, x->id, r->who.user_id, x->answer, x->key_id, x->signature, now) !=
        DB_OK)
        goto out;
    cJSON *ev = cJSON_CreateObject();
    json_add_i64(ev, "id", x->id);
    cJSON_AddStringToObject(ev, "event", "answered");
    if (live_event(c, k.evaluation_id, "clarification", ev, now) != DB_OK)
        goto out;
    pl = cJSON_CreateObject();
    json_add_i64(pl, "clarification_id", x->id);
    json_add_i64(pl, "evaluation_id", k.evaluation_id);
    json_add_i64(pl, "bid_id", k.bid_id);
    cJSON *sa = accounts_signed_json(&key, ANSWER_DOMAIN, fields, x->signature);
    if (!sa)
        goto out;
    cJSON_AddItemToObject(pl, "signed", sa);
    enum db_status st = audit_append(c, req_actor(r), "evaluation.clarification.answer",
                                     "evaluation", k.evaluation_id, s.project_id, pl, NULL);
    pl = NULL;
    if (st != DB_OK)
        goto out;
    cJSON *o = cJSON_CreateObject();
    json_add_i64(o, "id", x->id);
    cJSON_AddStringToObject(o, "answer", x->answer);
    json_add_i64(o, "answered_us", now);
    req_json(r, 200, o);
    t = TX_COMMIT;
out:
    cJSON_Delete(fields);
    cJSON_Delete(pl);
    accounts_signing_key_free(&key);
    eval_session_free(&s);
    return t;
}

void
clar_answer(struct req *r, const cJSON *body)
{
    struct answer_in x = {.signed_us = json_i64(body, "signed_us", 0),
                          .answer = json_str(body, "answer"),
                          .key_id = json_str(body, "key_id"),
                          .signature = json_str(body, "signature")};
    if (req_param_id(r, "id", &x.id))
        req_tx(r, answer_tx, &x);
}
