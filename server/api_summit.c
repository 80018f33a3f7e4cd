/*
 * api_summit: the summit message types of docs/protocol.md ("Summits and
 * the presidency election"): summit.list, summit.create, summit.get,
 * delegation.register, delegation.list, delegation.get and
 * attendance.check_in. Each handler checks what proto could not (the
 * syntax and meaning of each field, with include/b40/membership.h and
 * include/b40/summit.h), decides who may act on which city, and calls the
 * summit store, which does each change in one transaction with its history
 * entry. A rule broken is a domain error with its code from the doc, never
 * a crash. Handlers run only after api.c has checked the sender's access.
 * Service thread.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "api_internal.h"
#include "b40/identity.h"
#include "b40/membership.h"
#include "b40/store_registry.h"
#include "b40/store_summit.h"
#include "b40/summit.h"
#include "b40/timeutil.h"

static int bad_field(struct proto_error *err, const char *field, const char *what)
{
    return proto_fail(err, PROTO_BAD_REQUEST, field, "field '%s' %s", field, what);
}

static int bad_fault(struct proto_error *err, enum summit_fault f)
{
    return bad_field(err, summit_fault_field(f), summit_fault_rule(f));
}

static bool is_secretariat(const struct api_conn *conn)
{
    return (conn->roles & ROLES_SECRETARIAT) != 0;
}

/* ---- JSON ---- */

static struct json_object *hospitality_json(const struct summit_hospitality *h)
{
    struct json_object *o = json_object_new_object();

    if (!o)
        return NULL;
    json_object_object_add(o, "delegations", json_object_new_int64(h->delegations));
    json_object_object_add(o, "delegates", json_object_new_int64(h->delegates));
    json_object_object_add(o, "nights", json_object_new_int64(h->nights));
    json_object_object_add(o, "meals", json_object_new_int64(h->meals));
    return o;
}

/* The hospitality object of summit `id`: new, owned by the caller; NULL on failure (logged by the store). */
static struct json_object *summit_hospitality_json(struct api_env *env, int64_t id)
{
    struct summit_hospitality h;

    if (store_summit_hospitality(env->store, id, &h) != 0)
        return NULL;
    return hospitality_json(&h);
}

/* The codes of the cities present at summit `id`, sorted: a new array owned by the caller; NULL on failure. */
static struct json_object *present_json(struct api_env *env, int64_t id)
{
    struct summit_city *cities = NULL;
    struct json_object *arr;
    size_t n = 0;

    if (store_summit_present(env->store, id, &cities, &n) != 0)
        return NULL;
    arr = json_object_new_array_ext((int)n);
    for (size_t i = 0; arr && i < n; i++) {
        if (json_object_array_add(arr, json_object_new_string(cities[i].code)) != 0) {
            json_object_put(arr);
            arr = NULL;
        }
    }
    free(cities);
    return arr;
}

/* The summit object of docs/protocol.md: new, owned by the caller; NULL on failure. */
static struct json_object *summit_json(struct api_env *env, const struct summit_record *s)
{
    struct json_object *o = json_object_new_object(), *present, *hosp;

    if (!o)
        return NULL;
    present = present_json(env, s->id);
    hosp = summit_hospitality_json(env, s->id);
    if (!present || !hosp) {
        json_object_put(present);
        json_object_put(hosp);
        json_object_put(o);
        return NULL;
    }
    json_object_object_add(o, "id", json_object_new_int64(s->id));
    json_object_object_add(o, "year", json_object_new_int64(s->year));
    json_object_object_add(o, "host", json_object_new_string(s->host));
    json_object_object_add(o, "starts_on", json_object_new_string(s->starts_on));
    json_object_object_add(o, "ends_on", json_object_new_string(s->ends_on));
    json_object_object_add(o, "place", json_object_new_string(s->place));
    json_object_object_add(o, "present", present);
    json_object_object_add(o, "hospitality", hosp);
    return o;
}

