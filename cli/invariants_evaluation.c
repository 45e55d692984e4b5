/*
 * invariants_evaluation.c — the evaluation ledger of the replay (see invariants.h): every
 * session rebuilt from the log alone — its snapshot (evaluation.open: the method, the members'
 * pseudonyms, the opened bids), each member's act (evaluation.act) and what the step's last act
 * decided. It checks, as the entries arrive:
 *   INV-EVAL-MEMBER  every act is a member's of the session's committee, never of a member the
 *                    draw replaced before the act (实施条例 第四十八条); a representative's
 *                    ("rep-<user id>") by that tenderer user, an expert's by no tenderer user;
 *                    under government procurement no representative chairs (87号 第四十五条);
 *   INV-EVAL-ORDER   every act is of the step the session is at (so no score before every
 *                    member pledged, and none after the report: the session is done);
 *   INV-EVAL-RESULT  the drafted result follows from the logged scores (with the corrections
 *                    after summing, each for a reason of 财政部令第87号 第六十四条) and the
 * declared method, recomputed here with server/rules/scoring.h (price scores, means, ranking), with
 * at most three candidates, the first ranked; a candidates' publicity publishes exactly the
 * candidates of signed reports; INV-EVAL-AWARD   the tenderer decides after the publicity ended,
 * among the lot's candidates, the first unless a recorded reason says otherwise (实施条例
 * 第五十五条); INV-EVAL-CONTRACT a contract signed more than 30 days after the award notice is
 * recorded late (招标投标法 第四十六条); INV-EVAL-OBJECTION no lot is decided or contracted while
 * an objection to its result awaits its answer, and an answer after its due time is recorded late
 * (实施条例 第五十四条).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "canon.h"
#include "invariants.h"
#include "scoring.h"
#include "util.h"

#define EV_MAX_MEMBERS 64
#define EV_MAX_BIDS    200

struct ev_bid {
    int64_t id, org, price;
    bool valid;
    int rejected_at; /* the review step (its index in steps[]) that rejected it */
};

static const char *const steps[] = {"pledge",   "chair",  "qualification", "preliminary",
                                    "detailed", "report", "done",          NULL};

static int
step_index(const char *name)
{
    for (int i = 0; name && steps[i]; i++)
        if (!strcmp(steps[i], name))
            return i;
    return -1;
}

struct ev_session {
    int64_t id, draw;
    int category;  /* enum category: under government procurement a representative never chairs */
    bool done;     /* every member signed the report */
    int vacancies; /* seats left by a recusal or a replacement, not yet taken */
    size_t ncand;
    int64_t cand[SCORING_CANDIDATES]; /* the drafted result's candidates */
    struct scoring_method method;
    char step[16];
    size_t nm, nb;
    char members[EV_MAX_MEMBERS][24];
    cJSON *detailed[EV_MAX_MEMBERS]; /* each member's detailed payload */
    struct ev_bid bids[EV_MAX_BIDS];
};

struct ev_replaced {
    int64_t draw;
    char pseudonym[24];
};

#define EV_MAX_OBJECTIONS 64
struct ev_objection {
    int64_t id, lot, due;
};

struct eval_ledger {
    int64_t validity_from;        /* the end the latest extension of the bid validity extends */
    int64_t refused[EV_MAX_BIDS]; /* the organizations that refused it */
    size_t nrefused;
    struct ev_objection obj[EV_MAX_OBJECTIONS]; /* the objections awaiting an answer */
    size_t nobj;
    struct ev_session *s;
    size_t ns, scap;
    int64_t publicity_until, awarded_us; /* the latest publicity's end; the award notice */
    struct ev_replaced *r;
    size_t nr, rcap;
};

struct eval_ledger *
ev_new(void)
{
    return calloc(1, sizeof(struct eval_ledger));
}

void
ev_free(struct eval_ledger *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->ns; i++)
        for (size_t m = 0; m < l->s[i].nm; m++)
            cJSON_Delete(l->s[i].detailed[m]);
    free(l->s);
    free(l->r);
    free(l);
}

