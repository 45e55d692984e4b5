/*
 * http.c — the libmicrohttpd daemon and the one dispatcher.
 *
 * Thread model: libmicrohttpd's internal thread pool with epoll (http.threads threads). A
 * handler's database call blocks its pool thread, and with it every connection that thread
 * owns, so the pool is sized well above the core count (default 16) and the database pool to
 * match (db.pool_size >= http.threads means a thread never waits for a connection); the
 * measurements behind this choice are in docs/operations.md.
 *
 * Request life: libmicrohttpd calls access_handler at least twice. The first call only sets up
 * struct req (queuing a response there would make every HTTPS response Connection: close with
 * libmicrohttpd 0.9.75); upload calls append to the capped body; the last call runs dispatch()
 * and queues the one response. request_completed() writes the access-log line, records metrics
 * and frees everything the request owned — the only place per-request state is freed.
 */
#define _GNU_SOURCE
#include "http.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>
#include <openssl/crypto.h>

#include "auth.h"
#include "canon.h"
#include "crypto.h"
#include "db.h"
#include "idem.h"
#include "metrics.h"
#include "static.h"
#include "stream.h"

static struct MHD_Daemon *daemon_;
static const struct config *cfg;
static atomic_long in_flight;
static atomic_bool shutting_down;
static atomic_ullong req_counter;
static char rid_prefix[13];

long
http_in_flight(void)
{
    return atomic_load(&in_flight);
}

