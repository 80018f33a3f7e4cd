// web/js/merkle.js, the browser's check of a receipt's place in its
// batch-signed Merkle tree (RFC 9162 section 2.1; docs/audit.md
// "Batch-signed receipts"), run in Node: the known-answer vectors of
// tests/unit/test_merkle.c (computed with Python's hashlib), every audit path
// of trees of 1..40 leaves built by a small recursive builder here (node:crypto,
// independent of the module), the failure cases, and the module as the real
// server serves it.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, webcrypto } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { SOURCE, startServer } from '../lib/harness.mjs';
import { httpGet, stopClean } from './wsutil.mjs';

// Node 18 has WebCrypto only as node:crypto's webcrypto; the module looks up globalThis.crypto.
if (!globalThis.crypto?.subtle) globalThis.crypto = webcrypto;

const MODULE = join(SOURCE, 'web', 'js', 'merkle.js');
const { leafHash, verifyInclusion, hex, unhex, PATH_MAX } = await import(pathToFileURL(MODULE).href);

// Leaf i is the ASCII string "i"; made with python3 hashlib (see tests/unit/test_merkle.c).
const KAT_LEAF = [
  'db3426e878068d28d269b6c87172322ce5372b65756d0789001d34835f601c03',
  '2215e8ac4e2b871c2a48189e79738c956c081e23ac2f2415bf77da199dfd920c',
  'fa61e3dec3439589f4784c893bf321d0084f04c572c7af2b68e3f3360a35b486',
  '906c5d2485cae722073a430f4d04fe1767507592cef226629aeadb85a2ec909d',
  '11e1f558223f4c71b6be1cecfd1f0de87146d2594877c27b29ec519f9040213c',
  '53304f5e3fd4bcd20b39abdef2fe118031cc5ae8217bcea008dea7e27869348a',
  '3bf9c81c231cae70b678d3f3038f9f4f6d6b9d7adcf9b378f25919ae53d17686',
];
const KAT_ROOT = [
  null,
  'db3426e878068d28d269b6c87172322ce5372b65756d0789001d34835f601c03',
  'cb00989d94a569c0a678ae042b63dcd4625db96440517f37a6eb7976ea24ed4b',
  '725d5230db68f557470dc35f1d8865813acd7ebb07ad152774141decbae71327',
  '9f4a3fc20d4162dc37d4e23d907848731a76043ffff6d69288bf1abfbcff478e',
  'b6748f6ed7a99de7da84fd97e1a3bac6fab8999f4a43695cab9528a2de431147',
  '32805cc5e94134743d0aa580ef2ee332687b687fc2e4e2f72fee1cc712e0ba0c',
  'a3e23b32ccb6bf96d092d165d8aa546e09829de8f03b0e8957581d1e16b92bdf',
];
const KAT_PATH_3_OF_7 = [
  'fa61e3dec3439589f4784c893bf321d0084f04c572c7af2b68e3f3360a35b486',
  'cb00989d94a569c0a678ae042b63dcd4625db96440517f37a6eb7976ea24ed4b',
  '973f083957c7359fb1943acf9e6689bca6ca5ea7197d808aad3c14498689efe0',
];
const KAT_PATH_6_OF_7 = [
  'd2737dce8a7df1d7d5cf4d5f52d274802c71bfe20a2e078682e71c182d398c90',
  '9f4a3fc20d4162dc37d4e23d907848731a76043ffff6d69288bf1abfbcff478e',
];

// ---- the reference builder: RFC 9162 2.1.1 and 2.1.3.1 as written there ----

