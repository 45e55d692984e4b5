/*
 * internal.h — what the accounts module's handler files share (not for other modules):
 * routes.c (sessions, organizations, users, the route table) and keys.c (certified keys).
 */
#ifndef GGZY_ACCOUNTS_INTERNAL_H
#define GGZY_ACCOUNTS_INTERNAL_H

#include <cjson/cJSON.h>

#include "config.h"
#include "http.h"

extern const struct config *accounts_cfg;

/* keys.c */
void key_register(struct req *r, const cJSON *body);
void my_keys(struct req *r, const cJSON *body);
void user_keys(struct req *r, const cJSON *body);
void key_revoke(struct req *r, const cJSON *body);

#endif
