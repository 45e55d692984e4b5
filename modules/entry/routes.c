/*
 * routes.c — the entry module's route rows and handlers: register, amend and read projects,
 * attach documents, and move a project through the state machine (submit, accept with a code,
 * return for amendment, suspend, resume, terminate, fail, ...). Refusals: 409
 * invalid_transition naming the current and requested state; rule codes ENT-*.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "accounts/accounts.h"
#include "audit.h"
#include "crypto.h"
#include "entry.h"
#include "project_states.h"
#include "store.h"

static entry_opened_fn opened_check; /* set once at start-up by a later stage (bids) */

void
entry_on_opened_check(entry_opened_fn fn)
{
    opened_check = fn;
}

/* ---- views ---- */

static cJSON *
project_json(struct dbconn *c, const struct dbres *r, size_t i, bool detail)
{
    cJSON *o = cJSON_CreateObject();
    int64_t id = dbres_i64(r, i, 0);
    json_add_i64(o, "id", id);
    if (dbres_str(r, i, 1))
        cJSON_AddStringToObject(o, "code", dbres_str(r, i, 1));
    else
        cJSON_AddNullToObject(o, "code");
    cJSON_AddStringToObject(o, "name", dbres_str(r, i, 2));
    cJSON_AddStringToObject(o, "category", dbres_str(r, i, 3));
    cJSON_AddStringToObject(o, "method", dbres_str(r, i, 4));
    cJSON_AddStringToObject(o, "region", dbres_str(r, i, 5));
    json_add_i64(o, "tenderer_org_id", dbres_i64(r, i, 6));
    json_add_i64(o, "agent_org_id", dbres_i64(r, i, 7));
    json_add_i64(o, "budget_fen", dbres_i64(r, i, 8));
    cJSON_AddStringToObject(o, "funding_source", dbres_str(r, i, 9));
    cJSON_AddBoolToObject(o, "legally_required", dbres_i64(r, i, 10) != 0);
    cJSON_AddStringToObject(o, "state", dbres_str(r, i, 11));
    if (dbres_str(r, i, 13))
        cJSON_AddStringToObject(o, "return_reason", dbres_str(r, i, 13));
    if (dbres_str(r, i, 14))
        json_add_i64(o, "retender_of", dbres_i64(r, i, 14));
    json_add_time(o, "created_at", dbres_i64(r, i, 15));
    json_add_time(o, "updated_at", dbres_i64(r, i, 16));
    if (!detail)
        return o;
    struct dbres l = {0}, d = {0};
    cJSON *lots = cJSON_AddArrayToObject(o, "lots");
    if (store_lots(c, id, &l) == DB_OK)
        for (size_t k = 0; k < l.nrows; k++) {
            cJSON *x = cJSON_CreateObject();
            json_add_i64(x, "seq", dbres_i64(&l, k, 0));
            cJSON_AddStringToObject(x, "name", dbres_str(&l, k, 1));
            json_add_i64(x, "estimate_fen", dbres_i64(&l, k, 2));
            cJSON_AddItemToArray(lots, x);
        }
    cJSON *docs = cJSON_AddArrayToObject(o, "documents");
    if (store_documents(c, id, &d) == DB_OK)
        for (size_t k = 0; k < d.nrows; k++) {
            cJSON *x = cJSON_CreateObject();
            char hex[65];
            json_add_i64(x, "id", dbres_i64(&d, k, 0));
            cJSON_AddStringToObject(x, "name", dbres_str(&d, k, 1));
            cJSON_AddStringToObject(x, "content_type", dbres_str(&d, k, 2));
            json_add_i64(x, "size", dbres_i64(&d, k, 3));
            hex_encode((const uint8_t *)dbres_str(&d, k, 4), 32, hex);
            cJSON_AddStringToObject(x, "sha256", hex);
            json_add_time(x, "created_at", dbres_i64(&d, k, 5));
            cJSON_AddItemToArray(docs, x);
        }
    dbres_free(&l);
    dbres_free(&d);
    return o;
}

/* Answer with project id as it now is. */
/* A project in a list (req_page_reply's shape). */
static cJSON *
project_row(void *c, const struct dbres *r, size_t i)
{
    return project_json(c, r, i, false);
}

static bool
reply_project(struct dbconn *c, struct req *r, int64_t id, unsigned status)
{
    struct dbres p;
    if (store_project_get(c, id, false, &p) != DB_OK || p.nrows != 1) {
        dbres_free(&p);
        return false;
    }
    req_json(r, status, project_json(c, &p, 0, true));
    dbres_free(&p);
    return true;
}

/* ---- input ---- */

