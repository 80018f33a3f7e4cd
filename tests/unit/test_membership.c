/*
 * Unit tests of the membership rules (include/b40/membership.h): status on
 * a date, who is a member and who may vote, what a summit does, which
 * status changes the secretariat may make, and every field check with good
 * and hostile inputs. Each table row names its case and its expectation.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "b40/membership.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* ---- names ---- */

static void test_names_round_trip(void **state)
{
    static const char *const statuses[] = {"applicant", "member", "suspended", "former"};
    static const char *const joined[] = {"founding_summit", "summit_attendance", "approved_request"};
    static const char *const requests[] = {"pending", "approved", "rejected"};
    static const char *const refused[] = {"", "none", "any", "Member", "member ", " member", "MEMBER", "members",
                                          "founding", "pending\n", "fee", "paid"};
    enum membership_status s;
    enum membership_joined j;
    enum membership_request_state r;

    (void)state;
    for (size_t i = 0; i < COUNT(statuses); i++) {
        assert_int_equal(membership_status_parse(statuses[i], &s), 0);
        assert_string_equal(membership_status_name(s), statuses[i]);
    }
    for (size_t i = 0; i < COUNT(joined); i++) {
        assert_int_equal(membership_joined_parse(joined[i], &j), 0);
        assert_string_equal(membership_joined_name(j), joined[i]);
    }
    for (size_t i = 0; i < COUNT(requests); i++) {
        assert_int_equal(membership_request_state_parse(requests[i], &r), 0);
        assert_string_equal(membership_request_state_name(r), requests[i]);
    }
    for (size_t i = 0; i < COUNT(refused); i++) {
        s = MEMBERSHIP_FORMER;
        assert_int_equal(membership_status_parse(refused[i], &s), -1);
        assert_int_equal(s, MEMBERSHIP_FORMER); /* left alone */
        assert_int_equal(membership_joined_parse(refused[i], &j), -1);
        assert_int_equal(membership_request_state_parse(refused[i], &r), -1);
    }
    assert_int_equal(membership_status_parse(NULL, &s), -1);
    assert_null(membership_status_name(MEMBERSHIP_NONE));
    assert_null(membership_status_name((enum membership_status)99));
    assert_null(membership_joined_name(MEMBERSHIP_JOINED_NONE));
    assert_null(membership_request_state_name(MEMBERSHIP_REQUEST_ANY));
}

/* ---- status on a date ---- */

/* Athens-like: founding member, suspended in 2023, reinstated in 2024, left in 2025. */
static const struct membership_change history[] = {
    {MEMBERSHIP_MEMBER, "2021-11-29"},
    {MEMBERSHIP_SUSPENDED, "2023-03-01"},
    {MEMBERSHIP_MEMBER, "2024-01-29"},
    {MEMBERSHIP_FORMER, "2025-06-30"},
};

struct on_case {
    const char *name;
    const char *date;
    enum membership_status status;
    bool is_member;
};

static const struct on_case on_cases[] = {
    {"long before the first change", "1999-01-01", MEMBERSHIP_NONE, false},
    {"the day before the first change", "2021-11-28", MEMBERSHIP_NONE, false},
    {"on the day it joined", "2021-11-29", MEMBERSHIP_MEMBER, true},
    {"between joining and suspension", "2022-06-01", MEMBERSHIP_MEMBER, true},
    {"the day before the suspension", "2023-02-28", MEMBERSHIP_MEMBER, true},
    {"on the day of the suspension", "2023-03-01", MEMBERSHIP_SUSPENDED, true},
    {"while suspended (still a member)", "2023-12-31", MEMBERSHIP_SUSPENDED, true},
    {"on the day reinstated", "2024-01-29", MEMBERSHIP_MEMBER, true},
    {"after reinstatement", "2025-01-01", MEMBERSHIP_MEMBER, true},
    {"on the day it left", "2025-06-30", MEMBERSHIP_FORMER, false},
    {"long after it left", "2030-01-01", MEMBERSHIP_FORMER, false},
    {"a leap day", "2024-02-29", MEMBERSHIP_MEMBER, true},
    {"not a date", "2024-02-30", MEMBERSHIP_NONE, false},
    {"a date with a time", "2024-02-01T00:00", MEMBERSHIP_NONE, false},
    {"empty", "", MEMBERSHIP_NONE, false},
};

