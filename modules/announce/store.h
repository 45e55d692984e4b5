/*
 * store.h — the announce module's SQL (store.c). Row layout: ANN_COLS in store.c:
 * 0 id, 1 project_id, 2 type, 3 title, 4 body, 5 amends_id, 6 affects_bids, 7 docs_from_us,
 * 8 docs_until_us, 9 bid_deadline_us, 10 opening_us, 11 publicity_from_us,
 * 12 publicity_until_us, 13 state, 14 category, 15 region, 16 created_us, 17 updated_us,
 * 18 published_us, 19 content_sha256, 20 signature, 21 pub_seq, 22 project code, 23 content,
 * 24 opening_place, 25 evaluation_json
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
    char *evaluation;          /* the declared method, canonical JSON (malloc'd); NULL: none */
    int64_t
        t[6]; /* docs_from, docs_until, bid_deadline, opening, publicity_from, _until; 0 = none */
    int ndep;
    int dep_lot[MAX_DEPOSITS];
    int64_t dep_fen[MAX_DEPOSITS];
};

/* announcement rows, with the project's code they keep (store_ann_get, store_ann_public,
 * store_ann_of_project); the six times AC_DOCS_FROM … AC_PUBLICITY_UNTIL are consecutive, in the
 * order of time_keys in routes.c */
#define ANN_COLS(X)                                                                                \
    X(AC_ID, "a.id")                                                                               \
    X(AC_PROJECT, "a.project_id")                                                                  \
    X(AC_TYPE, "a.type")                                                                           \
    X(AC_TITLE, "a.title")                                                                         \
    X(AC_BODY, "a.body")                                                                           \
    X(AC_AMENDS, "a.amends_id")                                                                    \
    X(AC_AFFECTS, "a.affects_bids")                                                                \
    X(AC_DOCS_FROM, "a.docs_from_us")                                                              \
    X(AC_DOCS_UNTIL, "a.docs_until_us")                                                            \
    X(AC_DEADLINE, "a.bid_deadline_us")                                                            \
    X(AC_OPENING, "a.opening_us")                                                                  \
    X(AC_PUBLICITY_FROM, "a.publicity_from_us")                                                    \
    X(AC_PUBLICITY_UNTIL, "a.publicity_until_us")                                                  \
    X(AC_STATE, "a.state")                                                                         \
    X(AC_CATEGORY, "a.category")                                                                   \
    X(AC_REGION, "a.region")                                                                       \
    X(AC_CREATED, "a.created_us")                                                                  \
    X(AC_UPDATED, "a.updated_us")                                                                  \
    X(AC_PUBLISHED, "a.published_us")                                                              \
    X(AC_SHA, "a.content_sha256")                                                                  \
    X(AC_SIGNATURE, "a.signature")                                                                 \
    X(AC_PUB_SEQ, "a.pub_seq")                                                                     \
    X(AC_PROJECT_CODE, "a.project_code")                                                           \
    X(AC_CONTENT, "a.content")                                                                     \
    X(AC_PLACE, "a.opening_place")                                                                 \
    X(AC_EVALUATION, "a.evaluation_json")
enum { ANN_COLS(DB_COL_ENUM) AC__COUNT };
/* deposit rows (store_ann_deposits) */
#define DEPOSIT_COLS(X)                                                                            \
    X(DP_LOT, "lot_seq")                                                                           \
    X(DP_FEN, "deposit_fen")
enum { DEPOSIT_COLS(DB_COL_ENUM) DP__COUNT };

enum db_status store_ann_insert(struct dbconn *c, int64_t project, const char *project_code,
                                const char *category, const char *region, const struct ann_in *in,
                                int64_t user, int64_t now, int64_t *id);
enum db_status store_ann_update(struct dbconn *c, int64_t id, const struct ann_in *in, int64_t now);
enum db_status store_ann_get(struct dbconn *c, int64_t id, bool lock, struct dbres *out);
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
    char place[8010]; /* 2000 characters of UTF-8 */
};
enum db_status store_ann_in_force(struct dbconn *c, int64_t project, struct ann_in_force *f);
/* Record on a draft being published whether it affects the bids (decided by the server). */
enum db_status store_ann_set_affects(struct dbconn *c, int64_t id, bool affects);
/* A draft's opening place, set from its booked rooms at publication. */
enum db_status store_ann_set_place(struct dbconn *c, int64_t id, const char *place);
/* Public listing, newest first by pub_seq < before (0: from the newest). */
enum db_status store_ann_public(struct dbconn *c, const char *type, const char *category,
                                const char *region, int64_t from_us, int64_t to_us, const char *q,
                                int64_t before, int64_t limit, struct dbres *out);
/* Every published announcement of a project, in publication order. */
enum db_status store_ann_of_project(struct dbconn *c, int64_t project, struct dbres *out);

/* The statement the sequencer runs for each published announcement (audit_on_sequenced): its
 * public order is the index of its entry. */
extern const char store_sql_public_order[];

#endif
