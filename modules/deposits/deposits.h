/*
 * deposits.h — the deposits module: bid deposits collected and refunded through one account
 * (保证金统一收退). One double-entry ledger (every movement a balanced entry, balances derived,
 * never edited); one virtual sub-account per bidder per lot; the bank's signed notices credit
 * them (or hold what does not count); refunds are signed payment instructions to the bank,
 * due by the deadlines of the rule table, confirmed by the bank's notice. docs/deposits.md.
 * Its rules are pure functions (rules.c).
 */
#ifndef GGZY_DEPOSITS_H
#define GGZY_DEPOSITS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app.h"
#include "db.h"
#include "statutes.h"

/* For later capabilities (evaluation, supervision): the collusion indicators of a lot (实施条例
 * 第四十条: deposits of different bidders paid from one account) as a JSON array of
 * {payer_account, org_ids: [a, b], notice_id}; NULL when *st says a database error. */
struct cJSON *deposits_collusion(struct dbconn *c, int64_t project, int64_t lot,
                                 enum db_status *st);

/* ---- rules (rules.c) ---- */

/* The ledger's accounts (deposit_postings.account). */
enum dep_account {
    ACC_BANK,             /* the center's bank account (an asset: debit +) */
    ACC_SUB,              /* a bidder's sub-account for a lot (what the center owes it) */
    ACC_HELD,             /* money received that does not count (owed back to its payer) */
    ACC_REFUNDS_PAYABLE,  /* refunds instructed, not yet confirmed by the bank */
    ACC_INTEREST_EXPENSE, /* interest and late fees the center pays */
    ACC_FORFEITED,        /* deposits forfeited (owed to the tenderer) */
    ACC__COUNT
};
const char *deposits_rule_account_name(enum dep_account a);
int deposits_rule_account_from_name(const char *name); /* -1 when unknown */

struct posting {
    enum dep_account account;
    int64_t ref; /* the sub-account id for ACC_SUB, else 0 */
    int64_t fen; /* debit +, credit − */
};
/* Does an entry balance: at least two postings, each non-zero, summing to zero without
 * overflow? */
bool deposits_rule_balanced(const struct posting *p, size_t n);

/* A virtual sub-account number: prefix (digits), the sub-account id in 10 digits, and a Luhn
 * check digit (ISO/IEC 7812-1), e.g. "8801" "0000000042" "x". False when it does not fit. */
bool deposits_rule_subaccount_number(const char *prefix, int64_t id, char *out, size_t outlen);
/* Is s a number of that form (digits only, Luhn check digit right)? */
bool deposits_rule_luhn_ok(const char *s);

/* How the bank's arrival notice counts (docs/deposits.md §4), in this order: held
 * "unknown_account" (no sub-account has that number), "incomplete" (no payer account or name),
 * "late" (the money arrived after the bid deadline), "cash" (cash where R-DEPOSIT-CASH
 * applies), "not_basic_account" (not from the registered basic account where R-DEPOSIT-BASIC
 * applies); else credited (reason NULL). */
struct arrival_in {
    bool sub_found;
    enum category category;
    int64_t value_us, deadline_us;
    const char *payer_account, *payer_name, *instrument;
    const char *basic_account; /* the organization's approved basic account, NULL when none */
};
const char *deposits_rule_arrival(const struct arrival_in *in);
/* The instruments a notice may name. */
extern const char *const deposits_instruments[];

/* A deposit's state at the bid deadline: "none" (the lot asks for none), "paid" (credited by
 * the deadline at least the amount asked), "partial" (some), "missing". */
const char *deposits_rule_state(int64_t required_fen, int64_t credited_fen);

/* Why a sub-account is refunded, and from when its deadline runs (docs/deposits.md §6). */
enum refund_cause {
    CAUSE_NONE,
    CAUSE_WITHDRAWAL,  /* the bid was withdrawn before the deadline (event: the withdrawal) */
    CAUSE_NO_BID,      /* paid, never bid (event: the deadline) */
    CAUSE_AWARD,       /* procurement, a losing bidder (event: the award notice) */
    CAUSE_CONTRACT,    /* the contract (event: its signing) */
    CAUSE_TERMINATION, /* the project was terminated or failed (event: when seen so) */
};
/* Where a held payment stands, in the log's evidence (evidence.c). */
enum held_state { HELD_NONE, HELD_HELD, HELD_RETURNING, HELD_RETURNED, HELD_CREDITED };
/* Do a sub-account's ledger rows agree with the log's evidence? The rows' posting amounts and the
 * log's (each sorted), the payee the rows name and the log's, and whether the log's evidence is
 * itself sound (forged: why not). A refusal DEP-LEDGER-ALTERED saying what differs, else none. */
