// Limits: fragmented messages, the 64 KiB message cap (exact boundary, in
// one frame and in fragments), 500 concurrent connections, and the bounded
// send queue that drops a client which stops reading without slowing others.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../lib/harness.mjs';
import { connectWelcomed, httpGet, sleep, within, MAX_MESSAGE, TIME_RE, stopClean } from './wsutil.mjs';

const T = { timeout: 20000 };

/** `{"id":ID,"type":"system.ping"}` padded with trailing spaces to exactly n bytes. */
function paddedPing(id, n) {
  const s = JSON.stringify({ id, type: 'system.ping' });
  return s + ' '.repeat(n - Buffer.byteLength(s));
}

/** A ping with an unexpected field "pad" sized so the message is exactly n bytes. */
function paddedField(id, n) {
  const head = `{"id":${JSON.stringify(id)},"type":"system.ping","pad":"`;
  const tail = '"}';
  return head + 'x'.repeat(n - head.length - tail.length) + tail;
}

/** Sends buf in fragments of `size` bytes as one text message. */
async function sendFragments(c, buf, size) {
  const data = Buffer.from(buf);
  for (let off = 0; off < data.length; off += size) {
    const part = data.subarray(off, Math.min(off + size, data.length));
    const fin = off + size >= data.length;
    await c.sendRaw(part, { fin });
  }
}

describe('fragments and the message cap', () => {
  let srv;
  before(async () => { srv = await startServer(); });
  after(async () => { await stopClean(srv); });

  test('a fragmented message is reassembled and answered', T, async () => {
    const [c] = await connectWelcomed(srv);
    try {
      await c.sendRaw('{"id":"fr', { fin: false });
      await c.sendRaw('ag","type":"sys', { fin: false });
      await c.sendRaw('tem.ping"}', { fin: true });
      const r = await c.next();
      assert.equal(r.ok, true, JSON.stringify(r));
      assert.equal(r.id, 'frag');
      assert.match(r.time, TIME_RE);
    } finally {
      c.close();
    }
  });

  test('a multibyte character split across fragments is reassembled', T, async () => {
    const [c] = await connectWelcomed(srv);
    try {
      const id = 'é✓€x';
      const buf = Buffer.from(JSON.stringify({ id, type: 'system.ping' }));
      const cut = buf.indexOf(Buffer.from('✓')) + 1; // inside the 3-byte sequence
      await c.sendRaw(buf.subarray(0, cut), { fin: false });
      await c.sendRaw(buf.subarray(cut), { fin: true });
      const r = await c.next();
      assert.equal(r.ok, true, JSON.stringify(r));
      assert.equal(r.id, id);
    } finally {
      c.close();
    }
  });

  test('a fragmented message with an empty final fragment is answered', T, async () => {
    const [c] = await connectWelcomed(srv);
    try {
      await c.sendRaw('{"id":3,"type":"system.ping"}', { fin: false });
      await c.sendRaw('', { fin: true });
      const r = await c.next();
      assert.equal(r.ok, true, JSON.stringify(r));
      assert.equal(r.id, 3);
    } finally {
      c.close();
    }
  });

  test('exactly 65536 bytes (whitespace padding) is processed', T, async () => {
    const [c] = await connectWelcomed(srv);
    try {
      const msg = paddedPing('big', MAX_MESSAGE);
      assert.equal(Buffer.byteLength(msg), 65536);
      const r = await c.request(msg);
      assert.equal(r.ok, true, JSON.stringify(r));
      assert.equal(r.id, 'big');
      assert.ok(c.isOpen);
    } finally {
      c.close();
    }
  });

  test('exactly 65536 bytes (unexpected field) is parsed: bad_request naming it', T, async () => {
    const [c] = await connectWelcomed(srv);
    try {
      const msg = paddedField('big2', MAX_MESSAGE);
      assert.equal(Buffer.byteLength(msg), 65536);
      const r = await c.request(msg);
      assert.equal(r.ok, false);
      assert.equal(r.error.code, 'bad_request', JSON.stringify(r));
      assert.equal(r.error.field, 'pad');
      assert.equal(r.id, 'big2');
      const p = await c.ping('alive');
      assert.equal(p.ok, true);
    } finally {
      c.close();
    }
  });

  test('exactly 65536 bytes in 4 fragments is processed', T, async () => {
    const [c] = await connectWelcomed(srv);
    try {
      await sendFragments(c, paddedPing('bigfrag', MAX_MESSAGE), 16384);
      const r = await c.next();
      assert.equal(r.ok, true, JSON.stringify(r));
      assert.equal(r.id, 'bigfrag');
    } finally {
      c.close();
    }
  });

  test('65537 bytes: too_large, then close 1009', T, async () => {
    const [c] = await connectWelcomed(srv);
    try {
      await c.sendRaw(paddedPing('huge', MAX_MESSAGE + 1));
      const r = await c.next();
      assert.equal(r.ok, false, JSON.stringify(r));
      assert.equal(r.error.code, 'too_large');
      assert.equal(r.id, null);
      const { code } = await within(5000, c.closed, 'close after too_large');
      assert.equal(code, 1009);
    } finally {
      c.close();
    }
  });

  test('65537 bytes in fragments: too_large, then close 1009', T, async () => {
    const [c] = await connectWelcomed(srv);
    try {
      // The server may close before the last fragment is sent: ignore send errors.
      await sendFragments(c, paddedPing('hugefrag', MAX_MESSAGE + 1), 16384).catch(() => {});
      const r = await c.next();
      assert.equal(r.ok, false, JSON.stringify(r));
      assert.equal(r.error.code, 'too_large');
      const { code } = await within(5000, c.closed, 'close after too_large');
      assert.equal(code, 1009);
    } finally {
      c.close();
    }
  });

  test('1 MiB in one frame: too_large, then close 1009', T, async () => {
    const [c] = await connectWelcomed(srv);
    try {
      c.sendRaw(paddedPing('mega', 1 << 20)).catch(() => {});
      const r = await c.next();
      assert.equal(r.error?.code, 'too_large', JSON.stringify(r));
      const { code } = await within(5000, c.closed, 'close after too_large');
      assert.equal(code, 1009);
    } finally {
      c.close();
    }
  });

  test('the server is unaffected by the oversize messages', T, async () => {
    const [c] = await connectWelcomed(srv);
    try {
      assert.equal((await c.ping('after')).ok, true);
      assert.equal((await httpGet(srv, '/healthz')).status, 200);
    } finally {
      c.close();
    }
  });
});

