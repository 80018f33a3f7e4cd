/*
 * store_groups: the working groups' part of the store (schema version 4):
 * groups and their member cities with each city's voting delegate, the
 * signed proposal of a new group and its two signatures, sessions, signed
 * requests for extra sessions, time polls, recommendations and each city's
 * follow-up of them. Every statement is prepared once when the store opens
 * (server/store_groups.c) and reset after each use; no SQL is built from
 * strings. A change runs in one transaction together with its history entry
 * and happens entirely or not at all; the functions marked "in the caller's
 * transaction" write no history and leave grouping to the caller.
 *
 * Field syntax and who may act are the caller's to check (groups.h, the
 * api); these functions check again what keeps the records consistent (a
 * state a change needs, a member a delegate needs) inside their own
 * transaction, so nothing can slip between the check and the write.
 *
 * Lookups return 0 (found), 1 (none) or -1; writes return 0, a documented
 * positive "nothing to do" value, a negative enum store_groups_result, or
 * -1. -1 always means the database failed or a row is damaged: it is
 * logged and nothing was changed.
 *
 * Threading: like struct store, the service thread (or the command line).
 */
#ifndef B40_STORE_GROUPS_H
#define B40_STORE_GROUPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "b40/groups.h"

struct store;

#define GROUP_CODE_SIZE 33
#define SESSION_TITLE_MAX 120
#define SESSION_URL_MAX 300
#define SESSION_AGENDA_JSON_MAX 16384

_Static_assert(GROUP_CODE_SIZE == GROUPS_CODE_MAX + 1, "group code sizes");
_Static_assert(SESSION_TITLE_MAX == GROUPS_TITLE_MAX && SESSION_URL_MAX == GROUPS_URL_MAX &&
                   SESSION_AGENDA_JSON_MAX == GROUPS_AGENDA_JSON_MAX,
               "session field sizes");

enum store_groups_result {
    STORE_GROUPS_OK = 0,
    STORE_GROUPS_ERROR = -1,
    STORE_GROUPS_NOT_FOUND = -2, /* the group, session, request, poll or slot named does not exist */
    STORE_GROUPS_CONFLICT = -3,  /* the change contradicts the record (see each function) */
    STORE_GROUPS_TAKEN = -4,     /* a group with that code exists already */
    STORE_GROUPS_NOT_MEMBER = -5, /* the city is not a member of the group now */
};

/* Most rows one list returns; a longer table is an error rather than an unbounded allocation. */
#define STORE_GROUPS_MAX_ROWS 100000
#define STORE_GROUPS_MAX_SESSIONS 5000 /* sessions in one list (each carries its agenda) */

/* ---- groups ---- */

/* A group (the "group" object of docs/protocol.md, without its members and sessions). */
struct group_record {
    int64_t id;
    char code[GROUP_CODE_SIZE];
    char name[GROUPS_NAME_MAX + 1];
    char description[GROUPS_DESCRIPTION_MAX + 1];
    char kind[12];      /* "permanent" | "temporary" */
    char ends_on[11];   /* YYYY-MM-DD (the last day), "" unless temporary */
    char state[12];     /* "proposed" | "active" | "closed" */
    bool founding;
    int64_t created_at_ms;
    int64_t active_from_ms; /* 0 while proposed */
};

/* A member city of a group now, with its delegate. */
struct group_member {
    int64_t city_id;
    char city[GROUP_CODE_SIZE];   /* its code */
    char city_name[401];
    char city_status[12];         /* the city's status in the network now */
    int64_t joined_at_ms;
    int64_t delegate_person_id;   /* 0: none named */
    char delegate_name[101];      /* "" when none */
};

/* Every group, founding ones first, then by id. *out malloc'd (caller frees; NULL when *n is 0). 0 or -1. */
int store_group_list(struct store *st, struct group_record **out, size_t *n) __attribute__((warn_unused_result));

/* One group by id or by code. 0 found, 1 none, -1. */
int store_group_get(struct store *st, int64_t id, struct group_record *out) __attribute__((warn_unused_result));
int store_group_find(struct store *st, const char *code, struct group_record *out) __attribute__((warn_unused_result));

