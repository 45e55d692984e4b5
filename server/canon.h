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
/* Append the canonical encoding of v (a member value) to b; false as canon_json. */
bool canon_append(struct buf *b, const cJSON *v);
/* Append s as a canonical JSON string, quotes included. */
void canon_append_string(struct buf *b, const char *s);

#endif
