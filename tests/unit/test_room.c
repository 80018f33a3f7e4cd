/*
 * Unit tests of the live room (server/room.c): presence with several
 * devices per person and the attendance record, the agenda, the speaker
 * queue (points of order first, FIFO within each kind, one entry per
 * person) and the floor, chat bounds, rate limit, history ring and hiding,
 * and the event log: sequence numbers, resume after a given number (exact
 * events, snapshot when too old, refusal beyond the last), replay of the
 * stored events into an identical room, and a long random run checked
 * against invariants.
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

#include "b40/room.h"

static const char *const AGENDA[] = {"Opening", "Heat plans", "Any other business"};

#define T0 1800000000000LL /* 2027-01-15T08:00:00.000Z */

/* A room with the three-item agenda; the test's "stored" events are kept to be replayed. */
struct fx {
    struct room *r;
    struct json_object *log; /* every recorded event as stored text, parsed again: what a restart replays */
    struct json_object *ats; /* their times */
    int64_t now;
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));

    f->r = room_create(7, AGENDA, 3);
    f->log = json_object_new_array();
    f->ats = json_object_new_array();
    f->now = T0;
    *state = f;
    return f->r ? 0 : -1;
}

static int teardown(void **state)
{
    struct fx *f = *state;

    room_destroy(f->r);
    json_object_put(f->log);
    json_object_put(f->ats);
    free(f);
    return 0;
}

/* Stamps, "stores" (as text, parsed back as a restart would read it) and records ev; returns its seq. */
static uint64_t rec(struct fx *f, struct json_object *ev)
{
    uint64_t seq;
    const char *text;
    struct json_object *stored;

    assert_non_null(ev);
    seq = room_stamp(f->r, ev, 0);
    text = json_object_to_json_string_ext(ev, JSON_C_TO_STRING_PLAIN);
    stored = json_tokener_parse(text);
    assert_non_null(stored);
    json_object_array_add(f->log, stored);
    json_object_array_add(f->ats, json_object_new_int64(f->now));
    assert_int_equal(room_record(f->r, ev, f->now), 0);
    assert_int_equal(room_seq(f->r), seq);
    f->now += 1000;
    return seq;
}

static const char *kind_of(struct json_object *ev)
{
    struct json_object *v;

    assert_true(json_object_object_get_ex(ev, "kind", &v));
    return json_object_get_string(v);
}

static int64_t int_of(struct json_object *o, const char *key)
{
    struct json_object *v;

    assert_true(json_object_object_get_ex(o, key, &v));
    return json_object_get_int64(v);
}

/* Attaches conn for person (city code, "" for the secretariat); records the join when there is one. Returns whether there was. */
static bool join(struct fx *f, uint64_t conn, int64_t person, const char *city)
{
    char name[32];
    struct room_who who = {person, 0, city, name};
    struct json_object *ev;

    snprintf(name, sizeof(name), "Person %lld", (long long)person);
    for (const char *c = city; *c; c++) /* a city id of its own for each code */
        who.city_id = who.city_id * 131 + (unsigned char)*c;
    assert_int_equal(room_attach(f->r, conn, &who, f->now, &ev), ROOM_OK);
    if (!ev)
        return false;
    assert_string_equal(kind_of(ev), "presence.join");
    assert_int_equal(int_of(ev, "person"), person);
    rec(f, ev);
    return true;
}

/* Detaches conn; records the leave when there is one. Returns whether there was. */
static bool leave(struct fx *f, uint64_t conn)
{
    struct json_object *ev;

    room_detach(f->r, conn, "leave", f->now, &ev);
    if (!ev)
        return false;
    assert_string_equal(kind_of(ev), "presence.leave");
    rec(f, ev);
    return true;
}

static void assert_queue(struct room *r, const int64_t *want, const bool *poo, size_t n)
{
    int64_t got[64];
    bool got_poo[64];

    assert_int_equal(room_queue(r, got, got_poo, 64), n);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(got[i], want[i]);
        assert_int_equal(got_poo[i], poo[i]);
    }
}

static void raise_hand(struct fx *f, int64_t person, bool poo)
{
    struct json_object *ev;

    assert_int_equal(room_hand_raise(f->r, person, poo, f->now, NULL, &ev), ROOM_OK);
    rec(f, ev);
}

/* ---- presence ---- */

