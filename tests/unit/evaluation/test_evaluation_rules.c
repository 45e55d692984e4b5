/* Unit tests of the evaluation's pure rules (modules/evaluation/rules.c): opening a session,
 * a member's act, the chair's election, the reviews' majority and the drafted result. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "calendar.h"
#include "internal.h"

#define DAY (INT64_C(86400) * 1000000)

static struct open_facts
ready(void)
{
    return (struct open_facts){.booking_found = true,
                               .own_agency = true,
                               .lot_in_booking = true,
                               .purpose = "evaluation",
                               .booking_state = "approved",
                               .start_us = 100,
                               .end_us = 200,
                               .project_state = "evaluating",
                               .committee_found = true,
                               .committee_state = "complete",
                               .sitting = 5,
                               .signed_in = 5,
                               .lot_opened = true,
                               .nbids = 3,
                               .method_found = true};
}

static void
a_session_opens_only_when_every_fact_holds_and_says_the_first_that_does_not(void)
{
    struct open_facts f = ready();
    CHECK(!evaluation_rule_open(&f, 150).code);
    CHECK_STR(evaluation_rule_open(&f, 99).code, "EVAL-TIME");
    CHECK_STR(evaluation_rule_open(&f, 200).code, "EVAL-TIME");
    f.signed_in = 4;
    f.absent = "aaaa";
    struct refusal r = evaluation_rule_open(&f, 150);
    CHECK_STR(r.code, "EVAL-SIGN-IN");
    CHECK(r.conflict && strstr(r.why, "aaaa"));
    f = ready();
    f.committee_state = "drawn";
    CHECK_STR(evaluation_rule_open(&f, 150).code, "EVAL-COMMITTEE");
    f = ready();
    f.method_found = false;
    CHECK_STR(evaluation_rule_open(&f, 150).code, "EVAL-NO-METHOD");
    f = ready();
    f.method.code = "R-EVAL-PRICE-WEIGHT";
    CHECK_STR(evaluation_rule_open(&f, 150).code, "R-EVAL-PRICE-WEIGHT");
    f = ready();
    f.project_state = "opened";
    CHECK_STR(evaluation_rule_open(&f, 150).code, "EVAL-PROJECT-STATE");
    f = ready();
    f.own_agency = false;
    r = evaluation_rule_open(&f, 150);
    CHECK_STR(r.code, "EVAL-BOOKING");
    CHECK(!r.conflict);
    f = ready();
    f.exists = true;
    CHECK_STR(evaluation_rule_open(&f, 150).code, "EVAL-EXISTS");
    f = ready();
    f.nbids = 0;
    CHECK_STR(evaluation_rule_open(&f, 150).code, "EVAL-NOT-OPENED");
}

/* a session of three members and two bids under the worked example's method */
static struct eval_session *
session(void)
{
    struct eval_session *s = calloc(1, sizeof *s);
    cJSON *m = cJSON_Parse(
        "{\"method\":\"comprehensive\",\"object\":\"works\",\"decimals\":1,\"price_points\":3000,"
        "\"criteria\":[{\"code\":\"T\",\"name\":\"t\",\"max_points\":7000}]}");
    CHECK(!scoring_rule_method(m, CAT_ENGINEERING, &s->method).code);
    cJSON_Delete(m);
    s->id = 1;
    s->chair_round = 1;
    snprintf(s->state, sizeof s->state, "open");
    s->nmembers = 3;
    for (size_t i = 0; i < 3; i++) {
        s->members[i].user_id = (int64_t)i + 10;
        snprintf(s->members[i].pseudonym, sizeof s->members[i].pseudonym, "p%zu", i);
        s->members[i].sitting = true;
    }
    s->nbids = 2;
    s->bids[0] = (struct eval_bid){.bid_id = 7, .org_id = 70, .price_fen = 1000, .valid = true};
    s->bids[1] = (struct eval_bid){.bid_id = 8, .org_id = 80, .price_fen = 800, .valid = true};
    s->acts = calloc(32, sizeof *s->acts);
    return s;
}

static void
add(struct eval_session *s, int64_t user, const char *kind, const char *payload)
{
    struct eval_act *a = &s->acts[s->nacts++];
    a->user_id = user;
    a->round = s->chair_round;
    snprintf(a->kind, sizeof a->kind, "%s", kind);
    a->payload = cJSON_Parse(payload);
    CHECK(a->payload != NULL);
}

static void
done(struct eval_session *s)
{
    eval_session_free(s);
    free(s);
}

static struct refusal
act(struct eval_session *s, int64_t user, const char *kind, const char *payload, enum act_check sig)
{
    cJSON *p = cJSON_Parse(payload);
    struct act_facts f = {.s = s,
                          .me = eval_member_of(s, user),
                          .kind = kind,
                          .payload = p,
                          .sig = sig,
                          .sig_why = "why"};
    for (size_t i = 0; f.me && i < s->nacts; i++)
        f.done |= s->acts[i].user_id == user && !strcmp(s->acts[i].kind, kind);
    struct refusal r = evaluation_rule_act(&f, 0);
    cJSON_Delete(p);
    return r;
}

