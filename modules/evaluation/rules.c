/*
 * rules.c — the evaluation's pure rules: each decides from the facts store.c loaded and the
 * clock, touching no database, so that each statute is a unit-tested function
 * (tests/unit/evaluation/test_evaluation_rules.c) and the replay can apply the same one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "canon.h"
#include "internal.h"

const char *const evaluation_steps[] = {"pledge",   "chair",  "qualification", "preliminary",
                                        "detailed", "report", "done",          NULL};

const char *const evaluation_grounds[] = {
    "51-1", /* 投标文件未经投标单位盖章和单位负责人签字 */
    "51-2", /* 投标联合体没有提交共同投标协议 */
    "51-3", /* 投标人不符合国家或者招标文件规定的资格条件 */
    "51-4", /* 同一投标人提交两个以上不同的投标文件或者投标报价（招标文件要求提交备选投标的除外） */
    "51-5", /* 投标报价低于成本或者高于招标文件设定的最高投标限价 */
    "51-6", /* 投标文件没有对招标文件的实质性要求和条件作出响应 */
    "51-7", /* 投标人有串通投标、弄虚作假、行贿等违法行为 */
    "substantive", /* a substantive requirement the tender documents mark (★) */
    NULL,
};

/* The reasons 财政部令第87号 第六十四条 allows for a score to change after summing: (一) a sum
 * miscalculated, (二) a score out of its range, (三) an objective factor scored unlike, (四) a
 * score the committee finds abnormally high or low. */
const char *const evaluation_correct_reasons[] = {"sum_error", "out_of_range", "objective_mismatch",
                                                  "extreme", NULL};

static size_t reports_signed(const struct eval_session *s);
static struct refusal rule_correct(const struct eval_session *s, const struct eval_member *me,
                                   const cJSON *p);
static int64_t indicator_threshold(const char *code);
static bool lapsed(const struct award_project *p, int64_t org, int64_t now);

int
evaluation_rule_step(const char *name)
{
    for (int i = 0; name && evaluation_steps[i]; i++)
        if (!strcmp(evaluation_steps[i], name))
            return i;
    return -1;
}

struct refusal
evaluation_rule_open(const struct open_facts *f, int64_t now)
{
    struct refusal r = {0};
    if (!f->booking_found || !f->own_agency)
        return *refuse(&r, "EVAL-BOOKING", "no evaluation booking of your agency has that id");
    if (strcmp(f->purpose, "evaluation"))
        return *refuse(&r, "EVAL-BOOKING", "the booking is for %s, not an evaluation", f->purpose);
    if (!f->lot_in_booking)
        return *refuse(&r, "EVAL-BOOKING", "the booking is not for that lot");
    r.conflict = true;
    if (strcmp(f->booking_state, "approved"))
        return *refuse(&r, "EVAL-BOOKING", "the booking is %s, not approved", f->booking_state);
    if (strcmp(f->project_state, "evaluating"))
        return *refuse(&r, "EVAL-PROJECT-STATE",
                       "the project is %s: an evaluation begins once the project is evaluating",
                       f->project_state);
    if (f->exists)
        return *refuse(&r, "EVAL-EXISTS", "the lot has its evaluation session already");
    if (now < f->start_us || now >= f->end_us)
        return *refuse(&r, "EVAL-TIME",
                       "the session opens only during its booked time in the evaluation room");
    if (!f->lot_opened || f->nbids == 0)
        return *refuse(&r, "EVAL-NOT-OPENED", "the lot's opening opened no bid to evaluate");
    if (!f->method_found)
        return *refuse(&r, "EVAL-NO-METHOD",
                       "no published tender announcement or amendment declares the evaluation "
                       "method; an amendment declaring it is an amendment affecting the bids");
    if (f->method.code)
        return *refuse(&r, f->method.code, "%s", f->method.why);
    if (!f->committee_found || strcmp(f->committee_state, "complete"))
        return *refuse(&r, "EVAL-COMMITTEE",
                       "the session's committee is not complete (its draw is %s)",
                       f->committee_found ? f->committee_state : "not asked");
    if ((int64_t)f->reps < f->owner_reps)
        return *refuse(&r, "EVAL-COMMITTEE",
                       "the draw seats %lld representative(s) of the tenderer and %zu is "
                       "designated (POST /api/v1/evaluations/representatives; 招标投标法 "
                       "第三十七条)",
                       (long long)f->owner_reps, f->reps);
    if (f->signed_in < f->sitting)
        return *refuse(&r, "EVAL-SIGN-IN",
                       "%zu of the %zu members have signed in in the room; %s has not",
                       f->signed_in, f->sitting, f->absent ? f->absent : "one");
    if (f->reps_signed_in < f->reps)
        return *refuse(&r, "EVAL-SIGN-IN",
                       "the tenderer's representative %s has not signed in in the room",
                       f->absent_rep ? f->absent_rep : "");
    return (struct refusal){0};
}

bool
evaluation_rule_is_rep(const char *pseudonym)
{
    return pseudonym && !strncmp(pseudonym, EVAL_REP_PREFIX, strlen(EVAL_REP_PREFIX));
}

bool
evaluation_rule_may_chair(int category, const char *pseudonym)
{
    return !(category == CAT_PROCUREMENT && evaluation_rule_is_rep(pseudonym));
}

struct refusal
evaluation_rule_designate(const struct designate_facts *f, int64_t now)
{
    struct refusal r = {0};
    (void)now;
    if (!f->booking_found || !f->own_project)
        return *refuse(&r, "EVAL-BOOKING",
                       "no evaluation booking of a project of yours has that id");
    r.conflict = true;
    if (!f->committee_found || f->owner_reps <= 0)
        return *refuse(&r, "EVAL-REPRESENTATIVE",
                       "the committee draw of this booking seats no representative of the "
                       "tenderer (owner_reps 0)");
    if (!strcmp(f->session, "reported"))
        return *refuse(&r, "EVAL-REPRESENTATIVE", "the report is signed: the session is over");
    if (f->already)
        return *refuse(&r, "EVAL-REPRESENTATIVE", "that user is designated already");
    if ((int64_t)(f->designated - f->recused) >= f->owner_reps)
        return *refuse(&r, "EVAL-REPRESENTATIVE",
                       "the draw seats %lld representative(s) of the tenderer, and every seat is "
                       "taken",
                       (long long)f->owner_reps);
    r.conflict = false;
    if ((r = evaluation_rule_signature("EVAL", f->sig, f->sig_rule, f->sig_why)).code)
        return r;
    if (!f->user_ok)
        return *refuse(&r, "EVAL-REPRESENTATIVE",
                       "a representative is a user of role tenderer of your own organization");
    return (struct refusal){0};
}

static const struct eval_member *
member_of(const struct eval_session *s, int64_t user)
{
    for (size_t i = 0; i < s->nmembers; i++)
        if (s->members[i].user_id == user)
            return &s->members[i];
    return NULL;
}

static size_t
sitting(const struct eval_session *s)
{
    size_t n = 0;
    for (size_t i = 0; i < s->nmembers; i++)
        n += s->members[i].sitting;
    return n;
}

static const struct eval_bid *
bid_of(const struct eval_session *s, int64_t id)
{
    for (size_t i = 0; i < s->nbids; i++)
        if (s->bids[i].bid_id == id)
            return &s->bids[i];
    return NULL;
}

static size_t
valid_bids(const struct eval_session *s)
{
    size_t n = 0;
    for (size_t i = 0; i < s->nbids; i++)
        n += s->bids[i].valid;
    return n;
}

static bool
str_in(const char *s, const char *const *list)
{
    for (size_t i = 0; s && list[i]; i++)
        if (!strcmp(s, list[i]))
            return true;
    return false;
}

/* Each valid bid exactly once in array a (by "bid_id"); fills seen[] per bid index. */
static bool
each_bid_once(const struct eval_session *s, const cJSON *a, struct refusal *r)
{
    bool seen[EVAL_MAX_BIDS] = {0};
    const cJSON *x;
    size_t n = 0;
    cJSON_ArrayForEach(x, a)
    {
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(x, "bid_id");
        const struct eval_bid *b = cJSON_IsNumber(id) ? bid_of(s, (int64_t)id->valuedouble) : NULL;
        if (!b || !b->valid) {
            refuse(r, "EVAL-PAYLOAD", "entry %zu: not a bid this committee is reviewing", n + 1);
            return false;
        }
        size_t k = (size_t)(b - s->bids);
        if (seen[k]) {
            refuse(r, "EVAL-PAYLOAD", "bid %lld appears twice", (long long)b->bid_id);
            return false;
        }
        seen[k] = true;
        n++;
    }
    if (n != valid_bids(s)) {
        refuse(r, "EVAL-PAYLOAD", "%zu bids reviewed; the committee reviews %zu", n, valid_bids(s));
        return false;
    }
    return true;
}

