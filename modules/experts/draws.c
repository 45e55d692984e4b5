/*
 * draws.c — a committee draw, step by step, each one transaction with its audit entry (object
 * "draw", in the project's timeline), so that the log alone replays it (docs/draw.md):
 *
 *   POST /api/v1/draws                 the agent asks (draw.request): the platform draws a secret
 *                                      and logs its commitment;
 *   POST /api/v1/draws/{id}/cosign     center staff cosign the commitment with their keys
 *                                      (draw.cosign); the last needed cosignature fixes the pool
 *                                      after avoidance (draw.pool: pseudonyms and groups, their
 *                                      hash, the count excluded per reason — never names);
 *   POST /api/v1/draws/{id}/entropy    a supervisor brings a signed value (draw.seeded): the seed
 *                                      is made, the secret revealed, each group ordered and the
 *                                      first experts invited;
 *   GET  /api/v1/draws/{id}            staff and supervisors see the members with their names
 *                                      (each such read logged: draw.read); the agent, the state;
 *   POST /api/v1/draws/{id}/cancel     before it is complete.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "accounts/accounts.h"
#include "audit.h"
#include "bids/bids.h"
#include "canon.h"
#include "crypto.h"
#include "draw.h"
#include "entry/entry.h"
#include "internal.h"
#include "util.h"
#include "venues/venues.h"

#define COSIGN_DOMAIN  "ggzy-draw-cosign-v1"
#define ENTROPY_DOMAIN "ggzy-draw-entropy-v1"
#define SKEW_US        (INT64_C(300) * 1000000)

enum tx_result
draw_check_act(struct dbconn *c, struct req *r, const char *domain, const cJSON *fields,
               const char *key_id, int64_t signed_us, const char *signature, int64_t now,
               struct signing_key *k)
{
    char why[300];
    const char *rule;
    switch (accounts_check_act(c, r->who.user_id, key_id, signed_us, domain, fields, signature, now,
                               SKEW_US, k, &rule, why, sizeof why)) {
    case ACT_OK:
        return TX_COMMIT;
    case ACT_DBFAIL:
        return TX_DBFAIL;
    case ACT_KEY:
        req_rule(r, !strcmp(rule, "KEY-UNKNOWN") ? "DRAW-SIGNER-KEY" : rule, "%s", why);
        break;
    case ACT_TIME:
        req_rule(r, "DRAW-SIGNED-TIME", "%s", why);
        break;
    case ACT_SIGNATURE:
        req_rule(r, "DRAW-SIGNATURE", "%s (docs/draw.md §8)", why);
        break;
    }
    return TX_REFUSE;
}

/* Answer 200 with draw id as it now stands (after the caller's changes). */
static enum db_status
reply_draw(struct dbconn *c, struct req *r, int64_t id)
{
    struct dbres d = {0};
    enum db_status st = store_draw(c, id, false, &d);
    if (st == DB_OK && d.nrows != 1)
        st = DB_ERROR;
    if (st == DB_OK)
        req_json(r, 200, draw_json(&d, 0));
    dbres_free(&d);
    return st;
}

/* The locked draw id, or the refusal (404) set. */
static enum tx_result
locked_draw(struct dbconn *c, struct req *r, int64_t id, struct dbres *d)
{
    if (store_draw(c, id, true, d) != DB_OK)
        return TX_DBFAIL;
    if (d->nrows != 1) {
        req_error(r, E_NOT_FOUND, "no draw %lld", (long long)id);
        return TX_REFUSE;
    }
    return TX_COMMIT;
}

static enum tx_result
draw_in_state(struct req *r, const struct dbres *d, const char *want, const char *what)
{
    if (strcmp(dbres_str(d, 0, DC_STATE), want)) {
        req_transition_refused(r, dbres_str(d, 0, DC_STATE), want, "the draw is %s: %s",
                               dbres_str(d, 0, DC_STATE), what);
        return TX_REFUSE;
    }
    return TX_COMMIT;
}

/* ---- the request ---- */

struct request_in {
    int64_t project, booking, owner_reps, reserves;
    cJSON *groups;  /* [{specialty, count}] as given, owned */
    cJSON *regions; /* [code] as given, owned */
    int64_t experts;
};

