/*
 * store_room: see include/b40/store_room.h. Every statement is in room_sql,
 * prepared once when the store opens; each use resets it and clears its
 * bindings. Service thread (or the command line), like the struct store it
 * extends.
 */
#include "b40/store_room.h"

#include <stdlib.h>
#include <string.h>

#include "b40/log.h"
#include "store_internal.h"

enum {
    SR_EVENT_ADD,
    SR_EVENTS,
    SR_ATT_OPEN,
    SR_ATT_CLOSE,
    SR_ATT_LIST,
    SR_MOTION_ADD,
    SR_MOTION_POLL,
    SR_MOTION_GET,
    SR_MOTION_OPEN,
    SR_MOTION_IDS,
    SR_MOTION_CLOSE,
    SR_BALLOT_LAST,
    SR_BALLOT_OF_CITY,
    SR_BALLOT_ADD,
    SR_BALLOTS,
    SR_BALLOT_RECEIPT,
    SR_MINUTES_ADD,
    SR_MINUTES_GET,
    SR_COUNT
};

const char *const store_room_sql[SR_COUNT] = {
    [SR_EVENT_ADD] = "INSERT INTO room_events (session_id, seq, kind, data, at_ms) VALUES (?1, ?2, ?3, ?4, ?5)",
    [SR_EVENTS] = "SELECT seq, kind, data, at_ms FROM room_events WHERE session_id = ?1 ORDER BY seq",
    [SR_ATT_OPEN] = "INSERT INTO room_attendance (session_id, person_id, city_id, joined_at_ms) VALUES (?1, ?2, ?3, ?4)",
    [SR_ATT_CLOSE] = "UPDATE room_attendance SET left_at_ms = max(?3, joined_at_ms), left_how = ?4"
                     " WHERE session_id = ?1 AND person_id = ?2 AND left_at_ms IS NULL",
    [SR_ATT_LIST] = "SELECT a.person_id, p.name, coalesce(a.city_id, 0), coalesce(c.code, ''), a.joined_at_ms,"
                    " coalesce(a.left_at_ms, 0), coalesce(a.left_how, '') FROM room_attendance a"
                    " JOIN people p ON p.id = a.person_id LEFT JOIN cities c ON c.id = a.city_id"
                    " WHERE a.session_id = ?1 ORDER BY coalesce(c.code, ''), p.name, a.person_id, a.joined_at_ms, a.id",
    [SR_MOTION_ADD] = "INSERT INTO motions (session_id, group_id, text, state, poll, poll_signature, fingerprint,"
                      " eligible_keys, opened_by, opened_at_ms) VALUES (?1, ?2, ?3, 'open', '', zeroblob(64),"
                      " zeroblob(32), '', ?4, ?5)",
    [SR_MOTION_POLL] = "UPDATE motions SET poll = ?2, poll_signature = ?3, fingerprint = ?4, eligible_keys = ?5"
                       " WHERE id = ?1 AND state = 'open'",
    [SR_MOTION_GET] = "SELECT id, session_id, group_id, text, state, poll, poll_signature, fingerprint, eligible_keys,"
                      " coalesce(opened_by, 0), opened_at_ms, coalesce(closed_by, 0), coalesce(closed_at_ms, 0), result,"
                      " chain_head, chain_head_signature, coalesce(recommendation_id, 0) FROM motions WHERE id = ?1",
    [SR_MOTION_OPEN] = "SELECT id FROM motions WHERE session_id = ?1 AND state = 'open'",
    [SR_MOTION_IDS] = "SELECT id FROM motions WHERE session_id = ?1 ORDER BY id",
    [SR_MOTION_CLOSE] = "UPDATE motions SET state = 'closed', closed_by = nullif(?2, 0), closed_at_ms = ?3, result = ?4,"
                        " chain_head = ?5, chain_head_signature = ?6, recommendation_id = nullif(?7, 0)"
                        " WHERE id = ?1 AND state = 'open'",
    [SR_BALLOT_LAST] = "SELECT seq, chain FROM motion_ballots WHERE motion_id = ?1 ORDER BY seq DESC LIMIT 1",
    [SR_BALLOT_OF_CITY] = "SELECT ballot_hash FROM motion_ballots WHERE motion_id = ?1 AND city_id = ?2",
    [SR_BALLOT_ADD] = "INSERT INTO motion_ballots (motion_id, city_id, seq, text, signature, key_id, choice, ballot_hash,"
                      " chain, recorded_at_ms, receipt, receipt_signature)"
                      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    [SR_BALLOTS] = "SELECT b.seq, b.city_id, c.code, b.choice, b.ballot_hash FROM motion_ballots b"
                   " JOIN cities c ON c.id = b.city_id WHERE b.motion_id = ?1 ORDER BY b.seq",
    [SR_BALLOT_RECEIPT] = "SELECT seq, receipt, receipt_signature FROM motion_ballots WHERE ballot_hash = ?1",
    [SR_MINUTES_ADD] = "INSERT INTO minutes (session_id, markdown, html, header, signature, created_at_ms)"
                       " VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    [SR_MINUTES_GET] = "SELECT markdown, html, header, signature, created_at_ms FROM minutes WHERE session_id = ?1",
};

