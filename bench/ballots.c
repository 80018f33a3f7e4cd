/*
 * ballots: how fast the B40 server records ballots, and how long a voter
 * waits for a receipt (docs/performance.md, "The ballot benchmark").
 *
 *   b40-bench ballots [--cities N] [--seconds S] [--summit-cities M]
 *                     [--server PATH] [--source DIR] [--dir BASE] [--keep]
 *
 * After the common setup (setup.c: the throwaway server, N synthetic member
 * cities, the secretary, every mayor enrolled and signed in on its own
 * connection from its own loopback address), the secretary creates the
 * summit (or, on a server without summit.create, the summit is written
 * into the database behind a restart) and checks every city in. Then an
 * election is opened and:
 *
 *   saturation  every city votes at once, each over its own connection, with
 *               every ballot built and signed before the clock starts; round
 *               after round (the votes tie, so each closing opens a runoff)
 *               until S seconds of voting time -> ballots_per_s, errors;
 *   summit      M cities of a fresh round vote, their sends spread evenly
 *               over one second -> receipt_p50_ms, receipt_p99_ms;
 *   verify      libsodium's Ed25519 verification on one core, ~50,000
 *               ballot-sized messages -> verify_per_s_one_core, ratio.
 *
 * stdout carries only `key=value` lines; progress and failures go to
 * stderr. Single-threaded: one epoll loop.
 */
#include "bench.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>
#include <sodium.h>

#include "seed.h"
#include "wsc.h"

#define CHECK_IN_WINDOW 8        /* attendance.check_in requests in flight (their replies are large) */
#define VERIFY_MESSAGES 50000
#define VERIFY_KEYS 64
#define ROUNDS_PER_ELECTION 8   /* then a new election: replies (every round, roll calls) stay small */

static int ballot_text(char *out, size_t cap, int64_t election, int round, const char *poll, const char *city,
                       const char *choice)
{
    uint8_t nonce[16];
    char nonce_hex[33];

    randombytes_buf(nonce, sizeof(nonce));
    hex(nonce, sizeof(nonce), nonce_hex);
    return snprintf(out, cap,
                    "b40-ballot-v1\nnetwork: " NETWORK "\nelection: %lld\nround: %d\npoll: %s\ncity: %s\nchoice: %s\n"
                    "nonce: %s\n",
                    (long long)election, round, poll, city, choice, nonce_hex);
}

static int on_check_in(struct job *j, struct json_object *reply)
{
    (void)j;
    return reply_is_ok(reply) ? 0 : reply_failed("attendance.check_in", reply);
}

/*
 * The summit and attendance: summit.create and attendance.check_in for
 * every city when the server has them; otherwise (unknown_type) the
 * server is stopped, both are written into the database, the server is
 * started again and the secretary signs in anew.
 */