static void test_status_on_date(void **state)
{
    struct membership_change reversed[COUNT(history)];

    (void)state;
    for (size_t i = 0; i < COUNT(history); i++)
        reversed[i] = history[COUNT(history) - 1 - i];
    for (size_t i = 0; i < COUNT(on_cases); i++) {
        const struct on_case *c = &on_cases[i];
        print_message("status on: %s\n", c->name);
        assert_int_equal(membership_status_on(history, COUNT(history), c->date), c->status);
        assert_int_equal(membership_is_member_on(history, COUNT(history), c->date), c->is_member);
        /* the order of the array does not matter when the dates differ */
        assert_int_equal(membership_status_on(reversed, COUNT(reversed), c->date), c->status);
    }
    assert_int_equal(membership_status_on(NULL, 0, "2024-01-01"), MEMBERSHIP_NONE);
    assert_int_equal(membership_status_on(history, COUNT(history), NULL), MEMBERSHIP_NONE);
}

static void test_status_on_same_day_later_record_wins(void **state)
{
    /* suspended by mistake and reinstated the same day: the later record holds */
    static const struct membership_change same_day[] = {
        {MEMBERSHIP_MEMBER, "2022-06-01"},
        {MEMBERSHIP_SUSPENDED, "2024-05-05"},
        {MEMBERSHIP_MEMBER, "2024-05-05"},
    };
    static const struct membership_change bad_date[] = {
        {MEMBERSHIP_MEMBER, "2022-06-01"},
        {MEMBERSHIP_FORMER, "2023-13-01"}, /* ignored: not a date */
    };

    (void)state;
    assert_int_equal(membership_status_on(same_day, COUNT(same_day), "2024-05-05"), MEMBERSHIP_MEMBER);
    assert_int_equal(membership_status_on(same_day, COUNT(same_day), "2024-05-04"), MEMBERSHIP_MEMBER);
    assert_int_equal(membership_status_on(bad_date, COUNT(bad_date), "2030-01-01"), MEMBERSHIP_MEMBER);
}

static void test_can_vote(void **state)
{
    (void)state;
    assert_true(membership_can_vote(MEMBERSHIP_MEMBER));
    assert_false(membership_can_vote(MEMBERSHIP_SUSPENDED)); /* a member of the network, but no vote */
    assert_false(membership_can_vote(MEMBERSHIP_FORMER));
    assert_false(membership_can_vote(MEMBERSHIP_APPLICANT));
    assert_false(membership_can_vote(MEMBERSHIP_NONE));
}

/* ---- summits ---- */

static void test_balkan_countries(void **state)
{
    static const char *const balkan[] = {"AL", "BA", "BG", "GR", "HR", "ME", "MK",
                                         "RS", "SI", "RO", "TR", "XK", "MD"};
    static const char *const not_balkan[] = {"DE", "FR", "IT", "AT", "HU", "UA", "CY", "US", "gr", "G",
                                             "GRC", "",   " GR", "GR ", "<script>"};

    (void)state;
    for (size_t i = 0; i < COUNT(balkan); i++)
        assert_true(membership_country_is_balkan(balkan[i]));
    for (size_t i = 0; i < COUNT(not_balkan); i++)
        assert_false(membership_country_is_balkan(not_balkan[i]));
    assert_false(membership_country_is_balkan(NULL));
}

struct attend_case {
    const char *name;
    enum membership_status current;
    bool is_balkan;
    enum membership_attendance outcome;
};

