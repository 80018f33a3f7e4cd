// The signed statements of docs/identity.md, built byte for byte, and the
// small encoding helpers they need. An ES module with no DOM access; it runs
// on a page's main thread (and in Node 20, whose globalThis.crypto has the
// same WebCrypto API).
//
// Every statement is UTF-8 text: a first line naming its kind and version,
// then `name: value` lines in a fixed order, each ending in "\n" (the last
// one too). The server rebuilds the statement from the fields it checked and
// compares bytes, so any difference here is a `bad_statement` there. Values
// never contain a line break or a control character: the builders refuse
// them (TypeError) rather than sign something the server will not accept.
//
// API
//   NETWORK                         'b40-balkan-cities'
//   ROLE_ORDER                      the roles in the order of docs/identity.md
//   rolesText(roles)                ['official','deputy'] -> 'deputy,official'
//   hex(bytes) / fromHex(text)      lower-case hex <-> Uint8Array
//   base64url(bytes)                RFC 4648 §5, unpadded
//   randomBytes(n)                  n bytes from crypto.getRandomValues
//   newCode()                       an enrollment code: 16 random bytes -> 22 base64url chars
//   newEnrollmentId()               16 random bytes -> 32 hex
//   isCode(text)                    true for 22 base64url characters
//   sha256Hex(text)                 SHA-256 of the UTF-8 bytes, as hex (async)
//   utf8Length(text)                bytes in UTF-8
//   isoTime(date)                   '2026-11-27T10:00:00.000Z'
//   enrollmentStatement({...})      signed by the enroller
//   bindingStatement({...})         signed by the new key
//   loginStatement({...})           signed by a person's key to sign in
//   revocationStatement({...})      signed by the secretariat member who revokes
//   groupProposalStatement({...})   b40-group-proposal-v1: both sides sign the same bytes
//   sessionRequestStatement({...})  b40-session-request-v1: a city asks for an extra session

export const NETWORK = 'b40-balkan-cities';
export const ROLE_ORDER = Object.freeze(['secretary', 'expert', 'mayor', 'deputy', 'official']);
export const SECRETARIAT_ROLES = Object.freeze(['secretary', 'expert']);
export const CITY_ROLES = Object.freeze(['mayor', 'deputy', 'official']);

const HEX_RE = /^[0-9a-f]*$/;
const CODE_RE = /^[A-Za-z0-9_-]{22}$/;
// C0 controls, DEL, C1 controls and the Unicode line and paragraph separators.
// eslint-disable-next-line no-control-regex
const CONTROL_RE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
const encoder = new TextEncoder();

/** Lower-case hex of a Uint8Array or ArrayBuffer. */
export function hex(bytes) {
  const b = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  let out = '';
  for (let i = 0; i < b.length; i++) out += b[i].toString(16).padStart(2, '0');
  return out;
}

