/*
 * server: the process that `b40 serve` runs. One libwebsockets context with
 * one TLS vhost serving HTTPS (static files from the web root, /healthz)
 * and the b40.v1 WebSocket on the same port; the service loop; and the
 * orderly shutdown on SIGINT/SIGTERM. Single-threaded: everything runs on
 * the service thread.
 */
#ifndef B40_SERVER_H
#define B40_SERVER_H

struct serve_config;

/*
 * Checks the configuration, opens the database and key, starts serving and
 * returns when a signal stops it: 0 after a clean shutdown, 1 when it
 * refused to start (the reason is on stderr).
 */
int server_run(const struct serve_config *cfg);

#endif
