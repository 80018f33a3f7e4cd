/*
 * Unit tests of the store: create, reopen, refuse what is not ours or is
 * newer, the health read, and the upgrade of a database made at an older
 * schema (built here from store.c's own migration scripts) with rows in it.
 * Each test works in its own temporary folder.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "b40/store.h"
#include "support.h"

struct tmp_fixture {
    char dir[64];
    char db[128];
};

static int setup(void **state)
{
    struct tmp_fixture *f = calloc(1, sizeof(*f));

    strcpy(f->dir, "/tmp/b40-store-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->db, sizeof(f->db), "%s/t.db", f->dir);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct tmp_fixture *f = *state;
    char cmd[200];

    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

static void test_create_then_reopen(void **state)
{
    struct tmp_fixture *f = *state;
    struct store *st = NULL;
    char err[256];
    uint8_t pk[32], got[32];
    struct stat sb;

    assert_int_equal(store_open(&st, f->db, STORE_CREATE, err, sizeof(err)), STORE_OK);
    assert_int_equal(store_schema_version(st), STORE_SCHEMA_VERSION);
    assert_int_equal(store_check_readable(st, err, sizeof(err)), 0);
    assert_int_equal(store_server_key_current(st, got), 1); /* none yet */
    memset(pk, 0xab, sizeof(pk));
    assert_int_equal(store_server_key_add(st, pk, 1000), 0);
    store_close(st);

    assert_int_equal(stat(f->db, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    assert_int_equal(int_query(f->db, "PRAGMA user_version"), STORE_SCHEMA_VERSION);

    assert_int_equal(store_open(&st, f->db, STORE_EXISTING, err, sizeof(err)), STORE_OK);
    assert_int_equal(store_server_key_current(st, got), 0);
    assert_memory_equal(got, pk, 32);
    /* a new key retires the old one */
    memset(pk, 0xcd, sizeof(pk));
    assert_int_equal(store_server_key_add(st, pk, 2000), 0);
    assert_int_equal(store_server_key_current(st, got), 0);
    assert_memory_equal(got, pk, 32);
    store_close(st);
    assert_int_equal(int_query(f->db, "SELECT count(*) FROM server_keys WHERE retired_at_ms = 2000"), 1);
}

static void test_create_refuses_existing_file(void **state)
{
    struct tmp_fixture *f = *state;
    struct store *st = NULL;
    char err[256];

    assert_int_equal(store_open(&st, f->db, STORE_CREATE, err, sizeof(err)), STORE_OK);
    store_close(st);
    assert_int_equal(store_open(&st, f->db, STORE_CREATE, err, sizeof(err)), STORE_ERR_EXISTS);
    assert_null(st);
    assert_non_null(strstr(err, "already exists"));
}

static void test_missing_file(void **state)
{
    struct tmp_fixture *f = *state;
    struct store *st = NULL;
    char err[256];

    assert_int_equal(store_open(&st, f->db, STORE_EXISTING, err, sizeof(err)), STORE_ERR_MISSING);
    assert_null(st);
    assert_non_null(strstr(err, "does not exist"));
    assert_int_equal(access(f->db, F_OK), -1); /* and it was not created */
}

static void test_refuses_newer_schema(void **state)
{
    struct tmp_fixture *f = *state;
    struct store *st = NULL;
    char err[256];

    assert_int_equal(store_open(&st, f->db, STORE_CREATE, err, sizeof(err)), STORE_OK);
    store_close(st);
    sql(f->db, "PRAGMA user_version = 999");
    assert_int_equal(store_open(&st, f->db, STORE_EXISTING, err, sizeof(err)), STORE_ERR_TOO_NEW);
    assert_null(st);
    assert_non_null(strstr(err, "999"));
    assert_int_equal(int_query(f->db, "PRAGMA user_version"), 999); /* untouched */
}

static void test_refuses_foreign_database(void **state)
{
    struct tmp_fixture *f = *state;
    struct store *st = NULL;
    char err[256];

    sql(f->db, "CREATE TABLE t (x INTEGER)");
    assert_int_equal(store_open(&st, f->db, STORE_EXISTING, err, sizeof(err)), STORE_ERR_NOT_B40);
    assert_null(st);
    assert_int_equal(int_query(f->db, "SELECT count(*) FROM sqlite_schema WHERE name = 'meta'"), 0);
}

static void test_refuses_a_file_that_is_not_sqlite(void **state)
{
    struct tmp_fixture *f = *state;
    struct store *st = NULL;
    char err[256];
    FILE *fp = fopen(f->db, "w");

    assert_non_null(fp);
    fputs("this is not a database, just some text that is long enough to be looked at by SQLite\n", fp);
    fclose(fp);
    assert_int_not_equal(store_open(&st, f->db, STORE_EXISTING, err, sizeof(err)), STORE_OK);
    assert_null(st);
}

static void test_migrates_an_empty_file(void **state)
{
    struct tmp_fixture *f = *state;
    struct store *st = NULL;
    char err[256];
    FILE *fp = fopen(f->db, "w");

    /* an empty file is an SQLite database at version 0 with no tables: migrated up */
    assert_non_null(fp);
    fclose(fp);
    assert_int_equal(store_open(&st, f->db, STORE_EXISTING, err, sizeof(err)), STORE_OK);
    assert_int_equal(store_schema_version(st), STORE_SCHEMA_VERSION);
    store_close(st);
}

static void test_health_fails_when_identification_is_gone(void **state)
{
    struct tmp_fixture *f = *state;
    struct store *st = NULL;
    char err[256];

    assert_int_equal(store_open(&st, f->db, STORE_CREATE, err, sizeof(err)), STORE_OK);
    sql(f->db, "DELETE FROM meta");
    assert_int_equal(store_check_readable(st, err, sizeof(err)), -1);
    store_close(st);
}

/* Plain SQLite on the file, as store.c sets it up for a migration: foreign keys on, extended result codes. */
static sqlite3 *raw_open(const char *path)
{
    sqlite3 *db = NULL;

    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL), SQLITE_OK);
    sqlite3_extended_result_codes(db, 1);
    sqlite3_busy_timeout(db, 5000);
    assert_int_equal(sqlite3_exec(db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL), SQLITE_OK);
    return db;
}

