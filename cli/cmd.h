/*
 * cmd.h — what the ggzy client's command files share: the parsed options, the command table's
 * row, the helpers every command uses (common.c) and one entry point per command, named
 * cmd_<noun>_<verb> and defined in cli/<noun>.c. main.c holds the table that maps
 * `ggzy NOUN VERB` to them, with each command's usage.
 */
#ifndef GGZY_CMD_H
#define GGZY_CMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>
#include <openssl/evp.h>

#include "bidplain.h"
#include "canon.h"
#include "client.h"

/* Every option a command may take (main.c's option table fills it); a command reads only its
 * own. Strings point into argv or the environment. */
struct opts {
    const char *server, *ca, *token, *vkey, *file, *state, *key, *opening_sk, *out, *out_dir;
    const char *cert, *label;
    const char *binding, *summary, *envelope, *receipt_out;
    const char *docs[BIDPLAIN_MAX_DOCS];
    int ndocs;
    long long project, lot, draw;
    bool have_project;
};

/* One row of the command table: `ggzy NOUN VERB ARGS`. run returns the exit status:
 * 0 done/verified, 1 refused or a problem found, 2 usage or I/O. */
struct command {
    const char *noun, *verb;
    int (*run)(const struct opts *o);
    const char *args;    /* the options, as the usage line shows them */
    const char *summary; /* one line: what it does (and whose token or key it needs) */
};

/* The running command's usage on stderr; returns 2 (for `return usage();` on a missing or bad
 * option). */
int usage(void);

/* ---- common.c ---- */
bool setup_client(const struct opts *o, struct client *c);
/* The verifier key: --vkey, else the server's (trusted on first use, with a warning); malloc'd. */
char *get_vkey(const struct opts *o, const struct client *c, const char *from_file);
/* Read a PEM private key; the PEM text is wiped once parsed. Caller frees with EVP_PKEY_free. */
EVP_PKEY *load_private_key(const char *path);
/* Decode a hex string member of o into out (exactly n bytes). */
bool hex_member(const cJSON *o, const char *name, uint8_t *out, size_t n);
/* Members of a JSON object: json_str, json_i64 and json_bool (lib/canon.h). */
/* Progress of a large upload on stderr (arg: an int, -1 at first). */
void upload_progress(uint64_t sent, uint64_t total, void *arg);
/* POST a file (streamed, with progress on a terminal) to path; the answer in *status and *resp
 * (malloc'd, caller frees). False, with the reason on stderr, when the file cannot be read or
 * the request fails. */
bool upload_file(const struct client *c, const char *file, const char *path, int *status,
                 char **resp, size_t *resplen);
/* The key id of a key: hex SHA-256 of its SubjectPublicKeyInfo DER (out: 65 bytes). */
bool key_id_of(EVP_PKEY *key, char out[65]);
/* A signed act (docs/audit.md §8): base64 of the raw ECDSA P-256 signature (r‖s) by key over
 * domain "\n" canonical-JSON(fields); malloc'd, or NULL. */
char *sign_act_b64(EVP_PKEY *key, const char *domain, const cJSON *fields);
/* The platform's clock (GET /healthz now_us), which a signed step's time must be near; 0 when it
 * cannot be read. */
int64_t server_now_us(const struct client *c);
/* Print the server's refusal: "REFUSED (HTTP 422): rule_violation BID-REPLAY: message". */
void print_refusal(int status, const char *resp);

/* ---- the commands, one file per noun ---- */
int cmd_audit_verify(const struct opts *o);
int cmd_audit_export(const struct opts *o);
int cmd_audit_replay(const struct opts *o);
int cmd_audit_cosign(const struct opts *o);
int cmd_audit_invariants(const struct opts *o);
int cmd_bid_seal(const struct opts *o);
int cmd_draw_verify(const struct opts *o);
int cmd_bid_check(const struct opts *o);
int cmd_bid_submit(const struct opts *o);
int cmd_bid_list(const struct opts *o);
int cmd_bid_withdraw(const struct opts *o);
int cmd_custodian_check(const struct opts *o);
int cmd_custodian_share(const struct opts *o);
int cmd_envelope_open(const struct opts *o);
int cmd_key_register(const struct opts *o);
int cmd_opening_start(const struct opts *o);
int cmd_opening_verify(const struct opts *o);
int cmd_receipt_verify(const struct opts *o);

#endif
