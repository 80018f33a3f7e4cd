/*
 * Unit tests of the Merkle tree (RFC 9162 section 2.1): the bottom-up root
 * and paths equal a plain recursive reference written here from the RFC's
 * definitions; every path verifies; any changed byte, index, size or path
 * length does not; and known-answer vectors computed independently with
 * Python's hashlib.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <sodium.h>

#include "b40/merkle.h"

/*
 * Known-answer vectors. Leaf i is the ASCII string of the decimal number i
 * ("0", "1", ..., "6"). Made with python3 (hashlib), recursively from the
 * RFC, independent of this code:
 *
 *   import hashlib
 *   H = lambda b: hashlib.sha256(b).digest()
 *   def mth(d):  # RFC 9162 2.1.1
 *       if len(d) == 1: return H(b"\0" + d[0])
 *       k = 1
 *       while k * 2 < len(d): k *= 2
 *       return H(b"\1" + mth(d[:k]) + mth(d[k:]))
 *   def path(m, d):  # RFC 9162 2.1.3.1
 *       if len(d) == 1: return []
 *       k = 1
 *       while k * 2 < len(d): k *= 2
 *       return path(m, d[:k]) + [mth(d[k:])] if m < k else path(m - k, d[k:]) + [mth(d[:k])]
 *   d = [str(i).encode() for i in range(7)]
 *   for i in range(7): print("leaf", i, H(b"\0" + d[i]).hex())
 *   for n in range(1, 8): print("root", n, mth(d[:n]).hex())
 *   for p in path(3, d): print("path 3 of 7", p.hex())
 *   for p in path(6, d): print("path 6 of 7", p.hex())
 *   print("MTH(d[2:4])", mth(d[2:4]).hex())
 */
static const char *const KAT_LEAF[7] = {
    "db3426e878068d28d269b6c87172322ce5372b65756d0789001d34835f601c03",
    "2215e8ac4e2b871c2a48189e79738c956c081e23ac2f2415bf77da199dfd920c",
    "fa61e3dec3439589f4784c893bf321d0084f04c572c7af2b68e3f3360a35b486",
    "906c5d2485cae722073a430f4d04fe1767507592cef226629aeadb85a2ec909d",
    "11e1f558223f4c71b6be1cecfd1f0de87146d2594877c27b29ec519f9040213c",
    "53304f5e3fd4bcd20b39abdef2fe118031cc5ae8217bcea008dea7e27869348a",
    "3bf9c81c231cae70b678d3f3038f9f4f6d6b9d7adcf9b378f25919ae53d17686",
};
static const char *const KAT_ROOT[8] = {
    NULL, /* no tree of 0 leaves */
    "db3426e878068d28d269b6c87172322ce5372b65756d0789001d34835f601c03",
    "cb00989d94a569c0a678ae042b63dcd4625db96440517f37a6eb7976ea24ed4b",
    "725d5230db68f557470dc35f1d8865813acd7ebb07ad152774141decbae71327",
    "9f4a3fc20d4162dc37d4e23d907848731a76043ffff6d69288bf1abfbcff478e",
    "b6748f6ed7a99de7da84fd97e1a3bac6fab8999f4a43695cab9528a2de431147",
    "32805cc5e94134743d0aa580ef2ee332687b687fc2e4e2f72fee1cc712e0ba0c",
    "a3e23b32ccb6bf96d092d165d8aa546e09829de8f03b0e8957581d1e16b92bdf",
};
static const char *const KAT_PATH_3_OF_7[3] = {
    "fa61e3dec3439589f4784c893bf321d0084f04c572c7af2b68e3f3360a35b486",
    "cb00989d94a569c0a678ae042b63dcd4625db96440517f37a6eb7976ea24ed4b",
    "973f083957c7359fb1943acf9e6689bca6ca5ea7197d808aad3c14498689efe0",
};
static const char *const KAT_PATH_6_OF_7[2] = {
    "d2737dce8a7df1d7d5cf4d5f52d274802c71bfe20a2e078682e71c182d398c90",
    "9f4a3fc20d4162dc37d4e23d907848731a76043ffff6d69288bf1abfbcff478e",
};
static const char KAT_MTH_2_4[] = "d51f2dfecb59566dabdbb6b40bf651cdf39e677b4425165e217590ff3e010edb";
/* SHA-256 of the single byte 0x00: the leaf hash of empty data (as in RFC 6962's test vectors). */
static const char KAT_EMPTY_LEAF[] = "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d";

