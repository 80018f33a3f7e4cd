// Helpers for the summit and election end-to-end tests: the poll, ballot,
// receipt, chain and chain-head bytes of docs/audit.md written out here from
// that page alone (nothing is taken from the server's code or web/, so a
// mistake there cannot hide the same mistake here), Ed25519 verification
// with the server's public key, the operator commands (`b40 person add`,
// `b40 enroll`) that make the many mayors an election needs, the sqlite3
// command line for looking at the database behind the server's back, and
// the setup most election tests share (a summit, check-ins, candidacies).
import crypto from 'node:crypto';
import assert from 'node:assert/strict';
import { spawnSync, execFileSync } from 'node:child_process';
import { BIN } from '../lib/harness.mjs';
import { TIME_RE } from './wsutil.mjs';
import {
  NETWORK, makeKey, signHex, call, ok, callOk, fails, codeOf, enroll, signIn, findDemoLink, enrollSecretary, open,
} from './idutil.mjs';

export { NETWORK };

// ---- hashing, signatures -------------------------------------------------

export const sha256 = (data) => crypto.createHash('sha256').update(data).digest();
export const sha256hex = (data) => sha256(typeof data === 'string' ? Buffer.from(data, 'utf8') : data).toString('hex');
export const randomHex = (n) => crypto.randomBytes(n).toString('hex');

// An Ed25519 public key as SPKI DER is this fixed prefix and the 32 raw bytes (RFC 8410).
const SPKI_ED25519 = Buffer.from('302a300506032b6570032100', 'hex');

/** True when sigHex (128 hex) is a valid Ed25519 signature of text's UTF-8 bytes by pubHex (64 hex). */
export function verifyHex(pubHex, text, sigHex) {
  if (!/^[0-9a-f]{64}$/.test(pubHex) || !/^[0-9a-f]{128}$/.test(sigHex)) return false;
  const key = crypto.createPublicKey({ key: Buffer.concat([SPKI_ED25519, Buffer.from(pubHex, 'hex')]), format: 'der', type: 'spki' });
  return crypto.verify(null, Buffer.from(text, 'utf8'), key, Buffer.from(sigHex, 'hex'));
}

/** The server's public key as `b40 init` printed it (`server public key ed25519:HEX`). */
export function serverKeyOf(initOutput) {
  const m = /server public key ed25519:([0-9a-f]{64})\b/.exec(initOutput);
  assert.ok(m, `b40 init printed no "server public key ed25519:HEX" line:\n${initOutput}`);
  return m[1];
}

// ---- the texts of docs/audit.md -----------------------------------------

/** Lines `name: value` after a kind line, each ending in LF. */
export function text(kind, pairs) {
  return [kind, ...pairs.map(([k, v]) => `${k}: ${v}`)].map((l) => `${l}\n`).join('');
}

/** A list value: sorted in byte order, comma-separated, no spaces; empty as ''. */
export function list(codes) {
  return [...codes].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))).join(',');
}

/** SHA-256 (hex) over `CITY SPACE KEY LF` lines sorted in byte order: the poll's eligible-keys-sha256. */
export function eligibleKeysSha256(pairs) {
  const lines = pairs.map(([city, key]) => `${city} ${key}\n`)
    .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  return sha256hex(lines.join(''));
}

export const pollText = (p) => text('b40-poll-v1', [
  ['network', NETWORK], ['election', p.election], ['round', p.round], ['kind', p.kind],
  ['candidates', list(p.candidates)], ['quorum', p.quorum], ['members', p.members],
  ['present', list(p.present)], ['eligible', list(p.eligible)],
  ['eligible-keys-sha256', p.eligibleKeys], ['opened', p.opened]]);

export const ballotText = (b) => text('b40-ballot-v1', [
  ['network', NETWORK], ['election', b.election], ['round', b.round], ['poll', b.poll],
  ['city', b.city], ['choice', b.choice], ['nonce', b.nonce ?? randomHex(16)]]);

export const receiptText = (r) => text('b40-receipt-v1', [
  ['network', NETWORK], ['election', r.election], ['round', r.round], ['seq', r.seq],
  ['ballot-sha256', r.ballotHash], ['chain', r.chain], ['recorded', r.recorded]]);

