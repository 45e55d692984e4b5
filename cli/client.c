/*
 * client.c — see client.h.
 */
#define _GNU_SOURCE
#include "client.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#define MAX_RESPONSE (256u << 20)

bool
client_init(struct client *c, const char *url, char *err, size_t errlen)
{
    memset(c, 0, sizeof *c);
    const char *rest;
    if (!strncmp(url, "https://", 8)) {
        c->tls = true;
        rest = url + 8;
    } else if (!strncmp(url, "http://", 7)) {
        rest = url + 7;
    } else {
        snprintf(err, errlen, "the server URL must start with https:// (or http://)");
        return false;
    }
    size_t n = strcspn(rest, ":/");
    if (n == 0 || n >= sizeof c->host) {
        snprintf(err, errlen, "bad host in %s", url);
        return false;
    }
    memcpy(c->host, rest, n);
    c->host[n] = '\0';
    snprintf(c->port, sizeof c->port, "%s", c->tls ? "443" : "80");
    if (rest[n] == ':') {
        size_t m = strcspn(rest + n + 1, "/");
        if (m == 0 || m >= sizeof c->port) {
            snprintf(err, errlen, "bad port in %s", url);
            return false;
        }
        memcpy(c->port, rest + n + 1, m);
        c->port[m] = '\0';
    }
    return true;
}

static bool
write_all(BIO *b, const char *p, size_t n)
{
    while (n > 0) {
        int w = BIO_write(b, p, n > 65536 ? 65536 : (int)n);
        if (w <= 0)
            return false;
        p += w;
        n -= (size_t)w;
    }
    return true;
}

/* Decode a chunked body in place; returns the new length or -1. */
static long
dechunk(char *body, size_t len)
{
    size_t r = 0, w = 0;
    for (;;) {
        char *end = NULL;
        if (r >= len)
            return -1;
        unsigned long n = strtoul(body + r, &end, 16);
        char *crlf = strstr(body + r, "\r\n");
        if (!crlf || end > crlf)
            return -1;
        r = (size_t)(crlf - body) + 2;
        if (n == 0)
            return (long)w;
        if (r + n > len)
            return -1;
        memmove(body + w, body + r, n);
        w += n;
        r += n + 2;
    }
}

/* Send the body: from memory, or streamed from a file. False when the connection refused it
 * (the server may have answered early) or the file could not be read (*file_err set). */
static bool
send_body(BIO *b, const struct client_body *body, bool *file_err)
{
    if (!body->file)
        return write_all(b, body->bytes, body->len);
    char piece[65536];
    uint64_t sent = 0;
    while (sent < body->file_len) {
        size_t want =
            body->file_len - sent < sizeof piece ? (size_t)(body->file_len - sent) : sizeof piece;
        if (fread(piece, 1, want, body->file) != want) {
            *file_err = true;
            return false;
        }
        if (!write_all(b, piece, want))
            return false;
        sent += want;
        if (body->progress)
            body->progress(sent, body->file_len, body->arg);
    }
    return true;
}

bool
client_request(const struct client *c, const char *method, const char *path, const char *body,
               int *status, char **out, size_t *outlen, char *err, size_t errlen)
{
    struct client_body b = {
        .type = "application/json", .bytes = body, .len = body ? strlen(body) : 0};
    return client_send(c, method, path, body ? &b : NULL, status, out, outlen, err, errlen);
}

