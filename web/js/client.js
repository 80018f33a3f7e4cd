// B40 WebSocket client: the one connection every B40 page keeps to the server,
// speaking the `b40.v1` protocol of docs/protocol.md. An ES module with no
// dependencies; it runs on the browser's main thread (and in Node 20 when a
// WebSocket implementation such as the `ws` package is passed in).
//
// What it owns
//   One WebSocket at a time, the reconnect timer, the table of requests
//   waiting for a reply, and the per-connection event sequence counter.
//   Nothing else: it never touches the DOM and keeps no application state.
//
// API
//   const client = new B40Client({url, protocol, initialBackoffMs, maxBackoffMs,
//                                 requestTimeoutMs, WebSocket});
//     url               default wss://<page host>/ws (ws: only on an http: page)
//     protocol          subprotocol offered, default 'b40.v1'
//     initialBackoffMs  first reconnect delay cap, default 500
//     maxBackoffMs      largest reconnect delay cap, default 15000
//     requestTimeoutMs  default per-request timeout, default 10000
//     WebSocket         constructor to use, default globalThis.WebSocket
//   client.connect()    starts connecting (no-op unless idle or closed)
//   client.close()      closes for good: no reconnect until connect() is called again
//   client.state        'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed'
//   client.lastSeq      seq of the last server event on the current connection (0 before any)
//   client.request(type, fields = {}, {timeoutMs} = {})
//                       sends {id, type, ...fields}; resolves to the whole reply
//                       object when it has ok:true; rejects with B40Error otherwise.
//   client.on(eventName, handler) -> unsubscribe()
//                       handler(message) for each server event whose `event` equals
//                       eventName ('*' receives every event).
//
// DOM-style events (client.addEventListener(name, e => e.detail ...)):
//   'state'   {state, attempt, delayMs}  on every state change, and once per scheduled
//             reconnect attempt (attempt counts from 1; delayMs is the wait before it)
//   'gap'     {expected, got}            an event's seq was not lastSeq + 1
//   'stray'   {message}                  a reply whose id matches no waiting request
//                                        (e.g. id null after a malformed request) or a
//                                        message that is neither reply nor event
//
// Handlers: the caller owns the functions it passes to on() and addEventListener();
// the client holds them until unsubscribed (or removeEventListener). They are kept
// across reconnects and close(). A handler that throws does not stop the others; the
// exception is passed to reportError() (or console.error).
//
// Reconnect: when a connection ends without close() having been called, the client
// waits a random delay in [0, min(maxBackoffMs, initialBackoffMs * 2^(attempt-1))]
// ("full jitter") and tries again, for ever; the attempt count resets after a
// connection opens. The browser's `online` event cuts a pending wait short. The
// state stays 'reconnecting' across failed attempts until one opens.
//
// Errors the client itself creates (B40Error.code), besides the server's own codes
// from docs/protocol.md, which are passed through with .field and .reply:
//   not_connected  request() while the state is not 'open'
//   disconnected   the connection closed (or close() was called) before the reply came
//   timeout        no reply within timeoutMs (a late reply is then ignored)
//   send_failed    the WebSocket refused the message (e.g. it was closing)
//   bad_reply      a reply with ok:false but no error object

/** An error reply from the server, or a failure of the client itself. */
export class B40Error extends Error {
  /**
   * @param {string} code    stable snake_case code
   * @param {string} message for people
   * @param {{field?: string, reply?: object}} [extra]
   */
  constructor(code, message, { field, reply } = {}) {
    super(message || code);
    this.name = 'B40Error';
    this.code = code;
    this.field = field;
    this.reply = reply;
  }
}

const STATES = new Set(['idle', 'connecting', 'open', 'reconnecting', 'closed']);

function defaultUrl() {
  const loc = globalThis.location;
  if (!loc) throw new TypeError('B40Client: no url given and no page location to derive one');
  return `${loc.protocol === 'http:' ? 'ws:' : 'wss:'}//${loc.host}/ws`;
}

function report(err) {
  if (typeof globalThis.reportError === 'function') globalThis.reportError(err);
  else console.error(err);
}