export const chainHeadText = (h) => text('b40-chain-head-v1', [
  ['network', NETWORK], ['election', h.election], ['round', h.round], ['seq', h.seq],
  ['chain', h.chain], ['closed', h.closed]]);

/**
 * Splits a signed text into {kind, fields}; asserts the docs' form: a kind
 * line, then exactly `names` in that order as `name: value` lines, each
 * ending in LF, nothing else.
 */
export function parseText(t, kind, names, what = kind) {
  assert.equal(typeof t, 'string', `${what}: not a string: ${JSON.stringify(t)}`);
  assert.ok(t.endsWith('\n'), `${what}: does not end with LF: ${JSON.stringify(t)}`);
  assert.ok(!t.includes('\r'), `${what}: holds a CR: ${JSON.stringify(t)}`);
  const lines = t.slice(0, -1).split('\n');
  assert.equal(lines[0], kind, `${what}: first line: ${JSON.stringify(t)}`);
  assert.deepEqual(lines.slice(1).map((l) => l.split(': ')[0]), names, `${what}: the lines: ${JSON.stringify(t)}`);
  const fields = {};
  for (const l of lines.slice(1)) {
    const i = l.indexOf(': ');
    fields[l.slice(0, i)] = l.slice(i + 2);
  }
  assert.equal(fields.network, NETWORK, `${what}: network`);
  return { kind, fields };
}

// ---- the chain -------------------------------------------------------------

/** chain[0] of election e (32 bytes). */
export const chainGenesis = (e) => sha256(Buffer.from(`b40-chain-v1\nnetwork: ${NETWORK}\nelection: ${e}\n`, 'utf8'));

/** chain[n] from chain[n-1] (Buffer), ballot-hash[n] and signature[n] (hex). */
export const chainNext = (prev, ballotHashHex, sigHex) => sha256(Buffer.concat([
  prev, Buffer.from(ballotHashHex, 'hex'), Buffer.from(sigHex, 'hex')]));

/**
 * Recomputes an election's chain from its ballots, given in any order as
 * {seq, ballotHash, signature} (hex); asserts that seq runs 1..n without a
 * gap. Returns the hex links: links[0] the genesis, links[n] chain[n].
 */
export function chainOf(election, ballots) {
  const sorted = [...ballots].sort((a, b) => a.seq - b.seq);
  sorted.forEach((b, i) => assert.equal(b.seq, i + 1, `ballot seqs are not 1..n: ${sorted.map((x) => x.seq).join(',')}`));
  const links = [chainGenesis(election)];
  for (const b of sorted) links.push(chainNext(links[links.length - 1], b.ballotHash, b.signature));
  return links.map((l) => l.toString('hex'));
}

// ---- batch-signed receipts: the Merkle tree of RFC 9162 2.1 ---------------

export const merkleLeaf = (text) => sha256(Buffer.concat([Buffer.from([0]), Buffer.from(text, 'utf8')]));
const merkleNode = (l, r) => sha256(Buffer.concat([Buffer.from([1]), l, r]));

/** RFC 9162 2.1.1: the Merkle tree hash of leaf hashes (Buffers), recursively as the RFC writes it. */
export function merkleRoot(leaves) {
  assert.ok(leaves.length >= 1, 'a receipt batch of no receipts');
  if (leaves.length === 1) return leaves[0];
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return merkleNode(merkleRoot(leaves.slice(0, k)), merkleRoot(leaves.slice(k)));
}

/** RFC 9162 2.1.3.2: does leaf (a Buffer) at index m of n with the audit path (hex strings) give rootHex? */
export function merkleVerify(leaf, m, n, path, rootHex) {
  if (!(m < n)) return false;
  let fn = m;
  let sn = n - 1;
  let r = leaf;
  for (const p of path) {
    if (sn === 0) return false;
    const pb = Buffer.from(p, 'hex');
    if (fn % 2 === 1 || fn === sn) {
      r = merkleNode(pb, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); }
      }
    } else {
      r = merkleNode(r, pb);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && r.toString('hex') === rootHex;
}

export const receiptBatchText = ({ batch, leaves, root, signed }) => text('b40-receipt-batch-v1', [
  ['network', NETWORK], ['batch', batch], ['leaves', leaves], ['root', root], ['signed', signed],
]);

