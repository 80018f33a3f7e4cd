// A quick run of the room benchmark (bench/b40-bench, docs/performance.md):
// `b40-bench room --participants 12 --messages 5 --slow-messages 10`
// against the b40 under test. It checks that the run succeeds and prints
// every figure on a `key=value` line of its own, with nothing else on
// stdout, and that every message reached every participant. It asserts no
// speed: the figures depend on the machine and what else runs on it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { BIN, SOURCE } from '../lib/harness.mjs';

const BENCH = join(dirname(BIN), 'bench', 'b40-bench');
const NUMBER = /^-?\d+(\.\d+)?$/;
const FIGURES = {
  participants: 0, fanout_p50_ms: 3, fanout_p99_ms: 3, rss_kib_per_connection: 1, messages: 0, fanout_samples: 0,
  fanout_max_ms: 3, join_s: 3, slow_messages: 0, slow_fanout_p50_ms: 3, slow_fanout_p99_ms: 3,
};

test('b40-bench room --participants 12: exit 0, the five figures of the issue and the others, every message delivered', { timeout: 300000 }, () => {
  assert.ok(existsSync(BENCH), `no benchmark at ${BENCH} (build the b40-bench target)`);
  const r = spawnSync(BENCH, ['room', '--participants', '12', '--messages', '5', '--slow-messages', '10', '--server', BIN,
    '--source', SOURCE], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 280000 });
  assert.equal(r.status, 0, `b40-bench exited ${r.status} (signal ${r.signal}):\n${r.stderr}\n${r.stdout}`);
  assert.ok(r.stdout.endsWith('\n'));
  const lines = r.stdout.slice(0, -1).split('\n');
  // the five, first and in its order
  assert.deepEqual(lines.slice(0, 5).map((l) => l.split('=')[0]),
    ['participants', 'fanout_p50_ms', 'fanout_p99_ms', 'rss_kib_per_connection', 'slow_client_isolated']);
  const values = {};
  for (const line of lines) {
    const m = /^([a-z0-9_]+)=(.*)$/.exec(line);
    assert.ok(m, `a stdout line that is not key=value: ${JSON.stringify(line)}`);
    assert.ok(!(m[1] in values), `${m[1]} printed twice`);
    values[m[1]] = m[2];
  }
  for (const [key, decimals] of Object.entries(FIGURES)) {
    assert.match(values[key] ?? '', NUMBER, `${key}=${values[key]}`);
    assert.equal((values[key].split('.')[1] ?? '').length, decimals, `${key}=${values[key]}: ${decimals} decimals`);
  }
  assert.match(values.slow_client_isolated, /^(yes|no)$/);
  assert.match(values.slow_client_dropped, /^(yes|no)$/);
  const n = (k) => Number(values[k]);
  assert.equal(n('participants'), 12);
  assert.equal(n('fanout_samples'), 5 * 11, 'each message reached the 11 others');
  assert.ok(n('fanout_p50_ms') > 0 && n('fanout_p50_ms') <= n('fanout_p99_ms') && n('fanout_p99_ms') <= n('fanout_max_ms'));
  assert.ok(n('rss_kib_per_connection') > 0, `rss_kib_per_connection=${values.rss_kib_per_connection}`);
});

test('b40-bench room with a bad option: usage, exit 2', { timeout: 20000 }, () => {
  for (const args of [['room', '--participants', '2'], ['room', '--cities', '10'], ['room', '--messages', '0']]) {
    const r = spawnSync(BENCH, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 15000 });
    assert.equal(r.status, 2, `${args.join(' ')}: exit ${r.status}`);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /b40-bench room/);
  }
});
