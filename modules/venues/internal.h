/*
 * internal.h — what the venues module's files share (not for other modules): rooms.c (sites,
 * rooms, their states, the calendar), bookings.c (ask, decide, cancel, read), views.c, routes.c.
 */
#ifndef GGZY_VENUES_INTERNAL_H
#define GGZY_VENUES_INTERNAL_H

#include <cjson/cJSON.h>

#include "app.h"
#include "store.h"
#include "venues.h"

/* The module's configuration (routes.c). */
struct venues_conf {
    int64_t buffer_minutes;
    const char *approval;       /* "manual" or "auto" */
    int64_t retention_years[4]; /* per category (enum category): the archive period */
    int64_t recording_grace_minutes;
};
extern struct venues_conf venues_conf;
extern const struct config *venues_cfg;
/* The archive period of a category's recordings in years (-1: the longest of all). */
int64_t venues_retention_years(int category);

/* attendance.c */
void attendance_create(struct req *r, const cJSON *body);
void attendance_list(struct req *r, const cJSON *body);
void witness_create(struct req *r, const cJSON *body);
void witness_list(struct req *r, const cJSON *body);

/* recordings.c */
void recorder_create(struct req *r, const cJSON *body);
void recorder_list(struct req *r, const cJSON *body);
void recorder_revoke(struct req *r, const cJSON *body);
void recording_create(struct req *r, const cJSON *body);
void booking_recordings(struct req *r, const cJSON *body);
/* Do the recordings s (RECORDING_COLS, by start) cover [start, end)? */
bool recordings_cover(const struct dbres *s, int64_t start_us, int64_t end_us);

/* jobs.c: the recording monitor (venues.recordings-check, system:venue-monitor) */
bool venues_job_recordings(struct dbconn *c, const struct actor *a, int64_t now_us);
/* warnings (jobs.c): what the monitor raised, for supervisors and staff */
void warning_list(struct req *r, const cJSON *body);

/* rooms.c: one page of rows fn reads (after, limit from the query), answered with row's view
 * and the next cursor */
typedef enum db_status (*venues_page_fn)(struct dbconn *c, int64_t after, int64_t limit,
                                         struct dbres *out);
void venues_page(struct req *r, venues_page_fn fn, size_t id_col,
                 cJSON *(*row)(void *ctx, const struct dbres *s, size_t i));

/* rooms.c */
void site_create(struct req *r, const cJSON *body);
void site_list(struct req *r, const cJSON *body);
void room_create(struct req *r, const cJSON *body);
void room_get(struct req *r, const cJSON *body);
void room_state(struct req *r, const cJSON *body);
void calendar_get(struct req *r, const cJSON *body);

/* ical.c: a room's bookings, and the caller's agency's, as iCalendar (RFC 5545) */
void room_ics(struct req *r, const cJSON *body);
void own_ics(struct req *r, const cJSON *body);

/* relocate.c */
void room_relocate(struct req *r, const cJSON *body);

/* bookings.c */
void booking_create(struct req *r, const cJSON *body);
void booking_get(struct req *r, const cJSON *body);
void booking_list(struct req *r, const cJSON *body);
void booking_decide(struct req *r, const cJSON *body);
void booking_cancel(struct req *r, const cJSON *body);

/* openings.c: the one way a booking takes its minutes [start, end + buffer) of room: DB_OK,
 * or DB_DUPLICATE with f set to 409 VENUE-OVERLAP naming the holder's span (held: its start,
 * end, and end with the buffer; zeros when the holder let go meanwhile). */
enum db_status slots_take_or_refuse(struct dbconn *c, int64_t room, int64_t booking,
                                    int64_t start_us, int64_t end_us, int64_t buffer_us,
                                    struct refusal *f, int64_t held[3]);
/* A look before writing anything: DB_DUPLICATE with f set when a booking the transaction can
 * see holds any of the minutes (most refusals end here; the keys still decide the rest). */
enum db_status slots_peek(struct dbconn *c, int64_t room, int64_t start_us, int64_t end_us,
                          int64_t buffer_us, struct refusal *f, int64_t held[3]);
/* Move row i of a locked BOOKING_COLS result to [start, end) in room; f set when refused. */
enum db_status booking_move(struct dbconn *c, const struct dbres *b, size_t i, int64_t room,
                            int64_t start_us, int64_t end_us, int64_t now_us, bool running,
                            struct refusal *f);
/* The place of booking row i as an announcement states it. */
void booking_place(const struct dbres *b, size_t i, char *out, size_t n);
/* Booking row i of b as a later stage reads it. */
void booking_session(const struct dbres *b, size_t i, struct venue_session *s);

/* views.c: the JSON of each row, the one place they are shaped */
cJSON *site_json(const struct dbres *s, size_t i);
cJSON *room_json(const struct dbres *s, size_t i);
cJSON *recorder_json(const struct dbres *s, size_t i);
cJSON *attendance_json(const struct dbres *s, size_t i);
cJSON *witness_json(const struct dbres *s, size_t i);
cJSON *recording_json(const struct dbres *s, size_t i);
cJSON *warning_json(const struct dbres *s, size_t i);
/* A booking as its parties and staff see it. */
cJSON *booking_json(const struct dbres *s, size_t i);
/* A booking in a calendar: detail false gives the span and nothing else (the public's view). */
cJSON *booking_slot_json(const struct dbres *s, size_t i, bool detail);
/* The room facts the rules check, borrowed from row i of a ROOM_COLS result. */
struct venue_room_facts room_facts(const struct dbres *s, size_t i);

#endif
