/*
 * ratelimit: fixed-window counters in an open-addressed table keyed by a
 * hash of (action, peer). See include/b40/ratelimit.h.
 */
#include "b40/ratelimit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

struct slot {
    uint8_t key[16]; /* a keyed hash of "action\0peer"; all zero: free */
    int64_t window_start_ms;
    int64_t last_ms;
    int count;
};

struct ratelimit {
    uint8_t hash_key[crypto_shorthash_KEYBYTES]; /* random: an attacker cannot aim at one slot */
    struct slot slots[RATELIMIT_SLOTS];
};

struct ratelimit *ratelimit_create(void)
{
    struct ratelimit *rl = calloc(1, sizeof(*rl));

    if (rl && sodium_init() >= 0)
        randombytes_buf(rl->hash_key, sizeof(rl->hash_key));
    return rl;
}

void ratelimit_destroy(struct ratelimit *rl)
{
    free(rl);
}

#define PROBES 8

bool ratelimit_allow(struct ratelimit *rl, const char *action, const char *peer, int64_t now_ms, int max,
                     int64_t window_ms, int64_t *retry_after_ms)
{
    static const uint8_t zero[16];
    char text[160];
    uint8_t key[16];
    uint64_t h;
    struct slot *s = NULL, *stalest = NULL;
    int n = snprintf(text, sizeof(text), "%s%c%s", action, 0, peer ? peer : "");

    if (!rl)
        return true;
    if (n < 0 || (size_t)n >= sizeof(text))
        n = sizeof(text) - 1;
    crypto_generichash(key, sizeof(key), (const uint8_t *)text, (size_t)n, rl->hash_key, sizeof(rl->hash_key));
    memcpy(&h, key, sizeof(h));
    for (int i = 0; i < PROBES; i++) {
        struct slot *c = &rl->slots[(h + (uint64_t)i) % RATELIMIT_SLOTS];
        if (!memcmp(c->key, key, sizeof(key))) {
            s = c;
            break;
        }
        /* remember a free slot, else the least recently used one */
        if (!stalest || (memcmp(stalest->key, zero, sizeof(zero)) &&
                         (!memcmp(c->key, zero, sizeof(zero)) || c->last_ms < stalest->last_ms)))
            stalest = c;
    }
    if (!s) { /* take the free or stalest slot among the probed ones */
        s = stalest;
        memcpy(s->key, key, sizeof(key));
        s->window_start_ms = now_ms;
        s->count = 0;
    }
    if (now_ms - s->window_start_ms >= window_ms) {
        s->window_start_ms = now_ms;
        s->count = 0;
    }
    s->last_ms = now_ms;
    if (s->count >= max) {
        if (retry_after_ms)
            *retry_after_ms = s->window_start_ms + window_ms - now_ms;
        return false;
    }
    s->count++;
    return true;
}
