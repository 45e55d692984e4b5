/*
 * ggzy.c — the platform's command-line client. This file holds the command table and the
 * audit, envelope and custodian commands; the bid commands (submit, receipt verify, opening
 * verify) are in bids_cmd.c.
 *
 *   ggzy audit verify   [--vkey VKEY] [--file EXPORT] [--state FILE]
 *   ggzy audit export   > EXPORT
 *   ggzy audit replay   --project ID [--vkey VKEY] [--file EXPORT]
 *   ggzy audit cosign   --key SUPERVISOR.pem [--state FILE] [--vkey VKEY]
 *   ggzy audit invariants
 *   ggzy envelope open --file ENVELOPE --opening-sk HEX [--bidder-key PEM] [--out FILE]
 *                      [--out-dir DIR]
 *   ggzy custodian check --project ID --lot N --key CUSTODIAN.pem
 *   ggzy bid check --file ENVELOPE                       (a bidder's token)
 *   ggzy bid seal (--binding LOT.json | --project ID --lot N) --summary SUMMARY.json
 *                 [--doc FILE]... --key BIDDER.pem --out ENVELOPE
 *   ggzy bid submit --project ID --lot N --file ENVELOPE [--receipt-out FILE]
 *   ggzy receipt verify --file RECEIPT.json [--envelope ENVELOPE]
 *   ggzy bid withdraw --project ID --lot N --key BIDDER.pem   (signed)
 *   ggzy custodian share --project ID --lot N --key CUSTODIAN.pem   (signed)
 *   ggzy opening start --project ID --lot N --key KEY.pem          (signed)
 *   ggzy opening verify --project ID --lot N
 *   ggzy key register --cert CERT.pem --key KEY.pem [--label TEXT]
 *
 * Common options (or environment): --server URL (GGZY_SERVER), --ca FILE (GGZY_CA),
 * --token TOKEN (GGZY_TOKEN). Exit status: 0 verified, 1 a problem was found, 2 usage or I/O.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "client.h"
#include "cmd.h"
#include "crypto.h"
#include "bidplain.h"
#include "timelock.h"
#include "envelope.h"
#include "invariants.h"
#include "note.h"
#include "sigsuite.h"
#include "util.h"
#include "verify.h"

int
usage(void)
{
    fprintf(
        stderr,
        "usage: ggzy [--server URL] [--ca FILE] [--token TOKEN] audit COMMAND [options]\n"
        "  audit verify   [--vkey VKEY] [--file EXPORT] [--state FILE]\n"
        "  audit export   > EXPORT                      (a supervisor's token)\n"
        "  audit replay   --project ID [--vkey VKEY] [--file EXPORT]\n"
        "  audit cosign   --key SUPERVISOR.pem [--state FILE] [--vkey VKEY]\n"
        "  audit invariants\n"
        "  envelope open  --file ENVELOPE --opening-sk HEX [--bidder-key PEM] [--out FILE]\n"
        "                 [--out-dir DIR]\n"
        "  custodian check --project ID --lot N --key CUSTODIAN.pem\n"
        "  bid check      --file ENVELOPE               (a bidder's token)\n"
        "  bid seal       (--binding LOT.json | --project ID --lot N) --summary SUMMARY.json\n"
        "                 [--doc FILE]...\n"
        "                 --key BIDDER.pem --out ENVELOPE\n"
        "  bid submit     --project ID --lot N --file ENVELOPE [--receipt-out FILE]\n"
        "  bid list       --project ID --lot N          (your organization's bids)\n"
        "  bid withdraw   --project ID --lot N --key BIDDER.pem   (signed; before the deadline)\n"
        "  receipt verify --file RECEIPT.json [--envelope ENVELOPE] [--vkey VKEY]\n"
        "  custodian share --project ID --lot N --key CUSTODIAN.pem   (signed; at the opening)\n"
        "  opening start  --project ID --lot N --key KEY.pem   (signed; the agent or center)\n"
        "  opening verify --project ID --lot N [--vkey VKEY]     (a party's token)\n"
        "  key register   --cert CERT.pem --key KEY.pem [--label TEXT]   (certified key)\n"
        "environment: GGZY_SERVER, GGZY_CA, GGZY_TOKEN, GGZY_VKEY\n");
    return 2;
}

bool
setup_client(const struct opts *o, struct client *c)
{
    char err[300];
    if (!o->server) {
        fprintf(stderr, "ggzy: no server: pass --server URL or set GGZY_SERVER\n");
        return false;
    }
    if (!client_init(c, o->server, err, sizeof err)) {
        fprintf(stderr, "ggzy: %s\n", err);
        return false;
    }
    c->ca_file = o->ca;
    c->token = o->token;
    return true;
}

/* The verifier key: --vkey, else the server's (trusted on first use, with a warning). */
char *
get_vkey(const struct opts *o, const struct client *c, const char *from_file)
{
    if (o->vkey)
        return strdup(o->vkey);
    if (from_file) {
        fprintf(stderr, "ggzy: warning: trusting the verifier key in the export; pin it with "
                        "--vkey\n");
        return strdup(from_file);
    }
    char err[300];
    cJSON *j = client_get_json(c, "/api/v1/audit/vkey", err, sizeof err);
    if (!j) {
        fprintf(stderr, "ggzy: %s\n", err);
        return NULL;
    }
    const cJSON *v = cJSON_GetObjectItem(j, "vkey");
    char *out = cJSON_IsString(v) ? strdup(v->valuestring) : NULL;
    cJSON_Delete(j);
    fprintf(stderr, "ggzy: warning: trusting the server's verifier key %s; pin it with --vkey\n",
            out ? out : "?");
    return out;
}

static bool
b64_hash(const cJSON *s, uint8_t out[32])
{
    return cJSON_IsString(s) && b64_decode(s->valuestring, strlen(s->valuestring), out, 32) == 32;
}

/* Decode a JSON array of base64 hashes. */
static int
proof_array(const cJSON *arr, mhash *proof, int max)
{
    int n = 0;
    for (const cJSON *it = arr ? arr->child : NULL; it; it = it->next) {
        if (n == max || !b64_hash(it, proof[n]))
            return -1;
        n++;
    }
    return n;
}

/* ---- sources: the server's API or an export file ---- */

/* Fetch every checkpoint (with pagination); calls add(note) for each. */
static bool
fetch_checkpoints(const struct client *c, struct verifier *v, FILE *export)
{
    char path[200], err[300];
    long long after = -1;
    for (;;) {
        snprintf(path, sizeof path, "/api/v1/audit/checkpoints?limit=1000&after=%lld",
                 after < 0 ? 0 : after);
        if (after < 0) /* size 0 is a valid checkpoint: list from the very start */
            snprintf(path, sizeof path, "/api/v1/audit/checkpoints?limit=1000");
        cJSON *j = client_get_json(c, path, err, sizeof err);
        if (!j) {
            fprintf(stderr, "ggzy: %s\n", err);
            return false;
        }
        const cJSON *items = cJSON_GetObjectItem(j, "items");
        for (const cJSON *it = items ? items->child : NULL; it; it = it->next) {
            const cJSON *note = cJSON_GetObjectItem(it, "note");
            if (!cJSON_IsString(note)) {
                cJSON_Delete(j);
                return false;
            }
            if (export) {
                char *b = malloc(4 * (strlen(note->valuestring) / 3 + 2));
                if (b) {
                    b64_encode((const uint8_t *)note->valuestring, strlen(note->valuestring), b);
                    fprintf(export, "checkpoint %s\n", b);
                    free(b);
                }
            } else {
                verifier_add_checkpoint(v, note->valuestring, strlen(note->valuestring), false);
            }
        }
        const cJSON *next = cJSON_GetObjectItem(j, "next_after");
        bool more = cJSON_IsNumber(next);
        after = more ? (long long)next->valuedouble : after;
        cJSON_Delete(j);
        if (!more)
            return true;
    }
}

static bool
fetch_consistency(const struct client *c, uint64_t from, uint64_t to, mhash *proof, int *n)
{
    char path[200], err[300];
    snprintf(path, sizeof path, "/api/v1/audit/proofs/consistency?from=%llu&to=%llu",
             (unsigned long long)from, (unsigned long long)to);
    cJSON *j = client_get_json(c, path, err, sizeof err);
    if (!j) {
        fprintf(stderr, "ggzy: %s\n", err);
        return false;
    }
    *n = proof_array(cJSON_GetObjectItem(j, "proof"), proof, 2 * MERKLE_MAX_DEPTH);
    cJSON_Delete(j);
    return *n >= 0;
}

