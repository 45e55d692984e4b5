/*
 * invariants.c — see invariants.h. Pure functions over parsed entries, fed in log order; the
 * checks rely on nothing but the entries themselves, the statute table as the law has it
 * (server/rules/statutes.c, without an operator's overrides) and the trust anchors the log
 * published (trust.anchors entries, which every timeline includes). Unit-tested with synthetic
 * timelines (tests/unit/cli/test_invariants.c); an API test writes each misuse into a real log and
 * replays it.
 */
#define _GNU_SOURCE
#include "invariants.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "canon.h"
#include "cert.h"
#include "crypto.h"
#include "project_states.h"
#include "sigsuite.h"
#include "statutes.h"
#include "timelock.h"

#define MAX_LOTS 64
#define MAX_ANN  256

struct lot {
    char name[64];
    int64_t deadline_us, opening_us;
    int64_t first_opening_us; /* the earliest opening time ever announced */
    bool opening_started, opening_ended, opened;
};

struct inv_state {
    char state[32];
    char before_suspend[32];
    struct lot lots[MAX_LOTS];
    int nlots;
    struct {
        int64_t id;
        char sha[65];
    } ann[MAX_ANN];
    int nann;
    /* what the tender announcement said, for the statutes */
    bool tendered;
    int category; /* enum category, -1 unknown */
    bool legally_required, tender_method;
    int64_t docs_first_us;
    char place[1210];
    struct trust_set *anchors;       /* the latest published (trust.anchors) */
    struct draw_ledger *draws;       /* the project's committee draws */
    struct deposit_ledger *deposits; /* the project's deposit postings and refunds */
    struct eval_ledger *evaluations; /* the project's evaluation sessions */
};

struct inv_state *
inv_new(void)
{
    struct inv_state *s = calloc(1, sizeof *s);
    if (s) {
        snprintf(s->state, sizeof s->state, "draft");
        s->category = -1;
        if (!(s->draws = dl_new()) || !(s->deposits = dep_new()) || !(s->evaluations = ev_new())) {
            dl_free(s->draws);
            dep_free(s->deposits);
            free(s);
            return NULL;
        }
    }
    return s;
}

void
inv_free(struct inv_state *s)
{
    if (s) {
        trust_set_free(s->anchors);
        dl_free(s->draws);
        dep_free(s->deposits);
        ev_free(s->evaluations);
    }
    free(s);
}

void
inv_finish(struct inv_state *s, struct inv_report *rep)
{
    dep_finish(s->deposits, rep);
}

void
inv_report_free(struct inv_report *rep)
{
    free(rep->v);
    memset(rep, 0, sizeof *rep);
}

#define violate inv_violate

void
inv_violate(struct inv_report *rep, const char *code, int64_t index, const char *fmt, ...)
{
    struct inv_violation *v = arr_push((void **)&rep->v, &rep->n, &rep->cap, sizeof *rep->v);
    if (!v)
        return;
    v->code = code;
    v->index = index;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(v->message, sizeof v->message, fmt, ap);
    va_end(ap);
}

/* A lot by name ("1"; a number is taken as its decimal name). */
static struct lot *
lot_named(struct inv_state *s, const char *name)
{
    if (!name)
        name = "";
    for (int i = 0; i < s->nlots; i++)
        if (!strcmp(s->lots[i].name, name))
            return &s->lots[i];
    if (s->nlots == MAX_LOTS)
        return NULL;
    struct lot *l = &s->lots[s->nlots++];
    memset(l, 0, sizeof *l);
    snprintf(l->name, sizeof l->name, "%s", name);
    l->deadline_us = l->opening_us = l->first_opening_us = -1;
    return l;
}

/* A payload's lot as a number: an integer (as every payload has it now) or, in logs written
 * before, its decimal string; -1 when neither. */
static int64_t
lot_number(const cJSON *p)
{
    const char *t = json_str(p, "lot");
    int64_t v;
    if (t)
        return parse_i64(t, 0, INT64_MAX, &v) ? v : -1;
    return json_i64(p, "lot", -1);
}

static struct lot *
lot_of(struct inv_state *s, const cJSON *p)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(p, "lot");
    char name[24];
    int64_t n = json_i64(p, "lot", -1);
    if (n >= 0) { /* a number is taken as its decimal name */
        snprintf(name, sizeof name, "%lld", (long long)n);
        return lot_named(s, name);
    }
    return lot_named(s, cJSON_IsString(v) ? v->valuestring : NULL);
}

/* ---- INV-STATE, INV-STATE-OWNER ---- */

/* Every project.transition is in the table and starts from the current state; and the action
 * that made it owns it: bidding begins only with the tender's publication, opened only with
 * an opening's completion, failed with the opening or a failure announcement, candidates only
 * from an evaluation result — never by hand. */
