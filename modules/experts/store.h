/*
 * store.h — the experts module's SQL (store.c) and the columns of each row it returns, named
 * (one X-macro per SELECT: the column list and the enum of positions). Tables: expert_profiles,
 * expert_specialties, expert_relations, expert_leaves, draws, draw_cosigns, draw_pool.
 */
#ifndef GGZY_EXPERTS_STORE_H
#define GGZY_EXPERTS_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "db.h"

#define PROFILE_COLS(X)                                                                            \
    X(PC_USER, "p.user_id")                                                                        \
    X(PC_TITLE, "p.title")                                                                         \
    X(PC_SINCE, "p.field_since")                                                                   \
    X(PC_BIRTH, "p.birth_year")                                                                    \
    X(PC_REGION, "p.region")                                                                       \
    X(PC_SHARING, "p.sharing")                                                                     \
    X(PC_E_EVAL, "p.e_evaluation")                                                                 \
    X(PC_PHONE, "p.phone")                                                                         \
    X(PC_STATE, "p.state")                                                                         \
    X(PC_REASON, "p.state_reason")                                                                 \
    X(PC_UNTIL, "p.suspended_until")                                                               \
    X(PC_CREATED, "p.created_us")                                                                  \
    X(PC_UPDATED, "p.updated_us")                                                                  \
    X(PC_SPECIALTIES, "(SELECT GROUP_CONCAT(s.code ORDER BY s.code SEPARATOR ',') FROM "           \
                      "expert_specialties s WHERE s.user_id = p.user_id)")
enum { PROFILE_COLS(DB_COL_ENUM) PC__COUNT };

#define RELATION_COLS(X)                                                                           \
    X(RL_ID, "id")                                                                                 \
    X(RL_KIND, "kind")                                                                             \
    X(RL_CREDIT, "credit_code")                                                                    \
    X(RL_NAME, "org_name")                                                                         \
    X(RL_ENDS, "ends_us")                                                                          \
    X(RL_CREATED, "created_us")
enum { RELATION_COLS(DB_COL_ENUM) RL__COUNT };

#define LEAVE_COLS(X)                                                                              \
    X(LV_ID, "id")                                                                                 \
    X(LV_START, "start_us")                                                                        \
    X(LV_END, "end_us")
enum { LEAVE_COLS(DB_COL_ENUM) LV__COUNT };

#define DRAW_COLS(X)                                                                               \
    X(DC_ID, "id")                                                                                 \
    X(DC_KIND, "kind")                                                                             \
    X(DC_CATEGORY, "category")                                                                     \
    X(DC_PROJECT, "project_id")                                                                    \
    X(DC_BOOKING, "booking_id")                                                                    \
    X(DC_TENDERER, "tenderer_org_id")                                                              \
    X(DC_START, "session_start_us")                                                                \
    X(DC_END, "session_end_us")                                                                    \
    X(DC_SIZE, "size")                                                                             \
    X(DC_OWNER_REPS, "owner_reps")                                                                 \
    X(DC_RESERVES, "reserves")                                                                     \
    X(DC_GROUPS, "groups_json")                                                                    \
    X(DC_REGIONS, "regions_json")                                                                  \
    X(DC_STATE, "state")                                                                           \
    X(DC_SECRET, "secret")                                                                         \
    X(DC_COMMIT, "seed_commit")                                                                    \
    X(DC_POOL_SHA, "pool_sha256")                                                                  \
    X(DC_POOL_SIZE, "pool_size")                                                                   \
    X(DC_SEED, "seed")                                                                             \
    X(DC_SUPERVISOR, "supervisor_id")                                                              \
    X(DC_PLACE, "place")                                                                           \
    X(DC_REQUESTED_BY, "requested_by")                                                             \
    X(DC_ANSWER_MIN, "answer_minutes")                                                             \
    X(DC_CREATED, "created_us")                                                                    \
    X(DC_UPDATED, "updated_us")                                                                    \
    X(DC_REVEALED, "revealed_us")                                                                  \
    X(DC_POOLED, "pooled_us")                                                                      \
    X(DC_SUP_ACT, "supervisor_act")                                                                \
    X(DC_BEACON_SOURCE, "beacon_source")
enum { DRAW_COLS(DB_COL_ENUM) DC__COUNT };

#define COSIGN_COLS(X)                                                                             \
    X(CS_USER, "user_id")                                                                          \
    X(CS_KEY, "key_id")                                                                            \
    X(CS_SIGNED, "signed_us")
