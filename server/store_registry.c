/*
 * store_registry: cities, their status history, membership requests, the
 * history's reader and the demo flag. See include/b40/store_registry.h for
 * the contract. Every statement is in `registry_sql` below, prepared once
 * when the store opens; each use resets it and clears its bindings. Writes
 * that change several rows run in one IMMEDIATE transaction with their
 * history entry, and roll back as a whole on the first failure.
 *
 * Service thread (or the command line), like the struct store it extends.
 */
#include "b40/store_registry.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "b40/log.h"
#include "b40/timeutil.h"
#include "store_internal.h"

enum reg_stmt {
    R_CITY_INSERT,
    R_STATUS_INSERT,
    R_CITY_FIND,
    R_CITY_LIST,
    R_CITY_COUNT,
    R_CITY_SET_STATUS,
    R_STATUS_LATEST,
    R_STATUS_HISTORY,
    R_REQUEST_INSERT,
    R_REQUEST_FIND,
    R_REQUEST_LIST,
    R_REQUEST_DECIDE,
    R_REQUEST_SET_CITY,
    R_HISTORY_LIST,
    R_DEMO_GET,
    R_DEMO_SET,
    R_COUNT
};

#define CITY_COLUMNS "id, code, name, name_local, country, tz, lat, lon, status, joined_how, joined_on"
#define REQUEST_COLUMNS                                                                                         \
    "r.id, r.city_name, r.country, r.contact_name, r.email, r.reason, r.submitted_at_ms, r.status, "           \
    "r.decided_at_ms, r.decided_by, r.decision_reason, c.code"

const char *const store_registry_sql[R_COUNT] = {
    [R_CITY_INSERT] = "INSERT INTO cities (code, name, name_local, country, tz, lat, lon, status, joined_how, joined_on)"
                      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    [R_STATUS_INSERT] = "INSERT INTO city_status_history (city_id, status, effective_on, recorded_at_ms, actor_person_id,"
                        " reason) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    [R_CITY_FIND] = "SELECT " CITY_COLUMNS " FROM cities WHERE code = ?1",
    [R_CITY_LIST] = "SELECT " CITY_COLUMNS " FROM cities"
                    " WHERE (?1 IS NULL OR status = ?1) AND (?2 = 1 OR status <> 'applicant')"
                    " AND (?3 IS NULL OR country = ?3) ORDER BY country, code",
    [R_CITY_COUNT] = "SELECT count(*) FROM cities",
    [R_CITY_SET_STATUS] = "UPDATE cities SET status = ?3 WHERE id = ?1 AND status = ?2",
    [R_STATUS_LATEST] = "SELECT max(effective_on) FROM city_status_history WHERE city_id = ?1",
    [R_STATUS_HISTORY] = "SELECT h.city_id, c.code, h.status, h.effective_on, h.recorded_at_ms, h.actor_person_id,"
                         " h.reason FROM city_status_history h JOIN cities c ON c.id = h.city_id"
                         " WHERE (?1 = 0 OR h.city_id = ?1) ORDER BY h.city_id, h.effective_on, h.id",
    [R_REQUEST_INSERT] = "INSERT INTO membership_requests (city_name, country, contact_name, email, reason,"
                         " submitted_at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    [R_REQUEST_FIND] = "SELECT " REQUEST_COLUMNS " FROM membership_requests r LEFT JOIN cities c ON c.id = r.city_id"
                       " WHERE r.id = ?1",
    [R_REQUEST_LIST] = "SELECT " REQUEST_COLUMNS " FROM membership_requests r LEFT JOIN cities c ON c.id = r.city_id"
                       " WHERE (?1 IS NULL OR r.status = ?1) AND (?2 = 0 OR r.id < ?2) ORDER BY r.id DESC LIMIT ?3",
    [R_REQUEST_DECIDE] = "UPDATE membership_requests SET status = ?2, decided_at_ms = ?3, decided_by = ?4,"
                         " decision_reason = ?5 WHERE id = ?1 AND status = 'pending'",
    [R_REQUEST_SET_CITY] = "UPDATE membership_requests SET city_id = ?2 WHERE id = ?1",
    [R_HISTORY_LIST] = "SELECT id, at_ms, actor_person_id, action, subject, details FROM history"
                       " WHERE (?1 = 0 OR id < ?1) ORDER BY id DESC LIMIT ?2",
    [R_DEMO_GET] = "SELECT value FROM meta WHERE key = 'demo'",
    [R_DEMO_SET] = "INSERT INTO meta (key, value) VALUES ('demo', '1')"
                   " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
};