#define BIG 1025 /* the largest tree built here */

static uint8_t leaves[BIG][32];

static void unhex(const char *text, uint8_t out[32])
{
    size_t bin_len = 0;

    assert_int_equal(strlen(text), 64);
    assert_int_equal(sodium_hex2bin(out, 32, text, 64, NULL, &bin_len, NULL), 0);
    assert_int_equal(bin_len, 32);
}

static void assert_hash_equal(const uint8_t got[32], const char *want_hex)
{
    char got_hex[65];

    sodium_bin2hex(got_hex, sizeof(got_hex), got, 32);
    assert_string_equal(got_hex, want_hex);
}

/* ---- the reference: RFC 9162 2.1.1 and 2.1.3.1 as written there, recursive ---- */

static void ref_leaf(const void *data, size_t len, uint8_t out[32])
{
    uint8_t in[64];

    assert_true(len < sizeof(in));
    in[0] = 0x00;
    memcpy(in + 1, data, len);
    crypto_hash_sha256(out, in, len + 1);
}

/* The largest power of two smaller than n (n >= 2). */
static size_t split(size_t n)
{
    size_t k = 1;

    while (2 * k < n)
        k *= 2;
    return k;
}

/* MTH(D[0:n]) over leaf hashes d. */
static void ref_mth(const uint8_t (*d)[32], size_t n, uint8_t out[32])
{
    uint8_t in[65];
    size_t k;

    if (n == 1) {
        memcpy(out, d[0], 32);
        return;
    }
    k = split(n);
    in[0] = 0x01;
    ref_mth(d, k, in + 1);
    ref_mth(d + k, n - k, in + 33);
    crypto_hash_sha256(out, in, sizeof(in));
}

/* PATH(m, D[0:n]) into path; returns its length. */
static size_t ref_path(size_t m, const uint8_t (*d)[32], size_t n, uint8_t path[][32])
{
    size_t k, len;

    if (n == 1)
        return 0;
    k = split(n);
    if (m < k) {
        len = ref_path(m, d, k, path);
        ref_mth(d + k, n - k, path[len]);
    } else {
        len = ref_path(m - k, d + k, n - k, path);
        ref_mth(d, k, path[len]);
    }
    return len + 1;
}

/* The shape of PATH(m, D[0:n]) without the hashes: per entry 'R' (sibling on the right) or 'L'. */
static void ref_sides(size_t m, size_t n, char *sides)
{
    size_t k, len;

    if (n == 1) {
        sides[0] = '\0';
        return;
    }
    k = split(n);
    if (m < k)
        ref_sides(m, k, sides);
    else
        ref_sides(m - k, n - k, sides);
    len = strlen(sides);
    sides[len] = m < k ? 'R' : 'L';
    sides[len + 1] = '\0';
}

/* Leaf i is the leaf hash of "leaf i". */
static int setup_leaves(void **state)
{
    char text[32];

    (void)state;
    for (size_t i = 0; i < BIG; i++) {
        int len = snprintf(text, sizeof(text), "leaf %zu", i);
        ref_leaf(text, (size_t)len, leaves[i]);
    }
    return 0;
}

/* ---- known answers ---- */

static void test_leaf_hash_known_answers(void **state)
{
    uint8_t h[32];

    (void)state;
    for (int i = 0; i < 7; i++) {
        char text[2] = {(char)('0' + i), '\0'};
        merkle_leaf_hash(text, 1, h);
        assert_hash_equal(h, KAT_LEAF[i]);
    }
    merkle_leaf_hash("", 0, h);
    assert_hash_equal(h, KAT_EMPTY_LEAF);
}

