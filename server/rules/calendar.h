/*
 * calendar.h — working days, from data: one file per year in calendar/ (YYYY.json: the public
 * holidays and the weekend days made working days, as the State Council publishes them each
 * year). An operator adds or corrects a year and sends ggzyd SIGHUP: no rebuild. A year without
 * a file is unknown, and a rule that needs it refuses (R-CALENDAR) rather than guessing.
 *
 * Days are counted in China Standard Time (UTC+8, no daylight saving), as day numbers since
 * 1970-01-01.
 */
#ifndef GGZY_CALENDAR_H
#define GGZY_CALENDAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

bool calendar_load(const char *dir, char *err, size_t errlen);
void calendar_free(void);

int64_t cal_day(int64_t t_us);                    /* the CST day of a time of record */
int64_t cal_day_from_ymd(int y, int m, int d);    /* proleptic Gregorian */
bool cal_parse_date(const char *s, int64_t *day); /* "YYYY-MM-DD" */
void cal_format_day(int64_t day, char out[11]);
/* A time of record as China Standard Time to the minute, "YYYY-MM-DD HH:MM" (what a message to a
 * person says; the API itself speaks UTC microseconds). */
void cal_format_minute(int64_t t_us, char out[17]);
/* 1 working day, 0 not, -1 its year is not in the calendar. */
int cal_is_working(int64_t day);
/* Working days d with a < d <= b (the first day is not counted); -1 when a year is missing. */
int64_t cal_working_days(int64_t a, int64_t b);
/* The day n working days after (n > 0) or before (n < 0) day; INT64_MIN when a year is
 * missing. n = 0 gives day itself. */
int64_t cal_add_working_days(int64_t day, int64_t n);

#endif
