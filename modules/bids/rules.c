/*
 * rules.c — the bids module's rules as pure functions (bids.h), unit-tested without a database.
 */
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "bids.h"
#include "vss.h"

bool
bids_rule_key_state_ok(const char *project_state)
{
    return project_state && !strcmp(project_state, "accepted");
}

/* An integer member of the header, exactly (canonical JSON has integers only). */
static bool
hdr_i64(const cJSON *h, const char *name, int64_t *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(h, name);
    if (!cJSON_IsNumber(v) || v->valuedouble != (double)(int64_t)v->valuedouble)
        return false;
    *out = (int64_t)v->valuedouble;
    return true;
}

static bool
hdr_is(const cJSON *h, const char *name, const char *want)
{
    const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(h, name));
    return v && want && !strcmp(v, want);
}

struct refusal
bids_rule_binding(const struct bid_expect *e, const cJSON *h)
{
    struct refusal f = {0};
    int64_t lot, org, rev, deadline;
    if (!hdr_is(h, "platform", e->platform)) {
        return *refuse(&f, "BID-BOUND-PROJECT",
                       "the envelope is sealed for another platform (platform must be %s)",
                       e->platform);
    }
    if (!hdr_is(h, "project_code", e->project_code)) {
        return *refuse(&f, "BID-BOUND-PROJECT",
                       "the envelope is sealed for another project (project_code must be %s)",
                       e->project_code);
    }
    if (!hdr_i64(h, "lot", &lot) || lot != e->lot) {
        return *refuse(&f, "BID-BOUND-LOT",
                       "the envelope is sealed for another lot (lot must be %lld)",
                       (long long)e->lot);
    }
    if (!hdr_i64(h, "bidder_org_id", &org) || org != e->bidder_org_id) {
        return *refuse(&f, "BID-BOUND-BIDDER",
                       "the envelope is sealed for another bidder (bidder_org_id must be your "
                       "organization, %lld)",
                       (long long)e->bidder_org_id);
    }
    if (!hdr_is(h, "opening_key_id", e->opening_key_id)) {
        return *refuse(&f, "BID-BOUND-ROUND",
                       "the envelope is sealed to another opening key (opening_key_id must be %s)",
                       e->opening_key_id);
    }
    if (!hdr_i64(h, "bid_deadline_us", &deadline) || deadline != e->bid_deadline_us) {
        return *refuse(&f, "BID-BOUND-ROUND",
                       "the envelope binds another bid deadline (bid_deadline_us must be %lld, the "
                       "deadline in force): seal it again",
                       (long long)e->bid_deadline_us);
    }
    if (!hdr_i64(h, "revision", &rev) || rev < 1 || rev > 1000000) {
        return *refuse(&f, "BID-REVISION", "revision must be a positive integer");
    }
    return f;
}

bool
bids_rule_accepting_state(const char *s)
{
    return s && !strcmp(s, "bidding");
}

bool
bids_rule_opening_state_ok(const char *s)
{
    return s && (!strcmp(s, "bidding") || !strcmp(s, "opened"));
}

bool
bids_rule_in_time(int64_t now_us, int64_t deadline_us)
{
    return now_us <= deadline_us;
}

bool
bids_rule_revision_ok(int64_t revision, int64_t last)
{
    return revision == last + 1;
}

bool
bids_rule_enough(enum category c, int64_t n)
{
    int64_t min = statute_value(S_MIN_BIDS, c);
    return n > 0 && (min < 0 || n >= min);
}

const char *
bids_rule_failure_class(enum open_failure f)
{
    switch (f) {
    case OPEN_OK:
        return NULL;
    case OPEN_STORE:
        return "withdrawal";
    case OPEN_FORMAT:
    case OPEN_KEY:
    case OPEN_CIPHER:
    case OPEN_CONTAINER:
        return "revocation";
    }
    return "withdrawal";
}

const char *
bids_rule_failure_name(enum open_failure f)
{
    static const char *const names[] = {"ok", "store", "format", "key", "cipher", "container"};
    return (unsigned)f < sizeof names / sizeof names[0] ? names[f] : "unknown";
}

enum bid_visibility
bids_rule_visibility(unsigned role, bool own, bool party, const char *opening_state, bool envelope)
{
    if (own && role == ROLE_BIDDER)
        return SEE_OK;
    if (!party || !(role & (ROLE_AGENT | ROLE_TENDERER | ROLE_SUPERVISOR | ROLE_CENTER_ADMIN)))
        return SEE_HIDDEN;
    if ((role & (ROLE_AGENT | ROLE_TENDERER)) && !opening_state)
        return SEE_HIDDEN; /* 招标投标法 第二十二条: who bid is not disclosed before the opening */
    if (envelope)
        return opening_state && !strcmp(opening_state, "opened") ? SEE_OK : SEE_FORBIDDEN;
    return SEE_OK;
}
