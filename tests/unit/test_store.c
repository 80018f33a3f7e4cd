/*
 * Unit tests of the store: create, reopen, refuse what is not ours or is
 * newer, and the health read. Each test works in its own temporary folder.
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
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
