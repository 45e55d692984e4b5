/*
 * checkpoint.c — see checkpoint.h.
 *
 * The signing key is a PEM PKCS#8 Ed25519 private key (audit.key), kept outside git. It is read
 * once; the PEM text is wiped as soon as OpenSSL has parsed it, and the parsed key is freed on
 * exit (OpenSSL clears Ed25519 private keys when it frees them). Rotation: docs/audit.md.
 */
#define _GNU_SOURCE
#include "checkpoint.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <openssl/crypto.h>
#include <openssl/pem.h>

#include "audit.h"
#include "logwatch.h"
#include "crypto.h"
#include "note.h"
#include "util.h"

static EVP_PKEY *key;
static char origin[256];
static uint8_t key_id[4];
static char *vkey;
static int64_t interval_us;
static atomic_bool requested;
static bool vkey_recorded;
/* What this node knows of the last checkpoint, so most batches need no query: refreshed from
 * the database whenever a checkpoint may be due (another node may have signed meanwhile). */
static uint64_t known_size;
static int64_t known_us, deadlines_checked_us;
static bool known;

bool
checkpoint_init(const struct config *cfg)
{
    size_t len = 0;
    char *pem = read_file(cfg->audit_key, 64 * 1024, &len);
    if (!pem) {
        log_error("cannot read the audit signing key %s", cfg->audit_key);
        return false;
    }
    BIO *bio = BIO_new_mem_buf(pem, (int)len);
    key = bio ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL) : NULL;
    BIO_free(bio);
    OPENSSL_cleanse(pem, len); /* the key's text is wiped at once; only OpenSSL's copy remains */
    free(pem);
    uint8_t pub[32];
    size_t publen = sizeof pub;
    if (!key || !EVP_PKEY_is_a(key, "ED25519") ||
        EVP_PKEY_get_raw_public_key(key, pub, &publen) != 1 || publen != 32) {
        log_error("audit.key %s is not an Ed25519 private key", cfg->audit_key);
        checkpoint_fini();
        return false;
    }
    snprintf(origin, sizeof origin, "%s", cfg->audit_origin);
    vkey = note_vkey(origin, pub);
    if (!vkey || !note_ed25519_key_id(origin, pub, key_id)) {
        checkpoint_fini();
        return false;
    }
    interval_us = cfg->audit_checkpoint_interval_ms * 1000;
    vkey_recorded = false;
    known = false;
    log_info("audit log %s, verifier key %s", origin, vkey);
    return true;
}

void
checkpoint_fini(void)
{
    EVP_PKEY_free(key); /* frees and clears the private key */
    key = NULL;
    free(vkey);
    vkey = NULL;
}

void
checkpoint_request(void)
{
    atomic_store(&requested, true);
    audit_kick();
}

const char *
checkpoint_vkey(void)
{
    return vkey;
}

const char *
checkpoint_origin(void)
{
    return origin;
}

static const char sql_node[] = "SELECT nodes FROM audit_entries WHERE idx = ?";

bool
audit_node(void *conn, int level, uint64_t index, mhash out)
{
    uint64_t row = ((index + 1) << level) - 1;
    struct dbres r;
    struct dbv p[] = {DBV_INT((int64_t)row)};
    if (db_query(conn, sql_node, p, 1, &r) != DB_OK)
        return false;
    bool ok = r.nrows == 1 && dbres_len(&r, 0, DB_VALUE) >= (size_t)(level + 1) * 32;
    if (ok)
        memcpy(out, dbres_str(&r, 0, DB_VALUE) + level * 32, 32);
    dbres_free(&r);
    return ok;
}

#define LAST_COLS(X)                                                                               \
    X(LS_SIZE, "size")                                                                             \
    X(LS_ROOT, "root")                                                                             \
    X(LS_SIGNED, "signed_us")
enum { LAST_COLS(DB_COL_ENUM) LS__COUNT };
static const char sql_last[] =
    "SELECT " LAST_COLS(DB_COL_SQL) DB_COL_END " FROM audit_checkpoints ORDER BY size DESC LIMIT 1";
static const char sql_due[] =
    "SELECT id FROM audit_deadlines WHERE checkpoint_size IS NULL AND deadline_us <= ? "
    "ORDER BY deadline_us LIMIT 100";
