/* Unit tests of the route table: matching, parameters, 405 detection and start-up checks. */
#include <stdlib.h>

#include "check.h"
#include "app.h"
#include "modules.h"

static void
h(struct req *r, const cJSON *b)
{
    (void)r;
    (void)b;
}

static const struct field one_field[] = {{"a", F_STRING, true, 1, 10, NULL}, {NULL}};

static const struct route rows[] = {
    {"GET", "/api/v1/users/{id}", h, ROLES_USER, 0, NULL, 0},
    {"GET", "/api/v1/users/me", h, ROLES_USER, 0, NULL, 0},
    {"POST", "/api/v1/users", h, ROLE_CENTER_ADMIN, 100, one_field, ROUTE_CREATES},
    {"GET", "/api/v1/users", h, ROLE_CENTER_ADMIN, 0, NULL, 0},
    {"GET", "/api/v1/projects/{pid}/lots/{lot}", h, ROLES_USER, 0, NULL, 0},
    {"GET", "/api/v1/test/only", h, ROLE_PUBLIC, 0, NULL, ROUTE_TEST_ONLY},
    {"GET", "/", h, ROLE_PUBLIC, 0, NULL, 0},
};
static const struct module mod = {"t", rows, ARRAY_LEN(rows), NULL, NULL};
static const struct module *const mods[] = {&mod};

static void
free_params(struct req *r)
{
    for (size_t i = 0; i < r->nparams; i++)
        free(r->pvals[i]);
    r->nparams = 0;
}

static void
router_prefers_literal_segments_over_params(void)
{
    struct req r = {0};
    bool known;
    const struct route *rt = router_match(&r, "GET", "/api/v1/users/me", &known, NULL, 0);
    CHECK(rt == &rows[1]);
    CHECK(r.nparams == 0);
    free_params(&r);
    rt = router_match(&r, "GET", "/api/v1/users/42", &known, NULL, 0);
    CHECK(rt == &rows[0]);
    CHECK_STR(req_param(&r, "id"), "42");
    free_params(&r);
}

static void
router_extracts_every_parameter(void)
{
    struct req r = {0};
    bool known;
    const struct route *rt = router_match(&r, "GET", "/api/v1/projects/7/lots/B2", &known, NULL, 0);
    CHECK(rt == &rows[4]);
    CHECK_STR(req_param(&r, "pid"), "7");
    CHECK_STR(req_param(&r, "lot"), "B2");
    CHECK(req_param(&r, "nope") == NULL);
    free_params(&r);
}

static void
router_reports_known_path_with_other_method_for_405(void)
{
    char allow[64];
    bool known;
    const struct route *rt =
        router_match(NULL, "DELETE", "/api/v1/users", &known, allow, sizeof allow);
    CHECK(rt == NULL);
    CHECK(known);
    CHECK(strstr(allow, "GET") && strstr(allow, "POST"));
    rt = router_match(NULL, "GET", "/api/v1/nothing", &known, allow, sizeof allow);
    CHECK(rt == NULL && !known);
}

static void
router_does_not_match_partial_or_longer_paths(void)
{
    bool known;
    CHECK(router_match(NULL, "GET", "/api/v1/users/1/extra", &known, NULL, 0) == NULL);
    CHECK(router_match(NULL, "GET", "/api/v1/user", &known, NULL, 0) == NULL);
    CHECK(router_match(NULL, "GET", "/api/v1/users/", &known, NULL, 0) == NULL);
    CHECK(router_match(NULL, "GET", "api/v1/users", &known, NULL, 0) == NULL);
    CHECK(router_match(NULL, "GET", "/", &known, NULL, 0) == &rows[6]);
    CHECK(router_match(NULL, "HEAD", "/api/v1/users", &known, NULL, 0) == &rows[3]);
}

static void
router_leaves_out_test_routes_outside_test_mode(void)
{
    bool known;
    CHECK(router_match(NULL, "GET", "/api/v1/test/only", &known, NULL, 0) == NULL);
    router_free();
    char err[200];
    CHECK(modules_routes(mods, 1, true, err, sizeof err));
    CHECK(router_match(NULL, "GET", "/api/v1/test/only", &known, NULL, 0) == &rows[5]);
    router_free();
    CHECK(modules_routes(mods, 1, false, err, sizeof err));
}

