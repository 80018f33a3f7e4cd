/*
 * bench: what the subcommands of b40-bench share (docs/performance.md):
 * the options, the run's state, and the setup every benchmark starts with
 * (setup.c): a throwaway directory with a development certificate and a
 * database made by `b40 init`, N synthetic member cities and their mayors
 * written into it, a `b40 serve` on a loopback port, the network secretary
 * enrolled over the protocol, and every mayor enrolled and signed in on a
 * WSS connection of its own. Also the measuring helpers (CPU time, run
 * queue waits and memory of a process, percentiles). The subcommands are
 * ballots.c and bench_room.c. The bench's thread only.
 */
#ifndef B40_BENCH_BENCH_H
#define B40_BENCH_BENCH_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "client.h"
#include "proc.h"

#define NETWORK "b40-balkan-cities"
#define STALL_TIMEOUT_MS 60000 /* no reply at all for this long: the run has failed */
#define SETUP_WINDOW 64        /* requests in flight during setup */
#define MAX_CITIES 99999

/* One synthetic member city, its mayor and the mayor's connection. */
struct city {
    struct peer peer;
    char code[16];
    int64_t person_id;
    uint8_t pk[32], sk[64];
    char pk_hex[65];
    char enroll_code[32], enrollment[33], challenge[65], origin[128];
    /* the current timed request (a ballot, a chat message) */
    uint8_t *frame;
    size_t frame_len;
    char ballot_id[32];
    bool awaiting;
    int64_t t_send, t_recv;
};

enum bench_mode { BENCH_BALLOTS, BENCH_ROOM };

struct options {
    enum bench_mode mode;
    size_t cities;              /* ballots: --cities; room: --participants */
    size_t summit_cities;       /* ballots */
    double seconds;             /* ballots */
    size_t reader_nap_us;       /* ballots: the saturation phase's nap between reading passes */
    size_t messages, text_bytes, stall_max, join_window; /* room */
    unsigned send_queue_kib;    /* room: passed to `b40 serve`; 0: the server's default */
    char server[PATH_MAX], source[PATH_MAX], base[PATH_MAX];
    bool keep;
};

struct bench {
    struct options opt;
    char dir[PATH_MAX + 32], db[PATH_MAX + 64];
    int64_t t_start;
    struct client_loop cl;
    struct proc_server srv;
    struct peer sec;
    uint8_t sec_pk[32], sec_sk[64];
    char sec_hex[65];
    struct city *cities;
    size_t n;
    int64_t summit_id, election_id;
    int elections, round, server_starts;
    char fingerprint[65];
    /* timed phases */
    size_t hot_done;
    uint64_t errors;
};

/* A progress line on stderr, with the seconds since the start. */
void note(struct bench *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Lower-case hex of bin (out holds 2 * len + 1). */
void hex(const uint8_t *bin, size_t len, char *out);

/* RFC 3339 UTC with milliseconds of now + offset_ms (out: 32 bytes). */
void rfc3339(int64_t offset_ms, char out[32]);

/* The UTC date days from today, YYYY-MM-DD (out: 16 bytes); *year (when not NULL) its year. */
void date_from_today(int days, char out[16], int *year);

/* SIGINT and SIGTERM stop the running server before the bench dies; SIGPIPE is ignored. */
void bench_signals(void);

/*
 * Makes the throwaway directory, the certificate and the database; reads
 * the secretary's one-time code from `b40 init`'s output into code; sets
 * up the TLS client context. 0 or -1 (printed).
 */
int bench_prepare(struct bench *b, char code[32]) __attribute__((warn_unused_result));

/*
 * Writes b->n member cities and their mayors into the database (seed.c)
 * and fills b->cities (calloc'd here). 0 or -1.
 */
int bench_seed(struct bench *b) __attribute__((warn_unused_result));

/*
 * Starts `b40 serve` on the database (with --send-queue-kib when the
 * options name one); its output goes to DIR/server-K.log. 0 or -1.
 */
int bench_start_server(struct bench *b) __attribute__((warn_unused_result));

/* Stops the server (SIGTERM; the signal handler forgets it first). 0, or -1 when it did not exit 0. */
int bench_stop_server(struct bench *b) __attribute__((warn_unused_result));

/* The secretary connects, enrolls a new key with the code of `b40 init`, and is signed in. 0 or -1. */
int bench_secretary(struct bench *b, const char *code) __attribute__((warn_unused_result));

/* auth.challenge + auth.login with (pk, sk) on p, synchronously. 0 or -1. */
int bench_sign_in(struct bench *b, struct peer *p, const char *pk_hex, const uint8_t sk[64])
    __attribute__((warn_unused_result));

/*
 * Every mayor: a new key, an enrollment made by the secretary, a
 * connection of its own (city i from the i-th loopback address; the
 * connection of city `special`, when special < n, with the socket options
 * *special_opts), the key enrolled and signed in on it. 0 or -1.
 */
int bench_enroll_mayors(struct bench *b, size_t special, const struct wsc_sockopts *special_opts)
    __attribute__((warn_unused_result));

/*
 * Closes every connection, wipes the keys, stops the server (SIGTERM; it
 * must exit 0). Returns rc, or -1 when the server did not stop cleanly.
 */
int bench_teardown(struct bench *b, int rc);

/* CPU seconds (user + system, all threads) of process pid so far; -1 when unknown. */
double cpu_seconds(pid_t pid);

/*
 * Seconds the threads of process pid have waited on a run queue so far
 * (the second field of /proc/PID/task/TID/schedstat): time they were ready
 * to run but another process had the CPU. -1 when unknown.
 */
double runq_wait_seconds(pid_t pid);

/*
 * The on-CPU seconds (schedstat, ns precision) of each of pid's threads, in
 * thread id order (the main thread first), into out[max]; returns how many
 * threads there were (at most max), or -1.
 */
int thread_run_seconds(pid_t pid, double *out, int max);

/* This process's CPU seconds so far. */
double self_cpu_seconds(void);

/* VmRSS of process pid in KiB (/proc/PID/status); -1 when unknown. */
long rss_kib(pid_t pid);

/* qsort's comparison of doubles, ascending. */
int cmp_double(const void *a, const void *b);

/* The nearest-rank percentile q (0 < q <= 1) of sorted v[n] (n > 0). */
double percentile(const double *v, size_t n, double q);

/* The subcommands: run, measure, tear down and print. 0, or -1 (said why on stderr). */
int ballots_run(struct bench *b);
int room_run(struct bench *b);

#endif
