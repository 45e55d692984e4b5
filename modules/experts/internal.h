/*
 * internal.h — what the experts module's files share (not for other modules): library.c (the
 * specialties, profiles, admission, relations, leaves), draws.c (request, cosign and pool,
 * entropy and order, reads), answers.c (confirm, decline, expiry and replacement), views.c,
 * routes.c.
 */
#ifndef GGZY_EXPERTS_INTERNAL_H
#define GGZY_EXPERTS_INTERNAL_H

#include <cjson/cJSON.h>

#include "app.h"
#include "experts.h"
#include "store.h"

#define DRAW_GROUPS_MAX 8

/* The module's configuration (routes.c). */
struct experts_conf {
    const char *specialties;   /* the classification file */
    int64_t window_hours;      /* a draw is asked at most this long before its session */
    int64_t answer_minutes;    /* a drawn expert confirms or declines within this */
    int64_t staff;             /* center staff who cosign a draw's commitment (≥ 2) */
    int64_t pool_ratio;        /* the eligible pool is at least this many times the draw */
    int64_t served_days;       /* no expert serves the same tenderer twice within this */
    int64_t relation_years;    /* how long a former relation still counts */
    const char *beacon_source; /* the public value's source ("": none) */
};
extern struct experts_conf experts_conf;
extern const struct config *experts_cfg;

/* library.c: the classification (loaded at start-up) */
/* parties.c: the venue stage's hooks (an evaluation's experts sign in; relocations) */
void experts_parties_init(void);

bool specialties_load(const char *path, char *err, size_t errlen);
void specialties_free(void);
/* The specialty's name, or NULL when the code is not in the classification. */
const char *specialty_name(const char *code);
void specialties_get(struct req *r, const cJSON *body);
void profile_me(struct req *r, const cJSON *body);
void profile_save(struct req *r, const cJSON *body);
void profile_get(struct req *r, const cJSON *body);
void profile_list(struct req *r, const cJSON *body);
void profile_admit(struct req *r, const cJSON *body);
void profile_state(struct req *r, const cJSON *body);
void relation_create(struct req *r, const cJSON *body);
void relation_end(struct req *r, const cJSON *body);
void leave_create(struct req *r, const cJSON *body);
/* The year (UTC+8) of a time. */
int experts_year(int64_t t_us);

/* draws.c */
/* The one check of a signed act of a draw (a cosignature, a value, an answer): the caller's
 * live certified key, signed_us within 300 s, the signature over domain and fields
 * (accounts_check_act), refusals mapped to DRAW-SIGNER-KEY / -SIGNED-TIME / -SIGNATURE (or the
 * KEY-CERT-* code). TX_COMMIT with *k filled (the caller frees it), else the refusal set. */
struct signing_key;
enum tx_result draw_check_act(struct dbconn *c, struct req *r, const char *domain,
                              const cJSON *fields, const char *key_id, int64_t signed_us,
                              const char *signature, int64_t now, struct signing_key *k);
void draw_create(struct req *r, const cJSON *body);
void draw_cosign(struct req *r, const cJSON *body);
void draw_entropy(struct req *r, const cJSON *body);
void draw_beacon(struct req *r, const cJSON *body);
void draw_get(struct req *r, const cJSON *body);
void draw_list(struct req *r, const cJSON *body);
void draw_cancel(struct req *r, const cJSON *body);

/* agency.c: the agencies a tenderer may draw, and the agency draw */
void agency_register(struct req *r, const cJSON *body);
void agency_list(struct req *r, const cJSON *body);
void agency_draw_create(struct req *r, const cJSON *body);
/* The eligible agencies of an agency draw (row 0 of d) after its exclusions, as
 * expert_members gives experts (draws.c). */
struct member {
    char pseudonym[17]; /* draw_pseudonym(draw, user, salt) */
    char salt[33];
    int64_t user; /* an expert's user id; an agency's organization id */
    int group;
};
/* A fresh salt and the pseudonym it binds member m to in draw (false: no randomness). */
bool member_name(struct member *m, int64_t draw);
enum db_status agency_members(struct dbconn *c, const struct dbres *d, int64_t now,
                              struct member **m, size_t *nm, int64_t *have, int64_t *excluded);
/* May the caller see draw row 0 of d (a committee's: a party of its project; an agency draw's:
 * staff or the tenderer's own people)? TX_COMMIT, or the refusal (404) set. */
enum tx_result draw_visible(struct dbconn *c, struct req *r, const struct dbres *d);

/* answers.c */
void assignment_list(struct req *r, const cJSON *body);
void assignment_answer(struct req *r, const cJSON *body);
void member_replace(struct req *r, const cJSON *body);
bool experts_job_expire(struct dbconn *c, const struct actor *a, int64_t now_us);
/* Invite the next members of each group of the drawn draw (row 0 of d, locked) until each has
 * its count of invited or confirmed members, walking the group's draw order from the seed:
 * an expert now busy elsewhere is skipped (recorded). Appends each step to steps ([{group,
 * rank, pseudonym, state}]). *short_ set when a group's order is exhausted or its reserves are
 * used up. */
enum db_status draw_fill(struct dbconn *c, const struct dbres *d, int64_t now, cJSON *steps,
                         bool *short_);

/* results.c: ratings, and the reveal once the result is published (experts.reveal,
 * system:draw-reveal) */
void member_rate(struct req *r, const cJSON *body);
bool experts_job_reveal(struct dbconn *c, const struct actor *a, int64_t now_us);

/* views.c */
/* The ids of column col of s as a JSON array (malloc'd), and the people they are
 * (accounts_people, PEOPLE_COLS): the accounts module owns names and employers. */
char *experts_ids_json(const struct dbres *s, size_t col);
enum db_status experts_people(struct dbconn *c, const struct dbres *s, size_t col,
                              struct dbres *people);
/* Who pool row i is: an agency's name, or the person's from people ("" when unknown). */
const char *pool_member_name(const struct dbres *p, size_t i, const struct dbres *people);
cJSON *profile_json(const struct dbres *s, size_t i, const struct dbres *people);
cJSON *relation_json(const struct dbres *s, size_t i);
cJSON *leave_json(const struct dbres *s, size_t i);
cJSON *rating_json(const struct dbres *s, size_t i);
/* A draw: detail adds the members (pseudonyms, states; names only with names). */
cJSON *draw_json(const struct dbres *d, size_t i);
cJSON *member_json(const struct dbres *p, size_t i, bool names, const struct dbres *people);
cJSON *assignment_json(const struct dbres *s, size_t i);

#endif
