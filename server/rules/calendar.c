/*
 * calendar.c — see calendar.h. The loaded years live in one table swapped under a mutex on
 * reload, so a SIGHUP never leaves a half-read calendar in use.
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

/* Per year: known, and for each day of the year an override: 0 none, 1 holiday, 2 workday. */
struct year {
    bool known;
    unsigned char mark[366];
};

static struct year *years;
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

static bool
load_year(struct year *ys, const char *path, char *err, size_t errlen)
{
    size_t n;
    char *text = read_file(path, 1 << 20, &n);
    cJSON *j = text ? cJSON_ParseWithLength(text, n) : NULL;
    free(text);
    const cJSON *year = cJSON_GetObjectItem(j, "year");
    bool ok =
        cJSON_IsNumber(year) && year->valuedouble >= MIN_YEAR && year->valuedouble <= MAX_YEAR;
    int y = ok ? (int)year->valuedouble : 0;
    struct year *Y = ok ? &ys[y - MIN_YEAR] : NULL;
    int64_t jan1 = cal_day_from_ymd(y, 1, 1);
    static const char *const keys[] = {"holidays", "workdays"};
    for (int k = 0; ok && k < 2; k++) {
        const cJSON *arr = cJSON_GetObjectItem(j, keys[k]);
        if (!cJSON_IsArray(arr)) {
            ok = false;
            break;
        }
        for (const cJSON *it = arr->child; it && ok; it = it->next) {
            int64_t day;
            ok = cJSON_IsString(it) && cal_parse_date(it->valuestring, &day) && day >= jan1 &&
                 day - jan1 < 366;
            if (ok)
                Y->mark[day - jan1] = (unsigned char)(k + 1);
        }
    }
    if (!ok)
        snprintf(err, errlen,
                 "calendar file %s: expected {\"year\", \"holidays\": [dates], "
                 "\"workdays\": [dates]} with dates of that year",
                 path);
    else
        Y->known = true;
    cJSON_Delete(j);
    return ok;
}

bool
calendar_load(const char *dir, char *err, size_t errlen)
{
    struct year *ys = calloc(NYEARS, sizeof *ys);
    DIR *d = ys ? opendir(dir) : NULL;
    if (!d) {
        snprintf(err, errlen, "cannot open the calendar directory %s", dir);
        free(ys);
        return false;
    }
    struct dirent *e;
    bool ok = true;
    int count = 0;
    while (ok && (e = readdir(d))) {
        size_t n = strlen(e->d_name);
        if (n != 9 || strcmp(e->d_name + 4, ".json"))
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        ok = load_year(ys, path, err, errlen);
        count++;
    }
    closedir(d);
    if (!ok) {
        free(ys);
        return false;
    }
    pthread_mutex_lock(&mu);
    struct year *old = years;
    years = ys;
    pthread_mutex_unlock(&mu);
    free(old);
    log_info("calendar: %d year(s) loaded from %s", count, dir);
    return true;
}

void
calendar_free(void)
{
    pthread_mutex_lock(&mu);
    free(years);
    years = NULL;
    pthread_mutex_unlock(&mu);
}

/* Caller holds mu. */
static int
working_locked(int64_t day)
{
    int y, m, d;
    civil(day, &y, &m, &d);
    if (!years || y < MIN_YEAR || y > MAX_YEAR || !years[y - MIN_YEAR].known)
        return -1;
    unsigned char mark = years[y - MIN_YEAR].mark[day - cal_day_from_ymd(y, 1, 1)];
    if (mark)
        return mark == 2;
    int64_t wd = ((day % 7) + 7 + 3) % 7; /* 0 = Monday; 1970-01-01 was a Thursday */
    return wd < 5;
}

int
cal_is_working(int64_t day)
{
    pthread_mutex_lock(&mu);
    int w = working_locked(day);
    pthread_mutex_unlock(&mu);
    return w;
}

int64_t
cal_working_days(int64_t a, int64_t b)
{
    if (b <= a)
        return 0;
    int64_t n = 0;
    pthread_mutex_lock(&mu);
    for (int64_t d = a + 1; d <= b; d++) {
        int w = working_locked(d);
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
cal_add_working_days(int64_t day, int64_t n)
{
    int64_t step = n >= 0 ? 1 : -1, left = n >= 0 ? n : -n, d = day;
    pthread_mutex_lock(&mu);
    while (left > 0) {
        d += step;
        int w = working_locked(d);
        if (w < 0) {
            d = INT64_MIN;
            break;
        }
        left -= w;
    }
    pthread_mutex_unlock(&mu);
    return d;
}
