/*
 * bench_room: the live session room under a crowd (docs/performance.md,
 * "The room benchmark").
 *
 *   b40-bench room [--participants N] [--messages M] [--text-bytes B]
 *                  [--stall-max K] [--join-window W] [--send-queue-kib Q]
 *                  [--server PATH] [--source DIR] [--dir BASE] [--keep]
 *
 * After the common setup (setup.c: the throwaway server, N synthetic member
 * cities and their mayors written into the database, the secretary signed
 * in), over the protocol: the secretary joins every city to the founding
 * group "climate" (group.join), schedules an extra session of it
 * (session.schedule) and starts it (session.start: the secretariat chairs).
 * Then every mayor enrolls and signs in on a WSS connection of its own,
 * from its own loopback address, and joins the room (room.join, which
 * answers with the room's snapshot; everyone already in the room sees a
 * presence.join), with at most W joins in flight (default 1: see
 * docs/performance.md for what more does to the server). Then:
 *
 *   fan-out    M chat messages (room.chat.send), one at a time, each from a
 *              different sender in turn; each is timed from just before the
 *              write that sends it to the read that brings its room.event to
 *              each of the N - 1 others; the next goes once all have it ->
 *              fanout_p50_ms, fanout_p99_ms (every receiver of every message
 *              is one sample); the server's RSS before the participants
 *              connected and now -> rss_kib_per_connection;
 *   isolation  the last participant (connected with a small receive buffer)
 *              stops reading its socket; messages go on as before until the
 *              server drops it (the others see its presence.leave), or K
 *              messages; then as many again without it, as a control. The
 *              others' p99 while it hung against their p99 without it ->
 *              slow_client_isolated.
 *
 * Every room.event must carry the next room sequence number on every
 * connection (no gap, no duplicate); anything else counts in `errors`.
 * The bench's thread only: one epoll loop.
 */
#define _GNU_SOURCE /* memmem */
#include "bench.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "wsc.h"

#define GROUP "climate"            /* a founding group: active from `b40 init` on */
#define GROUP_JOIN_WINDOW 2        /* group.join replies list every member (~120 bytes each): few in flight */
#define GAP_MS 10                  /* after a message has reached everyone, before the next one */
#define CHAT_BURST 10              /* the server's chat limit (docs/protocol.md): 10 messages ... */
#define CHAT_WINDOW_MS 10000       /* ... per person per 10 s */
#define RATE_MARGIN 1.1            /* so each sender's messages are >= 1.1 s apart */
#define FANOUT_TIMEOUT_MS 60000    /* a message that has not reached everyone by then: the run failed */
#define STALL_RCVBUF 4096          /* the stalled participant's SO_RCVBUF (the kernel doubles it) */
#define STALL_MAXSEG 1460          /* and its MSS: an Ethernet path's, not loopback's 64 KiB */
#define BOUND_FACTOR 2.0           /* isolated: the others' p99 with the stalled client present ... */
#define BOUND_SLACK_MS 50.0        /* ... at most 2 x the baseline p99 + 50 ms */
#define STALL_PING_MS 10000        /* the stalled participant writes a system.ping this often */
#define BOUNDED_KIB 1024           /* never dropped: RSS growth over the stalled phase's second half at most this, */
#define SHOWN_KIB (4 * BOUNDED_KIB) /* while at least this much was sent to it then (else nothing is shown) */
#define EVENT_OVERHEAD 150         /* bytes of a chat room.event besides its text, at the least */
#define MAX_ERRORS_SHOWN 5

/* Samples of fan-out latency in ms. */
struct samples {
    double *v;
    size_t n, cap;
};

/* What the bench knows of each participant beside b->cities[i]. */
struct part {
    uint64_t room_seq; /* the room sequence number it last saw (its join's reply, then each event) */
    bool joined;
};

