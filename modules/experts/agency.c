/*
 * agency.c — the agency draw (招标代理机构抽取): a tenderer that must choose its tender agent at
 * random draws it from the agencies registered with the center, with the committee draw's engine
 * and the same steps (draws.c: commitment, two staff cosigning, the pool fixed after the
 * exclusions, the supervisor's value, the order), so the same replay holds (docs/draw.md §11).
 * Since the national licensing of tender agencies ended, what an agency may be drawn for is what
 * it registered with the center: its trading categories, its region, and the organizations it
 * declared itself affiliated with.
 *
 *   POST /api/v1/agencies/{id}/registration   center staff register (or update) an agency
 *   GET  /api/v1/agencies?category=           the register (public)
 *   POST /api/v1/agency-draws                 a tenderer's own people ask for a draw
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "accounts/accounts.h"
#include "audit.h"
#include "canon.h"
#include "crypto.h"
#include "draw.h"
#include "internal.h"
#include "util.h"

/* "a,b" from a JSON array of strings each passing ok (NULL: refused, field named in r). */
static char *
joined(struct req *r, const cJSON *arr, const char *field, bool (*ok)(const char *))
{
    struct buf b = {0};
    const cJSON *it;
    cJSON_ArrayForEach(it, arr)
    {
        if (!cJSON_IsString(it) || !ok(it->valuestring) || strchr(it->valuestring, ',')) {
            req_field_error(r, E_INVALID_FIELD, field, "%s holds an item that is not allowed",
                            field);
            buf_free(&b);
            return NULL;
        }
        if (b.len)
            buf_puts(&b, ",");
        buf_puts(&b, it->valuestring);
    }
    buf_puts(&b, "");
    return buf_take(&b);
}

static bool
category_ok(const char *s)
{
    return category_from_name(s) >= 0;
}

static bool
credit_ok(const char *s)
{
    return accounts_rule_credit_code_ok(s);
}

/* ---- the register ---- */

struct register_in {
    int64_t org;
    char *categories, *affiliates;
    const char *state, *reason;
};

static enum tx_result
register_tx(struct dbconn *c, struct req *r, void *arg)
{
    struct register_in *x = arg;
    struct org_view o;
    bool found;
    if (accounts_org(c, x->org, &o, &found) != DB_OK)
        return TX_DBFAIL;
    if (!found || strcmp(o.type, "agency")) {
        req_rule(r, "DRAW-AGENCY", "organization %lld is not a tender agency", (long long)x->org);
        return TX_REFUSE;
    }
    struct agency_row a = {x->org,        o.name,        o.credit_code, o.region,
                           x->categories, x->affiliates, x->state,      x->reason};
    if (store_agency_upsert(c, &a, clock_now_us()) != DB_OK)
        return TX_DBFAIL;
    cJSON *pl = cJSON_CreateObject();
    cJSON_AddStringToObject(pl, "categories", x->categories);
    cJSON_AddStringToObject(pl, "affiliates", x->affiliates);
    cJSON_AddStringToObject(pl, "state", x->state);
    if (x->reason)
        cJSON_AddStringToObject(pl, "reason", x->reason);
    if (audit_append(c, req_actor(r), "agency.register", "organization", x->org, 0, pl, NULL) !=
        DB_OK)
        return TX_DBFAIL;
    req_empty(r, 200);
    return TX_COMMIT;
}

void
agency_register(struct req *r, const cJSON *body)
{
    struct register_in x = {.state = json_str(body, "state"), .reason = json_str(body, "reason")};
    if (!req_param_id(r, "id", &x.org))
        return;
    x.categories =
        joined(r, cJSON_GetObjectItemCaseSensitive(body, "categories"), "categories", category_ok);
    x.affiliates = x.categories ? joined(r, cJSON_GetObjectItemCaseSensitive(body, "affiliates"),
                                         "affiliates", credit_ok)
                                : NULL;
    if (x.categories && x.affiliates)
        req_tx(r, register_tx, &x);
    free(x.categories);
    free(x.affiliates);
}

