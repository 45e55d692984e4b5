/*
 * canon.c — the canonical JSON encoding (docs/audit.md §1): keys sorted by their UTF-8 bytes, no
 * insignificant whitespace, JSON's minimal escapes, integers only. Used for audit entries,
 * published announcements and envelope headers, by ggzyd and the ggzy client alike.
 */
#include "canon.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int
cmp_keys(const void *a, const void *b)
{
    const cJSON *x = *(const cJSON *const *)a, *y = *(const cJSON *const *)b;
    return strcmp(x->string, y->string); /* strcmp compares unsigned bytes: UTF-8 order */
}

void
canon_append_string(struct buf *b, const char *s)
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
    } else if (cJSON_IsRaw(v)) { /* only integer literals, as json_add_i64 makes them */
        const char *d = v->valuestring;
        size_t n = d ? strlen(d) : 0, i = d && d[0] == '-';
        if (n == i || n > 20 || (d[i] == '0' && n > i + 1))
            return false;
        for (size_t k = i; k < n; k++)
            if (d[k] < '0' || d[k] > '9')
                return false;
        buf_append(b, d, n);
    } else if (cJSON_IsString(v))
        canon_append_string(b, v->valuestring);
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
            canon_append_string(b, items[i]->string);
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

bool
canon_append(struct buf *b, const cJSON *v)
{
    return canon(b, v, 1);
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
