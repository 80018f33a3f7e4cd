/*
 * wsc: a minimal RFC 6455 WebSocket client over OpenSSL, just enough for
 * b40-bench to speak b40.v1 to the server it starts: a blocking connect
 * and opening handshake (TLS, then the HTTP upgrade), then non-blocking
 * I/O driven by the bench's epoll loop. Text messages only; PINGs are
 * answered, a CLOSE ends the connection. One thread (the bench's).
 *
 * Why not the libwebsockets client: the benchmark must bind every socket
 * to its own loopback source address before connect() (the server
 * rate-limits sign-ins per address), and it times each ballot from the
 * write() that carries it to the read() that brings its receipt. Owning
 * the socket and the framing keeps both exact: no service loop, writeable
 * callback or extra copy sits between the clock and the wire, and a ballot
 * frame (masked) can be built before the clock starts.
 */
#ifndef B40_BENCH_WSC_H
#define B40_BENCH_WSC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/ssl.h>

#define WSC_MAX_MESSAGE (64u * 1024 * 1024) /* replies with every round's roll call grow large */

struct wsc;

/*
 * Called for every complete text message. msg is NUL-terminated, lent for
 * the call only; t_ns is the monotonic time of the read that completed it.
 */
typedef void (*wsc_message_fn)(struct wsc *c, char *msg, size_t len, int64_t t_ns, void *user);

struct wsc {
    int fd;
    int epfd;          /* the loop's epoll: wsc asks for EPOLLOUT itself while output waits */
    SSL *ssl;
    bool is_open;      /* the handshake is done and no CLOSE has come */
    bool wants_out;    /* EPOLLOUT is registered */
    uint8_t *rbuf;     /* bytes read, not yet parsed into frames */
    size_t rlen, rcap;
    char *msg;         /* the message being reassembled (and NUL-terminated) */
    size_t mlen, mcap;
    bool in_message;
    uint8_t *wbuf;     /* framed bytes SSL_write has not taken yet */
    size_t wlen, woff, wcap;
    wsc_message_fn on_message;
    void *user;
    char err[200];     /* why the connection failed, for people */
};

/*
 * Socket options set before connect(); 0 leaves the kernel's choice.
 * rcvbuf is SO_RCVBUF (the kernel doubles it; it also bounds the window
 * the client offers), maxseg is TCP_MAXSEG (the MSS the client announces:
 * on loopback the kernel would otherwise use ~64 KiB segments, and size the
 * server's send buffer from them).
 */
struct wsc_sockopts {
    int rcvbuf;
    int maxseg;
};

/* Monotonic time in nanoseconds. */
int64_t wsc_now_ns(void);

/*
 * Connects c (zeroed by the caller) from the loopback source address
 * src_ip to https://host_ip:port/ws, with TLS verified by ctx, offering
 * the b40.v1 subprotocol with Origin `origin`; blocks up to timeout_ms for
 * each step. opts (NULL: none) are set on the socket before connect().
 * On success the socket is non-blocking and registered for EPOLLIN in
 * epfd with data.ptr = c. Returns 0, or -1 with c->err set (then call
 * wsc_free).
 */
int wsc_connect(struct wsc *c, SSL_CTX *ctx, int epfd, const char *src_ip, const char *host_ip, int port,
                const char *origin, int timeout_ms, const struct wsc_sockopts *opts) __attribute__((warn_unused_result));

/*
 * Stops reading c for good: the socket leaves the epoll set, so nothing
 * more is read from it (or written to it); what the server sends piles up
 * in the kernel's buffers until the window closes, as with a client that
 * hangs. The connection stays open until wsc_free. 0, or -1 with c->err.
 */
int wsc_pause(struct wsc *c) __attribute__((warn_unused_result));

/*
 * Writes a masked client frame (FIN set) of `opcode` around payload into
 * out (cap bytes). Returns its length, or 0 when cap is too small.
 * A frame built early can be sent later with wsc_send_frame.
 */
size_t wsc_frame(uint8_t *out, size_t cap, int opcode, const void *payload, size_t len);

/* Queues a ready frame and writes as much as the socket takes. 0, or -1 with c->err. */
int wsc_send_frame(struct wsc *c, const uint8_t *frame, size_t len) __attribute__((warn_unused_result));

/* Frames text (a text message) and sends it as wsc_send_frame does. */
int wsc_send_text(struct wsc *c, const char *text, size_t len) __attribute__((warn_unused_result));

/*
 * Handles an epoll event on c: reads everything available and delivers
 * each complete message to c->on_message; writes pending output. Returns
 * 0, or -1 when the connection failed or was closed (c->err says why).
 */
int wsc_on_event(struct wsc *c, uint32_t events) __attribute__((warn_unused_result));

/* Sends a CLOSE (best effort), closes the socket, frees the buffers. c may be zeroed or half set up. */
void wsc_free(struct wsc *c);

#endif