static bool
field_error(struct req *r, const char *field, const char *msg)
{
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "field", field);
    req_error_x(r, E_INVALID_FIELD, d, "%s", msg);
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
    if (!rule_region_ok(in->region))
        return field_error(r, "region", "region must be a six-digit administrative division code");
    if (!entry_method_allowed(in->category, in->method)) {
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
    char type[16];
    bool found;
    if (accounts_org_type(c, id, type, &found) != DB_OK)
        return TX_DBFAIL;
    if (!found || strcmp(type, "tenderer")) {
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
        if (!found || strcmp(old.state, "failed") || !entry_is_party(&r->who, &old)) {
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

static void
project_create(struct req *r, const cJSON *body)
{
    struct create_ctx x;
    if (read_project(r, body, &x.in))
        req_tx(r, create_tx, &x);
}

/* Load a project the caller may see; 404 otherwise (others' projects do not exist for them). */
static bool
load_visible(struct req *r, struct dbconn *c, int64_t id, bool lock, struct project_view *v,
             enum tx_result *t)
{
    bool found;
    if (entry_project(c, id, lock, v, &found) != DB_OK) {
        *t = TX_DBFAIL;
        return false;
    }
    if (!found || !entry_is_party(&r->who, v)) {
        req_error(r, E_NOT_FOUND, "no project %lld", (long long)id);
        *t = TX_REFUSE;
        return false;
    }
    return true;
}

/* Lock a project the caller may see that must still be a draft (what: why, for the refusal).
 * False with *t set: TX_REFUSE (not found, or 409 invalid_transition) or TX_DBFAIL. */
static bool
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

static void
project_amend(struct req *r, const cJSON *body)
{
    struct amend_ctx x;
    if (req_param_id(r, "id", &x.id) && read_project(r, body, &x.in))
        req_tx(r, amend_tx, &x);
}

static void
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

static void
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
    int64_t org = r->who.role == ROLE_AGENT ? r->who.org_id : 0;
    enum db_status st = store_project_list(c, org, state, after, limit, &res);
    if (st != DB_OK) {
        req_db_fail(r, c, st);
        return;
    }
    req_page_reply(r, &res, limit, "next_after", 0, project_row, c);
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
    const char *suspended_from = dbres_str(&full, 0, 12);
    bool allowed = project_transition_allowed(v.state, x->to) &&
                   (strcmp(v.state, "suspended") || !suspended_from ||
                    !strcmp(x->to, suspended_from) || !strcmp(x->to, "terminated"));
    if (!allowed) {
        dbres_free(&full);
        req_transition_refused(r, v.state, x->to, "a %s project cannot become %s", v.state, x->to);
        return TX_REFUSE;
    }
    dbres_free(&full);
    unsigned roles = entry_transition_roles(v.state, x->to);
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
        if (opened_check && opened_check(c, x->id, &ready, why, sizeof why) != DB_OK)
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
        cJSON *d = cJSON_CreateObject();
        cJSON_AddStringToObject(d, "field", "reason");
        req_error_x(r, E_MISSING_FIELD, d, "say why: reason is required for this step");
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
        entry_format_code(code, v.region, tm.tm_year + 1900, (enum category)v.category, seq);
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

static void
project_transition(struct req *r, const cJSON *body)
{
    struct transition_ctx x = {0, json_str(body, "to"), json_str(body, "reason")};
    if (req_param_id(r, "id", &x.id))
        req_tx(r, transition_tx, &x);
}

struct doc_ctx {
    int64_t id, doc_id;
    const char *name, *type;
    uint8_t sha[32];
};

static enum tx_result
document_tx(struct dbconn *c, struct req *r, void *arg)
{
    struct doc_ctx *x = arg;
    struct project_view v;
    enum tx_result t;
    if (!load_draft(r, c, x->id, &v, &t, "documents are attached to a draft"))
        return t;
    if (store_document_insert(c, x->id, x->name, x->type, r->body.p, r->body.len, x->sha,
                              r->who.user_id, clock_now_us(), &x->doc_id) != DB_OK)
        return TX_DBFAIL;
    char hex[65];
    hex_encode(x->sha, 32, hex);
    cJSON *p = cJSON_CreateObject();
    cJSON_AddStringToObject(p, "name", x->name);
    cJSON_AddStringToObject(p, "content_type", x->type);
    json_add_i64(p, "size", r->body.len);
    cJSON_AddStringToObject(p, "sha256", hex);
    if (audit_append(c, req_actor(r), "project.document_add", "document", x->doc_id, x->id, p,
                     NULL) != DB_OK)
        return TX_DBFAIL;
    cJSON *o = cJSON_CreateObject();
    json_add_i64(o, "id", x->doc_id);
    cJSON_AddStringToObject(o, "name", x->name);
    cJSON_AddStringToObject(o, "content_type", x->type);
    json_add_i64(o, "size", r->body.len);
    cJSON_AddStringToObject(o, "sha256", hex);
    req_json(r, 201, o);
    return TX_COMMIT;
}

static void
document_upload(struct req *r, const cJSON *body)
{
    (void)body;
    struct doc_ctx x = {0};
    if (!req_param_id(r, "id", &x.id))
        return;
    x.name = req_query(r, "name");
    x.type = req_header(r, "Content-Type");
    if (!x.name || !*x.name || strlen(x.name) > 200 || strchr(x.name, '/')) {
        req_error(r, E_BAD_REQUEST,
                  "name the document: ?name=file.pdf (no slashes, 200 "
                  "characters at most)");
        return;
    }
    const char *why = entry_document_problem(x.type, r->body.p, r->body.len);
    if (why) {
        req_error(r, E_UNSUPPORTED_MEDIA, "%s", why);
        return;
    }
    if (!crypto_sha256(r->body.p, r->body.len, x.sha)) {
        req_error(r, E_INTERNAL, "cannot hash the document");
        return;
    }
    req_tx(r, document_tx, &x);
}

static void
document_get(struct req *r, const cJSON *body)
{
    (void)body;
    int64_t id, doc;
    if (!req_param_id(r, "id", &id) || !req_param_id(r, "doc", &doc))
        return;
    struct dbconn *c = req_db(r);
    if (!c)
        return;
    struct project_view v;
    enum tx_result t;
    if (!load_visible(r, c, id, false, &v, &t)) {
        if (t == TX_DBFAIL)
            req_db_fail(r, c, DB_ERROR);
        return;
    }
    struct dbres d;
    enum db_status st = store_document(c, id, doc, &d);
    if (st != DB_OK || d.nrows != 1) {
        if (st != DB_OK)
            req_db_fail(r, c, st);
        else
            req_error(r, E_NOT_FOUND, "no document %lld in project %lld", (long long)doc,
                      (long long)id);
        dbres_free(&d);
        return;
    }
    static const char *const types[] = {
        "application/pdf",
        "image/png",
        "image/jpeg",
        "application/zip",
        "application/msword",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"};
    const char *type = "application/octet-stream";
    for (size_t i = 0; i < ARRAY_LEN(types); i++)
        if (!strcmp(types[i], dbres_str(&d, 0, 1)))
            type = types[i]; /* a static string outlives the row */
    size_t len = d.len[2];
    char *bytes = d.cell[2];
    d.cell[2] = NULL;
    dbres_free(&d);
    req_raw(r, 200, type, bytes, len);
}

/* ---- the rows ---- */

static const char *const category_values[] = {"engineering", "procurement", "land_mineral",
                                              "state_property", NULL};
static const struct field project_schema[] = {
    {"name", F_STRING, true, 1, 200, NULL},
    {"category", F_STRING, true, 1, 20, category_values},
    {"method", F_STRING, true, 1, 32, NULL},
    {"region", F_STRING, true, 6, 6, NULL},
    {"tenderer_org_id", F_INT, true, 1, INT64_C(9007199254740991), NULL},
    {"budget_fen", F_INT, true, 1, INT64_C(9007199254740991), NULL},
    {"funding_source", F_STRING, true, 1, 200, NULL},
    {"legally_required", F_BOOL, true, 0, 0, NULL},
    {"lots", F_ARRAY, true, 1, MAX_LOTS, NULL},
    {"retender_of", F_INT, false, 1, INT64_C(9007199254740991), NULL},
    {NULL},
};
static const struct field transition_schema[] = {
    {"to", F_STRING, true, 1, 32, project_states},
    {"reason", F_STRING, false, 1, 2000, NULL},
    {NULL},
};

#define PARTIES (ROLE_AGENT | ROLE_CENTER_ADMIN | ROLE_SUPERVISOR)

static const struct route routes[] = {
    {"POST", "/api/v1/projects", project_create, ROLE_AGENT, 64 * 1024, project_schema,
     ROUTE_CREATES},
    {"GET", "/api/v1/projects", project_list, PARTIES, 0, NULL, 0},
    {"GET", "/api/v1/projects/{id}", project_get, PARTIES, 0, NULL, 0},
    {"PUT", "/api/v1/projects/{id}", project_amend, ROLE_AGENT, 64 * 1024, project_schema, 0},
    {"POST", "/api/v1/projects/{id}/transitions", project_transition,
     ROLE_AGENT | ROLE_CENTER_ADMIN | ROLE_SUPERVISOR, 4096, transition_schema, 0},
    {"POST", "/api/v1/projects/{id}/documents", document_upload, ROLE_AGENT, 20 << 20, NULL,
     ROUTE_BODY_RAW | ROUTE_CREATES},
    {"GET", "/api/v1/projects/{id}/documents/{doc}", document_get, PARTIES, 0, NULL, ROUTE_RAW},
};

static const char *const rule_codes[] = {
    "ENT-LOTS-BUDGET", "ENT-METHOD", "ENT-NOT-OPENED", "ENT-RETENDER", NULL,
};

const struct module entry_module = {
    .name = "entry",
    .rule_codes = rule_codes,
    .routes = routes,
    .nroutes = ARRAY_LEN(routes),
    .init = NULL,
    .fini = NULL,
};
