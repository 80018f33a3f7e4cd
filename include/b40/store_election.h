/*
 * store_election: elections, their rounds, candidacies and ballots, and the
 * few summit, attendance and presidency reads the election needs (schema
 * version 3). Primitive reads and writes: api_election.c groups writes in
 * one transaction. Statements prepared once; service thread only.
 */
#ifndef B40_STORE_ELECTION_H
#define B40_STORE_ELECTION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store;

struct store_election {
    int64_t id, summit_id;
    char title[201];
    char state[12]; /* draft, candidacy, open, closed, decided */
    int32_t round;  /* the current or last round; 0 before the first */
    uint32_t quorum_num, quorum_den;
    int64_t winner_city; /* 0: none yet */
    char winner_code[33];
};

/* A round as stored; text members are malloc'd (free with store_round_free). */
struct store_round {
    int32_t round;
    char kind[8];      /* first, runoff */
    char *candidates;  /* "athens,sofia" */
    char *poll;        /* NULL until opened */
    uint8_t poll_signature[64];
    uint8_t fingerprint[32];
    int64_t opened_ms, closed_ms; /* 0: not yet */
    char *quorum_open; /* JSON text, or NULL */
    char *result;      /* JSON text, or NULL */
    char *chain_head;  /* text, or NULL */
    uint8_t chain_head_signature[64];
};

/* A city as the roll call sees it. */
struct store_city_ref {
    int64_t id;
    char code[33];
    char status[16];
};

typedef int (*store_city_fn)(void *ctx, const struct store_city_ref *c);

/* Each returns 0 (found / done), 1 (not found, or a uniqueness conflict for adds), -1 on error. */
int store_summit_brief(struct store *st, int64_t summit_id, char starts_on[11], int32_t *year) __attribute__((warn_unused_result));
int store_summit_present_each(struct store *st, int64_t summit_id, store_city_fn fn, void *ctx) __attribute__((warn_unused_result));
int store_member_cities_each(struct store *st, store_city_fn fn, void *ctx) __attribute__((warn_unused_result)); /* member or suspended, by code */
int store_city_by_id(struct store *st, int64_t id, struct store_city_ref *out) __attribute__((warn_unused_result));
int store_president_on(struct store *st, const char *date, int64_t *city_id) __attribute__((warn_unused_result));
int store_presidency_pending_add(struct store *st, int64_t city_id, int64_t election_id, int64_t summit_id) __attribute__((warn_unused_result));

/* The voting keys: calls fn(ctx, city_code, public_key) for every active key of an active mayor or deputy. */
int store_voting_keys_each(struct store *st, int (*fn)(void *ctx, const char *code, const uint8_t pk[32]), void *ctx)
    __attribute__((warn_unused_result));

int store_election_add(struct store *st, int64_t summit_id, const char *title, uint32_t qnum, uint32_t qden,
                       int64_t *id) __attribute__((warn_unused_result));
int store_election_get(struct store *st, int64_t id, struct store_election *out) __attribute__((warn_unused_result));
int store_election_set(struct store *st, int64_t id, const char *state, int32_t round, int64_t winner_city)
    __attribute__((warn_unused_result));

/*
 * Records city_id's candidacy, declared by person_id now: 0 when it is new
 * or was withdrawn (it stands again, with this declaration's person and
 * time), 1 when it stands already (nothing changes), -1.
 */
int store_candidacy_add(struct store *st, int64_t election_id, int64_t city_id, int64_t person_id)
    __attribute__((warn_unused_result));
/* Marks a candidacy withdrawn (it drops out when the list freezes); kept on record. */
int store_candidacy_drop(struct store *st, int64_t election_id, int64_t city_id) __attribute__((warn_unused_result));
/* The same, saying whether it changed anything: 0 withdrawn now, 1 not standing (none, or withdrawn already), -1. */
int store_candidacy_withdraw(struct store *st, int64_t election_id, int64_t city_id) __attribute__((warn_unused_result));
/* The standing candidacies (not withdrawn), by code. */
int store_candidacies_each(struct store *st, int64_t election_id, store_city_fn fn, void *ctx) __attribute__((warn_unused_result));

/* A candidacy as recorded, standing or not. */
struct store_candidacy {
    char code[33];
    int64_t declared_ms;  /* the last declaration */
    int64_t withdrawn_ms; /* 0: standing */
};

/* City city_id's candidacy in the election: 0 found, 1 none (never declared), -1. */
int store_candidacy_get(struct store *st, int64_t election_id, int64_t city_id, struct store_candidacy *out)
    __attribute__((warn_unused_result));
/* Every candidacy, withdrawn ones included, by city code; fn returns nonzero to stop (returned). */
int store_candidacies_all_each(struct store *st, int64_t election_id,
                               int (*fn)(void *ctx, const struct store_candidacy *c), void *ctx)
    __attribute__((warn_unused_result));
