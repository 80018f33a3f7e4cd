/*
 * Unit tests of the counting rules: named cases (odd and even counts,
 * ties, all abstain, one candidate, no ballots), and an exhaustive
 * comparison with a reference written differently (by sorting) over every
 * vote vector of up to 5 candidates with 0..6 votes each.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "b40/election.h"

#define V(...) ((const uint64_t[]){__VA_ARGS__}), (sizeof((const uint64_t[]){__VA_ARGS__}) / sizeof(uint64_t))

static struct election_result decide(enum election_round_kind k, const uint64_t *v, size_t n, uint64_t abst)
{
    struct election_result r;

    assert_int_equal(election_decide(k, v, n, abst, &r), 0);
    return r;
}

static void assert_next(const struct election_result *r, const size_t *want, size_t n)
{
    assert_int_equal(r->outcome, ELECTION_RUNOFF_NEEDED);
    assert_int_equal(r->next_count, n);
    assert_memory_equal(r->next, want, n * sizeof(size_t));
}

static void test_named_cases(void **state)
{
    struct election_result r;

    (void)state;
    /* absolute majority in the first round, odd base */
    r = decide(ELECTION_FIRST_ROUND, V(5, 3, 1), 4);
    assert_int_equal(r.outcome, ELECTION_ELECTED);
    assert_int_equal(r.winner, 0);
    assert_int_equal(r.base, 9);
    assert_int_equal(r.abstentions, 4); /* counted, shown, not in the base */
    /* exactly half of an even base is not a majority: runoff between the two leaders */
    r = decide(ELECTION_FIRST_ROUND, V(4, 3, 1), 0);
    assert_next(&r, (const size_t[]){0, 1}, 2);
    /* one more than half of an even base is */
    r = decide(ELECTION_FIRST_ROUND, V(1, 5, 3), 0);
    assert_int_equal(r.outcome, ELECTION_ELECTED);
    assert_int_equal(r.winner, 1);
    /* abstentions do not block a majority: 3 of 5 votes for candidates, 20 abstain */
    r = decide(ELECTION_FIRST_ROUND, V(3, 2), 20);
    assert_int_equal(r.outcome, ELECTION_ELECTED);
    assert_int_equal(r.winner, 0);
    /* all tied for second go on */
    r = decide(ELECTION_FIRST_ROUND, V(2, 4, 2, 1, 2), 0);
    assert_next(&r, (const size_t[]){0, 1, 2, 4}, 4);
    /* a tie in front: every tied leader goes on, the rest do not */
    r = decide(ELECTION_FIRST_ROUND, V(3, 3, 2), 0);
    assert_next(&r, (const size_t[]){0, 1}, 2);
    r = decide(ELECTION_FIRST_ROUND, V(2, 2, 2), 0);
    assert_next(&r, (const size_t[]){0, 1, 2}, 3);
    /* one candidate: elected by any vote, nobody by abstentions alone */
    r = decide(ELECTION_FIRST_ROUND, V(1), 30);
    assert_int_equal(r.outcome, ELECTION_ELECTED);
    r = decide(ELECTION_FIRST_ROUND, V(0), 30);
    assert_int_equal(r.outcome, ELECTION_NO_VOTES);
    /* no ballots at all, and all abstain */
    r = decide(ELECTION_FIRST_ROUND, V(0, 0, 0), 0);
    assert_int_equal(r.outcome, ELECTION_NO_VOTES);
    r = decide(ELECTION_RUNOFF, V(0, 0), 12);
    assert_int_equal(r.outcome, ELECTION_NO_VOTES);
    assert_int_equal(r.abstentions, 12);
    /* runoff: simple majority; a tie goes to another runoff */
    r = decide(ELECTION_RUNOFF, V(7, 8), 0);
    assert_int_equal(r.outcome, ELECTION_ELECTED);
    assert_int_equal(r.winner, 1);
    r = decide(ELECTION_RUNOFF, V(2, 5, 4), 0); /* three in a runoff (tied for second before): most votes wins */
    assert_int_equal(r.outcome, ELECTION_ELECTED);
    assert_int_equal(r.winner, 1);
    r = decide(ELECTION_RUNOFF, V(6, 6), 1);
    assert_next(&r, (const size_t[]){0, 1}, 2);
    r = decide(ELECTION_RUNOFF, V(6, 6, 5), 0);
    assert_next(&r, (const size_t[]){0, 1}, 2);
    /* big numbers do not overflow */
    r = decide(ELECTION_FIRST_ROUND, V(UINT64_MAX / 4, UINT64_MAX / 4 - 1, 2), 0);
    assert_next(&r, (const size_t[]){0, 1}, 2);
    r = decide(ELECTION_FIRST_ROUND, V(UINT64_MAX / 4, UINT64_MAX / 4 - 1), 0);
    assert_int_equal(r.outcome, ELECTION_ELECTED); /* two candidates: the one in front has a majority */
}

