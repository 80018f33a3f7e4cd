/*
 * wsc: the bench's WebSocket client (see wsc.h for why it is not the
 * libwebsockets client). RFC 6455 client side: masked frames out (the mask
 * from libsodium's generator), unmasked frames in, continuation frames
 * reassembled, PING answered with PONG, CLOSE ends the connection. The
 * bench's thread only.
 */
#include "wsc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509v3.h>
#include <sodium.h>

#define WS_GUID "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

enum { OP_CONT = 0, OP_TEXT = 1, OP_BINARY = 2, OP_CLOSE = 8, OP_PING = 9, OP_PONG = 10 };

int64_t wsc_now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

__attribute__((format(printf, 2, 3))) static int fail(struct wsc *c, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(c->err, sizeof(c->err), fmt, ap);
    va_end(ap);
    return -1;
}

static int ssl_fail(struct wsc *c, const char *what)
{
    char e[120];
    unsigned long code = ERR_get_error();

    if (code)
        ERR_error_string_n(code, e, sizeof(e));
    else
        snprintf(e, sizeof(e), "%s", errno ? strerror(errno) : "connection closed");
    ERR_clear_error();
    return fail(c, "%s: %s", what, e);
}

/* Grows *buf (of *cap bytes) to hold need bytes. 0 or -1. */
static int reserve(void *buf, size_t *cap, size_t need)
{
    void **p = buf;
    size_t n = *cap ? *cap : 4096;
    void *q;

    if (need <= *cap)
        return 0;
    while (n < need)
        n *= 2;
    q = realloc(*p, n);
    if (!q)
        return -1;
    *p = q;
    *cap = n;
    return 0;
}

/* ---- the opening handshake (blocking) ---- */

static int write_all(struct wsc *c, const void *buf, size_t len)
{
    size_t off = 0;

    while (off < len) {
        int n = SSL_write(c->ssl, (const char *)buf + off, (int)(len - off));
        if (n <= 0)
            return ssl_fail(c, "writing the upgrade request");
        off += (size_t)n;
    }
    return 0;
}

/* The value of header `name` in the response head (NUL-terminated, CRLF lines), copied into out. */
static int header_value(const char *head, const char *name, char *out, size_t outlen)
{
    size_t n = strlen(name);

    for (const char *p = strstr(head, "\r\n"); p && p[2]; p = strstr(p + 2, "\r\n")) {
        const char *line = p + 2, *end = strstr(line, "\r\n"), *v;
        size_t len;
        if (!end || strncasecmp(line, name, n) || line[n] != ':')
            continue;
        for (v = line + n + 1; *v == ' ' || *v == '\t'; v++)
            ;
        len = (size_t)(end - v);
        while (len && (v[len - 1] == ' ' || v[len - 1] == '\t'))
            len--;
        if (len >= outlen)
            return -1;
        memcpy(out, v, len);
        out[len] = '\0';
        return 0;
    }
    return -1;
}

static int upgrade(struct wsc *c, const char *host_ip, int port, const char *origin)
{
    uint8_t nonce[16], digest[EVP_MAX_MD_SIZE];
    char key[32], expect[64], got[128], req[768], head[4096];
    unsigned dlen = 0;
    size_t hlen = 0;
    char *end = NULL;
    int n;

    randombytes_buf(nonce, sizeof(nonce));
    EVP_EncodeBlock((unsigned char *)key, nonce, sizeof(nonce));
    n = snprintf(req, sizeof(req),
                 "GET /ws HTTP/1.1\r\nHost: %s:%d\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                 "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: b40.v1\r\n"
                 "Origin: %s\r\n\r\n",
                 host_ip, port, key, origin);
    if (n < 0 || (size_t)n >= sizeof(req) || write_all(c, req, (size_t)n) != 0)
        return c->err[0] ? -1 : fail(c, "the upgrade request is too long");
    while (!end) {
        if (hlen + 1 >= sizeof(head))
            return fail(c, "the upgrade response head is too long");
        n = SSL_read(c->ssl, head + hlen, (int)(sizeof(head) - 1 - hlen));
        if (n <= 0)
            return ssl_fail(c, "reading the upgrade response (refused by the server?)");
        hlen += (size_t)n;
        head[hlen] = '\0';
        end = strstr(head, "\r\n\r\n");
    }
    if (strncmp(head, "HTTP/1.1 101", 12))
        return fail(c, "the server did not switch protocols: %.60s", head);
    snprintf(req, sizeof(req), "%s%s", key, WS_GUID);
    if (!EVP_Digest(req, strlen(req), digest, &dlen, EVP_sha1(), NULL))
        return ssl_fail(c, "SHA-1");
    EVP_EncodeBlock((unsigned char *)expect, digest, (int)dlen);
    if (header_value(head, "Sec-WebSocket-Accept", got, sizeof(got)) || strcmp(got, expect))
        return fail(c, "bad or missing Sec-WebSocket-Accept");
    if (header_value(head, "Sec-WebSocket-Protocol", got, sizeof(got)) || strcmp(got, "b40.v1"))
        return fail(c, "the server did not accept the b40.v1 subprotocol");
    /* frames that came with the head */
    end += 4;
    if ((size_t)(end - head) < hlen) {
        size_t rest = hlen - (size_t)(end - head);
        if (reserve(&c->rbuf, &c->rcap, rest))
            return fail(c, "out of memory");
        memcpy(c->rbuf, end, rest);
        c->rlen = rest;
    }
    return 0;
}

