// Quick runs of the benchmarks (bench/b40-bench, docs/performance.md)
// against the b40 under test: `b40-bench ballots --cities 50 --seconds 1`
// and `b40-bench room --participants 40 ...`. They check that each run
// succeeds and prints every figure on a `key=value` line of its own, with
// nothing else on stdout. They assert no speed: the figures depend on the
// machine and what else runs on it.
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
  server_threads: 0, server_service_cpu_per_wall_s: 3, server_workers_cpu_per_wall_s: 3, reader_nap_us: 0,
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
  assert.equal(n('reader_nap_us'), 500, 'the default nap of the saturation phase\'s reader');
  assert.equal(n('errors'), 0, `ballots without a receipt:\n${r.stderr}`);
  assert.ok(n('rounds') >= 1 && n('ballots') === 50 * n('rounds'), `ballots=${n('ballots')} rounds=${n('rounds')}`);
  assert.ok(n('voting_s') >= 1, `voting_s=${n('voting_s')}: the run stops only after --seconds of voting`);
  for (const k of ['ballots_per_s', 'verify_per_s_one_core', 'verify_wall_per_s', 'ratio', 'receipt_p50_ms']) {
    assert.ok(n(k) > 0, `${k}=${values[k]} should be positive`);
  }
  assert.equal(n('summit_cities'), 50, 'the summit phase uses min(200, cities)');
  assert.ok(n('receipt_p50_ms') <= n('receipt_p99_ms') && n('receipt_p99_ms') <= n('receipt_max_ms'),
    `percentiles out of order: ${values.receipt_p50_ms} ${values.receipt_p99_ms} ${values.receipt_max_ms}`);
  // the service thread and at least one signature worker; together what the whole process used (ticks vs ns: roughly)
  assert.ok(n('server_threads') >= 2, `server_threads=${values.server_threads}`);
  const parts = n('server_service_cpu_per_wall_s') + n('server_workers_cpu_per_wall_s');
  assert.ok(parts > 0 && Math.abs(parts - n('server_cpu_per_wall_s')) < 0.25 + 0.25 * n('server_cpu_per_wall_s'),
    `threads' CPU ${parts.toFixed(3)} against the process's ${values.server_cpu_per_wall_s}`);
  // ratio is printed from the two rates it divides (to the 3 decimals shown)
  assert.ok(Math.abs(n('ratio') - n('ballots_per_s') / n('verify_per_s_one_core')) < 0.0015, `ratio=${values.ratio}`);
});

test('b40-bench without a subcommand or with a bad option: usage on stderr, exit 2, nothing on stdout', { timeout: 20000 }, () => {
  for (const args of [[], ['ballots', '--cities', 'many'], ['ballots', '--cities', '1'], ['ballots', '--frobnicate', '1'],
    ['ballots', '--reader-nap-us', '100001'], ['ballots', '--reader-nap-us', '-1']]) {
    const r = spawnSync(BENCH, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 10000 });
    assert.equal(r.status, 2, `b40-bench ${args.join(' ')}: exit ${r.status}\n${r.stderr}`);
    assert.equal(r.stdout, '', `b40-bench ${args.join(' ')} printed on stdout`);
    assert.match(r.stderr, /usage: b40-bench ballots/);
  }
});

// The room benchmark at a small size: 40 participants, 20 timed messages of
// 1,000 bytes, and a server whose send queue is 64 KiB, so that the
// participant that stops reading fills it within a few hundred messages
// (about 15 s, mostly the pacing the chat rate limit asks at 40 senders).
// It checks the output's form, that every figure is consistent with the
// others, and that the server dropped the stalled participant for its full
// send queue; it asserts no speed.
const ROOM_FIGURES = {
  participants: 0, fanout_p50_ms: 3, fanout_p99_ms: 3, rss_kib_per_connection: 1,
  messages: 0, text_bytes: 0, fanout_samples: 0, fanout_max_ms: 3, fanout_complete_p50_ms: 3, fanout_complete_max_ms: 3,
  join_s: 3, server_cpu_us_per_delivery: 2, server_cpu_per_wall_s: 3, bench_cpu_per_wall_s: 3,
  server_runq_wait_per_wall_s: 3, bench_runq_wait_per_wall_s: 3,
  rss_before_kib: 0, rss_signed_in_kib: 0, rss_joined_kib: 0, rss_after_kib: 0,
  stall_messages: 0, stall_fanout_p50_ms: 3, stall_fanout_p99_ms: 3, nostall_fanout_p99_ms: 3, stall_bound_ms: 3,
  slow_client_dropped: 0, slow_client_drop_s: 3, server_queue_full_drops: 0, stall_rss_growth_kib: 0,
  after_drop_messages: 0, after_drop_fanout_p99_ms: 3, errors: 0,
};
// These five come first, in this order (the list).
const ROOM_FIRST = ['participants', 'fanout_p50_ms', 'fanout_p99_ms', 'rss_kib_per_connection', 'slow_client_isolated'];

