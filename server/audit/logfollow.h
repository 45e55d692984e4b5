/*
 * logfollow.h — reading the log in order, each entry proven by a signed checkpoint: what a module
 * that acts irreversibly on the log's facts uses (deposits: money leaves only on what the log
 * proves, docs/deposits.md §10a), so that nothing it relies on was changed in the database since
 * the platform signed it.
 *
 * A follower keeps the frontier of the entries it has verified. Each sync reads the entries after
 * them up to the latest signed checkpoint — by index, never through an index column a database
 * administrator could edit to hide one —, re-hashes each from its bytes, and checks that the tree
 * they extend is the one the checkpoint's signed note (verified with the log's own key) commits
 * to. Only then does it hand the entries whose action starts with its prefix to its function, in
 * order, once each. Entries are never handed twice and never unverified; an edit of an entry
 * already handed changes nothing the follower holds (and the log's watch finds it).
 */
#ifndef GGZY_LOGFOLLOW_H
#define GGZY_LOGFOLLOW_H

#include <stdbool.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "db.h"

struct logfollow;
/* One verified entry (the parsed canonical JSON; borrowed for the call). */
typedef void (*logfollow_fn)(void *ctx, uint64_t index, const cJSON *entry);

struct logfollow *logfollow_new(const char *action_prefix, logfollow_fn fn, void *ctx);
void logfollow_free(struct logfollow *f);
/* Verify and hand on the entries up to the latest signed checkpoint. DB_OK with *intact false:
 * the entries are not what was signed (the log's alarm is raised, nothing is handed on).
 * *size: how many entries are verified now; *signed_us: when that checkpoint was signed. Not
 * thread-safe: the caller serializes syncs and its own reads of what fn built. */
enum db_status logfollow_sync(struct logfollow *f, struct dbconn *c, uint64_t *size,
                              int64_t *signed_us, bool *intact);
/* Ask for a checkpoint covering every entry committed so far, and wait (at most timeout_ms) until
 * it is signed: so a sync after it sees every change committed before the call. False on
 * timeout or a database error. */
bool logfollow_await_checkpoint(struct dbconn *c, int timeout_ms);

#endif
