/*
 * log: one line per message on stderr, "2026-11-27T09:46:37.123Z LEVEL text",
 * written with a single write(2) so that lines from several threads never
 * interleave. See include/b40/log.h.
 */
#include "b40/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include "b40/timeutil.h"

static enum log_level current_level = LOG_LEVEL_INFO;

void log_set_level(enum log_level level)
{
    current_level = level;
}

enum log_level log_get_level(void)
{
    return current_level;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
    static const char *const names[] = {"ERROR", "WARN", "INFO", "DEBUG"};
    char line[1024], stamp[TIMEUTIL_RFC3339_LEN];
    va_list ap;
    int n, m;

    if (level > current_level)
        return;
    if (timeutil_rfc3339(timeutil_now_ms(), stamp) != 0)
        stamp[0] = '\0';
    n = snprintf(line, sizeof(line), "%s %-5s ", stamp, names[level]);
    va_start(ap, fmt);
    m = vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
    va_end(ap);
    if (m < 0)
        return;
    n += m;
    if ((size_t)n > sizeof(line) - 2)
        n = (int)sizeof(line) - 2;
    while (n > 0 && line[n - 1] == '\n') /* lws ends its lines with one */
        n--;
    line[n++] = '\n';
    (void)!write(STDERR_FILENO, line, (size_t)n);
}