/** Bytes of a lower-case hex string; TypeError when it is not one. */
export function fromHex(text) {
  if (typeof text !== 'string' || text.length % 2 !== 0 || !HEX_RE.test(text)) {
    throw new TypeError('not lower-case hex');
  }
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(text.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** Unpadded base64url (RFC 4648 §5) of a Uint8Array. */
export function base64url(bytes) {
  let bin = '';
  for (let i = 0; i < bytes.length; i++) bin += String.fromCharCode(bytes[i]);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function randomBytes(n) {
  return crypto.getRandomValues(new Uint8Array(n));
}

/** A new enrollment code: 128 random bits as 22 base64url characters. */
export function newCode() {
  return base64url(randomBytes(16));
}

/** A new enrollment id: 16 random bytes as 32 lower-case hex digits. */
export function newEnrollmentId() {
  return hex(randomBytes(16));
}

/** Whether text has the form of an enrollment code. */
export function isCode(text) {
  return typeof text === 'string' && CODE_RE.test(text);
}

/** SHA-256 of the UTF-8 bytes of text, as lower-case hex. */
export async function sha256Hex(text) {
  return hex(await crypto.subtle.digest('SHA-256', encoder.encode(text)));
}

export function utf8Length(text) {
  return encoder.encode(text).length;
}

/** RFC 3339 UTC with milliseconds, the only time format the statements use. */
export function isoTime(date = new Date()) {
  return new Date(date).toISOString();
}

/**
 * The canonical roles text: the roles in the order of docs/identity.md,
 * comma-separated, no spaces. Accepts an array or a comma-separated string.
 */
export function rolesText(roles) {
  const list = Array.isArray(roles) ? roles : String(roles).split(',');
  for (const r of list) {
    if (!ROLE_ORDER.includes(r)) throw new TypeError(`unknown role '${r}'`);
  }
  return ROLE_ORDER.filter((r) => list.includes(r)).join(',');
}

function checkHex(name, value, len) {
  if (typeof value !== 'string' || value.length !== len || !HEX_RE.test(value)) {
    throw new TypeError(`${name} must be ${len} lower-case hex digits`);
  }
  return value;
}

function checkText(name, value) {
  const text = String(value);
  if (text.length === 0) throw new TypeError(`${name} is empty`);
  if (CONTROL_RE.test(text)) throw new TypeError(`${name} contains a line break or a control character`);
  return text;
}

function checkTime(name, value) {
  const text = typeof value === 'string' ? value : isoTime(value);
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(text)) {
    throw new TypeError(`${name} must be an RFC 3339 UTC time with milliseconds`);
  }
  return text;
}

function checkId(name, value) {
  if (!Number.isSafeInteger(value) || value < 1) throw new TypeError(`${name} must be a positive integer`);
  return String(value);
}

/** Joins the lines of a statement, each ending in "\n". */
function statement(kind, fields) {
  return `${kind}\n${fields.map(([k, v]) => `${k}: ${v}\n`).join('')}`;
}

/**
 * b40-enrollment-v1, signed by the enroller.
 * @param {{enrollment: string, person: number, name: string, affiliation: string,
 *          roles: string[]|string, codeSha256: string, expires: string|Date, signer: string}} f
 */
export function enrollmentStatement(f) {
  return statement('b40-enrollment-v1', [
    ['network', NETWORK],
    ['enrollment', checkHex('enrollment', f.enrollment, 32)],
    ['person', checkId('person', f.person)],
    ['name', checkText('name', f.name)],
    ['affiliation', checkText('affiliation', f.affiliation)],
    ['roles', checkText('roles', rolesText(f.roles))],
    ['code-sha256', checkHex('code-sha256', f.codeSha256, 64)],
    ['expires', checkTime('expires', f.expires)],
    ['signer', checkHex('signer', f.signer, 64)],
  ]);
}

/**
 * b40-key-binding-v1, signed by the new key.
 * @param {{enrollment: string, code: string, publicKey: string, origin: string, challenge: string}} f
 */
export function bindingStatement(f) {
  if (!isCode(f.code)) throw new TypeError('code must be 22 base64url characters');
  return statement('b40-key-binding-v1', [
    ['network', NETWORK],
    ['enrollment', checkHex('enrollment', f.enrollment, 32)],
    ['code', f.code],
    ['public-key', checkHex('public-key', f.publicKey, 64)],
    ['origin', checkText('origin', f.origin)],
    ['challenge', checkHex('challenge', f.challenge, 64)],
  ]);
}

/**
 * b40-login-v1, signed by a person's key.
 * @param {{origin: string, challenge: string, publicKey: string}} f
 */
export function loginStatement(f) {
  return statement('b40-login-v1', [
    ['network', NETWORK],
    ['origin', checkText('origin', f.origin)],
    ['challenge', checkHex('challenge', f.challenge, 64)],
    ['public-key', checkHex('public-key', f.publicKey, 64)],
  ]);
}

/**
 * b40-key-revocation-v1, signed by the secretariat member who revokes.
 * @param {{publicKey: string, person: number, reason: string, revoked: string|Date, signer: string}} f
 */
export function revocationStatement(f) {
  return statement('b40-key-revocation-v1', [
    ['network', NETWORK],
    ['public-key', checkHex('public-key', f.publicKey, 64)],
    ['person', checkId('person', f.person)],
    ['reason', checkText('reason', f.reason)],
    ['revoked', checkTime('revoked', f.revoked)],
    ['signer', checkHex('signer', f.signer, 64)],
  ]);
}

const GROUP_CODE_RE = /^[a-z][a-z0-9-]{1,31}$/;
const DATE_RE = /^\d{4}-\d\d-\d\d$/;

function checkCode(name, value) {
  if (typeof value !== 'string' || !GROUP_CODE_RE.test(value)) throw new TypeError(`${name} must be a code (a-z, 0-9, -)`);
  return value;
}

/**
 * b40-group-proposal-v1 (docs/groups.md), signed by the proposer and then,
 * byte for byte the same, by the other side. A permanent group's end is
 * written "none".
 * @param {{code: string, name: string, description: string, kind: 'permanent'|'temporary',
 *          endsOn?: string, presidency: string, proposed: string|Date}} f
 */
export function groupProposalStatement(f) {
  if (f.kind !== 'permanent' && f.kind !== 'temporary') throw new TypeError('kind must be permanent or temporary');
  let ends = 'none';
  if (f.kind === 'temporary') {
    if (typeof f.endsOn !== 'string' || !DATE_RE.test(f.endsOn)) throw new TypeError('a temporary group needs an end date');
    ends = f.endsOn;
  }
  return statement('b40-group-proposal-v1', [
    ['network', NETWORK],
    ['code', checkCode('code', f.code)],
    ['name', checkText('name', f.name)],
    ['description', checkText('description', f.description)],
    ['kind', f.kind],
    ['ends-on', ends],
    ['presidency', checkCode('presidency', f.presidency)],
    ['proposed', checkTime('proposed', f.proposed)],
  ]);
}

/**
 * b40-session-request-v1 (docs/groups.md), signed by a speaker of the city.
 * @param {{group: string, city: string, reason: string, requested: string|Date}} f
 */
export function sessionRequestStatement(f) {
  return statement('b40-session-request-v1', [
    ['network', NETWORK],
    ['group', checkCode('group', f.group)],
    ['city', checkCode('city', f.city)],
    ['reason', checkText('reason', f.reason)],
    ['requested', checkTime('requested', f.requested)],
  ]);
}
