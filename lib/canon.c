/*
 * canon.c — the canonical JSON encoding (docs/audit.md §1): keys sorted by their UTF-8 bytes, no
 * insignificant whitespace, JSON's minimal escapes, integers only. Used for audit entries,
 * published announcements and envelope headers, by ggzyd and the ggzy client alike. The same
 * writer prints every API response (json_print), so there is one writer of JSON numbers and no
 * integer ever leaves in exponent form (cJSON's printer writes 1797700740000000 as
 * "1.79770074e+15").
 */
#include "canon.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
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

/* Is d a whole number within the I-JSON range ±(2^53−1) (RFC 7493 §2.2)? */
static bool
exact_integer(double d)
{
    return isfinite(d) && d == floor(d) && fabs(d) <= JSON_MAX_EXACT;
}

/* An integer literal as json_add_i64 makes them: -?[0-9]+ without a leading zero. */
static bool
integer_literal(const char *d)
{
    size_t n = d ? strlen(d) : 0, i = d && d[0] == '-';
    if (n == i || n > 20 || (d[i] == '0' && n > i + 1))
        return false;
    for (size_t k = i; k < n; k++)
        if (d[k] < '0' || d[k] > '9')
            return false;
    return true;
}

/* A decimal literal "12345.67" as an amount in yuan is written from integer fen (OCDS). */
static bool
decimal_literal(const char *d)
{
    const char *dot = d ? strchr(d, '.') : NULL;
    if (!dot || dot[1] == '\0' || strlen(dot) > 21)
        return false;
    char whole[24];
    if ((size_t)(dot - d) >= sizeof whole)
        return false;
    memcpy(whole, d, (size_t)(dot - d));
    whole[dot - d] = '\0';
    for (const char *p = dot + 1; *p; p++)
        if (*p < '0' || *p > '9')
            return false;
    return integer_literal(whole);
}

/* The one writer of JSON numbers. Integers (and every number the API sends is one) go out as
 * integer literals, never in exponent form. Canonical JSON (strict) refuses anything else; the
 * response writer prints a fraction with 17 significant digits, and an integral number outside
 * the exact range in full decimal (neither is ever produced by ggzyd: money is fen, times µs). */
static bool
write_number(struct buf *b, double d, bool strict)
{
    if (exact_integer(d)) {
        buf_printf(b, "%lld", (long long)d);
        return true;
    }
    if (strict || !isfinite(d))
        return false;
    if (d == floor(d))
        buf_printf(b, "%.0f", d);
    else
        buf_printf(b, "%.17g", d);
    return true;
}

/* canonical: keys sorted, integers only (strict); otherwise members in their order. */
static bool
write_json(struct buf *b, const cJSON *v, int depth, bool canonical)
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
        if (v->valuestring && integer_literal(v->valuestring)) /* json_parse's exact token */
            buf_puts(b, v->valuestring);
        else if (!write_number(b, v->valuedouble, canonical))
            return false;
    } else if (cJSON_IsRaw(v)) { /* integer literals (json_add_i64); in a response, decimals */
        if (!integer_literal(v->valuestring) && (canonical || !decimal_literal(v->valuestring)))
            return false;
        buf_puts(b, v->valuestring);
    } else if (cJSON_IsString(v))
        canon_append_string(b, v->valuestring);
    else if (cJSON_IsArray(v)) {
        buf_append(b, "[", 1);
        for (const cJSON *it = v->child; it; it = it->next) {
            if (it != v->child)
                buf_append(b, ",", 1);
            if (!write_json(b, it, depth + 1, canonical))
                return false;
        }
        buf_append(b, "]", 1);
    } else if (cJSON_IsObject(v) && !canonical) {
        buf_append(b, "{", 1);
        for (const cJSON *it = v->child; it; it = it->next) {
            if (it != v->child)
                buf_append(b, ",", 1);
            canon_append_string(b, it->string ? it->string : "");
            buf_append(b, ":", 1);
            if (!write_json(b, it, depth + 1, canonical))
                return false;
        }
        buf_append(b, "}", 1);
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
            ok = ok && write_json(b, items[i], depth + 1, canonical);
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
    return write_json(b, v, 1, true);
}

static char *
encode(const cJSON *v, size_t *len, bool canonical)
{
    struct buf b = {0};
    if (!write_json(&b, v, 0, canonical) || b.oom) {
        buf_free(&b);
        return NULL;
    }
    *len = b.len;
    return buf_take(&b);
}

char *
canon_json(const cJSON *v, size_t *len)
{
    return encode(v, len, true);
}

char *
canon_text(const cJSON *v)
{
    size_t len;
    return encode(v, &len, true);
}

char *
json_print(const cJSON *v, size_t *len)
{
    return encode(v, len, false);
}

/* Attach to each number node of v, in document order, its token from the text (*at moves past
 * the tokens consumed). False when the text and the tree disagree (cannot be, for one parse). */
