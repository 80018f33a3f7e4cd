/*
 * b40-bench: benchmarks of the B40 server, each against a throwaway server
 * it starts itself (docs/performance.md says what every figure means).
 *
 *   b40-bench ballots [--cities N] [--seconds S] [--summit-cities M] ...
 *       how fast ballots are recorded, how long a receipt takes (ballots.c);
 *   b40-bench room [--participants N] [--messages M] ...
 *       how long a chat message in a live session room takes to reach every
 *       other participant, what a connection costs the server, and whether a
 *       participant that stops reading delays the others (bench_room.c).
 *
 * stdout carries only `key=value` lines; progress and failures go to
 * stderr. Exit 0 on success, 1 when anything failed (the throwaway
 * directory is then kept for a look), 2 on a usage error. Single-threaded:
 * one epoll loop.
 *
 * This file reads the options and runs a subcommand; setup.c holds what
 * they share (the server, the secretary, the mayors), client.c the
 * requests over many connections, wsc.c the WebSocket client, proc.c the
 * child processes, seed.c the rows written into the database.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <unistd.h>

#include <openssl/ssl.h>
#include <sodium.h>

#include "bench.h"
#include "wsc.h"

#ifndef B40_SOURCE_DIR
#define B40_SOURCE_DIR "."
#endif

static void usage_ballots(void)
{
    fprintf(stderr,
            "usage: b40-bench ballots [--cities N] [--seconds S] [--summit-cities M] [--reader-nap-us U]\n"
            "                         [--server PATH] [--source DIR] [--dir BASE] [--keep]\n"
            "  --cities N         synthetic member cities, each with an enrolled mayor (default 2000)\n"
            "  --seconds S        least voting time of the saturation phase (default 5)\n"
            "  --summit-cities M  cities voting in the summit phase (default 200; at most N)\n"
            "  --reader-nap-us U  saturation phase: after a pass that found fewer than 64 receipts, the\n"
            "                     bench sleeps U microseconds before reading again (default 500; 0 reads\n"
            "                     each receipt as it comes, at the cost of a wake-up of the bench each)\n");
}

static void usage_room(void)
{
    fprintf(stderr,
            "usage: b40-bench room [--participants N] [--messages M] [--text-bytes B] [--stall-max K]\n"
            "                      [--join-window W] [--send-queue-kib Q]\n"
            "                      [--server PATH] [--source DIR] [--dir BASE] [--keep]\n"
            "  --participants N   people in the room, each a signed-in mayor on its own connection (default 2000)\n"
            "  --messages M       timed chat messages, one at a time, from different senders (default 50)\n"
            "  --text-bytes B     bytes of text in each chat message, 16 to 1000 (default 200)\n"
            "  --stall-max K      the most messages sent while one participant has stopped reading (default 5000)\n"
            "  --join-window W    room.join requests in flight while the room fills (default 1)\n"
            "  --send-queue-kib Q run the server with --send-queue-kib Q, 64 to 1048576 (default: the server's default)\n");
}

static int usage(enum bench_mode mode, bool both)
{
    if (both || mode == BENCH_BALLOTS)
        usage_ballots();
    if (both || mode == BENCH_ROOM)
        usage_room();
    fprintf(stderr,
            "common options:\n"
            "  --server PATH      the b40 executable (default: ../b40 beside this program)\n"
            "  --source DIR       the source tree, for certs/make-dev-cert and web/ (default: the one built from)\n"
            "  --dir BASE         where to make the throwaway directory (default $TMPDIR or /tmp)\n"
            "  --keep             keep the throwaway directory (it is always kept after a failure)\n"
            "Prints key=value lines on stdout; see docs/performance.md.\n");
    return 2;
}

/* Reads a whole unsigned decimal number into *out. 0 or -1. */
static int number(const char *v, size_t *out)
{
    char *end = NULL;
    unsigned long long x;

    if (!v || *v < '0' || *v > '9')
        return -1;
    errno = 0;
    x = strtoull(v, &end, 10);
    if (errno || *end || x > SIZE_MAX)
        return -1;
    *out = (size_t)x;
    return 0;
}

