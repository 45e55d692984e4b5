/*
 * rules.c — the deposits module's rules as pure functions (see deposits.h), unit-tested
 * (tests/unit/deposits/test_deposits_rules.c). Money is integer fen; interest is computed in
 * 128-bit integers and rounded once, half up (docs/deposits.md §7).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "deposits.h"
#include "util.h"

#define DAY_US    INT64_C(86400000000)
#define CST_US    INT64_C(28800000000) /* UTC+8 */
#define YEAR_DAYS 360                  /* the banks' day count for daily interest */

static const char *const account_names[ACC__COUNT] = {
    "bank", "sub", "held", "refunds_payable", "interest_expense", "forfeited"};

const char *const deposits_instruments[] = {"transfer",        "cheque", "draft",
                                            "promissory_note", "cash",   NULL};

const char *
deposits_rule_account_name(enum dep_account a)
{
    return a < ACC__COUNT ? account_names[a] : "unknown";
}

int
deposits_rule_account_from_name(const char *name)
{
    for (int i = 0; name && i < ACC__COUNT; i++)
        if (!strcmp(name, account_names[i]))
            return i;
    return -1;
}

bool
deposits_rule_balanced(const struct posting *p, size_t n)
{
    int64_t sum = 0;
    if (n < 2)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (!p[i].fen || p[i].account >= ACC__COUNT || __builtin_add_overflow(sum, p[i].fen, &sum))
            return false;
        if ((p[i].account == ACC_SUB) != (p[i].ref > 0))
            return false;
    }
    return sum == 0;
}

/* The Luhn check digit of digits s (the digit that makes s + digit pass). */
static int
luhn_digit(const char *s, size_t n)
{
    int sum = 0;
    for (size_t i = 0; i < n; i++) {
        int d = s[n - 1 - i] - '0';
        if (i % 2 == 0) /* doubled: the check digit will stand to their right */
            d = d * 2 > 9 ? d * 2 - 9 : d * 2;
        sum += d;
    }
    return (10 - sum % 10) % 10;
}

bool
deposits_rule_luhn_ok(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n < 2)
        return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return luhn_digit(s, n - 1) == s[n - 1] - '0';
}

bool
deposits_rule_subaccount_number(const char *prefix, int64_t id, char *out, size_t outlen)
{
    size_t pl = prefix ? strlen(prefix) : 0;
    if (id <= 0 || id > INT64_C(9999999999) || pl > 20)
        return false;
    for (size_t i = 0; i < pl; i++)
        if (prefix[i] < '0' || prefix[i] > '9')
            return false;
    int w = snprintf(out, outlen, "%s%010lld", prefix, (long long)id);
    if (w < 0 || (size_t)w + 2 > outlen)
        return false;
    out[w] = (char)('0' + luhn_digit(out, (size_t)w));
    out[w + 1] = '\0';
    return true;
}

const char *
deposits_rule_arrival(const struct arrival_in *in)
{
    if (!in->sub_found)
        return "unknown_account";
    if (!in->payer_account || !*in->payer_account || !in->payer_name || !*in->payer_name ||
        !in->instrument)
        return "incomplete";
    if (in->value_us > in->deadline_us)
        return "late";
    if (statute_value(S_DEPOSIT_CASH, in->category) == 1 && !strcmp(in->instrument, "cash"))
        return "cash";
    if (statute_value(S_DEPOSIT_BASIC, in->category) == 1 &&
        (!in->basic_account || strcmp(in->basic_account, in->payer_account)))
        return "not_basic_account";
    return NULL;
}

const char *
deposits_rule_state(int64_t required_fen, int64_t credited_fen)
{
    if (required_fen <= 0)
        return "none";
    if (credited_fen >= required_fen)
        return "paid";
    return credited_fen > 0 ? "partial" : "missing";
}

const char *
deposits_rule_cause_name(enum refund_cause c)
{
    static const char *const names[] = {"none",  "withdrawal", "no_bid",
                                        "award", "contract",   "termination"};
    return c <= CAUSE_TERMINATION ? names[c] : "unknown";
}

enum refund_cause
deposits_rule_cause_from_name(const char *name)
{
    for (int c = CAUSE_WITHDRAWAL; c <= CAUSE_TERMINATION; c++)
        if (name && !strcmp(name, deposits_rule_cause_name((enum refund_cause)c)))
            return (enum refund_cause)c;
    return CAUSE_NONE;
}

