/*
 * logwatch.c — see logwatch.h. The checks read entries in batches, in index order, re-hash each
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
            mhash leaf, nodes[MERKLE_MAX_DEPTH];
            int nn;
            if (idx != at + i || !dbres_str(&r, i, LW_ENTRY) || !dbres_str(&r, i, LW_NODES) ||
                dbres_len(&r, i, LW_NODES) < 32) {
                logwatch_alarm("entry %llu is missing or has no stored leaf",
                               (unsigned long long)(at + i));
                ok = false;
                break;
            }
            if (!merkle_leaf_hash(dbres_str(&r, i, LW_ENTRY), dbres_len(&r, i, LW_ENTRY), leaf) ||
                memcmp(leaf, dbres_str(&r, i, LW_NODES), 32) != 0) {
                logwatch_alarm("entry %llu does not hash to its stored leaf",
                               (unsigned long long)idx);
                ok = false;
                break;
            }
            if (!frontier_append(f, leaf, nodes, &nn)) {
                ok = false;
                break;
            }
            if (next < nsizes && f->size == sizes[next]) {
                mhash root;
                if (!frontier_root(f, root) || memcmp(root, roots[next], 32) != 0) {
                    logwatch_alarm("the entries up to %llu do not make the tree of the signed "
                                   "checkpoint of that size: an entry and its leaf were altered",
                                   (unsigned long long)f->size);
                    ok = false;
                    break;
                }
                next++;
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
    ok = ok && !atomic_load(&alarmed) && rehash(c, 0, size, &f, sizes, roots, n, db_error);
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