static void test_roots_known_answers(void **state)
{
    uint8_t kat_leaves[7][32], root[32];

    (void)state;
    for (int i = 0; i < 7; i++)
        merkle_leaf_hash((char[]){(char)('0' + i)}, 1, kat_leaves[i]);
    for (size_t n = 1; n <= 7; n++) {
        struct merkle_tree *t = merkle_build((const uint8_t(*)[32])kat_leaves, n);
        assert_non_null(t);
        assert_int_equal(merkle_leaves(t), n);
        merkle_root(t, root);
        assert_hash_equal(root, KAT_ROOT[n]);
        merkle_free(t);
    }
}

static void test_paths_of_7_known_answers(void **state)
{
    uint8_t kat_leaves[7][32], path[MERKLE_PATH_MAX][32], root[32];
    const uint8_t(*p)[32] = (const uint8_t(*)[32])path;
    struct merkle_tree *t;

    (void)state;
    for (int i = 0; i < 7; i++)
        unhex(KAT_LEAF[i], kat_leaves[i]);
    t = merkle_build((const uint8_t(*)[32])kat_leaves, 7);
    assert_non_null(t);
    assert_int_equal(merkle_path(t, 3, path), 3);
    for (int i = 0; i < 3; i++)
        assert_hash_equal(path[i], KAT_PATH_3_OF_7[i]);
    assert_int_equal(merkle_path(t, 6, path), 2);
    for (int i = 0; i < 2; i++)
        assert_hash_equal(path[i], KAT_PATH_6_OF_7[i]);
    merkle_free(t);
    t = merkle_build((const uint8_t(*)[32])kat_leaves + 2, 2); /* the first step of leaf 3's check */
    assert_non_null(t);
    merkle_root(t, root);
    assert_hash_equal(root, KAT_MTH_2_4);
    merkle_free(t);

    /* and verification from the vectors alone, without a tree */
    unhex(KAT_ROOT[7], root);
    for (int i = 0; i < 3; i++)
        unhex(KAT_PATH_3_OF_7[i], path[i]);
    assert_true(merkle_verify(kat_leaves[3], 3, 7, p, 3, root));
    assert_false(merkle_verify(kat_leaves[3], 3, 4, p, 3, root)); /* needs 2 */
    assert_false(merkle_verify(kat_leaves[3], 3, 9, p, 3, root)); /* needs 4 */
    assert_false(merkle_verify(kat_leaves[2], 3, 7, p, 3, root));
    assert_false(merkle_verify(kat_leaves[3], 2, 7, p, 3, root));
    /* the same shape, so the same check: n is fixed by the signature, not by the path */
    assert_true(merkle_verify(kat_leaves[3], 3, 5, p, 3, root));
    assert_true(merkle_verify(kat_leaves[3], 3, 6, p, 3, root));
    assert_true(merkle_verify(kat_leaves[3], 3, 8, p, 3, root));
    for (int i = 0; i < 2; i++)
        unhex(KAT_PATH_6_OF_7[i], path[i]);
    assert_true(merkle_verify(kat_leaves[6], 6, 7, p, 2, root));
    assert_false(merkle_verify(kat_leaves[6], 5, 7, p, 2, root));
    assert_false(merkle_verify(kat_leaves[6], 6, 8, p, 2, root)); /* needs 3 */
}

/* ---- against the reference ---- */

static void check_root(size_t n)
{
    uint8_t got[32], want[32];
    struct merkle_tree *t = merkle_build((const uint8_t(*)[32])leaves, n);

    assert_non_null(t);
    assert_int_equal(merkle_leaves(t), n);
    merkle_root(t, got);
    ref_mth((const uint8_t(*)[32])leaves, n, want);
    assert_memory_equal(got, want, 32);
    merkle_free(t);
}

