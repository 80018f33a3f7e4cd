/*
 * room: the live state of one working-group session's room, as plain C over
 * plain structs: who is connected (connections -> person, city), who is
 * present (a person on two devices counts once) and the attendance record
 * (each person's join and leave times; which cities attended), the agenda
 * and its current item, the speaker queue and the floor, the chat with a
 * bounded history, and the room's event log with its sequence numbers.
 * No socket, no database, no clock (every time is passed in). json-c is
 * used for the events only: each event is a JSON object, the same one that
 * is stored, sent to clients and replayed after a restart.
 *
 * Every change to the room is an event, made in two steps so that nothing
 * is shown before it is durable:
 *   1. an operation (room_agenda_move, room_hand_raise, ...) checks the rules
 *      against the current state and returns a new event (or an error); the
 *      state is not changed;
 *   2. the caller gives the event its number (room_stamp), stores it, and
 *      only after the commit hands it to room_record, which applies it to the
 *      state and keeps it in the ring of recent events.
 * Replaying the stored events through room_record rebuilds the same state:
 * the room is event-sourced. Connections are not events (they do not survive
 * a restart): room_attach and room_detach change them at once and say when
 * a person's first connection arrives or last one goes, which is when the
 * caller records a presence event.
 *
 * Delivery without loss: every event has the room's next sequence number
 * (1, 2, 3, ...). A client that joins gets a snapshot naming the sequence
 * number it reflects; a client that reconnects names the last number it saw
 * and gets exactly the events after it (room_resume), or is told to take a
 * snapshot when they are older than the ring holds.
 *
 * Not thread-safe: one service thread.
 */
#ifndef B40_ROOM_H
#define B40_ROOM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct json_object;

#define ROOM_RING 1024              /* recent events kept for resume */
#define ROOM_CHAT_HISTORY 200       /* chat messages kept for the snapshot */
#define ROOM_CHAT_MAX 1000          /* bytes in one chat message */
#define ROOM_AGENDA_MAX 50          /* agenda items */
#define ROOM_AGENDA_ITEM_MAX 200    /* bytes in one agenda item */
#define ROOM_MAX_CONNECTIONS 10000  /* connections in one room */
#define ROOM_MAX_PEOPLE 10000       /* different people who have been in one room */
#define ROOM_MAX_INTERVALS 200000   /* join-to-leave intervals in one room's attendance record */
#define ROOM_CHAT_BURST 10          /* chat messages per person ... */
#define ROOM_CHAT_WINDOW_MS 10000   /* ... per this window */
#define ROOM_HAND_BURST 20          /* raised or lowered hands per person ... */
#define ROOM_HAND_WINDOW_MS 60000   /* ... per this window */
#define ROOM_KIND_MAX 31            /* bytes in an event kind */

/* What an operation can answer besides success; room_status_code gives the wire code. */
enum room_status {
    ROOM_OK = 0,
    ROOM_ERR_NOT_CHAIR,      /* a chair's action by someone else */
    ROOM_ERR_NOT_PRESENT,    /* the person acting or named is not in the room */
    ROOM_ERR_HAND_RAISED,    /* one entry per person in the queue */
    ROOM_ERR_HAND_NOT_RAISED,
    ROOM_ERR_BAD_ITEM,       /* no such agenda item */
    ROOM_ERR_QUEUE_EMPTY,    /* the floor to "the next speaker" with nobody waiting */
    ROOM_ERR_NO_FLOOR,       /* nobody holds the floor */
    ROOM_ERR_NOT_SPEAKER,    /* ending someone else's floor without being the chair */
    ROOM_ERR_NO_MESSAGE,     /* not a chat message of the history */
    ROOM_ERR_BAD_TEXT,       /* chat text out of bounds or with control characters */
    ROOM_ERR_RATE_LIMITED,
    ROOM_ERR_FULL,           /* too many connections, people or attendance intervals */
    ROOM_ERR_CLOSED,         /* the session has closed */
    ROOM_ERR_NOMEM,
};

/* The wire error code of a status ("not_chair", ...). Never NULL. */
const char *room_status_code(enum room_status s);

struct room;