static enum tx_result
request_tx(struct dbconn *c, struct req *r, void *arg)
{
    struct request_in *x = arg;
    struct project_view p;
    struct venue_session s;
    bool found, live;
    int64_t now = clock_now_us(), id;
    uint8_t secret[32], commit[32];
    char commit_hex[65], *groups = NULL, *regions = NULL;
    enum tx_result t = TX_DBFAIL;
    if (entry_project(c, x->project, true, &p, &found) != DB_OK)
        goto out;
    t = TX_REFUSE;
    if (!found || !entry_rule_is_party(&r->who, &p)) {
        req_error(r, E_NOT_FOUND, "no project %lld of yours", (long long)x->project);
        goto out;
    }
    if (strcmp(p.state, "opened") && strcmp(p.state, "evaluating")) {
        req_rule_as(r, E_CONFLICT, "DRAW-PROJECT-STATE",
                    "the project is %s: a committee is drawn once its bids are opened (the "
                    "bidders, whom avoidance needs, are known then)",
                    p.state);
        goto out;
    }
    t = TX_DBFAIL;
    if (venues_session(c, x->booking, &s, &found) != DB_OK)
        goto out;
    t = TX_REFUSE;
    if (!found || s.project_id != x->project || strcmp(s.purpose, "evaluation") ||
        strcmp(s.state, "approved")) {
        req_rule(r, "DRAW-SESSION",
                 "booking %lld is not an approved evaluation session of project %lld",
                 (long long)x->booking, (long long)x->project);
        goto out;
    }
    struct refusal f = experts_rule_window(now, s.start_us, experts_conf.window_hours * 3600000000);
    if (!f.code) {
        struct committee_ask a = {(enum category)p.category, p.budget_fen, x->experts,
                                  x->owner_reps, s.people};
        f = experts_rule_committee(&a);
    }
    if (f.code) {
        req_refusal(r, &f);
        goto out;
    }
    t = TX_DBFAIL;
    if (store_draw_live_for_booking(c, x->booking, &live) != DB_OK)
        goto out;
    if (live) {
        req_rule_as(r, E_CONFLICT, "DRAW-EXISTS",
                    "the session has a draw already: cancel it first (a new request is a new "
                    "commitment, next to the first in the log)");
        t = TX_REFUSE;
        goto out;
    }
    if (!crypto_random(secret, sizeof secret) || !draw_commit(secret, commit))
        goto out;
    hex_encode(commit, 32, commit_hex);
    groups = cJSON_PrintUnformatted(x->groups);
    regions = cJSON_PrintUnformatted(x->regions);
    struct draw_row row = {.project = x->project,
                           .booking = x->booking,
                           .tenderer = p.tenderer_org_id,
                           .start_us = s.start_us,
                           .end_us = s.end_us,
                           .size = x->experts + x->owner_reps,
                           .owner_reps = x->owner_reps,
                           .reserves = x->reserves,
                           .requested_by = r->who.user_id,
                           .answer_minutes = experts_conf.answer_minutes,
                           .groups = groups,
                           .regions = regions,
                           .commit = commit_hex,
                           .place = s.place,
                           .beacon_source =
                               *experts_conf.beacon_source ? experts_conf.beacon_source : NULL,
                           .secret = secret};
    if (!groups || !regions || store_draw_insert(c, &row, now, &id) != DB_OK)
        goto out;
    cJSON *pl = cJSON_CreateObject();
    json_add_i64(pl, "draw_id", id);
    json_add_i64(pl, "booking_id", x->booking);
    cJSON_AddStringToObject(pl, "category", category_name((enum category)p.category));
    json_add_i64(pl, "budget_fen", p.budget_fen);
    json_add_i64(pl, "session_start_us", s.start_us);
    json_add_i64(pl, "session_end_us", s.end_us);
    cJSON_AddItemToObject(pl, "groups", cJSON_Duplicate(x->groups, true));
    json_add_i64(pl, "owner_reps", x->owner_reps);
    json_add_i64(pl, "reserves", x->reserves);
    cJSON_AddItemToObject(pl, "regions", cJSON_Duplicate(x->regions, true));
    json_add_i64(pl, "size", x->experts + x->owner_reps);
    json_add_i64(pl, "staff", experts_conf.staff);
    /* the avoidance settings in force, for the replay (INV-DRAW-AVOID) */
    json_add_i64(
        pl, "relation_years",
        experts_rule_relation_years((enum category)p.category, experts_conf.relation_years));
    json_add_i64(pl, "served_days", experts_conf.served_days);
    cJSON_AddStringToObject(pl, "seed_commit", commit_hex);
    /* the public value's source, announced before the pool is fixed ("" for none) */
    cJSON_AddStringToObject(pl, "beacon_source", experts_conf.beacon_source);
    struct dbres d = {0};
    if (audit_append(c, req_actor(r), "draw.request", "draw", id, x->project, pl, NULL) != DB_OK ||
        store_draw(c, id, false, &d) != DB_OK || d.nrows != 1) {
        dbres_free(&d);
        goto out;
    }
    req_json(r, 201, draw_json(&d, 0));
    dbres_free(&d);
    t = TX_COMMIT;
out:
    OPENSSL_cleanse(secret, sizeof secret);
    free(groups);
    free(regions);
    return t;
}