struct roomb {
    struct bench *b;
    struct part *parts;
    int64_t session;
    size_t stalled;         /* the participant that stops reading: the last one */
    uint64_t last_join_seq; /* the room's sequence number once everyone has joined */
    /* the message in flight */
    bool in_flight;
    size_t msg, sender, got, want;
    bool reply_seen;
    int64_t t_send, t_last;
    struct samples *into;
    /* the stall */
    bool stalling, drop_seen;
    int64_t t_stall, t_drop;
    size_t stall_sent;
    uint64_t errors;
};

struct room_results {
    double p50, p99, max, complete_p50, complete_max;
    size_t samples;
    double server_cpu_us_per_delivery, server_cpu, bench_cpu, server_runq, bench_runq;
    long rss_before, rss_signed_in, rss_joined, rss_after;
    double rss_per_conn, join_s;
    /* isolation */
    size_t stall_messages, after_messages, queue_full_drops;
    double stall_p50, stall_p99, nostall_p99, bound, after_p99, drop_s;
    long stall_rss_growth;
    bool dropped, bounded, isolated;
};

__attribute__((format(printf, 2, 3))) static void fault(struct roomb *r, const char *fmt, ...)
{
    va_list ap;

    if (++r->errors > MAX_ERRORS_SHOWN)
        return;
    fputs("b40-bench: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

static int samples_add(struct samples *s, double ms)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 4096;
        double *v = realloc(s->v, cap * sizeof(*v));
        if (!v)
            return -1;
        s->v = v;
        s->cap = cap;
    }
    s->v[s->n++] = ms;
    return 0;
}

/* Sorts s and reads p50, p99 and the largest (all 0 when empty). */
static void samples_stats(struct samples *s, double *p50, double *p99, double *max)
{
    *p50 = *p99 = 0;
    if (max)
        *max = 0;
    if (!s->n)
        return;
    qsort(s->v, s->n, sizeof(*s->v), cmp_double);
    *p50 = percentile(s->v, s->n, 0.50);
    *p99 = percentile(s->v, s->n, 0.99);
    if (max)
        *max = s->v[s->n - 1];
}

/* The value after `key` (e.g. "\"person\":") in msg, as an unsigned number; 0 when absent. */
static uint64_t number_after(const char *msg, size_t len, const char *key)
{
    const char *q = memmem(msg, len, key, strlen(key));

    return q ? strtoull(q + strlen(key), NULL, 10) : 0;
}

/*
 * Every event on every connection: a room.event must carry the room's next
 * sequence number for that connection. A chat.message of the message in
 * flight is a sample; a presence.leave of the stalled participant is its
 * drop; anyone else leaving is an error.
 */
static void on_event(void *ctx, struct peer *p, const char *msg, size_t len, int64_t t_ns)
{
    static const char room_event[] = "{\"event\":\"room.event\"";
    struct roomb *r = ctx;
    struct city *c = p->user;
    struct part *pt;
    uint64_t seq;
    size_t i;
    const char *kind;

    if (!c || strncmp(msg, room_event, sizeof(room_event) - 1))
        return; /* the secretary's connection (not in the room), system events */
    i = (size_t)(c - r->b->cities);
    pt = &r->parts[i];
    seq = number_after(msg, len, "\"room_event\":{\"seq\":");
    if (!pt->joined) {
        fault(r, "%s: a room event before its room.join reply: %.200s", c->code, msg);
        return;
    }
    if (seq != pt->room_seq + 1)
        fault(r, "%s: room event %llu after %llu (a gap or a duplicate)", c->code, (unsigned long long)seq,
              (unsigned long long)pt->room_seq);
    pt->room_seq = seq;
    kind = memmem(msg, len, "\"kind\":\"", 8);
    if (!kind) {
        fault(r, "%s: a room event without a kind: %.200s", c->code, msg);
        return;
    }
    kind += 8;
    if (!strncmp(kind, "chat.message\"", 13)) {
        const char *t = memmem(msg, len, "\"text\":\"bench#", 14);
        size_t k = t ? (size_t)strtoull(t + 14, NULL, 10) : SIZE_MAX;
        if (!r->in_flight || k != r->msg) {
            fault(r, "%s: chat message %zu arrived while %zu was in flight", c->code, k, r->msg);
            return;
        }
        if (i == r->sender)
            return; /* the sender's own copy: not a receiver */
        if (samples_add(r->into, (double)(t_ns - r->t_send) / 1e6)) {
            fault(r, "out of memory");
            return;
        }
        r->got++;
        if (t_ns > r->t_last)
            r->t_last = t_ns;
    } else if (!strncmp(kind, "presence.leave\"", 15)) {
        int64_t person = (int64_t)number_after(msg, len, "\"person\":");
        if (r->stalling && person == r->b->cities[r->stalled].person_id) {
            if (!r->drop_seen) {
                r->drop_seen = true;
                r->t_drop = t_ns;
            }
        } else {
            fault(r, "%s saw person %lld leave: %.300s", c->code, (long long)person, msg);
        }
    }
}

