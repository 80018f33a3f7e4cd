// A small QR code encoder (ISO/IEC 18004:2015), byte mode only, written for
// the enrollment links the console shows. An ES module with no dependencies;
// encode() is pure and runs anywhere, toSvg() needs a DOM document.
//
// What it does, in the order of the specification:
//   1. picks the smallest version (1-40) whose byte-mode capacity at the
//      chosen error-correction level (L, M, Q, H; default M) holds the text;
//   2. writes the bit stream: mode 0100, the character count (8 bits up to
//      version 9, 16 from 10), the UTF-8 bytes, a terminator of up to four
//      zeros, zero bits to a byte boundary, then the pad bytes EC 11 EC 11...;
//   3. splits the data codewords into blocks, appends to each its
//      Reed-Solomon check codewords (GF(256) with the polynomial 0x11D,
//      generator roots alpha^0..alpha^(n-1)), and interleaves them;
//   4. draws the function patterns (finders with separators, timing,
//      alignment, the dark module, reserved format and version areas),
//      places the codewords in the two-column zigzag, and for each of the
//      eight masks computes the penalty (runs, 2x2 blocks, finder-like
//      1:1:3:1:1 patterns with four light modules, dark balance); the lowest
//      wins (ties: the lower mask number);
//   5. writes the format information (level and mask, BCH(15,5) with
//      0x537, XOR 0x5412) twice, and from version 7 the version information
//      (BCH(18,6) with 0x1F25) twice.
//
// API
//   encode(text, {ecl = 'M', minVersion = 1, maxVersion = 40, mask = -1})
//       -> {version, size, ecl, mask, modules}   modules[y][x] true = dark
//       RangeError when the text does not fit in maxVersion.
//   toText(qr)      rows of '1' (dark) and '0', joined with '\n' (for tests)
//   toSvg(qr, {border = 4, label})   an <svg> element (DOM APIs only; the
//       text is never parsed as markup), dark modules as one path.

const ECL = {
  //      format bits, index into the tables below
  L: { bits: 1, index: 0 },
  M: { bits: 0, index: 1 },
  Q: { bits: 3, index: 2 },
  H: { bits: 2, index: 3 },
};

// Table 9 of ISO/IEC 18004: check codewords per block, and the number of
// blocks, for versions 1..40 (index 0 unused), at L, M, Q, H.
const ECC_PER_BLOCK = [
  [-1, 7, 10, 15, 20, 26, 18, 20, 24, 30, 18, 20, 24, 26, 30, 22, 24, 28, 30, 28, 28, 28, 28, 30, 30, 26, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30],
  [-1, 10, 16, 26, 18, 24, 16, 18, 22, 22, 26, 30, 22, 22, 24, 24, 28, 28, 26, 26, 26, 26, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28],
  [-1, 13, 22, 18, 26, 18, 24, 18, 22, 20, 24, 28, 26, 24, 20, 30, 24, 28, 28, 26, 30, 28, 30, 30, 30, 30, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30],
  [-1, 17, 28, 22, 16, 22, 28, 26, 26, 24, 28, 24, 28, 22, 24, 24, 30, 28, 28, 26, 28, 30, 24, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30],
];
const NUM_BLOCKS = [
  [-1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 4, 4, 4, 4, 4, 6, 6, 6, 6, 7, 8, 8, 9, 9, 10, 12, 12, 12, 13, 14, 15, 16, 17, 18, 19, 19, 20, 21, 22, 24, 25],
  [-1, 1, 1, 1, 2, 2, 4, 4, 4, 5, 5, 5, 8, 9, 9, 10, 10, 11, 13, 14, 16, 17, 17, 18, 20, 21, 23, 25, 26, 28, 29, 31, 33, 35, 37, 38, 40, 43, 45, 47, 49],
  [-1, 1, 1, 2, 2, 4, 4, 6, 6, 8, 8, 8, 10, 12, 16, 12, 17, 16, 18, 21, 20, 23, 23, 25, 27, 29, 34, 34, 35, 38, 40, 43, 45, 48, 51, 53, 56, 59, 62, 65, 68],
  [-1, 1, 1, 2, 4, 4, 4, 5, 6, 8, 8, 11, 11, 16, 16, 18, 16, 19, 21, 25, 25, 25, 34, 30, 32, 35, 37, 40, 42, 45, 48, 51, 54, 57, 60, 63, 66, 70, 74, 77, 81],
];

