/*
 * invariants_draws.c — the draw ledger (invariants.h): each committee draw re-derived from its
 * entries as they arrive in log order (docs/draw.md §9), the misuses named with their index:
 *   INV-DRAW-SEED   the revealed secret is the one committed to before the pool, the pool hashes
 *                   to its logged hash, and the seed is the hash of its parts;
 *   INV-DRAW-ORDER  every invitation, skip and replacement is the next rank of its group's
 *                   order (lib/draw.c), within the group's count and reserves;
 *   INV-DRAW-SIZE   the committee is odd, large enough for its category and budget, and at
 *                   least two thirds library experts (the statute table as the law has it);
 *   INV-DRAW-STAFF  at least two distinct staff (and as many as the request required) cosigned
 *                   the commitment before the pool was fixed;
 *   INV-DRAW-AVOID  (whole log, once the names are revealed) no member drawn works for the
 *                   project's tenderer, its agent or a bidder known when the pool was fixed, or
 *                   had declared a relation to one of them that still counted then.
 * `ggzy audit replay` feeds it every entry; `ggzy draw verify` feeds it one draw's and prints the
 * walk (dl_print).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "canon.h"
#include "crypto.h"
#include "draw.h"
#include "invariants.h"
#include "statutes.h"

#define GROUPS_MAX 8
#define DRAWS_MAX  4096

struct group {
    char name[DRAW_GROUP_MAX + 1];
    int64_t count;
    const char **members; /* pseudonyms in pool order (into pool) */
    size_t m, k, next;    /* members, the walk's length, the next rank */
    size_t *order;
};

struct one_draw {
    int64_t id, pooled_us; /* pooled_us: the time of the draw.pool entry */
    int64_t project;       /* the draw.request entry's project (0: an agency draw) */
    cJSON *request, *pool; /* the payloads, owned */
    int64_t cosigners[16];
    int ncosigners;
    bool seeded;
    struct group g[GROUPS_MAX];
    size_t ng;
    cJSON *confirmed, *replaced; /* pseudonyms */
};

/* What the whole log tells of people and organizations, for INV-DRAW-AVOID. */
struct org_rec {
    int64_t id;
    char credit[19];
};
struct user_rec {
    int64_t id, org;
};
struct rel_rec {
    int64_t user, since_us, ended_us; /* ended_us 0: it holds */
    char credit[19];
};
struct project_rec {
    int64_t id, tenderer, agent;
};
struct bid_rec {
    int64_t project, org, t;
};

struct draw_ledger {
    struct one_draw *d[DRAWS_MAX];
    size_t n;
    struct org_rec *orgs;
    struct user_rec *users;
    struct rel_rec *rels;
    struct project_rec *projects;
    struct bid_rec *bids;
    size_t norgs, nusers, nrels, nprojects, nbids;
    size_t corgs, cusers, crels, cprojects, cbids;
};

static const char *
credit_of(const struct draw_ledger *l, int64_t org)
{
    for (size_t i = 0; i < l->norgs; i++)
        if (l->orgs[i].id == org)
            return l->orgs[i].credit;
    return NULL;
}

static bool
hex32(const cJSON *o, const char *k, uint8_t out[32])
{
    const char *h = json_str(o, k);
    return h && strlen(h) == 64 && hex_decode(h, out, 32);
}

struct draw_ledger *
dl_new(void)
{
    return calloc(1, sizeof(struct draw_ledger));
}

void
dl_free(struct draw_ledger *l)
{
    for (size_t i = 0; l && i < l->n; i++) {
        struct one_draw *d = l->d[i];
        for (size_t k = 0; k < d->ng; k++) {
            free(d->g[k].members);
            free(d->g[k].order);
        }
        cJSON_Delete(d->request);
        cJSON_Delete(d->pool);
        cJSON_Delete(d->confirmed);
        cJSON_Delete(d->replaced);
        free(d);
    }
    if (l) {
        free(l->orgs);
        free(l->users);
        free(l->rels);
        free(l->projects);
        free(l->bids);
    }
    free(l);
}

static struct one_draw *
draw_of(struct draw_ledger *l, int64_t id, bool make)
{
    for (size_t i = 0; i < l->n; i++)
        if (l->d[i]->id == id)
            return l->d[i];
    if (!make || l->n == DRAWS_MAX)
        return NULL;
    struct one_draw *d = calloc(1, sizeof *d);
    if (d) {
        d->id = id;
        d->confirmed = cJSON_CreateArray();
        d->replaced = cJSON_CreateArray();
        l->d[l->n++] = d;
    }
    return d;
}

