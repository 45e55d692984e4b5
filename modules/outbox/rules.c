/*
 * rules.c — the outbox module's rules (pure functions): the retry schedule, the channel list.
 */
#include <string.h>

#include "outbox.h"

int64_t
outbox_rule_next_attempt(int64_t now_us, int attempts)
{
    int64_t wait = INT64_C(30) * 1000000;
    for (int i = 1; i < attempts && wait < INT64_C(3600) * 1000000; i++)
        wait *= 2;
    if (wait > INT64_C(3600) * 1000000)
        wait = INT64_C(3600) * 1000000;
    return now_us + wait;
}

bool
outbox_rule_channels_ok(const char *list, const char *const *known)
{
    for (const char *p = list; p && *p;) {
        const char *e = strchr(p, ',');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        bool found = false;
        for (const char *const *k = known; *k && !found; k++)
            found = strlen(*k) == n && !strncmp(*k, p, n);
        if (!found)
            return false;
        p = e ? e + 1 : p + n;
    }
    return true;
}
