/*
 * api_groups: the working-group message types of docs/protocol.md
 * ("Working groups"): groups and their members and delegates, the
 * two-signature proposal of a new group, sessions and the quarterly plan,
 * signed requests for extra sessions, time polls, recommendations and
 * their follow-up. Each handler checks what proto could not (the syntax
 * and meaning of each field, with include/b40/groups.h), decides who may
 * act for which city, and calls the groups store, which does each change
 * in one transaction with its history entry. Signed statements are built
 * from checked fields and compared byte for byte with what the client sent
 * before the signature is verified over those exact bytes. Handlers run
 * only after api.c has checked the sender's access. Service thread.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "api_internal.h"
#include "b40/groups.h"
#include "b40/identity.h"
#include "b40/membership.h"
#include "b40/ratelimit.h"
#include "b40/store_groups.h"
#include "b40/store_identity.h"
#include "b40/store_registry.h"
#include "b40/timeutil.h"

#define TIME_LEN (TIMEUTIL_RFC3339_LEN - 1)
#define REQUEST_BURST 5              /* extra-session requests per city and group ... */
#define REQUEST_WINDOW_MS 86400000LL /* ... per day: each stays in the group's public record */
/* Follow-up reports: a city's status on one recommendation changes rarely; each report is kept for good. */
#define FOLLOWUP_BURST 10
#define FOLLOWUP_WINDOW_MS (24LL * 3600 * 1000)

static int bad_field(struct proto_error *err, const char *field, const char *what)
{
    return proto_fail(err, PROTO_BAD_REQUEST, field, "field '%s' %s", field, what);
}

static bool is_secretariat(const struct api_conn *conn)
{
    return (conn->roles & ROLES_SECRETARIAT) != 0;
}

static int oom(struct proto_error *err)
{
    return api_internal_error(err, "answering (out of memory, or a read failed)");
}

/* Reads a time field (RFC 3339, UTC, ms) into *out. 0, or -1 with bad_request naming it. */
static int time_field(const struct proto_request *req, const char *name, int64_t *out, struct proto_error *err)
{
    const char *text = api_str(req, name);

    if (!text || timeutil_parse_rfc3339(text, out) != 0)
        return bad_field(err, name, "must be a time like 2026-12-07T07:00:00.000Z (RFC 3339, UTC, milliseconds)");
    return 0;
}

static int hex_field(const struct proto_request *req, const char *name, uint8_t *out, size_t len,
                     struct proto_error *err)
{
    const char *text = api_str(req, name);

    if (!text || identity_hex_decode(text, out, len) != 0)
        return api_fail(err, "bad_request", name, "field '%s' must be %zu lower-case hex digits", name, 2 * len);
    return 0;
}

/* Compares the statement sent with the one expected; then verifies its signature by the signed-in key. */
static int check_signed(const struct api_conn *conn, const char *expected, int elen, const char *got,
                        const uint8_t sig[64], struct proto_error *err)
{
    int line;

    if (elen < 0)
        return api_fail(err, "bad_request", NULL, "the statement cannot be formed from these fields");
    line = identity_statement_diff(expected, (size_t)elen, got, strlen(got));
    if (line)
        return api_fail(err, "bad_statement", "statement",
                        "the statement differs from the expected one at line %d (see docs/groups.md)", line);
    if (!identity_verify(conn->key_public, expected, (size_t)elen, sig))
        return api_fail(err, "bad_signature", "signature", "the signature does not verify with this session's key");
    return 0;
}

/* ---- the current presidency term ---- */

/* The term that holds now (store_group_term): 0 found, 1 none, -1. */
static int current_term(struct api_env *env, int64_t now_ms, struct group_term *out)
{
    return store_group_term(env->store, now_ms, out);
}

static struct json_object *term_json(const struct group_term *t)
{
    struct groups_quarter qs[GROUPS_TERM_QUARTERS_MAX];
    struct json_object *o = json_object_new_object(), *arr = json_object_new_array();
    size_t n = 0;

    if (!o || !arr || groups_term_quarters(t->starts_on, t->ends_on, qs, GROUPS_TERM_QUARTERS_MAX, &n) != 0) {
        json_object_put(o);
        json_object_put(arr);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        char name[8];
        groups_quarter_name(qs[i], name);
        json_object_array_add(arr, json_object_new_string(name));
    }
    json_object_object_add(o, "city", json_object_new_string(t->city));
    json_object_object_add(o, "starts_on", json_object_new_string(t->starts_on));
    json_object_object_add(o, "ends_on", json_object_new_string(t->ends_on));
    json_object_object_add(o, "quarters", arr);
    return o;
}

/* ---- JSON of the objects ---- */

static void add_time_or_null(struct json_object *o, const char *key, int64_t ms)
{
    if (ms > 0)
        api_add_time(o, key, ms);
    else
        json_object_object_add(o, key, NULL);
}

static struct json_object *str_or_null(const char *s)
{
    return s && s[0] ? json_object_new_string(s) : NULL;
}

/* {"id", "name"} of person `id`, or NULL for 0 (or an unknown person). */
static struct json_object *person_ref(struct api_env *env, int64_t id)
{
    struct store_person p;
    struct json_object *o;

    if (id <= 0 || store_person_get(env->store, id, &p) != 0)
        return NULL;
    o = json_object_new_object();
    if (o) {
        json_object_object_add(o, "id", json_object_new_int64(p.id));
        json_object_object_add(o, "name", json_object_new_string(p.name));
    }
    return o;
}

struct json_object *api_session_json(struct api_env *env, const struct group_session *s)
{
    struct json_object *o = json_object_new_object(), *agenda = json_tokener_parse(s->agenda_json);
    int64_t poll = 0;
    struct time_poll p;

    if (!o || !agenda || !json_object_is_type(agenda, json_type_array)) {
        json_object_put(o);
        json_object_put(agenda);
        return NULL;
    }
    if (store_timepoll_of_session(env->store, s->id, &poll) == 0 && store_timepoll_get(env->store, poll, &p) == 0 &&
        strcmp(p.state, "open"))
        poll = 0;
    json_object_object_add(o, "id", json_object_new_int64(s->id));
    json_object_object_add(o, "group", json_object_new_string(s->group_code));
    json_object_object_add(o, "kind", json_object_new_string(s->kind));
    json_object_object_add(o, "quarter", json_object_new_string(s->quarter));
    json_object_object_add(o, "title", json_object_new_string(s->title));
    api_add_time(o, "starts_at", s->starts_at_ms);
    api_add_time(o, "ends_at", s->ends_at_ms);
    json_object_object_add(o, "state", json_object_new_string(s->state));
    json_object_object_add(o, "chair", person_ref(env, s->chair_person_id));
    json_object_object_add(o, "video_url", str_or_null(s->video_url));
    json_object_object_add(o, "agenda", agenda);
    json_object_object_add(o, "sequence", json_object_new_int64(s->ical_sequence));
    json_object_object_add(o, "cancel_reason", str_or_null(s->cancel_reason));
    json_object_object_add(o, "time_poll", poll > 0 ? json_object_new_int64(poll) : NULL);
    return o;
}

/* Adds session `id` as `key` to obj. 0, or -1 (internal error in err). */
static int add_session(struct api_env *env, struct json_object *obj, const char *key, int64_t id,
                       struct proto_error *err)
{
    struct group_session *s = malloc(sizeof(*s));
    struct json_object *o = NULL;

    if (s && store_session_get(env->store, id, s) == 0)
        o = api_session_json(env, s);
    free(s);
    if (!o)
        return oom(err);
    json_object_object_add(obj, key, o);
    return 0;
}

/* An item of a list, made into JSON: ctx is the caller's (env, a group code...). NULL when memory ran out. */
typedef struct json_object *(*item_json_fn)(const void *ctx, const void *item);

/*
 * A JSON array of the n items of list (each `size` bytes), made by item_json;
 * frees list. NULL when the list could not be read (list_rc != 0) or memory
 * ran out, with everything made so far freed.
 */
static struct json_object *array_of(int list_rc, void *list, size_t n, size_t size, item_json_fn item_json,
                                    const void *ctx)
{
    struct json_object *arr = list_rc == 0 ? json_object_new_array_ext((int)n) : NULL;

    for (size_t i = 0; arr && i < n; i++) {
        struct json_object *o = item_json(ctx, (const char *)list + i * size);
        if (!o || json_object_array_add(arr, o) != 0) {
            json_object_put(o);
            json_object_put(arr);
            arr = NULL;
        }
    }
    free(list);
    return arr;
}

static struct json_object *session_item(const void *env, const void *item)
{
    return api_session_json((struct api_env *)env, item);
}

static struct json_object *sessions_json(struct api_env *env, int64_t group_id)
{
    struct group_session *list = NULL;
    size_t n = 0;
    int rc = store_session_list(env->store, group_id, &list, &n);

    return array_of(rc, list, n, sizeof(*list), session_item, env);
}

static struct json_object *members_json(struct api_env *env, int64_t group_id, size_t *count)
{
    struct group_member *m = NULL;
    struct json_object *arr;
    size_t n = 0;

    if (store_group_members(env->store, group_id, &m, &n) != 0)
        return NULL;
    arr = json_object_new_array_ext((int)n);
    for (size_t i = 0; arr && i < n; i++) {
        struct json_object *o = json_object_new_object(), *d = NULL;
        if (o && m[i].delegate_person_id > 0 && (d = json_object_new_object())) {
            json_object_object_add(d, "id", json_object_new_int64(m[i].delegate_person_id));
            json_object_object_add(d, "name", json_object_new_string(m[i].delegate_name));
        }
        if (!o || json_object_array_add(arr, o) != 0) {
            json_object_put(o);
            json_object_put(d);
            json_object_put(arr);
            arr = NULL;
            break;
        }
        json_object_object_add(o, "city", json_object_new_string(m[i].city));
        json_object_object_add(o, "name", json_object_new_string(m[i].city_name));
        json_object_object_add(o, "status", json_object_new_string(m[i].city_status));
        api_add_time(o, "joined", m[i].joined_at_ms);
        json_object_object_add(o, "delegate", d);
    }
    if (count)
        *count = n;
    free(m);
    return arr;
}

static struct json_object *followup_json(const struct followup *f)
{
    struct json_object *o = json_object_new_object();

