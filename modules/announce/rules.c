/*
 * rules.c — the statutory checks of publishing, as pure functions over times and amounts
 * (the values and legal sources come from the one statute table). Periods count as the Civil
 * Code counts them: the first day is not counted (statutes.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "announce.h"
#include "calendar.h"

static bool no(struct refusal *why, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Refuse: fill why, return false (the internal checks chain on a bool). */
static bool
no(struct refusal *why, const char *code, const char *fmt, ...)
{
    why->code = code;
    why->conflict = false;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why->why, sizeof why->why, fmt, ap);
    va_end(ap);
    return false;
}

static const char *
source(enum statute_id id, enum category c)
{
    const char *s = statute(id)->source[c];
    return s ? s : "";
}

/* Is the period from a to b at least the statute's value? Days or working days as the table
 * says for the category. */
static bool
period_ok(enum statute_id id, enum category c, int64_t a_us, int64_t b_us, int64_t *have,
          struct refusal *why, const char *what)
{
    int64_t need = statute_value(id, c);
    if (need < 0)
        return true;
    int64_t a = cal_day(a_us), b = cal_day(b_us);
    enum unit u = statute_unit(id, c);
    /* working days in a provisional year count as the statute's reading says: a period that
     * protects a party's right takes the longer reading (calendar.h) */
    *have = u == U_WORKING_DAYS ? cal_working_days(a, b, statute(id)->reading) : b - a;
    if (*have < 0 && u == U_WORKING_DAYS) {
        char da[11], db[11];
        cal_format_day(a, da);
        cal_format_day(b, db);
        return no(why, "R-CALENDAR",
                  "the working-day calendar does not know every year from %s to %s (neither the "
                  "State Council's arrangement nor the statutory holidays): the operator imports "
                  "the arrangement (ggzyd calendar import) or adds the year to "
                  "calendar/statutory.json",
                  da, db);
    }
    if (*have < need)
        return no(why, statute(id)->code, "%s: %lld %s%s, the law requires at least %lld (%s)",
                  what, (long long)*have, unit_name(u),
                  u == U_WORKING_DAYS && cal_range_kind(a, b) == CAL_PROVISIONAL
                      ? " on the provisional calendar (a day near a holiday whose weekend swaps "
                        "are not yet announced counts as a rest day)"
                      : "",
                  (long long)need, source(id, c));
    return true;
}

static bool
check_tender(enum category c, bool legally_required, bool tender, const struct ann_terms *t,
             struct refusal *why)
{
    int64_t have;
    if (t->docs_from_us < t->now_us - 60000000LL || t->docs_until_us < t->docs_from_us ||
        t->bid_deadline_us < t->docs_from_us)
        return no(why, "ANN-ORDER",
                  "the documents must be available from publication on, and the dates "
                  "must run: docs_from <= docs_until, docs_from <= bid_deadline");
    if (!period_ok(S_DOC_SALE, c, t->docs_from_us, t->docs_until_us, &have, why,
                   "the tender documents are available for"))
        return false;
    if (legally_required && tender &&
        !period_ok(S_BID_PERIOD, c, t->docs_from_us, t->bid_deadline_us, &have, why,
                   "from the first day of the documents to the bid deadline"))
        return false;
    if (statute_value(S_OPENING, c) >= 0 && t->opening_us != t->bid_deadline_us)
        return no(why, statute(S_OPENING)->code,
                  "bids are opened at the bid deadline, at the same time (%s)",
                  source(S_OPENING, c));
    return true;
}

static bool
check_amendment(enum category c, bool legally_required, bool tender,
                const struct ann_amend_terms *t, bool *affects, struct refusal *why)
{
    int64_t have;
    bool moves_deadline = t->new_deadline_us && t->new_deadline_us != t->deadline_us;
    bool moves_opening = t->new_opening_us && t->new_opening_us != t->opening_us;
    bool dates = moves_deadline || moves_opening || t->place_changed;
    /* the server decides from the content: a change of the deadline, of the opening's time or
     * place, of the tender documents or of the evaluation method affects the bids; the client's
     * flag can only add */
    *affects = t->flag || dates || t->docs_changed || t->method_changed;
    if (t->opening_started) {
        no(why, "ANN-OPENING-STARTED",
           "the opening of this project's bids has started: nothing about its bids can be "
           "amended any more");
        why->conflict = true;
        return false;
    }
    if (t->now_us > t->deadline_us && (dates || *affects))
        return no(why, "ANN-DEADLINE-PASSED",
                  "the bid deadline in force has passed: after it, nothing moves the deadline "
                  "or the opening, and nothing that affects the bids can be amended");
    if (t->new_deadline_us && t->new_deadline_us < t->deadline_us)
        return no(why, "ANN-DEADLINE-EARLIER",
                  "a bid deadline only moves later: the new one is %lld µs before the one in "
                  "force",
                  (long long)(t->deadline_us - t->new_deadline_us));
    int64_t deadline = moves_deadline ? t->new_deadline_us : t->deadline_us;
    int64_t opening = t->new_opening_us ? t->new_opening_us : t->opening_us;
    if (statute_value(S_OPENING, c) >= 0 && opening != deadline)
        return no(why, statute(S_OPENING)->code,
                  "bids are opened at the bid deadline, at the same time (%s)",
                  source(S_OPENING, c));
    if (*affects && !period_ok(S_AMEND_NOTICE, c, t->now_us, deadline, &have, why,
                               "this change affects the bids but comes before the deadline by")) {
        char first[sizeof why->why]; /* no() writes into why->why: copy it first */
        snprintf(first, sizeof first, "%s", why->why);
        return no(why, why->code,
                  "%s; move the bid deadline (to %lld days after publication at the "
                  "earliest) in this amendment",
                  first, (long long)statute_value(S_AMEND_NOTICE, c));
    }
    if (moves_deadline && legally_required && tender &&
        !period_ok(S_BID_PERIOD, c, t->docs_first_us, deadline, &have, why,
                   "from the first day of the documents to the new bid deadline"))
        return false;
    /* a documents' period the amendment states is published, and signed, as the statute must
     * read it: whatever it changes in force, it keeps every period (R-DOC-SALE, R-BID-PERIOD) */
    if (t->docs_from_us || t->docs_until_us) {
        int64_t from = t->docs_from_us ? t->docs_from_us : t->docs_first_us;
        if ((t->docs_until_us && t->docs_until_us < from) || from > deadline)
            return no(why, "ANN-ORDER",
                      "the documents' period this amendment states must run: docs_from <= "
                      "docs_until, docs_from <= the bid deadline");
        if (t->docs_until_us && !period_ok(S_DOC_SALE, c, from, t->docs_until_us, &have, why,
                                           "the tender documents this amendment states are "
                                           "available for"))
            return false;
        if (legally_required && tender &&
            !period_ok(S_BID_PERIOD, c, from, deadline, &have, why,
                       "from the first day of the documents this amendment states to the bid "
                       "deadline"))
            return false;
    }
    return true;
}

