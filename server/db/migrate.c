/*
 * migrate.c — see migrate.h.
 *
 * MariaDB commits DDL implicitly, so a failed migration cannot be rolled back. The runner
 * therefore records a version as dirty before applying it and clean after; while any version
 * is dirty, or an applied file's checksum changed, or an applied file is missing, both
 * `ggzyd migrate` and `ggzyd serve` refuse and say what to repair (docs/operations.md).
 * A named lock (GET_LOCK) keeps two runners from applying the same file at once.
 */
#define _GNU_SOURCE
#include "migrate.h"

#include <dirent.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "db.h"
#include "util.h"

struct mfile {
    int version;
    char name[256];
    char sum[65];
    char *sql;
    size_t len;
};

static int
cmp_version(const void *a, const void *b)
{
    return ((const struct mfile *)a)->version - ((const struct mfile *)b)->version;
}

/* Read every NNNN_name.sql of dir, sorted. Returns count or -1. */
static int
read_dir(const char *dir, struct mfile **out)
{
    DIR *d = opendir(dir);
    if (!d) {
        log_error("cannot open migrations directory %s", dir);
        return -1;
    }
    regex_t re;
    if (regcomp(&re, "^[0-9]{4}_[a-z0-9_]+\\.sql$", REG_EXTENDED | REG_NOSUB)) {
        closedir(d);
        return -1;
    }
    struct mfile *files = NULL;
    int n = 0, cap = 0;
    struct dirent *de;
    bool ok = true;
    while (ok && (de = readdir(d))) {
        if (regexec(&re, de->d_name, 0, NULL, 0))
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            struct mfile *nf = realloc(files, (size_t)cap * sizeof *nf);
            if (!nf) {
                ok = false;
                break;
            }
            files = nf;
        }
        struct mfile *f = &files[n];
        memset(f, 0, sizeof *f);
        f->version = atoi(de->d_name);
        snprintf(f->name, sizeof f->name, "%s", de->d_name);
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        f->sql = read_file(path, 16 << 20, &f->len);
        uint8_t h[32];
        if (!f->sql || !crypto_sha256(f->sql, f->len, h)) {
            log_error("cannot read migration %s", path);
            free(f->sql);
            ok = false;
            break;
        }
        hex_encode(h, 32, f->sum);
        n++;
    }
    regfree(&re);
    closedir(d);
    if (ok) {
        if (n > 1)
            qsort(files, (size_t)n, sizeof *files, cmp_version);
        for (int i = 1; i < n; i++)
            if (files[i].version == files[i - 1].version) {
                log_error("two migrations have version %04d: %s and %s", files[i].version,
                          files[i - 1].name, files[i].name);
                ok = false;
            }
    }
    if (!ok) {
        for (int i = 0; i < n; i++)
            free(files[i].sql);
        free(files);
        return -1;
    }
    *out = files;
    return n;
}

static const char sql_create[] =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version INT NOT NULL PRIMARY KEY, name VARCHAR(255) NOT NULL,"
    " checksum CHAR(64) CHARACTER SET ascii NOT NULL, dirty TINYINT(1) NOT NULL,"
    " applied_us BIGINT NOT NULL) ENGINE=InnoDB";
#define APPLIED_COLS(X)                                                                            \
    X(MG_VERSION, "version")                                                                       \
    X(MG_NAME, "name")                                                                             \
    X(MG_CHECKSUM, "checksum")                                                                     \
    X(MG_DIRTY, "dirty")
enum { APPLIED_COLS(DB_COL_ENUM) MG__COUNT };
static const char sql_lock[] = "SELECT GET_LOCK('ggzy_migrate', 60)";
static const char sql_unlock[] = "SELECT RELEASE_LOCK('ggzy_migrate')";
static const char sql_applied[] =
    "SELECT " APPLIED_COLS(DB_COL_SQL) DB_COL_END " FROM schema_migrations ORDER BY version";
static const char sql_mark[] =
    "INSERT INTO schema_migrations (version, name, checksum, dirty, applied_us) "
    "VALUES (?, ?, ?, 1, ?)";
