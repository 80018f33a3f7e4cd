/*
 * summit: the summit's date rules and a delegation's nights and meals. See
 * include/b40/summit.h for the contract. Day numbers use the
 * days-from-civil algorithm (H. Hinnant, "chrono-compatible low-level date
 * algorithms"), exact for every Gregorian date; the values it meets here
 * (years 0001 to 9999) are far inside int64_t. Pure; any thread.
 */
#include "b40/summit.h"

#include <stdio.h>

#include "b40/membership.h"

const char *summit_fault_field(enum summit_fault f)
{
    switch (f) {
    case SUMMIT_FAULT_NONE: return NULL;
    case SUMMIT_FAULT_YEAR: return "year";
    case SUMMIT_FAULT_STARTS_ON: return "starts_on";
    case SUMMIT_FAULT_ENDS_ON: return "ends_on";
    case SUMMIT_FAULT_DELEGATES: return "delegates";
    case SUMMIT_FAULT_ARRIVAL: return "arrival";
    case SUMMIT_FAULT_DEPARTURE: return "departure";
    }
    return NULL;
}

const char *summit_fault_rule(enum summit_fault f)
{
    switch (f) {
    case SUMMIT_FAULT_NONE: return "";
    case SUMMIT_FAULT_YEAR: return "must be from 2021 to 9999 and the year of starts_on";
    case SUMMIT_FAULT_STARTS_ON: return "must be a calendar date YYYY-MM-DD";
    case SUMMIT_FAULT_ENDS_ON: return "must be a calendar date from starts_on to 6 days after it (at most 7 days)";
    case SUMMIT_FAULT_DELEGATES: return "must be from 1 to 50";
    case SUMMIT_FAULT_ARRIVAL: return "must be a calendar date from 3 days before the summit starts to its last day";
    case SUMMIT_FAULT_DEPARTURE:
        return "must be a calendar date from the summit's first day to 3 days after it ends, not before arrival";
    }
    return "";
}

const char *summit_attendance_effect_name(enum membership_attendance effect)
{
    switch (effect) {
    case MEMBERSHIP_ATTEND_JOINS: return "joins";
    case MEMBERSHIP_ATTEND_STAYS_MEMBER: return "stays_member";
    case MEMBERSHIP_ATTEND_STAYS_SUSPENDED: return "stays_suspended";
    case MEMBERSHIP_ATTEND_NOT_ELIGIBLE: return "not_eligible";
    }
    return NULL;
}

/* Digits of a date already checked by membership_date_is_valid. */
static int64_t field(const char *s, int n)
{
    int64_t v = 0;

    for (int i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

int summit_date_days(const char *date, int64_t *days)
{
    int64_t y, m, d, era, yoe, doy, doe;

    if (!membership_date_is_valid(date))
        return -1;
    y = field(date, 4);
    m = field(date + 5, 2);
    d = field(date + 8, 2);
    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;                                   /* [0, 399] */
    doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1; /* [0, 365] */
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;           /* [0, 146096] */
    *days = era * 146097 + doe - 719468;
    return 0;
}

/* The civil date of day number z (days since 1970-01-01). */
static void civil_from_days(int64_t z, int64_t *y, int64_t *m, int64_t *d)
{
    int64_t era, doe, yoe, doy, mp;

    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = yoe + era * 400 + (*m <= 2);
}

int summit_date_add(const char *date, int64_t days, char out[MEMBERSHIP_DATE_LEN + 1])
{
    /* 0001-01-01 and 9999-12-31 as day numbers */
    const int64_t first = -719162, last = 2932896;
    int64_t z, y, m, d;

    out[0] = '\0';
    if (summit_date_days(date, &z) != 0 || days < first - z || days > last - z)
        return -1;
    civil_from_days(z + days, &y, &m, &d);
    snprintf(out, MEMBERSHIP_DATE_LEN + 1, "%04d-%02d-%02d", (int)y, (int)m, (int)d);
    return 0;
}

enum summit_fault summit_check_dates(int64_t year, const char *starts_on, const char *ends_on)
{
    int64_t start, end;

    if (summit_date_days(starts_on, &start) != 0)
        return SUMMIT_FAULT_STARTS_ON;
    if (summit_date_days(ends_on, &end) != 0 || end < start || end - start > SUMMIT_DAYS_MAX - 1)
        return SUMMIT_FAULT_ENDS_ON;
    if (year < SUMMIT_YEAR_MIN || year > SUMMIT_YEAR_MAX || year != field(starts_on, 4))
        return SUMMIT_FAULT_YEAR;
    return SUMMIT_FAULT_NONE;
}

enum summit_fault summit_delegation_plan(const char *starts_on, const char *ends_on, int64_t delegates,
                                         const char *arrival, const char *departure, struct summit_stay *out)
{
    int64_t start, end, arrive, leave;

    if (summit_date_days(starts_on, &start) != 0)
        return SUMMIT_FAULT_STARTS_ON;
    if (summit_date_days(ends_on, &end) != 0 || end < start)
        return SUMMIT_FAULT_ENDS_ON;
    if (delegates < SUMMIT_DELEGATES_MIN || delegates > SUMMIT_DELEGATES_MAX)
        return SUMMIT_FAULT_DELEGATES;
    if (summit_date_days(arrival, &arrive) != 0 || arrive < start - SUMMIT_TRAVEL_DAYS || arrive > end)
        return SUMMIT_FAULT_ARRIVAL;
    if (summit_date_days(departure, &leave) != 0 || leave < start || leave > end + SUMMIT_TRAVEL_DAYS ||
        leave < arrive)
        return SUMMIT_FAULT_DEPARTURE;
    if (out) {
        out->nights = leave - arrive;
        out->meals = delegates * (out->nights + 1) * SUMMIT_MEALS_PER_DAY;
    }
    return SUMMIT_FAULT_NONE;
}
