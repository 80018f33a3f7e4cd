// Helpers for the identity and registry end-to-end tests: Ed25519 keys and
// the signed statements of docs/identity.md, made with Node's own crypto and
// written out here from the document alone (nothing is taken from web/ or
// the server, so a mistake there cannot hide the same mistake here), plus
// request/assert shorthands and the enroll and sign-in flows as a browser
// would run them.
import crypto from 'node:crypto';
import assert from 'node:assert/strict';
import { startServer } from '../lib/harness.mjs';
import { connectWelcomed, stopClean, TIME_RE } from './wsutil.mjs';

export const NETWORK = 'b40-balkan-cities';
/** Generous per-message wait: the ASan build is slow. */
export const MSG_MS = 15000;

// ---- keys, codes and statements -------------------------------------------

/** A new Ed25519 key pair: {privateKey, publicKey (KeyObjects), pub (64 hex)}. */
export function makeKey() {
  const { publicKey, privateKey } = crypto.generateKeyPairSync('ed25519');
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return { publicKey, privateKey, pub: der.subarray(der.length - 32).toString('hex') };
}

/** Ed25519 (pure) signature over the UTF-8 bytes of text, as 128 hex digits. */
export function signHex(key, text) {
  return crypto.sign(null, Buffer.from(text, 'utf8'), key.privateKey).toString('hex');
}

export const sha256hex = (text) => crypto.createHash('sha256').update(text, 'utf8').digest('hex');
/**
 * Every enrollment code the tests made or read, so that finish() can check
 * that none of them ever reaches a server's output.
 */
export const seenCodes = new Set();
/** An enrollment code: 16 random bytes as 22 characters of unpadded base64url. */
export function newCode() {
  const code = crypto.randomBytes(16).toString('base64url');
  seenCodes.add(code);
  return code;
}
/** An enrollment id: 16 random bytes as 32 lower-case hex digits. */
export const newEnrollmentId = () => crypto.randomBytes(16).toString('hex');
/** RFC 3339 UTC with milliseconds (Date#toISOString is exactly that). */
export const rfc3339 = (ms) => new Date(ms).toISOString();

/** A statement: the kind line, then `name: value` lines, each ending in LF. */
export function statement(kind, pairs) {
  return [kind, ...pairs.map(([k, v]) => `${k}: ${v}`)].map((l) => `${l}\n`).join('');
}

export const bindingPairs = ({ enrollment, code, pub, origin, challenge }) => [
  ['network', NETWORK], ['enrollment', enrollment], ['code', code], ['public-key', pub],
  ['origin', origin], ['challenge', challenge]];
export const bindingStatement = (f) => statement('b40-key-binding-v1', bindingPairs(f));

export const loginStatement = ({ origin, challenge, pub }) => statement('b40-login-v1', [
  ['network', NETWORK], ['origin', origin], ['challenge', challenge], ['public-key', pub]]);

export const enrollmentPairs = ({ enrollment, person, name, affiliation, roles, codeSha256, expires, signer }) => [
  ['network', NETWORK], ['enrollment', enrollment], ['person', person], ['name', name],
  ['affiliation', affiliation], ['roles', roles.join(',')], ['code-sha256', codeSha256],
  ['expires', expires], ['signer', signer]];
export const enrollmentStatement = (f) => statement('b40-enrollment-v1', enrollmentPairs(f));

export const revocationStatement = ({ pub, person, reason, revoked, signer }) => statement('b40-key-revocation-v1', [
  ['network', NETWORK], ['public-key', pub], ['person', person], ['reason', reason],
  ['revoked', revoked], ['signer', signer]]);

// ---- Ed25519 encodings that must be refused ------------------------------

