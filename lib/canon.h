/*
 * canon.h — canonical JSON (canon.c).
 */
#ifndef GGZY_CANON_H
#define GGZY_CANON_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "util.h"

/* Canonical JSON of v: malloc'd bytes, or NULL when v holds a non-integer number, a raw value
 * that is not an integer literal, a duplicate key or is nested too deep. */
char *canon_json(const cJSON *v, size_t *len);
/* canon_json as a NUL-terminated string, for a text column (NULL as canon_json). */
char *canon_text(const cJSON *v);
/* Append the canonical encoding of v (a member value) to b; false as canon_json. */
bool canon_append(struct buf *b, const cJSON *v);
/* The largest integer every JSON reader holds exactly: 2^53 − 1 (I-JSON, RFC 7493 §2.2). Every
 * integer the platform reads from or writes into JSON lies within ±JSON_MAX_EXACT. */
#define JSON_MAX_EXACT 9007199254740991.0
/* v as compact JSON in member order (API responses): malloc'd, or NULL (out of memory, too
 * deep, a raw value that is not an integer literal). Numbers as canon_json writes them. */
char *json_print(const cJSON *v, size_t *len);
/* Parse JSON text (nothing but white space after the value) keeping each number's own token:
 * a number node's valuestring is the token as written ("100", "100.0000000000000001", "1e2"),
 * so integers are checked and read exactly, never through a double. NULL when not JSON. */
cJSON *json_parse(const char *text, size_t len);
/* Is tok an integer literal (-?(0|[1-9][0-9]*)) within ±(2^53−1)? NULL with *value set, or
 * what is wrong with it. */
const char *json_number_token_problem(const char *tok, int64_t *value);
/* The first number in v (json_parse's tree) that is not such an integer: true with its path
 * ("notice.amount_fen", "lots[2].estimate_fen") in path and the problem in *why. */
bool json_numbers_problem(const cJSON *v, char *path, size_t pathlen, const char **why);
/* Members of an object: the string (NULL when absent or not a string), the integer (def when
 * absent or not a number; a number within ±JSON_MAX_EXACT converts exactly, which a body's
 * json_numbers_problem check or the canonical form of an entry guarantees), the boolean (def when
 * absent or not a boolean). The one way ggzyd and ggzy read members. */
const char *json_str(const cJSON *obj, const char *key);
int64_t json_i64(const cJSON *obj, const char *key, int64_t def);
bool json_bool(const cJSON *obj, const char *key, bool def);
/* Add an integer exactly: cJSON prints doubles beyond 32 bits as "1.78e+15", which clients
 * read as floating point; money (fen), times (µs) and ids go out as integer literals. */
void json_add_i64(cJSON *obj, const char *key, int64_t v);
/* Append an integer to an array exactly, as json_add_i64 adds one to an object. */
void json_append_i64(cJSON *arr, int64_t v);
/* Add v as a string, or null when v is NULL (a NULL column in a view). */
void json_add_str_or_null(cJSON *obj, const char *key, const char *v);
/* Append s as a canonical JSON string, quotes included. */
void canon_append_string(struct buf *b, const char *s);

#endif
