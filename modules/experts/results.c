/*
 * results.c — what follows an evaluation: the names revealed and the members rated.
 *
 * The committee's names stay out of the log until the result is published (招标投标法 第三十七条、
 * 第四十四条; in government procurement the result notice publishes them, 财政部令第87号
 * 第六十九条). The job experts.reveal (actor system:draw-reveal) looks at every complete draw not
 * yet revealed: once its project has reached the published result (candidates_published, or
 * awarded, a state the result announcement owns), it writes draw.reveal — every walked rank's
 * pseudonym with the expert's user id and name — so the replay can name each member from then
 * on. Members never drawn stay pseudonyms.
 *
 * After the session, the project's agent and its supervisors rate each member who served
 * (POST /api/v1/draws/{id}/members/{pseudonym}/rating, 1 to 5 with a comment, once per rater and
 * member); staff see the ratings on the expert's profile, and a misconduct is then a recorded
 * suspension (POST /api/v1/experts/{id}/state).
 */
#include <stdio.h>
#include <string.h>

#include "audit.h"
#include "canon.h"
#include "entry/entry.h"
#include "internal.h"
#include "util.h"

#define BATCH 50

/* ---- ratings ---- */

struct rating_in {
    int64_t draw, score;
    const char *pseudonym, *comment;
};

static enum tx_result
rating_tx(struct dbconn *c, struct req *r, void *arg)
{
    struct rating_in *x = arg;
    struct dbres d = {0}, p = {0};
    int64_t now = clock_now_us();
    enum tx_result t = TX_DBFAIL;
    if (store_draw(c, x->draw, false, &d) != DB_OK || store_pool(c, x->draw, &p) != DB_OK)
        goto out;
    t = TX_REFUSE;
    if (d.nrows != 1) {
        req_error(r, E_NOT_FOUND, "no draw %lld", (long long)x->draw);
        goto out;
    }
    if ((t = draw_visible(c, r, &d)) != TX_COMMIT)
        goto out;
    t = TX_REFUSE;
    if (strcmp(dbres_str(&d, 0, DC_KIND), "committee")) {
        req_error(r, E_NOT_FOUND, "an agency draw's members are not rated here");
        goto out;
    }
    size_t me = p.nrows;
    for (size_t i = 0; i < p.nrows; i++)
        if (!strcmp(dbres_str(&p, i, PL_PSEUDONYM), x->pseudonym))
            me = i;
    const char *ms = me < p.nrows ? dbres_str(&p, me, PL_STATE) : NULL;
    if (!ms || (strcmp(ms, "confirmed") && strcmp(ms, "replaced"))) {
        req_error(r, E_NOT_FOUND, "no member %s served in draw %lld", x->pseudonym,
                  (long long)x->draw);
        goto out;
    }
    if (now < dbres_i64(&d, 0, DC_END)) {
        req_rule_as(r, E_CONFLICT, "DRAW-RATING-EARLY",
                    "the session has not ended: a member is rated after the evaluation");
        goto out;
    }
    t = TX_DBFAIL;
    const char *role = role_name(r->who.role);
    enum db_status st = store_rating_insert(c, x->draw, dbres_i64(&p, me, PL_USER), r->who.user_id,
                                            role, x->score, x->comment, now);
    if (st == DB_DUPLICATE) {
        req_rule_as(r, E_CONFLICT, "DRAW-RATED", "you have rated this member already");
        t = TX_REFUSE;
        goto out;
    }
    if (st != DB_OK)
        goto out;
    cJSON *pl = cJSON_CreateObject();
    json_add_i64(pl, "draw_id", x->draw);
    cJSON_AddStringToObject(pl, "pseudonym", x->pseudonym);
    json_add_i64(pl, "score", x->score);
    if (x->comment)
        cJSON_AddStringToObject(pl, "comment", x->comment);
    if (audit_append(c, req_actor(r), "draw.rating", "draw", x->draw, dbres_i64(&d, 0, DC_PROJECT),
                     pl, NULL) != DB_OK)
        goto out;
    req_empty(r, 201);
    t = TX_COMMIT;
out:
    dbres_free(&d);
    dbres_free(&p);
    return t;
}