struct refusal
evaluation_rule_payload(const struct eval_session *s, const char *kind, const cJSON *p, int64_t now)
{
    struct refusal r = {0};
    if (!cJSON_IsObject(p))
        return *refuse(&r, "EVAL-PAYLOAD", "payload is an object");
    if (!strcmp(kind, "clarify")) {
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(p, "bid_id");
        const struct eval_bid *b = cJSON_IsNumber(id) ? bid_of(s, (int64_t)id->valuedouble) : NULL;
        const char *q = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(p, "question"));
        const cJSON *by = cJSON_GetObjectItemCaseSensitive(p, "answer_by_us");
        if (!b || !b->valid)
            return *refuse(&r, "EVAL-PAYLOAD",
                           "a clarification asks a bidder whose bid is under "
                           "review");
        if (!q || strlen(q) < 2 || strlen(q) > 2000 || cJSON_GetArraySize(p) != 3)
            return *refuse(&r, "EVAL-PAYLOAD",
                           "a clarification says {\"bid_id\", \"question\", "
                           "\"answer_by_us\"} (a question of 2 to 2000 bytes)");
        if (!cJSON_IsNumber(by) || by->valuedouble <= (double)now ||
            by->valuedouble > (double)(now + EVAL_CLARIFY_MAX_US))
            return *refuse(&r, "EVAL-PAYLOAD", "answer_by_us is a time within the next 72 hours");
        return r;
    }
    if (!strcmp(kind, "correct")) {
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(p, "bid_id");
        const struct eval_bid *b = cJSON_IsNumber(id) ? bid_of(s, (int64_t)id->valuedouble) : NULL;
        const char *crit = json_str(p, "criterion"), *pts = json_str(p, "points");
        const char *why = json_str(p, "reason"), *note = json_str(p, "note");
        size_t k = s->method.ncrit;
        for (size_t i = 0; crit && i < s->method.ncrit; i++)
            if (!strcmp(s->method.crit[i].code, crit))
                k = i;
        if (!b || !b->valid || k == s->method.ncrit || !pts || !note || strlen(note) < 2 ||
            strlen(note) > 1000 || !str_in(why, evaluation_correct_reasons) ||
            cJSON_GetArraySize(p) != 5)
            return *refuse(&r, "EVAL-PAYLOAD",
                           "a correction says {\"bid_id\" of a valid bid, \"criterion\", "
                           "\"points\", \"reason\" (sum_error, out_of_range, objective_mismatch, "
                           "extreme: 财政部令第87号 第六十四条), \"note\" of 2 to 1000 bytes}");
        int64_t h;
        struct scoring_refusal sr =
            scoring_rule_score(&s->method, pts, s->method.crit[k].max_points, &h);
        if (sr.code)
            return *refuse(&r, sr.code, "criterion %s: %s", crit, sr.why);
        return r;
    }
    if (!strcmp(kind, "more_time")) {
        const char *why = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(p, "reason"));
        if (!why || strlen(why) < 2 || strlen(why) > 1000 || cJSON_GetArraySize(p) != 1)
            return *refuse(&r, "EVAL-PAYLOAD", "a request for more time says {\"reason\"}");
        return r;
    }
    if (!strcmp(kind, "reject_all")) {
        const char *why = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(p, "reason"));
        if (!why || strlen(why) < 2 || strlen(why) > 1000 || cJSON_GetArraySize(p) != 1)
            return *refuse(&r, "EVAL-PAYLOAD", "a vote to reject every bid says {\"reason\"}");
        return r;
    }
    if (!strcmp(kind, "send_back")) {
        const char *to = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(p, "to"));
        const char *why = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(p, "reason"));
        int k = evaluation_rule_step(to);
        if (k < STEP_QUALIFICATION || k > STEP_DETAILED || k >= (int)s->step ||
            (k == STEP_DETAILED && s->method.kind != SCORING_COMPREHENSIVE))
            return *refuse(&r, "EVAL-PAYLOAD",
                           "a send-back names an earlier review step (to: qualification, "
                           "preliminary or detailed)");
        if (!why || strlen(why) < 2 || strlen(why) > 1000 || cJSON_GetArraySize(p) != 2)
            return *refuse(&r, "EVAL-PAYLOAD",
                           "a send-back says {\"to\", \"reason\"}: the chair's "
                           "reason");
        return r;
    }
    if (!strcmp(kind, "finding")) {
        const cJSON *sub = cJSON_GetObjectItemCaseSensitive(p, "substantive");
        const char *note = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(p, "note"));
        if (!cJSON_IsBool(sub) ||
            !cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(p, "clarification_id")) || !note ||
            strlen(note) > 1000 || cJSON_GetArraySize(p) != 3)
            return *refuse(&r, "EVAL-PAYLOAD",
                           "a finding says {\"clarification_id\", "
                           "\"substantive\": true|false, \"note\"}: whether "
                           "the answer would change the bid's price, scope or "
                           "period (实施条例 第五十二条)");
        return r;
    }
    if (!strcmp(kind, "pledge")) {
        const cJSON *c = cJSON_GetObjectItemCaseSensitive(p, "conflict");
        if (!cJSON_IsBool(c) || cJSON_GetArraySize(p) > 2 ||
            (cJSON_GetArraySize(p) == 2 &&
             !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(p, "statement"))))
            return *refuse(&r, "EVAL-PAYLOAD",
                           "a pledge says {\"conflict\": true|false} and may add a statement");
        return r; /* a conflict declared (回避): the member leaves the seat for a replacement */
    }
    if (!strcmp(kind, "chair")) {
        const char *c = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(p, "chair"));
        if (c && !evaluation_rule_may_chair(s->category, c))
            return *refuse(&r, "EVAL-CHAIR-REPRESENTATIVE",
                           "the purchaser's representative does not chair the committee "
                           "(财政部令第87号 第四十五条)");
        for (size_t i = 0; c && i < s->nmembers; i++)
            if (s->members[i].sitting && !strcmp(s->members[i].pseudonym, c))
                return cJSON_GetArraySize(p) == 1
                           ? r
                           : *refuse(&r, "EVAL-PAYLOAD", "a vote says only {\"chair\": pseudonym}");
        return *refuse(&r, "EVAL-PAYLOAD", "a vote names a sitting member's pseudonym as chair");
    }
    if (!strcmp(kind, "qualification") || !strcmp(kind, "preliminary")) {
        const cJSON *a = cJSON_GetObjectItemCaseSensitive(p, "bids"), *x;
        if (!cJSON_IsArray(a) || cJSON_GetArraySize(p) != 1)
            return *refuse(&r, "EVAL-PAYLOAD",
                           "a review says {\"bids\": [{\"bid_id\", \"pass\", \"ground\", "
                           "\"reason\"}]}");
        if (!each_bid_once(s, a, &r))
            return r;
        cJSON_ArrayForEach(x, a)
        {
            const cJSON *pass = cJSON_GetObjectItemCaseSensitive(x, "pass");
            const char *g = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(x, "ground"));
            const char *why = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(x, "reason"));
            if (!cJSON_IsBool(pass))
                return *refuse(&r, "EVAL-PAYLOAD", "each bid passes (true) or fails (false)");
            if (cJSON_IsFalse(pass) &&
                (!str_in(g, evaluation_grounds) || !why || strlen(why) < 2 || strlen(why) > 1000))
                return *refuse(&r, "EVAL-GROUND",
                               "a bid fails only on a ground of 实施条例 第五十一条 (51-1 … 51-7) "
                               "or a substantive requirement of the tender documents "
                               "(substantive), with the member's reasoning");
            if (cJSON_IsTrue(pass) && (g || why))
                return *refuse(&r, "EVAL-PAYLOAD", "a bid that passes takes no ground");
        }
        return r;
    }
    if (!strcmp(kind, "detailed")) {
        const cJSON *a = cJSON_GetObjectItemCaseSensitive(p, "scores"), *x;
        if (s->method.kind != SCORING_COMPREHENSIVE)
            return *refuse(&r, "EVAL-STEP", "a lowest-price evaluation has no detailed review");
        if (!cJSON_IsArray(a) || cJSON_GetArraySize(p) != 1)
            return *refuse(&r, "EVAL-PAYLOAD",
                           "scores say {\"scores\": [{\"bid_id\", \"points\": {criterion: "
                           "\"37.5\"}}]}");
        if (!each_bid_once(s, a, &r))
            return r;
        cJSON_ArrayForEach(x, a)
        {
            const cJSON *pts = cJSON_GetObjectItemCaseSensitive(x, "points");
            if (!cJSON_IsObject(pts) || cJSON_GetArraySize(pts) != (int)s->method.ncrit ||
                cJSON_GetArraySize(x) != 2)
                return *refuse(&r, "EVAL-PAYLOAD",
                               "each bid is scored on each of the %zu criteria, once",
                               s->method.ncrit);
            for (size_t k = 0; k < s->method.ncrit; k++) {
                const char *v = cJSON_GetStringValue(
                    cJSON_GetObjectItemCaseSensitive(pts, s->method.crit[k].code));
                int64_t h;
                if (!v)
                    return *refuse(&r, "EVAL-PAYLOAD",
                                   "criterion %s is scored as a string "
                                   "(\"37.5\")",
                                   s->method.crit[k].code);
                struct scoring_refusal f =
                    scoring_rule_score(&s->method, v, s->method.crit[k].max_points, &h);
                if (f.code)
                    return *refuse(&r, f.code, "criterion %s: %s", s->method.crit[k].code, f.why);
            }
        }
        return r;
    }
    if (!strcmp(kind, "report")) {
        const cJSON *agree = cJSON_GetObjectItemCaseSensitive(p, "agree");
        const cJSON *why = cJSON_GetObjectItemCaseSensitive(p, "reason");
        if (!cJSON_IsBool(agree) ||
            (why && (!cJSON_IsString(why) || strlen(why->valuestring) > 2000)) ||
            cJSON_GetArraySize(p) > 2 || (cJSON_GetArraySize(p) == 2 && !why))
            return *refuse(&r, "EVAL-PAYLOAD",
                           "a signature of the report says {\"agree\": true|false, \"reason\"}");
        return r;
    }
    return *refuse(&r, "EVAL-PAYLOAD", "no act %s", kind);
}

