/*
 * checkpoint.h — the log's signing side: the Ed25519 key (loaded once, wiped on exit), and the
 * checkpointer the sequencer calls after every batch, which signs a checkpoint when one is due:
 * every audit.checkpoint_interval_ms while entries arrive, on request, and at every scheduled
 * deadline. It never signs a tree that is not consistent with the last checkpoint it signed.
 */
#ifndef GGZY_CHECKPOINT_H
#define GGZY_CHECKPOINT_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "db.h"
#include "merkle.h"

bool checkpoint_init(const struct config *cfg);
void checkpoint_fini(void);
/* Inside the sequencer's transaction (head row locked); f is the tree as of now. */
bool checkpoint_maybe(struct dbconn *c, const struct frontier *f);
/* Ask for a checkpoint at the next sequencer pass. */
void checkpoint_request(void);
const char *checkpoint_vkey(void);
const char *checkpoint_origin(void);
/* Schedule a checkpoint at deadline_us (call inside the transaction that sets the deadline). */
enum db_status checkpoint_schedule(struct dbconn *c, int64_t deadline_us, int64_t project_id,
                                   const char *label);
/* Sign msg with the platform key (the log's Ed25519 key; callers prefix their own domain
 * string so signatures of different kinds can never be confused). */
bool platform_sign(const void *msg, size_t len, uint8_t sig[64]);

/* A stored node of the tree (merkle_fetch for a struct dbconn *). */
bool audit_node(void *conn, int level, uint64_t index, mhash out);
/* The RFC 6962 inclusion proof of entry index in the tree of size entries, as a JSON array of
 * base64 hashes (caller frees); NULL when it cannot be built. The one way every route serves a
 * proof (audit proofs, project timelines, bid receipts). */
struct cJSON;
struct cJSON *audit_proof_json(struct dbconn *c, uint64_t index, uint64_t size);

/* The latest signed checkpoint: its size and its signed note (malloc'd; NULL and size 0 when
 * none is signed yet). */
enum db_status checkpoint_latest(struct dbconn *c, uint64_t *size, char **note);
/* The canonical JSON of the entry at index (malloc'd; NULL when there is none yet). */
enum db_status audit_entry_text(struct dbconn *c, uint64_t index, char **entry);

#endif
