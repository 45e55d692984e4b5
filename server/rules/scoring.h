/*
 * scoring.h — the evaluation methods a tender announcement declares (评标办法), and the pure
 * arithmetic of a result: price scores from the opened prices, the committee's score of each
 * criterion from its members' scores, the ranking and the candidates. Everything is an exact
 * integer — points in hundredths (10000 = 100.00 points), money in fen — so the server and the
 * replay (`ggzy audit replay`, which links this layer) compute the same numbers from the same
 * log. Rounding is half up, the one way docs/evaluation.md §3 states.
 *
 * The declared method (the tender announcement's "evaluation" object, frozen at publication):
 *
 *   {"method": "comprehensive" | "lowest_price",        综合评估法 / 经评审的最低投标价法
 *    "object": "goods" | "services" | "works",           what is procured (the price weight's
 *                                                        minimum under government procurement)
 *    "decimals": 0 | 1 | 2,                              how finely a member may score
 *    "price_points": N,                                  comprehensive: the price's share, in
 *                                                        hundredths of a point
 *    "criteria": [{"code", "name", "max_points"}, …]}    comprehensive: the subjective criteria
 *
 * The points of a comprehensive method add up to 100.00 (price_points + every max_points =
 * 10000).
 */
#ifndef GGZY_SCORING_H
#define GGZY_SCORING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>
#include "statutes.h"

#define SCORING_FULL       10000 /* 100.00 points */
#define SCORING_MAX_CRIT   30
#define SCORING_CODE_MAX   16
#define SCORING_NAME_MAX   100
#define SCORING_CANDIDATES 3 /* at most (实施条例 第五十三条); statute R-EVAL-CANDIDATES */

enum scoring_kind { SCORING_COMPREHENSIVE, SCORING_LOWEST_PRICE };

struct scoring_criterion {
    char code[SCORING_CODE_MAX + 1];
    char name[SCORING_NAME_MAX * 4 + 1]; /* UTF-8 */
    int64_t max_points;                  /* hundredths */
    bool objective; /* an objective factor (客观评审因素): every member should give the same */
};

struct scoring_method {
    enum scoring_kind kind;
    char object[12];
    int decimals;
    int64_t price_points; /* hundredths; 0 for lowest_price */
    size_t ncrit;
    struct scoring_criterion crit[SCORING_MAX_CRIT];
};

/* A refusal of this layer (it sits below HTTP): a rule code and why. */
struct scoring_refusal {
    const char *code; /* NULL: none */
    char why[300];
};

/* Parse and check a declared method for a project of category c. EVAL-METHOD (the shape: an
 * unknown method or object, a criterion's code or name, decimals outside 0–2, points that do
 * not add up to 100.00, criteria for lowest_price) or R-EVAL-PRICE-WEIGHT (under government
 * procurement the price's share is at least 30 % for goods and 10 % for services: 财政部令第87号
 * 第五十五条). */
struct scoring_refusal scoring_rule_method(const cJSON *j, enum category c,
                                           struct scoring_method *m);
/* The method as canonical JSON (what was declared, in a fixed order); caller frees. */
cJSON *scoring_method_json(const struct scoring_method *m);
/* Parse a member's score as written ("37.5", "40", "12.25") into hundredths: digits, at most
 * m->decimals after the point, within 0..max_points. EVAL-SCORE-FORMAT, EVAL-SCORE-RANGE. */
struct scoring_refusal scoring_rule_score(const struct scoring_method *m, const char *text,
                                          int64_t max_points, int64_t *hundredths);
/* x / d rounded half up, for x >= 0, d > 0 (exact: 128-bit intermediate). */
int64_t scoring_div_half_up(__int128 x, int64_t d);
/* The price score of a valid bid: lowest ÷ price × price_points, rounded half up
 * (财政部令第87号 第五十五条: 投标报价得分＝(评标基准价／投标报价)×价格分值). price, lowest > 0. */
int64_t scoring_price_score(int64_t lowest_fen, int64_t price_fen, int64_t price_points);
/* The committee's score of one criterion: the mean of its members' scores, rounded half up. */
int64_t scoring_mean(const int64_t *scores, size_t n);

/* One valid bid as ranked. */
struct scoring_bid {
    int64_t bid_id, org_id, price_fen;
    int64_t subjective; /* the committee's subjective points (sum over criteria) */
    int64_t price_score;
    int64_t total;
    int rank;  /* 1.. */
    bool tied; /* same total and price as the bid ranked just above: a lottery decides */
};
/* Fill price_score and total of each bid, then sort and rank: comprehensive — total high to
 * low, equal totals by the lower price first (87号 第五十五条), then the higher subjective
 * points, then the earlier bid; lowest_price — the lower price first, then the earlier bid. */
void scoring_rank(const struct scoring_method *m, struct scoring_bid *b, size_t n);
/* How many candidates a ranking yields: at most SCORING_CANDIDATES (实施条例 第五十三条). */
size_t scoring_candidates(size_t nvalid);
/* Format hundredths as points: 3725 → "37.25". */
void scoring_format(int64_t hundredths, char out[24]);

#endif
