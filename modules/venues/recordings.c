/*
 * recordings.c — the rooms' recording systems (开评标录像). A recorder is a device of the center
 * with its own key, certified under the device anchor (trust.device_ca) naming the center's
 * credit code, and bound to one room; center staff register it with a proof of possession. The
 * recorder registers each recording it made — room, booking, span, size, SHA-256 of the file,
 * storage reference — signed by its key within VENUES_SIGNED_SKEW_US of the platform's clock:
 * checked, idempotent (the same file again is the same recording), replay-proof (a stale
 * signature is refused; a fresh replay is the same recording), and in the audit log with the
 * signature and the certificate, so a swapped file is provable later from the log alone.
 *
 *   POST /api/v1/venues/rooms/{id}/recorders       staff: register a recorder for the room
 *   GET  /api/v1/venues/rooms/{id}/recorders       staff, supervisors
 *   POST /api/v1/venues/recorders/{id}/revoke      staff
 *   POST /api/v1/venues/recordings                 the recorder (no session: its signature)
 *   GET  /api/v1/venues/bookings/{id}/recordings   staff, supervisors, the booking's agency
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accounts/accounts.h"
#include "audit.h"
#include "canon.h"
#include "crypto.h"
#include "entry/entry.h"
#include "internal.h"
#include "trust.h"
#include "util.h"

#define RECORDER_DOMAIN  "ggzy-recorder-register-v1"
#define RECORDING_DOMAIN "ggzy-recording-v1"

/* ---- recorders ---- */

struct recorder_ctx {
    int64_t room;
    const char *pem, *proof, *label;
};

/* The chain's DER certificates, concatenated (as stored); caller frees. */
static uint8_t *
chain_der(const struct cert_chain *ch, size_t *len)
{
    size_t n = 0;
    for (size_t i = 0; i < ch->n; i++)
        n += ch->len[i];
    uint8_t *out = malloc(n ? n : 1);
    for (size_t i = 0, at = 0; out && i < ch->n; i++) {
        memcpy(out + at, ch->der[i], ch->len[i]);
        at += ch->len[i];
    }
    *len = n;
    return out;
}

static enum tx_result
recorder_tx(struct dbconn *c, struct req *r, void *arg)
{
    struct recorder_ctx *x = arg;
    struct signing_key k = {0};
    struct dbres room = {0};
    struct org_view center;
    bool found;
    char why[300];
    uint8_t *der = NULL;
    size_t dlen = 0;
    int64_t id, now = clock_now_us();
    enum tx_result t = TX_DBFAIL;
    cJSON *fields = NULL, *p = NULL;
    if (store_room(c, x->room, ROOM_SHARED, &room) != DB_OK ||
        accounts_org(c, r->who.org_id, &center, &found) != DB_OK)
        goto out;
    t = TX_REFUSE;
    if (room.nrows != 1) {
        req_error(r, E_NOT_FOUND, "no room %lld", (long long)x->room);
        goto out;
    }
    if (!cert_chain_from_pem(x->pem, strlen(x->pem), &k.chain, why, sizeof why)) {
        req_rule(r, "KEY-CERT-FORMAT", "%s", why);
        goto out;
    }
    const char *rule = trust_check(SIDE_DEVICE, &k.chain, found ? center.credit_code : "", now,
                                   &k.info, why, sizeof why);
    if (rule) {
        req_rule(r, rule, "%s", why);
        goto out;
    }
    snprintf(k.key_id, sizeof k.key_id, "%s", k.info.key_id);
    fields = cJSON_CreateObject();
    cJSON_AddStringToObject(fields, "certificate_sha256", k.info.sha256);
    cJSON_AddStringToObject(fields, "platform", venues_cfg->platform_id);
    json_add_i64(fields, "room_id", x->room);
    if (!accounts_act_verifies(&k, RECORDER_DOMAIN, fields, x->proof)) {
        req_rule(r, "VENUE-RECORDER-PROOF",
                 "the proof is not the certified key's signature over " RECORDER_DOMAIN
                 " (docs/venues.md §6)");
        goto out;
    }
    t = TX_DBFAIL;
    if (!(der = chain_der(&k.chain, &dlen)))
        goto out;
    enum db_status st =
        store_recorder_insert(c, x->room, k.info.key_id, der, dlen, center.credit_code,
                              x->label ? x->label : "", r->who.user_id, now, &id);
    if (st == DB_DUPLICATE) {
        req_error(r, E_CONFLICT, "that key is registered already as a recorder");
        t = TX_REFUSE;
        goto out;
    }
    if (st != DB_OK)
        goto out;
    p = cJSON_CreateObject();
    json_add_i64(p, "room_id", x->room);
    cJSON_AddStringToObject(p, "key_id", k.info.key_id);
    cJSON *signed_act = accounts_signed_json(&k, RECORDER_DOMAIN, fields, x->proof);
    if (!signed_act)
        goto out;
    cJSON_AddItemToObject(p, "signed", signed_act);
    st = audit_append(c, req_actor(r), "venue.recorder.register", "recorder", id, 0, p, NULL);
    p = NULL;
    dbres_free(&room);
    if (st != DB_OK || store_recorder(c, id, NULL, &room) != DB_OK || room.nrows != 1)
        goto out;
    req_json(r, 201, recorder_json(&room, 0));
    t = TX_COMMIT;
out:
    accounts_signing_key_free(&k);
    cJSON_Delete(fields);
    cJSON_Delete(p);
    free(der);
    dbres_free(&room);
    return t;
}

