/*
 * api_internal: what the api's files share. The message table is split by
 * area: api.c (system.*, dispatch, authorization), api_identity.c (auth.*,
 * enroll.*, person.*, enrollment.*, key.*) and api_registry.c (members.*,
 * membership.*, city.*, request.*, history.*). Each area exports one table.
 */
#ifndef B40_API_INTERNAL_H
#define B40_API_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "b40/api.h"
#include "b40/proto.h"

/* Who may send a message type. Checked on every message, against the database, before the handler runs. */
enum api_access {
    API_PUBLIC,      /* anyone, signed in or not */
    API_SIGNED_IN,   /* a person with an active key and an active record */
    API_SECRETARIAT, /* a signed-in secretary or expert */
    /* signed in, as of sign-in: no read before the handler, whose commit re-reads the key, the person, the
     * roles and the city in the transaction that records (election.cast: one read less per ballot) */
    API_VOTER,
};

/* A handler's return: 0 reply now with the fields filled, -1 reply with err, API_DEFERRED reply later. */
#define API_DEFERRED 1

typedef int (*api_handler)(struct api_env *env, struct api_conn *conn, const struct proto_request *req,
                           struct json_object *reply, struct proto_error *err);

struct api_type {
    const char *type;
    enum api_access access;
    const struct proto_field *fields;
    size_t nfields;
    api_handler handle;
};

extern const struct api_type api_identity_types[];
extern const size_t api_identity_count;
extern const struct api_type api_registry_types[];
extern const size_t api_registry_count;
extern const struct api_type api_summit_types[];
extern const size_t api_summit_count;
extern const struct api_type api_election_types[];
extern const size_t api_election_count;
extern const struct api_type api_groups_types[];
extern const size_t api_groups_count;
extern const struct api_type api_room_types[];
extern const size_t api_room_count;

/* Field readers for a request whose fields proto_check_fields has checked. */
const char *api_str(const struct proto_request *req, const char *name); /* NULL when absent */
int64_t api_int(const struct proto_request *req, const char *name, int64_t absent);
bool api_bool(const struct proto_request *req, const char *name, bool absent);
struct json_object *api_get(const struct proto_request *req, const char *name); /* borrowed; NULL when absent */

/*
 * The connection's identity ended or changed (auth.logout, a sign-in as
 * someone else, a key revoked or a person deactivated since): it leaves the
 * room it was in (room.join was checked for the person who joined), so that
 * no room event reaches it any more. Nothing when it is in no room.
 */
void api_room_signed_out(struct api_env *env, struct api_conn *conn);
/*
 * Re-reads conn's session (its key and person) and, when it has ended, takes
 * the connection out of its room. The connection stays marked signed in, so
 * that its next message is refused by authorize() with the precise reason.
 */
void api_conn_recheck(struct api_env *env, struct api_conn *conn);

/* Fills err with PROTO_INTERNAL, logs what failed (never a secret). Returns -1. */
int api_internal_error(struct proto_error *err, const char *what);

/* Adds "time" members: RFC 3339 text of ms since the epoch. */
void api_add_time(struct json_object *obj, const char *key, int64_t ms);
/* Adds len bytes (at most API_HEX_MAX: a signature) as lower-case hex under key. */
#define API_HEX_MAX 64
void api_add_hex(struct json_object *obj, const char *key, const uint8_t *bytes, size_t len);
/* The session object of docs/protocol.md ("Working groups"), as group.get, session.get and room.* write it; NULL when memory ran out. */
struct group_session;
struct json_object *api_session_json(struct api_env *env, const struct group_session *s);

/* The error codes beyond proto's, as strings (docs/protocol.md lists them all). */
int api_fail(struct proto_error *err, const char *code, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
