/*
 * proto: the envelope of docs/protocol.md. Strict parsing of one complete
 * message, field checks against a message type's spec, and serialisation
 * of replies and events. Knows no message type and no socket; any thread.
 */
#include "b40/proto.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

static const char *const code_names[PROTO_CODE_COUNT] = {
    [PROTO_OK] = "ok",
    [PROTO_BAD_JSON] = "bad_json",
    [PROTO_BAD_FRAME] = "bad_frame",
    [PROTO_BAD_REQUEST] = "bad_request",
    [PROTO_UNKNOWN_TYPE] = "unknown_type",
    [PROTO_TOO_LARGE] = "too_large",
    [PROTO_INTERNAL] = "internal",
    [PROTO_DOMAIN] = "internal", /* the real code is in proto_error.domain_code */
};

const char *proto_code_name(enum proto_code code)
{
    if ((unsigned)code >= PROTO_CODE_COUNT)
        return "internal";
    return code_names[code];
}

int proto_fail(struct proto_error *err, enum proto_code code, const char *field, const char *fmt, ...)
{
    va_list ap;

    err->code = code;
    err->domain_code[0] = '\0';
    err->ndetail = 0;
    snprintf(err->field, sizeof(err->field), "%s", field ? field : "");
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof(err->message), fmt, ap);
    va_end(ap);
    return -1;
}

static bool is_json_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* A json-c string without an embedded NUL (which "\u0000" can smuggle in). */
static bool string_is_clean(struct json_object *s)
{
    return strlen(json_object_get_string(s)) == (size_t)json_object_get_string_len(s);
}

/* "area.verb": [a-z][a-z0-9_]* groups joined by single dots, at least two groups. */
static bool type_is_well_formed(const char *t, size_t len)
{
    size_t groups = 0;
    bool at_start = true;

    if (len == 0 || len > PROTO_MAX_TYPE_LEN)
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = t[i];
        if (at_start) {
            if (c < 'a' || c > 'z')
                return false;
            at_start = false;
            groups++;
        } else if (c == '.') {
            at_start = true;
        } else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) {
            return false;
        }
    }
    return !at_start && groups >= 2;
}

/*
 * Strict UTF-8 (RFC 3629): no overlong forms, no UTF-16 surrogates, nothing
 * above U+10FFFF. json-c's own check lets overlong forms through.
 */
static bool utf8_is_valid(const unsigned char *s, size_t len)
{
    size_t i = 0;

    while (i < len) {
        unsigned char c = s[i];
        size_t n;
        uint32_t cp;

        if (c < 0x80) {
            i++;
            continue;
        } else if (c >= 0xc2 && c <= 0xdf) {
            n = 1, cp = c & 0x1f;
        } else if (c >= 0xe0 && c <= 0xef) {
            n = 2, cp = c & 0x0f;
        } else if (c >= 0xf0 && c <= 0xf4) {
            n = 3, cp = c & 0x07;
        } else {
            return false; /* continuation byte, 0xc0/0xc1 overlong lead, or 0xf5.. */
        }
        if (len - i <= n)
            return false;
        for (size_t k = 1; k <= n; k++) {
            if ((s[i + k] & 0xc0) != 0x80)
                return false;
            cp = (cp << 6) | (s[i + k] & 0x3f);
        }
        if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10ffff)) || (cp >= 0xd800 && cp <= 0xdfff))
            return false;
        i += n + 1;
    }
    return true;
}

/*
 * json-c's strict mode still takes raw control characters inside strings;
 * RFC 8259 wants them escaped. Finds one, tracking strings and escapes.
 */
static bool has_raw_control_in_string(const char *buf, size_t len)
{
    bool in_string = false;

    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)buf[i];
        if (!in_string) {
            in_string = c == '"';
        } else if (c == '\\') {
            i++; /* the escaped character is json-c's to judge */
        } else if (c == '"') {
            in_string = false;
        } else if (c < 0x20) {
            return true;
        }
    }
    return false;
}

/*
 * What json-c lets through that we do not: NaN and Infinity (not JSON
 * numbers, even in its strict mode), and an empty array or object one level
 * below its depth limit (it counts depth only when it enters a value).
 * `level` is the nesting level of o when o is a container (the top is 1).
 */
