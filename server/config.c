/*
 * config.c — reads ggzyd's configuration from one table of keys.
 *
 * Each row of keys[] names a key, its type, where it lives in struct config, its default and
 * its range; defaults, the file parser, the environment overrides, `--check-config` and the
 * documentation test all read the same rows, so a key cannot exist in one place only.
 */
#define _GNU_SOURCE
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

enum ktype { K_STR, K_INT, K_BOOL };

struct key {
    const char *name;
    enum ktype type;
    size_t off;
    const char *def; /* default as text; NULL = empty string / unset */
    int64_t min, max;
};

#define S(name, field, def)                                                                        \
    {                                                                                              \
        name, K_STR, offsetof(struct config, field), def, 0, 0                                     \
    }
#define I(name, field, def, lo, hi)                                                                \
    {                                                                                              \
        name, K_INT, offsetof(struct config, field), def, lo, hi                                   \
    }
#define B(name, field, def)                                                                        \
    {                                                                                              \
        name, K_BOOL, offsetof(struct config, field), def, 0, 1                                    \
    }

static const struct key keys[] = {
    S("http.bind", http_bind, "127.0.0.1"),
    I("http.port", http_port, "8443", 0, 65535),
    B("http.tls", http_tls, "on"),
    S("http.cert", http_cert, "var/certs/server.crt"),
    S("http.key", http_key, "var/certs/server.key"),
    I("http.threads", http_threads, "16", 1, 1024),
    I("http.connection_limit", http_connection_limit, "4096", 1, 1000000),
    I("http.timeout_s", http_timeout_s, "60", 1, 3600),
    I("http.per_ip_connections", http_per_ip_connections, "256", 0, 1000000),
    S("http.trusted_proxies", http_trusted_proxies, NULL),
    S("db.host", db_host, NULL),
    I("db.port", db_port, "3306", 1, 65535),
    S("db.socket", db_socket, NULL),
    S("db.user", db_user, "ggzy"),
    S("db.password", db_password, NULL),
    S("db.name", db_name, "ggzy"),
    I("db.pool_size", db_pool_size, "16", 1, 1024),
    I("db.acquire_timeout_ms", db_acquire_timeout_ms, "2000", 1, 600000),
    I("db.connect_timeout_s", db_connect_timeout_s, "3", 1, 600),
    S("db.tls", db_tls, "off"),
    S("db.tls_ca", db_tls_ca, NULL),
    I("auth.session_ttl_s", auth_session_ttl_s, "28800", 60, 2592000),
    I("auth.session_cache_s", auth_session_cache_s, "5", 0, 300),
    I("auth.scrypt_log2n", auth_scrypt_log2n, "15", 10, 22),
    I("auth.scrypt_r", auth_scrypt_r, "8", 1, 32),
    I("auth.scrypt_p", auth_scrypt_p, "1", 1, 16),
    I("auth.throttle_failures", auth_throttle_failures, "5", 1, 1000),
    I("auth.throttle_window_s", auth_throttle_window_s, "900", 1, 86400),
    S("audit.key", audit_key, "var/keys/audit.key"),
    S("audit.origin", audit_origin, "ggzy.localhost/audit"),
    I("audit.checkpoint_interval_ms", audit_checkpoint_interval_ms, "2000", 50, 3600000),
    I("audit.scan_interval_s", audit_scan_interval_s, "86400", 0, 2592000),
    S("web.root", web_root, "web"),
    S("migrations.dir", migrations_dir, "migrations"),
    S("api.openapi", openapi_path, "docs/openapi.json"),
    S("calendar.dir", calendar_dir, "calendar"),
    S("rules.overrides", rules_overrides, NULL),
    S("public.base_url", public_base_url, "https://localhost:8443"),
    S("ocds.prefix", ocds_prefix, "ocds-213czf"),
    I("public.cache_ms", public_cache_ms, "1000", 0, 60000),
    S("log.level", log_level, "info"),
    B("log.access", log_access, "on"),
    S("metrics.token", metrics_token, NULL),
    I("idempotency.ttl_s", idempotency_ttl_s, "86400", 60, 2592000),
    I("bids.max_envelope_bytes", bids_max_envelope_bytes, "67108864", 4096, INT64_C(1) << 36),
    S("bids.store_dir", bids_store_dir, "var/envelopes"),
    S("platform.id", platform_id, "ggzy.localhost"),
    S("trust.bidder_ca", trust_bidder_ca, NULL),
    S("trust.agent_ca", trust_agent_ca, NULL),
    S("trust.supervision_ca", trust_supervision_ca, NULL),
    S("trust.center_ca", trust_center_ca, NULL),
    S("trust.crl", trust_crl, NULL),
};

