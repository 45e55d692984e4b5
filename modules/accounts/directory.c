/*
 * directory.c — the center admin's organizations and users: create, list, read, disable and
 * enable, each state change one req_tx with its audit entry (ACC-ROLE-ORG, ACC-SELF-DISABLE).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include "accounts.h"
#include "app.h"
#include "audit.h"
#include "auth.h"
#include "crypto.h"
#include "db.h"
#include "internal.h"
#include "store.h"

/* ---- organizations ---- */

struct org_ctx {
    const cJSON *body;
};

static enum tx_result
org_create_tx(struct dbconn *c, struct req *r, void *arg)
{
    const cJSON *b = ((struct org_ctx *)arg)->body;
    int64_t id, now = clock_now_us();
    const char *code = json_str(b, "credit_code");
    enum db_status st = store_org_insert(c, json_str(b, "name"), json_str(b, "type"), code,
                                         json_str(b, "region"), now, &id);
    if (st == DB_DUPLICATE) {
        req_error(r, E_CONFLICT, "an organization with credit code %s already exists", code);
        return TX_REFUSE;
    }
    struct dbres o = {0};
    cJSON *p = cJSON_CreateObject();
    cJSON_AddStringToObject(p, "name", json_str(b, "name"));
    cJSON_AddStringToObject(p, "type", json_str(b, "type"));
    cJSON_AddStringToObject(p, "credit_code", code);
    cJSON_AddStringToObject(p, "region", json_str(b, "region"));
    if (st != DB_OK) {
        cJSON_Delete(p);
        return TX_DBFAIL;
    }
    if (audit_append(c, req_actor(r), "account.org_create", "organization", id, 0, p, NULL) !=
            DB_OK ||
        store_org_get(c, id, &o) != DB_OK || o.nrows != 1) {
        dbres_free(&o);
        return TX_DBFAIL;
    }
    req_json(r, 201, org_json(&o, 0));
    dbres_free(&o);
    return TX_COMMIT;
}

static bool
check_field(struct req *r, bool ok, const char *field, const char *msg)
{
    if (ok)
        return true;
    req_field_error(r, E_INVALID_FIELD, field, "%s", msg);
    return false;
}

void
org_create(struct req *r, const cJSON *body)
{
    if (!check_field(r, accounts_rule_credit_code_ok(json_str(body, "credit_code")), "credit_code",
                     "credit_code is not a valid unified social credit code (GB 32100-2015)") ||
        !check_field(r, accounts_rule_region_ok(json_str(body, "region")), "region",
                     "region must be a six-digit administrative division code (GB/T 2260)"))
        return;
    struct org_ctx x = {body};
    req_tx(r, org_create_tx, &x);
}

void
org_list(struct req *r, const cJSON *body)
{
    (void)body;
    int64_t after, limit;
    const char *type = req_query(r, "type");
    if (!req_page(r, &after, &limit, 50, 200))
        return;
    if (type) {
        const char *const *t = org_types;
        while (*t && strcmp(*t, type))
            t++;
        if (!*t) {
            req_error(r, E_BAD_REQUEST, "unknown organization type \"%s\"", type);
            return;
        }
    }
    struct dbconn *c = req_db(r);
    if (!c)
        return;
    struct dbres res;
    enum db_status st = store_org_list(c, type, after, limit, &res);
    if (st != DB_OK) {
        req_db_fail(r, c, st);
        return;
    }
    req_page_reply(r, &res, limit, "next_after", OC_ID, org_row, NULL);
    dbres_free(&res);
}

void
org_get(struct req *r, const cJSON *body)
{
    (void)body;
    int64_t id;
    struct dbconn *c = req_db_for(r, "id", &id);
    if (!c)
        return;
    /* bidders (and experts) see their own organization only: who else takes part in tenders,
     * and so who obtained tender documents, is not theirs to know (招标投标法 第二十二条) */
    if ((r->who.role & (ROLE_BIDDER | ROLE_EXPERT)) && id != r->who.org_id) {
        req_error(r, E_NOT_FOUND, "no organization %lld", (long long)id);
        return;
    }
    struct dbres res;
    enum db_status st = store_org_get(c, id, &res);
    if (st != DB_OK)
        req_db_fail(r, c, st);
    else if (res.nrows == 0)
        req_error(r, E_NOT_FOUND, "no organization %lld", (long long)id);
    else
        req_json(r, 200, org_json(&res, 0));
    dbres_free(&res);
}

/* ---- users ---- */

struct user_ctx {
    const cJSON *body;
    const char *hash;
};

static enum tx_result
user_create_tx(struct dbconn *c, struct req *r, void *arg)
{
    struct user_ctx *x = arg;
    const cJSON *b = x->body;
    int64_t org_id = json_i64(b, "org_id", 0), id, now = clock_now_us();
    const char *role = json_str(b, "role");
    struct dbres o = {0}, u = {0};
    enum db_status st = store_org_get(c, org_id, &o);
    if (st != DB_OK)
        return TX_DBFAIL;
    if (o.nrows == 0) {
        dbres_free(&o);
        req_field_error(r, E_INVALID_FIELD, "org_id", "no organization %lld", (long long)org_id);
        return TX_REFUSE;
    }
    bool fits = accounts_rule_role_fits_org(role_from_name(role), dbres_str(&o, 0, OC_TYPE));
    if (!fits) {
        req_rule(r, "ACC-ROLE-ORG", "a user with role %s cannot belong to a%s %s organization",
                 role, dbres_str(&o, 0, OC_TYPE)[0] == 'a' ? "n" : "", dbres_str(&o, 0, OC_TYPE));
        dbres_free(&o);
        return TX_REFUSE;
    }
    dbres_free(&o);
    st = store_user_insert(c, org_id, json_str(b, "username"), json_str(b, "display_name"), role,
                           x->hash, now, &id);
    if (st == DB_DUPLICATE) {
        req_error(r, E_CONFLICT, "the username %s is taken", json_str(b, "username"));
        return TX_REFUSE;
    }
    if (st != DB_OK)
        return TX_DBFAIL;
    cJSON *p = cJSON_CreateObject();
    cJSON_AddStringToObject(p, "username", json_str(b, "username"));
    cJSON_AddStringToObject(p, "role", role);
    json_add_i64(p, "org_id", org_id);
    if (audit_append(c, req_actor(r), "account.user_create", "user", id, 0, p, NULL) != DB_OK ||
        store_user_get(c, id, &u) != DB_OK || u.nrows != 1) {
        dbres_free(&u);
        return TX_DBFAIL;
    }
    req_json(r, 201, user_json(&u, 0));
    dbres_free(&u);
    return TX_COMMIT;
}

