/*
 * statutes.h — the one table of statutory rules the platform enforces, with each rule's code,
 * legal source and value per trading category (the law differs between categories). Modules
 * check against it, tests test each rule at its boundary from it, `ggzyd rules` prints it and
 * docs/rules.md lists it (tests/api/test_docs.py keeps the two equal). An operator can override
 * a value per category (rules.overrides) without a rebuild.
 *
 * Periods are counted as the Civil Code counts them (民法典 第二百零一条): the day on which a
 * period starts is not counted, so a period from day A to day B has B - A days (dates in China
 * Standard Time, UTC+8). Working days come from the calendar (calendar.h).
 */
#ifndef GGZY_STATUTES_H
#define GGZY_STATUTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "calendar.h"

enum category {
    CAT_ENGINEERING,
    CAT_PROCUREMENT,
    CAT_LAND_MINERAL,
    CAT_STATE_PROPERTY,
    CAT__COUNT
};
enum unit { U_NONE, U_DAYS, U_WORKING_DAYS, U_PERMILLE, U_YEARS, U_FEN, U_MEMBERS };

struct statute {
    const char *code;
    const char *summary;
    const char *source[CAT__COUNT];
    enum unit unit[CAT__COUNT];
    int64_t value[CAT__COUNT]; /* -1: the rule does not apply to that category */
    /* A period in working days that reaches a provisional year: whom it protects decides how
     * its uncertain days count (calendar.h) — a party's right (the default) or an obligation of
     * the platform or an official. */
    enum cal_reading reading;
};

enum statute_id {
    S_BID_PERIOD,     /* documents first available -> bid deadline, at least N */
    S_DOC_SALE,       /* documents available for at least N */
    S_OPENING,        /* opening time equals the bid deadline */
    S_AMEND_NOTICE,   /* amendment affecting bids published at least N before the deadline */
    S_PUBLICITY,      /* candidate publicity lasts at least N */
    S_DEPOSIT_CAP,    /* bid deposit at most N per mille of the lot's estimate */
    S_MIN_BIDS,       /* fewer than N bids: the lot is not opened (tendered again) */
    S_EXPERT_YEARS,   /* an expert has worked at least N years in the field */
    S_EXPERT_TITLE,   /* an expert holds a senior title (1: required) */
    S_EXPERT_AGE,     /* an expert is at most N years old */
    S_EXPERT_E_EVAL,  /* an expert can evaluate electronically (1: required) */
    S_COMMITTEE_SIZE, /* a committee has at least N members, an odd number */
    S_COMMITTEE_LARGE_BUDGET, /* from this budget (fen) on, the larger minimum applies */
    S_COMMITTEE_LARGE,        /* the larger minimum */
    S_COMMITTEE_EXPERTS,      /* library experts are at least N per mille of the members */
    S_DEPOSIT_BASIC,          /* a cash deposit counts only from the basic account (1) */
    S_DEPOSIT_CASH,           /* deposits are non-cash only (1): cash is held, not counted */
    S_REFUND_WITHDRAWAL,      /* refund within N after a withdrawal before the deadline */
    S_REFUND_AWARD,           /* refund losing bidders within N after the award notice */
    S_REFUND_CONTRACT,        /* refund within N after the contract is signed */
    S_REFUND_TERMINATION,     /* refund within N after the tender is terminated or fails */
    S_REFUND_LATE_FEE,        /* a late refund pays N per mille of the benchmark lending rate */
    S_EVAL_CANDIDATES,        /* an evaluation recommends at most N ranked candidates */
    S_EVAL_PRICE_GOODS,       /* goods: the price is at least N per mille of the points */
    S_EVAL_PRICE_SERVICES,    /* services: the price is at least N per mille of the points */
    S_EVAL_PUBLISH_DUE,       /* the candidates / the result published within N of the report */
    S_CONTRACT_DUE,           /* the contract signed within N of the award notice */
    S_RESULT_REPORT_DUE,      /* the written report to the supervising department within N */
    S_EVAL_VALIDITY_MARGIN,   /* evaluation and award done N before the bid validity ends */
    S_OBJECTION_WINDOW,       /* an objection to the result: during the publicity, or N after */
    S_OBJECTION_ANSWER_DUE,   /* an objection to the result is answered within N */
    S__COUNT
};

const char *category_name(enum category c);
int category_from_name(const char *name); /* -1 when unknown */
const struct statute *statute(enum statute_id id);
/* The value for a category (-1: not applicable), after overrides. */
int64_t statute_value(enum statute_id id, enum category c);
enum unit statute_unit(enum statute_id id, enum category c);
const char *unit_name(enum unit u);
/* Overrides: lines "CODE.category = value" ("R-DOC-SALE.procurement = 5"). */
bool statutes_load_overrides(const char *path, char *err, size_t errlen);

#endif