const size_t store_room_sql_count = SR_COUNT;

static sqlite3_stmt *S(struct store *st, int id)
{
    return st->part[STORE_PART_ROOM][id];
}

/* ---- the event log ---- */

int store_room_event_add(struct store *st, int64_t session_id, uint64_t seq, const char *kind, const char *data,
                         int64_t at_ms)
{
    sqlite3_stmt *s = S(st, SR_EVENT_ADD);

    sqlite3_bind_int64(s, 1, session_id);
    sqlite3_bind_int64(s, 2, (int64_t)seq);
    sqlite3_bind_text(s, 3, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, data, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 5, at_ms);
    return store_step_write(st, s, "adding a room event");
}

int store_room_events_each(struct store *st, int64_t session_id, int (*fn)(void *ctx, const struct store_room_event *e),
                           void *ctx)
{
    sqlite3_stmt *s = S(st, SR_EVENTS);
    struct store_room_event e;
    int rc, stop = 0;

    sqlite3_bind_int64(s, 1, session_id);
    while (!stop && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        e.seq = (uint64_t)sqlite3_column_int64(s, 0);
        e.kind = (const char *)sqlite3_column_text(s, 1);
        e.data = (const char *)sqlite3_column_text(s, 2);
        e.at_ms = sqlite3_column_int64(s, 3);
        if (!e.kind || !e.data) {
            log_error("store: a room event row is damaged");
            stop = -1;
            break;
        }
        stop = fn(ctx, &e);
    }
    if (!stop && rc != SQLITE_DONE)
        stop = store_read_failed(st, "room events");
    store_stmt_done(s);
    return stop;
}

/* ---- attendance ---- */

int store_room_attendance_open(struct store *st, int64_t session_id, int64_t person_id, int64_t city_id, int64_t at_ms)
{
    sqlite3_stmt *s = S(st, SR_ATT_OPEN);

    sqlite3_bind_int64(s, 1, session_id);
    sqlite3_bind_int64(s, 2, person_id);
    store_bind_id_or_null(s, 3, city_id);
    sqlite3_bind_int64(s, 4, at_ms);
    return store_step_write(st, s, "opening an attendance interval");
}

int store_room_attendance_close(struct store *st, int64_t session_id, int64_t person_id, int64_t at_ms, const char *how)
{
    sqlite3_stmt *s = S(st, SR_ATT_CLOSE);

    sqlite3_bind_int64(s, 1, session_id);
    sqlite3_bind_int64(s, 2, person_id);
    sqlite3_bind_int64(s, 3, at_ms);
    sqlite3_bind_text(s, 4, how, -1, SQLITE_STATIC);
    return store_write_changed(st, s);
}

