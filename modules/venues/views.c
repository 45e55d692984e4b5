/*
 * views.c — the JSON of the venues module's rows, the one place they are shaped. Times are
 * integers of UTC microseconds; opening hours are "HH:MM" local (UTC+8).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "canon.h"
#include "util.h"
#include "internal.h"

static void
add_hhmm(cJSON *o, const char *key, int64_t m)
{
    char s[16];
    snprintf(s, sizeof s, "%02d:%02d", (int)(m / 60 % 100), (int)(m % 60));
    cJSON_AddStringToObject(o, key, s);
}

/* "1,2,3" as [1, 2, 3] */
static cJSON *
int_list(const char *s)
{
    cJSON *a = cJSON_CreateArray();
    for (const char *p = s; p && *p;) {
        char *end;
        long v = strtol(p, &end, 10);
        if (end == p)
            break;
        char lit[24];
        i64_format(v, lit);
        cJSON_AddItemToArray(a, cJSON_CreateRaw(lit)); /* an integer literal, as json_add_i64 */
        p = *end == ',' ? end + 1 : end;
    }
    return a;
}

/* "recording,screens" as ["recording", "screens"] */
static cJSON *
word_list(const char *s)
{
    cJSON *a = cJSON_CreateArray();
    while (s && *s) {
        const char *e = strchr(s, ',');
        size_t n = e ? (size_t)(e - s) : strlen(s);
        char w[64];
        if (n > 0 && n < sizeof w) {
            memcpy(w, s, n);
            w[n] = '\0';
            cJSON_AddItemToArray(a, cJSON_CreateString(w));
        }
        s = e ? e + 1 : NULL;
    }
    return a;
}

cJSON *
site_json(const struct dbres *s, size_t i)
{
    cJSON *o = cJSON_CreateObject();
    json_add_i64(o, "id", dbres_i64(s, i, SC_ID));
    cJSON_AddStringToObject(o, "name", dbres_str(s, i, SC_NAME));
    cJSON_AddStringToObject(o, "address", dbres_str(s, i, SC_ADDRESS));
    cJSON_AddStringToObject(o, "region", dbres_str(s, i, SC_REGION));
    json_add_i64(o, "created_us", dbres_i64(s, i, SC_CREATED));
    return o;
}

cJSON *
room_json(const struct dbres *s, size_t i)
{
    cJSON *o = cJSON_CreateObject();
    json_add_i64(o, "id", dbres_i64(s, i, RC_ID));
    json_add_i64(o, "site_id", dbres_i64(s, i, RC_SITE));
    cJSON_AddStringToObject(o, "site_name", dbres_str(s, i, RC_SITE_NAME));
    cJSON_AddStringToObject(o, "address", dbres_str(s, i, RC_ADDRESS));
    cJSON_AddStringToObject(o, "name", dbres_str(s, i, RC_NAME));
    cJSON_AddStringToObject(o, "kind", dbres_str(s, i, RC_KIND));
    json_add_str_or_null(o, "region", dbres_str(s, i, RC_REGION));
    json_add_i64(o, "capacity", dbres_i64(s, i, RC_CAPACITY));
    cJSON_AddItemToObject(o, "equipment", word_list(dbres_str(s, i, RC_EQUIPMENT)));
    add_hhmm(o, "opens", dbres_i64(s, i, RC_OPENS));
    add_hhmm(o, "closes", dbres_i64(s, i, RC_CLOSES));
    cJSON_AddStringToObject(o, "state", dbres_str(s, i, RC_STATE));
    json_add_str_or_null(o, "state_reason", dbres_str(s, i, RC_REASON));
    return o;
}

struct venue_room_facts
room_facts(const struct dbres *s, size_t i)
{
    return (struct venue_room_facts){
        .kind = dbres_str(s, i, RC_KIND),
        .state = dbres_str(s, i, RC_STATE),
        .capacity = dbres_i64(s, i, RC_CAPACITY),
        .opens_min = (int)dbres_i64(s, i, RC_OPENS),
        .closes_min = (int)dbres_i64(s, i, RC_CLOSES),
    };
}

