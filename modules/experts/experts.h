/*
 * experts.h — the experts module: the one expert library of the center and the committee draw
 * (专家统一抽取). Experts keep their own profile (specialties from the classification kept as
 * data, title, years in the field, region, sharing scope, declared relations, leaves); center
 * staff admit them against the rule table and suspend or remove them by a recorded decision. An
 * agent asks for a committee for a booked evaluation session; two center staff cosign the
 * draw's commitment, which fixes the pool after avoidance; the project's supervisor brings a
 * value the platform cannot predict; lib/draw.c then orders each group; the drawn experts
 * confirm or decline with their certified keys, and a decline is replaced from the same stream.
 * Its rules are pure functions (rules.c); docs/experts.md and docs/draw.md are the reference.
 */
#ifndef GGZY_EXPERTS_H
#define GGZY_EXPERTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app.h"
#include "db.h"
#include "statutes.h"

#define EXPERTS_YEAR_US (INT64_C(31557600) * 1000000) /* a Julian year, 365.25 days */
#define EXPERTS_DAY_US  (INT64_C(86400) * 1000000)

/* Professional titles (职称), the sharing scopes of an expert, the kinds of declared relation, the
 * states of a profile (NULL-terminated). */
extern const char *const experts_titles[];
extern const char *const experts_sharing[];
extern const char *const experts_relation_kinds[];
extern const char *const experts_states[];

/* ---- for the evaluation (store.c) ---- */

/* The committee drawn for an evaluation booking: its live draw (not cancelled, not short) and
 * every member it ever confirmed, in pseudonym order — confirmed ones sit, replaced ones
 * (draw.replace) sat until replaced_us. *found false when the booking has no live committee
 * draw. */
#define EXPERTS_COMMITTEE_MAX 64
struct experts_member {
    int64_t user_id;
    char pseudonym[17];
    bool replaced;
    int64_t replaced_us; /* when a replaced member's conclusions became void */
};
struct experts_committee {
    int64_t draw_id, project_id, booking_id, tenderer_org_id, owner_reps;
    int64_t size;   /* the library experts the draw was asked for */
    char state[16]; /* complete: every group has its count */
    size_t n;
    struct experts_member m[EXPERTS_COMMITTEE_MAX];
};
enum db_status experts_committee(struct dbconn *c, int64_t booking_id, struct experts_committee *k,
                                 bool *found);

/* ---- rules (rules.c) ---- */

/* What admission checks of a profile. */
struct expert_facts {
    const char *title;
    int field_since, birth_year; /* years */
    bool e_evaluation;
    int now_year; /* the year (UTC+8) at the time of the check */
};
/* The admission conditions of the rule table in order: R-EXPERT-YEARS (years in the field),
 * R-EXPERT-TITLE (a senior title), R-EXPERT-AGE, R-EXPERT-E-EVAL. code NULL: admitted. */
struct refusal experts_rule_admission(const struct expert_facts *f);
/* A profile's own fields as given: a title of the list, years not in the future and not before
 * 1900, a sharing scope of the list (EXP-PROFILE). */
struct refusal experts_rule_profile(const char *title, int field_since, int birth_year,
                                    const char *sharing, int now_year);

/* A committee as requested: library experts per group, the tenderer's own representatives. */
struct committee_ask {
    enum category category;
    int64_t budget_fen;
    int64_t experts;    /* the sum of the groups' counts */
    int64_t owner_reps; /* 招标人代表 / 采购人代表 */
    int64_t capacity;   /* the people the evaluation booking holds */
};
/* R-COMMITTEE-SIZE (odd, at least N), R-COMMITTEE-LARGE (procurement from the budget
 * threshold on), R-COMMITTEE-EXPERTS (library experts at least two thirds), DRAW-CAPACITY (the
 * booked room holds the committee). code NULL: allowed. */
struct refusal experts_rule_committee(const struct committee_ask *a);
/* A draw may be asked only within window_us before the session begins, and not once it has
 * (DRAW-WINDOW, 409). */
struct refusal experts_rule_window(int64_t now_us, int64_t session_start_us, int64_t window_us);
/* May an expert of home region and sharing scope be drawn for a request allowing regions (six
 * digit codes) of a project in project_region? The expert's region must be allowed; outside the
 * project's region the expert's scope must reach it: "province" within the same province (the
 * first two digits), "national" anywhere, "region" only at home. */
bool experts_rule_region_ok(const char *home, const char *sharing, const char *project_region,
                            const char *const *allowed, size_t nallowed);

/* Why an expert of the library is not in a draw's pool, checked in this order (the first that
 * holds is the one counted): NULL when eligible. */
struct candidate_facts {
    const char *state;       /* active, suspended, … */
    int64_t suspended_until; /* 0: none */
    bool disabled;           /* the account is disabled */
    bool region_ok;          /* experts_rule_region_ok */
    bool employed;           /* works for the tenderer, the agent or a bidder */
    bool related;            /* a declared relation to one of them within the look-back */
    bool served;             /* served the same tenderer within the configured days */
    bool on_leave, busy;     /* overlapping the session */
};
const char *experts_rule_exclusion(const struct candidate_facts *f, int64_t now_us);
/* The reasons experts_rule_exclusion names, in its order (NULL-terminated): the keys of the
 * counts a draw's pool entry logs. */
extern const char *const experts_exclusion_reasons[];
/* The look-back of declared relations for a category: the configured years, and at least three
 * in government procurement (政府采购法实施条例 第九条). */
int64_t experts_rule_relation_years(enum category c, int64_t configured);

/* Why a registered agency is not in a tenderer's agency draw, in this order: not active
 * ("suspended"), outside the allowed regions ("region"), affiliated with the tenderer
 * ("related"), or drawn for the same tenderer within experts.served_days ("served"); NULL when
 * eligible. The names are those of experts_exclusion_reasons. */
const char *experts_rule_agency_exclusion(const char *state, bool region_ok, bool related,
                                          bool served);

/* Is the result of a project in this state published (so its committee's names are revealed)?
 * candidates_published or awarded. */
bool experts_rule_result_published(const char *project_state);

/* The eligible pool of each group must hold at least ratio times the group's count
 * (DRAW-POOL-SMALL, 409): *group set to the first group short. */
struct refusal experts_rule_pool(const int64_t *have, const int64_t *need, size_t ngroups,
                                 int64_t ratio, const char *const *names);

#endif
