/*
 * audit.h — the one audit call. Every state change appends exactly one entry inside the same
 * transaction as the change (call it from a db_tx or req_tx function). The entry is canonical JSON
 * (docs/audit.md): keys sorted by their UTF-8 bytes, no insignificant whitespace, integers only;
 * it is produced once, hashed as an RFC 6962 leaf and stored exactly as hashed.
 */
#ifndef GGZY_AUDIT_H
#define GGZY_AUDIT_H

#include <stdint.h>

#include <cjson/cJSON.h>

#include "actor.h"
#include "config.h"
#include "canon.h"
#include "db.h"

/* Where an entry landed: its index in the log and its time of record (µs, from the one
 * clock, taken when the change was made). */
struct audit_ref {
    int64_t index, time_us;
    int64_t qid; /* audit_append's: the queued entry to wait for */
};

/* Queue the transaction's one entry (a second one in the same transaction is an error) from
 * actor a; project_id 0 means none; payload is consumed (may be NULL). The entry commits with
 * the change; the sequencer then gives it its index (woken through db_on_commit). When ref is
 * not NULL, the commit waits until the entry is sequenced and fills *ref (index -1 if that took
 * too long): ref must outlive the transaction function (put it in the db_tx context, not on
 * that function's stack). */
enum db_status audit_append(struct dbconn *c, const struct actor *a, const char *action,
                            const char *obj_type, int64_t obj_id, int64_t project_id,
                            cJSON *payload, struct audit_ref *ref);

/* The sequencer (sequencer.c). */
bool audit_start(const struct config *cfg);
void audit_stop(void);
/* Wake the sequencer: an entry was committed. */
void audit_kick(void);
/* Sequence one batch of committed entries on c (also signing a checkpoint when one is due).
 * Returns the number sequenced, or -1 on a database error. */
int audit_sequence_batch(struct dbconn *c);
/* Register, at module init, a statement the sequencer runs in its own transaction for every
 * entry of action it sequences, with the entry's index and object id as its two parameters:
 * how a module learns an order assigned at commit (announce: the public order). */
void audit_on_sequenced(const char *action, const char *sql);
/* Wait until the entry queued as qid is sequenced; fills *ref. False on timeout. */
bool audit_wait(struct dbconn *c, int64_t qid, struct audit_ref *ref, int timeout_ms);

#define AUDIT_MAX_ENTRY (8 << 20) /* the largest: an expert draw's fixed pool (docs/draw.md §2) */

#endif
