/*
 * db.c — the MariaDB connection pool, prepared statements, the error classifier and the
 * transaction helper (see db.h for the contracts).
 *
 * Pool: a fixed array of slots guarded by one mutex and condition variable. A slot holds a
 * connection or nothing; acquire takes a free slot (waiting at most db.acquire_timeout_ms),
 * connects it when empty and pings it when it has been idle a while or when another
 * connection has been found lost since its last use (a restart loses them all at once), so a
 * database restart costs at most the requests that were in flight. Each connection caches its
 * prepared statements keyed by the SQL literal's address.
 */
#define _GNU_SOURCE
#include "db.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <mysql.h>
#include <mysqld_error.h>
#include <errmsg.h>

#include "util.h"

#define STMT_CACHE   96
#define IDLE_PING_US (5 * 1000000LL)

/* Bumped each time any connection finds the server gone: a restart loses every connection at
 * once, so the others are pinged before their next use, however recently they were used. */
static long loss_epoch;

struct stmt_ent {
    const char *sql;
    MYSQL_STMT *st;
};

struct dbconn {
    MYSQL *my;
    bool broken;
    bool pooled;
    int64_t last_used_us;
    long loss_epoch; /* the pool's loss epoch this connection was last known good in */
    unsigned last_errno;
    char last_error[256];
    struct stmt_ent cache[STMT_CACHE];
    size_t ncache;
    /* what runs once the current transaction commits (db_on_commit) */
    struct {
        db_commit_fn fn;
        void *arg;
    } on_commit[DB_ON_COMMIT_MAX];
    size_t non_commit;
};

bool
db_on_commit(struct dbconn *c, db_commit_fn fn, void *arg)
{
    if (c->non_commit == DB_ON_COMMIT_MAX)
        return false;
    c->on_commit[c->non_commit].fn = fn;
    c->on_commit[c->non_commit++].arg = arg;
    return true;
}

bool
db_on_commit_has(const struct dbconn *c, db_commit_fn fn)
{
    for (size_t i = 0; i < c->non_commit; i++)
        if (c->on_commit[i].fn == fn)
            return true;
    return false;
}

bool
db_usable(const struct dbconn *c)
{
    return c && !c->broken;
}

static const struct config *cfg;

/* ---- classifier ---- */

enum db_status
db_classify(unsigned e)
{
    switch (e) {
    case 0:
        return DB_OK;
    case ER_DUP_ENTRY:
    case ER_DUP_ENTRY_WITH_KEY_NAME:
    case ER_DUP_KEY:
        return DB_DUPLICATE;
    case ER_LOCK_DEADLOCK: /* also Galera's certification failure ("WSREP detected deadlock") */
    case ER_LOCK_WAIT_TIMEOUT:
    case ER_CHECKREAD: /* record changed since last read */
        return DB_RETRY;
    case ER_NO_REFERENCED_ROW:
    case ER_NO_REFERENCED_ROW_2:
    case ER_ROW_IS_REFERENCED:
    case ER_ROW_IS_REFERENCED_2:
        return DB_FOREIGN;
    case CR_SERVER_GONE_ERROR:
    case CR_SERVER_LOST:
    case CR_CONNECTION_ERROR:
    case CR_CONN_HOST_ERROR:
    case CR_SERVER_LOST_EXTENDED:
    case CR_COMMANDS_OUT_OF_SYNC:
    case ER_CONNECTION_KILLED:
    case ER_SERVER_SHUTDOWN:
    case ER_UNKNOWN_COM_ERROR: /* 1047: Galera node not ready (WSREP has not yet prepared) */
    case ER_QUERY_INTERRUPTED:
    case 4031: /* ER_CLIENT_INTERACTION_TIMEOUT: disconnected for inactivity */
        return DB_LOST;
    default:
        return DB_ERROR;
    }
}

static enum db_status
note_error(struct dbconn *c, unsigned e, const char *msg)
{
    c->last_errno = e;
    snprintf(c->last_error, sizeof c->last_error, "%s", msg ? msg : "");
    enum db_status st = db_classify(e);
    if (st == DB_LOST || e == 0) {
        c->broken = true;
        __atomic_add_fetch(&loss_epoch, 1, __ATOMIC_RELAXED);
    }
    return st == DB_OK ? DB_ERROR : st;
}

