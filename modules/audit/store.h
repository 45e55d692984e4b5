/*
 * store.h — the audit module's SQL (store.c). Row layouts are given at each function.
 */
#ifndef GGZY_AUDIT_STORE_H
#define GGZY_AUDIT_STORE_H

#include <stdint.h>

#include "db.h"

/* checkpoint rows: size, root, signed_us, kind, note */
enum db_status store_checkpoint_at_least(struct dbconn *c, uint64_t size, struct dbres *out);
enum db_status store_checkpoint_latest(struct dbconn *c, struct dbres *out);
enum db_status store_checkpoint_get(struct dbconn *c, uint64_t size, struct dbres *out);
enum db_status store_checkpoint_list(struct dbconn *c, uint64_t after, int64_t limit,
                                     struct dbres *out);
/* cosignature rows: user_id, key_id, line, signed_us */
enum db_status store_cosignatures(struct dbconn *c, uint64_t size, struct dbres *out);
enum db_status store_cosignature_insert(struct dbconn *c, uint64_t size, int64_t user_id,
                                        const char *key_id, const char *line, int64_t now);
/* the largest size this user cosigned (0 when none) */
enum db_status store_cosigned_max(struct dbconn *c, int64_t user_id, uint64_t *size);
/* entry rows: idx, recorded_us, action, actor_user_id, object_type, object_id, project_id,
 * entry, leaf hash */
enum db_status store_entries(struct dbconn *c, uint64_t from, int64_t limit, struct dbres *out);
enum db_status store_project_entries(struct dbconn *c, int64_t project_id, uint64_t below,
                                     struct dbres *out);
enum db_status store_tree_size(struct dbconn *c, uint64_t *size);
/* The newest queued entry, and how many up to it still wait for their index. */
enum db_status store_last_qid(struct dbconn *c, int64_t *qid);
enum db_status store_pending_upto(struct dbconn *c, int64_t qid, int64_t *n);
/* vkey rows: vkey, first_used_us */
enum db_status store_vkeys(struct dbconn *c, struct dbres *out);

#endif
