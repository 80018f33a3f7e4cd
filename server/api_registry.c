/*
 * api_registry: the "Members and the registry" message types of
 * docs/protocol.md: members.list, members.as_of, membership.request,
 * city.set_status, request.list, request.decide and history.list. Each
 * handler checks what proto could not (the syntax and meaning of each
 * field, with include/b40/membership.h), applies the charter's rules, and
 * calls the registry store; a rule broken is a domain error with its code
 * from the doc, never a crash. Handlers never see malformed JSON and run
 * only after api.c has checked the sender's access. Service thread.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "api_internal.h"
#include "b40/log.h"
#include "b40/membership.h"
#include "b40/ratelimit.h"
#include "b40/store.h"
#include "b40/store_registry.h"
#include "b40/timeutil.h"

/* membership.request: per address, and across all addresses (a flood from many addresses). */
#define REQUEST_LIMIT_PER_PEER 5
#define REQUEST_LIMIT_ALL 200
#define REQUEST_LIMIT_WINDOW_MS 3600000

#define HISTORY_LIMIT_DEFAULT 100
#define HISTORY_LIMIT_MAX 500
#define REQUEST_LIST_DEFAULT 50
#define REQUEST_LIST_MAX 100 /* a request is up to ~6 KB of JSON: 100 stay well inside a send queue */

static int bad_field(struct proto_error *err, const char *field, const char *what)
{
    return proto_fail(err, PROTO_BAD_REQUEST, field, "field '%s' %s", field, what);
}

/* Checks a free-text field (already bounded in bytes by proto) for what membership_text_is_valid refuses. */
static int check_text(const struct proto_request *req, const char *field, size_t max, bool multiline,
                      struct proto_error *err)
{
    if (!membership_text_is_valid(api_str(req, field), 1, max, multiline))
        return bad_field(err, field,
                         multiline ? "must have visible text and no control characters other than line feeds"
                                   : "must be one line of visible text without control characters");
    return 0;
}

/* Today's date in UTC, the day a status change made now takes effect. 0 or -1 (a broken clock). */
static int today(char out[MEMBERSHIP_DATE_LEN + 1])
{
    return membership_date_from_ms(timeutil_now_ms(), out);
}

/* ---- members.list ---- */

static const struct proto_field members_list_fields[] = {
    {"status", PROTO_STRING, false, 1, 16},
    {"country", PROTO_STRING, false, 2, 2},
};

/* members.list: the public list of cities (never applicants), filtered by status and country. */
static int handle_members_list(struct api_env *env, struct api_conn *conn, const struct proto_request *req,
                               struct json_object *reply, struct proto_error *err)
{
    struct registry_city_filter filter = {.status = MEMBERSHIP_NONE, .include_applicants = false};
    struct registry_city *cities = NULL;
    struct json_object *arr = NULL;
    const char *status = api_str(req, "status"), *country = api_str(req, "country");
    size_t n = 0;
    int demo, rc = -1;

    (void)conn;
    if (status && (membership_status_parse(status, &filter.status) != 0 || filter.status == MEMBERSHIP_APPLICANT))
        return bad_field(err, "status", "must be member, suspended or former");
    if (country) {
        if (!membership_country_is_valid(country))
            return bad_field(err, "country", "must be two capital letters (ISO 3166-1), e.g. GR");
        memcpy(filter.country, country, 3);
    }
    demo = store_demo_is_loaded(env->store);
    if (demo < 0 || store_city_list(env->store, &filter, &cities, &n) != 0) {
        rc = api_internal_error(err, "listing the cities");
        goto out;
    }
    if (!(arr = json_object_new_array_ext((int)n)))
        goto oom;
    for (size_t i = 0; i < n; i++) {
        struct json_object *c = store_city_json(&cities[i]);
        if (!c || json_object_array_add(arr, c) != 0) {
            json_object_put(c);
            goto oom;
        }
    }
    json_object_object_add(reply, "cities", arr);
    arr = NULL;
    json_object_object_add(reply, "demo", json_object_new_boolean(demo == 1));
    rc = 0;
    goto out;
oom:
    rc = api_internal_error(err, "listing the cities (out of memory)");
out:
    json_object_put(arr);
    free(cities);
    return rc;
}

/* ---- members.as_of ---- */

static const struct proto_field members_as_of_fields[] = {
    {"date", PROTO_STRING, true, MEMBERSHIP_DATE_LEN, MEMBERSHIP_DATE_LEN},
};

