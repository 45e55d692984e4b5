/* Unit tests of the body validator and the canonical JSON encoder of the audit log. */
#include <stdlib.h>

#include "audit.h"
#include "canon.h"
#include "check.h"
#include "http.h"

static const char *const kinds[] = {"bidder", "agency", NULL};
static const struct field schema[] = {
    {"name", F_STRING, true, 2, 5, NULL},           {"kind", F_STRING, false, 1, 10, kinds},
    {"amount_fen", F_INT, false, 0, 1000000, NULL}, {"flag", F_BOOL, false, 0, 0, NULL},
    {"tags", F_ARRAY, false, 0, 3, NULL},           {NULL},
};

/* The validator's verdict for text: NULL when valid, else "code: message" (freed here). */
static char last[400];
static const char *
verdict(const char *text)
{
    cJSON *j = json_parse(text, strlen(text)); /* as the dispatcher parses a body */
    if (!j)
        return "unparsable";
    char *m = json_validate_msg(j, schema);
    cJSON_Delete(j);
    if (!m)
        return NULL;
    snprintf(last, sizeof last, "%s", m);
    free(m);
    return last;
}

static bool
starts(const char *s, const char *prefix)
{
    return s && !strncmp(s, prefix, strlen(prefix));
}

static void
validator_accepts_a_complete_body(void)
{
    CHECK(verdict("{\"name\":\"abc\",\"kind\":\"bidder\",\"amount_fen\":100,\"flag\":true,\"tags\":"
                  "[]}") == NULL);
    CHECK(verdict("{\"name\":\"招标代理\"}") == NULL); /* 4 characters, 12 bytes */
}

static void
validator_refuses_missing_required_fields(void)
{
    CHECK(starts(verdict("{}"), "missing_field"));
    CHECK(starts(verdict("{\"name\":null}"), "missing_field"));
}

static void
validator_refuses_unknown_and_duplicate_fields(void)
{
    CHECK(starts(verdict("{\"name\":\"abc\",\"nmae\":1}"), "unknown_field"));
    CHECK(starts(verdict("{\"name\":\"abc\",\"name\":\"abd\"}"), "invalid_field"));
}

static void
validator_refuses_wrong_types(void)
{
    CHECK(starts(verdict("{\"name\":5}"), "invalid_field"));
    CHECK(starts(verdict("{\"name\":\"abc\",\"amount_fen\":\"5\"}"), "invalid_field"));
    CHECK(starts(verdict("{\"name\":\"abc\",\"flag\":1}"), "invalid_field"));
    CHECK(starts(verdict("{\"name\":\"abc\",\"tags\":{}}"), "invalid_field"));
    CHECK(starts(verdict("[1,2]"), "malformed_json"));
}

static void
validator_counts_length_in_characters_at_the_boundaries(void)
{
    CHECK(verdict("{\"name\":\"ab\"}") == NULL);
    CHECK(starts(verdict("{\"name\":\"a\"}"), "invalid_field"));
    CHECK(verdict("{\"name\":\"五个汉字啊\"}") == NULL);
    CHECK(starts(verdict("{\"name\":\"六个汉字啊啊\"}"), "invalid_field"));
}

static void
validator_refuses_fractions_and_out_of_range_money(void)
{
    CHECK(starts(verdict("{\"name\":\"abc\",\"amount_fen\":1.5}"), "invalid_field"));
    CHECK(verdict("{\"name\":\"abc\",\"amount_fen\":1000000}") == NULL);
    CHECK(starts(verdict("{\"name\":\"abc\",\"amount_fen\":1000001}"), "invalid_field"));
    CHECK(starts(verdict("{\"name\":\"abc\",\"amount_fen\":-1}"), "invalid_field"));
    CHECK(starts(verdict("{\"name\":\"abc\",\"amount_fen\":1e300}"), "invalid_field"));
}

