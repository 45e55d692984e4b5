/*
 * scoring.c — see scoring.h. Pure integer arithmetic on the declared method; no floating point
 * reaches a stored, signed or compared value.
 */
#include "scoring.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct scoring_refusal
no(const char *code, const char *fmt, ...)
{
    struct scoring_refusal f = {.code = code};
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(f.why, sizeof f.why, fmt, ap);
    va_end(ap);
    return f;
}

/* An integer member of j within lo..hi (a JSON number that is an exact integer). */
static bool
int_member(const cJSON *j, const char *name, int64_t lo, int64_t hi, int64_t *v)
{
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(j, name);
    if (!cJSON_IsNumber(x) || x->valuedouble < (double)lo || x->valuedouble > (double)hi)
        return false;
    *v = (int64_t)x->valuedouble;
    return (double)*v == x->valuedouble;
}

static bool
code_ok(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n < 1 || n > SCORING_CODE_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
              ch == '-' || ch == '_'))
            return false;
    }
    return true;
}

struct scoring_refusal
scoring_rule_method(const cJSON *j, enum category c, struct scoring_method *m)
{
    memset(m, 0, sizeof *m);
    if (!cJSON_IsObject(j))
        return no("EVAL-METHOD", "the evaluation method is an object");
    static const char *const known[] = {"method",       "object",   "decimals",
                                        "price_points", "criteria", NULL};
    for (const cJSON *x = j->child; x; x = x->next) {
        size_t k = 0;
        while (known[k] && strcmp(known[k], x->string))
            k++;
        if (!known[k])
            return no("EVAL-METHOD", "the evaluation method has no member \"%s\"", x->string);
    }
    const char *method = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "method"));
    const char *object = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "object"));
    if (!method || (strcmp(method, "comprehensive") && strcmp(method, "lowest_price")))
        return no("EVAL-METHOD", "method is \"comprehensive\" (综合评估法) or \"lowest_price\" "
                                 "(经评审的最低投标价法)");
    m->kind = strcmp(method, "comprehensive") ? SCORING_LOWEST_PRICE : SCORING_COMPREHENSIVE;
    if (!object ||
        (strcmp(object, "goods") && strcmp(object, "services") && strcmp(object, "works")))
        return no("EVAL-METHOD", "object is \"goods\", \"services\" or \"works\"");
    snprintf(m->object, sizeof m->object, "%s", object);
    int64_t v = 2;
    if (cJSON_GetObjectItemCaseSensitive(j, "decimals") && !int_member(j, "decimals", 0, 2, &v))
        return no("EVAL-METHOD", "decimals is 0, 1 or 2: how finely a member may score");
    m->decimals = (int)v;
    const cJSON *crit = cJSON_GetObjectItemCaseSensitive(j, "criteria");
    if (m->kind == SCORING_LOWEST_PRICE) {
        if (cJSON_GetObjectItemCaseSensitive(j, "price_points") || cJSON_GetArraySize(crit) > 0)
            return no("EVAL-METHOD", "the lowest evaluated price method ranks by price alone: it "
                                     "declares no points and no criteria");
        return (struct scoring_refusal){0};
    }
    if (!int_member(j, "price_points", 1, SCORING_FULL, &m->price_points))
        return no("EVAL-METHOD", "price_points is the price's share in hundredths of a point, "
                                 "1 to 10000");
    if (!cJSON_IsArray(crit) || cJSON_GetArraySize(crit) > SCORING_MAX_CRIT)
        return no("EVAL-METHOD", "criteria is an array of at most %d criteria", SCORING_MAX_CRIT);
    int64_t sum = m->price_points;
    const cJSON *x;
    cJSON_ArrayForEach(x, crit)
    {
        struct scoring_criterion *k = &m->crit[m->ncrit];
        const char *code = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(x, "code"));
        const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(x, "name"));
        if (!code_ok(code))
            return no("EVAL-METHOD", "criterion %zu: code is 1 to %d letters, digits, - or _",
                      m->ncrit + 1, SCORING_CODE_MAX);
        if (!name || !*name || strlen(name) >= sizeof k->name)
            return no("EVAL-METHOD", "criterion %s: name is 1 to %d characters", code,
                      SCORING_NAME_MAX);
        if (!int_member(x, "max_points", 1, SCORING_FULL, &k->max_points))
            return no("EVAL-METHOD", "criterion %s: max_points is in hundredths, 1 to 10000", code);
        const cJSON *obj = cJSON_GetObjectItemCaseSensitive(x, "objective");
        if (obj && !cJSON_IsBool(obj))
            return no("EVAL-METHOD", "criterion %s: objective is true or false", code);
        if (cJSON_GetArraySize(x) != 3 + (obj != NULL))
            return no("EVAL-METHOD", "criterion %s: only code, name, max_points and objective",
                      code);
        k->objective = cJSON_IsTrue(obj);
        for (size_t i = 0; i < m->ncrit; i++)
            if (!strcmp(m->crit[i].code, code))
                return no("EVAL-METHOD", "criterion %s is declared twice", code);
        if (m->decimals < 2 && k->max_points % (m->decimals ? 10 : 100))
            return no("EVAL-METHOD",
                      "criterion %s: max_points is not a multiple of the "
                      "declared decimals",
                      code);
        snprintf(k->code, sizeof k->code, "%s", code);
        snprintf(k->name, sizeof k->name, "%s", name);
        sum += k->max_points;
        m->ncrit++;
    }
    if (sum != SCORING_FULL)
        return no("EVAL-METHOD",
                  "the price's and the criteria's points add up to %lld.%02lld, "
                  "not 100.00",
                  (long long)(sum / 100), (long long)(sum % 100));
    /* Government procurement: the price's minimum share (财政部令第87号 第五十五条). */
    enum statute_id sid = !strcmp(m->object, "goods")      ? S_EVAL_PRICE_GOODS
                          : !strcmp(m->object, "services") ? S_EVAL_PRICE_SERVICES
                                                           : S__COUNT;
    if (sid != S__COUNT) {
        int64_t min = statute_value(sid, c); /* per mille; -1: not this category */
        if (min >= 0 && m->price_points * 1000 < min * SCORING_FULL)
            return no(statute(sid)->code,
                      "the price is worth %lld.%02lld of 100 points; for %s it is at least "
                      "%lld%% (%s)",
                      (long long)(m->price_points / 100), (long long)(m->price_points % 100),
                      m->object, (long long)(min / 10), statute(sid)->source[c]);
    }
    return (struct scoring_refusal){0};
}

