/* Unit tests of the announce module's rules (publishing, amendments, deposits), at their
 * boundaries. */
#include <stdlib.h>

#include "announce.h"
#include "calendar.h"
#include "check.h"

#define DAY (86400LL * 1000000)

/* 10:00 in Beijing on y-m-d, as µs. */
static int64_t
at(int y, int m, int d)
{
    return (cal_day_from_ymd(y, m, d) * 86400 + 2 * 3600) * 1000000LL;
}

static void
bid_period_is_twenty_days_and_nineteen_is_refused(void)
{
    struct refusal why;
    int64_t t0 = at(2026, 3, 2);
    struct ann_terms t = {t0, t0, t0 + 5 * DAY, t0 + 20 * DAY, t0 + 20 * DAY, 0, 0};
    CHECK(!(why = announce_rule_tender(CAT_ENGINEERING, true, true, &t)).code);
    t.bid_deadline_us = t.opening_us = t0 + 20 * DAY - 1; /* same day count, earlier hour: OK */
    CHECK(!(why = announce_rule_tender(CAT_ENGINEERING, true, true, &t)).code);
    t.bid_deadline_us = t.opening_us = t0 + 19 * DAY;
    CHECK((why = announce_rule_tender(CAT_ENGINEERING, true, true, &t)).code);
    CHECK_STR(why.code, "R-BID-PERIOD");
    /* not required by law, or not a tender: the 20 days do not apply */
    CHECK(!(why = announce_rule_tender(CAT_ENGINEERING, false, true, &t)).code);
    CHECK(!(why = announce_rule_tender(CAT_ENGINEERING, true, false, &t)).code);
}

static void
a_day_counts_in_beijing_time(void)
{
    struct refusal why;
    /* documents from 23:30 Beijing on 03-01 (15:30Z) to 00:30 Beijing on 03-21 (16:30Z of
     * 03-20): 20 Beijing days, although less than 20×24 hours */
    int64_t from = at(2026, 3, 1) + 13 * 3600 * 1000000LL + 30 * 60 * 1000000LL;
    int64_t dl = at(2026, 3, 21) - 9 * 3600 * 1000000LL - 30 * 60 * 1000000LL;
    struct ann_terms t = {from, from, from + 5 * DAY, dl, dl, 0, 0};
    CHECK(dl - from < 20 * DAY);
    CHECK(!(why = announce_rule_tender(CAT_ENGINEERING, true, true, &t)).code);
}

static void
documents_are_on_sale_five_days_or_five_working_days(void)
{
    struct refusal why;
    int64_t t0 = at(2026, 2, 13);
    struct ann_terms t = {t0, t0, t0 + 5 * DAY, t0 + 30 * DAY, t0 + 30 * DAY, 0, 0};
    CHECK(!(why = announce_rule_tender(CAT_ENGINEERING, true, true, &t)).code);
    t.docs_until_us = t0 + 4 * DAY;
    CHECK((why = announce_rule_tender(CAT_ENGINEERING, true, true, &t)).code);
    CHECK_STR(why.code, "R-DOC-SALE");
    /* procurement counts working days: 5 after Fri 02-13 is Fri 02-27 */
    t.docs_until_us = at(2026, 2, 27);
    CHECK(!(why = announce_rule_tender(CAT_PROCUREMENT, true, true, &t)).code);
    t.docs_until_us = at(2026, 2, 26);
    CHECK((why = announce_rule_tender(CAT_PROCUREMENT, true, true, &t)).code);
    CHECK_STR(why.code, "R-DOC-SALE");
}

static void
the_opening_is_at_the_deadline_to_the_microsecond(void)
{
    struct refusal why;
    int64_t t0 = at(2026, 3, 2);
    struct ann_terms t = {t0, t0, t0 + 5 * DAY, t0 + 20 * DAY, t0 + 20 * DAY + 1, 0, 0};
    CHECK((why = announce_rule_tender(CAT_ENGINEERING, true, true, &t)).code);
    CHECK_STR(why.code, "R-OPENING-AT-DEADLINE");
}

static void
amendments_affecting_bids_need_fifteen_days(void)
{
    struct refusal why;
    bool affects;
    int64_t now = at(2026, 3, 2);
    struct ann_amend_terms t = {.now_us = now,
                                .deadline_us = now + 15 * DAY,
                                .opening_us = now + 15 * DAY,
                                .docs_first_us = now - 10 * DAY,
                                .flag = true};
    CHECK(!(why = announce_rule_amendment(CAT_ENGINEERING, true, true, &t, &affects)).code &&
          affects);
    t.deadline_us = t.opening_us = now + 14 * DAY;
    CHECK((why = announce_rule_amendment(CAT_ENGINEERING, true, true, &t, &affects)).code);
    CHECK_STR(why.code, "R-AMEND-NOTICE");
    CHECK(strstr(why.why, "move the bid deadline") != NULL);
    t.flag = false;
    CHECK(!(why = announce_rule_amendment(CAT_ENGINEERING, true, true, &t, &affects))
               .code); /* clarification */
    CHECK(!affects);
}

