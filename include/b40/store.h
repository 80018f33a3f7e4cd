/*
 * store: the one SQLite database file that holds everything the network
 * records. WAL journal, synchronous=FULL (a commit is on disk before it is
 * acknowledged), foreign keys on, a busy timeout. The schema is created and
 * upgraded by numbered migrations, each applied in its own transaction and
 * recorded in PRAGMA user_version. Every statement is prepared once when the
 * store opens and reset after each use; no SQL is ever built from strings.
 *
 * Threading: a struct store belongs to the thread that opened it (the
 * server's service thread). It is not shared.
 */
#ifndef B40_STORE_H
#define B40_STORE_H

#include <stddef.h>
#include <stdint.h>

struct store;

/* The schema version this build creates and understands. */
#define STORE_SCHEMA_VERSION 6

enum store_mode {
    STORE_CREATE,   /* the file must not exist: create it (mode 0600) at the newest schema */
    STORE_EXISTING, /* the file must exist: apply pending migrations; refuse a newer schema */
};

enum store_status {
    STORE_OK = 0,
    STORE_ERR_EXISTS = -1,     /* STORE_CREATE and the file exists */
    STORE_ERR_MISSING = -2,    /* STORE_EXISTING and the file does not exist */
    STORE_ERR_TOO_NEW = -3,    /* the file's schema is newer than this build's */
    STORE_ERR_NOT_B40 = -4,    /* the file is a database, but not a B40 one */
    STORE_ERR_SQLITE = -5,     /* SQLite failed: corrupt, unreadable, disk full, ... */
};

/*
 * Opens (and, with STORE_CREATE, creates) the database at `path`. On success
 * returns STORE_OK and sets *out, which the caller frees with store_close().
 * On failure returns a negative store_status, sets *out to NULL and writes a
 * message for people into err[errlen].
 */
int store_open(struct store **out, const char *path, enum store_mode mode, char *err, size_t errlen)
    __attribute__((warn_unused_result));

/* Finalizes every statement and closes the file. NULL is allowed. */
void store_close(struct store *st);

/* The schema version of the open database (PRAGMA user_version). */
int store_schema_version(const struct store *st);

/*
 * Reads from the database to prove it still answers (the health check).
 * Returns 0 when it does, -1 (and a message in err) when it does not.
 */
int store_check_readable(struct store *st, char *err, size_t errlen) __attribute__((warn_unused_result));

/*
 * Records a server signing public key (32 bytes) as the current one, with
 * its creation time (ms since the epoch). Returns 0 or -1.
 */
int store_server_key_add(struct store *st, const uint8_t public_key[32], int64_t created_ms)
    __attribute__((warn_unused_result));

/*
 * Copies the current server public key into public_key. Returns 0, 1 when
 * there is none, or -1 on error.
 */
int store_server_key_current(struct store *st, uint8_t public_key[32]) __attribute__((warn_unused_result));

/*
 * Transactions: store_begin starts an IMMEDIATE transaction (the write lock
 * at once, so it cannot fail later on a busy database); store_commit makes it
 * durable (synchronous=FULL: on disk when it returns 0); store_rollback
 * undoes it. Each returns 0 or -1. Callers acknowledge nothing before
 * store_commit has returned 0.
 */
int store_begin(struct store *st) __attribute__((warn_unused_result));
int store_commit(struct store *st) __attribute__((warn_unused_result));
void store_rollback(struct store *st);

/*
 * Appends one entry to the append-only history (who, when, what).
 * actor_person_id 0 means the operator at the command line or the server
 * itself. details_json is a JSON object text. Returns 0 or -1.
 */
int store_history_add(struct store *st, int64_t actor_person_id, const char *action, const char *subject,
                      const char *details_json) __attribute__((warn_unused_result));

/*
 * The constant SQL script of migration `version`: what takes a database from
 * schema version-1 to version (it ends by setting PRAGMA user_version), for
 * version 1 .. STORE_SCHEMA_VERSION; NULL for any other number. It exists for
 * tests that build an older database and then let store_open upgrade it; the
 * server itself only migrates through store_open. The string is static.
 */
const char *store_migration_sql(int version);

/* The most recent SQLite error message, for logs. Never NULL. */
const char *store_errmsg(const struct store *st);

#endif
