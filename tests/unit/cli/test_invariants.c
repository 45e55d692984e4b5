/* Unit tests of the replay checker's invariants and the project state table, on synthetic
 * timelines (what the modules log, per docs/audit.md): each misuse an insider could attempt is
 * named, with its index, from the entries alone. Signed acts carry certificates made here from
 * CAs made here, published as the log's trust anchors. */
#include <stdlib.h>

#include <openssl/ec.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "canon.h"
#include "cert.h"
#include "check.h"
#include "crypto.h"
#include "invariants.h"
#include "project_states.h"
#include "sigsuite.h"

#define DAY (86400LL * 1000000)
#define T0  1772416800000000LL /* 2026-03-02 02:00Z */

static int64_t next_index;

/* Feed one entry by actor (JSON text; payload as JSON text or as an object); returns the
 * violations it added. */
static size_t
feed_as(struct inv_state *s, struct inv_report *rep, const char *actor, const char *action,
        long long t, cJSON *payload)
{
    cJSON *e = cJSON_CreateObject();
    cJSON_AddNumberToObject(e, "index", (double)next_index++);
    cJSON_AddNumberToObject(e, "time_us", (double)t);
    cJSON_AddStringToObject(e, "action", action);
    if (actor)
        cJSON_AddItemToObject(e, "actor", cJSON_Parse(actor));
    cJSON_AddItemToObject(e, "payload", payload ? payload : cJSON_CreateObject());
    size_t before = rep->n;
    inv_feed(s, e, rep);
    cJSON_Delete(e);
    return rep->n - before;
}

#define USER   "{\"org_id\":2,\"role\":\"agent\",\"user_id\":3}"
#define SYSTEM "{\"name\":\"system:trust-anchors\",\"role\":\"system\"}"

/* An entry as a signed-in user's (the platform's own for trust.anchors). */
static size_t
feed_obj(struct inv_state *s, struct inv_report *rep, const char *action, long long t,
         cJSON *payload)
{
    return feed_as(s, rep, strcmp(action, "trust.anchors") ? USER : SYSTEM, action, t, payload);
}

static size_t
feed(struct inv_state *s, struct inv_report *rep, const char *action, long long t,
     const char *payload)
{
    return feed_obj(s, rep, action, t, cJSON_Parse(payload));
}

/* How many violations of code rep holds. */
static size_t
count(const struct inv_report *rep, const char *code)
{
    size_t n = 0;
    for (size_t i = 0; i < rep->n; i++)
        n += !strcmp(rep->v[i].code, code);
    return n;
}

/* ---- certificates made here ---- */

static EVP_PKEY *
p256(void)
{
    return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
}

/* A certificate for key, issued by ca_key (self-signed when ca_cert is NULL); org names the
 * organization (serialNumber). DER, malloc'd. */
static uint8_t *
make_cert(EVP_PKEY *key, EVP_PKEY *ca_key, X509 *ca_cert, const char *cn, const char *org,
          X509 **out, size_t *len)
{
    X509 *x = X509_new();
    X509_NAME *n = X509_NAME_new();
    X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1, -1, 0);
    if (org)
        X509_NAME_add_entry_by_txt(n, "serialNumber", MBSTRING_UTF8, (const unsigned char *)org, -1,
                                   -1, 0);
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), (long)(next_index + 1000));
    X509_set_subject_name(x, n);
    X509_set_issuer_name(x, ca_cert ? X509_get_subject_name(ca_cert) : n);
    ASN1_TIME_set(X509_getm_notBefore(x), (time_t)(T0 / 1000000 - 400 * 86400));
    ASN1_TIME_set(X509_getm_notAfter(x), (time_t)(T0 / 1000000 + 800 * 86400));
    X509_set_pubkey(x, key);
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, ca_cert ? ca_cert : x, x, NULL, NULL, 0);
    X509_EXTENSION *bc = X509V3_EXT_conf_nid(NULL, &ctx, NID_basic_constraints,
                                             ca_cert ? "critical,CA:FALSE" : "critical,CA:TRUE");
    X509_EXTENSION *ku = X509V3_EXT_conf_nid(
        NULL, &ctx, NID_key_usage, ca_cert ? "critical,digitalSignature" : "critical,keyCertSign");
    X509_add_ext(x, bc, -1);
    X509_add_ext(x, ku, -1);
    X509_EXTENSION_free(bc);
    X509_EXTENSION_free(ku);
    X509_sign(x, ca_key, EVP_sha256());
    X509_NAME_free(n);
    unsigned char *der = NULL;
    int dl = i2d_X509(x, &der);
    uint8_t *copy = malloc((size_t)dl);
    memcpy(copy, der, (size_t)dl);
    OPENSSL_free(der);
    *len = (size_t)dl;
    if (out)
        *out = x;
    else
        X509_free(x);
    return copy;
}

struct party {
    EVP_PKEY *key;
    uint8_t *der;
    size_t len;
    char kid[65];
};

static struct {
    EVP_PKEY *key[SIDE__COUNT], *rogue;
    X509 *cert[SIDE__COUNT], *rogue_cert;
    uint8_t *der[SIDE__COUNT];
    size_t len[SIDE__COUNT];
} cas;

static void
make_cas(void)
{
    static const char *const names[] = {"bidder CA", "agent CA",  "supervision CA", "center CA",
                                        "device CA", "expert CA", "finance CA",     "tenderer CA"};
    for (int i = 0; i < SIDE__COUNT; i++) {
        cas.key[i] = p256();
        cas.der[i] =
            make_cert(cas.key[i], cas.key[i], NULL, names[i], NULL, &cas.cert[i], &cas.len[i]);
    }
    cas.rogue = p256();
    size_t l;
    free(
        make_cert(cas.rogue, cas.rogue, NULL, "a CA nobody configured", NULL, &cas.rogue_cert, &l));
}

static void
make_party(struct party *p, int side, const char *org, bool rogue)
{
    p->key = p256();
    p->der =
        make_cert(p->key, rogue ? cas.rogue : cas.key[side],
                  rogue ? cas.rogue_cert : cas.cert[side], "an organization", org, NULL, &p->len);
    unsigned char *spki = NULL;
    int n = i2d_PUBKEY(p->key, &spki);
    uint8_t h[32];
    crypto_sha256(spki, (size_t)n, h);
    hex_encode(h, 32, p->kid);
    OPENSSL_free(spki);
}

static void
free_party(struct party *p)
{
    EVP_PKEY_free(p->key);
    free(p->der);
}

static cJSON *
b64_item(const uint8_t *der, size_t len)
{
    char *b = malloc(4 * ((len + 2) / 3) + 1);
    b64_encode(der, len, b);
    cJSON *s = cJSON_CreateString(b);
    free(b);
    return s;
}

/* The trust.anchors payload publishing the CAs made here. */
static cJSON *
anchors_payload(void)
{
    static const char *const names[] = {"bidder", "agent",  "supervision", "center",
                                        "device", "expert", "finance",     "tenderer"};
    cJSON *p = cJSON_CreateObject(), *a = cJSON_AddObjectToObject(p, "anchors");
    cJSON *sides = cJSON_AddObjectToObject(a, "sides");
    for (int i = 0; i < SIDE__COUNT; i++) {
        cJSON *arr = cJSON_AddArrayToObject(sides, names[i]);
        cJSON_AddItemToArray(arr, b64_item(cas.der[i], cas.len[i]));
    }
    cJSON_AddArrayToObject(a, "crls");
    return p;
}

