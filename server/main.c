/*
 * main: the `b40` command line. `b40 COMMAND [options]`, each command with
 * its own --help. Usage errors print the usage on stderr and exit 2; a
 * command that fails says why on stderr and exits 1.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "b40/config.h"
#include "b40/demo.h"
#include "b40/identity.h"
#include "b40/server.h"
#include "b40/serverkey.h"
#include "b40/store.h"
#include "b40/store_identity.h"
#include "b40/timeutil.h"
#include "cli.h"

static const char main_usage[] =
    "usage: b40 COMMAND [options]\n"
    "\n"
    "The B40 Balkan Cities Network's meeting and voting server.\n"
    "\n"
    "commands:\n"
    "  init      create a database and the server's signing key\n"
    "  serve     run the server (HTTPS and WebSocket on one TLS port)\n"
    "  city      list the member cities, or show one (city list|show)\n"
    "  person    list or add people (person list|add)\n"
    "  enroll    make a one-time enrollment link for a person\n"
    "  help      show this help, or a command's: b40 help COMMAND\n"
    "  version   print the version\n"
    "\n"
    "Run `b40 COMMAND --help` for a command's options.\n";

static const char init_usage[] =
    "usage: b40 init --db PATH [--demo] [--base-url URL]\n"
    "\n"
    "Creates the database PATH at the newest schema and the server's Ed25519\n"
    "signing key in PATH.key (mode 0600; keep it secret and back it up with the\n"
    "database: receipts and results are signed with it). PATH must not exist.\n"
    "It creates the first secretariat member, the network secretary, and prints\n"
    "a one-time link that enrolls their browser's key.\n"
    "\n"
    "options:\n"
    "  --db PATH        the database to create (or B40_DB)\n"
    "  --demo           also load the demo network (real cities and summits, no\n"
    "                   real people) and print links for demo people of every role\n"
    "  --base-url URL   the server's address in the links (https://localhost:8443)\n"
    "  -h, --help       show this help\n";

/* The demo people: every role once, so a newcomer can try each. */
static const struct {
    const char *name, *affiliation, *roles;
} demo_people[] = {
    {"Secretariat expert", "secretariat", "expert"},
    {"Mayor of Zagreb", "zagreb", "mayor"},
    {"Mayor of Athens", "athens", "mayor"},
    {"Deputy mayor of Sofia", "sofia", "deputy"},
    {"Climate officer of Tirana", "tirana", "official"},
};

/* Adds a person in one transaction with its history entry. Returns the id, or 0. */
static int64_t add_person(struct store *st, const char *name, const char *affiliation, const char *roles_text)
{
    int64_t city_id = 0, id = 0;
    char status[16];

    if (strcmp(affiliation, "secretariat") && store_city_lookup(st, affiliation, &city_id, status) != 0)
        return 0;
    if (store_begin(st) != 0)
        return 0;
    if (store_person_add(st, name, city_id, identity_roles_parse(roles_text), &id) != 0 ||
        store_history_add(st, 0, "person.create", "person", "{\"by\":\"b40 init\"}") != 0 || store_commit(st) != 0) {
        store_rollback(st);
        return 0;
    }
    return id;
}

static int usage_fail(const char *usage, const char *msg)
{
    if (msg)
        fprintf(stderr, "b40: %s\n\n", msg);
    fputs(usage, stderr);
    return 2;
}

