/*
 * merkle: the RFC 9162 Merkle tree of a batch of receipts. See
 * include/b40/merkle.h.
 *
 * The tree is built bottom-up: level 0 is the leaf hashes; each next level
 * pairs neighbours (0,1), (2,3), ... into node hashes, and a last node
 * without a partner moves up unchanged. This gives exactly RFC 9162's MTH
 * (which splits at the largest power of two below n) with n - 1 hashes, and
 * keeping every level makes a leaf's audit path a walk up the levels: the
 * sibling at each level where there is one.
 */
#include "b40/merkle.h"

#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

/* Levels of a tree of up to 2^64 - 1 leaves: the leaves and at most 64 above them. */
#define LEVELS_MAX (MERKLE_PATH_MAX + 1)

struct merkle_tree {
    size_t n;                 /* leaves */
    size_t levels;            /* level 0 (the leaves) .. levels - 1 (the root alone) */
    size_t first[LEVELS_MAX]; /* index in node[] of each level's first node */
    size_t count[LEVELS_MAX]; /* nodes in each level */
    uint8_t node[][32];       /* every level, the leaves first */
};

void merkle_leaf_hash(const void *data, size_t len, uint8_t out[32])
{
    static const uint8_t prefix = 0x00;
    crypto_hash_sha256_state st;

    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, &prefix, 1);
    crypto_hash_sha256_update(&st, data, len);
    crypto_hash_sha256_final(&st, out);
}

/* SHA-256(0x01 || left || right). out may alias left or right. */
static void node_hash(const uint8_t left[32], const uint8_t right[32], uint8_t out[32])
{
    uint8_t in[65];

    in[0] = 0x01;
    memcpy(in + 1, left, 32);
    memcpy(in + 33, right, 32);
    crypto_hash_sha256(out, in, sizeof(in));
}

struct merkle_tree *merkle_build(const uint8_t (*leaves)[32], size_t n)
{
    struct merkle_tree *t;
    size_t levels = 1, total = n;

    if (n == 0)
        return NULL;
    /* Every level holds half the one below, rounded up: at most 2n + 65 nodes of 32 bytes in all. */
    if (n > (SIZE_MAX - sizeof(*t)) / 64 - LEVELS_MAX)
        return NULL;
    for (size_t c = n; c > 1; levels++) {
        c = c / 2 + c % 2;
        total += c;
    }
    assert(levels <= LEVELS_MAX);
    t = malloc(sizeof(*t) + total * 32);
    if (!t)
        return NULL;
    t->n = n;
    t->levels = levels;
    t->first[0] = 0;
    t->count[0] = n;
    memcpy(t->node, leaves, n * 32);
    for (size_t k = 1; k < levels; k++) {
        const uint8_t(*below)[32] = t->node + t->first[k - 1];
        size_t below_count = t->count[k - 1];
        uint8_t(*here)[32];

        t->first[k] = t->first[k - 1] + below_count;
        t->count[k] = below_count / 2 + below_count % 2;
        here = t->node + t->first[k];
        for (size_t j = 0; 2 * j + 1 < below_count; j++)
            node_hash(below[2 * j], below[2 * j + 1], here[j]);
        if (below_count % 2)
            memcpy(here[t->count[k] - 1], below[below_count - 1], 32);
    }
    assert(t->count[levels - 1] == 1 && t->first[levels - 1] + 1 == total);
    return t;
}

void merkle_root(const struct merkle_tree *t, uint8_t out[32])
{
    memcpy(out, t->node[t->first[t->levels - 1]], 32);
}

size_t merkle_leaves(const struct merkle_tree *t)
{
    return t->n;
}

size_t merkle_path(const struct merkle_tree *t, size_t m, uint8_t path[][32])
{
    size_t len = 0, i = m;

    assert(m < t->n);
    if (m >= t->n)
        return 0;
    /* At each level below the root: the sibling of the node on the way up, if it has one (a last
     * node without a partner moved up unchanged, which RFC 9162's path skips just the same). */
    for (size_t k = 0; k + 1 < t->levels; k++) {
        const uint8_t(*level)[32] = t->node + t->first[k];

        if (i % 2)
            memcpy(path[len++], level[i - 1], 32);
        else if (i + 1 < t->count[k])
            memcpy(path[len++], level[i + 1], 32);
        i /= 2;
    }
    assert(len <= MERKLE_PATH_MAX);
    return len;
}

void merkle_free(struct merkle_tree *t)
{
    free(t);
}

bool merkle_verify(const uint8_t leaf[32], uint64_t m, uint64_t n, const uint8_t path[][32], size_t path_len,
                   const uint8_t root[32])
{
    uint64_t fn, sn;
    uint8_t r[32];

    /* The steps of RFC 9162 2.1.3.2, numbered as there. */
    if (m >= n) /* 1 */
        return false;
    fn = m; /* 2 */
    sn = n - 1;
    memcpy(r, leaf, 32); /* 3 */
    for (size_t i = 0; i < path_len; i++) { /* 4 */
        if (sn == 0) /* a: the path is longer than the tree is high */
            return false;
        if ((fn & 1) || fn == sn) { /* b: p is the left sibling */
            node_hash(path[i], r, r);
            while (!(fn & 1) && fn != 0) { /* fn == sn: skip the levels where it moved up unpaired */
                fn >>= 1;
                sn >>= 1;
            }
        } else {
            node_hash(r, path[i], r);
        }
        fn >>= 1; /* c */
        sn >>= 1;
    }
    /* 5: sn == 0 means the path reached the root's level (not too short). */
    return sn == 0 && memcmp(r, root, 32) == 0;
}