enum { COSIGN_COLS(DB_COL_ENUM) CS__COUNT };

/* One row per (expert, requested specialty they hold) with what avoidance needs. */
#define CAND_COLS(X)                                                                               \
    X(CD_USER, "p.user_id")                                                                        \
    X(CD_CODE, "s.code")                                                                           \
    X(CD_REGION, "p.region")                                                                       \
    X(CD_SHARING, "p.sharing")                                                                     \
    X(CD_STATE, "p.state")                                                                         \
    X(CD_UNTIL, "p.suspended_until")                                                               \
    X(CD_DISABLED, "p.user_id IN (SELECT j.id FROM JSON_TABLE(?, '$[*]' COLUMNS (id BIGINT "       \
                   "UNSIGNED PATH '$')) j)")                                                       \
    X(CD_EMPLOYED, "p.user_id IN (SELECT j.id FROM JSON_TABLE(?, '$[*]' COLUMNS (id BIGINT "       \
                   "UNSIGNED PATH '$')) j)")                                                       \
    X(CD_RELATED,                                                                                  \
      "EXISTS (SELECT 1 FROM expert_relations r WHERE r.user_id = p.user_id AND "                  \
      "(r.ends_us IS NULL OR r.ends_us > ?) AND r.credit_code IN (SELECT j.code FROM "             \
      "JSON_TABLE(?, '$[*]' COLUMNS (code CHAR(18) CHARACTER SET ascii PATH '$')) j))")            \
    X(CD_SERVED, "EXISTS (SELECT 1 FROM draw_pool q JOIN draws d ON d.id = q.draw_id WHERE "       \
                 "d.kind = 'committee' AND q.user_id = p.user_id AND q.state = 'confirmed' AND "   \
                 "d.tenderer_org_id = ? AND "                                                      \
                 "d.session_start_us > ?)")                                                        \
    X(CD_LEAVE, "EXISTS (SELECT 1 FROM expert_leaves l WHERE l.user_id = p.user_id AND "           \
                "l.start_us < ? AND l.end_us > ?)")                                                \
    X(CD_BUSY, "EXISTS (SELECT 1 FROM draw_pool q JOIN draws d ON d.id = q.draw_id WHERE "         \
               "d.kind = 'committee' AND q.user_id = p.user_id AND q.state IN ('invited', "        \
               "'confirmed') AND "                                                                 \
               "d.session_start_us < ? AND d.session_end_us > ?)")
enum { CAND_COLS(DB_COL_ENUM) CD__COUNT };

#define POOL_COLS(X)                                                                               \
    X(PL_PSEUDONYM, "q.pseudonym")                                                                 \
    X(PL_USER, "q.user_id")                                                                        \
    X(PL_GROUP, "q.grp")                                                                           \
    X(PL_POS, "q.pos")                                                                             \
    X(PL_RANK, "q.drawn_rank")                                                                     \
    X(PL_STATE, "q.state")                                                                         \
    X(PL_INVITED, "q.invited_us")                                                                  \
    X(PL_ANSWER_BY, "q.answer_by_us")                                                              \
    X(PL_ANSWERED, "q.answered_us")                                                                \
    X(PL_REASON, "q.reason")                                                                       \
    X(PL_AGENCY_NAME, "a.name")                                                                    \
    X(PL_SALT, "q.salt")
enum { POOL_COLS(DB_COL_ENUM) PL__COUNT };

/* An expert's own assignments: what they are told (time and place, not the project). */
#define ASSIGN_COLS(X)                                                                             \
    X(AS_DRAW, "d.id")                                                                             \
    X(AS_PSEUDONYM, "q.pseudonym")                                                                 \
    X(AS_STATE, "q.state")                                                                         \
    X(AS_START, "d.session_start_us")                                                              \
    X(AS_END, "d.session_end_us")                                                                  \
    X(AS_PLACE, "d.place")                                                                         \
    X(AS_INVITED, "q.invited_us")                                                                  \
    X(AS_ANSWER_BY, "q.answer_by_us")                                                              \
    X(AS_ANSWERED, "q.answered_us")                                                                \
    X(AS_BOOKING, "d.booking_id")
enum { ASSIGN_COLS(DB_COL_ENUM) AS__COUNT };

/* profiles */
enum db_status store_profile(struct dbconn *c, int64_t user, bool lock, struct dbres *out);
enum db_status store_profiles(struct dbconn *c, const char *state, int64_t after, int64_t limit,
                              struct dbres *out);
