/*
 * store.h — the venues module's SQL (store.c) and the columns of each row it returns, named
 * (one X-macro per SELECT: the column list and the enum of positions).
 */
#ifndef GGZY_VENUES_STORE_H
#define GGZY_VENUES_STORE_H

#include <stdint.h>

#include "db.h"

#define SITE_COLS(X)                                                                               \
    X(SC_ID, "id")                                                                                 \
    X(SC_NAME, "name")                                                                             \
    X(SC_ADDRESS, "address")                                                                       \
    X(SC_REGION, "region")                                                                         \
    X(SC_CREATED, "created_us")
enum { SITE_COLS(DB_COL_ENUM) SC__COUNT };

#define ROOM_COLS(X)                                                                               \
    X(RC_ID, "r.id")                                                                               \
    X(RC_SITE, "r.site_id")                                                                        \
    X(RC_NAME, "r.name")                                                                           \
    X(RC_KIND, "r.kind")                                                                           \
    X(RC_REGION, "r.region")                                                                       \
    X(RC_CAPACITY, "r.capacity")                                                                   \
    X(RC_EQUIPMENT, "r.equipment")                                                                 \
    X(RC_OPENS, "r.opens_min")                                                                     \
    X(RC_CLOSES, "r.closes_min")                                                                   \
    X(RC_STATE, "r.state")                                                                         \
    X(RC_REASON, "r.state_reason")                                                                 \
    X(RC_SITE_NAME, "s.name")                                                                      \
    X(RC_ADDRESS, "s.address")                                                                     \
    X(RC_UPDATED, "r.updated_us")
enum { ROOM_COLS(DB_COL_ENUM) RC__COUNT };

#define BOOKING_COLS(X)                                                                            \
    X(BC_ID, "b.id")                                                                               \
    X(BC_ROOM, "b.room_id")                                                                        \
    X(BC_PROJECT, "b.project_id")                                                                  \
    X(BC_AGENT_ORG, "b.agent_org_id")                                                              \
    X(BC_PURPOSE, "b.purpose")                                                                     \
    X(BC_LOTS, "b.lots")                                                                           \
    X(BC_START, "b.start_us")                                                                      \
    X(BC_END, "b.end_us")                                                                          \
    X(BC_BUFFER, "b.buffer_us")                                                                    \
    X(BC_PEOPLE, "b.people")                                                                       \
    X(BC_STATE, "b.state")                                                                         \
    X(BC_REASON, "b.reason")                                                                       \
    X(BC_REQUESTED_BY, "b.requested_by")                                                           \
    X(BC_DECIDED_BY, "b.decided_by")                                                               \
    X(BC_DECIDED, "b.decided_us")                                                                  \
    X(BC_CREATED, "b.created_us")                                                                  \
    X(BC_ANNOUNCED, "b.announced_by")                                                              \
    X(BC_ROOM_NAME, "r.name")                                                                      \
    X(BC_ROOM_KIND, "r.kind")                                                                      \
    X(BC_SITE_NAME, "s.name")                                                                      \
    X(BC_ADDRESS, "s.address")
enum { BOOKING_COLS(DB_COL_ENUM) BC__COUNT };

#define RECORDER_COLS(X)                                                                           \
    X(DC_ID, "id")                                                                                 \
    X(DC_ROOM, "room_id")                                                                          \
    X(DC_KEY, "key_id")                                                                            \
    X(DC_CHAIN, "chain")                                                                           \
    X(DC_CREDIT, "credit_code")                                                                    \
    X(DC_LABEL, "label")                                                                           \
    X(DC_STATE, "state")                                                                           \
    X(DC_CREATED, "created_us")                                                                    \
    X(DC_REVOKED, "revoked_us")
enum { RECORDER_COLS(DB_COL_ENUM) DC__COUNT };

#define RECORDING_COLS(X)                                                                          \
    X(VC_ID, "id")                                                                                 \
    X(VC_RECORDER, "recorder_id")                                                                  \
    X(VC_ROOM, "room_id")                                                                          \
    X(VC_BOOKING, "booking_id")                                                                    \
    X(VC_START, "start_us")                                                                        \
    X(VC_END, "end_us")                                                                            \
    X(VC_SIZE, "size_bytes")                                                                       \
    X(VC_SHA, "sha256")                                                                            \
    X(VC_REF, "storage_ref")                                                                       \
    X(VC_SIGNED, "signed_us")                                                                      \
    X(VC_SIGNATURE, "signature")                                                                   \
    X(VC_RETAIN, "retain_until_us")                                                                \
    X(VC_CREATED, "created_us")
enum { RECORDING_COLS(DB_COL_ENUM) VC__COUNT };

