/*
 * router.c — the compiled route table.
 *
 * At start-up router_add() takes every module's rows, checks each row is complete (method,
 * pattern, handler, roles, body cap with a validator) and that no two rows claim the same
 * method and path shape; any problem aborts start-up naming the path. Patterns are split into
 * segments once; matching compares segments, literal segments beating {param} segments, so
 * /api/v1/users/me wins over /api/v1/users/{id}.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"

#define MAX_SEGS 12

struct croute {
    const struct route *rt;
    size_t nseg;
    char *seg[MAX_SEGS]; /* "{id}" kept as is; is_param marks it */
    size_t seglen[MAX_SEGS];
    bool is_param[MAX_SEGS];
    int literals;
};

/* A request path split once into its segments (offsets into the path and lengths). */
struct psplit {
    size_t n;
    const char *at[MAX_SEGS];
    size_t len[MAX_SEGS];
};

/* Split path ("/a/b/c") into p; false when it has more segments than any route may. */
static bool
psplit(const char *path, struct psplit *p)
{
    const char *s = path + 1;
    p->n = 0;
    if (*s == '\0')
        return true; /* "/": no segment */
    for (;;) {
        if (p->n == MAX_SEGS)
            return false;
        const char *e = strchr(s, '/');
        p->at[p->n] = s;
        p->len[p->n] = e ? (size_t)(e - s) : strlen(s);
        p->n++;
        if (!e)
            return true;
        s = e + 1;
    }
}

static struct croute *table;
static size_t ntable;

static const char *const methods[] = {"GET", "POST", "PUT", "PATCH", "DELETE", NULL};

const char *
route_row_problem(const struct route *rt)
{
    if (!rt->pattern || rt->pattern[0] != '/')
        return "pattern must start with /";
    if (!rt->method)
        return "no method";
    const char *const *m = methods;
    while (*m && strcmp(*m, rt->method))
        m++;
    if (!*m)
        return "unknown method";
    if (!rt->handler)
        return "no handler";
    if (rt->roles == 0)
        return "no roles declared (default deny: say which roles may call it, or ROLE_PUBLIC)";
    if ((rt->roles & ROLE_PUBLIC) && (rt->roles & ROLES_USER))
        return "ROLE_PUBLIC combined with user roles";
    bool has_body =
        !strcmp(rt->method, "POST") || !strcmp(rt->method, "PUT") || !strcmp(rt->method, "PATCH");
    if (rt->max_body > 0 && !rt->schema && !(rt->flags & (ROUTE_BODY_RAW | ROUTE_BODY_STREAM)))
        return "a body cap without a validator";
    if ((rt->flags & ROUTE_BODY_RAW) && (rt->schema || rt->max_body == 0))
        return "a raw body route needs a cap and no validator";
    if ((rt->flags & ROUTE_BODY_STREAM) &&
        (!rt->sink || !rt->sink->open || !rt->sink->write || !rt->sink->close || rt->schema ||
         rt->max_body == 0 || (rt->flags & (ROUTE_BODY_RAW | ROUTE_CREATES))))
        return "a streamed body needs a complete sink and a cap, and no validator, raw body or "
               "Idempotency-Key";
    if (rt->sink && !(rt->flags & ROUTE_BODY_STREAM))
        return "a sink on a route that does not stream its body";
    if (rt->max_body == 0 && rt->schema)
        return "a validator without a body cap";
    if (rt->max_body > 0 && !has_body)
        return "a body on a method without one";
    if ((rt->flags & ROUTE_CREATES) && strcmp(rt->method, "POST"))
        return "ROUTE_CREATES on a method other than POST";
    return NULL;
}

static bool
split(const char *pattern, struct croute *c, char *err, size_t errlen)
{
    const char *p = pattern + 1;
    c->nseg = 0;
    c->literals = 0;
    if (*p == '\0')
        return true; /* "/" */
    for (;;) {
        const char *e = strchr(p, '/');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (c->nseg == MAX_SEGS) {
            snprintf(err, errlen, "route %s: too many segments", pattern);
            return false;
        }
        if (n == 0) {
            snprintf(err, errlen, "route %s: empty segment", pattern);
            return false;
        }
        c->seg[c->nseg] = strndup(p, n);
        if (!c->seg[c->nseg]) {
            snprintf(err, errlen, "out of memory");
            return false;
        }
        c->seglen[c->nseg] = n;
        c->is_param[c->nseg] = n > 2 && p[0] == '{' && p[n - 1] == '}';
        if (!c->is_param[c->nseg])
            c->literals++;
        c->nseg++;
        if (!e)
            break;
        p = e + 1;
    }
    return true;
}

static int
cmp_specific(const void *a, const void *b)
{
    const struct croute *x = a, *y = b;
    return y->literals - x->literals;
}