static cJSON *
signer_json(const struct party *p)
{
    cJSON *s = cJSON_CreateObject();
    cJSON_AddStringToObject(s, "key_id", p->kid);
    cJSON *arr = cJSON_AddArrayToObject(s, "certificate");
    cJSON_AddItemToArray(arr, b64_item(p->der, p->len));
    return s;
}

/* {"domain","fields","signature","signer"} as the modules log a signed act */
static cJSON *
signed_act(const struct party *p, const char *domain, cJSON *fields)
{
    size_t len = 0, dlen = 80;
    char *msg = sig_message(domain, fields, &len);
    uint8_t der[80], raw[64];
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, p->key);
    EVP_DigestSign(ctx, der, &dlen, (const uint8_t *)msg, len);
    EVP_MD_CTX_free(ctx);
    free(msg);
    const unsigned char *q = der;
    ECDSA_SIG *sig = d2i_ECDSA_SIG(NULL, &q, (long)dlen);
    BN_bn2binpad(ECDSA_SIG_get0_r(sig), raw, 32);
    BN_bn2binpad(ECDSA_SIG_get0_s(sig), raw + 32, 32);
    ECDSA_SIG_free(sig);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "domain", domain);
    cJSON_AddItemToObject(o, "fields", fields);
    char b[100];
    b64_encode(raw, 64, b);
    cJSON_AddStringToObject(o, "signature", b);
    cJSON_AddItemToObject(o, "signer", signer_json(p));
    return o;
}

/* a signed withdrawal of bid_id in lot "1" */
static cJSON *
withdrawal(const struct party *p, int64_t bid_id)
{
    cJSON *f = cJSON_CreateObject();
    cJSON_AddNumberToObject(f, "bid_id", (double)bid_id);
    cJSON *pl = cJSON_CreateObject();
    cJSON_AddStringToObject(pl, "lot", "1");
    cJSON_AddNumberToObject(pl, "bid_id", (double)bid_id);
    cJSON_AddItemToObject(pl, "signed", signed_act(p, "ggzy-bid-withdraw-v1", f));
    return pl;
}

/* a signed opening step of lot "1" */
static cJSON *
opening_step(const struct party *p, const char *domain, int x)
{
    cJSON *f = cJSON_CreateObject();
    cJSON_AddNumberToObject(f, "lot", 1);
    if (x)
        cJSON_AddNumberToObject(f, "x", x);
    cJSON *pl = cJSON_CreateObject();
    cJSON_AddStringToObject(pl, "lot", "1");
    if (x)
        cJSON_AddNumberToObject(pl, "x", x);
    cJSON_AddItemToObject(pl, "signed", signed_act(p, domain, f));
    return pl;
}

/* A tender announcement of an engineering project that the law requires to be tendered,
 * documents from docs, deadline and opening at deadline. */
static void
publish_tender(struct inv_state *s, struct inv_report *rep, int64_t t, int64_t docs,
               int64_t deadline)
{
    char p[700];
    snprintf(p, sizeof p,
             "{\"announcement_id\":%lld,\"type\":\"tender\",\"content_sha256\":\"aa\","
             "\"category\":\"engineering\",\"legally_required\":true,\"tender_method\":true,"
             "\"affects_bids\":false,\"docs_from_us\":%lld,\"transition\":{\"from\":\"accepted\","
             "\"to\":\"bidding\"},\"deadlines\":[{\"lot\":\"1\",\"bid_deadline_us\":%lld,"
             "\"opening_us\":%lld}]}",
             (long long)next_index, (long long)docs, (long long)deadline, (long long)deadline);
    feed(s, rep, "announce.publish", t, p);
}

static void
amend(struct inv_state *s, struct inv_report *rep, int64_t t, int64_t deadline, bool affects)
{
    char p[600];
    if (deadline)
        snprintf(p, sizeof p,
                 "{\"announcement_id\":%lld,\"type\":\"amendment\",\"content_sha256\":\"bb\","
                 "\"supersedes\":1,\"affects_bids\":%s,\"deadlines\":[{\"lot\":\"1\","
                 "\"bid_deadline_us\":%lld,\"opening_us\":%lld}]}",
                 (long long)next_index, affects ? "true" : "false", (long long)deadline,
                 (long long)deadline);
    else
        snprintf(p, sizeof p,
                 "{\"announcement_id\":%lld,\"type\":\"amendment\",\"content_sha256\":\"bb\","
                 "\"supersedes\":1,\"affects_bids\":%s}",
                 (long long)next_index, affects ? "true" : "false");
    feed(s, rep, "announce.publish", t, p);
}

/* A project up to bidding: submitted, accepted (people), and its tender published. */
static struct inv_state *
bidding_project(struct inv_report *rep, int64_t deadline)
{
    struct inv_state *s = inv_new();
    feed_obj(s, rep, "trust.anchors", T0 - DAY, anchors_payload());
    feed(s, rep, "project.transition", T0, "{\"from\":\"draft\",\"to\":\"submitted\"}");
    feed(s, rep, "project.transition", T0, "{\"from\":\"submitted\",\"to\":\"accepted\"}");
    publish_tender(s, rep, T0, T0, deadline);
    return s;
}

/* ---- the tests ---- */

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
    struct inv_report rep = {0};
    int64_t deadline = T0 + 21 * DAY;
    struct inv_state *s = bidding_project(&rep, deadline);
    struct party b, agent, sup, center;
    make_party(&b, SIDE_BIDDER, "91110000MA0000001A", false);
    make_party(&agent, SIDE_AGENT, "91110000MA0000002B", false);
    make_party(&sup, SIDE_SUPERVISION, "11110000MB0000003C", false);
    make_party(&center, SIDE_CENTER, "12110000MB0000004D", false);
    /* an amendment 16 days ahead moves the deadline later, as affecting the bids */
    amend(s, &rep, T0 + 5 * DAY, T0 + 22 * DAY, true);
    deadline = T0 + 22 * DAY;
    feed_obj(s, &rep, "bid.withdraw", deadline, withdrawal(&b, 7)); /* at the deadline: in time */
    feed_obj(s, &rep, "opening.start", deadline, opening_step(&agent, "ggzy-opening-start-v1", 0));
    feed_obj(s, &rep, "opening.share", deadline + 1, opening_step(&sup, "ggzy-share-handin-v1", 2));
    feed(s, &rep, "bid.decrypt", deadline + 2, "{\"lot\":\"1\"}");
    feed(s, &rep, "opening.complete", deadline + 3,
         "{\"lot\":\"1\",\"transition\":{\"from\":\"bidding\",\"to\":\"opened\"}}");
    feed(s, &rep, "project.transition", deadline + 4,
         "{\"from\":\"opened\",\"to\":\"evaluating\"}");
    for (size_t i = 0; i < rep.n; i++)
        fprintf(stderr, "unexpected: %s at %lld: %s\n", rep.v[i].code, (long long)rep.v[i].index,
                rep.v[i].message);
    CHECK(rep.n == 0);
    free_party(&b);
    free_party(&agent);
    free_party(&sup);
    free_party(&center);
    inv_report_free(&rep);
    inv_free(s);
}