static void
an_act_is_refused_outside_the_committee_out_of_step_twice_unsigned_or_while_paused(void)
{
    struct eval_session *s = session();
    CHECK(!act(s, 10, "pledge", "{\"conflict\":false}", ACT_OK).code);
    CHECK_STR(act(s, 99, "pledge", "{\"conflict\":false}", ACT_OK).code, "EVAL-NOT-MEMBER");
    CHECK_STR(act(s, 10, "chair", "{\"chair\":\"p0\"}", ACT_OK).code, "EVAL-STEP");
    CHECK_STR(act(s, 10, "pledge", "{\"conflict\":false}", ACT_SIGNATURE).code, "EVAL-SIGNATURE");
    CHECK_STR(act(s, 10, "pledge", "{\"conflict\":false}", ACT_TIME).code, "EVAL-SIGNED-TIME");
    CHECK(!act(s, 10, "pledge", "{\"conflict\":true}", ACT_OK).code); /* 回避: declared */
    add(s, 10, "pledge", "{\"conflict\":false}");
    CHECK_STR(act(s, 10, "pledge", "{\"conflict\":false}", ACT_OK).code, "EVAL-DONE");
    snprintf(s->state, sizeof s->state, "paused");
    CHECK_STR(act(s, 11, "pledge", "{\"conflict\":false}", ACT_OK).code, "EVAL-PAUSED");
    snprintf(s->state, sizeof s->state, "open");
    s->members[2].sitting = false;
    CHECK_STR(act(s, 12, "pledge", "{\"conflict\":false}", ACT_OK).code, "EVAL-NOT-MEMBER");
    done(s);
}

static void
a_replacement_takes_a_vacant_seat_by_pledging_and_a_vacancy_holds_the_step(void)
{
    struct eval_session *s = session();
    s->seats = 3;
    s->members[2].sitting = false; /* recused */
    add(s, 10, "pledge", "{\"conflict\":false}");
    add(s, 11, "pledge", "{\"conflict\":false}");
    CHECK(!evaluation_rule_step_complete(s)); /* a seat is vacant */
    cJSON *p = cJSON_Parse("{\"conflict\":false}");
    struct act_facts f = {.s = s, .kind = "pledge", .payload = p, .joining = true};
    CHECK(!evaluation_rule_act(&f, 0).code);
    f.joining = false;
    CHECK_STR(evaluation_rule_act(&f, 0).code, "EVAL-NOT-MEMBER");
    f.joining = true;
    s->step = STEP_CHAIR;
    CHECK_STR(evaluation_rule_act(&f, 0).code, "EVAL-NOT-MEMBER"); /* only while pledging */
    s->step = STEP_PLEDGE;
    s->members[2].sitting = true; /* no vacancy */
    CHECK_STR(evaluation_rule_act(&f, 0).code, "EVAL-NOT-MEMBER");
    cJSON_Delete(p);
    done(s);
}

static void
a_review_fails_a_bid_only_on_a_ground_with_reasons_and_covers_every_bid_once(void)
{
    struct eval_session *s = session();
    s->step = STEP_QUALIFICATION;
    CHECK(!act(s, 10, "qualification",
               "{\"bids\":[{\"bid_id\":7,\"pass\":true},{\"bid_id\":8,\"pass\":false,"
               "\"ground\":\"51-3\",\"reason\":\"资质不符\"}]}",
               ACT_OK)
               .code);
    CHECK_STR(act(s, 10, "qualification",
                  "{\"bids\":[{\"bid_id\":7,\"pass\":true},{\"bid_id\":8,\"pass\":false}]}", ACT_OK)
                  .code,
              "EVAL-GROUND");
    CHECK_STR(act(s, 10, "qualification",
                  "{\"bids\":[{\"bid_id\":7,\"pass\":true},{\"bid_id\":8,\"pass\":false,"
                  "\"ground\":\"51-9\",\"reason\":\"理由\"}]}",
                  ACT_OK)
                  .code,
              "EVAL-GROUND");
    CHECK_STR(act(s, 10, "qualification", "{\"bids\":[{\"bid_id\":7,\"pass\":true}]}", ACT_OK).code,
              "EVAL-PAYLOAD");
    CHECK_STR(act(s, 10, "qualification",
                  "{\"bids\":[{\"bid_id\":7,\"pass\":true},{\"bid_id\":7,\"pass\":true}]}", ACT_OK)
                  .code,
              "EVAL-PAYLOAD");
    done(s);
}

static void
the_chair_needs_more_than_half_of_the_votes_and_a_review_rejects_by_majority(void)
{
    struct eval_session *s = session();
    s->step = STEP_CHAIR;
    add(s, 10, "chair", "{\"chair\":\"p1\"}");
    add(s, 11, "chair", "{\"chair\":\"p0\"}");
    CHECK(!evaluation_rule_step_complete(s));
    add(s, 12, "chair", "{\"chair\":\"p2\"}");
    CHECK(evaluation_rule_step_complete(s));
    CHECK(evaluation_rule_chair(s) == 0); /* 1–1–1: vote again */
    s->chair_round = 2;
    CHECK(!evaluation_rule_step_complete(s));
    add(s, 10, "chair", "{\"chair\":\"p1\"}");
    add(s, 11, "chair", "{\"chair\":\"p1\"}");
    add(s, 12, "chair", "{\"chair\":\"p0\"}");
    CHECK(evaluation_rule_chair(s) == 11);
    s->step = STEP_PRELIMINARY;
    const char *fail8 = "{\"bids\":[{\"bid_id\":7,\"pass\":true},{\"bid_id\":8,\"pass\":false,"
                        "\"ground\":\"51-6\",\"reason\":\"未响应\"}]}";
    add(s, 10, "preliminary", fail8);
    add(s, 11, "preliminary",
        "{\"bids\":[{\"bid_id\":7,\"pass\":true},{\"bid_id\":8,\"pass\":true}]}");
    add(s, 12, "preliminary", fail8);
    evaluation_rule_reviews(s, STEP_PRELIMINARY);
    CHECK(s->bids[0].valid && !s->bids[1].valid && !strcmp(s->bids[1].rejected_at, "preliminary"));
    CHECK(evaluation_rule_next(STEP_PRELIMINARY, SCORING_COMPREHENSIVE) == STEP_DETAILED);
    CHECK(evaluation_rule_next(STEP_PRELIMINARY, SCORING_LOWEST_PRICE) == STEP_REPORT);
    done(s);
}

