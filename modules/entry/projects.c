/*
 * projects.c — projects enter through one door: created and amended by their agent as drafts,
 * read and listed by their parties, moved between states by the person who owns each move
 * (project_states.c), each change one req_tx with its audit entry.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "accounts/accounts.h"
#include "audit.h"
#include "crypto.h"
#include "entry.h"
#include "internal.h"
#include "project_states.h"
#include "store.h"

/* ---- input ---- */

static bool
field_error(struct req *r, const char *field, const char *msg)
{
    req_field_error(r, E_INVALID_FIELD, field, "%s", msg);
    return false;
}

/* Read and check a create/amend body into in (pure checks; the tenderer is checked later). */
static bool
read_project(struct req *r, const cJSON *b, struct project_in *in)
{
    memset(in, 0, sizeof *in);
    in->name = json_str(b, "name");
    in->method = json_str(b, "method");
    in->region = json_str(b, "region");
    in->funding_source = json_str(b, "funding_source");
    in->tenderer_org_id = json_i64(b, "tenderer_org_id", 0);
    in->budget_fen = json_i64(b, "budget_fen", 0);
    in->legally_required = json_bool(b, "legally_required", false);
    in->retender_of = json_i64(b, "retender_of", 0);
    in->category = (enum category)category_from_name(json_str(b, "category"));
    if (!accounts_rule_region_ok(in->region))
        return field_error(r, "region", "region must be a six-digit administrative division code");
    if (!entry_rule_method_allowed(in->category, in->method)) {
        req_rule(r, "ENT-METHOD", "the %s category does not allow the method %s",
                 category_name(in->category), in->method);
        return false;
    }
    const cJSON *lots = cJSON_GetObjectItemCaseSensitive(b, "lots");
    int64_t sum = 0;
    for (const cJSON *it = lots->child; it; it = it->next) {
        static const struct field lot_schema[] = {
            {"name", F_STRING, true, 1, 200, NULL},
            {"estimate_fen", F_INT, true, 1, INT64_C(9007199254740991), NULL},
            {NULL},
        };
        if (!json_validate(r, it, lot_schema, "lots[]."))
            return false;
        in->lot_name[in->nlots] = json_str(it, "name");
        in->lot_fen[in->nlots] = json_i64(it, "estimate_fen", 0);
        sum += in->lot_fen[in->nlots++];
    }
    if (sum > in->budget_fen) {
        req_rule(r, "ENT-LOTS-BUDGET",
                 "the lots' estimates add up to %lld fen, more than the budget of %lld fen",
                 (long long)sum, (long long)in->budget_fen);
        return false;
    }
    return true;
}

/* The tenderer must be a tenderer organization. */
static enum tx_result
check_tenderer(struct dbconn *c, struct req *r, int64_t id)
{
    struct org_view o;
    bool found;
    if (accounts_org(c, id, &o, &found) != DB_OK)
        return TX_DBFAIL;
    if (!found || strcmp(o.type, "tenderer")) {
        field_error(r, "tenderer_org_id", "tenderer_org_id must name a tenderer organization");
        return TX_REFUSE;
    }
    return TX_COMMIT;
}

static cJSON *
project_payload(const struct project_in *in)
{
    cJSON *p = cJSON_CreateObject();
    cJSON_AddStringToObject(p, "name", in->name);
    cJSON_AddStringToObject(p, "category", category_name(in->category));
    cJSON_AddStringToObject(p, "method", in->method);
    json_add_i64(p, "budget_fen", in->budget_fen);
    json_add_i64(p, "tenderer_org_id", in->tenderer_org_id);
    cJSON_AddNumberToObject(p, "lots", in->nlots);
    return p;
}

/* ---- handlers ---- */

struct create_ctx {
    struct project_in in;
};

static enum tx_result
create_tx(struct dbconn *c, struct req *r, void *arg)
{
    struct create_ctx *x = arg;
    int64_t id, now = clock_now_us();
    enum tx_result t = check_tenderer(c, r, x->in.tenderer_org_id);
    if (t != TX_COMMIT)
        return t;
    if (x->in.retender_of) {
        struct project_view old;
        bool found;
        if (entry_project(c, x->in.retender_of, false, &old, &found) != DB_OK)
            return TX_DBFAIL;
        if (!found || strcmp(old.state, "failed") || !entry_rule_is_party(&r->who, &old)) {
            req_rule(r, "ENT-RETENDER", "retender_of must name a failed project of yours");
            return TX_REFUSE;
        }
    }
    if (store_project_insert(c, &x->in, r->who.org_id, r->who.user_id, now, &id) != DB_OK ||
        store_lots_replace(c, id, &x->in) != DB_OK)
        return TX_DBFAIL;
    if (audit_append(c, req_actor(r), "project.create", "project", id, id, project_payload(&x->in),
                     NULL) != DB_OK ||
        !reply_project(c, r, id, 201))
        return TX_DBFAIL;
    return TX_COMMIT;
}

