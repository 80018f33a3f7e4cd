// Helpers for the live-room end-to-end tests: a request that lets room
// events pass by (they arrive on the same connection as the replies), a wait
// for a given room event, the motion texts of docs/audit.md written out here
// from that page alone (nothing taken from the server's code or web/), and
// the setup most room tests share: a group with member cities and their
// delegates, a live session, its participants signed in.
import assert from 'node:assert/strict';
import { TIME_RE } from './wsutil.mjs';
import { NETWORK, makeKey, signHex, signIn, callOk, loginStatement } from './idutil.mjs';
import { secretariat, cityPerson, memberInfo, text, list, sha256hex, randomHex, verifyHex } from './elutil.mjs';

export { sha256hex, randomHex, verifyHex, list, makeKey, signHex, NETWORK };

/** Generous per-message wait: the ASan build is slow. */
export const MS = 20000;


let n = 0;

/*
 * Room events arrive on the same connection as the replies, and a test may
 * have several requests in flight on one connection: a pump per connection
 * takes every message, hands each reply to the request it answers (by id)
 * and keeps room events, in order, in c.events. Once a connection has a
 * pump, only rq() and waitEvent() read it.
 */
function pump(c) {
  if (c.pending) return;
  c.pending = new Map();
  c.events ||= [];
  c.other ||= [];
  c.wake = [];
  (async () => {
    for (;;) {
      let m;
      try {
        m = await c.next(24 * 3600 * 1000);
      } catch (e) {
        for (const p of c.pending.values()) p.rej(e);
        c.pending.clear();
        c.dead = e;
        for (const w of c.wake.splice(0)) w();
        return;
      }
      if (m.event === 'room.event') c.events.push(m);
      else if (m.event) c.other.push(m);
      else if (c.pending.has(m.id)) {
        const p = c.pending.get(m.id);
        c.pending.delete(m.id);
        p.res(m);
      } else c.other.push(m);
      for (const w of c.wake.splice(0)) w();
    }
  })();
}

/** Sends {id, type, ...fields} on c and returns the reply to it (room events go to c.events). */
export function rq(c, type, fields = {}, timeoutMs = MS) {
  pump(c);
  const id = `r${++n}`;
  return new Promise((res, rej) => {
    const timer = setTimeout(() => { c.pending.delete(id); rej(new Error(`${type}: no reply within ${timeoutMs} ms`)); }, timeoutMs);
    c.pending.set(id, { res: (m) => { clearTimeout(timer); res(m); }, rej: (e) => { clearTimeout(timer); rej(e); } });
    c.sendRaw(JSON.stringify({ id, type, ...fields })).catch((e) => { clearTimeout(timer); c.pending.delete(id); rej(e); });
  });
}

/** rq() and assert ok. */
export async function rqOk(c, type, fields = {}) {
  const r = await rq(c, type, fields);
  assert.equal(r.ok, true, `${type} ${JSON.stringify(fields).slice(0, 200)}: expected ok, got ${JSON.stringify(r).slice(0, 600)}`);
  return r;
}

/** rq() and assert an error with code (and field when given). Returns the error. */
export async function rqFails(c, type, fields, code, field) {
  const r = await rq(c, type, fields);
  assert.equal(r.ok, false, `${type} ${JSON.stringify(fields).slice(0, 200)}: expected ${code}, got ${JSON.stringify(r).slice(0, 400)}`);
  assert.equal(r.error.code, code, `${type}: expected ${code}, got ${JSON.stringify(r.error)}`);
  assert.ok(typeof r.error.message === 'string' && r.error.message.length > 0, `${type}: no message`);
  if (field !== undefined) assert.equal(r.error.field, field, `${type}: error.field in ${JSON.stringify(r.error)}`);
  return r.error;
}

/**
 * Waits until c has received a room event (room_event) for which pred holds,
 * looking first at those already received after index `from`. Returns it.
 */
export async function waitEvent(c, pred, what = 'a room event', from = 0, timeoutMs = MS) {
  pump(c);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = c.events.slice(from).find((m) => pred(m.room_event));
    if (found) return found.room_event;
    const left = deadline - Date.now();
    if (left <= 0 || c.dead) {
      throw new Error(`${what}: not received${c.dead ? ` (${c.dead.message})` : ''}; events so far: ${JSON.stringify(c.events.map((m) => m.room_event)).slice(-2000)}`);
    }
    await new Promise((res) => { const t = setTimeout(res, left); c.wake.push(() => { clearTimeout(t); res(); }); });
  }
}

/** Signs key's person in on connection c (which may have a pump): auth.challenge, auth.login. */
export async function signInOn(srv, key, c) {
  const ch = await rqOk(c, 'auth.challenge');
  const st = loginStatement({ origin: srv.origin, challenge: ch.challenge, pub: key.pub });
  return rqOk(c, 'auth.login', { public_key: key.pub, signature: signHex(key, st) });
}

/** The room events c has received, as room_event objects. */
export const events = (c) => (c.events || []).map((m) => m.room_event);