static const struct attend_case attend_cases[] = {
    {"a Balkan city not in the registry joins", MEMBERSHIP_NONE, true, MEMBERSHIP_ATTEND_JOINS},
    {"a Balkan applicant joins", MEMBERSHIP_APPLICANT, true, MEMBERSHIP_ATTEND_JOINS},
    {"a Balkan former member rejoins", MEMBERSHIP_FORMER, true, MEMBERSHIP_ATTEND_JOINS},
    {"a Balkan member stays a member", MEMBERSHIP_MEMBER, true, MEMBERSHIP_ATTEND_STAYS_MEMBER},
    {"a suspended Balkan city stays suspended", MEMBERSHIP_SUSPENDED, true, MEMBERSHIP_ATTEND_STAYS_SUSPENDED},
    {"a non-Balkan city not in the registry does not join", MEMBERSHIP_NONE, false, MEMBERSHIP_ATTEND_NOT_ELIGIBLE},
    {"a non-Balkan applicant does not join", MEMBERSHIP_APPLICANT, false, MEMBERSHIP_ATTEND_NOT_ELIGIBLE},
    {"a non-Balkan former member does not rejoin", MEMBERSHIP_FORMER, false, MEMBERSHIP_ATTEND_NOT_ELIGIBLE},
    {"a non-Balkan member (by request) stays a member", MEMBERSHIP_MEMBER, false, MEMBERSHIP_ATTEND_STAYS_MEMBER},
    {"a suspended non-Balkan city stays suspended", MEMBERSHIP_SUSPENDED, false, MEMBERSHIP_ATTEND_STAYS_SUSPENDED},
};

static void test_attendance(void **state)
{
    (void)state;
    for (size_t i = 0; i < COUNT(attend_cases); i++) {
        print_message("attendance: %s\n", attend_cases[i].name);
        assert_int_equal(membership_on_attendance(attend_cases[i].current, attend_cases[i].is_balkan),
                         attend_cases[i].outcome);
    }
}

/* ---- transitions ---- */

static void test_transitions(void **state)
{
    static const enum membership_status all[] = {MEMBERSHIP_NONE, MEMBERSHIP_APPLICANT, MEMBERSHIP_MEMBER,
                                                 MEMBERSHIP_SUSPENDED, MEMBERSHIP_FORMER};
    /* the only five changes city.set_status makes */
    static const enum membership_status allowed[][2] = {
        {MEMBERSHIP_MEMBER, MEMBERSHIP_SUSPENDED},  /* suspend */
        {MEMBERSHIP_SUSPENDED, MEMBERSHIP_MEMBER},  /* reinstate */
        {MEMBERSHIP_MEMBER, MEMBERSHIP_FORMER},     /* leave */
        {MEMBERSHIP_SUSPENDED, MEMBERSHIP_FORMER},  /* leave while suspended */
        {MEMBERSHIP_FORMER, MEMBERSHIP_MEMBER},     /* rejoin */
    };

    (void)state;
    for (size_t i = 0; i < COUNT(all); i++)
        for (size_t j = 0; j < COUNT(all); j++) {
            enum membership_transition want = MEMBERSHIP_TRANSITION_REFUSED;
            if (i == j)
                want = MEMBERSHIP_TRANSITION_SAME;
            for (size_t k = 0; k < COUNT(allowed); k++)
                if (allowed[k][0] == all[i] && allowed[k][1] == all[j])
                    want = MEMBERSHIP_TRANSITION_ALLOWED;
            print_message("transition %d -> %d\n", (int)all[i], (int)all[j]);
            assert_int_equal(membership_transition_check(all[i], all[j]), want);
        }
    /* spelled out, the ones people ask about */
    assert_int_equal(membership_transition_check(MEMBERSHIP_APPLICANT, MEMBERSHIP_MEMBER), MEMBERSHIP_TRANSITION_REFUSED);
    assert_int_equal(membership_transition_check(MEMBERSHIP_FORMER, MEMBERSHIP_SUSPENDED), MEMBERSHIP_TRANSITION_REFUSED);
    assert_int_equal(membership_transition_check(MEMBERSHIP_MEMBER, MEMBERSHIP_APPLICANT), MEMBERSHIP_TRANSITION_REFUSED);
    assert_int_equal(membership_transition_check(MEMBERSHIP_MEMBER, MEMBERSHIP_MEMBER), MEMBERSHIP_TRANSITION_SAME);
}

/* ---- validators ---- */

struct str_case {
    const char *name;
    const char *input;
    bool valid;
};

