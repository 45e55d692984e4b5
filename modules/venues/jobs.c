/*
 * jobs.c — the venues module's background work: the recording monitor
 * (venues.recordings-check, as system:venue-monitor). Once an approved booking has ended and
 * venues.recording_grace_minutes have passed (time for the recorder to register its files), the
 * monitor looks at its recordings: where they do not cover the booking's span it raises a
 * warning (table venue_warnings, audit action venue.recording.missing in the project's timeline)
 * that supervisors and staff see, and that the supervision capability will pick up. Each
 * booking is one transaction with its entry; a booking is looked at once.
 */
#include <stdio.h>
#include <string.h>

#include "audit.h"
#include "canon.h"
#include "internal.h"
#include "util.h"

#define BATCH 100

struct check_ctx {
    const struct dbres *b;
    size_t i;
    const struct actor *a;
    int64_t now;
};

static enum tx_result
check_tx(struct dbconn *c, void *arg)
{
    struct check_ctx *x = arg;
    const struct dbres *b = x->b;
    size_t i = x->i;
    struct dbres s = {0};
    enum tx_result t = TX_DBFAIL;
    int64_t id = dbres_i64(b, i, BC_ID), start = dbres_i64(b, i, BC_START),
            end = dbres_i64(b, i, BC_END), wid;
    if (store_recordings_of_booking(c, id, &s) != DB_OK ||
        store_booking_checked(c, id, x->now) != DB_OK)
        goto out;
    if (!recordings_cover(&s, start, end)) {
        char detail[300], a[40], e[40];
        clock_format(start, a, sizeof a);
        clock_format(end, e, sizeof e);
        snprintf(detail, sizeof detail,
                 "the %s booking %lld (%s to %s) has %zu recording(s) that do not cover it",
                 dbres_str(b, i, BC_PURPOSE), (long long)id, a, e, s.nrows);
        cJSON *p = cJSON_CreateObject();
        json_add_i64(p, "booking_id", id);
        json_add_i64(p, "room_id", dbres_i64(b, i, BC_ROOM));
        cJSON_AddStringToObject(p, "purpose", dbres_str(b, i, BC_PURPOSE));
        json_add_i64(p, "start_us", start);
        json_add_i64(p, "end_us", end);
        json_add_i64(p, "recordings", (int64_t)s.nrows);
        if (store_warning_insert(c, id, dbres_i64(b, i, BC_PROJECT), "recording_missing", detail,
                                 x->now, &wid) != DB_OK) {
            cJSON_Delete(p);
            goto out;
        }
        if (audit_append(c, x->a, "venue.recording.missing", "booking", id,
                         dbres_i64(b, i, BC_PROJECT), p, NULL) != DB_OK)
            goto out;
        log_warn("venues_job_recordings: %s", detail);
    }
    t = TX_COMMIT;
out:
    dbres_free(&s);
    return t;
}

bool
venues_job_recordings(struct dbconn *c, const struct actor *a, int64_t now_us)
{
    struct dbres b = {0};
    int64_t before = now_us - venues_conf.recording_grace_minutes * VENUES_MINUTE_US, after = 0;
    bool ok = true;
    do {
        dbres_free(&b);
        if (store_bookings_ended_unwarned(c, before, after, BATCH, &b) != DB_OK) {
            ok = false;
            break;
        }
        for (size_t i = 0; i < b.nrows && ok; i++) {
            struct check_ctx x = {&b, i, a, now_us};
            ok = db_tx(c, check_tx, &x) == DB_OK;
            after = dbres_i64(&b, i, BC_ID);
        }
    } while (ok && b.nrows == BATCH);
    dbres_free(&b);
    return ok;
}

static cJSON *
warning_row(void *ctx, const struct dbres *s, size_t i)
{
    (void)ctx;
    return warning_json(s, i);
}

void
warning_list(struct req *r, const cJSON *body)
{
    (void)body;
    venues_page(r, store_warnings, WC_ID, warning_row);
}
