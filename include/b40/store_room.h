/*
 * store_room: the live session room's part of the store (schema version 5):
 * the room's event log, each person's attendance intervals, motions with
 * their signed polls, motion ballots with their hash chain, and the signed
 * minutes of closed sessions. Primitive reads and writes: api_room.c groups
 * the writes of one step in one transaction (store_begin/store_commit),
 * with a history entry where the step needs one. Statements prepared once;
 * service thread only.
 *
 * Lookups return 0 (found), 1 (none) or -1; adds return 0, STORE_ROOM_CONFLICT
 * for a uniqueness violation (nothing written), or -1. -1 is always logged.
 */
#ifndef B40_STORE_ROOM_H
#define B40_STORE_ROOM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store;

#define STORE_ROOM_CONFLICT (-3)
#define STORE_ROOM_MAX_ROWS 1000000 /* the longest list read at once */

/* ---- the event log ---- */

/* Appends event `seq` of a session's room (in the caller's transaction). 0, STORE_ROOM_CONFLICT (seq taken), -1. */
int store_room_event_add(struct store *st, int64_t session_id, uint64_t seq, const char *kind, const char *data,
                         int64_t at_ms) __attribute__((warn_unused_result));

/* One stored event; data is borrowed for the duration of the callback. */
struct store_room_event {
    uint64_t seq;
    const char *kind;
    const char *data;
    int64_t at_ms;
};

/*
 * Calls fn for every event of the session's room in seq order; stops early
 * (returning fn's value) when fn returns non-zero. 0, fn's value, or -1.
 */
int store_room_events_each(struct store *st, int64_t session_id, int (*fn)(void *ctx, const struct store_room_event *e),
                           void *ctx) __attribute__((warn_unused_result));

/* ---- attendance ---- */

/* Opens a person's interval at at_ms (caller's transaction). 0, STORE_ROOM_CONFLICT (one is open), -1. */
int store_room_attendance_open(struct store *st, int64_t session_id, int64_t person_id, int64_t city_id, int64_t at_ms)
    __attribute__((warn_unused_result));

/* Closes a person's open interval (caller's transaction). 0 closed, 1 none was open, -1. */
int store_room_attendance_close(struct store *st, int64_t session_id, int64_t person_id, int64_t at_ms, const char *how)
    __attribute__((warn_unused_result));

struct store_attendance_row {
    int64_t person_id;
    char name[101];
    int64_t city_id;  /* 0: the secretariat */
    char city[33];    /* "" for the secretariat */
    int64_t joined_ms, left_ms; /* left_ms 0: still open */
    char how[12];     /* how it ended; "" while open */
};

/* The session's intervals: by city code (the secretariat first), then name, person and join time. Caller frees *out. */
int store_room_attendance_list(struct store *st, int64_t session_id, struct store_attendance_row **out, size_t *n)
    __attribute__((warn_unused_result));

/* ---- motions ---- */

/* A motion as stored; text members are malloc'd (store_motion_free). */
struct store_motion {
    int64_t id, session_id, group_id;
    char *text;
    char state[8]; /* "open" | "closed" */
    char *poll;
    uint8_t poll_signature[64], fingerprint[32];
    char *eligible_keys;
    int64_t opened_by, opened_ms, closed_by, closed_ms; /* 0: not yet */
    char *result;     /* JSON; NULL while open */
    char *chain_head; /* NULL while open */
    uint8_t chain_head_signature[64];
    int64_t recommendation_id; /* 0: none */
};

void store_motion_free(struct store_motion *m);

/*
 * Adds an open motion (caller's transaction) whose poll is set afterwards
 * with store_motion_set_poll in the same transaction (the poll names the
 * motion's id). 0 with *id, STORE_ROOM_CONFLICT (the session has an open
 * motion), -1.
 */
int store_motion_add(struct store *st, int64_t session_id, int64_t group_id, const char *text, int64_t opened_by,
                     int64_t opened_ms, int64_t *id) __attribute__((warn_unused_result));
int store_motion_set_poll(struct store *st, int64_t id, const char *poll, const uint8_t sig[64],
                          const uint8_t fingerprint[32], const char *eligible_keys) __attribute__((warn_unused_result));

int store_motion_get(struct store *st, int64_t id, struct store_motion *out) __attribute__((warn_unused_result));

/* The session's open motion: 0 (*id), 1 none, -1. */
int store_motion_open_of_session(struct store *st, int64_t session_id, int64_t *id) __attribute__((warn_unused_result));

/* The ids of the session's motions, oldest first. Caller frees *ids (NULL when *n is 0). 0 or -1. */
int store_motion_ids(struct store *st, int64_t session_id, int64_t **ids, size_t *n) __attribute__((warn_unused_result));

/* Closes an open motion (caller's transaction). 0 closed, 1 it was not open, -1. */
int store_motion_close(struct store *st, int64_t id, int64_t closed_by, int64_t closed_ms, const char *result,
                       const char *chain_head, const uint8_t head_sig[64], int64_t recommendation_id)
    __attribute__((warn_unused_result));

/* ---- motion ballots ---- */

/* The motion's last ballot: *seq (0 when none) and its chain value (untouched when none). 0 or -1. */
int store_motion_ballot_last(struct store *st, int64_t motion_id, int64_t *seq, uint8_t chain[32])
    __attribute__((warn_unused_result));

/* The hash of the ballot a city recorded on a motion: 0 found, 1 none, -1. */
int store_motion_ballot_of_city(struct store *st, int64_t motion_id, int64_t city_id, uint8_t hash[32])
    __attribute__((warn_unused_result));

/* Records a ballot (caller's transaction). 0, STORE_ROOM_CONFLICT (the city has voted, or the seq is taken), -1. */
int store_motion_ballot_add(struct store *st, int64_t motion_id, int64_t city_id, int64_t seq, const char *text,
                            size_t text_len, const uint8_t sig[64], int64_t key_id, const char *choice,
                            const uint8_t hash[32], const uint8_t chain[32], int64_t recorded_ms, const char *receipt,
                            const uint8_t receipt_sig[64]) __attribute__((warn_unused_result));

struct store_motion_ballot {
    int64_t seq, city_id;
    char city[33];
    char choice[8];
    uint8_t hash[32];
};

/* The motion's ballots in seq order. Caller frees *out (NULL when *n is 0). 0 or -1. */
int store_motion_ballots(struct store *st, int64_t motion_id, struct store_motion_ballot **out, size_t *n)
    __attribute__((warn_unused_result));

/* The stored receipt of the motion ballot with this hash: 0 found, 1 none, -1. */
int store_motion_ballot_receipt(struct store *st, const uint8_t hash[32], int64_t *seq, char *receipt, size_t receipt_len,
                                uint8_t sig[64]) __attribute__((warn_unused_result));

/* ---- minutes ---- */

struct store_minutes {
    char *markdown, *html, *header; /* malloc'd (store_minutes_free) */
    uint8_t signature[64];
    int64_t created_ms;
};

void store_minutes_free(struct store_minutes *m);

/* Stores a session's signed minutes (caller's transaction). 0, STORE_ROOM_CONFLICT (it has them already), -1. */
int store_minutes_add(struct store *st, int64_t session_id, const char *markdown, const char *html, const char *header,
                      const uint8_t sig[64], int64_t created_ms) __attribute__((warn_unused_result));

int store_minutes_get(struct store *st, int64_t session_id, struct store_minutes *out) __attribute__((warn_unused_result));

#endif
