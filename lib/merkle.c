/*
 * merkle.c — see merkle.h. No allocation, no I/O: every function works on caller memory.
 */
/* The SHA256_* functions are deprecated in OpenSSL 3.0: see sha256_parts(). */
#define OPENSSL_SUPPRESS_DEPRECATED
#include "merkle.h"

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

/* SHA-256 of a || b || c. A log holds millions of entries and every append or verification
 * hashes each of them plus about one inner node. EVP's per-call set-up (context init and
 * cleanse, provider dispatch) costs more than hashing the ~300 bytes themselves, and OpenSSL
 * 3.0's one-call SHA256() goes through EVP too; the SHA256_* functions run the same assembly
 * directly. They are deprecated in OpenSSL 3.0 (not removed); the day they go, this one
 * function moves back to a reused EVP_MD_CTX. Measured: bench/audit.sh. */
static bool
sha256_parts(const void *a, size_t na, const void *b, size_t nb, const void *c, size_t nc,
             mhash out)
{
    SHA256_CTX ctx;
    return SHA256_Init(&ctx) == 1 && SHA256_Update(&ctx, a, na) == 1 &&
           (!nb || SHA256_Update(&ctx, b, nb) == 1) && (!nc || SHA256_Update(&ctx, c, nc) == 1) &&
           SHA256_Final(out, &ctx) == 1;
}

bool
merkle_leaf_hash(const void *data, size_t n, mhash out)
{
    static const uint8_t zero = 0x00;
    return sha256_parts(&zero, 1, data, n, NULL, 0, out);
}

bool
merkle_node_hash(const mhash left, const mhash right, mhash out)
{
    static const uint8_t one = 0x01;
    return sha256_parts(&one, 1, left, 32, right, 32, out);
}

bool
merkle_empty_root(mhash out)
{
    return sha256_parts("", 0, NULL, 0, NULL, 0, out);
}

bool
frontier_append(struct frontier *f, const mhash leaf, mhash nodes[MERKLE_MAX_DEPTH], int *nnodes)
{
    mhash cur;
    memcpy(cur, leaf, 32);
    memcpy(nodes[0], leaf, 32);
    int k = 1;
    /* Each trailing one-bit of the old size is a subtree of the same size as cur: merge. */
    for (uint64_t s = f->size; s & 1; s >>= 1) {
        if (f->n == 0)
            return false;
        if (!merkle_node_hash(f->h[f->n - 1], cur, cur))
            return false;
        f->n--;
        memcpy(nodes[k++], cur, 32);
    }
    if (f->n >= MERKLE_MAX_DEPTH)
        return false;
    memcpy(f->h[f->n++], cur, 32);
    f->size++;
    *nnodes = k;
    return true;
}

bool
frontier_root(const struct frontier *f, mhash out)
{
    if (f->n == 0)
        return merkle_empty_root(out);
    mhash r;
    memcpy(r, f->h[f->n - 1], 32);
    for (int i = f->n - 2; i >= 0; i--)
        if (!merkle_node_hash(f->h[i], r, r))
            return false;
    memcpy(out, r, 32);
    return true;
}

bool
frontier_decode(struct frontier *f, uint64_t size, const void *bytes, size_t len)
{
    int n = __builtin_popcountll(size);
    if (len != (size_t)n * 32)
        return false;
    f->size = size;
    f->n = n;
    memcpy(f->h, bytes, len);
    return true;
}

/* Largest power of two strictly less than n (n >= 2). */
static uint64_t
split_point(uint64_t n)
{
    uint64_t k = 1;
    while (k << 1 < n)
        k <<= 1;
    return k;
}

bool
merkle_range_hash(merkle_fetch fetch, void *ctx, uint64_t a, uint64_t b, mhash out)
{
    if (b <= a)
        return false;
    uint64_t len = b - a;
    if ((len & (len - 1)) == 0 && a % len == 0) /* a stored perfect subtree */
        return fetch(ctx, __builtin_ctzll(len), a / len, out);
    uint64_t k = split_point(len);
    mhash l, r;
    return merkle_range_hash(fetch, ctx, a, a + k, l) &&
           merkle_range_hash(fetch, ctx, a + k, b, r) && merkle_node_hash(l, r, out);
}

