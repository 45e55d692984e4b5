/*
 * verify.h — the log verifier behind `ggzy audit verify`: it trusts nothing but the log's
 * verifier key. Checkpoints must carry a valid signature by that key; entries are hashed
 * again and the tree rebuilt from them, and at every checkpoint's size the rebuilt root must be
 * the signed one (which also proves successive checkpoints consistent); consistency proofs
 * served alongside are checked as well. The first problem found is kept with the index it
 * concerns.
 */
#ifndef GGZY_VERIFY_H
#define GGZY_VERIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "merkle.h"
#include "note.h"

struct vcheckpoint {
    uint64_t size;
    uint8_t root[32];
    char *text;   /* the signed text, for cosigning */
    bool witness; /* from the supervisor's own state file */
};

struct vproof {
    uint64_t from, to;
    size_t len;
    mhash *proof;
};

struct verifier {
    char vname[256];
    uint8_t vid[4], vpub[32];
    struct vcheckpoint *cps;
    size_t ncps, next;
    struct frontier f;
    mhash *leaves;
    size_t nleaves, cap;
    bool failed;
    int64_t bad_index; /* -1 when the problem is not one entry's */
    char error[600];
    bool progress;         /* print progress to a terminal */
    struct vproof *proofs; /* served consistency proofs, checked after the entries */
    size_t nproofs;
};

bool verifier_init(struct verifier *v, const char *vkey, char *err, size_t errlen);
void verifier_free(struct verifier *v);
/* A signed checkpoint note. witness: the supervisor's own cosigned copy (a fork shows here). */
bool verifier_add_checkpoint(struct verifier *v, const char *note, size_t len, bool witness);
/* Sort the checkpoints; call once they are all added and before the first entry. */
void verifier_ready(struct verifier *v);
/* A consistency proof served for two of the checkpoints; checked by verifier_finish once the
 * entries have been (so a tampered entry is named by its index, not by the proof it spoils). */
bool verifier_check_consistency(struct verifier *v, uint64_t from, uint64_t to, const mhash *proof,
                                size_t len);
/* The entry at the next position: its bytes (or NULL when withheld) and the leaf hash the log
 * stored for it (may be NULL). */
bool verifier_add_entry(struct verifier *v, const char *bytes, size_t len, const uint8_t *stored);
/* The same in two steps, so that the order-free work runs on many threads: verifier_hash_entry
 * (pure: the entry's claimed index and its leaf hash, into h), then verifier_add_hashed in log
 * order. bytes NULL: withheld (only the stored hash counts). */
struct hashed_entry {
    bool has_bytes, index_ok, hash_ok;
    uint64_t claimed;
    uint8_t leaf[32];
};
void verifier_hash_entry(const char *bytes, size_t len, struct hashed_entry *h);
bool verifier_add_hashed(struct verifier *v, const struct hashed_entry *h, const uint8_t *stored);
bool verifier_finish(struct verifier *v);
/* After a root mismatch at checkpoint size: the range of entries it concerns. */
bool verifier_mismatch_range(const struct verifier *v, uint64_t *from, uint64_t *to,
                             uint8_t root[32]);

#endif
