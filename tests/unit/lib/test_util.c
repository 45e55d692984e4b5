/* Unit tests of lib/util.c's formatting helpers: integers without printf, JSON string escapes. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

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

int
main(void)
{
    RUN(integers_format_as_printf_formats_them);
    RUN(json_escape_copies_plain_runs_and_escapes_the_rest);
    RUN(sha256_gives_the_same_digest_on_every_call_of_a_thread);
    return CHECK_DONE();
}
