/*
 * logwatch.h — the server watches its own log (docs/audit.md §6). A database administrator can
 * edit an entry and its stored leaf hash together so that the two agree; what they cannot do is
 * make the edited entries hash to a root ggzyd signed. So:
 *   - before signing a checkpoint (logwatch_check_new), the stored subtree roots of the last
 *     signed tree must hash to its signed root, every entry added since is re-hashed from its
 *     bytes and compared with its stored leaf, and the tree those leaves make must be the one
 *     about to be signed;
 *   - on a schedule (the job core.log-scan: audit.scan_interval_s, and at start-up), the log is
 * re-hashed from its bytes and the tree is compared with every signed checkpoint (logwatch_scan).
 * Any mismatch raises the alarm: signing stops for good (until an operator has investigated and
 * restarted ggzyd), the log says where, /healthz answers 503 and the metric
 * ggzy_audit_log_intact drops to 0.
 */
#ifndef GGZY_LOGWATCH_H
#define GGZY_LOGWATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "merkle.h"

struct dbconn;

/* Check the entries added since the checkpoint of size m (root m_root; m 0: none) up to the
 * tree f about to be signed. False raises the alarm (why logged) — or, with *db_error set, the
 * database failed and nothing is concluded. */
bool logwatch_check_new(struct dbconn *c, uint64_t m, const mhash m_root, const struct frontier *f,
                        bool *db_error);
/* Re-hash the whole log against its stored leaves and every signed checkpoint; *entries gets how
 * many were re-hashed. False raises the alarm, unless *db_error. */
bool logwatch_scan(struct dbconn *c, bool *db_error, uint64_t *entries);
/* Raise the alarm (also for the sequencer's own consistency check). */
void logwatch_alarm(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Is the log intact, as far as the watch has seen? why gets the alarm's reason when not. */
bool logwatch_ok(char *why, size_t whylen);
/* Forget a raised alarm (at start-up: an operator has investigated and restarted ggzyd). The
 * scan itself is the core's scheduler job core.log-scan (server/app/core_routes.c). */
void logwatch_reset(void);

#endif
