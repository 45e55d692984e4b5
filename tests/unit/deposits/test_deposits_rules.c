/* Unit tests of the deposits module's rules (modules/deposits/rules.c): the ledger's balance,
 * sub-account numbers and their check digit, how an arrival counts under each regime, the state at
 * the deadline, the refund's cause, its deadline (calendar days and working days from the
 * calendar) and the interest formula with its rounding. */
#include <string.h>

#include "calendar.h"
#include "check.h"
#include "deposits.h"

#define DAY (INT64_C(86400) * 1000000)
#define CST (INT64_C(8) * 3600 * 1000000)

static void
an_entry_balances_only_with_two_nonzero_postings_summing_to_zero(void)
{
    struct posting ok[2] = {{ACC_BANK, 0, 500}, {ACC_SUB, 3, -500}};
    struct posting off[2] = {{ACC_BANK, 0, 500}, {ACC_SUB, 3, -499}};
    struct posting one[1] = {{ACC_BANK, 0, 0}};
    struct posting zero[2] = {{ACC_BANK, 0, 0}, {ACC_SUB, 3, 0}};
    struct posting big[3] = {{ACC_BANK, 0, INT64_MAX}, {ACC_BANK, 0, INT64_MAX}, {ACC_SUB, 1, 2}};
    CHECK(deposits_rule_balanced(ok, 2));
    CHECK(!deposits_rule_balanced(off, 2));
    CHECK(!deposits_rule_balanced(one, 1));
    CHECK(!deposits_rule_balanced(zero, 2));
    CHECK(!deposits_rule_balanced(big, 3)); /* no wrap-around makes it balance */
    CHECK_STR(deposits_rule_account_name(ACC_REFUNDS_PAYABLE), "refunds_payable");
    CHECK(deposits_rule_account_from_name("interest_expense") == ACC_INTEREST_EXPENSE);
    CHECK(deposits_rule_account_from_name("cash") == -1);
}

static void
a_sub_account_number_carries_a_luhn_check_digit_that_catches_a_mistyped_digit(void)
{
    char n[40];
    CHECK(deposits_rule_subaccount_number("8801", 42, n, sizeof n));
    CHECK(strlen(n) == 15 && !strncmp(n, "88010000000042", 14));
    CHECK(deposits_rule_luhn_ok(n));
    CHECK(deposits_rule_luhn_ok("79927398713")); /* ISO/IEC 7812-1's example */
    CHECK(!deposits_rule_luhn_ok("79927398710"));
    n[5] = n[5] == '9' ? '8' : (char)(n[5] + 1);
    CHECK(!deposits_rule_luhn_ok(n));
    CHECK(!deposits_rule_subaccount_number("88a1", 1, n, sizeof n));
    CHECK(!deposits_rule_subaccount_number("8801", 0, n, sizeof n));
    CHECK(!deposits_rule_subaccount_number("8801", INT64_C(10000000000), n, sizeof n));
    CHECK(!deposits_rule_subaccount_number("8801", 1, n, 15)); /* no room for the check digit */
}

static const char *
arrival(enum category c, const char *payer, const char *instrument, int64_t value,
        const char *basic)
{
    struct arrival_in in = {true, c, value, 1000, payer, "某公司", instrument, basic};
    const char *r = deposits_rule_arrival(&in);
    return r ? r : "credited";
}

static void
an_arrival_counts_only_from_the_basic_account_by_the_deadline_and_never_in_cash_in_procurement(void)
{
    CHECK_STR(arrival(CAT_ENGINEERING, "6222001", "transfer", 1000, "6222001"), "credited");
    CHECK_STR(arrival(CAT_ENGINEERING, "6222001", "transfer", 1001, "6222001"), "late");
    CHECK_STR(arrival(CAT_ENGINEERING, "6222002", "transfer", 900, "6222001"), "not_basic_account");
    CHECK_STR(arrival(CAT_ENGINEERING, "6222001", "transfer", 900, NULL), "not_basic_account");
    CHECK_STR(arrival(CAT_ENGINEERING, "", "transfer", 900, "6222001"), "incomplete");
    CHECK_STR(arrival(CAT_ENGINEERING, "6222001", NULL, 900, "6222001"), "incomplete");
    /* procurement: no basic-account rule, but cash is not a deposit (政府采购法实施条例 第三十三条)
     */
    CHECK_STR(arrival(CAT_PROCUREMENT, "6222002", "cheque", 900, NULL), "credited");
    CHECK_STR(arrival(CAT_PROCUREMENT, "6222002", "cash", 900, NULL), "cash");
    struct arrival_in none = {.sub_found = false};
    CHECK_STR(deposits_rule_arrival(&none), "unknown_account");
}

