/*
 * venues.h — the venues module: unified venue arrangement (场地统一安排). Center staff register
 * sites and rooms; agents book a room for a lot's opening or an evaluation session; staff
 * approve or refuse (or the configured policy does); no two live bookings of a room overlap,
 * which the database itself guarantees (one row per room and minute, migrations/0014). Its rules
 * are pure functions (rules.c); docs/venues.md is the reference.
 */
#ifndef GGZY_VENUES_H
#define GGZY_VENUES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app.h"
#include "db.h"

/* Local time of the rooms: China Standard Time, UTC+8 all year (no daylight saving). */
#define VENUES_UTC_OFFSET_MIN 480
#define VENUES_MINUTE_US      INT64_C(60000000)
#define VENUES_YEAR_US        (INT64_C(31557600) * 1000000) /* a Julian year, 365.25 days */
#define VENUES_SIGNED_SKEW_US (INT64_C(300) * 1000000)      /* a device's signature is this fresh */

/* The kinds of room, the states of a room, the purposes of a booking (NULL-terminated). */
extern const char *const venues_kinds[];
extern const char *const venues_room_states[];
extern const char *const venues_purposes[];
extern const char *const venues_equipment[];

/* ---- what the announcement stage reads and does (openings.c) ---- */

/* A lot's live opening booking as a tender announcement states it. place is the text the
 * announcement carries: "<site> <room>（<address>）". */
struct venue_opening {
    int64_t booking_id, room_id, start_us, end_us;
    bool approved;
    char place[800];
};
/* The live opening booking of lot of project (*found false when none). */
enum db_status venues_lot_opening(struct dbconn *c, int64_t project, int lot,
                                  struct venue_opening *o, bool *found);
/* A booked session as a later stage reads it (the expert draw books its committee for one):
 * booking id's project, purpose, state, span, room and place. */
struct venue_session {
    int64_t booking_id, project_id, agent_org_id, room_id, start_us, end_us, people;
    char purpose[16], state[16];
    char lots[400]; /* the lot numbers, comma-separated */
    char place[800];
};
/* Booking id as a session (*found false when there is none). */
enum db_status venues_session(struct dbconn *c, int64_t id, struct venue_session *s, bool *found);
/* Record that a published announcement states the booking's room: from then on the booking is
 * never cancelled (VENUE-ANNOUNCED), only moved by an amendment or relocated. */
enum db_status venues_mark_announced(struct dbconn *c, int64_t booking, int64_t announcement);
/* Move every live opening booking of project to begin at start_us (each keeps its room and its
 * length), in the caller's transaction — an amendment that moves the deadline moves its opening
 * with it. When the room cannot hold the new span, f says why (VENUE-OVERLAP naming the holder's
 * span, VENUE-HOURS, VENUE-ROOM-STATE, …) and the caller refuses (its rollback undoes any move
 * made). *moves gets what was moved ([{booking_id, room_id, from_us, start_us, end_us}], caller
 * frees; NULL on a database error) for the caller's one audit entry. */
enum db_status venues_move_openings(struct dbconn *c, int64_t project, int64_t start_us,
                                    int64_t now_us, struct refusal *f, cJSON **moves);

/* Extend booking — a session running in its room — to end at end_us, in the caller's
 * transaction (the evaluation's more time, 实施条例 第四十八条): the room checked as for a booking
 * (its hours, another booking's minutes: VENUE-OVERLAP, VENUE-HOURS, …) but for its start, which
 * has passed. f says why when the room cannot hold it; *move is the move made ({booking_id,
 * room_id, from_us, start_us, end_us, was_end_us}, caller frees) or NULL (none, or refused). */
enum db_status venues_extend(struct dbconn *c, int64_t booking, int64_t end_us, int64_t now_us,
                             struct refusal *f, cJSON **move);

/* What a later stage does when the center relocates a published opening to another place: the
 * announce module drafts the change notice (变更公告) for the project's agent, with the new
 * place, in the relocation's transaction (*draft 0: nothing was published to amend). A provider
 * hook set at start-up; without one nothing is drafted. */
typedef enum db_status (*venues_relocated_fn)(struct dbconn *c, int64_t project, int64_t user,
                                              const char *old_place, const char *new_place,
                                              int64_t now_us, int64_t *draft);
void venues_set_on_relocated(venues_relocated_fn fn);

/* Who of a role a session admits, as only a later stage knows it: an opening's bidders are the
 * organizations with a current bid for one of its lots (bids), an evaluation's experts the
 * confirmed members of its committee (experts). A provider hook per role ("bidder", "expert"),
 * set at start-up; without one nobody of that role is admitted (default deny). *admitted false:
 * refused as VENUE-ATTENDEE. */