static void test_root_equals_rfc_mth(void **state)
{
    uint8_t root[32];
    struct merkle_tree *t;

    (void)state;
    for (size_t n = 1; n <= 70; n++)
        check_root(n);
    check_root(1000);
    check_root(1024);
    check_root(1025);

    /* one leaf: the root is that leaf's hash */
    t = merkle_build((const uint8_t(*)[32])leaves, 1);
    assert_non_null(t);
    merkle_root(t, root);
    assert_memory_equal(root, leaves[0], 32);
    merkle_free(t);
}

static void test_build_refuses_no_leaves(void **state)
{
    (void)state;
    assert_null(merkle_build((const uint8_t(*)[32])leaves, 0));
    merkle_free(NULL);
}

/* The tree copied the leaves: changing the caller's array afterwards changes nothing. */
static void test_build_copies_leaves(void **state)
{
    uint8_t mine[5][32], before[32], after[32];
    struct merkle_tree *t;

    (void)state;
    memcpy(mine, leaves, sizeof(mine));
    t = merkle_build((const uint8_t(*)[32])mine, 5);
    assert_non_null(t);
    merkle_root(t, before);
    memset(mine, 0xab, sizeof(mine));
    merkle_root(t, after);
    assert_memory_equal(before, after, 32);
    merkle_free(t);
}

/* Every leaf's path for n = 1..70 (and samples of 1025) equals RFC's PATH and verifies. */
static void check_paths(size_t n, size_t step)
{
    uint8_t got[MERKLE_PATH_MAX][32], want[MERKLE_PATH_MAX][32], root[32];
    struct merkle_tree *t = merkle_build((const uint8_t(*)[32])leaves, n);
    size_t height = 0;

    assert_non_null(t);
    merkle_root(t, root);
    while (((size_t)1 << height) < n)
        height++; /* ceil(log2 n): the longest path */
    for (size_t m = 0; m < n; m += step) {
        size_t len = merkle_path(t, m, got);
        size_t want_len = ref_path(m, (const uint8_t(*)[32])leaves, n, want);

        assert_int_equal(len, want_len);
        assert_true(len <= height);
        assert_memory_equal(got, want, len * 32);
        assert_true(merkle_verify(leaves[m], m, n, (const uint8_t(*)[32])got, len, root));
    }
    /* Leaf 0 is the deepest: its path is as long as any. */
    assert_int_equal(merkle_path(t, 0, got), height);
    merkle_free(t);
}

static void test_paths_equal_rfc_path_and_verify(void **state)
{
    (void)state;
    for (size_t n = 1; n <= 70; n++)
        check_paths(n, 1);
    check_paths(1024, 7);
    check_paths(1025, 3);
    check_paths(1025, 1024); /* leaf 1024 of 1025: one step, straight to the root */
}

static void test_path_lengths(void **state)
{
    static const struct {
        size_t n, m, len;
    } cases[] = {
        {1, 0, 0}, {2, 0, 1}, {2, 1, 1}, {3, 0, 2}, {3, 2, 1},  {4, 3, 2},  {5, 4, 1},
        {7, 3, 3}, {7, 6, 2}, {8, 7, 3}, {9, 8, 1}, {70, 69, 3}, {70, 0, 7}, {1025, 1024, 1},
        {1025, 0, 11},
    };
    uint8_t path[MERKLE_PATH_MAX][32];

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct merkle_tree *t = merkle_build((const uint8_t(*)[32])leaves, cases[i].n);
        assert_non_null(t);
        assert_int_equal(merkle_path(t, cases[i].m, path), cases[i].len);
        merkle_free(t);
    }
}

/* ---- what must not verify ---- */

