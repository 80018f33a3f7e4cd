// Helpers for the end-to-end tests: a WebSocket client that queues what the
// server sends so a test can await "the next message", a raw upgrade attempt
// (to see whether the server answers 101 without a client library in the
// way), an HTTPS GET that trusts the development CA, and small timing tools.
// Everything verifies TLS against the harness's development CA.
import https from 'node:https';
import tls from 'node:tls';
import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';

export const PROTOCOL = 'b40.v1';
export const MAX_MESSAGE = 65536;
/** RFC 3339 UTC with milliseconds, the one time format the server sends. */
export const TIME_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

export const sleep = (ms) => new Promise((res) => setTimeout(res, ms));

/** Rejects with `what` if `promise` has not settled within `ms`. */
export function within(ms, promise, what = 'operation') {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, rej) => { timer = setTimeout(() => rej(new Error(`${what}: no result within ${ms} ms`)), ms); }),
  ]).finally(() => clearTimeout(timer));
}

/**
 * A connected client. Messages are parsed and queued as they arrive;
 * next() takes the oldest (waiting if there is none). closed resolves to
 * {code, reason} when the connection ends, however it ends.
 */
export class Client {
  constructor(ws) {
    this.ws = ws;
    this.queue = [];
    this.waiters = [];
    this.pings = 0;
    this.closeInfo = null;
    ws.on('message', (data, isBinary) => {
      let msg;
      try { msg = JSON.parse(data.toString('utf8')); } catch { msg = { unparsable: data.toString('utf8'), isBinary }; }
      const w = this.waiters.shift();
      if (w) w.res(msg); else this.queue.push(msg);
    });
    ws.on('ping', () => { this.pings += 1; });
    ws.on('error', () => {}); // the close event reports the outcome
    this.closed = new Promise((res) => ws.on('close', (code, reason) => {
      this.closeInfo = { code, reason: reason.toString() };
      for (const w of this.waiters.splice(0)) w.rej(new Error(`connection closed (${code}) while waiting for a message`));
      res(this.closeInfo);
    }));
  }

  get isOpen() { return this.ws.readyState === WebSocket.OPEN; }

  /** The next message from the server (parsed JSON). */
  next(timeoutMs = 5000) {
    if (this.queue.length) return Promise.resolve(this.queue.shift());
    if (this.closeInfo) return Promise.reject(new Error(`connection closed (${this.closeInfo.code})`));
    return new Promise((res, rej) => {
      const w = { res, rej };
      const timer = setTimeout(() => {
        const i = this.waiters.indexOf(w);
        if (i >= 0) this.waiters.splice(i, 1);
        rej(new Error(`no message within ${timeoutMs} ms`));
      }, timeoutMs);
      w.res = (m) => { clearTimeout(timer); res(m); };
      w.rej = (e) => { clearTimeout(timer); rej(e); };
      this.waiters.push(w);
    });
  }

  /** Sends raw text (string or Buffer, as a text frame unless opts say otherwise). */
  sendRaw(data, opts = {}) {
    return new Promise((res, rej) => this.ws.send(data, { binary: false, ...opts }, (err) => (err ? rej(err) : res())));
  }

  /** Sends obj (or a raw string) and returns the next message. */
  async request(obj, timeoutMs = 5000) {
    await this.sendRaw(typeof obj === 'string' || Buffer.isBuffer(obj) ? obj : JSON.stringify(obj));
    return this.next(timeoutMs);
  }

  /** A system.ping round trip; returns the reply. */
  ping(id = `p-${randomBytes(4).toString('hex')}`, timeoutMs = 5000) {
    return this.request({ id, type: 'system.ping' }, timeoutMs);
  }

  close() {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.terminate();
  }
}

/**
 * Opens a WebSocket to the server like a browser page of its own origin
 * would. opts: origin (default srv.origin; null for none), protocols
 * (default ['b40.v1']), path (default '/ws'), wsOptions (passed to ws).
 * Resolves to a Client once open, before any message is consumed.
 */
export function connect(srv, opts = {}) {
  const origin = opts.origin === undefined ? srv.origin : opts.origin;
  const protocols = opts.protocols === undefined ? [PROTOCOL] : opts.protocols;
  const url = `wss://127.0.0.1:${srv.port}${opts.path || '/ws'}`;
  const wsOptions = { ca: srv.ca, handshakeTimeout: opts.handshakeTimeout || 10000, ...(opts.wsOptions || {}) };
  if (origin !== null) wsOptions.origin = origin;
  const ws = new WebSocket(url, protocols, wsOptions);
  const client = new Client(ws);
  return new Promise((res, rej) => {
    const fail = (e) => rej(e instanceof Error ? e : new Error(String(e)));
    ws.once('open', () => { ws.off('unexpected-response', onUnexpected); res(client); });
    const onUnexpected = (req, resp) => { fail(new Error(`upgrade refused with HTTP ${resp.statusCode}`)); req.destroy(); };
    ws.once('unexpected-response', onUnexpected);
    ws.once('error', fail);
    client.closed.then((c) => fail(new Error(`closed before open (${c.code})`)));
  });
}

