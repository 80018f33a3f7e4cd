/*
 * store_summit: summits, delegations, attendance and presidency terms. See
 * include/b40/store_summit.h for the contract. Every statement is in
 * `summit_sql` below, prepared once when the store opens; each use resets
 * it and clears its bindings. Writes that change several rows run in one
 * IMMEDIATE transaction with their history entries, and roll back as a
 * whole on the first failure. Cities are read through the registry's
 * store_city_find on the same connection, so inside the same transaction.
 *
 * Service thread (or the command line), like the struct store it extends.
 */
#include "b40/store_summit.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "b40/log.h"
#include "b40/timeutil.h"
#include "store_internal.h"

enum summit_stmt {
    S_SUMMIT_INSERT,
    S_SUMMIT_BY_YEAR,
    S_SUMMIT_OVERLAP,
    S_SUMMIT_GET,
    S_SUMMIT_NEXT,
    S_SUMMIT_LIST,
    S_PRESENT,
    S_HOSPITALITY,
    S_DELEGATION_PUT,
    S_DELEGATION_GET,
    S_DELEGATION_LIST,
    S_ATTEND_INSERT,
    S_CITY_JOIN,
    S_STATUS_INSERT,
    S_TERM_INSERT,
    S_TERM_BEFORE,
    S_TERM_AFTER,
    S_TERM_CURRENT,
    S_TERM_LIST,
    S_TERM_PENDING,
    S_TERM_OPEN,
    S_TERM_OF_SUMMIT,
    S_COUNT
};

#define SUMMIT_COLUMNS "s.id, s.year, s.host_city, c.code, s.starts_on, s.ends_on, s.place"
#define SUMMIT_FROM " FROM summits s JOIN cities c ON c.id = s.host_city"
#define DELEGATION_COLUMNS                                                                                      \
    "d.summit_id, d.city_id, c.code, d.delegates, d.arrival_on, d.departure_on, d.nights, d.meals, d.dietary, " \
    "d.updated_at_ms"
#define DELEGATION_FROM " FROM delegations d JOIN cities c ON c.id = d.city_id"
/* The term of a summit, with the summit's start: "just before" and "just after" compare these. */
#define TERM_FROM " FROM presidencies p JOIN summits s ON s.id = p.from_summit_id"
#define TERM_COLUMNS                                                                                           \
    "p.id, p.city_id, c.code, coalesce(p.from_summit_id, 0), coalesce(s.year, 0), s.starts_on,"               \
    " coalesce(p.elected_in, 0), coalesce(p.elected_at_summit_id, 0), p.recorded_at_ms"