typedef enum db_status (*venues_party_fn)(struct dbconn *c, const struct venue_session *s,
                                          int64_t user, int64_t org, bool *admitted);
void venues_set_party_check(const char *role, venues_party_fn fn);

/* Who else a relocation affects: each later stage that keeps people bound to a session tells
 * them (the bidders of an opening, the drawn experts of an evaluation) and updates what it
 * copied of the place, in the relocation's transaction. was and now_at are the booking before
 * and after (same span, another room). Hooks added at start-up (at most 8), called in order for
 * every booking moved. The venues module itself tells the booking's agency. */
typedef enum db_status (*venues_moved_fn)(struct dbconn *c, const struct venue_session *was,
                                          const struct venue_session *now_at, const char *reason,
                                          int64_t now_us);
void venues_add_on_moved(venues_moved_fn fn);

/* The sign-ins of a lot's opening session (docs/venues.md §5), for the opening record: a JSON
 * array of {user_id, org_id, role, mode, signed_us, key_id} (caller frees; NULL when *st says a
 * database error). */
cJSON *venues_opening_attendance(struct dbconn *c, int64_t project, int lot, enum db_status *st);

/* For the evaluation: did user sign in to booking in the room (mode in_room), and when
 * (*signed_us 0: not)? */
enum db_status venues_signed_in(struct dbconn *c, int64_t booking, int64_t user,
                                int64_t *signed_us);

/* ---- rules (rules.c) ---- */

/* What a booking asks of a room, and the room as it is. */
struct venue_room_facts {
    const char *kind, *state;
    int64_t capacity;
    int opens_min, closes_min; /* local minutes after midnight, opens < closes <= 1440 */
};
struct venue_ask {
    const char *purpose;
    int64_t start_us, end_us, people;
};

/* May a room of this kind hold a session of this purpose? */
bool venues_rule_kind_serves(const char *kind, const char *purpose);
/* Opening hours as given for a room: whole minutes, opens before closes, within one day.
 * VENUE-HOURS. */
struct refusal venues_rule_hours(int opens_min, int closes_min);
/* Every check of a booking against its room and the clock, in the order a person would want to
 * hear them: the span (VENUE-SPAN: not empty; VENUE-UNIT: whole minutes), the past (VENUE-PAST),
 * the room's kind (VENUE-KIND), its state (VENUE-ROOM-STATE, 409), its hours (VENUE-HOURS: begins
 * and ends within one local day's opening hours) and its capacity (VENUE-CAPACITY). code NULL:
 * allowed. */
struct refusal venues_rule_booking(const struct venue_room_facts *room, const struct venue_ask *a,
                                   int64_t now_us);
/* May a project in this state book a session of this purpose? VENUE-PROJECT-STATE (409). */
struct refusal venues_rule_project_state(const char *purpose, const char *state);
/* An evaluation session begins only once the lot's opening session has ended.
 * VENUE-AFTER-OPENING; opening_end_us 0: the lot has no opening booked. */
struct refusal venues_rule_after_opening(int64_t start_us, int64_t opening_end_us, int lot);
/* The minutes [first, last) a booking holds: its span and the setup buffer after it. */
void venues_rule_slots(int64_t start_us, int64_t end_us, int64_t buffer_us, int64_t *first,
                       int64_t *last);
/* The local day (days since 1970-01-01 in UTC+8) of a time, and the UTC time a local day
 * begins. */
int64_t venues_rule_local_day(int64_t t_us);
int64_t venues_rule_day_start_us(int64_t day);
/* Do the spans [from[i], to[i]) (sorted by from) cover [start, end) without a gap longer than
 * VENUES_GAP_US (a recorder's file boundary)? */
#define VENUES_GAP_US (INT64_C(5) * 1000000)
bool venues_rule_covered(int64_t start_us, int64_t end_us, const int64_t *from, const int64_t *to,
                         size_t n);
/* May a person of role attend a session of purpose, in mode ("in_room", "online")? own: of the
 * booking's agency. An opening admits bidders (in the room or online: 不见面开标), its agent,
 * supervisors and center staff; an evaluation or negotiation (closed) its experts, its agent,
 * supervisors and center staff, in the room. VENUE-ATTENDEE, VENUE-ATTENDANCE-MODE. */
struct refusal venues_rule_attendee(const char *purpose, const char *role, const char *mode,
                                    bool own);
/* Sign-in is open from early_us before the session's start until its end.
 * VENUE-ATTENDANCE-TIME. */
struct refusal venues_rule_attend_time(int64_t start_us, int64_t end_us, int64_t early_us,
                                       int64_t now_us);
/* Parse "YYYY-MM-DD" into a local day; false when it is not a date. */
bool venues_rule_parse_day(const char *s, int64_t *day);

#endif