static void
the_state_at_the_deadline_is_paid_partial_missing_or_none(void)
{
    CHECK_STR(deposits_rule_state(0, 0), "none");
    CHECK_STR(deposits_rule_state(1000, 1000), "paid");
    CHECK_STR(deposits_rule_state(1000, 1500), "paid");
    CHECK_STR(deposits_rule_state(1000, 999), "partial");
    CHECK_STR(deposits_rule_state(1000, 0), "missing");
}

static enum refund_cause
cause(enum category c, const char *state, bool any, bool current, int64_t withdrawn, int64_t award,
      int64_t winner, int64_t contract, int64_t *ev)
{
    struct cause_in in = {c,       state,     5000,  1000,   7,        any,
                          current, withdrawn, award, winner, contract, winner};
    return deposits_rule_cause(&in, ev);
}

static void
a_refund_is_caused_by_withdrawal_no_bid_award_contract_or_termination(void)
{
    int64_t ev;
    CHECK(cause(CAT_ENGINEERING, "bidding", true, false, 900, 0, 0, 0, &ev) == CAUSE_WITHDRAWAL &&
          ev == 900);
    /* withdrawn after the deadline (撤销): no refund here — forfeiture is for the supervisor */
    CHECK(cause(CAT_ENGINEERING, "opened", true, false, 1100, 0, 0, 0, &ev) == CAUSE_NONE);
    CHECK(cause(CAT_ENGINEERING, "opened", false, false, 0, 0, 0, 0, &ev) == CAUSE_NO_BID &&
          ev == 1000);
    /* tendering: nothing after the award alone; everyone after the contract (第五十七条) */
    CHECK(cause(CAT_ENGINEERING, "awarded", true, true, 0, 2000, 8, 0, &ev) == CAUSE_NONE);
    CHECK(cause(CAT_ENGINEERING, "awarded", true, true, 0, 2000, 7, 3000, &ev) == CAUSE_CONTRACT &&
          ev == 3000);
    /* procurement: a loser after the award notice, the winner after the contract */
    CHECK(cause(CAT_PROCUREMENT, "awarded", true, true, 0, 2000, 8, 0, &ev) == CAUSE_AWARD &&
          ev == 2000);
    CHECK(cause(CAT_PROCUREMENT, "awarded", true, true, 0, 2000, 7, 0, &ev) == CAUSE_NONE);
    CHECK(cause(CAT_PROCUREMENT, "awarded", true, true, 0, 2000, 7, 3000, &ev) == CAUSE_CONTRACT);
    CHECK(cause(CAT_ENGINEERING, "terminated", true, true, 0, 0, 0, 0, &ev) == CAUSE_TERMINATION &&
          ev == 5000);
    CHECK_STR(deposits_rule_cause_name(CAUSE_NO_BID), "no_bid");
}

static int64_t
cst(int y, int m, int d)
{
    return cal_day_from_ymd(y, m, d) * DAY - CST;
}