void
member_rate(struct req *r, const cJSON *body)
{
    struct rating_in x = {.pseudonym = req_param(r, "pseudonym"),
                          .score = json_i64(body, "score", 0),
                          .comment = json_str(body, "comment")};
    if (req_param_id(r, "id", &x.draw))
        req_tx(r, rating_tx, &x);
}

/* ---- the reveal (the job) ---- */

struct reveal_ctx {
    int64_t draw, now;
    const struct actor *a;
};

static enum tx_result
reveal_tx(struct dbconn *c, void *arg)
{
    struct reveal_ctx *x = arg;
    struct dbres d = {0}, p = {0}, people = {0};
    enum tx_result t = TX_DBFAIL;
    if (store_draw(c, x->draw, true, &d) != DB_OK || d.nrows != 1 ||
        store_pool(c, x->draw, &p) != DB_OK)
        goto out;
    if (dbres_str(&d, 0, DC_REVEALED)) {
        t = TX_COMMIT; /* another node revealed it meanwhile */
        goto out;
    }
    if (experts_people(c, &p, PL_USER, &people) != DB_OK)
        goto out;
    cJSON *pl = cJSON_CreateObject();
    json_add_i64(pl, "draw_id", x->draw);
    cJSON *ms = cJSON_AddArrayToObject(pl, "members");
    for (size_t i = 0; i < p.nrows; i++) {
        cJSON *m = cJSON_CreateObject();
        cJSON_AddStringToObject(m, "pseudonym", dbres_str(&p, i, PL_PSEUDONYM));
        cJSON_AddStringToObject(m, "group", dbres_str(&p, i, PL_GROUP));
        json_add_i64(m, "rank", dbres_i64(&p, i, PL_RANK));
        cJSON_AddStringToObject(m, "state", dbres_str(&p, i, PL_STATE));
        json_add_i64(m, "user_id", dbres_i64(&p, i, PL_USER));
        cJSON_AddStringToObject(m, "name", pool_member_name(&p, i, &people));
        /* the salt shows the pseudonym was this member's from the start (draw_pseudonym) */
        cJSON_AddStringToObject(m, "salt", dbres_str(&p, i, PL_SALT));
        cJSON_AddItemToArray(ms, m);
    }
    if (store_draw_revealed(c, x->draw, x->now) != DB_OK) {
        cJSON_Delete(pl);
        goto out;
    }
    t = audit_append(c, x->a, "draw.reveal", "draw", x->draw, dbres_i64(&d, 0, DC_PROJECT), pl,
                     NULL) == DB_OK
            ? TX_COMMIT
            : TX_DBFAIL;
out:
    dbres_free(&d);
    dbres_free(&p);
    dbres_free(&people);
    return t;
}

bool
experts_job_reveal(struct dbconn *c, const struct actor *a, int64_t now_us)
{
    struct dbres d = {0};
    if (store_draws_unrevealed(c, BATCH, &d) != DB_OK) {
        dbres_free(&d);
        return false;
    }
    bool ok = true;
    for (size_t i = 0; i < d.nrows; i++) {
        struct project_view pv;
        bool found = false;
        /* an agency draw's result is the agency itself: revealed once complete */
        if (strcmp(dbres_str(&d, i, DC_KIND), "agency")) {
            if (entry_project(c, dbres_i64(&d, i, DC_PROJECT), false, &pv, &found) != DB_OK) {
                ok = false;
                continue;
            }
            if (!found || !experts_rule_result_published(pv.state))
                continue;
        }
        struct reveal_ctx x = {dbres_i64(&d, i, DC_ID), now_us, a};
        if (db_tx(c, reveal_tx, &x) != DB_OK) {
            log_warn("experts_job_reveal: draw %lld: %s", (long long)x.draw, db_last_error(c));
            ok = false;
        }
    }
    dbres_free(&d);
    return ok;
}
