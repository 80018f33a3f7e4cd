/*
 * minutes: Markdown and HTML minutes of a session, and their signed header.
 * See include/b40/minutes.h. Text is built in a growable buffer; a failed
 * allocation poisons the buffer and the result is NULL.
 */
#include "b40/minutes.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "b40/identity.h"
#include "b40/timeutil.h"

struct buf {
    char *p;
    size_t len, cap;
    bool failed;
};

static void reserve(struct buf *b, size_t more)
{
    size_t cap;
    char *p;

    if (b->failed || b->len + more + 1 <= b->cap)
        return;
    cap = b->cap ? b->cap : 4096;
    while (cap < b->len + more + 1)
        cap *= 2;
    if (!(p = realloc(b->p, cap))) {
        b->failed = true;
        return;
    }
    b->p = p;
    b->cap = cap;
}

static void put_n(struct buf *b, const char *s, size_t n)
{
    reserve(b, n);
    if (b->failed)
        return;
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void put(struct buf *b, const char *s)
{
    put_n(b, s, strlen(s));
}

__attribute__((format(printf, 2, 3))) static void putf(struct buf *b, const char *fmt, ...)
{
    char tmp[512];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof(tmp)) {
        b->failed = true; /* only short, server-made text goes through here */
        return;
    }
    put_n(b, tmp, (size_t)n);
}

static char *finish(struct buf *b, size_t *len)
{
    if (b->failed || !b->p) {
        free(b->p);
        *len = 0;
        return NULL;
    }
    *len = b->len;
    return b->p;
}

static void put_time(struct buf *b, int64_t ms)
{
    char t[TIMEUTIL_RFC3339_LEN];

    put(b, ms > 0 && timeutil_rfc3339(ms, t) == 0 ? t : "unknown");
}

/*
 * A person's text in Markdown: every character that could start markup is
 * backslash-escaped (CommonMark allows it before any ASCII punctuation), and
 * a line break continues the same block (the caller's prefix, e.g. "> ").
 */
static void md_text(struct buf *b, const char *s, const char *line_prefix)
{
    static const char special[] = "\\`*_{}[]<>()#!|~&";

    for (; s && *s; s++) {
        if (*s == '\n') {
            put(b, "  \n"); /* a hard line break inside the paragraph */
            put(b, line_prefix);
        } else if (strchr(special, *s)) {
            char e[2] = {'\\', *s};
            put_n(b, e, 2);
        } else {
            put_n(b, s, 1);
        }
    }
}

enum breaks { FLAT, BR, KEEP }; /* what a line break becomes: a space, <br>, itself (inside <pre>) */

/* A person's text in HTML: the five characters that matter, as entities. */
static void html_text(struct buf *b, const char *s, enum breaks breaks)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '&': put(b, "&amp;"); break;
        case '<': put(b, "&lt;"); break;
        case '>': put(b, "&gt;"); break;
        case '"': put(b, "&quot;"); break;
        case '\'': put(b, "&#39;"); break;
        case '\n': put(b, breaks == BR ? "<br>\n" : breaks == KEEP ? "\n" : " "); break;
        default: put_n(b, s, 1); break;
        }
    }
}

static const char *roll_word(const char *status)
{
    if (!strcmp(status, "present_not_voting"))
        return "present, not voting";
    return status;
}

static const char *outcome_words(const char *outcome)
{
    if (!outcome)
        return "not closed";
    if (!strcmp(outcome, "adopted"))
        return "adopted";
    if (!strcmp(outcome, "rejected"))
        return "not adopted";
    if (!strcmp(outcome, "no_votes"))
        return "not adopted (no votes for or against)";
    if (!strcmp(outcome, "no_quorum"))
        return "not adopted (no quorum)";
    return outcome;
}

static const char *item_title(const struct minutes_input *in, int64_t item)
{
    return item >= 0 && (size_t)item < in->nagenda ? in->agenda[item] : NULL;
}

/* ---- Markdown ---- */

static void md_list(struct buf *b, const char *const *v, size_t n)
{
    if (!n)
        put(b, "none");
    for (size_t i = 0; i < n; i++) {
        if (i)
            put(b, ", ");
        md_text(b, v[i], "");
    }
}