static void
a_refund_is_due_by_the_end_of_the_fifth_day_or_working_day_china_standard_time(void)
{
    /* tendering: five calendar days from a Monday, 2026-03-02 10:00 CST: the end of 03-07 */
    int64_t ev = cst(2026, 3, 2) + 10 * 3600 * INT64_C(1000000);
    bool prov;
    CHECK(deposits_rule_due(CAT_ENGINEERING, CAUSE_CONTRACT, ev, &prov) == cst(2026, 3, 8) - 1);
    /* procurement: five working days: Tue to Mon, the end of 2026-03-09 */
    CHECK(deposits_rule_due(CAT_PROCUREMENT, CAUSE_CONTRACT, ev, &prov) == cst(2026, 3, 10) - 1);
    CHECK(!prov);
    /* across the National Day holiday (2026-10-01 to 10-07): from 09-30, 5 working days later */
    int64_t due = deposits_rule_due(CAT_PROCUREMENT, CAUSE_AWARD, cst(2026, 9, 30), &prov);
    CHECK(due > cst(2026, 10, 9));
    /* the tendering law has no award-notice refund */
    CHECK(deposits_rule_due(CAT_ENGINEERING, CAUSE_AWARD, ev, &prov) == -1);
    CHECK(deposits_rule_interest_applies(CAT_ENGINEERING, CAUSE_CONTRACT));
    CHECK(!deposits_rule_interest_applies(CAT_PROCUREMENT, CAUSE_CONTRACT));
    CHECK(!deposits_rule_interest_applies(CAT_ENGINEERING, CAUSE_WITHDRAWAL));
    CHECK(deposits_rule_interest_applies(CAT_PROCUREMENT, CAUSE_TERMINATION));
}

static void
a_refund_due_in_a_provisional_year_takes_the_shorter_reading_and_says_so(void)
{
    /* procurement, the award notice on Mon 2026-12-28: five working days into 2027, whose
     * arrangement is not published. New Year 2027 is a Friday; the weekend after it may be
     * worked and Mon 4 may be a bridge day — a refund, the platform's obligation, counts them as
     * working days: Tue 29, Wed 30, Thu 31, Sat 2, Sun 3 — due by the end of Sun 2027-01-03. */
    bool prov = false;
    CHECK(deposits_rule_due(CAT_PROCUREMENT, CAUSE_AWARD, cst(2026, 12, 28), &prov) ==
          cst(2027, 1, 4) - 1);
    CHECK(prov);
    /* and beyond every year the calendar knows: no due time, never a guess */
    CHECK(deposits_rule_due(CAT_PROCUREMENT, CAUSE_AWARD, cst(2040, 12, 28), &prov) == INT64_MIN);
}

static void
held_money_goes_back_by_the_end_of_the_nth_working_day(void)
{
    /* from Monday 2026-03-02 10:00: five working days, the end of Monday 03-09 */
    int64_t ev = cst(2026, 3, 2) + 10 * 3600 * INT64_C(1000000);
    bool prov;
    CHECK(deposits_rule_return_due(ev, 5, &prov) == cst(2026, 3, 10) - 1);
    CHECK(deposits_rule_return_due(ev, 1, &prov) == cst(2026, 3, 4) - 1);
    /* from the eve of the National Day holiday (2026-10-01 to 10-07): past the holiday */
    CHECK(deposits_rule_return_due(cst(2026, 9, 30), 1, &prov) >= cst(2026, 10, 9) - 1);
    /* beyond the calendar's years */
    CHECK(deposits_rule_return_due(cst(2099, 1, 5), 5, &prov) == INT64_MIN);
}

static void
interest_is_simple_over_a_360_day_year_by_the_rate_of_each_day_rounded_half_up_once(void)
{
    struct rate_row r[8];
    size_t n;
    char err[200];
    const char *table = "# comment\n2024-01-01\t3500\t43500\n2024-07-01 1500 33500\n";
    CHECK(deposits_rule_rates_parse(table, r, 8, &n, err, sizeof err) && n == 2);
    int64_t a = cal_day_from_ymd(2024, 6, 1), b = cal_day_from_ymd(2024, 8, 1);
    /* 1 000 000 fen: 30 days at 0.35 % and 31 days at 0.15 %:
     * (1e6 × 3500 × 30 + 1e6 × 1500 × 31) / 360e6 = 420.8333… → 421 */
    CHECK(deposits_rule_interest(r, n, 1000000, a, b, false, 1000) == 421);
    /* the lending rate plus 20 %: 1e6 × 33500 × 1.2 × 10 / 360e6 = 1116.666… → 1117 */
    int64_t c = cal_day_from_ymd(2024, 7, 10);
    CHECK(deposits_rule_interest(r, n, 1000000, c, c + 10, true, 1200) == 1117);
    /* half up: 36 fen for a day at 0.35 %: 36 × 3500 / 360e6 = 0.00035 → 0 */
    CHECK(deposits_rule_interest(r, n, 36, a, a + 1, false, 1000) == 0);
    /* before the table: not computed */
    CHECK(deposits_rule_interest(r, n, 1000, a - 200, a, false, 1000) == -1);
    CHECK(deposits_rule_interest(r, n, 1000, b, b, false, 1000) == 0);
    CHECK(
        !deposits_rule_rates_parse("2024-07-01 1 1\n2024-01-01 1 1\n", r, 8, &n, err, sizeof err));
    CHECK(!deposits_rule_rates_parse("2024-07-01 0.35 4\n", r, 8, &n, err, sizeof err));
    CHECK(!deposits_rule_rates_parse("# nothing\n", r, 8, &n, err, sizeof err));
}

