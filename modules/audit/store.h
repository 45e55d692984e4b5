/*
 * store.h — the audit module's SQL (store.c). Row layouts are given at each function.
 */
#ifndef GGZY_AUDIT_STORE_H
#define GGZY_AUDIT_STORE_H

#include <stdint.h>

#include "db.h"

/* checkpoint rows */
#define CP_COLS(X)                                                                                 \
    X(CP_SIZE, "size")                                                                             \
    X(CP_ROOT, "root")                                                                             \
    X(CP_SIGNED, "signed_us")                                                                      \
    X(CP_KIND, "kind")                                                                             \
    X(CP_NOTE, "note")
enum { CP_COLS(DB_COL_ENUM) CP__COUNT };
enum db_status store_checkpoint_at_least(struct dbconn *c, uint64_t size, struct dbres *out);
enum db_status store_checkpoint_latest(struct dbconn *c, struct dbres *out);
enum db_status store_checkpoint_get(struct dbconn *c, uint64_t size, struct dbres *out);
enum db_status store_checkpoint_list(struct dbconn *c, uint64_t after, int64_t limit,
                                     struct dbres *out);
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
/* entry rows, with the leaf hash */
#define ENTRY_COLS(X)                                                                              \
    X(EC_IDX, "idx")                                                                               \
    X(EC_RECORDED, "recorded_us")                                                                  \
    X(EC_ACTION, "action")                                                                         \
    X(EC_ACTOR, "actor_user_id")                                                                   \
    X(EC_OBJ_TYPE, "object_type")                                                                  \
    X(EC_OBJ_ID, "object_id")                                                                      \
    X(EC_PROJECT, "project_id")                                                                    \
    X(EC_ENTRY, "entry")                                                                           \
    X(EC_LEAF, "LEFT(nodes, 32)")
enum { ENTRY_COLS(DB_COL_ENUM) EC__COUNT };
enum db_status store_entries(struct dbconn *c, uint64_t from, int64_t limit, struct dbres *out);
enum db_status store_project_entries(struct dbconn *c, int64_t project_id, uint64_t below,
                                     struct dbres *out);
enum db_status store_tree_size(struct dbconn *c, uint64_t *size);
/* The newest queued entry, and how many up to it still wait for their index. */
enum db_status store_last_qid(struct dbconn *c, int64_t *qid);
enum db_status store_pending_upto(struct dbconn *c, int64_t qid, int64_t *n);
/* the log's verification keys */
#define VKEY_COLS(X)                                                                               \
    X(VK_KEY, "vkey")                                                                              \
    X(VK_FIRST_USED, "first_used_us")
enum { VKEY_COLS(DB_COL_ENUM) VK__COUNT };
enum db_status store_vkeys(struct dbconn *c, struct dbres *out);

/* The statement the sequencer runs for each trust.anchors entry (audit_on_sequenced): the entry
 * joins every project's timeline. */
extern const char store_sql_global_entry[];

#endif
