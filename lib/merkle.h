/*
 * merkle.h — RFC 6962 / RFC 9162 Merkle trees, as pure functions shared by ggzyd and the ggzy
 * client (they need only OpenSSL's SHA-256).
 *
 *   leaf hash = SHA-256(0x00 || entry bytes), node hash = SHA-256(0x01 || left || right)
 *
 * The log keeps a *frontier*: the roots of the perfect subtrees that make up the current tree,
 * largest first (one per 1-bit of the size). Appending a leaf merges equal-sized subtrees like
 * a binary increment and yields the nodes that became complete (the leaf, then its completed
 * ancestors) — O(log n) hashes, which the log stores so any proof can be built later from
 * stored perfect-subtree roots. Proof builders fetch those roots through a callback.
 *
 * The verifiers follow RFC 9162 §2.1.3.2 and §2.1.4.2 with the strict rules of current
 * verifiers: a consistency proof from size 0 is an error (even to size 0); for equal sizes the
 * proof must be empty and the roots equal; proofs of the wrong length are errors.
 */
#ifndef GGZY_MERKLE_H
#define GGZY_MERKLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MERKLE_MAX_DEPTH 64

typedef uint8_t mhash[32];

bool merkle_leaf_hash(const void *data, size_t n, mhash out);
bool merkle_node_hash(const mhash left, const mhash right, mhash out);
/* The root of the empty tree: SHA-256 of nothing. */
bool merkle_empty_root(mhash out);

struct frontier {
    uint64_t size;
    int n;                     /* number of subtrees = popcount(size) */
    mhash h[MERKLE_MAX_DEPTH]; /* largest first */
};
/* Append a leaf hash. nodes[0] = leaf, nodes[i] = the completed node at level i; *nnodes
 * gets how many (1 + trailing one-bits of the old size). */
bool frontier_append(struct frontier *f, const mhash leaf, mhash nodes[MERKLE_MAX_DEPTH],
                     int *nnodes);
bool frontier_root(const struct frontier *f, mhash out);
/* Serialized form: n*32 bytes, the hashes in order. */
bool frontier_decode(struct frontier *f, uint64_t size, const void *bytes, size_t len);

/* The perfect subtree of 2^level leaves starting at leaf index << level. */
typedef bool (*merkle_fetch)(void *ctx, int level, uint64_t index, mhash out);

/* MTH(D[a:b]) from stored perfect subtrees. */
bool merkle_range_hash(merkle_fetch fetch, void *ctx, uint64_t a, uint64_t b, mhash out);
/* Inclusion proof for leaf index in a tree of size; returns its length or -1. */
int merkle_inclusion_proof(merkle_fetch fetch, void *ctx, uint64_t index, uint64_t size,
                           mhash proof[MERKLE_MAX_DEPTH]);
/* Consistency proof between sizes m and n (0 < m <= n); returns its length or -1. */
int merkle_consistency_proof(merkle_fetch fetch, void *ctx, uint64_t m, uint64_t n,
                             mhash proof[2 * MERKLE_MAX_DEPTH]);

bool merkle_verify_inclusion(uint64_t index, uint64_t size, const mhash leaf, const mhash *proof,
                             size_t len, const mhash root);
bool merkle_verify_consistency(uint64_t m, uint64_t n, const mhash root1, const mhash root2,
                               const mhash *proof, size_t len);

#endif
