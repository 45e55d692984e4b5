/*
 * store.c — the evaluation module's SQL (see store.h), and the loading of each act's facts,
 * which reads the earlier stages through their public functions (venues_session,
 * experts_committee, venues_signed_in, bids_opened_lot, announce_evaluation_method).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "announce/announce.h"
#include "deposits/deposits.h"
#include "canon.h"
#include "entry/entry.h"
#include "internal.h"
#include "store.h"
#include "venues/venues.h"

#define SESSION_COLS(X)                                                                            \
    X(SC_ID, "id")                                                                                 \
    X(SC_PROJECT, "project_id")                                                                    \
    X(SC_LOT, "lot_seq")                                                                           \
    X(SC_BOOKING, "booking_id")                                                                    \
    X(SC_DRAW, "draw_id")                                                                          \
    X(SC_AGENT, "agent_org_id")                                                                    \
    X(SC_TENDERER, "tenderer_org_id")                                                              \
    X(SC_CATEGORY, "category")                                                                     \
    X(SC_METHOD, "method_json")                                                                    \
    X(SC_STEP, "step")                                                                             \
    X(SC_SEATS, "seats")                                                                           \
    X(SC_ROUND, "chair_round")                                                                     \
    X(SC_EXTENSIONS, "extensions")                                                                 \
    X(SC_CHAIR, "chair_user")                                                                      \
    X(SC_BACK_TO, "back_to")                                                                       \
    X(SC_BACK_REASON, "back_reason")                                                               \
    X(SC_STATE, "state")                                                                           \
    X(SC_REPORT, "report_json")                                                                    \
    X(SC_OPENED, "opened_us")
enum { SESSION_COLS(DB_COL_ENUM) SC__COUNT };
#define MEMBER_COLS(X)                                                                             \
    X(MC_USER, "user_id")                                                                          \
    X(MC_PSEUDONYM, "pseudonym")                                                                   \
    X(MC_SITTING, "sitting")
enum { MEMBER_COLS(DB_COL_ENUM) MC__COUNT };
#define BID_COLS(X)                                                                                \
    X(BC_BID, "bid_id")                                                                            \
    X(BC_ORG, "org_id")                                                                            \
    X(BC_PRICE, "price_fen")                                                                       \
    X(BC_SHA, "envelope_sha256")                                                                   \
    X(BC_REJECTED, "rejected_at")
enum { BID_COLS(DB_COL_ENUM) BC__COUNT };
#define ACT_COLS(X)                                                                                \
    X(AC_USER, "user_id")                                                                          \
    X(AC_KIND, "kind")                                                                             \
    X(AC_ROUND, "round")                                                                           \
    X(AC_PAYLOAD, "payload")                                                                       \
    X(AC_SIGNED, "signed_us")
enum { ACT_COLS(DB_COL_ENUM) AC__COUNT };

static const char sql_get[] =
    "SELECT " SESSION_COLS(DB_COL_SQL) DB_COL_END " FROM evaluations WHERE id = ?";
static const char sql_get_lock[] =
    "SELECT " SESSION_COLS(DB_COL_SQL) DB_COL_END " FROM evaluations WHERE id = ? FOR UPDATE";
static const char sql_members[] = "SELECT " MEMBER_COLS(DB_COL_SQL) DB_COL_END
    " FROM evaluation_members WHERE evaluation_id = ? ORDER BY pseudonym";
static const char sql_bids[] = "SELECT " BID_COLS(DB_COL_SQL) DB_COL_END
    " FROM evaluation_bids WHERE evaluation_id = ? ORDER BY bid_id";
static const char sql_acts[] = "SELECT " ACT_COLS(DB_COL_SQL) DB_COL_END
    " FROM evaluation_acts WHERE evaluation_id = ? AND void_seq = 0 ORDER BY id";
static const char sql_exists[] =
    "SELECT COUNT(*) FROM evaluations WHERE project_id = ? AND lot_seq = ?";
static const char sql_insert[] =
    "INSERT INTO evaluations (project_id, lot_seq, booking_id, draw_id, agent_org_id, "
    "tenderer_org_id, category, method_json, method_ann_id, seats, step, state, opened_by, "
    "opened_us, updated_us) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pledge', 'open', ?, ?, ?)";
static const char sql_member_ins[] = "INSERT INTO evaluation_members (evaluation_id, user_id, "
                                     "pseudonym, sitting) VALUES (?, ?, ?, ?)";
static const char sql_bid_ins[] = "INSERT INTO evaluation_bids (evaluation_id, bid_id, org_id, "
                                  "price_fen, envelope_sha256) VALUES (?, ?, ?, ?, ?)";
static const char sql_act_ins[] =
    "INSERT INTO evaluation_acts (evaluation_id, user_id, kind, round, payload, key_id, "
    "signature, signed_us, created_us) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char sql_update[] =
    "UPDATE evaluations SET step = ?, chair_round = ?, extensions = ?, chair_user = ?, state = ?, "
    "pause_reason = ?, report_json = ?, reported_us = IF(? IS NULL, reported_us, ?), "
    "back_to = ?, back_reason = ?, updated_us = ? WHERE id = ?";
static const char sql_bid_reject[] =
    "UPDATE evaluation_bids SET rejected_at = ? WHERE evaluation_id = ? AND bid_id = ?";
static const char sql_list[] = "SELECT " EVAL_LIST_COLS(DB_COL_SQL) DB_COL_END
    " FROM evaluations e WHERE (? = 0 OR e.id > ?) AND (? = 0 OR e.project_id = ?) AND "
    "(? = 0 OR e.agent_org_id = ?) AND (? = 0 OR e.tenderer_org_id = ?) AND (? = 0 OR EXISTS "
    "(SELECT 1 FROM evaluation_members m "
    "WHERE m.evaluation_id = e.id AND m.user_id = ?)) ORDER BY e.id LIMIT ?";

static enum db_status load_indicators(struct dbconn *c, int64_t id, cJSON **out);

void
open_keep_free(struct open_keep *k)
{
    free(k->method_json);
    free(k->bids);
    cJSON_Delete(k->same_payer);
    k->same_payer = NULL;
    k->method_json = NULL;
    k->bids = NULL;
}

static bool
lot_listed(const char *lots, int64_t lot)
{
    char want[24];
    snprintf(want, sizeof want, "%lld", (long long)lot);
    size_t n = strlen(want);
    for (const char *p = lots; p && *p;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        if (len == n && !memcmp(p, want, n))
            return true;
        p += len + (comma != NULL);
    }
    return false;
}

enum db_status
store_eval_open_facts(struct dbconn *c, const struct principal *who, int64_t booking, int64_t lot,
                      struct open_facts *f, struct open_keep *k)
{
    struct venue_session vs;
    struct project_view v;
    bool found;
    memset(f, 0, sizeof *f);
    memset(k, 0, sizeof *k);
    f->purpose = k->purpose;
    f->booking_state = k->booking_state;
    f->project_state = k->project_state;
    f->committee_state = k->committee_state;
    enum db_status st = venues_session(c, booking, &vs, &found);
    if (st != DB_OK || !found)
        return st;
    f->booking_found = true;
    f->own_agency = vs.agent_org_id == who->org_id;
    f->lot_in_booking = lot_listed(vs.lots, lot);
    snprintf(k->purpose, sizeof k->purpose, "%s", vs.purpose);
    snprintf(k->booking_state, sizeof k->booking_state, "%s", vs.state);
    f->start_us = k->start_us = vs.start_us;
    f->end_us = k->end_us = vs.end_us;
    k->project = vs.project_id;
    k->agent_org = vs.agent_org_id;
    if ((st = entry_project(c, vs.project_id, true, &v, &found)) != DB_OK)
        return st;
    snprintf(k->project_state, sizeof k->project_state, "%s", found ? v.state : "unknown");
    k->category = v.category;
    k->tenderer_org = v.tenderer_org_id;
    struct dbv p[] = {DBV_INT(vs.project_id), DBV_INT(lot)};
    struct dbres r;
    if ((st = db_query(c, sql_exists, p, 2, &r)) != DB_OK) {
        dbres_free(&r);
        return st;
    }
    f->exists = r.nrows == 1 && dbres_i64(&r, 0, DB_VALUE) > 0;
    dbres_free(&r);
    if ((st = bids_opened_lot(c, vs.project_id, lot, &f->lot_opened, &k->bids, &k->nbids)) != DB_OK)
        return st;
    f->nbids = k->nbids;
    bool have_estimate;
    if ((st = entry_lot_estimate(c, vs.project_id, (int)lot, &k->ceiling, &have_estimate)) != DB_OK)
        return st;
    if (!have_estimate)
        k->ceiling = 0;
    k->same_payer = deposits_same_payer(c, vs.project_id, lot, &st);
    if (st != DB_OK)
        return st;
    if ((st = announce_evaluation_method(c, vs.project_id, &k->method_json, &k->method_ann)) !=
        DB_OK)
        return st;
    f->method_found = k->method_json != NULL;
    if (f->method_found) {
        struct scoring_method m;
        cJSON *j = cJSON_Parse(k->method_json);
        f->method = scoring_rule_method(j, (enum category)k->category, &m);
        cJSON_Delete(j);
    }
    if ((st = experts_committee(c, booking, &k->committee, &f->committee_found)) != DB_OK)
        return st;
    k->draw = k->committee.draw_id;
    snprintf(k->committee_state, sizeof k->committee_state, "%s", k->committee.state);
    for (size_t i = 0; i < k->committee.n; i++) {
        if (k->committee.m[i].replaced)
            continue;
        int64_t at;
        f->sitting++;
        if ((st = venues_signed_in(c, booking, k->committee.m[i].user_id, &at)) != DB_OK)
            return st;
        if (at)
            f->signed_in++;
        else if (!k->absent[0])
            snprintf(k->absent, sizeof k->absent, "%s", k->committee.m[i].pseudonym);
    }
    f->absent = k->absent[0] ? k->absent : NULL;
    /* the tenderer's representatives designated for the booking, and signed in there */
    f->owner_reps = k->committee.owner_reps;
    struct dbres reps = {0};
    if ((st = store_reps(c, booking, &reps)) != DB_OK) {
        dbres_free(&reps);
        return st;
    }
    for (size_t i = 0; i < reps.nrows && (int64_t)f->reps < f->owner_reps; i++) {
        int64_t at, user = dbres_i64(&reps, i, DB_VALUE);
        f->reps++;
        if (k->nreps < EXPERTS_COMMITTEE_MAX)
            k->reps[k->nreps++] = user;
        if ((st = venues_signed_in(c, booking, user, &at)) != DB_OK)
            break;
        if (at)
            f->reps_signed_in++;
        else if (!k->absent_rep[0])
            snprintf(k->absent_rep, sizeof k->absent_rep, EVAL_REP_PREFIX "%lld", (long long)user);
    }
    dbres_free(&reps);
    f->absent_rep = k->absent_rep[0] ? k->absent_rep : NULL;
    return st;
}

