/* Unit tests of the venues module's rules (modules/venues/rules.c): each boundary of a booking
 * against its room and the clock, the kinds that serve each purpose, local days in UTC+8. */
#include "check.h"
#include "venues.h"

#define MIN  INT64_C(60000000)
#define HOUR (60 * MIN)

/* 2026-12-01 00:00 local (UTC+8) is 2026-11-30 16:00 UTC */
static int64_t
local(int h, int m)
{
    int64_t day;
    venues_rule_parse_day("2026-12-01", &day);
    return venues_rule_day_start_us(day) + h * HOUR + m * MIN;
}

static const struct venue_room_facts room = {"opening", "open", 40, 8 * 60 + 30, 18 * 60};

static const char *
code(int64_t start, int64_t end, int64_t people, int64_t now)
{
    struct venue_ask a = {"opening", start, end, people};
    struct refusal f = venues_rule_booking(&room, &a, now);
    return f.code ? f.code : "ok";
}

static void
a_booking_is_checked_at_each_of_its_boundaries(void)
{
    int64_t now = local(0, 0) - 24 * HOUR;
    CHECK_STR(code(local(9, 0), local(10, 0), 10, now), "ok");
    CHECK_STR(code(local(9, 0), local(9, 0), 10, now), "VENUE-SPAN");
    CHECK_STR(code(local(10, 0), local(9, 0), 10, now), "VENUE-SPAN");
    CHECK_STR(code(local(9, 0) + 1, local(10, 0), 10, now), "VENUE-UNIT");
    CHECK_STR(code(local(9, 0), local(10, 0) - 1, 10, now), "VENUE-UNIT");
    CHECK_STR(code(local(8, 30), local(18, 0), 10, now), "ok"); /* the whole day's hours */
    CHECK_STR(code(local(8, 29), local(10, 0), 10, now), "VENUE-HOURS");
    CHECK_STR(code(local(17, 0), local(18, 1), 10, now), "VENUE-HOURS");
    CHECK_STR(code(local(17, 0), local(33, 0), 10, now), "VENUE-HOURS"); /* into the next day */
    CHECK_STR(code(local(9, 0), local(10, 0), 40, now), "ok");
    CHECK_STR(code(local(9, 0), local(10, 0), 41, now), "VENUE-CAPACITY");
    CHECK_STR(code(local(9, 0), local(10, 0), 10, local(9, 0)), "ok"); /* beginning now */
    CHECK_STR(code(local(9, 0), local(10, 0), 10, local(9, 0) + 1), "VENUE-PAST");
}

static void
a_room_serves_only_its_purposes_and_only_while_open(void)
{
    CHECK(venues_rule_kind_serves("opening", "opening"));
    CHECK(!venues_rule_kind_serves("evaluation", "opening"));
    CHECK(venues_rule_kind_serves("remote_guest", "evaluation"));
    CHECK(venues_rule_kind_serves("seats", "evaluation"));
    CHECK(!venues_rule_kind_serves("draw", "evaluation"));
    struct venue_room_facts shut = room;
    shut.state = "maintenance";
    struct venue_ask a = {"opening", local(9, 0), local(10, 0), 5};
    struct refusal f = venues_rule_booking(&shut, &a, 0);
    CHECK_STR(f.code, "VENUE-ROOM-STATE");
    CHECK(f.conflict);
    a.purpose = "evaluation";
    CHECK_STR(venues_rule_booking(&room, &a, 0).code, "VENUE-KIND");
}

static void
a_booking_holds_its_minutes_and_the_buffer_after_them(void)
{
    int64_t first, last;
    venues_rule_slots(local(9, 0), local(10, 0), 30 * MIN, &first, &last);
    CHECK(last - first == 90);
    venues_rule_slots(local(9, 0), local(10, 0), 0, &first, &last);
    CHECK(last - first == 60);
    CHECK(first == local(9, 0) / MIN);
}

