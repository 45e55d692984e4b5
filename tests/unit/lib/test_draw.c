/* Unit tests of the draw (lib/draw.c) against the reference vectors of docs/draw.md §6, which the
 * doc's Python reproduces (tests/api/test_docs.py runs it): the commitment, the seed from its
 * four parts, each group's stream, rejection sampling, and the draw order. */
#include <stdint.h>

#include "check.h"
#include "crypto.h"
#include "draw.h"

static const char POOL[] = "[[\"e00\",\"B\"],[\"e01\",\"A\"],[\"e02\",\"A\"],[\"e03\",\"B\"],"
                           "[\"e04\",\"A\"],[\"e05\",\"A\"],[\"e06\",\"B\"],[\"e07\",\"A\"],"
                           "[\"e08\",\"A\"],[\"e09\",\"B\"]]";

static void
seed_of_the_vectors(uint8_t seed[32], const char *beacon)
{
    uint8_t secret[32], pool[32];
    for (int i = 0; i < 32; i++)
        secret[i] = (uint8_t)i;
    CHECK(crypto_sha256(POOL, strlen(POOL), pool));
    CHECK(draw_seed(secret, pool, "supervisor-value", 16, beacon, strlen(beacon), seed));
}

static const char *
hex32(const uint8_t b[32])
{
    static char out[65];
    hex_encode(b, 32, out);
    return out;
}

static void
the_commitment_and_the_seed_are_the_documented_hashes(void)
{
    uint8_t secret[32], c[32], pool[32], seed[32];
    for (int i = 0; i < 32; i++)
        secret[i] = (uint8_t)i;
    CHECK(draw_commit(secret, c));
    CHECK_STR(hex32(c), "ac5d72bed5889e31580ea918277abe0bcd57ee47fed73e48e97074ed98c1e042");
    CHECK(crypto_sha256(POOL, strlen(POOL), pool));
    CHECK_STR(hex32(pool), "baa3fee7b252b31b368fd368659d83aab8728970170a4d16c0dbb48e0e241a58");
    seed_of_the_vectors(seed, "");
    CHECK_STR(hex32(seed), "5c74428f0f45b961ca13b606821720ccb34b28ad651d6cd12111b7dc1163945e");
    seed_of_the_vectors(seed, "2026-12-01 lottery 3 7 1 9");
    CHECK_STR(hex32(seed), "3887ff156a96e21820c7c57f8b844808f68dc730ad0bfa68cae583ff58bba51a");
}

static void
a_group_stream_reads_each_block_as_four_big_endian_numbers(void)
{
    uint8_t seed[32];
    struct draw_stream s;
    static const uint64_t raw[] = {UINT64_C(15418719836967300034), UINT64_C(11209160427218095462),
                                   UINT64_C(1371489509174306161), UINT64_C(3040209419874276526),
                                   UINT64_C(7805445951883562493)};
    seed_of_the_vectors(seed, "");
    CHECK(draw_stream_init(&s, seed, "A"));
    for (size_t i = 0; i < 5; i++)
        CHECK(draw_stream_next(&s) == raw[i]);
    CHECK(!draw_stream_init(&s, seed, ""));
    CHECK(!draw_stream_init(&s, seed, "a\nb"));
}

static void
rejection_sampling_discards_what_would_bias_the_choice(void)
{
    uint8_t seed[32];
    struct draw_stream s;
    /* n = 2^63 + 1: every number at or above 2^64 - (2^64 mod n) is discarded — here the first
     * two of the stream — so each of n values is equally likely */
    static const uint64_t want[] = {UINT64_C(1371489509174306161), UINT64_C(3040209419874276526),
                                    UINT64_C(7805445951883562493), UINT64_C(573473550879207005),
                                    UINT64_C(8648990369662354340)};
    seed_of_the_vectors(seed, "");
    CHECK(draw_stream_init(&s, seed, "A"));
    for (size_t i = 0; i < 5; i++)
        CHECK(draw_uniform(&s, (UINT64_C(1) << 63) + 1) == want[i]);
    CHECK(draw_stream_init(&s, seed, "A"));
    CHECK(draw_uniform(&s, 1) == 0);
}

static void
the_draw_order_of_each_group_is_the_documented_permutation(void)
{
    uint8_t seed[32];
    size_t a[6], b[4], a3[3];
    static const size_t want_a[] = {4, 2, 1, 3, 5, 0}, want_b[] = {0, 2, 3, 1},
                        want_a3[] = {0, 1, 2};
    seed_of_the_vectors(seed, "");
    CHECK(draw_order(seed, "A", 6, 6, a));
    CHECK(draw_order(seed, "B", 4, 4, b));
    CHECK(!memcmp(a, want_a, sizeof a));
    CHECK(!memcmp(b, want_b, sizeof b));
    seed_of_the_vectors(seed, "2026-12-01 lottery 3 7 1 9"); /* another public value */
    CHECK(draw_order(seed, "A", 6, 3, a3));
    CHECK(!memcmp(a3, want_a3, sizeof a3));
    CHECK(!draw_order(seed, "A", 2, 3, a3)); /* more than there are */
}

static void
every_member_is_drawn_about_as_often_in_each_place(void)
{
    /* 6000 seeds, 3 members: each comes first about 2000 times (a modulo bias or an off-by-one
     * in the removal shows as a skew far outside these bounds) */
    int first[3] = {0};
    for (int t = 0; t < 6000; t++) {
        uint8_t seed[32] = {0};
        size_t o[3];
        memcpy(seed, &t, sizeof t);
        CHECK(draw_order(seed, "G", 3, 3, o));
        first[o[0]]++;
        CHECK(o[0] != o[1] && o[1] != o[2] && o[0] != o[2]);
    }
    for (int i = 0; i < 3; i++)
        CHECK(first[i] > 1800 && first[i] < 2200);
}

static void
a_pseudonym_binds_its_member_by_the_salt(void)
{
    char p[17];
    CHECK(draw_pseudonym(7, 42, "00112233445566778899aabbccddeeff", p));
    CHECK_STR(p, "77884861acd43477"); /* docs/draw.md §2 */
    CHECK(draw_pseudonym(7, 43, "00112233445566778899aabbccddeeff", p));
    CHECK(strcmp(p, "77884861acd43477") != 0);
    CHECK(!draw_pseudonym(7, 42, "0011", p)); /* a salt is 32 hex digits */
    CHECK(!draw_pseudonym(7, 42, NULL, p));
}

int
main(void)
{
    RUN(a_pseudonym_binds_its_member_by_the_salt);
    RUN(the_commitment_and_the_seed_are_the_documented_hashes);
    RUN(a_group_stream_reads_each_block_as_four_big_endian_numbers);
    RUN(rejection_sampling_discards_what_would_bias_the_choice);
    RUN(the_draw_order_of_each_group_is_the_documented_permutation);
    RUN(every_member_is_drawn_about_as_often_in_each_place);
    return CHECK_DONE();
}
