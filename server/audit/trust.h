/*
 * trust.h — the trust anchors in force: per side, the CA certificates that certify signing
 * keys, and the CRLs, read from the files the configuration names (trust.*_ca, trust.crl) —
 * never from the database, which its administrator could edit. Whoever runs ggzyd could still
 * add a CA of their own to those files, so the anchors in force are published into the audit
 * log (action trust.anchors) at start-up and whenever SIGHUP reloads them with a change, and
 * `ggzy audit replay` checks every signature against the anchors published before it.
 */
#ifndef GGZY_TRUST_H
#define GGZY_TRUST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cert.h"
#include "config.h"

struct dbconn;

/* Load the anchors and CRLs the configuration names (replacing those in force). False with err:
 * a named file that cannot be read keeps the old set. */
bool trust_load(const struct config *cfg, char *err, size_t errlen);
void trust_free(void);
/* cert_check against the set in force. */
const char *trust_check(enum side side, const struct cert_chain *chain, const char *credit_code,
                        int64_t at_us, struct cert_info *info, char *why, size_t whylen);
/* Append a trust.anchors entry when the set in force differs from the last one published (one
 * transaction on c, outside any request). False on a database error. */
bool trust_publish(struct dbconn *c);

#endif
