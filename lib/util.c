/*
 * util.c — the one clock, JSON-line logging, the growable buffer and small parsers.
 *
 * The clock: clock_now_us() = CLOCK_REALTIME + offset. The offset is 0 in production and only
 * the test-clock routes (registered with --test-mode alone) change it. Logging writes whole
 * lines with one write(2) so concurrent threads never interleave inside a line.
 */
#define _GNU_SOURCE
#include "util.h"

#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static _Atomic int64_t clock_offset_us;
static _Atomic bool clock_demo;

void
clock_set_demo(bool on)
{
    atomic_store(&clock_demo, on);
}

bool
clock_is_demo(void)
{
    return atomic_load(&clock_demo);
}

int64_t
clock_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000 + atomic_load(&clock_offset_us);
}

void
clock_set_us(int64_t target_us)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    int64_t real = (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
    atomic_store(&clock_offset_us, target_us - real);
}

void
clock_advance_us(int64_t delta_us)
{
    atomic_fetch_add(&clock_offset_us, delta_us);
}

void
clock_deadline_ms(clockid_t clk, long ms, struct timespec *ts)
{
    clock_gettime(clk, ts);
    ts->tv_sec += ms / 1000;
    ts->tv_nsec += (ms % 1000) * 1000000L;
    if (ts->tv_nsec >= 1000000000L) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000L;
    }
}

void
clock_format(int64_t t_us, char *buf, size_t len)
{
    time_t s = (time_t)(t_us / 1000000);
    long us = (long)(t_us % 1000000);
    if (us < 0) {
        us += 1000000;
        s -= 1;
    }
    /* the date and time to the second, formatted once a second per thread (every log line and
     * every time of record asks; gmtime and printf are the costly part) */
    static _Thread_local time_t last_s = (time_t)-1;
    static _Thread_local char last[32];
    if (s != last_s) {
        struct tm tm;
        gmtime_r(&s, &tm);
        snprintf(last, sizeof last, "%04d-%02d-%02dT%02d:%02d:%02d", (tm.tm_year + 1900) % 10000,
                 (tm.tm_mon + 1) % 100, tm.tm_mday % 100, tm.tm_hour % 100, tm.tm_min % 100,
                 tm.tm_sec % 100);
        last_s = s;
    }
    char tmp[32];
    memcpy(tmp, last, 19);
    tmp[19] = '.';
    for (int i = 25; i >= 20; i--, us /= 10)
        tmp[i] = (char)('0' + us % 10);
    tmp[26] = 'Z';
    tmp[27] = '\0';
    if (len) {
        size_t n = len - 1 < 27 ? len - 1 : 27;
        memcpy(buf, tmp, n);
        buf[n] = '\0';
    }
}

/* ---- logging ---- */

static enum log_level min_level = LOG_INFO;
static _Thread_local const char *cur_rid;
static const char *const level_names[] = {"debug", "info", "warn", "error"};

void
log_set_level(enum log_level lv)
{
    min_level = lv;
}

void
log_set_request_id(const char *rid)
{
    cur_rid = rid;
}

const char *
log_request_id(void)
{
    return cur_rid;
}

static void
write_all(const char *p, size_t len)
{
    while (len > 0) {
        ssize_t w = write(STDERR_FILENO, p, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return;
        p += w;
        len -= (size_t)w;
    }
}

/* Buffered logging (the daemon's, log_buffered_start): lines gather in one buffer written when it
 * fills, every LOG_FLUSH_MS by a flusher thread, and at once after a warning or an error — one
 * write(2) for many lines instead of one each. Without it (the client, ggzyd's commands) every
 * line is written as it comes. Either way a line is never split. */
#define LOG_BUF_SIZE (64 * 1024)
#define LOG_FLUSH_MS 100
static pthread_mutex_t log_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t log_cv = PTHREAD_COND_INITIALIZER;
static char *log_buf;
static size_t log_len;
static atomic_bool log_buffered;
static bool log_stopping;
static pthread_t log_thread;

void
log_raw_line(const char *line, size_t len)
{
    if (!atomic_load(&log_buffered)) {
        write_all(line, len);
        return;
    }
    pthread_mutex_lock(&log_mu);
    if (log_len + len > LOG_BUF_SIZE) {
        write_all(log_buf, log_len);
        log_len = 0;
    }
    if (len > LOG_BUF_SIZE)
        write_all(line, len);
    else {
        memcpy(log_buf + log_len, line, len);
        log_len += len;
    }
    pthread_mutex_unlock(&log_mu);
}

void
log_flush(void)
{
    pthread_mutex_lock(&log_mu);
    if (log_len)
        write_all(log_buf, log_len);
    log_len = 0;
    pthread_mutex_unlock(&log_mu);
}

static void *
log_flusher(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&log_mu);
    while (!log_stopping) {
        struct timespec ts;
        clock_deadline_ms(CLOCK_REALTIME, LOG_FLUSH_MS, &ts);
        pthread_cond_timedwait(&log_cv, &log_mu, &ts);
        if (log_len)
            write_all(log_buf, log_len);
        log_len = 0;
    }
    pthread_mutex_unlock(&log_mu);
    return NULL;
}

