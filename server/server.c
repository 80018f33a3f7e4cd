/*
 * server: what `b40 serve` runs. Start-up checks (certificate, database,
 * server key, web root), one libwebsockets context with one TLS vhost that
 * serves static files, GET /healthz and the b40.v1 WebSocket on one port,
 * the service loop, and the orderly shutdown on SIGINT/SIGTERM:
 *   stop accepting (the listen socket is closed), close every WebSocket with
 *   1001, let the queues drain (at most SHUTDOWN_GRACE_MS), then destroy the
 *   context and close the database.
 *
 * The service loop is libev's, on epoll, handed to lws as a foreign loop:
 * lws's default loop calls poll(2) over every socket on every turn, which
 * at a summit-sized vote (thousands of connections, a turn per few ballots)
 * cost about a third of the server's CPU; epoll costs per ready socket.
 * Owning the loop also lets the signals be ordinary libev watchers, so the
 * shutdown runs as a callback on this thread, between two lws callbacks.
 * Database work runs synchronously on this one thread, so when the loop
 * sees the signal no transaction is in flight.
 */
#include "b40/server.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <sys/stat.h>

#include <ev.h>
#include <libwebsockets.h>
#include <openssl/ssl.h>
#include <sodium.h>

#include "b40/api.h"
#include "b40/config.h"
#include "b40/http_dyn.h"
#include "b40/log.h"
#include "b40/origin.h"
#include "b40/proto.h"
#include "b40/ratelimit.h"
#include "b40/verify.h"
#include "b40/serverkey.h"
#include "b40/store.h"
#include "b40/timeutil.h"
#include "b40/tlsfiles.h"
#include "b40/ws.h"

#define SHUTDOWN_GRACE_MS 3000
#define WAKE_TICK_S 0.05
#define SENDQ_MAX_COUNT 8192

struct server_state {
    const struct serve_config *cfg;
    struct store *store;
    struct serverkey *key;
    struct api_env env;
    struct origin_list origins;
    struct ws_shared ws;
    int listen_fd; /* found by find_listen_fd(); -1 if not */
    struct ev_loop *loop;
    ev_signal sigint_watcher, sigterm_watcher;
    ev_timer drain_timer; /* while shutting down: are the connections gone, or the grace over? */
    ev_timer wake_timer;  /* see on_wake_tick */
    ev_prepare turn_end;  /* before the loop waits again: the turn's group commit (ws_turn_end) */
    int64_t drain_deadline_ms;
};

/* ---- HTTP: /healthz (static files are served by the mount itself) ---- */

struct http_pss {
    char body[256];
    size_t len;
    struct http_dyn_response dyn; /* a dynamic route's response being written (http_dyn) */
    size_t dyn_off;
};

static int healthz_begin(struct lws *wsi, struct http_pss *pss, struct server_state *st)
{
    uint8_t buf[LWS_PRE + 1024], *start = &buf[LWS_PRE], *p = start, *end = &buf[sizeof(buf) - 1];
    char err[256];
    int status = HTTP_STATUS_OK, n;

    if (store_check_readable(st->store, err, sizeof(err)) == 0) {
        n = snprintf(pss->body, sizeof(pss->body),
                     "{\"status\":\"ok\",\"version\":\"%s\",\"schema\":%d,\"uptime_s\":%lld}\n", B40_VERSION,
                     store_schema_version(st->store),
                     (long long)((timeutil_monotonic_ms() - st->env.started_ms) / 1000));
    } else {
        log_error("healthz: the database cannot be read: %s", err);
        status = HTTP_STATUS_SERVICE_UNAVAILABLE;
        n = snprintf(pss->body, sizeof(pss->body),
                     "{\"status\":\"error\",\"version\":\"%s\",\"error\":\"database unreadable\"}\n", B40_VERSION);
    }
    pss->len = (size_t)n;
    if (lws_add_http_common_headers(wsi, (unsigned)status, "application/json", pss->len, &p, end) ||
        lws_add_http_header_by_name(wsi, (const unsigned char *)"cache-control:", (const unsigned char *)"no-store", 8,
                                    &p, end) ||
        lws_finalize_write_http_header(wsi, start, &p, end))
        return 1;
    lws_callback_on_writable(wsi);
    return 0;
}

