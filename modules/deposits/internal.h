/*
 * internal.h — what the deposits module's files share (not for other modules): ledger.c (the
 * one way an entry is posted), basic.c (basic accounts), lots.c (sub-accounts and the state at
 * the deadline), notices.c (the bank's key and its signed notices), refunds.c (causes,
 * instructions, confirmations, the jobs), views.c, routes.c.
 */
#ifndef GGZY_DEPOSITS_INTERNAL_H
#define GGZY_DEPOSITS_INTERNAL_H

#include <cjson/cJSON.h>

#include "app.h"
#include "deposits.h"
#include "store.h"

#define DEP_DAY_US INT64_C(86400000000)

/* The module's configuration (routes.c). */
struct deposits_conf {
    const char *bank_cert;        /* the center's bank: its signing certificate (PEM chain) */
    const char *bank_credit_code; /* … naming this credit code, under trust.finance_ca */
    const char *bank_name;        /* shown to bidders with the sub-account number */
    const char *account_name;     /* the center's account's holder name */
    const char *prefix;           /* the sub-account numbers' prefix (digits) */
    const char *instructions_dir; /* where signed payment instructions are written for the bank */
    const char *rates;            /* the interest rate table (data/deposit-rates.tsv) */
    int64_t notice_skew_s;        /* a notice is signed within this of the platform's clock */
    int64_t warn_hours;           /* staff and supervisors are warned this long before a due */
    int64_t bid_validity_days;    /* the bid validity period after the deadline (guarantees) */
    int64_t return_days;          /* held money goes back to its payer within these working days */
    int64_t retry_hours;          /* a refund the bank could not pay is instructed again after */
    int64_t ledger_check_s;       /* every sub-account is checked against the log this often */
};
extern struct deposits_conf deposits_conf;
extern const struct config *deposits_cfg;

/* ledger.c: post one balanced entry (kind, project, sub-account, memo) with its postings in the
 * caller's transaction; *json gets the postings as the audit payload carries them
 * ([{account, ref?, fen}], caller owns it). DB_ERROR when the postings do not balance — a bug,
 * never written. */
enum db_status ledger_post(struct dbconn *c, const char *kind, int64_t project, int64_t sub,
                           const char *memo, const struct posting *p, size_t n, int64_t now,
                           int64_t *entry, cJSON **json);
void ledger_get(struct req *r, const cJSON *body);
/* The job deposits.ledger-watch: every sub-account against the log's evidence (§10a). */
bool deposits_job_ledger(struct dbconn *c, const struct actor *a, int64_t now_us);
void entries_list(struct req *r, const cJSON *body);

/* basic.c */
void basic_create(struct req *r, const cJSON *body);
void basic_list(struct req *r, const cJSON *body);
void basic_decide(struct req *r, const cJSON *body);
/* The organization's approved basic account number into out ("" when none). */
enum db_status basic_account_of(struct dbconn *c, int64_t org, char *out, size_t outlen,
                                char *holder, size_t holderlen);

/* lots.c */
void sub_open(struct req *r, const cJSON *body);
void sub_get(struct req *r, const cJSON *body);
void sub_list(struct req *r, const cJSON *body);
/* The provider of bids_set_deposit_states (bids.h). */
bool deposit_states_at_deadline(struct dbconn *c, int64_t project, int64_t lot, size_t n,
                                const int64_t *orgs, char (*states)[16]);

/* notices.c */
bool bank_load(char *err, size_t errlen);
void bank_free(void);
void notice_create(struct req *r, const cJSON *body);
void notice_list(struct req *r, const cJSON *body);
void flag_list(struct req *r, const cJSON *body);
/* The bank's signed document (a notice, a statement): its certificate in force, its signature
 * over domain "\n" canonical(fields), the platform, signed_us fresh. False: the refusal is set
 * on r. *k gets the bank's key (its chain borrowed: free only k->info with cert_info_free). */
struct signing_key;
bool bank_check(struct req *r, const char *domain, const cJSON *fields, const char *signature,
                struct signing_key *k);
bool bank_is_loaded(void);
/* A person's signed act (a basic-account request, a forfeiture decision): accounts_check_act
 * for the caller within 300 s, its failures mapped onto KEY-*, DEP-SIGNED-TIME and
 * DEP-SIGNATURE (citing docs/deposits.md section). TX_COMMIT with *k filled (free it);
 * TX_REFUSE with the refusal set; TX_DBFAIL. */
enum tx_result deposits_person_act(struct dbconn *c, struct req *r, const char *domain,
                                   const cJSON *fields, const char *key_id, int64_t signed_us,
                                   const char *signature, const char *section,
                                   struct signing_key *k);
/* The actor a party acts as in the log, named by its key: "<role>:<16 hex of its key id>" into
 * name (40 bytes), through request r. */
struct actor party_actor(const char *role, const struct signing_key *k, const struct req *r,
                         char name[40]);

/* statements.c */
void statement_create(struct req *r, const cJSON *body);
void statement_list(struct req *r, const cJSON *body);
cJSON *statement_json(const struct dbres *s, size_t i);

/* refunds.c */
bool rates_load(const char *path, char *err, size_t errlen);
enum db_status deposits_on_event(struct dbconn *c, const struct actor *a,
                                 const struct app_event *e);
bool deposits_job_refunds(struct dbconn *c, const struct actor *a, int64_t now_us);
bool deposits_job_deadlines(struct dbconn *c, const struct actor *a, int64_t now_us);
void refund_list(struct req *r, const cJSON *body);
/* The refunds' due times an imported holiday arrangement moves (app.h calendar_moved). */
enum db_status deposits_calendar_moved(struct dbconn *c, int year, bool apply, cJSON *out);

