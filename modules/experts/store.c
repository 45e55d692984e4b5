/*
 * store.c — the experts module's SQL, prepared statements only.
 */
#include <stdio.h>
#include <string.h>

#include "experts.h"
#include "store.h"
#include "util.h"

/* the people themselves (names, employers) are the accounts module's: accounts_people */
#define PROFILE_FROM " FROM expert_profiles p"

static const char sql_profile[] =
    "SELECT " PROFILE_COLS(DB_COL_SQL) DB_COL_END PROFILE_FROM " WHERE p.user_id = ?";
static const char sql_profile_lock[] =
    "SELECT " PROFILE_COLS(DB_COL_SQL) DB_COL_END PROFILE_FROM " WHERE p.user_id = ? FOR UPDATE";
static const char sql_profiles[] = "SELECT " PROFILE_COLS(DB_COL_SQL) DB_COL_END PROFILE_FROM
    " WHERE (? = '' OR p.state = ?) AND p.user_id > ? ORDER BY p.user_id LIMIT ?";
static const char sql_profile_ins[] =
    "INSERT INTO expert_profiles (user_id, title, field_since, birth_year, region, sharing, "
    "e_evaluation, phone, state, created_us, updated_us) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'applied', ?, ?)";
static const char sql_profile_upd[] =
    "UPDATE expert_profiles SET title = ?, field_since = ?, birth_year = ?, region = ?, "
    "sharing = ?, e_evaluation = ?, phone = ?, updated_us = ? WHERE user_id = ?";
static const char sql_profile_state[] = "UPDATE expert_profiles SET state = ?, state_reason = ?, "
                                        "suspended_until = ?, updated_us = ? WHERE user_id = ?";
static const char sql_profile_touch[] =
    "UPDATE expert_profiles SET served_version = served_version + 1 WHERE user_id = ?";
static const char sql_spec_clear[] = "DELETE FROM expert_specialties WHERE user_id = ?";
static const char sql_spec_ins[] = "INSERT INTO expert_specialties (user_id, code) VALUES (?, ?)";
static const char sql_relation_ins[] =
    "INSERT INTO expert_relations (user_id, kind, credit_code, org_name, ends_us, created_us) "
    "VALUES (?, ?, ?, ?, ?, ?)";
static const char sql_relations[] = "SELECT " RELATION_COLS(DB_COL_SQL) DB_COL_END
    " FROM expert_relations WHERE user_id = ? ORDER BY id";
static const char sql_relation_end[] = "UPDATE expert_relations SET ends_us = ? WHERE id = ? AND "
                                       "user_id = ? AND ends_us IS NULL";
static const char sql_leave_ins[] = "INSERT INTO expert_leaves (user_id, start_us, end_us, "
                                    "created_us) VALUES (?, ?, ?, ?)";
static const char sql_leaves[] = "SELECT " LEAVE_COLS(DB_COL_SQL) DB_COL_END
    " FROM expert_leaves WHERE user_id = ? ORDER BY start_us, id";

static const char sql_draw_ins[] =
    "INSERT INTO draws (project_id, booking_id, tenderer_org_id, session_start_us, "
    "session_end_us, size, owner_reps, reserves, groups_json, regions_json, state, secret, "
    "seed_commit, place, requested_by, answer_minutes, beacon_source, kind, category, "
    "created_us, updated_us) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'committed', ?, ?, ?, ?, ?, ?, "
    "?, ?, ?, ?)";
static const char sql_draw[] =
    "SELECT " DRAW_COLS(DB_COL_SQL) DB_COL_END " FROM draws WHERE id = ?";
static const char sql_draw_lock[] =
    "SELECT " DRAW_COLS(DB_COL_SQL) DB_COL_END " FROM draws WHERE id = ? FOR UPDATE";
static const char sql_draws_project[] = "SELECT " DRAW_COLS(DB_COL_SQL) DB_COL_END
    " FROM draws WHERE project_id = ? AND id > ? ORDER BY id LIMIT ?";
static const char sql_draw_live[] =
    "SELECT COUNT(*) FROM draws WHERE kind = 'committee' AND booking_id = ? AND "
    "state NOT IN ('cancelled', 'short')";