/* Stream every entry from the server into v (or into an export file). */
static bool
fetch_entries(const struct client *c, struct verifier *v, FILE *export)
{
    char path[200], err[300];
    long long from = 0;
    for (;;) {
        snprintf(path, sizeof path, "/api/v1/audit/entries?from=%lld&limit=1000", from);
        cJSON *j = client_get_json(c, path, err, sizeof err);
        if (!j) {
            fprintf(stderr, "ggzy: %s\n", err);
            return false;
        }
        for (const cJSON *it = cJSON_GetObjectItem(j, "items")->child; it; it = it->next) {
            const cJSON *e = cJSON_GetObjectItem(it, "entry");
            const cJSON *lh = cJSON_GetObjectItem(it, "leaf_hash");
            uint8_t leaf[32];
            if (!b64_hash(lh, leaf)) {
                cJSON_Delete(j);
                return false;
            }
            if (export) { /* canonical JSON has no raw newline: it goes on the line as is */
                long long idx = (long long)cJSON_GetObjectItem(it, "index")->valuedouble;
                if (!cJSON_IsString(e)) {
                    fprintf(export, "entry %lld %s -\n", idx, lh->valuestring);
                    continue;
                }
                size_t n = strlen(e->valuestring);
                uint8_t *bytes = malloc(n + 1);
                long len = bytes ? b64_decode(e->valuestring, n, bytes, n) : -1;
                if (len < 0 || memchr(bytes, '\n', (size_t)len)) {
                    free(bytes);
                    cJSON_Delete(j);
                    return false;
                }
                fprintf(export, "entry %lld %s ", idx, lh->valuestring);
                fwrite(bytes, 1, (size_t)len, export);
                fputc('\n', export);
                free(bytes);
                continue;
            }
            if (cJSON_IsString(e)) {
                size_t n = strlen(e->valuestring);
                uint8_t *bytes = malloc(n);
                long len = bytes ? b64_decode(e->valuestring, n, bytes, n) : -1;
                bool ok = len >= 0 && verifier_add_entry(v, (char *)bytes, (size_t)len, leaf);
                free(bytes);
                if (!ok && !v->failed)
                    return false;
            } else {
                verifier_add_entry(v, NULL, 0, leaf);
            }
            if (v->failed)
                break;
        }
        const cJSON *next = cJSON_GetObjectItem(j, "next_from");
        bool more = cJSON_IsNumber(next) && !(v && v->failed);
        from = more ? (long long)next->valuedouble : from;
        cJSON_Delete(j);
        if (!more)
            return true;
    }
}

/* Read an export file: checkpoints, consistency proofs and entries. */
static bool
read_export(const char *path, struct verifier *v, const struct opts *o, char **vkey_out,
            const char *witness, size_t witness_len)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "ggzy: cannot open %s: %s\n", path, strerror(errno));
        return false;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    bool ok = true, ready = false, inited = v->vname[0] != '\0';
    char err[300];
    while ((n = getline(&line, &cap, f)) > 0 && !v->failed) {
        if (line[n - 1] == '\n')
            line[--n] = '\0';
        if (!strncmp(line, "vkey ", 5)) {
            if (!inited) {
                char *vk = o->vkey ? strdup(o->vkey) : NULL;
                if (!vk) {
                    fprintf(stderr, "ggzy: warning: trusting the verifier key in the export; "
                                    "pin it with --vkey\n");
                    vk = strdup(line + 5);
                }
                if (!vk || !verifier_init(v, vk, err, sizeof err)) {
                    fprintf(stderr, "ggzy: %s\n", vk ? err : "out of memory");
                    free(vk);
                    ok = false;
                    break;
                }
                if (vkey_out)
                    *vkey_out = vk;
                else
                    free(vk);
                inited = true;
                if (witness)
                    verifier_add_checkpoint(v, witness, witness_len, true);
            }
        } else if (!strncmp(line, "checkpoint ", 11)) {
            size_t bl = strlen(line + 11);
            char *note = malloc(bl + 1);
            long nl = note ? b64_decode(line + 11, bl, (uint8_t *)note, bl) : -1;
            if (nl > 0)
                verifier_add_checkpoint(v, note, (size_t)nl, false);
            free(note);
        } else if (!strncmp(line, "consistency ", 12)) {
            unsigned long long a, b;
            int off = 0;
            if (sscanf(line + 12, "%llu %llu %n", &a, &b, &off) >= 2) {
                mhash proof[2 * MERKLE_MAX_DEPTH];
                int k = 0;
                for (char *tok = strtok(line + 12 + off, ","); tok && k < 2 * MERKLE_MAX_DEPTH;
                     tok = strtok(NULL, ","))
                    if (b64_decode(tok, strlen(tok), proof[k], 32) == 32)
                        k++;
                verifier_check_consistency(v, a, b, (const mhash *)proof, (size_t)k);
            }
        } else if (!strncmp(line, "entry ", 6)) {
            /* entry <index> <base64 recorded leaf hash> <canonical JSON, or - if withheld> */
            if (!ready) {
                verifier_ready(v);
                ready = true;
            }
            char *sp1 = strchr(line + 6, ' ');
            char *sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;
            if (!sp2) {
                fprintf(stderr, "ggzy: a malformed entry line in %s\n", path);
                ok = false;
                break;
            }
            uint8_t leaf[32];
            bool have_leaf = b64_decode(sp1 + 1, (size_t)(sp2 - sp1 - 1), leaf, 32) == 32;
            const char *json = sp2 + 1;
            size_t jlen = (size_t)(line + n - json);
            if (jlen == 1 && json[0] == '-')
                verifier_add_entry(v, NULL, 0, have_leaf ? leaf : NULL);
            else
                verifier_add_entry(v, json, jlen, have_leaf ? leaf : NULL);
        }
    }
    if (!ready && ok)
        verifier_ready(v);
    free(line);
    fclose(f);
    if (ok && !inited) {
        fprintf(stderr, "ggzy: %s has no vkey line\n", path);
        ok = false;
    }
    return ok;
}

/* The supervisor's state file: the last checkpoint they cosigned (its signed note). */
static char *
read_state(const char *path, size_t *len)
{
    return path ? read_file(path, 1 << 16, len) : NULL;
}

/* ---- commands ---- */

static int
report(struct verifier *v, const char *what)
{
    if (v->failed) {
        if (v->bad_index >= 0)
            printf("FAILED at index %lld: %s\n", (long long)v->bad_index, v->error);
        else
            printf("FAILED: %s\n", v->error);
        return 1;
    }
    uint64_t covered = v->ncps ? v->cps[v->ncps - 1].size : 0;
    printf("OK: %s: %llu entries, %zu signed checkpoints verified (latest covers %llu)\n", what,
           (unsigned long long)v->f.size, v->ncps, (unsigned long long)covered);
    if (v->f.size > covered)
        printf("note: %llu newer entries are not yet covered by a checkpoint\n",
               (unsigned long long)(v->f.size - covered));
    return 0;
}

/* Does entry i (its recomputed leaf) verify against the signed root of size `to`, with the
 * server's inclusion proof? */
static bool
proven(const struct client *c, const struct verifier *v, uint64_t i, uint64_t to,
       const uint8_t root[32])
{
    char path[200], err[300];
    snprintf(path, sizeof path, "/api/v1/audit/proofs/inclusion?index=%llu&size=%llu",
             (unsigned long long)i, (unsigned long long)to);
    cJSON *j = client_get_json(c, path, err, sizeof err);
    mhash proof[MERKLE_MAX_DEPTH];
    int n = j ? proof_array(cJSON_GetObjectItem(j, "proof"), proof, MERKLE_MAX_DEPTH) : -1;
    cJSON_Delete(j);
    return n >= 0 && merkle_verify_inclusion(i, to, v->leaves[i], proof, (size_t)n, root);
}

/* The leaves that stand alone in leaf i's audit path in a tree of size n (RFC 6962 §2.1.1: a
 * sibling subtree of one leaf is that leaf's own hash, as stored). At most MERKLE_MAX_DEPTH. */
static int
single_siblings(uint64_t i, uint64_t n, uint64_t *out)
{
    int k = 0;
    for (uint64_t lo = 0, hi = n; hi - lo > 1 && k < MERKLE_MAX_DEPTH;) {
        uint64_t split = 1;
        while (split * 2 < hi - lo)
            split *= 2;
        uint64_t mid = lo + split;
        if (i < mid) { /* the sibling is [mid, hi) */
            if (hi - mid == 1)
                out[k++] = mid;
            hi = mid;
        } else { /* the sibling is [lo, mid) */
            if (mid - lo == 1)
                out[k++] = lo;
            lo = mid;
        }
    }
    return k;
}

