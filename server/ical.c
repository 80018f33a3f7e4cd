/*
 * ical: the bytes of an iCalendar feed. See include/b40/ical.h for the
 * contract. Content lines are built whole, then folded at 75 octets on
 * UTF-8 character boundaries into a growing buffer. Pure; any thread.
 */
#include "b40/ical.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "b40/timeutil.h"

#define PRODID "-//B40 Balkan Cities Network//b40 " B40_VERSION "//EN"

struct buf {
    char *data;
    size_t len, cap;
    bool failed;
};

static void put(struct buf *b, const char *s, size_t n)
{
    if (b->failed)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t want = b->cap ? b->cap : 4096;
        char *p;
        while (want < b->len + n + 1)
            want *= 2;
        p = realloc(b->data, want);
        if (!p) {
            b->failed = true;
            return;
        }
        b->data = p;
        b->cap = want;
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

/* Whether byte c continues a UTF-8 character (10xxxxxx). */
static bool is_continuation(unsigned char c)
{
    return (c & 0xc0) == 0x80;
}

/*
 * Writes one content line, folded: at most ICAL_LINE_MAX octets per line
 * (a continuation line's leading space included), each cut moved back to
 * the start of a UTF-8 character, every line ending in CRLF.
 */
static void put_line(struct buf *b, const char *line, size_t n)
{
    size_t room = ICAL_LINE_MAX;
    bool first = true;

    while (n > 0) {
        size_t cut = n;
        if (!first)
            put(b, " ", 1);
        if (cut > room) {
            cut = room;
            while (cut > 0 && is_continuation((unsigned char)line[cut]))
                cut--;
            if (cut == 0) /* not UTF-8 at all: cut where the octets say */
                cut = room;
        }
        put(b, line, cut);
        put(b, "\r\n", 2);
        line += cut;
        n -= cut;
        first = false;
        room = ICAL_LINE_MAX - 1;
    }
}

int ical_escape_text(const char *in, char *out, size_t outlen)
{
    size_t o = 0;

    for (const char *p = in ? in : ""; *p; p++) {
        const char *rep = NULL;
        char one[2] = {*p, '\0'};
        size_t k;

        switch (*p) {
        case '\\': rep = "\\\\"; break;
        case ';': rep = "\\;"; break;
        case ',': rep = "\\,"; break;
        case '\n': rep = "\\n"; break;
        case '\r': rep = ""; break;
        default: rep = one; break;
        }
        k = strlen(rep);
        if (o + k + 1 > outlen)
            return -1;
        memcpy(out + o, rep, k);
        o += k;
    }
    if (o + 1 > outlen)
        return -1;
    out[o] = '\0';
    return (int)o;
}

/* "NAME:" + escaped text, as one folded line. */
static void put_text(struct buf *b, const char *name, const char *value)
{
    size_t vlen = value ? strlen(value) : 0, size = strlen(name) + 2 + 2 * vlen + 1;
    char *line = malloc(size);
    int n;

    if (!line) {
        b->failed = true;
        return;
    }
    n = snprintf(line, size, "%s:", name);
    if (n < 0 || ical_escape_text(value, line + n, size - (size_t)n) < 0) {
        free(line);
        b->failed = true;
        return;
    }
    put_line(b, line, strlen(line));
    free(line);
}

/* "NAME:" + value as it is (a URI, a number, a keyword), folded. */
static void put_raw(struct buf *b, const char *name, const char *value)
{
    size_t size = strlen(name) + strlen(value) + 2;
    char *line = malloc(size);

    if (!line) {
        b->failed = true;
        return;
    }
    snprintf(line, size, "%s:%s", name, value);
    put_line(b, line, strlen(line));
    free(line);
}

/* "NAME:YYYYMMDDTHHMMSSZ" (UTC; the milliseconds dropped). */
static void put_time(struct buf *b, const char *name, int64_t ms)
{
    char t[TIMEUTIL_RFC3339_LEN], v[20];

    if (timeutil_rfc3339(ms - ((ms % 1000) + 1000) % 1000, t) != 0) {
        b->failed = true;
        return;
    }
    /* 2026-12-07T07:00:00.000Z -> 20261207T070000Z */
    snprintf(v, sizeof(v), "%.4s%.2s%.2sT%.2s%.2s%.2sZ", t, t + 5, t + 8, t + 11, t + 14, t + 17);
    put_raw(b, name, v);
}

char *ical_calendar(const char *name, const struct ical_event *events, size_t n, size_t *len)
{
    struct buf b = {0};

    put_raw(&b, "BEGIN", "VCALENDAR");
    put_raw(&b, "VERSION", "2.0");
    put_raw(&b, "PRODID", PRODID);
    put_raw(&b, "CALSCALE", "GREGORIAN");
    put_raw(&b, "METHOD", "PUBLISH");
    put_text(&b, "X-WR-CALNAME", name);
    put_raw(&b, "REFRESH-INTERVAL;VALUE=DURATION", "PT1H");
    put_raw(&b, "X-PUBLISHED-TTL", "PT1H");
    for (size_t i = 0; i < n; i++) {
        const struct ical_event *e = &events[i];
        char uid[64], seq[24];

        snprintf(uid, sizeof(uid), "session-%" PRId64 "@" ICAL_UID_DOMAIN, e->id);
        snprintf(seq, sizeof(seq), "%" PRId64, e->sequence);
        put_raw(&b, "BEGIN", "VEVENT");
        put_raw(&b, "UID", uid);
        put_time(&b, "DTSTAMP", e->modified_ms);
        put_time(&b, "LAST-MODIFIED", e->modified_ms);
        put_time(&b, "DTSTART", e->starts_ms);
        put_time(&b, "DTEND", e->ends_ms);
        put_text(&b, "SUMMARY", e->summary);
        if (e->description && e->description[0])
            put_text(&b, "DESCRIPTION", e->description);
        if (e->url && e->url[0])
            put_raw(&b, "URL", e->url);
        put_raw(&b, "SEQUENCE", seq);
        put_raw(&b, "STATUS", e->cancelled ? "CANCELLED" : "CONFIRMED");
        put_raw(&b, "TRANSP", "OPAQUE");
        put_raw(&b, "END", "VEVENT");
    }
    put_raw(&b, "END", "VCALENDAR");
    if (b.failed) {
        free(b.data);
        return NULL;
    }
    *len = b.len;
    return b.data;
}