/** Connects and consumes the system.welcome event; returns [client, welcome]. */
export async function connectWelcomed(srv, opts = {}) {
  const c = await connect(srv, opts);
  const welcome = await c.next(opts.welcomeTimeout || 5000);
  return [c, welcome];
}

/**
 * Attempts a WebSocket upgrade by hand over TLS and reports what the server
 * did: {upgraded: true, headers} on 101, otherwise {upgraded: false,
 * status?, error?}. opts: path, origin (null = no header), protocol
 * (null = no header), extensions (a Sec-WebSocket-Extensions value).
 */
export function tryUpgrade(srv, opts = {}) {
  const headers = {
    Connection: 'Upgrade',
    Upgrade: 'websocket',
    'Sec-WebSocket-Version': '13',
    'Sec-WebSocket-Key': randomBytes(16).toString('base64'),
  };
  const origin = opts.origin === undefined ? srv.origin : opts.origin;
  const protocol = opts.protocol === undefined ? PROTOCOL : opts.protocol;
  if (origin !== null) headers.Origin = origin;
  if (protocol !== null) headers['Sec-WebSocket-Protocol'] = protocol;
  if (opts.extensions) headers['Sec-WebSocket-Extensions'] = opts.extensions;
  return new Promise((res) => {
    const req = https.request({
      host: '127.0.0.1', port: srv.port, path: opts.path || '/ws', method: 'GET',
      ca: srv.ca, agent: false, headers, timeout: 8000,
    });
    let done = false;
    const t0 = Date.now();
    // A hard bound as well as the idle timeout: a stalled TLS handshake counts.
    const hard = setTimeout(() => { finish({ upgraded: false, error: 'timeout (no answer in 8 s)' }); req.destroy(); }, 8000);
    const finish = (r) => { if (!done) { done = true; clearTimeout(hard); res({ ...r, ms: Date.now() - t0 }); } };
    req.on('upgrade', (resp, socket) => {
      socket.destroy();
      finish({ upgraded: true, status: resp.statusCode, headers: resp.headers });
    });
    req.on('response', (resp) => {
      resp.resume();
      finish({ upgraded: false, status: resp.statusCode, headers: resp.headers });
      req.destroy();
    });
    req.on('timeout', () => { finish({ upgraded: false, error: 'timeout (no answer in 8 s)' }); req.destroy(); });
    req.on('error', (e) => finish({ upgraded: false, error: e.code || e.message }));
    req.end();
  });
}