static void test_presence_two_devices_count_once(void **state)
{
    struct fx *f = *state;
    struct json_object *snap, *present;
    size_t n;
    const struct room_interval *att;

    assert_int_equal(room_seq(f->r), 0);
    assert_true(join(f, 1, 10, "athens"));   /* first device: joins */
    assert_false(join(f, 2, 10, "athens"));  /* second device: no second join */
    assert_false(join(f, 2, 10, "athens"));  /* the same connection again: nothing */
    assert_true(join(f, 3, 11, "sofia"));
    assert_true(join(f, 4, 12, ""));         /* the secretariat */
    assert_int_equal(room_conn_count(f->r), 4);
    assert_int_equal(room_conn_person(f->r, 2), 10);
    assert_int_equal(room_conn_person(f->r, 99), 0);
    snap = room_snapshot(f->r);
    present = json_object_object_get(snap, "present");
    assert_int_equal(json_object_array_length(present), 3);
    assert_int_equal(int_of(json_object_array_get_idx(present, 0), "devices"), 2);
    assert_string_equal(json_object_to_json_string_ext(json_object_object_get(snap, "cities_present"), JSON_C_TO_STRING_PLAIN),
                        "[\"athens\",\"sofia\"]");
    json_object_put(snap);

    assert_false(leave(f, 1)); /* one device of two goes: still present */
    assert_true(room_is_present(f->r, 10));
    assert_true(leave(f, 2));  /* the last one: leaves */
    assert_false(room_is_present(f->r, 10));
    assert_false(leave(f, 2)); /* unknown connection now: nothing */
    assert_true(join(f, 5, 10, "athens")); /* comes back: a second interval */
    att = room_attendance(f->r, &n);
    assert_int_equal(n, 4);
    assert_int_equal(att[0].person, 10);
    assert_int_equal(att[0].joined_ms, T0);
    assert_true(att[0].left_ms > att[0].joined_ms);
    assert_int_equal(att[3].person, 10);
    assert_int_equal(att[3].left_ms, 0); /* still present */
    assert_true(leave(f, 3));
    snap = room_snapshot(f->r);
    assert_string_equal(json_object_to_json_string_ext(json_object_object_get(snap, "cities_present"), JSON_C_TO_STRING_PLAIN),
                        "[\"athens\"]");
    assert_string_equal(json_object_to_json_string_ext(json_object_object_get(snap, "cities_attended"), JSON_C_TO_STRING_PLAIN),
                        "[\"athens\",\"sofia\"]");
    json_object_put(snap);
}

static void test_present_city_ids(void **state)
{
    struct fx *f = *state;
    int64_t *ids;
    size_t n;

    assert_int_equal(room_present_city_ids(f->r, &ids, &n), 0);
    assert_int_equal(n, 0);
    assert_null(ids);
    join(f, 1, 10, "zagreb");
    join(f, 2, 11, "athens");
    join(f, 3, 12, "athens");  /* a second person of the same city */
    join(f, 4, 13, "");        /* the secretariat is no city */
    assert_int_equal(room_present_city_ids(f->r, &ids, &n), 0);
    assert_int_equal(n, 2);
    assert_true(ids[0] < ids[1]); /* ascending */
    free(ids);
    leave(f, 2);
    leave(f, 3);
    assert_int_equal(room_present_city_ids(f->r, &ids, &n), 0);
    assert_int_equal(n, 1);
    free(ids);
}

static void test_leave_all(void **state)
{
    struct fx *f = *state;
    struct json_object *ev, *close, *persons;

    join(f, 1, 10, "athens");
    join(f, 2, 10, "athens");
    join(f, 3, 11, "sofia");
    join(f, 4, 12, "tirana");
    leave(f, 4);
    raise_hand(f, 11, false);
    assert_int_equal(room_leave_all(f->r, "closed", f->now, &ev), 0);
    assert_int_equal(room_conn_count(f->r), 0);
    /* one event for everyone still present: 10 and 11 (12 had left) */
    assert_string_equal(kind_of(ev), "presence.clear");
    assert_string_equal(json_object_get_string(json_object_object_get(ev, "reason")), "closed");
    persons = json_object_object_get(ev, "persons");
    assert_int_equal(json_object_array_length(persons), 2);
    assert_int_equal(json_object_get_int64(json_object_array_get_idx(persons, 0)), 10);
    assert_int_equal(json_object_get_int64(json_object_array_get_idx(persons, 1)), 11);
    assert_true(room_is_present(f->r, 10)); /* not before it is recorded */
    /* stored together with the close: stamped with consecutive numbers before either is recorded */
    close = room_event_new("session.close", f->now);
    assert_int_equal(room_stamp(f->r, ev, 0), 6);
    assert_int_equal(room_stamp(f->r, close, 1), 7);
    assert_int_equal(room_record(f->r, ev, f->now), 0);
    assert_int_equal(room_record(f->r, close, f->now), 0);
    assert_false(room_is_present(f->r, 10));
    assert_false(room_is_present(f->r, 11));
    assert_queue(f->r, NULL, NULL, 0); /* who left no longer waits */
    assert_true(room_is_closed(f->r));
    /* nobody left: no event */
    assert_int_equal(room_leave_all(f->r, "stop", f->now, &ev), 0);
    assert_null(ev);
}

