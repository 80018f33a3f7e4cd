// Test harness shared by the end-to-end and browser tests: makes a fresh
// database and development certificate in a temporary directory, starts the
// real `b40 serve` on a free loopback port (--port 0; the server prints the
// port it got), and stops it again.
//
// Environment (set by ctest, see CMakeLists.txt):
//   B40_BIN       path to the b40 executable under test (required)
//   B40_SOURCE    the source tree (for certs/make-dev-cert and web/)
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const SOURCE = process.env.B40_SOURCE || resolve(here, '..', '..');
export const BIN = process.env.B40_BIN || resolve(SOURCE, 'build', 'b40');

let certDir = null;

/** Makes (once per process) a development CA and localhost certificate. */
export function devCerts() {
  if (!certDir) {
    certDir = mkdtempSync(join(tmpdir(), 'b40-certs-'));
    execFileSync(join(SOURCE, 'certs', 'make-dev-cert'), ['--out', certDir], { stdio: 'ignore' });
    process.on('exit', () => rmSync(certDir, { recursive: true, force: true }));
  }
  return {
    dir: certDir,
    ca: readFileSync(join(certDir, 'ca.pem')),
    cert: join(certDir, 'server.pem'),
    key: join(certDir, 'server.key'),
  };
}

/** Runs `b40 ARGS...` to completion; returns {status, stdout, stderr}. */
export function runB40(args, opts = {}) {
  try {
    const stdout = execFileSync(BIN, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 15000, ...opts });
    return { status: 0, stdout, stderr: '' };
  } catch (e) {
    return { status: e.status, stdout: e.stdout || '', stderr: e.stderr || '' };
  }
}

/**
 * The enrollment links in the output of `b40 init --demo` (or `b40 enroll`):
 * every line holding `/enroll#CODE`, with the line before it for context.
 */
export function parseEnrollLinks(text) {
  const lines = String(text).split('\n');
  const links = [];
  lines.forEach((line, i) => {
    const m = /\/enroll#([A-Za-z0-9_-]{22})(?![A-Za-z0-9_-])/.exec(line);
    if (!m) return;
    const code = m[1];
    links.push({
      code,
      line,
      context: `${i > 0 ? lines[i - 1] : ''}\n${line}`,
      url: (origin) => `${origin}/enroll#${code}`,
    });
  });
  return links;
}

/**
 * Starts a server with a fresh database. Options:
 *   args: extra `b40 serve` arguments (e.g. ['--ping-interval', '1'])
 *   env:  extra environment
 *   init: false to skip `b40 init` (the database then does not exist)
 *   demo: true to run `b40 init --db DB --demo` (demo cities and people)
 *   db, dir: an existing database (and its directory) to serve instead of
 *         a fresh one; `b40 init` is skipped (used by restart())
 *   port: a fixed port instead of any free one (used by restart())
 * Resolves to {port, origin, url, wsUrl, ca, db, dir, proc, output(), stop(signal),
 * restart(opts), initOutput, links}: initOutput is what `b40 init` printed (stdout then
 * stderr), links the lines of it that hold an enrollment link (`/enroll#`),
 * trimmed, in the order printed.
 */
export async function startServer(options = {}) {
  const certs = devCerts();
  const dir = options.dir || (options.db ? dirname(options.db) : mkdtempSync(join(tmpdir(), 'b40-e2e-')));
  const db = options.db || join(dir, 'b40.db');
  let initOutput = options.initOutput || '';
  if (options.init !== false && !options.db) {
    // spawnSync, not runB40: the links may be printed on either stream.
    const r = spawnSync(BIN, ['init', '--db', db, ...(options.demo ? ['--demo'] : [])],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 15000 });
    if (r.status !== 0) throw new Error(`b40 init${options.demo ? ' --demo' : ''} failed (${r.status}): ${r.stderr}`);
    initOutput = `${r.stdout}${r.stderr}`;
  }
  const links = initOutput.split('\n').filter((l) => l.includes('/enroll#')).map((l) => l.trim());
  const args = ['serve', '--db', db, '--port', String(options.port ?? 0), '--listen', '127.0.0.1',
    '--cert', certs.cert, '--key', certs.key, '--web-root', join(SOURCE, 'web'),
    ...(options.args || [])];
  const proc = spawn(BIN, args, {
    env: { ...process.env, ...(options.env || {}) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout.on('data', (d) => { out += d; });
  proc.stderr.on('data', (d) => { out += d; });
  const exited = new Promise((res) => proc.on('exit', (code, signal) => res({ code, signal })));

  const port = await new Promise((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`server did not start in 10 s:\n${out}`)), 10000);
    const check = () => {
      const m = /listening on https:\/\/127\.0\.0\.1:(\d+)\//.exec(out);
      if (m) { clearTimeout(timer); res(Number(m[1])); }
    };
    proc.stdout.on('data', check);
    proc.stderr.on('data', check);
    exited.then((r) => { clearTimeout(timer); rej(new Error(`server exited (${JSON.stringify(r)}) before listening:\n${out}`)); });
  });

  const origin = `https://127.0.0.1:${port}`;
  const srv = {
    port, origin, url: `${origin}/`, wsUrl: `wss://127.0.0.1:${port}/ws`,
    ca: certs.ca, db, dir, proc, exited, initOutput, links,
    output: () => out,
    /**
     * Sends a signal (default SIGTERM) and resolves to {code, signal}. Throws
     * when the server's output holds a sanitizer report, whatever the exit
     * code, so that every test that stops a server checks for memory errors.
     * Removes the temporary directory unless {keepDir: true}.
     */
    async stop(signal = 'SIGTERM', { keepDir = false } = {}) {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      const r = await exited;
      if (!keepDir) rmSync(dir, { recursive: true, force: true });
      if (/AddressSanitizer|LeakSanitizer|runtime error:/.test(out)) {
        throw new Error(`sanitizer report in the server's output:\n${out}`);
      }
      return r;
    },
    /**
     * Stops this server (if it still runs) with opts.signal (default SIGTERM),
     * keeping its directory, then starts a new `b40 serve` on the same
     * database, the same port and the same arguments (opts.args replaces
     * them). Resolves to {server, stopped}: the new server object (its stop()
     * removes the directory as usual) and this one's {code, signal}. Throws,
     * like stop(), when this server's output holds a sanitizer report.
     */
    async restart(opts = {}) {
      const stopped = await srv.stop(opts.signal || 'SIGTERM', { keepDir: true });
      const server = await startServer({
        ...options, args: opts.args || options.args, env: opts.env || options.env,
        db, dir, port, initOutput,
      });
      return { server, stopped };
    },
  };
  return srv;
}
