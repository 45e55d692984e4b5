/* Unit tests of opening keys and sealed custodian shares (lib/timelock.c): any k of the n
 * sealed shares, opened by their custodians, verify against the published commitments and
 * rebuild the private key of the published public key; a share opens only for its custodian,
 * only at its own index and only for its own opening key. */
#include <openssl/rand.h>

#include "check.h"
#include "hpke.h"
#include "timelock.h"

static uint8_t csk[3][32];
static struct tl_custodian cust[3];

static void
make_custodians(void)
{
    for (int i = 0; i < 3; i++) {
        uint8_t ikm[32];
        RAND_bytes(ikm, sizeof ikm);
        CHECK(hpke_derive_keypair(ikm, sizeof ikm, csk[i], cust[i].pk));
    }
}

static void
timelock_any_two_of_three_shares_rebuild_the_published_key(void)
{
    struct tl_key k;
    CHECK(tl_generate(2, 3, cust, &k));
    CHECK(k.k == 2 && k.n == 3);
    char id[65];
    CHECK(tl_key_id(k.pk, id) && !strcmp(id, k.key_id));
    struct vss_share s[3];
    for (int i = 0; i < 3; i++) {
        CHECK(tl_share_open(k.pk, (uint8_t)(i + 1), k.enc[i], k.sealed[i], csk[i], &s[i]));
        CHECK(vss_verify(&s[i], (const uint8_t(*)[65])k.commitments, 2));
    }
    int pairs[3][2] = {{0, 1}, {0, 2}, {1, 2}};
    for (int p = 0; p < 3; p++) {
        struct vss_share two[2] = {s[pairs[p][0]], s[pairs[p][1]]};
        uint8_t sk[32], pk[65];
        CHECK(vss_combine(two, 2, sk));
        CHECK(hpke_public_key(sk, pk) && !memcmp(pk, k.pk, 65));
    }
}

static void
timelock_share_opens_only_for_its_custodian_index_and_key(void)
{
    struct tl_key k, other;
    struct vss_share s;
    CHECK(tl_generate(2, 3, cust, &k));
    CHECK(tl_generate(2, 3, cust, &other));
    CHECK(memcmp(k.pk, other.pk, 65) != 0);                            /* a fresh key every time */
    CHECK(!tl_share_open(k.pk, 1, k.enc[0], k.sealed[0], csk[1], &s)); /* wrong custodian */
    CHECK(!tl_share_open(k.pk, 2, k.enc[0], k.sealed[0], csk[0], &s)); /* wrong index */
    CHECK(!tl_share_open(other.pk, 1, k.enc[0], k.sealed[0], csk[0], &s)); /* wrong lot key */
    k.sealed[0][5] ^= 1;
    CHECK(!tl_share_open(k.pk, 1, k.enc[0], k.sealed[0], csk[0], &s)); /* tampered */
}

static void
timelock_refuses_thresholds_that_protect_nothing(void)
{
    struct tl_key k;
    CHECK(!tl_generate(1, 3, cust, &k));
    CHECK(!tl_generate(4, 3, cust, &k));
    CHECK(!tl_generate(2, VSS_MAX + 1, cust, &k));
}

int
main(void)
{
    make_custodians();
    RUN(timelock_any_two_of_three_shares_rebuild_the_published_key);
    RUN(timelock_share_opens_only_for_its_custodian_index_and_key);
    RUN(timelock_refuses_thresholds_that_protect_nothing);
    return CHECK_DONE();
}
