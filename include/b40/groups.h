/*
 * groups: the rules of the working groups (docs/groups.md) as plain C over
 * plain values: no database, no socket. The bounds of every field; the
 * syntax checks of what comes from outside; calendar quarters; the plan of
 * a term's quarterly sessions; the overdue rule; the two-signature rule of
 * a new group; the signed statements of a group proposal and of a request
 * for an extra session. Pure functions; any thread.
 */
#ifndef B40_GROUPS_H
#define B40_GROUPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GROUPS_CODE_MAX 32          /* bytes in a group code: ^[a-z][a-z0-9-]{1,31}$ */
#define GROUPS_NAME_MAX 120         /* bytes in a group's name */
#define GROUPS_DESCRIPTION_MAX 1000 /* bytes in a group's description (one line) */
#define GROUPS_TITLE_MAX 120        /* bytes in a session's title */
#define GROUPS_URL_MAX 300          /* bytes in a session's video link */
#define GROUPS_AGENDA_ITEMS_MAX 50  /* items on a session's agenda (at least 1) */
#define GROUPS_AGENDA_ITEM_MAX 200  /* bytes in one agenda item */
#define GROUPS_AGENDA_JSON_MAX 16384
#define GROUPS_REASON_MAX 1000      /* bytes in a request's reason, a decision's or a cancellation's */
#define GROUPS_NOTE_MAX 1000        /* bytes in a follow-up note (may have several lines) */
#define GROUPS_RECOMMENDATION_MAX 2000 /* bytes in a recommendation's text */
#define GROUPS_SLOTS_MIN 2          /* candidate slots of a time poll */
#define GROUPS_SLOTS_MAX 12
#define GROUPS_STATEMENT_MAX 2048   /* bytes in a signed group proposal or session request */
#define GROUPS_SESSION_MIN_MS (15LL * 60 * 1000)      /* a session or slot lasts 15 minutes ... */
#define GROUPS_SESSION_MAX_MS (12LL * 3600 * 1000)    /* ... to 12 hours */
#define GROUPS_PLAN_DURATION_MS (2LL * 3600 * 1000)   /* a planned regular session: 2 hours */
#define GROUPS_PLAN_HOUR_UTC 7                        /* at 07:00 UTC = 10:00 Europe/Istanbul */
#define GROUPS_PLAN_NOTICE_MS (7LL * 24 * 3600 * 1000) /* planned at least 7 days ahead */
#define GROUPS_STATEMENT_SKEW_MS (5LL * 60 * 1000)    /* a signed time within 5 minutes of the server's */
#define GROUPS_TERM_QUARTERS_MAX 8                    /* quarters one term can touch */

/* ---- syntax of what comes from outside. Each takes a NUL-terminated string (NULL: false). ---- */

/* A group code: ^[a-z][a-z0-9-]{1,31}$. */
bool groups_code_is_valid(const char *code);

/* A group's name (1 to GROUPS_NAME_MAX bytes) and description (1 to GROUPS_DESCRIPTION_MAX): one line of text. */
bool groups_name_is_valid(const char *name);
bool groups_description_is_valid(const char *description);

/* A session's title: 1 to GROUPS_TITLE_MAX bytes, one line. */
bool groups_title_is_valid(const char *title);

/*
 * A video link: "https://" then a host of letters, digits, '.' and '-'
 * (an optional ":port"), then optionally '/' and a path, query or fragment
 * of printable ASCII without spaces, quotes, angle brackets, backslash or
 * backtick; at most GROUPS_URL_MAX bytes. Enough for a Jitsi, Zoom or
 * Teams link, and safe to put in a calendar and an href.
 */
bool groups_url_is_valid(const char *url);

/* One agenda item: 1 to GROUPS_AGENDA_ITEM_MAX bytes, one line. */
bool groups_agenda_item_is_valid(const char *item);

/* A reason (request, decision, cancellation): 1 to GROUPS_REASON_MAX bytes, one line (it may be signed). */
bool groups_reason_is_valid(const char *reason);

/* A follow-up note: 0 to GROUPS_NOTE_MAX bytes, may have several lines. */
bool groups_note_is_valid(const char *note);

/* "planned", "in_progress", "implemented" or "not_planned". */
bool groups_followup_status_is_valid(const char *status);

/* "permanent" or "temporary". */
bool groups_kind_is_valid(const char *kind);

/*
 * A group's end: a permanent group has none (ends_on NULL or ""); a
 * temporary group ends on a valid date after `start_date` (the day it
 * starts: the proposal's date). Returns true when the pair is valid.
 */
bool groups_end_is_valid(const char *kind, const char *ends_on, const char *start_date);

/* A session's or slot's length: from GROUPS_SESSION_MIN_MS to GROUPS_SESSION_MAX_MS. */
bool groups_duration_is_valid(int64_t starts_ms, int64_t ends_ms);

/* ---- calendar quarters (UTC) ---- */

struct groups_quarter {
    int year;    /* 1 to 9999 */
    int quarter; /* 1 to 4: January-March, April-June, July-September, October-December */
};

/* The quarter that holds `ms` (UTC). 0, or -1 for a time outside the years 0001-9999. */
int groups_quarter_of(int64_t ms, struct groups_quarter *out) __attribute__((warn_unused_result));

/* The quarter that holds date `date` (YYYY-MM-DD). 0 or -1. */
int groups_quarter_of_date(const char *date, struct groups_quarter *out) __attribute__((warn_unused_result));

