/*
 * logread.h — reading the tamper-evident log: its checkpoints, entries (with their leaf hashes),
 * a project's timeline, the tree's size, the verification keys, and the queue behind the
 * sequencer. The audit layer owns these tables; the audit module (the log's HTTP face) and any
 * other reader come through here. Every SELECT names its columns (X-macros below).
 */
#ifndef GGZY_LOGREAD_H
#define GGZY_LOGREAD_H

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
enum db_status logread_checkpoint_at_least(struct dbconn *c, uint64_t size, struct dbres *out);
enum db_status logread_checkpoint_latest(struct dbconn *c, struct dbres *out);
enum db_status logread_checkpoint_get(struct dbconn *c, uint64_t size, struct dbres *out);
enum db_status logread_checkpoint_list(struct dbconn *c, uint64_t after, int64_t limit,
                                       struct dbres *out);
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
enum db_status logread_entries(struct dbconn *c, uint64_t from, int64_t limit, struct dbres *out);
enum db_status logread_project_entries(struct dbconn *c, int64_t project_id, uint64_t below,
                                       struct dbres *out);
enum db_status logread_tree_size(struct dbconn *c, uint64_t *size);
/* The newest queued entry, and how many up to it still wait for their index. */
enum db_status logread_last_qid(struct dbconn *c, int64_t *qid);
enum db_status logread_pending_upto(struct dbconn *c, int64_t qid, int64_t *n);
/* the log's verification keys */
#define VKEY_COLS(X)                                                                               \
    X(VK_KEY, "vkey")                                                                              \
    X(VK_FIRST_USED, "first_used_us")
enum { VKEY_COLS(DB_COL_ENUM) VK__COUNT };
enum db_status logread_vkeys(struct dbconn *c, struct dbres *out);

#endif