const size_t store_registry_sql_count = R_COUNT;

static sqlite3_stmt *stmt(struct store *st, enum reg_stmt id)
{
    return st->part[STORE_PART_REGISTRY][id];
}

/* Reads a row of CITY_COLUMNS. Returns 0, or -1 for a row the schema should not have allowed. */
static int read_city(sqlite3_stmt *s, void *elem)
{
    struct registry_city *c = elem;
    char status[16], joined[24];

    memset(c, 0, sizeof(*c));
    c->id = sqlite3_column_int64(s, 0);
    c->lat = sqlite3_column_double(s, 6);
    c->lon = sqlite3_column_double(s, 7);
    if (store_col_text(s, 1, c->code, sizeof(c->code), false) || store_col_text(s, 2, c->name, sizeof(c->name), false) ||
        store_col_text(s, 3, c->name_local, sizeof(c->name_local), false) ||
        store_col_text(s, 4, c->country, sizeof(c->country), false) || store_col_text(s, 5, c->tz, sizeof(c->tz), false) ||
        store_col_text(s, 8, status, sizeof(status), false) || store_col_text(s, 9, joined, sizeof(joined), true) ||
        store_col_text(s, 10, c->joined_on, sizeof(c->joined_on), true) ||
        membership_status_parse(status, &c->status) != 0)
        return -1;
    if (joined[0] && membership_joined_parse(joined, &c->joined_how) != 0)
        return -1;
    return 0;
}

/* Reads a row of REQUEST_COLUMNS. 0 or -1. */
static int read_request(sqlite3_stmt *s, void *elem)
{
    struct registry_request *r = elem;
    char state[16];

    memset(r, 0, sizeof(*r));
    r->id = sqlite3_column_int64(s, 0);
    r->submitted_ms = sqlite3_column_int64(s, 6);
    r->decided_ms = sqlite3_column_int64(s, 8);
    r->decided_by = sqlite3_column_int64(s, 9);
    if (store_col_text(s, 1, r->city_name, sizeof(r->city_name), false) ||
        store_col_text(s, 2, r->country, sizeof(r->country), false) ||
        store_col_text(s, 3, r->contact_name, sizeof(r->contact_name), false) ||
        store_col_text(s, 4, r->email, sizeof(r->email), false) || store_col_text(s, 5, r->reason, sizeof(r->reason), false) ||
        store_col_text(s, 7, state, sizeof(state), false) ||
        store_col_text(s, 10, r->decision_reason, sizeof(r->decision_reason), true) ||
        store_col_text(s, 11, r->city, sizeof(r->city), true) || membership_request_state_parse(state, &r->state) != 0)
        return -1;
    return 0;
}

/*
 * Grows *arr (of *cap elements of `size` bytes) so that it holds at least
 * n + 1. Returns 0, or -1 when memory ran out or the list is longer than
 * STORE_REGISTRY_MAX_ROWS (*arr is then unchanged, still the caller's).
 */
static int grow(void **arr, size_t *cap, size_t n, size_t size)
{
    return store_grow(arr, cap, n, size, STORE_REGISTRY_MAX_ROWS);
}

/* ---- cities ---- */

static int find_city(struct store *st, const char *code, struct registry_city *out)
{
    sqlite3_stmt *s = stmt(st, R_CITY_FIND);
    int rc, result;

    sqlite3_bind_text(s, 1, code, -1, SQLITE_STATIC);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        result = read_city(s, out) == 0 ? 0 : -1;
    else
        result = rc == SQLITE_DONE ? STORE_REGISTRY_NOT_FOUND : store_read_failed(st, "a city");
    if (rc == SQLITE_ROW && result != 0)
        log_error("store: the city row for code '%s' is damaged", code);
    store_stmt_done(s);
    return result;
}

