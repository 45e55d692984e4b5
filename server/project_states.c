/*
 * project_states.c — see project_states.h. Pure data and lookups.
 */
#include "project_states.h"

#include <stddef.h>
#include <string.h>

const char *const project_states[] = {
    "draft",      "submitted",  "accepted",   "announced",
    "bidding",    "opened",     "evaluating", "candidates_published",
    "awarded",    "contracted", "closed",     "suspended",
    "terminated", "failed",     NULL,
};

static const struct {
    const char *from, *to;
} transitions[] = {
    {"draft", "submitted"},
    {"submitted", "accepted"},
    {"submitted", "draft"},
    {"accepted", "announced"},
    {"announced", "bidding"},
    {"bidding", "opened"},
    {"opened", "evaluating"},
    {"evaluating", "candidates_published"},
    {"candidates_published", "awarded"},
    {"awarded", "contracted"},
    {"contracted", "closed"},
    {"announced", "suspended"},
    {"bidding", "suspended"},
    {"opened", "suspended"},
    {"evaluating", "suspended"},
    {"candidates_published", "suspended"},
    {"suspended", "announced"},
    {"suspended", "bidding"},
    {"suspended", "opened"},
    {"suspended", "evaluating"},
    {"suspended", "candidates_published"},
    {"bidding", "failed"},
    {"opened", "failed"},
    {"evaluating", "failed"},
};

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

bool
project_transition_allowed(const char *from, const char *to)
{
    if (!project_state_known(from) || !project_state_known(to))
        return false;
    if (!strcmp(to, "terminated"))
        return !project_state_final(from);
    for (size_t i = 0; i < sizeof transitions / sizeof transitions[0]; i++)
        if (!strcmp(transitions[i].from, from) && !strcmp(transitions[i].to, to))
            return true;
    return false;
}
