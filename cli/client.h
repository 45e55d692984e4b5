/*
 * client.h — the ggzy client's HTTP(S) requests to ggzyd, on OpenSSL alone: TLS 1.2+ with the
 * server's certificate verified against a CA file (or the system store) and its host name
 * checked. One connection per request; responses up to 256 MiB.
 */
#ifndef GGZY_CLIENT_H
#define GGZY_CLIENT_H

#include <stdbool.h>
#include <stddef.h>

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
/* One request. body may be NULL. On success *status and *out (malloc'd, NUL-terminated,
 * caller frees) are set. */
bool client_request(const struct client *c, const char *method, const char *path, const char *body,
                    int *status, char **out, size_t *outlen, char *err, size_t errlen);
/* GET path and parse the JSON answer; NULL with err filled on any failure or non-2xx. */
cJSON *client_get_json(const struct client *c, const char *path, char *err, size_t errlen);

#endif