static int make_summit(struct bench *b)
{
    struct json_object *f = json_object_new_object(), *r;
    char starts[16], ends[16];
    int year;

    date_from_today(0, starts, &year);
    date_from_today(2, ends, NULL);
    json_object_object_add(f, "year", json_object_new_int(year));
    json_object_object_add(f, "host", json_object_new_string(b->cities[0].code));
    json_object_object_add(f, "starts_on", json_object_new_string(starts));
    json_object_object_add(f, "ends_on", json_object_new_string(ends));
    json_object_object_add(f, "place", json_object_new_string("b40-bench summit hall"));
    r = client_call(&b->cl, &b->sec, "summit.create", f, true);
    if (!r)
        return -1;
    if (reply_is_ok(r)) {
        struct json_object *id = jget(r, "summit", "id", NULL);
        struct job *jobs;
        int rc;
        b->summit_id = id ? json_object_get_int64(id) : 0;
        json_object_put(r);
        if (b->summit_id <= 0)
            return oops("summit.create's reply has no summit.id");
        note(b, "summit %lld created over the protocol; checking in %zu cities", (long long)b->summit_id, b->n);
        jobs = calloc(b->n, sizeof(*jobs));
        if (!jobs)
            return oops("out of memory");
        for (size_t i = 0; i < b->n; i++) {
            f = json_object_new_object();
            json_object_object_add(f, "summit", json_object_new_int64(b->summit_id));
            json_object_object_add(f, "city", json_object_new_string(b->cities[i].code));
            jobs[i] = (struct job){.p = &b->sec, .text = client_request(&b->cl, "attendance.check_in", f), .on_reply = on_check_in};
        }
        /*
         * Each reply lists every city present so far (up to ~14 bytes a city): keep few in flight, or
         * the replies waiting in the server's send queue (1 MiB a connection) get the secretary dropped.
         */
        rc = client_run_jobs(&b->cl, jobs, b->n, CHECK_IN_WINDOW, STALL_TIMEOUT_MS);
        client_free_jobs(jobs, b->n);
        return rc;
    }
    if (strcmp(reply_error_code(r), "unknown_type")) {
        reply_failed("summit.create", r);
        json_object_put(r);
        return -1;
    }
    json_object_put(r);
    note(b, "the server has no summit.create: writing the summit and attendance into the database behind a restart");
    wsc_free(&b->sec.ws);
    if (bench_stop_server(b))
        return oops("the server did not stop cleanly before the summit was written");
    if (seed_summit(b->db, year, starts, ends, b->n, &b->summit_id) || bench_start_server(b) ||
        client_connect(&b->cl, &b->sec, NULL, NULL) || bench_sign_in(b, &b->sec, b->sec_hex, b->sec_sk))
        return -1;
    return 0;
}

/* ---- the election ---- */

/* Reads state, round and the open round's fingerprint from an election.* reply. 0 or -1. */
static int read_election(struct bench *b, struct json_object *r, const char **state)
{
    struct json_object *e = jget(r, "election", NULL), *rounds = jget(e, "rounds", NULL), *v;

    *state = jstr(e, "state");
    if (!*state || !(v = jget(e, "round", NULL)))
        return oops("an election reply without state or round");
    b->round = json_object_get_int(v);
    b->fingerprint[0] = '\0';
    for (size_t i = 0; rounds && i < json_object_array_length(rounds); i++) {
        struct json_object *rd = json_object_array_get_idx(rounds, i);
        const char *fp = jstr(rd, "fingerprint");
        if (json_object_get_int(jget(rd, "round", NULL)) == b->round && fp && strlen(fp) == 64)
            memcpy(b->fingerprint, fp, 65);
    }
    return 0;
}

static struct json_object *advance(struct bench *b, const char *to)
{
    struct json_object *f = json_object_new_object();

    json_object_object_add(f, "election", json_object_new_int64(b->election_id));
    json_object_object_add(f, "to", json_object_new_string(to));
    return client_call(&b->cl, &b->sec, "election.advance", f, false);
}

/* Checks that r opened a round and takes its fingerprint. Puts r. 0 or -1. */
static int take_open(struct bench *b, struct json_object *r)
{
    const char *state;
    int rc = -1;

    if (!r)
        return -1;
    if (read_election(b, r, &state) == 0) {
        if (strcmp(state, "open") || !b->fingerprint[0])
            oops("election %lld is %s after advancing to open (no fingerprint?)", (long long)b->election_id, state);
        else
            rc = 0;
    }
    json_object_put(r);
    return rc;
}

