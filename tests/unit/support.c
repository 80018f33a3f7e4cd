/*
 * support: the unit tests' shared fixtures. See support.h.
 */
#include "support.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <json-c/json.h>
#include <sqlite3.h>

#include "b40/demo.h"
#include "b40/ratelimit.h"
#include "b40/store.h"

int fixture_setup(void **state, const char *prefix, bool demo)
{
    struct fixture *f = calloc(1, sizeof(*f));
    char err[256];

    assert_non_null(f);
    snprintf(f->dir, sizeof(f->dir), "/tmp/%s-XXXXXX", prefix);
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->db, sizeof(f->db), "%s/t.db", f->dir);
    assert_int_equal(store_open(&f->st, f->db, STORE_CREATE, err, sizeof(err)), STORE_OK);
    if (demo)
        assert_int_equal(demo_load_network(f->st), 0);
    *state = f;
    return 0;
}

int fixture_teardown(void **state)
{
    struct fixture *f = *state;
    char cmd[200];

    store_close(f->st);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

void sql(const char *path, const char *text)
{
    sqlite3 *db;
    char *msg = NULL;

    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    if (sqlite3_exec(db, text, NULL, NULL, &msg) != SQLITE_OK)
        fail_msg("%s: %s", text, msg);
    sqlite3_close(db);
}

int int_query(const char *path, const char *text)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    int v;

    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    if (sqlite3_prepare_v2(db, text, -1, &st, NULL) != SQLITE_OK)
        fail_msg("%s: %s", text, sqlite3_errmsg(db));
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

void api_setup(struct fixture *f, struct api_fixture *a, const char *peer)
{
    memset(a, 0, sizeof(*a));
    a->env.store = f->st;
    a->env.limits = ratelimit_create();
    assert_non_null(a->env.limits);
    api_conn_init(&a->conn, "https://localhost:8443", peer);
}

void api_teardown(struct api_fixture *a)
{
    ratelimit_destroy(a->env.limits);
    a->env.limits = NULL;
}

void sign_in(struct api_fixture *a, int64_t person)
{
    a->conn.person_id = person;
    a->conn.key_id = person;
}

struct json_object *call(struct api_fixture *a, const char *msg)
{
    size_t len = 0;
    char *out = api_handle_text(&a->env, &a->conn, msg, strlen(msg), &len);
    struct json_object *reply;

    assert_non_null(out);
    reply = json_tokener_parse(out);
    assert_non_null(reply);
    free(out);
    return reply;
}

struct json_object *get(struct json_object *o, const char *key)
{
    struct json_object *v = NULL;

    if (!json_object_object_get_ex(o, key, &v))
        fail_msg("no '%s' in %s", key, json_object_to_json_string(o));
    return v;
}

struct json_object *ok(struct api_fixture *a, const char *msg)
{
    struct json_object *r = call(a, msg);

    if (!json_object_get_boolean(get(r, "ok")))
        fail_msg("%s -> %s", msg, json_object_to_json_string(r));
    return r;
}

void refused(struct api_fixture *a, const char *msg, const char *code, const char *field)
{
    struct json_object *r = call(a, msg), *e, *fld = NULL;

    print_message("%s\n", msg);
    if (json_object_get_boolean(get(r, "ok")))
        fail_msg("%s was accepted: %s", msg, json_object_to_json_string(r));
    e = get(r, "error");
    if (strcmp(json_object_get_string(get(e, "code")), code))
        fail_msg("%s -> %s, expected %s", msg, json_object_to_json_string(r), code);
    if (field) {
        assert_true(json_object_object_get_ex(e, "field", &fld));
        assert_string_equal(json_object_get_string(fld), field);
    } else if (json_object_object_get_ex(e, "field", &fld)) {
        fail_msg("%s -> %s, expected no field", msg, json_object_to_json_string(r));
    }
    json_object_put(r);
}
