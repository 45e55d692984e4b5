/* Unit tests of the experts module's rules (modules/experts/rules.c): admission at each
 * condition's boundary, a committee's size and make-up under both regimes, the request window,
 * where an expert may be drawn, and the order in which exclusion reasons are counted. */
#include <string.h>

#include "check.h"
#include "experts.h"

#define HOUR (INT64_C(3600) * 1000000)

static const char *
admit(const char *title, int since, int birth, bool e_eval)
{
    struct expert_facts f = {title, since, birth, e_eval, 2026};
    struct refusal r = experts_rule_admission(&f);
    return r.code ? r.code : "ok";
}

static void
admission_holds_each_condition_at_its_boundary(void)
{
    CHECK_STR(admit("senior", 2018, 1970, true), "ok"); /* eight years exactly */
    CHECK_STR(admit("senior", 2019, 1970, true), "R-EXPERT-YEARS");
    CHECK_STR(admit("deputy_senior", 2000, 1970, true), "R-EXPERT-TITLE");
    CHECK_STR(admit("senior", 2000, 1956, true), "ok"); /* seventy */
    CHECK_STR(admit("senior", 2000, 1955, true), "R-EXPERT-AGE");
    CHECK_STR(admit("senior", 2000, 1970, false), "R-EXPERT-E-EVAL");
    struct refusal f = experts_rule_profile("senior", 1960, 1970, "region", 2026);
    CHECK_STR(f.code, "EXP-PROFILE"); /* in the field before birth */
    f = experts_rule_profile("professor", 2000, 1970, "region", 2026);
    CHECK_STR(f.code, "EXP-PROFILE");
    f = experts_rule_profile("senior", 2000, 1970, "national", 2026);
    CHECK(f.code == NULL);
}

static const char *
committee(enum category c, int64_t budget, int64_t experts, int64_t reps, int64_t capacity)
{
    struct committee_ask a = {c, budget, experts, reps, capacity};
    struct refusal f = experts_rule_committee(&a);
    return f.code ? f.code : "ok";
}

static void
a_committee_is_odd_large_enough_and_two_thirds_experts(void)
{
    CHECK_STR(committee(CAT_ENGINEERING, 0, 4, 1, 9), "ok");
    CHECK_STR(committee(CAT_ENGINEERING, 0, 3, 0, 9), "R-COMMITTEE-SIZE");
    CHECK_STR(committee(CAT_ENGINEERING, 0, 4, 2, 9), "R-COMMITTEE-SIZE");    /* six: even */
    CHECK_STR(committee(CAT_ENGINEERING, 0, 3, 2, 9), "R-COMMITTEE-EXPERTS"); /* 3 of 5 */
    CHECK_STR(committee(CAT_ENGINEERING, 0, 6, 3, 9), "ok");                  /* 6 of 9 */
    CHECK_STR(committee(CAT_ENGINEERING, 0, 5, 4, 9), "R-COMMITTEE-EXPERTS"); /* 5 of 9 */
    CHECK_STR(committee(CAT_ENGINEERING, 0, 66, 33, 0), "ok");                /* 66 of 99 */
    CHECK_STR(committee(CAT_ENGINEERING, 0, 65, 34, 0), "R-COMMITTEE-EXPERTS");
    /* government procurement: seven from a budget of ¥10 million */
    CHECK_STR(committee(CAT_PROCUREMENT, 999999999, 5, 0, 9), "ok");
    CHECK_STR(committee(CAT_PROCUREMENT, 1000000000, 5, 0, 9), "R-COMMITTEE-LARGE");
    CHECK_STR(committee(CAT_PROCUREMENT, 1000000000, 7, 0, 9), "ok");
    CHECK_STR(committee(CAT_ENGINEERING, 1000000000, 5, 0, 9), "ok"); /* not a tendering rule */
    CHECK_STR(committee(CAT_ENGINEERING, 0, 7, 2, 7), "DRAW-CAPACITY");
    CHECK_STR(committee(CAT_LAND_MINERAL, 0, 5, 0, 9), "ok"); /* the engineering values apply */
}

static void
a_draw_is_asked_only_within_its_window(void)
{
    int64_t start = 100 * HOUR, window = 24 * HOUR;
    struct refusal f = experts_rule_window(start - window, start, window);
    CHECK(f.code == NULL);
    f = experts_rule_window(start - window - 1, start, window);
    CHECK_STR(f.code, "DRAW-WINDOW");
    CHECK(f.conflict);
    f = experts_rule_window(start, start, window);
    CHECK_STR(f.code, "DRAW-WINDOW");
}

static void
an_expert_is_drawn_where_their_region_and_sharing_reach(void)
{
    const char *allowed[] = {"110000", "110100", "120000", "310000"};
    CHECK(experts_rule_region_ok("110000", "region", "110000", allowed, 4));
    CHECK(!experts_rule_region_ok("110100", "region", "110000", allowed, 4));
    CHECK(experts_rule_region_ok("110100", "province", "110000", allowed, 4));
    CHECK(!experts_rule_region_ok("120000", "province", "110000", allowed, 4));
    CHECK(experts_rule_region_ok("310000", "national", "110000", allowed, 4));
    CHECK(!experts_rule_region_ok("440000", "national", "110000", allowed, 4)); /* not asked */
}

static void
exclusions_are_counted_under_the_first_reason_that_holds(void)
{
    struct candidate_facts f = {.state = "active", .region_ok = true};
    CHECK(experts_rule_exclusion(&f, 0) == NULL);
    f.busy = true;
    CHECK_STR(experts_rule_exclusion(&f, 0), "busy");
    f.on_leave = true;
    CHECK_STR(experts_rule_exclusion(&f, 0), "on_leave");
    f.employed = true;
    CHECK_STR(experts_rule_exclusion(&f, 0), "employed");
    f.region_ok = false;
    CHECK_STR(experts_rule_exclusion(&f, 0), "region");
    f.state = "suspended";
    CHECK_STR(experts_rule_exclusion(&f, 0), "suspended");
    f.suspended_until = 10;
    struct candidate_facts g = {.state = "suspended", .suspended_until = 10, .region_ok = true};
    CHECK(experts_rule_exclusion(&g, 11) == NULL); /* the suspension has ended */
    CHECK_STR(experts_rule_exclusion(&g, 9), "suspended");
    g.state = "applied";
    CHECK_STR(experts_rule_exclusion(&g, 11), "removed");
    CHECK(experts_rule_relation_years(CAT_PROCUREMENT, 1) == 3); /* 政府采购法实施条例 第九条 */
    CHECK(experts_rule_relation_years(CAT_ENGINEERING, 1) == 1);
    int64_t have[] = {8, 7}, need[] = {4, 4};
    const char *names[] = {"A0101", "A0102"};
    struct refusal p = experts_rule_pool(have, need, 2, 2, names);
    CHECK_STR(p.code, "DRAW-POOL-SMALL");
    CHECK(strstr(p.why, "A0102") != NULL);
    have[1] = 8;
    p = experts_rule_pool(have, need, 2, 2, names);
    CHECK(p.code == NULL);
}

int
main(void)
{
    RUN(admission_holds_each_condition_at_its_boundary);
    RUN(a_committee_is_odd_large_enough_and_two_thirds_experts);
    RUN(a_draw_is_asked_only_within_its_window);
    RUN(an_expert_is_drawn_where_their_region_and_sharing_reach);
    RUN(exclusions_are_counted_under_the_first_reason_that_holds);
    return CHECK_DONE();
}