static int parse_options(int argc, char **argv, enum bench_mode mode, struct options *o)
{
    const char *tmp = getenv("TMPDIR");
    char self[PATH_MAX];
    ssize_t n;
    size_t q = 0;

    memset(o, 0, sizeof(*o));
    o->mode = mode;
    o->cities = 2000;
    o->summit_cities = 200;
    o->seconds = 5;
    o->reader_nap_us = 500;
    o->messages = 50;
    o->text_bytes = 200;
    o->stall_max = 5000;
    o->join_window = 1;
    snprintf(o->source, sizeof(o->source), "%s", B40_SOURCE_DIR);
    snprintf(o->base, sizeof(o->base), "%s", tmp && *tmp ? tmp : "/tmp");
    n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    if (n > 0) {
        char *slash;
        self[n] = '\0';
        slash = strrchr(self, '/');
        if (slash)
            *slash = '\0';
        snprintf(o->server, sizeof(o->server), "%.*s/../b40", (int)(sizeof(o->server) - 8), self);
    }
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        bool ballots = o->mode == BENCH_BALLOTS, room = o->mode == BENCH_ROOM;
        int bad = 0;
        if (!strcmp(a, "--keep")) {
            o->keep = true;
            continue;
        }
        if (!v)
            return -1;
        i++;
        if (ballots && !strcmp(a, "--cities"))
            bad = number(v, &o->cities);
        else if (room && !strcmp(a, "--participants"))
            bad = number(v, &o->cities);
        else if (ballots && !strcmp(a, "--summit-cities"))
            bad = number(v, &o->summit_cities);
        else if (ballots && !strcmp(a, "--reader-nap-us"))
            bad = number(v, &o->reader_nap_us) || o->reader_nap_us > 100000;
        else if (ballots && !strcmp(a, "--seconds")) {
            char *end = NULL;
            errno = 0;
            o->seconds = strtod(v, &end);
            bad = !*v || *end || errno;
        } else if (room && !strcmp(a, "--messages"))
            bad = number(v, &o->messages);
        else if (room && !strcmp(a, "--text-bytes"))
            bad = number(v, &o->text_bytes);
        else if (room && !strcmp(a, "--stall-max"))
            bad = number(v, &o->stall_max);
        else if (room && !strcmp(a, "--join-window"))
            bad = number(v, &o->join_window);
        else if (room && !strcmp(a, "--send-queue-kib")) {
            bad = number(v, &q) || q < 64 || q > 1048576; /* what `b40 serve` accepts */
            o->send_queue_kib = (unsigned)q;
        } else if (!strcmp(a, "--server"))
            snprintf(o->server, sizeof(o->server), "%s", v);
        else if (!strcmp(a, "--source"))
            snprintf(o->source, sizeof(o->source), "%s", v);
        else if (!strcmp(a, "--dir"))
            snprintf(o->base, sizeof(o->base), "%s", v);
        else
            return -1;
        if (bad)
            return -1;
    }
    if (strlen(o->base) > PATH_MAX - 256 || strlen(o->source) > PATH_MAX - 64)
        return -1;
    if (o->mode == BENCH_BALLOTS)
        return o->cities < 2 || o->cities > MAX_CITIES || o->summit_cities < 1 || !(o->seconds >= 0) ||
                       o->seconds > 3600
                   ? -1
                   : 0;
    /* the room: a sender, a receiver and the participant that stops reading, at the least */
    return o->cities < 3 || o->cities > MAX_CITIES || o->messages < 1 || o->messages > 100000 ||
                   o->text_bytes < 16 || o->text_bytes > 1000 || o->stall_max < 1 || o->stall_max > 1000000 ||
                   o->join_window < 1 || o->join_window > o->cities
               ? -1
               : 0;
}

static int raise_fd_limit(size_t need)
{
    struct rlimit rl;

    if (getrlimit(RLIMIT_NOFILE, &rl))
        return -1;
    if (rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        (void)setrlimit(RLIMIT_NOFILE, &rl);
        (void)getrlimit(RLIMIT_NOFILE, &rl);
    }
    return rl.rlim_cur >= need ? 0 : oops("%zu connections need %zu open files; the limit is %llu", need - 64, need,
                                          (unsigned long long)rl.rlim_cur);
}

int main(int argc, char **argv)
{
    struct bench b;
    int rc;

    memset(&b, 0, sizeof(b));
    b.t_start = wsc_now_ns();
    b.cl.timer_fd = -1;
    b.sec.ws.fd = -1;
    if (argc < 2 || (strcmp(argv[1], "ballots") && strcmp(argv[1], "room")))
        return usage(BENCH_BALLOTS, true);
    {
        enum bench_mode mode = strcmp(argv[1], "room") ? BENCH_BALLOTS : BENCH_ROOM;
        if (parse_options(argc, argv, mode, &b.opt))
            return usage(mode, false);
    }
    b.n = b.opt.cities;
    bench_signals();
    if (sodium_init() < 0 || raise_fd_limit(b.n + 64))
        return 1;
    b.cl.epfd = epoll_create1(EPOLL_CLOEXEC);
    if (b.cl.epfd < 0)
        return oops("epoll_create1: %s", strerror(errno)), 1;
    rc = b.opt.mode == BENCH_ROOM ? room_run(&b) : ballots_run(&b);
    free(b.cities);
    SSL_CTX_free(b.cl.ssl);
    close(b.cl.epfd);
    if (b.dir[0]) {
        if (rc != 0 || b.opt.keep)
            note(&b, "kept %s", b.dir);
        else if (proc_rmtree(b.dir))
            oops("could not remove %s", b.dir);
    }
    return rc == 0 ? 0 : 1;
}