static const char sql_clean[] = "UPDATE schema_migrations SET dirty = 0, applied_us = ? "
                                "WHERE version = ?";

bool
migrate_run(const struct config *cfg, bool apply)
{
    char err[400];
    struct mfile *files = NULL;
    struct dbres applied = {0}, lk = {0};
    bool ok = false, locked = false;
    int n = read_dir(cfg->migrations_dir, &files);
    if (n < 0)
        return false;
    struct dbconn *c = db_connect_direct(cfg, true, err, sizeof err);
    if (!c) {
        log_error("%s", err);
        goto fail;
    }
    if (db_run_script(c, sql_create, strlen(sql_create)) != DB_OK ||
        db_query(c, sql_lock, NULL, 0, &lk) != DB_OK || dbres_i64(&lk, 0, DB_VALUE) != 1) {
        log_error("cannot prepare or lock schema_migrations: %s", db_last_error(c));
        goto fail;
    }
    locked = true;
    if (db_query(c, sql_applied, NULL, 0, &applied) != DB_OK) {
        log_error("cannot read schema_migrations: %s", db_last_error(c));
        goto fail;
    }
    int next = 0; /* files[0..next) are applied */
    for (size_t i = 0; i < applied.nrows; i++) {
        int v = (int)dbres_i64(&applied, i, MG_VERSION);
        const char *sum = dbres_str(&applied, i, MG_CHECKSUM);
        if (dbres_i64(&applied, i, MG_DIRTY)) {
            log_error("migration %04d (%s) is dirty: it failed or was interrupted half-way. "
                      "Repair the schema by hand, then delete its row from schema_migrations "
                      "to retry it (docs/operations.md)",
                      v, dbres_str(&applied, i, MG_NAME));
            goto fail;
        }
        if (next >= n || files[next].version != v) {
            log_error("applied migration %04d (%s) has no file in %s", v,
                      dbres_str(&applied, i, MG_NAME), cfg->migrations_dir);
            goto fail;
        }
        if (!crypto_equal(sum, files[next].sum, 64)) {
            log_error("migration %s was changed after it was applied (checksum %s, file %s); "
                      "add a new migration instead of editing an applied one",
                      files[next].name, sum, files[next].sum);
            goto fail;
        }
        next++;
    }
    if (!apply) {
        if (next < n) {
            log_error("%d migration(s) pending, first %s: run `ggzyd migrate`", n - next,
                      files[next].name);
            goto fail;
        }
        ok = true;
        goto fail;
    }
    for (int i = next; i < n; i++) {
        struct dbv p[] = {DBV_INT(files[i].version), DBV_STR(files[i].name), DBV_STR(files[i].sum),
                          DBV_INT(clock_now_us())};
        if (db_exec(c, sql_mark, p, 4, NULL, NULL) != DB_OK) {
            log_error("cannot mark %s: %s", files[i].name, db_last_error(c));
            goto fail;
        }
        log_info("applying %s", files[i].name);
        if (db_run_script(c, files[i].sql, files[i].len) != DB_OK) {
            log_error("migration %s failed: %s. It stays marked dirty; see docs/operations.md",
                      files[i].name, db_last_error(c));
            goto fail;
        }
        struct dbv q[] = {DBV_INT(clock_now_us()), DBV_INT(files[i].version)};
        if (db_exec(c, sql_clean, q, 2, NULL, NULL) != DB_OK) {
            log_error("cannot mark %s clean: %s", files[i].name, db_last_error(c));
            goto fail;
        }
    }
    log_info("database schema is current (%d migrations)", n);
    ok = true;
fail:
    if (locked) {
        struct dbres u;
        if (db_query(c, sql_unlock, NULL, 0, &u) == DB_OK)
            dbres_free(&u);
    }
    dbres_free(&lk);
    dbres_free(&applied);
    db_close_direct(c);
    for (int i = 0; i < n; i++)
        free(files[i].sql);
    free(files);
    return ok;
}
