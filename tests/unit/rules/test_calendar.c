/* Unit tests of the working-day calendar (data in calendar/) and the statute table. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "calendar.h"
#include "check.h"
#include "statutes.h"
#include "util.h"

#ifndef CALENDAR_DIR
#error "CALENDAR_DIR must name calendar/"
#endif

static int64_t
D(const char *s)
{
    int64_t d = 0;
    CHECK(cal_parse_date(s, &d));
    return d;
}

static void
dates_parse_and_format_and_bad_ones_are_refused(void)
{
    char out[11];
    cal_format_day(D("2026-02-28"), out);
    CHECK_STR(out, "2026-02-28");
    int64_t d;
    CHECK(!cal_parse_date("2026-02-29", &d)); /* not a leap year */
    CHECK(cal_parse_date("2028-02-29", &d));
    CHECK(!cal_parse_date("2026-13-01", &d));
    CHECK(!cal_parse_date("2026-1-01", &d));
    CHECK(D("1970-01-01") == 0);
}

static void
times_of_record_fall_on_china_standard_time_days(void)
{
    /* 2026-01-01T15:59:59.999999Z is 23:59:59 in Beijing; a microsecond later it is Jan 2. */
    int64_t t = (D("2026-01-01") * 86400 + 16 * 3600) * 1000000LL - 1;
    CHECK(cal_day(t) == D("2026-01-01"));
    CHECK(cal_day(t + 1) == D("2026-01-02"));
    char m[17];
    cal_format_minute(t, m);
    CHECK_STR(m, "2026-01-01 23:59");
    cal_format_minute(t + 1, m);
    CHECK_STR(m, "2026-01-02 00:00");
    cal_format_minute(t + 1 + (INT64_C(9) * 60 + 30) * 60000000, m); /* 09:30 Beijing */
    CHECK_STR(m, "2026-01-02 09:30");
}

#define R CAL_RIGHT
#define U CAL_DUTY

static void
weekends_holidays_and_makeup_days_are_told_apart(void)
{
    CHECK(cal_is_working(D("2026-01-05"), R) == 1); /* a Monday */
    CHECK(cal_is_working(D("2026-01-10"), R) == 0); /* a Saturday */
    CHECK(cal_is_working(D("2026-01-01"), R) == 0); /* New Year's Day, a Thursday */
    CHECK(cal_is_working(D("2026-01-04"), R) == 1); /* a Sunday made a working day */
    CHECK(cal_is_working(D("2026-10-05"), R) == 0); /* National Day holidays, a Monday */
    CHECK(cal_is_working(D("2026-10-10"), U) == 1); /* a Saturday made a working day */
    CHECK(cal_year_kind(2026) == CAL_OFFICIAL);
    /* an official year reads the same for a right and a duty */
    for (int64_t d = D("2026-01-01"); d <= D("2026-12-31"); d++)
        CHECK(cal_is_working(d, R) == cal_is_working(d, U));
}

static void
a_year_without_an_arrangement_is_provisional_and_one_without_data_unknown(void)
{
    CHECK(cal_year_kind(2031) == CAL_PROVISIONAL);
    CHECK(cal_is_working(D("2031-03-03"), R) == 1); /* a Monday far from any holiday */
    CHECK(cal_is_working(D("2031-03-08"), U) == 0); /* a Saturday far from any holiday */
    CHECK(cal_is_working(D("2031-01-23"), U) == 0); /* 正月初一: a statutory holiday */
    CHECK(cal_is_working(D("2031-01-22"), U) == 0); /* 除夕 too, since the 2024 revision */
    CHECK(cal_is_working(D("2031-10-01"), U) == 0); /* National Day and 中秋 on one day */
    CHECK(cal_year_kind(2041) == CAL_UNKNOWN);      /* no lunar dates for it: not guessed */
    CHECK(cal_is_working(D("2041-03-04"), U) == -1);
    CHECK(cal_range_kind(D("2026-12-01"), D("2027-01-10")) == CAL_PROVISIONAL);
    CHECK(cal_range_kind(D("2026-01-01"), D("2026-12-31")) == CAL_OFFICIAL);
    CHECK(cal_range_kind(D("2040-12-01"), D("2041-01-10")) == CAL_UNKNOWN);
}

static void
a_right_takes_the_longer_reading_and_a_duty_the_shorter_across_new_year_2027(void)
{
    /* Mon 2026-12-28 + 10 working days. 2027-01-01 (Fri) is a statutory holiday; the weekend
     * after it may be worked (调休) and Mon 4 to Wed 6 may be bridge days: unknown until the
     * State Council's notice. A duty counts them as working days, a right as rest days. */
    CHECK(cal_add_working_days(D("2026-12-28"), 10, U) == D("2027-01-08"));
    CHECK(cal_add_working_days(D("2026-12-28"), 10, R) == D("2027-01-15"));
    CHECK(cal_working_days(D("2026-12-28"), D("2027-01-08"), U) == 10);
    CHECK(cal_working_days(D("2026-12-28"), D("2027-01-08"), R) == 5);
    /* and a year on: Tue 2027-12-28 + 5 working days into 2028, whose New Year falls on a
     * Saturday: Wed 29 to Fri 31 may be bridge days, Sun 2 may be worked */
    CHECK(cal_add_working_days(D("2027-12-28"), 5, U) == D("2028-01-03"));
    CHECK(cal_add_working_days(D("2027-12-28"), 5, R) == D("2028-01-13"));
}