/* A new election: create, candidacies by cities 0 and 1, open. */
static int new_election(struct bench *b)
{
    struct json_object *f = json_object_new_object(), *r, *id;
    char title[64];

    snprintf(title, sizeof(title), "b40-bench election %d", ++b->elections);
    json_object_object_add(f, "summit", json_object_new_int64(b->summit_id));
    json_object_object_add(f, "title", json_object_new_string(title));
    r = client_call(&b->cl, &b->sec, "election.create", f, false);
    if (!r)
        return -1;
    id = jget(r, "election", "id", NULL);
    b->election_id = id ? json_object_get_int64(id) : 0;
    json_object_put(r);
    if (b->election_id <= 0)
        return oops("election.create's reply has no election.id");
    r = advance(b, "candidacy");
    if (!r)
        return -1;
    json_object_put(r);
    for (size_t i = 0; i < 2; i++) {
        f = json_object_new_object();
        json_object_object_add(f, "election", json_object_new_int64(b->election_id));
        r = client_call(&b->cl, &b->cities[i].peer, "election.declare", f, false);
        if (!r)
            return -1;
        json_object_put(r);
    }
    if (take_open(b, advance(b, "open"))) {
        oops("could not open election %lld with %zu present cities", (long long)b->election_id, b->n);
        return -1;
    }
    return 0;
}

/* Closes the open round and opens the next one (a runoff, or a new election once one is decided). */
static int next_round(struct bench *b)
{
    struct json_object *r = advance(b, "closed");
    const char *state;
    bool decided;

    if (!r)
        return -1;
    if (read_election(b, r, &state)) {
        json_object_put(r);
        return -1;
    }
    decided = !strcmp(state, "decided");
    json_object_put(r);
    /* every election.* reply carries all the rounds: start afresh before they make advancing slow */
    return decided || b->round >= ROUNDS_PER_ELECTION ? new_election(b) : take_open(b, advance(b, "open"));
}

/*
 * Builds and signs the ballots of cities [0, m) for the open round, each
 * framed (masked) and ready to write. Votes split evenly between the two
 * candidates (an odd last city abstains) so that every round ties and its
 * closing calls a runoff.
 */
static int build_ballots(struct bench *b, size_t m)
{
    for (size_t i = 0; i < m; i++) {
        struct city *c = &b->cities[i];
        const char *choice = (m % 2 && i == m - 1) ? "abstain" : b->cities[i % 2].code;
        char text[512], esc[600], req[900], sig_hex[129];
        uint8_t sig[64];
        int len = ballot_text(text, sizeof(text), b->election_id, b->round, b->fingerprint, c->code, choice), n;
        size_t e = 0;

        if (len < 0 || (size_t)len >= sizeof(text))
            return oops("a ballot text too long");
        crypto_sign_detached(sig, NULL, (const uint8_t *)text, (size_t)len, c->sk);
        hex(sig, 64, sig_hex);
        for (int k = 0; k < len; k++) { /* the only character of a ballot that JSON escapes */
            if (text[k] == '\n') {
                esc[e++] = '\\';
                esc[e++] = 'n';
            } else {
                esc[e++] = text[k];
            }
        }
        esc[e] = '\0';
        snprintf(c->ballot_id, sizeof(c->ballot_id), "e%lldr%dc%zu", (long long)b->election_id, b->round, i);
        n = snprintf(req, sizeof(req), "{\"id\":\"%s\",\"type\":\"election.cast\",\"ballot\":\"%s\",\"signature\":\"%s\"}",
                     c->ballot_id, esc, sig_hex);
        if (n < 0 || (size_t)n >= sizeof(req))
            return oops("a ballot request too long");
        free(c->frame);
        c->frame = malloc((size_t)n + 14);
        if (!c->frame)
            return oops("out of memory");
        c->frame_len = wsc_frame(c->frame, (size_t)n + 14, 1, req, (size_t)n);
        c->awaiting = false;
    }
    return 0;
}

/* Is msg the receipt that answers id? A quick look first; json-c when the quick look is not sure. */
static bool is_receipt(const char *msg, const char *id)
{
    char prefix[80];
    struct json_object *o, *idv;
    const char *receipt;
    bool yes;

    snprintf(prefix, sizeof(prefix), "{\"id\":\"%s\",\"ok\":true,", id);
    if (!strncmp(msg, prefix, strlen(prefix)) && strstr(msg, "\"receipt\":\"b40-receipt-v1\\n"))
        return true;
    o = json_tokener_parse(msg);
    idv = jget(o, "id", NULL);
    receipt = jstr(o, "receipt");
    yes = o && reply_is_ok(o) && idv && json_object_is_type(idv, json_type_string) && !strcmp(json_object_get_string(idv), id) &&
          receipt && !strncmp(receipt, "b40-receipt-v1\n", 15);
    json_object_put(o);
    return yes;
}

