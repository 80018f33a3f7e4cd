/*
 * Unit tests of identity: roles, hex and codes, key checks, and the exact
 * bytes of every statement (golden texts, as docs/identity.md shows them).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "b40/identity.h"
#include "b40/timeutil.h"

static void test_roles(void **state)
{
    char text[64];

    (void)state;
    assert_int_equal(identity_roles_parse("mayor"), ROLE_MAYOR);
    assert_int_equal(identity_roles_parse("official,deputy"), ROLE_DEPUTY | ROLE_OFFICIAL);
    assert_int_equal(identity_roles_parse(""), 0);
    assert_int_equal(identity_roles_parse("mayor,mayor"), 0);
    assert_int_equal(identity_roles_parse("mayor,"), 0);
    assert_int_equal(identity_roles_parse("Mayor"), 0);
    assert_int_equal(identity_roles_parse("mayor, deputy"), 0);
    assert_int_equal(identity_roles_parse("president"), 0);
    assert_int_equal(identity_roles_format(ROLE_OFFICIAL | ROLE_DEPUTY, text, sizeof(text)), 0);
    assert_string_equal(text, "deputy,official");
    assert_int_equal(identity_roles_format(0, text, sizeof(text)), -1);
    assert_true(identity_roles_fit(ROLE_SECRETARY, true));
    assert_true(identity_roles_fit(ROLE_EXPERT, true));
    assert_false(identity_roles_fit(ROLE_MAYOR, true));
    assert_true(identity_roles_fit(ROLE_MAYOR | ROLE_OFFICIAL, false));
    assert_false(identity_roles_fit(ROLE_SECRETARY, false));
    assert_false(identity_roles_fit(ROLE_SECRETARY | ROLE_MAYOR, true));
    assert_false(identity_roles_fit(0, false));
    assert_false(identity_roles_fit(1u << 9, false));
}

static void test_hex_and_codes(void **state)
{
    uint8_t b[2], h[32], h2[32];
    char code[IDENTITY_CODE_LEN + 1];

    (void)state;
    assert_int_equal(identity_hex_decode("0aff", b, 2), 0);
    assert_int_equal(b[1], 0xff);
    assert_int_equal(identity_hex_decode("0AFF", b, 2), -1); /* lower case only */
    assert_int_equal(identity_hex_decode("0af", b, 2), -1);
    assert_int_equal(identity_hex_decode("0afg", b, 2), -1);
    assert_int_equal(identity_hex_decode("0aff00", b, 2), -1);
    assert_int_equal(identity_hex_decode("0", b, 2), -1);
    assert_int_equal(identity_hex_decode("", b, 2), -1);
    assert_int_equal(identity_hex_decode("0a f", b, 2), -1);
    assert_int_equal(identity_hex_decode("0aF0", b, 2), -1);
    assert_int_equal(identity_hex_decode(":0ff", b, 2), -1); /* the characters around the digits' ranges */
    assert_int_equal(identity_hex_decode("/0ff", b, 2), -1);
    assert_int_equal(identity_hex_decode("0a`f", b, 2), -1);
    assert_int_equal(identity_hex_decode("0agf", b, 2), -1);
    b[0] = 0x11;
    b[1] = 0x22;
    assert_int_equal(identity_hex_decode("ffzz", b, 2), -1);
    assert_true(b[0] == 0x11 && b[1] == 0x22); /* nothing written from a bad text */
    {
        uint8_t in[64], back[64];
        char text[129];
        for (int i = 0; i < 64; i++)
            in[i] = (uint8_t)(i * 37 + 5);
        identity_hex_encode(in, 64, text);
        assert_int_equal(identity_hex_decode(text, back, 64), 0);
        assert_memory_equal(in, back, 64);
        assert_int_equal(identity_hex_decode(text, back, 63), -1);
    }
    {
        static char big[2 * 257 + 1];
        static uint8_t out[257];
        memset(big, 'a', 2 * 257);
        assert_int_equal(identity_hex_decode(big, out, 256), -1); /* 514 digits for 256 bytes */
        big[2 * 256] = '\0';
        assert_int_equal(identity_hex_decode(big, out, 256), 0);
        assert_int_equal(out[255], 0xaa);
        memset(big, 'a', 2 * 257);
        assert_int_equal(identity_hex_decode(big, out, 257), -1); /* more than the limit */
    }

    assert_int_equal(identity_code_make(code, h), 0);
    assert_int_equal(strlen(code), IDENTITY_CODE_LEN);
    assert_int_equal(identity_code_hash(code, h2), 0);
    assert_memory_equal(h, h2, 32);
    /* the hash is of the 22 ASCII characters */
    crypto_hash_sha256(h2, (const uint8_t *)code, IDENTITY_CODE_LEN);
    assert_memory_equal(h, h2, 32);
    assert_int_equal(identity_code_hash("AAAAAAAAAAAAAAAAAAAAAA", h), 0);
    assert_int_equal(identity_code_hash("AAAAAAAAAAAAAAAAAAAAAB", h), -1); /* unused low bits set */
    assert_int_equal(identity_code_hash("AAAAAAAAAAAAAAAAAAAAA", h), -1);  /* 21 */
    assert_int_equal(identity_code_hash("AAAAAAAAAAAAAAAAAAAA+A", h), -1); /* not url-safe */
    assert_int_equal(identity_code_hash("AAAAAAAAAAAAAAAAAAAAA=", h), -1);
}

