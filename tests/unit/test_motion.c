/*
 * Unit tests of working-group motions: the counting rules (named cases:
 * odd and even member counts, ties, all abstain, no ballots, no quorum at
 * the boundary, and an exhaustive comparison with a reference written
 * differently over every small group), and the bytes of docs/audit.md's
 * motion formats: golden texts, the one-spelling rule against hostile
 * variants, chain values computed independently (Python's hashlib), and the
 * domain separation from election ballots.
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
#include "b40/motion.h"
#include "b40/timeutil.h"

/* ---- the count ---- */

#define P(c) {true, true, c}           /* present, voted c */
#define PNV {true, false, MOTION_YES}  /* present, not voting */
#define ABS {false, false, MOTION_YES} /* absent */

static struct motion_result decide(const struct motion_city *c, size_t n, enum motion_roll *roll)
{
    struct motion_result r;

    assert_int_equal(motion_decide(c, n, &r, roll), 0);
    assert_int_equal(r.yes + r.no + r.abstained + r.present_not_voting + r.absent, r.members); /* totals equal the roll */
    assert_int_equal(r.members, n);
    return r;
}

static void test_named_cases(void **state)
{
    struct motion_result r;
    enum motion_roll roll[8];

    (void)state;
    /* 5 members, 3 present (more than half): 2 yes, 1 no -> adopted */
    r = decide((const struct motion_city[]){P(MOTION_YES), P(MOTION_YES), P(MOTION_NO), ABS, ABS}, 5, roll);
    assert_int_equal(r.outcome, MOTION_ADOPTED);
    assert_true(r.quorum_met);
    assert_int_equal(r.threshold, 3);
    assert_int_equal(r.present, 3);
    assert_int_equal(roll[0], MOTION_ROLL_YES);
    assert_int_equal(roll[2], MOTION_ROLL_NO);
    assert_int_equal(roll[4], MOTION_ROLL_ABSENT);
    /* 4 members (even): 2 present is exactly half, not more: no quorum, whatever the votes */
    r = decide((const struct motion_city[]){P(MOTION_YES), P(MOTION_YES), ABS, ABS}, 4, roll);
    assert_int_equal(r.outcome, MOTION_NO_QUORUM);
    assert_false(r.quorum_met);
    assert_int_equal(r.threshold, 3);
    assert_int_equal(r.yes, 2); /* still counted and shown */
    /* 4 members, 3 present: a tie is not adopted */
    r = decide((const struct motion_city[]){P(MOTION_YES), P(MOTION_NO), P(MOTION_ABSTAIN), ABS}, 4, roll);
    assert_int_equal(r.outcome, MOTION_REJECTED);
    assert_int_equal(r.abstained, 1);
    assert_int_equal(roll[2], MOTION_ROLL_ABSTAINED);
    /* abstentions are not in the base: 1 yes, 0 no, 4 abstain -> adopted */
    r = decide((const struct motion_city[]){P(MOTION_YES), P(MOTION_ABSTAIN), P(MOTION_ABSTAIN), P(MOTION_ABSTAIN),
                                            P(MOTION_ABSTAIN)},
               5, roll);
    assert_int_equal(r.outcome, MOTION_ADOPTED);
    /* all abstain: no votes */
    r = decide((const struct motion_city[]){P(MOTION_ABSTAIN), P(MOTION_ABSTAIN), ABS}, 3, roll);
    assert_int_equal(r.outcome, MOTION_NO_VOTES);
    /* no ballots at all, quorum present: no votes; the present are present_not_voting */
    r = decide((const struct motion_city[]){PNV, PNV, ABS}, 3, roll);
    assert_int_equal(r.outcome, MOTION_NO_VOTES);
    assert_int_equal(r.present_not_voting, 2);
    assert_int_equal(roll[0], MOTION_ROLL_PRESENT_NOT_VOTING);
    /* more no than yes */
    r = decide((const struct motion_city[]){P(MOTION_NO), P(MOTION_NO), P(MOTION_YES)}, 3, roll);
    assert_int_equal(r.outcome, MOTION_REJECTED);
    /* a group without members: nobody present, no quorum */
    r = decide(NULL, 0, NULL);
    assert_int_equal(r.outcome, MOTION_NO_QUORUM);
    assert_int_equal(r.threshold, 1);
    /* one member, present, votes yes */
    r = decide((const struct motion_city[]){P(MOTION_YES)}, 1, roll);
    assert_int_equal(r.outcome, MOTION_ADOPTED);
    /* a ballot from a city that was not present is the caller's error */
    {
        struct motion_result bad;
        assert_int_equal(motion_decide((const struct motion_city[]){{false, true, MOTION_YES}}, 1, &bad, NULL), -1);
    }
    assert_string_equal(motion_outcome_name(MOTION_NO_QUORUM), "no_quorum");
    assert_string_equal(motion_roll_name(MOTION_ROLL_PRESENT_NOT_VOTING), "present_not_voting");
}

