/*
 * store_election: see include/b40/store_election.h. Every statement is in
 * election_sql, prepared once when the store opens.
 */
#include "b40/store_election.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "b40/log.h"
#include "b40/timeutil.h"
#include "store_internal.h"

enum {
    SE_SUMMIT_BRIEF,
    SE_PRESENT,
    SE_MEMBERS,
    SE_CITY_BY_ID,
    SE_PRESIDENT_ON,
    SE_PRESIDENCY_PENDING,
    SE_VOTING_KEYS,
    SE_ELECTION_ADD,
    SE_ELECTION_GET,
    SE_ELECTION_SET,
    SE_CANDIDACY_ADD,
    SE_CANDIDACIES,
    SE_CANDIDACY_DROP,
    SE_CANDIDACY_GET,
    SE_CANDIDACY_ALL,
    SE_CANDIDACY_ENDS,
    SE_ROUND_ADD,
    SE_ROUND_OPEN,
    SE_ROUND_CLOSE,
    SE_ROUND_GET,
    SE_BALLOT_LAST,
    SE_BALLOT_OF_CITY,
    SE_BALLOT_ADD,
    SE_BALLOTS,
    SE_BALLOT_RECEIPT,
    SE_BALLOT_COUNT,
    SE_RECEIPT_BATCH_NEXT,
    SE_RECEIPT_BATCH_ADD,
    SE_RECEIPT_BATCH_GET,
    SE_RECEIPT_BATCH_RECEIPTS,
    SE_ELECTIONS,
    SE_COUNT
};

