/*
 * Unit tests of the verification worker: good and bad signatures come back
 * marked, in submission order (one worker), with their payloads, each once
 * (several workers); draining waits for all;
 * one wake per batch of results, never none while results wait, and while
 * jobs are queued one per VERIFY_WAKE_BATCH results; destroying
 * with jobs queued frees them.
 */
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <sodium.h>

#include "b40/verify.h"

static int wakes;

static void on_wake(void *ctx)
{
    (void)ctx;
    __atomic_add_fetch(&wakes, 1, __ATOMIC_SEQ_CST);
}

static void test_results_in_order(void **state)
{
    uint8_t pk[32], sk[64], sig[64];
    struct verifier *v = verify_create(1, on_wake, NULL);
    struct verify_job *done;
    char text[32];
    int n = 0;

    (void)state;
    assert_non_null(v);
    crypto_sign_keypair(pk, sk);
    for (intptr_t i = 0; i < 200; i++) {
        snprintf(text, sizeof(text), "ballot %d", (int)i);
        crypto_sign_detached(sig, NULL, (const uint8_t *)text, strlen(text), sk);
        if (i % 7 == 3)
            sig[5] ^= 1; /* every seventh is forged */
        verify_submit(v, verify_job_new(pk, sig, text, strlen(text), (void *)i));
    }
    verify_drain(v);
    done = verify_take_done(v);
    for (struct verify_job *j = done; j; n++) {
        struct verify_job *next = j->next;
        assert_int_equal((intptr_t)j->payload, n);
        assert_int_equal(j->ok, n % 7 != 3);
        free(j);
        j = next;
    }
    assert_int_equal(n, 200);
    /* nobody took results while they came in: one wake, for the first one on the empty list */
    assert_int_equal(__atomic_load_n(&wakes, __ATOMIC_SEQ_CST), 1);
    assert_null(verify_take_done(v));
    verify_destroy(v);
}

/*
 * Takes results as the service thread does, only after a wake it has not seen
 * yet, until *taken reaches want; every result must have verified.
 */
static void take_when_woken(struct verifier *v, int *seen, int *taken, int want)
{
    for (int spins = 0; *taken < want; spins++) {
        int w = __atomic_load_n(&wakes, __ATOMIC_SEQ_CST);
        assert_true(spins < 10000000); /* about 10 s: a lost wake leaves results untaken */
        if (w == *seen) {
            sched_yield();
            continue;
        }
        *seen = w;
        for (struct verify_job *j = verify_take_done(v); j;) {
            struct verify_job *next = j->next;
            assert_true(j->ok);
            free(j);
            (*taken)++;
            j = next;
        }
    }
}

/*
 * A taker that looks only when woken (as the service thread does) gets every
 * result: a wake is never skipped while results wait untaken.
 */
static void test_no_lost_wake(void **state)
{
    uint8_t pk[32], sk[64], sig[64];
    struct verifier *v;
    int seen = 0, taken = 0;

    (void)state;
    __atomic_store_n(&wakes, 0, __ATOMIC_SEQ_CST);
    v = verify_create(1, on_wake, NULL);
    assert_non_null(v);
    crypto_sign_keypair(pk, sk);
    crypto_sign_detached(sig, NULL, (const uint8_t *)"b", 1, sk);
    for (int round = 0; round < 50; round++) {
        int want = taken + 1 + round % 9;
        for (int i = taken; i < want; i++)
            verify_submit(v, verify_job_new(pk, sig, "b", 1, NULL));
        take_when_woken(v, &seen, &taken, want);
    }
    assert_true(__atomic_load_n(&wakes, __ATOMIC_SEQ_CST) <= taken);
    verify_destroy(v);
}

/*
 * While jobs are still queued, results are handed over VERIFY_WAKE_BATCH at a
 * time: a taker that takes on every wake is woken far fewer times than there
 * are results (once per result without batching), and gets them all.
 */
static void test_wakes_batched_while_queued(void **state)
{
    enum { N = 640 };
    uint8_t pk[32], sk[64], sig[64];
    struct verify_job *jobs[N];
    struct verifier *v;
    int seen = 0, taken = 0, w;

    (void)state;
    crypto_sign_keypair(pk, sk);
    crypto_sign_detached(sig, NULL, (const uint8_t *)"b", 1, sk);
    for (int i = 0; i < N; i++)
        jobs[i] = verify_job_new(pk, sig, "b", 1, NULL);
    __atomic_store_n(&wakes, 0, __ATOMIC_SEQ_CST);
    v = verify_create(1, on_wake, NULL);
    assert_non_null(v);
    for (int i = 0; i < N; i++) /* queued far faster than one worker checks them */
        verify_submit(v, jobs[i]);
    take_when_woken(v, &seen, &taken, N);
    w = __atomic_load_n(&wakes, __ATOMIC_SEQ_CST);
    assert_true(w <= N / 8); /* ~N / VERIFY_WAKE_BATCH; the slack is for a submitter descheduled mid-loop */
    verify_destroy(v);
}

static void test_destroy_with_work_queued(void **state)
{
    uint8_t pk[32] = {0}, sig[64] = {0};
    struct verifier *v = verify_create(1, on_wake, NULL);

    (void)state;
    for (int i = 0; i < 1000; i++)
        verify_submit(v, verify_job_new(pk, sig, "x", 1, NULL));
    verify_destroy(v); /* LeakSanitizer checks that every queued job was freed */
}

/* Several workers: every job comes back once, marked right, whatever the order; create refuses 0 and too many. */
static void test_several_workers(void **state)
{
    enum { N = 600 };
    uint8_t pk[32], sk[64], sig[64];
    struct verifier *v = verify_create(4, on_wake, NULL);
    static bool seen[N];
    char text[32];
    int n = 0;

    (void)state;
    assert_non_null(v);
    assert_null(verify_create(0, on_wake, NULL));
    assert_null(verify_create(VERIFY_THREADS_MAX + 1, on_wake, NULL));
    crypto_sign_keypair(pk, sk);
    for (intptr_t i = 0; i < N; i++) {
        snprintf(text, sizeof(text), "ballot %d", (int)i);
        crypto_sign_detached(sig, NULL, (const uint8_t *)text, strlen(text), sk);
        if (i % 5 == 2)
            sig[9] ^= 4;
        verify_submit(v, verify_job_new(pk, sig, text, strlen(text), (void *)i));
    }
    verify_drain(v);
    for (struct verify_job *j = verify_take_done(v); j; n++) {
        struct verify_job *next = j->next;
        intptr_t i = (intptr_t)j->payload;
        assert_true(i >= 0 && i < N);
        assert_false(seen[i]);
        seen[i] = true;
        assert_int_equal(j->ok, i % 5 != 2);
        free(j);
        j = next;
    }
    assert_int_equal(n, N);
    assert_null(verify_take_done(v));
    verify_destroy(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_results_in_order),
        cmocka_unit_test(test_several_workers),
        cmocka_unit_test(test_no_lost_wake),
        cmocka_unit_test(test_wakes_batched_while_queued),
        cmocka_unit_test(test_destroy_with_work_queued),
    };
    return sodium_init() < 0 ? 1 : cmocka_run_group_tests(tests, NULL, NULL);
}
