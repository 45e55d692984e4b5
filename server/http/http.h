/*
 * http.h — what a module sees of the HTTP core: the request, the route row, the module
 * descriptor, and the helpers that read input and set the one response.
 *
 * A route is one row: method, path pattern, handler, roles, body cap, validator, flags. The
 * dispatcher (http.c) does all generic work before the handler runs — match, method,
 * authenticate, authorize, body cap, content type, JSON parse, validate, idempotency replay —
 * so a handler holds only its capability's logic. A handler sets exactly one response with
 * req_json()/req_empty()/req_error(); the dispatcher sends it on the second call of
 * libmicrohttpd's access handler (so HTTPS keep-alive works) and frees all per-request state
 * in the completion callback.
 */
#ifndef GGZY_HTTP_H
#define GGZY_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "actor.h"
#include "canon.h"
#include "config.h"
#include "db.h"
#include "util.h"

struct MHD_Connection;
struct dbconn;

enum err_code {
#define ERR(name, code, status, doc) name,
#include "errors.def"
#undef ERR
    E__COUNT
};
const char *err_wire_code(enum err_code e);
unsigned err_http_status(enum err_code e);
const char *err_doc(enum err_code e);

/* Roles. A route lists the roles that may call it; ROLE_PUBLIC means no login. */
enum role {
    ROLE_CENTER_ADMIN = 1u << 0,
    ROLE_AGENT = 1u << 1,
    ROLE_BIDDER = 1u << 2,
    ROLE_EXPERT = 1u << 3,
    ROLE_SUPERVISOR = 1u << 4,
    ROLE_PUBLIC = 1u << 15,
};
#define ROLES_USER (ROLE_CENTER_ADMIN | ROLE_AGENT | ROLE_BIDDER | ROLE_EXPERT | ROLE_SUPERVISOR)
const char *role_name(unsigned role);      /* one bit -> "center_admin" ... */
unsigned role_from_name(const char *name); /* 0 when unknown */

/* Body validation: a NULL-name-terminated array of fields. */
enum ftype { F_STRING, F_INT, F_BOOL, F_OBJECT, F_ARRAY };
struct field {
    const char *name;
    enum ftype type;
    bool required;
    int64_t min, max;         /* string: length in characters; int: value; array: items */
    const char *const *oneof; /* strings: NULL-terminated allowed values, or NULL */
};

struct req;
typedef void (*handler_fn)(struct req *r, const cJSON *body);

enum route_flags {
    ROUTE_CREATES = 1u << 0,     /* a POST that creates: honours Idempotency-Key */
    ROUTE_TEST_ONLY = 1u << 1,   /* registered only with --test-mode */
    ROUTE_RAW = 1u << 2,         /* handler builds its own non-JSON response */
    ROUTE_BODY_RAW = 1u << 3,    /* the body is bytes (an upload), not JSON: no schema; the
                                    handler reads r->body and checks its Content-Type */
    ROUTE_BODY_STREAM = 1u << 4, /* the body goes to the route's sink as it arrives, never held
                                    whole (uploads of any size in bounded memory); the caller is
                                    authenticated and authorized before the first byte */
};

/* Where a ROUTE_BODY_STREAM route's body goes. The dispatcher calls open once the caller is
 * authenticated and authorized (before reading the body), write for each piece, then the
 * route's handler (body NULL) with the state in r->sink_state; close runs once, from the
 * completion callback, whatever happened (a dropped connection included). */
struct body_sink {
    /* The sink's state, or NULL with the refusal set on r (answered before the body is read). */
    void *(*open)(struct req *r);
    /* One piece. False: the refusal is set on r; the rest of the body is read and dropped. */
    bool (*write)(struct req *r, void *state, const void *p, size_t n);
    void (*close)(void *state);
};

struct route {
    const char *method;  /* "GET", "POST", "PUT", "PATCH", "DELETE" */
    const char *pattern; /* "/api/v1/users/{id}" */
    handler_fn handler;
    unsigned roles;             /* must not be 0: default deny is a start-up error */
    size_t max_body;            /* bytes; 0 = the route takes no body */
    const struct field *schema; /* required when max_body > 0 */
    unsigned flags;
    const struct body_sink *sink; /* ROUTE_BODY_STREAM only */
};

/* Who is calling (filled by the dispatcher when the route is not public or a token was sent). */
struct principal {
    int64_t user_id, org_id;
    unsigned role;
    char username[65];
    uint8_t token_hash[32];
};

#define REQ_MAX_PARAMS 6

struct req {
    char id[33]; /* request id, also in X-Request-Id and every log line */
    struct MHD_Connection *conn;
    const char *method, *path;
    const struct route *route;
    const char *pnames[REQ_MAX_PARAMS];
    char *pvals[REQ_MAX_PARAMS];
    size_t nparams;
    bool authed;
    bool admitted; /* authenticated and authorized for the route (admit) */
    struct principal who;
    char client[64]; /* the client's address (through a configured proxy: X-Forwarded-For) */
    bool via_proxy;  /* the peer is a configured reverse proxy */
    int64_t start_us;
    /* body */
    struct buf body;
    bool body_too_large;
    uint64_t body_bytes; /* streamed so far (ROUTE_BODY_STREAM) */
    void *sink_state;
    bool sink_refused; /* the sink set a refusal; the rest of the body is dropped */
    bool first_call_done;
    /* idempotency */
    char idem_key[129];
    uint8_t req_hash[32];
    /* the one response */
    unsigned status; /* 0 until set */
    char *resp;      /* malloc'd body */
    size_t resp_len;
    const char *resp_type;
    bool resp_file; /* the body is the file resp_fd (req_file), owned by the request */
    int resp_fd;
    char *allow;       /* Allow header for 405 */
    long retry_after;  /* >0: Retry-After header */
    bool replayed;     /* answered from the idempotency store */
    struct dbconn *db; /* acquired lazily by req_db, released by the core */
    bool db_failed;
    struct actor actor; /* filled by req_actor */
};

