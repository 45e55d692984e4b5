/*
 * project_states.c — see project_states.h. Pure data and lookups: the one table of transitions,
 * each with the action that owns it.
 */
#include "project_states.h"

#include <stddef.h>
#include <string.h>

const char *const project_states[] = {
    "draft",
    "submitted",
    "accepted",
    "bidding",
    "opened",
    "evaluating",
    "candidates_published",
    "awarded",
    "contracted",
    "closed",
    "suspended",
    "terminated",
    "failed",
    NULL,
};

/* Owners: the audit action that makes the transition ("announce.publish:TYPE" for the
 * publication of an announcement of that type), several separated by '|'. PEOPLE is a decision
 * the law gives to a person, made through POST /api/v1/projects/{id}/transitions. */
#define PEOPLE "project.transition"

static const struct {
    const char *from, *to, *owner;
} transitions[] = {
    {"draft", "submitted", PEOPLE},
    {"submitted", "accepted", PEOPLE},
    {"submitted", "draft", PEOPLE}, /* returned for amendment */
    {"accepted", "bidding", "announce.publish:tender"},
    {"bidding", "opened", "opening.complete"},
    {"bidding", "failed", "opening.fail"}, /* every lot failed unopened (R-MIN-BIDS) */
    {"opened", "evaluating", PEOPLE},      /* once every lot's opening has ended */
    {"opened", "failed", "announce.publish:failed"},
    {"evaluating", "failed", "announce.publish:failed"},
    {"evaluating", "candidates_published", "announce.publish:candidates"},
    {"candidates_published", "awarded", "announce.publish:award"},
    {"awarded", "contracted", "contract.sign"},
    {"contracted", "closed", "project.close"},
    {"accepted", "suspended", PEOPLE},
    {"bidding", "suspended", PEOPLE},
    {"opened", "suspended", PEOPLE},
    {"evaluating", "suspended", PEOPLE},
    {"candidates_published", "suspended", PEOPLE},
    {"suspended", "accepted", PEOPLE},
    {"suspended", "bidding", PEOPLE},
    {"suspended", "opened", PEOPLE},
    {"suspended", "evaluating", PEOPLE},
    {"suspended", "candidates_published", PEOPLE},
};

static const char terminate_owner[] = PEOPLE "|announce.publish:termination";

bool
project_state_known(const char *s)
{
    for (const char *const *p = project_states; s && *p; p++)
        if (!strcmp(*p, s))
            return true;
    return false;
}

bool
project_state_final(const char *s)
{
    return s && (!strcmp(s, "closed") || !strcmp(s, "terminated") || !strcmp(s, "failed"));
}

const char *
project_transition_owner(const char *from, const char *to)
{
    if (!project_state_known(from) || !project_state_known(to))
        return NULL;
    if (!strcmp(to, "terminated"))
        return project_state_final(from) ? NULL : terminate_owner;
    for (size_t i = 0; i < sizeof transitions / sizeof transitions[0]; i++)
        if (!strcmp(transitions[i].from, from) && !strcmp(transitions[i].to, to))
            return transitions[i].owner;
    return NULL;
}

bool
project_transition_allowed(const char *from, const char *to)
{
    return project_transition_owner(from, to) != NULL;
}

bool
project_transition_owned_by(const char *from, const char *to, const char *action,
                            const char *ann_type)
{
    const char *owner = project_transition_owner(from, to);
    if (!owner || !action)
        return false;
    char want[96];
    size_t n = strlen(action);
    if (n + (ann_type ? strlen(ann_type) + 1 : 0) >= sizeof want)
        return false;
    memcpy(want, action, n + 1);
    if (ann_type && !strcmp(action, "announce.publish")) {
        want[n] = ':';
        memcpy(want + n + 1, ann_type, strlen(ann_type) + 1);
        n = strlen(want);
    }
    for (const char *p = owner; *p;) {
        const char *bar = strchr(p, '|');
        size_t len = bar ? (size_t)(bar - p) : strlen(p);
        if (len == n && !memcmp(p, want, n))
            return true;
        p += len + (bar != NULL);
    }
    return false;
}
