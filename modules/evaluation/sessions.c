/*
 * sessions.c — a lot's evaluation session: opened by the agency that booked the evaluation
 * room, once the committee sits there; listed and viewed by whom it concerns; paused and
 * resumed by a supervisor with a recorded reason. Each act: facts (store.c) → rule (rules.c) →
 * effects, in one transaction with its audit entry.
 *
 *   POST /api/v1/evaluations                  open the session of a lot (agent)
 *   GET  /api/v1/evaluations                  the sessions the caller may see
 *   GET  /api/v1/evaluations/{id}             one, as the caller may see it
 *   POST /api/v1/evaluations/{id}/pause       a supervisor stops the session, saying why
 *   POST /api/v1/evaluations/{id}/resume      … and lets it go on
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "canon.h"
#include "internal.h"

/* ---- open ---- */

struct open_in {
    int64_t booking, lot;
};

static enum tx_result
open_tx(struct dbconn *c, struct req *r, void *arg)
{
    struct open_in *x = arg;
    struct open_facts f;
    struct open_keep k;
    struct eval_session *s = NULL;
    cJSON *pl = NULL;
    enum tx_result t = TX_DBFAIL;
    int64_t now = clock_now_us(), id = 0;
    if (store_eval_open_facts(c, &r->who, x->booking, x->lot, &f, &k) != DB_OK)
        goto out;
    struct refusal why = evaluation_rule_open(&f, now);
    if (why.code) {
        if (!f.booking_found || !f.own_agency)
            req_error(r, E_NOT_FOUND, "%s", why.why);
        else
            req_refusal(r, &why);
        t = TX_REFUSE;
        goto out;
    }
    if (!(s = calloc(1, sizeof *s)))
        goto out;
    s->project_id = k.project;
    s->lot = x->lot;
    s->booking_id = x->booking;
    s->draw_id = k.draw;
    s->agent_org_id = k.agent_org;
    s->tenderer_org_id = k.tenderer_org;
    s->category = k.category;
    for (size_t i = 0; i < k.committee.n && s->nmembers < EXPERTS_COMMITTEE_MAX; i++) {
        if (k.committee.m[i].replaced)
            continue;
        struct eval_member *m = &s->members[s->nmembers++];
        m->user_id = k.committee.m[i].user_id;
        memcpy(m->pseudonym, k.committee.m[i].pseudonym, sizeof m->pseudonym);
        m->sitting = true;
    }
    for (size_t i = 0; i < k.nreps && s->nmembers < EXPERTS_COMMITTEE_MAX; i++) {
        struct eval_member *m = &s->members[s->nmembers++]; /* the tenderer's representative */
        m->user_id = k.reps[i];
        snprintf(m->pseudonym, sizeof m->pseudonym, EVAL_REP_PREFIX "%lld", (long long)k.reps[i]);
        m->sitting = true;
    }
    for (size_t i = 0; i < k.nbids && s->nbids < EVAL_MAX_BIDS; i++) {
        struct eval_bid *b = &s->bids[s->nbids++];
        b->bid_id = k.bids[i].bid_id;
        b->org_id = k.bids[i].org_id;
        b->price_fen = k.bids[i].price_fen;
        memcpy(b->sha256, k.bids[i].sha256, sizeof b->sha256);
        memcpy(b->client, k.bids[i].client, sizeof b->client);
        b->valid = true;
    }
    if (store_eval_insert(c, s, k.method_json, k.method_ann, r->who.user_id, now, &id) != DB_OK)
        goto out;
    pl = cJSON_CreateObject();
    json_add_i64(pl, "evaluation_id", id);
    json_add_i64(pl, "lot", x->lot);
    json_add_i64(pl, "booking_id", x->booking);
    json_add_i64(pl, "draw_id", k.draw);
    json_add_i64(pl, "method_announcement_id", k.method_ann);
    cJSON_AddItemToObject(pl, "method", cJSON_Parse(k.method_json));
    cJSON *members = cJSON_AddArrayToObject(pl, "members");
    for (size_t i = 0; i < s->nmembers; i++)
        cJSON_AddItemToArray(members, cJSON_CreateString(s->members[i].pseudonym));
    json_add_i64(pl, "category", s->category); /* which law's chair rule (87号 第四十五条) */
    cJSON *bids = cJSON_AddArrayToObject(pl, "bids");
    for (size_t i = 0; i < s->nbids; i++) {
        cJSON *b = cJSON_CreateObject();
        json_add_i64(b, "bid_id", s->bids[i].bid_id);
        json_add_i64(b, "org_id", s->bids[i].org_id);
        json_add_i64(b, "price_fen", s->bids[i].price_fen);
        cJSON_AddStringToObject(b, "envelope_sha256", s->bids[i].sha256);
        cJSON_AddItemToArray(bids, b);
    }
    struct eval_fired fired[EVAL_MAX_FIRED];
    size_t nf = evaluation_rule_open_indicators(s->bids, s->nbids, k.ceiling, k.same_payer, fired,
                                                EVAL_MAX_FIRED);
    cJSON *ind = cJSON_AddArrayToObject(pl, "indicators");
    for (size_t i = 0; i < nf; i++) {
        if (store_indicator_insert(c, id, &fired[i], now) != DB_OK)
            goto out;
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "code", fired[i].code);
        cJSON_AddStringToObject(o, "subject", fired[i].subject);
        cJSON_AddStringToObject(o, "evidence", fired[i].evidence);
        cJSON_AddItemToArray(ind, o);
    }
    cJSON *ev = cJSON_CreateObject();
    cJSON_AddStringToObject(ev, "event", "opened");
    cJSON_AddStringToObject(ev, "step", "pledge");
    json_add_i64(ev, "members", (int64_t)s->nmembers);
    json_add_i64(ev, "bids", (int64_t)s->nbids);
    if (live_event(c, id, "state", ev, now) != DB_OK)
        goto out;
    for (size_t i = 0; i < nf; i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "code", fired[i].code);
        cJSON_AddStringToObject(o, "subject", fired[i].subject);
        if (live_event(c, id, "indicator", o, now) != DB_OK)
            goto out;
    }
    enum db_status st =
        audit_append(c, req_actor(r), "evaluation.open", "evaluation", id, k.project, pl, NULL);
    pl = NULL;
    if (st != DB_OK)
        goto out;
    struct eval_session loaded;
    bool found;
    if (store_eval_load(c, id, false, &loaded, &found) != DB_OK || !found)
        goto out;
    req_json(r, 201, eval_session_json(&loaded, &r->who, true));
    eval_session_free(&loaded);
    t = TX_COMMIT;
