/* Unit tests of the replay checker's invariants and the project state table, on synthetic
 * timelines (what the modules will log, per docs/audit.md). */
#include <stdlib.h>

#include "check.h"
#include "invariants.h"
#include "project_states.h"

static int64_t next_index;

/* Feed one entry given as JSON text; returns how many violations it added. */
static size_t
feed(struct inv_state *s, struct inv_report *rep, const char *action, long long t,
     const char *payload)
{
    char text[600];
    snprintf(text, sizeof text,
             "{\"index\":%lld,\"time_us\":%lld,\"action\":\"%s\",\"payload\":%s}",
             (long long)next_index++, t, action, payload);
    cJSON *e = cJSON_Parse(text);
    size_t before = rep->n;
    inv_feed(s, e, rep);
    cJSON_Delete(e);
    return rep->n - before;
}

static void
the_state_table_allows_the_statutory_path_and_nothing_else(void)
{
    const char *path[] = {"draft",
                          "submitted",
                          "accepted",
                          "bidding",
                          "opened",
                          "evaluating",
                          "candidates_published",
                          "awarded",
                          "contracted",
                          "closed"};
    for (size_t i = 0; i + 1 < sizeof path / sizeof path[0]; i++) {
        CHECK(project_transition_allowed(path[i], path[i + 1]));
        CHECK(!project_transition_allowed(path[i + 1], path[i]) ||
              (!strcmp(path[i], "draft") && !strcmp(path[i + 1], "submitted")));
    }
    CHECK(project_transition_allowed("submitted", "draft")); /* returned for amendment */
    CHECK(!project_transition_allowed("draft", "accepted"));
    CHECK(project_transition_allowed("bidding", "failed"));
    CHECK(!project_transition_allowed("draft", "failed"));
    CHECK(project_transition_allowed("evaluating", "terminated"));
    CHECK(!project_transition_allowed("closed", "terminated"));
    CHECK(!project_transition_allowed("failed", "bidding"));
    CHECK(project_transition_allowed("bidding", "suspended"));
    CHECK(!project_transition_allowed("draft", "suspended"));
    CHECK(!project_transition_allowed("bidding", "nonsense"));
    CHECK(project_state_final("closed") && !project_state_final("bidding"));
}

static void
a_lawful_timeline_has_no_violations(void)
{
    struct inv_state *s = inv_new();
    struct inv_report rep = {0};
    feed(s, &rep, "project.transition", 1, "{\"from\":\"draft\",\"to\":\"submitted\"}");
    feed(s, &rep, "project.transition", 2, "{\"from\":\"submitted\",\"to\":\"accepted\"}");
    feed(s, &rep, "lot.deadline_set", 3,
         "{\"lot\":\"A\",\"bid_deadline_us\":100,\"opening_us\":100}");
    feed(s, &rep, "bid.receive", 100, "{\"lot\":\"A\"}"); /* exactly at the deadline */
    feed(s, &rep, "bid.decrypt", 100, "{\"lot\":\"A\"}"); /* exactly at the opening */
    feed(s, &rep, "announce.publish", 5, "{\"announcement_id\":1,\"content_sha256\":\"aa\"}");
    feed(s, &rep, "announce.publish", 6,
         "{\"announcement_id\":2,\"content_sha256\":\"bb\",\"supersedes\":1}");
    CHECK(rep.n == 0);
    inv_report_free(&rep);
    inv_free(s);
}

static void
a_bid_one_microsecond_late_is_a_violation(void)
{
    struct inv_state *s = inv_new();
    struct inv_report rep = {0};
    feed(s, &rep, "lot.deadline_set", 3,
         "{\"lot\":\"A\",\"bid_deadline_us\":100,\"opening_us\":200}");
    CHECK(feed(s, &rep, "bid.receive", 101, "{\"lot\":\"A\"}") == 1);
    CHECK(rep.n == 1 && !strcmp(rep.v[0].code, "INV-BID-DEADLINE"));
    CHECK(feed(s, &rep, "bid.receive", 50, "{\"lot\":\"B\"}") == 1); /* no deadline for B */
    CHECK(feed(s, &rep, "bid.decrypt", 199, "{\"lot\":\"A\"}") == 1);
    CHECK(!strcmp(rep.v[2].code, "INV-BID-OPENING"));
    inv_report_free(&rep);
    inv_free(s);
}

static void
transitions_must_follow_the_table_and_each_other(void)
{
    struct inv_state *s = inv_new();
    struct inv_report rep = {0};
    CHECK(feed(s, &rep, "project.transition", 1, "{\"from\":\"draft\",\"to\":\"accepted\"}") == 1);
    CHECK(feed(s, &rep, "project.transition", 2, "{\"from\":\"submitted\",\"to\":\"accepted\"}") ==
          1);
    inv_report_free(&rep);
    inv_free(s);
}

static void
a_suspended_project_must_resume_where_it_left(void)
{
    struct inv_state *s = inv_new();
    struct inv_report rep = {0};
    const char *steps[][2] = {{"draft", "submitted"},
                              {"submitted", "accepted"},
                              {"accepted", "bidding"},
                              {"bidding", "suspended"}};
    for (size_t i = 0; i < 4; i++) {
        char p[100];
        snprintf(p, sizeof p, "{\"from\":\"%s\",\"to\":\"%s\"}", steps[i][0], steps[i][1]);
        feed(s, &rep, "project.transition", (long long)i, p);
    }
    CHECK(rep.n == 0);
    CHECK(feed(s, &rep, "project.transition", 9,
               "{\"from\":\"suspended\",\"to\":\"evaluating\"}") == 1);
    inv_report_free(&rep);
    inv_free(s);
}

static void
republishing_an_announcement_is_a_violation(void)
{
    struct inv_state *s = inv_new();
    struct inv_report rep = {0};
    feed(s, &rep, "announce.publish", 1, "{\"announcement_id\":9,\"content_sha256\":\"aa\"}");
    CHECK(feed(s, &rep, "announce.publish", 2,
               "{\"announcement_id\":9,\"content_sha256\":\"bb\"}") == 1);
    CHECK(strstr(rep.v[0].message, "different content") != NULL);
    inv_report_free(&rep);
    inv_free(s);
}

static void
every_invariant_is_listed_with_a_description(void)
{
    size_t n = 0;
    for (; inv_code(n); n++)
        CHECK(inv_description(n) && strlen(inv_description(n)) > 10);
    CHECK(n == 4);
}

int
main(void)
{
    RUN(the_state_table_allows_the_statutory_path_and_nothing_else);
    RUN(a_lawful_timeline_has_no_violations);
    RUN(a_bid_one_microsecond_late_is_a_violation);
    RUN(transitions_must_follow_the_table_and_each_other);
    RUN(a_suspended_project_must_resume_where_it_left);
    RUN(republishing_an_announcement_is_a_violation);
    RUN(every_invariant_is_listed_with_a_description);
    return CHECK_DONE();
}