/* Runs text and returns SQLite's (extended) result code. */
static int raw_exec(sqlite3 *db, const char *text)
{
    return sqlite3_exec(db, text, NULL, NULL, NULL);
}

static void raw_exec_ok(sqlite3 *db, const char *text)
{
    if (raw_exec(db, text) != SQLITE_OK)
        fail_msg("%s: %s", text, sqlite3_errmsg(db));
}

/* A statement of text on db; the test fails when it does not prepare. */
static sqlite3_stmt *raw_prepare(sqlite3 *db, const char *text)
{
    sqlite3_stmt *s = NULL;

    if (sqlite3_prepare_v2(db, text, -1, &s, NULL) != SQLITE_OK)
        fail_msg("%s: %s", text, sqlite3_errmsg(db));
    return s;
}

static int raw_int(sqlite3 *db, const char *text)
{
    sqlite3_stmt *s = raw_prepare(db, text);
    int v;

    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    v = sqlite3_column_int(s, 0);
    sqlite3_finalize(s);
    return v;
}

/*
 * Makes a new file at schema `version` the way store.c's migrate() does:
 * scripts 1..version, each in its own transaction with foreign keys on (the
 * first one sets the application_id that store_open looks for).
 */
static void build_schema(const char *path, int version)
{
    sqlite3 *db = raw_open(path);

    for (int v = 1; v <= version; v++) {
        const char *script = store_migration_sql(v);

        assert_non_null(script);
        raw_exec_ok(db, "BEGIN IMMEDIATE");
        raw_exec_ok(db, script);
        raw_exec_ok(db, "COMMIT");
    }
    assert_int_equal(raw_int(db, "PRAGMA user_version"), version);
    sqlite3_close(db);
}

/* One ballot row as written before schema 6; every byte depends on `n`, so two ballots differ everywhere. */
struct old_ballot {
    int64_t city_id, seq, recorded_at_ms;
    char text[64], choice[8], receipt[64];
    uint8_t signature[64], ballot_hash[32], chain[32], receipt_signature[64];
};

static void fill_bytes(uint8_t *out, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++)
        out[i] = (uint8_t)(seed * 31u + i * 7u + 1u);
}

static void old_ballot_make(struct old_ballot *b, unsigned n)
{
    memset(b, 0, sizeof(*b));
    b->city_id = n;
    b->seq = n;
    b->recorded_at_ms = 1700000000000 + n;
    snprintf(b->text, sizeof(b->text), "b40-ballot-v1\nballot of city %u\n", n);
    snprintf(b->choice, sizeof(b->choice), "%s", n == 1 ? "AB" : "CD");
    snprintf(b->receipt, sizeof(b->receipt), "b40-receipt-v1\nreceipt of city %u\n", n);
    fill_bytes(b->signature, sizeof(b->signature), n);
    fill_bytes(b->ballot_hash, sizeof(b->ballot_hash), n + 10);
    fill_bytes(b->chain, sizeof(b->chain), n + 20);
    fill_bytes(b->receipt_signature, sizeof(b->receipt_signature), n + 30);
}

