/*
 * draw.c — `ggzy draw verify --file EXPORT --draw ID`: replay a committee draw from an exported
 * audit log alone (docs/draw.md §9). The export is verified first as `ggzy audit verify --file`
 * does (every entry hashes into the signed tree); then the draw's entries are read in log order
 * and each step is re-derived: the committed secret against its commitment, the pool against
 * its hash, the seed from the secret, the pool's hash, the supervisor's value and the public
 * value, each group's order by lib/draw.c, and every invitation, skip and replacement against
 * that order. The committee's size and make-up are checked against the rule table in force in
 * this build. Prints the committee by pseudonym; exit 0 when everything holds, 1 otherwise.
 * The signatures in these entries are checked by `ggzy audit replay --project` (INV-SIGNATURE).
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include <openssl/crypto.h>

#include "canon.h"
#include "crypto.h"
#include "draw.h"
#include "merkle.h"
#include "statutes.h"
#include "util.h"

#define GROUPS_MAX 8
#define POOL_MAX   200000

struct group {
    char name[DRAW_GROUP_MAX + 1];
    int64_t count;
    const char **members; /* pseudonyms in pool order */
    size_t m;
    size_t *order;
    size_t k, next; /* the order's length, and its next rank to be used */
    int64_t confirmed;
};

struct replay {
    cJSON *request, *pool, *seeded; /* payloads (owned) */
    cJSON *changes;                 /* draw.answer and draw.expire payloads, in order (owned) */
    int cosigns;
    int64_t cosigners[16];
    int bad;
};

static void __attribute__((format(printf, 2, 3))) fail(struct replay *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("FAILED: ");
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
    r->bad++;
}