/* After a root mismatch, ask the server for inclusion proofs to name the bad entry. A changed
 * entry whose recorded leaf hash was rewritten with it also fails the proofs of every leaf whose
 * audit path holds that leaf's hash alone (its neighbour; or, at the tree's right edge, every
 * earlier leaf), so the culprit is a failing leaf whose failure no failing lone sibling explains.
 * When two neighbours explain each other, hashes alone cannot tell which changed: name both. */
static void
localize(const struct client *c, struct verifier *v)
{
    uint64_t from, to;
    uint8_t root[32];
    if (!verifier_mismatch_range(v, &from, &to, root))
        return;
    uint64_t first = UINT64_MAX;
    for (uint64_t i = from; i < to && i < v->nleaves; i++)
        if (!proven(c, v, i, to, root)) {
            first = i;
            break;
        }
    if (first == UINT64_MAX)
        return;
    uint64_t cand[MERKLE_MAX_DEPTH + 1], sib[MERKLE_MAX_DEPTH];
    int nc = 1 + single_siblings(first, to, cand + 1);
    cand[0] = first;
    for (int k = 0; k < nc; k++) {
        uint64_t cnd = cand[k];
        if (cnd >= v->nleaves || (k > 0 && proven(c, v, cnd, to, root)))
            continue;
        int ns = single_siblings(cnd, to, sib), failing = 0;
        uint64_t other = 0;
        for (int j = 0; j < ns; j++)
            if (sib[j] < v->nleaves && !proven(c, v, sib[j], to, root)) {
                failing++;
                other = sib[j];
            }
        v->bad_index = (int64_t)cnd;
        if (failing == 0) {
            snprintf(v->error, sizeof v->error,
                     "entry %llu does not verify against the signed checkpoint of size %llu (it "
                     "was changed after it was logged)",
                     (unsigned long long)cnd, (unsigned long long)to);
            return;
        }
        if (failing == 1 && (other ^ cnd) == 1) { /* neighbours explaining each other */
            uint64_t lo = other < cnd ? other : cnd;
            v->bad_index = (int64_t)lo;
            snprintf(v->error, sizeof v->error,
                     "entry %llu or %llu does not verify against the signed checkpoint of size "
                     "%llu: one of them was changed after it was logged, together with the leaf "
                     "hash the log recorded for it",
                     (unsigned long long)lo, (unsigned long long)lo + 1, (unsigned long long)to);
            return;
        }
    }
    v->bad_index = (int64_t)first;
    snprintf(v->error, sizeof v->error,
             "entry %llu does not verify against the signed checkpoint of size %llu (it was "
             "changed after it was logged)",
             (unsigned long long)first, (unsigned long long)to);
}

static int
cmd_verify(const struct opts *o)
{
    struct verifier v;
    struct client c;
    char err[300];
    char *vkey = NULL;
    int rc = 2;
    size_t slen = 0;
    char *state = read_state(o->state, &slen); /* the supervisor's cosigned checkpoint */
    memset(&v, 0, sizeof v);
    if (o->state && !state) {
        fprintf(stderr, "ggzy: cannot read %s\n", o->state);
        return 2;
    }
    if (o->file) {
        if (o->vkey) {
            if (!verifier_init(&v, o->vkey, err, sizeof err)) {
                fprintf(stderr, "ggzy: %s\n", err);
                goto out;
            }
            if (state)
                verifier_add_checkpoint(&v, state, slen, true);
        }
        if (!read_export(o->file, &v, o, &vkey, o->vkey ? NULL : state, slen))
            goto out;
    } else {
        if (!setup_client(o, &c) || !(vkey = get_vkey(o, &c, NULL)))
            goto out;
        if (!verifier_init(&v, vkey, err, sizeof err)) {
            fprintf(stderr, "ggzy: %s\n", err);
            goto out;
        }
        if (state)
            verifier_add_checkpoint(&v, state, slen, true);
        if (!fetch_checkpoints(&c, &v, NULL))
            goto out;
        verifier_ready(&v);
        /* Entries first, then the served consistency proofs (checked by verifier_finish). */
        if (!v.failed && !fetch_entries(&c, &v, NULL))
            goto out;
        for (size_t i = 1; i < v.ncps && !v.failed; i++) {
            mhash proof[2 * MERKLE_MAX_DEPTH];
            int n;
            if (v.cps[i - 1].size == 0 || v.cps[i - 1].size == v.cps[i].size ||
                v.cps[i].size > v.f.size)
                continue;
            if (!fetch_consistency(&c, v.cps[i - 1].size, v.cps[i].size, proof, &n))
                goto out;
            verifier_check_consistency(&v, v.cps[i - 1].size, v.cps[i].size, (const mhash *)proof,
                                       (size_t)n);
        }
    }
    verifier_finish(&v);
    if (v.failed && !o->file)
        localize(&c, &v);
    rc = report(&v, o->file ? o->file : o->server);
out:
    free(state);
    free(vkey);
    verifier_free(&v);
    return rc;
}

static int
cmd_export(const struct opts *o)
{
    struct client c;
    if (!setup_client(o, &c))
        return 2;
    char *vkey = get_vkey(o, &c, NULL);
    if (!vkey)
        return 2;
    printf("ggzy-audit-export 1\nvkey %s\n", vkey);
    free(vkey);
    struct verifier v; /* only to learn the checkpoint sizes for the consistency lines */
    char err[300];
    memset(&v, 0, sizeof v);
    if (!fetch_checkpoints(&c, NULL, stdout))
        return 2;
    cJSON *list = client_get_json(&c, "/api/v1/audit/checkpoints?limit=1000", err, sizeof err);
    uint64_t prev = 0;
    for (const cJSON *it = list ? cJSON_GetObjectItem(list, "items")->child : NULL; it;
         it = it->next) {
        uint64_t size = (uint64_t)cJSON_GetObjectItem(it, "size")->valuedouble;
        mhash proof[2 * MERKLE_MAX_DEPTH];
        int n;
        if (prev > 0 && size > prev && fetch_consistency(&c, prev, size, proof, &n)) {
            printf("consistency %llu %llu ", (unsigned long long)prev, (unsigned long long)size);
            for (int i = 0; i < n; i++) {
                char b[48];
                b64_encode(proof[i], 32, b);
                printf("%s%s", i ? "," : "", b);
            }
            printf("\n");
        }
        prev = size;
    }
    cJSON_Delete(list);
    bool ok = fetch_entries(&c, NULL, stdout);
    return ok && fflush(stdout) == 0 ? 0 : 2;
}

static void
print_entry(const cJSON *e, bool redacted)
{
    char ts[40];
    const cJSON *actor = cJSON_GetObjectItem(e, "actor"), *obj = cJSON_GetObjectItem(e, "object");
    const cJSON *uid = cJSON_GetObjectItem(actor, "user_id");
    clock_format((int64_t)cJSON_GetObjectItem(e, "time_us")->valuedouble, ts, sizeof ts);
    char who[80];
    if (cJSON_IsNumber(uid))
        snprintf(who, sizeof who, "user %lld (%s)", (long long)uid->valuedouble,
                 cJSON_GetObjectItem(actor, "role")->valuestring);
    else
        snprintf(who, sizeof who, "%s", cJSON_GetObjectItem(actor, "role")->valuestring);
    printf("#%-6lld %s  %-28s %-26s %s %lld%s\n",
           (long long)cJSON_GetObjectItem(e, "index")->valuedouble, ts, who,
           cJSON_GetObjectItem(e, "action")->valuestring,
           cJSON_GetObjectItem(obj, "type")->valuestring,
           (long long)cJSON_GetObjectItem(obj, "id")->valuedouble, redacted ? "  [withheld]" : "");
}

