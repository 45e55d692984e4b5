/*
 * bidplain.c — the bid container inside a sealed envelope (bidplain.h, docs/envelope.md §4.1).
 * The summary is canonical JSON so that the opening record can publish it byte for byte and
 * anyone holding the published opening key can compare it with what was sealed.
 */
#include "bidplain.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "canon.h"

/* Append v as n big-endian bytes. */
static void
be_put(struct buf *b, uint64_t v, int n)
{
    uint8_t tmp[8];
    be_store(tmp, v, n);
    buf_append(b, tmp, (size_t)n);
}

bool
bidplain_summary_check(const char *json, size_t len, int64_t *price_fen, char *why, size_t whylen)
{
    bool ok = false;
    char *canon = NULL;
    cJSON *v = NULL;
    if (len == 0 || len > BIDPLAIN_MAX_SUMMARY) {
        snprintf(why, whylen, "the opening summary must be 1 to %d bytes", BIDPLAIN_MAX_SUMMARY);
        goto fail;
    }
    v = json_parse(json, len); /* each number's token kept, checked before any double rounds it */
    if (!v || !cJSON_IsObject(v)) {
        snprintf(why, whylen, "the opening summary must be a JSON object");
        goto fail;
    }
    char path[128] = "";
    const char *bad;
    if (json_numbers_problem(v, path, sizeof path, &bad)) {
        snprintf(why, whylen, "the opening summary's \"%s\" %s (docs/envelope.md §4.1)", path, bad);
        goto fail;
    }
    size_t clen = 0;
    canon = canon_json(v, &clen);
    if (!canon || clen != len || memcmp(canon, json, len) != 0) {
        snprintf(why, whylen, "the opening summary is not canonical JSON (docs/audit.md §1)");
        goto fail;
    }
    for (const cJSON *m = v->child; m; m = m->next) {
        if (!cJSON_IsNumber(m) && !cJSON_IsString(m)) { /* canon_json refused fractions */
            snprintf(why, whylen, "summary member \"%s\" must be an integer or a string",
                     m->string);
            goto fail;
        }
    }
    /* price_fen: integer fen, within the exact range checked above */
    const cJSON *pf = cJSON_GetObjectItemCaseSensitive(v, "price_fen");
    if (!pf || !cJSON_IsNumber(pf)) {
        snprintf(why, whylen, "the opening summary needs \"price_fen\", an integer in fen");
        goto fail;
    }
    double d = pf->valuedouble;
    if (!(d >= 0 && d <= 9007199254740991.0) || d != (double)(int64_t)d) {
        snprintf(why, whylen, "\"price_fen\" must be a non-negative integer up to 2^53 − 1");
        goto fail;
    }
    int64_t price = (int64_t)d;
    if (price_fen)
        *price_fen = price;
    ok = true;
fail:
    free(canon);
    cJSON_Delete(v);
    return ok;
}

bool
bidplain_name_ok(const char *name, size_t len)
{
    if (len == 0 || len > BIDPLAIN_MAX_NAME)
        return false;
    if ((len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.'))
        return false;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)name[i];
        if (c < 0x20 || c == 0x7f || c == '/' || c == '\\')
            return false;
    }
    /* well-formed UTF-8 (no overlongs, no surrogates) */
    for (size_t i = 0; i < len;) {
        unsigned char c = (unsigned char)name[i];
        size_t n = c < 0x80             ? 1
                   : (c & 0xe0) == 0xc0 ? 2
                   : (c & 0xf0) == 0xe0 ? 3
                   : (c & 0xf8) == 0xf0 ? 4
                                        : 0;
        if (n == 0 || i + n > len)
            return false;
        uint32_t cp = n == 1 ? c : n == 2 ? c & 0x1f : n == 3 ? c & 0x0f : c & 0x07;
        for (size_t k = 1; k < n; k++) {
            unsigned char d = (unsigned char)name[i + k];
            if ((d & 0xc0) != 0x80)
                return false;
            cp = cp << 6 | (d & 0x3f);
        }
        if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
            cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return false;
        i += n;
    }
    return true;
}

