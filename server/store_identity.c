/*
 * store_identity: people, enrollments and keys. See
 * include/b40/store_identity.h. Every statement is in identity_sql below,
 * prepared once when the store opens.
 */
#include "b40/store_identity.h"

#include <stdlib.h>
#include <string.h>

#include "b40/log.h"
#include "b40/timeutil.h"
#include "store_internal.h"

enum {
    SI_SESSION,
    SI_EPOCH,
    SI_PERSON_ADD,
    SI_PERSON_GET,
    SI_PERSON_ALL,
    SI_CITY_LOOKUP,
    SI_ENROLL_ADD,
    SI_ENROLL_BY_HASH,
    SI_ENROLL_USE,
    SI_ENROLL_OF,
    SI_KEY_ADD,
    SI_KEY_BY_PK,
    SI_KEY_BY_ID,
    SI_KEY_OF,
    SI_KEY_REVOKE,
    SI_COUNT
};

#define PERSON_COLUMNS                                                                                                 \
    "p.id, p.name, coalesce(p.city_id, 0), coalesce(c.code, 'secretariat'), p.roles, p.active, p.created_at_ms"
#define KEY_COLUMNS "id, person_id, public_key, device, created_at_ms, coalesce(revoked_at_ms, 0)"

const char *const store_identity_sql[SI_COUNT] = {
    [SI_SESSION] = "SELECT k.revoked_at_ms IS NULL, p.active, p.roles, coalesce(p.city_id, 0),"
                   " (SELECT n FROM identity_epoch WHERE id = 1)"
                   " FROM person_keys k JOIN people p ON p.id = k.person_id WHERE k.id = ?1 AND p.id = ?2",
    [SI_EPOCH] = "SELECT n FROM identity_epoch WHERE id = 1",
    [SI_PERSON_ADD] = "INSERT INTO people (name, city_id, roles, created_at_ms) VALUES (?1, ?2, ?3, ?4)",
    [SI_PERSON_GET] = "SELECT " PERSON_COLUMNS " FROM people p LEFT JOIN cities c ON c.id = p.city_id WHERE p.id = ?1",
    [SI_PERSON_ALL] = "SELECT " PERSON_COLUMNS " FROM people p LEFT JOIN cities c ON c.id = p.city_id ORDER BY p.id",
    [SI_CITY_LOOKUP] = "SELECT id, status FROM cities WHERE code = ?1",
    [SI_ENROLL_ADD] = "INSERT OR IGNORE INTO enrollments (id, person_id, code_sha256, expires_at_ms, created_at_ms,"
                      " created_by, signer_key, statement, signature) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    [SI_ENROLL_BY_HASH] = "SELECT id, person_id, expires_at_ms, coalesce(used_at_ms, 0) FROM enrollments"
                          " WHERE code_sha256 = ?1",
    [SI_ENROLL_USE] = "UPDATE enrollments SET used_at_ms = ?2 WHERE id = ?1 AND used_at_ms IS NULL",
    [SI_ENROLL_OF] = "SELECT id, person_id, expires_at_ms, coalesce(used_at_ms, 0) FROM enrollments"
                     " WHERE person_id = ?1 ORDER BY created_at_ms DESC",
    [SI_KEY_ADD] = "INSERT OR IGNORE INTO person_keys (person_id, public_key, enrollment_id, device, statement,"
                   " signature, created_at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    [SI_KEY_BY_PK] = "SELECT " KEY_COLUMNS " FROM person_keys WHERE public_key = ?1",
    [SI_KEY_BY_ID] = "SELECT " KEY_COLUMNS " FROM person_keys WHERE id = ?1",
    [SI_KEY_OF] = "SELECT " KEY_COLUMNS " FROM person_keys WHERE person_id = ?1 ORDER BY id",
    [SI_KEY_REVOKE] = "UPDATE person_keys SET revoked_at_ms = ?2, revoked_by = ?3, revocation_statement = ?4,"
                      " revocation_signature = ?5 WHERE id = ?1 AND revoked_at_ms IS NULL",
};

const size_t store_identity_sql_count = SI_COUNT;

static sqlite3_stmt *S(struct store *st, int id)
{
    return st->part[STORE_PART_IDENTITY][id];
}

int store_session_check(struct store *st, int64_t person_id, int64_t key_id, struct identity_session *out)
{
    sqlite3_stmt *s = S(st, SI_SESSION);
    int rc;

    sqlite3_bind_int64(s, 1, key_id);
    sqlite3_bind_int64(s, 2, person_id);
    if ((rc = store_row(st, s)) != 0)
        return rc;
    out->key_active = sqlite3_column_int(s, 0) != 0;
    out->person_active = sqlite3_column_int(s, 1) != 0;
    out->roles = identity_roles_parse((const char *)sqlite3_column_text(s, 2));
    out->city_id = sqlite3_column_int64(s, 3);
    out->epoch = sqlite3_column_int64(s, 4);
    store_stmt_done(s);
    return 0;
}