const char *
db_last_error(const struct dbconn *c)
{
    return c->last_error;
}

unsigned
db_last_errno(const struct dbconn *c)
{
    return c->last_errno;
}

/* ---- connections ---- */

static void
conn_close(struct dbconn *c)
{
    for (size_t i = 0; i < c->ncache; i++)
        mysql_stmt_close(c->cache[i].st);
    c->ncache = 0;
    if (c->my)
        mysql_close(c->my);
    c->my = NULL;
    c->broken = false;
}

static const char *const session_setup[] = {
    "SET SESSION sql_mode = 'STRICT_ALL_TABLES,NO_ZERO_DATE,NO_ENGINE_SUBSTITUTION,"
    "ERROR_FOR_DIVISION_BY_ZERO'",
    "SET SESSION time_zone = '+00:00'",
    "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED",
};

static bool
conn_open(struct dbconn *c, bool multi, char *err, size_t errlen)
{
    c->my = mysql_init(NULL);
    if (!c->my) {
        snprintf(err, errlen, "mysql_init failed");
        return false;
    }
    unsigned timeout = (unsigned)cfg->db_connect_timeout_s, rw = 30;
    my_bool off = 0, on = 1;
    if (mysql_optionsv(c->my, MYSQL_OPT_CONNECT_TIMEOUT, &timeout) ||
        mysql_optionsv(c->my, MYSQL_OPT_READ_TIMEOUT, &rw) ||
        mysql_optionsv(c->my, MYSQL_OPT_WRITE_TIMEOUT, &rw) ||
        mysql_optionsv(c->my, MYSQL_OPT_RECONNECT, &off) ||
        mysql_optionsv(c->my, MYSQL_SET_CHARSET_NAME, "utf8mb4")) {
        snprintf(err, errlen, "mysql_optionsv failed");
        goto fail;
    }
    if (strcmp(cfg->db_tls, "off")) {
        if (mysql_optionsv(c->my, MYSQL_OPT_SSL_ENFORCE, &on) ||
            (cfg->db_tls_ca && *cfg->db_tls_ca &&
             mysql_optionsv(c->my, MYSQL_OPT_SSL_CA, cfg->db_tls_ca)) ||
            mysql_optionsv(c->my, MYSQL_OPT_SSL_VERIFY_SERVER_CERT,
                           strcmp(cfg->db_tls, "verify") ? &off : &on)) {
            snprintf(err, errlen, "setting database TLS options failed");
            goto fail;
        }
    }
    bool local = cfg->db_socket && *cfg->db_socket;
    if (!mysql_real_connect(c->my, local ? NULL : cfg->db_host, cfg->db_user,
                            cfg->db_password ? cfg->db_password : "", cfg->db_name,
                            local ? 0 : (unsigned)cfg->db_port, local ? cfg->db_socket : NULL,
                            multi ? CLIENT_MULTI_STATEMENTS : 0)) {
        snprintf(err, errlen, "cannot connect to the database: %s", mysql_error(c->my));
        goto fail;
    }
    for (size_t i = 0; i < ARRAY_LEN(session_setup); i++)
        if (mysql_real_query(c->my, session_setup[i], strlen(session_setup[i]))) {
            snprintf(err, errlen, "session setup failed: %s", mysql_error(c->my));
            goto fail;
        }
    c->broken = false;
    return true;
fail:
    mysql_close(c->my);
    c->my = NULL;
    return false;
}

struct dbconn *
db_connect_direct(const struct config *config, bool multi, char *err, size_t errlen)
{
    if (!cfg)
        cfg = config;
    struct dbconn *c = calloc(1, sizeof *c);
    if (!c) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    if (!conn_open(c, multi, err, errlen)) {
        free(c);
        return NULL;
    }
    return c;
}

void
db_close_direct(struct dbconn *c)
{
    if (!c)
        return;
    conn_close(c);
    free(c);
}

