/*
 * sequencer.c — gives queued audit entries their dense indexes and extends the Merkle tree.
 *
 * One thread per ggzyd. Each batch is one transaction: lock the head row (size and frontier),
 * read up to BATCH committed entries without an index in qid order, and for each: index =
 * size++, entry = head || index || tail (the bytes are made here, once, and stored exactly as
 * hashed), leaf hash and completed nodes by frontier_append; write them back ROWS_PER_STMT rows per
 * statement; store the new head; commit. Sequencers of several nodes serialize on the head row.
 * After each batch the checkpointer (checkpoint.c) may sign the new tree head.
 *
 * Where a batch looks: entries are queued with rising qids but commit in any order, so a batch
 * reads the primary key from WINDOW qids below the highest one sequenced (the near look). The
 * secondary index that "idx IS NULL" would use holds, until purge, a delete-marked record for
 * every entry sequenced lately, and under load walking them cost more than the batch's writes.
 * An entry that commits more than WINDOW qids late (a long transaction) is found by the full
 * look through that index, made at start, at least once a second, and — at most every 100 ms —
 * when audit_wait has waited 200 ms for its entry.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit.h"
#include "logwatch.h"
#include "checkpoint.h"
#include "db.h"
#include "merkle.h"
#include "util.h"

#define BATCH         512
#define ROWS_PER_STMT 64
#define COLS          8
#define WINDOW        2048

static pthread_t thread;
static bool started;
static atomic_bool stopping;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static bool kicked;
static char sql_write_many[4096];

static struct {
    const char *action, *sql;
} hooks[16];
static size_t nhooks;

void
audit_on_sequenced(const char *action, const char *sql)
{
    if (nhooks < ARRAY_LEN(hooks)) {
        hooks[nhooks].action = action;
        hooks[nhooks].sql = sql;
        nhooks++;
    }
}

#define HEAD_COLS(X)                                                                               \
    X(HD_SIZE, "size")                                                                             \
    X(HD_FRONTIER, "frontier")
enum { HEAD_COLS(DB_COL_ENUM) HD__COUNT };
#define PENDING_COLS(X)                                                                            \
    X(PD_QID, "qid")                                                                               \
    X(PD_RECORDED, "recorded_us")                                                                  \
    X(PD_ACTION, "action")                                                                         \
    X(PD_OBJ_TYPE, "object_type")                                                                  \
    X(PD_OBJ_ID, "object_id")                                                                      \
    X(PD_HEAD, "head")                                                                             \
    X(PD_TAIL, "tail")
enum { PENDING_COLS(DB_COL_ENUM) PD__COUNT };
static const char sql_head[] =
    "SELECT " HEAD_COLS(DB_COL_SQL) DB_COL_END " FROM audit_head WHERE id = 1 FOR UPDATE";
static const char sql_pending_all[] =
    "SELECT " PENDING_COLS(DB_COL_SQL) DB_COL_END " FROM audit_entries "
                                                  "WHERE idx IS NULL ORDER BY qid LIMIT 512";
static const char sql_pending_near[] = "SELECT " PENDING_COLS(DB_COL_SQL) DB_COL_END
    " FROM audit_entries FORCE INDEX (PRIMARY) WHERE qid > ? AND idx IS NULL "
    "ORDER BY qid LIMIT 512";
static const char sql_last_qid[] = "SELECT COALESCE(MAX(qid), 0) FROM audit_entries";
static const char sql_write_one[] =
    "INSERT INTO audit_entries (qid, idx, recorded_us, action, object_type, object_id, entry, "
    "nodes) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE idx = VALUES(idx), "
    "entry = VALUES(entry), nodes = VALUES(nodes), head = NULL, tail = NULL";
static const char sql_bump[] = "UPDATE audit_head SET size = ?, frontier = ? WHERE id = 1";

/* The batched form of sql_write_one, built once from constants. */
static void
build_write_many(void)
{
    struct buf b = {0};
    buf_puts(&b, "INSERT INTO audit_entries (qid, idx, recorded_us, action, object_type, "
                 "object_id, entry, nodes) VALUES ");
    for (int i = 0; i < ROWS_PER_STMT; i++)
        buf_puts(&b, i ? ", (?, ?, ?, ?, ?, ?, ?, ?)" : "(?, ?, ?, ?, ?, ?, ?, ?)");
    buf_puts(&b, " ON DUPLICATE KEY UPDATE idx = VALUES(idx), entry = VALUES(entry), "
                 "nodes = VALUES(nodes), head = NULL, tail = NULL");
    snprintf(sql_write_many, sizeof sql_write_many, "%s", b.p ? b.p : "");
    buf_free(&b);
}