/* The timed phases' hook (client.h): the reply on a city's connection while its ballot waits is its receipt. */
static bool hot_reply(void *ctx, struct peer *p, const char *msg, int64_t t_ns)
{
    struct bench *b = ctx;
    struct city *ct = p->user;

    if (!ct || !ct->awaiting)
        return false;
    ct->awaiting = false;
    ct->t_recv = t_ns;
    b->hot_done++;
    if (!is_receipt(msg, ct->ballot_id) && ++b->errors <= 5)
        oops("%s's ballot got no receipt: %.400s", ct->code, msg);
    return true;
}

static void hot_begin(struct bench *b)
{
    b->hot_done = 0;
    b->cl.hot = hot_reply;
    b->cl.hot_ctx = b;
}

static void hot_end(struct bench *b)
{
    b->cl.hot = NULL;
    b->cl.hot_ctx = NULL;
}

static int send_ballot(struct city *c)
{
    c->awaiting = true;
    c->t_send = wsc_now_ns();
    if (wsc_send_frame(&c->peer.ws, c->frame, c->frame_len))
        return oops("sending %s's ballot: %s", c->code, c->peer.ws.err);
    return 0;
}

/* A reading pass that finds fewer receipts than this is followed by the nap (--reader-nap-us). */
#define NAP_BELOW 64

/*
 * Waits until hot_done reaches `until`; fails after STALL_TIMEOUT_MS without a
 * receipt. With nap_us, a pass that found few receipts is followed by a sleep
 * of nap_us, so that the receipts that come meanwhile are read in one pass:
 * the bench shares the server's cores, and reading each receipt as it comes
 * costs a wake-up of the bench a receipt, and a preempted server thread with
 * it (docs/performance.md, "The reader's nap"). A round's last receipt is
 * read at most nap_us late, which counts against the figure.
 */
static int wait_hot(struct bench *b, size_t until, size_t nap_us)
{
    size_t last = b->hot_done;
    int64_t progress = wsc_now_ns();

    while (b->hot_done < until) {
        size_t before = b->hot_done;
        if (client_loop_once(&b->cl, 100))
            return -1;
        if (nap_us && b->hot_done - before < NAP_BELOW && b->hot_done < until) {
            struct timespec nap = {.tv_sec = 0, .tv_nsec = (long)nap_us * 1000};
            nanosleep(&nap, NULL);
        }
        if (b->hot_done != last) {
            last = b->hot_done;
            progress = wsc_now_ns();
        } else if (wsc_now_ns() - progress > (int64_t)STALL_TIMEOUT_MS * 1000000) {
            return oops("no receipt for %d s (%zu of %zu)", STALL_TIMEOUT_MS / 1000, b->hot_done, until);
        }
    }
    return 0;
}

/* Server threads whose CPU is reported (the service thread, then the signature worker(s)). */
#define THREADS_SHOWN 8

struct results {
    size_t rounds, ballots, summit_cities;
    double voting_s, ballots_per_s, server_cpu, bench_cpu, server_cpu_us_per_ballot, server_runq, bench_runq;
    double thread_cpu[THREADS_SHOWN]; /* per server thread, per second of voting time */
    int threads;
    double p50_ms, p99_ms, max_ms;
    double verify_per_s, verify_wall_per_s;
};