const char *
config_key_name(size_t i)
{
    return i < ARRAY_LEN(keys) ? keys[i].name : NULL;
}

static const struct key *
find_key(const char *name)
{
    for (size_t i = 0; i < ARRAY_LEN(keys); i++)
        if (strcmp(keys[i].name, name) == 0)
            return &keys[i];
    return NULL;
}

/* Set one key from text. Returns false with err filled. */
static bool
set_key(struct config *c, const struct key *k, const char *val, const char *where, char *err,
        size_t errlen)
{
    char *base = (char *)c + k->off;
    switch (k->type) {
    case K_STR: {
        char **dst = (char **)(void *)base;
        char *dup = strdup(val);
        if (!dup) {
            snprintf(err, errlen, "%s: out of memory", where);
            return false;
        }
        free(*dst);
        *dst = dup;
        return true;
    }
    case K_INT: {
        int64_t v;
        if (!parse_i64(val, k->min, k->max, &v)) {
            snprintf(err, errlen, "%s: %s must be a whole number from %lld to %lld, not \"%s\"",
                     where, k->name, (long long)k->min, (long long)k->max, val);
            return false;
        }
        *(int64_t *)(void *)base = v;
        return true;
    }
    case K_BOOL: {
        bool *dst = (bool *)(void *)base;
        if (!strcmp(val, "on") || !strcmp(val, "true") || !strcmp(val, "yes") || !strcmp(val, "1"))
            *dst = true;
        else if (!strcmp(val, "off") || !strcmp(val, "false") || !strcmp(val, "no") ||
                 !strcmp(val, "0"))
            *dst = false;
        else {
            snprintf(err, errlen, "%s: %s must be on or off, not \"%s\"", where, k->name, val);
            return false;
        }
        return true;
    }
    }
    return false;
}

static char *
trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    return s;
}

static bool
load_file(struct config *c, const char *path, char *err, size_t errlen)
{
    size_t len;
    char *text = read_file(path, 1 << 20, &len);
    if (!text) {
        snprintf(err, errlen, "cannot read config file %s", path);
        return false;
    }
    bool ok = true;
    int lineno = 0;
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        lineno++;
        char *l = trim(line);
        if (*l == '\0' || *l == '#')
            continue;
        char where[300];
        snprintf(where, sizeof where, "%s line %d", path, lineno);
        char *eq = strchr(l, '=');
        if (!eq) {
            snprintf(err, errlen, "%s: expected key = value", where);
            ok = false;
            break;
        }
        *eq = '\0';
        char *k = trim(l), *v = trim(eq + 1);
        const struct key *key = find_key(k);
        if (!key) {
            snprintf(err, errlen, "%s: unknown key \"%s\"", where, k);
            ok = false;
            break;
        }
        if (!set_key(c, key, v, where, err, errlen)) {
            ok = false;
            break;
        }
    }
    free(text);
    return ok;
}

bool
config_load(struct config *c, const char *path, char *err, size_t errlen)
{
    memset(c, 0, sizeof *c);
    for (size_t i = 0; i < ARRAY_LEN(keys); i++)
        if (keys[i].def && !set_key(c, &keys[i], keys[i].def, "default", err, errlen))
            return false;
    if (path && !load_file(c, path, err, errlen))
        return false;
    /* Environment overrides: GGZY_HTTP_PORT for http.port, and so on. */
    for (size_t i = 0; i < ARRAY_LEN(keys); i++) {
        char env[64] = "GGZY_";
        size_t j = 5;
        for (const char *p = keys[i].name; *p && j < sizeof env - 1; p++)
            env[j++] = (*p == '.') ? '_' : (char)toupper((unsigned char)*p);
        env[j] = '\0';
        const char *v = getenv(env);
        if (v && !set_key(c, &keys[i], v, env, err, errlen))
            return false;
    }
    return true;
}

