/*
 * req_tx.c — a request's unit of work (see app.h): db_tx (db.c) knows connections and
 * transactions only; this adds what only an HTTP request has — its actor, its Idempotency-Key
 * record written in the same transaction as the change it answers, the answer of a concurrent
 * twin with the same key, and the mapping of database failures to HTTP errors. Bootstrap and
 * background jobs call db_tx directly with a system actor.
 */
#include <stdlib.h>

#include "app.h"
#include "db.h"
#include "http.h"
#include "idem.h"
#include "util.h"

struct run {
    struct req *r;
    req_tx_fn fn;
    void *ctx;
    bool key_taken; /* a twin with the same Idempotency-Key committed first */
};

/* The transaction db_tx runs: the handler's function, then the Idempotency-Key record. */
static enum tx_result
run_tx(struct dbconn *c, void *arg)
{
    struct run *x = arg;
    x->key_taken = false;
    enum tx_result res = x->fn(c, x->r, x->ctx);
    if (res != TX_COMMIT || !x->r->idem_key[0] || !x->r->status)
        return res;
    enum db_status st = idem_store(c, x->r);
    if (st == DB_DUPLICATE) {
        x->key_taken = true;
        return TX_REFUSE;
    }
    return st == DB_OK ? TX_COMMIT : TX_DBFAIL;
}

bool
req_tx(struct req *r, req_tx_fn fn, void *ctx)
{
    struct dbconn *c = req_db(r);
    if (!c)
        return false;
    struct run x = {r, fn, ctx, false};
    enum db_status st = db_tx(c, run_tx, &x);
    if (st == DB_OK)
        return true;
    if (st != DB_REFUSED) {
        req_db_fail(r, c, st);
        return false;
    }
    if (x.key_taken) { /* a concurrent retry with the same key committed first: its answer */
        if (!idem_replay(r))
            req_error(r, E_CONFLICT, "a request with this Idempotency-Key is in flight");
        return false;
    }
    /* A twin with the same Idempotency-Key may have committed while this one waited on its
     * locks (and was refused for it): then its answer is this one's answer. */
    if (r->idem_key[0] && db_usable(c)) {
        char *refusal = r->resp;
        size_t rlen = r->resp_len;
        unsigned rstatus = r->status;
        r->resp = NULL;
        if (idem_replay(r))
            free(refusal);
        else {
            r->resp = refusal;
            r->resp_len = rlen;
            r->status = rstatus;
        }
    }
    return false;
}