/* The reply to the message in flight, on the sender's connection. */
static bool on_reply(void *ctx, struct peer *p, const char *msg, int64_t t_ns)
{
    struct roomb *r = ctx;
    struct city *c = p->user;
    char prefix[64];

    (void)t_ns;
    if (!r->in_flight || !c || (size_t)(c - r->b->cities) != r->sender || r->reply_seen)
        return false;
    r->reply_seen = true;
    snprintf(prefix, sizeof(prefix), "{\"id\":\"m%zu\",\"ok\":true,", r->msg);
    if (strncmp(msg, prefix, strlen(prefix)))
        fault(r, "room.chat.send of message %zu by %s failed: %.400s", r->msg, c->code, msg);
    return true;
}

/* ---- setup over the protocol ---- */

static int on_group_join(struct job *j, struct json_object *reply)
{
    (void)j;
    return reply_is_ok(reply) ? 0 : reply_failed("group.join", reply);
}

/* Every city joins the group: group.join by the secretary (the secretariat may join any city). */
static int join_group(struct bench *b)
{
    struct job *jobs = calloc(b->n, sizeof(*jobs));
    int rc;

    if (!jobs)
        return oops("out of memory");
    for (size_t i = 0; i < b->n; i++) {
        struct json_object *f = json_object_new_object();
        json_object_object_add(f, "group", json_object_new_string(GROUP));
        json_object_object_add(f, "city", json_object_new_string(b->cities[i].code));
        jobs[i] = (struct job){.p = &b->sec, .text = client_request(&b->cl, "group.join", f), .on_reply = on_group_join};
    }
    rc = client_run_jobs(&b->cl, jobs, b->n, GROUP_JOIN_WINDOW, STALL_TIMEOUT_MS);
    client_free_jobs(jobs, b->n);
    return rc;
}

/* An extra session of the group, an hour from now, started at once by the secretary (who chairs). */
static int start_session(struct roomb *r)
{
    struct bench *b = r->b;
    struct json_object *f = json_object_new_object(), *agenda = json_object_new_array(), *rep, *id;
    char starts[32], ends[32];

    rfc3339(3600 * 1000LL, starts);
    rfc3339(3 * 3600 * 1000LL, ends);
    json_object_array_add(agenda, json_object_new_string("Opening"));
    json_object_array_add(agenda, json_object_new_string("Any other business"));
    json_object_object_add(f, "group", json_object_new_string(GROUP));
    json_object_object_add(f, "kind", json_object_new_string("extra"));
    json_object_object_add(f, "title", json_object_new_string("b40-bench room"));
    json_object_object_add(f, "starts_at", json_object_new_string(starts));
    json_object_object_add(f, "ends_at", json_object_new_string(ends));
    json_object_object_add(f, "agenda", agenda);
    rep = client_call(&b->cl, &b->sec, "session.schedule", f, false);
    if (!rep)
        return -1;
    id = jget(rep, "session", "id", NULL);
    r->session = id ? json_object_get_int64(id) : 0;
    json_object_put(rep);
    if (r->session <= 0)
        return oops("session.schedule's reply has no session.id");
    f = json_object_new_object();
    json_object_object_add(f, "session", json_object_new_int64(r->session));
    rep = client_call(&b->cl, &b->sec, "session.start", f, false);
    if (!rep)
        return -1;
    json_object_put(rep);
    return 0;
}