int store_city_find(struct store *st, const char *code, struct registry_city *out)
{
    return find_city(st, code, out);
}

static int insert_status_row(struct store *st, int64_t city_id, enum membership_status status, const char *effective_on,
                             const char *reason, int64_t actor)
{
    sqlite3_stmt *s = stmt(st, R_STATUS_INSERT);

    sqlite3_bind_int64(s, 1, city_id);
    sqlite3_bind_text(s, 2, membership_status_name(status), -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, effective_on, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 4, timeutil_now_ms());
    store_bind_id_or_null(s, 5, actor);
    sqlite3_bind_text(s, 6, reason, -1, SQLITE_STATIC);
    return store_step_write(st, s, "recording a status change") == 0 ? 0 : -1;
}

int store_city_insert(struct store *st, const struct registry_city *city, const char *effective_on, const char *reason,
                      int64_t actor_person_id, int64_t *id_out)
{
    sqlite3_stmt *s = stmt(st, R_CITY_INSERT);
    const char *status = membership_status_name(city->status), *joined = membership_joined_name(city->joined_how);
    int64_t id;
    int rc;

    if (!status || !membership_date_is_valid(effective_on)) {
        log_error("store: adding city '%s' without a status or a valid date", city->code);
        return -1;
    }
    sqlite3_bind_text(s, 1, city->code, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, city->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, city->name_local, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, city->country, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 5, city->tz, -1, SQLITE_STATIC);
    sqlite3_bind_double(s, 6, city->lat);
    sqlite3_bind_double(s, 7, city->lon);
    sqlite3_bind_text(s, 8, status, -1, SQLITE_STATIC);
    if (joined)
        sqlite3_bind_text(s, 9, joined, -1, SQLITE_STATIC);
    if (city->joined_on[0])
        sqlite3_bind_text(s, 10, city->joined_on, -1, SQLITE_STATIC);
    rc = store_step_write(st, s, "adding a city");
    if (rc != 0)
        return rc;
    id = sqlite3_last_insert_rowid(st->db);
    if (insert_status_row(st, id, city->status, effective_on, reason, actor_person_id) != 0)
        return -1;
    if (id_out)
        *id_out = id;
    return 0;
}

int store_city_add(struct store *st, const struct registry_city *city, const char *effective_on, const char *reason,
                   int64_t actor_person_id, int64_t *id_out)
{
    struct json_object *d;
    int rc;

    if (store_begin(st) != 0)
        return -1;
    rc = store_city_insert(st, city, effective_on, reason, actor_person_id, id_out);
    if (rc != 0)
        goto out;
    d = json_object_new_object();
    if (d) {
        json_object_object_add(d, "status", json_object_new_string(membership_status_name(city->status)));
        json_object_object_add(d, "effective_on", json_object_new_string(effective_on));
        json_object_object_add(d, "reason", json_object_new_string(reason));
    }
    rc = store_history_add_json(st, actor_person_id, "city.add", city->code, d);
    if (rc == 0)
        rc = store_commit(st);
out:
    if (rc != 0)
        store_rollback(st);
    return rc;
}

int store_city_list(struct store *st, const struct registry_city_filter *filter, struct registry_city **out, size_t *n)
{
    sqlite3_stmt *s = stmt(st, R_CITY_LIST);

    *out = NULL;
    *n = 0;
    if (filter && filter->status != MEMBERSHIP_NONE)
        sqlite3_bind_text(s, 1, membership_status_name(filter->status), -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 2, filter && filter->include_applicants ? 1 : 0);
    if (filter && filter->country[0])
        sqlite3_bind_text(s, 3, filter->country, -1, SQLITE_STATIC);
    return store_collect(st, s, sizeof(**out), STORE_REGISTRY_MAX_ROWS, read_city, "the cities", (void **)out, n);
}

