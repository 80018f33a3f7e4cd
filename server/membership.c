/*
 * membership: the charter's membership rules and the registry's field
 * syntax. See include/b40/membership.h for the contract. No state, no
 * allocation, no I/O; any thread.
 */
#include "b40/membership.h"

#include <math.h>
#include <string.h>
#include <time.h>

static const char *const status_names[] = {
    [MEMBERSHIP_APPLICANT] = "applicant",
    [MEMBERSHIP_MEMBER] = "member",
    [MEMBERSHIP_SUSPENDED] = "suspended",
    [MEMBERSHIP_FORMER] = "former",
};

static const char *const joined_names[] = {
    [MEMBERSHIP_JOINED_FOUNDING_SUMMIT] = "founding_summit",
    [MEMBERSHIP_JOINED_SUMMIT_ATTENDANCE] = "summit_attendance",
    [MEMBERSHIP_JOINED_APPROVED_REQUEST] = "approved_request",
};

static const char *const request_state_names[] = {
    [MEMBERSHIP_REQUEST_PENDING] = "pending",
    [MEMBERSHIP_REQUEST_APPROVED] = "approved",
    [MEMBERSHIP_REQUEST_REJECTED] = "rejected",
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Index 0 of each table is the NONE/ANY value, which has no wire name. */
static const char *name_of(const char *const *names, size_t n, int v)
{
    return v > 0 && (size_t)v < n ? names[v] : NULL;
}

static int parse_in(const char *const *names, size_t n, const char *text, int *out)
{
    if (!text)
        return -1;
    for (size_t i = 1; i < n; i++)
        if (!strcmp(names[i], text)) {
            *out = (int)i;
            return 0;
        }
    return -1;
}

const char *membership_status_name(enum membership_status s)
{
    return name_of(status_names, COUNT(status_names), (int)s);
}

int membership_status_parse(const char *text, enum membership_status *out)
{
    int v;

    if (parse_in(status_names, COUNT(status_names), text, &v) != 0)
        return -1;
    *out = (enum membership_status)v;
    return 0;
}

const char *membership_joined_name(enum membership_joined j)
{
    return name_of(joined_names, COUNT(joined_names), (int)j);
}

int membership_joined_parse(const char *text, enum membership_joined *out)
{
    int v;

    if (parse_in(joined_names, COUNT(joined_names), text, &v) != 0)
        return -1;
    *out = (enum membership_joined)v;
    return 0;
}

const char *membership_request_state_name(enum membership_request_state s)
{
    return name_of(request_state_names, COUNT(request_state_names), (int)s);
}

int membership_request_state_parse(const char *text, enum membership_request_state *out)
{
    int v;

    if (parse_in(request_state_names, COUNT(request_state_names), text, &v) != 0)
        return -1;
    *out = (enum membership_request_state)v;
    return 0;
}

/* ---- status on a date ---- */

enum membership_status membership_status_on(const struct membership_change *history, size_t n, const char *date)
{
    const struct membership_change *best = NULL;

    if (!membership_date_is_valid(date))
        return MEMBERSHIP_NONE;
    for (size_t i = 0; i < n; i++) {
        const struct membership_change *c = &history[i];
        /* Valid dates are fixed-width digits, so byte order is calendar order. */
        if (!membership_date_is_valid(c->effective_on) || strcmp(c->effective_on, date) > 0)
            continue;
        if (!best || strcmp(c->effective_on, best->effective_on) >= 0)
            best = c; /* ">=": on the same day the one recorded later wins */
    }
    return best ? best->status : MEMBERSHIP_NONE;
}

bool membership_is_member_on(const struct membership_change *history, size_t n, const char *date)
{
    enum membership_status s = membership_status_on(history, n, date);

    return s == MEMBERSHIP_MEMBER || s == MEMBERSHIP_SUSPENDED;
}

bool membership_can_vote(enum membership_status s)
{
    return s == MEMBERSHIP_MEMBER;
}

/* ---- summits ---- */

/*
 * The network's working definition of a Balkan country, by ISO 3166-1
 * alpha-2 code: Albania, Bosnia and Herzegovina, Bulgaria, Greece, Croatia,
 * Montenegro, North Macedonia, Serbia, Slovenia, Romania, Türkiye, Kosovo
 * (XK) and Moldova. The charter names no list; this is the secretariat's
 * reading of "Balkan cities". To change it, edit this list and the case
 * table in tests/unit/test_membership.c, and say so in the release notes:
 * it decides who joins by attending a summit.
 */
static const char balkan_countries[][3] = {
    "AL", "BA", "BG", "GR", "HR", "ME", "MK", "RS", "SI", "RO", "TR", "XK", "MD",
};

bool membership_country_is_balkan(const char *country)
{
    if (!membership_country_is_valid(country))
        return false;
    for (size_t i = 0; i < COUNT(balkan_countries); i++)
        if (!strcmp(balkan_countries[i], country))
            return true;
    return false;
}

enum membership_attendance membership_on_attendance(enum membership_status current, bool is_balkan)
{
    switch (current) {
    case MEMBERSHIP_MEMBER:
        return MEMBERSHIP_ATTEND_STAYS_MEMBER;
    case MEMBERSHIP_SUSPENDED:
        /* A suspension is the secretariat's decision; turning up at a summit does not undo it. */
        return MEMBERSHIP_ATTEND_STAYS_SUSPENDED;
    case MEMBERSHIP_NONE:
    case MEMBERSHIP_APPLICANT:
    case MEMBERSHIP_FORMER:
        break;
    }
    return is_balkan ? MEMBERSHIP_ATTEND_JOINS : MEMBERSHIP_ATTEND_NOT_ELIGIBLE;
}

enum membership_transition membership_transition_check(enum membership_status from, enum membership_status to)
{
    if (from == to)
        return MEMBERSHIP_TRANSITION_SAME;
    switch (from) {
    case MEMBERSHIP_MEMBER:
        return to == MEMBERSHIP_SUSPENDED || to == MEMBERSHIP_FORMER ? MEMBERSHIP_TRANSITION_ALLOWED
                                                                     : MEMBERSHIP_TRANSITION_REFUSED;
    case MEMBERSHIP_SUSPENDED:
        return to == MEMBERSHIP_MEMBER || to == MEMBERSHIP_FORMER ? MEMBERSHIP_TRANSITION_ALLOWED
                                                                  : MEMBERSHIP_TRANSITION_REFUSED;
    case MEMBERSHIP_FORMER:
        return to == MEMBERSHIP_MEMBER ? MEMBERSHIP_TRANSITION_ALLOWED : MEMBERSHIP_TRANSITION_REFUSED;
    case MEMBERSHIP_NONE:
    case MEMBERSHIP_APPLICANT: /* only request.decide's approve makes an applicant a member */
        break;
    }
    return MEMBERSHIP_TRANSITION_REFUSED;
}

/* ---- syntax ---- */

static bool is_lower(char c) { return c >= 'a' && c <= 'z'; }
static bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
static bool is_digit(char c) { return c >= '0' && c <= '9'; }
static bool is_alpha(char c) { return is_lower(c) || is_upper(c); }

bool membership_code_is_valid(const char *code)
{
    size_t i;

    if (!code || !is_lower(code[0]))
        return false;
    for (i = 1; code[i]; i++)
        if (i >= MEMBERSHIP_CODE_MAX || !(is_lower(code[i]) || is_digit(code[i]) || code[i] == '-'))
            return false;
    return i >= 2;
}

bool membership_country_is_valid(const char *country)
{
    return country && is_upper(country[0]) && is_upper(country[1]) && country[2] == '\0';
}

static bool is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int digits(const char *s, int n)
{
    int v = 0;

    for (int i = 0; i < n; i++) {
        if (!is_digit(s[i]))
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

bool membership_date_is_valid(const char *date)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int y, m, d;

    if (!date || strnlen(date, MEMBERSHIP_DATE_LEN + 1) != MEMBERSHIP_DATE_LEN || date[4] != '-' || date[7] != '-')
        return false;
    y = digits(date, 4);
    m = digits(date + 5, 2);
    d = digits(date + 8, 2);
    if (y < 1 || m < 1 || m > 12 || d < 1)
        return false;
    return d <= days[m - 1] + (m == 2 && is_leap(y));
}

int membership_date_from_ms(int64_t ms, char out[MEMBERSHIP_DATE_LEN + 1])
{
    /* 0001-01-01 and 10000-01-01 in seconds since the epoch */
    const int64_t min_s = -62135596800LL, max_s = 253402300800LL;
    int64_t s = ms / 1000 - (ms % 1000 < 0);
    struct tm tm;
    time_t t;

    if (s < min_s || s >= max_s)
        return -1;
    t = (time_t)s;
    if (!gmtime_r(&t, &tm) || strftime(out, MEMBERSHIP_DATE_LEN + 1, "%Y-%m-%d", &tm) != MEMBERSHIP_DATE_LEN)
        return -1;
    return membership_date_is_valid(out) ? 0 : -1;
}

/*
 * Decodes one UTF-8 sequence at s (strict: no overlong forms, no
 * surrogates, nothing above U+10FFFF). Returns its length and the code
 * point in *cp, or 0 when the bytes are not valid UTF-8.
 */
static size_t utf8_decode(const unsigned char *s, uint32_t *cp)
{
    uint32_t c;
    size_t n;

    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    if (s[0] >= 0xc2 && s[0] <= 0xdf) {
        c = s[0] & 0x1f;
        n = 2;
    } else if (s[0] >= 0xe0 && s[0] <= 0xef) {
        c = s[0] & 0x0f;
        n = 3;
    } else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
        c = s[0] & 0x07;
        n = 4;
    } else {
        return 0;
    }
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80) /* also stops at the NUL terminator */
            return 0;
        c = (c << 6) | (s[i] & 0x3f);
    }
    if ((n == 3 && c < 0x800) || (n == 4 && (c < 0x10000 || c > 0x10ffff)) || (c >= 0xd800 && c <= 0xdfff))
        return 0;
    *cp = c;
    return n;
}

