/*
 * accounts.h — the accounts module: organizations, users, roles, sessions and registered
 * public keys. Its rules are pure functions (rules.c) that the unit tests call without a
 * database; its SQL lives in store.c; its route rows and handlers in routes.c.
 */
#ifndef GGZY_ACCOUNTS_H
#define GGZY_ACCOUNTS_H

#include <stdbool.h>
#include <stddef.h>

#include "cert.h"
#include "config.h"
#include "db.h"
#include "app.h"

/* ---- rules (rules.c) ---- */

/* Organization types, as stored. */
extern const char *const org_types[]; /* NULL-terminated */

/* GB 32100-2015 unified social credit code: 18 characters from 0-9 and A-Z without I, O, S, V,
 * Z, the last a check character. */
bool accounts_rule_credit_code_ok(const char *code);
/* The check character for the first 17 characters, or 0 when they are not in the alphabet. */
char accounts_rule_credit_code_check(const char *first17);
/* GB/T 2260 administrative division code: six digits, not starting with 0. */
bool accounts_rule_region_ok(const char *region);
/* Usernames: 3-64 of a-z 0-9 . _ -, starting with a letter. */
bool accounts_rule_username_ok(const char *username);
/* Passwords: 10-128 characters (bytes of UTF-8 counted as characters by the validator),
 * and not the username: ACC-PASSWORD. */
struct refusal accounts_rule_password(const char *password, const char *username);
/* May a user of this role belong to an organization of this type? (center_admin: center;
 * agent: agency or tenderer; bidder: bidder; supervisor: supervision; expert: any, since an
 * expert's employer matters for avoidance.) */
bool accounts_rule_role_fits_org(unsigned role, const char *org_type);
/* Is the client locked out? failures within the window at or above limit. Returns the seconds
 * to wait (>0) or 0. */
long accounts_rule_throttle_wait(long failures, long long window_start_us, long long now_us,
                                 long long window_us, long limit);

/* ---- certified signing keys (keys.c) ---- */

/* A key as it may sign now: the owner, and the certificate re-verified. */
struct signing_key {
    int64_t user_id, org_id;
    unsigned role;
    char key_id[65];
    struct cert_chain chain;
    struct cert_info info; /* info.key verifies its signatures, info.suite says how */
};
/* The live key key_id of user_id (0: of whoever registered it; k->user_id then says who), at
 * at_us: not revoked, its owner's account enabled, and its certificate — re-verified against the
 * trust anchors in force (trust.h), never trusted from the row — of the owner's organization's
 * side, naming the organization's credit code, and certifying this very key. NULL when it may
 * sign (free k with accounts_signing_key_free); else a rule code with why: KEY-UNKNOWN (no such
 * live key of that user, or a disabled account), KEY-NO-CERT (registered before certificates
 * were required) or a KEY-CERT-* code (cert.h). *st is not DB_OK when the database failed (and
 * the code is then KEY-UNKNOWN). */
const char *accounts_signing_key(struct dbconn *c, int64_t user_id, const char *key_id,
                                 int64_t at_us, struct signing_key *k, char *why, size_t whylen,
                                 enum db_status *st);
void accounts_signing_key_free(struct signing_key *k);
/* Does sig_b64 (base64 of a raw signature) verify by k over domain "\n" canonical(fields)? */
bool accounts_act_verifies(const struct signing_key *k, const char *domain, const cJSON *fields,
                           const char *sig_b64);
/* The one check of a signed act by user_id (a sign-in, a cosignature, a confirmation): key_id a
 * key of theirs that may sign now (accounts_signing_key), signed_us within skew_us of now, and
 * the signature over domain "\n" canonical(fields). ACT_OK with *k filled (free it); else what
 * failed, with *rule (for ACT_KEY: the KEY-* code) and why set, and k freed. ACT_DBFAIL: the
 * database failed. Each module maps the failure onto its own rule codes. */
enum act_check { ACT_OK, ACT_KEY, ACT_TIME, ACT_SIGNATURE, ACT_DBFAIL };
enum act_check accounts_check_act(struct dbconn *c, int64_t user_id, const char *key_id,
                                  int64_t signed_us, const char *domain, const cJSON *fields,
                                  const char *sig_b64, int64_t now, int64_t skew_us,
                                  struct signing_key *k, const char **rule, char *why,
                                  size_t whylen);
