/*
 * Unit tests of the per-address rate limiter (include/b40/ratelimit.h):
 * the limit per window, windows ending, actions and addresses counted
 * apart, and a flood of distinct addresses that neither grows memory (the
 * table is fixed) nor frees the address that is being limited.
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
    assert_non_null(rl);
    for (int i = 0; i < 5; i++)
        assert_true(ratelimit_allow(rl, "membership", "10.0.0.1", 1000, 5, 60000, &retry));
    assert_false(ratelimit_allow(rl, "membership", "10.0.0.1", 2000, 5, 60000, &retry));
    assert_int_equal(retry, 59000);
    assert_true(ratelimit_allow(rl, "membership", "10.0.0.2", 2000, 5, 60000, &retry)); /* another address */
    assert_true(ratelimit_allow(rl, "auth", "10.0.0.1", 2000, 5, 60000, &retry));       /* another action */
    assert_true(ratelimit_allow(rl, "membership", "10.0.0.1", 61000, 5, 60000, &retry)); /* a new window */
    ratelimit_destroy(rl);
}

static void test_window_boundaries(void **state)
{
    struct ratelimit *rl = ratelimit_create();
    int64_t retry = -1;

    (void)state;
    for (int i = 0; i < 3; i++)
        assert_true(ratelimit_allow(rl, "membership", "2001:db8::1", 10000 + i, 3, 3600000, &retry));
    assert_int_equal(retry, -1); /* untouched while allowed */
    /* refused to the last millisecond of the window, the wait shrinking as time passes */
    assert_false(ratelimit_allow(rl, "membership", "2001:db8::1", 10000, 3, 3600000, &retry));
    assert_int_equal(retry, 3600000);
    assert_false(ratelimit_allow(rl, "membership", "2001:db8::1", 10000 + 3599999, 3, 3600000, &retry));
    assert_int_equal(retry, 1);
    /* refusals do not extend the window: it ends on time */
    assert_true(ratelimit_allow(rl, "membership", "2001:db8::1", 10000 + 3600000, 3, 3600000, &retry));
    assert_true(ratelimit_allow(rl, "membership", "2001:db8::1", 10000 + 3600001, 3, 3600000, &retry));
    assert_true(ratelimit_allow(rl, "membership", "2001:db8::1", 10000 + 3600002, 3, 3600000, &retry));
    assert_false(ratelimit_allow(rl, "membership", "2001:db8::1", 10000 + 3600003, 3, 3600000, NULL));
    ratelimit_destroy(rl);
}

static void test_actions_and_peers_apart(void **state)
{
    struct ratelimit *rl = ratelimit_create();

    (void)state;
    assert_true(ratelimit_allow(rl, "membership", "192.0.2.1", 0, 1, 1000, NULL));
    assert_false(ratelimit_allow(rl, "membership", "192.0.2.1", 1, 1, 1000, NULL));
    /* the same bytes split differently are another key: action "membership1" is not ("membership", "1...") */
    assert_true(ratelimit_allow(rl, "membership1", "92.0.2.1", 1, 1, 1000, NULL));
    assert_true(ratelimit_allow(rl, "login", "192.0.2.1", 1, 1, 1000, NULL));
    assert_true(ratelimit_allow(rl, "membership", "192.0.2.10", 1, 1, 1000, NULL));
    /* the global counter ("*") is one more key, apart from every address */
    assert_true(ratelimit_allow(rl, "membership", "*", 1, 2, 1000, NULL));
    assert_true(ratelimit_allow(rl, "membership", "*", 2, 2, 1000, NULL));
    assert_false(ratelimit_allow(rl, "membership", "*", 3, 2, 1000, NULL));
    assert_true(ratelimit_allow(rl, "membership", "192.0.2.11", 3, 1, 1000, NULL));
    /* an empty or missing address is one address */
    assert_true(ratelimit_allow(rl, "membership", NULL, 3, 1, 1000, NULL));
    assert_false(ratelimit_allow(rl, "membership", "", 4, 1, 1000, NULL));
    ratelimit_destroy(rl);
}

static void test_null_limiter_allows(void **state)
{
    (void)state;
    for (int i = 0; i < 10; i++)
        assert_true(ratelimit_allow(NULL, "membership", "192.0.2.1", i, 1, 1000, NULL));
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

/*
 * An address that keeps knocking while 100,000 others flood in stays
 * limited: the table evicts the stalest slot among those it probes, and
 * the knocking address is never the stalest.
 */
static void test_flood_does_not_free_the_limited_peer(void **state)
{
    struct ratelimit *rl = ratelimit_create();
    char peer[48];
    int64_t now = 0;

    (void)state;
    for (int i = 0; i < 5; i++)
        assert_true(ratelimit_allow(rl, "membership", "203.0.113.7", now, 5, 3600000, NULL));
    for (int i = 0; i < 100000; i++) {
        now++;
        snprintf(peer, sizeof(peer), "2001:db8:%x:%x::1", i / 65536, i % 65536);
        assert_true(ratelimit_allow(rl, "membership", peer, now, 5, 3600000, NULL));
        if (i % 100 == 0)
            assert_false(ratelimit_allow(rl, "membership", "203.0.113.7", now, 5, 3600000, NULL));
    }
    assert_false(ratelimit_allow(rl, "membership", "203.0.113.7", now, 5, 3600000, NULL));
    ratelimit_destroy(rl);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_limit_per_window),
        cmocka_unit_test(test_window_boundaries),
        cmocka_unit_test(test_actions_and_peers_apart),
        cmocka_unit_test(test_null_limiter_allows),
        cmocka_unit_test(test_flood_of_addresses_stays_bounded),
        cmocka_unit_test(test_flood_does_not_free_the_limited_peer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
