/*
 * store_groups: working groups, their members and delegates, the
 * two-signature proposal of a new group, sessions, requests for extra
 * sessions, time polls, recommendations and their follow-up. See
 * include/b40/store_groups.h for the contract. Every statement is in
 * `groups_sql` below, prepared once when the store opens; each use resets
 * it and clears its bindings. Writes that change several rows run in one
 * IMMEDIATE transaction with their history entries, and roll back as a
 * whole on the first failure.
 *
 * Service thread (or the command line), like the struct store it extends.
 */
#include "b40/store_groups.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "b40/identity.h"
#include "b40/log.h"
#include "b40/membership.h"
#include "b40/store_summit.h"
#include "b40/summit.h"
#include "store_internal.h"

enum groups_stmt {
    G_LIST,
    G_GET,
    G_FIND,
    G_MEMBERS,
    G_MEMBER_ROW,
    G_MEMBER_IDS,
    G_JOIN,
    G_LEAVE,
    G_SET_DELEGATE,
    G_PERSON,
    G_CITY_CODE,
    G_INSERT,
    G_PROPOSAL_INSERT,
    G_PROPOSAL_GET,
    G_SIG_INSERT,
    G_SIG_COUNT,
    G_SIGS,
    G_ACTIVATE,
    S_GET,
    S_LIST_GROUP,
    S_LIST_ALL,
    S_NEXT,
    S_LAST_CLOSED,
    S_REGULAR_IN_QUARTER,
    S_INSERT,
    S_UPDATE,
    S_SET_STATE,
    S_CANCEL,
    S_SET_TIMES,
    R_INSERT,
    R_GET,
    R_LIST,
    R_DECIDE,
    P_INSERT,
    P_SLOT_INSERT,
    P_GET,
    P_SLOTS,
    P_OF_SESSION,
    P_CLOSE_OF_SESSION,
    P_ANSWERS,
    P_MARKS_DELETE,
    P_MARK_INSERT,
    P_ANSWER_PUT,
    P_SLOT_BY_POSITION,
    P_CLOSE,
    REC_INSERT,
    REC_GET,
    REC_LIST,
    FU_INSERT,
    FU_LATEST,
    FU_ALL,
    GS_COUNT
};

#define GROUP_COLUMNS                                                                                          \
    "id, code, name, description, kind, coalesce(ends_on, ''), state, founding, created_at_ms,"               \
    " coalesce(active_from_ms, 0)"
#define SESSION_COLUMNS                                                                                        \
    "s.id, s.group_id, g.code, s.kind, s.quarter, s.title, s.starts_at_ms, s.ends_at_ms, s.state,"            \
    " coalesce(s.chair_person_id, 0), coalesce(s.video_url, ''), s.agenda, s.ical_sequence,"                  \
    " coalesce(s.cancel_reason, ''), s.created_at_ms, s.updated_at_ms"
#define SESSION_FROM " FROM sessions s JOIN groups g ON g.id = s.group_id"
#define REQUEST_COLUMNS                                                                                        \
    "r.id, r.group_id, r.city_id, c.code, r.person_id, r.key_id, r.public_key, r.statement, r.signature,"     \
    " r.reason, r.requested_at_ms, r.state, coalesce(r.decided_by, 0), coalesce(r.decided_at_ms, 0),"         \
    " coalesce(r.decision_reason, ''), coalesce(r.session_id, 0)"
#define REQUEST_FROM " FROM session_requests r JOIN cities c ON c.id = r.city_id"
#define FOLLOWUP_COLUMNS                                                                                       \
    "f.id, f.recommendation_id, f.city_id, c.code, f.status, f.note, f.on_date, coalesce(f.person_id, 0), f.at_ms"
#define FOLLOWUP_FROM " FROM followups f JOIN cities c ON c.id = f.city_id"

const char *const store_groups_sql[GS_COUNT] = {
    [G_LIST] = "SELECT " GROUP_COLUMNS " FROM groups ORDER BY founding DESC, id",
    [G_GET] = "SELECT " GROUP_COLUMNS " FROM groups WHERE id = ?1",
    [G_FIND] = "SELECT " GROUP_COLUMNS " FROM groups WHERE code = ?1",
    [G_MEMBERS] = "SELECT m.city_id, c.code, c.name, c.status, m.joined_at_ms, coalesce(m.delegate_person_id, 0),"
                  " coalesce(p.name, '') FROM group_members m JOIN cities c ON c.id = m.city_id"
                  " LEFT JOIN people p ON p.id = m.delegate_person_id"
                  " WHERE m.group_id = ?1 AND m.left_at_ms IS NULL ORDER BY c.code",
    [G_MEMBER_ROW] = "SELECT coalesce(delegate_person_id, 0) FROM group_members"
                     " WHERE group_id = ?1 AND city_id = ?2 AND left_at_ms IS NULL",
    [G_MEMBER_IDS] = "SELECT city_id FROM group_members WHERE group_id = ?1 AND left_at_ms IS NULL ORDER BY city_id",
    /* a city that left joins again; one that is a member changes nothing (sqlite3_changes tells) */
    [G_JOIN] = "INSERT INTO group_members (group_id, city_id, joined_at_ms) VALUES (?1, ?2, ?3)"
               " ON CONFLICT (group_id, city_id) DO UPDATE SET joined_at_ms = excluded.joined_at_ms,"
               " left_at_ms = NULL, delegate_person_id = NULL WHERE left_at_ms IS NOT NULL",
    [G_LEAVE] = "UPDATE group_members SET left_at_ms = ?3, delegate_person_id = NULL"
                " WHERE group_id = ?1 AND city_id = ?2 AND left_at_ms IS NULL",
    [G_SET_DELEGATE] = "UPDATE group_members SET delegate_person_id = ?3"
                       " WHERE group_id = ?1 AND city_id = ?2 AND left_at_ms IS NULL",
    [G_PERSON] = "SELECT coalesce(city_id, 0), roles, active FROM people WHERE id = ?1",
    [G_CITY_CODE] = "SELECT code FROM cities WHERE id = ?1",
    [G_INSERT] = "INSERT INTO groups (code, name, description, kind, ends_on, state, founding, created_at_ms)"
                 " VALUES (?1, ?2, ?3, ?4, ?5, 'proposed', 0, ?6)",
    [G_PROPOSAL_INSERT] = "INSERT INTO group_proposals (group_id, statement, presidency_city_id, proposed_by,"
                          " proposed_at_ms) VALUES (?1, ?2, ?3, ?4, ?5)",
    [G_PROPOSAL_GET] = "SELECT p.statement, p.presidency_city_id, c.code, p.proposed_by, p.proposed_at_ms"
                       " FROM group_proposals p JOIN cities c ON c.id = p.presidency_city_id WHERE p.group_id = ?1",
    [G_SIG_INSERT] = "INSERT INTO group_signatures (group_id, side, person_id, key_id, public_key, signature,"
                     " signed_at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    [G_SIG_COUNT] = "SELECT count(*) FROM group_signatures WHERE group_id = ?1",
    [G_SIGS] = "SELECT s.side, s.person_id, p.name, s.key_id, s.public_key, s.signature, s.signed_at_ms"
               " FROM group_signatures s JOIN people p ON p.id = s.person_id WHERE s.group_id = ?1"
               " ORDER BY s.signed_at_ms, s.rowid",
    [G_ACTIVATE] = "UPDATE groups SET state = 'active', active_from_ms = ?2 WHERE id = ?1 AND state = 'proposed'",
    [S_GET] = "SELECT " SESSION_COLUMNS SESSION_FROM " WHERE s.id = ?1",
    [S_LIST_GROUP] = "SELECT " SESSION_COLUMNS SESSION_FROM " WHERE s.group_id = ?1 ORDER BY s.starts_at_ms, s.id",
    [S_LIST_ALL] = "SELECT " SESSION_COLUMNS SESSION_FROM " ORDER BY s.starts_at_ms, s.id",
    [S_NEXT] = "SELECT " SESSION_COLUMNS SESSION_FROM " WHERE s.group_id = ?1 AND s.state IN ('scheduled', 'live')"
               " AND s.ends_at_ms > ?2 ORDER BY s.starts_at_ms, s.id LIMIT 1",
    [S_LAST_CLOSED] = "SELECT coalesce(max(starts_at_ms), 0) FROM sessions WHERE group_id = ?1 AND state = 'closed'",
    [S_REGULAR_IN_QUARTER] = "SELECT id FROM sessions WHERE group_id = ?1 AND quarter = ?2 AND kind = 'regular'"
                             " AND state <> 'cancelled' AND id <> ?3 LIMIT 1",
    [S_INSERT] = "INSERT INTO sessions (group_id, kind, quarter, title, starts_at_ms, ends_at_ms, state,"
                 " chair_person_id, video_url, agenda, ical_sequence, created_by, created_at_ms, updated_at_ms)"
                 " VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'scheduled', ?7, ?8, ?9, 0, ?10, ?11, ?11)",
    [S_UPDATE] = "UPDATE sessions SET title = ?2, quarter = ?3, starts_at_ms = ?4, ends_at_ms = ?5,"
                 " chair_person_id = ?6, video_url = ?7, agenda = ?8, ical_sequence = ical_sequence + ?9,"
                 " updated_at_ms = ?10 WHERE id = ?1 AND state = 'scheduled'",
    [S_SET_STATE] = "UPDATE sessions SET state = ?2, ical_sequence = ical_sequence + 1, updated_at_ms = ?3"
                    " WHERE id = ?1 AND state = ?4",
    [S_CANCEL] = "UPDATE sessions SET state = 'cancelled', cancel_reason = ?2, ical_sequence = ical_sequence + 1,"
                 " updated_at_ms = ?3 WHERE id = ?1 AND state = 'scheduled'",
    [S_SET_TIMES] = "UPDATE sessions SET starts_at_ms = ?2, ends_at_ms = ?3, ical_sequence = ical_sequence + 1,"
                    " updated_at_ms = ?4 WHERE id = ?1 AND state = 'scheduled'",
    [R_INSERT] = "INSERT INTO session_requests (group_id, city_id, person_id, key_id, public_key, statement,"
                 " signature, reason, requested_at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    [R_GET] = "SELECT " REQUEST_COLUMNS REQUEST_FROM " WHERE r.id = ?1",
    [R_LIST] = "SELECT " REQUEST_COLUMNS REQUEST_FROM " WHERE r.group_id = ?1 ORDER BY r.id DESC",
    [R_DECIDE] = "UPDATE session_requests SET state = ?2, decided_by = ?3, decided_at_ms = ?4, decision_reason = ?5,"
                 " session_id = ?6 WHERE id = ?1 AND state = 'pending'",
    [P_INSERT] = "INSERT INTO time_polls (session_id, state, created_by, created_at_ms) VALUES (?1, 'open', ?2, ?3)",
    [P_SLOT_INSERT] = "INSERT INTO time_poll_slots (poll_id, position, starts_at_ms, ends_at_ms)"
                      " VALUES (?1, ?2, ?3, ?4)",
    [P_GET] = "SELECT p.id, p.session_id, s.group_id, p.state, coalesce(p.created_by, 0), p.created_at_ms,"
              " coalesce(p.closed_at_ms, 0), coalesce(p.picked_slot_id, 0)"
              " FROM time_polls p JOIN sessions s ON s.id = p.session_id WHERE p.id = ?1",
    [P_SLOTS] = "SELECT t.id, t.position, t.starts_at_ms, t.ends_at_ms,"
                " (SELECT count(*) FROM time_poll_marks m WHERE m.slot_id = t.id)"
                " FROM time_poll_slots t WHERE t.poll_id = ?1 ORDER BY t.position",
    [P_OF_SESSION] = "SELECT id FROM time_polls WHERE session_id = ?1 ORDER BY state = 'open' DESC, id DESC LIMIT 1",
    [P_CLOSE_OF_SESSION] = "UPDATE time_polls SET state = 'closed', closed_at_ms = ?2"
                           " WHERE session_id = ?1 AND state = 'open'",
    [P_ANSWERS] = "SELECT a.city_id, c.code, a.person_id, a.at_ms, coalesce(t.position, 0)"
                  " FROM time_poll_answers a JOIN cities c ON c.id = a.city_id"
                  " LEFT JOIN time_poll_marks m ON m.poll_id = a.poll_id AND m.city_id = a.city_id"
                  " LEFT JOIN time_poll_slots t ON t.id = m.slot_id"
                  " WHERE a.poll_id = ?1 ORDER BY c.code, t.position",
    [P_MARKS_DELETE] = "DELETE FROM time_poll_marks WHERE poll_id = ?1 AND city_id = ?2",
    /* inserts nothing for a position the poll does not have (sqlite3_changes tells) */
    [P_MARK_INSERT] = "INSERT INTO time_poll_marks (poll_id, city_id, slot_id, person_id, at_ms)"
                      " SELECT ?1, ?2, id, ?4, ?5 FROM time_poll_slots WHERE poll_id = ?1 AND position = ?3",
    [P_ANSWER_PUT] = "INSERT INTO time_poll_answers (poll_id, city_id, person_id, at_ms) VALUES (?1, ?2, ?3, ?4)"
                     " ON CONFLICT (poll_id, city_id) DO UPDATE SET person_id = excluded.person_id,"
                     " at_ms = excluded.at_ms",
    [P_SLOT_BY_POSITION] = "SELECT id, starts_at_ms, ends_at_ms FROM time_poll_slots"
                           " WHERE poll_id = ?1 AND position = ?2",
    [P_CLOSE] = "UPDATE time_polls SET state = 'closed', closed_at_ms = ?2, picked_slot_id = ?3"
                " WHERE id = ?1 AND state = 'open'",
    [REC_INSERT] = "INSERT INTO recommendations (group_id, session_id, motion_id, text, adopted_at_ms)"
                   " VALUES (?1, ?2, ?3, ?4, ?5)",
    [REC_GET] = "SELECT id, group_id, session_id, coalesce(motion_id, 0), text, adopted_at_ms FROM recommendations"
                " WHERE id = ?1",
    [REC_LIST] = "SELECT id, group_id, session_id, coalesce(motion_id, 0), text, adopted_at_ms FROM recommendations"
                 " WHERE group_id = ?1 ORDER BY id",
    [FU_INSERT] = "INSERT INTO followups (recommendation_id, city_id, status, note, on_date, person_id, at_ms)"
                  " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    [FU_LATEST] = "SELECT " FOLLOWUP_COLUMNS FOLLOWUP_FROM " WHERE f.recommendation_id = ?1 AND f.id ="
                  " (SELECT max(g.id) FROM followups g WHERE g.recommendation_id = f.recommendation_id"
                  " AND g.city_id = f.city_id) ORDER BY c.code",
    [FU_ALL] = "SELECT " FOLLOWUP_COLUMNS FOLLOWUP_FROM " WHERE f.recommendation_id = ?1 ORDER BY f.id",
};

