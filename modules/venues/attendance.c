/*
 * attendance.c — who was in each session, and what the center's witness saw (见证). A sign-in is
 * a statement signed by the person's own certified key — "I attend booking B, in the room or
 * online (不见面开标), at T" — recorded with the time; one per person and session. An opening
 * admits bidders' representatives, the project's agent, supervisors and center staff; an
 * evaluation (closed) its experts, the agent's staff, supervisors and center staff, in the room
 * only. Center staff keep a signed witness log per session: entries with their times and the
 * recordings they refer to. Every statement goes into the audit log with its signature and
 * certificate, so the replay re-verifies it.
 *
 *   POST /api/v1/venues/bookings/{id}/attendance   sign in (any signed-in party the session admits)
 *   GET  /api/v1/venues/bookings/{id}/attendance   an opening's: its parties; an evaluation's:
 * staff POST /api/v1/venues/bookings/{id}/witness      center staff: a witness entry GET
 * /api/v1/venues/bookings/{id}/witness      staff, supervisors
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accounts/accounts.h"
#include "audit.h"
#include "canon.h"
#include "internal.h"
#include "util.h"

#define ATTEND_DOMAIN  "ggzy-attendance-v1"
#define WITNESS_DOMAIN "ggzy-witness-v1"
#define EARLY_US       (INT64_C(60) * VENUES_MINUTE_US) /* sign-in opens an hour before */

/* Check the caller's signed statement: key_id a live certified key of the caller's, signed_us
 * fresh, the signature over domain and fields. TX_COMMIT with *k filled (free it), or the
 * refusal set on r. */
static enum tx_result
signed_statement(struct dbconn *c, struct req *r, const char *domain, const cJSON *fields,
                 const struct statement_in *in, int64_t now, struct signing_key *k)
{
    char why[300];
    const char *rule;
    switch (accounts_check_act(c, r->who.user_id, in->key_id, in->signed_us, domain, fields,
                               in->signature, now, VENUES_SIGNED_SKEW_US, k, &rule, why,
                               sizeof why)) {
    case ACT_OK:
        return TX_COMMIT;
    case ACT_DBFAIL:
        return TX_DBFAIL;
    case ACT_KEY:
        req_rule(r, !strcmp(rule, "KEY-UNKNOWN") ? "VENUE-SIGNER-KEY" : rule, "%s", why);
        return TX_REFUSE;
    case ACT_TIME:
        req_rule(r, "VENUE-SIGNED-TIME", "%s", why);
        return TX_REFUSE;
    case ACT_SIGNATURE:
        req_rule(r, "VENUE-SIGNATURE", "%s (docs/venues.md §5)", why);
        return TX_REFUSE;
    }
    return TX_DBFAIL;
}

/* A live approved booking the statement is about, or the refusal set on r. */
static enum tx_result
session(struct dbconn *c, struct req *r, int64_t id, struct dbres *b)
{
    if (store_booking(c, id, false, b) != DB_OK)
        return TX_DBFAIL;
    if (b->nrows != 1) {
        req_error(r, E_NOT_FOUND, "no booking %lld", (long long)id);
        return TX_REFUSE;
    }
    if (strcmp(dbres_str(b, 0, BC_STATE), "approved")) {
        req_transition_refused(r, dbres_str(b, 0, BC_STATE), "approved",
                               "the booking is %s: no session takes place",
                               dbres_str(b, 0, BC_STATE));
        return TX_REFUSE;
    }
    return TX_COMMIT;
}

/* Add the signed statement to payload p (consumed) and append action's entry for the booking,
 * row 0 of b, in its project's timeline. */
static enum db_status
log_statement(struct dbconn *c, struct req *r, const char *action, const char *domain,
              const struct dbres *b, const struct signing_key *k, const cJSON *fields,
              const char *sig, cJSON *p)
{
    cJSON *sa = accounts_signed_json(k, domain, fields, sig);
    if (!sa) {
        cJSON_Delete(p);
        return DB_ERROR;
    }
    cJSON_AddItemToObject(p, "signed", sa);
    return audit_append(c, req_actor(r), action, "booking", dbres_i64(b, 0, BC_ID),
                        dbres_i64(b, 0, BC_PROJECT), p, NULL);
}