/* A GET on a dynamic route (http_dyn): the headers now, the body in HTTP_WRITEABLE. */
static int dyn_begin(struct lws *wsi, struct http_pss *pss, struct server_state *st, const char *path)
{
    uint8_t buf[LWS_PRE + 1024], *start = &buf[LWS_PRE], *p = start, *end = &buf[sizeof(buf) - 1];
    const char *cc;

    http_dyn_response_free(&pss->dyn); /* nothing left from an earlier transaction on this connection */
    http_dyn_serve(&st->env, path, &pss->dyn);
    pss->dyn_off = 0;
    if (pss->dyn.status != HTTP_STATUS_OK || !pss->dyn.body) {
        int status = pss->dyn.status ? pss->dyn.status : HTTP_STATUS_INTERNAL_SERVER_ERROR;
        http_dyn_response_free(&pss->dyn);
        return lws_return_http_status(wsi, (unsigned)status, NULL) || lws_http_transaction_completed(wsi);
    }
    cc = pss->dyn.cache_control;
    if (lws_add_http_common_headers(wsi, HTTP_STATUS_OK, pss->dyn.content_type, pss->dyn.len, &p, end) ||
        (cc && lws_add_http_header_by_name(wsi, (const unsigned char *)"cache-control:", (const unsigned char *)cc,
                                           (int)strlen(cc), &p, end)) ||
        lws_finalize_write_http_header(wsi, start, &p, end)) {
        http_dyn_response_free(&pss->dyn);
        return 1;
    }
    lws_callback_on_writable(wsi);
    return 0;
}

/* Writes the next part of a dynamic response (one lws_write per callback). */
static int dyn_write(struct lws *wsi, struct http_pss *pss)
{
    uint8_t buf[LWS_PRE + 8192];
    size_t left = pss->dyn.len - pss->dyn_off, n = left < sizeof(buf) - LWS_PRE ? left : sizeof(buf) - LWS_PRE;
    bool last = n == left;

    memcpy(&buf[LWS_PRE], pss->dyn.body + pss->dyn_off, n);
    if (lws_write(wsi, &buf[LWS_PRE], n, last ? LWS_WRITE_HTTP_FINAL : LWS_WRITE_HTTP) != (int)n) {
        http_dyn_response_free(&pss->dyn);
        return 1;
    }
    pss->dyn_off += n;
    if (!last) {
        lws_callback_on_writable(wsi);
        return 0;
    }
    http_dyn_response_free(&pss->dyn);
    return lws_http_transaction_completed(wsi) ? -1 : 0;
}

static int callback_http(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len)
{
    struct http_pss *pss = user;
    struct server_state *st;
    uint8_t buf[LWS_PRE + sizeof(pss->body)];

    switch (reason) {
    case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION:
        /* A WebSocket upgrade that did not offer b40.v1 lands here: refuse it. */
        log_info("http: WebSocket upgrade refused: subprotocol %s required", PROTO_SUBPROTOCOL);
        return -1;
    case LWS_CALLBACK_HTTP:
        st = (struct server_state *)lws_get_protocol(wsi)->user;
        if (st->ws.shutting_down)
            return lws_return_http_status(wsi, HTTP_STATUS_SERVICE_UNAVAILABLE, NULL) ||
                   lws_http_transaction_completed(wsi);
        /* GET only, exactly /healthz */
        if (!lws_hdr_total_length(wsi, WSI_TOKEN_GET_URI))
            return lws_return_http_status(wsi, HTTP_STATUS_METHOD_NOT_ALLOWED, NULL) ||
                   lws_http_transaction_completed(wsi);
        if (lws_hdr_copy(wsi, (char *)buf, sizeof(buf), WSI_TOKEN_GET_URI) == 8 && !memcmp(buf, "/healthz", 8))
            return healthz_begin(wsi, pss, st);
        {
            char path[HTTP_DYN_PATH_MAX + 1];
            if (lws_hdr_copy(wsi, path, sizeof(path), WSI_TOKEN_GET_URI) <= 0)
                return lws_return_http_status(wsi, HTTP_STATUS_NOT_FOUND, NULL) || lws_http_transaction_completed(wsi);
            return dyn_begin(wsi, pss, st, path);
        }
    case LWS_CALLBACK_HTTP_WRITEABLE:
        if (pss && pss->dyn.body)
            return dyn_write(wsi, pss);
        if (!pss || !pss->len)
            break;
        memcpy(&buf[LWS_PRE], pss->body, pss->len);
        if (lws_write(wsi, &buf[LWS_PRE], pss->len, LWS_WRITE_HTTP_FINAL) != (int)pss->len)
            return 1;
        pss->len = 0;
        return lws_http_transaction_completed(wsi) ? -1 : 0;
    case LWS_CALLBACK_CLOSED_HTTP:
    case LWS_CALLBACK_HTTP_DROP_PROTOCOL:
        if (pss)
            http_dyn_response_free(&pss->dyn);
        break;
    default:
        break;
    }
    return lws_callback_http_dummy(wsi, reason, user, in, len);
}

