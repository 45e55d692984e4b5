/*
 * ical.c — iCalendar (RFC 5545) exports: a room's bookings (anyone: occupied spans; staff,
 * supervisors and the booking's own agency see what each is for) and an agency's own bookings
 * (its agents). Lines end in CRLF and are folded at 75 octets without splitting a UTF-8
 * character (§3.1); TEXT values escape backslash, semicolon, comma and newline (§3.3.11); times
 * are UTC (§3.3.5, form #2). A requested booking is TENTATIVE, an approved one CONFIRMED.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "internal.h"
#include "util.h"

/* Append one content line, folded (RFC 5545 §3.1): at most 75 octets a line, a continuation
 * begins with a space, and no UTF-8 sequence is split. */
static void
ical_line(struct buf *b, const char *line)
{
    size_t n = strlen(line), at = 0, width = 75;
    while (n - at > width) {
        size_t cut = at + width;
        while (cut > at && ((unsigned char)line[cut] & 0xC0) == 0x80)
            cut--; /* back to the start of a character */
        buf_append(b, line + at, cut - at);
        buf_puts(b, "\r\n ");
        at = cut;
        width = 74; /* the leading space counts */
    }
    buf_append(b, line + at, n - at);
    buf_puts(b, "\r\n");
}

/* NAME:value with value escaped as TEXT (§3.3.11). */
static void
ical_text(struct buf *b, const char *name, const char *v)
{
    struct buf l = {0};
    buf_printf(&l, "%s:", name);
    for (const char *p = v ? v : ""; *p; p++) {
        if (*p == '\\' || *p == ';' || *p == ',')
            buf_append(&l, "\\", 1), buf_append(&l, p, 1);
        else if (*p == '\n')
            buf_puts(&l, "\\n");
        else if (*p != '\r')
            buf_append(&l, p, 1);
    }
    buf_append(&l, "", 1);
    ical_line(b, l.p && !l.oom ? l.p : "");
    buf_free(&l);
}

static void
ical_time(struct buf *b, const char *name, int64_t us)
{
    time_t s = (time_t)(us / 1000000);
    struct tm tm;
    char line[64];
    gmtime_r(&s, &tm);
    snprintf(line, sizeof line, "%s:%04d%02d%02dT%02d%02d%02dZ", name, tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    ical_line(b, line);
}

/* One VEVENT of booking row i; detail false: the span and "occupied", nothing else. */
static void
ical_event(struct buf *b, const struct dbres *s, size_t i, bool detail, int64_t now,
           const char *host)
{
    char line[200], place[3000];
    ical_line(b, "BEGIN:VEVENT");
    snprintf(line, sizeof line, "UID:booking-%lld@%s", (long long)dbres_i64(s, i, BC_ID), host);
    ical_line(b, line);
    ical_time(b, "DTSTAMP", now);
    ical_time(b, "DTSTART", dbres_i64(s, i, BC_START));
    ical_time(b, "DTEND", dbres_i64(s, i, BC_END));
    booking_place(s, i, place, sizeof place);
    ical_text(b, "LOCATION", place);
    if (detail) {
        const char *purpose = dbres_str(s, i, BC_PURPOSE);
        snprintf(line, sizeof line, "%s · project %lld · lots %s",
                 !strcmp(purpose, "opening")      ? "开标 opening"
                 : !strcmp(purpose, "evaluation") ? "评标 evaluation"
                                                  : "谈判 negotiation",
                 (long long)dbres_i64(s, i, BC_PROJECT), dbres_str(s, i, BC_LOTS));
        ical_text(b, "SUMMARY", line);
        snprintf(line, sizeof line, "booking %lld, %lld people, state %s",
                 (long long)dbres_i64(s, i, BC_ID), (long long)dbres_i64(s, i, BC_PEOPLE),
                 dbres_str(s, i, BC_STATE));
        ical_text(b, "DESCRIPTION", line);
    } else
        ical_text(b, "SUMMARY", "占用 occupied");
    ical_line(b, !strcmp(dbres_str(s, i, BC_STATE), "approved") ? "STATUS:CONFIRMED"
                                                                : "STATUS:TENTATIVE");
    ical_line(b, "TRANSP:OPAQUE");
    ical_line(b, "END:VEVENT");
}

/* Answer r with the calendar of rows s, each shown in detail where may_see says so. */
static void
ical_reply(struct req *r, const char *name, const struct dbres *s, bool staff)
{
    struct buf b = {0};
    int64_t now = clock_now_us();
    ical_line(&b, "BEGIN:VCALENDAR");
    ical_line(&b, "VERSION:2.0");
    ical_line(&b, "PRODID:-//ggzy//venues//ZH");
    ical_line(&b, "CALSCALE:GREGORIAN");
    ical_text(&b, "X-WR-CALNAME", name);
    for (size_t i = 0; i < s->nrows; i++) {
        bool own = r->authed && r->who.role == ROLE_AGENT &&
                   r->who.org_id == dbres_i64(s, i, BC_AGENT_ORG);
        ical_event(&b, s, i, staff || own, now, "ggzy");
    }
    ical_line(&b, "END:VCALENDAR");
    size_t len = b.len;
    char *text = buf_take(&b);
    if (!text) {
        req_error(r, E_INTERNAL, "out of memory");
        return;
    }
    req_raw(r, 200, "text/calendar; charset=utf-8", text, len);
}

void
room_ics(struct req *r, const cJSON *body)
{
    (void)body;
    int64_t id;
    struct dbres room = {0}, s = {0};
    struct dbconn *c = req_db_for(r, "id", &id);
    if (!c)
        return;
    enum db_status st = store_room(c, id, ROOM_READ, &room);
    if (st == DB_OK && room.nrows == 1)
        st = store_bookings_live_after(c, id, 0, &s);
    if (st != DB_OK)
        req_db_fail(r, c, st);
    else if (room.nrows != 1)
        req_error(r, E_NOT_FOUND, "no room %lld", (long long)id);
    else {
        char name[500];
        snprintf(name, sizeof name, "%s %s", dbres_str(&room, 0, RC_SITE_NAME),
                 dbres_str(&room, 0, RC_NAME));
        ical_reply(r, name, &s, r->authed && (r->who.role & (ROLE_CENTER_ADMIN | ROLE_SUPERVISOR)));
    }
    dbres_free(&room);
    dbres_free(&s);
}

void
own_ics(struct req *r, const cJSON *body)
{
    (void)body;
    struct dbres s = {0};
    struct dbconn *c = req_db(r);
    if (!c)
        return;
    enum db_status st = store_bookings_of_org(c, r->who.org_id, &s);
    if (st != DB_OK)
        req_db_fail(r, c, st);
    else
        ical_reply(r, "本单位的场地预约 our bookings", &s, false);
    dbres_free(&s);
}
