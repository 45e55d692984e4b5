/*
 * rules.c — the experts module's rules, pure functions over facts (unit-tested without a
 * database): admission against the rule table (statutes.h), a committee's size and make-up,
 * the request window, where an expert may be drawn, why one is not in a pool.
 */
#include <stdio.h>
#include <string.h>

#include "experts.h"
#include "http.h"

const char *const experts_titles[] = {"senior", "deputy_senior", "intermediate",
                                      "junior", "none",          NULL};
const char *const experts_sharing[] = {"region", "province", "national", NULL};
const char *const experts_relation_kinds[] = {"relative",    "former_employer", "director",
                                              "shareholder", "legal_rep_kin",   NULL};
const char *const experts_states[] = {"applied", "active", "suspended", "removed", NULL};
const char *const experts_exclusion_reasons[] = {
    "removed", "suspended", "region", "employed", "related", "served", "on_leave", "busy", NULL};

static bool
in_list(const char *const *list, const char *s)
{
    for (; s && *list; list++)
        if (!strcmp(*list, s))
            return true;
    return false;
}

struct refusal
experts_rule_profile(const char *title, int field_since, int birth_year, const char *sharing,
                     int now_year)
{
    struct refusal f = {0};
    if (!in_list(experts_titles, title))
        refuse(&f, "EXP-PROFILE",
               "title must be one of senior, deputy_senior, intermediate, "
               "junior, none");
    else if (!in_list(experts_sharing, sharing))
        refuse(&f, "EXP-PROFILE", "sharing must be region, province or national");
    else if (birth_year < 1900 || birth_year > now_year)
        refuse(&f, "EXP-PROFILE", "birth_year %d is not a year of birth", birth_year);
    else if (field_since < birth_year || field_since > now_year)
        refuse(&f, "EXP-PROFILE", "field_since %d must lie between the year of birth and this year",
               field_since);
    return f;
}

struct refusal
experts_rule_admission(const struct expert_facts *x)
{
    struct refusal f = {0};
    /* the library is one; its admission follows the tendering law (docs/experts.md §1) */
    enum category c = CAT_ENGINEERING;
    const struct statute *s;
    int64_t years = statute_value(S_EXPERT_YEARS, c), age = statute_value(S_EXPERT_AGE, c);
    if (x->now_year - x->field_since < years) {
        s = statute(S_EXPERT_YEARS);
        refuse(&f, s->code, "%d years in the field; at least %lld are required (%s)",
               x->now_year - x->field_since, (long long)years, s->source[c]);
    } else if (statute_value(S_EXPERT_TITLE, c) > 0 && strcmp(x->title, "senior")) {
        s = statute(S_EXPERT_TITLE);
        refuse(&f, s->code, "a senior professional title is required (%s); the profile says %s",
               s->source[c], x->title);
    } else if (age >= 0 && x->now_year - x->birth_year > age) {
        s = statute(S_EXPERT_AGE);
        refuse(&f, s->code, "%d years old; at most %lld (%s)", x->now_year - x->birth_year,
               (long long)age, s->source[c]);
    } else if (statute_value(S_EXPERT_E_EVAL, c) > 0 && !x->e_evaluation) {
        s = statute(S_EXPERT_E_EVAL);
        refuse(&f, s->code, "the expert must be able to evaluate electronically (%s)",
               s->source[c]);
    }
    return f;
}