const char *const store_summit_sql[S_COUNT] = {
    [S_SUMMIT_INSERT] = "INSERT INTO summits (year, host_city, starts_on, ends_on, place) VALUES (?1, ?2, ?3, ?4, ?5)",
    [S_SUMMIT_BY_YEAR] = "SELECT id FROM summits WHERE year = ?1",
    /* two summits overlap when each starts before the other ends */
    [S_SUMMIT_OVERLAP] = "SELECT id FROM summits WHERE starts_on <= ?2 AND ends_on >= ?1 LIMIT 1",
    [S_SUMMIT_GET] = "SELECT " SUMMIT_COLUMNS SUMMIT_FROM " WHERE s.id = ?1",
    [S_SUMMIT_NEXT] = "SELECT " SUMMIT_COLUMNS SUMMIT_FROM " WHERE s.ends_on >= ?1 ORDER BY s.starts_on, s.id LIMIT 1",
    [S_SUMMIT_LIST] = "SELECT " SUMMIT_COLUMNS SUMMIT_FROM " ORDER BY s.starts_on DESC, s.id DESC",
    [S_PRESENT] = "SELECT c.id, c.code, c.status FROM attendance a JOIN cities c ON c.id = a.city_id"
                  " WHERE a.summit_id = ?1 ORDER BY c.code",
    [S_HOSPITALITY] = "SELECT count(*), coalesce(sum(delegates), 0), coalesce(sum(delegates * nights), 0),"
                      " coalesce(sum(meals), 0) FROM delegations WHERE summit_id = ?1",
    [S_DELEGATION_PUT] = "INSERT INTO delegations (summit_id, city_id, delegates, arrival_on, departure_on, nights,"
                         " meals, dietary, updated_at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
                         " ON CONFLICT (summit_id, city_id) DO UPDATE SET delegates = excluded.delegates,"
                         " arrival_on = excluded.arrival_on, departure_on = excluded.departure_on,"
                         " nights = excluded.nights, meals = excluded.meals, dietary = excluded.dietary,"
                         " updated_at_ms = excluded.updated_at_ms",
    [S_DELEGATION_GET] = "SELECT " DELEGATION_COLUMNS DELEGATION_FROM " WHERE d.summit_id = ?1 AND d.city_id = ?2",
    [S_DELEGATION_LIST] = "SELECT " DELEGATION_COLUMNS DELEGATION_FROM " WHERE d.summit_id = ?1 ORDER BY c.code",
    /* the first check-in stands: a second one inserts nothing (sqlite3_changes tells) */
    [S_ATTEND_INSERT] = "INSERT INTO attendance (summit_id, city_id, checked_in_ms, how, by_person)"
                        " VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (summit_id, city_id) DO NOTHING",
    /* joined_how/joined_on say how and when a city FIRST joined: set only for a city that never had */
    [S_CITY_JOIN] = "UPDATE cities SET status = 'member',"
                    " joined_on = CASE WHEN joined_how IS NULL THEN ?3 ELSE joined_on END,"
                    " joined_how = coalesce(joined_how, 'summit_attendance')"
                    " WHERE id = ?1 AND status = ?2",
    [S_STATUS_INSERT] = "INSERT INTO city_status_history (city_id, status, effective_on, recorded_at_ms,"
                        " actor_person_id, reason) VALUES (?1, 'member', ?2, ?3, ?4, ?5)",
    [S_TERM_INSERT] = "INSERT INTO presidencies (city_id, from_summit_id, elected_in, recorded_at_ms)"
                      " VALUES (?1, ?2, ?3, ?4)",
    [S_TERM_BEFORE] = "SELECT p.city_id" TERM_FROM " WHERE s.starts_on < ?1 ORDER BY s.starts_on DESC, p.id DESC"
                      " LIMIT 1",
    [S_TERM_AFTER] = "SELECT p.city_id" TERM_FROM " WHERE s.starts_on > ?1 ORDER BY s.starts_on, p.id LIMIT 1",
    [S_TERM_CURRENT] = "SELECT p.city_id" TERM_FROM " WHERE s.starts_on <= ?1 ORDER BY s.starts_on DESC, p.id DESC"
                       " LIMIT 1",
    /* pending terms (no summit yet) first, then by the summit that opened them */
    [S_TERM_LIST] = "SELECT " TERM_COLUMNS " FROM presidencies p LEFT JOIN summits s ON s.id = p.from_summit_id"
                    " JOIN cities c ON c.id = p.city_id ORDER BY s.starts_on IS NULL DESC, s.starts_on DESC, p.id DESC",
    /* the elected city hosts the NEXT summit: none may lie between the electing summit and this one */
    [S_TERM_PENDING] = "SELECT " TERM_COLUMNS " FROM presidencies p LEFT JOIN summits s ON s.id = p.from_summit_id"
                       " JOIN cities c ON c.id = p.city_id JOIN summits e ON e.id = p.elected_at_summit_id"
                       " WHERE p.from_summit_id IS NULL AND e.starts_on < ?1 AND NOT EXISTS (SELECT 1 FROM summits m"
                       " WHERE m.starts_on > e.starts_on AND m.starts_on < ?1)"
                       " ORDER BY e.starts_on DESC, p.id DESC LIMIT 1",
    [S_TERM_OPEN] = "UPDATE presidencies SET from_summit_id = ?2 WHERE id = ?1 AND from_summit_id IS NULL",
    [S_TERM_OF_SUMMIT] = "SELECT id FROM presidencies WHERE from_summit_id = ?1",
};

const size_t store_summit_sql_count = S_COUNT;

const char *summit_how_name(enum summit_how how)
{
    switch (how) {
    case SUMMIT_HOW_DESK: return "desk";
    case SUMMIT_HOW_ONLINE: return "online";
    }
    return NULL;
}

/* ---- helpers ---- */

static sqlite3_stmt *stmt(struct store *st, enum summit_stmt id)
{
    return st->part[STORE_PART_SUMMIT][id];
}