const P = (1n << 255n) - 19n;
const modp = (x) => ((x % P) + P) % P;
function powmod(b, e) {
  let r = 1n;
  b = modp(b);
  for (; e > 0n; e >>= 1n, b = (b * b) % P) if (e & 1n) r = (r * b) % P;
  return r;
}
const D = modp(-121665n * powmod(121666n, P - 2n));
const isSquare = (x) => x === 0n || powmod(x, (P - 1n) / 2n) === 1n;
/** 32-byte little-endian encoding of y (< 2^255) with the x sign bit clear, as hex. */
function encodeY(y) {
  const b = Buffer.alloc(32);
  for (let i = 0; i < 32; i++) b[i] = Number((y >> BigInt(8 * i)) & 0xffn);
  return b.toString('hex');
}

/**
 * A non-canonical encoding (y >= p) of a y that has an x on the curve:
 * y = p + y0 for the first small y0 > 1 with a valid x.
 */
export function nonCanonicalPointHex() {
  for (let y0 = 2n; y0 < 19n; y0++) {
    const u = modp(y0 * y0 - 1n);
    const v = modp(D * y0 * y0 + 1n);
    if (isSquare(modp(u * powmod(v, P - 2n)))) return encodeY(P + y0);
  }
  throw new Error('no small y0 on the curve');
}

/** Encodings that are valid-looking hex but must be refused with bad_key. */
export const BAD_KEYS = [
  ['all-zero key (a point of order 4)', '00'.repeat(32)],
  ['the identity point (order 1)', `01${'00'.repeat(31)}`],
  ['the point of order 2 (y = -1)', `ec${'ff'.repeat(30)}7f`],
  ['a point of order 8', '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05'],
  ['another point of order 8', 'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a'],
  ['a non-canonical encoding (y = p, i.e. y >= p)', `ed${'ff'.repeat(30)}7f`],
  ['a non-canonical encoding (y = p + y0, y0 small)', nonCanonicalPointHex()],
  ['a y with no point on the curve', (() => {
    for (let y = 2n; ; y++) {
      if (!isSquare(modp((y * y - 1n) * powmod(D * y * y + 1n, P - 2n)))) return encodeY(y);
    }
  })()],
];

// ---- connections from many loopback addresses ----------------------------

// The server limits sign-in and enrollment attempts per client address
// (rate_limited). So that a test's many attempts are not refused for that
// reason, each connection comes from its own address of 127.0.0.0/8 (Linux
// answers all of it on the loopback interface), unless a test asks for one.
const addrBase = 20 + (process.pid % 200);
let addrSeq = 0;
/** A loopback address no other connection of this process has used. */
export function nextAddress() {
  addrSeq += 1;
  return `127.${addrBase}.${Math.floor(addrSeq / 250) % 250}.${(addrSeq % 250) + 1}`;
}

/**
 * Opens a connection (welcome consumed) from a fresh loopback address, or
 * from opts.address. Resolves to the Client.
 */
export async function open(srv, opts = {}) {
  const localAddress = opts.address || nextAddress();
  const [c] = await connectWelcomed(srv, { ...opts, wsOptions: { localAddress, ...(opts.wsOptions || {}) } });
  c.address = localAddress;
  return c;
}

// ---- requests and assertions ----------------------------------------------

let seq = 0;
/** Sends {id, type, ...fields} and returns the reply, checking that it answers this id. */
export async function call(c, type, fields = {}, timeoutMs = MSG_MS) {
  const id = `t${++seq}`;
  const r = await c.request({ id, type, ...fields }, timeoutMs);
  assert.equal(r.id, id, `reply to ${type} does not answer id ${id}: ${JSON.stringify(r)}`);
  return r;
}

/** Asserts ok: true; returns the reply. */
export function ok(r, what = 'request') {
  assert.equal(r.ok, true, `${what}: expected ok, got ${JSON.stringify(r)}`);
  return r;
}

/** call() then ok(). */
export async function callOk(c, type, fields = {}, what = type) {
  return ok(await call(c, type, fields), what);
}