out:
    cJSON_Delete(pl);
    free(s);
    open_keep_free(&k);
    return t;
}

void
eval_open(struct req *r, const cJSON *body)
{
    struct open_in x = {json_i64(body, "booking_id", 0), json_i64(body, "lot", 0)};
    req_tx(r, open_tx, &x);
}

/* ---- list and view ---- */

static cJSON *
list_row(void *ctx, const struct dbres *s, size_t i)
{
    (void)ctx;
    cJSON *o = cJSON_CreateObject();
    json_add_i64(o, "id", dbres_i64(s, i, EL_ID));
    json_add_i64(o, "project_id", dbres_i64(s, i, EL_PROJECT));
    json_add_i64(o, "lot", dbres_i64(s, i, EL_LOT));
    cJSON_AddStringToObject(o, "step", dbres_str(s, i, EL_STEP));
    cJSON_AddStringToObject(o, "state", dbres_str(s, i, EL_STATE));
    json_add_i64(o, "opened_us", dbres_i64(s, i, EL_OPENED));
    if (dbres_str(s, i, EL_REPORTED))
        json_add_i64(o, "reported_us", dbres_i64(s, i, EL_REPORTED));
    else
        cJSON_AddNullToObject(o, "reported_us");
    return o;
}

void
eval_list(struct req *r, const cJSON *body)
{
    (void)body;
    int64_t after, limit, project = 0;
    struct dbres s = {0};
    struct dbconn *c = req_db(r);
    if (!c || !req_page(r, &after, &limit, 50, 200))
        return;
    const char *q = req_query(r, "project_id");
    if (q && !parse_i64(q, 1, INT64_MAX, &project)) {
        req_error(r, E_BAD_REQUEST, "project_id is an id");
        return;
    }
    enum db_status st = store_eval_list(c, &r->who, project, after, limit, &s);
    if (st != DB_OK)
        req_db_fail(r, c, st);
    else
        req_page_reply(r, &s, limit, "after", EL_ID, list_row, NULL);
    dbres_free(&s);
}

