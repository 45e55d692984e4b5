/*
 * main.c — ggzyd's entry point: parse the command line, load and check the configuration, and
 * run one command: serve (default), migrate, check-config, bootstrap-admin, routes.
 *
 * serve: checks the schema is current, starts the pool, builds the route table (aborting with
 * the path of any incomplete row), initializes the modules, starts HTTP(S), then waits for
 * SIGTERM/SIGINT in sigwait(). On a signal it stops taking connections, lets in-flight
 * requests finish (at most 30 s), and shuts everything down in reverse order.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mysql.h>

#include "app.h"
#include "audit.h"
#include "auth.h"
#include "calendar.h"
#include "config.h"
#include "db.h"
#include "http.h"
#include "metrics.h"
#include "modules.h"
#include "migrate.h"
#include "static.h"
#include "statutes.h"
#include "trust.h"
#include "util.h"

static void
usage(FILE *f)
{
    fprintf(f, "usage: ggzyd [-c FILE] [--test-mode | --demo-clock] [--port-file FILE] [COMMAND]\n"
               "commands:\n"
               "  serve            serve the API (default)\n"
               "  migrate          apply pending migrations\n"
               "  check-config     validate the configuration and exit (also --check-config)\n"
               "  routes           print the route table\n"
               "  rules            print the statutory rule table\n"
               "  config-keys      print every configuration key\n"
               "  modules          print the modules, what each depends on, its jobs\n"
               "--demo-clock: a demonstration's clock, moved through the API (GET and POST\n"
               "  /api/v1/test/clock) and named on /healthz and every page; never in production\n");
    for (size_t i = 0; i < ggzy_nmodules; i++)
        for (size_t k = 0; k < ggzy_modules[i]->ncommands; k++)
            fprintf(f, "  %-16s %s\n", ggzy_modules[i]->commands[k].name,
                    ggzy_modules[i]->commands[k].summary);
}

/* Every module's own configuration keys join the core's before the file is read. */
static bool
modules_config_register(void)
{
    for (size_t i = 0; i < ggzy_nmodules; i++) {
        const struct module *m = ggzy_modules[i];
        if (m->nconfig_keys && !config_register(m->config_keys, m->nconfig_keys, m->config))
            return false;
    }
    return true;
}

/* Each module's check of its own keys; false with err naming the first problem. */
static bool
modules_config_check(char *err, size_t errlen)
{
    for (size_t i = 0; i < ggzy_nmodules; i++)
        if (ggzy_modules[i]->config_check && !ggzy_modules[i]->config_check(err, errlen))
            return false;
    return true;
}

/* `ggzyd modules`: the module table as the descriptors declare it. */
static int
cmd_modules(void)
{
    for (size_t i = 0; i < ggzy_nmodules; i++) {
        const struct module *m = ggzy_modules[i];
        printf("%s\n  depends on: %s\n  routes: %zu\n", m->name,
               ggzy_module_deps[i][0] ? ggzy_module_deps[i] : "(the core only)", m->nroutes);
        for (size_t k = 0; k < m->njobs; k++)
            printf("  job: %s as %s\n", m->jobs[k].name, m->jobs[k].actor);
        for (size_t k = 0; k < m->ncommands; k++)
            printf("  command: %s\n", m->commands[k].name);
        for (size_t k = 0; k < m->nconfig_keys; k++)
            printf("  config: %s\n", m->config_keys[k].name);
        for (const char *const *r = m->rule_codes; r && *r; r++)
            printf("  rule: %s\n", *r);
    }
    return 0;
}

/* The command of that name some module declares, or NULL. */
static const struct command *
module_command(const char *name)
{
    for (size_t i = 0; i < ggzy_nmodules; i++)
        for (size_t k = 0; k < ggzy_modules[i]->ncommands; k++)
            if (!strcmp(ggzy_modules[i]->commands[k].name, name))
                return &ggzy_modules[i]->commands[k];
    return NULL;
}

static bool
build_routes(bool test_mode)
{
    char err[400];
    if (!modules_routes(ggzy_modules, ggzy_nmodules, test_mode, err, sizeof err)) {
        log_error("%s", err);
        return false;
    }
    return true;
}

static int
cmd_routes(bool test_mode)
{
    if (!build_routes(test_mode))
        return 1;
    for (size_t i = 0; i < router_count(); i++) {
        const struct route *rt = router_at(i);
        printf("%s %s", rt->method, rt->pattern);
        if (rt->roles & ROLE_PUBLIC)
            printf(" public");
        for (unsigned b = 0; b < ROLE_BITS; b++)
            if (rt->roles & (1u << b))
                printf(" %s", role_name(1u << b));
        for (const struct field *q = rt->query; q && q->name; q++)
            printf(" ?%s", q->name); /* the query parameters it takes */
        printf("%s\n", rt->flags & ROUTE_TEST_ONLY ? " test-only" : "");
    }
    router_free();
    return 0;
}