cJSON *
booking_slot_json(const struct dbres *s, size_t i, bool detail)
{
    if (detail)
        return booking_json(s, i);
    cJSON *o = cJSON_CreateObject();
    json_add_i64(o, "start_us", dbres_i64(s, i, BC_START));
    json_add_i64(o, "end_us", dbres_i64(s, i, BC_END));
    cJSON_AddStringToObject(o, "status", "occupied");
    return o;
}

cJSON *
booking_json(const struct dbres *s, size_t i)
{
    cJSON *o = cJSON_CreateObject();
    json_add_i64(o, "id", dbres_i64(s, i, BC_ID));
    cJSON *room = cJSON_AddObjectToObject(o, "room");
    json_add_i64(room, "id", dbres_i64(s, i, BC_ROOM));
    cJSON_AddStringToObject(room, "name", dbres_str(s, i, BC_ROOM_NAME));
    cJSON_AddStringToObject(room, "kind", dbres_str(s, i, BC_ROOM_KIND));
    cJSON_AddStringToObject(room, "site_name", dbres_str(s, i, BC_SITE_NAME));
    cJSON_AddStringToObject(room, "address", dbres_str(s, i, BC_ADDRESS));
    json_add_i64(o, "project_id", dbres_i64(s, i, BC_PROJECT));
    json_add_i64(o, "agent_org_id", dbres_i64(s, i, BC_AGENT_ORG));
    cJSON_AddStringToObject(o, "purpose", dbres_str(s, i, BC_PURPOSE));
    cJSON_AddItemToObject(o, "lots", int_list(dbres_str(s, i, BC_LOTS)));
    json_add_i64(o, "start_us", dbres_i64(s, i, BC_START));
    json_add_i64(o, "end_us", dbres_i64(s, i, BC_END));
    json_add_i64(o, "buffer_us", dbres_i64(s, i, BC_BUFFER));
    json_add_i64(o, "people", dbres_i64(s, i, BC_PEOPLE));
    cJSON_AddStringToObject(o, "state", dbres_str(s, i, BC_STATE));
    json_add_str_or_null(o, "reason", dbres_str(s, i, BC_REASON));
    if (dbres_str(s, i, BC_DECIDED_BY))
        json_add_i64(o, "decided_by", dbres_i64(s, i, BC_DECIDED_BY));
    else
        cJSON_AddNullToObject(o, "decided_by");
    if (dbres_str(s, i, BC_DECIDED))
        json_add_i64(o, "decided_us", dbres_i64(s, i, BC_DECIDED));
    else
        cJSON_AddNullToObject(o, "decided_us");
    json_add_i64(o, "requested_by", dbres_i64(s, i, BC_REQUESTED_BY));
    if (dbres_str(s, i, BC_ANNOUNCED))
        json_add_i64(o, "announced_by", dbres_i64(s, i, BC_ANNOUNCED));
    else
        cJSON_AddNullToObject(o, "announced_by");
    json_add_i64(o, "created_us", dbres_i64(s, i, BC_CREATED));
    return o;
}

cJSON *
recorder_json(const struct dbres *s, size_t i)
{
    cJSON *o = cJSON_CreateObject();
    json_add_i64(o, "id", dbres_i64(s, i, DC_ID));
    json_add_i64(o, "room_id", dbres_i64(s, i, DC_ROOM));
    cJSON_AddStringToObject(o, "key_id", dbres_str(s, i, DC_KEY));
    cJSON_AddStringToObject(o, "label", dbres_str(s, i, DC_LABEL));
    cJSON_AddStringToObject(o, "state", dbres_str(s, i, DC_STATE));
    json_add_i64(o, "created_us", dbres_i64(s, i, DC_CREATED));
    if (dbres_str(s, i, DC_REVOKED))
        json_add_i64(o, "revoked_us", dbres_i64(s, i, DC_REVOKED));
    else
        cJSON_AddNullToObject(o, "revoked_us");
    return o;
}

