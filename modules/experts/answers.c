/*
 * answers.c — the drawn experts' answers and what follows from them. An expert sees only their
 * own assignments (time and place, not the project) and confirms or declines each with a
 * statement signed by their certified key; a decline, or no answer within the draw's window
 * (the job experts.answers-expire, actor system:draw-monitor), is replaced by the next of the
 * same group's draw order. Only confirmations count; once every group has its count the draw is
 * complete; a group whose order (or reserves) runs out leaves the draw short, for the agent.
 *
 *   GET  /api/v1/experts/me/assignments              the caller's own
 *   POST /api/v1/experts/me/assignments/{id}/answer  confirm or decline draw id
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accounts/accounts.h"
#include "audit.h"
#include "canon.h"
#include "crypto.h"
#include "draw.h"
#include "calendar.h"
#include "internal.h"
#include "outbox/outbox.h"
#include "util.h"

#define ANSWER_DOMAIN "ggzy-draw-answer-v1"

/* ---- filling the committee ---- */

/* Tell an invited expert when and where (never the project): their inbox, and the external
 * channels at their phone. */
static enum db_status
invite(struct dbconn *c, const struct dbres *d, const struct pool_member *pm, int64_t answer_by,
       int64_t now)
{
    struct dbres p = {0};
    char from[24], to[24], by[24], body[1400];
    int64_t msg;
    enum db_status st = store_profile(c, pm->user, false, &p);
    if (st != DB_OK)
        goto out;
    cal_format_minute(dbres_i64(d, 0, DC_START), from);
    cal_format_minute(dbres_i64(d, 0, DC_END), to);
    cal_format_minute(answer_by, by);
    snprintf(body, sizeof body,
             "您被随机抽取为评标专家：%s 至 %s，地点：%s。请于 %s 前在平台以本人证书确认或拒绝"
             "（抽取 %lld）。You were drawn as an evaluation expert: %s to %s (UTC+8) at the "
             "place above; confirm or decline on the platform with your key before %s.",
             from, to, dbres_str(d, 0, DC_PLACE), by, (long long)dbres_i64(d, 0, DC_ID), from, to,
             by);
    struct outbox_msg m = {.user = pm->user,
                           .kind = "draw.invitation",
                           .subject = "评标专家抽取通知 An evaluation assignment",
                           .body = body,
                           .ref_type = "draw",
                           .ref_id = dbres_i64(d, 0, DC_ID),
                           .address = p.nrows == 1 ? dbres_str(&p, 0, PC_PHONE) : NULL};
    st = outbox_send(c, &m, now, &msg);
out:
    dbres_free(&p);
    return st;
}

