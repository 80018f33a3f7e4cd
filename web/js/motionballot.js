// The ballot of a working-group motion (docs/audit.md "Motions"), built
// byte for byte in the delegate's browser, signed with the key this device
// holds (keystore.js) and kept on the device until the server has answered
// with a receipt: the same care as an election ballot (ballot.js, whose
// reasons apply here unchanged), with the motion's own first line so that
// one can never be taken for the other. An ES module; main thread; no DOM.
//
// API
//   CHOICES                        ['yes', 'no', 'abstain']
//   motionBallotText(f)            the canonical text; f = {motion, poll, city, choice, nonce}
//   draftMotionBallot({motion, poll, city, choice})   {...fields, nonce, text}, not signed
//   prepareMotionBallot(draft, record)  signs draft.text, stores it unsent; resolves to the record
//   sendMotionBallot(client, rec)  motion.cast; resolves to the record with its receipt, or
//                                  rejects with the B40Error (transient errors leave it unsent)
//   getMotionBallot(motion, city), forgetMotionBallot(id)
//   motionReceiptFileText(rec, about)   the "Save receipt" file; about = {groupName, cityName, title}
//
// A record: {id: 'MOTION/CITY', origin, motion, city, choice, poll, nonce, text, signature,
//   publicKey, hash, created, state: 'unsent' | 'recorded' | 'refused', lastError, refusal,
//   receipt, receiptSignature, serverKey, seq, recorded, receiptOk, replayed}

import { NETWORK, hex, randomBytes, sha256Hex } from './statements.js';
import { parseText, verifyEd25519, isTransient } from './ballot.js';
import * as keystore from './keystore.js';

export const CHOICES = Object.freeze(['yes', 'no', 'abstain']);
export { isTransient };

const CODE_RE = /^[a-z][a-z0-9-]{1,31}$/;
const HEX64_RE = /^[0-9a-f]{64}$/;
const HEX32_RE = /^[0-9a-f]{32}$/;
const DB_NAME = 'b40-motion-ballots';
const STORE = 'ballots';

/** The canonical motion ballot; TypeError for a field the server would refuse. */
export function motionBallotText({ motion, poll, city, choice, nonce }) {
  if (!Number.isSafeInteger(motion) || motion < 1) throw new TypeError('motion must be a positive integer');
  if (typeof poll !== 'string' || !HEX64_RE.test(poll)) throw new TypeError('poll must be 64 lower-case hex digits');
  if (typeof city !== 'string' || !CODE_RE.test(city)) throw new TypeError('city must be a city code');
  if (!CHOICES.includes(choice)) throw new TypeError('choice must be yes, no or abstain');
  if (typeof nonce !== 'string' || !HEX32_RE.test(nonce)) throw new TypeError('nonce must be 32 lower-case hex digits');
  return 'b40-motion-ballot-v1\n'
    + `network: ${NETWORK}\n`
    + `motion: ${motion}\n`
    + `poll: ${poll}\n`
    + `city: ${city}\n`
    + `choice: ${choice}\n`
    + `nonce: ${nonce}\n`;
}

export function draftMotionBallot({ motion, poll, city, choice }) {
  const fields = { motion, poll, city, choice, nonce: hex(randomBytes(16)) };
  return { ...fields, text: motionBallotText(fields) };
}

// ---- the store ---------------------------------------------------------------------

let dbPromise = null;

function openDb() {
  if (!dbPromise) {
    dbPromise = new Promise((resolve, reject) => {
      const req = indexedDB.open(DB_NAME, 1);
      req.onupgradeneeded = () => {
        if (!req.result.objectStoreNames.contains(STORE)) req.result.createObjectStore(STORE, { keyPath: 'id' });
      };
      req.onsuccess = () => {
        const db = req.result;
        db.onversionchange = () => { db.close(); dbPromise = null; };
        resolve(db);
      };
      req.onerror = () => { dbPromise = null; reject(new Error(`could not open the ballot store: ${req.error?.message}`)); };
      req.onblocked = () => { dbPromise = null; reject(new Error('the ballot store is busy in another tab; close it and try again')); };
    });
  }
  return dbPromise;
}

async function withStore(mode, fn) {
  const db = await openDb();
  return new Promise((resolve, reject) => {
    const tx = db.transaction(STORE, mode);
    const req = fn(tx.objectStore(STORE));
    let value;
    if (req) req.onsuccess = () => { value = req.result; };
    tx.oncomplete = () => resolve(value);
    tx.onerror = () => reject(new Error(`ballot store: ${tx.error?.message}`));
    tx.onabort = () => reject(new Error(`ballot store: ${tx.error?.message || 'aborted'}`));
  });
}

const save = async (rec) => { await withStore('readwrite', (s) => s.put(rec)); return rec; };

export async function getMotionBallot(motion, city) {
  const r = await withStore('readonly', (s) => s.get(`${motion}/${city}`));
  return r && r.origin === globalThis.location?.origin ? r : null;
}

