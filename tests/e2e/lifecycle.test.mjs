// Connection and process lifecycle: idle PINGs keep live clients and drop
// silent ones; SIGTERM and SIGINT close every WebSocket with 1001, exit 0 and
// leave an intact database.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startServer } from '../lib/harness.mjs';
import { connectWelcomed, rawIdleClient, tryUpgrade, httpGet, sleep, within, stopClean, assertNoSanitizerReport } from './wsutil.mjs';

describe('idle ping (--ping-interval 1)', () => {
  let srv;
  before(async () => { srv = await startServer({ args: ['--ping-interval', '1'] }); });
  after(async () => { await stopClean(srv); });

  test('a client that answers PINGs stays connected', { timeout: 20000 }, async () => {
    const [c] = await connectWelcomed(srv);
    try {
      await sleep(4500);
      assert.ok(c.isOpen, `dropped: ${JSON.stringify(c.closeInfo)}`);
      assert.ok(c.pings >= 2, `only ${c.pings} PINGs from the server in 4.5 s of quiet`);
      assert.equal((await c.ping('still-here')).ok, true);
    } finally {
      c.close();
    }
  });

  test('a client that never answers is dropped within ~5 s, without a close frame', { timeout: 20000 }, async () => {
    const raw = await rawIdleClient(srv);
    try {
      const end = await within(8000, raw.ended, 'silent client not dropped');
      const elapsed = end - raw.upgradedAt;
      assert.ok(elapsed <= 5500, `dropped after ${elapsed} ms`);
      assert.ok(elapsed >= 1500, `dropped after only ${elapsed} ms (twice the interval is 2 s)`);
      assert.ok(raw.opcodes.includes(0x9), `no PING received (opcodes ${raw.opcodes})`);
      assert.equal(raw.opcodes[0], 0x1, 'first frame is not the text welcome');
      assert.ok(!raw.opcodes.includes(0x8), 'got a close frame');
    } finally {
      raw.sock.destroy();
    }
  });

  test('a client that keeps sending requests but answers no PINGs is not dropped meanwhile', { timeout: 20000 }, async () => {
    // Any frame is a sign of life: requests every 500 ms keep it alive.
    const [c] = await connectWelcomed(srv, { wsOptions: { autoPong: false } });
    try {
      for (let i = 0; i < 8; i++) {
        assert.equal((await c.ping(`k${i}`)).ok, true);
        await sleep(500);
      }
      assert.ok(c.isOpen);
    } finally {
      c.close();
    }
  });
});

/** Starts a server with two clients, sends `signal`, checks 1001 / exit 0 / integrity. */
async function signalTest(signal) {
  const srv = await startServer();
  const clients = [];
  try {
    for (let i = 0; i < 2; i++) {
      const [c] = await connectWelcomed(srv);
      assert.equal((await c.ping(`before-${i}`)).ok, true);
      clients.push(c);
    }
    const t0 = Date.now();
    srv.proc.kill(signal);
    const closes = await within(5000, Promise.all(clients.map((c) => c.closed)), 'close frames');
    for (const cl of closes) assert.equal(cl.code, 1001, `close code ${cl.code}`);
    const r = await within(5000, srv.exited, `exit after ${signal}`);
    assert.deepEqual(r, { code: 0, signal: null }, `exit status after ${signal}; output:\n${srv.output()}`);
    assert.ok(Date.now() - t0 < 5000);
    assertNoSanitizerReport(srv);
    assert.doesNotMatch(srv.output(), / ERROR /, `an orderly ${signal} logs no error; output:\n${srv.output()}`);
    const check = execFileSync('sqlite3', [srv.db, 'PRAGMA integrity_check'], { encoding: 'utf8' }).trim();
    assert.equal(check, 'ok');
  } finally {
    for (const c of clients) c.close();
    await srv.stop('SIGKILL');
  }
}

describe('shutdown', () => {
  test('SIGTERM: clients get 1001, exit 0 within 5 s, database intact', { timeout: 30000 }, () => signalTest('SIGTERM'));
  test('SIGINT: clients get 1001, exit 0 within 5 s, database intact', { timeout: 30000 }, () => signalTest('SIGINT'));

  test('SIGTERM with no clients: exit 0, port released', { timeout: 30000 }, async () => {
    const srv = await startServer();
    try {
      assert.equal((await httpGet(srv, '/healthz')).status, 200);
      srv.proc.kill('SIGTERM');
      const r = await within(5000, srv.exited, 'exit after SIGTERM');
      assert.deepEqual(r, { code: 0, signal: null });
      assertNoSanitizerReport(srv);
      const after = await tryUpgrade(srv);
      assert.equal(after.upgraded, false);
    } finally {
      await srv.stop('SIGKILL');
    }
  });
});