/* What an audit payload keeps of a signed act, for a supervisor to re-verify it offline
 * (docs/audit.md §8): {"domain", "fields", "signature", "signer": {"key_id", "suite", "side",
 * "credit_code", "certificate": [base64 DER, leaf first]}}. fields is copied. For an envelope
 * (signed over its digest), domain is NULL and fields is {"signed_sha256": hex}. */
cJSON *accounts_signed_json(const struct signing_key *k, const char *domain, const cJSON *fields,
                            const char *sig_b64);

/* For other modules: the live (not revoked) registered key of user_id whose signed-note key id
 * (the first 4 bytes of its SHA-256 key id) is id4. Fills der (malloc'd SubjectPublicKeyInfo)
 * and key_id (hex, 65 bytes); *found tells whether there was one. */
struct dbconn;
enum db_status accounts_find_key(struct dbconn *c, int64_t user_id, const uint8_t id4[4],
                                 uint8_t **der, size_t *der_len, char key_id[65], bool *found);

/* For other modules: organization id (type "bidder", "agency", ...); found=false when there is
 * none. */
struct org_view {
    int64_t id;
    char type[16], credit_code[24], region[8];
    char name[801]; /* VARCHAR(200) of UTF-8 */
};
enum db_status accounts_org(struct dbconn *c, int64_t id, struct org_view *o, bool *found);
/* The organization of a unified social credit code (what outside parties name it by). */
enum db_status accounts_org_by_code(struct dbconn *c, const char *credit_code, struct org_view *o,
                                    bool *found);
/* For other modules: the role of user id ("agent", "supervisor", …; found=false: no such user). */
enum db_status accounts_user_role(struct dbconn *c, int64_t id, char role[24], bool *found);
/* For other modules: the names of many organizations at once, ids a JSON array of ids (what
 * JSON_ARRAYAGG makes); rows of ORG_NAME_COLS, in no particular order. */
#define ORG_NAME_COLS(X)                                                                           \
    X(ON_ID, "id")                                                                                 \
    X(ON_NAME, "name")                                                                             \
    X(ON_CREDIT, "credit_code")
enum { ORG_NAME_COLS(DB_COL_ENUM) ON__COUNT };
enum db_status accounts_org_names(struct dbconn *c, const char *ids, struct dbres *out);

/* For other modules: people by id (ids a JSON array), with their organization: rows of
 * PEOPLE_COLS in no particular order (find a row with accounts_person_row). */
#define PEOPLE_COLS(X)                                                                             \
    X(PE_ID, "u.id")                                                                               \
    X(PE_NAME, "u.display_name")                                                                   \
    X(PE_USERNAME, "u.username")                                                                   \
    X(PE_ROLE, "u.role")                                                                           \
    X(PE_DISABLED, "u.disabled")                                                                   \
    X(PE_ORG, "u.org_id")                                                                          \
    X(PE_ORG_NAME, "o.name")                                                                       \
    X(PE_CREDIT, "o.credit_code")
enum { PEOPLE_COLS(DB_COL_ENUM) PE__COUNT };
enum db_status accounts_people(struct dbconn *c, const char *ids, struct dbres *out);
/* The row of user id in an accounts_people result, or (size_t)-1. */
size_t accounts_person_row(const struct dbres *people, int64_t id);
/* For other modules: the users of the organizations org_ids (a JSON array), and the disabled
 * users of a role, each as a JSON array of ids (malloc'd; NULL when *st says a database error). */
char *accounts_members_of(struct dbconn *c, const char *org_ids, enum db_status *st);
char *accounts_disabled(struct dbconn *c, const char *role, enum db_status *st);
/* … and the enabled users of a role (whom a deadline warning goes to). */
char *accounts_active_of_role(struct dbconn *c, const char *role, enum db_status *st);

/* `ggzyd bootstrap-admin`: create the trading center and its first center_admin if no
 * center_admin exists. Prints the password once when it generated one. */
bool accounts_bootstrap_admin(const struct config *cfg);

#endif
