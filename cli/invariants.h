/*
 * invariants.h — the replay checker: rules every project's audit trail must obey, as one table
 * of checks run over the project's entries in log order (docs/audit.md lists them with the
 * entry payloads they read). Later modules add rows (expert avoidance, deposit refunds).
 */
#ifndef GGZY_INVARIANTS_H
#define GGZY_INVARIANTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

struct inv_state;

struct inv_violation {
    const char *code;
    int64_t index;
    char message[300];
};

struct inv_report {
    struct inv_violation *v;
    size_t n, cap;
};

struct inv_state *inv_new(void);
void inv_free(struct inv_state *s);
/* Feed one parsed entry (in log order); violations are appended to rep. */
void inv_feed(struct inv_state *s, const cJSON *entry, struct inv_report *rep);
void inv_report_free(struct inv_report *rep);
/* The table, for listing: code and description of rule i, or NULL past the end. */
const char *inv_code(size_t i);
const char *inv_description(size_t i);

/* For the replay's own files: append a violation. */
void inv_violate(struct inv_report *rep, const char *code, int64_t index, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* The venue ledger (invariants_venues.c), fed the whole log in order (`ggzy audit replay --file
 * EXPORT`): INV-VENUE-OVERLAP, INV-VENUE-OPENING as entries arrive, INV-VENUE-RECORDING at the
 * end (vl_finish). */
struct venue_ledger;
struct venue_ledger *vl_new(void);
void vl_free(struct venue_ledger *v);
void vl_feed(struct venue_ledger *v, const cJSON *entry, struct inv_report *rep);
void vl_finish(struct venue_ledger *v, struct inv_report *rep);

/* The draw ledger (invariants_draws.c), fed entries in log order (a project's timeline, the
 * whole log, or one draw's entries): INV-DRAW-SEED, INV-DRAW-ORDER, INV-DRAW-SIZE and
 * INV-DRAW-STAFF as the entries arrive. dl_print prints draw id's walk per group (-1: the log
 * holds no seeded draw of that id). */
struct draw_ledger;
struct draw_ledger *dl_new(void);
void dl_free(struct draw_ledger *l);
void dl_feed(struct draw_ledger *l, const cJSON *entry, struct inv_report *rep);
int dl_print(const struct draw_ledger *l, int64_t id);

/* The deposit ledger (invariants_deposits.c), fed entries in log order (a project's timeline or
 * the whole log): INV-DEP-BALANCE, INV-DEP-REFUND and INV-DEP-BASIC as the entries arrive,
 * INV-DEP-LATE then and at the end (dep_finish). */
struct deposit_ledger;
struct deposit_ledger *dep_new(void);
void dep_free(struct deposit_ledger *d);
void dep_feed(struct deposit_ledger *d, const cJSON *entry, struct inv_report *rep);
void dep_finish(struct deposit_ledger *d, struct inv_report *rep);
/* The evaluation ledger (invariants_evaluation.c), fed entries in log order (a project's
 * timeline or the whole log): INV-EVAL-MEMBER, INV-EVAL-ORDER and INV-EVAL-RESULT as the entries
 * arrive. */
struct eval_ledger;
struct eval_ledger *ev_new(void);
void ev_free(struct eval_ledger *l);
void ev_feed(struct eval_ledger *l, const cJSON *entry, struct inv_report *rep);
/* The checks of a project's timeline that need its end (INV-DEP-LATE). */
void inv_finish(struct inv_state *s, struct inv_report *rep);

#endif