static void
an_amendments_documents_period_keeps_every_statute_it_states(void)
{
    struct refusal why;
    bool affects;
    int64_t now = at(2026, 3, 2);
    struct ann_amend_terms t = {.now_us = now,
                                .deadline_us = now + 25 * DAY,
                                .opening_us = now + 25 * DAY,
                                .docs_first_us = now - 5 * DAY};
    /* documents "from" five days before the deadline: changes nothing in force, refused */
    t.docs_from_us = t.deadline_us - 5 * DAY;
    t.docs_until_us = t.docs_from_us + 5 * DAY;
    CHECK((why = announce_rule_amendment(CAT_ENGINEERING, true, true, &t, &affects)).code);
    CHECK_STR(why.code, "R-BID-PERIOD");
    CHECK(strstr(why.why, "this amendment states") != NULL);
    /* four days of documents */
    t.docs_from_us = now;
    t.docs_until_us = now + 4 * DAY;
    CHECK((why = announce_rule_amendment(CAT_ENGINEERING, true, true, &t, &affects)).code);
    CHECK_STR(why.code, "R-DOC-SALE");
    t.docs_until_us = now + 5 * DAY; /* and five, with twenty-five to the deadline: kept */
    CHECK(!(why = announce_rule_amendment(CAT_ENGINEERING, true, true, &t, &affects)).code);
    t.docs_until_us = now - DAY; /* a period that does not run */
    CHECK_STR(announce_rule_amendment(CAT_ENGINEERING, true, true, &t, &affects).code, "ANN-ORDER");
}

static void
a_date_change_affects_the_bids_whatever_the_drafter_says(void)
{
    struct refusal why;
    bool affects = false;
    int64_t now = at(2026, 3, 2);
    struct ann_amend_terms t = {.now_us = now,
                                .deadline_us = now + 21 * DAY,
                                .opening_us = now + 21 * DAY,
                                .docs_first_us = now - 2 * DAY};
    /* moving the deadline to +1 hour "without affecting bids": earlier, refused */
    t.new_deadline_us = t.new_opening_us = now + 3600 * 1000000LL;
    CHECK((why = announce_rule_amendment(CAT_ENGINEERING, true, true, &t, &affects)).code);
    CHECK_STR(why.code, "ANN-DEADLINE-EARLIER");
    CHECK(affects);
    /* later, but 14 days after publication: R-AMEND-NOTICE applies although flag is false */
    t.deadline_us = t.opening_us = now + 10 * DAY;
    t.new_deadline_us = t.new_opening_us = now + 14 * DAY;
    CHECK((why = announce_rule_amendment(CAT_ENGINEERING, true, true, &t, &affects)).code);
    CHECK_STR(why.code, "R-AMEND-NOTICE");
    /* 15 days after publication, and 17 after the documents: R-BID-PERIOD (20) refuses */
    t.new_deadline_us = t.new_opening_us = now + 15 * DAY;
    CHECK((why = announce_rule_amendment(CAT_ENGINEERING, true, true, &t, &affects)).code);
    CHECK_STR(why.code, "R-BID-PERIOD");
    t.new_deadline_us = t.new_opening_us = now + 18 * DAY; /* 20 days from the documents */
    CHECK(!(why = announce_rule_amendment(CAT_ENGINEERING, true, true, &t, &affects)).code &&
          affects);
    /* another place, or another documents period, affects the bids too */
    t.new_deadline_us = t.new_opening_us = 0;
    t.deadline_us = t.opening_us = now + 16 * DAY;
    t.place_changed = true;
    CHECK(!(why = announce_rule_amendment(CAT_ENGINEERING, true, true, &t, &affects)).code &&
          affects);
    t.place_changed = false;
    t.docs_changed = true;
    CHECK(!(why = announce_rule_amendment(CAT_ENGINEERING, true, true, &t, &affects)).code &&
          affects);
    /* and the opening stays at the deadline */
    t.docs_changed = false;
    t.new_deadline_us = now + 20 * DAY;
    t.new_opening_us = now + 20 * DAY + 1;
    CHECK((why = announce_rule_amendment(CAT_ENGINEERING, true, true, &t, &affects)).code);
    CHECK_STR(why.code, "R-OPENING-AT-DEADLINE");
}