/* Every group of up to 6 cities, each absent, present-not-voting, yes, no or abstaining: against a reference. */
static void test_exhaustive(void **state)
{
    struct motion_city c[6];
    enum motion_roll roll[6];

    (void)state;
    for (size_t n = 0; n <= 6; n++) {
        size_t total = 1;
        for (size_t i = 0; i < n; i++)
            total *= 5;
        for (size_t code = 0; code < total; code++) {
            size_t k = code;
            unsigned present = 0, yes = 0, no = 0;
            enum motion_outcome want;
            struct motion_result r;
            for (size_t i = 0; i < n; i++, k /= 5) {
                unsigned v = (unsigned)(k % 5);
                c[i].present = v != 0;
                c[i].voted = v >= 2;
                c[i].choice = v == 2 ? MOTION_YES : v == 3 ? MOTION_NO : MOTION_ABSTAIN;
                present += v != 0;
                yes += v == 2;
                no += v == 3;
            }
            /* the reference: quorum is 2 * present > members; adopted is yes - no >= 1 */
            if (2 * present <= n)
                want = MOTION_NO_QUORUM;
            else if (yes == 0 && no == 0)
                want = MOTION_NO_VOTES;
            else if ((int)yes - (int)no >= 1)
                want = MOTION_ADOPTED;
            else
                want = MOTION_REJECTED;
            r = decide(c, n, roll);
            assert_int_equal(r.outcome, want);
            assert_int_equal(r.yes, yes);
            assert_int_equal(r.no, no);
            for (size_t i = 0; i < n; i++)
                assert_int_equal(roll[i], !c[i].present ? MOTION_ROLL_ABSENT
                                          : !c[i].voted ? MOTION_ROLL_PRESENT_NOT_VOTING
                                          : c[i].choice == MOTION_YES ? MOTION_ROLL_YES
                                          : c[i].choice == MOTION_NO ? MOTION_ROLL_NO
                                                                     : MOTION_ROLL_ABSTAINED);
        }
    }
}

static void test_choice_parse(void **state)
{
    enum motion_choice c;

    (void)state;
    assert_int_equal(motion_choice_parse("yes", &c), 0);
    assert_int_equal(c, MOTION_YES);
    assert_int_equal(motion_choice_parse("no", &c), 0);
    assert_int_equal(c, MOTION_NO);
    assert_int_equal(motion_choice_parse("abstain", &c), 0);
    assert_int_equal(c, MOTION_ABSTAIN);
    assert_int_equal(motion_choice_parse("Yes", &c), -1);
    assert_int_equal(motion_choice_parse("", &c), -1);
}

/* ---- the bytes ---- */

#define GOLDEN_MOTION_BALLOT                                                                                           \
    "b40-motion-ballot-v1\n"                                                                                           \
    "network: b40-balkan-cities\n"                                                                                     \
    "motion: 12\n"                                                                                                     \
    "poll: abababababababababababababababababababababababababababababababab\n"                                         \
    "city: athens\n"                                                                                                   \
    "choice: yes\n"                                                                                                    \
    "nonce: 01010101010101010101010101010101\n"

static struct motion_ballot golden(void)
{
    struct motion_ballot b;

    memset(&b, 0, sizeof(b));
    b.motion = 12;
    memset(b.poll, 0xab, 32);
    strcpy(b.city, "athens");
    strcpy(b.choice, "yes");
    memset(b.nonce, 0x01, sizeof(b.nonce));
    return b;
}

