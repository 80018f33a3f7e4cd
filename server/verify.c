/*
 * verify: worker threads checking Ed25519 signatures. See
 * include/b40/verify.h.
 */
#include "b40/verify.h"

#include <pthread.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#ifndef VERIFY_NICE
#define VERIFY_NICE 10
#endif

struct verifier {
    pthread_mutex_t lock;
    pthread_cond_t work, idle;
    struct verify_job *todo_head, *todo_tail; /* submitted, not yet taken by the worker */
    struct verify_job *done_head, *done_tail; /* checked, not yet taken by the service thread */
    size_t busy;                              /* jobs submitted and not yet done */
    size_t done_n;                            /* jobs on the done list */
    bool woken;                               /* a wake is on its way for the done list */
    bool stopping;
    unsigned nthreads;
    pthread_t threads[VERIFY_THREADS_MAX];
    void (*wake)(void *ctx);
    void *ctx;
};

struct verify_job *verify_job_new(const uint8_t public_key[32], const uint8_t signature[64], const char *text,
                                  size_t len, void *payload)
{
    struct verify_job *j = malloc(sizeof(*j) + len + 1);

    if (!j)
        return NULL;
    j->next = NULL;
    memcpy(j->public_key, public_key, 32);
    memcpy(j->signature, signature, 64);
    j->ok = false;
    j->payload = payload;
    j->len = len;
    memcpy(j->text, text, len);
    j->text[len] = '\0';
    return j;
}

static void *worker(void *arg)
{
    struct verifier *v = arg;

    /* below the service thread: it is the pipeline's critical path (it reads, commits and answers), a worker
     * fills the time the cores would otherwise idle; a lower weight, not a lower class, so never starved */
    (void)setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), VERIFY_NICE);

    pthread_mutex_lock(&v->lock);
    for (;;) {
        struct verify_job *j;
        while (!v->todo_head && !v->stopping)
            pthread_cond_wait(&v->work, &v->lock);
        if (v->stopping)
            break;
        j = v->todo_head;
        v->todo_head = j->next;
        if (!v->todo_head)
            v->todo_tail = NULL;
        pthread_mutex_unlock(&v->lock);

        j->ok = crypto_sign_verify_detached(j->signature, (const uint8_t *)j->text, j->len, j->public_key) == 0;
        j->next = NULL;

        pthread_mutex_lock(&v->lock);
        /* One wake per batch of results, not per job: once a wake is on its way the service thread
         * will take the whole list, this job included; while jobs are queued, wait for a batch
         * (each wake of the service thread preempts a worker: a context switch, an IPI on a VM). */
        v->done_n++;
        bool wake = !v->woken && (v->done_n >= VERIFY_WAKE_BATCH || !v->todo_head);
        if (wake)
            v->woken = true;
        if (v->done_tail)
            v->done_tail->next = j;
        else
            v->done_head = j;
        v->done_tail = j;
        v->busy--;
        if (!v->busy)
            pthread_cond_broadcast(&v->idle);
        pthread_mutex_unlock(&v->lock);
        if (wake)
            v->wake(v->ctx);
        pthread_mutex_lock(&v->lock);
    }
    pthread_mutex_unlock(&v->lock);
    return NULL;
}

struct verifier *verify_create(unsigned threads, void (*wake)(void *ctx), void *ctx)
{
    struct verifier *v = calloc(1, sizeof(*v));

    if (!v || !threads || threads > VERIFY_THREADS_MAX || sodium_init() < 0) {
        free(v);
        return NULL;
    }
    pthread_mutex_init(&v->lock, NULL);
    pthread_cond_init(&v->work, NULL);
    pthread_cond_init(&v->idle, NULL);
    v->wake = wake;
    v->ctx = ctx;
    for (; v->nthreads < threads; v->nthreads++)
        if (pthread_create(&v->threads[v->nthreads], NULL, worker, v) != 0)
            break;
    if (v->nthreads < threads) {
        verify_destroy(v); /* stops the ones that started */
        return NULL;
    }
    return v;
}

static void free_list(struct verify_job *j)
{
    while (j) {
        struct verify_job *next = j->next;
        free(j);
        j = next;
    }
}

void verify_destroy(struct verifier *v)
{
    if (!v)
        return;
    pthread_mutex_lock(&v->lock);
    v->stopping = true;
    pthread_cond_broadcast(&v->work);
    pthread_mutex_unlock(&v->lock);
    for (unsigned i = 0; i < v->nthreads; i++)
        pthread_join(v->threads[i], NULL);
    free_list(v->todo_head);
    free_list(v->done_head);
    pthread_cond_destroy(&v->work);
    pthread_cond_destroy(&v->idle);
    pthread_mutex_destroy(&v->lock);
    free(v);
}

void verify_submit(struct verifier *v, struct verify_job *job)
{
    job->next = NULL;
    pthread_mutex_lock(&v->lock);
    if (v->todo_tail)
        v->todo_tail->next = job;
    else
        v->todo_head = job;
    v->todo_tail = job;
    v->busy++;
    pthread_cond_signal(&v->work);
    pthread_mutex_unlock(&v->lock);
}

struct verify_job *verify_take_done(struct verifier *v)
{
    struct verify_job *j;

    pthread_mutex_lock(&v->lock);
    j = v->done_head;
    v->done_head = v->done_tail = NULL;
    v->done_n = 0;
    v->woken = false;
    pthread_mutex_unlock(&v->lock);
    return j;
}

size_t verify_outstanding(struct verifier *v)
{
    size_t n;

    pthread_mutex_lock(&v->lock);
    n = v->busy + (v->done_head != NULL);
    pthread_mutex_unlock(&v->lock);
    return n;
}

void verify_drain(struct verifier *v)
{
    pthread_mutex_lock(&v->lock);
    while (v->busy)
        pthread_cond_wait(&v->idle, &v->lock);
    pthread_mutex_unlock(&v->lock);
}