static int
cmd_serve(struct config *cfg, const char *port_file)
{
    int rc = 1;
    size_t inited = 0;
    bool pool = false, metrics = false, http = false, sequencer = false, scheduler = false;
    /* Block the signals before any thread exists, so every thread inherits the mask and only
     * this one takes them, with sigwait (a second SIGTERM during shutdown stays pending). */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    /* A shell starts background jobs with SIGINT ignored, and an ignored signal never reaches
     * sigwait: take the default disposition back first. */
    signal(SIGTERM, SIG_DFL);
    signal(SIGINT, SIG_DFL);
    signal(SIGHUP, SIG_DFL);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    if (!migrate_run(cfg, false))
        return 1;
    char err[400];
    if (!calendar_load(cfg->calendar_dir, err, sizeof err) ||
        !statutes_load_overrides(cfg->rules_overrides, err, sizeof err) ||
        !trust_load(cfg, err, sizeof err)) {
        log_error("%s", err);
        trust_free();
        return 1;
    }
    if (!build_routes(cfg->test_mode))
        return 1;
    if (!metrics_init() || !db_pool_init(cfg)) {
        log_error("cannot allocate the metrics or the database pool");
        goto fail;
    }
    metrics = pool = true;
    auth_init(cfg);
    static_init(cfg->web_root);
    for (; inited < ggzy_nmodules; inited++) {
        const struct module *m = ggzy_modules[inited];
        if (m->init && !m->init(cfg)) {
            log_error("module %s failed to start", m->name);
            goto fail;
        }
    }
    /* the core's sequencer gives committed entries their index (after every module registered
     * what it learns from it: audit_on_sequenced) */
    if (!audit_start(cfg)) {
        log_error("the audit sequencer could not start");
        goto fail;
    }
    sequencer = true;
    /* the anchors in force go into the log before any key is checked against them */
    struct dbconn *tc = db_acquire();
    bool published = tc && trust_publish(tc);
    if (tc)
        db_release(tc);
    if (!published) {
        log_error("the trust anchors in force could not be published into the audit log");
        goto fail;
    }
    if (!scheduler_start(ggzy_modules, ggzy_nmodules, cfg)) {
        log_error("the scheduler could not start");
        goto fail;
    }
    scheduler = true;
    if (!log_buffered_start())
        log_warn("logging unbuffered: no memory or thread for the log buffer");
    if (!http_start(cfg))
        goto fail;
    http = true;
    unsigned port = http_port();
    log_info("ggzyd listening on %s port %u (%s, %lld threads%s)", cfg->http_bind, port,
             cfg->http_tls ? "https" : "plain http", (long long)cfg->http_threads,
             cfg->test_mode    ? ", TEST MODE: the clock can be moved through the API"
             : clock_is_demo() ? ", DEMONSTRATION CLOCK: the clock can be moved through the API"
                               : "");
    if (port_file) {
        FILE *f = fopen(port_file, "w");
        if (!f || fprintf(f, "%u\n", port) < 0 || fclose(f) != 0) {
            log_error("cannot write %s", port_file);
            goto fail;
        }
    }
    int sig = 0;
    /* SIGHUP re-reads the working-day calendar (an operator added or corrected a year) and the
     * trust anchors and CRLs (a CA rolled over, a certificate was revoked), which go into the
     * log when they changed. */
    while (sigwait(&set, &sig) == 0 && sig == SIGHUP) {
        if (!calendar_load(cfg->calendar_dir, err, sizeof err))
            log_error("calendar not reloaded, the old one stays in use: %s", err);
        if (!trust_load(cfg, err, sizeof err))
            log_error("trust anchors not reloaded, the old ones stay in force: %s", err);
        struct dbconn *hc = db_acquire();
        if (!hc || !trust_publish(hc))
            log_error("the reloaded trust anchors could not be published into the audit log");
        if (hc)
            db_release(hc);
    }
    log_info("signal %d: new requests get 503; waiting for %ld in-flight requests", sig,
             http_in_flight());
    http_quiesce();
    if (!http_wait_idle(30000))
        log_warn("requests still running after 30 s; stopping anyway");
    rc = 0;
fail:
    if (http)
        http_stop();
    if (scheduler)
        scheduler_stop();
    if (sequencer)
        audit_stop();
    while (inited > 0) {
        const struct module *m = ggzy_modules[--inited];
        if (m->fini)
            m->fini();
    }
    static_fini();
    calendar_free();
    trust_free();
    if (pool)
        db_pool_shutdown();
    if (metrics)
        metrics_free();
    router_free();
    log_info("ggzyd stopped");
    log_buffered_stop();
    return rc;
}

