/* Unit tests of the crypto helpers: encodings, password hashes, tokens, public keys. */
#include <stdlib.h>

#include "check.h"
#include "crypto.h"

static void
base64url_round_trips_and_refuses_junk(void)
{
    uint8_t in[40], out[40];
    char enc[64];
    for (size_t n = 0; n < sizeof in; n++) {
        for (size_t i = 0; i < n; i++)
            in[i] = (uint8_t)(i * 37 + n);
        b64url_encode(in, n, enc);
        CHECK(strchr(enc, '=') == NULL && strchr(enc, '+') == NULL);
        CHECK(b64url_decode(enc, out, sizeof out) == (long)n);
        CHECK(memcmp(in, out, n) == 0);
    }
    CHECK(b64url_decode("ab+c", out, sizeof out) < 0);
    CHECK(b64url_decode("a", out, sizeof out) < 0);
    CHECK(b64url_decode("ab", out, 0) < 0);          /* no room */
    CHECK(b64url_decode("AB", out, sizeof out) < 0); /* non-canonical trailing bits */
}

static void
base64_matches_rfc4648_vectors(void)
{
    char enc[32];
    uint8_t out[16];
    b64_encode((const uint8_t *)"foobar", 6, enc);
    CHECK_STR(enc, "Zm9vYmFy");
    b64_encode((const uint8_t *)"fo", 2, enc);
    CHECK_STR(enc, "Zm8=");
    CHECK(b64_decode("Zm9vYg==", 8, out, sizeof out) == 4 && !memcmp(out, "foob", 4));
    CHECK(b64_decode("Zm9vYg=", 7, out, sizeof out) < 0);
}

static void
hex_round_trips_and_refuses_odd_input(void)
{
    uint8_t b[3] = {0x00, 0xab, 0xff}, o[3];
    char h[7];
    hex_encode(b, 3, h);
    CHECK_STR(h, "00abff");
    CHECK(hex_decode("00ABff", o, 3) && !memcmp(b, o, 3));
    CHECK(!hex_decode("00abf", o, 3));
    CHECK(!hex_decode("00abfg", o, 3));
}

static void
sha256_matches_the_published_vector(void)
{
    uint8_t h[32];
    char hex[65];
    CHECK(crypto_sha256("abc", 3, h));
    hex_encode(h, 32, hex);
    CHECK_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void
password_hash_verifies_only_the_right_password(void)
{
    char *h = password_hash("correct horse", 10, 8, 1);
    CHECK(h && !strncmp(h, "scrypt$10$8$1$", 14));
    CHECK(password_verify("correct horse", h));
    CHECK(!password_verify("correct horsf", h));
    CHECK(!password_verify("", h));
    char *h2 = password_hash("correct horse", 10, 8, 1);
    CHECK(h2 && strcmp(h, h2)); /* fresh salt each time */
    free(h);
    free(h2);
    CHECK(!password_verify("x", "scrypt$10$8$1$bad"));
    CHECK(!password_verify("x", "plain"));
}

static const char p256_pem[] = "-----BEGIN PUBLIC KEY-----\n"
                               "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEMKBCTNIcKUSDii11ySs3526iDZ8A\n"
                               "iTo7Tu6KPAqv7D7gS2XpJFbZiItSs3m9+9Ue6GnvHw/GW2ZZaVtszggXIw==\n"
                               "-----END PUBLIC KEY-----\n";

static void
public_keys_must_be_p256_and_get_a_stable_id(void)
{
    uint8_t *der = NULL;
    size_t n = 0;
    char id[65], id2[65], err[200];
    CHECK(pubkey_parse_p256(p256_pem, strlen(p256_pem), &der, &n, id, err, sizeof err));
    CHECK(n == 91 && strlen(id) == 64);
    uint8_t h[32];
    char hex[65];
    crypto_sha256(der, n, h);
    hex_encode(h, 32, hex);
    CHECK_STR(id, hex);
    free(der);
    CHECK(pubkey_parse_p256(p256_pem, strlen(p256_pem), &der, &n, id2, err, sizeof err));
    CHECK_STR(id, id2);
    free(der);
    CHECK(!pubkey_parse_p256("junk", 4, &der, &n, id, err, sizeof err));
    /* an Ed25519 key is refused */
    static const char ed[] = "-----BEGIN PUBLIC KEY-----\n"
                             "MCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n"
                             "-----END PUBLIC KEY-----\n";
    CHECK(!pubkey_parse_p256(ed, strlen(ed), &der, &n, id, err, sizeof err));
    CHECK(strstr(err, "P-256") != NULL);
}

int
main(void)
{
    RUN(base64url_round_trips_and_refuses_junk);
    RUN(base64_matches_rfc4648_vectors);
    RUN(hex_round_trips_and_refuses_odd_input);
    RUN(sha256_matches_the_published_vector);
    RUN(password_hash_verifies_only_the_right_password);
    RUN(public_keys_must_be_p256_and_get_a_stable_id);
    return CHECK_DONE();
}
