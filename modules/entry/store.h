/*
 * store.h — the entry module's SQL (store.c); row layout: PROJECT_COLS in store.c.
 */
#ifndef GGZY_ENTRY_STORE_H
#define GGZY_ENTRY_STORE_H

#include <stdint.h>

#include "db.h"
#include "statutes.h"

#define MAX_LOTS 50

/* A project as submitted in a create or amend request (validated). */
struct project_in {
    const char *name, *method, *region, *funding_source;
    enum category category;
    int64_t tenderer_org_id, budget_fen, retender_of;
    bool legally_required;
    int nlots;
    const char *lot_name[MAX_LOTS];
    int64_t lot_fen[MAX_LOTS];
};

enum db_status store_project_insert(struct dbconn *c, const struct project_in *in,
                                    int64_t agent_org, int64_t user, int64_t now, int64_t *id);
enum db_status store_project_update(struct dbconn *c, int64_t id, const struct project_in *in,
                                    int64_t now);
enum db_status store_project_get(struct dbconn *c, int64_t id, bool lock, struct dbres *out);
/* org 0: every project; else the projects of that agent or tenderer organization. */
enum db_status store_project_list(struct dbconn *c, int64_t org, const char *state, int64_t after,
                                  int64_t limit, struct dbres *out);
enum db_status store_lots_replace(struct dbconn *c, int64_t id, const struct project_in *in);
/* lot rows: seq, name, estimate_fen */
enum db_status store_lots(struct dbconn *c, int64_t id, struct dbres *out);
/* The next code sequence of (region, year, category): locks the counter row until commit. */
enum db_status store_code_next(struct dbconn *c, const char *region, int year, const char *cat,
                               int *seq);
enum db_status store_project_code(struct dbconn *c, int64_t id, const char *code);
enum db_status store_state(struct dbconn *c, int64_t id, const char *to, const char *from,
                           const char *reason, int64_t now, uint64_t *changed);
enum db_status store_document_insert(struct dbconn *c, int64_t project, const char *name,
                                     const char *type, const void *bytes, size_t len,
                                     const uint8_t sha[32], int64_t user, int64_t now, int64_t *id);
/* document rows: id, name, content_type, size, sha256, created_us */
enum db_status store_documents(struct dbconn *c, int64_t project, struct dbres *out);
/* one document: name, content_type, content */
enum db_status store_document(struct dbconn *c, int64_t project, int64_t id, struct dbres *out);

#endif
