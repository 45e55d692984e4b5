/*
 * calendar.h — working days, from data (docs/rules.md "Working days").
 *
 * A year is one of three kinds:
 *   - official: the State Council's arrangement for it (国务院办公厅关于YYYY年部分节假日安排的
 *     通知) — a file calendar/YYYY.json shipped with a release, or an arrangement the operator
 *     imported since (`ggzyd calendar import`, kept in the database and applied to the table in
 *     force by calendar_set_import);
 *   - provisional: no arrangement yet, but the statutory holidays of 《全国年节及纪念日放假
 *     办法》(2024 revision) are known from calendar/statutory.json (the lunar dates as data, with
 *     their source). The weekend swaps (调休) of a year are unknown until announced, so a day
 *     near a holiday is uncertain: a weekday within CAL_BRIDGE_DAYS of a statutory holiday may
 *     become a rest day, a weekend day within CAL_MAKEUP_DAYS of one may become a working day.
 *     Which way an uncertain day counts depends on whom the period protects (enum cal_reading);
 *   - unknown: neither. A period that reaches it is not computed (the callers' rule codes say
 *     so), never guessed.
 *
 * Days are counted in China Standard Time (UTC+8, no daylight saving), as day numbers since
 * 1970-01-01.
 */
#ifndef GGZY_CALENDAR_H
#define GGZY_CALENDAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CAL_BRIDGE_DAYS 5  /* a weekday this close to a statutory holiday may be made rest */
#define CAL_MAKEUP_DAYS 14 /* a weekend day this close to one may be made a working day */
#define CAL_MAX_DATES   64 /* dates an arrangement lists, of each kind */

/* How a provisional year's uncertain days count. */
enum cal_reading {
    CAL_RIGHT, /* a period that protects a party's right (to prepare, object, complain): the
                  longer reading — an uncertain day is a rest day */
    CAL_DUTY,  /* an obligation of the platform or an official (a refund, an answer, a decision):
                  the shorter reading — an uncertain day is a working day */
};
enum cal_kind { CAL_UNKNOWN = -1, CAL_PROVISIONAL = 0, CAL_OFFICIAL = 1 };

/* A year's official arrangement, as a notice publishes it. */
struct cal_arrangement {
    int year;
    char source[400]; /* the notice */
    size_t nholidays, nworkdays;
    int64_t holidays[CAL_MAX_DATES], workdays[CAL_MAX_DATES];
};

/* Load calendar/: every YYYY.json (official) and statutory.json (the provisional years). Years
 * set by calendar_set_import stay as they are. False with err: the old table stays in use. */
bool calendar_load(const char *dir, char *err, size_t errlen);
void calendar_free(void);
/* Parse and check an arrangement ({"year", "source", "holidays": [dates], "workdays": [dates]},
 * the format of calendar/YYYY.json): dates of that year, none twice, each made working day a
 * Saturday or Sunday, and — where the statutory holidays of the year are known — every one of
 * them a holiday of the arrangement. False with err (a sentence naming the problem). */
bool cal_arrangement_parse(const char *text, size_t len, struct cal_arrangement *a, char *err,
                           size_t errlen);
/* Put an imported arrangement in force (it replaces the year's file, if any). */
void calendar_set_import(const struct cal_arrangement *a);
/* Forget every imported arrangement (before applying the database's set again). */
void calendar_clear_imports(void);

int64_t cal_day(int64_t t_us);                    /* the CST day of a time of record */
int64_t cal_day_from_ymd(int y, int m, int d);    /* proleptic Gregorian */
int cal_year_of(int64_t day);                     /* its Gregorian year */
bool cal_parse_date(const char *s, int64_t *day); /* "YYYY-MM-DD" */
void cal_format_day(int64_t day, char out[11]);
/* A time of record as China Standard Time to the minute, "YYYY-MM-DD HH:MM" (what a message to a
 * person says; the API itself speaks UTC microseconds). */
void cal_format_minute(int64_t t_us, char out[17]);

/* The kind of a year, and the worst kind of the days a..b (inclusive): unknown if any is,
 * provisional if any is, else official. */
enum cal_kind cal_year_kind(int year);
enum cal_kind cal_range_kind(int64_t a, int64_t b);
/* The last day of the official years that run on from today's year (today - 1 when today's year
 * itself is not official): when the loaded calendar ends. */
int64_t cal_official_end(int64_t today);
/* The source of a year (the notice, or the statute for a provisional year); "" when unknown. */
void cal_year_source(int year, char *out, size_t outlen);

/* 1 working day, 0 not, -1 its year is unknown. */
int cal_is_working(int64_t day, enum cal_reading r);
/* Working days d with a < d <= b (the first day is not counted); -1 when a year is unknown. */
int64_t cal_working_days(int64_t a, int64_t b, enum cal_reading r);
/* The day n working days after (n > 0) or before (n < 0) day; INT64_MIN when a year is
 * unknown. n = 0 gives day itself. */
int64_t cal_add_working_days(int64_t day, int64_t n, enum cal_reading r);

#endif
