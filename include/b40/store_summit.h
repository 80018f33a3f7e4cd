/*
 * store_summit: the summits' part of the store (schema version 3): summits,
 * the delegations registered for them with the hospitality the host covers,
 * attendance (who is present), and the presidency terms. Every statement is
 * prepared once when the store opens (server/store_summit.c) and reset
 * after each use; no SQL is built from strings. A change runs in one
 * transaction together with its history entry, and happens entirely or not
 * at all; the functions marked "in the caller's transaction" write no
 * history and leave grouping to the caller.
 *
 * The syntax of fields is the caller's to check (membership.h, summit.h);
 * these functions check again what keeps the records consistent (a
 * summit's dates, a delegation's window, nights and meals, which they
 * compute themselves) and refuse with -1 what should never reach them.
 * Attendance applies the charter's rule ("Balkan cities become members by
 * attending B40 Network summits", membership_on_attendance) to the status
 * it reads inside its own transaction, so no concurrent change can slip
 * between the rule and the write.
 *
 * Lookups return 0 (found), 1 (none) or -1; writes return 0, a negative
 * enum store_summit_result, or -1. -1 always means the database failed or
 * a row is damaged: it is logged and nothing was changed.
 *
 * Threading: like struct store, the service thread (or the command line).
 */
#ifndef B40_STORE_SUMMIT_H
#define B40_STORE_SUMMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "b40/membership.h"
#include "b40/store_registry.h"
#include "b40/summit.h"

struct store;

enum store_summit_result {
    STORE_SUMMIT_OK = 0,
    STORE_SUMMIT_ERROR = -1,
    STORE_SUMMIT_NOT_FOUND = -2,  /* the summit or city named does not exist */
    STORE_SUMMIT_CONFLICT = -3,   /* the change contradicts the record (see each function) */
    STORE_SUMMIT_YEAR_TAKEN = -4, /* a summit of that year exists already */
    STORE_SUMMIT_OVERLAP = -5,    /* the dates overlap another summit's */
};

/* Most rows one list returns; a longer table is an error rather than an unbounded allocation. */
#define STORE_SUMMIT_MAX_ROWS 100000

/* How a city was checked in: by the secretariat at the desk, or by its mayor or deputy online. */
enum summit_how {
    SUMMIT_HOW_DESK,
    SUMMIT_HOW_ONLINE,
};

/* The wire name of a way of checking in ("desk", "online"). Static; NULL when out of range. */
const char *summit_how_name(enum summit_how how);

/* A summit as the secretariat creates it (fields checked with summit_check_dates and membership.h). */
struct summit_new {
    int64_t year;
    const char *host; /* the host city's code */
    const char *starts_on, *ends_on;
    const char *place; /* 1 to SUMMIT_PLACE_MAX bytes, one line */
};

/* A summit as recorded. */
struct summit_record {
    int64_t id;
    int64_t year;
    int64_t host_city_id;
    char host[STORE_REGISTRY_CODE_SIZE];
    char starts_on[STORE_REGISTRY_DATE_SIZE];
    char ends_on[STORE_REGISTRY_DATE_SIZE];
    char place[SUMMIT_PLACE_MAX + 1];
};

/* A city present at a summit. */
struct summit_city {
    int64_t id;
    char code[STORE_REGISTRY_CODE_SIZE];
    enum membership_status status; /* its status now (not on the summit's date) */
};

/* A delegation registered for a summit (the "delegation" object of docs/protocol.md). */
struct delegation_record {
    int64_t summit_id;
    int64_t city_id;
    char city[STORE_REGISTRY_CODE_SIZE];
    int64_t delegates;
    char arrival[STORE_REGISTRY_DATE_SIZE];
    char departure[STORE_REGISTRY_DATE_SIZE];
    int64_t nights, meals;
    char dietary[SUMMIT_DIETARY_MAX + 1];
    int64_t updated_ms;
};

/* What the host covers for all the delegations of a summit. */
struct summit_hospitality {
    int64_t delegations;
    int64_t delegates;
    int64_t nights; /* person-nights: the sum of delegates * nights */
    int64_t meals;
};

/*
 * A presidency term (the "term" object). A term an election has decided
 * but whose summit does not exist yet is pending: from_summit_id 0, year 0,
 * starts_on "". The summit its city hosts opens it (store_summit_insert).
 */