static bool
attach_tokens(cJSON *v, const char *text, size_t len, size_t *at, int depth)
{
    if (depth > 64)
        return false;
    if (cJSON_IsNumber(v)) {
        bool in_string = false;
        for (; *at < len; (*at)++) { /* to the next number token outside strings */
            char c = text[*at];
            if (in_string) {
                if (c == '\\')
                    (*at)++;
                else if (c == '"')
                    in_string = false;
            } else if (c == '"')
                in_string = true;
            else if (c == '-' || (c >= '0' && c <= '9'))
                break;
        }
        size_t start = *at;
        while (*at < len && strchr("0123456789+-.eE", text[*at]))
            (*at)++;
        if (*at == start)
            return false;
        char *tok = malloc(*at - start + 1);
        if (!tok)
            return false;
        memcpy(tok, text + start, *at - start);
        tok[*at - start] = '\0';
        v->valuestring = tok;
        return true;
    }
    for (cJSON *c = v->child; c; c = c->next)
        if ((cJSON_IsNumber(c) || cJSON_IsObject(c) || cJSON_IsArray(c)) &&
            !attach_tokens(c, text, len, at, depth + 1))
            return false;
    return true;
}

cJSON *
json_parse(const char *text, size_t len)
{
    const char *end = NULL;
    cJSON *v = cJSON_ParseWithLengthOpts(text, len, &end, false);
    if (!v)
        return NULL;
    for (const char *p = end; p && p < text + len; p++) /* only white space may follow */
        if (*p != ' ' && *p != '\n' && *p != '\r' && *p != '\t' && *p != '\0') {
            cJSON_Delete(v);
            return NULL;
        }
    size_t at = 0;
    if (!attach_tokens(v, text, end ? (size_t)(end - text) : len, &at, 0)) {
        cJSON_Delete(v);
        return NULL;
    }
    return v;
}

const char *
json_number_token_problem(const char *tok, int64_t *value)
{
    if (!tok || !integer_literal(tok) || !strcmp(tok, "-0"))
        return "must be a whole number written in digits (an optional minus, no fraction, no "
               "exponent, no leading zero, no -0)";
    errno = 0;
    char *end;
    long long i = strtoll(tok, &end, 10);
    if (errno || *end || i > JSON_MAX_EXACT || i < -JSON_MAX_EXACT)
        return "must be within ±(2^53−1) = ±9007199254740991 (I-JSON, RFC 7493)";
    *value = (int64_t)i;
    return NULL;
}

bool
json_numbers_problem(const cJSON *v, char *path, size_t pathlen, const char **why)
{
    if (cJSON_IsNumber(v)) {
        int64_t x;
        *why = json_number_token_problem(v->valuestring, &x);
        return *why != NULL;
    }
    size_t n = strlen(path), k = 0;
    for (const cJSON *c = v ? v->child : NULL; c; c = c->next, k++) {
        if (cJSON_IsObject(v))
            snprintf(path + n, pathlen - n, "%s%s", n ? "." : "", c->string ? c->string : "");
        else
            snprintf(path + n, pathlen - n, "[%zu]", k);
        if (json_numbers_problem(c, path, pathlen, why))
            return true;
        path[n] = '\0';
    }
    return false;
}

void
json_add_i64(cJSON *obj, const char *key, int64_t v)
{
    char lit[24];
    i64_format(v, lit);
    cJSON_AddRawToObject(obj, key, lit);
}

void
json_append_i64(cJSON *arr, int64_t v)
{
    char lit[24];
    i64_format(v, lit);
    cJSON_AddItemToArray(arr, cJSON_CreateRaw(lit));
}

void
json_add_str_or_null(cJSON *obj, const char *key, const char *v)
{
    if (v)
        cJSON_AddStringToObject(obj, key, v);
    else
        cJSON_AddNullToObject(obj, key);
}

const char *
json_str(const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

int64_t
json_i64(const cJSON *obj, const char *key, int64_t def)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    /* an integer literal (json_add_i64's raw node, or a parsed number's own token, json_parse):
     * read exactly, whatever its size */
    const char *lit = cJSON_IsRaw(v) || cJSON_IsNumber(v) ? v->valuestring : NULL;
    if (lit && integer_literal(lit)) {
        errno = 0;
        char *end;
        long long i = strtoll(lit, &end, 10);
        return errno || *end ? def : (int64_t)i;
    }
    if (!cJSON_IsNumber(v) ||
        !(v->valuedouble >= -JSON_MAX_EXACT && v->valuedouble <= JSON_MAX_EXACT))
        return def; /* also NaN: no conversion of a double out of range */
    int64_t i = (int64_t)v->valuedouble;
    return (double)i == v->valuedouble ? i : def;
}

bool
json_bool(const cJSON *obj, const char *key, bool def)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsBool(v) ? cJSON_IsTrue(v) : def;
}
