// Checking a receipt's place in its batch: the Merkle tree of RFC 9162
// section 2.1 (SHA-256), as the server builds it over each group-commit batch
// of receipts and signs its root once (server/merkle.c, docs/audit.md
// "Batch-signed receipts"). An ES module (hex from statements.js) with no DOM
// access; it runs on a page's main thread and in Node (>= 18), using
// globalThis.crypto.subtle (WebCrypto), looked up at each call.
//
//   leaf hash = SHA-256(0x00 || data)
//   node hash = SHA-256(0x01 || left || right)
//
// Only inclusion is checked here (a leaf, its index m, the tree size n, the
// audit path and the root); that the root and n are the ones the server
// signed is the caller's check, with the batch head's signature. Note that
// the path alone does not pin n: a proof of leaf m can also check out for
// another size whose tree has the same shape along m's way up (leaf 0 of 3
// and of 4, say). n must come from the signed head, never from the receipt
// alone.
//
// API
//   PATH_MAX                     64: no tree of n < 2^64 leaves has a longer path
//   hex(bytes) / unhex(text)     lower-case hex <-> Uint8Array (unhex: TypeError when not hex)
//   leafHash(data)               -> Promise<Uint8Array(32)>; data: Uint8Array, ArrayBuffer or
//                                   string (hashed as its UTF-8 bytes)
//   verifyInclusion(leaf, m, n, pathHex, rootHex) -> Promise<boolean>
//                                   RFC 9162 2.1.3.2. leaf: the leaf hash (Uint8Array(32) or
//                                   64 hex); m, n: the leaf's index and the tree size
//                                   (non-negative safe integers or BigInts below 2^64);
//                                   pathHex: the audit path, nearest the leaf first, each
//                                   entry 64 lower-case hex; rootHex: 64 lower-case hex.
//                                   false for m >= n, a path of the wrong length, any
//                                   mismatch, and any argument not of that form (never throws
//                                   for bad input).

import { hex, fromHex } from './statements.js';

export const PATH_MAX = 64;

const HASH_HEX_RE = /^[0-9a-f]{64}$/;
const TWO_64 = 1n << 64n;
const encoder = new TextEncoder();

/** Lower-case hex <-> bytes: statements.js's, under the names this module has always exported. */
export { hex };
export const unhex = fromHex;

async function sha256(bytes) {
  return new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', bytes));
}

/** SHA-256(prefix || a || b) for a one-byte prefix. */
function prefixed(prefix, a, b = new Uint8Array(0)) {
  const buf = new Uint8Array(1 + a.length + b.length);
  buf[0] = prefix;
  buf.set(a, 1);
  buf.set(b, 1 + a.length);
  return sha256(buf);
}

/** The leaf hash SHA-256(0x00 || data) of bytes, or of a string's UTF-8 bytes. */
export async function leafHash(data) {
  let bytes;
  if (typeof data === 'string') bytes = encoder.encode(data);
  else if (data instanceof Uint8Array) bytes = data;
  else if (data instanceof ArrayBuffer) bytes = new Uint8Array(data);
  else throw new TypeError('leafHash: data must be a string, a Uint8Array or an ArrayBuffer');
  return prefixed(0x00, bytes);
}

/** A tree index or size as a BigInt in [0, 2^64), or null. */
function index(x) {
  if (typeof x === 'number') return Number.isSafeInteger(x) && x >= 0 ? BigInt(x) : null;
  if (typeof x === 'bigint') return x >= 0n && x < TWO_64 ? x : null;
  return null;
}

/** A 32-byte hash from a Uint8Array(32) or 64 lower-case hex, or null. */
function hash32(x) {
  if (x instanceof Uint8Array) return x.length === 32 ? x : null;
  if (typeof x === 'string' && HASH_HEX_RE.test(x)) return unhex(x);
  return null;
}

function equal(a, b) {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}

/**
 * RFC 9162 2.1.3.2: does leaf hash `leaf`, at index m of a tree of n leaves,
 * with this audit path, give root? Resolves to a boolean; false for any
 * malformed argument.
 */
export async function verifyInclusion(leaf, m, n, pathHex, rootHex) {
  const leafBytes = hash32(leaf);
  const root = typeof rootHex === 'string' ? hash32(rootHex) : null;
  const fm = index(m);
  const tn = index(n);
  if (!leafBytes || !root || fm === null || tn === null) return false;
  if (!Array.isArray(pathHex) || pathHex.length > PATH_MAX) return false;
  const path = [];
  for (const p of pathHex) {
    if (typeof p !== 'string' || !HASH_HEX_RE.test(p)) return false;
    path.push(unhex(p));
  }

  // The steps of RFC 9162 2.1.3.2, numbered as there.
  if (fm >= tn) return false; // 1
  let fn = fm; // 2
  let sn = tn - 1n;
  let r = leafBytes; // 3
  for (const p of path) { // 4
    if (sn === 0n) return false; // a: the path is longer than the tree is high
    if ((fn & 1n) === 1n || fn === sn) { // b: p is the left sibling
      r = await prefixed(0x01, p, r);
      // fn === sn: skip the levels where this node moved up without a partner
      while ((fn & 1n) === 0n && fn !== 0n) {
        fn >>= 1n;
        sn >>= 1n;
      }
    } else {
      r = await prefixed(0x01, r, p);
    }
    fn >>= 1n; // c
    sn >>= 1n;
  }
  return sn === 0n && equal(r, root); // 5: sn === 0 means the path was not too short
}