/* Path parameter by name; NULL when the route has none of that name. */
const char *req_param(const struct req *r, const char *name);
/* Parse a positive int64 path parameter; on failure sets 404 and returns false. */
bool req_param_id(struct req *r, const char *name, int64_t *out);
/* Query-string argument (decoded) or NULL. */
const char *req_query(const struct req *r, const char *name);
/* The query parameters as received, "k=v&" each (the Idempotency-Key fingerprint). */
void req_query_string(const struct req *r, struct buf *out);
/* The first problem of the query parameters (not UTF-8 text, a control character), or NULL. */
const char *query_problem(struct req *r);
/* The first problem of a JSON body's text (json.c): a string with a control character other
 * than tab and newline (\u0000 included), or NULL. */
const char *json_text_problem(const char *text, size_t len);
/* Request header or NULL. */
const char *req_header(const struct req *r, const char *name);
/* The request's database connection (acquired on first use). NULL: 503 already set. */
struct dbconn *req_db(struct req *r);
/* Who acts through this request, for audit_append: the signed-in user, else anonymous, with
 * the request's id and client address. Points into r. */
const struct actor *req_actor(struct req *r);
/* Map a failed statement or transaction (st) onto r: 409, 503 or 500 (logged with c's error). */
void req_db_fail(struct req *r, const struct dbconn *c, enum db_status st);
/* The positive id in path parameter name and the request's connection: the preamble of every
 * handler that reads one object. NULL: the refusal (404 or 503) is already set. */
struct dbconn *req_db_for(struct req *r, const char *name, int64_t *id);

/* Responses. req_json takes ownership of obj (may be NULL for an empty object). */
void req_json(struct req *r, unsigned status, cJSON *obj);
void req_empty(struct req *r, unsigned status);
void req_error(struct req *r, enum err_code e, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* An error with extra members merged into the error object (details is consumed). */
void req_error_x(struct req *r, enum err_code e, cJSON *details, const char *fmt, ...)
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

/* Raw body (ROUTE_RAW handlers): takes ownership of body. */
void req_raw(struct req *r, unsigned status, const char *type, char *body, size_t len);
/* A body read from fd (size bytes from its current offset) as it is sent, so a large file
 * never sits in memory: takes ownership of fd, closed once sent or when the request ends. A
 * later response set on r replaces it (and closes fd). */
void req_file(struct req *r, unsigned status, const char *type, int fd, uint64_t size);

/* Members of a validated body: the string (NULL when absent), the integer (def when absent). */
const char *json_str(const cJSON *obj, const char *key);
int64_t json_i64(const cJSON *obj, const char *key, int64_t def);
bool json_bool(const cJSON *obj, const char *key, bool def);
/* Add a time of record as RFC 3339 UTC with microseconds. */
void json_add_time(cJSON *obj, const char *key, int64_t t_us);
/* Validate obj against a schema; on failure sets the 422 on r and returns false. Exposed for
 * handlers that validate nested objects, and for the unit tests. */
bool json_validate(struct req *r, const cJSON *obj, const struct field *schema, const char *prefix);
/* Validate without a request: returns NULL on success or a malloc'd "code: message". */
char *json_validate_msg(const cJSON *obj, const struct field *schema);

/* The router (router.c): compiled route table shared by the dispatcher and `ggzyd routes`.
 * router_add checks each row of one owner (a module) and adds it, refusing a row that is
 * incomplete or claims a method and path shape already taken (err names the path); rows marked
 * ROUTE_TEST_ONLY are added only in test mode. router_free empties the table. */
bool router_add(const char *owner, const struct route *rows, size_t nrows, bool test_mode,
                char *err, size_t errlen);
void router_free(void);
/* Match path: returns the route for method, or NULL. *path_known tells whether any method
 * matches the path (for 405); allow gets "GET, POST" (caller buffer). Params are written
 * into r (values malloc'd). */
const struct route *router_match(struct req *r, const char *method, const char *path,
                                 bool *path_known, char *allow, size_t allowlen);
size_t router_count(void);
const struct route *router_at(size_t i);
/* Index of a route in the table (for metrics). */
size_t router_index(const struct route *rt);

/* Checks one route row for completeness; returns NULL or a reason. Used at start-up. */
const char *route_row_problem(const struct route *rt);

/* The server (http.c). */
bool http_start(const struct config *cfg);
unsigned http_port(void); /* the bound port (useful with http.port = 0) */
void http_quiesce(void);  /* answer new requests 503 shutting_down from now on */
bool http_wait_idle(int timeout_ms);
void http_stop(void);
long http_in_flight(void);

#endif
