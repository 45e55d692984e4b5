/* Unit tests of sealed bid envelopes (docs/envelope.md): round trips at the chunk boundaries,
 * every tampering the format must catch, the bidder's signature, and the published test
 * vector (tests/vectors/envelope/v1.json: fixed keys and randomness). Set
 * GGZY_WRITE_VECTORS=1 to write the vector anew (only when the format changes, on purpose). */
#include <stdlib.h>

#include <cjson/cJSON.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "check.h"
#include "crypto.h"
#include "envelope.h"
#include "hpke.h"
#include "util.h"

#ifndef VECTOR
#error "VECTOR must name tests/vectors/envelope/v1.json"
#endif

static uint8_t open_sk[32], open_pk[65];
static EVP_PKEY *bidder;
static uint8_t *spki;
static size_t spki_len;

static const struct env_binding binding = {
    .platform = "ggzy.test",
    .project_code = "110000-2026-GC-00001",
    .opening_key_id = "0123456789abcdef",
    .signer_key_id = "fedcba9876543210",
    .lot = 1,
    .bidder_org_id = 42,
    .revision = 1,
    .bid_deadline_us = 1795312345678901,
};

static uint8_t *
seal(const uint8_t *pt, size_t n, size_t *len)
{
    uint8_t *env = NULL;
    CHECK(env_seal(&binding, open_pk, bidder, pt, n, NULL, &env, len));
    return env;
}

static bool
opens_to(const uint8_t *env, size_t len, const uint8_t *pt, size_t n)
{
    struct env_view v;
    char why[200];
    uint8_t *out = NULL;
    if (!env_parse(env, len, &v, why, sizeof why) || !env_verify_signature(&v, spki, spki_len) ||
        !env_open(&v, open_sk, &out, why, sizeof why))
        return false;
    bool same = v.pt_len == n && (n == 0 || memcmp(out, pt, n) == 0);
    free(out);
    return same;
}

static void
envelopes_round_trip_at_every_chunk_boundary(void)
{
    static const size_t sizes[] = {
        0, 1, ENV_CHUNK - 1, ENV_CHUNK, ENV_CHUNK + 1, 3 * ENV_CHUNK + 7};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        uint8_t *pt = malloc(sizes[i] + 1);
        for (size_t k = 0; k < sizes[i]; k++)
            pt[k] = (uint8_t)(k * 7 + i);
        size_t len;
        uint8_t *env = seal(pt, sizes[i], &len);
        CHECK(env && opens_to(env, len, pt, sizes[i]));
        free(env);
        free(pt);
    }
}

static void
every_revision_gets_a_fresh_content_key(void)
{
    uint8_t pt[10] = "same bid";
    size_t l1, l2;
    uint8_t *a = seal(pt, 10, &l1), *b = seal(pt, 10, &l2);
    CHECK(l1 == l2 && memcmp(a, b, l1) != 0);
    free(a);
    free(b);
}

