/*
 * routes.c — the venues module's route rows, schemas, configuration and descriptor: sites and
 * rooms (center staff register them, anyone reads them), bookings (agents ask, staff decide)
 * and a site's public calendar. Refusals: rule codes VENUE-*; 409 VENUE-OVERLAP names the span
 * that holds the room. docs/venues.md is the reference.
 */
#include <stdio.h>
#include <string.h>

#include "internal.h"

struct venues_conf venues_conf;
const struct config *venues_cfg;

int64_t
venues_retention_years(int category)
{
    int64_t most = 0;
    for (int k = 0; k < 4; k++)
        most = venues_conf.retention_years[k] > most ? venues_conf.retention_years[k] : most;
    return category >= 0 && category < 4 ? venues_conf.retention_years[category] : most;
}

static const struct field site_schema[] = {
    {"name", F_STRING, true, 1, 200, NULL},
    {"address", F_STRING, true, 1, 500, NULL},
    {"region", F_STRING, true, 6, 6, NULL},
    {NULL},
};
static const struct field room_schema[] = {
    {"name", F_STRING, true, 1, 200, NULL},    {"kind", F_STRING, true, 1, 16, venues_kinds},
    {"region", F_STRING, false, 6, 6, NULL},   {"capacity", F_INT, true, 1, 10000, NULL},
    {"equipment", F_ARRAY, false, 0, 8, NULL}, {"opens", F_STRING, true, 5, 5, NULL},
    {"closes", F_STRING, true, 5, 5, NULL},    {NULL},
};
static const struct field state_schema[] = {
    {"state", F_STRING, true, 1, 16, venues_room_states},
    {"reason", F_STRING, false, 1, 2000, NULL},
    {NULL},
};
static const struct field relocate_schema[] = {
    {"reason", F_STRING, true, 1, 2000, NULL},
    {NULL},
};
static const struct field recorder_schema[] = {
    {"certificate", F_STRING, true, 1, 65536, NULL},
    {"proof", F_STRING, true, 1, 200, NULL},
    {"label", F_STRING, false, 1, 200, NULL},
    {NULL},
};
static const struct field recording_schema[] = {
    {"recorder_key_id", F_STRING, true, 64, 64, NULL},
    {"room_id", F_INT, true, 1, INT64_C(9007199254740991), NULL},
    {"booking_id", F_INT, false, 1, INT64_C(9007199254740991), NULL},
    {"start_us", F_INT, true, 0, INT64_C(9007199254740991), NULL},
    {"end_us", F_INT, true, 0, INT64_C(9007199254740991), NULL},
    {"size", F_INT, true, 1, INT64_C(9007199254740991), NULL},
    {"sha256", F_STRING, true, 64, 64, NULL},
    {"storage_ref", F_STRING, true, 1, 500, NULL},
    {"signed_us", F_INT, true, 0, INT64_C(9007199254740991), NULL},
    {"signature", F_STRING, true, 1, 200, NULL},
    {NULL},
};
static const char *const attend_modes[] = {"in_room", "online", NULL};
static const struct field attend_schema[] = {
    {"mode", F_STRING, true, 1, 16, attend_modes},
    {"key_id", F_STRING, true, 64, 64, NULL},
    {"signed_us", F_INT, true, 0, INT64_C(9007199254740991), NULL},
    {"signature", F_STRING, true, 1, 200, NULL},
    {NULL},
};
static const struct field witness_schema[] = {
    {"text", F_STRING, true, 1, 4000, NULL},
    {"recordings", F_ARRAY, false, 0, 16, NULL},
    {"key_id", F_STRING, true, 64, 64, NULL},
    {"signed_us", F_INT, true, 0, INT64_C(9007199254740991), NULL},
    {"signature", F_STRING, true, 1, 200, NULL},
    {NULL},
};
static const struct field booking_schema[] = {
    {"room_id", F_INT, true, 1, INT64_C(9007199254740991), NULL},
    {"project_id", F_INT, true, 1, INT64_C(9007199254740991), NULL},
    {"purpose", F_STRING, true, 1, 16, venues_purposes},
    {"lots", F_ARRAY, true, 1, 50, NULL},
    {"start_us", F_INT, true, 0, INT64_C(9007199254740991), NULL},
    {"end_us", F_INT, true, 0, INT64_C(9007199254740991), NULL},
    {"people", F_INT, true, 1, 10000, NULL},
    {NULL},
};
static const struct field decision_schema[] = {
    {"approve", F_BOOL, true, 0, 0, NULL},
    {"reason", F_STRING, false, 1, 2000, NULL},
    {NULL},
};
static const struct field cancel_schema[] = {
    {"reason", F_STRING, false, 1, 2000, NULL},
    {NULL},
};