/* May who see session s at all? Its members (sitting or replaced), the agency that opened it,
 * the project's tenderer, center staff and supervisors; nobody else learns it exists. */
bool
eval_may_see(const struct eval_session *s, const struct principal *who)
{
    if (who->role & (ROLE_CENTER_ADMIN | ROLE_SUPERVISOR))
        return true;
    if (who->role == ROLE_AGENT)
        return who->org_id == s->agent_org_id;
    if (who->role == ROLE_TENDERER)
        return who->org_id == s->tenderer_org_id;
    return who->role == ROLE_EXPERT && eval_member_of(s, who->user_id);
}

void
eval_get(struct req *r, const cJSON *body)
{
    (void)body;
    int64_t id;
    bool found;
    struct eval_session s;
    struct dbconn *c = req_db_for(r, "id", &id);
    if (!c)
        return;
    enum db_status st = store_eval_load(c, id, false, &s, &found);
    if (st != DB_OK) {
        req_db_fail(r, c, st);
        return;
    }
    if (!found || !eval_may_see(&s, &r->who))
        req_error(r, E_NOT_FOUND, "no evaluation %lld", (long long)id);
    else
        req_json(r, 200, eval_session_json(&s, &r->who, true));
    eval_session_free(&s);
}

/* ---- pause and resume ---- */

struct pause_in {
    int64_t id;
    bool pause;
    const char *reason;
};

static enum tx_result
pause_tx(struct dbconn *c, struct req *r, void *arg)
{
    struct pause_in *x = arg;
    struct eval_session s;
    bool found;
    int64_t now = clock_now_us();
    if (store_eval_load(c, x->id, true, &s, &found) != DB_OK)
        return TX_DBFAIL;
    enum tx_result t = TX_REFUSE;
    struct refusal why;
    if (!found) {
        req_error(r, E_NOT_FOUND, "no evaluation %lld", (long long)x->id);
        goto out;
    }
    if ((why = evaluation_rule_pause(s.state, x->pause)).code) {
        req_refusal(r, &why);
        goto out;
    }
    t = TX_DBFAIL;
    snprintf(s.state, sizeof s.state, "%s", x->pause ? "paused" : "open");
    if (store_eval_update(c, &s, x->pause ? x->reason : NULL, now) != DB_OK)
        goto out;
    cJSON *ev = cJSON_CreateObject();
    cJSON_AddStringToObject(ev, "event", x->pause ? "paused" : "resumed");
    cJSON_AddStringToObject(ev, "reason", x->reason);
    if (live_event(c, s.id, "state", ev, now) != DB_OK)
        goto out;
    cJSON *pl = cJSON_CreateObject();
    json_add_i64(pl, "evaluation_id", s.id);
    cJSON_AddStringToObject(pl, "step", evaluation_steps[s.step]);
    cJSON_AddStringToObject(pl, "reason", x->reason);
    if (audit_append(c, req_actor(r), x->pause ? "evaluation.pause" : "evaluation.resume",
                     "evaluation", s.id, s.project_id, pl, NULL) != DB_OK)
        goto out;
    req_json(r, 200, eval_session_json(&s, &r->who, true));
    t = TX_COMMIT;
out:
    eval_session_free(&s);
    return t;
}

