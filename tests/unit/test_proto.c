/*
 * Unit tests of the wire envelope (proto) and the message table (api):
 * every malformed or hostile input gets its documented error code, the id
 * is echoed when it could be read, and good requests are answered.
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

#include "b40/api.h"
#include "b40/proto.h"

struct envelope_case {
    const char *name;
    const char *input;   /* NULL: use input_len bytes of input_bytes */
    const char *input_bytes;
    size_t input_len;
    const char *code;    /* expected error code, or NULL for ok */
    const char *field;   /* expected error.field, or NULL for none */
    const char *id_json; /* the id expected in the reply, as JSON ("null" when unreadable) */
};

#define TEXT(n, in, code, field, id) {n, in, NULL, 0, code, field, id}
#define BYTES(n, in, code, field, id) {n, NULL, in, sizeof(in) - 1, code, field, id}

static const struct envelope_case cases[] = {
    TEXT("plain ping with an integer id", "{\"id\":1,\"type\":\"system.ping\"}", NULL, NULL, "1"),
    TEXT("string id is echoed", "{\"id\":\"a-b\",\"type\":\"system.ping\"}", NULL, NULL, "\"a-b\""),
    TEXT("whitespace around the object", " \r\n\t{\"id\":2,\"type\":\"system.ping\"}\n ", NULL, NULL, "2"),
    TEXT("largest safe integer id", "{\"id\":9007199254740991,\"type\":\"system.ping\"}", NULL, NULL,
         "9007199254740991"),
    TEXT("negative id", "{\"id\":-5,\"type\":\"system.ping\"}", NULL, NULL, "-5"),
    /* malformed JSON */
    TEXT("empty message", "", "bad_json", NULL, "null"),
    TEXT("only whitespace", "   ", "bad_json", NULL, "null"),
    TEXT("truncated object", "{\"id\":1,\"type\":\"system.ping\"", "bad_json", NULL, "null"),
    TEXT("trailing comma", "{\"id\":1,\"type\":\"system.ping\",}", "bad_json", NULL, "null"),
    TEXT("single quotes", "{'id':1,'type':'system.ping'}", "bad_json", NULL, "null"),
    TEXT("comment", "{\"id\":1,/* hi */\"type\":\"system.ping\"}", "bad_json", NULL, "null"),
    TEXT("unquoted key", "{id:1,\"type\":\"system.ping\"}", "bad_json", NULL, "null"),
    TEXT("two objects", "{\"id\":1,\"type\":\"system.ping\"}{}", "bad_json", NULL, "null"),
    TEXT("garbage after the object", "{\"id\":1,\"type\":\"system.ping\"} x", "bad_json", NULL, "null"),
    TEXT("NaN", "{\"id\":NaN,\"type\":\"system.ping\"}", "bad_json", NULL, "null"),
    TEXT("hex number", "{\"id\":0x10,\"type\":\"system.ping\"}", "bad_json", NULL, "null"),
    TEXT("raw control character in a string", "{\"id\":\"a\tb\",\"type\":\"system.ping\"}", "bad_json", NULL,
         "null"),
    BYTES("invalid UTF-8 byte", "{\"id\":\"\xff\",\"type\":\"system.ping\"}", "bad_json", NULL, "null"),
    BYTES("overlong UTF-8 encoding of '/'", "{\"id\":\"\xc0\xaf\",\"type\":\"system.ping\"}", "bad_json", NULL, "null"),
    BYTES("UTF-16 surrogate encoded in UTF-8", "{\"id\":\"\xed\xa0\x80\",\"type\":\"system.ping\"}", "bad_json",
          NULL, "null"),
    BYTES("NUL byte in the message", "{\"id\":1,\"type\":\"system.ping\"}\0", "bad_json", NULL, "null"),
    TEXT("nesting 17 deep", "{\"id\":1,\"type\":\"system.ping\",\"x\":[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]}", "bad_json",
         NULL, "null"),
    TEXT("nesting 17 deep, empty innermost", "{\"id\":1,\"type\":\"system.ping\",\"x\":[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]}",
         "bad_json", NULL, "null"),
    TEXT("nesting 17 deep, empty object innermost",
         "{\"id\":1,\"type\":\"system.ping\",\"x\":[[[[[[[[[[[[[[[{}]]]]]]]]]]]]]]]}", "bad_json", NULL, "null"),
    TEXT("Infinity", "{\"id\":1,\"type\":\"system.ping\",\"x\":-Infinity}", "bad_json", NULL, "null"),
    /* wrong shape */
    TEXT("array at the top", "[1,2]", "bad_request", NULL, "null"),
    TEXT("string at the top", "\"system.ping\"", "bad_request", NULL, "null"),
    TEXT("number at the top", "42", "bad_request", NULL, "null"),
    TEXT("null at the top", "null", "bad_request", NULL, "null"),
    TEXT("missing id", "{\"type\":\"system.ping\"}", "bad_request", "id", "null"),
    TEXT("float id", "{\"id\":1.5,\"type\":\"system.ping\"}", "bad_request", "id", "null"),
    TEXT("boolean id", "{\"id\":true,\"type\":\"system.ping\"}", "bad_request", "id", "null"),
    TEXT("object id", "{\"id\":{},\"type\":\"system.ping\"}", "bad_request", "id", "null"),
    TEXT("null id", "{\"id\":null,\"type\":\"system.ping\"}", "bad_request", "id", "null"),
    TEXT("empty string id", "{\"id\":\"\",\"type\":\"system.ping\"}", "bad_request", "id", "null"),
    TEXT("id beyond 2^53", "{\"id\":9007199254740992,\"type\":\"system.ping\"}", "bad_request", "id", "null"),
    TEXT("id beyond int64", "{\"id\":99999999999999999999999,\"type\":\"system.ping\"}", "bad_request", "id", "null"),
    TEXT("id with an escaped NUL", "{\"id\":\"a\\u0000b\",\"type\":\"system.ping\"}", "bad_request", "id", "null"),
    TEXT("missing type", "{\"id\":7}", "bad_request", "type", "7"),
    TEXT("numeric type", "{\"id\":7,\"type\":5}", "bad_request", "type", "7"),
    TEXT("type without a dot", "{\"id\":7,\"type\":\"ping\"}", "bad_request", "type", "7"),
    TEXT("type in capitals", "{\"id\":7,\"type\":\"System.Ping\"}", "bad_request", "type", "7"),
    TEXT("type with a trailing dot", "{\"id\":7,\"type\":\"system.\"}", "bad_request", "type", "7"),
    TEXT("type with a script", "{\"id\":7,\"type\":\"<script>.x\"}", "bad_request", "type", "7"),
    TEXT("type with an escaped NUL", "{\"id\":7,\"type\":\"system.ping\\u0000x\"}", "bad_request", "type", "7"),
    TEXT("unknown type", "{\"id\":7,\"type\":\"system.reboot\"}", "unknown_type", "type", "7"),
    TEXT("unexpected field", "{\"id\":7,\"type\":\"system.ping\",\"admin\":true}", "bad_request", "admin", "7"),
};