static const char sql_draw_state[] = "UPDATE draws SET state = ?, updated_us = ? WHERE id = ?";
static const char sql_draw_pooled[] =
    "UPDATE draws SET state = 'pooled', pool_sha256 = ?, "
    "pool_size = ?, pool_map = ?, pooled_us = ?, updated_us = ? WHERE id = ?";
static const char sql_pool_map[] = "SELECT pool_map FROM draws WHERE id = ?";
static const char sql_draw_seeded[] =
    "UPDATE draws SET state = 'drawn', seed = ?, supervisor_id = ?, supervisor_value = ?, "
    "beacon = ?, beacon_published_us = ?, secret = NULL, updated_us = ? WHERE id = ?";
static const char sql_draw_valued[] =
    "UPDATE draws SET state = 'valued', supervisor_id = ?, supervisor_value = ?, "
    "supervisor_act = ?, updated_us = ? WHERE id = ?";
static const char sql_cosign_ins[] =
    "INSERT INTO draw_cosigns (draw_id, user_id, key_id, signature, signed_us) "
    "VALUES (?, ?, ?, ?, ?)";
static const char sql_cosigns[] = "SELECT " COSIGN_COLS(DB_COL_SQL) DB_COL_END
    " FROM draw_cosigns WHERE draw_id = ? ORDER BY signed_us, user_id";
static const char sql_candidates[] = "SELECT " CAND_COLS(DB_COL_SQL) DB_COL_END
    " FROM expert_profiles p JOIN expert_specialties s ON s.user_id = p.user_id "
    "WHERE s.code IN (?, ?, ?, ?, ?, ?, ?, ?) ORDER BY p.user_id, s.code";
static const char sql_pool[] = "SELECT " POOL_COLS(DB_COL_SQL) DB_COL_END
    " FROM draw_pool q JOIN draws d ON d.id = q.draw_id LEFT JOIN agency_profiles a ON "
    "a.org_id = q.user_id AND d.kind = 'agency' WHERE q.draw_id = ? ORDER BY q.grp, q.pos";
static const char sql_pool_add[] =
    "INSERT INTO draw_pool (draw_id, pseudonym, salt, user_id, grp, pos, drawn_rank, state, "
    "reason, invited_us, answer_by_us) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char sql_pool_answer[] = "UPDATE draw_pool SET state = ?, reason = ?, answered_us = ? "
                                      "WHERE draw_id = ? AND pseudonym = ?";
static const char sql_busy[] =
    "SELECT COUNT(*) FROM draw_pool q JOIN draws d ON d.id = q.draw_id WHERE q.user_id = ? AND "
    "d.kind = 'committee' AND q.draw_id <> ? AND q.state IN ('invited', 'confirmed') AND "
    "d.session_start_us < ? AND "
    "d.session_end_us > ?";
static const char sql_assignments[] = "SELECT " ASSIGN_COLS(DB_COL_SQL) DB_COL_END
    " FROM draw_pool q JOIN draws d ON d.id = "
    "q.draw_id WHERE q.user_id = ? AND d.kind = 'committee' AND q.state <> 'skipped' "
    "ORDER BY d.session_start_us DESC, d.id DESC LIMIT 200";
static const char sql_expired[] = "SELECT DISTINCT draw_id FROM draw_pool WHERE state = 'invited' "
                                  "AND answer_by_us < ? ORDER BY draw_id LIMIT 100";

static const char sql_rating_ins[] =
    "INSERT INTO expert_ratings (draw_id, user_id, rater_id, rater_role, score, comment, "
    "created_us) VALUES (?, ?, ?, ?, ?, ?, ?)";
static const char sql_ratings[] = "SELECT " RATING_COLS(DB_COL_SQL) DB_COL_END
    " FROM expert_ratings WHERE user_id = ? ORDER BY id";
static const char sql_unrevealed[] = "SELECT " DRAW_COLS(DB_COL_SQL) DB_COL_END
    " FROM draws WHERE state = 'complete' AND revealed_us IS NULL ORDER BY id LIMIT ?";
static const char sql_revealed[] = "UPDATE draws SET revealed_us = ? WHERE id = ?";

static const char sql_agency_upsert[] =
    "INSERT INTO agency_profiles (org_id, name, credit_code, region, categories, affiliates, "
    "state, reason, updated_us) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE "
    "name = VALUES(name), credit_code = VALUES(credit_code), region = VALUES(region), "
    "categories = VALUES(categories), affiliates = VALUES(affiliates), state = VALUES(state), "
    "reason = VALUES(reason), updated_us = VALUES(updated_us)";
