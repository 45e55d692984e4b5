/*
 * client.h — the ggzy client's HTTP(S) requests to ggzyd, on OpenSSL alone: TLS 1.2+ with the
 * server's certificate verified against a CA file (or the system store) and its host name
 * checked. One connection per request; responses up to 256 MiB.
 */
#ifndef GGZY_CLIENT_H
#define GGZY_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cjson/cJSON.h>

struct client {
    char host[256];
    char port[8];
    bool tls;
    const char *ca_file; /* NULL: the system's trust store */
    const char *token;   /* NULL: no Authorization header */
};

/* Parse "https://host[:port]" or "http://host[:port]" (plain only for loopback proxies). */
bool client_init(struct client *c, const char *url, char *err, size_t errlen);
/* A request body: bytes in memory, or a file streamed in 64 KiB pieces with an optional
 * progress callback after each (large envelopes are never read whole). */
struct client_body {
    const char *type; /* Content-Type */
    const void *bytes;
    size_t len;
    FILE *file; /* when not NULL, file_len bytes are streamed from it instead of bytes */
    uint64_t file_len;
    void (*progress)(uint64_t sent, uint64_t total, void *arg);
    void *arg;
};
/* One request with body (may be NULL). If the server answers before taking the whole body (a
 * refusal), that answer is returned. On success *status and *out (malloc'd, NUL-terminated,
 * caller frees) are set. */
bool client_send(const struct client *c, const char *method, const char *path,
                 const struct client_body *body, int *status, char **out, size_t *outlen, char *err,
                 size_t errlen);
/* One request with a JSON body (may be NULL): client_send with a JSON string. On success *status
 * and *out (malloc'd, NUL-terminated, caller frees) are set. */
bool client_request(const struct client *c, const char *method, const char *path, const char *body,
                    int *status, char **out, size_t *outlen, char *err, size_t errlen);
/* GET path and parse the JSON answer; NULL with err filled on any failure or non-2xx. */
cJSON *client_get_json(const struct client *c, const char *path, char *err, size_t errlen);

#endif
