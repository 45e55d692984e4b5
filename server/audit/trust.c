/*
 * trust.c — see trust.h. The set in force sits behind a read-write lock: checks take it for
 * reading, a reload swaps in a new set. Publishing compares the canonical JSON's SHA-256 with the
 * one the last trust.anchors entry carries.
 *
 * A chain is verified once per generation of the set (docs/operations.md "Trust anchors"): a
 * success is kept, keyed by the side, the credit code asked for and the chain's bytes, together
 * with the span of time within which every certificate of the chain, every anchor of the side
 * and every CRL of the set is valid; a later check of the same chain at a time within that span
 * takes it from there instead of building a verification store again. A reload (start-up,
 * SIGHUP) starts a new generation: an anchor removed or a certificate revoked by a new CRL takes
 * effect for every check after the reload, cached or not. Failures are never kept.
 */
#include "trust.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "audit.h"
#include "canon.h"
#include "crypto.h"
#include "db.h"
#include "util.h"

static pthread_rwlock_t lock = PTHREAD_RWLOCK_INITIALIZER;
static struct trust_set *in_force;

/* ---- the verified-chain cache: direct-mapped, guarded by its own mutex ---- */

#define CACHE_SLOTS 1024
struct cached {
    uint64_t generation; /* 0: empty */
    uint8_t key[32];
    int64_t lo, hi; /* the span within which the success holds */
    struct cert_info info;
};
static struct cached cache[CACHE_SLOTS];
static uint64_t generation = 1; /* written under lock (write), read under lock (read) */
static pthread_mutex_t cache_mu = PTHREAD_MUTEX_INITIALIZER;

static bool
cache_key(enum side side, const struct cert_chain *chain, const char *credit_code, uint8_t key[32])
{
    struct buf b = {0};
    char head[40];
    snprintf(head, sizeof head, "%d:%s:", (int)side, credit_code ? credit_code : "-");
    buf_puts(&b, head);
    for (size_t i = 0; i < chain->n; i++) {
        char n[24];
        snprintf(n, sizeof n, "%zu:", chain->len[i]);
        buf_puts(&b, n);
        buf_append(&b, chain->der[i], chain->len[i]);
    }
    bool ok = !b.oom && crypto_sha256(b.p, b.len, key);
    buf_free(&b);
    return ok;
}

/* A copy of what the cache holds (its key up-referenced), or false. Caller holds lock. */
static bool
cache_get(const uint8_t key[32], int64_t at_us, struct cert_info *info)
{
    struct cached *e = &cache[(key[0] | key[1] << 8) % CACHE_SLOTS];
    pthread_mutex_lock(&cache_mu);
    bool hit = e->generation == generation && !memcmp(e->key, key, 32) && at_us >= e->lo &&
               at_us <= e->hi && EVP_PKEY_up_ref(e->info.key) == 1;
    if (hit)
        *info = e->info;
    pthread_mutex_unlock(&cache_mu);
    return hit;
}

/* Keep a success (info's key up-referenced for the cache). Caller holds lock. */
static void
cache_put(const uint8_t key[32], int64_t lo, int64_t hi, const struct cert_info *info)
{
    struct cached *e = &cache[(key[0] | key[1] << 8) % CACHE_SLOTS];
    if (!info->key || EVP_PKEY_up_ref(info->key) != 1)
        return;
    pthread_mutex_lock(&cache_mu);
    if (e->generation)
        cert_info_free(&e->info);
    e->generation = generation;
    memcpy(e->key, key, 32);
    e->lo = lo;
    e->hi = hi;
    e->info = *info;
    pthread_mutex_unlock(&cache_mu);
}

static void
cache_clear(void)
{
    pthread_mutex_lock(&cache_mu);
    for (size_t i = 0; i < CACHE_SLOTS; i++)
        if (cache[i].generation) {
            cert_info_free(&cache[i].info);
            cache[i].generation = 0;
        }
    pthread_mutex_unlock(&cache_mu);
}

bool
trust_load(const struct config *cfg, char *err, size_t errlen)
{
    const char *files[SIDE__COUNT] = {cfg->trust_bidder_ca,      cfg->trust_agent_ca,
                                      cfg->trust_supervision_ca, cfg->trust_center_ca,
                                      cfg->trust_device_ca,      cfg->trust_expert_ca,
                                      cfg->trust_finance_ca,     cfg->trust_tenderer_ca};
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
    generation++; /* every chain is verified again against the new set */
    pthread_rwlock_unlock(&lock);
    trust_set_free(old);
    cache_clear();
    return true;
}

void
trust_free(void)
{
    pthread_rwlock_wrlock(&lock);
    trust_set_free(in_force);
    in_force = NULL;
    generation++;
    pthread_rwlock_unlock(&lock);
    cache_clear();
}

const char *
trust_check(enum side side, const struct cert_chain *chain, const char *credit_code, int64_t at_us,
            struct cert_info *info, char *why, size_t whylen)
{
    pthread_rwlock_rdlock(&lock);
    const char *rule;
    uint8_t key[32];
    bool keyed = in_force && cache_key(side, chain, credit_code, key);
    if (!in_force) {
        memset(info, 0, sizeof *info);
        snprintf(why, whylen, "no trust anchors are loaded");
        rule = "KEY-CERT-CHAIN";
    } else if (keyed && cache_get(key, at_us, info)) {
        rule = NULL; /* verified before, in this generation, valid at this time */
    } else {
        rule = cert_check(in_force, side, chain, credit_code, at_us, info, why, whylen);
        int64_t lo, hi, clo, chi;
        if (!rule && keyed && cert_chain_window(chain, &clo, &chi)) {
            trust_set_window(in_force, side, &lo, &hi);
            cache_put(key, lo > clo ? lo : clo, hi < chi ? hi : chi, info);
        }
    }
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