static struct ev_session *
session(struct eval_ledger *l, int64_t id)
{
    for (size_t i = 0; i < l->ns; i++)
        if (l->s[i].id == id)
            return &l->s[i];
    return NULL;
}

static int
member_index(const struct ev_session *s, const char *p)
{
    for (size_t i = 0; p && i < s->nm; i++)
        if (!strcmp(s->members[i], p))
            return (int)i;
    return -1;
}

static void
on_open(struct eval_ledger *l, const cJSON *p, int64_t idx, struct inv_report *rep)
{
    struct ev_session *s = arr_push((void **)&l->s, &l->ns, &l->scap, sizeof *l->s);
    if (!s)
        return;
    memset(s, 0, sizeof *s);
    s->id = json_i64(p, "evaluation_id", 0);
    s->draw = json_i64(p, "draw_id", 0);
    s->category = (int)json_i64(p, "category", CAT_ENGINEERING);
    snprintf(s->step, sizeof s->step, "pledge");
    if (scoring_rule_method(cJSON_GetObjectItemCaseSensitive(p, "method"), CAT_ENGINEERING,
                            &s->method)
            .code)
        inv_violate(rep, "INV-EVAL-RESULT", idx, "evaluation %lld: its method does not parse",
                    (long long)s->id);
    const cJSON *x;
    cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(p, "members"))
    {
        if (s->nm < EV_MAX_MEMBERS && cJSON_IsString(x))
            snprintf(s->members[s->nm++], sizeof s->members[0], "%s", x->valuestring);
    }
    cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(p, "bids"))
    {
        if (s->nb < EV_MAX_BIDS)
            s->bids[s->nb++] = (struct ev_bid){json_i64(x, "bid_id", 0), json_i64(x, "org_id", 0),
                                               json_i64(x, "price_fen", 0), true};
    }
}

/* The committee's points of a member's detailed payload for bid and criterion k (0 if none). */
static int64_t
points(const struct ev_session *s, const cJSON *payload, int64_t bid, size_t k)
{
    const cJSON *x;
    cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(payload, "scores"))
    {
        if (json_i64(x, "bid_id", -1) != bid)
            continue;
        const char *v =
            json_str(cJSON_GetObjectItemCaseSensitive(x, "points"), s->method.crit[k].code);
        int64_t h = 0;
        if (v && !scoring_rule_score(&s->method, v, s->method.crit[k].max_points, &h).code)
            return h;
    }
    return 0;
}

static void
check_result(const struct ev_session *s, const cJSON *res, int64_t idx, struct inv_report *rep)
{
    struct scoring_bid b[EV_MAX_BIDS];
    size_t n = 0;
    for (size_t i = 0; i < s->nb; i++) {
        if (!s->bids[i].valid)
            continue;
        memset(&b[n], 0, sizeof b[n]);
        b[n].bid_id = s->bids[i].id;
        b[n].org_id = s->bids[i].org;
        b[n].price_fen = s->bids[i].price;
        for (size_t k = 0; s->method.kind == SCORING_COMPREHENSIVE && k < s->method.ncrit; k++) {
            int64_t pts[EV_MAX_MEMBERS];
            for (size_t m = 0; m < s->nm; m++)
                pts[m] = points(s, s->detailed[m], s->bids[i].id, k);
            b[n].subjective += scoring_mean(pts, s->nm);
        }
        n++;
    }
    scoring_rank(&s->method, b, n);
    const cJSON *ranking = cJSON_GetObjectItemCaseSensitive(res, "ranking");
    if (cJSON_GetArraySize(ranking) != (int)n) {
        inv_violate(rep, "INV-EVAL-RESULT", idx, "evaluation %lld: %d bids ranked, %zu valid",
                    (long long)s->id, cJSON_GetArraySize(ranking), n);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        const cJSON *r = cJSON_GetArrayItem(ranking, (int)i);
        char total[24];
        scoring_format(b[i].total, total);
        const char *logged = json_str(r, "total");
        if (json_i64(r, "bid_id", -1) != b[i].bid_id ||
            (s->method.kind == SCORING_COMPREHENSIVE && (!logged || strcmp(logged, total)))) {
            inv_violate(rep, "INV-EVAL-RESULT", idx,
                        "evaluation %lld: rank %zu is bid %lld (%s), recomputed bid %lld (%s)",
                        (long long)s->id, i + 1, (long long)json_i64(r, "bid_id", -1),
                        logged ? logged : "-", (long long)b[i].bid_id, total);
            return;
        }
    }
    const cJSON *cand = cJSON_GetObjectItemCaseSensitive(res, "candidates");
    size_t want = scoring_candidates(n);
    bool ok = cJSON_GetArraySize(cand) == (int)want;
    for (size_t i = 0; ok && i < want; i++)
        ok = (int64_t)cJSON_GetArrayItem(cand, (int)i)->valuedouble == b[i].bid_id;
    if (!ok)
        inv_violate(rep, "INV-EVAL-RESULT", idx,
                    "evaluation %lld: the candidates are not the first %zu ranked",
                    (long long)s->id, want);
}

