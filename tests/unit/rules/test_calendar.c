/* Unit tests of the working-day calendar (data in calendar/) and the statute table. */
#include <stdlib.h>

#include "calendar.h"
#include "check.h"
#include "statutes.h"

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

static void
weekends_holidays_and_makeup_days_are_told_apart(void)
{
    CHECK(cal_is_working(D("2026-01-05")) == 1);  /* a Monday */
    CHECK(cal_is_working(D("2026-01-10")) == 0);  /* a Saturday */
    CHECK(cal_is_working(D("2026-01-01")) == 0);  /* New Year's Day, a Thursday */
    CHECK(cal_is_working(D("2026-01-04")) == 1);  /* a Sunday made a working day */
    CHECK(cal_is_working(D("2026-10-05")) == 0);  /* National Day holidays, a Monday */
    CHECK(cal_is_working(D("2026-10-10")) == 1);  /* a Saturday made a working day */
    CHECK(cal_is_working(D("2031-03-03")) == -1); /* no file for 2031: unknown, not guessed */
}

static void
working_days_count_forward_across_the_spring_festival(void)
{
    /* Fri 2026-02-13 -> Wed 2026-02-25: 14 (Sat, working), 15-23 holiday, 24, 25 = 3 */
    CHECK(cal_working_days(D("2026-02-13"), D("2026-02-25")) == 3);
    CHECK(cal_add_working_days(D("2026-02-13"), 3) == D("2026-02-25"));
    CHECK(cal_add_working_days(D("2026-02-13"), 1) == D("2026-02-14"));
    /* the first day is not counted */
    CHECK(cal_working_days(D("2026-01-05"), D("2026-01-05")) == 0);
    CHECK(cal_working_days(D("2026-01-05"), D("2026-01-06")) == 1);
}

static void
working_days_count_backward_across_the_year_end(void)
{
    /* 5 working days before Mon 2026-01-05: Sun 01-04 (working), Wed 12-31, Tue 12-30,
     * Mon 12-29, Fri 12-26 */
    CHECK(cal_add_working_days(D("2026-01-05"), -5) == D("2025-12-26"));
    CHECK(cal_working_days(D("2025-12-26"), D("2026-01-05")) == 5);
    CHECK(cal_add_working_days(D("2025-12-26"), 5) == D("2026-01-05"));
    /* across a year the calendar does not know: refused, not guessed */
    CHECK(cal_add_working_days(D("2026-12-28"), 10) == INT64_MIN);
    CHECK(cal_working_days(D("2026-12-28"), D("2027-01-08")) == -1);
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
    RUN(working_days_count_forward_across_the_spring_festival);
    RUN(working_days_count_backward_across_the_year_end);
    RUN(the_statute_table_is_complete_and_overrides_apply);
    calendar_free();
    return CHECK_DONE();
}
