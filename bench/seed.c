/*
 * seed: direct inserts into a database the server is not serving (see
 * seed.h). The columns are those of schema version 3 (server/store.c);
 * statements are prepared once, bound and reset per row.
 */
#include "seed.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

void seed_city_code(size_t i, char out[16])
{
    snprintf(out, 16, "bench-%05zu", (i + 1) % 100000);
}

void seed_mayor_name(size_t i, char out[64])
{
    char code[16];

    seed_city_code(i, code);
    snprintf(out, 64, "Mayor of %s", code);
}

static int64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int sql_fail(sqlite3 *db, const char *what)
{
    fprintf(stderr, "b40-bench: seeding the database: %s: %s\n", what, db ? sqlite3_errmsg(db) : "cannot open");
    return -1;
}

static int step_done(sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);

    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc == SQLITE_DONE ? 0 : -1;
}

static int open_db(const char *path, sqlite3 **db)
{
    if (sqlite3_open_v2(path, db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
        return sql_fail(*db, "open");
    sqlite3_busy_timeout(*db, 5000);
    if (sqlite3_exec(*db, "PRAGMA foreign_keys = ON; BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        return sql_fail(*db, "begin");
    return 0;
}

/* Commits (rc == 0) or rolls back, then closes. Returns rc, or -1 when the commit failed. */
static int close_db(sqlite3 *db, int rc)
{
    if (rc == 0 && sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        rc = sql_fail(db, "commit");
    if (rc != 0)
        (void)sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close(db);
    return rc;
}

int seed_cities(const char *db_path, size_t n, int64_t *person_ids)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *city = NULL, *hist = NULL, *person = NULL;
    int64_t now = now_ms();
    int rc = -1;

    if (open_db(db_path, &db))
        goto out;
    if (sqlite3_prepare_v2(db,
                           "INSERT INTO cities (code, name, name_local, country, tz, lat, lon, status, joined_how, joined_on)"
                           " VALUES (?1, ?2, ?2, 'XK', 'Europe/Belgrade', ?3, ?4, 'member', 'founding_summit', '2021-11-29')",
                           -1, &city, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db,
                           "INSERT INTO city_status_history (city_id, status, effective_on, recorded_at_ms, actor_person_id, reason)"
                           " VALUES (?1, 'member', '2021-11-29', ?2, NULL, 'b40-bench synthetic member city')",
                           -1, &hist, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "INSERT INTO people (name, city_id, roles, active, created_at_ms) VALUES (?1, ?2, 'mayor', 1, ?3)",
                           -1, &person, NULL) != SQLITE_OK) {
        sql_fail(db, "prepare");
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        char code[16], name[64], mayor[64];
        int64_t city_id;
        seed_city_code(i, code);
        snprintf(name, sizeof(name), "Bench City %zu", i + 1);
        seed_mayor_name(i, mayor);
        sqlite3_bind_text(city, 1, code, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(city, 2, name, -1, SQLITE_TRANSIENT);
        sqlite3_bind_double(city, 3, 42.0 + (double)(i % 100) / 100.0);
        sqlite3_bind_double(city, 4, 21.0 + (double)(i / 100 % 100) / 100.0);
        if (step_done(city)) {
            sql_fail(db, "a city");
            goto out;
        }
        city_id = sqlite3_last_insert_rowid(db);
        sqlite3_bind_int64(hist, 1, city_id);
        sqlite3_bind_int64(hist, 2, now);
        sqlite3_bind_text(person, 1, mayor, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(person, 2, city_id);
        sqlite3_bind_int64(person, 3, now);
        if (step_done(hist) || step_done(person)) {
            sql_fail(db, "a status or a mayor");
            goto out;
        }
        person_ids[i] = sqlite3_last_insert_rowid(db);
    }
    rc = 0;
out:
    sqlite3_finalize(city);
    sqlite3_finalize(hist);
    sqlite3_finalize(person);
    return db ? close_db(db, rc) : -1;
}

int seed_summit(const char *db_path, int year, const char *starts_on, const char *ends_on, size_t n, int64_t *summit_id)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *summit = NULL, *att = NULL;
    int64_t now = now_ms();
    int rc = -1;

    if (open_db(db_path, &db))
        goto out;
    if (sqlite3_prepare_v2(db,
                           "INSERT INTO summits (year, host_city, starts_on, ends_on, place)"
                           " SELECT ?1, id, ?2, ?3, 'b40-bench summit hall' FROM cities WHERE code = 'bench-00001'",
                           -1, &summit, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db,
                           "INSERT INTO attendance (summit_id, city_id, checked_in_ms, how, by_person)"
                           " SELECT ?1, id, ?2, 'desk', NULL FROM cities WHERE code = ?3",
                           -1, &att, NULL) != SQLITE_OK) {
        sql_fail(db, "prepare");
        goto out;
    }
    sqlite3_bind_int(summit, 1, year);
    sqlite3_bind_text(summit, 2, starts_on, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(summit, 3, ends_on, -1, SQLITE_TRANSIENT);
    if (step_done(summit) || sqlite3_changes(db) != 1) {
        sql_fail(db, "the summit");
        goto out;
    }
    *summit_id = sqlite3_last_insert_rowid(db);
    for (size_t i = 0; i < n; i++) {
        char code[16];
        seed_city_code(i, code);
        sqlite3_bind_int64(att, 1, *summit_id);
        sqlite3_bind_int64(att, 2, now);
        sqlite3_bind_text(att, 3, code, -1, SQLITE_TRANSIENT);
        if (step_done(att) || sqlite3_changes(db) != 1) {
            sql_fail(db, "an attendance");
            goto out;
        }
    }
    rc = 0;
out:
    sqlite3_finalize(summit);
    sqlite3_finalize(att);
    return db ? close_db(db, rc) : -1;
}