/* ---- agenda ---- */

static void test_agenda(void **state)
{
    struct fx *f = *state;
    struct json_object *ev;

    assert_int_equal(room_agenda_current(f->r), 0);
    assert_int_equal(room_agenda_move(f->r, 11, false, 1, f->now, &ev), ROOM_ERR_NOT_CHAIR);
    assert_null(ev);
    assert_int_equal(room_agenda_move(f->r, 1, true, 3, f->now, &ev), ROOM_ERR_BAD_ITEM);
    assert_int_equal(room_agenda_move(f->r, 1, true, -1, f->now, &ev), ROOM_ERR_BAD_ITEM);
    assert_int_equal(room_agenda_move(f->r, 1, true, 0, f->now, &ev), ROOM_OK);
    assert_null(ev); /* already there: nothing to record */
    assert_int_equal(room_agenda_move(f->r, 1, true, 2, f->now, &ev), ROOM_OK);
    assert_int_equal(room_agenda_current(f->r), 0); /* not before it is recorded */
    assert_int_equal(int_of(ev, "item"), 2);
    assert_int_equal(int_of(ev, "by"), 1);
    rec(f, ev);
    assert_int_equal(room_agenda_current(f->r), 2);
    assert_string_equal(room_status_code(ROOM_ERR_NOT_CHAIR), "not_chair");
}

static void test_no_agenda(void **state)
{
    struct room *r = room_create(8, NULL, 0);
    struct json_object *ev;

    (void)state;
    assert_non_null(r);
    assert_int_equal(room_agenda_current(r), -1);
    assert_int_equal(room_agenda_move(r, 1, true, 0, T0, &ev), ROOM_ERR_BAD_ITEM);
    room_destroy(r);
}

/* ---- the speaker queue and the floor ---- */

static void test_queue_points_of_order_first(void **state)
{
    struct fx *f = *state;
    struct json_object *ev;

    for (int64_t p = 10; p < 16; p++) {
        char city[8];
        snprintf(city, sizeof(city), "c%lld", (long long)p);
        join(f, (uint64_t)p, p, city);
    }
    raise_hand(f, 10, false);
    raise_hand(f, 11, false);
    raise_hand(f, 12, true);  /* a point of order goes before ordinary requests */
    raise_hand(f, 13, false);
    raise_hand(f, 14, true);  /* and after earlier points of order */
    assert_queue(f->r, (int64_t[]){12, 14, 10, 11, 13}, (bool[]){true, true, false, false, false}, 5);
    /* one entry per person, whatever the kind */
    assert_int_equal(room_hand_raise(f->r, 10, false, f->now, NULL, &ev), ROOM_ERR_HAND_RAISED);
    assert_int_equal(room_hand_raise(f->r, 10, true, f->now, NULL, &ev), ROOM_ERR_HAND_RAISED);
    assert_null(ev);
    /* someone not in the room cannot raise a hand */
    assert_int_equal(room_hand_raise(f->r, 99, false, f->now, NULL, &ev), ROOM_ERR_NOT_PRESENT);
    /* lowering: one's own, or the chair anyone's; not someone else's */
    assert_int_equal(room_hand_lower(f->r, 11, false, 13, f->now, NULL, &ev), ROOM_ERR_NOT_CHAIR);
    assert_int_equal(room_hand_lower(f->r, 15, false, 15, f->now, NULL, &ev), ROOM_ERR_HAND_NOT_RAISED);
    assert_int_equal(room_hand_lower(f->r, 11, false, 11, f->now, NULL, &ev), ROOM_OK);
    rec(f, ev);
    assert_int_equal(room_hand_lower(f->r, 1, true, 14, f->now, NULL, &ev), ROOM_OK);
    assert_int_equal(int_of(ev, "by"), 1);
    rec(f, ev);
    assert_queue(f->r, (int64_t[]){12, 10, 13}, (bool[]){true, false, false}, 3);
    /* raising again after lowering: back at the end of its kind */
    raise_hand(f, 11, false);
    assert_queue(f->r, (int64_t[]){12, 10, 13, 11}, (bool[]){true, false, false, false}, 4);
}

