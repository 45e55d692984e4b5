/*
 * route.h — a route is one row: method, path pattern, handler, roles, body cap, validator, flags
 * (and a body sink for streamed uploads). The router (router.c) checks every row at start-up.
 */
#ifndef GGZY_HTTP_ROUTE_H
#define GGZY_HTTP_ROUTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

struct req;

/* Roles. A route lists the roles that may call it; ROLE_PUBLIC means no login. */
enum role {
    ROLE_CENTER_ADMIN = 1u << 0,
    ROLE_AGENT = 1u << 1,
    ROLE_BIDDER = 1u << 2,
    ROLE_EXPERT = 1u << 3,
    ROLE_SUPERVISOR = 1u << 4,
    ROLE_TENDERER = 1u << 5, /* 招标人 / 采购人: the owner of a project, who decides the award */
    ROLE_BITS = 6,           /* the user roles are the bits below this */
    ROLE_PUBLIC = 1u << 15,
};
#define ROLES_USER                                                                                 \
    (ROLE_CENTER_ADMIN | ROLE_AGENT | ROLE_BIDDER | ROLE_EXPERT | ROLE_SUPERVISOR | ROLE_TENDERER)
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
    ROUTE_DEMO = 1u << 5,        /* of the test-only routes, also with --demo-clock (the clock) */
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
    /* The query parameters it takes (F_INT: an integer literal within min..max; F_STRING: length
     * min..max in characters, and oneof), checked by the dispatcher once the caller is admitted,
     * before the handler; NULL: it takes none. A parameter not declared, given twice or
     * outside its schema is 400 bad_request naming it. Written last in the row:
     * {…, flags, .query = list_query}. */
    const struct field *query;
};

/* Query fields every list shares (keyset paging): ?after= (ascending), ?before= (descending),
 * ?limit= up to max. */
/* clang-format off */
#define QUERY_MAX_ID         INT64_C(9007199254740991)
#define Q_AFTER              {"after", F_INT, false, 0, QUERY_MAX_ID, NULL}
#define Q_BEFORE             {"before", F_INT, false, 1, QUERY_MAX_ID, NULL}
#define Q_LIMIT(max)         {"limit", F_INT, false, 1, (max), NULL}
#define Q_ID(name)           {name, F_INT, false, 1, QUERY_MAX_ID, NULL}
#define Q_ENUM(name, values) {name, F_STRING, false, 1, 64, values}
/* clang-format on */

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

#endif