/* The group's member cities now, by city code. *out malloc'd (caller frees; NULL when *n is 0). 0 or -1. */
int store_group_members(struct store *st, int64_t group_id, struct group_member **out, size_t *n)
    __attribute__((warn_unused_result));

/* Whether a city is a member of a group now (left_at_ms NULL). 0 or -1. */
int store_group_has_city(struct store *st, int64_t group_id, int64_t city_id, bool *out) __attribute__((warn_unused_result));

/* The city's voting delegate in the group: *person_id = 0 when none. 0 or -1. */
int store_group_delegate(struct store *st, int64_t group_id, int64_t city_id, int64_t *person_id)
    __attribute__((warn_unused_result));

/*
 * The ids of the group's member cities now, sorted ascending; *ids malloc'd, the caller frees
 * (NULL when *n is 0). 0 or -1.
 */
int store_group_member_cities(struct store *st, int64_t group_id, int64_t **ids, size_t *n)
    __attribute__((warn_unused_result));

/*
 * City `city_id` joins group `group_id` at at_ms, by actor (0: the
 * operator): one transaction with the history entry "group.join" (subject
 * "group:CODE"; details: city). A city that left earlier joins again (its
 * earlier delegate is not kept). The group must be active
 * (STORE_GROUPS_CONFLICT otherwise) and exist (STORE_GROUPS_NOT_FOUND); the
 * city's status is the caller's to judge. 0 joined, 1 a member already
 * (nothing written), those codes, or -1.
 */
int store_group_join(struct store *st, int64_t group_id, int64_t city_id, int64_t actor, int64_t at_ms)
    __attribute__((warn_unused_result));

/*
 * City `city_id` leaves group `group_id`: left_at_ms is set and the
 * delegate cleared, with the history entry "group.leave". 0 left, 1 not a
 * member (nothing written), STORE_GROUPS_NOT_FOUND, or -1.
 */
int store_group_leave(struct store *st, int64_t group_id, int64_t city_id, int64_t actor, int64_t at_ms)
    __attribute__((warn_unused_result));

/*
 * Names person_id (0: none) the voting delegate of city `city_id` in group
 * `group_id`, with the history entry "group.delegate" (details: city,
 * person, previous). The person must be active and of that city with a
 * city role (STORE_GROUPS_CONFLICT otherwise). 0 done (also when nothing
 * changed), STORE_GROUPS_NOT_MEMBER, STORE_GROUPS_NOT_FOUND, or -1.
 */
int store_group_set_delegate(struct store *st, int64_t group_id, int64_t city_id, int64_t person_id, int64_t actor,
                             int64_t at_ms) __attribute__((warn_unused_result));

/* ---- the two-signature proposal of a new group ---- */

/* A new group as proposed (fields checked by the caller with groups.h). */
struct group_new {
    const char *code, *name, *description;
    const char *kind;    /* "permanent" | "temporary" */
    const char *ends_on; /* YYYY-MM-DD for a temporary group; NULL or "" otherwise */
};

/* One signature of a group proposal. */
struct group_signature {
    char side[12]; /* "presidency" | "secretariat" */
    int64_t person_id;
    char person_name[101];
    int64_t key_id;
    uint8_t public_key[32];
    uint8_t signature[64];
    int64_t signed_at_ms;
};

/* A group proposal: the exact statement both sides sign, and what was signed over it. */
struct group_proposal {
    int64_t group_id;
    char statement[GROUPS_STATEMENT_MAX + 1];
    int64_t presidency_city_id;
    char presidency_city[GROUP_CODE_SIZE];
    int64_t proposed_by;
    int64_t proposed_at_ms;
    struct group_signature sigs[2];
    size_t nsigs; /* in the order they were recorded */
};

/*
 * Records a proposed group (state "proposed") with its statement, the term
 * whose mayor must sign (presidency_city_id) and the proposer's signature
 * on `side`, in one transaction with the history entries "group.propose"
 * (subject "group:CODE"; details: name, kind, ends_on, presidency, side)
 * and "group.sign". Sets *group_id. 0, STORE_GROUPS_TAKEN (the code is
 * taken), or -1.
 */