static void test_floor(void **state)
{
    struct fx *f = *state;
    struct json_object *ev;

    join(f, 1, 10, "athens");
    join(f, 2, 11, "sofia");
    join(f, 3, 12, "tirana");
    assert_int_equal(room_floor_give(f->r, 1, true, 0, f->now, &ev), ROOM_ERR_QUEUE_EMPTY);
    assert_int_equal(room_floor_end(f->r, 1, true, f->now, &ev), ROOM_ERR_NO_FLOOR);
    raise_hand(f, 11, false);
    raise_hand(f, 12, true);
    assert_int_equal(room_floor_give(f->r, 10, false, 0, f->now, &ev), ROOM_ERR_NOT_CHAIR);
    assert_int_equal(room_floor_give(f->r, 1, true, 99, f->now, &ev), ROOM_ERR_NOT_PRESENT);
    /* the next speaker: the point of order */
    assert_int_equal(room_floor_give(f->r, 1, true, 0, f->now, &ev), ROOM_OK);
    assert_int_equal(int_of(ev, "person"), 12);
    assert_true(json_object_get_boolean(json_object_object_get(ev, "point_of_order")));
    assert_int_equal(int_of(ev, "item"), 0);
    rec(f, ev);
    assert_int_equal(room_floor(f->r), 12);
    assert_queue(f->r, (int64_t[]){11}, (bool[]){false}, 1); /* the speaker left the queue */
    /* the speaker may end their own floor; another participant may not */
    assert_int_equal(room_floor_end(f->r, 11, false, f->now, &ev), ROOM_ERR_NOT_SPEAKER);
    assert_int_equal(room_floor_end(f->r, 12, false, f->now, &ev), ROOM_OK);
    rec(f, ev);
    assert_int_equal(room_floor(f->r), 0);
    /* the chair gives the floor to someone who did not ask */
    assert_int_equal(room_floor_give(f->r, 1, true, 10, f->now, &ev), ROOM_OK);
    assert_false(json_object_get_boolean(json_object_object_get(ev, "point_of_order")));
    rec(f, ev);
    assert_int_equal(room_floor(f->r), 10);
    /* giving the floor to another ends the previous speaker's */
    assert_int_equal(room_floor_give(f->r, 1, true, 11, f->now, &ev), ROOM_OK);
    rec(f, ev);
    assert_int_equal(room_floor(f->r), 11);
    assert_queue(f->r, NULL, NULL, 0);
    /* a speaker who leaves loses the floor */
    leave(f, 2);
    assert_int_equal(room_floor(f->r), 0);
    assert_int_equal(room_floor_give(f->r, 1, true, 11, f->now, &ev), ROOM_ERR_NOT_PRESENT);
}

static void test_hand_rate_limit(void **state)
{
    struct fx *f = *state;
    struct json_object *ev;
    int64_t retry = 0;

    join(f, 1, 10, "athens");
    for (int i = 0; i < ROOM_HAND_BURST / 2; i++) {
        raise_hand(f, 10, false);
        assert_int_equal(room_hand_lower(f->r, 10, false, 10, f->now, NULL, &ev), ROOM_OK);
        rec(f, ev);
    }
    assert_int_equal(room_hand_raise(f->r, 10, false, f->now, &retry, &ev), ROOM_ERR_RATE_LIMITED);
    assert_true(retry > 0 && retry <= ROOM_HAND_WINDOW_MS);
    f->now += retry;
    assert_int_equal(room_hand_raise(f->r, 10, false, f->now, &retry, &ev), ROOM_OK);
    json_object_put(ev);
}

/* ---- chat ---- */

static enum room_status chat(struct fx *f, int64_t person, const char *text, int64_t *retry)
{
    struct json_object *ev;
    enum room_status s = room_chat_send(f->r, person, text, strlen(text), f->now, retry, &ev);

    if (s == ROOM_OK) {
        assert_string_equal(json_object_get_string(json_object_object_get(ev, "text")), text);
        rec(f, ev);
    } else {
        assert_null(ev);
    }
    return s;
}

static void test_chat_bounds(void **state)
{
    struct fx *f = *state;
    char big[ROOM_CHAT_MAX + 2];
    struct json_object *ev;

    join(f, 1, 10, "athens");
    memset(big, 'a', sizeof(big));
    big[ROOM_CHAT_MAX] = '\0';
    assert_int_equal(chat(f, 10, big, NULL), ROOM_OK); /* exactly the bound */
    big[ROOM_CHAT_MAX] = 'a';
    big[ROOM_CHAT_MAX + 1] = '\0';
    assert_int_equal(chat(f, 10, big, NULL), ROOM_ERR_BAD_TEXT); /* one byte over */
    assert_int_equal(chat(f, 10, "", NULL), ROOM_ERR_BAD_TEXT);
    assert_int_equal(chat(f, 10, "   \n ", NULL), ROOM_ERR_BAD_TEXT); /* nothing visible */
    assert_int_equal(chat(f, 10, "tab\there", NULL), ROOM_ERR_BAD_TEXT);
    assert_int_equal(chat(f, 10, "cr\rhere", NULL), ROOM_ERR_BAD_TEXT);
    assert_int_equal(chat(f, 10, "esc\x1b[31m", NULL), ROOM_ERR_BAD_TEXT);
    assert_int_equal(chat(f, 10, "del\x7f", NULL), ROOM_ERR_BAD_TEXT);
    assert_int_equal(chat(f, 10, "bad \xc3\x28 utf-8", NULL), ROOM_ERR_BAD_TEXT);
    assert_int_equal(chat(f, 10, "override \xe2\x80\xae", NULL), ROOM_ERR_BAD_TEXT);
    /* a NUL inside the counted bytes */
    assert_int_equal(room_chat_send(f->r, 10, "a\0b", 3, f->now, NULL, &ev), ROOM_ERR_BAD_TEXT);
    assert_int_equal(chat(f, 10, "two\nlines", NULL), ROOM_OK);
    assert_int_equal(chat(f, 10, "Ζάγκρεμπ — Αθήνα ✓", NULL), ROOM_OK);
    /* markup is text, kept as sent */
    assert_int_equal(chat(f, 10, "<script>alert(1)</script>&amp;", NULL), ROOM_OK);
    /* only people in the room */
    assert_int_equal(chat(f, 11, "hello", NULL), ROOM_ERR_NOT_PRESENT);
    leave(f, 1);
    assert_int_equal(chat(f, 10, "hello", NULL), ROOM_ERR_NOT_PRESENT);
}