static const char *tree_problem(struct json_object *o, int level)
{
    const char *p = NULL;

    switch (json_object_get_type(o)) {
    case json_type_double:
        return isfinite(json_object_get_double(o)) ? NULL : "NaN and Infinity are not JSON numbers";
    case json_type_object:
        if (level > PROTO_MAX_DEPTH)
            return "JSON nests too deep";
        json_object_object_foreach(o, key, val) {
            (void)key;
            if ((p = tree_problem(val, level + 1)))
                return p;
        }
        return NULL;
    case json_type_array:
        if (level > PROTO_MAX_DEPTH)
            return "JSON nests too deep";
        for (size_t i = 0; i < json_object_array_length(o); i++)
            if ((p = tree_problem(json_object_array_get_idx(o, i), level + 1)))
                return p;
        return NULL;
    default:
        return NULL;
    }
}

static int check_id(struct json_object *id, struct proto_error *err)
{
    switch (json_object_get_type(id)) {
    case json_type_string: {
        int n = json_object_get_string_len(id);
        if (n < 1 || n > PROTO_MAX_ID_LEN)
            return proto_fail(err, PROTO_BAD_REQUEST, "id", "field 'id' must be 1 to %d bytes long",
                              PROTO_MAX_ID_LEN);
        if (!string_is_clean(id))
            return proto_fail(err, PROTO_BAD_REQUEST, "id", "field 'id' must not contain NUL");
        return 0;
    }
    case json_type_int: {
        int64_t v = json_object_get_int64(id);
        /* json-c parses integers above INT64_MAX as uint64 and clamps them in get_int64 */
        if (v < -PROTO_MAX_SAFE_INT || v > PROTO_MAX_SAFE_INT)
            return proto_fail(err, PROTO_BAD_REQUEST, "id", "field 'id' must be an integer within +/-(2^53-1)");
        return 0;
    }
    default:
        return proto_fail(err, PROTO_BAD_REQUEST, "id", "field 'id' must be a string or an integer");
    }
}

/*
 * One tokener per thread, reset for each message, instead of one made and
 * freed for every message (the server parses on its service thread only).
 * Freed at exit for the thread that exits the process.
 */
static _Thread_local struct json_tokener *tls_tokener;

static void free_tokener(void)
{
    if (tls_tokener)
        json_tokener_free(tls_tokener);
    tls_tokener = NULL;
}

static struct json_tokener *thread_tokener(void)
{
    static bool registered;

    if (!tls_tokener && (tls_tokener = json_tokener_new_ex(PROTO_MAX_DEPTH + 1)) && !registered) {
        registered = true; /* json-c refuses depth == max_depth, hence + 1 */
        (void)atexit(free_tokener);
    }
    return tls_tokener;
}