    if (!o)
        return NULL;
    json_object_object_add(o, "city", json_object_new_string(f->city));
    json_object_object_add(o, "status", json_object_new_string(f->status));
    json_object_object_add(o, "note", json_object_new_string(f->note));
    json_object_object_add(o, "on_date", json_object_new_string(f->on_date));
    api_add_time(o, "reported_at", f->at_ms);
    json_object_object_add(o, "person", f->person_id > 0 ? json_object_new_int64(f->person_id) : NULL);
    return o;
}

static struct json_object *followup_item(const void *ctx, const void *item)
{
    (void)ctx;
    return followup_json(item);
}

static struct json_object *followups_json(struct api_env *env, int64_t rec_id, bool latest_only)
{
    struct followup *list = NULL;
    size_t n = 0;
    int rc = store_followup_list(env->store, rec_id, latest_only, &list, &n);

    return array_of(rc, list, n, sizeof(*list), followup_item, NULL);
}

static struct json_object *recommendation_json(struct api_env *env, const struct recommendation *r)
{
    struct json_object *o = json_object_new_object(), *fu = followups_json(env, r->id, true);

    if (!o || !fu) {
        json_object_put(o);
        json_object_put(fu);
        return NULL;
    }
    json_object_object_add(o, "id", json_object_new_int64(r->id));
    json_object_object_add(o, "session", json_object_new_int64(r->session_id));
    json_object_object_add(o, "motion", r->motion_id > 0 ? json_object_new_int64(r->motion_id) : NULL);
    json_object_object_add(o, "text", json_object_new_string(r->text));
    api_add_time(o, "adopted_at", r->adopted_at_ms);
    json_object_object_add(o, "followup", fu);
    return o;
}

static struct json_object *recommendation_item(const void *env, const void *item)
{
    return recommendation_json((struct api_env *)env, item);
}

static struct json_object *recommendations_json(struct api_env *env, int64_t group_id)
{
    struct recommendation *list = NULL;
    size_t n = 0;
    int rc = store_recommendation_list(env->store, group_id, &list, &n);

    return array_of(rc, list, n, sizeof(*list), recommendation_item, env);
}

static struct json_object *request_json(const struct session_request *r, const char *group_code)
{
    struct json_object *o = json_object_new_object();

    if (!o)
        return NULL;
    json_object_object_add(o, "id", json_object_new_int64(r->id));
    json_object_object_add(o, "group", json_object_new_string(group_code));
    json_object_object_add(o, "city", json_object_new_string(r->city));
    json_object_object_add(o, "reason", json_object_new_string(r->reason));
    json_object_object_add(o, "statement", json_object_new_string(r->statement));
    api_add_hex(o, "signature", r->signature, 64);
    api_add_hex(o, "public_key", r->public_key, 32);
    api_add_time(o, "requested_at", r->requested_at_ms);
    json_object_object_add(o, "state", json_object_new_string(r->state));
    add_time_or_null(o, "decided_at", r->decided_at_ms);
    json_object_object_add(o, "decision_reason", strcmp(r->state, "pending") ? json_object_new_string(r->decision_reason)
                                                                            : NULL);
    json_object_object_add(o, "session", r->session_id > 0 ? json_object_new_int64(r->session_id) : NULL);
    return o;
}

static struct json_object *request_item(const void *group_code, const void *item)
{
    return request_json(item, group_code);
}

static struct json_object *requests_json(struct api_env *env, int64_t group_id, const char *group_code)
{
    struct session_request *list = NULL;
    size_t n = 0;
    int rc = store_session_request_list(env->store, group_id, &list, &n);

    return array_of(rc, list, n, sizeof(*list), request_item, group_code);
}

/* The proposal of group_id (a new object), JSON null for a founding group (*ok true), or NULL with *ok false. */
static struct json_object *proposal_json(struct api_env *env, int64_t group_id, bool *ok)
{
    struct group_proposal *p = malloc(sizeof(*p));
    struct json_object *o = NULL, *sigs;
    int rc;

    *ok = false;
    if (!p)
        return NULL;
    rc = store_group_proposal(env->store, group_id, p);
    if (rc != 0) {
        *ok = rc == 1;
        free(p);
        return NULL;
    }
    o = json_object_new_object();
    sigs = json_object_new_array();
    if (!o || !sigs) {
        json_object_put(o);
        json_object_put(sigs);
        free(p);
        return NULL;
    }
    json_object_object_add(o, "statement", json_object_new_string(p->statement));
    json_object_object_add(o, "presidency", json_object_new_string(p->presidency_city));
    json_object_object_add(o, "proposed_by", json_object_new_int64(p->proposed_by));
    api_add_time(o, "proposed_at", p->proposed_at_ms);
    for (size_t i = 0; i < p->nsigs; i++) {
        struct json_object *s = json_object_new_object();
        if (!s)
            continue;
        json_object_object_add(s, "side", json_object_new_string(p->sigs[i].side));
        json_object_object_add(s, "person", json_object_new_int64(p->sigs[i].person_id));
        json_object_object_add(s, "name", json_object_new_string(p->sigs[i].person_name));
        api_add_hex(s, "public_key", p->sigs[i].public_key, 32);
        api_add_hex(s, "signature", p->sigs[i].signature, 64);
        api_add_time(s, "signed_at", p->sigs[i].signed_at_ms);
        json_object_array_add(sigs, s);
    }
    json_object_object_add(o, "signatures", sigs);
    free(p);
    *ok = true;
    return o;
}

/* Whether a temporary group's last day is over (UTC): it is no longer expected to meet. */
static bool has_ended(const struct group_record *g, int64_t now_ms)
{
    char today[MEMBERSHIP_DATE_LEN + 1];

    return g->ends_on[0] && membership_date_from_ms(now_ms, today) == 0 && strcmp(today, g->ends_on) > 0;
}

/*
 * The group object: its record, member count, next session and overdue
 * flag as of now_ms under `term` (NULL: no term). With full, also members,
 * sessions, recommendations, requests and proposal. New, owned by the
 * caller; NULL on failure.
 */
static struct json_object *group_json(struct api_env *env, const struct group_record *g, int64_t now_ms,
                                      const struct group_term *term, bool full)
{
    struct json_object *o = json_object_new_object(), *members = NULL;
    struct group_session *next = malloc(sizeof(*next));
    char missed[8] = "", path[64];
    int64_t last = 0, since;
    size_t count = 0;
    bool overdue = false;
    int rc = 1;

    if (!o || !next || !(members = members_json(env, g->id, &count)) ||
        store_session_last_closed(env->store, g->id, &last) != 0 ||
        (rc = store_session_next(env->store, g->id, now_ms, next)) < 0)
        goto fail;
    if (!strcmp(g->state, "active") && !has_ended(g, now_ms)) {
        since = g->active_from_ms;
        if (term && term->starts_ms > since)
            since = term->starts_ms;
        overdue = groups_is_overdue(now_ms, since, last, missed);
    }
    json_object_object_add(o, "id", json_object_new_int64(g->id));
    json_object_object_add(o, "code", json_object_new_string(g->code));
    json_object_object_add(o, "name", json_object_new_string(g->name));
    json_object_object_add(o, "description", json_object_new_string(g->description));
    json_object_object_add(o, "kind", json_object_new_string(g->kind));
    json_object_object_add(o, "ends_on", str_or_null(g->ends_on));
    json_object_object_add(o, "state", json_object_new_string(g->state));
    json_object_object_add(o, "founding", json_object_new_boolean(g->founding));
    add_time_or_null(o, "active_from", g->active_from_ms);
    json_object_object_add(o, "member_count", json_object_new_int64((int64_t)count));
    if (rc == 0) {
        struct json_object *s = api_session_json(env, next);
        if (!s)
            goto fail;
        json_object_object_add(o, "next_session", s);
    } else {
        json_object_object_add(o, "next_session", NULL);
    }
    json_object_object_add(o, "overdue", json_object_new_boolean(overdue));
    json_object_object_add(o, "overdue_quarter", str_or_null(missed));
    snprintf(path, sizeof(path), "/groups/%s/calendar.ics", g->code);
    json_object_object_add(o, "calendar", json_object_new_string(path));
    if (full) {
        struct json_object *sessions = sessions_json(env, g->id), *recs = recommendations_json(env, g->id),
                           *reqs = requests_json(env, g->id, g->code), *prop;
        bool ok = false;
        prop = proposal_json(env, g->id, &ok);
        if (!sessions || !recs || !reqs || !ok) {
            json_object_put(sessions);
            json_object_put(recs);
            json_object_put(reqs);
            json_object_put(prop);
            goto fail;
        }
        json_object_object_add(o, "members", members);
        members = NULL;
        json_object_object_add(o, "sessions", sessions);
        json_object_object_add(o, "recommendations", recs);
        json_object_object_add(o, "requests", reqs);
        json_object_object_add(o, "proposal", prop);
    }
    json_object_put(members);
    free(next);
    return o;
fail:
    json_object_put(members);
    json_object_put(o);
    free(next);
    return NULL;
}

/* Adds the group object of g (full) as "group" to reply. 0 or -1 (internal). */
static int add_group(struct api_env *env, struct json_object *reply, const struct group_record *g, bool full,
                     struct proto_error *err)
{
    struct group_term term;
    int64_t now = timeutil_now_ms();
    int rc = current_term(env, now, &term);
    struct json_object *o;

    if (rc < 0)
        return api_internal_error(err, "reading the presidency term");
    o = group_json(env, g, now, rc == 0 ? &term : NULL, full);
    if (!o)
        return oom(err);
    json_object_object_add(reply, "group", o);
    return 0;
}

/* ---- lookups for handlers ---- */

/* Group `code` (field `field`): 0, or -1 with bad_request, not_found or internal in err. */
static int find_group(struct api_env *env, const char *code, const char *field, struct group_record *out,
                      struct proto_error *err)
{
    int rc;

    if (!groups_code_is_valid(code))
        return bad_field(err, field, "must be a group code (lower-case letters, digits and '-')");
    rc = store_group_find(env->store, code, out);
    if (rc == 1)
        return api_fail(err, "not_found", field, "no group has the code '%s'", code);
    if (rc != 0)
        return api_internal_error(err, "reading the group");
    return 0;
}

/*
 * City `code` for a person acting on it with group.join/leave/set_delegate:
 * the secretariat for any city; a mayor or deputy for their own. 0, or -1
 * with bad_request, not_found (for the secretariat), forbidden or internal.
 * A person outside the secretariat learns nothing about other cities.
 */
