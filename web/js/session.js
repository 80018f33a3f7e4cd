// An authenticated session on top of B40Client: signs in with the key this
// device holds (keystore.js), signs in again by itself after every reconnect,
// and tells the page who is signed in. An ES module; runs on the page's main
// thread. It owns no socket: the page's B40Client does; it never touches the
// DOM.
//
// The server's sessions belong to one connection, so every page load, and
// every reconnect, signs in afresh: auth.challenge, then the login statement
// of docs/identity.md (with location.origin) signed by the key, then
// auth.login. "Signed out" is remembered in localStorage so that a person
// who signed out is not signed in again by the next page until they ask.
//
// API
//   const session = new Session(client, {auto = true});
//   session.start()          looks for a key, and signs in whenever the connection opens
//                            (when auto and not signed out on purpose)
//   session.status           'checking' | 'unsupported' | 'no-key' | 'signed-out' |
//                            'signing-in' | 'signed-in' | 'offline' | 'failed'
//   session.person           the person object of auth.login (or null)
//   session.key              the server's key object (or null)
//   session.record           this device's keystore record in use (or null)
//   session.error            {code, message} of the last failure (status 'failed'/'unsupported')
//   session.isSecretariat    the person is a secretary or an expert
//   await session.signIn(record?)    signs in now (clears "signed out")
//   await session.signOut({forget})  auth.logout; forget also deletes this device's key
//   session.noteError(err)   a request failed: when the server says the session is over
//                            (not_signed_in, key_revoked, person_inactive), updates the status;
//                            returns true when it did
//   session.sign(text)       signs text with the key in use (128 hex)
//   clearSignedOut()         (a function of the module) lets pages sign in by themselves
//                            again; enroll.js calls it after a new enrollment
//
// Events (addEventListener): 'status' {status, error} on every change;
// 'person' {person, key} when the signed-in person changes (also to null).

import * as keystore from './keystore.js';
import { loginStatement } from './statements.js';

const SIGNED_OUT = 'b40.signedOut';
const SESSION_OVER = new Set(['not_signed_in', 'key_revoked', 'person_inactive', 'unknown_key']);

function signedOutFlag() {
  try { return globalThis.localStorage?.getItem(SIGNED_OUT) === '1'; } catch { return false; }
}

function setSignedOutFlag(on) {
  try {
    if (on) globalThis.localStorage?.setItem(SIGNED_OUT, '1');
    else globalThis.localStorage?.removeItem(SIGNED_OUT);
  } catch { /* storage refused: only auto sign-in is affected */ }
}

/** Lets the next page sign in by itself again (after a new enrollment on this device). */
export function clearSignedOut() {
  setSignedOutFlag(false);
}

export class Session extends EventTarget {
  #client;
  #auto;
  #status = 'checking';
  #person = null;
  #key = null;
  #record = null;
  #error = null;
  #generation = 0;     // bumps on every sign-in attempt and sign-out; stale results are dropped
  #wanted = false;     // sign in whenever the connection opens
  #started = false;

  constructor(client, { auto = true } = {}) {
    super();
    this.#client = client;
    this.#auto = auto;
  }

