/*
 * project_states.h — the one table of a trading project's states and allowed transitions, each
 * with the one action that owns it. The entry module enforces it on every transition (its
 * transitions route makes only the transitions people own); `ggzy audit replay` checks every
 * logged transition against the same table, and that the action that made it owns it
 * (docs/audit.md, INV-STATE and INV-STATE-OWNER).
 *
 *   draft → submitted → accepted                      people (agent submits, center accepts)
 *   submitted → draft                                 people (returned for amendment)
 *   accepted → bidding                                the tender announcement's publication
 *   bidding → opened                                  the opening ceremony's completion
 *   bidding → failed                                  the opening, when every lot fails (流标)
 *   opened → evaluating                               people, once every lot's opening ended
 *   opened, evaluating → failed                       a failure announcement's publication
 *   evaluating → candidates_published                 the candidates' publicity, publishing every
 *                                                     evaluated lot's signed report (evaluation)
 *   candidates_published → awarded                    the award announcement's publication, of
 *                                                     the tenderer's signed decision
 *   awarded → contracted                              the last lot's contract signed by both
 *                                                     (contract.sign)
 *   contracted → closed                               the tenderer's written report (project.close)
 *   accepted … candidates_published → suspended → (back to the state it left)   people
 *   any state not final → terminated                  people, or a termination announcement
 */
#ifndef GGZY_PROJECT_STATES_H
#define GGZY_PROJECT_STATES_H

#include <stdbool.h>

extern const char *const project_states[]; /* NULL-terminated */
/* Is from → to in the table? (Resuming from suspended is allowed to any state that can be
 * suspended; that it returns to the state it left is checked by whoever knows it.) */
bool project_transition_allowed(const char *from, const char *to);
/* The action owning from → to: "project.transition" (a person's decision), an audit action
 * such as "opening.complete", or "announce.publish:TYPE"; several separated by '|'. NULL when
 * the transition is not in the table. */
const char *project_transition_owner(const char *from, const char *to);
/* Did the audit action (with ann_type, the announcement's type, for announce.publish) own
 * from → to? */
bool project_transition_owned_by(const char *from, const char *to, const char *action,
                                 const char *ann_type);
bool project_state_final(const char *state);
bool project_state_known(const char *state);

#endif