static void
check_state(struct inv_state *s, const char *action, const cJSON *payload, int64_t idx,
            struct inv_report *rep)
{
    /* project.transition carries {from, to}; an action that moves the project as a
     * consequence (publishing a tender announcement) carries them as payload.transition. */
    const cJSON *p = payload;
    if (strcmp(action, "project.transition")) {
        p = cJSON_GetObjectItemCaseSensitive(payload, "transition");
        if (!cJSON_IsObject(p))
            return;
    }
    const char *from = json_str(p, "from"), *to = json_str(p, "to");
    if (!from || !to) {
        violate(rep, "INV-STATE", idx, "a transition without from/to");
        return;
    }
    if (strcmp(from, s->state))
        violate(rep, "INV-STATE", idx, "transition from %s, but the project was %s", from,
                s->state);
    if (!project_transition_allowed(from, to))
        violate(rep, "INV-STATE", idx, "%s → %s is not in the state machine", from, to);
    else if (!strcmp(from, "suspended") && s->before_suspend[0] && strcmp(to, s->before_suspend))
        violate(rep, "INV-STATE", idx, "resumed to %s, but it was suspended from %s", to,
                s->before_suspend);
    else if (!project_transition_owned_by(from, to, action, json_str(payload, "type")))
        violate(rep, "INV-STATE-OWNER", idx, "%s → %s was made by %s%s%s, but %s owns it", from, to,
                action, json_str(payload, "type") ? " " : "",
                json_str(payload, "type") ? json_str(payload, "type") : "",
                project_transition_owner(from, to));
    else if (!strcmp(from, "opened") && !strcmp(to, "evaluating")) {
        bool ended = s->nlots > 0, opened = false;
        for (int i = 0; i < s->nlots; i++) {
            ended = ended && s->lots[i].opening_ended;
            opened = opened || s->lots[i].opened;
        }
        if (!ended || !opened)
            violate(rep, "INV-STATE-OWNER", idx,
                    "the evaluation began before every lot's opening ended with one opened");
    }
    if (!strcmp(to, "suspended"))
        snprintf(s->before_suspend, sizeof s->before_suspend, "%s", from);
    snprintf(s->state, sizeof s->state, "%s", to);
}

/* ---- announcements: INV-ANNOUNCE-IMMUTABLE, INV-DEADLINE-*, INV-PERIOD, INV-AMEND-AFFECTS ---- */

/* Is the period from a to b (days as the statute counts them: Beijing days, the first not
 * counted) at least the law's value for the category? True when the rule does not apply or
 * counts working days (which need the calendar; ggzyd checked those when publishing). */
static bool
period_ok(enum statute_id id, int category, int64_t a_us, int64_t b_us, int64_t *have,
          int64_t *need)
{
    if (category < 0 || category >= CAT__COUNT)
        return true;
    *need = statute_value(id, (enum category)category);
    if (*need < 0 || statute_unit(id, (enum category)category) != U_DAYS)
        return true;
    *have = cal_day(b_us) - cal_day(a_us);
    return *have >= *need;
}

static void
check_period(struct inv_state *s, enum statute_id id, int64_t a, int64_t b, int64_t idx,
             const char *what, struct inv_report *rep)
{
    int64_t have = 0, need = 0;
    if (!period_ok(id, s->category, a, b, &have, &need))
        violate(rep, "INV-PERIOD", idx, "%s: %lld days where %s requires %lld", what,
                (long long)have, statute(id)->code, (long long)need);
}

