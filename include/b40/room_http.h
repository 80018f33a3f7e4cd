/*
 * room_http: the minutes of a closed session over HTTP, as http_dyn routes
 * (`/sessions/ID/minutes.md`, `/sessions/ID/minutes.html`). Implemented in
 * api_room.c beside session.minutes, which serves the same stored text.
 * Service thread.
 */
#ifndef B40_ROOM_HTTP_H
#define B40_ROOM_HTTP_H

#include <stddef.h>

#include "b40/http_dyn.h"

/* 200 with the stored Markdown or HTML (made and signed first if a restart came between close and minutes); 404 otherwise. */
int room_http_minutes_md(struct api_env *env, const char params[][HTTP_DYN_PARAM_MAX + 1], size_t nparams,
                         struct http_dyn_response *out);
int room_http_minutes_html(struct api_env *env, const char params[][HTTP_DYN_PARAM_MAX + 1], size_t nparams,
                           struct http_dyn_response *out);

#endif