struct summit_term {
    int64_t id;
    int64_t city_id;
    char city[STORE_REGISTRY_CODE_SIZE];
    int64_t from_summit_id; /* the summit the city hosts opens its term; 0: pending */
    int64_t year;           /* that summit's year; 0: pending */
    char starts_on[STORE_REGISTRY_DATE_SIZE]; /* that summit's first day: the term's first day; "": pending */
    int64_t elected_in;     /* the election's id; 0: none (founding, or before this server) */
    int64_t elected_at_summit_id; /* the summit where that election was held; 0: none */
    int64_t recorded_ms;
};

/* What a check-in did. */
struct attendance_outcome {
    bool recorded;                     /* false: the city was present already, and nothing changed */
    enum membership_attendance effect; /* what attending does to the city (membership_on_attendance) */
    struct registry_city city;         /* the city as it now is */
};

/* ---- summits ---- */

/*
 * Adds a summit in the caller's transaction (store_begin ... store_commit);
 * writes no history. Checks: the dates and year (summit_check_dates) and
 * the place's length, else -1; the host exists (STORE_SUMMIT_NOT_FOUND); no
 * summit of that year (STORE_SUMMIT_YEAR_TAKEN); no other summit whose days
 * overlap these (STORE_SUMMIT_OVERLAP). When an election has chosen the
 * host of this summit (store_presidency_pending), the summit must be that
 * city's (else STORE_SUMMIT_CONFLICT) and it opens that city's term. The
 * host's status is the caller's to judge. Sets *id_out (may be NULL). 0 or
 * one of those codes; -1 also when called outside a transaction. On any
 * failure the caller rolls back (a summit may have been written).
 */
int store_summit_insert(struct store *st, const struct summit_new *s, int64_t *id_out)
    __attribute__((warn_unused_result));

/*
 * The same in its own transaction, with the history entry "summit.create"
 * (subject "summit:ID"; details: year, host, starts_on, ends_on, place, and
 * opens_term (the elected host's term id) when it opens one) by
 * actor_person_id (0: the operator). Fills *out (may be NULL) with the
 * summit as recorded. Returns what store_summit_insert returns.
 */
int store_summit_create(struct store *st, const struct summit_new *s, int64_t actor_person_id,
                        struct summit_record *out) __attribute__((warn_unused_result));

/* Reads summit `id` into *out. 0 found, 1 none, -1. */
int store_summit_get(struct store *st, int64_t id, struct summit_record *out) __attribute__((warn_unused_result));

/*
 * The summit that is on, or the next one, on `date`: of the summits that
 * end on or after `date`, the one that starts first. 0 found, 1 none (or
 * `date` is not a valid date), -1.
 */
int store_summit_on_or_after(struct store *st, const char *date, struct summit_record *out)
    __attribute__((warn_unused_result));

/*
 * Every summit, newest (latest starts_on) first. *out is malloc'd; the
 * caller frees it with free() (NULL when *n is 0). 0 or -1.
 */
int store_summit_list(struct store *st, struct summit_record **out, size_t *n) __attribute__((warn_unused_result));

/*
 * The cities present at summit `summit_id` (checked in), sorted by code,
 * with their ids and current statuses. *out is malloc'd; the caller frees
 * it with free() (NULL when *n is 0). An unknown summit has none present.
 * 0 or -1.
 */
int store_summit_present(struct store *st, int64_t summit_id, struct summit_city **out, size_t *n)
    __attribute__((warn_unused_result));

/* The hospitality totals of summit `summit_id` (zeros when it has no delegation). 0 or -1. */
int store_summit_hospitality(struct store *st, int64_t summit_id, struct summit_hospitality *out)
    __attribute__((warn_unused_result));

/* ---- delegations ---- */

/*
 * Registers (or replaces) the delegation of city `city` (a code) to summit
 * `summit_id`: `delegates` people from `arrival` to `departure`, with their
 * dietary needs (0 to SUMMIT_DIETARY_MAX bytes, "" for none). The nights and
 * meals are computed here with summit_delegation_plan against the summit's
 * dates as read in the transaction; values that break its rules are -1
 * (the caller checks them first, to name the field). One transaction with
 * the history entry "delegation.register" (subject: the city code;
 * details: summit, year, delegates, arrival, departure, nights, meals;
 * never the dietary text, which may say something about a person's health
 * or faith and does not belong in an append-only record). Fills *out (may
 * be NULL). Returns 0, STORE_SUMMIT_NOT_FOUND (no such summit or city) or -1.
 */
