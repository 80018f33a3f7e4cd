/*
 * election: the counting rules (docs/election-rules.md). See
 * include/b40/election.h. Integer arithmetic only.
 */
#include "b40/election.h"

#include <string.h>

static void pick(struct election_result *out, const uint64_t *votes, size_t n, uint64_t value)
{
    for (size_t i = 0; i < n; i++)
        if (votes[i] == value)
            out->next[out->next_count++] = i;
}

int election_decide(enum election_round_kind kind, const uint64_t *votes, size_t n, uint64_t abstentions,
                    struct election_result *out)
{
    uint64_t first = 0, second = 0, base = 0; /* the highest count, the next lower one, the sum */
    size_t at_first = 0, first_index = 0;

    if (n < 1 || n > ELECTION_MAX_CANDIDATES)
        return -1;
    memset(out, 0, sizeof(*out));
    out->abstentions = abstentions;
    for (size_t i = 0; i < n; i++) {
        base += votes[i];
        if (votes[i] > first) {
            first = votes[i];
            first_index = i;
            at_first = 1;
        } else if (votes[i] == first) {
            at_first++;
        }
    }
    for (size_t i = 0; i < n; i++)
        if (votes[i] < first && votes[i] > second)
            second = votes[i];
    out->base = base;
    if (base == 0) {
        out->outcome = ELECTION_NO_VOTES;
        return 0;
    }
    if (at_first == 1 && (kind == ELECTION_RUNOFF || first > base - first)) { /* first > base/2, exactly */
        out->outcome = ELECTION_ELECTED;
        out->winner = first_index;
        return 0;
    }
    out->outcome = ELECTION_RUNOFF_NEEDED;
    if (at_first > 1) {
        pick(out, votes, n, first); /* every candidate tied in front */
    } else {
        /* the leader and every candidate tied for second (a first round without a majority;
         * second > 0 here, since a lone leader with every other candidate at zero has them all) */
        pick(out, votes, n, first);
        pick(out, votes, n, second);
        /* keep input order */
        for (size_t i = 1; i < out->next_count; i++)
            for (size_t j = i; j > 0 && out->next[j - 1] > out->next[j]; j--) {
                size_t t = out->next[j];
                out->next[j] = out->next[j - 1];
                out->next[j - 1] = t;
            }
    }
    return 0;
}

bool election_quorum_met(struct election_quorum_rule rule, uint64_t members, uint64_t present)
{
    if (rule.den == 0 || rule.num > rule.den)
        return false;
    return (unsigned __int128)present * rule.den > (unsigned __int128)members * rule.num;
}

uint64_t election_quorum_threshold(struct election_quorum_rule rule, uint64_t members)
{
    if (rule.den == 0 || rule.num > rule.den)
        return UINT64_MAX;
    /* the least p with p * den > members * num is floor(members * num / den) + 1 */
    return (uint64_t)(((unsigned __int128)members * rule.num) / rule.den) + 1;
}