const size_t store_groups_sql_count = GS_COUNT;

/* ---- helpers ---- */

static sqlite3_stmt *stmt(struct store *st, enum groups_stmt id)
{
    return st->part[STORE_PART_GROUPS][id];
}

/* The first integer column of a one-row query: 0 found, 1 none, -1. */
static int query_int(struct store *st, sqlite3_stmt *s, int64_t *out, const char *what)
{
    int rc = sqlite3_step(s), result;

    if (rc == SQLITE_ROW) {
        *out = sqlite3_column_int64(s, 0);
        result = 0;
    } else {
        result = rc == SQLITE_DONE ? 1 : store_read_failed(st, what);
    }
    store_stmt_done(s);
    return result;
}

/* Runs a query whose first row (if any) is read by read(): 0 found, 1 none, -1. */
static int query_one(struct store *st, sqlite3_stmt *s, int (*read)(sqlite3_stmt *s, void *elem), void *out,
                     const char *what)
{
    int rc = sqlite3_step(s), result;

    if (rc == SQLITE_ROW) {
        result = read(s, out) == 0 ? 0 : -1;
        if (result != 0)
            log_error("store: %s is damaged", what);
    } else {
        result = rc == SQLITE_DONE ? 1 : store_read_failed(st, what);
    }
    store_stmt_done(s);
    return result;
}

static void subject_of(char *buf, size_t size, const char *kind, int64_t id)
{
    snprintf(buf, size, "%s:%" PRId64, kind, id);
}

static int in_transaction(struct store *st, const char *what)
{
    if (sqlite3_get_autocommit(st->db)) {
        log_error("store: %s outside a transaction", what);
        return -1;
    }
    return 0;
}

/* The code of city `id` into out: 0, 1 none, -1. */
static int city_code(struct store *st, int64_t id, char out[GROUP_CODE_SIZE])
{
    sqlite3_stmt *s = stmt(st, G_CITY_CODE);
    int rc;

    sqlite3_bind_int64(s, 1, id);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        rc = store_col_text(s, 0, out, GROUP_CODE_SIZE, false);
    } else {
        rc = rc == SQLITE_DONE ? 1 : store_read_failed(st, "a city's code");
    }
    store_stmt_done(s);
    return rc;
}

/* ---- groups ---- */

static int read_group(sqlite3_stmt *s, void *elem)
{
    struct group_record *g = elem;

    memset(g, 0, sizeof(*g));
    g->id = sqlite3_column_int64(s, 0);
    g->founding = sqlite3_column_int(s, 7) != 0;
    g->created_at_ms = sqlite3_column_int64(s, 8);
    g->active_from_ms = sqlite3_column_int64(s, 9);
    if (store_col_text(s, 1, g->code, sizeof(g->code), false) || store_col_text(s, 2, g->name, sizeof(g->name), false) ||
        store_col_text(s, 3, g->description, sizeof(g->description), false) ||
        store_col_text(s, 4, g->kind, sizeof(g->kind), false) ||
        store_col_text(s, 5, g->ends_on, sizeof(g->ends_on), false) ||
        store_col_text(s, 6, g->state, sizeof(g->state), false))
        return -1;
    return 0;
}

int store_group_list(struct store *st, struct group_record **out, size_t *n)
{
    return store_collect(st, stmt(st, G_LIST), sizeof(**out), STORE_GROUPS_MAX_ROWS, read_group, "the groups",
                         (void **)out, n);
}

int store_group_get(struct store *st, int64_t id, struct group_record *out)
{
    sqlite3_stmt *s = stmt(st, G_GET);

    sqlite3_bind_int64(s, 1, id);
    return query_one(st, s, read_group, out, "a group");
}

int store_group_find(struct store *st, const char *code, struct group_record *out)
{
    sqlite3_stmt *s = stmt(st, G_FIND);

    if (!code)
        return 1;
    sqlite3_bind_text(s, 1, code, -1, SQLITE_STATIC);
    return query_one(st, s, read_group, out, "a group");
}

static int read_member(sqlite3_stmt *s, void *elem)
{
    struct group_member *m = elem;

    memset(m, 0, sizeof(*m));
    m->city_id = sqlite3_column_int64(s, 0);
    m->joined_at_ms = sqlite3_column_int64(s, 4);
    m->delegate_person_id = sqlite3_column_int64(s, 5);
    if (store_col_text(s, 1, m->city, sizeof(m->city), false))
        return -1;
    store_col_text_cut(s, 2, m->city_name, sizeof(m->city_name));
    store_col_text_cut(s, 3, m->city_status, sizeof(m->city_status));
    store_col_text_cut(s, 6, m->delegate_name, sizeof(m->delegate_name));
    return 0;
}

