// The signing keys this browser holds for B40: Ed25519 key pairs made with
// WebCrypto, kept in IndexedDB. An ES module; runs on a page's main thread.
//
// The private key is made non-extractable: the browser can sign with it but
// no script (ours included) can read it out, so it never leaves this device.
// CryptoKey objects are structured-cloneable, so IndexedDB stores the
// CryptoKeyPair itself; next to it we keep the raw public key as hex (a public
// key can always be exported) and what the page needs to show: the person's
// id and name, affiliation and roles, the device label and when it was
// enrolled. Nothing here is secret except the private key, which is opaque.
//
// IndexedDB is per origin, so every key here belongs to this site; the
// record's `origin` is kept anyway so that a key is only ever offered to the
// origin that enrolled it.
//
// API (all async unless noted)
//   ed25519Support()        -> {ok: true} | {ok: false, reason}   (cached)
//   generateKeyPair()       -> {keyPair, publicKey (hex)}
//   listKeys()              -> records for this origin, newest first
//   getKey()                -> the newest usable record for this origin, or null
//   getKeyByPublic(hex)     -> record or null
//   saveKey(record)         -> record (put: insert or replace by publicKey)
//   deleteKey(hex)          -> removes it ("forget this device's key")
//   sign(record, text)      -> 128 hex: Ed25519 signature over text's UTF-8 bytes
//
// A record: {publicKey, keyPair, origin, personId, personName, affiliation,
//            roles, device, enrolled, status: 'pending' | 'active'}
// 'pending' is a key made for an enrollment the server has not confirmed yet;
// getKey() never returns one.

import { hex } from './statements.js';

const DB_NAME = 'b40-keys';
const DB_VERSION = 1;
const STORE = 'keys';
const ALGORITHM = { name: 'Ed25519' };

/** An error this module raises, with a stable code for the page to explain. */
export class KeystoreError extends Error {
  constructor(code, message) {
    super(message);
    this.name = 'KeystoreError';
    this.code = code;
  }
}

let supportPromise = null;

/**
 * Whether this browser can make and use Ed25519 keys (WebCrypto "Ed25519"
 * and IndexedDB, in a secure context). Tries it once and remembers.
 */
export function ed25519Support() {
  if (!supportPromise) {
    supportPromise = (async () => {
      if (!globalThis.isSecureContext) {
        return { ok: false, reason: 'This page was not loaded over a secure (https) connection, so the browser does not offer its key functions.' };
      }
      if (!globalThis.crypto?.subtle) {
        return { ok: false, reason: 'This browser does not offer the Web Cryptography functions that B40 needs.' };
      }
      if (!globalThis.indexedDB) {
        return { ok: false, reason: 'This browser does not let the page keep a key (IndexedDB is not available; a private window may be the cause).' };
      }
      try {
        const pair = await crypto.subtle.generateKey(ALGORITHM, false, ['sign', 'verify']);
        const sig = await crypto.subtle.sign(ALGORITHM, pair.privateKey, new Uint8Array([1, 2, 3]));
        if (new Uint8Array(sig).length !== 64) throw new Error('odd signature length');
        return { ok: true };
      } catch {
        return {
          ok: false,
          reason: 'This browser cannot make Ed25519 signing keys. Please use a recent version of '
            + 'Chrome, Edge, Firefox or Safari (all have supported it since 2025), or update this one.',
        };
      }
    })();
  }
  return supportPromise;
}

/** Makes a new key pair whose private half cannot be exported. */
export async function generateKeyPair() {
  const support = await ed25519Support();
  if (!support.ok) throw new KeystoreError('unsupported', support.reason);
  const keyPair = await crypto.subtle.generateKey(ALGORITHM, false, ['sign', 'verify']);
  const raw = await crypto.subtle.exportKey('raw', keyPair.publicKey);
  return { keyPair, publicKey: hex(raw) };
}

let dbPromise = null;

function openDb() {
  if (!dbPromise) {
    dbPromise = new Promise((resolve, reject) => {
      const req = indexedDB.open(DB_NAME, DB_VERSION);
      req.onupgradeneeded = () => {
        const db = req.result;
        if (!db.objectStoreNames.contains(STORE)) db.createObjectStore(STORE, { keyPath: 'publicKey' });
      };
      req.onsuccess = () => {
        const db = req.result;
        // Another tab upgrading the schema: let it, and reopen next time.
        db.onversionchange = () => { db.close(); dbPromise = null; };
        resolve(db);
      };
      req.onerror = () => { dbPromise = null; reject(new KeystoreError('storage', `could not open the key store: ${req.error?.message}`)); };
      req.onblocked = () => { dbPromise = null; reject(new KeystoreError('storage', 'the key store is busy in another tab; close it and try again')); };
    });
  }
  return dbPromise;
}

/** Runs fn(store) in one transaction; resolves with the value of the last request fn returns. */
async function withStore(mode, fn) {
  const db = await openDb();
  return new Promise((resolve, reject) => {
    const tx = db.transaction(STORE, mode);
    const req = fn(tx.objectStore(STORE));
    let value;
    if (req) req.onsuccess = () => { value = req.result; };
    tx.oncomplete = () => resolve(value);
    tx.onerror = () => reject(new KeystoreError('storage', `key store: ${tx.error?.message}`));
    tx.onabort = () => reject(new KeystoreError('storage', `key store: ${tx.error?.message || 'aborted'}`));
  });
}

function ownOrigin(record) {
  return record && record.origin === globalThis.location?.origin;
}

/** Every key record of this origin, newest enrollment first (pending ones included). */
export async function listKeys() {
  const all = (await withStore('readonly', (s) => s.getAll())) || [];
  return all.filter(ownOrigin).sort((a, b) => String(b.enrolled).localeCompare(String(a.enrolled)));
}

/** The key this device signs in with: the newest active one of this origin, or null. */
export async function getKey() {
  return (await listKeys()).find((r) => r.status === 'active') || null;
}

export async function getKeyByPublic(publicKey) {
  const r = await withStore('readonly', (s) => s.get(publicKey));
  return ownOrigin(r) ? r : null;
}

/** Stores (or replaces) a record; fills in origin and status when missing. */
export async function saveKey(record) {
  if (!record?.keyPair?.privateKey || typeof record.publicKey !== 'string') {
    throw new TypeError('saveKey: a record needs keyPair and publicKey');
  }
  const r = {
    origin: globalThis.location?.origin,
    status: 'active',
    enrolled: new Date().toISOString(),
    ...record,
  };
  await withStore('readwrite', (s) => s.put(r));
  return r;
}

/** Removes a key from this device for good. */
export async function deleteKey(publicKey) {
  await withStore('readwrite', (s) => s.delete(publicKey));
}

/** Signs the UTF-8 bytes of text with the record's private key; 128 hex digits. */
export async function sign(record, text) {
  if (!record?.keyPair?.privateKey) throw new KeystoreError('no_key', 'there is no key to sign with');
  const sig = await crypto.subtle.sign(ALGORITHM, record.keyPair.privateKey, new TextEncoder().encode(text));
  return hex(sig);
}
