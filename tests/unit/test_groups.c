/*
 * Unit tests of the working groups' rules (include/b40/groups.h): field
 * syntax, calendar quarters, a term's quarters, the quarterly plan, the
 * overdue rule, the two-signature rule and the exact bytes of the signed
 * statements of docs/groups.md. Pure functions: no database, no socket.
 * Each case names its input and its expected value side by side.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "b40/groups.h"
#include "b40/identity.h"
#include "b40/timeutil.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* ms of an RFC 3339 time (the server's one form). */
static int64_t ms(const char *text)
{
    int64_t v = 0;

    if (timeutil_parse_rfc3339(text, &v) != 0)
        fail_msg("bad test time %s", text);
    return v;
}

static const char *text_of(int64_t v)
{
    static char buf[TIMEUTIL_RFC3339_LEN];

    assert_int_equal(timeutil_rfc3339(v, buf), 0);
    return buf;
}

/* ---- syntax ---- */

static void test_codes(void **state)
{
    static const char *const good[] = {"ab", "climate", "smart-cities", "democracy-migration", "a1", "z-",
                                       "abcdefghijklmnopqrstuvwxyz012345"};
    static const char *const bad[] = {"", "a", "Climate", "1abc", "-ab", "ab_c", "ab c", "ab.c", "ąb",
                                      "abcdefghijklmnopqrstuvwxyz0123456"};

    (void)state;
    for (size_t i = 0; i < COUNT(good); i++)
        if (!groups_code_is_valid(good[i]))
            fail_msg("'%s' refused", good[i]);
    for (size_t i = 0; i < COUNT(bad); i++)
        if (groups_code_is_valid(bad[i]))
            fail_msg("'%s' accepted", bad[i]);
    assert_false(groups_code_is_valid(NULL));
}

static void test_texts(void **state)
{
    char long_name[GROUPS_NAME_MAX + 2], long_reason[GROUPS_REASON_MAX + 2], long_note[GROUPS_NOTE_MAX + 2];

    (void)state;
    memset(long_name, 'x', sizeof(long_name) - 1);
    long_name[sizeof(long_name) - 1] = '\0';
    memset(long_reason, 'x', sizeof(long_reason) - 1);
    long_reason[sizeof(long_reason) - 1] = '\0';
    memset(long_note, 'x', sizeof(long_note) - 1);
    long_note[sizeof(long_note) - 1] = '\0';

    assert_true(groups_name_is_valid("Local climate action"));
    assert_true(groups_name_is_valid("Τοπική δράση για το κλίμα"));
    assert_true(groups_name_is_valid("<script>alert(1)</script>")); /* stored as sent, shown escaped */
    assert_false(groups_name_is_valid(""));
    assert_false(groups_name_is_valid("   "));
    assert_false(groups_name_is_valid("two\nlines"));
    assert_false(groups_name_is_valid("tab\there"));
    assert_false(groups_name_is_valid("\xe2\x80\xae" "reversed")); /* U+202E */
    assert_false(groups_name_is_valid("bad \xff utf-8"));
    assert_false(groups_name_is_valid(long_name));
    long_name[GROUPS_NAME_MAX] = '\0';
    assert_true(groups_name_is_valid(long_name));
    assert_false(groups_name_is_valid(NULL));

    assert_true(groups_description_is_valid("Rivers, ports and drinking water"));
    assert_false(groups_description_is_valid(""));
    assert_false(groups_description_is_valid("a\nb"));
    assert_true(groups_title_is_valid("Quarterly session, 2026Q4"));
    assert_false(groups_title_is_valid(""));
    assert_true(groups_agenda_item_is_valid("Reports of the member cities"));
    assert_false(groups_agenda_item_is_valid(""));
    assert_false(groups_agenda_item_is_valid("a\nb"));

    assert_true(groups_reason_is_valid("Floods need a coordinated answer"));
    assert_false(groups_reason_is_valid("two\nlines")); /* it is signed: one line */
    assert_false(groups_reason_is_valid(""));
    assert_false(groups_reason_is_valid(long_reason));

    assert_true(groups_note_is_valid(""));
    assert_true(groups_note_is_valid("first line\nsecond line"));
    assert_false(groups_note_is_valid("carriage\r\nreturn"));
    assert_false(groups_note_is_valid(long_note));
    assert_false(groups_note_is_valid(NULL));

    static const char *const statuses[] = {"planned", "in_progress", "implemented", "not_planned"};
    for (size_t i = 0; i < COUNT(statuses); i++)
        assert_true(groups_followup_status_is_valid(statuses[i]));
    assert_false(groups_followup_status_is_valid("done"));
    assert_false(groups_followup_status_is_valid("Planned"));
    assert_false(groups_followup_status_is_valid(""));
    assert_false(groups_followup_status_is_valid(NULL));
    assert_true(groups_kind_is_valid("permanent"));
    assert_true(groups_kind_is_valid("temporary"));
    assert_false(groups_kind_is_valid("forever"));
    assert_false(groups_kind_is_valid(NULL));
}