enum db_status
draw_fill(struct dbconn *c, const struct dbres *d, int64_t now, cJSON *steps, bool *short_)
{
    struct dbres p = {0}, mp = {0};
    int64_t id = dbres_i64(d, 0, DC_ID), reserves = dbres_i64(d, 0, DC_RESERVES);
    int64_t start = dbres_i64(d, 0, DC_START), end = dbres_i64(d, 0, DC_END);
    int64_t answer_by = now + dbres_i64(d, 0, DC_ANSWER_MIN) * 60 * INT64_C(1000000);
    uint8_t seed[32];
    size_t *order = NULL;
    const cJSON **members = NULL;
    cJSON *map = NULL;
    *short_ = false;
    cJSON *groups = cJSON_Parse(dbres_str(d, 0, DC_GROUPS)), *g;
    enum db_status st =
        groups && dbres_str(d, 0, DC_SEED) && hex_decode(dbres_str(d, 0, DC_SEED), seed, 32)
            ? store_pool(c, id, &p)
            : DB_ERROR;
    if (st == DB_OK)
        st = store_pool_map(c, id, &mp);
    if (st == DB_OK && !(mp.nrows == 1 && (map = cJSON_Parse(dbres_str(&mp, 0, DB_VALUE)))))
        st = DB_ERROR;
    size_t total = map ? (size_t)cJSON_GetArraySize(map) : 0;
    if (st == DB_OK && !(members = calloc(total + 1, sizeof *members)))
        st = DB_ERROR;
    cJSON_ArrayForEach(g, groups)
    {
        if (st != DB_OK)
            break;
        const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(g, "specialty"));
        int64_t count = json_i64(g, "count", 0), held = 0, ranks = 0;
        /* the group's members in pool order: the map is the pool, sorted by pseudonym */
        size_t m = 0;
        const cJSON *it;
        cJSON_ArrayForEach(it, map)
        {
            const char *gn = cJSON_GetStringValue(cJSON_GetArrayItem(it, 2));
            if (gn && !strcmp(gn, name))
                members[m++] = it;
        }
        for (size_t i = 0; i < p.nrows; i++)
            if (!strcmp(dbres_str(&p, i, PL_GROUP), name)) {
                const char *s = dbres_str(&p, i, PL_STATE);
                ranks++;
                held += !strcmp(s, "invited") || !strcmp(s, "confirmed");
            }
        /* the order of the whole walk this group may make: its count and its reserves */
        size_t k = (size_t)(count + reserves) < m ? (size_t)(count + reserves) : m;
        free(order);
        order = calloc(k + 1, sizeof *order);
        if (!order || !draw_order(seed, name, m, k, order)) {
            st = DB_ERROR;
            break;
        }
        while (held < count && st == DB_OK) {
            if ((size_t)ranks >= k) {
                *short_ = true;
                break;
            }
            const cJSON *who = members[order[ranks]];
            struct pool_member pm = {
                .pseudonym = cJSON_GetStringValue(cJSON_GetArrayItem(who, 0)),
                .salt = cJSON_GetStringValue(cJSON_GetArrayItem(who, 3)),
                .group = name,
                .user = (int64_t)cJSON_GetNumberValue(cJSON_GetArrayItem(who, 1)),
                .pos = (int64_t)order[ranks],
                .rank = ranks,
            };
            bool busy = false, agency = !strcmp(dbres_str(d, 0, DC_KIND), "agency");
            if (!pm.pseudonym || !pm.salt) {
                st = DB_ERROR;
                break;
            }
            /* one expert, one place: the write makes two draws of this expert conflict */
            if (!agency && ((st = store_profile_touch(c, pm.user)) != DB_OK ||
                            (st = store_busy(c, pm.user, id, start, end, &busy)) != DB_OK))
                break;
            /* an agency drawn is the tenderer's agency: nothing to confirm */
            pm.state = agency ? "confirmed" : busy ? "skipped" : "invited";
            pm.reason = busy ? "busy" : NULL;
            st = store_pool_add(c, id, &pm, now, busy || agency ? 0 : answer_by);
            if (st == DB_OK && !busy && !agency)
                st = invite(c, d, &pm, answer_by, now);
            cJSON *step = cJSON_CreateObject();
            cJSON_AddStringToObject(step, "group", name);
            json_add_i64(step, "rank", ranks);
            cJSON_AddStringToObject(step, "pseudonym", pm.pseudonym);
            cJSON_AddStringToObject(step, "state", pm.state);
            if (busy)
                cJSON_AddStringToObject(step, "reason", "busy");
            cJSON_AddItemToArray(steps, step);
            held += !busy;
            ranks++;
        }
    }
    free(order);
    free(members);
    cJSON_Delete(map);
    cJSON_Delete(groups);
    dbres_free(&p);
    dbres_free(&mp);
    OPENSSL_cleanse(seed, sizeof seed);
    return st;
}

/* Is every group's count confirmed? */
static enum db_status
draw_complete(struct dbconn *c, const struct dbres *d, bool *done)
{
    struct dbres p = {0};
    cJSON *groups = cJSON_Parse(dbres_str(d, 0, DC_GROUPS)), *g;
    enum db_status st = groups ? store_pool(c, dbres_i64(d, 0, DC_ID), &p) : DB_ERROR;
    *done = st == DB_OK;
    cJSON_ArrayForEach(g, groups)
    {
        const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(g, "specialty"));
        int64_t n = 0;
        for (size_t i = 0; i < p.nrows; i++)
            n += !strcmp(dbres_str(&p, i, PL_GROUP), name) && dbres_str(&p, i, PL_STATE) &&
                 !strcmp(dbres_str(&p, i, PL_STATE), "confirmed");
        *done = *done && n >= json_i64(g, "count", 0);
    }
    cJSON_Delete(groups);
    dbres_free(&p);
    return st;
}