static cJSON *
statement_fields(const struct statement_in *in, bool witness)
{
    cJSON *f = cJSON_CreateObject();
    json_add_i64(f, "booking_id", in->booking);
    if (!witness)
        cJSON_AddStringToObject(f, "mode", in->mode);
    cJSON_AddStringToObject(f, "platform", venues_cfg->platform_id);
    if (witness) {
        cJSON *ids = cJSON_AddArrayToObject(f, "recordings");
        for (const char *p = in->recordings; p && *p;) {
            char *end;
            long long v = strtoll(p, &end, 10);
            if (end == p)
                break;
            char lit[24];
            i64_format(v, lit);
            cJSON_AddItemToArray(ids, cJSON_CreateRaw(lit));
            p = *end == ',' ? end + 1 : end;
        }
    }
    json_add_i64(f, "signed_us", in->signed_us);
    if (witness)
        cJSON_AddStringToObject(f, "text", in->text);
    json_add_i64(f, "user_id", in->user);
    return f;
}

/* ---- sign-in ---- */

/* NULL: nobody of the role is admitted */
static venues_party_fn bidder_check, expert_check, tenderer_check;

void
venues_set_party_check(const char *role, venues_party_fn fn)
{
    if (!strcmp(role, "bidder"))
        bidder_check = fn;
    else if (!strcmp(role, "expert"))
        expert_check = fn;
    else if (!strcmp(role, "tenderer"))
        tenderer_check = fn;
}

/* Is the caller, a bidder, an expert or a tenderer's representative, a party of booking row 0 of
 * b? (Other roles pass:
 * venues_rule_attendee decided them.) TX_COMMIT, or the refusal set on r. */
static enum tx_result
party_of(struct dbconn *c, struct req *r, const struct dbres *b, const char *role)
{
    bool bidder = !strcmp(role, "bidder"), tenderer = !strcmp(role, "tenderer");
    venues_party_fn fn = bidder                    ? bidder_check
                         : !strcmp(role, "expert") ? expert_check
                         : tenderer                ? tenderer_check
                                                   : NULL;
    struct venue_session s;
    bool admitted = false;
    if (!bidder && !tenderer && strcmp(role, "expert"))
        return TX_COMMIT;
    booking_session(b, 0, &s);
    if (fn && fn(c, &s, r->who.user_id, r->who.org_id, &admitted) != DB_OK)
        return TX_DBFAIL;
    if (admitted)
        return TX_COMMIT;
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "rule", "VENUE-ATTENDEE");
    req_error_x(r, E_FORBIDDEN, d, "%s",
                bidder     ? "your organization has no current bid for this opening's lots: an "
                             "opening admits the bidders of its lots"
                : tenderer ? "you are not a designated representative of the tenderer on this "
                             "session's committee"
                           : "you are not a confirmed member of this session's committee");
    return TX_REFUSE;
}

