/*
 * views.c — the announce module's JSON view of an announcement (with its deposits), the one
 * place it is shaped.
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

/* ---- views ---- */

cJSON *
ann_json(struct dbconn *c, const struct dbres *r, size_t i, bool with_body)
{
    cJSON *o = cJSON_CreateObject();
    int64_t id = dbres_i64(r, i, AC_ID);
    json_add_i64(o, "id", id);
    json_add_i64(o, "project_id", dbres_i64(r, i, AC_PROJECT));
    if (dbres_str(r, i, AC_PROJECT_CODE))
        cJSON_AddStringToObject(o, "project_code", dbres_str(r, i, AC_PROJECT_CODE));
    cJSON_AddStringToObject(o, "type", dbres_str(r, i, AC_TYPE));
    cJSON_AddStringToObject(o, "title", dbres_str(r, i, AC_TITLE));
    if (with_body)
        cJSON_AddStringToObject(o, "body", dbres_str(r, i, AC_BODY));
    if (dbres_str(r, i, AC_AMENDS))
        json_add_i64(o, "amends_id", dbres_i64(r, i, AC_AMENDS));
    else
        cJSON_AddNullToObject(o, "amends_id");
    cJSON_AddBoolToObject(o, "affects_bids", dbres_i64(r, i, AC_AFFECTS) != 0);
    for (int k = 0; k < 6; k++)
        if (dbres_str(r, i, 7 + (size_t)k))
            json_add_i64(o, announce_time_keys[k], dbres_i64(r, i, AC_DOCS_FROM + (size_t)k));
    if (dbres_str(r, i, AC_PLACE))
        cJSON_AddStringToObject(o, "opening_place", dbres_str(r, i, AC_PLACE));
    if (dbres_str(r, i, AC_EVALUATION))
        cJSON_AddItemToObject(o, "evaluation", cJSON_Parse(dbres_str(r, i, AC_EVALUATION)));
    cJSON_AddStringToObject(o, "state", dbres_str(r, i, AC_STATE));
    cJSON_AddStringToObject(o, "category", dbres_str(r, i, AC_CATEGORY));
    cJSON_AddStringToObject(o, "region", dbres_str(r, i, AC_REGION));
    json_add_time(o, "created_at", dbres_i64(r, i, AC_CREATED));
    if (dbres_str(r, i, AC_PUBLISHED))
        json_add_time(o, "published_at", dbres_i64(r, i, AC_PUBLISHED));
    if (dbres_str(r, i, AC_SHA)) {
        char hex[65];
        hex_encode((const uint8_t *)dbres_str(r, i, AC_SHA), 32, hex);
        cJSON_AddStringToObject(o, "content_sha256", hex);
    }
    if (dbres_str(r, i, AC_PUB_SEQ))
        json_add_i64(o, "public_seq", dbres_i64(r, i, AC_PUB_SEQ));
    struct dbres d = {0};
    cJSON *deps = cJSON_AddArrayToObject(o, "deposits");
    if (c && store_ann_deposits(c, id, &d) == DB_OK)
        for (size_t k = 0; k < d.nrows; k++) {
            cJSON *x = cJSON_CreateObject();
            json_add_i64(x, "lot", dbres_i64(&d, k, DP_LOT));
            json_add_i64(x, "deposit_fen", dbres_i64(&d, k, DP_FEN));
            cJSON_AddItemToArray(deps, x);
        }
    dbres_free(&d);
    return o;
}

/* An announcement in the public list, without its body (req_page_reply's shape). */
cJSON *
ann_row(void *ctx, const struct dbres *r, size_t i)
{
    (void)ctx;
    return ann_json(NULL, r, i, false);
}
