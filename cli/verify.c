/*
 * verify.c — see verify.h.
 */
#define _GNU_SOURCE
#include "verify.h"
#include "util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static bool fail(struct verifier *v, int64_t index, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static bool
fail(struct verifier *v, int64_t index, const char *fmt, ...)
{
    if (v->failed)
        return false;
    v->failed = true;
    v->bad_index = index;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(v->error, sizeof v->error, fmt, ap);
    va_end(ap);
    return false;
}

bool
verifier_init(struct verifier *v, const char *vkey, char *err, size_t errlen)
{
    memset(v, 0, sizeof *v);
    v->bad_index = -1;
    if (!note_parse_vkey(vkey, v->vname, v->vid, v->vpub)) {
        snprintf(err, errlen, "not a signed-note Ed25519 verifier key: %s", vkey);
        return false;
    }
    v->progress = isatty(STDERR_FILENO);
    return true;
}

void
verifier_free(struct verifier *v)
{
    for (size_t i = 0; i < v->ncps; i++)
        free(v->cps[i].text);
    free(v->cps);
    for (size_t i = 0; i < v->nproofs; i++)
        free(v->proofs[i].proof);
    free(v->proofs);
    free(v->leaves);
    memset(v, 0, sizeof *v);
}

bool
verifier_add_checkpoint(struct verifier *v, const char *note, size_t len, bool witness)
{
    struct checkpoint_note n;
    char why[160];
    if (!note_parse(note, len, &n, why, sizeof why))
        return fail(v, -1, "a checkpoint cannot be read: %s", why);
    if (strcmp(n.origin, v->vname))
        return fail(v, -1, "checkpoint of size %llu is for origin %s, not %s",
                    (unsigned long long)n.size, n.origin, v->vname);
    bool signed_ok = false, found = false;
    for (int i = 0; i < n.nsigs; i++)
        if (!strcmp(n.sigs[i].name, v->vname) && !memcmp(n.sigs[i].key_id, v->vid, 4)) {
            found = true;
            signed_ok =
                note_ed25519_verify(v->vpub, note, n.text_len, n.sigs[i].sig, n.sigs[i].sig_len);
        }
    if (!found)
        return fail(v, -1, "checkpoint of size %llu carries no signature by %s",
                    (unsigned long long)n.size, v->vname);
    if (!signed_ok)
        return fail(v, -1,
                    "checkpoint of size %llu: the log's signature does not verify (the "
                    "checkpoint was replaced or altered)",
                    (unsigned long long)n.size);
    struct vcheckpoint *cps = realloc(v->cps, (v->ncps + 1) * sizeof *cps);
    if (!cps)
        return fail(v, -1, "out of memory");
    v->cps = cps;
    struct vcheckpoint *c = &v->cps[v->ncps++];
    c->size = n.size;
    memcpy(c->root, n.root, 32);
    c->text = strndup(note, n.text_len);
    c->witness = witness;
    return true;
}

static int
cmp_cp(const void *a, const void *b)
{
    const struct vcheckpoint *x = a, *y = b;
    return x->size < y->size ? -1 : x->size > y->size;
}

void
verifier_ready(struct verifier *v)
{
    if (v->ncps > 1)
        qsort(v->cps, v->ncps, sizeof *v->cps, cmp_cp);
    for (size_t i = 1; i < v->ncps; i++)
        if (v->cps[i].size == v->cps[i - 1].size &&
            memcmp(v->cps[i].root, v->cps[i - 1].root, 32)) {
            fail(v, -1, "two signed checkpoints of size %llu have different roots%s",
                 (unsigned long long)v->cps[i].size,
                 v->cps[i].witness || v->cps[i - 1].witness
                     ? ": the log forked from the history you cosigned"
                     : "");
            return;
        }
    /* The empty tree's checkpoint needs no entries. */
    while (v->next < v->ncps && v->cps[v->next].size == 0) {
        mhash e;
        merkle_empty_root(e);
        if (memcmp(e, v->cps[v->next].root, 32)) {
            fail(v, -1, "the checkpoint of size 0 does not hold the empty tree's root");
            return;
        }
        v->next++;
    }
}

bool
verifier_check_consistency(struct verifier *v, uint64_t from, uint64_t to, const mhash *proof,
                           size_t len)
{
    struct vproof *ps = realloc(v->proofs, (v->nproofs + 1) * sizeof *ps);
    mhash *copy = malloc((len ? len : 1) * sizeof *copy);
    if (!ps || !copy) {
        free(copy);
        if (ps)
            v->proofs = ps;
        return fail(v, -1, "out of memory");
    }
    v->proofs = ps;
    memcpy(copy, proof, len * sizeof *copy);
    v->proofs[v->nproofs++] = (struct vproof){from, to, len, copy};
    return true;
}

static bool
check_one_consistency(struct verifier *v, uint64_t from, uint64_t to, const mhash *proof,
                      size_t len)
{
    const uint8_t *r1 = NULL, *r2 = NULL;
    for (size_t i = 0; i < v->ncps; i++) {
        if (v->cps[i].size == from)
            r1 = v->cps[i].root;
        if (v->cps[i].size == to)
            r2 = v->cps[i].root;
    }
    if (!r1 || !r2)
        return true;
    if (!merkle_verify_consistency(from, to, r1, r2, proof, len))
        return fail(v, -1,
                    "the checkpoints of sizes %llu and %llu are not consistent: the log's "
                    "history between them was rewritten",
                    (unsigned long long)from, (unsigned long long)to);
    return true;
}

