/*
 * internal.h — what the accounts module's handler files share (not for other modules):
 * routes.c (sessions, organizations, users, the route table), keys.c (certified keys) and
 * jobs.c (housekeeping).
 */
#ifndef GGZY_ACCOUNTS_INTERNAL_H
#define GGZY_ACCOUNTS_INTERNAL_H

#include <cjson/cJSON.h>

#include "config.h"
#include "app.h"

extern const struct config *accounts_cfg;
extern char *accounts_dummy_hash;
/* The module's own configuration keys (auth.scrypt_*, auth.throttle_*: routes.c). */
struct accounts_conf {
    int64_t scrypt_log2n, scrypt_r, scrypt_p;
    int64_t throttle_failures, throttle_window_s;
};
extern struct accounts_conf accounts_conf;

/* jobs.c: the module's scheduler jobs (struct job run functions). A device token unused this
 * many days is forgotten: its next login counts with everyone else's. */
#define ACCOUNTS_DEVICE_IDLE_DAYS 90
bool accounts_job_sessions(struct dbconn *c, const struct actor *a, int64_t now_us);
bool accounts_job_throttle(struct dbconn *c, const struct actor *a, int64_t now_us);
bool accounts_job_devices(struct dbconn *c, const struct actor *a, int64_t now_us);

/* keys.c */
void key_register(struct req *r, const cJSON *body);
void my_keys(struct req *r, const cJSON *body);
void user_keys(struct req *r, const cJSON *body);
void key_revoke(struct req *r, const cJSON *body);

/* directory.c */
void org_create(struct req *r, const cJSON *body);
void org_list(struct req *r, const cJSON *body);
void org_get(struct req *r, const cJSON *body);
void user_create(struct req *r, const cJSON *body);
void user_list(struct req *r, const cJSON *body);
void user_get(struct req *r, const cJSON *body);
void user_disable(struct req *r, const cJSON *body);
void user_enable(struct req *r, const cJSON *body);

/* sessions.c */
void login(struct req *r, const cJSON *body);
void logout(struct req *r, const cJSON *body);
void me(struct req *r, const cJSON *body);
void password_change(struct req *r, const cJSON *body);

/* views.c */
cJSON *org_json(const struct dbres *r, size_t i);
cJSON *user_json(const struct dbres *r, size_t i);
cJSON *org_row(void *ctx, const struct dbres *r, size_t i);
cJSON *user_row(void *ctx, const struct dbres *r, size_t i);

#endif
