/*
 * accounts.h — the accounts module: organizations, users, roles, sessions and registered
 * public keys. Its rules are pure functions (rules.c) that the unit tests call without a
 * database; its SQL lives in store.c; its route rows and handlers in routes.c.
 */
#ifndef GGZY_ACCOUNTS_H
#define GGZY_ACCOUNTS_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "db.h"
#include "http.h"

extern const struct module accounts_module;

/* ---- rules (rules.c) ---- */

/* Organization types, as stored. */
extern const char *const org_types[]; /* NULL-terminated */

/* GB 32100-2015 unified social credit code: 18 characters from 0-9 and A-Z without I, O, S, V,
 * Z, the last a check character. */
bool rule_credit_code_ok(const char *code);
/* The check character for the first 17 characters, or 0 when they are not in the alphabet. */
char rule_credit_code_check(const char *first17);
/* GB/T 2260 administrative division code: six digits, not starting with 0. */
bool rule_region_ok(const char *region);
/* Usernames: 3-64 of a-z 0-9 . _ -, starting with a letter. */
bool rule_username_ok(const char *username);
/* Passwords: 10-128 characters (bytes of UTF-8 counted as characters by the validator),
 * and not the username. Returns NULL or the reason. */
const char *rule_password_problem(const char *password, const char *username);
/* May a user of this role belong to an organization of this type? (center_admin: center;
 * agent: agency or tenderer; bidder: bidder; supervisor: supervision; expert: any, since an
 * expert's employer matters for avoidance.) */
bool rule_role_fits_org(unsigned role, const char *org_type);
/* Is the client locked out? failures within the window at or above limit. Returns the seconds
 * to wait (>0) or 0. */
long rule_throttle_wait(long failures, long long window_start_us, long long now_us,
                        long long window_us, long limit);

/* For other modules: the live (not revoked) registered key of user_id whose signed-note key id
 * (the first 4 bytes of its SHA-256 key id) is id4. Fills der (malloc'd SubjectPublicKeyInfo)
 * and key_id (hex, 65 bytes); *found tells whether there was one. */
struct dbconn;
enum db_status accounts_find_key(struct dbconn *c, int64_t user_id, const uint8_t id4[4],
                                 uint8_t **der, size_t *der_len, char key_id[65], bool *found);

/* For other modules: the type of organization id ("bidder", "agency", ...); found=false when
 * there is none. */
enum db_status accounts_org_type(struct dbconn *c, int64_t id, char type[16], bool *found);

/* `ggzyd bootstrap-admin`: create the trading center and its first center_admin if no
 * center_admin exists. Prints the password once when it generated one. */
bool accounts_bootstrap_admin(const struct config *cfg);

#endif