static void
the_result_averages_each_criterion_half_up_and_ranks_by_total(void)
{
    struct eval_session *s = session();
    s->step = STEP_DETAILED;
    add(s, 10, "detailed",
        "{\"scores\":[{\"bid_id\":7,\"points\":{\"T\":\"60\"}},"
        "{\"bid_id\":8,\"points\":{\"T\":\"50.5\"}}]}");
    add(s, 11, "detailed",
        "{\"scores\":[{\"bid_id\":7,\"points\":{\"T\":\"61\"}},"
        "{\"bid_id\":8,\"points\":{\"T\":\"50\"}}]}");
    add(s, 12, "detailed",
        "{\"scores\":[{\"bid_id\":7,\"points\":{\"T\":\"61\"}},"
        "{\"bid_id\":8,\"points\":{\"T\":\"50\"}}]}");
    cJSON *r = evaluation_rule_result(s);
    char *text = cJSON_PrintUnformatted(cJSON_GetObjectItem(r, "ranking"));
    /* bid 7: price 800/1000 × 30 = 24.00, T mean 60.67 → 84.67; bid 8: 30.00 + 50.17 = 80.17 */
    CHECK_STR(text, "[{\"rank\":1,\"bid_id\":7,\"org_id\":70,\"price_fen\":1000,\"price_score\":"
                    "\"24.00\",\"subjective\":\"60.67\",\"total\":\"84.67\",\"tied\":false},"
                    "{\"rank\":2,\"bid_id\":8,\"org_id\":80,\"price_fen\":800,\"price_score\":"
                    "\"30.00\",\"subjective\":\"50.17\",\"total\":\"80.17\",\"tied\":false}]");
    cJSON_free(text);
    CHECK(cJSON_GetArraySize(cJSON_GetObjectItem(r, "candidates")) == 2);
    cJSON_Delete(r);
    CHECK_STR(act(s, 10, "detailed",
                  "{\"scores\":[{\"bid_id\":7,\"points\":{\"T\":\"60.25\"}},"
                  "{\"bid_id\":8,\"points\":{\"T\":\"50\"}}]}",
                  ACT_OK)
                  .code,
              "EVAL-DONE");
    done(s);
}

static void
a_score_changes_after_summing_only_for_an_outlier_or_an_objective_mismatch(void)
{
    struct eval_session *s = session(); /* T: not declared objective */
    s->step = STEP_REPORT;
    add(s, 10, "detailed",
        "{\"scores\":[{\"bid_id\":7,\"points\":{\"T\":\"10\"}},"
        "{\"bid_id\":8,\"points\":{\"T\":\"50\"}}]}");
    add(s, 11, "detailed",
        "{\"scores\":[{\"bid_id\":7,\"points\":{\"T\":\"60\"}},"
        "{\"bid_id\":8,\"points\":{\"T\":\"50\"}}]}");
    add(s, 12, "detailed",
        "{\"scores\":[{\"bid_id\":7,\"points\":{\"T\":\"61\"}},"
        "{\"bid_id\":8,\"points\":{\"T\":\"50\"}}]}");
#define FIX(bid, pts, why)                                                                         \
    "{\"bid_id\":" #bid ",\"criterion\":\"T\",\"points\":\"" pts "\",\"reason\":\"" why            \
    "\",\"note\":\"复核\"}"
    /* (一)(二) cannot arise; T is not objective; 50 among 50s is no outlier; 10 against 60.5 is */
    CHECK_STR(act(s, 10, "correct", FIX(7, "60", "sum_error"), ACT_OK).code, "EVAL-CORRECT");
    CHECK_STR(act(s, 10, "correct", FIX(7, "60", "objective_mismatch"), ACT_OK).code,
              "EVAL-CORRECT");
    CHECK_STR(act(s, 11, "correct", FIX(8, "40", "extreme"), ACT_OK).code, "EVAL-CORRECT");
    CHECK_STR(act(s, 10, "correct", FIX(7, "10", "extreme"), ACT_OK).code, "EVAL-CORRECT");
    CHECK_STR(act(s, 10, "correct", FIX(7, "60", "whim"), ACT_OK).code, "EVAL-PAYLOAD");
    CHECK(!act(s, 10, "correct", FIX(7, "60", "extreme"), ACT_OK).code);
    s->method.crit[0].objective = true;
    CHECK(!act(s, 11, "correct", FIX(7, "61", "objective_mismatch"), ACT_OK).code);
    /* applied: the result is drafted from the corrected score and records the change */
    add(s, 10, "correct", FIX(7, "60", "extreme"));
    cJSON *r = evaluation_rule_result(s);
    const cJSON *c = cJSON_GetArrayItem(cJSON_GetObjectItem(r, "corrections"), 0);
    CHECK_STR(cJSON_GetObjectItem(c, "from")->valuestring, "10.00");
    CHECK_STR(cJSON_GetObjectItem(c, "to")->valuestring, "60.00");
    const cJSON *b7 = cJSON_GetArrayItem(cJSON_GetObjectItem(r, "bids"), 0);
    CHECK_STR(cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(b7, "criteria"), "T"),
                                  "committee")
                  ->valuestring,
              "60.33");
    cJSON_Delete(r);
    /* not before summing, not once a member signed */
    add(s, 11, "report", "{\"agree\":true}");
    CHECK_STR(act(s, 12, "correct", FIX(7, "60", "extreme"), ACT_OK).code, "EVAL-STEP");
    s->step = STEP_DETAILED;
    CHECK_STR(act(s, 12, "correct", FIX(7, "60", "extreme"), ACT_OK).code, "EVAL-STEP");