enum db_status
store_eval_insert(struct dbconn *c, const struct eval_session *s, const char *method_json,
                  int64_t method_ann, int64_t user, int64_t now, int64_t *id)
{
    struct dbv p[] = {DBV_INT(s->project_id),
                      DBV_INT(s->lot),
                      DBV_INT(s->booking_id),
                      DBV_INT(s->draw_id),
                      DBV_INT(s->agent_org_id),
                      DBV_INT(s->tenderer_org_id),
                      DBV_STR(category_name((enum category)s->category)),
                      DBV_STR(method_json),
                      DBV_INT(method_ann),
                      DBV_INT((int64_t)s->nmembers),
                      DBV_INT(user),
                      DBV_INT(now),
                      DBV_INT(now)};
    uint64_t iid = 0;
    enum db_status st = db_exec(c, sql_insert, p, ARRAY_LEN(p), NULL, &iid);
    *id = (int64_t)iid;
    for (size_t i = 0; st == DB_OK && i < s->nmembers; i++) {
        struct dbv m[] = {DBV_INT(*id), DBV_INT(s->members[i].user_id),
                          DBV_STR(s->members[i].pseudonym), DBV_INT(s->members[i].sitting)};
        st = db_exec(c, sql_member_ins, m, ARRAY_LEN(m), NULL, NULL);
    }
    for (size_t i = 0; st == DB_OK && i < s->nbids; i++) {
        struct dbv b[] = {DBV_INT(*id), DBV_INT(s->bids[i].bid_id), DBV_INT(s->bids[i].org_id),
                          DBV_INT(s->bids[i].price_fen), DBV_STR(s->bids[i].sha256)};
        st = db_exec(c, sql_bid_ins, b, ARRAY_LEN(b), NULL, NULL);
    }
    return st;
}

void
eval_session_free(struct eval_session *s)
{
    for (size_t i = 0; i < s->nacts; i++)
        cJSON_Delete(s->acts[i].payload);
    free(s->acts);
    free(s->report);
    cJSON_Delete(s->clarifications);
    cJSON_Delete(s->indicators);
    s->clarifications = s->indicators = NULL;
    s->acts = NULL;
    s->report = NULL;
    s->nacts = 0;
}

