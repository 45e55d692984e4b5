/*
 * parties.c — what the bids stage tells the venue stage about an opening's people, through the
 * provider hooks venues declares (it comes first, so it cannot ask bids itself): which bidders an
 * opening admits to sign in (organizations with a current bid for one of its lots), and who is
 * told when the center relocates an opening to another room (the users of those organizations;
 * each bidder is told of its own session only, never who else bid).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accounts/accounts.h"
#include "calendar.h"
#include "internal.h"
#include "outbox/outbox.h"
#include "store.h"
#include "util.h"
#include "venues/venues.h"

/* venues_party_fn for bidders: the caller's organization has a current bid for one of the
 * opening's lots. */
static enum db_status
opening_bidder(struct dbconn *c, const struct venue_session *s, int64_t user, int64_t org,
               bool *admitted)
{
    (void)user;
    *admitted = false;
    if (strcmp(s->purpose, "opening"))
        return DB_OK;
    return store_org_bids_in(c, s->project_id, s->lots, org, admitted);
}

/* venues_moved_fn: tell the bidders of a relocated opening where it now takes place. */
static enum db_status
opening_moved(struct dbconn *c, const struct venue_session *was, const struct venue_session *now_at,
              const char *reason, int64_t now)
{
    enum db_status st;
    char *orgs = NULL, *ids = NULL, from[40], subject[200], body[2400];
    if (strcmp(was->purpose, "opening"))
        return DB_OK;
    if (!(orgs = store_session_bidders(c, was->project_id, was->lots, &st)))
        return st;
    if (!(ids = accounts_members_of(c, orgs, &st)))
        goto out;
    cal_format_minute(was->start_us, from);
    snprintf(subject, sizeof subject, "开标地点变更：项目 %lld", (long long)was->project_id);
    snprintf(
        body, sizeof body,
        "The opening of project %lld (lots %s) at %s (UTC+8) moves from %s to %s: %s. The time is "
        "unchanged; the change notice (变更公告) will be published on the platform.",
        (long long)was->project_id, was->lots, from, was->place, now_at->place, reason);
    struct outbox_msg m = {.kind = "venue.opening.moved",
                           .subject = subject,
                           .body = body,
                           .ref_type = "project",
                           .ref_id = was->project_id};
    st = outbox_send_each(c, ids, &m, now);
out:
    free(orgs);
    free(ids);
    return st;
}

void
bids_parties_init(void)
{
    venues_set_party_check("bidder", opening_bidder);
    venues_add_on_moved(opening_moved);
}