  get status() { return this.#status; }
  get person() { return this.#person; }
  get key() { return this.#key; }
  get record() { return this.#record; }
  get error() { return this.#error; }
  get isSecretariat() {
    return !!this.#person && this.#person.affiliation === 'secretariat'
      && this.#person.roles.some((r) => r === 'secretary' || r === 'expert');
  }

  /** Looks for this device's key and signs in when (and each time) the connection opens. */
  async start() {
    if (this.#started) return;
    this.#started = true;
    this.#client.addEventListener('state', (e) => this.#onState(e.detail.state));
    const support = await keystore.ed25519Support();
    if (!support.ok) {
      this.#setStatus('unsupported', { code: 'unsupported', message: support.reason });
      return;
    }
    try {
      this.#record = await keystore.getKey();
    } catch (err) {
      this.#setStatus('failed', { code: err.code || 'storage', message: err.message });
      return;
    }
    if (!this.#record) {
      this.#setStatus('no-key');
      return;
    }
    if (!this.#auto || signedOutFlag()) {
      this.#setStatus('signed-out');
      return;
    }
    this.#wanted = true;
    if (this.#client.state === 'open') this.#login();
    else this.#setStatus('offline');
  }

  /** Signs in with record (default: this device's newest key). Resolves to the person. */
  async signIn(record) {
    if (record) this.#record = record;
    if (!this.#record) this.#record = await keystore.getKey();
    if (!this.#record) {
      this.#setStatus('no-key');
      return null;
    }
    setSignedOutFlag(false);
    this.#wanted = true;
    if (this.#client.state !== 'open') {
      this.#setStatus('offline');
      return null;
    }
    return this.#login();
  }

  /**
   * Signs out on the server (auth.logout, when connected) and stays signed out
   * on this device until signIn(). With forget, deletes this device's key.
   */
  async signOut({ forget = false } = {}) {
    this.#generation++;
    this.#wanted = false;
    setSignedOutFlag(true);
    if (this.#client.state === 'open') {
      try { await this.#client.request('auth.logout'); } catch { /* the connection's session ends with it anyway */ }
    }
    if (forget && this.#record) {
      await keystore.deleteKey(this.#record.publicKey);
      this.#record = await keystore.getKey();
      if (!this.#record) setSignedOutFlag(false);
    }
    this.#setPerson(null, null);
    this.#setStatus(this.#record ? 'signed-out' : 'no-key');
  }

  /** Signs text with the key in use. */
  sign(text) {
    return keystore.sign(this.#record, text);
  }

  /** See the header: reacts to a server error that ends the session. */
  noteError(err) {
    if (!err || !SESSION_OVER.has(err.code)) return false;
    this.#generation++;
    this.#setPerson(null, null);
    if (err.code === 'not_signed_in' && this.#wanted && this.#client.state === 'open') {
      // The server forgot this connection's session (e.g. it restarted in between): sign in again.
      this.#login();
    } else {
      this.#wanted = false;
      this.#setStatus('failed', { code: err.code, message: err.message });
    }
    return true;
  }

  #onState(state) {
    if (state === 'open') {
      if (this.#wanted && this.#record) this.#login();
    } else if (this.#status === 'signed-in' || this.#status === 'signing-in') {
      // The server ends the session with the connection; keep showing who it
      // was, and sign in again when the connection is back.
      this.#generation++;
      this.#setStatus('offline');
    }
  }

  async #login() {
    const gen = ++this.#generation;
    const record = this.#record;
    this.#setStatus('signing-in');
    try {
      const { challenge } = await this.#client.request('auth.challenge');
      const text = loginStatement({ origin: location.origin, challenge, publicKey: record.publicKey });
      const signature = await keystore.sign(record, text);
      if (gen !== this.#generation) return null;
      const reply = await this.#client.request('auth.login', { public_key: record.publicKey, signature });
      if (gen !== this.#generation) return null;
      this.#setPerson(reply.person, reply.key);
      this.#refreshRecord(record, reply.person, reply.key);
      this.#setStatus('signed-in');
      return reply.person;
    } catch (err) {
      if (gen !== this.#generation) return null;
      if (err.code === 'disconnected' || err.code === 'not_connected') {
        this.#setStatus('offline');   // #onState signs in again when it reopens
        return null;
      }
      this.#wanted = false;
      this.#setPerson(null, null);
      this.#setStatus('failed', { code: err.code || 'error', message: err.message });
      return null;
    }
  }

  /** Keeps the record's name and roles in step with the server's, for the next page's first paint. */
  #refreshRecord(record, person, key) {
    if (!person) return;
    const same = record.personId === person.id && record.personName === person.name
      && record.affiliation === person.affiliation
      && String(record.roles) === String(person.roles)
      && (!key || record.device === key.device);
    if (same) return;
    keystore.saveKey({
      ...record,
      personId: person.id,
      personName: person.name,
      affiliation: person.affiliation,
      roles: person.roles,
      device: key?.device ?? record.device,
    }).then((r) => { if (this.#record === record) this.#record = r; }).catch(() => {});
  }

  #setPerson(person, key) {
    const changed = (this.#person?.id ?? null) !== (person?.id ?? null)
      || JSON.stringify(this.#person) !== JSON.stringify(person);
    this.#person = person;
    this.#key = key;
    if (changed) this.dispatchEvent(new CustomEvent('person', { detail: { person, key } }));
  }

  #setStatus(status, error = null) {
    this.#error = error;
    const changed = status !== this.#status;
    this.#status = status;
    if (changed || error) this.dispatchEvent(new CustomEvent('status', { detail: { status, error } }));
  }
}
