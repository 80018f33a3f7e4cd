/*
 * ballot: the formats of docs/audit.md. See include/b40/ballot.h.
 */
#include "b40/ballot.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "b40/identity.h"
#include "b40/timeutil.h"

/* Appends to a text under construction of capacity cap; *len becomes -1 on overflow. */
__attribute__((format(printf, 4, 5))) static void put(char *out, size_t cap, int *len, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (*len < 0)
        return;
    va_start(ap, fmt);
    n = vsnprintf(out + *len, cap - (size_t)*len, fmt, ap);
    va_end(ap);
    *len = n < 0 || (size_t)n >= cap - (size_t)*len ? -1 : *len + n;
}

/* A city code as the registry allows it: [a-z][a-z0-9-]{1,31}. */
static bool code_ok(const char *s)
{
    size_t n = strlen(s);

    if (n < 2 || n > BALLOT_CODE_MAX || s[0] < 'a' || s[0] > 'z')
        return false;
    for (size_t i = 1; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
            return false;
    return true;
}

int ballot_format(const struct ballot *b, char *out)
{
    char poll[65], nonce[2 * BALLOT_NONCE_BYTES + 1];
    int len = 0;

    if (b->election < 1 || b->round < 1 || !code_ok(b->city) ||
        (strcmp(b->choice, BALLOT_ABSTAIN) && !code_ok(b->choice)))
        return -1;
    identity_hex_encode(b->poll, 32, poll);
    identity_hex_encode(b->nonce, BALLOT_NONCE_BYTES, nonce);
    put(out, BALLOT_TEXT_MAX, &len,
        "b40-ballot-v1\nnetwork: %s\nelection: %lld\nround: %d\npoll: %s\ncity: %s\nchoice: %s\nnonce: %s\n",
        IDENTITY_NETWORK, (long long)b->election, (int)b->round, poll, b->city, b->choice, nonce);
    return len;
}

/* Copies the value of line `key` ("key: value\n") at *p into out, advancing *p. */
static int take(const char **p, const char *end, const char *key, char *out, size_t outlen)
{
    size_t klen = strlen(key);
    const char *nl;

    if ((size_t)(end - *p) < klen + 2 || memcmp(*p, key, klen) || (*p)[klen] != ':' || (*p)[klen + 1] != ' ')
        return -1;
    *p += klen + 2;
    nl = memchr(*p, '\n', (size_t)(end - *p));
    if (!nl || (size_t)(nl - *p) >= outlen)
        return -1;
    memcpy(out, *p, (size_t)(nl - *p));
    out[nl - *p] = '\0';
    *p = nl + 1;
    return 0;
}

static int parse_int(const char *s, int64_t max, int64_t *out)
{
    int64_t v = 0;

    if (!*s || (s[0] == '0' && s[1]) || strlen(s) > 18) /* no sign, no leading zero */
        return -1;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return -1;
        v = v * 10 + (*s - '0');
    }
    if (v < 1 || v > max)
        return -1;
    *out = v;
    return 0;
}

int ballot_parse(const char *text, size_t len, struct ballot *out)
{
    static const char head[] = "b40-ballot-v1\n";
    const char *p = text, *end = text + len;
    char v[80], again[BALLOT_TEXT_MAX];
    int64_t n;
    int alen;

    memset(out, 0, sizeof(*out));
    if (len > BALLOT_TEXT_MAX || len < sizeof(head) - 1 || memcmp(p, head, sizeof(head) - 1))
        return -1;
    p += sizeof(head) - 1;
    if (take(&p, end, "network", v, sizeof(v)) || strcmp(v, IDENTITY_NETWORK))
        return -1;
    if (take(&p, end, "election", v, sizeof(v)) || parse_int(v, 9007199254740991LL, &out->election))
        return -1;
    if (take(&p, end, "round", v, sizeof(v)) || parse_int(v, 1000, &n))
        return -1;
    out->round = (int32_t)n;
    if (take(&p, end, "poll", v, sizeof(v)) || identity_hex_decode(v, out->poll, 32))
        return -1;
    if (take(&p, end, "city", out->city, sizeof(out->city)) || take(&p, end, "choice", out->choice, sizeof(out->choice)))
        return -1;
    if (take(&p, end, "nonce", v, sizeof(v)) || identity_hex_decode(v, out->nonce, BALLOT_NONCE_BYTES))
        return -1;
    if (p != end)
        return -1;
    /* one spelling only: what we read must print back to the same bytes */
    alen = ballot_format(out, again);
    if (alen < 0 || (size_t)alen != len || memcmp(again, text, len))
        return -1;
    return 0;
}

void ballot_sha256(const char *text, size_t len, uint8_t out[32])
{
    crypto_hash_sha256(out, (const uint8_t *)text, len);
}