static void
note_cosigner(struct one_draw *d, const cJSON *p)
{
    const cJSON *f =
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(p, "signed"), "fields");
    int64_t who = json_i64(f, "user_id", -1);
    for (int i = 0; i < d->ncosigners; i++)
        if (d->cosigners[i] == who)
            return;
    if (who > 0 && d->ncosigners < 16)
        d->cosigners[d->ncosigners++] = who;
}

/* The committee the request asks for, against the statute table as the law has it. */
static void
check_size(struct one_draw *d, int64_t idx, struct inv_report *rep)
{
    int c = category_from_name(json_str(d->request, "category"));
    int64_t experts = 0, reps = json_i64(d->request, "owner_reps", -1);
    const cJSON *it;
    cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(d->request, "groups")) experts +=
        json_i64(it, "count", -1);
    int64_t size = experts + reps;
    enum category cat = c < 0 ? CAT_ENGINEERING : (enum category)c;
    int64_t min = statute_value(S_COMMITTEE_SIZE, cat),
            share = statute_value(S_COMMITTEE_EXPERTS, cat);
    int64_t big = statute_value(S_COMMITTEE_LARGE_BUDGET, cat),
            large = statute_value(S_COMMITTEE_LARGE, cat);
    if (min < 0)
        min = statute_value(S_COMMITTEE_SIZE, CAT_ENGINEERING);
    if (share < 0)
        share = statute_value(S_COMMITTEE_EXPERTS, CAT_ENGINEERING);
    if (c < 0)
        inv_violate(rep, "INV-DRAW-SIZE", idx, "draw %lld: the request names no category",
                    (long long)d->id);
    else if (size % 2 == 0 || size < min)
        inv_violate(rep, "INV-DRAW-SIZE", idx,
                    "draw %lld: a committee of %lld is even or below %lld (R-COMMITTEE-SIZE)",
                    (long long)d->id, (long long)size, (long long)min);
    else if (big >= 0 && large >= 0 && json_i64(d->request, "budget_fen", -1) >= big &&
             size < large)
        inv_violate(rep, "INV-DRAW-SIZE", idx,
                    "draw %lld: a committee of %lld for a budget of %lld fen (R-COMMITTEE-LARGE)",
                    (long long)d->id, (long long)size,
                    (long long)json_i64(d->request, "budget_fen", -1));
    else if (experts * 1000 < size * share)
        inv_violate(rep, "INV-DRAW-SIZE", idx,
                    "draw %lld: %lld of %lld members from the library (R-COMMITTEE-EXPERTS)",
                    (long long)d->id, (long long)experts, (long long)size);
    if (json_i64(d->request, "size", -1) != size)
        inv_violate(rep, "INV-DRAW-SIZE", idx,
                    "draw %lld: the request's size is not its groups and representatives",
                    (long long)d->id);
}

