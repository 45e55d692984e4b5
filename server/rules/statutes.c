/*
 * statutes.c — see statutes.h. Sources: 中华人民共和国招标投标法 (招标投标法), 招标投标法实施
 * 条例 (实施条例), 中华人民共和国政府采购法 (政府采购法), 政府采购法实施条例, and the Ministry of
 * Finance's 政府采购货物和服务招标投标管理办法 (财政部令第87号).
 */
#include "statutes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static const char *const categories[] = {"engineering", "procurement", "land_mineral",
                                         "state_property"};

#define NA                                                                                         \
    {                                                                                              \
        NULL, NULL, NULL, NULL                                                                     \
    }

static struct statute table[S__COUNT] = {
    [S_BID_PERIOD] =
        {"R-BID-PERIOD",
         "For tenders that must by law be tendered, at least N days from the first day "
         "the tender documents are available to the bid deadline",
         {"招标投标法 第二十四条", "政府采购法 第三十五条", NULL, NULL},
         {U_DAYS, U_DAYS, U_NONE, U_NONE},
         {20, 20, -1, -1}},
    [S_DOC_SALE] = {"R-DOC-SALE",
                    "Tender documents are available (on sale) for at least N",
                    {"实施条例 第十六条", "财政部令第87号（政府采购货物和服务招标投标管理办法）",
                     NULL, NULL},
                    {U_DAYS, U_WORKING_DAYS, U_NONE, U_NONE},
                    {5, 5, -1, -1}},
    [S_OPENING] = {"R-OPENING-AT-DEADLINE",
                   "Bids are opened at the bid deadline, at the same time",
                   {"招标投标法 第三十四条", "政府采购法实施条例 第四十条", NULL, NULL},
                   {U_NONE, U_NONE, U_NONE, U_NONE},
                   {0, 0, -1, -1}},
    [S_AMEND_NOTICE] = {"R-AMEND-NOTICE",
                        "A clarification or amendment that can affect the preparation of bids is "
                        "published at least N days before the bid deadline, or the deadline moves",
                        {"实施条例 第二十一条", "政府采购法实施条例 第三十一条", NULL, NULL},
                        {U_DAYS, U_DAYS, U_NONE, U_NONE},
                        {15, 15, -1, -1}},
    [S_PUBLICITY] = {"R-PUBLICITY",
                     "The publicity of the winning candidates (the result) lasts at least N",
                     {"实施条例 第五十四条", "政府采购法实施条例 第四十三条", NULL, NULL},
                     {U_DAYS, U_WORKING_DAYS, U_NONE, U_NONE},
                     {3, 1, -1, -1}},
    [S_DEPOSIT_CAP] = {"R-DEPOSIT-CAP",
                       "A bid deposit is at most N per mille of the lot's estimate (budget)",
                       {"实施条例 第二十六条", "政府采购法实施条例 第三十三条", NULL, NULL},
                       {U_PERMILLE, U_PERMILLE, U_NONE, U_NONE},
                       {20, 20, -1, -1}},
    [S_MIN_BIDS] = {"R-MIN-BIDS",
                    "With fewer than N bids the bids are not opened: the lot fails and is "
                    "tendered again",
                    {"招标投标法 第二十八条", "政府采购法 第三十六条", NULL, NULL},
                    {U_NONE, U_NONE, U_NONE, U_NONE},
                    {3, 3, -1, -1}},
    /* The expert library is one for the center, and admission to it follows the tendering law
     * (the engineering column): an expert it admits also meets government procurement's own
     * conditions for review experts, which are no stricter on title and years. */
    [S_EXPERT_YEARS] = {"R-EXPERT-YEARS",
                        "An evaluation expert has worked in the field for at least N years",
                        {"招标投标法 第三十七条", NULL, NULL, NULL},
                        {U_YEARS, U_NONE, U_NONE, U_NONE},
                        {8, -1, -1, -1}},
    [S_EXPERT_TITLE] = {"R-EXPERT-TITLE",
                        "An evaluation expert holds a senior professional title or an equivalent "
                        "professional level (1: required)",
                        {"招标投标法 第三十七条", NULL, NULL, NULL},
                        {U_NONE, U_NONE, U_NONE, U_NONE},
                        {1, -1, -1, -1}},
    [S_EXPERT_AGE] =
        {"R-EXPERT-AGE",
         "An evaluation expert is at most N years old when admitted (the operator sets "
         "N from the rules in force)",
         {"国家发展改革委令第26号（评标专家和评标专家库管理办法）", NULL, NULL, NULL},
         {U_YEARS, U_NONE, U_NONE, U_NONE},
         {70, -1, -1, -1}},
    [S_EXPERT_E_EVAL] = {"R-EXPERT-E-EVAL",
                         "An evaluation expert can evaluate electronically (1: required)",
                         {"国家发展改革委令第26号（评标专家和评标专家库管理办法）", NULL, NULL,
                          NULL},
                         {U_NONE, U_NONE, U_NONE, U_NONE},
                         {1, -1, -1, -1}},
    [S_COMMITTEE_SIZE] = {"R-COMMITTEE-SIZE",
                          "An evaluation committee has an odd number of members, at least N",
                          {"招标投标法 第三十七条", "财政部令第87号 第四十七条", NULL, NULL},
                          {U_MEMBERS, U_MEMBERS, U_NONE, U_NONE},
                          {5, 5, -1, -1}},
    [S_COMMITTEE_LARGE_BUDGET] = {"R-COMMITTEE-LARGE-BUDGET",
                                  "From a budget of N on, the larger minimum committee applies",
                                  {NULL, "财政部令第87号 第四十七条", NULL, NULL},
                                  {U_NONE, U_FEN, U_NONE, U_NONE},
                                  {-1, 1000000000, -1, -1}},
    [S_COMMITTEE_LARGE] = {"R-COMMITTEE-LARGE",
                           "A committee for a budget at or above R-COMMITTEE-LARGE-BUDGET has at "
                           "least N members",
                           {NULL, "财政部令第87号 第四十七条", NULL, NULL},
                           {U_NONE, U_MEMBERS, U_NONE, U_NONE},
                           {-1, 7, -1, -1}},
    [S_COMMITTEE_EXPERTS] = {"R-COMMITTEE-EXPERTS",
                             "Experts from the library are at least two thirds of the committee "
                             "(N per mille, exact for committees below 500)",
                             {"招标投标法 第三十七条", "财政部令第87号 第四十七条", NULL, NULL},
                             {U_PERMILLE, U_PERMILLE, U_NONE, U_NONE},
                             {666, 666, -1, -1}},
    /* Deposits (docs/deposits.md). */
    [S_DEPOSIT_BASIC] = {"R-DEPOSIT-BASIC",
                         "A deposit paid in money counts only when it comes from the bidder's "
                         "registered basic account (1: required); from any other account it is "
                         "held and returned",
                         {"实施条例 第二十六条", NULL, NULL, NULL},
                         {U_NONE, U_NONE, U_NONE, U_NONE},
                         {1, -1, -1, -1}},
    [S_DEPOSIT_CASH] = {"R-DEPOSIT-CASH",
                        "Deposits are made in non-cash form only (cheque, draft, promissory note, "
                        "transfer, guarantee; 1: required); cash is held and returned",
                        {NULL, "政府采购法实施条例 第三十三条", NULL, NULL},
                        {U_NONE, U_NONE, U_NONE, U_NONE},
                        {-1, 1, -1, -1}},
    [S_REFUND_WITHDRAWAL] = {"R-REFUND-WITHDRAWAL",
                             "A bid withdrawn before the deadline (and a deposit paid without a "
                             "bid, from the deadline) is refunded within N",
                             {"实施条例 第三十五条", "财政部令第87号 第三十八条", NULL, NULL},
                             {U_DAYS, U_WORKING_DAYS, U_NONE, U_NONE},
                             {5, 5, -1, -1},
                             CAL_DUTY},
    [S_REFUND_AWARD] = {"R-REFUND-AWARD",
                        "Losing bidders' deposits are refunded within N after the award notice",
                        {NULL, "财政部令第87号 第三十八条", NULL, NULL},
                        {U_NONE, U_WORKING_DAYS, U_NONE, U_NONE},
                        {-1, 5, -1, -1},
                        CAL_DUTY},
    [S_REFUND_CONTRACT] = {"R-REFUND-CONTRACT",
                           "Deposits are refunded within N after the contract is signed (the "
                           "tendering law: every bidder's, with bank-deposit interest; "
                           "procurement: the winner's)",
                           {"实施条例 第五十七条", "财政部令第87号 第三十八条", NULL, NULL},
                           {U_DAYS, U_WORKING_DAYS, U_NONE, U_NONE},
                           {5, 5, -1, -1},
                           CAL_DUTY},
    [S_REFUND_TERMINATION] = {"R-REFUND-TERMINATION",
                              "When the tender is terminated or fails, deposits are refunded "
                              "with their interest within N (the tendering law says 及时, "
                              "promptly: N is the operator's reading of it)",
                              {"实施条例 第三十一条", "财政部令第87号 第二十九条", NULL, NULL},
                              {U_DAYS, U_WORKING_DAYS, U_NONE, U_NONE},
                              {5, 5, -1, -1},
                              CAL_DUTY},
    [S_REFUND_LATE_FEE] = {"R-REFUND-LATE-FEE",
                           "A refund made late adds a fee for the days overdue at N per mille of "
                           "the central bank's benchmark lending rate (the rate + 20 %)",
                           {NULL, "财政部令第87号 第三十八条", NULL, NULL},
                           {U_NONE, U_PERMILLE, U_NONE, U_NONE},
                           {-1, 1200, -1, -1}},
    /* Evaluation (docs/evaluation.md). */
    [S_EVAL_CANDIDATES] = {"R-EVAL-CANDIDATES",
                           "The committee recommends at most N candidates, ranked",
                           {"实施条例 第五十三条", "财政部令第87号 第五十五条、第五十六条", NULL,
                            NULL},
                           {U_NONE, U_NONE, U_NONE, U_NONE},
                           {3, 3, -1, -1}},
    [S_EVAL_PRICE_GOODS] = {"R-EVAL-PRICE-WEIGHT",
                            "Comprehensive evaluation of goods: the price is worth at least N of "
                            "the points",
                            {NULL, "财政部令第87号 第五十五条", NULL, NULL},
                            {U_NONE, U_PERMILLE, U_NONE, U_NONE},
                            {-1, 300, -1, -1}},
    [S_EVAL_PRICE_SERVICES] = {"R-EVAL-PRICE-WEIGHT-SERVICES",
                               "Comprehensive evaluation of services: the price is worth at least "
                               "N of the points",
                               {NULL, "财政部令第87号 第五十五条", NULL, NULL},
                               {U_NONE, U_PERMILLE, U_NONE, U_NONE},
                               {-1, 100, -1, -1}},
    [S_EVAL_PUBLISH_DUE] = {"R-EVAL-PUBLISH-DUE",
                            "The candidates (tendering) or the result (procurement) are published "
                            "within N of receiving the evaluation report",
                            {"实施条例 第五十四条", "财政部令第87号 第六十九条", NULL, NULL},
                            {U_DAYS, U_WORKING_DAYS, U_NONE, U_NONE},
                            {3, 2, -1, -1},
                            CAL_DUTY},
    [S_CONTRACT_DUE] = {"R-CONTRACT-DUE",
                        "The contract is signed within N of the award notice",
                        {"招标投标法 第四十六条", "政府采购法 第四十六条", NULL, NULL},
                        {U_DAYS, U_DAYS, U_NONE, U_NONE},
                        {30, 30, -1, -1},
                        CAL_DUTY},
    [S_RESULT_REPORT_DUE] = {"R-RESULT-REPORT-DUE",
                             "The tenderer reports the result in writing to the supervising "
                             "department within N of determining the winner",
                             {"招标投标法 第四十七条", NULL, NULL, NULL},
                             {U_DAYS, U_NONE, U_NONE, U_NONE},
                             {15, -1, -1, -1},
                             CAL_DUTY},
    [S_EVAL_VALIDITY_MARGIN] = {"R-EVAL-VALIDITY-MARGIN",
                                "The evaluation and the award are completed N before the bid "
                                "validity period ends; otherwise the bidders are asked to extend "
                                "it",
                                {"评标委员会和评标方法暂行规定 第四十条", NULL, NULL, NULL},
                                {U_WORKING_DAYS, U_NONE, U_NONE, U_NONE},
                                {30, -1, -1, -1},
                                CAL_DUTY},
    [S_OBJECTION_WINDOW] = {"R-OBJECTION-WINDOW",
                            "An objection to the evaluation result is made during the candidates' "
                            "publicity (tendering: N = 0 after its end), or within N after the "
                            "result's announcement period ends (procurement, 质疑)",
                            {"实施条例 第五十四条",
                             "政府采购法 第五十二条、政府采购法实施条例 第五十三条", NULL, NULL},
                            {U_DAYS, U_WORKING_DAYS, U_NONE, U_NONE},
                            {0, 7, -1, -1}},
    [S_OBJECTION_ANSWER_DUE] = {"R-OBJECTION-ANSWER-DUE",
                                "An objection to the evaluation result is answered within N of "
                                "receiving it; the lot's award and contract wait meanwhile",
                                {"实施条例 第五十四条", "政府采购法 第五十三条", NULL, NULL},
                                {U_DAYS, U_WORKING_DAYS, U_NONE, U_NONE},
                                {3, 7, -1, -1},
                                CAL_DUTY},
};