void ballot_chain_genesis(int64_t election, uint8_t out[32])
{
    char text[128];
    int n = snprintf(text, sizeof(text), "b40-chain-v1\nnetwork: %s\nelection: %lld\n", IDENTITY_NETWORK,
                     (long long)election);

    crypto_hash_sha256(out, (const uint8_t *)text, (size_t)n);
}

void ballot_chain_next(const uint8_t prev[32], const uint8_t ballot_hash[32], const uint8_t signature[64],
                       uint8_t out[32])
{
    crypto_hash_sha256_state st;

    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, prev, 32);
    crypto_hash_sha256_update(&st, ballot_hash, 32);
    crypto_hash_sha256_update(&st, signature, 64);
    crypto_hash_sha256_final(&st, out);
}

int poll_format(const struct poll *p, char *out)
{
    char keys[65], opened[TIMEUTIL_RFC3339_LEN];
    int len = 0;

    if (p->election < 1 || p->round < 1 || !p->quorum_den || p->quorum_num > p->quorum_den ||
        timeutil_rfc3339(p->opened_ms, opened) != 0)
        return -1;
    identity_hex_encode(p->eligible_keys_sha256, 32, keys);
    put(out, POLL_TEXT_MAX, &len, "b40-poll-v1\nnetwork: %s\nelection: %lld\nround: %d\nkind: %s\ncandidates: %s\n",
        IDENTITY_NETWORK, (long long)p->election, (int)p->round, p->is_runoff ? "runoff" : "first", p->candidates);
    put(out, POLL_TEXT_MAX, &len, "quorum: %u/%u\nmembers: %u\npresent: %s\neligible: %s\n", p->quorum_num,
        p->quorum_den, p->members, p->present, p->eligible);
    put(out, POLL_TEXT_MAX, &len, "eligible-keys-sha256: %s\nopened: %s\n", keys, opened);
    return len;
}

int receipt_format(int64_t election, int32_t round, int64_t seq, const uint8_t ballot_hash[32],
                   const uint8_t chain[32], int64_t recorded_ms, char *out)
{
    char h[65], c[65], when[TIMEUTIL_RFC3339_LEN];
    int len = 0;

    if (timeutil_rfc3339(recorded_ms, when) != 0)
        return -1;
    identity_hex_encode(ballot_hash, 32, h);
    identity_hex_encode(chain, 32, c);
    put(out, BALLOT_TEXT_MAX, &len,
        "b40-receipt-v1\nnetwork: %s\nelection: %lld\nround: %d\nseq: %lld\nballot-sha256: %s\nchain: %s\nrecorded: %s\n",
        IDENTITY_NETWORK, (long long)election, (int)round, (long long)seq, h, c, when);
    return len;
}

int receipt_batch_format(int64_t batch, size_t leaves, const uint8_t root[32], int64_t signed_ms, char *out)
{
    char r[65], when[TIMEUTIL_RFC3339_LEN];
    int len = 0;

    if (batch < 1 || leaves < 1 || leaves > RECEIPT_BATCH_MAX || timeutil_rfc3339(signed_ms, when) != 0)
        return -1;
    identity_hex_encode(root, 32, r);
    put(out, BALLOT_TEXT_MAX, &len, "b40-receipt-batch-v1\nnetwork: %s\nbatch: %lld\nleaves: %zu\nroot: %s\nsigned: %s\n",
        IDENTITY_NETWORK, (long long)batch, leaves, r, when);
    return len;
}

int chain_head_format(int64_t election, int32_t round, int64_t seq, const uint8_t chain[32], int64_t closed_ms,
                      char *out)
{
    char c[65], when[TIMEUTIL_RFC3339_LEN];
    int len = 0;

    if (timeutil_rfc3339(closed_ms, when) != 0)
        return -1;
    identity_hex_encode(chain, 32, c);
    put(out, BALLOT_TEXT_MAX, &len, "b40-chain-head-v1\nnetwork: %s\nelection: %lld\nround: %d\nseq: %lld\nchain: %s\nclosed: %s\n",
        IDENTITY_NETWORK, (long long)election, (int)round, (long long)seq, c, when);
    return len;
}

/* ---- working-group motions ---- */

static bool motion_choice_ok(const char *c)
{
    return !strcmp(c, MOTION_CHOICE_YES) || !strcmp(c, MOTION_CHOICE_NO) || !strcmp(c, BALLOT_ABSTAIN);
}

int motion_ballot_format(const struct motion_ballot *b, char *out)
{
    char poll[65], nonce[2 * BALLOT_NONCE_BYTES + 1];
    int len = 0;

    if (b->motion < 1 || !code_ok(b->city) || !motion_choice_ok(b->choice))
        return -1;
    identity_hex_encode(b->poll, 32, poll);
    identity_hex_encode(b->nonce, BALLOT_NONCE_BYTES, nonce);
    put(out, BALLOT_TEXT_MAX, &len, "b40-motion-ballot-v1\nnetwork: %s\nmotion: %lld\npoll: %s\ncity: %s\nchoice: %s\nnonce: %s\n",
        IDENTITY_NETWORK, (long long)b->motion, poll, b->city, b->choice, nonce);
    return len;
}