int store_identity_epoch(struct store *st, int64_t *epoch)
{
    sqlite3_stmt *s = S(st, SI_EPOCH);

    if (store_row(st, s) != 0)
        return -1;
    *epoch = sqlite3_column_int64(s, 0);
    store_stmt_done(s);
    return 0;
}

int store_person_add(struct store *st, const char *name, int64_t city_id, unsigned roles, int64_t *id_out)
{
    sqlite3_stmt *s = S(st, SI_PERSON_ADD);
    char text[64];

    if (identity_roles_format(roles, text, sizeof(text)) != 0)
        return -1;
    sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
    if (city_id > 0)
        sqlite3_bind_int64(s, 2, city_id);
    sqlite3_bind_text(s, 3, text, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 4, timeutil_now_ms());
    if (store_write_changed(st, s) != 0)
        return -1;
    *id_out = sqlite3_last_insert_rowid(st->db);
    return 0;
}

static void read_person(sqlite3_stmt *s, struct store_person *p)
{
    p->id = sqlite3_column_int64(s, 0);
    store_col_text_cut(s, 1, p->name, sizeof(p->name));
    p->city_id = sqlite3_column_int64(s, 2);
    store_col_text_cut(s, 3, p->affiliation, sizeof(p->affiliation));
    p->roles = identity_roles_parse((const char *)sqlite3_column_text(s, 4));
    p->active = sqlite3_column_int(s, 5) != 0;
    p->created_ms = sqlite3_column_int64(s, 6);
}

int store_person_get(struct store *st, int64_t id, struct store_person *out)
{
    sqlite3_stmt *s = S(st, SI_PERSON_GET);
    int rc;

    sqlite3_bind_int64(s, 1, id);
    if ((rc = store_row(st, s)) != 0)
        return rc;
    read_person(s, out);
    store_stmt_done(s);
    return 0;
}

int store_person_each(struct store *st, int (*fn)(void *ctx, const struct store_person *p), void *ctx)
{
    sqlite3_stmt *s = S(st, SI_PERSON_ALL);
    struct store_person p;
    int rc, stop = 0;

    while (!stop && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        read_person(s, &p);
        stop = fn(ctx, &p);
    }
    if (!stop && rc != SQLITE_DONE) {
        log_error("store: %s", sqlite3_errmsg(st->db));
        stop = -1;
    }
    store_stmt_done(s);
    return stop;
}

int store_city_lookup(struct store *st, const char *code, int64_t *city_id, char status[16])
{
    sqlite3_stmt *s = S(st, SI_CITY_LOOKUP);
    int rc;

    sqlite3_bind_text(s, 1, code, -1, SQLITE_STATIC);
    if ((rc = store_row(st, s)) != 0)
        return rc;
    *city_id = sqlite3_column_int64(s, 0);
    store_col_text_cut(s, 1, status, 16);
    store_stmt_done(s);
    return 0;
}

int store_enrollment_add(struct store *st, const struct identity_enrollment *e, int64_t created_by,
                         const char *statement, size_t statement_len, const uint8_t signature[64])
{
    sqlite3_stmt *s = S(st, SI_ENROLL_ADD);

    sqlite3_bind_text(s, 1, e->id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, e->person_id);
    sqlite3_bind_blob(s, 3, e->code_sha256, 32, SQLITE_STATIC);
    sqlite3_bind_int64(s, 4, e->expires_ms);
    sqlite3_bind_int64(s, 5, timeutil_now_ms());
    if (created_by > 0)
        sqlite3_bind_int64(s, 6, created_by);
    sqlite3_bind_blob(s, 7, e->signer, 32, SQLITE_STATIC);
    sqlite3_bind_text(s, 8, statement, (int)statement_len, SQLITE_STATIC);
    sqlite3_bind_blob(s, 9, signature, 64, SQLITE_STATIC);
    return store_write_changed(st, s);
}

static void read_enrollment(sqlite3_stmt *s, struct store_enrollment *e)
{
    store_col_text_cut(s, 0, e->id, sizeof(e->id));
    e->person_id = sqlite3_column_int64(s, 1);
    e->expires_ms = sqlite3_column_int64(s, 2);
    e->used_ms = sqlite3_column_int64(s, 3);
}

