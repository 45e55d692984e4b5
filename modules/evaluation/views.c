/*
 * views.c — the JSON of a session, the one place it is shaped, as the caller may see it: the
 * progress (who acted on which step, when) to everyone who may see the session; the reviews'
 * decisions and the drafted result to its members; another member's scores to a member only
 * once theirs are in (a member scores independently); the signed report to the agency, center
 * staff and supervisors once every member signed it (招标投标法 第四十四条: nobody outside the
 * committee learns a score before).
 */
#include <stdio.h>
#include <string.h>

#include "internal.h"

static bool
acted(const struct eval_session *s, int64_t user, const char *kind)
{
    for (size_t a = 0; a < s->nacts; a++)
        if (s->acts[a].user_id == user && !strcmp(s->acts[a].kind, kind))
            return true;
    return false;
}

const struct eval_member *
eval_member_of(const struct eval_session *s, int64_t user)
{
    for (size_t i = 0; i < s->nmembers; i++)
        if (s->members[i].user_id == user)
            return &s->members[i];
    return NULL;
}

cJSON *
eval_session_json(const struct eval_session *s, const struct principal *who, bool acts_values)
{
    /* a member: a drawn expert, or the tenderer's representative (a tenderer user) */
    const struct eval_member *me =
        who->role & (ROLE_EXPERT | ROLE_TENDERER) ? eval_member_of(s, who->user_id) : NULL;
    bool reported = !strcmp(s->state, "reported");
    cJSON *o = cJSON_CreateObject();
    json_add_i64(o, "id", s->id);
    json_add_i64(o, "project_id", s->project_id);
    json_add_i64(o, "lot", s->lot);
    json_add_i64(o, "booking_id", s->booking_id);
    json_add_i64(o, "draw_id", s->draw_id);
    cJSON_AddStringToObject(o, "step", evaluation_steps[s->step]);
    cJSON_AddStringToObject(o, "state", s->state);
    json_add_i64(o, "chair_round", s->chair_round);
    const struct eval_member *chair = s->chair_user ? eval_member_of(s, s->chair_user) : NULL;
    if (chair)
        cJSON_AddStringToObject(o, "chair", chair->pseudonym);
    else
        cJSON_AddNullToObject(o, "chair");
    json_add_i64(o, "opened_us", s->opened_us);
    cJSON_AddItemToObject(o, "method", scoring_method_json(&s->method));
    if (me)
        cJSON_AddStringToObject(o, "my_pseudonym", me->pseudonym);
    cJSON *members = cJSON_AddArrayToObject(o, "members");
    for (size_t i = 0; i < s->nmembers; i++) {
        cJSON *m = cJSON_CreateObject(), *acts = cJSON_CreateArray();
        cJSON_AddStringToObject(m, "pseudonym", s->members[i].pseudonym);
        cJSON_AddBoolToObject(m, "sitting", s->members[i].sitting);
        for (size_t a = 0; a < s->nacts; a++) {
            if (s->acts[a].user_id != s->members[i].user_id)
                continue;
            cJSON *x = cJSON_CreateObject();
            cJSON_AddStringToObject(x, "kind", s->acts[a].kind);
            json_add_i64(x, "round", s->acts[a].round);
            json_add_i64(x, "signed_us", s->acts[a].signed_us);
            /* the values: one's own always; another's to a member once theirs of that kind are
             * in; to everyone entitled once the report is signed */
            bool own = me && me->user_id == s->acts[a].user_id;
            bool peer = me && acted(s, me->user_id, s->acts[a].kind);
            if (acts_values && (own || peer || reported))
                cJSON_AddItemToObject(x, "payload", cJSON_Duplicate(s->acts[a].payload, true));
            cJSON_AddItemToArray(acts, x);
        }
        cJSON_AddItemToObject(m, "acts", acts);
        cJSON_AddItemToArray(members, m);
    }
    cJSON *bids = cJSON_AddArrayToObject(o, "bids");
    for (size_t i = 0; i < s->nbids; i++) {
        cJSON *b = cJSON_CreateObject();
        json_add_i64(b, "bid_id", s->bids[i].bid_id);
        json_add_i64(b, "org_id", s->bids[i].org_id);
        json_add_i64(b, "price_fen", s->bids[i].price_fen);
        cJSON_AddStringToObject(b, "envelope_sha256", s->bids[i].sha256);
        if (me || reported) {
            cJSON_AddBoolToObject(b, "valid", s->bids[i].valid);
            if (!s->bids[i].valid)
                cJSON_AddStringToObject(b, "rejected_at", s->bids[i].rejected_at);
        }
        cJSON_AddItemToArray(bids, b);
    }
    if (s->clarifications &&
        (me || (who->role & (ROLE_CENTER_ADMIN | ROLE_SUPERVISOR)) || reported))
        cJSON_AddItemToObject(o, "clarifications", cJSON_Duplicate(s->clarifications, true));
    if (s->back_to[0]) { /* the chair's send-back, awaiting a supervisor */
        cJSON *b = cJSON_AddObjectToObject(o, "send_back");
        cJSON_AddStringToObject(b, "to", s->back_to);
        cJSON_AddStringToObject(b, "reason", s->back_reason);
    }
    if (s->indicators && (me || (who->role & (ROLE_CENTER_ADMIN | ROLE_SUPERVISOR))))
        cJSON_AddItemToObject(o, "indicators", cJSON_Duplicate(s->indicators, true));
    if (s->report && (me || reported))
        cJSON_AddItemToObject(o, reported ? "report" : "draft_report", cJSON_Parse(s->report));
    return o;
}
