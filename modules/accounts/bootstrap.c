/*
 * bootstrap.c — `ggzyd bootstrap-admin` (a command of the accounts module): the trading center
 * and its first center_admin, created by the system actor system:bootstrap in one transaction
 * each, when no center_admin exists yet.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include "accounts.h"
#include "app.h"
#include "audit.h"
#include "auth.h"
#include "crypto.h"
#include "db.h"
#include "internal.h"
#include "store.h"

/* ---- bootstrap ---- */

struct boot_ctx {
    const char *username, *hash, *center, *code, *region;
    int64_t org_id;
    bool exists, created;
    char why[200]; /* a refusal */
};

/* Bootstrap runs before any request, as the system (docs/audit.md). */
#define BOOTSTRAP ACTOR_SYSTEM("system:bootstrap")

/* Step 1: the trading center organization (found by its credit code, or created). */
static enum tx_result
bootstrap_org_tx(struct dbconn *c, void *arg)
{
    struct boot_ctx *x = arg;
    int64_t n;
    struct dbres o = {0};
    x->exists = false;
    if (store_count_center_admins(c, &n) != DB_OK)
        return TX_DBFAIL;
    if (n > 0) {
        x->exists = true;
        return TX_COMMIT;
    }
    if (store_org_by_code(c, x->code, &o) != DB_OK)
        return TX_DBFAIL;
    if (o.nrows == 1) { /* left by an earlier, interrupted bootstrap */
        x->org_id = dbres_i64(&o, 0, OC_ID);
        bool center = !strcmp(dbres_str(&o, 0, OC_TYPE), "center");
        dbres_free(&o);
        if (!center) {
            snprintf(x->why, sizeof x->why,
                     "credit code %s belongs to an organization that is not the trading center",
                     x->code);
            return TX_REFUSE;
        }
        return TX_COMMIT;
    }
    dbres_free(&o);
    cJSON *p = cJSON_CreateObject();
    cJSON_AddStringToObject(p, "name", x->center);
    cJSON_AddStringToObject(p, "type", "center");
    cJSON_AddStringToObject(p, "credit_code", x->code);
    cJSON_AddStringToObject(p, "region", x->region);
    if (store_org_insert(c, x->center, "center", x->code, x->region, clock_now_us(), &x->org_id) !=
        DB_OK) {
        cJSON_Delete(p);
        return TX_DBFAIL;
    }
    return audit_append(c, BOOTSTRAP, "account.org_create", "organization", x->org_id, 0, p,
                        NULL) == DB_OK
               ? TX_COMMIT
               : TX_DBFAIL;
}

/* Step 2: its first center_admin. */
static enum tx_result
bootstrap_user_tx(struct dbconn *c, void *arg)
{
    struct boot_ctx *x = arg;
    int64_t user_id;
    cJSON *q = cJSON_CreateObject();
    cJSON_AddStringToObject(q, "username", x->username);
    cJSON_AddStringToObject(q, "role", "center_admin");
    json_add_i64(q, "org_id", x->org_id);
    if (store_user_insert(c, x->org_id, x->username, "Center administrator", "center_admin",
                          x->hash, clock_now_us(), &user_id) != DB_OK) {
        cJSON_Delete(q);
        return TX_DBFAIL;
    }
    if (audit_append(c, BOOTSTRAP, "account.user_create", "user", user_id, 0, q, NULL) != DB_OK)
        return TX_DBFAIL;
    x->created = true;
    return TX_COMMIT;
}

bool
accounts_bootstrap_admin(const struct config *c)
{
    char err[300], gen[44] = "";
    const char *pw = getenv("GGZY_ADMIN_PASSWORD");
    struct boot_ctx x = {
        .username = getenv("GGZY_ADMIN_USERNAME") ? getenv("GGZY_ADMIN_USERNAME") : "admin",
        .center = getenv("GGZY_CENTER_NAME") ? getenv("GGZY_CENTER_NAME") : "公共资源交易中心",
        .code = getenv("GGZY_CENTER_CREDIT_CODE"),
        .region = getenv("GGZY_CENTER_REGION") ? getenv("GGZY_CENTER_REGION") : "110000",
    };
    char code[19] = "12110000MB0000001";
    if (!x.code) {
        code[17] = accounts_rule_credit_code_check(code);
        code[18] = '\0';
        x.code = code;
    }
    if (!accounts_rule_username_ok(x.username) || !accounts_rule_credit_code_ok(x.code) ||
        !accounts_rule_region_ok(x.region)) {
        log_error("GGZY_ADMIN_USERNAME, GGZY_CENTER_CREDIT_CODE or GGZY_CENTER_REGION is invalid");
        return false;
    }
    if (!pw) {
        uint8_t raw[18];
        if (!crypto_random(raw, sizeof raw))
            return false;
        b64url_encode(raw, sizeof raw, gen);
        OPENSSL_cleanse(raw, sizeof raw);
        pw = gen;
    } else if (accounts_rule_password(pw, x.username).code) {
        log_error("GGZY_ADMIN_PASSWORD: %s", accounts_rule_password(pw, x.username).why);
        return false;
    }
    x.hash = password_hash(pw, (unsigned)accounts_conf.scrypt_log2n,
                           (unsigned)accounts_conf.scrypt_r, (unsigned)accounts_conf.scrypt_p);
    struct dbconn *db = db_connect_direct(c, false, err, sizeof err);
    enum db_status st = DB_ERROR;
    bool ok = false;
    if (!db)
        log_error("accounts_bootstrap_admin: %s", err);
    else if (x.hash && (st = db_tx(db, bootstrap_org_tx, &x)) == DB_OK &&
             (x.exists || (st = db_tx(db, bootstrap_user_tx, &x)) == DB_OK)) {
        ok = true;
        if (!x.created)
            printf("a center_admin account exists already; nothing to do\n");
        else if (gen[0])
            printf("created center_admin \"%s\" with password: %s\n"
                   "(shown once; change it with POST /api/v1/me/password)\n",
                   x.username, gen);
        else
            printf("created center_admin \"%s\" with the password from GGZY_ADMIN_PASSWORD\n",
                   x.username);
    } else if (x.hash)
        log_error("accounts_bootstrap_admin: bootstrap failed: %s",
                  st == DB_REFUSED ? x.why : db_last_error(db));
    OPENSSL_cleanse(gen, sizeof gen);
    free((char *)x.hash);
    db_close_direct(db);
    return ok;
}