enum db_status
store_eval_load(struct dbconn *c, int64_t id, bool lock, struct eval_session *s, bool *found)
{
    struct dbv p[] = {DBV_INT(id)};
    struct dbres r = {0};
    memset(s, 0, sizeof *s);
    *found = false;
    enum db_status st = db_query(c, lock ? sql_get_lock : sql_get, p, 1, &r);
    if (st != DB_OK || r.nrows != 1)
        goto out;
    *found = true;
    s->id = id;
    s->project_id = dbres_i64(&r, 0, SC_PROJECT);
    s->lot = dbres_i64(&r, 0, SC_LOT);
    s->booking_id = dbres_i64(&r, 0, SC_BOOKING);
    s->draw_id = dbres_i64(&r, 0, SC_DRAW);
    s->agent_org_id = dbres_i64(&r, 0, SC_AGENT);
    s->tenderer_org_id = dbres_i64(&r, 0, SC_TENDERER);
    s->category = category_from_name(dbres_str(&r, 0, SC_CATEGORY));
    s->step = (enum eval_step)evaluation_rule_step(dbres_str(&r, 0, SC_STEP));
    s->chair_round = (int)dbres_i64(&r, 0, SC_ROUND);
    s->extensions = (int)dbres_i64(&r, 0, SC_EXTENSIONS);
    s->seats = (size_t)dbres_i64(&r, 0, SC_SEATS);
    snprintf(s->back_to, sizeof s->back_to, "%s",
             dbres_str(&r, 0, SC_BACK_TO) ? dbres_str(&r, 0, SC_BACK_TO) : "");
    snprintf(s->back_reason, sizeof s->back_reason, "%s",
             dbres_str(&r, 0, SC_BACK_REASON) ? dbres_str(&r, 0, SC_BACK_REASON) : "");
    s->chair_user = dbres_str(&r, 0, SC_CHAIR) ? dbres_i64(&r, 0, SC_CHAIR) : 0;
    s->opened_us = dbres_i64(&r, 0, SC_OPENED);
    snprintf(s->state, sizeof s->state, "%s", dbres_str(&r, 0, SC_STATE));
    if (dbres_str(&r, 0, SC_REPORT) && !(s->report = strdup(dbres_str(&r, 0, SC_REPORT)))) {
        st = DB_ERROR;
        goto out;
    }
    cJSON *mj = cJSON_Parse(dbres_str(&r, 0, SC_METHOD));
    struct scoring_refusal mf = scoring_rule_method(mj, (enum category)s->category, &s->method);
    cJSON_Delete(mj);
    if (mf.code || s->category < 0 || (int)s->step < 0) {
        log_error("evaluation %lld: its stored row does not parse (%s)", (long long)id,
                  mf.code ? mf.why : "category or step");
        st = DB_ERROR;
        goto out;
    }
    dbres_free(&r);
    if ((st = db_query(c, sql_members, p, 1, &r)) != DB_OK)
        goto out;
    for (size_t i = 0; i < r.nrows && s->nmembers < EXPERTS_COMMITTEE_MAX; i++) {
        struct eval_member *m = &s->members[s->nmembers++];
        m->user_id = dbres_i64(&r, i, MC_USER);
        snprintf(m->pseudonym, sizeof m->pseudonym, "%s", dbres_str(&r, i, MC_PSEUDONYM));
        m->sitting = dbres_i64(&r, i, MC_SITTING) != 0;
    }
    dbres_free(&r);
    if ((st = db_query(c, sql_bids, p, 1, &r)) != DB_OK)
        goto out;
    for (size_t i = 0; i < r.nrows && s->nbids < EVAL_MAX_BIDS; i++) {
        struct eval_bid *b = &s->bids[s->nbids++];
        b->bid_id = dbres_i64(&r, i, BC_BID);
        b->org_id = dbres_i64(&r, i, BC_ORG);
        b->price_fen = dbres_i64(&r, i, BC_PRICE);
        snprintf(b->sha256, sizeof b->sha256, "%s", dbres_str(&r, i, BC_SHA));
        b->valid = !dbres_str(&r, i, BC_REJECTED);
        snprintf(b->rejected_at, sizeof b->rejected_at, "%s",
                 b->valid ? "" : dbres_str(&r, i, BC_REJECTED));
    }
    dbres_free(&r);
    if ((st = db_query(c, sql_acts, p, 1, &r)) != DB_OK)
        goto out;
    if (r.nrows && !(s->acts = calloc(r.nrows, sizeof *s->acts))) {
        st = DB_ERROR;
        goto out;
    }
    for (size_t i = 0; i < r.nrows; i++) {
        struct eval_act *a = &s->acts[s->nacts++];
        a->user_id = dbres_i64(&r, i, AC_USER);
        a->round = (int)dbres_i64(&r, i, AC_ROUND);
        a->signed_us = dbres_i64(&r, i, AC_SIGNED);
        snprintf(a->kind, sizeof a->kind, "%s", dbres_str(&r, i, AC_KIND));
        if (!(a->payload = cJSON_Parse(dbres_str(&r, i, AC_PAYLOAD)))) {
            st = DB_ERROR;
            goto out;
        }
    }
    dbres_free(&r);
    if ((st = store_clar_list(c, id, 0, 0, 1000, &r)) != DB_OK)
        goto out;
    s->clarifications = cJSON_CreateArray();
    for (size_t i = 0; i < r.nrows && i < 1000; i++)
        cJSON_AddItemToArray(s->clarifications, eval_clar_json(NULL, &r, i));
    st = load_indicators(c, id, &s->indicators);
out:
    dbres_free(&r);
    if (st != DB_OK)
        eval_session_free(s);
    return st;
}

enum db_status
store_eval_act_insert(struct dbconn *c, int64_t id, int64_t user, const char *kind, int round,
                      const char *payload, const char *key_id, const char *signature,
                      int64_t signed_us, int64_t now)
{
    struct dbv p[] = {DBV_INT(id),        DBV_INT(user),      DBV_STR(kind),
                      DBV_INT(round),     DBV_STR(payload),   DBV_STR(key_id),
                      DBV_STR(signature), DBV_INT(signed_us), DBV_INT(now)};
    return db_exec(c, sql_act_ins, p, ARRAY_LEN(p), NULL, NULL);
}

