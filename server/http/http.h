/*
 * http.h — what a module sees of the HTTP core, one header per concern: route.h (the row and the
 * router), request.h (the request, its input and its one response), errors.h (the error
 * vocabulary and refusals); and the server's own start and stop.
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
#include "errors.h"
#include "request.h"
#include "route.h"
#include "util.h"

/* The server (http.c). */
bool http_start(const struct config *cfg);
unsigned http_port(void); /* the bound port (useful with http.port = 0) */
void http_quiesce(void);  /* answer new requests 503 shutting_down from now on */
bool http_wait_idle(int timeout_ms);
void http_stop(void);
long http_in_flight(void);

#endif
