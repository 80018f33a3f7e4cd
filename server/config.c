/*
 * config: `b40 serve` settings from defaults, environment and flags. See
 * include/b40/config.h for the list; docs and README repeat it.
 */
#include "b40/config.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char config_serve_usage[] =
    "usage: b40 serve --db PATH [options]\n"
    "\n"
    "Runs the B40 server: HTTPS and the b40.v1 WebSocket on one TLS port.\n"
    "\n"
    "options (each also read from the environment variable shown; a flag wins):\n"
    "  --db PATH            the database made by `b40 init`           B40_DB\n"
    "  --port N             TCP port, 0 for any free one (8443)       B40_PORT\n"
    "  --listen ADDR        address to listen on (127.0.0.1)          B40_LISTEN\n"
    "  --cert FILE          PEM certificate (certs/dev/server.pem)    B40_CERT\n"
    "  --key FILE           PEM private key (certs/dev/server.key)    B40_KEY\n"
    "  --web-root DIR       static files to serve (web)               B40_WEB_ROOT\n"
    "  --origin URL         a web origin allowed to open the WebSocket;\n"
    "                       repeat for more (default: the server's own\n"
    "                       origins, from the certificate's names)     B40_ORIGINS (comma-separated)\n"
    "  --ping-interval S    ping a quiet connection after S seconds,\n"
    "                       drop it after 2*S without a sign of life (30)  B40_PING_INTERVAL\n"
    "  --send-queue-kib N   per-connection send queue limit (1024)    B40_SEND_QUEUE_KIB\n"
    "  --log-level L        error, warn, info or debug (info)         B40_LOG_LEVEL\n"
    "  -h, --help           show this help\n";

enum { OPT_DB = 256, OPT_PORT, OPT_LISTEN, OPT_CERT, OPT_KEY, OPT_WEB_ROOT, OPT_ORIGIN, OPT_PING, OPT_SENDQ, OPT_LOG };