enum db_status
db_run_script(struct dbconn *c, const char *sql, size_t len)
{
    if (mysql_real_query(c->my, sql, len))
        return note_error(c, mysql_errno(c->my), mysql_error(c->my));
    for (;;) {
        MYSQL_RES *res = mysql_store_result(c->my);
        if (res)
            mysql_free_result(res);
        else if (mysql_field_count(c->my) != 0)
            return note_error(c, mysql_errno(c->my), mysql_error(c->my));
        int more = mysql_next_result(c->my);
        if (more > 0)
            return note_error(c, mysql_errno(c->my), mysql_error(c->my));
        if (more < 0)
            break;
    }
    return DB_OK;
}

/* ---- prepared statements ---- */

static MYSQL_STMT *
stmt_get(struct dbconn *c, const char *sql, enum db_status *st)
{
    for (size_t i = 0; i < c->ncache; i++)
        if (c->cache[i].sql == sql)
            return c->cache[i].st;
    MYSQL_STMT *s = mysql_stmt_init(c->my);
    if (!s) {
        *st = note_error(c, mysql_errno(c->my), "mysql_stmt_init failed");
        return NULL;
    }
    my_bool on = 1;
    if (mysql_stmt_attr_set(s, STMT_ATTR_UPDATE_MAX_LENGTH, &on) ||
        mysql_stmt_prepare(s, sql, strlen(sql))) {
        *st = note_error(c, mysql_stmt_errno(s), mysql_stmt_error(s));
        log_error("prepare failed (%u): %s", c->last_errno, c->last_error);
        mysql_stmt_close(s);
        return NULL;
    }
    if (c->ncache == STMT_CACHE) {
        mysql_stmt_close(c->cache[0].st);
        memmove(c->cache, c->cache + 1, (STMT_CACHE - 1) * sizeof c->cache[0]);
        c->ncache--;
    }
    c->cache[c->ncache].sql = sql;
    c->cache[c->ncache].st = s;
    c->ncache++;
    return s;
}

static void
stmt_evict(struct dbconn *c, const char *sql)
{
    for (size_t i = 0; i < c->ncache; i++)
        if (c->cache[i].sql == sql) {
            mysql_stmt_close(c->cache[i].st);
            memmove(c->cache + i, c->cache + i + 1, (c->ncache - i - 1) * sizeof c->cache[0]);
            c->ncache--;
            return;
        }
}

/* Prepare (cached), bind and execute. Returns the statement or NULL with *st set. */
static MYSQL_STMT *
stmt_run(struct dbconn *c, const char *sql, const struct dbv *p, size_t np, enum db_status *st)
{
    if (!c->my || c->broken) {
        *st = note_error(c, CR_SERVER_LOST, "connection is broken");
        return NULL;
    }
    for (int attempt = 0; attempt < 2; attempt++) {
        MYSQL_STMT *s = stmt_get(c, sql, st);
        if (!s)
            return NULL;
        if (mysql_stmt_param_count(s) != np) {
            log_error("statement wants %lu parameters, got %zu",
                      (unsigned long)mysql_stmt_param_count(s), np);
            *st = note_error(c, 1, "parameter count mismatch");
            c->broken = false;
            return NULL;
        }
        MYSQL_BIND b[np ? np : 1];
        unsigned long lens[np ? np : 1];
        memset(b, 0, sizeof b);
        for (size_t i = 0; i < np; i++) {
            switch (p[i].t) {
            case DBV_NULL:
                b[i].buffer_type = MYSQL_TYPE_NULL;
                break;
            case DBV_I64:
                b[i].buffer_type = MYSQL_TYPE_LONGLONG;
                b[i].buffer = (void *)&p[i].i;
                break;
            case DBV_STR:
            case DBV_BLOB:
                b[i].buffer_type = p[i].t == DBV_STR ? MYSQL_TYPE_STRING : MYSQL_TYPE_BLOB;
                b[i].buffer = (void *)p[i].p;
                lens[i] = (unsigned long)p[i].n;
                b[i].buffer_length = lens[i];
                b[i].length = &lens[i];
                break;
            }
        }
        if ((np && mysql_stmt_bind_param(s, b)) || mysql_stmt_execute(s)) {
            unsigned e = mysql_stmt_errno(s);
            if (e == ER_NEED_REPREPARE && attempt == 0) {
                stmt_evict(c, sql);
                continue;
            }
            *st = note_error(c, e, mysql_stmt_error(s));
            if (*st == DB_LOST)
                log_warn("lost the database connection (%u): %s", e, c->last_error);
            return NULL;
        }
        *st = DB_OK;
        return s;
    }
    *st = DB_ERROR;
    return NULL;
}