describe('many connections', () => {
  let srv;
  before(async () => { srv = await startServer(); });
  after(async () => { await stopClean(srv); });

  test('500 concurrent connections each get their ping answered', { timeout: 40000 }, async () => {
    const N = 500;
    const clients = [];
    try {
      const results = await within(30000, Promise.all(Array.from({ length: N }, async (_, i) => {
        const [c, w] = await connectWelcomed(srv, { handshakeTimeout: 25000, welcomeTimeout: 25000 });
        clients.push(c);
        assert.equal(w.event, 'system.welcome');
        const r = await c.ping(`c${i}`, 25000);
        return r.ok === true && r.id === `c${i}` ? 1 : 0;
      })), '500 connections');
      assert.equal(results.reduce((a, b) => a + b, 0), N);
      assert.equal(clients.filter((c) => c.isOpen).length, N, 'some connections closed');
    } finally {
      for (const c of clients) c.close();
    }
  });
});

describe('slow client', () => {
  let srv;
  before(async () => { srv = await startServer({ args: ['--send-queue-kib', '64'] }); });
  after(async () => { await stopClean(srv); });

  test('a client that stops reading is dropped; another is not delayed', { timeout: 60000 }, async (t) => {
    const [slow] = await connectWelcomed(srv);
    const [fast] = await connectWelcomed(srv);
    let stopProbe = false;
    const latencies = [];
    try {
      // The fast client pings every 10 ms throughout.
      let probeError = null;
      const probe = (async () => {
        let i = 0;
        while (!stopProbe) {
          const t0 = performance.now();
          const r = await fast.ping(`fast${i++}`, 10000);
          latencies.push(performance.now() - t0);
          if (r.ok !== true) throw new Error(`fast client ping failed: ${JSON.stringify(r)}`);
          await sleep(10);
        }
      })().catch((e) => { probeError = e; });

      // The slow client stops reading and floods pings whose replies are as
      // large as a ping reply can be (128-byte ids).
      slow.ws._socket.pause();
      const idBase = 'x'.repeat(120);
      const BATCH = 1000;
      const MAX = 300000;
      let sent = 0;
      const deadline = Date.now() + 35000;
      while (!slow.closeInfo && sent < MAX && Date.now() < deadline) {
        // One WebSocket message per request.
        for (let k = 0; k < BATCH; k++, sent++) {
          slow.ws.send(JSON.stringify({ id: `${idBase}${String(sent).padStart(8, '0')}`, type: 'system.ping' }), () => {});
        }
        // Let our side drain before the next batch.
        while (slow.ws.bufferedAmount > 1 << 20 && !slow.closeInfo && Date.now() < deadline) await sleep(5);
        await sleep(1);
      }
      // Read again: a dropped connection ends (without a close frame), a
      // live one would deliver all `sent` replies.
      slow.ws._socket.resume();
      const closed = await within(15000, slow.closed, `slow client not dropped after ${sent} pings`);
      assert.equal(closed.code, 1006, `slow client got a close frame (${closed.code}); the doc says none can reach it`);
      const duringFlood = latencies.length;
      t.diagnostic(`slow client dropped after ${sent} pings sent; ${duringFlood} probe pings during the flood`);
      for (const line of srv.output().split('\n').filter((l) => /drop/i.test(l))) t.diagnostic(`server: ${line}`);
      await sleep(1000); // keep probing a little after the drop
      stopProbe = true;
      await probe;
      assert.equal(probeError, null, `fast client: ${probeError?.message}`);
      assert.ok(latencies.length >= 5, `only ${latencies.length} probe pings completed`);
      assert.ok(duringFlood >= 1, 'no probe ping completed during the flood');
      const worst = Math.max(...latencies);
      assert.ok(worst < 500, `fast client waited ${worst.toFixed(0)} ms for a ping reply`);
      assert.ok(fast.isOpen, 'fast client was disconnected');
      assert.equal((await fast.ping('still')).ok, true);
      assert.equal((await httpGet(srv, '/healthz')).status, 200);
    } finally {
      stopProbe = true;
      slow.close();
      fast.close();
    }
  });
});
