/*
 * main.c — the ggzy client's entry: the command table (one row per `ggzy NOUN VERB`, with its
 * usage), the option table, and main, which parses the options, finds the row and runs it.
 * Each command lives in cli/<noun>.c as cmd_<noun>_<verb>; helpers they share are in common.c.
 *
 * `ggzy --help` lists every command; `ggzy NOUN VERB --help` prints that command's usage; both
 * on stdout with exit status 0. `ggzy --version` prints the version. An unknown command or
 * option exits 2 with a hint. Common options (or environment): --server URL (GGZY_SERVER),
 * --ca FILE (GGZY_CA), --token TOKEN (GGZY_TOKEN), --vkey VKEY (GGZY_VKEY).
 * Exit status of a command: 0 done or verified, 1 refused or a problem found, 2 usage or I/O.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "util.h"

#ifndef GGZY_VERSION
#define GGZY_VERSION "0"
#endif

static const struct command commands[] = {
    {"audit", "verify", cmd_audit_verify, "[--vkey VKEY] [--file EXPORT] [--state FILE]",
     "check every entry and signed checkpoint of the audit log (or of an export)"},
    {"audit", "export", cmd_audit_export, "> EXPORT",
     "write the log and its checkpoints to stdout (a supervisor's token)"},
    {"audit", "replay", cmd_audit_replay,
     "--project ID [--vkey VKEY] | --file EXPORT [--vkey VKEY]",
     "a project's timeline under a signed checkpoint, every invariant checked; or a whole "
     "exported log with the venue and draw invariants across projects"},
    {"audit", "cosign", cmd_audit_cosign, "--key SUPERVISOR.pem [--state FILE] [--vkey VKEY]",
     "countersign the newest checkpoint once it extends the last one you cosigned"},
    {"audit", "invariants", cmd_audit_invariants, "",
     "list the rules `audit replay` checks, with their codes"},
    {"bid", "seal", cmd_bid_seal,
     "(--binding LOT.json | --project ID --lot N) --summary SUMMARY.json\n"
     "        [--doc FILE]... --key BIDDER.pem --out ENVELOPE",
     "seal a bid on this machine to the lot's announced opening key, signed with your key"},
    {"bid", "check", cmd_bid_check, "--file ENVELOPE",
     "the platform's pre-flight check of a sealed envelope (a bidder's token)"},
    {"bid", "submit", cmd_bid_submit, "--project ID --lot N --file ENVELOPE [--receipt-out FILE]",
     "hand in a sealed envelope and keep the signed receipt (a bidder's token)"},
    {"bid", "list", cmd_bid_list, "--project ID --lot N",
     "your organization's revisions of its bid and their states"},
    {"bid", "withdraw", cmd_bid_withdraw, "--project ID --lot N --key BIDDER.pem",
     "withdraw your current bid (撤回), signed; before the deadline"},
    {"custodian", "check", cmd_custodian_check, "--project ID --lot N --key CUSTODIAN.pem",
     "open and verify your share of a lot's opening key"},
    {"custodian", "share", cmd_custodian_share, "--project ID --lot N --key CUSTODIAN.pem",
     "verify your share and hand it in, signed; at the opening"},
    {"draw", "verify", cmd_draw_verify, "--file EXPORT --draw ID [--vkey VKEY]",
     "replay a committee draw from an exported log alone: commitment, pool, seed, order, every "
     "invitation and replacement (docs/draw.md §9)"},
    {"envelope", "open", cmd_envelope_open,
     "--file ENVELOPE --opening-sk HEX [--bidder-key PEM] [--out FILE] [--out-dir DIR]",
     "open a sealed envelope with a published opening key and check its signature"},
    {"key", "register", cmd_key_register, "--cert CERT.pem --key KEY.pem [--label TEXT]",
     "register a signing key certified by a CA outside the platform"},
    {"opening", "start", cmd_opening_start, "--project ID --lot N --key KEY.pem",
     "start a lot's opening, signed (the agent or the center)"},
    {"opening", "verify", cmd_opening_verify, "--project ID --lot N [--vkey VKEY]",
     "re-derive every decryption of a finished opening (a party's token)"},
    {"receipt", "verify", cmd_receipt_verify,
     "--file RECEIPT.json [--envelope ENVELOPE] [--vkey VKEY]",
     "check a bid receipt: its signature, the envelope's hash and its place in the log"},
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

enum opt_kind { OPT_STRING, OPT_PROJECT, OPT_LOT, OPT_DRAW, OPT_DOC };

/* One row per option: its name, what it fills in struct opts. */
static const struct {
    const char *name;
    enum opt_kind kind;
    size_t field; /* offsetof the const char * it sets (OPT_STRING) */
} options[] = {
    {"--server", OPT_STRING, offsetof(struct opts, server)},
    {"--ca", OPT_STRING, offsetof(struct opts, ca)},
    {"--token", OPT_STRING, offsetof(struct opts, token)},
    {"--vkey", OPT_STRING, offsetof(struct opts, vkey)},
    {"--file", OPT_STRING, offsetof(struct opts, file)},
    {"--state", OPT_STRING, offsetof(struct opts, state)},
    {"--key", OPT_STRING, offsetof(struct opts, key)},
    {"--bidder-key", OPT_STRING, offsetof(struct opts, key)},
    {"--envelope", OPT_STRING, offsetof(struct opts, envelope)},
    {"--cert", OPT_STRING, offsetof(struct opts, cert)},
    {"--label", OPT_STRING, offsetof(struct opts, label)},
    {"--receipt-out", OPT_STRING, offsetof(struct opts, receipt_out)},
    {"--opening-sk", OPT_STRING, offsetof(struct opts, opening_sk)},
    {"--out", OPT_STRING, offsetof(struct opts, out)},
    {"--out-dir", OPT_STRING, offsetof(struct opts, out_dir)},
    {"--binding", OPT_STRING, offsetof(struct opts, binding)},
    {"--summary", OPT_STRING, offsetof(struct opts, summary)},
    {"--doc", OPT_DOC, 0},
    {"--project", OPT_PROJECT, 0},
    {"--lot", OPT_LOT, 0},
    {"--draw", OPT_DRAW, 0},
};