static void
pause_or_resume(struct req *r, const cJSON *body, bool pause)
{
    struct pause_in x = {.pause = pause, .reason = json_str(body, "reason")};
    if (req_param_id(r, "id", &x.id))
        req_tx(r, pause_tx, &x);
}

void
eval_pause(struct req *r, const cJSON *body)
{
    pause_or_resume(r, body, true);
}

void
eval_resume(struct req *r, const cJSON *body)
{
    pause_or_resume(r, body, false);
}

/* ---- a step sent back ---- */

struct back_in {
    int64_t id;
    bool approve;
    const char *reason;
};

/* A supervisor decides the chair's send-back: approved, the session goes back to the step asked
 * and every act from there on is no longer in force (kept, for the record); refused, it goes on. */
static enum tx_result
back_tx(struct dbconn *c, struct req *r, void *arg)
{
    struct back_in *x = arg;
    struct eval_session s;
    bool found;
    int64_t now = clock_now_us();
    if (store_eval_load(c, x->id, true, &s, &found) != DB_OK)
        return TX_DBFAIL;
    enum tx_result t = TX_REFUSE;
    struct refusal why;
    if (!found) {
        req_error(r, E_NOT_FOUND, "no evaluation %lld", (long long)x->id);
        goto out;
    }
    if ((why = evaluation_rule_send_back(&s)).code) {
        req_refusal(r, &why);
        goto out;
    }
    t = TX_DBFAIL;
    char to[16], chair_reason[1004];
    snprintf(to, sizeof to, "%s", s.back_to);
    snprintf(chair_reason, sizeof chair_reason, "%s", s.back_reason);
    enum eval_step from = s.step;
    if (x->approve) {
        evaluation_rule_go_back(&s);
        for (int k = (int)s.step; k <= STEP_REPORT; k++)
            if (store_acts_void(c, s.id, evaluation_steps[k]) != DB_OK)
                goto out;
        /* the votes start afresh too, and the corrections went with the scores */
        if (store_acts_void(c, s.id, "reject_all") != DB_OK ||
            store_acts_void(c, s.id, "correct") != DB_OK)
            goto out;
    } else
        s.back_to[0] = s.back_reason[0] = '\0';
    if (store_eval_update(c, &s, NULL, now) != DB_OK)
        goto out;
    cJSON *ev = cJSON_CreateObject();
    cJSON_AddStringToObject(ev, "event", x->approve ? "sent_back" : "send_back_refused");
    cJSON_AddStringToObject(ev, "step", evaluation_steps[s.step]);
    cJSON_AddStringToObject(ev, "reason", x->reason);
    if (live_event(c, s.id, "state", ev, now) != DB_OK)
        goto out;
    cJSON *pl = cJSON_CreateObject();
    json_add_i64(pl, "evaluation_id", s.id);
    cJSON_AddBoolToObject(pl, "approve", x->approve);
    cJSON_AddStringToObject(pl, "from", evaluation_steps[from]);
    cJSON_AddStringToObject(pl, "to", to);
    cJSON_AddStringToObject(pl, "chair_reason", chair_reason);
    cJSON_AddStringToObject(pl, "reason", x->reason);
    if (audit_append(c, req_actor(r), "evaluation.send_back", "evaluation", s.id, s.project_id, pl,
                     NULL) != DB_OK)
        goto out;
    struct eval_session again;
    if (store_eval_load(c, s.id, false, &again, &found) != DB_OK || !found)
        goto out;
    req_json(r, 200, eval_session_json(&again, &r->who, true));
    eval_session_free(&again);
    t = TX_COMMIT;
out:
    eval_session_free(&s);
    return t;
}

void
eval_send_back(struct req *r, const cJSON *body)
{
    struct back_in x = {.approve = json_bool(body, "approve", false),
                        .reason = json_str(body, "reason")};
    if (req_param_id(r, "id", &x.id))
        req_tx(r, back_tx, &x);
}
