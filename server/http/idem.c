/*
 * idem.c — the idempotency store (see idem.h). A key is 1–128 visible ASCII characters,
 * scoped to the authenticated user, and kept for idempotency.ttl_s seconds.
 */
#include "idem.h"

#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#include "crypto.h"
#include "http.h"

static long long ttl_us = 86400LL * 1000000;

void
idem_set_ttl(long long ttl_s)
{
    ttl_us = ttl_s * 1000000LL;
}

bool
idem_prepare(struct req *r)
{
    r->idem_key[0] = '\0';
    if (!(r->route->flags & ROUTE_CREATES) || !r->authed)
        return true;
    const char *k = req_header(r, "Idempotency-Key");
    if (!k)
        return true;
    size_t n = strlen(k);
    if (n == 0 || n > 128) {
        req_error(r, E_BAD_REQUEST, "Idempotency-Key must be 1 to 128 characters");
        return false;
    }
    for (size_t i = 0; i < n; i++)
        if (k[i] < 0x21 || k[i] > 0x7e) {
            req_error(r, E_BAD_REQUEST, "Idempotency-Key must be visible ASCII characters");
            return false;
        }
    memcpy(r->idem_key, k, n + 1);
    struct buf b = {0};
    buf_puts(&b, r->method);
    buf_append(&b, "\n", 1);
    buf_puts(&b, r->path);
    buf_append(&b, "\n", 1);
    req_query_string(r, &b); /* the same key with another query is another request */
    buf_append(&b, "\n", 1);
    buf_append(&b, r->body.p ? r->body.p : "", r->body.len);
    bool ok = !b.oom && crypto_sha256(b.p, b.len, r->req_hash);
    buf_free(&b);
    if (!ok) {
        req_error(r, E_INTERNAL, "cannot hash the request");
        return false;
    }
    return true;
}

#define IDEM_COLS(X)                                                                               \
    X(IC_HASH, "request_hash")                                                                     \
    X(IC_STATUS, "status")                                                                         \
    X(IC_RESPONSE, "response")
enum { IDEM_COLS(DB_COL_ENUM) IC__COUNT };
static const char sql_get[] = "SELECT " IDEM_COLS(DB_COL_SQL) DB_COL_END
    " FROM idempotency "
    "WHERE user_id = ? AND idem_key = ? AND created_us > ?";

bool
idem_replay(struct req *r)
{
    if (!r->idem_key[0])
        return false;
    struct dbconn *c = req_db(r);
    if (!c)
        return true;
    struct dbv p[] = {DBV_INT(r->who.user_id), DBV_STR(r->idem_key),
                      DBV_INT(clock_now_us() - ttl_us)};
    struct dbres res;
    enum db_status st = db_query(c, sql_get, p, 3, &res);
    if (st != DB_OK) {
        req_db_fail(r, c, st);
        return true;
    }
    if (res.nrows == 0) {
        dbres_free(&res);
        return false;
    }
    if (dbres_len(&res, 0, IC_HASH) != 32 ||
        !crypto_equal(dbres_str(&res, 0, IC_HASH), r->req_hash, 32)) {
        dbres_free(&res);
        req_error(r, E_IDEMPOTENCY_MISMATCH,
                  "this Idempotency-Key was already used for a different request");
        return true;
    }
    unsigned status = (unsigned)dbres_i64(&res, 0, IC_STATUS);
    size_t len = dbres_len(&res, 0, IC_RESPONSE);
    char *body = dbres_take(&res, 0, IC_RESPONSE);
    dbres_free(&res);
    req_raw(r, status, "application/json", body, len);
    r->replayed = true;
    return true;
}

static const char sql_put[] =
    "INSERT INTO idempotency (user_id, idem_key, request_hash, status, response, created_us) "
    "VALUES (?, ?, ?, ?, ?, ?)";
static const char sql_put_over[] =
    "DELETE FROM idempotency WHERE user_id = ? AND idem_key = ? AND created_us <= ?";

enum db_status
idem_store(struct dbconn *c, struct req *r)
{
    /* An expired record with the same key may still be there: it no longer counts. */
    struct dbv d[] = {DBV_INT(r->who.user_id), DBV_STR(r->idem_key),
                      DBV_INT(clock_now_us() - ttl_us)};
    enum db_status st = db_exec(c, sql_put_over, d, 3, NULL, NULL);
    if (st != DB_OK)
        return st;
    struct dbv p[] = {DBV_INT(r->who.user_id),
                      DBV_STR(r->idem_key),
                      DBV_BLOB(r->req_hash, 32),
                      DBV_INT(r->status),
                      DBV_BLOB(r->resp ? r->resp : "", r->resp_len),
                      DBV_INT(clock_now_us())};
    return db_exec(c, sql_put, p, 6, NULL, NULL);
}

static const char sql_expire[] = "DELETE FROM idempotency WHERE created_us < ? LIMIT 10000";

bool
idem_expire(struct dbconn *c, int64_t now_us)
{
    struct dbv p[] = {DBV_INT(now_us - ttl_us)};
    if (db_exec(c, sql_expire, p, 1, NULL, NULL) == DB_OK)
        return true;
    log_warn("idem_expire: %s", db_last_error(c));
    return false;
}
