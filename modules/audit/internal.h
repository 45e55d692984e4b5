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

#endif