void
user_create(struct req *r, const cJSON *body)
{
    const char *username = json_str(body, "username");
    if (!check_field(r, accounts_rule_username_ok(username), "username",
                     "username must be 3 to 64 characters of a-z, 0-9, '.', '_' and '-', "
                     "starting with a letter"))
        return;
    struct refusal f = accounts_rule_password(json_str(body, "password"), username);
    if (f.code) {
        req_refusal(r, &f);
        return;
    }
    struct user_ctx x = {
        body, password_hash(json_str(body, "password"), (unsigned)accounts_conf.scrypt_log2n,
                            (unsigned)accounts_conf.scrypt_r, (unsigned)accounts_conf.scrypt_p)};
    if (!x.hash) {
        req_error(r, E_INTERNAL, "cannot hash the password");
        return;
    }
    req_tx(r, user_create_tx, &x);
    free((char *)x.hash);
}

void
user_list(struct req *r, const cJSON *body)
{
    (void)body;
    int64_t after, limit, org_id = 0;
    const char *role = req_query(r, "role"), *org = req_query(r, "org_id");
    if (!req_page(r, &after, &limit, 50, 200))
        return;
    if (role && !role_from_name(role)) {
        req_error(r, E_BAD_REQUEST, "unknown role \"%s\"", role);
        return;
    }
    if (org && !parse_i64(org, 1, INT64_MAX, &org_id)) {
        req_error(r, E_BAD_REQUEST, "org_id must be a positive whole number");
        return;
    }
    struct dbconn *c = req_db(r);
    if (!c)
        return;
    struct dbres res;
    enum db_status st = store_user_list(c, org_id, role, after, limit, &res);
    if (st != DB_OK) {
        req_db_fail(r, c, st);
        return;
    }
    req_page_reply(r, &res, limit, "next_after", UC_ID, user_row, NULL);
    dbres_free(&res);
}

void
user_get(struct req *r, const cJSON *body)
{
    (void)body;
    int64_t id;
    if (!req_param_id(r, "id", &id))
        return;
    /* Staff see everyone; other users see themselves (others look like they do not exist). */
    if (!(r->who.role & (ROLE_CENTER_ADMIN | ROLE_SUPERVISOR)) && id != r->who.user_id) {
        req_error(r, E_NOT_FOUND, "no user %lld", (long long)id);
        return;
    }
    struct dbconn *c = req_db(r);
    if (!c)
        return;
    struct dbres res;
    enum db_status st = store_user_get(c, id, &res);
    if (st != DB_OK)
        req_db_fail(r, c, st);
    else if (res.nrows == 0)
        req_error(r, E_NOT_FOUND, "no user %lld", (long long)id);
    else
        req_json(r, 200, user_json(&res, 0));
    dbres_free(&res);
}

struct disable_ctx {
    int64_t id;
    bool disabled;
};

static enum tx_result
user_disable_tx(struct dbconn *c, struct req *r, void *arg)
{
    struct disable_ctx *x = arg;
    int64_t now = clock_now_us();
    struct dbres u = {0};
    uint64_t changed = 0;
    if (store_user_get(c, x->id, &u) != DB_OK)
        return TX_DBFAIL;
    if (u.nrows == 0) {
        dbres_free(&u);
        req_error(r, E_NOT_FOUND, "no user %lld", (long long)x->id);
        return TX_REFUSE;
    }
    dbres_free(&u);
    if (store_user_set_disabled(c, x->id, x->disabled, now, &changed) != DB_OK)
        return TX_DBFAIL;
    if (changed) { /* disabling or enabling twice changes nothing and logs nothing */
        if ((x->disabled && store_sessions_revoke_user(c, x->id, now, NULL) != DB_OK) ||
            audit_append(c, req_actor(r),
                         x->disabled ? "account.user_disable" : "account.user_enable", "user",
                         x->id, 0, NULL, NULL) != DB_OK)
            return TX_DBFAIL;
    }
    if (store_user_get(c, x->id, &u) != DB_OK)
        return TX_DBFAIL;
    req_json(r, 200, user_json(&u, 0));
    dbres_free(&u);
    return TX_COMMIT;
}

static void
user_set_disabled(struct req *r, bool disabled)
{
    struct disable_ctx x = {0, disabled};
    if (!req_param_id(r, "id", &x.id))
        return;
    if (disabled && x.id == r->who.user_id) {
        req_rule(r, "ACC-SELF-DISABLE", "you cannot disable your own account");
        return;
    }
    if (req_tx(r, user_disable_tx, &x) && disabled)
        auth_cache_forget_user(x.id);
}

void
user_disable(struct req *r, const cJSON *body)
{
    (void)body;
    user_set_disabled(r, true);
}

void
user_enable(struct req *r, const cJSON *body)
{
    (void)body;
    user_set_disabled(r, false);
}