/**
 * Checks a receipt's batch proof (docs/audit.md "Batch-signed receipts"): the
 * batch statement canonical and signed by serverKey, the receipt at `index`
 * of its leaves, its audit path leading to the statement's root. Returns the
 * statement's fields.
 */
export function checkReceiptProof({ receipt, receipt_batch: statement, receipt_batch_signature: sig, receipt_index: index,
  receipt_path: path }, serverKey, what = 'receipt') {
  const { fields } = parseText(statement, 'b40-receipt-batch-v1', ['network', 'batch', 'leaves', 'root', 'signed'], `${what}: batch`);
  assert.match(fields.batch, /^[1-9][0-9]*$/, `${what}: batch id`);
  assert.match(fields.leaves, /^[1-9][0-9]*$/, `${what}: batch leaves`);
  assert.ok(Number(fields.leaves) <= 256, `${what}: a batch of ${fields.leaves} receipts (at most 256)`);
  assert.match(fields.root, /^[0-9a-f]{64}$/, `${what}: batch root`);
  assert.match(fields.signed, TIME_RE, `${what}: batch signed`);
  assert.equal(statement, receiptBatchText(fields), `${what}: the batch statement is not in the canonical form`);
  assert.ok(verifyHex(serverKey, statement, sig), `${what}: the batch signature does not verify with the server key`);
  assert.ok(Number.isInteger(index) && index >= 0 && index < Number(fields.leaves), `${what}: index ${index} of ${fields.leaves}`);
  assert.ok(Array.isArray(path) && path.every((h) => /^[0-9a-f]{64}$/.test(h)), `${what}: path ${JSON.stringify(path)}`);
  assert.ok(merkleVerify(merkleLeaf(receipt), index, Number(fields.leaves), path, fields.root),
    `${what}: the audit path does not lead from the receipt to the signed root`);
  return fields;
}

// ---- receipts and chain heads --------------------------------------------

/**
 * Checks an election.cast reply against docs/protocol.md and docs/audit.md:
 * ok, the server's key, the ballot's hash, a canonical receipt for this
 * election and round whose seq and ballot hash agree with the reply, and its
 * batch proof leading to a root signed by serverKey. Returns
 * {seq, ballotHash, chain, recorded, signature (the ballot's), batch (the batch statement's fields)}.
 */
export function checkReceipt(r, { serverKey, election, round, ballot, signature }, what = 'election.cast') {
  ok(r, what);
  assert.equal(r.server_key, serverKey, `${what}: server_key`);
  const ballotHash = sha256hex(ballot);
  assert.equal(r.ballot_hash, ballotHash, `${what}: ballot_hash is not SHA-256 of the ballot's bytes`);
  assert.ok(Number.isInteger(r.seq) && r.seq >= 1, `${what}: seq ${r.seq}`);
  const { fields } = parseText(r.receipt, 'b40-receipt-v1',
    ['network', 'election', 'round', 'seq', 'ballot-sha256', 'chain', 'recorded'], `${what}: receipt`);
  assert.equal(fields.election, String(election), `${what}: receipt election`);
  assert.equal(fields.round, String(round), `${what}: receipt round`);
  assert.equal(fields.seq, String(r.seq), `${what}: receipt seq`);
  assert.equal(fields['ballot-sha256'], ballotHash, `${what}: receipt ballot-sha256`);
  assert.match(fields.chain, /^[0-9a-f]{64}$/, `${what}: receipt chain`);
  assert.match(fields.recorded, TIME_RE, `${what}: receipt recorded`);
  assert.equal(r.receipt, receiptText({ election, round, seq: r.seq, ballotHash, chain: fields.chain, recorded: fields.recorded }),
    `${what}: the receipt is not in the canonical form`);
  assert.equal(r.receipt_signature, undefined, `${what}: a receipt signed alone (receipts are signed a batch at a time)`);
  const batch = checkReceiptProof(r, serverKey, `${what}: receipt`);
  return { seq: r.seq, ballotHash, chain: fields.chain, recorded: fields.recorded, signature, batch };
}

/**
 * Checks a closed round's chain head: canonical, for this election and
 * round, signed by serverKey, naming seq and chain. Returns its fields.
 */
