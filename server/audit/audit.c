/*
 * audit.c — queues audit entries (see audit.h); canonical JSON is in canon.c.
 *
 * An append is one INSERT in the caller's transaction: the entry's canonical bytes before and
 * after its index (head, tail), with idx NULL. Appenders never wait on one another; the
 * sequencer (sequencer.c) gives committed entries their dense indexes afterwards, in batches.
 */
#include "audit.h"
#include "canon.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "util.h"

static const char sql_queue[] =
    "INSERT INTO audit_entries (idx, recorded_us, action, actor_user_id, object_type, object_id, "
    "project_id, head, tail) VALUES (NULL, ?, ?, ?, ?, ?, ?, ?, ?)";

/* The entry's top-level members, minus its index (caller frees). */
static cJSON *
entry_object(const struct actor *a, const char *action, const char *obj_type, int64_t obj_id,
             int64_t project_id, cJSON *payload, int64_t now)
{
    cJSON *e = cJSON_CreateObject();
    if (!e)
        return NULL;
    cJSON_AddNumberToObject(e, "v", 1);
    json_add_i64(e, "time_us", now);
    cJSON_AddStringToObject(e, "action", action);
    cJSON *actor = cJSON_AddObjectToObject(e, "actor");
    if (a->user_id > 0) {
        json_add_i64(actor, "user_id", a->user_id);
        json_add_i64(actor, "org_id", a->org_id);
    }
    if (a->name)
        cJSON_AddStringToObject(actor, "name", a->name);
    cJSON_AddStringToObject(actor, "role", a->role ? a->role : "anonymous");
    cJSON *obj = cJSON_AddObjectToObject(e, "object");
    cJSON_AddStringToObject(obj, "type", obj_type);
    json_add_i64(obj, "id", obj_id);
    if (project_id > 0)
        json_add_i64(e, "project_id", project_id);
    if (a->request_id) {
        cJSON_AddStringToObject(e, "request_id", a->request_id);
        cJSON_AddStringToObject(e, "client", a->client ? a->client : "");
    }
    if (payload)
        cJSON_AddItemReferenceToObject(e, "payload", payload);
    return e;
}

/* The canonical encoding of e with an "index" member added, in two parts around the index's
 * digits: entry = head || index || tail. Keys sort as in canon(). */
static bool
split_canon(const cJSON *e, struct buf *head, struct buf *tail)
{
    const char *names[32];
    const cJSON *vals[32];
    size_t n = 0;
    for (const cJSON *it = e->child; it; it = it->next) {
        if (n + 1 >= ARRAY_LEN(names))
            return false;
        names[n] = it->string;
        vals[n++] = it;
    }
    names[n] = "index";
    vals[n++] = NULL;
    for (size_t i = 1; i < n; i++) /* insertion sort by key bytes */
        for (size_t j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
            const char *tn = names[j];
            names[j] = names[j - 1];
            names[j - 1] = tn;
            const cJSON *tv = vals[j];
            vals[j] = vals[j - 1];
            vals[j - 1] = tv;
        }
    struct buf *b = head;
    buf_append(b, "{", 1);
    for (size_t i = 0; i < n; i++) {
        if (i)
            buf_append(b, ",", 1);
        canon_append_string(b, names[i]);
        buf_append(b, ":", 1);
        if (!vals[i])
            b = tail; /* the index goes between head and tail */
        else if (!canon_append(b, vals[i]))
            return false;
    }
    buf_append(b, "}", 1);
    return b == tail && !head->oom && !tail->oom;
}

/* After the commit (db_on_commit): wake the sequencer and, when the caller wants to know where
 * the entry landed (arg: its audit_ref), wait for it. */
static void
audit_committed(struct dbconn *c, void *arg)
{
    struct audit_ref *ref = arg;
    audit_kick();
    if (ref && !audit_wait(c, ref->qid, ref, 5000))
        log_error("audit_committed: entry %lld was committed but not sequenced within 5 s",
                  (long long)ref->qid);
}

enum db_status
audit_append(struct dbconn *c, const struct actor *a, const char *action, const char *obj_type,
             int64_t obj_id, int64_t project_id, cJSON *payload, struct audit_ref *ref)
{
    enum db_status st = DB_ERROR;
    struct buf head = {0}, tail = {0};
    int64_t now = clock_now_us();
    cJSON *e = entry_object(a, action, obj_type, obj_id, project_id, payload, now);
    if (db_on_commit_has(c, audit_committed)) {
        log_error("audit_append: a second entry (%s) in one transaction", action);
        goto fail;
    }
    if (!e || !split_canon(e, &head, &tail) || head.len + tail.len + 20 > AUDIT_MAX_ENTRY) {
        log_error("audit_append: the entry for %s cannot be encoded (or is over 64 KiB)", action);
        goto fail;
    }
    struct dbv v[] = {DBV_INT(now),
                      DBV_STR(action),
                      a->user_id > 0 ? DBV_INT(a->user_id) : DBV_NUL,
                      DBV_STR(obj_type),
                      DBV_INT(obj_id),
                      project_id > 0 ? DBV_INT(project_id) : DBV_NUL,
                      DBV_BLOB(head.p, head.len),
                      DBV_BLOB(tail.p, tail.len)};
    uint64_t qid = 0;
    st = db_exec(c, sql_queue, v, ARRAY_LEN(v), NULL, &qid);
    if (st == DB_OK) {
        if (ref) {
            ref->index = -1;
            ref->time_us = now;
            ref->qid = (int64_t)qid;
        }
        if (!db_on_commit(c, audit_committed, ref)) {
            log_error("audit_append: no room to wake the sequencer after the commit (%s)", action);
            st = DB_ERROR;
        }
    }
fail:
    buf_free(&head);
    buf_free(&tail);
    cJSON_Delete(e);
    cJSON_Delete(payload);
    return st;
}
