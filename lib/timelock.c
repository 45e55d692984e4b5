/*
 * timelock.c — opening keys and sealed custodian shares (timelock.h, docs/envelope.md §7).
 *
 *   share info = "ggzy-opening-share-v1" || SHA-256(opening_pk) || x      (HPKE info, 54 bytes)
 *   sealed     = HPKE base mode to the custodian's key, aad "", pt = the 32-byte share f(x)
 *
 * Same suite as the envelope's key wrap: DHKEM(P-256, HKDF-SHA256), HKDF-SHA256, AES-256-GCM.
 */
#include "timelock.h"

#include <stdio.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include "crypto.h"
#include "hpke.h"

#define SHARE_LABEL "ggzy-opening-share-v1"

static bool
share_info(const uint8_t opening_pk[65], uint8_t x, uint8_t info[sizeof SHARE_LABEL - 1 + 33])
{
    memcpy(info, SHARE_LABEL, sizeof SHARE_LABEL - 1);
    info[sizeof SHARE_LABEL - 1 + 32] = x;
    return crypto_sha256(opening_pk, 65, info + sizeof SHARE_LABEL - 1);
}

bool
tl_key_id(const uint8_t pk[65], char out[65])
{
    uint8_t h[32];
    if (!crypto_sha256(pk, 65, h))
        return false;
    hex_encode(h, 32, out);
    return true;
}

bool
tl_spki_point(const uint8_t *spki, size_t len, uint8_t point[65])
{
    const unsigned char *p = spki;
    EVP_PKEY *k = d2i_PUBKEY(NULL, &p, (long)len);
    size_t n = 0;
    bool ok = k && EVP_PKEY_is_a(k, "EC") &&
              EVP_PKEY_get_octet_string_param(k, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, point, 65,
                                              &n) == 1 &&
              n == 65 && point[0] == 0x04;
    EVP_PKEY_free(k);
    return ok;
}

bool
tl_generate(int k, int n, const struct tl_custodian *custodians, struct tl_key *out)
{
    bool ok = false;
    uint8_t ikm[32], sk[32];
    struct vss_share shares[VSS_MAX];
    struct hpke_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    memset(out, 0, sizeof *out);
    if (k < 2 || n < k || n > VSS_MAX)
        goto fail;
    if (RAND_priv_bytes(ikm, sizeof ikm) != 1 || !hpke_derive_keypair(ikm, sizeof ikm, sk, out->pk))
        goto fail;
    if (!tl_key_id(out->pk, out->key_id) || !vss_split(sk, k, n, shares, out->commitments))
        goto fail;
    for (int i = 0; i < n; i++) {
        uint8_t info[sizeof SHARE_LABEL - 1 + 33];
        if (!share_info(out->pk, shares[i].x, info) ||
            !hpke_setup_sender(HPKE_AES_256_GCM, custodians[i].pk, info, sizeof info, NULL, 0,
                               out->enc[i], &ctx, NULL) ||
            !hpke_seal(&ctx, NULL, 0, shares[i].y, 32, out->sealed[i]))
            goto fail;
        hpke_ctx_wipe(&ctx);
    }
    out->k = k;
    out->n = n;
    ok = true;
fail:
    /* the opening private key and its clear shares exist only in this frame: wipe them on
     * every path, success included (docs/envelope.md §7) */
    OPENSSL_cleanse(ikm, sizeof ikm);
    OPENSSL_cleanse(sk, sizeof sk);
    OPENSSL_cleanse(shares, sizeof shares);
    hpke_ctx_wipe(&ctx);
    if (!ok)
        OPENSSL_cleanse(out, sizeof *out);
    return ok;
}

bool
tl_share_open(const uint8_t opening_pk[65], uint8_t x, const uint8_t enc[65],
              const uint8_t sealed[TL_SEALED_SHARE], const uint8_t custodian_sk[32],
              struct vss_share *out)
{
    uint8_t info[sizeof SHARE_LABEL - 1 + 33];
    struct hpke_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    out->x = x;
    bool ok =
        share_info(opening_pk, x, info) &&
        hpke_setup_receiver(HPKE_AES_256_GCM, enc, custodian_sk, info, sizeof info, &ctx, NULL) &&
        hpke_open(&ctx, NULL, 0, sealed, TL_SEALED_SHARE, out->y);
    hpke_ctx_wipe(&ctx);
    if (!ok)
        OPENSSL_cleanse(out->y, sizeof out->y);
    return ok;
}

const char *
tl_custodians_problem(const struct tl_holder *h, int n, int k, char *why, size_t whylen)
{
    static const char *const names[] = {"bidder", "agent", "supervision", "center"};
    if (n < 2 || n > VSS_MAX) {
        snprintf(why, whylen, "an opening key needs 2 to %d custodians, not %d", VSS_MAX, n);
        return "BID-CUSTODIANS";
    }
    if (k < 2 || k > n) {
        snprintf(why, whylen, "the threshold must be at least 2 and at most the %d custodians", n);
        return "BID-THRESHOLD";
    }
    unsigned seen = 0;
    for (int i = 0; i < n; i++) {
        if (h[i].side < 1 || h[i].side > 3) { /* agent, supervision, center */
            snprintf(why, whylen,
                     "custodian %d is certified for the %s side: custodians are the agent, a "
                     "supervision body and the trading center",
                     i + 1, h[i].side >= 0 && h[i].side < 4 ? names[h[i].side] : "no");
            return "BID-CUSTODIANS";
        }
        seen |= 1u << h[i].side;
        for (int j = 0; j < i; j++)
            if (h[j].user == h[i].user) {
                snprintf(why, whylen, "user %lld is named twice: each share needs its own person",
                         (long long)h[i].user);
                return "BID-CUSTODIANS";
            }
    }
    if (seen != (1u << 1 | 1u << 2 | 1u << 3)) {
        snprintf(why, whylen,
                 "the custodians must include the agent, a supervision body and the trading "
                 "center, each certified for its own side");
        return "BID-CUSTODIANS";
    }
    /* no single side, and no single organization, may hold k shares on its own */
    for (int s = 1; s <= 3; s++) {
        int count = 0;
        for (int i = 0; i < n; i++)
            count += h[i].side == s;
        if (count >= k) {
            snprintf(why, whylen, "%d custodians of the %s side could open the bids alone", count,
                     names[s]);
            return "BID-THRESHOLD";
        }
    }
    for (int i = 0; i < n; i++) {
        int count = 0;
        for (int j = 0; j < n; j++)
            count += !strcmp(h[i].org, h[j].org);
        if (count >= k) {
            snprintf(why, whylen,
                     "%d custodians are of one organization (credit code %s) and could open the "
                     "bids alone",
                     count, h[i].org);
            return "BID-THRESHOLD";
        }
    }
    return NULL;
}
