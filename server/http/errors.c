/*
 * errors.c — the error vocabulary (errors.def) mapped to HTTP in one function, and the one
 * way to set a refusal on a request: {"error":{"code","message","request_id",...}}.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "http.h"

static const struct {
    const char *code;
    unsigned status;
    const char *doc;
} errs[] = {
#define ERR(name, code, status, doc) {code, status, doc},
#include "errors.def"
#undef ERR
};

const char *
err_wire_code(enum err_code e)
{
    return e < E__COUNT ? errs[e].code : "internal_error";
}

unsigned
err_http_status(enum err_code e)
{
    return e < E__COUNT ? errs[e].status : 500;
}

const char *
err_doc(enum err_code e)
{
    return e < E__COUNT ? errs[e].doc : "";
}

static void
set_error(struct req *r, enum err_code e, cJSON *details, const char *fmt, va_list ap)
{
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    cJSON *root = cJSON_CreateObject();
    cJSON *err = cJSON_AddObjectToObject(root, "error");
    if (err) {
        cJSON_AddStringToObject(err, "code", err_wire_code(e));
        cJSON_AddStringToObject(err, "message", msg);
        cJSON_AddStringToObject(err, "request_id", r->id);
        if (details) {
            cJSON *it = details->child;
            while (it) {
                cJSON *next = it->next;
                cJSON_DetachItemViaPointer(details, it);
                cJSON_AddItemToObject(err, it->string, it);
                it = next;
            }
        }
    }
    cJSON_Delete(details);
    req_json(r, err_http_status(e), root);
}

void
req_error(struct req *r, enum err_code e, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    set_error(r, e, NULL, fmt, ap);
    va_end(ap);
}

void
req_field_error(struct req *r, enum err_code e, const char *field, const char *fmt, ...)
{
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "field", field);
    va_list ap;
    va_start(ap, fmt);
    set_error(r, e, d, fmt, ap);
    va_end(ap);
}

void
req_error_x(struct req *r, enum err_code e, cJSON *details, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    set_error(r, e, details, fmt, ap);
    va_end(ap);
}

void
req_transition_refused(struct req *r, const char *current, const char *requested, const char *fmt,
                       ...)
{
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "current", current);
    cJSON_AddStringToObject(d, "requested", requested);
    va_list ap;
    va_start(ap, fmt);
    set_error(r, E_INVALID_TRANSITION, d, fmt, ap);
    va_end(ap);
}

void
req_rule(struct req *r, const char *rule, const char *fmt, ...)
{
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "rule", rule);
    va_list ap;
    va_start(ap, fmt);
    set_error(r, E_RULE_VIOLATION, d, fmt, ap);
    va_end(ap);
}

void
req_rule_as(struct req *r, enum err_code e, const char *rule, const char *fmt, ...)
{
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "rule", rule);
    va_list ap;
    va_start(ap, fmt);
    set_error(r, e, d, fmt, ap);
    va_end(ap);
}

void
req_db_fail(struct req *r, const struct dbconn *c, enum db_status st)
{
    switch (st) {
    case DB_DUPLICATE:
        req_error(r, E_CONFLICT, "that already exists");
        break;
    case DB_FOREIGN:
        req_error(r, E_CONFLICT, "a referenced object is missing or still in use");
        break;
    case DB_LOST:
    case DB_RETRY:
        req_error(r, E_DB_UNAVAILABLE, "the database is unavailable or busy; retry later");
        break;
    default:
        log_error("req_db_fail: database error %u: %s", c ? db_last_errno(c) : 0,
                  c ? db_last_error(c) : "");
        req_error(r, E_INTERNAL, "internal database error");
        break;
    }
}

void
req_refusal(struct req *r, const struct refusal *f)
{
    if (f->conflict)
        req_rule_as(r, E_CONFLICT, f->code, "%s", f->why);
    else
        req_rule(r, f->code, "%s", f->why);
}

struct refusal *
refuse(struct refusal *f, const char *code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    f->code = code;
    vsnprintf(f->why, sizeof f->why, fmt, ap);
    va_end(ap);
    return f;
}