enum refund_cause
deposits_rule_cause(const struct cause_in *in, int64_t *event_us)
{
    *event_us = 0;
    const char *s = in->project_state ? in->project_state : "";
    if (!strcmp(s, "terminated") || !strcmp(s, "failed")) {
        *event_us = in->now_us;
        return CAUSE_TERMINATION;
    }
    if (in->bid_any && !in->bid_current && in->withdrawn_us &&
        in->withdrawn_us <= in->deadline_us) {
        *event_us = in->withdrawn_us;
        return CAUSE_WITHDRAWAL;
    }
    if (!in->bid_any && in->now_us > in->deadline_us) {
        *event_us = in->deadline_us;
        return CAUSE_NO_BID;
    }
    if (in->category == CAT_PROCUREMENT && in->award_us && in->org != in->award_winner) {
        *event_us = in->award_us;
        return CAUSE_AWARD;
    }
    if (in->contract_us &&
        (in->category != CAT_PROCUREMENT || in->org == in->contract_winner || !in->award_us)) {
        *event_us = in->contract_us;
        return CAUSE_CONTRACT;
    }
    return CAUSE_NONE;
}

enum statute_id
deposits_rule_cause_statute(enum refund_cause c)
{
    switch (c) {
    case CAUSE_AWARD:
        return S_REFUND_AWARD;
    case CAUSE_CONTRACT:
        return S_REFUND_CONTRACT;
    case CAUSE_TERMINATION:
        return S_REFUND_TERMINATION;
    default:
        return S_REFUND_WITHDRAWAL;
    }
}

/* The CST day of a time, and the last microsecond of a CST day. */
static int64_t
day_end_us(int64_t day)
{
    return (day + 1) * DAY_US - CST_US - 1;
}

int64_t
deposits_rule_due(enum category c, enum refund_cause cause, int64_t event_us, bool *provisional)
{
    enum statute_id id = deposits_rule_cause_statute(cause);
    int64_t n = statute_value(id, c);
    *provisional = false;
    if (n < 0 || cause == CAUSE_NONE)
        return -1;
    int64_t from = cal_day(event_us), day = from;
    if (statute_unit(id, c) == U_WORKING_DAYS) {
        /* a refund is the platform's obligation: the shorter reading (calendar.h) */
        day = cal_add_working_days(day, n, statute(id)->reading);
        if (day == INT64_MIN)
            return INT64_MIN;
        *provisional = cal_range_kind(from, day) == CAL_PROVISIONAL;
    } else
        day += n;
    return day_end_us(day);
}

int64_t
deposits_rule_return_due(int64_t now_us, int64_t working_days, bool *provisional)
{
    /* the platform's own promise to return held money: a duty, the shorter reading */
    int64_t from = cal_day(now_us), day = cal_add_working_days(from, working_days, CAL_DUTY);
    *provisional = day != INT64_MIN && cal_range_kind(from, day) == CAL_PROVISIONAL;
    return day == INT64_MIN ? INT64_MIN : day_end_us(day);
}

bool
deposits_rule_interest_applies(enum category c, enum refund_cause cause)
{
    if (cause == CAUSE_TERMINATION)
        return true;
    return c != CAT_PROCUREMENT && cause == CAUSE_CONTRACT;
}

bool
deposits_rule_rates_parse(const char *text, struct rate_row *rows, size_t cap, size_t *n, char *err,
                          size_t errlen)
{
    *n = 0;
    int line = 0;
    for (const char *p = text; p && *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        char buf[200];
        line++;
        if (len >= sizeof buf) {
            snprintf(err, errlen, "line %d is too long", line);
            return false;
        }
        memcpy(buf, p, len);
        buf[len] = '\0';
        p = nl ? nl + 1 : NULL;
        if (len && buf[len - 1] == '\r')
            buf[--len] = '\0';
        if (!len || buf[0] == '#')
            continue;
        char date[16];
        long long dep, lend;
        int64_t day;
        char extra;
        if (sscanf(buf, "%15s %lld %lld %c", date, &dep, &lend, &extra) != 3 ||
            !cal_parse_date(date, &day) || dep < 0 || dep > 1000000 || lend < 0 || lend > 1000000) {
            snprintf(err, errlen,
                     "line %d: expected \"YYYY-MM-DD deposit_ppm lending_ppm\" (millionths "
                     "per year, 0 to 1000000)",
                     line);
            return false;
        }
        if (*n && day <= rows[*n - 1].from_day) {
            snprintf(err, errlen, "line %d: the dates must rise", line);
            return false;
        }
        if (*n == cap) {
            snprintf(err, errlen, "more than %zu rates", cap);
            return false;
        }
        rows[(*n)++] = (struct rate_row){day, dep, lend};
    }
    if (!*n) {
        snprintf(err, errlen, "no rate");
        return false;
    }
    return true;
}