void
draw_create(struct req *r, const cJSON *body)
{
    struct request_in x = {.project = json_i64(body, "project_id", 0),
                           .booking = json_i64(body, "booking_id", 0),
                           .owner_reps = json_i64(body, "owner_reps", 0),
                           .reserves = json_i64(body, "reserves", 0)};
    const cJSON *groups = cJSON_GetObjectItemCaseSensitive(body, "groups"), *g;
    const cJSON *regions = cJSON_GetObjectItemCaseSensitive(body, "regions");
    x.groups = cJSON_CreateArray();
    x.regions = cJSON_CreateArray();
    cJSON_ArrayForEach(g, groups)
    {
        const cJSON *sp = cJSON_GetObjectItemCaseSensitive(g, "specialty");
        const cJSON *n = cJSON_GetObjectItemCaseSensitive(g, "count");
        if (!cJSON_IsString(sp) || !specialty_name(sp->valuestring)) {
            req_rule(r, "DRAW-SPECIALTY",
                     "each group names a specialty of the classification "
                     "(GET /api/v1/experts/specialties)");
            goto out;
        }
        if (!cJSON_IsNumber(n) || n->valuedouble < 1 || n->valuedouble > 49 ||
            n->valuedouble != (double)(int)n->valuedouble) {
            req_field_error(r, E_INVALID_FIELD, "groups", "each group's count is 1 to 49");
            goto out;
        }
        const cJSON *h;
        cJSON_ArrayForEach(
            h, x.groups) if (!strcmp(cJSON_GetObjectItemCaseSensitive(h, "specialty")->valuestring,
                                     sp->valuestring))
        {
            req_rule(r, "DRAW-SPECIALTY", "%s is asked twice: one group per specialty",
                     sp->valuestring);
            goto out;
        }
        cJSON *o = cJSON_CreateObject();
        json_add_i64(o, "count", (int64_t)n->valuedouble);
        cJSON_AddStringToObject(o, "specialty", sp->valuestring);
        cJSON_AddItemToArray(x.groups, o);
        x.experts += (int64_t)n->valuedouble;
    }
    cJSON_ArrayForEach(g, regions)
    {
        if (!cJSON_IsString(g) || !accounts_rule_region_ok(g->valuestring)) {
            req_field_error(r, E_INVALID_FIELD, "regions",
                            "each region is a six-digit administrative division code");
            goto out;
        }
        cJSON_AddItemToArray(x.regions, cJSON_CreateString(g->valuestring));
    }
    req_tx(r, request_tx, &x);
out:
    cJSON_Delete(x.groups);
    cJSON_Delete(x.regions);
}

/* ---- the pool ---- */

static int
by_pseudonym(const void *a, const void *b)
{
    return strcmp(((const struct member *)a)->pseudonym, ((const struct member *)b)->pseudonym);
}

/* The request's groups (row 0 of d): names and counts; returns how many (0 when malformed). */
static size_t
draw_groups(const struct dbres *d, char names[][17], int64_t *counts)
{
    cJSON *g = cJSON_Parse(dbres_str(d, 0, DC_GROUPS)), *it;
    size_t n = 0;
    cJSON_ArrayForEach(it, g)
    {
        if (n == DRAW_GROUPS_MAX)
            break;
        snprintf(names[n], 17, "%s",
                 cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(it, "specialty")));
        counts[n++] = json_i64(it, "count", 0);
    }
    cJSON_Delete(g);
    return n;
}

/* The conflict sets of a project: the ids of its tenderer, agent and every bidder, and their
 * credit codes (JSON arrays, malloc'd). */
static enum db_status
conflicts(struct dbconn *c, const struct project_view *p, char **ids, char **codes)
{
    enum db_status st;
    char *bidders = bids_project_bidders(c, p->id, &st);
    cJSON *a = bidders ? cJSON_Parse(bidders) : NULL;
    free(bidders);
    if (!a)
        return st == DB_OK ? DB_ERROR : st;
    json_append_i64(a, p->tenderer_org_id);
    json_append_i64(a, p->agent_org_id);
    *ids = cJSON_PrintUnformatted(a);
    cJSON_Delete(a);
    struct dbres names = {0};
    if (!*ids || (st = accounts_org_names(c, *ids, &names)) != DB_OK) {
        dbres_free(&names);
        return *ids ? st : DB_ERROR;
    }
    cJSON *cc = cJSON_CreateArray();
    for (size_t i = 0; i < names.nrows; i++)
        cJSON_AddItemToArray(cc, cJSON_CreateString(dbres_str(&names, i, ON_CREDIT)));
    dbres_free(&names);
    *codes = cJSON_PrintUnformatted(cc);
    cJSON_Delete(cc);
    return *codes ? DB_OK : DB_ERROR;
}

bool
member_name(struct member *m, int64_t draw)
{
    uint8_t rnd[16];
    if (!crypto_random(rnd, sizeof rnd))
        return false;
    hex_encode(rnd, 16, m->salt);
    return draw_pseudonym(draw, m->user, m->salt, m->pseudonym);
}

/* The eligible experts of a committee draw (row 0 of d) after avoidance: *m (malloc'd) gets
 * each with a fresh pseudonym and the first requested group they hold, have the count per group,
 * excluded the count per reason (experts_exclusion_reasons). */