/* Every city votes at once, round after round, until opt.seconds of voting time. */
static int saturate(struct bench *b, struct results *res)
{
    int64_t voting_ns = 0;
    double server_cpu = 0, bench_cpu = 0, server_runq = 0, bench_runq = 0, thread_cpu[THREADS_SHOWN] = {0};
    int threads = 0;

    while (voting_ns < (int64_t)(b->opt.seconds * 1e9) || res->rounds == 0) {
        int64_t t0, t_end = 0;
        double s0, c0, q0, r0, th0[THREADS_SHOWN], th1[THREADS_SHOWN];
        int n0;
        if (res->rounds > 0 && next_round(b))
            return -1;
        if (build_ballots(b, b->n))
            return -1;
        hot_begin(b);
        s0 = cpu_seconds(b->srv.pid);
        c0 = self_cpu_seconds();
        q0 = runq_wait_seconds(b->srv.pid);
        r0 = runq_wait_seconds(getpid());
        n0 = thread_run_seconds(b->srv.pid, th0, THREADS_SHOWN);
        t0 = wsc_now_ns();
        for (size_t i = 0; i < b->n; i++)
            if (send_ballot(&b->cities[i]))
                return -1;
        if (wait_hot(b, b->n, b->opt.reader_nap_us))
            return -1;
        for (size_t i = 0; i < b->n; i++)
            if (b->cities[i].t_recv > t_end)
                t_end = b->cities[i].t_recv;
        server_cpu += cpu_seconds(b->srv.pid) - s0;
        bench_cpu += self_cpu_seconds() - c0;
        server_runq += runq_wait_seconds(b->srv.pid) - q0;
        bench_runq += runq_wait_seconds(getpid()) - r0;
        if (n0 > 0 && thread_run_seconds(b->srv.pid, th1, THREADS_SHOWN) == n0) {
            threads = n0;
            for (int k = 0; k < n0; k++)
                thread_cpu[k] += th1[k] - th0[k];
        }
        hot_end(b);
        if (getenv("B40_BENCH_WINDOWS")) /* for a profiler: the timed window, CLOCK_MONOTONIC ns */
            fprintf(stderr, "window %lld %lld\n", (long long)t0, (long long)t_end);
        voting_ns += t_end - t0;
        res->rounds++;
        res->ballots += b->n;
        if (b->n >= 1000 || res->rounds % 10 == 1)
            note(b, "round %zu (election %lld round %d): %zu ballots in %.3f s (%.0f/s); %.3f s of voting so far",
                 res->rounds, (long long)b->election_id, b->round, b->n, (double)(t_end - t0) / 1e9,
                 (double)b->n / ((double)(t_end - t0) / 1e9), (double)voting_ns / 1e9);
    }
    res->voting_s = (double)voting_ns / 1e9;
    res->ballots_per_s = (double)res->ballots / res->voting_s;
    res->server_cpu = server_cpu / res->voting_s;
    res->server_cpu_us_per_ballot = server_cpu * 1e6 / (double)res->ballots;
    res->server_runq = server_runq / res->voting_s;
    res->bench_runq = bench_runq / res->voting_s;
    res->bench_cpu = bench_cpu / res->voting_s;
    res->threads = threads;
    for (int k = 0; k < threads; k++)
        res->thread_cpu[k] = thread_cpu[k] / res->voting_s;
    return 0;
}

