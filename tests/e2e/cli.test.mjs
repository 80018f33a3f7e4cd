// The b40 command line: usage and exit codes, `b40 init`, and every reason
// `b40 serve` must refuse to start (exit 1 with a message naming the problem).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, existsSync, writeFileSync, chmodSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { runB40, devCerts, startServer, SOURCE, BIN } from '../lib/harness.mjs';
import { stopClean } from './wsutil.mjs';

const T = { timeout: 20000 };
// A serve that wrongly starts would run forever: bound every run.
const run = (args) => runB40(args, { timeout: 10000 });

let dir;
before(() => { dir = mkdtempSync(join(tmpdir(), 'b40-cli-')); });
after(() => rmSync(dir, { recursive: true, force: true }));

/** Makes a fresh initialised database in the test's temporary directory. */
function freshDb(name) {
  const db = join(dir, name);
  const r = run(['init', '--db', db]);
  assert.equal(r.status, 0, `b40 init failed: ${r.stderr}`);
  return db;
}

function serveArgs(db, over = {}) {
  const c = devCerts();
  return ['serve', '--db', db, '--port', String(over.port ?? 0), '--listen', '127.0.0.1',
    '--cert', over.cert ?? c.cert, '--key', over.key ?? c.key, '--web-root', join(SOURCE, 'web')];
}

/** Asserts a refusal: exit 1 (not a timeout, not a crash) and stderr matching every pattern. */
function assertRefused(r, patterns, what) {
  assert.notEqual(r.status, null, `${what}: the server did not exit (it started?) stderr=${r.stderr}`);
  assert.equal(r.status, 1, `${what}: expected exit 1, got ${r.status}; stderr=${r.stderr}`);
  assert.ok(r.stderr.trim().length > 0, `${what}: no message on stderr`);
  for (const p of patterns) {
    if (typeof p === 'string') assert.ok(r.stderr.includes(p), `${what}: stderr does not mention ${p}: ${r.stderr}`);
    else assert.match(r.stderr, p, `${what}: stderr does not match ${p}`);
  }
}

describe('usage', () => {
  test('b40 --help prints usage on stdout and exits 0', T, () => {
    const r = run(['--help']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /usage/i);
    assert.match(r.stdout, /serve/);
    assert.match(r.stdout, /init/);
  });

  for (const cmd of ['serve', 'init']) {
    test(`b40 ${cmd} --help prints usage and exits 0`, T, () => {
      const r = run([cmd, '--help']);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /usage/i);
      assert.match(r.stdout, /--db/);
    });
  }

  test('b40 serve --help lists its flags', T, () => {
    const r = run(['serve', '--help']);
    for (const f of ['--port', '--listen', '--cert', '--key', '--web-root', '--origin', '--ping-interval', '--send-queue-kib']) {
      assert.ok(r.stdout.includes(f), `serve --help does not mention ${f}`);
    }
  });

  test('b40 --version prints a version and exits 0', T, () => {
    const r = run(['--version']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /\d+\.\d+\.\d+/);
  });

  const bad = [
    ['unknown command', ['frobnicate']],
    ['unknown global flag', ['--frobnicate']],
    ['unknown serve flag', ['serve', '--frobnicate']],
    ['unknown init flag', ['init', '--frobnicate']],
  ];
  for (const [name, args] of bad) {
    test(`${name}: usage on stderr, exit 2`, T, () => {
      const r = run(args);
      assert.equal(r.status, 2, `b40 ${args.join(' ')}: expected exit 2, got ${r.status}; stderr=${r.stderr}`);
      assert.match(r.stderr, /usage/i);
    });
  }
});

describe('init', () => {
  test('creates the database and a 0600 key file beside it', T, () => {
    const db = join(dir, 'init.db');
    const r = run(['init', '--db', db]);
    assert.equal(r.status, 0, r.stderr);
    assert.ok(existsSync(db), 'database file not created');
    const key = statSync(`${db}.key`);
    assert.ok(key.isFile(), 'key file is not a regular file');
    assert.equal(key.mode & 0o777, 0o600, `key file mode is ${(key.mode & 0o777).toString(8)}`);
    assert.ok(key.size > 0, 'key file is empty');
    const version = Number(execFileSync('sqlite3', [db, 'PRAGMA user_version'], { encoding: 'utf8' }).trim());
    assert.ok(Number.isInteger(version) && version >= 1, `user_version is ${version}`);
    const ok = execFileSync('sqlite3', [db, 'PRAGMA integrity_check'], { encoding: 'utf8' }).trim();
    assert.equal(ok, 'ok');
  });

  test('init on an existing database fails with exit 1', T, () => {
    const db = freshDb('twice.db');
    const r = run(['init', '--db', db]);
    assert.equal(r.status, 1, `expected exit 1, got ${r.status}; stderr=${r.stderr}`);
    assert.ok(r.stderr.trim().length > 0, 'no message on stderr');
  });

  test('init takes B40_DB from the environment', T, () => {
    const db = join(dir, 'env-init.db');
    const r = runB40(['init'], { timeout: 10000, env: { ...process.env, B40_DB: db } });
    assert.equal(r.status, 0, r.stderr);
    assert.ok(existsSync(db) && existsSync(`${db}.key`));
  });
});