test('b40-bench room --participants 40 --messages 20: exit 0, the five lines first, figures consistent, the non-reader dropped', { timeout: 300000 }, () => {
  assert.ok(existsSync(BENCH), `no benchmark at ${BENCH} (build the b40-bench target)`);
  const args = ['room', '--participants', '40', '--messages', '20', '--text-bytes', '1000', '--send-queue-kib', '64',
    '--server', BIN, '--source', SOURCE];
  const r = spawnSync(BENCH, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 280000 });
  assert.equal(r.status, 0, `b40-bench exited ${r.status} (signal ${r.signal}):\n${r.stderr}\n${r.stdout}`);
  assert.ok(r.stdout.endsWith('\n'), `stdout does not end with a line feed: ${JSON.stringify(r.stdout)}`);

  const keys = [];
  const values = {};
  for (const line of r.stdout.slice(0, -1).split('\n')) {
    const m = /^([a-z0-9_]+)=(.*)$/.exec(line);
    assert.ok(m, `a stdout line that is not key=value: ${JSON.stringify(line)}`);
    assert.ok(!(m[1] in values), `${m[1]} printed twice`);
    keys.push(m[1]);
    values[m[1]] = m[2];
  }
  assert.deepEqual(keys.slice(0, 5), ROOM_FIRST, `the first five lines:\n${r.stdout}`);
  assert.match(values.slow_client_isolated, /^(yes|no)$/);
  for (const [key, decimals] of Object.entries(ROOM_FIGURES)) {
    assert.ok(key in values, `no ${key}= line in:\n${r.stdout}`);
    assert.match(values[key], NUMBER, `${key} is not a number: ${JSON.stringify(values[key])}`);
    const frac = values[key].split('.')[1] ?? '';
    assert.equal(frac.length, decimals, `${key}=${values[key]}: expected ${decimals} decimals`);
  }
  assert.equal(keys.length, ROOM_FIRST.length + Object.keys(ROOM_FIGURES).length - 4, `unexpected lines in:\n${r.stdout}`);

  const n = (k) => Number(values[k]);
  assert.equal(n('participants'), 40);
  assert.equal(n('messages'), 20);
  assert.equal(n('text_bytes'), 1000);
  assert.equal(n('errors'), 0, r.stderr);
  assert.equal(n('fanout_samples'), 20 * 39, 'every message reached every other participant once');
  assert.ok(n('fanout_p50_ms') > 0 && n('fanout_p50_ms') <= n('fanout_p99_ms') && n('fanout_p99_ms') <= n('fanout_max_ms'),
    `percentiles out of order: ${values.fanout_p50_ms} ${values.fanout_p99_ms} ${values.fanout_max_ms}`);
  assert.ok(n('fanout_complete_p50_ms') <= n('fanout_complete_max_ms') && n('fanout_complete_max_ms') === n('fanout_max_ms'),
    'the slowest reception is the end of the slowest fan-out');
  assert.ok(n('rss_before_kib') > 0 && n('rss_after_kib') > 0);
  assert.ok(Math.abs(n('rss_kib_per_connection') - (n('rss_after_kib') - n('rss_before_kib')) / 40) < 0.051,
    `rss_kib_per_connection=${values.rss_kib_per_connection}`);
  // the participant that stopped reading: dropped by the server for its full send queue, seen by the others
  assert.equal(n('slow_client_dropped'), 1, r.stderr);
  assert.ok(n('server_queue_full_drops') >= 1, 'the server log names the full send queue');
  assert.ok(n('stall_messages') >= 1 && n('slow_client_drop_s') > 0);
  assert.equal(n('after_drop_messages'), Math.max(20, n('stall_messages')), 'the control is as long as the stall');
  assert.ok(n('after_drop_fanout_p99_ms') > 0);
  assert.ok(n('nostall_fanout_p99_ms') >= Math.min(n('fanout_p99_ms'), n('after_drop_fanout_p99_ms')));
  assert.ok(Math.abs(n('stall_bound_ms') - (2 * n('nostall_fanout_p99_ms') + 50)) < 0.0015, `stall_bound_ms=${values.stall_bound_ms}`);
  assert.equal(values.slow_client_isolated, n('stall_fanout_p99_ms') <= n('stall_bound_ms') ? 'yes' : 'no',
    'isolated means: the others\' p99 while it hung within the bound (and it was dropped)');
});

test('b40-bench room with a bad option: its usage on stderr, exit 2, nothing on stdout', { timeout: 20000 }, () => {
  for (const args of [['room', '--participants', '2'], ['room', '--text-bytes', '2000'], ['room', '--cities', '10'],
    ['room', '--send-queue-kib', '16'], ['ballots', '--participants', '10']]) {
    const r = spawnSync(BENCH, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 10000 });
    assert.equal(r.status, 2, `b40-bench ${args.join(' ')}: exit ${r.status}\n${r.stderr}`);
    assert.equal(r.stdout, '', `b40-bench ${args.join(' ')} printed on stdout`);
    assert.match(r.stderr, args[0] === 'room' ? /usage: b40-bench room/ : /usage: b40-bench ballots/);
  }
});
