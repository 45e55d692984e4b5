/*
 * errors.h — the one error vocabulary (errors.def) and how a request is refused with it: an
 * error, a rule refusal (with the rule code, 422 or 409), a module rule's struct refusal, a
 * database failure mapped to its status.
 */
#ifndef GGZY_HTTP_ERRORS_H
#define GGZY_HTTP_ERRORS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "db.h"

struct req;

enum err_code {
#define ERR(name, code, status, doc) name,
#include "errors.def"
#undef ERR
    E__COUNT
};
const char *err_wire_code(enum err_code e);
unsigned err_http_status(enum err_code e);
const char *err_doc(enum err_code e);

void req_error(struct req *r, enum err_code e, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* An error with extra members merged into the error object (details is consumed). */
void req_error_x(struct req *r, enum err_code e, cJSON *details, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* An error about one body field: e (missing_field, invalid_field) with "field" naming it. */
void req_field_error(struct req *r, enum err_code e, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* 409 invalid_transition with the object's current state and the one requested. */
void req_transition_refused(struct req *r, const char *current, const char *requested,
                            const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* A rule refusal: 422 rule_violation with "rule" naming the rule code. */
void req_rule(struct req *r, const char *rule, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* A rule refusal with another error code than rule_violation (a 409 conflict for a rule the
 * state of things breaks, a 403 for one about who acts); "rule" names the rule code. */
void req_rule_as(struct req *r, enum err_code e, const char *rule, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* The one shape of a refusal by a module's rules (<module>_rule_* in its rules.c): the rule code
 * (NULL: nothing refused), whether the state of things refuses it (409) rather than the request
 * (422), and the human sentence. */
struct refusal {
    const char *code;
    bool conflict;
    char why[400];
};
/* Answer r with f: 409 (conflict) or 422 rule_violation, "rule" naming f->code. */
void req_refusal(struct req *r, const struct refusal *f);
/* Fill f and return it (for rules.c: return refuse(&f, "ANN-…", "…")). */
struct refusal *refuse(struct refusal *f, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Map a failed statement or transaction (st) onto r: 409, 503 or 500 (logged with c's error). */
void req_db_fail(struct req *r, const struct dbconn *c, enum db_status st);

#endif
