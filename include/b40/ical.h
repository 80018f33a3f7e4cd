/*
 * ical: the text of an iCalendar feed (RFC 5545) of working-group sessions.
 * One VCALENDAR (VERSION 2.0, PRODID, CALSCALE GREGORIAN, METHOD PUBLISH,
 * X-WR-CALNAME, a refresh hint) with one VEVENT per session: a stable UID,
 * DTSTAMP and LAST-MODIFIED, DTSTART and DTEND in UTC, SUMMARY,
 * DESCRIPTION, URL, SEQUENCE and STATUS (CONFIRMED or CANCELLED). Lines end
 * in CRLF and are folded at 75 octets, never inside a UTF-8 character; TEXT
 * values escape backslash, semicolon, comma and line feed. Pure functions
 * over plain values; any thread.
 */
#ifndef B40_ICAL_H
#define B40_ICAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ICAL_LINE_MAX 75 /* octets in a line, CRLF not counted (RFC 5545 3.1) */
#define ICAL_UID_DOMAIN "b40-balkan-cities"

/* One session as a calendar shows it. Strings are UTF-8, borrowed. */
struct ical_event {
    int64_t id;              /* UID: session-ID@b40-balkan-cities */
    const char *summary;     /* one line */
    const char *description; /* may have several lines (LF); NULL or "": none */
    const char *url;         /* an https link, or NULL / "" */
    int64_t starts_ms, ends_ms;
    int64_t modified_ms;     /* DTSTAMP and LAST-MODIFIED: the session's last change */
    int64_t sequence;
    bool cancelled;
};

/*
 * Writes the calendar named `name` (X-WR-CALNAME) with events[0..n) into a
 * malloc'd, NUL-terminated buffer that the caller frees; its length (the
 * NUL not counted) in *len. NULL when memory runs out or an event's time
 * is outside the years 0001-9999.
 */
char *ical_calendar(const char *name, const struct ical_event *events, size_t n, size_t *len);

/*
 * Escapes a TEXT value (RFC 5545 3.3.11): '\' ';' ',' as "\\" "\;" "\,",
 * a line feed as "\n"; a carriage return is dropped. Writes into out[outlen]
 * and returns the length, or -1 when it does not fit. Exposed for the tests.
 */
int ical_escape_text(const char *in, char *out, size_t outlen);

#endif
