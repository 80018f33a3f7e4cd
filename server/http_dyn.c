/*
 * http_dyn: the table of dynamic HTTP routes and their matching. See
 * include/b40/http_dyn.h for the contract. To add a route, add its pattern
 * and function to `routes` and, when its first segment is new, that prefix
 * to http_dyn_mounts. Service thread.
 */
#include "b40/http_dyn.h"

#include <stdlib.h>
#include <string.h>

#include "b40/calendar.h"
#include "b40/log.h"
#include "b40/room_http.h"

static const struct http_dyn_route routes[] = {
    {"/calendar.ics", calendar_route_all},
    {"/groups/*/calendar.ics", calendar_route_group},
    {"/sessions/*/minutes.md", room_http_minutes_md},
    {"/sessions/*/minutes.html", room_http_minutes_html},
};

const char *const http_dyn_mounts[] = {"/calendar.ics", "/groups", "/sessions", NULL};

static bool param_char_ok(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
           c == '.';
}

bool http_dyn_match(const char *pattern, const char *path, char params[][HTTP_DYN_PARAM_MAX + 1], size_t *nparams)
{
    const char *p = pattern, *s = path;
    size_t n = 0;

    *nparams = 0;
    if (!pattern || !path || strlen(path) > HTTP_DYN_PATH_MAX)
        return false;
    while (*p && *s) {
        if (*p != '/' || *s != '/')
            return false;
        p++;
        s++;
        if (p[0] == '*' && (p[1] == '/' || p[1] == '\0')) {
            size_t len = 0;
            while (s[len] && s[len] != '/') {
                if (!param_char_ok(s[len]))
                    return false;
                len++;
            }
            if (len == 0 || len > HTTP_DYN_PARAM_MAX || s[0] == '.' || n >= HTTP_DYN_PARAMS_MAX)
                return false;
            memcpy(params[n], s, len);
            params[n][len] = '\0';
            n++;
            p++;
            s += len;
        } else {
            size_t len = strcspn(p, "/");
            if (strncmp(p, s, len) || (s[len] != '/' && s[len] != '\0'))
                return false;
            p += len;
            s += len;
        }
    }
    if (*p || *s)
        return false;
    *nparams = n;
    return true;
}

void http_dyn_serve(struct api_env *env, const char *path, struct http_dyn_response *out)
{
    char params[HTTP_DYN_PARAMS_MAX][HTTP_DYN_PARAM_MAX + 1];
    size_t n = 0;

    memset(out, 0, sizeof(*out));
    out->status = 404;
    for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
        if (!http_dyn_match(routes[i].pattern, path, params, &n))
            continue;
        if (routes[i].fn(env, (const char(*)[HTTP_DYN_PARAM_MAX + 1])params, n, out) != 0) {
            log_error("http: the route %s failed", routes[i].pattern);
            http_dyn_response_free(out);
            out->status = 500;
        }
        return;
    }
}

void http_dyn_response_free(struct http_dyn_response *r)
{
    free(r->body);
    r->body = NULL;
    r->len = 0;
    r->content_type = NULL;
}