/* Writes b into election 1, round 1, with key 1, in a schema 5 ballots table (no batch columns). */
static void old_ballot_insert(sqlite3 *db, const struct old_ballot *b)
{
    sqlite3_stmt *s;
    const char *text = "INSERT INTO ballots (election_id, round, city_id, seq, text, signature, key_id, choice,"
                       " ballot_hash, chain, recorded_at_ms, receipt, receipt_signature)"
                       " VALUES (1, 1, ?1, ?2, ?3, ?4, 1, ?5, ?6, ?7, ?8, ?9, ?10)";

    s = raw_prepare(db, text);
    sqlite3_bind_int64(s, 1, b->city_id);
    sqlite3_bind_int64(s, 2, b->seq);
    sqlite3_bind_text(s, 3, b->text, -1, SQLITE_STATIC);
    sqlite3_bind_blob(s, 4, b->signature, sizeof(b->signature), SQLITE_STATIC);
    sqlite3_bind_text(s, 5, b->choice, -1, SQLITE_STATIC);
    sqlite3_bind_blob(s, 6, b->ballot_hash, sizeof(b->ballot_hash), SQLITE_STATIC);
    sqlite3_bind_blob(s, 7, b->chain, sizeof(b->chain), SQLITE_STATIC);
    sqlite3_bind_int64(s, 8, b->recorded_at_ms);
    sqlite3_bind_text(s, 9, b->receipt, -1, SQLITE_STATIC);
    sqlite3_bind_blob(s, 10, b->receipt_signature, sizeof(b->receipt_signature), SQLITE_STATIC);
    if (sqlite3_step(s) != SQLITE_DONE)
        fail_msg("inserting the ballot of city %lld: %s", (long long)b->city_id, sqlite3_errmsg(db));
    sqlite3_finalize(s);
}

static void assert_text_column(sqlite3_stmt *s, int col, const char *want)
{
    assert_int_equal(sqlite3_column_type(s, col), SQLITE_TEXT);
    assert_string_equal((const char *)sqlite3_column_text(s, col), want);
}

static void assert_blob_column(sqlite3_stmt *s, int col, const uint8_t *want, size_t len)
{
    assert_int_equal(sqlite3_column_type(s, col), SQLITE_BLOB);
    assert_int_equal(sqlite3_column_bytes(s, col), (int)len);
    assert_memory_equal(sqlite3_column_blob(s, col), want, len);
}

/* Checks that the ballot of b's city in election 1, round 1, is b, column by column, with no batch. */
static void assert_ballot_kept(sqlite3 *db, const struct old_ballot *b)
{
    sqlite3_stmt *s;
    const char *text = "SELECT seq, text, signature, key_id, choice, ballot_hash, chain, recorded_at_ms, receipt,"
                       " receipt_signature, receipt_batch, receipt_index"
                       " FROM ballots WHERE election_id = 1 AND round = 1 AND city_id = ?1";

    s = raw_prepare(db, text);
    sqlite3_bind_int64(s, 1, b->city_id);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int64(s, 0), b->seq);
    assert_text_column(s, 1, b->text);
    assert_blob_column(s, 2, b->signature, sizeof(b->signature));
    assert_int_equal(sqlite3_column_int64(s, 3), 1);
    assert_text_column(s, 4, b->choice);
    assert_blob_column(s, 5, b->ballot_hash, sizeof(b->ballot_hash));
    assert_blob_column(s, 6, b->chain, sizeof(b->chain));
    assert_int_equal(sqlite3_column_int64(s, 7), b->recorded_at_ms);
    assert_text_column(s, 8, b->receipt);
    assert_blob_column(s, 9, b->receipt_signature, sizeof(b->receipt_signature));
    assert_int_equal(sqlite3_column_type(s, 10), SQLITE_NULL); /* receipt_batch */
    assert_int_equal(sqlite3_column_type(s, 11), SQLITE_NULL); /* receipt_index */
    assert_int_equal(sqlite3_step(s), SQLITE_DONE);
    sqlite3_finalize(s);
}

/* The columns of a schema 6 ballot, up to the receipt; the cases below add the receipt signature and batch. */
#define V6_BALLOT_INSERT                                                                                              \
    "INSERT INTO ballots (election_id, round, city_id, seq, text, signature, key_id, choice, ballot_hash, chain,"    \
    " recorded_at_ms, receipt, receipt_signature, receipt_batch, receipt_index) VALUES "
#define V6_BALLOT_HEAD "'t', zeroblob(64), 1, 'AB', randomblob(32), randomblob(32), 0, 'r', "

