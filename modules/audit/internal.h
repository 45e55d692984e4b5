/*
 * internal.h — the audit module: the HTTP face of the tamper-evident log (checkpoints, entries,
 * proofs, project timelines, supervisors' cosignatures). Its init starts the core's sequencer.
 * Who may see what is decided by the pure rules in rules.c.
 */
#ifndef GGZY_AUDIT_INTERNAL_H
#define GGZY_AUDIT_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "app.h"

/* ---- rules (rules.c) ---- */

/* May this caller see the entry at all? (Supervisors: every entry. Others: entries they made
 * or that are about their own account; project parties join when projects exist.) */
bool audit_rule_visible(const struct principal *who, int64_t actor_user_id, const char *object_type,
                        int64_t object_id);
/* The payload fields of this action withheld from callers who are not supervisors, as a
 * NULL-terminated list, or NULL when nothing is withheld. */
const char *const *audit_rule_withheld(const char *action);
/* Replace the withheld payload fields of a parsed entry with "[withheld]"; true if any was. */
bool audit_rule_redact(cJSON *entry, const char *const *fields);

/* log.c */
void entries_get(struct req *r, const cJSON *body);
void inclusion_proof(struct req *r, const cJSON *body);
void consistency_proof(struct req *r, const cJSON *body);
void timeline(struct req *r, const cJSON *body);

/* checkpoints.c */
void vkey_get(struct req *r, const cJSON *body);
void checkpoint_get(struct req *r, const cJSON *body);
void checkpoint_by_size(struct req *r, const cJSON *body);
void checkpoint_list(struct req *r, const cJSON *body);
void checkpoint_request_now(struct req *r, const cJSON *body);
void cosign(struct req *r, const cJSON *body);

/* views.c; add_b64: bytes as base64 under key; query_u64: a whole-number query parameter (false:
 * 400 set on r) */
void add_b64(cJSON *o, const char *key, const void *bytes, size_t n);
bool query_u64(struct req *r, const char *name, uint64_t *out, bool required, int64_t min);
cJSON *checkpoint_json(struct dbconn *c, const struct dbres *r, size_t i);
cJSON *checkpoint_row(void *c, const struct dbres *r, size_t i);
bool visible(const struct req *r, const struct dbres *e, size_t i);
cJSON *entry_json(const struct req *r, const struct dbres *e, size_t i, bool *withheld_seen);
void reply_checkpoint(struct req *r, struct dbconn *c, struct dbres *res, enum db_status st);

#endif
