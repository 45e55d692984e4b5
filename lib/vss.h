/*
 * vss.h — Feldman-verifiable Shamir secret sharing over the P-256 scalar field: how a lot's
 * opening key is split among its custodians (by default any 2 of the tender agent, the
 * supervisor and the trading center).
 *
 * The dealer draws f(x) = s + a1·x + … + a(k-1)·x^(k-1) mod q (q the P-256 group order), gives
 * custodian i the share f(i), and publishes the commitments Cj = aj·G (C0 = s·G is the opening
 * public key). Anyone holding a share checks f(i)·G = Σ Cj·i^j; any k shares rebuild s by
 * Lagrange interpolation at 0. Shared by ggzyd and the ggzy client. Secrets live in caller
 * memory; big-number temporaries come from OpenSSL's secure heap and are cleared when freed.
 */
#ifndef GGZY_VSS_H
#define GGZY_VSS_H

#include <stdbool.h>
#include <stdint.h>

#define VSS_MAX 16

struct vss_share {
    uint8_t x;     /* 1 … n */
    uint8_t y[32]; /* f(x), big-endian */
};

/* Split secret (0 < s < q) into n shares, any k of which rebuild it (1 <= k <= n <= VSS_MAX).
 * commitments gets k uncompressed points (65 bytes each). */
bool vss_split(const uint8_t secret[32], int k, int n, struct vss_share *shares,
               uint8_t (*commitments)[65]);
/* Is this share consistent with the k published commitments? */
bool vss_verify(const struct vss_share *share, const uint8_t (*commitments)[65], int k);
/* Rebuild the secret from k shares with distinct x. */
bool vss_combine(const struct vss_share *shares, int k, uint8_t secret[32]);

#endif
