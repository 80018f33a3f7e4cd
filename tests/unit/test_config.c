/*
 * Unit tests of `b40 serve` settings: defaults, environment, flags winning
 * over the environment, and usage errors.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "b40/config.h"

static const char *const *fake_env;

static const char *get_fake(const char *name)
{
    for (const char *const *e = fake_env; e && *e; e += 2)
        if (!strcmp(e[0], name))
            return e[1];
    return NULL;
}

static int parse(struct serve_config *cfg, const char *const *env, char **argv, char *err)
{
    int argc = 0;

    fake_env = env;
    while (argv[argc])
        argc++;
    return config_serve_parse(cfg, argc, argv, get_fake, err, 256);
}

static void test_defaults(void **state)
{
    struct serve_config cfg;
    char err[256];
    char *argv[] = {"serve", "--db", "x.db", NULL};

    (void)state;
    assert_int_equal(parse(&cfg, NULL, argv, err), CONFIG_OK);
    assert_string_equal(cfg.db, "x.db");
    assert_int_equal(cfg.port, 8443);
    assert_string_equal(cfg.listen, "127.0.0.1");
    assert_string_equal(cfg.web_root, "web");
    assert_string_equal(cfg.cert, "certs/dev/server.pem");
    assert_string_equal(cfg.key, "certs/dev/server.key");
    assert_int_equal(cfg.origins.count, 0);
    assert_int_equal(cfg.ping_interval_s, 30);
    assert_int_equal(cfg.send_queue_kib, 1024);
}

static void test_environment_then_flags(void **state)
{
    static const char *const env[] = {"B40_DB", "env.db", "B40_PORT", "9000", "B40_LISTEN", "::1",
                                      "B40_ORIGINS", " https://a.example , https://b.example:8443 ",
                                      "B40_PING_INTERVAL", "5", "B40_WEB_ROOT", "/srv/web", NULL};
    struct serve_config cfg;
    char err[256];
    char *argv1[] = {"serve", NULL};
    char *argv2[] = {"serve", "--port", "0", "--origin", "https://c.example", "--db", "flag.db", NULL};

    (void)state;
    assert_int_equal(parse(&cfg, env, argv1, err), CONFIG_OK);
    assert_string_equal(cfg.db, "env.db");
    assert_int_equal(cfg.port, 9000);
    assert_string_equal(cfg.listen, "::1");
    assert_string_equal(cfg.web_root, "/srv/web");
    assert_int_equal(cfg.ping_interval_s, 5);
    assert_int_equal(cfg.origins.count, 2);
    assert_string_equal(cfg.origins.items[0], "https://a.example");
    assert_string_equal(cfg.origins.items[1], "https://b.example:8443");

    assert_int_equal(parse(&cfg, env, argv2, err), CONFIG_OK);
    assert_string_equal(cfg.db, "flag.db");
    assert_int_equal(cfg.port, 0);
    assert_int_equal(cfg.origins.count, 1); /* flags replace the environment's list */
    assert_string_equal(cfg.origins.items[0], "https://c.example");
}

static void test_usage_errors(void **state)
{
    static const char *const bad_env[] = {"B40_PORT", "http", NULL};
    char *rows[][6] = {
        {"serve", NULL},                                          /* no --db */
        {"serve", "--db", "x", "--port", "70000", NULL},
        {"serve", "--db", "x", "--port", "-1", NULL},
        {"serve", "--db", "x", "--port", "12x", NULL},
        {"serve", "--db", "x", "--bogus", NULL},
        {"serve", "--db", "x", "stray", NULL},
        {"serve", "--db", "x", "--origin", "https://a.example/path", NULL},
        {"serve", "--db", "x", "--ping-interval", "0", NULL},
        {"serve", "--db", "x", "--send-queue-kib", "1", NULL},
        {"serve", "--db", "x", "--log-level", "loud", NULL},
        {"serve", "--db", NULL},                                  /* missing value */
    };
    struct serve_config cfg;
    char err[256];
    char *argv[] = {"serve", "--db", "x", NULL};

    (void)state;
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        err[0] = '\0';
        print_message("usage row %zu\n", i);
        assert_int_equal(parse(&cfg, NULL, rows[i], err), CONFIG_USAGE);
        assert_true(strlen(err) > 0);
    }
    assert_int_equal(parse(&cfg, bad_env, argv, err), CONFIG_USAGE);
    assert_non_null(strstr(err, "B40_PORT"));
}

static void test_help(void **state)
{
    struct serve_config cfg;
    char err[256];
    char *argv[] = {"serve", "--help", NULL};

    (void)state;
    assert_int_equal(parse(&cfg, NULL, argv, err), CONFIG_HELP);
    assert_non_null(strstr(config_serve_usage, "B40_ORIGINS"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_environment_then_flags),
        cmocka_unit_test(test_usage_errors),
        cmocka_unit_test(test_help),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