static int cmd_init(int argc, char **argv)
{
    static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
                                         {"demo", no_argument, NULL, 'm'},
                                         {"base-url", required_argument, NULL, 'b'},
                                         {"help", no_argument, NULL, 'h'},
                                         {0}};
    const char *db = getenv("B40_DB"), *base = "https://localhost:8443";
    char keypath[CONFIG_PATH_MAX + 8], err[512], hex[65], link[512];
    bool demo = false;
    int64_t secretary;
    struct serverkey *key = NULL;
    struct store *st = NULL;
    int opt, rc = 1;

    optind = 0;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (opt == 'h') {
            fputs(init_usage, stdout);
            return 0;
        }
        if (opt == 'm')
            demo = true;
        else if (opt == 'b')
            base = optarg;
        else if (opt == 'd')
            db = optarg;
        else
            return usage_fail(init_usage, "unknown option or missing value");
    }
    if (strncmp(base, "https://", 8) || strlen(base) > 200 || base[strlen(base) - 1] == '/')
        return usage_fail(init_usage, "--base-url must look like https://host[:port], without a trailing /");
    if (optind < argc)
        return usage_fail(init_usage, "unexpected argument");
    if (!db || !*db)
        return usage_fail(init_usage, "--db PATH is required");
    if (strlen(db) >= CONFIG_PATH_MAX || serverkey_path(db, keypath, sizeof(keypath)) != 0)
        return usage_fail(init_usage, "the database path is too long");
    if (access(keypath, F_OK) == 0) {
        fprintf(stderr, "b40 init: the key file %s already exists; refusing to overwrite it\n", keypath);
        return 1;
    }
    if (store_open(&st, db, STORE_CREATE, err, sizeof(err)) != STORE_OK) {
        fprintf(stderr, "b40 init: %s\n", err);
        return 1;
    }
    if (serverkey_create(&key, keypath, err, sizeof(err)) != 0) {
        fprintf(stderr, "b40 init: %s\n", err);
        goto fail;
    }
    if (store_server_key_add(st, serverkey_public(key), timeutil_now_ms()) != 0) {
        fprintf(stderr, "b40 init: cannot record the server key: %s\n", store_errmsg(st));
        unlink(keypath);
        goto fail;
    }
    if (demo && demo_load_network(st) != 0) { /* a new file: -2 (registry not empty) cannot happen */
        fprintf(stderr, "b40 init: loading the demo network failed: %s\n", store_errmsg(st));
        goto fail;
    }
    secretary = add_person(st, "Network secretary", "secretariat", "secretary");
    if (!secretary || cli_enroll_link(st, key, secretary, base, 72LL * 3600 * 1000, link, sizeof(link)) != 0) {
        fprintf(stderr, "b40 init: cannot create the first secretariat member: %s\n", store_errmsg(st));
        goto fail;
    }
    sodium_bin2hex(hex, sizeof(hex), serverkey_public(key), 32);
    printf("b40 init: created %s (schema %d)%s\n", db, store_schema_version(st),
           demo ? " with the demo network (demo data: real cities, no real people)" : "");
    printf("b40 init: server signing key in %s (mode 0600; back it up, never share it)\n", keypath);
    printf("b40 init: server public key ed25519:%s\n", hex);
    printf("\nOne-time enrollment links (valid 72 hours; each works once):\n");
    printf("  Network secretary (secretariat, secretary):\n    %s\n", link);
    for (size_t i = 0; demo && i < sizeof(demo_people) / sizeof(demo_people[0]); i++) {
        int64_t id = add_person(st, demo_people[i].name, demo_people[i].affiliation, demo_people[i].roles);
        if (!id || cli_enroll_link(st, key, id, base, 72LL * 3600 * 1000, link, sizeof(link)) != 0) {
            fprintf(stderr, "b40 init: cannot create the demo person %s\n", demo_people[i].name);
            goto fail;
        }
        printf("  %s (%s, %s):\n    %s\n", demo_people[i].name, demo_people[i].affiliation, demo_people[i].roles,
               link);
    }
    if (demo && demo_load_groups(st, timeutil_now_ms()) != 0) { /* after the people: some are delegates */
        fprintf(stderr, "b40 init: loading the demo working groups failed: %s\n", store_errmsg(st));
        goto fail;
    }
    rc = 0;
fail:
    serverkey_free(key);
    store_close(st);
    if (rc != 0) { /* leave nothing half-made behind */
        char side[CONFIG_PATH_MAX + 8];
        unlink(db);
        snprintf(side, sizeof(side), "%s-wal", db);
        unlink(side);
        snprintf(side, sizeof(side), "%s-shm", db);
        unlink(side);
    }
    return rc;
}

static int cmd_serve(int argc, char **argv)
{
    struct serve_config cfg;
    char err[512];

    switch (config_serve_parse(&cfg, argc, argv, NULL, err, sizeof(err))) {
    case CONFIG_HELP:
        fputs(config_serve_usage, stdout);
        return 0;
    case CONFIG_USAGE:
        return usage_fail(config_serve_usage, err);
    }
    return server_run(&cfg);
}

static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *usage;
} commands[] = {
    {"init", cmd_init, init_usage},
    {"serve", cmd_serve, config_serve_usage},
    {"city", cli_city, cli_city_usage},
    {"person", cli_person, cli_person_usage},
    {"enroll", cli_enroll, cli_enroll_usage},
};

int main(int argc, char **argv)
{
    const char *cmd = argc > 1 ? argv[1] : NULL;

    if (!cmd)
        return usage_fail(main_usage, "a command is required");
    if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") || !strcmp(cmd, "help")) {
        if (!strcmp(cmd, "help") && argc > 2) {
            for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
                if (!strcmp(argv[2], commands[i].name)) {
                    fputs(commands[i].usage, stdout);
                    return 0;
                }
            }
            return usage_fail(main_usage, "no such command");
        }
        fputs(main_usage, stdout);
        return 0;
    }
    if (!strcmp(cmd, "--version") || !strcmp(cmd, "version")) {
        printf("b40 %s\n", B40_VERSION);
        return 0;
    }
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (!strcmp(cmd, commands[i].name))
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "b40: unknown command '%s'\n\n", cmd);
    fputs(main_usage, stderr);
    return 2;
}