static cJSON *
agency_json(void *ctx, const struct dbres *s, size_t i)
{
    (void)ctx;
    cJSON *o = cJSON_CreateObject();
    json_add_i64(o, "org_id", dbres_i64(s, i, AG_ORG));
    cJSON_AddStringToObject(o, "name", dbres_str(s, i, AG_NAME));
    cJSON_AddStringToObject(o, "credit_code", dbres_str(s, i, AG_CREDIT));
    cJSON_AddStringToObject(o, "region", dbres_str(s, i, AG_REGION));
    cJSON *cats = cJSON_AddArrayToObject(o, "categories");
    for (const char *p = dbres_str(s, i, AG_CATEGORIES); p && *p;) {
        const char *e = strchr(p, ',');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        char w[32];
        snprintf(w, sizeof w, "%.*s", (int)n, p);
        cJSON_AddItemToArray(cats, cJSON_CreateString(w));
        p = e ? e + 1 : p + n;
    }
    cJSON_AddStringToObject(o, "state", dbres_str(s, i, AG_STATE));
    json_add_i64(o, "updated_us", dbres_i64(s, i, AG_UPDATED));
    return o;
}

void
agency_list(struct req *r, const cJSON *body)
{
    (void)body;
    const char *cat = req_query(r, "category");
    struct dbres s = {0};
    if (!cat || category_from_name(cat) < 0) {
        req_error(r, E_BAD_REQUEST,
                  "category is required: engineering, procurement, "
                  "land_mineral or state_property");
        return;
    }
    struct dbconn *c = req_db(r);
    if (!c)
        return;
    enum db_status st = store_agencies(c, cat, 0, 0, 0, &s);
    if (st != DB_OK) {
        req_db_fail(r, c, st);
        dbres_free(&s);
        return;
    }
    cJSON *o = cJSON_CreateObject(), *items = cJSON_AddArrayToObject(o, "items");
    for (size_t i = 0; i < s.nrows; i++)
        cJSON_AddItemToArray(items, agency_json(NULL, &s, i));
    dbres_free(&s);
    req_json(r, 200, o);
}

/* ---- the pool of an agency draw ---- */

enum db_status
agency_members(struct dbconn *c, const struct dbres *d, int64_t now, struct member **mp,
               size_t *nmp, int64_t *have, int64_t *excluded)
{
    struct org_view t;
    bool found;
    struct dbres a = {0};
    struct member *m = NULL;
    size_t nm = 0;
    int64_t tenderer = dbres_i64(d, 0, DC_TENDERER);
    cJSON *regions = cJSON_Parse(dbres_str(d, 0, DC_REGIONS));
    enum db_status st = accounts_org(c, tenderer, &t, &found);
    if (st == DB_OK && !found)
        st = DB_ERROR;
    if (st == DB_OK)
        st = store_agencies(c, dbres_str(d, 0, DC_CATEGORY), 0, tenderer,
                            now - experts_conf.served_days * EXPERTS_DAY_US, &a);
    if (st == DB_OK && !(m = calloc(a.nrows + 1, sizeof *m)))
        st = DB_ERROR;
    for (size_t i = 0; st == DB_OK && i < a.nrows; i++) {
        bool region_ok = false, related = false;
        const cJSON *it;
        cJSON_ArrayForEach(it, regions) region_ok =
            region_ok || !strcmp(it->valuestring, dbres_str(&a, i, AG_REGION));
        for (const char *p = dbres_str(&a, i, AG_AFFILIATES); p && *p;) {
            related = related || !strncmp(p, t.credit_code, 18);
            const char *e = strchr(p, ',');
            p = e ? e + 1 : p + strlen(p);
        }
        const char *why = experts_rule_agency_exclusion(dbres_str(&a, i, AG_STATE), region_ok,
                                                        related, dbres_i64(&a, i, AG_SERVED) != 0);
        if (why) {
            for (size_t e = 0; experts_exclusion_reasons[e]; e++)
                if (!strcmp(experts_exclusion_reasons[e], why))
                    excluded[e]++;
            continue;
        }
        m[nm].user = dbres_i64(&a, i, AG_ORG);
        m[nm].group = 0;
        if (!member_name(&m[nm++], dbres_i64(d, 0, DC_ID))) {
            st = DB_ERROR;
            break;
        }
        have[0]++;
    }
    cJSON_Delete(regions);
    dbres_free(&a);
    *mp = m;
    *nmp = nm;
    return st;
}

/* ---- the request ---- */

struct agency_ask {
    const char *category;
    int64_t count, reserves;
    cJSON *regions; /* owned */
};