/* ---- libwebsockets wiring ---- */

/* Every HTTP response carries these (docs/protocol.md). No inline script or style anywhere. */
static const struct lws_protocol_vhost_options security_headers[] = {
    {&security_headers[1], NULL, "content-security-policy:",
     "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
     "connect-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"},
    {&security_headers[2], NULL, "strict-transport-security:", "max-age=31536000"},
    {&security_headers[3], NULL, "x-content-type-options:", "nosniff"},
    {&security_headers[4], NULL, "x-frame-options:", "DENY"},
    {&security_headers[5], NULL, "referrer-policy:", "no-referrer"},
    {&security_headers[6], NULL, "cross-origin-opener-policy:", "same-origin"},
    {NULL, NULL, "cross-origin-resource-policy:", "same-origin"},
};

static const struct lws_protocol_vhost_options mimetypes[] = {
    {&mimetypes[1], NULL, ".mjs", "text/javascript"},
    {&mimetypes[2], NULL, ".json", "application/json"},
    {&mimetypes[3], NULL, ".svg", "image/svg+xml"},
    {&mimetypes[4], NULL, ".webmanifest", "application/manifest+json"},
    {NULL, NULL, ".ics", "text/calendar"},
};

static const lws_retry_bo_t *idle_policy(const struct serve_config *cfg, lws_retry_bo_t *bo)
{
    memset(bo, 0, sizeof(*bo));
    bo->secs_since_valid_ping = (uint16_t)cfg->ping_interval_s;
    bo->secs_since_valid_hangup = (uint16_t)(cfg->ping_interval_s * 2);
    return bo;
}

static bool listen_stopped; /* stop_listening() ran: lws's failed accept on that socket is expected */

static void lws_log_to_ours(int level, const char *line)
{
    enum log_level ours = level == LLL_ERR ? LOG_LEVEL_ERROR : level == LLL_WARN ? LOG_LEVEL_WARN : LOG_LEVEL_DEBUG;

    /* after shutdown(2) on the listen socket epoll reports it readable once more, and lws's accept()
     * fails with EINVAL: the orderly stop, not an error for the operator to chase */
    if (listen_stopped && !strncmp(line, "accept: errno 22", 16))
        ours = LOG_LEVEL_DEBUG;
    log_msg(ours, "lws: %s", line);
}

/* Raises the open-file limit to the hard limit: every connection is a descriptor. */
static void raise_fd_limit(void)
{
    struct rlimit rl;

    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
            log_warn("server: cannot raise the open-file limit: %s", strerror(errno));
    }
}

static int open_resources(struct server_state *st, const struct serve_config *cfg)
{
    char err[512], keypath[CONFIG_PATH_MAX + 8];
    uint8_t recorded[32];
    struct stat sb;
    int rc;

    if (tlsfiles_check(cfg->cert, cfg->key, err, sizeof(err)) != 0) {
        fprintf(stderr, "b40 serve: %s\n", err);
        return -1;
    }
    if (stat(cfg->web_root, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        fprintf(stderr, "b40 serve: the web root %s is not a directory\n", cfg->web_root);
        return -1;
    }
    if (store_open(&st->store, cfg->db, STORE_EXISTING, err, sizeof(err)) != STORE_OK) {
        fprintf(stderr, "b40 serve: %s\n", err);
        return -1;
    }
    if (serverkey_path(cfg->db, keypath, sizeof(keypath)) != 0 ||
        serverkey_load(&st->key, keypath, err, sizeof(err)) != 0) {
        fprintf(stderr, "b40 serve: %s\n", err);
        return -1;
    }
    rc = store_server_key_current(st->store, recorded);
    if (rc != 0 || sodium_memcmp(recorded, serverkey_public(st->key), 32) != 0) {
        fprintf(stderr, "b40 serve: the server key %s is not the one recorded in %s\n", keypath, cfg->db);
        return -1;
    }
    return 0;
}

/*
 * Finds the descriptor of our listening socket. lws 4.1 has no call that
 * gives it, and lws_context_deprecate, meant for closing it, writes through
 * a freed pointer in 4.1.6; so look for the socket that listens on our port.
 */
static int find_listen_fd(int port)
{
    struct rlimit rl;
    int limit = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < 65536 ? (int)rl.rlim_cur : 65536;

    for (int fd = 0; fd < limit; fd++) {
        struct sockaddr_storage ss;
        socklen_t slen = sizeof(ss);
        int acc = 0;
        socklen_t alen = sizeof(acc);
        int p;

        if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &acc, &alen) != 0 || !acc ||
            getsockname(fd, (struct sockaddr *)&ss, &slen) != 0)
            continue;
        p = ss.ss_family == AF_INET ? ntohs(((struct sockaddr_in *)&ss)->sin_port)
            : ss.ss_family == AF_INET6 ? ntohs(((struct sockaddr_in6 *)&ss)->sin6_port) : -1;
        if (p == port)
            return fd;
    }
    return -1;
}

