/*
 * logwatch.c — see logwatch.h. The checks read entries in batches, in index order (the full scan:
 * in queue order, put back in index order in a window), re-hash each
 * from its stored bytes (RFC 6962 leaf: SHA-256(0x00 || entry)) and extend a frontier with the
 * results, so the roots they compare come from the entries themselves, never from stored nodes
 * (but for the last signed tree's subtree roots, which its signed root vouches for).
 */
#include "logwatch.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "checkpoint.h"
#include "db.h"
#include "util.h"

#define BATCH 512

#define LEAF_COLS(X)                                                                               \
    X(LW_IDX, "idx")                                                                               \
    X(LW_ENTRY, "entry")                                                                           \
    X(LW_NODES, "nodes")
enum { LEAF_COLS(DB_COL_ENUM) LW__COUNT };
#define ROOT_COLS(X)                                                                               \
    X(CR_SIZE, "size")                                                                             \
    X(CR_ROOT, "root")
enum { ROOT_COLS(DB_COL_ENUM) CR__COUNT };

static atomic_bool alarmed;
static pthread_mutex_t why_mu = PTHREAD_MUTEX_INITIALIZER;
static char alarm_why[400];

void
logwatch_alarm(const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    pthread_mutex_lock(&why_mu);
    if (!atomic_load(&alarmed))
        snprintf(alarm_why, sizeof alarm_why, "%s", msg);
    atomic_store(&alarmed, true);
    pthread_mutex_unlock(&why_mu);
    log_error("THE AUDIT LOG IS ALTERED, checkpoints are no longer signed: %s", msg);
}

bool
logwatch_ok(char *why, size_t whylen)
{
    if (!atomic_load(&alarmed))
        return true;
    pthread_mutex_lock(&why_mu);
    snprintf(why, whylen, "%s", alarm_why);
    pthread_mutex_unlock(&why_mu);
    return false;
}

/* The leaf of row i of r (its entry in column ce, its stored nodes in cn), re-hashed from the
 * entry's bytes and compared with the stored leaf. False: alarm raised. */
static bool
row_leaf(const struct dbres *r, size_t i, size_t ce, size_t cn, uint64_t idx, mhash leaf)
{
    if (!dbres_str(r, i, ce) || !dbres_str(r, i, cn) || dbres_len(r, i, cn) < 32) {
        logwatch_alarm("entry %llu has no stored bytes or leaf", (unsigned long long)idx);
        return false;
    }
    if (!merkle_leaf_hash(dbres_str(r, i, ce), dbres_len(r, i, ce), leaf) ||
        memcmp(leaf, dbres_str(r, i, cn), 32) != 0) {
        logwatch_alarm("entry %llu does not hash to its stored leaf", (unsigned long long)idx);
        return false;
    }
    return true;
}

/* Append the next leaf to f; where f then has the size of the next signed checkpoint
 * (sizes[*next]), compare the root with the signed one. False: alarm raised. */
static bool
extend(struct frontier *f, const mhash leaf, const uint64_t *sizes, const uint8_t (*roots)[32],
       size_t nsizes, size_t *next)
{
    mhash nodes[MERKLE_MAX_DEPTH], root;
    int nn;
    if (!frontier_append(f, leaf, nodes, &nn))
        return false;
    if (*next < nsizes && f->size == sizes[*next]) {
        if (!frontier_root(f, root) || memcmp(root, roots[*next], 32) != 0) {
            logwatch_alarm("the entries up to %llu do not make the tree of the signed "
                           "checkpoint of that size: an entry and its leaf were altered",
                           (unsigned long long)f->size);
            return false;
        }
        (*next)++;
    }
    return true;
}

/* Re-hash entries [from, to) into f (which holds the tree of size from), comparing each with its
 * stored leaf; at each size in sizes[] (ascending; roots[] their signed roots) compare the root.
 * False: alarm raised, or *db_error. */
