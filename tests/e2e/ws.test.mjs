// The WebSocket endpoint: the handshake (subprotocol, Origin allowlist, no
// extensions), system.welcome, system.ping, and every error code of
// docs/protocol.md with the connection surviving each one.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/harness.mjs';
import { connect, connectWelcomed, tryUpgrade, httpGet, TIME_RE, PROTOCOL, stopClean } from './wsutil.mjs';

const T = { timeout: 20000 };

/** Asserts a system.ping reply for `id`, with a time close to now. */
function assertPingReply(reply, id) {
  assert.deepEqual(Object.keys(reply).sort(), ['id', 'ok', 'time'], `ping reply fields: ${JSON.stringify(reply)}`);
  assert.equal(reply.ok, true);
  assert.deepEqual(reply.id, id);
  assert.match(reply.time, TIME_RE);
  const skew = Math.abs(Date.parse(reply.time) - Date.now());
  assert.ok(skew < 5000, `time ${reply.time} is ${skew} ms from now`);
}

/** Asserts an error reply with `code`; `id` (undefined = do not check) and `field`. */
function assertError(reply, code, id, field) {
  assert.equal(reply.ok, false, `expected an error, got ${JSON.stringify(reply)}`);
  assert.equal(reply.error?.code, code, `expected ${code}, got ${JSON.stringify(reply)}`);
  assert.equal(typeof reply.error.message, 'string');
  assert.ok(reply.error.message.length > 0, 'empty error.message');
  assert.ok('id' in reply, `error reply without id: ${JSON.stringify(reply)}`);
  if (id !== undefined) assert.deepEqual(reply.id, id, `id in ${JSON.stringify(reply)}`);
  if (field !== undefined) assert.equal(reply.error.field, field, `error.field in ${JSON.stringify(reply)}`);
}

describe('handshake', () => {
  let srv;
  before(async () => { srv = await startServer(); });
  after(async () => { await stopClean(srv); });

  test('b40.v1 from the server origin opens; no extension; welcome first with seq 1', T, async () => {
    // ws offers permessage-deflate by default: the server must decline it.
    const c = await connect(srv);
    try {
      assert.equal(c.ws.protocol, PROTOCOL);
      assert.equal(c.ws.extensions, '');
      const w = await c.next();
      assert.deepEqual(Object.keys(w).sort(), ['event', 'max_message_bytes', 'protocol', 'seq', 'server', 'version']);
      assert.equal(w.event, 'system.welcome');
      assert.equal(w.seq, 1);
      assert.equal(w.server, 'b40');
      assert.equal(w.protocol, 'b40.v1');
      assert.equal(w.max_message_bytes, 65536);
      const health = JSON.parse((await httpGet(srv, '/healthz')).body);
      assert.equal(w.version, health.version);
    } finally {
      c.close();
    }
  });

  test('a request sent at once on open is answered after the welcome', T, async () => {
    const c = await connect(srv);
    try {
      await c.sendRaw('{"id":"early","type":"system.ping"}');
      const first = await c.next();
      const second = await c.next();
      assert.equal(first.event, 'system.welcome', `first message: ${JSON.stringify(first)}`);
      assert.equal(first.seq, 1);
      assertPingReply(second, 'early');
    } finally {
      c.close();
    }
  });

  test('raw upgrade offering permessage-deflate: 101 without Sec-WebSocket-Extensions', T, async () => {
    const r = await tryUpgrade(srv, { extensions: 'permessage-deflate; client_max_window_bits' });
    assert.ok(r.upgraded, `not upgraded: ${JSON.stringify(r)}`);
    assert.equal(r.headers['sec-websocket-protocol'], PROTOCOL);
    assert.equal(r.headers['sec-websocket-extensions'], undefined);
  });

  test('b40.v1 offered among others is chosen', T, async () => {
    const c = await connect(srv, { protocols: ['chat', PROTOCOL] });
    try {
      assert.equal(c.ws.protocol, PROTOCOL);
      assert.equal((await c.next()).event, 'system.welcome');
    } finally {
      c.close();
    }
  });

  test('every origin of the certificate is allowed (localhost, 127.0.0.1, [::1])', T, async () => {
    for (const origin of [`https://localhost:${srv.port}`, `https://127.0.0.1:${srv.port}`, `https://[::1]:${srv.port}`]) {
      const r = await tryUpgrade(srv, { origin });
      assert.ok(r.upgraded, `${origin} refused: ${JSON.stringify(r)}`);
    }
  });

  const refusals = (port) => [
    ['foreign Origin', { origin: 'https://evil.example' }],
    ['no Origin', { origin: null }],
    ['Origin with the wrong scheme', { origin: `http://127.0.0.1:${port}` }],
    ['Origin with the wrong port', { origin: `https://127.0.0.1:${port + 1}` }],
    ['Origin without the port', { origin: 'https://127.0.0.1' }],
    ['Origin "null"', { origin: 'null' }],
    ['Origin that extends an allowed one', { origin: `https://127.0.0.1:${port}.evil.example` }],
    ['wrong subprotocol', { protocol: 'b40.v2' }],
    ['no subprotocol', { protocol: null }],
    ['wrong path', { path: '/other' }],
    ['path with a suffix', { path: '/ws/x' }],
  ];
  test('refused upgrades never reach 101 (raw)', T, async () => {
    for (const [name, opts] of refusals(srv.port)) {
      const r = await tryUpgrade(srv, opts);
      assert.equal(r.upgraded, false, `${name}: upgraded (${JSON.stringify(r.headers)})`);
    }
    // Control: the same helper does upgrade a good request.
    assert.equal((await tryUpgrade(srv)).upgraded, true);
  });

  test('refused upgrades fail in a WebSocket client too', T, async () => {
    const cases = [
      ['foreign Origin', { origin: 'https://evil.example' }],
      ['no Origin', { origin: null }],
      ['wrong subprotocol', { protocols: ['b40.v2'] }],
      ['no subprotocol', { protocols: [] }],
      ['wrong path', { path: '/other' }],
    ];
    for (const [name, opts] of cases) {
      await assert.rejects(connect(srv, opts).then((c) => { c.close(); }), Error, `${name}: the handshake succeeded`);
    }
  });

  test('the server still serves after the refusals', T, async () => {
    const [c, w] = await connectWelcomed(srv);
    try {
      assert.equal(w.event, 'system.welcome');
      assertPingReply(await c.ping('after-refusals'), 'after-refusals');
    } finally {
      c.close();
    }
  });
});