/* Parses a reply produced by api_handle_text. */
static struct json_object *parse_reply(const char *reply)
{
    struct json_object *o = json_tokener_parse(reply);

    assert_non_null(o);
    return o;
}

static void test_envelope_table(void **state)
{
    struct api_env env = {0};
    struct api_conn conn;

    (void)state;
    api_conn_init(&conn, "https://localhost:8443", "127.0.0.1");
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct envelope_case *c = &cases[i];
        const char *in = c->input ? c->input : c->input_bytes;
        size_t len = c->input ? strlen(c->input) : c->input_len, rlen = 0;
        char *reply = api_handle_text(&env, &conn, in, len, &rlen);
        struct json_object *o, *v, *err;

        print_message("case: %s\n", c->name);
        assert_non_null(reply);
        assert_int_equal(strlen(reply), rlen);
        o = parse_reply(reply);
        assert_true(json_object_object_get_ex(o, "id", &v));
        assert_string_equal(json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN), c->id_json);
        assert_true(json_object_object_get_ex(o, "ok", &v));
        if (!c->code) {
            assert_true(json_object_get_boolean(v));
            assert_true(json_object_object_get_ex(o, "time", &v));
        } else {
            assert_false(json_object_get_boolean(v));
            assert_true(json_object_object_get_ex(o, "error", &err));
            assert_true(json_object_object_get_ex(err, "code", &v));
            assert_string_equal(json_object_get_string(v), c->code);
            assert_true(json_object_object_get_ex(err, "message", &v));
            assert_true(json_object_get_string_len(v) > 0);
            if (c->field) {
                assert_true(json_object_object_get_ex(err, "field", &v));
                assert_string_equal(json_object_get_string(v), c->field);
            } else {
                assert_false(json_object_object_get_ex(err, "field", &v));
            }
        }
        json_object_put(o);
        free(reply);
    }
}

