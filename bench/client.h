/*
 * client: b40.v1 requests over many wsc connections in one epoll loop, for
 * b40-bench. A peer is one connection (from its own loopback address) with
 * the requests sent on it that still wait for their replies; replies come
 * in the order the requests were sent, so each answers the oldest one.
 * Events ({"event": ...}) are counted and dropped. Requests go out as
 * jobs, with a bound on how many are in flight; during a timed phase a
 * hook takes the replies before the job machinery sees them. The bench's
 * thread only.
 */
#ifndef B40_BENCH_CLIENT_H
#define B40_BENCH_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>
#include <openssl/ssl.h>

#include "wsc.h"

struct client_loop;
struct job;

/* One connection. `user` is the caller's (b40-bench: its city, NULL for the secretary). */
struct peer {
    struct wsc ws;
    struct client_loop *loop;
    void *user;
    char addr[16];
    struct job *head, *tail; /* sent, reply awaited, oldest first */
};

/* Called with the parsed reply to a job (lent). Returns 0, or -1 to fail the run (say why first). */
typedef int (*job_fn)(struct job *j, struct json_object *reply);

struct job {
    struct peer *p;
    char *text;      /* the request, malloc'd; freed once sent */
    job_fn on_reply;
    void *arg;       /* the caller's */
    bool keep;       /* keep the parsed reply in `reply` (the caller puts it) */
    struct json_object *reply;
    struct job *next;
};

/*
 * A timed phase's hook: sees every non-event message first; returns true
 * when it took the message (then no job is answered by it).
 */
typedef bool (*client_hot_fn)(void *ctx, struct peer *p, const char *msg, int64_t t_ns);

/* Sees every event ({"event": ...}; msg lent, NUL-terminated) with the time of the read that completed it. */
typedef void (*client_event_fn)(void *ctx, struct peer *p, const char *msg, size_t len, int64_t t_ns);

struct client_loop {
    int epfd;
    int timer_fd;        /* a timerfd in epfd (data.ptr NULL), or -1; its expiries just wake the loop */
    SSL_CTX *ssl;        /* verifies the server against the development CA */
    int port;            /* the server's, on 127.0.0.1 */
    char origin[64];     /* https://127.0.0.1:PORT: the Origin header, and what statements name */
    size_t addr_seq;     /* the last source address handed out */
    uint64_t req_seq;    /* the last request id */
    size_t inflight, jobs_done;
    bool failed;         /* a reply callback or a connection failed */
    uint64_t events;
    client_hot_fn hot;   /* NULL outside the timed phases */
    void *hot_ctx;
    client_event_fn on_event; /* NULL: events are only counted */
    void *event_ctx;
};

/* A request text {"id", "type", ...fields} (takes fields, which may be NULL). malloc'd; NULL on failure. */
char *client_request(struct client_loop *l, const char *type, struct json_object *fields);

/*
 * Connects p (its user set to `user`) from the next loopback source
 * address (127.88.x.y) to the server, with the socket options opts (NULL:
 * none). 0, or -1 (printed).
 */
int client_connect(struct client_loop *l, struct peer *p, void *user, const struct wsc_sockopts *opts)
    __attribute__((warn_unused_result));

/* Waits up to timeout_ms for events and handles them. 0, or -1 when a connection or a callback failed. */
int client_loop_once(struct client_loop *l, int timeout_ms) __attribute__((warn_unused_result));

/*
 * Sends jobs[0..n) with at most `window` in flight and waits for every
 * reply; fails when no reply comes for stall_ms. 0 or -1.
 */
int client_run_jobs(struct client_loop *l, struct job *jobs, size_t n, size_t window, int stall_ms)
    __attribute__((warn_unused_result));

/* Frees the texts and kept replies of jobs[0..n), and the array. */
void client_free_jobs(struct job *jobs, size_t n);

/*
 * One request on p, waiting for its reply: the reply (the caller puts it),
 * or NULL when the connection failed or, unless allow_error, the reply was
 * an error (then printed with `type`).
 */
struct json_object *client_call(struct client_loop *l, struct peer *p, const char *type, struct json_object *fields,
                                bool allow_error);

/* A job callback that takes any reply. */
int client_accept_any(struct job *j, struct json_object *reply);

/* ---- reading replies ---- */

/* A member of o by a path of keys ending in NULL; lent; NULL when absent. */
struct json_object *jget(struct json_object *o, ...);
/* A string member of o, lent; NULL when absent or not a string. */
const char *jstr(struct json_object *o, const char *key);
/* Is reply {"ok": true, ...}? */
bool reply_is_ok(struct json_object *reply);
/* error.code of a failed reply, or "". */
const char *reply_error_code(struct json_object *reply);
/* Prints "<what> failed: <the reply>" to stderr. Returns -1. */
int reply_failed(const char *what, struct json_object *reply);

/* Prints "b40-bench: <message>" to stderr. Returns -1. */
int oops(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
