/*
 * outbox.h — the outbox module: what the platform tells a person. A message goes to the
 * recipient's in-platform inbox always (GET /api/v1/me/inbox), and, for each channel configured
 * (outbox.channels), to that channel's address for the person (a phone number for SMS or voice),
 * delivered by the job outbox.deliver (system:outbox) with retries. A channel is one row of the
 * channel table (deliver.c): its name and a send function. The development channel `file`
 * appends each message as a JSON line to outbox.file_path (under var/): it is named as what it
 * is, and production configures a gateway's channel instead. Messages are written in the
 * caller's transaction, so nobody is told of a change that did not commit.
 */
#ifndef GGZY_OUTBOX_H
#define GGZY_OUTBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "db.h"

/* A message to user, in the caller's transaction: kind names what it is about
 * ("draw.invitation"), ref_type/ref_id the object (may be NULL/0), address the person's address
 * on the external channels (NULL or "": the inbox only). *id gets the message's id. */
struct outbox_msg {
    int64_t user;
    const char *kind, *subject, *body, *ref_type, *address;
    int64_t ref_id;
};
enum db_status outbox_send(struct dbconn *c, const struct outbox_msg *m, int64_t now, int64_t *id);
/* The same message to each user of ids (a JSON array of user ids, as accounts_members_of gives;
 * m->user is not read), in the caller's transaction. NULL or "[]": nobody, DB_OK. */
enum db_status outbox_send_each(struct dbconn *c, const char *ids, const struct outbox_msg *m,
                                int64_t now);
/* The same message to every enabled user of role ("center_admin", "supervisor"), in the caller's
 * transaction; also the core's notifier (app.h app_notify). */
enum db_status outbox_send_role(struct dbconn *c, const char *role, const struct outbox_msg *m,
                                int64_t now);

/* ---- rules (rules.c) ---- */
/* When a failed delivery is tried again: after 30 s, doubling, at most an hour apart. */
int64_t outbox_rule_next_attempt(int64_t now_us, int attempts);
/* Is a configured channel list valid ("" or names of the table, comma-separated)? */
bool outbox_rule_channels_ok(const char *list, const char *const *known);

#endif
