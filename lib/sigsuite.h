/*
 * sigsuite.h — signature suites: how a certified key signs an act. One row per algorithm in
 * sigsuite.c; callers (key registration, every signed act, the replay) ask for the suite of a
 * key and call through it, so a second suite — SM2 with SM3 (GB/T 32918, GM/T 0003), which most
 * Chinese CA certificates carry — plugs in as one more row without touching them.
 *
 * Signatures travel raw (ECDSA: r‖s, 32 bytes each, what WebCrypto produces), base64 in JSON.
 * A signed act signs DOMAIN "\n" || canonical JSON of its fields (docs/audit.md §8), so one
 * signature can never be taken for another kind of act.
 */
#ifndef GGZY_SIGSUITE_H
#define GGZY_SIGSUITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#define SIG_MAX 132 /* the largest raw signature of any suite */

struct sig_suite {
    const char *name;               /* "ECDSA-P256-SHA256" */
    size_t sig_len;                 /* raw signature length */
    bool (*accepts)(EVP_PKEY *key); /* is key a key of this suite? */
    /* Verify a raw signature over msg. */
    bool (*verify)(EVP_PKEY *key, const void *msg, size_t len, const uint8_t *sig, size_t siglen);
    /* Verify a raw signature over a digest already taken with the suite's hash (an envelope's
     * signed_digest, docs/envelope.md §5). */
    bool (*verify_digest)(EVP_PKEY *key, const uint8_t *digest, size_t dlen, const uint8_t *sig,
                          size_t siglen);
};

/* The suite of key, or NULL when no suite takes it (then the key cannot be certified here). */
const struct sig_suite *sig_suite_of(EVP_PKEY *key);
/* The suite named name, or NULL. */
const struct sig_suite *sig_suite_named(const char *name);
/* What sig_suite_of refuses, in words, for a refusal message ("an RSA key", "an SM2 key"). */
const char *sig_key_kind(EVP_PKEY *key);

/* The message of a signed act: domain "\n" canonical-JSON(fields) (malloc'd, *len set), or NULL
 * when fields cannot be encoded canonically. */
struct cJSON;
char *sig_message(const char *domain, const struct cJSON *fields, size_t *len);

#endif
