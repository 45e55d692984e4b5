/*
 * announce.h — the announce module: every notice about a project is published in one place
 * (信息统一发布). Agents draft announcements; publishing is an explicit action that checks the
 * statutory rules (server/rules/statutes.c), makes the content immutable, signs its hash with the
 * platform key and moves the project's state. The public reads without logging in.
 */
#ifndef GGZY_ANNOUNCE_H
#define GGZY_ANNOUNCE_H

#include <stdbool.h>
#include <stdint.h>

#include "db.h"
#include "app.h"
#include "statutes.h"

/* The bid deadline and opening time in force for a project: those of its latest published
 * tender announcement or amendment that sets them, which is *ann_id (found=false when none is
 * published). */
enum db_status announce_bid_times(struct dbconn *c, int64_t project_id, int64_t *deadline_us,
                                  int64_t *opening_us, int64_t *ann_id, bool *found);
/* The latest published tender announcement of a project, whose signed content carries every
 * lot's opening key (`opening_keys`); 0 when none. */
enum db_status announce_keys_published(struct dbconn *c, int64_t project_id, int64_t *ann_id);
/* The evaluation method in force for a project: that of its latest published tender
 * announcement or amendment declaring one (server/rules/scoring.h's canonical JSON, malloc'd into
 * *json; NULL and *ann_id 0 when none declares one). */
enum db_status announce_evaluation_method(struct dbconn *c, int64_t project_id, char **json,
                                          int64_t *ann_id);
/* The candidates' publicity of a project: the latest published candidates announcement's end
 * (*until_us) and publication (*published_us); *found false when none is published. */
enum db_status announce_publicity(struct dbconn *c, int64_t project_id, int64_t *published_us,
                                  int64_t *until_us, bool *found);
/* The bid deposit the published tender announcement states for a lot (found=false when none is
 * published, or it states no deposit for the lot). */
enum db_status announce_lot_deposit(struct dbconn *c, int64_t project_id, int64_t lot, int64_t *fen,
                                    bool *found);

/* What a tender announcement needs from the opening stage (bids), which comes after announce:
 * a provider hook the bids module sets at start-up (as entry_on_opened_check). keys: every opening
 * key of the project's lots as a JSON array (NULL when none; caller frees); lot_without_key: the
 * first lot without one (*lot 0 when none); started: has any lot's opening started? Without a
 * provider a project has no keys and no opening. */
struct announce_openings {
    cJSON *(*keys)(struct dbconn *c, int64_t project_id, enum db_status *st);
    enum db_status (*lot_without_key)(struct dbconn *c, int64_t project_id, int64_t *lot);
    enum db_status (*started)(struct dbconn *c, int64_t project_id, bool *started);
};
void announce_set_openings(const struct announce_openings *p);

/* What a candidates or award announcement publishes comes from the evaluation stage, which comes
 * after announce: a provider hook it sets at start-up. result: the evaluated result the
 * announcement of project carries in its signed content — award false: the candidates of every
 * evaluated lot ({"candidates": […]}), award true: the tenderer's decision ({"awards": […]}); when
 * it is not ready, why says so (ANN-NO-EVALUATION, ANN-NO-AWARD) and *out stays NULL. published:
 * in the publication's transaction, once it is published (the award notices, the event deposits
 * acts on). Without a provider neither is published (ANN-NO-EVALUATION). */
struct announce_results {
    enum db_status (*result)(struct dbconn *c, int64_t project, bool award, int64_t now,
                             cJSON **out, struct refusal *why);
    enum db_status (*published)(struct dbconn *c, const struct actor *a, int64_t project,
                                int64_t announcement, bool award, int64_t now);
    /* the signed contracts of project, for OCDS: [{id, lot, rank, org_id, price_fen,
     * signed_us}] (caller frees; NULL when *st says a database error) */
    cJSON *(*contracts)(struct dbconn *c, int64_t project, enum db_status *st);
};
/* The provider's contracts, or [] without one. */
cJSON *announce_contracts(struct dbconn *c, int64_t project, enum db_status *st);
void announce_set_results(const struct announce_results *p);

/* The OCDS release package (record=false) or record package of a project (ocds.c); NULL when
 * the project has published nothing (or st says a database error). Caller frees. */
struct dbconn;
cJSON *ocds_package(struct dbconn *c, int64_t project_id, const char *prefix, const char *base_url,
                    bool record, enum db_status *st);

/* ---- rules (rules.c): pure, unit-tested at every boundary ---- */

struct ann_terms {
    int64_t now_us; /* the time of publication */
    int64_t docs_from_us, docs_until_us, bid_deadline_us, opening_us;
    int64_t publicity_from_us, publicity_until_us;
};

/* An amendment against the terms in force (the latest published tender or amendment). */
struct ann_amend_terms {
    int64_t now_us;                          /* the time of publication */
    int64_t deadline_us, opening_us;         /* in force */
    int64_t docs_first_us;                   /* the first day the tender documents were available */
    int64_t new_deadline_us, new_opening_us; /* what the amendment sets; 0: unchanged */
    bool place_changed;                      /* it sets another opening place */
    bool method_changed;                     /* it declares the evaluation method anew */
    bool docs_changed;                       /* it changes the documents' period */
    int64_t docs_from_us, docs_until_us;     /* the documents' period it states; 0: none */
    bool flag;                               /* the drafter said it affects the bids */
    bool opening_started;                    /* a lot of the project is being or was opened */
};

/* A tender announcement: documents period, bid period (when the law requires tendering),
 * opening at the deadline. legally_required and tender apply R-BID-PERIOD. */
struct refusal announce_rule_tender(enum category c, bool legally_required, bool tender,
                                    const struct ann_terms *t);
/* An amendment. Sets *affects: whether it affects the bids, decided from its content (a new
 * deadline, opening time or place, or documents period) or the drafter's flag, which only adds.
 * Refuses: ANN-OPENING-STARTED (conflict) once any lot's opening started; ANN-DEADLINE-PASSED
 * for a date change or a change affecting bids after the deadline in force; ANN-DEADLINE-EARLIER
 * for a deadline moved earlier; R-OPENING-AT-DEADLINE; R-BID-PERIOD (from the first day of the
 * documents to a new deadline, when the law requires tendering); R-AMEND-NOTICE (a change that
 * affects bids is published at least N days before the deadline, the new one when it moves). */
struct refusal announce_rule_amendment(enum category c, bool legally_required, bool tender,
                                       const struct ann_amend_terms *t, bool *affects);
/* A rule refusing the type until the capability that produces it exists (NULL: none). */
struct refusal announce_rule_capability(const char *type, bool provided);
/* Candidate publicity: lasts at least N. */
struct refusal announce_rule_publicity(enum category c, const struct ann_terms *t);
/* A deposit within the cap of the lot's estimate. */
struct refusal announce_rule_deposit(enum category c, int64_t deposit_fen, int64_t estimate_fen);
/* The project state an announcement type needs, and the state publishing it leads to (NULL:
 * unchanged). */
bool announce_rule_state_ok(const char *type, const char *state);
const char *announce_rule_state_after(const char *type);

#endif