static const char sql_agencies[] = "SELECT " AGENCY_COLS(DB_COL_SQL) DB_COL_END
    " FROM agency_profiles a WHERE (? > 0 AND a.org_id = ?) OR (? = 0 AND "
    "FIND_IN_SET(?, a.categories) > 0) ORDER BY a.org_id";

enum db_status
store_agency_upsert(struct dbconn *c, const struct agency_row *a, int64_t now)
{
    struct dbv p[] = {DBV_INT(a->org),
                      DBV_STR(a->name),
                      DBV_STR(a->credit),
                      DBV_STR(a->region),
                      DBV_STR(a->categories),
                      DBV_STR(a->affiliates),
                      DBV_STR(a->state),
                      a->reason ? DBV_STR(a->reason) : DBV_NUL,
                      DBV_INT(now)};
    return db_exec(c, sql_agency_upsert, p, ARRAY_LEN(p), NULL, NULL);
}

enum db_status
store_agencies(struct dbconn *c, const char *category, int64_t org, int64_t tenderer,
               int64_t served_since, struct dbres *out)
{
    struct dbv p[] = {DBV_INT(tenderer), DBV_INT(served_since), DBV_INT(org),
                      DBV_INT(org),      DBV_INT(org),          DBV_STR(category ? category : "")};
    return db_query(c, sql_agencies, p, ARRAY_LEN(p), out);
}

enum db_status
store_rating_insert(struct dbconn *c, int64_t draw, int64_t expert, int64_t rater, const char *role,
                    int64_t score, const char *comment, int64_t now)
{
    struct dbv p[] = {DBV_INT(draw), DBV_INT(expert), DBV_INT(rater),
                      DBV_STR(role), DBV_INT(score),  comment ? DBV_STR(comment) : DBV_NUL,
                      DBV_INT(now)};
    return db_exec(c, sql_rating_ins, p, ARRAY_LEN(p), NULL, NULL);
}

enum db_status
store_ratings(struct dbconn *c, int64_t expert, struct dbres *out)
{
    struct dbv p[] = {DBV_INT(expert)};
    return db_query(c, sql_ratings, p, 1, out);
}

enum db_status
store_draws_unrevealed(struct dbconn *c, int64_t limit, struct dbres *out)
{
    struct dbv p[] = {DBV_INT(limit)};
    return db_query(c, sql_unrevealed, p, 1, out);
}

enum db_status
store_draw_revealed(struct dbconn *c, int64_t id, int64_t now)
{
    struct dbv p[] = {DBV_INT(now), DBV_INT(id)};
    return db_exec(c, sql_revealed, p, 2, NULL, NULL);
}

enum db_status
store_profile(struct dbconn *c, int64_t user, bool lock, struct dbres *out)
{
    struct dbv p[] = {DBV_INT(user)};
    return db_query(c, lock ? sql_profile_lock : sql_profile, p, 1, out);
}

enum db_status
store_profiles(struct dbconn *c, const char *state, int64_t after, int64_t limit, struct dbres *out)
{
    struct dbv p[] = {DBV_STR(state), DBV_STR(state), DBV_INT(after), DBV_INT(limit)};
    return db_query(c, sql_profiles, p, ARRAY_LEN(p), out);
}

enum db_status
store_profile_insert(struct dbconn *c, int64_t user, const char *title, int since, int birth,
                     const char *region, const char *sharing, bool e_eval, const char *phone,
                     int64_t now)
{
    struct dbv p[] = {
        DBV_INT(user),   DBV_STR(title),   DBV_INT(since),  DBV_INT(birth),
        DBV_STR(region), DBV_STR(sharing), DBV_INT(e_eval), phone ? DBV_STR(phone) : DBV_NUL,
        DBV_INT(now),    DBV_INT(now)};
    return db_exec(c, sql_profile_ins, p, ARRAY_LEN(p), NULL, NULL);
}