// ---- GF(256) and Reed-Solomon --------------------------------------------

/** Product in GF(2^8) modulo x^8 + x^4 + x^3 + x^2 + 1 (0x11D). */
function gfMultiply(x, y) {
  let z = 0;
  for (let i = 7; i >= 0; i--) {
    z = (z << 1) ^ ((z >>> 7) * 0x11d);
    z ^= ((y >>> i) & 1) * x;
  }
  return z & 0xff;
}

/**
 * The generator polynomial of the given degree, prod (x - alpha^i) for
 * i = 0..degree-1, as its coefficients from x^(degree-1) down to x^0 (the
 * leading 1 is implied).
 */
function rsDivisor(degree) {
  const result = new Array(degree).fill(0);
  result[degree - 1] = 1;
  let root = 1;
  for (let i = 0; i < degree; i++) {
    for (let j = 0; j < degree; j++) {
      result[j] = gfMultiply(result[j], root);
      if (j + 1 < degree) result[j] ^= result[j + 1];
    }
    root = gfMultiply(root, 0x02);
  }
  return result;
}

/** The remainder of data(x) * x^n divided by the generator: the n check codewords. */
function rsRemainder(data, divisor) {
  const result = new Array(divisor.length).fill(0);
  for (const b of data) {
    const factor = b ^ result.shift();
    result.push(0);
    for (let i = 0; i < divisor.length; i++) result[i] ^= gfMultiply(divisor[i], factor);
  }
  return result;
}

// ---- capacities ----------------------------------------------------------

/** Modules left for data and check codewords (remainder bits included) in a version. */
function rawDataModules(ver) {
  let result = (16 * ver + 128) * ver + 64;
  if (ver >= 2) {
    const numAlign = Math.floor(ver / 7) + 2;
    result -= (25 * numAlign - 10) * numAlign - 55;
    if (ver >= 7) result -= 36;
  }
  return result;
}

function dataCodewords(ver, ecl) {
  return Math.floor(rawDataModules(ver) / 8) - ECC_PER_BLOCK[ecl.index][ver] * NUM_BLOCKS[ecl.index][ver];
}

/** Centre coordinates of the alignment patterns along one axis (Annex E). */
function alignmentPositions(ver) {
  if (ver === 1) return [];
  const size = ver * 4 + 17;
  const numAlign = Math.floor(ver / 7) + 2;
  const step = Math.floor((ver * 8 + numAlign * 3 + 5) / (numAlign * 4 - 4)) * 2;
  const result = [6];
  for (let pos = size - 7; result.length < numAlign; pos -= step) result.splice(1, 0, pos);
  return result;
}

// ---- the symbol ----------------------------------------------------------

class QrSymbol {
  constructor(ver) {
    this.size = ver * 4 + 17;
    this.modules = Array.from({ length: this.size }, () => new Array(this.size).fill(false));
    this.isFunction = Array.from({ length: this.size }, () => new Array(this.size).fill(false));
  }

  setFunction(x, y, dark) {
    this.modules[y][x] = dark;
    this.isFunction[y][x] = true;
  }
}

