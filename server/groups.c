/*
 * groups: the working groups' rules (docs/groups.md) as plain C. See
 * include/b40/groups.h for the contract. Dates go through summit.c's day
 * numbers and membership.c's text checks; no database, no socket. Pure
 * functions; any thread.
 */
#include "b40/groups.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "b40/identity.h"
#include "b40/membership.h"
#include "b40/summit.h"
#include "b40/timeutil.h"

#define DAY_MS (24LL * 3600 * 1000)

/* ---- syntax ---- */

bool groups_code_is_valid(const char *code)
{
    size_t n;

    if (!code || !(code[0] >= 'a' && code[0] <= 'z'))
        return false;
    n = strlen(code);
    if (n < 2 || n > GROUPS_CODE_MAX)
        return false;
    for (size_t i = 1; i < n; i++)
        if (!((code[i] >= 'a' && code[i] <= 'z') || (code[i] >= '0' && code[i] <= '9') || code[i] == '-'))
            return false;
    return true;
}

bool groups_name_is_valid(const char *name)
{
    return membership_text_is_valid(name, 1, GROUPS_NAME_MAX, false);
}

bool groups_description_is_valid(const char *description)
{
    return membership_text_is_valid(description, 1, GROUPS_DESCRIPTION_MAX, false);
}

bool groups_title_is_valid(const char *title)
{
    return membership_text_is_valid(title, 1, GROUPS_TITLE_MAX, false);
}

bool groups_agenda_item_is_valid(const char *item)
{
    return membership_text_is_valid(item, 1, GROUPS_AGENDA_ITEM_MAX, false);
}

bool groups_reason_is_valid(const char *reason)
{
    return membership_text_is_valid(reason, 1, GROUPS_REASON_MAX, false);
}

bool groups_note_is_valid(const char *note)
{
    return note && (!note[0] || membership_text_is_valid(note, 0, GROUPS_NOTE_MAX, true));
}

bool groups_followup_status_is_valid(const char *status)
{
    static const char *const names[] = {"planned", "in_progress", "implemented", "not_planned"};

    for (size_t i = 0; status && i < sizeof(names) / sizeof(names[0]); i++)
        if (!strcmp(status, names[i]))
            return true;
    return false;
}

bool groups_kind_is_valid(const char *kind)
{
    return kind && (!strcmp(kind, "permanent") || !strcmp(kind, "temporary"));
}

bool groups_url_is_valid(const char *url)
{
    const char *p;
    size_t n, host = 0;

    if (!url || strncmp(url, "https://", 8))
        return false;
    n = strlen(url);
    if (n > GROUPS_URL_MAX)
        return false;
    p = url + 8;
    /* the host: letters, digits, dots and hyphens, not starting or ending with a dot or hyphen */
    while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '.' ||
           *p == '-') {
        p++;
        host++;
    }
    if (host == 0 || p[-1] == '.' || p[-1] == '-' || url[8] == '.' || url[8] == '-')
        return false;
    if (*p == ':') {
        size_t digits = 0;
        for (p++; *p >= '0' && *p <= '9'; p++)
            digits++;
        if (digits < 1 || digits > 5)
            return false;
    }
    if (*p && *p != '/' && *p != '?' && *p != '#')
        return false;
    for (; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c <= 0x20 || c >= 0x7f || c == '"' || c == '\'' || c == '<' || c == '>' || c == '\\' || c == '`')
            return false;
    }
    return true;
}

bool groups_end_is_valid(const char *kind, const char *ends_on, const char *start_date)
{
    bool has_end = ends_on && ends_on[0];

    if (!groups_kind_is_valid(kind))
        return false;
    if (!strcmp(kind, "permanent"))
        return !has_end;
    return has_end && membership_date_is_valid(ends_on) && membership_date_is_valid(start_date) &&
           strcmp(ends_on, start_date) > 0;
}