int store_group_propose(struct store *st, const struct group_new *g, const char *statement, int64_t presidency_city_id,
                        const char *side, int64_t person_id, int64_t key_id, const uint8_t public_key[32],
                        const uint8_t signature[64], int64_t at_ms, int64_t *group_id) __attribute__((warn_unused_result));

/*
 * Adds the signature of `side` to the proposal of group `group_id`, with the
 * history entry "group.sign". When both sides have then signed, the group
 * becomes active from at_ms (history "group.activate") and *activated is
 * set. STORE_GROUPS_NOT_FOUND (no proposal), STORE_GROUPS_CONFLICT (that
 * side has signed already, or the group is no longer proposed), 0, or -1.
 */
int store_group_sign(struct store *st, int64_t group_id, const char *side, int64_t person_id, int64_t key_id,
                     const uint8_t public_key[32], const uint8_t signature[64], int64_t at_ms, bool *activated)
    __attribute__((warn_unused_result));

/* The proposal of group `group_id` with its signatures. 0 found, 1 none (a founding group), -1. */
int store_group_proposal(struct store *st, int64_t group_id, struct group_proposal *out)
    __attribute__((warn_unused_result));

/* ---- sessions ---- */

struct group_session {
    int64_t id, group_id;
    char group_code[GROUP_CODE_SIZE];
    char kind[8];            /* "regular" | "extra" */
    char quarter[8];         /* "2027Q1" */
    char title[SESSION_TITLE_MAX + 1];
    int64_t starts_at_ms, ends_at_ms;
    char state[12];          /* "scheduled" | "live" | "closed" | "cancelled" */
    int64_t chair_person_id; /* 0: the secretariat chairs */
    char video_url[SESSION_URL_MAX + 1]; /* "" when none */
    char agenda_json[SESSION_AGENDA_JSON_MAX + 1];
    int64_t ical_sequence;
    /* beyond the contract: */
    char cancel_reason[GROUPS_REASON_MAX + 1]; /* "" unless cancelled */
    int64_t created_at_ms, updated_at_ms;
};

/* 0 found, 1 no such session, -1 database error. */
int store_session_get(struct store *st, int64_t id, struct group_session *out) __attribute__((warn_unused_result));

/*
 * Moves a session scheduled -> live, or live -> closed, in its own transaction with a history
 * entry (who, when); bumps ical_sequence. 0 done, 1 no such session, 2 not allowed from its
 * current state (nothing written), -1 database error. Idempotent: same state again returns 0
 * without writing. (Beyond the contract: an open time poll on the session closes without a
 * pick, in the same transaction; the history entry is "session.state" with from, to, at.)
 */
int store_session_set_state(struct store *st, int64_t id, const char *state, int64_t person_id, int64_t at_ms)
    __attribute__((warn_unused_result));

/*
 * The sessions of group `group_id` (0: of every group), by start time then
 * id, cancelled ones included. *out malloc'd (caller frees; NULL when *n is
 * 0). At most STORE_GROUPS_MAX_SESSIONS (more is -1). 0 or -1.
 */
int store_session_list(struct store *st, int64_t group_id, struct group_session **out, size_t *n)
    __attribute__((warn_unused_result));

/*
 * The group's next session: of its scheduled or live sessions that end
 * after now_ms, the one that starts first. 0 found, 1 none, -1.
 */
int store_session_next(struct store *st, int64_t group_id, int64_t now_ms, struct group_session *out)
    __attribute__((warn_unused_result));

/*
 * The start of the group's latest closed session (*start_ms 0 when it has
 * none). 0 or -1.
 */
int store_session_last_closed(struct store *st, int64_t group_id, int64_t *start_ms) __attribute__((warn_unused_result));