int store_group_members(struct store *st, int64_t group_id, struct group_member **out, size_t *n)
{
    sqlite3_stmt *s = stmt(st, G_MEMBERS);

    sqlite3_bind_int64(s, 1, group_id);
    return store_collect(st, s, sizeof(**out), STORE_GROUPS_MAX_ROWS, read_member, "the members of a group",
                         (void **)out, n);
}

/* The city's row in the group now: *member, and its delegate (0 none). 0 or -1. */
static int store_group_delegate_row(struct store *st, int64_t group_id, int64_t city_id, int64_t *delegate,
                                    bool *member);

int store_group_has_city(struct store *st, int64_t group_id, int64_t city_id, bool *out)
{
    int64_t delegate = 0;

    *out = false;
    if (store_group_delegate_row(st, group_id, city_id, &delegate, out) != 0)
        return -1;
    return 0;
}

int store_group_delegate(struct store *st, int64_t group_id, int64_t city_id, int64_t *person_id)
{
    bool member = false;

    *person_id = 0;
    return store_group_delegate_row(st, group_id, city_id, person_id, &member);
}

static int store_group_delegate_row(struct store *st, int64_t group_id, int64_t city_id, int64_t *delegate,
                                    bool *member)
{
    sqlite3_stmt *s = stmt(st, G_MEMBER_ROW);
    int rc;

    sqlite3_bind_int64(s, 1, group_id);
    sqlite3_bind_int64(s, 2, city_id);
    rc = query_int(st, s, delegate, "a group's member");
    if (rc < 0)
        return -1;
    *member = rc == 0;
    if (rc == 1)
        *delegate = 0;
    return 0;
}

static int read_id(sqlite3_stmt *s, void *elem)
{
    *(int64_t *)elem = sqlite3_column_int64(s, 0);
    return 0;
}

int store_group_member_cities(struct store *st, int64_t group_id, int64_t **ids, size_t *n)
{
    sqlite3_stmt *s = stmt(st, G_MEMBER_IDS);

    sqlite3_bind_int64(s, 1, group_id);
    return store_collect(st, s, sizeof(**ids), STORE_GROUPS_MAX_ROWS, read_id, "the member cities of a group",
                         (void **)ids, n);
}

/* A group's history entry with one "city" member (and optional extras). Consumes d (may be NULL: new). */
static int group_history(struct store *st, int64_t actor, const char *action, const char *group_code,
                         const char *city, struct json_object *d)
{
    char subject[48];

    if (!d)
        d = json_object_new_object();
    if (d && city)
        json_object_object_add(d, "city", json_object_new_string(city));
    snprintf(subject, sizeof(subject), "group:%s", group_code);
    return store_history_add_json(st, actor, action, subject, d);
}

int store_group_join(struct store *st, int64_t group_id, int64_t city_id, int64_t actor, int64_t at_ms)
{
    struct group_record g;
    char code[GROUP_CODE_SIZE];
    sqlite3_stmt *s;
    int rc;

    if (store_begin(st) != 0)
        return -1;
    if ((rc = store_group_get(st, group_id, &g)) != 0 || (rc = city_code(st, city_id, code)) != 0) {
        rc = rc == 1 ? STORE_GROUPS_NOT_FOUND : -1;
        goto out;
    }
    if (strcmp(g.state, "active")) {
        rc = STORE_GROUPS_CONFLICT;
        goto out;
    }
    s = stmt(st, G_JOIN);
    sqlite3_bind_int64(s, 1, group_id);
    sqlite3_bind_int64(s, 2, city_id);
    sqlite3_bind_int64(s, 3, at_ms);
    if (store_step_write(st, s, "joining a group") != 0) {
        rc = -1;
        goto out;
    }
    if (sqlite3_changes(st->db) == 0) {
        store_rollback(st);
        return 1;
    }
    if ((rc = group_history(st, actor, "group.join", g.code, code, NULL)) != 0)
        goto out;
    rc = store_commit(st);
out:
    if (rc != 0)
        store_rollback(st);
    return rc;
}

int store_group_leave(struct store *st, int64_t group_id, int64_t city_id, int64_t actor, int64_t at_ms)
{
    struct group_record g;
    char code[GROUP_CODE_SIZE];
    sqlite3_stmt *s;
    int rc;

    if (store_begin(st) != 0)
        return -1;
    if ((rc = store_group_get(st, group_id, &g)) != 0 || (rc = city_code(st, city_id, code)) != 0) {
        rc = rc == 1 ? STORE_GROUPS_NOT_FOUND : -1;
        goto out;
    }
    s = stmt(st, G_LEAVE);
    sqlite3_bind_int64(s, 1, group_id);
    sqlite3_bind_int64(s, 2, city_id);
    sqlite3_bind_int64(s, 3, at_ms);
    if ((rc = store_write_changed(st, s)) != 0) {
        if (rc == 1) {
            store_rollback(st);
            return 1;
        }
        goto out;
    }
    if ((rc = group_history(st, actor, "group.leave", g.code, code, NULL)) != 0)
        goto out;
    rc = store_commit(st);
out:
    if (rc != 0)
        store_rollback(st);
    return rc;
}

/* Whether person `id` is active, of city `city_id`, with a city role. 0 yes, 1 no, -1. */
static int person_fits_city(struct store *st, int64_t id, int64_t city_id)
{
    sqlite3_stmt *s = stmt(st, G_PERSON);
    int rc, result;

    sqlite3_bind_int64(s, 1, id);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        const unsigned char *roles = sqlite3_column_text(s, 1);
        unsigned r = roles ? identity_roles_parse((const char *)roles) : 0;
        result = sqlite3_column_int64(s, 0) == city_id && sqlite3_column_int(s, 2) == 1 && (r & ROLES_CITY) ? 0 : 1;
    } else {
        result = rc == SQLITE_DONE ? 1 : store_read_failed(st, "a person");
    }
    store_stmt_done(s);
    return result;
}

int store_group_set_delegate(struct store *st, int64_t group_id, int64_t city_id, int64_t person_id, int64_t actor,
                             int64_t at_ms)
{
    struct group_record g;
    struct json_object *d;
    char code[GROUP_CODE_SIZE];
    int64_t previous = 0;
    bool member = false;
    sqlite3_stmt *s;
    int rc;

    (void)at_ms;
    if (store_begin(st) != 0)
        return -1;
    if ((rc = store_group_get(st, group_id, &g)) != 0 || (rc = city_code(st, city_id, code)) != 0) {
        rc = rc == 1 ? STORE_GROUPS_NOT_FOUND : -1;
        goto out;
    }
    if ((rc = store_group_delegate_row(st, group_id, city_id, &previous, &member)) != 0)
        goto out;
    if (!member) {
        rc = STORE_GROUPS_NOT_MEMBER;
        goto out;
    }
    if (person_id > 0 && (rc = person_fits_city(st, person_id, city_id)) != 0) {
        rc = rc == 1 ? STORE_GROUPS_CONFLICT : -1;
        goto out;
    }
    if (previous == person_id) {
        store_rollback(st);
        return 0;
    }
    s = stmt(st, G_SET_DELEGATE);
    sqlite3_bind_int64(s, 1, group_id);
    sqlite3_bind_int64(s, 2, city_id);
    store_bind_id_or_null(s, 3, person_id);
    if (store_write_changed(st, s) != 0) {
        rc = -1;
        goto out;
    }
    d = json_object_new_object();
    if (d) {
        json_object_object_add(d, "person", person_id > 0 ? json_object_new_int64(person_id) : NULL);
        json_object_object_add(d, "previous", previous > 0 ? json_object_new_int64(previous) : NULL);
    }
    if ((rc = group_history(st, actor, "group.delegate", g.code, code, d)) != 0)
        goto out;
    rc = store_commit(st);
out:
    if (rc != 0)
        store_rollback(st);
    return rc;
}

/* ---- the two-signature proposal ---- */

/* Inserts one signature (caller's transaction). 0, STORE_GROUPS_CONFLICT (that side signed already), -1. */
static int insert_signature(struct store *st, int64_t group_id, const char *side, int64_t person_id, int64_t key_id,
                            const uint8_t public_key[32], const uint8_t signature[64], int64_t at_ms)
{
    sqlite3_stmt *s = stmt(st, G_SIG_INSERT);
    int rc;

    sqlite3_bind_int64(s, 1, group_id);
    sqlite3_bind_text(s, 2, side, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 3, person_id);
    sqlite3_bind_int64(s, 4, key_id);
    sqlite3_bind_blob(s, 5, public_key, 32, SQLITE_STATIC);
    sqlite3_bind_blob(s, 6, signature, 64, SQLITE_STATIC);
    sqlite3_bind_int64(s, 7, at_ms);
    rc = store_step_write(st, s, "recording a signature");
    return rc == STORE_CONFLICT ? STORE_GROUPS_CONFLICT : rc == 0 ? 0 : -1;
}

static int sign_history(struct store *st, int64_t actor, const char *code, const char *side, int64_t key_id)
{
    struct json_object *d = json_object_new_object();

    if (d) {
        json_object_object_add(d, "side", json_object_new_string(side));
        json_object_object_add(d, "key", json_object_new_int64(key_id));
    }
    return group_history(st, actor, "group.sign", code, NULL, d);
}

static bool side_is_valid(const char *side)
{
    return side && (!strcmp(side, "presidency") || !strcmp(side, "secretariat"));
}

