/*
 * store_registry: the registry's part of the store: cities, their dated
 * status history, membership requests, the append-only history's reader,
 * and the 'demo' flag in `meta`. Every statement is prepared once when the
 * store opens (server/store_registry.c) and reset after each use; no SQL is
 * built from strings. A write that touches several rows runs in one
 * transaction together with its history entry: it happens entirely or not
 * at all.
 *
 * These functions check what the database guarantees (a code is unique, a
 * request is decided once, a status is what the caller read) but not the
 * charter's rules or the syntax of fields: callers check those first with
 * include/b40/membership.h.
 *
 * Threading: like struct store, the service thread (or the command line).
 */
#ifndef B40_STORE_REGISTRY_H
#define B40_STORE_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "b40/membership.h"

struct store;
struct json_object;

/* Results beyond 0 (done) and -1 (the database failed; logged; nothing was changed). */
enum store_registry_result {
    STORE_REGISTRY_OK = 0,
    STORE_REGISTRY_ERROR = -1,
    STORE_REGISTRY_NOT_FOUND = -2, /* no such city or request */
    STORE_REGISTRY_CONFLICT = -3,  /* a code taken, a request already decided, a status changed meanwhile */
};

/* Buffer sizes: the schema bounds names to 100 characters, i.e. at most 400 bytes of UTF-8. */
#define STORE_REGISTRY_NAME_SIZE (4 * MEMBERSHIP_NAME_MAX + 1)
#define STORE_REGISTRY_CODE_SIZE (MEMBERSHIP_CODE_MAX + 1)
#define STORE_REGISTRY_DATE_SIZE (MEMBERSHIP_DATE_LEN + 1)
#define STORE_REGISTRY_TZ_SIZE (MEMBERSHIP_TZ_MAX + 1)
#define STORE_REGISTRY_EMAIL_SIZE (MEMBERSHIP_EMAIL_MAX + 1)
#define STORE_REGISTRY_REASON_SIZE (MEMBERSHIP_REASON_MAX + 1)
#define STORE_REGISTRY_REQUEST_REASON_SIZE (MEMBERSHIP_REQUEST_REASON_MAX + 1)

/* Most rows one list returns; a longer table is an error rather than an unbounded allocation. */
#define STORE_REGISTRY_MAX_ROWS 100000

/* A city of the registry (the "city" object of docs/protocol.md). */
struct registry_city {
    int64_t id; /* cities.id; ignored when adding */
    char code[STORE_REGISTRY_CODE_SIZE];
    char name[STORE_REGISTRY_NAME_SIZE];       /* Latin script, e.g. "Kırklareli" */
    char name_local[STORE_REGISTRY_NAME_SIZE]; /* the local script, e.g. "Αθήνα" */
    char country[3];
    char tz[STORE_REGISTRY_TZ_SIZE];
    double lat, lon;
    enum membership_status status;
    enum membership_joined joined_how;      /* how it first joined; NONE: not (yet) */
    char joined_on[STORE_REGISTRY_DATE_SIZE]; /* when it first joined; "": not (yet) */
};

struct registry_city_filter {
    enum membership_status status; /* MEMBERSHIP_NONE: any */
    bool include_applicants;       /* false: applicants are never listed (the public list) */
    char country[3];               /* "": any */
};

/* One row of city_status_history, with its city's code. */
struct registry_status_row {
    int64_t city_id;
    char city[STORE_REGISTRY_CODE_SIZE];
    struct membership_change change; /* the status and the day it holds from */
    int64_t recorded_ms;
    int64_t actor_person_id; /* 0: the operator or the server */
    char reason[STORE_REGISTRY_REASON_SIZE];
};

/* What a membership request form sends (already checked with membership.h). */
struct registry_request_new {
    const char *city_name, *country, *contact_name, *email, *reason;
};

struct registry_request {
    int64_t id;
    char city_name[STORE_REGISTRY_NAME_SIZE];
    char country[3];
    char contact_name[STORE_REGISTRY_NAME_SIZE];
    char email[STORE_REGISTRY_EMAIL_SIZE];
    char reason[STORE_REGISTRY_REQUEST_REASON_SIZE];
    int64_t submitted_ms;
    enum membership_request_state state;
    int64_t decided_ms; /* 0: not decided */
    int64_t decided_by; /* person id; 0: none (or the operator) */
    char decision_reason[STORE_REGISTRY_REASON_SIZE];
    char city[STORE_REGISTRY_CODE_SIZE]; /* the city an approval created; "" otherwise */
};

/* One entry of the append-only history. */
struct registry_history_entry {
    int64_t id;
    int64_t at_ms;
    int64_t actor_person_id; /* 0: the operator or the server */
    char *action;            /* owned, freed by store_history_entries_free */
    char *subject;
    char *details;           /* a JSON object's text */
};

/*
 * Adds a city with its first status row (`city->status`, effective
 * `effective_on`, `reason`) within a transaction the CALLER holds
 * (store_begin ... store_commit); writes no history entry. The caller has
 * checked every field. Sets *id_out (may be NULL). Returns 0,
 * STORE_REGISTRY_CONFLICT when the code is taken, or -1.
 */
int store_city_insert(struct store *st, const struct registry_city *city, const char *effective_on, const char *reason,
                      int64_t actor_person_id, int64_t *id_out) __attribute__((warn_unused_result));

/*
 * The same in its own transaction, with a history entry "city.add" by
 * actor_person_id (0: the operator). Returns 0, STORE_REGISTRY_CONFLICT or -1.
 */
int store_city_add(struct store *st, const struct registry_city *city, const char *effective_on, const char *reason,
                   int64_t actor_person_id, int64_t *id_out) __attribute__((warn_unused_result));