static void
route_rows_without_roles_or_validator_are_refused(void)
{
    struct route bad = {"GET", "/x", h, 0, 0, NULL, 0};
    CHECK(route_row_problem(&bad) != NULL); /* default deny: no roles */
    bad.roles = ROLE_PUBLIC;
    CHECK(route_row_problem(&bad) == NULL);
    struct route body = {"POST", "/x", h, ROLES_USER, 100, NULL, 0};
    CHECK(route_row_problem(&body) != NULL); /* a body cap without a validator */
    struct route nohandler = {"GET", "/x", NULL, ROLES_USER, 0, NULL, 0};
    CHECK(route_row_problem(&nohandler) != NULL);
    struct route getbody = {"GET", "/x", h, ROLES_USER, 10, one_field, 0};
    CHECK(route_row_problem(&getbody) != NULL);
    struct route mixed = {"GET", "/x", h, ROLE_PUBLIC | ROLE_BIDDER, 0, NULL, 0};
    CHECK(route_row_problem(&mixed) != NULL);
}

static void *
sink_open(struct req *r)
{
    (void)r;
    return NULL;
}
static bool
sink_write(struct req *r, void *st, const void *p, size_t n)
{
    (void)r, (void)st, (void)p, (void)n;
    return true;
}
static void
sink_close(void *st)
{
    (void)st;
}

static void
streamed_body_routes_need_a_complete_sink_and_a_cap(void)
{
    static const struct body_sink sink = {sink_open, sink_write, sink_close};
    static const struct body_sink half = {sink_open, NULL, sink_close};
    struct route ok = {"POST", "/x", h, ROLE_BIDDER, 1000, NULL, ROUTE_BODY_STREAM, &sink};
    CHECK(route_row_problem(&ok) == NULL);
    struct route nosink = {"POST", "/x", h, ROLE_BIDDER, 1000, NULL, ROUTE_BODY_STREAM, NULL};
    CHECK(route_row_problem(&nosink) != NULL);
    struct route halfsink = {"POST", "/x", h, ROLE_BIDDER, 1000, NULL, ROUTE_BODY_STREAM, &half};
    CHECK(route_row_problem(&halfsink) != NULL);
    struct route nocap = {"POST", "/x", h, ROLE_BIDDER, 0, NULL, ROUTE_BODY_STREAM, &sink};
    CHECK(route_row_problem(&nocap) != NULL);
    struct route idem = {
        "POST", "/x", h, ROLE_BIDDER, 1000, NULL, ROUTE_BODY_STREAM | ROUTE_CREATES, &sink};
    CHECK(route_row_problem(&idem) != NULL);
    struct route stray = {"POST", "/x", h, ROLE_BIDDER, 1000, one_field, 0, &sink};
    CHECK(route_row_problem(&stray) != NULL); /* a sink on a route that does not stream */
}

static void
building_the_routes_aborts_naming_the_incomplete_path(void)
{
    static const struct route broken[] = {{"GET", "/api/v1/broken", h, 0, 0, NULL, 0}};
    static const struct module m = {"broken", broken, 1, NULL, NULL};
    const struct module *const ms[] = {&m};
    char err[200] = "";
    router_free();
    CHECK(!modules_routes(ms, 1, false, err, sizeof err));
    CHECK(strstr(err, "/api/v1/broken") != NULL);
    router_free();
    static const struct route dup[] = {{"GET", "/a/{x}", h, ROLE_PUBLIC, 0, NULL, 0},
                                       {"GET", "/a/{y}", h, ROLE_PUBLIC, 0, NULL, 0}};
    static const struct module md = {"dup", dup, 2, NULL, NULL};
    const struct module *const ms2[] = {&md};
    CHECK(!modules_routes(ms2, 1, false, err, sizeof err));
    CHECK(strstr(err, "twice") != NULL);
    router_free();
    CHECK(modules_routes(mods, 1, false, err, sizeof err));
}

static void
the_real_module_table_builds(void)
{
    router_free();
    char err[300] = "";
    CHECK(modules_routes(ggzy_modules, ggzy_nmodules, true, err, sizeof err));
    if (err[0])
        fprintf(stderr, "%s\n", err);
    router_free();
}

int
main(void)
{
    char err[200];
    if (!modules_routes(mods, 1, false, err, sizeof err)) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    RUN(router_prefers_literal_segments_over_params);
    RUN(router_extracts_every_parameter);
    RUN(router_reports_known_path_with_other_method_for_405);
    RUN(router_does_not_match_partial_or_longer_paths);
    RUN(router_leaves_out_test_routes_outside_test_mode);
    RUN(route_rows_without_roles_or_validator_are_refused);
    RUN(streamed_body_routes_need_a_complete_sink_and_a_cap);
    RUN(building_the_routes_aborts_naming_the_incomplete_path);
    RUN(the_real_module_table_builds);
    router_free();
    return CHECK_DONE();
}