/* The seed re-derived and each group ordered; false when the draw cannot be walked. */
static bool
seed_and_order(struct one_draw *d, const cJSON *p, int64_t idx, struct inv_report *rep)
{
    uint8_t secret[32], commit[32], want[32], pool_sha[32], seed[32];
    bool ok = true;
    if (!hex32(p, "secret", secret) || !draw_commit(secret, commit) ||
        !hex32(d->request, "seed_commit", want) || memcmp(commit, want, 32)) {
        inv_violate(rep, "INV-DRAW-SEED", idx,
                    "draw %lld: the revealed secret is not the one committed to before the pool",
                    (long long)d->id);
        ok = false;
    }
    const cJSON *pool = cJSON_GetObjectItemCaseSensitive(d->pool, "pool");
    size_t clen = 0;
    char *canon = cJSON_IsArray(pool) ? canon_json(pool, &clen) : NULL;
    if (!canon || !crypto_sha256(canon, clen, pool_sha) || !hex32(d->pool, "pool_sha256", want) ||
        memcmp(pool_sha, want, 32)) {
        inv_violate(rep, "INV-DRAW-SEED", idx,
                    "draw %lld: the logged pool does not hash to its pool_sha256",
                    (long long)d->id);
        ok = false;
    }
    free(canon);
    const cJSON *f =
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(p, "signed"), "fields");
    const char *value = json_str(f, "value"), *beacon = json_str(p, "beacon");
    if (!value || !beacon ||
        !draw_seed(secret, pool_sha, value, strlen(value), beacon, strlen(beacon), seed) ||
        !hex32(p, "seed", want) || memcmp(seed, want, 32)) {
        inv_violate(rep, "INV-DRAW-SEED", idx,
                    "draw %lld: the seed is not the hash of the secret, the pool, the "
                    "supervisor's value and the public value",
                    (long long)d->id);
        ok = false;
    }
    OPENSSL_cleanse(secret, sizeof secret);
    const cJSON *it;
    int64_t reserves = json_i64(d->request, "reserves", -1);
    cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(d->request, "groups"))
    {
        if (d->ng == GROUPS_MAX)
            break;
        struct group *g = &d->g[d->ng++];
        snprintf(g->name, sizeof g->name, "%s",
                 json_str(it, "specialty") ? json_str(it, "specialty") : "");
        g->count = json_i64(it, "count", -1);
        g->members = calloc((size_t)cJSON_GetArraySize(pool) + 1, sizeof *g->members);
        const cJSON *pair;
        cJSON_ArrayForEach(pair, pool)
        {
            const char *gn = cJSON_GetStringValue(cJSON_GetArrayItem(pair, 1));
            if (g->members && gn && !strcmp(gn, g->name))
                g->members[g->m++] = cJSON_GetStringValue(cJSON_GetArrayItem(pair, 0));
        }
        int64_t walk = g->count + (reserves > 0 ? reserves : 0);
        g->k = walk > 0 && (size_t)walk < g->m ? (size_t)walk : g->m;
        g->order = calloc(g->k + 1, sizeof *g->order);
        if (!g->members || !g->order || !draw_order(seed, g->name, g->m, g->k, g->order)) {
            g->k = 0;
            ok = false;
        }
    }
    return ok;
}

static void
check_steps(struct one_draw *d, const cJSON *p, int64_t idx, struct inv_report *rep)
{
    const cJSON *s;
    cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(p, "steps"))
    {
        const char *name = json_str(s, "group"), *pseud = json_str(s, "pseudonym");
        struct group *g = NULL;
        for (size_t i = 0; i < d->ng && !g; i++)
            if (name && !strcmp(d->g[i].name, name))
                g = &d->g[i];
        if (!g || !pseud) {
            inv_violate(rep, "INV-DRAW-ORDER", idx, "draw %lld: a step names no requested group",
                        (long long)d->id);
            continue;
        }
        if (g->next >= g->k || json_i64(s, "rank", -1) != (int64_t)g->next ||
            strcmp(g->members[g->order[g->next]], pseud))
            inv_violate(rep, "INV-DRAW-ORDER", idx,
                        "draw %lld: %s rank %lld is %s, but the order gives %s", (long long)d->id,
                        name, (long long)json_i64(s, "rank", -1), pseud,
                        g->next < g->k ? g->members[g->order[g->next]]
                                       : "nobody (its count and reserves are used up)");
        g->next++;
    }
}

/* The people and organizations the log tells of (account, project, bid and expert entries). */
static void
note_fact(struct draw_ledger *l, const char *action, const cJSON *entry, const cJSON *obj,
          const cJSON *p)
{
    int64_t t = json_i64(entry, "time_us", -1);
    if (!strcmp(action, "account.org_create") && json_str(p, "credit_code") &&
        arr_push((void **)&l->orgs, &l->norgs, &l->corgs, sizeof *l->orgs)) {
        l->orgs[l->norgs - 1].id = json_i64(obj, "id", -1);
        snprintf(l->orgs[l->norgs - 1].credit, 19, "%s", json_str(p, "credit_code"));
    } else if (!strcmp(action, "account.user_create") &&
               arr_push((void **)&l->users, &l->nusers, &l->cusers, sizeof *l->users)) {
        l->users[l->nusers - 1] =
            (struct user_rec){json_i64(obj, "id", -1), json_i64(p, "org_id", -1)};
    } else if (!strcmp(action, "expert.relation.add") && json_str(p, "credit_code") &&
               arr_push((void **)&l->rels, &l->nrels, &l->crels, sizeof *l->rels)) {
        struct rel_rec *x = &l->rels[l->nrels - 1];
        x->user = json_i64(obj, "id", -1);
        x->since_us = t;
        x->ended_us = json_i64(p, "ended_us", -1) > 0 ? json_i64(p, "ended_us", -1) : 0;
        snprintf(x->credit, 19, "%s", json_str(p, "credit_code"));
    } else if (!strcmp(action, "project.create") &&
               arr_push((void **)&l->projects, &l->nprojects, &l->cprojects, sizeof *l->projects)) {
        l->projects[l->nprojects - 1] = (struct project_rec){
            json_i64(obj, "id", -1), json_i64(p, "tenderer_org_id", -1),
            json_i64(cJSON_GetObjectItemCaseSensitive(entry, "actor"), "org_id", -1)};
    } else if (!strcmp(action, "bid.receive") &&
               arr_push((void **)&l->bids, &l->nbids, &l->cbids, sizeof *l->bids)) {
        l->bids[l->nbids - 1] = (struct bid_rec){json_i64(entry, "project_id", -1),
                                                 json_i64(p, "bidder_org_id", -1), t};
    }
}