struct refusal
evaluation_rule_act(const struct act_facts *f, int64_t now_us)
{
    struct refusal r = {0};
    (void)now_us;
    const struct eval_session *s = f->s;
    if (!f->me && f->joining) { /* a replacement takes a vacant seat by pledging */
        r.conflict = true;
        if (strcmp(f->kind, "pledge") || s->step != STEP_PLEDGE || sitting(s) >= s->seats)
            return *refuse(&r, "EVAL-NOT-MEMBER",
                           "a replacement joins by pledging while the committee pledges and a "
                           "seat is vacant");
        if (!strcmp(s->state, "paused"))
            return *refuse(&r, "EVAL-PAUSED", "a supervisor paused the session");
        r.conflict = false;
        if ((r = evaluation_rule_signature("EVAL", f->sig, f->sig_rule, f->sig_why)).code)
            return r;
        return evaluation_rule_payload(s, f->kind, f->payload, now_us);
    }
    if (!f->me)
        return *refuse(&r, "EVAL-NOT-MEMBER", "you are not a member of this committee");
    r.conflict = true;
    if (!f->me->sitting)
        return *refuse(&r, "EVAL-NOT-MEMBER",
                       "you were replaced: a replaced member acts no more (实施条例 第四十八条)");
    if (!strcmp(s->state, "paused"))
        return *refuse(&r, "EVAL-PAUSED", "a supervisor paused the session");
    if (!strcmp(s->state, "reported"))
        return *refuse(&r, "EVAL-STEP", "the report is signed: the session is over");
    int k = evaluation_rule_step(f->kind);
    if (evaluation_rule_side_act(f->kind)) {
        bool back = !strcmp(f->kind, "send_back"), corr = !strcmp(f->kind, "correct");
        if (s->step < (corr ? STEP_REPORT : STEP_QUALIFICATION) ||
            s->step > (back || corr ? STEP_REPORT : STEP_DETAILED))
            return *refuse(&r, "EVAL-STEP",
                           corr ? "a score is corrected after summing, before the report is "
                                  "signed (财政部令第87号 第六十四条; it is at %s)"
                           : back
                               ? "a step is sent back from the reviews or the report (it is at %s)"
                               : "the committee asks for clarifications during the reviews (it "
                                 "is at %s)",
                           evaluation_steps[s->step]);
        if (corr && reports_signed(s))
            return *refuse(&r, "EVAL-STEP",
                           "%zu member(s) signed the report: a correction comes before the first "
                           "signature (the chair may send the scoring back: send_back to "
                           "detailed)",
                           reports_signed(s));
        if (back && f->me->user_id != s->chair_user)
            return *refuse(&r, "EVAL-CHAIR", "the chair asks to send a step back");
        if (back && s->back_to[0])
            return *refuse(&r, "EVAL-SEND-BACK", "a send-back to %s awaits a supervisor's decision",
                           s->back_to);
        if (!strcmp(f->kind, "more_time") && f->done)
            return *refuse(&r, "EVAL-DONE", "you have asked for more time already");
        if (!strcmp(f->kind, "reject_all")) {
            if (f->done)
                return *refuse(&r, "EVAL-DONE", "you have voted to reject every bid already");
            int64_t min = statute_value(S_MIN_BIDS, (enum category)s->category);
            if ((int64_t)valid_bids(s) >= (min > 0 ? min : 1))
                return *refuse(&r, "EVAL-REJECT-ALL",
                               "%zu valid bids remain: there is competition, and every bid is "
                               "rejected only when too few remain (评标委员会和评标方法暂行规定 "
                               "第二十七条; %s)",
                               valid_bids(s), statute(S_MIN_BIDS)->code);
        }
        if (!strcmp(f->kind, "finding") && f->me->user_id != s->chair_user)
            return *refuse(&r, "EVAL-CHAIR", "the chair records the committee's finding");
        if (!strcmp(f->kind, "finding") && (!f->clar || f->clar->evaluation_id != s->id))
            return *refuse(&r, "EVAL-PAYLOAD", "no clarification of this session has that id");
        if (!strcmp(f->kind, "finding") && (!f->clar->answered || f->clar->found))
            return *refuse(&r, "EVAL-CLARIFY-STATE",
                           f->clar->found ? "the committee's finding on it is recorded already"
                                          : "the bidder has not answered yet");
        r.conflict = false;
        if ((r = evaluation_rule_signature("EVAL", f->sig, f->sig_rule, f->sig_why)).code)
            return r;
        if ((r = evaluation_rule_payload(s, f->kind, f->payload, now_us)).code || !corr)
            return r;
        return rule_correct(s, f->me, f->payload);
    }
    if (k < 0 || k == STEP_DONE)
        return *refuse(&r, "EVAL-STEP", "no act %s", f->kind);
    if ((enum eval_step)k != s->step)
        return *refuse(&r, "EVAL-STEP", "the session is at %s, not %s", evaluation_steps[s->step],
                       f->kind);
    if (f->done)
        return *refuse(&r, "EVAL-DONE", "you have given your %s already", f->kind);
    if ((r = evaluation_rule_signature("EVAL", f->sig, f->sig_rule, f->sig_why)).code)
        return r;
    return evaluation_rule_payload(s, f->kind, f->payload, now_us);
}

bool
evaluation_rule_side_act(const char *kind)
{
    return kind &&
           (!strcmp(kind, "clarify") || !strcmp(kind, "finding") || !strcmp(kind, "send_back") ||
            !strcmp(kind, "reject_all") || !strcmp(kind, "more_time") || !strcmp(kind, "correct"));
}

struct refusal
evaluation_rule_send_back(const struct eval_session *s)
{
    struct refusal r = {.conflict = true};
    if (!strcmp(s->state, "reported"))
        return *refuse(&r, "EVAL-STATE", "the report is signed: nothing is sent back");
    if (!s->back_to[0])
        return *refuse(&r, "EVAL-STATE", "the chair has not asked to send a step back");
    return (struct refusal){0};
}

void
evaluation_rule_go_back(struct eval_session *s)
{
    int to = evaluation_rule_step(s->back_to);
    if (to < STEP_QUALIFICATION || to > STEP_DETAILED)
        return;
    for (size_t i = 0; i < s->nbids; i++) /* the reviews from there on are made again */
        if (!s->bids[i].valid && evaluation_rule_step(s->bids[i].rejected_at) >= to) {
            s->bids[i].valid = true;
            s->bids[i].rejected_at[0] = '\0';
        }
    s->step = (enum eval_step)to;
    free(s->report);
    s->report = NULL;
    s->back_to[0] = '\0';
    s->back_reason[0] = '\0';
}

struct refusal
evaluation_rule_clarify_answer(const struct clarify_answer_facts *f, int64_t now)
{
    struct refusal r = {.conflict = true};
    if (!f->clar)
        return *refuse(&r, "EVAL-CLARIFY-STATE", "no clarification asked of you has that id");
    if (f->clar->answered)
        return *refuse(&r, "EVAL-CLARIFY-STATE", "it is answered already");
    if (now > f->clar->answer_by_us)
        return *refuse(&r, "EVAL-CLARIFY-LATE",
                       "the committee asked for the answer by its time, which has passed");
    if (strcmp(f->session_state, "open"))
        return *refuse(&r, "EVAL-PAUSED", "the session is %s", f->session_state);
    r.conflict = false;
    if ((r = evaluation_rule_signature("EVAL", f->sig, f->sig_rule, f->sig_why)).code)
        return r;
    if (f->answer_len < 1 || f->answer_len > 4000)
        return *refuse(&r, "EVAL-PAYLOAD", "an answer is 1 to 4000 bytes");
    return (struct refusal){0};
}

bool
evaluation_rule_step_complete(const struct eval_session *s)
{
    if (s->step >= STEP_DONE)
        return false;
    const char *kind = evaluation_steps[s->step];
    for (size_t i = 0; i < s->nmembers; i++) {
        if (!s->members[i].sitting)
            continue;
        bool acted = false;
        for (size_t a = 0; a < s->nacts && !acted; a++)
            acted = s->acts[a].user_id == s->members[i].user_id && !strcmp(s->acts[a].kind, kind) &&
                    (s->step != STEP_CHAIR || s->acts[a].round == s->chair_round);
        if (!acted)
            return false;
    }
    return sitting(s) > 0 && sitting(s) >= s->seats; /* a vacant seat waits for its replacement */
}

enum eval_step
evaluation_rule_next(enum eval_step step, enum scoring_kind kind)
{
    if (step == STEP_PRELIMINARY && kind == SCORING_LOWEST_PRICE)
        return STEP_REPORT;
    return step < STEP_DONE ? step + 1 : STEP_DONE;
}