#undef FIX
    done(s);
}

static void
the_purchasers_representative_never_chairs_and_seats_are_counted(void)
{
    struct eval_session *s = session();
    snprintf(s->members[2].pseudonym, sizeof s->members[2].pseudonym, "rep-12");
    s->step = STEP_CHAIR;
    CHECK(!act(s, 10, "chair", "{\"chair\":\"rep-12\"}", ACT_OK).code); /* tendering: may chair */
    s->category = CAT_PROCUREMENT; /* 财政部令第87号 第四十五条 */
    CHECK_STR(act(s, 10, "chair", "{\"chair\":\"rep-12\"}", ACT_OK).code,
              "EVAL-CHAIR-REPRESENTATIVE");
    CHECK(!act(s, 10, "chair", "{\"chair\":\"p1\"}", ACT_OK).code);
    CHECK(evaluation_rule_is_rep("rep-12") && !evaluation_rule_is_rep("p1"));
    done(s);
    struct designate_facts f = {.booking_found = true,
                                .own_project = true,
                                .committee_found = true,
                                .owner_reps = 1,
                                .user_ok = true,
                                .session = "",
                                .sig = ACT_OK};
    CHECK(!evaluation_rule_designate(&f, 0).code);
    f.designated = 1; /* the one seat taken */
    CHECK_STR(evaluation_rule_designate(&f, 0).code, "EVAL-REPRESENTATIVE");
    f.recused = 1; /* its holder recused: another may take it */
    CHECK(!evaluation_rule_designate(&f, 0).code);
    f.user_ok = false;
    CHECK_STR(evaluation_rule_designate(&f, 0).code, "EVAL-REPRESENTATIVE");
    f.user_ok = true;
    f.owner_reps = 0;
    CHECK_STR(evaluation_rule_designate(&f, 0).code, "EVAL-REPRESENTATIVE");
    f.owner_reps = 1;
    f.own_project = false;
    CHECK_STR(evaluation_rule_designate(&f, 0).code, "EVAL-BOOKING");
}

static void
pause_and_resume_go_one_way_each(void)
{
    CHECK(!evaluation_rule_pause("open", true).code);
    CHECK_STR(evaluation_rule_pause("paused", true).code, "EVAL-STATE");
    CHECK(!evaluation_rule_pause("paused", false).code);
    CHECK_STR(evaluation_rule_pause("reported", false).code, "EVAL-STATE");
}

static void
a_clarification_is_answered_once_in_time_only_by_whom_it_was_asked(void)
{
    struct eval_clar k = {.id = 1, .evaluation_id = 1, .answer_by_us = 1000};
    struct clarify_answer_facts f = {.clar = &k, .session_state = "open", .answer_len = 10};
    CHECK(!evaluation_rule_clarify_answer(&f, 1000).code);
    CHECK_STR(evaluation_rule_clarify_answer(&f, 1001).code, "EVAL-CLARIFY-LATE");
    f.sig = ACT_SIGNATURE;
    CHECK_STR(evaluation_rule_clarify_answer(&f, 999).code, "EVAL-SIGNATURE");
    f.sig = ACT_OK;
    f.session_state = "paused";
    CHECK_STR(evaluation_rule_clarify_answer(&f, 999).code, "EVAL-PAUSED");
    f.session_state = "open";
    k.answered = true;
    CHECK_STR(evaluation_rule_clarify_answer(&f, 999).code, "EVAL-CLARIFY-STATE");
    f.clar = NULL;
    CHECK_STR(evaluation_rule_clarify_answer(&f, 999).code, "EVAL-CLARIFY-STATE");
    /* the committee asks during the reviews only; the chair records the finding */
    struct eval_session *s = session();
    CHECK_STR(
        act(s, 10, "clarify", "{\"bid_id\":7,\"question\":\"q?\",\"answer_by_us\":1}", ACT_OK).code,
        "EVAL-STEP");
    s->step = STEP_DETAILED;
    s->chair_user = 11;
    CHECK_STR(
        act(s, 10, "clarify", "{\"bid_id\":7,\"question\":\"q?\",\"answer_by_us\":0}", ACT_OK).code,
        "EVAL-PAYLOAD"); /* its time is past */
    CHECK_STR(act(s, 10, "finding", "{\"clarification_id\":1,\"substantive\":false,\"note\":\"\"}",
                  ACT_OK)
                  .code,
              "EVAL-CHAIR");
    done(s);
}

