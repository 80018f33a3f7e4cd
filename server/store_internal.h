/*
 * store_internal: what the store's own files share, and nothing else sees.
 * The store is split by concept: store.c (the file, migrations, server keys,
 * transactions, history), store_identity.c (people, enrollments, keys) and
 * store_registry.c (cities, status history, membership requests). Each part
 * keeps its own table of statements, prepared once when the store opens and
 * finalized when it closes.
 */
#ifndef B40_STORE_INTERNAL_H
#define B40_STORE_INTERNAL_H

#include <stddef.h>

#include <sqlite3.h>

#include "b40/store.h"

struct store_identity;
struct store_registry;
struct store_summit;
struct store_election_stmts;

struct store {
    sqlite3 *db;
    int schema_version;
    sqlite3_stmt *stmt[16]; /* store.c's own, indexed by its enum stmt_id */
    struct store_identity *identity;
    struct store_registry *registry;
    struct store_summit *summit;
    struct store_election_stmts *election;
};

/* Steps a write statement to SQLITE_DONE, then resets it and clears its bindings. 0 or -1. */
int store_step_done(sqlite3_stmt *s);

/* Prepares n statements (persistent). 0, or -1 after logging which one failed. */
int store_prepare_all(struct store *st, const char *const *sql, sqlite3_stmt **out, size_t n);
void store_finalize_all(sqlite3_stmt **stmts, size_t n);

/* Each part's preparation and teardown, called by store_open and store_close. */
int store_identity_prepare(struct store *st);
void store_identity_finalize(struct store *st);
int store_registry_prepare(struct store *st);
void store_registry_finalize(struct store *st);
int store_summit_prepare(struct store *st);
void store_summit_finalize(struct store *st);
int store_election_prepare(struct store *st);
void store_election_finalize(struct store *st);

#endif