static void
tampering_is_caught(void)
{
    size_t n = 2 * ENV_CHUNK + 100, len;
    uint8_t *pt = calloc(1, n);
    uint8_t *env = seal(pt, n, &len);
    struct env_view v;
    char why[200];
    uint8_t *out = NULL;
    /* one flipped bit in a chunk: the signature fails, and so does decryption */
    CHECK(env_parse(env, len, &v, why, sizeof why));
    size_t c0 = (size_t)(v.chunks - env);
    env[c0 + 10] ^= 1;
    CHECK(env_parse(env, len, &v, why, sizeof why));
    CHECK(!env_verify_signature(&v, spki, spki_len));
    CHECK(!env_open(&v, open_sk, &out, why, sizeof why) && strstr(why, "chunk 0"));
    env[c0 + 10] ^= 1;
    /* two chunks swapped */
    uint8_t *tmp = malloc(ENV_CHUNK + 16);
    memcpy(tmp, env + c0, ENV_CHUNK + 16);
    memmove(env + c0, env + c0 + ENV_CHUNK + 16, ENV_CHUNK + 16);
    memcpy(env + c0 + ENV_CHUNK + 16, tmp, ENV_CHUNK + 16);
    CHECK(env_parse(env, len, &v, why, sizeof why));
    CHECK(!env_open(&v, open_sk, &out, why, sizeof why));
    memcpy(env + c0 + ENV_CHUNK + 16, env + c0, ENV_CHUNK + 16);
    memcpy(env + c0, tmp, ENV_CHUNK + 16);
    free(tmp);
    CHECK(opens_to(env, len, pt, n));
    /* truncated: the last chunk dropped and the length told to match */
    uint8_t *cut = malloc(len);
    size_t plen_at = c0 - 8, cut_len = c0 + 2 * (ENV_CHUNK + 16) + 64;
    memcpy(cut, env, c0 + 2 * (ENV_CHUNK + 16));
    memcpy(cut + c0 + 2 * (ENV_CHUNK + 16), env + len - 64, 64);
    for (int k = 0; k < 8; k++)
        cut[plen_at + (size_t)k] = (uint8_t)((uint64_t)(2 * ENV_CHUNK) >> (56 - 8 * k));
    CHECK(env_parse(cut, cut_len, &v, why, sizeof why));
    CHECK(!env_open(&v, open_sk, &out, why, sizeof why));     /* chunk 1 was not the final one */
    CHECK(!env_parse(cut, cut_len - 1, &v, why, sizeof why)); /* and a lopped byte: refused */
    free(cut);
    /* the key commitment */
    CHECK(env_parse(env, len, &v, why, sizeof why));
    ((uint8_t *)v.commitment)[0] ^= 1;
    CHECK(!env_open(&v, open_sk, &out, why, sizeof why) && strstr(why, "commitment"));
    ((uint8_t *)v.commitment)[0] ^= 1;
    /* another header (another project, lot, bidder, round): nothing unwraps */
    ((uint8_t *)v.header)[20] ^= 1;
    CHECK(env_parse(env, len, &v, why, sizeof why));
    CHECK(!env_open(&v, open_sk, &out, why, sizeof why) && strstr(why, "unwrap"));
    CHECK(!env_verify_signature(&v, spki, spki_len));
    ((uint8_t *)v.header)[20] ^= 1;
    /* another opening key */
    uint8_t other_sk[32], other_pk[65], ikm[32] = {9};
    hpke_derive_keypair(ikm, 32, other_sk, other_pk);
    CHECK(env_parse(env, len, &v, why, sizeof why));
    CHECK(!env_open(&v, other_sk, &out, why, sizeof why));
    CHECK(!env_parse(env, 20, &v, why, sizeof why));
    env[0] = 'X';
    CHECK(!env_parse(env, len, &v, why, sizeof why) && strstr(why, "magic"));
    free(env);
    free(pt);
}

static void
the_signature_is_the_bidders(void)
{
    size_t len;
    uint8_t pt[5] = "price";
    uint8_t *env = seal(pt, 5, &len);
    struct env_view v;
    char why[200];
    CHECK(env_parse(env, len, &v, why, sizeof why) && env_verify_signature(&v, spki, spki_len));
    EVP_PKEY *other = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    unsigned char *o = NULL;
    int ol = i2d_PUBKEY(other, &o);
    CHECK(!env_verify_signature(&v, o, (size_t)ol));
    OPENSSL_free(o);
    EVP_PKEY_free(other);
    free(env);
}