int wsc_connect(struct wsc *c, SSL_CTX *ctx, int epfd, const char *src_ip, const char *host_ip, int port,
                const char *origin, int timeout_ms, const struct wsc_sockopts *opts)
{
    struct sockaddr_in src, dst;
    struct timeval tv = {timeout_ms / 1000, (timeout_ms % 1000) * 1000};
    struct epoll_event ev;
    int one = 1, flags;

    c->fd = -1;
    c->epfd = epfd;
    memset(&src, 0, sizeof(src));
    memset(&dst, 0, sizeof(dst));
    src.sin_family = dst.sin_family = AF_INET;
    dst.sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, src_ip, &src.sin_addr) != 1 || inet_pton(AF_INET, host_ip, &dst.sin_addr) != 1)
        return fail(c, "bad address %s or %s", src_ip, host_ip);
    c->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (c->fd < 0)
        return fail(c, "socket: %s", strerror(errno));
    if (setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) || setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) ||
        setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)))
        return fail(c, "setsockopt: %s", strerror(errno));
    /* before connect(): the window scale and the MSS are settled in the handshake */
    if (opts && opts->rcvbuf > 0 && setsockopt(c->fd, SOL_SOCKET, SO_RCVBUF, &opts->rcvbuf, sizeof(opts->rcvbuf)))
        return fail(c, "SO_RCVBUF: %s", strerror(errno));
    if (opts && opts->maxseg > 0 && setsockopt(c->fd, IPPROTO_TCP, TCP_MAXSEG, &opts->maxseg, sizeof(opts->maxseg)))
        return fail(c, "TCP_MAXSEG: %s", strerror(errno));
    /* its own source address: the server's per-address limits then count this client alone */
    if (bind(c->fd, (struct sockaddr *)&src, sizeof(src)))
        return fail(c, "bind to %s: %s", src_ip, strerror(errno));
    if (connect(c->fd, (struct sockaddr *)&dst, sizeof(dst)))
        return fail(c, "connect from %s to %s:%d: %s", src_ip, host_ip, port, strerror(errno));
    c->ssl = SSL_new(ctx);
    if (!c->ssl || !SSL_set_fd(c->ssl, c->fd) || !SSL_set1_host(c->ssl, host_ip))
        return ssl_fail(c, "SSL setup");
    if (SSL_connect(c->ssl) != 1)
        return ssl_fail(c, "TLS handshake");
    if (upgrade(c, host_ip, port, origin))
        return -1;
    flags = fcntl(c->fd, F_GETFL);
    if (flags < 0 || fcntl(c->fd, F_SETFL, flags | O_NONBLOCK))
        return fail(c, "fcntl: %s", strerror(errno));
    ev.events = EPOLLIN;
    ev.data.ptr = c;
    if (epoll_ctl(epfd, EPOLL_CTL_ADD, c->fd, &ev))
        return fail(c, "epoll_ctl: %s", strerror(errno));
    c->is_open = true;
    return 0;
}

/* ---- frames ---- */