static void test_chat_rate_limit(void **state)
{
    struct fx *f = *state;
    int64_t retry = 0;
    struct json_object *ev;

    join(f, 1, 10, "athens");
    join(f, 2, 11, "sofia");
    for (int i = 0; i < ROOM_CHAT_BURST; i++) {
        assert_int_equal(room_chat_send(f->r, 10, "flood", 5, T0 + i, NULL, &ev), ROOM_OK);
        json_object_put(ev);
    }
    assert_int_equal(room_chat_send(f->r, 10, "flood", 5, T0 + 100, &retry, &ev), ROOM_ERR_RATE_LIMITED);
    assert_int_equal(retry, ROOM_CHAT_WINDOW_MS - 100);
    /* another person is not affected */
    assert_int_equal(room_chat_send(f->r, 11, "fine", 4, T0 + 100, NULL, &ev), ROOM_OK);
    json_object_put(ev);
    /* a refused message does not count: the window ends when it said */
    assert_int_equal(room_chat_send(f->r, 10, "flood", 5, T0 + ROOM_CHAT_WINDOW_MS - 1, &retry, &ev),
                     ROOM_ERR_RATE_LIMITED);
    assert_int_equal(retry, 1);
    assert_int_equal(room_chat_send(f->r, 10, "again", 5, T0 + ROOM_CHAT_WINDOW_MS, &retry, &ev), ROOM_OK);
    json_object_put(ev);
}

static void test_chat_history_and_hide(void **state)
{
    struct fx *f = *state;
    struct json_object *ev, *snap, *list, *m;
    uint64_t first = 0, last = 0, mid;
    char text[32];

    join(f, 1, 10, "athens");
    join(f, 2, 11, "sofia");
    for (int i = 0; i < ROOM_CHAT_HISTORY + 50; i++) {
        snprintf(text, sizeof(text), "message %d", i);
        assert_int_equal(room_chat_send(f->r, 10 + i % 2, text, strlen(text), f->now + i * ROOM_CHAT_WINDOW_MS, NULL, &ev),
                         ROOM_OK);
        last = rec(f, ev);
        if (!first)
            first = last;
    }
    snap = room_snapshot(f->r);
    list = json_object_object_get(snap, "chat");
    assert_int_equal(json_object_array_length(list), ROOM_CHAT_HISTORY); /* bounded */
    m = json_object_array_get_idx(list, 0);
    assert_string_equal(json_object_get_string(json_object_object_get(m, "text")), "message 50"); /* the oldest went */
    assert_int_equal(int_of(json_object_array_get_idx(list, ROOM_CHAT_HISTORY - 1), "id"), (int64_t)last);
    json_object_put(snap);
    /* hiding: the chair only, a message of the history only */
    mid = last - 10;
    assert_int_equal(room_chat_hide(f->r, 10, false, mid, f->now, &ev), ROOM_ERR_NOT_CHAIR);
    assert_int_equal(room_chat_hide(f->r, 1, true, first, f->now, &ev), ROOM_ERR_NO_MESSAGE); /* no longer held */
    assert_int_equal(room_chat_hide(f->r, 1, true, 0, f->now, &ev), ROOM_ERR_NO_MESSAGE);
    assert_int_equal(room_chat_hide(f->r, 1, true, 1, f->now, &ev), ROOM_ERR_NO_MESSAGE); /* a join, not a message */
    assert_int_equal(room_chat_hide(f->r, 1, true, mid, f->now, &ev), ROOM_OK);
    assert_int_equal(int_of(ev, "message"), (int64_t)mid);
    assert_int_equal(int_of(ev, "by"), 1);
    rec(f, ev);
    assert_int_equal(room_chat_hide(f->r, 1, true, mid, f->now, &ev), ROOM_OK);
    assert_null(ev); /* hidden already: nothing more to record */
    snap = room_snapshot(f->r);
    list = json_object_object_get(snap, "chat");
    m = json_object_array_get_idx(list, ROOM_CHAT_HISTORY - 11);
    assert_int_equal(int_of(m, "id"), (int64_t)mid);
    assert_null(json_object_object_get(m, "text")); /* the text is no longer shown */
    assert_int_equal(int_of(json_object_object_get(m, "hidden"), "by"), 1);
    assert_null(json_object_object_get(json_object_array_get_idx(list, 0), "hidden"));
    json_object_put(snap);
}

