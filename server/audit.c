/*
 * audit.c — appends audit entries (see audit.h) and holds the canonical JSON encoder.
 *
 * Index allocation: SELECT size FROM audit_head FOR UPDATE; insert at that index; size+1.
 * The head row lock serialises appenders, which is what makes the index dense without
 * AUTO_INCREMENT; the lock is held only until the surrounding transaction commits.
 */
#include "audit.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "http.h"
#include "util.h"

static int
cmp_keys(const void *a, const void *b)
{
    const cJSON *x = *(const cJSON *const *)a, *y = *(const cJSON *const *)b;
    return strcmp(x->string, y->string); /* strcmp compares unsigned bytes: UTF-8 order */
}

static void
canon_string(struct buf *b, const char *s)
{
    buf_append(b, "\"", 1);
    buf_json_escape(b, s, strlen(s));
    buf_append(b, "\"", 1);
}

static bool
canon(struct buf *b, const cJSON *v, int depth)
{
    if (depth > 32)
        return false;
    if (cJSON_IsNull(v))
        buf_puts(b, "null");
    else if (cJSON_IsTrue(v))
        buf_puts(b, "true");
    else if (cJSON_IsFalse(v))
        buf_puts(b, "false");
    else if (cJSON_IsNumber(v)) {
        double d = v->valuedouble;
        if (!isfinite(d) || d != floor(d) || fabs(d) > 9007199254740991.0)
            return false;
        buf_printf(b, "%lld", (long long)d);
    } else if (cJSON_IsString(v))
        canon_string(b, v->valuestring);
    else if (cJSON_IsArray(v)) {
        buf_append(b, "[", 1);
        for (const cJSON *it = v->child; it; it = it->next) {
            if (it != v->child)
                buf_append(b, ",", 1);
            if (!canon(b, it, depth + 1))
                return false;
        }
        buf_append(b, "]", 1);
    } else if (cJSON_IsObject(v)) {
        size_t n = 0;
        for (const cJSON *it = v->child; it; it = it->next)
            n++;
        const cJSON **items = malloc((n ? n : 1) * sizeof *items);
        if (!items)
            return false;
        n = 0;
        for (const cJSON *it = v->child; it; it = it->next)
            items[n++] = it;
        qsort(items, n, sizeof *items, cmp_keys);
        bool ok = true;
        buf_append(b, "{", 1);
        for (size_t i = 0; i < n && ok; i++) {
            if (i && !strcmp(items[i]->string, items[i - 1]->string))
                ok = false; /* duplicate key */
            if (i)
                buf_append(b, ",", 1);
            canon_string(b, items[i]->string);
            buf_append(b, ":", 1);
            ok = ok && canon(b, items[i], depth + 1);
        }
        buf_append(b, "}", 1);
        free(items);
        return ok;
    } else
        return false;
    return true;
}

char *
canon_json(const cJSON *v, size_t *len)
{
    struct buf b = {0};
    if (!canon(&b, v, 0) || b.oom) {
        buf_free(&b);
        return NULL;
    }
    *len = b.len;
    return buf_take(&b);
}

static const char sql_head[] = "SELECT size FROM audit_head WHERE id = 1 FOR UPDATE";
static const char sql_insert[] =
    "INSERT INTO audit_entries (idx, recorded_us, action, project_id, entry, leaf_hash) "
    "VALUES (?, ?, ?, ?, ?, ?)";
static const char sql_bump[] = "UPDATE audit_head SET size = size + 1 WHERE id = 1";

enum db_status
audit_append(struct dbconn *c, const struct req *r, const char *action, const char *obj_type,
             int64_t obj_id, int64_t project_id, cJSON *payload, int64_t *index_out)
{
    enum db_status st;
    char *bytes = NULL;
    cJSON *e = cJSON_CreateObject();
    struct dbres res = {0};
    if (!e) {
        cJSON_Delete(payload);
        return DB_ERROR;
    }
    if (payload)
        cJSON_AddItemToObject(e, "payload", payload);
    st = db_query(c, sql_head, NULL, 0, &res);
    if (st != DB_OK)
        goto fail;
    if (res.nrows != 1) {
        log_error("audit_head row is missing");
        st = DB_ERROR;
        goto fail;
    }
    int64_t idx = dbres_i64(&res, 0, 0), now = clock_now_us();
    cJSON_AddNumberToObject(e, "v", 1);
    cJSON_AddNumberToObject(e, "index", (double)idx);
    cJSON_AddNumberToObject(e, "time_us", (double)now);
    cJSON_AddStringToObject(e, "action", action);
    cJSON *actor = cJSON_AddObjectToObject(e, "actor");
    if (r && r->authed) {
        cJSON_AddNumberToObject(actor, "user_id", (double)r->who.user_id);
        cJSON_AddNumberToObject(actor, "org_id", (double)r->who.org_id);
        cJSON_AddStringToObject(actor, "role", role_name(r->who.role));
    } else {
        cJSON_AddStringToObject(actor, "role", r && r->conn ? "anonymous" : "system");
    }
    cJSON *obj = cJSON_AddObjectToObject(e, "object");
    cJSON_AddStringToObject(obj, "type", obj_type);
    cJSON_AddNumberToObject(obj, "id", (double)obj_id);
    if (project_id > 0)
        cJSON_AddNumberToObject(e, "project_id", (double)project_id);
    if (r && r->conn) {
        cJSON_AddStringToObject(e, "request_id", r->id);
        cJSON_AddStringToObject(e, "client", r->client);
    }
    size_t len = 0;
    bytes = canon_json(e, &len);
    if (!bytes || len > AUDIT_MAX_ENTRY) {
        log_error("audit entry for %s cannot be encoded (or is over 64 KiB)", action);
        st = DB_ERROR;
        goto fail;
    }
    uint8_t leaf[32];
    {
        uint8_t *pre = malloc(len + 1);
        if (!pre) {
            st = DB_ERROR;
            goto fail;
        }
        pre[0] = 0x00;
        memcpy(pre + 1, bytes, len);
        bool ok = crypto_sha256(pre, len + 1, leaf);
        free(pre);
        if (!ok) {
            st = DB_ERROR;
            goto fail;
        }
    }
    struct dbv p[] = {DBV_INT(idx),         DBV_INT(now),
                      DBV_STR(action),      project_id > 0 ? DBV_INT(project_id) : DBV_NUL,
                      DBV_BLOB(bytes, len), DBV_BLOB(leaf, 32)};
    st = db_exec(c, sql_insert, p, ARRAY_LEN(p), NULL, NULL);
    if (st == DB_OK)
        st = db_exec(c, sql_bump, NULL, 0, NULL, NULL);
    if (st == DB_OK && index_out)
        *index_out = idx;
fail:
    dbres_free(&res);
    free(bytes);
    cJSON_Delete(e);
    return st;
}