static bool is_forbidden_in_text(uint32_t cp, bool allow_newlines)
{
    if (cp < 0x20)
        return !(allow_newlines && cp == '\n');
    return (cp >= 0x7f && cp <= 0x9f) || cp == 0x2028 || cp == 0x2029 || (cp >= 0x202a && cp <= 0x202e) ||
           (cp >= 0x2066 && cp <= 0x2069);
}

bool membership_text_is_valid(const char *text, size_t min_bytes, size_t max_bytes, bool allow_newlines)
{
    const unsigned char *s = (const unsigned char *)text;
    bool visible = false;
    size_t i = 0;

    if (!text)
        return false;
    while (s[i]) {
        uint32_t cp;
        size_t n = utf8_decode(s + i, &cp);
        if (n == 0 || is_forbidden_in_text(cp, allow_newlines))
            return false;
        if (cp != ' ' && cp != '\n' && cp != 0xa0)
            visible = true;
        i += n;
        if (i > max_bytes)
            return false;
    }
    return i >= min_bytes && (visible || (i == 0 && min_bytes == 0));
}

/* The characters of RFC 5322's atext besides letters and digits. */
static bool is_atext_symbol(char c)
{
    return c && strchr("!#$%&'*+/=?^_`{|}~-", c) != NULL;
}