const char *
req_header(const struct req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

const char *
req_query(const struct req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

struct dbconn *
req_db(struct req *r)
{
    if (r->db)
        return r->db;
    if (r->db_failed)
        return NULL;
    r->db = db_acquire();
    if (!r->db) {
        r->db_failed = true;
        req_error(r, E_DB_UNAVAILABLE, "the database is unavailable; retry later");
    }
    return r->db;
}

struct dbconn *
req_db_for(struct req *r, const char *name, int64_t *id)
{
    return req_param_id(r, name, id) ? req_db(r) : NULL;
}

static const char *const role_names[] = {"center_admin", "agent",      "bidder",
                                         "expert",       "supervisor", "tenderer"};

const char *
role_name(unsigned role)
{
    for (unsigned i = 0; i < ARRAY_LEN(role_names); i++)
        if (role == 1u << i)
            return role_names[i];
    return role == ROLE_PUBLIC ? "public" : "unknown";
}

unsigned
role_from_name(const char *name)
{
    if (!name)
        return 0;
    for (unsigned i = 0; i < ARRAY_LEN(role_names); i++)
        if (!strcmp(name, role_names[i]))
            return 1u << i;
    return 0;
}

/* ---- the dispatcher ---- */

static bool
is_api_path(const char *path)
{
    return !strncmp(path, "/api/", 5) || !strcmp(path, "/api") || !strcmp(path, "/healthz") ||
           !strcmp(path, "/metrics");
}

static bool
content_type_is_json(const char *ct)
{
    if (!ct)
        return false;
    size_t n = strlen("application/json");
    if (strncasecmp(ct, "application/json", n))
        return false;
    return ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ';
}

/* Authenticate and authorize r for its route: public routes and callers already admitted
 * pass. False: the refusal (401/403/503) is set on r. */
static bool
admit(struct req *r)
{
    const struct route *rt = r->route;
    if (r->admitted)
        return true;
    if (rt->roles & ROLE_PUBLIC) {
        /* a public route serves everyone; a caller who shows a valid token is known to it (a
         * party may see what the public may not yet), a bad token changes nothing */
        if (req_header(r, "Authorization") && auth_authenticate(r) == AUTH_OK) {
            r->authed = true;
            log_set_request_id(r->id);
        }
        return true;
    }
    enum auth_result a = auth_authenticate(r);
    if (a == AUTH_ERROR)
        return false;
    if (a != AUTH_OK) {
        req_error(r, E_UNAUTHENTICATED,
                  a == AUTH_NONE ? "log in first: send Authorization: Bearer <token>"
                                 : "the session token is invalid, expired or revoked");
        return false;
    }
    r->authed = true;
    log_set_request_id(r->id);
    if (!(rt->roles & r->who.role)) {
        req_error(r, E_FORBIDDEN, "the %s role may not use %s %s", role_name(r->who.role),
                  rt->method, rt->pattern);
        return false;
    }
    r->admitted = true;
    return true;
}

/* Is the text (n bytes) valid UTF-8 (no overlongs, no surrogates), with no character the
 * platform's text refuses (text_char_refused: controls but, when text is true, tab and newline;
 * C1 controls; bidirectional overrides)? */
static bool
clean_text(const unsigned char *p, size_t n, bool text)
{
    for (size_t i = 0; i < n;) {
        unsigned c = p[i];
        if (c < 0x20 && !(text && (c == '\t' || c == '\n')))
            return false;
        if (c == 0x7f)
            return false;
        int extra = c < 0x80             ? 0
                    : (c & 0xE0) == 0xC0 ? 1
                    : (c & 0xF0) == 0xE0 ? 2
                    : (c & 0xF8) == 0xF0 ? 3
                                         : -1;
        if (extra < 0 || i + (size_t)extra >= n + (extra == 0))
            return false;
        unsigned cp = extra == 0 ? c : extra == 1 ? c & 0x1F : extra == 2 ? c & 0x0F : c & 0x07;
        for (int k = 1; k <= extra; k++) {
            if (i + (size_t)k >= n || (p[i + (size_t)k] & 0xC0) != 0x80)
                return false;
            cp = cp << 6 | (p[i + (size_t)k] & 0x3F);
        }
        if ((extra == 1 && cp < 0x80) || (extra == 2 && cp < 0x800) ||
            (extra == 3 && (cp < 0x10000 || cp > 0x10FFFF)) || (cp >= 0xD800 && cp <= 0xDFFF) ||
            text_char_refused(cp, text))
            return false;
        i += (size_t)extra + 1;
    }
    return true;
}

struct query_walk {
    struct buf *out; /* the canonical query string, or NULL */
    const char *problem;
};

static enum MHD_Result
query_arg(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    (void)kind;
    struct query_walk *w = cls;
    const char *k = key ? key : "", *v = value ? value : "";
    if (!clean_text((const unsigned char *)k, strlen(k), false) ||
        !clean_text((const unsigned char *)v, strlen(v), false))
        w->problem = "a query parameter is not valid UTF-8 text (or holds a control character)";
    if (w->out) {
        buf_puts(w->out, k);
        buf_append(w->out, "=", 1);
        buf_puts(w->out, v);
        buf_append(w->out, "&", 1);
    }
    return MHD_YES;
}

const char *
query_problem(struct req *r)
{
    struct query_walk w = {NULL, NULL};
    MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, query_arg, &w);
    return w.problem;
}

struct query_check {
    const struct field *schema;
    unsigned seen[32]; /* how often each declared field came */
    char msg[300], field[80];
};

/* One query parameter against the route's declared fields (route.h). */
static enum MHD_Result
query_field(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    (void)kind;
    struct query_check *q = cls;
    const char *v = value ? value : "";
    if (q->msg[0])
        return MHD_NO;
    snprintf(q->field, sizeof q->field, "%s", key ? key : "");
    size_t i = 0;
    const struct field *f = q->schema;
    for (; f && f->name && strcmp(f->name, key ? key : ""); f++, i++)
        ;
    if (!f || !f->name) {
        snprintf(q->msg, sizeof q->msg, "unknown query parameter \"%s\"%s", q->field,
                 f ? "" : ": this route takes none");
        return MHD_NO;
    }
    if (i < 32 && ++q->seen[i] > 1) {
        snprintf(q->msg, sizeof q->msg, "query parameter \"%s\" appears twice", f->name);
        return MHD_NO;
    }
    if (f->type == F_INT) {
        int64_t x;
        const char *bad = json_number_token_problem(v, &x);
        if (bad)
            snprintf(q->msg, sizeof q->msg, "query parameter \"%s\" %s", f->name, bad);
        else if (x < f->min || x > f->max)
            snprintf(q->msg, sizeof q->msg, "query parameter \"%s\" must be from %lld to %lld",
                     f->name, (long long)f->min, (long long)f->max);
    } else {
        size_t n = 0;
        for (const unsigned char *p = (const unsigned char *)v; *p; p++)
            n += (*p & 0xC0) != 0x80; /* characters (the text is valid UTF-8 by now) */
        if ((int64_t)n < f->min || (int64_t)n > f->max)
            snprintf(q->msg, sizeof q->msg,
                     "query parameter \"%s\" must be %lld to %lld "
                     "characters long",
                     f->name, (long long)f->min, (long long)f->max);
        for (const char *const *o = f->oneof; o && !q->msg[0]; o++) {
            if (!*o) {
                struct buf b = {0};
                for (o = f->oneof; *o; o++)
                    buf_printf(&b, "%s%s", o == f->oneof ? "" : ", ", *o);
                snprintf(q->msg, sizeof q->msg, "query parameter \"%s\" must be one of: %s",
                         f->name, b.p ? b.p : "");
                buf_free(&b);
                break;
            }
            if (!strcmp(*o, v))
                break;
        }
    }
    return q->msg[0] ? MHD_NO : MHD_YES;
}

/* Check every query parameter against the route's schema; false with the refusal set. */
static bool
query_validate(struct req *r)
{
    struct query_check q = {.schema = r->route->query};
    MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, query_field, &q);
    if (!q.msg[0])
        return true;
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "field", q.field);
    req_error_x(r, E_BAD_REQUEST, d, "%s", q.msg);
    return false;
}

