/*
 * bidplain.h — what is inside a sealed envelope (docs/envelope.md §4.1): the opening summary
 * read aloud at the opening, then the bid documents, in one length-prefixed container.
 *
 *   "GGZYBID1" | u32 S | summary (S bytes, canonical JSON) | u32 N
 *   | N × ( u16 L | name (L bytes) | u64 D | document (D bytes) )
 *
 * Pure code (no database, no network): the ggzy client builds it before sealing, and the
 * opening ceremony parses it after decrypting. Parsing checks every length before it reads.
 */
#ifndef GGZY_BIDPLAIN_H
#define GGZY_BIDPLAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

#define BIDPLAIN_MAGIC       "GGZYBID1"
#define BIDPLAIN_MAX_SUMMARY 16384
#define BIDPLAIN_MAX_DOCS    256
#define BIDPLAIN_MAX_NAME    255

struct bid_doc {
    const char *name; /* not NUL-terminated when parsed: use name_len */
    size_t name_len;
    const uint8_t *data;
    uint64_t len;
};

/* A parsed container: pointers into the caller's plaintext. */
struct bidplain {
    const char *summary;
    size_t summary_len;
    int64_t price_fen;
    int ndocs;
    struct bid_doc docs[BIDPLAIN_MAX_DOCS];
};

/* Check an opening summary: a canonical JSON object of at most BIDPLAIN_MAX_SUMMARY bytes whose
 * members are integers or strings, with "price_fen" a non-negative integer (money is integer
 * fen). On success *price_fen is set; on failure why gets the first problem. */
bool bidplain_summary_check(const char *json, size_t len, int64_t *price_fen, char *why,
                            size_t whylen);
/* Check a document name: 1..BIDPLAIN_MAX_NAME bytes of UTF-8 without '/', '\\', control
 * characters, and not "." or ".." — safe as a file name on the opener's machine. */
bool bidplain_name_ok(const char *name, size_t len);
/* Append the container to out. Checks the summary and every name; false (with why) if one is
 * refused, out then holds nothing useful. */
bool bidplain_build(const char *summary, size_t summary_len, const struct bid_doc *docs, int ndocs,
                    struct buf *out, char *why, size_t whylen);
/* Parse a decrypted plaintext; false (with why) on any malformed or trailing byte. */
bool bidplain_parse(const uint8_t *pt, size_t len, struct bidplain *bp, char *why, size_t whylen);

#endif
