/*
 * documents.c — a project's documents: uploaded by its agent (ENT-DOCUMENT: the allowed types,
 * checked against the bytes), read by its parties.
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

void
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
    struct refusal f = entry_rule_document(x.type, r->body.p, r->body.len);
    if (f.code) { /* 415: the media type the route takes, with the rule that says so */
        req_rule_as(r, E_UNSUPPORTED_MEDIA, f.code, "%s", f.why);
        return;
    }
    if (!crypto_sha256(r->body.p, r->body.len, x.sha)) {
        req_error(r, E_INTERNAL, "cannot hash the document");
        return;
    }
    req_tx(r, document_tx, &x);
}

void
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
        if (!strcmp(types[i], dbres_str(&d, 0, D1_TYPE)))
            type = types[i]; /* a static string outlives the row */
    size_t len = dbres_len(&d, 0, D1_CONTENT);
    char *bytes = dbres_take(&d, 0, D1_CONTENT);
    dbres_free(&d);
    req_raw(r, 200, type, bytes, len);
}