/*
 * Stops accepting: shutdown(2) on a listening socket makes the kernel refuse
 * new connections at once; lws then sees it hang up and closes it.
 */
static void stop_listening(struct server_state *st)
{
    if (st->listen_fd < 0) {
        log_warn("server: the listen socket is unknown; new connections are refused only once accepted");
        return;
    }
    listen_stopped = true;
    if (shutdown(st->listen_fd, SHUT_RDWR) != 0)
        log_warn("server: cannot stop listening: %s", strerror(errno));
}

static void close_resources(struct server_state *st)
{
    serverkey_free(st->key);
    st->key = NULL;
    store_close(st->store);
    st->store = NULL;
}

/*
 * SIGINT or SIGTERM, as a libev watcher (on the service thread, never
 * inside another callback): stop accepting, commit what is pending so its
 * receipts go out before the close frames, close every WebSocket with 1001
 * and start the drain timer. A second signal changes nothing.
 */
static void on_stop_signal(struct ev_loop *loop, ev_signal *w, int revents)
{
    struct server_state *st = w->data;

    (void)revents;
    if (st->ws.shutting_down)
        return;
    log_info("server: %s received: shutting down", w->signum == SIGINT ? "SIGINT" : "SIGTERM");
    st->ws.shutting_down = true;
    stop_listening(st);
    if (st->env.verifier) { /* ballots being checked join the batch first */
        verify_drain(st->env.verifier);
        api_collect_verified(&st->env);
    }
    api_flush(&st->env);
    ws_close_all(&st->ws);
    st->drain_deadline_ms = timeutil_monotonic_ms() + SHUTDOWN_GRACE_MS;
    ev_timer_start(loop, &st->drain_timer);
}

/*
 * Every WAKE_TICK_S: makes lws look at its timers (pings, idle and handshake
 * timeouts, our scheduled flushes). lws 4.1.6's libev glue re-arms its timer
 * only from its own idle and timer callbacks, and with ev_timer_set on a
 * watcher that may still be active (which libev ignores), so a timer that
 * lws schedules while the loop is quiet can be late by as long as the loop
 * stays quiet. A cancel wakes the loop through lws's event pipe, and lws
 * then runs every timer that is due. Under load the loop never sleeps and
 * this costs nothing; when quiet it is 20 cheap wake-ups a second.
 */
static void on_wake_tick(struct ev_loop *loop, ev_timer *w, int revents)
{
    (void)loop, (void)revents;
    lws_cancel_service(w->data);
}

static void on_turn_end(struct ev_loop *loop, ev_prepare *w, int revents)
{
    (void)loop, (void)revents;
    ws_turn_end(w->data);
}

/* Every 50 ms while shutting down: leave the loop once every connection has gone, or the grace is over. */
static void on_drain_tick(struct ev_loop *loop, ev_timer *w, int revents)
{
    struct server_state *st = w->data;

    (void)revents;
    if (st->ws.conn_count == 0 || timeutil_monotonic_ms() >= st->drain_deadline_ms)
        ev_break(loop, EVBREAK_ALL);
}

/* Signature workers: one per online core, at least 1, at most VERIFY_THREADS_MAX. */
static unsigned verify_threads(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);

    return n < 1 ? 1 : n > VERIFY_THREADS_MAX ? VERIFY_THREADS_MAX : (unsigned)n;
}