static int on_room_join(struct job *j, struct json_object *reply)
{
    struct roomb *r = j->arg;
    struct city *c = j->p->user;
    struct part *pt = &r->parts[c - r->b->cities];
    struct json_object *seq = jget(reply, "seq", NULL), *you = jget(reply, "you", "person", NULL),
                       *present = jget(reply, "snapshot", "present", NULL);

    if (!reply_is_ok(reply))
        return reply_failed("room.join", reply);
    if (!seq || !json_object_is_type(seq, json_type_int) || !you || json_object_get_int64(you) != c->person_id ||
        !present || !json_object_is_type(present, json_type_array))
        return oops("room.join for %s: seq, you.person or snapshot.present missing or unexpected", c->code);
    pt->room_seq = (uint64_t)json_object_get_int64(seq);
    pt->joined = true;
    if (pt->room_seq > r->last_join_seq)
        r->last_join_seq = pt->room_seq;
    return 0;
}

/* Everyone joins the room; then waits until every connection has seen every join after its own. */
static int join_room(struct roomb *r)
{
    struct bench *b = r->b;
    struct job *jobs = calloc(b->n, sizeof(*jobs));
    size_t behind = b->n, last = SIZE_MAX;
    int64_t progress;
    int rc;

    if (!jobs)
        return oops("out of memory");
    for (size_t i = 0; i < b->n; i++) {
        struct json_object *f = json_object_new_object();
        json_object_object_add(f, "session", json_object_new_int64(r->session));
        jobs[i] = (struct job){.p = &b->cities[i].peer, .text = client_request(&b->cl, "room.join", f),
                               .on_reply = on_room_join, .arg = r};
    }
    rc = client_run_jobs(&b->cl, jobs, b->n, b->opt.join_window, STALL_TIMEOUT_MS);
    client_free_jobs(jobs, b->n);
    if (rc)
        return -1;
    progress = wsc_now_ns();
    while (behind) {
        behind = 0;
        for (size_t i = 0; i < b->n; i++)
            behind += r->parts[i].room_seq < r->last_join_seq;
        if (!behind)
            break;
        if (behind != last) {
            last = behind;
            progress = wsc_now_ns();
        } else if (wsc_now_ns() - progress > (int64_t)STALL_TIMEOUT_MS * 1000000) {
            return oops("%zu participants have not seen every join after %d s", behind, STALL_TIMEOUT_MS / 1000);
        }
        if (client_loop_once(&b->cl, 100))
            return -1;
    }
    return 0;
}

/* ---- the timed messages ---- */

/* Serves the connections until the monotonic time `until` (ns). 0 or -1. */
static int serve_until(struct bench *b, int64_t until)
{
    for (int64_t now = wsc_now_ns(); now < until; now = wsc_now_ns())
        if (client_loop_once(&b->cl, (int)((until - now + 999999) / 1000000)))
            return -1;
    return 0;
}

/*
 * Sends chat message k from its sender (participant k mod (N - 1): the
 * stalled one never sends) and waits until `want` others have it and the
 * sender has its reply; each reception's latency goes into `into`, the
 * time until the last one into `complete` (may be NULL). Then waits GAP_MS,
 * and at least until the sender rate the server allows. 0 or -1.
 */
