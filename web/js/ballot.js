// The ballot of docs/audit.md, built byte for byte in the voter's browser,
// signed with the key this device holds (keystore.js), and kept on the device
// until the server has answered with a receipt. An ES module; main thread
// only; it never touches the DOM.
//
// Why a ballot is stored before it is sent: a mayor on a phone may lose the
// connection (or close the tab) between "Sign and send" and the reply. The
// signed ballot is written to IndexedDB first; when the connection is back
// the page sends the very same bytes with the very same signature again. The
// server keeps one ballot per city and round, so a second send of a ballot it
// already recorded is answered `already_voted` with that ballot's hash: equal
// to ours, it means "recorded", and is treated as success.
//
// API
//   ABSTAIN                       'abstain'
//   newNonce()                    16 random bytes as 32 hex
//   ballotText(f)                 the canonical text; f = {election, round, poll, city, choice, nonce}
//   parseText(text)               {kind, fields: {name: value}} of any docs/audit.md text (poll, receipt, ...)
//   verifyEd25519(keyHex, text, sigHex)    -> boolean (async)
//   verifyReceiptProof(keyHex, receipt, proof) -> boolean (async): a batch-signed receipt
//   draftBallot({election, round, poll, city, choice})
//                                 {...fields, nonce, text}: what the voter is shown, not yet signed
//   prepareBallot(draft, record)  signs draft.text with the keystore record and stores it as
//                                 unsent; resolves to its stored record
//   sendBallot(client, rec)       election.cast; resolves to the updated record (state 'recorded')
//                                 or rejects with the B40Error (the record then says why)
//   getBallot(election, round, city), listBallots(election), forgetBallot(id)
//   isTransient(err)              the error leaves the ballot unsent (to be sent again)
//   receiptFileText(rec, about)   the text of the "Save receipt" file
//
// A stored record: {id: 'ELECTION/ROUND/CITY', origin, election, round, city, choice,
//   poll, nonce, text, signature, publicKey, hash, created, state: 'unsent' | 'recorded'
//   | 'refused', tries, lastError: {code, message} | null,
//   receipt, receiptSignature (a receipt signed alone, before schema 6) | receiptProof
//   ({batch: the signed batch statement, signature, index, path}: receipts are signed a batch
//   at a time, docs/audit.md "Batch-signed receipts"), serverKey, seq, recorded, receiptOk,
//   replayed, refusal: {code, message, ballotHash} | null}

import { NETWORK, hex, fromHex, randomBytes, sha256Hex } from './statements.js';
import * as keystore from './keystore.js';
import { leafHash, verifyInclusion } from './merkle.js';

export const ABSTAIN = 'abstain';

const CODE_RE = /^[a-z][a-z0-9-]{1,31}$/;
const HEX64_RE = /^[0-9a-f]{64}$/;
const HEX32_RE = /^[0-9a-f]{32}$/;
const DB_NAME = 'b40-ballots';
const STORE = 'ballots';

// Errors after which the ballot may still reach the server: it stays unsent.
const TRANSIENT = new Set(['not_connected', 'disconnected', 'timeout', 'send_failed', 'internal', 'not_signed_in']);

/** Whether err leaves a ballot unsent (the connection, not the ballot, failed). */
export function isTransient(err) {
  return TRANSIENT.has(err?.code);
}

/** 16 random bytes from the browser, as 32 lower-case hex digits. */
export function newNonce() {
  return hex(randomBytes(16));
}

/**
 * The canonical ballot text (docs/audit.md, "The ballot"). Throws TypeError
 * on a field the server would refuse, rather than sign something it will not
 * accept.
 */
