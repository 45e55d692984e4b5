/*
 * calendar.c — see calendar.h. The loaded years live in one table swapped under a mutex on
 * reload, so a SIGHUP never leaves a half-read calendar in use. Each year has three layers, the
 * first known one in force: an imported arrangement, the year's file, the provisional marks
 * computed from the statutory holidays.
 */
#define _GNU_SOURCE
#include "calendar.h"

#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "util.h"

#define MIN_YEAR 2000
#define MAX_YEAR 2099
#define NYEARS   (MAX_YEAR - MIN_YEAR + 1)

/* Marks of a day. Official: 0 none, 1 holiday, 2 made a working day. Provisional: 0 none, 1
 * statutory holiday, 2 an uncertain weekday (may be made rest), 3 an uncertain weekend day (may
 * be made a working day). */
struct year {
    bool known;
    unsigned char mark[366];
    char source[400];
};
/* The table in force: per year, its file (official), its import (official) and its
 * provisional marks. */
struct table {
    struct year file[NYEARS], import[NYEARS], prov[NYEARS];
};

static struct table *tab;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

void
cal_format_minute(int64_t t_us, char out[17])
{
    int64_t day = cal_day(t_us);
    int64_t min = (t_us + INT64_C(8) * 3600 * 1000000) / 60000000 - day * 1440;
    char d[11], tmp[40];
    cal_format_day(day, d);
    snprintf(tmp, sizeof tmp, "%s %02d:%02d", d, (int)(min / 60), (int)(min % 60));
    memcpy(out, tmp, 16);
    out[16] = '\0';
}