void
req_query_string(const struct req *r, struct buf *out)
{
    struct query_walk w = {out, NULL};
    MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, query_arg, &w);
}

/* The body a route without one accepts: nothing, or an empty JSON object. */
#define NO_BODY_MAX 64

static bool
empty_object(const char *p, size_t n)
{
    int braces = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '{' && braces == 0)
            braces = 1;
        else if (p[i] == '}' && braces == 1)
            braces = 2;
        else if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r' && p[i] != '\n')
            return false;
    }
    return braces == 2;
}

/* Build r's response. Everything generic happens here; the handler holds the logic. */
static void
dispatch(struct req *r, int *file_fd, uint64_t *file_size, const char **file_type)
{
    if (atomic_load(&shutting_down)) {
        req_error(r, E_SHUTTING_DOWN, "the server is shutting down");
        return;
    }
    if (!r->route) {
        bool known = false;
        char allow[64];
        router_match(NULL, r->method, r->path, &known, allow, sizeof allow);
        if (known) {
            free(r->allow);
            r->allow = strdup(allow);
            req_error(r, E_METHOD_NOT_ALLOWED, "%s is not allowed on %s (allowed: %s)", r->method,
                      r->path, allow);
            return;
        }
        if (!is_api_path(r->path) && (!strcmp(r->method, "GET") || !strcmp(r->method, "HEAD"))) {
            int fd = static_open(r->path, file_size, file_type);
            if (fd >= 0) {
                *file_fd = fd;
                r->status = 200;
                return;
            }
        }
        req_error(r, E_NOT_FOUND, "no such resource: %s", r->path);
        return;
    }
    const struct route *rt = r->route;
    if (r->body_too_large && !rt->max_body) {
        req_error(r, E_BAD_REQUEST, "%s %s takes no body", rt->method, rt->pattern);
        return;
    }
    if (r->body_too_large) {
        req_error(r, E_PAYLOAD_TOO_LARGE, "the body is larger than %zu bytes", rt->max_body);
        return;
    }
    const char *bad = query_problem(r);
    if (bad) {
        req_error(r, E_BAD_REQUEST, "%s", bad);
        return;
    }
    if (!admit(r) || !query_validate(r))
        return;
    cJSON *body = NULL;
    if (rt->flags & ROUTE_BODY_STREAM) {
        /* the body went to the route's sink as it arrived; the handler reads r->sink_state */
    } else if (rt->flags & ROUTE_BODY_RAW) {
        if (r->body.len == 0) {
            req_error(r, E_BAD_REQUEST, "send the file as the request body");
            return;
        }
    } else if (rt->max_body > 0) {
        if (r->body.len == 0) {
            body = cJSON_CreateObject();
        } else {
            if (!content_type_is_json(req_header(r, "Content-Type"))) {
                req_error(r, E_UNSUPPORTED_MEDIA,
                          "send the body as Content-Type: application/json");
                return;
            }
            /* each number keeps its own token: integers are checked and read exactly */
            body = json_parse(r->body.p, r->body.len);
            if (!body) {
                req_error(r, E_MALFORMED_JSON, "the body is not valid JSON");
                return;
            }
            const char *why = json_text_problem(r->body.p, r->body.len);
            if (why) {
                cJSON_Delete(body);
                req_error(r, E_INVALID_FIELD, "%s", why);
                return;
            }
            /* there are no fractions in the API: every number anywhere in a body is an integer
             * token, also where no schema reaches (docs/errors.md "Numbers") */
            char path[200] = "";
            if (json_numbers_problem(body, path, sizeof path, &why)) {
                cJSON_Delete(body);
                req_field_error(r, E_INVALID_FIELD, path, "field \"%s\" %s", path, why);
                return;
            }
        }
        if (!json_validate(r, body, rt->schema, NULL)) {
            cJSON_Delete(body);
            return;
        }
    } else if (r->body.len > 0 && !empty_object(r->body.p, r->body.len)) {
        req_error(r, E_BAD_REQUEST, "%s %s takes no body (send none, or {})", rt->method,
                  rt->pattern);
        return;
    }
    if (!idem_prepare(r) || idem_replay(r)) {
        cJSON_Delete(body);
        return;
    }
    rt->handler(r, body);
    cJSON_Delete(body);
    if (!r->status) {
        log_error("handler for %s %s set no response", rt->method, rt->pattern);
        req_error(r, E_INTERNAL, "internal error");
    }
}