struct seq_row {
    char *entry;
    size_t len;
    mhash nodes[MERKLE_MAX_DEPTH];
    int nnodes;
};

static bool
begin(struct dbconn *c)
{
    static const char sql[] = "START TRANSACTION";
    return db_exec(c, sql, NULL, 0, NULL, NULL) == DB_OK;
}

static void
rollback(struct dbconn *c)
{
    static const char sql[] = "ROLLBACK";
    (void)db_exec(c, sql, NULL, 0, NULL, NULL);
}

static bool
commit(struct dbconn *c)
{
    static const char sql[] = "COMMIT";
    return db_exec(c, sql, NULL, 0, NULL, NULL) == DB_OK;
}

/* The highest qid this node's sequencer has committed an index for: audit_wait sleeps on it
 * instead of asking the database every millisecond (an entry another node sequences is still
 * found by the periodic look in audit_wait). */
static int64_t sequenced_max;
static pthread_mutex_t seq_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t seq_cv = PTHREAD_COND_INITIALIZER;

static void
sequenced_up_to(int64_t qid)
{
    pthread_mutex_lock(&seq_mu);
    if (qid > sequenced_max)
        sequenced_max = qid;
    pthread_cond_broadcast(&seq_cv);
    pthread_mutex_unlock(&seq_mu);
}

/* The near look's lower bound (only the sequencer thread moves it), and the full look's clock. */
static int64_t scan_from;
static int64_t last_full_ms = -1;
static atomic_bool full_wanted;

static int64_t
monotonic_ms(void)
{
    return monotonic_us() / 1000;
}

/* Whether this batch makes the full look (see the top of the file). */
static bool
full_look_due(void)
{
    int64_t now = monotonic_ms(), since = last_full_ms < 0 ? INT64_MAX : now - last_full_ms;
    if (since < 1000 && !(since >= 100 && atomic_load(&full_wanted)))
        return false;
    atomic_store(&full_wanted, false);
    last_full_ms = now;
    return true;
}