function drawFunctionPatterns(sym, ver) {
  const { size } = sym;
  for (let i = 0; i < size; i++) {
    sym.setFunction(6, i, i % 2 === 0);
    sym.setFunction(i, 6, i % 2 === 0);
  }
  // Finders with their separators (a 9x9 area clipped at the edges).
  for (const [cx, cy] of [[3, 3], [size - 4, 3], [3, size - 4]]) {
    for (let dy = -4; dy <= 4; dy++) {
      for (let dx = -4; dx <= 4; dx++) {
        const x = cx + dx;
        const y = cy + dy;
        if (x < 0 || x >= size || y < 0 || y >= size) continue;
        const dist = Math.max(Math.abs(dx), Math.abs(dy));
        sym.setFunction(x, y, dist !== 2 && dist !== 4);
      }
    }
  }
  // Alignment patterns, except where a finder is.
  const pos = alignmentPositions(ver);
  const n = pos.length;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      if ((i === 0 && j === 0) || (i === 0 && j === n - 1) || (i === n - 1 && j === 0)) continue;
      for (let dy = -2; dy <= 2; dy++) {
        for (let dx = -2; dx <= 2; dx++) {
          sym.setFunction(pos[i] + dx, pos[j] + dy, Math.max(Math.abs(dx), Math.abs(dy)) !== 1);
        }
      }
    }
  }
  // Reserve the format areas (written for real after masking) and draw the version.
  drawFormatBits(sym, ECL.M, 0);
  drawVersion(sym, ver);
}

function bit(value, i) {
  return ((value >>> i) & 1) !== 0;
}

/** The 15 format bits (level and mask with their BCH code), in both places, and the dark module. */
function drawFormatBits(sym, ecl, mask) {
  const data = (ecl.bits << 3) | mask;
  let rem = data;
  for (let i = 0; i < 10; i++) rem = (rem << 1) ^ ((rem >>> 9) * 0x537);
  const bits = ((data << 10) | rem) ^ 0x5412;
  const { size } = sym;
  // Around the top-left finder.
  for (let i = 0; i <= 5; i++) sym.setFunction(8, i, bit(bits, i));
  sym.setFunction(8, 7, bit(bits, 6));
  sym.setFunction(8, 8, bit(bits, 7));
  sym.setFunction(7, 8, bit(bits, 8));
  for (let i = 9; i < 15; i++) sym.setFunction(14 - i, 8, bit(bits, i));
  // Under the top-right finder and beside the bottom-left one.
  for (let i = 0; i < 8; i++) sym.setFunction(size - 1 - i, 8, bit(bits, i));
  for (let i = 8; i < 15; i++) sym.setFunction(8, size - 15 + i, bit(bits, i));
  sym.setFunction(8, size - 8, true);
}

/** From version 7: 18 version bits (BCH(18,6)) in two 6x3 blocks. */
function drawVersion(sym, ver) {
  if (ver < 7) return;
  let rem = ver;
  for (let i = 0; i < 12; i++) rem = (rem << 1) ^ ((rem >>> 11) * 0x1f25);
  const bits = (ver << 12) | rem;
  for (let i = 0; i < 18; i++) {
    const dark = bit(bits, i);
    const a = sym.size - 11 + (i % 3);
    const b = Math.floor(i / 3);
    sym.setFunction(a, b, dark);
    sym.setFunction(b, a, dark);
  }
}

/** Places the codewords in the zigzag from the bottom-right corner, skipping function modules. */
function drawCodewords(sym, codewords) {
  const { size } = sym;
  let i = 0;
  const total = codewords.length * 8;
  for (let right = size - 1; right >= 1; right -= 2) {
    if (right === 6) right = 5;   // the vertical timing pattern is skipped as a whole column
    const upward = ((right + 1) & 2) === 0;
    for (let vert = 0; vert < size; vert++) {
      const y = upward ? size - 1 - vert : vert;
      for (let j = 0; j < 2; j++) {
        const x = right - j;
        if (!sym.isFunction[y][x] && i < total) {
          sym.modules[y][x] = bit(codewords[i >>> 3], 7 - (i & 7));
          i++;
        }
        // Remainder bits stay light (0) before masking.
      }
    }
  }
}