/* After a change of members: refill, then mark the draw short or complete. The new state goes
 * into pl. */
static enum db_status
settle(struct dbconn *c, const struct dbres *d, int64_t now, cJSON *pl)
{
    cJSON *steps = cJSON_AddArrayToObject(pl, "steps");
    bool short_ = false, done = false;
    enum db_status st = draw_fill(c, d, now, steps, &short_);
    if (st == DB_OK && !short_)
        st = draw_complete(c, d, &done);
    const char *to = short_ ? "short" : done ? "complete" : "drawn";
    if (st == DB_OK && strcmp(to, dbres_str(d, 0, DC_STATE)))
        st = store_draw_state(c, dbres_i64(d, 0, DC_ID), to, now);
    cJSON_AddStringToObject(pl, "state", to);
    return st;
}

/* ---- an expert's own ---- */

void
assignment_list(struct req *r, const cJSON *body)
{
    (void)body;
    struct dbres s = {0};
    struct dbconn *c = req_db(r);
    if (!c)
        return;
    enum db_status st = store_assignments(c, r->who.user_id, &s);
    if (st != DB_OK) {
        req_db_fail(r, c, st);
        return;
    }
    cJSON *o = cJSON_CreateObject(), *items = cJSON_AddArrayToObject(o, "items");
    for (size_t i = 0; i < s.nrows; i++)
        cJSON_AddItemToArray(items, assignment_json(&s, i));
    dbres_free(&s);
    req_json(r, 200, o);
}

struct answer_in {
    int64_t draw, signed_us;
    bool accept;
    const char *reason, *key_id, *signature;
};

static enum tx_result
answer_tx(struct dbconn *c, struct req *r, void *arg)
{
    struct answer_in *x = arg;
    struct dbres d = {0}, p = {0};
    struct signing_key k = {0};
    cJSON *fields = NULL, *pl = NULL;
    int64_t now = clock_now_us();
    enum tx_result t = TX_DBFAIL;
    if (store_draw(c, x->draw, true, &d) != DB_OK || store_pool(c, x->draw, &p) != DB_OK)
        goto out;
    size_t me = p.nrows;
    for (size_t i = 0; i < p.nrows; i++)
        if (dbres_i64(&p, i, PL_USER) == r->who.user_id && dbres_str(&p, i, PL_STATE) &&
            strcmp(dbres_str(&p, i, PL_STATE), "skipped"))
            me = i;
    t = TX_REFUSE;
    if (d.nrows != 1 || me == p.nrows) {
        /* not drawn there, or not even in the pool: nothing to tell */
        req_error(r, E_NOT_FOUND, "no assignment of yours for draw %lld", (long long)x->draw);
        goto out;
    }
    const char *state = dbres_str(&p, me, PL_STATE);
    if (strcmp(state, "invited") || strcmp(dbres_str(&d, 0, DC_STATE), "drawn")) {
        req_transition_refused(r, state, x->accept ? "confirmed" : "declined",
                               "this assignment is %s: it takes no answer", state);
        goto out;
    }
    if (dbres_i64(&p, me, PL_ANSWER_BY) < now) {
        req_rule_as(r, E_CONFLICT, "DRAW-ANSWER-LATE",
                    "the time to answer has passed: the assignment has gone to the next expert");
        goto out;
    }
    const char *pseud = dbres_str(&p, me, PL_PSEUDONYM);
    fields = cJSON_CreateObject();
    cJSON_AddBoolToObject(fields, "accept", x->accept);
    json_add_i64(fields, "draw_id", x->draw);
    cJSON_AddStringToObject(fields, "platform", experts_cfg->platform_id);
    cJSON_AddStringToObject(fields, "pseudonym", pseud);
    json_add_i64(fields, "signed_us", x->signed_us);
    json_add_i64(fields, "user_id", r->who.user_id);
    if ((t = draw_check_act(c, r, ANSWER_DOMAIN, fields, x->key_id, x->signed_us, x->signature, now,
                            &k)) != TX_COMMIT)
        goto out;
    t = TX_DBFAIL;
    const char *to = x->accept ? "confirmed" : "declined";
    if (store_pool_answer(c, x->draw, pseud, to, x->reason, now) != DB_OK)
        goto out;
    pl = cJSON_CreateObject();
    json_add_i64(pl, "draw_id", x->draw);
    cJSON_AddStringToObject(pl, "pseudonym", pseud);
    cJSON_AddStringToObject(pl, "answer", to);
    if (x->reason)
        cJSON_AddStringToObject(pl, "reason", x->reason);
    cJSON *sa = accounts_signed_json(&k, ANSWER_DOMAIN, fields, x->signature);
    if (!sa)
        goto out;
    cJSON_AddItemToObject(pl, "signed", sa);
    if (settle(c, &d, now, pl) != DB_OK)
        goto out;
    enum db_status st = audit_append(c, req_actor(r), "draw.answer", "draw", x->draw,
                                     dbres_i64(&d, 0, DC_PROJECT), pl, NULL);
    pl = NULL;
    if (st != DB_OK)
        goto out;
    cJSON *o = cJSON_CreateObject();
    json_add_i64(o, "draw_id", x->draw);
    cJSON_AddStringToObject(o, "state", to);
    req_json(r, 200, o);
    t = TX_COMMIT;
out:
    cJSON_Delete(fields);
    cJSON_Delete(pl);
    accounts_signing_key_free(&k);
    dbres_free(&d);
    dbres_free(&p);
    return t;
}

