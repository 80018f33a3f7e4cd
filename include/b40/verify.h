/*
 * verify: Ed25519 signature checks on worker threads, so that ballot
 * signatures are verified on every core while the service thread goes on
 * reading, checking and committing. Jobs go in with verify_submit (from the
 * service thread), come back checked through verify_take_done (on the
 * service thread, after the wake callback ran on a worker). Threading: the
 * queues are guarded by one mutex; a job belongs to a worker between submit
 * and done, and to the service thread otherwise.
 */
#ifndef B40_VERIFY_H
#define B40_VERIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct verifier;

struct verify_job {
    struct verify_job *next; /* for the queues; the caller does not touch it */
    uint8_t public_key[32];
    uint8_t signature[64];
    bool ok;       /* set by the worker: the signature verifies over text */
    void *payload; /* the caller's, untouched */
    size_t len;
    char text[];   /* the exact signed bytes */
};

/* A job for len bytes of text (copied); NULL when memory ran out. Free with free(). */
struct verify_job *verify_job_new(const uint8_t public_key[32], const uint8_t signature[64], const char *text,
                                  size_t len, void *payload);

/* At most this many worker threads. */
#define VERIFY_THREADS_MAX 16

/* While jobs wait to be started, a wake is sent once this many results are done (one wake per batch). */
#define VERIFY_WAKE_BATCH 32

/*
 * Starts `threads` workers (1..VERIFY_THREADS_MAX). `wake(ctx)` is called on
 * a worker thread (it must be thread-safe: lws_cancel_service is) when
 * results wait untaken, no wake was sent since the last take, and either
 * VERIFY_WAKE_BATCH results are waiting or no job is left to start: a lone
 * ballot is handed back at once, a queue of them a batch at a time. The
 * taker must therefore take the whole list on each wake (verify_take_done
 * does). NULL when a thread could not start.
 */
struct verifier *verify_create(unsigned threads, void (*wake)(void *ctx), void *ctx);

/* Stops the workers (after the jobs in hand) and frees every job still queued, their payloads untouched. */
void verify_destroy(struct verifier *v);

/* Hands a job to the worker. */
void verify_submit(struct verifier *v, struct verify_job *job);

/*
 * Takes every finished job (a list through ->next) in the order they finished:
 * with one worker that is submission order. NULL when none.
 */
struct verify_job *verify_take_done(struct verifier *v);

/* Non-zero while a submitted job is unfinished or finished jobs wait to be taken. */
size_t verify_outstanding(struct verifier *v);

/* Waits until every submitted job is finished (they then wait in the done list). */
void verify_drain(struct verifier *v);

#endif