static void check_rejections(size_t n)
{
    uint8_t path[MERKLE_PATH_MAX + 1][32], root[32], leaf[32], bad_root[32];
    char sides[MERKLE_PATH_MAX + 1], other_sides[MERKLE_PATH_MAX + 1];
    struct merkle_tree *t = merkle_build((const uint8_t(*)[32])leaves, n);

    assert_non_null(t);
    merkle_root(t, root);
    for (size_t m = 0; m < n; m++) {
        size_t len = merkle_path(t, m, path);
        const uint8_t(*p)[32] = (const uint8_t(*)[32])path;

        ref_sides(m, n, sides);
        assert_int_equal(strlen(sides), len);
        assert_true(merkle_verify(leaves[m], m, n, p, len, root));

        /* a flipped bit in the leaf, in any path entry, in the root */
        for (size_t bit = 0; bit < 256; bit += 37) {
            memcpy(leaf, leaves[m], 32);
            leaf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
            assert_false(merkle_verify(leaf, m, n, p, len, root));

            memcpy(bad_root, root, 32);
            bad_root[bit / 8] ^= (uint8_t)(1u << (bit % 8));
            assert_false(merkle_verify(leaves[m], m, n, p, len, bad_root));

            for (size_t e = 0; e < len; e++) {
                path[e][bit / 8] ^= (uint8_t)(1u << (bit % 8));
                assert_false(merkle_verify(leaves[m], m, n, p, len, root));
                path[e][bit / 8] ^= (uint8_t)(1u << (bit % 8));
            }
        }

        /* a path one too short (for n > 1) or one too long */
        if (len > 0)
            assert_false(merkle_verify(leaves[m], m, n, p, len - 1, root));
        memcpy(path[len], root, 32); /* whatever the extra entry is */
        assert_false(merkle_verify(leaves[m], m, n, p, len + 1, root));
        memset(path[len], 0, 32);
        assert_false(merkle_verify(leaves[m], m, n, p, len + 1, root));

        /* any other index of this tree: each leaf has its own sequence of left and right */
        for (size_t other = 0; other < n; other++)
            if (other != m)
                assert_false(merkle_verify(leaves[m], other, n, p, len, root));
        /* an index out of range, and a tree of no leaves */
        assert_false(merkle_verify(leaves[m], n, n, p, len, root));
        assert_false(merkle_verify(leaves[m], UINT64_MAX, n, p, len, root));
        assert_false(merkle_verify(leaves[m], m, m, p, len, root));
        assert_false(merkle_verify(leaves[m], 0, 0, p, len, root));

        /*
         * Another size n2. The path alone does not fix n: RFC 9162's steps depend on (m, n)
         * only through the path's length and which side each entry is on, so leaf 0 of 3 and
         * leaf 0 of 4 check the same way. That is why the signed batch head must carry n.
         * Here: verification fails exactly when that sequence differs, and it does for
         * n +- 1 wherever it differs in length.
         */
        for (size_t n2 = m + 1; n2 <= 2 * n + 2; n2++) {
            if (n2 == n)
                continue;
            ref_sides(m, n2, other_sides);
            assert_int_equal(merkle_verify(leaves[m], m, n2, p, len, root), strcmp(sides, other_sides) == 0);
            if (strlen(other_sides) != len)
                assert_false(merkle_verify(leaves[m], m, n2, p, len, root));
        }
    }
    merkle_free(t);
}

static void test_verify_rejects_any_change(void **state)
{
    (void)state;
    for (size_t n = 1; n <= 70; n++)
        check_rejections(n);
}