static int send_message(struct roomb *r, size_t k, size_t want, struct samples *into, struct samples *complete)
{
    struct bench *b = r->b;
    size_t senders = b->n - 1, sender = k % senders, tlen = b->opt.text_bytes, n;
    char text[1100], req[1400];
    uint8_t frame[1500];
    int64_t min_gap_ns = (int64_t)(RATE_MARGIN * CHAT_WINDOW_MS / CHAT_BURST * 1e6 / (double)senders);
    int64_t start;
    int len;

    len = snprintf(text, sizeof(text), "bench#%zu# ", k);
    for (size_t i = (size_t)len; i < tlen; i++)
        text[i] = (char)('a' + i % 26);
    text[tlen > (size_t)len ? tlen : (size_t)len] = '\0';
    len = snprintf(req, sizeof(req), "{\"id\":\"m%zu\",\"type\":\"room.chat.send\",\"session\":%lld,\"text\":\"%s\"}", k,
                   (long long)r->session, text);
    if (len < 0 || (size_t)len >= sizeof(req) || !(n = wsc_frame(frame, sizeof(frame), 1, req, (size_t)len)))
        return oops("a chat request too long");
    r->msg = k;
    r->sender = sender;
    r->got = 0;
    r->want = want;
    r->reply_seen = false;
    r->into = into;
    r->in_flight = true;
    r->t_send = r->t_last = wsc_now_ns();
    if (wsc_send_frame(&b->cities[sender].peer.ws, frame, n))
        return oops("sending message %zu from %s: %s", k, b->cities[sender].code, b->cities[sender].peer.ws.err);
    start = r->t_send;
    while (r->got < r->want || !r->reply_seen) {
        if (client_loop_once(&b->cl, 100))
            return -1;
        if (wsc_now_ns() - start > (int64_t)FANOUT_TIMEOUT_MS * 1000000)
            return oops("message %zu reached %zu of %zu others in %d s (reply %s)", k, r->got, r->want,
                        FANOUT_TIMEOUT_MS / 1000, r->reply_seen ? "seen" : "not seen");
    }
    r->in_flight = false;
    if (complete && samples_add(complete, (double)(r->t_last - r->t_send) / 1e6))
        return oops("out of memory");
    {
        int64_t next = wsc_now_ns() + GAP_MS * 1000000LL;
        if (next < r->t_send + min_gap_ns)
            next = r->t_send + min_gap_ns;
        return serve_until(b, next);
    }
}

/* The fan-out phase: M messages, everyone reading; the samples go into s. */
static int fanout(struct roomb *r, struct room_results *res, struct samples *s, size_t *k)
{
    struct bench *b = r->b;
    struct samples complete = {0};
    double s0, c0, q0, b0, cpu;
    int64_t t0, t1;
    int rc = -1;

    s0 = cpu_seconds(b->srv.pid);
    c0 = self_cpu_seconds();
    q0 = runq_wait_seconds(b->srv.pid);
    b0 = runq_wait_seconds(getpid());
    t0 = wsc_now_ns();
    for (size_t m = 0; m < b->opt.messages; m++, (*k)++)
        if (send_message(r, *k, b->n - 1, s, &complete))
            goto out;
    t1 = wsc_now_ns();
    cpu = cpu_seconds(b->srv.pid) - s0;
    res->server_cpu = cpu / ((double)(t1 - t0) / 1e9);
    res->server_cpu_us_per_delivery = cpu * 1e6 / (double)(b->opt.messages * (b->n - 1));
    res->bench_cpu = (self_cpu_seconds() - c0) / ((double)(t1 - t0) / 1e9);
    res->server_runq = (runq_wait_seconds(b->srv.pid) - q0) / ((double)(t1 - t0) / 1e9);
    res->bench_runq = (runq_wait_seconds(getpid()) - b0) / ((double)(t1 - t0) / 1e9);
    res->samples = s->n;
    samples_stats(s, &res->p50, &res->p99, &res->max);
    {
        double p99;
        samples_stats(&complete, &res->complete_p50, &p99, &res->complete_max);
    }
    note(b, "fan-out: %zu messages to %zu others each: p50 %.3f ms, p99 %.3f ms, max %.3f ms; all reached in %.3f ms "
            "(median), %.3f ms (worst)",
         b->opt.messages, b->n - 1, res->p50, res->p99, res->max, res->complete_p50, res->complete_max);
    rc = 0;
out:
    free(complete.v);
    return rc;
}