static void test_ballot_golden(void **state)
{
    struct motion_ballot b = golden(), r;
    char out[BALLOT_TEXT_MAX], h[65];
    uint8_t hash[32];
    int len;

    (void)state;
    len = motion_ballot_format(&b, out);
    assert_string_equal(out, GOLDEN_MOTION_BALLOT);
    assert_int_equal(len, (int)strlen(GOLDEN_MOTION_BALLOT));
    assert_int_equal(motion_ballot_parse(out, (size_t)len, &r), 0);
    assert_memory_equal(&r, &b, sizeof(b));
    ballot_sha256(out, (size_t)len, hash);
    identity_hex_encode(hash, 32, h);
    assert_string_equal(h, "50814b7a044a4bb51ff82da587e3fa3e7b8908489764642f377e32c38c2ce866"); /* Python hashlib */
    strcpy(b.choice, "no");
    assert_true(motion_ballot_format(&b, out) > 0);
    strcpy(b.choice, "abstain");
    assert_true(motion_ballot_format(&b, out) > 0);
    assert_int_equal(motion_ballot_parse(out, strlen(out), &r), 0);
    assert_string_equal(r.choice, "abstain");
    strcpy(b.choice, "maybe");
    assert_int_equal(motion_ballot_format(&b, out), -1);
    b = golden();
    b.motion = 0;
    assert_int_equal(motion_ballot_format(&b, out), -1);
}

static void test_ballot_refuses_other_spellings(void **state)
{
    static const struct {
        const char *what, *from, *to;
    } edits[] = {
        {"CRLF", "motion: 12\n", "motion: 12\r\n"},
        {"two spaces", "city: athens", "city:  athens"},
        {"upper-case hex", "poll: abab", "poll: ABAB"},
        {"leading zero", "motion: 12", "motion: 012"},
        {"motion zero", "motion: 12", "motion: 0"},
        {"negative motion", "motion: 12", "motion: -12"},
        {"another network", "b40-balkan-cities", "b40-other-cities"},
        {"another version", "b40-motion-ballot-v1", "b40-motion-ballot-v2"},
        {"the election's first line", "b40-motion-ballot-v1", "b40-ballot-v1"},
        {"Yes in capitals", "choice: yes", "choice: Yes"},
        {"a candidate instead of yes/no", "choice: yes", "choice: sofia"},
        {"a longer choice", "choice: yes", "choice: abstained"},
        {"script in the city", "city: athens", "city: <script>"},
        {"short nonce", "nonce: 01010101010101010101010101010101", "nonce: 01"},
        {"swapped lines", "city: athens\nchoice: yes\n", "choice: yes\ncity: athens\n"},
        {"a round line", "motion: 12\n", "motion: 12\nround: 1\n"},
        {"no final newline", "01010101010101010101010101010101\n", "01010101010101010101010101010101"},
    };
    char text[BALLOT_TEXT_MAX + 64];
    struct motion_ballot r;

    (void)state;
    for (size_t i = 0; i < sizeof(edits) / sizeof(edits[0]); i++) {
        const char *at = strstr(GOLDEN_MOTION_BALLOT, edits[i].from);
        size_t pre;
        assert_non_null(at);
        pre = (size_t)(at - GOLDEN_MOTION_BALLOT);
        snprintf(text, sizeof(text), "%.*s%s%s", (int)pre, GOLDEN_MOTION_BALLOT, edits[i].to, at + strlen(edits[i].from));
        print_message("motion ballot variant: %s\n", edits[i].what);
        assert_int_equal(motion_ballot_parse(text, strlen(text), &r), -1);
    }
    memcpy(text, GOLDEN_MOTION_BALLOT, sizeof(GOLDEN_MOTION_BALLOT));
    text[20] = '\0';
    assert_int_equal(motion_ballot_parse(text, sizeof(GOLDEN_MOTION_BALLOT) - 1, &r), -1);
    assert_int_equal(motion_ballot_parse(GOLDEN_MOTION_BALLOT "x", sizeof(GOLDEN_MOTION_BALLOT), &r), -1);
}

/* A motion ballot is never an election ballot, nor the other way round. */
static void test_domain_separation(void **state)
{
    struct ballot eb;
    struct motion_ballot mb = golden();
    char text[BALLOT_TEXT_MAX];
    int len;

    (void)state;
    len = motion_ballot_format(&mb, text);
    assert_int_equal(ballot_parse(text, (size_t)len, &eb), -1);
    memset(&eb, 0, sizeof(eb));
    eb.election = 12;
    eb.round = 1;
    memset(eb.poll, 0xab, 32);
    strcpy(eb.city, "athens");
    strcpy(eb.choice, "abstain");
    len = ballot_format(&eb, text);
    assert_true(len > 0);
    assert_int_equal(motion_ballot_parse(text, (size_t)len, &mb), -1);
    /* the chains start apart even for the same number */
    {
        uint8_t a[32], b[32];
        ballot_chain_genesis(12, a);
        motion_chain_genesis(12, b);
        assert_memory_not_equal(a, b, 32);
    }
}

