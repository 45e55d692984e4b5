/*
 * request.h — one request as a handler sees it: who calls, the path and query parameters, the
 * body, its database connection and actor, and the one response it sets (req_json, req_empty,
 * req_raw, req_file); the body's members and the validator.
 */
#ifndef GGZY_HTTP_REQUEST_H
#define GGZY_HTTP_REQUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "actor.h"
#include "canon.h"
#include "db.h"
#include "errors.h"
#include "route.h"
#include "util.h"

struct MHD_Connection;

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
    bool close;        /* answer with Connection: close (a request whose framing is ambiguous) */
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
    struct stream_watcher *stream; /* req_stream: the body is an event stream (stream.h) */
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
/* The positive id in path parameter name and the request's connection: the preamble of every
 * handler that reads one object. NULL: the refusal (404 or 503) is already set. */
struct dbconn *req_db_for(struct req *r, const char *name, int64_t *id);

/* Responses. req_json takes ownership of obj (may be NULL for an empty object). */
void req_json(struct req *r, unsigned status, cJSON *obj);
void req_empty(struct req *r, unsigned status);
/* Raw body (ROUTE_RAW handlers): takes ownership of body. */
void req_raw(struct req *r, unsigned status, const char *type, char *body, size_t len);
/* A body read from fd (size bytes from its current offset) as it is sent, so a large file
 * never sits in memory: takes ownership of fd, closed once sent or when the request ends. A
 * later response set on r replaces it (and closes fd). */
void req_file(struct req *r, unsigned status, const char *type, int fd, uint64_t size);

/* Add a time of record as RFC 3339 UTC with microseconds. */
void json_add_time(cJSON *obj, const char *key, int64_t t_us);
/* Add column col of row i as an exact integer, or null when the column is NULL. */
void json_add_col_i64(cJSON *obj, const char *key, const struct dbres *res, size_t i, size_t col);
/* Validate obj against a schema; on failure sets the 422 on r and returns false. Exposed for
 * handlers that validate nested objects, and for the unit tests. */
bool json_validate(struct req *r, const cJSON *obj, const struct field *schema, const char *prefix);
/* Validate without a request: returns NULL on success or a malloc'd "code: message". */
char *json_validate_msg(const cJSON *obj, const struct field *schema);

#endif
