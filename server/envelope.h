/*
 * envelope.h — sealed bid envelopes, format v1 (docs/envelope.md is the byte-for-byte
 * specification). A bidder seals on their own machine; the platform checks structure, binding
 * and signature at submission without being able to read anything; at the opening, the lot's
 * opening private key (rebuilt from custodians' shares) unwraps each content key.
 *
 *   "GGZYENV1" | u32 H | header (H bytes, canonical JSON) | enc (65) | wrapped key (48)
 *   | nonce (16) | commitment (32) | u64 P | chunks | signature (64, ECDSA P-256 r||s)
 *
 * The functions work on whole envelopes in memory; streaming submission reuses the same
 * pieces chunk by chunk.
 */
#ifndef GGZY_ENVELOPE_H
#define GGZY_ENVELOPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#define ENV_MAGIC      "GGZYENV1"
#define ENV_CHUNK      65536
#define ENV_MAX_HEADER 4096

/* What the header binds (docs/envelope.md §2). Strings are copied into the header. */
struct env_binding {
    const char *platform, *project_code, *opening_key_id, *signer_key_id;
    int64_t lot, bidder_org_id, revision, bid_deadline_us;
};

/* Fixed randomness, for test vectors only (NULL in real use). */
struct env_fixed {
    uint8_t content_key[32], nonce[16], ikm_e[32];
};

/* Seal plaintext for the lot's opening public key, signed with the bidder's P-256 key.
 * *out is malloc'd (caller frees). */
bool env_seal(const struct env_binding *b, const uint8_t opening_pk[65], EVP_PKEY *signer,
              const uint8_t *pt, size_t pt_len, const struct env_fixed *fixed, uint8_t **out,
              size_t *out_len);

/* A parsed envelope: pointers into the caller's buffer. */
struct env_view {
    const uint8_t *header, *enc, *wrapped, *nonce, *commitment, *chunks, *signature;
    size_t header_len, chunks_len;
    uint64_t pt_len;
    uint8_t header_hash[32];
    uint8_t signed_digest[32]; /* SHA-256 of every byte before the signature */
};

/* Check the structure and lengths (no key needed); why gets the first problem. */
bool env_parse(const uint8_t *buf, size_t len, struct env_view *v, char *why, size_t whylen);
/* Verify the bidder's signature against their registered key (SubjectPublicKeyInfo DER). */
bool env_verify_signature(const struct env_view *v, const uint8_t *spki, size_t spki_len);
/* Decrypt with the opening private key: checks the key commitment and every chunk, then
 * returns the plaintext (malloc'd; caller frees). Nothing is returned on any failure. */
bool env_open(const struct env_view *v, const uint8_t opening_sk[32], uint8_t **pt, char *why,
              size_t whylen);

#endif
