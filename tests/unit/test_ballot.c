/*
 * Unit tests of the audit formats (docs/audit.md): golden bytes of the
 * ballot, poll, receipt and chain head; the one-spelling rule of
 * ballot_parse against hostile variants; and chain values computed
 * independently (Python's hashlib, recorded here as constants).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "b40/ballot.h"
#include "b40/identity.h"
#include "b40/timeutil.h"

#define GOLDEN_BALLOT                                                                                                  \
    "b40-ballot-v1\n"                                                                                                  \
    "network: b40-balkan-cities\n"                                                                                     \
    "election: 7\n"                                                                                                    \
    "round: 2\n"                                                                                                       \
    "poll: abababababababababababababababababababababababababababababababab\n"                                         \
    "city: athens\n"                                                                                                   \
    "choice: sofia\n"                                                                                                  \
    "nonce: 01010101010101010101010101010101\n"

static struct ballot golden(void)
{
    struct ballot b;

    memset(&b, 0, sizeof(b));
    b.election = 7;
    b.round = 2;
    memset(b.poll, 0xab, 32);
    strcpy(b.city, "athens");
    strcpy(b.choice, "sofia");
    memset(b.nonce, 0x01, sizeof(b.nonce));
    return b;
}

static void hex(const uint8_t *b, char *out)
{
    identity_hex_encode(b, 32, out);
}

static void test_ballot_golden_and_round_trip(void **state)
{
    struct ballot b = golden(), r;
    char out[BALLOT_TEXT_MAX], h[65];
    uint8_t hash[32];
    int len;

    (void)state;
    len = ballot_format(&b, out);
    assert_string_equal(out, GOLDEN_BALLOT);
    assert_int_equal(len, (int)strlen(GOLDEN_BALLOT));
    assert_int_equal(ballot_parse(out, (size_t)len, &r), 0);
    assert_memory_equal(&r, &b, sizeof(b));
    ballot_sha256(out, (size_t)len, hash);
    hex(hash, h);
    assert_string_equal(h, "c0aa2d7e2d0f15fd794a030c5e7e8ea17483915ae1c6d94a500c439169a102bb");
    strcpy(b.choice, "abstain");
    assert_true(ballot_format(&b, out) > 0);
    assert_int_equal(ballot_parse(out, strlen(out), &r), 0);
    assert_string_equal(r.choice, "abstain");
}

static void test_ballot_refuses_other_spellings(void **state)
{
    static const struct {
        const char *what, *from, *to;
    } edits[] = {
        {"CRLF", "election: 7\n", "election: 7\r\n"},
        {"two spaces", "city: athens", "city:  athens"},
        {"upper-case hex", "poll: abab", "poll: ABAB"},
        {"leading zero", "round: 2", "round: 02"},
        {"negative election", "election: 7", "election: -7"},
        {"round zero", "round: 2", "round: 0"},
        {"another network", "b40-balkan-cities", "b40-other-cities"},
        {"another version", "b40-ballot-v1", "b40-ballot-v2"},
        {"a name instead of a code", "choice: sofia", "choice: Sofia"},
        {"script in the choice", "choice: sofia", "choice: <script>"},
        {"short nonce", "nonce: 01010101010101010101010101010101", "nonce: 01"},
        {"swapped lines", "city: athens\nchoice: sofia\n", "choice: sofia\ncity: athens\n"},
        {"a line too many", "nonce: 01010101010101010101010101010101\n",
         "nonce: 01010101010101010101010101010101\nextra: 1\n"},
        {"no final newline", "01010101010101010101010101010101\n", "01010101010101010101010101010101"},
        {"abstain in capitals", "choice: sofia", "choice: ABSTAIN"},
        {"one-letter code", "city: athens", "city: a"},
    };
    char text[BALLOT_TEXT_MAX + 64];
    struct ballot r;

    (void)state;
    for (size_t i = 0; i < sizeof(edits) / sizeof(edits[0]); i++) {
        const char *at = strstr(GOLDEN_BALLOT, edits[i].from);
        size_t pre;
        assert_non_null(at);
        pre = (size_t)(at - GOLDEN_BALLOT);
        snprintf(text, sizeof(text), "%.*s%s%s", (int)pre, GOLDEN_BALLOT, edits[i].to, at + strlen(edits[i].from));
        print_message("ballot variant: %s\n", edits[i].what);
        assert_int_equal(ballot_parse(text, strlen(text), &r), -1);
    }
    /* a NUL inside, and trailing bytes */
    memcpy(text, GOLDEN_BALLOT, sizeof(GOLDEN_BALLOT));
    text[20] = '\0';
    assert_int_equal(ballot_parse(text, sizeof(GOLDEN_BALLOT) - 1, &r), -1);
    assert_int_equal(ballot_parse(GOLDEN_BALLOT "x", sizeof(GOLDEN_BALLOT), &r), -1);
    assert_int_equal(ballot_parse(GOLDEN_BALLOT, sizeof(GOLDEN_BALLOT) - 1, &r), 0);
}