/* A fresh round; m cities vote, their sends spread evenly over one second; receipt times. */
static int summit(struct bench *b, struct results *res)
{
    size_t m = b->opt.summit_cities < b->n ? b->opt.summit_cities : b->n, next = 0;
    double *ms = calloc(m, sizeof(*ms));
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
    int64_t t0;
    int rc = -1;

    if (!ms)
        return oops("out of memory");
    if (next_round(b) || build_ballots(b, m))
        goto out;
    b->cl.timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (b->cl.timer_fd < 0 || epoll_ctl(b->cl.epfd, EPOLL_CTL_ADD, b->cl.timer_fd, &ev)) {
        oops("timerfd: %s", strerror(errno));
        goto out;
    }
    hot_begin(b);
    t0 = wsc_now_ns() + 10000000; /* 10 ms from now */
    while (next < m) {
        int64_t due = t0 + (int64_t)((double)next * 1e9 / (double)m);
        if (wsc_now_ns() >= due) {
            if (send_ballot(&b->cities[next++]))
                goto out;
            continue;
        }
        {
            struct itimerspec its = {.it_value = {(time_t)(due / 1000000000), (long)(due % 1000000000)}};
            if (timerfd_settime(b->cl.timer_fd, TFD_TIMER_ABSTIME, &its, NULL)) {
                oops("timerfd_settime: %s", strerror(errno));
                goto out;
            }
        }
        if (client_loop_once(&b->cl, 1000))
            goto out;
    }
    if (wait_hot(b, m, 0)) /* receipt times are measured: read each as it comes */
        goto out;
    for (size_t i = 0; i < m; i++)
        ms[i] = (double)(b->cities[i].t_recv - b->cities[i].t_send) / 1e6;
    qsort(ms, m, sizeof(*ms), cmp_double);
    res->summit_cities = m;
    res->p50_ms = percentile(ms, m, 0.50);
    res->p99_ms = percentile(ms, m, 0.99);
    res->max_ms = ms[m - 1];
    note(b, "summit round: %zu ballots over 1 s, receipt p50 %.3f ms, p99 %.3f ms, max %.3f ms", m, res->p50_ms,
         res->p99_ms, res->max_ms);
    rc = 0;
out:
    hot_end(b);
    if (b->cl.timer_fd >= 0) {
        close(b->cl.timer_fd);
        b->cl.timer_fd = -1;
    }
    free(ms);
    return rc;
}

static int64_t thread_cpu_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* libsodium's Ed25519 verification, one thread, over VERIFY_MESSAGES distinct ballot-sized messages. */
static int verify_rate(struct bench *b, struct results *res)
{
    enum { MSG_MAX = 320 };
    uint8_t (*pk)[32] = malloc(VERIFY_KEYS * sizeof(*pk)), (*sk)[64] = malloc(VERIFY_KEYS * sizeof(*sk));
    uint8_t(*sig)[64] = malloc(VERIFY_MESSAGES * sizeof(*sig));
    char(*msg)[MSG_MAX] = malloc(VERIFY_MESSAGES * sizeof(*msg));
    size_t *len = malloc(VERIFY_MESSAGES * sizeof(*len)), bad = 0;
    int64_t t0, t1, c0, c1;
    int rc = -1;

    if (!pk || !sk || !sig || !msg || !len) {
        oops("out of memory");
        goto out;
    }
    for (size_t k = 0; k < VERIFY_KEYS; k++)
        crypto_sign_keypair(pk[k], sk[k]);
    for (size_t i = 0; i < VERIFY_MESSAGES; i++) {
        uint8_t poll[32];
        char poll_hex[65], code[16];
        int n;
        randombytes_buf(poll, sizeof(poll));
        hex(poll, 32, poll_hex);
        seed_city_code(i % MAX_CITIES, code);
        n = ballot_text(msg[i], MSG_MAX, 1 + (int64_t)(i / 2000), 1 + (int)(i % 7), poll_hex, code, "bench-00002");
        len[i] = (size_t)n;
        crypto_sign_detached(sig[i], NULL, (const uint8_t *)msg[i], len[i], sk[i % VERIFY_KEYS]);
    }
    t0 = wsc_now_ns();
    c0 = thread_cpu_ns();
    for (size_t i = 0; i < VERIFY_MESSAGES; i++)
        bad += crypto_sign_verify_detached(sig[i], (const uint8_t *)msg[i], len[i], pk[i % VERIFY_KEYS]) != 0;
    c1 = thread_cpu_ns();
    t1 = wsc_now_ns();
    if (bad) {
        oops("%zu of %d signatures did not verify", bad, VERIFY_MESSAGES);
        goto out;
    }
    /* per second of this thread's CPU time: what one core does, however busy the machine is */
    res->verify_per_s = (double)VERIFY_MESSAGES / ((double)(c1 - c0) / 1e9);
    res->verify_wall_per_s = (double)VERIFY_MESSAGES / ((double)(t1 - t0) / 1e9);
    note(b, "Ed25519 verify: %d messages of ~%zu bytes: %.3f s of CPU, %.3f s of wall time, on one thread",
         VERIFY_MESSAGES, len[0], (double)(c1 - c0) / 1e9, (double)(t1 - t0) / 1e9);
    rc = 0;
out:
    free(pk);
    if (sk)
        sodium_memzero(sk, VERIFY_KEYS * sizeof(*sk));
    free(sk);
    free(sig);
    free(msg);
    free(len);
    return rc;
}