describe('origin allowlist replaced', () => {
  const T = { timeout: 45000 };
  test('--origin https://app.example: that origin works, the server\'s own does not', T, async () => {
    const srv = await startServer({ args: ['--origin', 'https://app.example'] });
    try {
      const [c, w] = await connectWelcomed(srv, { origin: 'https://app.example' });
      assert.equal(w.event, 'system.welcome');
      c.close();
      assert.equal((await tryUpgrade(srv, { origin: srv.origin })).upgraded, false, 'own origin still allowed');
      assert.equal((await tryUpgrade(srv, { origin: `https://localhost:${srv.port}` })).upgraded, false, 'localhost still allowed');
      assert.equal((await tryUpgrade(srv, { origin: 'https://evil.example' })).upgraded, false);
    } finally {
      await stopClean(srv);
    }
  });

  test('--origin is repeatable', T, async () => {
    const srv = await startServer({ args: ['--origin', 'https://a.example', '--origin', 'https://b.example:8443'] });
    try {
      assert.equal((await tryUpgrade(srv, { origin: 'https://a.example' })).upgraded, true);
      assert.equal((await tryUpgrade(srv, { origin: 'https://b.example:8443' })).upgraded, true);
      assert.equal((await tryUpgrade(srv, { origin: 'https://b.example' })).upgraded, false);
      assert.equal((await tryUpgrade(srv, { origin: srv.origin })).upgraded, false);
    } finally {
      await stopClean(srv);
    }
  });

  test('B40_ORIGINS (comma-separated) replaces it; --origin wins over it', T, async () => {
    const env = await startServer({ env: { B40_ORIGINS: 'https://e1.example,https://e2.example' } });
    try {
      assert.equal((await tryUpgrade(env, { origin: 'https://e1.example' })).upgraded, true);
      assert.equal((await tryUpgrade(env, { origin: 'https://e2.example' })).upgraded, true);
      assert.equal((await tryUpgrade(env, { origin: env.origin })).upgraded, false);
    } finally {
      await stopClean(env);
    }
    const both = await startServer({ env: { B40_ORIGINS: 'https://e1.example' }, args: ['--origin', 'https://flag.example'] });
    try {
      assert.equal((await tryUpgrade(both, { origin: 'https://flag.example' })).upgraded, true);
      assert.equal((await tryUpgrade(both, { origin: 'https://e1.example' })).upgraded, false);
    } finally {
      await stopClean(both);
    }
  });
});