int motion_ballot_parse(const char *text, size_t len, struct motion_ballot *out)
{
    static const char head[] = "b40-motion-ballot-v1\n";
    const char *p = text, *end = text + len;
    char v[80], again[BALLOT_TEXT_MAX];
    int alen;

    memset(out, 0, sizeof(*out));
    if (len > BALLOT_TEXT_MAX || len < sizeof(head) - 1 || memcmp(p, head, sizeof(head) - 1))
        return -1;
    p += sizeof(head) - 1;
    if (take(&p, end, "network", v, sizeof(v)) || strcmp(v, IDENTITY_NETWORK))
        return -1;
    if (take(&p, end, "motion", v, sizeof(v)) || parse_int(v, 9007199254740991LL, &out->motion))
        return -1;
    if (take(&p, end, "poll", v, sizeof(v)) || identity_hex_decode(v, out->poll, 32))
        return -1;
    if (take(&p, end, "city", out->city, sizeof(out->city)) || take(&p, end, "choice", out->choice, sizeof(out->choice)))
        return -1;
    if (take(&p, end, "nonce", v, sizeof(v)) || identity_hex_decode(v, out->nonce, BALLOT_NONCE_BYTES))
        return -1;
    if (p != end)
        return -1;
    alen = motion_ballot_format(out, again);
    if (alen < 0 || (size_t)alen != len || memcmp(again, text, len))
        return -1;
    return 0;
}

int motion_poll_format(const struct motion_poll *p, char *out)
{
    char text[65], keys[65], opened[TIMEUTIL_RFC3339_LEN];
    int len = 0;

    if (p->motion < 1 || p->session < 1 || !p->group || !code_ok(p->group) || !p->quorum_den ||
        p->quorum_num > p->quorum_den || timeutil_rfc3339(p->opened_ms, opened) != 0)
        return -1;
    identity_hex_encode(p->text_sha256, 32, text);
    identity_hex_encode(p->eligible_keys_sha256, 32, keys);
    put(out, POLL_TEXT_MAX, &len, "b40-motion-poll-v1\nnetwork: %s\nmotion: %lld\ngroup: %s\nsession: %lld\ntext-sha256: %s\n",
        IDENTITY_NETWORK, (long long)p->motion, p->group, (long long)p->session, text);
    put(out, POLL_TEXT_MAX, &len, "quorum: %u/%u\nmembers: %s\npresent: %s\neligible: %s\n", p->quorum_num, p->quorum_den,
        p->members, p->present, p->eligible);
    put(out, POLL_TEXT_MAX, &len, "eligible-keys-sha256: %s\nopened: %s\n", keys, opened);
    return len;
}

void motion_chain_genesis(int64_t motion, uint8_t out[32])
{
    char text[128];
    int n = snprintf(text, sizeof(text), "b40-motion-chain-v1\nnetwork: %s\nmotion: %lld\n", IDENTITY_NETWORK,
                     (long long)motion);

    crypto_hash_sha256(out, (const uint8_t *)text, (size_t)n);
}

int motion_receipt_format(int64_t motion, int64_t seq, const uint8_t ballot_hash[32], const uint8_t chain[32],
                          int64_t recorded_ms, char *out)
{
    char h[65], c[65], when[TIMEUTIL_RFC3339_LEN];
    int len = 0;

    if (timeutil_rfc3339(recorded_ms, when) != 0)
        return -1;
    identity_hex_encode(ballot_hash, 32, h);
    identity_hex_encode(chain, 32, c);
    put(out, BALLOT_TEXT_MAX, &len,
        "b40-motion-receipt-v1\nnetwork: %s\nmotion: %lld\nseq: %lld\nballot-sha256: %s\nchain: %s\nrecorded: %s\n",
        IDENTITY_NETWORK, (long long)motion, (long long)seq, h, c, when);
    return len;
}

int motion_chain_head_format(int64_t motion, int64_t seq, const uint8_t chain[32], int64_t closed_ms, char *out)
{
    char c[65], when[TIMEUTIL_RFC3339_LEN];
    int len = 0;

    if (timeutil_rfc3339(closed_ms, when) != 0)
        return -1;
    identity_hex_encode(chain, 32, c);
    put(out, BALLOT_TEXT_MAX, &len, "b40-motion-chain-head-v1\nnetwork: %s\nmotion: %lld\nseq: %lld\nchain: %s\nclosed: %s\n",
        IDENTITY_NETWORK, (long long)motion, (long long)seq, c, when);
    return len;
}