static void md_motion(struct buf *b, const struct minutes_motion *m)
{
    putf(b, "### Motion %lld: %s\n\n> ", (long long)m->id, outcome_words(m->outcome));
    md_text(b, m->text, "> ");
    put(b, "\n\n- Opened: ");
    put_time(b, m->opened_ms);
    put(b, "\n- Closed: ");
    put_time(b, m->closed_ms);
    put(b, "\n");
    if (!m->outcome) {
        put(b, "\n");
        return;
    }
    putf(b, "- Quorum: %u of %u member cities present at opening; %u needed; %s\n", m->present, m->members,
         m->threshold, m->quorum_met ? "met" : "not met");
    putf(b, "- Votes: %u yes, %u no, %u abstained, %u present not voting, %u absent\n", m->yes, m->no, m->abstained,
         m->present_not_voting, m->absent);
    if (!strcmp(m->outcome, "adopted"))
        putf(b, "- Adopted as recommendation %lld: a recommendation of the group, not a binding decision\n",
             (long long)m->recommendation_id);
    put(b, "\n| City | Vote |\n| --- | --- |\n");
    for (size_t i = 0; i < m->nroll; i++) {
        put(b, "| ");
        md_text(b, m->roll[i].city, "");
        put(b, " | ");
        put(b, roll_word(m->roll[i].status));
        put(b, " |\n");
    }
    if (m->chain_head) {
        put(b, "\nChain head (signed by the server):\n\n```\n");
        for (const char *p = m->chain_head; *p; p++) /* server-made text; never a fence */
            if (*p != '`')
                put_n(b, p, 1);
        put(b, "```\n");
    }
    put(b, "\n");
}

char *minutes_markdown(const struct minutes_input *in, size_t *len)
{
    struct buf b = {0};
    const char *city = NULL;

    put(&b, "# Minutes: ");
    md_text(&b, in->title, "");
    put(&b, "\n\n- Group: ");
    md_text(&b, in->group_name, "");
    put(&b, " (");
    md_text(&b, in->group_code, "");
    putf(&b, ")\n- Session: %lld (", (long long)in->session);
    md_text(&b, in->kind, "");
    put(&b, ", ");
    md_text(&b, in->quarter, "");
    put(&b, ")\n- Scheduled: ");
    put_time(&b, in->starts_ms);
    put(&b, " to ");
    put_time(&b, in->ends_ms);
    put(&b, "\n- Opened: ");
    put_time(&b, in->opened_ms);
    put(&b, "\n- Closed: ");
    put_time(&b, in->closed_ms);
    put(&b, "\n- Chair: ");
    if (in->chair && in->chair[0])
        md_text(&b, in->chair, "");
    else
        put(&b, "the secretariat");
    if (in->video_url && in->video_url[0]) {
        put(&b, "\n- Video: ");
        md_text(&b, in->video_url, "");
    }
    put(&b, "\n\n## Attendance\n\n");
    putf(&b, "Member cities present (%zu): ", in->ncities_attended);
    md_list(&b, in->cities_attended, in->ncities_attended);
    putf(&b, "\n\nMember cities absent (%zu): ", in->ncities_absent);
    md_list(&b, in->cities_absent, in->ncities_absent);
    put(&b, "\n");
    for (size_t i = 0; i < in->nattendance; i++) {
        const struct minutes_attendee *a = &in->attendance[i];
        if (!city || strcmp(city, a->city)) {
            city = a->city;
            put(&b, "\n### ");
            if (a->city[0])
                md_text(&b, a->city, "");
            else
                put(&b, "Secretariat");
            put(&b, "\n\n");
        }
        put(&b, "- ");
        md_text(&b, a->name, "");
        put(&b, ": ");
        put_time(&b, a->joined_ms);
        put(&b, " to ");
        put_time(&b, a->left_ms);
        put(&b, "\n");
    }
    put(&b, "\n## Agenda\n\n");
    for (size_t i = 0; i < in->nagenda; i++) {
        putf(&b, "%zu. ", i + 1);
        md_text(&b, in->agenda[i], "   ");
        put(&b, "\n");
    }
    put(&b, "\n## Speakers\n\n");
    if (!in->nspeakers)
        put(&b, "Nobody was given the floor.\n");
    for (size_t i = 0; i < in->nspeakers; i++) {
        const struct minutes_speaker *s = &in->speakers[i];
        const char *item = item_title(in, s->item);
        put(&b, "- ");
        put_time(&b, s->at_ms);
        put(&b, ": ");
        md_text(&b, s->name, "");
        put(&b, " (");
        if (s->city[0])
            md_text(&b, s->city, "");
        else
            put(&b, "secretariat");
        put(&b, ")");
        if (item) {
            putf(&b, ", item %lld, ", (long long)s->item + 1);
            md_text(&b, item, "");
        }
        if (s->point_of_order)
            put(&b, ", point of order");
        put(&b, "\n");
    }
    put(&b, "\n## Motions\n\n");
    if (!in->nmotions)
        put(&b, "No motion was put to a vote.\n\n");
    for (size_t i = 0; i < in->nmotions; i++)
        md_motion(&b, &in->motions[i]);
    put(&b, "Adopted motions are recommendations of the working group, not binding decisions.\n");
    return finish(&b, len);
}

