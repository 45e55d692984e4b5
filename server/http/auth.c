/*
 * auth.c — bearer-token verification for the dispatcher (see auth.h).
 *
 * The cache is direct-mapped on the token hash (uniformly random, so no hashing needed) with
 * striped locks; a collision simply evicts. Every comparison of token material is constant
 * time (crypto_equal), although only hashes are ever compared.
 */
#include "auth.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "crypto.h"
#include "db.h"
#include "http.h"
#include "util.h"

#define CACHE_SLOTS 4096
#define STRIPES     64

struct cslot {
    bool used;
    uint8_t hash[32];
    struct principal who;
    int64_t session_expires_us, cached_until_us;
};

static struct cslot cache[CACHE_SLOTS];
static pthread_mutex_t stripes[STRIPES];
static int64_t cache_us;

void
auth_init(const struct config *cfg)
{
    cache_us = cfg->auth_session_cache_s * 1000000LL;
    for (size_t i = 0; i < STRIPES; i++)
        pthread_mutex_init(&stripes[i], NULL);
}

static size_t
slot_of(const uint8_t h[32])
{
    return ((size_t)h[0] << 8 | h[1]) % CACHE_SLOTS;
}

static bool
cache_get(const uint8_t h[32], struct principal *who, int64_t now)
{
    size_t s = slot_of(h);
    bool hit = false;
    pthread_mutex_lock(&stripes[s % STRIPES]);
    struct cslot *c = &cache[s];
    if (c->used && crypto_equal(c->hash, h, 32) && now < c->cached_until_us &&
        now < c->session_expires_us) {
        *who = c->who;
        hit = true;
    }
    pthread_mutex_unlock(&stripes[s % STRIPES]);
    return hit;
}

static void
cache_put(const uint8_t h[32], const struct principal *who, int64_t expires_us, int64_t now)
{
    if (cache_us <= 0)
        return;
    size_t s = slot_of(h);
    pthread_mutex_lock(&stripes[s % STRIPES]);
    struct cslot *c = &cache[s];
    c->used = true;
    memcpy(c->hash, h, 32);
    c->who = *who;
    c->session_expires_us = expires_us;
    c->cached_until_us = now + cache_us;
    pthread_mutex_unlock(&stripes[s % STRIPES]);
}

void
auth_cache_forget(const uint8_t h[32])
{
    size_t s = slot_of(h);
    pthread_mutex_lock(&stripes[s % STRIPES]);
    if (cache[s].used && crypto_equal(cache[s].hash, h, 32))
        memset(&cache[s], 0, sizeof cache[s]);
    pthread_mutex_unlock(&stripes[s % STRIPES]);
}

void
auth_cache_forget_user(int64_t user_id)
{
    for (size_t s = 0; s < CACHE_SLOTS; s++) {
        pthread_mutex_lock(&stripes[s % STRIPES]);
        if (cache[s].used && cache[s].who.user_id == user_id)
            memset(&cache[s], 0, sizeof cache[s]);
        pthread_mutex_unlock(&stripes[s % STRIPES]);
    }
}

bool
auth_new_token(char token[44], uint8_t hash[32])
{
    uint8_t raw[32];
    bool ok = crypto_random(raw, sizeof raw);
    if (ok) {
        b64url_encode(raw, sizeof raw, token);
        ok = crypto_sha256(token, strlen(token), hash);
    }
    OPENSSL_cleanse(raw, sizeof raw); /* the token's bytes: only the text goes to the client */
    return ok;
}

static auth_session_fn session_lookup; /* set once at start-up, before any request */

void
auth_set_session_lookup(auth_session_fn fn)
{
    session_lookup = fn;
}

enum auth_result
auth_authenticate(struct req *r)
{
    const char *h = req_header(r, "Authorization");
    if (!h)
        return AUTH_NONE;
    if (strncmp(h, "Bearer ", 7) != 0)
        return AUTH_INVALID;
    const char *tok = h + 7;
    if (strlen(tok) != 43) /* 32 bytes in base64url */
        return AUTH_INVALID;
    uint8_t raw[33];
    if (b64url_decode(tok, raw, sizeof raw) != 32)
        return AUTH_INVALID;
    OPENSSL_cleanse(raw, sizeof raw);
    uint8_t hash[32];
    if (!crypto_sha256(tok, 43, hash))
        return AUTH_INVALID;
    int64_t now = clock_now_us();
    if (cache_get(hash, &r->who, now)) {
        memcpy(r->who.token_hash, hash, 32);
        return AUTH_OK;
    }
    struct dbconn *c = req_db(r);
    if (!c)
        return AUTH_ERROR;
    if (!session_lookup)
        return AUTH_INVALID;
    struct principal who = {0};
    int64_t expires = 0;
    bool found = false;
    enum db_status st = session_lookup(c, hash, now, &who, &expires, &found);
    if (st != DB_OK) {
        req_db_fail(r, c, st);
        return AUTH_ERROR;
    }
    if (!found || !who.role)
        return AUTH_INVALID;
    r->who = who;
    memcpy(r->who.token_hash, hash, 32);
    cache_put(hash, &r->who, expires, now);
    OPENSSL_cleanse(&who, sizeof who);
    return AUTH_OK;
}
