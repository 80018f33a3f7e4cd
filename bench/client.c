/*
 * client: requests and replies over many connections in one epoll loop
 * (see client.h). The bench's thread only.
 */
#include "client.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#define CONNECT_TIMEOUT_MS 10000

int oops(const char *fmt, ...)
{
    va_list ap;

    fputs("b40-bench: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return -1;
}

char *client_request(struct client_loop *l, const char *type, struct json_object *fields)
{
    struct json_object *o = json_object_new_object();
    char id[24];
    char *text;

    snprintf(id, sizeof(id), "s%llu", (unsigned long long)++l->req_seq);
    json_object_object_add(o, "id", json_object_new_string(id));
    json_object_object_add(o, "type", json_object_new_string(type));
    if (fields) {
        json_object_object_foreach(fields, k, v) json_object_object_add(o, k, json_object_get(v));
        json_object_put(fields);
    }
    text = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(o);
    return text;
}

struct json_object *jget(struct json_object *o, ...)
{
    va_list ap;
    const char *k;

    va_start(ap, o);
    while (o && (k = va_arg(ap, const char *)) != NULL)
        if (!json_object_object_get_ex(o, k, &o))
            o = NULL;
    va_end(ap);
    return o;
}

const char *jstr(struct json_object *o, const char *key)
{
    struct json_object *v = jget(o, key, NULL);

    return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

bool reply_is_ok(struct json_object *reply)
{
    struct json_object *ok = jget(reply, "ok", NULL);

    return ok && json_object_is_type(ok, json_type_boolean) && json_object_get_boolean(ok);
}

const char *reply_error_code(struct json_object *reply)
{
    const char *c = jstr(jget(reply, "error", NULL), "code");

    return c ? c : "";
}

int reply_failed(const char *what, struct json_object *reply)
{
    return oops("%s failed: %.600s", what, json_object_to_json_string_ext(reply, JSON_C_TO_STRING_PLAIN));
}

int client_accept_any(struct job *j, struct json_object *reply)
{
    (void)j, (void)reply;
    return 0;
}

/* Every message that arrives on a peer: an event is counted, a timed reply goes to the hook, any other answers the oldest job. */
static void on_message(struct wsc *c, char *msg, size_t len, int64_t t_ns, void *user)
{
    struct peer *p = user;
    struct client_loop *l = p->loop;
    struct json_object *o;
    struct job *j;

    (void)c;
    if (!strncmp(msg, "{\"event\":", 9)) {
        l->events++;
        if (l->on_event)
            l->on_event(l->event_ctx, p, msg, len, t_ns);
        return;
    }
    if (l->hot && l->hot(l->hot_ctx, p, msg, t_ns))
        return;
    j = p->head;
    if (!j) {
        oops("a reply nobody asked for, on the connection from %s: %.300s", p->addr, msg);
        l->failed = true;
        return;
    }
    p->head = j->next;
    if (!p->head)
        p->tail = NULL;
    l->inflight--;
    l->jobs_done++;
    o = json_tokener_parse(msg);
    if (!o) {
        oops("a reply that is not JSON: %.300s", msg);
        l->failed = true;
        return;
    }
    if (j->on_reply(j, o))
        l->failed = true;
    if (j->keep)
        j->reply = o;
    else
        json_object_put(o);
}

int client_loop_once(struct client_loop *l, int timeout_ms)
{
    struct epoll_event ev[256];
    int n = epoll_wait(l->epfd, ev, 256, timeout_ms);

    if (n < 0 && errno != EINTR)
        return oops("epoll_wait: %s", strerror(errno));
    for (int i = 0; i < n; i++) {
        struct wsc *c = ev[i].data.ptr;
        if (!c) { /* the timer: waking up was all it was for */
            uint64_t ticks;
            if (read(l->timer_fd, &ticks, sizeof(ticks)) < 0 && errno != EAGAIN)
                return oops("reading the timer: %s", strerror(errno));
            continue;
        }
        if (wsc_on_event(c, ev[i].events)) {
            struct peer *p = c->user;
            return oops("the connection from %s failed: %s", p->addr, c->err);
        }
    }
    return l->failed ? -1 : 0;
}

static int send_job(struct client_loop *l, struct job *j)
{
    struct peer *p = j->p;
    int rc;

    j->next = NULL;
    if (p->tail)
        p->tail->next = j;
    else
        p->head = j;
    p->tail = j;
    l->inflight++;
    rc = wsc_send_text(&p->ws, j->text, strlen(j->text));
    free(j->text);
    j->text = NULL;
    return rc ? oops("sending from %s: %s", p->addr, p->ws.err) : 0;
}

int client_run_jobs(struct client_loop *l, struct job *jobs, size_t n, size_t window, int stall_ms)
{
    size_t sent = 0, done0 = l->jobs_done, last = l->jobs_done;
    int64_t progress = wsc_now_ns();

    l->failed = false;
    while (l->jobs_done - done0 < n) {
        while (sent < n && l->inflight < window)
            if (send_job(l, &jobs[sent++]))
                return -1;
        if (client_loop_once(l, 1000))
            return -1;
        if (l->jobs_done != last) {
            last = l->jobs_done;
            progress = wsc_now_ns();
        } else if (wsc_now_ns() - progress > (int64_t)stall_ms * 1000000) {
            return oops("no reply for %d s (%zu of %zu requests answered)", stall_ms / 1000, l->jobs_done - done0, n);
        }
    }
    return 0;
}

void client_free_jobs(struct job *jobs, size_t n)
{
    for (size_t i = 0; jobs && i < n; i++) {
        free(jobs[i].text);
        json_object_put(jobs[i].reply);
    }
    free(jobs);
}

struct json_object *client_call(struct client_loop *l, struct peer *p, const char *type, struct json_object *fields,
                                bool allow_error)
{
    struct job j = {.p = p, .text = client_request(l, type, fields), .on_reply = client_accept_any, .keep = true};
    struct json_object *r;

    if (!j.text || client_run_jobs(l, &j, 1, 1, 60000)) {
        free(j.text);
        json_object_put(j.reply);
        return NULL;
    }
    r = j.reply;
    if (!allow_error && !reply_is_ok(r)) {
        reply_failed(type, r);
        json_object_put(r);
        return NULL;
    }
    return r;
}

int client_connect(struct client_loop *l, struct peer *p, void *user, const struct wsc_sockopts *opts)
{
    size_t a = ++l->addr_seq;

    memset(p, 0, sizeof(*p));
    p->loop = l;
    p->user = user;
    /* 127.88.0.1, ...: Linux answers all of 127.0.0.0/8 on lo, so each client is an address of its own */
    snprintf(p->addr, sizeof(p->addr), "127.88.%zu.%zu", a / 250 % 256, a % 250 + 1);
    p->ws.on_message = on_message;
    p->ws.user = p;
    if (wsc_connect(&p->ws, l->ssl, l->epfd, p->addr, "127.0.0.1", l->port, l->origin, CONNECT_TIMEOUT_MS, opts)) {
        oops("connecting from %s: %s", p->addr, p->ws.err);
        wsc_free(&p->ws);
        return -1;
    }
    return 0;
}