static enum db_status
expert_members(struct dbconn *c, const struct dbres *d, int64_t now, char names[][17], size_t ng,
               struct member **mp, size_t *nmp, int64_t *have, int64_t *excluded)
{
    struct project_view p;
    bool found;
    char *ids = NULL, *codes = NULL, *employed = NULL, *disabled = NULL;
    struct dbres cand = {0};
    struct member *m = NULL;
    size_t nm = 0;
    enum db_status st = entry_project(c, dbres_i64(d, 0, DC_PROJECT), false, &p, &found);
    if (st == DB_OK && (!found || ng == 0))
        st = DB_ERROR;
    if (st != DB_OK)
        goto out;
    if ((st = conflicts(c, &p, &ids, &codes)) != DB_OK ||
        !(employed = accounts_members_of(c, ids, &st)) ||
        !(disabled = accounts_disabled(c, "expert", &st)))
        goto out;
    enum category cat = (enum category)p.category;
    int64_t since_rel =
        now - experts_rule_relation_years(cat, experts_conf.relation_years) * EXPERTS_YEAR_US;
    int64_t start = dbres_i64(d, 0, DC_START), end = dbres_i64(d, 0, DC_END);
    const char *gnames[DRAW_GROUPS_MAX];
    for (size_t g = 0; g < ng; g++)
        gnames[g] = names[g];
    st = store_candidates(c, gnames, ng, disabled, employed, codes, since_rel, p.tenderer_org_id,
                          start - experts_conf.served_days * EXPERTS_DAY_US, start, end, &cand);
    if (st != DB_OK)
        goto out;
    cJSON *regions = cJSON_Parse(dbres_str(d, 0, DC_REGIONS));
    const char *allowed[64];
    size_t na = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, regions) if (na < 64) allowed[na++] = it->valuestring;
    m = calloc(cand.nrows + 1, sizeof *m);
    st = m ? DB_OK : DB_ERROR;
    for (size_t i = 0; m && i < cand.nrows;) {
        int64_t user = dbres_i64(&cand, i, CD_USER);
        size_t k = i;
        int best = -1;
        for (; k < cand.nrows && dbres_i64(&cand, k, CD_USER) == user; k++)
            for (size_t g = 0; g < ng; g++)
                if (!strcmp(names[g], dbres_str(&cand, k, CD_CODE)) && (best < 0 || (int)g < best))
                    best = (int)g;
        struct candidate_facts cf = {
            .state = dbres_str(&cand, i, CD_STATE),
            .suspended_until = dbres_i64(&cand, i, CD_UNTIL),
            .disabled = dbres_i64(&cand, i, CD_DISABLED) != 0,
            .region_ok =
                experts_rule_region_ok(dbres_str(&cand, i, CD_REGION),
                                       dbres_str(&cand, i, CD_SHARING), p.region, allowed, na),
            .employed = dbres_i64(&cand, i, CD_EMPLOYED) != 0,
            .related = dbres_i64(&cand, i, CD_RELATED) != 0,
            .served = dbres_i64(&cand, i, CD_SERVED) != 0,
            .on_leave = dbres_i64(&cand, i, CD_LEAVE) != 0,
            .busy = dbres_i64(&cand, i, CD_BUSY) != 0,
        };
        const char *why = experts_rule_exclusion(&cf, now);
        if (why) {
            for (size_t e = 0; experts_exclusion_reasons[e]; e++)
                if (!strcmp(experts_exclusion_reasons[e], why))
                    excluded[e]++;
        } else if (best >= 0) {
            m[nm].user = user;
            m[nm].group = best;
            if (!member_name(&m[nm++], dbres_i64(d, 0, DC_ID))) {
                st = DB_ERROR;
                break;
            }
            have[best]++;
        }
        i = k;
    }
    cJSON_Delete(regions);
out:
    dbres_free(&cand);
    free(ids);
    free(codes);
    free(employed);
    free(disabled);
    *mp = m;
    *nmp = nm;
    return st;
}

/* Fix the pool of the draw (row 0 of d, locked) in the caller's transaction: avoidance over the
 * library, pseudonyms, the canonical list and its hash. pl gets pool, pool_sha256, excluded and
 * group_sizes; f is set when a group's pool is too small (nothing then written). */
static enum db_status
fix_pool(struct dbconn *c, const struct dbres *d, int64_t now, cJSON *pl, struct refusal *f)
{
    char names[DRAW_GROUPS_MAX][17];
    int64_t counts[DRAW_GROUPS_MAX], have[DRAW_GROUPS_MAX] = {0};
    size_t ng = draw_groups(d, names, counts);
    int64_t id = dbres_i64(d, 0, DC_ID), excluded[16] = {0};
    char *rows = NULL, *canon = NULL;
    struct member *m = NULL;
    size_t nm = 0;
    memset(f, 0, sizeof *f);
    enum db_status st = ng == 0 ? DB_ERROR
                        : !strcmp(dbres_str(d, 0, DC_KIND), "agency")
                            ? agency_members(c, d, now, &m, &nm, have, excluded)
                            : expert_members(c, d, now, names, ng, &m, &nm, have, excluded);
    if (st != DB_OK)
        goto fail;
    {
        const char *nm_ptr[DRAW_GROUPS_MAX];
        for (size_t g = 0; g < ng; g++)
            nm_ptr[g] = names[g];
        *f = experts_rule_pool(have, counts, ng, experts_conf.pool_ratio, nm_ptr);
    }
    if (f->code)
        goto fail;
    qsort(m, nm, sizeof *m, by_pseudonym);
    for (size_t i = 1; i < nm; i++)
        if (!strcmp(m[i].pseudonym, m[i - 1].pseudonym)) {
            st = DB_ERROR; /* two pseudonyms alike (p < 2^-40 per pair): asked again, new ones */
            goto fail;
        }
    /* the pool as logged, and the map of who each pseudonym is with its salt (kept, logged only
     * for the members drawn, when the names are revealed) */
    cJSON *pool = cJSON_CreateArray();
    struct buf map = {0};
    buf_puts(&map, "[");
    for (size_t i = 0; i < nm; i++) {
        cJSON *pair = cJSON_CreateArray();
        cJSON_AddItemToArray(pair, cJSON_CreateString(m[i].pseudonym));
        cJSON_AddItemToArray(pair, cJSON_CreateString(names[m[i].group]));
        cJSON_AddItemToArray(pool, pair);
        buf_printf(&map, "%s[\"%s\",%lld,\"%s\",\"%s\"]", i ? "," : "", m[i].pseudonym,
                   (long long)m[i].user, names[m[i].group], m[i].salt);
    }
    buf_puts(&map, "]");
    size_t clen = 0;
    canon = canon_json(pool, &clen);
    rows = buf_take(&map);
    uint8_t sha[32];
    char sha_hex[65];
    if (!canon || !rows || !crypto_sha256(canon, clen, sha)) {
        cJSON_Delete(pool);
        st = DB_ERROR;
        goto fail;
    }
    hex_encode(sha, 32, sha_hex);
    if ((st = store_draw_pooled(c, id, sha_hex, (int64_t)nm, rows, now)) != DB_OK) {
        cJSON_Delete(pool);
        goto fail;
    }
    cJSON_AddItemToObject(pl, "pool", pool);
    cJSON_AddStringToObject(pl, "pool_sha256", sha_hex);
    cJSON *ex = cJSON_AddObjectToObject(pl, "excluded");
    for (size_t e = 0; experts_exclusion_reasons[e]; e++)
        json_add_i64(ex, experts_exclusion_reasons[e], excluded[e]);
    cJSON *gs = cJSON_AddObjectToObject(pl, "group_sizes");
    for (size_t g = 0; g < ng; g++)
        json_add_i64(gs, names[g], have[g]);
fail:
    free(m);
    free(rows);
    free(canon);
    return st;
}

