/*
 * log_scan.c — the log's full self-check (logwatch_scan: every entry re-hashed from its stored
 * bytes, the tree compared with every signed checkpoint), timed on a database the audit bench
 * filled: what `core.log-scan` costs every audit.scan_interval_s. Prints each run, the median
 * and the cost per million entries.
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
    int64_t took[50];
    uint64_t entries = 0;
    for (int i = 0; i < runs; i++) {
        bool db_error = false;
        int64_t t0 = monotonic_us();
        bool ok = logwatch_scan(c, &db_error, &entries);
        took[i] = monotonic_us() - t0;
        printf("  scan %d: %llu entries in %.3f s: %s\n", i + 1, (unsigned long long)entries,
               (double)took[i] / 1e6,
               ok         ? "intact"
               : db_error ? "DATABASE ERROR"
                          : "ALTERED");
        if (!ok)
            return 1;
    }
    qsort(took, (size_t)runs, sizeof *took, cmp_i64);
    double med = (double)took[runs / 2] / 1e6;
    printf("median: the full check of %llu entries in %.3f s: %.3f s per million entries\n",
           (unsigned long long)entries, med, entries ? med * 1e6 / (double)entries : 0.0);
    db_close_direct(c);
    config_free(&cfg);
    mysql_library_end();
    return 0;
}