static void
the_published_vector_still_seals_and_opens(void)
{
    /* fixed keys and randomness: docs/envelope.md §6 */
    struct env_fixed fixed;
    for (int i = 0; i < 32; i++)
        fixed.content_key[i] = (uint8_t)i;
    for (int i = 0; i < 16; i++)
        fixed.nonce[i] = (uint8_t)(0xA0 + i);
    for (int i = 0; i < 32; i++)
        fixed.ikm_e[i] = (uint8_t)(0x40 + i);
    static const char pt[] = "{\"price_fen\":123456789,\"duration_days\":365}";
    uint8_t *env = NULL;
    size_t len;
    CHECK(env_seal(&binding, open_pk, bidder, (const uint8_t *)pt, sizeof pt - 1, &fixed, &env,
                   &len));
    char unsigned_hex[65];
    uint8_t h[32];
    crypto_sha256(env, len - 64, h);
    hex_encode(h, 32, unsigned_hex);
    char *hexenv = malloc(2 * len + 1);
    hex_encode(env, len, hexenv);
    if (getenv("GGZY_WRITE_VECTORS")) {
        FILE *f = fopen(VECTOR, "w");
        char sk[65], *spki_hex = malloc(2 * spki_len + 1);
        hex_encode(open_sk, 32, sk);
        hex_encode(spki, spki_len, spki_hex);
        fprintf(f,
                "{\n  \"description\": \"ggzy envelope v1, fixed keys and randomness "
                "(docs/envelope.md)\",\n"
                "  \"opening_ikm_hex\": \"%s\",\n  \"opening_sk_hex\": \"%s\",\n"
                "  \"plaintext\": \"%s\",\n  \"unsigned_sha256\": \"%s\",\n"
                "  \"bidder_spki_hex\": \"%s\",\n  \"envelope_hex\": \"%s\"\n}\n",
                "0101010101010101010101010101010101010101010101010101010101010101", sk,
                "{\\\"price_fen\\\":123456789,\\\"duration_days\\\":365}", unsigned_hex, spki_hex,
                hexenv);
        fclose(f);
        free(spki_hex);
    }
    size_t vn;
    char *text = read_file(VECTOR, 1 << 20, &vn);
    cJSON *j = text ? cJSON_Parse(text) : NULL;
    CHECK(j != NULL);
    if (j) {
        CHECK_STR(cJSON_GetObjectItem(j, "unsigned_sha256")->valuestring, unsigned_hex);
        const char *ehex = cJSON_GetObjectItem(j, "envelope_hex")->valuestring;
        size_t elen = strlen(ehex) / 2;
        uint8_t *stored = malloc(elen);
        CHECK(hex_decode(ehex, stored, elen));
        /* the stored envelope (signed once, by the vector's bidder key) opens to the text */
        struct env_view v;
        char why[200];
        uint8_t *out = NULL;
        CHECK(env_parse(stored, elen, &v, why, sizeof why));
        const char *khex = cJSON_GetObjectItem(j, "bidder_spki_hex")->valuestring;
        uint8_t kder[200];
        CHECK(strlen(khex) / 2 <= sizeof kder && hex_decode(khex, kder, strlen(khex) / 2));
        CHECK(env_verify_signature(&v, kder, strlen(khex) / 2));
        CHECK(env_open(&v, open_sk, &out, why, sizeof why));
        CHECK(out && memcmp(out, pt, sizeof pt - 1) == 0);
        free(out);
        free(stored);
    }
    cJSON_Delete(j);
    free(text);
    free(hexenv);
    free(env);
}

/* Feed env in pieces of pseudo-random sizes (1 .. max_piece). */
static bool
stream_all(struct env_stream *st, const uint8_t *env, size_t len, size_t max_piece, unsigned seed)
{
    size_t off = 0;
    while (off < len) {
        seed = seed * 1103515245u + 12345u;
        size_t n = 1 + (seed >> 8) % max_piece;
        if (n > len - off)
            n = len - off;
        if (!env_stream_feed(st, env + off, n))
            return false;
        off += n;
    }
    return true;
}