const MASKS = [
  (x, y) => (x + y) % 2 === 0,
  (x, y) => y % 2 === 0,
  (x) => x % 3 === 0,
  (x, y) => (x + y) % 3 === 0,
  (x, y) => (Math.floor(x / 3) + Math.floor(y / 2)) % 2 === 0,
  (x, y) => ((x * y) % 2) + ((x * y) % 3) === 0,
  (x, y) => (((x * y) % 2) + ((x * y) % 3)) % 2 === 0,
  (x, y) => (((x + y) % 2) + ((x * y) % 3)) % 2 === 0,
];

/** XORs a mask over the data modules (applying it twice undoes it). */
function applyMask(sym, mask) {
  const f = MASKS[mask];
  for (let y = 0; y < sym.size; y++) {
    for (let x = 0; x < sym.size; x++) {
      if (!sym.isFunction[y][x] && f(x, y)) sym.modules[y][x] = !sym.modules[y][x];
    }
  }
}

const FINDER_LIKE = [
  [true, false, true, true, true, false, true, false, false, false, false],
  [false, false, false, false, true, false, true, true, true, false, true],
];

/** The penalty score of section 7.8.3 for the whole symbol. */
function penalty(sym) {
  const { size, modules } = sym;
  let score = 0;
  const lines = [];
  for (let y = 0; y < size; y++) lines.push(modules[y]);
  for (let x = 0; x < size; x++) lines.push(modules.map((row) => row[x]));

  for (const line of lines) {
    // N1: five or more equal modules in a row: 3 + (length - 5).
    let run = 1;
    for (let i = 1; i <= size; i++) {
      if (i < size && line[i] === line[i - 1]) {
        run++;
      } else {
        if (run >= 5) score += 3 + (run - 5);
        run = 1;
      }
    }
    // N3: dark-light-dark(3)-light-dark next to four light modules, the
    // area outside the symbol counting as light: 40 each.
    const padded = [...new Array(4).fill(false), ...line, ...new Array(4).fill(false)];
    for (let i = 0; i + 11 <= padded.length; i++) {
      for (const pattern of FINDER_LIKE) {
        let match = true;
        for (let k = 0; k < 11 && match; k++) match = padded[i + k] === pattern[k];
        if (match) score += 40;
      }
    }
  }
  // N2: each 2x2 block of one colour: 3.
  for (let y = 0; y + 1 < size; y++) {
    for (let x = 0; x + 1 < size; x++) {
      const c = modules[y][x];
      if (c === modules[y][x + 1] && c === modules[y + 1][x] && c === modules[y + 1][x + 1]) score += 3;
    }
  }
  // N4: 10 for every full 5% the dark share is away from 50%.
  let dark = 0;
  for (const row of modules) for (const m of row) if (m) dark++;
  const total = size * size;
  const k = Math.ceil(Math.abs(dark * 20 - total * 10) / total) - 1;
  score += Math.max(0, k) * 10;
  return score;
}

/** Splits the data codewords into blocks, adds their check codewords and interleaves. */
function addEccAndInterleave(data, ver, ecl) {
  const numBlocks = NUM_BLOCKS[ecl.index][ver];
  const eccLen = ECC_PER_BLOCK[ecl.index][ver];
  const rawCodewords = Math.floor(rawDataModules(ver) / 8);
  const numShort = numBlocks - (rawCodewords % numBlocks);
  const shortLen = Math.floor(rawCodewords / numBlocks);   // a short block's total length
  const divisor = rsDivisor(eccLen);
  const blocks = [];
  for (let i = 0, k = 0; i < numBlocks; i++) {
    const dat = data.slice(k, k + shortLen - eccLen + (i < numShort ? 0 : 1));
    k += dat.length;
    const ecc = rsRemainder(dat, divisor);
    if (i < numShort) dat.push(0);   // a placeholder so that all blocks have one length
    blocks.push(dat.concat(ecc));
  }
  const result = [];
  for (let i = 0; i < blocks[0].length; i++) {
    for (let j = 0; j < blocks.length; j++) {
      if (i !== shortLen - eccLen || j >= numShort) result.push(blocks[j][i]);
    }
  }
  return result;
}

