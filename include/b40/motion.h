/*
 * motion: the counting rules of a working-group motion, one city one vote,
 * as a pure function of who was a member, who was present when the motion
 * opened and how each city voted (docs/protocol.md "Motions"). Integer
 * arithmetic only; no database, no socket, no clock. Any thread.
 *
 * Quorum: more than half of the group's member cities present in the room
 * when the motion opened. Adopted when the quorum was met and there are more
 * yes than no votes; abstentions are counted and shown but are not in the
 * base (a tie is not adopted). An adopted motion is a recommendation of the
 * group, not a binding decision.
 */
#ifndef B40_MOTION_H
#define B40_MOTION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MOTION_TEXT_MAX 2000 /* bytes in a motion's text */

enum motion_choice { MOTION_YES, MOTION_NO, MOTION_ABSTAIN };

enum motion_outcome {
    MOTION_ADOPTED,   /* quorum, and more yes than no */
    MOTION_REJECTED,  /* quorum, votes cast, and no more yes than no */
    MOTION_NO_VOTES,  /* quorum, but no yes or no at all (no ballots, or all abstained) */
    MOTION_NO_QUORUM, /* half of the member cities or fewer were present */
};

/* One line of the roll call. */
enum motion_roll {
    MOTION_ROLL_YES,
    MOTION_ROLL_NO,
    MOTION_ROLL_ABSTAINED,
    MOTION_ROLL_PRESENT_NOT_VOTING,
    MOTION_ROLL_ABSENT,
};

/* A member city of the group as the count sees it. */
struct motion_city {
    bool present;  /* present in the room when the motion opened */
    bool voted;    /* a ballot of the city is recorded */
    enum motion_choice choice;
};

struct motion_result {
    enum motion_outcome outcome;
    uint32_t members, present, threshold; /* threshold: the fewest present cities that make the quorum */
    bool quorum_met;
    uint32_t yes, no, abstained, present_not_voting, absent; /* the roll call's totals: they add up to members */
};

/*
 * Counts a motion over the group's n member cities; roll[i] (n entries, may
 * be NULL) gets city i's line of the roll call. Returns 0, or -1 for a city
 * that voted without having been present (the caller's data is wrong).
 */
int motion_decide(const struct motion_city *cities, size_t n, struct motion_result *out, enum motion_roll *roll)
    __attribute__((warn_unused_result));

/* Wire names: "adopted", "rejected", "no_votes", "no_quorum"; "yes", "no", "abstained", "present_not_voting", "absent". */
const char *motion_outcome_name(enum motion_outcome o);
const char *motion_roll_name(enum motion_roll r);

/* "yes", "no" or "abstain" (a ballot's choice) into *out. 0 or -1. */
int motion_choice_parse(const char *text, enum motion_choice *out) __attribute__((warn_unused_result));

#endif