/* A member's correction after summing (财政部令第87号 第六十四条): its score in the member's
 * detailed payload replaced, for the result that follows to be recomputed. Named when the reason
 * is not one that can arise on the platform — an objective factor (declared so in the method)
 * scored unlike, or a score abnormally far from the others' — or the score is not the member's. */
static void
correct(struct ev_session *s, int m, const cJSON *payload, int64_t idx, struct inv_report *rep)
{
    const char *why = json_str(payload, "reason"), *crit = json_str(payload, "criterion");
    const char *pts = json_str(payload, "points");
    int64_t bid = json_i64(payload, "bid_id", -1);
    size_t k = s->method.ncrit;
    for (size_t i = 0; crit && i < s->method.ncrit; i++)
        if (!strcmp(s->method.crit[i].code, crit))
            k = i;
    bool ok = why && pts && k < s->method.ncrit &&
              (!strcmp(why, "extreme") ||
               (!strcmp(why, "objective_mismatch") && s->method.crit[k].objective));
    cJSON *x, *target = NULL;
    cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(s->detailed[m], "scores"))
    {
        if (json_i64(x, "bid_id", -2) == bid)
            target = cJSON_GetObjectItemCaseSensitive(x, "points");
    }
    if (!ok || !target) {
        inv_violate(rep, "INV-EVAL-RESULT", idx,
                    "evaluation %lld: a score changed after summing without a reason of "
                    "财政部令第87号 第六十四条 the platform allows",
                    (long long)s->id);
        return;
    }
    cJSON_DeleteItemFromObjectCaseSensitive(target, crit);
    cJSON_AddStringToObject(target, crit, pts);
}