/* The top-level "index" of a canonical entry: the first `"index":` cannot be inside an earlier
 * member (action, actor, client hold no such key, and strings escape their quotes). */
static bool
entry_index(const char *bytes, size_t len, uint64_t *out)
{
    const char *p = memmem(bytes, len, "\"index\":", 8);
    if (!p)
        return false;
    p += 8;
    char *end = NULL;
    unsigned long long x = strtoull(p, &end, 10);
    if (end == p || (size_t)(end - bytes) > len)
        return false;
    *out = x;
    return true;
}

static bool
check_checkpoints(struct verifier *v)
{
    while (v->next < v->ncps && v->cps[v->next].size == v->f.size) {
        mhash root;
        if (!frontier_root(&v->f, root))
            return fail(v, -1, "cannot hash");
        const struct vcheckpoint *c = &v->cps[v->next];
        if (memcmp(root, c->root, 32)) {
            uint64_t from = v->next > 0 ? v->cps[v->next - 1].size : 0;
            return fail(v, (int64_t)from,
                        c->witness ? "the first %llu entries do not hash to the root of the "
                                     "checkpoint you cosigned: the log's history was rewritten "
                                     "(an entry from index %llu on was changed)"
                                   : "the first %llu entries do not hash to the signed root of "
                                     "checkpoint %llu: an entry from index %llu on was changed",
                        (unsigned long long)c->size,
                        (unsigned long long)(c->witness ? from : c->size),
                        (unsigned long long)from);
        }
        v->next++;
    }
    return true;
}

void
verifier_hash_entry(const char *bytes, size_t len, struct hashed_entry *h)
{
    h->has_bytes = bytes != NULL;
    h->index_ok = h->hash_ok = false;
    if (!bytes)
        return;
    h->index_ok = entry_index(bytes, len, &h->claimed);
    h->hash_ok = h->index_ok && merkle_leaf_hash(bytes, len, h->leaf);
}

bool
verifier_add_entry(struct verifier *v, const char *bytes, size_t len, const uint8_t *stored)
{
    struct hashed_entry h;
    verifier_hash_entry(bytes, len, &h);
    return verifier_add_hashed(v, &h, stored);
}

bool
verifier_add_hashed(struct verifier *v, const struct hashed_entry *h, const uint8_t *stored)
{
    if (v->failed)
        return false;
    uint64_t pos = v->f.size, claimed = h->claimed;
    mhash leaf;
    if (h->has_bytes) {
        if (!h->index_ok)
            return fail(v, (int64_t)pos, "entry %llu: no index in its bytes",
                        (unsigned long long)pos);
        if (claimed != pos)
            return fail(v, (int64_t)pos,
                        "entry at position %llu says it is entry %llu: entries are missing or "
                        "out of order from index %llu",
                        (unsigned long long)pos, (unsigned long long)claimed,
                        (unsigned long long)pos);
        if (!h->hash_ok)
            return fail(v, -1, "cannot hash");
        memcpy(leaf, h->leaf, 32);
        if (stored && memcmp(stored, leaf, 32))
            return fail(v, (int64_t)pos,
                        "entry %llu: its bytes do not hash to the leaf the log recorded (the "
                        "entry was changed after it was logged)",
                        (unsigned long long)pos);
    } else if (stored) {
        memcpy(leaf, stored, 32); /* withheld from this caller: the hash still counts */
    } else {
        return fail(v, (int64_t)pos, "entry %llu has neither bytes nor hash",
                    (unsigned long long)pos);
    }
    uint8_t *slot = arr_push((void **)&v->leaves, &v->nleaves, &v->cap, sizeof *v->leaves);
    if (!slot)
        return fail(v, -1, "out of memory");
    memcpy(slot, leaf, 32);
    mhash nodes[MERKLE_MAX_DEPTH];
    int nn;
    if (!frontier_append(&v->f, leaf, nodes, &nn))
        return fail(v, -1, "cannot extend the tree");
    if (v->progress && v->f.size % 20000 == 0)
        fprintf(stderr, "\rverified %llu entries", (unsigned long long)v->f.size);
    return check_checkpoints(v);
}

bool
verifier_finish(struct verifier *v)
{
    if (v->progress && v->f.size >= 20000)
        fprintf(stderr, "\rverified %llu entries\n", (unsigned long long)v->f.size);
    if (v->failed)
        return false;
    if (v->next < v->ncps)
        return fail(v, (int64_t)v->f.size,
                    "checkpoint of size %llu was signed, but the log has only %llu entries: "
                    "entries from index %llu on are missing",
                    (unsigned long long)v->cps[v->ncps - 1].size, (unsigned long long)v->f.size,
                    (unsigned long long)v->f.size);
    for (size_t i = 0; i < v->nproofs; i++)
        if (!check_one_consistency(v, v->proofs[i].from, v->proofs[i].to,
                                   (const mhash *)v->proofs[i].proof, v->proofs[i].len))
            return false;
    return true;
}

bool
verifier_mismatch_range(const struct verifier *v, uint64_t *from, uint64_t *to, uint8_t root[32])
{
    if (!v->failed || v->next >= v->ncps || v->bad_index < 0)
        return false;
    *from = (uint64_t)v->bad_index;
    *to = v->cps[v->next].size;
    memcpy(root, v->cps[v->next].root, 32);
    return *to > *from;
}