int minutes_header(int64_t session, const uint8_t markdown_sha256[32], int64_t closed_ms, char *out)
{
    char hex[65], when[TIMEUTIL_RFC3339_LEN];
    int n;

    if (session < 1 || timeutil_rfc3339(closed_ms, when) != 0)
        return -1;
    identity_hex_encode(markdown_sha256, 32, hex);
    n = snprintf(out, MINUTES_HEADER_MAX, "b40-minutes-v1\nnetwork: %s\nsession: %lld\nmarkdown-sha256: %s\nclosed: %s\n",
                 IDENTITY_NETWORK, (long long)session, hex, when);
    return n < 0 || n >= MINUTES_HEADER_MAX ? -1 : n;
}

/* ---- HTML ---- */

static void html_list(struct buf *b, const char *const *v, size_t n)
{
    if (!n)
        put(b, "none");
    for (size_t i = 0; i < n; i++) {
        if (i)
            put(b, ", ");
        html_text(b, v[i], FLAT);
    }
}

static void html_time(struct buf *b, int64_t ms)
{
    char t[TIMEUTIL_RFC3339_LEN];

    if (ms > 0 && timeutil_rfc3339(ms, t) == 0)
        putf(b, "<time datetime=\"%s\">%s</time>", t, t);
    else
        put(b, "unknown");
}

static void html_motion(struct buf *b, const struct minutes_motion *m)
{
    putf(b, "<section class=\"motion\">\n<h3>Motion %lld: %s</h3>\n<blockquote><p>", (long long)m->id,
         outcome_words(m->outcome));
    html_text(b, m->text, BR);
    put(b, "</p></blockquote>\n<ul>\n<li>Opened: ");
    html_time(b, m->opened_ms);
    put(b, "</li>\n<li>Closed: ");
    html_time(b, m->closed_ms);
    put(b, "</li>\n");
    if (m->outcome) {
        putf(b, "<li>Quorum: %u of %u member cities present at opening; %u needed; %s</li>\n", m->present, m->members,
             m->threshold, m->quorum_met ? "met" : "not met");
        putf(b, "<li>Votes: %u yes, %u no, %u abstained, %u present not voting, %u absent</li>\n", m->yes, m->no,
             m->abstained, m->present_not_voting, m->absent);
        if (!strcmp(m->outcome, "adopted"))
            putf(b, "<li>Adopted as recommendation %lld: a recommendation of the group, not a binding decision</li>\n",
                 (long long)m->recommendation_id);
    }
    put(b, "</ul>\n");
    if (m->outcome) {
        put(b, "<table class=\"roll-call\">\n<thead><tr><th scope=\"col\">City</th><th scope=\"col\">Vote</th></tr></thead>\n<tbody>\n");
        for (size_t i = 0; i < m->nroll; i++) {
            put(b, "<tr><td>");
            html_text(b, m->roll[i].city, FLAT);
            put(b, "</td><td>");
            html_text(b, roll_word(m->roll[i].status), FLAT);
            put(b, "</td></tr>\n");
        }
        put(b, "</tbody>\n</table>\n");
    }
    if (m->chain_head) {
        put(b, "<p>Chain head (signed by the server):</p>\n<pre>");
        html_text(b, m->chain_head, KEEP);
        put(b, "</pre>\n");
    }
    put(b, "</section>\n");
}