static void
reopening_bidding_after_the_deadline_is_named(void)
{
    /* the first attack: a minute after the deadline, a new deadline 16 days out; a late
     * bid; a withdrawal after the deadline */
    struct inv_report rep = {0};
    int64_t deadline = T0 + 21 * DAY;
    struct inv_state *s = bidding_project(&rep, deadline);
    struct party b;
    make_party(&b, SIDE_BIDDER, "91110000MA0000001A", false);
    size_t idx = (size_t)next_index;
    amend(s, &rep, deadline + 60 * 1000000LL, deadline + 16 * DAY, true);
    CHECK(count(&rep, "INV-DEADLINE-PASSED") == 1);
    CHECK(rep.n && rep.v[0].index == (int64_t)idx);
    feed_obj(s, &rep, "bid.withdraw", deadline + 61 * 1000000LL, withdrawal(&b, 7));
    CHECK(count(&rep, "INV-BID-DEADLINE") == 0); /* the deadline in force had moved… */
    /* …but once the opening started, no bid or withdrawal counts, whatever the deadline says */
    feed(s, &rep, "opening.start", deadline + 17 * DAY, "{\"lot\":\"1\"}");
    feed_obj(s, &rep, "bid.withdraw", deadline + 17 * DAY, withdrawal(&b, 8));
    CHECK(count(&rep, "INV-BID-DEADLINE") == 1);
    free_party(&b);
    inv_report_free(&rep);
    inv_free(s);
}

static void
a_late_bid_and_an_early_opening_are_named(void)
{
    struct inv_report rep = {0};
    int64_t deadline = T0 + 21 * DAY;
    struct inv_state *s = bidding_project(&rep, deadline);
    struct party b;
    make_party(&b, SIDE_BIDDER, "91110000MA0000001A", false);
    feed_obj(s, &rep, "bid.withdraw", deadline + 1, withdrawal(&b, 7));
    CHECK(count(&rep, "INV-BID-DEADLINE") == 1);
    feed(s, &rep, "bid.receive", 50, "{\"lot\":\"B\"}"); /* no deadline at all for B */
    CHECK(count(&rep, "INV-BID-DEADLINE") == 2);
    feed(s, &rep, "opening.start", deadline - 1, "{\"lot\":\"1\"}");
    feed(s, &rep, "bid.decrypt", deadline - 1, "{\"lot\":\"1\"}");
    CHECK(count(&rep, "INV-OPENING-EARLY") == 2);
    CHECK(count(&rep, "INV-BID-OPENING") == 1);
    free_party(&b);
    inv_report_free(&rep);
    inv_free(s);
}

static void
shortening_moving_earlier_and_hiding_a_date_change_are_named(void)
{
    struct inv_report rep = {0};
    int64_t deadline = T0 + 21 * DAY;
    struct inv_state *s = bidding_project(&rep, deadline);
    /* the second attack: deadline and opening moved from +21 days to +1 hour, "not
     * affecting the bids" */
    amend(s, &rep, T0 + DAY, T0 + DAY + 3600 * 1000000LL, false);
    CHECK(count(&rep, "INV-DEADLINE-EARLIER") == 1);
    CHECK(count(&rep, "INV-AMEND-AFFECTS") == 1);
    CHECK(count(&rep, "INV-PERIOD") >= 1); /* R-BID-PERIOD and R-AMEND-NOTICE */
    inv_report_free(&rep);
    inv_free(s);
    /* a tender whose bidding period is 19 days */
    struct inv_report r2 = {0};
    struct inv_state *s2 = bidding_project(&r2, T0 + 19 * DAY);
    CHECK(count(&r2, "INV-PERIOD") == 1);
    CHECK(strstr(r2.v[0].message, "R-BID-PERIOD") != NULL);
    /* an amendment affecting the bids 14 days before the deadline, deadline unmoved */
    amend(s2, &r2, T0 + 5 * DAY, 0, true);
    CHECK(count(&r2, "INV-PERIOD") == 2);
    inv_report_free(&r2);
    inv_free(s2);
}

static void
an_amendment_publishing_a_documents_period_against_the_statute_is_named(void)
{
    /* the case: an amendment states documents from five days before the deadline —
     * it changes nothing in force, but the notice the platform signs contradicts R-BID-PERIOD */
    struct inv_report rep = {0};
    int64_t deadline = T0 + 21 * DAY;
    struct inv_state *s = bidding_project(&rep, deadline);
    CHECK(count(&rep, "INV-PERIOD") == 0);
    char p[400];
    snprintf(
        p, sizeof p,
        "{\"announcement_id\":9,\"type\":\"amendment\",\"content_sha256\":\"cc\","
        "\"supersedes\":1,\"affects_bids\":false,\"docs_from_us\":%lld,\"docs_until_us\":%lld}",
        (long long)(deadline - 5 * DAY), (long long)(deadline - 4 * DAY));
    feed(s, &rep, "announce.publish", T0 + 2 * DAY, p);
    CHECK(count(&rep, "INV-PERIOD") == 2); /* R-BID-PERIOD (5 days) and R-DOC-SALE (1 day) */
    inv_report_free(&rep);
    inv_free(s);
}

static void
states_reached_other_than_by_their_owning_action_are_named(void)
{
    struct inv_report rep = {0};
    struct inv_state *s = inv_new();
    feed(s, &rep, "project.transition", T0, "{\"from\":\"draft\",\"to\":\"submitted\"}");
    feed(s, &rep, "project.transition", T0, "{\"from\":\"submitted\",\"to\":\"accepted\"}");
    CHECK(rep.n == 0);
    /* the third attack: by hand to bidding, opened, evaluating */
    feed(s, &rep, "project.transition", T0, "{\"from\":\"accepted\",\"to\":\"bidding\"}");
    feed(s, &rep, "project.transition", T0, "{\"from\":\"bidding\",\"to\":\"opened\"}");
    feed(s, &rep, "project.transition", T0, "{\"from\":\"opened\",\"to\":\"evaluating\"}");
    CHECK(count(&rep, "INV-STATE-OWNER") == 3);
    CHECK(rep.v[0].index == next_index - 3);
    /* a candidates announcement, which no evaluation result produced */
    feed(s, &rep, "announce.publish", T0,
         "{\"announcement_id\":3,\"type\":\"candidates\",\"content_sha256\":\"cc\","
         "\"transition\":{\"from\":\"evaluating\",\"to\":\"candidates_published\"}}");
    CHECK(count(&rep, "INV-STATE-OWNER") == 3);
    CHECK(count(&rep, "INV-EVAL-RESULT") == 1);
    CHECK(count(&rep, "INV-STATE") == 0);
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
    struct inv_report rep = {0};
    struct inv_state *s = bidding_project(&rep, T0 + 21 * DAY);
    feed(s, &rep, "project.transition", T0 + DAY, "{\"from\":\"bidding\",\"to\":\"suspended\"}");
    CHECK(rep.n == 0);
    CHECK(feed(s, &rep, "project.transition", T0 + DAY,
               "{\"from\":\"suspended\",\"to\":\"evaluating\"}") == 1);
    inv_report_free(&rep);
    inv_free(s);
}

