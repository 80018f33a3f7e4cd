/*
 * http_dyn: the HTTP routes that are not static files (the iCalendar feeds;
 * the room's minutes). A table of path patterns, each with a function that
 * produces a status, a content type and a malloc'd body from the database.
 * server.c mounts each prefix of http_dyn_mounts as a callback mount and,
 * for a GET on one of them, calls http_dyn_serve and writes the response.
 * No libwebsockets here: the routes are plain functions, testable alone.
 *
 * Patterns: '/'-separated segments; a segment "*" matches one path segment
 * of 1 to HTTP_DYN_PARAM_MAX bytes of letters, digits, '-', '_' and '.'
 * (not starting with '.'), handed to the route as a parameter; any other
 * segment matches itself exactly. No query string is looked at.
 *
 * Service thread (routes read the database).
 */
#ifndef B40_HTTP_DYN_H
#define B40_HTTP_DYN_H

#include <stdbool.h>
#include <stddef.h>

struct api_env;

#define HTTP_DYN_PARAMS_MAX 4
#define HTTP_DYN_PARAM_MAX 64
#define HTTP_DYN_PATH_MAX 512

struct http_dyn_response {
    int status;                /* 200, 404, 500 */
    const char *content_type;  /* static text; NULL with an empty body */
    const char *cache_control; /* static text, or NULL */
    char *body;                /* malloc'd (freed by http_dyn_response_free), or NULL */
    size_t len;
};

/*
 * A route: fills out->status, content_type, cache_control and body from
 * params[0..nparams). Returns 0 (out filled; a 404 is a normal answer) or
 * -1 on an internal failure (the caller answers 500).
 */
typedef int (*http_dyn_fn)(struct api_env *env, const char params[][HTTP_DYN_PARAM_MAX + 1], size_t nparams,
                           struct http_dyn_response *out);

struct http_dyn_route {
    const char *pattern;
    http_dyn_fn fn;
};

/* The path prefixes to mount (e.g. "/calendar.ics", "/groups"); NULL-terminated. */
extern const char *const http_dyn_mounts[];

/*
 * Matches `path` (no query string) against `pattern`. On a match returns
 * true and copies the "*" segments into params (at most HTTP_DYN_PARAMS_MAX),
 * their count in *nparams.
 */
bool http_dyn_match(const char *pattern, const char *path, char params[][HTTP_DYN_PARAM_MAX + 1], size_t *nparams);

/*
 * Serves GET `path`: the first route whose pattern matches, else 404. Fills
 * *out (free its body with http_dyn_response_free). Always answers: an
 * internal failure is a 500 with no body.
 */
void http_dyn_serve(struct api_env *env, const char *path, struct http_dyn_response *out);

void http_dyn_response_free(struct http_dyn_response *r);

#endif
