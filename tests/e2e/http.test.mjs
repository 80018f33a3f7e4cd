// HTTPS side of the server: /healthz, the security headers every response
// carries, ALPN (http/1.1 only), and /healthz turning 503 when the database
// can no longer be read.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { truncateSync } from 'node:fs';
import { startServer, runB40 } from '../lib/harness.mjs';
import { httpGet, tlsConnect, stopClean } from './wsutil.mjs';

const T = { timeout: 20000 };

// The Content-Security-Policy of docs/protocol.md, directive by directive.
const CSP = {
  'default-src': "'none'",
  'script-src': "'self'",
  'style-src': "'self'",
  'img-src': "'self' data:",
  'font-src': "'self'",
  'connect-src': "'self'",
  'manifest-src': "'self'",
  'base-uri': "'none'",
  'form-action': "'self'",
  'frame-ancestors': "'none'",
};

function parseCsp(value) {
  const out = {};
  for (const part of value.split(';').map((s) => s.trim()).filter(Boolean)) {
    const [name, ...rest] = part.split(/\s+/);
    out[name.toLowerCase()] = rest.join(' ');
  }
  return out;
}

function assertSecurityHeaders(h, what) {
  const csp = h['content-security-policy'];
  assert.ok(csp, `${what}: no Content-Security-Policy`);
  assert.doesNotMatch(csp, /unsafe-inline/, `${what}: CSP allows unsafe-inline`);
  assert.doesNotMatch(csp, /unsafe-eval/, `${what}: CSP allows unsafe-eval`);
  assert.deepEqual(parseCsp(csp), CSP, `${what}: CSP differs from docs/protocol.md: ${csp}`);
  assert.match(h['strict-transport-security'] || '', /^max-age=31536000\b/, `${what}: HSTS`);
  assert.equal(h['x-content-type-options'], 'nosniff', `${what}: X-Content-Type-Options`);
  assert.equal((h['x-frame-options'] || '').toUpperCase(), 'DENY', `${what}: X-Frame-Options`);
  assert.equal(h['referrer-policy'], 'no-referrer', `${what}: Referrer-Policy`);
  assert.equal(h['cross-origin-opener-policy'], 'same-origin', `${what}: Cross-Origin-Opener-Policy`);
  assert.equal(h['cross-origin-resource-policy'], 'same-origin', `${what}: Cross-Origin-Resource-Policy`);
}

describe('healthz and headers', () => {
  let srv;
  before(async () => { srv = await startServer(); });
  after(async () => { await stopClean(srv); });

  test('GET /healthz: 200 JSON with status, version, schema, uptime_s', T, async () => {
    const r = await httpGet(srv, '/healthz');
    assert.equal(r.status, 200, r.body);
    assert.match(r.headers['content-type'] || '', /^application\/json\b/);
    assert.match(r.headers['cache-control'] || '', /no-store/);
    const body = JSON.parse(r.body);
    assert.equal(body.status, 'ok');
    assert.equal(typeof body.version, 'string');
    assert.match(body.version, /^\d+\.\d+\.\d+/);
    assert.ok(Number.isInteger(body.schema) && body.schema >= 1, `schema ${body.schema}`);
    assert.ok(Number.isInteger(body.uptime_s) && body.uptime_s >= 0, `uptime_s ${body.uptime_s}`);
    const userVersion = Number(execFileSync('sqlite3', [srv.db, 'PRAGMA user_version'], { encoding: 'utf8' }).trim());
    assert.equal(body.schema, userVersion, 'schema is not the database user_version');
    const v = runB40(['--version']).stdout;
    assert.ok(v.includes(body.version), `b40 --version (${v.trim()}) does not show ${body.version}`);
  });

  test('uptime_s counts up', { timeout: 20000 }, async () => {
    const a = JSON.parse((await httpGet(srv, '/healthz')).body).uptime_s;
    await new Promise((res) => setTimeout(res, 2100));
    const b = JSON.parse((await httpGet(srv, '/healthz')).body).uptime_s;
    assert.ok(b >= a + 1 && b <= a + 4, `uptime_s went from ${a} to ${b} in 2.1 s`);
  });

  test('security headers on /healthz', T, async () => {
    assertSecurityHeaders((await httpGet(srv, '/healthz')).headers, '/healthz');
  });

  test('security headers on /', T, async () => {
    const r = await httpGet(srv, '/');
    assert.equal(r.status, 200, `GET / gave ${r.status}`);
    assertSecurityHeaders(r.headers, '/');
  });

  test('security headers on a 404', T, async () => {
    const r = await httpGet(srv, '/no-such-file-here.txt');
    assert.equal(r.status, 404);
    assertSecurityHeaders(r.headers, '404');
  });

  test('ALPN: offering h2 and http/1.1 negotiates http/1.1', T, async () => {
    const sock = await tlsConnect(srv, { ALPNProtocols: ['h2', 'http/1.1'] });
    try {
      assert.equal(sock.alpnProtocol, 'http/1.1');
    } finally {
      sock.destroy();
    }
  });

  test('ALPN: offering only h2 does not negotiate h2', T, async () => {
    let proto;
    try {
      const sock = await tlsConnect(srv, { ALPNProtocols: ['h2'] });
      proto = sock.alpnProtocol;
      sock.destroy();
    } catch (e) {
      proto = `refused (${e.code || e.message})`;
    }
    assert.notEqual(proto, 'h2');
  });
});

describe('healthz when the database cannot be read', () => {
  let srv;
  before(async () => { srv = await startServer(); });
  after(async () => { await stopClean(srv); });

  test('truncating the database file to 0 bytes makes /healthz 503', { timeout: 20000 }, async () => {
    const ok = await httpGet(srv, '/healthz');
    assert.equal(ok.status, 200, ok.body);
    truncateSync(srv.db, 0);
    const r = await httpGet(srv, '/healthz');
    assert.equal(r.status, 503, `after truncation: ${r.status} ${r.body}`);
    const body = JSON.parse(r.body);
    assert.equal(body.status, 'error');
    assert.equal(typeof body.version, 'string');
    assert.equal(body.error, 'database unreadable');
    assert.match(r.headers['cache-control'] || '', /no-store/);
    assertSecurityHeaders(r.headers, '/healthz 503');
  });
});