void
recorder_create(struct req *r, const cJSON *body)
{
    struct recorder_ctx x = {0, json_str(body, "certificate"), json_str(body, "proof"),
                             json_str(body, "label")};
    if (req_param_id(r, "id", &x.room))
        req_tx(r, recorder_tx, &x);
}

void
recorder_list(struct req *r, const cJSON *body)
{
    (void)body;
    int64_t room;
    struct dbres s = {0};
    struct dbconn *c = req_db_for(r, "id", &room);
    if (!c)
        return;
    enum db_status st = store_recorders_of_room(c, room, &s);
    if (st != DB_OK) {
        req_db_fail(r, c, st);
    } else {
        cJSON *o = cJSON_CreateObject(), *items = cJSON_AddArrayToObject(o, "items");
        for (size_t i = 0; i < s.nrows; i++)
            cJSON_AddItemToArray(items, recorder_json(&s, i));
        req_json(r, 200, o);
    }
    dbres_free(&s);
}

static enum tx_result
revoke_tx(struct dbconn *c, struct req *r, void *arg)
{
    int64_t id = *(int64_t *)arg, now = clock_now_us();
    struct dbres s = {0};
    enum tx_result t = TX_DBFAIL;
    if (store_recorder(c, id, NULL, &s) != DB_OK)
        goto out;
    t = TX_REFUSE;
    if (s.nrows != 1) {
        req_error(r, E_NOT_FOUND, "no recorder %lld", (long long)id);
        goto out;
    }
    if (strcmp(dbres_str(&s, 0, DC_STATE), "active")) {
        req_transition_refused(r, dbres_str(&s, 0, DC_STATE), "revoked", "the recorder is revoked");
        goto out;
    }
    t = TX_DBFAIL;
    cJSON *p = cJSON_CreateObject();
    json_add_i64(p, "room_id", dbres_i64(&s, 0, DC_ROOM));
    cJSON_AddStringToObject(p, "key_id", dbres_str(&s, 0, DC_KEY));
    if (store_recorder_revoke(c, id, now) != DB_OK ||
        audit_append(c, req_actor(r), "venue.recorder.revoke", "recorder", id, 0, p, NULL) != DB_OK)
        goto out;
    dbres_free(&s);
    if (store_recorder(c, id, NULL, &s) != DB_OK || s.nrows != 1)
        goto out;
    req_json(r, 200, recorder_json(&s, 0));
    t = TX_COMMIT;
out:
    dbres_free(&s);
    return t;
}