int store_city_count(struct store *st, int64_t *n)
{
    sqlite3_stmt *s = stmt(st, R_CITY_COUNT);
    int result = -1;

    if (sqlite3_step(s) == SQLITE_ROW) {
        *n = sqlite3_column_int64(s, 0);
        result = 0;
    } else {
        (void)store_read_failed(st, "the number of cities");
    }
    store_stmt_done(s);
    return result;
}

int store_city_latest_effective_on(struct store *st, int64_t city_id, char out[STORE_REGISTRY_DATE_SIZE])
{
    sqlite3_stmt *s = stmt(st, R_STATUS_LATEST);
    int result = -1;

    sqlite3_bind_int64(s, 1, city_id);
    if (sqlite3_step(s) == SQLITE_ROW)
        result = store_col_text(s, 0, out, STORE_REGISTRY_DATE_SIZE, true);
    else
        (void)store_read_failed(st, "a city's latest status change");
    store_stmt_done(s);
    return result;
}

int store_city_set_status(struct store *st, const char *code, enum membership_status from, enum membership_status to,
                          const char *effective_on, const char *reason, int64_t actor_person_id,
                          struct registry_city *out)
{
    struct registry_city city;
    char latest[STORE_REGISTRY_DATE_SIZE];
    struct json_object *d;
    sqlite3_stmt *s = stmt(st, R_CITY_SET_STATUS);
    int rc;

    if (!membership_status_name(from) || !membership_status_name(to) || !membership_date_is_valid(effective_on)) {
        log_error("store: a status change of '%s' without valid statuses or date", code);
        return -1;
    }
    if (store_begin(st) != 0)
        return -1;
    if ((rc = find_city(st, code, &city)) != 0)
        goto out;
    if ((rc = store_city_latest_effective_on(st, city.id, latest)) != 0)
        goto out;
    /* A change effective before one on record would rewrite the past of members.as_of. */
    if (city.status != from || strcmp(latest, effective_on) > 0) {
        rc = STORE_REGISTRY_CONFLICT;
        goto out;
    }
    sqlite3_bind_int64(s, 1, city.id);
    sqlite3_bind_text(s, 2, membership_status_name(from), -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, membership_status_name(to), -1, SQLITE_STATIC);
    if ((rc = store_step_write(st, s, "changing a city's status")) != 0)
        goto out;
    if (sqlite3_changes(st->db) != 1) {
        rc = STORE_REGISTRY_CONFLICT;
        goto out;
    }
    if ((rc = insert_status_row(st, city.id, to, effective_on, reason, actor_person_id)) != 0)
        goto out;
    d = json_object_new_object();
    if (d) {
        json_object_object_add(d, "from", json_object_new_string(membership_status_name(from)));
        json_object_object_add(d, "to", json_object_new_string(membership_status_name(to)));
        json_object_object_add(d, "effective_on", json_object_new_string(effective_on));
        json_object_object_add(d, "reason", json_object_new_string(reason));
    }
    if ((rc = store_history_add_json(st, actor_person_id, "city.status", code, d)) != 0)
        goto out;
    city.status = to;
    rc = store_commit(st);
out:
    if (rc != 0)
        store_rollback(st);
    else if (out)
        *out = city;
    return rc;
}

int store_status_history(struct store *st, int64_t city_id, struct registry_status_row **out, size_t *n)
{
    sqlite3_stmt *s = stmt(st, R_STATUS_HISTORY);
    struct registry_status_row *arr = NULL;
    size_t count = 0, cap = 0;
    int rc, result = 0;

    *out = NULL;
    *n = 0;
    sqlite3_bind_int64(s, 1, city_id > 0 ? city_id : 0);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct registry_status_row *r;
        char status[16];
        if (grow((void **)&arr, &cap, count, sizeof(*arr)) != 0) {
            result = -1;
            goto out;
        }
        r = &arr[count];
        memset(r, 0, sizeof(*r));
        r->city_id = sqlite3_column_int64(s, 0);
        r->recorded_ms = sqlite3_column_int64(s, 4);
        r->actor_person_id = sqlite3_column_int64(s, 5);
        if (store_col_text(s, 1, r->city, sizeof(r->city), false) || store_col_text(s, 2, status, sizeof(status), false) ||
            store_col_text(s, 3, r->change.effective_on, sizeof(r->change.effective_on), false) ||
            store_col_text(s, 6, r->reason, sizeof(r->reason), false) ||
            membership_status_parse(status, &r->change.status) != 0) {
            log_error("store: a status history row is damaged");
            result = -1;
            goto out;
        }
        count++;
    }
    if (rc != SQLITE_DONE)
        result = store_read_failed(st, "the status history");
