/*
 * json.c — the one JSON body validator and the JSON response setter.
 *
 * A route's schema is an array of struct field. Validation refuses, in this order: a body that
 * is not an object, unknown fields, missing required fields, wrong types, strings that are not
 * valid UTF-8 or have the wrong length (counted in characters, so 20 Chinese characters are 20),
 * numbers that are not integers (money is integer fen; there are no floats in the API) or out
 * of range, and values outside an enumeration. Each refusal names the field.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "canon.h"
#include "crypto.h"
#include "db.h"
#include "http.h"

/* Count UTF-8 code points; -1 when the bytes are not valid UTF-8 (or hold NUL/overlongs). */
static long
utf8_chars(const char *s)
{
    long n = 0;
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        unsigned c = *p;
        int extra;
        unsigned cp;
        if (c < 0x80) {
            extra = 0;
            cp = c;
        } else if ((c & 0xE0) == 0xC0) {
            extra = 1;
            cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            extra = 2;
            cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            extra = 3;
            cp = c & 0x07;
        } else
            return -1;
        p++;
        for (int i = 0; i < extra; i++, p++) {
            if ((*p & 0xC0) != 0x80)
                return -1;
            cp = cp << 6 | (*p & 0x3F);
        }
        if ((extra == 1 && cp < 0x80) || (extra == 2 && cp < 0x800) ||
            (extra == 3 && (cp < 0x10000 || cp > 0x10FFFF)) || (cp >= 0xD800 && cp <= 0xDFFF))
            return -1;
        n++;
    }
    return n;
}

static const char *const type_names[] = {"string", "integer", "boolean", "object", "array"};

/* Validate; on failure write code and message and return false. */
static bool
validate(const cJSON *obj, const struct field *schema, const char *prefix, enum err_code *code,
         char *msg, size_t msglen)
{
    if (!cJSON_IsObject(obj)) {
        *code = E_MALFORMED_JSON;
        snprintf(msg, msglen, "the body must be a JSON object");
        return false;
    }
    for (const cJSON *it = obj->child; it; it = it->next) {
        const struct field *f = schema;
        while (f->name && strcmp(f->name, it->string))
            f++;
        if (!f->name) {
            *code = E_UNKNOWN_FIELD;
            snprintf(msg, msglen, "unknown field \"%s%s\"", prefix, it->string);
            return false;
        }
        for (const cJSON *dup = it->next; dup; dup = dup->next)
            if (!strcmp(dup->string, it->string)) {
                *code = E_INVALID_FIELD;
                snprintf(msg, msglen, "field \"%s%s\" appears twice", prefix, it->string);
                return false;
            }
    }
    for (const struct field *f = schema; f->name; f++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, f->name);
        if (!v || cJSON_IsNull(v)) {
            if (f->required) {
                *code = E_MISSING_FIELD;
                snprintf(msg, msglen, "field \"%s%s\" is required", prefix, f->name);
                return false;
            }
            continue;
        }
        bool type_ok = false;
        switch (f->type) {
        case F_STRING:
            type_ok = cJSON_IsString(v);
            break;
        case F_INT:
            type_ok = cJSON_IsNumber(v);
            break;
        case F_BOOL:
            type_ok = cJSON_IsBool(v);
            break;
        case F_OBJECT:
            type_ok = cJSON_IsObject(v);
            break;
        case F_ARRAY:
            type_ok = cJSON_IsArray(v);
            break;
        }
        *code = E_INVALID_FIELD;
        if (!type_ok) {
            snprintf(msg, msglen, "field \"%s%s\" must be a%s %s", prefix, f->name,
                     f->type == F_INT || f->type == F_OBJECT || f->type == F_ARRAY ? "n" : "",
                     type_names[f->type]);
            return false;
        }
        if (f->type == F_STRING) {
            long n = utf8_chars(v->valuestring);
            if (n < 0) {
                snprintf(msg, msglen, "field \"%s%s\" is not valid UTF-8", prefix, f->name);
                return false;
            }
            if (n < f->min || (f->max && n > f->max)) {
                snprintf(msg, msglen, "field \"%s%s\" must be %lld to %lld characters long", prefix,
                         f->name, (long long)f->min, (long long)f->max);
                return false;
            }
            if (f->oneof) {
                const char *const *o = f->oneof;
                while (*o && strcmp(*o, v->valuestring))
                    o++;
                if (!*o) {
                    struct buf b = {0};
                    for (o = f->oneof; *o; o++)
                        buf_printf(&b, "%s%s", o == f->oneof ? "" : ", ", *o);
                    snprintf(msg, msglen, "field \"%s%s\" must be one of: %s", prefix, f->name,
                             b.p ? b.p : "");
                    buf_free(&b);
                    return false;
                }
            }
        } else if (f->type == F_INT) {
            /* the number as written (json_parse's token), never its double: 100.0000000000000001
             * is not 100, and 1e2 is not an integer literal */
            int64_t d = 0;
            const char *bad = NULL;
            if (v->valuestring) /* a request body's number: json_parse keeps its token */
                bad = json_number_token_problem(v->valuestring, &d);
            else if (!isfinite(v->valuedouble) || v->valuedouble != floor(v->valuedouble) ||
                     fabs(v->valuedouble) > JSON_MAX_EXACT)
                bad = "must be a whole number"; /* one made in code */
            else
                d = (int64_t)v->valuedouble;
            if (bad) {
                snprintf(msg, msglen, "field \"%s%s\" %s", prefix, f->name, bad);
                return false;
            }
            if (d < f->min || d > f->max) {
                snprintf(msg, msglen, "field \"%s%s\" must be from %lld to %lld", prefix, f->name,
                         (long long)f->min, (long long)f->max);
                return false;
            }
        } else if (f->type == F_ARRAY) {
            int n = cJSON_GetArraySize(v);
            if (n < f->min || (f->max && n > f->max)) {
                snprintf(msg, msglen, "field \"%s%s\" must have %lld to %lld items", prefix,
                         f->name, (long long)f->min, (long long)f->max);
                return false;
            }
        }
    }
    return true;
}