static int compare_codes(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* members.as_of: the codes of the cities that were members (suspended included) on a date, from the status history. */
static int handle_members_as_of(struct api_env *env, struct api_conn *conn, const struct proto_request *req,
                                struct json_object *reply, struct proto_error *err)
{
    const char *date = api_str(req, "date");
    struct registry_status_row *rows = NULL;
    struct membership_change *changes = NULL;
    const char **codes = NULL;
    struct json_object *arr = NULL;
    size_t n = 0, ncodes = 0;
    int rc = -1;

    (void)conn;
    if (!membership_date_is_valid(date))
        return bad_field(err, "date", "must be a calendar date YYYY-MM-DD");
    if (store_status_history(env->store, 0, &rows, &n) != 0) {
        rc = api_internal_error(err, "reading the status history");
        goto out;
    }
    if (n > 0 && (!(changes = calloc(n, sizeof(*changes))) || !(codes = calloc(n, sizeof(*codes)))))
        goto oom;
    /* The rows come grouped by city, each city's in recorded order: judge one group at a time. */
    for (size_t i = 0; i < n;) {
        size_t j = i;
        for (; j < n && rows[j].city_id == rows[i].city_id; j++)
            changes[j - i] = rows[j].change;
        if (membership_is_member_on(changes, j - i, date))
            codes[ncodes++] = rows[i].city;
        i = j;
    }
    if (ncodes > 1)
        qsort(codes, ncodes, sizeof(*codes), compare_codes);
    if (!(arr = json_object_new_array_ext((int)ncodes)))
        goto oom;
    for (size_t i = 0; i < ncodes; i++)
        if (json_object_array_add(arr, json_object_new_string(codes[i])) != 0)
            goto oom;
    json_object_object_add(reply, "date", json_object_new_string(date));
    json_object_object_add(reply, "members", arr);
    arr = NULL;
    rc = 0;
    goto out;
oom:
    rc = api_internal_error(err, "listing the members on a date (out of memory)");
out:
    json_object_put(arr);
    free(codes);
    free(changes);
    free(rows);
    return rc;
}

/* ---- membership.request ---- */

static const struct proto_field membership_request_fields[] = {
    {"city_name", PROTO_STRING, true, 1, MEMBERSHIP_NAME_MAX},
    {"country", PROTO_STRING, true, 2, 2},
    {"contact_name", PROTO_STRING, true, 1, MEMBERSHIP_NAME_MAX},
    {"email", PROTO_STRING, true, MEMBERSHIP_EMAIL_MIN, MEMBERSHIP_EMAIL_MAX},
    {"reason", PROTO_STRING, true, 1, MEMBERSHIP_REQUEST_REASON_MAX},
};

static int rate_limited(struct proto_error *err, int64_t retry_ms, const char *who)
{
    int64_t minutes = retry_ms > 0 ? (retry_ms + 59999) / 60000 : 1;

    if (minutes < 1)
        minutes = 1;
    return api_fail(err, "rate_limited", NULL, "too many membership requests %s; try again in %" PRId64 " minute%s",
                    who, minutes, minutes == 1 ? "" : "s");
}

/*
 * membership.request: the website form. Every field is checked first, then
 * the rate limits are counted, then the request is stored pending (with a
 * history entry that holds no contact details).
 */
static int handle_membership_request(struct api_env *env, struct api_conn *conn, const struct proto_request *req,
                                     struct json_object *reply, struct proto_error *err)
{
    struct registry_request_new r = {
        .city_name = api_str(req, "city_name"),
        .country = api_str(req, "country"),
        .contact_name = api_str(req, "contact_name"),
        .email = api_str(req, "email"),
        .reason = api_str(req, "reason"),
    };
    struct json_object *obj;
    int64_t now = timeutil_monotonic_ms(), retry = 0, id = 0;

    /* Checked before counting: a person who mistypes an address is not locked out for an hour. */
    if (check_text(req, "city_name", MEMBERSHIP_NAME_MAX, false, err) != 0)
        return -1;
    if (!membership_country_is_valid(r.country))
        return bad_field(err, "country", "must be two capital letters (ISO 3166-1), e.g. GR");
    if (check_text(req, "contact_name", MEMBERSHIP_NAME_MAX, false, err) != 0)
        return -1;
    if (!membership_email_is_valid(r.email))
        return bad_field(err, "email", "must be an e-mail address such as name@city.example");
    if (check_text(req, "reason", MEMBERSHIP_REQUEST_REASON_MAX, true, err) != 0)
        return -1;
    /* The address first, so that one flooding address does not use up everyone's allowance. */
    if (!ratelimit_allow(env->limits, "membership", conn->peer, now, REQUEST_LIMIT_PER_PEER, REQUEST_LIMIT_WINDOW_MS,
                         &retry))
        return rate_limited(err, retry, "from this address");
    if (!ratelimit_allow(env->limits, "membership", "*", now, REQUEST_LIMIT_ALL, REQUEST_LIMIT_WINDOW_MS, &retry))
        return rate_limited(err, retry, "are arriving from everywhere");
    if (store_request_add(env->store, &r, &id) != 0)
        return api_internal_error(err, "recording the membership request");
    if (!(obj = json_object_new_object()))
        return api_internal_error(err, "answering (out of memory)");
    json_object_object_add(obj, "id", json_object_new_int64(id));
    json_object_object_add(obj, "status", json_object_new_string("pending"));
    json_object_object_add(reply, "request", obj);
    return 0;
}

/* ---- city.set_status ---- */

static const struct proto_field city_set_status_fields[] = {
    {"city", PROTO_STRING, true, 2, MEMBERSHIP_CODE_MAX},
    {"status", PROTO_STRING, true, 1, 16},
    {"reason", PROTO_STRING, true, 1, MEMBERSHIP_REASON_MAX},
};

/*
 * city.set_status: one of the secretariat's status changes
 * (membership_transition_check), effective today (UTC); conflict when the
 * city has that status, the change is not allowed, or the record moved.
 */
static int handle_city_set_status(struct api_env *env, struct api_conn *conn, const struct proto_request *req,
                                  struct json_object *reply, struct proto_error *err)
{
    const char *code = api_str(req, "city"), *status = api_str(req, "status"), *reason = api_str(req, "reason");
    enum membership_status to;
    struct registry_city city;
    char date[MEMBERSHIP_DATE_LEN + 1];
    struct json_object *obj;
    int rc;

    if (!membership_code_is_valid(code))
        return bad_field(err, "city", "must be a city code (lower-case letters, digits and '-')");
    if (membership_status_parse(status, &to) != 0 || to == MEMBERSHIP_APPLICANT)
        return bad_field(err, "status", "must be member, suspended or former");
    if (check_text(req, "reason", MEMBERSHIP_REASON_MAX, true, err) != 0)
        return -1;
    if (today(date) != 0)
        return api_internal_error(err, "reading the date");
    rc = store_city_find(env->store, code, &city);
    if (rc == STORE_REGISTRY_NOT_FOUND)
        return api_fail(err, "not_found", "city", "no city has the code '%s'", code);
    if (rc != 0)
        return api_internal_error(err, "reading the city");
    switch (membership_transition_check(city.status, to)) {
    case MEMBERSHIP_TRANSITION_ALLOWED:
        break;
    case MEMBERSHIP_TRANSITION_SAME:
        return api_fail(err, "conflict", "status", "%s is %s already", code, status);
    case MEMBERSHIP_TRANSITION_REFUSED:
        if (city.status == MEMBERSHIP_APPLICANT)
            return api_fail(err, "conflict", "status",
                            "%s is an applicant: it becomes a member when its request is approved", code);
        return api_fail(err, "conflict", "status", "%s cannot go from %s to %s", code,
                        membership_status_name(city.status), status);
    }
    rc = store_city_set_status(env->store, code, city.status, to, date, reason, conn->person_id, &city);
    if (rc == STORE_REGISTRY_NOT_FOUND)
        return api_fail(err, "not_found", "city", "no city has the code '%s'", code);
    if (rc == STORE_REGISTRY_CONFLICT)
        return api_fail(err, "conflict", "status",
                        "%s changed meanwhile, or a status change after %s is on record; reload and try again", code,
                        date);
    if (rc != 0)
        return api_internal_error(err, "changing the city's status");
    if (!(obj = store_city_json(&city)))
        return api_internal_error(err, "answering (out of memory)");
    json_object_object_add(reply, "city", obj);
    return 0;
}

/* ---- request.list ---- */

static const struct proto_field request_list_fields[] = {
    {"status", PROTO_STRING, false, 1, 16},
    {"limit", PROTO_INT, false, 1, REQUEST_LIST_MAX},
    {"before", PROTO_INT, false, 1, PROTO_MAX_SAFE_INT},
};

static struct json_object *time_or_null(int64_t ms)
{
    char text[TIMEUTIL_RFC3339_LEN];

    return ms > 0 && timeutil_rfc3339(ms, text) == 0 ? json_object_new_string(text) : NULL;
}

static struct json_object *string_or_null(const char *s)
{
    return s && s[0] ? json_object_new_string(s) : NULL;
}

/* The request object of docs/protocol.md: new, owned by the caller; NULL when memory ran out. */
static struct json_object *request_json(const struct registry_request *r)
{
    struct json_object *o = json_object_new_object();

    if (!o)
        return NULL;
    json_object_object_add(o, "id", json_object_new_int64(r->id));
    json_object_object_add(o, "city_name", json_object_new_string(r->city_name));
    json_object_object_add(o, "country", json_object_new_string(r->country));
    json_object_object_add(o, "contact_name", json_object_new_string(r->contact_name));
    json_object_object_add(o, "email", json_object_new_string(r->email));
    json_object_object_add(o, "reason", json_object_new_string(r->reason));
    json_object_object_add(o, "submitted", time_or_null(r->submitted_ms));
    json_object_object_add(o, "status", json_object_new_string(membership_request_state_name(r->state)));
    json_object_object_add(o, "decided", time_or_null(r->decided_ms));
    json_object_object_add(o, "decision_reason", string_or_null(r->decision_reason));
    json_object_object_add(o, "city", string_or_null(r->city));
    return o;
}

/* request.list: membership requests, newest first, at most `limit`, below id `before`. */
static int handle_request_list(struct api_env *env, struct api_conn *conn, const struct proto_request *req,
                               struct json_object *reply, struct proto_error *err)
{
    enum membership_request_state state = MEMBERSHIP_REQUEST_ANY;
    const char *status = api_str(req, "status");
    struct registry_request *list = NULL;
    struct json_object *arr = NULL;
    size_t n = 0;
    int rc = -1;

    (void)conn;
    if (status && membership_request_state_parse(status, &state) != 0)
        return bad_field(err, "status", "must be pending, approved or rejected");
    if (store_request_list(env->store, state, api_int(req, "before", 0), (int)api_int(req, "limit", REQUEST_LIST_DEFAULT),
                           &list, &n) != 0) {
        rc = api_internal_error(err, "listing the membership requests");
        goto out;
    }
    if (!(arr = json_object_new_array_ext((int)n)))
        goto oom;
    for (size_t i = 0; i < n; i++) {
        struct json_object *o = request_json(&list[i]);
        if (!o || json_object_array_add(arr, o) != 0) {
            json_object_put(o);
            goto oom;
        }
    }
    json_object_object_add(reply, "requests", arr);
    arr = NULL;
    rc = 0;
    goto out;
oom:
    rc = api_internal_error(err, "listing the membership requests (out of memory)");
out:
    json_object_put(arr);
    free(list);
    return rc;
}

/* ---- request.decide ---- */

static const struct proto_field request_decide_fields[] = {
    {"request", PROTO_INT, true, 1, PROTO_MAX_SAFE_INT},
    {"decision", PROTO_STRING, true, 1, 16},
    {"reason", PROTO_STRING, true, 1, MEMBERSHIP_REASON_MAX},
    {"city", PROTO_OBJECT, false, 0, 0},
};

static const char *const city_keys[] = {"code", "name", "name_local", "country", "tz", "lat", "lon"};

/* Copies string member `key` of o into buf[size] when it passes `valid`; else a bad_request naming city.KEY. */
static int city_string(struct json_object *o, const char *key, char *buf, size_t size, bool (*valid)(const char *),
                       const char *what, struct proto_error *err)
{
    struct json_object *v;
    char field[32];
    const char *s;

    snprintf(field, sizeof(field), "city.%s", key);
    if (!json_object_object_get_ex(o, key, &v))
        return proto_fail(err, PROTO_BAD_REQUEST, field, "field '%s' is required", field);
    if (!json_object_is_type(v, json_type_string))
        return proto_fail(err, PROTO_BAD_REQUEST, field, "field '%s' must be a string", field);
    s = json_object_get_string(v);
    if ((size_t)json_object_get_string_len(v) != strlen(s) || strlen(s) >= size || !valid(s))
        return proto_fail(err, PROTO_BAD_REQUEST, field, "field '%s' %s", field, what);
    memcpy(buf, s, strlen(s) + 1);
    return 0;
}

static bool is_city_name(const char *s)
{
    return membership_text_is_valid(s, 1, MEMBERSHIP_NAME_MAX, false);
}

static int city_coordinate(struct json_object *o, const char *key, double *out, struct proto_error *err)
{
    struct json_object *v;
    char field[32];

    snprintf(field, sizeof(field), "city.%s", key);
    if (!json_object_object_get_ex(o, key, &v))
        return proto_fail(err, PROTO_BAD_REQUEST, field, "field '%s' is required", field);
    if (!json_object_is_type(v, json_type_double) && !json_object_is_type(v, json_type_int))
        return proto_fail(err, PROTO_BAD_REQUEST, field, "field '%s' must be a number", field);
    /* Stored to 4 decimals (about 11 m), as every city object is sent. */
    *out = round(json_object_get_double(v) * 10000.0) / 10000.0;
    return 0;
}

/* Reads and checks the `city` object of an approval into c. 0, or -1 with a bad_request naming the member. */
static int parse_city(struct json_object *o, struct registry_city *c, struct proto_error *err)
{
    memset(c, 0, sizeof(*c));
    json_object_object_foreach(o, key, val) {
        bool known = false;
        (void)val;
        for (size_t i = 0; !known && i < sizeof(city_keys) / sizeof(city_keys[0]); i++)
            known = !strcmp(key, city_keys[i]);
        if (!known)
            return proto_fail(err, PROTO_BAD_REQUEST, "city", "field 'city.%.32s' is not allowed", key);
    }
    if (city_string(o, "code", c->code, sizeof(c->code), membership_code_is_valid,
                    "must be 2 to 32 lower-case letters, digits or '-', starting with a letter", err) ||
        city_string(o, "name", c->name, MEMBERSHIP_NAME_MAX + 1, is_city_name,
                    "must be one line of 1 to 100 bytes of visible text", err) ||
        city_string(o, "name_local", c->name_local, MEMBERSHIP_NAME_MAX + 1, is_city_name,
                    "must be one line of 1 to 100 bytes of visible text", err) ||
        city_string(o, "country", c->country, sizeof(c->country), membership_country_is_valid,
                    "must be two capital letters (ISO 3166-1), e.g. GR", err) ||
        city_string(o, "tz", c->tz, sizeof(c->tz), membership_tz_is_valid,
                    "must be a time zone name such as Europe/Athens", err) ||
        city_coordinate(o, "lat", &c->lat, err) || city_coordinate(o, "lon", &c->lon, err))
        return -1;
    if (!membership_coordinates_are_valid(c->lat, c->lon))
        return proto_fail(err, PROTO_BAD_REQUEST, isfinite(c->lat) && c->lat >= -90 && c->lat <= 90 ? "city.lon" : "city.lat",
                          "latitude must be from -90 to 90 and longitude from -180 to 180");
    return 0;
}

static int decided_already(struct api_env *env, int64_t id, struct proto_error *err)
{
    struct registry_request r;

    if (store_request_find(env->store, id, &r) != 0)
        return api_fail(err, "conflict", "request", "request %" PRId64 " has been decided already", id);
    return api_fail(err, "conflict", "request", "request %" PRId64 " was %s already", id,
                    membership_request_state_name(r.state));
}

/*
 * request.decide: approve (adds the city as a member by approved_request,
 * joined today, UTC) or reject a pending request, once; the store does all
 * of it in one transaction.
 */
static int handle_request_decide(struct api_env *env, struct api_conn *conn, const struct proto_request *req,
                                 struct json_object *reply, struct proto_error *err)
{
    const char *decision = api_str(req, "decision"), *reason = api_str(req, "reason");
    struct json_object *city_obj = api_get(req, "city"), *r_json, *c_json = NULL;
    int64_t id = api_int(req, "request", 0);
    bool approve, code_taken = false;
    struct registry_request r;
    struct registry_city city;
    char date[MEMBERSHIP_DATE_LEN + 1];
    int rc;

    if (!strcmp(decision, "approve"))
        approve = true;
    else if (!strcmp(decision, "reject"))
        approve = false;
    else
        return bad_field(err, "decision", "must be approve or reject");
    if (check_text(req, "reason", MEMBERSHIP_REASON_MAX, true, err) != 0)
        return -1;
    if (approve && !city_obj)
        return proto_fail(err, PROTO_BAD_REQUEST, "city", "field 'city' is required to approve a request");
    if (!approve && city_obj)
        return proto_fail(err, PROTO_BAD_REQUEST, "city", "field 'city' is only for approving a request");
    if (approve) {
        if (parse_city(city_obj, &city, err) != 0)
            return -1;
        if (today(date) != 0)
            return api_internal_error(err, "reading the date");
        rc = store_request_approve(env->store, id, &city, date, reason, conn->person_id, &r, &city, &code_taken);
    } else {
        rc = store_request_reject(env->store, id, reason, conn->person_id, &r);
    }
    if (rc == STORE_REGISTRY_NOT_FOUND)
        return api_fail(err, "not_found", "request", "no membership request has the id %" PRId64, id);
    if (rc == STORE_REGISTRY_CONFLICT && code_taken)
        return api_fail(err, "conflict", "city.code", "a city with the code '%s' is in the registry already", city.code);
    if (rc == STORE_REGISTRY_CONFLICT)
        return decided_already(env, id, err);
    if (rc != 0)
        return api_internal_error(err, "deciding the membership request");
    if (!(r_json = request_json(&r)) || (approve && !(c_json = store_city_json(&city)))) {
        json_object_put(r_json);
        return api_internal_error(err, "answering (out of memory)");
    }
    json_object_object_add(reply, "request", r_json);
    if (c_json)
        json_object_object_add(reply, "city", c_json);
    return 0;
}

/* ---- history.list ---- */

static const struct proto_field history_list_fields[] = {
    {"limit", PROTO_INT, false, 1, HISTORY_LIMIT_MAX},
    {"before", PROTO_INT, false, 1, PROTO_MAX_SAFE_INT},
};

static struct json_object *history_json(const struct registry_history_entry *e)
{
    struct json_object *o = json_object_new_object(), *details;

    if (!o)
        return NULL;
    /* details was written by json-c as an object; should it not parse, it is sent as the text it is */
    details = json_tokener_parse(e->details);
    if (!details || !json_object_is_type(details, json_type_object)) {
        json_object_put(details);
        details = json_object_new_string(e->details);
    }
    json_object_object_add(o, "id", json_object_new_int64(e->id));
    json_object_object_add(o, "at", time_or_null(e->at_ms));
    json_object_object_add(o, "actor", e->actor_person_id > 0 ? json_object_new_int64(e->actor_person_id) : NULL);
    json_object_object_add(o, "action", json_object_new_string(e->action));
    json_object_object_add(o, "subject", json_object_new_string(e->subject));
    json_object_object_add(o, "details", details);
    return o;
}

/* history.list: the append-only history, newest first. */
static int handle_history_list(struct api_env *env, struct api_conn *conn, const struct proto_request *req,
                               struct json_object *reply, struct proto_error *err)
{
    struct registry_history_entry *entries = NULL;
    struct json_object *arr = NULL;
    size_t n = 0;
    int rc = -1;

    (void)conn;
    if (store_history_list(env->store, api_int(req, "before", 0), (int)api_int(req, "limit", HISTORY_LIMIT_DEFAULT),
                           &entries, &n) != 0) {
        rc = api_internal_error(err, "reading the history");
        goto out;
    }
    if (!(arr = json_object_new_array_ext((int)n)))
        goto oom;
    for (size_t i = 0; i < n; i++) {
        struct json_object *o = history_json(&entries[i]);
        if (!o || json_object_array_add(arr, o) != 0) {
            json_object_put(o);
            goto oom;
        }
    }
    json_object_object_add(reply, "entries", arr);
    arr = NULL;
    rc = 0;
    goto out;
oom:
    rc = api_internal_error(err, "reading the history (out of memory)");
out:
    json_object_put(arr);
    store_history_entries_free(entries, n);
    return rc;
}

#define FIELDS(f) f, sizeof(f) / sizeof((f)[0])

const struct api_type api_registry_types[] = {
    {"members.list", API_PUBLIC, FIELDS(members_list_fields), handle_members_list},
    {"members.as_of", API_PUBLIC, FIELDS(members_as_of_fields), handle_members_as_of},
    {"membership.request", API_PUBLIC, FIELDS(membership_request_fields), handle_membership_request},
    {"city.set_status", API_SECRETARIAT, FIELDS(city_set_status_fields), handle_city_set_status},
    {"request.list", API_SECRETARIAT, FIELDS(request_list_fields), handle_request_list},
    {"request.decide", API_SECRETARIAT, FIELDS(request_decide_fields), handle_request_decide},
    {"history.list", API_SECRETARIAT, FIELDS(history_list_fields), handle_history_list},
};
const size_t api_registry_count = sizeof(api_registry_types) / sizeof(api_registry_types[0]);
