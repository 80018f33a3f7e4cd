/*
 * sendq: a singly linked FIFO of owned buffers with writer headroom. See
 * include/b40/sendq.h.
 */
#include "b40/sendq.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct sendq_item {
    struct sendq_item *next;
    size_t len;
    unsigned char buf[]; /* headroom bytes, then len bytes of payload */
};

void sendq_init(struct sendq *q, size_t headroom, size_t max_bytes, size_t max_count)
{
    memset(q, 0, sizeof(*q));
    q->headroom = headroom;
    q->max_bytes = max_bytes;
    q->max_count = max_count;
}

int sendq_push(struct sendq *q, const void *data, size_t len)
{
    struct sendq_item *it;

    if (q->count > 0 && (q->count >= q->max_count || len > q->max_bytes - q->bytes || q->bytes > q->max_bytes))
        return SENDQ_FULL;
    if (len > SIZE_MAX - sizeof(*it) - q->headroom)
        return SENDQ_NOMEM;
    it = malloc(sizeof(*it) + q->headroom + len);
    if (!it)
        return SENDQ_NOMEM;
    it->next = NULL;
    it->len = len;
    memcpy(it->buf + q->headroom, data, len);
    if (q->tail)
        q->tail->next = it;
    else
        q->head = it;
    q->tail = it;
    q->bytes += len;
    q->count++;
    return SENDQ_OK;
}

unsigned char *sendq_peek(const struct sendq *q, size_t *len)
{
    if (!q->head)
        return NULL;
    *len = q->head->len;
    return q->head->buf + q->headroom;
}

void sendq_pop(struct sendq *q)
{
    struct sendq_item *it = q->head;

    if (!it)
        return;
    q->head = it->next;
    if (!q->head)
        q->tail = NULL;
    q->bytes -= it->len;
    q->count--;
    free(it);
}

void sendq_clear(struct sendq *q)
{
    while (q->head)
        sendq_pop(q);
}