/* ---- the event log ---- */

static void test_seq_and_resume(void **state)
{
    struct fx *f = *state;
    struct json_object *evs;
    uint64_t s;

    assert_int_equal(room_resume(f->r, 0, &evs), ROOM_RESUME_EVENTS);
    assert_int_equal(json_object_array_length(evs), 0);
    json_object_put(evs);
    assert_int_equal(room_resume(f->r, 1, &evs), ROOM_RESUME_BAD_SEQ);
    assert_null(evs);
    join(f, 1, 10, "athens");
    join(f, 2, 11, "sofia");
    for (int i = 0; i < 5; i++)
        assert_int_equal(chat(f, 10 + i % 2, "hi", NULL), ROOM_OK);
    s = room_seq(f->r);
    assert_int_equal(s, 7);
    /* every after_seq from 0 to the last: exactly the events after it, in order */
    for (uint64_t after = 0; after <= s; after++) {
        assert_int_equal(room_resume(f->r, after, &evs), ROOM_RESUME_EVENTS);
        assert_int_equal(json_object_array_length(evs), s - after);
        for (size_t i = 0; i < json_object_array_length(evs); i++)
            assert_int_equal(int_of(json_object_array_get_idx(evs, i), "seq"), (int64_t)(after + 1 + i));
        json_object_put(evs);
    }
    /* a number beyond the last: stale or forged */
    assert_int_equal(room_resume(f->r, s + 1, &evs), ROOM_RESUME_BAD_SEQ);
    assert_int_equal(room_resume(f->r, UINT64_MAX, &evs), ROOM_RESUME_BAD_SEQ);
}

static void test_ring_wraps(void **state)
{
    struct fx *f = *state;
    struct json_object *evs, *ev;
    const uint64_t total = ROOM_RING + 500;

    join(f, 1, 10, "athens");
    while (room_seq(f->r) < total) {
        assert_int_equal(room_chat_send(f->r, 10, "x", 1, f->now + (int64_t)room_seq(f->r) * ROOM_CHAT_WINDOW_MS, NULL, &ev),
                         ROOM_OK);
        rec(f, ev);
    }
    /* the ring holds the last ROOM_RING events: from total - ROOM_RING + 1 */
    assert_int_equal(room_resume(f->r, total - ROOM_RING, &evs), ROOM_RESUME_EVENTS);
    assert_int_equal(json_object_array_length(evs), ROOM_RING);
    assert_int_equal(int_of(json_object_array_get_idx(evs, 0), "seq"), (int64_t)(total - ROOM_RING + 1));
    assert_int_equal(int_of(json_object_array_get_idx(evs, ROOM_RING - 1), "seq"), (int64_t)total);
    json_object_put(evs);
    assert_int_equal(room_resume(f->r, total - ROOM_RING - 1, &evs), ROOM_RESUME_SNAPSHOT);
    assert_null(evs);
    assert_int_equal(room_resume(f->r, 0, &evs), ROOM_RESUME_SNAPSHOT);
    assert_int_equal(room_resume(f->r, total, &evs), ROOM_RESUME_EVENTS);
    assert_int_equal(json_object_array_length(evs), 0);
    json_object_put(evs);
}

static void test_record_checks_seq(void **state)
{
    struct fx *f = *state;
    struct json_object *ev = room_event_new("session.start", f->now);

    /* not stamped (seq 0), then a gap, then a repeat: refused */
    assert_int_equal(room_record(f->r, json_object_get(ev), f->now), -1);
    json_object_object_add(ev, "seq", json_object_new_int64(2));
    assert_int_equal(room_record(f->r, json_object_get(ev), f->now), -1);
    json_object_object_add(ev, "seq", json_object_new_int64(1));
    assert_int_equal(room_record(f->r, json_object_get(ev), f->now), 0);
    assert_int_equal(room_record(f->r, ev, f->now), -1);
    assert_int_equal(room_seq(f->r), 1);
    /* malformed events */
    assert_int_equal(room_record(f->r, NULL, f->now), -1);
    assert_int_equal(room_record(f->r, json_object_new_array(), f->now), -1);
    ev = json_object_new_object();
    json_object_object_add(ev, "seq", json_object_new_int64(2));
    assert_int_equal(room_record(f->r, ev, f->now), -1); /* no kind */
    /* kinds of other events */
    assert_null(room_event_new("Bad Kind", f->now));
    assert_null(room_event_new("", f->now));
    assert_null(room_event_new("a.very.long.kind.name.that.is.too.long", f->now));
    ev = room_event_new("motion.open", f->now);
    assert_non_null(ev);
    assert_int_equal(int_of(ev, "seq"), 0); /* the first member, filled by room_stamp */
    json_object_put(ev);
}

