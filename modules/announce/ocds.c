/*
 * ocds.c — the Open Contracting Data Standard 1.1 view of a project
 * (standard.open-contracting.org): one release per published announcement (tender, tenderAmendment,
 * award, awardUpdate, tenderCancellation) and a record whose compiledRelease merges them in date
 * order, as OCDS's merge rules say (objects merge member by member, arrays of objects with ids
 * merge by id, other values are replaced). The ocid is ocds.prefix + "-" + the project code.
 * Amounts are the only place money leaves integer fen: OCDS wants a number in currency units (CNY).
 * tests/api/test_ocds.py validates the output against the official 1.1.5 schemas.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accounts/accounts.h"
#include "announce.h"
#include "entry/entry.h"
#include "store.h"

/* The project as OCDS shows it: read through the entry and accounts modules, which own it. */
struct ocds_project {
    struct project_view v;
    struct org_view buyer, agent;
};

static void
add_time(cJSON *o, const char *key, int64_t us)
{
    char ts[40];
    clock_format(us, ts, sizeof ts);
    cJSON_AddStringToObject(o, key, ts);
}

static cJSON *
value(int64_t fen)
{
    cJSON *v = cJSON_CreateObject();
    /* the amount in yuan, written exactly from integer fen (never through a double) */
    char lit[32];
    snprintf(lit, sizeof lit, "%s%lld.%02lld", fen < 0 ? "-" : "",
             (long long)(fen < 0 ? -(fen / 100) : fen / 100),
             (long long)(fen < 0 ? -(fen % 100) : fen % 100));
    cJSON_AddRawToObject(v, "amount", lit);
    cJSON_AddStringToObject(v, "currency", "CNY");
    return v;
}

static const char *
ocds_method(const char *m)
{
    if (!strcmp(m, "open_tender") || !strcmp(m, "auction") || !strcmp(m, "listing"))
        return "open";
    if (!strcmp(m, "invited_tender"))
        return "selective";
    if (!strcmp(m, "single_source") || !strcmp(m, "negotiated_transfer"))
        return "direct";
    return "limited"; /* competitive negotiation, consultation, inquiry */
}

static cJSON *
org(int64_t id, const char *name, const char *role)
{
    char oid[40];
    snprintf(oid, sizeof oid, "CN-ORG-%lld", (long long)id);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "id", oid);
    cJSON_AddStringToObject(o, "name", name);
    if (role) {
        cJSON *roles = cJSON_AddArrayToObject(o, "roles");
        cJSON_AddItemToArray(roles, cJSON_CreateString(role));
    }
    return o;
}

/* A supplier as OCDS names it (the organization's name read through accounts). */
static cJSON *
supplier(struct dbconn *c, int64_t org_id, cJSON *parties)
{
    struct org_view o;
    bool found = false;
    if (accounts_org(c, org_id, &o, &found) != DB_OK || !found)
        snprintf(o.name, sizeof o.name, "CN-ORG-%lld", (long long)org_id);
    char oid[40];
    snprintf(oid, sizeof oid, "CN-ORG-%lld", (long long)org_id);
    bool listed = false;
    for (cJSON *x = parties->child; x; x = x->next)
        listed |= !strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(x, "id")), oid);
    if (!listed)
        cJSON_AddItemToArray(parties, org(org_id, o.name, "supplier"));
    return org(org_id, o.name, NULL);
}

/* The awards of a candidates or award announcement, from its signed content: per lot, each
 * candidate a pending award ("<lot>-<rank>"); the winner's active once the award is published. */
