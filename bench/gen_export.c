/*
 * gen_export.c — writes a synthetic audit-log export for the verification benchmark: N
 * canonical entries shaped like ggzyd's (about 300 bytes each), a checkpoint signed with the
 * given Ed25519 key every 10,000 entries and at the end, and — for the baseline — the same
 * entry bytes concatenated in a second file for `openssl dgst -sha256`.
 *
 * usage: bench_gen_export N KEY.pem EXPORT RAW   (prints the vkey)
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/pem.h>

#include "crypto.h"
#include "merkle.h"
#include "note.h"

static const char origin[] = "bench.ggzy/audit";

static void
checkpoint(FILE *out, EVP_PKEY *key, const uint8_t id[4], const struct frontier *f)
{
    mhash root;
    frontier_root(f, root);
    char *text = note_checkpoint_text(origin, f->size, root);
    char *line = note_sign_line(key, origin, id, text, strlen(text));
    char note[1024], b64[1500];
    int n = snprintf(note, sizeof note, "%s\n%s", text, line);
    b64_encode((const uint8_t *)note, (size_t)n, b64);
    fprintf(out, "checkpoint %s\n", b64);
    free(text);
    free(line);
}

int
main(int argc, char **argv)
{
    if (argc != 5)
        return 2;
    long n = atol(argv[1]);
    FILE *kf = fopen(argv[2], "r");
    EVP_PKEY *key = kf ? PEM_read_PrivateKey(kf, NULL, NULL, NULL) : NULL;
    if (kf)
        fclose(kf);
    FILE *out = fopen(argv[3], "w"), *raw = fopen(argv[4], "w");
    uint8_t pub[32], id[4];
    size_t pl = 32;
    if (!key || !out || !raw || EVP_PKEY_get_raw_public_key(key, pub, &pl) != 1)
        return 1;
    note_ed25519_key_id(origin, pub, id);
    char *vkey = note_vkey(origin, pub);
    printf("%s\n", vkey);
    /* Checkpoints go first in an export; collect the entries' lines in memory meanwhile. */
    struct frontier f = {0};
    size_t cap = (size_t)n * 420 + 4096, len = 0;
    char *lines = malloc(cap);
    FILE *cps = tmpfile();
    if (!lines || !cps)
        return 1;
    for (long i = 0; i < n; i++) {
        char e[512], lb[48];
        int el =
            snprintf(e, sizeof e,
                     "{\"action\":\"bid.receive\",\"actor\":{\"org_id\":%ld,\"role\":\"bidder\","
                     "\"user_id\":%ld},\"client\":\"10.1.%ld.%ld\",\"index\":%ld,\"object\":"
                     "{\"id\":%ld,\"type\":\"bid\"},\"payload\":{\"envelope_sha256\":\"%064lx\","
                     "\"lot\":\"A\"},\"project_id\":%ld,\"request_id\":\"5e1f0c2a9b7d%012lx\","
                     "\"time_us\":%ld,\"v\":1}",
                     i % 997, i % 4093, (i >> 8) & 255, i & 255, i, i, i * 2654435761L, i / 500, i,
                     1795000000000000L + i * 1000);
        mhash leaf, nodes[MERKLE_MAX_DEPTH];
        int nn;
        merkle_leaf_hash(e, (size_t)el, leaf);
        frontier_append(&f, leaf, nodes, &nn);
        fwrite(e, 1, (size_t)el, raw);
        b64_encode(leaf, 32, lb);
        if (cap - len < 600)
            return 1;
        len += (size_t)snprintf(lines + len, cap - len, "entry %ld %s %s\n", i, lb, e);
        if (f.size % 10000 == 0 || i == n - 1)
            checkpoint(cps, key, id, &f);
    }
    fprintf(out, "ggzy-audit-export 1\nvkey %s\n", vkey);
    rewind(cps);
    char buf[65536];
    size_t r;
    while ((r = fread(buf, 1, sizeof buf, cps)) > 0)
        fwrite(buf, 1, r, out);
    fwrite(lines, 1, len, out);
    free(lines);
    free(vkey);
    EVP_PKEY_free(key);
    return fclose(out) == 0 && fclose(raw) == 0 ? 0 : 1;
}
