/*
 * ratelimit: bounded per-address counters for public actions (membership
 * requests, enrollment and sign-in attempts), so that a flood from one
 * address is refused with `rate_limited` while everyone else is served.
 * Fixed windows per (action, address); at most RATELIMIT_SLOTS addresses are
 * tracked, the stalest slot being reused, so memory stays bounded whatever
 * the attacker sends. Service thread only.
 */
#ifndef B40_RATELIMIT_H
#define B40_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

#define RATELIMIT_SLOTS 4096

struct ratelimit;

struct ratelimit *ratelimit_create(void);
void ratelimit_destroy(struct ratelimit *rl);

/*
 * Counts one `action` from `peer` at now_ms and tells whether it is within
 * `max` per `window_ms`. When not, *retry_after_ms (if not NULL) is set to
 * the time until the window ends. A NULL rl allows everything.
 */
bool ratelimit_allow(struct ratelimit *rl, const char *action, const char *peer, int64_t now_ms, int max,
                     int64_t window_ms, int64_t *retry_after_ms);

#endif