int store_group_propose(struct store *st, const struct group_new *g, const char *statement, int64_t presidency_city_id,
                        const char *side, int64_t person_id, int64_t key_id, const uint8_t public_key[32],
                        const uint8_t signature[64], int64_t at_ms, int64_t *group_id)
{
    bool temporary = g->kind && !strcmp(g->kind, "temporary");
    char president[GROUP_CODE_SIZE];
    struct json_object *d;
    sqlite3_stmt *s;
    int64_t id;
    int rc;

    if (!g->code || !g->name || !g->description || !g->kind || !statement || !side_is_valid(side) ||
        strlen(statement) > GROUPS_STATEMENT_MAX || (temporary && (!g->ends_on || !g->ends_on[0]))) {
        log_error("store: a group proposal with missing fields reached the store");
        return -1;
    }
    if (store_begin(st) != 0)
        return -1;
    if ((rc = city_code(st, presidency_city_id, president)) != 0) {
        rc = rc == 1 ? STORE_GROUPS_NOT_FOUND : -1;
        goto out;
    }
    s = stmt(st, G_INSERT);
    sqlite3_bind_text(s, 1, g->code, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, g->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, g->description, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, g->kind, -1, SQLITE_STATIC);
    if (temporary)
        sqlite3_bind_text(s, 5, g->ends_on, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 6, at_ms);
    if ((rc = store_step_write(st, s, "proposing a group")) != 0) {
        rc = rc == STORE_CONFLICT ? STORE_GROUPS_TAKEN : -1;
        goto out;
    }
    id = sqlite3_last_insert_rowid(st->db);
    s = stmt(st, G_PROPOSAL_INSERT);
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_text(s, 2, statement, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 3, presidency_city_id);
    sqlite3_bind_int64(s, 4, person_id);
    sqlite3_bind_int64(s, 5, at_ms);
    if (store_step_write(st, s, "recording a group proposal") != 0) {
        rc = -1;
        goto out;
    }
    if ((rc = insert_signature(st, id, side, person_id, key_id, public_key, signature, at_ms)) != 0) {
        rc = -1;
        goto out;
    }
    d = json_object_new_object();
    if (d) {
        json_object_object_add(d, "name", json_object_new_string(g->name));
        json_object_object_add(d, "kind", json_object_new_string(g->kind));
        json_object_object_add(d, "ends_on", temporary ? json_object_new_string(g->ends_on) : NULL);
        json_object_object_add(d, "presidency", json_object_new_string(president));
        json_object_object_add(d, "side", json_object_new_string(side));
    }
    if ((rc = group_history(st, person_id, "group.propose", g->code, NULL, d)) != 0 ||
        (rc = sign_history(st, person_id, g->code, side, key_id)) != 0)
        goto out;
    rc = store_commit(st);
out:
    if (rc != 0) {
        store_rollback(st);
        return rc;
    }
    if (group_id)
        *group_id = id;
    return 0;
}

int store_group_sign(struct store *st, int64_t group_id, const char *side, int64_t person_id, int64_t key_id,
                     const uint8_t public_key[32], const uint8_t signature[64], int64_t at_ms, bool *activated)
{
    struct group_record g;
    struct json_object *d;
    sqlite3_stmt *s;
    int64_t count = 0, presidency = 0;
    int rc;

    *activated = false;
    if (!side_is_valid(side))
        return -1;
    if (store_begin(st) != 0)
        return -1;
    if ((rc = store_group_get(st, group_id, &g)) != 0) {
        rc = rc == 1 ? STORE_GROUPS_NOT_FOUND : -1;
        goto out;
    }
    s = stmt(st, G_PROPOSAL_GET);
    sqlite3_bind_int64(s, 1, group_id);
    if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        presidency = sqlite3_column_int64(s, 1);
        rc = 0;
    } else {
        rc = rc == SQLITE_DONE ? STORE_GROUPS_NOT_FOUND : store_read_failed(st, "a group proposal");
    }
    store_stmt_done(s);
    if (rc != 0)
        goto out;
    if (strcmp(g.state, "proposed") || presidency <= 0) {
        rc = STORE_GROUPS_CONFLICT;
        goto out;
    }
    if ((rc = insert_signature(st, group_id, side, person_id, key_id, public_key, signature, at_ms)) != 0)
        goto out;
    if ((rc = sign_history(st, person_id, g.code, side, key_id)) != 0)
        goto out;
    s = stmt(st, G_SIG_COUNT);
    sqlite3_bind_int64(s, 1, group_id);
    if (query_int(st, s, &count, "the signatures of a proposal") != 0) {
        rc = -1;
        goto out;
    }
    if (count == 2) {
        s = stmt(st, G_ACTIVATE);
        sqlite3_bind_int64(s, 1, group_id);
        sqlite3_bind_int64(s, 2, at_ms);
        if (store_write_changed(st, s) != 0) {
            rc = -1;
            goto out;
        }
        d = json_object_new_object();
        if (d)
            json_object_object_add(d, "signatures", json_object_new_int64(count));
        if ((rc = group_history(st, 0, "group.activate", g.code, NULL, d)) != 0)
            goto out;
        *activated = true;
    }
    rc = store_commit(st);
out:
    if (rc != 0) {
        store_rollback(st);
        *activated = false;
    }
    return rc;
}

static int read_signature(sqlite3_stmt *s, void *elem)
{
    struct group_signature *g = elem;

    memset(g, 0, sizeof(*g));
    g->person_id = sqlite3_column_int64(s, 1);
    g->key_id = sqlite3_column_int64(s, 3);
    g->signed_at_ms = sqlite3_column_int64(s, 6);
    if (store_col_text(s, 0, g->side, sizeof(g->side), false) || sqlite3_column_bytes(s, 4) != 32 ||
        sqlite3_column_bytes(s, 5) != 64)
        return -1;
    store_col_text_cut(s, 2, g->person_name, sizeof(g->person_name));
    store_col_blob(s, 4, g->public_key, 32);
    store_col_blob(s, 5, g->signature, 64);
    return 0;
}

int store_group_proposal(struct store *st, int64_t group_id, struct group_proposal *out)
{
    sqlite3_stmt *s = stmt(st, G_PROPOSAL_GET);
    struct group_signature *sigs = NULL;
    size_t n = 0;
    int rc;

    memset(out, 0, sizeof(*out));
    out->group_id = group_id;
    sqlite3_bind_int64(s, 1, group_id);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        out->presidency_city_id = sqlite3_column_int64(s, 1);
        out->proposed_by = sqlite3_column_int64(s, 3);
        out->proposed_at_ms = sqlite3_column_int64(s, 4);
        rc = store_col_text(s, 0, out->statement, sizeof(out->statement), false) ||
                     store_col_text(s, 2, out->presidency_city, sizeof(out->presidency_city), false)
                 ? -1
                 : 0;
        if (rc != 0)
            log_error("store: a group proposal is damaged");
    } else {
        rc = rc == SQLITE_DONE ? 1 : store_read_failed(st, "a group proposal");
    }
    store_stmt_done(s);
    if (rc != 0)
        return rc;
    s = stmt(st, G_SIGS);
    sqlite3_bind_int64(s, 1, group_id);
    if (store_collect(st, s, sizeof(*sigs), 2, read_signature, "the signatures of a proposal", (void **)&sigs, &n) != 0)
        return -1;
    memcpy(out->sigs, sigs, n * sizeof(*sigs));
    out->nsigs = n;
    free(sigs);
    return 0;
}

/* ---- sessions ---- */

static int read_session(sqlite3_stmt *s, void *elem)
{
    struct group_session *x = elem;

    memset(x, 0, sizeof(*x));
    x->id = sqlite3_column_int64(s, 0);
    x->group_id = sqlite3_column_int64(s, 1);
    x->starts_at_ms = sqlite3_column_int64(s, 6);
    x->ends_at_ms = sqlite3_column_int64(s, 7);
    x->chair_person_id = sqlite3_column_int64(s, 9);
    x->ical_sequence = sqlite3_column_int64(s, 12);
    x->created_at_ms = sqlite3_column_int64(s, 14);
    x->updated_at_ms = sqlite3_column_int64(s, 15);
    if (store_col_text(s, 2, x->group_code, sizeof(x->group_code), false) ||
        store_col_text(s, 3, x->kind, sizeof(x->kind), false) ||
        store_col_text(s, 4, x->quarter, sizeof(x->quarter), false) ||
        store_col_text(s, 5, x->title, sizeof(x->title), false) ||
        store_col_text(s, 8, x->state, sizeof(x->state), false) ||
        store_col_text(s, 10, x->video_url, sizeof(x->video_url), false) ||
        store_col_text(s, 11, x->agenda_json, sizeof(x->agenda_json), false) ||
        store_col_text(s, 13, x->cancel_reason, sizeof(x->cancel_reason), false))
        return -1;
    return 0;
}

int store_session_get(struct store *st, int64_t id, struct group_session *out)
{
    sqlite3_stmt *s = stmt(st, S_GET);

    sqlite3_bind_int64(s, 1, id);
    return query_one(st, s, read_session, out, "a session");
}

int store_session_list(struct store *st, int64_t group_id, struct group_session **out, size_t *n)
{
    sqlite3_stmt *s = stmt(st, group_id > 0 ? S_LIST_GROUP : S_LIST_ALL);

    if (group_id > 0)
        sqlite3_bind_int64(s, 1, group_id);
    return store_collect(st, s, sizeof(**out), STORE_GROUPS_MAX_SESSIONS, read_session, "the sessions", (void **)out, n);
}

int store_session_next(struct store *st, int64_t group_id, int64_t now_ms, struct group_session *out)
{
    sqlite3_stmt *s = stmt(st, S_NEXT);

    sqlite3_bind_int64(s, 1, group_id);
    sqlite3_bind_int64(s, 2, now_ms);
    return query_one(st, s, read_session, out, "the next session");
}

int store_session_last_closed(struct store *st, int64_t group_id, int64_t *start_ms)
{
    sqlite3_stmt *s = stmt(st, S_LAST_CLOSED);

    *start_ms = 0;
    sqlite3_bind_int64(s, 1, group_id);
    return query_int(st, s, start_ms, "the last closed session") == 0 ? 0 : -1;
}

