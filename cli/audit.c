/*
 * audit.c — `ggzy audit …`: the supervisor's side of the tamper-evident log (docs/audit.md).
 *
 *   verify      fetch (or read an export of) every entry and checkpoint, rebuild the Merkle tree,
 *               check each signature and each consistency proof, and name a changed entry
 *   export      write the log and its checkpoints to stdout, to verify or replay elsewhere
 *   replay      one project's timeline under a signed checkpoint, with every invariant checked;
 *               or (--file without --project) a whole exported log, verified, with the venue
 *               ledger's invariants across every project (INV-VENUE-*)
 *   cosign      countersign the newest checkpoint after checking it extends the last one cosigned
 *   invariants  list the rules the replay checks
 *
 * Exit status: 0 verified, 1 a problem was found, 2 usage or I/O.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "cmd.h"
#include "crypto.h"
#include "invariants.h"
#include "merkle.h"
#include "note.h"
#include "util.h"
#include "verify.h"

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

/* Entries are verified in batches, pipelined: while worker threads do the order-free work of one
 * batch (each entry's claimed index, its leaf hash and the stored hash it is compared with:
 * verifier_hash_entry), this thread reads the next; a hashed batch then joins the tree in log
 * order. On one core it is the same work in the same order. */
#define VERIFY_BATCH   16384
#define VERIFY_THREADS 8

struct vslot {
    const char *json; /* NULL: withheld */
    size_t jlen;
    const char *stored_b64;
    size_t stored_len;
    bool have_stored;
    uint8_t stored[32];
    struct hashed_entry h;
};

struct vrange {
    struct vslot *s;
    size_t from, to;
};

struct vbatch {
    struct vslot s[VERIFY_BATCH];
    size_t n, nt;
    bool running;
    pthread_t th[VERIFY_THREADS];
    bool started[VERIFY_THREADS];
    struct vrange rg[VERIFY_THREADS];
};

static void *
hash_range(void *arg)
{
    struct vrange *r = arg;
    for (size_t i = r->from; i < r->to; i++) {
        struct vslot *e = &r->s[i];
        e->have_stored = b64_decode(e->stored_b64, e->stored_len, e->stored, 32) == 32;
        verifier_hash_entry(e->json, e->jlen, &e->h);
    }
    return NULL;
}

/* Start hashing b's entries on worker threads (inline when small or on one core). */
static void
batch_start(struct vbatch *b)
{
    static long cpus;
    if (!cpus)
        cpus = sysconf(_SC_NPROCESSORS_ONLN);
    b->nt = b->n < 512 || cpus < 2 ? 0 : (size_t)(cpus > VERIFY_THREADS ? VERIFY_THREADS : cpus);
    for (size_t t = 0; t < b->nt; t++) {
        b->rg[t] = (struct vrange){b->s, b->n * t / b->nt, b->n * (t + 1) / b->nt};
        b->started[t] = pthread_create(&b->th[t], NULL, hash_range, &b->rg[t]) == 0;
        if (!b->started[t])
            hash_range(&b->rg[t]); /* no thread: this one does it */
    }
    if (b->nt == 0) {
        struct vrange all = {b->s, 0, b->n};
        hash_range(&all);
    }
    b->running = true;
}

/* Wait for b's hashing, then add its entries to the tree in order. */
static void
batch_finish(struct verifier *v, struct vbatch *b)
{
    if (!b->running)
        return;
    for (size_t t = 0; t < b->nt; t++)
        if (b->started[t])
            pthread_join(b->th[t], NULL);
    for (size_t i = 0; i < b->n && !v->failed; i++)
        verifier_add_hashed(v, &b->s[i].h, b->s[i].have_stored ? b->s[i].stored : NULL);
    b->n = 0;
    b->running = false;
}