static void
evaluations_follow_their_lots_opening_and_projects_book_in_their_states(void)
{
    CHECK_STR(venues_rule_after_opening(local(10, 0), 0, 1).code, "VENUE-AFTER-OPENING");
    CHECK_STR(venues_rule_after_opening(local(9, 59), local(10, 0), 1).code, "VENUE-AFTER-OPENING");
    CHECK(venues_rule_after_opening(local(10, 0), local(10, 0), 1).code == NULL);
    CHECK(venues_rule_project_state("opening", "accepted").code == NULL);
    CHECK(venues_rule_project_state("opening", "bidding").code == NULL);
    CHECK_STR(venues_rule_project_state("opening", "opened").code, "VENUE-PROJECT-STATE");
    CHECK(venues_rule_project_state("evaluation", "evaluating").code == NULL);
    CHECK_STR(venues_rule_project_state("evaluation", "draft").code, "VENUE-PROJECT-STATE");
}

static void
local_days_are_china_standard_time(void)
{
    int64_t day;
    CHECK(venues_rule_parse_day("1970-01-01", &day) && day == 0);
    CHECK(venues_rule_parse_day("2024-02-29", &day));
    CHECK(!venues_rule_parse_day("2026-02-29", &day));
    CHECK(!venues_rule_parse_day("2026-13-01", &day));
    CHECK(!venues_rule_parse_day("2026-1-01", &day));
    CHECK(!venues_rule_parse_day("2026-01-01x", &day));
    venues_rule_parse_day("2026-12-01", &day);
    CHECK(venues_rule_local_day(local(0, 0)) == day);
    CHECK(venues_rule_local_day(local(0, 0) - 1) == day - 1); /* 15:59:59.999999 UTC */
    CHECK(venues_rule_local_day(local(23, 59)) == day);
    CHECK_STR(venues_rule_hours(480, 1080).code ? "refused" : "ok", "ok");
    CHECK_STR(venues_rule_hours(1080, 480).code, "VENUE-HOURS");
    CHECK(venues_rule_hours(0, 1440).code == NULL);
    CHECK_STR(venues_rule_hours(0, 1441).code, "VENUE-HOURS");
}

static void
recordings_cover_a_booking_only_without_gaps(void)
{
    int64_t s = 0, e = HOUR, sec = 1000000;
    int64_t whole_f[] = {0}, whole_t[] = {HOUR};
    CHECK(venues_rule_covered(s, e, whole_f, whole_t, 1));
    /* two files meeting within the gap a recorder needs to start a new one */
    int64_t two_f[] = {0, 30 * MIN + 4 * sec}, two_t[] = {30 * MIN, HOUR};
    CHECK(venues_rule_covered(s, e, two_f, two_t, 2));
    int64_t gap_f[] = {0, 30 * MIN + 6 * sec}, gap_t[] = {30 * MIN, HOUR};
    CHECK(!venues_rule_covered(s, e, gap_f, gap_t, 2));
    int64_t late_f[] = {10 * sec}, late_t[] = {HOUR};
    CHECK(!venues_rule_covered(s, e, late_f, late_t, 1)); /* began late */
    int64_t early_f[] = {0}, early_t[] = {HOUR - 10 * sec};
    CHECK(!venues_rule_covered(s, e, early_f, early_t, 1)); /* stopped early */
    CHECK(!venues_rule_covered(s, e, NULL, NULL, 0));
    /* overlapping and nested files */
    int64_t ov_f[] = {-MIN, 10 * MIN, 20 * MIN}, ov_t[] = {40 * MIN, 15 * MIN, HOUR + MIN};
    CHECK(venues_rule_covered(s, e, ov_f, ov_t, 3));
}

int
main(void)
{
    RUN(recordings_cover_a_booking_only_without_gaps);
    RUN(a_booking_is_checked_at_each_of_its_boundaries);
    RUN(a_room_serves_only_its_purposes_and_only_while_open);
    RUN(a_booking_holds_its_minutes_and_the_buffer_after_them);
    RUN(evaluations_follow_their_lots_opening_and_projects_book_in_their_states);
    RUN(local_days_are_china_standard_time);
    return CHECK_DONE();
}