/* The term object; a pending term (no summit yet) has from_summit and year null. */
static struct json_object *term_json(const struct summit_term *t)
{
    struct json_object *o = json_object_new_object();

    if (!o)
        return NULL;
    json_object_object_add(o, "city", json_object_new_string(t->city));
    json_object_object_add(o, "from_summit", t->from_summit_id > 0 ? json_object_new_int64(t->from_summit_id) : NULL);
    json_object_object_add(o, "year", t->from_summit_id > 0 ? json_object_new_int64(t->year) : NULL);
    json_object_object_add(o, "elected_in", t->elected_in > 0 ? json_object_new_int64(t->elected_in) : NULL);
    return o;
}

static struct json_object *delegation_json(const struct delegation_record *d)
{
    struct json_object *o = json_object_new_object();

    if (!o)
        return NULL;
    json_object_object_add(o, "city", json_object_new_string(d->city));
    json_object_object_add(o, "delegates", json_object_new_int64(d->delegates));
    json_object_object_add(o, "arrival", json_object_new_string(d->arrival));
    json_object_object_add(o, "departure", json_object_new_string(d->departure));
    json_object_object_add(o, "nights", json_object_new_int64(d->nights));
    json_object_object_add(o, "meals", json_object_new_int64(d->meals));
    json_object_object_add(o, "dietary", json_object_new_string(d->dietary));
    return o;
}

/* Reads summit `id` for a handler: 0, or -1 with not_found (field `summit`) or internal in err. */
static int find_summit(struct api_env *env, int64_t id, struct summit_record *out, struct proto_error *err)
{
    int rc = store_summit_get(env->store, id, out);

    if (rc == 1)
        return api_fail(err, "not_found", "summit", "no summit has the id %" PRId64, id);
    if (rc != 0)
        return api_internal_error(err, "reading the summit");
    return 0;
}

/* ---- summit.list ---- */

/* summit.list: every summit (newest first) with who was present and the hospitality, and the presidency terms. */
static int handle_summit_list(struct api_env *env, struct api_conn *conn, const struct proto_request *req,
                              struct json_object *reply, struct proto_error *err)
{
    struct summit_record *summits = NULL;
    struct summit_term *terms = NULL;
    struct json_object *sarr = NULL, *tarr = NULL;
    size_t ns = 0, nt = 0;
    int rc = -1;

    (void)conn, (void)req;
    if (store_summit_list(env->store, &summits, &ns) != 0 || store_presidency_list(env->store, &terms, &nt) != 0) {
        rc = api_internal_error(err, "listing the summits");
        goto out;
    }
    if (!(sarr = json_object_new_array_ext((int)ns)) || !(tarr = json_object_new_array_ext((int)nt)))
        goto fail;
    for (size_t i = 0; i < ns; i++) {
        struct json_object *o = summit_json(env, &summits[i]);
        if (!o || json_object_array_add(sarr, o) != 0) {
            json_object_put(o);
            goto fail;
        }
    }
    for (size_t i = 0; i < nt; i++) {
        struct json_object *o = term_json(&terms[i]);
        if (!o || json_object_array_add(tarr, o) != 0) {
            json_object_put(o);
            goto fail;
        }
    }
    json_object_object_add(reply, "summits", sarr);
    json_object_object_add(reply, "terms", tarr);
    sarr = tarr = NULL;
    rc = 0;
    goto out;
fail:
    rc = api_internal_error(err, "listing the summits (out of memory, or a read failed)");
out:
    json_object_put(sarr);
    json_object_put(tarr);
    free(summits);
    free(terms);
    return rc;
}

/* ---- summit.create ---- */

static const struct proto_field summit_create_fields[] = {
    {"year", PROTO_INT, true, SUMMIT_YEAR_MIN, SUMMIT_YEAR_MAX},
    {"host", PROTO_STRING, true, 2, MEMBERSHIP_CODE_MAX},
    {"starts_on", PROTO_STRING, true, MEMBERSHIP_DATE_LEN, MEMBERSHIP_DATE_LEN},
    {"ends_on", PROTO_STRING, true, MEMBERSHIP_DATE_LEN, MEMBERSHIP_DATE_LEN},
    {"place", PROTO_STRING, true, 1, SUMMIT_PLACE_MAX},
};