bool
router_add(const char *owner, const struct route *rows, size_t nrows, bool test_mode, char *err,
           size_t errlen)
{
    struct croute *grown = realloc(table, (ntable + nrows + 1) * sizeof *table);
    if (!grown) {
        snprintf(err, errlen, "out of memory");
        return false;
    }
    table = grown;
    memset(table + ntable, 0, (nrows + 1) * sizeof *table);
    for (size_t j = 0; j < nrows; j++) {
        const struct route *rt = &rows[j];
        const char *why = route_row_problem(rt);
        if (why) {
            snprintf(err, errlen, "module %s: route %s %s: %s", owner,
                     rt->method ? rt->method : "?", rt->pattern ? rt->pattern : "?", why);
            return false;
        }
        if ((rt->flags & ROUTE_TEST_ONLY) && !test_mode &&
            !((rt->flags & ROUTE_DEMO) && clock_is_demo()))
            continue;
        struct croute *c = &table[ntable];
        c->rt = rt;
        if (!split(rt->pattern, c, err, errlen))
            return false;
        for (size_t k = 0; k < ntable; k++) {
            struct croute *o = &table[k];
            if (o->nseg != c->nseg || strcmp(o->rt->method, rt->method))
                continue;
            bool same = true;
            for (size_t s = 0; s < c->nseg && same; s++)
                same = (o->is_param[s] && c->is_param[s]) ||
                       (!o->is_param[s] && !c->is_param[s] && !strcmp(o->seg[s], c->seg[s]));
            if (same) {
                snprintf(err, errlen, "route %s %s is declared twice (also as %s)", rt->method,
                         rt->pattern, o->rt->pattern);
                ntable++;
                return false;
            }
        }
        ntable++;
    }
    /* most literal segments first, the order router_match relies on */
    qsort(table, ntable, sizeof *table, cmp_specific);
    return true;
}

void
router_free(void)
{
    for (size_t i = 0; i < ntable; i++)
        for (size_t s = 0; s < table[i].nseg; s++)
            free(table[i].seg[s]);
    free(table);
    table = NULL;
    ntable = 0;
}

size_t
router_count(void)
{
    return ntable;
}

const struct route *
router_at(size_t i)
{
    return i < ntable ? table[i].rt : NULL;
}

size_t
router_index(const struct route *rt)
{
    for (size_t i = 0; i < ntable; i++)
        if (table[i].rt == rt)
            return i;
    return ntable;
}

/* Does the split path match c? A param segment matches any non-empty one. */
static bool
match_one(const struct croute *c, const struct psplit *p)
{
    if (c->nseg != p->n)
        return false;
    for (size_t s = 0; s < c->nseg; s++) {
        if (c->is_param[s]) {
            if (p->len[s] == 0)
                return false;
        } else if (c->seglen[s] != p->len[s] || memcmp(c->seg[s], p->at[s], p->len[s])) {
            return false;
        }
    }
    return true;
}

const struct route *
router_match(struct req *r, const char *method, const char *path, bool *path_known, char *allow,
             size_t allowlen)
{
    *path_known = false;
    if (allow && allowlen)
        allow[0] = '\0';
    if (!path || path[0] != '/')
        return NULL;
    const struct croute *hit = NULL;
    struct psplit ps;
    if (!psplit(path, &ps))
        return NULL;
    /* HEAD is served as GET (libmicrohttpd drops the body). */
    const char *m = strcmp(method, "HEAD") ? method : "GET";
    for (size_t i = 0; i < ntable; i++) {
        const struct croute *c = &table[i];
        if (!match_one(c, &ps))
            continue;
        if (allow && !strstr(allow, c->rt->method)) {
            size_t l = strlen(allow);
            snprintf(allow + l, allowlen - l, "%s%s", l ? ", " : "", c->rt->method);
        }
        *path_known = true;
        if (!hit && !strcmp(c->rt->method, m))
            hit = c;
    }
    if (!hit)
        return NULL;
    if (r) {
        r->nparams = 0;
        for (size_t s = 0; s < hit->nseg; s++)
            if (hit->is_param[s] && r->nparams < REQ_MAX_PARAMS) {
                r->pnames[r->nparams] = hit->seg[s];
                r->pvals[r->nparams] = strndup(ps.at[s], ps.len[s]);
                r->nparams++;
            }
    }
    return hit->rt;
}

const char *
req_param(const struct req *r, const char *name)
{
    size_t n = strlen(name);
    for (size_t i = 0; i < r->nparams; i++) {
        const char *pn = r->pnames[i]; /* "{id}" */
        if (strlen(pn) == n + 2 && !strncmp(pn + 1, name, n))
            return r->pvals[i];
    }
    return NULL;
}

bool
req_param_id(struct req *r, const char *name, int64_t *out)
{
    const char *v = req_param(r, name);
    if (!v || !parse_i64(v, 1, INT64_MAX, out)) {
        req_error(r, E_NOT_FOUND, "no such %s: \"%s\"", name, v ? v : "");
        return false;
    }
    return true;
}