/* A date column that must hold a calendar date. 0 or -1. */
static int col_date(sqlite3_stmt *s, int col, char buf[STORE_REGISTRY_DATE_SIZE])
{
    return store_col_text(s, col, buf, STORE_REGISTRY_DATE_SIZE, false) == 0 && membership_date_is_valid(buf) ? 0 : -1;
}

/*
 * Grows *arr (of *cap elements of `size` bytes) so that it holds at least
 * n + 1. Returns 0, or -1 when memory ran out or the list is longer than
 * STORE_SUMMIT_MAX_ROWS (*arr is then unchanged, still the caller's).
 */
static int grow(void **arr, size_t *cap, size_t n, size_t size)
{
    return store_grow(arr, cap, n, size, STORE_SUMMIT_MAX_ROWS);
}

/* The first integer column of a one-row query with one bound integer or text: 0 found, 1 none, -1. */
static int query_id(struct store *st, sqlite3_stmt *s, int64_t *out, const char *what)
{
    int rc = sqlite3_step(s), result;

    if (rc == SQLITE_ROW) {
        *out = sqlite3_column_int64(s, 0);
        result = 0;
    } else {
        result = rc == SQLITE_DONE ? 1 : store_read_failed(st, what);
    }
    store_stmt_done(s);
    return result;
}

/* ---- summits ---- */

static int open_pending_term(struct store *st, int64_t summit_id, int64_t host_city_id, const char *starts_on);

/* Reads a row of SUMMIT_COLUMNS. 0, or -1 for a row the server would not have written. */
static int read_summit(sqlite3_stmt *s, void *elem)
{
    struct summit_record *r = elem;
    memset(r, 0, sizeof(*r));
    r->id = sqlite3_column_int64(s, 0);
    r->year = sqlite3_column_int64(s, 1);
    r->host_city_id = sqlite3_column_int64(s, 2);
    if (store_col_text(s, 3, r->host, sizeof(r->host), false) || col_date(s, 4, r->starts_on) ||
        col_date(s, 5, r->ends_on) || store_col_text(s, 6, r->place, sizeof(r->place), false))
        return -1;
    return 0;
}

/* Runs a summit query whose first row (if any) is the answer. 0 found, 1 none, -1. */
static int query_summit(struct store *st, sqlite3_stmt *s, struct summit_record *out)
{
    int rc = sqlite3_step(s), result;

    if (rc == SQLITE_ROW) {
        result = read_summit(s, out) == 0 ? 0 : -1;
        if (result != 0)
            log_error("store: a summit row is damaged");
    } else {
        result = rc == SQLITE_DONE ? 1 : store_read_failed(st, "a summit");
    }
    store_stmt_done(s);
    return result;
}

int store_summit_get(struct store *st, int64_t id, struct summit_record *out)
{
    sqlite3_stmt *s = stmt(st, S_SUMMIT_GET);

    sqlite3_bind_int64(s, 1, id);
    return query_summit(st, s, out);
}

int store_summit_on_or_after(struct store *st, const char *date, struct summit_record *out)
{
    sqlite3_stmt *s = stmt(st, S_SUMMIT_NEXT);

    if (!membership_date_is_valid(date))
        return 1;
    sqlite3_bind_text(s, 1, date, -1, SQLITE_STATIC);
    return query_summit(st, s, out);
}