/*
 * summit.create: the secretariat records the next summit. The host must be
 * a city of the network (member or suspended); when an election has chosen
 * the host, the summit must be that city's, and it opens its term.
 */
static int handle_summit_create(struct api_env *env, struct api_conn *conn, const struct proto_request *req,
                                struct json_object *reply, struct proto_error *err)
{
    struct summit_new sn = {
        .year = api_int(req, "year", 0),
        .host = api_str(req, "host"),
        .starts_on = api_str(req, "starts_on"),
        .ends_on = api_str(req, "ends_on"),
        .place = api_str(req, "place"),
    };
    struct summit_record s;
    struct summit_term pending;
    struct registry_city host;
    struct json_object *obj;
    enum summit_fault f;
    int rc;

    if (!membership_code_is_valid(sn.host))
        return bad_field(err, "host", "must be a city code (lower-case letters, digits and '-')");
    if ((f = summit_check_dates(sn.year, sn.starts_on, sn.ends_on)) != SUMMIT_FAULT_NONE)
        return bad_fault(err, f);
    if (!membership_text_is_valid(sn.place, 1, SUMMIT_PLACE_MAX, false))
        return bad_field(err, "place", "must be one line of visible text without control characters");
    rc = store_city_find(env->store, sn.host, &host);
    if (rc == STORE_REGISTRY_NOT_FOUND)
        return api_fail(err, "not_found", "host", "no city has the code '%s'", sn.host);
    if (rc != 0)
        return api_internal_error(err, "reading the host city");
    if (host.status != MEMBERSHIP_MEMBER && host.status != MEMBERSHIP_SUSPENDED)
        return api_fail(err, "conflict", "host", "%s is not a member of the network (%s)", sn.host,
                        membership_status_name(host.status));
    rc = store_summit_create(env->store, &sn, conn->person_id, &s);
    switch (rc) {
    case 0:
        break;
    case STORE_SUMMIT_NOT_FOUND:
        return api_fail(err, "not_found", "host", "no city has the code '%s'", sn.host);
    case STORE_SUMMIT_YEAR_TAKEN:
        return api_fail(err, "conflict", "year", "the network has a summit in %" PRId64 " already", sn.year);
    case STORE_SUMMIT_OVERLAP:
        return api_fail(err, "conflict", "starts_on", "another summit takes place on some of these days");
    case STORE_SUMMIT_CONFLICT:
        if (store_presidency_pending(env->store, sn.starts_on, &pending) == 0 && pending.city_id != host.id)
            return api_fail(err, "conflict", "host", "the presidency election chose %s to host the next summit",
                            pending.city);
        return api_fail(err, "conflict", "host", "%s cannot hold the term this summit opens: not two terms in a row",
                        sn.host);
    default:
        return api_internal_error(err, "recording the summit");
    }
    if (!(obj = summit_json(env, &s)))
        return api_internal_error(err, "answering (out of memory, or a read failed)");
    json_object_object_add(reply, "summit", obj);
    return 0;
}

/* ---- summit.get ---- */

static const struct proto_field summit_get_fields[] = {
    {"summit", PROTO_INT, true, 1, PROTO_MAX_SAFE_INT},
};

static int handle_summit_get(struct api_env *env, struct api_conn *conn, const struct proto_request *req,
                             struct json_object *reply, struct proto_error *err)
{
    struct summit_record s;
    struct json_object *obj;

    (void)conn;
    if (find_summit(env, api_int(req, "summit", 0), &s, err) != 0)
        return -1;
    if (!(obj = summit_json(env, &s)))
        return api_internal_error(err, "answering (out of memory, or a read failed)");
    json_object_object_add(reply, "summit", obj);
    return 0;
}

/* ---- delegation.register ---- */

