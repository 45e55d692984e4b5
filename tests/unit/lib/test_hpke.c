/* Unit tests of HPKE against RFC 9180 Appendix A.3.1 (tests/vectors/rfc9180): key derivation,
 * the KEM, the key schedule and every published encryption; then the AES-256-GCM suite the
 * envelopes use, which the RFC publishes no vector for: round trips and refusals. */
#include <stdlib.h>

#include <cjson/cJSON.h>

#include "check.h"
#include "crypto.h"
#include "hpke.h"
#include "util.h"

#ifndef VECTOR
#error "VECTOR must name tests/vectors/rfc9180/p256-base-aes128gcm.json"
#endif

static cJSON *v;

/* Decode hex member key into out (exactly n bytes unless n is 0: then any length). */
static size_t
hx(const cJSON *o, const char *key, uint8_t *out, size_t cap)
{
    const char *s = cJSON_GetObjectItem(o, key)->valuestring;
    size_t n = strlen(s) / 2;
    CHECK(n <= cap && hex_decode(s, out, n));
    return n;
}

static void
derive_keypair_matches_the_published_keys(void)
{
    uint8_t ikm[64], sk[32], pk[65], want_sk[32], want_pk[65];
    size_t n = hx(v, "ikmE", ikm, sizeof ikm);
    CHECK(hpke_derive_keypair(ikm, n, sk, pk));
    hx(v, "skEm", want_sk, 32);
    hx(v, "pkEm", want_pk, 65);
    CHECK(memcmp(sk, want_sk, 32) == 0 && memcmp(pk, want_pk, 65) == 0);
    n = hx(v, "ikmR", ikm, sizeof ikm);
    CHECK(hpke_derive_keypair(ikm, n, sk, pk));
    hx(v, "skRm", want_sk, 32);
    hx(v, "pkRm", want_pk, 65);
    CHECK(memcmp(sk, want_sk, 32) == 0 && memcmp(pk, want_pk, 65) == 0);
}

static void
sender_and_receiver_reach_the_published_schedule_and_ciphertexts(void)
{
    uint8_t ikmE[64], pkR[65], skR[32], info[128], enc[65], ss[32], want[128];
    size_t ni = hx(v, "info", info, sizeof info), ne = hx(v, "ikmE", ikmE, sizeof ikmE);
    hx(v, "pkRm", pkR, 65);
    hx(v, "skRm", skR, 32);
    struct hpke_ctx s, r;
    CHECK(hpke_setup_sender(HPKE_AES_128_GCM, pkR, info, ni, ikmE, ne, enc, &s, ss));
    hx(v, "enc", want, 65);
    CHECK(memcmp(enc, want, 65) == 0);
    hx(v, "shared_secret", want, 32);
    CHECK(memcmp(ss, want, 32) == 0);
    hx(v, "key", want, 16);
    CHECK(s.nk == 16 && memcmp(s.key, want, 16) == 0);
    hx(v, "base_nonce", want, 12);
    CHECK(memcmp(s.base_nonce, want, 12) == 0);
    hx(v, "exporter_secret", want, 32);
    CHECK(memcmp(s.exporter_secret, want, 32) == 0);
    uint8_t ss2[32];
    CHECK(hpke_setup_receiver(HPKE_AES_128_GCM, enc, skR, info, ni, &r, ss2));
    CHECK(memcmp(ss, ss2, 32) == 0);
    /* Every published encryption, in sequence order (the RFC lists some with gaps). */
    const cJSON *encs = cJSON_GetObjectItem(v, "encryptions");
    int count = 0;
    for (const cJSON *e = encs->child; e; e = e->next) {
        uint64_t seq = (uint64_t)cJSON_GetObjectItem(e, "seq")->valuedouble;
        uint8_t pt[256], aad[64], ct[300], out[300], back[256];
        size_t np = hx(e, "pt", pt, sizeof pt), na = hx(e, "aad", aad, sizeof aad),
               nc = hx(e, "ct", ct, sizeof ct);
        s.seq = r.seq = seq;
        CHECK(hpke_seal(&s, aad, na, pt, np, out));
        CHECK(nc == np + 16 && memcmp(out, ct, nc) == 0);
        CHECK(hpke_open(&r, aad, na, ct, nc, back));
        CHECK(memcmp(back, pt, np) == 0);
        count++;
    }
    CHECK(count >= 6);
    hpke_ctx_wipe(&s);
    hpke_ctx_wipe(&r);
}

