/*
 * cli_identity: `b40 person list|add` and `b40 enroll`, and the enrollment
 * links that `b40 init` prints. Enrollments made here are signed by the
 * server's key (the operator at the machine stands for the secretariat);
 * the code is printed once, in the link, and the database keeps only its
 * SHA-256 (docs/identity.md).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "b40/config.h"
#include "b40/identity.h"
#include "b40/serverkey.h"
#include "b40/store.h"
#include "b40/store_identity.h"
#include "b40/timeutil.h"
#include "cli.h"

const char cli_person_usage[] =
    "usage: b40 person list --db PATH\n"
    "       b40 person add --db PATH --name NAME --affiliation CITY_CODE|secretariat --roles ROLE[,ROLE]\n"
    "\n"
    "Lists or adds people. Roles: secretary, expert (secretariat); mayor, deputy,\n"
    "official (a city). Enroll a person's device with `b40 enroll`.\n";

const char cli_enroll_usage[] =
    "usage: b40 enroll --db PATH --person ID [--base-url URL] [--ttl-hours H]\n"
    "\n"
    "Makes a one-time enrollment link for a person, signed by the server key, and\n"
    "prints it. Give it to the person out of band; it works once, until it expires\n"
    "(default 72 hours, at most 336). --base-url is the server's public address\n"
    "(default https://localhost:8443).\n";

int cli_enroll_link(struct store *st, const struct serverkey *key, int64_t person_id, const char *base_url,
                    int64_t ttl_ms, char *link, size_t linklen)
{
    struct identity_enrollment e;
    struct store_person p;
    char statement[IDENTITY_STATEMENT_MAX], code[IDENTITY_CODE_LEN + 1], subject[48], details[128];
    uint8_t id[16], sig[64];
    int len, rc = -1;

    memset(&e, 0, sizeof(e));
    if (store_person_get(st, person_id, &p) != 0) {
        fprintf(stderr, "b40: no person with id %lld\n", (long long)person_id);
        return -1;
    }
    randombytes_buf(id, sizeof(id));
    identity_hex_encode(id, sizeof(id), e.id);
    identity_code_make(code, e.code_sha256);
    e.person_id = p.id;
    memcpy(e.name, p.name, sizeof(e.name));
    memcpy(e.affiliation, p.affiliation, sizeof(e.affiliation));
    e.roles = p.roles;
    e.expires_ms = timeutil_now_ms() + ttl_ms;
    memcpy(e.signer, serverkey_public(key), 32);
    len = identity_enrollment_statement(&e, statement);
    if (len < 0 || serverkey_sign(key, (const uint8_t *)statement, (size_t)len, sig) != 0)
        goto out;
    snprintf(subject, sizeof(subject), "person:%lld", (long long)p.id);
    snprintf(details, sizeof(details), "{\"enrollment\":\"%s\",\"signer\":\"server\"}", e.id);
    if (store_begin(st) != 0)
        goto out;
    if (store_enrollment_add(st, &e, 0, statement, (size_t)len, sig) != 0 ||
        store_history_add(st, 0, "enrollment.create", subject, details) != 0 || store_commit(st) != 0) {
        store_rollback(st);
        goto out;
    }
    if (snprintf(link, linklen, "%s/enroll#%s", base_url, code) >= (int)linklen)
        goto out;
    rc = 0;
out:
    sodium_memzero(code, sizeof(code));
    if (rc != 0)
        fprintf(stderr, "b40: cannot make an enrollment for person %lld: %s\n", (long long)person_id,
                store_errmsg(st));
    return rc;
}

/* Opens the database and, when key_out is given, the server key beside it. */
static int open_db(const char *db, struct store **st, struct serverkey **key_out)
{
    char err[512], keypath[CONFIG_PATH_MAX + 8];

    if (store_open(st, db, STORE_EXISTING, err, sizeof(err)) != STORE_OK) {
        fprintf(stderr, "b40: %s\n", err);
        return -1;
    }
    if (key_out && (serverkey_path(db, keypath, sizeof(keypath)) != 0 ||
                    serverkey_load(key_out, keypath, err, sizeof(err)) != 0)) {
        fprintf(stderr, "b40: %s\n", err);
        store_close(*st);
        *st = NULL;
        return -1;
    }
    return 0;
}

static int usage(const char *text, const char *msg)
{
    if (msg)
        fprintf(stderr, "b40: %s\n\n", msg);
    fputs(text, stderr);
    return 2;
}

static int print_person(void *ctx, const struct store_person *p)
{
    char roles[64];

    (void)ctx;
    if (identity_roles_format(p->roles, roles, sizeof(roles)) != 0)
        strcpy(roles, "?");
    printf("%-6lld %-40s %-16s %-20s %s\n", (long long)p->id, p->name, p->affiliation, roles,
           p->active ? "active" : "inactive");
    return 0;
}