int
audit_sequence_batch(struct dbconn *c)
{
    struct dbres head = {0}, pend = {0};
    struct seq_row *rows = NULL;
    int done = -1;
    struct frontier f;
    if (!begin(c))
        return -1;
    if (db_query(c, sql_head, NULL, 0, &head) != DB_OK || head.nrows != 1 ||
        !frontier_decode(&f, (uint64_t)dbres_i64(&head, 0, HD_SIZE),
                         dbres_str(&head, 0, HD_FRONTIER), dbres_len(&head, 0, HD_FRONTIER))) {
        log_error("cannot read the audit head: %s", db_last_error(c));
        goto fail;
    }
    bool full = full_look_due();
    int64_t last_qid = 0;
    if (full) { /* where the near look may start after it, even if nothing is pending */
        struct dbres m;
        if (db_query(c, sql_last_qid, NULL, 0, &m) != DB_OK)
            goto fail;
        last_qid = dbres_i64(&m, 0, DB_VALUE);
        dbres_free(&m);
    }
    struct dbv from[] = {DBV_INT(scan_from)};
    if (full ? db_query(c, sql_pending_all, NULL, 0, &pend) != DB_OK
             : db_query(c, sql_pending_near, from, 1, &pend) != DB_OK)
        goto fail;
    if (pend.nrows == 0) {
        done = checkpoint_maybe(c, &f) ? 0 : -1;
        goto out;
    }
    rows = calloc(pend.nrows, sizeof *rows);
    if (!rows)
        goto fail;
    uint64_t first = f.size;
    for (size_t i = 0; i < pend.nrows; i++) {
        struct buf b = {0};
        buf_append(&b, dbres_str(&pend, i, PD_HEAD), dbres_len(&pend, i, PD_HEAD));
        buf_printf(&b, "%llu", (unsigned long long)f.size);
        buf_append(&b, dbres_str(&pend, i, PD_TAIL), dbres_len(&pend, i, PD_TAIL));
        if (b.oom) {
            buf_free(&b);
            goto fail;
        }
        rows[i].len = b.len;
        rows[i].entry = buf_take(&b);
        mhash leaf;
        if (!rows[i].entry || !merkle_leaf_hash(rows[i].entry, rows[i].len, leaf) ||
            !frontier_append(&f, leaf, rows[i].nodes, &rows[i].nnodes))
            goto fail;
    }
    for (size_t i = 0; i < pend.nrows;) {
        size_t k = pend.nrows - i >= ROWS_PER_STMT ? ROWS_PER_STMT : 1;
        struct dbv v[ROWS_PER_STMT * COLS];
        for (size_t j = 0; j < k; j++) {
            size_t r = i + j;
            struct dbv *p = &v[j * COLS];
            p[0] = DBV_INT(dbres_i64(&pend, r, PD_QID));
            p[1] = DBV_INT((int64_t)(first + r));
            p[2] = DBV_INT(dbres_i64(&pend, r, PD_RECORDED));
            p[3] = DBV_STR(dbres_str(&pend, r, PD_ACTION));
            p[4] = DBV_STR(dbres_str(&pend, r, PD_OBJ_TYPE));
            p[5] = DBV_INT(dbres_i64(&pend, r, PD_OBJ_ID));
            p[6] = DBV_BLOB(rows[r].entry, rows[r].len);
            p[7] = DBV_BLOB(rows[r].nodes, (size_t)rows[r].nnodes * 32);
        }
        if (db_exec(c, k == 1 ? sql_write_one : sql_write_many, v, k * COLS, NULL, NULL) != DB_OK)
            goto fail;
        i += k;
    }
    for (size_t i = 0; i < pend.nrows && nhooks; i++)
        for (size_t h = 0; h < nhooks; h++)
            if (!strcmp(hooks[h].action, dbres_str(&pend, i, PD_ACTION))) {
                struct dbv hp[] = {DBV_INT((int64_t)(first + i)),
                                   DBV_INT(dbres_i64(&pend, i, PD_OBJ_ID))};
                if (db_exec(c, hooks[h].sql, hp, 2, NULL, NULL) != DB_OK)
                    goto fail;
            }
    struct dbv q[] = {DBV_INT((int64_t)f.size), DBV_BLOB(f.h, (size_t)f.n * 32)};
    if (db_exec(c, sql_bump, q, 2, NULL, NULL) != DB_OK || !checkpoint_maybe(c, &f))
        goto fail;
    done = (int)pend.nrows;
out:
    if (!commit(c)) {
        done = -1;
        goto fail;
    }
    if (done > 0) { /* wake those waiting for these entries' indexes (audit_wait) */
        int64_t top = dbres_i64(&pend, pend.nrows - 1, PD_QID);
        sequenced_up_to(top);
        /* a full batch leaves more behind, above top: the near look must start below them */
        if (top > last_qid || pend.nrows == BATCH)
            last_qid = top;
    }
    if (last_qid - WINDOW > scan_from)
        scan_from = last_qid - WINDOW;
    goto cleanup;
fail:
    if (db_last_errno(c))
        log_warn("sequencing failed (%u): %s", db_last_errno(c), db_last_error(c));
    rollback(c);
    done = -1;
cleanup:
    for (size_t i = 0; rows && i < pend.nrows; i++)
        free(rows[i].entry);
    free(rows);
    dbres_free(&head);
    dbres_free(&pend);
    return done;
}