static const char sql_insert[] =
    "INSERT INTO audit_checkpoints (size, root, signed_us, kind, note) VALUES (?, ?, ?, ?, ?)";
static const char sql_mark[] = "UPDATE audit_deadlines SET checkpoint_size = ?, signed_us = ? "
                               "WHERE checkpoint_size IS NULL AND deadline_us <= ?";
static const char sql_vkey[] = "INSERT IGNORE INTO audit_keys (vkey, first_used_us) VALUES (?, ?)";

bool
checkpoint_maybe(struct dbconn *c, const struct frontier *f)
{
    if (!key)
        return true;
    int64_t now = clock_now_us();
    struct dbres last = {0}, due = {0};
    bool ok = false;
    /* The cheap test first: nothing requested, no deadline looked at in the last 50 ms, and
     * the last checkpoint is recent or covers the tree. */
    if (known && !atomic_load(&requested) && now >= deadlines_checked_us &&
        now - deadlines_checked_us < 50000 &&
        (f->size == known_size || now - known_us < interval_us))
        return true;
    if (db_query(c, sql_last, NULL, 0, &last) != DB_OK)
        goto out;
    struct dbv pn[] = {DBV_INT(now)};
    if (db_query(c, sql_due, pn, 1, &due) != DB_OK)
        goto out;
    deadlines_checked_us = now;
    bool have_last = last.nrows == 1;
    uint64_t last_size = have_last ? (uint64_t)dbres_i64(&last, 0, LS_SIZE) : 0;
    int64_t last_us = have_last ? dbres_i64(&last, 0, LS_SIGNED) : 0;
    bool want_request = atomic_load(&requested), want_deadline = due.nrows > 0;
    bool want_periodic = f->size > last_size && now - last_us >= interval_us;
    known = true;
    known_size = last_size;
    known_us = last_us;
    if (!want_request && !want_deadline && !want_periodic) {
        ok = true;
        goto out;
    }
    if (have_last && f->size == last_size) {
        /* Nothing new since the last checkpoint: it already covers the deadline. */
        struct dbv pm[] = {DBV_INT((int64_t)last_size), DBV_INT(now), DBV_INT(now)};
        ok = db_exec(c, sql_mark, pm, 3, NULL, NULL) == DB_OK;
        atomic_store(&requested, false);
        goto out;
    }
    mhash root;
    if (!frontier_root(f, root))
        goto out;
    if (have_last) {
        /* Never sign a tree that does not extend the last signed one. */
        mhash proof[2 * MERKLE_MAX_DEPTH], last_root;
        memcpy(last_root, dbres_str(&last, 0, LS_ROOT), 32);
        int len = merkle_consistency_proof(audit_node, c, last_size, f->size, proof);
        if (len < 0 || !merkle_verify_consistency(last_size, f->size, last_root, root,
                                                  (const mhash *)proof, (size_t)len)) {
            log_error("REFUSING TO SIGN: the tree of size %llu is not consistent with the "
                      "checkpoint of size %llu; the stored log may have been altered",
                      (unsigned long long)f->size, (unsigned long long)last_size);
            logwatch_alarm("the tree of size %llu is not consistent with the checkpoint of size "
                           "%llu",
                           (unsigned long long)f->size, (unsigned long long)last_size);
            ok = true; /* keep sequencing; no checkpoint until an operator investigates */
            goto out;
        }
    }
    /* re-hash what this checkpoint adds, from the entries' bytes (logwatch.h) */
    bool db_error = false;
    mhash m_root = {0};
    if (have_last)
        memcpy(m_root, dbres_str(&last, 0, LS_ROOT), 32);
    if (!logwatch_check_new(c, last_size, m_root, f, &db_error)) {
        if (!db_error)
            log_error("REFUSING TO SIGN the tree of size %llu: the audit log failed its "
                      "self-check",
                      (unsigned long long)f->size);
        ok = !db_error; /* a database error is retried; an alarm keeps sequencing, unsigned */
        goto out;
    }
    char *text = note_checkpoint_text(origin, f->size, root);
    char *line = text ? note_sign_line(key, origin, key_id, text, strlen(text)) : NULL;
    struct buf note = {0};
    if (line) {
        buf_puts(&note, text);
        buf_puts(&note, "\n");
        buf_puts(&note, line);
    }
    const char *kind = want_deadline ? "deadline" : want_request ? "requested" : "periodic";
    if (line && !note.oom) {
        struct dbv pi[] = {DBV_INT((int64_t)f->size), DBV_BLOB(root, 32), DBV_INT(now),
                           DBV_STR(kind), DBV_STRN(note.p, note.len)};
        struct dbv pm[] = {DBV_INT((int64_t)f->size), DBV_INT(now), DBV_INT(now)};
        struct dbv pk[] = {DBV_STR(vkey), DBV_INT(now)};
        ok = db_exec(c, sql_insert, pi, 5, NULL, NULL) == DB_OK &&
             (!want_deadline || db_exec(c, sql_mark, pm, 3, NULL, NULL) == DB_OK) &&
             (vkey_recorded || db_exec(c, sql_vkey, pk, 2, NULL, NULL) == DB_OK);
        if (ok) {
            vkey_recorded = true;
            atomic_store(&requested, false);
            known_size = f->size;
            known_us = now;
        }
    }
    free(text);
    free(line);
    buf_free(&note);
out:
    dbres_free(&last);
    dbres_free(&due);
    return ok;
}

