/*
 * driver.c — runs fuzz_envelope.c's target without libFuzzer, in ctest: seeds are sealed here
 * (bid containers of several sizes, one to three chunks), then each is mutated FUZZ_ITERATIONS
 * times by a fixed-seed xorshift PRNG, so any failure reproduces exactly. The seeds themselves
 * must open and parse, or the target would only ever see refusals.
 */
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bidplain.h"
#include "envelope.h"
#include "util.h"

#ifndef FUZZ_ITERATIONS
#define FUZZ_ITERATIONS 10000
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
const uint8_t *fuzz_opening_pk(void);

static uint64_t rng = 0x9e3779b97f4a7c15u;

static uint64_t
next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* One mutation of seed (len) into out (cap); returns the new length. */
static size_t
mutate(const uint8_t *seed, size_t len, uint8_t *out, size_t cap)
{
    size_t n = len < cap ? len : cap;
    memcpy(out, seed, n);
    int rounds = 1 + (int)(next() % 4);
    for (int r = 0; r < rounds && n > 0; r++) {
        size_t at = (size_t)(next() % n);
        switch (next() % 7) {
        case 0: /* flip a bit */
            out[at] ^= (uint8_t)(1u << (next() % 8));
            break;
        case 1: /* set a byte to an edge value */
            out[at] = (uint8_t[]){0x00, 0x01, 0x7f, 0x80, 0xff, '{', '"'}[next() % 7];
            break;
        case 2: /* truncate */
            n = at;
            break;
        case 3: /* extend with junk */
            for (size_t k = 0, m = (size_t)(next() % 300); k < m && n < cap; k++)
                out[n++] = (uint8_t)next();
            break;
        case 4: /* the header length (bytes 8..11) */
            if (n >= 12)
                be_store(out + 8, (uint32_t)(next() % 2 ? next() : next() % 5000), 4);
            break;
        case 5: { /* the declared plaintext length, just after the fixed fields */
            uint32_t hl = n >= 12 ? (uint32_t)be_load(out + 8, 4) : 0;
            size_t pl = 12 + (size_t)hl + 65 + 48 + 16 + 32;
            if (hl < 5000 && pl + 8 <= n)
                be_store(out + pl, next() % 3 ? next() % 200000 : next(), 8);
            break;
        }
        default: { /* splice: copy a run from elsewhere */
            size_t from = (size_t)(next() % n), k = (size_t)(next() % 64);
            if (from + k <= n && at + k <= n)
                memmove(out + at, out + from, k);
        }
        }
    }
    return n;
}

/* Write data to dir/name (the libFuzzer corpus). */
static void
write_seed(const char *dir, const char *name, const void *data, size_t len)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, len, f) != len)
        fprintf(stderr, "fuzz: cannot write %s\n", path);
    if (f)
        fclose(f);
}

/* fuzz_envelope [--write-seeds DIR]: with DIR, write the seeds there (scripts/dev fuzz gives
 * them to libFuzzer) and stop. */
int
main(int argc, char **argv)
{
    const char *seeds = argc == 3 && !strcmp(argv[1], "--write-seeds") ? argv[2] : NULL;
    EVP_PKEY *signer = EVP_EC_gen("P-256");
    if (!signer)
        return 1;
    static const size_t sizes[] = {0, 100, 70000, 140000};
    size_t cap = 200000 + 4096;
    uint8_t *buf = malloc(cap);
    long runs = 0;
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        /* a bid container with a summary and one document of the given size */
        uint8_t *doc = calloc(1, sizes[s] + 1);
        struct bid_doc d = {"报价单.pdf", strlen("报价单.pdf"), doc, sizes[s]};
        struct buf pt = {0};
        char why[200];
        const char summary[] = "{\"duration_days\":365,\"price_fen\":123456789}";
        if (!doc || !bidplain_build(summary, strlen(summary), &d, 1, &pt, why, sizeof why)) {
            fprintf(stderr, "fuzz: cannot build a seed: %s\n", why);
            return 1;
        }
        struct env_binding b = {"ggzy.test", "110000-2026-GC-00001", "ab", "cd", 1, 42,
                                1,           1795312345678901};
        uint8_t *env = NULL;
        size_t len = 0;
        if (!env_seal(&b, fuzz_opening_pk(), signer, (const uint8_t *)pt.p, pt.len, NULL, &env,
                      &len) ||
            len > cap) {
            fprintf(stderr, "fuzz: cannot seal a seed\n");
            return 1;
        }
        LLVMFuzzerTestOneInput(env, len); /* the seed itself */
        LLVMFuzzerTestOneInput((const uint8_t *)pt.p, pt.len);
        if (seeds) {
            char name[64];
            snprintf(name, sizeof name, "envelope-%zu", sizes[s]);
            write_seed(seeds, name, env, len);
            snprintf(name, sizeof name, "container-%zu", sizes[s]);
            write_seed(seeds, name, pt.p, pt.len);
        }
        for (int i = 0; !seeds && i < FUZZ_ITERATIONS; i++, runs++) {
            size_t n = mutate(env, len, buf, cap);
            LLVMFuzzerTestOneInput(buf, n);
            if (i % 4 == 0) { /* the container parser on mutated plaintexts too */
                n = mutate((const uint8_t *)pt.p, pt.len, buf, cap);
                LLVMFuzzerTestOneInput(buf, n);
            }
        }
        free(env);
        free(doc);
        buf_free(&pt);
    }
    free(buf);
    EVP_PKEY_free(signer);
    printf("ok   %ld mutated inputs: no crash, the stream and the parser always agreed\n", runs);
    return 0;
}