/* Add the headers every response carries. False when libmicrohttpd refused one. */
static bool
add_common_headers(struct MHD_Response *resp, const struct req *r, bool api)
{
    bool ok = MHD_add_response_header(resp, "X-Request-Id", r->id) == MHD_YES &&
              MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff") == MHD_YES &&
              MHD_add_response_header(resp, "Referrer-Policy", "no-referrer") == MHD_YES;
    if (api) {
        ok = ok && MHD_add_response_header(resp, "Cache-Control", "no-store") == MHD_YES;
    } else {
        ok = ok && MHD_add_response_header(resp, "Cache-Control", "no-cache") == MHD_YES &&
             MHD_add_response_header(resp, "X-Frame-Options", "DENY") == MHD_YES &&
             MHD_add_response_header(
                 resp, "Content-Security-Policy",
                 "default-src 'self'; frame-ancestors 'none'; base-uri 'none'") == MHD_YES;
    }
    if (cfg->http_tls)
        ok = ok && MHD_add_response_header(resp, "Strict-Transport-Security", "max-age=31536000") ==
                       MHD_YES;
    if (atomic_load(&shutting_down) || r->close)
        ok = ok && MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close") == MHD_YES;
    return ok;
}

/* Send r's response: the file fd (fsize bytes, closed by libmicrohttpd) when fd >= 0, else
 * r->resp. api: the API's headers (no-store), else a static page's. */
static enum MHD_Result
send_response(struct MHD_Connection *conn, struct req *r, int fd, uint64_t fsize, const char *ftype,
              bool api)
{
    struct MHD_Response *resp;
    if (r->stream) { /* an event stream: the watcher is libmicrohttpd's from here */
        resp = stream_response(r->stream);
        if (!resp)
            stream_discard(r->stream);
        r->stream = NULL;
    } else if (fd >= 0) {
        resp = MHD_create_response_from_fd64(fsize, fd);
        if (!resp)
            close(fd);
        r->resp_len = (size_t)fsize;
    } else {
        resp = MHD_create_response_from_buffer(r->resp_len, r->resp ? r->resp : (void *)"",
                                               r->resp ? MHD_RESPMEM_MUST_FREE
                                                       : MHD_RESPMEM_PERSISTENT);
        if (resp)
            r->resp = NULL; /* now owned by libmicrohttpd */
    }
    if (!resp) {
        log_error("cannot create a response");
        return MHD_NO;
    }
    const char *type = fd >= 0 ? ftype : r->resp_type;
    char ra[24];
    snprintf(ra, sizeof ra, "%ld", r->retry_after);
    bool ok =
        (!type || MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type) == MHD_YES) &&
        add_common_headers(resp, r, api) &&
        (!r->allow || MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, r->allow) == MHD_YES) &&
        (r->retry_after <= 0 ||
         MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, ra) == MHD_YES) &&
        (!r->replayed || MHD_add_response_header(resp, "Idempotent-Replayed", "true") == MHD_YES);
    if (!ok) {
        log_error("cannot add a response header");
        MHD_destroy_response(resp);
        return MHD_NO;
    }
    enum MHD_Result ret = MHD_queue_response(conn, r->status, resp);
    MHD_destroy_response(resp);
    if (ret != MHD_YES)
        log_error("MHD_queue_response failed");
    return ret;
}

/* Is addr (text) one of the configured reverse proxies (http.trusted_proxies)? */
static bool
trusted_proxy(const char *addr)
{
    const char *list = cfg->http_trusted_proxies;
    size_t n = strlen(addr);
    for (const char *p = list; p && *p;) {
        while (*p == ' ' || *p == ',')
            p++;
        const char *end = p;
        while (*end && *end != ',' && *end != ' ')
            end++;
        if ((size_t)(end - p) == n && n > 0 && !memcmp(p, addr, n))
            return true;
        p = end;
    }
    return false;
}