int64_t
cal_day_from_ymd(int y, int m, int d)
{
    /* days_from_civil (H. Hinnant) */
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void
civil(int64_t z, int *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

void
cal_format_day(int64_t day, char out[11])
{
    int y, m, d;
    civil(day, &y, &m, &d);
    char tmp[32];
    snprintf(tmp, sizeof tmp, "%04d-%02d-%02d", y, m, d);
    memcpy(out, tmp, 10);
    out[10] = '\0';
}

int64_t
cal_day(int64_t t_us)
{
    int64_t s = t_us / 1000000 + 8 * 3600;
    if (t_us < 0 && t_us % 1000000)
        s--;
    return s >= 0 ? s / 86400 : (s - 86399) / 86400;
}

bool
cal_parse_date(const char *s, int64_t *day)
{
    int y, m, d;
    char extra;
    if (!s || sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &extra) != 3 || strlen(s) != 10 || m < 1 ||
        m > 12 || d < 1 || d > 31)
        return false;
    int64_t z = cal_day_from_ymd(y, m, d);
    int y2, m2, d2;
    civil(z, &y2, &m2, &d2);
    if (y2 != y || m2 != m || d2 != d)
        return false; /* 2026-02-30 */
    *day = z;
    return true;
}

static int64_t
weekday(int64_t day)
{
    return ((day % 7) + 7 + 3) % 7; /* 0 = Monday; 1970-01-01 was a Thursday */
}

int
cal_year_of(int64_t day)
{
    int y, m, d;
    civil(day, &y, &m, &d);
    return y;
}

/* Read "YYYY-MM-DD" strings of arr (at most max) into out; false when one is not a date. */
static bool
dates_of(const cJSON *arr, int64_t *out, size_t max, size_t *n)
{
    *n = 0;
    if (!cJSON_IsArray(arr))
        return false;
    for (const cJSON *it = arr->child; it; it = it->next) {
        if (*n == max || !cJSON_IsString(it) || !cal_parse_date(it->valuestring, &out[*n]))
            return false;
        (*n)++;
    }
    return true;
}

/* The statutory holidays of year y from the lunar table (NULL: y not in it) and the fixed
 * dates: into out (at least 16), returns how many, -1 when the year's lunar dates are unknown. */
static int
statutory_days(const cJSON *years_tab, int y, int64_t *out)
{
    char key[8];
    snprintf(key, sizeof key, "%04d", y);
    const cJSON *ly = cJSON_GetObjectItemCaseSensitive(years_tab, key);
    int64_t chunjie, qingming, duanwu, zhongqiu;
    if (!ly ||
        !cal_parse_date(cJSON_GetStringValue(cJSON_GetObjectItem(ly, "chunjie")), &chunjie) ||
        !cal_parse_date(cJSON_GetStringValue(cJSON_GetObjectItem(ly, "qingming")), &qingming) ||
        !cal_parse_date(cJSON_GetStringValue(cJSON_GetObjectItem(ly, "duanwu")), &duanwu) ||
        !cal_parse_date(cJSON_GetStringValue(cJSON_GetObjectItem(ly, "zhongqiu")), &zhongqiu))
        return -1;
    int n = 0;
    out[n++] = cal_day_from_ymd(y, 1, 1); /* 元旦 */
    for (int k = -1; k <= 2; k++)         /* 春节: 除夕, 初一 to 初三 */
        out[n++] = chunjie + k;
    out[n++] = qingming;                  /* 清明节 */
    out[n++] = cal_day_from_ymd(y, 5, 1); /* 劳动节 */
    out[n++] = cal_day_from_ymd(y, 5, 2);
    out[n++] = duanwu;           /* 端午节 */
    out[n++] = zhongqiu;         /* 中秋节 */
    for (int k = 1; k <= 3; k++) /* 国庆节 */
        out[n++] = cal_day_from_ymd(y, 10, k);
    return n;
}

/* The provisional marks of every year the statutory table covers. */
static bool
load_statutory(struct table *t, const char *path, char *err, size_t errlen)
{
    size_t n;
    char *text = read_file(path, 1 << 20, &n);
    if (!text)
        return true; /* no table: no provisional years */
    cJSON *j = cJSON_ParseWithLength(text, n);
    free(text);
    const cJSON *ys = cJSON_GetObjectItemCaseSensitive(j, "years");
    const char *law = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "law"));
    if (!cJSON_IsObject(ys) || !law) {
        snprintf(err, errlen,
                 "%s: expected {\"law\", \"years\": {\"YYYY\": {\"chunjie\", "
                 "\"qingming\", \"duanwu\", \"zhongqiu\"}}}",
                 path);
        cJSON_Delete(j);
        return false;
    }
    bool ok = true;
    for (const cJSON *it = ys->child; ok && it; it = it->next) {
        int y = atoi(it->string);
        int64_t h[24];
        int nh = y >= MIN_YEAR && y < MAX_YEAR ? statutory_days(ys, y, h) : -1;
        if (nh < 0 || cal_year_of(h[1]) > y + 1 || cal_year_of(h[nh - 4]) != y) {
            snprintf(err, errlen, "%s: year %s has no valid dates of that year", path, it->string);
            ok = false;
            break;
        }
        h[nh++] = cal_day_from_ymd(y + 1, 1, 1); /* next 元旦: late December's swaps */
        struct year *Y = &t->prov[y - MIN_YEAR];
        int64_t jan1 = cal_day_from_ymd(y, 1, 1), end = cal_day_from_ymd(y + 1, 1, 1);
        for (int64_t d = jan1; d < end; d++) {
            int64_t dist = INT64_MAX;
            for (int k = 0; k < nh; k++) {
                int64_t gap = d > h[k] ? d - h[k] : h[k] - d;
                dist = gap < dist ? gap : dist;
            }
            unsigned char m = 0;
            if (dist == 0)
                m = 1;
            else if (weekday(d) < 5 && dist <= CAL_BRIDGE_DAYS)
                m = 2;
            else if (weekday(d) >= 5 && dist <= CAL_MAKEUP_DAYS)
                m = 3;
            Y->mark[d - jan1] = m;
        }
        Y->known = true;
        snprintf(Y->source, sizeof Y->source, "provisional: %s", law);
    }
    cJSON_Delete(j);
    return ok;
}

