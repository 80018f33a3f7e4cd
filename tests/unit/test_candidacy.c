/*
 * Unit tests of candidacies and of the election.changed event
 * (docs/protocol.md "Summits and the presidency election"), through
 * api_handle_text as a client would send them, on a temporary database with
 * the demo network: election.declare and election.withdraw (who may, when,
 * idempotence, declaring again), the candidacy list of election.get (standing,
 * withdrawn by whom, dropped when the list froze), the history entries, and
 * one election.changed event per change, caught by a publish function that
 * stands in for the hub. No socket.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "b40/api.h"
#include "b40/serverkey.h"
#include "support.h"

/* ---- a hub that only records what is published ---- */

#define MAX_EVENTS 16

struct caught {
    size_t n;
    int64_t election[MAX_EVENTS];
    char name[MAX_EVENTS][32];
    struct json_object *fields[MAX_EVENTS]; /* own references */
};

static void catch_event(void *hub, int64_t election_id, const char *event, struct json_object *fields)
{
    struct caught *c = hub;

    assert_true(c->n < MAX_EVENTS);
    c->election[c->n] = election_id;
    snprintf(c->name[c->n], sizeof(c->name[0]), "%s", event);
    c->fields[c->n++] = json_object_get(fields);
}

static void caught_clear(struct caught *c)
{
    for (size_t i = 0; i < c->n; i++)
        json_object_put(c->fields[i]);
    memset(c, 0, sizeof(*c));
}

static const char *text_of(struct json_object *o)
{
    return json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
}

/*
 * Asserts that exactly one election.changed event was published since the
 * last check (after any other events of the same step), for `election`,
 * whose members other than the election id are `expect` (compact JSON).
 */
static void expect_changed(struct caught *c, int64_t election, const char *expect)
{
    struct json_object *ev, *copy;
    size_t last;

    assert_true(c->n >= 1);
    last = c->n - 1;
    for (size_t i = 0; i < last; i++)
        assert_string_not_equal(c->name[i], "election.changed");
    assert_string_equal(c->name[last], "election.changed");
    assert_int_equal(c->election[last], election);
    ev = c->fields[last];
    assert_int_equal(json_object_get_int64(get(ev, "election")), election);
    copy = json_tokener_parse(text_of(ev));
    json_object_object_del(copy, "election");
    assert_string_equal(text_of(copy), expect);
    json_object_put(copy);
    caught_clear(c);
}

/* ---- people ---- */

/*
 * People signed in with a key, made with plain SQL; key id = person id:
 * 1 a secretary, 2 the mayor of Athens, 3 an official of Athens, 4 the mayor
 * of Zagreb (the city holding the term), 5 the deputy mayor of Sofia, 6 the
 * mayor of Belgrade.
 */
static void add_people(struct fixture *f)
{
    static const struct {
        int id;
        const char *name, *city, *roles;
    } people[] = {
        {1, "Network secretary", NULL, "secretary"}, {2, "Mayor of Athens", "athens", "mayor"},
        {3, "Official of Athens", "athens", "official"}, {4, "Mayor of Zagreb", "zagreb", "mayor"},
        {5, "Deputy mayor of Sofia", "sofia", "deputy"}, {6, "Mayor of Belgrade", "belgrade", "mayor"},
    };
    char text[1024];

    for (size_t i = 0; i < COUNT(people); i++) {
        snprintf(text, sizeof(text),
                 "INSERT INTO people (id, name, city_id, roles, created_at_ms) VALUES (%d, '%s',"
                 " (SELECT id FROM cities WHERE code = '%s'), '%s', 0);"
                 "INSERT INTO enrollments (id, person_id, code_sha256, expires_at_ms, created_at_ms, signer_key,"
                 " statement, signature) VALUES (printf('%%032d', %d), %d, randomblob(32), 0, 0, randomblob(32), 's',"
                 " randomblob(64));"
                 "INSERT INTO person_keys (id, person_id, public_key, enrollment_id, device, statement, signature,"
                 " created_at_ms) VALUES (%d, %d, randomblob(32), printf('%%032d', %d), 'test', 's', randomblob(64), 0);",
                 people[i].id, people[i].name, people[i].city ? people[i].city : "", people[i].roles, people[i].id,
                 people[i].id, people[i].id, people[i].id, people[i].id);
        sql(f->db, text);
    }
}

static int setup(void **state)
{
    return fixture_setup(state, "b40-candidacy", true);
}

static int teardown(void **state)
{
    return fixture_teardown(state);
}

/* The candidacy of `city` in the election object e (it must be there). */
static struct json_object *candidacy_of(struct json_object *e, const char *city)
{
    struct json_object *list = get(e, "candidacies");

