/*
 * hpke.h — HPKE (RFC 9180) base mode with DHKEM(P-256, HKDF-SHA256), HKDF-SHA256 and AES-GCM,
 * on OpenSSL 3.0's primitives (3.0 has no HPKE API): EC_POINT for the Diffie-Hellman, HKDF
 * through crypto_hkdf, EVP for AES-GCM. The AEAD is a parameter: AES-128-GCM
 * (aead_id 1, what RFC 9180's published vectors use) or AES-256-GCM (aead_id 2, what ggzy's bid
 * envelopes use to wrap their content keys). Shared by ggzyd and the ggzy client.
 *
 * Secrets (private scalars, shared secrets, keys) live in caller memory, or in a prepared
 * receiver key (struct hpke_receiver) until hpke_receiver_free; every function wipes its own
 * temporaries with OPENSSL_cleanse or BN_clear_free.
 */
#ifndef GGZY_HPKE_H
#define GGZY_HPKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum hpke_aead { HPKE_AES_128_GCM = 1, HPKE_AES_256_GCM = 2 };

#define HPKE_NENC    65 /* an uncompressed P-256 point */
#define HPKE_NSK     32
#define HPKE_NSECRET 32
#define HPKE_NN      12
#define HPKE_NT      16

struct hpke_ctx {
    enum hpke_aead aead;
    uint8_t key[32];
    size_t nk;
    uint8_t base_nonce[HPKE_NN];
    uint8_t exporter_secret[32];
    uint64_t seq;
};

/* DeriveKeyPair (RFC 9180 §7.1.3): sk and the uncompressed public key from ikm. */
bool hpke_derive_keypair(const uint8_t *ikm, size_t ikm_len, uint8_t sk[HPKE_NSK],
                         uint8_t pk[HPKE_NENC]);
/* The public key of a private scalar. */
bool hpke_public_key(const uint8_t sk[HPKE_NSK], uint8_t pk[HPKE_NENC]);

/* SetupBaseS with the ephemeral key from ikmE (tests) or fresh randomness (ikmE NULL).
 * Fills enc and ctx; shared_secret (may be NULL) gets the KEM's shared secret. */
bool hpke_setup_sender(enum hpke_aead aead, const uint8_t pkR[HPKE_NENC], const uint8_t *info,
                       size_t info_len, const uint8_t *ikmE, size_t ikmE_len,
                       uint8_t enc[HPKE_NENC], struct hpke_ctx *ctx,
                       uint8_t shared_secret[HPKE_NSECRET]);
/* SetupBaseR. */
bool hpke_setup_receiver(enum hpke_aead aead, const uint8_t enc[HPKE_NENC],
                         const uint8_t skR[HPKE_NSK], const uint8_t *info, size_t info_len,
                         struct hpke_ctx *ctx, uint8_t shared_secret[HPKE_NSECRET]);
/* A receiver's private key made ready once for many SetupBaseR calls: an opening decapsulates
 * every envelope of a lot with the one opening key, and rebuilding OpenSSL's key and the public
 * point for each cost a sixth of a decapsulation. init returns false (nothing to free)
 * on a scalar out of range; hpke_receiver_free frees and clears the key (safe to call twice).
 * The prepared key is read-only: threads may share it. */
struct hpke_receiver {
    void *scalar; /* BIGNUM */
    uint8_t pk[HPKE_NENC];
};
bool hpke_receiver_init(struct hpke_receiver *k, const uint8_t skR[HPKE_NSK]);
void hpke_receiver_free(struct hpke_receiver *k);
/* SetupBaseR with a prepared key: the same result as hpke_setup_receiver. */
bool hpke_setup_receiver_with(enum hpke_aead aead, const uint8_t enc[HPKE_NENC],
                              const struct hpke_receiver *k, const uint8_t *info, size_t info_len,
                              struct hpke_ctx *ctx, uint8_t shared_secret[HPKE_NSECRET]);
/* Seal/Open the next message: ct is pt_len + 16 bytes. Open fails on any tampering. */
bool hpke_seal(struct hpke_ctx *ctx, const uint8_t *aad, size_t aad_len, const uint8_t *pt,
               size_t pt_len, uint8_t *ct);
bool hpke_open(struct hpke_ctx *ctx, const uint8_t *aad, size_t aad_len, const uint8_t *ct,
               size_t ct_len, uint8_t *pt);
void hpke_ctx_wipe(struct hpke_ctx *ctx);

#endif