const char *const store_election_sql[SE_COUNT] = {
    [SE_SUMMIT_BRIEF] = "SELECT starts_on, year FROM summits WHERE id = ?1",
    [SE_PRESENT] = "SELECT c.id, c.code, c.status FROM attendance a JOIN cities c ON c.id = a.city_id"
                   " WHERE a.summit_id = ?1 ORDER BY c.code",
    [SE_MEMBERS] = "SELECT id, code, status FROM cities WHERE status IN ('member', 'suspended') ORDER BY code",
    [SE_CITY_BY_ID] = "SELECT id, code, status FROM cities WHERE id = ?1",
    [SE_PRESIDENT_ON] = "SELECT p.city_id FROM presidencies p JOIN summits s ON s.id = p.from_summit_id"
                        " WHERE s.starts_on <= ?1 ORDER BY s.starts_on DESC LIMIT 1",
    [SE_PRESIDENCY_PENDING] = "INSERT INTO presidencies (city_id, from_summit_id, elected_in, elected_at_summit_id,"
                              " recorded_at_ms) VALUES (?1, NULL, ?2, ?3, ?4)",
    [SE_VOTING_KEYS] = "SELECT c.code, k.public_key FROM person_keys k JOIN people p ON p.id = k.person_id"
                       " JOIN cities c ON c.id = p.city_id WHERE k.revoked_at_ms IS NULL AND p.active = 1"
                       " AND (instr(',' || p.roles || ',', ',mayor,') > 0 OR instr(',' || p.roles || ',', ',deputy,') > 0)",
    [SE_ELECTION_ADD] = "INSERT INTO elections (summit_id, title, state, round, quorum_num, quorum_den, created_at_ms)"
                        " VALUES (?1, ?2, 'draft', 0, ?3, ?4, ?5)",
    [SE_ELECTION_GET] = "SELECT e.id, e.summit_id, e.title, e.state, e.round, e.quorum_num, e.quorum_den,"
                        " coalesce(e.winner_city, 0), coalesce(c.code, '') FROM elections e"
                        " LEFT JOIN cities c ON c.id = e.winner_city WHERE e.id = ?1",
    [SE_ELECTION_SET] = "UPDATE elections SET state = ?2, round = ?3, winner_city = nullif(?4, 0) WHERE id = ?1",
    /* a new candidacy, or a withdrawn one declared again; a standing one is left as it is (no change) */
    [SE_CANDIDACY_ADD] = "INSERT INTO candidacies (election_id, city_id, declared_by, declared_at_ms)"
                         " VALUES (?1, ?2, ?3, ?4) ON CONFLICT (election_id, city_id) DO UPDATE SET"
                         " declared_by = excluded.declared_by, declared_at_ms = excluded.declared_at_ms,"
                         " withdrawn_at_ms = NULL WHERE candidacies.withdrawn_at_ms IS NOT NULL",
    [SE_CANDIDACIES] = "SELECT c.id, c.code, c.status FROM candidacies d JOIN cities c ON c.id = d.city_id"
                       " WHERE d.election_id = ?1 AND d.withdrawn_at_ms IS NULL ORDER BY c.code",
    [SE_CANDIDACY_DROP] = "UPDATE candidacies SET withdrawn_at_ms = ?3 WHERE election_id = ?1 AND city_id = ?2"
                          " AND withdrawn_at_ms IS NULL",
    [SE_CANDIDACY_GET] = "SELECT c.code, d.declared_at_ms, coalesce(d.withdrawn_at_ms, 0) FROM candidacies d"
                         " JOIN cities c ON c.id = d.city_id WHERE d.election_id = ?1 AND d.city_id = ?2",
    [SE_CANDIDACY_ALL] = "SELECT c.code, d.declared_at_ms, coalesce(d.withdrawn_at_ms, 0) FROM candidacies d"
                         " JOIN cities c ON c.id = d.city_id WHERE d.election_id = ?1 ORDER BY c.code",
    /* how candidacies ended: the history's word on it (the candidacies table keeps only when) */
    [SE_CANDIDACY_ENDS] = "SELECT coalesce(json_extract(details, '$.city'), ''), action,"
                          " coalesce(json_extract(details, '$.by'), '') FROM history WHERE subject = ?1"
                          " AND action IN ('election.withdraw', 'election.candidate_dropped') ORDER BY id",
    [SE_ROUND_ADD] = "INSERT INTO rounds (election_id, round, kind, candidates) VALUES (?1, ?2, ?3, ?4)",
    [SE_ROUND_OPEN] = "UPDATE rounds SET poll = ?3, poll_signature = ?4, fingerprint = ?5, opened_at_ms = ?6,"
                      " quorum_open = ?7 WHERE election_id = ?1 AND round = ?2 AND opened_at_ms IS NULL",
    [SE_ROUND_CLOSE] = "UPDATE rounds SET closed_at_ms = ?3, result = ?4, chain_head = ?5, chain_head_signature = ?6"
                       " WHERE election_id = ?1 AND round = ?2 AND closed_at_ms IS NULL",
    [SE_ROUND_GET] = "SELECT round, kind, candidates, poll, poll_signature, fingerprint, coalesce(opened_at_ms, 0),"
                     " coalesce(closed_at_ms, 0), quorum_open, result, chain_head, chain_head_signature"
                     " FROM rounds WHERE election_id = ?1 AND round = ?2",
    [SE_BALLOT_LAST] = "SELECT seq, chain FROM ballots WHERE election_id = ?1 ORDER BY seq DESC LIMIT 1",
    [SE_BALLOT_OF_CITY] = "SELECT ballot_hash FROM ballots WHERE election_id = ?1 AND round = ?2 AND city_id = ?3",
    [SE_BALLOT_ADD] = "INSERT OR IGNORE INTO ballots (election_id, round, city_id, seq, text, signature, key_id, choice,"
                      " ballot_hash, chain, recorded_at_ms, receipt, receipt_signature, receipt_batch, receipt_index)"
                      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, NULL, ?13, ?14)",
    [SE_RECEIPT_BATCH_NEXT] = "SELECT coalesce(max(id), 0) + 1 FROM receipt_batches",
    [SE_RECEIPT_BATCH_ADD] = "INSERT INTO receipt_batches (id, statement, signature, leaves, root, signed_at_ms)"
                             " VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    [SE_RECEIPT_BATCH_GET] = "SELECT statement, signature, leaves FROM receipt_batches WHERE id = ?1",
    [SE_RECEIPT_BATCH_RECEIPTS] = "SELECT receipt_index, receipt FROM ballots WHERE receipt_batch = ?1 ORDER BY receipt_index",
    [SE_BALLOT_COUNT] = "SELECT count(*) FROM ballots WHERE election_id = ?1 AND round = ?2",
    [SE_BALLOT_RECEIPT] = "SELECT seq, receipt, receipt_signature, coalesce(receipt_batch, 0), coalesce(receipt_index, 0)"
                          " FROM ballots WHERE election_id = ?1 AND round = ?2 AND city_id = ?3",
    [SE_ELECTIONS] = "SELECT id FROM elections WHERE ?1 = 0 OR summit_id = ?1 ORDER BY id DESC LIMIT 200",
    /* "+b.seq": sorted after the search by (election, round), not read in seq order through every round of the
     * election (the plan SQLite picks for a plain ORDER BY b.seq: it scanned 16,000 rows for a 2,000-city round) */
    [SE_BALLOTS] = "SELECT b.seq, b.city_id, c.code, b.choice, b.ballot_hash FROM ballots b JOIN cities c"
                   " ON c.id = b.city_id WHERE b.election_id = ?1 AND b.round = ?2 ORDER BY +b.seq",
};