static void test_urls(void **state)
{
    static const char *const good[] = {
        "https://meet.jit.si/B40-climate-2026Q4",
        "https://example.org",
        "https://b40.example:8443/room?x=1&y=2#top",
        "https://zoom.us/j/123456789?pwd=abcDEF",
        "https://teams.microsoft.com/l/meetup-join/19%3ameeting",
    };
    static const char *const bad[] = {
        "http://meet.jit.si/x", "https://", "https:///x", "https://-a.org", "https://a.org-", "https://.a.org",
        "https://a.org x", "https://a.org/\"onmouseover", "https://a.org/'", "https://a.org/<script>",
        "javascript:alert(1)", "https://a.org:", "https://a.org:123456", "https://user@evil.org",
        "https://a.org/\\x", "https://a.org/`x`", "https://a.org/\xc3\xa9", "HTTPS://a.org", "https://a.org\t",
        " https://a.org",
    };
    char long_url[GROUPS_URL_MAX + 2];

    (void)state;
    for (size_t i = 0; i < COUNT(good); i++)
        if (!groups_url_is_valid(good[i]))
            fail_msg("'%s' refused", good[i]);
    for (size_t i = 0; i < COUNT(bad); i++)
        if (groups_url_is_valid(bad[i]))
            fail_msg("'%s' accepted", bad[i]);
    assert_false(groups_url_is_valid(NULL));
    memcpy(long_url, "https://a.org/", 14);
    memset(long_url + 14, 'x', sizeof(long_url) - 15);
    long_url[sizeof(long_url) - 1] = '\0';
    assert_false(groups_url_is_valid(long_url)); /* 301 bytes */
    long_url[GROUPS_URL_MAX] = '\0';
    assert_true(groups_url_is_valid(long_url)); /* 300 */
}

static void test_end_and_duration(void **state)
{
    (void)state;
    assert_true(groups_end_is_valid("permanent", NULL, "2026-11-27"));
    assert_true(groups_end_is_valid("permanent", "", "2026-11-27"));
    assert_false(groups_end_is_valid("permanent", "2027-06-30", "2026-11-27"));
    assert_true(groups_end_is_valid("temporary", "2027-06-30", "2026-11-27"));
    assert_true(groups_end_is_valid("temporary", "2026-11-28", "2026-11-27"));
    assert_false(groups_end_is_valid("temporary", "2026-11-27", "2026-11-27")); /* must be after its start */
    assert_false(groups_end_is_valid("temporary", "2026-11-26", "2026-11-27"));
    assert_false(groups_end_is_valid("temporary", NULL, "2026-11-27"));
    assert_false(groups_end_is_valid("temporary", "", "2026-11-27"));
    assert_false(groups_end_is_valid("temporary", "2027-02-30", "2026-11-27"));
    assert_false(groups_end_is_valid("temporary", "2027-06-30", "bad"));
    assert_false(groups_end_is_valid("other", NULL, "2026-11-27"));

    assert_true(groups_duration_is_valid(0, GROUPS_SESSION_MIN_MS));
    assert_false(groups_duration_is_valid(0, GROUPS_SESSION_MIN_MS - 1));
    assert_true(groups_duration_is_valid(0, GROUPS_SESSION_MAX_MS));
    assert_false(groups_duration_is_valid(0, GROUPS_SESSION_MAX_MS + 1));
    assert_false(groups_duration_is_valid(100, 100));
    assert_false(groups_duration_is_valid(100, 50));
}

/* ---- quarters ---- */