static void test_closed(void **state)
{
    struct fx *f = *state;
    struct json_object *ev;
    struct room_who who = {20, 0, "", "Late"};

    join(f, 1, 10, "athens");
    rec(f, room_event_new("session.close", f->now));
    assert_true(room_is_closed(f->r));
    assert_int_equal(room_attach(f->r, 9, &who, f->now, &ev), ROOM_ERR_CLOSED);
    assert_int_equal(room_agenda_move(f->r, 1, true, 1, f->now, &ev), ROOM_ERR_CLOSED);
    assert_int_equal(room_hand_raise(f->r, 10, false, f->now, NULL, &ev), ROOM_ERR_CLOSED);
    assert_int_equal(room_chat_send(f->r, 10, "late", 4, f->now, NULL, &ev), ROOM_ERR_CLOSED);
    assert_int_equal(room_floor_give(f->r, 1, true, 10, f->now, &ev), ROOM_ERR_CLOSED);
    assert_string_equal(room_status_code(ROOM_ERR_CLOSED), "not_live");
}

static void test_full(void **state)
{
    struct fx *f = *state;
    struct json_object *ev;
    struct room_who who = {0, 0, "", "P"};

    for (uint64_t c = 1; c <= ROOM_MAX_CONNECTIONS; c++) {
        who.person = (int64_t)(c % 3) + 1; /* three people, many devices */
        assert_int_equal(room_attach(f->r, c, &who, f->now, &ev), ROOM_OK);
        if (ev)
            rec(f, ev);
    }
    who.person = 1;
    assert_int_equal(room_attach(f->r, ROOM_MAX_CONNECTIONS + 1, &who, f->now, &ev), ROOM_ERR_FULL);
    assert_int_equal(room_conn_count(f->r), ROOM_MAX_CONNECTIONS);
    assert_string_equal(room_status_code(ROOM_ERR_FULL), "room_full");
}

/* ---- replay ---- */

/* Replays f's stored events into a new room and returns its snapshot text (malloc'd). */
static char *replayed_snapshot(struct fx *f)
{
    struct room *r = room_create(7, AGENDA, 3);
    struct json_object *snap;
    char *text;

    for (size_t i = 0; i < json_object_array_length(f->log); i++) {
        struct json_object *ev = json_object_get(json_object_array_get_idx(f->log, i));
        assert_int_equal(room_record(r, ev, json_object_get_int64(json_object_array_get_idx(f->ats, i))), 0);
    }
    snap = room_snapshot(r);
    text = strdup(json_object_to_json_string_ext(snap, JSON_C_TO_STRING_PLAIN));
    json_object_put(snap);
    room_destroy(r);
    return text;
}

static char *snapshot_text(struct room *r)
{
    struct json_object *snap = room_snapshot(r);
    char *text = strdup(json_object_to_json_string_ext(snap, JSON_C_TO_STRING_PLAIN));

    json_object_put(snap);
    return text;
}

static void test_replay_rebuilds_the_same_room(void **state)
{
    struct fx *f = *state;
    struct json_object *ev;
    char *live, *again;

    join(f, 1, 10, "athens");
    join(f, 2, 11, "sofia");
    join(f, 3, 12, "");
    raise_hand(f, 11, false);
    raise_hand(f, 10, true);
    assert_int_equal(room_agenda_move(f->r, 12, true, 1, f->now, &ev), ROOM_OK);
    rec(f, ev);
    assert_int_equal(room_floor_give(f->r, 12, true, 0, f->now, &ev), ROOM_OK);
    rec(f, ev);
    assert_int_equal(chat(f, 11, "<b>hello</b>", NULL), ROOM_OK);
    assert_int_equal(chat(f, 10, "second", NULL), ROOM_OK);
    assert_int_equal(room_chat_hide(f->r, 12, true, room_seq(f->r), f->now, &ev), ROOM_OK);
    rec(f, ev);
    leave(f, 2);
    join(f, 4, 11, "sofia");
    rec(f, room_event_new("motion.open", f->now));
    /* everyone leaves, so that the connection counts agree */
    assert_int_equal(room_leave_all(f->r, "stop", f->now, &ev), 0);
    rec(f, ev);
    live = snapshot_text(f->r);
    again = replayed_snapshot(f);
    assert_string_equal(again, live);
    free(live);
    free(again);
}

