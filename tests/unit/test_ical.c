/*
 * Unit tests of the iCalendar text (include/b40/ical.h): TEXT escaping,
 * a whole calendar byte for byte against its golden text, and the line
 * rules on long values: CRLF everywhere, at most 75 octets a line, no line
 * that starts or ends inside a UTF-8 character, and unfolding gives back
 * the exact content line. Pure: no database, no socket.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "b40/http_dyn.h"
#include "b40/ical.h"
#include "b40/timeutil.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static int64_t ms(const char *text)
{
    int64_t v = 0;

    if (timeutil_parse_rfc3339(text, &v) != 0)
        fail_msg("bad test time %s", text);
    return v;
}

static void test_escape(void **state)
{
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"plain", "plain"},
        {"a;b,c\\d", "a\\;b\\,c\\\\d"},
        {"line one\nline two", "line one\\nline two"},
        {"crlf\r\nend", "crlf\\nend"},
        {"Αθήνα: 10:00", "Αθήνα: 10:00"}, /* a colon needs no escape in a value */
        {"", ""},
    };
    char out[128], tiny[4];

    (void)state;
    for (size_t i = 0; i < COUNT(cases); i++) {
        assert_int_equal(ical_escape_text(cases[i].in, out, sizeof(out)), (int)strlen(cases[i].out));
        assert_string_equal(out, cases[i].out);
    }
    assert_int_equal(ical_escape_text("abcd", tiny, sizeof(tiny)), -1);
    assert_int_equal(ical_escape_text(";;", tiny, sizeof(tiny)), -1);
    assert_int_equal(ical_escape_text(NULL, out, sizeof(out)), 0);
}

static const char golden[] =
    "BEGIN:VCALENDAR\r\n"
    "VERSION:2.0\r\n"
    "PRODID:-//B40 Balkan Cities Network//b40 " B40_VERSION "//EN\r\n"
    "CALSCALE:GREGORIAN\r\n"
    "METHOD:PUBLISH\r\n"
    "X-WR-CALNAME:B40 Local climate action\r\n"
    "REFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n"
    "X-PUBLISHED-TTL:PT1H\r\n"
    "BEGIN:VEVENT\r\n"
    "UID:session-7@b40-balkan-cities\r\n"
    "DTSTAMP:20261127T101502Z\r\n"
    "LAST-MODIFIED:20261127T101502Z\r\n"
    "DTSTART:20261207T070000Z\r\n"
    "DTEND:20261207T090000Z\r\n"
    "SUMMARY:Local climate action: Quarterly session\\, 2026Q4\r\n"
    "DESCRIPTION:Agenda:\\n1. Opening\\n2. Floods\\; heat\\n\\nVideo: https://meet.ji\r\n"
    " t.si/B40-climate\r\n"
    "URL:https://meet.jit.si/B40-climate\r\n"
    "SEQUENCE:3\r\n"
    "STATUS:CONFIRMED\r\n"
    "TRANSP:OPAQUE\r\n"
    "END:VEVENT\r\n"
    "BEGIN:VEVENT\r\n"
    "UID:session-8@b40-balkan-cities\r\n"
    "DTSTAMP:20261128T000000Z\r\n"
    "LAST-MODIFIED:20261128T000000Z\r\n"
    "DTSTART:20270215T070000Z\r\n"
    "DTEND:20270215T090000Z\r\n"
    "SUMMARY:Local climate action: Extra session\r\n"
    "SEQUENCE:1\r\n"
    "STATUS:CANCELLED\r\n"
    "TRANSP:OPAQUE\r\n"
    "END:VEVENT\r\n"
    "END:VCALENDAR\r\n";

static void test_golden(void **state)
{
    struct ical_event ev[2] = {
        {7, "Local climate action: Quarterly session, 2026Q4",
         "Agenda:\n1. Opening\n2. Floods; heat\n\nVideo: https://meet.jit.si/B40-climate",
         "https://meet.jit.si/B40-climate", 0, 0, 0, 3, false},
        {8, "Local climate action: Extra session", NULL, "", 0, 0, 0, 1, true},
    };
    size_t len = 0;
    char *out;

    (void)state;
    ev[0].starts_ms = ms("2026-12-07T07:00:00.000Z");
    ev[0].ends_ms = ms("2026-12-07T09:00:00.000Z");
    ev[0].modified_ms = ms("2026-11-27T10:15:02.999Z"); /* the milliseconds are dropped, not rounded */
    ev[1].starts_ms = ms("2027-02-15T07:00:00.000Z");
    ev[1].ends_ms = ms("2027-02-15T09:00:00.000Z");
    ev[1].modified_ms = ms("2026-11-28T00:00:00.000Z");
    out = ical_calendar("B40 Local climate action", ev, 2, &len);
    assert_non_null(out);
    assert_int_equal(len, strlen(golden));
    assert_string_equal(out, golden);
    free(out);

    out = ical_calendar("Empty", NULL, 0, &len);
    assert_non_null(out);
    assert_non_null(strstr(out, "X-WR-CALNAME:Empty\r\n"));
    assert_null(strstr(out, "BEGIN:VEVENT"));
    free(out);
}