cJSON *
recording_json(const struct dbres *s, size_t i)
{
    cJSON *o = cJSON_CreateObject();
    json_add_i64(o, "id", dbres_i64(s, i, VC_ID));
    json_add_i64(o, "recorder_id", dbres_i64(s, i, VC_RECORDER));
    json_add_i64(o, "room_id", dbres_i64(s, i, VC_ROOM));
    if (dbres_str(s, i, VC_BOOKING))
        json_add_i64(o, "booking_id", dbres_i64(s, i, VC_BOOKING));
    else
        cJSON_AddNullToObject(o, "booking_id");
    json_add_i64(o, "start_us", dbres_i64(s, i, VC_START));
    json_add_i64(o, "end_us", dbres_i64(s, i, VC_END));
    json_add_i64(o, "size", dbres_i64(s, i, VC_SIZE));
    cJSON_AddStringToObject(o, "sha256", dbres_str(s, i, VC_SHA));
    cJSON_AddStringToObject(o, "storage_ref", dbres_str(s, i, VC_REF));
    json_add_i64(o, "signed_us", dbres_i64(s, i, VC_SIGNED));
    cJSON_AddStringToObject(o, "signature", dbres_str(s, i, VC_SIGNATURE));
    json_add_i64(o, "retain_until_us", dbres_i64(s, i, VC_RETAIN));
    json_add_i64(o, "created_us", dbres_i64(s, i, VC_CREATED));
    return o;
}

cJSON *
warning_json(const struct dbres *s, size_t i)
{
    cJSON *o = cJSON_CreateObject();
    json_add_i64(o, "id", dbres_i64(s, i, WC_ID));
    json_add_i64(o, "booking_id", dbres_i64(s, i, WC_BOOKING));
    json_add_i64(o, "project_id", dbres_i64(s, i, WC_PROJECT));
    cJSON_AddStringToObject(o, "kind", dbres_str(s, i, WC_KIND));
    cJSON_AddStringToObject(o, "detail", dbres_str(s, i, WC_DETAIL));
    json_add_i64(o, "created_us", dbres_i64(s, i, WC_CREATED));
    return o;
}

cJSON *
attendance_json(const struct dbres *s, size_t i)
{
    cJSON *o = cJSON_CreateObject();
    json_add_i64(o, "id", dbres_i64(s, i, AC_ID));
    json_add_i64(o, "booking_id", dbres_i64(s, i, AC_BOOKING));
    json_add_i64(o, "user_id", dbres_i64(s, i, AC_USER));
    json_add_i64(o, "org_id", dbres_i64(s, i, AC_ORG));
    cJSON_AddStringToObject(o, "role", dbres_str(s, i, AC_ROLE));
    cJSON_AddStringToObject(o, "mode", dbres_str(s, i, AC_MODE));
    cJSON_AddStringToObject(o, "key_id", dbres_str(s, i, AC_KEY));
    json_add_i64(o, "signed_us", dbres_i64(s, i, AC_SIGNED));
    cJSON_AddStringToObject(o, "signature", dbres_str(s, i, AC_SIGNATURE));
    return o;
}

cJSON *
witness_json(const struct dbres *s, size_t i)
{
    cJSON *o = cJSON_CreateObject();
    json_add_i64(o, "id", dbres_i64(s, i, XC_ID));
    json_add_i64(o, "booking_id", dbres_i64(s, i, XC_BOOKING));
    json_add_i64(o, "user_id", dbres_i64(s, i, XC_USER));
    cJSON_AddStringToObject(o, "text", dbres_str(s, i, XC_TEXT));
    cJSON_AddItemToObject(o, "recordings", int_list(dbres_str(s, i, XC_RECORDINGS)));
    cJSON_AddStringToObject(o, "key_id", dbres_str(s, i, XC_KEY));
    json_add_i64(o, "signed_us", dbres_i64(s, i, XC_SIGNED));
    cJSON_AddStringToObject(o, "signature", dbres_str(s, i, XC_SIGNATURE));
    return o;
}
