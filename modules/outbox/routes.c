/*
 * routes.c — the outbox module's route rows, configuration, job and descriptor: a person's
 * inbox (read, and mark a message read). Messages are written by other modules through
 * outbox_send, in their own transactions.
 */
#include <stdio.h>
#include <string.h>

#include "internal.h"

struct outbox_conf outbox_conf;

static cJSON *
message_json(void *ctx, const struct dbres *s, size_t i)
{
    (void)ctx;
    cJSON *o = cJSON_CreateObject();
    json_add_i64(o, "id", dbres_i64(s, i, MC_ID));
    cJSON_AddStringToObject(o, "kind", dbres_str(s, i, MC_KIND));
    cJSON_AddStringToObject(o, "subject", dbres_str(s, i, MC_SUBJECT));
    cJSON_AddStringToObject(o, "body", dbres_str(s, i, MC_BODY));
    if (dbres_str(s, i, MC_REF_TYPE)) {
        cJSON *r = cJSON_AddObjectToObject(o, "ref");
        cJSON_AddStringToObject(r, "type", dbres_str(s, i, MC_REF_TYPE));
        json_add_i64(r, "id", dbres_i64(s, i, MC_REF_ID));
    } else
        cJSON_AddNullToObject(o, "ref");
    json_add_i64(o, "created_us", dbres_i64(s, i, MC_CREATED));
    if (dbres_str(s, i, MC_READ))
        json_add_i64(o, "read_us", dbres_i64(s, i, MC_READ));
    else
        cJSON_AddNullToObject(o, "read_us");
    return o;
}

static void
inbox_get(struct req *r, const cJSON *body)
{
    (void)body;
    int64_t after, limit;
    struct dbres s = {0};
    struct dbconn *c = req_db(r);
    if (!c || !req_page(r, &after, &limit, 50, 200))
        return;
    enum db_status st = store_inbox(c, r->who.user_id, after, limit, &s);
    if (st != DB_OK)
        req_db_fail(r, c, st);
    else
        req_page_reply(r, &s, limit, "after", MC_ID, message_json, NULL);
    dbres_free(&s);
}

static void
inbox_read(struct req *r, const cJSON *body)
{
    (void)body;
    int64_t id;
    bool found;
    struct dbconn *c = req_db_for(r, "id", &id);
    if (!c)
        return;
    enum db_status st = store_message_read(c, r->who.user_id, id, clock_now_us(), &found);
    if (st != DB_OK)
        req_db_fail(r, c, st);
    else if (!found)
        req_error(r, E_NOT_FOUND, "no message %lld in your inbox", (long long)id);
    else
        req_empty(r, 200);
}

static const struct field inbox_query[] = {Q_AFTER, Q_LIMIT(200), {NULL}};

static const struct route routes[] = {
    {"GET", "/api/v1/me/inbox", inbox_get, ROLES_USER, 0, NULL, 0, .query = inbox_query},
    {"POST", "/api/v1/me/inbox/{id}/read", inbox_read, ROLES_USER, 0, NULL, 0},
};

static const char *const rule_codes[] = {NULL};

static const struct config_key config_keys[] = {
    CONFIG_S(struct outbox_conf, "outbox.channels", channels, ""),
    CONFIG_S(struct outbox_conf, "outbox.file_path", file_path, "var/outbox.jsonl"),
    CONFIG_I(struct outbox_conf, "outbox.max_attempts", max_attempts, "8", 1, 100),
};

static const struct job jobs[] = {
    {"outbox.deliver", "system:outbox", 10, NULL, false, outbox_job_deliver},
};

static bool
config_check(char *err, size_t errlen)
{
    if (!outbox_rule_channels_ok(outbox_conf.channels, outbox_channel_names)) {
        snprintf(err, errlen,
                 "outbox.channels: %s names a channel this build does not have "
                 "(it has: file)",
                 outbox_conf.channels);
        return false;
    }
    return true;
}

const struct module outbox_module = {
    .name = "outbox",
    .init = outbox_init,
    .routes = routes,
    .nroutes = ARRAY_LEN(routes),
    .jobs = jobs,
    .njobs = ARRAY_LEN(jobs),
    .rule_codes = rule_codes,
    .config_keys = config_keys,
    .nconfig_keys = ARRAY_LEN(config_keys),
    .config = &outbox_conf,
    .config_check = config_check,
};
