/*
 * drafts.c — agents draft announcements for their accepted projects and change them until they
 * are published.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "accounts/accounts.h"
#include "announce.h"
#include "audit.h"
#include "canon.h"
#include "scoring.h"
#include "checkpoint.h"
#include "crypto.h"
#include "entry/entry.h"
#include "internal.h"
#include "store.h"

/* ---- drafts ---- */

static bool
read_ann(struct req *r, const cJSON *b, struct ann_in *in)
{
    memset(in, 0, sizeof *in);
    in->type = json_str(b, "type");
    in->title = json_str(b, "title");
    in->body = json_str(b, "body");
    in->amends_id = json_i64(b, "amends_id", 0);
    in->affects_bids = json_bool(b, "affects_bids", false);
    in->opening_place = json_str(b, "opening_place");
    for (int k = 0; k < 6; k++)
        in->t[k] = json_i64(b, announce_time_keys[k], 0);
    const cJSON *deps = cJSON_GetObjectItemCaseSensitive(b, "deposits");
    for (const cJSON *it = deps ? deps->child : NULL; it; it = it->next) {
        static const struct field dep_schema[] = {
            {"lot", F_INT, true, 1, 50, NULL},
            {"deposit_fen", F_INT, true, 0, INT64_C(9007199254740991), NULL},
            {NULL},
        };
        if (!json_validate(r, it, dep_schema, "deposits[]."))
            return false;
        in->dep_lot[in->ndep] = (int)json_i64(it, "lot", 0);
        in->dep_fen[in->ndep++] = json_i64(it, "deposit_fen", 0);
    }
    const cJSON *ev = cJSON_GetObjectItemCaseSensitive(b, "evaluation");
    if (ev) {
        /* the shape now; the category's own limits (the price's weight) at publication */
        struct scoring_method m;
        struct scoring_refusal f = scoring_rule_method(ev, CAT_ENGINEERING, &m);
        if (f.code) {
            req_rule(r, f.code, "%s", f.why);
            return false;
        }
        if (strcmp(in->type, "tender") && strcmp(in->type, "amendment")) {
            req_field_error(r, E_INVALID_FIELD, "evaluation",
                            "only a tender announcement or an amendment declares the evaluation "
                            "method");
            return false;
        }
        cJSON *cm = scoring_method_json(&m);
        in->evaluation = canon_text(cm);
        cJSON_Delete(cm);
        if (!in->evaluation) {
            req_error(r, E_INTERNAL, "the evaluation method cannot be encoded");
            return false;
        }
    }
    if ((strcmp(in->type, "amendment") == 0) != (in->amends_id != 0)) {
        free(in->evaluation);
        in->evaluation = NULL;
        req_field_error(r, E_INVALID_FIELD, "amends_id",
                        "an amendment names the announcement it amends "
                        "(amends_id), and only an amendment does");
        return false;
    }
    return true;
}

static bool
not_draft(struct req *r, const char *state)
{
    req_transition_refused(r, state, "draft",
                           "a published announcement never changes: publish an amendment instead");
    return false;
}

struct draft_ctx {
    int64_t project, id;
    struct ann_in in;
};

/* The end of a draft's creation or edit: its audit entry ({type, title}) and the answer, the
 * announcement as now stored. */
static enum tx_result
draft_done(struct dbconn *c, struct req *r, const char *action, const struct draft_ctx *x,
           int64_t project, unsigned status)
{
    cJSON *p = cJSON_CreateObject();
    cJSON_AddStringToObject(p, "type", x->in.type);
    cJSON_AddStringToObject(p, "title", x->in.title);
    struct dbres a = {0};
    enum tx_result t = TX_DBFAIL;
    if (audit_append(c, req_actor(r), action, "announcement", x->id, project, p, NULL) == DB_OK &&
        store_ann_get(c, x->id, false, &a) == DB_OK && a.nrows == 1) {
        req_json(r, status, ann_json(c, &a, 0, true));
        t = TX_COMMIT;
    }
    dbres_free(&a);
    return t;
}

