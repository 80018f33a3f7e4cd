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

int timeutil_parse_rfc3339(const char *text, int64_t *ms)
{
    static const char shape[] = "dddd-dd-ddTdd:dd:dd.dddZ";
    char again[TIMEUTIL_RFC3339_LEN];
    struct tm tm;
    int v[7], k = 0;
    time_t t;

    if (strlen(text) != sizeof(shape) - 1)
        return -1;
    for (size_t i = 0; i < sizeof(shape) - 1; i++) {
        if (shape[i] == 'd' ? (text[i] < '0' || text[i] > '9') : text[i] != shape[i])
            return -1;
    }
    memset(v, 0, sizeof(v));
    for (const char *p = text; *p && k < 7; p++) {
        if (*p >= '0' && *p <= '9')
            v[k] = v[k] * 10 + (*p - '0');
        else
            k++;
    }
    memset(&tm, 0, sizeof(tm));
    tm.tm_year = v[0] - 1900;
    tm.tm_mon = v[1] - 1;
    tm.tm_mday = v[2];
    tm.tm_hour = v[3];
    tm.tm_min = v[4];
    tm.tm_sec = v[5];
    t = timegm(&tm);
    if (t == (time_t)-1)
        return -1;
    *ms = (int64_t)t * 1000 + v[6];
    /* refuse what timegm normalised (31 February, 25 o'clock): it must print back the same */
    if (timeutil_rfc3339(*ms, again) != 0 || strcmp(again, text) != 0)
        return -1;
    return 0;
}