bool
log_buffered_start(void)
{
    if (atomic_load(&log_buffered))
        return true;
    log_buf = malloc(LOG_BUF_SIZE);
    if (!log_buf)
        return false;
    log_stopping = false;
    if (pthread_create(&log_thread, NULL, log_flusher, NULL) != 0) {
        free(log_buf);
        log_buf = NULL;
        return false;
    }
    atomic_store(&log_buffered, true);
    return true;
}

void
log_buffered_stop(void)
{
    if (!atomic_load(&log_buffered))
        return;
    pthread_mutex_lock(&log_mu);
    log_stopping = true;
    pthread_cond_signal(&log_cv);
    pthread_mutex_unlock(&log_mu);
    pthread_join(log_thread, NULL);
    log_flush();
    atomic_store(&log_buffered, false);
    free(log_buf);
    log_buf = NULL;
}

void
log_write(enum log_level lv, const char *fn, const char *fmt, ...)
{
    if (lv < min_level)
        return;
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    char ts[40];
    clock_format(clock_now_us(), ts, sizeof ts);
    struct buf b = {0};
    buf_printf(&b, "{\"ts\":\"%s\",\"fn\":\"%s\",\"level\":\"%s\"", ts, fn, level_names[lv]);
    if (cur_rid)
        buf_printf(&b, ",\"rid\":\"%s\"", cur_rid);
    buf_puts(&b, ",\"msg\":\"");
    buf_json_escape(&b, msg, strlen(msg));
    buf_puts(&b, "\"}\n");
    if (!b.oom)
        log_raw_line(b.p, b.len);
    buf_free(&b);
    if (lv >= LOG_WARN)
        log_flush(); /* what went wrong is on disk at once, after everything before it */
}

/* ---- buffer ---- */

static bool
buf_reserve(struct buf *b, size_t extra)
{
    if (b->oom)
        return false;
    if (extra > SIZE_MAX / 2 - b->len) {
        b->oom = true;
        return false;
    }
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return true;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need)
        cap *= 2;
    char *p = b->borrowed ? malloc(cap) : realloc(b->p, cap);
    if (!p) {
        b->oom = true;
        return false;
    }
    if (b->borrowed && b->len)
        memcpy(p, b->p, b->len);
    b->borrowed = false;
    b->p = p;
    b->cap = cap;
    return true;
}

void
buf_append(struct buf *b, const void *data, size_t n)
{
    if (!buf_reserve(b, n))
        return;
    if (n)
        memcpy(b->p + b->len, data, n);
    b->len += n;
    b->p[b->len] = '\0';
}

void
buf_puts(struct buf *b, const char *s)
{
    buf_append(b, s, strlen(s));
}

void
buf_printf(struct buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || !buf_reserve(b, (size_t)n))
        return;
    va_start(ap, fmt);
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void
buf_json_escape(struct buf *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        switch (c) {
        case '"':
            buf_append(b, "\\\"", 2);
            break;
        case '\\':
            buf_append(b, "\\\\", 2);
            break;
        case '\n':
            buf_append(b, "\\n", 2);
            break;
        case '\r':
            buf_append(b, "\\r", 2);
            break;
        case '\t':
            buf_append(b, "\\t", 2);
            break;
        case '\b':
            buf_append(b, "\\b", 2);
            break;
        case '\f':
            buf_append(b, "\\f", 2);
            break;
        default:
            if (c < 0x20)
                buf_printf(b, "\\u%04x", c);
            else { /* a run of bytes that need no escape, copied at once */
                size_t j = i + 1;
                while (j < n && (unsigned char)s[j] >= 0x20 && s[j] != '"' && s[j] != '\\')
                    j++;
                buf_append(b, &s[i], j - i);
                i = j - 1;
            }
        }
    }
}

