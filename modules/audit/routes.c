/*
 * routes.c — the audit module's route rows and handlers: the verifier key, checkpoints (with
 * supervisors' cosignatures), entries, inclusion and consistency proofs, project timelines.
 * Checkpoints, the key and consistency proofs are public, so anyone can watch the log grow;
 * entries need a login and are filtered by rules.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "accounts/accounts.h"
#include "audit.h"
#include "internal.h"
#include "checkpoint.h"
#include "logwatch.h"
#include "crypto.h"
#include "merkle.h"
#include "note.h"
#include "logread.h"
#include "store.h"

static void
test_deadline(struct req *r, const cJSON *body)
{
    struct dbconn *c = req_db(r);
    if (!c)
        return;
    enum db_status st =
        checkpoint_schedule(c, json_i64(body, "deadline_us", 0), json_i64(body, "project_id", 0),
                            json_str(body, "label"));
    if (st != DB_OK) {
        req_db_fail(r, c, st);
        return;
    }
    req_empty(r, 204);
}

struct raw_ctx {
    const cJSON *body;
    struct audit_ref ref; /* filled after the commit: it must outlive the transaction */
};

static enum tx_result
test_entry_tx(struct dbconn *c, struct req *r, void *arg)
{
    struct raw_ctx *x = arg;
    const cJSON *b = x->body;
    const cJSON *p = cJSON_GetObjectItemCaseSensitive(b, "payload");
    /* as a bug or a DBA's queued row would: an entry claimed by a system job */
    struct actor sys = {.role = "system", .name = json_str(b, "system_actor")};
    if (audit_append(c, sys.name ? &sys : req_actor(r), json_str(b, "action"),
                     json_str(b, "object_type"), json_i64(b, "object_id", 0),
                     json_i64(b, "project_id", 0), p ? cJSON_Duplicate(p, true) : NULL,
                     &x->ref) != DB_OK)
        return TX_DBFAIL;
    req_empty(r, 201);
    return TX_COMMIT;
}

static void
test_entry(struct req *r, const cJSON *body)
{
    struct raw_ctx x = {.body = body};
    req_tx(r, test_entry_tx, &x);
}

static const struct field raw_entry_schema[] = {
    {"action", F_STRING, true, 1, 64, NULL},
    {"object_type", F_STRING, true, 1, 32, NULL},
    {"object_id", F_INT, true, 0, INT64_C(9007199254740991), NULL},
    {"project_id", F_INT, false, 1, INT64_C(9007199254740991), NULL},
    {"payload", F_OBJECT, false, 0, 0, NULL},
    {"system_actor", F_STRING, false, 1, 64, NULL},
    {NULL},
};

static const struct field cosign_schema[] = {
    {"signature", F_STRING, true, 8, 400, NULL},
    {NULL},
};
static const struct field deadline_schema[] = {
    {"deadline_us", F_INT, true, 0, INT64_C(9007199254740991), NULL},
    {"label", F_STRING, true, 1, 200, NULL},
    {"project_id", F_INT, false, 1, INT64_C(9007199254740991), NULL},
    {NULL},
};

/* query parameters (checked by the dispatcher, route.h) */
#define Q_U64(name, lo)                                                                            \
    {                                                                                              \
        name, F_INT, false, lo, QUERY_MAX_ID, NULL                                                 \
    }
static const struct field at_least_query[] = {Q_U64("at_least", 0), {NULL}};
static const struct field checkpoints_query[] = {Q_AFTER, Q_LIMIT(1000), {NULL}};
static const struct field entries_query[] = {Q_U64("from", 0), Q_LIMIT(1000), {NULL}};
static const struct field inclusion_query[] = {Q_U64("index", 0), Q_U64("size", 1), {NULL}};
static const struct field consistency_query[] = {Q_U64("from", 1), Q_U64("to", 1), {NULL}};

static const struct route routes[] = {
    {"GET", "/api/v1/audit/vkey", vkey_get, ROLE_PUBLIC, 0, NULL, 0},
    {"GET", "/api/v1/audit/checkpoint", checkpoint_get, ROLE_PUBLIC, 0, NULL, 0,
     .query = at_least_query},
    {"GET", "/api/v1/audit/checkpoints", checkpoint_list, ROLE_PUBLIC, 0, NULL, 0,
     .query = checkpoints_query},
    {"POST", "/api/v1/audit/checkpoints", checkpoint_request_now,
     ROLE_SUPERVISOR | ROLE_CENTER_ADMIN, 0, NULL, 0},
    {"GET", "/api/v1/audit/checkpoints/{size}", checkpoint_by_size, ROLE_PUBLIC, 0, NULL, 0},
    {"POST", "/api/v1/audit/checkpoints/{size}/cosignatures", cosign, ROLE_SUPERVISOR, 1024,
     cosign_schema, ROUTE_CREATES},
    {"GET", "/api/v1/audit/entries", entries_get, ROLES_USER, 0, NULL, 0, .query = entries_query},
    {"GET", "/api/v1/audit/proofs/inclusion", inclusion_proof, ROLES_USER, 0, NULL, 0,
     .query = inclusion_query},
    {"GET", "/api/v1/audit/proofs/consistency", consistency_proof, ROLE_PUBLIC, 0, NULL, 0,
     .query = consistency_query},
    {"GET", "/api/v1/audit/projects/{id}/timeline", timeline, ROLES_USER, 0, NULL, 0},
    {"POST", "/api/v1/test/audit/deadlines", test_deadline, ROLE_PUBLIC, 512, deadline_schema,
     ROUTE_TEST_ONLY},
    {"POST", "/api/v1/test/audit/entries", test_entry, ROLES_USER, 16384, raw_entry_schema,
     ROUTE_TEST_ONLY},
};

static const char *const rule_codes[] = {
    "AUD-COSIGN-BACKWARDS",
    "AUD-COSIGN-SIGNATURE",
    NULL,
};

const struct module audit_module = {
    .name = "audit",
    .rule_codes = rule_codes,
    .routes = routes,
    .nroutes = ARRAY_LEN(routes),
};
