/*
 * ballot: the exact bytes of docs/audit.md — the poll, the ballot, the
 * per-election hash chain, the receipt and the chain head — as pure
 * functions over plain structs (libsodium for SHA-256). No database, no
 * socket, no clock. Any thread.
 *
 * A ballot is accepted only in its one canonical spelling: ballot_parse
 * reads the fields, then formats them again and requires the same bytes.
 */
#ifndef B40_BALLOT_H
#define B40_BALLOT_H

#include <stddef.h>
#include <stdint.h>

#define BALLOT_TEXT_MAX 512
#define BALLOT_NONCE_BYTES 16
#define BALLOT_CODE_MAX 32 /* a city code's bytes */
#define BALLOT_ABSTAIN "abstain"
#define POLL_TEXT_MAX 262144 /* two lists of up to 4096 city codes, and the rest */

struct ballot {
    int64_t election;
    int32_t round;
    uint8_t poll[32];                /* the poll fingerprint */
    char city[BALLOT_CODE_MAX + 1];  /* the voting city's code */
    char choice[BALLOT_CODE_MAX + 1]; /* a candidate's code, or "abstain" */
    uint8_t nonce[BALLOT_NONCE_BYTES];
};

/* Writes the canonical ballot text into out (BALLOT_TEXT_MAX bytes); returns its length or -1. */
int ballot_format(const struct ballot *b, char *out);

/*
 * Reads a ballot text of len bytes into out. Returns 0 only when the text is
 * exactly the canonical form of the fields read (docs/audit.md), else -1.
 */
int ballot_parse(const char *text, size_t len, struct ballot *out) __attribute__((warn_unused_result));

/* SHA-256 of the exact bytes (the ballot hash, or a poll fingerprint). */
void ballot_sha256(const char *text, size_t len, uint8_t out[32]);

/* chain[0] of an election. */
void ballot_chain_genesis(int64_t election, uint8_t out[32]);

/* chain[n] = SHA-256(chain[n-1] || ballot hash || signature). out may alias prev. */
void ballot_chain_next(const uint8_t prev[32], const uint8_t ballot_hash[32], const uint8_t signature[64],
                       uint8_t out[32]);

/* The poll of a round. Lists are comma-joined, sorted, without spaces (the caller sorts). */
struct poll {
    int64_t election;
    int32_t round;
    int is_runoff;
    const char *candidates; /* "athens,sofia" */
    uint32_t quorum_num, quorum_den;
    uint32_t members;
    const char *present;
    const char *eligible;
    uint8_t eligible_keys_sha256[32];
    int64_t opened_ms;
};

/* Writes the poll text (POLL_TEXT_MAX bytes); returns its length or -1. */
int poll_format(const struct poll *p, char *out);

/* The receipt and chain-head texts (BALLOT_TEXT_MAX bytes each); return the length or -1. */
int receipt_format(int64_t election, int32_t round, int64_t seq, const uint8_t ballot_hash[32],
                   const uint8_t chain[32], int64_t recorded_ms, char *out);
int chain_head_format(int64_t election, int32_t round, int64_t seq, const uint8_t chain[32], int64_t closed_ms,
                      char *out);

/*
 * Receipts are signed a batch at a time (docs/audit.md "Batch-signed
 * receipts"): the server signs this statement over the Merkle root (RFC 9162,
 * include/b40/merkle.h) of the batch's receipts, and each receipt carries its
 * index and audit path. At most RECEIPT_BATCH_MAX receipts a batch, so that a
 * path has at most 8 hashes. Writes BALLOT_TEXT_MAX bytes; the length or -1.
 */
#define RECEIPT_BATCH_MAX 256
int receipt_batch_format(int64_t batch, size_t leaves, const uint8_t root[32], int64_t signed_ms, char *out);

/*
 * Working-group motions (docs/audit.md "Motions"): their own poll, ballot,
 * chain, receipt and chain head, each with a first line of its own, so that
 * a motion ballot can never be taken for an election ballot nor the other
 * way round. The parsing rules are the election's: one canonical spelling.
 */
#define MOTION_CHOICE_YES "yes"
#define MOTION_CHOICE_NO "no"

struct motion_ballot {
    int64_t motion;
    uint8_t poll[32];                /* the motion poll's fingerprint */
    char city[BALLOT_CODE_MAX + 1];  /* the voting city's code */
    char choice[8];                  /* "yes", "no" or "abstain" */
    uint8_t nonce[BALLOT_NONCE_BYTES];
};

/* Writes the canonical motion ballot into out (BALLOT_TEXT_MAX bytes); returns its length or -1. */
int motion_ballot_format(const struct motion_ballot *b, char *out);

/* Reads a motion ballot; 0 only for exactly the canonical form of the fields read, else -1. */
int motion_ballot_parse(const char *text, size_t len, struct motion_ballot *out) __attribute__((warn_unused_result));

/* The poll of a motion. Lists are comma-joined, sorted, without spaces (the caller sorts). */
struct motion_poll {
    int64_t motion, session;
    const char *group;         /* the group's code */
    uint8_t text_sha256[32];   /* SHA-256 of the motion's text */
    uint32_t quorum_num, quorum_den;
    const char *members;       /* the group's member cities when the motion opens */
    const char *present;       /* those present in the room then */
    const char *eligible;      /* those that may vote */
    uint8_t eligible_keys_sha256[32];
    int64_t opened_ms;
};

/* Writes the motion poll (POLL_TEXT_MAX bytes); returns its length or -1. */
int motion_poll_format(const struct motion_poll *p, char *out);

/* chain[0] of a motion (ballot_chain_next makes the later links). */
void motion_chain_genesis(int64_t motion, uint8_t out[32]);

/* The motion receipt and chain head (BALLOT_TEXT_MAX bytes each); return the length or -1. */
int motion_receipt_format(int64_t motion, int64_t seq, const uint8_t ballot_hash[32], const uint8_t chain[32],
                          int64_t recorded_ms, char *out);
int motion_chain_head_format(int64_t motion, int64_t seq, const uint8_t chain[32], int64_t closed_ms, char *out);

#endif