static void
aes_256_gcm_round_trips_and_refuses_tampering(void)
{
    uint8_t ikmR[32], skR[32], pkR[65], enc[65], key[32], ct[48], back[32];
    memset(ikmR, 7, sizeof ikmR);
    CHECK(hpke_derive_keypair(ikmR, sizeof ikmR, skR, pkR));
    memset(key, 0xA5, sizeof key);
    static const uint8_t info[] = "ggzy envelope header hash";
    struct hpke_ctx s, r;
    CHECK(hpke_setup_sender(HPKE_AES_256_GCM, pkR, info, sizeof info, NULL, 0, enc, &s, NULL));
    CHECK(s.nk == 32);
    CHECK(hpke_seal(&s, NULL, 0, key, 32, ct));
    CHECK(hpke_setup_receiver(HPKE_AES_256_GCM, enc, skR, info, sizeof info, &r, NULL));
    CHECK(hpke_open(&r, NULL, 0, ct, 48, back) && memcmp(back, key, 32) == 0);
    /* another info (another project, lot, bidder) opens nothing */
    static const uint8_t other[] = "ggzy envelope header hasH";
    CHECK(hpke_setup_receiver(HPKE_AES_256_GCM, enc, skR, other, sizeof other, &r, NULL));
    CHECK(!hpke_open(&r, NULL, 0, ct, 48, back));
    /* one flipped bit of the ciphertext opens nothing */
    CHECK(hpke_setup_receiver(HPKE_AES_256_GCM, enc, skR, info, sizeof info, &r, NULL));
    ct[3] ^= 1;
    CHECK(!hpke_open(&r, NULL, 0, ct, 48, back));
    /* the same shared secret under the 128-bit suite gives another key (suite ids differ) */
    struct hpke_ctx s128;
    uint8_t enc2[65];
    CHECK(hpke_setup_sender(HPKE_AES_128_GCM, pkR, info, sizeof info, ikmR, 32, enc2, &s128, NULL));
    struct hpke_ctx s256;
    CHECK(hpke_setup_sender(HPKE_AES_256_GCM, pkR, info, sizeof info, ikmR, 32, enc2, &s256, NULL));
    CHECK(memcmp(s128.key, s256.key, 16) != 0);
    /* a point not on the curve is refused */
    uint8_t bad[65];
    memcpy(bad, enc, 65);
    bad[64] ^= 1;
    CHECK(!hpke_setup_receiver(HPKE_AES_256_GCM, bad, skR, info, sizeof info, &r, NULL));
}

static void
a_prepared_receiver_key_opens_what_the_one_shot_setup_opens_and_refuses_bad_points(void)
{
    uint8_t ikmR[32], skR[32], pkR[65], enc[65], key[32], ct[48], back[32], ss1[32], ss2[32];
    memset(ikmR, 9, sizeof ikmR);
    CHECK(hpke_derive_keypair(ikmR, sizeof ikmR, skR, pkR));
    memset(key, 0x3C, sizeof key);
    static const uint8_t info[] = "one opening key, many envelopes";
    struct hpke_ctx s, r1, r2;
    struct hpke_receiver k;
    CHECK(hpke_receiver_init(&k, skR));
    CHECK(memcmp(k.pk, pkR, 65) == 0);
    for (int i = 0; i < 3; i++) { /* the prepared key serves envelope after envelope */
        CHECK(hpke_setup_sender(HPKE_AES_256_GCM, pkR, info, sizeof info, NULL, 0, enc, &s, NULL));
        CHECK(hpke_seal(&s, NULL, 0, key, 32, ct));
        CHECK(hpke_setup_receiver(HPKE_AES_256_GCM, enc, skR, info, sizeof info, &r1, ss1));
        CHECK(hpke_setup_receiver_with(HPKE_AES_256_GCM, enc, &k, info, sizeof info, &r2, ss2));
        CHECK(memcmp(ss1, ss2, 32) == 0 && memcmp(r1.key, r2.key, 32) == 0 &&
              memcmp(r1.base_nonce, r2.base_nonce, HPKE_NN) == 0);
        CHECK(hpke_open(&r2, NULL, 0, ct, 48, back) && memcmp(back, key, 32) == 0);
    }
    uint8_t bad[65];
    memcpy(bad, enc, 65);
    bad[40] ^= 0x10; /* off the curve */
    CHECK(!hpke_setup_receiver_with(HPKE_AES_256_GCM, bad, &k, info, sizeof info, &r2, NULL));
    memcpy(bad, enc, 65);
    bad[0] = 0x02; /* a compressed point's prefix: not the encoding RFC 9180 uses */
    CHECK(!hpke_setup_receiver_with(HPKE_AES_256_GCM, bad, &k, info, sizeof info, &r2, NULL));
    memset(bad, 0, sizeof bad); /* the point at infinity has no 65-byte encoding */
    CHECK(!hpke_setup_receiver_with(HPKE_AES_256_GCM, bad, &k, info, sizeof info, &r2, NULL));
    hpke_receiver_free(&k);
    hpke_receiver_free(&k); /* safe twice */
    CHECK(!hpke_setup_receiver_with(HPKE_AES_256_GCM, enc, &k, info, sizeof info, &r2, NULL));
    /* the zero scalar makes no key: its public point is the point at infinity */
    uint8_t zero[32] = {0};
    CHECK(!hpke_receiver_init(&k, zero));
    hpke_receiver_free(&k);
}

int
main(void)
{
    size_t n;
    char *text = read_file(VECTOR, 1 << 20, &n);
    v = text ? cJSON_Parse(text) : NULL;
    free(text);
    if (!v) {
        fprintf(stderr, "cannot read %s\n", VECTOR);
        return 1;
    }
    RUN(derive_keypair_matches_the_published_keys);
    RUN(sender_and_receiver_reach_the_published_schedule_and_ciphertexts);
    RUN(aes_256_gcm_round_trips_and_refuses_tampering);
    RUN(a_prepared_receiver_key_opens_what_the_one_shot_setup_opens_and_refuses_bad_points);
    cJSON_Delete(v);
    return CHECK_DONE();
}