export function ballotText({ election, round, poll, city, choice, nonce }) {
  if (!Number.isSafeInteger(election) || election < 1) throw new TypeError('election must be a positive integer');
  if (!Number.isSafeInteger(round) || round < 1) throw new TypeError('round must be a positive integer');
  if (typeof poll !== 'string' || !HEX64_RE.test(poll)) throw new TypeError('poll must be 64 lower-case hex digits');
  if (typeof city !== 'string' || !CODE_RE.test(city)) throw new TypeError('city must be a city code');
  if (typeof choice !== 'string' || (choice !== ABSTAIN && !CODE_RE.test(choice))) throw new TypeError('choice must be a city code or "abstain"');
  if (typeof nonce !== 'string' || !HEX32_RE.test(nonce)) throw new TypeError('nonce must be 32 lower-case hex digits');
  return 'b40-ballot-v1\n'
    + `network: ${NETWORK}\n`
    + `election: ${election}\n`
    + `round: ${round}\n`
    + `poll: ${poll}\n`
    + `city: ${city}\n`
    + `choice: ${choice}\n`
    + `nonce: ${nonce}\n`;
}

/** The kind (first line) and `name: value` fields of a docs/audit.md text. */
export function parseText(text) {
  const lines = String(text ?? '').split('\n');
  const fields = {};
  for (const line of lines.slice(1)) {
    const i = line.indexOf(': ');
    if (i > 0) fields[line.slice(0, i)] = line.slice(i + 2);
  }
  return { kind: lines[0] || '', fields };
}

/** Ed25519 (WebCrypto) verification of text's UTF-8 bytes; false on any malformed input. */
export async function verifyEd25519(publicKeyHex, text, signatureHex) {
  try {
    const key = await crypto.subtle.importKey('raw', fromHex(publicKeyHex), { name: 'Ed25519' }, false, ['verify']);
    return await crypto.subtle.verify({ name: 'Ed25519' }, key, fromHex(signatureHex), new TextEncoder().encode(text));
  } catch {
    return false;
  }
}

// ---- the store ----------------------------------------------------------------

let dbPromise = null;