/* Reads the city `code` into *out. Returns 0, STORE_REGISTRY_NOT_FOUND or -1. */
int store_city_find(struct store *st, const char *code, struct registry_city *out) __attribute__((warn_unused_result));

/*
 * Lists the cities that pass `filter` (NULL: every city but applicants),
 * ordered by country, then code. On success returns 0 and sets *out to a
 * malloc'd array of *n cities that the caller frees with free() (NULL when
 * *n is 0). Returns -1 on failure, *out NULL.
 */
int store_city_list(struct store *st, const struct registry_city_filter *filter, struct registry_city **out,
                    size_t *n) __attribute__((warn_unused_result));

/*
 * Moves the city `code` from status `from` (what the caller read and
 * checked with membership_transition_check) to `to`, effective from the
 * date `effective_on`: updates cities.status, appends a status history row
 * and a history entry "city.status" (details: from, to, effective_on,
 * reason), in one transaction. joined_how and joined_on are not changed:
 * they record how and when the city first joined. On success fills *out
 * (may be NULL) with the city as it now is. Returns 0;
 * STORE_REGISTRY_NOT_FOUND; STORE_REGISTRY_CONFLICT when the city's status
 * is no longer `from` or a status change effective after `effective_on` is
 * on record; or -1.
 */
int store_city_set_status(struct store *st, const char *code, enum membership_status from, enum membership_status to,
                          const char *effective_on, const char *reason, int64_t actor_person_id,
                          struct registry_city *out) __attribute__((warn_unused_result));

/*
 * The status history of one city (city_id > 0) or of all cities (0),
 * ordered by city id, then effective_on, then the order recorded: each
 * city's rows are adjacent and in the order membership_status_on expects.
 * *out is malloc'd (caller frees with free(); NULL when *n is 0). 0 or -1.
 */
int store_status_history(struct store *st, int64_t city_id, struct registry_status_row **out, size_t *n)
    __attribute__((warn_unused_result));

/*
 * Records a membership request (state pending, submitted now) and a history
 * entry "request.submit" naming the request, the city and the country but
 * no contact details (the history is append-only; personal data stays in
 * the request row, where it can be erased). One transaction. Sets *id_out.
 * Returns 0 or -1.
 */
int store_request_add(struct store *st, const struct registry_request_new *req, int64_t *id_out)
    __attribute__((warn_unused_result));

/* Reads request `id`. Returns 0, STORE_REGISTRY_NOT_FOUND or -1. */
int store_request_find(struct store *st, int64_t id, struct registry_request *out) __attribute__((warn_unused_result));

/*
 * Lists requests in `state` (MEMBERSHIP_REQUEST_ANY: all) with an id below
 * `before` (0: no bound), newest first, at most `limit` (1 to 500). *out is
 * malloc'd (caller frees with free(); NULL when *n is 0). 0 or -1.
 */
int store_request_list(struct store *st, enum membership_request_state state, int64_t before, int limit,
                       struct registry_request **out, size_t *n) __attribute__((warn_unused_result));

/*
 * Approves pending request `id`: marks it approved (decided now, by actor,
 * with `reason`), creates `city` as a member that joined by approved_request
 * on `decided_on` (city->status, joined_how and joined_on are ignored and
 * set so), with its first status row, and writes the history entry
 * "request.approve" (subject: the city code), all in one transaction. On
 * success fills *req_out and *city_out (either may be NULL). Returns 0;
 * STORE_REGISTRY_NOT_FOUND (no such request); STORE_REGISTRY_CONFLICT (the
 * request is decided already, or the code is taken: then nothing changed,
 * and *conflict_is_code (may be NULL) tells which); or -1.
 */
int store_request_approve(struct store *st, int64_t id, const struct registry_city *city, const char *decided_on,
                          const char *reason, int64_t actor_person_id, struct registry_request *req_out,
                          struct registry_city *city_out, bool *conflict_is_code) __attribute__((warn_unused_result));

/*
 * Rejects pending request `id` with `reason`, and writes the history entry
 * "request.reject", in one transaction. Fills *req_out (may be NULL).
 * Returns 0, STORE_REGISTRY_NOT_FOUND, STORE_REGISTRY_CONFLICT (decided
 * already) or -1.
 */
int store_request_reject(struct store *st, int64_t id, const char *reason, int64_t actor_person_id,
                         struct registry_request *req_out) __attribute__((warn_unused_result));

/*
 * Reads the history, newest first: at most `limit` (1 to 500) entries with
 * an id below `before` (0: no bound). *out is malloc'd, its strings too;
 * the caller frees it with store_history_entries_free. 0 or -1.
 */
int store_history_list(struct store *st, int64_t before, int limit, struct registry_history_entry **out, size_t *n)
    __attribute__((warn_unused_result));
void store_history_entries_free(struct registry_history_entry *entries, size_t n);

/* Whether the database holds the demo network (meta 'demo' = '1'): 1, 0, or -1 on failure. */
int store_demo_is_loaded(struct store *st) __attribute__((warn_unused_result));

/* Sets meta 'demo' to '1'. Within the caller's transaction (or alone). 0 or -1. */
int store_demo_mark(struct store *st) __attribute__((warn_unused_result));

/* How many cities the registry holds, applicants included. 0 or -1. */
int store_city_count(struct store *st, int64_t *n) __attribute__((warn_unused_result));

/*
 * The "city" object of docs/protocol.md for c: a new json-c object the
 * caller owns (json_object_put), or NULL when memory ran out.
 */
struct json_object *store_city_json(const struct registry_city *c);

#endif
