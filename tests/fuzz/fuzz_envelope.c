/*
 * fuzz_envelope.c — a fuzz target for everything a bidder's bytes reach: the envelope parser,
 * the streaming checker (fed in pieces of every size), the opener with the lot's key, and the bid
 * container parser. Properties: nothing crashes or leaks (run under ASan+UBSan), the streaming
 * checker and the whole-envelope parser agree on every input, and whatever opens parses or is
 * refused cleanly.
 *
 * Two ways to run it:
 *   - ctest (tests/fuzz/driver.c): seeds sealed in-process, then FUZZ_ITERATIONS mutations each
 *     (bit flips, byte sets, truncations, extensions, length-field edits, splices), with a fixed
 *     PRNG seed so a failure reproduces;
 *   - libFuzzer, for long runs: clang -fsanitize=fuzzer,address (scripts/dev fuzz).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bidplain.h"
#include "envelope.h"
#include "hpke.h"

#define FUZZ_LIMIT (1u << 20)

/* The lot's opening key of the seeds (DeriveKeyPair(0x01 × 32), as in the test vector). */
static uint8_t opening_sk[32], opening_pk[65];
static int key_ready;

const uint8_t *fuzz_opening_pk(void);

const uint8_t *
fuzz_opening_pk(void)
{
    if (!key_ready) {
        uint8_t ikm[32];
        memset(ikm, 1, sizeof ikm);
        if (!hpke_derive_keypair(ikm, sizeof ikm, opening_sk, opening_pk))
            abort();
        key_ready = 1;
    }
    return opening_pk;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char why[200];
    struct env_view whole, streamed;
    uint8_t sha[32];
    fuzz_opening_pk();

    bool parsed = env_parse(data, size, &whole, why, sizeof why);

    /* the same bytes streamed in pieces whose sizes come from the data itself */
    struct env_stream st;
    if (!env_stream_init(&st, FUZZ_LIMIT))
        abort();
    bool fed = true;
    size_t off = 0, step = 1;
    while (fed && off < size) {
        size_t n = size - off < step ? size - off : step;
        fed = env_stream_feed(&st, data + off, n);
        off += n;
        step = step * 7 % 65537 + 1 + (size ? data[off % size] : 0);
    }
    bool finished = fed && env_stream_finish(&st, &streamed, sha);
    if (size <= FUZZ_LIMIT && finished != parsed) {
        fprintf(stderr, "fuzz: env_parse %s but the stream %s (%zu bytes)\n",
                parsed ? "accepted" : "refused", finished ? "accepted" : "refused", size);
        abort();
    }
    if (finished && parsed &&
        (streamed.pt_len != whole.pt_len ||
         memcmp(streamed.signed_digest, whole.signed_digest, 32)))
        abort();
    env_stream_free(&st);

    /* what parses is opened with the lot's key; what opens is parsed as a bid container */
    if (parsed) {
        uint8_t *pt = NULL;
        if (env_open(&whole, opening_sk, &pt, why, sizeof why)) {
            struct bidplain bp;
            if (bidplain_parse(pt, (size_t)whole.pt_len, &bp, why, sizeof why) &&
                bp.summary_len > BIDPLAIN_MAX_SUMMARY)
                abort();
            free(pt);
        }
    }
    /* and the container parser on raw bytes */
    struct bidplain bp;
    if (bidplain_parse(data, size, &bp, why, sizeof why)) {
        if (bp.ndocs < 0 || bp.ndocs > BIDPLAIN_MAX_DOCS)
            abort();
        for (int i = 0; i < bp.ndocs; i++)
            if (!bidplain_name_ok(bp.docs[i].name, bp.docs[i].name_len))
                abort();
    }
    return 0;
}