void
recorder_revoke(struct req *r, const cJSON *body)
{
    (void)body;
    int64_t id;
    if (req_param_id(r, "id", &id))
        req_tx(r, revoke_tx, &id);
}

/* ---- recordings ---- */

bool
recordings_cover(const struct dbres *s, int64_t start_us, int64_t end_us)
{
    int64_t from[256], to[256];
    size_t n = s->nrows < 256 ? s->nrows : 256;
    for (size_t i = 0; i < n; i++) {
        from[i] = dbres_i64(s, i, VC_START);
        to[i] = dbres_i64(s, i, VC_END);
    }
    return venues_rule_covered(start_us, end_us, from, to, n);
}

struct recording_ctx {
    struct recording_in in;
    const char *key_id;
};

/* The fields a recorder signs (docs/venues.md §6), canonical JSON under RECORDING_DOMAIN. */
static cJSON *
recording_fields(const struct recording_ctx *x)
{
    cJSON *f = cJSON_CreateObject();
    json_add_i64(f, "booking_id", x->in.booking);
    json_add_i64(f, "end_us", x->in.end_us);
    cJSON_AddStringToObject(f, "platform", venues_cfg->platform_id);
    cJSON_AddStringToObject(f, "recorder_key_id", x->key_id);
    json_add_i64(f, "room_id", x->in.room);
    cJSON_AddStringToObject(f, "sha256", x->in.sha256);
    json_add_i64(f, "signed_us", x->in.signed_us);
    json_add_i64(f, "size", x->in.size);
    json_add_i64(f, "start_us", x->in.start_us);
    cJSON_AddStringToObject(f, "storage_ref", x->in.storage_ref);
    return f;
}

/* The recorder of key_id and its key as it may sign now, or the refusal set on r. */
static enum tx_result
recorder_key(struct dbconn *c, struct req *r, const struct recording_ctx *x, int64_t now,
             struct dbres *rec, struct signing_key *k)
{
    char why[300];
    if (store_recorder(c, 0, x->key_id, rec) != DB_OK)
        return TX_DBFAIL;
    if (rec->nrows != 1 || strcmp(dbres_str(rec, 0, DC_STATE), "active")) {
        req_rule_as(r, E_FORBIDDEN, "VENUE-RECORDER-KEY",
                    "key %.64s is not an active recorder's key", x->key_id);
        return TX_REFUSE;
    }
    if (dbres_i64(rec, 0, DC_ROOM) != x->in.room) {
        req_rule_as(r, E_FORBIDDEN, "VENUE-RECORDER-KEY",
                    "this recorder is bound to room %lld, not room %lld",
                    (long long)dbres_i64(rec, 0, DC_ROOM), (long long)x->in.room);
        return TX_REFUSE;
    }
    /* the row is not trusted: the certificate is re-checked against the anchors in force */
    if (!cert_chain_from_der((const uint8_t *)dbres_str(rec, 0, DC_CHAIN),
                             dbres_len(rec, 0, DC_CHAIN), &k->chain)) {
        req_rule(r, "KEY-CERT-FORMAT", "the recorder's stored certificate cannot be read");
        return TX_REFUSE;
    }
    const char *rule = trust_check(SIDE_DEVICE, &k->chain, dbres_str(rec, 0, DC_CREDIT), now,
                                   &k->info, why, sizeof why);
    if (!rule && strcmp(k->info.key_id, x->key_id))
        rule = "KEY-CERT-CHAIN", snprintf(why, sizeof why, "the certificate certifies another key");
    if (rule) {
        req_rule(r, rule, "%s", why);
        return TX_REFUSE;
    }
    snprintf(k->key_id, sizeof k->key_id, "%s", x->key_id);
    return TX_COMMIT;
}

