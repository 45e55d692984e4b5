/*
 * store.h — the outbox module's SQL (store.c) and its rows' columns. Tables: outbox_messages,
 * outbox_deliveries.
 */
#ifndef GGZY_OUTBOX_STORE_H
#define GGZY_OUTBOX_STORE_H

#include <stdint.h>

#include "db.h"

#define MSG_COLS(X)                                                                                \
    X(MC_ID, "id")                                                                                 \
    X(MC_KIND, "kind")                                                                             \
    X(MC_SUBJECT, "subject")                                                                       \
    X(MC_BODY, "body")                                                                             \
    X(MC_REF_TYPE, "ref_type")                                                                     \
    X(MC_REF_ID, "ref_id")                                                                         \
    X(MC_CREATED, "created_us")                                                                    \
    X(MC_READ, "read_us")
enum { MSG_COLS(DB_COL_ENUM) MC__COUNT };

#define DUE_COLS(X)                                                                                \
    X(DU_ID, "d.id")                                                                               \
    X(DU_MESSAGE, "d.message_id")                                                                  \
    X(DU_CHANNEL, "d.channel")                                                                     \
    X(DU_ADDRESS, "d.address")                                                                     \
    X(DU_ATTEMPTS, "d.attempts")                                                                   \
    X(DU_USER, "m.user_id")                                                                        \
    X(DU_KIND, "m.kind")                                                                           \
    X(DU_SUBJECT, "m.subject")                                                                     \
    X(DU_BODY, "m.body")                                                                           \
    X(DU_CREATED, "m.created_us")
enum { DUE_COLS(DB_COL_ENUM) DU__COUNT };

enum db_status store_message_insert(struct dbconn *c, int64_t user, const char *kind,
                                    const char *subject, const char *body, const char *ref_type,
                                    int64_t ref_id, int64_t now, int64_t *id);
enum db_status store_delivery_insert(struct dbconn *c, int64_t message, const char *channel,
                                     const char *address, int64_t now);
enum db_status store_inbox(struct dbconn *c, int64_t user, int64_t after, int64_t limit,
                           struct dbres *out);
/* Mark user's message read (once); *found false when it is not theirs. */
enum db_status store_message_read(struct dbconn *c, int64_t user, int64_t id, int64_t now,
                                  bool *found);
/* Deliveries due at now (pending, next_us reached), oldest first. */
enum db_status store_due(struct dbconn *c, int64_t now, int64_t limit, struct dbres *out);
/* The outcome of an attempt, if the delivery is still pending with this many attempts (another
 * node did not record one meanwhile): *done false otherwise. */
enum db_status store_delivery_done(struct dbconn *c, int64_t id, int attempts, const char *state,
                                   int64_t next_us, const char *error, int64_t now, bool *done);

#endif