int64_t
deposits_rule_interest(const struct rate_row *rows, size_t n, int64_t fen, int64_t a, int64_t b,
                       bool lending, int64_t permille)
{
    if (fen <= 0 || b <= a)
        return 0;
    if (!n || a < rows[0].from_day)
        return -1;
    /* Σ over the days of fen × rate, in millionths per year (× permille for the lending
     * rate's uplift, so the lending sum is in milli-millionths: divided by 1000 below) */
    __int128 sum = 0;
    size_t k = 0;
    for (int64_t d = a; d < b;) {
        while (k + 1 < n && rows[k + 1].from_day <= d)
            k++;
        int64_t until = k + 1 < n && rows[k + 1].from_day < b ? rows[k + 1].from_day : b;
        int64_t rate = lending ? rows[k].lending_ppm * permille : rows[k].deposit_ppm * 1000;
        sum += (__int128)fen * rate * (until - d);
        d = until;
    }
    __int128 den = (__int128)YEAR_DAYS * 1000000 * 1000;
    return (int64_t)((sum + den / 2) / den);
}

/* ---- the ledger against the log (docs/deposits.md §10a) ---- */

static void
add_amounts(struct buf *b, const int64_t *v, size_t n)
{
    if (n == 0)
        buf_puts(b, "none");
    for (size_t i = 0; i < n && i < 8; i++)
        buf_printf(b, "%s%lld", i ? ", " : "", (long long)v[i]);
    if (n > 8)
        buf_printf(b, ", … (%zu in all)", n);
}

struct refusal
deposits_rule_agrees(const struct agree_in *in)
{
    struct refusal f = {0};
    if (in->forged && *in->forged)
        return *refuse(&f, "DEP-LEDGER-ALTERED", "the log's evidence itself fails: %s", in->forged);
    bool same = in->rows_n == (in->log_known ? in->log_n : 0);
    for (size_t i = 0; same && i < in->rows_n; i++)
        same = in->rows_fen[i] == in->log_fen[i];
    if (!same) {
        struct buf b = {0};
        buf_puts(&b, "账目与日志不符: its postings in the ledger (fen: ");
        add_amounts(&b, in->rows_fen, in->rows_n);
        buf_puts(&b, ") are not those the audit log recorded (fen: ");
        add_amounts(&b, in->log_known ? in->log_fen : NULL, in->log_known ? in->log_n : 0);
        buf_puts(&b, ")");
        refuse(&f, "DEP-LEDGER-ALTERED", "%s", b.p && !b.oom ? b.p : "its postings differ");
        buf_free(&b);
        return f;
    }
    if (in->rows_payee && (!in->log_payee || strcmp(in->rows_payee, in->log_payee)))
        return *refuse(&f, "DEP-LEDGER-ALTERED",
                       "the ledger names %s as the account the deposit came from, the bank's "
                       "signed notice %s",
                       in->rows_payee, in->log_payee ? in->log_payee : "no account");
    return f;
}

struct refusal
deposits_rule_held_agrees(const struct held_rows *rows, const struct held_log *log)
{
    struct refusal f = {0};
    static const char *const states[] = {"unknown", "held", "being returned", "returned",
                                         "credited to a sub-account"};
    const char *payer = rows->payer ? rows->payer : "",
               *name = rows->payer_name ? rows->payer_name : "";
    if (log->forged && *log->forged)
        return *refuse(&f, "DEP-LEDGER-ALTERED", "the log's evidence itself fails: %s",
                       log->forged);
    if (!log->known && rows->received_us >= log->signed_us) {
        refuse(&f, "DEP-EVIDENCE-PENDING",
               "the bank's notice of this payment is not yet under a signed checkpoint of the "
               "log: retry in a few seconds");
        f.conflict = true;
        return f;
    }
    if (!log->known)
        return *refuse(&f, "DEP-LEDGER-ALTERED",
                       "the log holds no signed notice or statement line of this payment");
    if (log->state == HELD_RETURNING && rows->returning) {
        refuse(&f, "DEP-RETURN-STATE", "this payment is being returned already");
        f.conflict = true;
        return f;
    }
    if (log->state != HELD_HELD || rows->returning)
        return *refuse(&f, "DEP-LEDGER-ALTERED", "the log says this payment is %s; the ledger, %s",
                       states[log->state <= HELD_CREDITED ? log->state : 0],
                       rows->returning ? "being returned" : "held");
    if (rows->amount != log->amount || strcmp(payer, log->payer) || strcmp(name, log->payer_name))
        return *refuse(&f, "DEP-LEDGER-ALTERED",
                       "the ledger's row says %lld fen from %s (%s), the bank signed %lld fen "
                       "from %s (%s)",
                       (long long)rows->amount, *payer ? payer : "-", *name ? name : "-",
                       (long long)log->amount, log->payer, log->payer_name);
    return f;
}
