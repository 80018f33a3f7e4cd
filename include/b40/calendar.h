/*
 * calendar: the iCalendar feeds of the working groups' sessions
 * (docs/protocol.md "Calendars"): /calendar.ics with every group's
 * sessions and /groups/CODE/calendar.ics with one group's, read from the
 * store and written by ical.c. The http_dyn routes. Service thread.
 */
#ifndef B40_CALENDAR_H
#define B40_CALENDAR_H

#include <stddef.h>

#include "b40/http_dyn.h"

/* GET /calendar.ics. */
int calendar_route_all(struct api_env *env, const char params[][HTTP_DYN_PARAM_MAX + 1], size_t nparams,
                       struct http_dyn_response *out);

/* GET /groups/CODE/calendar.ics (CODE: a group code or its numeric id); 404 for an unknown group. */
int calendar_route_group(struct api_env *env, const char params[][HTTP_DYN_PARAM_MAX + 1], size_t nparams,
                         struct http_dyn_response *out);

#endif
