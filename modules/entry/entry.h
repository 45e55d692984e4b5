/*
 * entry.h — the entry module: every trading project enters through one door (项目统一进场).
 * Agents register projects (with lots and documents), center staff accept them (giving a
 * gap-free code) or return them for amendment, and every state change goes through the one
 * state machine (lib/project_states.c). Its rules are pure functions (rules.c).
 */
#ifndef GGZY_ENTRY_H
#define GGZY_ENTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "db.h"
#include "app.h"
#include "statutes.h"

/* ---- rules (rules.c) ---- */
/* Procurement methods each category allows (NULL-terminated). */
const char *const *entry_rule_methods(enum category c);
bool entry_rule_method_allowed(enum category c, const char *method);
/* Is method one where bids are tendered (so the tendering law's periods apply)? */
bool entry_rule_method_is_tender(const char *method);
/* The code of an accepted project: region-year-category-sequence, e.g. 110000-2026-GC-00042. */
void entry_rule_format_code(char out[32], const char *region, int year, enum category c, int seq);
/* Which roles may ask for from -> to through the transitions route (0: none: another action
 * owns it — bidding begins with the tender announcement, opened with the opening ceremony). */
unsigned entry_rule_transition_roles(const char *from, const char *to);
/* Document uploads: is the content type allowed, and do the bytes look like it? ENT-DOCUMENT
 * (answered 415). */
struct refusal entry_rule_document(const char *content_type, const void *bytes, size_t len);

/* ---- for other modules (store.c) ---- */
struct project_view {
    int64_t id, agent_org_id, tenderer_org_id, budget_fen;
    int category;
    bool legally_required;
    char state[32], method[32], region[8], code[32];
    char name[256];
};
/* Read a project (found=false when there is none); FOR UPDATE when lock is true. */
/* The project of a public code (110000-2026-GC-00042): its id, *found telling whether any. */
enum db_status entry_project_id_by_code(struct dbconn *c, const char *code, int64_t *id,
                                        bool *found);
enum db_status entry_project(struct dbconn *c, int64_t id, bool lock, struct project_view *p,
                             bool *found);
/* A project's lots in order (entry_lots): LOT_COLS names the columns of each row. */
#define LOT_COLS(X)                                                                                \
    X(LC_SEQ, "seq")                                                                               \
    X(LC_NAME, "name")                                                                             \
    X(LC_ESTIMATE, "estimate_fen")
enum { LOT_COLS(DB_COL_ENUM) LC__COUNT };
enum db_status entry_lots(struct dbconn *c, int64_t project_id, struct dbres *out);
/* The estimate of lot seq of the project (found=false when there is none). */
enum db_status entry_lot_estimate(struct dbconn *c, int64_t project_id, int seq, int64_t *fen,
                                  bool *found);
/* Move the project from -> to inside the caller's transaction (the caller writes the audit
 * entry for its action; this writes none). */
enum db_status entry_set_state(struct dbconn *c, int64_t id, const char *to, const char *from);
/* A later stage tells the entry module whether a project's bids have been opened, so that the
 * evaluation may begin (opened → evaluating): a provider hook, since entry comes first. The
 * hook sets *ready, or fills why (for the ENT-NOT-OPENED refusal). */
typedef enum db_status (*entry_opened_fn)(struct dbconn *c, int64_t project_id, bool *ready,
                                          char *why, size_t whylen);
void entry_on_opened_check(entry_opened_fn fn);
/* May this caller act for the project (its agent or tenderer organization), or oversee it? */
bool entry_rule_is_party(const struct principal *who, const struct project_view *p);

#endif