const char *
category_name(enum category c)
{
    return c < CAT__COUNT ? categories[c] : "unknown";
}

int
category_from_name(const char *name)
{
    for (int i = 0; name && i < CAT__COUNT; i++)
        if (!strcmp(categories[i], name))
            return i;
    return -1;
}

const struct statute *
statute(enum statute_id id)
{
    return id < S__COUNT ? &table[id] : NULL;
}

int64_t
statute_value(enum statute_id id, enum category c)
{
    return id < S__COUNT && c < CAT__COUNT ? table[id].value[c] : -1;
}

enum unit
statute_unit(enum statute_id id, enum category c)
{
    return id < S__COUNT && c < CAT__COUNT ? table[id].unit[c] : U_NONE;
}

const char *
unit_name(enum unit u)
{
    static const char *const n[] = {"",      "days", "working days", "per mille",
                                    "years", "fen",  "members"};
    return u <= U_MEMBERS ? n[u] : "";
}

bool
statutes_load_overrides(const char *path, char *err, size_t errlen)
{
    if (!path || !*path)
        return true;
    size_t len;
    char *text = read_file(path, 1 << 20, &len);
    if (!text) {
        snprintf(err, errlen, "cannot read rules.overrides %s", path);
        return false;
    }
    bool ok = true;
    int lineno = 0;
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line && ok; line = strtok_r(NULL, "\n", &save)) {
        lineno++;
        char code[64], cat[64];
        long long v;
        while (*line == ' ' || *line == '\t')
            line++;
        if (!*line || *line == '#')
            continue;
        if (sscanf(line, "%63[A-Z-].%63[a-z_] = %lld", code, cat, &v) != 3) {
            snprintf(err, errlen, "%s line %d: expected CODE.category = number", path, lineno);
            ok = false;
            break;
        }
        int c = category_from_name(cat), id = -1;
        for (int i = 0; i < S__COUNT; i++)
            if (!strcmp(table[i].code, code))
                id = i;
        if (c < 0 || id < 0 || v < 0 || table[id].value[c] < 0 ||
            (table[id].unit[c] != U_FEN && v > 100000)) {
            snprintf(err, errlen, "%s line %d: no rule %s for category %s (or a bad value)", path,
                     lineno, code, cat);
            ok = false;
            break;
        }
        table[id].value[c] = v;
    }
    free(text);
    return ok;
}