static void
working_days_count_forward_across_the_spring_festival(void)
{
    /* Fri 2026-02-13 -> Wed 2026-02-25: 14 (Sat, working), 15-23 holiday, 24, 25 = 3 */
    CHECK(cal_working_days(D("2026-02-13"), D("2026-02-25"), R) == 3);
    CHECK(cal_add_working_days(D("2026-02-13"), 3, U) == D("2026-02-25"));
    CHECK(cal_add_working_days(D("2026-02-13"), 1, R) == D("2026-02-14"));
    /* the first day is not counted */
    CHECK(cal_working_days(D("2026-01-05"), D("2026-01-05"), R) == 0);
    CHECK(cal_working_days(D("2026-01-05"), D("2026-01-06"), R) == 1);
}

static void
working_days_count_backward_across_the_year_end(void)
{
    /* 5 working days before Mon 2026-01-05: Sun 01-04 (working), Wed 12-31, Tue 12-30,
     * Mon 12-29, Fri 12-26 */
    CHECK(cal_add_working_days(D("2026-01-05"), -5, R) == D("2025-12-26"));
    CHECK(cal_working_days(D("2025-12-26"), D("2026-01-05"), R) == 5);
    CHECK(cal_add_working_days(D("2025-12-26"), 5, R) == D("2026-01-05"));
    /* into a year nothing is known of: refused, not guessed */
    CHECK(cal_add_working_days(D("2040-12-28"), 10, U) == INT64_MIN);
    CHECK(cal_working_days(D("2040-12-28"), D("2041-01-08"), R) == -1);
}

/* Load a calendar folder holding only statutory.json (every year provisional). */
static void
load_statutory_only(void)
{
    char dir[] = "/tmp/ggzy-cal-XXXXXX", from[512], to[600], err[300];
    CHECK(mkdtemp(dir) != NULL);
    snprintf(from, sizeof from, "%s/statutory.json", CALENDAR_DIR);
    snprintf(to, sizeof to, "%s/statutory.json", dir);
    size_t n;
    char *text = read_file(from, 1 << 20, &n);
    FILE *f = fopen(to, "w");
    CHECK(text && f && fwrite(text, 1, n, f) == n);
    fclose(f);
    free(text);
    CHECK(calendar_load(dir, err, sizeof err));
    remove(to);
    rmdir(dir);
}

static void
the_provisional_bounds_hold_every_arrangement_under_the_2024_rules(void)
{
    /* The State Council's arrangements of 2025 and 2026 (the first two under the 2024 revision)
     * lie between the two readings of their provisional years: each day off in the notice is a
     * rest day for a right, each day worked is a working day for a duty. So a duty's deadline is
     * never later, and a right's never earlier, than the notice would have made it. */
    struct cal_arrangement off[2];
    for (int k = 0; k < 2; k++) {
        char path[512], err[300];
        size_t n;
        snprintf(path, sizeof path, "%s/%d.json", CALENDAR_DIR, 2025 + k);
        char *text = read_file(path, 1 << 20, &n);
        CHECK(cal_arrangement_parse(text, n, &off[k], err, sizeof err));
        free(text);
    }
    load_statutory_only();
    CHECK(cal_year_kind(2026) == CAL_PROVISIONAL);
    for (int k = 0; k < 2; k++) {
        int y = off[k].year;
        for (int64_t d = cal_day_from_ymd(y, 1, 1); d < cal_day_from_ymd(y + 1, 1, 1); d++) {
            int working = ((d % 7) + 7 + 3) % 7 < 5;
            for (size_t i = 0; i < off[k].nholidays; i++)
                working = off[k].holidays[i] == d ? 0 : working;
            for (size_t i = 0; i < off[k].nworkdays; i++)
                working = off[k].workdays[i] == d ? 1 : working;
            if (working)
                CHECK(cal_is_working(d, U) == 1);
            else
                CHECK(cal_is_working(d, R) == 0);
        }
    }
    char err[300];
    CHECK(calendar_load(CALENDAR_DIR, err, sizeof err));
}