static int read_attendance(sqlite3_stmt *s, void *elem)
{
    struct store_attendance_row *a = elem;

    memset(a, 0, sizeof(*a));
    a->person_id = sqlite3_column_int64(s, 0);
    store_col_text_cut(s, 1, a->name, sizeof(a->name));
    a->city_id = sqlite3_column_int64(s, 2);
    store_col_text_cut(s, 3, a->city, sizeof(a->city));
    a->joined_ms = sqlite3_column_int64(s, 4);
    a->left_ms = sqlite3_column_int64(s, 5);
    store_col_text_cut(s, 6, a->how, sizeof(a->how));
    return 0;
}

int store_room_attendance_list(struct store *st, int64_t session_id, struct store_attendance_row **out, size_t *n)
{
    sqlite3_stmt *s = S(st, SR_ATT_LIST);

    sqlite3_bind_int64(s, 1, session_id);
    return store_collect(st, s, sizeof(**out), STORE_ROOM_MAX_ROWS, read_attendance, "attendance", (void **)out, n);
}

/* ---- motions ---- */

void store_motion_free(struct store_motion *m)
{
    free(m->text);
    free(m->poll);
    free(m->eligible_keys);
    free(m->result);
    free(m->chain_head);
    memset(m, 0, sizeof(*m));
}

int store_motion_add(struct store *st, int64_t session_id, int64_t group_id, const char *text, int64_t opened_by,
                     int64_t opened_ms, int64_t *id)
{
    sqlite3_stmt *s = S(st, SR_MOTION_ADD);
    int rc;

    sqlite3_bind_int64(s, 1, session_id);
    sqlite3_bind_int64(s, 2, group_id);
    sqlite3_bind_text(s, 3, text, -1, SQLITE_STATIC);
    store_bind_id_or_null(s, 4, opened_by);
    sqlite3_bind_int64(s, 5, opened_ms);
    rc = store_step_write(st, s, "adding a motion");
    if (rc == 0)
        *id = sqlite3_last_insert_rowid(st->db);
    return rc;
}

int store_motion_set_poll(struct store *st, int64_t id, const char *poll, const uint8_t sig[64],
                          const uint8_t fingerprint[32], const char *eligible_keys)
{
    sqlite3_stmt *s = S(st, SR_MOTION_POLL);

    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_text(s, 2, poll, -1, SQLITE_STATIC);
    sqlite3_bind_blob(s, 3, sig, 64, SQLITE_STATIC);
    sqlite3_bind_blob(s, 4, fingerprint, 32, SQLITE_STATIC);
    sqlite3_bind_text(s, 5, eligible_keys, -1, SQLITE_STATIC);
    return store_write_changed(st, s) == 0 ? 0 : -1;
}

int store_motion_get(struct store *st, int64_t id, struct store_motion *out)
{
    sqlite3_stmt *s = S(st, SR_MOTION_GET);
    int rc;

    memset(out, 0, sizeof(*out));
    sqlite3_bind_int64(s, 1, id);
    if ((rc = store_row(st, s)) != 0)
        return rc;
    out->id = sqlite3_column_int64(s, 0);
    out->session_id = sqlite3_column_int64(s, 1);
    out->group_id = sqlite3_column_int64(s, 2);
    out->text = store_col_strdup(s, 3);
    store_col_text_cut(s, 4, out->state, sizeof(out->state));
    out->poll = store_col_strdup(s, 5);
    store_col_blob(s, 6, out->poll_signature, 64);
    store_col_blob(s, 7, out->fingerprint, 32);
    out->eligible_keys = store_col_strdup(s, 8);
    out->opened_by = sqlite3_column_int64(s, 9);
    out->opened_ms = sqlite3_column_int64(s, 10);
    out->closed_by = sqlite3_column_int64(s, 11);
    out->closed_ms = sqlite3_column_int64(s, 12);
    out->result = store_col_strdup(s, 13);
    out->chain_head = store_col_strdup(s, 14);
    store_col_blob(s, 15, out->chain_head_signature, 64);
    out->recommendation_id = sqlite3_column_int64(s, 16);
    store_stmt_done(s);
    if (!out->text || !out->poll || !out->eligible_keys) {
        log_error("store: motion %lld could not be read (memory, or a damaged row)", (long long)id);
        store_motion_free(out);
        return -1;
    }
    return 0;
}