static void
check_announcements(struct inv_state *s, const char *action, const cJSON *p, int64_t idx, int64_t t,
                    struct inv_report *rep)
{
    if (strcmp(action, "announce.publish"))
        return;
    int64_t id = json_i64(p, "announcement_id", -1);
    const char *sha = json_str(p, "content_sha256"), *type = json_str(p, "type");
    for (int i = 0; i < s->nann; i++)
        if (s->ann[i].id == id) {
            violate(rep, "INV-ANNOUNCE-IMMUTABLE", idx, "announcement %lld was published again%s",
                    (long long)id,
                    sha && strcmp(sha, s->ann[i].sha) ? " with different content" : "");
            return;
        }
    if (s->nann < MAX_ANN) {
        s->ann[s->nann].id = id;
        snprintf(s->ann[s->nann].sha, sizeof s->ann[s->nann].sha, "%s", sha ? sha : "");
        s->nann++;
    }
    bool tender = type && !strcmp(type, "tender"), amendment = type && !strcmp(type, "amendment");
    if (tender && !s->tendered) { /* the terms the statutes count from */
        s->tendered = true;
        s->category = json_str(p, "category") ? category_from_name(json_str(p, "category")) : -1;
        s->legally_required = json_bool(p, "legally_required", false);
        s->tender_method = json_bool(p, "tender_method", false);
        s->docs_first_us = json_i64(p, "docs_from_us", 0);
    }
    const char *place = json_str(p, "opening_place");
    bool place_changed = amendment && place && strcmp(place, s->place);
    bool affects = json_bool(p, "affects_bids", false);
    const cJSON *dl = cJSON_GetObjectItemCaseSensitive(p, "deadlines");
    bool moved = false;
    for (const cJSON *it = cJSON_IsArray(dl) ? dl->child : NULL; it; it = it->next) {
        struct lot *l = lot_of(s, it);
        if (!l)
            continue;
        int64_t nd = json_i64(it, "bid_deadline_us", -1), no = json_i64(it, "opening_us", nd);
        if (amendment && l->deadline_us >= 0 && nd != l->deadline_us) {
            moved = true;
            if (t > l->deadline_us || l->opening_started)
                violate(rep, "INV-DEADLINE-PASSED", idx,
                        "lot %s's deadline was moved %lld µs after it passed", l->name,
                        (long long)(t - l->deadline_us));
            if (nd < l->deadline_us)
                violate(rep, "INV-DEADLINE-EARLIER", idx,
                        "lot %s's deadline was moved %lld µs earlier", l->name,
                        (long long)(l->deadline_us - nd));
        }
        if (s->legally_required && s->tender_method && (tender || amendment))
            check_period(s, S_BID_PERIOD, s->docs_first_us, nd, idx,
                         "from the first day of the documents to the bid deadline", rep);
        if (amendment && (nd != l->deadline_us || affects))
            check_period(s, S_AMEND_NOTICE, t, nd, idx, "from the amendment to the bid deadline",
                         rep);
        l->deadline_us = nd;
        l->opening_us = no;
        if (l->first_opening_us < 0 || no < l->first_opening_us)
            l->first_opening_us = no;
    }
    /* every documents' period published (a tender's, an amendment's) keeps the statute, however
     * little it changes in force */
    int64_t dfrom = json_i64(p, "docs_from_us", -1), duntil = json_i64(p, "docs_until_us", -1);
    if ((tender || amendment) && dfrom >= 0) {
        if (duntil >= 0)
            check_period(s, S_DOC_SALE, dfrom, duntil, idx, "the tender documents are available",
                         rep);
        for (int i = 0; amendment && s->legally_required && s->tender_method && i < s->nlots; i++)
            if (s->lots[i].deadline_us >= 0)
                check_period(s, S_BID_PERIOD, dfrom, s->lots[i].deadline_us, idx,
                             "from the first day of the documents an amendment states to the bid "
                             "deadline",
                             rep);
    }
    if (amendment) {
        if ((moved || place_changed) && !affects)
            violate(rep, "INV-AMEND-AFFECTS", idx,
                    "an amendment moving the %s was published as not affecting the bids",
                    moved ? "bid deadline" : "opening place");
        for (int i = 0; i < s->nlots; i++) {
            struct lot *l = &s->lots[i];
            if (!moved && (affects || place_changed) && l->deadline_us >= 0 &&
                (t > l->deadline_us || l->opening_started))
                violate(rep, "INV-DEADLINE-PASSED", idx,
                        "an amendment affecting lot %s's bids was published after its deadline",
                        l->name);
            if (!moved && affects && l->deadline_us >= 0)
                check_period(s, S_AMEND_NOTICE, t, l->deadline_us, idx,
                             "from the amendment to the bid deadline", rep);
        }
    }
    if (place && (tender || amendment))
        snprintf(s->place, sizeof s->place, "%s", place);
}

/* ---- bids and the opening: INV-BID-DEADLINE, INV-BID-OPENING, INV-OPENING-EARLY ---- */

static void
check_bids(struct inv_state *s, const char *action, const cJSON *p, int64_t idx, int64_t t,
           bool by_system, struct inv_report *rep)
{
    if (!strcmp(action, "lot.deadline_set")) {
        struct lot *l = lot_of(s, p);
        if (l) {
            l->deadline_us = json_i64(p, "bid_deadline_us", -1);
            l->opening_us = json_i64(p, "opening_us", l->deadline_us);
            if (l->first_opening_us < 0 || l->opening_us < l->first_opening_us)
                l->first_opening_us = l->opening_us;
        }
        return;
    }
    bool receive = !strcmp(action, "bid.receive"), withdraw = !strcmp(action, "bid.withdraw");
    bool decrypt = !strcmp(action, "bid.decrypt"), start = !strcmp(action, "opening.start");
    bool share = !strcmp(action, "opening.share"), fail = !strcmp(action, "opening.fail");
    bool complete = !strcmp(action, "opening.complete");
    if (!receive && !withdraw && !decrypt && !start && !share && !fail && !complete)
        return;
    struct lot *l = lot_of(s, p);
    if (!l)
        return;
    if (receive || withdraw) {
        const char *what = receive ? "a bid" : "a withdrawal";
        if (l->deadline_us < 0)
            violate(rep, "INV-BID-DEADLINE", idx, "%s for lot %s before any deadline was set", what,
                    l->name);
        else if (t > l->deadline_us)
            violate(rep, "INV-BID-DEADLINE", idx, "%s for lot %s %lld µs after its deadline", what,
                    l->name, (long long)(t - l->deadline_us));
        else if (l->opening_started)
            violate(rep, "INV-BID-DEADLINE", idx, "%s for lot %s after its opening started", what,
                    l->name);
        return;
    }
    /* the platform resumes an opening a crash interrupted (system:opening-runner, INV-ACTOR): it
     * may decrypt and complete only an opening that was started and has not ended */
    if ((decrypt || complete) && by_system && (!l->opening_started || l->opening_ended))
        violate(rep, "INV-BID-OPENING", idx,
                "the platform recorded %s for lot %s, whose opening was not running", action,
                l->name);
    if (decrypt && (l->opening_us < 0 || t < l->opening_us))
        violate(rep, "INV-BID-OPENING", idx, "a bid of lot %s decrypted before the opening time",
                l->name);
    if (l->first_opening_us < 0 || t < l->first_opening_us)
        violate(rep, "INV-OPENING-EARLY", idx,
                "%s of lot %s before the earliest opening time ever announced for it", action,
                l->name);
    if (start || fail)
        l->opening_started = true;
    if (complete || fail)
        l->opening_ended = true;
    if (complete)
        l->opened = true;
}