enum db_status store_profile_insert(struct dbconn *c, int64_t user, const char *title, int since,
                                    int birth, const char *region, const char *sharing, bool e_eval,
                                    const char *phone, int64_t now);
enum db_status store_profile_update(struct dbconn *c, int64_t user, const char *title, int since,
                                    int birth, const char *region, const char *sharing, bool e_eval,
                                    const char *phone, int64_t now);
enum db_status store_profile_state(struct dbconn *c, int64_t user, const char *state,
                                   const char *reason, int64_t until, int64_t now);
/* Write the expert's row so that two transactions inviting them conflict (also across the nodes
 * of a Galera cluster, whose certification compares written rows). */
enum db_status store_profile_touch(struct dbconn *c, int64_t user);
enum db_status store_specialties_set(struct dbconn *c, int64_t user, const char *const *codes,
                                     size_t n);
enum db_status store_relation_insert(struct dbconn *c, int64_t user, const char *kind,
                                     const char *credit, const char *name, int64_t ends,
                                     int64_t now, int64_t *id);
enum db_status store_relations(struct dbconn *c, int64_t user, struct dbres *out);
/* End user's relation id (a holding one) at ends; *done false when there is none such. */
enum db_status store_relation_end(struct dbconn *c, int64_t user, int64_t id, int64_t ends,
                                  bool *done);
enum db_status store_leave_insert(struct dbconn *c, int64_t user, int64_t start, int64_t end,
                                  int64_t now, int64_t *id);
enum db_status store_leaves(struct dbconn *c, int64_t user, struct dbres *out);

/* draws */
struct draw_row {
    int64_t project, booking, tenderer, start_us, end_us, size, owner_reps, reserves, requested_by;
    int64_t answer_minutes;
    const char *groups, *regions, *commit, *place;
    const char *beacon_source; /* NULL: no public value */
    const char *kind;          /* "committee" or "agency" */
    const char *category;      /* an agency draw's category, else NULL */
    const uint8_t *secret;
};
enum db_status store_draw_insert(struct dbconn *c, const struct draw_row *d, int64_t now,
                                 int64_t *id);
enum db_status store_draw(struct dbconn *c, int64_t id, bool lock, struct dbres *out);
enum db_status store_draws_project(struct dbconn *c, int64_t project, int64_t after, int64_t limit,
                                   struct dbres *out);
/* Is there a draw of booking in a live state (not cancelled, short or pool_short)? */
enum db_status store_draw_live_for_booking(struct dbconn *c, int64_t booking, bool *live);
enum db_status store_draw_state(struct dbconn *c, int64_t id, const char *state, int64_t now);
/* The pool is fixed: its hash, its size and who each pseudonym is (map: a JSON array of
 * [pseudonym, user_id, group] by pseudonym). */
enum db_status store_draw_pooled(struct dbconn *c, int64_t id, const char *pool_sha,
                                 int64_t pool_size, const char *map, int64_t now);
enum db_status store_draw_seeded(struct dbconn *c, int64_t id, const char *seed, int64_t supervisor,
                                 const char *value, const char *beacon, int64_t beacon_published_us,
                                 int64_t now);
/* The supervisor's value has come (act: their signed act as logged); the public value is due. */
enum db_status store_draw_valued(struct dbconn *c, int64_t id, int64_t supervisor,
                                 const char *value, const char *act, int64_t now);
enum db_status store_cosign_insert(struct dbconn *c, int64_t draw, int64_t user, const char *key_id,
                                   const char *sig, int64_t signed_us);
enum db_status store_cosigns(struct dbconn *c, int64_t draw, struct dbres *out);
/* The library rows of the requested specialties (1 to 8 codes) with the facts
 * of avoidance: conflict_orgs a JSON array of organization ids, conflict_codes one of credit
 * codes, relations that ended before since_rel still count as ended, service of tenderer after
 * served_since, leaves and other assignments overlapping [start, end). Ordered by user, code. */
/* disabled and employed: JSON arrays of user ids (accounts_disabled, accounts_members_of). */
enum db_status store_candidates(struct dbconn *c, const char *const *codes, size_t ncodes,
                                const char *disabled, const char *employed,
                                const char *conflict_codes, int64_t since_rel, int64_t tenderer,
                                int64_t served_since, int64_t start, int64_t end,
                                struct dbres *out);