int store_summit_insert(struct store *st, const struct summit_new *sn, int64_t *id_out)
{
    struct registry_city host;
    sqlite3_stmt *s;
    int64_t other, id;
    int rc;

    if (sqlite3_get_autocommit(st->db)) {
        log_error("store: a summit insert outside a transaction");
        return -1;
    }
    if (summit_check_dates(sn->year, sn->starts_on, sn->ends_on) != SUMMIT_FAULT_NONE || !sn->place ||
        !membership_text_is_valid(sn->place, 1, SUMMIT_PLACE_MAX, false) || !membership_code_is_valid(sn->host)) {
        log_error("store: a summit with invalid fields reached the store");
        return -1;
    }
    rc = store_city_find(st, sn->host, &host);
    if (rc == STORE_REGISTRY_NOT_FOUND)
        return STORE_SUMMIT_NOT_FOUND;
    if (rc != 0)
        return -1;
    s = stmt(st, S_SUMMIT_BY_YEAR);
    sqlite3_bind_int64(s, 1, sn->year);
    if ((rc = query_id(st, s, &other, "the summits of a year")) <= 0)
        return rc == 0 ? STORE_SUMMIT_YEAR_TAKEN : -1;
    s = stmt(st, S_SUMMIT_OVERLAP);
    sqlite3_bind_text(s, 1, sn->starts_on, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, sn->ends_on, -1, SQLITE_STATIC);
    if ((rc = query_id(st, s, &other, "the summits on some dates")) <= 0)
        return rc == 0 ? STORE_SUMMIT_OVERLAP : -1;
    s = stmt(st, S_SUMMIT_INSERT);
    sqlite3_bind_int64(s, 1, sn->year);
    sqlite3_bind_int64(s, 2, host.id);
    sqlite3_bind_text(s, 3, sn->starts_on, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, sn->ends_on, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 5, sn->place, -1, SQLITE_STATIC);
    rc = store_step_write(st, s, "adding a summit");
    if (rc != 0)
        return rc == STORE_SUMMIT_CONFLICT ? STORE_SUMMIT_YEAR_TAKEN : -1;
    id = sqlite3_last_insert_rowid(st->db);
    if ((rc = open_pending_term(st, id, host.id, sn->starts_on)) != 0)
        return rc;
    if (id_out)
        *id_out = id;
    return 0;
}

int store_summit_create(struct store *st, const struct summit_new *sn, int64_t actor_person_id,
                        struct summit_record *out)
{
    struct summit_record r;
    struct json_object *d;
    sqlite3_stmt *q;
    char subject[40];
    int64_t id = 0, term = 0;
    int rc;

    if (store_begin(st) != 0)
        return -1;
    if ((rc = store_summit_insert(st, sn, &id)) != 0)
        goto out;
    if ((rc = store_summit_get(st, id, &r)) != 0) {
        rc = -1;
        goto out;
    }
    q = stmt(st, S_TERM_OF_SUMMIT);
    sqlite3_bind_int64(q, 1, id);
    if ((rc = query_id(st, q, &term, "the term a summit opens")) < 0)
        goto out;
    snprintf(subject, sizeof(subject), "summit:%" PRId64, id);
    d = json_object_new_object();
    if (d) {
        json_object_object_add(d, "year", json_object_new_int64(r.year));
        json_object_object_add(d, "host", json_object_new_string(r.host));
        json_object_object_add(d, "starts_on", json_object_new_string(r.starts_on));
        json_object_object_add(d, "ends_on", json_object_new_string(r.ends_on));
        json_object_object_add(d, "place", json_object_new_string(r.place));
        if (term > 0)
            json_object_object_add(d, "opens_term", json_object_new_int64(term));
    }
    if ((rc = store_history_add_json(st, actor_person_id, "summit.create", subject, d)) != 0)
        goto out;
    rc = store_commit(st);
out:
    if (rc != 0) {
        store_rollback(st);
        return rc;
    }
    if (out)
        *out = r;
    return 0;
}

int store_summit_list(struct store *st, struct summit_record **out, size_t *n)
{
    sqlite3_stmt *s = stmt(st, S_SUMMIT_LIST);

    *out = NULL;
    *n = 0;
    return store_collect(st, s, sizeof(**out), STORE_SUMMIT_MAX_ROWS, read_summit, "the summits", (void **)out, n);
}

int store_summit_present(struct store *st, int64_t summit_id, struct summit_city **out, size_t *n)
{
    sqlite3_stmt *s = stmt(st, S_PRESENT);
    struct summit_city *arr = NULL;
    size_t count = 0, cap = 0;
    int rc, result = 0;

    *out = NULL;
    *n = 0;
    sqlite3_bind_int64(s, 1, summit_id);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct summit_city *c;
        char status[16];
        if (grow((void **)&arr, &cap, count, sizeof(*arr)) != 0) {
            result = -1;
            goto out;
        }
        c = &arr[count];
        memset(c, 0, sizeof(*c));
        c->id = sqlite3_column_int64(s, 0);
        if (store_col_text(s, 1, c->code, sizeof(c->code), false) || store_col_text(s, 2, status, sizeof(status), false) ||
            membership_status_parse(status, &c->status) != 0) {
            log_error("store: a city present at summit %" PRId64 " is damaged", summit_id);
            result = -1;
            goto out;
        }
        count++;
    }
    if (rc != SQLITE_DONE)
        result = store_read_failed(st, "the cities present");
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

