/*
 * summit: the rules of the annual summit as plain C over plain values: no
 * database, no socket, no clock. Which dates a summit may have, which
 * arrival and departure dates a visiting delegation may register, and the
 * nights and meals the host covers for it (the charter: "the host city
 * covers the accommodation and meal expenses of the visiting delegations";
 * travel is the delegation's own). Pure functions; any thread.
 *
 * Dates are "YYYY-MM-DD" texts checked with membership_date_is_valid; all
 * arithmetic on them is on whole days of the proleptic Gregorian calendar,
 * in 64-bit integers, so no input can overflow it.
 */
#ifndef B40_SUMMIT_H
#define B40_SUMMIT_H

#include <stdint.h>

#include "b40/membership.h"

#define SUMMIT_YEAR_MIN 2021      /* the first summit, Istanbul, 29-30 November 2021 */
#define SUMMIT_YEAR_MAX 9999
#define SUMMIT_DAYS_MAX 7         /* a summit lasts 1 to 7 days, its first and last day included */
#define SUMMIT_TRAVEL_DAYS 3      /* a delegation may arrive 3 days early and leave 3 days late */
#define SUMMIT_DELEGATES_MIN 1
#define SUMMIT_DELEGATES_MAX 50
#define SUMMIT_MEALS_PER_DAY 3
#define SUMMIT_PLACE_MAX 200      /* bytes in a summit's place */
#define SUMMIT_DIETARY_MAX 500    /* bytes in a delegation's dietary needs */

/* What is wrong with a summit's or a delegation's values; each names the request field to blame. */
enum summit_fault {
    SUMMIT_FAULT_NONE = 0,
    SUMMIT_FAULT_YEAR,      /* outside 2021-9999, or not the year of starts_on */
    SUMMIT_FAULT_STARTS_ON, /* not a calendar date */
    SUMMIT_FAULT_ENDS_ON,   /* not a calendar date, before starts_on, or the summit longer than 7 days */
    SUMMIT_FAULT_DELEGATES, /* outside 1-50 */
    SUMMIT_FAULT_ARRIVAL,   /* not a calendar date, or outside [starts_on - 3 days, ends_on] */
    SUMMIT_FAULT_DEPARTURE, /* not a calendar date, outside [starts_on, ends_on + 3 days], or before arrival */
};

/* The request field a fault blames ("year", "arrival", ...), or NULL for SUMMIT_FAULT_NONE. Static text. */
const char *summit_fault_field(enum summit_fault f);

/* An English sentence for people saying what the rule is ("must be ..."). Static text; "" for NONE. */
const char *summit_fault_rule(enum summit_fault f);

/*
 * The day number of `date` (days since 1970-01-01; negative before it).
 * Returns 0 and sets *days, or -1 (and leaves *days alone) when `date` is
 * not a valid calendar date.
 */
int summit_date_days(const char *date, int64_t *days) __attribute__((warn_unused_result));

/*
 * Writes the date `days` days after `date` (negative: before) into out.
 * Returns 0, or -1 when `date` is invalid or the result falls outside the
 * years 0001-9999 (out is then "").
 */
int summit_date_add(const char *date, int64_t days, char out[MEMBERSHIP_DATE_LEN + 1])
    __attribute__((warn_unused_result));

/*
 * Checks a summit's year and dates: starts_on and ends_on are calendar
 * dates, `year` is from 2021 to 9999 and is the year of starts_on, and
 * starts_on <= ends_on <= starts_on + 6 days (at most 7 days, both ends
 * included). Returns the first fault in the order starts_on, ends_on, year,
 * or SUMMIT_FAULT_NONE.
 */
enum summit_fault summit_check_dates(int64_t year, const char *starts_on, const char *ends_on);

/*
 * The name of what attending does to a city, as the history records it:
 * "joins", "stays_member", "stays_suspended", "not_eligible". Static; NULL
 * when out of range.
 */
const char *summit_attendance_effect_name(enum membership_attendance effect);

/* A delegation's stay, what the host covers. */
struct summit_stay {
    int64_t nights; /* departure - arrival, in days: 0 when it leaves on the day it arrives */
    int64_t meals;  /* delegates * (nights + 1) * 3: three meals a day, arrival and departure days included */
};

/*
 * Checks a visiting delegation of `delegates` people for the summit that
 * runs from starts_on to ends_on (already checked with
 * summit_check_dates) and computes its stay into *out (may be NULL).
 * Rules: 1 <= delegates <= 50; arrival is a date from starts_on - 3 days to
 * ends_on (it arrives in time for at least the last day); departure is a
 * date from starts_on to ends_on + 3 days, and not before arrival. Returns
 * the first fault in the order delegates, arrival, departure, or
 * SUMMIT_FAULT_NONE (only then is *out written). A summit whose own dates
 * are invalid gives SUMMIT_FAULT_STARTS_ON or SUMMIT_FAULT_ENDS_ON.
 */
enum summit_fault summit_delegation_plan(const char *starts_on, const char *ends_on, int64_t delegates,
                                         const char *arrival, const char *departure, struct summit_stay *out);

#endif