cJSON *
scoring_method_json(const struct scoring_method *m)
{
    cJSON *o = cJSON_CreateObject();
    if (m->kind == SCORING_COMPREHENSIVE) {
        cJSON *a = cJSON_AddArrayToObject(o, "criteria");
        for (size_t i = 0; i < m->ncrit; i++) {
            cJSON *k = cJSON_CreateObject();
            cJSON_AddStringToObject(k, "code", m->crit[i].code);
            cJSON_AddNumberToObject(k, "max_points", (double)m->crit[i].max_points);
            cJSON_AddStringToObject(k, "name", m->crit[i].name);
            if (m->crit[i].objective)
                cJSON_AddBoolToObject(k, "objective", true);
            cJSON_AddItemToArray(a, k);
        }
    }
    cJSON_AddNumberToObject(o, "decimals", m->decimals);
    cJSON_AddStringToObject(o, "method",
                            m->kind == SCORING_COMPREHENSIVE ? "comprehensive" : "lowest_price");
    cJSON_AddStringToObject(o, "object", m->object);
    if (m->kind == SCORING_COMPREHENSIVE)
        cJSON_AddNumberToObject(o, "price_points", (double)m->price_points);
    return o;
}

struct scoring_refusal
scoring_rule_score(const struct scoring_method *m, const char *text, int64_t max_points,
                   int64_t *hundredths)
{
    const char *p = text;
    int64_t whole = 0, frac = 0;
    int nwhole = 0, nfrac = -1;
    if (!p || !*p)
        return no("EVAL-SCORE-FORMAT", "a score is written as digits, e.g. \"37.5\"");
    for (; *p >= '0' && *p <= '9'; p++, nwhole++)
        if (nwhole < 6)
            whole = whole * 10 + (*p - '0');
    if (*p == '.') {
        nfrac = 0;
        for (p++; *p >= '0' && *p <= '9'; p++, nfrac++)
            if (nfrac < 2)
                frac = frac * 10 + (*p - '0');
    }
    if (*p || nwhole < 1 || nwhole > 6 || nfrac == 0)
        return no("EVAL-SCORE-FORMAT", "\"%.40s\" is not a score written as digits, e.g. \"37.5\"",
                  text);
    if (nfrac > m->decimals)
        return no("EVAL-SCORE-FORMAT",
                  "\"%.40s\" has %d decimals; this method scores with at "
                  "most %d",
                  text, nfrac, m->decimals);
    if (nfrac == 1)
        frac *= 10;
    int64_t v = whole * 100 + (nfrac > 0 ? frac : 0);
    if (v > max_points)
        return no("EVAL-SCORE-RANGE", "%.40s is above this criterion's %lld.%02lld points", text,
                  (long long)(max_points / 100), (long long)(max_points % 100));
    *hundredths = v;
    return (struct scoring_refusal){0};
}