static const struct command *running;

static void
print_usage_line(FILE *f, const struct command *c)
{
    fprintf(f, "usage: ggzy %s %s%s%s\n", c->noun, c->verb, c->args[0] ? " " : "", c->args);
}

int
usage(void)
{
    if (running) {
        print_usage_line(stderr, running);
        fprintf(stderr, "  %s\n(ggzy %s %s --help for this text; ggzy --help for all commands)\n",
                running->summary, running->noun, running->verb);
    } else
        fprintf(stderr, "usage: ggzy [--server URL] [--ca FILE] [--token TOKEN] NOUN VERB "
                        "[options]; ggzy --help lists the commands\n");
    return 2;
}

/* Every command with its options and what it does, then the common options. */
static void
print_help(FILE *f)
{
    fprintf(f, "usage: ggzy [--server URL] [--ca FILE] [--token TOKEN] NOUN VERB [options]\n\n");
    for (size_t i = 0; i < NCOMMANDS; i++) {
        const struct command *c = &commands[i];
        fprintf(f, "  %s %s%s%s\n      %s\n", c->noun, c->verb, c->args[0] ? " " : "", c->args,
                c->summary);
    }
    fprintf(f, "\ncommon options (or environment): --server URL (GGZY_SERVER), --ca FILE "
               "(GGZY_CA),\n  --token TOKEN (GGZY_TOKEN), --vkey VKEY (GGZY_VKEY)\n"
               "ggzy NOUN VERB --help: one command's usage; ggzy --version\n"
               "exit status: 0 done or verified, 1 refused or a problem found, 2 usage or I/O\n");
}