out:
    store_stmt_done(s);
    if (result != 0) {
        free(arr);
        return -1;
    }
    *out = arr;
    *n = count;
    return 0;
}

/* ---- membership requests ---- */

int store_request_add(struct store *st, const struct registry_request_new *req, int64_t *id_out)
{
    sqlite3_stmt *s = stmt(st, R_REQUEST_INSERT);
    struct json_object *d;
    char subject[32];
    int64_t id;
    int rc;

    if (store_begin(st) != 0)
        return -1;
    sqlite3_bind_text(s, 1, req->city_name, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, req->country, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, req->contact_name, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, req->email, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 5, req->reason, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 6, timeutil_now_ms());
    if ((rc = store_step_write(st, s, "recording a membership request")) != 0) {
        rc = -1;
        goto out;
    }
    id = sqlite3_last_insert_rowid(st->db);
    snprintf(subject, sizeof(subject), "request:%" PRId64, id);
    d = json_object_new_object();
    if (d) {
        json_object_object_add(d, "request", json_object_new_int64(id));
        json_object_object_add(d, "city_name", json_object_new_string(req->city_name));
        json_object_object_add(d, "country", json_object_new_string(req->country));
    }
    if ((rc = store_history_add_json(st, 0, "request.submit", subject, d)) != 0)
        goto out;
    if ((rc = store_commit(st)) == 0 && id_out)
        *id_out = id;
out:
    if (rc != 0)
        store_rollback(st);
    return rc;
}

static int find_request(struct store *st, int64_t id, struct registry_request *out)
{
    sqlite3_stmt *s = stmt(st, R_REQUEST_FIND);
    int rc, result;

    sqlite3_bind_int64(s, 1, id);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        result = read_request(s, out) == 0 ? 0 : -1;
        if (result != 0)
            log_error("store: membership request %" PRId64 " is damaged", id);
    } else {
        result = rc == SQLITE_DONE ? STORE_REGISTRY_NOT_FOUND : store_read_failed(st, "a membership request");
    }
    store_stmt_done(s);
    return result;
}

int store_request_find(struct store *st, int64_t id, struct registry_request *out)
{
    return find_request(st, id, out);
}

int store_request_list(struct store *st, enum membership_request_state state, int64_t before, int limit,
                       struct registry_request **out, size_t *n)
{
    sqlite3_stmt *s = stmt(st, R_REQUEST_LIST);

    *out = NULL;
    *n = 0;
    if (limit < 1 || limit > 500)
        return -1;
    if (state != MEMBERSHIP_REQUEST_ANY)
        sqlite3_bind_text(s, 1, membership_request_state_name(state), -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, before > 0 ? before : 0);
    sqlite3_bind_int(s, 3, limit);
    return store_collect(st, s, sizeof(**out), STORE_REGISTRY_MAX_ROWS, read_request, "the membership requests", (void **)out, n);
}

/* Marks pending request `id` decided. 0, NOT_FOUND, CONFLICT (decided already) or -1. Inside a transaction. */
static int decide(struct store *st, int64_t id, enum membership_request_state state, const char *reason, int64_t actor)
{
    sqlite3_stmt *s = stmt(st, R_REQUEST_DECIDE);
    struct registry_request r;
    int rc;

    if ((rc = find_request(st, id, &r)) != 0)
        return rc;
    if (r.state != MEMBERSHIP_REQUEST_PENDING)
        return STORE_REGISTRY_CONFLICT;
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_text(s, 2, membership_request_state_name(state), -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 3, timeutil_now_ms());
    store_bind_id_or_null(s, 4, actor);
    sqlite3_bind_text(s, 5, reason, -1, SQLITE_STATIC);
    if (store_step_write(st, s, "deciding a membership request") != 0)
        return -1;
    return sqlite3_changes(st->db) == 1 ? 0 : STORE_REGISTRY_CONFLICT;
}