enum db_status
store_profile_update(struct dbconn *c, int64_t user, const char *title, int since, int birth,
                     const char *region, const char *sharing, bool e_eval, const char *phone,
                     int64_t now)
{
    struct dbv p[] = {DBV_STR(title),
                      DBV_INT(since),
                      DBV_INT(birth),
                      DBV_STR(region),
                      DBV_STR(sharing),
                      DBV_INT(e_eval),
                      phone ? DBV_STR(phone) : DBV_NUL,
                      DBV_INT(now),
                      DBV_INT(user)};
    return db_exec(c, sql_profile_upd, p, ARRAY_LEN(p), NULL, NULL);
}

enum db_status
store_profile_state(struct dbconn *c, int64_t user, const char *state, const char *reason,
                    int64_t until, int64_t now)
{
    struct dbv p[] = {DBV_STR(state), reason ? DBV_STR(reason) : DBV_NUL,
                      until ? DBV_INT(until) : DBV_NUL, DBV_INT(now), DBV_INT(user)};
    return db_exec(c, sql_profile_state, p, ARRAY_LEN(p), NULL, NULL);
}

enum db_status
store_profile_touch(struct dbconn *c, int64_t user)
{
    struct dbv p[] = {DBV_INT(user)};
    return db_exec(c, sql_profile_touch, p, 1, NULL, NULL);
}

enum db_status
store_specialties_set(struct dbconn *c, int64_t user, const char *const *codes, size_t n)
{
    struct dbv p[] = {DBV_INT(user)};
    enum db_status st = db_exec(c, sql_spec_clear, p, 1, NULL, NULL);
    for (size_t i = 0; st == DB_OK && i < n; i++) {
        struct dbv q[] = {DBV_INT(user), DBV_STR(codes[i])};
        st = db_exec(c, sql_spec_ins, q, 2, NULL, NULL);
    }
    return st;
}

enum db_status
store_relation_insert(struct dbconn *c, int64_t user, const char *kind, const char *credit,
                      const char *name, int64_t ends, int64_t now, int64_t *id)
{
    struct dbv p[] = {DBV_INT(user),
                      DBV_STR(kind),
                      DBV_STR(credit),
                      DBV_STR(name),
                      ends ? DBV_INT(ends) : DBV_NUL,
                      DBV_INT(now)};
    uint64_t iid = 0;
    enum db_status st = db_exec(c, sql_relation_ins, p, ARRAY_LEN(p), NULL, &iid);
    *id = (int64_t)iid;
    return st;
}

enum db_status
store_relation_end(struct dbconn *c, int64_t user, int64_t id, int64_t ends, bool *done)
{
    struct dbv p[] = {DBV_INT(ends), DBV_INT(id), DBV_INT(user)};
    uint64_t n = 0;
    enum db_status st = db_exec(c, sql_relation_end, p, ARRAY_LEN(p), &n, NULL);
    *done = st == DB_OK && n == 1;
    return st;
}

enum db_status
store_relations(struct dbconn *c, int64_t user, struct dbres *out)
{
    struct dbv p[] = {DBV_INT(user)};
    return db_query(c, sql_relations, p, 1, out);
}

enum db_status
store_leave_insert(struct dbconn *c, int64_t user, int64_t start, int64_t end, int64_t now,
                   int64_t *id)
{
    struct dbv p[] = {DBV_INT(user), DBV_INT(start), DBV_INT(end), DBV_INT(now)};
    uint64_t iid = 0;
    enum db_status st = db_exec(c, sql_leave_ins, p, ARRAY_LEN(p), NULL, &iid);
    *id = (int64_t)iid;
    return st;
}

enum db_status
store_leaves(struct dbconn *c, int64_t user, struct dbres *out)
{
    struct dbv p[] = {DBV_INT(user)};
    return db_query(c, sql_leaves, p, 1, out);
}

enum db_status
store_draw_insert(struct dbconn *c, const struct draw_row *d, int64_t now, int64_t *id)
{
    struct dbv p[] = {DBV_INT(d->project),
                      DBV_INT(d->booking),
                      DBV_INT(d->tenderer),
                      DBV_INT(d->start_us),
                      DBV_INT(d->end_us),
                      DBV_INT(d->size),
                      DBV_INT(d->owner_reps),
                      DBV_INT(d->reserves),
                      DBV_STR(d->groups),
                      DBV_STR(d->regions),
                      DBV_BLOB(d->secret, 32),
                      DBV_STR(d->commit),
                      DBV_STR(d->place),
                      DBV_INT(d->requested_by),
                      DBV_INT(d->answer_minutes),
                      d->beacon_source ? DBV_STR(d->beacon_source) : DBV_NUL,
                      DBV_STR(d->kind ? d->kind : "committee"),
                      d->category ? DBV_STR(d->category) : DBV_NUL,
                      DBV_INT(now),
                      DBV_INT(now)};
    uint64_t iid = 0;
    enum db_status st = db_exec(c, sql_draw_ins, p, ARRAY_LEN(p), NULL, &iid);
    *id = (int64_t)iid;
    return st;
}