static bool
read_export(const char *path, struct verifier *v, const struct opts *o, char **vkey_out,
            const char *witness, size_t witness_len)
{
    /* the export is mapped, not read: entries are hashed where they lie (no copy) */
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat sb;
    if (fd < 0 || fstat(fd, &sb) != 0) {
        fprintf(stderr, "ggzy: cannot open %s: %s\n", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return false;
    }
    size_t fsize = (size_t)sb.st_size;
    const char *map = fsize ? mmap(NULL, fsize, PROT_READ, MAP_PRIVATE, fd, 0) : NULL;
    close(fd);
    if (fsize && map == MAP_FAILED) {
        fprintf(stderr, "ggzy: cannot map %s: %s\n", path, strerror(errno));
        return false;
    }
    if (fsize)
        madvise((void *)map, fsize, MADV_SEQUENTIAL);
    struct vbatch *bt = calloc(2, sizeof *bt), *cur = bt, *prev = bt + 1;
    if (!bt) {
        if (fsize)
            munmap((void *)map, fsize);
        fprintf(stderr, "ggzy: out of memory\n");
        return false;
    }
    bool ok = true, ready = false, inited = v->vname[0] != '\0';
    char err[300], *line = NULL; /* a copy of a line that is not an entry (rare) */
    for (const char *p = map, *end = map + fsize; p < end && !v->failed;) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        const char *text = p;
        size_t n = eol ? (size_t)(eol - p) : (size_t)(end - p);
        p = eol ? eol + 1 : end;
        if (n == 0)
            continue;
        bool is_entry = n > 6 && !memcmp(text, "entry ", 6);
        if (!is_entry && (cur->n > 0 || prev->running)) {
            /* what follows sees every entry before it */
            batch_finish(v, prev);
            batch_start(cur);
            batch_finish(v, cur);
        }
        if (is_entry) {
            /* entry <index> <base64 recorded leaf hash> <canonical JSON, or - if withheld> */
            if (!ready) {
                verifier_ready(v);
                ready = true;
            }
            const char *sp1 = memchr(text + 6, ' ', n - 6);
            const char *sp2 = sp1 ? memchr(sp1 + 1, ' ', (size_t)(text + n - sp1 - 1)) : NULL;
            if (!sp2) {
                fprintf(stderr, "ggzy: a malformed entry line in %s\n", path);
                ok = false;
                break;
            }
            struct vslot *e = &cur->s[cur->n];
            e->stored_b64 = sp1 + 1;
            e->stored_len = (size_t)(sp2 - sp1 - 1);
            e->json = sp2 + 1;
            e->jlen = (size_t)(text + n - e->json);
            if (e->jlen == 1 && e->json[0] == '-')
                e->json = NULL, e->jlen = 0;
            if (++cur->n == VERIFY_BATCH) { /* hash this one while the next is read */
                batch_finish(v, prev);
                batch_start(cur);
                struct vbatch *t = prev;
                prev = cur;
                cur = t;
            }
            continue;
        }
        free(line);
        if (!(line = strndup(text, n))) {
            fprintf(stderr, "ggzy: out of memory\n");
            ok = false;
            break;
        }
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
        }
    }
    batch_finish(v, prev);
    if (cur->n > 0 && ok) {
        batch_start(cur);
        batch_finish(v, cur);
    }
    if (!ready && ok)
        verifier_ready(v);
    free(line);
    free(bt);
    if (fsize)
        munmap((void *)map, fsize);
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

int
cmd_audit_verify(const struct opts *o)
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

int
cmd_audit_export(const struct opts *o)
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

/* The whole log of an export: verified as `audit verify --file` does, then its entries, each
 * hashed again to its recorded leaf, fed in order through the venue ledger. */