static int
cmd_replay(const struct opts *o)
{
    struct client c;
    char err[300], path[200];
    if (!o->have_project)
        return usage();
    if (!setup_client(o, &c))
        return 2;
    char *vkey = get_vkey(o, &c, NULL);
    struct verifier v;
    memset(&v, 0, sizeof v);
    int rc = 2;
    cJSON *j = NULL;
    struct inv_state *st = inv_new();
    struct inv_report rep = {0};
    if (!vkey || !st || !verifier_init(&v, vkey, err, sizeof err))
        goto out;
    snprintf(path, sizeof path, "/api/v1/audit/projects/%lld/timeline", o->project);
    j = client_get_json(&c, path, err, sizeof err);
    if (!j) {
        fprintf(stderr, "ggzy: %s\n", err);
        goto out;
    }
    const cJSON *cp = cJSON_GetObjectItem(j, "checkpoint");
    const char *note = cJSON_GetObjectItem(cp, "note")->valuestring;
    if (!verifier_add_checkpoint(&v, note, strlen(note), false)) {
        printf("FAILED: %s\n", v.error);
        rc = 1;
        goto out;
    }
    uint64_t size = v.cps[0].size;
    printf("project %lld: timeline under the checkpoint of size %llu\n", o->project,
           (unsigned long long)size);
    int bad = 0;
    for (const cJSON *it = cJSON_GetObjectItem(j, "entries")->child; it; it = it->next) {
        uint64_t idx = (uint64_t)cJSON_GetObjectItem(it, "index")->valuedouble;
        uint8_t leaf[32], stored[32];
        mhash proof[MERKLE_MAX_DEPTH];
        int n = proof_array(cJSON_GetObjectItem(it, "proof"), proof, MERKLE_MAX_DEPTH);
        const cJSON *e = cJSON_GetObjectItem(it, "entry");
        cJSON *parsed = NULL;
        bool redacted = !cJSON_IsString(e);
        if (!b64_hash(cJSON_GetObjectItem(it, "leaf_hash"), stored) || n < 0) {
            bad++;
            continue;
        }
        if (!redacted) {
            size_t bl = strlen(e->valuestring);
            uint8_t *bytes = malloc(bl);
            long len = bytes ? b64_decode(e->valuestring, bl, bytes, bl) : -1;
            if (len < 0 || !merkle_leaf_hash(bytes, (size_t)len, leaf) ||
                memcmp(leaf, stored, 32)) {
                printf("FAILED at index %llu: the entry does not hash to its leaf\n",
                       (unsigned long long)idx);
                bad++;
            }
            parsed = len >= 0 ? cJSON_ParseWithLength((char *)bytes, (size_t)len) : NULL;
            free(bytes);
        } else {
            memcpy(leaf, stored, 32);
            parsed = cJSON_Duplicate(cJSON_GetObjectItem(it, "redacted"), true);
        }
        if (!merkle_verify_inclusion(idx, size, leaf, proof, (size_t)n, v.cps[0].root)) {
            printf("FAILED at index %llu: not included in the signed checkpoint\n",
                   (unsigned long long)idx);
            bad++;
        }
        if (parsed) {
            print_entry(parsed, redacted);
            inv_feed(st, parsed, &rep);
            cJSON_Delete(parsed);
        }
    }
    for (size_t i = 0; i < rep.n; i++)
        printf("VIOLATION %s at index %lld: %s\n", rep.v[i].code, (long long)rep.v[i].index,
               rep.v[i].message);
    if (bad == 0 && rep.n == 0)
        printf("OK: every entry is in the signed log and every invariant holds\n");
    rc = bad || rep.n ? 1 : 0;
out:
    cJSON_Delete(j);
    inv_report_free(&rep);
    inv_free(st);
    free(vkey);
    verifier_free(&v);
    return rc;
}

/* Read a PEM private key (supervisor's or bidder's). Returns the key (caller frees with
 * EVP_PKEY_free) or NULL; the PEM text is wiped once parsed. */
EVP_PKEY *
load_private_key(const char *path)
{
    size_t keylen = 0;
    char *pem = read_file(path, 64 * 1024, &keylen);
    BIO *bio = pem ? BIO_new_mem_buf(pem, (int)keylen) : NULL;
    EVP_PKEY *key = bio ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL) : NULL;
    BIO_free(bio);
    if (pem)
        OPENSSL_cleanse(pem, keylen); /* the private key's text is wiped once parsed */
    free(pem);
    return key;
}

bool
key_id_of(EVP_PKEY *key, char out[65])
{
    unsigned char *der = NULL;
    int n = key ? i2d_PUBKEY(key, &der) : -1;
    uint8_t h[32];
    bool ok = n > 0 && crypto_sha256(der, (size_t)n, h);
    OPENSSL_free(der);
    if (ok)
        hex_encode(h, 32, out);
    return ok;
}

char *
sign_act_b64(EVP_PKEY *key, const char *domain, const cJSON *fields)
{
    size_t len = 0, dlen = 0;
    uint8_t der[80], raw[64];
    char *msg = sig_message(domain, fields, &len), *out = NULL;
    ECDSA_SIG *sig = NULL;
    const unsigned char *p = der;
    if (msg && note_ecdsa_sign(key, msg, len, der, &dlen) &&
        (sig = d2i_ECDSA_SIG(NULL, &p, (long)dlen)) != NULL &&
        BN_bn2binpad(ECDSA_SIG_get0_r(sig), raw, 32) == 32 &&
        BN_bn2binpad(ECDSA_SIG_get0_s(sig), raw + 32, 32) == 32 && (out = malloc(100)) != NULL)
        b64_encode(raw, 64, out);
    ECDSA_SIG_free(sig);
    free(msg);
    return out;
}

int64_t
server_now_us(const struct client *c)
{
    char err[200];
    cJSON *h = client_get_json(c, "/healthz", err, sizeof err);
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(h, "now_us");
    int64_t now = cJSON_IsNumber(n) ? (int64_t)n->valuedouble : 0;
    cJSON_Delete(h);
    return now;
}

/* Register a signing key with its certificate (docs/operations.md "Trust anchors"): the
 * certificate chain from --cert, and the proof of possession signed with --key. */
int
cmd_key_register(const struct opts *o)
{
    struct client c;
    char err[300];
    if (!o->cert || !o->key)
        return usage();
    if (!setup_client(o, &c))
        return 2;
    int rc = 2;
    size_t plen = 0;
    char *pem = read_file(o->cert, 1 << 16, &plen), *proof = NULL, *body = NULL, *resp = NULL;
    EVP_PKEY *key = load_private_key(o->key);
    cJSON *me = NULL, *f = NULL, *b = NULL;
    BIO *bio = pem ? BIO_new_mem_buf(pem, (int)plen) : NULL;
    X509 *leaf = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
    unsigned char *der = NULL;
    int dl = leaf ? i2d_X509(leaf, &der) : -1;
    uint8_t h[32];
    char hex[65];
    if (!pem || !key || dl <= 0 || !crypto_sha256(der, (size_t)dl, h)) {
        fprintf(stderr, "ggzy: %s is not a PEM certificate or %s not a private key\n", o->cert,
                o->key);
        goto out;
    }
    hex_encode(h, 32, hex);
    me = client_get_json(&c, "/api/v1/me", err, sizeof err);
    const cJSON *uid = cJSON_GetObjectItemCaseSensitive(me, "id");
    const char *platform = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(me, "platform"));
    if (!cJSON_IsNumber(uid) || !platform) {
        fprintf(stderr, "ggzy: %s\n", me ? "GET /api/v1/me does not say who and where" : err);
        goto out;
    }
    f = cJSON_CreateObject();
    cJSON_AddStringToObject(f, "certificate_sha256", hex);
    cJSON_AddStringToObject(f, "platform", platform);
    char idlit[24];
    snprintf(idlit, sizeof idlit, "%lld", (long long)uid->valuedouble);
    cJSON_AddRawToObject(f, "user_id", idlit);
    proof = sign_act_b64(key, "ggzy-key-register-v1", f);
    b = cJSON_CreateObject();
    cJSON_AddStringToObject(b, "certificate", pem);
    cJSON_AddStringToObject(b, "proof", proof ? proof : "");
    cJSON_AddStringToObject(b, "label", o->label ? o->label : "");
    body = cJSON_PrintUnformatted(b);
    int status = 0;
    if (!proof || !body ||
        !client_request(&c, "POST", "/api/v1/me/keys", body, &status, &resp, NULL, err,
                        sizeof err)) {
        fprintf(stderr, "ggzy: %s\n", proof ? err : "cannot sign the proof");
        goto out;
    }
    rc = 1;
    if (status != 201)
        print_refusal(status, resp);
    else {
        cJSON *a = cJSON_Parse(resp);
        printf("registered key %s\n",
               cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(a, "key_id")));
        cJSON_Delete(a);
        rc = 0;
    }
out:
    OPENSSL_free(der);
    X509_free(leaf);
    BIO_free(bio);
    free(pem);
    free(proof);
    free(body);
    free(resp);
    cJSON_Delete(me);
    cJSON_Delete(f);
    cJSON_Delete(b);
    EVP_PKEY_free(key);
    return rc;
}

