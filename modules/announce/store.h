/*
 * store.h — the announce module's SQL (store.c). Row layout: ANN_COLS in store.c:
 * 0 id, 1 project_id, 2 type, 3 title, 4 body, 5 amends_id, 6 affects_bids, 7 docs_from_us,
 * 8 docs_until_us, 9 bid_deadline_us, 10 opening_us, 11 publicity_from_us,
 * 12 publicity_until_us, 13 state, 14 category, 15 region, 16 created_us, 17 updated_us,
 * 18 published_us, 19 content_sha256, 20 signature, 21 pub_seq, 22 project code, 23 content,
 * 24 opening_place
 */
#ifndef GGZY_ANNOUNCE_STORE_H
#define GGZY_ANNOUNCE_STORE_H

#include <stdint.h>

#include "db.h"

#define MAX_DEPOSITS 50

struct ann_in {
    const char *type, *title, *body;
    int64_t amends_id;
    bool affects_bids;
    const char *opening_place; /* NULL: none */
    int64_t
        t[6]; /* docs_from, docs_until, bid_deadline, opening, publicity_from, _until; 0 = none */
    int ndep;
    int dep_lot[MAX_DEPOSITS];
    int64_t dep_fen[MAX_DEPOSITS];
};

enum db_status store_ann_insert(struct dbconn *c, int64_t project, const char *category,
                                const char *region, const struct ann_in *in, int64_t user,
                                int64_t now, int64_t *id);
enum db_status store_ann_update(struct dbconn *c, int64_t id, const struct ann_in *in, int64_t now);
enum db_status store_ann_get(struct dbconn *c, int64_t id, bool lock, struct dbres *out);
/* deposit rows: lot_seq, deposit_fen */
enum db_status store_ann_deposits(struct dbconn *c, int64_t id, struct dbres *out);
enum db_status store_ann_publish(struct dbconn *c, int64_t id, int64_t now, const char *content,
                                 size_t len, const uint8_t sha[32], const uint8_t sig[64]);
/* The latest published tender or amendment deadline of a project (found=false: none). */
enum db_status store_ann_deadline(struct dbconn *c, int64_t project, int64_t *deadline,
                                  int64_t *opening, int64_t *ann_id, bool *found);
/* The terms in force for a project's bids: the latest published deadline and opening (found
 * false: no tender is published), the first day of the documents (the first tender's
 * docs_from), the documents' period and the opening place in force ("" when never said). */
struct ann_in_force {
    bool found;
    int64_t deadline_us, opening_us, ann_id;
    int64_t docs_first_us, docs_from_us, docs_until_us;
    char place[1210]; /* 300 characters of UTF-8 */
};
enum db_status store_ann_in_force(struct dbconn *c, int64_t project, struct ann_in_force *f);
/* Record on a draft being published whether it affects the bids (decided by the server). */
enum db_status store_ann_set_affects(struct dbconn *c, int64_t id, bool affects);
/* Public listing, newest first by pub_seq < before (0: from the newest). */
enum db_status store_ann_public(struct dbconn *c, const char *type, const char *category,
                                const char *region, int64_t from_us, int64_t to_us, const char *q,
                                int64_t before, int64_t limit, struct dbres *out);
/* Every published announcement of a project, in publication order. */
enum db_status store_ann_of_project(struct dbconn *c, int64_t project, struct dbres *out);

#endif
