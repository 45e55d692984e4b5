/*
 * app.h — the application layer over HTTP, database and log: a request's unit of work (req_tx,
 * which adds the Idempotency-Key record and the HTTP mapping of failures to db_tx) and keyset
 * paging, the one shape of every list route. Modules build on this header and on those below.
 */
#ifndef GGZY_APP_H
#define GGZY_APP_H

#include <stdbool.h>
#include <stdint.h>

#include "actor.h"
#include "config.h"
#include "db.h"
#include "http.h"

/* A request's unit of work (req_tx.c): db_tx on the request's connection, with fn seeing the
 * request. Above db_tx it adds what only a request has: the Idempotency-Key record stored in
 * the same transaction (and a concurrent twin's answer replayed), and the mapping of a
 * database failure to its HTTP error. When fn refuses it sets the refusal on r (req_error).
 * Returns true when committed. */
typedef enum tx_result (*req_tx_fn)(struct dbconn *c, struct req *r, void *ctx);
bool req_tx(struct req *r, req_tx_fn fn, void *ctx);
/* Query parameters for keyset pagination: ?after=<id>&limit=<1..max> (default def). False:
 * 400 set on r. */
bool req_page(struct req *r, int64_t *after, int64_t *limit, int64_t def, int64_t max);
/* Answer 200 with a page of a list: {"items": [view(ctx, res, i)...], cursor: the keyset cursor
 * for the next page (column cursor_col of the last row) or null when this page is the last}.
 * Every list route answers in this one shape. */
struct dbres;
void req_page_reply(struct req *r, const struct dbres *res, int64_t limit, const char *cursor,
                    size_t cursor_col, cJSON *(*view)(void *ctx, const struct dbres *, size_t),
                    void *ctx);

/* ---- events (events.c) ----
 * What one stage tells the stages before it, which cannot include its header: the evaluation
 * capability reports an award notice or a signed contract, and deposits (earlier) subscribes to
 * set refund deadlines. A subscriber runs inside the emitter's transaction (the emitter writes
 * the audit entry of its act); a subscriber's failure fails the emitter's transaction. Kinds are
 * a closed list here, so that an emitter and its subscribers agree at compile time. */
enum app_event_kind { EV_AWARD_NOTICE, EV_CONTRACT_SIGNED, EV__COUNT };
struct app_event {
    enum app_event_kind kind;
    int64_t project_id;
    int64_t winner_org; /* the winning bidder's organization (0: none named) */
    int64_t at_us;      /* when it happened: the notice's publication, the contract's signing */
    int64_t lot;        /* the lot it concerns (0: every lot of the project) */
};
typedef enum db_status (*app_event_fn)(struct dbconn *c, const struct actor *a,
                                       const struct app_event *e);
/* Subscribe at init (before serving); at most 8 subscribers per kind. False when full. */
bool app_subscribe(enum app_event_kind kind, app_event_fn fn);
/* Run every subscriber of e->kind in order; the first failure is returned. */
enum db_status app_emit(struct dbconn *c, const struct actor *a, const struct app_event *e);
const char *app_event_name(enum app_event_kind kind); /* "award_notice", "contract_signed" */

/* ---- modules ---- */

/* A background job: run by the scheduler (scheduler.c) every every_s seconds of the platform's
 * clock (or every(cfg) seconds when every is set; 0: never on a schedule), as the named system
 * actor, on a connection of its own; at_start: also once whenever the node starts. One node of
 * a cluster runs a due job; when it is next due is kept in the database, so a restart neither
 * skips nor repeats a run. run uses db_tx and audit_append itself (one transaction per change,
 * with its entry) and returns false when it failed (logged; retried when next due). */
struct job {
    const char *name;  /* "accounts.devices-expire": <module>.<what> */
    const char *actor; /* "system:housekeeping": the actor of its audit entries */
    int64_t every_s;
    int64_t (*every)(const struct config *cfg);
    bool at_start;
    bool (*run)(struct dbconn *c, const struct actor *a, int64_t now_us);
};

/* A command of ggzyd besides serving (`ggzyd bootstrap-admin`, `ggzyd calendar import FILE`):
 * runs with the configuration loaded and the MariaDB client library initialized, and sees the
 * module table and its own arguments (those after its name); returns the exit status. */
struct module;
struct command_ctx {
    const struct config *cfg;
    const struct module *const *mods;
    size_t nmods;
    int argc;
    char **argv;
};
struct command {
    const char *name;
    int (*run)(const struct command_ctx *x);
    const char *summary;
};

/* ---- telling people, and the health answer (events.c) ---- */

/* A message to every enabled user of role ("center_admin", "supervisor"), in the caller's
 * transaction: how the core and an earlier stage tell people without depending on the module
 * that delivers messages (the outbox sets the provider at init). Without a provider nothing is
 * sent and DB_OK is returned (logged). */
typedef enum db_status (*app_notify_fn)(struct dbconn *c, const char *role, const char *kind,
                                        const char *subject, const char *body, int64_t now);
void app_set_notifier(app_notify_fn fn);
enum db_status app_notify(struct dbconn *c, const char *role, const char *kind, const char *subject,
                          const char *body, int64_t now);
/* A part of GET /healthz (added at init, at most 8): fn adds its members to the answer o and
 * returns false when the node must answer 503, with the error code and why (a sentence). */
typedef bool (*app_health_fn)(struct dbconn *c, cJSON *o, enum err_code *code, char *why,
                              size_t whylen);
bool app_health_add(app_health_fn fn);
/* Run every part on connection c; false (code and why set) when one says the node is not
 * healthy. */
bool app_health(struct dbconn *c, cJSON *o, enum err_code *code, char *why, size_t whylen);

/* The whole contract of a capability. Which modules it depends on is declared in its
 * CMakeLists.txt (ggzy_module DEPENDS), which also decides what it may include. */
struct module {
    const char *name;
    const struct route *routes;
    size_t nroutes;
    bool (*init)(const struct config *cfg); /* may be NULL */
    void (*fini)(void);                     /* may be NULL */
    const struct job *jobs;
    size_t njobs;
    const struct command *commands;
    size_t ncommands;
    const char *const *rule_codes; /* NULL-terminated: every rule code its refusals carry */
    /* its own configuration keys, stored in *config (registered before the file is read), and
     * their cross-key check (NULL or false with err filled: ggzyd refuses to start) */
    const struct config_key *config_keys;
    size_t nconfig_keys;
    void *config;
    bool (*config_check)(char *err, size_t errlen);
    /* The deadlines it issued that count working days of `year` — what the arrangement the
     * operator imports for that year (`ggzyd calendar import`, now in force in this process)
     * would move: one {"what","id","was_us","official_us","kept_us"} per deadline appended to
     * out. apply: set each to kept_us in c's transaction — the reading that favours the party
     * the period protects (an obligation: the earlier). NULL: it issues none. */
    enum db_status (*calendar_moved)(struct dbconn *c, int year, bool apply, cJSON *out);
};

/* The scheduler (scheduler.c): start runs every job of mods on its own thread; kick wakes it
 * (the test clock moved); stop waits for a running job to end. */
bool scheduler_start(const struct module *const *mods, size_t nmods, const struct config *cfg);
void scheduler_kick(void);
void scheduler_clock_moved(void); /* the test clock moved (either way): kick, and re-base */
void scheduler_stop(void);

/* Add every route of mods to the router (after router_free); false with err naming the module
 * and path of the first problem. */
bool modules_routes(const struct module *const *mods, size_t nmods, bool test_mode, char *err,
                    size_t errlen);

#endif
