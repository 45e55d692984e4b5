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

static const struct route routes[] = {
    {"POST", "/api/v1/venues/sites", site_create, ROLE_CENTER_ADMIN, 4096, site_schema,
     ROUTE_CREATES},
    {"GET", "/api/v1/venues/sites", site_list, ROLE_PUBLIC, 0, NULL, 0},
    {"POST", "/api/v1/venues/sites/{id}/rooms", room_create, ROLE_CENTER_ADMIN, 4096, room_schema,
     ROUTE_CREATES},
    {"GET", "/api/v1/venues/rooms/{id}", room_get, ROLE_PUBLIC, 0, NULL, 0},
    {"POST", "/api/v1/venues/rooms/{id}/state", room_state, ROLE_CENTER_ADMIN, 4096, state_schema,
     0},
    {"POST", "/api/v1/venues/rooms/{id}/relocate", room_relocate, ROLE_CENTER_ADMIN, 4096,
     relocate_schema, 0},
    {"GET", "/api/v1/venues/rooms/{id}/calendar.ics", room_ics, ROLE_PUBLIC, 0, NULL, 0},
    {"GET", "/api/v1/venues/bookings.ics", own_ics, ROLE_AGENT, 0, NULL, 0},
    {"GET", "/api/v1/venues/calendar", calendar_get, ROLE_PUBLIC, 0, NULL, 0},
    {"POST", "/api/v1/venues/bookings", booking_create, ROLE_AGENT, 4096, booking_schema,
     ROUTE_CREATES},
    {"GET", "/api/v1/venues/bookings", booking_list, PARTIES, 0, NULL, 0},
    {"GET", "/api/v1/venues/bookings/{id}", booking_get, PARTIES, 0, NULL, 0},
    {"POST", "/api/v1/venues/bookings/{id}/decision", booking_decide, ROLE_CENTER_ADMIN, 4096,
     decision_schema, 0},
    {"POST", "/api/v1/venues/bookings/{id}/cancel", booking_cancel, ROLE_AGENT | ROLE_CENTER_ADMIN,
     4096, cancel_schema, 0},
};

static const char *const rule_codes[] = {
    "VENUE-AFTER-OPENING", "VENUE-CAPACITY",      "VENUE-HOURS",       "VENUE-KIND",
    "VENUE-LOT-BOOKED",    "VENUE-LOTS",          "VENUE-NO-ROOM",     "VENUE-OVERLAP",
    "VENUE-PAST",          "VENUE-PROJECT-STATE", "VENUE-ROOM-BOOKED", "VENUE-ROOM-STATE",
    "VENUE-SPAN",          "VENUE-STARTED",       "VENUE-UNIT",        NULL,
};

static const struct config_key config_keys[] = {
    CONFIG_I(struct venues_conf, "venues.buffer_minutes", buffer_minutes, "30", 0, 240),
    CONFIG_S(struct venues_conf, "venues.approval", approval, "manual"),
};

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
    .rule_codes = rule_codes,
    .config_keys = config_keys,
    .nconfig_keys = ARRAY_LEN(config_keys),
    .config = &venues_conf,
    .config_check = config_check,
};
