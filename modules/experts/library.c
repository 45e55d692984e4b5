/*
 * library.c — the expert library: the classification of specialties (a data file the operator
 * keeps, loaded at start-up), the experts' own profiles, admission by center staff against the
 * rule table, suspension and removal by a recorded decision, declared relations and leaves.
 * Every change is one transaction with its audit entry (object "expert", the expert's user id).
 *
 * What an expert may change alone is what can only make them drawn less: a new relation or a
 * leave takes effect at once; ending a relation, or changing employer (their organization), is
 * done by center staff. A profile change that breaks an admission condition is refused with
 * that condition's rule code.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "accounts/accounts.h"
#include "audit.h"
#include "calendar.h"
#include "canon.h"
#include "internal.h"
#include "util.h"

/* ---- the classification ---- */

struct specialty {
    char code[17];
    char name[121];
    char parent[17];
};
static struct specialty *spec;
static size_t nspec;

void
specialties_free(void)
{
    free(spec);
    spec = NULL;
    nspec = 0;
}

bool
specialties_load(const char *path, char *err, size_t errlen)
{
    size_t len;
    char *text = path && *path ? read_file(path, 1 << 22, &len) : NULL;
    if (!text) {
        snprintf(err, errlen, "experts.specialties: cannot read %s", path ? path : "(unset)");
        return false;
    }
    size_t cap = 64, n = 0, lineno = 0;
    struct specialty *s = malloc(cap * sizeof *s);
    bool ok = s != NULL;
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); ok && line; line = strtok_r(NULL, "\n", &save)) {
        lineno++;
        if (*line == '#' || !*line || *line == '\r')
            continue;
        char *t1 = strchr(line, '\t'), *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
        if (!t1 || !t2 || t1 - line < 1 || t1 - line > 16 || t2 - t1 - 1 > 120 ||
            strlen(t2 + 1) > 16) {
            snprintf(err, errlen, "%s line %zu: expected code<TAB>name<TAB>parent", path, lineno);
            ok = false;
            break;
        }
        for (const char *p = line; p < t1; p++)
            if (!((*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9'))) {
                snprintf(err, errlen, "%s line %zu: a code is capital letters and digits", path,
                         lineno);
                ok = false;
            }
        if (!ok)
            break;
        if (n == cap) {
            struct specialty *m = realloc(s, 2 * cap * sizeof *s);
            if (!(ok = m != NULL))
                break;
            s = m;
            cap *= 2;
        }
        snprintf(s[n].code, sizeof s[n].code, "%.*s", (int)(t1 - line), line);
        snprintf(s[n].name, sizeof s[n].name, "%.*s", (int)(t2 - t1 - 1), t1 + 1);
        snprintf(s[n].parent, sizeof s[n].parent, "%s", t2 + 1);
        char *cr = strchr(s[n].parent, '\r');
        if (cr)
            *cr = '\0';
        for (size_t k = 0; k < n && ok; k++)
            if (!strcmp(s[k].code, s[n].code)) {
                snprintf(err, errlen, "%s line %zu: code %s twice", path, lineno, s[n].code);
                ok = false;
            }
        n++;
    }
    free(text);
    for (size_t i = 0; ok && i < n; i++)
        if (*s[i].parent) {
            bool found = false;
            for (size_t k = 0; k < n && !found; k++)
                found = !strcmp(s[k].code, s[i].parent);
            if (!found) {
                snprintf(err, errlen, "%s: %s names a parent %s that is not in the file", path,
                         s[i].code, s[i].parent);
                ok = false;
            }
        }
    if (ok && n == 0) {
        snprintf(err, errlen, "%s: no specialty", path);
        ok = false;
    }
    if (!ok) {
        free(s);
        return false;
    }
    specialties_free();
    spec = s;
    nspec = n;
    return true;
}

const char *
specialty_name(const char *code)
{
    for (size_t i = 0; code && i < nspec; i++)
        if (!strcmp(spec[i].code, code))
            return spec[i].name;
    return NULL;
}

void
specialties_get(struct req *r, const cJSON *body)
{
    (void)body;
    cJSON *o = cJSON_CreateObject();
    cJSON *items = cJSON_AddArrayToObject(o, "items");
    for (size_t i = 0; i < nspec; i++) {
        cJSON *x = cJSON_CreateObject();
        cJSON_AddStringToObject(x, "code", spec[i].code);
        cJSON_AddStringToObject(x, "name", spec[i].name);
        if (*spec[i].parent)
            cJSON_AddStringToObject(x, "parent", spec[i].parent);
        else
            cJSON_AddNullToObject(x, "parent");
        cJSON_AddItemToArray(items, x);
    }
    req_json(r, 200, o);
}

int
experts_year(int64_t t_us)
{
    char d[11];
    cal_format_day(cal_day(t_us), d);
    return atoi(d);
}

/* ---- profiles ---- */

/* The whole profile of user (profile, relations, leaves), or 404 set. */
static void
profile_reply(struct req *r, int64_t user)
{
    struct dbconn *c = req_db(r);
    struct dbres p = {0}, rel = {0}, lv = {0}, rt = {0}, people = {0};
    enum db_status st;
    if (!c)
        return;
    if ((st = store_profile(c, user, false, &p)) != DB_OK ||
        (st = experts_people(c, &p, PC_USER, &people)) != DB_OK ||
        (st = store_relations(c, user, &rel)) != DB_OK ||
        (st = store_leaves(c, user, &lv)) != DB_OK || (st = store_ratings(c, user, &rt)) != DB_OK) {
        req_db_fail(r, c, st);
        goto out;
    }
    if (p.nrows != 1) {
        req_error(r, E_NOT_FOUND, "no expert profile for user %lld", (long long)user);
        goto out;
    }
    cJSON *o = profile_json(&p, 0, &people);
    cJSON *a = cJSON_AddArrayToObject(o, "relations");
    for (size_t i = 0; i < rel.nrows; i++)
        cJSON_AddItemToArray(a, relation_json(&rel, i));
    a = cJSON_AddArrayToObject(o, "leaves");
    for (size_t i = 0; i < lv.nrows; i++)
        cJSON_AddItemToArray(a, leave_json(&lv, i));
    /* ratings only to staff and supervisors (GET /api/v1/experts/{id}), not to the expert */
    if (r->who.role & (ROLE_CENTER_ADMIN | ROLE_SUPERVISOR)) {
        int64_t sum = 0;
        a = cJSON_AddArrayToObject(o, "ratings");
        for (size_t i = 0; i < rt.nrows; i++) {
            cJSON_AddItemToArray(a, rating_json(&rt, i));
            sum += dbres_i64(&rt, i, RT_SCORE);
        }
        cJSON *s = cJSON_AddObjectToObject(o, "rating_summary");
        json_add_i64(s, "count", (int64_t)rt.nrows);
        json_add_i64(s, "score_sum", sum); /* an average is score_sum / count: no float leaves */
    }
    req_json(r, 200, o);
out:
    dbres_free(&p);
    dbres_free(&rel);
    dbres_free(&lv);
    dbres_free(&rt);
    dbres_free(&people);
}

void
profile_me(struct req *r, const cJSON *body)
{
    (void)body;
    profile_reply(r, r->who.user_id);
}

void
profile_get(struct req *r, const cJSON *body)
{
    (void)body;
    int64_t id;
    if (req_param_id(r, "id", &id))
        profile_reply(r, id);
}

static cJSON *
profile_row(void *ctx, const struct dbres *s, size_t i)
{
    return profile_json(s, i, ctx);
}

void
profile_list(struct req *r, const cJSON *body)
{
    (void)body;
    int64_t after, limit;
    struct dbres s = {0};
    const char *state = req_query(r, "state");
    struct dbconn *c = req_db(r);
    if (!c || !req_page(r, &after, &limit, 50, 200))
        return;
    struct dbres people = {0};
    enum db_status st = store_profiles(c, state ? state : "", after, limit, &s);
    if (st == DB_OK)
        st = experts_people(c, &s, PC_USER, &people);
    if (st != DB_OK)
        req_db_fail(r, c, st);
    else
        req_page_reply(r, &s, limit, "after", PC_USER, profile_row, &people);
    dbres_free(&s);
    dbres_free(&people);
}

struct profile_in {
    const char *title, *region, *sharing, *phone;
    int since, birth;
    bool e_eval;
    const char *codes[20];
    size_t ncodes;
};

static enum tx_result
save_tx(struct dbconn *c, struct req *r, void *arg)
{
    struct profile_in *x = arg;
    struct dbres p = {0};
    int64_t now = clock_now_us(), user = r->who.user_id;
    enum tx_result t = TX_DBFAIL;
    if (store_profile(c, user, true, &p) != DB_OK)
        goto out;
    bool fresh = p.nrows == 0;
    if (!fresh && !strcmp(dbres_str(&p, 0, PC_STATE), "removed")) {
        req_rule_as(r, E_CONFLICT, "EXP-STATE", "the profile was removed from the library: %s",
                    dbres_str(&p, 0, PC_REASON) ? dbres_str(&p, 0, PC_REASON) : "");
        t = TX_REFUSE;
        goto out;
    }
    if (!fresh && strcmp(dbres_str(&p, 0, PC_STATE), "applied")) {
        /* admitted: the new facts must still meet every admission condition */
        struct expert_facts f = {x->title, x->since, x->birth, x->e_eval, experts_year(now)};
        struct refusal rf = experts_rule_admission(&f);
        if (rf.code) {
            req_refusal(r, &rf);
            t = TX_REFUSE;
            goto out;
        }
    }
    enum db_status st = fresh
                            ? store_profile_insert(c, user, x->title, x->since, x->birth, x->region,
                                                   x->sharing, x->e_eval, x->phone, now)
                            : store_profile_update(c, user, x->title, x->since, x->birth, x->region,
                                                   x->sharing, x->e_eval, x->phone, now);
    if (st != DB_OK || store_specialties_set(c, user, x->codes, x->ncodes) != DB_OK)
        goto out;
    cJSON *pl = cJSON_CreateObject();
    cJSON_AddStringToObject(pl, "title", x->title);
    json_add_i64(pl, "field_since", x->since);
    json_add_i64(pl, "birth_year", x->birth);
    cJSON_AddStringToObject(pl, "region", x->region);
    cJSON_AddStringToObject(pl, "sharing", x->sharing);
    cJSON_AddBoolToObject(pl, "e_evaluation", x->e_eval);
    cJSON_AddBoolToObject(pl, "phone", x->phone != NULL); /* whether, not which */
    cJSON *codes = cJSON_AddArrayToObject(pl, "specialties");
    for (size_t i = 0; i < x->ncodes; i++)
        cJSON_AddItemToArray(codes, cJSON_CreateString(x->codes[i]));
    if (audit_append(c, req_actor(r), fresh ? "expert.profile.create" : "expert.profile.update",
                     "expert", user, 0, pl, NULL) != DB_OK)
        goto out;
    t = TX_COMMIT;
    req_empty(r, fresh ? 201 : 200);
out:
    dbres_free(&p);
    return t;
}

void
profile_save(struct req *r, const cJSON *body)
{
    struct profile_in x = {
        .title = json_str(body, "title"),
        .region = json_str(body, "region"),
        .sharing = json_str(body, "sharing"),
        .since = (int)json_i64(body, "field_since", 0),
        .birth = (int)json_i64(body, "birth_year", 0),
        .e_eval = json_bool(body, "e_evaluation", false),
        .phone = json_str(body, "phone"),
    };
    for (const char *p = x.phone; p && *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p == '+' && p == x.phone) || *p == '-')) {
            req_field_error(r, E_INVALID_FIELD, "phone",
                            "phone is digits, an optional leading + and dashes");
            return;
        }
    struct refusal f =
        experts_rule_profile(x.title, x.since, x.birth, x.sharing, experts_year(clock_now_us()));
    if (f.code) {
        req_refusal(r, &f);
        return;
    }
    if (!accounts_rule_region_ok(x.region)) {
        req_field_error(r, E_INVALID_FIELD, "region",
                        "region must be a six-digit administrative division code");
        return;
    }
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(body, "specialties"), *it;
    cJSON_ArrayForEach(it, arr)
    {
        if (!cJSON_IsString(it) || !specialty_name(it->valuestring)) {
            req_rule(r, "EXP-SPECIALTY",
                     "%s is not a specialty of the classification "
                     "(GET /api/v1/experts/specialties)",
                     cJSON_IsString(it) ? it->valuestring : "an item");
            return;
        }
        for (size_t k = 0; k < x.ncodes; k++)
            if (!strcmp(x.codes[k], it->valuestring)) {
                req_rule(r, "EXP-SPECIALTY", "%s is listed twice", it->valuestring);
                return;
            }
        x.codes[x.ncodes++] = it->valuestring;
    }
    req_tx(r, save_tx, &x);
}

