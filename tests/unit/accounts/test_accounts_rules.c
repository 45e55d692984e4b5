/* Unit tests of the accounts module's rules (pure functions, no database). */
#include "accounts.h"
#include "check.h"

static void
credit_codes_with_a_correct_check_character_pass(void)
{
    CHECK(accounts_rule_credit_code_ok("91350100M000100Y43")); /* published example */
    char code[19] = "91110000MA0000000";
    code[17] = accounts_rule_credit_code_check(code);
    code[18] = '\0';
    CHECK(accounts_rule_credit_code_ok(code));
    code[17] = code[17] == '0' ? '1' : '0';
    CHECK(!accounts_rule_credit_code_ok(code));
}

static void
credit_codes_with_bad_length_or_letters_fail(void)
{
    CHECK(!accounts_rule_credit_code_ok("91350100M000100Y4"));
    CHECK(!accounts_rule_credit_code_ok("91350100M000100Y433"));
    CHECK(!accounts_rule_credit_code_ok("91350100I000100Y43")); /* I is not in the alphabet */
    CHECK(!accounts_rule_credit_code_ok("91350100m000100Y43")); /* lower case */
    CHECK(!accounts_rule_credit_code_ok(NULL));
}

static void
region_codes_are_six_digits_not_starting_with_zero(void)
{
    CHECK(accounts_rule_region_ok("110000"));
    CHECK(accounts_rule_region_ok("440305"));
    CHECK(!accounts_rule_region_ok("010000"));
    CHECK(!accounts_rule_region_ok("11000"));
    CHECK(!accounts_rule_region_ok("1100000"));
    CHECK(!accounts_rule_region_ok("11000a"));
}

static void
usernames_are_lowercase_and_start_with_a_letter(void)
{
    CHECK(accounts_rule_username_ok("abc"));
    CHECK(accounts_rule_username_ok("zhang.san-01_x"));
    CHECK(!accounts_rule_username_ok("ab"));
    CHECK(!accounts_rule_username_ok("1abc"));
    CHECK(!accounts_rule_username_ok("Abc"));
    CHECK(!accounts_rule_username_ok("a bc"));
    CHECK(!accounts_rule_username_ok("张三"));
}

static void
passwords_need_ten_characters_and_differ_from_the_username(void)
{
    CHECK(accounts_rule_password("123456789", "u").code != NULL);
    CHECK(accounts_rule_password("1234567890", "u").code == NULL);
    CHECK(accounts_rule_password("zhangsan01", "zhangsan01").code != NULL);
}

static void
roles_fit_only_their_organization_types(void)
{
    CHECK(accounts_rule_role_fits_org(ROLE_CENTER_ADMIN, "center"));
    CHECK(!accounts_rule_role_fits_org(ROLE_CENTER_ADMIN, "bidder"));
    CHECK(accounts_rule_role_fits_org(ROLE_AGENT, "agency"));
    CHECK(accounts_rule_role_fits_org(ROLE_AGENT, "tenderer"));
    CHECK(!accounts_rule_role_fits_org(ROLE_AGENT, "bidder"));
    CHECK(accounts_rule_role_fits_org(ROLE_BIDDER, "bidder"));
    CHECK(!accounts_rule_role_fits_org(ROLE_BIDDER, "supervision"));
    CHECK(accounts_rule_role_fits_org(ROLE_SUPERVISOR, "supervision"));
    CHECK(!accounts_rule_role_fits_org(ROLE_SUPERVISOR, "center"));
    CHECK(accounts_rule_role_fits_org(ROLE_EXPERT, "bidder"));
    CHECK(accounts_rule_role_fits_org(ROLE_EXPERT, "center"));
    CHECK(!accounts_rule_role_fits_org(ROLE_EXPERT, "nonsense"));
}

static void
throttle_waits_only_at_the_limit_inside_the_window(void)
{
    long long w = 900LL * 1000000;
    CHECK(accounts_rule_throttle_wait(4, 0, 1000000, w, 5) == 0);
    CHECK(accounts_rule_throttle_wait(5, 0, 1000000, w, 5) == 899);
    CHECK(accounts_rule_throttle_wait(5, 0, w - 1, w, 5) == 1);
    CHECK(accounts_rule_throttle_wait(5, 0, w, w, 5) == 0); /* the window is over */
}

int
main(void)
{
    RUN(credit_codes_with_a_correct_check_character_pass);
    RUN(credit_codes_with_bad_length_or_letters_fail);
    RUN(region_codes_are_six_digits_not_starting_with_zero);
    RUN(usernames_are_lowercase_and_start_with_a_letter);
    RUN(passwords_need_ten_characters_and_differ_from_the_username);
    RUN(roles_fit_only_their_organization_types);
    RUN(throttle_waits_only_at_the_limit_inside_the_window);
    return CHECK_DONE();
}