void
assignment_answer(struct req *r, const cJSON *body)
{
    struct answer_in x = {.signed_us = json_i64(body, "signed_us", 0),
                          .accept = json_bool(body, "accept", false),
                          .reason = json_str(body, "reason"),
                          .key_id = json_str(body, "key_id"),
                          .signature = json_str(body, "signature")};
    if (req_param_id(r, "id", &x.draw))
        req_tx(r, answer_tx, &x);
}

/* ---- a member replaced during the evaluation ---- */

struct replace_in {
    int64_t draw;
    const char *pseudonym, *cause, *reason;
};

/* Center staff replace a confirmed member (recusal, illness): the member's conclusions are void
 * from now (实施条例 第四十六条、第四十八条; the evaluation capability reads void_from_us), and
 * the next of the same group's order is invited. */
static enum tx_result
replace_tx(struct dbconn *c, struct req *r, void *arg)
{
    struct replace_in *x = arg;
    struct dbres d = {0}, p = {0};
    cJSON *pl = NULL;
    int64_t now = clock_now_us();
    enum tx_result t = TX_DBFAIL;
    if (store_draw(c, x->draw, true, &d) != DB_OK || store_pool(c, x->draw, &p) != DB_OK)
        goto out;
    t = TX_REFUSE;
    size_t me = p.nrows;
    for (size_t i = 0; i < p.nrows; i++)
        if (!strcmp(dbres_str(&p, i, PL_PSEUDONYM), x->pseudonym))
            me = i;
    if (d.nrows != 1 || me == p.nrows) {
        req_error(r, E_NOT_FOUND, "no member %s of draw %lld", x->pseudonym, (long long)x->draw);
        goto out;
    }
    const char *ds = dbres_str(&d, 0, DC_STATE), *ms = dbres_str(&p, me, PL_STATE);
    if ((strcmp(ds, "complete") && strcmp(ds, "drawn")) || strcmp(ms, "confirmed")) {
        req_transition_refused(r, strcmp(ms, "confirmed") ? ms : ds, "replaced",
                               "only a confirmed member of a drawn or complete committee is "
                               "replaced (the member is %s, the draw %s)",
                               ms, ds);
        goto out;
    }
    t = TX_DBFAIL;
    char why[480];
    snprintf(why, sizeof why, "%s: %s", x->cause, x->reason);
    if (store_pool_answer(c, x->draw, x->pseudonym, "replaced", why, now) != DB_OK)
        goto out;
    pl = cJSON_CreateObject();
    json_add_i64(pl, "draw_id", x->draw);
    cJSON_AddStringToObject(pl, "pseudonym", x->pseudonym);
    cJSON_AddStringToObject(pl, "cause", x->cause);
    cJSON_AddStringToObject(pl, "reason", x->reason);
    json_add_i64(pl, "void_from_us", now);
    if (settle(c, &d, now, pl) != DB_OK)
        goto out;
    enum db_status st = audit_append(c, req_actor(r), "draw.replace", "draw", x->draw,
                                     dbres_i64(&d, 0, DC_PROJECT), pl, NULL);
    pl = NULL;
    if (st != DB_OK)
        goto out;
    req_empty(r, 200);
    t = TX_COMMIT;
out:
    cJSON_Delete(pl);
    dbres_free(&d);
    dbres_free(&p);
    return t;
}