static void test_nesting_16_deep_is_allowed(void **state)
{
    /* 16 levels in all: the top object plus 15 arrays. It passes parsing and fails only the field check. */
    const char *in = "{\"id\":1,\"type\":\"system.ping\",\"x\":[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]}";
    struct proto_request req;
    struct proto_error err;

    (void)state;
    assert_int_equal(proto_parse(in, strlen(in), &req, &err), 0);
    assert_int_equal(proto_check_fields(&req, NULL, 0, &err), -1);
    assert_int_equal(err.code, PROTO_BAD_REQUEST);
    assert_string_equal(err.field, "x");
    proto_request_release(&req);
}

static void test_message_size_limit(void **state)
{
    struct proto_request req;
    struct proto_error err;
    char *big = malloc(PROTO_MAX_MESSAGE + 2);
    const char *head = "{\"id\":1,\"type\":\"system.ping\"}";

    (void)state;
    /* exactly the limit: a request padded with trailing whitespace is accepted */
    memset(big, ' ', PROTO_MAX_MESSAGE + 1);
    memcpy(big, head, strlen(head));
    assert_int_equal(proto_parse(big, PROTO_MAX_MESSAGE, &req, &err), 0);
    proto_request_release(&req);
    /* one byte more is too large */
    assert_int_equal(proto_parse(big, PROTO_MAX_MESSAGE + 1, &req, &err), -1);
    assert_int_equal(err.code, PROTO_TOO_LARGE);
    proto_request_release(&req);
    free(big);
}

static void test_field_specs(void **state)
{
    static const struct proto_field fields[] = {
        {"name", PROTO_STRING, true, 1, 8},
        {"count", PROTO_INT, false, 0, 10},
        {"flag", PROTO_BOOL, false, 0, 0},
        {"list", PROTO_ARRAY, false, 0, 2},
    };
    static const struct {
        const char *in;
        const char *field; /* NULL: accepted */
    } rows[] = {
        {"{\"id\":1,\"type\":\"a.b\",\"name\":\"x\"}", NULL},
        {"{\"id\":1,\"type\":\"a.b\",\"name\":\"x\",\"count\":10,\"flag\":false,\"list\":[1,2]}", NULL},
        {"{\"id\":1,\"type\":\"a.b\"}", "name"},                             /* required missing */
        {"{\"id\":1,\"type\":\"a.b\",\"name\":\"\"}", "name"},               /* too short */
        {"{\"id\":1,\"type\":\"a.b\",\"name\":\"123456789\"}", "name"},      /* too long */
        {"{\"id\":1,\"type\":\"a.b\",\"name\":7}", "name"},                  /* wrong kind */
        {"{\"id\":1,\"type\":\"a.b\",\"name\":\"x\",\"count\":11}", "count"}, /* above max */
        {"{\"id\":1,\"type\":\"a.b\",\"name\":\"x\",\"count\":-1}", "count"}, /* below min */
        {"{\"id\":1,\"type\":\"a.b\",\"name\":\"x\",\"count\":\"1\"}", "count"},
        {"{\"id\":1,\"type\":\"a.b\",\"name\":\"x\",\"flag\":1}", "flag"},
        {"{\"id\":1,\"type\":\"a.b\",\"name\":\"x\",\"list\":[1,2,3]}", "list"},
        {"{\"id\":1,\"type\":\"a.b\",\"name\":\"x\",\"extra\":null}", "extra"},
        {"{\"id\":1,\"type\":\"a.b\",\"name\":\"a\\u0000\"}", "name"}, /* NUL smuggled in */
    };

    (void)state;
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        struct proto_request req;
        struct proto_error err;
        print_message("fields: %s\n", rows[i].in);
        assert_int_equal(proto_parse(rows[i].in, strlen(rows[i].in), &req, &err), 0);
        if (!rows[i].field) {
            assert_int_equal(proto_check_fields(&req, fields, 4, &err), 0);
        } else {
            assert_int_equal(proto_check_fields(&req, fields, 4, &err), -1);
            assert_int_equal(err.code, PROTO_BAD_REQUEST);
            assert_string_equal(err.field, rows[i].field);
        }
        proto_request_release(&req);
    }
}

static void test_events_count_from_one(void **state)
{
    struct api_conn conn;
    size_t len;
    char *e1, *e2;

    (void)state;
    api_conn_init(&conn, "https://localhost:8443", "127.0.0.1");
    e1 = api_welcome(&conn, &len);
    assert_non_null(e1);
    assert_non_null(strstr(e1, "\"event\":\"system.welcome\",\"seq\":1,"));
    assert_non_null(strstr(e1, "\"protocol\":\"b40.v1\""));
    e2 = proto_event("test.next", conn.next_seq, NULL, &len);
    assert_string_equal(e2, "{\"event\":\"test.next\",\"seq\":2}");
    free(e1);
    free(e2);
}