int proto_parse(const char *buf, size_t len, struct proto_request *req, struct proto_error *err)
{
    struct json_tokener *tok = NULL;
    struct json_object *root = NULL, *id = NULL, *type = NULL;
    enum json_tokener_error jerr;
    const char *problem;
    char *copy = NULL;
    size_t end;
    int rc = -1;

    memset(req, 0, sizeof(*req));
    err->code = PROTO_OK;
    err->message[0] = err->field[0] = err->domain_code[0] = '\0';
    err->ndetail = 0;

    if (len > PROTO_MAX_MESSAGE) {
        proto_fail(err, PROTO_TOO_LARGE, NULL, "message larger than %d bytes", PROTO_MAX_MESSAGE);
        goto out;
    }
    if (len == 0 || memchr(buf, '\0', len)) {
        proto_fail(err, PROTO_BAD_JSON, NULL, len ? "message contains a NUL byte" : "empty message");
        goto out;
    }
    if (!utf8_is_valid((const unsigned char *)buf, len)) {
        proto_fail(err, PROTO_BAD_JSON, NULL, "the message is not valid UTF-8");
        goto out;
    }
    if (has_raw_control_in_string(buf, len)) {
        proto_fail(err, PROTO_BAD_JSON, NULL, "a control character inside a string must be escaped");
        goto out;
    }
    /* json-c needs a terminator to end a top-level number; give it one of its own. */
    copy = malloc(len + 1);
    tok = thread_tokener();
    if (!copy || !tok) {
        proto_fail(err, PROTO_INTERNAL, NULL, "out of memory");
        goto out;
    }
    memcpy(copy, buf, len);
    copy[len] = '\0';
    /* UTF-8 was checked above, more strictly than json-c's own check (which lets overlong forms through) */
    json_tokener_reset(tok);
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
    root = json_tokener_parse_ex(tok, copy, (int)len + 1);
    jerr = json_tokener_get_error(tok);
    if (jerr != json_tokener_success) {
        if (jerr == json_tokener_error_depth)
            proto_fail(err, PROTO_BAD_JSON, NULL, "JSON nests deeper than %d levels", PROTO_MAX_DEPTH);
        else if (jerr == json_tokener_continue)
            proto_fail(err, PROTO_BAD_JSON, NULL, "JSON text ends too early");
        else
            proto_fail(err, PROTO_BAD_JSON, NULL, "malformed JSON at byte %zu: %s", json_tokener_get_parse_end(tok),
                       json_tokener_error_desc(jerr));
        goto out;
    }
    for (end = json_tokener_get_parse_end(tok); end < len; end++) {
        if (!is_json_space(copy[end])) {
            proto_fail(err, PROTO_BAD_JSON, NULL, "unexpected text after the JSON value at byte %zu", end);
            goto out;
        }
    }
    if (root && (problem = tree_problem(root, 1))) {
        if (!strcmp(problem, "JSON nests too deep"))
            proto_fail(err, PROTO_BAD_JSON, NULL, "JSON nests deeper than %d levels", PROTO_MAX_DEPTH);
        else
            proto_fail(err, PROTO_BAD_JSON, NULL, "%s", problem);
        goto out;
    }
    req->root = root;
    root = NULL;
    if (!req->root || !json_object_is_type(req->root, json_type_object)) { /* NULL is JSON null */
        proto_fail(err, PROTO_BAD_REQUEST, NULL, "a request must be a JSON object");
        goto out;
    }
    if (!json_object_object_get_ex(req->root, "id", &id)) {
        proto_fail(err, PROTO_BAD_REQUEST, "id", "field 'id' is required");
        goto out;
    }
    if (check_id(id, err) != 0)
        goto out;
    req->id = id;
    if (!json_object_object_get_ex(req->root, "type", &type)) {
        proto_fail(err, PROTO_BAD_REQUEST, "type", "field 'type' is required");
        goto out;
    }
    if (!json_object_is_type(type, json_type_string)) {
        proto_fail(err, PROTO_BAD_REQUEST, "type", "field 'type' must be a string");
        goto out;
    }
    if (!string_is_clean(type) ||
        !type_is_well_formed(json_object_get_string(type), (size_t)json_object_get_string_len(type))) {
        proto_fail(err, PROTO_BAD_REQUEST, "type",
                   "field 'type' must look like 'area.verb' (a-z, 0-9, _ and dots, at most %d bytes)",
                   PROTO_MAX_TYPE_LEN);
        goto out;
    }
    req->type = json_object_get_string(type);
    rc = 0;
out:
    json_object_put(root);
    free(copy);
    return rc;
}

void proto_request_release(struct proto_request *req)
{
    json_object_put(req->root);
    memset(req, 0, sizeof(*req));
}

static const char *kind_name(enum proto_kind kind)
{
    switch (kind) {
    case PROTO_STRING: return "a string";
    case PROTO_INT: return "an integer";
    case PROTO_BOOL: return "true or false";
    case PROTO_OBJECT: return "an object";
    case PROTO_ARRAY: return "an array";
    }
    return "?";
}