static void test_bad_arguments(void **state)
{
    struct election_result r;
    uint64_t v[ELECTION_MAX_CANDIDATES + 1] = {0};

    (void)state;
    assert_int_equal(election_decide(ELECTION_FIRST_ROUND, v, 0, 0, &r), -1);
    assert_int_equal(election_decide(ELECTION_FIRST_ROUND, v, ELECTION_MAX_CANDIDATES + 1, 0, &r), -1);
    assert_int_equal(election_decide(ELECTION_FIRST_ROUND, v, ELECTION_MAX_CANDIDATES, 0, &r), 0);
}

/* The reference: sort the distinct counts, read the rule off them. */
static int cmp_desc(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? 1 : x > y ? -1 : 0;
}

static void reference(enum election_round_kind k, const uint64_t *v, size_t n, struct election_result *r)
{
    uint64_t sorted[8], total = 0;
    size_t leaders = 0;

    memset(r, 0, sizeof(*r));
    memcpy(sorted, v, n * sizeof(uint64_t));
    qsort(sorted, n, sizeof(uint64_t), cmp_desc);
    for (size_t i = 0; i < n; i++) {
        total += v[i];
        leaders += v[i] == sorted[0];
    }
    r->base = total;
    if (total == 0) {
        r->outcome = ELECTION_NO_VOTES;
        return;
    }
    if (leaders == 1 && (k == ELECTION_RUNOFF || 2 * sorted[0] > total)) {
        r->outcome = ELECTION_ELECTED;
        for (size_t i = 0; i < n; i++)
            if (v[i] == sorted[0])
                r->winner = i;
        return;
    }
    r->outcome = ELECTION_RUNOFF_NEEDED;
    for (size_t i = 0; i < n; i++)
        if (v[i] == sorted[0] || (leaders == 1 && v[i] == sorted[1]))
            r->next[r->next_count++] = i;
}

static void test_exhaustive_against_reference(void **state)
{
    uint64_t v[5];
    long checked = 0;

    (void)state;
    for (size_t n = 1; n <= 5; n++) {
        long combos = 1;
        for (size_t i = 0; i < n; i++)
            combos *= 7;
        for (long c = 0; c < combos; c++) {
            long x = c;
            for (size_t i = 0; i < n; i++, x /= 7)
                v[i] = (uint64_t)(x % 7);
            for (int k = 0; k < 2; k++) {
                struct election_result got, want;
                assert_int_equal(election_decide((enum election_round_kind)k, v, n, 3, &got), 0);
                reference((enum election_round_kind)k, v, n, &want);
                assert_int_equal(got.outcome, want.outcome);
                assert_int_equal(got.base, want.base);
                if (want.outcome == ELECTION_ELECTED)
                    assert_int_equal(got.winner, want.winner);
                if (want.outcome == ELECTION_RUNOFF_NEEDED) {
                    assert_int_equal(got.next_count, want.next_count);
                    assert_memory_equal(got.next, want.next, want.next_count * sizeof(size_t));
                    assert_true(got.next_count >= 2); /* a runoff always has a choice */
                }
                checked++;
            }
        }
    }
    assert_int_equal(checked, 2 * (7 + 49 + 343 + 2401 + 16807));
}

static void test_quorum(void **state)
{
    struct election_quorum_rule half = ELECTION_QUORUM_DEFAULT, two_thirds = {2, 3};

    (void)state;
    assert_false(election_quorum_met(half, 50, 25)); /* exactly half is not more than half */
    assert_true(election_quorum_met(half, 50, 26));
    assert_false(election_quorum_met(half, 51, 25));
    assert_true(election_quorum_met(half, 51, 26));
    assert_int_equal(election_quorum_threshold(half, 50), 26);
    assert_int_equal(election_quorum_threshold(half, 51), 26);
    assert_int_equal(election_quorum_threshold(two_thirds, 30), 21);
    assert_false(election_quorum_met(two_thirds, 30, 20));
    assert_true(election_quorum_met(two_thirds, 30, 21));
    assert_false(election_quorum_met(half, 0, 0));
    assert_true(election_quorum_met(half, 0, 1));
    assert_false(election_quorum_met((struct election_quorum_rule){1, 0}, 10, 10)); /* invalid rules never meet */
    assert_false(election_quorum_met((struct election_quorum_rule){3, 2}, 10, 10));
    assert_true(election_quorum_met(half, UINT64_MAX, UINT64_MAX)); /* no overflow */
    for (uint64_t m = 0; m < 200; m++)
        for (uint32_t num = 0; num <= 4; num++)
            for (uint32_t den = num ? num : 1; den <= 5; den++) {
                struct election_quorum_rule r = {num, den};
                uint64_t t = election_quorum_threshold(r, m);
                assert_true(election_quorum_met(r, m, t));
                if (t > 0)
                    assert_false(election_quorum_met(r, m, t - 1));
            }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_named_cases),
        cmocka_unit_test(test_bad_arguments),
        cmocka_unit_test(test_exhaustive_against_reference),
        cmocka_unit_test(test_quorum),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