#define PARTIES (ROLE_AGENT | ROLE_CENTER_ADMIN | ROLE_SUPERVISOR)

/* query parameters (checked by the dispatcher, route.h) */
static const struct field page_query[] = {Q_AFTER, Q_LIMIT(200), {NULL}};
static const struct field calendar_query[] = {
    Q_ID("site"), {"day", F_STRING, false, 10, 10, NULL}, {NULL}};
static const struct field booking_query[] = {Q_ID("project"), Q_AFTER, Q_LIMIT(200), {NULL}};

static const struct route routes[] = {
    {"POST", "/api/v1/venues/sites", site_create, ROLE_CENTER_ADMIN, 4096, site_schema,
     ROUTE_CREATES},
    {"GET", "/api/v1/venues/sites", site_list, ROLE_PUBLIC, 0, NULL, 0, .query = page_query},
    {"POST", "/api/v1/venues/sites/{id}/rooms", room_create, ROLE_CENTER_ADMIN, 4096, room_schema,
     ROUTE_CREATES},
    {"GET", "/api/v1/venues/rooms/{id}", room_get, ROLE_PUBLIC, 0, NULL, 0},
    {"POST", "/api/v1/venues/rooms/{id}/state", room_state, ROLE_CENTER_ADMIN, 4096, state_schema,
     0},
    {"POST", "/api/v1/venues/rooms/{id}/relocate", room_relocate, ROLE_CENTER_ADMIN, 4096,
     relocate_schema, 0},
    {"GET", "/api/v1/venues/rooms/{id}/calendar.ics", room_ics, ROLE_PUBLIC, 0, NULL, 0},
    {"GET", "/api/v1/venues/bookings.ics", own_ics, ROLE_AGENT, 0, NULL, 0},
    {"POST", "/api/v1/venues/rooms/{id}/recorders", recorder_create, ROLE_CENTER_ADMIN, 70000,
     recorder_schema, ROUTE_CREATES},
    {"GET", "/api/v1/venues/rooms/{id}/recorders", recorder_list,
     ROLE_CENTER_ADMIN | ROLE_SUPERVISOR, 0, NULL, 0},
    {"POST", "/api/v1/venues/recorders/{id}/revoke", recorder_revoke, ROLE_CENTER_ADMIN, 0, NULL,
     0},
    /* a recorder has no session: its signature by its certified key is what admits it */
    {"POST", "/api/v1/venues/recordings", recording_create, ROLE_PUBLIC, 4096, recording_schema, 0},
    {"GET", "/api/v1/venues/bookings/{id}/recordings", booking_recordings, PARTIES, 0, NULL, 0},
    {"POST", "/api/v1/venues/bookings/{id}/attendance", attendance_create, ROLES_USER, 4096,
     attend_schema, ROUTE_CREATES},
    {"GET", "/api/v1/venues/bookings/{id}/attendance", attendance_list, ROLES_USER, 0, NULL, 0},
    {"POST", "/api/v1/venues/bookings/{id}/witness", witness_create, ROLE_CENTER_ADMIN, 16384,
     witness_schema, ROUTE_CREATES},
    {"GET", "/api/v1/venues/bookings/{id}/witness", witness_list,
     ROLE_CENTER_ADMIN | ROLE_SUPERVISOR, 0, NULL, 0},
    {"GET", "/api/v1/venues/warnings", warning_list, ROLE_CENTER_ADMIN | ROLE_SUPERVISOR, 0, NULL,
     0, .query = page_query},
    {"GET", "/api/v1/venues/calendar", calendar_get, ROLE_PUBLIC, 0, NULL, 0,
     .query = calendar_query},
    {"POST", "/api/v1/venues/bookings", booking_create, ROLE_AGENT, 4096, booking_schema,
     ROUTE_CREATES},
    {"GET", "/api/v1/venues/bookings", booking_list, PARTIES, 0, NULL, 0, .query = booking_query},
    {"GET", "/api/v1/venues/bookings/{id}", booking_get, PARTIES, 0, NULL, 0},
    {"POST", "/api/v1/venues/bookings/{id}/decision", booking_decide, ROLE_CENTER_ADMIN, 4096,
     decision_schema, 0},
    {"POST", "/api/v1/venues/bookings/{id}/cancel", booking_cancel, ROLE_AGENT | ROLE_CENTER_ADMIN,
     4096, cancel_schema, 0},
};

