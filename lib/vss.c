/*
 * vss.c — see vss.h. OpenSSL BIGNUM and EC_POINT arithmetic (not deprecated in 3.0).
 */
#include "vss.h"

#include <string.h>

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/obj_mac.h>

struct field {
    EC_GROUP *g;
    const BIGNUM *q;
    BN_CTX *ctx;
};

static bool
field_open(struct field *f)
{
    f->g = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
    f->q = f->g ? EC_GROUP_get0_order(f->g) : NULL;
    f->ctx = BN_CTX_secure_new();
    return f->q && f->ctx;
}

static void
field_close(struct field *f)
{
    BN_CTX_free(f->ctx);
    EC_GROUP_free(f->g);
}

static bool
to32(const BIGNUM *b, uint8_t out[32])
{
    return BN_bn2binpad(b, out, 32) == 32;
}

bool
vss_split(const uint8_t secret[32], int k, int n, struct vss_share *shares,
          uint8_t (*commitments)[65])
{
    struct field f = {0};
    bool ok = false;
    BIGNUM *coef[VSS_MAX] = {0};
    BIGNUM *x = NULL, *y = NULL, *t = NULL;
    EC_POINT *P = NULL;
    if (k < 1 || n < k || n > VSS_MAX || !field_open(&f))
        goto out;
    x = BN_secure_new();
    y = BN_secure_new();
    t = BN_secure_new();
    P = EC_POINT_new(f.g);
    if (!x || !y || !t || !P)
        goto out;
    for (int j = 0; j < k; j++) {
        coef[j] = BN_secure_new();
        if (!coef[j])
            goto out;
        if (j == 0) {
            if (!BN_bin2bn(secret, 32, coef[0]) || BN_is_zero(coef[0]) || BN_cmp(coef[0], f.q) >= 0)
                goto out;
        } else {
            do
                if (BN_priv_rand_range(coef[j], f.q) != 1)
                    goto out;
            while (BN_is_zero(coef[j]));
        }
        if (EC_POINT_mul(f.g, P, coef[j], NULL, NULL, f.ctx) != 1 ||
            EC_POINT_point2oct(f.g, P, POINT_CONVERSION_UNCOMPRESSED, commitments[j], 65, f.ctx) !=
                65)
            goto out;
    }
    for (int i = 1; i <= n; i++) { /* Horner: y = (((a(k-1))·x + a(k-2))·x + …)·x + s */
        if (BN_set_word(x, (BN_ULONG)i) != 1 || !BN_copy(y, coef[k - 1]))
            goto out;
        for (int j = k - 2; j >= 0; j--)
            if (BN_mod_mul(t, y, x, f.q, f.ctx) != 1 || BN_mod_add(y, t, coef[j], f.q, f.ctx) != 1)
                goto out;
        shares[i - 1].x = (uint8_t)i;
        if (!to32(y, shares[i - 1].y))
            goto out;
    }
    ok = true;
out:
    for (int j = 0; j < VSS_MAX; j++)
        BN_clear_free(coef[j]); /* the polynomial, the secret among it: cleared */
    BN_clear_free(x);
    BN_clear_free(y);
    BN_clear_free(t);
    EC_POINT_free(P);
    field_close(&f);
    return ok;
}

bool
vss_verify(const struct vss_share *share, const uint8_t (*commitments)[65], int k)
{
    struct field f;
    bool ok = false;
    BIGNUM *y = NULL, *xj = NULL, *x = NULL;
    EC_POINT *lhs = NULL, *rhs = NULL, *C = NULL, *T = NULL;
    if (k < 1 || k > VSS_MAX || share->x == 0 || !field_open(&f))
        return false;
    y = BN_secure_new();
    xj = BN_new();
    x = BN_new();
    lhs = EC_POINT_new(f.g);
    rhs = EC_POINT_new(f.g);
    C = EC_POINT_new(f.g);
    T = EC_POINT_new(f.g);
    if (!y || !xj || !x || !lhs || !rhs || !C || !T || !BN_bin2bn(share->y, 32, y) ||
        BN_cmp(y, f.q) >= 0 || EC_POINT_mul(f.g, lhs, y, NULL, NULL, f.ctx) != 1 ||
        EC_POINT_set_to_infinity(f.g, rhs) != 1 || BN_one(xj) != 1 || BN_set_word(x, share->x) != 1)
        goto out;
    for (int j = 0; j < k; j++) { /* rhs = Σ Cj · x^j */
        if (EC_POINT_oct2point(f.g, C, commitments[j], 65, f.ctx) != 1 ||
            EC_POINT_mul(f.g, T, NULL, C, xj, f.ctx) != 1 ||
            EC_POINT_add(f.g, rhs, rhs, T, f.ctx) != 1 || BN_mod_mul(xj, xj, x, f.q, f.ctx) != 1)
            goto out;
    }
    ok = EC_POINT_cmp(f.g, lhs, rhs, f.ctx) == 0;
out:
    BN_clear_free(y);
    BN_free(xj);
    BN_free(x);
    EC_POINT_free(lhs);
    EC_POINT_free(rhs);
    EC_POINT_free(C);
    EC_POINT_free(T);
    field_close(&f);
    return ok;
}

bool
vss_combine(const struct vss_share *shares, int k, uint8_t secret[32])
{
    struct field f;
    bool ok = false;
    BIGNUM *s = NULL, *y = NULL, *num = NULL, *den = NULL, *xi = NULL, *xj = NULL, *t = NULL;
    if (k < 1 || k > VSS_MAX)
        return false;
    for (int i = 0; i < k; i++)
        for (int j = i + 1; j < k; j++)
            if (shares[i].x == shares[j].x || shares[i].x == 0)
                return false;
    if (!field_open(&f))
        return false;
    s = BN_secure_new();
    y = BN_secure_new();
    num = BN_new();
    den = BN_new();
    xi = BN_new();
    xj = BN_new();
    t = BN_secure_new();
    if (!s || !y || !num || !den || !xi || !xj || !t)
        goto out;
    BN_zero(s);
    for (int i = 0; i < k; i++) {
        /* λi = Π(j≠i) xj / (xj − xi) */
        if (BN_one(num) != 1 || BN_one(den) != 1 || BN_set_word(xi, shares[i].x) != 1)
            goto out;
        for (int j = 0; j < k; j++) {
            if (j == i)
                continue;
            if (BN_set_word(xj, shares[j].x) != 1 || BN_mod_mul(num, num, xj, f.q, f.ctx) != 1 ||
                BN_mod_sub(t, xj, xi, f.q, f.ctx) != 1 || BN_mod_mul(den, den, t, f.q, f.ctx) != 1)
                goto out;
        }
        if (!BN_mod_inverse(den, den, f.q, f.ctx) || BN_mod_mul(num, num, den, f.q, f.ctx) != 1 ||
            !BN_bin2bn(shares[i].y, 32, y) || BN_mod_mul(t, y, num, f.q, f.ctx) != 1 ||
            BN_mod_add(s, s, t, f.q, f.ctx) != 1)
            goto out;
    }
    ok = !BN_is_zero(s) && to32(s, secret);
out:
    BN_clear_free(s); /* the rebuilt secret: only the caller's copy remains */
    BN_clear_free(y);
    BN_free(num);
    BN_free(den);
    BN_free(xi);
    BN_free(xj);
    BN_clear_free(t);
    field_close(&f);
    return ok;
}