static const struct option long_options[] = {
    {"db", required_argument, NULL, OPT_DB},
    {"port", required_argument, NULL, OPT_PORT},
    {"listen", required_argument, NULL, OPT_LISTEN},
    {"cert", required_argument, NULL, OPT_CERT},
    {"key", required_argument, NULL, OPT_KEY},
    {"web-root", required_argument, NULL, OPT_WEB_ROOT},
    {"origin", required_argument, NULL, OPT_ORIGIN},
    {"ping-interval", required_argument, NULL, OPT_PING},
    {"send-queue-kib", required_argument, NULL, OPT_SENDQ},
    {"log-level", required_argument, NULL, OPT_LOG},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

__attribute__((format(printf, 3, 4))) static int usage_error(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return CONFIG_USAGE;
}

static int set_path(char *dst, const char *value, const char *what, char *err, size_t errlen)
{
    size_t n = strlen(value);

    if (n == 0 || n >= CONFIG_PATH_MAX)
        return usage_error(err, errlen, "%s must be a path of 1 to 1023 bytes", what);
    memcpy(dst, value, n + 1);
    return CONFIG_OK;
}

static int parse_long(const char *s, long min, long max, long *out)
{
    char *end;
    long v;

    errno = 0;
    v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

/* Applies one setting; `name` is the flag or variable, for messages. */
static int apply(struct serve_config *cfg, int opt, const char *value, const char *name, char *err, size_t errlen)
{
    long v;

    switch (opt) {
    case OPT_DB:
        return set_path(cfg->db, value, name, err, errlen);
    case OPT_CERT:
        return set_path(cfg->cert, value, name, err, errlen);
    case OPT_KEY:
        return set_path(cfg->key, value, name, err, errlen);
    case OPT_WEB_ROOT:
        return set_path(cfg->web_root, value, name, err, errlen);
    case OPT_LISTEN:
        if (!*value || strlen(value) >= sizeof(cfg->listen))
            return usage_error(err, errlen, "%s must be an IP address or host name, not '%s'", name, value);
        strcpy(cfg->listen, value);
        return CONFIG_OK;
    case OPT_PORT:
        if (parse_long(value, 0, 65535, &v) != 0)
            return usage_error(err, errlen, "%s must be a port number from 0 to 65535, not '%s'", name, value);
        cfg->port = (int)v;
        return CONFIG_OK;
    case OPT_PING:
        if (parse_long(value, 1, 3600, &v) != 0)
            return usage_error(err, errlen, "%s must be from 1 to 3600 seconds, not '%s'", name, value);
        cfg->ping_interval_s = (int)v;
        return CONFIG_OK;
    case OPT_SENDQ:
        if (parse_long(value, 64, 1048576, &v) != 0)
            return usage_error(err, errlen, "%s must be from 64 to 1048576 KiB, not '%s'", name, value);
        cfg->send_queue_kib = (size_t)v;
        return CONFIG_OK;
    case OPT_LOG: {
        static const char *const names[] = {"error", "warn", "info", "debug"};
        for (int i = 0; i < 4; i++) {
            if (!strcmp(value, names[i])) {
                cfg->log_level = (enum log_level)i;
                return CONFIG_OK;
            }
        }
        return usage_error(err, errlen, "%s must be error, warn, info or debug, not '%s'", name, value);
    }
    case OPT_ORIGIN:
        if (origin_list_add(&cfg->origins, value) != 0)
            return usage_error(err, errlen,
                               "%s: '%s' is not an origin like https://host or https://host:port (at most 32)", name,
                               value);
        return CONFIG_OK;
    }
    return CONFIG_USAGE;
}

static const struct {
    const char *var;
    int opt;
} env_vars[] = {
    {"B40_DB", OPT_DB},           {"B40_PORT", OPT_PORT},
    {"B40_LISTEN", OPT_LISTEN},   {"B40_CERT", OPT_CERT},
    {"B40_KEY", OPT_KEY},         {"B40_WEB_ROOT", OPT_WEB_ROOT},
    {"B40_PING_INTERVAL", OPT_PING}, {"B40_SEND_QUEUE_KIB", OPT_SENDQ},
    {"B40_LOG_LEVEL", OPT_LOG},
};

static int apply_env_origins(struct serve_config *cfg, const char *value, char *err, size_t errlen)
{
    char item[ORIGIN_MAX_LEN];
    const char *p = value;

    while (*p) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        while (n && (*p == ' ' || *p == '\t'))
            p++, n--;
        while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
            n--;
        if (n >= sizeof(item))
            return usage_error(err, errlen, "B40_ORIGINS: an origin is longer than 255 bytes");
        if (n) {
            memcpy(item, p, n);
            item[n] = '\0';
            if (apply(cfg, OPT_ORIGIN, item, "B40_ORIGINS", err, errlen) != CONFIG_OK)
                return CONFIG_USAGE;
        }
        if (!comma)
            break;
        p = comma + 1;
    }
    return CONFIG_OK;
}

int config_serve_parse(struct serve_config *cfg, int argc, char **argv, config_getenv_fn get_env, char *err,
                       size_t errlen)
{
    bool flag_origins = false;
    const char *v;
    int opt;

    memset(cfg, 0, sizeof(*cfg));
    strcpy(cfg->listen, "127.0.0.1");
    cfg->port = 8443;
    strcpy(cfg->cert, "certs/dev/server.pem");
    strcpy(cfg->key, "certs/dev/server.key");
    strcpy(cfg->web_root, "web");
    cfg->ping_interval_s = 30;
    cfg->send_queue_kib = 1024;
    cfg->log_level = LOG_LEVEL_INFO;
    if (!get_env)
        get_env = (config_getenv_fn)getenv;

    for (size_t i = 0; i < sizeof(env_vars) / sizeof(env_vars[0]); i++)
        if ((v = get_env(env_vars[i].var)) && *v && apply(cfg, env_vars[i].opt, v, env_vars[i].var, err, errlen))
            return CONFIG_USAGE;
    if ((v = get_env("B40_ORIGINS")) && *v && apply_env_origins(cfg, v, err, errlen) != CONFIG_OK)
        return CONFIG_USAGE;

    optind = 0; /* glibc: full re-initialisation, so parsing can run more than once */
    opterr = 0;
    while ((opt = getopt_long(argc, argv, "h", long_options, NULL)) != -1) {
        if (opt == 'h')
            return CONFIG_HELP;
        if (opt == '?' || opt == ':') {
            if (optopt)
                return usage_error(err, errlen, "option -%c is unknown or needs a value", optopt);
            return usage_error(err, errlen, "option %s is unknown or needs a value", argv[optind - 1]);
        }
        if (opt == OPT_ORIGIN && !flag_origins) {
            cfg->origins.count = 0; /* flags replace the environment's list */
            flag_origins = true;
        }
        if (apply(cfg, opt, optarg, long_options[opt - OPT_DB].name, err, errlen) != CONFIG_OK)
            return CONFIG_USAGE;
    }
    if (optind < argc)
        return usage_error(err, errlen, "unexpected argument '%s'", argv[optind]);
    if (!cfg->db[0])
        return usage_error(err, errlen, "--db PATH (or B40_DB) is required");
    return CONFIG_OK;
}