static void run_cases(const char *what, const struct str_case *cases, size_t n, bool (*check)(const char *))
{
    for (size_t i = 0; i < n; i++) {
        print_message("%s: %s\n", what, cases[i].name);
        assert_int_equal(check(cases[i].input), cases[i].valid);
    }
    assert_false(check(NULL));
}

static const struct str_case code_cases[] = {
    {"a simple code", "athens", true},
    {"with a hyphen", "veliko-tarnovo", true},
    {"with digits", "a1", true},
    {"two characters", "ab", true},
    {"32 characters", "abcdefghijklmnopqrstuvwxyz012345", true},
    {"33 characters", "abcdefghijklmnopqrstuvwxyz0123456", false},
    {"one character", "a", false},
    {"empty", "", false},
    {"starts with a digit", "1athens", false},
    {"starts with a hyphen", "-athens", false},
    {"upper case", "Athens", false},
    {"a space", "new york", false},
    {"an underscore", "new_york", false},
    {"non-ASCII", "kırklareli", false},
    {"a script tag", "<script>", false},
    {"a path", "../etc", false},
    {"a newline at the end", "athens\n", false},
    {"a SQL quote", "a'; DROP TABLE cities;--", false},
};

static const struct str_case country_cases[] = {
    {"Greece", "GR", true},
    {"Kosovo", "XK", true},
    {"lower case", "gr", false},
    {"one letter", "G", false},
    {"three letters", "GRC", false},
    {"digits", "12", false},
    {"empty", "", false},
    {"a trailing newline", "GR\n", false},
    {"a script tag", "<s", false},
    {"non-ASCII", "\xc3\x96Z", false},
};

static const struct str_case date_cases[] = {
    {"a plain date", "2021-11-29", true},
    {"a leap day in a leap year", "2024-02-29", true},
    {"a leap day in 2000", "2000-02-29", true},
    {"the last day of the year", "2026-12-31", true},
    {"year 1", "0001-01-01", true},
    {"year 9999", "9999-12-31", true},
    {"a leap day in a common year", "2023-02-29", false},
    {"a leap day in 1900", "1900-02-29", false},
    {"30 February", "2024-02-30", false},
    {"31 April", "2024-04-31", false},
    {"month 13", "2024-13-01", false},
    {"month 0", "2024-00-10", false},
    {"day 0", "2024-01-00", false},
    {"day 32", "2024-01-32", false},
    {"year 0", "0000-01-01", false},
    {"no zero padding", "2024-1-1", false},
    {"slashes", "2024/01/01", false},
    {"with a time", "2024-01-01T00:00:00Z", false},
    {"a trailing space", "2024-01-01 ", false},
    {"a sign", "+024-01-01", false},
    {"empty", "", false},
    {"a script tag", "<script>x</script>", false},
};