size_t wsc_frame(uint8_t *out, size_t cap, int opcode, const void *payload, size_t len)
{
    size_t h = 2;
    uint8_t mask[4];
    const uint8_t *p = payload;

    if (len >= 65536)
        h += 8;
    else if (len >= 126)
        h += 2;
    if (cap < h + 4 + len)
        return 0;
    out[0] = (uint8_t)(0x80 | opcode);
    if (len >= 65536) {
        out[1] = 0x80 | 127;
        for (int i = 0; i < 8; i++)
            out[2 + i] = (uint8_t)((uint64_t)len >> (56 - 8 * i));
    } else if (len >= 126) {
        out[1] = 0x80 | 126;
        out[2] = (uint8_t)(len >> 8);
        out[3] = (uint8_t)len;
    } else {
        out[1] = (uint8_t)(0x80 | len);
    }
    randombytes_buf(mask, sizeof(mask));
    memcpy(out + h, mask, 4);
    for (size_t i = 0; i < len; i++)
        out[h + 4 + i] = p[i] ^ mask[i & 3];
    return h + 4 + len;
}

static void want_out(struct wsc *c, bool on)
{
    struct epoll_event ev;

    if (c->wants_out == on)
        return;
    ev.events = EPOLLIN | (on ? EPOLLOUT : 0);
    ev.data.ptr = c;
    if (epoll_ctl(c->epfd, EPOLL_CTL_MOD, c->fd, &ev) == 0)
        c->wants_out = on;
}

/* Writes what is pending. 0 (all written, or the rest waits for EPOLLOUT), or -1. */
static int flush(struct wsc *c)
{
    while (c->woff < c->wlen) {
        int n = SSL_write(c->ssl, c->wbuf + c->woff, (int)(c->wlen - c->woff));
        if (n <= 0) {
            int e = SSL_get_error(c->ssl, n);
            if (e == SSL_ERROR_WANT_WRITE || e == SSL_ERROR_WANT_READ) {
                want_out(c, true);
                return 0;
            }
            c->is_open = false;
            return ssl_fail(c, "write");
        }
        c->woff += (size_t)n;
    }
    c->woff = c->wlen = 0;
    want_out(c, false);
    return 0;
}

int wsc_send_frame(struct wsc *c, const uint8_t *frame, size_t len)
{
    if (!c->is_open)
        return fail(c, "the connection is closed");
    if (c->woff == c->wlen && len) { /* nothing waits: write straight from the caller's buffer */
        int n = SSL_write(c->ssl, frame, (int)len);
        if (n > 0 && (size_t)n == len)
            return 0;
        if (n <= 0) {
            int e = SSL_get_error(c->ssl, n);
            if (e != SSL_ERROR_WANT_WRITE && e != SSL_ERROR_WANT_READ) {
                c->is_open = false;
                return ssl_fail(c, "write");
            }
            n = 0; /* SSL_MODE_ENABLE_PARTIAL_WRITE: nothing taken; keep it all */
        }
        frame += n;
        len -= (size_t)n;
    }
    if (reserve(&c->wbuf, &c->wcap, c->wlen + len))
        return fail(c, "out of memory");
    memcpy(c->wbuf + c->wlen, frame, len);
    c->wlen += len;
    return flush(c);
}

int wsc_send_text(struct wsc *c, const char *text, size_t len)
{
    size_t cap = len + 14, n;
    uint8_t *f = malloc(cap);
    int rc;

    if (!f)
        return fail(c, "out of memory");
    n = wsc_frame(f, cap, OP_TEXT, text, len);
    rc = n ? wsc_send_frame(c, f, n) : fail(c, "framing failed");
    free(f);
    return rc;
}