/* The same file registered again: the same recording when every field agrees (200), else 409. */
static enum tx_result
again(struct dbconn *c, struct req *r, const struct recording_ctx *x, const struct dbres *old)
{
    const struct recording_in *in = &x->in;
    bool same =
        dbres_i64(old, 0, VC_ROOM) == in->room &&
        (dbres_str(old, 0, VC_BOOKING) ? dbres_i64(old, 0, VC_BOOKING) : 0) == in->booking &&
        dbres_i64(old, 0, VC_START) == in->start_us && dbres_i64(old, 0, VC_END) == in->end_us &&
        dbres_i64(old, 0, VC_SIZE) == in->size &&
        !strcmp(dbres_str(old, 0, VC_REF), in->storage_ref);
    (void)c;
    if (!same) {
        req_rule_as(r, E_CONFLICT, "VENUE-RECORDING-CONFLICT",
                    "this recorder registered that file (recording %lld) with other details",
                    (long long)dbres_i64(old, 0, VC_ID));
        return TX_REFUSE;
    }
    req_json(r, 200, recording_json(old, 0));
    return TX_COMMIT;
}

/* The booking the recording belongs to: of the same room, overlapping the recording's span;
 * *years the archive period of its project's category. */
static enum tx_result
recording_booking(struct dbconn *c, struct req *r, const struct recording_in *in, int64_t *project,
                  int64_t *years)
{
    struct dbres b = {0};
    struct project_view v;
    bool found;
    enum tx_result t = TX_DBFAIL;
    *project = 0;
    *years = venues_retention_years(-1);
    if (!in->booking)
        return TX_COMMIT;
    if (store_booking(c, in->booking, false, &b) != DB_OK)
        goto out;
    t = TX_REFUSE;
    if (b.nrows != 1 || dbres_i64(&b, 0, BC_ROOM) != in->room ||
        in->end_us <= dbres_i64(&b, 0, BC_START) || in->start_us >= dbres_i64(&b, 0, BC_END)) {
        req_rule(r, "VENUE-RECORDING-BOOKING",
                 "booking %lld is not a booking of room %lld during the recording",
                 (long long)in->booking, (long long)in->room);
        goto out;
    }
    *project = dbres_i64(&b, 0, BC_PROJECT);
    t = TX_DBFAIL;
    if (entry_project(c, *project, false, &v, &found) != DB_OK)
        goto out;
    if (found)
        *years = venues_retention_years(v.category);
    t = TX_COMMIT;
out:
    dbres_free(&b);
    return t;
}

static enum tx_result
recording_tx(struct dbconn *c, struct req *r, void *arg)
{
    struct recording_ctx *x = arg;
    struct dbres rec = {0}, old = {0};
    struct signing_key k = {0};
    int64_t now = clock_now_us(), id, project, years;
    cJSON *fields = recording_fields(x), *p = NULL;
    enum tx_result t = recorder_key(c, r, x, now, &rec, &k);
    if (t != TX_COMMIT)
        goto out;
    t = TX_REFUSE;
    if (!accounts_act_verifies(&k, RECORDING_DOMAIN, fields, x->in.signature)) {
        req_rule(r, "VENUE-SIGNATURE",
                 "the signature does not verify over " RECORDING_DOMAIN
                 " and the registration's fields (docs/venues.md §6)");
        goto out;
    }
    if (x->in.signed_us < now - VENUES_SIGNED_SKEW_US ||
        x->in.signed_us > now + VENUES_SIGNED_SKEW_US) {
        req_rule(r, "VENUE-SIGNED-TIME",
                 "signed_us is more than 300 s from the platform's clock: sign it now");
        goto out;
    }
    x->in.recorder = dbres_i64(&rec, 0, DC_ID);
    t = TX_DBFAIL;
    if (store_recording_by_file(c, x->in.recorder, x->in.sha256, &old) != DB_OK)
        goto out;
    if (old.nrows == 1) {
        t = again(c, r, x, &old);
        goto out;
    }
    t = TX_REFUSE;
    if (x->in.end_us <= x->in.start_us || x->in.end_us > now + VENUES_SIGNED_SKEW_US) {
        req_rule(r, "VENUE-SPAN", "a recording ends after it begins, and not in the future");
        goto out;
    }
    if ((t = recording_booking(c, r, &x->in, &project, &years)) != TX_COMMIT)
        goto out;
    t = TX_DBFAIL;
    x->in.retain_until_us = x->in.end_us + years * VENUES_YEAR_US;
    enum db_status st = store_recording_insert(c, &x->in, now, &id);
    if (st == DB_DUPLICATE) { /* registered meanwhile by the same recorder: the retry answers */
        t = TX_DBFAIL;
        goto out;
    }
    if (st != DB_OK)
        goto out;
    p = cJSON_CreateObject();
    json_add_i64(p, "recorder_id", x->in.recorder);
    json_add_i64(p, "room_id", x->in.room);
    json_add_i64(p, "booking_id", x->in.booking);
    json_add_i64(p, "start_us", x->in.start_us);
    json_add_i64(p, "end_us", x->in.end_us);
    cJSON_AddStringToObject(p, "sha256", x->in.sha256);
    json_add_i64(p, "retain_until_us", x->in.retain_until_us);
    cJSON *signed_act = accounts_signed_json(&k, RECORDING_DOMAIN, fields, x->in.signature);
    if (!signed_act)
        goto out;
    cJSON_AddItemToObject(p, "signed", signed_act);
    /* the device acts: named by its key, as the replay expects (docs/audit.md INV-ACTOR) */
    char name[80];
    snprintf(name, sizeof name, "device:%.16s", x->key_id);
    struct actor device = {.role = "device", .name = name, .request_id = r->id};
    st = audit_append(c, &device, "venue.recording.register", "recording", id, project, p, NULL);
    p = NULL;
    if (st != DB_OK || store_recording(c, id, &old) != DB_OK || old.nrows != 1)
        goto out;
    req_json(r, 201, recording_json(&old, 0));
    t = TX_COMMIT;
out:
    accounts_signing_key_free(&k);
    cJSON_Delete(fields);
    cJSON_Delete(p);
    dbres_free(&rec);
    dbres_free(&old);
    return t;
}