/* Read the export's entries about draw id into r. */
static bool
collect(const char *file, long long id, struct replay *r)
{
    FILE *f = fopen(file, "r");
    if (!f) {
        fprintf(stderr, "ggzy: cannot open %s\n", file);
        return false;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    r->changes = cJSON_CreateArray();
    while ((n = getline(&line, &cap, f)) > 0) {
        if (n < 7 || memcmp(line, "entry ", 6))
            continue;
        if (line[n - 1] == '\n')
            line[--n] = '\0';
        char *sp1 = strchr(line + 6, ' '), *sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;
        if (!sp2 || !strcmp(sp2 + 1, "-"))
            continue;
        cJSON *e = cJSON_Parse(sp2 + 1);
        const cJSON *obj = cJSON_GetObjectItemCaseSensitive(e, "object");
        const char *type = jstr(obj, "type"), *action = jstr(e, "action");
        if (!type || strcmp(type, "draw") || jint(obj, "id") != id || !action) {
            cJSON_Delete(e);
            continue;
        }
        cJSON *p = cJSON_DetachItemFromObjectCaseSensitive(e, "payload");
        if (!strcmp(action, "draw.request") && !r->request)
            r->request = p, p = NULL;
        else if (!strcmp(action, "draw.pool") && !r->pool)
            r->pool = p, p = NULL;
        else if (!strcmp(action, "draw.seeded") && !r->seeded)
            r->seeded = p, p = NULL;
        else if (!strcmp(action, "draw.answer") || !strcmp(action, "draw.expire") ||
                 !strcmp(action, "draw.replace"))
            cJSON_AddItemToArray(r->changes, p), p = NULL;
        if (!strcmp(action, "draw.cosign") || !strcmp(action, "draw.pool")) {
            const cJSON *src = p ? p : r->pool;
            const cJSON *fl = cJSON_GetObjectItemCaseSensitive(
                cJSON_GetObjectItemCaseSensitive(src, "signed"), "fields");
            int64_t who = jint(fl, "user_id");
            bool seen = false;
            for (int i = 0; i < r->cosigns; i++)
                seen = seen || r->cosigners[i] == who;
            if (!seen && who > 0 && r->cosigns < 16)
                r->cosigners[r->cosigns++] = who;
        }
        cJSON_Delete(p);
        cJSON_Delete(e);
    }
    free(line);
    fclose(f);
    return true;
}

/* The committee the request asks for, against the rule table. */
static void
check_committee(struct replay *r, const struct group *g, size_t ng)
{
    const char *cat_name = jstr(r->request, "category");
    int c = category_from_name(cat_name);
    if (c < 0) {
        fail(r, "the request names no category (%s)", cat_name);
        return;
    }
    int64_t experts = 0, reps = jint(r->request, "owner_reps");
    for (size_t i = 0; i < ng; i++)
        experts += g[i].count;
    int64_t size = experts + reps;
    int64_t min = statute_value(S_COMMITTEE_SIZE, (enum category)c);
    int64_t share = statute_value(S_COMMITTEE_EXPERTS, (enum category)c);
    int64_t big = statute_value(S_COMMITTEE_LARGE_BUDGET, (enum category)c);
    int64_t large = statute_value(S_COMMITTEE_LARGE, (enum category)c);
    if (min < 0)
        min = statute_value(S_COMMITTEE_SIZE, CAT_ENGINEERING);
    if (share < 0)
        share = statute_value(S_COMMITTEE_EXPERTS, CAT_ENGINEERING);
    if (size % 2 == 0 || size < min)
        fail(r, "the committee is even or below the minimum (%s)", "R-COMMITTEE-SIZE");
    if (big >= 0 && large >= 0 && jint(r->request, "budget_fen") >= big && size < large)
        fail(r, "the committee is below the minimum for its budget (%s)", "R-COMMITTEE-LARGE");
    if (experts * 1000 < size * share)
        fail(r, "library experts are fewer than two thirds (%s)", "R-COMMITTEE-EXPERTS");
    if (jint(r->request, "size") != size)
        fail(r, "the request's size is not its groups and representatives%s", "");
    if (r->cosigns < 2 || r->cosigns < jint(r->request, "staff"))
        fail(r, "fewer distinct staff cosigned the commitment than required%s", "");
}

/* Walk one step of the log (an invitation or a skip) against its group's order. */
static void
check_step(struct replay *r, struct group *g, size_t ng, const cJSON *s)
{
    const char *name = jstr(s, "group"), *pseud = jstr(s, "pseudonym");
    struct group *x = NULL;
    for (size_t i = 0; i < ng && !x; i++)
        if (name && !strcmp(g[i].name, name))
            x = &g[i];
    if (!x || !pseud) {
        fail(r, "a step names no requested group (%s)", name);
        return;
    }
    if (x->next >= x->k || jint(s, "rank") != (int64_t)x->next ||
        strcmp(x->members[x->order[x->next]], pseud)) {
        printf("FAILED: %s rank %lld is %s, but the order gives %s\n", name,
               (long long)jint(s, "rank"), pseud,
               x->next < x->k ? x->members[x->order[x->next]] : "nobody (the order is used up)");
        r->bad++;
    }
    x->next++;
}

int
cmd_draw_verify(const struct opts *o)
{
    if (!o->file || o->draw <= 0)
        return usage();
    int rc = cmd_audit_verify(o);
    if (rc != 0)
        return rc;
    struct replay r = {0};
    struct group g[GROUPS_MAX];
    size_t ng = 0;
    memset(g, 0, sizeof g);
    if (!collect(o->file, o->draw, &r)) {
        rc = 2;
        goto out;
    }
    if (!r.request || !r.pool || !r.seeded) {
        printf("FAILED: draw %lld has %s in this export\n", o->draw,
               !r.request ? "no request"
               : !r.pool  ? "no fixed pool"
                          : "no seed (the supervisor's value has not come, or was withheld)");
        rc = 1;
        goto out;
    }
    /* 1. the secret against the commitment made before the pool */
    uint8_t secret[32], commit[32], pool_sha[32], seed[32], want[32];
    char hex[65];
    if (!hex_member(r.seeded, "secret", secret, 32) || !draw_commit(secret, commit) ||
        !hex_member(r.request, "seed_commit", want, 32) || memcmp(commit, want, 32))
        fail(&r, "the revealed secret is not the one committed to before the pool%s", "");
    /* 2. the pool against its hash */
    const cJSON *pool = cJSON_GetObjectItemCaseSensitive(r.pool, "pool");
    size_t clen = 0;
    char *canon = cJSON_IsArray(pool) ? canon_json(pool, &clen) : NULL;
    if (!canon || !crypto_sha256(canon, clen, pool_sha) ||
        !hex_member(r.pool, "pool_sha256", want, 32) || memcmp(pool_sha, want, 32))
        fail(&r, "the logged pool does not hash to its pool_sha256%s", "");
    free(canon);
    /* 3. the seed from its four parts */
    const cJSON *sv = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(r.seeded, "signed"),
                                         "fields"),
        "value");
    const char *beacon = jstr(r.seeded, "beacon");
    if (!cJSON_IsString(sv) || !beacon ||
        !draw_seed(secret, pool_sha, sv->valuestring, strlen(sv->valuestring), beacon,
                   strlen(beacon), seed) ||
        !hex_member(r.seeded, "seed", want, 32) || memcmp(seed, want, 32))
        fail(&r,
             "the seed is not the hash of the secret, the pool, the supervisor's value and "
             "the public value%s",
             "");
    /* 4. each group's order */
    const cJSON *it;
    cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(r.request, "groups"))
    {
        if (ng == GROUPS_MAX)
            break;
        snprintf(g[ng].name, sizeof g[ng].name, "%s", jstr(it, "specialty"));
        g[ng++].count = jint(it, "count");
    }
    int64_t reserves = jint(r.request, "reserves");
    for (size_t i = 0; i < ng; i++) {
        g[i].members = calloc((size_t)cJSON_GetArraySize(pool) + 1, sizeof *g[i].members);
        cJSON_ArrayForEach(it, pool)
        {
            const char *gn = cJSON_GetStringValue(cJSON_GetArrayItem(it, 1));
            if (g[i].members && gn && !strcmp(gn, g[i].name))
                g[i].members[g[i].m++] = cJSON_GetStringValue(cJSON_GetArrayItem(it, 0));
        }
        g[i].k =
            (size_t)(g[i].count + reserves) < g[i].m ? (size_t)(g[i].count + reserves) : g[i].m;
        g[i].order = calloc(g[i].k + 1, sizeof *g[i].order);
        if (!g[i].members || !g[i].order ||
            !draw_order(seed, g[i].name, g[i].m, g[i].k, g[i].order))
            fail(&r, "cannot order group %s", g[i].name);
    }
    check_committee(&r, g, ng);
    /* 5. every invitation, skip and replacement, in log order */
    cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(r.seeded, "steps"))
        check_step(&r, g, ng, it);
    cJSON *confirmed = cJSON_CreateArray(), *replaced = cJSON_CreateArray();
    const cJSON *ch;
    cJSON_ArrayForEach(ch, r.changes)
    {
        const char *ans = jstr(ch, "answer");
        if (ans && !strcmp(ans, "confirmed"))
            cJSON_AddItemToArray(confirmed, cJSON_CreateString(jstr(ch, "pseudonym")));
        if (cJSON_GetObjectItemCaseSensitive(ch, "void_from_us")) /* draw.replace */
            cJSON_AddItemToArray(replaced, cJSON_CreateString(jstr(ch, "pseudonym")));
        cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(ch, "steps"))
            check_step(&r, g, ng, it);
    }
    /* the committee as the log leaves it */
    for (size_t i = 0; i < ng; i++) {
        printf("group %s (%lld of %zu in the pool):", g[i].name, (long long)g[i].count, g[i].m);
        for (size_t j = 0; j < g[i].next && j < g[i].k; j++) {
            const char *p = g[i].members[g[i].order[j]];
            bool yes = false, gone = false;
            cJSON_ArrayForEach(it, confirmed) yes = yes || !strcmp(it->valuestring, p);
            cJSON_ArrayForEach(it, replaced) gone = gone || !strcmp(it->valuestring, p);
            printf(" %s%s", p, gone ? "(replaced)" : yes ? "(confirmed)" : "");
        }
        printf("\n");
    }
    cJSON_Delete(confirmed);
    cJSON_Delete(replaced);
    hex_encode(seed, 32, hex);
    if (!r.bad)
        printf("OK: draw %lld replays from the log: committed secret, pool %s…, seed %s, every "
               "invitation in stream order\n",
               o->draw, jstr(r.pool, "pool_sha256") ? jstr(r.pool, "pool_sha256") : "", hex);
    rc = r.bad ? 1 : 0;
    OPENSSL_cleanse(secret, sizeof secret);
out:
    for (size_t i = 0; i < ng; i++) {
        free(g[i].members);
        free(g[i].order);
    }
    cJSON_Delete(r.request);
    cJSON_Delete(r.pool);
    cJSON_Delete(r.seeded);
    cJSON_Delete(r.changes);
    return rc;
}
