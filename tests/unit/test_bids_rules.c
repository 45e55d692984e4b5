/* Unit tests of the bids module's rules (modules/bids/rules.c): who may hold the shares of a
 * lot's opening key, and when the key may be made. */
#include "bids.h"
#include "check.h"

static char why[200];

static void
custodians_default_agent_supervisor_center_two_of_three_is_accepted(void)
{
    unsigned roles[] = {ROLE_AGENT, ROLE_SUPERVISOR, ROLE_CENTER_ADMIN};
    int64_t users[] = {10, 20, 30};
    CHECK(bids_custodians_problem(roles, users, 3, 2, why, sizeof why) == NULL);
}

static void
custodians_missing_a_side_or_holding_a_bidder_are_refused(void)
{
    unsigned no_sup[] = {ROLE_AGENT, ROLE_CENTER_ADMIN, ROLE_CENTER_ADMIN};
    unsigned bidder[] = {ROLE_AGENT, ROLE_SUPERVISOR, ROLE_BIDDER};
    int64_t users[] = {10, 20, 30};
    CHECK_STR(bids_custodians_problem(no_sup, users, 3, 2, why, sizeof why), "BID-CUSTODIANS");
    CHECK_STR(bids_custodians_problem(bidder, users, 3, 2, why, sizeof why), "BID-CUSTODIANS");
    CHECK(strstr(why, "bidder") != NULL);
}

static void
custodians_named_twice_are_refused(void)
{
    unsigned roles[] = {ROLE_AGENT, ROLE_SUPERVISOR, ROLE_CENTER_ADMIN, ROLE_SUPERVISOR};
    int64_t users[] = {10, 20, 30, 20};
    CHECK_STR(bids_custodians_problem(roles, users, 4, 3, why, sizeof why), "BID-CUSTODIANS");
}

static void
threshold_one_side_could_reach_alone_is_refused(void)
{
    unsigned roles[] = {ROLE_AGENT, ROLE_SUPERVISOR, ROLE_CENTER_ADMIN, ROLE_CENTER_ADMIN};
    int64_t users[] = {10, 20, 30, 40};
    CHECK_STR(bids_custodians_problem(roles, users, 4, 2, why, sizeof why), "BID-THRESHOLD");
    CHECK(bids_custodians_problem(roles, users, 4, 3, why, sizeof why) == NULL);
    CHECK_STR(bids_custodians_problem(roles, users, 4, 1, why, sizeof why), "BID-THRESHOLD");
    CHECK_STR(bids_custodians_problem(roles, users, 4, 5, why, sizeof why), "BID-THRESHOLD");
}

static void
opening_key_is_made_only_before_bidding_starts(void)
{
    CHECK(bids_key_state_ok("accepted"));
    CHECK(bids_key_state_ok("announced"));
    CHECK(!bids_key_state_ok("draft"));
    CHECK(!bids_key_state_ok("bidding"));
    CHECK(!bids_key_state_ok("opened"));
    CHECK(!bids_key_state_ok(NULL));
}

int
main(void)
{
    RUN(custodians_default_agent_supervisor_center_two_of_three_is_accepted);
    RUN(custodians_missing_a_side_or_holding_a_bidder_are_refused);
    RUN(custodians_named_twice_are_refused);
    RUN(threshold_one_side_could_reach_alone_is_refused);
    RUN(opening_key_is_made_only_before_bidding_starts);
    return CHECK_DONE();
}