static const struct proto_field delegation_register_fields[] = {
    {"summit", PROTO_INT, true, 1, PROTO_MAX_SAFE_INT},
    {"city", PROTO_STRING, true, 2, MEMBERSHIP_CODE_MAX},
    {"delegates", PROTO_INT, true, SUMMIT_DELEGATES_MIN, SUMMIT_DELEGATES_MAX},
    {"arrival", PROTO_STRING, true, MEMBERSHIP_DATE_LEN, MEMBERSHIP_DATE_LEN},
    {"departure", PROTO_STRING, true, MEMBERSHIP_DATE_LEN, MEMBERSHIP_DATE_LEN},
    {"dietary", PROTO_STRING, false, 0, SUMMIT_DIETARY_MAX},
};

/*
 * Looks up city `code` for a person acting on it: the secretariat may act on
 * any city, anyone else only on their own. 0 (*out filled), or -1 with
 * not_found (for the secretariat), forbidden or internal in err. A person
 * outside the secretariat learns nothing from it about other cities.
 */
static int city_for(struct api_env *env, const struct api_conn *conn, const char *code, struct registry_city *out,
                    const char *what, struct proto_error *err)
{
    int rc = store_city_find(env->store, code, out);

    if (rc != 0 && rc != STORE_REGISTRY_NOT_FOUND)
        return api_internal_error(err, "reading the city");
    if (is_secretariat(conn))
        return rc == 0 ? 0 : api_fail(err, "not_found", "city", "no city has the code '%s'", code);
    if (rc != 0 || conn->city_id <= 0 || out->id != conn->city_id)
        return api_fail(err, "forbidden", NULL, "only the secretariat may %s for another city", what);
    return 0;
}

/*
 * delegation.register: a visiting delegation's numbers and dates, for the
 * hospitality the host covers. Registering again replaces the city's
 * delegation. The secretariat for any city; a person of a city for their own.
 */
static int handle_delegation_register(struct api_env *env, struct api_conn *conn, const struct proto_request *req,
                                      struct json_object *reply, struct proto_error *err)
{
    const char *code = api_str(req, "city"), *arrival = api_str(req, "arrival"),
               *departure = api_str(req, "departure"), *dietary = api_str(req, "dietary");
    int64_t summit_id = api_int(req, "summit", 0), delegates = api_int(req, "delegates", 0);
    struct delegation_record d;
    struct summit_record s;
    struct registry_city city;
    struct json_object *dj, *hj;
    enum summit_fault f;
    int rc;

    if (!dietary)
        dietary = "";
    if (!membership_code_is_valid(code))
        return bad_field(err, "city", "must be a city code (lower-case letters, digits and '-')");
    if (!membership_date_is_valid(arrival))
        return bad_fault(err, SUMMIT_FAULT_ARRIVAL);
    if (!membership_date_is_valid(departure))
        return bad_fault(err, SUMMIT_FAULT_DEPARTURE);
    if (dietary[0] && !membership_text_is_valid(dietary, 0, SUMMIT_DIETARY_MAX, true))
        return bad_field(err, "dietary", "must be visible text without control characters other than line feeds");
    if (city_for(env, conn, code, &city, "register a delegation", err) != 0)
        return -1;
    if (find_summit(env, summit_id, &s, err) != 0)
        return -1;
    if ((f = summit_delegation_plan(s.starts_on, s.ends_on, delegates, arrival, departure, NULL)) != SUMMIT_FAULT_NONE)
        return bad_fault(err, f);
    rc = store_delegation_register(env->store, summit_id, code, delegates, arrival, departure, dietary, conn->person_id,
                                   &d);
    if (rc == STORE_SUMMIT_NOT_FOUND)
        return api_fail(err, "not_found", NULL, "the summit or the city no longer exists");
    if (rc != 0)
        return api_internal_error(err, "registering the delegation");
    dj = delegation_json(&d);
    hj = summit_hospitality_json(env, summit_id);
    if (!dj || !hj) {
        json_object_put(dj);
        json_object_put(hj);
        return api_internal_error(err, "answering (out of memory, or a read failed)");
    }
    json_object_object_add(reply, "delegation", dj);
    json_object_object_add(reply, "hospitality", hj);
    return 0;
}

