/*
 * ws: the b40.v1 WebSocket protocol callback. It admits a connection only
 * on path /ws from an allowed Origin, reassembles fragmented messages up to
 * PROTO_MAX_MESSAGE bytes, hands each complete message to api, and sends
 * replies and events through the connection's bounded send queue. It never
 * touches SQL. Runs on the service thread.
 */
#ifndef B40_WS_H
#define B40_WS_H

#include <stdbool.h>
#include <stddef.h>

#include <libwebsockets.h>

#include "b40/api.h"
#include "b40/origin.h"

struct ws_pss;

#define WS_ID_BUCKETS 4096 /* hash buckets of connection ids */

/* State shared by every connection; owned by server, set as the protocol's user pointer. */
struct ws_shared {
    struct api_env *env;
    const struct origin_list *origins;
    size_t sendq_max_bytes;
    size_t sendq_max_count;
    int64_t alive_every_ms; /* how often a talking client's liveness is passed on to lws: half the ping interval */
    bool shutting_down;     /* refuse new connections; close open ones with 1001 */
    struct ws_pss *conns;   /* every established connection (doubly linked) */
    size_t conn_count;
    uint64_t next_conn_id;
    struct ws_pss *by_id[WS_ID_BUCKETS]; /* the same connections by id, for deferred replies */
    struct lws_context *context;    /* for scheduling the group-commit flush */
    lws_sorted_usec_list_t flush_sul;
    bool flush_pending;     /* a flush is scheduled: do not schedule another */
};

/* The protocol, to be copied into the vhost's protocol list with .user set to a struct ws_shared. */
extern const struct lws_protocols ws_protocol_template;

/*
 * The hub's fan-out (struct api_env.publish): an event to every connection
 * following the topic: an election's id (election.watch), or
 * API_ROOM_TOPIC(session) (the connections in that room).
 */
void ws_publish(void *shared, int64_t topic, const char *event, struct json_object *fields);

/* Group commit hooks (struct api_env.reply_later and .request_flush). */
void ws_reply_later(void *shared, uint64_t conn_id, char *msg, size_t len);
void ws_request_flush(void *shared);
/* Wakes the service loop from another thread (the signature worker's wake callback). */
void ws_wake(void *shared);

/* Asks every open connection to close with 1001 "server shutting down", after everyone has left the rooms. */
void ws_close_all(struct ws_shared *shared);

#endif
