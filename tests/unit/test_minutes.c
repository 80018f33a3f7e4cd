/*
 * Unit tests of the minutes (server/minutes.c): the signed header's bytes,
 * the sections of the Markdown and the HTML, and the escaping of every
 * value a person typed: markup in names, titles, agenda items and motion
 * texts comes out as text in both forms, and the HTML has no script, no
 * inline style and no element a value could have injected.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "b40/minutes.h"
#include "b40/timeutil.h"

#define T0 1800000000000LL /* 2027-01-15T08:00:00.000Z */

static const char *const AGENDA[] = {"Opening", "Heat <b>plans</b> & [shade](javascript:alert(1))", "Any other business"};
static const struct minutes_attendee ATT[] = {
    {"Network secretary", "", T0, T0 + 3600000},
    {"Mayor of Athens", "athens", T0 + 60000, T0 + 1800000},
    {"Mayor of Athens", "athens", T0 + 1900000, T0 + 3600000},
    {"<script>alert('x')</script>", "sofia", T0 + 120000, 0},
};
static const char *const PRESENT[] = {"athens", "sofia"};
static const char *const ABSENT[] = {"tirana"};
static const struct minutes_speaker SPEAKERS[] = {
    {T0 + 600000, "Mayor of Athens", "athens", 1, true},
    {T0 + 700000, "<script>alert('x')</script>", "sofia", 1, false},
};
static const struct minutes_roll_line ROLL[] = {{"athens", "yes"}, {"sofia", "present_not_voting"}, {"tirana", "absent"}};
static const struct minutes_motion MOTIONS[] = {
    {.id = 4,
     .text = "Cities plant trees.\n<img src=x onerror=alert(1)>\n# not a heading",
     .outcome = "adopted",
     .members = 3,
     .present = 2,
     .threshold = 2,
     .quorum_met = true,
     .yes = 1,
     .present_not_voting = 1,
     .absent = 1,
     .roll = ROLL,
     .nroll = 3,
     .opened_ms = T0 + 800000,
     .closed_ms = T0 + 900000,
     .chain_head = "b40-motion-chain-head-v1\nnetwork: b40-balkan-cities\nmotion: 4\nseq: 1\nchain: ab\nclosed: x\n",
     .recommendation_id = 9},
    {.id = 5, .text = "Never closed", .outcome = NULL, .opened_ms = T0 + 950000},
};

static struct minutes_input input(void)
{
    struct minutes_input in;

    memset(&in, 0, sizeof(in));
    in.session = 7;
    in.title = "Climate <Q1> session";
    in.group_code = "climate";
    in.group_name = "Local climate action";
    in.kind = "regular";
    in.quarter = "2027Q1";
    in.chair = NULL;
    in.video_url = "https://meet.example/b40?x=\"1\"";
    in.starts_ms = T0;
    in.ends_ms = T0 + 7200000;
    in.opened_ms = T0;
    in.closed_ms = T0 + 3600000;
    in.agenda = AGENDA;
    in.nagenda = 3;
    in.attendance = ATT;
    in.nattendance = 4;
    in.cities_attended = PRESENT;
    in.ncities_attended = 2;
    in.cities_absent = ABSENT;
    in.ncities_absent = 1;
    in.speakers = SPEAKERS;
    in.nspeakers = 2;
    in.motions = MOTIONS;
    in.nmotions = 2;
    return in;
}

/* Every c in text is escaped with a backslash. */
static void assert_escaped(const char *text, char c)
{
    for (const char *p = strchr(text, c); p; p = strchr(p + 1, c))
        assert_true(p > text && p[-1] == '\\');
}

/*
 * Every tag of the HTML is one the minutes write, and none has an event
 * handler or a style: what a value held can only have become text.
 */
static void assert_only_our_tags(const char *html)
{
    static const char *const allowed[] = {"!DOCTYPE", "html", "head", "meta", "title", "link", "body", "main", "h1",
                                          "h2", "h3", "dl", "dt", "dd", "ul", "ol", "li", "p", "section", "blockquote",
                                          "table", "thead", "tbody", "tr", "th", "td", "pre", "code", "time", "br"};
    for (const char *p = strchr(html, '<'); p; p = strchr(p + 1, '<')) {
        const char *name = p + 1 + (p[1] == '/'), *end = strchr(p, '>');
        size_t n = strcspn(name, " >");
        bool ok = false;
        char tag[256];
        assert_non_null(end);
        for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++)
            ok = ok || (strlen(allowed[i]) == n && !strncmp(allowed[i], name, n));
        if (!ok)
            print_message("unexpected tag at: %.40s\n", p);
        assert_true(ok);
        assert_true((size_t)(end - p) < sizeof(tag));
        memcpy(tag, p, (size_t)(end - p));
        tag[end - p] = '\0';
        assert_null(strstr(tag, " on"));
        assert_null(strstr(tag, "style="));
        assert_null(strstr(tag, "javascript"));
    }
}

static void test_header(void **state)
{
    uint8_t h[32];
    char out[MINUTES_HEADER_MAX];
    int n;

    (void)state;
    memset(h, 0x5a, 32);

    n = minutes_header(7, h, T0, out);
    assert_int_equal(n, (int)strlen(out));
    assert_string_equal(out, "b40-minutes-v1\n"
                             "network: b40-balkan-cities\n"
                             "session: 7\n"
                             "markdown-sha256: 5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a\n"
                             "closed: 2027-01-15T08:00:00.000Z\n");
    assert_int_equal(minutes_header(0, h, T0, out), -1);
}