static void test_key_checks(void **state)
{
    uint8_t pk[32], sk[64], bad[32];

    (void)state;
    assert_int_equal(sodium_init() >= 0, 1);
    crypto_sign_keypair(pk, sk);
    assert_true(identity_key_is_acceptable(pk));
    memset(bad, 0, sizeof(bad));
    assert_false(identity_key_is_acceptable(bad)); /* y = 0: small order */
    bad[0] = 1;
    assert_false(identity_key_is_acceptable(bad)); /* the identity point */
    memset(bad, 0xff, sizeof(bad));
    bad[31] = 0x7f;
    assert_false(identity_key_is_acceptable(bad)); /* y >= p: not canonical */
    /* the order-8 point whose encoding is 26e8958f..., listed by libsodium's small-order blocklist */
    static const uint8_t order8[32] = {0x26, 0xe8, 0x95, 0x8f, 0xc2, 0xb2, 0x27, 0xb0, 0x45, 0xc3, 0xf4,
                                       0x89, 0xf2, 0xef, 0x98, 0xf0, 0xd5, 0xdf, 0xac, 0x05, 0xd3, 0xc6,
                                       0x33, 0x39, 0xb1, 0x38, 0x02, 0x88, 0x6d, 0x53, 0xfc, 0x05};
    assert_false(identity_key_is_acceptable(order8));
    sodium_memzero(sk, sizeof(sk));
}