export function checkChainHead(head, sig, { serverKey, election, round, seq, chain }, what = 'chain head') {
  const { fields } = parseText(head, 'b40-chain-head-v1', ['network', 'election', 'round', 'seq', 'chain', 'closed'], what);
  assert.equal(fields.election, String(election), `${what}: election`);
  assert.equal(fields.round, String(round), `${what}: round`);
  assert.equal(fields.seq, String(seq), `${what}: seq`);
  assert.equal(fields.chain, chain, `${what}: chain is not the last link`);
  assert.match(fields.closed, TIME_RE, `${what}: closed`);
  assert.equal(head, chainHeadText({ election, round, seq, chain, closed: fields.closed }), `${what}: not canonical`);
  assert.ok(verifyHex(serverKey, head, sig), `${what}: the signature does not verify with the server key`);
  return fields;
}

// ---- voting ----------------------------------------------------------------

/**
 * A voter: {c (signed in), key, city, person}. cast() builds a ballot
 * for the given round (poll fingerprint from `round`), signs it with the
 * voter's key and sends it. Resolves to {r, ballot, signature}.
 */
export async function castBallot(voter, { election, round, poll, choice, city = voter.city, nonce, mutate, key = voter.key, signature }) {
  let ballot = ballotText({ election, round, poll, city, choice, nonce });
  if (mutate) ballot = mutate(ballot);
  const sig = signature ?? signHex(key, ballot);
  const r = await call(voter.c, 'election.cast', { ballot, signature: sig });
  return { r, ballot, signature: sig };
}

// ---- the operator commands and the database -----------------------------

/** `b40 person add`; returns the new person's id. */
export function cliAddPerson(db, { name, affiliation, roles }) {
  const r = spawnSync(BIN, ['person', 'add', '--db', db, '--name', name, '--affiliation', affiliation, '--roles', roles.join(',')],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 20000 });
  assert.equal(r.status, 0, `b40 person add ${name}: exit ${r.status}\n${r.stdout}${r.stderr}`);
  const m = /person (\d+) created/.exec(r.stdout + r.stderr);
  assert.ok(m, `b40 person add printed no id:\n${r.stdout}${r.stderr}`);
  return Number(m[1]);
}

/** `b40 enroll --person ID`; returns the one-time code of the printed link. */
export function cliEnrollCode(db, personId) {
  const r = spawnSync(BIN, ['enroll', '--db', db, '--person', String(personId)],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 20000 });
  assert.equal(r.status, 0, `b40 enroll --person ${personId}: exit ${r.status}\n${r.stderr}`);
  const line = `${r.stdout}${r.stderr}`.split('\n').find((l) => l.includes('/enroll#'));
  assert.ok(line, `b40 enroll printed no link:\n${r.stdout}`);
  return codeOf(line);
}

const ROLE_NAMES = { mayor: 'Mayor', deputy: 'Deputy mayor', official: 'Official' };

/**
 * Makes a person of `city` with `role` through the command line, and
 * enrolls a new key for them as a browser would. Resolves to a voter
 * {c (open, signed in), key, city, person, role}.
 */
export async function cityPerson(srv, city, role = 'mayor', name = `${ROLE_NAMES[role]} of ${city}`) {
  const id = cliAddPerson(srv.db, { name, affiliation: city, roles: [role] });
  const code = cliEnrollCode(srv.db, id);
  const e = await enroll(srv, code, { device: `${role} phone` });
  assert.equal(e.person.id, id);
  return { c: e.c, key: e.key, city, person: e.person, role };
}

/** A demo person (from the links `b40 init --demo` printed) of city with role, enrolled: a voter. */
export async function demoPerson(srv, city, role) {
  const l = await findDemoLink(srv, (p) => p.affiliation === city && p.roles.includes(role));
  const e = await enroll(srv, l.code, { device: `${city} ${role}` });
  return { c: e.c, key: e.key, city, person: e.person, role };
}

/** Signs a voter in again on a new connection (after a restart); returns the voter with the new c. */
export async function reconnect(srv, voter) {
  const { c } = await signIn(srv, voter.key);
  return { ...voter, c };
}