/* How many lines of the server's log say it dropped a connection for a full send queue. */
static size_t queue_full_drops(struct bench *b)
{
    char *log = proc_read_file(b->srv.log_path);
    size_t n = 0;

    for (const char *p = log; p && (p = strstr(p, "send queue full")) != NULL; p++)
        n++;
    free(log);
    return n;
}

/*
 * A system.ping from the stalled participant, whose reply it never reads: it
 * writes, so the server's keep-alive (a ping after --ping-interval, 30 s, and
 * a drop 30 s later without a sign of life) does not drop it; what is tested
 * is the send queue's limit. 0 or -1.
 */
static int sign_of_life(struct city *st)
{
    static const char ping[] = "{\"id\":\"alive\",\"type\":\"system.ping\"}";

    return wsc_send_text(&st->peer.ws, ping, sizeof(ping) - 1);
}

/*
 * The isolation phase: the stalled participant stops reading; messages go
 * on (the same size and pacing, to the N - 2 others) until the others see
 * it leave, or K have gone; then, as a control, as many again (at least M)
 * with it gone. The others' latencies while it hung are compared with
 * theirs without it: the fan-out phase's and the control's together, so
 * that a disk or a neighbour that slows every message now and then weighs
 * on both sides alike.
 */
static int isolation(struct roomb *r, struct room_results *res, struct samples *without, size_t *k)
{
    struct bench *b = r->b;
    struct city *st = &b->cities[r->stalled];
    struct samples during = {0}, after = {0};
    long rss0 = rss_kib(b->srv.pid), rss_max = rss0, rss_mid = -1, rss_end = rss0;
    size_t after_want = 0;
    int64_t last_ping;
    double unused;
    int rc = -1;

    if (wsc_pause(&st->peer.ws) || sign_of_life(st))
        return oops("stopping %s's reads: %s", st->code, st->peer.ws.err);
    last_ping = wsc_now_ns();
    r->stalling = true;
    r->t_stall = wsc_now_ns();
    note(b, "isolation: %s (person %lld) has stopped reading; sending until the server drops it", st->code,
         (long long)st->person_id);
    while (r->stall_sent < b->opt.stall_max && !r->drop_seen) {
        long rss;
        if (wsc_now_ns() - last_ping > STALL_PING_MS * 1000000LL) {
            if (sign_of_life(st))
                return oops("writing on %s's connection: %s", st->code, st->peer.ws.err);
            last_ping = wsc_now_ns();
        }
        r->stall_sent++;
        if (send_message(r, (*k)++, b->n - 2, &during, NULL))
            goto out;
        rss = rss_kib(b->srv.pid);
        if (rss > rss_max)
            rss_max = rss;
        rss_end = rss;
        if (r->stall_sent == b->opt.stall_max / 2)
            rss_mid = rss;
        if (r->stall_sent % 200 == 0)
            note(b, "isolation: %zu messages sent, server RSS %ld KiB", r->stall_sent, rss);
    }
    res->dropped = r->drop_seen;
    res->stall_messages = r->stall_sent; /* the message in flight when it went counts as sent while it hung */
    res->drop_s = r->drop_seen ? (double)(r->t_drop - r->t_stall) / 1e9 : -1;
    res->stall_rss_growth = rss_max - rss0;
    /*
     * Never dropped: bounded when the server's RSS grew by at most 1 MiB over
     * the stalled phase's second half while that half sent it at least 4 MiB
     * of events (a queue without a bound would have grown by that much).
     */
    res->bounded = res->dropped ||
                   (rss_mid >= 0 && rss_end - rss_mid <= BOUNDED_KIB &&
                    (double)(r->stall_sent - r->stall_sent / 2) * (double)(b->opt.text_bytes + EVENT_OVERHEAD) >=
                        SHOWN_KIB * 1024.0);
    if (r->drop_seen) {
        note(b, "isolation: dropped after %zu messages (%.3f s); the control: as many again without it",
             r->stall_sent, res->drop_s);
        after_want = r->stall_sent > b->opt.messages ? r->stall_sent : b->opt.messages;
        for (size_t m = 0; m < after_want; m++)
            if (send_message(r, (*k)++, b->n - 2, &after, NULL))
                goto out;
    }
    res->after_messages = after_want;
    res->queue_full_drops = queue_full_drops(b);
    samples_stats(&during, &res->stall_p50, &res->stall_p99, &unused);
    if (after.n)
        samples_stats(&after, &unused, &res->after_p99, NULL);
    else
        res->after_p99 = -1;
    for (size_t i = 0; i < after.n; i++)
        if (samples_add(without, after.v[i])) {
            oops("out of memory");
            goto out;
        }
    samples_stats(without, &unused, &res->nostall_p99, NULL);
    res->bound = BOUND_FACTOR * res->nostall_p99 + BOUND_SLACK_MS;
    res->isolated = res->stall_p99 <= res->bound && res->bounded;
    note(b, "isolation: the others' p99 %.3f ms while it hung, %.3f ms without it (bound %.3f ms)%s", res->stall_p99,
         res->nostall_p99, res->bound, res->dropped ? "" : "; it was never dropped");
    if (!res->dropped)
        note(b, "isolation: server RSS %ld KiB at the middle of the stalled phase, %ld KiB at its end (bounded: %s)",
             rss_mid, rss_end, res->bounded ? "yes" : "no");
    rc = 0;
out:
    free(during.v);
    free(after.v);
    return rc;
}