void
project_create(struct req *r, const cJSON *body)
{
    struct create_ctx x;
    if (read_project(r, body, &x.in))
        req_tx(r, create_tx, &x);
}

/* Load a project the caller may see; 404 otherwise (others' projects do not exist for them). */
bool
load_visible(struct req *r, struct dbconn *c, int64_t id, bool lock, struct project_view *v,
             enum tx_result *t)
{
    bool found;
    if (entry_project(c, id, lock, v, &found) != DB_OK) {
        *t = TX_DBFAIL;
        return false;
    }
    if (!found || !entry_rule_is_party(&r->who, v)) {
        req_error(r, E_NOT_FOUND, "no project %lld", (long long)id);
        *t = TX_REFUSE;
        return false;
    }
    return true;
}

/* Lock a project the caller may see that must still be a draft (what: why, for the refusal).
 * False with *t set: TX_REFUSE (not found, or 409 invalid_transition) or TX_DBFAIL. */
bool
load_draft(struct req *r, struct dbconn *c, int64_t id, struct project_view *v, enum tx_result *t,
           const char *what)
{
    if (!load_visible(r, c, id, true, v, t))
        return false;
    if (strcmp(v->state, "draft")) {
        req_transition_refused(r, v->state, "draft", "%s; the project is %s", what, v->state);
        *t = TX_REFUSE;
        return false;
    }
    return true;
}

struct amend_ctx {
    int64_t id;
    struct project_in in;
};

static enum tx_result
amend_tx(struct dbconn *c, struct req *r, void *arg)
{
    struct amend_ctx *x = arg;
    struct project_view v;
    enum tx_result t;
    if (!load_draft(r, c, x->id, &v, &t, "only a draft can be changed"))
        return t;
    if ((t = check_tenderer(c, r, x->in.tenderer_org_id)) != TX_COMMIT)
        return t;
    if (store_project_update(c, x->id, &x->in, clock_now_us()) != DB_OK ||
        store_lots_replace(c, x->id, &x->in) != DB_OK ||
        audit_append(c, req_actor(r), "project.amend", "project", x->id, x->id,
                     project_payload(&x->in), NULL) != DB_OK ||
        !reply_project(c, r, x->id, 200))
        return TX_DBFAIL;
    return TX_COMMIT;
}

void
project_amend(struct req *r, const cJSON *body)
{
    struct amend_ctx x;
    if (req_param_id(r, "id", &x.id) && read_project(r, body, &x.in))
        req_tx(r, amend_tx, &x);
}

void
project_get(struct req *r, const cJSON *body)
{
    (void)body;
    int64_t id;
    struct dbconn *c = req_db_for(r, "id", &id);
    if (!c)
        return;
    struct project_view v;
    enum tx_result t;
    if (!load_visible(r, c, id, false, &v, &t)) {
        if (t == TX_DBFAIL)
            req_db_fail(r, c, DB_ERROR);
        return;
    }
    if (!reply_project(c, r, id, 200))
        req_db_fail(r, c, DB_ERROR);
}

void
project_list(struct req *r, const cJSON *body)
{
    (void)body;
    int64_t after, limit;
    const char *state = req_query(r, "state");
    if (!req_page(r, &after, &limit, 50, 200))
        return;
    if (state && !project_state_known(state)) {
        req_error(r, E_BAD_REQUEST, "unknown state \"%s\"", state);
        return;
    }
    struct dbconn *c = req_db(r);
    if (!c)
        return;
    struct dbres res;
    int64_t org = r->who.role & (ROLE_AGENT | ROLE_TENDERER) ? r->who.org_id : 0;
    enum db_status st = store_project_list(c, org, state, after, limit, &res);
    if (st != DB_OK) {
        req_db_fail(r, c, st);
        return;
    }
    req_page_reply(r, &res, limit, "next_after", PC_ID, project_row, c);
    dbres_free(&res);
}