/* ---- INV-SIGNATURE, INV-CUSTODIANS ---- */

/* Check a certificate chain (signer.certificate) against the anchors published before the entry,
 * at the entry's time, for one of the sides in mask (bit per enum side). NULL when it holds
 * (*side, info filled: free info), else why. */
static const char *
certified(const struct inv_state *s, const cJSON *signer, unsigned mask, int64_t t, enum side *side,
          struct cert_info *info, char *why, size_t whylen)
{
    struct cert_chain chain;
    memset(info, 0, sizeof *info);
    if (!s->anchors)
        return "no trust anchors were published before it";
    if (!cert_chain_from_json(cJSON_GetObjectItemCaseSensitive(signer, "certificate"), &chain))
        return "it carries no readable certificate";
    const char *rule = "KEY-CERT-CHAIN";
    for (int d = 0; d < SIDE__COUNT && rule; d++) {
        if (!(mask & (1u << d)))
            continue;
        cert_info_free(info);
        rule = cert_check(s->anchors, (enum side)d, &chain, NULL, t, info, why, whylen);
        *side = (enum side)d;
    }
    cert_chain_free(&chain);
    if (rule)
        return why;
    const char *kid = json_str(signer, "key_id");
    if (!kid || strcmp(kid, info->key_id))
        return "the key id it names is not the certificate's key";
    return NULL;
}

#define SIDE_BIT(x) (1u << (x))

/* The signed acts: which actions must carry one, and the sides that may sign them. */
static const struct {
    const char *action;
    unsigned sides;
} signed_acts[] = {
    {"bid.receive", SIDE_BIT(SIDE_BIDDER)},
    {"bid.withdraw", SIDE_BIT(SIDE_BIDDER)},
    /* the tendering side: an agency's agent, or a tenderer's own people (self-conducted) */
    {"opening.start", SIDE_BIT(SIDE_AGENT) | SIDE_BIT(SIDE_TENDERER) | SIDE_BIT(SIDE_CENTER)},
    {"opening.share", SIDE_BIT(SIDE_AGENT) | SIDE_BIT(SIDE_TENDERER) | SIDE_BIT(SIDE_SUPERVISION) |
                          SIDE_BIT(SIDE_CENTER)},
    {"venue.recording.register", SIDE_BIT(SIDE_DEVICE)},
    {"venue.attendance", SIDE_BIT(SIDE_BIDDER) | SIDE_BIT(SIDE_AGENT) | SIDE_BIT(SIDE_TENDERER) |
                             SIDE_BIT(SIDE_SUPERVISION) | SIDE_BIT(SIDE_CENTER) |
                             SIDE_BIT(SIDE_EXPERT)}, /* an evaluation's members sign in too */
    {"venue.witness", SIDE_BIT(SIDE_CENTER)},
    {"draw.cosign", SIDE_BIT(SIDE_CENTER)},
    {"draw.pool", SIDE_BIT(SIDE_CENTER)}, /* the last cosignature, which fixed the pool */
    {"draw.seeded", SIDE_BIT(SIDE_SUPERVISION)},
    {"draw.value", SIDE_BIT(SIDE_SUPERVISION)},
    {"draw.answer", SIDE_BIT(SIDE_EXPERT)},
    {"deposit.basic_account.request", SIDE_BIT(SIDE_BIDDER)},
    {"deposit.notice", SIDE_BIT(SIDE_FINANCE)},
    {"deposit.guarantee.register", SIDE_BIT(SIDE_FINANCE)},
    {"deposit.statement.import", SIDE_BIT(SIDE_FINANCE)},
    {"deposit.forfeit.decide", SIDE_BIT(SIDE_SUPERVISION)},
    /* the members: drawn experts, and the tenderer's representatives */
    {"evaluation.act", SIDE_BIT(SIDE_EXPERT) | SIDE_BIT(SIDE_TENDERER)},
    {"evaluation.representative", SIDE_BIT(SIDE_TENDERER)},
    {"award.decide", SIDE_BIT(SIDE_TENDERER)},
    {"contract.offer", SIDE_BIT(SIDE_TENDERER)},
    {"contract.sign", SIDE_BIT(SIDE_BIDDER)},
    {"project.close", SIDE_BIT(SIDE_TENDERER)},
    {"award.objection", SIDE_BIT(SIDE_BIDDER)},
    {"award.validity.ask", SIDE_BIT(SIDE_TENDERER)},
    {"award.validity.answer", SIDE_BIT(SIDE_BIDDER)},
    /* the tendering side answers: the tenderer, or the agency it appointed */
    {"award.objection.answer", SIDE_BIT(SIDE_TENDERER) | SIDE_BIT(SIDE_AGENT)},
};