/**
 * Asserts an error reply with `code`; opts.field (exact error.field),
 * opts.message (a RegExp error.message must match). Returns the error.
 */
export function fails(r, code, what = 'request', opts = {}) {
  assert.equal(r.ok, false, `${what}: expected ${code}, got ${JSON.stringify(r)}`);
  assert.equal(r.error?.code, code, `${what}: expected ${code}, got ${JSON.stringify(r)}`);
  assert.equal(typeof r.error.message, 'string', `${what}: no error.message`);
  assert.ok(r.error.message.length > 0, `${what}: empty error.message`);
  if (opts.field !== undefined) assert.equal(r.error.field, opts.field, `${what}: error.field in ${JSON.stringify(r)}`);
  if (opts.message) assert.match(r.error.message, opts.message, `${what}: error.message ${JSON.stringify(r.error.message)}`);
  return r.error;
}

/** call() then fails(). */
export async function callFails(c, type, fields, code, opts = {}) {
  return fails(await call(c, type, fields), code, `${type} ${JSON.stringify(fields).slice(0, 160)}`, opts);
}

/** Asserts a person object of docs/protocol.md; returns it. */
export function assertPerson(p, expect = {}) {
  assert.ok(p && typeof p === 'object', `not a person: ${JSON.stringify(p)}`);
  for (const k of ['id', 'name', 'affiliation', 'roles', 'active']) assert.ok(k in p, `person without ${k}: ${JSON.stringify(p)}`);
  assert.ok(Number.isInteger(p.id) && p.id > 0, `person.id ${p.id}`);
  assert.ok(Array.isArray(p.roles), `person.roles ${JSON.stringify(p.roles)}`);
  for (const [k, v] of Object.entries(expect)) assert.deepEqual(p[k], v, `person.${k} in ${JSON.stringify(p)}`);
  return p;
}

/** Asserts a key object of docs/protocol.md; returns it. */
export function assertKey(k, expect = {}) {
  assert.ok(k && typeof k === 'object', `not a key: ${JSON.stringify(k)}`);
  assert.match(k.public_key, /^[0-9a-f]{64}$/, `key.public_key in ${JSON.stringify(k)}`);
  assert.equal(typeof k.device, 'string');
  assert.match(k.created, TIME_RE, `key.created in ${JSON.stringify(k)}`);
  assert.ok(k.revoked === null || TIME_RE.test(k.revoked), `key.revoked in ${JSON.stringify(k)}`);
  for (const [f, v] of Object.entries(expect)) assert.deepEqual(k[f], v, `key.${f} in ${JSON.stringify(k)}`);
  return k;
}

// ---- flows ----------------------------------------------------------------

/** The code in an enrollment link (`.../enroll#CODE`). */
export function codeOf(link) {
  const m = /\/enroll#([A-Za-z0-9_-]{22})(?![A-Za-z0-9_-])/.exec(link);
  assert.ok(m, `no 22-character code after /enroll# in ${JSON.stringify(link)}`);
  seenCodes.add(m[1]);
  return m[1];
}

/**
 * Enrolls a new key with `code` as a browser would: enroll.begin, then
 * enroll.complete with the binding signed by the new key (for srv.origin).
 * opts: key (default a new one), device, client (default a new connection).
 * Resolves to {c, key, begin, reply, person}; c stays open and signed in.
 */
export async function enroll(srv, code, opts = {}) {
  const key = opts.key || makeKey();
  const c = opts.client || (await open(srv));
  const begin = ok(await call(c, 'enroll.begin', { code }), `enroll.begin ${code}`);
  const st = bindingStatement({ enrollment: begin.enrollment, code, pub: key.pub, origin: srv.origin, challenge: begin.challenge });
  const reply = ok(await call(c, 'enroll.complete', {
    code, public_key: key.pub, device: opts.device || 'Test device', statement: st, signature: signHex(key, st),
  }), 'enroll.complete');
  return { c, key, begin, reply, person: reply.person };
}

