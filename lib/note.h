/*
 * note.h — C2SP signed notes and tlog checkpoints (c2sp.org/signed-note,
 * c2sp.org/tlog-checkpoint), as pure functions shared by ggzyd and the ggzy client.
 *
 * A checkpoint's text is three lines: origin, tree size in decimal, base64 root hash. The
 * signed note is that text, an empty line, and signature lines "— <key name> <base64(key id ||
 * signature)>". The log signs with Ed25519 (signature type 0x01; key id = SHA-256(name || 0x0A
 * || 0x01 || public key)[:4]). Supervisors cosign with their registered ECDSA P-256 keys
 * (signature type 0x02 as used by transparency-dev/witness: an ASN.1 DER ECDSA signature over
 * SHA-256 of the note text; key id = SHA-256(SPKI DER)[:4]).
 */
#ifndef GGZY_NOTE_H
#define GGZY_NOTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#define NOTE_MAX_SIGS 16

struct note_sig {
    char name[256];
    uint8_t key_id[4];
    uint8_t sig[160];
    size_t sig_len;
};

struct checkpoint_note {
    char origin[256];
    uint64_t size;
    uint8_t root[32];
    size_t text_len; /* bytes of the signed text (the three lines) */
    struct note_sig sigs[NOTE_MAX_SIGS];
    int nsigs;
};

/* "origin\nsize\nbase64(root)\n" (malloc'd). */
char *note_checkpoint_text(const char *origin, uint64_t size, const uint8_t root[32]);
/* Parse a signed checkpoint note; false (with a reason) when malformed. */
bool note_parse(const char *note, size_t len, struct checkpoint_note *out, char *why,
                size_t whylen);

/* Ed25519 (type 0x01). */
bool note_ed25519_key_id(const char *name, const uint8_t pub[32], uint8_t id[4]);
/* The verifier key "name+hex(key id)+base64(0x01 || pub)" (malloc'd). */
char *note_vkey(const char *name, const uint8_t pub[32]);
bool note_parse_vkey(const char *vkey, char name[256], uint8_t id[4], uint8_t pub[32]);
/* Sign text with the log key; returns the complete signature line (malloc'd). */
char *note_sign_line(EVP_PKEY *key, const char *name, const uint8_t id[4], const char *text,
                     size_t len);
bool note_ed25519_verify(const uint8_t pub[32], const void *msg, size_t len, const uint8_t *sig,
                         size_t siglen);
/* True when the parsed note n (of the bytes note) carries a signature by the verifier key (name,
 * id, pub) that verifies over its text. */
bool note_signed_by(const struct checkpoint_note *n, const char *note, const char *name,
                    const uint8_t id[4], const uint8_t pub[32]);

/* ECDSA P-256 (type 0x02). */
bool note_ecdsa_key_id(const uint8_t *spki, size_t len, uint8_t id[4]);
bool note_ecdsa_verify(const uint8_t *spki, size_t spki_len, const void *msg, size_t len,
                       const uint8_t *sig, size_t siglen);
/* Sign msg with a P-256 private key: DER signature into sig (at most 80 bytes). */
bool note_ecdsa_sign(EVP_PKEY *key, const void *msg, size_t len, uint8_t *sig, size_t *siglen);

#endif