/* ---- cosignatures ---- */

struct signed_in {
    int64_t draw, signed_us;
    const char *key_id, *signature, *value;
};

static cJSON *
cosign_fields(const struct signed_in *x, const char *commit, int64_t user)
{
    cJSON *f = cJSON_CreateObject();
    json_add_i64(f, "draw_id", x->draw);
    cJSON_AddStringToObject(f, "platform", experts_cfg->platform_id);
    cJSON_AddStringToObject(f, "seed_commit", commit);
    json_add_i64(f, "signed_us", x->signed_us);
    json_add_i64(f, "user_id", user);
    return f;
}

static enum tx_result
cosign_tx(struct dbconn *c, struct req *r, void *arg)
{
    struct signed_in *x = arg;
    struct dbres d = {0}, cs = {0};
    struct signing_key k = {0};
    cJSON *fields = NULL, *pl = NULL;
    int64_t now = clock_now_us();
    enum tx_result t = locked_draw(c, r, x->draw, &d);
    if (t != TX_COMMIT ||
        (t = draw_in_state(r, &d, "committed", "its pool is fixed already")) != TX_COMMIT)
        goto out;
    fields = cosign_fields(x, dbres_str(&d, 0, DC_COMMIT), r->who.user_id);
    t = draw_check_act(c, r, COSIGN_DOMAIN, fields, x->key_id, x->signed_us, x->signature, now, &k);
    if (t != TX_COMMIT)
        goto out;
    t = TX_DBFAIL;
    enum db_status st =
        store_cosign_insert(c, x->draw, r->who.user_id, x->key_id, x->signature, x->signed_us);
    if (st == DB_DUPLICATE) {
        req_rule_as(r, E_CONFLICT, "DRAW-COSIGNED",
                    "you have cosigned this draw already: another member of staff must");
        t = TX_REFUSE;
        goto out;
    }
    if (st != DB_OK || store_cosigns(c, x->draw, &cs) != DB_OK)
        goto out;
    pl = cJSON_CreateObject();
    json_add_i64(pl, "draw_id", x->draw);
    cJSON_AddStringToObject(pl, "seed_commit", dbres_str(&d, 0, DC_COMMIT));
    json_add_i64(pl, "cosigns", (int64_t)cs.nrows);
    cJSON *sa = accounts_signed_json(&k, COSIGN_DOMAIN, fields, x->signature);
    if (!sa)
        goto out;
    cJSON_AddItemToObject(pl, "signed", sa);
    bool pooled = (int64_t)cs.nrows >= experts_conf.staff;
    if (pooled) {
        struct refusal f;
        if ((st = fix_pool(c, &d, now, pl, &f)) != DB_OK) {
            goto out;
        }
        if (f.code) {
            req_refusal(r, &f);
            t = TX_REFUSE;
            goto out;
        }
    }
    if (audit_append(c, req_actor(r), pooled ? "draw.pool" : "draw.cosign", "draw", x->draw,
                     dbres_i64(&d, 0, DC_PROJECT), pl, NULL) != DB_OK) {
        pl = NULL;
        goto out;
    }
    pl = NULL;
    if (reply_draw(c, r, x->draw) != DB_OK)
        goto out;
    t = TX_COMMIT;
out:
    cJSON_Delete(fields);
    cJSON_Delete(pl);
    accounts_signing_key_free(&k);
    dbres_free(&d);
    dbres_free(&cs);
    return t;
}