/* ---- the run ---- */

static int run(struct bench *b, struct results *res)
{
    char code[32];

    if (bench_prepare(b, code) || bench_seed(b) || bench_start_server(b) || bench_secretary(b, code))
        return -1;
    if (make_summit(b))
        return -1;
    if (bench_enroll_mayors(b, SIZE_MAX, NULL))
        return -1;
    note(b, "%zu mayors enrolled and signed in, each on its own connection", b->n);
    if (new_election(b))
        return -1;
    note(b, "election %lld open (round %d); saturation phase", (long long)b->election_id, b->round);
    if (saturate(b, res))
        return -1;
    note(b, "summit phase");
    if (summit(b, res))
        return -1;
    {
        struct json_object *r = advance(b, "closed");
        if (!r)
            return -1;
        json_object_put(r);
    }
    return 0;
}

int ballots_run(struct bench *b)
{
    struct results res;
    int rc;

    memset(&res, 0, sizeof(res));
    rc = bench_teardown(b, run(b, &res));
    if (rc == 0)
        rc = verify_rate(b, &res);
    if (rc == 0) {
        printf("cities=%zu\n", b->n);
        printf("reader_nap_us=%zu\n", b->opt.reader_nap_us);
        printf("rounds=%zu\n", res.rounds);
        printf("ballots=%zu\n", res.ballots);
        printf("voting_s=%.3f\n", res.voting_s);
        printf("ballots_per_s=%.1f\n", res.ballots_per_s);
        printf("verify_per_s_one_core=%.1f\n", res.verify_per_s);
        printf("ratio=%.3f\n", res.ballots_per_s / res.verify_per_s);
        printf("verify_wall_per_s=%.1f\n", res.verify_wall_per_s);
        printf("server_cpu_per_wall_s=%.3f\n", res.server_cpu);
        printf("server_cpu_us_per_ballot=%.1f\n", res.server_cpu_us_per_ballot);
        printf("bench_cpu_per_wall_s=%.3f\n", res.bench_cpu);
        double workers = 0;
        for (int k = 1; k < res.threads; k++)
            workers += res.thread_cpu[k];
        printf("server_threads=%d\n", res.threads);
        printf("server_service_cpu_per_wall_s=%.3f\n", res.threads ? res.thread_cpu[0] : 0.0);
        printf("server_workers_cpu_per_wall_s=%.3f\n", workers);
        printf("server_runq_wait_per_wall_s=%.3f\n", res.server_runq);
        printf("bench_runq_wait_per_wall_s=%.3f\n", res.bench_runq);
        printf("summit_cities=%zu\n", res.summit_cities);
        printf("receipt_p50_ms=%.3f\n", res.p50_ms);
        printf("receipt_p99_ms=%.3f\n", res.p99_ms);
        printf("receipt_max_ms=%.3f\n", res.max_ms);
        printf("errors=%llu\n", (unsigned long long)b->errors);
        fflush(stdout);
    }
    if (rc == 0 && b->errors)
        rc = oops("%llu ballots got no receipt", (unsigned long long)b->errors);
    return rc;
}
