/*
 * logfollow.c — see logfollow.h. The follower's frontier is built from the entries' own bytes;
 * a checkpoint's root is taken from its signed note, verified with the log's key, never from the
 * root column beside it.
 */
#include "logfollow.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit.h"
#include "checkpoint.h"
#include "logread.h"
#include "logwatch.h"
#include "merkle.h"
#include "note.h"
#include "util.h"

#define BATCH 1000

struct logfollow {
    char prefix[64]; /* {"action":"<action_prefix> — how a wanted entry's bytes begin */
    size_t prefix_len;
    logfollow_fn fn;
    void *ctx;
    struct frontier fr; /* of the entries verified: [0, fr.size) */
};

struct logfollow *
logfollow_new(const char *action_prefix, logfollow_fn fn, void *ctx)
{
    struct logfollow *f = calloc(1, sizeof *f);
    if (!f)
        return NULL;
    /* canonical JSON sorts keys, and "action" sorts first of an entry's members */
    snprintf(f->prefix, sizeof f->prefix, "{\"action\":\"%s", action_prefix);
    f->prefix_len = strlen(f->prefix);
    f->fn = fn;
    f->ctx = ctx;
    return f;
}

void
logfollow_free(struct logfollow *f)
{
    free(f);
}

/* The latest signed checkpoint, its note verified with the log's key: size and root. False when
 * there is none, or when its note does not verify (raised as the log's alarm). */
static enum db_status
signed_checkpoint(struct dbconn *c, uint64_t *size, mhash root, int64_t *signed_us, bool *have)
{
    struct dbres r = {0};
    *have = false;
    enum db_status st = logread_checkpoint_latest(c, &r);
    if (st != DB_OK || r.nrows != 1) {
        dbres_free(&r);
        return st;
    }
    struct checkpoint_note n;
    char why[200], name[256];
    uint8_t id[4], pub[32];
    const char *vkey = checkpoint_vkey();
    bool ok = vkey && note_parse_vkey(vkey, name, id, pub) &&
              note_parse(dbres_str(&r, 0, CP_NOTE), dbres_len(&r, 0, CP_NOTE), &n, why, sizeof why);
    bool verified = ok && note_signed_by(&n, dbres_str(&r, 0, CP_NOTE), name, id, pub);
    if (!verified || n.size != (uint64_t)dbres_i64(&r, 0, CP_SIZE))
        logwatch_alarm("the latest checkpoint's note (size %s) is not signed by the log's key",
                       dbres_str(&r, 0, CP_SIZE));
    else {
        *size = n.size;
        memcpy(root, n.root, 32);
        *signed_us = dbres_i64(&r, 0, CP_SIGNED);
        *have = true;
    }
    dbres_free(&r);
    return DB_OK;
}

struct pending {
    uint64_t index;
    cJSON *entry;
};

enum db_status
logfollow_sync(struct logfollow *f, struct dbconn *c, uint64_t *size, int64_t *signed_us,
               bool *intact)
{
    uint64_t target = 0;
    mhash root;
    bool have;
    *intact = true;
    *size = f->fr.size;
    enum db_status st = signed_checkpoint(c, &target, root, signed_us, &have);
    if (st != DB_OK)
        return st;
    if (!have) {
        *intact = logwatch_ok(NULL, 0);
        return DB_OK;
    }
    if (target <= f->fr.size)
        return DB_OK; /* nothing new (a checkpoint row deleted since changes nothing held) */
    struct frontier fr = f->fr;
    struct pending *p = NULL;
    size_t np = 0, cap = 0;
    while (st == DB_OK && fr.size < target) {
        struct dbres r = {0};
        int64_t want = target - fr.size < BATCH ? (int64_t)(target - fr.size) : BATCH;
        st = logread_entries(c, fr.size, want, &r);
        if (st == DB_OK && r.nrows == 0)
            st = DB_ERROR;
        for (size_t i = 0; st == DB_OK && i < r.nrows && fr.size < target; i++) {
            mhash leaf, nodes[MERKLE_MAX_DEPTH];
            int nn;
            const char *e = dbres_str(&r, i, EC_ENTRY);
            size_t len = dbres_len(&r, i, EC_ENTRY);
            if ((uint64_t)dbres_i64(&r, i, EC_IDX) != fr.size || !e) {
                /* a gap: an entry the signed tree holds is missing */
                logwatch_alarm("entry %llu, which checkpoint %llu holds, is missing",
                               (unsigned long long)fr.size, (unsigned long long)target);
                *intact = false;
                break;
            }
            if (!merkle_leaf_hash(e, len, leaf) || !frontier_append(&fr, leaf, nodes, &nn)) {
                st = DB_ERROR;
                break;
            }
            if (len > f->prefix_len && !memcmp(e, f->prefix, f->prefix_len)) {
                struct pending *q = arr_push((void **)&p, &np, &cap, sizeof *p);
                if (!q) {
                    st = DB_ERROR;
                    break;
                }
                q->index = fr.size - 1;
                q->entry = cJSON_ParseWithLength(e, len);
            }
        }
        dbres_free(&r);
        if (!*intact)
            break;
    }
    mhash got;
    if (st == DB_OK && *intact && (!frontier_root(&fr, got) || memcmp(got, root, 32))) {
        logwatch_alarm("entries %llu to %llu do not hash to the signed root of checkpoint %llu",
                       (unsigned long long)f->fr.size, (unsigned long long)target,
                       (unsigned long long)target);
        *intact = false;
    }
    if (st == DB_OK && *intact) {
        f->fr = fr;
        for (size_t i = 0; i < np; i++)
            if (p[i].entry)
                f->fn(f->ctx, p[i].index, p[i].entry);
    }
    for (size_t i = 0; i < np; i++)
        cJSON_Delete(p[i].entry);
    free(p);
    *size = f->fr.size;
    return st;
}

bool
logfollow_await_checkpoint(struct dbconn *c, int timeout_ms)
{
    int64_t qid = 0;
    struct audit_ref ref = {0};
    if (logread_last_qid(c, &qid) != DB_OK)
        return false;
    if (qid > 0 && (!audit_wait(c, qid, &ref, timeout_ms) || ref.index < 0))
        return false;
    checkpoint_request();
    for (int waited = 0; waited <= timeout_ms; waited += 20) {
        struct dbres r = {0};
        bool done = logread_checkpoint_latest(c, &r) == DB_OK && r.nrows == 1 &&
                    dbres_i64(&r, 0, CP_SIZE) > ref.index;
        dbres_free(&r);
        if (done || qid == 0)
            return true;
        struct timespec ts = {0, 20 * 1000000L};
        nanosleep(&ts, NULL);
        checkpoint_request();
    }
    return false;
}
