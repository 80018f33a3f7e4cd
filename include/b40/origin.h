/*
 * origin: the allowlist of web origins whose pages may open the WebSocket.
 * Origins are compared in normal form: "https://host[:port]" with the
 * scheme and host in lower case, the default port (443 for https, 80 for
 * http) left out, IPv6 hosts in brackets, and no path, query or user part.
 * Pure functions; any thread.
 */
#ifndef B40_ORIGIN_H
#define B40_ORIGIN_H

#include <stdbool.h>
#include <stddef.h>

#define ORIGIN_MAX_LEN 256
#define ORIGIN_LIST_MAX 32

struct origin_list {
    size_t count;
    char items[ORIGIN_LIST_MAX][ORIGIN_MAX_LEN];
};

/*
 * Writes the normal form of the origin in[0..len) into out (at least
 * ORIGIN_MAX_LEN bytes). Returns 0, or -1 when it is not an http(s) origin.
 */
int origin_normalize(const char *in, size_t len, char out[ORIGIN_MAX_LEN]) __attribute__((warn_unused_result));

/* Adds an origin (normalised; a duplicate is ignored). Returns 0, or -1 when invalid or full. */
int origin_list_add(struct origin_list *list, const char *origin) __attribute__((warn_unused_result));

/* Adds "https://HOST:PORT" (or "https://HOST" for port 443). Returns 0 or -1. */
int origin_list_add_host(struct origin_list *list, const char *host, int port) __attribute__((warn_unused_result));

/* True when in[0..len) normalises to an origin on the list. */
bool origin_list_allows(const struct origin_list *list, const char *in, size_t len);

#endif