enum db_status
store_eval_update(struct dbconn *c, const struct eval_session *s, const char *pause_reason,
                  int64_t now)
{
    bool reported = !strcmp(s->state, "reported");
    struct dbv p[] = {DBV_STR(evaluation_steps[s->step]),
                      DBV_INT(s->chair_round),
                      DBV_INT(s->extensions),
                      s->chair_user ? DBV_INT(s->chair_user) : DBV_NUL,
                      DBV_STR(s->state),
                      pause_reason ? DBV_STR(pause_reason) : DBV_NUL,
                      s->report ? DBV_STR(s->report) : DBV_NUL,
                      reported ? DBV_INT(now) : DBV_NUL,
                      reported ? DBV_INT(now) : DBV_NUL,
                      s->back_to[0] ? DBV_STR(s->back_to) : DBV_NUL,
                      s->back_to[0] ? DBV_STR(s->back_reason) : DBV_NUL,
                      DBV_INT(now),
                      DBV_INT(s->id)};
    enum db_status st = db_exec(c, sql_update, p, ARRAY_LEN(p), NULL, NULL);
    for (size_t i = 0; st == DB_OK && i < s->nbids; i++) {
        struct dbv b[] = {s->bids[i].valid ? DBV_NUL : DBV_STR(s->bids[i].rejected_at),
                          DBV_INT(s->id), DBV_INT(s->bids[i].bid_id)};
        st = db_exec(c, sql_bid_reject, b, ARRAY_LEN(b), NULL, NULL);
    }
    return st;
}

enum db_status
store_eval_list(struct dbconn *c, const struct principal *who, int64_t project, int64_t after,
                int64_t limit, struct dbres *out)
{
    int64_t agency = who->role == ROLE_AGENT ? who->org_id : 0;
    int64_t owner = who->role == ROLE_TENDERER ? who->org_id : 0;
    int64_t member = who->role == ROLE_EXPERT ? who->user_id : 0;
    struct dbv p[] = {DBV_INT(after),  DBV_INT(after),  DBV_INT(project),  DBV_INT(project),
                      DBV_INT(agency), DBV_INT(agency), DBV_INT(owner),    DBV_INT(owner),
                      DBV_INT(member), DBV_INT(member), DBV_INT(limit + 1)};
    return db_query(c, sql_list, p, ARRAY_LEN(p), out);
}

/* ---- the award ---- */

#define PLOT_COLS(X)                                                                               \
    X(PL_ID, "id")                                                                                 \
    X(PL_LOT, "lot_seq")                                                                           \
    X(PL_STATE, "state")                                                                           \
    X(PL_REPORT, "report_json")                                                                    \
    X(PL_REPORTED, "reported_us")
enum { PLOT_COLS(DB_COL_ENUM) PL__COUNT };
#define DECISION_COLS(X)                                                                           \
    X(DE_LOT, "lot_seq")                                                                           \
    X(DE_BID, "bid_id")                                                                            \
    X(DE_ORG, "org_id")                                                                            \
    X(DE_PRICE, "price_fen")                                                                       \
    X(DE_RANK, "candidate_rank")                                                                   \
    X(DE_DECIDED, "decided_us")                                                                    \
    X(DE_NOTICED, "noticed_us")
enum { DECISION_COLS(DB_COL_ENUM) DE__COUNT };
#define CONTRACT_COLS(X)                                                                           \
    X(CO_ID, "id")                                                                                 \
    X(CO_LOT, "lot_seq")                                                                           \
    X(CO_STATE, "state")                                                                           \
    X(CO_PRICE, "price_fen")                                                                       \
    X(CO_DOC, "document_sha256")                                                                   \
    X(CO_SIGNED, "signed_us")
enum { CONTRACT_COLS(DB_COL_ENUM) CO__COUNT };

static struct lot_result *
award_lot(struct award_project *p, int64_t lot)
{
    for (size_t i = 0; i < p->nlots; i++)
        if (p->lots[i].lot == lot)
            return &p->lots[i];
    return NULL;
}

/* The candidates of a signed report: the first ranked, as many as its "candidates" says. */
static void
report_candidates(const char *report, struct lot_result *l)
{
    cJSON *j = cJSON_Parse(report), *x;
    const cJSON *cand = cJSON_GetObjectItemCaseSensitive(j, "candidates");
    cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(j, "ranking"))
    {
        if (l->ncand >= 3 || l->ncand >= (size_t)cJSON_GetArraySize(cand))
            break;
        struct award_candidate *c = &l->cand[l->ncand++];
        c->bid_id = json_i64(x, "bid_id", 0);
        c->org_id = json_i64(x, "org_id", 0);
        c->price_fen = json_i64(x, "price_fen", 0);
        c->rank = (int)json_i64(x, "rank", 0);
    }
    cJSON_Delete(j);
}