static const struct command *
find(const char *noun, const char *verb)
{
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (!strcmp(commands[i].noun, noun) && verb && !strcmp(commands[i].verb, verb))
            return &commands[i];
    return NULL;
}

/* "ggzy: unknown command …" with the verbs of a known noun, or a pointer to --help. */
static int
unknown_command(const char *noun, const char *verb)
{
    bool known = false;
    for (size_t i = 0; i < NCOMMANDS; i++)
        known = known || !strcmp(commands[i].noun, noun);
    fprintf(stderr, "ggzy: unknown command '%s%s%s'", noun, verb ? " " : "", verb ? verb : "");
    if (known) {
        fprintf(stderr, "; the %s commands are:", noun);
        for (size_t i = 0; i < NCOMMANDS; i++)
            if (!strcmp(commands[i].noun, noun))
                fprintf(stderr, " %s", commands[i].verb);
        fprintf(stderr, "\n");
    } else
        fprintf(stderr, "; ggzy --help lists the commands\n");
    return 2;
}

int
main(int argc, char **argv)
{
    /* a server that refuses an upload early closes the connection: a write then fails with
     * EPIPE (and the answer is still read) instead of killing the client */
    signal(SIGPIPE, SIG_IGN);
    struct opts o = {.server = getenv("GGZY_SERVER"),
                     .ca = getenv("GGZY_CA"),
                     .token = getenv("GGZY_TOKEN"),
                     .vkey = getenv("GGZY_VKEY")};
    const char *words[2] = {NULL, NULL};
    int nw = 0;
    bool help = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            help = true;
            continue;
        }
        if (!strcmp(a, "--version")) {
            printf("ggzy %s\n", GGZY_VERSION);
            return 0;
        }
        if (a[0] != '-') {
            if (nw == 2) {
                fprintf(stderr, "ggzy: unexpected argument '%s'\n", a);
                return usage();
            }
            words[nw++] = a;
            continue;
        }
        size_t k = 0;
        while (k < sizeof options / sizeof options[0] && strcmp(options[k].name, a))
            k++;
        if (k == sizeof options / sizeof options[0]) {
            fprintf(stderr, "ggzy: unknown option %s; ggzy --help lists the commands\n", a);
            return 2;
        }
        const char *val = i + 1 < argc ? argv[++i] : NULL;
        int64_t v;
        if (!val) {
            fprintf(stderr, "ggzy: %s needs a value\n", a);
            return 2;
        }
        switch (options[k].kind) {
        case OPT_STRING:
            *(const char **)((char *)&o + options[k].field) = val;
            break;
        case OPT_DOC:
            if (o.ndocs == BIDPLAIN_MAX_DOCS) {
                fprintf(stderr, "ggzy: at most %d --doc files\n", BIDPLAIN_MAX_DOCS);
                return 2;
            }
            o.docs[o.ndocs++] = val;
            break;
        case OPT_PROJECT:
            if (!(o.have_project = parse_i64(val, 1, INT64_MAX, &v))) {
                fprintf(stderr, "ggzy: --project takes a project id (a positive integer)\n");
                return 2;
            }
            o.project = v;
            break;
        case OPT_DRAW:
            if (!parse_i64(val, 1, INT64_MAX, &v)) {
                fprintf(stderr, "ggzy: --draw takes a draw id (a positive integer)\n");
                return 2;
            }
            o.draw = v;
            break;
        case OPT_LOT:
            if (!parse_i64(val, 1, INT64_MAX, &v)) {
                fprintf(stderr, "ggzy: --lot takes a lot number (a positive integer)\n");
                return 2;
            }
            o.lot = v;
            break;
        }
    }
    if (nw == 0) {
        print_help(help ? stdout : stderr);
        return help ? 0 : 2;
    }
    if (!(running = find(words[0], words[1])))
        return unknown_command(words[0], words[1]);
    if (help) {
        print_usage_line(stdout, running);
        printf("  %s\n", running->summary);
        return 0;
    }
    return running->run(&o);
}
