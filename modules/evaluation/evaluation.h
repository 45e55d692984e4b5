/*
 * evaluation.h — the evaluation module: unified evaluation monitoring (评标统一监控). For each
 * lot whose bids were opened, the committee the draw confirmed holds one session in the booked
 * evaluation room: pledge and avoidance declaration, chair election, qualification review,
 * preliminary review, detailed review (the subjective criteria), the price score the platform
 * computes, and the report every member signs. Every act of a member is a statement signed by
 * the member's certified expert key; nobody outside the committee sees a score before the
 * report. Every act is facts → rule → effects: store.c fills the facts, a pure
 * evaluation_rule_* in rules.c decides, the use case writes with one audit entry.
 * docs/evaluation.md is the reference.
 */
#ifndef GGZY_EVALUATION_H
#define GGZY_EVALUATION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app.h"
#include "db.h"
#include "scoring.h"

/* The steps of a session, in order (a lowest-price evaluation has no detailed review). */
enum eval_step {
    STEP_PLEDGE,        /* 承诺与回避声明 */
    STEP_CHAIR,         /* 推选组长 */
    STEP_QUALIFICATION, /* 资格评审 */
    STEP_PRELIMINARY,   /* 初步评审 */
    STEP_DETAILED,      /* 详细评审 */
    STEP_REPORT,        /* 评标报告签署 */
    STEP_DONE,
    STEP__COUNT
};
/* "pledge", "chair", "qualification", "preliminary", "detailed", "report", "done"; NULL-ended */
extern const char *const evaluation_steps[];
int evaluation_rule_step(const char *name); /* -1: unknown */

/* The grounds of rejecting a bid (否决投标): the seven of 实施条例 第五十一条 and a substantive
 * requirement of the tender documents; NULL-ended. */
extern const char *const evaluation_grounds[];

#endif