enum db_status
db_exec(struct dbconn *c, const char *sql, const struct dbv *params, size_t np, uint64_t *affected,
        uint64_t *insert_id)
{
    enum db_status st;
    MYSQL_STMT *s = stmt_run(c, sql, params, np, &st);
    if (!s)
        return st;
    if (affected)
        *affected = (uint64_t)mysql_stmt_affected_rows(s);
    if (insert_id)
        *insert_id = (uint64_t)mysql_stmt_insert_id(s);
    if (mysql_stmt_free_result(s))
        return note_error(c, mysql_stmt_errno(s), mysql_stmt_error(s));
    return DB_OK;
}

enum db_status
db_query(struct dbconn *c, const char *sql, const struct dbv *params, size_t np, struct dbres *out)
{
    memset(out, 0, sizeof *out);
    enum db_status st;
    MYSQL_STMT *s = stmt_run(c, sql, params, np, &st);
    if (!s)
        return st;
    MYSQL_RES *meta = mysql_stmt_result_metadata(s);
    if (!meta) /* not a SELECT */
        return mysql_stmt_free_result(s) ? note_error(c, mysql_stmt_errno(s), mysql_stmt_error(s))
                                         : DB_OK;
    size_t nc = mysql_num_fields(meta);
    MYSQL_FIELD *f = mysql_fetch_fields(meta);
    MYSQL_BIND *b = calloc(nc, sizeof *b);
    unsigned long *len = calloc(nc, sizeof *len), *cap = calloc(nc, sizeof *cap);
    my_bool *isnull = calloc(nc, sizeof *isnull);
    char **rowbuf = calloc(nc, sizeof *rowbuf);
    size_t rows_cap = 0;
    st = DB_ERROR;
    if (!b || !len || !cap || !isnull || !rowbuf)
        goto fail;
    if (mysql_stmt_store_result(s)) {
        st = note_error(c, mysql_stmt_errno(s), mysql_stmt_error(s));
        goto fail;
    }
    for (size_t i = 0; i < nc; i++) {
        cap[i] = f[i].max_length > 64 ? f[i].max_length + 1 : 65;
        rowbuf[i] = malloc(cap[i]);
        if (!rowbuf[i])
            goto fail;
        b[i].buffer_type = MYSQL_TYPE_STRING;
        b[i].buffer = rowbuf[i];
        b[i].buffer_length = cap[i] - 1;
        b[i].length = &len[i];
        b[i].is_null = &isnull[i];
    }
    if (mysql_stmt_bind_result(s, b)) {
        st = note_error(c, mysql_stmt_errno(s), mysql_stmt_error(s));
        goto fail;
    }
    out->ncols = nc;
    for (;;) {
        int rc = mysql_stmt_fetch(s);
        if (rc == MYSQL_NO_DATA)
            break;
        if (rc == 1) {
            st = note_error(c, mysql_stmt_errno(s), mysql_stmt_error(s));
            goto fail;
        }
        if (out->nrows == rows_cap) {
            size_t ncap = rows_cap ? rows_cap * 2 : 8;
            char **ncell = realloc(out->cell, ncap * nc * sizeof *ncell);
            if (!ncell)
                goto fail;
            out->cell = ncell;
            unsigned long *nlen = realloc(out->len, ncap * nc * sizeof *nlen);
            if (!nlen)
                goto fail;
            out->len = nlen;
            rows_cap = ncap;
        }
        size_t base = out->nrows * nc;
        for (size_t i = 0; i < nc; i++) {
            out->cell[base + i] = NULL;
            out->len[base + i] = 0;
        }
        out->nrows++;
        for (size_t i = 0; i < nc; i++) {
            if (isnull[i])
                continue;
            char *v = malloc(len[i] + 1);
            if (!v)
                goto fail;
            if (len[i] > cap[i] - 1) { /* truncated: fetch the column whole */
                MYSQL_BIND one = {0};
                unsigned long l2 = 0;
                one.buffer_type = MYSQL_TYPE_STRING;
                one.buffer = v;
                one.buffer_length = len[i];
                one.length = &l2;
                if (mysql_stmt_fetch_column(s, &one, (unsigned)i, 0)) {
                    free(v);
                    st = note_error(c, mysql_stmt_errno(s), mysql_stmt_error(s));
                    goto fail;
                }
            } else {
                memcpy(v, rowbuf[i], len[i]);
            }
            v[len[i]] = '\0';
            out->cell[base + i] = v;
            out->len[base + i] = len[i];
        }
    }
    st = DB_OK;
fail:
    if (st != DB_OK)
        dbres_free(out);
    for (size_t i = 0; rowbuf && i < nc; i++)
        free(rowbuf[i]);
    free(rowbuf);
    free(b);
    free(len);
    free(cap);
    free(isnull);
    mysql_free_result(meta);
    if (mysql_stmt_free_result(s) && st == DB_OK)
        st = note_error(c, mysql_stmt_errno(s), mysql_stmt_error(s));
    return st;
}