static void test_migration_sql_bounds(void **state)
{
    (void)state;
    assert_null(store_migration_sql(0));
    assert_null(store_migration_sql(-1));
    assert_null(store_migration_sql(STORE_SCHEMA_VERSION + 1));
    for (int v = 1; v <= STORE_SCHEMA_VERSION; v++) {
        char want[40];

        /* each script is the one that sets its own version */
        snprintf(want, sizeof(want), "PRAGMA user_version = %d;", v);
        assert_non_null(store_migration_sql(v));
        assert_non_null(strstr(store_migration_sql(v), want));
    }
}

/*
 * A database at schema 5 with two ballots (each with its own 64-byte receipt
 * signature) is upgraded by store_open to 6: the ballots table is rebuilt,
 * so the rows, the triggers and the new rules are checked afterwards.
 */
static void test_migrates_5_to_6_with_ballots(void **state)
{
    struct tmp_fixture *f = *state;
    struct store *st = NULL;
    struct old_ballot b1, b2;
    char err[256];
    sqlite3 *db;

    build_schema(f->db, 5);
    db = raw_open(f->db);
    raw_exec_ok(db, "BEGIN IMMEDIATE;"
                    "INSERT INTO cities (id, code, name, name_local, country, tz, lat, lon, status) VALUES"
                    " (1, 'ab', 'Alpha', 'Alfa', 'TR', 'Europe/Istanbul', 41.0, 29.0, 'member'),"
                    " (2, 'cd', 'Delta', 'Delta', 'GR', 'Europe/Athens', 38.0, 23.7, 'member');"
                    "INSERT INTO people (id, name, city_id, roles, created_at_ms) VALUES (1, 'Mayor', 1, 'mayor', 0);"
                    "INSERT INTO enrollments (id, person_id, code_sha256, expires_at_ms, created_at_ms, signer_key,"
                    " statement, signature) VALUES (printf('%032d', 1), 1, zeroblob(32), 0, 0, zeroblob(32), 's',"
                    " zeroblob(64));"
                    "INSERT INTO person_keys (id, person_id, public_key, enrollment_id, device, statement, signature,"
                    " created_at_ms) VALUES (1, 1, zeroblob(32), printf('%032d', 1), 'test', 's', zeroblob(64), 0);"
                    "INSERT INTO summits (id, year, host_city, starts_on, ends_on, place) VALUES"
                    " (1, 2023, 1, '2023-11-01', '2023-11-02', 'Alpha');"
                    "INSERT INTO elections (id, summit_id, title, state, round, quorum_num, quorum_den, created_at_ms)"
                    " VALUES (1, 1, 'Presidency', 'open', 1, 1, 2, 0);"
                    "INSERT INTO rounds (election_id, round, kind, candidates) VALUES (1, 1, 'first', 'ab,cd');");
    old_ballot_make(&b1, 1);
    old_ballot_make(&b2, 2);
    old_ballot_insert(db, &b1);
    old_ballot_insert(db, &b2);
    raw_exec_ok(db, "COMMIT");
    assert_int_equal(raw_int(db, "SELECT count(*) FROM ballots"), 2);
    sqlite3_close(db);

    assert_int_equal(store_open(&st, f->db, STORE_EXISTING, err, sizeof(err)), STORE_OK);
    assert_int_equal(store_schema_version(st), 6);
    store_close(st);

    db = raw_open(f->db);
    assert_int_equal(raw_int(db, "PRAGMA user_version"), 6);
    assert_int_equal(raw_int(db, "SELECT count(*) FROM sqlite_schema WHERE name = 'ballots_v6'"), 0);
    assert_int_equal(raw_int(db, "SELECT count(*) FROM ballots"), 2);
    assert_ballot_kept(db, &b1);
    assert_ballot_kept(db, &b2);
    assert_int_equal(raw_int(db, "SELECT count(*) FROM pragma_foreign_key_check"), 0);

    /* the triggers came back with the table: an old ballot cannot be changed or deleted */
    assert_int_equal(raw_int(db, "SELECT count(*) FROM sqlite_schema WHERE type = 'trigger' AND tbl_name = 'ballots'"
                                 " AND name IN ('ballots_kept_u', 'ballots_kept_d')"),
                     2);
    assert_int_equal(raw_exec(db, "UPDATE ballots SET choice = 'CD' WHERE city_id = 1"), SQLITE_CONSTRAINT_TRIGGER);
    assert_non_null(strstr(sqlite3_errmsg(db), "ballots are never changed"));
    assert_int_equal(raw_exec(db, "DELETE FROM ballots WHERE city_id = 2"), SQLITE_CONSTRAINT_TRIGGER);
    assert_non_null(strstr(sqlite3_errmsg(db), "ballots are never deleted"));
    assert_ballot_kept(db, &b1);
    assert_ballot_kept(db, &b2);

    /* the row rule: a batched row has a batch and an index and no signature of its own; an old row the reverse */
    raw_exec_ok(db, "INSERT INTO rounds (election_id, round, kind, candidates) VALUES (1, 2, 'runoff', 'ab,cd'),"
                    " (1, 3, 'runoff', 'ab,cd');"
                    "INSERT INTO receipt_batches (id, statement, signature, leaves, root, signed_at_ms) VALUES"
                    " (1, 's', zeroblob(64), 2, zeroblob(32), 0);");
    assert_int_equal(raw_exec(db, V6_BALLOT_INSERT "(1, 2, 1, 3, " V6_BALLOT_HEAD "zeroblob(64), 1, 0)"),
                     SQLITE_CONSTRAINT_CHECK); /* a batch and also a signature */
    assert_int_equal(raw_exec(db, V6_BALLOT_INSERT "(1, 2, 1, 3, " V6_BALLOT_HEAD "NULL, NULL, NULL)"),
                     SQLITE_CONSTRAINT_CHECK); /* neither */
    assert_int_equal(raw_exec(db, V6_BALLOT_INSERT "(1, 2, 1, 3, " V6_BALLOT_HEAD "NULL, 1, NULL)"),
                     SQLITE_CONSTRAINT_CHECK); /* a batch with no index */
    assert_int_equal(raw_int(db, "SELECT count(*) FROM ballots WHERE round = 2"), 0);
    raw_exec_ok(db, V6_BALLOT_INSERT "(1, 2, 1, 3, " V6_BALLOT_HEAD "NULL, 1, 0)");

    /* one place in a batch holds one receipt */
    assert_int_equal(raw_exec(db, V6_BALLOT_INSERT "(1, 2, 2, 4, " V6_BALLOT_HEAD "NULL, 1, 0)"),
                     SQLITE_CONSTRAINT_UNIQUE);
    assert_non_null(strstr(sqlite3_errmsg(db), "receipt_batch"));
    raw_exec_ok(db, V6_BALLOT_INSERT "(1, 2, 2, 4, " V6_BALLOT_HEAD "NULL, 1, 1)");
    assert_int_equal(raw_int(db, "SELECT count(*) FROM ballots WHERE round = 2"), 2);

    /* the batch row may follow its ballots within the transaction, but must be there at COMMIT */
    raw_exec_ok(db, "BEGIN IMMEDIATE");
    raw_exec_ok(db, V6_BALLOT_INSERT "(1, 3, 1, 5, " V6_BALLOT_HEAD "NULL, 2, 0)");
    assert_int_equal(raw_exec(db, "COMMIT"), SQLITE_CONSTRAINT_FOREIGNKEY);
    assert_int_equal(sqlite3_get_autocommit(db), 0); /* a failed deferred check leaves the transaction open */
    raw_exec_ok(db, "ROLLBACK");
    assert_int_equal(raw_int(db, "SELECT count(*) FROM ballots WHERE round = 3"), 0);
    raw_exec_ok(db, "BEGIN IMMEDIATE");
    raw_exec_ok(db, V6_BALLOT_INSERT "(1, 3, 1, 5, " V6_BALLOT_HEAD "NULL, 2, 0)");
    raw_exec_ok(db, "INSERT INTO receipt_batches (id, statement, signature, leaves, root, signed_at_ms) VALUES"
                    " (2, 's', zeroblob(64), 1, zeroblob(32), 0)");
    raw_exec_ok(db, "COMMIT");
    assert_int_equal(raw_int(db, "SELECT count(*) FROM ballots WHERE round = 3 AND receipt_batch = 2"), 1);

    /* and after all that the two old ballots are still exactly what they were */
    assert_ballot_kept(db, &b1);
    assert_ballot_kept(db, &b2);
    assert_int_equal(raw_int(db, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
    sqlite3_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_create_then_reopen, setup, teardown),
        cmocka_unit_test_setup_teardown(test_create_refuses_existing_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refuses_newer_schema, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refuses_foreign_database, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refuses_a_file_that_is_not_sqlite, setup, teardown),
        cmocka_unit_test_setup_teardown(test_migrates_an_empty_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_health_fails_when_identification_is_gone, setup, teardown),
        cmocka_unit_test(test_migration_sql_bounds),
        cmocka_unit_test_setup_teardown(test_migrates_5_to_6_with_ballots, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