/* ---- the run ---- */

static int run(struct roomb *r, struct room_results *res)
{
    struct bench *b = r->b;
    const struct wsc_sockopts small = {.rcvbuf = STALL_RCVBUF, .maxseg = STALL_MAXSEG};
    struct samples without = {0};
    char code[32];
    size_t k = 0;
    int64_t t0;
    int rc = -1;

    if (bench_prepare(b, code) || bench_seed(b) || bench_start_server(b) || bench_secretary(b, code))
        return -1;
    if (!(r->parts = calloc(b->n, sizeof(*r->parts))))
        return oops("out of memory");
    r->stalled = b->n - 1;
    if (join_group(b))
        return -1;
    note(b, "%zu cities joined the group %s", b->n, GROUP);
    if (start_session(r))
        return -1;
    note(b, "session %lld is live", (long long)r->session);
    b->cl.on_event = on_event;
    b->cl.event_ctx = r;
    res->rss_before = rss_kib(b->srv.pid);
    if (bench_enroll_mayors(b, r->stalled, &small))
        return -1;
    res->rss_signed_in = rss_kib(b->srv.pid);
    note(b, "%zu mayors enrolled and signed in, each on its own connection (server RSS %ld KiB); joining the room",
         b->n, res->rss_signed_in);
    t0 = wsc_now_ns();
    if (join_room(r))
        return -1;
    res->join_s = (double)(wsc_now_ns() - t0) / 1e9;
    res->rss_joined = rss_kib(b->srv.pid);
    note(b, "%zu participants in the room (%.3f s, server RSS %ld KiB); every one has seen every join; fan-out phase",
         b->n, res->join_s, res->rss_joined);
    b->cl.hot = on_reply;
    b->cl.hot_ctx = r;
    if (fanout(r, res, &without, &k))
        goto out;
    res->rss_after = rss_kib(b->srv.pid);
    res->rss_per_conn = (double)(res->rss_after - res->rss_before) / (double)b->n;
    note(b, "server RSS %ld KiB before the participants connected, %ld KiB now: %.1f KiB a participant",
         res->rss_before, res->rss_after, res->rss_per_conn);
    if (isolation(r, res, &without, &k))
        goto out;
    rc = 0;
out:
    b->cl.hot = NULL;
    free(without.v);
    return rc;
}