export class B40Client extends EventTarget {
  #url;
  #protocol;
  #initialBackoffMs;
  #maxBackoffMs;
  #requestTimeoutMs;
  #WebSocket;

  #state = 'idle';
  #ws = null;
  #attempt = 0;           // reconnect attempts since the last successful open
  #timer = null;          // pending reconnect
  #nextId = 1;
  #pending = new Map();   // id -> {resolve, reject, timer}
  #handlers = new Map();  // event name -> Set of handlers
  #lastSeq = 0;
  #onOnline = () => this.#reconnectNow();

  constructor({
    url,
    protocol = 'b40.v1',
    initialBackoffMs = 500,
    maxBackoffMs = 15000,
    requestTimeoutMs = 10000,
    WebSocket = globalThis.WebSocket,
  } = {}) {
    super();
    this.#url = url || defaultUrl();
    this.#protocol = protocol;
    this.#initialBackoffMs = Math.max(1, initialBackoffMs);
    this.#maxBackoffMs = Math.max(this.#initialBackoffMs, maxBackoffMs);
    this.#requestTimeoutMs = requestTimeoutMs;
    if (typeof WebSocket !== 'function') throw new TypeError('B40Client: no WebSocket implementation');
    this.#WebSocket = WebSocket;
  }

  get state() { return this.#state; }
  get lastSeq() { return this.#lastSeq; }
  get url() { return this.#url; }

  /** Starts connecting. Does nothing while already connecting, open or reconnecting. */
  connect() {
    if (this.#state !== 'idle' && this.#state !== 'closed') return;
    this.#attempt = 0;
    globalThis.addEventListener?.('online', this.#onOnline);
    this.#setState('connecting');
    this.#open();
  }

  /**
   * Closes the connection for good (code 1000) and cancels any pending reconnect.
   * Requests still waiting are rejected with 'disconnected'.
   */
  close() {
    if (this.#state === 'closed' || this.#state === 'idle') return;
    globalThis.removeEventListener?.('online', this.#onOnline);
    clearTimeout(this.#timer);
    this.#timer = null;
    const ws = this.#ws;
    this.#ws = null;
    if (ws) {
      this.#detach(ws);
      try { ws.close(1000); } catch { /* already closing */ }
    }
    this.#failPending('disconnected', 'the connection was closed');
    this.#setState('closed');
  }

  /**
   * Sends a request and waits for its reply. Fields must not include `id` or `type`.
   * @returns {Promise<object>} the reply (ok:true), or rejects with B40Error
   */
  request(type, fields = {}, { timeoutMs } = {}) {
    if (this.#state !== 'open' || !this.#ws) {
      return Promise.reject(new B40Error('not_connected', `not connected (state ${this.#state})`));
    }
    const id = this.#nextId++;
    const text = JSON.stringify({ ...fields, id, type });
    return new Promise((resolve, reject) => {
      const ms = timeoutMs ?? this.#requestTimeoutMs;
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new B40Error('timeout', `no reply to ${type} within ${ms} ms`));
      }, ms);
      this.#pending.set(id, { resolve, reject, timer });
      try {
        this.#ws.send(text);
      } catch (err) {
        clearTimeout(timer);
        this.#pending.delete(id);
        reject(new B40Error('send_failed', `could not send ${type}: ${err.message}`));
      }
    });
  }

  /**
   * Calls handler(message) for every server event named eventName ('*' for all).
   * @returns {() => void} removes the handler
   */
  on(eventName, handler) {
    if (typeof handler !== 'function') throw new TypeError('B40Client.on: handler must be a function');
    let set = this.#handlers.get(eventName);
    if (!set) this.#handlers.set(eventName, (set = new Set()));
    set.add(handler);
    return () => {
      set.delete(handler);
      if (set.size === 0 && this.#handlers.get(eventName) === set) this.#handlers.delete(eventName);
    };
  }

  #setState(state, detail = {}) {
    console.assert(STATES.has(state), state);
    const changed = state !== this.#state;
    this.#state = state;
    // A scheduled reconnect attempt is reported even though the state stays
    // 'reconnecting', so a page can show the countdown.
    if (changed || detail.delayMs !== undefined) {
      this.dispatchEvent(new CustomEvent('state', {
        detail: { state, attempt: this.#attempt, delayMs: detail.delayMs ?? 0 },
      }));
    }
  }

  #open() {
    let ws;
    try {
      ws = new this.#WebSocket(this.#url, this.#protocol);
    } catch (err) {
      // A malformed URL throws synchronously; retrying will not help, but a
      // reconnect loop is visible to the page, unlike a silent stop.
      report(err);
      this.#scheduleReconnect();
      return;
    }
    this.#ws = ws;
    this.#lastSeq = 0;   // seq restarts at 1 on every connection
    ws.onopen = () => {
      if (ws !== this.#ws) return;
      this.#attempt = 0;
      this.#setState('open');
    };
    ws.onmessage = (e) => {
      if (ws === this.#ws) this.#receive(e.data);
    };
    ws.onclose = () => {
      if (ws !== this.#ws) return;
      this.#detach(ws);
      this.#ws = null;
      this.#failPending('disconnected', 'the connection closed before the reply');
      this.#scheduleReconnect();
    };
    // 'error' is always followed by 'close', which does the work.
    ws.onerror = () => {};
  }

  #detach(ws) {
    ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
  }

  #scheduleReconnect() {
    clearTimeout(this.#timer);
    this.#attempt += 1;
    const cap = Math.min(this.#maxBackoffMs, this.#initialBackoffMs * 2 ** Math.min(this.#attempt - 1, 30));
    const delayMs = Math.floor(Math.random() * (cap + 1));
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#open();
    }, delayMs);
    this.#setState('reconnecting', { delayMs });
  }

  /** The page came back online: try at once instead of waiting out the backoff. */
  #reconnectNow() {
    if (this.#state !== 'reconnecting' || this.#timer === null) return;
    clearTimeout(this.#timer);
    this.#timer = null;
    this.#open();
  }

  #failPending(code, message) {
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const p of pending) {
      clearTimeout(p.timer);
      p.reject(new B40Error(code, message));
    }
  }

  #receive(data) {
    let msg;
    try {
      msg = typeof data === 'string' ? JSON.parse(data) : null;
    } catch {
      msg = null;
    }
    if (msg === null || typeof msg !== 'object' || Array.isArray(msg)) {
      this.dispatchEvent(new CustomEvent('stray', { detail: { message: data } }));
      return;
    }
    if (typeof msg.event === 'string') {
      this.#receiveEvent(msg);
    } else if ('id' in msg && 'ok' in msg) {
      this.#receiveReply(msg);
    } else {
      this.dispatchEvent(new CustomEvent('stray', { detail: { message: msg } }));
    }
  }

  #receiveReply(msg) {
    const p = this.#pending.get(msg.id);
    if (!p) {
      this.dispatchEvent(new CustomEvent('stray', { detail: { message: msg } }));
      return;
    }
    this.#pending.delete(msg.id);
    clearTimeout(p.timer);
    if (msg.ok === true) {
      p.resolve(msg);
    } else if (msg.error && typeof msg.error.code === 'string') {
      p.reject(new B40Error(msg.error.code, msg.error.message, { field: msg.error.field, reply: msg }));
    } else {
      p.reject(new B40Error('bad_reply', 'the server refused the request without saying why', { reply: msg }));
    }
  }

  #receiveEvent(msg) {
    if (Number.isInteger(msg.seq)) {
      const expected = this.#lastSeq + 1;
      if (msg.seq !== expected) {
        this.dispatchEvent(new CustomEvent('gap', { detail: { expected, got: msg.seq } }));
      }
      this.#lastSeq = msg.seq;
    }
    for (const name of [msg.event, '*']) {
      const set = this.#handlers.get(name);
      if (!set) continue;
      for (const handler of [...set]) {
        try { handler(msg); } catch (err) { report(err); }
      }
    }
  }
}
