/*
 * paging.c — keyset pagination, the one shape of every list route: ?after=<id>&limit=<n> in,
 * {"items": [...], "<cursor>": next or null} out.
 */
#include <stdint.h>

#include "app.h"
#include "canon.h"
#include "db.h"
#include "http.h"
#include "util.h"

bool
req_page(struct req *r, int64_t *after, int64_t *limit, int64_t def, int64_t max)
{
    const char *a = req_query(r, "after"), *l = req_query(r, "limit");
    *after = 0;
    *limit = def;
    if (a && !parse_i64(a, 0, INT64_MAX, after)) {
        req_error(r, E_BAD_REQUEST, "after must be a non-negative whole number");
        return false;
    }
    if (l && !parse_i64(l, 1, max, limit)) {
        req_error(r, E_BAD_REQUEST, "limit must be from 1 to %lld", (long long)max);
        return false;
    }
    return true;
}

void
req_page_reply(struct req *r, const struct dbres *res, int64_t limit, const char *cursor,
               size_t cursor_col, cJSON *(*view)(void *ctx, const struct dbres *, size_t),
               void *ctx)
{
    cJSON *o = cJSON_CreateObject();
    cJSON *items = cJSON_AddArrayToObject(o, "items");
    for (size_t i = 0; i < res->nrows; i++)
        cJSON_AddItemToArray(items, view(ctx, res, i));
    if ((int64_t)res->nrows == limit && res->nrows > 0)
        json_add_i64(o, cursor, dbres_i64(res, res->nrows - 1, cursor_col));
    else
        cJSON_AddNullToObject(o, cursor);
    req_json(r, 200, o);
}