const size_t store_election_sql_count = SE_COUNT;

static sqlite3_stmt *S(struct store *st, int id)
{
    return st->part[STORE_PART_ELECTION][id];
}

static int each_city(struct store *st, sqlite3_stmt *s, store_city_fn fn, void *ctx)
{
    struct store_city_ref c;
    int rc, stop = 0;

    while (!stop && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        c.id = sqlite3_column_int64(s, 0);
        store_col_text_cut(s, 1, c.code, sizeof(c.code));
        store_col_text_cut(s, 2, c.status, sizeof(c.status));
        stop = fn(ctx, &c);
    }
    if (!stop && rc != SQLITE_DONE) {
        log_error("store: %s", sqlite3_errmsg(st->db));
        stop = -1;
    }
    store_stmt_done(s);
    return stop;
}

int store_summit_brief(struct store *st, int64_t summit_id, char starts_on[11], int32_t *year)
{
    sqlite3_stmt *s = S(st, SE_SUMMIT_BRIEF);
    int rc;

    sqlite3_bind_int64(s, 1, summit_id);
    if ((rc = store_row(st, s)) != 0)
        return rc;
    store_col_text_cut(s, 0, starts_on, 11);
    *year = sqlite3_column_int(s, 1);
    store_stmt_done(s);
    return 0;
}

int store_summit_present_each(struct store *st, int64_t summit_id, store_city_fn fn, void *ctx)
{
    sqlite3_bind_int64(S(st, SE_PRESENT), 1, summit_id);
    return each_city(st, S(st, SE_PRESENT), fn, ctx);
}

int store_member_cities_each(struct store *st, store_city_fn fn, void *ctx)
{
    return each_city(st, S(st, SE_MEMBERS), fn, ctx);
}

int store_city_by_id(struct store *st, int64_t id, struct store_city_ref *out)
{
    sqlite3_stmt *s = S(st, SE_CITY_BY_ID);
    int rc;

    sqlite3_bind_int64(s, 1, id);
    if ((rc = store_row(st, s)) != 0)
        return rc;
    out->id = sqlite3_column_int64(s, 0);
    store_col_text_cut(s, 1, out->code, sizeof(out->code));
    store_col_text_cut(s, 2, out->status, sizeof(out->status));
    store_stmt_done(s);
    return 0;
}

int store_president_on(struct store *st, const char *date, int64_t *city_id)
{
    sqlite3_stmt *s = S(st, SE_PRESIDENT_ON);
    int rc;

    sqlite3_bind_text(s, 1, date, -1, SQLITE_STATIC);
    if ((rc = store_row(st, s)) != 0)
        return rc;
    *city_id = sqlite3_column_int64(s, 0);
    store_stmt_done(s);
    return 0;
}

int store_presidency_pending_add(struct store *st, int64_t city_id, int64_t election_id, int64_t summit_id)
{
    sqlite3_stmt *s = S(st, SE_PRESIDENCY_PENDING);

    sqlite3_bind_int64(s, 1, city_id);
    sqlite3_bind_int64(s, 2, election_id);
    sqlite3_bind_int64(s, 3, summit_id);
    sqlite3_bind_int64(s, 4, timeutil_now_ms());
    return store_write_changed(st, s) == 0 ? 0 : -1;
}

int store_voting_keys_each(struct store *st, int (*fn)(void *ctx, const char *code, const uint8_t pk[32]), void *ctx)
{
    sqlite3_stmt *s = S(st, SE_VOTING_KEYS);
    char code[33];
    uint8_t pk[32];
    int rc, stop = 0;

    while (!stop && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        store_col_text_cut(s, 0, code, sizeof(code));
        store_col_blob(s, 1, pk, 32);
        stop = fn(ctx, code, pk);
    }
    if (!stop && rc != SQLITE_DONE)
        stop = -1;
    store_stmt_done(s);
    return stop;
}

