/*
 * internal.h — what the outbox module's files share: its configuration and the channel table.
 */
#ifndef GGZY_OUTBOX_INTERNAL_H
#define GGZY_OUTBOX_INTERNAL_H

#include "accounts/accounts.h"
#include "app.h"
#include "outbox.h"
#include "store.h"

struct outbox_conf {
    const char *channels;  /* the external channels, comma-separated ("" : the inbox only) */
    const char *file_path; /* the development file channel's file */
    int64_t max_attempts;
};
extern struct outbox_conf outbox_conf;

/* A channel: send one message to address; false with err set when it was not accepted (it is
 * tried again later). */
struct outbox_channel {
    const char *name;
    bool (*send)(const char *address, int64_t user, const char *kind, const char *subject,
                 const char *body, int64_t message_id, char *err, size_t errlen);
};
extern const char *const outbox_channel_names[]; /* NULL-terminated */

/* deliver.c: the job outbox.deliver (system:outbox) */
bool outbox_job_deliver(struct dbconn *c, const struct actor *a, int64_t now_us);

/* deliver.c: sets the core's notifier (app_notify) */
bool outbox_init(const struct config *cfg);

#endif