static void
on_act(struct eval_ledger *l, const cJSON *p, int64_t idx, struct inv_report *rep)
{
    struct ev_session *s = session(l, json_i64(p, "evaluation_id", 0));
    const char *who = json_str(p, "member"), *kind = json_str(p, "kind");
    if (!s || !kind) {
        inv_violate(rep, "INV-EVAL-MEMBER", idx, "an act of an evaluation the log never opened");
        return;
    }
    int m = member_index(s, who);
    if (m < 0 && cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(p, "joined")) &&
        !strcmp(kind, "pledge") && s->vacancies > 0 && s->nm < EV_MAX_MEMBERS) {
        /* a replacement takes a vacant seat by pledging */
        snprintf(s->members[s->nm], sizeof s->members[0], "%s", who);
        m = (int)s->nm++;
        s->vacancies--;
    }
    if (m < 0) {
        inv_violate(rep, "INV-EVAL-MEMBER", idx, "evaluation %lld: %s is not of its committee",
                    (long long)s->id, who ? who : "nobody");
        return;
    }
    for (size_t i = 0; i < l->nr; i++)
        if (l->r[i].draw == s->draw && !strcmp(l->r[i].pseudonym, who))
            inv_violate(rep, "INV-EVAL-MEMBER", idx,
                        "evaluation %lld: %s acts after the draw replaced them", (long long)s->id,
                        who);
    bool side = !strcmp(kind, "clarify") || !strcmp(kind, "finding") ||
                !strcmp(kind, "send_back") || !strcmp(kind, "reject_all") ||
                !strcmp(kind, "more_time"); /* during the reviews (a send-back: or the report) */
    bool corr = !strcmp(kind, "correct");   /* after summing: at the report */
    int at = step_index(s->step);
    if (corr   ? at != 5
        : side ? at < 2 || at > (strcmp(kind, "send_back") ? 4 : 5)
               : strcmp(kind, s->step) != 0)
        inv_violate(rep, "INV-EVAL-ORDER", idx, "evaluation %lld: a %s act while at %s",
                    (long long)s->id, kind, s->step);
    if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(p, "recused")))
        s->vacancies++;
    const cJSON *payload = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(p, "signed"), "fields"),
        "payload");
    if (!strcmp(kind, "detailed") && payload) {
        cJSON_Delete(s->detailed[m]);
        s->detailed[m] = cJSON_Duplicate(payload, true);
    }
    if (corr)
        correct(s, m, payload, idx, rep);
    const cJSON *x;
    cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(p, "rejected"))
    {
        for (size_t i = 0; i < s->nb; i++)
            if (s->bids[i].id == (int64_t)x->valuedouble) {
                s->bids[i].valid = false;
                s->bids[i].rejected_at = step_index(strcmp(kind, "reject_all") ? kind : s->step);
            }
    }
    const cJSON *res = cJSON_GetObjectItemCaseSensitive(p, "result");
    if (res) {
        check_result(s, res, idx, rep);
        s->ncand = 0;
        cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(res, "candidates"))
        {
            if (s->ncand < SCORING_CANDIDATES)
                s->cand[s->ncand++] = (int64_t)x->valuedouble;
        }
    }
    const char *chair = json_str(p, "chair");
    if (chair && s->category == CAT_PROCUREMENT && !strncmp(chair, "rep-", 4))
        inv_violate(rep, "INV-EVAL-MEMBER", idx,
                    "evaluation %lld: the purchaser's representative %s was elected chair "
                    "(财政部令第87号 第四十五条)",
                    (long long)s->id, chair);
    const char *next = json_str(p, "advanced_to");
    if (next) {
        snprintf(s->step, sizeof s->step, "%s", next);
        s->done = !strcmp(next, "done");
    }
}

/* The candidates' publicity publishes each evaluation's signed candidates, in order. */
static void
on_publicity(struct eval_ledger *l, const cJSON *p, int64_t idx, struct inv_report *rep)
{
    const cJSON *x;
    int n = 0;
    l->publicity_until = json_i64(p, "publicity_until_us", 0);
    cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(p, "candidates"))
    {
        const struct ev_session *s = session(l, json_i64(x, "evaluation_id", 0));
        const cJSON *cs = cJSON_GetObjectItemCaseSensitive(x, "candidates");
        bool same = s && s->done && cJSON_GetArraySize(cs) == (int)s->ncand;
        for (size_t i = 0; same && i < s->ncand; i++)
            same = json_i64(cJSON_GetArrayItem(cs, (int)i), "bid_id", -1) == s->cand[i];
        if (!same)
            inv_violate(rep, "INV-EVAL-RESULT", idx,
                        "lot %lld: the publicity's candidates are not those of a signed report",
                        (long long)json_i64(x, "lot", 0));
        n++;
    }
    if (!n)
        inv_violate(rep, "INV-EVAL-RESULT", idx,
                    "a candidates' publicity that publishes no signed report's candidates");
}