describe('messages', () => {
  let srv;
  let c;
  before(async () => {
    srv = await startServer();
    [c] = await connectWelcomed(srv);
  });
  after(async () => { c?.close(); await stopClean(srv); });

  const ids = [
    ['string id', 'abc'],
    ['integer id', 42],
    ['zero', 0],
    ['negative integer', -17],
    ['largest integer', 9007199254740991],
    ['smallest integer', -9007199254740991],
    ['1-byte string', 'x'],
    ['128-byte string', 'i'.repeat(128)],
    ['128-byte multibyte string', 'é'.repeat(64)],
    ['string that looks like a number', '7'],
  ];
  for (const [name, id] of ids) {
    test(`system.ping echoes the id: ${name}`, T, async () => {
      assertPingReply(await c.ping(id), id);
    });
  }

  test('replies come in request order', T, async () => {
    const n = 50;
    await Promise.all(Array.from({ length: n }, (_, i) => c.sendRaw(JSON.stringify({ id: i, type: 'system.ping' }))));
    for (let i = 0; i < n; i++) assertPingReply(await c.next(), i);
  });

  // Each case: [name, raw text, code, expected id (undefined: not checked), field].
  const nest = (depth, inner = '') => `${'['.repeat(depth)}${inner}${']'.repeat(depth)}`;
  const nestObj = (depth, inner) => `${'{"a":'.repeat(depth)}${inner}${'}'.repeat(depth)}`;
  const errors = [
    ['bad_json: truncated', '{"id":1,"type":"system.ping"', 'bad_json', null],
    ['bad_json: empty message', '', 'bad_json', null],
    ['bad_json: whitespace only', '   ', 'bad_json', null],
    ['bad_json: trailing comma', '{"id":1,"type":"system.ping",}', 'bad_json', null],
    ['bad_json: single quotes', "{'id':1,'type':'system.ping'}", 'bad_json', null],
    ['bad_json: block comment', '{"id":1,/* c */"type":"system.ping"}', 'bad_json', null],
    ['bad_json: line comment', '{"id":1,"type":"system.ping"} // c', 'bad_json', null],
    ['bad_json: unquoted key', '{id:1,"type":"system.ping"}', 'bad_json', null],
    ['bad_json: bare control character in a string', '{"id":"a\u0001b","type":"system.ping"}', 'bad_json', null],
    ['bad_json: trailing garbage', '{"id":1,"type":"system.ping"} x', 'bad_json', null],
    ['bad_json: two objects', '{"id":1,"type":"system.ping"}{"id":2,"type":"system.ping"}', 'bad_json', null],
    ['bad_json: invalid UTF-8 (0xff)', Buffer.concat([Buffer.from('{"id":"a'), Buffer.from([0xff]), Buffer.from('","type":"system.ping"}')]), 'bad_json', null],
    ['bad_json: invalid UTF-8 (overlong /)', Buffer.concat([Buffer.from('{"id":"a'), Buffer.from([0xc0, 0xaf]), Buffer.from('","type":"system.ping"}')]), 'bad_json', null],
    ['bad_json: invalid UTF-8 (surrogate)', Buffer.concat([Buffer.from('{"id":"a'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('","type":"system.ping"}')]), 'bad_json', null],
    // Depth counts the top-level object: {"x":[[1]]} is 3 deep.
    ['bad_json: arrays nesting 17 deep', `{"id":1,"type":"system.ping","x":${nest(16, '1')}}`, 'bad_json', null],
    ['bad_json: objects nesting 17 deep', `{"id":1,"type":"system.ping","x":${nestObj(16, '1')}}`, 'bad_json', null],
    ['bad_json: nesting 17 deep, innermost array empty', `{"id":1,"type":"system.ping","x":${nest(16)}}`, 'bad_json', null],
    ['bad_json: nesting 17 deep, innermost object empty', `{"id":1,"type":"system.ping","x":${nestObj(15, '{}')}}`, 'bad_json', null],
    ['bad_json: nesting 1000 deep', `{"id":1,"type":"system.ping","x":${nest(999)}}`, 'bad_json', null],
    // 16 deep is well-formed: it parses, then "x" is refused as a field.
    ['bad_request: arrays nesting exactly 16 deep parse', `{"id":1,"type":"system.ping","x":${nest(15, '1')}}`, 'bad_request', 1, 'x'],
    ['bad_request: objects nesting exactly 16 deep parse', `{"id":1,"type":"system.ping","x":${nestObj(15, '1')}}`, 'bad_request', 1, 'x'],
    ['bad_request: 16 deep, innermost array empty', `{"id":1,"type":"system.ping","x":${nest(15)}}`, 'bad_request', 1, 'x'],
    ['bad_request: top-level array', '[{"id":1,"type":"system.ping"}]', 'bad_request', null],
    ['bad_request: top-level string', '"system.ping"', 'bad_request', null],
    ['bad_request: top-level number', '7', 'bad_request', null],
    ['bad_request: top-level null', 'null', 'bad_request', null],
    ['bad_request: missing id', '{"type":"system.ping"}', 'bad_request', null, 'id'],
    ['bad_request: id float', '{"id":1.5,"type":"system.ping"}', 'bad_request', null, 'id'],
    ['bad_request: id true', '{"id":true,"type":"system.ping"}', 'bad_request', null, 'id'],
    ['bad_request: id object', '{"id":{"a":1},"type":"system.ping"}', 'bad_request', null, 'id'],
    ['bad_request: id array', '{"id":[1],"type":"system.ping"}', 'bad_request', null, 'id'],
    ['bad_request: id null', '{"id":null,"type":"system.ping"}', 'bad_request', null, 'id'],
    ['bad_request: id empty string', '{"id":"","type":"system.ping"}', 'bad_request', null, 'id'],
    ['bad_request: id string 129 bytes', JSON.stringify({ id: 'i'.repeat(129), type: 'system.ping' }), 'bad_request', null, 'id'],
    ['bad_request: id string 130 bytes (multibyte)', JSON.stringify({ id: 'é'.repeat(65), type: 'system.ping' }), 'bad_request', null, 'id'],
    ['bad_request: id integer 2^53', '{"id":9007199254740992,"type":"system.ping"}', 'bad_request', null, 'id'],
    ['bad_request: id integer -2^53', '{"id":-9007199254740992,"type":"system.ping"}', 'bad_request', null, 'id'],
    ['bad_request: id integer 2^64', '{"id":18446744073709551616,"type":"system.ping"}', 'bad_request', null, 'id'],
    ['bad_request: missing type', '{"id":"t1"}', 'bad_request', 't1', 'type'],
    ['bad_request: type a number', '{"id":"t2","type":5}', 'bad_request', 't2', 'type'],
    ['bad_request: type null', '{"id":"t3","type":null}', 'bad_request', 't3', 'type'],
    ['bad_request: type upper case', '{"id":"t4","type":"System.Ping"}', 'bad_request', 't4', 'type'],
    ['bad_request: type without a dot', '{"id":"t5","type":"systemping"}', 'bad_request', 't5', 'type'],
    ['bad_request: type with a hyphen', '{"id":"t6","type":"system-x.ping"}', 'bad_request', 't6', 'type'],
    ['bad_request: type with a space', '{"id":"t7","type":"system.ping "}', 'bad_request', 't7', 'type'],
    ['bad_request: type empty', '{"id":"t8","type":""}', 'bad_request', 't8', 'type'],
    ['bad_request: type 65 bytes', JSON.stringify({ id: 't9', type: `${'a'.repeat(32)}.${'b'.repeat(32)}` }), 'bad_request', 't9', 'type'],
    ['bad_request: unexpected field on system.ping', '{"id":"f1","type":"system.ping","extra":1}', 'bad_request', 'f1', 'extra'],
    ['bad_request: unexpected null field on system.ping', '{"id":2,"type":"system.ping","room":null}', 'bad_request', 2, 'room'],
    ['unknown_type', '{"id":"u1","type":"nope.nothing"}', 'unknown_type', 'u1'],
    ['unknown_type: integer id', '{"id":99,"type":"system.pong"}', 'unknown_type', 99],
    ['unknown_type: 64-byte type', JSON.stringify({ id: 'u3', type: `${'a'.repeat(31)}.${'b'.repeat(32)}` }), 'unknown_type', 'u3'],
    ['unknown_type: digits and underscores', '{"id":"u4","type":"a_1.b_2.c3"}', 'unknown_type', 'u4'],
  ];
  for (const [name, raw, code, id, field] of errors) {
    test(`${name} -> ${code}, connection survives`, T, async () => {
      const reply = await c.request(raw);
      assertError(reply, code, id, field);
      assertPingReply(await c.ping('alive'), 'alive');
      assert.ok(c.isOpen);
    });
  }

  test('bad_frame: a binary message, connection survives', T, async () => {
    await c.sendRaw(Buffer.from(JSON.stringify({ id: 'b1', type: 'system.ping' })), { binary: true });
    assertError(await c.next(), 'bad_frame', null);
    assertPingReply(await c.ping('alive'), 'alive');
  });

  test('bad_frame: an empty binary message, connection survives', T, async () => {
    await c.sendRaw(Buffer.alloc(0), { binary: true });
    assertError(await c.next(), 'bad_frame', null);
    assertPingReply(await c.ping('alive'), 'alive');
  });

  test('every bad message gets exactly one reply (no extra messages queued)', T, async () => {
    // After all the cases above the next message must be this ping's reply.
    assertPingReply(await c.ping('last'), 'last');
    assert.equal(c.queue.length, 0, `unexpected extra messages: ${JSON.stringify(c.queue)}`);
  });
});