/* Does the signature of signed (domain and fields, or an envelope's digest) verify by key? */
static bool
signature_verifies(const cJSON *sg, const struct cert_info *info)
{
    const char *domain = json_str(sg, "domain"), *sig64 = json_str(sg, "signature");
    const cJSON *fields = cJSON_GetObjectItemCaseSensitive(sg, "fields");
    uint8_t sig[SIG_MAX], digest[32];
    size_t bl = sig64 ? strlen(sig64) : 0;
    long n = bl && bl < 4 * SIG_MAX ? b64_decode(sig64, bl, sig, sizeof sig) : -1;
    if (n <= 0 || !info->suite || (size_t)n != info->suite->sig_len || !cJSON_IsObject(fields))
        return false;
    if (!domain) { /* an envelope: signed over its digest */
        const char *h = json_str(fields, "signed_sha256");
        return h && strlen(h) == 64 && hex_decode(h, digest, 32) &&
               info->suite->verify_digest(info->key, digest, 32, sig, (size_t)n);
    }
    size_t len = 0;
    char *msg = sig_message(domain, fields, &len);
    bool ok = msg && info->suite->verify(info->key, msg, len, sig, (size_t)n);
    free(msg);
    return ok;
}

static void
check_signature(struct inv_state *s, const char *action, const cJSON *p, int64_t idx, int64_t t,
                struct inv_report *rep)
{
    unsigned sides = 0;
    for (size_t i = 0; i < sizeof signed_acts / sizeof signed_acts[0]; i++)
        if (!strcmp(signed_acts[i].action, action))
            sides = signed_acts[i].sides;
    if (!sides)
        return;
    const cJSON *sg = cJSON_GetObjectItemCaseSensitive(p, "signed");
    if (!cJSON_IsObject(sg)) {
        violate(rep, "INV-SIGNATURE", idx, "%s is not signed by a certified key", action);
        return;
    }
    enum side side = SIDE_NONE;
    struct cert_info info;
    char why[300];
    const char *bad = certified(s, cJSON_GetObjectItemCaseSensitive(sg, "signer"), sides, t, &side,
                                &info, why, sizeof why);
    if (bad)
        violate(rep, "INV-SIGNATURE", idx, "%s is signed by an uncertified key: %s", action, bad);
    else if (!signature_verifies(sg, &info))
        violate(rep, "INV-SIGNATURE", idx, "%s: the signature does not verify with its key",
                action);
    else { /* what was signed is what the entry records */
        const cJSON *f = cJSON_GetObjectItemCaseSensitive(sg, "fields");
        const char *kid = json_str(p, "signer_key_id");
        bool same = true;
        if (!strcmp(action, "bid.receive"))
            same = kid && !strcmp(kid, info.key_id);
        else if (!strcmp(action, "bid.withdraw"))
            same = json_i64(f, "bid_id", -1) == json_i64(p, "bid_id", -2);
        else if (!strncmp(action, "draw.", 5)) /* a cosignature, the value, an answer */
            same = json_i64(f, "draw_id", -1) == json_i64(p, "draw_id", -2);
        else if (!strcmp(action, "deposit.notice")) {
            /* the bank's posting is the signed amount; a refund the bank could not pay moves no
             * money through the bank: its payable's reversal is */
            int64_t amount = json_i64(f, "amount_fen", -1), booked = -2, payable = -2;
            const cJSON *ps = cJSON_GetObjectItemCaseSensitive(p, "postings");
            for (const cJSON *x = cJSON_IsArray(ps) ? ps->child : NULL; x; x = x->next) {
                int64_t v =
                    json_i64(x, "fen", 0) < 0 ? -json_i64(x, "fen", 0) : json_i64(x, "fen", 0);
                if (json_str(x, "account") && !strcmp(json_str(x, "account"), "bank"))
                    booked = v;
                else if (json_str(x, "account") &&
                         !strcmp(json_str(x, "account"), "refunds_payable"))
                    payable = v;
            }
            const char *outcome = json_str(p, "outcome");
            same = amount == (outcome && !strcmp(outcome, "failed") ? payable : booked);
        } else if (!strcmp(action, "deposit.statement.import"))
            same = json_str(f, "date") && json_str(p, "date") &&
                   !strcmp(json_str(f, "date"), json_str(p, "date"));
        else if (!strcmp(action, "deposit.guarantee.register"))
            same = json_i64(f, "amount_fen", -1) == json_i64(p, "amount_fen", -2) &&
                   json_i64(f, "bidder_org_id", -1) == json_i64(p, "org_id", -2) &&
                   json_i64(f, "lot", -1) == json_i64(p, "lot", -2);
        else if (!strcmp(action, "deposit.forfeit.decide"))
            same = json_i64(f, "forfeiture_id", -1) == json_i64(p, "forfeiture_id", -2) &&
                   cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(f, "approve")) ==
                       cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(p, "approve"));
        else if (!strcmp(action, "deposit.basic_account.request"))
            same = json_str(f, "account_no") && json_str(p, "account_no") &&
                   !strcmp(json_str(f, "account_no"), json_str(p, "account_no")) &&
                   json_i64(f, "org_id", -1) == json_i64(p, "org_id", -2);
        else if (!strcmp(action, "evaluation.act"))
            same = json_i64(f, "evaluation_id", -1) == json_i64(p, "evaluation_id", -2) &&
                   json_str(f, "kind") && json_str(p, "kind") &&
                   !strcmp(json_str(f, "kind"), json_str(p, "kind"));
        else if (!strcmp(action, "evaluation.representative"))
            same = json_i64(f, "booking_id", -1) == json_i64(p, "booking_id", -2) &&
                   json_i64(f, "representative_user_id", -1) ==
                       json_i64(p, "representative_user_id", -2);
        else if (!strncmp(action, "award.validity.", 15))
            same = json_i64(f, "project_id", -1) == json_i64(p, "project_id", -2) &&
                   json_i64(f, "until_us", -1) == json_i64(p, "until_us", -2) &&
                   (strcmp(action, "award.validity.answer") ||
                    cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(f, "agree")) ==
                        cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(p, "agree")));
        else if (!strcmp(action, "award.objection"))
            same = json_i64(f, "project_id", -1) == json_i64(p, "project_id", -2) &&
                   json_i64(f, "lot", -1) == json_i64(p, "lot", -2);
        else if (!strcmp(action, "award.objection.answer"))
            same = json_i64(f, "objection_id", -1) == json_i64(p, "objection_id", -2) &&
                   cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(f, "upheld")) ==
                       cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(p, "upheld"));
        else if (!strcmp(action, "award.decide") || !strcmp(action, "project.close"))
            same = json_i64(f, "project_id", -1) == json_i64(p, "project_id", -2);
        else if (!strncmp(action, "contract.", 9))
            same = json_i64(f, "project_id", -1) == json_i64(p, "project_id", -2) &&
                   json_i64(f, "lot", -1) == json_i64(p, "lot", -2) &&
                   json_i64(f, "price_fen", -1) == json_i64(p, "price_fen", -2);
        else if (!strncmp(action, "venue.", 6)) /* a sign-in, a witness entry, a recording */
            same = json_i64(f, "booking_id", -1) == json_i64(p, "booking_id", -2) &&
                   (strcmp(action, "venue.recording.register") ||
                    (json_str(f, "sha256") && json_str(p, "sha256") &&
                     !strcmp(json_str(f, "sha256"), json_str(p, "sha256")) &&
                     json_i64(f, "start_us", -1) == json_i64(p, "start_us", -2) &&
                     json_i64(f, "end_us", -1) == json_i64(p, "end_us", -2)));
        else
            same =
                json_i64(f, "lot", -1) == lot_number(p) &&
                (strcmp(action, "opening.share") || json_i64(f, "x", -1) == json_i64(p, "x", -2));
        if (!same)
            violate(rep, "INV-SIGNATURE", idx, "%s: the signed act is not the one recorded",
                    action);
    }
    cert_info_free(&info);
}