bool groups_duration_is_valid(int64_t starts_ms, int64_t ends_ms)
{
    return ends_ms > starts_ms && ends_ms - starts_ms >= GROUPS_SESSION_MIN_MS &&
           ends_ms - starts_ms <= GROUPS_SESSION_MAX_MS;
}

/* ---- quarters ---- */

/* The first day of quarter q as YYYY-MM-DD. */
static void quarter_first_day(struct groups_quarter q, char out[40])
{
    snprintf(out, 40, "%04d-%02d-01", q.year, (q.quarter - 1) * 3 + 1);
}

static bool quarter_is_valid(struct groups_quarter q)
{
    return q.year >= 1 && q.year <= 9999 && q.quarter >= 1 && q.quarter <= 4;
}

int groups_quarter_of_date(const char *date, struct groups_quarter *out)
{
    int y, m;

    if (!membership_date_is_valid(date) || sscanf(date, "%4d-%2d", &y, &m) != 2)
        return -1;
    out->year = y;
    out->quarter = (m - 1) / 3 + 1;
    return 0;
}

int groups_quarter_of(int64_t ms, struct groups_quarter *out)
{
    char date[MEMBERSHIP_DATE_LEN + 1];

    if (membership_date_from_ms(ms, date) != 0)
        return -1;
    return groups_quarter_of_date(date, out);
}

int64_t groups_quarter_start_ms(struct groups_quarter q)
{
    char first[40];
    int64_t days = 0;

    quarter_first_day(q, first);
    if (!quarter_is_valid(q) || summit_date_days(first, &days) != 0)
        return 0;
    return days * DAY_MS;
}

struct groups_quarter groups_quarter_next(struct groups_quarter q)
{
    if (q.quarter >= 4)
        return (struct groups_quarter){q.year + 1, 1};
    return (struct groups_quarter){q.year, q.quarter + 1};
}

struct groups_quarter groups_quarter_prev(struct groups_quarter q)
{
    if (q.quarter <= 1)
        return (struct groups_quarter){q.year - 1, 4};
    return (struct groups_quarter){q.year, q.quarter - 1};
}

int64_t groups_quarter_end_ms(struct groups_quarter q)
{
    struct groups_quarter next = groups_quarter_next(q);

    if (next.year > 9999) /* the instant after 9999-12-31 */
        return groups_quarter_start_ms((struct groups_quarter){9999, 4}) + 92 * DAY_MS;
    return groups_quarter_start_ms(next);
}

void groups_quarter_name(struct groups_quarter q, char out[8])
{
    if (!quarter_is_valid(q)) {
        out[0] = '\0';
        return;
    }
    snprintf(out, 8, "%04dQ%d", q.year, q.quarter);
}

int groups_quarter_parse(const char *text, struct groups_quarter *out)
{
    int year = 0;

    if (!text || strlen(text) != 6 || text[4] != 'Q' || text[5] < '1' || text[5] > '4')
        return -1;
    for (int i = 0; i < 4; i++) {
        if (text[i] < '0' || text[i] > '9')
            return -1;
        year = year * 10 + (text[i] - '0');
    }
    if (year < 1)
        return -1;
    out->year = year;
    out->quarter = text[5] - '0';
    return 0;
}

int groups_term_end(const char *starts_on, const char *next_starts_on, char out[11])
{
    int y, m, d;
    char anniversary[40];

    out[0] = '\0';
    if (!membership_date_is_valid(starts_on))
        return -1;
    if (next_starts_on && next_starts_on[0]) {
        if (!membership_date_is_valid(next_starts_on) || strcmp(next_starts_on, starts_on) <= 0)
            return -1;
        return summit_date_add(next_starts_on, -1, out) == 0 ? 0 : -1;
    }
    if (sscanf(starts_on, "%4d-%2d-%2d", &y, &m, &d) != 3 || y >= 9999)
        return -1;
    /* 29 February's anniversary is 1 March: the year after a leap year is not one */
    if (m == 2 && d == 29)
        snprintf(anniversary, sizeof(anniversary), "%04d-03-01", y + 1);
    else
        snprintf(anniversary, sizeof(anniversary), "%04d-%02d-%02d", y + 1, m, d);
    return summit_date_add(anniversary, -1, out) == 0 ? 0 : -1;
}

