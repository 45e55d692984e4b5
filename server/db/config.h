/*
 * config.h — ggzyd's configuration: one struct, filled from defaults, then a config file
 * (`key = value` lines, # comments), then environment variables (GGZY_ + the key in capitals
 * with dots as underscores: db.password -> GGZY_DB_PASSWORD). Unknown keys and bad values are
 * errors, so `ggzyd --check-config` catches typos before a deployment. docs/operations.md and
 * etc/ggzyd.conf.example list every key; tests/api/test_docs.py checks they agree with
 * the key table.
 *
 * Test mode is deliberately not a key: only the --test-mode command-line flag sets it.
 */
#ifndef GGZY_CONFIG_H
#define GGZY_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct config {
    /* http */
    char *http_bind;
    int64_t http_port;
    bool http_tls;
    char *http_cert, *http_key;
    int64_t http_threads;
    int64_t http_connection_limit;
    int64_t http_timeout_s;
    int64_t http_per_ip_connections; /* 0: no limit per address */
    char *http_trusted_proxies;      /* reverse proxies whose X-Forwarded-For is believed */
    /* database */
    char *db_host, *db_socket, *db_user, *db_password, *db_name;
    int64_t db_port;
    int64_t db_pool_size;
    int64_t db_acquire_timeout_ms;
    int64_t db_connect_timeout_s;
    char *db_tls; /* off | on | verify */
    char *db_tls_ca;
    /* auth */
    int64_t auth_session_ttl_s;
    int64_t auth_session_cache_s;
    /* audit log */
    char *audit_key, *audit_origin;
    int64_t audit_checkpoint_interval_ms;
    int64_t audit_scan_interval_s; /* the whole log re-hashed this often (0: at start-up only) */
    /* paths */
    char *web_root, *migrations_dir, *openapi_path, *calendar_dir, *rules_overrides;
    /* misc */
    char *log_level;
    bool log_access;
    char *metrics_token; /* a bearer token for /metrics from anywhere (else: loopback peers) */
    int64_t idempotency_ttl_s;
    char *platform_id;
    /* trust anchors per side, and CRLs: PEM files (trust.h) */
    char *trust_bidder_ca, *trust_agent_ca, *trust_supervision_ca, *trust_center_ca;
    char *trust_device_ca, *trust_expert_ca, *trust_finance_ca, *trust_tenderer_ca, *trust_crl;
    /* not from the file: command-line only */
    bool test_mode;
};

/* One key of a table: its name, type, where it is stored (an offset into the table's struct), its
 * default as text (NULL: empty / unset) and, for integers, its range. The core's keys fill
 * struct config; a module declares its own in its descriptor, stored in a struct of its own. */
enum config_type { CONFIG_STR, CONFIG_INT, CONFIG_BOOL };
struct config_key {
    const char *name;
    enum config_type type;
    size_t off;
    const char *def;
    int64_t min, max;
};
#define CONFIG_S(type, name, field, def)                                                           \
    {                                                                                              \
        name, CONFIG_STR, offsetof(type, field), def, 0, 0                                         \
    }
#define CONFIG_I(type, name, field, def, lo, hi)                                                   \
    {                                                                                              \
        name, CONFIG_INT, offsetof(type, field), def, lo, hi                                       \
    }
#define CONFIG_B(type, name, field, def)                                                           \
    {                                                                                              \
        name, CONFIG_BOOL, offsetof(type, field), def, 0, 1                                        \
    }

/* Add a module's keys (before config_load): values are stored at base + each key's offset
 * (strings malloc'd, freed by config_free). False when too many tables. */
bool config_register(const struct config_key *keys, size_t n, void *base);
/* The i-th key name of every table (core first), or NULL past the last. */
const char *config_key_name(size_t i);

/* Load defaults, then path (may be NULL: no file), then the environment.
 * On error returns false and writes a human sentence naming the key/line to err. */
bool config_load(struct config *c, const char *path, char *err, size_t errlen);
/* Cross-field checks (plain HTTP only on loopback, cert files readable, ...). */
bool config_validate(const struct config *c, char *err, size_t errlen);
void config_free(struct config *c);

#endif
