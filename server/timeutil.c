/*
 * timeutil: clocks and the RFC 3339 form. See include/b40/timeutil.h.
 */
#include "b40/timeutil.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

int64_t timeutil_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t timeutil_monotonic_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int timeutil_rfc3339(int64_t ms, char out[TIMEUTIL_RFC3339_LEN])
{
    int64_t secs = ms / 1000;
    int millis = (int)(ms % 1000);
    char tmp[96];
    struct tm tm;
    time_t t;
    int n;

    if (millis < 0) { /* floor division for times before 1970 */
        millis += 1000;
        secs -= 1;
    }
    t = (time_t)secs;
    if (!gmtime_r(&t, &tm) || tm.tm_year + 1900 < 0 || tm.tm_year + 1900 > 9999)
        return -1;
    /* a roomy buffer: the compiler cannot know that struct tm's fields are in range */
    n = snprintf(tmp, sizeof(tmp), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, millis);
    if (n != TIMEUTIL_RFC3339_LEN - 1)
        return -1;
    memcpy(out, tmp, TIMEUTIL_RFC3339_LEN);
    return 0;
}