static int
cmd_cosign(const struct opts *o)
{
    struct client c;
    char err[300];
    if (!o->key)
        return usage();
    if (!setup_client(o, &c))
        return 2;
    EVP_PKEY *key = load_private_key(o->key);
    char *vkey = get_vkey(o, &c, NULL);
    struct verifier v;
    memset(&v, 0, sizeof v);
    int rc = 2;
    cJSON *cp = NULL;
    char *state = NULL, *resp = NULL;
    if (!key || !EVP_PKEY_is_a(key, "EC")) {
        fprintf(stderr, "ggzy: %s is not an EC (P-256) private key\n", o->key);
        goto out;
    }
    if (!vkey || !verifier_init(&v, vkey, err, sizeof err))
        goto out;
    cp = client_get_json(&c, "/api/v1/audit/checkpoint", err, sizeof err);
    if (!cp) {
        fprintf(stderr, "ggzy: %s\n", err);
        goto out;
    }
    const char *note = cJSON_GetObjectItem(cp, "note")->valuestring;
    if (!verifier_add_checkpoint(&v, note, strlen(note), false)) {
        printf("REFUSED: %s\n", v.error);
        rc = 1;
        goto out;
    }
    struct vcheckpoint now = v.cps[0];
    size_t slen = 0;
    state = read_state(o->state, &slen);
    if (state) { /* consistency with the last checkpoint this supervisor cosigned */
        struct verifier old;
        char e2[300];
        memset(&old, 0, sizeof old);
        bool ok = verifier_init(&old, vkey, e2, sizeof e2) &&
                  verifier_add_checkpoint(&old, state, slen, true);
        uint64_t m = ok ? old.cps[0].size : 0;
        if (ok && m > now.size)
            ok = false;
        else if (ok && m == now.size)
            ok = !memcmp(old.cps[0].root, now.root, 32);
        else if (ok && m > 0) {
            mhash proof[2 * MERKLE_MAX_DEPTH];
            int n;
            ok = fetch_consistency(&c, m, now.size, proof, &n) &&
                 merkle_verify_consistency(m, now.size, old.cps[0].root, now.root,
                                           (const mhash *)proof, (size_t)n);
        }
        verifier_free(&old);
        if (!ok) {
            printf("REFUSED: the log's checkpoint of size %llu is not consistent with the one "
                   "of size %llu you cosigned before: the log forked\n",
                   (unsigned long long)now.size, (unsigned long long)m);
            rc = 1;
            goto out;
        }
    }
    /* Sign the checkpoint text: type 0x02, key id = SHA-256(SPKI)[:4]. */
    unsigned char *spki = NULL;
    int spki_len = i2d_PUBKEY(key, &spki);
    uint8_t raw[4 + 80];
    size_t siglen = 0;
    char b64[160], body[256], path[120];
    if (spki_len <= 0 || !note_ecdsa_key_id(spki, (size_t)spki_len, raw) ||
        !note_ecdsa_sign(key, now.text, strlen(now.text), raw + 4, &siglen)) {
        OPENSSL_free(spki);
        fprintf(stderr, "ggzy: cannot sign\n");
        goto out;
    }
    OPENSSL_free(spki);
    b64_encode(raw, 4 + siglen, b64);
    snprintf(body, sizeof body, "{\"signature\":\"%s\"}", b64);
    snprintf(path, sizeof path, "/api/v1/audit/checkpoints/%llu/cosignatures",
             (unsigned long long)now.size);
    int status = 0;
    if (!client_request(&c, "POST", path, body, &status, &resp, NULL, err, sizeof err)) {
        fprintf(stderr, "ggzy: %s\n", err);
        goto out;
    }
    if (status != 201) {
        printf("REFUSED by the server (HTTP %d): %s\n", status, resp);
        rc = 1;
        goto out;
    }
    if (o->state) { /* remember what we cosigned: the checkpoint text and the log's line */
        FILE *f = fopen(o->state, "w");
        struct checkpoint_note n;
        char why[100];
        note_parse(note, strlen(note), &n, why, sizeof why);
        if (!f || fprintf(f, "%.*s\n", (int)n.text_len, note) < 0) {
            fprintf(stderr, "ggzy: cannot write %s\n", o->state);
            if (f)
                fclose(f);
            goto out;
        }
        for (int i = 0; i < n.nsigs; i++)
            if (!strcmp(n.sigs[i].name, v.vname)) {
                uint8_t sraw[4 + 160];
                char sb[300];
                memcpy(sraw, n.sigs[i].key_id, 4);
                memcpy(sraw + 4, n.sigs[i].sig, n.sigs[i].sig_len);
                b64_encode(sraw, 4 + n.sigs[i].sig_len, sb);
                fprintf(f, "\xE2\x80\x94 %s %s\n", n.sigs[i].name, sb);
            }
        fclose(f);
    }
    printf("cosigned the checkpoint of size %llu\n", (unsigned long long)now.size);
    rc = 0;
out:
    free(resp);
    free(state);
    cJSON_Delete(cp);
    free(vkey);
    verifier_free(&v);
    EVP_PKEY_free(key);
    return rc;
}

/* Write each document of an opened bid into dir (names were checked by bidplain_parse, so
 * none escapes dir). Returns false on the first I/O error. */
static bool
write_documents(const struct bidplain *bp, const char *dir)
{
    for (int i = 0; i < bp->ndocs; i++) {
        char path[4096];
        int n = snprintf(path, sizeof path, "%s/%.*s", dir, (int)bp->docs[i].name_len,
                         bp->docs[i].name);
        if (n < 0 || (size_t)n >= sizeof path)
            return false;
        FILE *f = fopen(path, "wb");
        bool ok = f && fwrite(bp->docs[i].data, 1, (size_t)bp->docs[i].len, f) == bp->docs[i].len;
        if (f && fclose(f) != 0)
            ok = false;
        if (!ok)
            return false;
    }
    return true;
}

/* Open an envelope with a lot's opening private key (published after the opening): check
 * its structure, the bidder's signature (with --bidder-key) and every chunk; print the header
 * and write the plaintext to --out (or stdout). */
static int
cmd_envelope_open(const struct opts *o)
{
    uint8_t sk[32];
    size_t len = 0;
    if (!o->file || !o->opening_sk || !hex_decode(o->opening_sk, sk, 32))
        return usage();
    uint8_t *env = (uint8_t *)read_file(o->file, (size_t)1 << 30, &len);
    if (!env) {
        fprintf(stderr, "ggzy: cannot read %s\n", o->file);
        return 2;
    }
    struct env_view v;
    char why[200];
    uint8_t *pt = NULL;
    int rc = 1;
    if (!env_parse(env, len, &v, why, sizeof why)) {
        printf("FAILED: %s\n", why);
        goto out;
    }
    printf("header: %.*s\n", (int)v.header_len, (const char *)v.header);
    if (o->key) {
        size_t kl = 0;
        char *pem = read_file(o->key, 64 * 1024, &kl);
        uint8_t *der = NULL;
        size_t dl = 0;
        char kid[65], err[200];
        bool ok = pem && pubkey_parse_p256(pem, kl, &der, &dl, kid, err, sizeof err) &&
                  env_verify_signature(&v, der, dl);
        free(pem);
        free(der);
        if (!ok) {
            printf("FAILED: the bidder's signature does not verify\n");
            goto out;
        }
        printf("signature: verified (key %s)\n", kid);
    }
    if (!env_open(&v, sk, &pt, why, sizeof why)) {
        printf("FAILED: %s\n", why);
        goto out;
    }
    FILE *f = o->out ? fopen(o->out, "wb") : o->out_dir ? NULL : stdout;
    if ((o->out || !o->out_dir) &&
        (!f || fwrite(pt, 1, (size_t)v.pt_len, f) != v.pt_len || (o->out && fclose(f) != 0))) {
        fprintf(stderr, "ggzy: cannot write the plaintext\n");
        rc = 2;
        goto out;
    }
    if (o->out)
        printf("plaintext: %llu bytes written to %s\n", (unsigned long long)v.pt_len, o->out);
    struct bidplain bp;
    if (bidplain_parse(pt, (size_t)v.pt_len, &bp, why, sizeof why)) {
        printf("summary: %.*s\n", (int)bp.summary_len, bp.summary);
        for (int i = 0; i < bp.ndocs; i++)
            printf("document: %.*s (%llu bytes)\n", (int)bp.docs[i].name_len, bp.docs[i].name,
                   (unsigned long long)bp.docs[i].len);
        if (o->out_dir && !write_documents(&bp, o->out_dir)) {
            fprintf(stderr, "ggzy: cannot write the documents into %s\n", o->out_dir);
            rc = 2;
            goto out;
        }
    } else if (o->out_dir) {
        printf("FAILED: %s\n", why);
        goto out;
    }
    rc = 0;
out:
    OPENSSL_cleanse(sk, sizeof sk);
    free(pt);
    free(env);
    return rc;
}