int store_delegation_register(struct store *st, int64_t summit_id, const char *city, int64_t delegates,
                              const char *arrival, const char *departure, const char *dietary,
                              int64_t actor_person_id, struct delegation_record *out)
    __attribute__((warn_unused_result));

/*
 * The delegation city `city_id` registered for summit `summit_id`, as stored
 * (its updated_ms the time of the last registration). 0 found, 1 none
 * (no such delegation, summit or city), -1.
 */
int store_delegation_get(struct store *st, int64_t summit_id, int64_t city_id, struct delegation_record *out)
    __attribute__((warn_unused_result));

/*
 * The delegations of summit `summit_id`, sorted by city code. *out is
 * malloc'd; the caller frees it with free() (NULL when *n is 0). 0 or -1.
 */
int store_delegation_list(struct store *st, int64_t summit_id, struct delegation_record **out, size_t *n)
    __attribute__((warn_unused_result));

/* ---- attendance ---- */

/*
 * Checks city `city` (a code) in at summit `summit_id`, `how`, by person
 * `by_person` (0: the operator). In one transaction:
 *  - when the city is present already, nothing changes (out->recorded is
 *    false; the first check-in stands);
 *  - otherwise the attendance row and the history entry
 *    "attendance.check_in" (subject: the city code; details: summit, year,
 *    how, effect) are written, and the charter's rule is applied to the
 *    city's status as read in this transaction: a Balkan city that is an
 *    applicant or a former member becomes a member (a status history row
 *    and the history entry "city.status" with from, to, effective_on,
 *    reason and summit; joined_how and joined_on are set to
 *    summit_attendance and that day only when the city had never joined).
 *    The change is effective the summit's first day, or `today` (the UTC
 *    date of the check-in) when that is earlier: a city checked in ahead of
 *    its summit is a member from its check-in, never before it. A member
 *    stays a member, a suspended city stays suspended, a city outside the
 *    Balkans keeps its status: each is still present.
 * Fills *out (may be NULL). Returns 0; STORE_SUMMIT_NOT_FOUND (no such
 * summit or city); STORE_SUMMIT_CONFLICT when the city would join but a
 * status change effective after that day is on record (it would rewrite
 * the past of members.as_of; nothing is changed); or -1 (also for a
 * `today` that is not a valid date).
 */
int store_attendance_check_in(struct store *st, int64_t summit_id, const char *city, enum summit_how how,
                              int64_t by_person, const char *today, struct attendance_outcome *out)
    __attribute__((warn_unused_result));

/* ---- presidency terms ---- */

/*
 * Records that city `city_id` holds the presidency from summit
 * `from_summit_id` on, elected in election `election_id` (0: none, for the
 * founding presidency and terms from before this server), in the caller's
 * transaction; writes no history (the caller's entry covers it). Checks:
 * the summit exists (STORE_SUMMIT_NOT_FOUND); the city hosts that summit
 * (the charter: the elected city hosts the summit that opens its term),
 * the summit opens no other term, and the city holds neither the term just
 * before nor the one just after it (no two consecutive terms): otherwise
 * STORE_SUMMIT_CONFLICT. 0, those codes, or -1 (also outside a transaction).
 */
int store_presidency_add(struct store *st, int64_t city_id, int64_t from_summit_id, int64_t election_id)
    __attribute__((warn_unused_result));

/*
 * The pending term that a summit starting on `starts_on` would open: of the
 * terms elected but not yet opened, the one elected at the latest summit
 * that starts before `starts_on`, provided no summit lies between that one
 * and `starts_on` (the elected city hosts the NEXT summit). 0 found (*out
 * filled), 1 none (or `starts_on` is not a valid date), -1.
 */
int store_presidency_pending(struct store *st, const char *starts_on, struct summit_term *out)
    __attribute__((warn_unused_result));

/*
 * The city holding the presidency on `date`: the term whose summit started
 * most recently on or before `date` (a term runs from the summit its city
 * hosts to the next term's summit). 0 found (*city_id set), 1 none (before
 * the first term, or `date` is not a valid date), -1.
 */
int store_presidency_current(struct store *st, const char *date, int64_t *city_id)
    __attribute__((warn_unused_result));

/*
 * Every term, newest first: pending terms (newest election first), then the
 * others by their summit, latest first. *out is malloc'd; the caller frees
 * it with free() (NULL when *n is 0). 0 or -1.
 */
int store_presidency_list(struct store *st, struct summit_term **out, size_t *n) __attribute__((warn_unused_result));

#endif