int store_summit_hospitality(struct store *st, int64_t summit_id, struct summit_hospitality *out)
{
    sqlite3_stmt *s = stmt(st, S_HOSPITALITY);
    int result = -1;

    sqlite3_bind_int64(s, 1, summit_id);
    if (sqlite3_step(s) == SQLITE_ROW) {
        out->delegations = sqlite3_column_int64(s, 0);
        out->delegates = sqlite3_column_int64(s, 1);
        out->nights = sqlite3_column_int64(s, 2);
        out->meals = sqlite3_column_int64(s, 3);
        result = 0;
    } else {
        (void)store_read_failed(st, "the hospitality of a summit");
    }
    store_stmt_done(s);
    return result;
}

/* ---- delegations ---- */

/* Reads a row of DELEGATION_COLUMNS. 0 or -1. */
static int read_delegation(sqlite3_stmt *s, void *elem)
{
    struct delegation_record *d = elem;
    memset(d, 0, sizeof(*d));
    d->summit_id = sqlite3_column_int64(s, 0);
    d->city_id = sqlite3_column_int64(s, 1);
    d->delegates = sqlite3_column_int64(s, 3);
    d->nights = sqlite3_column_int64(s, 6);
    d->meals = sqlite3_column_int64(s, 7);
    d->updated_ms = sqlite3_column_int64(s, 9);
    if (store_col_text(s, 2, d->city, sizeof(d->city), false) || col_date(s, 4, d->arrival) ||
        col_date(s, 5, d->departure) || store_col_text(s, 8, d->dietary, sizeof(d->dietary), false))
        return -1;
    return 0;
}

static int delegation_get(struct store *st, int64_t summit_id, int64_t city_id, struct delegation_record *out)
{
    sqlite3_stmt *s = stmt(st, S_DELEGATION_GET);
    int rc, result;

    sqlite3_bind_int64(s, 1, summit_id);
    sqlite3_bind_int64(s, 2, city_id);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        result = read_delegation(s, out);
        if (result != 0)
            log_error("store: a delegation row is damaged");
    } else {
        result = rc == SQLITE_DONE ? 1 : store_read_failed(st, "a delegation");
    }
    store_stmt_done(s);
    return result;
}

int store_delegation_register(struct store *st, int64_t summit_id, const char *city, int64_t delegates,
                              const char *arrival, const char *departure, const char *dietary,
                              int64_t actor_person_id, struct delegation_record *out)
{
    sqlite3_stmt *s = stmt(st, S_DELEGATION_PUT);
    struct summit_record summit;
    struct registry_city c;
    struct delegation_record d;
    struct summit_stay stay;
    struct json_object *details;
    int rc;

    if (!membership_code_is_valid(city) || !dietary || strlen(dietary) > SUMMIT_DIETARY_MAX ||
        (dietary[0] && !membership_text_is_valid(dietary, 0, SUMMIT_DIETARY_MAX, true))) {
        log_error("store: a delegation with an invalid city code or dietary text reached the store");
        return -1;
    }
    if (store_begin(st) != 0)
        return -1;
    if ((rc = store_summit_get(st, summit_id, &summit)) != 0) {
        rc = rc == 1 ? STORE_SUMMIT_NOT_FOUND : -1;
        goto out;
    }
    if ((rc = store_city_find(st, city, &c)) != 0) {
        rc = rc == STORE_REGISTRY_NOT_FOUND ? STORE_SUMMIT_NOT_FOUND : -1;
        goto out;
    }
    if (summit_delegation_plan(summit.starts_on, summit.ends_on, delegates, arrival, departure, &stay) !=
        SUMMIT_FAULT_NONE) {
        log_error("store: a delegation outside the rules of summit %" PRId64 " reached the store", summit_id);
        rc = -1;
        goto out;
    }
    sqlite3_bind_int64(s, 1, summit_id);
    sqlite3_bind_int64(s, 2, c.id);
    sqlite3_bind_int64(s, 3, delegates);
    sqlite3_bind_text(s, 4, arrival, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 5, departure, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 6, stay.nights);
    sqlite3_bind_int64(s, 7, stay.meals);
    sqlite3_bind_text(s, 8, dietary, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 9, timeutil_now_ms());
    if (store_step_write(st, s, "registering a delegation") != 0) {
        rc = -1;
        goto out;
    }
    if (delegation_get(st, summit_id, c.id, &d) != 0) {
        rc = -1;
        goto out;
    }
    details = json_object_new_object();
    if (details) {
        json_object_object_add(details, "summit", json_object_new_int64(summit_id));
        json_object_object_add(details, "year", json_object_new_int64(summit.year));
        json_object_object_add(details, "delegates", json_object_new_int64(d.delegates));
        json_object_object_add(details, "arrival", json_object_new_string(d.arrival));
        json_object_object_add(details, "departure", json_object_new_string(d.departure));
        json_object_object_add(details, "nights", json_object_new_int64(d.nights));
        json_object_object_add(details, "meals", json_object_new_int64(d.meals));
    }
    if ((rc = store_history_add_json(st, actor_person_id, "delegation.register", c.code, details)) != 0)
        goto out;
    rc = store_commit(st);
out:
    if (rc != 0) {
        store_rollback(st);
        return rc;
    }
    if (out)
        *out = d;
    return 0;
}