struct agree_in {
    const int64_t *rows_fen, *log_fen;
    size_t rows_n, log_n;
    const char *rows_payee, *log_payee; /* NULL: the rows or the log name none */
    bool log_known;
    const char *forged;
};
struct refusal deposits_rule_agrees(const struct agree_in *in);
/* Does a held payment's row agree with the log? (the amount and payer as the bank signed them,
 * and that it is held, not credited, returned or being returned) */
struct held_rows {
    int64_t amount;
    const char *payer, *payer_name;
    bool returning;      /* a return of it is under way (its refund row) */
    int64_t received_us; /* when its notice (or statement) was booked */
};
struct held_log {
    bool known;
    int64_t amount;
    const char *payer, *payer_name;
    enum held_state state;
    const char *forged;
    int64_t signed_us; /* the evidence runs to the checkpoint signed then */
};
/* DEP-EVIDENCE-PENDING (conflict) when the log holds nothing of a payment booked after the
 * checkpoint the evidence runs to (not yet under a signed checkpoint: retry); DEP-LEDGER-ALTERED
 * when they disagree; DEP-RETURN-STATE (conflict) when both say a return is under way; else
 * none. */
struct refusal deposits_rule_held_agrees(const struct held_rows *rows, const struct held_log *log);
const char *deposits_rule_cause_name(enum refund_cause c);
enum refund_cause deposits_rule_cause_from_name(const char *name); /* CAUSE_NONE: unknown */
struct cause_in {
    enum category category;
    const char *project_state;
    int64_t now_us, deadline_us, org;
    bool bid_any, bid_current;
    int64_t withdrawn_us;
    int64_t award_us, award_winner;       /* 0: no award notice yet */
    int64_t contract_us, contract_winner; /* 0: no contract yet */
};
enum refund_cause deposits_rule_cause(const struct cause_in *in, int64_t *event_us);
/* The statute that sets a cause's deadline. */
enum statute_id deposits_rule_cause_statute(enum refund_cause c);
/* The refund's deadline: the event plus the statute's days (calendar or working days, the
 * working days from the calendar as the statute's reading says — a refund is an obligation, the
 * shorter reading: the end of that day, China Standard Time). -1 when the statute does not apply
 * to the category, INT64_MIN when the calendar does not know a year it reaches. *provisional:
 * the count crossed a provisional year (calendar.h). */
int64_t deposits_rule_due(enum category c, enum refund_cause cause, int64_t event_us,
                          bool *provisional);
/* A return of held money's deadline: the end of the day (China Standard Time) `working_days`
 * working days after now's day (the shorter reading); INT64_MIN when the calendar does not know
 * a year it reaches. */
int64_t deposits_rule_return_due(int64_t now_us, int64_t working_days, bool *provisional);
/* Does the refund carry interest? The tendering law: after the contract (第五十七条) and on
 * termination (第三十一条); procurement: on termination (its 孳息, 87号令 第二十九条). */
bool deposits_rule_interest_applies(enum category c, enum refund_cause cause);

/* The rate table (data, by date): from day (CST day number) on, the demand-deposit rate and
 * the benchmark lending rate, each in millionths per year (0.35 % = 3500). */
struct rate_row {
    int64_t from_day, deposit_ppm, lending_ppm;
};
/* Parse the rate file (lines "YYYY-MM-DD<TAB>deposit_ppm<TAB>lending_ppm", '#' comments, days
 * rising). Fills rows (at most cap); false with err on a bad line. */
bool deposits_rule_rates_parse(const char *text, struct rate_row *rows, size_t cap, size_t *n,
                               char *err, size_t errlen);
/* Simple interest on fen from day a to day b (days a ≤ d < b each at the rate in force on d,
 * which is deposit_ppm, or lending_ppm × permille / 1000 when lending is true), over a 360-day
 * year, rounded half up to the fen once at the end. -1 when a day precedes the table. */
int64_t deposits_rule_interest(const struct rate_row *rows, size_t n, int64_t fen, int64_t a,
                               int64_t b, bool lending, int64_t permille);

/* For the evaluation's indicators (实施条例 第四十条(六)): the pairs of a lot's bidders whose
 * deposits came from the same payer account, as a JSON array of {org_a, org_b, payer_account}
 * (caller frees; NULL when *st says a database error). */
cJSON *deposits_same_payer(struct dbconn *c, int64_t project, int64_t lot, enum db_status *st);

/* The end of the bid validity period of a deadline (deposits.bid_validity_days after it): what a
 * guarantee must cover, and what the evaluation's award must precede (评标委员会和评标方法暂行规定
 * 第四十条). */
int64_t deposits_validity_end(int64_t deadline_us);

#endif
