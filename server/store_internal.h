/*
 * store_internal: what the store's own files share, and nothing else sees.
 * The store is split by concept: store.c (the file, migrations, server keys,
 * transactions, history), store_identity.c (people, enrollments, keys) and
 * store_registry.c (cities, status history, membership requests), and the
 * summit, election, groups and room parts. Each part defines its own table of
 * statements (store_PART_sql); store_open prepares every table once into
 * st->part[] and store_close finalizes them.
 */
#ifndef B40_STORE_INTERNAL_H
#define B40_STORE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "b40/store.h"

/* The parts that keep their own statements (each an array indexed by the part's own enum). */
enum store_part {
    STORE_PART_IDENTITY,
    STORE_PART_REGISTRY,
    STORE_PART_SUMMIT,
    STORE_PART_ELECTION,
    STORE_PART_GROUPS,
    STORE_PART_ROOM,
    STORE_PART_COUNT
};

struct store {
    sqlite3 *db;
    int schema_version;
    sqlite3_stmt *stmt[16]; /* store.c's own, indexed by its enum stmt_id */
    sqlite3_stmt **part[STORE_PART_COUNT]; /* each part's statements, prepared by store_open from the tables below */
};

/* Steps a write statement to SQLITE_DONE, then resets it and clears its bindings. 0 or -1. */
int store_step_done(sqlite3_stmt *s);

/* A uniqueness violation, as the parts' write helpers report it (STORE_*_CONFLICT are all -3). */
#define STORE_CONFLICT (-3)

/* Resets a statement after use and clears its bindings. */
void store_stmt_done(sqlite3_stmt *s);

/*
 * Steps a write once, then resets it. Returns 0, STORE_CONFLICT for a UNIQUE
 * or PRIMARY KEY violation, or -1 after logging `what` failed.
 */
int store_step_write(struct store *st, sqlite3_stmt *s, const char *what);

/* Runs a write: 0 when it changed a row, 1 when it changed none, -1 on error (logged). */
int store_write_changed(struct store *st, sqlite3_stmt *s);

/*
 * Steps a query for its first row: 0 with the row (the caller reads it, then
 * calls store_stmt_done), 1 when there is none, -1 on error (logged); the
 * statement is reset in the last two cases.
 */
int store_row(struct store *st, sqlite3_stmt *s);

/*
 * A hash chain's tail from a statement that takes the chain's owner as ?1 and
 * selects (seq, chain) of its last link: *seq 0 (chain untouched) when it has
 * none. 0 or -1. Elections' and motions' chains.
 */
int store_chain_tail(struct store *st, sqlite3_stmt *s, int64_t owner, int64_t *seq, uint8_t chain[32]);

/* Logs a failed read of `what`. Returns -1. */
int store_read_failed(struct store *st, const char *what);

/*
 * Copies column col as text into buf[size]. NULL gives "" (allowed only when
 * nullable). Returns 0, or -1 when the value is NULL but must not be, holds a
 * NUL, or does not fit: the bounds the server writes make that a damaged row.
 */
int store_col_text(sqlite3_stmt *s, int col, char *buf, size_t size, bool nullable);

/* Copies column col as text, cut to fit (for display columns whose bounds the schema sets). */
void store_col_text_cut(sqlite3_stmt *s, int col, char *out, size_t outlen);

/* Copies a BLOB column of exactly len bytes into out (zeros when it is not that long). */
void store_col_blob(sqlite3_stmt *s, int col, uint8_t *out, size_t len);

/* A malloc'd copy of a text column, or NULL (for NULL, or when memory ran out). */
char *store_col_strdup(sqlite3_stmt *s, int col);

/* Binds a person or row id, or NULL for 0. */
void store_bind_id_or_null(sqlite3_stmt *s, int col, int64_t id);

/*
 * Grows *arr (of *cap elements of `size` bytes) so that it holds at least
 * n + 1, up to max elements. Returns 0, or -1 when memory ran out or the list
 * would pass max (*arr is then unchanged, still the caller's).
 */
int store_grow(void **arr, size_t *cap, size_t n, size_t size, size_t max);

/*
 * Reads every row of s (bound by the caller) into a malloc'd array of
 * elements of `size` bytes, each filled by read(s, element) (0, or -1 for a
 * damaged row), at most max rows; then resets s. Returns 0 with *out and *n
 * (the caller frees *out), or -1 after logging what failed while listing
 * `what` (*out NULL).
 */
int store_collect(struct store *st, sqlite3_stmt *s, size_t size, size_t max, int (*read)(sqlite3_stmt *s, void *elem),
                  const char *what, void **out, size_t *n);

/* Appends a history entry whose details are the JSON of obj (consumed; NULL: out of memory). 0 or -1. */
struct json_object;
int store_history_add_json(struct store *st, int64_t actor, const char *action, const char *subject,
                           struct json_object *obj);

/* The latest effective_on date of a city's status rows into out[11] ("" when it has none). 0 or -1. */
int store_city_latest_effective_on(struct store *st, int64_t city_id, char out[11]);

/* Prepares n statements (persistent). 0, or -1 after logging which one failed. */
int store_prepare_all(struct store *st, const char *const *sql, sqlite3_stmt **out, size_t n);
void store_finalize_all(sqlite3_stmt **stmts, size_t n);

/* Each part's SQL, one statement per entry of its enum (in its own file); store_open prepares them all. */
extern const char *const store_identity_sql[];
extern const size_t store_identity_sql_count;
extern const char *const store_registry_sql[];
extern const size_t store_registry_sql_count;
extern const char *const store_summit_sql[];
extern const size_t store_summit_sql_count;
extern const char *const store_election_sql[];
extern const size_t store_election_sql_count;
extern const char *const store_groups_sql[];
extern const size_t store_groups_sql_count;
extern const char *const store_room_sql[];
extern const size_t store_room_sql_count;

#endif
