/*
 * draw.h — the random draw nobody can steer and anyone can replay (docs/draw.md, byte for byte):
 * the seed is the hash of the server's secret (committed to in the log before the pool is
 * fixed), the fixed pool's hash, the supervisor's value and a public value; each group of the
 * pool (a requested specialty) has its own stream of SHA-256 blocks from that seed, and the order
 * in which the group's members are drawn is a uniformly random permutation of them, made by
 * rejection sampling (no modulo bias). The committee is the head of each group's order; who
 * replaces a decline is the next in it. Pure code, shared by ggzyd (the expert draw, the agency
 * draw) and ggzy (`ggzy draw verify`), with the reference vectors in tests/unit/lib/test_draw.c
 * and docs/draw.md.
 */
#ifndef GGZY_DRAW_H
#define GGZY_DRAW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DRAW_COMMIT_DOMAIN "ggzy-draw-commit-v1\n"
#define DRAW_SEED_DOMAIN   "ggzy-draw-seed-v1\n"
#define DRAW_GROUP_MAX     64 /* bytes of a group's name */

/* What the log holds before the pool is fixed: SHA-256(DRAW_COMMIT_DOMAIN || secret). */
bool draw_commit(const uint8_t secret[32], uint8_t out[32]);
/* The draw's seed: SHA-256(DRAW_SEED_DOMAIN || secret || pool_sha256 || SHA-256(supervisor's
 * value) || SHA-256(public value)); the values are the bytes as given ("" for none). */
bool draw_seed(const uint8_t secret[32], const uint8_t pool_sha256[32], const void *supervisor,
               size_t slen, const void *beacon, size_t blen, uint8_t seed[32]);

/* A member's pseudonym in draw draw_id: the first 16 hex digits of SHA-256("ggzy-draw-member-v1\n"
 * || decimal draw id || "\n" || decimal member id || "\n" || salt), salt 32 hex digits of
 * randomness kept with the pool and revealed with the names: whoever holds the salt can show
 * whose the pseudonym is, and nobody can later give it to somebody else (docs/draw.md §2). */
#define DRAW_MEMBER_DOMAIN "ggzy-draw-member-v1\n"
bool draw_pseudonym(int64_t draw_id, int64_t member_id, const char *salt_hex, char out[17]);

/* One group's stream: block i is SHA-256(seed || "\n" || group || "\n" || be64(i)), read as four
 * big-endian 64-bit numbers in order. */
struct draw_stream {
    uint8_t seed[32];
    char group[DRAW_GROUP_MAX + 1];
    uint64_t block;
    uint8_t buf[32];
    int used; /* of buf's four numbers */
};
/* False when group is empty or longer than DRAW_GROUP_MAX, or has a newline. */
bool draw_stream_init(struct draw_stream *s, const uint8_t seed[32], const char *group);
uint64_t draw_stream_next(struct draw_stream *s);
/* A uniform number in [0, n), n >= 1: the stream's next number r, discarded while
 * r >= 2^64 - (2^64 mod n), else r mod n. */
uint64_t draw_uniform(struct draw_stream *s, uint64_t n);
/* The first k of the order in which the group's n members (positions 0 … n-1 of the group's
 * list, in pool order) are drawn: out[j] is the position drawn j-th (k <= n). At each step the
 * j-th number picks, among the positions not yet drawn in their list order, the one at
 * draw_uniform(n - j). */
bool draw_order(const uint8_t seed[32], const char *group, size_t n, size_t k, size_t *out);

#endif