function openDb() {
  if (!dbPromise) {
    dbPromise = new Promise((resolve, reject) => {
      const req = indexedDB.open(DB_NAME, 1);
      req.onupgradeneeded = () => {
        const db = req.result;
        if (!db.objectStoreNames.contains(STORE)) {
          db.createObjectStore(STORE, { keyPath: 'id' }).createIndex('election', 'election');
        }
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

function ballotId(election, round, city) {
  return `${election}/${round}/${city}`;
}

function ownOrigin(r) {
  return r && r.origin === globalThis.location?.origin;
}

async function save(rec) {
  await withStore('readwrite', (s) => s.put(rec));
  return rec;
}

/** The ballot this device keeps for a city in a round, or null. */
export async function getBallot(election, round, city) {
  const r = await withStore('readonly', (s) => s.get(ballotId(election, round, city)));
  return ownOrigin(r) ? r : null;
}

/** Every ballot this device keeps for an election, by round. */
export async function listBallots(election) {
  const all = (await withStore('readonly', (s) => s.index('election').getAll(election))) || [];
  return all.filter(ownOrigin).sort((a, b) => a.round - b.round);
}

export async function forgetBallot(id) {
  await withStore('readwrite', (s) => s.delete(id));
}

// ---- signing and sending --------------------------------------------------------

/**
 * A ballot ready to be shown and signed: the fields with a fresh nonce and
 * the canonical text. Nothing is signed or stored yet.
 */
export function draftBallot({ election, round, poll, city, choice }) {
  const fields = { election, round, poll, city, choice, nonce: newNonce() };
  return { ...fields, text: ballotText(fields) };
}

/**
 * Signs the exact text of draft (the one the voter was shown) with record
 * (a keystore record) and stores it as unsent before anything goes on the
 * wire. A ballot this device already recorded, or still has to send, for the
 * same city and round is never replaced: that one is returned instead.
 */
export async function prepareBallot(draft, record) {
  const { election, round, poll, city, choice, nonce } = draft;
  const existing = await getBallot(election, round, city);
  if (existing && (existing.state === 'recorded' || existing.state === 'unsent')) return existing;
  const text = ballotText({ election, round, poll, city, choice, nonce });
  if (text !== draft.text) throw new TypeError('the ballot text changed after it was shown');
  const signature = await keystore.sign(record, text);
  const rec = {
    id: ballotId(election, round, city),
    origin: globalThis.location?.origin,
    election, round, city, choice, poll, nonce, text, signature,
    publicKey: record.publicKey,
    hash: await sha256Hex(text),
    created: new Date().toISOString(),
    state: 'unsent',
    tries: 0,
    lastError: null,
    refusal: null,
  };
  return save(rec);
}

/**
 * Sends a stored ballot (election.cast) with its stored bytes and signature.
 * Resolves to the record, now 'recorded' with the receipt. Rejects with the
 * B40Error otherwise: after a transient error the record stays 'unsent'
 * (send it again later); after a refusal it is 'refused' with the reason.
 */
export async function sendBallot(client, rec) {
  rec.tries = (rec.tries || 0) + 1;
  try {
    const reply = await client.request('election.cast', { ballot: rec.text, signature: rec.signature }, { timeoutMs: 20000 });
    return await keepReceipt(rec, reply, false);
  } catch (err) {
    if (err.code === 'already_voted') {
      const e = err.reply?.error || {};
      const recordedHash = e.ballot_hash ?? err.reply?.ballot_hash ?? null;
      if (recordedHash === rec.hash) {
        // This very ballot was recorded by an earlier send whose reply was lost.
        const src = e.receipt ? e : err.reply || {};
        return keepReceipt(rec, {
          receipt: src.receipt ?? null,
          receipt_signature: src.receipt_signature ?? null,
          receipt_batch: src.receipt_batch ?? null,
          receipt_batch_signature: src.receipt_batch_signature ?? null,
          receipt_index: src.receipt_index ?? null,
          receipt_path: src.receipt_path ?? null,
          server_key: src.server_key ?? null,
          ballot_hash: recordedHash,
          seq: src.seq ?? null,
        }, true);
      }
      rec.state = 'refused';
      rec.refusal = { code: err.code, message: err.message, ballotHash: recordedHash };
    } else if (isTransient(err)) {
      rec.lastError = { code: err.code, message: err.message };
    } else {
      rec.state = 'refused';
      rec.refusal = { code: err.code, message: err.message, ballotHash: null };
    }
    await save(rec).catch(() => {});
    throw err;
  }
}

/** Records the receipt of a cast (or a replayed) ballot and checks it. */
async function keepReceipt(rec, reply, replayed) {
  rec.state = 'recorded';
  rec.replayed = replayed;
  rec.lastError = null;
  rec.refusal = null;
  // A replay whose reply carries no receipt keeps the one this device may already hold.
  rec.receipt = reply.receipt ?? (replayed ? rec.receipt ?? null : null);
  rec.receiptSignature = reply.receipt_signature ?? (replayed ? rec.receiptSignature ?? null : null);
  rec.receiptProof = reply.receipt_batch
    ? { batch: reply.receipt_batch, signature: reply.receipt_batch_signature ?? null, index: reply.receipt_index ?? null, path: reply.receipt_path ?? null }
    : (replayed ? rec.receiptProof ?? null : null);
  rec.serverKey = reply.server_key ?? (replayed ? rec.serverKey ?? null : null);
  rec.seq = reply.seq ?? (replayed ? rec.seq ?? null : null);
  rec.serverHash = reply.ballot_hash ?? null;
  const check = { hashMatches: reply.ballot_hash === rec.hash, receiptNamesBallot: null, signatureValid: null };
  if (rec.receipt) {
    const { kind, fields } = parseText(rec.receipt);
    check.receiptNamesBallot = kind === 'b40-receipt-v1' && fields['ballot-sha256'] === rec.hash
      && fields.election === String(rec.election) && fields.round === String(rec.round);
    rec.recorded = fields.recorded || null;
    if (rec.seq === null && /^\d+$/.test(fields.seq || '')) rec.seq = Number(fields.seq);
    if (rec.serverKey && rec.receiptProof) {
      check.signatureValid = await verifyReceiptProof(rec.serverKey, rec.receipt, rec.receiptProof);
    } else if (rec.serverKey && rec.receiptSignature) {
      check.signatureValid = await verifyEd25519(rec.serverKey, rec.receipt, rec.receiptSignature);
    }
  }
  rec.receiptCheck = check;
  rec.receiptOk = check.hashMatches && check.receiptNamesBallot !== false && check.signatureValid !== false;
  await save(rec).catch(() => {});
  return rec;
}

/**
 * A batch-signed receipt (docs/audit.md "Batch-signed receipts"): the batch
 * statement is signed by the server key, and the receipt's leaf hash with its
 * audit path leads to the statement's root, at its index of the statement's
 * leaf count. False on any malformed part.
 */
export async function verifyReceiptProof(serverKeyHex, receipt, proof) {
  const { kind, fields } = parseText(proof.batch || '');
  if (kind !== 'b40-receipt-batch-v1' || fields.network !== NETWORK || !/^[1-9][0-9]*$/.test(fields.leaves || '')) return false;
  if (!Number.isSafeInteger(proof.index) || !Array.isArray(proof.path)) return false;
  if (!(await verifyEd25519(serverKeyHex, proof.batch, proof.signature || ''))) return false;
  return verifyInclusion(await leafHash(receipt), proof.index, Number(fields.leaves), proof.path, fields.root || '');
}

/**
 * The "Save receipt" file: the receipt with its signature and the server's
 * key, then the ballot with its signature and key, and how to check them.
 * about = {title, cityName, choiceName}.
 */
export function receiptFileText(rec, about = {}) {
  const line = (t) => `${t}\n`;
  const part = (title, body) => `----- ${title} -----\n${body.endsWith('\n') ? body : `${body}\n`}`;
  return [
    line('B40 Balkan Cities Network: ballot receipt'),
    line(`Election: ${about.title || `#${rec.election}`} (election ${rec.election}), round ${rec.round}`),
    line(`City: ${about.cityName || rec.city} (${rec.city})`),
    line(`Sequence number: ${rec.seq ?? 'not known'}`),
    line(`Ballot hash (SHA-256): ${rec.hash}`),
    line(`Recorded: ${rec.recorded || 'not known'}`),
    '\n',
    rec.receipt ? part('receipt (the exact text the server signed)', rec.receipt) : line('The server recorded this ballot; its receipt text was not sent again.'),
    rec.receiptSignature ? part('receipt signature (Ed25519, hex)', rec.receiptSignature) : '',
    rec.receiptProof ? part('receipt batch (the exact text the server signed: the Merkle root of its receipts)', rec.receiptProof.batch) : '',
    rec.receiptProof ? part('receipt batch signature (Ed25519, hex)', rec.receiptProof.signature || '') : '',
    rec.receiptProof ? part('place of this receipt in the batch (index, from 0)', String(rec.receiptProof.index)) : '',
    rec.receiptProof ? part('audit path (SHA-256, hex, nearest the receipt first; RFC 9162 2.1.3)', (rec.receiptProof.path || []).join('\n') || '(none: the batch holds this receipt alone)') : '',
    rec.serverKey ? part('server public key (Ed25519, hex)', rec.serverKey) : '',
    part('ballot (the exact text your key signed)', rec.text),
    part('ballot signature (Ed25519, hex)', rec.signature),
    part('your public key (Ed25519, hex)', rec.publicKey),
    '\n',
    line('How to check: the SHA-256 of the ballot text above (every line, each ending in a line feed)'),
    line('is the ballot hash; after the round closes, the results page publishes the hash of every'),
    line('ballot counted. The receipt batch signature verifies with the server key over the batch'),
    line('text, and the receipt, hashed as a leaf and combined with the audit path, gives the batch\'s'),
    line('root (docs/audit.md, "Batch-signed receipts").'),
  ].join('');
}
