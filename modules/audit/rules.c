/*
 * rules.c — what each caller may see of the audit log (pure functions, unit-tested).
 *
 * Withholding never breaks verification: a withheld entry is served without its bytes but with
 * its leaf hash, and inclusion proofs cover that hash.
 */
#include <string.h>

#include "internal.h"

bool
audit_rule_visible(const struct principal *who, int64_t actor_user_id, const char *object_type,
                   int64_t object_id)
{
    if (who->role == ROLE_SUPERVISOR)
        return true;
    if (actor_user_id == who->user_id)
        return true;
    if (object_type &&
        !strcmp(object_type, "trust_anchors")) /* public: what keys are checked against */
        return true;
    return object_type && !strcmp(object_type, "user") && object_id == who->user_id;
}

static const char *const login_failed[] = {"username", NULL};

static const struct {
    const char *action;
    const char *const *fields;
} withheld[] = {
    /* What someone typed as a username may be a mistyped password. */
    {"auth.login_failed", login_failed},
};

const char *const *
audit_rule_withheld(const char *action)
{
    for (size_t i = 0; i < sizeof withheld / sizeof withheld[0]; i++)
        if (!strcmp(withheld[i].action, action))
            return withheld[i].fields;
    return NULL;
}

bool
audit_rule_redact(cJSON *entry, const char *const *fields)
{
    cJSON *payload = cJSON_GetObjectItemCaseSensitive(entry, "payload");
    bool any = false;
    for (const char *const *f = fields; f && *f && payload; f++)
        if (cJSON_GetObjectItemCaseSensitive(payload, *f)) {
            cJSON_ReplaceItemInObjectCaseSensitive(payload, *f, cJSON_CreateString("[withheld]"));
            any = true;
        }
    return any;
}