/* Whether the group has a regular session other than `except` in `quarter` that is not cancelled. 0 no, 1 yes, -1. */
static int quarter_taken(struct store *st, int64_t group_id, const char *quarter, int64_t except)
{
    sqlite3_stmt *s = stmt(st, S_REGULAR_IN_QUARTER);
    int64_t other = 0;
    int rc;

    sqlite3_bind_int64(s, 1, group_id);
    sqlite3_bind_text(s, 2, quarter, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 3, except);
    rc = query_int(st, s, &other, "the sessions of a quarter");
    return rc < 0 ? -1 : rc == 0 ? 1 : 0;
}

static bool session_fields_ok(const struct group_session *x)
{
    return (!strcmp(x->kind, "regular") || !strcmp(x->kind, "extra")) && strlen(x->quarter) == 6 &&
           x->title[0] && x->ends_at_ms > x->starts_at_ms && x->agenda_json[0] == '[';
}

int store_session_insert(struct store *st, const struct group_session *x, int64_t actor, int64_t at_ms, int64_t *id)
{
    struct group_record g;
    sqlite3_stmt *s;
    int rc;

    if (in_transaction(st, "a session insert") != 0)
        return -1;
    if (!session_fields_ok(x)) {
        log_error("store: a session with invalid fields reached the store");
        return -1;
    }
    if ((rc = store_group_get(st, x->group_id, &g)) != 0)
        return rc == 1 ? STORE_GROUPS_NOT_FOUND : -1;
    if (strcmp(g.state, "active"))
        return STORE_GROUPS_CONFLICT;
    if (!strcmp(x->kind, "regular") && (rc = quarter_taken(st, x->group_id, x->quarter, 0)) != 0)
        return rc == 1 ? STORE_GROUPS_CONFLICT : -1;
    s = stmt(st, S_INSERT);
    sqlite3_bind_int64(s, 1, x->group_id);
    sqlite3_bind_text(s, 2, x->kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, x->quarter, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, x->title, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 5, x->starts_at_ms);
    sqlite3_bind_int64(s, 6, x->ends_at_ms);
    store_bind_id_or_null(s, 7, x->chair_person_id);
    if (x->video_url[0])
        sqlite3_bind_text(s, 8, x->video_url, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 9, x->agenda_json, -1, SQLITE_STATIC);
    store_bind_id_or_null(s, 10, actor);
    sqlite3_bind_int64(s, 11, at_ms);
    if ((rc = store_step_write(st, s, "adding a session")) != 0)
        return rc == STORE_CONFLICT ? STORE_GROUPS_CONFLICT : -1;
    if (id)
        *id = sqlite3_last_insert_rowid(st->db);
    return 0;
}

static int session_history(struct store *st, int64_t actor, const char *action, int64_t id, struct json_object *d)
{
    char subject[48];

    subject_of(subject, sizeof(subject), "session", id);
    return store_history_add_json(st, actor, action, subject, d ? d : json_object_new_object());
}

static void add_time(struct json_object *d, const char *key, int64_t ms)
{
    json_object_object_add(d, key, json_object_new_int64(ms));
}

int store_session_schedule(struct store *st, const struct group_session *x, int64_t actor, int64_t at_ms, int64_t *id)
{
    struct json_object *d;
    int64_t sid = 0;
    int rc;

    if (store_begin(st) != 0)
        return -1;
    if ((rc = store_session_insert(st, x, actor, at_ms, &sid)) != 0)
        goto out;
    d = json_object_new_object();
    if (d) {
        json_object_object_add(d, "group", json_object_new_int64(x->group_id));
        json_object_object_add(d, "kind", json_object_new_string(x->kind));
        json_object_object_add(d, "quarter", json_object_new_string(x->quarter));
        json_object_object_add(d, "title", json_object_new_string(x->title));
        add_time(d, "starts_at", x->starts_at_ms);
        add_time(d, "ends_at", x->ends_at_ms);
    }
    if ((rc = session_history(st, actor, "session.schedule", sid, d)) != 0)
        goto out;
    rc = store_commit(st);
out:
    if (rc != 0) {
        store_rollback(st);
        return rc;
    }
    if (id)
        *id = sid;
    return 0;
}

int store_session_update(struct store *st, const struct group_session *x, int64_t actor, int64_t at_ms,
                         struct group_session *out)
{
    struct group_session old;
    struct json_object *d = NULL;
    bool visible, chair;
    sqlite3_stmt *s;
    int rc;

    if (!session_fields_ok(x)) {
        log_error("store: a session update with invalid fields reached the store");
        return -1;
    }
    if (store_begin(st) != 0)
        return -1;
    if ((rc = store_session_get(st, x->id, &old)) != 0) {
        store_rollback(st);
        return rc;
    }
    if (strcmp(old.state, "scheduled")) {
        rc = STORE_GROUPS_CONFLICT;
        goto out;
    }
    if (!strcmp(old.kind, "regular") && strcmp(old.quarter, x->quarter) &&
        (rc = quarter_taken(st, old.group_id, x->quarter, old.id)) != 0) {
        rc = rc == 1 ? STORE_GROUPS_CONFLICT : -1;
        goto out;
    }
    visible = strcmp(old.title, x->title) || old.starts_at_ms != x->starts_at_ms || old.ends_at_ms != x->ends_at_ms ||
              strcmp(old.video_url, x->video_url) || strcmp(old.agenda_json, x->agenda_json);
    chair = old.chair_person_id != x->chair_person_id;
    if (!visible && !chair) {
        store_rollback(st);
        if (out)
            *out = old;
        return 0;
    }
    s = stmt(st, S_UPDATE);
    sqlite3_bind_int64(s, 1, x->id);
    sqlite3_bind_text(s, 2, x->title, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, !strcmp(old.kind, "regular") ? x->quarter : old.quarter, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 4, x->starts_at_ms);
    sqlite3_bind_int64(s, 5, x->ends_at_ms);
    store_bind_id_or_null(s, 6, x->chair_person_id);
    if (x->video_url[0])
        sqlite3_bind_text(s, 7, x->video_url, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 8, x->agenda_json, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 9, visible ? 1 : 0);
    sqlite3_bind_int64(s, 10, at_ms);
    if (store_write_changed(st, s) != 0) {
        rc = -1;
        goto out;
    }
    d = json_object_new_object();
    if (d) {
        if (strcmp(old.title, x->title))
            json_object_object_add(d, "title", json_object_new_string(x->title));
        if (old.starts_at_ms != x->starts_at_ms)
            add_time(d, "starts_at", x->starts_at_ms);
        if (old.ends_at_ms != x->ends_at_ms)
            add_time(d, "ends_at", x->ends_at_ms);
        if (strcmp(old.video_url, x->video_url))
            json_object_object_add(d, "video_url", json_object_new_string(x->video_url));
        if (strcmp(old.agenda_json, x->agenda_json))
            json_object_object_add(d, "agenda", json_object_new_boolean(1));
        if (chair)
            json_object_object_add(d, "chair", x->chair_person_id > 0 ? json_object_new_int64(x->chair_person_id) : NULL);
        json_object_object_add(d, "sequence", json_object_new_int64(old.ical_sequence + (visible ? 1 : 0)));
    }
    if ((rc = session_history(st, actor, "session.update", x->id, d)) != 0)
        goto out;
    if ((rc = store_session_get(st, x->id, &old)) != 0) {
        rc = -1;
        goto out;
    }
    rc = store_commit(st);
out:
    if (rc != 0) {
        store_rollback(st);
        return rc;
    }
    if (out)
        *out = old;
    return 0;
}

int store_session_set_state(struct store *st, int64_t id, const char *state, int64_t person_id, int64_t at_ms)
{
    struct group_session x;
    struct json_object *d;
    const char *from;
    sqlite3_stmt *s;
    int rc;

    if (!state || (strcmp(state, "live") && strcmp(state, "closed"))) {
        log_error("store: a session state other than live or closed was asked for");
        return 2;
    }
    from = !strcmp(state, "live") ? "scheduled" : "live";
    if (store_begin(st) != 0)
        return -1;
    if ((rc = store_session_get(st, id, &x)) != 0) {
        store_rollback(st);
        return rc;
    }
    if (!strcmp(x.state, state)) {
        store_rollback(st);
        return 0;
    }
    if (strcmp(x.state, from)) {
        store_rollback(st);
        return 2;
    }
    s = stmt(st, S_SET_STATE);
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_text(s, 2, state, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 3, at_ms);
    sqlite3_bind_text(s, 4, from, -1, SQLITE_STATIC);
    if (store_write_changed(st, s) != 0) {
        rc = -1;
        goto out;
    }
    /* a session that opens has its time settled: any open poll on it closes without a pick */
    s = stmt(st, P_CLOSE_OF_SESSION);
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_int64(s, 2, at_ms);
    if (store_step_write(st, s, "closing a session's time poll") != 0) {
        rc = -1;
        goto out;
    }
    d = json_object_new_object();
    if (d) {
        json_object_object_add(d, "from", json_object_new_string(from));
        json_object_object_add(d, "to", json_object_new_string(state));
        add_time(d, "at", at_ms);
    }
    if ((rc = session_history(st, person_id, "session.state", id, d)) != 0)
        goto out;
    rc = store_commit(st);
out:
    if (rc != 0)
        store_rollback(st);
    return rc;
}