static void
unsigned_and_uncertified_acts_are_named(void)
{
    struct inv_report rep = {0};
    int64_t deadline = T0 + 21 * DAY;
    struct inv_state *s = bidding_project(&rep, deadline);
    struct party rogue, wrong_side, b;
    make_party(&rogue, SIDE_BIDDER, "91110000MA0000001A", true);       /* a CA nobody published */
    make_party(&wrong_side, SIDE_CENTER, "12110000MB0000004D", false); /* a center key */
    make_party(&b, SIDE_BIDDER, "91110000MA0000001A", false);
    feed(s, &rep, "bid.withdraw", T0 + DAY, "{\"lot\":\"1\",\"bid_id\":1}"); /* not signed */
    feed_obj(s, &rep, "bid.withdraw", T0 + DAY, withdrawal(&rogue, 2));
    feed_obj(s, &rep, "bid.withdraw", T0 + DAY, withdrawal(&wrong_side, 3));
    CHECK(count(&rep, "INV-SIGNATURE") == 3);
    /* a genuine signature over another bid than the one the entry records */
    cJSON *pl = withdrawal(&b, 4);
    cJSON_ReplaceItemInObject(pl, "bid_id", cJSON_CreateNumber(5));
    feed_obj(s, &rep, "bid.withdraw", T0 + DAY, pl);
    CHECK(count(&rep, "INV-SIGNATURE") == 4);
    /* and before any anchors were published, nothing is certified */
    struct inv_state *bare = inv_new();
    struct inv_report r2 = {0};
    feed_obj(bare, &r2, "bid.withdraw", T0, withdrawal(&b, 6));
    CHECK(count(&r2, "INV-SIGNATURE") == 1);
    CHECK(strstr(r2.v[0].message, "no trust anchors") != NULL);
    free_party(&rogue);
    free_party(&wrong_side);
    free_party(&b);
    inv_report_free(&rep);
    inv_report_free(&r2);
    inv_free(s);
    inv_free(bare);
}

static cJSON *
opening_key(const struct party *const *c, int n, int k)
{
    cJSON *p = cJSON_CreateObject();
    cJSON_AddNumberToObject(p, "threshold", k);
    cJSON *sh = cJSON_AddArrayToObject(p, "shares");
    for (int i = 0; i < n; i++) {
        cJSON *e = cJSON_CreateObject();
        cJSON_AddNumberToObject(e, "x", i + 1);
        cJSON_AddNumberToObject(e, "user_id", 100 + i);
        cJSON_AddItemToObject(e, "custodian", signer_json(c[i]));
        cJSON_AddItemToArray(sh, e);
    }
    return p;
}

