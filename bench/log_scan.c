/*
 * log_scan.c — the log's full self-check (logwatch_scan: every entry re-hashed from its stored
 * bytes, the tree compared with every signed checkpoint), timed on a database the audit bench
 * filled: what `core.log-scan` costs every audit.scan_interval_s. The baseline, in the same run:
 * reading the same rows alone — every entry's bytes and stored leaf, in the same batches of the
 * primary key's order, nothing hashed. Prints each run, the medians, the cost per million entries
 * and the ratio.
 *
 * usage: bench_log_scan CONFIG [RUNS]
 */
#include <stdio.h>
#include <stdlib.h>

#include <mysql.h>

#include "config.h"
#include "db.h"
#include "logwatch.h"
#include "util.h"

/* The baseline: every row's entry and nodes read, in primary-key order, batches of 4096. */
static bool
read_rows(struct dbconn *c, uint64_t *rows)
{
    static const char sql[] =
        "SELECT qid, entry, nodes FROM audit_entries WHERE qid > ? ORDER BY qid LIMIT 4096";
    int64_t qid = 0;
    *rows = 0;
    for (;;) {
        struct dbres r;
        struct dbv p[] = {DBV_INT(qid)};
        if (db_query(c, sql, p, 1, &r) != DB_OK) {
            dbres_free(&r);
            return false;
        }
        size_t n = r.nrows;
        if (n)
            qid = dbres_i64(&r, n - 1, 0);
        *rows += n;
        dbres_free(&r);
        if (n == 0)
            return true;
    }
}

static int
cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

int
main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_log_scan CONFIG [RUNS]\n");
        return 2;
    }
    int runs = argc > 2 ? atoi(argv[2]) : 3;
    if (runs < 1 || runs > 50)
        return 2;
    struct config cfg;
    char err[300];
    if (!config_load(&cfg, argv[1], err, sizeof err)) {
        fprintf(stderr, "%s\n", err);
        return 2;
    }
    log_set_level(LOG_WARN);
    if (mysql_library_init(0, NULL, NULL))
        return 1;
    struct dbconn *c = db_connect_direct(&cfg, false, err, sizeof err);
    if (!c) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    int64_t took[50], base[50];
    uint64_t entries = 0, rows = 0;
    for (int i = 0; i < runs; i++) {
        int64_t b0 = monotonic_us();
        if (!read_rows(c, &rows)) {
            fprintf(stderr, "the rows could not be read\n");
            return 1;
        }
        base[i] = monotonic_us() - b0;
        bool db_error = false;
        int64_t t0 = monotonic_us();
        bool ok = logwatch_scan(c, &db_error, &entries);
        took[i] = monotonic_us() - t0;
        printf("  run %d: reading the %llu rows alone %.3f s; the full check of %llu entries "
               "%.3f s: %s\n",
               i + 1, (unsigned long long)rows, (double)base[i] / 1e6, (unsigned long long)entries,
               (double)took[i] / 1e6,
               ok         ? "intact"
               : db_error ? "DATABASE ERROR"
                          : "ALTERED");
        if (!ok)
            return 1;
    }
    qsort(took, (size_t)runs, sizeof *took, cmp_i64);
    qsort(base, (size_t)runs, sizeof *base, cmp_i64);
    double med = (double)took[runs / 2] / 1e6, bmed = (double)base[runs / 2] / 1e6;
    printf("median: the full check of %llu entries %.3f s (%.3f s per million entries), reading "
           "the rows alone %.3f s, ratio %.2f\n",
           (unsigned long long)entries, med, entries ? med * 1e6 / (double)entries : 0.0, bmed,
           bmed > 0 ? med / bmed : 0.0);
    db_close_direct(c);
    config_free(&cfg);
    mysql_library_end();
    return 0;
}