int store_request_approve(struct store *st, int64_t id, const struct registry_city *city, const char *decided_on,
                          const char *reason, int64_t actor_person_id, struct registry_request *req_out,
                          struct registry_city *city_out, bool *conflict_is_code)
{
    struct registry_city c = *city;
    struct registry_request r;
    struct json_object *d;
    sqlite3_stmt *s = stmt(st, R_REQUEST_SET_CITY);
    int64_t city_id = 0;
    int rc;

    if (conflict_is_code)
        *conflict_is_code = false;
    if (!membership_date_is_valid(decided_on))
        return -1;
    c.status = MEMBERSHIP_MEMBER;
    c.joined_how = MEMBERSHIP_JOINED_APPROVED_REQUEST;
    snprintf(c.joined_on, sizeof(c.joined_on), "%s", decided_on);
    if (store_begin(st) != 0)
        return -1;
    /*
     * The request is marked first and the city added second, so that a code
     * already taken fails after a write: the rollback below is what keeps
     * the request pending, and the tests prove it.
     */
    if ((rc = decide(st, id, MEMBERSHIP_REQUEST_APPROVED, reason, actor_person_id)) != 0)
        goto out;
    rc = store_city_insert(st, &c, decided_on, reason, actor_person_id, &city_id);
    if (rc != 0) {
        if (rc == STORE_REGISTRY_CONFLICT && conflict_is_code)
            *conflict_is_code = true;
        goto out;
    }
    c.id = city_id;
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_int64(s, 2, city_id);
    if ((rc = store_step_write(st, s, "linking a request to its city")) != 0)
        goto out;
    d = json_object_new_object();
    if (d) {
        json_object_object_add(d, "request", json_object_new_int64(id));
        json_object_object_add(d, "country", json_object_new_string(c.country));
        json_object_object_add(d, "joined_on", json_object_new_string(decided_on));
        json_object_object_add(d, "reason", json_object_new_string(reason));
    }
    if ((rc = store_history_add_json(st, actor_person_id, "request.approve", c.code, d)) != 0)
        goto out;
    if ((rc = find_request(st, id, &r)) != 0)
        goto out;
    rc = store_commit(st);
out:
    if (rc != 0) {
        store_rollback(st);
        return rc == STORE_REGISTRY_NOT_FOUND || rc == STORE_REGISTRY_CONFLICT ? rc : -1;
    }
    if (req_out)
        *req_out = r;
    if (city_out)
        *city_out = c;
    return 0;
}

int store_request_reject(struct store *st, int64_t id, const char *reason, int64_t actor_person_id,
                         struct registry_request *req_out)
{
    struct registry_request r;
    struct json_object *d;
    char subject[32];
    int rc;

    if (store_begin(st) != 0)
        return -1;
    if ((rc = decide(st, id, MEMBERSHIP_REQUEST_REJECTED, reason, actor_person_id)) != 0)
        goto out;
    if ((rc = find_request(st, id, &r)) != 0)
        goto out;
    snprintf(subject, sizeof(subject), "request:%" PRId64, id);
    d = json_object_new_object();
    if (d) {
        json_object_object_add(d, "request", json_object_new_int64(id));
        json_object_object_add(d, "city_name", json_object_new_string(r.city_name));
        json_object_object_add(d, "country", json_object_new_string(r.country));
        json_object_object_add(d, "reason", json_object_new_string(reason));
    }
    if ((rc = store_history_add_json(st, actor_person_id, "request.reject", subject, d)) != 0)
        goto out;
    rc = store_commit(st);
out:
    if (rc != 0) {
        store_rollback(st);
        return rc == STORE_REGISTRY_NOT_FOUND || rc == STORE_REGISTRY_CONFLICT ? rc : -1;
    }
    if (req_out)
        *req_out = r;
    return 0;
}