/*
 * How candidacies ended, from the history: fn(ctx, city code, action, by)
 * for every "election.withdraw" (by: "city" or "secretariat") and
 * "election.candidate_dropped" (by: "") entry of the election, oldest first;
 * the last one of a city tells how its candidacy ended. A read over the
 * history: call it only when some candidacy has ended.
 */
int store_candidacy_ends_each(struct store *st, int64_t election_id,
                              int (*fn)(void *ctx, const char *city, const char *action, const char *by), void *ctx)
    __attribute__((warn_unused_result));

int store_round_add(struct store *st, int64_t election_id, int32_t round, const char *kind, const char *candidates)
    __attribute__((warn_unused_result));
int store_round_open(struct store *st, int64_t election_id, int32_t round, const char *poll, const uint8_t sig[64],
                     const uint8_t fingerprint[32], int64_t opened_ms, const char *quorum_open)
    __attribute__((warn_unused_result));
int store_round_close(struct store *st, int64_t election_id, int32_t round, int64_t closed_ms, const char *result,
                      const char *chain_head, const uint8_t sig[64]) __attribute__((warn_unused_result));
int store_round_get(struct store *st, int64_t election_id, int32_t round, struct store_round *out) __attribute__((warn_unused_result));
void store_round_free(struct store_round *r);

struct store_ballot_row {
    int64_t seq, city_id;
    char city_code[33];
    char choice[33];
    uint8_t hash[32];
};

/* The last ballot of an election: *seq (0 when none) and its chain value (untouched when none). */
int store_ballot_last(struct store *st, int64_t election_id, int64_t *seq, uint8_t chain[32]) __attribute__((warn_unused_result));
/* The ballot hash a city recorded in a round: 0 found, 1 none. */
int store_ballot_of_city(struct store *st, int64_t election_id, int32_t round, int64_t city_id, uint8_t hash[32])
    __attribute__((warn_unused_result));
/*
 * Records a ballot (in the caller's transaction), its receipt at `index` of
 * receipt batch `batch` (whose row the same transaction must add before it
 * commits: store_receipt_batch_add). 0 recorded; 1 refused by the table's
 * uniqueness — the city has a ballot in this round (this one, or another) —
 * and nothing was written; -1 failed.
 */
int store_ballot_add(struct store *st, int64_t election_id, int32_t round, int64_t city_id, int64_t seq, const char *text,
                     size_t text_len, const uint8_t sig[64], int64_t key_id, const char *choice, const uint8_t hash[32],
                     const uint8_t chain[32], int64_t recorded_ms, const char *receipt, int64_t batch, int32_t index)
    __attribute__((warn_unused_result));
/* The id the next receipt batch gets (in the caller's transaction). 0 or -1. */
int store_receipt_batch_next(struct store *st, int64_t *id) __attribute__((warn_unused_result));
/* Adds a receipt batch: its signed statement (docs/audit.md), the signature, the leaf count and the root. 0 or -1. */
int store_receipt_batch_add(struct store *st, int64_t id, const char *statement, const uint8_t sig[64], size_t leaves,
                            const uint8_t root[32], int64_t signed_ms) __attribute__((warn_unused_result));
/* A receipt batch's statement, signature and leaf count: 0 found, 1 none, -1 error. */
int store_receipt_batch_get(struct store *st, int64_t id, char *statement, size_t statement_len, uint8_t sig[64],
                            size_t *leaves) __attribute__((warn_unused_result));
/* The receipts of a batch in index order; fn returning non-zero stops (and is returned). */
int store_receipt_batch_each(struct store *st, int64_t id, int (*fn)(void *ctx, int32_t index, const char *receipt),
                             void *ctx) __attribute__((warn_unused_result));
int store_ballots_each(struct store *st, int64_t election_id, int32_t round,
                       int (*fn)(void *ctx, const struct store_ballot_row *b), void *ctx) __attribute__((warn_unused_result));

/* The number of ballots recorded in a round. 0 or -1. */
int store_ballot_count(struct store *st, int64_t election_id, int32_t round, int64_t *n) __attribute__((warn_unused_result));

/* A stored receipt: signed alone (batch 0: the rows from before schema 6) or at `index` of a receipt batch. */
struct store_receipt {
    int64_t seq;
    char text[512];
    uint8_t signature[64]; /* batch 0 only */
    int64_t batch;
    int32_t index;
};

/* The stored receipt of a city's ballot in a round: 0 found, 1 none, -1 error. */
int store_ballot_receipt(struct store *st, int64_t election_id, int32_t round, int64_t city_id, struct store_receipt *out)
    __attribute__((warn_unused_result));

/* Election ids, newest first (at most 200), of one summit or (summit_id 0) of all. */
int store_elections_each(struct store *st, int64_t summit_id, int (*fn)(void *ctx, int64_t id), void *ctx)
    __attribute__((warn_unused_result));

#endif