    for (size_t i = 0; i < json_object_array_length(list); i++) {
        struct json_object *c = json_object_array_get_idx(list, i);
        if (!strcmp(json_object_get_string(get(c, "city")), city))
            return c;
    }
    fail_msg("no candidacy of %s in %s", city, text_of(e));
    return NULL;
}

/* Asserts a candidacy's status and who withdrew it (NULL: null); `withdrawn` whether its time is set. */
static void expect_candidacy(struct json_object *e, const char *city, const char *status, const char *by)
{
    struct json_object *c = candidacy_of(e, city), *w = get(c, "withdrawn"), *b = get(c, "withdrawn_by");

    assert_string_equal(json_object_get_string(get(c, "status")), status);
    assert_true(json_object_is_type(get(c, "declared"), json_type_string));
    if (!strcmp(status, "standing"))
        assert_null(w);
    else
        assert_true(json_object_is_type(w, json_type_string));
    if (by)
        assert_string_equal(json_object_get_string(b), by);
    else
        assert_null(b);
}

static void test_declare_withdraw_and_events(void **state)
{
    struct fixture *f = *state;
    struct api_fixture a;
    struct caught c;
    struct serverkey *key = NULL;
    struct json_object *r, *e;
    char msg[256], path[160], err[200];
    int64_t id;

    add_people(f);
    api_setup(f, &a, "192.0.2.1");
    memset(&c, 0, sizeof(c));
    a.env.publish = catch_event;
    a.env.hub = &c;
    a.env.watchers = 1;
    snprintf(path, sizeof(path), "%s/t.db.key", f->dir);
    assert_int_equal(serverkey_create(&key, path, err, sizeof(err)), 0);
    a.env.key = key;
#define M(fmt, ...) (snprintf(msg, sizeof(msg), fmt, __VA_ARGS__), msg)

    /* an election of the 2026 demo summit (Zagreb's: Zagreb holds the term then) */
    sign_in(&a, 1);
    r = ok(&a, M("{\"id\":1,\"type\":\"election.create\",\"summit\":%d,\"title\":\"Presidency\"}",
                 int_query(f->db, "SELECT id FROM summits WHERE year = 2026")));
    id = json_object_get_int64(get(get(r, "election"), "id"));
    assert_string_equal(text_of(get(get(r, "election"), "candidacies")), "[]");
    json_object_put(r);
    assert_int_equal(c.n, 0); /* nobody can watch an election before it exists */

    /* a draft: no candidacy, no withdrawal */
    sign_in(&a, 2);
    refused(&a, M("{\"id\":2,\"type\":\"election.declare\",\"election\":%lld}", (long long)id), "conflict", "election");
    refused(&a, M("{\"id\":2,\"type\":\"election.withdraw\",\"election\":%lld}", (long long)id), "conflict", "election");
    assert_int_equal(c.n, 0);

    /* candidacies open: one event */
    sign_in(&a, 1);
    json_object_put(ok(&a, M("{\"id\":3,\"type\":\"election.advance\",\"election\":%lld,\"to\":\"candidacy\"}", (long long)id)));
    expect_changed(&c, id, "{\"change\":\"candidacy\",\"state\":\"candidacy\",\"round\":0,\"candidates\":[],"
                           "\"round_candidates\":[],\"winner\":null}");
    /* advancing to the state it is in changes nothing, and says nothing */
    json_object_put(ok(&a, M("{\"id\":3,\"type\":\"election.advance\",\"election\":%lld,\"to\":\"candidacy\"}", (long long)id)));
    assert_int_equal(c.n, 0);

    /* Athens and Sofia declare; declaring twice changes nothing and sends nothing */
    sign_in(&a, 2);
    json_object_put(ok(&a, M("{\"id\":4,\"type\":\"election.declare\",\"election\":%lld}", (long long)id)));
    expect_changed(&c, id, "{\"change\":\"declared\",\"state\":\"candidacy\",\"round\":0,\"candidates\":[\"athens\"],"
                           "\"round_candidates\":[],\"winner\":null,\"city\":\"athens\"}");
    json_object_put(ok(&a, M("{\"id\":4,\"type\":\"election.declare\",\"election\":%lld}", (long long)id)));
    assert_int_equal(c.n, 0);
    sign_in(&a, 5);
    json_object_put(ok(&a, M("{\"id\":5,\"type\":\"election.declare\",\"election\":%lld}", (long long)id)));
    expect_changed(&c, id, "{\"change\":\"declared\",\"state\":\"candidacy\",\"round\":0,\"candidates\":[\"athens\","
                           "\"sofia\"],\"round_candidates\":[],\"winner\":null,\"city\":\"sofia\"}");

    /* who may withdraw: not an official, not another city's mayor, not without a city for the secretariat */
    sign_in(&a, 3);
    refused(&a, M("{\"id\":6,\"type\":\"election.withdraw\",\"election\":%lld}", (long long)id), "forbidden", NULL);
    sign_in(&a, 4);
    refused(&a, M("{\"id\":6,\"type\":\"election.withdraw\",\"election\":%lld,\"city\":\"athens\"}", (long long)id),
            "forbidden", "city");
    sign_in(&a, 1);
    refused(&a, M("{\"id\":6,\"type\":\"election.withdraw\",\"election\":%lld}", (long long)id), "bad_request", "city");
    refused(&a, M("{\"id\":6,\"type\":\"election.withdraw\",\"election\":%lld,\"city\":\"atlantis\"}", (long long)id),
            "not_found", "city");
    refused(&a, M("{\"id\":6,\"type\":\"election.withdraw\",\"election\":%lld,\"city\":\"Athens\"}", (long long)id),
            "bad_request", "city");
    refused(&a, M("{\"id\":6,\"type\":\"election.withdraw\",\"election\":%lld,\"city\":\"belgrade\"}", (long long)id),
            "not_candidate", "city");
    refused(&a, "{\"id\":6,\"type\":\"election.withdraw\",\"election\":999999,\"city\":\"athens\"}", "not_found", "election");
    refused(&a, M("{\"id\":6,\"type\":\"election.withdraw\",\"election\":%lld,\"city\":\"athens\",\"reason\":\"x\"}",
                  (long long)id),
            "bad_request", "reason");
    sign_in(&a, 6);
    refused(&a, M("{\"id\":6,\"type\":\"election.withdraw\",\"election\":%lld}", (long long)id), "not_candidate", "city");
    a.conn.person_id = 0;
    refused(&a, M("{\"id\":6,\"type\":\"election.withdraw\",\"election\":%lld}", (long long)id), "not_signed_in", NULL);
    assert_int_equal(c.n, 0);
    assert_int_equal(int_query(f->db, "SELECT count(*) FROM candidacies WHERE withdrawn_at_ms IS NOT NULL"), 0);

    /* the Athens mayor withdraws (naming the city or not); again: nothing changes */
    sign_in(&a, 2);
    r = ok(&a, M("{\"id\":7,\"type\":\"election.withdraw\",\"election\":%lld,\"city\":\"athens\"}", (long long)id));
    e = get(r, "election");
    assert_string_equal(text_of(get(e, "candidates")), "[\"sofia\"]");
    expect_candidacy(e, "athens", "withdrawn", "city");
    expect_candidacy(e, "sofia", "standing", NULL);
    json_object_put(r);
    expect_changed(&c, id, "{\"change\":\"withdrawn\",\"state\":\"candidacy\",\"round\":0,\"candidates\":[\"sofia\"],"
                           "\"round_candidates\":[],\"winner\":null,\"city\":\"athens\",\"by\":\"city\"}");
    json_object_put(ok(&a, M("{\"id\":7,\"type\":\"election.withdraw\",\"election\":%lld}", (long long)id)));
    assert_int_equal(c.n, 0);
    assert_int_equal(int_query(f->db, "SELECT count(*) FROM history WHERE action = 'election.withdraw'"
                                      " AND actor_person_id = 2 AND json_extract(details, '$.city') = 'athens'"
                                      " AND json_extract(details, '$.by') = 'city'"),
                     1);

    /* a withdrawn city declares again: it stands again */
    r = ok(&a, M("{\"id\":8,\"type\":\"election.declare\",\"election\":%lld}", (long long)id));
    expect_candidacy(get(r, "election"), "athens", "standing", NULL);
    json_object_put(r);
    expect_changed(&c, id, "{\"change\":\"declared\",\"state\":\"candidacy\",\"round\":0,\"candidates\":[\"athens\","
                           "\"sofia\"],\"round_candidates\":[],\"winner\":null,\"city\":\"athens\"}");
    assert_int_equal(int_query(f->db, "SELECT count(*) FROM history WHERE action = 'election.declare'"
                                      " AND json_extract(details, '$.city') = 'athens'"),
                     2);

    /* the secretariat withdraws Sofia's; Sofia's deputy puts it forward again */
    sign_in(&a, 1);
    r = ok(&a, M("{\"id\":9,\"type\":\"election.withdraw\",\"election\":%lld,\"city\":\"sofia\"}", (long long)id));
    expect_candidacy(get(r, "election"), "sofia", "withdrawn", "secretariat");
    json_object_put(r);
    expect_changed(&c, id, "{\"change\":\"withdrawn\",\"state\":\"candidacy\",\"round\":0,\"candidates\":[\"athens\"],"
                           "\"round_candidates\":[],\"winner\":null,\"city\":\"sofia\",\"by\":\"secretariat\"}");
    sign_in(&a, 5);
    json_object_put(ok(&a, M("{\"id\":10,\"type\":\"election.declare\",\"election\":%lld}", (long long)id)));
    caught_clear(&c);
    /* Belgrade declares and withdraws: its candidacy stays on the list, withdrawn */
    sign_in(&a, 6);
    json_object_put(ok(&a, M("{\"id\":11,\"type\":\"election.declare\",\"election\":%lld}", (long long)id)));
    json_object_put(ok(&a, M("{\"id\":12,\"type\":\"election.withdraw\",\"election\":%lld}", (long long)id)));
    caught_clear(&c);

    /* Athens is suspended before the list freezes: it drops out at the opening, on the record */
    sign_in(&a, 1);
    json_object_put(ok(&a, "{\"id\":13,\"type\":\"city.set_status\",\"city\":\"athens\",\"status\":\"suspended\","
                           "\"reason\":\"test\"}"));
    json_object_put(ok(&a, M("{\"id\":14,\"type\":\"election.advance\",\"election\":%lld,\"to\":\"open\"}", (long long)id)));
    assert_int_equal(c.n, 2);
    assert_string_equal(c.name[0], "election.opened");
    expect_changed(&c, id, "{\"change\":\"opened\",\"state\":\"open\",\"round\":1,\"candidates\":[\"sofia\"],"
                           "\"round_candidates\":[\"sofia\"],\"winner\":null,\"dropped\":[\"athens\"]}");
    r = ok(&a, M("{\"id\":15,\"type\":\"election.get\",\"election\":%lld}", (long long)id));
    e = get(r, "election");
    expect_candidacy(e, "athens", "dropped", NULL);
    expect_candidacy(e, "belgrade", "withdrawn", "city");
    expect_candidacy(e, "sofia", "standing", NULL);
    assert_int_equal(json_object_array_length(get(e, "candidacies")), 3);
    json_object_put(r);

    /* the list is frozen: no withdrawal, by anyone, and nothing is sent */
    refused(&a, M("{\"id\":16,\"type\":\"election.withdraw\",\"election\":%lld,\"city\":\"sofia\"}", (long long)id),
            "conflict", "election");
    sign_in(&a, 5);
    refused(&a, M("{\"id\":16,\"type\":\"election.withdraw\",\"election\":%lld}", (long long)id), "conflict", "election");
    refused(&a, M("{\"id\":16,\"type\":\"election.declare\",\"election\":%lld}", (long long)id), "conflict", "election");
    assert_int_equal(c.n, 0);
    assert_int_equal(int_query(f->db, "SELECT count(*) FROM candidacies WHERE withdrawn_at_ms IS NULL"), 1);

    /* closing: election.closed, then election.changed (nobody voted: no result, state closed) */
    sign_in(&a, 1);
    json_object_put(ok(&a, M("{\"id\":17,\"type\":\"election.advance\",\"election\":%lld,\"to\":\"closed\"}", (long long)id)));
    assert_int_equal(c.n, 2);
    assert_string_equal(c.name[0], "election.closed");
    expect_changed(&c, id, "{\"change\":\"closed\",\"state\":\"closed\",\"round\":1,\"candidates\":[\"sofia\"],"
                           "\"round_candidates\":[\"sofia\"],\"winner\":null}");
    /* a new round of the same candidates */
    json_object_put(ok(&a, M("{\"id\":18,\"type\":\"election.advance\",\"election\":%lld,\"to\":\"open\"}", (long long)id)));
    expect_changed(&c, id, "{\"change\":\"opened\",\"state\":\"open\",\"round\":2,\"candidates\":[\"sofia\"],"
                           "\"round_candidates\":[\"sofia\"],\"winner\":null}");

    /* with nobody watching, election.changed is not even made */
    a.env.watchers = 0;
    json_object_put(ok(&a, M("{\"id\":19,\"type\":\"election.advance\",\"election\":%lld,\"to\":\"closed\"}", (long long)id)));
    for (size_t i = 0; i < c.n; i++)
        assert_string_not_equal(c.name[i], "election.changed");
#undef M
    caught_clear(&c);
    serverkey_free(key);
    api_teardown(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_declare_withdraw_and_events, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
