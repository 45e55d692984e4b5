/* Unit tests of the MariaDB error classifier: one verdict per error, as the docs promise. */
#include <errmsg.h>
#include <mysqld_error.h>

#include "check.h"
#include "db.h"

static void
duplicates_are_conflicts(void)
{
    CHECK(db_classify(ER_DUP_ENTRY) == DB_DUPLICATE);
    CHECK(db_classify(ER_DUP_ENTRY_WITH_KEY_NAME) == DB_DUPLICATE);
}

static void
deadlocks_lock_waits_and_galera_conflicts_are_retried(void)
{
    CHECK(db_classify(ER_LOCK_DEADLOCK) == DB_RETRY); /* 1213, also Galera certification */
    CHECK(db_classify(ER_LOCK_WAIT_TIMEOUT) == DB_RETRY);
}

static void
lost_connections_are_dropped(void)
{
    CHECK(db_classify(CR_SERVER_GONE_ERROR) == DB_LOST);
    CHECK(db_classify(CR_SERVER_LOST) == DB_LOST);
    CHECK(db_classify(CR_CONNECTION_ERROR) == DB_LOST);
    CHECK(db_classify(ER_CONNECTION_KILLED) == DB_LOST);
    CHECK(db_classify(ER_SERVER_SHUTDOWN) == DB_LOST);
    CHECK(db_classify(ER_UNKNOWN_COM_ERROR) == DB_LOST); /* Galera node not ready */
}

static void
foreign_key_refusals_are_their_own_kind(void)
{
    CHECK(db_classify(ER_NO_REFERENCED_ROW_2) == DB_FOREIGN);
    CHECK(db_classify(ER_ROW_IS_REFERENCED_2) == DB_FOREIGN);
}

static void
everything_else_is_an_internal_error(void)
{
    CHECK(db_classify(ER_PARSE_ERROR) == DB_ERROR);
    CHECK(db_classify(ER_NO_SUCH_TABLE) == DB_ERROR);
    CHECK(db_classify(0) == DB_OK);
}

int
main(void)
{
    RUN(duplicates_are_conflicts);
    RUN(deadlocks_lock_waits_and_galera_conflicts_are_retried);
    RUN(lost_connections_are_dropped);
    RUN(foreign_key_refusals_are_their_own_kind);
    RUN(everything_else_is_an_internal_error);
    return CHECK_DONE();
}
