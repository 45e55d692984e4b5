/*
 * static.h — serving web/ at /. The web root is opened once; every request walks its path
 * one segment at a time with openat(O_NOFOLLOW), so neither "..", encoded slashes, hidden files
 * nor symbolic links can lead outside web/ (or anywhere inside it that is a link).
 */
#ifndef GGZY_STATIC_H
#define GGZY_STATIC_H

#include <stdbool.h>
#include <stdint.h>

bool static_init(const char *root);
void static_fini(void);
/* Open path (already percent-decoded) under the web root. Returns an fd (caller closes) and
 * fills size and content type, or -1 when there is no such file (404). */
int static_open(const char *path, uint64_t *size, const char **type);
/* The content type for a file name, by extension. */
const char *static_content_type(const char *name);

#endif