static void test_chain_matches_independent_values(void **state)
{
    uint8_t c[32], bh[32], sig[64];
    char h[65];

    (void)state;
    ballot_chain_genesis(7, c);
    hex(c, h);
    assert_string_equal(h, "2c230285708238dbd64f326cf83e23fd1c21dbd64c1ac0aa32c8b0c5ed75a239");
    ballot_sha256(GOLDEN_BALLOT, strlen(GOLDEN_BALLOT), bh);
    memset(sig, 0x5a, sizeof(sig));
    ballot_chain_next(c, bh, sig, c); /* out aliases prev */
    hex(c, h);
    assert_string_equal(h, "90cba8aa2484a0ff06e96a5e155ddbab4149a760b41af5785681c391e7cc0c21");
}

static void test_receipt_head_and_poll_golden(void **state)
{
    uint8_t bh[32], chain[32];
    char out[POLL_TEXT_MAX];
    int64_t t;
    struct poll p;

    (void)state;
    memset(bh, 0x11, 32);
    memset(chain, 0x22, 32);
    assert_int_equal(timeutil_parse_rfc3339("2027-01-26T10:04:12.345Z", &t), 0);
    assert_true(receipt_format(7, 2, 31, bh, chain, t, out) > 0);
    assert_string_equal(out, "b40-receipt-v1\nnetwork: b40-balkan-cities\nelection: 7\nround: 2\nseq: 31\n"
                             "ballot-sha256: 1111111111111111111111111111111111111111111111111111111111111111\n"
                             "chain: 2222222222222222222222222222222222222222222222222222222222222222\n"
                             "recorded: 2027-01-26T10:04:12.345Z\n");
    assert_true(chain_head_format(7, 2, 58, chain, t, out) > 0);
    assert_string_equal(out, "b40-chain-head-v1\nnetwork: b40-balkan-cities\nelection: 7\nround: 2\nseq: 58\n"
                             "chain: 2222222222222222222222222222222222222222222222222222222222222222\n"
                             "closed: 2027-01-26T10:04:12.345Z\n");
    memset(&p, 0, sizeof(p));
    p.election = 7;
    p.round = 2;
    p.is_runoff = 1;
    p.candidates = "athens,sofia";
    p.quorum_num = 1;
    p.quorum_den = 2;
    p.members = 50;
    p.present = "athens,sofia,zagreb";
    p.eligible = "athens,zagreb";
    memset(p.eligible_keys_sha256, 0x33, 32);
    p.opened_ms = t;
    assert_true(poll_format(&p, out) > 0);
    assert_string_equal(out, "b40-poll-v1\nnetwork: b40-balkan-cities\nelection: 7\nround: 2\nkind: runoff\n"
                             "candidates: athens,sofia\nquorum: 1/2\nmembers: 50\npresent: athens,sofia,zagreb\n"
                             "eligible: athens,zagreb\n"
                             "eligible-keys-sha256: 3333333333333333333333333333333333333333333333333333333333333333\n"
                             "opened: 2027-01-26T10:04:12.345Z\n");
    p.quorum_den = 0;
    assert_int_equal(poll_format(&p, out), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ballot_golden_and_round_trip),
        cmocka_unit_test(test_ballot_refuses_other_spellings),
        cmocka_unit_test(test_chain_matches_independent_values),
        cmocka_unit_test(test_receipt_head_and_poll_golden),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
