/*
 * Unit tests of the room's part of the store (schema 5, server/store_room.c):
 * the event log in order, with one row per (session, seq) and nothing ever
 * changed or deleted; one open attendance interval per person; one open
 * motion per session; one ballot per city per motion and the ballot's
 * receipt found by its hash; signed minutes stored once and never changed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "b40/identity.h"
#include "b40/store.h"
#include "b40/store_identity.h"
#include "b40/store_room.h"
#include "support.h"

#define T0 1800000000000LL

static int64_t person, secretary, key, athens, sofia;

static int setup(void **state)
{
    struct fixture *f;
    char status[16];

    fixture_setup(state, "b40-room-store", true);
    f = *state;
    assert_int_equal(store_city_lookup(f->st, "athens", &athens, status), 0);
    assert_int_equal(store_city_lookup(f->st, "sofia", &sofia, status), 0);
    assert_int_equal(store_person_add(f->st, "Mayor of Athens", athens, ROLE_MAYOR, &person), 0);
    assert_int_equal(store_person_add(f->st, "Secretary", 0, ROLE_SECRETARY, &secretary), 0);
    sql(f->db, "INSERT INTO sessions (group_id, kind, quarter, title, starts_at_ms, ends_at_ms, state, agenda,"
               " created_at_ms, updated_at_ms) VALUES (1, 'extra', '2027Q1', 'S', 1800000000000, 1800003600000, 'live',"
               " '[\"Opening\"]', 1, 1);"
               "INSERT INTO sessions (group_id, kind, quarter, title, starts_at_ms, ends_at_ms, state, agenda,"
               " created_at_ms, updated_at_ms) VALUES (1, 'extra', '2027Q1', 'T', 1800000000000, 1800003600000, 'live',"
               " '[\"Opening\"]', 1, 1);");
    {
        char q[600];
        snprintf(q, sizeof(q),
                 "INSERT INTO enrollments (id, person_id, code_sha256, expires_at_ms, created_at_ms, signer_key,"
                 " statement, signature) VALUES ('00000000000000000000000000000001', %lld, zeroblob(32), 0, 0,"
                 " zeroblob(32), 's', zeroblob(64));"
                 "INSERT INTO person_keys (person_id, public_key, enrollment_id, device, statement, signature,"
                 " created_at_ms) VALUES (%lld, zeroblob(32), '00000000000000000000000000000001', 'd', 's',"
                 " zeroblob(64), 0);",
                 (long long)person, (long long)person);
        sql(f->db, q);
    }
    key = int_query(f->db, "SELECT max(id) FROM person_keys");
    return 0;
}

struct collected {
    uint64_t seqs[16];
    char kinds[16][32];
    size_t n;
};

static int collect(void *ctx, const struct store_room_event *e)
{
    struct collected *c = ctx;

    c->seqs[c->n] = e->seq;
    snprintf(c->kinds[c->n], sizeof(c->kinds[0]), "%s", e->kind);
    c->n++;
    return 0;
}

static void test_event_log(void **state)
{
    struct fixture *f = *state;
    struct collected c;

    memset(&c, 0, sizeof(c));
    assert_int_equal(store_room_event_add(f->st, 1, 2, "chat.message", "{\"seq\":2}", T0 + 1), 0);
    assert_int_equal(store_room_event_add(f->st, 1, 1, "session.start", "{\"seq\":1}", T0), 0);
    assert_int_equal(store_room_event_add(f->st, 2, 1, "session.start", "{\"seq\":1}", T0), 0); /* another session */
    /* a number is never used twice in a room */
    assert_int_equal(store_room_event_add(f->st, 1, 2, "chat.message", "{\"seq\":2}", T0 + 2), STORE_ROOM_CONFLICT);
    assert_int_equal(store_room_events_each(f->st, 1, collect, &c), 0);
    assert_int_equal(c.n, 2);
    assert_int_equal(c.seqs[0], 1); /* in seq order, whatever the order they were written */
    assert_string_equal(c.kinds[1], "chat.message");
    /* append-only */
    assert_int_equal(int_query(f->db, "SELECT count(*) FROM room_events"), 3);
    {
        sqlite3 *db;
        assert_int_equal(sqlite3_open(f->db, &db), SQLITE_OK);
        assert_int_not_equal(sqlite3_exec(db, "UPDATE room_events SET data = '{}'", NULL, NULL, NULL), SQLITE_OK);
        assert_int_not_equal(sqlite3_exec(db, "DELETE FROM room_events", NULL, NULL, NULL), SQLITE_OK);
        sqlite3_close(db);
    }
}

static void test_attendance(void **state)
{
    struct fixture *f = *state;
    struct store_attendance_row *rows;
    size_t n;

    assert_int_equal(store_room_attendance_open(f->st, 1, person, athens, T0), 0);
    assert_int_equal(store_room_attendance_open(f->st, 1, person, athens, T0 + 5), STORE_ROOM_CONFLICT); /* once */
    assert_int_equal(store_room_attendance_close(f->st, 1, person, T0 + 10, "leave"), 0);
    assert_int_equal(store_room_attendance_close(f->st, 1, person, T0 + 11, "leave"), 1); /* none open */
    assert_int_equal(store_room_attendance_open(f->st, 1, person, athens, T0 + 20), 0);
    assert_int_equal(store_room_attendance_close(f->st, 1, person, T0 + 15, "restart"), 0); /* never before the join */
    assert_int_equal(store_room_attendance_open(f->st, 1, secretary, 0, T0), 0); /* the secretariat */
    assert_int_equal(store_room_attendance_list(f->st, 1, &rows, &n), 0);
    assert_int_equal(n, 3);
    assert_string_equal(rows[0].city, ""); /* the secretariat first */
    assert_int_equal(rows[0].left_ms, 0);
    assert_string_equal(rows[1].city, "athens");
    assert_int_equal(rows[1].left_ms, T0 + 10);
    assert_string_equal(rows[1].how, "leave");
    assert_int_equal(rows[2].left_ms, T0 + 20);
    assert_string_equal(rows[2].how, "restart");
    free(rows);
}