static void
an_imported_arrangement_is_checked_and_makes_its_year_official(void)
{
    struct cal_arrangement a;
    char err[300];
    /* a made-up 2027 arrangement (the statutory holidays, one bridge day, two weekends worked) */
    const char *ok =
        "{\"year\":2027,\"source\":\"test\",\"holidays\":[\"2027-01-01\",\"2027-02-05\","
        "\"2027-02-06\",\"2027-02-07\",\"2027-02-08\",\"2027-02-09\",\"2027-02-10\",\"2027-02-11\","
        "\"2027-04-05\",\"2027-05-01\",\"2027-05-02\",\"2027-05-03\",\"2027-06-09\","
        "\"2027-09-15\",\"2027-10-01\",\"2027-10-02\",\"2027-10-03\",\"2027-10-04\"],"
        "\"workdays\":[\"2027-02-20\",\"2027-09-26\"]}";
    CHECK(cal_arrangement_parse(ok, strlen(ok), &a, err, sizeof err));
    CHECK(a.year == 2027 && a.nholidays == 18 && a.nworkdays == 2);
    const char *no_qingming =
        "{\"year\":2027,\"holidays\":[\"2027-01-01\"],\"workdays\":[]}"; /* 春节… left out */
    CHECK(!cal_arrangement_parse(no_qingming, strlen(no_qingming), &a, err, sizeof err));
    CHECK(strstr(err, "statutory holiday") != NULL);
    const char *weekday =
        "{\"year\":2026,\"holidays\":[],\"workdays\":[\"2026-03-04\"]}"; /* a Wednesday */
    CHECK(!cal_arrangement_parse(weekday, strlen(weekday), &a, err, sizeof err));
    const char *other_year = "{\"year\":2027,\"holidays\":[\"2026-12-31\"],\"workdays\":[]}";
    CHECK(!cal_arrangement_parse(other_year, strlen(other_year), &a, err, sizeof err));
    CHECK(cal_official_end(D("2026-12-07")) == D("2026-12-31"));
    CHECK(cal_arrangement_parse(ok, strlen(ok), &a, err, sizeof err));
    calendar_set_import(&a);
    CHECK(cal_year_kind(2027) == CAL_OFFICIAL);
    CHECK(cal_official_end(D("2026-12-07")) == D("2027-12-31"));
    CHECK(cal_is_working(D("2027-02-20"), R) == 1); /* a Saturday worked, by the notice */
    CHECK(cal_add_working_days(D("2026-12-28"), 10, R) ==
          cal_add_working_days(D("2026-12-28"), 10, U));
    /* a reload of the files keeps what was imported */
    CHECK(calendar_load(CALENDAR_DIR, err, sizeof err));
    CHECK(cal_year_kind(2027) == CAL_OFFICIAL);
    calendar_clear_imports();
    CHECK(cal_year_kind(2027) == CAL_PROVISIONAL);
}

static void
the_statute_table_is_complete_and_overrides_apply(void)
{
    for (int i = 0; i < S__COUNT; i++) {
        const struct statute *s = statute(i);
        CHECK(s && s->code && s->summary);
        for (int c = 0; c < CAT__COUNT; c++)
            CHECK(s->value[c] < 0 || s->source[c] != NULL); /* every value has its source */
    }
    CHECK(statute_value(S_BID_PERIOD, CAT_ENGINEERING) == 20);
    CHECK(statute_unit(S_DOC_SALE, CAT_PROCUREMENT) == U_WORKING_DAYS);
    CHECK(statute_value(S_DEPOSIT_CAP, CAT_LAND_MINERAL) == -1);
    char path[] = "/tmp/ggzy-rules-XXXXXX", err[200];
    int fd = mkstemp(path);
    FILE *f = fdopen(fd, "w");
    fputs("# a local rule\nR-DOC-SALE.engineering = 7\n", f);
    fclose(f);
    CHECK(statutes_load_overrides(path, err, sizeof err));
    CHECK(statute_value(S_DOC_SALE, CAT_ENGINEERING) == 7);
    f = fopen(path, "w");
    fputs("R-DOC-SALE.land_mineral = 7\n", f); /* the rule does not apply there */
    fclose(f);
    CHECK(!statutes_load_overrides(path, err, sizeof err));
    remove(path);
}

int
main(void)
{
    char err[300];
    if (!calendar_load(CALENDAR_DIR, err, sizeof err)) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    RUN(dates_parse_and_format_and_bad_ones_are_refused);
    RUN(times_of_record_fall_on_china_standard_time_days);
    RUN(weekends_holidays_and_makeup_days_are_told_apart);
    RUN(a_year_without_an_arrangement_is_provisional_and_one_without_data_unknown);
    RUN(a_right_takes_the_longer_reading_and_a_duty_the_shorter_across_new_year_2027);
    RUN(working_days_count_forward_across_the_spring_festival);
    RUN(working_days_count_backward_across_the_year_end);
    RUN(the_provisional_bounds_hold_every_arrangement_under_the_2024_rules);
    RUN(an_imported_arrangement_is_checked_and_makes_its_year_official);
    RUN(the_statute_table_is_complete_and_overrides_apply);
    calendar_free();
    return CHECK_DONE();
}