static void test_statements_golden(void **state)
{
    struct identity_enrollment e;
    uint8_t ch[32], pk[32];
    char out[IDENTITY_STATEMENT_MAX];
    int len;

    (void)state;
    memset(&e, 0, sizeof(e));
    strcpy(e.id, "3f0c6b0e9d8a4c21b7e5f1a2c3d4e5f6");
    e.person_id = 12;
    strcpy(e.name, "Mayor of Athens");
    strcpy(e.affiliation, "athens");
    e.roles = ROLE_MAYOR;
    memset(e.code_sha256, 0xab, 32);
    assert_int_equal(timeutil_parse_rfc3339("2026-12-04T10:00:00.000Z", &e.expires_ms), 0);
    memset(e.signer, 0x11, 32);
    len = identity_enrollment_statement(&e, out);
    assert_string_equal(out, "b40-enrollment-v1\n"
                             "network: b40-balkan-cities\n"
                             "enrollment: 3f0c6b0e9d8a4c21b7e5f1a2c3d4e5f6\n"
                             "person: 12\n"
                             "name: Mayor of Athens\n"
                             "affiliation: athens\n"
                             "roles: mayor\n"
                             "code-sha256: abababababababababababababababababababababababababababababababab\n"
                             "expires: 2026-12-04T10:00:00.000Z\n"
                             "signer: 1111111111111111111111111111111111111111111111111111111111111111\n");
    assert_int_equal(len, (int)strlen(out));
    strcpy(e.name, "Mayor\nof Athens"); /* a line break would forge a line */
    assert_int_equal(identity_enrollment_statement(&e, out), -1);

    memset(ch, 0x22, sizeof(ch));
    memset(pk, 0x33, sizeof(pk));
    len = identity_binding_statement("3f0c6b0e9d8a4c21b7e5f1a2c3d4e5f6", "AAAAAAAAAAAAAAAAAAAAAA", pk,
                                     "https://localhost:8443", ch, out);
    assert_string_equal(out, "b40-key-binding-v1\n"
                             "network: b40-balkan-cities\n"
                             "enrollment: 3f0c6b0e9d8a4c21b7e5f1a2c3d4e5f6\n"
                             "code: AAAAAAAAAAAAAAAAAAAAAA\n"
                             "public-key: 3333333333333333333333333333333333333333333333333333333333333333\n"
                             "origin: https://localhost:8443\n"
                             "challenge: 2222222222222222222222222222222222222222222222222222222222222222\n");
    assert_int_equal(len, (int)strlen(out));

    len = identity_login_statement("https://b40.example", ch, pk, out);
    assert_string_equal(out, "b40-login-v1\n"
                             "network: b40-balkan-cities\n"
                             "origin: https://b40.example\n"
                             "challenge: 2222222222222222222222222222222222222222222222222222222222222222\n"
                             "public-key: 3333333333333333333333333333333333333333333333333333333333333333\n");
    assert_int_equal(len, (int)strlen(out));

    len = identity_revocation_statement(pk, 12, "lost phone", e.expires_ms, e.signer, out);
    assert_string_equal(out, "b40-key-revocation-v1\n"
                             "network: b40-balkan-cities\n"
                             "public-key: 3333333333333333333333333333333333333333333333333333333333333333\n"
                             "person: 12\n"
                             "reason: lost phone\n"
                             "revoked: 2026-12-04T10:00:00.000Z\n"
                             "signer: 1111111111111111111111111111111111111111111111111111111111111111\n");
    assert_int_equal(len, (int)strlen(out));
    assert_int_equal(identity_revocation_statement(pk, 12, "a\rb", e.expires_ms, e.signer, out), -1);
}

static void test_diff_and_verify(void **state)
{
    uint8_t pk[32], sk[64], sig[64];
    const char *msg = "b40-login-v1\nnetwork: x\n";

    (void)state;
    assert_int_equal(identity_statement_diff("a\nb\nc\n", 6, "a\nb\nc\n", 6), 0);
    assert_int_equal(identity_statement_diff("a\nb\nc\n", 6, "a\nB\nc\n", 6), 2);
    assert_int_equal(identity_statement_diff("a\nb\nc\n", 6, "a\nb\nc", 5), 3);     /* missing final newline */
    assert_int_equal(identity_statement_diff("a\nb\n", 4, "a\r\nb\r\n", 6), 1);     /* CRLF */
    assert_int_equal(identity_statement_diff("a\nb\n", 4, "a\nb\nextra\n", 10), 3); /* a line too many */
    crypto_sign_keypair(pk, sk);
    crypto_sign_detached(sig, NULL, (const uint8_t *)msg, strlen(msg), sk);
    assert_true(identity_verify(pk, msg, strlen(msg), sig));
    assert_false(identity_verify(pk, msg, strlen(msg) - 1, sig));
    sig[0] ^= 1;
    assert_false(identity_verify(pk, msg, strlen(msg), sig));
}

static void test_time_parsing(void **state)
{
    int64_t ms;

    (void)state;
    assert_int_equal(timeutil_parse_rfc3339("2026-11-27T09:46:37.123Z", &ms), 0);
    assert_int_equal(ms, 1795772797123LL);
    assert_int_equal(timeutil_parse_rfc3339("2026-02-30T00:00:00.000Z", &ms), -1);
    assert_int_equal(timeutil_parse_rfc3339("2026-11-27T24:00:00.000Z", &ms), -1);
    assert_int_equal(timeutil_parse_rfc3339("2026-11-27T09:46:37Z", &ms), -1);
    assert_int_equal(timeutil_parse_rfc3339("2026-11-27T09:46:37.123+00:00", &ms), -1);
    assert_int_equal(timeutil_parse_rfc3339("2026-11-27 09:46:37.123Z", &ms), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roles),
        cmocka_unit_test(test_hex_and_codes),
        cmocka_unit_test(test_key_checks),
        cmocka_unit_test(test_statements_golden),
        cmocka_unit_test(test_diff_and_verify),
        cmocka_unit_test(test_time_parsing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
