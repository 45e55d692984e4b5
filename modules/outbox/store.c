/*
 * store.c — the outbox module's SQL, prepared statements only.
 */
#include <stdbool.h>
#include <string.h>

#include "store.h"
#include "util.h"

static const char sql_msg_ins[] =
    "INSERT INTO outbox_messages (user_id, kind, subject, body, ref_type, ref_id, created_us) "
    "VALUES (?, ?, ?, ?, ?, ?, ?)";
static const char sql_delivery_ins[] =
    "INSERT INTO outbox_deliveries (message_id, channel, address, state, next_us) "
    "VALUES (?, ?, ?, 'pending', ?)";
static const char sql_inbox[] = "SELECT " MSG_COLS(DB_COL_SQL) DB_COL_END
    " FROM outbox_messages WHERE user_id = ? AND id > ? ORDER BY id LIMIT ?";
static const char sql_read[] = "UPDATE outbox_messages SET read_us = COALESCE(read_us, ?) "
                               "WHERE id = ? AND user_id = ?";
static const char sql_mine[] = "SELECT COUNT(*) FROM outbox_messages WHERE id = ? AND user_id = ?";
static const char sql_due[] = "SELECT " DUE_COLS(DB_COL_SQL) DB_COL_END
    " FROM outbox_deliveries d JOIN outbox_messages m ON m.id = d.message_id "
    "WHERE d.state = 'pending' AND d.next_us <= ? ORDER BY d.next_us, d.id LIMIT ?";
static const char sql_done[] =
    "UPDATE outbox_deliveries SET state = ?, attempts = attempts + 1, next_us = ?, error = ?, "
    "sent_us = IF(? = 'sent', ?, sent_us) WHERE id = ? AND state = 'pending' AND attempts = ?";

enum db_status
store_message_insert(struct dbconn *c, int64_t user, const char *kind, const char *subject,
                     const char *body, const char *ref_type, int64_t ref_id, int64_t now,
                     int64_t *id)
{
    struct dbv p[] = {DBV_INT(user),
                      DBV_STR(kind),
                      DBV_STR(subject),
                      DBV_STR(body),
                      ref_type ? DBV_STR(ref_type) : DBV_NUL,
                      ref_type ? DBV_INT(ref_id) : DBV_NUL,
                      DBV_INT(now)};
    uint64_t iid = 0;
    enum db_status st = db_exec(c, sql_msg_ins, p, ARRAY_LEN(p), NULL, &iid);
    *id = (int64_t)iid;
    return st;
}

enum db_status
store_delivery_insert(struct dbconn *c, int64_t message, const char *channel, const char *address,
                      int64_t now)
{
    struct dbv p[] = {DBV_INT(message), DBV_STR(channel), DBV_STR(address), DBV_INT(now)};
    return db_exec(c, sql_delivery_ins, p, ARRAY_LEN(p), NULL, NULL);
}

enum db_status
store_inbox(struct dbconn *c, int64_t user, int64_t after, int64_t limit, struct dbres *out)
{
    struct dbv p[] = {DBV_INT(user), DBV_INT(after), DBV_INT(limit)};
    return db_query(c, sql_inbox, p, ARRAY_LEN(p), out);
}

enum db_status
store_message_read(struct dbconn *c, int64_t user, int64_t id, int64_t now, bool *found)
{
    struct dbv q[] = {DBV_INT(id), DBV_INT(user)};
    struct dbres r;
    enum db_status st = db_query(c, sql_mine, q, 2, &r);
    *found = st == DB_OK && r.nrows == 1 && dbres_i64(&r, 0, DB_VALUE) == 1;
    dbres_free(&r);
    if (st != DB_OK || !*found)
        return st;
    struct dbv p[] = {DBV_INT(now), DBV_INT(id), DBV_INT(user)};
    return db_exec(c, sql_read, p, ARRAY_LEN(p), NULL, NULL);
}

enum db_status
store_due(struct dbconn *c, int64_t now, int64_t limit, struct dbres *out)
{
    struct dbv p[] = {DBV_INT(now), DBV_INT(limit)};
    return db_query(c, sql_due, p, 2, out);
}

enum db_status
store_delivery_done(struct dbconn *c, int64_t id, int attempts, const char *state, int64_t next_us,
                    const char *error, int64_t now, bool *done)
{
    struct dbv p[] = {DBV_STR(state),   DBV_INT(next_us), error ? DBV_STR(error) : DBV_NUL,
                      DBV_STR(state),   DBV_INT(now),     DBV_INT(id),
                      DBV_INT(attempts)};
    uint64_t affected = 0;
    enum db_status st = db_exec(c, sql_done, p, ARRAY_LEN(p), &affected, NULL);
    *done = st == DB_OK && affected == 1;
    return st;
}