static void test_markdown(void **state)
{
    struct minutes_input in = input();
    size_t len;
    char *md = minutes_markdown(&in, &len);

    (void)state;
    assert_non_null(md);
    assert_int_equal(len, strlen(md));
    assert_non_null(strstr(md, "# Minutes: Climate \\<Q1\\> session\n"));
    assert_non_null(strstr(md, "- Chair: the secretariat\n"));
    assert_non_null(strstr(md, "Member cities present (2): athens, sofia"));
    assert_non_null(strstr(md, "Member cities absent (1): tirana"));
    assert_non_null(strstr(md, "### athens\n\n- Mayor of Athens: 2027-01-15T08:01:00.000Z to 2027-01-15T08:30:00.000Z\n"
                               "- Mayor of Athens: 2027-01-15T08:31:40.000Z to 2027-01-15T09:00:00.000Z\n"));
    assert_non_null(strstr(md, "### Secretariat\n"));
    /* markup typed by people is text: no tag, link or image survives unescaped */
    assert_escaped(md, '<');
    assert_null(strstr(md, "\n<")); /* no line opens with a tag; '>' only opens the quotes */
    assert_escaped(md, '[');
    assert_escaped(md, '&');
    assert_null(strstr(md, "]("));
    assert_non_null(strstr(md, "\\<script\\>alert"));
    assert_non_null(strstr(md, "2. Heat \\<b\\>plans\\</b\\> \\& \\[shade\\]\\(javascript:alert\\(1\\)\\)\n"));
    /* a motion's lines stay inside its quote; a "#" line is not a heading */
    assert_non_null(strstr(md, "> Cities plant trees.  \n> \\<img src=x onerror=alert\\(1\\)\\>  \n> \\# not a heading\n"));
    assert_non_null(strstr(md, "### Motion 4: adopted\n"));
    assert_non_null(strstr(md, "- Quorum: 2 of 3 member cities present at opening; 2 needed; met\n"));
    assert_non_null(strstr(md, "- Votes: 1 yes, 0 no, 0 abstained, 1 present not voting, 1 absent\n"));
    assert_non_null(strstr(md, "recommendation 9: a recommendation of the group, not a binding decision"));
    assert_non_null(strstr(md, "| athens | yes |\n| sofia | present, not voting |\n| tirana | absent |\n"));
    assert_non_null(strstr(md, "```\nb40-motion-chain-head-v1\n"));
    assert_non_null(strstr(md, "### Motion 5: not closed\n"));
    assert_non_null(strstr(md, "- 2027-01-15T08:10:00.000Z: Mayor of Athens (athens), item 2, Heat"));
    assert_non_null(strstr(md, ", point of order\n"));
    free(md);
}

static void test_html(void **state)
{
    struct minutes_input in = input();
    size_t len;
    char *html = minutes_html(&in, "b40-minutes-v1\nnetwork: b40-balkan-cities\n", "ab<cd", "ef", &len);

    (void)state;
    assert_non_null(html);
    assert_int_equal(len, strlen(html));
    assert_true(!strncmp(html, "<!DOCTYPE html>\n", 16));
    assert_non_null(strstr(html, "<link rel=\"stylesheet\" href=\"/css/app.css\">"));
    /* nothing a person typed becomes markup; no script or inline style anywhere */
    assert_only_our_tags(html);
    assert_null(strstr(html, "<script"));
    assert_null(strstr(html, "<img"));
    assert_non_null(strstr(html, "<title>Minutes: Climate &lt;Q1&gt; session</title>"));
    assert_non_null(strstr(html, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
    assert_non_null(strstr(html, "Cities plant trees.<br>\n&lt;img src=x onerror=alert(1)&gt;<br>\n# not a heading"));
    assert_non_null(strstr(html, "https://meet.example/b40?x=&quot;1&quot;"));
    assert_non_null(strstr(html, "<tr><td>sofia</td><td>present, not voting</td></tr>"));
    assert_non_null(strstr(html, "<pre>b40-minutes-v1\nnetwork: b40-balkan-cities\n</pre>"));
    assert_non_null(strstr(html, "<code>ab&lt;cd</code>"));
    assert_non_null(strstr(html, "<time datetime=\"2027-01-15T08:00:00.000Z\">"));
    free(html);
}

static void test_empty_session(void **state)
{
    struct minutes_input in = input();
    size_t len;
    char *md, *html;

    (void)state;
    in.nattendance = in.nspeakers = in.nmotions = in.ncities_attended = 0;
    in.chair = "Mayor of Sofia";
    in.opened_ms = 0;
    md = minutes_markdown(&in, &len);
    html = minutes_html(&in, "h", "s", "k", &len);
    assert_non_null(md);
    assert_non_null(html);
    assert_non_null(strstr(md, "Member cities present (0): none"));
    assert_non_null(strstr(md, "Nobody was given the floor."));
    assert_non_null(strstr(md, "No motion was put to a vote."));
    assert_non_null(strstr(md, "- Opened: unknown\n"));
    assert_non_null(strstr(md, "- Chair: Mayor of Sofia\n"));
    assert_non_null(strstr(html, "<p>No motion was put to a vote.</p>"));
    free(md);
    free(html);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_header),
        cmocka_unit_test(test_markdown),
        cmocka_unit_test(test_html),
        cmocka_unit_test(test_empty_session),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
