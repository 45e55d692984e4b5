/*
 * public.c — reading without login: the list with filters and a cursor (public order: the audit
 * index of each publication), one announcement with its version chain, its signature, the Atom
 * feed and the OCDS packages; pages cached for public.cache_ms and dropped on each publication.
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
#include "internal.h"
#include "store.h"

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

void
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

void
pages_free(void)
{
    pthread_mutex_lock(&pages.mu);
    for (unsigned i = 0; i < PAGE_CACHE; i++) {
        free(pages.slot[i].body);
        pages.slot[i].body = NULL;
    }
    pthread_mutex_unlock(&pages.mu);
}

void
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
    if (!type_ok || (cat && category_from_name(cat) < 0) ||
        (region && !accounts_rule_region_ok(region)) ||
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
    req_page_reply(r, &res, limit, "next_before", AC_PUB_SEQ, ann_row, NULL);
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
    if (a->nrows != 1 || !dbres_str(a, 0, AC_PUB_SEQ)) {
        req_error(r, E_NOT_FOUND, "no published announcement %lld", (long long)id);
        return false;
    }
    return true;
}

void
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
    if (store_ann_of_project(c, dbres_i64(&a, 0, AC_PROJECT), &all) == DB_OK) {
        int64_t chain[256];
        size_t n = 0;
        int64_t root = id;
        for (int guard = 0; guard < 256; guard++) { /* walk amends_id back to the root */
            bool moved = false;
            for (size_t i = 0; i < all.nrows; i++)
                if (dbres_i64(&all, i, AC_ID) == root && dbres_str(&all, i, AC_AMENDS)) {
                    root = dbres_i64(&all, i, AC_AMENDS);
                    moved = true;
                    break;
                }
            if (!moved)
                break;
        }
        chain[n++] = root;
        cJSON *versions = cJSON_AddArrayToObject(o, "versions");
        for (size_t i = 0; i < all.nrows; i++) {
            bool in_chain = dbres_i64(&all, i, AC_ID) == root;
            for (size_t k = 0; !in_chain && k < n; k++)
                in_chain =
                    dbres_str(&all, i, AC_AMENDS) && dbres_i64(&all, i, AC_AMENDS) == chain[k];
            if (in_chain) {
                if (n < ARRAY_LEN(chain))
                    chain[n++] = dbres_i64(&all, i, AC_ID);
                cJSON_AddItemToArray(versions, ann_json(NULL, &all, i, false));
            }
        }
    }
    dbres_free(&all);
    dbres_free(&a);
    req_json(r, 200, o);
}

void
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
    hex_encode((const uint8_t *)dbres_str(&a, 0, AC_SHA), 32, hex);
    b64_encode((const uint8_t *)dbres_str(&a, 0, AC_SIGNATURE), 64, sig);
    snprintf(msg, sizeof msg, "ggzy-announcement-v1\n%s\n", hex);
    cJSON *o = cJSON_CreateObject();
    json_add_i64(o, "id", id);
    cJSON_AddStringToObject(o, "content", dbres_str(&a, 0, AC_CONTENT));
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

void
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
    clock_format(res.nrows ? dbres_i64(&res, 0, AC_PUBLISHED) : clock_now_us(), now, sizeof now);
    struct buf b = {0};
    buf_printf(&b,
               "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
               "<feed xmlns=\"http://www.w3.org/2005/Atom\">\n"
               "<title>公共资源交易平台 公告</title>\n<id>urn:ggzy:%s:announcements</id>\n"
               "<updated>%s</updated>\n<link rel=\"self\" href=\"/api/v1/public/feed.atom\"/>\n"
               /* RFC 4287 §4.1.1: a feed has an author unless every entry has one */
               "<author><name>公共资源交易平台 (%s)</name></author>\n",
               checkpoint_origin(), now, announce_cfg->platform_id);
    for (size_t i = 0; i < res.nrows; i++) {
        char t[40];
        clock_format(dbres_i64(&res, i, AC_PUBLISHED), t, sizeof t);
        buf_printf(&b, "<entry>\n<id>urn:ggzy:%s:announcement:%lld</id>\n<title>",
                   checkpoint_origin(), (long long)dbres_i64(&res, i, AC_ID));
        xml_escape(&b, dbres_str(&res, i, AC_TITLE));
        buf_printf(&b,
                   "</title>\n<updated>%s</updated>\n<category term=\"%s\"/>\n"
                   "<link href=\"/api/v1/public/announcements/%lld\"/>\n<summary>",
                   t, dbres_str(&res, i, AC_TYPE), (long long)dbres_i64(&res, i, AC_ID));
        xml_escape(&b,
                   dbres_str(&res, i, AC_PROJECT_CODE) ? dbres_str(&res, i, AC_PROJECT_CODE) : "");
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

void
public_ocds_releases(struct req *r, const cJSON *body)
{
    (void)body;
    public_ocds(r, false);
}

void
public_ocds_record(struct req *r, const cJSON *body)
{
    (void)body;
    public_ocds(r, true);
}