/* Is s an IPv4 or IPv6 address in text form? */
static bool
is_address(const char *s)
{
    unsigned char tmp[sizeof(struct in6_addr)];
    return inet_pton(AF_INET, s, tmp) == 1 || inet_pton(AF_INET6, s, tmp) == 1;
}

/* Write a.b.c.d of an IPv4 address into out (at least INET_ADDRSTRLEN bytes). */
static void
ipv4_format(const struct in_addr *a, char *out)
{
    const uint8_t *b = (const uint8_t *)&a->s_addr; /* network order: first byte first */
    char *p = out;
    for (int i = 0; i < 4; i++) {
        unsigned v = b[i];
        if (v >= 100)
            *p++ = (char)('0' + v / 100);
        if (v >= 10)
            *p++ = (char)('0' + v / 10 % 10);
        *p++ = (char)('0' + v % 10);
        *p++ = i < 3 ? '.' : '\0';
    }
}

/* The client's address: the peer's, or — when the peer is a configured reverse proxy — the
 * rightmost address of X-Forwarded-For that is not itself a configured proxy. A client cannot
 * choose its address by sending the header: from any other peer it is ignored. *via_proxy
 * tells that the request came through a proxy. */
static void
client_address(struct MHD_Connection *conn, char *out, size_t len, bool *via_proxy)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    snprintf(out, len, "unknown");
    *via_proxy = false;
    if (!ci || !ci->client_addr)
        return;
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET &&
        len >= INET_ADDRSTRLEN) /* by hand: inet_ntop's sprintf showed */
        ipv4_format(&((const struct sockaddr_in *)(const void *)sa)->sin_addr, out);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, out,
                  (socklen_t)len);
    if (!trusted_proxy(out))
        return;
    *via_proxy = true;
    const char *xff = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Forwarded-For");
    char hop[64];
    for (size_t end = xff ? strlen(xff) : 0; end > 0;) {
        size_t start = end;
        while (start > 0 && xff[start - 1] != ',')
            start--;
        size_t a = start, b = end;
        while (a < b && xff[a] == ' ')
            a++;
        while (b > a && xff[b - 1] == ' ')
            b--;
        if (b - a == 0 || b - a >= sizeof hop)
            break;
        memcpy(hop, xff + a, b - a);
        hop[b - a] = '\0';
        if (!is_address(hop))
            break; /* a malformed hop: the proxy's own peer is all we know */
        snprintf(out, len, "%s", hop);
        if (!trusted_proxy(hop))
            break;
        end = start > 0 ? start - 1 : 0;
    }
}

/* A streamed upload's first call: admit the caller and open the route's sink before reading
 * a byte, so that nobody unauthenticated or unauthorized can make the server take an upload.
 * A refusal is answered at once (libmicrohttpd then closes the connection). No database
 * connection is held while the body arrives. */
static enum MHD_Result
stream_start(struct MHD_Connection *conn, struct req *r)
{
    log_set_request_id(r->id);
    if (atomic_load(&shutting_down))
        req_error(r, E_SHUTTING_DOWN, "the server is shutting down");
    else if (!query_problem(r) && admit(r) && query_validate(r))
        r->sink_state = r->route->sink->open(r);
    else if (!r->status)
        req_error(r, E_BAD_REQUEST, "%s", query_problem(r));
    if (r->db) {
        db_release(r->db);
        r->db = NULL;
    }
    enum MHD_Result ret = MHD_YES;
    if (!r->sink_state) {
        if (!r->status)
            req_error(r, E_INTERNAL, "the upload could not be started");
        ret = send_response(conn, r, -1, 0, NULL, true);
    }
    log_set_request_id(NULL);
    return ret;
}
/* The request id: this process's random prefix, then the request counter as 12 hex digits. */
static void
request_id(char out[33], uint64_t n)
{
    static const char hex[] = "0123456789abcdef";
    size_t p = strnlen(rid_prefix, 20);
    memcpy(out, rid_prefix, p);
    for (int i = 11; i >= 0; i--, n >>= 4)
        out[p + (size_t)i] = hex[n & 15];
    out[p + 12] = '\0';
}