static int check_one(const struct proto_field *f, struct json_object *v, struct proto_error *err)
{
    static const enum json_type want[] = {
        [PROTO_STRING] = json_type_string, [PROTO_INT] = json_type_int,      [PROTO_BOOL] = json_type_boolean,
        [PROTO_OBJECT] = json_type_object, [PROTO_ARRAY] = json_type_array,
    };

    if (!json_object_is_type(v, want[f->kind]))
        return proto_fail(err, PROTO_BAD_REQUEST, f->name, "field '%s' must be %s", f->name, kind_name(f->kind));
    switch (f->kind) {
    case PROTO_STRING: {
        int64_t n = json_object_get_string_len(v);
        if (!string_is_clean(v))
            return proto_fail(err, PROTO_BAD_REQUEST, f->name, "field '%s' must not contain NUL", f->name);
        if (n < f->min || n > f->max)
            return proto_fail(err, PROTO_BAD_REQUEST, f->name, "field '%s' must be %" PRId64 " to %" PRId64 " bytes long",
                              f->name, f->min, f->max);
        break;
    }
    case PROTO_INT: {
        int64_t n = json_object_get_int64(v);
        if (n < f->min || n > f->max)
            return proto_fail(err, PROTO_BAD_REQUEST, f->name, "field '%s' must be from %" PRId64 " to %" PRId64,
                              f->name, f->min, f->max);
        break;
    }
    case PROTO_ARRAY: {
        int64_t n = (int64_t)json_object_array_length(v);
        if (n < f->min || n > f->max)
            return proto_fail(err, PROTO_BAD_REQUEST, f->name, "field '%s' must have %" PRId64 " to %" PRId64 " elements",
                              f->name, f->min, f->max);
        break;
    }
    case PROTO_BOOL:
    case PROTO_OBJECT:
        break;
    }
    return 0;
}

int proto_check_fields(const struct proto_request *req, const struct proto_field *fields, size_t nfields,
                       struct proto_error *err)
{
    json_object_object_foreach(req->root, key, val) {
        bool known = !strcmp(key, "id") || !strcmp(key, "type");
        (void)val;
        for (size_t i = 0; !known && i < nfields; i++)
            known = !strcmp(key, fields[i].name);
        if (!known)
            return proto_fail(err, PROTO_BAD_REQUEST, key, "field '%.64s' is not allowed in %s", key, req->type);
    }
    for (size_t i = 0; i < nfields; i++) {
        struct json_object *v;
        if (!json_object_object_get_ex(req->root, fields[i].name, &v)) {
            if (fields[i].required)
                return proto_fail(err, PROTO_BAD_REQUEST, fields[i].name, "field '%s' is required", fields[i].name);
            continue;
        }
        if (check_one(&fields[i], v, err) != 0)
            return -1;
    }
    return 0;
}

/* Serialises msg (consumed) into a malloc'd string. */
static char *finish(struct json_object *msg, size_t *len)
{
    const char *s;
    size_t n;
    char *out = NULL;

    if (!msg)
        return NULL;
    s = json_object_to_json_string_length(msg, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &n);
    if (s && (out = malloc(n + 1))) {
        memcpy(out, s, n + 1);
        *len = n;
    }
    json_object_put(msg);
    return out;
}

/* Moves every member of fields (consumed) into msg. */
static void absorb(struct json_object *msg, struct json_object *fields)
{
    if (!fields)
        return;
    json_object_object_foreach(fields, key, val) json_object_object_add(msg, key, json_object_get(val));
    json_object_put(fields);
}

char *proto_reply_ok(struct json_object *id, struct json_object *fields, size_t *len)
{
    struct json_object *msg = json_object_new_object();

    if (!msg) {
        json_object_put(fields);
        return NULL;
    }
    json_object_object_add(msg, "id", json_object_get(id));
    json_object_object_add(msg, "ok", json_object_new_boolean(1));
    absorb(msg, fields);
    return finish(msg, len);
}

int proto_json_string(char *buf, size_t cap, size_t *at, const char *s, size_t n)
{
    static const char hexd[] = "0123456789abcdef";
    size_t k = *at;

    if (k >= cap)
        return -1;
    buf[k++] = '"';
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (k + 6 >= cap)
            return -1;
        if (c == '"' || c == '\\') {
            buf[k++] = '\\';
            buf[k++] = (char)c;
        } else if (c == '\n') {
            buf[k++] = '\\';
            buf[k++] = 'n';
        } else if (c < 0x20 || c == 0x7f) {
            memcpy(buf + k, "\\u00", 4);
            buf[k + 4] = hexd[c >> 4];
            buf[k + 5] = hexd[c & 15];
            k += 6;
        } else {
            buf[k++] = (char)c;
        }
    }
    if (k + 1 >= cap)
        return -1;
    buf[k++] = '"';
    buf[k] = '\0';
    *at = k;
    return 0;
}