void
recording_create(struct req *r, const cJSON *body)
{
    struct recording_ctx x = {0};
    x.key_id = json_str(body, "recorder_key_id");
    x.in.room = json_i64(body, "room_id", 0);
    x.in.booking = json_i64(body, "booking_id", 0);
    x.in.start_us = json_i64(body, "start_us", 0);
    x.in.end_us = json_i64(body, "end_us", 0);
    x.in.size = json_i64(body, "size", 0);
    x.in.sha256 = json_str(body, "sha256");
    x.in.storage_ref = json_str(body, "storage_ref");
    x.in.signed_us = json_i64(body, "signed_us", 0);
    x.in.signature = json_str(body, "signature");
    for (const char *s = x.in.sha256; *s; s++)
        if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f'))) {
            req_field_error(r, E_INVALID_FIELD, "sha256", "sha256 is 64 lower-case hex digits");
            return;
        }
    req_tx(r, recording_tx, &x);
}

void
booking_recordings(struct req *r, const cJSON *body)
{
    (void)body;
    int64_t id;
    struct dbres b = {0}, s = {0};
    struct dbconn *c = req_db_for(r, "id", &id);
    if (!c)
        return;
    enum db_status st = store_booking(c, id, false, &b);
    if (st == DB_OK && b.nrows == 1)
        st = store_recordings_of_booking(c, id, &s);
    if (st != DB_OK)
        req_db_fail(r, c, st);
    else if (b.nrows != 1 || (!(r->who.role & (ROLE_CENTER_ADMIN | ROLE_SUPERVISOR)) &&
                              dbres_i64(&b, 0, BC_AGENT_ORG) != r->who.org_id))
        req_error(r, E_NOT_FOUND, "no booking %lld", (long long)id);
    else {
        cJSON *o = cJSON_CreateObject(), *items = cJSON_AddArrayToObject(o, "items");
        for (size_t i = 0; i < s.nrows; i++)
            cJSON_AddItemToArray(items, recording_json(&s, i));
        cJSON_AddBoolToObject(
            o, "complete",
            recordings_cover(&s, dbres_i64(&b, 0, BC_START), dbres_i64(&b, 0, BC_END)));
        req_json(r, 200, o);
    }
    dbres_free(&b);
    dbres_free(&s);
}