static bool
rehash(struct dbconn *c, uint64_t from, uint64_t to, struct frontier *f, const uint64_t *sizes,
       const uint8_t (*roots)[32], size_t nsizes, bool *db_error)
{
    static const char sql[] = "SELECT " LEAF_COLS(DB_COL_SQL) DB_COL_END
        " FROM audit_entries WHERE idx >= ? AND idx < ? ORDER BY idx";
    size_t next = 0;
    while (next < nsizes && sizes[next] <= from)
        next++;
    for (uint64_t at = from; at < to;) {
        uint64_t end = to - at > BATCH ? at + BATCH : to;
        struct dbres r;
        struct dbv p[] = {DBV_INT((int64_t)at), DBV_INT((int64_t)end)};
        if (db_query(c, sql, p, 2, &r) != DB_OK) {
            dbres_free(&r);
            *db_error = true;
            return false;
        }
        bool ok = r.nrows == end - at;
        for (size_t i = 0; ok && i < r.nrows; i++) {
            uint64_t idx = (uint64_t)dbres_i64(&r, i, LW_IDX);
            mhash leaf;
            if (idx != at + i) {
                logwatch_alarm("entry %llu is missing", (unsigned long long)(at + i));
                ok = false;
                break;
            }
            if (!row_leaf(&r, i, LW_ENTRY, LW_NODES, idx, leaf)) {
                ok = false;
                break;
            }
            if (!extend(f, leaf, sizes, roots, nsizes, &next)) {
                ok = false;
                break;
            }
        }
        if (ok && r.nrows != end - at)
            logwatch_alarm("entries %llu to %llu are missing", (unsigned long long)at,
                           (unsigned long long)end);
        dbres_free(&r);
        if (!ok)
            return false;
        at = end;
    }
    return true;
}

/* The full scan's reading order. An entry's index follows its queue number (qid, the primary
 * key) but for entries sequenced while an earlier transaction was still open, so the scan reads
 * the table in primary-key order — a sequential read, three times cheaper for the database than
 * the index's order (docs/operations.md "Benchmarks") — and puts each leaf at its index in a
 * window of WINDOW leaves that drains in index order. An index further ahead than the window (a
 * transaction held open across that many appends): the rest is read in index order (rehash). */
#define WINDOW 65536

static bool
rehash_queue_order(struct dbconn *c, uint64_t to, struct frontier *f, const uint64_t *sizes,
                   const uint8_t (*roots)[32], size_t nsizes, bool *db_error)
{
    enum { Q_QID, Q_IDX, Q_ENTRY, Q_NODES };
    static const char sql[] = "SELECT qid, idx, entry, nodes FROM audit_entries WHERE qid > ? "
                              "ORDER BY qid LIMIT 4096";
    mhash *ring = malloc((size_t)WINDOW * sizeof *ring);
    uint8_t *have = calloc(WINDOW, 1);
    if (!ring || !have) {
        free(ring);
        free(have);
        return rehash(c, f->size, to, f, sizes, roots, nsizes, db_error);
    }
    size_t next_cp = 0;
    while (next_cp < nsizes && sizes[next_cp] <= f->size)
        next_cp++;
    int64_t qid = 0;
    bool ok = true, ahead = false;
    while (ok && !ahead && f->size < to) {
        struct dbres r;
        struct dbv p[] = {DBV_INT(qid)};
        if (db_query(c, sql, p, 1, &r) != DB_OK) {
            dbres_free(&r);
            *db_error = true;
            ok = false;
            break;
        }
        if (r.nrows == 0) {
            logwatch_alarm("entries %llu to %llu are missing", (unsigned long long)f->size,
                           (unsigned long long)to);
            ok = false;
        }
        for (size_t i = 0; ok && i < r.nrows; i++) {
            qid = dbres_i64(&r, i, Q_QID);
            if (!dbres_str(&r, i, Q_IDX))
                continue; /* not sequenced yet */
            uint64_t idx = (uint64_t)dbres_i64(&r, i, Q_IDX);
            if (idx >= to)
                continue; /* beyond the tree this scan checks */
            if (idx >= f->size + WINDOW) {
                ahead = true;
                break;
            }
            mhash leaf;
            if (idx < f->size || have[idx % WINDOW]) {
                logwatch_alarm("entry %llu is stored twice", (unsigned long long)idx);
                ok = false;
            } else if (!row_leaf(&r, i, Q_ENTRY, Q_NODES, idx, leaf))
                ok = false;
            else {
                memcpy(ring[idx % WINDOW], leaf, sizeof leaf);
                have[idx % WINDOW] = 1;
            }
            while (ok && f->size < to && have[f->size % WINDOW]) {
                have[f->size % WINDOW] = 0;
                ok = extend(f, ring[f->size % WINDOW], sizes, roots, nsizes, &next_cp);
            }
        }
        dbres_free(&r);
    }
    free(ring);
    free(have);
    if (ok && ahead) /* the window's leaves are read again, in index order */
        return rehash(c, f->size, to, f, sizes, roots, nsizes, db_error);
    return ok;
}