/*
 * A new, empty room for a session with its agenda (n titles, copied; at most
 * ROOM_AGENDA_MAX are kept). The current item is the first. NULL when memory
 * ran out. Free with room_destroy (NULL allowed).
 */
struct room *room_create(int64_t session_id, const char *const *agenda, size_t n);
void room_destroy(struct room *r);

int64_t room_session(const struct room *r);
/* The sequence number of the last recorded event (0 before the first). */
uint64_t room_seq(const struct room *r);
/* True once a session.close event is recorded. */
bool room_is_closed(const struct room *r);

/* Who a connection belongs to. Strings are copied. */
struct room_who {
    int64_t person;
    int64_t city_id;  /* 0: the secretariat */
    const char *city; /* the city's code; "" for the secretariat */
    const char *name;
};

/*
 * Attaches a connection (unique id) for a person. When it is the person's
 * first connection and the person is not present, *join is set to a
 * presence.join event to record (else NULL). Attaching a connection that is
 * attached already changes nothing. ROOM_ERR_FULL, ROOM_ERR_CLOSED or
 * ROOM_ERR_NOMEM otherwise (nothing changed).
 */
enum room_status room_attach(struct room *r, uint64_t conn, const struct room_who *who, int64_t now_ms,
                             struct json_object **join) __attribute__((warn_unused_result));

/*
 * Detaches a connection. When it was the person's last connection and the
 * person is present, *leave is set to a presence.leave event with `reason`
 * ("leave", "disconnect", ...) to record (else NULL). An unknown connection
 * changes nothing. Returns the person it belonged to, or 0.
 */
int64_t room_detach(struct room *r, uint64_t conn, const char *reason, int64_t now_ms, struct json_object **leave);

/* The person a connection belongs to, or 0 when it is not attached. */
int64_t room_conn_person(const struct room *r, uint64_t conn);
/* The city id a person was attached with (0: the secretariat, or unknown). */
int64_t room_person_city(const struct room *r, int64_t person);
/* Whether a person is present (joined and not left). */
bool room_is_present(const struct room *r, int64_t person);
/* Connections attached now. */
size_t room_conn_count(const struct room *r);

/*
 * The distinct cities (ids, ascending, the secretariat left out) of the
 * people present now: *ids malloc'd (NULL when *n is 0), the caller frees.
 * 0, or -1 when memory ran out.
 */
int room_present_city_ids(const struct room *r, int64_t **ids, size_t *n) __attribute__((warn_unused_result));

/*
 * Everyone leaves at once (the session closes, the server stops, or a
 * restart finds people the log still shows present): every connection is
 * detached and, when anyone is present, *event is set to one
 * presence.clear event {"persons": [ids], "reason"} to record (else NULL):
 * one event however many leave, so that a room of thousands does not send
 * each of them thousands of departures. 0, or -1 when memory ran out
 * (nothing changed).
 */
int room_leave_all(struct room *r, const char *reason, int64_t now_ms, struct json_object **event)
    __attribute__((warn_unused_result));

/*
 * The operations. Each checks the rules against the current state and, on
 * ROOM_OK, sets *ev to a new event to stamp, store and record (or to NULL
 * when there is nothing to do: the state is already what was asked). The
 * state itself does not change, except the rate-limit counters. `by` is the
 * acting person; `is_chair` whether they may act as the chair.
 */

/* The chair moves the agenda to item (0-based). */
enum room_status room_agenda_move(const struct room *r, int64_t by, bool is_chair, int64_t item, int64_t now_ms,
                                  struct json_object **ev) __attribute__((warn_unused_result));

/* A present person raises a hand, or asks for a point of order (which goes before ordinary requests). */
enum room_status room_hand_raise(struct room *r, int64_t person, bool point_of_order, int64_t now_ms,
                                 int64_t *retry_after_ms, struct json_object **ev) __attribute__((warn_unused_result));

/* A person lowers their own hand, or the chair lowers anyone's. */
enum room_status room_hand_lower(struct room *r, int64_t by, bool is_chair, int64_t person, int64_t now_ms,
                                 int64_t *retry_after_ms, struct json_object **ev) __attribute__((warn_unused_result));

