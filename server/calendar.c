/*
 * calendar: the iCalendar feeds of the sessions. See include/b40/calendar.h
 * for the contract. Each session becomes one event: SUMMARY "group name:
 * title", a DESCRIPTION with the numbered agenda, the video link and, for a
 * cancelled session, the reason; cancelled sessions stay in the feed with
 * STATUS:CANCELLED so that subscribers remove them. Service thread.
 */
#include "b40/calendar.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "b40/api.h"
#include "b40/ical.h"
#include "b40/log.h"
#include "b40/store_groups.h"

#define TEXT_CALENDAR "text/calendar; charset=utf-8"
#define SUMMARY_MAX (GROUPS_NAME_MAX + 2 + GROUPS_TITLE_MAX + 1)
#define DESCRIPTION_MAX (GROUPS_AGENDA_JSON_MAX + GROUPS_URL_MAX + GROUPS_REASON_MAX + 128)

/* Appends to out[DESCRIPTION_MAX] at *len (cut silently at the end: the agenda's bounds keep it inside). */
static void add(char *out, size_t *len, const char *text)
{
    size_t n = strlen(text);

    if (*len + n >= DESCRIPTION_MAX)
        n = DESCRIPTION_MAX - 1 - *len;
    memcpy(out + *len, text, n);
    *len += n;
    out[*len] = '\0';
}

/* The description of session s into out[DESCRIPTION_MAX]. */
static void describe(const struct group_session *s, char *out)
{
    struct json_object *agenda = json_tokener_parse(s->agenda_json);
    size_t len = 0, n = agenda && json_object_is_type(agenda, json_type_array) ? json_object_array_length(agenda) : 0;
    char num[24];

    out[0] = '\0';
    if (!strcmp(s->state, "cancelled")) {
        add(out, &len, "Cancelled: ");
        add(out, &len, s->cancel_reason);
        add(out, &len, "\n\n");
    }
    if (n) {
        add(out, &len, "Agenda:");
        for (size_t i = 0; i < n; i++) {
            snprintf(num, sizeof(num), "\n%zu. ", i + 1);
            add(out, &len, num);
            add(out, &len, json_object_get_string(json_object_array_get_idx(agenda, i)));
        }
    }
    if (s->video_url[0]) {
        add(out, &len, n ? "\n\nVideo: " : "Video: ");
        add(out, &len, s->video_url);
    }
    json_object_put(agenda);
}

/* The feed named `name` of sessions[0..n) (group names from groups[0..ng)) into out. 0 or -1. */
static int feed(const char *name, const struct group_session *sessions, size_t n, const struct group_record *groups,
                size_t ng, struct http_dyn_response *out)
{
    struct ical_event *ev = calloc(n ? n : 1, sizeof(*ev));
    char (*summary)[SUMMARY_MAX] = calloc(n ? n : 1, sizeof(*summary));
    char **description = calloc(n ? n : 1, sizeof(*description)), *text = malloc(DESCRIPTION_MAX);
    int rc = -1;

    if (!ev || !summary || !description || !text)
        goto out;
    for (size_t i = 0; i < n; i++) {
        const struct group_session *s = &sessions[i];
        const char *gname = s->group_code;
        for (size_t k = 0; k < ng; k++)
            if (groups[k].id == s->group_id)
                gname = groups[k].name;
        snprintf(summary[i], SUMMARY_MAX, "%s: %s", gname, s->title);
        describe(s, text);
        if (!(description[i] = strdup(text)))
            goto out;
        ev[i] = (struct ical_event){
            .id = s->id,
            .summary = summary[i],
            .description = description[i],
            .url = s->video_url,
            .starts_ms = s->starts_at_ms,
            .ends_ms = s->ends_at_ms,
            .modified_ms = s->updated_at_ms,
            .sequence = s->ical_sequence,
            .cancelled = !strcmp(s->state, "cancelled"),
        };
    }
    out->body = ical_calendar(name, ev, n, &out->len);
    if (!out->body)
        goto out;
    out->status = 200;
    out->content_type = TEXT_CALENDAR;
    out->cache_control = "no-cache";
    rc = 0;
out:
    for (size_t i = 0; description && i < n; i++)
        free(description[i]);
    free(ev);
    free(summary);
    free(description);
    free(text);
    return rc;
}

int calendar_route_all(struct api_env *env, const char params[][HTTP_DYN_PARAM_MAX + 1], size_t nparams,
                       struct http_dyn_response *out)
{
    struct group_session *sessions = NULL;
    struct group_record *groups = NULL;
    size_t n = 0, ng = 0;
    int rc = -1;

    (void)params, (void)nparams;
    if (store_session_list(env->store, 0, &sessions, &n) == 0 && store_group_list(env->store, &groups, &ng) == 0)
        rc = feed("B40 working groups", sessions, n, groups, ng, out);
    free(sessions);
    free(groups);
    return rc;
}

int calendar_route_group(struct api_env *env, const char params[][HTTP_DYN_PARAM_MAX + 1], size_t nparams,
                         struct http_dyn_response *out)
{
    struct group_session *sessions = NULL;
    struct group_record g;
    char name[GROUPS_NAME_MAX + 8];
    const char *p;
    int64_t id = 0;
    size_t n = 0;
    int rc;

    if (nparams != 1)
        return -1;
    /* a numeric id (no leading zero), or a code */
    for (p = params[0]; *p >= '0' && *p <= '9' && id < 1000000000000LL; p++)
        id = id * 10 + (*p - '0');
    if (!*p && params[0][0] != '0' && id > 0)
        rc = store_group_get(env->store, id, &g);
    else if (groups_code_is_valid(params[0]))
        rc = store_group_find(env->store, params[0], &g);
    else
        rc = 1;
    if (rc == 1) {
        out->status = 404;
        return 0;
    }
    if (rc != 0 || store_session_list(env->store, g.id, &sessions, &n) != 0)
        return -1;
    snprintf(name, sizeof(name), "B40 %s", g.name);
    rc = feed(name, sessions, n, &g, 1, out);
    free(sessions);
    return rc;
}