static void test_chain_and_texts(void **state)
{
    uint8_t c[32], bh[32], sig[64];
    char h[65], out[BALLOT_TEXT_MAX];
    int64_t t;

    (void)state;
    motion_chain_genesis(12, c);
    identity_hex_encode(c, 32, h);
    assert_string_equal(h, "54c642d3fafae8cbf265085ae44fa004e5c98299f9c9ec6afe80102470519ac5");
    memset(bh, 0x11, 32);
    memset(sig, 0x22, 64);
    ballot_chain_next(c, bh, sig, c);
    identity_hex_encode(c, 32, h);
    assert_string_equal(h, "0d0f446933692abbfe9fca427ac4d7f04d6fc6cd8edaed13f4c757e125412798");
    assert_int_equal(timeutil_parse_rfc3339("2027-03-10T09:15:00.250Z", &t), 0);
    assert_true(motion_receipt_format(12, 3, bh, c, t, out) > 0);
    assert_string_equal(out, "b40-motion-receipt-v1\n"
                             "network: b40-balkan-cities\n"
                             "motion: 12\n"
                             "seq: 3\n"
                             "ballot-sha256: 1111111111111111111111111111111111111111111111111111111111111111\n"
                             "chain: 0d0f446933692abbfe9fca427ac4d7f04d6fc6cd8edaed13f4c757e125412798\n"
                             "recorded: 2027-03-10T09:15:00.250Z\n");
    assert_true(motion_chain_head_format(12, 3, c, t, out) > 0);
    assert_string_equal(out, "b40-motion-chain-head-v1\n"
                             "network: b40-balkan-cities\n"
                             "motion: 12\n"
                             "seq: 3\n"
                             "chain: 0d0f446933692abbfe9fca427ac4d7f04d6fc6cd8edaed13f4c757e125412798\n"
                             "closed: 2027-03-10T09:15:00.250Z\n");
}

static void test_poll_golden(void **state)
{
    static char out[POLL_TEXT_MAX];
    struct motion_poll p;

    (void)state;
    memset(&p, 0, sizeof(p));
    p.motion = 12;
    p.session = 7;
    p.group = "climate";
    memset(p.text_sha256, 0xcd, 32);
    p.quorum_num = 1;
    p.quorum_den = 2;
    p.members = "athens,sofia,tirana";
    p.present = "athens,sofia";
    p.eligible = "athens";
    memset(p.eligible_keys_sha256, 0xef, 32);
    assert_int_equal(timeutil_parse_rfc3339("2027-03-10T09:00:00.000Z", &p.opened_ms), 0);
    assert_true(motion_poll_format(&p, out) > 0);
    assert_string_equal(out, "b40-motion-poll-v1\n"
                             "network: b40-balkan-cities\n"
                             "motion: 12\n"
                             "group: climate\n"
                             "session: 7\n"
                             "text-sha256: cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd\n"
                             "quorum: 1/2\n"
                             "members: athens,sofia,tirana\n"
                             "present: athens,sofia\n"
                             "eligible: athens\n"
                             "eligible-keys-sha256: efefefefefefefefefefefefefefefefefefefefefefefefefefefefefefefef\n"
                             "opened: 2027-03-10T09:00:00.000Z\n");
    p.present = "";
    p.eligible = "";
    assert_true(motion_poll_format(&p, out) > 0);
    assert_non_null(strstr(out, "\npresent: \neligible: \n"));
    p.group = "Not A Code";
    assert_int_equal(motion_poll_format(&p, out), -1);
    p.group = "climate";
    p.session = 0;
    assert_int_equal(motion_poll_format(&p, out), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_named_cases),         cmocka_unit_test(test_exhaustive),
        cmocka_unit_test(test_choice_parse),        cmocka_unit_test(test_ballot_golden),
        cmocka_unit_test(test_ballot_refuses_other_spellings), cmocka_unit_test(test_domain_separation),
        cmocka_unit_test(test_chain_and_texts),     cmocka_unit_test(test_poll_golden),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
