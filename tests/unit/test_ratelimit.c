/*
 * Unit tests of the per-address rate limiter.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "b40/ratelimit.h"

static void test_limit_per_window(void **state)
{
    struct ratelimit *rl = ratelimit_create();
    int64_t retry = 0;

    (void)state;
    for (int i = 0; i < 5; i++)
        assert_true(ratelimit_allow(rl, "membership", "10.0.0.1", 1000, 5, 60000, &retry));
    assert_false(ratelimit_allow(rl, "membership", "10.0.0.1", 2000, 5, 60000, &retry));
    assert_int_equal(retry, 59000);
    assert_true(ratelimit_allow(rl, "membership", "10.0.0.2", 2000, 5, 60000, &retry)); /* another address */
    assert_true(ratelimit_allow(rl, "auth", "10.0.0.1", 2000, 5, 60000, &retry));       /* another action */
    assert_true(ratelimit_allow(rl, "membership", "10.0.0.1", 61000, 5, 60000, &retry)); /* a new window */
    ratelimit_destroy(rl);
}

static void test_flood_of_addresses_stays_bounded(void **state)
{
    struct ratelimit *rl = ratelimit_create();
    char peer[32];

    (void)state;
    for (int i = 0; i < 100000; i++) {
        snprintf(peer, sizeof(peer), "198.51.%d.%d", i / 256, i % 256);
        assert_true(ratelimit_allow(rl, "membership", peer, 1000 + i, 5, 3600000, NULL));
    }
    for (int i = 0; i < 3; i++)
        assert_true(ratelimit_allow(rl, "membership", "203.0.113.9", 200000, 3, 3600000, NULL));
    assert_false(ratelimit_allow(rl, "membership", "203.0.113.9", 200001, 3, 3600000, NULL));
    ratelimit_destroy(rl);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_limit_per_window),
        cmocka_unit_test(test_flood_of_addresses_stays_bounded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
