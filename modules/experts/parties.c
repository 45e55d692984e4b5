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

/* venues_moved_fn: the draw's place is the booking's; its members hear of the new room. */
static enum db_status
session_moved(struct dbconn *c, const struct venue_session *was, const struct venue_session *now_at,
              const char *reason, int64_t now)
{
    enum db_status st;
    char from[40], to[40], subject[200], body[2400];
    (void)reason; /* the room's fault is the center's business, not the member's */
    if (strcmp(was->purpose, "evaluation") && strcmp(was->purpose, "negotiation"))
        return DB_OK;
    if ((st = store_draws_place(c, was->booking_id, now_at->place, now)) != DB_OK)
        return st;
    char *ids = store_session_members(c, was->booking_id, &st);
    if (!ids)
        return st;
    clock_format(was->start_us, from, sizeof from);
    clock_format(was->end_us, to, sizeof to);
    snprintf(subject, sizeof subject, "评标地点变更");
    snprintf(body, sizeof body,
             "Your evaluation session from %s to %s (UTC) moves from %s to %s. The time is "
             "unchanged; your assignment on the platform shows the new place.",
             from, to, was->place, now_at->place);
    struct outbox_msg m = {.kind = "draw.session.moved",
                           .subject = subject,
                           .body = body,
                           .ref_type = "booking",
                           .ref_id = was->booking_id};
    st = outbox_send_each(c, ids, &m, now);
    free(ids);
    return st;
}

void
experts_parties_init(void)
{
    venues_set_party_check("expert", session_expert);
    venues_add_on_moved(session_moved);
}