static void
check_custodians(struct inv_state *s, const char *action, const cJSON *p, int64_t idx, int64_t t,
                 struct inv_report *rep)
{
    if (strcmp(action, "opening_key.create"))
        return;
    struct tl_holder h[VSS_MAX];
    int n = 0;
    const cJSON *shares = cJSON_GetObjectItemCaseSensitive(p, "shares");
    for (const cJSON *it = cJSON_IsArray(shares) ? shares->child : NULL; it; it = it->next) {
        if (n == VSS_MAX) {
            violate(rep, "INV-CUSTODIANS", idx, "more than %d custodians", VSS_MAX);
            return;
        }
        enum side side = SIDE_NONE;
        struct cert_info info;
        char why[300];
        const char *bad =
            certified(s, cJSON_GetObjectItemCaseSensitive(it, "custodian"),
                      SIDE_BIT(SIDE_BIDDER) | SIDE_BIT(SIDE_AGENT) | SIDE_BIT(SIDE_TENDERER) |
                          SIDE_BIT(SIDE_SUPERVISION) | SIDE_BIT(SIDE_CENTER),
                      t, &side, &info, why, sizeof why);
        if (bad) {
            violate(rep, "INV-CUSTODIANS", idx, "custodian %d holds an uncertified key: %s", n + 1,
                    bad);
            cert_info_free(&info);
            return;
        }
        h[n].user = json_i64(it, "user_id", -1);
        h[n].side = (int)(side == SIDE_TENDERER ? SIDE_AGENT : side); /* the tendering side */
        snprintf(h[n].org, sizeof h[n].org, "%s", info.credit_code);
        cert_info_free(&info);
        n++;
    }
    char why[300];
    const char *rule =
        tl_custodians_problem(h, n, (int)json_i64(p, "threshold", 0), why, sizeof why);
    if (rule)
        violate(rep, "INV-CUSTODIANS", idx, "%s (%s)", why, rule);
}

/* ---- INV-ACTOR ---- */

/* Actions a system job records, no person acting (docs/audit.md); the scheduler's jobs add
 * theirs here. Every other entry a replay reads names the signed-in user who acted. */
static const char *const system_actions[] = {"trust.anchors",
                                             "venue.recording.missing",
                                             "draw.expire",
                                             "draw.reveal",
                                             "outbox.delivered",
                                             "outbox.retry",
                                             "outbox.failed",
                                             "deposit.refund.instruct",
                                             "deposit.refund.sent",
                                             "deposit.refund.warn",
                                             "deposit.refund.late",
                                             "award.deadline",
                                             NULL};
/* Acts of parties that are not people, each signed by its certified key (INV-SIGNATURE) and
 * recorded under that key: a room's recorder registering a recording ("device:<key id>"), the
 * center's bank notifying its account's movements ("bank:<key id>"), a guarantee's issuer
 * registering it ("issuer:<key id>"). None of them does anything else, and nobody else does
 * these. */