static void
validator_reads_the_integer_as_written_not_as_its_nearest_double(void)
{
    /* a bank notice signed over 100 but sent as these must not be booked as 100 */
    CHECK(
        starts(verdict("{\"name\":\"abc\",\"amount_fen\":100.0000000000000001}"), "invalid_field"));
    CHECK(
        starts(verdict("{\"name\":\"abc\",\"amount_fen\":99.99999999999999999}"), "invalid_field"));
    CHECK(starts(verdict("{\"name\":\"abc\",\"amount_fen\":100.0}"), "invalid_field"));
    CHECK(starts(verdict("{\"name\":\"abc\",\"amount_fen\":1e2}"), "invalid_field"));
    CHECK(starts(verdict("{\"name\":\"abc\",\"amount_fen\":1E2}"), "invalid_field"));
    CHECK(strstr(last, "no exponent") != NULL);
    CHECK(starts(verdict("{\"name\":\"abc\",\"amount_fen\":-0}"), "invalid_field"));
    CHECK(verdict("{\"name\":\"abc\",\"amount_fen\":100}") == NULL);
    /* and anywhere in a body, also where no schema reaches, with the path named */
    const char *doc = "{\"a\":[1,{\"b\":2.5}]}";
    cJSON *j = json_parse(doc, strlen(doc));
    char path[100] = "";
    const char *why;
    CHECK(j && json_numbers_problem(j, path, sizeof path, &why));
    CHECK_STR(path, "a[1].b");
    cJSON_Delete(j);
    doc = "{\"a\":[1,{\"b\":9007199254740991}],\"s\":\"1.5\"}";
    j = json_parse(doc, strlen(doc));
    path[0] = '\0';
    CHECK(j && !json_numbers_problem(j, path, sizeof path, &why));
    CHECK(json_i64(cJSON_GetArrayItem(cJSON_GetObjectItem(j, "a"), 1), "b", 0) ==
          INT64_C(9007199254740991));
    cJSON_Delete(j);
    CHECK(json_parse("{\"a\":1} x", 9) == NULL); /* only white space after the value */
}

static void
validator_refuses_values_outside_the_enumeration(void)
{
    CHECK(starts(verdict("{\"name\":\"abc\",\"kind\":\"expert\"}"), "invalid_field"));
    CHECK(strstr(last, "bidder, agency") != NULL);
}

static void
validator_refuses_invalid_utf8(void)
{
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "name", "ab\xC0\xAF"); /* overlong '/' */
    char *m = json_validate_msg(j, schema);
    CHECK(m && starts(m, "invalid_field"));
    free(m);
    cJSON_Delete(j);
}

static const char *
canon_of(const char *text)
{
    cJSON *j = cJSON_Parse(text);
    size_t n = 0;
    char *c = j ? canon_json(j, &n) : NULL;
    cJSON_Delete(j);
    if (!c)
        return NULL;
    snprintf(last, sizeof last, "%s", c);
    free(c);
    return last;
}

static void
canonical_json_sorts_keys_and_drops_whitespace(void)
{
    CHECK_STR(
        canon_of("{ \"b\" : 1, \"a\" : [ true, false, null ], \"c\": {\"z\":\"\", \"y\": -3} }"),
        "{\"a\":[true,false,null],\"b\":1,\"c\":{\"y\":-3,\"z\":\"\"}}");
}

static void
canonical_json_escapes_only_what_json_requires(void)
{
    CHECK_STR(canon_of("{\"k\":\"\\b\\f\\r\\t\\u001f\"}"), "{\"k\":\"\\b\\f\\r\\t\\u001f\"}");
    CHECK_STR(canon_of("{\"k\":\"a\\\"b\\\\c\\n\\u0001/中\"}"),
              "{\"k\":\"a\\\"b\\\\c\\n\\u0001/中\"}");
}