int store_motion_open_of_session(struct store *st, int64_t session_id, int64_t *id)
{
    sqlite3_stmt *s = S(st, SR_MOTION_OPEN);
    int rc;

    sqlite3_bind_int64(s, 1, session_id);
    if ((rc = store_row(st, s)) != 0)
        return rc;
    *id = sqlite3_column_int64(s, 0);
    store_stmt_done(s);
    return 0;
}

static int read_id(sqlite3_stmt *s, void *elem)
{
    *(int64_t *)elem = sqlite3_column_int64(s, 0);
    return 0;
}

int store_motion_ids(struct store *st, int64_t session_id, int64_t **ids, size_t *n)
{
    sqlite3_stmt *s = S(st, SR_MOTION_IDS);

    sqlite3_bind_int64(s, 1, session_id);
    return store_collect(st, s, sizeof(**ids), STORE_ROOM_MAX_ROWS, read_id, "motions", (void **)ids, n);
}

int store_motion_close(struct store *st, int64_t id, int64_t closed_by, int64_t closed_ms, const char *result,
                       const char *chain_head, const uint8_t head_sig[64], int64_t recommendation_id)
{
    sqlite3_stmt *s = S(st, SR_MOTION_CLOSE);

    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_int64(s, 2, closed_by);
    sqlite3_bind_int64(s, 3, closed_ms);
    sqlite3_bind_text(s, 4, result, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 5, chain_head, -1, SQLITE_STATIC);
    sqlite3_bind_blob(s, 6, head_sig, 64, SQLITE_STATIC);
    sqlite3_bind_int64(s, 7, recommendation_id);
    return store_write_changed(st, s);
}

/* ---- motion ballots ---- */

int store_motion_ballot_last(struct store *st, int64_t motion_id, int64_t *seq, uint8_t chain[32])
{
    return store_chain_tail(st, S(st, SR_BALLOT_LAST), motion_id, seq, chain);
}

int store_motion_ballot_of_city(struct store *st, int64_t motion_id, int64_t city_id, uint8_t hash[32])
{
    sqlite3_stmt *s = S(st, SR_BALLOT_OF_CITY);
    int rc;

    sqlite3_bind_int64(s, 1, motion_id);
    sqlite3_bind_int64(s, 2, city_id);
    if ((rc = store_row(st, s)) != 0)
        return rc;
    store_col_blob(s, 0, hash, 32);
    store_stmt_done(s);
    return 0;
}

int store_motion_ballot_add(struct store *st, int64_t motion_id, int64_t city_id, int64_t seq, const char *text,
                            size_t text_len, const uint8_t sig[64], int64_t key_id, const char *choice,
                            const uint8_t hash[32], const uint8_t chain[32], int64_t recorded_ms, const char *receipt,
                            const uint8_t receipt_sig[64])
{
    sqlite3_stmt *s = S(st, SR_BALLOT_ADD);

    sqlite3_bind_int64(s, 1, motion_id);
    sqlite3_bind_int64(s, 2, city_id);
    sqlite3_bind_int64(s, 3, seq);
    sqlite3_bind_text(s, 4, text, (int)text_len, SQLITE_STATIC);
    sqlite3_bind_blob(s, 5, sig, 64, SQLITE_STATIC);
    sqlite3_bind_int64(s, 6, key_id);
    sqlite3_bind_text(s, 7, choice, -1, SQLITE_STATIC);
    sqlite3_bind_blob(s, 8, hash, 32, SQLITE_STATIC);
    sqlite3_bind_blob(s, 9, chain, 32, SQLITE_STATIC);
    sqlite3_bind_int64(s, 10, recorded_ms);
    sqlite3_bind_text(s, 11, receipt, -1, SQLITE_STATIC);
    sqlite3_bind_blob(s, 12, receipt_sig, 64, SQLITE_STATIC);
    return store_step_write(st, s, "recording a motion ballot");
}

