/*
 * routes.c — the announce module's route rows and handlers: drafts (agents), publishing (the
 * statutory checks, immutability, the platform's signature, the project's next state, the bid
 * deadline's checkpoint — one transaction, one audit entry), and public reading without login
 * (list with filters and a cursor, one announcement with its version chain, its signature, an
 * Atom feed).
 *
 * Public order: an announcement's place in the public list is the audit index of its
 * publication, assigned by the sequencer after commit (audit_on_sequenced), so a cursor never
 * skips a publication that committed late, and never repeats one.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accounts/accounts.h"
#include "announce.h"
#include "audit.h"
#include "checkpoint.h"
#include "crypto.h"
#include "entry/entry.h"
#include "internal.h"
#include "venues/venues.h"
#include "store.h"

const struct config *announce_cfg;
struct announce_conf announce_conf;
const char *const announce_time_keys[6] = {"docs_from_us",      "docs_until_us",
                                           "bid_deadline_us",   "opening_us",
                                           "publicity_from_us", "publicity_until_us"};

/* ---- the rows ---- */

static const char *const ann_types[] = {"tender", "amendment",   "candidates", "award",
                                        "failed", "termination", NULL};
#define TIME_FIELD(name)                                                                           \
    {                                                                                              \
        name, F_INT, false, 1, INT64_C(9007199254740991), NULL                                     \
    }
static const struct field ann_schema[] = {
    {"type", F_STRING, true, 1, 20, ann_types},
    {"title", F_STRING, true, 1, 300, NULL},
    {"body", F_STRING, true, 1, 200000, NULL},
    {"amends_id", F_INT, false, 1, INT64_C(9007199254740991), NULL},
    {"affects_bids", F_BOOL, false, 0, 0, NULL},
    TIME_FIELD("docs_from_us"),
    TIME_FIELD("docs_until_us"),
    TIME_FIELD("bid_deadline_us"),
    TIME_FIELD("opening_us"),
    TIME_FIELD("publicity_from_us"),
    TIME_FIELD("publicity_until_us"),
    {"deposits", F_ARRAY, false, 0, 50, NULL},
    {"opening_place", F_STRING, false, 1, 2000, NULL},
    {"evaluation", F_OBJECT, false, 0, 0, NULL},
    {NULL},
};

#define PARTIES (ROLE_AGENT | ROLE_CENTER_ADMIN | ROLE_SUPERVISOR)

/* the public list's query parameters (checked by the dispatcher, route.h) */
static const char *const q_categories[] = {"engineering", "procurement", "land_mineral",
                                           "state_property", NULL};
static const struct field public_query[] = {
    Q_ENUM("type", ann_types),
    Q_ENUM("category", q_categories),
    {"region", F_STRING, false, 6, 6, NULL},
    {"from_us", F_INT, false, 0, QUERY_MAX_ID, NULL},
    {"to_us", F_INT, false, 0, QUERY_MAX_ID, NULL},
    {"q", F_STRING, false, 0, 100, NULL},
    Q_BEFORE,
    Q_LIMIT(100),
    {NULL},
};

static const struct route routes[] = {
    {"POST", "/api/v1/projects/{id}/announcements", ann_create, ROLE_AGENT, 1 << 20, ann_schema,
     ROUTE_CREATES},
    {"GET", "/api/v1/announcements/{id}", ann_get, PARTIES | ROLE_TENDERER, 0, NULL, 0},
    {"PUT", "/api/v1/announcements/{id}", ann_update, ROLE_AGENT, 1 << 20, ann_schema, 0},
    {"POST", "/api/v1/announcements/{id}/publish", ann_publish, ROLE_AGENT, 0, NULL, 0},
    {"GET", "/api/v1/public/announcements", public_list, ROLE_PUBLIC, 0, NULL, 0,
     .query = public_query},
    {"GET", "/api/v1/public/announcements/{id}", public_get, ROLE_PUBLIC, 0, NULL, 0},
    {"GET", "/api/v1/public/announcements/{id}/signature", public_signature, ROLE_PUBLIC, 0, NULL,
     0},
    {"GET", "/api/v1/public/feed.atom", public_atom, ROLE_PUBLIC, 0, NULL, ROUTE_RAW},
    {"GET", "/api/v1/public/projects/{id}/ocds/releases", public_ocds_releases, ROLE_PUBLIC, 0,
     NULL, 0},
    {"GET", "/api/v1/public/projects/{id}/ocds/record", public_ocds_record, ROLE_PUBLIC, 0, NULL,
     0},
};

static bool
announce_init(const struct config *config)
{
    announce_cfg = config;
    audit_on_sequenced("announce.publish", store_sql_public_order);
    venues_set_on_relocated(ann_draft_place_change); /* a relocated opening's change notice */
    return true;
}

static void
announce_fini(void)
{
    pages_free();
}

static const struct config_key config_keys[] = {
    CONFIG_S(struct announce_conf, "public.base_url", base_url, "https://localhost:8443"),
    CONFIG_S(struct announce_conf, "ocds.prefix", ocds_prefix, "ocds-213czf"),
    CONFIG_I(struct announce_conf, "public.cache_ms", cache_ms, "1000", 0, 60000),
};

static const char *const rule_codes[] = {
    "ANN-AMENDS",          "ANN-DEADLINE-EARLIER",
    "ANN-DEADLINE-PASSED", "ANN-NO-EVALUATION",
    "ANN-NO-AWARD",        "ANN-OPENING-KEY",
    "ANN-OPENING-STARTED", "ANN-OPENING-VENUE",
    "ANN-ORDER",           NULL,
};

const struct module announce_module = {
    .name = "announce",
    .rule_codes = rule_codes,
    .routes = routes,
    .nroutes = ARRAY_LEN(routes),
    .init = announce_init,
    .fini = announce_fini,
    .config_keys = config_keys,
    .nconfig_keys = ARRAY_LEN(config_keys),
    .config = &announce_conf,
};