static void
held_money_goes_back_only_as_the_log_holds_it_and_waits_for_a_checkpoint_not_yet_signed(void)
{
    struct held_rows rows = {100000, "6222000011112222", "某公司", false, 50};
    struct held_log log = {true, 100000, "6222000011112222", "某公司", HELD_HELD, "", 100};
    CHECK(deposits_rule_held_agrees(&rows, &log).code == NULL);
    /* an edited row: another amount, another payer */
    rows.amount = 200000;
    CHECK_STR(deposits_rule_held_agrees(&rows, &log).code, "DEP-LEDGER-ALTERED");
    rows.amount = 100000;
    rows.payer = "6222000099998888";
    CHECK_STR(deposits_rule_held_agrees(&rows, &log).code, "DEP-LEDGER-ALTERED");
    rows.payer = "6222000011112222";
    /* both say a return is under way: a conflict, not an alteration */
    log.state = HELD_RETURNING;
    rows.returning = true;
    struct refusal f = deposits_rule_held_agrees(&rows, &log);
    CHECK_STR(f.code, "DEP-RETURN-STATE");
    CHECK(f.conflict);
    /* the log holds nothing of it: booked after the last signed checkpoint, retry; before, a
     * row the log never saw */
    log = (struct held_log){false, 0, "", "", HELD_NONE, "", 100};
    rows.returning = false;
    rows.received_us = 150;
    f = deposits_rule_held_agrees(&rows, &log);
    CHECK_STR(f.code, "DEP-EVIDENCE-PENDING");
    CHECK(f.conflict);
    rows.received_us = 50;
    CHECK_STR(deposits_rule_held_agrees(&rows, &log).code, "DEP-LEDGER-ALTERED");
    /* evidence whose bank signature fails */
    log = (struct held_log){true, 100000, "6222000011112222", "某公司", HELD_HELD, "forged", 100};
    CHECK_STR(deposits_rule_held_agrees(&rows, &log).code, "DEP-LEDGER-ALTERED");
}

int
main(void)
{
    char err[300];
    if (!calendar_load(CALENDAR_DIR, err, sizeof err)) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    RUN(an_entry_balances_only_with_two_nonzero_postings_summing_to_zero);
    RUN(a_sub_account_number_carries_a_luhn_check_digit_that_catches_a_mistyped_digit);
    RUN(an_arrival_counts_only_from_the_basic_account_by_the_deadline_and_never_in_cash_in_procurement);
    RUN(the_state_at_the_deadline_is_paid_partial_missing_or_none);
    RUN(a_refund_is_caused_by_withdrawal_no_bid_award_contract_or_termination);
    RUN(a_refund_is_due_by_the_end_of_the_fifth_day_or_working_day_china_standard_time);
    RUN(a_refund_due_in_a_provisional_year_takes_the_shorter_reading_and_says_so);
    RUN(held_money_goes_back_by_the_end_of_the_nth_working_day);
    RUN(interest_is_simple_over_a_360_day_year_by_the_rate_of_each_day_rounded_half_up_once);
    RUN(held_money_goes_back_only_as_the_log_holds_it_and_waits_for_a_checkpoint_not_yet_signed);
    return CHECK_DONE();
}