/* Checks every line of a calendar and returns it unfolded (caller frees). */
static char *check_lines(const char *text, size_t len)
{
    char *unfolded = malloc(len + 1);
    size_t o = 0;
    const char *p = text, *end = text + len;

    assert_non_null(unfolded);
    while (p < end) {
        const char *eol = strstr(p, "\r\n");
        size_t n;

        assert_non_null(eol); /* every line ends in CRLF */
        n = (size_t)(eol - p);
        assert_true(n <= ICAL_LINE_MAX);
        assert_null(memchr(p, '\n', n)); /* no bare LF */
        assert_null(memchr(p, '\r', n));
        /* a line never ends inside a UTF-8 character: the next line's first content byte is not a continuation */
        if (eol + 2 < end && eol[2] == ' ')
            assert_true(((unsigned char)eol[3] & 0xc0) != 0x80);
        if (p != text && p[0] == ' ') {
            memcpy(unfolded + o, p + 1, n - 1); /* a continuation: drop the space, join */
            o += n - 1;
        } else {
            if (o)
                unfolded[o++] = '\n';
            memcpy(unfolded + o, p, n);
            o += n;
        }
        p = eol + 2;
    }
    unfolded[o] = '\0';
    return unfolded;
}

static void test_folding(void **state)
{
    /* 2-byte Greek letters and 4-byte emoji put character boundaries everywhere */
    char summary[2000], expect[2200], *out, *unfolded;
    const char *greek = "Τοπική δράση για το κλίμα 🌍 ";
    struct ical_event ev = {42, summary, NULL, NULL, 0, 0, 0, 0, false};
    size_t len = 0, n = 0;

    (void)state;
    summary[0] = '\0';
    while (n + strlen(greek) < 1500) {
        strcat(summary, greek);
        n += strlen(greek);
    }
    ev.starts_ms = ms("2027-01-10T07:00:00.000Z");
    ev.ends_ms = ev.starts_ms + 3600000;
    ev.modified_ms = ev.starts_ms;
    out = ical_calendar("Fold test", &ev, 1, &len);
    assert_non_null(out);
    unfolded = check_lines(out, len);
    snprintf(expect, sizeof(expect), "\nSUMMARY:%s\n", summary);
    assert_non_null(strstr(unfolded, expect));
    free(unfolded);
    free(out);

    /* ASCII: exactly 75 octets, then 74 after the leading space */
    memset(summary, 'x', 200);
    summary[200] = '\0';
    out = ical_calendar("Fold test", &ev, 1, &len);
    assert_non_null(out);
    {
        const char *s = strstr(out, "SUMMARY:");
        assert_non_null(s);
        assert_memory_equal(s + 75, "\r\n x", 4);
        assert_memory_equal(s + 75 + 2 + 75, "\r\n x", 4);
    }
    unfolded = check_lines(out, len);
    free(unfolded);
    free(out);
}

/* The patterns of the dynamic routes (http_dyn) that serve the feeds. */
static void test_routes(void **state)
{
    static const struct {
        const char *pattern, *path, *param; /* param NULL: no match; "" a match without one */
    } cases[] = {
        {"/calendar.ics", "/calendar.ics", ""},
        {"/calendar.ics", "/calendar.icsx", NULL},
        {"/calendar.ics", "/calendar.ics/", NULL},
        {"/calendar.ics", "/", NULL},
        {"/groups/*/calendar.ics", "/groups/climate/calendar.ics", "climate"},
        {"/groups/*/calendar.ics", "/groups/12/calendar.ics", "12"},
        {"/groups/*/calendar.ics", "/groups/smart-cities/calendar.ics", "smart-cities"},
        {"/groups/*/calendar.ics", "/groups//calendar.ics", NULL},
        {"/groups/*/calendar.ics", "/groups/../calendar.ics", NULL},
        {"/groups/*/calendar.ics", "/groups/.hidden/calendar.ics", NULL},
        {"/groups/*/calendar.ics", "/groups/a%20b/calendar.ics", NULL},
        {"/groups/*/calendar.ics", "/groups/a/b/calendar.ics", NULL},
        {"/groups/*/calendar.ics", "/groups/climate/calendar.icsx", NULL},
        {"/groups/*/calendar.ics", "/groups/climate", NULL},
        {"/groups/*/calendar.ics", "/groups/climate/", NULL},
        {"/groups/*/calendar.ics", "/groupsx/climate/calendar.ics", NULL},
        {"/groups/*/calendar.ics", "groups/climate/calendar.ics", NULL},
        {"/groups/*/calendar.ics",
         "/groups/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/calendar.ics", NULL}, /* 65 bytes */
    };
    char params[HTTP_DYN_PARAMS_MAX][HTTP_DYN_PARAM_MAX + 1];
    size_t n = 9;

    (void)state;
    for (size_t i = 0; i < COUNT(cases); i++) {
        bool m = http_dyn_match(cases[i].pattern, cases[i].path, params, &n);
        if (m != (cases[i].param != NULL))
            fail_msg("%s against %s: %s", cases[i].path, cases[i].pattern, m ? "matched" : "no match");
        if (m && cases[i].param[0]) {
            assert_int_equal(n, 1);
            assert_string_equal(params[0], cases[i].param);
        } else if (m) {
            assert_int_equal(n, 0);
        }
    }
    assert_false(http_dyn_match(NULL, "/x", params, &n));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_escape),
        cmocka_unit_test(test_golden),
        cmocka_unit_test(test_folding),
        cmocka_unit_test(test_routes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
