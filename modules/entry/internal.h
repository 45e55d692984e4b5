/*
 * internal.h — what the entry module's files share (not for other modules): views.c,
 * projects.c (create, amend, read, list, move between states), documents.c and routes.c.
 */
#ifndef GGZY_ENTRY_INTERNAL_H
#define GGZY_ENTRY_INTERNAL_H

#include <cjson/cJSON.h>

#include "app.h"
#include "entry.h"

/* The later stage's answer to "has every lot been opened?" (entry_on_opened_check). */
extern entry_opened_fn entry_opened_check;

/* documents.c */
void document_upload(struct req *r, const cJSON *body);
void document_get(struct req *r, const cJSON *body);

/* projects.c (load_draft: the caller's own draft project, locked; false: refused on r) */
bool load_draft(struct req *r, struct dbconn *c, int64_t id, struct project_view *v,
                enum tx_result *t, const char *what);
void project_create(struct req *r, const cJSON *body);
void project_amend(struct req *r, const cJSON *body);
void project_get(struct req *r, const cJSON *body);
void project_list(struct req *r, const cJSON *body);
void project_transition(struct req *r, const cJSON *body);
bool load_visible(struct req *r, struct dbconn *c, int64_t id, bool lock, struct project_view *v,
                  enum tx_result *t);

/* views.c */
cJSON *project_json(struct dbconn *c, const struct dbres *r, size_t i, bool detail);
cJSON *project_row(void *c, const struct dbres *r, size_t i);
bool reply_project(struct dbconn *c, struct req *r, int64_t id, unsigned status);

#endif
