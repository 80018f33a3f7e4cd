/*
 * membership: the rules of "Membership Terms and Method" in the network's
 * charter (shared/seed/b40-organizational-structure.txt), as plain C over
 * plain structs: no database, no socket. Statuses and the ways a city
 * joins; what status a city had on a date, given its dated status changes;
 * who counts as a member and who may vote; what attending a summit does;
 * which status changes the secretariat may make; and the syntax checks of
 * every registry field that comes from outside. Pure functions; any thread.
 *
 * Membership is free: the charter proposes no membership fee, and no field
 * or rule here (or anywhere in the server) asks for, records or checks one.
 */
#ifndef B40_MEMBERSHIP_H
#define B40_MEMBERSHIP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MEMBERSHIP_CODE_MAX 32     /* bytes in a city code */
#define MEMBERSHIP_DATE_LEN 10     /* "YYYY-MM-DD" */
#define MEMBERSHIP_TZ_MAX 64       /* bytes in a time zone name */
#define MEMBERSHIP_EMAIL_MIN 3
#define MEMBERSHIP_EMAIL_MAX 254   /* RFC 5321's limit on a forward path */
#define MEMBERSHIP_EMAIL_LOCAL_MAX 64
#define MEMBERSHIP_NAME_MAX 100    /* bytes in a city name, a contact's name */
#define MEMBERSHIP_REASON_MAX 500  /* bytes in the reason for a status change or a decision */
#define MEMBERSHIP_REQUEST_REASON_MAX 2000 /* bytes in a membership request's reason */

/* A city's standing in the network. MEMBERSHIP_NONE: no record (never joined, or before its first change). */
enum membership_status {
    MEMBERSHIP_NONE = 0,
    MEMBERSHIP_APPLICANT,
    MEMBERSHIP_MEMBER,
    MEMBERSHIP_SUSPENDED, /* still a member of the network, but may not vote */
    MEMBERSHIP_FORMER,
};

/* How a city became a member (the charter's three ways). */
enum membership_joined {
    MEMBERSHIP_JOINED_NONE = 0,
    MEMBERSHIP_JOINED_FOUNDING_SUMMIT,   /* attended the first summit, Istanbul, 29-30 November 2021 */
    MEMBERSHIP_JOINED_SUMMIT_ATTENDANCE, /* a Balkan city that attended a later summit */
    MEMBERSHIP_JOINED_APPROVED_REQUEST,  /* the secretariat approved its request from the website form */
};

/* Where a membership request stands. MEMBERSHIP_REQUEST_ANY is only a filter. */
enum membership_request_state {
    MEMBERSHIP_REQUEST_ANY = 0,
    MEMBERSHIP_REQUEST_PENDING,
    MEMBERSHIP_REQUEST_APPROVED,
    MEMBERSHIP_REQUEST_REJECTED,
};

/*
 * Wire names ("member", "founding_summit", "pending", ...). The *_name
 * functions return a static string, or NULL for the NONE/ANY value (and any
 * value out of range). The *_parse functions take the exact lower-case wire
 * name, set *out and return 0, or return -1 (and leave *out alone) for
 * anything else, NULL included; "none"/"any" are not wire names.
 */
const char *membership_status_name(enum membership_status s);
int membership_status_parse(const char *text, enum membership_status *out) __attribute__((warn_unused_result));
const char *membership_joined_name(enum membership_joined j);
int membership_joined_parse(const char *text, enum membership_joined *out) __attribute__((warn_unused_result));
const char *membership_request_state_name(enum membership_request_state s);
int membership_request_state_parse(const char *text, enum membership_request_state *out)
    __attribute__((warn_unused_result));

/* One dated status change: `status` holds from `effective_on` (a date, YYYY-MM-DD) on. */
struct membership_change {
    enum membership_status status;
    char effective_on[MEMBERSHIP_DATE_LEN + 1];
};

/*
 * The status a city had on `date`, from its status changes history[0..n).
 * The change that applies is the one with the latest effective_on not after
 * `date`; among changes effective on the same day the one later in the
 * array wins (callers pass them in the order they were recorded). The array
 * need not be sorted. Before the first change, with n == 0, or when `date`
 * is not a valid date: MEMBERSHIP_NONE. Changes whose effective_on is not a
 * valid date are ignored (the store never writes one).
 */
enum membership_status membership_status_on(const struct membership_change *history, size_t n, const char *date);

/* Whether the city was a member of the network on `date`: member or suspended (a suspension is not an exit). */
bool membership_is_member_on(const struct membership_change *history, size_t n, const char *date);

/* Whether a city in this status may cast a vote: only a member; a suspended city may not. */
bool membership_can_vote(enum membership_status s);

/*
 * Balkan countries: the network's working definition, by ISO 3166-1 alpha-2
 * code (XK for Kosovo). It is written down once, in membership.c's
 * `balkan_countries`; change it there (and its test in test_membership.c).
 * `country` must be two upper-case letters; anything else is not Balkan.
 */