static const char *const rule_codes[] = {
    "VENUE-AFTER-OPENING",
    "VENUE-ANNOUNCED",
    "VENUE-ATTENDANCE-MODE",
    "VENUE-ATTENDANCE-TIME",
    "VENUE-ATTENDEE",
    "VENUE-CAPACITY",
    "VENUE-HOURS",
    "VENUE-KIND",
    "VENUE-LOT-BOOKED",
    "VENUE-LOTS",
    "VENUE-NO-ROOM",
    "VENUE-OVERLAP",
    "VENUE-PAST",
    "VENUE-PROJECT-STATE",
    "VENUE-RECORDER-KEY",
    "VENUE-RECORDER-PROOF",
    "VENUE-RECORDING-BOOKING",
    "VENUE-RECORDING-CONFLICT",
    "VENUE-ROOM-BOOKED",
    "VENUE-ROOM-STATE",
    "VENUE-SIGNATURE",
    "VENUE-SIGNED-IN",
    "VENUE-SIGNED-TIME",
    "VENUE-SIGNER-KEY",
    "VENUE-SPAN",
    "VENUE-STARTED",
    "VENUE-UNIT",
    "VENUE-WITNESS-RECORDING",
    NULL,
};

static const struct config_key config_keys[] = {
    CONFIG_I(struct venues_conf, "venues.buffer_minutes", buffer_minutes, "30", 0, 240),
    CONFIG_S(struct venues_conf, "venues.approval", approval, "manual"),
    /* the archive period of recordings per category, in years (政府采购法 第四十二条: government
     * procurement files at least 15 years from the end of the procurement) */
    CONFIG_I(struct venues_conf, "venues.retention_years.engineering", retention_years[0], "15", 1,
             100),
    CONFIG_I(struct venues_conf, "venues.retention_years.procurement", retention_years[1], "15", 15,
             100),
    CONFIG_I(struct venues_conf, "venues.retention_years.land_mineral", retention_years[2], "15", 1,
             100),
    CONFIG_I(struct venues_conf, "venues.retention_years.state_property", retention_years[3], "15",
             1, 100),
    CONFIG_I(struct venues_conf, "venues.recording_grace_minutes", recording_grace_minutes, "60", 0,
             10080),
};

static const struct job jobs[] = {
    {"venues.recordings-check", "system:venue-monitor", 60, NULL, false, venues_job_recordings},
};

static bool
venues_init(const struct config *config)
{
    venues_cfg = config;
    return true;
}

static bool
config_check(char *err, size_t errlen)
{
    if (strcmp(venues_conf.approval, "manual") && strcmp(venues_conf.approval, "auto")) {
        snprintf(err, errlen, "venues.approval must be manual or auto");
        return false;
    }
    return true;
}

const struct module venues_module = {
    .name = "venues",
    .routes = routes,
    .nroutes = ARRAY_LEN(routes),
    .init = venues_init,
    .jobs = jobs,
    .njobs = ARRAY_LEN(jobs),
    .rule_codes = rule_codes,
    .config_keys = config_keys,
    .nconfig_keys = ARRAY_LEN(config_keys),
    .config = &venues_conf,
    .config_check = config_check,
};
