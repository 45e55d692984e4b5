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

#include "announce.h"
#include "store.h"

/* Reads of other modules' tables, for this public view only. */
static const char sql_project[] =
    "SELECT p.code, p.name, p.category, p.method, p.budget_fen, t.id, t.name, g.id, g.name "
    "FROM projects p JOIN organizations t ON t.id = p.tenderer_org_id "
    "JOIN organizations g ON g.id = p.agent_org_id WHERE p.id = ?";
static const char sql_lots[] =
    "SELECT seq, name, estimate_fen FROM project_lots WHERE project_id = ? ORDER BY seq";

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

/* One release for the announcement in row i of a. */
static cJSON *
release(const char *ocid, const struct dbres *p, const struct dbres *lots, const struct dbres *a,
        size_t i)
{
    const char *type = dbres_str(a, i, 2);
    cJSON *r = cJSON_CreateObject();
    char id[160];
    snprintf(id, sizeof id, "%.96s-%lld", ocid, (long long)dbres_i64(a, i, 0));
    cJSON_AddStringToObject(r, "ocid", ocid);
    cJSON_AddStringToObject(r, "id", id);
    add_time(r, "date", dbres_i64(a, i, 18));
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
    cJSON_AddItemToArray(parties, org(dbres_i64(p, 0, 5), dbres_str(p, 0, 6), "buyer"));
    cJSON_AddItemToArray(parties, org(dbres_i64(p, 0, 7), dbres_str(p, 0, 8), "procuringEntity"));
    cJSON_AddItemToObject(r, "buyer", org(dbres_i64(p, 0, 5), dbres_str(p, 0, 6), NULL));
    cJSON *tender = cJSON_AddObjectToObject(r, "tender");
    cJSON_AddStringToObject(tender, "id", dbres_str(p, 0, 0));
    cJSON_AddStringToObject(tender, "title", dbres_str(p, 0, 1));
    cJSON_AddStringToObject(tender, "status",
                            !strcmp(type, "failed")        ? "unsuccessful"
                            : !strcmp(type, "termination") ? "cancelled"
                            : !strcmp(type, "award")       ? "complete"
                                                           : "active");
    cJSON_AddStringToObject(tender, "procurementMethod", ocds_method(dbres_str(p, 0, 3)));
    cJSON_AddStringToObject(tender, "procurementMethodDetails", dbres_str(p, 0, 3));
    if (!strcmp(dbres_str(p, 0, 2), "engineering"))
        cJSON_AddStringToObject(tender, "mainProcurementCategory", "works");
    cJSON_AddItemToObject(tender, "value", value(dbres_i64(p, 0, 4)));
    cJSON_AddItemToObject(tender, "procuringEntity",
                          org(dbres_i64(p, 0, 7), dbres_str(p, 0, 8), NULL));
    cJSON *l = cJSON_AddArrayToObject(tender, "lots");
    for (size_t k = 0; k < lots->nrows; k++) {
        cJSON *lot = cJSON_CreateObject();
        cJSON_AddStringToObject(lot, "id", dbres_str(lots, k, 0));
        cJSON_AddStringToObject(lot, "title", dbres_str(lots, k, 1));
        cJSON_AddItemToObject(lot, "value", value(dbres_i64(lots, k, 2)));
        cJSON_AddItemToArray(l, lot);
    }
    if (dbres_str(a, i, 7) && dbres_str(a, i, 9)) { /* the period bids are taken */
        cJSON *period = cJSON_AddObjectToObject(tender, "tenderPeriod");
        add_time(period, "startDate", dbres_i64(a, i, 7));
        add_time(period, "endDate", dbres_i64(a, i, 9));
    } else if (dbres_str(a, i, 9)) { /* an amendment moving the deadline */
        cJSON *period = cJSON_AddObjectToObject(tender, "tenderPeriod");
        add_time(period, "endDate", dbres_i64(a, i, 9));
    }
    if (!strcmp(type, "amendment")) {
        cJSON *am = cJSON_AddArrayToObject(tender, "amendments");
        cJSON *x = cJSON_CreateObject();
        cJSON_AddStringToObject(x, "id", id);
        add_time(x, "date", dbres_i64(a, i, 18));
        cJSON_AddStringToObject(x, "description", dbres_str(a, i, 3));
        cJSON_AddStringToObject(x, "rationale", dbres_str(a, i, 4));
        cJSON_AddItemToArray(am, x);
    }
    if (!strcmp(type, "candidates") || !strcmp(type, "award")) {
        cJSON *aw = cJSON_AddArrayToObject(r, "awards");
        cJSON *x = cJSON_CreateObject();
        cJSON_AddStringToObject(x, "id", "1");
        cJSON_AddStringToObject(x, "title", dbres_str(a, i, 3));
        cJSON_AddStringToObject(x, "status", !strcmp(type, "award") ? "active" : "pending");
        add_time(x, "date", dbres_i64(a, i, 18));
        cJSON_AddItemToArray(aw, x);
    }
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
    struct dbres p = {0}, lots = {0}, a = {0};
    cJSON *pkg = NULL;
    struct dbv pp[] = {DBV_INT(project_id)};
    if ((*st = db_query(c, sql_project, pp, 1, &p)) != DB_OK ||
        (*st = db_query(c, sql_lots, pp, 1, &lots)) != DB_OK ||
        (*st = store_ann_of_project(c, project_id, &a)) != DB_OK)
        goto out;
    if (p.nrows != 1 || a.nrows == 0 || !dbres_str(&p, 0, 0))
        goto out; /* nothing published: nothing public */
    char ocid[96], uri[512];
    snprintf(ocid, sizeof ocid, "%.40s-%.40s", prefix, dbres_str(&p, 0, 0));
    snprintf(uri, sizeof uri, "%s/api/v1/public/projects/%lld/ocds/%s", base_url,
             (long long)project_id, record ? "record" : "releases");
    pkg = cJSON_CreateObject();
    cJSON_AddStringToObject(pkg, "uri", uri);
    cJSON_AddStringToObject(pkg, "version", "1.1");
    add_time(pkg, "publishedDate", dbres_i64(&a, a.nrows - 1, 18));
    cJSON *publisher = cJSON_AddObjectToObject(pkg, "publisher");
    cJSON_AddStringToObject(publisher, "name", "公共资源交易平台");
    cJSON *releases = cJSON_CreateArray();
    for (size_t i = 0; i < a.nrows; i++)
        cJSON_AddItemToArray(releases, release(ocid, &p, &lots, &a, i));
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
    dbres_free(&p);
    dbres_free(&lots);
    dbres_free(&a);
    return pkg;
}