void
member_replace(struct req *r, const cJSON *body)
{
    struct replace_in x = {.pseudonym = req_param(r, "pseudonym"),
                           .cause = json_str(body, "cause"),
                           .reason = json_str(body, "reason")};
    if (req_param_id(r, "id", &x.draw))
        req_tx(r, replace_tx, &x);
}

/* ---- no answer in time (the job) ---- */

struct expire_ctx {
    int64_t draw, now;
    const struct actor *a;
};

static enum tx_result
expire_tx(struct dbconn *c, void *arg)
{
    struct expire_ctx *x = arg;
    struct dbres d = {0}, p = {0};
    cJSON *pl = NULL;
    enum tx_result t = TX_DBFAIL;
    if (store_draw(c, x->draw, true, &d) != DB_OK || d.nrows != 1 ||
        store_pool(c, x->draw, &p) != DB_OK)
        goto out;
    pl = cJSON_CreateObject();
    json_add_i64(pl, "draw_id", x->draw);
    cJSON *gone = cJSON_AddArrayToObject(pl, "expired");
    for (size_t i = 0; i < p.nrows; i++) {
        const char *s = dbres_str(&p, i, PL_STATE);
        if (s && !strcmp(s, "invited") && dbres_i64(&p, i, PL_ANSWER_BY) < x->now) {
            if (store_pool_answer(c, x->draw, dbres_str(&p, i, PL_PSEUDONYM), "expired",
                                  "no answer in time", x->now) != DB_OK)
                goto out;
            cJSON_AddItemToArray(gone, cJSON_CreateString(dbres_str(&p, i, PL_PSEUDONYM)));
        }
    }
    if (!cJSON_GetArraySize(gone) || strcmp(dbres_str(&d, 0, DC_STATE), "drawn")) {
        t = TX_COMMIT; /* answered or cancelled meanwhile: nothing to log */
        goto out;
    }
    if (settle(c, &d, x->now, pl) != DB_OK)
        goto out;
    enum db_status st = audit_append(c, x->a, "draw.expire", "draw", x->draw,
                                     dbres_i64(&d, 0, DC_PROJECT), pl, NULL);
    pl = NULL;
    t = st == DB_OK ? TX_COMMIT : TX_DBFAIL;
out:
    cJSON_Delete(pl);
    dbres_free(&d);
    dbres_free(&p);
    return t;
}

bool
experts_job_expire(struct dbconn *c, const struct actor *a, int64_t now_us)
{
    struct dbres ids = {0};
    if (store_draws_expired(c, now_us, &ids) != DB_OK) {
        dbres_free(&ids);
        return false;
    }
    bool ok = true;
    for (size_t i = 0; i < ids.nrows; i++) {
        struct expire_ctx x = {dbres_i64(&ids, i, DB_VALUE), now_us, a};
        if (db_tx(c, expire_tx, &x) != DB_OK) {
            log_warn("experts_job_expire: draw %lld: %s", (long long)x.draw, db_last_error(c));
            ok = false;
        }
    }
    dbres_free(&ids);
    return ok;
}
