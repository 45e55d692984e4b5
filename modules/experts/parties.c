/*
 * parties.c — what the expert draw tells the venue stage about an evaluation's people, through
 * the provider hooks venues declares (it comes first): which experts a session admits to sign in
 * (the confirmed members of its live committee draw, not a replaced one, not any expert), and,
 * when the center relocates the session, the draw's place follows the booking and each invited
 * or confirmed member is told the new room. A member's message names the time and the place, as
 * the assignment does, never the project.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "internal.h"
#include "outbox/outbox.h"
#include "store.h"
#include "util.h"
#include "venues/venues.h"

/* venues_party_fn for experts: a confirmed member of the session's committee. */
static enum db_status
session_expert(struct dbconn *c, const struct venue_session *s, int64_t user, int64_t org,
               bool *admitted)
{
    (void)org;
    return store_session_member(c, s->booking_id, user, admitted);
}

/* venues_moved_fn: the draw's place is the booking's; its members hear of the new room where
 * their invitation reached them (the inbox, and the external channels at their phone). */
static enum db_status
session_moved(struct dbconn *c, const struct venue_session *was, const struct venue_session *now_at,
              const char *reason, int64_t now)
{
    struct dbres m = {0};
    enum db_status st;
    char from[24], to[24], body[4000];
    (void)reason; /* the room's fault is the center's business, not the member's */
    if (strcmp(was->purpose, "evaluation") && strcmp(was->purpose, "negotiation"))
        return DB_OK;
    if ((st = store_draws_place(c, was->booking_id, now_at->place, now)) != DB_OK ||
        (st = store_session_members(c, was->booking_id, &m)) != DB_OK)
        goto out;
    cal_format_minute(was->start_us, from);
    cal_format_minute(was->end_us, to);
    snprintf(
        body, sizeof body,
        "评标地点变更：%s 至 %s，地点由 %s 改为 %s，时间不变。Your evaluation session %s to %s "
        "(UTC+8) moves from %s to %s; the time is unchanged, and your assignment on the "
        "platform shows the new place.",
        from, to, was->place, now_at->place, from, to, was->place, now_at->place);
    for (size_t i = 0; st == DB_OK && i < m.nrows; i++) {
        int64_t id;
        struct outbox_msg msg = {.user = dbres_i64(&m, i, SM_USER),
                                 .kind = "draw.session.moved",
                                 .subject = "评标地点变更 The place of your session changed",
                                 .body = body,
                                 .ref_type = "booking",
                                 .ref_id = was->booking_id,
                                 .address = dbres_str(&m, i, SM_PHONE)};
        st = outbox_send(c, &msg, now, &id);
    }
out:
    dbres_free(&m);
    return st;
}

void
experts_parties_init(void)
{
    venues_set_party_check("expert", session_expert);
    venues_add_on_moved(session_moved);
}