static const struct str_case email_cases[] = {
    {"a plain address", "secretariat@ibb.istanbul", true},
    {"dots and plus", "first.last+b40@city.example.org", true},
    {"shortest sensible", "a@b.c", true},
    {"a hyphenated domain", "x@stara-zagora.bg", true},
    {"an internationalised local part", "δήμος@athens.gr", true},
    {"an internationalised domain", "info@kırklareli.bel.tr", true},
    {"no at sign", "secretariat.ibb.istanbul", false},
    {"two at signs", "a@b@c.d", false},
    {"empty local part", "@city.example", false},
    {"no dot in the domain", "a@localhost", false},
    {"an empty domain", "a@", false},
    {"a domain starting with a dot", "a@.example.org", false},
    {"a domain ending with a dot", "a@example.org.", false},
    {"two dots in the domain", "a@example..org", false},
    {"a label starting with a hyphen", "a@-x.org", false},
    {"a label ending with a hyphen", "a@x-.org", false},
    {"a local part starting with a dot", ".a@x.org", false},
    {"a local part ending with a dot", "a.@x.org", false},
    {"two dots in the local part", "a..b@x.org", false},
    {"a space", "a b@x.org", false},
    {"a leading space", " a@x.org", false},
    {"a newline (header injection)", "a@x.org\nBcc: all@x.org", false},
    {"a carriage return", "a@x.org\r", false},
    {"a tab", "a\t@x.org", false},
    {"a DEL", "a\x7f@x.org", false},
    {"a C1 control", "a\xc2\x85@x.org", false},
    {"a bidi override", "a\xe2\x80\xae@x.org", false},
    {"a script tag", "<script>alert(1)</script>@x.org", false},
    {"angle brackets", "Name <a@x.org>", false},
    {"quotes", "\"a\"@x.org", false},
    {"a comma", "a,b@x.org", false},
    {"invalid UTF-8", "a\xff@x.org", false},
    {"too short", "a@", false},
    {"empty", "", false},
    {"a 64-byte local part",
     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@x.org", true},
    {"a 63-byte domain label",
     "a@aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.org", true},
    {"a 65-byte local part",
     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@x.org", false},
    {"a 64-byte domain label",
     "a@aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.org", false},
};

static const struct str_case tz_cases[] = {
    {"Istanbul", "Europe/Istanbul", true},
    {"Tirane", "Europe/Tirane", true},
    {"three components", "America/Argentina/Buenos_Aires", true},
    {"a hyphen", "America/Port-au-Prince", true},
    {"no slash", "UTC", false},
    {"no area", "/Istanbul", false},
    {"a trailing slash", "Europe/", false},
    {"a double slash", "Europe//Istanbul", false},
    {"a path traversal", "Europe/../../etc/passwd", false},
    {"a dot", "Europe/.Istanbul", false},
    {"digits", "Etc/GMT+3", false},
    {"a space", "Europe/New York", false},
    {"a component starting with '_'", "Europe/_x", false},
    {"a script tag", "<script>/x", false},
    {"a newline", "Europe/Athens\n", false},
    {"non-ASCII", "Europe/İstanbul", false},
    {"empty", "", false},
    {"65 bytes", "Europe/Aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false},
};

static bool email_check(const char *s) { return membership_email_is_valid(s); }

static void test_code_country_date(void **state)
{
    (void)state;
    run_cases("code", code_cases, COUNT(code_cases), membership_code_is_valid);
    run_cases("country", country_cases, COUNT(country_cases), membership_country_is_valid);
    run_cases("date", date_cases, COUNT(date_cases), membership_date_is_valid);
}

static void test_email(void **state)
{
    char longest[MEMBERSHIP_EMAIL_MAX + 2];

    (void)state;
    run_cases("email", email_cases, COUNT(email_cases), email_check);
    /* 254 bytes pass, 255 do not: a local part of 64, then labels of 60 */
    memset(longest, 'a', sizeof(longest));
    longest[64] = '@';
    for (size_t i = 65 + 60; i < MEMBERSHIP_EMAIL_MAX; i += 61)
        longest[i] = '.';
    longest[MEMBERSHIP_EMAIL_MAX] = '\0';
    assert_true(membership_email_is_valid(longest));
    longest[MEMBERSHIP_EMAIL_MAX] = 'a';
    longest[MEMBERSHIP_EMAIL_MAX + 1] = '\0';
    assert_false(membership_email_is_valid(longest));
}

static void test_tz(void **state)
{
    (void)state;
    run_cases("tz", tz_cases, COUNT(tz_cases), membership_tz_is_valid);
}

struct text_case {
    const char *name;
    const char *input;
    bool single_line; /* valid as a name (one line) */
    bool multi_line;  /* valid as a reason (line feeds allowed) */
};

static const struct text_case text_cases[] = {
    {"plain text", "Athens", true, true},
    {"Greek", "Αθήνα", true, true},
    {"Turkish letters", "Kırklareli", true, true},
    {"Cyrillic", "Велико Търново", true, true},
    {"markup is text (shown escaped)", "<script>alert(1)</script>", true, true},
    {"quotes and ampersands", "\"Tom & Jerry's\"", true, true},
    {"an emoji", "Split \xf0\x9f\x8c\x8a", true, true},
    {"line feeds", "first line\nsecond line", false, true},
    {"a trailing line feed", "why we ask\n", false, true},
    {"a carriage return", "a\r\nb", false, false},
    {"a tab", "a\tb", false, false},
    {"NUL-free C0 control", "a\x01" "b", false, false},
    {"escape (terminal codes)", "a\x1b[31mred", false, false},
    {"DEL", "a\x7f", false, false},
    {"a C1 control (NEL)", "a\xc2\x85" "b", false, false},
    {"a line separator", "a\xe2\x80\xa8" "b", false, false},
    {"a paragraph separator", "a\xe2\x80\xa9" "b", false, false},
    {"a right-to-left override", "evil\xe2\x80\xae" "gnp.exe", false, false},
    {"a left-to-right embedding", "\xe2\x80\xaa" "x", false, false},
    {"a first strong isolate", "x\xe2\x81\xa8", false, false},
    {"only spaces", "   ", false, false},
    {"only line feeds", "\n\n", false, false},
    {"only no-break spaces", "\xc2\xa0\xc2\xa0", false, false},
    {"empty", "", false, false},
    {"invalid UTF-8", "a\xff" "b", false, false},
    {"an overlong encoding", "\xc0\xaf", false, false},
    {"a surrogate", "\xed\xa0\x80", false, false},
    {"beyond U+10FFFF", "\xf4\x90\x80\x80", false, false},
    {"a truncated sequence", "ab\xe2\x82", false, false},
};

static void test_text(void **state)
{
    char big[200];

    (void)state;
    for (size_t i = 0; i < COUNT(text_cases); i++) {
        print_message("text: %s\n", text_cases[i].name);
        assert_int_equal(membership_text_is_valid(text_cases[i].input, 1, 100, false), text_cases[i].single_line);
        assert_int_equal(membership_text_is_valid(text_cases[i].input, 1, 100, true), text_cases[i].multi_line);
    }
    assert_false(membership_text_is_valid(NULL, 0, 100, true));
    /* bounds are in bytes */
    memset(big, 'x', sizeof(big));
    big[100] = '\0';
    assert_true(membership_text_is_valid(big, 1, 100, false));
    big[100] = 'x';
    big[101] = '\0';
    assert_false(membership_text_is_valid(big, 1, 100, false)); /* overlong */
    assert_false(membership_text_is_valid("Αθήνα", 1, 9, false)); /* 10 bytes, 5 letters */
    assert_true(membership_text_is_valid("Αθήνα", 1, 10, false));
    assert_false(membership_text_is_valid("ab", 3, 10, false)); /* too short */
    assert_true(membership_text_is_valid("", 0, 10, false));    /* empty allowed only with min 0 */
}

static void test_coordinates_and_date_from_ms(void **state)
{
    char date[MEMBERSHIP_DATE_LEN + 1];

    (void)state;
    assert_true(membership_coordinates_are_valid(37.9838, 23.7275));
    assert_true(membership_coordinates_are_valid(-90, 180));
    assert_false(membership_coordinates_are_valid(90.0001, 0));
    assert_false(membership_coordinates_are_valid(0, -180.0001));
    assert_false(membership_coordinates_are_valid(NAN, 0));
    assert_false(membership_coordinates_are_valid(INFINITY, 0));

    assert_int_equal(membership_date_from_ms(0, date), 0);
    assert_string_equal(date, "1970-01-01");
    assert_int_equal(membership_date_from_ms(1638144000000LL, date), 0); /* 2021-11-29T00:00:00Z */
    assert_string_equal(date, "2021-11-29");
    assert_int_equal(membership_date_from_ms(1638143999999LL, date), 0); /* one ms before */
    assert_string_equal(date, "2021-11-28");
    assert_int_equal(membership_date_from_ms(-1, date), 0);
    assert_string_equal(date, "1969-12-31");
    assert_int_equal(membership_date_from_ms(INT64_MAX, date), -1);
    assert_int_equal(membership_date_from_ms(INT64_MIN, date), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names_round_trip),
        cmocka_unit_test(test_status_on_date),
        cmocka_unit_test(test_status_on_same_day_later_record_wins),
        cmocka_unit_test(test_can_vote),
        cmocka_unit_test(test_balkan_countries),
        cmocka_unit_test(test_attendance),
        cmocka_unit_test(test_transitions),
        cmocka_unit_test(test_code_country_date),
        cmocka_unit_test(test_email),
        cmocka_unit_test(test_tz),
        cmocka_unit_test(test_text),
        cmocka_unit_test(test_coordinates_and_date_from_ms),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
