/*
 * support: what several unit tests share: a temporary database (optionally
 * with the demo network), plain-SQLite access to it as another program
 * would have, and a fake connection that sends messages through
 * api_handle_text and checks the replies. Test code only; every helper
 * fails the running cmocka test on an unexpected result.
 */
#ifndef B40_TEST_SUPPORT_H
#define B40_TEST_SUPPORT_H

#include <stdbool.h>
#include <stdint.h>

#include "b40/api.h"

struct json_object;
struct store;

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

struct fixture {
    char dir[64];
    char db[128];
    struct store *st;
};

/* Makes a temporary directory named after prefix with a fresh store (and the demo network). */
int fixture_setup(void **state, const char *prefix, bool demo);
int fixture_teardown(void **state);

/* Runs SQL on the file with plain SQLite, as another program would. */
void sql(const char *path, const char *text);
/* The first column of the first row of a query, as an integer. */
int int_query(const char *path, const char *text);

struct api_fixture {
    struct api_env env;
    struct api_conn conn;
};

/* An api_env on f's store (with a rate limiter) and a connection from `peer`; free with api_teardown. */
void api_setup(struct fixture *f, struct api_fixture *a, const char *peer);
void api_teardown(struct api_fixture *a);

/* Marks the connection signed in as person (whose key id is the same number). */
void sign_in(struct api_fixture *a, int64_t person);

/* Sends one message and returns the parsed reply (caller puts it). */
struct json_object *call(struct api_fixture *a, const char *msg);
/* A member that must be there (borrowed). */
struct json_object *get(struct json_object *o, const char *key);
/* Sends msg and asserts an ok reply; returns it (caller puts it). */
struct json_object *ok(struct api_fixture *a, const char *msg);
/* Sends msg and asserts the error code and field (NULL: no field). */
void refused(struct api_fixture *a, const char *msg, const char *code, const char *field);

#endif
