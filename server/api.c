/*
 * api: the message table. Every message type the server answers is one row
 * here: its name, the fields it allows (checked by proto before the handler
 * runs) and its handler. A handler fills the reply's fields or returns a
 * proto_error; it never sees malformed input. Service thread.
 */
#include "b40/api.h"

#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "b40/log.h"
#include "b40/proto.h"
#include "b40/timeutil.h"

typedef int (*api_handler)(struct api_env *env, struct api_conn *conn, const struct proto_request *req,
                           struct json_object *reply, struct proto_error *err);

struct api_type {
    const char *type;
    const struct proto_field *fields;
    size_t nfields;
    api_handler handle;
};

/* system.ping: proves the connection and the service loop are alive; tells the server's time. */
static int handle_system_ping(struct api_env *env, struct api_conn *conn, const struct proto_request *req,
                              struct json_object *reply, struct proto_error *err)
{
    char now[TIMEUTIL_RFC3339_LEN];

    (void)env, (void)conn, (void)req;
    if (timeutil_rfc3339(timeutil_now_ms(), now) != 0)
        return proto_fail(err, PROTO_INTERNAL, NULL, "the server clock is out of range");
    json_object_object_add(reply, "time", json_object_new_string(now));
    return 0;
}

static const struct api_type api_types[] = {
    {"system.ping", NULL, 0, handle_system_ping},
};

static const struct api_type *find_type(const char *type)
{
    for (size_t i = 0; i < sizeof(api_types) / sizeof(api_types[0]); i++)
        if (!strcmp(api_types[i].type, type))
            return &api_types[i];
    return NULL;
}

void api_conn_init(struct api_conn *conn)
{
    memset(conn, 0, sizeof(*conn));
    conn->next_seq = 1;
}

char *api_handle_text(struct api_env *env, struct api_conn *conn, const char *buf, size_t len, size_t *reply_len)
{
    struct proto_request req;
    struct proto_error err;
    struct json_object *fields = NULL;
    const struct api_type *t;
    char *out;

    if (proto_parse(buf, len, &req, &err) != 0)
        goto fail;
    t = find_type(req.type);
    if (!t) {
        proto_fail(&err, PROTO_UNKNOWN_TYPE, "type", "no message type '%s'", req.type);
        goto fail;
    }
    if (proto_check_fields(&req, t->fields, t->nfields, &err) != 0)
        goto fail;
    fields = json_object_new_object();
    if (!fields) {
        proto_fail(&err, PROTO_INTERNAL, NULL, "out of memory");
        goto fail;
    }
    if (t->handle(env, conn, &req, fields, &err) != 0) {
        json_object_put(fields);
        goto fail;
    }
    out = proto_reply_ok(req.id, fields, reply_len);
    proto_request_release(&req);
    return out;
fail:
    if (err.code == PROTO_INTERNAL)
        log_error("api: %s failed: %s", req.type ? req.type : "request", err.message);
    out = proto_reply_error(req.id, &err, reply_len);
    proto_request_release(&req);
    return out;
}

char *api_reply_bad_frame(size_t *reply_len)
{
    struct proto_error err;

    proto_fail(&err, PROTO_BAD_FRAME, NULL, "binary messages are not accepted; send JSON text");
    return proto_reply_error(NULL, &err, reply_len);
}

char *api_reply_too_large(size_t *reply_len)
{
    struct proto_error err;

    proto_fail(&err, PROTO_TOO_LARGE, NULL, "message larger than %d bytes; closing", PROTO_MAX_MESSAGE);
    return proto_reply_error(NULL, &err, reply_len);
}

char *api_welcome(struct api_conn *conn, size_t *len)
{
    struct json_object *f = json_object_new_object();

    if (!f)
        return NULL;
    json_object_object_add(f, "server", json_object_new_string("b40"));
    json_object_object_add(f, "version", json_object_new_string(B40_VERSION));
    json_object_object_add(f, "protocol", json_object_new_string(PROTO_SUBPROTOCOL));
    json_object_object_add(f, "max_message_bytes", json_object_new_int(PROTO_MAX_MESSAGE));
    return proto_event("system.welcome", conn->next_seq++, f, len);
}