/* INV-DRAW-AVOID at the reveal: each named member against the conflicts known when the pool was
 * fixed. Only where the log told of the member's account (a whole log). */
static void
check_avoid(struct draw_ledger *l, struct one_draw *d, const cJSON *p, int64_t idx,
            struct inv_report *rep)
{
    const struct project_rec *pr = NULL;
    for (size_t i = 0; i < l->nprojects && !pr; i++)
        if (l->projects[i].id == d->project)
            pr = &l->projects[i];
    if (!pr)
        return;
    int64_t conflict[256];
    size_t nc = 0;
    conflict[nc++] = pr->tenderer;
    conflict[nc++] = pr->agent;
    for (size_t i = 0; i < l->nbids && nc < 256; i++)
        if (l->bids[i].project == d->project && l->bids[i].t <= d->pooled_us)
            conflict[nc++] = l->bids[i].org;
    int64_t years = json_i64(d->request, "relation_years", -1);
    int64_t since = d->pooled_us - (years > 0 ? years : 0) * INT64_C(31557600) * 1000000;
    const cJSON *m;
    cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(p, "members"))
    {
        int64_t user = json_i64(m, "user_id", -1), org = -1;
        const char *pseud = json_str(m, "pseudonym");
        for (size_t i = 0; i < l->nusers; i++)
            if (l->users[i].id == user)
                org = l->users[i].org;
        if (org < 0)
            continue; /* the account's creation is not in this log */
        for (size_t k = 0; k < nc; k++)
            if (conflict[k] == org)
                inv_violate(rep, "INV-DRAW-AVOID", idx,
                            "draw %lld: %s works for organization %lld, a party of project %lld",
                            (long long)d->id, pseud ? pseud : "?", (long long)org,
                            (long long)d->project);
        for (size_t i = 0; i < l->nrels; i++) {
            const struct rel_rec *x = &l->rels[i];
            if (x->user != user || x->since_us > d->pooled_us ||
                (x->ended_us && x->ended_us <= since))
                continue;
            for (size_t k = 0; k < nc; k++) {
                const char *cc = credit_of(l, conflict[k]);
                if (cc && !strcmp(cc, x->credit))
                    inv_violate(rep, "INV-DRAW-AVOID", idx,
                                "draw %lld: %s declared a relation to %s, a party of project %lld",
                                (long long)d->id, pseud ? pseud : "?", x->credit,
                                (long long)d->project);
            }
        }
    }
}