static const struct {
    const char *action, *role, *prefix;
} party_actions[] = {
    {"venue.recording.register", "device", "device:"},
    {"deposit.notice", "bank", "bank:"},
    {"deposit.guarantee.register", "issuer", "issuer:"},
    {"deposit.statement.import", "bank", "bank:"},
};
/* Acts a person's request makes, which one named job of the platform may also make: the opening
 * a custodian's share set running, resumed by the platform after a crash (bids.openings-resume). */
static const struct {
    const char *action, *job;
} resumable[] = {
    {"bid.decrypt", "system:opening-runner"},
    {"opening.complete", "system:opening-runner"},
};

static void
check_actor(const cJSON *entry, const char *action, int64_t idx, struct inv_report *rep)
{
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(entry, "actor");
    const char *role = json_str(a, "role");
    bool by_system = role && !strcmp(role, "system"), system_action = false;
    bool party_role = false, party_action = false, ok = false;
    for (size_t i = 0; i < sizeof party_actions / sizeof party_actions[0]; i++) {
        bool r_ = role && !strcmp(role, party_actions[i].role);
        bool a_ = !strcmp(action, party_actions[i].action);
        party_role = party_role || r_;
        party_action = party_action || a_;
        ok = ok || (r_ && a_ && json_str(a, "name") &&
                    !strncmp(json_str(a, "name"), party_actions[i].prefix,
                             strlen(party_actions[i].prefix)));
    }
    if (party_role || party_action) {
        if (!ok)
            violate(rep, "INV-ACTOR", idx,
                    "%s recorded by %s: a device, the bank or a guarantee's issuer records only "
                    "its own certified acts, and nobody else records them",
                    action, role ? role : "no actor");
        return;
    }
    for (size_t i = 0; system_actions[i]; i++)
        system_action = system_action || !strcmp(action, system_actions[i]);
    for (size_t i = 0; by_system && i < sizeof resumable / sizeof resumable[0]; i++)
        if (!strcmp(action, resumable[i].action) && json_str(a, "name") &&
            !strcmp(json_str(a, "name"), resumable[i].job))
            return; /* the platform resumed what a person's act had started */
    if (system_action && !by_system)
        violate(rep, "INV-ACTOR", idx, "%s recorded by %s, but only the platform itself records it",
                action, role ? role : "no actor");
    else if (!system_action &&
             (by_system || !role || !strcmp(role, "anonymous") || json_i64(a, "user_id", 0) <= 0))
        violate(rep, "INV-ACTOR", idx, "%s recorded without the signed-in user who did it (%s%s%s)",
                action, role ? role : "no actor", json_str(a, "name") ? " " : "",
                json_str(a, "name") ? json_str(a, "name") : "");
}

/* ---- the table ---- */