static const char sql_schedule[] =
    "INSERT INTO audit_deadlines (deadline_us, label, project_id) VALUES (?, ?, ?)";

enum db_status
checkpoint_schedule(struct dbconn *c, int64_t deadline_us, int64_t project_id, const char *label)
{
    struct dbv p[] = {DBV_INT(deadline_us), DBV_STR(label),
                      project_id > 0 ? DBV_INT(project_id) : DBV_NUL};
    return db_exec(c, sql_schedule, p, 3, NULL, NULL);
}

bool
platform_sign(const void *msg, size_t len, uint8_t sig[64])
{
    size_t siglen = 64;
    EVP_MD_CTX *ctx = key ? EVP_MD_CTX_new() : NULL;
    bool ok = ctx && EVP_DigestSignInit(ctx, NULL, NULL, NULL, key) == 1 &&
              EVP_DigestSign(ctx, sig, &siglen, msg, len) == 1 && siglen == 64;
    EVP_MD_CTX_free(ctx);
    return ok;
}

cJSON *
audit_proof_json(struct dbconn *c, uint64_t index, uint64_t size)
{
    mhash proof[MERKLE_MAX_DEPTH];
    int n = merkle_inclusion_proof(audit_node, c, index, size, proof);
    if (n < 0)
        return NULL;
    cJSON *arr = cJSON_CreateArray();
    for (int k = 0; k < n; k++) {
        char b[48];
        b64_encode(proof[k], 32, b);
        cJSON_AddItemToArray(arr, cJSON_CreateString(b));
    }
    return arr;
}

enum db_status
checkpoint_latest(struct dbconn *c, uint64_t *size, char **note)
{
    static const char sql[] = "SELECT size, note FROM audit_checkpoints ORDER BY size DESC "
                              "LIMIT 1";
    enum { LC_SIZE, LC_NOTE };
    struct dbres r;
    *size = 0;
    *note = NULL;
    enum db_status st = db_query(c, sql, NULL, 0, &r);
    if (st == DB_OK && r.nrows == 1) {
        *note = strdup(dbres_str(&r, 0, LC_NOTE));
        if (*note)
            *size = (uint64_t)dbres_i64(&r, 0, LC_SIZE);
        else
            st = DB_ERROR;
    }
    dbres_free(&r);
    return st;
}

enum db_status
audit_entry_text(struct dbconn *c, uint64_t index, char **entry)
{
    static const char sql[] = "SELECT entry FROM audit_entries WHERE idx = ?";
    struct dbv p[] = {DBV_INT((int64_t)index)};
    struct dbres r;
    *entry = NULL;
    enum db_status st = db_query(c, sql, p, 1, &r);
    if (st == DB_OK && r.nrows == 1 && !(*entry = strdup(dbres_str(&r, 0, DB_VALUE))))
        st = DB_ERROR;
    dbres_free(&r);
    return st;
}