int store_session_cancel(struct store *st, int64_t id, const char *reason, int64_t actor, int64_t at_ms)
{
    struct group_session x;
    struct json_object *d;
    sqlite3_stmt *s;
    int rc;

    if (!reason || !reason[0] || strlen(reason) > GROUPS_REASON_MAX)
        return -1;
    if (store_begin(st) != 0)
        return -1;
    if ((rc = store_session_get(st, id, &x)) != 0) {
        store_rollback(st);
        return rc;
    }
    if (!strcmp(x.state, "cancelled")) {
        store_rollback(st);
        return 2;
    }
    if (strcmp(x.state, "scheduled")) {
        rc = STORE_GROUPS_CONFLICT;
        goto out;
    }
    s = stmt(st, S_CANCEL);
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_text(s, 2, reason, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 3, at_ms);
    if (store_write_changed(st, s) != 0) {
        rc = -1;
        goto out;
    }
    s = stmt(st, P_CLOSE_OF_SESSION);
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_int64(s, 2, at_ms);
    if (store_step_write(st, s, "closing a cancelled session's time poll") != 0) {
        rc = -1;
        goto out;
    }
    d = json_object_new_object();
    if (d) {
        json_object_object_add(d, "reason", json_object_new_string(reason));
        json_object_object_add(d, "sequence", json_object_new_int64(x.ical_sequence + 1));
    }
    if ((rc = session_history(st, actor, "session.cancel", id, d)) != 0)
        goto out;
    rc = store_commit(st);
out:
    if (rc != 0)
        store_rollback(st);
    return rc;
}

static const char plan_agenda[] = "[\"Opening\",\"Reports of the member cities\",\"Any other business\"]";

int store_session_plan(struct store *st, const struct session_plan_item *items, size_t n, int64_t actor,
                       int64_t at_ms, size_t *created)
{
    struct json_object *d = NULL, *ids = NULL;
    size_t count = 0;
    int rc;

    if (created)
        *created = 0;
    if (store_begin(st) != 0)
        return -1;
    ids = json_object_new_array();
    if (!ids) {
        rc = -1;
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        struct group_session x;
        struct group_record g;
        int64_t id = 0;

        if ((rc = store_group_get(st, items[i].group_id, &g)) != 0) {
            if (rc == 1)
                continue;
            goto out;
        }
        if (strcmp(g.state, "active"))
            continue;
        if ((rc = quarter_taken(st, g.id, items[i].quarter, 0)) != 0) {
            if (rc == 1)
                continue;
            goto out;
        }
        memset(&x, 0, sizeof(x));
        x.group_id = g.id;
        snprintf(x.kind, sizeof(x.kind), "regular");
        snprintf(x.quarter, sizeof(x.quarter), "%s", items[i].quarter);
        snprintf(x.title, sizeof(x.title), "Quarterly session, %s", items[i].quarter);
        x.starts_at_ms = items[i].starts_at_ms;
        x.ends_at_ms = items[i].ends_at_ms;
        snprintf(x.agenda_json, sizeof(x.agenda_json), "%s", plan_agenda);
        if ((rc = store_session_insert(st, &x, actor, at_ms, &id)) != 0) {
            rc = -1;
            goto out;
        }
        json_object_array_add(ids, json_object_new_int64(id));
        count++;
    }
    d = json_object_new_object();
    if (d) {
        json_object_object_add(d, "created", json_object_new_int64((int64_t)count));
        json_object_object_add(d, "sessions", ids);
        ids = NULL;
    }
    rc = store_history_add_json(st, actor, "session.plan", "sessions", d);
    if (rc == 0)
        rc = store_commit(st);
out:
    json_object_put(ids);
    if (rc != 0) {
        store_rollback(st);
        return -1;
    }
    if (created)
        *created = count;
    return 0;
}

/* ---- the presidency term and its plan ---- */

#define DAY_MS (24LL * 3600 * 1000)

int store_group_term(struct store *st, int64_t now_ms, struct group_term *out)
{
    struct summit_term *terms = NULL;
    struct summit_record next;
    char today[11], after[11];
    const char *next_start = NULL;
    int64_t days = 0, last = 0;
    size_t n = 0, cur = SIZE_MAX;
    int rc = 1;

    memset(out, 0, sizeof(*out));
    if (membership_date_from_ms(now_ms, today) != 0 || store_presidency_list(st, &terms, &n) != 0)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (terms[i].from_summit_id > 0 && strcmp(terms[i].starts_on, today) <= 0 &&
            (cur == SIZE_MAX || strcmp(terms[i].starts_on, terms[cur].starts_on) > 0))
            cur = i;
    if (cur == SIZE_MAX)
        goto out;
    out->city_id = terms[cur].city_id;
    snprintf(out->city, sizeof(out->city), "%s", terms[cur].city);
    snprintf(out->starts_on, sizeof(out->starts_on), "%s", terms[cur].starts_on);
    for (size_t i = 0; i < n; i++)
        if (terms[i].from_summit_id > 0 && strcmp(terms[i].starts_on, out->starts_on) > 0 &&
            (!next_start || strcmp(terms[i].starts_on, next_start) < 0))
            next_start = terms[i].starts_on;
    if (!next_start && summit_date_add(out->starts_on, 1, after) == 0 &&
        (rc = store_summit_on_or_after(st, after, &next)) <= 0) {
        if (rc < 0)
            goto fail;
        if (strcmp(next.starts_on, out->starts_on) > 0)
            next_start = next.starts_on;
    }
    if (groups_term_end(out->starts_on, next_start, out->ends_on) != 0 ||
        summit_date_days(out->starts_on, &days) != 0 || summit_date_days(out->ends_on, &last) != 0)
        goto fail;
    out->starts_ms = days * DAY_MS;
    out->ends_ms = (last + 1) * DAY_MS;
    rc = 0;
    goto out;
fail:
    log_error("store: the current presidency term cannot be worked out");
    rc = -1;
out:
    free(terms);
    return rc;
}

int store_session_plan_term(struct store *st, const struct group_term *t, int64_t now_ms, int64_t actor,
                            size_t *created)
{
    struct groups_quarter qs[GROUPS_TERM_QUARTERS_MAX];
    struct session_plan_item *items = NULL;
    struct group_record *groups = NULL;
    size_t ng = 0, nq = 0, ni = 0;
    int rc = -1;

    if (created)
        *created = 0;
    if (groups_term_quarters(t->starts_on, t->ends_on, qs, GROUPS_TERM_QUARTERS_MAX, &nq) != 0 ||
        store_group_list(st, &groups, &ng) != 0)
        return -1;
    if (!(items = calloc(ng * nq + 1, sizeof(*items))))
        goto out;
    for (size_t i = 0; i < ng; i++) {
        if (strcmp(groups[i].state, "active"))
            continue;
        for (size_t k = 0; k < nq; k++) {
            struct session_plan_item *it = &items[ni];
            /* every quarter the term touches, at its own time even past the term's last day */
            if (groups_plan_session(qs[k], now_ms, groups[i].ends_on, &it->starts_at_ms, &it->ends_at_ms) != 0)
                continue;
            it->group_id = groups[i].id;
            groups_quarter_name(qs[k], it->quarter);
            ni++;
        }
    }
    rc = store_session_plan(st, items, ni, actor, now_ms, created);
out:
    free(items);
    free(groups);
    return rc;
}

/* ---- requests for extra sessions ---- */

static int read_request(sqlite3_stmt *s, void *elem)
{
    struct session_request *r = elem;

    memset(r, 0, sizeof(*r));
    r->id = sqlite3_column_int64(s, 0);
    r->group_id = sqlite3_column_int64(s, 1);
    r->city_id = sqlite3_column_int64(s, 2);
    r->person_id = sqlite3_column_int64(s, 4);
    r->key_id = sqlite3_column_int64(s, 5);
    r->requested_at_ms = sqlite3_column_int64(s, 10);
    r->decided_by = sqlite3_column_int64(s, 12);
    r->decided_at_ms = sqlite3_column_int64(s, 13);
    r->session_id = sqlite3_column_int64(s, 15);
    if (store_col_text(s, 3, r->city, sizeof(r->city), false) || sqlite3_column_bytes(s, 6) != 32 ||
        store_col_text(s, 7, r->statement, sizeof(r->statement), false) || sqlite3_column_bytes(s, 8) != 64 ||
        store_col_text(s, 9, r->reason, sizeof(r->reason), false) ||
        store_col_text(s, 11, r->state, sizeof(r->state), false) ||
        store_col_text(s, 14, r->decision_reason, sizeof(r->decision_reason), false))
        return -1;
    store_col_blob(s, 6, r->public_key, 32);
    store_col_blob(s, 8, r->signature, 64);
    return 0;
}

int store_session_request_add(struct store *st, const struct session_request *r, int64_t *id)
{
    struct group_record g;
    struct json_object *d;
    char code[GROUP_CODE_SIZE];
    sqlite3_stmt *s;
    int64_t rid;
    int rc;

    if (store_begin(st) != 0)
        return -1;
    if ((rc = store_group_get(st, r->group_id, &g)) != 0 || (rc = city_code(st, r->city_id, code)) != 0) {
        rc = rc == 1 ? STORE_GROUPS_NOT_FOUND : -1;
        goto out;
    }
    s = stmt(st, R_INSERT);
    sqlite3_bind_int64(s, 1, r->group_id);
    sqlite3_bind_int64(s, 2, r->city_id);
    sqlite3_bind_int64(s, 3, r->person_id);
    sqlite3_bind_int64(s, 4, r->key_id);
    sqlite3_bind_blob(s, 5, r->public_key, 32, SQLITE_STATIC);
    sqlite3_bind_text(s, 6, r->statement, -1, SQLITE_STATIC);
    sqlite3_bind_blob(s, 7, r->signature, 64, SQLITE_STATIC);
    sqlite3_bind_text(s, 8, r->reason, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 9, r->requested_at_ms);
    if (store_step_write(st, s, "recording a session request") != 0) {
        rc = -1;
        goto out;
    }
    rid = sqlite3_last_insert_rowid(st->db);
    d = json_object_new_object();
    if (d)
        json_object_object_add(d, "request", json_object_new_int64(rid));
    if ((rc = group_history(st, r->person_id, "session.request", g.code, code, d)) != 0)
        goto out;
    rc = store_commit(st);
out:
    if (rc != 0) {
        store_rollback(st);
        return rc;
    }
    if (id)
        *id = rid;
    return 0;
}

int store_session_request_get(struct store *st, int64_t id, struct session_request *out)
{
    sqlite3_stmt *s = stmt(st, R_GET);

    sqlite3_bind_int64(s, 1, id);
    return query_one(st, s, read_request, out, "a session request");
}

