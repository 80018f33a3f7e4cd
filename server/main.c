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
#include "b40/server.h"
#include "b40/serverkey.h"
#include "b40/store.h"
#include "b40/timeutil.h"

static const char main_usage[] =
    "usage: b40 COMMAND [options]\n"
    "\n"
    "The B40 Balkan Cities Network's meeting and voting server.\n"
    "\n"
    "commands:\n"
    "  init      create a database and the server's signing key\n"
    "  serve     run the server (HTTPS and WebSocket on one TLS port)\n"
    "  help      show this help, or a command's: b40 help COMMAND\n"
    "  version   print the version\n"
    "\n"
    "Run `b40 COMMAND --help` for a command's options.\n";

static const char init_usage[] =
    "usage: b40 init --db PATH\n"
    "\n"
    "Creates the database PATH at the newest schema and the server's Ed25519\n"
    "signing key in PATH.key (mode 0600; keep it secret and back it up with the\n"
    "database: receipts and results are signed with it). PATH must not exist.\n"
    "\n"
    "options:\n"
    "  --db PATH     the database to create (or B40_DB)\n"
    "  -h, --help    show this help\n";

static int usage_fail(const char *usage, const char *msg)
{
    if (msg)
        fprintf(stderr, "b40: %s\n\n", msg);
    fputs(usage, stderr);
    return 2;
}

static int cmd_init(int argc, char **argv)
{
    static const struct option opts[] = {{"db", required_argument, NULL, 'd'}, {"help", no_argument, NULL, 'h'}, {0}};
    const char *db = getenv("B40_DB");
    char keypath[CONFIG_PATH_MAX + 8], err[512], hex[65];
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
        if (opt != 'd')
            return usage_fail(init_usage, "unknown option or missing value");
        db = optarg;
    }
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
    sodium_bin2hex(hex, sizeof(hex), serverkey_public(key), 32);
    printf("b40 init: created %s (schema %d)\n", db, store_schema_version(st));
    printf("b40 init: server signing key in %s (mode 0600; back it up, never share it)\n", keypath);
    printf("b40 init: server public key ed25519:%s\n", hex);
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