int server_run(const struct serve_config *cfg)
{
    struct server_state st;
    struct lws_context_creation_info info;
    struct lws_context *ctx = NULL;
    struct lws_vhost *vh;
    struct lws_protocols protocols[3];
    struct lws_http_mount mount_root, mount_health, mount_dyn[8];
    const struct lws_http_mount *mounts = &mount_health;
    void *foreign_loops[1];
    lws_retry_bo_t retry;
    int port, rc = 1;

    memset(&st, 0, sizeof(st));
    st.cfg = cfg;
    st.listen_fd = -1;
    log_set_level(cfg->log_level);
    lws_set_log_level(LLL_ERR | LLL_WARN | (cfg->log_level >= LOG_LEVEL_DEBUG ? LLL_NOTICE | LLL_INFO : 0),
                      lws_log_to_ours);
    signal(SIGPIPE, SIG_IGN);
    raise_fd_limit();
    if (open_resources(&st, cfg) != 0)
        goto out;

    st.env.store = st.store;
    st.env.key = st.key;
    st.env.started_ms = timeutil_monotonic_ms();
    st.env.limits = ratelimit_create();
    if (!st.env.limits) {
        fprintf(stderr, "b40 serve: out of memory\n");
        goto out;
    }
    st.env.publish = ws_publish;
    st.env.each_conn = ws_each_conn;
    st.env.reply_later = ws_reply_later;
    st.env.request_flush = ws_request_flush;
    st.env.batch = api_batch_create();
    if (!st.env.batch) {
        fprintf(stderr, "b40 serve: out of memory\n");
        goto out;
    }
    st.env.hub = &st.ws;
    st.ws.env = &st.env;
    st.ws.origins = &st.origins;
    st.ws.sendq_max_bytes = cfg->send_queue_kib * 1024;
    st.ws.sendq_max_count = SENDQ_MAX_COUNT;
    st.ws.alive_every_ms = (int64_t)cfg->ping_interval_s * 500;

    memset(protocols, 0, sizeof(protocols));
    protocols[0] = (struct lws_protocols){.name = "b40-http",
                                          .callback = callback_http,
                                          .per_session_data_size = sizeof(struct http_pss),
                                          .user = &st};
    protocols[1] = ws_protocol_template;
    protocols[1].user = &st.ws;

    memset(&mount_root, 0, sizeof(mount_root));
    mount_root.mountpoint = "/";
    mount_root.mountpoint_len = 1;
    mount_root.origin = cfg->web_root;
    mount_root.def = "index.html";
    mount_root.origin_protocol = LWSMPRO_FILE;
    mount_root.extra_mimetypes = mimetypes;
    mount_root.cache_max_age = 0;
    mount_root.cache_revalidate = 1;

    memset(&mount_health, 0, sizeof(mount_health));
    mount_health.mount_next = &mount_root;
    mount_health.mountpoint = "/healthz";
    mount_health.mountpoint_len = 8;
    mount_health.origin = "b40-http";
    mount_health.origin_protocol = LWSMPRO_CALLBACK;

    /* the dynamic routes (http_dyn): served by the same callback as /healthz */
    for (size_t i = 0; http_dyn_mounts[i] && i < sizeof(mount_dyn) / sizeof(mount_dyn[0]); i++) {
        memset(&mount_dyn[i], 0, sizeof(mount_dyn[i]));
        mount_dyn[i].mount_next = mounts;
        mount_dyn[i].mountpoint = http_dyn_mounts[i];
        mount_dyn[i].mountpoint_len = (unsigned char)strlen(http_dyn_mounts[i]);
        mount_dyn[i].origin = "b40-http";
        mount_dyn[i].origin_protocol = LWSMPRO_CALLBACK;
        mounts = &mount_dyn[i];
    }

    memset(&info, 0, sizeof(info));
    st.loop = ev_loop_new(EVBACKEND_EPOLL | EVFLAG_NOENV);
    if (!st.loop) {
        fprintf(stderr, "b40 serve: cannot create the event loop (epoll)\n");
        goto out;
    }
    foreign_loops[0] = st.loop;
    info.foreign_loops = foreign_loops;
    info.options = LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT | LWS_SERVER_OPTION_EXPLICIT_VHOSTS |
                   LWS_SERVER_OPTION_LIBEV;
    ctx = lws_create_context(&info);
    if (!ctx) {
        fprintf(stderr, "b40 serve: cannot create the libwebsockets context\n");
        goto out;
    }

    memset(&info, 0, sizeof(info));
    info.vhost_name = "b40";
    info.port = cfg->port;
    info.iface = cfg->listen;
    info.protocols = protocols;
    info.mounts = mounts;
    info.headers = security_headers;
    info.ssl_cert_filepath = cfg->cert;
    info.ssl_private_key_filepath = cfg->key;
    info.ssl_options_set = SSL_OP_NO_TLSv1 | SSL_OP_NO_TLSv1_1 | SSL_OP_NO_RENEGOTIATION;
    info.alpn = "http/1.1";
    info.retry_and_idle_policy = idle_policy(cfg, &retry);
    info.options = LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT | LWS_SERVER_OPTION_FAIL_UPON_UNABLE_TO_BIND;
    if (!strchr(cfg->listen, ':')) /* an IPv4 address or a name: bind exactly it, not a v6 wildcard */
        info.options |= LWS_SERVER_OPTION_DISABLE_IPV6;
    vh = lws_create_vhost(ctx, &info);
    if (!vh) {
        fprintf(stderr, "b40 serve: cannot listen on %s port %d (is the port in use, or the address not local?)\n",
                cfg->listen, cfg->port);
        goto out;
    }
    port = lws_get_vhost_listen_port(vh);
    st.ws.context = ctx;
    /* after the context: its wake needs it. One worker per core: the service thread is not busy all the time
     * (it waits for the disk at each commit), and the kernel gives a worker the core it leaves. */
    st.env.verifier = verify_create(verify_threads(), ws_wake, &st.ws);
    if (!st.env.verifier)
        log_warn("server: no signature worker thread; ballots are verified on the service thread");
    st.listen_fd = find_listen_fd(port);

    if (cfg->origins.count) {
        st.origins = cfg->origins;
    } else {
        if (tlsfiles_add_origins(cfg->cert, port, &st.origins) < 0 ||
            origin_list_add_host(&st.origins, cfg->listen, port) != 0)
            log_warn("server: could not derive every default origin");
    }
    for (size_t i = 0; i < st.origins.count; i++)
        log_info("server: WebSocket origin allowed: %s", st.origins.items[i]);

    ev_signal_init(&st.sigint_watcher, on_stop_signal, SIGINT);
    ev_signal_init(&st.sigterm_watcher, on_stop_signal, SIGTERM);
    st.sigint_watcher.data = st.sigterm_watcher.data = &st;
    ev_signal_start(st.loop, &st.sigint_watcher);
    ev_signal_start(st.loop, &st.sigterm_watcher);
    ev_timer_init(&st.drain_timer, on_drain_tick, 0.05, 0.05);
    st.drain_timer.data = &st;
    ev_timer_init(&st.wake_timer, on_wake_tick, WAKE_TICK_S, WAKE_TICK_S);
    st.wake_timer.data = ctx;
    ev_timer_start(st.loop, &st.wake_timer);
    ev_prepare_init(&st.turn_end, on_turn_end);
    st.turn_end.data = &st.ws;
    ev_prepare_start(st.loop, &st.turn_end);

    printf("b40: listening on https://%s%s%s:%d/ (WebSocket wss://%s%s%s:%d/ws, database %s)\n",
           strchr(cfg->listen, ':') ? "[" : "", cfg->listen, strchr(cfg->listen, ':') ? "]" : "", port,
           strchr(cfg->listen, ':') ? "[" : "", cfg->listen, strchr(cfg->listen, ':') ? "]" : "", port, cfg->db);
    fflush(stdout);

    ev_run(st.loop, 0); /* until on_drain_tick breaks it */

    if (st.ws.conn_count)
        log_warn("server: %zu connections did not close in time; closing them now", st.ws.conn_count);
    if (st.env.verifier) {
        verify_drain(st.env.verifier);
        api_collect_verified(&st.env);
    }
    api_flush(&st.env); /* ballots already verified are committed before the database closes */
    rc = 0;
out:
    verify_destroy(st.env.verifier); /* before the context: the worker's wake uses it */
    st.env.verifier = NULL;
    if (ctx)
        lws_context_destroy(ctx);
    if (st.loop) { /* after the context: lws stops its watchers on it first */
        ev_signal_stop(st.loop, &st.sigint_watcher);
        ev_signal_stop(st.loop, &st.sigterm_watcher);
        ev_timer_stop(st.loop, &st.drain_timer);
        ev_timer_stop(st.loop, &st.wake_timer);
        ev_prepare_stop(st.loop, &st.turn_end);
        ev_loop_destroy(st.loop);
    }
    close_resources(&st);
    ratelimit_destroy(st.env.limits);
    api_batch_destroy(st.env.batch);
    if (rc == 0)
        log_info("server: stopped cleanly");
    return rc;
}