int64_t
evaluation_rule_chair(const struct eval_session *s)
{
    size_t n = sitting(s);
    for (size_t i = 0; i < s->nmembers; i++) {
        if (!s->members[i].sitting)
            continue;
        size_t votes = 0;
        for (size_t a = 0; a < s->nacts; a++) {
            const char *c =
                cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(s->acts[a].payload, "chair"));
            votes += !strcmp(s->acts[a].kind, "chair") && s->acts[a].round == s->chair_round && c &&
                     !strcmp(c, s->members[i].pseudonym) && member_of(s, s->acts[a].user_id) &&
                     member_of(s, s->acts[a].user_id)->sitting;
        }
        if (2 * votes > n)
            return s->members[i].user_id;
    }
    return 0;
}

/* The sitting members' acts of kind, per member (NULL where none). */
static const struct eval_act *
act_of(const struct eval_session *s, int64_t user, const char *kind)
{
    for (size_t a = 0; a < s->nacts; a++)
        if (s->acts[a].user_id == user && !strcmp(s->acts[a].kind, kind))
            return &s->acts[a];
    return NULL;
}

static const cJSON *
entry_for(const cJSON *arr, int64_t bid)
{
    const cJSON *x;
    cJSON_ArrayForEach(x, arr)
    {
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(x, "bid_id");
        if (cJSON_IsNumber(id) && (int64_t)id->valuedouble == bid)
            return x;
    }
    return NULL;
}

void
evaluation_rule_reviews(struct eval_session *s, enum eval_step step)
{
    const char *kind = evaluation_steps[step];
    size_t n = sitting(s);
    for (size_t b = 0; b < s->nbids; b++) {
        if (!s->bids[b].valid)
            continue;
        size_t fails = 0;
        for (size_t i = 0; i < s->nmembers; i++) {
            const struct eval_act *a =
                s->members[i].sitting ? act_of(s, s->members[i].user_id, kind) : NULL;
            const cJSON *e = a ? entry_for(cJSON_GetObjectItemCaseSensitive(a->payload, "bids"),
                                           s->bids[b].bid_id)
                               : NULL;
            fails += e && cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(e, "pass"));
        }
        if (2 * fails > n) {
            s->bids[b].valid = false;
            snprintf(s->bids[b].rejected_at, sizeof s->bids[b].rejected_at, "%s", kind);
        }
    }
}

/* Is act a a correction by user (kind correct)? Its bid's and criterion's indexes and the new
 * points into *b, *k, *h. */
static bool
correction_at(const struct eval_session *s, const struct eval_act *a, int64_t user, size_t *b,
              size_t *k, int64_t *h)
{
    if (a->user_id != user || strcmp(a->kind, "correct"))
        return false;
    const struct scoring_method *m = &s->method;
    const char *crit = json_str(a->payload, "criterion"), *pts = json_str(a->payload, "points");
    int64_t bid = json_i64(a->payload, "bid_id", 0);
    *b = s->nbids;
    *k = m->ncrit;
    for (size_t i = 0; i < s->nbids; i++)
        if (s->bids[i].bid_id == bid)
            *b = i;
    for (size_t i = 0; crit && i < m->ncrit; i++)
        if (!strcmp(m->crit[i].code, crit))
            *k = i;
    return *b < s->nbids && *k < m->ncrit && pts &&
           !scoring_rule_score(m, pts, m->crit[*k].max_points, h).code;
}

/* How many sitting members signed the report (the acts of kind report in force). */
static size_t
reports_signed(const struct eval_session *s)
{
    size_t n = 0;
    for (size_t i = 0; i < s->nmembers; i++)
        n += s->members[i].sitting && act_of(s, s->members[i].user_id, "report") != NULL;
    return n;
}

/* IND-SCORE-OUTLIER's test: is v[i] further from the mean of the n - 1 others than lim per mille
 * of max? In integers: |v·(n-1) − others| · 1000 > lim · max · (n-1). */
static bool
is_outlier(const int64_t *v, size_t n, size_t i, int64_t max, int64_t lim)
{
    int64_t sum = 0;
    for (size_t j = 0; j < n; j++)
        sum += v[j];
    int64_t others = sum - v[i], dev = v[i] * (int64_t)(n - 1) - others;
    if (dev < 0)
        dev = -dev;
    return n > 1 && dev * 1000 > lim * max * (int64_t)(n - 1);
}

/* The detailed scores of act a as a dense array [bid index][criterion] of hundredths (0 where
 * none), each score read once: what the result and the indicators index 9 × 50 × 20 times.
 * Caller frees; NULL when out of memory. */
static int64_t *
dense_points(const struct eval_session *s, const struct eval_act *a)
{
    const struct scoring_method *m = &s->method;
    size_t nb = s->nbids, nc = m->ncrit;
    int64_t *d = calloc(nb * nc + 1, sizeof *d);
    const cJSON *x,
        *scores = a && d ? cJSON_GetObjectItemCaseSensitive(a->payload, "scores") : NULL;
    cJSON_ArrayForEach(x, scores)
    {
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(x, "bid_id");
        size_t b = nb;
        for (size_t i = 0; cJSON_IsNumber(id) && i < nb; i++)
            if (s->bids[i].bid_id == (int64_t)id->valuedouble)
                b = i;
        if (b == nb)
            continue;
        const cJSON *p;
        cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(x, "points"))
        {
            for (size_t k = 0; k < nc; k++) {
                int64_t h;
                if (!strcmp(p->string, m->crit[k].code) && cJSON_IsString(p) &&
                    !scoring_rule_score(m, p->valuestring, m->crit[k].max_points, &h).code)
                    d[b * nc + k] = h;
            }
        }
    }
    /* then the member's corrections after summing, in order (财政部令第87号 第六十四条) */
    for (size_t i = 0; d && a && i < s->nacts; i++) {
        size_t b, k;
        int64_t h;
        if (correction_at(s, &s->acts[i], a->user_id, &b, &k, &h))
            d[b * nc + k] = h;
    }
    return d;
}

/* The corrections after summing into the result (财政部令第87号 第六十四条: recorded in the
 * report): per correction the member, bid, criterion, the points before and after, the reason
 * and the note, in order. */
static void
add_corrections(const struct eval_session *s, cJSON *o)
{
    cJSON *list = NULL;
    for (size_t a = 0; a < s->nacts; a++) {
        const struct eval_act *c = &s->acts[a];
        const struct eval_member *m = eval_member_of(s, c->user_id);
        size_t b, k;
        int64_t to, from = 0;
        if (!m || !m->sitting || !correction_at(s, c, c->user_id, &b, &k, &to))
            continue;
        /* before: the detailed score, then the member's earlier corrections of the same */
        const struct eval_act *d = act_of(s, c->user_id, "detailed");
        const cJSON *x, *scores = d ? cJSON_GetObjectItemCaseSensitive(d->payload, "scores") : NULL;
        cJSON_ArrayForEach(x, scores)
        {
            const char *v = json_i64(x, "bid_id", 0) == s->bids[b].bid_id
                                ? json_str(cJSON_GetObjectItemCaseSensitive(x, "points"),
                                           s->method.crit[k].code)
                                : NULL;
            if (v)
                scoring_rule_score(&s->method, v, s->method.crit[k].max_points, &from);
        }
        for (size_t e = 0; e < a; e++) {
            size_t b2, k2;
            int64_t h;
            if (correction_at(s, &s->acts[e], c->user_id, &b2, &k2, &h) && b2 == b && k2 == k)
                from = h;
        }
        char t1[24], t2[24];
        scoring_format(from, t1);
        scoring_format(to, t2);
        cJSON *y = cJSON_CreateObject();
        cJSON_AddStringToObject(y, "member", m->pseudonym);
        json_add_i64(y, "bid_id", s->bids[b].bid_id);
        cJSON_AddStringToObject(y, "criterion", s->method.crit[k].code);
        cJSON_AddStringToObject(y, "from", t1);
        cJSON_AddStringToObject(y, "to", t2);
        cJSON_AddStringToObject(y, "reason", json_str(c->payload, "reason"));
        cJSON_AddStringToObject(y, "note", json_str(c->payload, "note"));
        if (!list)
            list = cJSON_AddArrayToObject(o, "corrections");
        cJSON_AddItemToArray(list, y);
    }
}

/* A member's correction after summing (财政部令第87号 第六十四条), the payload checked: only for
 * the reasons that can arise here — the platform sums the scores and refuses one out of range, so
 * (一) and (二) cannot — an objective factor scored unlike another member (三), or a score the
 * IND-SCORE-OUTLIER test finds abnormally far from the others' (四); a change. EVAL-CORRECT. */