/** auth.challenge + auth.login with key on client c (default a new connection); returns {c, reply}. */
export async function signIn(srv, key, client) {
  const c = client || (await open(srv));
  const ch = ok(await call(c, 'auth.challenge'), 'auth.challenge');
  const st = loginStatement({ origin: srv.origin, challenge: ch.challenge, pub: key.pub });
  const reply = ok(await call(c, 'auth.login', { public_key: key.pub, signature: signHex(key, st) }), 'auth.login');
  return { c, reply };
}

/**
 * Looks at every link `b40 init --demo` printed (enroll.begin only: nothing
 * is used up) and returns the first {link, code, person} whose person
 * satisfies pred.
 */
export async function findDemoLink(srv, pred) {
  assert.ok(srv.links.length > 0, `b40 init --demo printed no /enroll# link:\n${srv.initOutput}`);
  const c = await open(srv);
  try {
    for (const link of srv.links) {
      const code = codeOf(link);
      const r = await call(c, 'enroll.begin', { code });
      if (r.ok && pred(r.person)) return { link, code, person: r.person };
    }
  } finally {
    c.close();
  }
  throw new Error(`no demo link for the person wanted among:\n${srv.links.join('\n')}`);
}

/** The network secretary's demo link, enrolled: {c (signed in), key, person, code}. */
export async function enrollSecretary(srv) {
  const l = await findDemoLink(srv, (p) => p.roles.includes('secretary'));
  const e = await enroll(srv, l.code, { device: 'Secretary laptop' });
  return { ...e, code: l.code };
}

/**
 * Creates a person from a signed-in secretariat session `sec` ({c, key})
 * and an enrollment for them signed by sec.key. fields: name, affiliation,
 * roles. Resolves to {person, code, enrollment, expires}.
 */
export async function createPersonWithCode(sec, fields, opts = {}) {
  const person = opts.person || ok(await call(sec.c, 'person.create', fields), 'person.create').person;
  const e = await createEnrollment(sec, person, opts);
  return { person, ...e };
}

/** enrollment.create for `person` signed by sec.key; opts.ttlMs (default 7 days). */
export async function createEnrollment(sec, person, opts = {}) {
  const code = newCode();
  const enrollment = newEnrollmentId();
  const expires = rfc3339(Date.now() + (opts.ttlMs ?? 7 * 24 * 3600 * 1000));
  const st = enrollmentStatement({
    enrollment, person: person.id, name: person.name, affiliation: person.affiliation, roles: person.roles,
    codeSha256: sha256hex(code), expires, signer: sec.key.pub,
  });
  const r = ok(await call(sec.c, 'enrollment.create', {
    enrollment, person: person.id, code_sha256: sha256hex(code), expires, statement: st, signature: signHex(sec.key, st),
  }), 'enrollment.create');
  return { code, enrollment, expires, reply: r };
}

/** Starts a server on a `b40 init --demo` database, logging at debug level. */
export async function startDemo(opts = {}) {
  const srv = await startServer({ demo: true, ...opts, args: ['--log-level', 'debug', ...(opts.args || [])] });
  for (const l of srv.links) {
    const m = /\/enroll#([A-Za-z0-9_-]+)/.exec(l);
    if (m) seenCodes.add(m[1]);
  }
  return srv;
}

/** The enrollment codes (of seenCodes) that appear in text. */
export function codesIn(text) {
  return [...seenCodes].filter((code) => text.includes(code));
}

/**
 * Stops srv cleanly (exit 0, no sanitizer report), then asserts that no
 * enrollment code the tests have seen appears in the server's output.
 */
export async function finish(srv) {
  if (!srv) return;
  await stopClean(srv);
  const leaked = codesIn(srv.output());
  assert.deepEqual(leaked, [], `enrollment codes in the server's output:\n${srv.output()}`);
}