struct refusal
experts_rule_committee(const struct committee_ask *a)
{
    struct refusal f = {0};
    enum category c = a->category;
    int64_t size = a->experts + a->owner_reps, min = statute_value(S_COMMITTEE_SIZE, c);
    int64_t big = statute_value(S_COMMITTEE_LARGE_BUDGET, c);
    int64_t large = statute_value(S_COMMITTEE_LARGE, c);
    int64_t share = statute_value(S_COMMITTEE_EXPERTS, c);
    if (min < 0)
        min = statute_value(S_COMMITTEE_SIZE, CAT_ENGINEERING);
    if (share < 0)
        share = statute_value(S_COMMITTEE_EXPERTS, CAT_ENGINEERING);
    if (size % 2 == 0 || size < min)
        refuse(&f, statute(S_COMMITTEE_SIZE)->code,
               "a committee of %lld: it must be an odd number of at least %lld (%s)",
               (long long)size, (long long)min,
               statute(S_COMMITTEE_SIZE)->source[c] ? statute(S_COMMITTEE_SIZE)->source[c]
                                                    : statute(S_COMMITTEE_SIZE)->source[0]);
    else if (big >= 0 && large >= 0 && a->budget_fen >= big && size < large)
        refuse(&f, statute(S_COMMITTEE_LARGE)->code,
               "the budget is at least %lld fen: the committee must have at least %lld members "
               "(%s)",
               (long long)big, (long long)large, statute(S_COMMITTEE_LARGE)->source[c]);
    else if (a->experts * 1000 < size * share)
        refuse(&f, statute(S_COMMITTEE_EXPERTS)->code,
               "%lld of %lld members from the library: at least two thirds must be (%s)",
               (long long)a->experts, (long long)size,
               statute(S_COMMITTEE_EXPERTS)->source[c] ? statute(S_COMMITTEE_EXPERTS)->source[c]
                                                       : statute(S_COMMITTEE_EXPERTS)->source[0]);
    else if (a->capacity > 0 && size > a->capacity)
        refuse(&f, "DRAW-CAPACITY",
               "the evaluation booking is for %lld people: a committee of %lld does not fit",
               (long long)a->capacity, (long long)size);
    return f;
}

struct refusal
experts_rule_window(int64_t now_us, int64_t session_start_us, int64_t window_us)
{
    struct refusal f = {0};
    if (now_us >= session_start_us)
        refuse(&f, "DRAW-WINDOW", "the session has begun: its committee can no longer be drawn");
    else if (session_start_us - now_us > window_us)
        refuse(&f, "DRAW-WINDOW",
               "a committee is drawn at most %lld hours before its session (experts.window_hours), "
               "so that the list cannot leak days ahead",
               (long long)(window_us / (INT64_C(3600) * 1000000)));
    f.conflict = f.code != NULL;
    return f;
}

bool
experts_rule_region_ok(const char *home, const char *sharing, const char *project_region,
                       const char *const *allowed, size_t nallowed)
{
    bool listed = false;
    for (size_t i = 0; i < nallowed && !listed; i++)
        listed = !strcmp(allowed[i], home);
    if (!listed)
        return false;
    if (!strcmp(home, project_region))
        return true;
    if (!strcmp(sharing, "national"))
        return true;
    return !strcmp(sharing, "province") && !strncmp(home, project_region, 2);
}

const char *
experts_rule_exclusion(const struct candidate_facts *f, int64_t now_us)
{
    if (f->disabled || !strcmp(f->state, "removed") || !strcmp(f->state, "applied"))
        return "removed";
    if (!strcmp(f->state, "suspended") && (!f->suspended_until || f->suspended_until > now_us))
        return "suspended";
    if (!f->region_ok)
        return "region";
    if (f->employed)
        return "employed";
    if (f->related)
        return "related";
    if (f->served)
        return "served";
    if (f->on_leave)
        return "on_leave";
    if (f->busy)
        return "busy";
    return NULL;
}

int64_t
experts_rule_relation_years(enum category c, int64_t configured)
{
    return c == CAT_PROCUREMENT && configured < 3 ? 3 : configured;
}

struct refusal
experts_rule_pool(const int64_t *have, const int64_t *need, size_t ngroups, int64_t ratio,
                  const char *const *names)
{
    struct refusal f = {0};
    for (size_t g = 0; g < ngroups; g++)
        if (have[g] < need[g] * ratio) {
            refuse(&f, "DRAW-POOL-SMALL",
                   "%lld eligible experts of %s for %lld to draw: the pool must hold at least %lld "
                   "times as many",
                   (long long)have[g], names[g], (long long)need[g], (long long)ratio);
            f.conflict = true;
            break;
        }
    return f;
}

bool
experts_rule_result_published(const char *project_state)
{
    return project_state &&
           (!strcmp(project_state, "candidates_published") || !strcmp(project_state, "awarded"));
}

const char *
experts_rule_agency_exclusion(const char *state, bool region_ok, bool related, bool served)
{
    if (!state || strcmp(state, "active"))
        return "suspended";
    if (!region_ok)
        return "region";
    if (related)
        return "related";
    if (served)
        return "served";
    return NULL;
}