#define WARNING_COLS(X)                                                                            \
    X(WC_ID, "id")                                                                                 \
    X(WC_BOOKING, "booking_id")                                                                    \
    X(WC_PROJECT, "project_id")                                                                    \
    X(WC_KIND, "kind")                                                                             \
    X(WC_DETAIL, "detail")                                                                         \
    X(WC_CREATED, "created_us")
enum { WARNING_COLS(DB_COL_ENUM) WC__COUNT };

#define ATTEND_COLS(X)                                                                             \
    X(AC_ID, "id")                                                                                 \
    X(AC_BOOKING, "booking_id")                                                                    \
    X(AC_USER, "user_id")                                                                          \
    X(AC_ORG, "org_id")                                                                            \
    X(AC_ROLE, "role")                                                                             \
    X(AC_MODE, "mode")                                                                             \
    X(AC_KEY, "key_id")                                                                            \
    X(AC_SIGNED, "signed_us")                                                                      \
    X(AC_SIGNATURE, "signature")
enum { ATTEND_COLS(DB_COL_ENUM) AC__COUNT };

#define WITNESS_COLS(X)                                                                            \
    X(XC_ID, "id")                                                                                 \
    X(XC_BOOKING, "booking_id")                                                                    \
    X(XC_USER, "user_id")                                                                          \
    X(XC_TEXT, "text")                                                                             \
    X(XC_RECORDINGS, "recordings")                                                                 \
    X(XC_KEY, "key_id")                                                                            \
    X(XC_SIGNED, "signed_us")                                                                      \
    X(XC_SIGNATURE, "signature")
enum { WITNESS_COLS(DB_COL_ENUM) XC__COUNT };

/* A signed statement about a session (a sign-in or a witness entry), checked. */
struct statement_in {
    int64_t booking, user, org, signed_us;
    const char *role, *mode, *key_id, *signature;
    const char *text, *recordings; /* the witness log's */
};

/* A recording to store (checked). */
struct recording_in {
    int64_t recorder, room, booking; /* booking 0: none */
    int64_t start_us, end_us, size, signed_us, retain_until_us;
    const char *sha256, *storage_ref, *signature;
};

/* A booking to store (validated). */
struct booking_in {
    int64_t room, project, agent_org, user, people;
    const char *purpose;
    char lots[400];
    int64_t start_us, end_us, buffer_us;
    const char *state; /* requested, or approved by the policy */
};

enum db_status store_site_insert(struct dbconn *c, const char *name, const char *address,
                                 const char *region, int64_t user, int64_t now, int64_t *id);
enum db_status store_site(struct dbconn *c, int64_t id, struct dbres *out);
enum db_status store_sites(struct dbconn *c, int64_t after, int64_t limit, struct dbres *out);
enum db_status store_room_insert(struct dbconn *c, int64_t site, const char *name, const char *kind,
                                 const char *region, int64_t capacity, const char *equipment,
                                 int opens, int closes, int64_t now, int64_t *id);
/* How a transaction holds a room's row: not at all, shared (every booking, move and recorder:
 * bookings of one room do not wait for each other — their slots' keys settle who wins), or
 * exclusive (a change of the room's state, a relocation: it waits for the bookings under way,
 * and they for it, so a room is never retired under a booking being made on this server). */
enum room_lock { ROOM_READ, ROOM_SHARED, ROOM_EXCLUSIVE };
/* One room with its site's name and address. */
enum db_status store_room(struct dbconn *c, int64_t id, enum room_lock lock, struct dbres *out);
enum db_status store_rooms_of_site(struct dbconn *c, int64_t site, struct dbres *out);
enum db_status store_room_set_state(struct dbconn *c, int64_t id, const char *state,
                                    const char *reason, int64_t now);
enum db_status store_booking_insert(struct dbconn *c, const struct booking_in *in, int64_t now,
                                    int64_t *id);
enum db_status store_booking(struct dbconn *c, int64_t id, bool lock, struct dbres *out);
/* A project's bookings (org 0: any agent's; else only those that organization asked for). */
enum db_status store_bookings_of_project(struct dbconn *c, int64_t project, int64_t org,
                                         int64_t after, int64_t limit, struct dbres *out);
/* A room's live bookings (requested or approved) that end after t. */
enum db_status store_bookings_live_after(struct dbconn *c, int64_t room, int64_t t,
                                         struct dbres *out);
/* An agency's live bookings, by time (BOOKING_COLS). */
enum db_status store_bookings_of_org(struct dbconn *c, int64_t org, struct dbres *out);
/* The live bookings of a site's rooms overlapping [from, to), by room and time. */
enum db_status store_bookings_of_site(struct dbconn *c, int64_t site, int64_t from, int64_t to,
                                      struct dbres *out);
enum db_status store_booking_decide(struct dbconn *c, int64_t id, const char *state,
                                    const char *reason, int64_t user, int64_t now);
