/*
 * routes.c — the announce module's route rows and handlers: drafts (agents), publishing (the
 * statutory checks, immutability, the platform's signature, the project's next state, the bid
 * deadline's checkpoint — one transaction, one audit entry), and public reading without login
 * (list with filters and a cursor, one announcement with its version chain, its signature, an
 * Atom feed).
 *
 * Public order: an announcement's place in the public list is the audit index of its
 * publication, assigned by the sequencer after commit (audit_on_sequenced), so a cursor never
 * skips a publication that committed late, and never repeats one.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accounts/accounts.h"
#include "announce.h"
#include "audit.h"
#include "checkpoint.h"
#include "crypto.h"
#include "entry/entry.h"
#include "store.h"

static cJSON *
no_keys(struct dbconn *c, int64_t project_id, enum db_status *st)
{
    (void)c, (void)project_id;
    *st = DB_OK;
    return NULL;
}

static enum db_status
no_lot(struct dbconn *c, int64_t project_id, int64_t *lot)
{
    (void)c, (void)project_id;
    *lot = 0;
    return DB_OK;
}

static enum db_status
not_started(struct dbconn *c, int64_t project_id, bool *started)
{
    (void)c, (void)project_id;
    *started = false;
    return DB_OK;
}

/* set once at start-up by the opening stage (bids), before any request */
static struct announce_openings openings = {no_keys, no_lot, not_started};

void
announce_set_openings(const struct announce_openings *p)
{
    openings = *p;
}

static const struct config *cfg;
/* The module's own configuration keys (config_keys, at the end). */
static struct announce_conf {
    char *base_url, *ocds_prefix;
    int64_t cache_ms;
} announce_conf;
static void pages_invalidate(void);

static const char *const time_keys[6] = {"docs_from_us", "docs_until_us",     "bid_deadline_us",
                                         "opening_us",   "publicity_from_us", "publicity_until_us"};

/* ---- views ---- */

static cJSON *
ann_json(struct dbconn *c, const struct dbres *r, size_t i, bool with_body)
{
    cJSON *o = cJSON_CreateObject();
    int64_t id = dbres_i64(r, i, 0);
    json_add_i64(o, "id", id);
    json_add_i64(o, "project_id", dbres_i64(r, i, 1));
    if (dbres_str(r, i, 22))
        cJSON_AddStringToObject(o, "project_code", dbres_str(r, i, 22));
    cJSON_AddStringToObject(o, "type", dbres_str(r, i, 2));
    cJSON_AddStringToObject(o, "title", dbres_str(r, i, 3));
    if (with_body)
        cJSON_AddStringToObject(o, "body", dbres_str(r, i, 4));
    if (dbres_str(r, i, 5))
        json_add_i64(o, "amends_id", dbres_i64(r, i, 5));
    else
        cJSON_AddNullToObject(o, "amends_id");
    cJSON_AddBoolToObject(o, "affects_bids", dbres_i64(r, i, 6) != 0);
    for (int k = 0; k < 6; k++)
        if (dbres_str(r, i, 7 + (size_t)k))
            json_add_i64(o, time_keys[k], dbres_i64(r, i, 7 + (size_t)k));
    if (dbres_str(r, i, 24))
        cJSON_AddStringToObject(o, "opening_place", dbres_str(r, i, 24));
    cJSON_AddStringToObject(o, "state", dbres_str(r, i, 13));
    cJSON_AddStringToObject(o, "category", dbres_str(r, i, 14));
    cJSON_AddStringToObject(o, "region", dbres_str(r, i, 15));
    json_add_time(o, "created_at", dbres_i64(r, i, 16));
    if (dbres_str(r, i, 18))
        json_add_time(o, "published_at", dbres_i64(r, i, 18));
    if (dbres_str(r, i, 19)) {
        char hex[65];
        hex_encode((const uint8_t *)dbres_str(r, i, 19), 32, hex);
        cJSON_AddStringToObject(o, "content_sha256", hex);
    }
    if (dbres_str(r, i, 21))
        json_add_i64(o, "public_seq", dbres_i64(r, i, 21));
    struct dbres d = {0};
    cJSON *deps = cJSON_AddArrayToObject(o, "deposits");
    if (c && store_ann_deposits(c, id, &d) == DB_OK)
        for (size_t k = 0; k < d.nrows; k++) {
            cJSON *x = cJSON_CreateObject();
            json_add_i64(x, "lot", dbres_i64(&d, k, 0));
            json_add_i64(x, "deposit_fen", dbres_i64(&d, k, 1));
            cJSON_AddItemToArray(deps, x);
        }
    dbres_free(&d);
    return o;
}