/** See the header. */
export function encode(text, { ecl: level = 'M', minVersion = 1, maxVersion = 40, mask = -1 } = {}) {
  const ecl = ECL[level];
  if (!ecl) throw new RangeError(`unknown error correction level '${level}'`);
  if (!(minVersion >= 1 && maxVersion <= 40 && minVersion <= maxVersion)) throw new RangeError('bad version range');
  if (!(mask >= -1 && mask <= 7)) throw new RangeError('mask must be -1 (choose) or 0..7');
  const bytes = new TextEncoder().encode(String(text));

  let ver = minVersion;
  for (;; ver++) {
    const countBits = ver <= 9 ? 8 : 16;
    if (4 + countBits + bytes.length * 8 <= dataCodewords(ver, ecl) * 8) break;
    if (ver >= maxVersion) throw new RangeError(`the text (${bytes.length} bytes) does not fit in a version ${maxVersion} QR code`);
  }

  // The bit stream.
  const bits = [];
  const put = (value, len) => { for (let i = len - 1; i >= 0; i--) bits.push((value >>> i) & 1); };
  put(0b0100, 4);
  put(bytes.length, ver <= 9 ? 8 : 16);
  for (const b of bytes) put(b, 8);
  const capacity = dataCodewords(ver, ecl) * 8;
  put(0, Math.min(4, capacity - bits.length));
  put(0, (8 - (bits.length % 8)) % 8);
  const data = [];
  for (let i = 0; i < bits.length; i += 8) {
    let v = 0;
    for (let j = 0; j < 8; j++) v = (v << 1) | bits[i + j];
    data.push(v);
  }
  for (let pad = 0xec; data.length < capacity / 8; pad ^= 0xec ^ 0x11) data.push(pad);

  const sym = new QrSymbol(ver);
  drawFunctionPatterns(sym, ver);
  drawCodewords(sym, addEccAndInterleave(data, ver, ecl));

  let chosen = mask;
  if (chosen === -1) {
    let best = Infinity;
    for (let m = 0; m < 8; m++) {
      applyMask(sym, m);
      drawFormatBits(sym, ecl, m);
      const p = penalty(sym);
      if (p < best) { best = p; chosen = m; }
      applyMask(sym, m);
    }
  }
  applyMask(sym, chosen);
  drawFormatBits(sym, ecl, chosen);
  return { version: ver, size: sym.size, ecl: level, mask: chosen, modules: sym.modules };
}

/** The matrix as rows of '1' and '0'. */
export function toText(qr) {
  return qr.modules.map((row) => row.map((m) => (m ? '1' : '0')).join('')).join('\n');
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/**
 * An <svg> of the symbol with a light quiet zone of `border` modules. Sized
 * by CSS (it scales to its box; the viewBox keeps modules square); colours
 * are presentation attributes, which the CSP allows, and always dark on light
 * whatever the page's colour scheme, as scanners expect.
 */
export function toSvg(qr, { border = 4, label = 'QR code' } = {}, doc = globalThis.document) {
  const dim = qr.size + border * 2;
  const svg = doc.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('viewBox', `0 0 ${dim} ${dim}`);
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', label);
  svg.setAttribute('shape-rendering', 'crispEdges');
  svg.setAttribute('class', 'qr');
  const bg = doc.createElementNS(SVG_NS, 'rect');
  bg.setAttribute('width', String(dim));
  bg.setAttribute('height', String(dim));
  bg.setAttribute('fill', '#ffffff');
  svg.appendChild(bg);
  let d = '';
  for (let y = 0; y < qr.size; y++) {
    for (let x = 0; x < qr.size; x++) {
      if (qr.modules[y][x]) d += `M${x + border} ${y + border}h1v1h-1z`;
    }
  }
  const path = doc.createElementNS(SVG_NS, 'path');
  path.setAttribute('d', d);
  path.setAttribute('fill', '#000000');
  svg.appendChild(path);
  return svg;
}
