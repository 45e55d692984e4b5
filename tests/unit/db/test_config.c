/* Unit tests of configuration parsing: defaults, the file, environment overrides, errors. */
#include <stdlib.h>
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
    unlink(path);
    return CHECK_DONE();
}