/* The chair gives the floor to a present person, or (person 0) to the first in the queue. */
enum room_status room_floor_give(const struct room *r, int64_t by, bool is_chair, int64_t person, int64_t now_ms,
                                 struct json_object **ev) __attribute__((warn_unused_result));

/* The chair, or the speaker, ends the floor. */
enum room_status room_floor_end(const struct room *r, int64_t by, bool is_chair, int64_t now_ms,
                                struct json_object **ev) __attribute__((warn_unused_result));

/*
 * A present person sends a chat message: 1 to ROOM_CHAT_MAX bytes of valid
 * UTF-8 with a visible character and no control character but the line
 * feed (stored as sent; markup is text). At most ROOM_CHAT_BURST per
 * ROOM_CHAT_WINDOW_MS per person (ROOM_ERR_RATE_LIMITED, *retry_after_ms set).
 * The message's id is the event's sequence number.
 */
enum room_status room_chat_send(struct room *r, int64_t person, const char *text, size_t len, int64_t now_ms,
                                int64_t *retry_after_ms, struct json_object **ev) __attribute__((warn_unused_result));

/* The chair hides a chat message of the history (its id); hiding it again does nothing. */
enum room_status room_chat_hide(const struct room *r, int64_t by, bool is_chair, uint64_t message, int64_t now_ms,
                                struct json_object **ev) __attribute__((warn_unused_result));

/*
 * An event of another kind (motion.*, session.*): {"kind", "at"} for the
 * caller to add members to. NULL when memory ran out or kind is not 1 to
 * ROOM_KIND_MAX bytes of [a-z_.].
 */
struct json_object *room_event_new(const char *kind, int64_t now_ms);

/*
 * Gives ev its sequence number ("seq") without recording it: the room's next
 * one, after `pending` events stamped before it and not yet recorded (events
 * stored together in one transaction). Returns that number.
 */
uint64_t room_stamp(const struct room *r, struct json_object *ev, size_t pending);

/*
 * Records an event (taking the caller's reference): its "seq" must be the
 * room's next number; it is applied to the state and kept in the ring.
 * at_ms is the event's time. Used both live (after the event is stored) and
 * to replay stored events. 0, or -1 (the event is released) when its seq is
 * not the next one or it is malformed.
 */
int room_record(struct room *r, struct json_object *ev, int64_t at_ms) __attribute__((warn_unused_result));

/* What room_resume found. */
enum room_resume {
    ROOM_RESUME_EVENTS,   /* *events holds exactly the events after after_seq, in order (maybe none) */
    ROOM_RESUME_SNAPSHOT, /* after_seq is older than the ring holds: take a snapshot */
    ROOM_RESUME_BAD_SEQ,  /* after_seq is beyond the room's last event: stale or forged */
};

/*
 * The events after after_seq. With ROOM_RESUME_EVENTS, *events is a new
 * JSON array (the caller puts it; NULL when memory ran out).
 */
enum room_resume room_resume(const struct room *r, uint64_t after_seq, struct json_object **events);

/*
 * The room's state as one JSON object (the caller puts it): session, seq
 * (the last event it reflects), closed, agenda {items, current}, present
 * [{person, name, city, since, devices}], cities_present, cities_attended,
 * queue [{person, name, point_of_order}], floor ({person, name, since,
 * item} or null), chat [{id, person, name, city, text, at, hidden}] (a
 * hidden message's text is null and hidden is {by, at}). NULL when memory
 * ran out.
 */
struct json_object *room_snapshot(const struct room *r);

/* One person's attendance interval, for tests and minutes. */
struct room_interval {
    int64_t person;
    int64_t joined_ms, left_ms; /* left_ms 0: still present */
};

/* The attendance record, in the order the intervals began. Borrowed; valid until the next change. */
const struct room_interval *room_attendance(const struct room *r, size_t *n);

/* The speaker queue, in the order the floor will be given: persons, and which asked for a point of order. */
size_t room_queue(const struct room *r, int64_t *persons, bool *point_of_order, size_t max);

/* The person holding the floor, or 0. */
int64_t room_floor(const struct room *r);

/* The current agenda item (0-based), or -1 without an agenda. */
int64_t room_agenda_current(const struct room *r);

#endif