void
audit_kick(void)
{
    pthread_mutex_lock(&mu);
    kicked = true;
    pthread_cond_signal(&cv);
    pthread_mutex_unlock(&mu);
}

static const char sql_where[] = "SELECT idx FROM audit_entries WHERE qid = ? AND idx IS NOT NULL";

bool
audit_wait(struct dbconn *c, int64_t qid, struct audit_ref *ref, int timeout_ms)
{
    int64_t start = monotonic_ms();
    for (;;) {
        /* until this node's sequencer has passed qid, or 20 ms (another node's may have) */
        pthread_mutex_lock(&seq_mu);
        struct timespec until;
        clock_deadline_ms(CLOCK_REALTIME, 20, &until);
        bool passed = sequenced_max >= qid;
        while (!passed && pthread_cond_timedwait(&seq_cv, &seq_mu, &until) == 0)
            passed = sequenced_max >= qid;
        pthread_mutex_unlock(&seq_mu);
        struct dbres r;
        struct dbv p[] = {DBV_INT(qid)};
        if (db_query(c, sql_where, p, 1, &r) != DB_OK)
            return false;
        bool found = r.nrows == 1;
        if (found)
            ref->index = dbres_i64(&r, 0, DB_VALUE);
        dbres_free(&r);
        if (found)
            return true;
        int64_t waited = monotonic_ms() - start;
        if (waited >= timeout_ms)
            return false;
        if (waited >= 200) /* committed behind the near look's window? */
            atomic_store(&full_wanted, true);
        audit_kick(); /* not there yet: make sure the sequencer looks */
    }
}

static void *
sequencer_main(void *arg)
{
    (void)arg;
    log_set_request_id("sequencer");
    while (!atomic_load(&stopping)) {
        int n = 0;
        struct dbconn *c = db_acquire();
        if (c) {
            n = audit_sequence_batch(c);
            db_release(c);
        }
        if (n > 0)
            continue; /* more may be waiting */
        /* Sleep until kicked (every local commit kicks), or a while: entries committed by other
         * nodes, and periodic checkpoints, need no kick; idle polling costs a core's share on a
         * small machine, so it is 100 ms (500 ms after an error). */
        pthread_mutex_lock(&mu);
        if (!kicked && !atomic_load(&stopping)) {
            struct timespec ts;
            clock_deadline_ms(CLOCK_REALTIME, n < 0 ? 500 : 100, &ts);
            pthread_cond_timedwait(&cv, &mu, &ts);
        }
        kicked = false;
        pthread_mutex_unlock(&mu);
    }
    /* Drain what is left before stopping, so a clean shutdown leaves nothing queued. */
    struct dbconn *c = db_acquire();
    if (c) {
        last_full_ms = -1; /* a full look first */
        while (audit_sequence_batch(c) > 0)
            ;
        db_release(c);
    }
    return NULL;
}

bool
audit_start(const struct config *cfg)
{
    build_write_many();
    logwatch_reset();
    /* the trust anchors in force belong to every project's timeline (the replay checks each
     * signature against the anchors published before it): audit_global lists them */
    static const char sql_global[] =
        "INSERT IGNORE INTO audit_global (idx, object_id) VALUES (?, ?)";
    static bool global_hooked;
    if (!global_hooked)
        audit_on_sequenced("trust.anchors", sql_global);
    global_hooked = true;
    if (!checkpoint_init(cfg))
        return false;
    atomic_store(&stopping, false);
    scan_from = 0;
    last_full_ms = -1;
    started = pthread_create(&thread, NULL, sequencer_main, NULL) == 0;
    if (!started)
        log_error("cannot start the audit sequencer");
    return started;
}

void
audit_stop(void)
{
    if (started) {
        atomic_store(&stopping, true);
        audit_kick();
        pthread_join(thread, NULL);
        started = false;
    }
    checkpoint_fini();
}
