/*
 * auth.h — session tokens: creation, verification (with a short in-memory cache) and
 * revocation. A token is 32 random bytes sent as `Authorization: Bearer <base64url>`; the
 * database keeps only SHA-256(token). The cache holds a verified session for at most
 * auth.session_cache_s seconds; logout, disabling a user and password changes clear it on this
 * node at once (other nodes of a cluster within that many seconds, see docs/operations.md).
 */
#ifndef GGZY_AUTH_H
#define GGZY_AUTH_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"

struct req;
struct dbconn;
struct principal;

enum auth_result { AUTH_NONE, AUTH_OK, AUTH_INVALID, AUTH_ERROR };

void auth_init(const struct config *cfg);
/* Verify the request's bearer token and fill r->who. AUTH_ERROR: a response is already set. */
enum auth_result auth_authenticate(struct req *r);
/* A fresh token (base64url text, 44 bytes incl. NUL) and its hash. */
bool auth_new_token(char token[44], uint8_t hash[32]);
void auth_cache_forget(const uint8_t hash[32]);
/* Who a session token (its SHA-256) belongs to — asked of the module that owns sessions and users
 * (accounts sets it at start-up; the core reads no module's table): fill who (user id,
 * organization, role, username) and *expires_us, or set *found false when the token names no live
 * session of an enabled user at now_us. Without one set, every token is refused. */
typedef enum db_status (*auth_session_fn)(struct dbconn *c, const uint8_t hash[32], int64_t now_us,
                                          struct principal *who, int64_t *expires_us, bool *found);
void auth_set_session_lookup(auth_session_fn fn);
void auth_cache_forget_user(int64_t user_id);

#endif
