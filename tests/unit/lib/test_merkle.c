/* Unit tests of the Merkle tree against the published RFC 6962 vectors (tests/vectors/rfc6962),
 * and of proofs built from stored perfect subtrees against the verifiers, for many sizes. */
#include <dirent.h>
#include <cjson/cJSON.h>
#include <stdlib.h>

#include "check.h"
#include "crypto.h"
#include "merkle.h"
#include "util.h"

#ifndef VECTORS
#error "VECTORS must name tests/vectors/rfc6962"
#endif

/* An in-memory node store filled by frontier_append, as the log stores nodes in MariaDB. */
#define MAXLEAVES 300
static mhash store[MERKLE_MAX_DEPTH][MAXLEAVES];
static bool have[MERKLE_MAX_DEPTH][MAXLEAVES];
static int fetches;

static bool
fetch(void *ctx, int level, uint64_t index, mhash out)
{
    (void)ctx;
    fetches++;
    if (level >= MERKLE_MAX_DEPTH || index >= MAXLEAVES || !have[level][index])
        return false;
    memcpy(out, store[level][index], 32);
    return true;
}

static struct frontier tree;

static void
append(const void *data, size_t n)
{
    mhash leaf, nodes[MERKLE_MAX_DEPTH];
    int k;
    uint64_t j = tree.size;
    CHECK(merkle_leaf_hash(data, n, leaf));
    CHECK(frontier_append(&tree, leaf, nodes, &k));
    for (int i = 0; i < k; i++) {
        memcpy(store[i][j >> i], nodes[i], 32);
        have[i][j >> i] = true;
    }
}

static void
reset(void)
{
    memset(&tree, 0, sizeof tree);
    memset(have, 0, sizeof have);
}

static cJSON *
load(const char *path)
{
    size_t n;
    char *text = read_file(path, 1 << 20, &n);
    cJSON *j = text ? cJSON_Parse(text) : NULL;
    free(text);
    return j;
}

static bool
b64hash(const cJSON *s, mhash out)
{
    return cJSON_IsString(s) && b64_decode(s->valuestring, strlen(s->valuestring), out, 32) == 32;
}

/* Roots in a few cases are placeholders shorter than a hash ("don't care"): zero-padded, they
 * still compare equal exactly when the published values are equal. */
static bool
b64root(const cJSON *s, mhash out)
{
    memset(out, 0, 32);
    return cJSON_IsString(s) && b64_decode(s->valuestring, strlen(s->valuestring), out, 32) >= 0;
}

/* cJSON holds numbers as doubles: 2^64-1 (used by the boundary cases) rounds up to 2^64. */
static uint64_t
u64(const cJSON *n)
{
    double d = cJSON_IsNumber(n) ? n->valuedouble : 0;
    return d >= 18446744073709551615.0 ? UINT64_MAX : (uint64_t)d;
}

static void
roots_match_the_published_vectors_for_sizes_0_to_8(void)
{
    cJSON *j = load(VECTORS "/roots.json");
    CHECK(j != NULL);
    if (!j)
        return;
    const cJSON *leaves = cJSON_GetObjectItem(j, "leaf_inputs_hex");
    const cJSON *roots = cJSON_GetObjectItem(j, "root_by_size_hex");
    reset();
    for (int size = 0; size <= cJSON_GetArraySize(leaves); size++) {
        mhash want, got;
        CHECK(hex_decode(cJSON_GetArrayItem(roots, size)->valuestring, want, 32));
        CHECK(frontier_root(&tree, got));
        CHECK(memcmp(want, got, 32) == 0);
        if (size > 0) {
            CHECK(merkle_range_hash(fetch, NULL, 0, (uint64_t)size, got));
            CHECK(memcmp(want, got, 32) == 0);
        }
        if (size == cJSON_GetArraySize(leaves))
            break;
        const char *hex = cJSON_GetArrayItem(leaves, size)->valuestring;
        uint8_t buf[64];
        size_t n = strlen(hex) / 2;
        CHECK(hex_decode(hex, buf, n));
        append(buf, n);
    }
    cJSON_Delete(j);
}

/* Run every case file under dir; returns how many cases ran. */
static int
run_cases(const char *dir, bool consistency)
{
    int ran = 0;
    DIR *d = opendir(dir);
    CHECK(d != NULL);
    if (!d)
        return 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (!strstr(e->d_name, ".json")) {
            ran += run_cases(path, consistency);
            continue;
        }
        cJSON *j = load(path);
        CHECK(j != NULL);
        if (!j)
            continue;
        bool want_err = cJSON_IsTrue(cJSON_GetObjectItem(j, "wantErr"));
        const cJSON *p = cJSON_GetObjectItem(j, "proof");
        mhash proof[130];
        size_t len = 0;
        bool decodable = true;
        for (const cJSON *it = p ? p->child : NULL; it && len < 130; it = it->next)
            decodable = decodable && b64hash(it, proof[len++]);
        bool ok;
        if (consistency) {
            mhash r1, r2;
            decodable = decodable && b64root(cJSON_GetObjectItem(j, "root1"), r1) &&
                        b64root(cJSON_GetObjectItem(j, "root2"), r2);
            ok = decodable && merkle_verify_consistency(u64(cJSON_GetObjectItem(j, "size1")),
                                                        u64(cJSON_GetObjectItem(j, "size2")), r1,
                                                        r2, proof, len);
        } else {
            mhash root, leaf;
            decodable = decodable && b64root(cJSON_GetObjectItem(j, "root"), root) &&
                        b64hash(cJSON_GetObjectItem(j, "leafHash"), leaf);
            ok = decodable && merkle_verify_inclusion(u64(cJSON_GetObjectItem(j, "leafIdx")),
                                                      u64(cJSON_GetObjectItem(j, "treeSize")), leaf,
                                                      proof, len, root);
        }
        if (ok == want_err)
            fprintf(stderr, "  case %s: verified=%d wantErr=%d\n", path, ok, want_err);
        CHECK(ok != want_err);
        ran++;
        cJSON_Delete(j);
    }
    closedir(d);
    return ran;
}

