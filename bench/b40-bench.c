/*
 * b40-bench: how fast the B40 server records ballots, and how long a voter
 * waits for a receipt (docs/performance.md says what each figure means).
 *
 *   b40-bench ballots [--cities N] [--seconds S] [--summit-cities M]
 *                     [--server PATH] [--source DIR] [--dir BASE] [--keep]
 *
 * It makes a throwaway directory (a development certificate, `b40 init`),
 * writes N synthetic member cities and their mayors into the database,
 * starts `b40 serve` on a loopback port and then does everything else as
 * clients do, over WSS: the network secretary enrolls with the link `b40
 * init` printed, creates the summit (or, on a server without summit.create,
 * the summit is written into the database behind a restart) and checks
 * every city in, and makes one enrollment per mayor (signed statements of
 * docs/identity.md); each mayor, on a connection of its own from its own
 * loopback address, enrolls a key the bench made and signs in. Then an
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
 *   b40-bench room [--participants N] [--messages M] [--slow-messages K] [...]
 *
 * measures a working-group session's live room instead: N mayors of N
 * member cities of one group join one room, each over its own connection;
 * M chat messages, each from a different participant, are timed from the
 * send to their arrival at every other participant -> fanout_p50_ms,
 * fanout_p99_ms; the server's memory per connection -> rss_kib_per_connection;
 * then one participant stops reading while K more messages go out ->
 * slow_client_isolated (the others' fan-out is not held up).
 *
 * stdout carries only `key=value` lines; progress and failures go to
 * stderr. Exit 0 on success, 1 when anything failed (the directory is then
 * kept for a look), 2 on a usage error. Single-threaded: one epoll loop.
 *
 * This file holds the flows and the measurements; client.c the requests over
 * many connections, wsc.c the WebSocket client, proc.c the child
 * processes, seed.c the rows written into the database.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>
#include <openssl/ssl.h>
#include <sodium.h>

#include "client.h"
#include "proc.h"
#include "seed.h"
#include "wsc.h"

#ifndef B40_SOURCE_DIR
#define B40_SOURCE_DIR "."
#endif

#define NETWORK "b40-balkan-cities"
#define STALL_TIMEOUT_MS 60000  /* no reply at all for this long: the run has failed */
#define SETUP_WINDOW 64          /* requests in flight during setup */
#define CHECK_IN_WINDOW 8        /* attendance.check_in requests in flight (their replies are large) */
#define VERIFY_MESSAGES 50000
#define VERIFY_KEYS 64
#define MAX_CITIES 99999
#define ROUNDS_PER_ELECTION 8   /* then a new election: replies (every round, roll calls) stay small */

/* ---- state ---- */

struct city {
    struct peer peer;
    char code[16];
    int64_t person_id;
    uint8_t pk[32], sk[64];
    char pk_hex[65];
    char enroll_code[32], enrollment[33], challenge[65], origin[128];
    /* the current timed ballot */
    uint8_t *frame;
    size_t frame_len;
    char ballot_id[32];
    bool awaiting;
    int64_t t_send, t_recv;
    /* the room benchmark: when this participant last sent chat messages (the server allows 10 per 10 s) */
    int64_t chat_sent[10];
    size_t chat_pos;
};

enum mode { MODE_BALLOTS, MODE_ROOM };

struct options {
    enum mode mode;
    size_t cities, summit_cities;
    size_t messages, slow_messages; /* the room benchmark's */
    double seconds;
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
    /* the room benchmark: the message being timed */
    int64_t session_id;
    struct {
        bool active, replied;
        char token[40], reply_id[32];
        size_t sender, skip; /* skip: the participant that does not read (SIZE_MAX: none) */
        int64_t t_send;
        size_t received;
        bool *got;
        double *samples;
        size_t nsamples, cap;
    } fan;
};

static void note(struct bench *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(struct bench *b, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "b40-bench [%7.2f s] ", (double)(wsc_now_ns() - b->t_start) / 1e9);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

/* ---- texts: the statements of docs/identity.md and the ballot of docs/audit.md ---- */

static void hex(const uint8_t *bin, size_t len, char *out)
{
    sodium_bin2hex(out, 2 * len + 1, bin, len);
}

/* RFC 3339 UTC with milliseconds of now + offset_ms (out: 32 bytes). */
static void rfc3339(int64_t offset_ms, char out[32])
{
    struct timespec ts;
    struct tm tm;
    int64_t ms;
    time_t s;
    size_t n;

    clock_gettime(CLOCK_REALTIME, &ts);
    ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 + offset_ms;
    s = (time_t)(ms / 1000);
    gmtime_r(&s, &tm);
    n = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out + n, 32 - n, ".%03uZ", (unsigned)(ms % 1000));
}

/* The UTC date days from today, YYYY-MM-DD (out: 16 bytes); *year the year of it. */
static void date_from_today(int days, char out[16], int *year)
{
    time_t s = time(NULL) + (time_t)days * 86400;
    struct tm tm;

    gmtime_r(&s, &tm);
    strftime(out, 16, "%Y-%m-%d", &tm);
    if (year)
        *year = tm.tm_year + 1900;
}

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

/* The running server, for the signal handler: interrupting the bench must not leave the server behind. */
static volatile sig_atomic_t server_pid;

static void on_signal(int sig)
{
    if (server_pid > 0)
        kill((pid_t)server_pid, SIGTERM);
    signal(sig, SIG_DFL);
    raise(sig);
}

static int start_server(struct bench *b)
{
    char log[2 * PATH_MAX], cert[2 * PATH_MAX], key[2 * PATH_MAX], web[2 * PATH_MAX];
    char *argv[] = {b->opt.server, "serve", "--db", b->db, "--port", "0", "--listen", "127.0.0.1", "--cert", cert,
                    "--key", key, "--web-root", web, "--log-level", "warn", NULL};

    /* a log per start: the marker of an earlier server must not be taken for this one's */
    snprintf(log, sizeof(log), "%s/server-%d.log", b->dir, ++b->server_starts);
    snprintf(cert, sizeof(cert), "%s/certs/server.pem", b->dir);
    snprintf(key, sizeof(key), "%s/certs/server.key", b->dir);
    snprintf(web, sizeof(web), "%s/web", b->opt.source);
    if (proc_server_start(&b->srv, argv, log, 15000))
        return -1;
    server_pid = b->srv.pid;
    b->cl.port = b->srv.port;
    snprintf(b->cl.origin, sizeof(b->cl.origin), "https://127.0.0.1:%d", b->srv.port);
    note(b, "server pid %d listening on port %d", (int)b->srv.pid, b->srv.port);
    return 0;
}

