/* Unit tests of the bids module's rules (modules/bids/rules.c): who may hold the shares of a
 * lot's opening key, when the key may be made, what an envelope must bind, revisions, the
 * deadline, the minimum number of bids, and how a failed envelope counts in law. */
#include <cjson/cJSON.h>

#include "bids.h"
#include "check.h"
#include "timelock.h"

static char why[200];

/* agent (side 1), supervision (2), center (3), bidder (0): sides and organizations as the
 * custodians' certificates say (cert.h) */
#define H(user, side, org)                                                                         \
    {                                                                                              \
        user, side, org                                                                            \
    }
#define AGENT  1
#define SUP    2
#define CENTER 3

static void
custodians_default_agent_supervisor_center_two_of_three_is_accepted(void)
{
    struct tl_holder h[] = {H(10, AGENT, "AAA"), H(20, SUP, "SSS"), H(30, CENTER, "CCC")};
    CHECK(tl_custodians_problem(h, 3, 2, why, sizeof why) == NULL);
}

static void
custodians_missing_a_side_or_holding_a_bidder_are_refused(void)
{
    struct tl_holder no_sup[] = {H(10, AGENT, "AAA"), H(20, CENTER, "CCC"), H(30, CENTER, "CCC")};
    struct tl_holder bidder[] = {H(10, AGENT, "AAA"), H(20, SUP, "SSS"), H(30, 0, "BBB")};
    CHECK_STR(tl_custodians_problem(no_sup, 3, 2, why, sizeof why), "BID-CUSTODIANS");
    CHECK_STR(tl_custodians_problem(bidder, 3, 2, why, sizeof why), "BID-CUSTODIANS");
    CHECK(strstr(why, "bidder") != NULL);
}

static void
custodians_named_twice_are_refused(void)
{
    struct tl_holder h[] = {H(10, AGENT, "AAA"), H(20, SUP, "SSS"), H(30, CENTER, "CCC"),
                            H(20, SUP, "SSS")};
    CHECK_STR(tl_custodians_problem(h, 4, 3, why, sizeof why), "BID-CUSTODIANS");
}

static void
threshold_one_side_could_reach_alone_is_refused(void)
{
    struct tl_holder h[] = {H(10, AGENT, "AAA"), H(20, SUP, "SSS"), H(30, CENTER, "CCC"),
                            H(40, CENTER, "CCC")};
    CHECK_STR(tl_custodians_problem(h, 4, 2, why, sizeof why), "BID-THRESHOLD");
    CHECK(tl_custodians_problem(h, 4, 3, why, sizeof why) == NULL);
    CHECK_STR(tl_custodians_problem(h, 4, 1, why, sizeof why), "BID-THRESHOLD");
    CHECK_STR(tl_custodians_problem(h, 4, 5, why, sizeof why), "BID-THRESHOLD");
}

static void
one_organization_certified_for_two_sides_cannot_hold_the_threshold(void)
{
    /* the attack: the center made a "supervision body" whose supervisor it controls.
     * Certificates name organizations: the same credit code under two sides is one party. */
    struct tl_holder h[] = {H(10, AGENT, "AAA"), H(20, SUP, "CCC"), H(30, CENTER, "CCC")};
    CHECK_STR(tl_custodians_problem(h, 3, 2, why, sizeof why), "BID-THRESHOLD");
    CHECK(strstr(why, "one organization") != NULL);
    CHECK(tl_custodians_problem(h, 3, 3, why, sizeof why) == NULL); /* all three needed: fine */
}

static void
opening_key_is_made_only_before_bidding_starts(void)
{
    CHECK(bids_rule_key_state_ok("accepted"));
    CHECK(!bids_rule_key_state_ok("draft"));
    CHECK(!bids_rule_key_state_ok("bidding"));
    CHECK(!bids_rule_key_state_ok("opened"));
    CHECK(!bids_rule_key_state_ok(NULL));
}

static cJSON *
header(void)
{
    return cJSON_Parse("{\"bid_deadline_us\":1795312345678901,\"bidder_org_id\":42,\"lot\":1,"
                       "\"opening_key_id\":\"ab\",\"platform\":\"ggzy.test\","
                       "\"project_code\":\"110000-2026-GC-00001\",\"revision\":1}");
}

static const struct bid_expect expect = {"ggzy.test", "110000-2026-GC-00001", "ab", 1,
                                         42,          1795312345678901};

static void
binding_that_matches_the_lot_is_accepted(void)
{
    cJSON *h = header();
    CHECK(bids_rule_binding(&expect, h).code == NULL);
    cJSON_Delete(h);
}

