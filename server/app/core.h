/*
 * core.h — what the core module's files share (core_routes.c, calendar_admin.c); not for
 * modules, which see app.h.
 */
#ifndef GGZY_CORE_H
#define GGZY_CORE_H

#include <stdbool.h>

#include "app.h"

/* calendar_admin.c: the working-day calendar the platform keeps (docs/rules.md). */
bool core_calendar_apply_imports(struct dbconn *c);
bool core_calendar_job(struct dbconn *c, const struct actor *a, int64_t now_us);
bool core_calendar_health(struct dbconn *c, cJSON *o, enum err_code *code, char *why,
                          size_t whylen);
void core_calendar_get(struct req *r, const cJSON *body);
int core_calendar_command(const struct command_ctx *x);

#endif