/* ---- admission and state ---- */

struct state_in {
    int64_t user, until;
    const char *state, *reason;
    bool admit;
};

static enum tx_result
state_tx(struct dbconn *c, struct req *r, void *arg)
{
    struct state_in *x = arg;
    struct dbres p = {0};
    int64_t now = clock_now_us();
    enum tx_result t = TX_DBFAIL;
    if (store_profile(c, x->user, true, &p) != DB_OK)
        goto out;
    t = TX_REFUSE;
    if (p.nrows != 1) {
        req_error(r, E_NOT_FOUND, "no expert profile for user %lld", (long long)x->user);
        goto out;
    }
    const char *cur = dbres_str(&p, 0, PC_STATE);
    if (x->admit) {
        if (strcmp(cur, "applied")) {
            req_transition_refused(r, cur, "active", "only an applied profile is admitted");
            goto out;
        }
        struct expert_facts f = {dbres_str(&p, 0, PC_TITLE), (int)dbres_i64(&p, 0, PC_SINCE),
                                 (int)dbres_i64(&p, 0, PC_BIRTH), dbres_i64(&p, 0, PC_E_EVAL) != 0,
                                 experts_year(now)};
        struct refusal rf = experts_rule_admission(&f);
        if (rf.code) {
            req_refusal(r, &rf);
            goto out;
        }
        if (!dbres_str(&p, 0, PC_SPECIALTIES)) {
            req_rule(r, "EXP-SPECIALTY", "the profile names no specialty");
            goto out;
        }
    } else if (!strcmp(cur, "removed") ||
               (!strcmp(cur, "applied") && strcmp(x->state, "removed"))) {
        req_transition_refused(r, cur, x->state,
                               !strcmp(cur, "removed") ? "a removed expert stays removed"
                                                       : "an applied profile is admitted first");
        goto out;
    }
    const char *to = x->admit ? "active" : x->state;
    t = TX_DBFAIL;
    if (store_profile_state(c, x->user, to, x->reason, x->until, now) != DB_OK)
        goto out;
    cJSON *pl = cJSON_CreateObject();
    cJSON_AddStringToObject(pl, "from", cur);
    cJSON_AddStringToObject(pl, "to", to);
    if (x->reason)
        cJSON_AddStringToObject(pl, "reason", x->reason);
    if (x->until)
        json_add_i64(pl, "until_us", x->until);
    if (audit_append(c, req_actor(r), x->admit ? "expert.admit" : "expert.state", "expert", x->user,
                     0, pl, NULL) != DB_OK)
        goto out;
    t = TX_COMMIT;
    req_empty(r, 200);
out:
    dbres_free(&p);
    return t;
}