/* PATH(m, D[a:b]) of RFC 6962 §2.1.1, appending to proof[*len]. */
static bool
path(merkle_fetch fetch, void *ctx, uint64_t m, uint64_t a, uint64_t b, mhash *proof, int *len)
{
    if (b - a == 1)
        return true;
    uint64_t k = split_point(b - a);
    if (m < k) {
        if (!path(fetch, ctx, m, a, a + k, proof, len))
            return false;
        return merkle_range_hash(fetch, ctx, a + k, b, proof[(*len)++]);
    }
    if (!path(fetch, ctx, m - k, a + k, b, proof, len))
        return false;
    return merkle_range_hash(fetch, ctx, a, a + k, proof[(*len)++]);
}

int
merkle_inclusion_proof(merkle_fetch fetch, void *ctx, uint64_t index, uint64_t size,
                       mhash proof[MERKLE_MAX_DEPTH])
{
    int len = 0;
    if (index >= size || !path(fetch, ctx, index, 0, size, proof, &len))
        return -1;
    return len;
}

/* SUBPROOF(m, D[a:b], complete) of RFC 6962 §2.1.2. */
static bool
subproof(merkle_fetch fetch, void *ctx, uint64_t m, uint64_t a, uint64_t b, bool complete,
         mhash *proof, int *len)
{
    uint64_t n = b - a;
    if (m == n) {
        if (complete)
            return true;
        return merkle_range_hash(fetch, ctx, a, b, proof[(*len)++]);
    }
    uint64_t k = split_point(n);
    if (m <= k) {
        if (!subproof(fetch, ctx, m, a, a + k, complete, proof, len))
            return false;
        return merkle_range_hash(fetch, ctx, a + k, b, proof[(*len)++]);
    }
    if (!subproof(fetch, ctx, m - k, a + k, b, false, proof, len))
        return false;
    return merkle_range_hash(fetch, ctx, a, a + k, proof[(*len)++]);
}

int
merkle_consistency_proof(merkle_fetch fetch, void *ctx, uint64_t m, uint64_t n,
                         mhash proof[2 * MERKLE_MAX_DEPTH])
{
    int len = 0;
    if (m == 0 || m > n || !subproof(fetch, ctx, m, 0, n, true, proof, &len))
        return -1;
    return len;
}

bool
merkle_verify_inclusion(uint64_t index, uint64_t size, const mhash leaf, const mhash *proof,
                        size_t len, const mhash root)
{
    if (index >= size)
        return false;
    uint64_t fn = index, sn = size - 1;
    mhash r;
    memcpy(r, leaf, 32);
    for (size_t i = 0; i < len; i++) {
        if (sn == 0)
            return false;
        if ((fn & 1) || fn == sn) {
            if (!merkle_node_hash(proof[i], r, r))
                return false;
            if (!(fn & 1))
                while (!(fn & 1) && fn != 0) {
                    fn >>= 1;
                    sn >>= 1;
                }
        } else if (!merkle_node_hash(r, proof[i], r)) {
            return false;
        }
        fn >>= 1;
        sn >>= 1;
    }
    return sn == 0 && CRYPTO_memcmp(r, root, 32) == 0;
}

bool
merkle_verify_consistency(uint64_t m, uint64_t n, const mhash root1, const mhash root2,
                          const mhash *proof, size_t len)
{
    if (m == 0) /* a proof from the empty tree proves nothing: an error, even to size 0 */
        return false;
    if (m == n) /* checked before any length check */
        return len == 0 && CRYPTO_memcmp(root1, root2, 32) == 0;
    if (m > n || len == 0)
        return false;
    size_t start = 0;
    mhash fr, sr;
    uint64_t fn = m - 1, sn = n - 1;
    if ((m & (m - 1)) == 0) { /* m is a power of two: the proof starts with root1 implicitly */
        memcpy(fr, root1, 32);
    } else {
        memcpy(fr, proof[0], 32);
        start = 1;
    }
    memcpy(sr, fr, 32);
    while (fn & 1) {
        fn >>= 1;
        sn >>= 1;
    }
    for (size_t i = start; i < len; i++) {
        if (sn == 0)
            return false;
        if ((fn & 1) || fn == sn) {
            if (!merkle_node_hash(proof[i], fr, fr) || !merkle_node_hash(proof[i], sr, sr))
                return false;
            if (!(fn & 1))
                while (!(fn & 1) && fn != 0) {
                    fn >>= 1;
                    sn >>= 1;
                }
        } else if (!merkle_node_hash(sr, proof[i], sr)) {
            return false;
        }
        fn >>= 1;
        sn >>= 1;
    }
    return sn == 0 && CRYPTO_memcmp(fr, root1, 32) == 0 && CRYPTO_memcmp(sr, root2, 32) == 0;
}
