/*
 * plain_rows.c — the scoring burst's baseline: W writers at once, each committing R rows of B
 * bytes, one row per transaction (durable, as an act is), into a table of the same database; the
 * wall time from the first to the last commit. What storing the same rows costs with nothing
 * else: no signature, no session, no rule, no audit entry.
 *
 * usage: bench_plain_rows CONFIG WRITERS ROWS BYTES
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mysql.h>

#include "config.h"
#include "db.h"
#include "util.h"

static int rows;
static char *payload;

static const char sql_row[] = "INSERT INTO bench_rows (v, created_us) VALUES (?, ?)";

static enum tx_result
one(struct dbconn *c, void *arg)
{
    (void)arg;
    struct dbv p[] = {DBV_STR(payload), DBV_INT(clock_now_us())};
    return db_exec(c, sql_row, p, 2, NULL, NULL) == DB_OK ? TX_COMMIT : TX_DBFAIL;
}

static void *
writer(void *arg)
{
    (void)arg;
    struct dbconn *c = db_acquire();
    for (int i = 0; c && i < rows; i++)
        if (db_tx(c, one, NULL) != DB_OK) {
            fprintf(stderr, "transaction failed: %s\n", db_last_error(c));
            exit(1);
        }
    if (!c)
        exit(1);
    db_release(c);
    return NULL;
}

int
main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: bench_plain_rows CONFIG WRITERS ROWS BYTES\n");
        return 2;
    }
    int writers = atoi(argv[2]);
    rows = atoi(argv[3]);
    long bytes = atol(argv[4]);
    if (writers < 1 || writers > 256 || rows < 1 || bytes < 1 || bytes > (16 << 20))
        return 2;
    if (!(payload = malloc((size_t)bytes + 1)))
        return 1;
    memset(payload, 'x', (size_t)bytes);
    payload[bytes] = '\0';
    struct config cfg;
    char err[300];
    if (!config_load(&cfg, argv[1], err, sizeof err)) {
        fprintf(stderr, "%s\n", err);
        return 2;
    }
    cfg.db_pool_size = writers + 2;
    log_set_level(LOG_WARN);
    if (mysql_library_init(0, NULL, NULL) || !db_pool_init(&cfg))
        return 1;
    struct dbconn *c = db_acquire();
    static const char create[] = "CREATE TABLE IF NOT EXISTS bench_rows (id BIGINT UNSIGNED "
                                 "AUTO_INCREMENT PRIMARY KEY, v MEDIUMTEXT NOT NULL, "
                                 "created_us BIGINT NOT NULL) ENGINE=InnoDB";
    if (!c || db_exec(c, create, NULL, 0, NULL, NULL) != DB_OK)
        return 1;
    db_release(c);
    pthread_t t[256];
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (int i = 0; i < writers; i++)
        pthread_create(&t[i], NULL, writer, NULL);
    for (int i = 0; i < writers; i++)
        pthread_join(t[i], NULL);
    clock_gettime(CLOCK_MONOTONIC, &b);
    printf("plain rows: %d writers x %d rows of %ld bytes in %.6f s\n", writers, rows, bytes,
           (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9);
    db_pool_shutdown();
    config_free(&cfg);
    mysql_library_end();
    free(payload);
    return 0;
}