static void
indicators_fire_on_regular_prices_prices_at_the_ceiling_shared_accounts_and_odd_scores(void)
{
    struct eval_bid b[] = {{.bid_id = 1, .price_fen = 1000000},
                           {.bid_id = 2, .price_fen = 1100000},
                           {.bid_id = 3, .price_fen = 1200500}};
    struct eval_fired f[8];
    /* steps 100000 and 100500: within 1 per mille of the lowest price (1000) */
    CHECK(evaluation_rule_open_indicators(b, 3, 0, NULL, f, 8) == 1);
    CHECK_STR(f[0].code, "IND-PRICE-PATTERN");
    b[2].price_fen = 1201001;
    CHECK(evaluation_rule_open_indicators(b, 3, 0, NULL, f, 8) == 0);
    CHECK(evaluation_rule_open_indicators(b, 2, 0, NULL, f, 8) == 0); /* two prices: no pattern */
    /* all within 1 % below the estimate */
    struct eval_bid c[] = {{.bid_id = 1, .price_fen = 9960},
                           {.bid_id = 2, .price_fen = 9999},
                           {.bid_id = 3, .price_fen = 9901}};
    CHECK(evaluation_rule_open_indicators(c, 3, 10000, NULL, f, 8) == 1);
    CHECK_STR(f[0].code, "IND-PRICE-CEILING");
    c[2].price_fen = 9899;
    CHECK(evaluation_rule_open_indicators(c, 3, 10000, NULL, f, 8) == 0);
    cJSON *pay = cJSON_Parse("[{\"org_a\":1,\"org_b\":2,\"payer_account\":\"6222\"}]");
    CHECK(evaluation_rule_open_indicators(c, 3, 10000, pay, f, 8) == 1);
    CHECK_STR(f[0].code, "IND-SAME-ACCOUNT");
    cJSON_Delete(pay);
    /* two organizations' bids from one client address; one organization's revisions do not count */
    snprintf(c[0].client, sizeof c[0].client, "203.0.113.7");
    snprintf(c[2].client, sizeof c[2].client, "203.0.113.7");
    c[0].org_id = 70, c[1].org_id = 80, c[2].org_id = 90;
    CHECK(evaluation_rule_open_indicators(c, 3, 10000, NULL, f, 8) == 1);
    CHECK_STR(f[0].code, "IND-SAME-CLIENT");
    CHECK(strstr(f[0].evidence, "203.0.113.7") != NULL);
    c[2].org_id = 70;
    CHECK(evaluation_rule_open_indicators(c, 3, 10000, NULL, f, 8) == 0);
    /* scores: member 12 far from the others on bid 7, and alone in favouring bid 8 */
    struct eval_session *s = session();
    cJSON *m =
        cJSON_Parse("{\"method\":\"comprehensive\",\"object\":\"works\",\"price_points\":3000,"
                    "\"criteria\":[{\"code\":\"T\",\"name\":\"t\",\"max_points\":4000},"
                    "{\"code\":\"S\",\"name\":\"s\",\"max_points\":3000}]}");
    CHECK(!scoring_rule_method(m, CAT_ENGINEERING, &s->method).code);
    cJSON_Delete(m);
    add(s, 10, "detailed",
        "{\"scores\":[{\"bid_id\":7,\"points\":{\"T\":\"30\",\"S\":\"20\"}},"
        "{\"bid_id\":8,\"points\":{\"T\":\"29\",\"S\":\"20\"}}]}");
    add(s, 11, "detailed",
        "{\"scores\":[{\"bid_id\":7,\"points\":{\"T\":\"31\",\"S\":\"20\"}},"
        "{\"bid_id\":8,\"points\":{\"T\":\"29\",\"S\":\"21\"}}]}");
    add(s, 12, "detailed",
        "{\"scores\":[{\"bid_id\":7,\"points\":{\"T\":\"10\",\"S\":\"19\"}},"
        "{\"bid_id\":8,\"points\":{\"T\":\"29\",\"S\":\"20\"}}]}");
    size_t n = evaluation_rule_score_indicators(s, f, 8);
    CHECK(n == 2);
    CHECK_STR(f[0].code, "IND-SCORE-OUTLIER"); /* 10 against 30.5: 20.5 > 30 % of 40 */
    CHECK(strstr(f[0].subject, "p2") && strstr(f[0].subject, "bid 7"));
    CHECK_STR(f[1].code, "IND-SCORE-FAVOUR");
    CHECK(strstr(f[1].subject, "p2") && strstr(f[1].subject, "bid 8"));
    done(s);
}

/* 10:00 Beijing time of a day (y-m-d) */
static int64_t
at10(int y, int m, int d)
{
    return cal_day_from_ymd(y, m, d) * DAY - INT64_C(8) * 3600 * 1000000 +
           INT64_C(10) * 3600 * 1000000;
}
/* the last microsecond of a day, Beijing time */
static int64_t
end_of(int y, int m, int d)
{
    return (cal_day_from_ymd(y, m, d) + 1) * DAY - INT64_C(8) * 3600 * 1000000 - 1;
}