/* The parsed notice (notices.c). */
struct bank_notice {
    const char *txn, *kind, *account, *payer, *payer_name, *instrument;
    int64_t amount, refund, value_us, signed_us;
};

/* A bank's refund notice (paid or failed), inside notices.c's transaction: checked against the
 * refund it names (the refusal set on r), booked; fills row's outcome, sub-account and entry
 * and adds what the audit entry shows to payload. */
struct notice_row;
/* The signed instruction of fields, as the bank receives it: canonical JSON of {instruction,
 * signature, key} (malloc'd; NULL on failure). */
char *refund_instruction_text(const cJSON *fields);
/* Tell center staff (the outbox) that the bank could not pay refund row f. */
enum db_status refund_tell_failed(struct dbconn *c, const struct dbres *f, int64_t now);
enum tx_result refund_confirm(struct dbconn *c, struct req *r, const struct bank_notice *n,
                              int64_t now, struct notice_row *row, cJSON *payload,
                              int64_t *project);

/* evidence.c: the log's facts every instruction moves money on (docs/deposits.md §10a) */
bool evidence_init(void);
void evidence_fini(void);
/* Bring the facts up to the latest signed checkpoint; await: first have one signed that covers
 * every entry committed so far. *intact false: the log is altered (its alarm raised). */
enum db_status evidence_sync(struct dbconn *c, bool await, bool *intact);
/* evidence_sync for a request (awaiting the checkpoint); false: the refusal (503) is set. */
bool evidence_sync_req(struct req *r, struct dbconn *c);
/* A sub-account as the log knows it (copied; free with evidence_sub_free): the amounts of its
 * postings, sorted; its credited arrivals as the bank signed them; to whom it goes back. */
struct sub_evidence {
    bool known, payee;
    int64_t *fen, *arr_amount, *arr_value_us;
    size_t nfen, narr;
    char payer[40], payer_name[208];
    char forged[160]; /* non-empty: an entry about it fails its signature check */
    uint64_t covered; /* the checkpoint's size the facts run to */
    int64_t signed_us;
};
bool evidence_sub(int64_t sub, struct sub_evidence *out);
void evidence_sub_free(struct sub_evidence *e);
/* The sub-accounts the log records postings of (malloc'd, *n of them). */
int64_t *evidence_sub_ids(size_t *n);
/* A payment held (by its bank_txn), as the bank signed it, and where its return stands. */
struct held_evidence {
    bool known;
    char payer[40], payer_name[208];
    int64_t amount;
    enum held_state state;
    char forged[160];
    int64_t signed_us;
};
bool evidence_held(const char *txn, struct held_evidence *out);
/* Do sub-account sub's ledger rows agree with the log's evidence (every posting, and — payee not
 * NULL — the account the rows say its deposit came from)? A refusal DEP-LEDGER-ALTERED when not
 * (a change committed after the checkpoint the evidence runs to looks the same: callers judge
 * again over one that covers it before they raise anything). *ev gets the evidence (free it).
 * *st: the database failed (no verdict). */
struct refusal evidence_check_sub(struct dbconn *c, int64_t sub, const char *payee,
                                  struct sub_evidence *ev, enum db_status *st);
/* An alteration of what key names ("sub:12", "txn:…") found by actor a, in c's transaction:
 * suspected at a first sight, raised (altered: the log's deposit.ledger.altered, staff and
 * supervisors told) at the second or at once; *raised tells that it was raised now. */
enum db_status evidence_alarm(struct dbconn *c, const struct actor *a, const char *key,
                              const char *why, bool at_once, int64_t now, bool *raised);
/* Has key an open alarm (suspect or altered), and is it raised (altered)? */
enum db_status evidence_alarm_open(struct dbconn *c, const char *key, bool *open, bool *raised);
/* key agrees again: its open alarm resolved (logged when it had been raised: one audit entry,
 * so a transaction of its own). */
enum db_status evidence_clear(struct dbconn *c, const struct actor *a, const char *key,
                              int64_t now);
/* The module's part of /healthz (app.h): 503 deposits_ledger_altered while an alarm is raised. */
bool deposits_health(struct dbconn *c, cJSON *o, enum err_code *code, char *why, size_t whylen);

/* returns.c */
void return_create(struct req *r, const cJSON *body);
/* The bank's notice of a return (refund row f, whose notice_id is set) paid or failed, in
 * refund_confirm's place and with its contract. */
enum tx_result return_confirm(struct dbconn *c, const struct dbres *f, const struct bank_notice *n,
                              int64_t now, struct notice_row *row, cJSON *payload,
                              int64_t *project);

/* guarantees.c */
void guarantee_create(struct req *r, const cJSON *body);
void guarantee_list(struct req *r, const cJSON *body);

/* forfeit.c */
void forfeit_propose(struct req *r, const cJSON *body);
void forfeit_decide(struct req *r, const cJSON *body);
void forfeit_list(struct req *r, const cJSON *body);

/* Is the booked notice (a NOTICE_COLS row) the movement n describes? */
bool notices_same(const struct dbres *old, const struct bank_notice *n);

/* views.c */
cJSON *sub_json(const struct dbres *s, size_t i);
cJSON *basic_json(const struct dbres *s, size_t i);
cJSON *notice_json(const struct dbres *s, size_t i);
cJSON *refund_json(const struct dbres *s, size_t i);
cJSON *guarantee_json(const struct dbres *s, size_t i);
cJSON *forfeit_json(const struct dbres *s, size_t i);
/* Keyset paging over newest-first lists: ?before=<id>&limit=. */
bool deposits_page(struct req *r, int64_t *before, int64_t *limit);

#endif