void
draw_cosign(struct req *r, const cJSON *body)
{
    struct signed_in x = {.signed_us = json_i64(body, "signed_us", 0),
                          .key_id = json_str(body, "key_id"),
                          .signature = json_str(body, "signature")};
    if (req_param_id(r, "id", &x.draw))
        req_tx(r, cosign_tx, &x);
}

/* ---- the supervisor's value, the public value, the seed, the order ---- */

/* Seed the locked draw (row 0 of d) from its secret, its pool, the supervisor's value (act: their
 * signed act as logged, consumed) and the public value (beacon, "" for none), walk each group's
 * order to invite the first experts, and append draw.seeded as actor a: the secret revealed. */
static enum db_status
seed_and_invite(struct dbconn *c, const struct actor *a, struct dbres *d, int64_t supervisor,
                const char *value, cJSON *act, const char *beacon, int64_t beacon_published_us,
                int64_t now)
{
    uint8_t pool_sha[32], seed[32], secret[32];
    char seed_hex[65], secret_hex[65];
    int64_t id = dbres_i64(d, 0, DC_ID), project = dbres_i64(d, 0, DC_PROJECT);
    cJSON *pl = NULL;
    bool short_ = false;
    enum db_status st = DB_ERROR;
    if (dbres_len(d, 0, DC_SECRET) != 32 || !hex_decode(dbres_str(d, 0, DC_POOL_SHA), pool_sha, 32))
        goto out;
    memcpy(secret, dbres_str(d, 0, DC_SECRET), 32);
    if (!draw_seed(secret, pool_sha, value, strlen(value), beacon, strlen(beacon), seed))
        goto out;
    hex_encode(seed, 32, seed_hex);
    hex_encode(secret, 32, secret_hex);
    if ((st = store_draw_seeded(c, id, seed_hex, supervisor, value, *beacon ? beacon : NULL,
                                beacon_published_us, now)) != DB_OK)
        goto out;
    dbres_free(d);
    if ((st = store_draw(c, id, true, d)) != DB_OK || d->nrows != 1) {
        st = st == DB_OK ? DB_ERROR : st;
        goto out;
    }
    pl = cJSON_CreateObject();
    json_add_i64(pl, "draw_id", id);
    cJSON *steps = cJSON_AddArrayToObject(pl, "steps");
    /* an agency draw is complete once drawn: the agencies drawn are the tenderer's */
    bool agency = !strcmp(dbres_str(d, 0, DC_KIND), "agency");
    if ((st = draw_fill(c, d, now, steps, &short_)) != DB_OK)
        goto out;
    const char *to = short_ ? "short" : agency ? "complete" : "drawn";
    if (strcmp(to, "drawn") && (st = store_draw_state(c, id, to, now)) != DB_OK)
        goto out;
    cJSON_AddStringToObject(pl, "secret", secret_hex);
    cJSON_AddStringToObject(pl, "beacon", beacon);
    if (*beacon)
        json_add_i64(pl, "beacon_published_us", beacon_published_us);
    cJSON_AddStringToObject(pl, "seed", seed_hex);
    cJSON_AddStringToObject(pl, "state", to);
    cJSON_AddItemToObject(pl, "signed", act); /* the supervisor's value, signed */
    act = NULL;
    st = audit_append(c, a, "draw.seeded", "draw", id, project, pl, NULL);
    pl = NULL;
out:
    OPENSSL_cleanse(secret, sizeof secret);
    OPENSSL_cleanse(secret_hex, sizeof secret_hex);
    cJSON_Delete(act);
    cJSON_Delete(pl);
    return st;
}

static enum tx_result
entropy_tx(struct dbconn *c, struct req *r, void *arg)
{
    struct signed_in *x = arg;
    struct dbres d = {0};
    struct signing_key k = {0};
    cJSON *fields = NULL, *act = NULL;
    int64_t now = clock_now_us();
    char *act_text = NULL;
    enum tx_result t = locked_draw(c, r, x->draw, &d);
    if (t != TX_COMMIT || (t = draw_in_state(r, &d, "pooled",
                                             "its pool must be fixed, and only "
                                             "one value is taken")) != TX_COMMIT)
        goto out;
    fields = cJSON_CreateObject();
    json_add_i64(fields, "draw_id", x->draw);
    cJSON_AddStringToObject(fields, "platform", experts_cfg->platform_id);
    cJSON_AddStringToObject(fields, "pool_sha256", dbres_str(&d, 0, DC_POOL_SHA));
    cJSON_AddStringToObject(fields, "seed_commit", dbres_str(&d, 0, DC_COMMIT));
    json_add_i64(fields, "signed_us", x->signed_us);
    json_add_i64(fields, "user_id", r->who.user_id);
    cJSON_AddStringToObject(fields, "value", x->value);
    t = draw_check_act(c, r, ENTROPY_DOMAIN, fields, x->key_id, x->signed_us, x->signature, now,
                       &k);
    if (t != TX_COMMIT)
        goto out;
    t = TX_DBFAIL;
    if (!(act = accounts_signed_json(&k, ENTROPY_DOMAIN, fields, x->signature)))
        goto out;
    if (dbres_str(&d, 0, DC_BEACON_SOURCE)) {
        /* a public value is configured: it is taken once published after this; keep the act */
        cJSON *pl = cJSON_CreateObject();
        json_add_i64(pl, "draw_id", x->draw);
        cJSON_AddStringToObject(pl, "beacon_source", dbres_str(&d, 0, DC_BEACON_SOURCE));
        if (!(act_text = cJSON_PrintUnformatted(act)) ||
            store_draw_valued(c, x->draw, r->who.user_id, x->value, act_text, now) != DB_OK) {
            cJSON_Delete(pl);
            goto out;
        }
        cJSON_AddItemToObject(pl, "signed", act);
        act = NULL;
        if (audit_append(c, req_actor(r), "draw.value", "draw", x->draw,
                         dbres_i64(&d, 0, DC_PROJECT), pl, NULL) != DB_OK)
            goto out;
    } else {
        enum db_status st =
            seed_and_invite(c, req_actor(r), &d, r->who.user_id, x->value, act, "", 0, now);
        act = NULL;
        if (st != DB_OK)
            goto out;
    }
    if (reply_draw(c, r, x->draw) != DB_OK)
        goto out;
    t = TX_COMMIT;
out:
    cJSON_Delete(fields);
    cJSON_Delete(act);
    free(act_text);
    accounts_signing_key_free(&k);
    dbres_free(&d);
    return t;
}

