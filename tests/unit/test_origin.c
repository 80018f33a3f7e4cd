/*
 * Unit tests of origin normal form and the allowlist.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "b40/origin.h"

static void test_normal_form(void **state)
{
    static const struct {
        const char *in, *out; /* out NULL: refused */
    } rows[] = {
        {"https://localhost:8443", "https://localhost:8443"},
        {"HTTPS://LocalHost:8443", "https://localhost:8443"},
        {"https://b40.example:443", "https://b40.example"},
        {"https://b40.example", "https://b40.example"},
        {"http://b40.example:80", "http://b40.example"},
        {"https://[::1]:8443", "https://[::1]:8443"},
        {"https://[::1]", "https://[::1]"},
        {"https://127.0.0.1:1", "https://127.0.0.1:1"},
        {"https://b40.example/", NULL},           /* a path is not an origin */
        {"https://b40.example:8443/ws", NULL},
        {"https://user@b40.example", NULL},
        {"https://b40.example:0", NULL},
        {"https://b40.example:65536", NULL},
        {"https://b40.example:", NULL},
        {"https://b40.example:12a", NULL},
        {"https://", NULL},
        {"ftp://b40.example", NULL},
        {"null", NULL},                           /* what sandboxed frames send */
        {"", NULL},
        {"https://b40.example\r\nX: y", NULL},
        {"https://[::1", NULL},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        char out[ORIGIN_MAX_LEN];
        int rc = origin_normalize(rows[i].in, strlen(rows[i].in), out);
        print_message("origin: %s\n", rows[i].in);
        if (rows[i].out) {
            assert_int_equal(rc, 0);
            assert_string_equal(out, rows[i].out);
        } else {
            assert_int_equal(rc, -1);
        }
    }
}

static void test_allowlist(void **state)
{
    struct origin_list list = {0};

    (void)state;
    assert_int_equal(origin_list_add_host(&list, "localhost", 8443), 0);
    assert_int_equal(origin_list_add_host(&list, "::1", 8443), 0);
    assert_int_equal(origin_list_add_host(&list, "b40.example", 443), 0);
    assert_int_equal(origin_list_add(&list, "https://LOCALHOST:8443"), 0); /* a duplicate */
    assert_int_equal(list.count, 3);
    assert_true(origin_list_allows(&list, "https://localhost:8443", 22));
    assert_true(origin_list_allows(&list, "https://[::1]:8443", 18));
    assert_true(origin_list_allows(&list, "https://b40.example", 19));
    assert_true(origin_list_allows(&list, "https://b40.example:443", 23));
    assert_false(origin_list_allows(&list, "https://localhost:8444", 22));
    assert_false(origin_list_allows(&list, "http://localhost:8443", 21));
    assert_false(origin_list_allows(&list, "https://evil.example", 20));
    assert_false(origin_list_allows(&list, "https://b40.example.evil.example", 32));
    /* a length that cuts the header short is what is compared */
    assert_false(origin_list_allows(&list, "https://localhost:8443", 21));
}

static void test_list_is_bounded(void **state)
{
    struct origin_list list = {0};
    int rc = 0;

    (void)state;
    for (int port = 1; port <= ORIGIN_LIST_MAX + 1; port++)
        rc = origin_list_add_host(&list, "localhost", port);
    assert_int_equal(rc, -1);
    assert_int_equal(list.count, ORIGIN_LIST_MAX);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_normal_form),
        cmocka_unit_test(test_allowlist),
        cmocka_unit_test(test_list_is_bounded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