/* The draw's pool map (DB_VALUE: the JSON of store_draw_pooled). */
enum db_status store_pool_map(struct dbconn *c, int64_t draw, struct dbres *out);
/* The members drawn so far, by group, then position. */
enum db_status store_pool(struct dbconn *c, int64_t draw, struct dbres *out);
/* A rank of a group's order walked: the member invited (answer_by set) or skipped. */
struct pool_member {
    const char *pseudonym, *group, *state, *reason, *salt;
    int64_t user, pos, rank;
};
enum db_status store_pool_add(struct dbconn *c, int64_t draw, const struct pool_member *m,
                              int64_t now, int64_t answer_by);
enum db_status store_pool_answer(struct dbconn *c, int64_t draw, const char *pseudonym,
                                 const char *state, const char *reason, int64_t now);
/* Does user hold an invitation or a confirmation of another draw overlapping [start, end)? */
enum db_status store_busy(struct dbconn *c, int64_t user, int64_t draw, int64_t start, int64_t end,
                          bool *busy);
enum db_status store_assignments(struct dbconn *c, int64_t user, struct dbres *out);
#define RATING_COLS(X)                                                                             \
    X(RT_DRAW, "draw_id")                                                                          \
    X(RT_ROLE, "rater_role")                                                                       \
    X(RT_SCORE, "score")                                                                           \
    X(RT_COMMENT, "comment")                                                                       \
    X(RT_CREATED, "created_us")
enum { RATING_COLS(DB_COL_ENUM) RT__COUNT };
enum db_status store_rating_insert(struct dbconn *c, int64_t draw, int64_t expert, int64_t rater,
                                   const char *role, int64_t score, const char *comment,
                                   int64_t now);
enum db_status store_ratings(struct dbconn *c, int64_t expert, struct dbres *out);
/* Complete draws whose names are not yet revealed (DRAW_COLS), oldest first. */
enum db_status store_draws_unrevealed(struct dbconn *c, int64_t limit, struct dbres *out);
enum db_status store_draw_revealed(struct dbconn *c, int64_t id, int64_t now);

/* Agencies (agency_profiles). */
#define AGENCY_COLS(X)                                                                             \
    X(AG_ORG, "a.org_id")                                                                          \
    X(AG_NAME, "a.name")                                                                           \
    X(AG_CREDIT, "a.credit_code")                                                                  \
    X(AG_REGION, "a.region")                                                                       \
    X(AG_CATEGORIES, "a.categories")                                                               \
    X(AG_AFFILIATES, "a.affiliates")                                                               \
    X(AG_STATE, "a.state")                                                                         \
    X(AG_REASON, "a.reason")                                                                       \
    X(AG_UPDATED, "a.updated_us")                                                                  \
    X(AG_SERVED, "EXISTS (SELECT 1 FROM draw_pool q JOIN draws d ON d.id = q.draw_id WHERE "       \
                 "d.kind = 'agency' AND q.user_id = a.org_id AND q.state = 'confirmed' AND "       \
                 "d.tenderer_org_id = ? AND d.created_us > ?)")
enum { AGENCY_COLS(DB_COL_ENUM) AG__COUNT };
struct agency_row {
    int64_t org;
    const char *name, *credit, *region, *categories, *affiliates, *state, *reason;
};
enum db_status store_agency_upsert(struct dbconn *c, const struct agency_row *a, int64_t now);
/* The agencies registered for category (served: for tenderer since served_since), by org id;
 * one agency when org > 0 (category then ignored). */
enum db_status store_agencies(struct dbconn *c, const char *category, int64_t org, int64_t tenderer,
                              int64_t served_since, struct dbres *out);

/* The draws with an invitation unanswered at now (ids in DB_VALUE). */
/* For the venue stage: is user a confirmed member of a live committee draw for booking? */
enum db_status store_session_member(struct dbconn *c, int64_t booking, int64_t user, bool *yes);
/* The invited and confirmed members of booking's live committee draws: rows of
 * SESSION_MEMBER_COLS, with the phone their invitation went to. */
#define SESSION_MEMBER_COLS(X)                                                                     \
    X(SM_USER, "q.user_id")                                                                        \
    X(SM_PHONE, "p.phone")
enum { SESSION_MEMBER_COLS(DB_COL_ENUM) SM__COUNT };
enum db_status store_session_members(struct dbconn *c, int64_t booking, struct dbres *out);
/* The live draws of booking take place at place from now on (a relocation). */
enum db_status store_draws_place(struct dbconn *c, int64_t booking, const char *place, int64_t now);
enum db_status store_draws_expired(struct dbconn *c, int64_t now, struct dbres *out);

#endif
