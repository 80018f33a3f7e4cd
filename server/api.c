/*
 * api: dispatch and authorization. Every message type the server answers
 * is one row in an area's table (system.* here, the others in api_*.c): its
 * name, who may send it, the fields it allows (checked by proto before the
 * handler runs) and its handler. Authorization is checked on every message
 * against the database, not only at sign-in: a revoked key or a suspended
 * role stops working at once. A handler fills the reply's fields or
 * returns an error; it never sees malformed input. Service thread.
 */
#include "b40/api.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "api_internal.h"
#include "b40/identity.h"
#include "b40/log.h"
#include "b40/proto.h"
#include "b40/store.h"
#include "b40/store_identity.h"
#include "b40/timeutil.h"

/* system.ping: proves the connection and the service loop are alive; tells the server's time. */
static int handle_system_ping(struct api_env *env, struct api_conn *conn, const struct proto_request *req,
                              struct json_object *reply, struct proto_error *err)
{
    (void)env, (void)conn, (void)req, (void)err;
    api_add_time(reply, "time", timeutil_now_ms());
    return 0;
}

static const struct api_type api_system_types[] = {
    {"system.ping", API_PUBLIC, NULL, 0, handle_system_ping},
};

static const struct api_type *find_in(const struct api_type *t, size_t n, const char *type)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(t[i].type, type))
            return &t[i];
    return NULL;
}

static const struct api_type *find_type(const char *type)
{
    const struct api_type *t = find_in(api_system_types, sizeof(api_system_types) / sizeof(api_system_types[0]), type);

    if (!t)
        t = find_in(api_identity_types, api_identity_count, type);
    if (!t)
        t = find_in(api_registry_types, api_registry_count, type);
    if (!t)
        t = find_in(api_election_types, api_election_count, type);
    if (!t) t = find_in(api_summit_types, api_summit_count, type);
    if (!t) t = find_in(api_groups_types, api_groups_count, type);
    if (!t) t = find_in(api_room_types, api_room_count, type);
    return t;
}

void api_conn_init(struct api_conn *conn, const char *origin, const char *peer)
{
    memset(conn, 0, sizeof(*conn));
    conn->next_seq = 1;
    if (origin && strlen(origin) < sizeof(conn->origin))
        strcpy(conn->origin, origin);
    if (peer && strlen(peer) < sizeof(conn->peer))
        strcpy(conn->peer, peer);
}

/*
 * Re-reads the signed-in person and key from the database and checks the
 * access a type needs. Signs the connection out when the key was revoked or
 * the person deactivated since.
 */
static int authorize(struct api_env *env, struct api_conn *conn, enum api_access access, struct proto_error *err)
{
    struct identity_session s;
    int rc;

    if (access == API_PUBLIC)
        return 0;
    if (!conn->person_id)
        return api_fail(err, "not_signed_in", NULL, "sign in first");
    if (access == API_VOTER)
        return 0;
    rc = store_session_check(env->store, conn->person_id, conn->key_id, &s);
    if (rc < 0)
        return api_internal_error(err, "reading the session");
    if (rc > 0 || !s.key_active || !s.person_active) {
        api_room_signed_out(env, conn);
        conn->person_id = conn->key_id = 0;
        conn->roles = 0;
        conn->epoch_known = false;
        return api_fail(err, rc == 0 && !s.key_active ? "key_revoked" : "not_signed_in", NULL,
                        rc == 0 && !s.key_active ? "this key has been revoked; enroll this device again"
                                                 : "the session has ended; sign in again");
    }
    conn->roles = s.roles;
    conn->city_id = s.city_id;
    conn->identity_epoch = s.epoch;
    conn->epoch_known = true;
    if (access == API_SECRETARIAT && !(s.roles & ROLES_SECRETARIAT))
        return api_fail(err, "forbidden", NULL, "only the secretariat may do this");
    return 0;
}

void api_conn_recheck(struct api_env *env, struct api_conn *conn)
{
    struct identity_session s;
    int rc;

    if (!conn->person_id || !conn->room_session)
        return;
    rc = store_session_check(env->store, conn->person_id, conn->key_id, &s);
    if (rc > 0 || (rc == 0 && (!s.key_active || !s.person_active)))
        api_room_signed_out(env, conn);
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
    if (authorize(env, conn, t->access, &err) != 0)
        goto fail;
    fields = json_object_new_object();
    if (!fields) {
        proto_fail(&err, PROTO_INTERNAL, NULL, "out of memory");
        goto fail;
    }
    switch (t->handle(env, conn, &req, fields, &err)) {
    case 0:
        break;
    case API_DEFERRED: /* the handler keeps what it needs (the id) and replies after the commit */
        json_object_put(fields);
        proto_request_release(&req);
        *reply_len = 0;
        return NULL;
    default:
        json_object_put(fields);
        goto fail;
    }
    out = proto_reply_ok(req.id, fields, reply_len);
    if (!out)
        *reply_len = 1;
    proto_request_release(&req);
    return out;
fail:
    out = proto_reply_error(req.id, &err, reply_len);
    if (!out)
        *reply_len = 1;
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

/* ---- helpers for the area files ---- */

struct json_object *api_get(const struct proto_request *req, const char *name)
{
    struct json_object *v;

    return json_object_object_get_ex(req->root, name, &v) ? v : NULL;
}

const char *api_str(const struct proto_request *req, const char *name)
{
    struct json_object *v = api_get(req, name);

    return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

int64_t api_int(const struct proto_request *req, const char *name, int64_t absent)
{
    struct json_object *v = api_get(req, name);

    return v && json_object_is_type(v, json_type_int) ? json_object_get_int64(v) : absent;
}

bool api_bool(const struct proto_request *req, const char *name, bool absent)
{
    struct json_object *v = api_get(req, name);

    return v && json_object_is_type(v, json_type_boolean) ? json_object_get_boolean(v) : absent;
}

int api_internal_error(struct proto_error *err, const char *what)
{
    log_error("api: %s failed", what);
    return proto_fail(err, PROTO_INTERNAL, NULL, "the server failed while %s; nothing was changed", what);
}

int api_fail(struct proto_error *err, const char *code, const char *field, const char *fmt, ...)
{
    va_list ap;

    err->code = PROTO_DOMAIN;
    err->ndetail = 0;
    snprintf(err->domain_code, sizeof(err->domain_code), "%s", code);
    snprintf(err->field, sizeof(err->field), "%s", field ? field : "");
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof(err->message), fmt, ap);
    va_end(ap);
    return -1;
}

void api_add_hex(struct json_object *obj, const char *key, const uint8_t *bytes, size_t len)
{
    char hex[2 * API_HEX_MAX + 1];

    if (len > API_HEX_MAX)
        return;
    identity_hex_encode(bytes, len, hex);
    json_object_object_add(obj, key, json_object_new_string_len(hex, (int)(2 * len)));
}

void api_add_time(struct json_object *obj, const char *key, int64_t ms)
{
    char text[TIMEUTIL_RFC3339_LEN];

    if (timeutil_rfc3339(ms, text) == 0)
        json_object_object_add(obj, key, json_object_new_string(text));
    else
        json_object_object_add(obj, key, NULL);
}
