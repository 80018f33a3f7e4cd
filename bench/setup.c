/*
 * setup: what every b40-bench subcommand starts with (see bench.h): the
 * throwaway directory and server, the secretary and the mayors, each
 * mayor signed in on a connection of its own; and the measuring helpers.
 * The bench's thread only.
 */
#include "bench.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>
#include <openssl/ssl.h>
#include <sodium.h>

#include "seed.h"
#include "wsc.h"

void note(struct bench *b, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "b40-bench [%7.2f s] ", (double)(wsc_now_ns() - b->t_start) / 1e9);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

/* ---- small helpers ---- */

void hex(const uint8_t *bin, size_t len, char *out)
{
    sodium_bin2hex(out, 2 * len + 1, bin, len);
}

void rfc3339(int64_t offset_ms, char out[32])
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

void date_from_today(int days, char out[16], int *year)
{
    time_t s = time(NULL) + (time_t)days * 86400;
    struct tm tm;

    gmtime_r(&s, &tm);
    strftime(out, 16, "%Y-%m-%d", &tm);
    if (year)
        *year = tm.tm_year + 1900;
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

void bench_signals(void)
{
    signal(SIGPIPE, SIG_IGN);
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
}

int bench_stop_server(struct bench *b)
{
    server_pid = 0;
    return b->srv.pid ? proc_server_stop(&b->srv, 15000) : 0;
}

int bench_start_server(struct bench *b)
{
    char log[2 * PATH_MAX], cert[2 * PATH_MAX], key[2 * PATH_MAX], web[2 * PATH_MAX], kib[16];
    char *argv[] = {b->opt.server, "serve", "--db", b->db, "--port", "0", "--listen", "127.0.0.1", "--cert", cert,
                    "--key", key, "--web-root", web, "--log-level", "warn", NULL, NULL, NULL};

    /* a log per start: the marker of an earlier server must not be taken for this one's */
    snprintf(log, sizeof(log), "%s/server-%d.log", b->dir, ++b->server_starts);
    snprintf(cert, sizeof(cert), "%s/certs/server.pem", b->dir);
    snprintf(key, sizeof(key), "%s/certs/server.key", b->dir);
    snprintf(web, sizeof(web), "%s/web", b->opt.source);
    if (b->opt.send_queue_kib) {
        size_t n = sizeof(argv) / sizeof(argv[0]);
        snprintf(kib, sizeof(kib), "%u", b->opt.send_queue_kib);
        argv[n - 3] = "--send-queue-kib";
        argv[n - 2] = kib;
    }
    if (proc_server_start(&b->srv, argv, log, 15000))
        return -1;
    server_pid = b->srv.pid;
    b->cl.port = b->srv.port;
    snprintf(b->cl.origin, sizeof(b->cl.origin), "https://127.0.0.1:%d", b->srv.port);
    note(b, "server pid %d listening on port %d", (int)b->srv.pid, b->srv.port);
    return 0;
}

/* ---- setup ---- */

int bench_prepare(struct bench *b, char code[32])
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
    /* one read(2) takes whatever the socket holds, not a record header and then its body: the bench's own
     * CPU is taken from the server's two cores (wsc_on_event drains what OpenSSL buffered) */
    SSL_CTX_set_read_ahead(b->cl.ssl, 1);
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

int bench_seed(struct bench *b)
{
    int64_t *ids = calloc(b->n, sizeof(*ids));
    int rc = -1;

    b->cities = calloc(b->n, sizeof(*b->cities));
    if (!b->cities || !ids) {
        oops("out of memory");
        goto out;
    }
    if (seed_cities(b->db, b->n, ids))
        goto out;
    for (size_t i = 0; i < b->n; i++) {
        seed_city_code(i, b->cities[i].code);
        b->cities[i].person_id = ids[i];
        b->cities[i].peer.ws.fd = -1;
    }
    note(b, "%zu member cities and their mayors written into the database", b->n);
    rc = 0;
out:
    free(ids);
    return rc;
}

int bench_secretary(struct bench *b, const char *code)
{
    crypto_sign_keypair(b->sec_pk, b->sec_sk);
    hex(b->sec_pk, 32, b->sec_hex);
    if (client_connect(&b->cl, &b->sec, NULL, NULL) || enroll_secretary(b, code))
        return -1;
    note(b, "the secretary is enrolled and signed in");
    return 0;
}

int bench_sign_in(struct bench *b, struct peer *p, const char *pk_hex, const uint8_t sk[64])
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

int bench_enroll_mayors(struct bench *b, size_t special, const struct wsc_sockopts *special_opts)
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
        if (client_connect(&b->cl, &b->cities[i].peer, &b->cities[i], i == special ? special_opts : NULL))
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



double cpu_seconds(pid_t pid)
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

static int cmp_tid(const void *a, const void *b)
{
    long x = *(const long *)a, y = *(const long *)b;
    return (x > y) - (x < y);
}

int thread_run_seconds(pid_t pid, double *out, int max)
{
    char path[64], stat_path[384];
    long tids[64];
    int n = 0;
    struct dirent *d;
    DIR *dir;

    snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
    if (!(dir = opendir(path)))
        return -1;
    while ((d = readdir(dir)) != NULL && n < 64)
        if (d->d_name[0] != '.')
            tids[n++] = atol(d->d_name);
    closedir(dir);
    qsort(tids, (size_t)n, sizeof(tids[0]), cmp_tid);
    if (n > max)
        n = max;
    for (int i = 0; i < n; i++) {
        unsigned long long run = 0;
        FILE *f;
        snprintf(stat_path, sizeof(stat_path), "%s/%ld/schedstat", path, tids[i]);
        f = fopen(stat_path, "r");
        if (!f || fscanf(f, "%llu", &run) != 1)
            run = 0;
        if (f)
            fclose(f);
        out[i] = (double)run / 1e9;
    }
    return n;
}

double runq_wait_seconds(pid_t pid)
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

double self_cpu_seconds(void)
{
    struct rusage ru;

    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
           (double)ru.ru_stime.tv_usec / 1e6;
}


int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

double percentile(const double *v, size_t n, double q)
{
    size_t k = (size_t)ceil(q * (double)n);

    return v[k ? k - 1 : 0];
}

long rss_kib(pid_t pid)
{
    char path[64], line[256];
    long kib = -1;
    FILE *f;

    snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
    f = fopen(path, "r");
    if (!f)
        return -1;
    while (fgets(line, sizeof(line), f))
        if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
            break;
    fclose(f);
    return kib;
}

int bench_teardown(struct bench *b, int rc)
{
    for (size_t i = 0; b->cities && i < b->n; i++) {
        wsc_free(&b->cities[i].peer.ws);
        free(b->cities[i].frame);
        b->cities[i].frame = NULL;
        sodium_memzero(b->cities[i].sk, sizeof(b->cities[i].sk));
    }
    wsc_free(&b->sec.ws);
    sodium_memzero(b->sec_sk, sizeof(b->sec_sk));
    if (b->srv.pid && bench_stop_server(b))
        return -1;
    if (rc == 0)
        note(b, "server stopped (exit 0)");
    return rc;
}