export async function forgetMotionBallot(id) {
  await withStore('readwrite', (s) => s.delete(id));
}

// ---- signing and sending ------------------------------------------------------------

/**
 * Signs exactly the text the delegate was shown and stores it, unsent,
 * before anything goes on the wire. A ballot this device already holds for
 * the motion and city (recorded, or waiting to be sent) is kept instead.
 */
export async function prepareMotionBallot(draft, record) {
  const existing = await getMotionBallot(draft.motion, draft.city);
  if (existing && (existing.state === 'recorded' || existing.state === 'unsent')) return existing;
  const text = motionBallotText(draft);
  if (text !== draft.text) throw new TypeError('the ballot text changed after it was shown');
  const signature = await keystore.sign(record, text);
  return save({
    id: `${draft.motion}/${draft.city}`,
    origin: globalThis.location?.origin,
    motion: draft.motion, city: draft.city, choice: draft.choice, poll: draft.poll, nonce: draft.nonce,
    text, signature, publicKey: record.publicKey,
    hash: await sha256Hex(text),
    created: new Date().toISOString(),
    state: 'unsent', tries: 0, lastError: null, refusal: null,
  });
}

async function keepReceipt(rec, reply, replayed) {
  Object.assign(rec, {
    state: 'recorded', replayed, lastError: null, refusal: null,
    receipt: reply.receipt ?? rec.receipt ?? null,
    receiptSignature: reply.receipt_signature ?? rec.receiptSignature ?? null,
    serverKey: reply.server_key ?? rec.serverKey ?? null,
    seq: reply.seq ?? rec.seq ?? null,
  });
  let ok = (reply.ballot_hash ?? rec.hash) === rec.hash;
  if (rec.receipt) {
    const { kind, fields } = parseText(rec.receipt);
    ok = ok && kind === 'b40-motion-receipt-v1' && fields['ballot-sha256'] === rec.hash && fields.motion === String(rec.motion);
    rec.recorded = fields.recorded || null;
    if (rec.serverKey && rec.receiptSignature) ok = ok && await verifyEd25519(rec.serverKey, rec.receipt, rec.receiptSignature);
  }
  rec.receiptOk = ok;
  await save(rec).catch(() => {});
  return rec;
}

/**
 * Sends a stored ballot (motion.cast) with its stored bytes and signature.
 * An `already_voted` answer naming this very ballot's hash means an earlier
 * send was recorded and its reply lost: that is success.
 */
export async function sendMotionBallot(client, rec) {
  rec.tries = (rec.tries || 0) + 1;
  try {
    const reply = await client.request('motion.cast', { motion: rec.motion, ballot: rec.text, signature: rec.signature }, { timeoutMs: 20000 });
    return await keepReceipt(rec, reply, false);
  } catch (err) {
    const e = err.reply?.error || {};
    if (err.code === 'already_voted' && e.ballot_hash === rec.hash) {
      return keepReceipt(rec, { receipt: e.receipt, receipt_signature: e.receipt_signature, seq: e.seq, ballot_hash: e.ballot_hash }, true);
    }
    if (isTransient(err)) {
      rec.lastError = { code: err.code, message: err.message };
    } else {
      rec.state = 'refused';
      rec.refusal = { code: err.code, message: err.message, ballotHash: e.ballot_hash ?? null };
    }
    await save(rec).catch(() => {});
    throw err;
  }
}

export function motionReceiptFileText(rec, about = {}) {
  const part = (title, body) => `----- ${title} -----\n${body.endsWith('\n') ? body : `${body}\n`}`;
  return [
    'B40 Balkan Cities Network: motion ballot receipt\n',
    `Group: ${about.groupName || ''}; session: ${about.title || ''}\n`,
    `Motion: ${rec.motion}\n`,
    `City: ${about.cityName || rec.city} (${rec.city}); vote: ${rec.choice}\n`,
    `Sequence number: ${rec.seq ?? 'not known'}\n`,
    `Ballot hash (SHA-256): ${rec.hash}\n`,
    `Recorded: ${rec.recorded || 'not known'}\n\n`,
    rec.receipt ? part('receipt (the exact text the server signed)', rec.receipt) : 'The server recorded this ballot; its receipt text was not sent again.\n',
    rec.receiptSignature ? part('receipt signature (Ed25519, hex)', rec.receiptSignature) : '',
    rec.serverKey ? part('server public key (Ed25519, hex)', rec.serverKey) : '',
    part('ballot (the exact text your key signed)', rec.text),
    part('ballot signature (Ed25519, hex)', rec.signature),
    part('your public key (Ed25519, hex)', rec.publicKey),
    '\nHow to check: the SHA-256 of the ballot text above is the ballot hash; when the motion closes, the\n',
    'room and the minutes list the hash of every ballot counted, and the receipt signature verifies\n',
    'with the server key over the receipt text.\n',
  ].join('');
}
