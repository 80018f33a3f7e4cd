/*
 * election: the counting rules of the presidency election
 * (docs/election-rules.md), as pure functions of counts. Integer arithmetic
 * only; no database, no socket, no clock. Any thread.
 *
 * A round is either a first round (absolute majority of the votes cast for
 * candidates) or a runoff (simple majority). Abstentions are counted and
 * shown but are not in the base. Quorum is judged on the cities present.
 */
#ifndef B40_ELECTION_H
#define B40_ELECTION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ELECTION_MAX_CANDIDATES 64

enum election_round_kind {
    ELECTION_FIRST_ROUND, /* elected: more than half of the votes for candidates */
    ELECTION_RUNOFF,      /* elected: the most votes, alone */
};

enum election_outcome {
    ELECTION_ELECTED,  /* winner holds the elected candidate's index */
    ELECTION_RUNOFF_NEEDED, /* next[] holds the candidates of the next round (a runoff) */
    ELECTION_NO_VOTES, /* no vote went to a candidate (no ballots, or all abstained): no result */
};

struct election_result {
    enum election_outcome outcome;
    size_t winner;                         /* with ELECTION_ELECTED */
    size_t next[ELECTION_MAX_CANDIDATES];  /* with ELECTION_RUNOFF_NEEDED: indices, in input order */
    size_t next_count;
    uint64_t base;                         /* votes for candidates: the base of the majority */
    uint64_t abstentions;
};

/*
 * Decides a round from votes[i] (the votes for candidate i, n of them, 1 <=
 * n <= ELECTION_MAX_CANDIDATES) and the abstentions. In a first round a
 * candidate with more than half of the base is elected; otherwise the two
 * leading candidates go to a runoff: the one in front and every candidate
 * tied for second, or every candidate tied for first when several are. In a
 * runoff the candidate with the most votes is elected when alone in front;
 * those tied in front go to another runoff. Returns 0, or -1 for n out of
 * range.
 */
int election_decide(enum election_round_kind kind, const uint64_t *votes, size_t n, uint64_t abstentions,
                    struct election_result *out) __attribute__((warn_unused_result));

/* A quorum rule: more than num/den of the member cities present (default 1/2). */
struct election_quorum_rule {
    uint32_t num, den;
};

#define ELECTION_QUORUM_DEFAULT ((struct election_quorum_rule){1, 2})

/*
 * True when present > members * num / den, computed without division or
 * overflow (present * den > members * num in 128-bit arithmetic). A rule with
 * den 0 or num > den is invalid and never met.
 */
bool election_quorum_met(struct election_quorum_rule rule, uint64_t members, uint64_t present);

/* The smallest number of present cities that meets the rule (for "threshold" on screen). */
uint64_t election_quorum_threshold(struct election_quorum_rule rule, uint64_t members);

#endif