static void
each_deadline_runs_in_its_state_is_warned_a_day_before_and_flagged_once_after(void)
{
    struct award_project p = {
        .project_state = "evaluating", .nlots = 2, .category = CAT_ENGINEERING};
    p.lots[0] = (struct lot_result){.lot = 1, .reported = true, .reported_us = at10(2026, 12, 4)};
    p.lots[1] = (struct lot_result){.lot = 2, .reported = false};
    int64_t due[DL__COUNT];
    evaluation_rule_deadlines(&p, due);
    CHECK(due[DL_PUBLICITY] == 0); /* lot 2 has no report yet */
    p.lots[1].reported = true;
    p.lots[1].reported_us = at10(2026, 12, 7); /* a Monday */
    evaluation_rule_deadlines(&p, due);
    /* the tendering law: 3 days (实施条例 第五十四条), to the end of Thursday */
    CHECK(due[DL_PUBLICITY] == end_of(2026, 12, 10) && due[DL_CONTRACT] == 0 &&
          due[DL_REPORT] == 0);
    /* government procurement: 2 working days (87号 第六十九条), to the end of Wednesday */
    p.category = CAT_PROCUREMENT;
    evaluation_rule_deadlines(&p, due);
    CHECK(due[DL_PUBLICITY] == end_of(2026, 12, 9));
    p.category = CAT_ENGINEERING;
    p.project_state = "awarded";
    p.lots[0].decided = p.lots[1].decided = true;
    p.lots[0].decided_us = at10(2026, 12, 15);
    p.lots[1].decided_us = at10(2026, 12, 14);
    p.lots[0].noticed_us = p.lots[1].noticed_us = at10(2026, 12, 16);
    evaluation_rule_deadlines(&p, due);
    CHECK(due[DL_PUBLICITY] == 0 && due[DL_CONTRACT] == end_of(2027, 1, 15) &&
          due[DL_REPORT] == end_of(2026, 12, 29));
    p.project_state = "closed";
    evaluation_rule_deadlines(&p, due);
    CHECK(!due[DL_PUBLICITY] && !due[DL_CONTRACT] && !due[DL_REPORT] && !due[DL_VALIDITY]);
    /* the validity margin (暂行规定 第四十条): 30 working days before the validity's last day,
     * Thursday 31 December 2026 → Thursday 19 November, while nothing is decided */
    p.project_state = "evaluating";
    p.validity_end_us = at10(2026, 12, 31);
    p.lots[0].decided = p.lots[1].decided = false;
    p.lots[0].decided_us = p.lots[1].decided_us = 0;
    evaluation_rule_deadlines(&p, due);
    CHECK(due[DL_VALIDITY] == end_of(2026, 11, 19));
    p.category = CAT_PROCUREMENT; /* not a rule of government procurement */
    evaluation_rule_deadlines(&p, due);
    CHECK(due[DL_VALIDITY] == 0);
    p.category = CAT_ENGINEERING;
    p.lots[0].decided = true;
    p.lots[0].decided_us = at10(2026, 11, 2);
    p.project_state = "candidates_published";
    evaluation_rule_deadlines(&p, due);
    CHECK(due[DL_VALIDITY] == 0); /* decided: met */
    struct deadline_state d = {.due_us = 10 * DAY};
    CHECK(evaluation_rule_deadline_act(&d, 9 * DAY - 1) == DA_NONE);
    CHECK(evaluation_rule_deadline_act(&d, 9 * DAY) == DA_WARN);
    d.warned = true;
    CHECK(evaluation_rule_deadline_act(&d, 10 * DAY) == DA_NONE); /* its own microsecond: in time */
    CHECK(evaluation_rule_deadline_act(&d, 10 * DAY + 1) == DA_FLAG);
    d.flagged = true;
    CHECK(evaluation_rule_deadline_act(&d, 11 * DAY) == DA_NONE);
    d.due_us = 0;
    CHECK(evaluation_rule_deadline_act(&d, 11 * DAY) == DA_NONE);
}

static const char *
obj_code(const struct objection_facts *f, int64_t now)
{
    struct refusal r = evaluation_rule_object(f, now);
    return r.code ? r.code : "";
}

static void
an_objection_comes_from_a_bidder_of_the_lot_in_its_window_and_holds_the_award(void)
{
    struct award_project p = {.project_state = "candidates_published",
                              .category = CAT_ENGINEERING,
                              .nlots = 1,
                              .legally_required = true,
                              .publicity_until_us = end_of(2026, 12, 10)};
    p.lots[0] = (struct lot_result){.lot = 1, .reported = true, .ncand = 1};
    p.lots[0].cand[0] = (struct award_candidate){.bid_id = 5, .org_id = 9, .rank = 1};
    struct objection_facts f = {
        .p = &p, .lot = &p.lots[0], .bidder_of_lot = true, .text_len = 40, .sig = ACT_OK};
    CHECK(!strcmp(obj_code(&f, at10(2026, 12, 9)), ""));
    /* the tendering law: during the publicity only (实施条例 第五十四条) */
    CHECK(!strcmp(obj_code(&f, end_of(2026, 12, 10)), ""));
    CHECK(!strcmp(obj_code(&f, end_of(2026, 12, 10) + 1), "OBJ-WINDOW"));
    f.bidder_of_lot = false;
    CHECK(!strcmp(obj_code(&f, at10(2026, 12, 9)), "OBJ-STANDING"));
    f.bidder_of_lot = true;
    f.pending_own = true;
    CHECK(!strcmp(obj_code(&f, at10(2026, 12, 9)), "OBJ-PENDING"));
    f.pending_own = false;
    f.sig = ACT_SIGNATURE;
    CHECK(!strcmp(obj_code(&f, at10(2026, 12, 9)), "OBJ-SIGNATURE"));
    f.sig = ACT_OK;
    f.text_len = 1;
    CHECK(!strcmp(obj_code(&f, at10(2026, 12, 9)), "OBJ-PAYLOAD"));
    f.text_len = 40;
    f.lot = NULL;
    CHECK(!strcmp(obj_code(&f, at10(2026, 12, 9)), "OBJ-LOT"));
    f.lot = &p.lots[0];
    p.project_state = "awarded"; /* no objection to an award under the tendering law */
    CHECK(!strcmp(obj_code(&f, at10(2026, 12, 9)), "OBJ-WINDOW"));
    /* government procurement: 7 working days after the announcement period (政府采购法 第五十二条),
     * Thursday the 10th + 7 = Monday the 21st, after the award too, not once contracted */
    p.category = CAT_PROCUREMENT;
    CHECK(evaluation_rule_objection_window(&p) == end_of(2026, 12, 21));
    f.objected_before = true; /* 财政部令第94号 第十条: every ground at once */
    CHECK(!strcmp(obj_code(&f, at10(2026, 12, 14)), "OBJ-ONCE"));
    p.category = CAT_ENGINEERING;
    p.project_state = "candidates_published";
    CHECK(!strcmp(obj_code(&f, at10(2026, 12, 9)),
                  "")); /* the tendering law: again after the answer */
    p.category = CAT_PROCUREMENT;
    p.project_state = "awarded";
    f.objected_before = false;
    CHECK(!strcmp(obj_code(&f, end_of(2026, 12, 21)), ""));
    CHECK(!strcmp(obj_code(&f, end_of(2026, 12, 21) + 1), "OBJ-WINDOW"));
    snprintf(p.lots[0].contract_state, sizeof p.lots[0].contract_state, "signed");
    CHECK(!strcmp(obj_code(&f, at10(2026, 12, 14)), "OBJ-WINDOW"));
    p.lots[0].contract_state[0] = 0;
    p.publicity_until_us = 0;
    CHECK(!strcmp(obj_code(&f, at10(2026, 12, 14)), "OBJ-WINDOW"));
    /* the answer: 3 days (实施条例 第五十四条), 7 working days (政府采购法 第五十三条) */
    CHECK(evaluation_rule_objection_due(CAT_ENGINEERING, at10(2026, 12, 7)) ==
          end_of(2026, 12, 10));
    CHECK(evaluation_rule_objection_due(CAT_PROCUREMENT, at10(2026, 12, 7)) ==
          end_of(2026, 12, 16));
    struct objection_answer_facts a = {.answer_len = 20, .sig = ACT_OK};
    CHECK(!evaluation_rule_object_answer(&a, 0).code);
    a.answer_len = 1;
    CHECK(!strcmp(evaluation_rule_object_answer(&a, 0).code, "OBJ-PAYLOAD"));
    a.answered = true;
    struct refusal r = evaluation_rule_object_answer(&a, 0);
    CHECK(!strcmp(r.code, "OBJ-ANSWERED") && r.conflict);
    /* the award waits for the answer */
    p.category = CAT_ENGINEERING;
    p.project_state = "candidates_published";
    p.publicity_until_us = end_of(2026, 12, 10);
    p.lots[0].objections_pending = 1;
    cJSON *choices = cJSON_Parse("[{\"lot\":1,\"bid_id\":5}]");
    struct award_facts af = {.p = &p, .choices = choices, .sig = ACT_OK};
    r = evaluation_rule_award(&af, at10(2026, 12, 14));
    CHECK(r.code && !strcmp(r.code, "AWARD-OBJECTION") && r.conflict);
    p.lots[0].objections_pending = 0;
    CHECK(!evaluation_rule_award(&af, at10(2026, 12, 14)).code);
    cJSON_Delete(choices);
}

