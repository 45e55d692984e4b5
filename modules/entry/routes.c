/*
 * routes.c — the entry module's route rows and handlers: register, amend and read projects,
 * attach documents, and move a project through the state machine (submit, accept with a code,
 * return for amendment, suspend, resume, terminate, fail, ...). Refusals: 409
 * invalid_transition naming the current and requested state; rule codes ENT-*.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "accounts/accounts.h"
#include "audit.h"
#include "crypto.h"
#include "entry.h"
#include "project_states.h"
#include "internal.h"
#include "store.h"

entry_opened_fn entry_opened_check; /* set once at start-up by a later stage (bids) */

void
entry_on_opened_check(entry_opened_fn fn)
{
    entry_opened_check = fn;
}

/* ---- the rows ---- */

static const char *const category_values[] = {"engineering", "procurement", "land_mineral",
                                              "state_property", NULL};
static const struct field project_schema[] = {
    {"name", F_STRING, true, 1, 200, NULL},
    {"category", F_STRING, true, 1, 20, category_values},
    {"method", F_STRING, true, 1, 32, NULL},
    {"region", F_STRING, true, 6, 6, NULL},
    {"tenderer_org_id", F_INT, true, 1, INT64_C(9007199254740991), NULL},
    {"budget_fen", F_INT, true, 1, INT64_C(9007199254740991), NULL},
    {"funding_source", F_STRING, true, 1, 200, NULL},
    {"legally_required", F_BOOL, true, 0, 0, NULL},
    {"lots", F_ARRAY, true, 1, MAX_LOTS, NULL},
    {"retender_of", F_INT, false, 1, INT64_C(9007199254740991), NULL},
    {NULL},
};
static const struct field transition_schema[] = {
    {"to", F_STRING, true, 1, 32, project_states},
    {"reason", F_STRING, false, 1, 2000, NULL},
    {NULL},
};

#define PARTIES (ROLE_AGENT | ROLE_TENDERER | ROLE_CENTER_ADMIN | ROLE_SUPERVISOR)

/* query parameters (checked by the dispatcher, route.h) */
static const struct field project_query[] = {
    Q_AFTER, Q_LIMIT(200), Q_ENUM("state", project_states), {NULL}};
static const struct field document_query[] = {{"name", F_STRING, false, 1, 200, NULL}, {NULL}};

static const struct route routes[] = {
    {"POST", "/api/v1/projects", project_create, ROLE_AGENT, 64 * 1024, project_schema,
     ROUTE_CREATES},
    {"GET", "/api/v1/projects", project_list, PARTIES, 0, NULL, 0, .query = project_query},
    {"GET", "/api/v1/projects/{id}", project_get, PARTIES, 0, NULL, 0},
    {"PUT", "/api/v1/projects/{id}", project_amend, ROLE_AGENT, 64 * 1024, project_schema, 0},
    {"POST", "/api/v1/projects/{id}/transitions", project_transition,
     ROLE_AGENT | ROLE_CENTER_ADMIN | ROLE_SUPERVISOR, 4096, transition_schema, 0},
    {"POST", "/api/v1/projects/{id}/documents", document_upload, ROLE_AGENT, 20 << 20, NULL,
     ROUTE_BODY_RAW | ROUTE_CREATES, .query = document_query},
    {"GET", "/api/v1/projects/{id}/documents/{doc}", document_get, PARTIES, 0, NULL, ROUTE_RAW},
};

static const char *const rule_codes[] = {
    "ENT-DOCUMENT", "ENT-LOTS-BUDGET", "ENT-METHOD", "ENT-NOT-OPENED", "ENT-RETENDER", NULL,
};

const struct module entry_module = {
    .name = "entry",
    .rule_codes = rule_codes,
    .routes = routes,
    .nroutes = ARRAY_LEN(routes),
    .init = NULL,
    .fini = NULL,
};
