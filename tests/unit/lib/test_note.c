/* Unit tests of signed notes: key ids and vkeys as c2sp.org/signed-note defines them, signing
 * and verifying, parsing and its refusals. */
#include <stdlib.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "check.h"
#include "crypto.h"
#include "note.h"

static EVP_PKEY *
ed25519_key(uint8_t pub[32])
{
    EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    size_t n = 32;
    EVP_PKEY_get_raw_public_key(k, pub, &n);
    return k;
}

static void
key_id_is_the_first_four_bytes_of_the_documented_hash(void)
{
    uint8_t pub[32], id[4], h[32];
    memset(pub, 7, 32);
    CHECK(note_ed25519_key_id("example.com/log", pub, id));
    uint8_t buf[15 + 2 + 32];
    memcpy(buf, "example.com/log\n\x01", 17);
    memcpy(buf + 17, pub, 32);
    crypto_sha256(buf, sizeof buf, h);
    CHECK(memcmp(id, h, 4) == 0);
}

static void
vkeys_round_trip_and_bad_ones_are_refused(void)
{
    uint8_t pub[32], id[4], pub2[32], id2[4];
    char name[256];
    memset(pub, 9, 32);
    char *v = note_vkey("ggzy.example/audit", pub);
    CHECK(v && strncmp(v, "ggzy.example/audit+", 19) == 0);
    CHECK(note_parse_vkey(v, name, id2, pub2));
    CHECK_STR(name, "ggzy.example/audit");
    CHECK(memcmp(pub, pub2, 32) == 0);
    note_ed25519_key_id(name, pub, id);
    CHECK(memcmp(id, id2, 4) == 0);
    v[20] = v[20] == 'a' ? 'b' : 'a'; /* a key hash that does not match the key */
    CHECK(!note_parse_vkey(v, name, id2, pub2));
    free(v);
    CHECK(!note_parse_vkey("no-plus-signs", name, id2, pub2));
}

static void
a_signed_checkpoint_parses_and_verifies_and_a_changed_one_does_not(void)
{
    uint8_t pub[32], id[4], root[32];
    EVP_PKEY *k = ed25519_key(pub);
    note_ed25519_key_id("o.example/log", pub, id);
    memset(root, 3, 32);
    char *text = note_checkpoint_text("o.example/log", 12345, root);
    char *line = note_sign_line(k, "o.example/log", id, text, strlen(text));
    CHECK(text && line);
    char note[1024];
    snprintf(note, sizeof note, "%s\n%s", text, line);
    struct checkpoint_note n;
    char why[100];
    CHECK(note_parse(note, strlen(note), &n, why, sizeof why));
    CHECK_STR(n.origin, "o.example/log");
    CHECK(n.size == 12345 && memcmp(n.root, root, 32) == 0 && n.nsigs == 1);
    CHECK(n.text_len == strlen(text));
    CHECK(memcmp(n.sigs[0].key_id, id, 4) == 0);
    CHECK(note_ed25519_verify(pub, note, n.text_len, n.sigs[0].sig, n.sigs[0].sig_len));
    note[15] = '4'; /* 12345 -> 12445 */
    CHECK(!note_ed25519_verify(pub, note, n.text_len, n.sigs[0].sig, n.sigs[0].sig_len));
    free(text);
    free(line);
    EVP_PKEY_free(k);
}

static void
malformed_notes_are_refused_with_a_reason(void)
{
    struct checkpoint_note n;
    char why[100];
    static const char *bad[] = {
        "o\n1\nAAAA\n",                 /* no signatures */
        "o\n1\nAAAA\n\n- o AAAAAAAA\n", /* not an em dash */
        "o\nx\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n\xE2\x80\x94 o AAAAAAAA\n",
        "o\n01\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n\xE2\x80\x94 o AAAAAAAA\n",
        "o\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n\xE2\x80\x94 o AAAAAAAA",
        "o\n1\n\x01\n\n\xE2\x80\x94 o AAAAAAAA\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        why[0] = '\0';
        CHECK(!note_parse(bad[i], strlen(bad[i]), &n, why, sizeof why));
        CHECK(why[0] != '\0');
    }
}

static void
ecdsa_cosignatures_verify_against_the_spki_and_key_ids_match(void)
{
    EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    unsigned char *spki = NULL;
    int n = i2d_PUBKEY(k, &spki);
    uint8_t sig[80], id[4], h[32];
    size_t siglen;
    const char msg[] = "o\n1\nAAAA\n";
    CHECK(note_ecdsa_sign(k, msg, strlen(msg), sig, &siglen));
    CHECK(note_ecdsa_verify(spki, (size_t)n, msg, strlen(msg), sig, siglen));
    CHECK(!note_ecdsa_verify(spki, (size_t)n, "o\n2\nAAAA\n", 9, sig, siglen));
    CHECK(note_ecdsa_key_id(spki, (size_t)n, id));
    crypto_sha256(spki, (size_t)n, h);
    CHECK(memcmp(id, h, 4) == 0);
    OPENSSL_free(spki);
    EVP_PKEY_free(k);
}

int
main(void)
{
    RUN(key_id_is_the_first_four_bytes_of_the_documented_hash);
    RUN(vkeys_round_trip_and_bad_ones_are_refused);
    RUN(a_signed_checkpoint_parses_and_verifies_and_a_changed_one_does_not);
    RUN(malformed_notes_are_refused_with_a_reason);
    RUN(ecdsa_cosignatures_verify_against_the_spki_and_key_ids_match);
    return CHECK_DONE();
}
