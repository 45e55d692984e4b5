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
/* The same; digest false skips hashing the whole envelope (signed_digest is left zero): for the
 * opener, which has already checked the stored bytes against the SHA-256 received. */
bool env_parse_layout(const uint8_t *buf, size_t len, struct env_view *v, bool digest, char *why,
                      size_t whylen);
/* Verify the bidder's signature against their registered key (SubjectPublicKeyInfo DER). */
bool env_verify_signature(const struct env_view *v, const uint8_t *spki, size_t spki_len);
/* Decrypt with the opening private key: checks the key commitment and every chunk, then
 * returns the plaintext (malloc'd; caller frees). Nothing is returned on any failure. */
bool env_open(const struct env_view *v, const uint8_t opening_sk[32], uint8_t **pt, char *why,
              size_t whylen);
/* The same into the caller's buffer of cap bytes (at least v->pt_len), with the opening key
 * prepared once (hpke_receiver_init), for an opener that opens many envelopes with one key and
 * one buffer. On failure the buffer is wiped. */
struct hpke_receiver;
bool env_open_buf(const struct env_view *v, const struct hpke_receiver *opening_key, uint8_t *pt,
                  size_t cap, char *why, size_t whylen);

/* ---- streaming: checking an envelope as it arrives (submission) ----
 * The platform checks an upload without holding it: env_stream_feed takes the bytes in pieces
 * of any size and keeps only the header, the fixed fields and the last 64 bytes (under 5 KiB,
 * whatever the envelope's size). It refuses as early as it can — a bad magic or header length
 * at once, a declared size over the limit as soon as the fixed fields are in, a byte beyond the
 * declared end at once. env_stream_finish then checks the length and fills a view on which
 * env_verify_signature works (chunks is NULL: the ciphertext was not kept). */
struct env_stream {
    uint64_t limit, total, expected; /* expected: 0 until the fixed fields are in */
    size_t pos;                      /* bytes of magic, header and fixed fields taken so far */
    uint32_t hl;
    uint8_t prefix[12], header[ENV_MAX_HEADER], fixed[65 + 48 + 16 + 32 + 8];
    uint8_t tail[64];
    size_t tail_len;
    EVP_MD_CTX *all, *signed_part; /* SHA-256 of all but the signature; all: at the end */
    bool failed, too_large;        /* too_large: the failure was the limit (413, not 422) */
    char why[200];
};
/* limit: the largest envelope accepted, in bytes. False only when OpenSSL cannot allocate. */
bool env_stream_init(struct env_stream *s, uint64_t limit);
/* False on the first problem (s->why says which); later calls keep returning false. */
bool env_stream_feed(struct env_stream *s, const uint8_t *p, size_t n);
/* The envelope is complete: fills v (pointers into s) and sha256 (of every byte). */
bool env_stream_finish(struct env_stream *s, struct env_view *v, uint8_t sha256[32]);
void env_stream_free(struct env_stream *s);

#endif