static enum tx_result
attend_tx(struct dbconn *c, struct req *r, void *arg)
{
    struct statement_in *in = arg;
    struct dbres b = {0}, a = {0};
    struct signing_key k = {0};
    int64_t now = clock_now_us(), id;
    cJSON *fields = statement_fields(in, false), *p = NULL;
    enum tx_result t = session(c, r, in->booking, &b);
    if (t != TX_COMMIT)
        goto out;
    t = TX_REFUSE;
    struct refusal f = venues_rule_attendee(dbres_str(&b, 0, BC_PURPOSE), in->role, in->mode,
                                            r->who.org_id == dbres_i64(&b, 0, BC_AGENT_ORG));
    if (f.code) {
        cJSON *d = cJSON_CreateObject();
        cJSON_AddStringToObject(d, "rule", f.code);
        req_error_x(r, f.conflict ? E_CONFLICT : E_FORBIDDEN, d, "%s", f.why);
        goto out;
    }
    if ((t = party_of(c, r, &b, in->role)) != TX_COMMIT)
        goto out;
    t = TX_REFUSE;
    f = venues_rule_attend_time(dbres_i64(&b, 0, BC_START), dbres_i64(&b, 0, BC_END), EARLY_US,
                                now);
    if (f.code) {
        req_refusal(r, &f);
        goto out;
    }
    if ((t = signed_statement(c, r, ATTEND_DOMAIN, fields, in, now, &k)) != TX_COMMIT)
        goto out;
    t = TX_DBFAIL;
    enum db_status st = store_attendance_insert(c, in, now, &id);
    if (st == DB_DUPLICATE) {
        req_rule_as(r, E_CONFLICT, "VENUE-SIGNED-IN", "you have signed in to this session already");
        t = TX_REFUSE;
        goto out;
    }
    if (st != DB_OK)
        goto out;
    p = cJSON_CreateObject();
    json_add_i64(p, "booking_id", in->booking);
    cJSON_AddStringToObject(p, "purpose", dbres_str(&b, 0, BC_PURPOSE));
    json_add_i64(p, "room_id", dbres_i64(&b, 0, BC_ROOM));
    cJSON_AddStringToObject(p, "mode", in->mode);
    st = log_statement(c, r, "venue.attendance", ATTEND_DOMAIN, &b, &k, fields, in->signature, p);
    p = NULL;
    if (st != DB_OK || store_attendance(c, in->booking, &a) != DB_OK)
        goto out;
    for (size_t i = 0; i < a.nrows; i++)
        if (dbres_i64(&a, i, AC_ID) == id)
            req_json(r, 201, attendance_json(&a, i));
    t = TX_COMMIT;
out:
    accounts_signing_key_free(&k);
    cJSON_Delete(fields);
    cJSON_Delete(p);
    dbres_free(&b);
    dbres_free(&a);
    return t;
}

void
attendance_create(struct req *r, const cJSON *body)
{
    struct statement_in in = {0};
    if (!req_param_id(r, "id", &in.booking))
        return;
    in.user = r->who.user_id;
    in.org = r->who.org_id;
    in.role = role_name(r->who.role);
    in.mode = json_str(body, "mode");
    in.key_id = json_str(body, "key_id");
    in.signed_us = json_i64(body, "signed_us", 0);
    in.signature = json_str(body, "signature");
    req_tx(r, attend_tx, &in);
}

void
attendance_list(struct req *r, const cJSON *body)
{
    (void)body;
    int64_t id;
    struct dbres b = {0}, a = {0};
    struct dbconn *c = req_db_for(r, "id", &id);
    if (!c)
        return;
    enum db_status st = store_booking(c, id, false, &b);
    if (st == DB_OK && b.nrows == 1)
        st = store_attendance(c, id, &a);
    bool staff = r->who.role & (ROLE_CENTER_ADMIN | ROLE_SUPERVISOR);
    /* an opening is public to its parties; who sat in an evaluation is known to staff only */
    if (st != DB_OK)
        req_db_fail(r, c, st);
    else if (b.nrows != 1 || (!staff && strcmp(dbres_str(&b, 0, BC_PURPOSE), "opening")))
        req_error(r, E_NOT_FOUND, "no booking %lld", (long long)id);
    else {
        cJSON *o = cJSON_CreateObject(), *items = cJSON_AddArrayToObject(o, "items");
        for (size_t i = 0; i < a.nrows; i++)
            cJSON_AddItemToArray(items, attendance_json(&a, i));
        req_json(r, 200, o);
    }
    dbres_free(&b);
    dbres_free(&a);
}

cJSON *
venues_opening_attendance(struct dbconn *c, int64_t project, int lot, enum db_status *st)
{
    struct dbres a = {0};
    cJSON *list = NULL;
    *st = store_attendance_of_lot(c, project, lot, &a);
    if (*st == DB_OK) {
        list = cJSON_CreateArray();
        for (size_t i = 0; i < a.nrows; i++)
            cJSON_AddItemToArray(list, attendance_json(&a, i));
    }
    dbres_free(&a);
    return list;
}

/* ---- the witness log ---- */

struct witness_ctx {
    struct statement_in in;
    char ids[400];
};