bool
client_send(const struct client *c, const char *method, const char *path,
            const struct client_body *body, int *status, char **out, size_t *outlen, char *err,
            size_t errlen)
{
    bool ok = false;
    SSL_CTX *ctx = NULL;
    BIO *b = NULL;
    char *resp = NULL;
    size_t len = 0, cap = 0;
    char target[300];
    snprintf(target, sizeof target, "%s:%s", c->host, c->port);
    if (c->tls) {
        ctx = SSL_CTX_new(TLS_client_method());
        if (!ctx || SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1 ||
            (c->ca_file ? SSL_CTX_load_verify_locations(ctx, c->ca_file, NULL)
                        : SSL_CTX_set_default_verify_paths(ctx)) != 1) {
            snprintf(err, errlen, "cannot set up TLS (CA file %s)", c->ca_file ? c->ca_file : "-");
            goto fail;
        }
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
        b = BIO_new_ssl_connect(ctx);
        SSL *ssl = NULL;
        if (!b || BIO_get_ssl(b, &ssl) != 1 || !ssl ||
            SSL_set_tlsext_host_name(ssl, c->host) != 1 || SSL_set1_host(ssl, c->host) != 1 ||
            BIO_set_conn_hostname(b, target) != 1) {
            snprintf(err, errlen, "cannot set up the connection");
            goto fail;
        }
    } else {
        b = BIO_new_connect(target);
        if (!b) {
            snprintf(err, errlen, "cannot set up the connection");
            goto fail;
        }
    }
    if (BIO_do_connect(b) != 1 || (c->tls && BIO_do_handshake(b) != 1)) {
        unsigned long e = ERR_get_error();
        snprintf(err, errlen, "cannot connect to %s: %s", target,
                 e ? ERR_reason_error_string(e) : "connection failed");
        goto fail;
    }
    char head[1024];
    int hn = snprintf(head, sizeof head,
                      "%s %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\nAccept: "
                      "application/json\r\n%s%s%s%s%s%s",
                      method, path, c->host, c->token ? "Authorization: Bearer " : "",
                      c->token ? c->token : "", c->token ? "\r\n" : "",
                      body ? "Content-Type: " : "", body ? body->type : "", body ? "\r\n" : "");
    char cl[64];
    uint64_t blen_out = !body ? 0 : body->file ? body->file_len : body->len;
    int cn = snprintf(cl, sizeof cl, "Content-Length: %llu\r\n\r\n", (unsigned long long)blen_out);
    if (hn < 0 || (size_t)hn >= sizeof head || !write_all(b, head, (size_t)hn) ||
        !write_all(b, cl, (size_t)cn)) {
        snprintf(err, errlen, "cannot send the request");
        goto fail;
    }
    bool file_err = false;
    if (body && !send_body(b, body, &file_err) && file_err) {
        snprintf(err, errlen, "cannot read the file to send");
        goto fail;
    }
    /* a body the connection would not take: the server may have answered early; read on */
    for (;;) {
        if (len + 65537 > cap) {
            cap = cap ? cap * 2 : 131072;
            if (cap > MAX_RESPONSE) {
                snprintf(err, errlen, "the response is too large");
                goto fail;
            }
            char *n = realloc(resp, cap);
            if (!n)
                goto fail;
            resp = n;
        }
        int r = BIO_read(b, resp + len, 65536);
        if (r <= 0)
            break;
        len += (size_t)r;
    }
    if (!resp || len < 12) {
        snprintf(err, errlen, "no answer from %s", target);
        goto fail;
    }
    resp[len] = '\0';
    char *hend = strstr(resp, "\r\n\r\n");
    if (!hend || sscanf(resp, "HTTP/1.%*d %d", status) != 1) {
        snprintf(err, errlen, "not an HTTP answer");
        goto fail;
    }
    *hend = '\0';
    bool chunked = strcasestr(resp, "\r\nTransfer-Encoding: chunked") != NULL;
    size_t blen = len - (size_t)(hend + 4 - resp);
    memmove(resp, hend + 4, blen);
    if (chunked) {
        long d = dechunk(resp, blen);
        if (d < 0) {
            snprintf(err, errlen, "bad chunked encoding");
            goto fail;
        }
        blen = (size_t)d;
    }
    resp[blen] = '\0';
    *out = resp;
    if (outlen)
        *outlen = blen;
    resp = NULL;
    ok = true;
fail:
    free(resp);
    BIO_free_all(b);
    SSL_CTX_free(ctx);
    return ok;
}

cJSON *
client_get_json(const struct client *c, const char *path, char *err, size_t errlen)
{
    int status = 0;
    char *body = NULL;
    size_t n = 0;
    if (!client_request(c, "GET", path, NULL, &status, &body, &n, err, errlen))
        return NULL;
    cJSON *j = cJSON_ParseWithLength(body, n);
    if (status < 200 || status > 299 || !j) {
        const cJSON *e = j ? cJSON_GetObjectItem(cJSON_GetObjectItem(j, "error"), "message") : NULL;
        snprintf(err, errlen, "GET %s: HTTP %d%s%s", path, status, e ? ": " : "",
                 cJSON_IsString(e) ? e->valuestring : "");
        cJSON_Delete(j);
        j = NULL;
    }
    free(body);
    return j;
}
