/*
 * Unit tests of the per-connection send queue: order, headroom, and the
 * count and byte limits that make a non-reading client be dropped.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "b40/sendq.h"

static void test_fifo_order_and_headroom(void **state)
{
    struct sendq q;
    unsigned char *p;
    size_t len;

    (void)state;
    sendq_init(&q, 16, 1024, 8);
    assert_null(sendq_peek(&q, &len));
    assert_int_equal(sendq_push(&q, "one", 3), SENDQ_OK);
    assert_int_equal(sendq_push(&q, "three", 5), SENDQ_OK);
    assert_int_equal(q.count, 2);
    assert_int_equal(q.bytes, 8);
    p = sendq_peek(&q, &len);
    assert_int_equal(len, 3);
    assert_memory_equal(p, "one", 3);
    memset(p - 16, 0x5a, 16); /* the headroom is ours to write (lws_write does) */
    sendq_pop(&q);
    p = sendq_peek(&q, &len);
    assert_int_equal(len, 5);
    assert_memory_equal(p, "three", 5);
    sendq_pop(&q);
    assert_int_equal(q.count, 0);
    assert_int_equal(q.bytes, 0);
    assert_null(sendq_peek(&q, &len));
    sendq_pop(&q); /* popping an empty queue is harmless */
}

static void test_count_limit(void **state)
{
    struct sendq q;

    (void)state;
    sendq_init(&q, 0, 1 << 20, 3);
    for (int i = 0; i < 3; i++)
        assert_int_equal(sendq_push(&q, "x", 1), SENDQ_OK);
    assert_int_equal(sendq_push(&q, "x", 1), SENDQ_FULL);
    assert_int_equal(q.count, 3);
    sendq_pop(&q);
    assert_int_equal(sendq_push(&q, "x", 1), SENDQ_OK);
    sendq_clear(&q);
    assert_int_equal(q.count, 0);
}

static void test_byte_limit(void **state)
{
    struct sendq q;
    char buf[100] = {0};

    (void)state;
    sendq_init(&q, 0, 250, 100);
    assert_int_equal(sendq_push(&q, buf, 100), SENDQ_OK);
    assert_int_equal(sendq_push(&q, buf, 100), SENDQ_OK);
    assert_int_equal(sendq_push(&q, buf, 51), SENDQ_FULL); /* 251 > 250 */
    assert_int_equal(sendq_push(&q, buf, 50), SENDQ_OK);   /* exactly 250 */
    assert_int_equal(sendq_push(&q, buf, 1), SENDQ_FULL);
    assert_int_equal(q.bytes, 250);
    sendq_clear(&q);
}

static void test_empty_queue_takes_one_oversized_message(void **state)
{
    struct sendq q;
    char buf[300] = {0};

    (void)state;
    sendq_init(&q, 0, 100, 10);
    assert_int_equal(sendq_push(&q, buf, 300), SENDQ_OK); /* a single reply is never refused */
    assert_int_equal(sendq_push(&q, buf, 1), SENDQ_FULL);
    sendq_clear(&q);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fifo_order_and_headroom),
        cmocka_unit_test(test_count_limit),
        cmocka_unit_test(test_byte_limit),
        cmocka_unit_test(test_empty_queue_takes_one_oversized_message),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