enum db_status
store_award_project(struct dbconn *c, const struct project_view *v, struct award_project *p,
                    char state_buf[32])
{
    static const char sql_evals[] = "SELECT " PLOT_COLS(DB_COL_SQL) DB_COL_END
        " FROM evaluations WHERE project_id = ? ORDER BY lot_seq";
    static const char sql_decisions[] = "SELECT " DECISION_COLS(DB_COL_SQL) DB_COL_END
        " FROM award_decisions WHERE project_id = ? ORDER BY lot_seq";
    static const char sql_contracts[] = "SELECT " CONTRACT_COLS(DB_COL_SQL) DB_COL_END
        " FROM award_contracts WHERE project_id = ? ORDER BY lot_seq";
    struct dbv q[] = {DBV_INT(v->id)};
    struct dbres r = {0};
    memset(p, 0, sizeof *p);
    snprintf(state_buf, 32, "%s", v->state);
    p->project_state = state_buf;
    p->legally_required = v->legally_required;
    p->category = v->category;
    p->tenderer_org = v->tenderer_org_id;
    p->agent_org = v->agent_org_id;
    bool found;
    int64_t published;
    int64_t deadline = 0, opening = 0, ann = 0;
    enum db_status st = announce_publicity(c, v->id, &published, &p->publicity_until_us, &found);
    if (st == DB_OK &&
        (st = announce_bid_times(c, v->id, &deadline, &opening, &ann, &found)) == DB_OK && found &&
        deadline)
        p->validity_end_us = p->validity_first_us = deposits_validity_end(deadline);
    /* the latest extension the tenderer asked, and who refused it (暂行规定 第四十条) */
    if (st == DB_OK && (st = store_validity_requests(c, v->id, &r)) == DB_OK && r.nrows &&
        dbres_i64(&r, 0, VR_UNTIL) > p->validity_end_us) {
        int64_t request = dbres_i64(&r, 0, VR_ID);
        p->validity_end_us = dbres_i64(&r, 0, VR_UNTIL);
        p->validity_first_us = dbres_i64(&r, 0, VR_FROM);
        dbres_free(&r);
        if ((st = store_validity_answers(c, request, &r)) == DB_OK)
            for (size_t i = 0; i < r.nrows && p->nrefused < EVAL_MAX_BIDS; i++)
                if (!dbres_i64(&r, i, VA_AGREE))
                    p->refused[p->nrefused++] = dbres_i64(&r, i, VA_ORG);
    }
    dbres_free(&r);
    if (st != DB_OK || (st = entry_lots(c, v->id, &r)) != DB_OK)
        goto out;
    for (size_t i = 0; i < r.nrows && p->nlots < AWARD_MAX_LOTS; i++) {
        bool opened;
        struct bid_opened *b = NULL;
        size_t n;
        if ((st = bids_opened_lot(c, v->id, dbres_i64(&r, i, LC_SEQ), &opened, &b, &n)) != DB_OK)
            goto out;
        free(b);
        if (opened)
            p->lots[p->nlots++].lot = dbres_i64(&r, i, LC_SEQ);
    }
    dbres_free(&r);
    if ((st = db_query(c, sql_evals, q, 1, &r)) != DB_OK)
        goto out;
    for (size_t i = 0; i < r.nrows; i++) {
        struct lot_result *l = award_lot(p, dbres_i64(&r, i, PL_LOT));
        if (!l)
            continue;
        l->evaluation_id = dbres_i64(&r, i, PL_ID);
        l->reported = !strcmp(dbres_str(&r, i, PL_STATE), "reported");
        l->reported_us = l->reported ? dbres_i64(&r, i, PL_REPORTED) : 0;
        if (l->reported && dbres_str(&r, i, PL_REPORT))
            report_candidates(dbres_str(&r, i, PL_REPORT), l);
    }
    dbres_free(&r);
    if ((st = db_query(c, sql_decisions, q, 1, &r)) != DB_OK)
        goto out;
    for (size_t i = 0; i < r.nrows; i++) {
        struct lot_result *l = award_lot(p, dbres_i64(&r, i, DE_LOT));
        if (!l)
            continue;
        l->decided = true;
        l->won =
            (struct award_candidate){dbres_i64(&r, i, DE_BID), dbres_i64(&r, i, DE_ORG),
                                     dbres_i64(&r, i, DE_PRICE), (int)dbres_i64(&r, i, DE_RANK)};
        l->decided_us = dbres_i64(&r, i, DE_DECIDED);
        l->noticed_us = dbres_str(&r, i, DE_NOTICED) ? dbres_i64(&r, i, DE_NOTICED) : 0;
    }
    dbres_free(&r);
    if ((st = db_query(c, sql_contracts, q, 1, &r)) != DB_OK)
        goto out;
    for (size_t i = 0; i < r.nrows; i++) {
        struct lot_result *l = award_lot(p, dbres_i64(&r, i, CO_LOT));
        if (!l)
            continue;
        l->contract_id = dbres_i64(&r, i, CO_ID);
        l->contract_price = dbres_i64(&r, i, CO_PRICE);
        snprintf(l->contract_state, sizeof l->contract_state, "%s", dbres_str(&r, i, CO_STATE));
        snprintf(l->contract_doc, sizeof l->contract_doc, "%s", dbres_str(&r, i, CO_DOC));
        l->contract_signed_us = dbres_str(&r, i, CO_SIGNED) ? dbres_i64(&r, i, CO_SIGNED) : 0;
    }
    dbres_free(&r);
    if ((st = store_result_objection_pending(c, v->id, &r)) != DB_OK)
        goto out;
    for (size_t i = 0; i < r.nrows; i++) {
        struct lot_result *l = award_lot(p, dbres_i64(&r, i, OB_LOT));
        if (l)
            l->objections_pending++;
    }
out:
    dbres_free(&r);
    return st;
}

enum db_status
store_award_insert(struct dbconn *c, int64_t project, const struct lot_result *l,
                   const char *reason, int64_t user, const char *key_id, const char *signature,
                   int64_t signed_us, int64_t now)
{
    static const char sql[] =
        "INSERT INTO award_decisions (project_id, lot_seq, evaluation_id, bid_id, org_id, "
        "price_fen, candidate_rank, reason, decided_by, key_id, signature, signed_us, decided_us) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    struct dbv p[] = {DBV_INT(project),
                      DBV_INT(l->lot),
                      DBV_INT(l->evaluation_id),
                      DBV_INT(l->won.bid_id),
                      DBV_INT(l->won.org_id),
                      DBV_INT(l->won.price_fen),
                      DBV_INT(l->won.rank),
                      reason ? DBV_STR(reason) : DBV_NUL,
                      DBV_INT(user),
                      DBV_STR(key_id),
                      DBV_STR(signature),
                      DBV_INT(signed_us),
                      DBV_INT(now)};
    return db_exec(c, sql, p, ARRAY_LEN(p), NULL, NULL);
}

enum db_status
store_award_noticed(struct dbconn *c, int64_t project, int64_t now)
{
    static const char sql[] =
        "UPDATE award_decisions SET noticed_us = ? WHERE project_id = ? AND noticed_us IS NULL";
    struct dbv p[] = {DBV_INT(now), DBV_INT(project)};
    return db_exec(c, sql, p, 2, NULL, NULL);
}

enum db_status
store_contract_offer(struct dbconn *c, int64_t project, const struct lot_result *l, int64_t price,
                     const char *doc, int64_t user, const char *key_id, const char *signature,
                     int64_t signed_us, int64_t now, int64_t *id)
{
    static const char sql[] =
        "INSERT INTO award_contracts (project_id, lot_seq, org_id, price_fen, document_sha256, "
        "state, tenderer_user, tenderer_key, tenderer_signature, tenderer_signed_us, created_us) "
        "VALUES (?, ?, ?, ?, ?, 'offered', ?, ?, ?, ?, ?)";
    struct dbv p[] = {DBV_INT(project), DBV_INT(l->lot),    DBV_INT(l->won.org_id),
                      DBV_INT(price),   DBV_STR(doc),       DBV_INT(user),
                      DBV_STR(key_id),  DBV_STR(signature), DBV_INT(signed_us),
                      DBV_INT(now)};
    uint64_t iid = 0;
    enum db_status st = db_exec(c, sql, p, ARRAY_LEN(p), NULL, &iid);
    *id = (int64_t)iid;
    return st;
}

enum db_status
store_contract_sign(struct dbconn *c, int64_t id, int64_t user, const char *key_id,
                    const char *signature, int64_t signed_us, int64_t now)
{
    static const char sql[] =
        "UPDATE award_contracts SET state = 'signed', bidder_user = ?, bidder_key = ?, "
        "bidder_signature = ?, bidder_signed_us = ?, signed_us = ? WHERE id = ? AND state = "
        "'offered'";
    struct dbv p[] = {DBV_INT(user),      DBV_STR(key_id), DBV_STR(signature),
                      DBV_INT(signed_us), DBV_INT(now),    DBV_INT(id)};
    return db_exec(c, sql, p, ARRAY_LEN(p), NULL, NULL);
}

