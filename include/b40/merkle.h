/*
 * merkle: the Merkle tree of RFC 9162 section 2.1 (SHA-256) over which one
 * group-commit batch of receipts is signed once: the tree head (root), each
 * leaf's inclusion proof (audit path), and its verification. Pure functions
 * and one plain structure (libsodium for SHA-256): no database, no socket,
 * no clock. Any thread; a built tree is read-only, so several threads may
 * read one tree at once.
 *
 *   leaf hash = SHA-256(0x00 || data)
 *   node hash = SHA-256(0x01 || left || right)
 *
 * The exact definitions, the verification steps and known-answer vectors are
 * in docs/audit.md ("Batch-signed receipts").
 */
#ifndef B40_MERKLE_H
#define B40_MERKLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Room for an audit path. A path of a tree of n leaves has at most
 * ceil(log2 n) entries: 63 up to n = 2^63, 64 for a uint64_t n above that.
 */
#define MERKLE_PATH_MAX 64

/* The leaf hash of len bytes of data: SHA-256(0x00 || data). */
void merkle_leaf_hash(const void *data, size_t len, uint8_t out[32]);

/* A built tree with every level kept, so that a path is read, not recomputed. */
struct merkle_tree;

/*
 * Builds the tree over n >= 1 leaf hashes (copied; the caller keeps leaves),
 * bottom-up with n - 1 node hashes. NULL for n == 0 or when memory ran out.
 * The caller frees the tree with merkle_free.
 */
struct merkle_tree *merkle_build(const uint8_t (*leaves)[32], size_t n) __attribute__((warn_unused_result));

/* The root (RFC 9162's MTH) into out; for one leaf it is that leaf's hash. */
void merkle_root(const struct merkle_tree *t, uint8_t out[32]);

/* The number of leaves the tree was built over. */
size_t merkle_leaves(const struct merkle_tree *t);

/*
 * The audit path of leaf m (RFC 9162 2.1.3.1, nearest the leaf first) into
 * path, which has room for MERKLE_PATH_MAX entries; returns the number of
 * entries (0 for a tree of one leaf). m must be below merkle_leaves(t) (an
 * assert; without asserts 0 is returned for a larger m). O(log n), no hashing.
 */
size_t merkle_path(const struct merkle_tree *t, size_t m, uint8_t path[][32]);

/* Frees the tree; NULL is allowed. */
void merkle_free(struct merkle_tree *t);

/*
 * RFC 9162 2.1.3.2: true when leaf hash `leaf` at index m of a tree of n
 * leaves, with the path_len entries of path, gives root. False for m >= n
 * (so also for n == 0), a path of the wrong length, or any mismatch. Pure:
 * no allocation; path may be NULL when path_len is 0.
 */
bool merkle_verify(const uint8_t leaf[32], uint64_t m, uint64_t n, const uint8_t path[][32], size_t path_len,
                   const uint8_t root[32]) __attribute__((warn_unused_result));

#endif