/* Parses the complete frames in rbuf, delivering messages. 0, or -1 (closed or a protocol error). */
static int parse(struct wsc *c, int64_t t_ns)
{
    size_t off = 0;
    int rc = 0;

    while (rc == 0 && c->rlen - off >= 2) {
        const uint8_t *f = c->rbuf + off;
        size_t avail = c->rlen - off, h = 2;
        uint64_t len = f[1] & 0x7f;
        int op = f[0] & 0x0f;
        bool fin = f[0] & 0x80;

        if (f[1] & 0x80) {
            rc = fail(c, "the server sent a masked frame");
            break;
        }
        if (len == 126) {
            if (avail < 4)
                break;
            len = (uint64_t)f[2] << 8 | f[3];
            h = 4;
        } else if (len == 127) {
            if (avail < 10)
                break;
            len = 0;
            for (int i = 0; i < 8; i++)
                len = len << 8 | f[2 + i];
            h = 10;
        }
        if (len > WSC_MAX_MESSAGE) {
            rc = fail(c, "a frame of %llu bytes", (unsigned long long)len);
            break;
        }
        if (avail < h + len) {
            if (reserve(&c->rbuf, &c->rcap, off + h + len)) /* room for the rest of this frame */
                rc = fail(c, "out of memory");
            break;
        }
        off += h + (size_t)len;
        switch (op) {
        case OP_TEXT:
        case OP_CONT:
            if ((op == OP_TEXT) == c->in_message) {
                rc = fail(c, "a continuation frame out of place");
                break;
            }
            if (op == OP_TEXT)
                c->mlen = 0;
            if (c->mlen + len + 1 > WSC_MAX_MESSAGE || reserve(&c->msg, &c->mcap, c->mlen + (size_t)len + 1)) {
                rc = fail(c, "a message too large");
                break;
            }
            memcpy(c->msg + c->mlen, f + h, (size_t)len);
            c->mlen += (size_t)len;
            c->in_message = !fin;
            if (fin) {
                c->msg[c->mlen] = '\0';
                c->on_message(c, c->msg, c->mlen, t_ns, c->user);
            }
            break;
        case OP_PING: {
            uint8_t pong[14 + 125];
            size_t n = wsc_frame(pong, sizeof(pong), OP_PONG, f + h, len <= 125 ? (size_t)len : 0);
            rc = wsc_send_frame(c, pong, n);
            break;
        }
        case OP_PONG:
            break;
        case OP_CLOSE:
            c->is_open = false;
            rc = fail(c, "the server closed the connection (code %d)", len >= 2 ? f[h] << 8 | f[h + 1] : 1005);
            break;
        default:
            rc = fail(c, "an unexpected frame (opcode %d)", op);
            break;
        }
    }
    if (off) {
        memmove(c->rbuf, c->rbuf + off, c->rlen - off);
        c->rlen -= off;
    }
    return rc;
}

int wsc_on_event(struct wsc *c, uint32_t events)
{
    if (!c->is_open)
        return -1;
    if ((events & EPOLLOUT) && flush(c))
        return -1;
    if (events & (EPOLLIN | EPOLLERR | EPOLLHUP)) {
        for (;;) {
            int n;
            if (reserve(&c->rbuf, &c->rcap, c->rlen + 16384))
                return fail(c, "out of memory");
            n = SSL_read(c->ssl, c->rbuf + c->rlen, (int)(c->rcap - c->rlen));
            if (n <= 0) {
                int e = SSL_get_error(c->ssl, n);
                if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
                    break;
                c->is_open = false;
                return e == SSL_ERROR_ZERO_RETURN ? fail(c, "the server ended TLS") : ssl_fail(c, "read");
            }
            c->rlen += (size_t)n;
            /* epoll is level-triggered: stop once OpenSSL holds nothing more; what is still in the socket
             * wakes us again (saves the read that would only say EAGAIN) */
            if (!SSL_has_pending(c->ssl))
                break;
        }
        if (parse(c, wsc_now_ns()))
            return -1;
    }
    return c->is_open ? 0 : -1;
}

int wsc_pause(struct wsc *c)
{
    if (c->fd < 0 || epoll_ctl(c->epfd, EPOLL_CTL_DEL, c->fd, NULL))
        return fail(c, "epoll_ctl: %s", c->fd < 0 ? "not connected" : strerror(errno));
    c->wants_out = false;
    return 0;
}

void wsc_free(struct wsc *c)
{
    if (c->ssl) {
        if (c->is_open) {
            static const uint8_t code[2] = {0x03, 0xe8}; /* 1000: normal closure */
            uint8_t f[16];
            size_t n = wsc_frame(f, sizeof(f), OP_CLOSE, code, sizeof(code));
            (void)SSL_write(c->ssl, f, (int)n);
        }
        SSL_free(c->ssl);
    }
    if (c->fd >= 0)
        close(c->fd); /* also leaves the epoll set */
    free(c->rbuf);
    free(c->msg);
    free(c->wbuf);
    memset(c, 0, sizeof(*c));
    c->fd = -1;
}