int64_t
scoring_div_half_up(__int128 x, int64_t d)
{
    return (int64_t)((2 * x + d) / (2 * (__int128)d));
}

int64_t
scoring_price_score(int64_t lowest_fen, int64_t price_fen, int64_t price_points)
{
    if (price_fen <= 0 || lowest_fen <= 0)
        return 0;
    return scoring_div_half_up((__int128)lowest_fen * price_points, price_fen);
}

int64_t
scoring_mean(const int64_t *scores, size_t n)
{
    __int128 s = 0;
    for (size_t i = 0; i < n; i++)
        s += scores[i];
    return n ? scoring_div_half_up(s, (int64_t)n) : 0;
}

static int
cmp_bid(enum scoring_kind sort_kind, const struct scoring_bid *a, const struct scoring_bid *b)
{
    if (sort_kind == SCORING_COMPREHENSIVE && a->total != b->total)
        return a->total > b->total ? -1 : 1;
    if (a->price_fen != b->price_fen)
        return a->price_fen < b->price_fen ? -1 : 1;
    if (sort_kind == SCORING_COMPREHENSIVE && a->subjective != b->subjective)
        return a->subjective > b->subjective ? -1 : 1;
    return a->bid_id < b->bid_id ? -1 : a->bid_id > b->bid_id;
}

void
scoring_rank(const struct scoring_method *m, struct scoring_bid *b, size_t n)
{
    int64_t lowest = 0;
    for (size_t i = 0; i < n; i++)
        if (b[i].price_fen > 0 && (!lowest || b[i].price_fen < lowest))
            lowest = b[i].price_fen;
    for (size_t i = 0; i < n; i++) {
        b[i].price_score = m->kind == SCORING_COMPREHENSIVE
                               ? scoring_price_score(lowest, b[i].price_fen, m->price_points)
                               : 0;
        b[i].total = m->kind == SCORING_COMPREHENSIVE ? b[i].price_score + b[i].subjective : 0;
    }
    /* insertion sort: a lot has tens of bids, and the comparison needs the method (qsort's
     * comparator has no context, and a static one would race between request threads) */
    for (size_t i = 1; i < n; i++) {
        struct scoring_bid t = b[i];
        size_t k = i;
        for (; k > 0 && cmp_bid(m->kind, &t, &b[k - 1]) < 0; k--)
            b[k] = b[k - 1];
        b[k] = t;
    }
    for (size_t i = 0; i < n; i++) {
        b[i].rank = (int)i + 1;
        b[i].tied = i > 0 && b[i].price_fen == b[i - 1].price_fen &&
                    (m->kind == SCORING_LOWEST_PRICE ||
                     (b[i].total == b[i - 1].total && b[i].subjective == b[i - 1].subjective));
    }
}

size_t
scoring_candidates(size_t nvalid)
{
    return nvalid < SCORING_CANDIDATES ? nvalid : SCORING_CANDIDATES;
}

void
scoring_format(int64_t h, char out[24])
{
    snprintf(out, 24, "%s%lld.%02lld", h < 0 ? "-" : "", (long long)(h < 0 ? -h : h) / 100,
             (long long)(h < 0 ? -h : h) % 100);
}