int store_election_add(struct store *st, int64_t summit_id, const char *title, uint32_t qnum, uint32_t qden,
                       int64_t *id)
{
    sqlite3_stmt *s = S(st, SE_ELECTION_ADD);

    sqlite3_bind_int64(s, 1, summit_id);
    sqlite3_bind_text(s, 2, title, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 3, qnum);
    sqlite3_bind_int64(s, 4, qden);
    sqlite3_bind_int64(s, 5, timeutil_now_ms());
    if (store_write_changed(st, s) != 0)
        return -1;
    *id = sqlite3_last_insert_rowid(st->db);
    return 0;
}

int store_election_get(struct store *st, int64_t id, struct store_election *out)
{
    sqlite3_stmt *s = S(st, SE_ELECTION_GET);
    int rc;

    sqlite3_bind_int64(s, 1, id);
    if ((rc = store_row(st, s)) != 0)
        return rc;
    out->id = sqlite3_column_int64(s, 0);
    out->summit_id = sqlite3_column_int64(s, 1);
    store_col_text_cut(s, 2, out->title, sizeof(out->title));
    store_col_text_cut(s, 3, out->state, sizeof(out->state));
    out->round = sqlite3_column_int(s, 4);
    out->quorum_num = (uint32_t)sqlite3_column_int(s, 5);
    out->quorum_den = (uint32_t)sqlite3_column_int(s, 6);
    out->winner_city = sqlite3_column_int64(s, 7);
    store_col_text_cut(s, 8, out->winner_code, sizeof(out->winner_code));
    store_stmt_done(s);
    return 0;
}

int store_election_set(struct store *st, int64_t id, const char *state, int32_t round, int64_t winner_city)
{
    sqlite3_stmt *s = S(st, SE_ELECTION_SET);

    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_text(s, 2, state, -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 3, round);
    sqlite3_bind_int64(s, 4, winner_city);
    return store_write_changed(st, s) == 0 ? 0 : -1;
}

int store_candidacy_add(struct store *st, int64_t election_id, int64_t city_id, int64_t person_id)
{
    sqlite3_stmt *s = S(st, SE_CANDIDACY_ADD);

    sqlite3_bind_int64(s, 1, election_id);
    sqlite3_bind_int64(s, 2, city_id);
    sqlite3_bind_int64(s, 3, person_id);
    sqlite3_bind_int64(s, 4, timeutil_now_ms());
    return store_write_changed(st, s);
}

int store_candidacies_each(struct store *st, int64_t election_id, store_city_fn fn, void *ctx)
{
    sqlite3_bind_int64(S(st, SE_CANDIDACIES), 1, election_id);
    return each_city(st, S(st, SE_CANDIDACIES), fn, ctx);
}

int store_candidacy_drop(struct store *st, int64_t election_id, int64_t city_id)
{
    sqlite3_stmt *s = S(st, SE_CANDIDACY_DROP);

    sqlite3_bind_int64(s, 1, election_id);
    sqlite3_bind_int64(s, 2, city_id);
    sqlite3_bind_int64(s, 3, timeutil_now_ms());
    return store_write_changed(st, s) < 0 ? -1 : 0;
}

int store_candidacy_withdraw(struct store *st, int64_t election_id, int64_t city_id)
{
    sqlite3_stmt *s = S(st, SE_CANDIDACY_DROP);

    sqlite3_bind_int64(s, 1, election_id);
    sqlite3_bind_int64(s, 2, city_id);
    sqlite3_bind_int64(s, 3, timeutil_now_ms());
    return store_write_changed(st, s);
}

static void read_candidacy(sqlite3_stmt *s, struct store_candidacy *out)
{
    store_col_text_cut(s, 0, out->code, sizeof(out->code));
    out->declared_ms = sqlite3_column_int64(s, 1);
    out->withdrawn_ms = sqlite3_column_int64(s, 2);
}