void
buf_free(struct buf *b)
{
    if (!b->borrowed)
        free(b->p);
    b->borrowed = false;
    b->p = NULL;
    b->len = b->cap = 0;
    b->oom = false;
}

char *
buf_take(struct buf *b)
{
    if (!buf_reserve(b, 0)) {
        buf_free(b);
        return NULL;
    }
    char *p = b->borrowed ? strndup(b->p, b->len) : b->p;
    b->p = NULL;
    b->len = b->cap = 0;
    return p;
}

/* ---- parsers ---- */

size_t
i64_format(int64_t v, char *out)
{
    char d[20];
    size_t n = 0, len = 0;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v; /* INT64_MIN too */
    do
        d[n++] = (char)('0' + u % 10);
    while ((u /= 10) != 0);
    if (v < 0)
        out[len++] = '-';
    while (n)
        out[len++] = d[--n];
    out[len] = '\0';
    return len;
}

bool
parse_i64(const char *s, int64_t min, int64_t max, int64_t *out)
{
    if (!s || !*s)
        return false;
    /* digits only, after an optional minus: no white space (strtoll skips a tab or a newline,
     * so "%094" would be 4), no plus sign, nothing after */
    for (const char *p = s + (s[0] == '-');; p++) {
        if (*p == '\0') {
            if (p == s + (s[0] == '-'))
                return false;
            break;
        }
        if (*p < '0' || *p > '9')
            return false;
    }
    errno = 0;
    char *end = NULL;
    long long v = strtoll(s, &end, 10);
    if (errno || !end || *end != '\0' || end == s)
        return false;
    if (v < min || v > max)
        return false;
    *out = v;
    return true;
}

void *
arr_push(void **arr, size_t *n, size_t *cap, size_t size)
{
    if (size == 0 || *n > *cap)
        return NULL;
    if (*n == *cap) {
        size_t c = *cap ? *cap * 2 : 16;
        if (c < *cap || c > SIZE_MAX / size)
            return NULL;
        void *p = realloc(*arr, c * size);
        if (!p)
            return NULL;
        *arr = p;
        *cap = c;
    }
    uint8_t *e = (uint8_t *)*arr + *n * size;
    memset(e, 0, size);
    (*n)++;
    return e;
}

char *
read_file(const char *path, size_t max, size_t *len_out)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    char *data = NULL;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (size_t)st.st_size > max)
        goto fail;
    data = malloc((size_t)st.st_size + 1);
    if (!data)
        goto fail;
    size_t got = 0;
    while (got < (size_t)st.st_size) {
        ssize_t n = read(fd, data + got, (size_t)st.st_size - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            goto fail;
        got += (size_t)n;
    }
    data[got] = '\0';
    if (len_out)
        *len_out = got;
    close(fd);
    return data;
fail:
    free(data);
    close(fd);
    return NULL;
}

void
be_store(uint8_t *p, uint64_t v, int n)
{
    for (int i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
}

uint64_t
be_load(const uint8_t *p, int n)
{
    uint64_t v = 0;
    for (int i = 0; i < n; i++)
        v = v << 8 | p[i];
    return v;
}

bool
spans_cover(int64_t start, int64_t end, const int64_t *from, const int64_t *to, size_t n,
            int64_t gap)
{
    int64_t reached = start; /* covered from start up to here */
    for (size_t i = 0; i < n && reached < end; i++) {
        if (from[i] > reached + gap)
            return false;
        if (to[i] > reached)
            reached = to[i];
    }
    return reached + gap >= end;
}

bool
text_char_refused(unsigned cp, bool tab_nl)
{
    if (cp < 0x20)
        return !(tab_nl && (cp == '\t' || cp == '\n'));
    return (cp >= 0x7f && cp <= 0x9f) || (cp >= 0x202a && cp <= 0x202e) ||
           (cp >= 0x2066 && cp <= 0x2069);
}

int64_t
monotonic_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}