static bool
check_publicity(enum category c, const struct ann_terms *t, struct refusal *why)
{
    int64_t have;
    if (t->publicity_until_us < t->publicity_from_us ||
        t->publicity_from_us < t->now_us - 60000000LL)
        return no(why, "ANN-ORDER", "the publicity must start at publication and end after");
    return period_ok(S_PUBLICITY, c, t->publicity_from_us, t->publicity_until_us, &have, why,
                     "the publicity lasts");
}

static bool
check_deposit(enum category c, int64_t deposit_fen, int64_t estimate_fen, struct refusal *why)
{
    int64_t permille = statute_value(S_DEPOSIT_CAP, c);
    if (permille < 0)
        return true;
    /* deposit / estimate <= permille / 1000, in integers (no floating point for money) */
    if (deposit_fen < 0 || (__int128)deposit_fen * 1000 > (__int128)estimate_fen * permille)
        return no(why, statute(S_DEPOSIT_CAP)->code,
                  "a deposit of %lld fen is more than %lld‰ of the lot's estimate of %lld fen "
                  "(%s)",
                  (long long)deposit_fen, (long long)permille, (long long)estimate_fen,
                  source(S_DEPOSIT_CAP, c));
    return true;
}

static const struct {
    const char *type;
    const char *const needs[6];
    const char *after;
} flow[] = {
    {"tender", {"accepted", NULL}, "bidding"}, /* bidding begins with the publication */
    {"amendment", {"bidding", NULL}, NULL},
    {"candidates", {"evaluating", NULL}, "candidates_published"},
    {"award", {"candidates_published", NULL}, "awarded"},
    {"failed", {"opened", "evaluating", NULL}, "failed"},
    {"termination",
     {"accepted", "bidding", "opened", "evaluating", "candidates_published", NULL},
     "terminated"},
};

struct refusal
announce_rule_capability(const char *type, bool provided)
{
    struct refusal f = {0};
    /* candidates and the award come from an evaluation, which only the evaluation capability
     * makes (announce_set_results) */
    if (type && (!strcmp(type, "candidates") || !strcmp(type, "award")) && !provided) {
        no(&f, "ANN-NO-EVALUATION",
           "a %s announcement publishes the result of an evaluation, which no evaluation on this "
           "platform has produced yet",
           type);
        f.conflict = true;
    }
    return f;
}

bool
announce_rule_state_ok(const char *type, const char *state)
{
    for (size_t i = 0; i < sizeof flow / sizeof flow[0]; i++)
        if (!strcmp(flow[i].type, type))
            for (int k = 0; k < 6 && flow[i].needs[k]; k++)
                if (!strcmp(flow[i].needs[k], state))
                    return true;
    return false;
}

const char *
announce_rule_state_after(const char *type)
{
    for (size_t i = 0; i < sizeof flow / sizeof flow[0]; i++)
        if (!strcmp(flow[i].type, type))
            return flow[i].after;
    return NULL;
}

/* ---- the rules, each returning one refusal (code NULL: allowed) ---- */

struct refusal
announce_rule_tender(enum category c, bool legally_required, bool tender, const struct ann_terms *t)
{
    struct refusal f = {0};
    check_tender(c, legally_required, tender, t, &f);
    return f;
}

struct refusal
announce_rule_amendment(enum category c, bool legally_required, bool tender,
                        const struct ann_amend_terms *t, bool *affects)
{
    struct refusal f = {0};
    check_amendment(c, legally_required, tender, t, affects, &f);
    return f;
}

struct refusal
announce_rule_publicity(enum category c, const struct ann_terms *t)
{
    struct refusal f = {0};
    check_publicity(c, t, &f);
    return f;
}

struct refusal
announce_rule_deposit(enum category c, int64_t deposit_fen, int64_t estimate_fen)
{
    struct refusal f = {0};
    check_deposit(c, deposit_fen, estimate_fen, &f);
    return f;
}
