/*
 * project_states.h — the one table of a trading project's states and allowed transitions.
 * The entry module enforces it on every transition; `ggzy audit replay` checks every logged
 * transition against the same table (docs/audit.md, INV-STATE).
 *
 *   draft → submitted → accepted → announced → bidding → opened → evaluating →
 *   candidates_published → awarded → contracted → closed
 *   submitted → draft (returned with reasons for amendment)
 *   announced … candidates_published → suspended → (back to the state it left)
 *   any state not final → terminated;  bidding, opened, evaluating → failed (流标)
 */
#ifndef GGZY_PROJECT_STATES_H
#define GGZY_PROJECT_STATES_H

#include <stdbool.h>

extern const char *const project_states[]; /* NULL-terminated */
/* Is from → to in the table? (Resuming from suspended is allowed to any state that can be
 * suspended; that it returns to the state it left is checked by whoever knows it.) */
bool project_transition_allowed(const char *from, const char *to);
bool project_state_final(const char *state);
bool project_state_known(const char *state);

#endif