const char *
dbres_str(const struct dbres *r, size_t row, size_t col)
{
    if (row >= r->nrows || col >= r->ncols)
        return NULL;
    return r->cell[row * r->ncols + col];
}

char *
dbres_take(struct dbres *r, size_t row, size_t col)
{
    if (row >= r->nrows || col >= r->ncols)
        return NULL;
    char *v = r->cell[row * r->ncols + col];
    r->cell[row * r->ncols + col] = NULL;
    return v;
}

size_t
dbres_len(const struct dbres *r, size_t row, size_t col)
{
    if (row >= r->nrows || col >= r->ncols)
        return 0;
    return r->len[row * r->ncols + col];
}

int64_t
dbres_i64(const struct dbres *r, size_t row, size_t col)
{
    const char *s = dbres_str(r, row, col);
    return s ? strtoll(s, NULL, 10) : 0;
}

void
dbres_free(struct dbres *r)
{
    if (r->cell)
        for (size_t i = 0; i < r->nrows * r->ncols; i++)
            free(r->cell[i]);
    free(r->cell);
    free(r->len);
    memset(r, 0, sizeof *r);
}

/* ---- pool ---- */

static struct {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct dbconn *slots;
    struct dbconn **free_stack;
    size_t size, nfree;
    long waits, timeouts, connects, connect_failures, lost;
} pool = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};

bool
db_pool_init(const struct config *config)
{
    cfg = config;
    pool.size = (size_t)config->db_pool_size;
    pool.slots = calloc(pool.size, sizeof *pool.slots);
    pool.free_stack = calloc(pool.size, sizeof *pool.free_stack);
    if (!pool.slots || !pool.free_stack)
        return false;
    pthread_condattr_t ca;
    if (pthread_condattr_init(&ca) || pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) ||
        pthread_cond_init(&pool.cv, &ca))
        return false;
    pthread_condattr_destroy(&ca);
    for (size_t i = 0; i < pool.size; i++) {
        pool.slots[i].pooled = true;
        pool.free_stack[i] = &pool.slots[pool.size - 1 - i];
    }
    pool.nfree = pool.size;
    return true;
}

void
db_pool_shutdown(void)
{
    pthread_mutex_lock(&pool.mu);
    for (size_t i = 0; i < pool.size; i++)
        conn_close(&pool.slots[i]);
    pthread_mutex_unlock(&pool.mu);
    free(pool.slots);
    free(pool.free_stack);
    pool.slots = NULL;
    pool.free_stack = NULL;
    pool.size = pool.nfree = 0;
}

