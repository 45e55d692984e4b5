/* Unit tests of Feldman-verifiable Shamir sharing over the P-256 scalar field. */
#include <stdlib.h>

#include <openssl/rand.h>

#include "check.h"
#include "hpke.h"
#include "vss.h"

static void
random_scalar(uint8_t s[32])
{
    RAND_bytes(s, 32);
    s[0] &= 0x7F; /* below the group order */
    s[31] |= 1;   /* not zero */
}

static void
any_two_of_three_shares_rebuild_the_secret(void)
{
    uint8_t secret[32], back[32], C[VSS_MAX][65];
    struct vss_share sh[3];
    random_scalar(secret);
    CHECK(vss_split(secret, 2, 3, sh, C));
    for (int a = 0; a < 3; a++)
        for (int b = 0; b < 3; b++) {
            if (a == b)
                continue;
            struct vss_share two[2] = {sh[a], sh[b]};
            CHECK(vss_combine(two, 2, back) && memcmp(back, secret, 32) == 0);
        }
    /* one share alone reveals a different number */
    CHECK(vss_combine(sh, 1, back) && memcmp(back, secret, 32) != 0);
}

static void
the_first_commitment_is_the_public_key_of_the_secret(void)
{
    uint8_t secret[32], C[VSS_MAX][65], pk[65];
    struct vss_share sh[3];
    random_scalar(secret);
    CHECK(vss_split(secret, 2, 3, sh, C));
    CHECK(hpke_public_key(secret, pk) && memcmp(pk, C[0], 65) == 0);
}

static void
every_share_verifies_and_a_changed_one_does_not(void)
{
    uint8_t secret[32], C[VSS_MAX][65];
    struct vss_share sh[5];
    random_scalar(secret);
    CHECK(vss_split(secret, 3, 5, sh, C));
    for (int i = 0; i < 5; i++)
        CHECK(vss_verify(&sh[i], (const uint8_t(*)[65])C, 3));
    struct vss_share bad = sh[2];
    bad.y[31] ^= 1;
    CHECK(!vss_verify(&bad, (const uint8_t(*)[65])C, 3));
    bad = sh[2];
    bad.x = 4; /* a share presented under another custodian's number */
    CHECK(!vss_verify(&bad, (const uint8_t(*)[65])C, 3));
    uint8_t otherC[VSS_MAX][65];
    struct vss_share other[5];
    CHECK(vss_split(secret, 3, 5, other, otherC)); /* another dealing of the same secret */
    CHECK(!vss_verify(&sh[0], (const uint8_t(*)[65])otherC, 3));
}

static void
three_of_five_need_three(void)
{
    uint8_t secret[32], back[32], C[VSS_MAX][65];
    struct vss_share sh[5];
    random_scalar(secret);
    CHECK(vss_split(secret, 3, 5, sh, C));
    struct vss_share pick[3] = {sh[4], sh[0], sh[2]};
    CHECK(vss_combine(pick, 3, back) && memcmp(back, secret, 32) == 0);
    CHECK(vss_combine(pick, 2, back) && memcmp(back, secret, 32) != 0);
}

static void
bad_parameters_are_refused(void)
{
    uint8_t secret[32], zero[32] = {0}, back[32], C[VSS_MAX][65];
    struct vss_share sh[VSS_MAX + 1];
    random_scalar(secret);
    CHECK(!vss_split(secret, 0, 3, sh, C));
    CHECK(!vss_split(secret, 4, 3, sh, C));
    CHECK(!vss_split(secret, 2, VSS_MAX + 1, sh, C));
    CHECK(!vss_split(zero, 2, 3, sh, C));
    uint8_t big[32];
    memset(big, 0xFF, 32); /* above the group order */
    CHECK(!vss_split(big, 2, 3, sh, C));
    CHECK(vss_split(secret, 2, 3, sh, C));
    struct vss_share dup[2] = {sh[0], sh[0]};
    CHECK(!vss_combine(dup, 2, back));
}

int
main(void)
{
    RUN(any_two_of_three_shares_rebuild_the_secret);
    RUN(the_first_commitment_is_the_public_key_of_the_secret);
    RUN(every_share_verifies_and_a_changed_one_does_not);
    RUN(three_of_five_need_three);
    RUN(bad_parameters_are_refused);
    return CHECK_DONE();
}