void
draw_entropy(struct req *r, const cJSON *body)
{
    struct signed_in x = {.signed_us = json_i64(body, "signed_us", 0),
                          .key_id = json_str(body, "key_id"),
                          .signature = json_str(body, "signature"),
                          .value = json_str(body, "value")};
    if (req_param_id(r, "id", &x.draw))
        req_tx(r, entropy_tx, &x);
}

struct beacon_in {
    int64_t draw, published_us;
    const char *value;
};

/* Center staff enter the public value as its source published it (anyone can compare it with
 * the source): one published after the pool was fixed, and not in the future. */
static enum tx_result
beacon_tx(struct dbconn *c, struct req *r, void *arg)
{
    struct beacon_in *x = arg;
    struct dbres d = {0};
    int64_t now = clock_now_us();
    enum tx_result t = locked_draw(c, r, x->draw, &d);
    if (t != TX_COMMIT ||
        (t = draw_in_state(r, &d, "valued", "the public value comes after the supervisor's")) !=
            TX_COMMIT)
        goto out;
    t = TX_REFUSE;
    if (x->published_us <= dbres_i64(&d, 0, DC_POOLED) || x->published_us > now) {
        req_rule(r, "DRAW-BEACON-TIME",
                 "the public value must be one published after the pool was fixed and before "
                 "now (published_us)");
        goto out;
    }
    t = TX_DBFAIL;
    cJSON *act = cJSON_Parse(dbres_str(&d, 0, DC_SUP_ACT));
    const cJSON *f = cJSON_GetObjectItemCaseSensitive(act, "fields");
    const char *value = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(f, "value"));
    char *v = value ? strdup(value) : NULL;
    enum db_status st = v ? seed_and_invite(c, req_actor(r), &d, dbres_i64(&d, 0, DC_SUPERVISOR), v,
                                            act, x->value, x->published_us, now)
                          : DB_ERROR;
    if (!v)
        cJSON_Delete(act);
    free(v);
    if (st != DB_OK)
        goto out;
    if (reply_draw(c, r, x->draw) != DB_OK)
        goto out;
    t = TX_COMMIT;
out:
    dbres_free(&d);
    return t;
}

void
draw_beacon(struct req *r, const cJSON *body)
{
    struct beacon_in x = {.value = json_str(body, "value"),
                          .published_us = json_i64(body, "published_us", 0)};
    if (req_param_id(r, "id", &x.draw))
        req_tx(r, beacon_tx, &x);
}

/* ---- reading ---- */

struct read_in {
    int64_t id;
    bool staff;
};

/* Staff and supervisors see who is on the committee; that read is logged in the same
 * transaction (draw.read), so no list is seen without its entry. */
enum tx_result
draw_visible(struct dbconn *c, struct req *r, const struct dbres *d)
{
    struct project_view pv;
    bool found;
    if (!strcmp(dbres_str(d, 0, DC_KIND), "agency")) {
        if ((r->who.role & (ROLE_CENTER_ADMIN | ROLE_SUPERVISOR)) ||
            ((r->who.role & (ROLE_AGENT | ROLE_TENDERER)) &&
             r->who.org_id == dbres_i64(d, 0, DC_TENDERER)))
            return TX_COMMIT;
    } else {
        if (entry_project(c, dbres_i64(d, 0, DC_PROJECT), false, &pv, &found) != DB_OK)
            return TX_DBFAIL;
        if (found && entry_rule_is_party(&r->who, &pv))
            return TX_COMMIT;
    }
    req_error(r, E_NOT_FOUND, "no draw %lld", (long long)dbres_i64(d, 0, DC_ID));
    return TX_REFUSE;
}

