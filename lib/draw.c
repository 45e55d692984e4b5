/*
 * draw.c — see draw.h and docs/draw.md §3–§5.
 */
#include "draw.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "crypto.h"

bool
draw_commit(const uint8_t secret[32], uint8_t out[32])
{
    uint8_t m[sizeof DRAW_COMMIT_DOMAIN - 1 + 32];
    memcpy(m, DRAW_COMMIT_DOMAIN, sizeof DRAW_COMMIT_DOMAIN - 1);
    memcpy(m + sizeof DRAW_COMMIT_DOMAIN - 1, secret, 32);
    bool ok = crypto_sha256(m, sizeof m, out);
    OPENSSL_cleanse(m, sizeof m); /* it holds the secret */
    return ok;
}

bool
draw_seed(const uint8_t secret[32], const uint8_t pool_sha256[32], const void *supervisor,
          size_t slen, const void *beacon, size_t blen, uint8_t seed[32])
{
    enum { D = sizeof DRAW_SEED_DOMAIN - 1 };
    uint8_t m[D + 4 * 32];
    memcpy(m, DRAW_SEED_DOMAIN, D);
    memcpy(m + D, secret, 32);
    memcpy(m + D + 32, pool_sha256, 32);
    bool ok = crypto_sha256(supervisor ? supervisor : "", supervisor ? slen : 0, m + D + 64) &&
              crypto_sha256(beacon ? beacon : "", beacon ? blen : 0, m + D + 96) &&
              crypto_sha256(m, sizeof m, seed);
    OPENSSL_cleanse(m, sizeof m);
    return ok;
}

bool
draw_pseudonym(int64_t draw_id, int64_t member_id, const char *salt_hex, char out[17])
{
    char buf[160];
    uint8_t h[32];
    char hex[65];
    int n = snprintf(buf, sizeof buf, DRAW_MEMBER_DOMAIN "%lld\n%lld\n%s", (long long)draw_id,
                     (long long)member_id, salt_hex ? salt_hex : "");
    if (!salt_hex || strlen(salt_hex) != 32 || n < 0 || (size_t)n >= sizeof buf ||
        !crypto_sha256(buf, (size_t)n, h))
        return false;
    hex_encode(h, 32, hex);
    memcpy(out, hex, 16);
    out[16] = '\0';
    return true;
}

bool
draw_stream_init(struct draw_stream *s, const uint8_t seed[32], const char *group)
{
    size_t n = group ? strlen(group) : 0;
    memset(s, 0, sizeof *s);
    if (n == 0 || n > DRAW_GROUP_MAX || memchr(group, '\n', n))
        return false;
    memcpy(s->seed, seed, 32);
    memcpy(s->group, group, n + 1);
    s->used = 4; /* no block read yet */
    return true;
}

uint64_t
draw_stream_next(struct draw_stream *s)
{
    if (s->used == 4) {
        uint8_t m[32 + 1 + DRAW_GROUP_MAX + 1 + 8];
        size_t g = strlen(s->group), at = 0;
        memcpy(m, s->seed, 32);
        at = 32;
        m[at++] = '\n';
        memcpy(m + at, s->group, g);
        at += g;
        m[at++] = '\n';
        for (int i = 7; i >= 0; i--)
            m[at++] = (uint8_t)(s->block >> (8 * i));
        crypto_sha256(m, at, s->buf);
        s->block++;
        s->used = 0;
    }
    uint64_t r = 0;
    for (int i = 0; i < 8; i++)
        r = r << 8 | s->buf[8 * s->used + i];
    s->used++;
    return r;
}

uint64_t
draw_uniform(struct draw_stream *s, uint64_t n)
{
    /* the largest multiple of n that fits: 2^64 - (2^64 mod n), where 2^64 mod n is
     * (2^64 - n) mod n in 64-bit arithmetic */
    uint64_t rem = (0 - n) % n, r;
    do
        r = draw_stream_next(s);
    while (rem && r >= 0 - rem);
    return r % n;
}

bool
draw_order(const uint8_t seed[32], const char *group, size_t n, size_t k, size_t *out)
{
    struct draw_stream s;
    if (k > n || !draw_stream_init(&s, seed, group))
        return false;
    size_t *left = malloc((n ? n : 1) * sizeof *left);
    if (!left)
        return false;
    for (size_t i = 0; i < n; i++)
        left[i] = i;
    for (size_t j = 0; j < k; j++) {
        size_t pick = (size_t)draw_uniform(&s, (uint64_t)(n - j));
        out[j] = left[pick];
        memmove(left + pick, left + pick + 1, (n - j - pick - 1) * sizeof *left);
    }
    free(left);
    return true;
}