static struct refusal
rule_correct(const struct eval_session *s, const struct eval_member *me, const cJSON *p)
{
    struct refusal r = {0};
    const struct scoring_method *m = &s->method;
    const char *why = json_str(p, "reason"), *crit = json_str(p, "criterion");
    if (m->kind != SCORING_COMPREHENSIVE)
        return *refuse(&r, "EVAL-CORRECT", "a lowest-price evaluation has no scores to correct");
    if (!strcmp(why, "sum_error") || !strcmp(why, "out_of_range"))
        return *refuse(&r, "EVAL-CORRECT",
                       "the platform sums the scores and refuses a score out of its range: %s "
                       "cannot arise here (财政部令第87号 第六十四条 (一)(二))",
                       why);
    size_t nm = 0, me_i = 0, b = 0, k = 0;
    for (size_t i = 0; i < s->nbids; i++)
        if (s->bids[i].bid_id == json_i64(p, "bid_id", 0))
            b = i;
    for (size_t i = 0; i < m->ncrit; i++)
        if (!strcmp(m->crit[i].code, crit))
            k = i;
    int64_t v[EXPERTS_COMMITTEE_MAX], h = 0;
    scoring_rule_score(m, json_str(p, "points"), m->crit[k].max_points, &h);
    for (size_t i = 0; i < s->nmembers; i++) {
        if (!s->members[i].sitting)
            continue;
        int64_t *d = dense_points(s, act_of(s, s->members[i].user_id, "detailed"));
        if (!d)
            return *refuse(&r, "EVAL-CORRECT", "out of memory");
        if (s->members[i].user_id == me->user_id)
            me_i = nm;
        v[nm++] = d[b * m->ncrit + k];
        free(d);
    }
    char now[24];
    scoring_format(v[me_i], now);
    if (v[me_i] == h)
        return *refuse(&r, "EVAL-CORRECT", "your score of bid %lld on %s is %s already",
                       (long long)s->bids[b].bid_id, crit, now);
    if (!strcmp(why, "objective_mismatch")) {
        bool differs = false;
        for (size_t i = 0; i < nm; i++)
            differs |= i != me_i && v[i] != v[me_i];
        if (!m->crit[k].objective)
            return *refuse(&r, "EVAL-CORRECT",
                           "criterion %s is not declared objective (客观评审因素) in the method",
                           crit);
        if (!differs)
            return *refuse(&r, "EVAL-CORRECT",
                           "every member gave bid %lld the same on %s: nothing is inconsistent",
                           (long long)s->bids[b].bid_id, crit);
    } else if (!is_outlier(v, nm, me_i, m->crit[k].max_points,
                           indicator_threshold("IND-SCORE-OUTLIER")))
        return *refuse(&r, "EVAL-CORRECT",
                       "your %s on %s for bid %lld is not abnormally far from the others' "
                       "(IND-SCORE-OUTLIER): 评分畸高、畸低 is what the test finds",
                       now, crit, (long long)s->bids[b].bid_id);
    return r;
}

cJSON *
evaluation_rule_result(const struct eval_session *s)
{
    const struct scoring_method *m = &s->method;
    int64_t *dense[EXPERTS_COMMITTEE_MAX] = {0};
    for (size_t i = 0; m->kind == SCORING_COMPREHENSIVE && i < s->nmembers; i++)
        if (s->members[i].sitting)
            dense[i] = dense_points(s, act_of(s, s->members[i].user_id, "detailed"));
    struct scoring_bid ranked[EVAL_MAX_BIDS];
    size_t nv = 0, n = sitting(s);
    cJSON *o = cJSON_CreateObject();
    cJSON *bids = cJSON_AddArrayToObject(o, "bids");
    char txt[24];
    for (size_t b = 0; b < s->nbids; b++) {
        const struct eval_bid *eb = &s->bids[b];
        cJSON *x = cJSON_CreateObject();
        json_add_i64(x, "bid_id", eb->bid_id);
        json_add_i64(x, "org_id", eb->org_id);
        json_add_i64(x, "price_fen", eb->price_fen);
        cJSON_AddBoolToObject(x, "valid", eb->valid);
        if (!eb->valid) {
            cJSON_AddStringToObject(x, "rejected_at", eb->rejected_at);
            cJSON *why = cJSON_AddArrayToObject(x, "grounds");
            for (size_t i = 0; i < s->nmembers; i++) {
                const struct eval_act *a = s->members[i].sitting
                                               ? act_of(s, s->members[i].user_id, eb->rejected_at)
                                               : NULL;
                const cJSON *e =
                    a ? entry_for(cJSON_GetObjectItemCaseSensitive(a->payload, "bids"), eb->bid_id)
                      : NULL;
                if (e && cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(e, "pass"))) {
                    cJSON *g = cJSON_CreateObject();
                    cJSON_AddStringToObject(g, "member", s->members[i].pseudonym);
                    cJSON_AddStringToObject(
                        g, "ground",
                        cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "ground")));
                    cJSON_AddStringToObject(
                        g, "reason",
                        cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "reason")));
                    cJSON_AddItemToArray(why, g);
                }
            }
            cJSON_AddItemToArray(bids, x);
            continue;
        }
        struct scoring_bid *rb = &ranked[nv++];
        memset(rb, 0, sizeof *rb);
        rb->bid_id = eb->bid_id;
        rb->org_id = eb->org_id;
        rb->price_fen = eb->price_fen;
        if (m->kind == SCORING_COMPREHENSIVE) {
            cJSON *crit = cJSON_AddObjectToObject(x, "criteria");
            for (size_t k = 0; k < m->ncrit; k++) {
                int64_t pts[EXPERTS_COMMITTEE_MAX];
                size_t np = 0;
                cJSON *per = cJSON_CreateObject(), *members = cJSON_CreateObject();
                for (size_t i = 0; i < s->nmembers; i++) {
                    if (!s->members[i].sitting)
                        continue;
                    pts[np] = dense[i] ? dense[i][b * m->ncrit + k] : 0;
                    scoring_format(pts[np], txt);
                    cJSON_AddStringToObject(members, s->members[i].pseudonym, txt);
                    np++;
                }
                int64_t mean = scoring_mean(pts, np);
                rb->subjective += mean;
                scoring_format(mean, txt);
                cJSON_AddStringToObject(per, "committee", txt);
                cJSON_AddItemToObject(per, "members", members);
                cJSON_AddItemToObject(crit, m->crit[k].code, per);
            }
        }
        cJSON_AddItemToArray(bids, x);
    }
    (void)n;
    scoring_rank(m, ranked, nv);
    cJSON *rank = cJSON_AddArrayToObject(o, "ranking");
    for (size_t i = 0; i < nv; i++) {
        cJSON *x = cJSON_CreateObject();
        json_add_i64(x, "rank", ranked[i].rank);
        json_add_i64(x, "bid_id", ranked[i].bid_id);
        json_add_i64(x, "org_id", ranked[i].org_id);
        json_add_i64(x, "price_fen", ranked[i].price_fen);
        if (m->kind == SCORING_COMPREHENSIVE) {
            scoring_format(ranked[i].price_score, txt);
            cJSON_AddStringToObject(x, "price_score", txt);
            scoring_format(ranked[i].subjective, txt);
            cJSON_AddStringToObject(x, "subjective", txt);
            scoring_format(ranked[i].total, txt);
            cJSON_AddStringToObject(x, "total", txt);
        }
        cJSON_AddBoolToObject(x, "tied", ranked[i].tied);
        cJSON_AddItemToArray(rank, x);
    }
    cJSON *cand = cJSON_AddArrayToObject(o, "candidates");
    for (size_t i = 0; i < scoring_candidates(nv); i++)
        cJSON_AddItemToArray(cand, cJSON_CreateNumber((double)ranked[i].bid_id));
    for (size_t i = 0; i < s->nmembers; i++)
        free(dense[i]);
    add_corrections(s, o);
    return o;
}

struct refusal
evaluation_rule_pause(const char *state, bool pause)
{
    struct refusal r = {.conflict = true};
    if (pause && strcmp(state, "open"))
        return *refuse(&r, "EVAL-STATE", "only an open session is paused (it is %s)", state);
    if (!pause && strcmp(state, "paused"))
        return *refuse(&r, "EVAL-STATE", "only a paused session is resumed (it is %s)", state);
    return (struct refusal){0};
}

struct refusal
evaluation_rule_signature(const char *prefix, enum act_check sig, const char *sig_rule,
                          const char *sig_why)
{
    static const char *const codes[][3] = {
        {"EVAL-SIGNER-KEY", "EVAL-SIGNED-TIME", "EVAL-SIGNATURE"},
        {"AWARD-SIGNER-KEY", "AWARD-SIGNED-TIME", "AWARD-SIGNATURE"},
        {"OBJ-SIGNER-KEY", "OBJ-SIGNED-TIME", "OBJ-SIGNATURE"},
    };
    struct refusal r = {0};
    const char *why = sig_why && *sig_why ? sig_why : "the signature does not verify";
    const char *const *code = codes[!strcmp(prefix, "AWARD") ? 1 : !strcmp(prefix, "OBJ") ? 2 : 0];
    switch (sig) {
    case ACT_OK:
        return r;
    case ACT_KEY:
        if (sig_rule && strcmp(sig_rule, "KEY-UNKNOWN"))
            return *refuse(&r, sig_rule, "%s", why);
        return *refuse(&r, code[0], "%s", why);
    case ACT_TIME:
        return *refuse(&r, code[1], "%s", why);
    case ACT_SIGNATURE:
    case ACT_DBFAIL:
        break;
    }
    return *refuse(&r, code[2], "%s (docs/evaluation.md §4)", why);
}

/* ---- the award ---- */

const char *const evaluation_award_reasons[] = {"gave_up", "no_contract", "no_bond", "violation",
                                                NULL};