struct dbconn *
db_acquire(void)
{
    struct timespec deadline;
    long ms = (long)cfg->db_acquire_timeout_ms;
    clock_deadline_ms(CLOCK_MONOTONIC, ms, &deadline);
    pthread_mutex_lock(&pool.mu);
    if (pool.nfree == 0)
        pool.waits++;
    while (pool.nfree == 0) {
        if (pthread_cond_timedwait(&pool.cv, &pool.mu, &deadline) == ETIMEDOUT && pool.nfree == 0) {
            pool.timeouts++;
            pthread_mutex_unlock(&pool.mu);
            log_warn("no database connection free within %ld ms", ms);
            return NULL;
        }
    }
    struct dbconn *c = pool.free_stack[--pool.nfree];
    pthread_mutex_unlock(&pool.mu);

    int64_t now = clock_now_us();
    long epoch = __atomic_load_n(&loss_epoch, __ATOMIC_RELAXED);
    if (c->my && (now - c->last_used_us > IDLE_PING_US || c->loss_epoch != epoch) &&
        mysql_ping(c->my) != 0) {
        log_warn("idle database connection is gone (%s); reconnecting", mysql_error(c->my));
        __atomic_add_fetch(&pool.lost, 1, __ATOMIC_RELAXED);
        conn_close(c);
    }
    if (!c->my) {
        char err[300];
        if (!conn_open(c, false, err, sizeof err)) {
            __atomic_add_fetch(&pool.connect_failures, 1, __ATOMIC_RELAXED);
            log_warn("%s", err);
            db_release(c);
            return NULL;
        }
        __atomic_add_fetch(&pool.connects, 1, __ATOMIC_RELAXED);
    }
    c->loss_epoch = epoch;
    c->last_errno = 0;
    c->last_error[0] = '\0';
    return c;
}

void
db_release(struct dbconn *c)
{
    if (!c)
        return;
    if (c->broken) {
        __atomic_add_fetch(&pool.lost, 1, __ATOMIC_RELAXED);
        conn_close(c);
    }
    c->last_used_us = clock_now_us();
    pthread_mutex_lock(&pool.mu);
    pool.free_stack[pool.nfree++] = c;
    pthread_cond_signal(&pool.cv);
    pthread_mutex_unlock(&pool.mu);
}

void
db_pool_stats(struct db_pool_stats *s)
{
    pthread_mutex_lock(&pool.mu);
    s->size = (long)pool.size;
    s->in_use = (long)(pool.size - pool.nfree);
    s->idle = 0;
    for (size_t i = 0; i < pool.nfree; i++)
        if (pool.free_stack[i]->my)
            s->idle++;
    s->waits = pool.waits;
    s->timeouts = pool.timeouts;
    pthread_mutex_unlock(&pool.mu);
    s->connects = __atomic_load_n(&pool.connects, __ATOMIC_RELAXED);
    s->connect_failures = __atomic_load_n(&pool.connect_failures, __ATOMIC_RELAXED);
    s->lost = __atomic_load_n(&pool.lost, __ATOMIC_RELAXED);
}

/* ---- transactions ---- */

static bool
simple(struct dbconn *c, const char *sql)
{
    if (mysql_real_query(c->my, sql, strlen(sql))) {
        note_error(c, mysql_errno(c->my), mysql_error(c->my));
        return false;
    }
    return true;
}

/* Roll back what is open and forget what was to run on commit. */
static void
rollback(struct dbconn *c)
{
    if (!c->broken)
        simple(c, "ROLLBACK");
    c->non_commit = 0;
}

enum db_status
db_tx(struct dbconn *c, tx_fn fn, void *ctx)
{
    for (int attempt = 0;; attempt++) {
        c->non_commit = 0;
        enum tx_result res = simple(c, "START TRANSACTION") ? fn(c, ctx) : TX_DBFAIL;
        if (res == TX_COMMIT) {
            if (mysql_commit(c->my) == 0) {
                size_t n = c->non_commit;
                c->non_commit = 0;
                for (size_t i = 0; i < n; i++)
                    c->on_commit[i].fn(c, c->on_commit[i].arg);
                return DB_OK;
            }
            note_error(c, mysql_errno(c->my), mysql_error(c->my));
        } else if (res == TX_REFUSE) {
            rollback(c);
            return DB_REFUSED;
        }
        enum db_status st = db_classify(c->last_errno);
        rollback(c);
        if (st == DB_RETRY && attempt < 5) {
            log_info("db_tx: transaction conflict (%u), retry %d", c->last_errno, attempt + 1);
            struct timespec ts = {0, (long)(1000000L << attempt) + (rand() % 1000) * 1000L};
            nanosleep(&ts, NULL);
            continue;
        }
        return st == DB_OK ? DB_ERROR : st;
    }
}