/* An integer member of the lot binding; false if missing or not an exact integer. */
static bool
binding_i64(const cJSON *o, const char *name, int64_t *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    if (!cJSON_IsNumber(v) || !(v->valuedouble >= 0 && v->valuedouble <= 9007199254740991.0) ||
        v->valuedouble != (double)(int64_t)v->valuedouble)
        return false;
    *out = (int64_t)v->valuedouble;
    return true;
}

/* A signed public announcement (GET /api/v1/public/announcements/{id}/signature), its Ed25519
 * signature checked with vpub: its content, parsed (caller frees), or NULL with the reason on
 * stderr. */
static cJSON *
signed_announcement(const struct client *c, int64_t id, const uint8_t vpub[32])
{
    char path[96], err[300], msg[128];
    snprintf(path, sizeof path, "/api/v1/public/announcements/%lld/signature", (long long)id);
    cJSON *j = client_get_json(c, path, err, sizeof err), *content = NULL;
    const char *text = j ? cJSON_GetStringValue(cJSON_GetObjectItem(j, "content")) : NULL;
    const char *sig64 = j ? cJSON_GetStringValue(cJSON_GetObjectItem(j, "signature")) : NULL;
    uint8_t sha[32], sig[64];
    char hex[65];
    if (!text || !sig64) {
        fprintf(stderr, "ggzy: announcement %lld: %s\n", (long long)id,
                j ? "no signed content" : err);
        goto out;
    }
    if (!crypto_sha256(text, strlen(text), sha))
        goto out;
    hex_encode(sha, 32, hex);
    int mlen = snprintf(msg, sizeof msg, "ggzy-announcement-v1\n%s\n", hex);
    if (b64_decode(sig64, strlen(sig64), sig, sizeof sig) != 64 ||
        !note_ed25519_verify(vpub, msg, (size_t)mlen, sig, 64)) {
        printf("REFUSED: announcement %lld is not signed by the platform's key\n", (long long)id);
        goto out;
    }
    content = cJSON_Parse(text);
out:
    cJSON_Delete(j);
    return content;
}

/* The binding fetched from the platform must say what the platform signed for everyone: the
 * lot's opening key as in the tender announcement's `opening_keys`, and the deadline as in the
 * announcement that sets it (docs/envelope.md §8). So a platform cannot hand one bidder a key
 * of its own without publishing it to all. The verifier key: --vkey, else the server's (with a
 * warning). False, with the reason printed, when anything differs. */
static bool
binding_published(const struct opts *o, const struct client *c, const cJSON *b,
                  const struct env_binding *eb, const char *pk_hex)
{
    char vname[256];
    uint8_t vid[4], vpub[32];
    char *vkey = get_vkey(o, c, NULL);
    bool vk = vkey && note_parse_vkey(vkey, vname, vid, vpub);
    free(vkey);
    if (!vk) {
        fprintf(stderr, "ggzy: no usable verifier key (--vkey)\n");
        return false;
    }
    const cJSON *src = cJSON_GetObjectItemCaseSensitive(b, "announcements");
    int64_t keys_ann = 0, deadline_ann = 0;
    if (!binding_i64(src, "opening_key", &keys_ann) ||
        !binding_i64(src, "deadline", &deadline_ann)) {
        printf("REFUSED: no published tender announcement carries lot %lld's opening key\n",
               (long long)eb->lot);
        return false;
    }
    bool ok = false;
    cJSON *k = signed_announcement(c, keys_ann, vpub), *d = NULL;
    const cJSON *e, *keys = k ? cJSON_GetObjectItemCaseSensitive(k, "opening_keys") : NULL;
    cJSON_ArrayForEach(e, keys)
    {
        int64_t lot;
        const char *id = cJSON_GetStringValue(cJSON_GetObjectItem(e, "key_id"));
        const char *pub = cJSON_GetStringValue(cJSON_GetObjectItem(e, "public_key"));
        if (binding_i64(e, "lot", &lot) && lot == eb->lot && id && pub)
            ok = !strcmp(id, eb->opening_key_id) && !strcasecmp(pub, pk_hex);
    }
    if (k && !ok)
        printf("REFUSED: the binding's opening key for lot %lld is not the one announcement %lld "
               "published\n",
               (long long)eb->lot, (long long)keys_ann);
    int64_t dl = 0;
    if (ok && (d = signed_announcement(c, deadline_ann, vpub)) != NULL &&
        !(binding_i64(d, "bid_deadline_us", &dl) && dl == eb->bid_deadline_us)) {
        printf("REFUSED: the binding's deadline is not the one announcement %lld published\n",
               (long long)deadline_ann);
        ok = false;
    }
    ok = ok && d;
    if (ok)
        printf("checked: the opening key and the deadline are those the platform signed in "
               "announcements %lld and %lld\n",
               (long long)keys_ann, (long long)deadline_ann);
    cJSON_Delete(k);
    cJSON_Delete(d);
    return ok;
}

/* Seal a bid on the bidder's machine (docs/envelope.md): the opening summary and the
 * documents go into the bid container (§4.1), which is sealed to the lot's opening public key
 * and signed with the bidder's key. The lot binding (LOT.json) names what the header binds:
 * platform, project_code, lot, bidder_org_id, revision, bid_deadline_us, opening_key_id and
 * opening_pk (hex, 65-byte uncompressed P-256 point). Nothing leaves the machine. */
static int
cmd_bid_seal(const struct opts *o)
{
    if ((!o->binding && !(o->have_project && o->lot > 0)) || !o->summary || !o->key || !o->out)
        return usage();
    int rc = 2;
    size_t len = 0, slen = 0, envlen = 0;
    char *bjson = NULL, *summary = NULL, why[300];
    uint8_t *docbuf[BIDPLAIN_MAX_DOCS] = {0}, *der = NULL, *env = NULL;
    struct bid_doc docs[BIDPLAIN_MAX_DOCS];
    struct buf pt = {0};
    cJSON *b = NULL;
    EVP_PKEY *key = load_private_key(o->key);
    if (!key || !EVP_PKEY_is_a(key, "EC")) {
        fprintf(stderr, "ggzy: %s is not an EC (P-256) private key\n", o->key);
        goto out;
    }
    if (o->binding) {
        bjson = read_file(o->binding, 64 * 1024, &len);
        b = bjson ? cJSON_ParseWithLength(bjson, len) : NULL;
    } else { /* the lot's binding for the caller's organization, from the platform */
        struct client c;
        char err[300], path[128];
        if (!setup_client(o, &c))
            goto out;
        snprintf(path, sizeof path, "/api/v1/projects/%lld/lots/%lld/bids/binding", o->project,
                 o->lot);
        if (!(b = client_get_json(&c, path, err, sizeof err))) {
            fprintf(stderr, "ggzy: %s\n", err);
            goto out;
        }
    }
    struct env_binding eb = {0};
    uint8_t opk[65];
    const cJSON *pk = cJSON_GetObjectItemCaseSensitive(b, "opening_pk");
    eb.platform = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(b, "platform"));
    eb.project_code = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(b, "project_code"));
    eb.opening_key_id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(b, "opening_key_id"));
    if (!b || !eb.platform || !eb.project_code || !eb.opening_key_id ||
        !binding_i64(b, "lot", &eb.lot) || !binding_i64(b, "bidder_org_id", &eb.bidder_org_id) ||
        !binding_i64(b, "revision", &eb.revision) ||
        !binding_i64(b, "bid_deadline_us", &eb.bid_deadline_us) || !cJSON_IsString(pk) ||
        !hex_decode(pk->valuestring, opk, sizeof opk)) {
        fprintf(stderr,
                "ggzy: %s must be a JSON object with platform, project_code, lot, bidder_org_id, "
                "revision, bid_deadline_us, opening_key_id and opening_pk (hex)\n",
                o->binding ? o->binding : "the lot binding");
        goto out;
    }
    if (!o->binding) { /* fetched: it must be what the platform signed for everyone */
        struct client c;
        if (!setup_client(o, &c))
            goto out;
        if (!binding_published(o, &c, b, &eb, pk->valuestring)) {
            rc = 1;
            goto out;
        }
    }
    /* signer_key_id: hex SHA-256 of the bidder's SubjectPublicKeyInfo, as registered */
    int dl = i2d_PUBKEY(key, &der);
    uint8_t kid_raw[32];
    char kid[65];
    if (dl <= 0 || !crypto_sha256(der, (size_t)dl, kid_raw)) {
        fprintf(stderr, "ggzy: cannot encode the bidder's public key\n");
        goto out;
    }
    hex_encode(kid_raw, 32, kid);
    eb.signer_key_id = kid;
    summary = read_file(o->summary, BIDPLAIN_MAX_SUMMARY + 1, &slen);
    if (!summary) {
        fprintf(stderr, "ggzy: cannot read %s (at most %d bytes)\n", o->summary,
                BIDPLAIN_MAX_SUMMARY);
        goto out;
    }
    while (slen && (summary[slen - 1] == '\n' || summary[slen - 1] == '\r'))
        slen--; /* a trailing newline from an editor is not part of the summary */
    for (int i = 0; i < o->ndocs; i++) {
        size_t dlen = 0;
        docbuf[i] = (uint8_t *)read_file(o->docs[i], (size_t)1 << 30, &dlen);
        if (!docbuf[i]) {
            fprintf(stderr, "ggzy: cannot read %s\n", o->docs[i]);
            goto out;
        }
        const char *slash = strrchr(o->docs[i], '/');
        docs[i].name = slash ? slash + 1 : o->docs[i];
        docs[i].name_len = strlen(docs[i].name);
        docs[i].data = docbuf[i];
        docs[i].len = dlen;
    }
    if (!bidplain_build(summary, slen, docs, o->ndocs, &pt, why, sizeof why)) {
        printf("REFUSED: %s\n", why);
        rc = 1;
        goto out;
    }
    if (!env_seal(&eb, opk, key, (const uint8_t *)pt.p, pt.len, NULL, &env, &envlen)) {
        fprintf(stderr, "ggzy: sealing failed (is opening_pk a P-256 point?)\n");
        goto out;
    }
    FILE *f = fopen(o->out, "wb");
    bool wrote = f && fwrite(env, 1, envlen, f) == envlen;
    if (f && fclose(f) != 0)
        wrote = false;
    if (!wrote) {
        fprintf(stderr, "ggzy: cannot write %s\n", o->out);
        goto out;
    }
    uint8_t h[32];
    char hh[65];
    crypto_sha256(env, envlen, h);
    hex_encode(h, 32, hh);
    printf("sealed %zu bytes (%d documents) into %s, %zu bytes, sha256 %s\n", pt.len, o->ndocs,
           o->out, envlen, hh);
    rc = 0;