static const struct {
    const char *code, *description;
} table[] = {
    {"INV-STATE", "every project transition is in the state machine and starts where the last "
                  "one ended; a suspended project resumes where it left"},
    {"INV-STATE-OWNER", "each state is reached only by the action that owns it (bidding by the "
                        "tender's publication, opened by the opening, evaluating once every "
                        "lot's opening ended, …), never by hand"},
    {"INV-BID-DEADLINE", "no bid, replacement or withdrawal after the lot's bid deadline in force "
                         "at its time, or once its opening started"},
    {"INV-BID-OPENING", "no bid is decrypted before its lot's opening time"},
    {"INV-OPENING-EARLY", "no opening step (start, share, decryption) before the earliest "
                          "opening time ever announced for the lot"},
    {"INV-DEADLINE-PASSED", "no deadline, opening time or place is moved, and nothing affecting "
                            "the bids amended, after the deadline in force"},
    {"INV-DEADLINE-EARLIER", "a bid deadline only moves later"},
    {"INV-PERIOD", "every bidding period (R-BID-PERIOD, from the first day of the documents) and "
                   "amendment notice (R-AMEND-NOTICE) keeps the statute"},
    {"INV-AMEND-AFFECTS", "an amendment that moves the deadline or the opening place is "
                          "published as affecting the bids"},
    {"INV-SIGNATURE", "every bid, withdrawal, opening start and share hand-in is signed by a key "
                      "certified by an anchor of its side published before it, and the "
                      "signature verifies"},
    {"INV-CUSTODIANS", "every opening key's custodians are certified, independent (no side and no "
                       "organization holds the threshold) and include each of the three sides"},
    {"INV-ACTOR", "every act in a project's timeline names the signed-in user who did it; only "
                  "the platform's own jobs (the trust anchors) act as the system"},
    {"INV-ANNOUNCE-IMMUTABLE", "no published announcement is published again (changed); a "
                               "change is a new announcement that supersedes it"},
    {"INV-DRAW-SEED", "every committee draw reveals the secret it committed to before its pool, "
                      "logs the pool its hash names, and seeds from the secret, the pool, the "
                      "supervisor's value and the public value"},
    {"INV-DRAW-ORDER", "every invitation, skip and replacement of a draw is the next rank of its "
                       "group's order from the seed, within the group's count and reserves"},
    {"INV-DRAW-SIZE", "every committee asked for is odd, large enough for its category and "
                      "budget, and at least two thirds library experts"},
    {"INV-DRAW-STAFF", "every draw's pool is fixed only after at least two distinct center staff "
                       "(and as many as it required) cosigned its commitment"},
    {"INV-DRAW-MAP", "every member a draw reveals is the one its pseudonym was bound to when the "
                     "pool was fixed (the pseudonym is a hash of the draw, the member and a salt)"},
    {"INV-DRAW-AVOID", "(whole log) no member a draw reveals works for the project's tenderer, "
                       "agent or a bidder known when its pool was fixed, or had declared a "
                       "relation to one of them that still counted"},
    {"INV-VENUE-OVERLAP", "(whole log) no two live bookings of a room hold the same minute, "
                          "setup buffers included, however they were booked, moved or relocated"},
    {"INV-VENUE-OPENING", "(whole log) a tender names an approved opening room per lot booked from "
                          "the lot's opening time, and each opening starts in that room during "
                          "that booking"},
    {"INV-VENUE-RECORDING", "(whole log) every approved booking that ended a week before the log's "
                            "last entry has recordings covering it, or the monitor's warning"},
    {"INV-VENUE-ATTENDEE", "(whole log) a bidder signs in to an opening only while its "
                           "organization has a current bid for one of its lots, an expert to an "
                           "evaluation only as a confirmed, not replaced, member of its live "
                           "committee draw, a tenderer user only as a representative designated "
                           "for it"},
    {"INV-DEP-BALANCE", "every deposit entry's postings sum to zero: the ledger balances at every "
                        "index, no fen created or lost"},
    {"INV-DEP-REFUND", "no sub-account is debited beyond what was credited to it: no refund "
                       "exceeds the deposit; held money goes back only by center staff, whole, "
                       "once, to the payer the bank's signed notice names"},
    {"INV-DEP-BASIC", "no deposit is counted from another account than the bidder's registered "
                      "basic account where the law asks (实施条例 第二十六条), nor after the bid "
                      "deadline"},
    {"INV-DEP-LATE", "every refund paid after its due time is recorded late, and every refund "
                     "unpaid an hour past it was flagged late by the monitor"},
    {"INV-DEP-FORFEIT", "no deposit is forfeited but by a supervisor's approval of a proposal "
                        "with a 撤销-class ground the record bears out (a revocation the opening "
                        "classified, a winner refusing the contract or the bond)"},
    {"INV-EVAL-MEMBER", "every act of an evaluation is a member's of its committee, never of a "
                        "member the draw replaced before it (实施条例 第四十八条); a "
                        "representative's by that tenderer user, no expert's by a tenderer user; "
                        "under government procurement no representative chairs (财政部令第87号 "
                        "第四十五条)"},
    {"INV-EVAL-ORDER", "every act of an evaluation is of the step it is at: no score before every "
                       "member pledged, none after the report"},
    {"INV-EVAL-RESULT", "every drafted result follows from the logged scores and the declared "
                        "method (price scores, means half up, ranking), with at most three "
                        "candidates, the first ranked; a candidates' publicity publishes exactly "
                        "the candidates of signed reports"},
    {"INV-EVAL-AWARD", "the tenderer decides after the publicity ended, among the lot's "
                       "candidates, the first unless a recorded reason says otherwise "
                       "(实施条例 第五十五条)"},
    {"INV-EVAL-CONTRACT", "a contract signed more than 30 days after the award notice is "
                          "recorded late (招标投标法 第四十六条)"},
    {"INV-EVAL-OBJECTION", "no lot is decided or contracted while an objection to its result "
                           "awaits its answer; an answer after its due time is recorded late "
                           "(实施条例 第五十四条)"},
};

const char *
inv_code(size_t i)
{
    return i < sizeof table / sizeof table[0] ? table[i].code : NULL;
}

const char *
inv_description(size_t i)
{
    return i < sizeof table / sizeof table[0] ? table[i].description : NULL;
}

void
inv_feed(struct inv_state *s, const cJSON *entry, struct inv_report *rep)
{
    const char *action = json_str(entry, "action");
    const cJSON *p = cJSON_GetObjectItemCaseSensitive(entry, "payload");
    int64_t idx = json_i64(entry, "index", -1), t = json_i64(entry, "time_us", 0);
    if (!action)
        return;
    check_actor(entry, action, idx, rep);
    if (!strcmp(action, "trust.anchors")) {
        struct trust_set *ts = trust_set_from_json(cJSON_GetObjectItemCaseSensitive(p, "anchors"));
        if (ts) {
            trust_set_free(s->anchors);
            s->anchors = ts;
        } else
            violate(rep, "INV-SIGNATURE", idx, "the published trust anchors cannot be read");
        return;
    }
    check_state(s, action, p, idx, rep);
    check_signature(s, action, p, idx, t, rep);
    check_custodians(s, action, p, idx, t, rep);
    const char *role = json_str(cJSON_GetObjectItemCaseSensitive(entry, "actor"), "role");
    check_bids(s, action, p, idx, t, role && !strcmp(role, "system"), rep);
    check_announcements(s, action, p, idx, t, rep);
    dl_feed(s->draws, entry, rep);
    dep_feed(s->deposits, entry, rep);
    ev_feed(s->evaluations, entry, rep);
}
