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

#define S(name, field, def)         CONFIG_S(struct config, name, field, def)
#define I(name, field, def, lo, hi) CONFIG_I(struct config, name, field, def, lo, hi)
#define B(name, field, def)         CONFIG_B(struct config, name, field, def)

static const struct config_key keys[] = {
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
    S("audit.key", audit_key, "var/keys/audit.key"),
    S("audit.origin", audit_origin, "ggzy.localhost/audit"),
    I("audit.checkpoint_interval_ms", audit_checkpoint_interval_ms, "2000", 50, 3600000),
    I("audit.scan_interval_s", audit_scan_interval_s, "300", 0, 2592000),
    S("web.root", web_root, "web"),
    S("migrations.dir", migrations_dir, "migrations"),
    S("api.openapi", openapi_path, "docs/openapi.json"),
    S("calendar.dir", calendar_dir, "calendar"),
    S("rules.overrides", rules_overrides, NULL),
    S("log.level", log_level, "info"),
    B("log.access", log_access, "on"),
    S("metrics.token", metrics_token, NULL),
    I("idempotency.ttl_s", idempotency_ttl_s, "86400", 60, 2592000),
    S("platform.id", platform_id, "ggzy.localhost"),
    S("trust.bidder_ca", trust_bidder_ca, NULL),
    S("trust.agent_ca", trust_agent_ca, NULL),
    S("trust.supervision_ca", trust_supervision_ca, NULL),
    S("trust.center_ca", trust_center_ca, NULL),
    S("trust.device_ca", trust_device_ca, NULL),
    S("trust.expert_ca", trust_expert_ca, NULL),
    S("trust.finance_ca", trust_finance_ca, NULL),
    S("trust.tenderer_ca", trust_tenderer_ca, NULL),
    S("trust.crl", trust_crl, NULL),
};

/* The core's table (stored in the struct config being loaded) and the modules' own (stored where
 * each module said, config_register). */
#define MAX_TABLES 32
static struct {
    const struct config_key *keys;
    size_t n;
    void *base; /* NULL: the struct config */
} tables[MAX_TABLES] = {{keys, ARRAY_LEN(keys), NULL}};
static size_t ntables = 1;

/* The key of that name and where its table stores values (c, or the module's storage). */
static const struct config_key *
find_key(struct config *c, const char *name, char **base)
{
    for (size_t t = 0; t < ntables; t++)
        for (size_t i = 0; i < tables[t].n; i++)
            if (strcmp(tables[t].keys[i].name, name) == 0) {
                *base = tables[t].base ? tables[t].base : (char *)c;
                return &tables[t].keys[i];
            }
    return NULL;
}

bool
config_register(const struct config_key *k, size_t n, void *base)
{
    if (ntables == MAX_TABLES || !base)
        return false;
    for (size_t i = 0; i < n; i++) { /* one name, one key */
        char *other;
        if (find_key(NULL, k[i].name, &other)) {
            log_error("the key %s is declared twice", k[i].name);
            return false;
        }
    }
    tables[ntables].keys = k;
    tables[ntables].n = n;
    tables[ntables].base = base;
    ntables++;
    return true;
}

const char *
config_key_name(size_t i)
{
    for (size_t t = 0; t < ntables; i -= tables[t].n, t++)
        if (i < tables[t].n)
            return tables[t].keys[i].name;
    return NULL;
}

/* Set one key from text. Returns false with err filled. */
static bool
set_key(char *table_base, const struct config_key *k, const char *val, const char *where, char *err,
        size_t errlen)
{
    char *base = table_base + k->off;
    switch (k->type) {
    case CONFIG_STR: {
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
    case CONFIG_INT: {
        int64_t v;
        if (!parse_i64(val, k->min, k->max, &v)) {
            snprintf(err, errlen, "%s: %s must be a whole number from %lld to %lld, not \"%s\"",
                     where, k->name, (long long)k->min, (long long)k->max, val);
            return false;
        }
        *(int64_t *)(void *)base = v;
        return true;
    }
    case CONFIG_BOOL: {
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
        char *base = NULL;
        const struct config_key *key = find_key(c, k, &base);
        if (!key) {
            snprintf(err, errlen, "%s: unknown key \"%s\"", where, k);
            ok = false;
            break;
        }
        if (!set_key(base, key, v, where, err, errlen)) {
            ok = false;
            break;
        }
    }
    free(text);
    return ok;
}

/* Free every string key of table t (its storage at base). */
static void
free_table(size_t t, char *base)
{
    for (size_t i = 0; i < tables[t].n; i++)
        if (tables[t].keys[i].type == CONFIG_STR) {
            char **p = (char **)(void *)(base + tables[t].keys[i].off);
            if (*p && strstr(tables[t].keys[i].name, "password"))
                memset(*p, 0, strlen(*p)); /* a password leaves memory with the config */
            free(*p);
            *p = NULL;
        }
}

bool
config_load(struct config *c, const char *path, char *err, size_t errlen)
{
    memset(c, 0, sizeof *c);
    for (size_t t = 0; t < ntables; t++) {
        char *base = tables[t].base ? tables[t].base : (char *)c;
        if (tables[t].base)
            free_table(t, base); /* a module's storage outlives a config: start it afresh */
        for (size_t i = 0; i < tables[t].n; i++) {
            const struct config_key *k = &tables[t].keys[i];
            if (k->def && !set_key(base, k, k->def, "default", err, errlen))
                return false;
        }
    }
    if (path && !load_file(c, path, err, errlen))
        return false;
    /* Environment overrides: GGZY_HTTP_PORT for http.port, and so on. */
    for (size_t t = 0; t < ntables; t++)
        for (size_t i = 0; i < tables[t].n; i++) {
            const struct config_key *k = &tables[t].keys[i];
            char env[64] = "GGZY_";
            size_t j = 5;
            for (const char *p = k->name; *p && j < sizeof env - 1; p++)
                env[j++] = (*p == '.') ? '_' : (char)toupper((unsigned char)*p);
            env[j] = '\0';
            const char *v = getenv(env);
            char *base = tables[t].base ? tables[t].base : (char *)c;
            if (v && !set_key(base, k, v, env, err, errlen))
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
    for (size_t t = 0; t < ntables; t++)
        free_table(t, tables[t].base ? tables[t].base : (char *)c);
}