int store_session_request_list(struct store *st, int64_t group_id, struct session_request **out, size_t *n)
{
    sqlite3_stmt *s = stmt(st, R_LIST);

    sqlite3_bind_int64(s, 1, group_id);
    return store_collect(st, s, sizeof(**out), STORE_GROUPS_MAX_ROWS, read_request, "the session requests",
                         (void **)out, n);
}

int store_session_request_decide(struct store *st, int64_t id, const struct group_session *session, const char *reason,
                                 int64_t actor, int64_t at_ms, int64_t *session_id)
{
    struct session_request r;
    struct group_record g;
    struct json_object *d;
    sqlite3_stmt *s;
    int64_t sid = 0;
    int rc;

    if (!reason || strlen(reason) > GROUPS_REASON_MAX)
        return -1;
    if (store_begin(st) != 0)
        return -1;
    if ((rc = store_session_request_get(st, id, &r)) != 0) {
        rc = rc == 1 ? STORE_GROUPS_NOT_FOUND : -1;
        goto out;
    }
    if (strcmp(r.state, "pending")) {
        rc = STORE_GROUPS_CONFLICT;
        goto out;
    }
    if ((rc = store_group_get(st, r.group_id, &g)) != 0) {
        rc = -1;
        goto out;
    }
    if (session) {
        struct group_session x = *session;
        x.group_id = r.group_id;
        snprintf(x.kind, sizeof(x.kind), "extra");
        if ((rc = store_session_insert(st, &x, actor, at_ms, &sid)) != 0)
            goto out;
    }
    s = stmt(st, R_DECIDE);
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_text(s, 2, session ? "scheduled" : "declined", -1, SQLITE_STATIC);
    store_bind_id_or_null(s, 3, actor);
    sqlite3_bind_int64(s, 4, at_ms);
    sqlite3_bind_text(s, 5, reason, -1, SQLITE_STATIC);
    store_bind_id_or_null(s, 6, sid);
    if (store_write_changed(st, s) != 0) {
        rc = -1;
        goto out;
    }
    d = json_object_new_object();
    if (d) {
        json_object_object_add(d, "request", json_object_new_int64(id));
        json_object_object_add(d, "decision", json_object_new_string(session ? "scheduled" : "declined"));
        json_object_object_add(d, "session", sid > 0 ? json_object_new_int64(sid) : NULL);
        json_object_object_add(d, "reason", json_object_new_string(reason));
    }
    if ((rc = group_history(st, actor, "session.request_decide", g.code, r.city, d)) != 0)
        goto out;
    rc = store_commit(st);
out:
    if (rc != 0) {
        store_rollback(st);
        return rc;
    }
    if (session_id)
        *session_id = sid;
    return 0;
}

/* ---- time polls ---- */

int store_timepoll_create(struct store *st, int64_t session_id, const int64_t *starts, const int64_t *ends, size_t n,
                          int64_t actor, int64_t at_ms, int64_t *poll_id)
{
    struct group_session x;
    struct json_object *d;
    sqlite3_stmt *s;
    int64_t pid;
    int rc;

    if (n < GROUPS_SLOTS_MIN || n > GROUPS_SLOTS_MAX)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (ends[i] <= starts[i])
            return -1;
    if (store_begin(st) != 0)
        return -1;
    if ((rc = store_session_get(st, session_id, &x)) != 0) {
        rc = rc == 1 ? STORE_GROUPS_NOT_FOUND : -1;
        goto out;
    }
    if (strcmp(x.state, "scheduled")) {
        rc = STORE_GROUPS_CONFLICT;
        goto out;
    }
    s = stmt(st, P_INSERT);
    sqlite3_bind_int64(s, 1, session_id);
    store_bind_id_or_null(s, 2, actor);
    sqlite3_bind_int64(s, 3, at_ms);
    if ((rc = store_step_write(st, s, "opening a time poll")) != 0) {
        rc = rc == STORE_CONFLICT ? STORE_GROUPS_CONFLICT : -1; /* one open poll per session */
        goto out;
    }
    pid = sqlite3_last_insert_rowid(st->db);
    for (size_t i = 0; i < n; i++) {
        s = stmt(st, P_SLOT_INSERT);
        sqlite3_bind_int64(s, 1, pid);
        sqlite3_bind_int64(s, 2, (int64_t)i + 1);
        sqlite3_bind_int64(s, 3, starts[i]);
        sqlite3_bind_int64(s, 4, ends[i]);
        if (store_step_write(st, s, "adding a time poll slot") != 0) {
            rc = -1;
            goto out;
        }
    }
    d = json_object_new_object();
    if (d) {
        json_object_object_add(d, "poll", json_object_new_int64(pid));
        json_object_object_add(d, "slots", json_object_new_int64((int64_t)n));
    }
    if ((rc = session_history(st, actor, "timepoll.create", session_id, d)) != 0)
        goto out;
    rc = store_commit(st);
out:
    if (rc != 0) {
        store_rollback(st);
        return rc;
    }
    if (poll_id)
        *poll_id = pid;
    return 0;
}

static int read_poll(sqlite3_stmt *s, void *elem)
{
    struct time_poll *p = elem;

    memset(p, 0, sizeof(*p));
    p->id = sqlite3_column_int64(s, 0);
    p->session_id = sqlite3_column_int64(s, 1);
    p->group_id = sqlite3_column_int64(s, 2);
    p->created_by = sqlite3_column_int64(s, 4);
    p->created_at_ms = sqlite3_column_int64(s, 5);
    p->closed_at_ms = sqlite3_column_int64(s, 6);
    p->picked_slot_id = sqlite3_column_int64(s, 7);
    return store_col_text(s, 3, p->state, sizeof(p->state), false);
}

static int read_slot(sqlite3_stmt *s, void *elem)
{
    struct time_poll_slot *t = elem;

    t->id = sqlite3_column_int64(s, 0);
    t->position = sqlite3_column_int64(s, 1);
    t->starts_at_ms = sqlite3_column_int64(s, 2);
    t->ends_at_ms = sqlite3_column_int64(s, 3);
    t->marks = sqlite3_column_int64(s, 4);
    return 0;
}

int store_timepoll_get(struct store *st, int64_t poll_id, struct time_poll *out)
{
    struct time_poll_slot *slots = NULL;
    sqlite3_stmt *s = stmt(st, P_GET);
    size_t n = 0;
    int rc;

    sqlite3_bind_int64(s, 1, poll_id);
    if ((rc = query_one(st, s, read_poll, out, "a time poll")) != 0)
        return rc;
    s = stmt(st, P_SLOTS);
    sqlite3_bind_int64(s, 1, poll_id);
    if (store_collect(st, s, sizeof(*slots), GROUPS_SLOTS_MAX, read_slot, "the slots of a poll", (void **)&slots, &n) != 0)
        return -1;
    memcpy(out->slots, slots, n * sizeof(*slots));
    out->nslots = n;
    free(slots);
    return 0;
}

int store_timepoll_of_session(struct store *st, int64_t session_id, int64_t *poll_id)
{
    sqlite3_stmt *s = stmt(st, P_OF_SESSION);

    *poll_id = 0;
    sqlite3_bind_int64(s, 1, session_id);
    return query_int(st, s, poll_id, "the time poll of a session");
}

int store_timepoll_answers(struct store *st, int64_t poll_id, struct time_poll_answer **out, size_t *n)
{
    sqlite3_stmt *s = stmt(st, P_ANSWERS);
    struct time_poll_answer *arr = NULL;
    size_t count = 0, cap = 0;
    int rc, result = 0;

    *out = NULL;
    *n = 0;
    sqlite3_bind_int64(s, 1, poll_id);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        int64_t city = sqlite3_column_int64(s, 0), position = sqlite3_column_int64(s, 4);
        struct time_poll_answer *a;

        if (count == 0 || arr[count - 1].city_id != city) {
            if (store_grow((void **)&arr, &cap, count, sizeof(*arr), STORE_GROUPS_MAX_ROWS) != 0) {
                result = -1;
                break;
            }
            a = &arr[count++];
            memset(a, 0, sizeof(*a));
            a->city_id = city;
            a->person_id = sqlite3_column_int64(s, 2);
            a->at_ms = sqlite3_column_int64(s, 3);
            if (store_col_text(s, 1, a->city, sizeof(a->city), false) != 0) {
                result = -1;
                break;
            }
        }
        a = &arr[count - 1];
        if (position > 0 && a->npositions < GROUPS_SLOTS_MAX)
            a->positions[a->npositions++] = position;
    }
    if (result == 0 && rc != SQLITE_DONE)
        result = store_read_failed(st, "the answers to a poll");
    store_stmt_done(s);
    if (result != 0) {
        log_error("store: listing the answers to poll %" PRId64 " failed", poll_id);
        free(arr);
        return -1;
    }
    *out = arr;
    *n = count;
    return 0;
}

