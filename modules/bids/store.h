/*
 * store.h — the bids module's SQL (store.c).
 */
#ifndef GGZY_BIDS_STORE_H
#define GGZY_BIDS_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "db.h"
#include "timelock.h"

/* A registered key and its owner: row user_id, role, org_id, disabled, spki_der, revoked_us. */
enum db_status store_user_key(struct dbconn *c, const char *key_id, struct dbres *out);
/* Insert an opening key and its sealed shares (users[i], key_ids[i] hold share x = i + 1). */
enum db_status store_opening_insert(struct dbconn *c, int64_t project, int64_t lot,
                                    const struct tl_key *k, const int64_t *users,
                                    const char *const *key_ids, int64_t by, int64_t now,
                                    int64_t *id);
/* A lot's opening key: row id, key_id, public_key, threshold, custodians, commitments,
 * created_us (no row when there is none). */
enum db_status store_opening_get(struct dbconn *c, int64_t project, int64_t lot, struct dbres *out);
/* Its shares, by x: rows x, custodian_user, role, custodian_key_id, enc, sealed. */
enum db_status store_opening_shares(struct dbconn *c, int64_t opening_key, struct dbres *out);

#endif
