/*
 * ws: the b40.v1 WebSocket protocol callback, a thin switch over
 * libwebsockets' reasons. Owns each connection's reassembly buffer and send
 * queue; hands complete messages to api and queues what it returns; never
 * touches SQL. Runs on the service thread only. lws_write happens in
 * LWS_CALLBACK_SERVER_WRITEABLE, except for a deferred reply (a receipt
 * after its commit) that nothing is queued ahead of: see reply_now.
 */
#include "b40/ws.h"

#include <stdlib.h>
#include <string.h>

#include "b40/log.h"
#include "b40/proto.h"
#include "b40/sendq.h"
#include "b40/timeutil.h"

#include <json-c/json.h>

struct ws_pss {
    struct lws *wsi;
    struct ws_pss *next, *prev; /* in shared->conns */
    struct ws_pss *id_next;     /* in shared->by_id[] */
    int64_t last_alive_ms;      /* when we last told lws this client is alive */
    struct ws_shared *shared;
    struct sendq q;
    struct api_conn conn;
    char *rx;          /* reassembly of a message that came in several pieces */
    size_t rx_len, rx_cap;
    size_t msg_len;    /* bytes of the current message so far, stored or not */
    bool in_message;   /* a message has begun and not ended */
    bool msg_binary;
    bool closing;      /* read nothing more; close with close_code once the queue is sent */
    bool discarding;   /* dropping the rest of an oversized message; then closing */
    bool dropped;      /* being killed; do nothing more */
    bool lws_closing;  /* the client sent its close frame, or lws began closing (a protocol error): nothing more from us */
    uint16_t close_code;
    const char *close_reason;
};

static struct ws_shared *shared_of(struct lws *wsi)
{
    return (struct ws_shared *)lws_get_protocol(wsi)->user;
}

