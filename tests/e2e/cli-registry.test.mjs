// The registry and identity command line: `b40 city list|show`, `b40 person
// list|add` and `b40 enroll` on a demo database; their exit codes (0 done,
// 1 failed, 2 usage) and a link from `b40 enroll` that works on the server.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { spawnSync, execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN } from '../lib/harness.mjs';
import { callOk, callFails, codeOf, enroll, startDemo, finish, open, assertPerson } from './idutil.mjs';

const T = { timeout: 60000 };

/** Runs b40 with both streams captured whatever the exit code: {status, stdout, stderr}. */
function b40(args, opts = {}) {
  const r = spawnSync(BIN, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 20000, ...opts });
  if (r.error) throw r.error;
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}
function expectExit(r, code, what) {
  assert.equal(r.signal, null, `${what}: killed by ${r.signal}`);
  assert.equal(r.status, code, `${what}: exit ${r.status}, expected ${code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  if (code !== 0) assert.ok(r.stderr.trim().length > 0, `${what}: no message on stderr`);
}

/** RFC 4180 CSV: rows of fields (quoted fields may hold commas, quotes and line breaks). */
function parseCsv(text) {
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { field += '"'; i++; } else if (ch === '"') quoted = false; else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') { row.push(field); field = ''; } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(field); rows.push(row); row = []; field = '';
    } else field += ch;
  }
  if (field !== '' || row.length) { row.push(field); rows.push(row); }
  return rows;
}

/** The cities of `b40 city list --format json`, whether it prints an array or {cities: [...]}. */
const jsonCities = (v) => (Array.isArray(v) ? v : v.cities);

let dir;
let db;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'b40-cli-registry-'));
  db = join(dir, 'demo.db');
  expectExit(b40(['init', '--db', db, '--demo']), 0, 'b40 init --demo');
});
after(() => rmSync(dir, { recursive: true, force: true }));

const dbCount = (where) => Number(execFileSync('sqlite3', ['-readonly', db, `SELECT count(*) FROM cities ${where}`], { encoding: 'utf8' }).trim());

describe('b40 city', () => {
  let cities;

  test('city list --format json parses; one entry per city of the registry; Athens as recorded', T, () => {
    const r = b40(['city', 'list', '--db', db, '--format', 'json']);
    expectExit(r, 0, 'city list --format json');
    cities = jsonCities(JSON.parse(r.stdout));
    assert.ok(Array.isArray(cities), `not a list of cities: ${r.stdout.slice(0, 200)}`);
    assert.ok(cities.length >= 20);
    const all = dbCount('');
    const listed = dbCount("WHERE status <> 'applicant'");
    assert.ok(cities.length === all || cities.length === listed, `${cities.length} cities printed, the database has ${all} (${listed} not applicants)`);
    const athens = cities.find((x) => x.code === 'athens');
    assert.ok(athens, 'no athens');
    assert.equal(athens.name, 'Athens');
    assert.equal(athens.name_local, 'Αθήνα');
    assert.equal(athens.country, 'GR');
    assert.equal(athens.status, 'member');
    assert.equal(athens.joined_how, 'founding_summit');
    assert.equal(athens.joined_on, '2021-11-29');
  });

  test('city list --format csv: a header and one row per city, agreeing with json', T, () => {
    assert.ok(cities, 'needs the json test');
    const r = b40(['city', 'list', '--db', db, '--format', 'csv']);
    expectExit(r, 0, 'city list --format csv');
    const rows = parseCsv(r.stdout).filter((x) => !(x.length === 1 && x[0] === ''));
    const header = rows[0];
    assert.ok(header.includes('code') && header.includes('name') && header.includes('status'), `header: ${header}`);
    const body = rows.slice(1);
    assert.equal(body.length, cities.length, 'csv and json disagree on the number of cities');
    for (const row of body) assert.equal(row.length, header.length, `ragged row ${row}`);
    const ci = header.indexOf('code');
    assert.deepEqual(body.map((x) => x[ci]).sort(), cities.map((x) => x.code).sort());
    const athens = body.find((x) => x[ci] === 'athens');
    assert.equal(athens[header.indexOf('name_local')] ?? 'Αθήνα', 'Αθήνα', 'UTF-8 name_local mangled in csv');
  });

  test('city list (table, the default) and --format table: one line per city', T, () => {
    assert.ok(cities, 'needs the json test');
    for (const args of [['city', 'list', '--db', db], ['city', 'list', '--db', db, '--format', 'table']]) {
      const r = b40(args);
      expectExit(r, 0, args.join(' '));
      const lines = r.stdout.split('\n').filter((l) => l.trim());
      for (const x of cities) {
        const re = new RegExp(`(^|\\s)${x.code}(\\s|$)`);
        assert.equal(lines.filter((l) => re.test(l)).length, 1, `${x.code} is not on exactly one line of the table`);
      }
      assert.ok(lines.length >= cities.length && lines.length <= cities.length + 3, `${lines.length} lines for ${cities.length} cities`);
    }
  });

  test('city show athens prints its record', T, () => {
    const r = b40(['city', 'show', '--db', db, 'athens']);
    expectExit(r, 0, 'city show athens');
    for (const s of ['athens', 'Athens', 'Αθήνα', 'GR', 'Europe/Athens', 'member', '2021-11-29']) {
      assert.ok(r.stdout.includes(s), `city show athens does not show ${s}:\n${r.stdout}`);
    }
    assert.match(r.stdout, /founding/);
  });

  test('city show of an unknown city: exit 1 naming it', T, () => {
    const r = b40(['city', 'show', '--db', db, 'atlantis']);
    expectExit(r, 1, 'city show atlantis');
    assert.match(r.stderr, /atlantis/);
    assert.equal(r.stdout, '');
  });

  test('city list on a database that does not exist: exit 1', T, () => {
    const missing = join(dir, 'missing.db');
    expectExit(b40(['city', 'list', '--db', missing]), 1, 'city list on a missing db');
  });
});

describe('b40 person and b40 enroll', () => {
  test('person list shows the network secretary', T, () => {
    const r = b40(['person', 'list', '--db', db]);
    expectExit(r, 0, 'person list');
    assert.match(r.stdout, /Network secretary/);
    assert.match(r.stdout, /secretariat/);
  });

  test('person add creates a person that person list then shows; bad roles, city or name -> refused (exit 1 or 2), nothing created', T, () => {
    const r = b40(['person', 'add', '--db', db, '--name', 'Mayor of Split', '--affiliation', 'split', '--roles', 'mayor']);
    expectExit(r, 0, 'person add');
    const list = b40(['person', 'list', '--db', db]);
    const line = list.stdout.split('\n').find((l) => l.includes('Mayor of Split'));
    assert.ok(line, `the new person is not listed:\n${list.stdout}`);
    assert.match(line, /split/);
    assert.match(line, /mayor/);
    for (const [what, args] of [
      ['a city person with secretary', ['--name', 'Wrong', '--affiliation', 'split', '--roles', 'secretary']],
      ['a secretariat person with mayor', ['--name', 'Wrong', '--affiliation', 'secretariat', '--roles', 'mayor']],
      ['an unknown role', ['--name', 'Wrong', '--affiliation', 'split', '--roles', 'king']],
      ['an unknown city', ['--name', 'Wrong', '--affiliation', 'atlantis', '--roles', 'mayor']],
      ['an empty name', ['--name', '', '--affiliation', 'split', '--roles', 'mayor']],
    ]) {
      const bad = b40(['person', 'add', '--db', db, ...args]);
      assert.ok(bad.status === 1 || bad.status === 2, `person add with ${what}: exit ${bad.status}, stderr ${bad.stderr}`);
      assert.ok(bad.stderr.trim().length > 0, `person add with ${what}: no message`);
    }
    assert.ok(!b40(['person', 'list', '--db', db]).stdout.includes('Wrong'), 'a refused person add created someone');
  });

  test('enroll --person of an unknown person: exit 1', T, () => {
    expectExit(b40(['enroll', '--db', db, '--person', '999999']), 1, 'enroll an unknown person');
  });
});

describe('b40 enroll makes a link the server accepts', () => {
  let srv;
  before(async () => { srv = await startDemo(); });
  after(async () => { await finish(srv); });

  test('b40 person add + b40 enroll --base-url on a running server\'s database; the code enrolls and signs in', T, async () => {
    const add = b40(['person', 'add', '--db', srv.db, '--name', 'Mayor of Kotor', '--affiliation', 'kotor', '--roles', 'mayor']);
    expectExit(add, 0, 'person add');
    const list = b40(['person', 'list', '--db', srv.db]);
    const line = list.stdout.split('\n').find((l) => l.includes('Mayor of Kotor'));
    const id = Number(/^\s*(\d+)\s/.exec(line ?? '')?.[1]);
    assert.ok(Number.isInteger(id) && id > 0, `no id for the new person in:\n${list.stdout}`);
    const r = b40(['enroll', '--db', srv.db, '--person', String(id), '--base-url', 'https://b40.example']);
    expectExit(r, 0, 'enroll');
    const linkLine = r.stdout.split('\n').find((l) => l.includes('/enroll#'));
    assert.ok(linkLine, `no link printed:\n${r.stdout}`);
    assert.match(linkLine, /https:\/\/b40\.example\/enroll#[A-Za-z0-9_-]{22}(\s|$)/, `link ${linkLine}`);
    const code = codeOf(linkLine);
    const c = await open(srv);
    try {
      const b = await callOk(c, 'enroll.begin', { code });
      assertPerson(b.person, { id, name: 'Mayor of Kotor', affiliation: 'kotor', roles: ['mayor'] });
      const e = await enroll(srv, code, { client: c, device: 'CLI phone' });
      assertPerson((await callOk(c, 'auth.whoami')).person, { id });
      assert.equal(e.reply.key.public_key, e.key.pub);
      await callFails(c, 'enroll.begin', { code }, 'enrollment_used');
    } finally {
      c.close();
    }
  });

  test('b40 enroll without --base-url prints a https://…/enroll# link', T, () => {
    const r = b40(['enroll', '--db', srv.db, '--person', '1']);
    expectExit(r, 0, 'enroll --person 1');
    const linkLine = r.stdout.split('\n').find((l) => l.includes('/enroll#'));
    assert.match(linkLine ?? '', /https:\/\/[^\s#]+\/enroll#[A-Za-z0-9_-]{22}(\s|$)/, r.stdout);
    codeOf(linkLine); // remembered, so finish() checks it never reaches the server's log
  });
});

describe('usage errors exit 2', () => {
  const cases = [
    ['city without a subcommand', ['city']],
    ['an unknown city subcommand', ['city', 'frobnicate', '--db', 'X']],
    ['city list with an unknown format', ['city', 'list', '--db', 'X', '--format', 'xml']],
    ['city list with an unknown flag', ['city', 'list', '--db', 'X', '--frobnicate']],
    ['city show without a code', ['city', 'show', '--db', 'X']],
    ['person without a subcommand', ['person']],
    ['person add without --name', ['person', 'add', '--db', 'X', '--affiliation', 'split', '--roles', 'mayor']],
    ['person add without --roles', ['person', 'add', '--db', 'X', '--name', 'N', '--affiliation', 'split']],
    ['enroll without --person', ['enroll', '--db', 'X']],
    ['enroll with a non-numeric --person', ['enroll', '--db', 'X', '--person', 'abc']],
    ['enroll with an unknown flag', ['enroll', '--db', 'X', '--person', '1', '--frobnicate']],
  ];
  for (const [name, args0] of cases) {
    test(`${name}: usage on stderr, exit 2`, T, () => {
      const args = args0.map((a) => (a === 'X' ? db : a));
      const r = b40(args, { env: { ...process.env, B40_DB: '' } });
      expectExit(r, 2, `b40 ${args.join(' ')}`);
      assert.match(r.stderr, /usage/i);
    });
  }

  test('--help of city, person and enroll: usage on stdout, exit 0', T, () => {
    for (const cmd of ['city', 'person', 'enroll']) {
      const r = b40([cmd, '--help']);
      expectExit(r, 0, `${cmd} --help`);
      assert.match(r.stdout, /usage/i);
      assert.match(r.stdout, /--db/);
    }
  });

  test('enroll --ttl-hours beyond 336 is refused, nothing printed', T, () => {
    const r = b40(['enroll', '--db', db, '--person', '1', '--ttl-hours', '337']);
    assert.ok(r.status === 2 || r.status === 1, `exit ${r.status}`);
    assert.ok(!r.stdout.includes('/enroll#'), `a link was printed:\n${r.stdout}`);
  });
});
