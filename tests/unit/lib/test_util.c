/* Unit tests of lib/util.c's helpers (integers without printf, JSON string escapes, growing
 * arrays), of crypto.c's SHA-256 and HKDF, and of canon.c's member readers. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "canon.h"
#include "check.h"
#include "crypto.h"
#include "util.h"

static void
integers_format_as_printf_formats_them(void)
{
    const int64_t v[] = {0,
                         1,
                         -1,
                         9,
                         10,
                         99,
                         100,
                         -100,
                         123456789,
                         INT64_MAX,
                         INT64_MIN,
                         INT64_MIN + 1,
                         1000000000000000000};
    for (size_t i = 0; i < ARRAY_LEN(v); i++) {
        char ours[24], theirs[32];
        size_t n = i64_format(v[i], ours);
        snprintf(theirs, sizeof theirs, "%" PRId64, v[i]);
        CHECK_STR(ours, theirs);
        CHECK(n == strlen(theirs));
    }
}

static void
json_escape_copies_plain_runs_and_escapes_the_rest(void)
{
    struct buf b = {0};
    const char in[] = "plain \"q\" back\\slash\nnew\ttab\x01 end \xe4\xb8\xad";
    buf_json_escape(&b, in, sizeof in - 1);
    char *s = buf_take(&b);
    CHECK(s != NULL);
    CHECK_STR(s, "plain \\\"q\\\" back\\\\slash\\nnew\\ttab\\u0001 end \xe4\xb8\xad");
    free(s);
    struct buf e = {0};
    buf_json_escape(&e, "", 0);
    buf_json_escape(&e, "\"", 1);
    s = buf_take(&e);
    CHECK_STR(s, "\\\"");
    free(s);
}

static void
sha256_gives_the_same_digest_on_every_call_of_a_thread(void)
{
    uint8_t a[32], b[32];
    CHECK(crypto_sha256("abc", 3, a));
    for (int i = 0; i < 3; i++) { /* the thread's reused context starts afresh each time */
        CHECK(crypto_sha256("abc", 3, b));
        CHECK(memcmp(a, b, 32) == 0);
    }
    CHECK(crypto_sha256("abd", 3, b));
    CHECK(memcmp(a, b, 32) != 0);
}

static void
arrays_grow_by_one_zeroed_element_and_refuse_an_overflowing_size(void)
{
    struct item {
        int64_t a, b;
    } *arr = NULL;
    size_t n = 0, cap = 0;
    for (int i = 0; i < 1000; i++) {
        struct item *e = arr_push((void **)&arr, &n, &cap, sizeof *arr);
        CHECK(e != NULL && e == &arr[i] && e->a == 0 && e->b == 0);
        e->a = i;
    }
    CHECK(n == 1000 && cap >= 1000);
    int64_t sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += arr[i].a;
    CHECK(sum == 999 * 1000 / 2);
    free(arr);
    /* an element size whose doubled room would not fit size_t: nothing changes */
    void *big = NULL;
    size_t bn = 0, bcap = 0;
    CHECK(arr_push(&big, &bn, &bcap, SIZE_MAX / 8) == NULL && big == NULL && bn == 0 && bcap == 0);
    CHECK(arr_push(&big, &bn, &bcap, 0) == NULL);
}

static void
hkdf_matches_rfc_5869_test_case_1(void)
{
    /* RFC 5869 Appendix A.1 */
    uint8_t ikm[22], salt[13], info[10], prk[32], okm[42];
    memset(ikm, 0x0b, sizeof ikm);
    for (int i = 0; i < 13; i++)
        salt[i] = (uint8_t)i;
    for (int i = 0; i < 10; i++)
        info[i] = (uint8_t)(0xf0 + i);
    static const char want_prk[] =
        "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5";
    static const char want_okm[] =
        "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf"
        "34007208d5b887185865";
    char hex[85];
    CHECK(crypto_hkdf(CRYPTO_HKDF_EXTRACT, salt, sizeof salt, ikm, sizeof ikm, NULL, 0, prk, 32));
    hex_encode(prk, 32, hex);
    CHECK_STR(hex, want_prk);
    CHECK(crypto_hkdf(CRYPTO_HKDF_EXPAND, NULL, 0, prk, 32, info, sizeof info, okm, sizeof okm));
    hex_encode(okm, sizeof okm, hex);
    CHECK_STR(hex, want_okm);
    memset(okm, 0, sizeof okm);
    CHECK(crypto_hkdf(CRYPTO_HKDF_FULL, salt, sizeof salt, ikm, sizeof ikm, info, sizeof info, okm,
                      sizeof okm));
    hex_encode(okm, sizeof okm, hex);
    CHECK_STR(hex, want_okm);
}

static void
members_read_as_their_type_and_integers_only_when_exact(void)
{
    cJSON *o = cJSON_Parse("{\"s\":\"text\",\"i\":1780000000000000,\"neg\":-42,\"f\":1.5,"
                           "\"huge\":1e300,\"t\":true,\"n\":null}");
    CHECK(o != NULL);
    CHECK_STR(json_str(o, "s"), "text");
    CHECK(json_str(o, "i") == NULL && json_str(o, "missing") == NULL);
    CHECK(json_i64(o, "i", -1) == 1780000000000000 && json_i64(o, "neg", 0) == -42);
    CHECK(json_i64(o, "f", -1) == -1);    /* not an integer */
    CHECK(json_i64(o, "huge", -1) == -1); /* beyond what a double holds exactly */
    CHECK(json_i64(o, "s", 7) == 7 && json_i64(o, "missing", 8) == 8);
    CHECK(json_bool(o, "t", false) && json_bool(o, "n", true) && !json_bool(o, "s", false));
    cJSON_Delete(o);
}

int
main(void)
{
    RUN(integers_format_as_printf_formats_them);
    RUN(json_escape_copies_plain_runs_and_escapes_the_rest);
    RUN(sha256_gives_the_same_digest_on_every_call_of_a_thread);
    RUN(arrays_grow_by_one_zeroed_element_and_refuse_an_overflowing_size);
    RUN(hkdf_matches_rfc_5869_test_case_1);
    RUN(members_read_as_their_type_and_integers_only_when_exact);
    return CHECK_DONE();
}