/** GET over HTTPS trusting the dev CA; resolves to {status, headers, body}. */
export function httpGet(srv, path, opts = {}) {
  return new Promise((res, rej) => {
    const req = https.request({
      host: '127.0.0.1', port: srv.port, path, method: opts.method || 'GET',
      ca: srv.ca, agent: false, timeout: opts.timeout || 8000, headers: opts.headers || {},
    }, (resp) => {
      const chunks = [];
      resp.on('data', (d) => chunks.push(d));
      resp.on('end', () => res({ status: resp.statusCode, headers: resp.headers, body: Buffer.concat(chunks).toString('utf8') }));
      resp.on('error', rej);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${path}: no answer in ${opts.timeout || 8000} ms`)));
    req.on('error', rej);
    req.end();
  });
}

/** Opens a TLS connection verified against the dev CA; resolves once secure. */
export function tlsConnect(srv, extra = {}) {
  return new Promise((res, rej) => {
    const sock = tls.connect({ host: '127.0.0.1', port: srv.port, ca: srv.ca, ...extra });
    sock.once('secureConnect', () => res(sock));
    sock.once('error', rej);
  });
}

/** A client frame (masked, FIN set) with opcode and payload (a Buffer or a string). */
export function maskedFrame(opcode, payload = Buffer.alloc(0)) {
  const data = Buffer.isBuffer(payload) ? payload : Buffer.from(payload, 'utf8');
  const mask = randomBytes(4);
  let head;
  if (data.length < 126) head = Buffer.from([0x80 | opcode, 0x80 | data.length]);
  else if (data.length < 65536) { head = Buffer.alloc(4); head[0] = 0x80 | opcode; head[1] = 0x80 | 126; head.writeUInt16BE(data.length, 2); }
  else { head = Buffer.alloc(10); head[0] = 0x80 | opcode; head[1] = 0x80 | 127; head.writeBigUInt64BE(BigInt(data.length), 2); }
  const body = Buffer.from(data);
  for (let i = 0; i < body.length; i += 1) body[i] ^= mask[i & 3];
  return Buffer.concat([head, mask, body]);
}

/**
 * A hand-made WebSocket client on a raw TLS socket (opts.address: the local
 * address): completes the upgrade, then sends only what the test writes (it
 * answers no PING and no close frame). Records every frame the server sends
 * as {opcode, payload} in `frames` (and their opcodes in `opcodes`).
 * next() resolves to the next text frame, parsed; request(obj) sends obj as
 * a text frame and resolves to the next text frame (the shape of Client's
 * request, so idutil's call() works on it). Resolves to {sock, frames,
 * opcodes, upgradedAt, ended, next, request} once upgraded; ended resolves
 * to the time (Date.now()) the server dropped the connection.
 */
export async function rawClient(srv, opts = {}) {
  const sock = await tlsConnect(srv, opts.address ? { localAddress: opts.address } : {});
  const key = randomBytes(16).toString('base64');
  sock.write([
    'GET /ws HTTP/1.1', `Host: 127.0.0.1:${srv.port}`, 'Connection: Upgrade', 'Upgrade: websocket',
    'Sec-WebSocket-Version: 13', `Sec-WebSocket-Key: ${key}`, `Sec-WebSocket-Protocol: ${PROTOCOL}`,
    `Origin: ${srv.origin}`, '', ''].join('\r\n'));
  const frames = [];
  const opcodes = [];
  let texts = 0; // text frames handed out by next()
  const waiters = [];
  let buf = Buffer.alloc(0);
  let headerDone = false;
  let upgradedAt = 0;
  const ended = new Promise((res) => {
    const end = () => res(Date.now());
    sock.on('end', end);
    sock.on('close', end);
    sock.on('error', end);
  });
  const textFrames = () => frames.filter((f) => f.opcode === 0x1);
  const wake = () => {
    while (waiters.length && textFrames().length > texts) waiters.shift()(JSON.parse(textFrames()[texts++].payload.toString('utf8')));
  };
  await new Promise((res, rej) => {
    const timer = setTimeout(() => rej(new Error('raw upgrade: no 101 within 5 s')), 5000);
    sock.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      if (!headerDone) {
        const i = buf.indexOf('\r\n\r\n');
        if (i < 0) return;
        const head = buf.subarray(0, i).toString('latin1');
        buf = buf.subarray(i + 4);
        headerDone = true;
        if (!/^HTTP\/1\.1 101 /.test(head)) { clearTimeout(timer); rej(new Error(`raw upgrade refused: ${head.split('\r\n')[0]}`)); return; }
        upgradedAt = Date.now();
        clearTimeout(timer);
        res();
      }
      // The server's frames (unmasked, each message in one frame).
      for (;;) {
        if (buf.length < 2) break;
        let len = buf[1] & 0x7f;
        let off = 2;
        if (len === 126) { if (buf.length < 4) break; len = buf.readUInt16BE(2); off = 4; } else if (len === 127) { if (buf.length < 10) break; len = Number(buf.readBigUInt64BE(2)); off = 10; }
        if (buf.length < off + len) break;
        frames.push({ opcode: buf[0] & 0x0f, payload: Buffer.from(buf.subarray(off, off + len)) });
        opcodes.push(buf[0] & 0x0f);
        buf = buf.subarray(off + len);
      }
      wake();
    });
    sock.once('close', () => { clearTimeout(timer); if (!headerDone) rej(new Error('raw upgrade: connection closed before 101')); });
  });
  const next = (timeoutMs = 5000) => new Promise((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`raw client: no text frame within ${timeoutMs} ms`)), timeoutMs);
    waiters.push((m) => { clearTimeout(timer); res(m); });
    wake();
  });
  const request = (obj, timeoutMs = 5000) => {
    sock.write(maskedFrame(0x1, typeof obj === 'string' ? obj : JSON.stringify(obj)));
    return next(timeoutMs);
  };
  return { sock, frames, opcodes, upgradedAt, ended, next, request };
}

/**
 * A raw client that completes the upgrade and then never sends another
 * byte (it does not answer PINGs): rawClient without its requests.
 */
export async function rawIdleClient(srv) {
  const { sock, opcodes, upgradedAt, ended } = await rawClient(srv);
  return { sock, opcodes, upgradedAt, ended };
}

const SANITIZER_RE = /AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|runtime error:/;

/** Throws if the server's output holds a sanitizer report (ASan/UBSan builds). */
export function assertNoSanitizerReport(srv) {
  const out = srv.output();
  if (SANITIZER_RE.test(out)) throw new Error(`sanitizer report in the server output:\n${out}`);
}

/**
 * Stops a server with SIGTERM (if it is still running) and throws unless it
 * exited 0 without a sanitizer report. For after() hooks; null is allowed.
 */
export async function stopClean(srv) {
  if (!srv) return;
  const r = await srv.stop();
  assertNoSanitizerReport(srv);
  if (r.code !== 0 || r.signal !== null) throw new Error(`server exit ${JSON.stringify(r)}, expected code 0:\n${srv.output()}`);
}