static enum tx_result
create_tx(struct dbconn *c, struct req *r, void *arg)
{
    struct draft_ctx *x = arg;
    struct project_view v;
    bool found;
    if (entry_project(c, x->project, false, &v, &found) != DB_OK)
        return TX_DBFAIL;
    if (!found || !entry_rule_is_party(&r->who, &v)) {
        req_error(r, E_NOT_FOUND, "no project %lld", (long long)x->project);
        return TX_REFUSE;
    }
    if (!strcmp(v.state, "draft") || !strcmp(v.state, "submitted")) {
        req_transition_refused(r, v.state, "accepted",
                               "nothing is announced for a project the center has not accepted");
        return TX_REFUSE;
    }
    if (store_ann_insert(c, x->project, v.code, category_name((enum category)v.category), v.region,
                         &x->in, r->who.user_id, clock_now_us(), &x->id) != DB_OK)
        return TX_DBFAIL;
    return draft_done(c, r, "announce.draft", x, x->project, 201);
}

void
ann_create(struct req *r, const cJSON *body)
{
    struct draft_ctx x = {0};
    if (req_param_id(r, "id", &x.project) && read_ann(r, body, &x.in))
        req_tx(r, create_tx, &x);
    free(x.in.evaluation);
}

/* Load an announcement whose project the caller is a party to. */
bool
load_own(struct dbconn *c, struct req *r, int64_t id, bool lock, struct dbres *a,
         struct project_view *v, enum tx_result *t)
{
    bool found;
    *t = TX_DBFAIL;
    if (store_ann_get(c, id, lock, a) != DB_OK)
        return false;
    if (a->nrows != 1 || entry_project(c, dbres_i64(a, 0, AC_PROJECT), lock, v, &found) != DB_OK ||
        !found || !entry_rule_is_party(&r->who, v)) {
        if (a->nrows != 1 || found) {
            req_error(r, E_NOT_FOUND, "no announcement %lld", (long long)id);
            *t = TX_REFUSE;
        }
        return false;
    }
    return true;
}

static enum tx_result
update_tx(struct dbconn *c, struct req *r, void *arg)
{
    struct draft_ctx *x = arg;
    struct dbres a = {0};
    struct project_view v;
    enum tx_result t;
    if (!load_own(c, r, x->id, true, &a, &v, &t)) {
        dbres_free(&a);
        return t;
    }
    if (strcmp(dbres_str(&a, 0, AC_STATE), "draft")) {
        not_draft(r, dbres_str(&a, 0, AC_STATE));
        dbres_free(&a);
        return TX_REFUSE;
    }
    dbres_free(&a);
    if (store_ann_update(c, x->id, &x->in, clock_now_us()) != DB_OK)
        return TX_DBFAIL;
    return draft_done(c, r, "announce.edit", x, v.id, 200);
}

void
ann_update(struct req *r, const cJSON *body)
{
    struct draft_ctx x = {0};
    if (req_param_id(r, "id", &x.id) && read_ann(r, body, &x.in))
        req_tx(r, update_tx, &x);
    free(x.in.evaluation);
}

void
ann_get(struct req *r, const cJSON *body)
{
    (void)body;
    int64_t id;
    struct dbconn *c = req_db_for(r, "id", &id);
    if (!c)
        return;
    struct dbres a = {0};
    struct project_view v;
    enum tx_result t;
    if (load_own(c, r, id, false, &a, &v, &t))
        req_json(r, 200, ann_json(c, &a, 0, true));
    else if (t == TX_DBFAIL)
        req_db_fail(r, c, DB_ERROR);
    dbres_free(&a);
}

/* The venues stage relocated a published opening (venues_set_on_relocated): draft the change
 * notice of its place for the agent, amending what is in force; nothing when no tender is
 * published. The agent completes it (a new deadline when the notice period needs one) and
 * publishes it; until then the replay names the opening whose room differs from the announced. */
enum db_status
ann_draft_place_change(struct dbconn *c, int64_t project, int64_t user, const char *old_place,
                       const char *new_place, int64_t now_us, int64_t *draft)
{
    struct ann_in_force f;
    struct project_view v;
    bool found;
    char body[8200];
    *draft = 0;
    enum db_status st = store_ann_in_force(c, project, &f);
    if (st != DB_OK || !f.found)
        return st;
    if ((st = entry_project(c, project, false, &v, &found)) != DB_OK || !found)
        return st;
    snprintf(body, sizeof body,
             "因原开标场地（%s）无法使用，本项目开标地点变更为：%s。开标时间不变。其他内容不变。",
             old_place, new_place);
    struct ann_in in = {.type = "amendment",
                        .title = "变更公告（开标地点变更）",
                        .body = body,
                        .amends_id = f.ann_id,
                        .affects_bids = true,
                        .opening_place = new_place};
    return store_ann_insert(c, project, v.code, category_name((enum category)v.category), v.region,
                            &in, user, now_us, draft);
}
