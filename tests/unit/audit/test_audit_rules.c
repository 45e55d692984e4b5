/* Unit tests of the audit module's rules: who sees which entry of the log, and which payload
 * fields are withheld from whom. */
#include <stdlib.h>

#include "check.h"
#include "internal.h"

static void
supervisors_see_every_entry_and_others_only_their_own(void)
{
    struct principal sup = {.user_id = 7, .role = ROLE_SUPERVISOR};
    struct principal bidder = {.user_id = 9, .org_id = 3, .role = ROLE_BIDDER};
    CHECK(audit_rule_visible(&sup, 1, "project", 5));
    CHECK(audit_rule_visible(&sup, 0, NULL, 0));
    CHECK(audit_rule_visible(&bidder, 9, "bid", 12));          /* an act of their own */
    CHECK(!audit_rule_visible(&bidder, 8, "bid", 12));         /* someone else's */
    CHECK(audit_rule_visible(&bidder, 1, "user", 9));          /* about their own account */
    CHECK(!audit_rule_visible(&bidder, 1, "user", 10));        /* about another account */
    CHECK(!audit_rule_visible(&bidder, 0, NULL, 0));           /* a system act about nothing */
    CHECK(audit_rule_visible(&bidder, 0, "trust_anchors", 1)); /* public: what keys meet */
    struct principal admin = {.user_id = 1, .role = ROLE_CENTER_ADMIN};
    CHECK(!audit_rule_visible(&admin, 9, "bid", 12)); /* center staff are not supervisors */
}

static void
a_typed_username_is_withheld_from_a_failed_login_only(void)
{
    const char *const *f = audit_rule_withheld("auth.login_failed");
    CHECK(f && f[0] && !strcmp(f[0], "username") && !f[1]);
    CHECK(audit_rule_withheld("auth.login") == NULL);
    CHECK(audit_rule_withheld("bid.submit") == NULL);
}

static void
redacting_replaces_the_withheld_fields_and_nothing_else(void)
{
    cJSON *e = cJSON_Parse("{\"action\":\"auth.login_failed\",\"payload\":{\"username\":"
                           "\"hunter2\",\"reason\":\"password\"}}");
    CHECK(e != NULL);
    CHECK(audit_rule_redact(e, audit_rule_withheld("auth.login_failed")));
    const cJSON *p = cJSON_GetObjectItemCaseSensitive(e, "payload");
    CHECK_STR(cJSON_GetObjectItemCaseSensitive(p, "username")->valuestring, "[withheld]");
    CHECK_STR(cJSON_GetObjectItemCaseSensitive(p, "reason")->valuestring, "password");
    CHECK(!audit_rule_redact(e, NULL));                              /* nothing to withhold */
    cJSON *none = cJSON_Parse("{\"action\":\"auth.login_failed\"}"); /* no payload at all */
    CHECK(!audit_rule_redact(none, audit_rule_withheld("auth.login_failed")));
    cJSON_Delete(none);
    cJSON_Delete(e);
}

int
main(void)
{
    RUN(supervisors_see_every_entry_and_others_only_their_own);
    RUN(a_typed_username_is_withheld_from_a_failed_login_only);
    RUN(redacting_replaces_the_withheld_fields_and_nothing_else);
    return CHECK_DONE();
}
