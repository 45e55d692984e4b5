/*
 * audit_append.c — appends/second to the audit log with N concurrent writers (each append its
 * own durable transaction, as a state change would make it), next to the plain commit rate of
 * the same MariaDB: the same writers each committing one single-row INSERT per transaction.
 * Both are measured in the same run, alternating, and the medians' ratio is printed. An append
 * counts only once the sequencer has given it its index: the clock of an audit round runs until
 * the queue is empty, so a sequencer that falls behind shows in the figure.
 *
 * usage: bench_audit_append CONFIG [WRITERS] [SECONDS] [ROUNDS]
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mysql.h>

#include "audit.h"
#include "config.h"
#include "db.h"

static atomic_bool stop;
static atomic_long done;
static int mode; /* 0 plain, 1 audit */

static const char sql_plain[] = "INSERT INTO bench_plain (v, created_us) VALUES (?, ?)";

static enum tx_result
one(struct dbconn *c, void *arg)
{
    (void)arg;
    if (mode == 0) {
        struct dbv p[] = {DBV_STR("a plain row of about the size of a small entry"),
                          DBV_INT(clock_now_us())};
        return db_exec(c, sql_plain, p, 2, NULL, NULL) == DB_OK ? TX_COMMIT : TX_DBFAIL;
    }
    cJSON *payload = cJSON_CreateObject();
    cJSON_AddStringToObject(payload, "note", "benchmark");
    return audit_append(c, ACTOR_SYSTEM("system:bench"), "bench.append", "bench", 1, 0, payload,
                        NULL) == DB_OK
               ? TX_COMMIT
               : TX_DBFAIL;
}

static void *
writer(void *arg)
{
    (void)arg;
    while (!atomic_load(&stop)) {
        struct dbconn *c = db_acquire();
        if (!c) {
            fprintf(stderr, "no connection\n");
            exit(1);
        }
        if (db_tx(c, one, NULL) != DB_OK) {
            fprintf(stderr, "transaction failed: %s\n", db_last_error(c));
            exit(1);
        }
        db_release(c);
        atomic_fetch_add(&done, 1);
    }
    return NULL;
}

static const char sql_pending[] = "SELECT COUNT(*) FROM audit_entries WHERE idx IS NULL";

/* Wait until every queued entry has its index. */
static void
drain(void)
{
    struct dbconn *c = db_acquire();
    for (;;) {
        struct dbres r;
        if (!c || db_query(c, sql_pending, NULL, 0, &r) != DB_OK)
            exit(1);
        int64_t n = dbres_i64(&r, 0, 0);
        dbres_free(&r);
        if (n == 0)
            break;
        audit_kick();
        struct timespec ts = {0, 2000000L};
        nanosleep(&ts, NULL);
    }
    db_release(c);
}

static double
run(int writers, int seconds)
{
    pthread_t t[256];
    atomic_store(&stop, false);
    atomic_store(&done, 0);
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (int i = 0; i < writers; i++)
        pthread_create(&t[i], NULL, writer, NULL);
    struct timespec d = {seconds, 0};
    nanosleep(&d, NULL);
    atomic_store(&stop, true);
    for (int i = 0; i < writers; i++)
        pthread_join(t[i], NULL);
    if (mode == 1)
        drain();
    clock_gettime(CLOCK_MONOTONIC, &b);
    double el = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
    return (double)atomic_load(&done) / el;
}

static int
cmpd(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int
main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_audit_append CONFIG [WRITERS] [SECONDS] [ROUNDS]\n");
        return 2;
    }
    int writers = argc > 2 ? atoi(argv[2]) : 16, seconds = argc > 3 ? atoi(argv[3]) : 5,
        rounds = argc > 4 ? atoi(argv[4]) : 3;
    if (writers < 1 || writers > 256 || rounds < 1 || rounds > 50)
        return 2;
    struct config cfg;
    char err[300];
    if (!config_load(&cfg, argv[1], err, sizeof err)) {
        fprintf(stderr, "%s\n", err);
        return 2;
    }
    cfg.db_pool_size = writers + 2;
    log_set_level(LOG_WARN);
    if (mysql_library_init(0, NULL, NULL) || !db_pool_init(&cfg) || !audit_start(&cfg))
        return 1;
    struct dbconn *c = db_acquire();
    struct dbres r;
    static const char create[] = "CREATE TABLE IF NOT EXISTS bench_plain (id BIGINT UNSIGNED "
                                 "AUTO_INCREMENT PRIMARY KEY, v VARCHAR(100) NOT NULL, "
                                 "created_us BIGINT NOT NULL) ENGINE=InnoDB";
    static const char flush[] = "SELECT @@innodb_flush_log_at_trx_commit";
    if (!c || db_exec(c, create, NULL, 0, NULL, NULL) != DB_OK ||
        db_query(c, flush, NULL, 0, &r) != DB_OK) {
        fprintf(stderr, "cannot prepare the benchmark table\n");
        return 1;
    }
    printf("== audit appends vs plain commits: %d writers, %d rounds of %d s, "
           "innodb_flush_log_at_trx_commit = %s (1: every commit is durable)\n",
           writers, rounds, seconds, dbres_str(&r, 0, 0));
    dbres_free(&r);
    db_release(c);
    double plain[50], audit[50];
    for (int i = 0; i < rounds; i++) {
        mode = 0;
        plain[i] = run(writers, seconds);
        mode = 1;
        audit[i] = run(writers, seconds);
        printf("  round %d: plain %8.0f commits/s   audit %8.0f appends/s\n", i + 1, plain[i],
               audit[i]);
    }
    qsort(plain, (size_t)rounds, sizeof(double), cmpd);
    qsort(audit, (size_t)rounds, sizeof(double), cmpd);
    double p = plain[rounds / 2], a = audit[rounds / 2];
    printf("median: plain %.0f commits/s, audit %.0f appends/s, ratio %.2f (goal >= 0.8)\n", p, a,
           a / p);
    audit_stop();
    db_pool_shutdown();
    config_free(&cfg);
    mysql_library_end();
    return 0;
}