out:
    if (pt.p)
        OPENSSL_cleanse(pt.p, pt.cap); /* the bid's plaintext is wiped once sealed */
    buf_free(&pt);
    for (int i = 0; i < o->ndocs; i++)
        free(docbuf[i]);
    free(summary);
    free(env);
    OPENSSL_free(der);
    cJSON_Delete(b);
    free(bjson);
    EVP_PKEY_free(key);
    return rc;
}

/* Decode a hex string member of o into out (exactly n bytes). */
bool
hex_member(const cJSON *o, const char *name, uint8_t *out, size_t n)
{
    const char *h = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, name));
    return h && strlen(h) == 2 * n && hex_decode(h, out, n);
}

/* A custodian checks their share of a lot's opening key (docs/envelope.md §7): fetch the
 * sealed share, open it with their own private key, and verify it against the published
 * Feldman commitments, whose first is the public key itself — so a bad share, or commitments
 * to another key, are found when the key is made, not at the opening.
 * The share itself is never printed or written. */
static int
custodian_run(const struct opts *o, bool submit)
{
    struct client c;
    char err[300], path[128];
    if (!o->key || !o->have_project || o->lot <= 0)
        return usage();
    if (!setup_client(o, &c))
        return 2;
    int rc = 2;
    uint8_t sk[32], pk[65], enc[65], sealed[TL_SEALED_SHARE], cm[VSS_MAX][65];
    struct vss_share share;
    BIGNUM *bn = NULL;
    cJSON *j = NULL;
    EVP_PKEY *key = load_private_key(o->key);
    if (!key || !EVP_PKEY_is_a(key, "EC") ||
        EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_PRIV_KEY, &bn) != 1 ||
        BN_bn2binpad(bn, sk, 32) != 32) {
        fprintf(stderr, "ggzy: %s is not an EC (P-256) private key\n", o->key);
        goto out;
    }
    snprintf(path, sizeof path, "/api/v1/projects/%lld/lots/%lld/opening-key/share", o->project,
             o->lot);
    j = client_get_json(&c, path, err, sizeof err);
    if (!j) {
        fprintf(stderr, "ggzy: %s\n", err);
        goto out;
    }
    const cJSON *sh = cJSON_GetObjectItemCaseSensitive(j, "share");
    const cJSON *cms = cJSON_GetObjectItemCaseSensitive(j, "commitments");
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(sh, "x");
    const char *kid = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "key_id"));
    int k = cJSON_GetArraySize(cms);
    char id[65];
    if (!hex_member(j, "public_key", pk, 65) || !hex_member(sh, "enc", enc, 65) ||
        !hex_member(sh, "sealed", sealed, sizeof sealed) || !cJSON_IsNumber(x) ||
        x->valuedouble < 1 || x->valuedouble > VSS_MAX || k < 2 || k > VSS_MAX || !kid) {
        fprintf(stderr, "ggzy: the server's answer is not an opening key with a share\n");
        goto out;
    }
    for (int i = 0; i < k; i++) {
        const char *h = cJSON_GetStringValue(cJSON_GetArrayItem(cms, i));
        if (!h || strlen(h) != 130 || !hex_decode(h, cm[i], 65)) {
            fprintf(stderr, "ggzy: commitment %d is not a hex point\n", i);
            goto out;
        }
    }
    rc = 1;
    if (!tl_key_id(pk, id) || strcmp(id, kid)) {
        printf("FAILED: the key id %s is not the hash of the public key\n", kid);
        goto out;
    }
    /* Feldman: C_0 = f(0)·G is the opening public key itself, so shares that match the
     * commitments are shares of the published key, and of no other */
    if (CRYPTO_memcmp(cm[0], pk, 65) != 0) {
        printf("FAILED: the commitments are not to opening key %s (C_0 is not its public key)\n",
               kid);
        goto out;
    }
    if (!tl_share_open(pk, (uint8_t)x->valueint, enc, sealed, sk, &share)) {
        printf("FAILED: share %d does not open with this key\n", x->valueint);
        goto out;
    }
    if (!vss_verify(&share, (const uint8_t(*)[65])cm, k)) {
        printf("FAILED: share %d does not match the published commitments\n", x->valueint);
        goto out;
    }
    printf("share %d of opening key %s (any %d open) verified against the commitments\n",
           x->valueint, kid, k);
    rc = 0;
    if (submit) { /* hand it in, signed: the server refuses it before the opening time */
        char hex[65], bodyj[512], *resp = NULL, kidh[65], sh_hex[65];
        int status = 0;
        uint8_t sh_hash[32];
        const char *platform =
            cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "platform"));
        const char *code =
            cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "project_code"));
        int64_t now = server_now_us(&c);
        cJSON *f = cJSON_CreateObject();
        char lit[24];
        snprintf(lit, sizeof lit, "%lld", o->lot);
        cJSON_AddRawToObject(f, "lot", lit);
        cJSON_AddStringToObject(f, "opening_key_id", kid);
        cJSON_AddStringToObject(f, "platform", platform ? platform : "");
        cJSON_AddStringToObject(f, "project_code", code ? code : "");
        snprintf(lit, sizeof lit, "%lld", (long long)now);
        cJSON_AddRawToObject(f, "signed_us", lit);
        crypto_sha256(share.y, 32, sh_hash);
        hex_encode(sh_hash, 32, sh_hex);
        cJSON_AddStringToObject(f, "share_sha256", sh_hex);
        cJSON_AddNumberToObject(f, "x", x->valueint);
        char *sig = platform && code && now > 0 && key_id_of(key, kidh)
                        ? sign_act_b64(key, "ggzy-share-handin-v1", f)
                        : NULL;
        cJSON_Delete(f);
        if (!sig) {
            fprintf(stderr, "ggzy: the hand-in cannot be signed (the server's clock, platform or "
                            "project code is missing)\n");
            rc = 2;
            goto out;
        }
        hex_encode(share.y, 32, hex);
        snprintf(bodyj, sizeof bodyj,
                 "{\"x\":%d,\"share\":\"%s\",\"key_id\":\"%s\",\"signed_us\":%lld,"
                 "\"signature\":\"%s\"}",
                 x->valueint, hex, kidh, (long long)now, sig);
        free(sig);
        OPENSSL_cleanse(hex, sizeof hex);
        snprintf(path, sizeof path, "/api/v1/projects/%lld/lots/%lld/opening/shares", o->project,
                 o->lot);
        bool sent = client_request(&c, "POST", path, bodyj, &status, &resp, NULL, err, sizeof err);
        OPENSSL_cleanse(bodyj, sizeof bodyj);
        cJSON *a = sent ? cJSON_Parse(resp) : NULL;
        if (!sent) {
            fprintf(stderr, "ggzy: %s\n", err);
            rc = 2;
        } else if (status != 200) {
            print_refusal(status, resp);
            rc = 1;
        } else {
            const char *state = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(a, "state"));
            printf("share %d handed in; the opening is %s\n", x->valueint, state ? state : "?");
        }
        cJSON_Delete(a);
        free(resp);
    }