static void test_quarter_of(void **state)
{
    static const struct {
        const char *time, *quarter, *start, *end;
    } cases[] = {
        {"2026-11-27T12:14:24.000Z", "2026Q4", "2026-10-01T00:00:00.000Z", "2027-01-01T00:00:00.000Z"},
        {"2027-01-01T00:00:00.000Z", "2027Q1", "2027-01-01T00:00:00.000Z", "2027-04-01T00:00:00.000Z"},
        {"2026-12-31T23:59:59.999Z", "2026Q4", "2026-10-01T00:00:00.000Z", "2027-01-01T00:00:00.000Z"},
        {"2026-03-31T23:59:59.999Z", "2026Q1", "2026-01-01T00:00:00.000Z", "2026-04-01T00:00:00.000Z"},
        {"2026-04-01T00:00:00.000Z", "2026Q2", "2026-04-01T00:00:00.000Z", "2026-07-01T00:00:00.000Z"},
        {"2026-06-30T12:00:00.000Z", "2026Q2", "2026-04-01T00:00:00.000Z", "2026-07-01T00:00:00.000Z"},
        {"2026-07-01T00:00:00.000Z", "2026Q3", "2026-07-01T00:00:00.000Z", "2026-10-01T00:00:00.000Z"},
        {"2024-02-29T10:00:00.000Z", "2024Q1", "2024-01-01T00:00:00.000Z", "2024-04-01T00:00:00.000Z"},
        {"1969-12-31T23:00:00.000Z", "1969Q4", "1969-10-01T00:00:00.000Z", "1970-01-01T00:00:00.000Z"},
        {"2021-11-29T00:00:00.000Z", "2021Q4", "2021-10-01T00:00:00.000Z", "2022-01-01T00:00:00.000Z"},
    };
    struct groups_quarter q;
    char name[8];

    (void)state;
    for (size_t i = 0; i < COUNT(cases); i++) {
        assert_int_equal(groups_quarter_of(ms(cases[i].time), &q), 0);
        groups_quarter_name(q, name);
        if (strcmp(name, cases[i].quarter))
            fail_msg("%s: %s, expected %s", cases[i].time, name, cases[i].quarter);
        assert_int_equal(groups_quarter_start_ms(q), ms(cases[i].start));
        assert_int_equal(groups_quarter_end_ms(q), ms(cases[i].end));
    }
    assert_int_equal(groups_quarter_of_date("2026-09-30", &q), 0);
    groups_quarter_name(q, name);
    assert_string_equal(name, "2026Q3");
    assert_int_equal(groups_quarter_of_date("2026-09-31", &q), -1);
    assert_int_equal(groups_quarter_of(-62200000000000LL, &q), -1); /* before year 1 */
}

static void test_quarter_walk_and_parse(void **state)
{
    static const char *const bad[] = {"", "2027Q5", "2027Q0", "2027q1", "27Q1", "0000Q1", "2027Q12", "2027-Q1",
                                      "20x7Q1", "2027Q"};
    struct groups_quarter q = {2026, 4}, r;
    char name[8];

    (void)state;
    groups_quarter_name(groups_quarter_next(q), name);
    assert_string_equal(name, "2027Q1");
    groups_quarter_name(groups_quarter_prev((struct groups_quarter){2027, 1}), name);
    assert_string_equal(name, "2026Q4");
    groups_quarter_name(groups_quarter_next((struct groups_quarter){2026, 2}), name);
    assert_string_equal(name, "2026Q3");
    groups_quarter_name(groups_quarter_prev((struct groups_quarter){2026, 2}), name);
    assert_string_equal(name, "2026Q1");
    groups_quarter_name((struct groups_quarter){2026, 5}, name);
    assert_string_equal(name, "");
    assert_int_equal(groups_quarter_parse("2027Q1", &r), 0);
    assert_int_equal(r.year, 2027);
    assert_int_equal(r.quarter, 1);
    assert_int_equal(groups_quarter_parse("0001Q4", &r), 0);
    for (size_t i = 0; i < COUNT(bad); i++)
        if (groups_quarter_parse(bad[i], &r) != -1)
            fail_msg("'%s' parsed", bad[i]);
    assert_int_equal(groups_quarter_parse(NULL, &r), -1);
    /* the last quarter there is ends at the first instant after 9999-12-31 */
    assert_int_equal(groups_quarter_end_ms((struct groups_quarter){9999, 4}),
                     ms("9999-10-01T00:00:00.000Z") + 92LL * 24 * 3600 * 1000);
}

