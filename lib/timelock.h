/*
 * timelock.h — a lot's opening key and its custodians' shares (docs/envelope.md §7). The
 * platform makes the key pair, splits the private scalar with Feldman VSS (vss.c), seals each
 * share to its custodian's registered P-256 key with HPKE, and wipes the scalar: only the
 * public key, the commitments and the sealed shares are ever stored. Custodians open their own
 * share with the ggzy client and hand it in at the opening.
 *
 * Shared by ggzyd and the ggzy client (pure OpenSSL, no database).
 */
#ifndef GGZY_TIMELOCK_H
#define GGZY_TIMELOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vss.h"

#define TL_SEALED_SHARE 48 /* the 32-byte share + the AEAD tag */

struct tl_custodian {
    uint8_t pk[65]; /* the custodian's registered key, as an uncompressed point */
};

/* What generation produces (everything here is public or sealed). */
struct tl_key {
    uint8_t pk[65];
    char key_id[65]; /* hex SHA-256 of pk */
    int k, n;
    uint8_t commitments[VSS_MAX][65];
    uint8_t enc[VSS_MAX][65];
    uint8_t sealed[VSS_MAX][TL_SEALED_SHARE]; /* share x = i + 1 */
};

/* Who holds a share, as their certificate says (cert.h): the side it was certified for, the
 * organization it names, and the user (one share per person). */
struct tl_holder {
    int64_t user;
    int side;     /* enum side: SIDE_AGENT, SIDE_SUPERVISION or SIDE_CENTER */
    char org[19]; /* unified social credit code from the certificate */
};
/* Is a custodian set independent? NULL, or the rule code with why filled: BID-CUSTODIANS for
 * fewer than 2 or more than VSS_MAX custodians, a person named twice, a custodian of another side
 * than agent, supervision or center, or a set that leaves out one of these three sides;
 * BID-THRESHOLD for a threshold below 2 or above n, or one that the custodians of one side — or
 * of one organization, whatever sides it was certified for — could reach alone. Sides and
 * organizations come from certificates, not from roles the center assigns (docs/envelope.md §7).
 * ggzyd refuses such a set, and `ggzy audit replay` flags one found in the log. */
const char *tl_custodians_problem(const struct tl_holder *h, int n, int k, char *why,
                                  size_t whylen);

/* The key id of an opening public key: hex SHA-256 of its 65 bytes (out: 65 bytes). */
bool tl_key_id(const uint8_t pk[65], char out[65]);
/* The uncompressed point of a P-256 SubjectPublicKeyInfo (a registered key). */
bool tl_spki_point(const uint8_t *spki, size_t len, uint8_t point[65]);
/* Make a fresh opening key pair, split its scalar k-of-n and seal share i to custodians[i].
 * The scalar and the clear shares are wiped before returning, on every path. */
bool tl_generate(int k, int n, const struct tl_custodian *custodians, struct tl_key *out);
/* A custodian opens their share (x is its index, 1..n) with their private scalar; the share
 * is bound to the opening key, so it cannot be moved to another lot. */
bool tl_share_open(const uint8_t opening_pk[65], uint8_t x, const uint8_t enc[65],
                   const uint8_t sealed[TL_SEALED_SHARE], const uint8_t custodian_sk[32],
                   struct vss_share *out);

#endif
