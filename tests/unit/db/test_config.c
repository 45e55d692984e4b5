/* Unit tests of configuration parsing: defaults, the file, environment overrides, errors. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "config.h"

static char path[] = "/tmp/ggzy-config-XXXXXX";

static void
write_conf(const char *text)
{
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
}

static void
config_defaults_are_safe(void)
{
    struct config c;
    char err[300];
    CHECK(config_load(&c, NULL, err, sizeof err));
    CHECK_STR(c.http_bind, "127.0.0.1");
    CHECK(c.http_tls);
    CHECK(c.http_port == 8443);
    CHECK(!c.metrics_token || !*c.metrics_token);
    CHECK(!c.test_mode);
    config_free(&c);
}

static void
config_file_values_and_comments_are_read(void)
{
    struct config c;
    char err[300];
    write_conf("# comment\n\nhttp.port = 9000\n  db.name=ggzy_x  \nlog.access = off\n");
    CHECK(config_load(&c, path, err, sizeof err));
    CHECK(c.http_port == 9000);
    CHECK_STR(c.db_name, "ggzy_x");
    CHECK(!c.log_access);
    config_free(&c);
}

static void
config_refuses_unknown_keys_naming_the_line(void)
{
    struct config c;
    char err[300] = "";
    write_conf("http.port = 9000\nhttp.prot = 1\n");
    CHECK(!config_load(&c, path, err, sizeof err));
    CHECK(strstr(err, "line 2") && strstr(err, "http.prot"));
    config_free(&c);
}

static void
config_refuses_out_of_range_numbers_and_bad_booleans(void)
{
    struct config c;
    char err[300] = "";
    write_conf("http.port = 70000\n");
    CHECK(!config_load(&c, path, err, sizeof err));
    config_free(&c);
    write_conf("http.port = 80abc\n");
    CHECK(!config_load(&c, path, err, sizeof err));
    config_free(&c);
    write_conf("http.tls = maybe\n");
    CHECK(!config_load(&c, path, err, sizeof err));
    config_free(&c);
}

static void
environment_overrides_the_file(void)
{
    struct config c;
    char err[300];
    write_conf("db.password = fromfile\nhttp.port = 9000\n");
    setenv("GGZY_DB_PASSWORD", "fromenv", 1);
    setenv("GGZY_HTTP_PORT", "9001", 1);
    CHECK(config_load(&c, path, err, sizeof err));
    CHECK_STR(c.db_password, "fromenv");
    CHECK(c.http_port == 9001);
    unsetenv("GGZY_DB_PASSWORD");
    unsetenv("GGZY_HTTP_PORT");
    config_free(&c);
}

static void
plain_http_is_refused_off_loopback(void)
{
    struct config c;
    char err[300] = "";
    write_conf("http.tls = off\nhttp.bind = 0.0.0.0\ndb.socket = /tmp/x.sock\n");
    CHECK(config_load(&c, path, err, sizeof err));
    CHECK(!config_validate(&c, err, sizeof err));
    CHECK(strstr(err, "loopback") != NULL);
    config_free(&c);
    char text[300];
    snprintf(text, sizeof text,
             "http.tls = off\nhttp.bind = 127.0.0.1\ndb.socket = /tmp/x.sock\naudit.key = %s\n",
             path); /* any readable file passes the check */
    write_conf(text);
    CHECK(config_load(&c, path, err, sizeof err));
    CHECK(config_validate(&c, err, sizeof err));
    config_free(&c);
}

static void
test_mode_is_not_a_configuration_key(void)
{
    struct config c;
    char err[300] = "";
    write_conf("test_mode = on\n");
    CHECK(!config_load(&c, path, err, sizeof err));
    config_free(&c);
    for (size_t i = 0; config_key_name(i); i++)
        CHECK(strstr(config_key_name(i), "test") == NULL);
}

/* A module's own keys, as a descriptor declares them. */
static struct demo_conf {
    int64_t max;
    char *dir;
    bool on;
} demo;
static const struct config_key demo_keys[] = {
    CONFIG_I(struct demo_conf, "demo.max", max, "7", 1, 100),
    CONFIG_S(struct demo_conf, "demo.dir", dir, "var/demo"),
    CONFIG_B(struct demo_conf, "demo.on", on, "off"),
};

static void
a_modules_keys_are_read_like_the_cores_into_its_own_struct(void)
{
    struct config c;
    char err[300];
    CHECK(config_register(demo_keys, 3, &demo));
    CHECK(config_load(&c, NULL, err, sizeof err));
    CHECK(demo.max == 7 && !demo.on);
    CHECK_STR(demo.dir, "var/demo");
    config_free(&c);
    CHECK(demo.dir == NULL); /* freed with the configuration */
    write_conf("http.port = 9001\ndemo.max = 42\ndemo.on = on\n");
    setenv("GGZY_DEMO_DIR", "/srv/demo", 1);
    CHECK(config_load(&c, path, err, sizeof err));
    CHECK(c.http_port == 9001 && demo.max == 42 && demo.on);
    CHECK_STR(demo.dir, "/srv/demo");
    unsetenv("GGZY_DEMO_DIR");
    config_free(&c);
    write_conf("demo.max = 101\n"); /* its ranges hold too */
    CHECK(!config_load(&c, path, err, sizeof err));
    CHECK(strstr(err, "demo.max") != NULL);
    config_free(&c);
    bool listed = false;
    for (size_t i = 0; config_key_name(i); i++)
        listed = listed || !strcmp(config_key_name(i), "demo.on");
    CHECK(listed); /* `ggzyd config-keys` and the docs test see it */
    static const struct config_key twice[] = {
        CONFIG_I(struct demo_conf, "http.port", max, "1", 1, 2)};
    CHECK(!config_register(twice, 1, &demo)); /* one name, one key */
}

int
main(void)
{
    int fd = mkstemp(path);
    if (fd < 0)
        return 1;
    close(fd);
    RUN(config_defaults_are_safe);
    RUN(config_file_values_and_comments_are_read);
    RUN(config_refuses_unknown_keys_naming_the_line);
    RUN(config_refuses_out_of_range_numbers_and_bad_booleans);
    RUN(environment_overrides_the_file);
    RUN(plain_http_is_refused_off_loopback);
    RUN(test_mode_is_not_a_configuration_key);
    RUN(a_modules_keys_are_read_like_the_cores_into_its_own_struct);
    unlink(path);
    return CHECK_DONE();
}