static void
nothing_about_the_bids_is_amended_after_the_deadline_or_once_opening_started(void)
{
    struct refusal why;
    bool affects;
    int64_t now = at(2026, 3, 2);
    /* a minute after the deadline, a new deadline 16 days out: the reopening of the issue */
    struct ann_amend_terms t = {.now_us = now,
                                .deadline_us = now - 60 * 1000000LL,
                                .opening_us = now - 60 * 1000000LL,
                                .docs_first_us = now - 30 * DAY,
                                .new_deadline_us = now + 16 * DAY,
                                .new_opening_us = now + 16 * DAY};
    CHECK((why = announce_rule_amendment(CAT_ENGINEERING, true, true, &t, &affects)).code);
    CHECK_STR(why.code, "ANN-DEADLINE-PASSED");
    CHECK(!why.conflict);
    t.new_deadline_us = t.new_opening_us = 0;
    t.flag = true; /* nor anything said to affect them */
    CHECK((why = announce_rule_amendment(CAT_ENGINEERING, true, true, &t, &affects)).code);
    CHECK_STR(why.code, "ANN-DEADLINE-PASSED");
    t.flag = false; /* a mere clarification still may */
    CHECK(!(why = announce_rule_amendment(CAT_ENGINEERING, true, true, &t, &affects)).code &&
          !affects);
    t.opening_started = true; /* but not once an opening started: 409 */
    CHECK((why = announce_rule_amendment(CAT_ENGINEERING, true, true, &t, &affects)).code);
    CHECK_STR(why.code, "ANN-OPENING-STARTED");
    CHECK(why.conflict);
}

static void
publicity_lasts_three_days_or_one_working_day(void)
{
    struct refusal why;
    int64_t now = at(2026, 3, 2);
    struct ann_terms t = {
        .now_us = now, .publicity_from_us = now, .publicity_until_us = now + 3 * DAY};
    CHECK(!(why = announce_rule_publicity(CAT_ENGINEERING, &t)).code);
    t.publicity_until_us = now + 2 * DAY;
    CHECK((why = announce_rule_publicity(CAT_ENGINEERING, &t)).code);
    CHECK_STR(why.code, "R-PUBLICITY");
    /* procurement: one working day; from Friday 03-06 the next is Monday 03-09 */
    t.now_us = t.publicity_from_us = at(2026, 3, 6);
    t.publicity_until_us = at(2026, 3, 8);
    CHECK((why = announce_rule_publicity(CAT_PROCUREMENT, &t)).code);
    t.publicity_until_us = at(2026, 3, 9);
    CHECK(!(why = announce_rule_publicity(CAT_PROCUREMENT, &t)).code);
}

static void
deposits_are_capped_at_two_percent_in_integer_fen(void)
{
    struct refusal why;
    CHECK(!(why = announce_rule_deposit(CAT_ENGINEERING, 2000000, 100000000)).code);
    CHECK((why = announce_rule_deposit(CAT_ENGINEERING, 2000001, 100000000)).code);
    CHECK_STR(why.code, "R-DEPOSIT-CAP");
    CHECK(!(why = announce_rule_deposit(CAT_ENGINEERING, 2, 149))
               .code); /* 2.98 fen allowed: 2 is fine */
    CHECK((why = announce_rule_deposit(CAT_ENGINEERING, 3, 149)).code); /* no rounding up */
    CHECK(!(why = announce_rule_deposit(CAT_ENGINEERING, INT64_C(180000000000000),
                                        INT64_C(9000000000000000)))
               .code);
    CHECK(!(why = announce_rule_deposit(CAT_LAND_MINERAL, 999999, 1))
               .code); /* no cap there in this table */
}

static void
announcement_types_need_their_project_states(void)
{
    CHECK(announce_rule_state_ok("tender", "accepted") &&
          !announce_rule_state_ok("tender", "bidding"));
    CHECK(announce_rule_state_ok("amendment", "bidding") &&
          !announce_rule_state_ok("amendment", "evaluating"));
    CHECK(announce_rule_state_ok("candidates", "evaluating"));
    CHECK_STR(announce_rule_capability("candidates", false).code, "ANN-NO-EVALUATION");
    CHECK_STR(announce_rule_capability("award", false).code, "ANN-NO-EVALUATION");
    CHECK(announce_rule_capability("candidates", true).code == NULL);
    CHECK(announce_rule_capability("tender", false).code == NULL);
    CHECK(announce_rule_state_ok("failed", "opened") &&
          !announce_rule_state_ok("failed", "accepted"));
    CHECK(
        !announce_rule_state_ok("failed", "bidding")); /* a lot fails at its opening, not before */
    CHECK_STR(announce_rule_state_after("tender"),
              "bidding"); /* bidding begins with the publication */
    CHECK(announce_rule_state_after("amendment") == NULL);
}

int
main(void)
{
    char err[300];
    if (!calendar_load(CALENDAR_DIR, err, sizeof err)) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    RUN(bid_period_is_twenty_days_and_nineteen_is_refused);
    RUN(a_day_counts_in_beijing_time);
    RUN(documents_are_on_sale_five_days_or_five_working_days);
    RUN(the_opening_is_at_the_deadline_to_the_microsecond);
    RUN(amendments_affecting_bids_need_fifteen_days);
    RUN(an_amendments_documents_period_keeps_every_statute_it_states);
    RUN(a_date_change_affects_the_bids_whatever_the_drafter_says);
    RUN(nothing_about_the_bids_is_amended_after_the_deadline_or_once_opening_started);
    RUN(publicity_lasts_three_days_or_one_working_day);
    RUN(deposits_are_capped_at_two_percent_in_integer_fen);
    RUN(announcement_types_need_their_project_states);
    calendar_free();
    return CHECK_DONE();
}