/*
 * Adds a session in the caller's transaction; writes no history. s holds
 * group_id, kind, quarter, title, starts/ends, chair (0: secretariat),
 * video_url ("" none) and agenda_json (checked by the caller). The state is
 * "scheduled" and the sequence 0. The group must be active
 * (STORE_GROUPS_CONFLICT), and for a regular session no other regular
 * session of the group that is not cancelled may be in that quarter
 * (STORE_GROUPS_CONFLICT). Sets *id (may be NULL). 0, those codes,
 * STORE_GROUPS_NOT_FOUND (no such group), or -1.
 */
int store_session_insert(struct store *st, const struct group_session *s, int64_t actor, int64_t at_ms, int64_t *id)
    __attribute__((warn_unused_result));

/*
 * store_session_insert in its own transaction with the history entry
 * "session.schedule" (subject "session:ID"; details: group, kind, quarter,
 * title, starts_at, ends_at). Returns what store_session_insert returns.
 */
int store_session_schedule(struct store *st, const struct group_session *s, int64_t actor, int64_t at_ms,
                           int64_t *id) __attribute__((warn_unused_result));

/*
 * Replaces the title, times, quarter, chair, video link and agenda of
 * scheduled session s->id with those of *s, with the history entry
 * "session.update" (details: the fields that changed). A change visible in
 * a calendar (title, times, video link, agenda) adds 1 to ical_sequence;
 * a change of chair alone does not. Fills *out (may be NULL) with the
 * session as recorded. 0 (also when nothing changed: no write), 1 no such
 * session, STORE_GROUPS_CONFLICT (not scheduled; or a regular session
 * moved into a quarter that has one), or -1.
 */
int store_session_update(struct store *st, const struct group_session *s, int64_t actor, int64_t at_ms,
                         struct group_session *out) __attribute__((warn_unused_result));

/*
 * Cancels scheduled session `id` with a reason: state "cancelled",
 * ical_sequence + 1, any open time poll of it closed without a pick; the
 * history entry "session.cancel". 0, 1 no such session, 2 cancelled already
 * (nothing written), STORE_GROUPS_CONFLICT (live or closed), or -1.
 */
int store_session_cancel(struct store *st, int64_t id, const char *reason, int64_t actor, int64_t at_ms)
    __attribute__((warn_unused_result));

/* One regular session the plan wants: group, quarter and default times. */
struct session_plan_item {
    int64_t group_id;
    char quarter[8];
    int64_t starts_at_ms, ends_at_ms;
};

/*
 * Adds, in one transaction, the regular session of every item whose group
 * is active and has no regular session (not cancelled) in that quarter; the
 * others are skipped. Title "<group name>: <quarter> session", the agenda
 * ["Opening", "Reports of the member cities", "Any other business"], the
 * secretariat chairs. One history entry "session.plan" (details: created,
 * the new session ids). *created (may be NULL) gets how many were added. 0 or -1.
 */
int store_session_plan(struct store *st, const struct session_plan_item *items, size_t n, int64_t actor,
                       int64_t at_ms, size_t *created) __attribute__((warn_unused_result));

/* ---- the presidency term and its plan ---- */

/* The presidency term that holds a day, as the groups' rules see it. */
struct group_term {
    int64_t city_id;            /* the city holding it */
    char city[GROUP_CODE_SIZE];
    char starts_on[11];         /* the first day of the summit that opened it */
    char ends_on[11];           /* its last day (groups_term_end) */
    int64_t starts_ms, ends_ms; /* 00:00 UTC of starts_on; 00:00 UTC of the day after ends_on */
};

/*
 * The term that holds the UTC day of now_ms: of the terms whose summit has
 * begun by then, the one whose summit began last. It ends the day before
 * the next term's summit, or before the next summit recorded, or else the
 * day before its first anniversary. 0 found, 1 none, -1.
 */
int store_group_term(struct store *st, int64_t now_ms, struct group_term *out) __attribute__((warn_unused_result));

/*
 * Plans term t as seen at now_ms (store_session_plan): for every active
 * group and every quarter the term touches, the regular session of
 * groups_plan_session (none after the group's last day; a quarter's
 * session may fall after the term's last day: the next term finds it).
 * *created (may be NULL) gets how many sessions were added. 0 or -1.
 */
int store_session_plan_term(struct store *st, const struct group_term *t, int64_t now_ms, int64_t actor,
                            size_t *created) __attribute__((warn_unused_result));