struct refusal
evaluation_rule_results_ready(const struct award_project *p, bool award)
{
    struct refusal r = {.conflict = true};
    size_t reported = 0;
    for (size_t i = 0; i < p->nlots; i++) {
        const struct lot_result *l = &p->lots[i];
        if (!award && !l->reported)
            return *refuse(&r, "ANN-NO-EVALUATION",
                           "lot %lld has no signed evaluation report: the candidates are "
                           "published once every opened lot's committee signed its report",
                           (long long)l->lot);
        if (award && l->reported && !l->decided)
            return *refuse(&r, "ANN-NO-AWARD",
                           "the tenderer has not decided the winner of lot %lld (POST "
                           "/api/v1/projects/{id}/award, 招标投标法 第四十条)",
                           (long long)l->lot);
        reported += l->reported;
    }
    if (!reported)
        return *refuse(&r, award ? "ANN-NO-AWARD" : "ANN-NO-EVALUATION",
                       "no lot of this project has a signed evaluation report");
    return (struct refusal){0};
}

static const struct lot_result *
lot_of(const struct award_project *p, int64_t lot)
{
    for (size_t i = 0; i < p->nlots; i++)
        if (p->lots[i].lot == lot)
            return &p->lots[i];
    return NULL;
}

struct refusal
evaluation_rule_award(const struct award_facts *f, int64_t now)
{
    struct refusal r = {.conflict = true};
    const struct award_project *p = f->p;
    if (strcmp(p->project_state, "candidates_published"))
        return *refuse(&r, "AWARD-STATE",
                       "the project is %s: the winner is decided once the candidates are "
                       "publicized",
                       p->project_state);
    if (now <= p->publicity_until_us)
        return *refuse(&r, "AWARD-PUBLICITY",
                       "the candidates' publicity runs until its end (实施条例 第五十四条); the "
                       "winner is decided after it");
    for (size_t i = 0; i < p->nlots; i++)
        if (p->lots[i].decided)
            return *refuse(&r, "AWARD-DECIDED", "the winner of lot %lld is decided already",
                           (long long)p->lots[i].lot);
    r.conflict = false;
    if ((r = evaluation_rule_signature("AWARD", f->sig, f->sig_rule, f->sig_why)).code)
        return r;
    size_t n = 0;
    const cJSON *x;
    int64_t seen[AWARD_MAX_LOTS];
    cJSON_ArrayForEach(x, f->choices)
    {
        int64_t lot = json_i64(x, "lot", 0), bid = json_i64(x, "bid_id", 0);
        const char *reason = json_str(x, "reason");
        const struct lot_result *l = lot_of(p, lot);
        if (!l || !l->reported)
            return *refuse(&r, "AWARD-LOTS", "lot %lld has no signed evaluation report",
                           (long long)lot);
        for (size_t k = 0; k < n; k++)
            if (seen[k] == lot)
                return *refuse(&r, "AWARD-LOTS", "lot %lld is decided twice", (long long)lot);
        if (n < AWARD_MAX_LOTS)
            seen[n++] = lot;
        const struct award_candidate *c = NULL;
        for (size_t k = 0; k < l->ncand; k++)
            if (l->cand[k].bid_id == bid)
                c = &l->cand[k];
        if (!c)
            return *refuse(&r, "AWARD-CANDIDATE",
                           "bid %lld is not a candidate of lot %lld: the winner is one of the "
                           "committee's candidates (招标投标法 第四十条)",
                           (long long)bid, (long long)lot);
        if (reason && !str_in(reason, evaluation_award_reasons))
            return *refuse(&r, "AWARD-NOT-FIRST",
                           "the reasons are gave_up, no_contract, no_bond, violation "
                           "(实施条例 第五十五条)");
        if (lapsed(p, c->org_id, now))
            return *refuse(
                &r, "AWARD-VALIDITY",
                "bid %lld lapsed: its bidder refused to extend the bid validity "
                "(评标委员会和评标方法暂行规定 第四十条); decide another candidate, with "
                "the reason gave_up",
                (long long)bid);
        if (l->objections_pending && (r.conflict = true))
            return *refuse(&r, "AWARD-OBJECTION",
                           "lot %lld: an objection to its result awaits the answer; the award "
                           "waits for it (实施条例 第五十四条)",
                           (long long)lot);
        if (c->rank != 1 && p->legally_required && !reason)
            return *refuse(&r, "AWARD-NOT-FIRST",
                           "lot %lld: the first candidate wins unless it gave up, did not sign or "
                           "perform, gave no bond, or broke the law (实施条例 第五十五条); say "
                           "which",
                           (long long)lot);
    }
    for (size_t i = 0; i < p->nlots; i++) {
        bool chosen = false;
        for (size_t k = 0; k < n; k++)
            chosen |= seen[k] == p->lots[i].lot;
        if (p->lots[i].reported && !chosen)
            return *refuse(&r, "AWARD-LOTS",
                           "lot %lld is not decided: one decision for every "
                           "evaluated lot",
                           (long long)p->lots[i].lot);
    }
    return (struct refusal){0};
}

struct refusal
evaluation_rule_contract(const struct contract_facts *f, int64_t now)
{
    struct refusal r = {.conflict = true};
    (void)now;
    if (strcmp(f->project_state, "awarded"))
        return *refuse(&r, "AWARD-STATE", "the project is %s: a contract follows the award notice",
                       f->project_state);
    if (!f->lot)
        return *refuse(&r, "AWARD-LOTS", "that lot has no winner");
    if (f->bidder) {
        if (!f->winner)
            return *refuse(&r, "AWARD-NOT-WINNER", "your organization did not win that lot");
        if (strcmp(f->lot->contract_state, "offered"))
            return *refuse(&r, "AWARD-CONTRACT-STATE",
                           "the contract of that lot is %s: the winner signs what the tenderer "
                           "signed",
                           *f->lot->contract_state ? f->lot->contract_state : "not offered yet");
    } else if (*f->lot->contract_state)
        return *refuse(&r, "AWARD-CONTRACT-STATE", "the contract of that lot is %s already",
                       f->lot->contract_state);
    if (f->lot->objections_pending)
        return *refuse(&r, "AWARD-OBJECTION",
                       "an objection to that lot's result awaits the answer; the contract waits "
                       "for it (实施条例 第五十四条; 政府采购法 第五十四条)");
    r.conflict = false;
    if ((r = evaluation_rule_signature("AWARD", f->sig, f->sig_rule, f->sig_why)).code)
        return r;
    if (!f->bidder && f->price_fen != f->lot->won.price_fen)
        return *refuse(&r, "AWARD-CONTRACT-PRICE",
                       "the contract's price is the winning bid's, %lld fen: a contract does not "
                       "depart from the tender and the bid (招标投标法 第四十六条)",
                       (long long)f->lot->won.price_fen);
    if (f->bidder && (f->price_fen != f->lot->contract_price ||
                      strcmp(f->document_sha256 ? f->document_sha256 : "", f->lot->contract_doc)))
        return *refuse(&r, "AWARD-CONTRACT-PRICE",
                       "the winner signs the contract as offered: %lld fen, the document %s",
                       (long long)f->lot->contract_price, f->lot->contract_doc);
    return (struct refusal){0};
}

struct refusal
evaluation_rule_close(const char *project_state, enum act_check sig, const char *sig_rule,
                      const char *sig_why)
{
    struct refusal r = {.conflict = true};
    if (strcmp(project_state, "contracted"))
        return *refuse(&r, "AWARD-STATE",
                       "the project is %s: it is closed by the written report once every "
                       "contract is signed",
                       project_state);
    return evaluation_rule_signature("AWARD", sig, sig_rule, sig_why);
}

/* ---- indicators ---- */

const struct eval_indicator_rule evaluation_indicator_rules[] = {
    {"IND-PRICE-PATTERN", "实施条例 第四十条（四）",
     "three or more opened prices form an arithmetic progression: every step between consecutive "
     "prices equal within the threshold (per mille of the lowest price)",
     1},
    {"IND-PRICE-CEILING", "实施条例 第四十条（四）",
     "every opened price (three or more) lies within the threshold (per mille) below the lot's "
     "estimate",
     10},
    {"IND-SAME-ACCOUNT", "实施条例 第四十条（六）",
     "two bidders' deposits came from the same payer account (the deposits stage's flag)", 0},
    {"IND-SAME-CLIENT", "实施条例 第四十条（一）",
     "two bidders' bids were handed in from the same client address (prepared by the same unit "
     "or person)",
     0},
    {"IND-SCORE-OUTLIER", "评标委员会和评标方法暂行规定 第五十三条",
     "a member's score on a criterion differs from the other members' mean by more than the "
     "threshold (per mille of the criterion's points)",
     300},
    {"IND-SCORE-FAVOUR", "评标委员会和评标方法暂行规定 第五十三条",
     "a member gives one bidder alone the top score on every subjective criterion (two or more) "
     "and no other member does",
     0},
    {NULL, NULL, NULL, 0},
};

static int64_t
indicator_threshold(const char *code)
{
    for (const struct eval_indicator_rule *r = evaluation_indicator_rules; r->code; r++)
        if (!strcmp(r->code, code))
            return r->threshold;
    return 0;
}

static struct eval_fired *
fire(struct eval_fired *out, size_t *n, size_t max, const char *code)
{
    if (*n >= max)
        return NULL;
    struct eval_fired *f = &out[(*n)++];
    memset(f, 0, sizeof *f);
    f->code = code;
    return f;
}