static void
streaming_check_matches_the_whole_envelope_parse(void)
{
    size_t sizes[] = {0, 1, 65536, 65537, 200000};
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
        uint8_t *pt = calloc(1, sizes[i] + 1);
        size_t len;
        uint8_t *env = seal(pt, sizes[i], &len);
        struct env_view whole, v;
        char why[200];
        CHECK(env_parse(env, len, &whole, why, sizeof why));
        size_t pieces[] = {1, 7, 100, 70000, 1 << 20};
        for (size_t p = 0; p < sizeof pieces / sizeof *pieces; p++) {
            struct env_stream st;
            uint8_t sha[32], want[32];
            CHECK(env_stream_init(&st, 1 << 20));
            CHECK(stream_all(&st, env, len, pieces[p], (unsigned)p));
            CHECK(env_stream_finish(&st, &v, sha));
            CHECK(crypto_sha256(env, len, want) && !memcmp(sha, want, 32));
            CHECK(!memcmp(v.signed_digest, whole.signed_digest, 32));
            CHECK(!memcmp(v.header_hash, whole.header_hash, 32));
            CHECK(v.pt_len == sizes[i] && v.chunks_len == whole.chunks_len);
            CHECK(!memcmp(v.signature, whole.signature, 64));
            CHECK(!memcmp(v.enc, whole.enc, 65) && !memcmp(v.commitment, whole.commitment, 32));
            CHECK(env_verify_signature(&v, spki, spki_len));
            env_stream_free(&st);
        }
        free(env);
        free(pt);
    }
}

static void
streaming_refuses_truncation_padding_and_oversize_early(void)
{
    uint8_t pt[300] = {0};
    size_t len;
    uint8_t *env = seal(pt, sizeof pt, &len);
    struct env_stream st;
    struct env_view v;
    uint8_t sha[32];
    int finished = 0;
    for (size_t cut = 0; cut < len; cut++) { /* every truncation: fed fine, refused at the end */
        CHECK(env_stream_init(&st, 1 << 20));
        CHECK(stream_all(&st, env, cut, 64, 1));
        finished += env_stream_finish(&st, &v, sha);
        env_stream_free(&st);
    }
    CHECK(finished == 0);
    CHECK(env_stream_init(&st, 1 << 20)); /* one byte too many: refused at that byte */
    CHECK(stream_all(&st, env, len, 64, 2));
    CHECK(!env_stream_feed(&st, (const uint8_t *)"x", 1));
    CHECK(strstr(st.why, "padded") != NULL);
    env_stream_free(&st);
    uint8_t *padded = malloc(len + 1); /* the same, arriving in one piece */
    memcpy(padded, env, len);
    padded[len] = 0;
    CHECK(env_stream_init(&st, 1 << 20));
    CHECK(!env_stream_feed(&st, padded, len + 1));
    CHECK(strstr(st.why, "padded") != NULL);
    env_stream_free(&st);
    free(padded);
    CHECK(env_stream_init(&st, 1000)); /* declares more than the limit: refused from the front */
    uint8_t *env2 = calloc(1, 5000);
    size_t len2;
    uint8_t *sealed = seal(env2, 5000, &len2);
    size_t front = 12 + (size_t)be_load(sealed + 8, 4) + 65 + 48 + 16 + 32 + 8;
    CHECK(!stream_all(&st, sealed, front, 1, 3));
    CHECK(strstr(st.why, "limit") != NULL);
    env_stream_free(&st);
    CHECK(env_stream_init(&st, 1 << 20)); /* not an envelope: refused at the magic */
    CHECK(!env_stream_feed(&st, (const uint8_t *)"GGZYENV2\0\0\0\1", 12));
    CHECK(strstr(st.why, "magic") != NULL);
    env_stream_free(&st);
    free(sealed);
    free(env2);
    free(env);
}

int
main(void)
{
    uint8_t ikm[32];
    memset(ikm, 1, sizeof ikm);
    if (!hpke_derive_keypair(ikm, sizeof ikm, open_sk, open_pk))
        return 1;
    bidder = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    unsigned char *d = NULL;
    int n = i2d_PUBKEY(bidder, &d);
    spki = d;
    spki_len = (size_t)n;
    RUN(envelopes_round_trip_at_every_chunk_boundary);
    RUN(every_revision_gets_a_fresh_content_key);
    RUN(tampering_is_caught);
    RUN(the_signature_is_the_bidders);
    RUN(the_published_vector_still_seals_and_opens);
    RUN(streaming_check_matches_the_whole_envelope_parse);
    RUN(streaming_refuses_truncation_padding_and_oversize_early);
    OPENSSL_free(d);
    EVP_PKEY_free(bidder);
    return CHECK_DONE();
}