/* ---- a long random run against invariants ---- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;
static uint64_t rnd(uint64_t n)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state % n;
}

static void check_invariants(struct room *r)
{
    int64_t q[64];
    bool poo[64];
    size_t n = room_queue(r, q, poo, 64);

    assert_true(n <= 8);
    for (size_t i = 0; i < n; i++) {
        assert_true(room_is_present(r, q[i]));     /* only present people wait */
        if (i)
            assert_true(poo[i - 1] || !poo[i]);    /* points of order first */
        for (size_t j = 0; j < i; j++)
            assert_true(q[j] != q[i]);             /* one entry per person */
    }
    if (room_floor(r))
        assert_true(room_is_present(r, room_floor(r)));
}

static void test_random_run(void **state)
{
    struct fx *f = *state;
    struct json_object *ev, *evs;
    bool attached[8][3] = {{false}};
    uint64_t seen = 0; /* a client that keeps up through resume */
    char *live, *again;

    for (int step = 0; step < 4000; step++) {
        int64_t person = (int64_t)rnd(8) + 1;
        int device = (int)rnd(3);
        uint64_t conn = (uint64_t)person * 10 + (uint64_t)device;
        enum room_status s = ROOM_OK;
        f->now += 250;
        ev = NULL;
        switch (rnd(9)) {
        case 0:
            if (!attached[person - 1][device]) {
                char city[8];
                snprintf(city, sizeof(city), "c%lld", (long long)(person % 4));
                join(f, conn, person, person == 8 ? "" : city);
                attached[person - 1][device] = true;
            }
            break;
        case 1:
            if (attached[person - 1][device]) {
                leave(f, conn);
                attached[person - 1][device] = false;
            }
            break;
        case 2:
            s = room_hand_raise(f->r, person, rnd(2), f->now, NULL, &ev);
            break;
        case 3:
            s = room_hand_lower(f->r, person, rnd(4) == 0, (int64_t)rnd(8) + 1, f->now, NULL, &ev);
            break;
        case 4:
            s = room_floor_give(f->r, 1, rnd(4) != 0, rnd(2) ? 0 : person, f->now, &ev);
            break;
        case 5:
            s = room_floor_end(f->r, person, rnd(4) == 0, f->now, &ev);
            break;
        case 6:
            s = room_agenda_move(f->r, 1, true, (int64_t)rnd(4), f->now, &ev);
            break;
        case 7:
            s = room_chat_send(f->r, person, "m", 1, f->now, NULL, &ev);
            break;
        default:
            s = room_chat_hide(f->r, 1, true, room_seq(f->r) - rnd(5), f->now, &ev);
            break;
        }
        if (s == ROOM_OK && ev)
            rec(f, ev);
        else
            assert_null(ev);
        check_invariants(f->r);
        if (rnd(7) == 0) { /* the client catches up: no gap, no duplicate */
            assert_int_equal(room_resume(f->r, seen, &evs), ROOM_RESUME_EVENTS);
            for (size_t i = 0; i < json_object_array_length(evs); i++)
                assert_int_equal(int_of(json_object_array_get_idx(evs, i), "seq"), (int64_t)(++seen));
            assert_int_equal(seen, room_seq(f->r));
            json_object_put(evs);
        }
    }
    assert_true(room_seq(f->r) > 1000);
    /* drop the connections so that the replayed room (which has none) matches */
    for (int64_t p = 1; p <= 8; p++)
        for (int d = 0; d < 3; d++)
            if (attached[p - 1][d])
                leave(f, (uint64_t)p * 10 + (uint64_t)d);
    live = snapshot_text(f->r);
    again = replayed_snapshot(f);
    assert_string_equal(again, live);
    free(live);
    free(again);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_presence_two_devices_count_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_present_city_ids, setup, teardown),
        cmocka_unit_test_setup_teardown(test_leave_all, setup, teardown),
        cmocka_unit_test_setup_teardown(test_agenda, setup, teardown),
        cmocka_unit_test(test_no_agenda),
        cmocka_unit_test_setup_teardown(test_queue_points_of_order_first, setup, teardown),
        cmocka_unit_test_setup_teardown(test_floor, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hand_rate_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_chat_bounds, setup, teardown),
        cmocka_unit_test_setup_teardown(test_chat_rate_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_chat_history_and_hide, setup, teardown),
        cmocka_unit_test_setup_teardown(test_seq_and_resume, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ring_wraps, setup, teardown),
        cmocka_unit_test_setup_teardown(test_record_checks_seq, setup, teardown),
        cmocka_unit_test_setup_teardown(test_closed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_full, setup, teardown),
        cmocka_unit_test_setup_teardown(test_replay_rebuilds_the_same_room, setup, teardown),
        cmocka_unit_test_setup_teardown(test_random_run, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