/* ---- clarifications ---- */

enum db_status
store_clar_insert(struct dbconn *c, int64_t evaluation, int64_t bid, int64_t org, int64_t user,
                  const char *question, int64_t answer_by, int64_t now, int64_t *id)
{
    static const char sql[] =
        "INSERT INTO evaluation_clarifications (evaluation_id, bid_id, org_id, asked_by, "
        "question, answer_by_us, asked_us) VALUES (?, ?, ?, ?, ?, ?, ?)";
    struct dbv p[] = {DBV_INT(evaluation), DBV_INT(bid),       DBV_INT(org), DBV_INT(user),
                      DBV_STR(question),   DBV_INT(answer_by), DBV_INT(now)};
    uint64_t iid = 0;
    enum db_status st = db_exec(c, sql, p, ARRAY_LEN(p), NULL, &iid);
    *id = (int64_t)iid;
    return st;
}

enum db_status
store_clar_get(struct dbconn *c, int64_t id, bool lock, struct eval_clar *k, bool *found)
{
    static const char sql[] =
        "SELECT " CLAR_COLS(DB_COL_SQL) DB_COL_END " FROM evaluation_clarifications WHERE id = ?";
    static const char sql_lock[] = "SELECT " CLAR_COLS(DB_COL_SQL) DB_COL_END
        " FROM evaluation_clarifications WHERE id = ? FOR UPDATE";
    struct dbv p[] = {DBV_INT(id)};
    struct dbres r;
    enum db_status st = db_query(c, lock ? sql_lock : sql, p, 1, &r);
    memset(k, 0, sizeof *k);
    *found = st == DB_OK && r.nrows == 1;
    if (*found) {
        k->id = id;
        k->evaluation_id = dbres_i64(&r, 0, KC_EVAL);
        k->bid_id = dbres_i64(&r, 0, KC_BID);
        k->org_id = dbres_i64(&r, 0, KC_ORG);
        k->answer_by_us = dbres_i64(&r, 0, KC_BY);
        k->answered = dbres_str(&r, 0, KC_ANSWERED) != NULL;
        k->found = dbres_str(&r, 0, KC_SUBST) != NULL;
    }
    dbres_free(&r);
    return st;
}

enum db_status
store_clar_answer(struct dbconn *c, int64_t id, int64_t user, const char *answer,
                  const char *key_id, const char *signature, int64_t now)
{
    static const char sql[] =
        "UPDATE evaluation_clarifications SET answer = ?, answered_by = ?, answer_key = ?, "
        "answer_signature = ?, answered_us = ? WHERE id = ? AND answered_us IS NULL";
    struct dbv p[] = {DBV_STR(answer),    DBV_INT(user), DBV_STR(key_id),
                      DBV_STR(signature), DBV_INT(now),  DBV_INT(id)};
    return db_exec(c, sql, p, ARRAY_LEN(p), NULL, NULL);
}

enum db_status
store_clar_finding(struct dbconn *c, int64_t id, bool substantive, const char *note, int64_t now)
{
    static const char sql[] = "UPDATE evaluation_clarifications SET substantive = ?, "
                              "finding_note = ?, found_us = ? WHERE id = ?";
    struct dbv p[] = {DBV_INT(substantive), DBV_STR(note), DBV_INT(now), DBV_INT(id)};
    return db_exec(c, sql, p, ARRAY_LEN(p), NULL, NULL);
}

enum db_status
store_clar_list(struct dbconn *c, int64_t evaluation, int64_t org, int64_t after, int64_t limit,
                struct dbres *out)
{
    static const char sql[] = "SELECT " CLAR_COLS(DB_COL_SQL) DB_COL_END
        " FROM evaluation_clarifications WHERE (? = 0 OR evaluation_id = ?) AND (? = 0 OR "
        "org_id = ?) AND id > ? ORDER BY id LIMIT ?";
    struct dbv p[] = {DBV_INT(evaluation), DBV_INT(evaluation), DBV_INT(org),
                      DBV_INT(org),        DBV_INT(after),      DBV_INT(limit + 1)};
    return db_query(c, sql, p, ARRAY_LEN(p), out);
}

/* ---- indicators ---- */

#define INDICATOR_COLS(X)                                                                          \
    X(IN_CODE, "code")                                                                             \
    X(IN_SUBJECT, "subject")                                                                       \
    X(IN_EVIDENCE, "evidence")                                                                     \
    X(IN_FIRED, "fired_us")
enum { INDICATOR_COLS(DB_COL_ENUM) IN__COUNT };

enum db_status
store_indicator_insert(struct dbconn *c, int64_t evaluation, const struct eval_fired *f,
                       int64_t now)
{
    static const char sql[] = "INSERT INTO evaluation_indicators (evaluation_id, code, subject, "
                              "evidence, fired_us) VALUES (?, ?, ?, ?, ?)";
    struct dbv p[] = {DBV_INT(evaluation), DBV_STR(f->code), DBV_STR(f->subject),
                      DBV_STR(f->evidence), DBV_INT(now)};
    return db_exec(c, sql, p, ARRAY_LEN(p), NULL, NULL);
}

static enum db_status
load_indicators(struct dbconn *c, int64_t id, cJSON **out)
{
    static const char sql[] = "SELECT " INDICATOR_COLS(DB_COL_SQL) DB_COL_END
        " FROM evaluation_indicators WHERE evaluation_id = ? ORDER BY id";
    struct dbv p[] = {DBV_INT(id)};
    struct dbres r;
    enum db_status st = db_query(c, sql, p, 1, &r);
    *out = st == DB_OK ? cJSON_CreateArray() : NULL;
    for (size_t i = 0; *out && i < r.nrows; i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "code", dbres_str(&r, i, IN_CODE));
        cJSON_AddStringToObject(o, "subject", dbres_str(&r, i, IN_SUBJECT));
        cJSON_AddStringToObject(o, "evidence", dbres_str(&r, i, IN_EVIDENCE));
        json_add_i64(o, "fired_us", dbres_i64(&r, i, IN_FIRED));
        cJSON_AddItemToArray(*out, o);
    }
    dbres_free(&r);
    return st;
}

enum db_status
store_member_set(struct dbconn *c, int64_t evaluation, int64_t user, const char *pseudonym,
                 bool sitting)
{
    static const char sql[] = "INSERT INTO evaluation_members (evaluation_id, user_id, pseudonym, "
                              "sitting) VALUES (?, ?, ?, ?) ON DUPLICATE KEY UPDATE sitting = "
                              "VALUES(sitting)";
    struct dbv p[] = {DBV_INT(evaluation), DBV_INT(user), DBV_STR(pseudonym), DBV_INT(sitting)};
    return db_exec(c, sql, p, ARRAY_LEN(p), NULL, NULL);
}