/* ---- history ---- */

void store_history_entries_free(struct registry_history_entry *entries, size_t n)
{
    if (!entries)
        return;
    for (size_t i = 0; i < n; i++) {
        free(entries[i].action);
        free(entries[i].subject);
        free(entries[i].details);
    }
    free(entries);
}

int store_history_list(struct store *st, int64_t before, int limit, struct registry_history_entry **out, size_t *n)
{
    sqlite3_stmt *s = stmt(st, R_HISTORY_LIST);
    struct registry_history_entry *arr = NULL;
    size_t count = 0, cap = 0;
    int rc, result = 0;

    *out = NULL;
    *n = 0;
    if (limit < 1 || limit > 500)
        return -1;
    sqlite3_bind_int64(s, 1, before > 0 ? before : 0);
    sqlite3_bind_int(s, 2, limit);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct registry_history_entry *e;
        if (grow((void **)&arr, &cap, count, sizeof(*arr)) != 0) {
            result = -1;
            goto out;
        }
        e = &arr[count++]; /* counted at once, so that a failure below frees what it holds */
        e->id = sqlite3_column_int64(s, 0);
        e->at_ms = sqlite3_column_int64(s, 1);
        e->actor_person_id = sqlite3_column_int64(s, 2);
        e->action = store_col_strdup(s, 3);
        e->subject = store_col_strdup(s, 4);
        e->details = store_col_strdup(s, 5);
        if (!e->action || !e->subject || !e->details) {
            log_error("store: out of memory reading the history");
            result = -1;
            goto out;
        }
    }
    if (rc != SQLITE_DONE)
        result = store_read_failed(st, "the history");
out:
    store_stmt_done(s);
    if (result != 0) {
        store_history_entries_free(arr, count);
        return -1;
    }
    *out = arr;
    *n = count;
    return 0;
}

/* ---- the demo flag ---- */

int store_demo_is_loaded(struct store *st)
{
    sqlite3_stmt *s = stmt(st, R_DEMO_GET);
    int rc = sqlite3_step(s), result;

    if (rc == SQLITE_ROW) {
        const unsigned char *v = sqlite3_column_text(s, 0);
        result = v && !strcmp((const char *)v, "1");
    } else {
        result = rc == SQLITE_DONE ? 0 : store_read_failed(st, "the demo flag");
    }
    store_stmt_done(s);
    return result;
}

int store_demo_mark(struct store *st)
{
    return store_step_write(st, stmt(st, R_DEMO_SET), "marking the demo network") == 0 ? 0 : -1;
}

/* ---- JSON ---- */

/* A coordinate as JSON with at most 4 decimals (about 11 m), trailing zeros dropped: 37.9838, 25.6. */
static struct json_object *coordinate_json(double v)
{
    char text[32];
    size_t len;

    snprintf(text, sizeof(text), "%.4f", v);
    len = strlen(text);
    while (len > 2 && text[len - 1] == '0' && text[len - 2] != '.')
        text[--len] = '\0';
    return json_object_new_double_s(strtod(text, NULL), text);
}

struct json_object *store_city_json(const struct registry_city *c)
{
    struct json_object *o = json_object_new_object();
    const char *joined = membership_joined_name(c->joined_how);

    if (!o)
        return NULL;
    json_object_object_add(o, "code", json_object_new_string(c->code));
    json_object_object_add(o, "name", json_object_new_string(c->name));
    json_object_object_add(o, "name_local", json_object_new_string(c->name_local));
    json_object_object_add(o, "country", json_object_new_string(c->country));
    json_object_object_add(o, "tz", json_object_new_string(c->tz));
    json_object_object_add(o, "lat", coordinate_json(c->lat));
    json_object_object_add(o, "lon", coordinate_json(c->lon));
    json_object_object_add(o, "status", json_object_new_string(membership_status_name(c->status)));
    json_object_object_add(o, "joined_how", joined ? json_object_new_string(joined) : NULL);
    json_object_object_add(o, "joined_on", c->joined_on[0] ? json_object_new_string(c->joined_on) : NULL);
    return o;
}
