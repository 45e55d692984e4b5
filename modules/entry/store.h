/*
 * store.h — the entry module's SQL (store.c) and the columns of each row it returns, named
 * (one X-macro per SELECT: the column list and the enum of positions).
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

/* project rows (store_project_get, store_project_list) */
#define PROJECT_COLS(X)                                                                            \
    X(PC_ID, "id")                                                                                 \
    X(PC_CODE, "code")                                                                             \
    X(PC_NAME, "name")                                                                             \
    X(PC_CATEGORY, "category")                                                                     \
    X(PC_METHOD, "method")                                                                         \
    X(PC_REGION, "region")                                                                         \
    X(PC_TENDERER, "tenderer_org_id")                                                              \
    X(PC_AGENT, "agent_org_id")                                                                    \
    X(PC_BUDGET, "budget_fen")                                                                     \
    X(PC_FUNDING, "funding_source")                                                                \
    X(PC_LEGAL, "legally_required")                                                                \
    X(PC_STATE, "state")                                                                           \
    X(PC_SUSPENDED_FROM, "suspended_from")                                                         \
    X(PC_RETURN_REASON, "return_reason")                                                           \
    X(PC_RETENDER_OF, "retender_of")                                                               \
    X(PC_CREATED, "created_us")                                                                    \
    X(PC_UPDATED, "updated_us")
enum { PROJECT_COLS(DB_COL_ENUM) PC__COUNT };
/* document rows (store_documents) and one document (store_document) */
#define DOC_COLS(X)                                                                                \
    X(DC_ID, "id")                                                                                 \
    X(DC_NAME, "name")                                                                             \
    X(DC_TYPE, "content_type")                                                                     \
    X(DC_SIZE, "size")                                                                             \
    X(DC_SHA, "sha256")                                                                            \
    X(DC_CREATED, "created_us")
enum { DOC_COLS(DB_COL_ENUM) DC__COUNT };
#define DOC1_COLS(X)                                                                               \
    X(D1_NAME, "name")                                                                             \
    X(D1_TYPE, "content_type")                                                                     \
    X(D1_CONTENT, "content")
enum { DOC1_COLS(DB_COL_ENUM) D1__COUNT };

enum db_status store_project_insert(struct dbconn *c, const struct project_in *in,
                                    int64_t agent_org, int64_t user, int64_t now, int64_t *id);
enum db_status store_project_update(struct dbconn *c, int64_t id, const struct project_in *in,
                                    int64_t now);
enum db_status store_project_get(struct dbconn *c, int64_t id, bool lock, struct dbres *out);
/* org 0: every project; else the projects of that agent or tenderer organization. */
enum db_status store_project_list(struct dbconn *c, int64_t org, const char *state, int64_t after,
                                  int64_t limit, struct dbres *out);
enum db_status store_lots_replace(struct dbconn *c, int64_t id, const struct project_in *in);
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
enum db_status store_documents(struct dbconn *c, int64_t project, struct dbres *out);
enum db_status store_document(struct dbconn *c, int64_t project, int64_t id, struct dbres *out);

#endif