int store_candidacy_get(struct store *st, int64_t election_id, int64_t city_id, struct store_candidacy *out)
{
    sqlite3_stmt *s = S(st, SE_CANDIDACY_GET);
    int rc;

    sqlite3_bind_int64(s, 1, election_id);
    sqlite3_bind_int64(s, 2, city_id);
    if ((rc = store_row(st, s)) != 0)
        return rc;
    read_candidacy(s, out);
    store_stmt_done(s);
    return 0;
}

int store_candidacies_all_each(struct store *st, int64_t election_id,
                               int (*fn)(void *ctx, const struct store_candidacy *c), void *ctx)
{
    sqlite3_stmt *s = S(st, SE_CANDIDACY_ALL);
    struct store_candidacy c;
    int rc, stop = 0;

    sqlite3_bind_int64(s, 1, election_id);
    while (!stop && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        read_candidacy(s, &c);
        stop = fn(ctx, &c);
    }
    if (!stop && rc != SQLITE_DONE) {
        log_error("store: %s", sqlite3_errmsg(st->db));
        stop = -1;
    }
    store_stmt_done(s);
    return stop;
}

int store_candidacy_ends_each(struct store *st, int64_t election_id,
                              int (*fn)(void *ctx, const char *city, const char *action, const char *by), void *ctx)
{
    sqlite3_stmt *s = S(st, SE_CANDIDACY_ENDS);
    char subject[48], city[33], action[40], by[16];
    int rc, stop = 0;

    snprintf(subject, sizeof(subject), "election:%lld", (long long)election_id);
    sqlite3_bind_text(s, 1, subject, -1, SQLITE_TRANSIENT);
    while (!stop && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        store_col_text_cut(s, 0, city, sizeof(city));
        store_col_text_cut(s, 1, action, sizeof(action));
        store_col_text_cut(s, 2, by, sizeof(by));
        stop = fn(ctx, city, action, by);
    }
    if (!stop && rc != SQLITE_DONE) {
        log_error("store: %s", sqlite3_errmsg(st->db));
        stop = -1;
    }
    store_stmt_done(s);
    return stop;
}

int store_round_add(struct store *st, int64_t election_id, int32_t round, const char *kind, const char *candidates)
{
    sqlite3_stmt *s = S(st, SE_ROUND_ADD);

    sqlite3_bind_int64(s, 1, election_id);
    sqlite3_bind_int(s, 2, round);
    sqlite3_bind_text(s, 3, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, candidates, -1, SQLITE_STATIC);
    return store_write_changed(st, s) == 0 ? 0 : -1;
}

int store_round_open(struct store *st, int64_t election_id, int32_t round, const char *poll, const uint8_t sig[64],
                     const uint8_t fingerprint[32], int64_t opened_ms, const char *quorum_open)
{
    sqlite3_stmt *s = S(st, SE_ROUND_OPEN);

    sqlite3_bind_int64(s, 1, election_id);
    sqlite3_bind_int(s, 2, round);
    sqlite3_bind_text(s, 3, poll, -1, SQLITE_STATIC);
    sqlite3_bind_blob(s, 4, sig, 64, SQLITE_STATIC);
    sqlite3_bind_blob(s, 5, fingerprint, 32, SQLITE_STATIC);
    sqlite3_bind_int64(s, 6, opened_ms);
    sqlite3_bind_text(s, 7, quorum_open, -1, SQLITE_STATIC);
    return store_write_changed(st, s) == 0 ? 0 : -1;
}

int store_round_close(struct store *st, int64_t election_id, int32_t round, int64_t closed_ms, const char *result,
                      const char *chain_head, const uint8_t sig[64])
{
    sqlite3_stmt *s = S(st, SE_ROUND_CLOSE);

    sqlite3_bind_int64(s, 1, election_id);
    sqlite3_bind_int(s, 2, round);
    sqlite3_bind_int64(s, 3, closed_ms);
    sqlite3_bind_text(s, 4, result, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 5, chain_head, -1, SQLITE_STATIC);
    sqlite3_bind_blob(s, 6, sig, 64, SQLITE_STATIC);
    return store_write_changed(st, s) == 0 ? 0 : -1;
}