static enum MHD_Result
access_handler(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
               const char *version, const char *upload_data, size_t *upload_data_size,
               void **con_cls)
{
    (void)cls;
    (void)version;
    struct req *r = *con_cls;
    if (!r) {
        r = calloc(1, sizeof *r);
        if (!r)
            return MHD_NO;
        *con_cls = r;
        atomic_fetch_add(&in_flight, 1);
        r->start_us = clock_now_us();
        request_id(r->id, (uint64_t)atomic_fetch_add(&req_counter, 1));
        r->conn = conn;
        r->method = method;
        r->path = url;
        client_address(conn, r->client, sizeof r->client, &r->via_proxy);
        bool known;
        r->route = router_match(r, method, url, &known, NULL, 0);
        const char *cl =
            MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        /* Both Content-Length and Transfer-Encoding: the framing is ambiguous (request
         * smuggling); RFC 9112 §6.1 says to refuse it and close the connection. */
        if (cl &&
            MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_TRANSFER_ENCODING)) {
            log_set_request_id(r->id);
            r->close = true;
            req_error(r, E_BAD_REQUEST,
                      "a request with both Content-Length and Transfer-Encoding is refused, and "
                      "the connection closed (RFC 9112 §6.1)");
            log_set_request_id(NULL);
            return send_response(conn, r, -1, 0, NULL, true);
        }
        /* A declared Content-Length over the cap is refused before reading the body (the
         * connection then closes, which is what a client sending too much should get). A route
         * that takes no body reads one of NO_BODY_MAX bytes at most: an empty object, "{}", is
         * taken as no body. */
        size_t cap = r->route ? (r->route->max_body ? r->route->max_body : NO_BODY_MAX) : 0;
        int64_t declared;
        if (cl && parse_i64(cl, 0, INT64_MAX, &declared) && (uint64_t)declared > cap &&
            (r->route || declared > 0)) {
            log_set_request_id(r->id);
            if (r->route && r->route->max_body > 0)
                req_error(r, E_PAYLOAD_TOO_LARGE, "the body is larger than %zu bytes", cap);
            else if (r->route)
                req_error(r, E_BAD_REQUEST, "%s %s takes no body", method, r->route->pattern);
            else
                req_error(r, E_NOT_FOUND, "no such resource: %s", url);
            log_set_request_id(NULL);
            return send_response(conn, r, -1, 0, NULL, true);
        }
        if (r->route && (r->route->flags & ROUTE_BODY_STREAM))
            return stream_start(conn, r);
        return MHD_YES;
    }
    if (*upload_data_size > 0 && r->route && (r->route->flags & ROUTE_BODY_STREAM)) {
        size_t n = *upload_data_size;
        if (r->sink_state && !r->sink_refused && !r->body_too_large) {
            if (n > r->route->max_body - r->body_bytes)
                r->body_too_large = true;
            else {
                r->body_bytes += n;
                if (!r->route->sink->write(r, r->sink_state, upload_data, n))
                    r->sink_refused = true;
            }
        }
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (*upload_data_size > 0) {
        size_t cap = r->route ? (r->route->max_body ? r->route->max_body : NO_BODY_MAX) : 0;
        if (!r->body_too_large && r->body.len + *upload_data_size <= cap)
            buf_append(&r->body, upload_data, *upload_data_size);
        else {
            r->body_too_large = true;
            buf_free(&r->body);
        }
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (r->status && !r->sink_refused) /* already answered */
        return MHD_YES;
    if (r->body.oom) {
        req_error(r, E_INTERNAL, "out of memory");
    }
    log_set_request_id(r->id);
    int fd = -1;
    uint64_t fsize = 0;
    const char *ftype = NULL;
    bool api = true;
    if (!r->status) {
        dispatch(r, &fd, &fsize, &ftype);
        api = fd < 0;
    }
    if (fd < 0 && r->resp_file) { /* req_file: the descriptor passes to libmicrohttpd */
        fd = r->resp_fd;
        fsize = r->resp_len;
        ftype = r->resp_type;
        r->resp_file = false;
    }
    if (r->db) {
        db_release(r->db);
        r->db = NULL;
    }
    enum MHD_Result ret = send_response(conn, r, fd, fsize, ftype, api);
    log_set_request_id(NULL);
    return ret;
}

/* Append the decimal digits of v. */
static void
put_u64(struct buf *b, uint64_t v)
{
    char d[24];
    buf_append(b, d, i64_format(v > INT64_MAX ? INT64_MAX : (int64_t)v, d));
}

/* The access-log line of a finished request (docs/operations.md "Logs and metrics"). */
static void
access_line(const struct req *r, unsigned status, int64_t dur, bool completed)
{
    char ts[40], stack[1024];
    clock_format(clock_now_us(), ts, sizeof ts);
    struct buf b = {.p = stack, .cap = sizeof stack, .borrowed = true};
    buf_puts(&b, "{\"ts\":\"");
    buf_puts(&b, ts);
    buf_puts(&b, "\",\"fn\":\"access\",\"rid\":\"");
    buf_puts(&b, r->id);
    buf_puts(&b, "\",\"method\":\"");
    buf_json_escape(&b, r->method, strlen(r->method));
    buf_puts(&b, "\",\"path\":\"");
    buf_json_escape(&b, r->path, strnlen(r->path, 512));
    buf_puts(&b, "\",\"route\":\"");
    buf_puts(&b, r->route ? r->route->pattern : "");
    buf_puts(&b, "\",\"status\":");
    put_u64(&b, status);
    buf_puts(&b, ",\"dur_us\":");
    put_u64(&b, dur > 0 ? (uint64_t)dur : 0);
    buf_puts(&b, ",\"bytes\":");
    put_u64(&b, r->resp_len);
    buf_puts(&b, ",\"client\":\"");
    buf_puts(&b, r->client);
    buf_puts(&b, "\",\"user_id\":");
    put_u64(&b, r->authed && r->who.user_id > 0 ? (uint64_t)r->who.user_id : 0);
    buf_puts(&b, completed ? "}\n" : ",\"aborted\":true}\n");
    if (!b.oom)
        log_raw_line(b.p, b.len);
    buf_free(&b);
}

static void
request_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                  enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)conn;
    struct req *r = *con_cls;
    if (!r)
        return;
    int64_t dur = clock_now_us() - r->start_us;
    unsigned status = r->status ? r->status : 0;
    size_t ridx =
        r->route ? router_index(r->route) : (status == 200 ? router_count() + 1 : router_count());
    metrics_record(ridx, status, dur);
    if (cfg->log_access) /* one line per request: built without printf, on the stack */
        access_line(r, status, dur, toe == MHD_REQUEST_TERMINATED_COMPLETED_OK);
    if (r->db)
        db_release(r->db);
    for (size_t i = 0; i < r->nparams; i++)
        free(r->pvals[i]);
    if (r->sink_state)
        r->route->sink->close(r->sink_state);
    buf_free(&r->body);
    free(r->resp);
    if (r->stream) /* set but never sent */
        stream_discard(r->stream);
    if (r->resp_file) /* set but never sent */
        close(r->resp_fd);
    free(r->allow);
    OPENSSL_cleanse(&r->who, sizeof r->who);
    free(r);
    *con_cls = NULL;
    atomic_fetch_sub(&in_flight, 1);
}