bool membership_country_is_balkan(const char *country);

/* What attending a summit does to a city (the charter: "Balkan cities become members by attending"). */
enum membership_attendance {
    MEMBERSHIP_ATTEND_JOINS,           /* becomes a member, joined_how summit_attendance, from the summit's date */
    MEMBERSHIP_ATTEND_STAYS_MEMBER,    /* already a member: nothing changes */
    MEMBERSHIP_ATTEND_STAYS_SUSPENDED, /* suspended: attendance does not lift a suspension */
    MEMBERSHIP_ATTEND_NOT_ELIGIBLE,    /* not a Balkan city: attendance alone does not make it a member */
};

/*
 * The effect of a city attending a summit, given its current status
 * (MEMBERSHIP_NONE for a city not in the registry) and whether it is a
 * Balkan city. A member stays a member and a suspended city stays suspended
 * whatever its country; a Balkan city with no record, an applicant or a
 * former member joins; any other city does not become a member (it may
 * still send a membership request).
 */
enum membership_attendance membership_on_attendance(enum membership_status current, bool is_balkan);

/* Whether the secretariat may move a city from one status to another with city.set_status. */
enum membership_transition {
    MEMBERSHIP_TRANSITION_ALLOWED = 0,
    MEMBERSHIP_TRANSITION_SAME,    /* the city has that status already: `conflict` */
    MEMBERSHIP_TRANSITION_REFUSED, /* not a change the secretariat makes this way: `conflict` */
};

/*
 * Allowed: member -> suspended, suspended -> member (reinstated),
 * member -> former, suspended -> former, former -> member (rejoins).
 * Everything else is refused: an applicant becomes a member only through
 * request.decide's approve; nothing goes back to applicant or to no status.
 */
enum membership_transition membership_transition_check(enum membership_status from, enum membership_status to);

/* ---- syntax of what comes from outside. Each takes a NUL-terminated string (NULL: false). ---- */

/* A city code: ^[a-z][a-z0-9-]{1,31}$ (2 to 32 bytes, lower-case ASCII). */
bool membership_code_is_valid(const char *code);

/* A country: ^[A-Z]{2}$ (ISO 3166-1 alpha-2 syntax; XK is accepted like any other pair). */
bool membership_country_is_valid(const char *country);

/* A date YYYY-MM-DD that exists in the Gregorian calendar (years 0001 to 9999; 29 February only in leap years). */
bool membership_date_is_valid(const char *date);

/*
 * Writes the UTC calendar date of `ms` (milliseconds since the epoch) as
 * YYYY-MM-DD into out. Returns 0, or -1 for a time outside years 0001-9999.
 */
int membership_date_from_ms(int64_t ms, char out[MEMBERSHIP_DATE_LEN + 1]) __attribute__((warn_unused_result));

/*
 * An e-mail address, a practical subset of RFC 5321/6531 that a mail
 * program and a person can both read back: 3 to 254 bytes, valid UTF-8,
 * exactly one '@'; a local part of 1 to 64 bytes of letters, digits,
 * non-ASCII letters and !#$%&'*+/=?^_`{|}~.- (no leading, trailing or
 * doubled dot); a domain of at least two dot-separated labels, each 1 to 63
 * bytes of letters, digits, '-' (not first or last) or non-ASCII. No space,
 * no control character, no quotes, angle brackets or other markup.
 */
bool membership_email_is_valid(const char *email);

/*
 * Free text a person typed (a name, a reason), checked before it is stored:
 * valid UTF-8; from min_bytes to max_bytes bytes; at least one character
 * that is not a space, line feed or no-break space (an empty text passes
 * only when min_bytes is 0); and no control characters: no C0 control (U+0000 to
 * U+001F) except, when allow_newlines, the line feed U+000A (reason fields
 * are several lines; a carriage return or a tab is refused everywhere), no
 * DEL or C1 control (U+007F to U+009F), no line or paragraph separator
 * (U+2028, U+2029) and no bidirectional embedding, override or isolate
 * (U+202A to U+202E, U+2066 to U+2069), which could make a name read
 * differently on screen from what is stored. Markup such as "<script>" is
 * allowed: text is stored as sent and every page shows it escaped.
 */
bool membership_text_is_valid(const char *text, size_t min_bytes, size_t max_bytes, bool allow_newlines);

/*
 * An IANA time zone name's syntax (not whether the zone exists): 3 to 64
 * bytes, two or more components separated by '/', each starting with an
 * ASCII letter and made of ASCII letters, '_' and '-' (e.g.
 * "Europe/Istanbul", "America/Argentina/Buenos_Aires"). No digits, dots or
 * empty components, so the name is also a safe relative path under
 * /usr/share/zoneinfo.
 */
bool membership_tz_is_valid(const char *tz);

/* A latitude (-90 to 90) and longitude (-180 to 180), finite. */
bool membership_coordinates_are_valid(double lat, double lon);

#endif