/* Its first instant (00:00 UTC of its first day) and the first instant of the next quarter, in ms. */
int64_t groups_quarter_start_ms(struct groups_quarter q);
int64_t groups_quarter_end_ms(struct groups_quarter q);

/* The next and the previous quarter. */
struct groups_quarter groups_quarter_next(struct groups_quarter q);
struct groups_quarter groups_quarter_prev(struct groups_quarter q);

/* Its name, "2027Q1", into out[8]; and back: 0, or -1 for anything else. */
void groups_quarter_name(struct groups_quarter q, char out[8]);
int groups_quarter_parse(const char *text, struct groups_quarter *out) __attribute__((warn_unused_result));

/*
 * The last day of a presidency term that started on `starts_on`: the day
 * before `next_starts_on` (the first day of the next summit, NULL or "" when
 * none is known yet), else the day before the anniversary of its start (a
 * term lasts a year until the next summit is set). 0, or -1 for an invalid
 * date or a next summit that does not start after this one.
 */
int groups_term_end(const char *starts_on, const char *next_starts_on, char out[11]) __attribute__((warn_unused_result));

/*
 * The quarters a term from `starts_on` to `ends_on` (both days included)
 * touches, in order, into out[0..max). 0 with *n set, or -1 (invalid dates,
 * ends_on before starts_on, or more than max quarters).
 */
int groups_term_quarters(const char *starts_on, const char *ends_on, struct groups_quarter *out, size_t max,
                         size_t *n) __attribute__((warn_unused_result));

/* ---- the quarterly plan ---- */

/*
 * When the regular session of quarter q is planned, as seen at now_ms: by
 * default on the 15th of the quarter's second month (or the Monday after,
 * when that is a Saturday or Sunday) at GROUPS_PLAN_HOUR_UTC:00 UTC, for
 * GROUPS_PLAN_DURATION_MS. A session is planned at least
 * GROUPS_PLAN_NOTICE_MS ahead: when the default is sooner, the first
 * weekday at that hour that is far enough ahead is taken instead, provided
 * the session still ends inside the quarter. A group that ends (its
 * `last_day`, YYYY-MM-DD, NULL or "" when permanent) gets no session that
 * starts after that day. Returns 0 with *starts_ms and *ends_ms, or 1 when
 * the quarter gets no session (over, too soon, or after the group's end).
 */
int groups_plan_session(struct groups_quarter q, int64_t now_ms, const char *last_day, int64_t *starts_ms,
                        int64_t *ends_ms);

/* ---- the overdue rule ---- */

/*
 * Whether a group is overdue at now_ms (docs/groups.md): P is the quarter
 * before the one holding now_ms; the group is overdue when P began at or
 * after `since_ms` (the later of the day it became active and the first day
 * of the current presidency term: P is a complete quarter since then) and
 * no session of the group in state closed started at or after P's first
 * instant (`last_closed_ms`: the start of its latest closed session, 0 when
 * none). When overdue, missed (may be NULL) gets P's name ("" otherwise).
 */
bool groups_is_overdue(int64_t now_ms, int64_t since_ms, int64_t last_closed_ms, char missed[8]);

/* ---- the two-signature rule ---- */

enum groups_side {
    GROUPS_SIDE_NONE = 0,
    GROUPS_SIDE_PRESIDENCY,  /* the mayor of the city that holds the current presidency term */
    GROUPS_SIDE_SECRETARIAT, /* a secretary or expert */
};

/* "presidency", "secretariat"; NULL for NONE. */
const char *groups_side_name(enum groups_side side);

/*
 * Which side a signer speaks for: the secretariat's people (roles with
 * ROLE_SECRETARY or ROLE_EXPERT) for the secretariat; a mayor (ROLE_MAYOR)
 * of `presidency_city_id` for the presidency (not a deputy: the charter
 * names the presidency's agreement, which the term's mayor gives); nobody
 * else. presidency_city_id 0 (no current term) leaves only the secretariat.
 */
enum groups_side groups_signer_side(unsigned roles, int64_t person_city_id, int64_t presidency_city_id);

/*
 * The state of a proposed group given which sides have signed: "active"
 * only when both the presidency and the secretariat have, "proposed"
 * otherwise. Static text.
 */
const char *groups_proposal_state(bool presidency_signed, bool secretariat_signed);

/* ---- the signed statements (docs/groups.md) ---- */

struct groups_proposal_text {
    const char *code, *name, *description;
    const char *kind;       /* "permanent" | "temporary" */
    const char *ends_on;    /* YYYY-MM-DD for a temporary group; NULL or "" for a permanent one ("none") */
    const char *presidency; /* the code of the city holding the current term */
    int64_t proposed_ms;
};

/*
 * Writes the canonical b40-group-proposal-v1 text into out[outlen] and
 * returns its length, or -1 when a field is invalid (by the checks above)
 * or it does not fit.
 */
int groups_proposal_statement(const struct groups_proposal_text *p, char *out, size_t outlen);

struct groups_request_text {
    const char *group; /* the group's code */
    const char *city;  /* the requesting city's code */
    const char *reason;
    int64_t requested_ms;
};

/* The canonical b40-session-request-v1 text, as groups_proposal_statement. */
int groups_request_statement(const struct groups_request_text *r, char *out, size_t outlen);

#endif
