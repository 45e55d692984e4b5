/*
 * views.c — the JSON of the experts module's rows, the one place they are shaped. Times are
 * integers of UTC microseconds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accounts/accounts.h"
#include "canon.h"
#include "internal.h"
#include "util.h"

char *
experts_ids_json(const struct dbres *s, size_t col)
{
    struct buf b = {0};
    buf_puts(&b, "[");
    for (size_t i = 0; i < s->nrows; i++)
        buf_printf(&b, "%s%lld", i ? "," : "", (long long)dbres_i64(s, i, col));
    buf_puts(&b, "]");
    return buf_take(&b);
}

enum db_status
experts_people(struct dbconn *c, const struct dbres *s, size_t col, struct dbres *people)
{
    char *ids = experts_ids_json(s, col);
    enum db_status st = ids ? accounts_people(c, ids, people) : DB_ERROR;
    free(ids);
    return st;
}

const char *
pool_member_name(const struct dbres *p, size_t i, const struct dbres *people)
{
    if (dbres_str(p, i, PL_AGENCY_NAME))
        return dbres_str(p, i, PL_AGENCY_NAME);
    size_t k = people ? accounts_person_row(people, dbres_i64(p, i, PL_USER)) : (size_t)-1;
    return k == (size_t)-1 ? "" : dbres_str(people, k, PE_NAME);
}

cJSON *
profile_json(const struct dbres *s, size_t i, const struct dbres *people)
{
    cJSON *o = cJSON_CreateObject();
    size_t k = accounts_person_row(people, dbres_i64(s, i, PC_USER));
    bool known = k != (size_t)-1;
    json_add_i64(o, "user_id", dbres_i64(s, i, PC_USER));
    cJSON_AddStringToObject(o, "name", known ? dbres_str(people, k, PE_NAME) : "");
    cJSON_AddStringToObject(o, "username", known ? dbres_str(people, k, PE_USERNAME) : "");
    cJSON *emp = cJSON_AddObjectToObject(o, "employer");
    json_add_i64(emp, "org_id", known ? dbres_i64(people, k, PE_ORG) : 0);
    cJSON_AddStringToObject(emp, "name", known ? dbres_str(people, k, PE_ORG_NAME) : "");
    cJSON_AddStringToObject(emp, "credit_code", known ? dbres_str(people, k, PE_CREDIT) : "");
    cJSON_AddStringToObject(o, "title", dbres_str(s, i, PC_TITLE));
    json_add_i64(o, "field_since", dbres_i64(s, i, PC_SINCE));
    json_add_i64(o, "birth_year", dbres_i64(s, i, PC_BIRTH));
    cJSON_AddStringToObject(o, "region", dbres_str(s, i, PC_REGION));
    cJSON_AddStringToObject(o, "sharing", dbres_str(s, i, PC_SHARING));
    cJSON_AddBoolToObject(o, "e_evaluation", dbres_i64(s, i, PC_E_EVAL) != 0);
    json_add_str_or_null(o, "phone", dbres_str(s, i, PC_PHONE));
    cJSON *sp = cJSON_AddArrayToObject(o, "specialties");
    for (const char *p = dbres_str(s, i, PC_SPECIALTIES); p && *p;) {
        const char *e = strchr(p, ',');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        char code[17];
        snprintf(code, sizeof code, "%.*s", (int)n, p);
        cJSON *x = cJSON_CreateObject();
        cJSON_AddStringToObject(x, "code", code);
        json_add_str_or_null(x, "name", specialty_name(code));
        cJSON_AddItemToArray(sp, x);
        p = e ? e + 1 : p + n;
    }
    cJSON_AddStringToObject(o, "state", dbres_str(s, i, PC_STATE));
    json_add_str_or_null(o, "state_reason", dbres_str(s, i, PC_REASON));
    json_add_col_i64(o, "suspended_until_us", s, i, PC_UNTIL);
    json_add_i64(o, "updated_us", dbres_i64(s, i, PC_UPDATED));
    return o;
}

cJSON *
relation_json(const struct dbres *s, size_t i)
{
    cJSON *o = cJSON_CreateObject();
    json_add_i64(o, "id", dbres_i64(s, i, RL_ID));
    cJSON_AddStringToObject(o, "kind", dbres_str(s, i, RL_KIND));
    cJSON_AddStringToObject(o, "credit_code", dbres_str(s, i, RL_CREDIT));
    cJSON_AddStringToObject(o, "org_name", dbres_str(s, i, RL_NAME));
    json_add_col_i64(o, "ended_us", s, i, RL_ENDS);
    return o;
}

cJSON *
rating_json(const struct dbres *s, size_t i)
{
    cJSON *o = cJSON_CreateObject();
    json_add_i64(o, "draw_id", dbres_i64(s, i, RT_DRAW));
    cJSON_AddStringToObject(o, "rater_role", dbres_str(s, i, RT_ROLE));
    json_add_i64(o, "score", dbres_i64(s, i, RT_SCORE));
    json_add_str_or_null(o, "comment", dbres_str(s, i, RT_COMMENT));
    json_add_i64(o, "created_us", dbres_i64(s, i, RT_CREATED));
    return o;
}

cJSON *
leave_json(const struct dbres *s, size_t i)
{
    cJSON *o = cJSON_CreateObject();
    json_add_i64(o, "id", dbres_i64(s, i, LV_ID));
    json_add_i64(o, "start_us", dbres_i64(s, i, LV_START));
    json_add_i64(o, "end_us", dbres_i64(s, i, LV_END));
    return o;
}

cJSON *
draw_json(const struct dbres *d, size_t i)
{
    cJSON *o = cJSON_CreateObject();
    json_add_i64(o, "id", dbres_i64(d, i, DC_ID));
    cJSON_AddStringToObject(o, "kind", dbres_str(d, i, DC_KIND));
    json_add_i64(o, "project_id", dbres_i64(d, i, DC_PROJECT));
    json_add_i64(o, "booking_id", dbres_i64(d, i, DC_BOOKING));
    cJSON_AddStringToObject(o, "state", dbres_str(d, i, DC_STATE));
    json_add_i64(o, "size", dbres_i64(d, i, DC_SIZE));
    json_add_i64(o, "owner_reps", dbres_i64(d, i, DC_OWNER_REPS));
    json_add_i64(o, "reserves", dbres_i64(d, i, DC_RESERVES));
    cJSON *groups = cJSON_Parse(dbres_str(d, i, DC_GROUPS)), *g;
    cJSON *ga = cJSON_AddArrayToObject(o, "groups");
    cJSON_ArrayForEach(g, groups)
    {
        cJSON *x = cJSON_CreateObject();
        cJSON_AddStringToObject(
            x, "specialty", cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(g, "specialty")));
        json_add_i64(x, "count", json_i64(g, "count", 0));
        cJSON_AddItemToArray(ga, x);
    }
    cJSON_Delete(groups);
    cJSON *regions = cJSON_Parse(dbres_str(d, i, DC_REGIONS));
    cJSON_AddItemToObject(o, "regions", regions ? regions : cJSON_CreateArray());
    json_add_i64(o, "session_start_us", dbres_i64(d, i, DC_START));
    json_add_i64(o, "session_end_us", dbres_i64(d, i, DC_END));
    cJSON_AddStringToObject(o, "place", dbres_str(d, i, DC_PLACE));
    cJSON_AddStringToObject(o, "seed_commit", dbres_str(d, i, DC_COMMIT));
    json_add_str_or_null(o, "pool_sha256", dbres_str(d, i, DC_POOL_SHA));
    json_add_col_i64(o, "pool_size", d, i, DC_POOL_SIZE);
    json_add_str_or_null(o, "seed", dbres_str(d, i, DC_SEED));
    json_add_i64(o, "answer_minutes", dbres_i64(d, i, DC_ANSWER_MIN));
    json_add_col_i64(o, "revealed_us", d, i, DC_REVEALED);
    json_add_i64(o, "created_us", dbres_i64(d, i, DC_CREATED));
    return o;
}

cJSON *
member_json(const struct dbres *p, size_t i, bool names, const struct dbres *people)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "pseudonym", dbres_str(p, i, PL_PSEUDONYM));
    cJSON_AddStringToObject(o, "group", dbres_str(p, i, PL_GROUP));
    json_add_i64(o, "rank", dbres_i64(p, i, PL_RANK));
    cJSON_AddStringToObject(o, "state", dbres_str(p, i, PL_STATE));
    json_add_str_or_null(o, "reason", dbres_str(p, i, PL_REASON));
    json_add_col_i64(o, "answer_by_us", p, i, PL_ANSWER_BY);
    if (names) {
        json_add_i64(o, "user_id", dbres_i64(p, i, PL_USER));
        cJSON_AddStringToObject(o, "name", pool_member_name(p, i, people));
    }
    return o;
}

cJSON *
assignment_json(const struct dbres *s, size_t i)
{
    cJSON *o = cJSON_CreateObject();
    json_add_i64(o, "draw_id", dbres_i64(s, i, AS_DRAW));
    cJSON_AddStringToObject(o, "pseudonym", dbres_str(s, i, AS_PSEUDONYM));
    cJSON_AddStringToObject(o, "state", dbres_str(s, i, AS_STATE));
    json_add_i64(o, "session_start_us", dbres_i64(s, i, AS_START));
    json_add_i64(o, "session_end_us", dbres_i64(s, i, AS_END));
    cJSON_AddStringToObject(o, "place", dbres_str(s, i, AS_PLACE));
    json_add_col_i64(o, "answer_by_us", s, i, AS_ANSWER_BY);
    /* the room's booking, to sign in to once confirmed (it names no project to an expert) */
    json_add_i64(o, "booking_id", dbres_i64(s, i, AS_BOOKING));
    return o;
}