/** Asserts the shape every room event has. */
export function assertEvent(ev, session) {
  assert.ok(Number.isInteger(ev.seq) && ev.seq >= 1, `event seq: ${JSON.stringify(ev)}`);
  assert.match(ev.kind, /^[a-z_.]+$/, `event kind: ${JSON.stringify(ev)}`);
  assert.match(ev.at, TIME_RE, `event at: ${JSON.stringify(ev)}`);
  if (session !== undefined) assert.ok(true);
  return ev;
}

// ---- the motion texts of docs/audit.md -------------------------------------

export const motionPollText = (p) => text('b40-motion-poll-v1', [
  ['network', NETWORK], ['motion', p.motion], ['group', p.group], ['session', p.session],
  ['text-sha256', sha256hex(p.text)], ['quorum', '1/2'], ['members', list(p.members)],
  ['present', list(p.present)], ['eligible', list(p.eligible)],
  ['eligible-keys-sha256', p.eligibleKeys], ['opened', p.opened]]);

export const motionBallotText = (b) => text('b40-motion-ballot-v1', [
  ['network', NETWORK], ['motion', b.motion], ['poll', b.poll], ['city', b.city], ['choice', b.choice],
  ['nonce', b.nonce ?? randomHex(16)]]);

export const motionReceiptText = (r) => text('b40-motion-receipt-v1', [
  ['network', NETWORK], ['motion', r.motion], ['seq', r.seq], ['ballot-sha256', r.ballotHash], ['chain', r.chain],
  ['recorded', r.recorded]]);

export const motionChainHeadText = (h) => text('b40-motion-chain-head-v1', [
  ['network', NETWORK], ['motion', h.motion], ['seq', h.seq], ['chain', h.chain], ['closed', h.closed]]);

export const minutesHeaderText = (h) => text('b40-minutes-v1', [
  ['network', NETWORK], ['session', h.session], ['markdown-sha256', h.markdownSha256], ['closed', h.closed]]);

import crypto from 'node:crypto';

const sha256 = (b) => crypto.createHash('sha256').update(b).digest();
/** chain[0] of motion m. */
export const motionGenesis = (m) => sha256(Buffer.from(`b40-motion-chain-v1\nnetwork: ${NETWORK}\nmotion: ${m}\n`, 'utf8'));
/** chain[n] from chain[n-1] (Buffer), the ballot hash and signature (hex). */
export const chainNext = (prev, hashHex, sigHex) => sha256(Buffer.concat([prev, Buffer.from(hashHex, 'hex'), Buffer.from(sigHex, 'hex')]));

/** SHA-256 over the sorted `CITY KEY LF` lines (hex). */
export function keysSha256(pairs) {
  const lines = pairs.map(([c, k]) => `${c} ${k}\n`).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  return sha256hex(lines.join(''));
}

/** Signs and casts a motion ballot; returns {r, ballot, signature}. */
export async function castMotion(voter, { motion, poll, choice, city = voter.city, nonce, key = voter.key, signature, field }) {
  const ballot = motionBallotText({ motion, poll, city, choice, nonce });
  const sig = signature ?? signHex(key, ballot);
  const r = await rq(voter.c, 'motion.cast', { motion: field ?? motion, ballot, signature: sig });
  return { r, ballot, signature: sig };
}

// ---- shared setup ------------------------------------------------------------

/**
 * A group with member cities, each with a mayor who is its delegate, a city
 * that is not a member, and a live session chaired by the first city's
 * mayor. opts.members (default 4), opts.group (default 'climate'), opts.agenda.
 * Returns {srv, serverKey, sec, group, cities (member codes), outsider, people
 * (by city: voters signed in, not yet in the room), session}.
 */
export async function liveSession(srv, opts = {}) {
  const { serverKey, sec } = await secretariat(srv);
  const group = opts.group || 'climate';
  const info = await memberInfo(sec.c);
  const count = opts.members ?? 4;
  const cities = info.member.slice(0, count);
  const outsider = info.member[count];
  const people = {};
  for (const city of [...cities, outsider]) people[city] = await cityPerson(srv, city, 'mayor');
  // exactly these cities in the group (the demo network puts demo cities in the founding groups)
  const before = (await callOk(sec.c, 'group.get', { group }, 'group.get')).group.members.map((m) => m.city);
  for (const city of before) if (!cities.includes(city)) await callOk(sec.c, 'group.leave', { group, city }, `group.leave ${city}`);
  for (const city of cities) {
    await callOk(sec.c, 'group.join', { group, city }, `group.join ${city}`);
    await callOk(sec.c, 'group.set_delegate', { group, city, person: people[city].person.id }, `delegate ${city}`);
  }
  const starts = Date.now() + 3600000;
  const s = await callOk(sec.c, 'session.schedule', {
    group, kind: 'extra', title: opts.title || 'Heat plans <b>now</b>',
    starts_at: new Date(starts).toISOString(), ends_at: new Date(starts + 7200000).toISOString(),
    chair: people[cities[0]].person.id,
    agenda: opts.agenda || ['Opening', 'Heat plans', 'Trees', 'Any other business'],
  }, 'session.schedule');
  const session = s.session.id;
  return { srv, serverKey, sec, group, cities, outsider, people, session };
}

/** Signs a person in again on a new connection; returns the person with the new c. */
export async function again(srv, p) {
  const { c } = await signIn(srv, p.key);
  return { ...p, c };
}