void
profile_admit(struct req *r, const cJSON *body)
{
    (void)body;
    struct state_in x = {.admit = true};
    if (req_param_id(r, "id", &x.user))
        req_tx(r, state_tx, &x);
}

void
profile_state(struct req *r, const cJSON *body)
{
    struct state_in x = {.state = json_str(body, "state"),
                         .reason = json_str(body, "reason"),
                         .until = json_i64(body, "until_us", 0)};
    if (!req_param_id(r, "id", &x.user))
        return;
    if (x.until && strcmp(x.state, "suspended")) {
        req_field_error(r, E_INVALID_FIELD, "until_us", "only a suspension has an end");
        return;
    }
    if (x.until && x.until <= clock_now_us()) {
        req_field_error(r, E_INVALID_FIELD, "until_us", "a suspension ends in the future");
        return;
    }
    req_tx(r, state_tx, &x);
}

/* ---- relations and leaves ---- */

/* The caller's own profile, locked (what they add to hangs on it), or 404 set. */
static enum tx_result
own_profile(struct dbconn *c, struct req *r)
{
    struct dbres p = {0};
    enum db_status st = store_profile(c, r->who.user_id, true, &p);
    bool have = st == DB_OK && p.nrows == 1;
    dbres_free(&p);
    if (st != DB_OK)
        return TX_DBFAIL;
    if (!have) {
        req_error(r, E_NOT_FOUND, "create your expert profile first (POST /api/v1/experts/me)");
        return TX_REFUSE;
    }
    return TX_COMMIT;
}