static void
awards_of(struct dbconn *c, cJSON *r, const struct dbres *a, size_t i, bool award)
{
    cJSON *content = cJSON_Parse(dbres_str(a, i, AC_CONTENT) ? dbres_str(a, i, AC_CONTENT) : "");
    cJSON *aw = cJSON_AddArrayToObject(r, "awards");
    cJSON *parties = cJSON_GetObjectItem(r, "parties");
    const cJSON *lot;
    cJSON_ArrayForEach(lot, cJSON_GetObjectItem(content, award ? "awards" : "candidates"))
    {
        const cJSON *one, *list = award ? NULL : cJSON_GetObjectItem(lot, "candidates");
        for (one = award ? lot : (list ? list->child : NULL); one; one = award ? NULL : one->next) {
            char id[48], lid[24];
            snprintf(id, sizeof id, "%lld-%lld", (long long)json_i64(lot, "lot", 0),
                     (long long)json_i64(one, "rank", 0));
            snprintf(lid, sizeof lid, "%lld", (long long)json_i64(lot, "lot", 0));
            cJSON *x = cJSON_CreateObject();
            cJSON_AddStringToObject(x, "id", id);
            cJSON_AddStringToObject(x, "title", dbres_str(a, i, AC_TITLE));
            cJSON_AddStringToObject(x, "status", award ? "active" : "pending");
            add_time(x, "date", dbres_i64(a, i, AC_PUBLISHED));
            cJSON_AddItemToObject(x, "value", value(json_i64(one, "price_fen", 0)));
            cJSON *sup = cJSON_AddArrayToObject(x, "suppliers");
            cJSON_AddItemToArray(sup, supplier(c, json_i64(one, "org_id", 0), parties));
            cJSON *rl = cJSON_AddArrayToObject(x, "relatedLots");
            cJSON_AddItemToArray(rl, cJSON_CreateString(lid));
            cJSON_AddItemToArray(aw, x);
        }
    }
    cJSON_Delete(content);
}

/* One release for the announcement in row i of a. */
static cJSON *
release(struct dbconn *c, const char *ocid, const struct ocds_project *p, const struct dbres *lots,
        const struct dbres *a, size_t i)
{
    const char *type = dbres_str(a, i, AC_TYPE);
    cJSON *r = cJSON_CreateObject();
    char id[160];
    snprintf(id, sizeof id, "%.96s-%lld", ocid, (long long)dbres_i64(a, i, AC_ID));
    cJSON_AddStringToObject(r, "ocid", ocid);
    cJSON_AddStringToObject(r, "id", id);
    add_time(r, "date", dbres_i64(a, i, AC_PUBLISHED));
    cJSON *tag = cJSON_AddArrayToObject(r, "tag");
    const char *t = !strcmp(type, "tender")       ? "tender"
                    : !strcmp(type, "amendment")  ? "tenderAmendment"
                    : !strcmp(type, "candidates") ? "award"
                    : !strcmp(type, "award")      ? "awardUpdate"
                                                  : "tenderCancellation";
    cJSON_AddItemToArray(tag, cJSON_CreateString(t));
    cJSON_AddStringToObject(r, "initiationType", "tender");
    cJSON_AddStringToObject(r, "language", "zh");
    cJSON *parties = cJSON_AddArrayToObject(r, "parties");
    cJSON_AddItemToArray(parties, org(p->buyer.id, p->buyer.name, "buyer"));
    cJSON_AddItemToArray(parties, org(p->agent.id, p->agent.name, "procuringEntity"));
    cJSON_AddItemToObject(r, "buyer", org(p->buyer.id, p->buyer.name, NULL));
    cJSON *tender = cJSON_AddObjectToObject(r, "tender");
    cJSON_AddStringToObject(tender, "id", p->v.code);
    cJSON_AddStringToObject(tender, "title", p->v.name);
    cJSON_AddStringToObject(tender, "status",
                            !strcmp(type, "failed")        ? "unsuccessful"
                            : !strcmp(type, "termination") ? "cancelled"
                            : !strcmp(type, "award")       ? "complete"
                                                           : "active");
    cJSON_AddStringToObject(tender, "procurementMethod", ocds_method(p->v.method));
    cJSON_AddStringToObject(tender, "procurementMethodDetails", p->v.method);
    if (p->v.category == CAT_ENGINEERING)
        cJSON_AddStringToObject(tender, "mainProcurementCategory", "works");
    cJSON_AddItemToObject(tender, "value", value(p->v.budget_fen));
    cJSON_AddItemToObject(tender, "procuringEntity", org(p->agent.id, p->agent.name, NULL));
    cJSON *l = cJSON_AddArrayToObject(tender, "lots");
    for (size_t k = 0; k < lots->nrows; k++) {
        cJSON *lot = cJSON_CreateObject();
        cJSON_AddStringToObject(lot, "id", dbres_str(lots, k, LC_SEQ));
        cJSON_AddStringToObject(lot, "title", dbres_str(lots, k, LC_NAME));
        cJSON_AddItemToObject(lot, "value", value(dbres_i64(lots, k, LC_ESTIMATE)));
        cJSON_AddItemToArray(l, lot);
    }
    if (dbres_str(a, i, AC_DOCS_FROM) &&
        dbres_str(a, i, AC_DEADLINE)) { /* the period bids are taken */
        cJSON *period = cJSON_AddObjectToObject(tender, "tenderPeriod");
        add_time(period, "startDate", dbres_i64(a, i, AC_DOCS_FROM));
        add_time(period, "endDate", dbres_i64(a, i, AC_DEADLINE));
    } else if (dbres_str(a, i, AC_DEADLINE)) { /* an amendment moving the deadline */
        cJSON *period = cJSON_AddObjectToObject(tender, "tenderPeriod");
        add_time(period, "endDate", dbres_i64(a, i, AC_DEADLINE));
    }
    if (!strcmp(type, "amendment")) {
        cJSON *am = cJSON_AddArrayToObject(tender, "amendments");
        cJSON *x = cJSON_CreateObject();
        cJSON_AddStringToObject(x, "id", id);
        add_time(x, "date", dbres_i64(a, i, AC_PUBLISHED));
        cJSON_AddStringToObject(x, "description", dbres_str(a, i, AC_TITLE));
        cJSON_AddStringToObject(x, "rationale", dbres_str(a, i, AC_BODY));
        cJSON_AddItemToArray(am, x);
    }
    if (!strcmp(type, "candidates") || !strcmp(type, "award"))
        awards_of(c, r, a, i, !strcmp(type, "award"));
    return r;
}