int store_enrollment_by_code_hash(struct store *st, const uint8_t code_sha256[32], struct store_enrollment *out)
{
    sqlite3_stmt *s = S(st, SI_ENROLL_BY_HASH);
    int rc;

    sqlite3_bind_blob(s, 1, code_sha256, 32, SQLITE_STATIC);
    if ((rc = store_row(st, s)) != 0)
        return rc;
    read_enrollment(s, out);
    store_stmt_done(s);
    return 0;
}

int store_enrollment_use(struct store *st, const char *id, int64_t now_ms)
{
    sqlite3_stmt *s = S(st, SI_ENROLL_USE);

    sqlite3_bind_text(s, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, now_ms);
    return store_write_changed(st, s);
}

int store_enrollment_each(struct store *st, int64_t person_id,
                          int (*fn)(void *ctx, const struct store_enrollment *e), void *ctx)
{
    sqlite3_stmt *s = S(st, SI_ENROLL_OF);
    struct store_enrollment e;
    int rc, stop = 0;

    sqlite3_bind_int64(s, 1, person_id);
    while (!stop && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        read_enrollment(s, &e);
        stop = fn(ctx, &e);
    }
    if (!stop && rc != SQLITE_DONE)
        stop = -1;
    store_stmt_done(s);
    return stop;
}

int store_key_add(struct store *st, int64_t person_id, const uint8_t public_key[32], const char *enrollment_id,
                  const char *device, const char *statement, size_t statement_len, const uint8_t signature[64],
                  int64_t now_ms, int64_t *key_id)
{
    sqlite3_stmt *s = S(st, SI_KEY_ADD);
    int rc;

    sqlite3_bind_int64(s, 1, person_id);
    sqlite3_bind_blob(s, 2, public_key, 32, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, enrollment_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, device, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 5, statement, (int)statement_len, SQLITE_STATIC);
    sqlite3_bind_blob(s, 6, signature, 64, SQLITE_STATIC);
    sqlite3_bind_int64(s, 7, now_ms);
    rc = store_write_changed(st, s);
    if (rc == 0)
        *key_id = sqlite3_last_insert_rowid(st->db);
    return rc;
}

static void read_key(sqlite3_stmt *s, struct store_key *k)
{
    k->id = sqlite3_column_int64(s, 0);
    k->person_id = sqlite3_column_int64(s, 1);
    memset(k->public_key, 0, 32);
    if (sqlite3_column_bytes(s, 2) == 32)
        memcpy(k->public_key, sqlite3_column_blob(s, 2), 32);
    store_col_text_cut(s, 3, k->device, sizeof(k->device));
    k->created_ms = sqlite3_column_int64(s, 4);
    k->revoked_ms = sqlite3_column_int64(s, 5);
}

static int key_query(struct store *st, sqlite3_stmt *s, struct store_key *out)
{
    int rc = store_row(st, s);

    if (rc != 0)
        return rc;
    read_key(s, out);
    store_stmt_done(s);
    return 0;
}

int store_key_find(struct store *st, const uint8_t public_key[32], struct store_key *out)
{
    sqlite3_bind_blob(S(st, SI_KEY_BY_PK), 1, public_key, 32, SQLITE_STATIC);
    return key_query(st, S(st, SI_KEY_BY_PK), out);
}

int store_key_get(struct store *st, int64_t key_id, struct store_key *out)
{
    sqlite3_bind_int64(S(st, SI_KEY_BY_ID), 1, key_id);
    return key_query(st, S(st, SI_KEY_BY_ID), out);
}

int store_key_each(struct store *st, int64_t person_id, int (*fn)(void *ctx, const struct store_key *k), void *ctx)
{
    sqlite3_stmt *s = S(st, SI_KEY_OF);
    struct store_key k;
    int rc, stop = 0;

    sqlite3_bind_int64(s, 1, person_id);
    while (!stop && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        read_key(s, &k);
        stop = fn(ctx, &k);
    }
    if (!stop && rc != SQLITE_DONE)
        stop = -1;
    store_stmt_done(s);
    return stop;
}

int store_key_revoke(struct store *st, int64_t key_id, int64_t now_ms, int64_t by_person, const char *statement,
                     size_t statement_len, const uint8_t signature[64])
{
    sqlite3_stmt *s = S(st, SI_KEY_REVOKE);

    sqlite3_bind_int64(s, 1, key_id);
    sqlite3_bind_int64(s, 2, now_ms);
    if (by_person > 0)
        sqlite3_bind_int64(s, 3, by_person);
    sqlite3_bind_text(s, 4, statement, (int)statement_len, SQLITE_STATIC);
    sqlite3_bind_blob(s, 5, signature, 64, SQLITE_STATIC);
    return store_write_changed(st, s);
}