int room_run(struct bench *b)
{
    struct roomb r;
    struct room_results res;
    int rc;

    memset(&r, 0, sizeof(r));
    memset(&res, 0, sizeof(res));
    r.b = b;
    rc = run(&r, &res);
    if (rc && b->srv.pid) {
        size_t dropped = queue_full_drops(b);
        if (dropped)
            oops("the server dropped %zu connections for a full send queue (%s)", dropped, b->srv.log_path);
    }
    b->cl.hot = NULL;
    b->cl.on_event = NULL;
    rc = bench_teardown(b, rc);
    if (rc == 0) {
        printf("participants=%zu\n", b->n);
        printf("fanout_p50_ms=%.3f\n", res.p50);
        printf("fanout_p99_ms=%.3f\n", res.p99);
        printf("rss_kib_per_connection=%.1f\n", res.rss_per_conn);
        printf("slow_client_isolated=%s\n", res.isolated ? "yes" : "no");
        printf("messages=%zu\n", b->opt.messages);
        printf("text_bytes=%zu\n", b->opt.text_bytes);
        printf("fanout_samples=%zu\n", res.samples);
        printf("fanout_max_ms=%.3f\n", res.max);
        printf("fanout_complete_p50_ms=%.3f\n", res.complete_p50);
        printf("fanout_complete_max_ms=%.3f\n", res.complete_max);
        printf("join_s=%.3f\n", res.join_s);
        printf("server_cpu_us_per_delivery=%.2f\n", res.server_cpu_us_per_delivery);
        printf("server_cpu_per_wall_s=%.3f\n", res.server_cpu);
        printf("bench_cpu_per_wall_s=%.3f\n", res.bench_cpu);
        printf("server_runq_wait_per_wall_s=%.3f\n", res.server_runq);
        printf("bench_runq_wait_per_wall_s=%.3f\n", res.bench_runq);
        printf("rss_before_kib=%ld\n", res.rss_before);
        printf("rss_signed_in_kib=%ld\n", res.rss_signed_in);
        printf("rss_joined_kib=%ld\n", res.rss_joined);
        printf("rss_after_kib=%ld\n", res.rss_after);
        printf("stall_messages=%zu\n", res.stall_messages);
        printf("stall_fanout_p50_ms=%.3f\n", res.stall_p50);
        printf("stall_fanout_p99_ms=%.3f\n", res.stall_p99);
        printf("nostall_fanout_p99_ms=%.3f\n", res.nostall_p99);
        printf("stall_bound_ms=%.3f\n", res.bound);
        printf("slow_client_dropped=%d\n", res.dropped ? 1 : 0);
        printf("slow_client_drop_s=%.3f\n", res.drop_s);
        printf("server_queue_full_drops=%zu\n", res.queue_full_drops);
        printf("stall_rss_growth_kib=%ld\n", res.stall_rss_growth);
        printf("after_drop_messages=%zu\n", res.after_messages);
        printf("after_drop_fanout_p99_ms=%.3f\n", res.after_p99);
        printf("errors=%llu\n", (unsigned long long)r.errors);
        fflush(stdout);
    }
    free(r.parts);
    if (rc == 0 && r.errors)
        rc = oops("%llu errors (room events out of sequence, failed chat messages, unexpected leaves)",
                  (unsigned long long)r.errors);
    return rc;
}