/* OCDS merge: src into dst. */
static void
merge(cJSON *dst, const cJSON *src)
{
    for (const cJSON *it = src->child; it; it = it->next) {
        cJSON *have = cJSON_GetObjectItemCaseSensitive(dst, it->string);
        if (cJSON_IsObject(it) && cJSON_IsObject(have)) {
            merge(have, it);
        } else if (cJSON_IsArray(it) && cJSON_IsArray(have) && it->child &&
                   cJSON_IsObject(it->child) && cJSON_GetObjectItem(it->child, "id")) {
            for (const cJSON *e = it->child; e; e = e->next) { /* identity merge by id */
                const cJSON *eid = cJSON_GetObjectItem(e, "id");
                cJSON *match = NULL;
                for (cJSON *h = have->child; h && eid; h = h->next) {
                    const cJSON *hid = cJSON_GetObjectItem(h, "id");
                    if (cJSON_IsString(hid) && cJSON_IsString(eid) &&
                        !strcmp(hid->valuestring, eid->valuestring))
                        match = h;
                }
                if (match)
                    merge(match, e);
                else
                    cJSON_AddItemToArray(have, cJSON_Duplicate(e, true));
            }
        } else {
            cJSON_DeleteItemFromObjectCaseSensitive(dst, it->string);
            cJSON_AddItemToObject(dst, it->string, cJSON_Duplicate(it, true));
        }
    }
}