enum db_status
store_draw(struct dbconn *c, int64_t id, bool lock, struct dbres *out)
{
    struct dbv p[] = {DBV_INT(id)};
    return db_query(c, lock ? sql_draw_lock : sql_draw, p, 1, out);
}

enum db_status
store_draws_project(struct dbconn *c, int64_t project, int64_t after, int64_t limit,
                    struct dbres *out)
{
    struct dbv p[] = {DBV_INT(project), DBV_INT(after), DBV_INT(limit)};
    return db_query(c, sql_draws_project, p, ARRAY_LEN(p), out);
}

enum db_status
store_draw_live_for_booking(struct dbconn *c, int64_t booking, bool *live)
{
    struct dbv p[] = {DBV_INT(booking)};
    struct dbres r;
    enum db_status st = db_query(c, sql_draw_live, p, 1, &r);
    *live = st == DB_OK && r.nrows == 1 && dbres_i64(&r, 0, DB_VALUE) > 0;
    dbres_free(&r);
    return st;
}

enum db_status
store_draw_state(struct dbconn *c, int64_t id, const char *state, int64_t now)
{
    struct dbv p[] = {DBV_STR(state), DBV_INT(now), DBV_INT(id)};
    return db_exec(c, sql_draw_state, p, ARRAY_LEN(p), NULL, NULL);
}

enum db_status
store_draw_pooled(struct dbconn *c, int64_t id, const char *pool_sha, int64_t pool_size,
                  const char *map, int64_t now)
{
    struct dbv p[] = {DBV_STR(pool_sha), DBV_INT(pool_size), DBV_STR(map),
                      DBV_INT(now),      DBV_INT(now),       DBV_INT(id)};
    return db_exec(c, sql_draw_pooled, p, ARRAY_LEN(p), NULL, NULL);
}

enum db_status
store_draw_seeded(struct dbconn *c, int64_t id, const char *seed, int64_t supervisor,
                  const char *value, const char *beacon, int64_t beacon_published_us, int64_t now)
{
    struct dbv p[] = {DBV_STR(seed),
                      DBV_INT(supervisor),
                      DBV_STR(value),
                      beacon ? DBV_STR(beacon) : DBV_NUL,
                      beacon ? DBV_INT(beacon_published_us) : DBV_NUL,
                      DBV_INT(now),
                      DBV_INT(id)};
    return db_exec(c, sql_draw_seeded, p, ARRAY_LEN(p), NULL, NULL);
}

enum db_status
store_draw_valued(struct dbconn *c, int64_t id, int64_t supervisor, const char *value,
                  const char *act, int64_t now)
{
    struct dbv p[] = {DBV_INT(supervisor), DBV_STR(value), DBV_STR(act), DBV_INT(now), DBV_INT(id)};
    return db_exec(c, sql_draw_valued, p, ARRAY_LEN(p), NULL, NULL);
}

enum db_status
store_cosign_insert(struct dbconn *c, int64_t draw, int64_t user, const char *key_id,
                    const char *sig, int64_t signed_us)
{
    struct dbv p[] = {DBV_INT(draw), DBV_INT(user), DBV_STR(key_id), DBV_STR(sig),
                      DBV_INT(signed_us)};
    return db_exec(c, sql_cosign_ins, p, ARRAY_LEN(p), NULL, NULL);
}

enum db_status
store_cosigns(struct dbconn *c, int64_t draw, struct dbres *out)
{
    struct dbv p[] = {DBV_INT(draw)};
    return db_query(c, sql_cosigns, p, 1, out);
}

