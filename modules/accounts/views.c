/*
 * views.c — the accounts module's JSON views of its rows (organizations, users), the one place
 * they are shaped.
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

/* ---- JSON views of rows ---- */

cJSON *
org_json(const struct dbres *r, size_t i)
{
    cJSON *o = cJSON_CreateObject();
    json_add_i64(o, "id", dbres_i64(r, i, OC_ID));
    cJSON_AddStringToObject(o, "name", dbres_str(r, i, OC_NAME));
    cJSON_AddStringToObject(o, "type", dbres_str(r, i, OC_TYPE));
    cJSON_AddStringToObject(o, "credit_code", dbres_str(r, i, OC_CREDIT));
    cJSON_AddStringToObject(o, "region", dbres_str(r, i, OC_REGION));
    json_add_time(o, "created_at", dbres_i64(r, i, OC_CREATED));
    return o;
}

cJSON *
user_json(const struct dbres *r, size_t i)
{
    cJSON *o = cJSON_CreateObject();
    json_add_i64(o, "id", dbres_i64(r, i, UC_ID));
    cJSON_AddStringToObject(o, "username", dbres_str(r, i, UC_USERNAME));
    cJSON_AddStringToObject(o, "display_name", dbres_str(r, i, UC_DISPLAY));
    cJSON_AddStringToObject(o, "role", dbres_str(r, i, UC_ROLE));
    cJSON *org = cJSON_AddObjectToObject(o, "organization");
    json_add_i64(org, "id", dbres_i64(r, i, UC_ORG));
    cJSON_AddStringToObject(org, "name", dbres_str(r, i, UC_ORG_NAME));
    cJSON_AddStringToObject(org, "type", dbres_str(r, i, UC_ORG_TYPE));
    cJSON_AddBoolToObject(o, "disabled", dbres_i64(r, i, UC_DISABLED) != 0);
    json_add_time(o, "created_at", dbres_i64(r, i, UC_CREATED));
    return o;
}

/* List rows, in the shape req_page_reply takes. */
cJSON *
org_row(void *ctx, const struct dbres *r, size_t i)
{
    (void)ctx;
    return org_json(r, i);
}

cJSON *
user_row(void *ctx, const struct dbres *r, size_t i)
{
    (void)ctx;
    return user_json(r, i);
}