static void test_term(void **state)
{
    static const struct {
        const char *start, *next, *end;
    } ends[] = {
        {"2026-01-25", NULL, "2027-01-24"},
        {"2026-01-25", "", "2027-01-24"},
        {"2026-01-25", "2027-01-31", "2027-01-30"},
        {"2026-01-25", "2026-01-26", "2026-01-25"},
        {"2024-02-29", NULL, "2025-02-28"},
        {"2025-03-01", NULL, "2026-02-28"},
        {"2023-03-01", NULL, "2024-02-29"},
    };
    struct groups_quarter qs[GROUPS_TERM_QUARTERS_MAX];
    char out[11], name[8];
    size_t n = 99;

    (void)state;
    for (size_t i = 0; i < COUNT(ends); i++) {
        assert_int_equal(groups_term_end(ends[i].start, ends[i].next, out), 0);
        if (strcmp(out, ends[i].end))
            fail_msg("term from %s (next %s): ends %s, expected %s", ends[i].start, ends[i].next ? ends[i].next : "-",
                     out, ends[i].end);
    }
    assert_int_equal(groups_term_end("2026-01-25", "2026-01-25", out), -1); /* the next summit must come after */
    assert_int_equal(groups_term_end("2026-01-25", "2025-01-25", out), -1);
    assert_int_equal(groups_term_end("2026-02-30", NULL, out), -1);
    assert_int_equal(groups_term_end("2026-01-25", "bad", out), -1);

    assert_int_equal(groups_term_quarters("2026-01-25", "2027-01-24", qs, COUNT(qs), &n), 0);
    assert_int_equal(n, 5);
    {
        static const char *const want[] = {"2026Q1", "2026Q2", "2026Q3", "2026Q4", "2027Q1"};
        for (size_t i = 0; i < n; i++) {
            groups_quarter_name(qs[i], name);
            assert_string_equal(name, want[i]);
        }
    }
    assert_int_equal(groups_term_quarters("2026-10-01", "2026-12-31", qs, COUNT(qs), &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(groups_term_quarters("2026-01-01", "2026-01-01", qs, COUNT(qs), &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(groups_term_quarters("2027-01-24", "2026-01-25", qs, COUNT(qs), &n), -1);
    assert_int_equal(groups_term_quarters("2026-01-25", "2027-01-24", qs, 4, &n), -1); /* does not fit */
    assert_int_equal(n, 0);
    assert_int_equal(groups_term_quarters("2021-01-01", "2026-01-01", qs, COUNT(qs), &n), -1);
    assert_int_equal(groups_term_quarters("bad", "2026-01-01", qs, COUNT(qs), &n), -1);
}

/* ---- the plan ---- */

static void test_plan(void **state)
{
    static const struct {
        const char *quarter, *now, *last_day, *start; /* start NULL: no session */
    } cases[] = {
        /* the default: the 15th of the second month, 07:00 UTC (10:00 in Istanbul) */
        {"2027Q1", "2026-11-27T12:14:24.000Z", NULL, "2027-02-15T07:00:00.000Z"}, /* a Monday */
        {"2027Q2", "2026-11-27T12:14:24.000Z", NULL, "2027-05-17T07:00:00.000Z"}, /* the 15th is a Saturday */
        {"2027Q3", "2026-11-27T12:14:24.000Z", NULL, "2027-08-16T07:00:00.000Z"}, /* the 15th is a Sunday */
        {"2026Q2", "2026-01-01T00:00:00.000Z", NULL, "2026-05-15T07:00:00.000Z"}, /* a Friday */
        /* the default is past or too soon: the first weekday 7 days ahead */
        {"2026Q4", "2026-11-27T12:14:24.000Z", NULL, "2026-12-07T07:00:00.000Z"}, /* Dec 5 is a Saturday */
        {"2026Q4", "2026-12-01T07:00:00.000Z", NULL, "2026-12-08T07:00:00.000Z"}, /* exactly 7 days */
        {"2026Q4", "2026-12-01T07:00:00.001Z", NULL, "2026-12-09T07:00:00.000Z"},
        {"2026Q4", "2026-11-08T08:00:00.000Z", NULL, "2026-11-16T07:00:00.000Z"}, /* the default itself */
        {"2026Q4", "2026-11-09T07:00:00.001Z", NULL, "2026-11-17T07:00:00.000Z"},
        {"2026Q4", "2026-12-24T07:00:00.000Z", NULL, "2026-12-31T07:00:00.000Z"}, /* a Thursday, still inside */
        /* no session: the quarter is over, or too close to its end */
        {"2026Q4", "2026-12-24T07:00:00.001Z", NULL, NULL},
        {"2026Q3", "2026-11-27T12:14:24.000Z", NULL, NULL},
        {"2025Q1", "2026-11-27T12:14:24.000Z", NULL, NULL},
        /* a temporary group: nothing after its last day */
        {"2027Q2", "2026-11-27T12:14:24.000Z", "2027-05-16", NULL},
        {"2027Q2", "2026-11-27T12:14:24.000Z", "2027-05-17", "2027-05-17T07:00:00.000Z"},
        {"2027Q2", "2026-11-27T12:14:24.000Z", "", "2027-05-17T07:00:00.000Z"},
        {"2027Q2", "2026-11-27T12:14:24.000Z", "bad", NULL},
    };
    int64_t s = 0, e = 0;

    (void)state;
    for (size_t i = 0; i < COUNT(cases); i++) {
        struct groups_quarter q;
        int rc;

        assert_int_equal(groups_quarter_parse(cases[i].quarter, &q), 0);
        rc = groups_plan_session(q, ms(cases[i].now), cases[i].last_day, &s, &e);
        if (!cases[i].start) {
            if (rc != 1)
                fail_msg("%s at %s: planned %s, expected none", cases[i].quarter, cases[i].now, text_of(s));
            continue;
        }
        if (rc != 0)
            fail_msg("%s at %s: none, expected %s", cases[i].quarter, cases[i].now, cases[i].start);
        if (s != ms(cases[i].start))
            fail_msg("%s at %s: %s, expected %s", cases[i].quarter, cases[i].now, text_of(s), cases[i].start);
        assert_int_equal(e - s, GROUPS_PLAN_DURATION_MS);
    }
    assert_int_equal(groups_plan_session((struct groups_quarter){2026, 0}, 0, NULL, &s, &e), 1);
}

/* ---- overdue ---- */

static void test_overdue(void **state)
{
    static const struct {
        const char *now, *since, *last_closed; /* last_closed NULL: none */
        const char *missed;                    /* NULL: not overdue */
    } cases[] = {
        /* a founding group in the term that began on 2026-01-25 */
        {"2026-11-27T12:00:00.000Z", "2026-01-25T00:00:00.000Z", NULL, "2026Q3"},
        {"2026-11-27T12:00:00.000Z", "2026-01-25T00:00:00.000Z", "2026-08-17T07:00:00.000Z", NULL},
        {"2026-11-27T12:00:00.000Z", "2026-01-25T00:00:00.000Z", "2026-07-01T00:00:00.000Z", NULL}, /* P's first instant */
        {"2026-11-27T12:00:00.000Z", "2026-01-25T00:00:00.000Z", "2026-06-30T23:59:59.999Z", "2026Q3"},
        {"2026-11-27T12:00:00.000Z", "2026-01-25T00:00:00.000Z", "2026-11-16T07:00:00.000Z", NULL}, /* held this quarter */
        /* Q1 2026 is not complete since the term began on 25 January */
        {"2026-04-10T00:00:00.000Z", "2026-01-25T00:00:00.000Z", NULL, NULL},
        {"2026-06-30T23:59:59.999Z", "2026-01-25T00:00:00.000Z", NULL, NULL},
        {"2026-07-01T00:00:00.000Z", "2026-01-25T00:00:00.000Z", NULL, "2026Q2"},
        {"2026-07-01T00:00:00.000Z", "2026-01-25T00:00:00.000Z", "2026-05-15T07:00:00.000Z", NULL},
        /* since exactly a quarter's first instant: that quarter counts */
        {"2026-07-01T00:00:00.000Z", "2026-04-01T00:00:00.000Z", NULL, "2026Q2"},
        {"2026-07-01T00:00:00.000Z", "2026-04-01T00:00:00.001Z", NULL, NULL},
        /* a group that became active last month */
        {"2026-11-27T12:00:00.000Z", "2026-10-20T00:00:00.000Z", NULL, NULL},
        {"2027-04-01T00:00:00.000Z", "2026-10-20T00:00:00.000Z", NULL, "2027Q1"},
    };
    char missed[8];

    (void)state;
    for (size_t i = 0; i < COUNT(cases); i++) {
        bool got = groups_is_overdue(ms(cases[i].now), ms(cases[i].since),
                                     cases[i].last_closed ? ms(cases[i].last_closed) : 0, missed);
        if (got != (cases[i].missed != NULL))
            fail_msg("now %s since %s last %s: overdue %d", cases[i].now, cases[i].since,
                     cases[i].last_closed ? cases[i].last_closed : "-", got);
        assert_string_equal(missed, cases[i].missed ? cases[i].missed : "");
    }
    assert_true(groups_is_overdue(ms("2026-11-27T12:00:00.000Z"), 0, 0, NULL)); /* missed may be NULL */
}

/* ---- the two-signature rule ---- */

static void test_sides(void **state)
{
    static const struct {
        unsigned roles;
        int64_t city, presidency;
        enum groups_side side;
    } cases[] = {
        {ROLE_SECRETARY, 0, 7, GROUPS_SIDE_SECRETARIAT},
        {ROLE_EXPERT, 0, 7, GROUPS_SIDE_SECRETARIAT},
        {ROLE_EXPERT, 0, 0, GROUPS_SIDE_SECRETARIAT},
        {ROLE_MAYOR, 7, 7, GROUPS_SIDE_PRESIDENCY},
        {ROLE_MAYOR | ROLE_OFFICIAL, 7, 7, GROUPS_SIDE_PRESIDENCY},
        {ROLE_DEPUTY, 7, 7, GROUPS_SIDE_NONE},     /* the term's mayor signs, not a deputy */
        {ROLE_OFFICIAL, 7, 7, GROUPS_SIDE_NONE},
        {ROLE_MAYOR, 8, 7, GROUPS_SIDE_NONE},      /* another city's mayor */
        {ROLE_MAYOR, 7, 0, GROUPS_SIDE_NONE},      /* no current term */
        {ROLE_EXPERT, 7, 7, GROUPS_SIDE_NONE},     /* a secretariat role with a city: not a real record */
        {0, 0, 7, GROUPS_SIDE_NONE},
    };

    (void)state;
    for (size_t i = 0; i < COUNT(cases); i++)
        if (groups_signer_side(cases[i].roles, cases[i].city, cases[i].presidency) != cases[i].side)
            fail_msg("case %zu: side %d, expected %d", i, groups_signer_side(cases[i].roles, cases[i].city,
                                                                             cases[i].presidency), cases[i].side);
    assert_string_equal(groups_side_name(GROUPS_SIDE_PRESIDENCY), "presidency");
    assert_string_equal(groups_side_name(GROUPS_SIDE_SECRETARIAT), "secretariat");
    assert_null(groups_side_name(GROUPS_SIDE_NONE));
    assert_string_equal(groups_proposal_state(true, true), "active");
    assert_string_equal(groups_proposal_state(true, false), "proposed");
    assert_string_equal(groups_proposal_state(false, true), "proposed");
    assert_string_equal(groups_proposal_state(false, false), "proposed");
}

/* ---- statements ---- */

static void test_proposal_statement(void **state)
{
    static const char golden_temporary[] = "b40-group-proposal-v1\n"
                                           "network: b40-balkan-cities\n"
                                           "code: water\n"
                                           "name: Water management\n"
                                           "description: Rivers, ports and drinking water\n"
                                           "kind: temporary\n"
                                           "ends-on: 2027-06-30\n"
                                           "presidency: zagreb\n"
                                           "proposed: 2026-11-27T10:00:00.000Z\n";
    static const char golden_permanent[] = "b40-group-proposal-v1\n"
                                           "network: b40-balkan-cities\n"
                                           "code: tourism\n"
                                           "name: Τουρισμός και πολιτισμός\n"
                                           "description: Culture & tourism: <b>all</b> of it\n"
                                           "kind: permanent\n"
                                           "ends-on: none\n"
                                           "presidency: zagreb\n"
                                           "proposed: 2026-11-27T10:00:00.123Z\n";
    struct groups_proposal_text p = {"water", "Water management", "Rivers, ports and drinking water", "temporary",
                                     "2027-06-30", "zagreb", 0};
    char out[GROUPS_STATEMENT_MAX], tiny[40];
    int n;

    (void)state;
    p.proposed_ms = ms("2026-11-27T10:00:00.000Z");
    n = groups_proposal_statement(&p, out, sizeof(out));
    assert_int_equal(n, (int)strlen(golden_temporary));
    assert_string_equal(out, golden_temporary);

    p = (struct groups_proposal_text){"tourism", "Τουρισμός και πολιτισμός", "Culture & tourism: <b>all</b> of it",
                                      "permanent", NULL, "zagreb", ms("2026-11-27T10:00:00.123Z")};
    n = groups_proposal_statement(&p, out, sizeof(out));
    assert_int_equal(n, (int)strlen(golden_permanent));
    assert_memory_equal(out, golden_permanent, (size_t)n);
    p.ends_on = "";
    assert_int_equal(groups_proposal_statement(&p, out, sizeof(out)), n);

    /* each invalid field is refused */
    p.ends_on = "2027-06-30"; /* a permanent group has no end */
    assert_int_equal(groups_proposal_statement(&p, out, sizeof(out)), -1);
    p = (struct groups_proposal_text){"water", "Water", "D", "temporary", "2026-11-27", "zagreb",
                                      ms("2026-11-27T10:00:00.000Z")};
    assert_int_equal(groups_proposal_statement(&p, out, sizeof(out)), -1); /* ends the day it starts */
    p.ends_on = "2026-11-28";
    assert_true(groups_proposal_statement(&p, out, sizeof(out)) > 0);
    p.name = "Two\nlines";
    assert_int_equal(groups_proposal_statement(&p, out, sizeof(out)), -1);
    p.name = "Water";
    p.code = "Water";
    assert_int_equal(groups_proposal_statement(&p, out, sizeof(out)), -1);
    p.code = "water";
    p.presidency = "Zagreb";
    assert_int_equal(groups_proposal_statement(&p, out, sizeof(out)), -1);
    p.presidency = "zagreb";
    p.description = "";
    assert_int_equal(groups_proposal_statement(&p, out, sizeof(out)), -1);
    p.description = "D";
    assert_int_equal(groups_proposal_statement(&p, tiny, sizeof(tiny)), -1); /* does not fit */
    assert_int_equal(groups_proposal_statement(NULL, out, sizeof(out)), -1);
}

static void test_request_statement(void **state)
{
    static const char golden[] = "b40-session-request-v1\n"
                                 "network: b40-balkan-cities\n"
                                 "group: climate\n"
                                 "city: athens\n"
                                 "reason: Floods in Thessaly: a coordinated answer, before winter\n"
                                 "requested: 2026-11-27T10:05:00.000Z\n";
    struct groups_request_text r = {"climate", "athens", "Floods in Thessaly: a coordinated answer, before winter",
                                    0};
    char out[GROUPS_STATEMENT_MAX];
    int n;

    (void)state;
    r.requested_ms = ms("2026-11-27T10:05:00.000Z");
    n = groups_request_statement(&r, out, sizeof(out));
    assert_int_equal(n, (int)strlen(golden));
    assert_string_equal(out, golden);
    r.reason = "two\nlines";
    assert_int_equal(groups_request_statement(&r, out, sizeof(out)), -1);
    r.reason = "";
    assert_int_equal(groups_request_statement(&r, out, sizeof(out)), -1);
    r.reason = "ok";
    r.city = "Athens";
    assert_int_equal(groups_request_statement(&r, out, sizeof(out)), -1);
    r.city = "athens";
    r.group = "x";
    assert_int_equal(groups_request_statement(&r, out, sizeof(out)), -1);
    r.group = "climate";
    assert_int_equal(groups_request_statement(&r, out, 20), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_codes),
        cmocka_unit_test(test_texts),
        cmocka_unit_test(test_urls),
        cmocka_unit_test(test_end_and_duration),
        cmocka_unit_test(test_quarter_of),
        cmocka_unit_test(test_quarter_walk_and_parse),
        cmocka_unit_test(test_term),
        cmocka_unit_test(test_plan),
        cmocka_unit_test(test_overdue),
        cmocka_unit_test(test_sides),
        cmocka_unit_test(test_proposal_statement),
        cmocka_unit_test(test_request_statement),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
