/*
 * util.h — small things every file uses: the one clock, structured logging, a growable byte
 * buffer and string helpers.
 *
 * The clock (clock_now_us) is the only source of times of record in ggzyd: UTC microseconds
 * since the Unix epoch, from CLOCK_REALTIME plus an offset that only test mode can set.
 * Log lines are one JSON object per line on stderr; the first key after the time is "fn", the
 * function that wrote it, and "rid" is the request id of the request the thread is serving.
 */
#ifndef GGZY_UTIL_H
#define GGZY_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* ---- the one clock ---- */
int64_t clock_now_us(void);
/* Test mode only: move the clock so that now == target_us (it keeps running from there). */
void clock_set_us(int64_t target_us);
void clock_advance_us(int64_t delta_us);
/* The demonstration clock (ggzyd --demo-clock, scripts/dev run --demo-clock; never in
 * production): the clock may be moved through the API, and /healthz and every page say so. */
void clock_set_demo(bool on);
bool clock_is_demo(void);
/* Format t (µs since epoch, UTC) as RFC 3339 with microseconds: 2026-11-22T08:00:00.123456Z.
 * buf must hold at least 28 bytes. */
void clock_format(int64_t t_us, char *buf, size_t len);
/* *ts = ms milliseconds from now on clock clk (CLOCK_REALTIME, or CLOCK_MONOTONIC for a
 * condition variable set to it): the deadline pthread_cond_timedwait takes. Not a time of
 * record. */
void clock_deadline_ms(clockid_t clk, long ms, struct timespec *ts);

/* ---- logging ---- */
enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };
void log_set_level(enum log_level lv);
void log_set_request_id(const char *rid); /* thread-local; NULL clears */
const char *log_request_id(void);
void log_write(enum log_level lv, const char *fn, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Write a preformatted JSON object line (access log). */
void log_raw_line(const char *line, size_t len);
/* The daemon's buffered logging (util.c): start it once serving, stop it (which flushes) at the
 * end; log_flush writes what is buffered now. */
bool log_buffered_start(void);
void log_buffered_stop(void);
void log_flush(void);
#define log_debug(...) log_write(LOG_DEBUG, __func__, __VA_ARGS__)
#define log_info(...)  log_write(LOG_INFO, __func__, __VA_ARGS__)
#define log_warn(...)  log_write(LOG_WARN, __func__, __VA_ARGS__)
#define log_error(...) log_write(LOG_ERROR, __func__, __VA_ARGS__)

/* ---- growable buffer ---- */
struct buf {
    char *p;
    size_t len, cap;
    bool oom;      /* set once an allocation failed; later appends are no-ops */
    bool borrowed; /* p is the caller's storage (a stack array of cap bytes): never freed; it
                      moves to the heap only if it must grow */
};
void buf_append(struct buf *b, const void *data, size_t n);
void buf_puts(struct buf *b, const char *s);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Append s as the body of a JSON string, without quotes. Escapes exactly what JSON requires
 * (", \\, and control characters: \\b \\f \\n \\r \\t short, others as \\u00XX) and copies every
 * other byte as is; the audit log's canonical encoding depends on this (docs/audit.md). */
void buf_json_escape(struct buf *b, const char *s, size_t n);
void buf_free(struct buf *b);
/* NUL-terminate and hand the storage to the caller (who frees it); NULL on OOM. */
char *buf_take(struct buf *b);

/* ---- big-endian integers (the envelope and bid container formats) ---- */
/* Store the low n bytes of v at p, most significant first (n <= 8). */
void be_store(uint8_t *p, uint64_t v, int n);
/* Read n bytes at p as a big-endian integer (n <= 8). */
uint64_t be_load(const uint8_t *p, int n);

/* ---- strings ---- */
/* Write v in decimal, NUL-terminated, into out (at least 21 bytes); returns the length.
 * What printf's "%lld" writes, without printf. */
size_t i64_format(int64_t v, char *out);
/* Parse a whole decimal int64 in [min,max]; false on any junk. */
bool parse_i64(const char *s, int64_t min, int64_t max, int64_t *out);
/* Do the spans [from[i], to[i]) (sorted by from) cover [start, end), no gap longer than gap? (A
 * session's recordings, checked by ggzyd's monitor and by the replay alike.) */
bool spans_cover(int64_t start, int64_t end, const int64_t *from, const int64_t *to, size_t n,
                 int64_t gap);
/* Append one zeroed element to a growing array of elements of `size` bytes: *arr holds *n of
 * them in room for *cap (doubled, from 16, when full). Returns the new element (counted in *n;
 * the array is the caller's to free), or NULL, nothing changed, when out of memory or when the
 * size would overflow. */
void *arr_push(void **arr, size_t *n, size_t *cap, size_t size);
/* Read a whole file (at most max bytes). Returns malloc'd NUL-terminated data or NULL. */
char *read_file(const char *path, size_t max, size_t *len_out);

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Is code point cp refused in the platform's text (docs/errors.md "Text")? C0 controls (but tab
 * and newline where tab_nl), DEL, C1 controls (U+0080–U+009F: U+0085 NEL, U+009B CSI…) and the
 * bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069), which make a
 * name read otherwise than it is stored. */
bool text_char_refused(unsigned cp, bool tab_nl);

/* Microseconds on the monotonic clock (durations; never a time of record). */
int64_t monotonic_us(void);

#endif