static int
replay_log(const struct opts *o)
{
    int rc = cmd_audit_verify(o);
    if (rc != 0)
        return rc;
    FILE *f = fopen(o->file, "r");
    if (!f) {
        fprintf(stderr, "ggzy: cannot open %s\n", o->file);
        return 2;
    }
    struct venue_ledger *vl = vl_new();
    struct draw_ledger *dl = dl_new();
    struct deposit_ledger *dep = dep_new();
    struct eval_ledger *ev = ev_new();
    struct inv_report rep = {0};
    char *line = NULL;
    size_t cap = 0, entries = 0;
    ssize_t n;
    int bad = 0;
    while (vl && dl && dep && ev && (n = getline(&line, &cap, f)) > 0) {
        if (n < 7 || memcmp(line, "entry ", 6))
            continue;
        if (line[n - 1] == '\n')
            line[--n] = '\0';
        char *sp1 = strchr(line + 6, ' '), *sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;
        if (!sp2 || !strcmp(sp2 + 1, "-"))
            continue; /* withheld from the exporter: a supervisor's export has every entry */
        uint8_t leaf[32], stored[32];
        *sp2 = '\0';
        size_t jl = (size_t)(line + n - (sp2 + 1));
        if (b64_decode(sp1 + 1, strlen(sp1 + 1), stored, 32) != 32 ||
            !merkle_leaf_hash((const uint8_t *)sp2 + 1, jl, leaf) || memcmp(leaf, stored, 32)) {
            printf("FAILED: entry %s does not hash to its leaf\n", line + 6);
            bad++;
            continue;
        }
        cJSON *e = cJSON_ParseWithLength(sp2 + 1, jl);
        if (e) {
            vl_feed(vl, e, &rep);
            dl_feed(dl, e, &rep);
            dep_feed(dep, e, &rep);
            ev_feed(ev, e, &rep);
            entries++;
        }
        cJSON_Delete(e);
    }
    free(line);
    fclose(f);
    if (!vl || !dl || !dep || !ev) {
        fprintf(stderr, "ggzy: out of memory\n");
        vl_free(vl);
        dl_free(dl);
        dep_free(dep);
        ev_free(ev);
        return 2;
    }
    vl_finish(vl, &rep);
    dep_finish(dep, &rep);
    for (size_t i = 0; i < rep.n; i++)
        printf("VIOLATION %s at index %lld: %s\n", rep.v[i].code, (long long)rep.v[i].index,
               rep.v[i].message);
    if (!bad && !rep.n)
        printf(
            "OK: %zu entries replayed; every venue, draw, deposit and evaluation invariant holds "
            "across the log\n",
            entries);
    rc = bad || rep.n ? 1 : 0;
    inv_report_free(&rep);
    vl_free(vl);
    dl_free(dl);
    dep_free(dep);
    ev_free(ev);
    return rc;
}

int
cmd_audit_replay(const struct opts *o)
{
    struct client c;
    char err[300], path[200];
    if (!o->have_project && o->file)
        return replay_log(o);
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
    /* a view filtered for the caller's role: its entries are checked, its invariants cannot be
     * (what it leaves out would look like a step skipped) */
    bool complete = !cJSON_IsFalse(cJSON_GetObjectItem(j, "complete"));
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
            if (complete)
                inv_feed(st, parsed, &rep);
            cJSON_Delete(parsed);
        }
    }
    if (!complete) {
        printf("NOT CHECKABLE from this view: the timeline was filtered for the %s role (%lld "
               "entries left out), so the invariants cannot be replayed from it; every entry shown "
               "is in the signed log. Replay with a supervisor's token (docs/audit.md §7).\n",
               json_str(j, "view") ? json_str(j, "view") : "caller's",
               (long long)json_i64(j, "omitted", 0));
        rc = bad ? 1 : 3;
        goto out;
    }
    inv_finish(st, &rep);
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

int
cmd_audit_cosign(const struct opts *o)
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

/* The replay's rules, a line each: code and what it catches. */
int
cmd_audit_invariants(const struct opts *o)
{
    (void)o;
    for (size_t i = 0; inv_code(i); i++)
        printf("%-24s %s\n", inv_code(i), inv_description(i));
    return 0;
}