struct relation_in {
    const char *kind, *credit, *name;
    int64_t ends;
};

static enum tx_result
relation_tx(struct dbconn *c, struct req *r, void *arg)
{
    struct relation_in *x = arg;
    int64_t id, now = clock_now_us();
    enum tx_result t = own_profile(c, r);
    if (t != TX_COMMIT)
        return t;
    if (store_relation_insert(c, r->who.user_id, x->kind, x->credit, x->name, x->ends, now, &id) !=
        DB_OK)
        return TX_DBFAIL;
    cJSON *pl = cJSON_CreateObject();
    json_add_i64(pl, "relation_id", id);
    cJSON_AddStringToObject(pl, "kind", x->kind);
    cJSON_AddStringToObject(pl, "credit_code", x->credit);
    cJSON_AddStringToObject(pl, "org_name", x->name);
    if (x->ends)
        json_add_i64(pl, "ended_us", x->ends);
    if (audit_append(c, req_actor(r), "expert.relation.add", "expert", r->who.user_id, 0, pl,
                     NULL) != DB_OK)
        return TX_DBFAIL;
    cJSON *o = cJSON_CreateObject();
    json_add_i64(o, "id", id);
    req_json(r, 201, o);
    return TX_COMMIT;
}

void
relation_create(struct req *r, const cJSON *body)
{
    struct relation_in x = {json_str(body, "kind"), json_str(body, "credit_code"),
                            json_str(body, "org_name"), json_i64(body, "ended_us", 0)};
    if (!accounts_rule_credit_code_ok(x.credit)) {
        req_field_error(r, E_INVALID_FIELD, "credit_code",
                        "credit_code must be a unified social credit code (GB 32100-2015)");
        return;
    }
    if (x.ends > clock_now_us()) {
        req_field_error(r, E_INVALID_FIELD, "ended_us",
                        "ended_us is when a past relation ended: not in the future");
        return;
    }
    req_tx(r, relation_tx, &x);
}