static void
the_validity_is_extended_before_it_ends_and_answered_before_the_old_end(void)
{
    struct award_project p = {
        .project_state = "evaluating", .nlots = 1, .validity_end_us = end_of(2027, 3, 1)};
    p.lots[0] = (struct lot_result){.lot = 1, .reported = true};
    struct validity_ask_facts f = {.p = &p, .until_us = end_of(2027, 4, 1), .sig = ACT_OK};
    CHECK(!evaluation_rule_validity_ask(&f, at10(2027, 2, 1)).code);
    CHECK_STR(evaluation_rule_validity_ask(&f, end_of(2027, 3, 1) + 1).code, "EVAL-VALIDITY");
    f.until_us = end_of(2027, 3, 1);
    CHECK_STR(evaluation_rule_validity_ask(&f, at10(2027, 2, 1)).code, "EVAL-VALIDITY");
    f.until_us = end_of(2027, 4, 1);
    p.lots[0].decided = true;
    CHECK_STR(evaluation_rule_validity_ask(&f, at10(2027, 2, 1)).code, "EVAL-VALIDITY");
    struct validity_answer_facts a = {.asked = true, .from_us = end_of(2027, 3, 1), .sig = ACT_OK};
    CHECK(!evaluation_rule_validity_answer(&a, at10(2027, 2, 1)).code);
    CHECK_STR(evaluation_rule_validity_answer(&a, end_of(2027, 3, 1) + 1).code, "EVAL-VALIDITY");
    a.answered = true;
    CHECK_STR(evaluation_rule_validity_answer(&a, at10(2027, 2, 1)).code, "EVAL-VALIDITY");
}

static void
a_watcher_sees_the_progress_and_only_the_committee_and_overseers_see_indicators(void)
{
    CHECK(evaluation_rule_stream_sees("progress", ROLE_AGENT, false));
    CHECK(evaluation_rule_stream_sees("state", ROLE_TENDERER, false));
    CHECK(!evaluation_rule_stream_sees("indicator", ROLE_AGENT, false));
    CHECK(!evaluation_rule_stream_sees("clarification", ROLE_TENDERER, false));
    CHECK(evaluation_rule_stream_sees("indicator", ROLE_SUPERVISOR, false));
    CHECK(evaluation_rule_stream_sees("indicator", ROLE_EXPERT, true));
    CHECK(!evaluation_rule_stream_sees("indicator", ROLE_EXPERT, false));
    CHECK(!evaluation_rule_stream_sees("scores", ROLE_SUPERVISOR, false)); /* default deny */
}