bool membership_email_is_valid(const char *email)
{
    const unsigned char *s = (const unsigned char *)email;
    size_t i = 0, at = 0, label = 0, labels = 0;
    bool seen_at = false, label_hyphen_end = false;

    if (!email)
        return false;
    while (s[i]) {
        uint32_t cp;
        size_t n = utf8_decode(s + i, &cp);
        char c = (char)s[i];

        if (n == 0 || i + n > MEMBERSHIP_EMAIL_MAX)
            return false;
        if (c == '@') {
            if (seen_at || i == 0 || s[i - 1] == '.' || i > MEMBERSHIP_EMAIL_LOCAL_MAX)
                return false;
            seen_at = true;
            at = i;
            label = 0;
        } else if (!seen_at) { /* local part */
            if (c == '.') {
                if (i == 0 || s[i - 1] == '.')
                    return false;
            } else if (!(cp >= 0x80 || is_alpha(c) || is_digit(c) || is_atext_symbol(c))) {
                return false;
            }
        } else { /* domain */
            if (c == '.') {
                if (label == 0 || label_hyphen_end)
                    return false;
                labels++;
                label = 0;
            } else if (c == '-') {
                if (label == 0)
                    return false;
                label++;
            } else if (cp >= 0x80 || is_alpha(c) || is_digit(c)) {
                label += n;
            } else {
                return false;
            }
            if (label > 63)
                return false;
            label_hyphen_end = c == '-';
        }
        /* non-ASCII must not be a control or separator someone could hide in an address */
        if (cp >= 0x80 && is_forbidden_in_text(cp, false))
            return false;
        i += n;
    }
    if (!seen_at || label == 0 || label_hyphen_end)
        return false;
    labels++;
    return i >= MEMBERSHIP_EMAIL_MIN && labels >= 2 && at > 0;
}

bool membership_tz_is_valid(const char *tz)
{
    size_t i, components = 1;

    if (!tz || !is_alpha(tz[0]))
        return false;
    for (i = 1; tz[i]; i++) {
        char c = tz[i];
        if (i >= MEMBERSHIP_TZ_MAX)
            return false;
        if (c == '/') {
            if (!is_alpha(tz[i + 1])) /* each component starts with a letter: no "//", no trailing '/' */
                return false;
            components++;
        } else if (!(is_alpha(c) || c == '_' || c == '-')) {
            return false;
        }
    }
    return i >= 3 && components >= 2;
}

bool membership_coordinates_are_valid(double lat, double lon)
{
    return isfinite(lat) && isfinite(lon) && lat >= -90.0 && lat <= 90.0 && lon >= -180.0 && lon <= 180.0;
}