static void test_motions_and_ballots(void **state)
{
    struct fixture *f = *state;
    struct store_motion m;
    struct store_motion_ballot *b;
    uint8_t sig[64], hash[32], chain[32], got[32], rsig[64];
    char receipt[512];
    int64_t id, id2, open, seq;
    size_t n;

    memset(sig, 1, 64);
    memset(hash, 2, 32);
    memset(chain, 3, 32);
    assert_int_equal(store_motion_add(f->st, 1, 1, "Plant trees", person, T0, &id), 0);
    assert_int_equal(store_motion_add(f->st, 1, 1, "Another", person, T0, &id2), STORE_ROOM_CONFLICT); /* one open */
    assert_int_equal(store_motion_add(f->st, 2, 1, "Elsewhere", person, T0, &id2), 0);
    assert_int_equal(store_motion_set_poll(f->st, id, "b40-motion-poll-v1\n", sig, hash, "athens 00\n"), 0);
    assert_int_equal(store_motion_open_of_session(f->st, 1, &open), 0);
    assert_int_equal(open, id);
    assert_int_equal(store_motion_ballot_last(f->st, id, &seq, got), 0);
    assert_int_equal(seq, 0);
    assert_int_equal(store_motion_ballot_add(f->st, id, athens, 1, "ballot", 6, sig, key, "yes", hash, chain, T0, "receipt",
                                             sig),
                     0);
    /* one ballot per city per motion, whatever its number */
    hash[0] = 9;
    assert_int_equal(store_motion_ballot_add(f->st, id, athens, 2, "ballot2", 7, sig, key, "no", hash, chain, T0,
                                             "receipt", sig),
                     STORE_ROOM_CONFLICT);
    assert_int_equal(store_motion_ballot_add(f->st, id, sofia, 1, "ballot3", 7, sig, key, "no", hash, chain, T0, "receipt",
                                             sig),
                     STORE_ROOM_CONFLICT); /* seq taken */
    assert_int_equal(store_motion_ballot_add(f->st, id, sofia, 2, "ballot3", 7, sig, key, "maybe", hash, chain, T0,
                                             "receipt", sig),
                     -1); /* not a choice */
    assert_int_equal(store_motion_ballot_add(f->st, id, sofia, 2, "ballot3", 7, sig, key, "no", hash, chain, T0, "r2", sig),
                     0);
    assert_int_equal(store_motion_ballot_last(f->st, id, &seq, got), 0);
    assert_int_equal(seq, 2);
    assert_int_equal(store_motion_ballot_of_city(f->st, id, sofia, got), 0);
    assert_int_equal(got[0], 9);
    assert_int_equal(store_motion_ballot_of_city(f->st, id2, sofia, got), 1);
    assert_int_equal(store_motion_ballot_receipt(f->st, hash, &seq, receipt, sizeof(receipt), rsig), 0);
    assert_string_equal(receipt, "r2");
    assert_int_equal(store_motion_ballots(f->st, id, &b, &n), 0);
    assert_int_equal(n, 2);
    assert_string_equal(b[0].city, "athens");
    assert_string_equal(b[1].choice, "no");
    free(b);
    assert_int_equal(store_motion_close(f->st, id, person, T0 + 9, "{\"outcome\":\"adopted\"}", "head", sig, 0), 0);
    assert_int_equal(store_motion_close(f->st, id, person, T0 + 9, "{}", "head", sig, 0), 1); /* closed already */
    assert_int_equal(store_motion_open_of_session(f->st, 1, &open), 1);
    assert_int_equal(store_motion_get(f->st, id, &m), 0);
    assert_string_equal(m.state, "closed");
    assert_string_equal(m.eligible_keys, "athens 00\n");
    assert_string_equal(m.chain_head, "head");
    assert_int_equal(m.closed_ms, T0 + 9);
    store_motion_free(&m);
    assert_int_equal(store_motion_get(f->st, 424242, &m), 1);
    assert_int_equal(int_query(f->db, "SELECT count(*) FROM motion_ballots"), 2);
}

static void test_minutes(void **state)
{
    struct fixture *f = *state;
    struct store_minutes m;
    uint8_t sig[64];

    memset(sig, 4, 64);
    assert_int_equal(store_minutes_get(f->st, 1, &m), 1);
    assert_int_equal(store_minutes_add(f->st, 1, "# md", "<p>html</p>", "b40-minutes-v1\n", sig, T0), 0);
    assert_int_equal(store_minutes_add(f->st, 1, "# other", "x", "y", sig, T0), STORE_ROOM_CONFLICT);
    assert_int_equal(store_minutes_get(f->st, 1, &m), 0);
    assert_string_equal(m.markdown, "# md");
    assert_memory_equal(m.signature, sig, 64);
    store_minutes_free(&m);
    {
        sqlite3 *db;
        assert_int_equal(sqlite3_open(f->db, &db), SQLITE_OK);
        assert_int_not_equal(sqlite3_exec(db, "UPDATE minutes SET markdown = 'x'", NULL, NULL, NULL), SQLITE_OK);
        sqlite3_close(db);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_event_log, setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_attendance, setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_motions_and_ballots, setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_minutes, setup, fixture_teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