/* ---- requests for extra sessions ---- */

struct session_request {
    int64_t id, group_id, city_id;
    char city[GROUP_CODE_SIZE];
    int64_t person_id, key_id;
    uint8_t public_key[32];
    char statement[GROUPS_STATEMENT_MAX + 1];
    uint8_t signature[64];
    char reason[GROUPS_REASON_MAX + 1];
    int64_t requested_at_ms;
    char state[12]; /* "pending" | "scheduled" | "declined" */
    int64_t decided_by, decided_at_ms; /* 0 while pending */
    char decision_reason[GROUPS_REASON_MAX + 1];
    int64_t session_id; /* the extra session scheduled; 0 otherwise */
};

/*
 * Records a signed request (r->group_id, city_id, person_id, key_id,
 * public_key, statement, signature, reason, requested_at_ms) as pending,
 * with the history entry "session.request" (subject "group:CODE"; details:
 * request, city). Sets *id. 0, STORE_GROUPS_NOT_FOUND, or -1.
 */
int store_session_request_add(struct store *st, const struct session_request *r, int64_t *id)
    __attribute__((warn_unused_result));

/* 0 found, 1 none, -1. */
int store_session_request_get(struct store *st, int64_t id, struct session_request *out)
    __attribute__((warn_unused_result));

/* The group's requests, newest first. *out malloc'd (caller frees; NULL when *n is 0). 0 or -1. */
int store_session_request_list(struct store *st, int64_t group_id, struct session_request **out, size_t *n)
    __attribute__((warn_unused_result));

/*
 * Decides pending request `id`: with `session` non-NULL, schedules it (the
 * extra session is inserted as store_session_insert does, and linked);
 * with NULL, declines it. `reason` is recorded either way ("" allowed when
 * scheduling). One transaction with the history entry
 * "session.request_decide" (details: request, decision, session, reason).
 * Sets *session_id (may be NULL). 0, STORE_GROUPS_NOT_FOUND,
 * STORE_GROUPS_CONFLICT (decided already, or the group is not active), or -1.
 */
int store_session_request_decide(struct store *st, int64_t id, const struct group_session *session, const char *reason,
                                 int64_t actor, int64_t at_ms, int64_t *session_id) __attribute__((warn_unused_result));

/* ---- time polls ---- */

struct time_poll_slot {
    int64_t id;
    int64_t position; /* 1..n, in the order given */
    int64_t starts_at_ms, ends_at_ms;
    int64_t marks;    /* how many cities marked it */
};

struct time_poll {
    int64_t id, session_id, group_id;
    char state[8]; /* "open" | "closed" */
    int64_t created_by, created_at_ms, closed_at_ms;
    int64_t picked_slot_id; /* 0: none */
    struct time_poll_slot slots[GROUPS_SLOTS_MAX];
    size_t nslots;
};

/* One city's answer to a poll: the slots it marked (positions). */
struct time_poll_answer {
    int64_t city_id;
    char city[GROUP_CODE_SIZE];
    int64_t person_id;
    int64_t at_ms;
    int64_t positions[GROUPS_SLOTS_MAX];
    size_t npositions;
};

/*
 * Opens a time poll on scheduled session `session_id` with the candidate
 * slots starts[i]..ends[i] (n from GROUPS_SLOTS_MIN to GROUPS_SLOTS_MAX,
 * checked by the caller), with the history entry "timepoll.create". Sets
 * *poll_id. 0, STORE_GROUPS_NOT_FOUND, STORE_GROUPS_CONFLICT (the session is
 * not scheduled, or it has an open poll already), or -1.
 */
int store_timepoll_create(struct store *st, int64_t session_id, const int64_t *starts, const int64_t *ends, size_t n,
                          int64_t actor, int64_t at_ms, int64_t *poll_id) __attribute__((warn_unused_result));

/* A poll with its slots and their counts. 0 found, 1 none, -1. */
int store_timepoll_get(struct store *st, int64_t poll_id, struct time_poll *out) __attribute__((warn_unused_result));

