/*
 * audit.h — the one audit call. Every state change appends exactly one entry inside the same
 * transaction as the change (call it from a db_tx function). The entry is canonical JSON
 * (docs/audit.md): keys sorted by their UTF-8 bytes, no insignificant whitespace, integers only;
 * it is produced once, hashed as an RFC 6962 leaf and stored exactly as hashed.
 */
#ifndef GGZY_AUDIT_H
#define GGZY_AUDIT_H

#include <stdint.h>

#include <cjson/cJSON.h>

#include "db.h"

struct req;

/* Append one entry. r may be NULL for actions outside a request (bootstrap); project_id 0
 * means none. payload is consumed (may be NULL). On success *index_out (may be NULL) gets
 * the entry's index. */
enum db_status audit_append(struct dbconn *c, const struct req *r, const char *action,
                            const char *obj_type, int64_t obj_id, int64_t project_id,
                            cJSON *payload, int64_t *index_out);

/* Canonical JSON of v (see above). Returns malloc'd bytes or NULL when v holds a non-integer
 * number or an invalid value. */
char *canon_json(const cJSON *v, size_t *len);

#define AUDIT_MAX_ENTRY 65536

#endif