static void
binding_to_another_project_lot_bidder_or_round_is_refused_with_its_own_rule(void)
{
    static const struct {
        const char *field, *json, *rule;
    } cases[] = {
        {"platform", "\"ggzy.other\"", "BID-BOUND-PROJECT"},
        {"project_code", "\"110000-2026-GC-00002\"", "BID-BOUND-PROJECT"},
        {"lot", "2", "BID-BOUND-LOT"},
        {"lot", "\"1\"", "BID-BOUND-LOT"},
        {"bidder_org_id", "43", "BID-BOUND-BIDDER"},
        {"opening_key_id", "\"cd\"", "BID-BOUND-ROUND"},
        {"bid_deadline_us", "1795312345678900", "BID-BOUND-ROUND"},
        {"revision", "0", "BID-REVISION"},
        {"revision", "1.5", "BID-REVISION"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cJSON *h = header();
        cJSON_ReplaceItemInObject(h, cases[i].field, cJSON_Parse(cases[i].json));
        CHECK_STR(bids_rule_binding(&expect, h).code, cases[i].rule);
        cJSON_Delete(h);
    }
    cJSON *h = header();
    cJSON_DeleteItemFromObject(h, "bidder_org_id");
    CHECK_STR(bids_rule_binding(&expect, h).code, "BID-BOUND-BIDDER");
    cJSON_Delete(h);
}

static void
deadline_microsecond_is_in_time_and_the_next_is_late(void)
{
    CHECK(bids_rule_in_time(1000, 1000));
    CHECK(!bids_rule_in_time(1001, 1000));
}

static void
revisions_run_one_by_one(void)
{
    CHECK(bids_rule_revision_ok(1, 0));
    CHECK(bids_rule_revision_ok(3, 2));
    CHECK(!bids_rule_revision_ok(2, 2)); /* a replayed revision */
    CHECK(!bids_rule_revision_ok(4, 2)); /* a skipped one */
    CHECK(!bids_rule_revision_ok(1, 2)); /* an old one */
}

static void
three_bids_open_a_tender_and_two_do_not(void)
{
    CHECK(bids_rule_enough(CAT_ENGINEERING, 3));
    CHECK(!bids_rule_enough(CAT_ENGINEERING, 2));
    CHECK(!bids_rule_enough(CAT_PROCUREMENT, 2));
    CHECK(bids_rule_enough(CAT_LAND_MINERAL, 1)); /* auctions: the rule does not apply */
    CHECK(!bids_rule_enough(CAT_LAND_MINERAL, 0));
}

static void
failures_of_the_bidders_envelope_are_revocations_and_the_platforms_withdrawals(void)
{
    CHECK(bids_rule_failure_class(OPEN_OK) == NULL);
    CHECK_STR(bids_rule_failure_class(OPEN_STORE), "withdrawal");
    CHECK_STR(bids_rule_failure_class(OPEN_FORMAT), "revocation");
    CHECK_STR(bids_rule_failure_class(OPEN_KEY), "revocation");
    CHECK_STR(bids_rule_failure_class(OPEN_CIPHER), "revocation");
    CHECK_STR(bids_rule_failure_class(OPEN_CONTAINER), "revocation");
}

static void
an_opening_runs_only_for_a_project_in_its_bidding_states(void)
{
    CHECK(!bids_rule_opening_state_ok("accepted"));
    CHECK(bids_rule_opening_state_ok("bidding"));
    CHECK(bids_rule_opening_state_ok("opened"));
    CHECK(!bids_rule_opening_state_ok("suspended"));
    CHECK(!bids_rule_opening_state_ok("failed"));
    CHECK(!bids_rule_opening_state_ok("terminated"));
    CHECK(!bids_rule_opening_state_ok(NULL));
}

static void
who_sees_a_bid_before_and_after_the_opening(void)
{
    /* its own organization, always */
    CHECK(bids_rule_visibility(ROLE_BIDDER, true, false, NULL, true) == SEE_OK);
    /* another bidder or an expert: not even its existence */
    CHECK(bids_rule_visibility(ROLE_BIDDER, false, false, "opened", false) == SEE_HIDDEN);
    CHECK(bids_rule_visibility(ROLE_EXPERT, false, true, "opened", false) == SEE_HIDDEN);
    /* the agent learns of bids only at the opening, and gets envelopes once it is opened */
    CHECK(bids_rule_visibility(ROLE_AGENT, false, true, NULL, false) == SEE_HIDDEN);
    CHECK(bids_rule_visibility(ROLE_AGENT, false, true, NULL, true) == SEE_HIDDEN);
    CHECK(bids_rule_visibility(ROLE_AGENT, false, true, "awaiting_shares", false) == SEE_OK);
    CHECK(bids_rule_visibility(ROLE_AGENT, false, true, "awaiting_shares", true) == SEE_FORBIDDEN);
    CHECK(bids_rule_visibility(ROLE_AGENT, false, true, "opened", true) == SEE_OK);
    CHECK(bids_rule_visibility(ROLE_AGENT, false, false, "opened", true) == SEE_HIDDEN);
    /* oversight: receipts at any time, envelopes once opened */
    CHECK(bids_rule_visibility(ROLE_SUPERVISOR, false, true, NULL, false) == SEE_OK);
    CHECK(bids_rule_visibility(ROLE_CENTER_ADMIN, false, true, NULL, true) == SEE_FORBIDDEN);
    CHECK(bids_rule_visibility(ROLE_CENTER_ADMIN, false, true, "opened", true) == SEE_OK);
}

int
main(void)
{
    RUN(custodians_default_agent_supervisor_center_two_of_three_is_accepted);
    RUN(custodians_missing_a_side_or_holding_a_bidder_are_refused);
    RUN(custodians_named_twice_are_refused);
    RUN(threshold_one_side_could_reach_alone_is_refused);
    RUN(one_organization_certified_for_two_sides_cannot_hold_the_threshold);
    RUN(opening_key_is_made_only_before_bidding_starts);
    RUN(binding_that_matches_the_lot_is_accepted);
    RUN(binding_to_another_project_lot_bidder_or_round_is_refused_with_its_own_rule);
    RUN(deadline_microsecond_is_in_time_and_the_next_is_late);
    RUN(revisions_run_one_by_one);
    RUN(three_bids_open_a_tender_and_two_do_not);
    RUN(failures_of_the_bidders_envelope_are_revocations_and_the_platforms_withdrawals);
    RUN(who_sees_a_bid_before_and_after_the_opening);
    RUN(an_opening_runs_only_for_a_project_in_its_bidding_states);
    return CHECK_DONE();
}
