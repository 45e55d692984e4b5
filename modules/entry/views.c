/*
 * views.c — the entry module's JSON view of a project (with its lots and documents), the one
 * place it is shaped.
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

/* ---- views ---- */

cJSON *
project_json(struct dbconn *c, const struct dbres *r, size_t i, bool detail)
{
    cJSON *o = cJSON_CreateObject();
    int64_t id = dbres_i64(r, i, PC_ID);
    json_add_i64(o, "id", id);
    if (dbres_str(r, i, PC_CODE))
        cJSON_AddStringToObject(o, "code", dbres_str(r, i, PC_CODE));
    else
        cJSON_AddNullToObject(o, "code");
    cJSON_AddStringToObject(o, "name", dbres_str(r, i, PC_NAME));
    cJSON_AddStringToObject(o, "category", dbres_str(r, i, PC_CATEGORY));
    cJSON_AddStringToObject(o, "method", dbres_str(r, i, PC_METHOD));
    cJSON_AddStringToObject(o, "region", dbres_str(r, i, PC_REGION));
    json_add_i64(o, "tenderer_org_id", dbres_i64(r, i, PC_TENDERER));
    json_add_i64(o, "agent_org_id", dbres_i64(r, i, PC_AGENT));
    json_add_i64(o, "budget_fen", dbres_i64(r, i, PC_BUDGET));
    cJSON_AddStringToObject(o, "funding_source", dbres_str(r, i, PC_FUNDING));
    cJSON_AddBoolToObject(o, "legally_required", dbres_i64(r, i, PC_LEGAL) != 0);
    cJSON_AddStringToObject(o, "state", dbres_str(r, i, PC_STATE));
    if (dbres_str(r, i, PC_RETURN_REASON))
        cJSON_AddStringToObject(o, "return_reason", dbres_str(r, i, PC_RETURN_REASON));
    if (dbres_str(r, i, PC_RETENDER_OF))
        json_add_i64(o, "retender_of", dbres_i64(r, i, PC_RETENDER_OF));
    json_add_time(o, "created_at", dbres_i64(r, i, PC_CREATED));
    json_add_time(o, "updated_at", dbres_i64(r, i, PC_UPDATED));
    if (!detail)
        return o;
    struct dbres l = {0}, d = {0};
    cJSON *lots = cJSON_AddArrayToObject(o, "lots");
    if (store_lots(c, id, &l) == DB_OK)
        for (size_t k = 0; k < l.nrows; k++) {
            cJSON *x = cJSON_CreateObject();
            json_add_i64(x, "seq", dbres_i64(&l, k, LC_SEQ));
            cJSON_AddStringToObject(x, "name", dbres_str(&l, k, LC_NAME));
            json_add_i64(x, "estimate_fen", dbres_i64(&l, k, LC_ESTIMATE));
            cJSON_AddItemToArray(lots, x);
        }
    cJSON *docs = cJSON_AddArrayToObject(o, "documents");
    if (store_documents(c, id, &d) == DB_OK)
        for (size_t k = 0; k < d.nrows; k++) {
            cJSON *x = cJSON_CreateObject();
            char hex[65];
            json_add_i64(x, "id", dbres_i64(&d, k, DC_ID));
            cJSON_AddStringToObject(x, "name", dbres_str(&d, k, DC_NAME));
            cJSON_AddStringToObject(x, "content_type", dbres_str(&d, k, DC_TYPE));
            json_add_i64(x, "size", dbres_i64(&d, k, DC_SIZE));
            hex_encode((const uint8_t *)dbres_str(&d, k, DC_SHA), 32, hex);
            cJSON_AddStringToObject(x, "sha256", hex);
            json_add_time(x, "created_at", dbres_i64(&d, k, DC_CREATED));
            cJSON_AddItemToArray(docs, x);
        }
    dbres_free(&l);
    dbres_free(&d);
    return o;
}

/* Answer with project id as it now is. */
/* A project in a list (req_page_reply's shape). */
cJSON *
project_row(void *c, const struct dbres *r, size_t i)
{
    return project_json(c, r, i, false);
}

bool
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