int store_round_get(struct store *st, int64_t election_id, int32_t round, struct store_round *out)
{
    sqlite3_stmt *s = S(st, SE_ROUND_GET);
    int rc;

    memset(out, 0, sizeof(*out));
    sqlite3_bind_int64(s, 1, election_id);
    sqlite3_bind_int(s, 2, round);
    if ((rc = store_row(st, s)) != 0)
        return rc;
    out->round = sqlite3_column_int(s, 0);
    store_col_text_cut(s, 1, out->kind, sizeof(out->kind));
    out->candidates = store_col_strdup(s, 2);
    out->poll = store_col_strdup(s, 3);
    store_col_blob(s, 4, out->poll_signature, 64);
    store_col_blob(s, 5, out->fingerprint, 32);
    out->opened_ms = sqlite3_column_int64(s, 6);
    out->closed_ms = sqlite3_column_int64(s, 7);
    out->quorum_open = store_col_strdup(s, 8);
    out->result = store_col_strdup(s, 9);
    out->chain_head = store_col_strdup(s, 10);
    store_col_blob(s, 11, out->chain_head_signature, 64);
    store_stmt_done(s);
    if (!out->candidates) {
        store_round_free(out);
        return -1;
    }
    return 0;
}

void store_round_free(struct store_round *r)
{
    free(r->candidates);
    free(r->poll);
    free(r->quorum_open);
    free(r->result);
    free(r->chain_head);
    memset(r, 0, sizeof(*r));
}

int store_ballot_last(struct store *st, int64_t election_id, int64_t *seq, uint8_t chain[32])
{
    return store_chain_tail(st, S(st, SE_BALLOT_LAST), election_id, seq, chain);
}

int store_ballot_of_city(struct store *st, int64_t election_id, int32_t round, int64_t city_id, uint8_t hash[32])
{
    sqlite3_stmt *s = S(st, SE_BALLOT_OF_CITY);
    int rc;

    sqlite3_bind_int64(s, 1, election_id);
    sqlite3_bind_int(s, 2, round);
    sqlite3_bind_int64(s, 3, city_id);
    if ((rc = store_row(st, s)) != 0)
        return rc;
    store_col_blob(s, 0, hash, 32);
    store_stmt_done(s);
    return 0;
}

int store_ballot_add(struct store *st, int64_t election_id, int32_t round, int64_t city_id, int64_t seq, const char *text,
                     size_t text_len, const uint8_t sig[64], int64_t key_id, const char *choice, const uint8_t hash[32],
                     const uint8_t chain[32], int64_t recorded_ms, const char *receipt, int64_t batch, int32_t index)
{
    sqlite3_stmt *s = S(st, SE_BALLOT_ADD);

    sqlite3_bind_int64(s, 1, election_id);
    sqlite3_bind_int(s, 2, round);
    sqlite3_bind_int64(s, 3, city_id);
    sqlite3_bind_int64(s, 4, seq);
    sqlite3_bind_text(s, 5, text, (int)text_len, SQLITE_STATIC);
    sqlite3_bind_blob(s, 6, sig, 64, SQLITE_STATIC);
    sqlite3_bind_int64(s, 7, key_id);
    sqlite3_bind_text(s, 8, choice, -1, SQLITE_STATIC);
    sqlite3_bind_blob(s, 9, hash, 32, SQLITE_STATIC);
    sqlite3_bind_blob(s, 10, chain, 32, SQLITE_STATIC);
    sqlite3_bind_int64(s, 11, recorded_ms);
    sqlite3_bind_text(s, 12, receipt, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 13, batch);
    sqlite3_bind_int(s, 14, index);
    return store_write_changed(st, s); /* OR IGNORE: a clash with the table's uniqueness changes nothing */
}

int store_receipt_batch_next(struct store *st, int64_t *id)
{
    sqlite3_stmt *s = S(st, SE_RECEIPT_BATCH_NEXT);
    int rc;

    if ((rc = store_row(st, s)) != 0)
        return -1;
    *id = sqlite3_column_int64(s, 0);
    store_stmt_done(s);
    return 0;
}

int store_receipt_batch_add(struct store *st, int64_t id, const char *statement, const uint8_t sig[64], size_t leaves,
                            const uint8_t root[32], int64_t signed_ms)
{
    sqlite3_stmt *s = S(st, SE_RECEIPT_BATCH_ADD);

    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_text(s, 2, statement, -1, SQLITE_STATIC);
    sqlite3_bind_blob(s, 3, sig, 64, SQLITE_STATIC);
    sqlite3_bind_int64(s, 4, (int64_t)leaves);
    sqlite3_bind_blob(s, 5, root, 32, SQLITE_STATIC);
    sqlite3_bind_int64(s, 6, signed_ms);
    return store_step_write(st, s, "adding a receipt batch") ? -1 : 0;
}

