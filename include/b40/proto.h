/*
 * proto: the wire envelope of docs/protocol.md, and nothing else. It turns
 * the bytes of one complete WebSocket text message into a checked request
 * (strict JSON, valid UTF-8, bounded depth, a readable id and a well-formed
 * type), checks a request's fields against what its message type allows,
 * and writes replies and events. It knows no message type and no socket.
 *
 * Pure functions over json-c objects; any thread.
 */
#ifndef B40_PROTO_H
#define B40_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct json_object;

#define PROTO_SUBPROTOCOL "b40.v1"
#define PROTO_MAX_MESSAGE 65536 /* bytes in one reassembled message */
#define PROTO_MAX_DEPTH 16      /* nesting of objects and arrays */
#define PROTO_MAX_ID_LEN 128    /* bytes in a string id */
#define PROTO_MAX_TYPE_LEN 64   /* bytes in a type */
#define PROTO_MAX_SAFE_INT 9007199254740991LL /* 2^53 - 1: exact in every JSON reader */

/* The stable error codes of docs/protocol.md. Keep both in step. */
enum proto_code {
    PROTO_OK = 0,
    PROTO_BAD_JSON,
    PROTO_BAD_FRAME,
    PROTO_BAD_REQUEST,
    PROTO_UNKNOWN_TYPE,
    PROTO_TOO_LARGE,
    PROTO_INTERNAL,
    PROTO_DOMAIN, /* a domain rule's own code, in proto_error.domain_code */
    PROTO_CODE_COUNT
};

/* The wire name of a code ("bad_json", ...). Never NULL. */
const char *proto_code_name(enum proto_code code);

/* Extra members an error may carry (already_voted: the recorded ballot's hash and its receipt with its proof). */
#define PROTO_DETAILS_MAX 8

struct proto_error {
    enum proto_code code;
    char domain_code[32]; /* with PROTO_DOMAIN: e.g. "not_signed_in" */
    char message[192]; /* for people */
    char field[64];    /* the field to blame, or "" */
    /* extra members of the error object, e.g. "ballot_hash"; values are JSON texts */
    struct {
        char key[24];
        char json[600];
    } detail[PROTO_DETAILS_MAX];
    int ndetail;
};

/* Adds a string member to err's error object (at most PROTO_DETAILS_MAX; longer values are refused). 0 or -1. */
int proto_error_detail(struct proto_error *err, const char *key, const char *value);
/* Adds any JSON member (taking value; its text at most 599 bytes). 0 or -1. */
int proto_error_detail_json(struct proto_error *err, const char *key, struct json_object *value);
/* Adds an integer member. 0 or -1. */
int proto_error_detail_int(struct proto_error *err, const char *key, int64_t value);

/* Fills err; `field` may be NULL. Returns -1 so callers can `return proto_fail(...)`. */
int proto_fail(struct proto_error *err, enum proto_code code, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

struct proto_request {
    struct json_object *root; /* owned: released by proto_request_release */
    struct json_object *id;   /* borrowed from root; NULL when it could not be read */
    const char *type;         /* borrowed from root; NULL when it could not be read */
};

/*
 * Parses one complete message. On success returns 0 and fills req; on
 * failure returns -1 and fills err, and req->id still holds the id when it
 * could be read (for the error reply). Either way the caller releases req
 * with proto_request_release().
 */
int proto_parse(const char *buf, size_t len, struct proto_request *req, struct proto_error *err)
    __attribute__((warn_unused_result));

void proto_request_release(struct proto_request *req);

/* What a field of a message type must be. */
enum proto_kind { PROTO_STRING, PROTO_INT, PROTO_BOOL, PROTO_OBJECT, PROTO_ARRAY };

struct proto_field {
    const char *name;
    enum proto_kind kind;
    bool required;
    int64_t min, max; /* STRING: byte length; INT: value; ARRAY: element count; else unused */
};

/*
 * Checks that req has exactly the fields a type allows besides "id" and
 * "type": each required one present, each of its kind and within bounds,
 * no other. Strings must be valid UTF-8 without NUL (json-c checked the
 * UTF-8). Returns 0, or -1 with err naming the field (PROTO_BAD_REQUEST).
 */
int proto_check_fields(const struct proto_request *req, const struct proto_field *fields, size_t nfields,
                       struct proto_error *err) __attribute__((warn_unused_result));

/*
 * Serialise a reply or event as compact JSON. Each returns a malloc'd,
 * NUL-terminated string (caller frees) and its length in *len, or NULL when
 * memory ran out. `id` is borrowed (NULL writes "id": null). `fields` is
 * consumed (its members are moved into the message; may be NULL).
 */
char *proto_reply_ok(struct json_object *id, struct json_object *fields, size_t *len);

/*
 * The same reply for a hot path that writes its members as JSON text itself
 * ("a":1,"b":"x" — valid by construction, e.g. with proto_json_string):
 * {"id":ID,"ok":true,MEMBERS}. NULL when memory ran out.
 */
char *proto_reply_ok_text(struct json_object *id, const char *members, size_t members_len, size_t *len);

/* Appends n bytes of s as a quoted, escaped JSON string at buf[*at] (NUL-terminated); -1 when it does not fit. */
int proto_json_string(char *buf, size_t cap, size_t *at, const char *s, size_t n);
char *proto_reply_error(struct json_object *id, const struct proto_error *err, size_t *len);
char *proto_event(const char *name, uint64_t seq, struct json_object *fields, size_t *len);

#endif
