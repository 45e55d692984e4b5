/*
 * internal.h — what the announce module's files share (not for other modules): views.c (the
 * JSON of an announcement), drafts.c, publish.c, public.c (reading without login) and routes.c
 * (the rows, the configuration, the descriptor).
 */
#ifndef GGZY_ANNOUNCE_INTERNAL_H
#define GGZY_ANNOUNCE_INTERNAL_H

#include <cjson/cJSON.h>

#include "announce.h"
#include "app.h"

extern const struct config *announce_cfg;
/* The module's own configuration keys (routes.c). */
struct announce_conf {
    char *base_url, *ocds_prefix;
    int64_t cache_ms;
};
extern struct announce_conf announce_conf;
/* The six times of an announcement as their JSON names, in the order of AC_DOCS_FROM …
 * AC_PUBLICITY_UNTIL (store.h). */
extern const char *const announce_time_keys[6];

/* public.c */
void pages_invalidate(void);
void pages_free(void);
void public_list(struct req *r, const cJSON *body);
void public_get(struct req *r, const cJSON *body);
void public_signature(struct req *r, const cJSON *body);
void public_atom(struct req *r, const cJSON *body);
void public_ocds_releases(struct req *r, const cJSON *body);
void public_ocds_record(struct req *r, const cJSON *body);

/* publish.c */
void ann_publish(struct req *r, const cJSON *body);

/* drafts.c */
void ann_create(struct req *r, const cJSON *body);
void ann_update(struct req *r, const cJSON *body);
void ann_get(struct req *r, const cJSON *body);
bool load_own(struct dbconn *c, struct req *r, int64_t id, bool lock, struct dbres *a,
              struct project_view *v, enum tx_result *t);
/* The venues stage's hook (venues_relocated_fn): the change notice of an opening's place. */
enum db_status ann_draft_place_change(struct dbconn *c, int64_t project, int64_t user,
                                      const char *old_place, const char *new_place, int64_t now_us,
                                      int64_t *draft);

/* views.c */
cJSON *ann_json(struct dbconn *c, const struct dbres *r, size_t i, bool with_body);
cJSON *ann_row(void *ctx, const struct dbres *r, size_t i);

#endif