/* Percent-decoding of the path and query, in place. Unlike libmicrohttpd's default it leaves
 * "%00" (and malformed escapes) undecoded, so no NUL can cut a path short: "/a.html%00.css"
 * stays a name that matches no file and no route. Returns the new length. */
static size_t
unescape(void *cls, struct MHD_Connection *conn, char *s)
{
    (void)cls;
    (void)conn;
    char *w = s;
    for (const char *p = s; *p; p++) {
        int hi, lo;
        if (p[0] == '%' && (hi = hex_digit(p[1])) >= 0 && (lo = hex_digit(p[2])) >= 0 &&
            (hi | lo) != 0) {
            *w++ = (char)(hi << 4 | lo);
            p += 2;
        } else {
            *w++ = *p;
        }
    }
    *w = '\0';
    return (size_t)(w - s);
}

static void
mhd_logger(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    size_t n = strlen(msg);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
        msg[--n] = '\0';
    log_write(LOG_WARN, "libmicrohttpd", "%s", msg);
}

static char *tls_key, *tls_cert;

bool
http_start(const struct config *c)
{
    cfg = c;
    uint8_t rnd[6];
    if (!crypto_random(rnd, sizeof rnd))
        return false;
    for (int i = 0; i < 6; i++)
        snprintf(rid_prefix + 2 * i, 3, "%02x", rnd[i]);

    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    /* suspend and resume: the event streams park their connections between events (stream.c) */
    unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
    if (inet_pton(AF_INET6, c->http_bind, &((struct sockaddr_in6 *)&ss)->sin6_addr) == 1) {
        ((struct sockaddr_in6 *)&ss)->sin6_family = AF_INET6;
        ((struct sockaddr_in6 *)&ss)->sin6_port = htons((uint16_t)c->http_port);
        flags |= MHD_USE_IPv6;
    } else if (inet_pton(AF_INET, c->http_bind, &((struct sockaddr_in *)&ss)->sin_addr) == 1) {
        ((struct sockaddr_in *)&ss)->sin_family = AF_INET;
        ((struct sockaddr_in *)&ss)->sin_port = htons((uint16_t)c->http_port);
    } else {
        log_error("http.bind %s is not an address", c->http_bind);
        return false;
    }
    size_t keylen = 0;
    if (c->http_tls) {
        flags |= MHD_USE_TLS;
        tls_key = read_file(c->http_key, 1 << 20, &keylen);
        tls_cert = read_file(c->http_cert, 1 << 20, NULL);
        if (!tls_key || !tls_cert) {
            log_error("cannot read the TLS key %s or certificate %s", c->http_key, c->http_cert);
            goto fail;
        }
    }
    struct MHD_OptionItem opts[] = {
        {MHD_OPTION_SOCK_ADDR, 0, &ss},
        {MHD_OPTION_THREAD_POOL_SIZE, (intptr_t)c->http_threads, NULL},
        {MHD_OPTION_CONNECTION_LIMIT, (intptr_t)c->http_connection_limit, NULL},
        /* one address cannot take every connection (0: no such limit, behind a proxy) */
        {MHD_OPTION_PER_IP_CONNECTION_LIMIT, (intptr_t)c->http_per_ip_connections, NULL},
        {MHD_OPTION_CONNECTION_TIMEOUT, (intptr_t)c->http_timeout_s, NULL},
        {MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)request_completed, NULL},
        {MHD_OPTION_UNESCAPE_CALLBACK, (intptr_t)unescape, NULL},
        {MHD_OPTION_LISTENING_ADDRESS_REUSE, 1, NULL},
        {c->http_tls ? MHD_OPTION_HTTPS_MEM_KEY : MHD_OPTION_END, 0, tls_key},
        {MHD_OPTION_HTTPS_MEM_CERT, 0, tls_cert},
        /* TLS 1.2 and 1.3 with AEAD suites only (GnuTLS priority string) */
        {MHD_OPTION_HTTPS_PRIORITIES, 0,
         (void *)"NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:-CIPHER-ALL:+AES-256-GCM:"
                 "+AES-128-GCM:+CHACHA20-POLY1305:-MAC-ALL:+AEAD"},
        {MHD_OPTION_END, 0, NULL},
    };
    /* The logger goes first so that every message of start-up reaches our log. */
    daemon_ =
        MHD_start_daemon(flags, 0, NULL, NULL, access_handler, NULL, MHD_OPTION_EXTERNAL_LOGGER,
                         mhd_logger, NULL, MHD_OPTION_ARRAY, opts, MHD_OPTION_END);
    if (!daemon_)
        log_error("cannot start the HTTP server on %s port %lld", c->http_bind,
                  (long long)c->http_port);