enum db_status
store_eval_reports(struct dbconn *c, int64_t project, struct dbres *out)
{
    static const char sql[] = "SELECT " REPORT_COLS(DB_COL_SQL) DB_COL_END
        " FROM evaluations WHERE project_id = ? AND state = 'reported' ORDER BY lot_seq";
    struct dbv p[] = {DBV_INT(project)};
    return db_query(c, sql, p, 1, out);
}

/* ---- the deadlines ---- */

#define DEADLINE_COLS(X)                                                                           \
    X(DL_DUE, "due_us")                                                                            \
    X(DL_WARNED, "warned_us")                                                                      \
    X(DL_FLAGGED, "flagged_us")
enum { DEADLINE_COLS(DB_COL_ENUM) DLC__COUNT };

enum db_status
store_deadline_projects(struct dbconn *c, struct dbres *out)
{
    /* the projects with an evaluation session whose last deadline is not flagged: the job reads
     * each through the facts of its deadlines */
    static const char sql[] = "SELECT DISTINCT e.project_id FROM evaluations e WHERE NOT EXISTS "
                              "(SELECT 1 FROM award_deadlines d WHERE d.project_id = e.project_id "
                              "AND d.kind = 'report' AND d.flagged_us IS NOT NULL) ORDER BY "
                              "e.project_id";
    return db_query(c, sql, NULL, 0, out);
}

enum db_status
store_deadline_get(struct dbconn *c, int64_t project, const char *kind, int64_t due, bool *warned,
                   bool *flagged)
{
    static const char sql[] = "SELECT " DEADLINE_COLS(DB_COL_SQL) DB_COL_END
        " FROM award_deadlines WHERE project_id = ? AND kind = ?";
    struct dbv p[] = {DBV_INT(project), DBV_STR(kind)};
    struct dbres r;
    enum db_status st = db_query(c, sql, p, 2, &r);
    /* a due time that moved (a new report) starts afresh */
    bool same = st == DB_OK && r.nrows == 1 && dbres_i64(&r, 0, DL_DUE) == due;
    *warned = same && dbres_str(&r, 0, DL_WARNED);
    *flagged = same && dbres_str(&r, 0, DL_FLAGGED);
    dbres_free(&r);
    return st;
}

enum db_status
store_deadline_mark(struct dbconn *c, int64_t project, const char *kind, int64_t due, bool flag,
                    int64_t now)
{
    static const char sql[] =
        "INSERT INTO award_deadlines (project_id, kind, due_us, warned_us, flagged_us) VALUES "
        "(?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE warned_us = IF(due_us = VALUES(due_us), "
        "COALESCE(VALUES(warned_us), warned_us), VALUES(warned_us)), flagged_us = "
        "IF(due_us = VALUES(due_us), COALESCE(VALUES(flagged_us), flagged_us), "
        "VALUES(flagged_us)), due_us = VALUES(due_us)";
    struct dbv p[] = {DBV_INT(project), DBV_STR(kind), DBV_INT(due), flag ? DBV_NUL : DBV_INT(now),
                      flag ? DBV_INT(now) : DBV_NUL};
    return db_exec(c, sql, p, ARRAY_LEN(p), NULL, NULL);
}

/* ---- a signed act's signature ---- */

enum act_check
store_signed_act(struct dbconn *c, const struct req *r, const char *domain, cJSON *fields,
                 const char *key_id, int64_t signed_us, const char *signature, int64_t now,
                 struct signing_key *k, const char **rule, char *why, size_t whylen)
{
    cJSON_AddStringToObject(fields, "platform", evaluation_cfg->platform_id);
    json_add_i64(fields, "signed_us", signed_us);
    json_add_i64(fields, "user_id", r->who.user_id);
    return accounts_check_act(c, r->who.user_id, key_id, signed_us, domain, fields, signature, now,
                              EVAL_SKEW_US, k, rule, why, whylen);
}

/* ---- the tenderer's representatives ---- */

enum db_status
store_rep_insert(struct dbconn *c, int64_t booking, int64_t user, int64_t org, int64_t by,
                 const char *key_id, const char *signature, int64_t signed_us, int64_t now)
{
    static const char sql[] =
        "INSERT INTO evaluation_representatives (booking_id, user_id, org_id, designated_by, "
        "key_id, signature, signed_us, created_us) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
    struct dbv p[] = {DBV_INT(booking), DBV_INT(user),      DBV_INT(org),       DBV_INT(by),
                      DBV_STR(key_id),  DBV_STR(signature), DBV_INT(signed_us), DBV_INT(now)};
    return db_exec(c, sql, p, ARRAY_LEN(p), NULL, NULL);
}

enum db_status
store_reps(struct dbconn *c, int64_t booking, struct dbres *out)
{
    static const char sql[] = "SELECT user_id, " DB_COL_END " FROM evaluation_representatives "
                              "WHERE booking_id = ? ORDER BY created_us, user_id";
    struct dbv p[] = {DBV_INT(booking)};
    return db_query(c, sql, p, 1, out);
}

enum db_status
store_booking_sessions(struct dbconn *c, int64_t booking, struct dbres *out)
{
    static const char sql[] =
        "SELECT (SELECT COUNT(*) FROM evaluations WHERE booking_id = ?), (SELECT COUNT(*) FROM "
        "evaluations WHERE booking_id = ? AND state <> 'reported'), (SELECT COUNT(DISTINCT "
        "m.user_id) FROM evaluation_members m JOIN evaluations e ON e.id = m.evaluation_id WHERE "
        "e.booking_id = ? AND m.pseudonym LIKE 'rep-%' AND m.sitting = 0), " DB_COL_END;
    struct dbv p[] = {DBV_INT(booking), DBV_INT(booking), DBV_INT(booking)};
    return db_query(c, sql, p, 3, out);
}

/* ---- the bid validity's extension ---- */

enum db_status
store_validity_requests(struct dbconn *c, int64_t project, struct dbres *out)
{
    static const char sql[] = "SELECT " VALIDITY_COLS(DB_COL_SQL) DB_COL_END
        " FROM bid_validity_requests WHERE project_id = ? ORDER BY until_us DESC";
    struct dbv p[] = {DBV_INT(project)};
    return db_query(c, sql, p, 1, out);
}