int store_receipt_batch_get(struct store *st, int64_t id, char *statement, size_t statement_len, uint8_t sig[64],
                            size_t *leaves)
{
    sqlite3_stmt *s = S(st, SE_RECEIPT_BATCH_GET);
    int rc;

    sqlite3_bind_int64(s, 1, id);
    if ((rc = store_row(st, s)) != 0)
        return rc;
    store_col_text_cut(s, 0, statement, statement_len);
    store_col_blob(s, 1, sig, 64);
    *leaves = (size_t)sqlite3_column_int64(s, 2);
    store_stmt_done(s);
    return 0;
}

int store_receipt_batch_each(struct store *st, int64_t id, int (*fn)(void *ctx, int32_t index, const char *receipt),
                             void *ctx)
{
    sqlite3_stmt *s = S(st, SE_RECEIPT_BATCH_RECEIPTS);
    int rc, stop = 0;

    sqlite3_bind_int64(s, 1, id);
    while (!stop && (rc = sqlite3_step(s)) == SQLITE_ROW)
        stop = fn(ctx, sqlite3_column_int(s, 0), (const char *)sqlite3_column_text(s, 1));
    if (!stop && rc != SQLITE_DONE)
        stop = -1;
    store_stmt_done(s);
    return stop;
}

int store_ballots_each(struct store *st, int64_t election_id, int32_t round,
                       int (*fn)(void *ctx, const struct store_ballot_row *b), void *ctx)
{
    sqlite3_stmt *s = S(st, SE_BALLOTS);
    struct store_ballot_row b;
    int rc, stop = 0;

    sqlite3_bind_int64(s, 1, election_id);
    sqlite3_bind_int(s, 2, round);
    while (!stop && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        b.seq = sqlite3_column_int64(s, 0);
        b.city_id = sqlite3_column_int64(s, 1);
        store_col_text_cut(s, 2, b.city_code, sizeof(b.city_code));
        store_col_text_cut(s, 3, b.choice, sizeof(b.choice));
        store_col_blob(s, 4, b.hash, 32);
        stop = fn(ctx, &b);
    }
    if (!stop && rc != SQLITE_DONE)
        stop = -1;
    store_stmt_done(s);
    return stop;
}

int store_ballot_receipt(struct store *st, int64_t election_id, int32_t round, int64_t city_id, struct store_receipt *out)
{
    sqlite3_stmt *s = S(st, SE_BALLOT_RECEIPT);
    int rc;

    memset(out, 0, sizeof(*out));
    sqlite3_bind_int64(s, 1, election_id);
    sqlite3_bind_int(s, 2, round);
    sqlite3_bind_int64(s, 3, city_id);
    if ((rc = store_row(st, s)) != 0)
        return rc;
    out->seq = sqlite3_column_int64(s, 0);
    store_col_text_cut(s, 1, out->text, sizeof(out->text));
    out->batch = sqlite3_column_int64(s, 3);
    out->index = sqlite3_column_int(s, 4);
    if (!out->batch)
        store_col_blob(s, 2, out->signature, 64);
    store_stmt_done(s);
    return 0;
}

int store_elections_each(struct store *st, int64_t summit_id, int (*fn)(void *ctx, int64_t id), void *ctx)
{
    sqlite3_stmt *s = S(st, SE_ELECTIONS);
    int rc, stop = 0;

    sqlite3_bind_int64(s, 1, summit_id);
    while (!stop && (rc = sqlite3_step(s)) == SQLITE_ROW)
        stop = fn(ctx, sqlite3_column_int64(s, 0));
    if (!stop && rc != SQLITE_DONE)
        stop = -1;
    store_stmt_done(s);
    return stop;
}

int store_ballot_count(struct store *st, int64_t election_id, int32_t round, int64_t *n)
{
    sqlite3_stmt *s = S(st, SE_BALLOT_COUNT);
    int rc;

    sqlite3_bind_int64(s, 1, election_id);
    sqlite3_bind_int(s, 2, round);
    if ((rc = store_row(st, s)) != 0)
        return -1;
    *n = sqlite3_column_int64(s, 0);
    store_stmt_done(s);
    return 0;
}