out:
    /* the custodian's private scalar and their share are wiped once used */
    OPENSSL_cleanse(sk, sizeof sk);
    OPENSSL_cleanse(&share, sizeof share);
    BN_clear_free(bn);
    EVP_PKEY_free(key);
    cJSON_Delete(j);
    return rc;
}

static int
cmd_custodian_check(const struct opts *o)
{
    return custodian_run(o, false);
}

/* At the opening: open one's own share locally, check it, and hand it in. */
int
cmd_custodian_share(const struct opts *o)
{
    return custodian_run(o, true);
}

/* Progress of a large upload on stderr, every 10 %, when stderr is a terminal. */
void
upload_progress(uint64_t sent, uint64_t total, void *arg)
{
    int *last = arg;
    int pct = total ? (int)(sent * 100 / total) : 100;
    if (pct / 10 != *last / 10 || sent == total) {
        fprintf(stderr, "\rsent %llu of %llu bytes (%d%%)%s", (unsigned long long)sent,
                (unsigned long long)total, pct, sent == total ? "\n" : "");
        *last = pct;
    }
}

void
print_refusal(int status, const char *resp)
{
    cJSON *j = cJSON_Parse(resp);
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(j, "error");
    const char *code = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "code"));
    const char *rule = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "rule"));
    const char *msg = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "message"));
    printf("REFUSED (HTTP %d): %s%s%s: %s\n", status, code ? code : "?", rule ? " " : "",
           rule ? rule : "", msg ? msg : resp);
    cJSON_Delete(j);
}

bool
upload_file(const struct client *c, const char *file, const char *path, int *status, char **resp,
            size_t *resplen)
{
    char err[300];
    FILE *f = fopen(file, "rb");
    struct stat st;
    if (!f || fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        fprintf(stderr, "ggzy: cannot read %s\n", file);
        if (f)
            fclose(f);
        return false;
    }
    int last = -1;
    struct client_body body = {.type = "application/octet-stream",
                               .file = f,
                               .file_len = (uint64_t)st.st_size,
                               .progress = isatty(2) ? upload_progress : NULL,
                               .arg = &last};
    bool ok = client_send(c, "POST", path, &body, status, resp, resplen, err, sizeof err);
    if (!ok)
        fprintf(stderr, "ggzy: %s\n", err);
    fclose(f);
    return ok;
}

/* Stream a sealed envelope to the platform's pre-flight check (POST /api/v1/envelopes/check):
 * its format and the signature with one of the bidder's registered keys. Prints the SHA-256
 * a receipt will name. The file is streamed, never read whole. */
static int
cmd_bid_check(const struct opts *o)
{
    struct client c;
    if (!o->file)
        return usage();
    if (!setup_client(o, &c))
        return 2;
    int status = 0, rc = 2;
    char *resp = NULL;
    cJSON *j = NULL;
    if (!upload_file(&c, o->file, "/api/v1/envelopes/check", &status, &resp, NULL))
        goto out;
    if (status != 200) {
        print_refusal(status, resp);
        rc = 1;
        goto out;
    }
    j = cJSON_Parse(resp);
    const char *sha = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "sha256"));
    printf("envelope OK: sha256 %s, signature verified\n", sha ? sha : "?");
    rc = 0;
out:
    cJSON_Delete(j);
    free(resp);
    return rc;
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
    const char *words[3] = {NULL, NULL, NULL};
    int nw = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--server") && val)
            o.server = argv[++i];
        else if (!strcmp(a, "--ca") && val)
            o.ca = argv[++i];
        else if (!strcmp(a, "--token") && val)
            o.token = argv[++i];
        else if (!strcmp(a, "--vkey") && val)
            o.vkey = argv[++i];
        else if (!strcmp(a, "--file") && val)
            o.file = argv[++i];
        else if (!strcmp(a, "--state") && val)
            o.state = argv[++i];
        else if ((!strcmp(a, "--key") || !strcmp(a, "--bidder-key")) && val)
            o.key = argv[++i];
        else if (!strcmp(a, "--envelope") && val)
            o.envelope = argv[++i];
        else if (!strcmp(a, "--cert") && val)
            o.cert = argv[++i];
        else if (!strcmp(a, "--label") && val)
            o.label = argv[++i];
        else if (!strcmp(a, "--receipt-out") && val)
            o.receipt_out = argv[++i];
        else if (!strcmp(a, "--opening-sk") && val)
            o.opening_sk = argv[++i];
        else if (!strcmp(a, "--out") && val)
            o.out = argv[++i];
        else if (!strcmp(a, "--out-dir") && val)
            o.out_dir = argv[++i];
        else if (!strcmp(a, "--binding") && val)
            o.binding = argv[++i];
        else if (!strcmp(a, "--summary") && val)
            o.summary = argv[++i];
        else if (!strcmp(a, "--doc") && val && o.ndocs < BIDPLAIN_MAX_DOCS)
            o.docs[o.ndocs++] = argv[++i];
        else if (!strcmp(a, "--project") && val) {
            char *end;
            o.project = strtoll(argv[++i], &end, 10);
            o.have_project = *end == '\0' && o.project > 0;
            if (!o.have_project)
                return usage();
        } else if (!strcmp(a, "--lot") && val) {
            char *end;
            o.lot = strtoll(argv[++i], &end, 10);
            if (*end != '\0' || o.lot <= 0)
                return usage();
        } else if (a[0] != '-' && nw < 3)
            words[nw++] = a;
        else
            return usage();
    }
    if (nw == 2 && !strcmp(words[0], "envelope") && !strcmp(words[1], "open"))
        return cmd_envelope_open(&o);
    if (nw == 2 && !strcmp(words[0], "custodian") && !strcmp(words[1], "check"))
        return cmd_custodian_check(&o);
    if (nw == 2 && !strcmp(words[0], "bid") && !strcmp(words[1], "check"))
        return cmd_bid_check(&o);
    if (nw == 2 && !strcmp(words[0], "bid") && !strcmp(words[1], "seal"))
        return cmd_bid_seal(&o);
    if (nw == 2 && !strcmp(words[0], "bid") && !strcmp(words[1], "submit"))
        return cmd_bid_submit(&o);
    if (nw == 2 && !strcmp(words[0], "bid") && !strcmp(words[1], "list"))
        return cmd_bid_list(&o);
    if (nw == 2 && !strcmp(words[0], "bid") && !strcmp(words[1], "withdraw"))
        return cmd_bid_withdraw(&o);
    if (nw == 2 && !strcmp(words[0], "custodian") && !strcmp(words[1], "share"))
        return cmd_custodian_share(&o);
    if (nw == 2 && !strcmp(words[0], "receipt") && !strcmp(words[1], "verify"))
        return cmd_receipt_verify(&o);
    if (nw == 2 && !strcmp(words[0], "opening") && !strcmp(words[1], "verify"))
        return cmd_opening_verify(&o);
    if (nw == 2 && !strcmp(words[0], "opening") && !strcmp(words[1], "start"))
        return cmd_opening_start(&o);
    if (nw == 2 && !strcmp(words[0], "key") && !strcmp(words[1], "register"))
        return cmd_key_register(&o);
    if (nw != 2 || strcmp(words[0], "audit"))
        return usage();
    if (!strcmp(words[1], "verify"))
        return cmd_verify(&o);
    if (!strcmp(words[1], "export"))
        return cmd_export(&o);
    if (!strcmp(words[1], "replay"))
        return cmd_replay(&o);
    if (!strcmp(words[1], "cosign"))
        return cmd_cosign(&o);
    if (!strcmp(words[1], "invariants")) {
        for (size_t i = 0; inv_code(i); i++)
            printf("%-24s %s\n", inv_code(i), inv_description(i));
        return 0;
    }
    return usage();
}
