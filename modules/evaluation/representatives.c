/*
 * representatives.c — the tenderer's representatives on the evaluation committee
 * (docs/evaluation.md §7a). The committee is the tenderer's representatives and the drawn experts
 * (招标投标法 第三十七条; 财政部令第87号 第四十七条): the draw counts the representatives' seats
 * (owner_reps) and the tenderer designates who sits in them — one of its own users of role
 * tenderer, in a statement signed with the designating user's certified key. A representative signs
 * in in the room as the members do (venues asks this file through the party check it declares),
 * sits as a member under the pseudonym "rep-<user id>" and signs every act with its own key; under
 * government procurement it may not chair (第四十五条, EVAL-CHAIR-REPRESENTATIVE). A
 * representative who recuses leaves the seat for another the tenderer designates, who joins by
 * pledging, as a drawn replacement does.
 *
 *   POST /api/v1/evaluations/representatives   {booking_id, user_id, key_id, signed_us, signature}
 *
 * What is signed: "ggzy-evaluation-representative-v1\n" canonical({booking_id, platform,
 * representative_user_id, signed_us, user_id}).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "canon.h"
#include "entry/entry.h"
#include "internal.h"
#include "outbox/outbox.h"
#include "venues/venues.h"

enum db_status
eval_rep_admitted(struct dbconn *c, const struct venue_session *s, int64_t user, int64_t org,
                  bool *admitted)
{
    struct dbres r = {0};
    (void)org;
    *admitted = false;
    enum db_status st = store_reps(c, s->booking_id, &r);
    for (size_t i = 0; st == DB_OK && i < r.nrows; i++)
        *admitted |= dbres_i64(&r, i, DB_VALUE) == user;
    dbres_free(&r);
    return st;
}

struct designate_in {
    int64_t booking, user, signed_us;
    const char *key_id, *signature;
};

static enum tx_result
designate_tx(struct dbconn *c, struct req *r, void *arg)
{
    struct designate_in *x = arg;
    struct designate_facts f = {.session = ""};
    struct venue_session vs;
    struct project_view v;
    struct experts_committee *com = calloc(1, sizeof *com);
    struct signing_key k = {0};
    struct dbres reps = {0}, people = {0}, sess = {0};
    char why[300] = "", ids[48], pseudonym[24], body[600];
    const char *rule = NULL;
    cJSON *fields = NULL, *pl = NULL;
    int64_t now = clock_now_us();
    bool found = false;
    enum tx_result t = TX_DBFAIL;
    if (!com || venues_session(c, x->booking, &vs, &f.booking_found) != DB_OK)
        goto out;
    f.booking_found &= !strcmp(vs.purpose, "evaluation");
    if (f.booking_found && entry_project(c, vs.project_id, true, &v, &found) != DB_OK)
        goto out;
    f.own_project = found && v.tenderer_org_id == r->who.org_id;
    if (f.own_project) {
        if (experts_committee(c, x->booking, com, &f.committee_found) != DB_OK ||
            store_reps(c, x->booking, &reps) != DB_OK ||
            store_booking_sessions(c, x->booking, &sess) != DB_OK)
            goto out;
        f.owner_reps = f.committee_found ? com->owner_reps : 0;
        f.designated = reps.nrows;
        for (size_t i = 0; i < reps.nrows; i++)
            f.already |= dbres_i64(&reps, i, DB_VALUE) == x->user;
        int64_t n = dbres_i64(&sess, 0, BS_SESSIONS), open = dbres_i64(&sess, 0, BS_OPEN);
        f.session = n > 0 && open == 0 ? "reported" : n > 0 ? "open" : "";
        f.recused = (size_t)dbres_i64(&sess, 0, BS_RECUSED);
        snprintf(ids, sizeof ids, "[%lld]", (long long)x->user);
        if (accounts_people(c, ids, &people) != DB_OK)
            goto out;
        size_t row = accounts_person_row(&people, x->user);
        f.user_ok = row != (size_t)-1 && !strcmp(dbres_str(&people, row, PE_ROLE), "tenderer") &&
                    dbres_i64(&people, row, PE_ORG) == r->who.org_id &&
                    !dbres_i64(&people, row, PE_DISABLED);
    }
    fields = cJSON_CreateObject();
    json_add_i64(fields, "booking_id", x->booking);
    json_add_i64(fields, "representative_user_id", x->user);
    f.sig = f.own_project ? store_signed_act(c, r, EVAL_REP_DOMAIN, fields, x->key_id, x->signed_us,
                                             x->signature, now, &k, &rule, why, sizeof why)
                          : ACT_KEY;
    if (f.sig == ACT_DBFAIL)
        goto out;
    f.sig_rule = rule;
    f.sig_why = why;
    struct refusal no = evaluation_rule_designate(&f, now);
    if (no.code) {
        if (!f.booking_found || !f.own_project)
            req_error(r, E_NOT_FOUND, "no evaluation booking %lld of a project of yours",
                      (long long)x->booking);
        else
            req_refusal(r, &no);
        t = TX_REFUSE;
        goto out;
    }
    if (store_rep_insert(c, x->booking, x->user, r->who.org_id, r->who.user_id, x->key_id,
                         x->signature, x->signed_us, now) != DB_OK)
        goto out;
    snprintf(pseudonym, sizeof pseudonym, EVAL_REP_PREFIX "%lld", (long long)x->user);
    snprintf(body, sizeof body,
             "贵单位指定您为评标委员会的招标人代表（预约 %lld），请按时到评标室签到并以本人证书"
             "签署评标行为（招标投标法 第三十七条）。You represent the tenderer on the committee "
             "of booking %lld: sign in in the room and sign each act with your key.",
             (long long)x->booking, (long long)x->booking);
    struct outbox_msg m = {.kind = "evaluation.representative",
                           .subject = "评标委员会招标人代表 You sit on the committee",
                           .body = body,
                           .ref_type = "booking",
                           .ref_id = x->booking};
    if (outbox_send_each(c, ids, &m, now) != DB_OK)
        goto out;
    pl = cJSON_CreateObject();
    json_add_i64(pl, "booking_id", x->booking);
    json_add_i64(pl, "representative_user_id", x->user);
    cJSON_AddStringToObject(pl, "pseudonym", pseudonym);
    cJSON *sa = accounts_signed_json(&k, EVAL_REP_DOMAIN, fields, x->signature);
    if (!sa)
        goto out;
    cJSON_AddItemToObject(pl, "signed", sa);
    enum db_status st = audit_append(c, req_actor(r), "evaluation.representative", "booking",
                                     x->booking, vs.project_id, pl, NULL);
    pl = NULL;
    if (st != DB_OK)
        goto out;
    cJSON *o = cJSON_CreateObject();
    json_add_i64(o, "booking_id", x->booking);
    json_add_i64(o, "user_id", x->user);
    cJSON_AddStringToObject(o, "pseudonym", pseudonym);
    req_json(r, 201, o);
    t = TX_COMMIT;
out:
    cJSON_Delete(fields);
    cJSON_Delete(pl);
    dbres_free(&reps);
    dbres_free(&people);
    dbres_free(&sess);
    accounts_signing_key_free(&k);
    free(com);
    return t;
}

void
eval_designate(struct req *r, const cJSON *body)
{
    struct designate_in x = {.booking = json_i64(body, "booking_id", 0),
                             .user = json_i64(body, "user_id", 0),
                             .signed_us = json_i64(body, "signed_us", 0),
                             .key_id = json_str(body, "key_id"),
                             .signature = json_str(body, "signature")};
    req_tx(r, designate_tx, &x);
}
