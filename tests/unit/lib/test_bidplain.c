/* Unit tests of the bid container inside an envelope (lib/bidplain.c, docs/envelope.md
 * §4.1): a round trip, the summary rules (canonical, integer fen), document names that would
 * be unsafe as file names, and every truncation or stray byte refused. */
#include <stdlib.h>

#include "bidplain.h"
#include "check.h"

static const char SUMMARY[] = "{\"duration_days\":365,\"price_fen\":123456789}";

static struct buf
build_two(void)
{
    struct bid_doc d[2] = {
        {.name = "技术标.pdf",
         .name_len = strlen("技术标.pdf"),
         .data = (const uint8_t *)"%PDF",
         .len = 4},
        {.name = "empty.txt", .name_len = 9, .data = (const uint8_t *)"", .len = 0},
    };
    struct buf b = {0};
    char why[200];
    CHECK(bidplain_build(SUMMARY, strlen(SUMMARY), d, 2, &b, why, sizeof why));
    return b;
}

static void
bidplain_round_trips_summary_and_documents(void)
{
    struct buf b = build_two();
    struct bidplain bp;
    char why[200] = "";
    CHECK(bidplain_parse((const uint8_t *)b.p, b.len, &bp, why, sizeof why));
    CHECK(bp.price_fen == 123456789);
    CHECK(bp.summary_len == strlen(SUMMARY) && !memcmp(bp.summary, SUMMARY, bp.summary_len));
    CHECK(bp.ndocs == 2);
    CHECK(bp.docs[0].len == 4 && !memcmp(bp.docs[0].data, "%PDF", 4));
    CHECK(bp.docs[1].len == 0 && bp.docs[1].name_len == 9);
    buf_free(&b);
}

static void
bidplain_refuses_every_truncation_and_stray_byte(void)
{
    struct buf b = build_two();
    struct bidplain bp;
    char why[200];
    int accepted = 0;
    for (size_t n = 0; n < b.len; n++)
        accepted += bidplain_parse((const uint8_t *)b.p, n, &bp, why, sizeof why);
    CHECK(accepted == 0);
    buf_append(&b, "x", 1);
    CHECK(!bidplain_parse((const uint8_t *)b.p, b.len, &bp, why, sizeof why));
    CHECK(strstr(why, "stray") != NULL);
    buf_free(&b);
}

static void
bidplain_summary_requires_canonical_json_and_integer_fen(void)
{
    char why[200];
    int64_t p = -1;
    CHECK(bidplain_summary_check("{\"price_fen\":0}", 15, &p, why, sizeof why) && p == 0);
    const char *bad[] = {
        "{\"price_fen\": 1}",                /* whitespace */
        "{\"price_fen\":1,\"a\":2}",         /* keys not sorted */
        "{\"price_fen\":1.5}",               /* fractions of a fen */
        "{\"price_fen\":-1}",                /* negative */
        "{\"price_fen\":\"100\"}",           /* a string */
        "{\"duration_days\":365}",           /* no price */
        "{\"a\":{\"b\":1},\"price_fen\":1}", /* nested */
        "[1]",                               /* not an object */
        "{\"price_fen\":1e3}",               /* not canonical */
        "{\"price_fen\":18014398509481984}", /* beyond exact integers */
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        bool ok = bidplain_summary_check(bad[i], strlen(bad[i]), &p, why, sizeof why);
        if (ok)
            fprintf(stderr, "accepted: %s\n", bad[i]);
        CHECK(!ok);
    }
}

static void
bidplain_refuses_names_unsafe_as_file_names(void)
{
    CHECK(bidplain_name_ok("报价单.xlsx", strlen("报价单.xlsx")));
    const char *bad[] = {"", ".", "..", "a/b", "a\\b", "a\nb", "\xc0\xaf", "\xed\xa0\x80", "\xff"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        CHECK(!bidplain_name_ok(bad[i], strlen(bad[i])));
    char longname[300];
    memset(longname, 'a', sizeof longname);
    CHECK(!bidplain_name_ok(longname, 256));
    CHECK(bidplain_name_ok(longname, 255));
    struct bid_doc d[2] = {{.name = "a", .name_len = 1, .data = (const uint8_t *)"", .len = 0},
                           {.name = "a", .name_len = 1, .data = (const uint8_t *)"", .len = 0}};
    struct buf b = {0};
    char why[200];
    CHECK(!bidplain_build(SUMMARY, strlen(SUMMARY), d, 2, &b, why, sizeof why));
    CHECK(strstr(why, "two documents") != NULL);
    buf_free(&b);
}

int
main(void)
{
    RUN(bidplain_round_trips_summary_and_documents);
    RUN(bidplain_refuses_every_truncation_and_stray_byte);
    RUN(bidplain_summary_requires_canonical_json_and_integer_fen);
    RUN(bidplain_refuses_names_unsafe_as_file_names);
    return CHECK_DONE();
}