char *minutes_html(const struct minutes_input *in, const char *header, const char *signature_hex,
                   const char *server_key_hex, size_t *len)
{
    struct buf b = {0};
    const char *city = NULL;

    put(&b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>Minutes: ");
    html_text(&b, in->title, FLAT);
    put(&b, "</title>\n<link rel=\"icon\" href=\"/favicon.svg\" type=\"image/svg+xml\">\n<link rel=\"stylesheet\" href=\"/css/app.css\">\n</head>\n<body class=\"minutes\">\n<main>\n"
            "<h1>Minutes: ");
    html_text(&b, in->title, FLAT);
    put(&b, "</h1>\n<dl>\n<dt>Group</dt><dd>");
    html_text(&b, in->group_name, FLAT);
    put(&b, " (");
    html_text(&b, in->group_code, FLAT);
    putf(&b, ")</dd>\n<dt>Session</dt><dd>%lld (", (long long)in->session);
    html_text(&b, in->kind, FLAT);
    put(&b, ", ");
    html_text(&b, in->quarter, FLAT);
    put(&b, ")</dd>\n<dt>Scheduled</dt><dd>");
    html_time(&b, in->starts_ms);
    put(&b, " to ");
    html_time(&b, in->ends_ms);
    put(&b, "</dd>\n<dt>Opened</dt><dd>");
    html_time(&b, in->opened_ms);
    put(&b, "</dd>\n<dt>Closed</dt><dd>");
    html_time(&b, in->closed_ms);
    put(&b, "</dd>\n<dt>Chair</dt><dd>");
    if (in->chair && in->chair[0])
        html_text(&b, in->chair, FLAT);
    else
        put(&b, "the secretariat");
    put(&b, "</dd>\n");
    if (in->video_url && in->video_url[0]) {
        put(&b, "<dt>Video</dt><dd>");
        html_text(&b, in->video_url, FLAT); /* shown, not linked: a link would leave the printed record */
        put(&b, "</dd>\n");
    }
    put(&b, "</dl>\n<h2>Attendance</h2>\n");
    putf(&b, "<p>Member cities present (%zu): ", in->ncities_attended);
    html_list(&b, in->cities_attended, in->ncities_attended);
    putf(&b, "</p>\n<p>Member cities absent (%zu): ", in->ncities_absent);
    html_list(&b, in->cities_absent, in->ncities_absent);
    put(&b, "</p>\n");
    for (size_t i = 0; i < in->nattendance; i++) {
        const struct minutes_attendee *a = &in->attendance[i];
        if (!city || strcmp(city, a->city)) {
            if (city)
                put(&b, "</ul>\n");
            city = a->city;
            put(&b, "<h3>");
            if (a->city[0])
                html_text(&b, a->city, FLAT);
            else
                put(&b, "Secretariat");
            put(&b, "</h3>\n<ul>\n");
        }
        put(&b, "<li>");
        html_text(&b, a->name, FLAT);
        put(&b, ": ");
        html_time(&b, a->joined_ms);
        put(&b, " to ");
        html_time(&b, a->left_ms);
        put(&b, "</li>\n");
    }
    if (city)
        put(&b, "</ul>\n");
    put(&b, "<h2>Agenda</h2>\n<ol>\n");
    for (size_t i = 0; i < in->nagenda; i++) {
        put(&b, "<li>");
        html_text(&b, in->agenda[i], FLAT);
        put(&b, "</li>\n");
    }
    put(&b, "</ol>\n<h2>Speakers</h2>\n");
    if (!in->nspeakers)
        put(&b, "<p>Nobody was given the floor.</p>\n");
    else
        put(&b, "<ul>\n");
    for (size_t i = 0; i < in->nspeakers; i++) {
        const struct minutes_speaker *s = &in->speakers[i];
        const char *item = item_title(in, s->item);
        put(&b, "<li>");
        html_time(&b, s->at_ms);
        put(&b, ": ");
        html_text(&b, s->name, FLAT);
        put(&b, " (");
        if (s->city[0])
            html_text(&b, s->city, FLAT);
        else
            put(&b, "secretariat");
        put(&b, ")");
        if (item) {
            putf(&b, ", item %lld, ", (long long)s->item + 1);
            html_text(&b, item, FLAT);
        }
        if (s->point_of_order)
            put(&b, ", point of order");
        put(&b, "</li>\n");
    }
    if (in->nspeakers)
        put(&b, "</ul>\n");
    put(&b, "<h2>Motions</h2>\n");
    if (!in->nmotions)
        put(&b, "<p>No motion was put to a vote.</p>\n");
    for (size_t i = 0; i < in->nmotions; i++)
        html_motion(&b, &in->motions[i]);
    put(&b, "<p>Adopted motions are recommendations of the working group, not binding decisions.</p>\n"
            "<h2>Signature</h2>\n<p>The server signs the header below, which pins the Markdown text of these minutes "
            "by its SHA-256 (docs/audit.md, b40-minutes-v1).</p>\n<pre>");
    html_text(&b, header, KEEP);
    put(&b, "</pre>\n<p>Signature (Ed25519): <code>");
    html_text(&b, signature_hex, FLAT);
    put(&b, "</code></p>\n<p>Server key: <code>");
    html_text(&b, server_key_hex, FLAT);
    put(&b, "</code></p>\n</main>\n</body>\n</html>\n");
    return finish(&b, len);
}