/* Is id a development platform's name (where a demonstration clock may run)? */
static bool
demo_platform(const char *id)
{
    size_t n = id ? strlen(id) : 0;
    return (n > 10 && !strcmp(id + n - 10, ".localhost")) ||
           (n > 5 && !strcmp(id + n - 5, ".test"));
}

int
main(int argc, char **argv)
{
    const char *config_path = getenv("GGZY_CONFIG"), *port_file = NULL, *cmd = "serve";
    bool test_mode = false;
    int cmd_at = argc; /* a module command's own arguments follow its name */
    for (int i = 1; i < argc && i < cmd_at; i++) {
        if ((!strcmp(argv[i], "-c") || !strcmp(argv[i], "--config")) && i + 1 < argc)
            config_path = argv[++i];
        else if (!strcmp(argv[i], "--test-mode"))
            test_mode = true;
        else if (!strcmp(argv[i], "--demo-clock"))
            clock_set_demo(true); /* the clock's routes only (docs/operations.md) */
        else if (!strcmp(argv[i], "--port-file") && i + 1 < argc)
            port_file = argv[++i];
        else if (!strcmp(argv[i], "--check-config"))
            cmd = "check-config";
        else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            usage(stdout);
            return 0;
        } else if (argv[i][0] != '-') {
            cmd = argv[i];
            if (module_command(cmd))
                cmd_at = i + 1;
        } else {
            usage(stderr);
            return 2;
        }
    }
    if (!strcmp(cmd, "routes"))
        return cmd_routes(test_mode);
    if (!strcmp(cmd, "rules")) {
        for (int i = 0; i < S__COUNT; i++) {
            const struct statute *st = statute((enum statute_id)i);
            for (int c = 0; c < CAT__COUNT; c++)
                if (st->value[c] >= 0)
                    printf("%s\t%s\t%lld\t%s\t%s\n", st->code, category_name((enum category)c),
                           (long long)st->value[c], unit_name(st->unit[c]), st->source[c]);
        }
        return 0;
    }
    if (!modules_config_register()) {
        log_error("too many configuration tables");
        return 1;
    }
    if (!strcmp(cmd, "modules"))
        return cmd_modules();
    if (!strcmp(cmd, "config-keys")) {
        for (size_t i = 0; config_key_name(i); i++)
            printf("%s\n", config_key_name(i));
        return 0;
    }
    struct config cfg;
    char err[512];
    if (!config_load(&cfg, config_path, err, sizeof err) ||
        !config_validate(&cfg, err, sizeof err) || !modules_config_check(err, sizeof err)) {
        log_error("configuration: %s", err);
        config_free(&cfg);
        return 2;
    }
    cfg.test_mode = test_mode;
    if (clock_is_demo() && !demo_platform(cfg.platform_id)) {
        /* a clock anyone may move decides every deadline: only on a development platform */
        log_error("--demo-clock: platform.id %s is not a development name (*.localhost or *.test); "
                  "a demonstration clock never runs in production",
                  cfg.platform_id);
        config_free(&cfg);
        return 2;
    }
    log_set_level(!strcmp(cfg.log_level, "debug")   ? LOG_DEBUG
                  : !strcmp(cfg.log_level, "warn")  ? LOG_WARN
                  : !strcmp(cfg.log_level, "error") ? LOG_ERROR
                                                    : LOG_INFO);
    if (mysql_library_init(0, NULL, NULL)) {
        log_error("cannot initialize the MariaDB client library");
        return 1;
    }
    int rc;
    if (!strcmp(cmd, "check-config")) {
        printf("configuration OK\n");
        rc = 0;
    } else if (!strcmp(cmd, "migrate"))
        rc = migrate_run(&cfg, true) ? 0 : 1;
    else if (module_command(cmd)) {
        struct command_ctx x = {&cfg, ggzy_modules, ggzy_nmodules, argc - cmd_at, argv + cmd_at};
        rc = module_command(cmd)->run(&x);
    } else if (!strcmp(cmd, "serve"))
        rc = cmd_serve(&cfg, port_file);
    else {
        usage(stderr);
        rc = 2;
    }
    config_free(&cfg);
    mysql_library_end();
    return rc;
}