static void test_error_names_are_stable(void **state)
{
    (void)state;
    assert_string_equal(proto_code_name(PROTO_BAD_JSON), "bad_json");
    assert_string_equal(proto_code_name(PROTO_BAD_FRAME), "bad_frame");
    assert_string_equal(proto_code_name(PROTO_BAD_REQUEST), "bad_request");
    assert_string_equal(proto_code_name(PROTO_UNKNOWN_TYPE), "unknown_type");
    assert_string_equal(proto_code_name(PROTO_TOO_LARGE), "too_large");
    assert_string_equal(proto_code_name(PROTO_INTERNAL), "internal");
    assert_string_equal(proto_code_name((enum proto_code)99), "internal");
}

static void test_special_replies(void **state)
{
    size_t len;
    char *a = api_reply_bad_frame(&len), *b = api_reply_too_large(&len);

    (void)state;
    assert_non_null(strstr(a, "\"id\":null,\"ok\":false,\"error\":{\"code\":\"bad_frame\""));
    assert_non_null(strstr(b, "\"code\":\"too_large\""));
    free(a);
    free(b);
}

/* proto_json_string: the text json-c reads back is the string written, whatever its bytes; too small: -1. */
static void test_json_string_escapes(void **state)
{
    static const char *texts[] = {"", "plain", "line\nbreak", "quote \" and back\\slash", "tab\there\r",
                                  "\x01\x1f\x7f ctl", "b40-receipt-v1\nnetwork: b40-balkan-cities\n", "ünïcödé ✓"};
    char buf[256];

    (void)state;
    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        size_t at = 0;
        struct json_object *o;
        assert_int_equal(proto_json_string(buf, sizeof(buf), &at, texts[i], strlen(texts[i])), 0);
        assert_int_equal(at, strlen(buf));
        o = json_tokener_parse(buf);
        assert_non_null(o);
        assert_true(json_object_is_type(o, json_type_string));
        assert_string_equal(json_object_get_string(o), texts[i]);
        json_object_put(o);
    }
    {
        size_t at = 0;
        assert_int_equal(proto_json_string(buf, 8, &at, "a longer string", 15), -1);
        at = 250;
        assert_int_equal(proto_json_string(buf, sizeof(buf), &at, "abcdef", 6), -1);
    }
}

/* proto_reply_ok_text: {"id":ID,"ok":true,MEMBERS} for string, integer and missing ids; the same JSON as proto_reply_ok. */
static void test_reply_ok_text(void **state)
{
    struct json_object *ids[] = {json_object_new_string("b7"), json_object_new_string("we\"ird\n\\id"),
                                 json_object_new_int64(-9007199254740991LL), NULL};
    (void)state;
    for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
        size_t len = 0, len2 = 0;
        char *a = proto_reply_ok_text(ids[i], "\"seq\":3,\"receipt\":\"x\\ny\"", 25, &len);
        struct json_object *f = json_object_new_object(), *pa, *pb;
        char *b;
        json_object_object_add(f, "seq", json_object_new_int(3));
        json_object_object_add(f, "receipt", json_object_new_string("x\ny"));
        b = proto_reply_ok(ids[i], f, &len2);
        assert_non_null(a);
        assert_int_equal(len, strlen(a));
        pa = json_tokener_parse(a);
        pb = json_tokener_parse(b);
        assert_non_null(pa);
        assert_true(json_object_equal(pa, pb));
        json_object_put(pa);
        json_object_put(pb);
        free(a);
        free(b);
    }
    {
        size_t len = 0;
        char *a = proto_reply_ok_text(ids[0], "", 0, &len);
        assert_string_equal(a, "{\"id\":\"b7\",\"ok\":true}");
        free(a);
    }
    for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
        json_object_put(ids[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_envelope_table),
        cmocka_unit_test(test_nesting_16_deep_is_allowed),
        cmocka_unit_test(test_message_size_limit),
        cmocka_unit_test(test_field_specs),
        cmocka_unit_test(test_events_count_from_one),
        cmocka_unit_test(test_error_names_are_stable),
        cmocka_unit_test(test_special_replies),
        cmocka_unit_test(test_json_string_escapes),
        cmocka_unit_test(test_reply_ok_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