/* cal_arrangement_parse against the provisional marks of t (read only). */
static bool
parse_with(const struct table *t, const char *text, size_t len, struct cal_arrangement *a,
           char *err, size_t errlen)
{
    memset(a, 0, sizeof *a);
    cJSON *j = text ? cJSON_ParseWithLength(text, len) : NULL;
    const cJSON *year = cJSON_GetObjectItemCaseSensitive(j, "year");
    const char *src = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "source"));
    bool ok = false;
    if (!cJSON_IsNumber(year) || year->valuedouble < MIN_YEAR || year->valuedouble > MAX_YEAR - 1 ||
        year->valuedouble != (double)(int)year->valuedouble) {
        snprintf(err, errlen,
                 "expected {\"year\": %d to %d, \"source\", \"holidays\": [dates], "
                 "\"workdays\": [dates]}",
                 MIN_YEAR, MAX_YEAR - 1);
        goto out;
    }
    a->year = (int)year->valuedouble;
    snprintf(a->source, sizeof a->source, "%s", src ? src : "");
    if (!dates_of(cJSON_GetObjectItemCaseSensitive(j, "holidays"), a->holidays, CAL_MAX_DATES,
                  &a->nholidays) ||
        !dates_of(cJSON_GetObjectItemCaseSensitive(j, "workdays"), a->workdays, CAL_MAX_DATES,
                  &a->nworkdays)) {
        snprintf(err, errlen, "holidays and workdays are arrays of at most %d dates YYYY-MM-DD",
                 CAL_MAX_DATES);
        goto out;
    }
    char d1[11];
    for (size_t i = 0; i < a->nholidays + a->nworkdays; i++) {
        int64_t d = i < a->nholidays ? a->holidays[i] : a->workdays[i - a->nholidays];
        cal_format_day(d, d1);
        if (cal_year_of(d) != a->year) {
            snprintf(err, errlen, "%s is not in %d", d1, a->year);
            goto out;
        }
        for (size_t k = 0; k < i; k++)
            if ((k < a->nholidays ? a->holidays[k] : a->workdays[k - a->nholidays]) == d) {
                snprintf(err, errlen, "%s is listed twice", d1);
                goto out;
            }
        if (i >= a->nholidays && weekday(d) < 5) {
            snprintf(err, errlen, "%s is made a working day but is not a Saturday or Sunday", d1);
            goto out;
        }
    }
    /* every statutory holiday of the year is a holiday of its arrangement */
    const struct year *P = t ? &t->prov[a->year - MIN_YEAR] : NULL;
    int64_t jan1 = cal_day_from_ymd(a->year, 1, 1), missing = -1;
    for (int k = 0; P && P->known && k < 366 && missing < 0; k++) {
        if (P->mark[k] != 1)
            continue;
        size_t i = 0;
        while (i < a->nholidays && a->holidays[i] != jan1 + k)
            i++;
        if (i == a->nholidays)
            missing = jan1 + k;
    }
    if (missing >= 0) {
        cal_format_day(missing, d1);
        snprintf(err, errlen,
                 "%s is a statutory holiday (全国年节及纪念日放假办法 第二条) the arrangement does "
                 "not list as a holiday: check the file against the notice",
                 d1);
        goto out;
    }
    ok = true;
out:
    cJSON_Delete(j);
    return ok;
}

bool
cal_arrangement_parse(const char *text, size_t len, struct cal_arrangement *a, char *err,
                      size_t errlen)
{
    pthread_mutex_lock(&mu);
    bool ok = parse_with(tab, text, len, a, err, errlen);
    pthread_mutex_unlock(&mu);
    return ok;
}

static void
set_year(struct year *Y, const struct cal_arrangement *a)
{
    memset(Y, 0, sizeof *Y);
    int64_t jan1 = cal_day_from_ymd(a->year, 1, 1);
    for (size_t i = 0; i < a->nholidays; i++)
        Y->mark[a->holidays[i] - jan1] = 1;
    for (size_t i = 0; i < a->nworkdays; i++)
        Y->mark[a->workdays[i] - jan1] = 2;
    snprintf(Y->source, sizeof Y->source, "%s", a->source);
    Y->known = true;
}

bool
calendar_load(const char *dir, char *err, size_t errlen)
{
    struct table *t = calloc(1, sizeof *t);
    DIR *d = t ? opendir(dir) : NULL;
    if (!d) {
        snprintf(err, errlen, "cannot open the calendar directory %s", dir);
        free(t);
        return false;
    }
    struct dirent *e;
    char path[4096];
    snprintf(path, sizeof path, "%s/statutory.json", dir);
    bool ok = load_statutory(t, path, err, errlen);
    int count = 0;
    while (ok && (e = readdir(d))) {
        size_t n = strlen(e->d_name);
        if (n != 9 || strcmp(e->d_name + 4, ".json"))
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        size_t len;
        char *text = read_file(path, 1 << 20, &len), why[300];
        struct cal_arrangement a;
        ok = parse_with(t, text, len, &a, why, sizeof why); /* t is not shared yet */
        free(text);
        if (!ok)
            snprintf(err, errlen, "calendar file %s: %s", path, why);
        else
            set_year(&t->file[a.year - MIN_YEAR], &a);
        count++;
    }
    closedir(d);
    struct table *old = t;
    if (ok) { /* swap in, keeping what was imported */
        pthread_mutex_lock(&mu);
        old = tab;
        if (old)
            memcpy(t->import, old->import, sizeof t->import);
        tab = t;
        pthread_mutex_unlock(&mu);
    }
    free(old);
    if (ok)
        log_info("calendar: %d official year(s) loaded from %s", count, dir);
    return ok;
}

void
calendar_set_import(const struct cal_arrangement *a)
{
    pthread_mutex_lock(&mu);
    if (tab && a->year >= MIN_YEAR && a->year <= MAX_YEAR)
        set_year(&tab->import[a->year - MIN_YEAR], a);
    pthread_mutex_unlock(&mu);
}

