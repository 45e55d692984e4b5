/*
 * cert.h — certificates that bind a signing key to an organization, checked against trust
 * anchors the platform does not control (电子签名法 第十三条: a reliable electronic signature is
 * under the signer's sole control; in Chinese e-bidding, an organization certificate from a
 * licensed CA). Pure code shared by ggzyd (anchors from its configuration) and ggzy (anchors
 * published in the audit log, for the replay).
 *
 * A trust set holds, per side of a tender — bidders, agents (and tenderers), supervision
 * bodies, the trading center — the CA certificates that may certify that side's keys, and the
 * CRLs in force. A certificate is accepted for a side when:
 *   - it chains (OpenSSL X509_verify_cert, intermediates given with it) to an anchor of that
 *     side, at the time asked (a signature's time, or now);
 *   - it is not revoked by a CRL of its issuer, when the set holds one;
 *   - its key usage includes digitalSignature or nonRepudiation;
 *   - its subject names the organization's unified social credit code (统一社会信用代码) as
 *     serialNumber (2.5.4.5) or organizationIdentifier (2.5.4.97);
 *   - its key belongs to a signature suite (sigsuite.h).
 * Each failure has its own rule code (docs/errors.md): KEY-CERT-FORMAT, KEY-CERT-CHAIN,
 * KEY-CERT-SIDE (it chains to another side's anchor), KEY-CERT-EXPIRED (not valid at that
 * time), KEY-CERT-REVOKED, KEY-CERT-USAGE, KEY-CERT-ORG, KEY-CERT-ALG.
 */
#ifndef GGZY_CERT_H
#define GGZY_CERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>
#include <openssl/evp.h>

#include "sigsuite.h"

/* The sides whose CAs certify keys: the four sides of a tender, the center's devices (a room's
 * recorder, whose certificate names the center's credit code), and evaluation experts (a
 * person's certificate from the CA the operator configures for experts, naming the credit code
 * of the organization the expert works for), and financial institutions (the center's bank, whose
 * signed notices move deposits, and the banks and insurers that issue electronic guarantees,
 * each certificate naming the institution's credit code). */
enum side {
    SIDE_BIDDER,
    SIDE_AGENT,
    SIDE_SUPERVISION,
    SIDE_CENTER,
    SIDE_DEVICE,
    SIDE_EXPERT,
    SIDE_FINANCE, /* banks and guarantee issuers: the deposit capability's outside parties */
    SIDE_TENDERER, /* tenderers (招标人, 采购人): the owners of projects, who decide the award */
    SIDE__COUNT,
    SIDE_NONE = -1
};
const char *side_name(enum side s);         /* "bidder", "agent", "supervision", "center", "device",
                                               "expert", "finance", "tenderer" */
enum side side_from_name(const char *name); /* SIDE_NONE when unknown */
/* The side of an organization type (organizations.type): bidder → bidder; agency → agent;
 * tenderer → tenderer; supervision; center. SIDE_NONE for others. */
enum side side_of_org_type(const char *org_type);
/* The side of an account: an expert's keys are certified as an expert's, whatever their
 * employer's type (an expert works for a bidder or a tenderer as often as not); everyone else's
 * by their organization's type. */
enum side side_of_account(const char *role, const char *org_type);

#define CERT_MAX_CHAIN 8
#define CERT_MAX_DER   8192 /* one certificate */

struct trust_set;
struct trust_set *trust_set_new(void);
void trust_set_free(struct trust_set *ts);
/* Add the CA certificates of a PEM file (one or more) as anchors of side. */
bool trust_set_load_pem(struct trust_set *ts, enum side side, const char *path, char *err,
                        size_t errlen);
/* Add the CRLs of a PEM file (one or more). */
bool trust_set_load_crls(struct trust_set *ts, const char *path, char *err, size_t errlen);
/* The set as published in the audit log (action trust.anchors): {"sides": {"bidder": [base64
 * DER, …], …}, "crls": [base64 DER, …]}, members in a fixed order; NULL on failure. */
cJSON *trust_set_json(const struct trust_set *ts);
/* The set from such a JSON object (the replay); NULL when malformed. */
struct trust_set *trust_set_from_json(const cJSON *j);
/* How many anchors side has. */
size_t trust_set_count(const struct trust_set *ts, enum side side);

/* A parsed certificate chain: the leaf first, then intermediates. */
struct cert_chain {
    size_t n;
    uint8_t *der[CERT_MAX_CHAIN];
    size_t len[CERT_MAX_CHAIN];
};
void cert_chain_free(struct cert_chain *c);
/* From PEM text ("-----BEGIN CERTIFICATE-----" blocks, leaf first). False with why. */
bool cert_chain_from_pem(const char *pem, size_t len, struct cert_chain *out, char *why,
                         size_t whylen);
/* From concatenated DER certificates (as stored). */
bool cert_chain_from_der(const uint8_t *der, size_t len, struct cert_chain *out);
/* From a JSON array of base64 DER certificates (as logged). */
bool cert_chain_from_json(const cJSON *arr, struct cert_chain *out);
/* As a JSON array of base64 DER (caller owns). */
cJSON *cert_chain_json(const struct cert_chain *c);

/* What a checked certificate says. */
struct cert_info {
    enum side side;
    char credit_code[19];
    char subject[256];
    char sha256[65]; /* hex SHA-256 of the leaf's DER */
    char key_id[65]; /* hex SHA-256 of the leaf's SubjectPublicKeyInfo DER */
    int64_t not_before_us, not_after_us;
    const struct sig_suite *suite;
    EVP_PKEY *key; /* the leaf's public key, owned: free with cert_info_free */
    uint8_t spki[512];
    size_t spki_len;
};
void cert_info_free(struct cert_info *info);

/* The span [*lo, *hi] (µs) within which every anchor of side and every CRL of ts is valid, and
 * the span within which every certificate of chain is: a result of cert_check at a time inside
 * both holds at every time inside both (trust.c reuses it there). False when a certificate
 * cannot be read. */
void trust_set_window(const struct trust_set *ts, enum side side, int64_t *lo, int64_t *hi);
bool cert_chain_window(const struct cert_chain *chain, int64_t *lo, int64_t *hi);

/* Check chain for side at time at_us (µs since the epoch) against ts; credit_code NULL skips
 * that check. NULL on success (info filled; free it), else the rule code with why filled (info
 * may hold what could be read, and must be freed as well). */
const char *cert_check(const struct trust_set *ts, enum side side, const struct cert_chain *chain,
                       const char *credit_code, int64_t at_us, struct cert_info *info, char *why,
                       size_t whylen);

#endif