static enum tx_result
read_tx(struct dbconn *c, struct req *r, void *arg)
{
    struct read_in *x = arg;
    struct dbres d = {0}, p = {0}, people = {0};
    enum tx_result t = TX_DBFAIL;
    if (store_draw(c, x->id, false, &d) != DB_OK)
        goto out;
    t = TX_REFUSE;
    if (d.nrows != 1) {
        req_error(r, E_NOT_FOUND, "no draw %lld", (long long)x->id);
        goto out;
    }
    if ((t = draw_visible(c, r, &d)) != TX_COMMIT)
        goto out;
    t = TX_DBFAIL;
    if (store_pool(c, x->id, &p) != DB_OK)
        goto out;
    /* once the result is published (draw.reveal) the project's parties see the names too */
    bool names = x->staff || dbres_str(&d, 0, DC_REVEALED);
    if (names && experts_people(c, &p, PL_USER, &people) != DB_OK)
        goto out;
    cJSON *o = draw_json(&d, 0);
    cJSON *ms = cJSON_AddArrayToObject(o, "members");
    size_t shown = 0;
    for (size_t i = 0; i < p.nrows; i++)
        if (dbres_str(&p, i, PL_STATE)) {
            cJSON_AddItemToArray(ms, member_json(&p, i, names, &people));
            shown++;
        }
    if (names && shown && !dbres_str(&d, 0, DC_REVEALED)) {
        cJSON *pl = cJSON_CreateObject();
        json_add_i64(pl, "members", (int64_t)shown);
        if (audit_append(c, req_actor(r), "draw.read", "draw", x->id, dbres_i64(&d, 0, DC_PROJECT),
                         pl, NULL) != DB_OK) {
            cJSON_Delete(o);
            goto out;
        }
    }
    req_json(r, 200, o);
    t = TX_COMMIT;
out:
    dbres_free(&d);
    dbres_free(&p);
    dbres_free(&people);
    return t;
}

void
draw_get(struct req *r, const cJSON *body)
{
    (void)body;
    struct read_in x = {.staff = (r->who.role & (ROLE_CENTER_ADMIN | ROLE_SUPERVISOR)) != 0};
    if (req_param_id(r, "id", &x.id))
        req_tx(r, read_tx, &x);
}

static cJSON *
draw_row_json(void *ctx, const struct dbres *s, size_t i)
{
    (void)ctx;
    return draw_json(s, i);
}

void
draw_list(struct req *r, const cJSON *body)
{
    (void)body;
    int64_t after, limit, pid;
    struct dbres s = {0};
    struct project_view p;
    bool found;
    const char *q = req_query(r, "project_id");
    if (!q || !parse_i64(q, 1, INT64_MAX, &pid)) {
        req_error(r, E_BAD_REQUEST, "project_id is required: the draws of one project");
        return;
    }
    struct dbconn *c = req_db(r);
    if (!c || !req_page(r, &after, &limit, 50, 200))
        return;
    enum db_status st = entry_project(c, pid, false, &p, &found);
    if (st == DB_OK && (!found || !entry_rule_is_party(&r->who, &p))) {
        req_error(r, E_NOT_FOUND, "no project %lld of yours", (long long)pid);
        return;
    }
    if (st == DB_OK)
        st = store_draws_project(c, pid, after, limit, &s);
    if (st != DB_OK)
        req_db_fail(r, c, st);
    else
        req_page_reply(r, &s, limit, "after", DC_ID, draw_row_json, NULL);
    dbres_free(&s);
}

/* ---- cancelling ---- */

struct cancel_in {
    int64_t id;
    const char *reason;
};

static enum tx_result
cancel_tx(struct dbconn *c, struct req *r, void *arg)
{
    struct cancel_in *x = arg;
    struct dbres d = {0}, p = {0};
    int64_t now = clock_now_us();
    enum tx_result t = locked_draw(c, r, x->id, &d);
    if (t != TX_COMMIT || (t = draw_visible(c, r, &d)) != TX_COMMIT)
        goto out;
    t = TX_REFUSE;
    const char *cur = dbres_str(&d, 0, DC_STATE);
    if (!strcmp(cur, "complete") || !strcmp(cur, "cancelled")) {
        req_transition_refused(r, cur, "cancelled", "the draw is %s", cur);
        goto out;
    }
    t = TX_DBFAIL;
    if (store_pool(c, x->id, &p) != DB_OK)
        goto out;
    for (size_t i = 0; i < p.nrows; i++) {
        const char *s = dbres_str(&p, i, PL_STATE);
        if (s && (!strcmp(s, "invited") || !strcmp(s, "confirmed")) &&
            store_pool_answer(c, x->id, dbres_str(&p, i, PL_PSEUDONYM), "cancelled", x->reason,
                              now) != DB_OK)
            goto out;
    }
    if (store_draw_state(c, x->id, "cancelled", now) != DB_OK)
        goto out;
    cJSON *pl = cJSON_CreateObject();
    cJSON_AddStringToObject(pl, "from", cur);
    cJSON_AddStringToObject(pl, "reason", x->reason);
    if (audit_append(c, req_actor(r), "draw.cancel", "draw", x->id, dbres_i64(&d, 0, DC_PROJECT),
                     pl, NULL) != DB_OK)
        goto out;
    req_empty(r, 200);
    t = TX_COMMIT;
out:
    dbres_free(&d);
    dbres_free(&p);
    return t;
}

void
draw_cancel(struct req *r, const cJSON *body)
{
    struct cancel_in x = {.reason = json_str(body, "reason")};
    if (req_param_id(r, "id", &x.id))
        req_tx(r, cancel_tx, &x);
}