cJSON *
ocds_package(struct dbconn *c, int64_t project_id, const char *prefix, const char *base_url,
             bool record, enum db_status *st)
{
    struct dbres lots = {0}, a = {0};
    cJSON *pkg = NULL;
    struct ocds_project *p = calloc(1, sizeof *p);
    bool found = false, buyer = false, agent = false;
    if (!p) {
        *st = DB_ERROR;
        return NULL;
    }
    if ((*st = entry_project(c, project_id, false, &p->v, &found)) != DB_OK || !found ||
        (*st = accounts_org(c, p->v.tenderer_org_id, &p->buyer, &buyer)) != DB_OK ||
        (*st = accounts_org(c, p->v.agent_org_id, &p->agent, &agent)) != DB_OK ||
        (*st = entry_lots(c, project_id, &lots)) != DB_OK ||
        (*st = store_ann_of_project(c, project_id, &a)) != DB_OK)
        goto out;
    if (a.nrows == 0 || !p->v.code[0])
        goto out; /* nothing published: nothing public */
    char ocid[96], uri[512];
    snprintf(ocid, sizeof ocid, "%.40s-%.40s", prefix, p->v.code);
    snprintf(uri, sizeof uri, "%s/api/v1/public/projects/%lld/ocds/%s", base_url,
             (long long)project_id, record ? "record" : "releases");
    pkg = cJSON_CreateObject();
    cJSON_AddStringToObject(pkg, "uri", uri);
    cJSON_AddStringToObject(pkg, "version", "1.1");
    add_time(pkg, "publishedDate", dbres_i64(&a, a.nrows - 1, AC_PUBLISHED));
    cJSON *publisher = cJSON_AddObjectToObject(pkg, "publisher");
    cJSON_AddStringToObject(publisher, "name", "公共资源交易平台");
    cJSON *releases = cJSON_CreateArray();
    for (size_t i = 0; i < a.nrows; i++)
        cJSON_AddItemToArray(releases, release(c, ocid, p, &lots, &a, i));
    /* the signed contracts (the evaluation stage's): one release each, tag contract */
    cJSON *contracts = announce_contracts(c, project_id, st);
    if (*st != DB_OK) {
        cJSON_Delete(releases);
        cJSON_Delete(pkg);
        pkg = NULL;
        goto out;
    }
    const cJSON *k;
    cJSON_ArrayForEach(k, contracts)
    {
        cJSON *r = cJSON_CreateObject();
        char id[160], cid[40], aid[48];
        snprintf(id, sizeof id, "%.96s-contract-%lld", ocid, (long long)json_i64(k, "id", 0));
        snprintf(cid, sizeof cid, "%lld", (long long)json_i64(k, "id", 0));
        snprintf(aid, sizeof aid, "%lld-%lld", (long long)json_i64(k, "lot", 0),
                 (long long)json_i64(k, "rank", 0));
        cJSON_AddStringToObject(r, "ocid", ocid);
        cJSON_AddStringToObject(r, "id", id);
        add_time(r, "date", json_i64(k, "signed_us", 0));
        cJSON *tag = cJSON_AddArrayToObject(r, "tag");
        cJSON_AddItemToArray(tag, cJSON_CreateString("contract"));
        cJSON_AddStringToObject(r, "initiationType", "tender");
        cJSON_AddStringToObject(r, "language", "zh");
        cJSON *cs = cJSON_AddArrayToObject(r, "contracts"), *x = cJSON_CreateObject();
        cJSON_AddStringToObject(x, "id", cid);
        cJSON_AddStringToObject(x, "awardID", aid);
        cJSON_AddStringToObject(x, "status", "active");
        cJSON_AddItemToObject(x, "value", value(json_i64(k, "price_fen", 0)));
        add_time(x, "dateSigned", json_i64(k, "signed_us", 0));
        cJSON_AddItemToArray(cs, x);
        cJSON_AddItemToArray(releases, r);
    }
    cJSON_Delete(contracts);
    if (!record) {
        cJSON_AddItemToObject(pkg, "releases", releases);
        goto out;
    }
    cJSON *compiled = cJSON_CreateObject();
    for (const cJSON *r = releases->child; r; r = r->next)
        merge(compiled, r);
    char cid[128];
    snprintf(cid, sizeof cid, "%.96s-compiled", ocid);
    cJSON_ReplaceItemInObject(compiled, "id", cJSON_CreateString(cid));
    cJSON *tag = cJSON_CreateArray();
    cJSON_AddItemToArray(tag, cJSON_CreateString("compiled"));
    cJSON_ReplaceItemInObject(compiled, "tag", tag);
    cJSON *records = cJSON_AddArrayToObject(pkg, "records");
    cJSON *rec = cJSON_CreateObject();
    cJSON_AddStringToObject(rec, "ocid", ocid);
    cJSON_AddItemToObject(rec, "releases", releases);
    cJSON_AddItemToObject(rec, "compiledRelease", compiled);
    cJSON_AddItemToArray(records, rec);
out:
    free(p);
    dbres_free(&lots);
    dbres_free(&a);
    return pkg;
}