describe('serve refuses to start', () => {
  test('missing certificate file', T, () => {
    const db = freshDb('nocert.db');
    const missing = join(dir, 'no-such-cert.pem');
    assertRefused(run(serveArgs(db, { cert: missing })), [missing], 'missing cert');
  });

  test('unreadable certificate file (not PEM)', T, () => {
    const db = freshDb('badcert.db');
    const junk = join(dir, 'junk-cert.pem');
    writeFileSync(junk, 'this is not a certificate\n');
    assertRefused(run(serveArgs(db, { cert: junk })), [/cert/i], 'junk cert');
  });

  test('missing key file', T, () => {
    const db = freshDb('nokey.db');
    const missing = join(dir, 'no-such-key.pem');
    assertRefused(run(serveArgs(db, { key: missing })), [missing], 'missing key');
  });

  test('unreadable key file (permission denied)', { ...T, skip: process.getuid?.() === 0 ? 'running as root: permissions do not apply' : false }, () => {
    const db = freshDb('permkey.db');
    const k = join(dir, 'unreadable.key');
    writeFileSync(k, execFileSync('cat', [devCerts().key]));
    chmodSync(k, 0o000);
    assertRefused(run(serveArgs(db, { key: k })), [/key/i], 'unreadable key');
  });

  test('key that does not match the certificate', T, () => {
    const db = freshDb('mismatch.db');
    const other = join(dir, 'other.key');
    execFileSync('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-out', other], { stdio: 'ignore' });
    assertRefused(run(serveArgs(db, { key: other })), [/key/i], 'mismatched key');
  });

  test('database that does not exist', T, () => {
    const db = join(dir, 'never-created.db');
    const r = run(serveArgs(db));
    assertRefused(r, [db], 'missing db');
    assert.ok(!existsSync(db), 'serve created the missing database');
  });

  test('database with a newer schema version', T, () => {
    const db = freshDb('newer.db');
    execFileSync('sqlite3', [db, 'PRAGMA user_version=999']);
    assertRefused(run(serveArgs(db)), [/schema|version/i], 'newer schema');
  });

  test('port already in use', { timeout: 30000 }, async () => {
    const first = await startServer();
    try {
      const db = freshDb('port.db');
      const r = run(serveArgs(db, { port: first.port }));
      assertRefused(r, [/in use|address|bind|listen/i], 'port in use');
      // The first server is unaffected.
      assert.equal(first.proc.exitCode, null, 'the first server exited');
    } finally {
      await stopClean(first);
    }
  });
});

describe('serve configuration', () => {
  test('flags win over the environment (B40_DB points nowhere, --db is valid)', { timeout: 30000 }, async () => {
    const srv = await startServer({ env: { B40_DB: join(dir, 'nowhere', 'x.db'), B40_PORT: '1' } });
    try {
      assert.ok(srv.port > 1, `listening on ${srv.port}`);
    } finally {
      await stopClean(srv);
    }
  });

  test('serve runs from the environment alone', { timeout: 30000 }, async () => {
    const db = freshDb('envserve.db');
    const c = devCerts();
    const proc = spawn(BIN, ['serve'], {
      env: { ...process.env, B40_DB: db, B40_PORT: '0', B40_LISTEN: '127.0.0.1', B40_CERT: c.cert, B40_KEY: c.key, B40_WEB_ROOT: join(SOURCE, 'web') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    proc.stdout.on('data', (d) => { out += d; });
    proc.stderr.on('data', (d) => { out += d; });
    const exited = new Promise((res) => proc.on('exit', (code, signal) => res({ code, signal })));
    try {
      await new Promise((res, rej) => {
        const timer = setTimeout(() => rej(new Error(`not listening in 10 s:\n${out}`)), 10000);
        const check = () => { if (/listening on https:\/\/127\.0\.0\.1:\d+\//.test(out)) { clearTimeout(timer); res(); } };
        proc.stdout.on('data', check);
        proc.stderr.on('data', check);
        exited.then((x) => { clearTimeout(timer); rej(new Error(`exited ${JSON.stringify(x)}:\n${out}`)); });
      });
    } finally {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      await exited;
    }
  });
});