static int read_ballot(sqlite3_stmt *s, void *elem)
{
    struct store_motion_ballot *b = elem;

    memset(b, 0, sizeof(*b));
    b->seq = sqlite3_column_int64(s, 0);
    b->city_id = sqlite3_column_int64(s, 1);
    store_col_text_cut(s, 2, b->city, sizeof(b->city));
    store_col_text_cut(s, 3, b->choice, sizeof(b->choice));
    store_col_blob(s, 4, b->hash, 32);
    return 0;
}

int store_motion_ballots(struct store *st, int64_t motion_id, struct store_motion_ballot **out, size_t *n)
{
    sqlite3_stmt *s = S(st, SR_BALLOTS);

    sqlite3_bind_int64(s, 1, motion_id);
    return store_collect(st, s, sizeof(**out), STORE_ROOM_MAX_ROWS, read_ballot, "motion ballots", (void **)out, n);
}

int store_motion_ballot_receipt(struct store *st, const uint8_t hash[32], int64_t *seq, char *receipt, size_t receipt_len,
                                uint8_t sig[64])
{
    sqlite3_stmt *s = S(st, SR_BALLOT_RECEIPT);
    int rc;

    sqlite3_bind_blob(s, 1, hash, 32, SQLITE_STATIC);
    if ((rc = store_row(st, s)) != 0)
        return rc;
    *seq = sqlite3_column_int64(s, 0);
    store_col_text_cut(s, 1, receipt, receipt_len);
    store_col_blob(s, 2, sig, 64);
    store_stmt_done(s);
    return 0;
}

/* ---- minutes ---- */

void store_minutes_free(struct store_minutes *m)
{
    free(m->markdown);
    free(m->html);
    free(m->header);
    memset(m, 0, sizeof(*m));
}

int store_minutes_add(struct store *st, int64_t session_id, const char *markdown, const char *html, const char *header,
                      const uint8_t sig[64], int64_t created_ms)
{
    sqlite3_stmt *s = S(st, SR_MINUTES_ADD);

    sqlite3_bind_int64(s, 1, session_id);
    sqlite3_bind_text(s, 2, markdown, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, html, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, header, -1, SQLITE_STATIC);
    sqlite3_bind_blob(s, 5, sig, 64, SQLITE_STATIC);
    sqlite3_bind_int64(s, 6, created_ms);
    return store_step_write(st, s, "storing the minutes");
}

int store_minutes_get(struct store *st, int64_t session_id, struct store_minutes *out)
{
    sqlite3_stmt *s = S(st, SR_MINUTES_GET);
    int rc;

    memset(out, 0, sizeof(*out));
    sqlite3_bind_int64(s, 1, session_id);
    if ((rc = store_row(st, s)) != 0)
        return rc;
    out->markdown = store_col_strdup(s, 0);
    out->html = store_col_strdup(s, 1);
    out->header = store_col_strdup(s, 2);
    store_col_blob(s, 3, out->signature, 64);
    out->created_ms = sqlite3_column_int64(s, 4);
    store_stmt_done(s);
    if (!out->markdown || !out->html || !out->header) {
        log_error("store: the minutes of session %lld could not be read", (long long)session_id);
        store_minutes_free(out);
        return -1;
    }
    return 0;
}