static int city_for(struct api_env *env, const struct api_conn *conn, const char *code, struct registry_city *out,
                    struct proto_error *err)
{
    int rc;

    if (!membership_code_is_valid(code))
        return bad_field(err, "city", "must be a city code (lower-case letters, digits and '-')");
    rc = store_city_find(env->store, code, out);
    if (rc != 0 && rc != STORE_REGISTRY_NOT_FOUND)
        return api_internal_error(err, "reading the city");
    if (is_secretariat(conn))
        return rc == 0 ? 0 : api_fail(err, "not_found", "city", "no city has the code '%s'", code);
    if (rc != 0 || conn->city_id <= 0 || out->id != conn->city_id || !(conn->roles & ROLES_CITY_VOTE))
        return api_fail(err, "forbidden", NULL, "only the city's mayor or deputy, or the secretariat, may do this");
    return 0;
}

/*
 * Whether the signed-in person speaks for their city in group g: a mayor or
 * deputy of a city, or the city's delegate in the group. The city must be a
 * member of the group (not_in_group) and, when must_be_member, of status
 * member in the network (city_not_member). 0 (*city filled), or -1 with
 * forbidden, not_in_group, city_not_member or internal.
 */
static int speaker_for(struct api_env *env, const struct api_conn *conn, const struct group_record *g,
                       bool must_be_member, struct registry_city *city, struct proto_error *err)
{
    int64_t delegate = 0;
    bool member = false;

    if (conn->city_id <= 0)
        return api_fail(err, "forbidden", NULL, "only a member city's mayor, deputy or delegate may do this");
    if (store_group_has_city(env->store, g->id, conn->city_id, &member) != 0 ||
        store_group_delegate(env->store, g->id, conn->city_id, &delegate) != 0)
        return api_internal_error(err, "reading the group's members");
    if (!member)
        return api_fail(err, "not_in_group", "group", "%s is not a member of the group %s", conn->city_code, g->code);
    if (!(conn->roles & ROLES_CITY_VOTE) && delegate != conn->person_id)
        return api_fail(err, "forbidden", NULL, "only the city's mayor, deputy or delegate in %s may do this", g->code);
    if (store_city_find(env->store, conn->city_code, city) != 0)
        return api_internal_error(err, "reading the city");
    if (must_be_member && city->status != MEMBERSHIP_MEMBER)
        return api_fail(err, "city_not_member", "city", "%s is %s, not a member: it may not do this", city->code,
                        membership_status_name(city->status));
    return 0;
}

/* Session `id` for a handler: 0, or -1 with not_found (field `session`) or internal. */
static int find_session(struct api_env *env, int64_t id, struct group_session *out, struct proto_error *err)
{
    int rc = store_session_get(env->store, id, out);

    if (rc == 1)
        return api_fail(err, "not_found", "session", "no session has the id %" PRId64, id);
    if (rc != 0)
        return api_internal_error(err, "reading the session");
    return 0;
}

/* Whether the signed-in person may manage session s: the secretariat, or its chair. */
static bool may_manage(const struct api_conn *conn, const struct group_session *s)
{
    return is_secretariat(conn) || (s->chair_person_id > 0 && s->chair_person_id == conn->person_id);
}

/*
 * Checks an agenda field (array of 1..50 one-line items of 1..200 bytes)
 * and writes it as compact JSON into out[GROUPS_AGENDA_JSON_MAX + 1]. 0, or
 * -1 with bad_request naming `agenda`.
 */