int cli_person(int argc, char **argv)
{
    static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
                                         {"name", required_argument, NULL, 'n'},
                                         {"affiliation", required_argument, NULL, 'a'},
                                         {"roles", required_argument, NULL, 'r'},
                                         {"help", no_argument, NULL, 'h'},
                                         {0}};
    const char *db = getenv("B40_DB"), *name = NULL, *affiliation = NULL, *roles_text = NULL, *sub;
    struct store *st = NULL;
    int opt, rc = 1;

    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        if (argc >= 2) {
            fputs(cli_person_usage, stdout);
            return 0;
        }
        return usage(cli_person_usage, "person needs list or add");
    }
    sub = argv[1];
    optind = 0;
    opterr = 0;
    while ((opt = getopt_long(argc - 1, argv + 1, "h", opts, NULL)) != -1) {
        switch (opt) {
        case 'd': db = optarg; break;
        case 'n': name = optarg; break;
        case 'a': affiliation = optarg; break;
        case 'r': roles_text = optarg; break;
        case 'h': fputs(cli_person_usage, stdout); return 0;
        default: return usage(cli_person_usage, "unknown option or missing value");
        }
    }
    if (optind < argc - 1)
        return usage(cli_person_usage, "unexpected argument");
    if (!db || !*db)
        return usage(cli_person_usage, "--db PATH is required");
    if (!strcmp(sub, "list")) {
        if (open_db(db, &st, NULL) != 0)
            return 1;
        printf("%-6s %-40s %-16s %-20s %s\n", "id", "name", "affiliation", "roles", "state");
        rc = store_person_each(st, print_person, NULL) == 0 ? 0 : 1;
    } else if (!strcmp(sub, "add")) {
        bool secretariat;
        unsigned roles;
        int64_t city_id = 0, id = 0;
        char status[16], details[512];

        if (!name || !affiliation || !roles_text)
            return usage(cli_person_usage, "add needs --name, --affiliation and --roles");
        secretariat = !strcmp(affiliation, "secretariat");
        roles = identity_roles_parse(roles_text);
        if (!*name || strlen(name) > 100 || strpbrk(name, "\n\r\t"))
            return usage(cli_person_usage, "the name must be 1 to 100 bytes on one line");
        if (!identity_roles_fit(roles, secretariat))
            return usage(cli_person_usage, secretariat ? "secretariat roles are secretary and expert"
                                                       : "city roles are mayor, deputy and official");
        if (open_db(db, &st, NULL) != 0)
            return 1;
        if (!secretariat && store_city_lookup(st, affiliation, &city_id, status) != 0) {
            fprintf(stderr, "b40 person add: no city has the code '%s'\n", affiliation);
            goto out;
        }
        if (!secretariat && strcmp(status, "member") && strcmp(status, "suspended")) {
            fprintf(stderr, "b40 person add: %s is not a member city (status %s)\n", affiliation, status);
            goto out;
        }
        snprintf(details, sizeof(details), "{\"by\":\"command line\"}");
        if (store_begin(st) != 0 || store_person_add(st, name, city_id, roles, &id) != 0 ||
            store_history_add(st, 0, "person.create", "person", details) != 0 || store_commit(st) != 0) {
            store_rollback(st);
            fprintf(stderr, "b40 person add: failed: %s\n", store_errmsg(st));
            goto out;
        }
        printf("b40 person add: person %lld created\n", (long long)id);
        rc = 0;
    } else {
        return usage(cli_person_usage, "person needs list or add");
    }
out:
    store_close(st);
    return rc;
}

int cli_enroll(int argc, char **argv)
{
    static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
                                         {"person", required_argument, NULL, 'p'},
                                         {"base-url", required_argument, NULL, 'b'},
                                         {"ttl-hours", required_argument, NULL, 't'},
                                         {"help", no_argument, NULL, 'h'},
                                         {0}};
    const char *db = getenv("B40_DB"), *base = "https://localhost:8443";
    long long person = 0, ttl_h = 72;
    struct store *st = NULL;
    struct serverkey *key = NULL;
    char link[512], *end;
    int opt, rc = 1;

    optind = 0;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (opt) {
        case 'd': db = optarg; break;
        case 'p':
            person = strtoll(optarg, &end, 10);
            if (*end || person <= 0)
                return usage(cli_enroll_usage, "--person takes a person id (see b40 person list)");
            break;
        case 'b': base = optarg; break;
        case 't':
            ttl_h = strtoll(optarg, &end, 10);
            if (*end || ttl_h < 1 || ttl_h > 336)
                return usage(cli_enroll_usage, "--ttl-hours takes 1 to 336");
            break;
        case 'h': fputs(cli_enroll_usage, stdout); return 0;
        default: return usage(cli_enroll_usage, "unknown option or missing value");
        }
    }
    if (optind < argc)
        return usage(cli_enroll_usage, "unexpected argument");
    if (!db || !*db || !person)
        return usage(cli_enroll_usage, "--db PATH and --person ID are required");
    if (strncmp(base, "https://", 8) || strlen(base) > 200 || base[strlen(base) - 1] == '/')
        return usage(cli_enroll_usage, "--base-url must look like https://host[:port], without a trailing /");
    if (open_db(db, &st, &key) != 0)
        return 1;
    if (cli_enroll_link(st, key, person, base, ttl_h * 3600 * 1000, link, sizeof(link)) == 0) {
        printf("%s\n", link);
        rc = 0;
    }
    serverkey_free(key);
    store_close(st);
    return rc;
}