struct transition_ctx {
    int64_t id;
    const char *to, *reason;
};

static enum tx_result
transition_tx(struct dbconn *c, struct req *r, void *arg)
{
    struct transition_ctx *x = arg;
    struct project_view v;
    enum tx_result t;
    if (!load_visible(r, c, x->id, true, &v, &t))
        return t;
    struct dbres full = {0};
    if (store_project_get(c, x->id, false, &full) != DB_OK)
        return TX_DBFAIL;
    const char *suspended_from = dbres_str(&full, 0, PC_SUSPENDED_FROM);
    bool allowed = project_transition_allowed(v.state, x->to) &&
                   (strcmp(v.state, "suspended") || !suspended_from ||
                    !strcmp(x->to, suspended_from) || !strcmp(x->to, "terminated"));
    if (!allowed) {
        dbres_free(&full);
        req_transition_refused(r, v.state, x->to, "a %s project cannot become %s", v.state, x->to);
        return TX_REFUSE;
    }
    dbres_free(&full);
    unsigned roles = entry_rule_transition_roles(v.state, x->to);
    if (!roles) { /* owned by an action, whatever the caller's role */
        const char *owner = project_transition_owner(v.state, x->to);
        req_transition_refused(r, v.state, x->to,
                               "nobody moves a project from %s to %s by hand: %s does that",
                               v.state, x->to, owner ? owner : "another action");
        return TX_REFUSE;
    }
    if (!(roles & r->who.role)) {
        req_error(r, E_FORBIDDEN, "the %s role cannot move a project from %s to %s",
                  role_name(r->who.role), v.state, x->to);
        return TX_REFUSE;
    }
    if (!strcmp(v.state, "opened") && !strcmp(x->to, "evaluating")) { /* once all opened */
        bool ready = false;
        char why[300] = "no opening has been recorded";
        if (entry_opened_check && entry_opened_check(c, x->id, &ready, why, sizeof why) != DB_OK)
            return TX_DBFAIL;
        if (!ready) {
            req_rule(r, "ENT-NOT-OPENED", "the evaluation begins once the bids are opened: %s",
                     why);
            return TX_REFUSE;
        }
    }
    bool returning = !strcmp(v.state, "submitted") && !strcmp(x->to, "draft");
    if ((returning || !strcmp(x->to, "terminated") || !strcmp(x->to, "suspended")) &&
        (!x->reason || !*x->reason)) {
        req_field_error(r, E_MISSING_FIELD, "reason", "say why: reason is required for this step");
        return TX_REFUSE;
    }
    int64_t now = clock_now_us();
    uint64_t changed = 0;
    cJSON *p = cJSON_CreateObject();
    cJSON_AddStringToObject(p, "from", v.state);
    cJSON_AddStringToObject(p, "to", x->to);
    if (x->reason)
        cJSON_AddStringToObject(p, "reason", x->reason);
    if (!strcmp(x->to, "accepted")) { /* the project's code, without gaps or duplicates */
        time_t secs = (time_t)(now / 1000000);
        struct tm tm;
        gmtime_r(&secs, &tm);
        static const char *const letters[] = {"GC", "CG", "TD", "CQ"};
        int seq;
        char code[32];
        if (store_code_next(c, v.region, tm.tm_year + 1900, letters[v.category], &seq) != DB_OK) {
            cJSON_Delete(p);
            return TX_DBFAIL;
        }
        entry_rule_format_code(code, v.region, tm.tm_year + 1900, (enum category)v.category, seq);
        if (store_project_code(c, x->id, code) != DB_OK) {
            cJSON_Delete(p);
            return TX_DBFAIL;
        }
        cJSON_AddStringToObject(p, "code", code);
    }
    if (store_state(c, x->id, x->to, v.state, returning ? x->reason : NULL, now, &changed) !=
            DB_OK ||
        changed != 1) {
        cJSON_Delete(p);
        return TX_DBFAIL;
    }
    if (audit_append(c, req_actor(r), "project.transition", "project", x->id, x->id, p, NULL) !=
            DB_OK ||
        !reply_project(c, r, x->id, 200))
        return TX_DBFAIL;
    return TX_COMMIT;
}

void
project_transition(struct req *r, const cJSON *body)
{
    struct transition_ctx x = {0, json_str(body, "to"), json_str(body, "reason")};
    if (req_param_id(r, "id", &x.id))
        req_tx(r, transition_tx, &x);
}