size_t
evaluation_rule_open_indicators(const struct eval_bid *bids, size_t n, int64_t ceiling,
                                const cJSON *same_payer, struct eval_fired *out, size_t max)
{
    size_t k = 0;
    int64_t p[EVAL_MAX_BIDS];
    size_t np = 0;
    for (size_t i = 0; i < n && np < EVAL_MAX_BIDS; i++) {
        size_t j = np++;
        for (; j > 0 && p[j - 1] > bids[i].price_fen; j--)
            p[j] = p[j - 1];
        p[j] = bids[i].price_fen;
    }
    if (np >= 3 && p[1] > p[0]) {
        int64_t step = p[1] - p[0], tol = p[0] * indicator_threshold("IND-PRICE-PATTERN") / 1000;
        bool regular = true;
        for (size_t i = 2; i < np && regular; i++) {
            int64_t d = p[i] - p[i - 1] - step;
            regular = (d < 0 ? -d : d) <= tol;
        }
        struct eval_fired *f = regular ? fire(out, &k, max, "IND-PRICE-PATTERN") : NULL;
        if (f) {
            snprintf(f->subject, sizeof f->subject, "%zu opened prices", np);
            snprintf(f->evidence, sizeof f->evidence, "from %lld fen in steps of %lld fen (±%lld)",
                     (long long)p[0], (long long)step, (long long)tol);
        }
    }
    if (np >= 3 && ceiling > 0) {
        int64_t floor = ceiling - ceiling * indicator_threshold("IND-PRICE-CEILING") / 1000;
        bool close = p[0] >= floor && p[np - 1] <= ceiling;
        struct eval_fired *f = close ? fire(out, &k, max, "IND-PRICE-CEILING") : NULL;
        if (f) {
            snprintf(f->subject, sizeof f->subject, "%zu opened prices", np);
            snprintf(f->evidence, sizeof f->evidence,
                     "all between %lld and %lld fen, the estimate %lld fen", (long long)p[0],
                     (long long)p[np - 1], (long long)ceiling);
        }
    }
    const cJSON *x;
    cJSON_ArrayForEach(x, same_payer)
    {
        struct eval_fired *f = fire(out, &k, max, "IND-SAME-ACCOUNT");
        if (!f)
            break;
        snprintf(f->subject, sizeof f->subject, "organizations %lld and %lld",
                 (long long)json_i64(x, "org_a", 0), (long long)json_i64(x, "org_b", 0));
        snprintf(f->evidence, sizeof f->evidence, "deposits paid from account %s",
                 json_str(x, "payer_account") ? json_str(x, "payer_account") : "?");
    }
    /* IND-SAME-CLIENT: two organizations' bids handed in from one client address */
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++) {
            if (!bids[i].client[0] || strcmp(bids[i].client, bids[j].client) ||
                bids[i].org_id == bids[j].org_id)
                continue;
            struct eval_fired *f = fire(out, &k, max, "IND-SAME-CLIENT");
            if (!f)
                return k;
            snprintf(f->subject, sizeof f->subject, "organizations %lld and %lld",
                     (long long)bids[i].org_id, (long long)bids[j].org_id);
            snprintf(f->evidence, sizeof f->evidence, "bids %lld and %lld handed in from %s",
                     (long long)bids[i].bid_id, (long long)bids[j].bid_id, bids[i].client);
        }
    return k;
}

static size_t score_indicators(const struct eval_session *s, const struct eval_act **acts,
                               const char **who, int64_t **dense, size_t nm, struct eval_fired *out,
                               size_t max);

size_t
evaluation_rule_score_indicators(const struct eval_session *s, struct eval_fired *out, size_t max)
{
    const struct scoring_method *m = &s->method;
    size_t k = 0, nm = 0;
    const struct eval_act *acts[EXPERTS_COMMITTEE_MAX];
    const char *who[EXPERTS_COMMITTEE_MAX];
    for (size_t i = 0; i < s->nmembers; i++)
        if (s->members[i].sitting && (acts[nm] = act_of(s, s->members[i].user_id, "detailed")))
            who[nm++] = s->members[i].pseudonym;
    if (m->kind != SCORING_COMPREHENSIVE || nm < 2)
        return 0;
    int64_t *dense[EXPERTS_COMMITTEE_MAX] = {0};
    for (size_t i = 0; i < nm; i++)
        dense[i] = dense_points(s, acts[i]);
    k = score_indicators(s, acts, who, dense, nm, out, max);
    for (size_t i = 0; i < nm; i++)
        free(dense[i]);
    return k;
}

/* evaluation_rule_score_indicators over the members' dense scores */
static size_t
score_indicators(const struct eval_session *s, const struct eval_act **acts, const char **who,
                 int64_t **dense, size_t nm, struct eval_fired *out, size_t max)
{
    const struct scoring_method *m = &s->method;
    size_t k = 0;
    (void)acts;
#define PTS(i, b, c) (dense[i] ? dense[i][(b)*m->ncrit + (c)] : 0)
    int64_t lim = indicator_threshold("IND-SCORE-OUTLIER");
    for (size_t b = 0; b < s->nbids; b++) {
        if (!s->bids[b].valid)
            continue;
        for (size_t c = 0; c < m->ncrit; c++) {
            int64_t v[EXPERTS_COMMITTEE_MAX], sum = 0;
            for (size_t i = 0; i < nm; i++)
                sum += v[i] = PTS(i, b, c);
            for (size_t i = 0; i < nm; i++) {
                if (!is_outlier(v, nm, i, m->crit[c].max_points, lim))
                    continue;
                int64_t others = sum - v[i];
                struct eval_fired *f = fire(out, &k, max, "IND-SCORE-OUTLIER");
                if (!f)
                    return k;
                char mine[24], mean[24];
                scoring_format(v[i], mine);
                scoring_format(scoring_div_half_up(others, (int64_t)(nm - 1)), mean);
                snprintf(f->subject, sizeof f->subject, "member %s, bid %lld, criterion %s", who[i],
                         (long long)s->bids[b].bid_id, m->crit[c].code);
                snprintf(f->evidence, sizeof f->evidence, "%s against the others' mean %s", mine,
                         mean);
            }
        }
    }
    if (m->ncrit < 2)
        return k;
    /* the bid each member puts alone on top of every criterion (0: none) */
    int64_t fav[EXPERTS_COMMITTEE_MAX] = {0};
    for (size_t i = 0; i < nm; i++) {
        int64_t pick = 0;
        bool all = true;
        for (size_t c = 0; c < m->ncrit && all; c++) {
            int64_t best = -1, top = 0;
            bool alone = false;
            for (size_t b = 0; b < s->nbids; b++) {
                if (!s->bids[b].valid)
                    continue;
                int64_t v = PTS(i, b, c);
                if (v > best) {
                    best = v;
                    top = s->bids[b].bid_id;
                    alone = true;
                } else if (v == best)
                    alone = false;
            }
            all = alone && (!pick || pick == top);
            pick = top;
        }
        fav[i] = all ? pick : 0;
    }
    for (size_t i = 0; i < nm; i++) {
        bool unique = fav[i] != 0;
        for (size_t j = 0; j < nm && unique; j++)
            unique = j == i || fav[j] != fav[i];
        struct eval_fired *f = unique ? fire(out, &k, max, "IND-SCORE-FAVOUR") : NULL;
        if (f) {
            snprintf(f->subject, sizeof f->subject, "member %s, bid %lld", who[i],
                     (long long)fav[i]);
            snprintf(f->evidence, sizeof f->evidence,
                     "the top score on all %zu criteria, alone among %zu members", m->ncrit, nm);
        }
    }
#undef PTS
    return k;
}

/* ---- the deadlines after the report ---- */

const char *const evaluation_deadline_names[] = {"publicity", "contract", "report", "validity",
                                                 NULL};

#define DAY_US (INT64_C(86400) * 1000000)

/* The end (the last microsecond, Beijing time) of the day statute id's period ends, counted from
 * the day of from_us; 0 when the statute does not apply to the category or a year is unknown. */
static int64_t
due_end(enum statute_id id, int category, int64_t from_us)
{
    int64_t n = statute_value(id, (enum category)category);
    if (n < 0 || !from_us)
        return 0;
    int64_t day = cal_day(from_us);
    if (statute_unit(id, (enum category)category) == U_WORKING_DAYS)
        day = cal_add_working_days(day, n, statute(id)->reading);
    else
        day += n;
    if (day == INT64_MIN)
        return 0;
    return (day + 1) * DAY_US - INT64_C(8) * 3600 * 1000000 - 1; /* CST midnight, less 1 µs */
}

