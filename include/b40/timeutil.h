/*
 * timeutil: wall-clock and monotonic time, and the one text form of a time
 * the server ever sends: RFC 3339 in UTC with milliseconds,
 * "2026-11-27T09:46:37.123Z". Pure functions; any thread.
 */
#ifndef B40_TIMEUTIL_H
#define B40_TIMEUTIL_H

#include <stddef.h>
#include <stdint.h>

#define TIMEUTIL_RFC3339_LEN 25 /* "YYYY-MM-DDTHH:MM:SS.mmmZ" plus NUL */

/* Milliseconds since the Unix epoch (CLOCK_REALTIME). */
int64_t timeutil_now_ms(void);

/* Milliseconds from an arbitrary start (CLOCK_MONOTONIC); for durations. */
int64_t timeutil_monotonic_ms(void);

/*
 * Writes `ms` (since the epoch) as RFC 3339 UTC with milliseconds into
 * `out`, which holds at least TIMEUTIL_RFC3339_LEN bytes. Returns 0, or -1
 * for a time outside years 0000-9999.
 */
int timeutil_rfc3339(int64_t ms, char out[TIMEUTIL_RFC3339_LEN]) __attribute__((warn_unused_result));

/*
 * Parses exactly the form timeutil_rfc3339 writes ("2026-11-27T09:46:37.123Z")
 * into ms since the epoch. Returns 0, or -1 for any other text or an
 * impossible date.
 */
int timeutil_parse_rfc3339(const char *text, int64_t *ms) __attribute__((warn_unused_result));

#endif
