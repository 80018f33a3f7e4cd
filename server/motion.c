/*
 * motion: the counting rules of a working-group motion. See
 * include/b40/motion.h. Integer arithmetic only; the quorum rule is the
 * election's (election_quorum_met with 1/2).
 */
#include "b40/motion.h"

#include <string.h>

#include "b40/election.h"

int motion_decide(const struct motion_city *cities, size_t n, struct motion_result *out, enum motion_roll *roll)
{
    struct election_quorum_rule half = ELECTION_QUORUM_DEFAULT;

    memset(out, 0, sizeof(*out));
    if (n > UINT32_MAX)
        return -1;
    for (size_t i = 0; i < n; i++) {
        enum motion_roll line;
        if (cities[i].voted && !cities[i].present)
            return -1;
        if (cities[i].present)
            out->present++;
        if (!cities[i].present) {
            line = MOTION_ROLL_ABSENT;
            out->absent++;
        } else if (!cities[i].voted) {
            line = MOTION_ROLL_PRESENT_NOT_VOTING;
            out->present_not_voting++;
        } else if (cities[i].choice == MOTION_YES) {
            line = MOTION_ROLL_YES;
            out->yes++;
        } else if (cities[i].choice == MOTION_NO) {
            line = MOTION_ROLL_NO;
            out->no++;
        } else {
            line = MOTION_ROLL_ABSTAINED;
            out->abstained++;
        }
        if (roll)
            roll[i] = line;
    }
    out->members = (uint32_t)n;
    out->threshold = (uint32_t)election_quorum_threshold(half, n);
    out->quorum_met = election_quorum_met(half, n, out->present);
    if (!out->quorum_met)
        out->outcome = MOTION_NO_QUORUM;
    else if (out->yes + out->no == 0)
        out->outcome = MOTION_NO_VOTES;
    else if (out->yes > out->no)
        out->outcome = MOTION_ADOPTED;
    else
        out->outcome = MOTION_REJECTED;
    return 0;
}

const char *motion_outcome_name(enum motion_outcome o)
{
    switch (o) {
    case MOTION_ADOPTED: return "adopted";
    case MOTION_REJECTED: return "rejected";
    case MOTION_NO_VOTES: return "no_votes";
    case MOTION_NO_QUORUM: return "no_quorum";
    }
    return "unknown";
}

const char *motion_roll_name(enum motion_roll r)
{
    switch (r) {
    case MOTION_ROLL_YES: return "yes";
    case MOTION_ROLL_NO: return "no";
    case MOTION_ROLL_ABSTAINED: return "abstained";
    case MOTION_ROLL_PRESENT_NOT_VOTING: return "present_not_voting";
    case MOTION_ROLL_ABSENT: return "absent";
    }
    return "unknown";
}

int motion_choice_parse(const char *text, enum motion_choice *out)
{
    if (!strcmp(text, "yes"))
        *out = MOTION_YES;
    else if (!strcmp(text, "no"))
        *out = MOTION_NO;
    else if (!strcmp(text, "abstain"))
        *out = MOTION_ABSTAIN;
    else
        return -1;
    return 0;
}