void
evaluation_rule_deadlines(const struct award_project *p, int64_t due[DL__COUNT])
{
    int64_t last_report = 0, first_notice = 0, first_decision = 0;
    bool all_reported = p->nlots > 0;
    for (size_t i = 0; i < p->nlots; i++) {
        const struct lot_result *l = &p->lots[i];
        all_reported &= l->reported;
        if (l->reported && l->reported_us > last_report)
            last_report = l->reported_us;
        if (l->noticed_us && (!first_notice || l->noticed_us < first_notice))
            first_notice = l->noticed_us;
        if (l->decided && (!first_decision || l->decided_us < first_decision))
            first_decision = l->decided_us;
    }
    const char *st = p->project_state;
    due[DL_PUBLICITY] = all_reported && !strcmp(st, "evaluating")
                            ? due_end(S_EVAL_PUBLISH_DUE, p->category, last_report)
                            : 0;
    due[DL_CONTRACT] =
        !strcmp(st, "awarded") ? due_end(S_CONTRACT_DUE, p->category, first_notice) : 0;
    due[DL_REPORT] = !strcmp(st, "awarded") || !strcmp(st, "contracted")
                         ? due_end(S_RESULT_REPORT_DUE, p->category, first_decision)
                         : 0;
    /* the validity margin counts back from the validity's last day (暂行规定 第四十条) */
    int64_t margin = statute_value(S_EVAL_VALIDITY_MARGIN, (enum category)p->category);
    due[DL_VALIDITY] = 0;
    if (margin > 0 && p->validity_end_us && !first_decision &&
        (!strcmp(st, "evaluating") || !strcmp(st, "candidates_published"))) {
        /* a duty counted backwards: an uncertain day is a rest day, so the date is the earlier */
        int64_t day = cal_add_working_days(cal_day(p->validity_end_us), -margin, CAL_RIGHT);
        if (day != INT64_MIN)
            due[DL_VALIDITY] = (day + 1) * DAY_US - INT64_C(8) * 3600 * 1000000 - 1;
    }
}

enum deadline_act
evaluation_rule_deadline_act(const struct deadline_state *d, int64_t now)
{
    if (!d->due_us)
        return DA_NONE;
    if (now > d->due_us)
        return d->flagged ? DA_NONE : DA_FLAG;
    if (now >= d->due_us - AWARD_WARN_US)
        return d->warned ? DA_NONE : DA_WARN;
    return DA_NONE;
}

/* ---- the bid validity's extension (docs/evaluation.md §9d) ---- */

struct refusal
evaluation_rule_validity_ask(const struct validity_ask_facts *f, int64_t now)
{
    struct refusal r = {.conflict = true};
    const struct award_project *p = f->p;
    const char *s = p->project_state;
    if (strcmp(s, "opened") && strcmp(s, "evaluating") && strcmp(s, "candidates_published"))
        return *refuse(&r, "EVAL-VALIDITY",
                       "the project is %s: the validity is extended between the opening and the "
                       "award",
                       s);
    for (size_t i = 0; i < p->nlots; i++)
        if (p->lots[i].decided)
            return *refuse(&r, "EVAL-VALIDITY", "the winner of lot %lld is decided already",
                           (long long)p->lots[i].lot);
    if (!p->validity_end_us || now > p->validity_end_us)
        return *refuse(&r, "EVAL-VALIDITY",
                       "the bid validity has ended (or is unknown): it is extended before it "
                       "ends (评标委员会和评标方法暂行规定 第四十条)");
    r.conflict = false;
    if ((r = evaluation_rule_signature("EVAL", f->sig, f->sig_rule, f->sig_why)).code)
        return r;
    if (f->until_us <= p->validity_end_us)
        return *refuse(&r, "EVAL-VALIDITY",
                       "the new end must come after the validity's present end");
    return (struct refusal){0};
}

struct refusal
evaluation_rule_validity_answer(const struct validity_answer_facts *f, int64_t now)
{
    struct refusal r = {.conflict = true};
    if (!f->asked)
        return *refuse(&r, "EVAL-VALIDITY", "no extension of the bid validity is asked");
    if (f->answered)
        return *refuse(&r, "EVAL-VALIDITY", "your organization has answered already");
    if (now > f->from_us)
        return *refuse(&r, "EVAL-VALIDITY",
                       "the validity it would extend has ended: an answer comes before its end, "
                       "and silence counts as a refusal");
    r.conflict = false;
    return evaluation_rule_signature("EVAL", f->sig, f->sig_rule, f->sig_why);
}

/* Did organization org refuse the latest extension, the old end having passed (its bid lapsed)? */
static bool
lapsed(const struct award_project *p, int64_t org, int64_t now)
{
    if (!p->validity_first_us || now <= p->validity_first_us ||
        p->validity_first_us == p->validity_end_us)
        return false;
    for (size_t i = 0; i < p->nrefused; i++)
        if (p->refused[i] == org)
            return true;
    return false;
}

/* ---- objections to the result (docs/evaluation.md §8b) ---- */

int64_t
evaluation_rule_objection_window(const struct award_project *p)
{
    if (!p->publicity_until_us)
        return 0;
    if (statute_value(S_OBJECTION_WINDOW, (enum category)p->category) <= 0)
        return p->publicity_until_us; /* during the publicity (实施条例 第五十四条) */
    int64_t end = due_end(S_OBJECTION_WINDOW, p->category, p->publicity_until_us);
    return end ? end : p->publicity_until_us;
}

int64_t
evaluation_rule_objection_due(int category, int64_t filed_us)
{
    int64_t due = due_end(S_OBJECTION_ANSWER_DUE, category, filed_us);
    return due ? due : due_end(S_OBJECTION_ANSWER_DUE, CAT_ENGINEERING, filed_us);
}

struct refusal
evaluation_rule_object(const struct objection_facts *f, int64_t now)
{
    struct refusal r = {0};
    const struct award_project *p = f->p;
    if (!f->lot)
        return *refuse(&r, "OBJ-LOT", "that lot has no signed evaluation report to object to");
    if (!f->bidder_of_lot)
        return *refuse(&r, "OBJ-STANDING",
                       "only a bidder of lot %lld may object to its result (实施条例 第五十四条)",
                       (long long)f->lot->lot);
    r.conflict = true;
    bool gp = p->category == CAT_PROCUREMENT;
    bool state_ok = !strcmp(p->project_state, "candidates_published") ||
                    (gp && !strcmp(p->project_state, "awarded"));
    int64_t end = evaluation_rule_objection_window(p);
    if (!state_ok || !end || now > end || !strcmp(f->lot->contract_state, "signed"))
        return *refuse(&r, "OBJ-WINDOW",
                       gp ? "an objection (质疑) to the result is made within 7 working days after "
                            "its announcement period, before the contract (政府采购法 第五十二条)"
                          : "an objection to the result is made during the candidates' publicity "
                            "(实施条例 第五十四条)");
    if (gp && f->objected_before)
        return *refuse(&r, "OBJ-ONCE",
                       "under government procurement a supplier raises every objection to one "
                       "step at once (财政部令第94号 第十条): yours to lot %lld is on record",
                       (long long)f->lot->lot);
    if (f->pending_own)
        return *refuse(&r, "OBJ-PENDING",
                       "your organization's objection to lot %lld awaits its answer; add to it "
                       "once answered",
                       (long long)f->lot->lot);
    r.conflict = false;
    if ((r = evaluation_rule_signature("OBJ", f->sig, f->sig_rule, f->sig_why)).code)
        return r;
    if (f->text_len < 2 || f->text_len > OBJECTION_MAX_TEXT)
        return *refuse(&r, "OBJ-PAYLOAD", "an objection states its grounds in 2 to %d bytes",
                       OBJECTION_MAX_TEXT);
    return (struct refusal){0};
}

struct refusal
evaluation_rule_object_answer(const struct objection_answer_facts *f, int64_t now)
{
    struct refusal r = {.conflict = true};
    (void)now;
    if (f->answered)
        return *refuse(&r, "OBJ-ANSWERED", "that objection is answered already");
    r.conflict = false;
    if ((r = evaluation_rule_signature("OBJ", f->sig, f->sig_rule, f->sig_why)).code)
        return r;
    if (f->answer_len < 2 || f->answer_len > OBJECTION_MAX_TEXT)
        return *refuse(&r, "OBJ-PAYLOAD", "an answer gives its reasons in 2 to %d bytes",
                       OBJECTION_MAX_TEXT);
    return (struct refusal){0};
}

bool
evaluation_rule_stream_sees(const char *cls, unsigned role, bool member)
{
    if (!strcmp(cls, "progress") || !strcmp(cls, "state"))
        return true;
    if (!strcmp(cls, "indicator") || !strcmp(cls, "clarification"))
        return member || (role & (ROLE_CENTER_ADMIN | ROLE_SUPERVISOR));
    return false; /* default deny: a class nobody listed */
}

bool
evaluation_rule_reject_all_carried(const struct eval_session *s)
{
    size_t votes = 0;
    for (size_t i = 0; i < s->nmembers; i++)
        if (s->members[i].sitting)
            votes += act_of(s, s->members[i].user_id, "reject_all") != NULL;
    return 2 * votes > sitting(s);
}

void
evaluation_rule_reject_everything(struct eval_session *s)
{
    for (size_t i = 0; i < s->nbids; i++)
        if (s->bids[i].valid) {
            s->bids[i].valid = false;
            snprintf(s->bids[i].rejected_at, sizeof s->bids[i].rejected_at, "%s",
                     evaluation_steps[s->step]);
        }
    s->step = STEP_REPORT;
}

bool
evaluation_rule_more_time_granted(const struct eval_session *s)
{
    size_t asked = 0;
    for (size_t i = 0; i < s->nmembers; i++) {
        if (!s->members[i].sitting)
            continue;
        for (size_t a = 0; a < s->nacts; a++)
            if (s->acts[a].user_id == s->members[i].user_id &&
                !strcmp(s->acts[a].kind, "more_time") && s->acts[a].round == s->extensions + 1) {
                asked++;
                break;
            }
    }
    return 3 * asked > sitting(s); /* more than a third (实施条例 第四十八条) */
}