void
dl_feed(struct draw_ledger *l, const cJSON *entry, struct inv_report *rep)
{
    const char *action = json_str(entry, "action");
    const cJSON *obj = cJSON_GetObjectItemCaseSensitive(entry, "object");
    const cJSON *p = cJSON_GetObjectItemCaseSensitive(entry, "payload");
    const char *type = json_str(obj, "type");
    int64_t idx = json_i64(entry, "index", -1);
    if (!l || !action)
        return;
    note_fact(l, action, entry, obj, p);
    if (strncmp(action, "draw.", 5) || !type || strcmp(type, "draw"))
        return;
    struct one_draw *d = draw_of(l, json_i64(obj, "id", -1), !strcmp(action, "draw.request"));
    if (!d) {
        inv_violate(rep, "INV-DRAW-SEED", idx, "%s of draw %lld, which was never requested", action,
                    (long long)json_i64(obj, "id", -1));
        return;
    }
    if (!strcmp(action, "draw.request")) {
        if (!d->request) {
            d->request = cJSON_Duplicate(p, true);
            d->project =
                json_i64(entry, "project_id", -1) > 0 ? json_i64(entry, "project_id", -1) : 0;
        }
    } else if (!strcmp(action, "draw.cosign") || !strcmp(action, "draw.pool")) {
        if (d->pool) {
            inv_violate(rep, "INV-DRAW-STAFF", idx,
                        "draw %lld: a cosignature after its pool was fixed", (long long)d->id);
            return;
        }
        note_cosigner(d, p);
        if (!strcmp(action, "draw.pool")) {
            d->pool = cJSON_Duplicate(p, true);
            d->pooled_us = json_i64(entry, "time_us", -1);
            int64_t need = json_i64(d->request, "staff", -1);
            if (d->ncosigners < 2 || d->ncosigners < need)
                inv_violate(rep, "INV-DRAW-STAFF", idx,
                            "draw %lld: its pool was fixed with %d distinct cosigners (%lld "
                            "required, and never fewer than two)",
                            (long long)d->id, d->ncosigners, (long long)need);
        }
    } else if (!strcmp(action, "draw.seeded")) {
        if (d->seeded || !d->request || !d->pool) {
            inv_violate(rep, "INV-DRAW-SEED", idx, "draw %lld: seeded %s", (long long)d->id,
                        d->seeded ? "twice" : "without a logged commitment and pool before it");
            return;
        }
        d->seeded = true;
        const char *beacon = json_str(p, "beacon");
        if (beacon && *beacon && json_i64(p, "beacon_published_us", -1) <= d->pooled_us)
            inv_violate(rep, "INV-DRAW-SEED", idx,
                        "draw %lld: the public value was published before the pool was fixed",
                        (long long)d->id);
        bool ok = seed_and_order(d, p, idx, rep);
        const char *kind = json_str(d->request, "kind");
        if (!kind || strcmp(kind, "agency")) /* an agency draw draws no committee */
            check_size(d, idx, rep);
        if (ok)
            check_steps(d, p, idx, rep);
    } else if (!strcmp(action, "draw.reveal")) {
        const cJSON *m;
        cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(p, "members"))
        {
            char want[17];
            const char *pseud = json_str(m, "pseudonym");
            if (!pseud ||
                !draw_pseudonym(d->id, json_i64(m, "user_id", -1), json_str(m, "salt"), want) ||
                strcmp(want, pseud))
                inv_violate(rep, "INV-DRAW-MAP", idx,
                            "draw %lld: %s is not bound to member %lld by its salt: the mapping "
                            "was changed after the pool was fixed",
                            (long long)d->id, pseud ? pseud : "?",
                            (long long)json_i64(m, "user_id", -1));
        }
        if (d->seeded && d->project)
            check_avoid(l, d, p, idx, rep);
    } else if (!strcmp(action, "draw.answer") || !strcmp(action, "draw.expire") ||
               !strcmp(action, "draw.replace")) {
        if (!d->seeded) {
            inv_violate(rep, "INV-DRAW-ORDER", idx, "draw %lld: %s before its seed",
                        (long long)d->id, action);
            return;
        }
        const char *ans = json_str(p, "answer");
        if (ans && !strcmp(ans, "confirmed") && json_str(p, "pseudonym"))
            cJSON_AddItemToArray(d->confirmed, cJSON_CreateString(json_str(p, "pseudonym")));
        if (!strcmp(action, "draw.replace") && json_str(p, "pseudonym"))
            cJSON_AddItemToArray(d->replaced, cJSON_CreateString(json_str(p, "pseudonym")));
        check_steps(d, p, idx, rep);
    }
}

static bool
listed(const cJSON *a, const char *s)
{
    const cJSON *it;
    cJSON_ArrayForEach(it, a) if (it->valuestring && !strcmp(it->valuestring, s)) return true;
    return false;
}

int
dl_print(const struct draw_ledger *l, int64_t id)
{
    const struct one_draw *d = NULL;
    for (size_t i = 0; l && i < l->n && !d; i++)
        if (l->d[i]->id == id)
            d = l->d[i];
    if (!d || !d->request || !d->pool || !d->seeded) {
        printf("draw %lld has %s in this log\n", (long long)id,
               !d || !d->request ? "no request"
               : !d->pool        ? "no fixed pool"
                          : "no seed (the supervisor's value has not come, or was withheld)");
        return -1;
    }
    for (size_t i = 0; i < d->ng; i++) {
        const struct group *g = &d->g[i];
        printf("group %s (%lld of %zu in the pool):", g->name, (long long)g->count, g->m);
        for (size_t j = 0; j < g->next && j < g->k; j++) {
            const char *p = g->members[g->order[j]];
            printf(" %s%s", p,
                   listed(d->replaced, p)    ? "(replaced)"
                   : listed(d->confirmed, p) ? "(confirmed)"
                                             : "");
        }
        printf("\n");
    }
    return 0;
}
