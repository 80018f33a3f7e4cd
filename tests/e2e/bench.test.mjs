// A quick run of the ballot benchmark (bench/b40-bench, docs/performance.md):
// `b40-bench ballots --cities 50 --seconds 1` against the b40 under test.
// It checks that the run succeeds and prints every figure as a number on a
// `key=value` line of its own, with nothing else on stdout. It asserts no
// speed: the figures depend on the machine and what else runs on it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { BIN, SOURCE } from '../lib/harness.mjs';

// CMake builds it into bench/ of the same build directory as b40.
const BENCH = join(dirname(BIN), 'bench', 'b40-bench');

const NUMBER = /^-?\d+(\.\d+)?$/;
// The figures docs/performance.md describes, and how many decimals each has.
const FIGURES = {
  cities: 0, rounds: 0, ballots: 0, voting_s: 3, ballots_per_s: 1, verify_per_s_one_core: 1, ratio: 3,
  verify_wall_per_s: 1, server_cpu_per_wall_s: 3, server_cpu_us_per_ballot: 1, bench_cpu_per_wall_s: 3,
  server_runq_wait_per_wall_s: 3, bench_runq_wait_per_wall_s: 3, summit_cities: 0, receipt_p50_ms: 3, receipt_p99_ms: 3, receipt_max_ms: 3, errors: 0,
};

test('b40-bench ballots --cities 50 --seconds 1: exit 0, one numeric key=value per line, no errors', { timeout: 300000 }, () => {
  assert.ok(existsSync(BENCH), `no benchmark at ${BENCH} (build the b40-bench target)`);
  const r = spawnSync(BENCH, ['ballots', '--cities', '50', '--seconds', '1', '--server', BIN, '--source', SOURCE],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 280000 });
  assert.equal(r.status, 0, `b40-bench exited ${r.status} (signal ${r.signal}):\n${r.stderr}\n${r.stdout}`);
  assert.ok(r.stdout.endsWith('\n'), `stdout does not end with a line feed: ${JSON.stringify(r.stdout)}`);

  const values = {};
  for (const line of r.stdout.slice(0, -1).split('\n')) {
    const m = /^([a-z0-9_]+)=(.*)$/.exec(line);
    assert.ok(m, `a stdout line that is not key=value: ${JSON.stringify(line)}`);
    assert.ok(!(m[1] in values), `${m[1]} printed twice`);
    assert.match(m[2], NUMBER, `${m[1]} is not a number: ${JSON.stringify(m[2])}`);
    values[m[1]] = m[2];
  }
  for (const [key, decimals] of Object.entries(FIGURES)) {
    assert.ok(key in values, `no ${key}= line in:\n${r.stdout}`);
    const frac = values[key].split('.')[1] ?? '';
    assert.equal(frac.length, decimals, `${key}=${values[key]}: expected ${decimals} decimals`);
  }

  const n = (k) => Number(values[k]);
  assert.equal(n('cities'), 50);
  assert.equal(n('errors'), 0, `ballots without a receipt:\n${r.stderr}`);
  assert.ok(n('rounds') >= 1 && n('ballots') === 50 * n('rounds'), `ballots=${n('ballots')} rounds=${n('rounds')}`);
  assert.ok(n('voting_s') >= 1, `voting_s=${n('voting_s')}: the run stops only after --seconds of voting`);
  for (const k of ['ballots_per_s', 'verify_per_s_one_core', 'verify_wall_per_s', 'ratio', 'receipt_p50_ms']) {
    assert.ok(n(k) > 0, `${k}=${values[k]} should be positive`);
  }
  assert.equal(n('summit_cities'), 50, 'the summit phase uses min(200, cities)');
  assert.ok(n('receipt_p50_ms') <= n('receipt_p99_ms') && n('receipt_p99_ms') <= n('receipt_max_ms'),
    `percentiles out of order: ${values.receipt_p50_ms} ${values.receipt_p99_ms} ${values.receipt_max_ms}`);
  // ratio is printed from the two rates it divides (to the 3 decimals shown)
  assert.ok(Math.abs(n('ratio') - n('ballots_per_s') / n('verify_per_s_one_core')) < 0.0015, `ratio=${values.ratio}`);
});

test('b40-bench without a subcommand or with a bad option: usage on stderr, exit 2, nothing on stdout', { timeout: 20000 }, () => {
  for (const args of [[], ['ballots', '--cities', 'many'], ['ballots', '--cities', '1'], ['ballots', '--frobnicate', '1']]) {
    const r = spawnSync(BENCH, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 10000 });
    assert.equal(r.status, 2, `b40-bench ${args.join(' ')}: exit ${r.status}\n${r.stderr}`);
    assert.equal(r.stdout, '', `b40-bench ${args.join(' ')} printed on stdout`);
    assert.match(r.stderr, /usage: b40-bench ballots/);
  }
});
