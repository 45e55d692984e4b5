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

enum auth_result { AUTH_NONE, AUTH_OK, AUTH_INVALID, AUTH_ERROR };

void auth_init(const struct config *cfg);
/* Verify the request's bearer token and fill r->who. AUTH_ERROR: a response is already set. */
enum auth_result auth_authenticate(struct req *r);
/* A fresh token (base64url text, 44 bytes incl. NUL) and its hash. */
bool auth_new_token(char token[44], uint8_t hash[32]);
void auth_cache_forget(const uint8_t hash[32]);
void auth_cache_forget_user(int64_t user_id);

#endif