/* The open poll of session `session_id`, or else its latest one. 0 found (*poll_id), 1 none, -1. */
int store_timepoll_of_session(struct store *st, int64_t session_id, int64_t *poll_id) __attribute__((warn_unused_result));

/* Each city's answer to the poll, by city code. *out malloc'd (caller frees; NULL when *n is 0). 0 or -1. */
int store_timepoll_answers(struct store *st, int64_t poll_id, struct time_poll_answer **out, size_t *n)
    __attribute__((warn_unused_result));

/*
 * Records city `city_id`'s marks on open poll `poll_id`, replacing any it
 * had: the slots at `positions` (0 to nslots distinct positions; none means
 * no slot suits it), by person_id, with the history entry "timepoll.mark"
 * (details: poll, city, positions). 0, STORE_GROUPS_NOT_FOUND (no such poll
 * or position), STORE_GROUPS_CONFLICT (the poll is closed), or -1.
 */
int store_timepoll_mark(struct store *st, int64_t poll_id, int64_t city_id, const int64_t *positions, size_t n,
                        int64_t person_id, int64_t at_ms) __attribute__((warn_unused_result));

/*
 * Picks slot `position` of open poll `poll_id`: the poll closes with that
 * slot, the session's start and end become the slot's and its
 * ical_sequence goes up by 1 (history "timepoll.pick"). 0,
 * STORE_GROUPS_NOT_FOUND, STORE_GROUPS_CONFLICT (the poll is closed, or the
 * session is no longer scheduled), or -1.
 */
int store_timepoll_pick(struct store *st, int64_t poll_id, int64_t position, int64_t actor, int64_t at_ms)
    __attribute__((warn_unused_result));

/* ---- recommendations and their follow-up ---- */

struct recommendation {
    int64_t id, group_id, session_id, motion_id;
    char text[GROUPS_RECOMMENDATION_MAX + 1];
    int64_t adopted_at_ms;
};

/* One follow-up report of a city on a recommendation. */
struct followup {
    int64_t id, recommendation_id, city_id;
    char city[GROUP_CODE_SIZE];
    char status[16]; /* "planned" | "in_progress" | "implemented" | "not_planned" */
    char note[GROUPS_NOTE_MAX + 1];
    char on_date[11];
    int64_t person_id;
    int64_t at_ms;
};

/*
 * Records an adopted recommendation (text: 1 to GROUPS_RECOMMENDATION_MAX
 * bytes, else -1). In the CALLER's transaction (no history of its own). 0 or -1.
 */
int store_recommendation_add(struct store *st, int64_t group_id, int64_t session_id, int64_t motion_id,
                             const char *text, int64_t at_ms, int64_t *id_out) __attribute__((warn_unused_result));

/* 0 found, 1 none, -1. */
int store_recommendation_get(struct store *st, int64_t id, struct recommendation *out) __attribute__((warn_unused_result));

/* The group's recommendations, oldest first. *out malloc'd (caller frees; NULL when *n is 0). 0 or -1. */
int store_recommendation_list(struct store *st, int64_t group_id, struct recommendation **out, size_t *n)
    __attribute__((warn_unused_result));

/*
 * Appends city `city_id`'s report on recommendation `rec_id`, with the
 * history entry "followup.report" (subject "recommendation:ID"; details:
 * city, status, on_date; the note is in the follow-up row). Sets *id (may
 * be NULL). 0, STORE_GROUPS_NOT_FOUND, or -1.
 */
int store_followup_add(struct store *st, int64_t rec_id, int64_t city_id, const char *status, const char *note,
                       const char *on_date, int64_t person_id, int64_t at_ms, int64_t *id)
    __attribute__((warn_unused_result));

/*
 * The follow-up of recommendation `rec_id`: with latest_only, each city's
 * latest report (its current status), by city code; otherwise every report,
 * oldest first. *out malloc'd (caller frees; NULL when *n is 0). 0 or -1.
 */
int store_followup_list(struct store *st, int64_t rec_id, bool latest_only, struct followup **out, size_t *n)
    __attribute__((warn_unused_result));

#endif