int store_delegation_get(struct store *st, int64_t summit_id, int64_t city_id, struct delegation_record *out)
{
    return delegation_get(st, summit_id, city_id, out);
}

int store_delegation_list(struct store *st, int64_t summit_id, struct delegation_record **out, size_t *n)
{
    sqlite3_stmt *s = stmt(st, S_DELEGATION_LIST);

    *out = NULL;
    *n = 0;
    sqlite3_bind_int64(s, 1, summit_id);
    return store_collect(st, s, sizeof(**out), STORE_SUMMIT_MAX_ROWS, read_delegation, "the delegations", (void **)out, n);
}

/* ---- attendance ---- */


/*
 * Makes city c (its status read in this transaction) a member by attending
 * `summit`, effective `effective_on`: the city row, a status history row
 * and the "city.status" history entry. Inside the caller's transaction. 0,
 * STORE_SUMMIT_CONFLICT (a later status change is on record) or -1.
 */
static int join_by_attendance(struct store *st, struct registry_city *c, const struct summit_record *summit,
                              const char *effective_on, int64_t by_person)
{
    char latest[STORE_REGISTRY_DATE_SIZE], reason[MEMBERSHIP_REASON_MAX + 1];
    const char *from = membership_status_name(c->status);
    struct json_object *d;
    sqlite3_stmt *s;

    if (!from || store_city_latest_effective_on(st, c->id, latest) != 0)
        return -1;
    /* A change effective before one on record would rewrite the past of members.as_of. */
    if (strcmp(latest, effective_on) > 0)
        return STORE_SUMMIT_CONFLICT;
    /* the place is at most 200 bytes: the reason stays well inside its 500 */
    snprintf(reason, sizeof(reason), "attended the summit in %s, %s to %s", summit->place, summit->starts_on,
             summit->ends_on);
    s = stmt(st, S_CITY_JOIN);
    sqlite3_bind_int64(s, 1, c->id);
    sqlite3_bind_text(s, 2, from, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, effective_on, -1, SQLITE_STATIC);
    if (store_step_write(st, s, "making an attending city a member") != 0 || sqlite3_changes(st->db) != 1)
        return -1; /* the status was read in this same IMMEDIATE transaction: it cannot have moved */
    s = stmt(st, S_STATUS_INSERT);
    sqlite3_bind_int64(s, 1, c->id);
    sqlite3_bind_text(s, 2, effective_on, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 3, timeutil_now_ms());
    store_bind_id_or_null(s, 4, by_person);
    sqlite3_bind_text(s, 5, reason, -1, SQLITE_STATIC);
    if (store_step_write(st, s, "recording a status change") != 0)
        return -1;
    d = json_object_new_object();
    if (d) {
        json_object_object_add(d, "from", json_object_new_string(from));
        json_object_object_add(d, "to", json_object_new_string("member"));
        json_object_object_add(d, "effective_on", json_object_new_string(effective_on));
        json_object_object_add(d, "reason", json_object_new_string(reason));
        json_object_object_add(d, "summit", json_object_new_int64(summit->id));
    }
    if (store_history_add_json(st, by_person, "city.status", c->code, d) != 0)
        return -1;
    c->status = MEMBERSHIP_MEMBER;
    if (c->joined_how == MEMBERSHIP_JOINED_NONE) {
        c->joined_how = MEMBERSHIP_JOINED_SUMMIT_ATTENDANCE;
        snprintf(c->joined_on, sizeof(c->joined_on), "%s", effective_on);
    }
    return 0;
}

