/*
 * invariants.c — see invariants.h. Pure functions over parsed entries; unit-tested with
 * synthetic timelines (tests/unit/test_invariants.c).
 */
#define _GNU_SOURCE
#include "invariants.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "project_states.h"

#define MAX_LOTS 64
#define MAX_ANN  256

struct lot {
    char name[64];
    int64_t deadline_us, opening_us;
};

struct inv_state {
    char state[32];
    char before_suspend[32];
    struct lot lots[MAX_LOTS];
    int nlots;
    struct {
        int64_t id;
        char sha[65];
    } ann[MAX_ANN];
    int nann;
};

struct inv_state *
inv_new(void)
{
    struct inv_state *s = calloc(1, sizeof *s);
    if (s)
        snprintf(s->state, sizeof s->state, "draft");
    return s;
}

void
inv_free(struct inv_state *s)
{
    free(s);
}

void
inv_report_free(struct inv_report *rep)
{
    free(rep->v);
    memset(rep, 0, sizeof *rep);
}

static void violate(struct inv_report *rep, const char *code, int64_t index, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
violate(struct inv_report *rep, const char *code, int64_t index, const char *fmt, ...)
{
    if (rep->n == rep->cap) {
        size_t cap = rep->cap ? rep->cap * 2 : 8;
        struct inv_violation *v = realloc(rep->v, cap * sizeof *v);
        if (!v)
            return;
        rep->v = v;
        rep->cap = cap;
    }
    struct inv_violation *v = &rep->v[rep->n++];
    v->code = code;
    v->index = index;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(v->message, sizeof v->message, fmt, ap);
    va_end(ap);
}

static const char *
str(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int64_t
num(const cJSON *o, const char *k, int64_t def)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsNumber(v) ? (int64_t)v->valuedouble : def;
}

static struct lot *
lot(struct inv_state *s, const char *name)
{
    if (!name)
        name = "";
    for (int i = 0; i < s->nlots; i++)
        if (!strcmp(s->lots[i].name, name))
            return &s->lots[i];
    if (s->nlots == MAX_LOTS)
        return NULL;
    struct lot *l = &s->lots[s->nlots++];
    snprintf(l->name, sizeof l->name, "%s", name);
    l->deadline_us = l->opening_us = -1;
    return l;
}

/* INV-STATE: every project.transition is in the table and starts from the current state. */
static void
check_state(struct inv_state *s, const char *action, const cJSON *p, int64_t idx,
            struct inv_report *rep)
{
    /* project.transition carries {from, to}; an action that moves the project as a
     * consequence (publishing a tender announcement) carries them as payload.transition. */
    if (strcmp(action, "project.transition")) {
        p = cJSON_GetObjectItemCaseSensitive(p, "transition");
        if (!cJSON_IsObject(p))
            return;
    }
    const char *from = str(p, "from"), *to = str(p, "to");
    if (!from || !to) {
        violate(rep, "INV-STATE", idx, "a transition without from/to");
        return;
    }
    if (strcmp(from, s->state))
        violate(rep, "INV-STATE", idx, "transition from %s, but the project was %s", from,
                s->state);
    if (!project_transition_allowed(from, to))
        violate(rep, "INV-STATE", idx, "%s → %s is not in the state machine", from, to);
    else if (!strcmp(from, "suspended") && s->before_suspend[0] && strcmp(to, s->before_suspend))
        violate(rep, "INV-STATE", idx, "resumed to %s, but it was suspended from %s", to,
                s->before_suspend);
    if (!strcmp(to, "suspended"))
        snprintf(s->before_suspend, sizeof s->before_suspend, "%s", from);
    snprintf(s->state, sizeof s->state, "%s", to);
}

/* Deadlines come from lot.deadline_set; INV-BID-DEADLINE and INV-BID-OPENING compare the
 * times of record of bid.receive and bid.decrypt with them. */
static void
check_bids(struct inv_state *s, const char *action, const cJSON *p, int64_t idx, int64_t t,
           struct inv_report *rep)
{
    if (!strcmp(action, "lot.deadline_set")) {
        struct lot *l = lot(s, str(p, "lot"));
        if (l) {
            l->deadline_us = num(p, "bid_deadline_us", -1);
            l->opening_us = num(p, "opening_us", l->deadline_us);
        }
        return;
    }
    /* A published tender announcement (or an amendment moving the deadline) lists them. */
    const cJSON *dl = cJSON_GetObjectItemCaseSensitive(p, "deadlines");
    for (const cJSON *it = cJSON_IsArray(dl) ? dl->child : NULL; it; it = it->next) {
        struct lot *l = lot(s, str(it, "lot"));
        if (l) {
            l->deadline_us = num(it, "bid_deadline_us", -1);
            l->opening_us = num(it, "opening_us", l->deadline_us);
        }
    }
    bool receive = !strcmp(action, "bid.receive"), decrypt = !strcmp(action, "bid.decrypt");
    if (!receive && !decrypt)
        return;
    struct lot *l = lot(s, str(p, "lot"));
    if (!l)
        return;
    if (receive) {
        if (l->deadline_us < 0)
            violate(rep, "INV-BID-DEADLINE", idx, "a bid for lot %s before any deadline was set",
                    l->name);
        else if (t > l->deadline_us)
            violate(rep, "INV-BID-DEADLINE", idx,
                    "a bid for lot %s received %lld µs after its deadline", l->name,
                    (long long)(t - l->deadline_us));
    } else if (l->opening_us < 0 || t < l->opening_us) {
        violate(rep, "INV-BID-OPENING", idx, "a bid of lot %s decrypted before the opening time",
                l->name);
    }
}

/* INV-ANNOUNCE-IMMUTABLE: an announcement is published once; a change is a new one. */
static void
check_announcements(struct inv_state *s, const char *action, const cJSON *p, int64_t idx,
                    struct inv_report *rep)
{
    if (strcmp(action, "announce.publish"))
        return;
    int64_t id = num(p, "announcement_id", -1);
    const char *sha = str(p, "content_sha256");
    for (int i = 0; i < s->nann; i++)
        if (s->ann[i].id == id) {
            violate(rep, "INV-ANNOUNCE-IMMUTABLE", idx, "announcement %lld was published again%s",
                    (long long)id,
                    sha && strcmp(sha, s->ann[i].sha) ? " with different content" : "");
            return;
        }
    if (s->nann < MAX_ANN) {
        s->ann[s->nann].id = id;
        snprintf(s->ann[s->nann].sha, sizeof s->ann[s->nann].sha, "%s", sha ? sha : "");
        s->nann++;
    }
}

static const struct {
    const char *code, *description;
} table[] = {
    {"INV-STATE", "every project transition is in the state machine and starts where the last "
                  "one ended; a suspended project resumes where it left"},
    {"INV-BID-DEADLINE", "no bid is received after its lot's bid deadline"},
    {"INV-BID-OPENING", "no bid is decrypted before its lot's opening time"},
    {"INV-ANNOUNCE-IMMUTABLE", "no published announcement is published again (changed); a "
                               "change is a new announcement that supersedes it"},
};

const char *
inv_code(size_t i)
{
    return i < sizeof table / sizeof table[0] ? table[i].code : NULL;
}

const char *
inv_description(size_t i)
{
    return i < sizeof table / sizeof table[0] ? table[i].description : NULL;
}

void
inv_feed(struct inv_state *s, const cJSON *entry, struct inv_report *rep)
{
    const char *action = str(entry, "action");
    const cJSON *p = cJSON_GetObjectItemCaseSensitive(entry, "payload");
    int64_t idx = num(entry, "index", -1), t = num(entry, "time_us", 0);
    if (!action)
        return;
    check_state(s, action, p, idx, rep);
    check_bids(s, action, p, idx, t, rep);
    check_announcements(s, action, p, idx, rep);
}
