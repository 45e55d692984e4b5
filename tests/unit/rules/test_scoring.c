/* Unit tests of the evaluation methods (server/rules/scoring.c): the declared method's checks,
 * a member's score as written, the price score, the mean and the ranking — with the worked
 * example of docs/evaluation.md §3. */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "scoring.h"

static struct scoring_refusal
method(const char *json, enum category c, struct scoring_method *m)
{
    cJSON *j = cJSON_Parse(json);
    struct scoring_refusal f = scoring_rule_method(j, c, m);
    cJSON_Delete(j);
    return f;
}

#define GOODS                                                                                      \
    "{\"method\":\"comprehensive\",\"object\":\"goods\",\"decimals\":1,\"price_points\":3000,"     \
    "\"criteria\":[{\"code\":\"T\",\"name\":\"技术方案\",\"max_points\":4000},"                \
    "{\"code\":\"S\",\"name\":\"售后服务\",\"max_points\":3000}]}"

static void
a_declared_comprehensive_method_is_parsed_and_written_back_canonically(void)
{
    struct scoring_method m;
    struct scoring_refusal f = method(GOODS, CAT_PROCUREMENT, &m);
    CHECK(!f.code);
    CHECK(m.kind == SCORING_COMPREHENSIVE && m.ncrit == 2 && m.price_points == 3000);
    CHECK(m.decimals == 1 && !strcmp(m.crit[1].code, "S") && m.crit[0].max_points == 4000);
    cJSON *o = scoring_method_json(&m);
    char *s = cJSON_PrintUnformatted(o);
    CHECK_STR(s, "{\"criteria\":[{\"code\":\"T\",\"max_points\":4000,\"name\":\"技术方案\"},"
                 "{\"code\":\"S\",\"max_points\":3000,\"name\":\"售后服务\"}],\"decimals\":1,"
                 "\"method\":\"comprehensive\",\"object\":\"goods\",\"price_points\":3000}");
    cJSON_free(s);
    cJSON_Delete(o);
}

static void
a_method_whose_points_do_not_add_up_or_that_is_malformed_is_refused(void)
{
    struct scoring_method m;
    CHECK_STR(method("{\"method\":\"comprehensive\",\"object\":\"goods\",\"price_points\":3000,"
                     "\"criteria\":[{\"code\":\"T\",\"name\":\"t\",\"max_points\":6000}]}",
                     CAT_ENGINEERING, &m)
                  .code,
              "EVAL-METHOD");
    CHECK_STR(method("{\"method\":\"best\",\"object\":\"goods\"}", CAT_ENGINEERING, &m).code,
              "EVAL-METHOD");
    CHECK_STR(method("{\"method\":\"lowest_price\",\"object\":\"works\",\"price_points\":1}",
                     CAT_ENGINEERING, &m)
                  .code,
              "EVAL-METHOD");
    CHECK_STR(method("{\"method\":\"lowest_price\",\"object\":\"works\",\"extra\":1}",
                     CAT_ENGINEERING, &m)
                  .code,
              "EVAL-METHOD");
    CHECK_STR(method("{\"method\":\"comprehensive\",\"object\":\"works\",\"price_points\":5000,"
                     "\"criteria\":[{\"code\":\"T\",\"name\":\"t\",\"max_points\":2500},"
                     "{\"code\":\"T\",\"name\":\"u\",\"max_points\":2500}]}",
                     CAT_ENGINEERING, &m)
                  .code,
              "EVAL-METHOD");
    CHECK_STR(method("{\"method\":\"comprehensive\",\"object\":\"works\",\"decimals\":0,"
                     "\"price_points\":5050,\"criteria\":[{\"code\":\"T\",\"name\":\"t\","
                     "\"max_points\":4950}]}",
                     CAT_ENGINEERING, &m)
                  .code,
              "EVAL-METHOD");
    CHECK(!method("{\"method\":\"lowest_price\",\"object\":\"works\"}", CAT_ENGINEERING, &m).code);
    CHECK(m.kind == SCORING_LOWEST_PRICE && m.decimals == 2);
}

static void
procurement_holds_the_price_weight_at_thirty_percent_for_goods_and_ten_for_services(void)
{
    struct scoring_method m;
    const char *goods29 =
        "{\"method\":\"comprehensive\",\"object\":\"goods\",\"price_points\":2999,"
        "\"criteria\":[{\"code\":\"T\",\"name\":\"t\",\"max_points\":7001}]}";
    CHECK_STR(method(goods29, CAT_PROCUREMENT, &m).code, "R-EVAL-PRICE-WEIGHT");
    CHECK(!method(goods29, CAT_ENGINEERING, &m).code); /* the tendering law sets no minimum */
    const char *svc10 =
        "{\"method\":\"comprehensive\",\"object\":\"services\",\"price_points\":1000,"
        "\"criteria\":[{\"code\":\"T\",\"name\":\"t\",\"max_points\":9000}]}";
    CHECK(!method(svc10, CAT_PROCUREMENT, &m).code);
    const char *svc9 = "{\"method\":\"comprehensive\",\"object\":\"services\",\"price_points\":999,"
                       "\"criteria\":[{\"code\":\"T\",\"name\":\"t\",\"max_points\":9001}]}";
    CHECK_STR(method(svc9, CAT_PROCUREMENT, &m).code, "R-EVAL-PRICE-WEIGHT-SERVICES");
}

