/*
 * deliver.c — the outbox's channels and the job that works off their deliveries
 * (outbox.deliver, actor system:outbox). Each due delivery is sent through its channel, then its
 * outcome is recorded in one transaction with its audit entry (outbox.delivered, or
 * outbox.retry / outbox.failed with the channel's error), the message's text never logged. The
 * outcome is recorded only if no other node recorded one meanwhile; a crash between the send
 * and the record sends the message again (at least once), which a gateway's own id dedupes.
 *
 * Channels: `file`, the development channel — each message as one JSON line appended to
 * outbox.file_path, flushed and fsynced; a production SMS or voice gateway is another row of
 * the table with its own send function.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit.h"
#include "canon.h"
#include "internal.h"
#include "util.h"

#define BATCH 50

static bool
file_send(const char *address, int64_t user, const char *kind, const char *subject,
          const char *body, int64_t message_id, char *err, size_t errlen)
{
    cJSON *o = cJSON_CreateObject();
    json_add_i64(o, "message_id", message_id);
    cJSON_AddStringToObject(o, "channel", "file (development)");
    cJSON_AddStringToObject(o, "to", address);
    json_add_i64(o, "user_id", user);
    cJSON_AddStringToObject(o, "kind", kind);
    cJSON_AddStringToObject(o, "subject", subject);
    cJSON_AddStringToObject(o, "body", body);
    char *line = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    int fd =
        line ? open(outbox_conf.file_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600) : -1;
    bool ok = fd >= 0;
    if (ok) {
        size_t n = strlen(line);
        line[n] = '\n'; /* cJSON's buffer holds the NUL; the newline takes its place */
        ok = write(fd, line, n + 1) == (ssize_t)(n + 1) && fsync(fd) == 0;
    }
    if (!ok)
        snprintf(err, errlen, "file channel: %s: %s", outbox_conf.file_path, strerror(errno));
    if (fd >= 0)
        close(fd);
    cJSON_free(line);
    return ok;
}

static const struct outbox_channel channels[] = {
    {"file", file_send},
};
const char *const outbox_channel_names[] = {"file", NULL};

static const struct outbox_channel *
channel(const char *name)
{
    for (size_t i = 0; i < sizeof channels / sizeof channels[0]; i++)
        if (!strcmp(channels[i].name, name))
            return &channels[i];
    return NULL;
}

enum db_status
outbox_send(struct dbconn *c, const struct outbox_msg *m, int64_t now, int64_t *id)
{
    enum db_status st = store_message_insert(c, m->user, m->kind, m->subject, m->body, m->ref_type,
                                             m->ref_id, now, id);
    for (const char *p = outbox_conf.channels;
         st == DB_OK && m->address && *m->address && p && *p;) {
        const char *e = strchr(p, ',');
        char name[33];
        snprintf(name, sizeof name, "%.*s", (int)(e ? e - p : (long)strlen(p)), p);
        st = store_delivery_insert(c, *id, name, m->address, now);
        p = e ? e + 1 : p + strlen(p);
    }
    return st;
}

enum db_status
outbox_send_each(struct dbconn *c, const char *ids, const struct outbox_msg *m, int64_t now)
{
    cJSON *arr = ids ? cJSON_Parse(ids) : NULL, *it;
    enum db_status st = ids && !cJSON_IsArray(arr) ? DB_ERROR : DB_OK;
    cJSON_ArrayForEach(it, arr)
    {
        struct outbox_msg one = *m;
        int64_t id;
        if (!cJSON_IsNumber(it)) {
            st = DB_ERROR;
            break;
        }
        one.user = (int64_t)it->valuedouble; /* ids are below 2^53 (BIGINT AUTO_INCREMENT) */
        if ((st = outbox_send(c, &one, now, &id)) != DB_OK)
            break;
    }
    cJSON_Delete(arr);
    return st;
}