static bool
is_loopback(const char *addr)
{
    struct in_addr a4;
    struct in6_addr a6;
    if (inet_pton(AF_INET, addr, &a4) == 1)
        return (ntohl(a4.s_addr) >> 24) == 127;
    if (inet_pton(AF_INET6, addr, &a6) == 1)
        return IN6_IS_ADDR_LOOPBACK(&a6);
    return false;
}

bool
config_validate(const struct config *c, char *err, size_t errlen)
{
    struct in_addr a4;
    struct in6_addr a6;
    if (inet_pton(AF_INET, c->http_bind, &a4) != 1 && inet_pton(AF_INET6, c->http_bind, &a6) != 1) {
        snprintf(err, errlen, "http.bind must be a numeric IPv4 or IPv6 address, not \"%s\"",
                 c->http_bind);
        return false;
    }
    if (!c->http_tls && !is_loopback(c->http_bind)) {
        snprintf(err, errlen,
                 "http.tls = off is only allowed on a loopback address (behind a reverse proxy); "
                 "http.bind is %s",
                 c->http_bind);
        return false;
    }
    if (c->http_tls) {
        if (access(c->http_cert, R_OK) != 0) {
            snprintf(err, errlen, "http.cert: cannot read %s", c->http_cert);
            return false;
        }
        if (access(c->http_key, R_OK) != 0) {
            snprintf(err, errlen, "http.key: cannot read %s", c->http_key);
            return false;
        }
    }
    if (access(c->audit_key, R_OK) != 0) {
        snprintf(err, errlen, "audit.key: cannot read the audit signing key %s", c->audit_key);
        return false;
    }
    if (!c->audit_origin[0] || strpbrk(c->audit_origin, " +\n\t")) {
        snprintf(err, errlen, "audit.origin must be non-empty without spaces or '+'");
        return false;
    }
    if (!c->platform_id[0] || strlen(c->platform_id) > 200 || strpbrk(c->platform_id, " \n\t")) {
        snprintf(err, errlen, "platform.id must be 1 to 200 characters without spaces");
        return false;
    }
    if (!c->bids_store_dir[0]) {
        snprintf(err, errlen, "bids.store_dir must name a directory");
        return false;
    }
    if (strcmp(c->db_tls, "off") && strcmp(c->db_tls, "on") && strcmp(c->db_tls, "verify")) {
        snprintf(err, errlen, "db.tls must be off, on or verify, not \"%s\"", c->db_tls);
        return false;
    }
    if (!strcmp(c->db_tls, "verify") && (!c->db_tls_ca || !*c->db_tls_ca)) {
        snprintf(err, errlen, "db.tls = verify needs db.tls_ca");
        return false;
    }
    if ((!c->db_socket || !*c->db_socket) && (!c->db_host || !*c->db_host)) {
        snprintf(err, errlen, "set db.socket (local) or db.host (remote)");
        return false;
    }
    if (strcmp(c->log_level, "debug") && strcmp(c->log_level, "info") &&
        strcmp(c->log_level, "warn") && strcmp(c->log_level, "error")) {
        snprintf(err, errlen, "log.level must be debug, info, warn or error");
        return false;
    }
    if (c->db_pool_size < c->http_threads)
        log_warn("db.pool_size (%lld) < http.threads (%lld): requests may wait for a connection",
                 (long long)c->db_pool_size, (long long)c->http_threads);
    return true;
}

void
config_free(struct config *c)
{
    for (size_t i = 0; i < ARRAY_LEN(keys); i++)
        if (keys[i].type == K_STR) {
            char **p = (char **)(void *)((char *)c + keys[i].off);
            if (*p && !strcmp(keys[i].name, "db.password"))
                memset(*p, 0, strlen(*p)); /* the password leaves memory with the config */
            free(*p);
            *p = NULL;
        }
}
