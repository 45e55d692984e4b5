/*
 * crypto.h — the application cryptography helpers every module uses, all on OpenSSL 3:
 * random bytes, SHA-256, hex and base64(url), constant-time comparison, scrypt password hashes
 * (EVP_KDF "SCRYPT", parameters stored with each hash) and public-key (PEM, ECDSA P-256)
 * parsing with a key id. Nothing here logs secrets; callers wipe secrets with OPENSSL_cleanse.
 */
#ifndef GGZY_CRYPTO_H
#define GGZY_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

bool crypto_random(void *out, size_t n);
bool crypto_sha256(const void *data, size_t n, uint8_t out[32]);
/* Constant-time equality of two equal-length byte strings (CRYPTO_memcmp). */
bool crypto_equal(const void *a, const void *b, size_t n);

/* HKDF-SHA256 (RFC 5869): both steps, Extract alone (out_len 32) or Expand alone (key is the
 * PRK). An empty salt or key may be NULL. The algorithm is fetched from the provider once: a
 * fetch per call (a lock and string compares) cost an opening a tenth of its per-envelope work,
 * which derives nine keys per envelope. */
enum crypto_hkdf_mode { CRYPTO_HKDF_FULL, CRYPTO_HKDF_EXTRACT, CRYPTO_HKDF_EXPAND };
bool crypto_hkdf(enum crypto_hkdf_mode mode, const uint8_t *salt, size_t salt_len,
                 const uint8_t *key, size_t key_len, const uint8_t *info, size_t info_len,
                 uint8_t *out, size_t out_len);

/* The value of one hex digit, or -1. */
int hex_digit(char c);
void hex_encode(const uint8_t *in, size_t n, char *out); /* out: 2n+1 bytes */
bool hex_decode(const char *in, uint8_t *out, size_t n); /* exactly 2n hex digits */
/* base64url without padding (RFC 4648 §5). out needs 4*ceil(n/3)+1 bytes. Returns length. */
size_t b64url_encode(const uint8_t *in, size_t n, char *out);
/* Returns decoded length, or -1 on bad input / overflow of outcap. */
long b64url_decode(const char *in, uint8_t *out, size_t outcap);
/* Standard base64 with padding (RFC 4648 §4). */
size_t b64_encode(const uint8_t *in, size_t n, char *out);
long b64_decode(const char *in, size_t inlen, uint8_t *out, size_t outcap);

/* scrypt password hashing. The encoded form is
 *   scrypt$<log2 N>$<r>$<p>$<base64url salt>$<base64url 32-byte hash>
 * password_hash returns a malloc'd string (caller frees) or NULL. */
char *password_hash(const char *pw, unsigned log2n, unsigned r, unsigned p);
/* True when pw matches the encoded hash (constant-time compare of the derived bytes). */
bool password_verify(const char *pw, const char *encoded);

/* Parse a PEM public key; it must be an EC key on P-256. On success fills der (malloc'd
 * SubjectPublicKeyInfo DER, caller frees) and key_id (hex SHA-256 of that DER, 65 bytes). */
bool pubkey_parse_p256(const char *pem, size_t pem_len, uint8_t **der, size_t *der_len,
                       char key_id[65], char *err, size_t errlen);

#endif
