/*
 * rules.c — the bids module's rules as pure functions (bids.h), unit-tested without a database.
 */
#include <stdio.h>
#include <string.h>

#include "bids.h"
#include "vss.h"

const char *
bids_custodians_problem(const unsigned *roles, const int64_t *users, int n, int k, char *why,
                        size_t whylen)
{
    if (n < 2 || n > VSS_MAX) {
        snprintf(why, whylen, "an opening key needs 2 to %d custodians, not %d", VSS_MAX, n);
        return "BID-CUSTODIANS";
    }
    if (k < 2 || k > n) {
        snprintf(why, whylen, "the threshold must be at least 2 and at most the %d custodians", n);
        return "BID-THRESHOLD";
    }
    unsigned seen = 0;
    for (int i = 0; i < n; i++) {
        if (roles[i] != ROLE_AGENT && roles[i] != ROLE_SUPERVISOR &&
            roles[i] != ROLE_CENTER_ADMIN) {
            snprintf(why, whylen,
                     "custodian %d is a %s: custodians are the agent, the supervisor and the "
                     "trading center",
                     i + 1, role_name(roles[i]) ? role_name(roles[i]) : "user");
            return "BID-CUSTODIANS";
        }
        seen |= roles[i];
        for (int j = 0; j < i; j++)
            if (users[j] == users[i]) {
                snprintf(why, whylen, "user %lld is named twice: each share needs its own person",
                         (long long)users[i]);
                return "BID-CUSTODIANS";
            }
    }
    if (seen != (ROLE_AGENT | ROLE_SUPERVISOR | ROLE_CENTER_ADMIN)) {
        snprintf(why, whylen,
                 "the custodians must include the agent, a supervisor and the trading center");
        return "BID-CUSTODIANS";
    }
    /* no single side may hold k shares on its own */
    const unsigned sides[] = {ROLE_AGENT, ROLE_SUPERVISOR, ROLE_CENTER_ADMIN};
    for (size_t s = 0; s < 3; s++) {
        int count = 0;
        for (int i = 0; i < n; i++)
            count += roles[i] == sides[s];
        if (count >= k) {
            snprintf(why, whylen, "%d custodians of the %s side could open the bids alone", count,
                     role_name(sides[s]));
            return "BID-THRESHOLD";
        }
    }
    return NULL;
}

bool
bids_key_state_ok(const char *project_state)
{
    return project_state &&
           (!strcmp(project_state, "accepted") || !strcmp(project_state, "announced"));
}