enum db_status
store_validity_request_insert(struct dbconn *c, int64_t project, int64_t until, int64_t from,
                              int64_t user, const char *key_id, const char *signature,
                              int64_t signed_us, int64_t now)
{
    static const char sql[] =
        "INSERT INTO bid_validity_requests (project_id, until_us, from_us, asked_by, key_id, "
        "signature, signed_us, asked_us) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
    struct dbv p[] = {DBV_INT(project), DBV_INT(until),     DBV_INT(from),      DBV_INT(user),
                      DBV_STR(key_id),  DBV_STR(signature), DBV_INT(signed_us), DBV_INT(now)};
    return db_exec(c, sql, p, ARRAY_LEN(p), NULL, NULL);
}

enum db_status
store_validity_answers(struct dbconn *c, int64_t request, struct dbres *out)
{
    static const char sql[] = "SELECT " VANSWER_COLS(DB_COL_SQL) DB_COL_END
        " FROM bid_validity_answers WHERE request_id = ? ORDER BY org_id";
    struct dbv p[] = {DBV_INT(request)};
    return db_query(c, sql, p, 1, out);
}

enum db_status
store_validity_answer_insert(struct dbconn *c, int64_t request, int64_t org, bool agree,
                             int64_t user, const char *key_id, const char *signature,
                             int64_t signed_us, int64_t now)
{
    static const char sql[] =
        "INSERT INTO bid_validity_answers (request_id, org_id, agree, user_id, key_id, signature, "
        "signed_us, answered_us) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
    struct dbv p[] = {DBV_INT(request), DBV_INT(org),       DBV_INT(agree),     DBV_INT(user),
                      DBV_STR(key_id),  DBV_STR(signature), DBV_INT(signed_us), DBV_INT(now)};
    return db_exec(c, sql, p, ARRAY_LEN(p), NULL, NULL);
}

/* ---- objections to the result ---- */

enum db_status
store_result_objection_insert(struct dbconn *c, int64_t project, int64_t lot, int64_t org,
                              int64_t user, const char *text, const char *key_id,
                              const char *signature, int64_t signed_us, int64_t due, int64_t now,
                              int64_t *id)
{
    static const char sql[] =
        "INSERT INTO award_objections (project_id, lot_seq, org_id, user_id, text, key_id, "
        "signature, signed_us, filed_us, answer_due_us) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    struct dbv p[] = {DBV_INT(project), DBV_INT(lot),    DBV_INT(org),       DBV_INT(user),
                      DBV_STR(text),    DBV_STR(key_id), DBV_STR(signature), DBV_INT(signed_us),
                      DBV_INT(now),     DBV_INT(due)};
    uint64_t iid = 0;
    enum db_status st = db_exec(c, sql, p, ARRAY_LEN(p), NULL, &iid);
    *id = (int64_t)iid;
    return st;
}

enum db_status
store_result_objection_get(struct dbconn *c, int64_t id, bool lock, struct dbres *out)
{
    static const char sql[] =
        "SELECT " OBJECTION_COLS(DB_COL_SQL) DB_COL_END " FROM award_objections WHERE id = ?";
    static const char sql_lock[] = "SELECT " OBJECTION_COLS(DB_COL_SQL) DB_COL_END
        " FROM award_objections WHERE id = ? FOR UPDATE";
    struct dbv p[] = {DBV_INT(id)};
    return db_query(c, lock ? sql_lock : sql, p, 1, out);
}

enum db_status
store_result_objection_answer(struct dbconn *c, int64_t id, int64_t user, const char *answer,
                              bool upheld, const char *key_id, const char *signature,
                              int64_t signed_us, int64_t now)
{
    static const char sql[] =
        "UPDATE award_objections SET answer = ?, upheld = ?, answer_user = ?, answer_key = ?, "
        "answer_signature = ?, answer_signed_us = ?, answered_us = ? WHERE id = ? AND "
        "answered_us IS NULL";
    struct dbv p[] = {DBV_STR(answer),    DBV_INT(upheld),    DBV_INT(user), DBV_STR(key_id),
                      DBV_STR(signature), DBV_INT(signed_us), DBV_INT(now),  DBV_INT(id)};
    uint64_t n = 0;
    enum db_status st = db_exec(c, sql, p, ARRAY_LEN(p), &n, NULL);
    return st == DB_OK && n != 1 ? DB_ERROR : st;
}

enum db_status
store_result_objection_list(struct dbconn *c, int64_t project, int64_t org, int64_t after,
                            int64_t limit, struct dbres *out)
{
    static const char sql[] = "SELECT " OBJECTION_COLS(DB_COL_SQL) DB_COL_END
        " FROM award_objections WHERE project_id = ? AND (? = 0 OR org_id = ? OR answered_us IS "
        "NOT NULL) AND id > ? ORDER BY id LIMIT ?";
    struct dbv p[] = {DBV_INT(project), DBV_INT(org), DBV_INT(org), DBV_INT(after),
                      DBV_INT(limit + 1)};
    return db_query(c, sql, p, ARRAY_LEN(p), out);
}

enum db_status
store_result_objection_pending(struct dbconn *c, int64_t project, struct dbres *out)
{
    static const char sql[] = "SELECT " OBJECTION_COLS(DB_COL_SQL) DB_COL_END
        " FROM award_objections WHERE project_id = ? AND answered_us IS NULL ORDER BY id";
    struct dbv p[] = {DBV_INT(project)};
    return db_query(c, sql, p, 1, out);
}

/* ---- the live record ---- */

enum db_status
store_live_insert(struct dbconn *c, int64_t evaluation, const char *cls, const char *data,
                  int64_t now)
{
    static const char sql[] = "INSERT INTO evaluation_events (evaluation_id, class, data, "
                              "created_us) VALUES (?, ?, ?, ?)";
    struct dbv p[] = {DBV_INT(evaluation), DBV_STR(cls), DBV_STR(data), DBV_INT(now)};
    return db_exec(c, sql, p, ARRAY_LEN(p), NULL, NULL);
}

enum db_status
store_live_after(struct dbconn *c, int64_t evaluation, int64_t after, struct dbres *out)
{
    static const char sql[] = "SELECT " EVENT_COLS(DB_COL_SQL) DB_COL_END
        " FROM evaluation_events WHERE evaluation_id = ? AND id > ? ORDER BY id LIMIT 1000";
    struct dbv p[] = {DBV_INT(evaluation), DBV_INT(after)};
    return db_query(c, sql, p, 2, out);
}

enum db_status
store_acts_void(struct dbconn *c, int64_t evaluation, const char *kind)
{
    static const char sql[] = "UPDATE evaluation_acts SET void_seq = id WHERE evaluation_id = ? "
                              "AND kind = ? AND void_seq = 0";
    struct dbv p[] = {DBV_INT(evaluation), DBV_STR(kind)};
    return db_exec(c, sql, p, 2, NULL, NULL);
}