int store_attendance_check_in(struct store *st, int64_t summit_id, const char *city, enum summit_how how,
                              int64_t by_person, const char *today, struct attendance_outcome *out)
{
    const char *how_name = summit_how_name(how), *effective_on;
    struct summit_record summit;
    struct attendance_outcome o;
    struct json_object *d;
    sqlite3_stmt *s;
    int rc;

    if (!how_name || !membership_code_is_valid(city) || !membership_date_is_valid(today)) {
        log_error("store: a check-in with invalid fields reached the store");
        return -1;
    }
    memset(&o, 0, sizeof(o));
    if (store_begin(st) != 0)
        return -1;
    if ((rc = store_summit_get(st, summit_id, &summit)) != 0) {
        rc = rc == 1 ? STORE_SUMMIT_NOT_FOUND : -1;
        goto out;
    }
    if ((rc = store_city_find(st, city, &o.city)) != 0) {
        rc = rc == STORE_REGISTRY_NOT_FOUND ? STORE_SUMMIT_NOT_FOUND : -1;
        goto out;
    }
    o.effect = membership_on_attendance(o.city.status, membership_country_is_balkan(o.city.country));
    s = stmt(st, S_ATTEND_INSERT);
    sqlite3_bind_int64(s, 1, summit_id);
    sqlite3_bind_int64(s, 2, o.city.id);
    sqlite3_bind_int64(s, 3, timeutil_now_ms());
    sqlite3_bind_text(s, 4, how_name, -1, SQLITE_STATIC);
    store_bind_id_or_null(s, 5, by_person);
    if ((rc = store_step_write(st, s, "recording attendance")) != 0) {
        rc = -1;
        goto out;
    }
    if (sqlite3_changes(st->db) == 0) {
        /* present already: the first check-in stands and nothing is written */
        store_rollback(st);
        if (out)
            *out = o;
        return 0;
    }
    o.recorded = true;
    d = json_object_new_object();
    if (d) {
        json_object_object_add(d, "summit", json_object_new_int64(summit_id));
        json_object_object_add(d, "year", json_object_new_int64(summit.year));
        json_object_object_add(d, "how", json_object_new_string(how_name));
        json_object_object_add(d, "effect", json_object_new_string(summit_attendance_effect_name(o.effect)));
    }
    if ((rc = store_history_add_json(st, by_person, "attendance.check_in", o.city.code, d)) != 0)
        goto out;
    /* a member from the summit's first day, or from the check-in when it comes ahead of the summit */
    effective_on = strcmp(today, summit.starts_on) < 0 ? today : summit.starts_on;
    if (o.effect == MEMBERSHIP_ATTEND_JOINS &&
        (rc = join_by_attendance(st, &o.city, &summit, effective_on, by_person)) != 0)
        goto out;
    rc = store_commit(st);
out:
    if (rc != 0) {
        store_rollback(st);
        return rc;
    }
    if (out)
        *out = o;
    return 0;
}

/* ---- presidency terms ---- */

/* Reads a row of TERM_COLUMNS. 0 or -1. */
static int read_term(sqlite3_stmt *s, void *elem)
{
    struct summit_term *t = elem;
    memset(t, 0, sizeof(*t));
    t->id = sqlite3_column_int64(s, 0);
    t->city_id = sqlite3_column_int64(s, 1);
    t->from_summit_id = sqlite3_column_int64(s, 3);
    t->year = sqlite3_column_int64(s, 4);
    t->elected_in = sqlite3_column_int64(s, 6);
    t->elected_at_summit_id = sqlite3_column_int64(s, 7);
    t->recorded_ms = sqlite3_column_int64(s, 8);
    if (store_col_text(s, 2, t->city, sizeof(t->city), false))
        return -1;
    /* a term with a summit has its start date; a pending one has neither */
    if (t->from_summit_id ? col_date(s, 5, t->starts_on) != 0 : sqlite3_column_type(s, 5) != SQLITE_NULL)
        return -1;
    return 0;
}