struct relation_end_in {
    int64_t user, id, ends;
    const char *reason;
};

/* Center staff end a relation (the expert asked, with proof): a change that makes the expert
 * drawn more, so it is not the expert's own to make. */
static enum tx_result
relation_end_tx(struct dbconn *c, struct req *r, void *arg)
{
    struct relation_end_in *x = arg;
    bool done;
    if (store_relation_end(c, x->user, x->id, x->ends, &done) != DB_OK)
        return TX_DBFAIL;
    if (!done) {
        req_error(r, E_NOT_FOUND, "expert %lld has no holding relation %lld", (long long)x->user,
                  (long long)x->id);
        return TX_REFUSE;
    }
    cJSON *pl = cJSON_CreateObject();
    json_add_i64(pl, "relation_id", x->id);
    json_add_i64(pl, "ended_us", x->ends);
    cJSON_AddStringToObject(pl, "reason", x->reason);
    if (audit_append(c, req_actor(r), "expert.relation.end", "expert", x->user, 0, pl, NULL) !=
        DB_OK)
        return TX_DBFAIL;
    req_empty(r, 200);
    return TX_COMMIT;
}

void
relation_end(struct req *r, const cJSON *body)
{
    struct relation_end_in x = {.ends = json_i64(body, "ended_us", 0),
                                .reason = json_str(body, "reason")};
    if (!req_param_id(r, "id", &x.user) || !req_param_id(r, "rid", &x.id))
        return;
    if (x.ends > clock_now_us()) {
        req_field_error(r, E_INVALID_FIELD, "ended_us", "a relation ends now or in the past");
        return;
    }
    req_tx(r, relation_end_tx, &x);
}

struct leave_in {
    int64_t start, end;
};

static enum tx_result
leave_tx(struct dbconn *c, struct req *r, void *arg)
{
    struct leave_in *x = arg;
    int64_t id, now = clock_now_us();
    enum tx_result t = own_profile(c, r);
    if (t != TX_COMMIT)
        return t;
    if (store_leave_insert(c, r->who.user_id, x->start, x->end, now, &id) != DB_OK)
        return TX_DBFAIL;
    cJSON *pl = cJSON_CreateObject();
    json_add_i64(pl, "leave_id", id);
    json_add_i64(pl, "start_us", x->start);
    json_add_i64(pl, "end_us", x->end);
    if (audit_append(c, req_actor(r), "expert.leave.add", "expert", r->who.user_id, 0, pl, NULL) !=
        DB_OK)
        return TX_DBFAIL;
    cJSON *o = cJSON_CreateObject();
    json_add_i64(o, "id", id);
    req_json(r, 201, o);
    return TX_COMMIT;
}

void
leave_create(struct req *r, const cJSON *body)
{
    struct leave_in x = {json_i64(body, "start_us", 0), json_i64(body, "end_us", 0)};
    if (x.end <= x.start) {
        req_field_error(r, E_INVALID_FIELD, "end_us", "a leave ends after it begins");
        return;
    }
    req_tx(r, leave_tx, &x);
}
