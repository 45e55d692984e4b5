/*
 * store.h — the audit module's own SQL (store.c): supervisors' cosignatures of checkpoints. The
 * log itself (entries, checkpoints, keys) belongs to the core's audit layer: logread.h.
 */
#ifndef GGZY_AUDIT_STORE_H
#define GGZY_AUDIT_STORE_H

#include <stdint.h>

#include "db.h"

/* cosignature rows */
#define COSIG_COLS(X)                                                                              \
    X(CS_USER, "user_id")                                                                          \
    X(CS_KEY_ID, "key_id")                                                                         \
    X(CS_LINE, "line")                                                                             \
    X(CS_SIGNED, "signed_us")
enum { COSIG_COLS(DB_COL_ENUM) CS__COUNT };
enum db_status store_cosignatures(struct dbconn *c, uint64_t size, struct dbres *out);
enum db_status store_cosignature_insert(struct dbconn *c, uint64_t size, int64_t user_id,
                                        const char *key_id, const char *line, int64_t now);
/* the largest size this user cosigned (0 when none) */
enum db_status store_cosigned_max(struct dbconn *c, int64_t user_id, uint64_t *size);

#endif