enum db_status
store_candidates(struct dbconn *c, const char *const *codes, size_t ncodes, const char *disabled,
                 const char *employed, const char *conflict_codes, int64_t since_rel,
                 int64_t tenderer, int64_t served_since, int64_t start, int64_t end,
                 struct dbres *out)
{
    /* in the order of the placeholders: CAND_COLS's, then the WHERE clause's */
    struct dbv p[18] = {
        DBV_STR(disabled), DBV_STR(employed),     DBV_INT(since_rel), DBV_STR(conflict_codes),
        DBV_INT(tenderer), DBV_INT(served_since), DBV_INT(end),       DBV_INT(start),
        DBV_INT(end),      DBV_INT(start)};
    /* a literal list (padded with the first) lets the index on the code drive the query */
    if (ncodes == 0 || ncodes > 8)
        return DB_ERROR;
    for (size_t i = 0; i < 8; i++)
        p[10 + i] = DBV_STR(codes[i < ncodes ? i : 0]);
    return db_query(c, sql_candidates, p, ARRAY_LEN(p), out);
}

enum db_status
store_pool_map(struct dbconn *c, int64_t draw, struct dbres *out)
{
    struct dbv p[] = {DBV_INT(draw)};
    return db_query(c, sql_pool_map, p, 1, out);
}

enum db_status
store_pool(struct dbconn *c, int64_t draw, struct dbres *out)
{
    struct dbv p[] = {DBV_INT(draw)};
    return db_query(c, sql_pool, p, 1, out);
}

enum db_status
store_pool_add(struct dbconn *c, int64_t draw, const struct pool_member *m, int64_t now,
               int64_t answer_by)
{
    struct dbv p[] = {DBV_INT(draw),
                      DBV_STR(m->pseudonym),
                      DBV_STR(m->salt),
                      DBV_INT(m->user),
                      DBV_STR(m->group),
                      DBV_INT(m->pos),
                      DBV_INT(m->rank),
                      DBV_STR(m->state),
                      m->reason ? DBV_STR(m->reason) : DBV_NUL,
                      DBV_INT(now),
                      answer_by ? DBV_INT(answer_by) : DBV_NUL};
    return db_exec(c, sql_pool_add, p, ARRAY_LEN(p), NULL, NULL);
}

enum db_status
store_pool_answer(struct dbconn *c, int64_t draw, const char *pseudonym, const char *state,
                  const char *reason, int64_t now)
{
    struct dbv p[] = {DBV_STR(state), reason ? DBV_STR(reason) : DBV_NUL, DBV_INT(now),
                      DBV_INT(draw), DBV_STR(pseudonym)};
    return db_exec(c, sql_pool_answer, p, ARRAY_LEN(p), NULL, NULL);
}

enum db_status
store_busy(struct dbconn *c, int64_t user, int64_t draw, int64_t start, int64_t end, bool *busy)
{
    struct dbv p[] = {DBV_INT(user), DBV_INT(draw), DBV_INT(end), DBV_INT(start)};
    struct dbres r;
    enum db_status st = db_query(c, sql_busy, p, ARRAY_LEN(p), &r);
    *busy = st == DB_OK && r.nrows == 1 && dbres_i64(&r, 0, DB_VALUE) > 0;
    dbres_free(&r);
    return st;
}

enum db_status
store_assignments(struct dbconn *c, int64_t user, struct dbres *out)
{
    struct dbv p[] = {DBV_INT(user)};
    return db_query(c, sql_assignments, p, 1, out);
}

#define LIVE_COMMITTEE                                                                             \
    "d.booking_id = ? AND d.kind = 'committee' AND d.state NOT IN ('cancelled', 'short')"

enum db_status
store_session_member(struct dbconn *c, int64_t booking, int64_t user, bool *yes)
{
    static const char sql[] =
        "SELECT COUNT(*) FROM draw_pool q JOIN draws d ON d.id = "
        "q.draw_id WHERE " LIVE_COMMITTEE " AND q.user_id = ? AND q.state = 'confirmed'";
    struct dbv p[] = {DBV_INT(booking), DBV_INT(user)};
    struct dbres r;
    enum db_status st = db_query(c, sql, p, ARRAY_LEN(p), &r);
    *yes = st == DB_OK && r.nrows == 1 && dbres_i64(&r, 0, DB_VALUE) > 0;
    dbres_free(&r);
    return st;
}

