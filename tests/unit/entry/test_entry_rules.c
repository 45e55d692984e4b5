/* Unit tests of the entry module's rules: methods per category, project codes, documents, and
 * who may move a project between which states. */
#include <string.h>

#include "check.h"
#include "entry.h"
#include "project_states.h"

static void
entry_rules_methods_codes_and_documents(void)
{
    CHECK(entry_rule_method_allowed(CAT_PROCUREMENT, "inquiry"));
    CHECK(!entry_rule_method_allowed(CAT_ENGINEERING, "inquiry"));
    CHECK(entry_rule_method_allowed(CAT_STATE_PROPERTY, "listing"));
    char code[32];
    entry_rule_format_code(code, "110000", 2026, CAT_PROCUREMENT, 42);
    CHECK_STR(code, "110000-2026-CG-00042");
    CHECK(entry_rule_document("application/pdf", "%PDF-1.7", 8).code == NULL);
    CHECK(entry_rule_document("application/pdf", "<html>", 6).code != NULL);
    CHECK(entry_rule_document("image/png", "\x89PNG\r\n\x1a\n", 8).code == NULL);
    CHECK(entry_rule_document("application/x-sh", "#!/bin", 6).code != NULL);
    CHECK(entry_rule_document(NULL, "%PDF-", 5).code != NULL);
    CHECK(entry_rule_transition_roles("submitted", "accepted") == ROLE_CENTER_ADMIN);
    CHECK(entry_rule_transition_roles("draft", "accepted") == 0);
    CHECK(entry_rule_transition_roles("suspended", "bidding") ==
          (ROLE_CENTER_ADMIN | ROLE_SUPERVISOR)); /* resuming is not publishing */
    CHECK(entry_rule_transition_roles("opened", "evaluating") == (ROLE_AGENT | ROLE_CENTER_ADMIN));
    CHECK(entry_rule_transition_roles("bidding", "terminated") == (ROLE_AGENT | ROLE_CENTER_ADMIN));
}

static void
states_owned_by_an_action_cannot_be_asked_for_by_anyone(void)
{
    /* every pair of states, every role: only a person's decision goes through the route */
    for (const char *const *f = project_states; *f; f++)
        for (const char *const *t = project_states; *t; t++) {
            unsigned roles = entry_rule_transition_roles(*f, *t);
            const char *owner = project_transition_owner(*f, *t);
            if (!owner)
                CHECK(roles == 0);
            else if (!strstr(owner, "project.transition"))
                CHECK(roles == 0);
            else
                CHECK(roles != 0);
        }
    CHECK(entry_rule_transition_roles("accepted", "bidding") == 0); /* the tender's publication */
    CHECK(entry_rule_transition_roles("bidding", "opened") == 0);   /* the opening ceremony */
    CHECK(entry_rule_transition_roles("bidding", "failed") == 0);   /* the opening, R-MIN-BIDS */
    CHECK(entry_rule_transition_roles("evaluating", "candidates_published") == 0);
    CHECK(project_transition_owned_by("accepted", "bidding", "announce.publish", "tender"));
    CHECK(!project_transition_owned_by("accepted", "bidding", "project.transition", NULL));
    CHECK(project_transition_owned_by("bidding", "terminated", "announce.publish", "termination"));
    CHECK(project_transition_owned_by("bidding", "terminated", "project.transition", NULL));
    CHECK(!project_transition_owned_by("bidding", "opened", "opening.start", NULL));
}

int
main(void)
{
    RUN(entry_rules_methods_codes_and_documents);
    RUN(states_owned_by_an_action_cannot_be_asked_for_by_anyone);
    return CHECK_DONE();
}
