/*
 * rules.c — the accounts module's rules as pure functions (see accounts.h). No I/O here, so
 * tests/unit/accounts/test_accounts_rules.c checks each at its boundaries.
 */
#include <string.h>

#include "accounts.h"

const char *const org_types[] = {"bidder", "agency", "tenderer", "center", "supervision", NULL};

static const char cc_alphabet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY"; /* 31 characters */

char
accounts_rule_credit_code_check(const char *first17)
{
    static const int weights[17] = {1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28};
    int sum = 0;
    for (int i = 0; i < 17; i++) {
        const char *p = first17[i] ? strchr(cc_alphabet, first17[i]) : NULL;
        if (!p)
            return 0;
        sum += (int)(p - cc_alphabet) * weights[i];
    }
    return cc_alphabet[(31 - sum % 31) % 31];
}

bool
accounts_rule_credit_code_ok(const char *code)
{
    if (!code || strlen(code) != 18)
        return false;
    char want = accounts_rule_credit_code_check(code);
    return want != 0 && code[17] == want;
}

bool
accounts_rule_region_ok(const char *region)
{
    if (!region || strlen(region) != 6 || region[0] < '1' || region[0] > '9')
        return false;
    for (int i = 1; i < 6; i++)
        if (region[i] < '0' || region[i] > '9')
            return false;
    return true;
}

bool
accounts_rule_username_ok(const char *u)
{
    size_t n = u ? strlen(u) : 0;
    if (n < 3 || n > 64 || u[0] < 'a' || u[0] > 'z')
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = u[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
            return false;
    }
    return true;
}

struct refusal
accounts_rule_password(const char *pw, const char *username)
{
    struct refusal f = {0};
    size_t n = pw ? strlen(pw) : 0;
    if (n < 10)
        return *refuse(&f, "ACC-PASSWORD", "the password must be at least 10 characters long");
    if (n > 512)
        return *refuse(&f, "ACC-PASSWORD", "the password is too long");
    if (username && !strcmp(pw, username))
        return *refuse(&f, "ACC-PASSWORD", "the password must not be the username");
    return f;
}

bool
accounts_rule_role_fits_org(unsigned role, const char *t)
{
    if (!t)
        return false;
    switch (role) {
    case ROLE_CENTER_ADMIN:
        return !strcmp(t, "center");
    case ROLE_AGENT:
        return !strcmp(t, "agency") || !strcmp(t, "tenderer");
    case ROLE_BIDDER:
        return !strcmp(t, "bidder");
    case ROLE_SUPERVISOR:
        return !strcmp(t, "supervision");
    case ROLE_TENDERER:
        return !strcmp(t, "tenderer");
    case ROLE_EXPERT:
        for (const char *const *o = org_types; *o; o++)
            if (!strcmp(*o, t))
                return true;
        return false;
    default:
        return false;
    }
}

long
accounts_rule_throttle_wait(long failures, long long window_start_us, long long now_us,
                            long long window_us, long limit)
{
    long long ends = window_start_us + window_us;
    if (failures < limit || now_us >= ends)
        return 0;
    long long s = (ends - now_us + 999999) / 1000000;
    return s > 0 ? (long)s : 1;
}