static enum tx_result
witness_tx(struct dbconn *c, struct req *r, void *arg)
{
    struct witness_ctx *x = arg;
    struct statement_in *in = &x->in;
    struct dbres b = {0}, recs = {0}, w = {0};
    struct signing_key k = {0};
    int64_t now = clock_now_us(), id;
    cJSON *fields = statement_fields(in, true), *p = NULL;
    enum tx_result t = session(c, r, in->booking, &b);
    if (t != TX_COMMIT)
        goto out;
    t = TX_REFUSE;
    if (now < dbres_i64(&b, 0, BC_START) - EARLY_US) {
        req_rule(r, "VENUE-ATTENDANCE-TIME", "the session has not begun: nothing is witnessed yet");
        goto out;
    }
    t = TX_DBFAIL;
    if (store_recordings_of_booking(c, in->booking, &recs) != DB_OK)
        goto out;
    t = TX_REFUSE;
    for (const cJSON *it = cJSON_GetObjectItemCaseSensitive(fields, "recordings")->child; it;
         it = it->next) {
        bool found = false;
        for (size_t i = 0; i < recs.nrows && !found; i++)
            found = dbres_i64(&recs, i, VC_ID) == (int64_t)it->valuedouble;
        if (!found) {
            req_rule(r, "VENUE-WITNESS-RECORDING", "recording %lld is not one of this session's",
                     (long long)it->valuedouble);
            goto out;
        }
    }
    if ((t = signed_statement(c, r, WITNESS_DOMAIN, fields, in, now, &k)) != TX_COMMIT)
        goto out;
    t = TX_DBFAIL;
    if (store_witness_insert(c, in, now, &id) != DB_OK)
        goto out;
    p = cJSON_CreateObject();
    json_add_i64(p, "booking_id", in->booking);
    json_add_i64(p, "entry_id", id);
    enum db_status st =
        log_statement(c, r, "venue.witness", WITNESS_DOMAIN, &b, &k, fields, in->signature, p);
    p = NULL;
    if (st != DB_OK || store_witness(c, in->booking, &w) != DB_OK)
        goto out;
    for (size_t i = 0; i < w.nrows; i++)
        if (dbres_i64(&w, i, XC_ID) == id)
            req_json(r, 201, witness_json(&w, i));
    t = TX_COMMIT;
out:
    accounts_signing_key_free(&k);
    cJSON_Delete(fields);
    cJSON_Delete(p);
    dbres_free(&b);
    dbres_free(&recs);
    dbres_free(&w);
    return t;
}

void
witness_create(struct req *r, const cJSON *body)
{
    struct witness_ctx x = {0};
    if (!req_param_id(r, "id", &x.in.booking))
        return;
    x.in.user = r->who.user_id;
    x.in.text = json_str(body, "text");
    x.in.key_id = json_str(body, "key_id");
    x.in.signed_us = json_i64(body, "signed_us", 0);
    x.in.signature = json_str(body, "signature");
    size_t n = 0;
    const cJSON *ids = cJSON_GetObjectItemCaseSensitive(body, "recordings");
    for (const cJSON *it = ids ? ids->child : NULL; it; it = it->next) {
        if (!cJSON_IsNumber(it) || it->valuedouble < 1 || it->valuedouble > 9007199254740991.0 ||
            it->valuedouble != (double)(int64_t)it->valuedouble || n > sizeof x.ids - 24) {
            req_field_error(r, E_INVALID_FIELD, "recordings",
                            "recordings is a list of recording ids");
            return;
        }
        n += (size_t)snprintf(x.ids + n, sizeof x.ids - n, "%s%lld", n ? "," : "",
                              (long long)it->valuedouble);
    }
    x.in.recordings = x.ids;
    req_tx(r, witness_tx, &x);
}

void
witness_list(struct req *r, const cJSON *body)
{
    (void)body;
    int64_t id;
    struct dbres w = {0};
    struct dbconn *c = req_db_for(r, "id", &id);
    if (!c)
        return;
    enum db_status st = store_witness(c, id, &w);
    if (st != DB_OK)
        req_db_fail(r, c, st);
    else {
        cJSON *o = cJSON_CreateObject(), *items = cJSON_AddArrayToObject(o, "items");
        for (size_t i = 0; i < w.nrows; i++)
            cJSON_AddItemToArray(items, witness_json(&w, i));
        req_json(r, 200, o);
    }
    dbres_free(&w);
}
