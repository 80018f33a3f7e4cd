/*
 * sendq: one connection's bounded queue of outgoing messages. Each message
 * is copied into its own buffer with `headroom` free bytes before it (what
 * lws_write needs, LWS_PRE), so the writer can send in place. The queue
 * holds at most max_bytes of payload and max_count messages; a push beyond
 * that is refused and the caller drops the connection: a client that does
 * not read must not grow the server's memory or delay anyone else.
 *
 * Not thread-safe: owned by the connection, used on the service thread.
 */
#ifndef B40_SENDQ_H
#define B40_SENDQ_H

#include <stddef.h>

struct sendq_item;

struct sendq {
    struct sendq_item *head, *tail;
    size_t bytes, count;
    size_t headroom, max_bytes, max_count;
};

enum { SENDQ_OK = 0, SENDQ_FULL = -1, SENDQ_NOMEM = -2 };

void sendq_init(struct sendq *q, size_t headroom, size_t max_bytes, size_t max_count);

/*
 * Copies len bytes to the tail. Refused with SENDQ_FULL (nothing queued)
 * when it would pass max_count or max_bytes, except that an empty queue
 * always takes one message. SENDQ_NOMEM when memory ran out.
 */
int sendq_push(struct sendq *q, const void *data, size_t len) __attribute__((warn_unused_result));

/*
 * The head message: returns a pointer to its payload, with q->headroom
 * writable bytes before it, and its length in *len; NULL when empty.
 */
unsigned char *sendq_peek(const struct sendq *q, size_t *len);

/* Drops the head message (no-op when empty). */
void sendq_pop(struct sendq *q);

/* Frees every message. */
void sendq_clear(struct sendq *q);

#endif