static enum tx_result
ask_tx(struct dbconn *c, struct req *r, void *arg)
{
    struct agency_ask *x = arg;
    struct org_view o;
    bool found;
    int64_t now = clock_now_us(), id;
    uint8_t secret[32], commit[32];
    char commit_hex[65], *regions = NULL, groups[96];
    enum tx_result t = TX_DBFAIL;
    if (accounts_org(c, r->who.org_id, &o, &found) != DB_OK)
        goto out;
    t = TX_REFUSE;
    if (!found || strcmp(o.type, "tenderer")) {
        req_rule_as(r, E_FORBIDDEN, "DRAW-TENDERER",
                    "an agency is drawn by the tenderer's own people, for their organization");
        goto out;
    }
    t = TX_DBFAIL;
    if (!crypto_random(secret, sizeof secret) || !draw_commit(secret, commit))
        goto out;
    hex_encode(commit, 32, commit_hex);
    snprintf(groups, sizeof groups, "[{\"count\":%lld,\"specialty\":\"agency\"}]",
             (long long)x->count);
    if (!(regions = cJSON_PrintUnformatted(x->regions)))
        goto out;
    struct draw_row row = {.kind = "agency",
                           .category = x->category,
                           .tenderer = r->who.org_id,
                           .size = x->count,
                           .reserves = x->reserves,
                           .requested_by = r->who.user_id,
                           .groups = groups,
                           .regions = regions,
                           .commit = commit_hex,
                           .place = "",
                           .beacon_source =
                               *experts_conf.beacon_source ? experts_conf.beacon_source : NULL,
                           .secret = secret};
    if (store_draw_insert(c, &row, now, &id) != DB_OK)
        goto out;
    cJSON *pl = cJSON_CreateObject();
    json_add_i64(pl, "draw_id", id);
    cJSON_AddStringToObject(pl, "kind", "agency");
    cJSON_AddStringToObject(pl, "category", x->category);
    cJSON_AddStringToObject(pl, "tenderer_credit_code", o.credit_code);
    cJSON *g = cJSON_AddArrayToObject(pl, "groups"), *one = cJSON_CreateObject();
    json_add_i64(one, "count", x->count);
    cJSON_AddStringToObject(one, "specialty", "agency");
    cJSON_AddItemToArray(g, one);
    json_add_i64(pl, "owner_reps", 0);
    json_add_i64(pl, "reserves", x->reserves);
    cJSON_AddItemToObject(pl, "regions", cJSON_Duplicate(x->regions, true));
    json_add_i64(pl, "size", x->count);
    json_add_i64(pl, "staff", experts_conf.staff);
    cJSON_AddStringToObject(pl, "seed_commit", commit_hex);
    cJSON_AddStringToObject(pl, "beacon_source", experts_conf.beacon_source);
    struct dbres d = {0};
    if (audit_append(c, req_actor(r), "draw.request", "draw", id, 0, pl, NULL) != DB_OK ||
        store_draw(c, id, false, &d) != DB_OK || d.nrows != 1) {
        dbres_free(&d);
        goto out;
    }
    req_json(r, 201, draw_json(&d, 0));
    dbres_free(&d);
    t = TX_COMMIT;
out:
    OPENSSL_cleanse(secret, sizeof secret);
    free(regions);
    return t;
}

void
agency_draw_create(struct req *r, const cJSON *body)
{
    struct agency_ask x = {.category = json_str(body, "category"),
                           .count = json_i64(body, "count", 1),
                           .reserves = json_i64(body, "reserves", 0),
                           .regions = cJSON_CreateArray()};
    const cJSON *it;
    if (category_from_name(x.category) < 0) {
        req_field_error(r, E_INVALID_FIELD, "category",
                        "category is engineering, procurement, land_mineral or state_property");
        goto out;
    }
    cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(body, "regions"))
    {
        if (!cJSON_IsString(it) || !accounts_rule_region_ok(it->valuestring)) {
            req_field_error(r, E_INVALID_FIELD, "regions",
                            "each region is a six-digit administrative division code");
            goto out;
        }
        cJSON_AddItemToArray(x.regions, cJSON_CreateString(it->valuestring));
    }
    req_tx(r, ask_tx, &x);
out:
    cJSON_Delete(x.regions);
}