const sha = (...parts) => new Uint8Array(createHash('sha256').update(Buffer.concat(parts.map((p) => Buffer.from(p)))).digest());
const refLeaf = (data) => sha([0x00], typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
const split = (n) => { let k = 1; while (2 * k < n) k *= 2; return k; };
function mth(d) {
  if (d.length === 1) return d[0];
  const k = split(d.length);
  return sha([0x01], mth(d.slice(0, k)), mth(d.slice(k)));
}
function path(m, d) {
  if (d.length === 1) return [];
  const k = split(d.length);
  return m < k ? [...path(m, d.slice(0, k)), mth(d.slice(k))] : [...path(m - k, d.slice(k)), mth(d.slice(0, k))];
}
/** The side of each path entry ('R': the sibling is on the right), without hashing. */
function sides(m, n) {
  if (n === 1) return '';
  const k = split(n);
  return m < k ? sides(m, k) + 'R' : sides(m - k, n - k) + 'L';
}

const LEAVES = Array.from({ length: 81 }, (_, i) => refLeaf(`leaf ${i}`));
const flip = (h, bit) => { const c = h.slice(); c[bit >> 3] ^= 1 << (bit & 7); return c; };

describe('merkle.js known answers (python3 hashlib)', () => {
  test('leafHash of "0".."6" as strings and as bytes, and of nothing', async () => {
    for (let i = 0; i < 7; i++) {
      assert.equal(hex(await leafHash(String(i))), KAT_LEAF[i], `leaf "${i}"`);
      assert.equal(hex(await leafHash(new TextEncoder().encode(String(i)))), KAT_LEAF[i]);
      assert.equal(hex(await leafHash(new TextEncoder().encode(String(i)).buffer)), KAT_LEAF[i]);
    }
    // SHA-256 of the byte 0x00, as in RFC 6962's test vectors.
    assert.equal(hex(await leafHash('')), '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d');
    await assert.rejects(leafHash(42), TypeError);
  });

  test('the builder here gives the roots for n = 1..7 and the paths of leaves 3 and 6 of 7', () => {
    const d = KAT_LEAF.map(unhex);
    for (let n = 1; n <= 7; n++) assert.equal(hex(mth(d.slice(0, n))), KAT_ROOT[n], `root of ${n}`);
    assert.deepEqual(path(3, d).map(hex), KAT_PATH_3_OF_7);
    assert.deepEqual(path(6, d).map(hex), KAT_PATH_6_OF_7);
  });

  test('leaves 3 and 6 of 7 verify from the vectors alone; changed ones do not', async () => {
    const leaf = unhex(KAT_LEAF[3]);
    assert.equal(await verifyInclusion(leaf, 3, 7, KAT_PATH_3_OF_7, KAT_ROOT[7]), true);
    assert.equal(await verifyInclusion(KAT_LEAF[3], 3, 7, KAT_PATH_3_OF_7, KAT_ROOT[7]), true, 'leaf as hex');
    assert.equal(await verifyInclusion(leaf, 3n, 7n, KAT_PATH_3_OF_7, KAT_ROOT[7]), true, 'BigInt m and n');
    assert.equal(await verifyInclusion(leaf, 3, 4, KAT_PATH_3_OF_7, KAT_ROOT[7]), false, 'n = 4 needs 2 entries');
    assert.equal(await verifyInclusion(leaf, 3, 9, KAT_PATH_3_OF_7, KAT_ROOT[7]), false, 'n = 9 needs 4 entries');
    assert.equal(await verifyInclusion(unhex(KAT_LEAF[2]), 3, 7, KAT_PATH_3_OF_7, KAT_ROOT[7]), false, 'another leaf');
    assert.equal(await verifyInclusion(leaf, 2, 7, KAT_PATH_3_OF_7, KAT_ROOT[7]), false, 'another index');
    assert.equal(await verifyInclusion(leaf, 3, 7, KAT_PATH_3_OF_7, KAT_ROOT[6]), false, 'another root');
    // the same shape, so the same check: n is fixed by the signature, not by the path
    for (const n of [5, 6, 8]) assert.equal(await verifyInclusion(leaf, 3, n, KAT_PATH_3_OF_7, KAT_ROOT[7]), true, `n = ${n}`);
    const leaf6 = unhex(KAT_LEAF[6]);
    assert.equal(await verifyInclusion(leaf6, 6, 7, KAT_PATH_6_OF_7, KAT_ROOT[7]), true, 'leaf 6 of 7');
    assert.equal(await verifyInclusion(leaf6, 5, 7, KAT_PATH_6_OF_7, KAT_ROOT[7]), false, 'leaf 6 as 5');
    assert.equal(await verifyInclusion(leaf6, 6, 8, KAT_PATH_6_OF_7, KAT_ROOT[7]), false, 'n = 8 needs 3 entries');
  });
});

describe('merkle.js against the RFC 9162 builder', () => {
  test('every path of every tree of 1..40 leaves verifies, with the RFC lengths', async () => {
    for (let n = 1; n <= 40; n++) {
      const d = LEAVES.slice(0, n);
      const root = hex(mth(d));
      for (let m = 0; m < n; m++) {
        const p = path(m, d).map(hex);
        assert.equal(p.length, sides(m, n).length);
        assert.ok(p.length <= Math.ceil(Math.log2(n)), `path of ${m} of ${n} is ${p.length} long`);
        assert.equal(await verifyInclusion(d[m], m, n, p, root), true, `leaf ${m} of ${n}`);
      }
      assert.equal(path(0, d).length, Math.ceil(Math.log2(n)), `leaf 0 of ${n} is the deepest`);
    }
    assert.equal(path(0, LEAVES.slice(0, 1)).length, 0, 'one leaf: an empty path');
    assert.equal(await verifyInclusion(LEAVES[0], 0, 1, [], hex(LEAVES[0])), true, 'one leaf: root = leaf hash');
  });

  test('a flipped bit in the leaf, any path entry or the root does not verify', async () => {
    for (const n of [1, 2, 3, 5, 7, 8, 13, 21, 32, 33, 40]) {
      const d = LEAVES.slice(0, n);
      const root = mth(d);
      for (let m = 0; m < n; m++) {
        const p = path(m, d);
        for (const bit of [0, 77, 255]) {
          assert.equal(await verifyInclusion(flip(d[m], bit), m, n, p.map(hex), hex(root)), false);
          assert.equal(await verifyInclusion(d[m], m, n, p.map(hex), hex(flip(root, bit))), false);
          for (let e = 0; e < p.length; e++) {
            const q = p.map((x, i) => hex(i === e ? flip(x, bit) : x));
            assert.equal(await verifyInclusion(d[m], m, n, q, hex(root)), false, `entry ${e} of leaf ${m} of ${n}`);
          }
        }
      }
    }
  });

  test('a wrong index or size, or a path one too short or too long, does not verify', async () => {
    for (const n of [...Array(17).keys()].slice(1).concat([21, 31, 32, 33, 40])) {
      const d = LEAVES.slice(0, n);
      const root = hex(mth(d));
      // Other sizes: all up to 2n + 2 for small trees; around n and the powers of two for larger.
      const sizes = n <= 16
        ? [...Array(2 * n + 3).keys()]
        : [n - 3, n - 2, n - 1, n + 1, n + 2, n + 3, 15, 16, 17, 31, 32, 33, 63, 64, 65, 2 * n, 2 * n + 1];
      for (let m = 0; m < n; m++) {
        const p = path(m, d).map(hex);
        if (p.length > 0) assert.equal(await verifyInclusion(d[m], m, n, p.slice(0, -1), root), false, 'short');
        assert.equal(await verifyInclusion(d[m], m, n, [...p, root], root), false, 'long');
        assert.equal(await verifyInclusion(d[m], m, n, [...p, '00'.repeat(32)], root), false, 'long');
        for (let other = 0; other < n; other++) {
          if (other !== m) assert.equal(await verifyInclusion(d[m], other, n, p, root), false, `index ${other} for ${m} of ${n}`);
        }
        assert.equal(await verifyInclusion(d[m], n, n, p, root), false, 'm = n');
        assert.equal(await verifyInclusion(d[m], m, m, p, root), false, 'n = m');
        assert.equal(await verifyInclusion(d[m], 0, 0, p, root), false, 'n = 0');
        // The path alone does not fix n: another size checks out exactly when the path has the
        // same shape there (leaf 0 of 3 and of 4), so n must come from the signed batch head.
        for (const n2 of sizes) {
          if (n2 === n) continue;
          const same = n2 > m && sides(m, n2) === sides(m, n);
          assert.equal(await verifyInclusion(d[m], m, n2, p, root), same, `leaf ${m} of ${n} as of ${n2}`);
        }
      }
    }
  });

  test('the longest paths: 63 entries at 2^63 leaves, 64 at 2^64 - 1, never 65', async () => {
    // Leaf 0 with every sibling on the right, roots made by hand.
    const p = [];
    const roots = [];
    let r = LEAVES[0];
    for (let i = 0; i < 65; i++) {
      p.push(LEAVES[i + 1]);
      r = sha([0x01], r, LEAVES[i + 1]);
      roots.push(hex(r));
    }
    const ph = p.map(hex);
    assert.equal(await verifyInclusion(LEAVES[0], 0n, 1n << 63n, ph.slice(0, 63), roots[62]), true);
    assert.equal(await verifyInclusion(LEAVES[0], 0n, 1n << 62n, ph.slice(0, 63), roots[62]), false);
    assert.equal(await verifyInclusion(LEAVES[0], 0n, (1n << 64n) - 1n, ph.slice(0, 64), roots[63]), true);
    assert.equal(await verifyInclusion(LEAVES[0], 0n, (1n << 64n) - 1n, ph.slice(0, 63), roots[62]), false);
    assert.equal(await verifyInclusion(LEAVES[0], 0n, (1n << 64n) - 1n, ph, roots[64]), false);
    assert.equal(PATH_MAX, 64);
  });

  test('malformed arguments give false, never an exception', async () => {
    const d = LEAVES.slice(0, 5);
    const root = hex(mth(d));
    const p = path(2, d).map(hex);
    assert.equal(await verifyInclusion(d[2], 2, 5, p, root), true);
    const cases = [
      [d[2].slice(0, 31), 2, 5, p, root],
      [hex(d[2]).toUpperCase(), 2, 5, p, root],
      ['zz', 2, 5, p, root],
      [null, 2, 5, p, root],
      [d[2], -1, 5, p, root],
      [d[2], 2.5, 5, p, root],
      [d[2], '2', 5, p, root],
      [d[2], 2, 5.5, p, root],
      [d[2], 2, Infinity, p, root],
      [d[2], 2, NaN, p, root],
      [d[2], 2, 2 ** 53, p, root],
      [d[2], 2n, 1n << 64n, p, root],
      [d[2], -1n, 5n, p, root],
      [d[2], 2, 5, p.join(''), root],
      [d[2], 2, 5, null, root],
      [d[2], 2, 5, [...p.slice(0, -1), p.at(-1).toUpperCase()], root],
      [d[2], 2, 5, [...p.slice(0, -1), p.at(-1).slice(2)], root],
      [d[2], 2, 5, [...p.slice(0, -1), unhex(p.at(-1))], root],
      [d[2], 2, 5, Array(PATH_MAX + 1).fill(p[0]), root],
      [d[2], 2, 5, p, root.toUpperCase()],
      [d[2], 2, 5, p, unhex(root)],
      [d[2], 2, 5, p, root + '00'],
    ];
    for (const [i, c] of cases.entries()) assert.equal(await verifyInclusion(...c), false, `case ${i}`);
    assert.throws(() => unhex('abc'), TypeError);
    assert.throws(() => unhex('AB'), TypeError);
    assert.deepEqual([...unhex('00ff10')], [0, 255, 16]);
    assert.equal(hex(new Uint8Array([0, 255, 16])), '00ff10');
  });
});

describe('merkle.js as the server serves it', () => {
  let srv;
  before(async () => { srv = await startServer(); });
  after(async () => { await stopClean(srv); });

  test('GET /js/merkle.js is the module, as JavaScript', async () => {
    const r = await httpGet(srv, '/js/merkle.js');
    assert.equal(r.status, 200);
    assert.match(r.headers['content-type'], /javascript/);
    assert.equal(r.body, readFileSync(MODULE, 'utf8'));
  });
});