static void
on_decide(struct eval_ledger *l, const cJSON *p, int64_t idx, int64_t t, struct inv_report *rep)
{
    const cJSON *x;
    if (t <= l->publicity_until)
        inv_violate(rep, "INV-EVAL-AWARD", idx,
                    "the winner was decided before the publicity ended");
    cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(p, "lots"))
    {
        const struct ev_session *s = session(l, json_i64(x, "evaluation_id", 0));
        int64_t bid = json_i64(x, "bid_id", -1);
        size_t at = SCORING_CANDIDATES;
        for (size_t i = 0; s && i < s->ncand; i++)
            if (s->cand[i] == bid)
                at = i;
        if (!s || !s->done || at == SCORING_CANDIDATES)
            inv_violate(rep, "INV-EVAL-AWARD", idx, "lot %lld: bid %lld is not a candidate",
                        (long long)json_i64(x, "lot", 0), (long long)bid);
        else if (at > 0 && !json_str(x, "reason"))
            inv_violate(rep, "INV-EVAL-AWARD", idx,
                        "lot %lld: the candidate ranked %zu won without a recorded reason",
                        (long long)json_i64(x, "lot", 0), at + 1);
    }
}

/* Is an objection to lot's result awaiting its answer? */
static bool
objection_pending(const struct eval_ledger *l, int64_t lot)
{
    for (size_t i = 0; i < l->nobj; i++)
        if (l->obj[i].lot == lot)
            return true;
    return false;
}

static void
on_objection(struct eval_ledger *l, const char *action, const cJSON *p, int64_t idx, int64_t t,
             struct inv_report *rep)
{
    int64_t id = json_i64(p, "objection_id", 0);
    if (!strcmp(action, "award.objection")) {
        if (l->nobj < EV_MAX_OBJECTIONS)
            l->obj[l->nobj++] =
                (struct ev_objection){id, json_i64(p, "lot", 0), json_i64(p, "answer_due_us", 0)};
        return;
    }
    for (size_t i = 0; i < l->nobj; i++) {
        if (l->obj[i].id != id)
            continue;
        if (t > l->obj[i].due && !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(p, "late")))
            inv_violate(rep, "INV-EVAL-OBJECTION", idx,
                        "objection %lld answered after its due time is not recorded late",
                        (long long)id);
        l->obj[i] = l->obj[--l->nobj];
        return;
    }
}