static void
a_step_goes_back_on_the_chairs_ask_and_a_supervisors_yes_and_its_reviews_are_made_again(void)
{
    struct eval_session *s = session();
    s->step = STEP_DETAILED;
    s->chair_user = 11;
    const char *back = "{\"to\":\"preliminary\",\"reason\":\"理由\"}";
    CHECK_STR(act(s, 10, "send_back", back, ACT_OK).code, "EVAL-CHAIR");
    CHECK(!act(s, 11, "send_back", back, ACT_OK).code);
    CHECK_STR(act(s, 11, "send_back", "{\"to\":\"detailed\",\"reason\":\"理由\"}", ACT_OK).code,
              "EVAL-PAYLOAD");                                  /* not an earlier step */
    CHECK_STR(evaluation_rule_send_back(s).code, "EVAL-STATE"); /* nothing asked yet */
    snprintf(s->back_to, sizeof s->back_to, "preliminary");
    CHECK_STR(act(s, 11, "send_back", back, ACT_OK).code, "EVAL-SEND-BACK");
    CHECK(!evaluation_rule_send_back(s).code);
    s->bids[1].valid = false;
    snprintf(s->bids[1].rejected_at, sizeof s->bids[1].rejected_at, "preliminary");
    s->bids[0].valid = false;
    snprintf(s->bids[0].rejected_at, sizeof s->bids[0].rejected_at, "qualification");
    evaluation_rule_go_back(s);
    CHECK(s->step == STEP_PRELIMINARY && !s->back_to[0]);
    CHECK(s->bids[1].valid && !s->bids[0].valid); /* the qualification review stands */
    done(s);
}

static void
every_bid_is_rejected_only_when_too_few_remain_and_by_a_majority(void)
{
    struct eval_session *s = session();
    s->category = CAT_ENGINEERING;
    s->step = STEP_PRELIMINARY;
    /* two valid bids: fewer than R-MIN-BIDS (3) */
    CHECK(!act(s, 10, "reject_all", "{\"reason\":\"不足三家\"}", ACT_OK).code);
    CHECK_STR(act(s, 10, "reject_all", "{}", ACT_OK).code, "EVAL-PAYLOAD");
    s->bids[2] = (struct eval_bid){.bid_id = 9, .org_id = 90, .price_fen = 900, .valid = true};
    s->nbids = 3;
    CHECK_STR(act(s, 10, "reject_all", "{\"reason\":\"不足三家\"}", ACT_OK).code,
              "EVAL-REJECT-ALL");
    s->nbids = 2;
    add(s, 10, "reject_all", "{\"reason\":\"r\"}");
    CHECK(!evaluation_rule_reject_all_carried(s)); /* 1 of 3 */
    CHECK_STR(act(s, 10, "reject_all", "{\"reason\":\"again\"}", ACT_OK).code, "EVAL-DONE");
    add(s, 11, "reject_all", "{\"reason\":\"r\"}");
    CHECK(evaluation_rule_reject_all_carried(s)); /* 2 of 3 */
    evaluation_rule_reject_everything(s);
    CHECK(!s->bids[0].valid && !s->bids[1].valid && s->step == STEP_REPORT);
    CHECK_STR(s->bids[0].rejected_at, "preliminary");
    done(s);
}

static void
the_time_is_extended_when_more_than_a_third_of_the_members_ask(void)
{
    struct eval_session *s = session(); /* three sitting members */
    s->step = STEP_DETAILED;
    add(s, 10, "more_time", "{\"reason\":\"r\"}");
    s->acts[0].round = 1;
    CHECK(!evaluation_rule_more_time_granted(s)); /* 1 of 3: a third, not more */
    add(s, 11, "more_time", "{\"reason\":\"r\"}");
    s->acts[1].round = 1;
    CHECK(evaluation_rule_more_time_granted(s)); /* 2 of 3 */
    s->extensions = 1;                           /* granted: the next round counts afresh */
    CHECK(!evaluation_rule_more_time_granted(s));
    CHECK_STR(act(s, 12, "more_time", "{}", ACT_OK).code, "EVAL-PAYLOAD");
    done(s);
}

int
main(void)
{
    char err[300];
    if (!calendar_load(CALENDAR_DIR, err, sizeof err)) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    RUN(a_session_opens_only_when_every_fact_holds_and_says_the_first_that_does_not);
    RUN(an_act_is_refused_outside_the_committee_out_of_step_twice_unsigned_or_while_paused);
    RUN(a_review_fails_a_bid_only_on_a_ground_with_reasons_and_covers_every_bid_once);
    RUN(a_replacement_takes_a_vacant_seat_by_pledging_and_a_vacancy_holds_the_step);
    RUN(the_chair_needs_more_than_half_of_the_votes_and_a_review_rejects_by_majority);
    RUN(the_result_averages_each_criterion_half_up_and_ranks_by_total);
    RUN(the_purchasers_representative_never_chairs_and_seats_are_counted);
    RUN(a_score_changes_after_summing_only_for_an_outlier_or_an_objective_mismatch);
    RUN(pause_and_resume_go_one_way_each);
    RUN(the_time_is_extended_when_more_than_a_third_of_the_members_ask);
    RUN(every_bid_is_rejected_only_when_too_few_remain_and_by_a_majority);
    RUN(a_step_goes_back_on_the_chairs_ask_and_a_supervisors_yes_and_its_reviews_are_made_again);
    RUN(a_watcher_sees_the_progress_and_only_the_committee_and_overseers_see_indicators);
    RUN(each_deadline_runs_in_its_state_is_warned_a_day_before_and_flagged_once_after);
    RUN(an_objection_comes_from_a_bidder_of_the_lot_in_its_window_and_holds_the_award);
    RUN(the_validity_is_extended_before_it_ends_and_answered_before_the_old_end);
    RUN(a_clarification_is_answered_once_in_time_only_by_whom_it_was_asked);
    RUN(indicators_fire_on_regular_prices_prices_at_the_ceiling_shared_accounts_and_odd_scores);
    return CHECK_DONE();
}