enum db_status store_booking_cancel(struct dbconn *c, int64_t id, const char *reason, int64_t now);
/* Hold the minutes [first, last) of a room for a booking, in one statement: DB_DUPLICATE when
 * any of them is held already (by a live booking). */
enum db_status store_slots_take(struct dbconn *c, int64_t room, int64_t first, int64_t last,
                                int64_t booking);
/* The live booking holding the earliest of [first, last) of a room (BOOKING_COLS): with lock, a
 * shared lock reads the latest committed holder whatever the transaction's snapshot; without, the
 * snapshot's (a cheap look before taking the minutes: most refusals end there). */
enum db_status store_slot_holder(struct dbconn *c, int64_t room, int64_t first, int64_t last,
                                 bool lock, struct dbres *out);
/* Give back a booking's minutes and its lots' opening places. */
enum db_status store_booking_release(struct dbconn *c, int64_t booking);
/* Record that lot of project is opened by booking: DB_DUPLICATE when it has a live one. */
enum db_status store_opening_lot_take(struct dbconn *c, int64_t project, int lot, int64_t booking);
/* The live opening bookings of a project, locked (BOOKING_COLS). */
enum db_status store_project_openings(struct dbconn *c, int64_t project, struct dbres *out);
/* Give back a booking's minutes (not its lots). */
enum db_status store_slots_free(struct dbconn *c, int64_t booking);
/* Set a booking's span (and its room: relocation). */
enum db_status store_booking_move(struct dbconn *c, int64_t id, int64_t room, int64_t start_us,
                                  int64_t end_us, int64_t now);
/* The rooms that could take a booking of room (same kind, open, seating people), its own
 * site's first (ROOM_COLS). */
enum db_status store_rooms_like(struct dbconn *c, int64_t room, int64_t site, const char *kind,
                                int64_t people, struct dbres *out);
/* A published announcement states booking's room. */
enum db_status store_booking_announced(struct dbconn *c, int64_t booking, int64_t announcement);
/* The live opening booking of a lot (BOOKING_COLS; no row when none). */
enum db_status store_lot_opening_booking(struct dbconn *c, int64_t project, int lot,
                                         struct dbres *out);

enum db_status store_recorder_insert(struct dbconn *c, int64_t room, const char *key_id,
                                     const uint8_t *chain, size_t chain_len,
                                     const char *credit_code, const char *label, int64_t user,
                                     int64_t now, int64_t *id);
/* A recorder by id (key NULL) or by key id. */
enum db_status store_recorder(struct dbconn *c, int64_t id, const char *key, struct dbres *out);
enum db_status store_recorders_of_room(struct dbconn *c, int64_t room, struct dbres *out);
enum db_status store_recorder_revoke(struct dbconn *c, int64_t id, int64_t now);
/* DB_DUPLICATE when the recorder registered that file already. */
enum db_status store_recording_insert(struct dbconn *c, const struct recording_in *in, int64_t now,
                                      int64_t *id);
enum db_status store_recording_by_file(struct dbconn *c, int64_t recorder, const char *sha256,
                                       struct dbres *out);
enum db_status store_recording(struct dbconn *c, int64_t id, struct dbres *out);
/* A booking's recordings by start. */
enum db_status store_recordings_of_booking(struct dbconn *c, int64_t booking, struct dbres *out);
/* The recording monitor looked at the booking. */
enum db_status store_booking_checked(struct dbconn *c, int64_t booking, int64_t now);
/* Approved bookings that ended before t, not yet looked at (BOOKING_COLS), at most limit. */
enum db_status store_bookings_ended_unwarned(struct dbconn *c, int64_t t, int64_t after,
                                             int64_t limit, struct dbres *out);
/* DB_DUPLICATE when the booking has that warning already. */
enum db_status store_warning_insert(struct dbconn *c, int64_t booking, int64_t project,
                                    const char *kind, const char *detail, int64_t now, int64_t *id);
enum db_status store_warnings(struct dbconn *c, int64_t after, int64_t limit, struct dbres *out);

/* DB_DUPLICATE when the user signed in to the booking already. */
enum db_status store_attendance_insert(struct dbconn *c, const struct statement_in *in, int64_t now,
                                       int64_t *id);
enum db_status store_attendance(struct dbconn *c, int64_t booking, struct dbres *out);
/* The sign-ins of a lot's live opening booking (ATTEND_COLS). */
enum db_status store_attendance_of_lot(struct dbconn *c, int64_t project, int lot,
                                       struct dbres *out);
enum db_status store_witness_insert(struct dbconn *c, const struct statement_in *in, int64_t now,
                                    int64_t *id);
enum db_status store_witness(struct dbconn *c, int64_t booking, struct dbres *out);

#endif