/* Kills a connection that cannot keep up: no close frame could reach a client that does not read. */
static void drop(struct ws_pss *pss, const char *why)
{
    if (pss->dropped)
        return;
    pss->dropped = true;
    log_warn("ws: dropping a connection: %s", why);
    lws_set_timeout(pss->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
}

/* Puts msg (malloc'd, consumed) on the send queue; drops the connection when its queue is full. 0 when queued. */
static int enqueue(struct ws_pss *pss, char *msg, size_t len)
{
    int rc;

    if (!msg) {
        drop(pss, "out of memory");
        return -1;
    }
    if (pss->dropped) {
        free(msg);
        return -1;
    }
    rc = sendq_push(&pss->q, msg, len);
    free(msg);
    if (rc == SENDQ_FULL)
        drop(pss, "send queue full (the client does not read)");
    else if (rc != SENDQ_OK)
        drop(pss, "out of memory");
    return rc == SENDQ_OK ? 0 : -1;
}

/* Queues msg (malloc'd, consumed) for the next writeable callback. */
static void queue_msg(struct ws_pss *pss, char *msg, size_t len)
{
    if (enqueue(pss, msg, len) == 0)
        lws_callback_on_writable(pss->wsi);
}

static void begin_close(struct ws_pss *pss, uint16_t code, const char *reason)
{
    if (pss->closing)
        return;
    pss->closing = true;
    pss->close_code = code;
    pss->close_reason = reason;
    lws_callback_on_writable(pss->wsi);
}

static void end_message(struct ws_pss *pss)
{
    pss->in_message = false;
    pss->msg_len = 0;
    pss->rx_len = 0;
    if (pss->rx_cap > 4096) { /* do not keep a large buffer per idle connection */
        free(pss->rx);
        pss->rx = NULL;
        pss->rx_cap = 0;
    }
}

static int append(struct ws_pss *pss, const void *in, size_t len)
{
    if (pss->rx_len + len > pss->rx_cap) {
        size_t cap = pss->rx_cap ? pss->rx_cap : 1024;
        char *p;
        while (cap < pss->rx_len + len)
            cap *= 2;
        if (cap > PROTO_MAX_MESSAGE)
            cap = PROTO_MAX_MESSAGE;
        p = realloc(pss->rx, cap);
        if (!p)
            return -1;
        pss->rx = p;
        pss->rx_cap = cap;
    }
    memcpy(pss->rx + pss->rx_len, in, len);
    pss->rx_len += len;
    return 0;
}

/* How long the rest of an oversized message is read and dropped before the connection is cut. */
#define DISCARD_SECONDS 5

static void on_receive(struct ws_pss *pss, struct lws *wsi, const void *in, size_t len)
{
    struct ws_shared *sh = pss->shared;
    bool last = lws_is_final_fragment(wsi) && !lws_remaining_packet_payload(wsi);
    size_t reply_len = 0;
    char *reply;

    if (pss->discarding) { /* the rest of an oversized message: read and dropped, then the close */
        if (last)
            begin_close(pss, LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE, "message too large");
        return;
    }
    if (pss->closing || pss->dropped)
        return;
    if (!pss->in_message) {
        pss->in_message = true;
        pss->msg_binary = lws_frame_is_binary(wsi);
        pss->msg_len = 0;
        pss->rx_len = 0;
    }
    pss->msg_len += len;
    if (pss->msg_len > PROTO_MAX_MESSAGE) {
        /* Closing at once, with the rest of the message still arriving, resets the connection (the
         * kernel answers unread data with RST) and the client may never read our reply or close frame.
         * So: reply now, read and drop the rest of the message, and close with 1009 after its last
         * fragment; a sender that never ends it is cut off after DISCARD_SECONDS. */
        end_message(pss);
        reply = api_reply_too_large(&reply_len);
        queue_msg(pss, reply, reply_len);
        if (last) {
            begin_close(pss, LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE, "message too large");
        } else {
            pss->discarding = true;
            lws_set_timeout(wsi, PENDING_TIMEOUT_USER_OK, DISCARD_SECONDS);
        }
        return;
    }
    if (pss->msg_binary) {
        if (last) {
            end_message(pss);
            reply = api_reply_bad_frame(&reply_len);
            queue_msg(pss, reply, reply_len);
        }
        return;
    }
    if (last && pss->rx_len == 0) { /* the whole message in one piece: no copy */
        reply = api_handle_text(sh->env, &pss->conn, in, len, &reply_len);
    } else {
        if (append(pss, in, len) != 0) {
            drop(pss, "out of memory");
            return;
        }
        if (!last)
            return;
        reply = api_handle_text(sh->env, &pss->conn, pss->rx, pss->rx_len, &reply_len);
    }
    end_message(pss);
    if (reply || reply_len) /* NULL with length 0: deferred (group commit) */
        queue_msg(pss, reply, reply_len);
}

/* At most this many messages in one writeable callback, so that one connection's backlog cannot hold the loop. */
#define WRITES_PER_CALLBACK 64

static int on_writeable(struct ws_pss *pss, struct lws *wsi)
{
    unsigned char *msg;
    size_t len;

    if (pss->dropped)
        return -1;
    if (pss->lws_closing)
        return 0;
    msg = sendq_peek(&pss->q, &len);
    if (msg) {
        /* a burst (a room's joins, fast chat) queues several events per turn: write them while the
         * socket takes them whole, so a reading client drains as fast as events are made and only
         * one that does not read fills its queue. lws buffers what a write could not send; then
         * the pipe reports choked and we wait for the next callback. */
        for (int n = 0; msg; msg = sendq_peek(&pss->q, &len)) {
            if (lws_write(wsi, msg, len, LWS_WRITE_TEXT) < (int)len)
                return -1;
            sendq_pop(&pss->q);
            if (++n == WRITES_PER_CALLBACK || !pss->q.count || lws_send_pipe_choked(wsi))
                break;
        }
        if (pss->q.count || pss->closing)
            lws_callback_on_writable(wsi);
        return 0;
    }
    if (pss->closing) {
        lws_close_reason(wsi, (enum lws_close_status)pss->close_code, (unsigned char *)pss->close_reason,
                         strlen(pss->close_reason));
        return -1;
    }
    return 0;
}

/* Admits an upgrade only on /ws, from an allowed Origin, while the server is not shutting down. */
static int filter(struct lws *wsi)
{
    struct ws_shared *sh = shared_of(wsi);
    char buf[ORIGIN_MAX_LEN + 1];
    int n;

    if (sh->shutting_down)
        return -1;
    n = lws_hdr_copy(wsi, buf, sizeof(buf), WSI_TOKEN_GET_URI);
    if (n != 3 || memcmp(buf, "/ws", 3) != 0) {
        log_info("ws: upgrade refused: not on path /ws");
        return -1;
    }
    n = lws_hdr_copy(wsi, buf, sizeof(buf), WSI_TOKEN_ORIGIN);
    if (n <= 0 || !origin_list_allows(sh->origins, buf, (size_t)n)) {
        log_info("ws: upgrade refused: %s", n <= 0 ? "no Origin header (or too long)" : "Origin not allowed");
        return -1;
    }
    return 0;
}

static int callback_b40(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len)
{
    struct ws_pss *pss = user;
    struct ws_shared *sh;
    char *welcome;
    size_t n = 0;
    int64_t now;

    switch (reason) {
    case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION:
        return filter(wsi);

    case LWS_CALLBACK_EVENT_WAIT_CANCELLED:
        /* the signature worker finished some ballots (lws_cancel_service woke the loop) */
        sh = shared_of(wsi);
        if (sh)
            api_collect_verified(sh->env);
        return 0;

    case LWS_CALLBACK_ESTABLISHED:
        sh = shared_of(wsi);
        memset(pss, 0, sizeof(*pss));
        pss->wsi = wsi;
        pss->shared = sh;
        sendq_init(&pss->q, LWS_PRE, sh->sendq_max_bytes, sh->sendq_max_count);
        {
            /* the handshake's headers are still attached here; filter() admitted this Origin */
            char origin_raw[ORIGIN_MAX_LEN + 1], origin[ORIGIN_MAX_LEN], peer[64];
            int olen = lws_hdr_copy(wsi, origin_raw, sizeof(origin_raw), WSI_TOKEN_ORIGIN);
            if (olen <= 0 || origin_normalize(origin_raw, (size_t)olen, origin) != 0)
                origin[0] = '\0';
            if (!lws_get_peer_simple(wsi, peer, sizeof(peer)))
                peer[0] = '\0';
            api_conn_init(&pss->conn, origin, peer);
            pss->conn.id = ++sh->next_conn_id;
        }
        pss->next = sh->conns;
        if (sh->conns)
            sh->conns->prev = pss;
        sh->conns = pss;
        sh->conn_count++;
        pss->id_next = sh->by_id[pss->conn.id % WS_ID_BUCKETS];
        sh->by_id[pss->conn.id % WS_ID_BUCKETS] = pss;
        welcome = api_welcome(&pss->conn, &n);
        queue_msg(pss, welcome, n);
        if (sh->shutting_down)
            begin_close(pss, LWS_CLOSE_STATUS_GOINGAWAY, "server shutting down");
        return 0;

    case LWS_CALLBACK_RECEIVE:
        /* a client that talks is alive: no need to wait for its PONG. At most every half ping
         * interval: each confirmation is a sorted insert among every connection's timers */
        now = timeutil_monotonic_ms();
        if (now - pss->last_alive_ms >= pss->shared->alive_every_ms) {
            pss->last_alive_ms = now;
            lws_validity_confirmed(wsi);
        }
        on_receive(pss, wsi, in, len);
        return 0;

    case LWS_CALLBACK_SERVER_WRITEABLE:
        return on_writeable(pss, wsi);

    case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
    case LWS_CALLBACK_WS_SERVER_DROP_PROTOCOL:
        /* lws answers the client's close frame, or sends its own (a frame the protocol forbids: 1002) and
         * waits up to 5 s for the answer: no frame may follow a close frame (RFC 6455, 5.5.1) */
        pss->lws_closing = true;
        return 0;

    case LWS_CALLBACK_PROTOCOL_DESTROY:
        sh = shared_of(wsi);
        if (sh)
            api_rooms_destroy(sh->env);
        return 0;

    case LWS_CALLBACK_CLOSED:
        sh = pss->shared;
        if (!sh)
            return 0;
        if (pss->prev)
            pss->prev->next = pss->next;
        else
            sh->conns = pss->next;
        if (pss->next)
            pss->next->prev = pss->prev;
        sh->conn_count--;
        for (struct ws_pss **pp = &sh->by_id[pss->conn.id % WS_ID_BUCKETS]; *pp; pp = &(*pp)->id_next) {
            if (*pp == pss) {
                *pp = pss->id_next;
                break;
            }
        }
        if (pss->conn.watch_election && sh->env->watchers)
            sh->env->watchers--;
        api_conn_closed(sh->env, &pss->conn); /* out of the lists already: it does not get its own leave */
        sendq_clear(&pss->q);
        free(pss->rx);
        pss->rx = NULL;
        pss->shared = NULL;
        return 0;

    default:
        return 0;
    }
}

const struct lws_protocols ws_protocol_template = {
    .name = PROTO_SUBPROTOCOL,
    .callback = callback_b40,
    .per_session_data_size = sizeof(struct ws_pss),
    .rx_buffer_size = 16384,
    .user = NULL, /* set to the server's struct ws_shared */
};

/*
 * A deferred reply is written at once when nothing is ahead of it: our queue
 * empty, nothing held back by lws (lws_partial_buffered), the connection
 * not closing, by us, the client or lws. That spares a writeable callback
 * per receipt: two epoll_ctl calls (POLLOUT on, then off) and a turn of the
 * loop. It runs on the service thread, from the group commit (its timer, the
 * workers' wake, a round's closing, the shutdown); what the socket does not
 * take, lws keeps (lws_issue_raw's buffered output), asks POLLOUT for, and
 * sends in order before our next writeable callback, and reply_now queues
 * anything after it. Otherwise the reply is queued as any other.
 */
static void reply_now(struct ws_pss *pss, char *msg, size_t len)
{
    unsigned char *m;
    size_t mlen;

    if (!msg || pss->q.count || pss->closing || pss->discarding || pss->dropped || pss->lws_closing ||
        lws_partial_buffered(pss->wsi)) {
        queue_msg(pss, msg, len);
        return;
    }
    if (enqueue(pss, msg, len) != 0 || !(m = sendq_peek(&pss->q, &mlen))) /* the LWS_PRE room lws_write needs */
        return;
    if (lws_write(pss->wsi, m, mlen, LWS_WRITE_TEXT) < (int)mlen) {
        drop(pss, "writing to the socket failed");
        return;
    }
    sendq_pop(&pss->q);
}

void ws_reply_later(void *shared, uint64_t conn_id, char *msg, size_t len)
{
    struct ws_shared *sh = shared;

    for (struct ws_pss *p = sh->by_id[conn_id % WS_ID_BUCKETS]; p; p = p->id_next) {
        if (p->conn.id == conn_id) {
            reply_now(p, msg, len);
            return;
        }
    }
    free(msg); /* the connection has gone: its ballot is recorded all the same */
}

static void on_flush(lws_sorted_usec_list_t *sul)
{
    struct ws_shared *sh = lws_container_of(sul, struct ws_shared, flush_sul);

    /* not due yet: ballots still being verified will join; a later turn's end (the workers wake the loop
     * with every batch of results and with the last one, and the wake tick runs every 50 ms) commits them */
    if (!api_flush_due(sh->env))
        return;
    sh->flush_pending = false;
    api_flush(sh->env);
}

void ws_each_conn(void *shared, void (*fn)(struct api_env *env, struct api_conn *conn))
{
    struct ws_shared *sh = shared;

    for (struct ws_pss *p = sh->conns; p; p = p->next)
        if (!p->closing && !p->dropped)
            fn(sh->env, &p->conn);
}

void ws_turn_end(void *shared)
{
    struct ws_shared *sh = shared;

    if (!sh->flush_pending)
        return;
    lws_sul_cancel(&sh->flush_sul);
    on_flush(&sh->flush_sul);
}

void ws_wake(void *shared)
{
    lws_cancel_service(((struct ws_shared *)shared)->context);
}

void ws_request_flush(void *shared)
{
    struct ws_shared *sh = shared;

    /* runs at the start of the next service turn, after every message read in this one;
     * once per turn: scheduling is a sorted insert among every connection's timers */
    if (sh->flush_pending)
        return;
    sh->flush_pending = true;
    lws_sul_schedule(sh->context, 0, &sh->flush_sul, on_flush, 1);
}

/* Does connection p follow topic (an election's id, or API_ROOM_TOPIC of a session)? */
static bool follows(const struct ws_pss *p, int64_t topic)
{
    return topic > 0 ? p->conn.watch_election == topic : p->conn.room_session == -topic;
}

/*
 * The fan-out. The event is serialised once, with seq 0; each connection
 * gets a copy with its own seq written in place of that 0 (every event
 * begins {"event":NAME,"seq":N, as proto_event writes it), so a room of
 * thousands costs one serialisation and a copy per member. A member whose
 * queue is full is dropped, never waited for.
 */
void ws_publish(void *shared, int64_t topic, const char *event, struct json_object *fields)
{
    struct ws_shared *sh = shared;
    char *once, *msg, prefix[160];
    size_t len = 0, plen, cap;
    int n;

    if (topic > 0 ? !sh->env->watchers : !sh->env->room_conns)
        return;
    /* proto_event consumes its fields: give it a reference of its own; members are shared, read only */
    once = proto_event(event, 0, json_object_get(fields), &len);
    n = snprintf(prefix, sizeof(prefix), "{\"event\":\"%s\",\"seq\":0", event);
    if (!once || n < 0 || (size_t)n >= sizeof(prefix) || len < (size_t)n || memcmp(once, prefix, (size_t)n)) {
        free(once);
        log_error("ws: an event could not be serialised for publishing");
        return;
    }
    plen = (size_t)n - 1; /* up to the 0 */
    cap = len + 24;
    for (struct ws_pss *p = sh->conns; p; p = p->next) {
        if (!follows(p, topic) || p->closing || p->dropped)
            continue;
        if (!(msg = malloc(cap))) {
            drop(p, "out of memory");
            continue;
        }
        memcpy(msg, once, plen);
        n = snprintf(msg + plen, 24, "%llu", (unsigned long long)p->conn.next_seq++);
        memcpy(msg + plen + (size_t)n, once + plen + 1, len - plen - 1);
        msg[plen + (size_t)n + len - plen - 1] = '\0';
        queue_msg(p, msg, plen + (size_t)n + len - plen - 1);
    }
    free(once);
}

void ws_close_all(struct ws_shared *shared)
{
    api_rooms_stop(shared->env); /* everyone's leave is recorded and sent before the close frames */
    for (struct ws_pss *p = shared->conns; p; p = p->next) {
        p->conn.room_session = 0;
        begin_close(p, LWS_CLOSE_STATUS_GOINGAWAY, "server shutting down");
    }
}