void
ev_feed(struct eval_ledger *l, const cJSON *entry, struct inv_report *rep)
{
    const char *action = json_str(entry, "action");
    const cJSON *p = cJSON_GetObjectItemCaseSensitive(entry, "payload");
    int64_t idx = json_i64(entry, "index", -1);
    if (!l || !action || !p)
        return;
    int64_t t = json_i64(entry, "time_us", 0);
    const char *type = json_str(p, "type");
    if (!strcmp(action, "award.objection") || !strcmp(action, "award.objection.answer"))
        on_objection(l, action, p, idx, t, rep);
    if (!strcmp(action, "award.validity.ask")) {
        l->validity_from = json_i64(p, "from_us", 0);
        l->nrefused = 0;
    }
    if (!strcmp(action, "award.validity.answer") &&
        !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(p, "agree")) && l->nrefused < EV_MAX_BIDS)
        l->refused[l->nrefused++] = json_i64(p, "org_id", 0);
    if (!strcmp(action, "award.decide")) {
        const cJSON *x;
        cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(p, "lots"))
        {
            for (size_t i = 0; l->validity_from && t > l->validity_from && i < l->nrefused; i++)
                if (l->refused[i] == json_i64(x, "org_id", -1))
                    inv_violate(rep, "INV-EVAL-AWARD", idx,
                                "lot %lld: bid %lld won after it lapsed (its bidder refused to "
                                "extend the bid validity)",
                                (long long)json_i64(x, "lot", 0),
                                (long long)json_i64(x, "bid_id", 0));
            if (objection_pending(l, json_i64(x, "lot", 0)))
                inv_violate(rep, "INV-EVAL-OBJECTION", idx,
                            "lot %lld was decided while an objection to its result awaited its "
                            "answer",
                            (long long)json_i64(x, "lot", 0));
        }
    }
    if ((!strcmp(action, "contract.offer") || !strcmp(action, "contract.sign")) &&
        objection_pending(l, json_i64(p, "lot", 0)))
        inv_violate(rep, "INV-EVAL-OBJECTION", idx,
                    "lot %lld was contracted while an objection to its result awaited its answer",
                    (long long)json_i64(p, "lot", 0));
    if (!strcmp(action, "evaluation.act")) {
        /* the tenderer's representative ("rep-<user id>") acts as itself, a tenderer user; every
         * other member is a drawn expert */
        const cJSON *actor = cJSON_GetObjectItemCaseSensitive(entry, "actor");
        const char *who = json_str(p, "member"), *role = json_str(actor, "role");
        char mine[32];
        snprintf(mine, sizeof mine, "rep-%lld", (long long)json_i64(actor, "user_id", 0));
        bool is_rep = who && !strncmp(who, "rep-", 4);
        if (who && role &&
            (is_rep ? strcmp(role, "tenderer") || strcmp(who, mine) : !strcmp(role, "tenderer")))
            inv_violate(rep, "INV-EVAL-MEMBER", idx,
                        "evaluation %lld: %s acted as %s, which is not theirs",
                        (long long)json_i64(p, "evaluation_id", 0), role, who);
    }
    if (!strcmp(action, "evaluation.open"))
        on_open(l, p, idx, rep);
    else if (!strcmp(action, "announce.publish") && type && !strcmp(type, "candidates"))
        on_publicity(l, p, idx, rep);
    else if (!strcmp(action, "announce.publish") && type && !strcmp(type, "award"))
        l->awarded_us = t;
    else if (!strcmp(action, "evaluation.send_back") &&
             cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(p, "approve"))) {
        /* back to the step asked: the reviews from there on are made again */
        struct ev_session *s = session(l, json_i64(p, "evaluation_id", 0));
        int to = step_index(json_str(p, "to"));
        if (s && to >= 2) {
            for (size_t i = 0; i < s->nb; i++)
                if (!s->bids[i].valid && s->bids[i].rejected_at >= to)
                    s->bids[i].valid = true;
            if (to <= 4)
                for (size_t m = 0; m < s->nm; m++) {
                    cJSON_Delete(s->detailed[m]);
                    s->detailed[m] = NULL;
                }
            snprintf(s->step, sizeof s->step, "%s", steps[to]);
            s->done = false;
            s->ncand = 0;
        }
    } else if (!strcmp(action, "award.decide"))
        on_decide(l, p, idx, t, rep);
    else if (!strcmp(action, "contract.sign") && l->awarded_us &&
             t > l->awarded_us + INT64_C(30) * 86400 * 1000000 &&
             !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(p, "late")))
        inv_violate(rep, "INV-EVAL-CONTRACT", idx,
                    "a contract signed more than 30 days after the award notice is not "
                    "recorded late");
    else if (!strcmp(action, "evaluation.act"))
        on_act(l, p, idx, rep);
    else if (!strcmp(action, "draw.replace")) {
        struct ev_replaced *r = arr_push((void **)&l->r, &l->nr, &l->rcap, sizeof *l->r);
        if (r) {
            r->draw = json_i64(p, "draw_id", 0);
            snprintf(r->pseudonym, sizeof r->pseudonym, "%s", json_str(p, "pseudonym") ?: "");
            for (size_t i = 0; i < l->ns; i++) /* a member of a session leaves a seat */
                if (l->s[i].draw == r->draw && member_index(&l->s[i], r->pseudonym) >= 0)
                    l->s[i].vacancies++;
        }
    }
}