/* ---- delegation.list ---- */

static const struct proto_field delegation_list_fields[] = {
    {"summit", PROTO_INT, true, 1, PROTO_MAX_SAFE_INT},
};

/* delegation.list: every delegation of a summit (dietary needs included): the secretariat and the host's people. */
static int handle_delegation_list(struct api_env *env, struct api_conn *conn, const struct proto_request *req,
                                  struct json_object *reply, struct proto_error *err)
{
    struct delegation_record *list = NULL;
    struct json_object *arr = NULL, *hj = NULL;
    struct summit_record s;
    size_t n = 0;
    int rc = -1;

    if (find_summit(env, api_int(req, "summit", 0), &s, err) != 0)
        return -1;
    if (!is_secretariat(conn) && (conn->city_id <= 0 || conn->city_id != s.host_city_id))
        return api_fail(err, "forbidden", NULL, "only the secretariat and the host city's people see the delegations");
    if (store_delegation_list(env->store, s.id, &list, &n) != 0) {
        rc = api_internal_error(err, "listing the delegations");
        goto out;
    }
    if (!(arr = json_object_new_array_ext((int)n)) || !(hj = summit_hospitality_json(env, s.id)))
        goto fail;
    for (size_t i = 0; i < n; i++) {
        struct json_object *o = delegation_json(&list[i]);
        if (!o || json_object_array_add(arr, o) != 0) {
            json_object_put(o);
            goto fail;
        }
    }
    json_object_object_add(reply, "delegations", arr);
    json_object_object_add(reply, "hospitality", hj);
    arr = hj = NULL;
    rc = 0;
    goto out;
fail:
    rc = api_internal_error(err, "listing the delegations (out of memory, or a read failed)");
out:
    json_object_put(arr);
    json_object_put(hj);
    free(list);
    return rc;
}

/* ---- delegation.get ---- */

static const struct proto_field delegation_get_fields[] = {
    {"summit", PROTO_INT, true, 1, PROTO_MAX_SAFE_INT},
    {"city", PROTO_STRING, true, 2, MEMBERSHIP_CODE_MAX},
};

/*
 * delegation.get: one city's delegation exactly as registered (dietary needs
 * included), so that it can be corrected: a person of that city, the
 * secretariat, and the host city's people (who see every delegation with
 * delegation.list anyway). `delegation` is null when the city has registered
 * none. Anyone else is forbidden, and learns nothing about the city.
 */
static int handle_delegation_get(struct api_env *env, struct api_conn *conn, const struct proto_request *req,
                                 struct json_object *reply, struct proto_error *err)
{
    const char *code = api_str(req, "city");
    struct delegation_record d;
    struct summit_record s;
    struct registry_city city;
    struct json_object *dj;
    int rc;

    if (!membership_code_is_valid(code))
        return bad_field(err, "city", "must be a city code (lower-case letters, digits and '-')");
    if (find_summit(env, api_int(req, "summit", 0), &s, err) != 0)
        return -1;
    if (conn->city_id > 0 && conn->city_id == s.host_city_id) {
        /* the host plans the hospitality of every delegation: like the secretariat, any city */
        rc = store_city_find(env->store, code, &city);
        if (rc == STORE_REGISTRY_NOT_FOUND)
            return api_fail(err, "not_found", "city", "no city has the code '%s'", code);
        if (rc != 0)
            return api_internal_error(err, "reading the city");
    } else if (city_for(env, conn, code, &city, "read a delegation", err) != 0) {
        return -1;
    }
    rc = store_delegation_get(env->store, s.id, city.id, &d);
    if (rc < 0)
        return api_internal_error(err, "reading the delegation");
    if (rc > 0) {
        json_object_object_add(reply, "delegation", NULL);
        json_object_object_add(reply, "updated", NULL);
        return 0;
    }
    if (!(dj = delegation_json(&d)))
        return api_internal_error(err, "answering (out of memory)");
    json_object_object_add(reply, "delegation", dj);
    api_add_time(reply, "updated", d.updated_ms);
    return 0;
}