static void
a_custodian_set_one_party_controls_is_named(void)
{
    struct inv_report rep = {0};
    struct inv_state *s = bidding_project(&rep, T0 + 21 * DAY);
    struct party agent, sup, center, center_as_sup;
    make_party(&agent, SIDE_AGENT, "91110000MA0000002B", false);
    make_party(&sup, SIDE_SUPERVISION, "11110000MB0000003C", false);
    make_party(&center, SIDE_CENTER, "12110000MB0000004D", false);
    /* the fourth attack: a "supervision body" certified under the center's own code */
    make_party(&center_as_sup, SIDE_SUPERVISION, "12110000MB0000004D", false);
    const struct party *good[] = {&agent, &sup, &center},
                       *bad[] = {&agent, &center_as_sup, &center};
    feed_obj(s, &rep, "opening_key.create", T0, opening_key(good, 3, 2));
    CHECK(rep.n == 0);
    feed_obj(s, &rep, "opening_key.create", T0, opening_key(bad, 3, 2));
    CHECK(count(&rep, "INV-CUSTODIANS") == 1);
    CHECK(strstr(rep.v[0].message, "one organization") != NULL);
    free_party(&agent);
    free_party(&sup);
    free_party(&center);
    free_party(&center_as_sup);
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
acts_without_their_user_and_system_claims_on_user_acts_are_named(void)
{
    struct inv_report rep = {0};
    struct inv_state *s = inv_new();
    const char *doc = "{\"document_id\":1}";
    CHECK(feed_as(s, &rep, USER, "project.document_add", T0, cJSON_Parse(doc)) == 0);
    CHECK(feed_as(s, &rep, SYSTEM, "project.document_add", T0, cJSON_Parse(doc)) == 1);
    CHECK(feed_as(s, &rep, "{\"role\":\"anonymous\"}", "project.document_add", T0,
                  cJSON_Parse(doc)) == 1);
    CHECK(feed_as(s, &rep, "{\"role\":\"agent\"}", "project.document_add", T0, cJSON_Parse(doc)) ==
          1);
    CHECK(feed_as(s, &rep, NULL, "project.document_add", T0, cJSON_Parse(doc)) == 1);
    CHECK(feed_as(s, &rep, USER, "trust.anchors", T0, anchors_payload()) == 1);
    CHECK(count(&rep, "INV-ACTOR") == 5);
    CHECK(strstr(rep.v[0].message, "system:trust-anchors") != NULL);
    inv_report_free(&rep);
    inv_free(s);
}

static void
only_the_opening_runner_may_decrypt_for_the_platform(void)
{
    /* the platform resumes an opening a crash interrupted (bids.openings-resume): its decryption
     * steps are its own, under that job's name and no other */
    struct inv_report rep = {0};
    struct inv_state *s = inv_new();
    const char *runner = "{\"name\":\"system:opening-runner\",\"role\":\"system\"}";
    feed_as(s, &rep, runner, "bid.decrypt", T0, cJSON_Parse("{\"lot\":\"1\",\"bids\":[]}"));
    feed_as(s, &rep, USER, "bid.decrypt", T0, cJSON_Parse("{\"lot\":\"1\",\"bids\":[]}"));
    CHECK(count(&rep, "INV-ACTOR") == 0);
    feed_as(s, &rep, SYSTEM, "bid.decrypt", T0, cJSON_Parse("{\"lot\":\"1\",\"bids\":[]}"));
    feed_as(s, &rep, runner, "project.document_add", T0, cJSON_Parse("{\"document_id\":1}"));
    CHECK(count(&rep, "INV-ACTOR") == 2);
    inv_report_free(&rep);
    inv_free(s);
}

static void
the_platform_decrypts_only_an_opening_that_is_running(void)
{
    /* a row claiming the runner, queued for a lot whose opening never started, is named */
    struct inv_report rep = {0};
    struct inv_state *s = inv_new();
    const char *runner = "{\"name\":\"system:opening-runner\",\"role\":\"system\"}";
    char set[160];
    snprintf(set, sizeof set, "{\"lot\":\"1\",\"bid_deadline_us\":%lld,\"opening_us\":%lld}",
             (long long)(T0 - 1000), (long long)(T0 - 1000));
    feed_as(s, &rep, USER, "lot.deadline_set", T0 - 2000, cJSON_Parse(set));
    feed_as(s, &rep, runner, "bid.decrypt", T0, cJSON_Parse("{\"lot\":\"1\",\"bids\":[]}"));
    CHECK(count(&rep, "INV-BID-OPENING") == 1);
    feed_as(s, &rep, USER, "opening.start", T0, cJSON_Parse("{\"lot\":\"1\"}"));
    feed_as(s, &rep, runner, "bid.decrypt", T0, cJSON_Parse("{\"lot\":\"1\",\"bids\":[]}"));
    feed_as(s, &rep, runner, "opening.complete", T0, cJSON_Parse("{\"lot\":\"1\"}"));
    CHECK(count(&rep, "INV-BID-OPENING") == 1); /* resuming a running opening is no misuse */
    feed_as(s, &rep, runner, "bid.decrypt", T0, cJSON_Parse("{\"lot\":\"1\",\"bids\":[]}"));
    CHECK(count(&rep, "INV-BID-OPENING") == 2); /* nor after it ended */
    inv_report_free(&rep);
    inv_free(s);
}

/* One entry for the deposit ledger, as the modules log it. */
static void
dfeed(struct deposit_ledger *d, struct inv_report *rep, int64_t idx, int64_t t, const char *action,
      int64_t oid, const char *payload)
{
    char text[4096];
    snprintf(text, sizeof text,
             "{\"index\":%lld,\"time_us\":%lld,\"action\":\"%s\",\"project_id\":7,"
             "\"object\":{\"type\":\"x\",\"id\":%lld},\"payload\":%s}",
             (long long)idx, (long long)t, action, (long long)oid, payload);
    cJSON *e = cJSON_Parse(text);
    CHECK(e != NULL);
    dep_feed(d, e, rep);
    cJSON_Delete(e);
}

#define ARRIVAL(payer, basic, value, fen)                                                          \
    "{\"outcome\":\"credited\",\"subaccount_id\":5,\"org_id\":9,\"category\":0,"                   \
    "\"deadline_us\":1000,\"basic_account\":\"" basic "\",\"signed\":{\"fields\":{"                \
    "\"payer_account\":\"" payer "\",\"value_us\":" value "}},\"postings\":[{\"account\":"         \
    "\"bank\",\"fen\":" fen "},{\"account\":\"sub\",\"ref\":5,\"fen\":-" fen "}]}"

static void
the_deposit_ledger_names_unbalanced_entries_excess_refunds_non_basic_deposits_and_late_refunds(void)
{
    struct deposit_ledger *d = dep_new();
    struct inv_report rep = {0};
    dfeed(d, &rep, 1, 10, "deposit.basic_account.decide", 1,
          "{\"org_id\":9,\"account_no\":\"6222001\",\"decision\":\"approved\"}");
    dfeed(d, &rep, 2, 20, "deposit.notice", 2, ARRIVAL("6222001", "6222001", "900", "500"));
    CHECK(rep.n == 0);
    /* from another account than the approved one, whatever the payload claims */
    dfeed(d, &rep, 3, 30, "deposit.notice", 3, ARRIVAL("6222999", "6222999", "900", "500"));
    CHECK(count(&rep, "INV-DEP-BASIC") == 1);
    /* after the deadline */
    dfeed(d, &rep, 4, 40, "deposit.notice", 4, ARRIVAL("6222001", "6222001", "1001", "500"));
    CHECK(count(&rep, "INV-DEP-BASIC") == 2);
    /* postings that do not balance */
    dfeed(d, &rep, 5, 50, "deposit.notice", 5,
          "{\"outcome\":\"held\",\"postings\":[{\"account\":\"bank\",\"fen\":10},"
          "{\"account\":\"held\",\"fen\":-9}]}");
    CHECK(count(&rep, "INV-DEP-BALANCE") == 1);
    /* a refund of more than the sub-account holds (1500 credited) */
    dfeed(d, &rep, 6, 60, "deposit.refund.instruct", 40,
          "{\"instruction\":{\"instruction\":{\"due_us\":100}},\"postings\":[{\"account\":\"sub\","
          "\"ref\":5,\"fen\":1600},{\"account\":\"refunds_payable\",\"fen\":-1600}]}");
    CHECK(count(&rep, "INV-DEP-REFUND") == 1);
    CHECK(count(&rep, "INV-DEP-BALANCE") == 1);
    /* paid after its due time without saying so */
    dfeed(d, &rep, 7, 70, "deposit.notice", 7,
          "{\"outcome\":\"confirmed\",\"refund_id\":40,\"late\":false,\"signed\":{\"fields\":"
          "{\"value_us\":101}},\"postings\":[{\"account\":\"refunds_payable\",\"fen\":1600},"
          "{\"account\":\"bank\",\"fen\":-1600}]}");
    CHECK(count(&rep, "INV-DEP-LATE") == 1);
    /* unpaid an hour past its due, never flagged; a flagged one is no violation */
    dfeed(d, &rep, 8, 80, "deposit.refund.instruct", 41,
          "{\"instruction\":{\"instruction\":{\"due_us\":100}},\"postings\":[]}");
    CHECK(count(&rep, "INV-DEP-BALANCE") == 2); /* no postings at all */
    dfeed(d, &rep, 9, 90, "deposit.refund.instruct", 42,
          "{\"instruction\":{\"instruction\":{\"due_us\":100}},\"postings\":[{\"account\":\"sub\","
          "\"ref\":6,\"fen\":0},{\"account\":\"refunds_payable\",\"fen\":0}]}");
    dfeed(d, &rep, 10, 100 + 3600000000LL + 1, "deposit.refund.late", 42, "{}");
    dep_finish(d, &rep);
    CHECK(count(&rep, "INV-DEP-LATE") == 2);
    /* forfeiture: only a supervisor's approval of a grounded proposal moves money there */
    const char *to_forfeited = "\"postings\":[{\"account\":\"sub\",\"ref\":9,\"fen\":5},"
                               "{\"account\":\"forfeited\",\"fen\":-5}]";
    char pl[600];
    snprintf(pl, sizeof pl, "{\"forfeiture_id\":1,\"approve\":true,%s}", to_forfeited);
    dfeed(d, &rep, 11, 110, "deposit.forfeit.decide", 1, pl); /* no proposal */
    CHECK(count(&rep, "INV-DEP-FORFEIT") == 2);               /* …and the posting */
    dfeed(d, &rep, 12, 120, "deposit.forfeit.propose", 2,
          "{\"forfeiture_id\":2,\"org_id\":9,\"ground\":\"revocation\",\"evidence\":"
          "{\"open_class\":\"withdrawal\"}}");
    snprintf(pl, sizeof pl, "{\"forfeiture_id\":2,\"approve\":true,%s}", to_forfeited);
    dfeed(d, &rep, 13, 130, "deposit.forfeit.decide", 2, pl); /* 撤回 never forfeits */
    CHECK(count(&rep, "INV-DEP-FORFEIT") == 4);
    dfeed(d, &rep, 14, 140, "deposit.forfeit.propose", 3,
          "{\"forfeiture_id\":3,\"org_id\":9,\"ground\":\"refused_contract\",\"evidence\":"
          "{\"open_class\":\"\",\"award_winner\":9,\"contract_signed\":false}}");
    dfeed(d, &rep, 15, 145, "deposit.notice", 4,
          "{\"outcome\":\"held\",\"postings\":[{\"account\":\"bank\",\"fen\":5},"
          "{\"account\":\"sub\",\"ref\":11,\"fen\":-5}]}");
    snprintf(pl, sizeof pl,
             "{\"forfeiture_id\":3,\"approve\":true,\"postings\":[{\"account\":\"sub\","
             "\"ref\":11,\"fen\":5},{\"account\":\"forfeited\",\"fen\":-5}]}");
    size_t before = rep.n;
    char text[1200];
    snprintf(text, sizeof text,
             "{\"index\":16,\"time_us\":150,\"action\":\"deposit.forfeit.decide\",\"actor\":"
             "{\"role\":\"supervisor\",\"user_id\":4},\"object\":{\"id\":3},\"payload\":%s}",
             pl);
    cJSON *e = cJSON_Parse(text);
    dep_feed(d, e, &rep);
    cJSON_Delete(e);
    CHECK(rep.n == before); /* grounded, approved by a supervisor */
    inv_report_free(&rep);
    dep_free(d);
}

/* One entry of the deposit ledger with its actor's role. */
static void
dfeed_as(struct deposit_ledger *d, struct inv_report *rep, int64_t idx, const char *role,
         const char *action, int64_t oid, const char *payload)
{
    char text[4096];
    snprintf(text, sizeof text,
             "{\"index\":%lld,\"time_us\":%lld,\"action\":\"%s\",\"actor\":{\"role\":\"%s\","
             "\"user_id\":3},\"object\":{\"type\":\"refund\",\"id\":%lld},\"payload\":%s}",
             (long long)idx, (long long)idx * 10, action, role, (long long)oid, payload);
    cJSON *e = cJSON_Parse(text);
    CHECK(e != NULL);
    dep_feed(d, e, rep);
    cJSON_Delete(e);
}

#define RETURN(txn, fen, to)                                                                       \
    "{\"bank_txn\":\"" txn "\",\"instruction\":{\"instruction\":{\"due_us\":1000000,"              \
    "\"principal_fen\":" fen ",\"amount_fen\":" fen ",\"to_account\":\"" to "\"}},"                \
    "\"postings\":[{\"account\":\"held\",\"fen\":" fen "},{\"account\":"                           \
    "\"refunds_payable\",\"fen\":-" fen "}]}"

static void
held_money_goes_back_only_whole_once_by_staff_and_to_its_payer(void)
{
    struct deposit_ledger *d = dep_new();
    struct inv_report rep = {0};
    dfeed_as(d, &rep, 1, "bank", "deposit.notice", 1,
             "{\"outcome\":\"held\",\"signed\":{\"fields\":{\"bank_txn\":\"T1\","
             "\"amount_fen\":300,\"payer_account\":\"6222005\"}},\"postings\":[{\"account\":"
             "\"bank\",\"fen\":300},{\"account\":\"held\",\"fen\":-300}]}");
    /* only the statement showed T2: held by its import */
    dfeed_as(d, &rep, 2, "bank", "deposit.statement.import", 1,
             "{\"differences\":[{\"bank_txn\":\"T2\",\"issue\":\"unmatched_held\"}],"
             "\"signed\":{\"fields\":{\"lines\":[{\"bank_txn\":\"T2\",\"amount_fen\":70,"
             "\"payer_account\":\"6222006\"}]}},\"postings\":[{\"account\":\"bank\",\"fen\":70},"
             "{\"account\":\"held\",\"fen\":-70}]}");
    CHECK(rep.n == 0);
    dfeed_as(d, &rep, 3, "center_admin", "deposit.return.instruct", 10,
             RETURN("T1", "300", "6222005"));
    dfeed_as(d, &rep, 4, "center_admin", "deposit.return.instruct", 11,
             RETURN("T2", "70", "6222006"));
    CHECK(rep.n == 0);
    /* again while under way; a payment never held; another amount; elsewhere; not by staff */
    dfeed_as(d, &rep, 5, "center_admin", "deposit.return.instruct", 12,
             RETURN("T1", "300", "6222005"));
    dfeed_as(d, &rep, 6, "center_admin", "deposit.return.instruct", 13,
             RETURN("T9", "300", "6222005"));
    CHECK(count(&rep, "INV-DEP-REFUND") == 2);
    dfeed_as(d, &rep, 7, "bank", "deposit.notice", 8,
             "{\"outcome\":\"failed\",\"refund_id\":10,\"postings\":[{\"account\":"
             "\"refunds_payable\",\"fen\":300},{\"account\":\"held\",\"fen\":-300}]}");
    dfeed_as(d, &rep, 8, "center_admin", "deposit.return.instruct", 14,
             RETURN("T1", "301", "6222005"));
    dfeed_as(d, &rep, 9, "center_admin", "deposit.return.instruct", 15,
             RETURN("T1", "300", "6222777"));
    dfeed_as(d, &rep, 10, "supervisor", "deposit.return.instruct", 16,
             RETURN("T1", "300", "6222005"));
    CHECK(count(&rep, "INV-DEP-REFUND") == 5);
    /* held again after the failure: returned again, paid, and never a third time */
    dfeed_as(d, &rep, 11, "center_admin", "deposit.return.instruct", 17,
             RETURN("T1", "300", "6222005"));
    CHECK(count(&rep, "INV-DEP-REFUND") == 5);
    dfeed_as(d, &rep, 12, "bank", "deposit.notice", 9,
             "{\"outcome\":\"confirmed\",\"refund_id\":17,\"late\":false,\"signed\":{\"fields\":"
             "{\"value_us\":5}},\"postings\":[{\"account\":\"refunds_payable\",\"fen\":300},"
             "{\"account\":\"bank\",\"fen\":-300}]}");
    dfeed_as(d, &rep, 13, "center_admin", "deposit.return.instruct", 18,
             RETURN("T1", "300", "6222005"));
    CHECK(count(&rep, "INV-DEP-REFUND") == 6);
    CHECK(count(&rep, "INV-DEP-BALANCE") == 0);
    inv_report_free(&rep);
    dep_free(d);
}

static void
every_invariant_is_listed_with_a_description(void)
{
    size_t n = 0;
    for (; inv_code(n); n++)
        CHECK(inv_description(n) && strlen(inv_description(n)) > 10);
    CHECK(n == 34);
}

/* One entry for the venue ledger: {"index", "time_us", "action", "project_id", "object",
 * "payload"}. */
static void
vfeed(struct venue_ledger *v, struct inv_report *rep, int64_t idx, int64_t t, const char *action,
      int64_t project, int64_t oid, const char *payload)
{
    char text[2048];
    snprintf(text, sizeof text,
             "{\"index\":%lld,\"time_us\":%lld,\"action\":\"%s\",\"project_id\":%lld,"
             "\"object\":{\"type\":\"x\",\"id\":%lld},\"payload\":%s}",
             (long long)idx, (long long)t, action, (long long)project, (long long)oid, payload);
    cJSON *e = cJSON_Parse(text);
    CHECK(e != NULL);
    vl_feed(v, e, rep);
    cJSON_Delete(e);
}

static void
the_venue_ledger_names_overlaps_misplaced_openings_and_unrecorded_sessions(void)
{
    const int64_t H = INT64_C(3600000000), T = INT64_C(1800000000000000);
    struct venue_ledger *v = vl_new();
    struct inv_report rep = {0};
    char p[600];
    /* project 7's opening of lot 1 in room 1, 10:00-12:00 with a 30-minute buffer, approved */
    snprintf(p, sizeof p,
             "{\"room_id\":1,\"purpose\":\"opening\",\"start_us\":%lld,\"end_us\":%lld,"
             "\"buffer_us\":%lld,\"state\":\"requested\"}",
             (long long)(T + 10 * H), (long long)(T + 12 * H), (long long)(H / 2));
    vfeed(v, &rep, 1, T, "venue.booking.request", 7, 100, p);
    vfeed(v, &rep, 2, T, "venue.booking.decide", 7, 100, "{\"to\":\"approved\"}");
    /* touching after the buffer is no overlap; a minute into it is */
    snprintf(p, sizeof p,
             "{\"room_id\":1,\"purpose\":\"evaluation\",\"start_us\":%lld,\"end_us\":%lld,"
             "\"buffer_us\":0,\"state\":\"approved\"}",
             (long long)(T + 12 * H + H / 2), (long long)(T + 14 * H));
    vfeed(v, &rep, 3, T, "venue.booking.request", 8, 101, p);
    CHECK(rep.n == 0);
    snprintf(p, sizeof p,
             "{\"room_id\":1,\"purpose\":\"evaluation\",\"start_us\":%lld,\"end_us\":%lld,"
             "\"buffer_us\":0,\"state\":\"approved\"}",
             (long long)(T + 12 * H + H / 2 - 60000000), (long long)(T + 13 * H));
    vfeed(v, &rep, 4, T, "venue.booking.request", 9, 102, p);
    CHECK(count(&rep, "INV-VENUE-OVERLAP") >= 1);
    vfeed(v, &rep, 5, T, "venue.booking.cancel", 9, 102, "{\"to\":\"cancelled\"}");
    size_t before = rep.n;
    /* the tender promises room 1 from 10:00 for lot 1 */
    snprintf(p, sizeof p,
             "{\"type\":\"tender\",\"deadlines\":[{\"lot\":\"1\",\"opening_us\":%lld}],"
             "\"opening_venues\":[{\"lot\":1,\"booking_id\":100,\"room_id\":1,"
             "\"start_us\":%lld}]}",
             (long long)(T + 10 * H), (long long)(T + 10 * H));
    vfeed(v, &rep, 6, T, "announce.publish", 7, 1, p);
    CHECK(rep.n == before);
    /* a tender naming no room */
    vfeed(v, &rep, 7, T, "announce.publish", 8, 2, "{\"type\":\"tender\"}");
    CHECK(count(&rep, "INV-VENUE-OPENING") == 1);
    /* opened where announced: fine; after a silent relocation: named */
    vfeed(v, &rep, 8, T + 10 * H, "opening.start", 7, 1, "{\"lot\":\"1\"}");
    CHECK(count(&rep, "INV-VENUE-OPENING") == 1);
    snprintf(p, sizeof p,
             "{\"moves\":[{\"booking_id\":100,\"to_room_id\":2,\"start_us\":%lld,"
             "\"end_us\":%lld}]}",
             (long long)(T + 10 * H), (long long)(T + 12 * H));
    vfeed(v, &rep, 9, T, "venue.room.relocate", 0, 1, p);
    vfeed(v, &rep, 10, T + 10 * H, "opening.start", 7, 1, "{\"lot\":\"1\"}");
    CHECK(count(&rep, "INV-VENUE-OPENING") == 2);
    /* a lot opened with no announced room at all */
    vfeed(v, &rep, 11, T + 10 * H, "opening.start", 7, 1, "{\"lot\":\"2\"}");
    CHECK(count(&rep, "INV-VENUE-OPENING") == 3);
    /* a week on: booking 100 is recorded in full, 101 warned of; both hold */
    snprintf(p, sizeof p, "{\"booking_id\":100,\"start_us\":%lld,\"end_us\":%lld}",
             (long long)(T + 10 * H), (long long)(T + 12 * H));
    vfeed(v, &rep, 12, T + 12 * H, "venue.recording.register", 7, 1, p);
    vfeed(v, &rep, 13, T + 15 * H, "venue.recording.missing", 8, 101, "{}");
    vfeed(v, &rep, 14, T + 8 * DAY, "trust.anchors", 0, 0, "{}");
    vl_finish(v, &rep);
    CHECK(count(&rep, "INV-VENUE-RECORDING") == 0);
    inv_report_free(&rep);
    vl_free(v);
    /* and without them, both are named */
    v = vl_new();
    snprintf(p, sizeof p,
             "{\"room_id\":1,\"purpose\":\"opening\",\"start_us\":%lld,\"end_us\":%lld,"
             "\"buffer_us\":0,\"state\":\"approved\"}",
             (long long)(T + 10 * H), (long long)(T + 12 * H));
    vfeed(v, &rep, 1, T, "venue.booking.request", 7, 100, p);
    snprintf(p, sizeof p, "{\"booking_id\":100,\"start_us\":%lld,\"end_us\":%lld}",
             (long long)(T + 10 * H), (long long)(T + 11 * H)); /* half of it */
    vfeed(v, &rep, 2, T + 12 * H, "venue.recording.register", 7, 1, p);
    vfeed(v, &rep, 3, T + 6 * DAY, "trust.anchors", 0, 0, "{}");
    vl_finish(v, &rep);
    CHECK(count(&rep, "INV-VENUE-RECORDING") == 0); /* not a week yet */
    vfeed(v, &rep, 4, T + 8 * DAY, "trust.anchors", 0, 0, "{}");
    vl_finish(v, &rep);
    CHECK(count(&rep, "INV-VENUE-RECORDING") == 1);
    inv_report_free(&rep);
    vl_free(v);
}

/* One entry with an actor for the venue ledger. */
static void
afeed(struct venue_ledger *v, struct inv_report *rep, int64_t idx, const char *action,
      const char *actor, int64_t project, int64_t oid, const char *payload)
{
    char text[2048];
    snprintf(text, sizeof text,
             "{\"index\":%lld,\"time_us\":1,\"action\":\"%s\",\"actor\":%s,"
             "\"project_id\":%lld,\"object\":{\"type\":\"x\",\"id\":%lld},\"payload\":%s}",
             (long long)idx, action, actor, (long long)project, (long long)oid, payload);
    cJSON *e = cJSON_Parse(text);
    CHECK(e != NULL);
    vl_feed(v, e, rep);
    cJSON_Delete(e);
}

static void
only_a_lots_bidders_and_a_sessions_confirmed_members_sign_in(void)
{
    struct venue_ledger *v = vl_new();
    struct inv_report rep = {0};
    const char *agent = "{\"role\":\"agent\",\"user_id\":5,\"org_id\":2}";
    const char *b50 = "{\"role\":\"bidder\",\"user_id\":70,\"org_id\":50}";
    const char *b51 = "{\"role\":\"bidder\",\"user_id\":71,\"org_id\":51}";
    const char *e60 = "{\"role\":\"expert\",\"user_id\":60,\"org_id\":9}";
    const char *e61 = "{\"role\":\"expert\",\"user_id\":61,\"org_id\":9}";
    afeed(v, &rep, 1, "venue.booking.request", agent, 7, 100,
          "{\"room_id\":1,\"purpose\":\"opening\",\"lots\":[1],\"start_us\":10,"
          "\"end_us\":20,\"buffer_us\":0,\"state\":\"approved\"}");
    afeed(v, &rep, 2, "venue.booking.request", agent, 7, 101,
          "{\"room_id\":2,\"purpose\":\"evaluation\",\"lots\":[1],\"start_us\":30,"
          "\"end_us\":40,\"buffer_us\":0,\"state\":\"approved\"}");
    afeed(v, &rep, 3, "bid.receive", b50, 7, 900,
          "{\"lot\":\"1\",\"bid_id\":900,\"bidder_org_id\":50,\"revision\":1}");
    afeed(v, &rep, 4, "bid.receive", b51, 7, 901,
          "{\"lot\":\"2\",\"bid_id\":901,\"bidder_org_id\":51,\"revision\":1}");
    /* the agent, and a bidder of lot 1, sign in to lot 1's opening */
    afeed(v, &rep, 5, "venue.attendance", agent, 7, 100, "{\"booking_id\":100}");
    afeed(v, &rep, 6, "venue.attendance", b50, 7, 100, "{\"booking_id\":100}");
    CHECK(rep.n == 0);
    /* a bidder of lot 2 only, and a bidder after withdrawing, are no party of it */
    afeed(v, &rep, 7, "venue.attendance", b51, 7, 100, "{\"booking_id\":100}");
    CHECK(count(&rep, "INV-VENUE-ATTENDEE") == 1);
    afeed(v, &rep, 8, "bid.withdraw", b50, 7, 900, "{\"lot\":\"1\",\"bid_id\":900}");
    afeed(v, &rep, 9, "venue.attendance", b50, 7, 100, "{\"booking_id\":100}");
    CHECK(count(&rep, "INV-VENUE-ATTENDEE") == 2);
    /* the committee: expert 60 confirmed; 61 never was; 60 after being replaced is not */
    afeed(v, &rep, 10, "draw.request", agent, 7, 3, "{\"draw_id\":3,\"booking_id\":101}");
    afeed(v, &rep, 11, "draw.answer", e60, 7, 3,
          "{\"draw_id\":3,\"pseudonym\":\"p1\",\"answer\":\"confirmed\",\"state\":"
          "\"complete\"}");
    afeed(v, &rep, 12, "venue.attendance", e60, 7, 101, "{\"booking_id\":101}");
    CHECK(count(&rep, "INV-VENUE-ATTENDEE") == 2);
    afeed(v, &rep, 13, "venue.attendance", e61, 7, 101, "{\"booking_id\":101}");
    CHECK(count(&rep, "INV-VENUE-ATTENDEE") == 3);
    afeed(v, &rep, 14, "venue.attendance", e60, 7, 100, "{\"booking_id\":100}"); /* another */
    CHECK(count(&rep, "INV-VENUE-ATTENDEE") == 4);
    afeed(v, &rep, 15, "draw.replace", agent, 7, 3,
          "{\"draw_id\":3,\"pseudonym\":\"p1\",\"state\":\"drawn\"}");
    afeed(v, &rep, 16, "venue.attendance", e60, 7, 101, "{\"booking_id\":101}");
    CHECK(count(&rep, "INV-VENUE-ATTENDEE") == 5);
    inv_report_free(&rep);
    vl_free(v);
}

/* One entry for the evaluation ledger, as the modules log it. */
static void
efeed(struct eval_ledger *l, struct inv_report *rep, int64_t idx, int64_t t, const char *action,
      const char *payload)
{
    char text[2048];
    snprintf(text, sizeof text,
             "{\"index\":%lld,\"time_us\":%lld,\"action\":\"%s\",\"project_id\":7,"
             "\"object\":{\"type\":\"project\",\"id\":7},\"payload\":%s}",
             (long long)idx, (long long)t, action, payload);
    cJSON *e = cJSON_Parse(text);
    CHECK(e != NULL);
    ev_feed(l, e, rep);
    cJSON_Delete(e);
}

static void
a_lot_decided_or_contracted_over_an_unanswered_objection_is_named(void)
{
    struct eval_ledger *l = ev_new();
    struct inv_report rep = {0};
    efeed(l, &rep, 1, 10, "award.objection",
          "{\"objection_id\":4,\"project_id\":7,\"lot\":1,\"answer_due_us\":100}");
    efeed(l, &rep, 2, 20, "award.decide", "{\"project_id\":7,\"lots\":[{\"lot\":1}]}");
    CHECK(count(&rep, "INV-EVAL-OBJECTION") == 1);
    efeed(l, &rep, 3, 30, "contract.offer", "{\"project_id\":7,\"lot\":1}");
    CHECK(count(&rep, "INV-EVAL-OBJECTION") == 2);
    /* another lot is not held; an answer after its due time must say so */
    efeed(l, &rep, 4, 40, "contract.offer", "{\"project_id\":7,\"lot\":2}");
    CHECK(count(&rep, "INV-EVAL-OBJECTION") == 2);
    efeed(l, &rep, 5, 101, "award.objection.answer", "{\"objection_id\":4,\"late\":false}");
    CHECK(count(&rep, "INV-EVAL-OBJECTION") == 3);
    efeed(l, &rep, 6, 110, "contract.offer", "{\"project_id\":7,\"lot\":1}");
    CHECK(count(&rep, "INV-EVAL-OBJECTION") == 3);
    /* answered in time, nothing to say */
    efeed(l, &rep, 7, 120, "award.objection",
          "{\"objection_id\":5,\"project_id\":7,\"lot\":3,\"answer_due_us\":500}");
    efeed(l, &rep, 8, 130, "award.objection.answer", "{\"objection_id\":5,\"late\":false}");
    CHECK(count(&rep, "INV-EVAL-OBJECTION") == 3);
    inv_report_free(&rep);
    ev_free(l);
}

int
main(void)
{
    make_cas();
    RUN(the_state_table_allows_the_statutory_path_and_nothing_else);
    RUN(the_venue_ledger_names_overlaps_misplaced_openings_and_unrecorded_sessions);
    RUN(only_a_lots_bidders_and_a_sessions_confirmed_members_sign_in);
    RUN(a_lawful_timeline_has_no_violations);
    RUN(reopening_bidding_after_the_deadline_is_named);
    RUN(a_late_bid_and_an_early_opening_are_named);
    RUN(shortening_moving_earlier_and_hiding_a_date_change_are_named);
    RUN(states_reached_other_than_by_their_owning_action_are_named);
    RUN(an_amendment_publishing_a_documents_period_against_the_statute_is_named);
    RUN(transitions_must_follow_the_table_and_each_other);
    RUN(a_suspended_project_must_resume_where_it_left);
    RUN(unsigned_and_uncertified_acts_are_named);
    RUN(a_custodian_set_one_party_controls_is_named);
    RUN(republishing_an_announcement_is_a_violation);
    RUN(acts_without_their_user_and_system_claims_on_user_acts_are_named);
    RUN(only_the_opening_runner_may_decrypt_for_the_platform);
    RUN(the_platform_decrypts_only_an_opening_that_is_running);
    RUN(every_invariant_is_listed_with_a_description);
    RUN(the_deposit_ledger_names_unbalanced_entries_excess_refunds_non_basic_deposits_and_late_refunds);
    RUN(held_money_goes_back_only_whole_once_by_staff_and_to_its_payer);
    RUN(a_lot_decided_or_contracted_over_an_unanswered_objection_is_named);
    for (int i = 0; i < SIDE__COUNT; i++) {
        EVP_PKEY_free(cas.key[i]);
        X509_free(cas.cert[i]);
        free(cas.der[i]);
    }
    EVP_PKEY_free(cas.rogue);
    X509_free(cas.rogue_cert);
    return CHECK_DONE();
}
