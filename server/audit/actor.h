/*
 * actor.h — who acts, as the audit log records it: a signed-in user (id, organization, role), an
 * anonymous caller, or a named system job ("system:bootstrap", "system:trust-anchors", and the
 * scheduler's jobs). A request's actor comes from req_actor (http.h); work without a request
 * names its own with ACTOR_SYSTEM. Nothing here depends on HTTP or the database.
 */
#ifndef GGZY_ACTOR_H
#define GGZY_ACTOR_H

#include <stdint.h>

struct actor {
    int64_t user_id, org_id;         /* > 0 for a signed-in user, else 0 */
    const char *role;                /* the user's role, "anonymous" or "system" */
    const char *name;                /* a system actor's name ("system:…"), else NULL */
    const char *request_id, *client; /* the request acted through (and its address), or NULL */
};

/* A system job acting on its own (static storage: name must be a literal). */
#define ACTOR_SYSTEM(job) (&(const struct actor){.role = "system", .name = (job)})

#endif