int store_timepoll_mark(struct store *st, int64_t poll_id, int64_t city_id, const int64_t *positions, size_t n,
                        int64_t person_id, int64_t at_ms)
{
    struct time_poll p;
    struct json_object *d, *arr;
    char code[GROUP_CODE_SIZE];
    sqlite3_stmt *s;
    int rc;

    if (n > GROUPS_SLOTS_MAX)
        return -1;
    if (store_begin(st) != 0)
        return -1;
    if ((rc = store_timepoll_get(st, poll_id, &p)) != 0 || (rc = city_code(st, city_id, code)) != 0) {
        rc = rc == 1 ? STORE_GROUPS_NOT_FOUND : -1;
        goto out;
    }
    if (strcmp(p.state, "open")) {
        rc = STORE_GROUPS_CONFLICT;
        goto out;
    }
    s = stmt(st, P_MARKS_DELETE);
    sqlite3_bind_int64(s, 1, poll_id);
    sqlite3_bind_int64(s, 2, city_id);
    if (store_step_write(st, s, "replacing a city's marks") != 0) {
        rc = -1;
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        s = stmt(st, P_MARK_INSERT);
        sqlite3_bind_int64(s, 1, poll_id);
        sqlite3_bind_int64(s, 2, city_id);
        sqlite3_bind_int64(s, 3, positions[i]);
        sqlite3_bind_int64(s, 4, person_id);
        sqlite3_bind_int64(s, 5, at_ms);
        if ((rc = store_step_write(st, s, "marking a slot")) != 0) {
            rc = rc == STORE_CONFLICT ? STORE_GROUPS_CONFLICT : -1; /* a position twice: the caller's to refuse */
            goto out;
        }
        if (sqlite3_changes(st->db) != 1) {
            rc = STORE_GROUPS_NOT_FOUND;
            goto out;
        }
    }
    s = stmt(st, P_ANSWER_PUT);
    sqlite3_bind_int64(s, 1, poll_id);
    sqlite3_bind_int64(s, 2, city_id);
    sqlite3_bind_int64(s, 3, person_id);
    sqlite3_bind_int64(s, 4, at_ms);
    if (store_step_write(st, s, "recording a city's answer") != 0) {
        rc = -1;
        goto out;
    }
    d = json_object_new_object();
    arr = json_object_new_array();
    if (d && arr) {
        for (size_t i = 0; i < n; i++)
            json_object_array_add(arr, json_object_new_int64(positions[i]));
        json_object_object_add(d, "poll", json_object_new_int64(poll_id));
        json_object_object_add(d, "city", json_object_new_string(code));
        json_object_object_add(d, "positions", arr);
        arr = NULL;
    }
    json_object_put(arr);
    if ((rc = session_history(st, person_id, "timepoll.mark", p.session_id, d)) != 0)
        goto out;
    rc = store_commit(st);
out:
    if (rc != 0)
        store_rollback(st);
    return rc;
}

int store_timepoll_pick(struct store *st, int64_t poll_id, int64_t position, int64_t actor, int64_t at_ms)
{
    struct time_poll p;
    struct json_object *d;
    sqlite3_stmt *s;
    int64_t slot = 0, starts = 0, ends = 0;
    int rc;

    if (store_begin(st) != 0)
        return -1;
    if ((rc = store_timepoll_get(st, poll_id, &p)) != 0) {
        rc = rc == 1 ? STORE_GROUPS_NOT_FOUND : -1;
        goto out;
    }
    if (strcmp(p.state, "open")) {
        rc = STORE_GROUPS_CONFLICT;
        goto out;
    }
    s = stmt(st, P_SLOT_BY_POSITION);
    sqlite3_bind_int64(s, 1, poll_id);
    sqlite3_bind_int64(s, 2, position);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        slot = sqlite3_column_int64(s, 0);
        starts = sqlite3_column_int64(s, 1);
        ends = sqlite3_column_int64(s, 2);
        rc = 0;
    } else {
        rc = rc == SQLITE_DONE ? STORE_GROUPS_NOT_FOUND : store_read_failed(st, "a poll's slot");
    }
    store_stmt_done(s);
    if (rc != 0)
        goto out;
    s = stmt(st, S_SET_TIMES);
    sqlite3_bind_int64(s, 1, p.session_id);
    sqlite3_bind_int64(s, 2, starts);
    sqlite3_bind_int64(s, 3, ends);
    sqlite3_bind_int64(s, 4, at_ms);
    if ((rc = store_write_changed(st, s)) != 0) {
        rc = rc == 1 ? STORE_GROUPS_CONFLICT : -1; /* the session is no longer scheduled */
        goto out;
    }
    s = stmt(st, P_CLOSE);
    sqlite3_bind_int64(s, 1, poll_id);
    sqlite3_bind_int64(s, 2, at_ms);
    sqlite3_bind_int64(s, 3, slot);
    if (store_write_changed(st, s) != 0) {
        rc = -1;
        goto out;
    }
    d = json_object_new_object();
    if (d) {
        json_object_object_add(d, "poll", json_object_new_int64(poll_id));
        json_object_object_add(d, "position", json_object_new_int64(position));
        add_time(d, "starts_at", starts);
        add_time(d, "ends_at", ends);
    }
    if ((rc = session_history(st, actor, "timepoll.pick", p.session_id, d)) != 0)
        goto out;
    rc = store_commit(st);
out:
    if (rc != 0)
        store_rollback(st);
    return rc;
}

/* ---- recommendations and follow-up ---- */

int store_recommendation_add(struct store *st, int64_t group_id, int64_t session_id, int64_t motion_id,
                             const char *text, int64_t at_ms, int64_t *id_out)
{
    sqlite3_stmt *s = stmt(st, REC_INSERT);

    if (in_transaction(st, "a recommendation") != 0)
        return -1;
    if (!text || !text[0] || strlen(text) > GROUPS_RECOMMENDATION_MAX) {
        log_error("store: a recommendation without text, or longer than %d bytes", GROUPS_RECOMMENDATION_MAX);
        return -1;
    }
    sqlite3_bind_int64(s, 1, group_id);
    sqlite3_bind_int64(s, 2, session_id);
    store_bind_id_or_null(s, 3, motion_id);
    sqlite3_bind_text(s, 4, text, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 5, at_ms);
    if (store_step_write(st, s, "recording a recommendation") != 0)
        return -1;
    if (id_out)
        *id_out = sqlite3_last_insert_rowid(st->db);
    return 0;
}

static int read_recommendation(sqlite3_stmt *s, void *elem)
{
    struct recommendation *r = elem;

    memset(r, 0, sizeof(*r));
    r->id = sqlite3_column_int64(s, 0);
    r->group_id = sqlite3_column_int64(s, 1);
    r->session_id = sqlite3_column_int64(s, 2);
    r->motion_id = sqlite3_column_int64(s, 3);
    r->adopted_at_ms = sqlite3_column_int64(s, 5);
    return store_col_text(s, 4, r->text, sizeof(r->text), false);
}

int store_recommendation_get(struct store *st, int64_t id, struct recommendation *out)
{
    sqlite3_stmt *s = stmt(st, REC_GET);

    sqlite3_bind_int64(s, 1, id);
    return query_one(st, s, read_recommendation, out, "a recommendation");
}

int store_recommendation_list(struct store *st, int64_t group_id, struct recommendation **out, size_t *n)
{
    sqlite3_stmt *s = stmt(st, REC_LIST);

    sqlite3_bind_int64(s, 1, group_id);
    return store_collect(st, s, sizeof(**out), STORE_GROUPS_MAX_ROWS, read_recommendation, "the recommendations",
                         (void **)out, n);
}

static int read_followup(sqlite3_stmt *s, void *elem)
{
    struct followup *f = elem;

    memset(f, 0, sizeof(*f));
    f->id = sqlite3_column_int64(s, 0);
    f->recommendation_id = sqlite3_column_int64(s, 1);
    f->city_id = sqlite3_column_int64(s, 2);
    f->person_id = sqlite3_column_int64(s, 7);
    f->at_ms = sqlite3_column_int64(s, 8);
    if (store_col_text(s, 3, f->city, sizeof(f->city), false) ||
        store_col_text(s, 4, f->status, sizeof(f->status), false) ||
        store_col_text(s, 5, f->note, sizeof(f->note), false) ||
        store_col_text(s, 6, f->on_date, sizeof(f->on_date), false))
        return -1;
    return 0;
}

int store_followup_add(struct store *st, int64_t rec_id, int64_t city_id, const char *status, const char *note,
                       const char *on_date, int64_t person_id, int64_t at_ms, int64_t *id)
{
    struct recommendation r;
    struct json_object *d;
    char code[GROUP_CODE_SIZE], subject[48];
    sqlite3_stmt *s;
    int64_t fid;
    int rc;

    if (!status || !note || !on_date || strlen(note) > GROUPS_NOTE_MAX)
        return -1;
    if (store_begin(st) != 0)
        return -1;
    if ((rc = store_recommendation_get(st, rec_id, &r)) != 0 || (rc = city_code(st, city_id, code)) != 0) {
        rc = rc == 1 ? STORE_GROUPS_NOT_FOUND : -1;
        goto out;
    }
    s = stmt(st, FU_INSERT);
    sqlite3_bind_int64(s, 1, rec_id);
    sqlite3_bind_int64(s, 2, city_id);
    sqlite3_bind_text(s, 3, status, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, note, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 5, on_date, -1, SQLITE_STATIC);
    store_bind_id_or_null(s, 6, person_id);
    sqlite3_bind_int64(s, 7, at_ms);
    if (store_step_write(st, s, "recording a follow-up") != 0) {
        rc = -1;
        goto out;
    }
    fid = sqlite3_last_insert_rowid(st->db);
    d = json_object_new_object();
    if (d) {
        json_object_object_add(d, "city", json_object_new_string(code));
        json_object_object_add(d, "status", json_object_new_string(status));
        json_object_object_add(d, "on_date", json_object_new_string(on_date));
    }
    subject_of(subject, sizeof(subject), "recommendation", rec_id);
    if ((rc = store_history_add_json(st, person_id, "followup.report", subject, d)) != 0)
        goto out;
    rc = store_commit(st);
out:
    if (rc != 0) {
        store_rollback(st);
        return rc;
    }
    if (id)
        *id = fid;
    return 0;
}

int store_followup_list(struct store *st, int64_t rec_id, bool latest_only, struct followup **out, size_t *n)
{
    sqlite3_stmt *s = stmt(st, latest_only ? FU_LATEST : FU_ALL);

    sqlite3_bind_int64(s, 1, rec_id);
    return store_collect(st, s, sizeof(**out), STORE_GROUPS_MAX_ROWS, read_followup, "the follow-up", (void **)out, n);
}