enum db_status
store_session_members(struct dbconn *c, int64_t booking, struct dbres *out)
{
    static const char sql[] = "SELECT DISTINCT " SESSION_MEMBER_COLS(DB_COL_SQL) DB_COL_END
        " FROM draw_pool q JOIN draws d ON d.id = q.draw_id LEFT JOIN expert_profiles p ON "
        "p.user_id = q.user_id WHERE " LIVE_COMMITTEE " AND q.state IN ('invited', 'confirmed') "
        "ORDER BY q.user_id";
    struct dbv p[] = {DBV_INT(booking)};
    return db_query(c, sql, p, ARRAY_LEN(p), out);
}

enum db_status
store_draws_place(struct dbconn *c, int64_t booking, const char *place, int64_t now)
{
    static const char sql[] =
        "UPDATE draws d SET d.place = ?, d.updated_us = ? WHERE " LIVE_COMMITTEE;
    struct dbv p[] = {DBV_STR(place), DBV_INT(now), DBV_INT(booking)};
    return db_exec(c, sql, p, ARRAY_LEN(p), NULL, NULL);
}

enum db_status
store_draws_expired(struct dbconn *c, int64_t now, struct dbres *out)
{
    struct dbv p[] = {DBV_INT(now)};
    return db_query(c, sql_expired, p, 1, out);
}

#define COMMITTEE_COLS(X)                                                                          \
    X(CM_ID, "d.id")                                                                               \
    X(CM_PROJECT, "d.project_id")                                                                  \
    X(CM_TENDERER, "d.tenderer_org_id")                                                            \
    X(CM_REPS, "d.owner_reps")                                                                     \
    X(CM_SIZE, "d.size")                                                                           \
    X(CM_STATE, "d.state")
enum { COMMITTEE_COLS(DB_COL_ENUM) CM__COUNT };
#define COMMITTEE_MEMBER_COLS(X)                                                                   \
    X(CQ_USER, "q.user_id")                                                                        \
    X(CQ_PSEUDONYM, "q.pseudonym")                                                                 \
    X(CQ_STATE, "q.state")                                                                         \
    X(CQ_ANSWERED, "q.answered_us")
enum { COMMITTEE_MEMBER_COLS(DB_COL_ENUM) CQ__COUNT };

enum db_status
experts_committee(struct dbconn *c, int64_t booking, struct experts_committee *k, bool *found)
{
    static const char sql_cdraw[] = "SELECT " COMMITTEE_COLS(DB_COL_SQL) DB_COL_END
        " FROM draws d WHERE " LIVE_COMMITTEE " ORDER BY d.id DESC LIMIT 1";
    static const char sql_members[] = "SELECT " COMMITTEE_MEMBER_COLS(DB_COL_SQL) DB_COL_END
        " FROM draw_pool q WHERE q.draw_id = ? AND q.state IN ('confirmed', 'replaced') "
        "ORDER BY q.pseudonym";
    struct dbv p[] = {DBV_INT(booking)};
    struct dbres r = {0};
    memset(k, 0, sizeof *k);
    *found = false;
    enum db_status st = db_query(c, sql_cdraw, p, 1, &r);
    if (st != DB_OK || r.nrows != 1)
        goto out;
    *found = true;
    k->draw_id = dbres_i64(&r, 0, CM_ID);
    k->project_id = dbres_i64(&r, 0, CM_PROJECT);
    k->booking_id = booking;
    k->tenderer_org_id = dbres_i64(&r, 0, CM_TENDERER);
    k->owner_reps = dbres_i64(&r, 0, CM_REPS);
    k->size = dbres_i64(&r, 0, CM_SIZE);
    snprintf(k->state, sizeof k->state, "%s", dbres_str(&r, 0, CM_STATE));
    dbres_free(&r);
    struct dbv q[] = {DBV_INT(k->draw_id)};
    if ((st = db_query(c, sql_members, q, 1, &r)) != DB_OK)
        goto out;
    for (size_t i = 0; i < r.nrows && k->n < EXPERTS_COMMITTEE_MAX; i++) {
        struct experts_member *m = &k->m[k->n++];
        m->user_id = dbres_i64(&r, i, CQ_USER);
        snprintf(m->pseudonym, sizeof m->pseudonym, "%s", dbres_str(&r, i, CQ_PSEUDONYM));
        m->replaced = !strcmp(dbres_str(&r, i, CQ_STATE), "replaced");
        m->replaced_us = m->replaced ? dbres_i64(&r, i, CQ_ANSWERED) : 0;
    }
out:
    dbres_free(&r);
    return st;
}