/*
 * Whether city_id may hold the term opened by a summit starting on
 * `starts_on`: not when it holds the term just before or just after (no
 * two consecutive terms). 0 yes, STORE_SUMMIT_CONFLICT no, -1.
 */
static int check_not_consecutive(struct store *st, int64_t city_id, const char *starts_on)
{
    int64_t neighbour = 0;
    int rc;

    for (int i = 0; i < 2; i++) {
        sqlite3_stmt *s = stmt(st, i == 0 ? S_TERM_BEFORE : S_TERM_AFTER);
        sqlite3_bind_text(s, 1, starts_on, -1, SQLITE_STATIC);
        rc = query_id(st, s, &neighbour, "the neighbouring presidency terms");
        if (rc < 0)
            return -1;
        if (rc == 0 && neighbour == city_id)
            return STORE_SUMMIT_CONFLICT;
    }
    return 0;
}

int store_presidency_pending(struct store *st, const char *starts_on, struct summit_term *out)
{
    sqlite3_stmt *s = stmt(st, S_TERM_PENDING);
    int rc, result;

    if (!membership_date_is_valid(starts_on))
        return 1;
    sqlite3_bind_text(s, 1, starts_on, -1, SQLITE_STATIC);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        result = read_term(s, out);
        if (result != 0)
            log_error("store: a pending presidency term is damaged");
    } else {
        result = rc == SQLITE_DONE ? 1 : store_read_failed(st, "the pending presidency term");
    }
    store_stmt_done(s);
    return result;
}

/* Opens the pending term (if any) that the new summit `summit_id` (host, start) opens. Caller's transaction. */
static int open_pending_term(struct store *st, int64_t summit_id, int64_t host_city_id, const char *starts_on)
{
    struct summit_term pending;
    sqlite3_stmt *s;
    int rc;

    if ((rc = store_presidency_pending(st, starts_on, &pending)) != 0)
        return rc == 1 ? 0 : -1;
    if (pending.city_id != host_city_id)
        return STORE_SUMMIT_CONFLICT; /* the election chose another host */
    if ((rc = check_not_consecutive(st, host_city_id, starts_on)) != 0)
        return rc;
    s = stmt(st, S_TERM_OPEN);
    sqlite3_bind_int64(s, 1, pending.id);
    sqlite3_bind_int64(s, 2, summit_id);
    if (store_step_write(st, s, "opening a presidency term") != 0 || sqlite3_changes(st->db) != 1)
        return -1;
    return 0;
}

int store_presidency_add(struct store *st, int64_t city_id, int64_t from_summit_id, int64_t election_id)
{
    struct summit_record summit;
    sqlite3_stmt *s;
    int rc;

    if (sqlite3_get_autocommit(st->db)) {
        log_error("store: a presidency term added outside a transaction");
        return -1;
    }
    if ((rc = store_summit_get(st, from_summit_id, &summit)) != 0)
        return rc == 1 ? STORE_SUMMIT_NOT_FOUND : -1;
    if (summit.host_city_id != city_id)
        return STORE_SUMMIT_CONFLICT;
    if ((rc = check_not_consecutive(st, city_id, summit.starts_on)) != 0)
        return rc;
    s = stmt(st, S_TERM_INSERT);
    sqlite3_bind_int64(s, 1, city_id);
    sqlite3_bind_int64(s, 2, from_summit_id);
    store_bind_id_or_null(s, 3, election_id);
    sqlite3_bind_int64(s, 4, timeutil_now_ms());
    rc = store_step_write(st, s, "recording a presidency term");
    return rc == STORE_SUMMIT_CONFLICT ? STORE_SUMMIT_CONFLICT : rc == 0 ? 0 : -1;
}

int store_presidency_current(struct store *st, const char *date, int64_t *city_id)
{
    sqlite3_stmt *s = stmt(st, S_TERM_CURRENT);

    if (!membership_date_is_valid(date))
        return 1;
    sqlite3_bind_text(s, 1, date, -1, SQLITE_STATIC);
    return query_id(st, s, city_id, "the current presidency");
}

int store_presidency_list(struct store *st, struct summit_term **out, size_t *n)
{
    sqlite3_stmt *s = stmt(st, S_TERM_LIST);

    *out = NULL;
    *n = 0;
    return store_collect(st, s, sizeof(**out), STORE_SUMMIT_MAX_ROWS, read_term, "the presidency terms", (void **)out, n);
}