/* ---- setup ---- */

/* Makes the directory, the certificate and the database; reads the secretary's one-time code from `b40 init`. */
static int prepare(struct bench *b, char code[32])
{
    char path[2 * PATH_MAX], out[2 * PATH_MAX], *log, *p;
    char *cert_argv[] = {path, "--out", out, NULL};
    char *init_argv[] = {b->opt.server, "init", "--db", b->db, NULL};
    size_t len;

    snprintf(b->dir, sizeof(b->dir), "%s/b40-bench-XXXXXX", b->opt.base);
    if (!mkdtemp(b->dir))
        return oops("cannot make a directory in %s: %s", b->opt.base, strerror(errno));
    note(b, "working in %s", b->dir);
    snprintf(b->db, sizeof(b->db), "%s/b40.db", b->dir);
    snprintf(path, sizeof(path), "%s/certs/make-dev-cert", b->opt.source);
    snprintf(out, sizeof(out), "%s/certs", b->dir);
    {
        char logp[2 * PATH_MAX];
        snprintf(logp, sizeof(logp), "%s/setup.log", b->dir);
        if (proc_run(cert_argv, logp, 60000) != 0) {
            proc_log_tail(logp, 2000);
            return oops("%s --out %s failed", path, out);
        }
        if (proc_run(init_argv, logp, 60000) != 0) {
            proc_log_tail(logp, 2000);
            return oops("%s init --db %s failed", b->opt.server, b->db);
        }
        log = proc_read_file(logp);
    }
    p = log ? strstr(log, "/enroll#") : NULL;
    if (!p)
        return free(log), oops("`b40 init` printed no /enroll# link");
    p += strlen("/enroll#");
    len = strspn(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");
    if (len != 22)
        return free(log), oops("the code in `b40 init`'s link is not 22 characters");
    memcpy(code, p, len);
    code[len] = '\0';
    free(log);
    snprintf(path, sizeof(path), "%s/certs/ca.pem", b->dir);
    b->cl.ssl = SSL_CTX_new(TLS_client_method());
    if (!b->cl.ssl || SSL_CTX_load_verify_locations(b->cl.ssl, path, NULL) != 1 ||
        SSL_CTX_set_alpn_protos(b->cl.ssl, (const unsigned char *)"\x08http/1.1", 9) != 0)
        return oops("cannot set up TLS with the CA %s", path);
    SSL_CTX_set_verify(b->cl.ssl, SSL_VERIFY_PEER, NULL);
    SSL_CTX_set_mode(b->cl.ssl, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    return 0;
}

/* enroll.begin + enroll.complete for a key (the secretary's, synchronously). */
static int enroll_secretary(struct bench *b, const char *code)
{
    struct json_object *f = json_object_new_object(), *r;
    char st[1024], sig_hex[129];
    uint8_t sig[64];
    const char *enr, *ch, *origin;
    int rc = -1;

    json_object_object_add(f, "code", json_object_new_string(code));
    r = client_call(&b->cl, &b->sec, "enroll.begin", f, false);
    if (!r)
        return -1;
    enr = jstr(r, "enrollment");
    ch = jstr(r, "challenge");
    origin = jstr(r, "origin");
    if (!enr || !ch || !origin) {
        json_object_put(r);
        return oops("enroll.begin's reply lacks enrollment, challenge or origin");
    }
    snprintf(st, sizeof(st),
             "b40-key-binding-v1\nnetwork: " NETWORK "\nenrollment: %s\ncode: %s\npublic-key: %s\norigin: %s\n"
             "challenge: %s\n",
             enr, code, b->sec_hex, origin, ch);
    json_object_put(r);
    crypto_sign_detached(sig, NULL, (const uint8_t *)st, strlen(st), b->sec_sk);
    hex(sig, 64, sig_hex);
    f = json_object_new_object();
    json_object_object_add(f, "code", json_object_new_string(code));
    json_object_object_add(f, "public_key", json_object_new_string(b->sec_hex));
    json_object_object_add(f, "device", json_object_new_string("b40-bench"));
    json_object_object_add(f, "statement", json_object_new_string(st));
    json_object_object_add(f, "signature", json_object_new_string(sig_hex));
    r = client_call(&b->cl, &b->sec, "enroll.complete", f, false);
    if (r)
        rc = 0;
    json_object_put(r);
    return rc;
}

/* auth.challenge + auth.login with (pk, sk) on p, synchronously. */
static int sign_in_sync(struct bench *b, struct peer *p, const char *pk_hex, const uint8_t sk[64])
{
    struct json_object *r = client_call(&b->cl, p, "auth.challenge", NULL, false), *f;
    char st[512], sig_hex[129];
    uint8_t sig[64];
    const char *ch;

    if (!r)
        return -1;
    ch = jstr(r, "challenge");
    snprintf(st, sizeof(st), "b40-login-v1\nnetwork: " NETWORK "\norigin: %s\nchallenge: %s\npublic-key: %s\n",
             b->cl.origin, ch ? ch : "", pk_hex);
    json_object_put(r);
    crypto_sign_detached(sig, NULL, (const uint8_t *)st, strlen(st), sk);
    hex(sig, 64, sig_hex);
    f = json_object_new_object();
    json_object_object_add(f, "public_key", json_object_new_string(pk_hex));
    json_object_object_add(f, "signature", json_object_new_string(sig_hex));
    r = client_call(&b->cl, p, "auth.login", f, false);
    if (!r)
        return -1;
    json_object_put(r);
    return 0;
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
    server_pid = 0;
    if (proc_server_stop(&b->srv, 15000))
        return oops("the server did not stop cleanly before the summit was written");
    if (seed_summit(b->db, year, starts, ends, b->n, &b->summit_id) || start_server(b) ||
        client_connect(&b->cl, &b->sec, NULL) || sign_in_sync(b, &b->sec, b->sec_hex, b->sec_sk))
        return -1;
    return 0;
}

static int on_enrollment_created(struct job *j, struct json_object *reply)
{
    (void)j;
    return reply_is_ok(reply) ? 0 : reply_failed("enrollment.create", reply);
}

/* enrollment.create for every mayor, signed by the secretary (docs/identity.md). */
static int make_enrollments(struct bench *b)
{
    struct job *jobs = calloc(b->n, sizeof(*jobs));
    char expires[32];
    int rc;

    if (!jobs)
        return oops("out of memory");
    rfc3339(24 * 3600 * 1000LL, expires);
    for (size_t i = 0; i < b->n; i++) {
        struct city *c = &b->cities[i];
        uint8_t raw[16], digest[32], sig[64];
        char sha_hex[65], sig_hex[129], name[64], st[1024];
        struct json_object *f = json_object_new_object();

        randombytes_buf(raw, sizeof(raw));
        sodium_bin2base64(c->enroll_code, sizeof(c->enroll_code), raw, sizeof(raw),
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING);
        crypto_hash_sha256(digest, (const uint8_t *)c->enroll_code, strlen(c->enroll_code));
        hex(digest, 32, sha_hex);
        randombytes_buf(raw, sizeof(raw));
        hex(raw, 16, c->enrollment);
        seed_mayor_name(i, name);
        snprintf(st, sizeof(st),
                 "b40-enrollment-v1\nnetwork: " NETWORK "\nenrollment: %s\nperson: %lld\nname: %s\naffiliation: %s\n"
                 "roles: mayor\ncode-sha256: %s\nexpires: %s\nsigner: %s\n",
                 c->enrollment, (long long)c->person_id, name, c->code, sha_hex, expires, b->sec_hex);
        crypto_sign_detached(sig, NULL, (const uint8_t *)st, strlen(st), b->sec_sk);
        hex(sig, 64, sig_hex);
        json_object_object_add(f, "enrollment", json_object_new_string(c->enrollment));
        json_object_object_add(f, "person", json_object_new_int64(c->person_id));
        json_object_object_add(f, "code_sha256", json_object_new_string(sha_hex));
        json_object_object_add(f, "expires", json_object_new_string(expires));
        json_object_object_add(f, "statement", json_object_new_string(st));
        json_object_object_add(f, "signature", json_object_new_string(sig_hex));
        jobs[i] = (struct job){.p = &b->sec, .text = client_request(&b->cl, "enrollment.create", f), .on_reply = on_enrollment_created};
    }
    rc = client_run_jobs(&b->cl, jobs, b->n, SETUP_WINDOW, STALL_TIMEOUT_MS);
    client_free_jobs(jobs, b->n);
    return rc;
}

static int on_enroll_begin(struct job *j, struct json_object *reply)
{
    struct city *c = j->arg;
    const char *enr = jstr(reply, "enrollment"), *ch = jstr(reply, "challenge"), *origin = jstr(reply, "origin");

    if (!reply_is_ok(reply))
        return reply_failed("enroll.begin", reply);
    if (!enr || !ch || !origin || strcmp(enr, c->enrollment) || strlen(ch) != 64 || strlen(origin) >= sizeof(c->origin))
        return oops("enroll.begin for %s: enrollment, challenge or origin missing or unexpected", c->code);
    memcpy(c->challenge, ch, 65);
    snprintf(c->origin, sizeof(c->origin), "%s", origin);
    return 0;
}

static int on_signed_in(struct job *j, struct json_object *reply)
{
    struct city *c = j->arg;
    const char *aff = jstr(jget(reply, "person", NULL), "affiliation");

    if (!reply_is_ok(reply))
        return reply_failed("enroll.complete / auth.login", reply);
    if (!aff || strcmp(aff, c->code))
        return oops("%s's key signed in as someone else", c->code);
    return 0;
}

static int on_challenge(struct job *j, struct json_object *reply)
{
    struct city *c = j->arg;
    const char *ch = jstr(reply, "challenge");

    if (!reply_is_ok(reply) || !ch || strlen(ch) != 64)
        return reply_failed("auth.challenge", reply);
    memcpy(c->challenge, ch, 65);
    return 0;
}

enum city_step { STEP_BEGIN, STEP_COMPLETE, STEP_CHALLENGE, STEP_LOGIN };

/* One request of `step` for every city, each on its own connection. */
static int city_wave(struct bench *b, enum city_step step)
{
    struct job *jobs = calloc(b->n, sizeof(*jobs));
    int rc;

    if (!jobs)
        return oops("out of memory");
    for (size_t i = 0; i < b->n; i++) {
        struct city *c = &b->cities[i];
        struct json_object *f = json_object_new_object();
        char st[1024], sig_hex[129];
        uint8_t sig[64];
        const char *type = "";
        job_fn fn = on_signed_in;

        switch (step) {
        case STEP_BEGIN:
            type = "enroll.begin";
            fn = on_enroll_begin;
            json_object_object_add(f, "code", json_object_new_string(c->enroll_code));
            break;
        case STEP_COMPLETE:
            type = "enroll.complete";
            snprintf(st, sizeof(st),
                     "b40-key-binding-v1\nnetwork: " NETWORK "\nenrollment: %s\ncode: %s\npublic-key: %s\norigin: %s\n"
                     "challenge: %s\n",
                     c->enrollment, c->enroll_code, c->pk_hex, c->origin, c->challenge);
            crypto_sign_detached(sig, NULL, (const uint8_t *)st, strlen(st), c->sk);
            hex(sig, 64, sig_hex);
            json_object_object_add(f, "code", json_object_new_string(c->enroll_code));
            json_object_object_add(f, "public_key", json_object_new_string(c->pk_hex));
            json_object_object_add(f, "device", json_object_new_string("b40-bench"));
            json_object_object_add(f, "statement", json_object_new_string(st));
            json_object_object_add(f, "signature", json_object_new_string(sig_hex));
            break;
        case STEP_CHALLENGE:
            type = "auth.challenge";
            fn = on_challenge;
            break;
        case STEP_LOGIN:
            type = "auth.login";
            snprintf(st, sizeof(st), "b40-login-v1\nnetwork: " NETWORK "\norigin: %s\nchallenge: %s\npublic-key: %s\n",
                     b->cl.origin, c->challenge, c->pk_hex);
            crypto_sign_detached(sig, NULL, (const uint8_t *)st, strlen(st), c->sk);
            hex(sig, 64, sig_hex);
            json_object_object_add(f, "public_key", json_object_new_string(c->pk_hex));
            json_object_object_add(f, "signature", json_object_new_string(sig_hex));
            break;
        }
        jobs[i] = (struct job){.p = &c->peer, .text = client_request(&b->cl, type, f), .on_reply = fn, .arg = c};
    }
    rc = client_run_jobs(&b->cl, jobs, b->n, 4 * SETUP_WINDOW, STALL_TIMEOUT_MS);
    client_free_jobs(jobs, b->n);
    return rc;
}

/* Mayors: keys, connections (each from its own address), enrollment, sign-in. */
static int enroll_mayors(struct bench *b)
{
    for (size_t i = 0; i < b->n; i++) {
        struct city *c = &b->cities[i];
        crypto_sign_keypair(c->pk, c->sk);
        hex(c->pk, 32, c->pk_hex);
    }
    if (make_enrollments(b))
        return -1;
    note(b, "%zu enrollments created; connecting %zu mayors", b->n, b->n);
    for (size_t i = 0; i < b->n; i++) {
        if (b->opt.mode == MODE_ROOM && i == b->n - 1)
            b->cl.rcvbuf_next = 4096; /* the room's slow participant: see run_room */
        if (client_connect(&b->cl, &b->cities[i].peer, &b->cities[i]))
            return -1;
        if (i % 64 == 63 && client_loop_once(&b->cl, 0)) /* keep reading: the server's welcomes */
            return -1;
    }
    note(b, "connected; enrolling");
    if (city_wave(b, STEP_BEGIN) || city_wave(b, STEP_COMPLETE))
        return -1;
    note(b, "%zu keys enrolled; signing in", b->n);
    if (city_wave(b, STEP_CHALLENGE) || city_wave(b, STEP_LOGIN))
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

/* Waits until hot_done reaches `until`; fails after STALL_TIMEOUT_MS without a receipt. */
static int wait_hot(struct bench *b, size_t until)
{
    size_t last = b->hot_done;
    int64_t progress = wsc_now_ns();

    while (b->hot_done < until) {
        if (client_loop_once(&b->cl, 100))
            return -1;
        if (b->hot_done != last) {
            last = b->hot_done;
            progress = wsc_now_ns();
        } else if (wsc_now_ns() - progress > (int64_t)STALL_TIMEOUT_MS * 1000000) {
            return oops("no receipt for %d s (%zu of %zu)", STALL_TIMEOUT_MS / 1000, b->hot_done, until);
        }
    }
    return 0;
}

/* CPU seconds (user + system, all threads) of process pid so far; -1 when unknown. */
static double cpu_seconds(pid_t pid)
{
    char path[64], buf[1024], *p;
    unsigned long long ut = 0, st = 0;
    FILE *f;
    size_t n;

    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    f = fopen(path, "r");
    if (!f)
        return -1;
    n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    p = strrchr(buf, ')'); /* after the command name: state is field 3, utime 14, stime 15 */
    if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2)
        return -1;
    return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

/*
 * Seconds the threads of process pid have waited on a run queue so far
 * (the second field of /proc/PID/task/TID/schedstat): time they were ready
 * to run but another process had the CPU. -1 when unknown.
 */
static double runq_wait_seconds(pid_t pid)
{
    char path[64];
    unsigned long long total = 0;
    struct dirent *d;
    DIR *dir;

    snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
    dir = opendir(path);
    if (!dir)
        return -1;
    while ((d = readdir(dir)) != NULL) {
        char stat_path[384];
        unsigned long long run = 0, wait = 0;
        FILE *f;
        if (d->d_name[0] == '.')
            continue;
        snprintf(stat_path, sizeof(stat_path), "%s/%s/schedstat", path, d->d_name);
        f = fopen(stat_path, "r");
        if (f && fscanf(f, "%llu %llu", &run, &wait) == 2)
            total += wait;
        if (f)
            fclose(f);
    }
    closedir(dir);
    return (double)total / 1e9;
}

static double self_cpu_seconds(void)
{
    struct rusage ru;

    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
           (double)ru.ru_stime.tv_usec / 1e6;
}

struct results {
    size_t rounds, ballots, summit_cities;
    double voting_s, ballots_per_s, server_cpu, bench_cpu, server_cpu_us_per_ballot, server_runq, bench_runq;
    double p50_ms, p99_ms, max_ms;
    double verify_per_s, verify_wall_per_s;
};

/* Every city votes at once, round after round, until opt.seconds of voting time. */
static int saturate(struct bench *b, struct results *res)
{
    int64_t voting_ns = 0;
    double server_cpu = 0, bench_cpu = 0, server_runq = 0, bench_runq = 0;

    while (voting_ns < (int64_t)(b->opt.seconds * 1e9) || res->rounds == 0) {
        int64_t t0, t_end = 0;
        double s0, c0, q0, r0;
        if (res->rounds > 0 && next_round(b))
            return -1;
        if (build_ballots(b, b->n))
            return -1;
        hot_begin(b);
        s0 = cpu_seconds(b->srv.pid);
        c0 = self_cpu_seconds();
        q0 = runq_wait_seconds(b->srv.pid);
        r0 = runq_wait_seconds(getpid());
        t0 = wsc_now_ns();
        for (size_t i = 0; i < b->n; i++)
            if (send_ballot(&b->cities[i]))
                return -1;
        if (wait_hot(b, b->n))
            return -1;
        for (size_t i = 0; i < b->n; i++)
            if (b->cities[i].t_recv > t_end)
                t_end = b->cities[i].t_recv;
        server_cpu += cpu_seconds(b->srv.pid) - s0;
        bench_cpu += self_cpu_seconds() - c0;
        server_runq += runq_wait_seconds(b->srv.pid) - q0;
        bench_runq += runq_wait_seconds(getpid()) - r0;
        hot_end(b);
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
    return 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

/* The nearest-rank percentile q (0 < q <= 1) of sorted v[n]. */
static double percentile(const double *v, size_t n, double q)
{
    size_t k = (size_t)ceil(q * (double)n);

    return v[k ? k - 1 : 0];
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
    if (wait_hot(b, m))
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

/* ---- the room benchmark ---- */

struct room_results {
    size_t participants, messages, samples, slow_messages, slow_samples;
    double join_s, p50_ms, p99_ms, max_ms, slow_p50_ms, slow_p99_ms;
    double rss_kib_per_conn;
    bool isolated, slow_dropped;
};

/* VmRSS of process pid in KiB; -1 when unknown. */
static long rss_kib(pid_t pid)
{
    char path[64], line[256];
    long kib = -1;
    FILE *f;

    snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
    if (!(f = fopen(path, "r")))
        return -1;
    while (fgets(line, sizeof(line), f))
        if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
            break;
    fclose(f);
    return kib;
}

static int on_room_joined(struct job *j, struct json_object *reply)
{
    struct city *c = j->arg;

    return reply_is_ok(reply) ? 0 : (oops("%s could not join the room", c->code), reply_failed("room.join", reply));
}

/* Every event on every connection while a message is timed: its arrival at each participant. */
static bool room_event_seen(void *ctx, struct peer *p, const char *msg, int64_t t_ns)
{
    struct bench *b = ctx;
    struct city *c = p->user;
    size_t i;

    if (!b->fan.active || !c || !strstr(msg, "\"kind\":\"chat.message\"") || !strstr(msg, b->fan.token))
        return false;
    i = (size_t)(c - b->cities);
    if (i == b->fan.sender || b->fan.got[i])
        return false;
    b->fan.got[i] = true;
    b->fan.received++;
    if (b->fan.nsamples == b->fan.cap) {
        size_t cap = b->fan.cap ? 2 * b->fan.cap : 4096;
        double *v = realloc(b->fan.samples, cap * sizeof(*v));
        if (!v)
            return false; /* counted, not timed: the run fails on the sample count below */
        b->fan.samples = v;
        b->fan.cap = cap;
    }
    b->fan.samples[b->fan.nsamples++] = (double)(t_ns - b->fan.t_send) / 1e6;
    return false;
}

/* The reply to the timed message, on its sender's connection. */
static bool room_reply_seen(void *ctx, struct peer *p, const char *msg, int64_t t_ns)
{
    struct bench *b = ctx;
    struct city *c = p->user;
    char prefix[64];

    (void)t_ns;
    if (!b->fan.active || !c || (size_t)(c - b->cities) != b->fan.sender || b->fan.replied)
        return false;
    snprintf(prefix, sizeof(prefix), "{\"id\":\"%s\",", b->fan.reply_id);
    if (strncmp(msg, prefix, strlen(prefix)))
        return false;
    b->fan.replied = true;
    if (!strstr(msg, "\"ok\":true") && ++b->errors <= 5)
        oops("%s's chat message was refused: %.300s", c->code, msg);
    return true;
}

/*
 * A participant that may send now: the server takes 10 messages per 10 s
 * from one person, so a sender that has sent 9 in the last 10.5 s is
 * passed over (and when every one has, the bench waits).
 */
static size_t pick_sender(struct bench *b, size_t k, size_t skip)
{
    for (;;) {
        int64_t now = wsc_now_ns();
        for (size_t t = 0; t < b->n; t++) {
            size_t i = (k * 7919 + t) % b->n;
            struct city *c = &b->cities[i];
            size_t recent = 0;
            if (i == skip)
                continue;
            for (size_t q = 0; q < 10; q++)
                recent += c->chat_sent[q] && now - c->chat_sent[q] < 10500000000LL;
            if (recent < 9)
                return i;
        }
        if (client_loop_once(&b->cl, 100))
            return SIZE_MAX;
    }
}

/*
 * Times m chat messages, one after the other: each from a participant of
 * its own, from the write that carries it to its arrival at every other
 * participant (but `skip`). Samples in b->fan.samples. 0 or -1.
 */
static int time_messages(struct bench *b, size_t m, size_t skip, size_t first)
{
    size_t expected = b->n - 1 - (skip != SIZE_MAX);
    /* while one participant does not read, the longest messages: its queue fills sooner */
    size_t pad = skip != SIZE_MAX ? 900 : 0;

    b->cl.hot = room_reply_seen;
    b->cl.on_event = room_event_seen;
    b->cl.hot_ctx = b;
    for (size_t k = 0; k < m; k++) {
        char text[1024], req[1400];
        size_t s = pick_sender(b, first + k, skip);
        struct city *c;
        int64_t progress;
        int n;
        if (s == SIZE_MAX)
            return -1;
        c = &b->cities[s];
        memset(b->fan.got, 0, b->n * sizeof(*b->fan.got));
        b->fan.received = 0;
        b->fan.replied = false;
        b->fan.sender = s;
        b->fan.skip = skip;
        snprintf(b->fan.token, sizeof(b->fan.token), "fan-out %zu/%08x", first + k, randombytes_random());
        snprintf(b->fan.reply_id, sizeof(b->fan.reply_id), "chat%zu", first + k);
        n = snprintf(text, sizeof(text), "b40-bench %s: a chat message of the usual length, sent to the whole room",
                     b->fan.token);
        for (size_t q = 0; q < pad && (size_t)n + 1 < sizeof(text) - 1 && n < 1000; q++)
            text[n++] = q % 10 ? 'x' : ' ';
        text[n] = '\0';
        n = snprintf(req, sizeof(req), "{\"id\":\"%s\",\"type\":\"room.chat.send\",\"session\":%lld,\"text\":\"%s\"}",
                     b->fan.reply_id, (long long)b->session_id, text);
        if (n < 0 || (size_t)n >= sizeof(req))
            return oops("a chat request too long");
        b->fan.active = true;
        c->chat_sent[c->chat_pos++ % 10] = wsc_now_ns();
        b->fan.t_send = wsc_now_ns();
        if (wsc_send_text(&c->peer.ws, req, (size_t)n))
            return oops("sending %s's message: %s", c->code, c->peer.ws.err);
        progress = wsc_now_ns();
        while (b->fan.received < expected || !b->fan.replied) {
            size_t before = b->fan.received;
            if (client_loop_once(&b->cl, 100))
                return -1;
            if (b->fan.received != before)
                progress = wsc_now_ns();
            else if (wsc_now_ns() - progress > (int64_t)STALL_TIMEOUT_MS * 1000000)
                return oops("message %zu: %zu of %zu participants received it in %d s", first + k, b->fan.received,
                            expected, STALL_TIMEOUT_MS / 1000);
        }
        b->fan.active = false;
    }
    b->cl.hot = NULL;
    b->cl.on_event = NULL;
    b->cl.hot_ctx = NULL;
    return 0;
}

/* Reads until nothing has arrived for quiet_ms (the join wave's presence events). */
static int drain(struct bench *b, int quiet_ms)
{
    uint64_t seen = b->cl.events;
    int64_t last = wsc_now_ns();

    while (wsc_now_ns() - last < (int64_t)quiet_ms * 1000000) {
        if (client_loop_once(&b->cl, 50))
            return -1;
        if (b->cl.events != seen) {
            seen = b->cl.events;
            last = wsc_now_ns();
        }
    }
    return 0;
}

static void fan_stats(struct bench *b, double *p50, double *p99, double *max)
{
    qsort(b->fan.samples, b->fan.nsamples, sizeof(double), cmp_double);
    *p50 = percentile(b->fan.samples, b->fan.nsamples, 0.50);
    *p99 = percentile(b->fan.samples, b->fan.nsamples, 0.99);
    *max = b->fan.samples[b->fan.nsamples - 1];
}

static int run_room(struct bench *b, struct room_results *res)
{
    char code[32];
    int64_t *ids = NULL, t0;
    long rss0, rss1;
    struct job *jobs = NULL;
    struct city *slow;
    double max;
    int rc = -1;

    if (prepare(b, code))
        return -1;
    b->cities = calloc(b->n, sizeof(*b->cities));
    ids = calloc(b->n, sizeof(*ids));
    b->fan.got = calloc(b->n, sizeof(*b->fan.got));
    if (!b->cities || !ids || !b->fan.got)
        goto out;
    if (seed_cities(b->db, b->n, ids) || seed_room(b->db, b->n, &b->session_id))
        goto out;
    for (size_t i = 0; i < b->n; i++) {
        seed_city_code(i, b->cities[i].code);
        b->cities[i].person_id = ids[i];
        b->cities[i].peer.ws.fd = -1;
    }
    note(b, "%zu member cities, their mayors, the group's members and session %lld written into the database", b->n,
         (long long)b->session_id);
    if (start_server(b))
        goto out;
    crypto_sign_keypair(b->sec_pk, b->sec_sk);
    hex(b->sec_pk, 32, b->sec_hex);
    if (client_connect(&b->cl, &b->sec, NULL) || enroll_secretary(b, code))
        goto out;
    {
        struct json_object *f = json_object_new_object(), *r;
        json_object_object_add(f, "session", json_object_new_int64(b->session_id));
        if (!(r = client_call(&b->cl, &b->sec, "session.start", f, false)))
            goto out;
        json_object_put(r);
    }
    rss0 = rss_kib(b->srv.pid);
    if (enroll_mayors(b))
        goto out;
    note(b, "%zu mayors signed in, each on its own connection; joining the room", b->n);
    if (!(jobs = calloc(b->n, sizeof(*jobs))))
        goto out;
    for (size_t i = 0; i < b->n; i++) {
        struct json_object *f = json_object_new_object();
        json_object_object_add(f, "session", json_object_new_int64(b->session_id));
        jobs[i] = (struct job){.p = &b->cities[i].peer, .text = client_request(&b->cl, "room.join", f),
                               .on_reply = on_room_joined, .arg = &b->cities[i]};
    }
    t0 = wsc_now_ns();
    /* few joins in flight: each one's presence event goes to everyone already in */
    if (client_run_jobs(&b->cl, jobs, b->n, 16, STALL_TIMEOUT_MS) || drain(b, 500))
        goto out;
    res->join_s = (double)(wsc_now_ns() - t0) / 1e9;
    rss1 = rss_kib(b->srv.pid);
    res->rss_kib_per_conn = rss0 > 0 && rss1 > 0 ? (double)(rss1 - rss0) / (double)b->n : -1;
    note(b, "%zu participants in the room after %.1f s; server RSS %ld -> %ld KiB", b->n, res->join_s, rss0, rss1);

    if (time_messages(b, b->opt.messages, SIZE_MAX, 0))
        goto out;
    res->messages = b->opt.messages;
    res->samples = b->fan.nsamples;
    if (res->samples != res->messages * (b->n - 1)) {
        oops("%zu fan-out samples, %zu expected", res->samples, res->messages * (b->n - 1));
        goto out;
    }
    fan_stats(b, &res->p50_ms, &res->p99_ms, &res->max_ms);
    note(b, "fan-out of %zu messages to %zu participants: p50 %.3f ms, p99 %.3f ms, max %.3f ms", res->messages,
         b->n - 1, res->p50_ms, res->p99_ms, res->max_ms);

    /* one participant stops reading: the last one, which sends nothing */
    slow = &b->cities[b->n - 1];
    /* (its socket was made with a small receive buffer: what it does not read piles up in the server) */
    if (epoll_ctl(b->cl.epfd, EPOLL_CTL_DEL, slow->peer.ws.fd, NULL)) {
        oops("epoll_ctl: %s", strerror(errno));
        goto out;
    }
    b->fan.nsamples = 0;
    res->slow_messages = b->opt.slow_messages;
    if (res->slow_messages) {
        if (time_messages(b, res->slow_messages, b->n - 1, res->messages))
            goto out;
        res->slow_samples = b->fan.nsamples;
        fan_stats(b, &res->slow_p50_ms, &res->slow_p99_ms, &max);
    }
    /* did the server drop it (its queue full), or does it still hold what was sent? */
    {
        int64_t quiet = wsc_now_ns();
        while (!res->slow_dropped && wsc_now_ns() - quiet < 500000000LL) {
            struct pollfd pf = {.fd = slow->peer.ws.fd, .events = POLLIN};
            int n = poll(&pf, 1, 100);
            if (n > 0) {
                quiet = wsc_now_ns();
                if (wsc_on_event(&slow->peer.ws, EPOLLIN))
                    res->slow_dropped = true;
            }
        }
    }
    /*
     * Isolated: every other participant got every message, and not
     * markedly later than before (bounds loose enough for a shared
     * machine's noise, far below what waiting for the slow one would cost).
     */
    res->isolated = res->slow_samples == res->slow_messages * (b->n - 2) &&
                    (!res->slow_messages || (res->slow_p50_ms <= 2 * res->p50_ms + 5 &&
                                             res->slow_p99_ms <= fmax(3 * res->p99_ms, res->p99_ms + 50)));
    note(b, "while %s did not read: %zu messages, p50 %.3f ms, p99 %.3f ms; it was %s", slow->code, res->slow_messages,
         res->slow_p50_ms, res->slow_p99_ms, res->slow_dropped ? "dropped" : "kept");
    res->participants = b->n;
    rc = 0;
out:
    client_free_jobs(jobs, jobs ? b->n : 0);
    free(ids);
    return rc;
}

/* ---- main ---- */

static int usage(void)
{
    fprintf(stderr,
            "usage: b40-bench ballots [--cities N] [--seconds S] [--summit-cities M]\n"
            "                         [--server PATH] [--source DIR] [--dir BASE] [--keep]\n"
            "  --cities N         synthetic member cities, each with an enrolled mayor (default 2000)\n"
            "  --seconds S        least voting time of the saturation phase (default 5)\n"
            "  --summit-cities M  cities voting in the summit phase (default 200; at most N)\n"
            "  --server PATH      the b40 executable (default: ../b40 beside this program)\n"
            "  --source DIR       the source tree, for certs/make-dev-cert and web/ (default: the one built from)\n"
            "  --dir BASE         where to make the throwaway directory (default $TMPDIR or /tmp)\n"
            "  --keep             keep the throwaway directory (it is always kept after a failure)\n"
            "       b40-bench room [--participants N] [--messages M] [--slow-messages K]\n"
            "                      [--server PATH] [--source DIR] [--dir BASE] [--keep]\n"
            "  --participants N   people in one room, each on its own connection (default 2000)\n"
            "  --messages M       chat messages timed to every participant (default 30)\n"
            "  --slow-messages K  messages sent while one participant does not read (default 100)\n"
            "Prints key=value lines on stdout; see docs/performance.md.\n");
    return 2;
}

static int parse_options(int argc, char **argv, struct options *o)
{
    const char *tmp = getenv("TMPDIR");
    char self[PATH_MAX];
    ssize_t n;

    memset(o, 0, sizeof(*o));
    o->cities = 2000;
    o->summit_cities = 200;
    o->seconds = 5;
    o->messages = 30;
    o->slow_messages = 100;
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
    if (argc < 2 || (strcmp(argv[1], "ballots") && strcmp(argv[1], "room")))
        return -1;
    o->mode = strcmp(argv[1], "room") ? MODE_BALLOTS : MODE_ROOM;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        char *end = NULL;
        if (!strcmp(a, "--keep")) {
            o->keep = true;
            continue;
        }
        if (!v)
            return -1;
        i++;
        errno = 0;
        if (!strcmp(a, o->mode == MODE_ROOM ? "--participants" : "--cities"))
            o->cities = strtoul(v, &end, 10);
        else if (o->mode == MODE_ROOM && !strcmp(a, "--messages"))
            o->messages = strtoul(v, &end, 10);
        else if (o->mode == MODE_ROOM && !strcmp(a, "--slow-messages"))
            o->slow_messages = strtoul(v, &end, 10);
        else if (!strcmp(a, "--summit-cities"))
            o->summit_cities = strtoul(v, &end, 10);
        else if (!strcmp(a, "--seconds"))
            o->seconds = strtod(v, &end);
        else if (!strcmp(a, "--server"))
            snprintf(o->server, sizeof(o->server), "%s", v);
        else if (!strcmp(a, "--source"))
            snprintf(o->source, sizeof(o->source), "%s", v);
        else if (!strcmp(a, "--dir"))
            snprintf(o->base, sizeof(o->base), "%s", v);
        else
            return -1;
        if (end && (*end || errno))
            return -1;
    }
    if (strlen(o->base) > PATH_MAX - 256 || strlen(o->source) > PATH_MAX - 64)
        return -1;
    if (o->cities < 2 || o->cities > MAX_CITIES || o->summit_cities < 1 || !(o->seconds >= 0) || o->seconds > 3600)
        return -1;
    if (o->mode == MODE_ROOM && (o->cities < 3 || o->messages < 1 || o->messages > 100000 || o->slow_messages > 100000))
        return -1;
    return 0;
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
    return rl.rlim_cur >= need ? 0 : oops("%zu cities need %zu open files; the limit is %llu", need - 64, need,
                                          (unsigned long long)rl.rlim_cur);
}

static int run(struct bench *b, struct results *res)
{
    char code[32];
    int64_t *ids = NULL;
    int rc = -1;

    if (prepare(b, code))
        return -1;
    b->cities = calloc(b->n, sizeof(*b->cities));
    ids = calloc(b->n, sizeof(*ids));
    if (!b->cities || !ids)
        goto out;
    if (seed_cities(b->db, b->n, ids))
        goto out;
    for (size_t i = 0; i < b->n; i++) {
        seed_city_code(i, b->cities[i].code);
        b->cities[i].person_id = ids[i];
        b->cities[i].peer.ws.fd = -1;
    }
    note(b, "%zu member cities and their mayors written into the database", b->n);
    if (start_server(b))
        goto out;
    crypto_sign_keypair(b->sec_pk, b->sec_sk);
    hex(b->sec_pk, 32, b->sec_hex);
    if (client_connect(&b->cl, &b->sec, NULL) || enroll_secretary(b, code))
        goto out;
    note(b, "the secretary is enrolled and signed in");
    if (make_summit(b))
        goto out;
    if (enroll_mayors(b))
        goto out;
    note(b, "%zu mayors enrolled and signed in, each on its own connection", b->n);
    if (new_election(b))
        goto out;
    note(b, "election %lld open (round %d); saturation phase", (long long)b->election_id, b->round);
    if (saturate(b, res))
        goto out;
    note(b, "summit phase");
    if (summit(b, res))
        goto out;
    {
        struct json_object *r = advance(b, "closed");
        if (!r)
            goto out;
        json_object_put(r);
    }
    rc = 0;
out:
    free(ids);
    return rc;
}

/* The room benchmark from its start to its results (main's second half). */
static int main_room(struct bench *b)
{
    struct room_results res;
    int rc;

    memset(&res, 0, sizeof(res));
    rc = run_room(b, &res);
    for (size_t i = 0; b->cities && i < b->n; i++) {
        wsc_free(&b->cities[i].peer.ws);
        sodium_memzero(b->cities[i].sk, sizeof(b->cities[i].sk));
    }
    wsc_free(&b->sec.ws);
    sodium_memzero(b->sec_sk, sizeof(b->sec_sk));
    server_pid = 0;
    if (b->srv.pid && proc_server_stop(&b->srv, 15000))
        rc = -1;
    else if (rc == 0)
        note(b, "server stopped (exit 0)");
    if (rc == 0 && b->errors)
        rc = oops("%llu chat messages were refused", (unsigned long long)b->errors);
    if (rc == 0) {
        printf("participants=%zu\n", res.participants);
        printf("fanout_p50_ms=%.3f\n", res.p50_ms);
        printf("fanout_p99_ms=%.3f\n", res.p99_ms);
        printf("rss_kib_per_connection=%.1f\n", res.rss_kib_per_conn);
        printf("slow_client_isolated=%s\n", res.isolated ? "yes" : "no");
        printf("messages=%zu\n", res.messages);
        printf("fanout_samples=%zu\n", res.samples);
        printf("fanout_max_ms=%.3f\n", res.max_ms);
        printf("join_s=%.3f\n", res.join_s);
        printf("slow_messages=%zu\n", res.slow_messages);
        printf("slow_fanout_p50_ms=%.3f\n", res.slow_p50_ms);
        printf("slow_fanout_p99_ms=%.3f\n", res.slow_p99_ms);
        printf("slow_client_dropped=%s\n", res.slow_dropped ? "yes" : "no");
        fflush(stdout);
    }
    free(b->cities);
    free(b->fan.got);
    free(b->fan.samples);
    SSL_CTX_free(b->cl.ssl);
    close(b->cl.epfd);
    if (b->dir[0]) {
        if (rc != 0 || b->opt.keep)
            note(b, "kept %s", b->dir);
        else if (proc_rmtree(b->dir))
            oops("could not remove %s", b->dir);
    }
    return rc == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    struct bench b;
    struct results res;
    int rc;

    memset(&b, 0, sizeof(b));
    memset(&res, 0, sizeof(res));
    b.t_start = wsc_now_ns();
    b.cl.timer_fd = -1;
    b.sec.ws.fd = -1;
    if (parse_options(argc, argv, &b.opt))
        return usage();
    b.n = b.opt.cities;
    signal(SIGPIPE, SIG_IGN);
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    if (sodium_init() < 0 || raise_fd_limit(b.n + 64))
        return 1;
    b.cl.epfd = epoll_create1(EPOLL_CLOEXEC);
    if (b.cl.epfd < 0)
        return oops("epoll_create1: %s", strerror(errno)), 1;
    if (b.opt.mode == MODE_ROOM)
        return main_room(&b);
    rc = run(&b, &res);
    for (size_t i = 0; b.cities && i < b.n; i++) {
        wsc_free(&b.cities[i].peer.ws);
        free(b.cities[i].frame);
        sodium_memzero(b.cities[i].sk, sizeof(b.cities[i].sk));
    }
    wsc_free(&b.sec.ws);
    sodium_memzero(b.sec_sk, sizeof(b.sec_sk));
    server_pid = 0;
    if (b.srv.pid && proc_server_stop(&b.srv, 15000))
        rc = -1;
    else if (rc == 0)
        note(&b, "server stopped (exit 0)");
    if (rc == 0)
        rc = verify_rate(&b, &res);
    if (rc == 0) {
        printf("cities=%zu\n", b.n);
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
        printf("server_runq_wait_per_wall_s=%.3f\n", res.server_runq);
        printf("bench_runq_wait_per_wall_s=%.3f\n", res.bench_runq);
        printf("summit_cities=%zu\n", res.summit_cities);
        printf("receipt_p50_ms=%.3f\n", res.p50_ms);
        printf("receipt_p99_ms=%.3f\n", res.p99_ms);
        printf("receipt_max_ms=%.3f\n", res.max_ms);
        printf("errors=%llu\n", (unsigned long long)b.errors);
        fflush(stdout);
    }
    free(b.cities);
    SSL_CTX_free(b.cl.ssl);
    close(b.cl.epfd);
    if (rc == 0 && b.errors)
        rc = oops("%llu ballots got no receipt", (unsigned long long)b.errors);
    if (b.dir[0]) {
        if (rc != 0 || b.opt.keep)
            note(&b, "kept %s", b.dir);
        else if (proc_rmtree(b.dir))
            oops("could not remove %s", b.dir);
    }
    return rc == 0 ? 0 : 1;
}