bool
logwatch_check_new(struct dbconn *c, uint64_t m, const mhash m_root, const struct frontier *f,
                   bool *db_error)
{
    *db_error = false;
    if (atomic_load(&alarmed))
        return false;
    /* the last signed tree, from its stored perfect subtrees, vouched for by its signed root */
    struct frontier v = {0};
    uint64_t off = 0;
    for (int level = MERKLE_MAX_DEPTH - 1; level >= 0; level--)
        if (m & ((uint64_t)1 << level)) {
            if (!audit_node(c, level, off >> level, v.h[v.n])) {
                *db_error = true;
                return false;
            }
            v.n++;
            off += (uint64_t)1 << level;
        }
    v.size = m;
    mhash root;
    if (m > 0 && (!frontier_root(&v, root) || memcmp(root, m_root, 32) != 0)) {
        logwatch_alarm("the stored subtrees of the checkpoint of size %llu do not hash to its "
                       "signed root",
                       (unsigned long long)m);
        return false;
    }
    if (!rehash(c, m, f->size, &v, NULL, NULL, 0, db_error))
        return false;
    mhash want;
    if (!frontier_root(&v, root) || !frontier_root(f, want) || memcmp(root, want, 32) != 0) {
        logwatch_alarm("the entries %llu to %llu do not make the tree about to be signed: an "
                       "entry and its leaf were altered since they were sequenced",
                       (unsigned long long)m, (unsigned long long)f->size);
        return false;
    }
    return true;
}

bool
logwatch_scan(struct dbconn *c, bool *db_error, uint64_t *entries)
{
    static const char sql_cps[] =
        "SELECT " ROOT_COLS(DB_COL_SQL) DB_COL_END " FROM audit_checkpoints ORDER BY size";
    static const char sql_size[] = "SELECT size FROM audit_head WHERE id = 1";
    struct dbres cps = {0}, head = {0};
    *db_error = false;
    *entries = 0;
    if (db_query(c, sql_cps, NULL, 0, &cps) != DB_OK ||
        db_query(c, sql_size, NULL, 0, &head) != DB_OK || head.nrows != 1) {
        dbres_free(&cps);
        dbres_free(&head);
        *db_error = true;
        return false;
    }
    size_t n = cps.nrows;
    uint64_t *sizes = calloc(n ? n : 1, sizeof *sizes);
    uint8_t(*roots)[32] = calloc(n ? n : 1, 32);
    bool ok = sizes && roots;
    for (size_t i = 0; ok && i < n; i++) {
        sizes[i] = (uint64_t)dbres_i64(&cps, i, CR_SIZE);
        ok = dbres_len(&cps, i, CR_ROOT) == 32;
        if (ok)
            memcpy(roots[i], dbres_str(&cps, i, CR_ROOT), 32);
    }
    uint64_t size = (uint64_t)dbres_i64(&head, 0, DB_VALUE);
    *entries = size;
    if (n && sizes[n - 1] > size) /* never: a checkpoint beyond the tree */
        logwatch_alarm("a signed checkpoint of size %llu is beyond the tree of %llu",
                       (unsigned long long)sizes[n - 1], (unsigned long long)size);
    struct frontier f = {0};
    ok = ok && !atomic_load(&alarmed) && rehash_queue_order(c, size, &f, sizes, roots, n, db_error);
    if (ok)
        log_info("logwatch_scan: %llu entries re-hashed, %zu signed checkpoints matched",
                 (unsigned long long)size, n);
    free(sizes);
    free(roots);
    dbres_free(&cps);
    dbres_free(&head);
    return ok;
}

void
logwatch_reset(void)
{
    atomic_store(&alarmed, false);
}