char *proto_reply_ok_text(struct json_object *id, const char *members, size_t members_len, size_t *len)
{
    /* an id is a string of at most PROTO_MAX_ID_LEN bytes or a safe integer (check_id): 6 bytes a byte escaped */
    char idt[6 * PROTO_MAX_ID_LEN + 3];
    size_t idn = 0, n;
    char *out;

    if (id && json_object_is_type(id, json_type_string)) {
        if (proto_json_string(idt, sizeof(idt), &idn, json_object_get_string(id), (size_t)json_object_get_string_len(id)))
            return NULL;
    } else if (id && json_object_is_type(id, json_type_int)) {
        idn = (size_t)snprintf(idt, sizeof(idt), "%lld", (long long)json_object_get_int64(id));
    } else {
        idn = (size_t)snprintf(idt, sizeof(idt), "null");
    }
    n = 6 + idn + 10 + 1 + members_len + 1;
    if (!(out = malloc(n + 1)))
        return NULL;
    n = (size_t)snprintf(out, n + 1, "{\"id\":%.*s,\"ok\":true%s%.*s}", (int)idn, idt, members_len ? "," : "",
                         (int)members_len, members);
    *len = n;
    return out;
}

char *proto_reply_error(struct json_object *id, const struct proto_error *err, size_t *len)
{
    struct json_object *msg = json_object_new_object(), *e = json_object_new_object();

    if (!msg || !e) {
        json_object_put(msg);
        json_object_put(e);
        return NULL;
    }
    json_object_object_add(e, "code", json_object_new_string(err->code == PROTO_DOMAIN && err->domain_code[0]
                                                                 ? err->domain_code
                                                                 : proto_code_name(err->code)));
    json_object_object_add(e, "message", json_object_new_string(err->message));
    if (err->field[0])
        json_object_object_add(e, "field", json_object_new_string(err->field));
    for (int i = 0; i < err->ndetail && i < PROTO_DETAILS_MAX; i++) {
        struct json_object *v = json_tokener_parse(err->detail[i].json);
        if (v)
            json_object_object_add(e, err->detail[i].key, v);
    }
    json_object_object_add(msg, "id", json_object_get(id));
    json_object_object_add(msg, "ok", json_object_new_boolean(0));
    json_object_object_add(msg, "error", e);
    return finish(msg, len);
}

char *proto_event(const char *name, uint64_t seq, struct json_object *fields, size_t *len)
{
    struct json_object *msg = json_object_new_object();

    if (!msg) {
        json_object_put(fields);
        return NULL;
    }
    json_object_object_add(msg, "event", json_object_new_string(name));
    json_object_object_add(msg, "seq", json_object_new_int64((int64_t)seq));
    absorb(msg, fields);
    return finish(msg, len);
}

static int add_detail(struct proto_error *err, const char *key, struct json_object *v)
{
    const char *text;
    int rc = -1;

    if (v && err->ndetail >= 0 && err->ndetail < PROTO_DETAILS_MAX && strlen(key) < sizeof(err->detail[0].key)) {
        text = json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN);
        if (strlen(text) < sizeof(err->detail[0].json)) {
            strcpy(err->detail[err->ndetail].key, key);
            strcpy(err->detail[err->ndetail].json, text);
            err->ndetail++;
            rc = 0;
        }
    }
    json_object_put(v);
    return rc;
}

int proto_error_detail(struct proto_error *err, const char *key, const char *value)
{
    return add_detail(err, key, json_object_new_string(value));
}

int proto_error_detail_json(struct proto_error *err, const char *key, struct json_object *value)
{
    return add_detail(err, key, value);
}

int proto_error_detail_int(struct proto_error *err, const char *key, int64_t value)
{
    return add_detail(err, key, json_object_new_int64(value));
}