/** Rows of a read-only query with the sqlite3 command line, as objects (blobs: use hex() in SQL). */
export function sqlite(db, sql) {
  const out = execFileSync('sqlite3', ['-readonly', '-json', db, sql], { encoding: 'utf8', timeout: 20000 });
  return out.trim() ? JSON.parse(out) : [];
}

// ---- shared setup ------------------------------------------------------------

/**
 * The people and the secretary a test of the election needs on a demo
 * server: {srv, serverKey, sec (signed in)}.
 */
export async function secretariat(srv) {
  const serverKey = serverKeyOf(srv.initOutput);
  const sec = await enrollSecretary(srv);
  return { srv, serverKey, sec };
}

/** summit.create by sec; returns the summit. */
export async function createSummit(sec, fields) {
  const r = await callOk(sec.c, 'summit.create', fields, `summit.create ${JSON.stringify(fields)}`);
  assert.ok(r.summit && Number.isInteger(r.summit.id), `summit.create: no summit: ${JSON.stringify(r)}`);
  return r.summit;
}

/** Checks in every city of `codes` at the desk (sec); returns the last present list. */
export async function checkInAll(sec, summit, codes) {
  let present = [];
  for (const city of codes) present = (await callOk(sec.c, 'attendance.check_in', { summit, city }, `check in ${city}`)).present;
  return present;
}

/** election.get (public); returns the election object. */
export async function getElection(c, election) {
  const r = await callOk(c, 'election.get', { election }, `election.get ${election}`);
  assert.ok(r.election && r.election.id === election, `election.get: ${JSON.stringify(r).slice(0, 300)}`);
  return r.election;
}

/** The round object `n` of election object e. */
export function roundOf(e, n) {
  const r = (e.rounds || []).find((x) => x.round === n);
  assert.ok(r, `election ${e.id} has no round ${n}: ${JSON.stringify(e).slice(0, 500)}`);
  return r;
}

/** members.list: {codes of status member, count of members (suspended included)}. */
export async function memberInfo(c) {
  const cities = (await callOk(c, 'members.list')).cities;
  return {
    cities,
    member: cities.filter((x) => x.status === 'member').map((x) => x.code),
    members: cities.filter((x) => x.status === 'member' || x.status === 'suspended').length,
  };
}

/**
 * The eligible-keys lines of a round, from the secretariat's person.list:
 * every active key of an active mayor or deputy of an eligible city.
 */
export async function eligibleKeyPairs(sec, eligible) {
  const people = (await callOk(sec.c, 'person.list')).people;
  const pairs = [];
  for (const p of people) {
    if (!p.active || !eligible.includes(p.affiliation)) continue;
    if (!p.roles.includes('mayor') && !p.roles.includes('deputy')) continue;
    for (const k of p.keys) if (k.revoked === null) pairs.push([p.affiliation, k.public_key]);
  }
  return pairs;
}

/**
 * Checks a just-opened round against the docs: poll text exactly as
 * docs/audit.md builds it from what the test knows (members, present,
 * eligible, eligible keys), signed by the server key, fingerprint its
 * SHA-256. Returns the round.
 */
export async function checkPoll(w, e, n, { kind, candidates, quorum = '1/2', present }) {
  const rnd = roundOf(e, n);
  assert.equal(rnd.kind, kind, 'round kind');
  assert.deepEqual([...rnd.candidates].sort(), [...candidates].sort(), 'round candidates');
  assert.match(rnd.opened ?? '', TIME_RE, `round opened ${rnd.opened}`);
  const info = await memberInfo(w.sec.c);
  const eligible = present.filter((c) => info.member.includes(c));
  const keys = await eligibleKeyPairs(w.sec, eligible);
  const expected = pollText({
    election: e.id, round: n, kind, candidates, quorum, members: info.members, present, eligible,
    eligibleKeys: eligibleKeysSha256(keys), opened: rnd.opened,
  });
  assert.equal(rnd.poll, expected, 'the poll text is not docs/audit.md\'s form of what the test knows');
  assert.ok(verifyHex(w.serverKey, rnd.poll, rnd.poll_signature), 'the poll signature does not verify with the server key');
  assert.equal(rnd.fingerprint, sha256hex(rnd.poll), 'the fingerprint is not SHA-256 of the poll text');
  return rnd;
}

export { makeKey, signHex, call, ok, callOk, fails, open, signIn };