enum db_status
outbox_send_role(struct dbconn *c, const char *role, const struct outbox_msg *m, int64_t now)
{
    enum db_status st;
    char *ids = accounts_active_of_role(c, role, &st);
    if (!ids)
        return st;
    st = outbox_send_each(c, ids, m, now);
    free(ids);
    return st;
}

/* The core's notifier (app.h app_notify). */
static enum db_status
notify_role(struct dbconn *c, const char *role, const char *kind, const char *subject,
            const char *body, int64_t now)
{
    struct outbox_msg m = {.kind = kind, .subject = subject, .body = body};
    return outbox_send_role(c, role, &m, now);
}

bool
outbox_init(const struct config *cfg)
{
    (void)cfg;
    app_set_notifier(notify_role);
    return true;
}

struct outcome_ctx {
    const struct dbres *d;
    size_t i;
    bool sent;
    const char *error;
    const struct actor *a;
    int64_t now;
};

static enum tx_result
outcome_tx(struct dbconn *c, void *arg)
{
    struct outcome_ctx *x = arg;
    int attempts = (int)dbres_i64(x->d, x->i, DU_ATTEMPTS);
    bool last = !x->sent && attempts + 1 >= outbox_conf.max_attempts, done;
    const char *state = x->sent ? "sent" : last ? "failed" : "pending";
    if (store_delivery_done(c, dbres_i64(x->d, x->i, DU_ID), attempts, state,
                            outbox_rule_next_attempt(x->now, attempts + 1), x->error, x->now,
                            &done) != DB_OK)
        return TX_DBFAIL;
    if (!done)
        return TX_COMMIT; /* recorded by another node meanwhile */
    cJSON *p = cJSON_CreateObject();
    json_add_i64(p, "delivery_id", dbres_i64(x->d, x->i, DU_ID));
    cJSON_AddStringToObject(p, "channel", dbres_str(x->d, x->i, DU_CHANNEL));
    cJSON_AddStringToObject(p, "kind", dbres_str(x->d, x->i, DU_KIND));
    json_add_i64(p, "attempt", attempts + 1);
    if (x->error)
        cJSON_AddStringToObject(p, "error", x->error);
    return audit_append(c, x->a,
                        x->sent ? "outbox.delivered"
                        : last  ? "outbox.failed"
                                : "outbox.retry",
                        "outbox_message", dbres_i64(x->d, x->i, DU_MESSAGE), 0, p, NULL) == DB_OK
               ? TX_COMMIT
               : TX_DBFAIL;
}

bool
outbox_job_deliver(struct dbconn *c, const struct actor *a, int64_t now_us)
{
    struct dbres d = {0};
    if (store_due(c, now_us, BATCH, &d) != DB_OK) {
        dbres_free(&d);
        return false;
    }
    bool ok = true;
    for (size_t i = 0; i < d.nrows; i++) {
        const struct outbox_channel *ch = channel(dbres_str(&d, i, DU_CHANNEL));
        char err[400] = "";
        bool sent = ch && ch->send(dbres_str(&d, i, DU_ADDRESS), dbres_i64(&d, i, DU_USER),
                                   dbres_str(&d, i, DU_KIND), dbres_str(&d, i, DU_SUBJECT),
                                   dbres_str(&d, i, DU_BODY), dbres_i64(&d, i, DU_MESSAGE), err,
                                   sizeof err);
        if (!ch)
            snprintf(err, sizeof err, "no channel %s in this build", dbres_str(&d, i, DU_CHANNEL));
        struct outcome_ctx x = {&d, i, sent, sent ? NULL : err, a, now_us};
        if (db_tx(c, outcome_tx, &x) != DB_OK) {
            log_warn("outbox_job_deliver: delivery %lld: %s", (long long)dbres_i64(&d, i, DU_ID),
                     db_last_error(c));
            ok = false;
        }
    }
    dbres_free(&d);
    return ok;
}
