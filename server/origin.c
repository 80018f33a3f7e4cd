/*
 * origin: normal form and allowlist of web origins (RFC 6454 serialisation).
 * See include/b40/origin.h.
 */
#include "b40/origin.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int origin_normalize(const char *in, size_t len, char out[ORIGIN_MAX_LEN])
{
    char host[ORIGIN_MAX_LEN - 16]; /* room for "https://" and ":65535" */
    size_t i, hlen = 0;
    const char *p, *end = in + len;
    long port = -1;
    int default_port;

    if (len >= 8 && !strncasecmp(in, "https://", 8)) {
        p = in + 8;
        default_port = 443;
    } else if (len >= 7 && !strncasecmp(in, "http://", 7)) {
        p = in + 7;
        default_port = 80;
    } else {
        return -1;
    }
    if (p < end && *p == '[') { /* IPv6 literal */
        const char *close = memchr(p, ']', (size_t)(end - p));
        if (!close || close - p + 1 >= (long)sizeof(host))
            return -1;
        for (const char *c = p; c <= close; c++) {
            if (!(isxdigit((unsigned char)*c) || *c == ':' || *c == '.' || *c == '[' || *c == ']'))
                return -1;
            host[hlen++] = (char)tolower((unsigned char)*c);
        }
        p = close + 1;
    } else {
        while (p < end && *p != ':') {
            unsigned char c = (unsigned char)*p;
            if (!(isalnum(c) || c == '-' || c == '.') || hlen + 1 >= sizeof(host))
                return -1;
            host[hlen++] = (char)tolower(c);
            p++;
        }
    }
    if (hlen == 0)
        return -1;
    host[hlen] = '\0';
    if (p < end) {
        if (*p != ':' || p + 1 == end)
            return -1;
        port = 0;
        for (i = 1; p + i < end; i++) {
            if (!isdigit((unsigned char)p[i]) || i > 5)
                return -1;
            port = port * 10 + (p[i] - '0');
        }
        if (port < 1 || port > 65535)
            return -1;
    }
    if (port == -1 || port == default_port)
        snprintf(out, ORIGIN_MAX_LEN, "%s://%s", default_port == 443 ? "https" : "http", host);
    else
        snprintf(out, ORIGIN_MAX_LEN, "%s://%s:%ld", default_port == 443 ? "https" : "http", host, port);
    return 0;
}

int origin_list_add(struct origin_list *list, const char *origin)
{
    char norm[ORIGIN_MAX_LEN];

    if (origin_normalize(origin, strlen(origin), norm) != 0)
        return -1;
    for (size_t i = 0; i < list->count; i++)
        if (!strcmp(list->items[i], norm))
            return 0;
    if (list->count >= ORIGIN_LIST_MAX)
        return -1;
    memcpy(list->items[list->count++], norm, sizeof(norm));
    return 0;
}

int origin_list_add_host(struct origin_list *list, const char *host, int port)
{
    char origin[ORIGIN_MAX_LEN];
    bool v6 = strchr(host, ':') != NULL;
    int n;

    n = snprintf(origin, sizeof(origin), "https://%s%s%s:%d", v6 ? "[" : "", host, v6 ? "]" : "", port);
    if (n < 0 || (size_t)n >= sizeof(origin))
        return -1;
    return origin_list_add(list, origin);
}

bool origin_list_allows(const struct origin_list *list, const char *in, size_t len)
{
    char norm[ORIGIN_MAX_LEN];

    if (origin_normalize(in, len, norm) != 0)
        return false;
    for (size_t i = 0; i < list->count; i++)
        if (!strcmp(list->items[i], norm))
            return true;
    return false;
}
