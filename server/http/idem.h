/*
 * idem.h — Idempotency-Key support for creating POSTs (ROUTE_CREATES).
 *
 * The dispatcher calls idem_prepare() once the caller is authenticated and the body is read:
 * it checks the header and hashes the request. idem_replay() answers from the store when the
 * same user already used the key (same request: the first answer, with Idempotent-Replayed;
 * a different request: 422 idempotency_key_reused). req_tx() calls idem_store() just before
 * COMMIT, so the answer is stored atomically with the change it describes.
 */
#ifndef GGZY_IDEM_H
#define GGZY_IDEM_H

#include <stdbool.h>

#include "db.h"

struct req;
/* false: the header is malformed (400 set on r). */
bool idem_prepare(struct req *r);
/* true: r now holds a response (replayed or refused). Database errors also answer (503/500). */
bool idem_replay(struct req *r);
enum db_status idem_store(struct dbconn *c, struct req *r);
void idem_set_ttl(long long ttl_s);
/* Delete records older than the TTL (maintenance). */
bool idem_expire(struct dbconn *c, int64_t now_us); /* false: a database error (logged) */

#endif
