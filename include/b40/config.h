/*
 * config: the settings of `b40 serve`, from its flags and, for every flag,
 * an environment variable (flags win). Parsing only: nothing is opened here.
 *
 *   --db PATH            B40_DB
 *   --port N             B40_PORT             default 8443 (0: any free port)
 *   --listen ADDR        B40_LISTEN           default 127.0.0.1
 *   --cert FILE          B40_CERT             default certs/dev/server.pem
 *   --key FILE           B40_KEY              default certs/dev/server.key
 *   --web-root DIR       B40_WEB_ROOT         default web
 *   --origin URL ...     B40_ORIGINS (comma-separated)  default: the server's own origins
 *   --ping-interval S    B40_PING_INTERVAL    default 30
 *   --send-queue-kib N   B40_SEND_QUEUE_KIB   default 1024
 *   --log-level L        B40_LOG_LEVEL        error|warn|info|debug, default info
 */
#ifndef B40_CONFIG_H
#define B40_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "b40/log.h"
#include "b40/origin.h"

#define CONFIG_PATH_MAX 1024

struct serve_config {
    char db[CONFIG_PATH_MAX];
    char listen[64];
    int port;
    char cert[CONFIG_PATH_MAX];
    char key[CONFIG_PATH_MAX];
    char web_root[CONFIG_PATH_MAX];
    struct origin_list origins; /* empty: derive from the certificate and listen address */
    int ping_interval_s;
    size_t send_queue_kib;
    enum log_level log_level;
};

enum { CONFIG_OK = 0, CONFIG_HELP = 1, CONFIG_USAGE = 2 };

/* Environment lookup, replaceable in tests. */
typedef const char *(*config_getenv_fn)(const char *name);

/*
 * Fills cfg from defaults, then the environment (through get_env; NULL
 * means getenv), then argv (argv[0] is the command name "serve"). Returns
 * CONFIG_OK, CONFIG_HELP (--help given), or CONFIG_USAGE with a message in
 * err.
 */
int config_serve_parse(struct serve_config *cfg, int argc, char **argv, config_getenv_fn get_env, char *err,
                       size_t errlen) __attribute__((warn_unused_result));

/* The usage text of `b40 serve`. */
extern const char config_serve_usage[];

#endif