static void
a_score_is_read_exactly_with_no_more_decimals_than_declared_and_within_its_range(void)
{
    struct scoring_method m;
    method(GOODS, CAT_PROCUREMENT, &m);
    int64_t v = -1;
    CHECK(!scoring_rule_score(&m, "37.5", 4000, &v).code && v == 3750);
    CHECK(!scoring_rule_score(&m, "40", 4000, &v).code && v == 4000);
    CHECK(!scoring_rule_score(&m, "0", 4000, &v).code && v == 0);
    CHECK_STR(scoring_rule_score(&m, "37.25", 4000, &v).code, "EVAL-SCORE-FORMAT");
    CHECK_STR(scoring_rule_score(&m, "40.1", 4000, &v).code, "EVAL-SCORE-RANGE");
    CHECK_STR(scoring_rule_score(&m, "-1", 4000, &v).code, "EVAL-SCORE-FORMAT");
    CHECK_STR(scoring_rule_score(&m, "1e1", 4000, &v).code, "EVAL-SCORE-FORMAT");
    CHECK_STR(scoring_rule_score(&m, "3.", 4000, &v).code, "EVAL-SCORE-FORMAT");
    CHECK_STR(scoring_rule_score(&m, "", 4000, &v).code, "EVAL-SCORE-FORMAT");
    CHECK_STR(scoring_rule_score(&m, "99999999999999999999", 4000, &v).code, "EVAL-SCORE-FORMAT");
}

static void
the_price_score_and_the_mean_round_half_up_in_integers(void)
{
    /* 95,000.00 yuan lowest; 30.00 points */
    CHECK(scoring_price_score(9500000, 10000000, 3000) == 2850);
    CHECK(scoring_price_score(9500000, 9500000, 3000) == 3000);
    CHECK(scoring_price_score(9500000, 10200000, 3000) == 2794); /* 2794.117… */
    CHECK(scoring_price_score(1, 3, 1000) == 333);               /* 333.33… */
    CHECK(scoring_price_score(2, 3, 1000) == 667);               /* 666.66… */
    CHECK(scoring_price_score(1, 8, 1) == 0);                    /* 0.125 */
    CHECK(scoring_price_score(1, 2, 1) == 1);                    /* 0.5 → up */
    int64_t s[] = {3500, 3600, 3650};
    CHECK(scoring_mean(s, 3) == 3583); /* 3583.33… */
    int64_t t[] = {1, 2};
    CHECK(scoring_mean(t, 2) == 2); /* 1.5 → 2 */
    /* a price near INT64_MAX fen does not overflow */
    CHECK(scoring_price_score(INT64_C(9000000000000000000), INT64_C(9000000000000000000), 10000) ==
          10000);
}

static void
the_worked_example_ranks_by_total_then_the_lower_price(void)
{
    struct scoring_method m;
    method(GOODS, CAT_PROCUREMENT, &m);
    struct scoring_bid b[] = {
        {.bid_id = 11, .org_id = 1, .price_fen = 10000000, .subjective = 6200},
        {.bid_id = 12, .org_id = 2, .price_fen = 9500000, .subjective = 5800},
        {.bid_id = 13, .org_id = 3, .price_fen = 10200000, .subjective = 6500},
        {.bid_id = 14, .org_id = 4, .price_fen = 9500000, .subjective = 5800},
    };
    scoring_rank(&m, b, 4);
    /* totals: 11 → 2850+6200 = 9050; 12, 14 → 3000+5800 = 8800; 13 → 2794+6500 = 9294 */
    CHECK(b[0].bid_id == 13 && b[0].total == 9294 && b[0].rank == 1);
    CHECK(b[1].bid_id == 11 && b[1].total == 9050);
    CHECK(b[2].bid_id == 12 && b[3].bid_id == 14 && b[3].tied && !b[2].tied);
    CHECK(scoring_candidates(4) == 3 && scoring_candidates(2) == 2);
    char out[24];
    scoring_format(9294, out);
    CHECK_STR(out, "92.94");
    scoring_format(5, out);
    CHECK_STR(out, "0.05");
}

static void
the_lowest_price_method_ranks_by_price_alone(void)
{
    struct scoring_method m;
    method("{\"method\":\"lowest_price\",\"object\":\"works\"}", CAT_ENGINEERING, &m);
    struct scoring_bid b[] = {{.bid_id = 3, .price_fen = 500},
                              {.bid_id = 1, .price_fen = 700},
                              {.bid_id = 2, .price_fen = 400}};
    scoring_rank(&m, b, 3);
    CHECK(b[0].bid_id == 2 && b[1].bid_id == 3 && b[2].bid_id == 1 && b[0].total == 0);
}

int
main(void)
{
    RUN(a_declared_comprehensive_method_is_parsed_and_written_back_canonically);
    RUN(a_method_whose_points_do_not_add_up_or_that_is_malformed_is_refused);
    RUN(procurement_holds_the_price_weight_at_thirty_percent_for_goods_and_ten_for_services);
    RUN(a_score_is_read_exactly_with_no_more_decimals_than_declared_and_within_its_range);
    RUN(the_price_score_and_the_mean_round_half_up_in_integers);
    RUN(the_worked_example_ranks_by_total_then_the_lower_price);
    RUN(the_lowest_price_method_ranks_by_price_alone);
    return CHECK_DONE();
}
