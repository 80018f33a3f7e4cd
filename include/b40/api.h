/*
 * api: the table of message types (docs/protocol.md), the fields each one
 * allows, and the handler that serves it by calling the domain modules.
 * Socket-free: ws hands it the bytes of one complete message and sends what
 * it returns. Runs on the service thread.
 */
#ifndef B40_API_H
#define B40_API_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "b40/origin.h"

struct store;
struct serverkey;
struct ratelimit;
struct json_object;

/* What every handler may use; owned by the server, outlives all connections. */
struct api_conn;

struct api_env {
    struct store *store;
    const struct serverkey *key;
    int64_t started_ms; /* monotonic */
    struct ratelimit *limits; /* per-address limits on public actions; NULL: none */
    /*
     * Sends an event to every connection following a topic (the hub; set by
     * the server, NULL in unit tests). A topic is an election's id (the
     * connections that sent election.watch for it), or API_ROOM_TOPIC(session)
     * (the connections in that session's room). `fields` is borrowed.
     */
    void (*publish)(void *hub, int64_t topic, const char *event, struct json_object *fields);
    /*
     * Group commit: a handler may defer its reply until work queued in `batch`
     * is committed. request_flush asks the server to call api_flush() once the
     * messages already read in this turn of the service loop are handled;
     * reply_later delivers a deferred reply (taking ownership of msg) to the
     * connection with that id, if it is still open. NULL in unit tests: then
     * every reply is immediate.
     */
    void (*request_flush)(void *hub);
    void (*reply_later)(void *hub, uint64_t conn_id, char *msg, size_t len);
    /*
     * Calls fn for every open connection (NULL in unit tests). Used when a
     * change ends other connections' sessions (a key revoked): those that
     * only listen must stop hearing a room's events at once, not at their
     * next message.
     */
    void (*each_conn)(void *hub, void (*fn)(struct api_env *env, struct api_conn *conn));
    void *hub;
    size_t watchers;         /* connections that watch an election (so publishing can be skipped) */
    size_t room_conns;       /* connections in a room (likewise) */
    struct api_rooms *rooms; /* the live rooms (api_room.c); made on first use, freed by api_rooms_destroy */
    struct verifier *verifier; /* ballot signatures checked on a worker thread; NULL: inline */
    struct api_batch *batch; /* pending ballots; api_batch_create() */
};

struct api_batch;
struct api_rooms;

/* The publish topic of a session's room: negative, so that it never meets an election's id. */
#define API_ROOM_TOPIC(session) (-(int64_t)(session))

/* The pending-work queue for group commit. NULL on failure; destroy takes NULL. */
struct api_batch *api_batch_create(void);
void api_batch_destroy(struct api_batch *batch);

/*
 * Commits every pending ballot in one transaction and sends their receipts
 * (or errors) through reply_later, only after the commit. Call it when
 * request_flush asked, and before shutting down.
 */
void api_flush(struct api_env *env);

/*
 * Whether the pending ballots should be committed now (api_flush): at once
 * when no other ballot's signature is being checked, else when those have
 * joined — unless the batch is full (RECEIPT_BATCH_MAX) or its oldest ballot
 * has waited API_FLUSH_WAIT_MAX_MS. A busy vote thus commits (and syncs the
 * disk) once for many ballots; a lone ballot is committed without waiting.
 */
#define API_FLUSH_WAIT_MAX_MS 20
bool api_flush_due(struct api_env *env);
/* The rule itself: `pending` ballots wait, `verifying` signature checks are outstanding, the oldest waited so long. */
bool api_commit_due(size_t pending, size_t verifying, int64_t waited_ms);

/*
 * Takes the ballots whose signatures the worker has checked: refuses the
 * forged ones (their replies go out now) and adds the others to the batch.
 * Called on the service thread when the worker woke it.
 */
void api_collect_verified(struct api_env *env);

/* One WebSocket connection's state as the API sees it. */
struct api_conn {
    uint64_t id;                 /* unique for the server's life: deferred replies find the connection by it */
    uint64_t next_seq;           /* the seq of the next event on this connection; starts at 1 */
    char origin[ORIGIN_MAX_LEN]; /* the handshake's Origin, normalised: signed statements name it */
    char peer[64];               /* the client's address, for rate limits */
    uint8_t challenge[32];       /* the outstanding login/enroll challenge, single use */
    int64_t challenge_expires_ms;
    bool has_challenge;
    int64_t person_id; /* signed in as; 0 when not */
    int64_t key_id;    /* with the key person_keys.id */
    unsigned roles;    /* refreshed from the database on every message (election.cast: in its commit) */
    int64_t identity_epoch; /* the identity epoch at which key, person, roles and city were last read */
    bool epoch_known;       /* identity_epoch is set (after a successful check in one read) */
    int64_t city_id;   /* 0 for the secretariat */
    /* facts of the signed-in key and person that never change for a key id, kept from sign-in */
    uint8_t key_public[32];
    int64_t key_created_ms;
    char city_code[33]; /* "" for the secretariat */
    int64_t watch_election; /* election.watch: the election whose events this connection gets; 0 none */
    int64_t room_session;   /* room.join: the session whose room this connection is in; 0 none */
};

/* origin and peer are copied (NULL or too long: empty). */
void api_conn_init(struct api_conn *conn, const char *origin, const char *peer);

/*
 * Serves one complete text message of len bytes (at most PROTO_MAX_MESSAGE)
 * and returns the reply: a malloc'd string the caller frees, its length in
 * *reply_len. Returns NULL with *reply_len 0 when the reply is deferred (it
 * comes later through env->reply_later), and NULL with *reply_len 1 when
 * memory ran out.
 */
char *api_handle_text(struct api_env *env, struct api_conn *conn, const char *buf, size_t len,
                      size_t *reply_len);

/*
 * A connection has closed: it leaves its room (the others see a presence
 * event when it was the person's last device). Call before forgetting conn.
 */
void api_conn_closed(struct api_env *env, struct api_conn *conn);

/*
 * The server stops: everyone leaves every room (recorded in one
 * transaction per room, sent to the room before the close frames) and the
 * rooms are freed; no room opens again. A restarted server rebuilds them
 * from the database.
 */
void api_rooms_stop(struct api_env *env);

/* Frees what api_rooms_stop left (call once, at the very end). */
void api_rooms_destroy(struct api_env *env);

/* The reply to a message that is not text (bad_frame) or too large (too_large). */
char *api_reply_bad_frame(size_t *reply_len);
char *api_reply_too_large(size_t *reply_len);

/* The system.welcome event that opens every connection; consumes a seq. */
char *api_welcome(struct api_conn *conn, size_t *len);

#endif
