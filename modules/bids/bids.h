/*
 * bids.h — the bids module: sealed bids and their opening (docs/envelope.md). So far it holds
 * the time lock's first half: a lot's opening key, made when the lot is readied for bidding,
 * whose private scalar is split among custodians (by default the tender agent, the supervisor
 * and the trading center, any two of three) and never stored. Submission, receipts and the
 * opening ceremony join this module. Its rules are pure functions (rules.c).
 */
#ifndef GGZY_BIDS_H
#define GGZY_BIDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http.h"

extern const struct module bids_module;

#define BIDS_DEFAULT_THRESHOLD 2

/* ---- rules (rules.c) ---- */
/* Is a set of custodians acceptable? roles[i] is custodian i's role bit, users[i] its user
 * id. Returns NULL, or the rule code with why filled: between 2 and VSS_MAX custodians, all
 * different users, each an agent, a supervisor or center staff (center_admin), at least one
 * of each of the three, and a threshold k with 2 <= k <= n — so no single party, and no two
 * people of the same side, can open the bids alone. */
const char *bids_custodians_problem(const unsigned *roles, const int64_t *users, int n, int k,
                                    char *why, size_t whylen);
/* May a lot get its opening key while its project is in this state? (accepted or announced:
 * before bidding starts, so the key can be published in the tender announcement.) */
bool bids_key_state_ok(const char *project_state);

#endif