bool
json_validate(struct req *r, const cJSON *obj, const struct field *schema, const char *prefix)
{
    enum err_code code;
    char msg[300];
    if (validate(obj, schema, prefix ? prefix : "", &code, msg, sizeof msg))
        return true;
    const char *q = strchr(msg, '"');
    cJSON *d = cJSON_CreateObject();
    if (q) {
        const char *e = strchr(q + 1, '"');
        if (e && code != E_MALFORMED_JSON) {
            char name[200];
            size_t n =
                (size_t)(e - q - 1) < sizeof name - 1 ? (size_t)(e - q - 1) : sizeof name - 1;
            memcpy(name, q + 1, n);
            name[n] = '\0';
            cJSON_AddStringToObject(d, "field", name);
        }
    }
    req_error_x(r, code, d, "%s", msg);
    return false;
}

char *
json_validate_msg(const cJSON *obj, const struct field *schema)
{
    enum err_code code;
    char msg[300];
    if (validate(obj, schema, "", &code, msg, sizeof msg))
        return NULL;
    size_t n = strlen(msg) + 64;
    char *out = malloc(n);
    if (out)
        snprintf(out, n, "%s: %s", err_wire_code(code), msg);
    return out;
}

/* Drop whatever response was set before: the last one set wins. */
static void
resp_reset(struct req *r)
{
    free(r->resp);
    r->resp = NULL;
    if (r->resp_file) {
        close(r->resp_fd);
        r->resp_file = false;
    }
}

void
req_json(struct req *r, unsigned status, cJSON *obj)
{
    resp_reset(r);
    if (!obj)
        obj = cJSON_CreateObject();
    size_t len = 0;
    char *s = obj ? json_print(obj, &len) : NULL; /* the one writer: integers stay integers */
    cJSON_Delete(obj);
    if (!s) {
        static const char oom[] =
            "{\"error\":{\"code\":\"internal_error\",\"message\":\"out of memory\"}}";
        r->resp = strdup(oom);
        r->resp_len = r->resp ? strlen(r->resp) : 0;
        r->status = 500;
        r->resp_type = "application/json";
        return;
    }
    r->resp = s;
    r->resp_len = len;
    r->status = status;
    r->resp_type = "application/json";
}

void
req_empty(struct req *r, unsigned status)
{
    resp_reset(r);
    r->resp_len = 0;
    r->status = status;
    r->resp_type = NULL;
}

void
req_raw(struct req *r, unsigned status, const char *type, char *body, size_t len)
{
    resp_reset(r);
    r->resp = body;
    r->resp_len = len;
    r->status = status;
    r->resp_type = type;
}

void
req_file(struct req *r, unsigned status, const char *type, int fd, uint64_t size)
{
    resp_reset(r);
    r->resp_file = true;
    r->resp_fd = fd;
    r->resp_len = (size_t)size;
    r->status = status;
    r->resp_type = type;
}

void
json_add_col_i64(cJSON *obj, const char *key, const struct dbres *res, size_t i, size_t col)
{
    if (dbres_str(res, i, col))
        json_add_i64(obj, key, dbres_i64(res, i, col));
    else
        cJSON_AddNullToObject(obj, key);
}

void
json_add_time(cJSON *obj, const char *key, int64_t t_us)
{
    char ts[40];
    clock_format(t_us, ts, sizeof ts);
    cJSON_AddStringToObject(obj, key, ts);
}

const char *
json_text_problem(const char *text, size_t len)
{
    /* what cJSON would hide: a \u0000 ends its string early ("admin\u0000zzz" is "admin"), and
     * raw control bytes are taken as they are */
    bool in_string = false;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        if (!in_string) {
            in_string = c == '"';
            continue;
        }
        unsigned c2 = i + 1 < len ? (unsigned char)text[i + 1] : 0;
        unsigned c3 = i + 2 < len ? (unsigned char)text[i + 2] : 0;
        if (c == '"') {
            in_string = false;
        } else if (c < 0x20 || c == 0x7f) {
            return "text must not hold control characters (a raw one in a string)";
        } else if ((c == 0xc2 && c2 >= 0x80 && c2 <= 0x9f) ||
                   (c == 0xe2 &&
                    ((c2 == 0x80 && text_char_refused(0x2000 | (c3 & 0x3f), false)) ||
                     (c2 == 0x81 && text_char_refused(0x2040 | (c3 & 0x3f), false))))) {
            return "text must not hold C1 control characters (U+0080 to U+009F) or bidirectional "
                   "overrides (U+202A to U+202E, U+2066 to U+2069)";
        } else if (c == '\\' && i + 1 < len) {
            char e = text[++i];
            if (e == 'u' && i + 4 < len) {
                unsigned v = 0;
                for (int k = 1; k <= 4; k++) {
                    int d = hex_digit(text[i + (size_t)k]);
                    v = v << 4 | (unsigned)(d < 0 ? 0 : d);
                }
                if (text_char_refused(v, true))
                    return "text must not hold control characters other than tab and newline "
                           "(\\u0000 included), C1 controls (\\u0085, \\u009b…) or bidirectional "
                           "overrides (\\u202a to \\u202e, \\u2066 to \\u2069)";
                i += 4;
            } else if (e == 'b' || e == 'f' || e == 'r')
                return "text must not hold control characters other than tab and newline";
        }
    }
    return NULL;
}