fail:
    /* libmicrohttpd has loaded the key into GnuTLS (or failed to): the PEM copy is wiped and
     * freed now, in every case. */
    if (tls_key) {
        OPENSSL_cleanse(tls_key, keylen);
        free(tls_key);
        tls_key = NULL;
    }
    free(tls_cert);
    tls_cert = NULL;
    return daemon_ != NULL;
}

unsigned
http_port(void)
{
    const union MHD_DaemonInfo *di =
        daemon_ ? MHD_get_daemon_info(daemon_, MHD_DAEMON_INFO_BIND_PORT) : NULL;
    return di ? di->port : 0;
}

void
http_quiesce(void)
{
    /* From now on every new request is answered 503 shutting_down with Connection: close while
     * the requests in flight finish. MHD_quiesce_daemon is deliberately not used: in
     * libmicrohttpd 0.9.75 with an epoll thread pool, a worker that sees the daemon quiesced
     * removes the listen socket from its epoll set while MHD_quiesce_daemon removes it too, and
     * whichever comes second aborts the process ("Failed to remove listen FD from epoll set").
     * The listen socket closes with MHD_stop_daemon. */
    atomic_store(&shutting_down, true);
    stream_shutdown(); /* open streams end, so the requests in flight can */
}

bool
http_wait_idle(int timeout_ms)
{
    for (int waited = 0; atomic_load(&in_flight) > 0; waited += 10) {
        if (waited >= timeout_ms)
            return false;
        struct timespec ts = {0, 10 * 1000000L};
        nanosleep(&ts, NULL);
    }
    return true;
}

void
http_stop(void)
{
    if (daemon_)
        MHD_stop_daemon(daemon_);
    daemon_ = NULL;
}

const struct actor *
req_actor(struct req *r)
{
    r->actor = (struct actor){
        .user_id = r->authed ? r->who.user_id : 0,
        .org_id = r->authed ? r->who.org_id : 0,
        .role = r->authed ? role_name(r->who.role) : "anonymous",
        .request_id = r->id,
        .client = r->client,
    };
    return &r->actor;
}