/* An announcement in the public list, without its body (req_page_reply's shape). */
static cJSON *
ann_row(void *ctx, const struct dbres *r, size_t i)
{
    (void)ctx;
    return ann_json(NULL, r, i, false);
}

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
        in->t[k] = json_i64(b, time_keys[k], 0);
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
    if ((strcmp(in->type, "amendment") == 0) != (in->amends_id != 0)) {
        cJSON *d = cJSON_CreateObject();
        cJSON_AddStringToObject(d, "field", "amends_id");
        req_error_x(r, E_INVALID_FIELD, d,
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
    if (!found || !entry_is_party(&r->who, &v)) {
        req_error(r, E_NOT_FOUND, "no project %lld", (long long)x->project);
        return TX_REFUSE;
    }
    if (!strcmp(v.state, "draft") || !strcmp(v.state, "submitted")) {
        req_transition_refused(r, v.state, "accepted",
                               "nothing is announced for a project the center has not accepted");
        return TX_REFUSE;
    }
    if (store_ann_insert(c, x->project, category_name((enum category)v.category), v.region, &x->in,
                         r->who.user_id, clock_now_us(), &x->id) != DB_OK)
        return TX_DBFAIL;
    return draft_done(c, r, "announce.draft", x, x->project, 201);
}

static void
ann_create(struct req *r, const cJSON *body)
{
    struct draft_ctx x = {0};
    if (req_param_id(r, "id", &x.project) && read_ann(r, body, &x.in))
        req_tx(r, create_tx, &x);
}

/* Load an announcement whose project the caller is a party to. */
static bool
load_own(struct dbconn *c, struct req *r, int64_t id, bool lock, struct dbres *a,
         struct project_view *v, enum tx_result *t)
{
    bool found;
    *t = TX_DBFAIL;
    if (store_ann_get(c, id, lock, a) != DB_OK)
        return false;
    if (a->nrows != 1 || entry_project(c, dbres_i64(a, 0, 1), lock, v, &found) != DB_OK || !found ||
        !entry_is_party(&r->who, v)) {
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
    if (strcmp(dbres_str(&a, 0, 13), "draft")) {
        not_draft(r, dbres_str(&a, 0, 13));
        dbres_free(&a);
        return TX_REFUSE;
    }
    dbres_free(&a);
    if (store_ann_update(c, x->id, &x->in, clock_now_us()) != DB_OK)
        return TX_DBFAIL;
    return draft_done(c, r, "announce.edit", x, v.id, 200);
}

static void
ann_update(struct req *r, const cJSON *body)
{
    struct draft_ctx x = {0};
    if (req_param_id(r, "id", &x.id) && read_ann(r, body, &x.in))
        req_tx(r, update_tx, &x);
}

static void
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

/* ---- publishing ---- */

struct publish_ctx {
    int64_t id;
    struct audit_ref ref; /* outlives the transaction: filled after the commit */
};

static bool
refused(struct req *r, const struct ann_refusal *why)
{
    if (why->conflict)
        req_rule_as(r, E_CONFLICT, why->rule, "%s", why->message);
    else
        req_rule(r, why->rule, "%s", why->message);
    return false;
}

static bool
need_times(struct req *r, const struct dbres *a, const int *keys, int n)
{
    for (int k = 0; k < n; k++)
        if (!dbres_str(a, 0, 7 + (size_t)keys[k])) {
            cJSON *d = cJSON_CreateObject();
            cJSON_AddStringToObject(d, "field", time_keys[keys[k]]);
            req_error_x(r, E_MISSING_FIELD, d, "publishing this announcement needs %s",
                        time_keys[keys[k]]);
            return false;
        }
    return true;
}

/* The statutory checks for this announcement; sets the refusal on r. *deadline and *opening
 * get the bid deadline it sets (0: none); *affects whether it affects the bids (an amendment's
 * is decided from its content, at what the amendment was checked against). */
static enum tx_result
statutory(struct dbconn *c, struct req *r, const struct dbres *a, const struct project_view *v,
          int64_t now, int64_t *deadline, int64_t *opening, bool *affects,
          struct ann_amend_terms *at)
{
    const char *type = dbres_str(a, 0, 2);
    enum category cat = (enum category)v->category;
    struct ann_terms t = {.now_us = now};
    int64_t *slots[6] = {&t.docs_from_us, &t.docs_until_us,     &t.bid_deadline_us,
                         &t.opening_us,   &t.publicity_from_us, &t.publicity_until_us};
    for (int k = 0; k < 6; k++)
        *slots[k] = dbres_i64(a, 0, 7 + (size_t)k);
    struct ann_refusal why;
    *deadline = *opening = 0;
    *affects = dbres_i64(a, 0, 6) != 0;
    const char *capability = ann_needs_capability(type);
    if (capability) {
        req_rule_as(r, E_CONFLICT, capability,
                    "a %s announcement publishes the result of an evaluation, which no evaluation "
                    "on this platform has produced yet",
                    type);
        return TX_REFUSE;
    }
    if (!strcmp(type, "tender")) {
        static const int keys[] = {0, 1, 2, 3};
        if (!need_times(r, a, keys, 4))
            return TX_REFUSE;
        if (!ann_check_tender(cat, v->legally_required, entry_method_is_tender(v->method), &t,
                              &why)) {
            refused(r, &why);
            return TX_REFUSE;
        }
        struct dbres d;
        if (store_ann_deposits(c, dbres_i64(a, 0, 0), &d) != DB_OK)
            return TX_DBFAIL;
        for (size_t k = 0; k < d.nrows; k++) {
            int64_t est;
            bool found;
            if (entry_lot_estimate(c, v->id, (int)dbres_i64(&d, k, 0), &est, &found) != DB_OK) {
                dbres_free(&d);
                return TX_DBFAIL;
            }
            if (!found) {
                dbres_free(&d);
                req_error(r, E_INVALID_FIELD, "the project has no lot %lld",
                          (long long)dbres_i64(&d, k, 0));
                return TX_REFUSE;
            }
            if (!ann_check_deposit(cat, dbres_i64(&d, k, 1), est, &why)) {
                dbres_free(&d);
                refused(r, &why);
                return TX_REFUSE;
            }
        }
        dbres_free(&d);
        *deadline = t.bid_deadline_us;
        *opening = t.opening_us;
    } else if (!strcmp(type, "amendment")) {
        struct dbres old = {0};
        int64_t amends = dbres_i64(a, 0, 5);
        if (store_ann_get(c, amends, false, &old) != DB_OK)
            return TX_DBFAIL;
        bool ok = old.nrows == 1 && dbres_i64(&old, 0, 1) == v->id &&
                  !strcmp(dbres_str(&old, 0, 13), "published") &&
                  (!strcmp(dbres_str(&old, 0, 2), "tender") ||
                   !strcmp(dbres_str(&old, 0, 2), "amendment"));
        dbres_free(&old);
        if (!ok) {
            req_rule(r, "ANN-AMENDS",
                     "an amendment amends a published tender announcement (or "
                     "amendment) of the same project");
            return TX_REFUSE;
        }
        /* a new deadline comes with its opening time (they are the same instant), and back */
        static const int both[] = {2, 3};
        if ((dbres_str(a, 0, 9) || dbres_str(a, 0, 10)) && !need_times(r, a, both, 2))
            return TX_REFUSE;
        struct ann_in_force f;
        if (store_ann_in_force(c, v->id, &f) != DB_OK ||
            openings.started(c, v->id, &at->opening_started) != DB_OK)
            return TX_DBFAIL;
        const char *place = dbres_str(a, 0, 24);
        at->now_us = now;
        at->deadline_us = f.deadline_us;
        at->opening_us = f.opening_us;
        at->docs_first_us = f.docs_first_us;
        at->new_deadline_us = dbres_i64(a, 0, 9);
        at->new_opening_us = dbres_i64(a, 0, 10);
        at->place_changed = place && strcmp(place, f.place);
        at->docs_changed = (dbres_str(a, 0, 7) && dbres_i64(a, 0, 7) != f.docs_from_us) ||
                           (dbres_str(a, 0, 8) && dbres_i64(a, 0, 8) != f.docs_until_us);
        at->flag = dbres_i64(a, 0, 6) != 0;
        if (!ann_check_amendment(cat, v->legally_required, entry_method_is_tender(v->method), at,
                                 affects, &why)) {
            refused(r, &why);
            return TX_REFUSE;
        }
        if (at->new_deadline_us && at->new_deadline_us != f.deadline_us) {
            *deadline = at->new_deadline_us;
            *opening = at->new_opening_us;
        }
    } else if (!strcmp(type, "candidates")) {
        static const int keys[] = {4, 5};
        if (!need_times(r, a, keys, 2))
            return TX_REFUSE;
        if (!ann_check_publicity(cat, &t, &why)) {
            refused(r, &why);
            return TX_REFUSE;
        }
    }
    return TX_COMMIT;
}

static enum tx_result
publish_tx(struct dbconn *c, struct req *r, void *arg)
{
    struct publish_ctx *x = arg;
    struct dbres a = {0};
    struct project_view v;
    enum tx_result t;
    cJSON *content = NULL, *p = NULL;
    char *bytes = NULL;
    if (!load_own(c, r, x->id, true, &a, &v, &t))
        goto out;
    t = TX_REFUSE;
    const char *type = dbres_str(&a, 0, 2);
    if (strcmp(dbres_str(&a, 0, 13), "draft")) {
        req_transition_refused(r, "published", "published",
                               "this announcement is published already");
        goto out;
    }
    const char *after = ann_state_after(type);
    if (!ann_state_ok(type, v.state)) {
        req_transition_refused(r, v.state, after ? after : v.state,
                               "a %s announcement cannot be published for a "
                               "%s project",
                               type, v.state);
        goto out;
    }
    int64_t now = clock_now_us(), deadline, opening;
    bool affects;
    struct ann_amend_terms at = {0};
    if ((t = statutory(c, r, &a, &v, now, &deadline, &opening, &affects, &at)) != TX_COMMIT)
        goto out;
    t = TX_DBFAIL;
    if (affects != (dbres_i64(&a, 0, 6) != 0)) { /* the server's decision is what is published */
        if (store_ann_set_affects(c, x->id, affects) != DB_OK)
            goto out;
        dbres_free(&a);
        if (store_ann_get(c, x->id, true, &a) != DB_OK || a.nrows != 1)
            goto out;
        type = dbres_str(&a, 0, 2); /* the row was read again: its cells are new */
    }
    /* The content as published: canonical JSON, hashed, signed. */
    content = ann_json(NULL, &a, 0, true);
    cJSON_DeleteItemFromObject(content, "state");
    cJSON_DeleteItemFromObject(content, "created_at");
    cJSON_DeleteItemFromObject(content, "deposits");
    json_add_i64(content, "published_us", now);
    cJSON_AddNumberToObject(content, "v", 1);
    struct dbres d;
    if (store_ann_deposits(c, x->id, &d) != DB_OK)
        goto out;
    cJSON *deps = cJSON_AddArrayToObject(content, "deposits");
    for (size_t k = 0; k < d.nrows; k++) {
        cJSON *o = cJSON_CreateObject();
        json_add_i64(o, "lot", dbres_i64(&d, k, 0));
        json_add_i64(o, "deposit_fen", dbres_i64(&d, k, 1));
        cJSON_AddItemToArray(deps, o);
    }
    dbres_free(&d);
    if (!strcmp(type, "tender")) { /* the time lock: what bidders seal to, signed with the rest */
        enum db_status kst;
        int64_t missing = 0;
        if (entry_method_is_tender(v.method)) {
            if (openings.lot_without_key(c, v.id, &missing) != DB_OK)
                goto out;
            if (missing) {
                req_rule(r, "ANN-OPENING-KEY",
                         "lot %lld has no opening key: a tender announcement publishes every "
                         "lot's opening key, so make them first (POST /api/v1/projects/%lld/lots/"
                         "%lld/opening-key)",
                         (long long)missing, (long long)v.id, (long long)missing);
                t = TX_REFUSE;
                goto out;
            }
        }
        cJSON *keys = openings.keys(c, v.id, &kst);
        if (kst != DB_OK)
            goto out;
        if (keys)
            cJSON_AddItemToObject(content, "opening_keys", keys);
    }
    size_t len;
    uint8_t sha[32], sig[64];
    char hex[65], msg[128];
    bytes = canon_json(content, &len);
    if (!bytes || !crypto_sha256(bytes, len, sha)) {
        log_error("announcement %lld: its content cannot be encoded", (long long)x->id);
        goto out;
    }
    hex_encode(sha, 32, hex);
    int mlen = snprintf(msg, sizeof msg, "ggzy-announcement-v1\n%s\n", hex);
    if (!platform_sign(msg, (size_t)mlen, sig) ||
        store_ann_publish(c, x->id, now, bytes, len, sha, sig) != DB_OK)
        goto out;
    p = cJSON_CreateObject();
    json_add_i64(p, "announcement_id", x->id);
    cJSON_AddStringToObject(p, "type", type);
    cJSON_AddStringToObject(p, "content_sha256", hex);
    /* what `ggzy audit replay` checks the statutes against, from the log alone */
    cJSON_AddStringToObject(p, "category", category_name((enum category)v.category));
    cJSON_AddBoolToObject(p, "legally_required", v.legally_required);
    cJSON_AddBoolToObject(p, "tender_method", entry_method_is_tender(v.method));
    cJSON_AddBoolToObject(p, "affects_bids", affects);
    if (dbres_str(&a, 0, 7))
        json_add_i64(p, "docs_from_us", dbres_i64(&a, 0, 7));
    if (dbres_str(&a, 0, 24))
        cJSON_AddStringToObject(p, "opening_place", dbres_str(&a, 0, 24));
    if (dbres_str(&a, 0, 5))
        json_add_i64(p, "supersedes", dbres_i64(&a, 0, 5));
    if (after && strcmp(after, v.state)) {
        if (entry_set_state(c, v.id, after, v.state) != DB_OK)
            goto out;
        cJSON *tr = cJSON_AddObjectToObject(p, "transition");
        cJSON_AddStringToObject(tr, "from", v.state);
        cJSON_AddStringToObject(tr, "to", after);
    }
    if (deadline) { /* every lot shares the announcement's deadline; the log checkpoints it */
        char label[200];
        snprintf(label, sizeof label, "project %s bid deadline", v.code);
        if (checkpoint_schedule(c, deadline, v.id, label) != DB_OK)
            goto out;
        cJSON *dl = cJSON_AddArrayToObject(p, "deadlines");
        struct dbres lots;
        static const char sql_lots[] = "SELECT seq FROM project_lots WHERE project_id = ?";
        struct dbv lp[] = {DBV_INT(v.id)};
        if (db_query(c, sql_lots, lp, 1, &lots) != DB_OK)
            goto out;
        for (size_t k = 0; k < lots.nrows; k++) {
            cJSON *o = cJSON_CreateObject();
            char lot[24];
            snprintf(lot, sizeof lot, "%lld", (long long)dbres_i64(&lots, k, 0));
            cJSON_AddStringToObject(o, "lot", lot);
            json_add_i64(o, "bid_deadline_us", deadline);
            json_add_i64(o, "opening_us", opening);
            cJSON_AddItemToArray(dl, o);
        }
        dbres_free(&lots);
    }
    enum db_status st =
        audit_append(c, req_actor(r), "announce.publish", "announcement", x->id, v.id, p, &x->ref);
    p = NULL; /* consumed */
    if (st != DB_OK)
        goto out;
    dbres_free(&a);
    if (store_ann_get(c, x->id, false, &a) != DB_OK || a.nrows != 1)
        goto out;
    req_json(r, 200, ann_json(c, &a, 0, true));
    t = TX_COMMIT;
out:
    cJSON_Delete(p);
    cJSON_Delete(content);
    free(bytes);
    dbres_free(&a);
    return t;
}

static void
ann_publish(struct req *r, const cJSON *body)
{
    (void)body;
    struct publish_ctx x = {0};
    if (req_param_id(r, "id", &x.id) && req_tx(r, publish_tx, &x))
        pages_invalidate(); /* after its index exists: the next read shows it */
}

/* ---- public reading ---- */

/*
 * The public list is the platform's heaviest traffic, so its pages are cached, rendered, keyed
 * by their normalized query. A publication bumps the generation once its entry has its index
 * (the publish handler waits for that), so on this node it is visible on the next read; a
 * publication made through another node of a cluster shows here within public.cache_ms.
 */
#define PAGE_CACHE 64
static struct {
    pthread_mutex_t mu;
    uint64_t gen;
    struct {
        char key[320];
        char *body;
        size_t len;
        uint64_t gen;
        int64_t at_us;
    } slot[PAGE_CACHE];
    unsigned next;
} pages = {.mu = PTHREAD_MUTEX_INITIALIZER};

static void
pages_invalidate(void)
{
    pthread_mutex_lock(&pages.mu);
    pages.gen++;
    pthread_mutex_unlock(&pages.mu);
}

/* A copy of the cached page for key, or NULL. */
static char *
pages_get(const char *key, size_t *len)
{
    char *out = NULL;
    int64_t now = clock_now_us();
    pthread_mutex_lock(&pages.mu);
    for (unsigned i = 0; i < PAGE_CACHE; i++)
        if (pages.slot[i].body && pages.slot[i].gen == pages.gen &&
            now - pages.slot[i].at_us < announce_conf.cache_ms * 1000 &&
            now >= pages.slot[i].at_us && !strcmp(pages.slot[i].key, key)) {
            out = malloc(pages.slot[i].len);
            if (out) {
                memcpy(out, pages.slot[i].body, pages.slot[i].len);
                *len = pages.slot[i].len;
            }
            break;
        }
    pthread_mutex_unlock(&pages.mu);
    return out;
}

static void
pages_put(const char *key, const char *body, size_t len, uint64_t gen)
{
    char *copy = malloc(len);
    if (!copy)
        return;
    memcpy(copy, body, len);
    pthread_mutex_lock(&pages.mu);
    unsigned i = pages.next++ % PAGE_CACHE;
    free(pages.slot[i].body);
    snprintf(pages.slot[i].key, sizeof pages.slot[i].key, "%s", key);
    pages.slot[i].body = copy;
    pages.slot[i].len = len;
    pages.slot[i].gen = gen;
    pages.slot[i].at_us = clock_now_us();
    pthread_mutex_unlock(&pages.mu);
}

static void
pages_free(void)
{
    pthread_mutex_lock(&pages.mu);
    for (unsigned i = 0; i < PAGE_CACHE; i++) {
        free(pages.slot[i].body);
        pages.slot[i].body = NULL;
    }
    pthread_mutex_unlock(&pages.mu);
}

static void
public_list(struct req *r, const cJSON *body)
{
    (void)body;
    const char *type = req_query(r, "type"), *cat = req_query(r, "category"),
               *region = req_query(r, "region"), *q = req_query(r, "q"),
               *before_s = req_query(r, "before"), *limit_s = req_query(r, "limit"),
               *from_s = req_query(r, "from_us"), *to_s = req_query(r, "to_us");
    int64_t before = 0, limit = 20, from = 0, to = 0;
    static const char *const types[] = {"tender", "amendment",   "candidates", "award",
                                        "failed", "termination", NULL};
    bool type_ok = !type;
    for (const char *const *t = types; type && *t; t++)
        type_ok = type_ok || !strcmp(*t, type);
    if (!type_ok || (cat && category_from_name(cat) < 0) || (region && !rule_region_ok(region)) ||
        (before_s && !parse_i64(before_s, 1, INT64_MAX, &before)) ||
        (limit_s && !parse_i64(limit_s, 1, 100, &limit)) ||
        (from_s && !parse_i64(from_s, 0, INT64_MAX, &from)) ||
        (to_s && !parse_i64(to_s, 0, INT64_MAX, &to)) || (q && strlen(q) > 100)) {
        req_error(r, E_BAD_REQUEST,
                  "bad filter: type, category, region (6 digits), from_us, "
                  "to_us, q (100 characters), before (a cursor), limit 1-100");
        return;
    }
    char key[320];
    snprintf(key, sizeof key, "%s|%s|%s|%lld|%lld|%.100s|%lld|%lld", type ? type : "",
             cat ? cat : "", region ? region : "", (long long)from, (long long)to, q ? q : "",
             (long long)before, (long long)limit);
    size_t len;
    char *cached = pages_get(key, &len);
    if (cached) {
        req_raw(r, 200, "application/json", cached, len);
        return;
    }
    pthread_mutex_lock(&pages.mu);
    uint64_t gen = pages.gen; /* read before the query: a publication meanwhile voids it */
    pthread_mutex_unlock(&pages.mu);
    struct dbconn *c = req_db(r);
    if (!c)
        return;
    struct dbres res;
    enum db_status st = store_ann_public(c, type, cat, region, from, to, q, before, limit, &res);
    if (st != DB_OK) {
        req_db_fail(r, c, st);
        return;
    }
    req_page_reply(r, &res, limit, "next_before", 21, ann_row, NULL);
    dbres_free(&res);
    if (r->status == 200 && r->resp)
        pages_put(key, r->resp, r->resp_len, gen);
}

/* A published announcement, or 404 (drafts do not exist for the public). */
static bool
load_public(struct req *r, struct dbconn *c, int64_t id, struct dbres *a)
{
    enum db_status st = store_ann_get(c, id, false, a);
    if (st != DB_OK) {
        req_db_fail(r, c, st);
        return false;
    }
    if (a->nrows != 1 || !dbres_str(a, 0, 21)) {
        req_error(r, E_NOT_FOUND, "no published announcement %lld", (long long)id);
        return false;
    }
    return true;
}

static void
public_get(struct req *r, const cJSON *body)
{
    (void)body;
    int64_t id;
    struct dbres a = {0}, all = {0};
    if (!req_param_id(r, "id", &id))
        return;
    struct dbconn *c = req_db(r);
    if (!c || !load_public(r, c, id, &a)) {
        dbres_free(&a);
        return;
    }
    cJSON *o = ann_json(c, &a, 0, true);
    /* The version chain: the announcement it started from, and every amendment of the chain,
     * in publication order. */
    if (store_ann_of_project(c, dbres_i64(&a, 0, 1), &all) == DB_OK) {
        int64_t chain[256];
        size_t n = 0;
        int64_t root = id;
        for (int guard = 0; guard < 256; guard++) { /* walk amends_id back to the root */
            bool moved = false;
            for (size_t i = 0; i < all.nrows; i++)
                if (dbres_i64(&all, i, 0) == root && dbres_str(&all, i, 5)) {
                    root = dbres_i64(&all, i, 5);
                    moved = true;
                    break;
                }
            if (!moved)
                break;
        }
        chain[n++] = root;
        cJSON *versions = cJSON_AddArrayToObject(o, "versions");
        for (size_t i = 0; i < all.nrows; i++) {
            bool in_chain = dbres_i64(&all, i, 0) == root;
            for (size_t k = 0; !in_chain && k < n; k++)
                in_chain = dbres_str(&all, i, 5) && dbres_i64(&all, i, 5) == chain[k];
            if (in_chain) {
                if (n < ARRAY_LEN(chain))
                    chain[n++] = dbres_i64(&all, i, 0);
                cJSON_AddItemToArray(versions, ann_json(NULL, &all, i, false));
            }
        }
    }
    dbres_free(&all);
    dbres_free(&a);
    req_json(r, 200, o);
}

static void
public_signature(struct req *r, const cJSON *body)
{
    (void)body;
    int64_t id;
    struct dbres a = {0};
    if (!req_param_id(r, "id", &id))
        return;
    struct dbconn *c = req_db(r);
    if (!c || !load_public(r, c, id, &a)) {
        dbres_free(&a);
        return;
    }
    char hex[65], sig[100], msg[128];
    hex_encode((const uint8_t *)dbres_str(&a, 0, 19), 32, hex);
    b64_encode((const uint8_t *)dbres_str(&a, 0, 20), 64, sig);
    snprintf(msg, sizeof msg, "ggzy-announcement-v1\n%s\n", hex);
    cJSON *o = cJSON_CreateObject();
    json_add_i64(o, "id", id);
    cJSON_AddStringToObject(o, "content", dbres_str(&a, 0, 23));
    cJSON_AddStringToObject(o, "content_sha256", hex);
    cJSON_AddStringToObject(o, "signed_message", msg);
    cJSON_AddStringToObject(o, "signature", sig);
    cJSON_AddStringToObject(o, "algorithm", "Ed25519");
    cJSON_AddStringToObject(o, "vkey", checkpoint_vkey());
    dbres_free(&a);
    req_json(r, 200, o);
}

static void
xml_escape(struct buf *b, const char *s)
{
    for (; *s; s++)
        switch (*s) {
        case '<':
            buf_puts(b, "&lt;");
            break;
        case '>':
            buf_puts(b, "&gt;");
            break;
        case '&':
            buf_puts(b, "&amp;");
            break;
        case '"':
            buf_puts(b, "&quot;");
            break;
        default:
            buf_append(b, s, 1);
        }
}

static void
public_atom(struct req *r, const cJSON *body)
{
    (void)body;
    struct dbconn *c = req_db(r);
    if (!c)
        return;
    struct dbres res;
    enum db_status st = store_ann_public(c, NULL, NULL, NULL, 0, 0, NULL, 0, 50, &res);
    if (st != DB_OK) {
        req_db_fail(r, c, st);
        return;
    }
    char now[40];
    clock_format(res.nrows ? dbres_i64(&res, 0, 18) : clock_now_us(), now, sizeof now);
    struct buf b = {0};
    buf_printf(&b,
               "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
               "<feed xmlns=\"http://www.w3.org/2005/Atom\">\n"
               "<title>公共资源交易平台 公告</title>\n<id>urn:ggzy:%s:announcements</id>\n"
               "<updated>%s</updated>\n<link rel=\"self\" href=\"/api/v1/public/feed.atom\"/>\n"
               /* RFC 4287 §4.1.1: a feed has an author unless every entry has one */
               "<author><name>公共资源交易平台 (%s)</name></author>\n",
               checkpoint_origin(), now, cfg->platform_id);
    for (size_t i = 0; i < res.nrows; i++) {
        char t[40];
        clock_format(dbres_i64(&res, i, 18), t, sizeof t);
        buf_printf(&b, "<entry>\n<id>urn:ggzy:%s:announcement:%lld</id>\n<title>",
                   checkpoint_origin(), (long long)dbres_i64(&res, i, 0));
        xml_escape(&b, dbres_str(&res, i, 3));
        buf_printf(&b,
                   "</title>\n<updated>%s</updated>\n<category term=\"%s\"/>\n"
                   "<link href=\"/api/v1/public/announcements/%lld\"/>\n<summary>",
                   t, dbres_str(&res, i, 2), (long long)dbres_i64(&res, i, 0));
        xml_escape(&b, dbres_str(&res, i, 22) ? dbres_str(&res, i, 22) : "");
        buf_puts(&b, "</summary>\n</entry>\n");
    }
    buf_puts(&b, "</feed>\n");
    dbres_free(&res);
    size_t len = b.len;
    char *text = buf_take(&b);
    if (!text) {
        req_error(r, E_INTERNAL, "out of memory");
        return;
    }
    req_raw(r, 200, "application/atom+xml; charset=utf-8", text, len);
}

static void
public_ocds(struct req *r, bool record)
{
    int64_t id;
    struct dbconn *c = req_db_for(r, "id", &id);
    if (!c)
        return;
    enum db_status st = DB_OK;
    cJSON *pkg =
        ocds_package(c, id, announce_conf.ocds_prefix, announce_conf.base_url, record, &st);
    if (st != DB_OK)
        req_db_fail(r, c, st);
    else if (!pkg)
        req_error(r, E_NOT_FOUND, "project %lld has published nothing", (long long)id);
    else
        req_json(r, 200, pkg);
}

static void
public_ocds_releases(struct req *r, const cJSON *body)
{
    (void)body;
    public_ocds(r, false);
}

static void
public_ocds_record(struct req *r, const cJSON *body)
{
    (void)body;
    public_ocds(r, true);
}

/* ---- the rows ---- */

static const char *const ann_types[] = {"tender", "amendment",   "candidates", "award",
                                        "failed", "termination", NULL};
#define TIME_FIELD(name)                                                                           \
    {                                                                                              \
        name, F_INT, false, 1, INT64_C(9007199254740991), NULL                                     \
    }
static const struct field ann_schema[] = {
    {"type", F_STRING, true, 1, 20, ann_types},
    {"title", F_STRING, true, 1, 300, NULL},
    {"body", F_STRING, true, 1, 200000, NULL},
    {"amends_id", F_INT, false, 1, INT64_C(9007199254740991), NULL},
    {"affects_bids", F_BOOL, false, 0, 0, NULL},
    TIME_FIELD("docs_from_us"),
    TIME_FIELD("docs_until_us"),
    TIME_FIELD("bid_deadline_us"),
    TIME_FIELD("opening_us"),
    TIME_FIELD("publicity_from_us"),
    TIME_FIELD("publicity_until_us"),
    {"deposits", F_ARRAY, false, 0, 50, NULL},
    {"opening_place", F_STRING, false, 1, 300, NULL},
    {NULL},
};

#define PARTIES (ROLE_AGENT | ROLE_CENTER_ADMIN | ROLE_SUPERVISOR)

static const struct route routes[] = {
    {"POST", "/api/v1/projects/{id}/announcements", ann_create, ROLE_AGENT, 1 << 20, ann_schema,
     ROUTE_CREATES},
    {"GET", "/api/v1/announcements/{id}", ann_get, PARTIES, 0, NULL, 0},
    {"PUT", "/api/v1/announcements/{id}", ann_update, ROLE_AGENT, 1 << 20, ann_schema, 0},
    {"POST", "/api/v1/announcements/{id}/publish", ann_publish, ROLE_AGENT, 0, NULL, 0},
    {"GET", "/api/v1/public/announcements", public_list, ROLE_PUBLIC, 0, NULL, 0},
    {"GET", "/api/v1/public/announcements/{id}", public_get, ROLE_PUBLIC, 0, NULL, 0},
    {"GET", "/api/v1/public/announcements/{id}/signature", public_signature, ROLE_PUBLIC, 0, NULL,
     0},
    {"GET", "/api/v1/public/feed.atom", public_atom, ROLE_PUBLIC, 0, NULL, ROUTE_RAW},
    {"GET", "/api/v1/public/projects/{id}/ocds/releases", public_ocds_releases, ROLE_PUBLIC, 0,
     NULL, 0},
    {"GET", "/api/v1/public/projects/{id}/ocds/record", public_ocds_record, ROLE_PUBLIC, 0, NULL,
     0},
};

static bool
announce_init(const struct config *config)
{
    cfg = config;
    static const char sql_seq[] = "UPDATE announcements SET pub_seq = ? WHERE id = ?";
    audit_on_sequenced("announce.publish", sql_seq);
    return true;
}

static void
announce_fini(void)
{
    pages_free();
}

static const struct config_key config_keys[] = {
    CONFIG_S(struct announce_conf, "public.base_url", base_url, "https://localhost:8443"),
    CONFIG_S(struct announce_conf, "ocds.prefix", ocds_prefix, "ocds-213czf"),
    CONFIG_I(struct announce_conf, "public.cache_ms", cache_ms, "1000", 0, 60000),
};

static const char *const rule_codes[] = {
    "ANN-AMENDS",      "ANN-DEADLINE-EARLIER", "ANN-DEADLINE-PASSED", "ANN-NO-EVALUATION",
    "ANN-OPENING-KEY", "ANN-OPENING-STARTED",  "ANN-ORDER",           NULL,
};

const struct module announce_module = {
    .name = "announce",
    .rule_codes = rule_codes,
    .routes = routes,
    .nroutes = ARRAY_LEN(routes),
    .init = announce_init,
    .fini = announce_fini,
    .config_keys = config_keys,
    .nconfig_keys = ARRAY_LEN(config_keys),
    .config = &announce_conf,
};