bool
bidplain_build(const char *summary, size_t summary_len, const struct bid_doc *docs, int ndocs,
               struct buf *out, char *why, size_t whylen)
{
    if (!bidplain_summary_check(summary, summary_len, NULL, why, whylen))
        return false;
    if (ndocs < 0 || ndocs > BIDPLAIN_MAX_DOCS) {
        snprintf(why, whylen, "a bid holds at most %d documents", BIDPLAIN_MAX_DOCS);
        return false;
    }
    for (int i = 0; i < ndocs; i++) {
        if (!bidplain_name_ok(docs[i].name, docs[i].name_len)) {
            snprintf(why, whylen, "document %d has a name that is not allowed", i + 1);
            return false;
        }
        for (int j = 0; j < i; j++)
            if (docs[j].name_len == docs[i].name_len &&
                !memcmp(docs[j].name, docs[i].name, docs[i].name_len)) {
                snprintf(why, whylen, "two documents are named \"%.*s\"", (int)docs[i].name_len,
                         docs[i].name);
                return false;
            }
    }
    buf_append(out, BIDPLAIN_MAGIC, 8);
    be_put(out, summary_len, 4);
    buf_append(out, summary, summary_len);
    be_put(out, (uint64_t)ndocs, 4);
    for (int i = 0; i < ndocs; i++) {
        be_put(out, docs[i].name_len, 2);
        buf_append(out, docs[i].name, docs[i].name_len);
        be_put(out, docs[i].len, 8);
        buf_append(out, docs[i].data, (size_t)docs[i].len);
    }
    if (out->oom) {
        snprintf(why, whylen, "out of memory");
        return false;
    }
    return true;
}

bool
bidplain_parse(const uint8_t *pt, size_t len, struct bidplain *bp, char *why, size_t whylen)
{
    size_t off = 0;
    memset(bp, 0, sizeof *bp);
    if (len < 12 || memcmp(pt, BIDPLAIN_MAGIC, 8) != 0) {
        snprintf(why, whylen, "the plaintext is not a ggzy bid (no GGZYBID1 container)");
        return false;
    }
    uint64_t s = be_load(pt + 8, 4);
    off = 12;
    if (s > BIDPLAIN_MAX_SUMMARY || s > len - off) {
        snprintf(why, whylen, "the opening summary's length is out of range");
        return false;
    }
    bp->summary = (const char *)pt + off;
    bp->summary_len = (size_t)s;
    if (!bidplain_summary_check(bp->summary, bp->summary_len, &bp->price_fen, why, whylen))
        return false;
    off += (size_t)s;
    if (len - off < 4) {
        snprintf(why, whylen, "the document count is missing");
        return false;
    }
    uint64_t n = be_load(pt + off, 4);
    off += 4;
    if (n > BIDPLAIN_MAX_DOCS) {
        snprintf(why, whylen, "more than %d documents", BIDPLAIN_MAX_DOCS);
        return false;
    }
    for (uint64_t i = 0; i < n; i++) {
        struct bid_doc *d = &bp->docs[i];
        if (len - off < 2) {
            snprintf(why, whylen, "document %llu is truncated", (unsigned long long)i + 1);
            return false;
        }
        d->name_len = (size_t)be_load(pt + off, 2);
        off += 2;
        if (d->name_len > len - off || len - off - d->name_len < 8) {
            snprintf(why, whylen, "document %llu is truncated", (unsigned long long)i + 1);
            return false;
        }
        d->name = (const char *)pt + off;
        if (!bidplain_name_ok(d->name, d->name_len)) {
            snprintf(why, whylen, "document %llu has a name that is not allowed",
                     (unsigned long long)i + 1);
            return false;
        }
        for (uint64_t j = 0; j < i; j++)
            if (bp->docs[j].name_len == d->name_len &&
                !memcmp(bp->docs[j].name, d->name, d->name_len)) {
                snprintf(why, whylen, "two documents are named \"%.*s\"", (int)d->name_len,
                         d->name);
                return false;
            }
        off += d->name_len;
        d->len = be_load(pt + off, 8);
        off += 8;
        if (d->len > len - off) {
            snprintf(why, whylen, "document %llu is truncated", (unsigned long long)i + 1);
            return false;
        }
        d->data = pt + off;
        off += (size_t)d->len;
    }
    if (off != len) {
        snprintf(why, whylen, "%zu stray bytes after the last document", len - off);
        return false;
    }
    bp->ndocs = (int)n;
    return true;
}