static void
large_integers_go_out_as_exact_literals(void)
{
    cJSON *o = cJSON_CreateObject();
    json_add_i64(o, "t", INT64_C(1795312345678901));
    json_add_i64(o, "n", -7);
    char *s = cJSON_PrintUnformatted(o);
    CHECK_STR(s, "{\"t\":1795312345678901,\"n\":-7}");
    size_t n;
    char *c = canon_json(o, &n);
    CHECK_STR(c, "{\"n\":-7,\"t\":1795312345678901}");
    free(s);
    free(c);
    cJSON_AddRawToObject(o, "bad", "1e5");
    CHECK(canon_json(o, &n) == NULL); /* a raw member that is not an integer is refused */
    cJSON_Delete(o);
}

static void
canonical_json_refuses_non_integers(void)
{
    CHECK(canon_of("{\"x\":1.5}") == NULL);
    CHECK_STR(canon_of("{\"x\":9007199254740991}"), "{\"x\":9007199254740991}");
}

static void
responses_print_every_integer_in_full_never_in_exponent_form(void)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "deadline", 1797700740000000.0); /* cJSON: "1.79770074e+15" */
    cJSON_AddNumberToObject(o, "max", 9007199254740991.0);
    cJSON_AddNumberToObject(o, "neg", -9007199254740991.0);
    cJSON_AddRawToObject(o, "raw", "12345678901234567");
    cJSON_AddRawToObject(o, "yuan", "12345678901234.56");
    size_t len = 0;
    char *s = json_print(o, &len);
    CHECK_STR(s, "{\"deadline\":1797700740000000,\"max\":9007199254740991,"
                 "\"neg\":-9007199254740991,\"raw\":12345678901234567,"
                 "\"yuan\":12345678901234.56}");
    CHECK(s && len == strlen(s));
    free(s);
    /* canonical JSON takes integers only: no decimal literal, nothing beyond 2^53 - 1 */
    CHECK(canon_json(o, &len) == NULL);
    cJSON_Delete(o);
}

static bool
numbers_problem(const char *text)
{
    cJSON *j = json_parse(text, strlen(text));
    char path[64] = "";
    const char *why;
    bool bad = !j || json_numbers_problem(j, path, sizeof path, &why);
    cJSON_Delete(j);
    return bad;
}

static void
integers_outside_the_exact_range_are_found_in_the_text_before_parsing(void)
{
    CHECK(!numbers_problem("{\"a\":9007199254740991,\"b\":-9007199254740991}"));
    CHECK(numbers_problem("{\"price_fen\":9007199254740993}"));
    CHECK(numbers_problem("{\"price_fen\":1e3}"));
    CHECK(numbers_problem("{\"price_fen\":10.5}"));
    CHECK(!numbers_problem("{\"note\":\"9007199254740993 1e3 \\\" 2.5\",\"n\":1}"));
    CHECK(numbers_problem("{\"n\":10000000000000000}"));
}

int
main(void)
{
    RUN(validator_accepts_a_complete_body);
    RUN(validator_refuses_missing_required_fields);
    RUN(validator_refuses_unknown_and_duplicate_fields);
    RUN(validator_refuses_wrong_types);
    RUN(validator_counts_length_in_characters_at_the_boundaries);
    RUN(validator_refuses_fractions_and_out_of_range_money);
    RUN(validator_reads_the_integer_as_written_not_as_its_nearest_double);
    RUN(validator_refuses_values_outside_the_enumeration);
    RUN(validator_refuses_invalid_utf8);
    RUN(canonical_json_sorts_keys_and_drops_whitespace);
    RUN(canonical_json_escapes_only_what_json_requires);
    RUN(canonical_json_refuses_non_integers);
    RUN(large_integers_go_out_as_exact_literals);
    RUN(responses_print_every_integer_in_full_never_in_exponent_form);
    RUN(integers_outside_the_exact_range_are_found_in_the_text_before_parsing);
    return CHECK_DONE();
}