/* The concrete cases by name: a too-large n changes the path length; leaf 0 of 3 proves as of 4. */
static void test_verify_size_cases(void **state)
{
    uint8_t path[MERKLE_PATH_MAX][32], root[32];
    struct merkle_tree *t = merkle_build((const uint8_t(*)[32])leaves, 5);
    size_t len;

    (void)state;
    assert_non_null(t);
    merkle_root(t, root);
    len = merkle_path(t, 4, path); /* leaf 4 of 5: one entry, MTH(D[0:4]) on the left */
    assert_int_equal(len, 1);
    assert_true(merkle_verify(leaves[4], 4, 5, (const uint8_t(*)[32])path, len, root));
    assert_false(merkle_verify(leaves[4], 4, 6, (const uint8_t(*)[32])path, len, root)); /* needs 2 */
    assert_false(merkle_verify(leaves[4], 4, 4, (const uint8_t(*)[32])path, len, root)); /* m >= n */
    assert_false(merkle_verify(leaves[4], 4, 9, (const uint8_t(*)[32])path, len, root)); /* needs 4 */
    len = merkle_path(t, 0, path); /* leaf 0 of 5: three entries */
    assert_int_equal(len, 3);
    assert_false(merkle_verify(leaves[0], 0, 4, (const uint8_t(*)[32])path, len, root)); /* needs 2 */
    assert_false(merkle_verify(leaves[0], 0, 9, (const uint8_t(*)[32])path, len, root)); /* needs 4 */
    assert_true(merkle_verify(leaves[0], 0, 8, (const uint8_t(*)[32])path, len, root)); /* same shape */
    merkle_free(t);

    t = merkle_build((const uint8_t(*)[32])leaves, 3);
    assert_non_null(t);
    merkle_root(t, root);
    len = merkle_path(t, 0, path);
    assert_true(merkle_verify(leaves[0], 0, 3, (const uint8_t(*)[32])path, len, root));
    assert_true(merkle_verify(leaves[0], 0, 4, (const uint8_t(*)[32])path, len, root));
    merkle_free(t);
}

/*
 * The longest paths: leaf 0 of 2^63 leaves has 63 entries, leaf 0 of 2^64 - 1 leaves has 64
 * (MERKLE_PATH_MAX); one more entry than the size allows never verifies.
 */
static void test_verify_longest_paths(void **state)
{
    uint8_t path[MERKLE_PATH_MAX + 1][32], r63[32], r64[32], r65[32], r[32];
    const uint8_t(*p)[32] = (const uint8_t(*)[32])path;

    (void)state;
    /* Roots by hand for leaf 0, every entry on the right. */
    memcpy(r, leaves[0], 32);
    for (size_t i = 0; i < MERKLE_PATH_MAX + 1; i++) {
        uint8_t in[65] = {0x01};
        memcpy(path[i], leaves[i + 1], 32);
        memcpy(in + 1, r, 32);
        memcpy(in + 33, path[i], 32);
        crypto_hash_sha256(r, in, sizeof(in));
        if (i == 62)
            memcpy(r63, r, 32);
        if (i == 63)
            memcpy(r64, r, 32);
    }
    memcpy(r65, r, 32);
    assert_true(merkle_verify(leaves[0], 0, (uint64_t)1 << 63, p, 63, r63));
    assert_false(merkle_verify(leaves[0], 0, (uint64_t)1 << 62, p, 63, r63)); /* needs 62 */
    assert_false(merkle_verify(leaves[0], 0, ((uint64_t)1 << 63) + 1, p, 63, r63)); /* needs 64 */
    assert_true(merkle_verify(leaves[0], 0, UINT64_MAX, p, 64, r64));
    assert_false(merkle_verify(leaves[0], 0, UINT64_MAX, p, 63, r63));
    assert_false(merkle_verify(leaves[0], 0, UINT64_MAX, p, 65, r65));
    assert_false(merkle_verify(leaves[0], 1, UINT64_MAX, p, 64, r64));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_leaf_hash_known_answers),
        cmocka_unit_test(test_roots_known_answers),
        cmocka_unit_test(test_paths_of_7_known_answers),
        cmocka_unit_test(test_root_equals_rfc_mth),
        cmocka_unit_test(test_build_refuses_no_leaves),
        cmocka_unit_test(test_build_copies_leaves),
        cmocka_unit_test(test_paths_equal_rfc_path_and_verify),
        cmocka_unit_test(test_path_lengths),
        cmocka_unit_test(test_verify_rejects_any_change),
        cmocka_unit_test(test_verify_size_cases),
        cmocka_unit_test(test_verify_longest_paths),
    };

    if (sodium_init() < 0)
        return 1;
    return cmocka_run_group_tests(tests, setup_leaves, NULL);
}
