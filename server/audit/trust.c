/*
 * trust.c — see trust.h. The set in force sits behind a read-write lock: checks take it for
 * reading, a reload swaps in a new set. Publishing compares the canonical JSON's SHA-256 with the
 * one the last trust.anchors entry carries.
 */
#include "trust.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "canon.h"
#include "crypto.h"
#include "db.h"
#include "util.h"

static pthread_rwlock_t lock = PTHREAD_RWLOCK_INITIALIZER;
static struct trust_set *in_force;

bool
trust_load(const struct config *cfg, char *err, size_t errlen)
{
    const char *files[SIDE__COUNT] = {
        cfg->trust_bidder_ca, cfg->trust_agent_ca,  cfg->trust_supervision_ca, cfg->trust_center_ca,
        cfg->trust_device_ca, cfg->trust_expert_ca, cfg->trust_finance_ca};
    struct trust_set *ts = trust_set_new();
    bool ok = ts != NULL;
    for (int s = 0; ok && s < SIDE__COUNT; s++)
        if (files[s] && *files[s])
            ok = trust_set_load_pem(ts, (enum side)s, files[s], err, errlen);
    if (ok && cfg->trust_crl && *cfg->trust_crl)
        ok = trust_set_load_crls(ts, cfg->trust_crl, err, errlen);
    if (!ok) {
        trust_set_free(ts);
        return false;
    }
    for (int s = 0; s < SIDE__COUNT; s++)
        if (!trust_set_count(ts, (enum side)s))
            log_warn("no CA is configured for the %s side (trust.%s_ca): no key of that side can "
                     "be certified",
                     side_name((enum side)s), side_name((enum side)s));
    pthread_rwlock_wrlock(&lock);
    struct trust_set *old = in_force;
    in_force = ts;
    pthread_rwlock_unlock(&lock);
    trust_set_free(old);
    return true;
}

void
trust_free(void)
{
    pthread_rwlock_wrlock(&lock);
    trust_set_free(in_force);
    in_force = NULL;
    pthread_rwlock_unlock(&lock);
}

const char *
trust_check(enum side side, const struct cert_chain *chain, const char *credit_code, int64_t at_us,
            struct cert_info *info, char *why, size_t whylen)
{
    pthread_rwlock_rdlock(&lock);
    const char *rule;
    if (!in_force) {
        memset(info, 0, sizeof *info);
        snprintf(why, whylen, "no trust anchors are loaded");
        rule = "KEY-CERT-CHAIN";
    } else
        rule = cert_check(in_force, side, chain, credit_code, at_us, info, why, whylen);
    pthread_rwlock_unlock(&lock);
    return rule;
}

struct publish_ctx {
    cJSON *anchors;
    char sha[65];
    bool appended;
};

static enum tx_result
publish_tx(struct dbconn *c, void *arg)
{
    struct publish_ctx *x = arg;
    /* the last published set: its entry, sequenced or not (head || index || tail) */
    static const char sql[] =
        "SELECT COALESCE(entry, CONCAT(head, '0', tail)) FROM audit_entries WHERE action = "
        "'trust.anchors' ORDER BY qid DESC LIMIT 1 FOR UPDATE";
    struct dbres last;
    x->appended = false;
    if (db_query(c, sql, NULL, 0, &last) != DB_OK) {
        dbres_free(&last);
        return TX_DBFAIL;
    }
    cJSON *e = last.nrows == 1 ? cJSON_ParseWithLength(dbres_str(&last, 0, DB_VALUE),
                                                       dbres_len(&last, 0, DB_VALUE))
                               : NULL;
    const char *prev = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(e, "payload"), "anchors_sha256"));
    bool same = prev && !strcmp(prev, x->sha);
    cJSON_Delete(e);
    dbres_free(&last);
    if (same)
        return TX_COMMIT;
    cJSON *p = cJSON_CreateObject();
    cJSON_AddStringToObject(p, "anchors_sha256", x->sha);
    cJSON_AddItemReferenceToObject(p, "anchors", x->anchors);
    if (audit_append(c, ACTOR_SYSTEM("system:trust-anchors"), "trust.anchors", "trust_anchors", 0,
                     0, p, NULL) != DB_OK)
        return TX_DBFAIL;
    x->appended = true;
    return TX_COMMIT;
}

bool
trust_publish(struct dbconn *c)
{
    struct publish_ctx x = {0};
    pthread_rwlock_rdlock(&lock);
    x.anchors = in_force ? trust_set_json(in_force) : NULL;
    pthread_rwlock_unlock(&lock);
    size_t len = 0;
    uint8_t h[32];
    char *canon = x.anchors ? canon_json(x.anchors, &len) : NULL;
    bool ok = canon && crypto_sha256(canon, len, h);
    free(canon);
    if (ok) {
        hex_encode(h, 32, x.sha);
        /* outside any request: the actor is the system (docs/audit.md) */
        ok = db_tx(c, publish_tx, &x) == DB_OK;
        if (!ok)
            log_error("trust_publish: the trust anchors could not be published: %s",
                      db_last_error(c));
        else if (x.appended)
            log_info("trust_publish: the trust anchors in force were published (sha256 %s)", x.sha);
    }
    cJSON_Delete(x.anchors);
    return ok;
}