int groups_term_quarters(const char *starts_on, const char *ends_on, struct groups_quarter *out, size_t max, size_t *n)
{
    struct groups_quarter q, last;
    size_t count = 0;

    *n = 0;
    if (!membership_date_is_valid(ends_on) || strcmp(ends_on, starts_on ? starts_on : "") < 0 ||
        groups_quarter_of_date(starts_on, &q) != 0 || groups_quarter_of_date(ends_on, &last) != 0)
        return -1;
    for (;;) {
        if (count >= max)
            return -1;
        out[count++] = q;
        if (q.year == last.year && q.quarter == last.quarter)
            break;
        q = groups_quarter_next(q);
    }
    *n = count;
    return 0;
}

/* ---- the plan ---- */

/* Day of the week of day number `days` (since 1970-01-01, a Thursday): 0 Sunday ... 6 Saturday. */
static int weekday(int64_t days)
{
    return (int)(((days % 7) + 7 + 4) % 7);
}

/* The first day number >= days that is not a Saturday or Sunday. */
static int64_t weekday_on_or_after(int64_t days)
{
    while (weekday(days) == 0 || weekday(days) == 6)
        days++;
    return days;
}

static int64_t floor_div(int64_t a, int64_t b)
{
    return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

int groups_plan_session(struct groups_quarter q, int64_t now_ms, const char *last_day, int64_t *starts_ms,
                        int64_t *ends_ms)
{
    const int64_t hour = (int64_t)GROUPS_PLAN_HOUR_UTC * 3600 * 1000;
    char day[40];
    int64_t days = 0, start, earliest = now_ms + GROUPS_PLAN_NOTICE_MS;

    if (!quarter_is_valid(q))
        return 1;
    snprintf(day, sizeof(day), "%04d-%02d-15", q.year, (q.quarter - 1) * 3 + 2);
    if (summit_date_days(day, &days) != 0)
        return 1;
    start = weekday_on_or_after(days) * DAY_MS + hour;
    if (start < earliest) {
        days = floor_div(earliest, DAY_MS);
        if (days * DAY_MS + hour < earliest)
            days++;
        start = weekday_on_or_after(days) * DAY_MS + hour;
    }
    if (start + GROUPS_PLAN_DURATION_MS > groups_quarter_end_ms(q) || start < groups_quarter_start_ms(q))
        return 1;
    if (last_day && last_day[0]) {
        int64_t last = 0;
        if (summit_date_days(last_day, &last) != 0 || start >= (last + 1) * DAY_MS)
            return 1;
    }
    *starts_ms = start;
    *ends_ms = start + GROUPS_PLAN_DURATION_MS;
    return 0;
}

/* ---- overdue ---- */

bool groups_is_overdue(int64_t now_ms, int64_t since_ms, int64_t last_closed_ms, char missed[8])
{
    struct groups_quarter now, p;
    int64_t p_start;

    if (missed)
        missed[0] = '\0';
    if (groups_quarter_of(now_ms, &now) != 0)
        return false;
    p = groups_quarter_prev(now);
    if (!quarter_is_valid(p))
        return false;
    p_start = groups_quarter_start_ms(p);
    if (p_start < since_ms)
        return false; /* no complete quarter since the group became active or the term began */
    if (last_closed_ms > 0 && last_closed_ms >= p_start)
        return false; /* a session held in P or since */
    if (missed)
        groups_quarter_name(p, missed);
    return true;
}

/* ---- the two-signature rule ---- */

const char *groups_side_name(enum groups_side side)
{
    switch (side) {
    case GROUPS_SIDE_PRESIDENCY: return "presidency";
    case GROUPS_SIDE_SECRETARIAT: return "secretariat";
    case GROUPS_SIDE_NONE: break;
    }
    return NULL;
}

enum groups_side groups_signer_side(unsigned roles, int64_t person_city_id, int64_t presidency_city_id)
{
    if (roles & ROLES_SECRETARIAT)
        return person_city_id == 0 ? GROUPS_SIDE_SECRETARIAT : GROUPS_SIDE_NONE;
    if ((roles & ROLE_MAYOR) && presidency_city_id > 0 && person_city_id == presidency_city_id)
        return GROUPS_SIDE_PRESIDENCY;
    return GROUPS_SIDE_NONE;
}

const char *groups_proposal_state(bool presidency_signed, bool secretariat_signed)
{
    return presidency_signed && secretariat_signed ? "active" : "proposed";
}

/* ---- statements ---- */

/* Appends "name: value\n" (or the kind line when name is NULL) at *len. 0, or -1 when it does not fit. */
__attribute__((format(printf, 5, 6))) static int line(char *out, size_t outlen, size_t *len, const char *name,
                                                      const char *fmt, ...)
{
    va_list ap;
    int n;

    if (*len >= outlen)
        return -1;
    if (name) {
        n = snprintf(out + *len, outlen - *len, "%s: ", name);
        if (n < 0 || (size_t)n >= outlen - *len)
            return -1;
        *len += (size_t)n;
    }
    va_start(ap, fmt);
    n = vsnprintf(out + *len, outlen - *len, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n + 1 >= outlen - *len)
        return -1;
    *len += (size_t)n;
    out[(*len)++] = '\n';
    out[*len] = '\0';
    return 0;
}

int groups_proposal_statement(const struct groups_proposal_text *p, char *out, size_t outlen)
{
    char when[TIMEUTIL_RFC3339_LEN], date[MEMBERSHIP_DATE_LEN + 1];
    bool temporary;
    size_t len = 0;

    if (!p || !out || outlen == 0 || !groups_code_is_valid(p->code) || !groups_name_is_valid(p->name) ||
        !groups_description_is_valid(p->description) || !groups_kind_is_valid(p->kind) ||
        !membership_code_is_valid(p->presidency) || timeutil_rfc3339(p->proposed_ms, when) != 0 ||
        membership_date_from_ms(p->proposed_ms, date) != 0 || !groups_end_is_valid(p->kind, p->ends_on, date))
        return -1;
    temporary = !strcmp(p->kind, "temporary");
    if (line(out, outlen, &len, NULL, "b40-group-proposal-v1") || line(out, outlen, &len, "network", IDENTITY_NETWORK) ||
        line(out, outlen, &len, "code", "%s", p->code) || line(out, outlen, &len, "name", "%s", p->name) ||
        line(out, outlen, &len, "description", "%s", p->description) ||
        line(out, outlen, &len, "kind", "%s", p->kind) ||
        line(out, outlen, &len, "ends-on", "%s", temporary ? p->ends_on : "none") ||
        line(out, outlen, &len, "presidency", "%s", p->presidency) || line(out, outlen, &len, "proposed", "%s", when))
        return -1;
    return (int)len;
}

int groups_request_statement(const struct groups_request_text *r, char *out, size_t outlen)
{
    char when[TIMEUTIL_RFC3339_LEN];
    size_t len = 0;

    if (!r || !out || outlen == 0 || !groups_code_is_valid(r->group) || !membership_code_is_valid(r->city) ||
        !groups_reason_is_valid(r->reason) || timeutil_rfc3339(r->requested_ms, when) != 0)
        return -1;
    if (line(out, outlen, &len, NULL, "b40-session-request-v1") ||
        line(out, outlen, &len, "network", IDENTITY_NETWORK) || line(out, outlen, &len, "group", "%s", r->group) ||
        line(out, outlen, &len, "city", "%s", r->city) || line(out, outlen, &len, "reason", "%s", r->reason) ||
        line(out, outlen, &len, "requested", "%s", when))
        return -1;
    return (int)len;
}
