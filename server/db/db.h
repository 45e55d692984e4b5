/*
 * db.h — the database layer: a bounded, thread-safe pool of MariaDB Connector/C connections,
 * prepared-statement helpers (the only way ggzyd sends SQL built at run time: values always
 * travel as bound parameters), the one MariaDB error classifier and the one transaction
 * helper, which retries deadlocks, lock-wait timeouts and Galera certification conflicts.
 *
 * A connection that reports a lost server is marked broken and closed when released; the pool
 * opens a new one on the next acquire, so ggzyd recovers by itself when the database returns.
 * Times are stored as BIGINT microseconds from clock_now_us(), never from SQL NOW().
 */
#ifndef GGZY_DB_H
#define GGZY_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "config.h"

struct dbconn;

/* The classifier's verdicts (db_classify). */
enum db_status {
    DB_OK = 0,
    DB_DUPLICATE, /* unique key taken: 409 */
    DB_RETRY,     /* deadlock, lock wait timeout, Galera certification conflict: retry tx */
    DB_LOST,      /* connection gone: drop it, 503 */
    DB_FOREIGN,   /* foreign key refused: the referenced row is missing or in use */
    DB_ERROR,     /* anything else: 500 */
    DB_REFUSED,   /* not the database's verdict: db_tx's function refused and rolled back */
};

enum dbv_type { DBV_NULL, DBV_I64, DBV_STR, DBV_BLOB };
struct dbv {
    enum dbv_type t;
    int64_t i;
    const void *p;
    size_t n;
};
#define DBV_INT(x)     ((struct dbv){.t = DBV_I64, .i = (x)})
#define DBV_STR(x)     ((struct dbv){.t = DBV_STR, .p = (x), .n = strlen(x)})
#define DBV_STRN(x, l) ((struct dbv){.t = DBV_STR, .p = (x), .n = (l)})
#define DBV_BLOB(x, l) ((struct dbv){.t = DBV_BLOB, .p = (x), .n = (l)})
#define DBV_NUL        ((struct dbv){.t = DBV_NULL})

/* A fully fetched result: every cell as text (numbers in decimal); cell==NULL is SQL NULL. */
struct dbres {
    size_t nrows, ncols;
    char **cell;        /* nrows*ncols */
    unsigned long *len; /* byte length of each cell */
};
/* Named columns: one X-macro per SELECT, X(ENUM_NAME, "sql expression"), makes both the
 * statement's column list ("SELECT " COLS(DB_COL_SQL) DB_COL_END " FROM …") and the enum of the
 * columns' positions (enum { COLS(DB_COL_ENUM) }), so no literal column index is ever read. */
#define DB_COL_SQL(name, sql)  sql ", "
#define DB_COL_END             "NULL" /* the list's last column: each name is followed by a comma */
#define DB_COL_ENUM(name, sql) name,
/* The column of a statement that selects one value (SELECT COUNT(*) …). */
enum { DB_VALUE = 0 };
const char *dbres_str(const struct dbres *r, size_t row, size_t col); /* NULL for SQL NULL */
int64_t dbres_i64(const struct dbres *r, size_t row, size_t col);     /* 0 for NULL */
size_t dbres_len(const struct dbres *r, size_t row, size_t col);      /* bytes (0 for NULL) */
/* Take a cell out of r: the caller owns (and frees) it; NULL for SQL NULL or out of range. */
char *dbres_take(struct dbres *r, size_t row, size_t col);
void dbres_free(struct dbres *r);

/* Run one prepared statement (cached per connection by the sql pointer, so pass literals). */
enum db_status db_exec(struct dbconn *c, const char *sql, const struct dbv *params, size_t np,
                       uint64_t *affected, uint64_t *insert_id);
/* Same, fetching every row into out (caller frees with dbres_free, also on error). */
enum db_status db_query(struct dbconn *c, const char *sql, const struct dbv *params, size_t np,
                        struct dbres *out);
/* The last error of this connection, for logs (never holds parameter values). */
const char *db_last_error(const struct dbconn *c);
unsigned db_last_errno(const struct dbconn *c);

enum db_status db_classify(unsigned mysql_errno);

/* Pool. db_acquire waits at most db.acquire_timeout_ms; NULL means unavailable (503). */
bool db_pool_init(const struct config *cfg);
void db_pool_shutdown(void);
struct dbconn *db_acquire(void);
void db_release(struct dbconn *c);
struct db_pool_stats {
    long in_use, idle, size, waits, timeouts, connects, connect_failures, lost;
};
void db_pool_stats(struct db_pool_stats *s);

/* A standalone connection outside the pool (migrations, bootstrap). multi: allow several
 * statements in one mysql_real_query (only for trusted migration files). */
struct dbconn *db_connect_direct(const struct config *cfg, bool multi, char *err, size_t errlen);
void db_close_direct(struct dbconn *c);
/* Run trusted SQL text (migration files only). */
enum db_status db_run_script(struct dbconn *c, const char *sql, size_t len);

/*
 * The unit of work: db_tx runs fn inside START TRANSACTION ... COMMIT on connection c — a
 * request's, a scheduler job's or a standalone one; nothing here knows a request. fn returns:
 *   TX_COMMIT  — commit;
 *   TX_REFUSE  — roll back (fn recorded why wherever its caller looks: in ctx, or on a request);
 *   TX_DBFAIL  — a db_exec/db_query failed; db_tx classifies db_last_errno() and retries
 *                DB_RETRY (deadlock, lock wait, Galera certification; up to 5 times).
 * fn may run several times: it must set everything it produces afresh on each run.
 * Returns DB_OK when committed, DB_REFUSED when fn refused, or the failure's class (DB_LOST,
 * DB_DUPLICATE, DB_FOREIGN, DB_RETRY after the last retry, DB_ERROR). The HTTP layer's
 * req_tx (http.h) wraps it for a request.
 */
enum tx_result { TX_COMMIT, TX_REFUSE, TX_DBFAIL };
typedef enum tx_result (*tx_fn)(struct dbconn *c, void *ctx);
enum db_status db_tx(struct dbconn *c, tx_fn fn, void *ctx);
/* Run fn(c, arg) right after the current transaction commits (not if it rolls back or is
 * retried: a retried fn registers again). At most DB_ON_COMMIT_MAX per transaction; false when
 * full. The audit log uses it to wake its sequencer. */
#define DB_ON_COMMIT_MAX 4
typedef void (*db_commit_fn)(struct dbconn *c, void *arg);
bool db_on_commit(struct dbconn *c, db_commit_fn fn, void *arg);
/* Whether fn is registered on the current transaction (audit: one entry per transaction). */
bool db_on_commit_has(const struct dbconn *c, db_commit_fn fn);
/* False once the connection reported a lost server (it is closed when released). */
bool db_usable(const struct dbconn *c);

#endif