void
calendar_clear_imports(void)
{
    pthread_mutex_lock(&mu);
    if (tab)
        memset(tab->import, 0, sizeof tab->import);
    pthread_mutex_unlock(&mu);
}

void
calendar_free(void)
{
    pthread_mutex_lock(&mu);
    free(tab);
    tab = NULL;
    pthread_mutex_unlock(&mu);
}

/* The year in force (import, file) when official, else NULL. Caller holds mu. */
static const struct year *
official_locked(int y)
{
    if (!tab || y < MIN_YEAR || y > MAX_YEAR)
        return NULL;
    if (tab->import[y - MIN_YEAR].known)
        return &tab->import[y - MIN_YEAR];
    return tab->file[y - MIN_YEAR].known ? &tab->file[y - MIN_YEAR] : NULL;
}

/* Caller holds mu. */
static enum cal_kind
kind_locked(int y)
{
    if (official_locked(y))
        return CAL_OFFICIAL;
    return tab && y >= MIN_YEAR && y <= MAX_YEAR && tab->prov[y - MIN_YEAR].known ? CAL_PROVISIONAL
                                                                                  : CAL_UNKNOWN;
}

/* Caller holds mu. */
static int
working_locked(int64_t day, enum cal_reading r)
{
    int y, m, d;
    civil(day, &y, &m, &d);
    int64_t k = day - cal_day_from_ymd(y, 1, 1);
    bool weekend = weekday(day) >= 5;
    const struct year *Y = official_locked(y);
    if (Y)
        return Y->mark[k] ? Y->mark[k] == 2 : !weekend;
    if (kind_locked(y) != CAL_PROVISIONAL)
        return -1;
    switch (tab->prov[y - MIN_YEAR].mark[k]) {
    case 1:
        return 0;
    case 2:
    case 3:
        return r == CAL_DUTY; /* uncertain: rest for a right, working for a duty */
    default:
        return !weekend;
    }
}

enum cal_kind
cal_year_kind(int year)
{
    pthread_mutex_lock(&mu);
    enum cal_kind k = kind_locked(year);
    pthread_mutex_unlock(&mu);
    return k;
}

enum cal_kind
cal_range_kind(int64_t a, int64_t b)
{
    enum cal_kind worst = CAL_OFFICIAL;
    pthread_mutex_lock(&mu);
    for (int y = cal_year_of(a); y <= cal_year_of(b) && worst != CAL_UNKNOWN; y++) {
        enum cal_kind k = kind_locked(y);
        worst = k < worst ? k : worst;
    }
    pthread_mutex_unlock(&mu);
    return worst;
}

int64_t
cal_official_end(int64_t today)
{
    int y = cal_year_of(today);
    pthread_mutex_lock(&mu);
    while (y <= MAX_YEAR && official_locked(y))
        y++;
    pthread_mutex_unlock(&mu);
    int64_t end = cal_day_from_ymd(y, 1, 1) - 1;
    return end < today ? today - 1 : end;
}

void
cal_year_source(int year, char *out, size_t outlen)
{
    pthread_mutex_lock(&mu);
    const struct year *Y = official_locked(year);
    if (!Y && kind_locked(year) == CAL_PROVISIONAL)
        Y = &tab->prov[year - MIN_YEAR];
    snprintf(out, outlen, "%s", Y ? Y->source : "");
    pthread_mutex_unlock(&mu);
}

int
cal_is_working(int64_t day, enum cal_reading r)
{
    pthread_mutex_lock(&mu);
    int w = working_locked(day, r);
    pthread_mutex_unlock(&mu);
    return w;
}

int64_t
cal_working_days(int64_t a, int64_t b, enum cal_reading r)
{
    if (b <= a)
        return 0;
    int64_t n = 0;
    pthread_mutex_lock(&mu);
    for (int64_t d = a + 1; d <= b; d++) {
        int w = working_locked(d, r);
        if (w < 0) {
            n = -1;
            break;
        }
        n += w;
    }
    pthread_mutex_unlock(&mu);
    return n;
}

int64_t
cal_add_working_days(int64_t day, int64_t n, enum cal_reading r)
{
    int64_t step = n >= 0 ? 1 : -1, left = n >= 0 ? n : -n, d = day;
    pthread_mutex_lock(&mu);
    while (left > 0) {
        d += step;
        int w = working_locked(d, r);
        if (w < 0) {
            d = INT64_MIN;
            break;
        }
        left -= w;
    }
    pthread_mutex_unlock(&mu);
    return d;
}