/* ---- attendance.check_in ---- */

static const struct proto_field attendance_check_in_fields[] = {
    {"summit", PROTO_INT, true, 1, PROTO_MAX_SAFE_INT},
    {"city", PROTO_STRING, true, 2, MEMBERSHIP_CODE_MAX},
};

/*
 * attendance.check_in: the secretariat checks any city in at the desk; a
 * mayor or deputy checks their own city in online. Idempotent. Attending
 * applies the charter's rule (membership_on_attendance), in the same
 * transaction as the attendance row: a Balkan city that is not a member
 * becomes one; a suspended city is present but stays suspended.
 */
static int handle_attendance_check_in(struct api_env *env, struct api_conn *conn, const struct proto_request *req,
                                      struct json_object *reply, struct proto_error *err)
{
    const char *code = api_str(req, "city");
    int64_t summit_id = api_int(req, "summit", 0);
    struct attendance_outcome o;
    struct summit_record s;
    struct registry_city city;
    struct json_object *present, *cj;
    char today[MEMBERSHIP_DATE_LEN + 1];
    enum summit_how how;
    int rc;

    if (!membership_code_is_valid(code))
        return bad_field(err, "city", "must be a city code (lower-case letters, digits and '-')");
    if (city_for(env, conn, code, &city, "check in", err) != 0)
        return -1;
    if (is_secretariat(conn))
        how = SUMMIT_HOW_DESK;
    else if (conn->roles & ROLES_CITY_VOTE)
        how = SUMMIT_HOW_ONLINE;
    else
        return api_fail(err, "forbidden", NULL, "only a mayor or deputy checks their city in online");
    if (find_summit(env, summit_id, &s, err) != 0)
        return -1;
    if (membership_date_from_ms(timeutil_now_ms(), today) != 0)
        return api_internal_error(err, "reading the date");
    rc = store_attendance_check_in(env->store, summit_id, code, how, conn->person_id, today, &o);
    if (rc == STORE_SUMMIT_NOT_FOUND)
        return api_fail(err, "not_found", NULL, "the summit or the city no longer exists");
    if (rc == STORE_SUMMIT_CONFLICT)
        return api_fail(err, "conflict", "city",
                        "%s would become a member by attending, but a later status change is on record", code);
    if (rc != 0)
        return api_internal_error(err, "checking the city in");
    present = present_json(env, summit_id);
    cj = store_city_json(&o.city);
    if (!present || !cj) {
        json_object_put(present);
        json_object_put(cj);
        return api_internal_error(err, "answering (out of memory, or a read failed)");
    }
    json_object_object_add(reply, "present", present);
    json_object_object_add(reply, "city", cj);
    return 0;
}

#define FIELDS(f) f, sizeof(f) / sizeof((f)[0])

const struct api_type api_summit_types[] = {
    {"summit.list", API_PUBLIC, NULL, 0, handle_summit_list},
    {"summit.create", API_SECRETARIAT, FIELDS(summit_create_fields), handle_summit_create},
    {"summit.get", API_PUBLIC, FIELDS(summit_get_fields), handle_summit_get},
    {"delegation.register", API_SIGNED_IN, FIELDS(delegation_register_fields), handle_delegation_register},
    {"delegation.list", API_SIGNED_IN, FIELDS(delegation_list_fields), handle_delegation_list},
    {"delegation.get", API_SIGNED_IN, FIELDS(delegation_get_fields), handle_delegation_get},
    {"attendance.check_in", API_SIGNED_IN, FIELDS(attendance_check_in_fields), handle_attendance_check_in},
};
const size_t api_summit_count = sizeof(api_summit_types) / sizeof(api_summit_types[0]);