static void
inclusion_vectors_verify_or_fail_as_published(void)
{
    CHECK(run_cases(VECTORS "/inclusion", false) > 50);
}

static void
consistency_vectors_verify_or_fail_as_published(void)
{
    CHECK(run_cases(VECTORS "/consistency", true) > 50);
}

static void
proofs_from_stored_subtrees_verify_for_every_size_up_to_260(void)
{
    reset();
    mhash roots[MAXLEAVES + 1];
    merkle_empty_root(roots[0]);
    for (uint64_t n = 1; n <= 260; n++) {
        uint8_t data[8];
        memcpy(data, &n, 8);
        append(data, 8);
        CHECK(frontier_root(&tree, roots[n]));
    }
    for (uint64_t n = 1; n <= 260; n++) {
        for (uint64_t i = 0; i < n; i += (n > 40 ? 7 : 1)) {
            mhash proof[MERKLE_MAX_DEPTH], leaf;
            int len = merkle_inclusion_proof(fetch, NULL, i, n, proof);
            CHECK(len >= 0);
            memcpy(leaf, store[0][i], 32);
            CHECK(merkle_verify_inclusion(i, n, leaf, proof, (size_t)len, roots[n]));
            if (len > 0) { /* one flipped bit, or one hash short, must fail */
                proof[0][5] ^= 1;
                CHECK(!merkle_verify_inclusion(i, n, leaf, proof, (size_t)len, roots[n]));
                proof[0][5] ^= 1;
                CHECK(!merkle_verify_inclusion(i, n, leaf, proof, (size_t)len - 1, roots[n]));
            }
        }
        for (uint64_t m = 1; m <= n; m += (n > 40 ? 5 : 1)) {
            mhash proof[2 * MERKLE_MAX_DEPTH];
            int len = merkle_consistency_proof(fetch, NULL, m, n, proof);
            CHECK(len >= 0);
            CHECK(merkle_verify_consistency(m, n, roots[m], roots[n], proof, (size_t)len));
            if (m < n)
                CHECK(!merkle_verify_consistency(m, n, roots[m], roots[n - 1], proof, (size_t)len));
        }
    }
}

static void
consistency_rules_are_strict_about_zero_and_equal_sizes(void)
{
    mhash a, b, p[1];
    merkle_empty_root(a);
    memset(b, 7, 32);
    memset(p, 1, sizeof p);
    CHECK(!merkle_verify_consistency(0, 0, a, a, NULL, 0)); /* from size 0: always an error */
    CHECK(!merkle_verify_consistency(0, 5, a, b, NULL, 0));
    CHECK(merkle_verify_consistency(3, 3, b, b, NULL, 0));
    CHECK(!merkle_verify_consistency(3, 3, b, b, (const mhash *)p, 1)); /* must be empty */
    CHECK(!merkle_verify_consistency(3, 3, a, b, NULL, 0));             /* roots must match */
    CHECK(!merkle_verify_consistency(5, 3, b, b, (const mhash *)p, 1));
}

static void
proof_builders_refuse_impossible_requests(void)
{
    mhash proof[2 * MERKLE_MAX_DEPTH];
    CHECK(merkle_inclusion_proof(fetch, NULL, 5, 5, proof) == -1);
    CHECK(merkle_consistency_proof(fetch, NULL, 0, 5, proof) == -1);
    CHECK(merkle_consistency_proof(fetch, NULL, 6, 5, proof) == -1);
}

static void
proofs_fetch_logarithmically_many_nodes(void)
{
    mhash proof[MERKLE_MAX_DEPTH];
    fetches = 0;
    CHECK(merkle_inclusion_proof(fetch, NULL, 100, 259, proof) > 0);
    CHECK(fetches <= 30);
}

int
main(void)
{
    RUN(roots_match_the_published_vectors_for_sizes_0_to_8);
    RUN(inclusion_vectors_verify_or_fail_as_published);
    RUN(consistency_vectors_verify_or_fail_as_published);
    RUN(proofs_from_stored_subtrees_verify_for_every_size_up_to_260);
    RUN(consistency_rules_are_strict_about_zero_and_equal_sizes);
    RUN(proof_builders_refuse_impossible_requests);
    RUN(proofs_fetch_logarithmically_many_nodes);
    return CHECK_DONE();
}