static int agenda_field(const struct proto_request *req, char *out, struct proto_error *err)
{
    struct json_object *a = api_get(req, "agenda"), *copy;
    const char *text;
    size_t n = a ? json_object_array_length(a) : 0;
    int rc = 0;

    if (!a || n < 1 || n > GROUPS_AGENDA_ITEMS_MAX)
        return bad_field(err, "agenda", "must be an array of 1 to 50 items");
    for (size_t i = 0; i < n; i++) {
        struct json_object *item = json_object_array_get_idx(a, i);
        if (!json_object_is_type(item, json_type_string) || memchr(json_object_get_string(item), '\0',
                                                                   (size_t)json_object_get_string_len(item)) ||
            !groups_agenda_item_is_valid(json_object_get_string(item)))
            return bad_field(err, "agenda", "must hold items of 1 to 200 bytes, one line each");
    }
    if (!(copy = json_object_new_array_ext((int)n)))
        return oom(err);
    for (size_t i = 0; i < n; i++)
        json_object_array_add(copy, json_object_new_string(json_object_get_string(json_object_array_get_idx(a, i))));
    text = json_object_to_json_string_ext(copy, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
    if (!text || strlen(text) > GROUPS_AGENDA_JSON_MAX)
        rc = bad_field(err, "agenda", "is too long");
    else
        snprintf(out, GROUPS_AGENDA_JSON_MAX + 1, "%s", text);
    json_object_put(copy);
    return rc;
}

/* Checks a session's start and end: the start after now_ms, 15 minutes to 12 hours long. 0 or -1 (bad_request). */
static int check_times(int64_t starts, int64_t ends, int64_t now_ms, struct proto_error *err)
{
    if (starts <= now_ms)
        return bad_field(err, "starts_at", "must be in the future");
    if (!groups_duration_is_valid(starts, ends))
        return bad_field(err, "ends_at", "must be 15 minutes to 12 hours after starts_at");
    return 0;
}

static int quarter_of(int64_t ms, char out[8], struct proto_error *err)
{
    struct groups_quarter q;

    if (groups_quarter_of(ms, &q) != 0)
        return bad_field(err, "starts_at", "is out of range");
    groups_quarter_name(q, out);
    return 0;
}

/* Checks an optional chair field: 0 (none) or an active person. 0, or -1 with not_found (`chair`) or internal. */
static int check_chair(struct api_env *env, int64_t chair, struct proto_error *err)
{
    struct store_person p;
    int rc;

    if (chair == 0)
        return 0;
    rc = store_person_get(env->store, chair, &p);
    if (rc < 0)
        return api_internal_error(err, "reading the chair");
    if (rc > 0 || !p.active)
        return api_fail(err, "not_found", "chair", "no active person has the id %" PRId64, chair);
    return 0;
}

/* ---- group.list, group.get ---- */

static int handle_group_list(struct api_env *env, struct api_conn *conn, const struct proto_request *req,
                             struct json_object *reply, struct proto_error *err)
{
    struct group_record *list = NULL;
    struct json_object *arr = NULL, *tj = NULL;
    struct group_term term;
    struct groups_quarter q;
    int64_t now = timeutil_now_ms();
    char qname[8];
    size_t n = 0;
    int trc, rc = -1;

    (void)conn, (void)req;
    if ((trc = current_term(env, now, &term)) < 0 || store_group_list(env->store, &list, &n) != 0) {
        rc = api_internal_error(err, "listing the groups");
        goto out;
    }
    if (!(arr = json_object_new_array_ext((int)n)) || (trc == 0 && !(tj = term_json(&term))) ||
        groups_quarter_of(now, &q) != 0)
        goto fail;
    for (size_t i = 0; i < n; i++) {
        struct json_object *o = group_json(env, &list[i], now, trc == 0 ? &term : NULL, false);
        if (!o || json_object_array_add(arr, o) != 0) {
            json_object_put(o);
            goto fail;
        }
    }
    groups_quarter_name(q, qname);
    json_object_object_add(reply, "groups", arr);
    json_object_object_add(reply, "term", tj);
    json_object_object_add(reply, "quarter", json_object_new_string(qname));
    arr = tj = NULL;
    rc = 0;
    goto out;
fail:
    rc = oom(err);
out:
    json_object_put(arr);
    json_object_put(tj);
    free(list);
    return rc;
}

static const struct proto_field group_get_fields[] = {
    {"group", PROTO_STRING, true, 1, GROUPS_CODE_MAX},
};

static int handle_group_get(struct api_env *env, struct api_conn *conn, const struct proto_request *req,
                            struct json_object *reply, struct proto_error *err)
{
    struct group_record g;

    (void)conn;
    if (find_group(env, api_str(req, "group"), "group", &g, err) != 0)
        return -1;
    return add_group(env, reply, &g, true, err);
}

/* ---- group.join, group.leave, group.set_delegate ---- */

static const struct proto_field group_city_fields[] = {
    {"group", PROTO_STRING, true, 1, GROUPS_CODE_MAX},
    {"city", PROTO_STRING, true, 1, MEMBERSHIP_CODE_MAX},
};

static const struct proto_field group_delegate_fields[] = {
    {"group", PROTO_STRING, true, 1, GROUPS_CODE_MAX},
    {"city", PROTO_STRING, true, 1, MEMBERSHIP_CODE_MAX},
    {"person", PROTO_INT, true, 0, PROTO_MAX_SAFE_INT},
};

/* Adds "members" and "member_count" of group_id to reply. */
static int add_members(struct api_env *env, struct json_object *reply, int64_t group_id, struct proto_error *err)
{
    size_t count = 0;
    struct json_object *m = members_json(env, group_id, &count);

    if (!m)
        return oom(err);
    json_object_object_add(reply, "members", m);
    json_object_object_add(reply, "member_count", json_object_new_int64((int64_t)count));
    return 0;
}

/* group.join: a member city joins a group (its mayor or deputy, or the secretariat naming it). */
static int handle_group_join(struct api_env *env, struct api_conn *conn, const struct proto_request *req,
                             struct json_object *reply, struct proto_error *err)
{
    struct registry_city city;
    struct group_record g;
    int rc;

    if (city_for(env, conn, api_str(req, "city"), &city, err) != 0 ||
        find_group(env, api_str(req, "group"), "group", &g, err) != 0)
        return -1;
    if (city.status != MEMBERSHIP_MEMBER)
        return api_fail(err, "city_not_member", "city", "%s is %s: only member cities join working groups", city.code,
                        membership_status_name(city.status));
    if (strcmp(g.state, "active"))
        return api_fail(err, "group_not_active", "group", "the group %s is %s, not active", g.code, g.state);
    rc = store_group_join(env->store, g.id, city.id, conn->person_id, timeutil_now_ms());
    if (rc == STORE_GROUPS_CONFLICT)
        return api_fail(err, "group_not_active", "group", "the group %s is not active", g.code);
    if (rc < 0)
        return api_internal_error(err, "recording the membership");
    return add_members(env, reply, g.id, err);
}

/* group.leave: a city leaves a group; its delegate there is cleared. */
static int handle_group_leave(struct api_env *env, struct api_conn *conn, const struct proto_request *req,
                              struct json_object *reply, struct proto_error *err)
{
    struct registry_city city;
    struct group_record g;
    int rc;

    if (city_for(env, conn, api_str(req, "city"), &city, err) != 0 ||
        find_group(env, api_str(req, "group"), "group", &g, err) != 0)
        return -1;
    rc = store_group_leave(env->store, g.id, city.id, conn->person_id, timeutil_now_ms());
    if (rc == 1)
        return api_fail(err, "not_in_group", "city", "%s is not a member of the group %s", city.code, g.code);
    if (rc != 0)
        return api_internal_error(err, "recording the departure");
    return add_members(env, reply, g.id, err);
}

/* group.set_delegate: names the city's voting delegate in the group (0: none). */
static int handle_group_set_delegate(struct api_env *env, struct api_conn *conn, const struct proto_request *req,
                                     struct json_object *reply, struct proto_error *err)
{
    struct registry_city city;
    struct group_record g;
    int64_t person = api_int(req, "person", 0);
    int rc;

    if (city_for(env, conn, api_str(req, "city"), &city, err) != 0 ||
        find_group(env, api_str(req, "group"), "group", &g, err) != 0)
        return -1;
    rc = store_group_set_delegate(env->store, g.id, city.id, person, conn->person_id, timeutil_now_ms());
    if (rc == STORE_GROUPS_NOT_MEMBER)
        return api_fail(err, "not_in_group", "city", "%s is not a member of the group %s", city.code, g.code);
    if (rc == STORE_GROUPS_CONFLICT)
        return api_fail(err, "conflict", "person", "person %" PRId64 " is not an active person of %s with a city role",
                        person, city.code);
    if (rc != 0)
        return api_internal_error(err, "naming the delegate");
    return add_members(env, reply, g.id, err);
}

static const struct proto_field group_eligible_fields[] = {
    {"city", PROTO_STRING, true, 1, MEMBERSHIP_CODE_MAX},
};

struct eligible_ctx {
    int64_t city_id;
    struct json_object *arr;
    bool failed;
};

static int add_eligible(void *ctx, const struct store_person *p)
{
    struct eligible_ctx *e = ctx;
    struct json_object *o, *roles;

    if (!p->active || p->city_id != e->city_id || !(p->roles & ROLES_CITY))
        return 0;
    o = json_object_new_object();
    roles = json_object_new_array();
    if (!o || !roles || json_object_array_add(e->arr, o) != 0) {
        json_object_put(o);
        json_object_put(roles);
        e->failed = true;
        return 1;
    }
    for (unsigned bit = ROLE_MAYOR; bit <= ROLE_OFFICIAL; bit <<= 1)
        if (p->roles & bit)
            json_object_array_add(roles, json_object_new_string(identity_role_name(bit)));
    json_object_object_add(o, "id", json_object_new_int64(p->id));
    json_object_object_add(o, "name", json_object_new_string(p->name));
    json_object_object_add(o, "roles", roles);
    return 0;
}

/* group.eligible_delegates: the people a city may name as its delegate (its active people with a city role). */
static int handle_group_eligible_delegates(struct api_env *env, struct api_conn *conn, const struct proto_request *req,
                                           struct json_object *reply, struct proto_error *err)
{
    struct registry_city city;
    struct eligible_ctx e = {0};

    if (city_for(env, conn, api_str(req, "city"), &city, err) != 0)
        return -1;
    if (!(e.arr = json_object_new_array()))
        return oom(err);
    e.city_id = city.id;
    if (store_person_each(env->store, add_eligible, &e) < 0 || e.failed) {
        json_object_put(e.arr);
        return api_internal_error(err, "listing the city's people");
    }
    json_object_object_add(reply, "people", e.arr);
    return 0;
}

/* ---- group.propose, group.agree ---- */

static const struct proto_field group_propose_fields[] = {
    {"code", PROTO_STRING, true, 1, GROUPS_CODE_MAX},
    {"name", PROTO_STRING, true, 1, GROUPS_NAME_MAX},
    {"description", PROTO_STRING, true, 1, GROUPS_DESCRIPTION_MAX},
    {"kind", PROTO_STRING, true, 1, 16},
    {"ends_on", PROTO_STRING, false, MEMBERSHIP_DATE_LEN, MEMBERSHIP_DATE_LEN},
    {"proposed", PROTO_STRING, true, TIME_LEN, TIME_LEN},
    {"statement", PROTO_STRING, true, 1, GROUPS_STATEMENT_MAX},
    {"signature", PROTO_STRING, true, 128, 128},
};

/*
 * group.propose: the presidency's mayor or the secretariat proposes a new
 * group with a signed statement; the group exists (state "proposed") with
 * one signature until the other side agrees.
 */
static int handle_group_propose(struct api_env *env, struct api_conn *conn, const struct proto_request *req,
                                struct json_object *reply, struct proto_error *err)
{
    struct groups_proposal_text p = {
        .code = api_str(req, "code"),
        .name = api_str(req, "name"),
        .description = api_str(req, "description"),
        .kind = api_str(req, "kind"),
        .ends_on = api_str(req, "ends_on"),
    };
    struct group_new gn;
    struct group_record g;
    struct group_term term;
    enum groups_side side;
    char expected[GROUPS_STATEMENT_MAX + 1], date[MEMBERSHIP_DATE_LEN + 1];
    uint8_t sig[64];
    int64_t now = timeutil_now_ms(), id = 0;
    int len, rc;

    if (!groups_code_is_valid(p.code))
        return bad_field(err, "code", "must be a group code: a lower-case letter, then 1 to 31 letters, digits or '-'");
    if (!groups_name_is_valid(p.name))
        return bad_field(err, "name", "must be 1 to 120 bytes of text on one line");
    if (!groups_description_is_valid(p.description))
        return bad_field(err, "description", "must be 1 to 1000 bytes of text on one line");
    if (!groups_kind_is_valid(p.kind))
        return bad_field(err, "kind", "must be 'permanent' or 'temporary'");
    if (time_field(req, "proposed", &p.proposed_ms, err) != 0)
        return -1;
    if (llabs(p.proposed_ms - now) > GROUPS_STATEMENT_SKEW_MS)
        return bad_field(err, "proposed", "must be the current time (within 5 minutes of the server's clock)");
    if (membership_date_from_ms(p.proposed_ms, date) != 0 || !groups_end_is_valid(p.kind, p.ends_on, date))
        return bad_field(err, "ends_on", !strcmp(p.kind, "temporary")
                                             ? "must be a date after the proposal's date for a temporary group"
                                             : "must be absent for a permanent group");
    if (hex_field(req, "signature", sig, 64, err) != 0)
        return -1;
    if ((rc = current_term(env, now, &term)) < 0)
        return api_internal_error(err, "reading the presidency term");
    if (rc == 1)
        return api_fail(err, "no_term", NULL, "no presidency term is recorded: no presidency can agree to a group");
    side = groups_signer_side(conn->roles, conn->city_id, term.city_id);
    if (side == GROUPS_SIDE_NONE)
        return api_fail(err, "not_signatory", NULL,
                        "only the mayor of %s (the presidency) or the secretariat may propose a group", term.city);
    p.presidency = term.city;
    len = groups_proposal_statement(&p, expected, sizeof(expected));
    if (check_signed(conn, expected, len, api_str(req, "statement"), sig, err) != 0)
        return -1;
    gn = (struct group_new){p.code, p.name, p.description, p.kind, p.ends_on};
    rc = store_group_propose(env->store, &gn, expected, term.city_id, groups_side_name(side), conn->person_id,
                             conn->key_id, conn->key_public, sig, now, &id);
    if (rc == STORE_GROUPS_TAKEN)
        return api_fail(err, "conflict", "code", "a group with the code '%s' exists already", p.code);
    if (rc != 0)
        return api_internal_error(err, "recording the proposal");
    if (store_group_get(env->store, id, &g) != 0)
        return api_internal_error(err, "reading the new group");
    return add_group(env, reply, &g, true, err);
}

static const struct proto_field group_agree_fields[] = {
    {"group", PROTO_STRING, true, 1, GROUPS_CODE_MAX},
    {"statement", PROTO_STRING, true, 1, GROUPS_STATEMENT_MAX},
    {"signature", PROTO_STRING, true, 128, 128},
};

/* group.agree: the other side signs the same statement; with both signatures the group is active. */
static int handle_group_agree(struct api_env *env, struct api_conn *conn, const struct proto_request *req,
                              struct json_object *reply, struct proto_error *err)
{
    struct group_proposal *p = NULL;
    struct group_record g;
    struct group_term term;
    enum groups_side side;
    uint8_t sig[64];
    int64_t now = timeutil_now_ms();
    bool activated = false;
    int rc = -1, trc;

    if (find_group(env, api_str(req, "group"), "group", &g, err) != 0 ||
        hex_field(req, "signature", sig, 64, err) != 0)
        return -1;
    if (strcmp(g.state, "proposed"))
        return api_fail(err, "conflict", "group", "the group %s is %s: there is nothing to agree to", g.code, g.state);
    if (!(p = malloc(sizeof(*p))))
        return oom(err);
    if ((rc = store_group_proposal(env->store, g.id, p)) != 0) {
        rc = api_internal_error(err, "reading the proposal");
        goto out;
    }
    if ((trc = current_term(env, now, &term)) < 0) {
        rc = api_internal_error(err, "reading the presidency term");
        goto out;
    }
    if (trc == 1 || term.city_id != p->presidency_city_id) {
        rc = api_fail(err, "conflict", "group",
                      "the proposal names the presidency of %s, which no longer holds the term: propose again",
                      p->presidency_city);
        goto out;
    }
    side = groups_signer_side(conn->roles, conn->city_id, p->presidency_city_id);
    if (side == GROUPS_SIDE_NONE) {
        rc = api_fail(err, "not_signatory", NULL, "only the mayor of %s (the presidency) or the secretariat may agree",
                      p->presidency_city);
        goto out;
    }
    for (size_t i = 0; i < p->nsigs; i++)
        if (!strcmp(p->sigs[i].side, groups_side_name(side))) {
            rc = api_fail(err, "already_signed", NULL, "the %s has signed this proposal already",
                          groups_side_name(side));
            goto out;
        }
    if ((rc = check_signed(conn, p->statement, (int)strlen(p->statement), api_str(req, "statement"), sig, err)) != 0)
        goto out;
    rc = store_group_sign(env->store, g.id, groups_side_name(side), conn->person_id, conn->key_id, conn->key_public, sig,
                          now, &activated);
    if (rc == STORE_GROUPS_CONFLICT) {
        rc = api_fail(err, "already_signed", NULL, "this side has signed already, or the group is no longer proposed");
        goto out;
    }
    if (rc != 0) {
        rc = api_internal_error(err, "recording the signature");
        goto out;
    }
    if (store_group_get(env->store, g.id, &g) != 0) {
        rc = api_internal_error(err, "reading the group");
        goto out;
    }
    rc = add_group(env, reply, &g, true, err);
    json_object_object_add(reply, "activated", json_object_new_boolean(activated));
out:
    free(p);
    return rc;
}

/* ---- sessions ---- */

static const struct proto_field session_list_fields[] = {
    {"group", PROTO_STRING, false, 1, GROUPS_CODE_MAX},
};

static int handle_session_list(struct api_env *env, struct api_conn *conn, const struct proto_request *req,
                               struct json_object *reply, struct proto_error *err)
{
    struct group_record g = {0};
    struct json_object *arr;

    (void)conn;
    if (api_str(req, "group") && find_group(env, api_str(req, "group"), "group", &g, err) != 0)
        return -1;
    if (!(arr = sessions_json(env, g.id)))
        return oom(err);
    json_object_object_add(reply, "sessions", arr);
    return 0;
}

static const struct proto_field session_get_fields[] = {
    {"session", PROTO_INT, true, 1, PROTO_MAX_SAFE_INT},
};

static struct json_object *poll_json(struct api_env *env, const struct time_poll *p);

static int handle_session_get(struct api_env *env, struct api_conn *conn, const struct proto_request *req,
                              struct json_object *reply, struct proto_error *err)
{
    struct group_session *s = malloc(sizeof(*s));
    struct json_object *sj = NULL, *pj = NULL;
    struct time_poll p;
    int64_t poll = 0;
    int rc;

    (void)conn;
    if (!s)
        return oom(err);
    if (find_session(env, api_int(req, "session", 0), s, err) != 0) {
        free(s);
        return -1;
    }
    sj = api_session_json(env, s);
    rc = store_timepoll_of_session(env->store, s->id, &poll);
    if (rc == 0 && store_timepoll_get(env->store, poll, &p) == 0)
        pj = poll_json(env, &p);
    free(s);
    if (!sj || rc < 0 || (rc == 0 && !pj)) {
        json_object_put(sj);
        json_object_put(pj);
        return oom(err);
    }
    json_object_object_add(reply, "session", sj);
    json_object_object_add(reply, "time_poll", pj);
    return 0;
}

static const struct proto_field session_schedule_fields[] = {
    {"group", PROTO_STRING, true, 1, GROUPS_CODE_MAX},
    {"kind", PROTO_STRING, true, 1, 16},
    {"title", PROTO_STRING, true, 1, GROUPS_TITLE_MAX},
    {"starts_at", PROTO_STRING, true, TIME_LEN, TIME_LEN},
    {"ends_at", PROTO_STRING, true, TIME_LEN, TIME_LEN},
    {"chair", PROTO_INT, false, 0, PROTO_MAX_SAFE_INT},
    {"video_url", PROTO_STRING, false, 0, GROUPS_URL_MAX},
    {"agenda", PROTO_ARRAY, true, 1, GROUPS_AGENDA_ITEMS_MAX},
};

/* session.schedule: the secretariat schedules a regular or extra session of an active group. */
static int handle_session_schedule(struct api_env *env, struct api_conn *conn, const struct proto_request *req,
                                   struct json_object *reply, struct proto_error *err)
{
    const char *kind = api_str(req, "kind"), *title = api_str(req, "title"), *url = api_str(req, "video_url");
    struct group_session *s;
    struct group_record g;
    int64_t now = timeutil_now_ms(), id = 0;
    int rc = -1;

    if (find_group(env, api_str(req, "group"), "group", &g, err) != 0)
        return -1;
    if (!kind || (strcmp(kind, "regular") && strcmp(kind, "extra")))
        return bad_field(err, "kind", "must be 'regular' or 'extra'");
    if (!groups_title_is_valid(title))
        return bad_field(err, "title", "must be 1 to 120 bytes of text on one line");
    if (url && url[0] && !groups_url_is_valid(url))
        return bad_field(err, "video_url", "must be an https link without spaces or quotes");
    if (!(s = calloc(1, sizeof(*s))))
        return oom(err);
    s->group_id = g.id;
    snprintf(s->kind, sizeof(s->kind), "%s", kind);
    snprintf(s->title, sizeof(s->title), "%s", title);
    snprintf(s->video_url, sizeof(s->video_url), "%s", url ? url : "");
    s->chair_person_id = api_int(req, "chair", 0);
    if (agenda_field(req, s->agenda_json, err) != 0 || time_field(req, "starts_at", &s->starts_at_ms, err) != 0 ||
        time_field(req, "ends_at", &s->ends_at_ms, err) != 0 ||
        check_times(s->starts_at_ms, s->ends_at_ms, now, err) != 0 || quarter_of(s->starts_at_ms, s->quarter, err) != 0 ||
        check_chair(env, s->chair_person_id, err) != 0)
        goto out;
    if (strcmp(g.state, "active")) {
        rc = api_fail(err, "group_not_active", "group", "the group %s is %s, not active", g.code, g.state);
        goto out;
    }
    rc = store_session_schedule(env->store, s, conn->person_id, now, &id);
    if (rc == STORE_GROUPS_CONFLICT) {
        rc = api_fail(err, "quarter_taken", "starts_at", "the group %s has a regular session in %s already", g.code,
                      s->quarter);
        goto out;
    }
    if (rc != 0) {
        rc = api_internal_error(err, "scheduling the session");
        goto out;
    }
    rc = add_session(env, reply, "session", id, err);
out:
    free(s);
    return rc;
}

static const struct proto_field session_update_fields[] = {
    {"session", PROTO_INT, true, 1, PROTO_MAX_SAFE_INT},
    {"title", PROTO_STRING, false, 1, GROUPS_TITLE_MAX},
    {"starts_at", PROTO_STRING, false, TIME_LEN, TIME_LEN},
    {"ends_at", PROTO_STRING, false, TIME_LEN, TIME_LEN},
    {"chair", PROTO_INT, false, 0, PROTO_MAX_SAFE_INT},
    {"video_url", PROTO_STRING, false, 0, GROUPS_URL_MAX},
    {"agenda", PROTO_ARRAY, false, 1, GROUPS_AGENDA_ITEMS_MAX},
};

/* session.update: the secretariat or the session's chair changes a scheduled session. */
static int handle_session_update(struct api_env *env, struct api_conn *conn, const struct proto_request *req,
                                 struct json_object *reply, struct proto_error *err)
{
    struct group_session *old = malloc(sizeof(*old)), *s = malloc(sizeof(*s));
    const char *title = api_str(req, "title"), *url = api_str(req, "video_url");
    int64_t now = timeutil_now_ms();
    int rc = -1;

    if (!old || !s) {
        rc = oom(err);
        goto out;
    }
    if (find_session(env, api_int(req, "session", 0), old, err) != 0)
        goto out;
    if (!may_manage(conn, old) || (api_get(req, "chair") && !is_secretariat(conn))) {
        rc = api_fail(err, "forbidden", NULL, "only the secretariat (or the session's chair, but not its chair) may do this");
        goto out;
    }
    *s = *old;
    if (title && !groups_title_is_valid(title)) {
        rc = bad_field(err, "title", "must be 1 to 120 bytes of text on one line");
        goto out;
    }
    if (title)
        snprintf(s->title, sizeof(s->title), "%s", title);
    if (url && url[0] && !groups_url_is_valid(url)) {
        rc = bad_field(err, "video_url", "must be an https link without spaces or quotes");
        goto out;
    }
    if (url)
        snprintf(s->video_url, sizeof(s->video_url), "%s", url);
    if (api_get(req, "agenda") && agenda_field(req, s->agenda_json, err) != 0)
        goto out;
    if ((api_get(req, "starts_at") && time_field(req, "starts_at", &s->starts_at_ms, err) != 0) ||
        (api_get(req, "ends_at") && time_field(req, "ends_at", &s->ends_at_ms, err) != 0))
        goto out;
    if (s->starts_at_ms != old->starts_at_ms || s->ends_at_ms != old->ends_at_ms) {
        if ((s->starts_at_ms != old->starts_at_ms && s->starts_at_ms <= now))
            rc = bad_field(err, "starts_at", "must be in the future");
        else if (!groups_duration_is_valid(s->starts_at_ms, s->ends_at_ms))
            rc = bad_field(err, "ends_at", "must be 15 minutes to 12 hours after starts_at");
        else
            rc = quarter_of(s->starts_at_ms, s->quarter, err);
        if (rc != 0)
            goto out;
    }
    if (api_get(req, "chair")) {
        s->chair_person_id = api_int(req, "chair", 0);
        if (check_chair(env, s->chair_person_id, err) != 0)
            goto out;
    }
    if (strcmp(old->state, "scheduled")) {
        rc = api_fail(err, "not_scheduled", "session", "the session is %s: it can no longer change", old->state);
        goto out;
    }
    rc = store_session_update(env->store, s, conn->person_id, now, NULL);
    if (rc == STORE_GROUPS_CONFLICT) {
        rc = api_fail(err, "quarter_taken", "starts_at", "the group has a regular session in %s already", s->quarter);
        goto out;
    }
    if (rc == 1) {
        rc = api_fail(err, "not_found", "session", "the session no longer exists");
        goto out;
    }
    if (rc != 0) {
        rc = api_internal_error(err, "updating the session");
        goto out;
    }
    rc = add_session(env, reply, "session", old->id, err);
out:
    free(old);
    free(s);
    return rc;
}

static const struct proto_field session_cancel_fields[] = {
    {"session", PROTO_INT, true, 1, PROTO_MAX_SAFE_INT},
    {"reason", PROTO_STRING, true, 1, GROUPS_REASON_MAX},
};

static int handle_session_cancel(struct api_env *env, struct api_conn *conn, const struct proto_request *req,
                                 struct json_object *reply, struct proto_error *err)
{
    const char *reason = api_str(req, "reason");
    int64_t id = api_int(req, "session", 0);
    int rc;

    if (!groups_reason_is_valid(reason))
        return bad_field(err, "reason", "must be 1 to 1000 bytes of text on one line");
    rc = store_session_cancel(env->store, id, reason, conn->person_id, timeutil_now_ms());
    if (rc == 1)
        return api_fail(err, "not_found", "session", "no session has the id %" PRId64, id);
    if (rc == STORE_GROUPS_CONFLICT)
        return api_fail(err, "not_scheduled", "session", "the session is live or closed: it cannot be cancelled");
    if (rc != 0 && rc != 2)
        return api_internal_error(err, "cancelling the session");
    return add_session(env, reply, "session", id, err);
}

/* Whether quarter (a name) is one the term touches. */
static bool in_term(const struct group_term *t, const char *quarter)
{
    struct groups_quarter q, first, last;

    return groups_quarter_parse(quarter, &q) == 0 && groups_quarter_of_date(t->starts_on, &first) == 0 &&
           groups_quarter_of_date(t->ends_on, &last) == 0 &&
           q.year * 4 + q.quarter >= first.year * 4 + first.quarter &&
           q.year * 4 + q.quarter <= last.year * 4 + last.quarter;
}

/* session.plan: the regular sessions of the current term for every active group that lacks one in a quarter. */
static int handle_session_plan(struct api_env *env, struct api_conn *conn, const struct proto_request *req,
                               struct json_object *reply, struct proto_error *err)
{
    struct group_session *all = NULL;
    struct json_object *arr = NULL, *tj = NULL;
    struct group_term term;
    int64_t now = timeutil_now_ms();
    size_t ns = 0, created = 0;
    int rc;

    (void)req;
    if ((rc = current_term(env, now, &term)) < 0)
        return api_internal_error(err, "reading the presidency term");
    if (rc == 1)
        return api_fail(err, "no_term", NULL, "no presidency term is recorded: there is no term to plan");
    if (store_session_plan_term(env->store, &term, now, conn->person_id, &created) != 0)
        return api_internal_error(err, "planning the sessions");
    rc = -1;
    if (store_session_list(env->store, 0, &all, &ns) != 0 || !(arr = json_object_new_array()) ||
        !(tj = term_json(&term))) {
        rc = oom(err);
        goto out;
    }
    for (size_t i = 0; i < ns; i++) {
        struct json_object *o;
        if (strcmp(all[i].kind, "regular") || !in_term(&term, all[i].quarter))
            continue;
        if (!(o = api_session_json(env, &all[i])) || json_object_array_add(arr, o) != 0) {
            json_object_put(o);
            rc = oom(err);
            goto out;
        }
    }
    json_object_object_add(reply, "created", json_object_new_int64((int64_t)created));
    json_object_object_add(reply, "sessions", arr);
    json_object_object_add(reply, "term", tj);
    arr = tj = NULL;
    rc = 0;
out:
    json_object_put(arr);
    json_object_put(tj);
    free(all);
    return rc;
}

/* ---- session.request, session.request_decide ---- */

static const struct proto_field session_request_fields[] = {
    {"group", PROTO_STRING, true, 1, GROUPS_CODE_MAX},
    {"reason", PROTO_STRING, true, 1, GROUPS_REASON_MAX},
    {"requested", PROTO_STRING, true, TIME_LEN, TIME_LEN},
    {"statement", PROTO_STRING, true, 1, GROUPS_STATEMENT_MAX},
    {"signature", PROTO_STRING, true, 128, 128},
};

/* session.request: a member city asks for an extra session, with a signed statement and a reason. */
static int handle_session_request(struct api_env *env, struct api_conn *conn, const struct proto_request *req,
                                  struct json_object *reply, struct proto_error *err)
{
    struct groups_request_text t = {.reason = api_str(req, "reason")};
    struct session_request *r = NULL;
    struct registry_city city;
    struct group_record g;
    char expected[GROUPS_STATEMENT_MAX + 1];
    uint8_t sig[64];
    int64_t now = timeutil_now_ms(), id = 0;
    int len, rc = -1;

    if (find_group(env, api_str(req, "group"), "group", &g, err) != 0)
        return -1;
    if (!groups_reason_is_valid(t.reason))
        return bad_field(err, "reason", "must be 1 to 1000 bytes of text on one line");
    if (time_field(req, "requested", &t.requested_ms, err) != 0)
        return -1;
    if (llabs(t.requested_ms - now) > GROUPS_STATEMENT_SKEW_MS)
        return bad_field(err, "requested", "must be the current time (within 5 minutes of the server's clock)");
    if (hex_field(req, "signature", sig, 64, err) != 0)
        return -1;
    if (speaker_for(env, conn, &g, true, &city, err) != 0)
        return -1;
    if (strcmp(g.state, "active"))
        return api_fail(err, "group_not_active", "group", "the group %s is %s, not active", g.code, g.state);
    t.group = g.code;
    t.city = city.code;
    len = groups_request_statement(&t, expected, sizeof(expected));
    if (check_signed(conn, expected, len, api_str(req, "statement"), sig, err) != 0)
        return -1;
    {
        char key[2 * GROUP_CODE_SIZE + 2];
        int64_t retry = 0;
        snprintf(key, sizeof(key), "%s/%s", g.code, city.code);
        if (!ratelimit_allow(env->limits, "session.request", key, now, REQUEST_BURST, REQUEST_WINDOW_MS, &retry))
            return api_fail(err, "rate_limited", NULL, "%s has made %d requests in this group today; try again in %lld minutes",
                            city.code, REQUEST_BURST, (long long)((retry + 59999) / 60000));
    }
    if (!(r = calloc(1, sizeof(*r))))
        return oom(err);
    r->group_id = g.id;
    r->city_id = city.id;
    r->person_id = conn->person_id;
    r->key_id = conn->key_id;
    memcpy(r->public_key, conn->key_public, 32);
    memcpy(r->statement, expected, (size_t)len + 1);
    memcpy(r->signature, sig, 64);
    snprintf(r->reason, sizeof(r->reason), "%s", t.reason);
    r->requested_at_ms = t.requested_ms;
    if (store_session_request_add(env->store, r, &id) != 0 || store_session_request_get(env->store, id, r) != 0) {
        rc = api_internal_error(err, "recording the request");
        goto out;
    }
    {
        struct json_object *o = request_json(r, g.code);
        if (!o) {
            rc = oom(err);
            goto out;
        }
        json_object_object_add(reply, "request", o);
    }
    rc = 0;
out:
    free(r);
    return rc;
}

static const struct proto_field session_request_decide_fields[] = {
    {"request", PROTO_INT, true, 1, PROTO_MAX_SAFE_INT},
    {"decision", PROTO_STRING, true, 1, 16},
    {"reason", PROTO_STRING, false, 1, GROUPS_REASON_MAX},
    {"title", PROTO_STRING, false, 1, GROUPS_TITLE_MAX},
    {"starts_at", PROTO_STRING, false, TIME_LEN, TIME_LEN},
    {"ends_at", PROTO_STRING, false, TIME_LEN, TIME_LEN},
    {"video_url", PROTO_STRING, false, 0, GROUPS_URL_MAX},
    {"agenda", PROTO_ARRAY, false, 1, GROUPS_AGENDA_ITEMS_MAX},
};

/* session.request_decide: the secretariat schedules the extra session asked for, or declines with a reason. */
static int handle_session_request_decide(struct api_env *env, struct api_conn *conn, const struct proto_request *req,
                                         struct json_object *reply, struct proto_error *err)
{
    const char *decision = api_str(req, "decision"), *reason = api_str(req, "reason"), *title = api_str(req, "title"),
               *url = api_str(req, "video_url");
    struct session_request *r = malloc(sizeof(*r));
    struct group_session *s = calloc(1, sizeof(*s));
    struct group_record g;
    struct json_object *o;
    int64_t id = api_int(req, "request", 0), now = timeutil_now_ms(), sid = 0;
    bool schedule;
    int rc = -1;

    if (!r || !s) {
        rc = oom(err);
        goto out;
    }
    if (!decision || (strcmp(decision, "schedule") && strcmp(decision, "decline"))) {
        rc = bad_field(err, "decision", "must be 'schedule' or 'decline'");
        goto out;
    }
    schedule = !strcmp(decision, "schedule");
    if (reason && !groups_reason_is_valid(reason)) {
        rc = bad_field(err, "reason", "must be 1 to 1000 bytes of text on one line");
        goto out;
    }
    if (!schedule && !reason) {
        rc = bad_field(err, "reason", "is required to decline a request");
        goto out;
    }
    if ((rc = store_session_request_get(env->store, id, r)) != 0) {
        rc = rc == 1 ? api_fail(err, "not_found", "request", "no request has the id %" PRId64, id)
                     : api_internal_error(err, "reading the request");
        goto out;
    }
    rc = -1;
    if (strcmp(r->state, "pending")) {
        rc = api_fail(err, "already_decided", "request", "the request was %s already", r->state);
        goto out;
    }
    if (store_group_get(env->store, r->group_id, &g) != 0) {
        rc = api_internal_error(err, "reading the group");
        goto out;
    }
    if (schedule) {
        if (!api_get(req, "starts_at") || !api_get(req, "ends_at")) {
            rc = bad_field(err, "starts_at", "and ends_at are required to schedule the session");
            goto out;
        }
        if (title && !groups_title_is_valid(title)) {
            rc = bad_field(err, "title", "must be 1 to 120 bytes of text on one line");
            goto out;
        }
        if (url && url[0] && !groups_url_is_valid(url)) {
            rc = bad_field(err, "video_url", "must be an https link without spaces or quotes");
            goto out;
        }
        snprintf(s->kind, sizeof(s->kind), "extra");
        snprintf(s->title, sizeof(s->title), "%s", title ? title : "Extra session");
        snprintf(s->video_url, sizeof(s->video_url), "%s", url ? url : "");
        if (api_get(req, "agenda")) {
            if (agenda_field(req, s->agenda_json, err) != 0)
                goto out;
        } else {
            struct json_object *a = json_object_new_array();
            char item[GROUPS_AGENDA_ITEM_MAX + 1];
            snprintf(item, sizeof(item), "The request of %s", r->city);
            if (!a) {
                rc = oom(err);
                goto out;
            }
            json_object_array_add(a, json_object_new_string("Opening"));
            json_object_array_add(a, json_object_new_string(item));
            json_object_array_add(a, json_object_new_string("Any other business"));
            snprintf(s->agenda_json, sizeof(s->agenda_json), "%s",
                     json_object_to_json_string_ext(a, JSON_C_TO_STRING_PLAIN));
            json_object_put(a);
        }
        if (time_field(req, "starts_at", &s->starts_at_ms, err) != 0 ||
            time_field(req, "ends_at", &s->ends_at_ms, err) != 0 ||
            check_times(s->starts_at_ms, s->ends_at_ms, now, err) != 0 ||
            quarter_of(s->starts_at_ms, s->quarter, err) != 0)
            goto out;
        if (strcmp(g.state, "active")) {
            rc = api_fail(err, "group_not_active", "group", "the group %s is %s, not active", g.code, g.state);
            goto out;
        }
    }
    rc = store_session_request_decide(env->store, id, schedule ? s : NULL, reason ? reason : "", conn->person_id, now,
                                      &sid);
    if (rc == STORE_GROUPS_CONFLICT) {
        rc = api_fail(err, "already_decided", "request", "the request was decided meanwhile, or its group is not active");
        goto out;
    }
    if (rc != 0) {
        rc = api_internal_error(err, "deciding the request");
        goto out;
    }
    if (store_session_request_get(env->store, id, r) != 0 || !(o = request_json(r, g.code))) {
        rc = oom(err);
        goto out;
    }
    json_object_object_add(reply, "request", o);
    if (sid > 0)
        rc = add_session(env, reply, "session", sid, err);
    else
        json_object_object_add(reply, "session", NULL);
out:
    free(r);
    free(s);
    return rc;
}

/* ---- time polls ---- */

static struct json_object *poll_json(struct api_env *env, const struct time_poll *p)
{
    struct json_object *o = json_object_new_object(), *slots = json_object_new_array(), *answers = NULL;
    struct time_poll_answer *a = NULL;
    struct group_record g;
    int64_t picked = 0;
    size_t n = 0;

    if (!o || !slots || store_timepoll_answers(env->store, p->id, &a, &n) != 0 ||
        store_group_get(env->store, p->group_id, &g) != 0 || !(answers = json_object_new_array_ext((int)n))) {
        json_object_put(o);
        json_object_put(slots);
        json_object_put(answers);
        free(a);
        return NULL;
    }
    for (size_t i = 0; i < p->nslots; i++) {
        struct json_object *s = json_object_new_object();
        if (!s)
            continue;
        json_object_object_add(s, "position", json_object_new_int64(p->slots[i].position));
        api_add_time(s, "starts_at", p->slots[i].starts_at_ms);
        api_add_time(s, "ends_at", p->slots[i].ends_at_ms);
        json_object_object_add(s, "marks", json_object_new_int64(p->slots[i].marks));
        json_object_array_add(slots, s);
        if (p->slots[i].id == p->picked_slot_id)
            picked = p->slots[i].position;
    }
    for (size_t i = 0; i < n; i++) {
        struct json_object *x = json_object_new_object(), *pos = json_object_new_array();
        if (!x || !pos) {
            json_object_put(x);
            json_object_put(pos);
            continue;
        }
        for (size_t k = 0; k < a[i].npositions; k++)
            json_object_array_add(pos, json_object_new_int64(a[i].positions[k]));
        json_object_object_add(x, "city", json_object_new_string(a[i].city));
        json_object_object_add(x, "positions", pos);
        api_add_time(x, "at", a[i].at_ms);
        json_object_array_add(answers, x);
    }
    free(a);
    json_object_object_add(o, "id", json_object_new_int64(p->id));
    json_object_object_add(o, "session", json_object_new_int64(p->session_id));
    json_object_object_add(o, "group", json_object_new_string(g.code));
    json_object_object_add(o, "state", json_object_new_string(p->state));
    json_object_object_add(o, "slots", slots);
    json_object_object_add(o, "answers", answers);
    json_object_object_add(o, "picked", picked > 0 ? json_object_new_int64(picked) : NULL);
    api_add_time(o, "created_at", p->created_at_ms);
    add_time_or_null(o, "closed_at", p->closed_at_ms);
    return o;
}

/* Adds poll `id` as "time_poll" to reply. 0 or -1 (internal). */
static int add_poll(struct api_env *env, struct json_object *reply, int64_t id, struct proto_error *err)
{
    struct time_poll p;
    struct json_object *o;

    if (store_timepoll_get(env->store, id, &p) != 0 || !(o = poll_json(env, &p)))
        return oom(err);
    json_object_object_add(reply, "time_poll", o);
    return 0;
}

/* Poll `id` for a handler: 0, or -1 with not_found (field `poll`) or internal. */
static int find_poll(struct api_env *env, int64_t id, struct time_poll *out, struct proto_error *err)
{
    int rc = store_timepoll_get(env->store, id, out);

    if (rc == 1)
        return api_fail(err, "not_found", "poll", "no time poll has the id %" PRId64, id);
    if (rc != 0)
        return api_internal_error(err, "reading the time poll");
    return 0;
}

static const struct proto_field timepoll_create_fields[] = {
    {"session", PROTO_INT, true, 1, PROTO_MAX_SAFE_INT},
    {"slots", PROTO_ARRAY, true, GROUPS_SLOTS_MIN, GROUPS_SLOTS_MAX},
};

/* Reads slot i of the request's slots: {"starts_at", "ends_at"} exactly. 0 or -1 (bad_request naming `slots`). */
static int slot_field(struct json_object *slot, int64_t *starts, int64_t *ends, struct proto_error *err)
{
    struct json_object *a, *b;

    if (!json_object_is_type(slot, json_type_object) || json_object_object_length(slot) != 2 ||
        !json_object_object_get_ex(slot, "starts_at", &a) || !json_object_object_get_ex(slot, "ends_at", &b) ||
        !json_object_is_type(a, json_type_string) || !json_object_is_type(b, json_type_string) ||
        timeutil_parse_rfc3339(json_object_get_string(a), starts) != 0 ||
        timeutil_parse_rfc3339(json_object_get_string(b), ends) != 0)
        return bad_field(err, "slots", "must hold objects {\"starts_at\", \"ends_at\"} with RFC 3339 UTC times");
    return 0;
}

/* timepoll.create: the secretariat or the chair offers 2..12 candidate slots for a scheduled session. */
static int handle_timepoll_create(struct api_env *env, struct api_conn *conn, const struct proto_request *req,
                                  struct json_object *reply, struct proto_error *err)
{
    struct json_object *slots = api_get(req, "slots");
    struct group_session *s = malloc(sizeof(*s));
    int64_t starts[GROUPS_SLOTS_MAX], ends[GROUPS_SLOTS_MAX], now = timeutil_now_ms(), id = 0;
    size_t n = json_object_array_length(slots);
    int rc = -1;

    if (!s)
        return oom(err);
    if (find_session(env, api_int(req, "session", 0), s, err) != 0)
        goto out;
    if (!may_manage(conn, s)) {
        rc = api_fail(err, "forbidden", NULL, "only the secretariat or the session's chair may open a time poll");
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        char q[8];
        if (slot_field(json_object_array_get_idx(slots, i), &starts[i], &ends[i], err) != 0)
            goto out;
        if (starts[i] <= now || !groups_duration_is_valid(starts[i], ends[i])) {
            rc = bad_field(err, "slots", "must each start in the future and last 15 minutes to 12 hours");
            goto out;
        }
        if (quarter_of(starts[i], q, err) != 0)
            goto out;
        if (!strcmp(s->kind, "regular") && strcmp(q, s->quarter)) {
            rc = bad_field(err, "slots", "must each start in the regular session's quarter");
            goto out;
        }
        for (size_t k = 0; k < i; k++)
            if (starts[k] == starts[i] && ends[k] == ends[i]) {
                rc = bad_field(err, "slots", "must not offer the same slot twice");
                goto out;
            }
    }
    if (strcmp(s->state, "scheduled")) {
        rc = api_fail(err, "not_scheduled", "session", "the session is %s: its time can no longer change", s->state);
        goto out;
    }
    rc = store_timepoll_create(env->store, s->id, starts, ends, n, conn->person_id, now, &id);
    if (rc == STORE_GROUPS_CONFLICT) {
        rc = api_fail(err, "conflict", "session", "the session has an open time poll already");
        goto out;
    }
    if (rc != 0) {
        rc = api_internal_error(err, "opening the time poll");
        goto out;
    }
    rc = add_poll(env, reply, id, err);
out:
    free(s);
    return rc;
}

static const struct proto_field timepoll_get_fields[] = {
    {"poll", PROTO_INT, true, 1, PROTO_MAX_SAFE_INT},
};

static int handle_timepoll_get(struct api_env *env, struct api_conn *conn, const struct proto_request *req,
                               struct json_object *reply, struct proto_error *err)
{
    struct time_poll p;

    (void)conn;
    if (find_poll(env, api_int(req, "poll", 0), &p, err) != 0)
        return -1;
    return add_poll(env, reply, p.id, err);
}

static const struct proto_field timepoll_mark_fields[] = {
    {"poll", PROTO_INT, true, 1, PROTO_MAX_SAFE_INT},
    {"positions", PROTO_ARRAY, true, 0, GROUPS_SLOTS_MAX},
};

/* timepoll.mark: a member city marks the slots that suit it (replacing its earlier marks). */
static int handle_timepoll_mark(struct api_env *env, struct api_conn *conn, const struct proto_request *req,
                                struct json_object *reply, struct proto_error *err)
{
    struct json_object *arr = api_get(req, "positions");
    struct registry_city city;
    struct group_record g;
    struct time_poll p;
    int64_t positions[GROUPS_SLOTS_MAX];
    size_t n = json_object_array_length(arr);
    int rc;

    if (find_poll(env, api_int(req, "poll", 0), &p, err) != 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        struct json_object *v = json_object_array_get_idx(arr, i);
        if (!json_object_is_type(v, json_type_int) || json_object_get_int64(v) < 1 ||
            json_object_get_int64(v) > (int64_t)p.nslots)
            return bad_field(err, "positions", "must hold slot positions of this poll");
        positions[i] = json_object_get_int64(v);
        for (size_t k = 0; k < i; k++)
            if (positions[k] == positions[i])
                return bad_field(err, "positions", "must not name a slot twice");
    }
    if (store_group_get(env->store, p.group_id, &g) != 0)
        return api_internal_error(err, "reading the group");
    if (speaker_for(env, conn, &g, true, &city, err) != 0)
        return -1;
    if (strcmp(p.state, "open"))
        return api_fail(err, "poll_closed", "poll", "the time poll has closed");
    rc = store_timepoll_mark(env->store, p.id, city.id, positions, n, conn->person_id, timeutil_now_ms());
    if (rc == STORE_GROUPS_CONFLICT)
        return api_fail(err, "poll_closed", "poll", "the time poll has closed");
    if (rc == STORE_GROUPS_NOT_FOUND)
        return bad_field(err, "positions", "must hold slot positions of this poll");
    if (rc != 0)
        return api_internal_error(err, "recording the marks");
    return add_poll(env, reply, p.id, err);
}

static const struct proto_field timepoll_pick_fields[] = {
    {"poll", PROTO_INT, true, 1, PROTO_MAX_SAFE_INT},
    {"position", PROTO_INT, true, 1, GROUPS_SLOTS_MAX},
};

/* timepoll.pick: the chair or the secretariat picks a slot: the session takes its time. */
static int handle_timepoll_pick(struct api_env *env, struct api_conn *conn, const struct proto_request *req,
                                struct json_object *reply, struct proto_error *err)
{
    struct group_session *s = malloc(sizeof(*s));
    int64_t position = api_int(req, "position", 0);
    struct time_poll p;
    int rc = -1;

    if (!s)
        return oom(err);
    if (find_poll(env, api_int(req, "poll", 0), &p, err) != 0 || find_session(env, p.session_id, s, err) != 0)
        goto out;
    if (!may_manage(conn, s)) {
        rc = api_fail(err, "forbidden", NULL, "only the secretariat or the session's chair may pick the time");
        goto out;
    }
    if (position > (int64_t)p.nslots) {
        rc = bad_field(err, "position", "must be a slot position of this poll");
        goto out;
    }
    if (strcmp(p.state, "open")) {
        rc = api_fail(err, "poll_closed", "poll", "the time poll has closed");
        goto out;
    }
    if (strcmp(s->state, "scheduled")) {
        rc = api_fail(err, "not_scheduled", "session", "the session is %s: its time can no longer change", s->state);
        goto out;
    }
    rc = store_timepoll_pick(env->store, p.id, position, conn->person_id, timeutil_now_ms());
    if (rc == STORE_GROUPS_CONFLICT) {
        rc = api_fail(err, "poll_closed", "poll", "the time poll closed meanwhile");
        goto out;
    }
    if (rc == STORE_GROUPS_NOT_FOUND) {
        rc = bad_field(err, "position", "must be a slot position of this poll");
        goto out;
    }
    if (rc != 0) {
        rc = api_internal_error(err, "picking the slot");
        goto out;
    }
    if ((rc = add_poll(env, reply, p.id, err)) == 0)
        rc = add_session(env, reply, "session", s->id, err);
out:
    free(s);
    return rc;
}

/* ---- recommendations and follow-up ---- */

static const struct proto_field recommendation_list_fields[] = {
    {"group", PROTO_STRING, true, 1, GROUPS_CODE_MAX},
};

static int handle_recommendation_list(struct api_env *env, struct api_conn *conn, const struct proto_request *req,
                                      struct json_object *reply, struct proto_error *err)
{
    struct group_record g;
    struct json_object *arr;

    (void)conn;
    if (find_group(env, api_str(req, "group"), "group", &g, err) != 0)
        return -1;
    if (!(arr = recommendations_json(env, g.id)))
        return oom(err);
    json_object_object_add(reply, "recommendations", arr);
    return 0;
}

static const struct proto_field followup_report_fields[] = {
    {"recommendation", PROTO_INT, true, 1, PROTO_MAX_SAFE_INT},
    {"status", PROTO_STRING, true, 1, 16},
    {"note", PROTO_STRING, true, 0, GROUPS_NOTE_MAX},
    {"on_date", PROTO_STRING, true, MEMBERSHIP_DATE_LEN, MEMBERSHIP_DATE_LEN},
};

/* Finds recommendation `id`: 0, or -1 with not_found (`recommendation`) or internal. */
static int find_recommendation(struct api_env *env, int64_t id, struct recommendation *out, struct proto_error *err)
{
    int rc = store_recommendation_get(env->store, id, out);

    if (rc == 1)
        return api_fail(err, "not_found", "recommendation", "no recommendation has the id %" PRId64, id);
    if (rc != 0)
        return api_internal_error(err, "reading the recommendation");
    return 0;
}

/* followup.report: a member city reports where it stands on a recommendation (appended; history kept). */
static int handle_followup_report(struct api_env *env, struct api_conn *conn, const struct proto_request *req,
                                  struct json_object *reply, struct proto_error *err)
{
    const char *status = api_str(req, "status"), *note = api_str(req, "note"), *on_date = api_str(req, "on_date");
    struct recommendation *r = malloc(sizeof(*r));
    struct registry_city city;
    struct group_record g;
    struct json_object *o;
    int rc = -1;

    if (!r)
        return oom(err);
    if (!groups_followup_status_is_valid(status)) {
        rc = bad_field(err, "status", "must be planned, in_progress, implemented or not_planned");
        goto out;
    }
    if (!groups_note_is_valid(note)) {
        rc = bad_field(err, "note", "must be 0 to 1000 bytes of text (line feeds allowed)");
        goto out;
    }
    if (!membership_date_is_valid(on_date)) {
        rc = bad_field(err, "on_date", "must be a date YYYY-MM-DD");
        goto out;
    }
    if (find_recommendation(env, api_int(req, "recommendation", 0), r, err) != 0)
        goto out;
    if (store_group_get(env->store, r->group_id, &g) != 0) {
        rc = api_internal_error(err, "reading the group");
        goto out;
    }
    if (speaker_for(env, conn, &g, false, &city, err) != 0)
        goto out;
    {
        char key[48];
        int64_t retry = 0;
        snprintf(key, sizeof(key), "%lld/%s", (long long)r->id, city.code);
        if (!ratelimit_allow(env->limits, "followup.report", key, timeutil_now_ms(), FOLLOWUP_BURST, FOLLOWUP_WINDOW_MS,
                             &retry)) {
            rc = api_fail(err, "rate_limited", NULL,
                          "%s has reported %d times on this recommendation today; try again in %lld minutes", city.code,
                          FOLLOWUP_BURST, (long long)((retry + 59999) / 60000));
            goto out;
        }
    }
    if (store_followup_add(env->store, r->id, city.id, status, note, on_date, conn->person_id, timeutil_now_ms(),
                           NULL) != 0) {
        rc = api_internal_error(err, "recording the follow-up");
        goto out;
    }
    if (!(o = recommendation_json(env, r))) {
        rc = oom(err);
        goto out;
    }
    json_object_object_add(reply, "recommendation", o);
    rc = 0;
out:
    free(r);
    return rc;
}

static const struct proto_field followup_history_fields[] = {
    {"recommendation", PROTO_INT, true, 1, PROTO_MAX_SAFE_INT},
};

static int handle_followup_history(struct api_env *env, struct api_conn *conn, const struct proto_request *req,
                                   struct json_object *reply, struct proto_error *err)
{
    struct recommendation *r = malloc(sizeof(*r));
    struct json_object *arr;
    int rc = -1;

    (void)conn;
    if (!r)
        return oom(err);
    if (find_recommendation(env, api_int(req, "recommendation", 0), r, err) == 0) {
        if ((arr = followups_json(env, r->id, false))) {
            json_object_object_add(reply, "reports", arr);
            rc = 0;
        } else {
            rc = oom(err);
        }
    }
    free(r);
    return rc;
}

#define FIELDS(f) f, sizeof(f) / sizeof((f)[0])

const struct api_type api_groups_types[] = {
    {"group.list", API_PUBLIC, NULL, 0, handle_group_list},
    {"group.get", API_PUBLIC, FIELDS(group_get_fields), handle_group_get},
    {"group.join", API_SIGNED_IN, FIELDS(group_city_fields), handle_group_join},
    {"group.leave", API_SIGNED_IN, FIELDS(group_city_fields), handle_group_leave},
    {"group.set_delegate", API_SIGNED_IN, FIELDS(group_delegate_fields), handle_group_set_delegate},
    {"group.eligible_delegates", API_SIGNED_IN, FIELDS(group_eligible_fields), handle_group_eligible_delegates},
    {"group.propose", API_SIGNED_IN, FIELDS(group_propose_fields), handle_group_propose},
    {"group.agree", API_SIGNED_IN, FIELDS(group_agree_fields), handle_group_agree},
    {"session.list", API_PUBLIC, FIELDS(session_list_fields), handle_session_list},
    {"session.get", API_PUBLIC, FIELDS(session_get_fields), handle_session_get},
    {"session.schedule", API_SECRETARIAT, FIELDS(session_schedule_fields), handle_session_schedule},
    {"session.update", API_SIGNED_IN, FIELDS(session_update_fields), handle_session_update},
    {"session.cancel", API_SECRETARIAT, FIELDS(session_cancel_fields), handle_session_cancel},
    {"session.plan", API_SECRETARIAT, NULL, 0, handle_session_plan},
    {"session.request", API_SIGNED_IN, FIELDS(session_request_fields), handle_session_request},
    {"session.request_decide", API_SECRETARIAT, FIELDS(session_request_decide_fields), handle_session_request_decide},
    {"timepoll.create", API_SIGNED_IN, FIELDS(timepoll_create_fields), handle_timepoll_create},
    {"timepoll.get", API_PUBLIC, FIELDS(timepoll_get_fields), handle_timepoll_get},
    {"timepoll.mark", API_SIGNED_IN, FIELDS(timepoll_mark_fields), handle_timepoll_mark},
    {"timepoll.pick", API_SIGNED_IN, FIELDS(timepoll_pick_fields), handle_timepoll_pick},
    {"recommendation.list", API_PUBLIC, FIELDS(recommendation_list_fields), handle_recommendation_list},
    {"followup.report", API_SIGNED_IN, FIELDS(followup_report_fields), handle_followup_report},
    {"followup.history", API_PUBLIC, FIELDS(followup_history_fields), handle_followup_history},
};
const size_t api_groups_count = sizeof(api_groups_types) / sizeof(api_groups_types[0]);
