// The registry over the real server (docs/protocol.md "Members and the
// registry"): members.list and members.as_of on the demo network,
// membership.request (bounds, literal storage, the per-address rate limit)
// and its decision, city.set_status, and the history of every change.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startServer } from '../lib/harness.mjs';
import { TIME_RE, stopClean } from './wsutil.mjs';
import { call, ok, callOk, fails, callFails, enrollSecretary, startDemo, finish, open, nextAddress } from './idutil.mjs';

const T = { timeout: 120000 };
const CITY_FIELDS = ['code', 'country', 'joined_how', 'joined_on', 'lat', 'lon', 'name', 'name_local', 'status', 'tz'];
const REQUEST_FIELDS = ['city', 'city_name', 'contact_name', 'country', 'decided', 'decision_reason', 'email', 'id', 'reason', 'status', 'submitted'];
const today = () => new Date().toISOString().slice(0, 10);
const sorted = (a) => [...a].sort();

/** Asserts a city object of docs/protocol.md; returns it. */
function assertCity(c) {
  assert.deepEqual(Object.keys(c).sort(), CITY_FIELDS, `city fields: ${JSON.stringify(c)}`);
  assert.match(c.code, /^[a-z][a-z0-9-]{1,31}$/, `code ${c.code}`);
  assert.match(c.country, /^[A-Z]{2}$/, `country of ${c.code}`);
  assert.ok(['member', 'suspended', 'former'].includes(c.status), `status of ${c.code}: ${c.status} (applicants are never listed)`);
  assert.ok(c.joined_how === null || ['founding_summit', 'summit_attendance', 'approved_request'].includes(c.joined_how), `joined_how of ${c.code}`);
  assert.ok(c.joined_on === null || /^\d{4}-\d{2}-\d{2}$/.test(c.joined_on), `joined_on of ${c.code}`);
  assert.equal(typeof c.lat, 'number');
  assert.equal(typeof c.lon, 'number');
  assert.ok(c.name.length > 0 && c.name_local.length > 0 && c.tz.includes('/'), JSON.stringify(c));
  return c;
}

/**
 * The independent oracle for members.as_of: reads the status history from
 * the database file with the sqlite3 tool and applies the rule of the
 * schema ("the status holds from this day on"; the latest change not after
 * the date wins; member and suspended count as members).
 */
function membersOnFromDb(db, date) {
  const out = execFileSync('sqlite3', ['-readonly', db,
    'SELECT c.code, h.status, h.effective_on, h.id FROM city_status_history h JOIN cities c ON c.id = h.city_id ORDER BY h.id'], { encoding: 'utf8' });
  const latest = new Map();
  for (const line of out.split('\n').filter(Boolean)) {
    const [code, status, on] = line.split('|');
    if (on > date) continue;
    const prev = latest.get(code);
    if (!prev || on >= prev.on) latest.set(code, { status, on });
  }
  return sorted([...latest].filter(([, v]) => v.status === 'member' || v.status === 'suspended').map(([k]) => k));
}

describe('members.list and members.as_of on the demo network', () => {
  let srv;
  let all;
  before(async () => {
    srv = await startDemo();
    const c = await open(srv);
    all = (await callOk(c, 'members.list')).cities;
    c.close();
  });
  after(async () => { await finish(srv); });

  test('members.list: city objects as documented, demo: true, Athens as in the protocol\'s example', T, async () => {
    const c = await open(srv);
    try {
      const r = await callOk(c, 'members.list');
      assert.deepEqual(Object.keys(r).sort(), ['cities', 'demo', 'id', 'ok'], `reply fields: ${Object.keys(r)}`);
      assert.equal(r.demo, true);
      assert.ok(r.cities.length >= 20, `only ${r.cities.length} demo cities`);
      r.cities.forEach(assertCity);
      assert.equal(new Set(r.cities.map((x) => x.code)).size, r.cities.length, 'a city listed twice');
      // docs/protocol.md: ordered by country, then code.
      const order = r.cities.map((x) => `${x.country} ${x.code}`);
      assert.deepEqual(order, [...order].sort(), 'members.list is not ordered by country then code');
      const athens = r.cities.find((x) => x.code === 'athens');
      assert.deepEqual(athens, {
        code: 'athens', name: 'Athens', name_local: 'Αθήνα', country: 'GR', tz: 'Europe/Athens', lat: 37.9838, lon: 23.7275,
        status: 'member', joined_how: 'founding_summit', joined_on: '2021-11-29',
      });
    } finally {
      c.close();
    }
  });

  test('the founding cities: joined_how founding_summit exactly when joined_on is 2021-11-29', T, () => {
    const founding = all.filter((x) => x.joined_how === 'founding_summit');
    assert.ok(founding.length >= 2, `founding cities: ${founding.map((x) => x.code)}`);
    for (const x of founding) assert.equal(x.joined_on, '2021-11-29', `${x.code} founding but joined ${x.joined_on}`);
    for (const x of all.filter((y) => y.joined_on === '2021-11-29')) assert.equal(x.joined_how, 'founding_summit', x.code);
    for (const x of all) assert.ok(x.joined_on >= '2021-11-29', `${x.code} joined before the network existed: ${x.joined_on}`);
    assert.ok(founding.some((x) => x.code === 'istanbul'), 'Istanbul, the first summit\'s host, is not a founding city');
  });

  test('filters: status and country, alone and together', T, async () => {
    const c = await open(srv);
    try {
      for (const status of ['member', 'suspended', 'former']) {
        const got = (await callOk(c, 'members.list', { status })).cities;
        assert.deepEqual(sorted(got.map((x) => x.code)), sorted(all.filter((x) => x.status === status).map((x) => x.code)), `status ${status}`);
      }
      const gr = (await callOk(c, 'members.list', { country: 'GR' })).cities;
      assert.ok(gr.length > 0, 'no GR city');
      assert.deepEqual(sorted(gr.map((x) => x.code)), sorted(all.filter((x) => x.country === 'GR').map((x) => x.code)));
      const both = (await callOk(c, 'members.list', { country: 'BG', status: 'member' })).cities;
      assert.deepEqual(sorted(both.map((x) => x.code)), sorted(all.filter((x) => x.country === 'BG' && x.status === 'member').map((x) => x.code)));
      assert.ok(both.length > 0);
      assert.deepEqual((await callOk(c, 'members.list', { country: 'ZZ' })).cities, []);
    } finally {
      c.close();
    }
  });

  test('bad filters -> bad_request naming the field', T, async () => {
    const c = await open(srv);
    try {
      for (const status of ['applicant', 'MEMBER', '', 'all', 1]) await callFails(c, 'members.list', { status }, 'bad_request', { field: 'status' });
      for (const country of ['gr', 'GRC', 'G', '', 12]) await callFails(c, 'members.list', { country }, 'bad_request', { field: 'country' });
      await callFails(c, 'members.list', { fee: 0 }, 'bad_request', { field: 'fee' });
    } finally {
      c.close();
    }
  });

  test('members.as_of: before the founding summit nobody; on 2021-11-29 and 2021-11-30 exactly the founding cities', T, async () => {
    const c = await open(srv);
    try {
      const founding = sorted(all.filter((x) => x.joined_how === 'founding_summit').map((x) => x.code));
      const before = await callOk(c, 'members.as_of', { date: '2021-11-28' });
      assert.deepEqual(before.members, []);
      for (const date of ['2021-11-29', '2021-11-30']) {
        const r = await callOk(c, 'members.as_of', { date });
        assert.deepEqual(Object.keys(r).sort(), ['date', 'id', 'members', 'ok']);
        assert.equal(r.date, date);
        assert.deepEqual(r.members, sorted(r.members), 'members.as_of is not sorted');
        assert.deepEqual(sorted(r.members), founding, `members on ${date}`);
        assert.deepEqual(sorted(r.members), membersOnFromDb(srv.db, date), `members on ${date} against the status history`);
      }
    } finally {
      c.close();
    }
  });

  test('members.as_of 2022-07-01: the founding cities and those approved in June 2022, not Zagreb (September)', T, async () => {
    const c = await open(srv);
    try {
      const r = await callOk(c, 'members.as_of', { date: '2022-07-01' });
      const expect = sorted(all.filter((x) => x.joined_on <= '2022-07-01').map((x) => x.code));
      assert.deepEqual(sorted(r.members), expect);
      assert.deepEqual(sorted(r.members), membersOnFromDb(srv.db, '2022-07-01'));
      assert.ok(r.members.includes('sofia'), 'Sofia (approved June 2022) missing');
      assert.ok(!r.members.includes('zagreb'), 'Zagreb (approved September 2022) already a member');
      assert.ok(r.members.length > all.filter((x) => x.joined_how === 'founding_summit').length);
    } finally {
      c.close();
    }
  });

  test('members.as_of 2026-11-27 and today: every current member and suspended city', T, async () => {
    const c = await open(srv);
    try {
      const current = sorted(all.filter((x) => x.status === 'member' || x.status === 'suspended').map((x) => x.code));
      for (const date of ['2026-11-27', today()]) {
        const r = await callOk(c, 'members.as_of', { date });
        assert.equal(r.date, date);
        assert.equal(new Set(r.members).size, r.members.length, 'a code twice');
        assert.deepEqual(sorted(r.members), current, `members on ${date}`);
        assert.deepEqual(sorted(r.members), membersOnFromDb(srv.db, date));
      }
    } finally {
      c.close();
    }
  });

  test('members.as_of refuses a date that is not YYYY-MM-DD or does not exist', T, async () => {
    const c = await open(srv);
    try {
      for (const date of ['2022-02-29', '2022-13-01', '2022-04-31', '2022-7-1', '20220701', '2022-07-01T00:00:00Z', '', 'today', 20220701, null]) {
        await callFails(c, 'members.as_of', { date }, 'bad_request', { field: 'date' });
      }
      await callFails(c, 'members.as_of', {}, 'bad_request', { field: 'date' });
      assert.equal((await callOk(c, 'members.as_of', { date: '2024-02-29' })).date, '2024-02-29');
      assert.deepEqual((await callOk(c, 'members.as_of', { date: '0001-01-01' })).members, []);
      const current = sorted(all.filter((x) => x.status !== 'former').map((x) => x.code));
      assert.deepEqual(sorted((await callOk(c, 'members.as_of', { date: '9999-12-31' })).members), current);
    } finally {
      c.close();
    }
  });

  test('applicants are never listed (an applicant city written into the database)', T, async () => {
    execFileSync('sqlite3', [srv.db, [
      'PRAGMA busy_timeout = 5000;',
      "INSERT INTO cities (code, name, name_local, country, tz, lat, lon, status, joined_how, joined_on) VALUES ('applicantville', 'Applicantville', 'Applicantville', 'GR', 'Europe/Athens', 40.0, 22.0, 'applicant', NULL, NULL);",
      "INSERT INTO city_status_history (city_id, status, effective_on, recorded_at_ms, actor_person_id, reason) SELECT id, 'applicant', '2022-01-01', 0, NULL, 'test applicant' FROM cities WHERE code = 'applicantville';",
    ].join('\n')]);
    const c = await open(srv);
    try {
      for (const fields of [{}, { country: 'GR' }, { status: 'member' }, { status: 'suspended' }, { status: 'former' }]) {
        const codes = (await callOk(c, 'members.list', fields)).cities.map((x) => x.code);
        assert.ok(!codes.includes('applicantville'), `an applicant listed by members.list ${JSON.stringify(fields)}`);
      }
      for (const date of ['2022-07-01', today()]) {
        assert.ok(!(await callOk(c, 'members.as_of', { date })).members.includes('applicantville'), `an applicant counted a member on ${date}`);
      }
    } finally {
      c.close();
    }
  });
});

describe('members.list without demo data', () => {
  test('a plain b40 init: demo false, no cities', T, async () => {
    const srv = await startServer();
    try {
      const c = await open(srv);
      const r = await callOk(c, 'members.list');
      assert.equal(r.demo, false);
      assert.deepEqual(r.cities, []);
      assert.deepEqual((await callOk(c, 'members.as_of', { date: today() })).members, []);
      c.close();
    } finally {
      await stopClean(srv);
    }
  });
});

/** A valid membership request; over replaces fields. */
const requestFields = (over = {}) => ({
  city_name: 'Novi Sad', country: 'RS', contact_name: 'City Hall Office', email: 'office@novisad.example', reason: 'We would like to join the network.', ...over,
});

describe('membership.request and its decision', () => {
  let srv;
  let sec;
  before(async () => {
    srv = await startDemo();
    sec = await enrollSecretary(srv);
  });
  after(async () => { sec?.c.close(); await finish(srv); });

  test('each field empty, too long or missing -> bad_request naming it; a fee field is refused', T, async () => {
    const c = await open(srv);
    try {
      const cases = [
        ['city_name', ''], ['city_name', 'c'.repeat(101)], ['city_name', 'ş'.repeat(51)], ['city_name', 'Two\nLines'], ['city_name', 7],
        ['country', ''], ['country', 'R'], ['country', 'SRB'], ['country', 'rs'],
        ['contact_name', ''], ['contact_name', 'n'.repeat(101)], ['contact_name', 'Tab\there'],
        ['email', ''], ['email', 'a@'], ['email', `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}.org`],
        ['reason', ''], ['reason', 'r'.repeat(2001)], ['reason', 'ü'.repeat(1001)],
      ];
      for (const [field, value] of cases) {
        fails(await call(c, 'membership.request', requestFields({ [field]: value })), 'bad_request',
          `membership.request with ${field} of ${typeof value === 'string' ? Buffer.byteLength(value) : typeof value} bytes`, { field });
      }
      for (const field of Object.keys(requestFields())) {
        const f = requestFields();
        delete f[field];
        fails(await call(c, 'membership.request', f), 'bad_request', `membership.request without ${field}`, { field });
      }
      await callFails(c, 'membership.request', requestFields({ fee: 0 }), 'bad_request', { field: 'fee' });
      await callFails(c, 'membership.request', requestFields({ membership_fee: '100 EUR' }), 'bad_request', { field: 'membership_fee' });
    } finally {
      c.close();
    }
  });

  test('bad e-mail addresses -> bad_request (email)', T, async () => {
    const c = await open(srv);
    try {
      for (const email of ['no-at-sign.example', 'two@@example.org', 'a@b@example.org', 'a b@example.org', 'a@example.org\n',
        '<a@example.org>', 'ab', '@example.org']) {
        await callFails(c, 'membership.request', requestFields({ email }), 'bad_request', { field: 'email' });
      }
    } finally {
      c.close();
    }
  });

  test('the largest allowed fields are accepted (100, 100, 254 and 2000 bytes)', T, async () => {
    const c = await open(srv);
    try {
      const email = `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(57)}.org`;
      assert.equal(Buffer.byteLength(email), 254);
      const r = await callOk(c, 'membership.request', requestFields({
        city_name: 'ş'.repeat(50), contact_name: 'n'.repeat(100), email, reason: 'ü'.repeat(1000),
      }));
      assert.ok(Number.isInteger(r.request.id), JSON.stringify(r));
      assert.equal(r.request.status, 'pending');
    } finally {
      c.close();
    }
  });

  test('a script-bearing request is stored literally: request.list returns it byte for byte', T, async () => {
    const c = await open(srv);
    try {
      const fields = requestFields({
        city_name: '<img src=x onerror=alert(1)> & "Co"',
        contact_name: "O'Brien <b>bold</b> &amp;",
        email: "o'brien+b40@example.org",
        reason: '<script>alert("pwned")</script>\nLine two: &lt;not an entity&gt; \\ ` ${x} {{y}}\nünïcødé 🏙️ Αθήνα',
      });
      const r = await callOk(c, 'membership.request', fields);
      assert.deepEqual(Object.keys(r.request).sort(), ['id', 'status']);
      assert.equal(r.request.status, 'pending');
      const listed = (await callOk(sec.c, 'request.list')).requests.find((x) => x.id === r.request.id);
      assert.ok(listed, `request ${r.request.id} not in request.list`);
      assert.deepEqual(Object.keys(listed).sort(), REQUEST_FIELDS);
      for (const k of Object.keys(fields)) assert.equal(listed[k], fields[k], `${k} was not stored literally`);
      assert.equal(listed.status, 'pending');
      assert.match(listed.submitted, TIME_RE);
      assert.equal(listed.decided, null);
      assert.equal(listed.decision_reason, null);
      assert.equal(listed.city, null);
    } finally {
      c.close();
    }
  });

  test('rate limit per address: the 6th request within the hour -> rate_limited; the connection and other addresses go on', T, async () => {
    const address = nextAddress();
    const c = await open(srv, { address });
    try {
      // docs/protocol.md: a request refused as bad_request does not count.
      for (let i = 1; i <= 8; i++) await callFails(c, 'membership.request', requestFields({ email: `bad${i}` }), 'bad_request', { field: 'email' });
      for (let i = 1; i <= 5; i++) await callOk(c, 'membership.request', requestFields({ city_name: `Flood City ${i}` }));
      const e = await callFails(c, 'membership.request', requestFields({ city_name: 'Flood City 6' }), 'rate_limited');
      assert.match(e.message, /\d+\s*minute/i, `error.message does not say in how many minutes to try again: ${e.message}`);
      assert.equal((await c.ping()).ok, true, 'the connection no longer answers pings');
      await callOk(c, 'members.list');
      // Another connection from the same address is limited too; another address is not.
      const same = await open(srv, { address });
      await callFails(same, 'membership.request', requestFields({ city_name: 'Flood City 7' }), 'rate_limited');
      same.close();
      const other = await open(srv);
      await callOk(other, 'membership.request', requestFields({ city_name: 'Elsewhere City' }));
      other.close();
      const names = (await callOk(sec.c, 'request.list')).requests.map((x) => x.city_name);
      assert.ok(!names.includes('Flood City 6') && !names.includes('Flood City 7'), 'a rate-limited request was stored');
      assert.ok(names.includes('Flood City 5') && names.includes('Elsewhere City'));
    } finally {
      c.close();
    }
  });

  test('the secretary approves a request: the city appears as member/approved_request; deciding again -> conflict', T, async () => {
    const c = await open(srv);
    let id;
    try {
      id = (await callOk(c, 'membership.request', requestFields())).request.id;
    } finally {
      c.close();
    }
    const pending = (await callOk(sec.c, 'request.list', { status: 'pending' })).requests;
    assert.ok(pending.some((x) => x.id === id), 'the new request is not pending');
    assert.ok(pending.every((x) => x.status === 'pending'), 'request.list {status: pending} returned others');
    const city = { code: 'novi-sad', name: 'Novi Sad', name_local: 'Нови Сад', country: 'RS', tz: 'Europe/Belgrade', lat: 45.2671, lon: 19.8335 };
    const r = await callOk(sec.c, 'request.decide', { request: id, decision: 'approve', reason: 'Balkan city; the secretariat agrees.', city });
    assert.equal(r.request?.id, id, `reply request: ${JSON.stringify(r.request)}`);
    assert.equal(r.request.status, 'approved', `reply request: ${JSON.stringify(r.request)}`);
    assertCity(r.city);
    assert.deepEqual({ ...r.city }, { ...city, status: 'member', joined_how: 'approved_request', joined_on: today() });
    const listed = (await callOk(sec.c, 'members.list')).cities.find((x) => x.code === 'novi-sad');
    assert.deepEqual(listed, r.city);
    assert.ok((await callOk(sec.c, 'members.as_of', { date: today() })).members.includes('novi-sad'));
    assert.ok(!(await callOk(sec.c, 'members.as_of', { date: '2026-01-01' })).members.includes('novi-sad'), 'a member before its approval');
    const decided = (await callOk(sec.c, 'request.list', { status: 'approved' })).requests.find((x) => x.id === id);
    assert.ok(decided, 'not in request.list {status: approved}');
    assert.equal(decided.status, 'approved');
    assert.match(decided.decided ?? '', TIME_RE);
    assert.equal(decided.decision_reason, 'Balkan city; the secretariat agrees.');
    assert.ok(decided.city === 'novi-sad' || decided.city?.code === 'novi-sad', `request.city: ${JSON.stringify(decided.city)}`);
    await callFails(sec.c, 'request.decide', { request: id, decision: 'approve', reason: 'again', city: { ...city, code: 'novi-sad-2' } }, 'conflict', { field: 'request' });
    await callFails(sec.c, 'request.decide', { request: id, decision: 'reject', reason: 'changed our mind' }, 'conflict', { field: 'request' });
    assert.equal((await callOk(sec.c, 'members.list')).cities.filter((x) => x.code.startsWith('novi-sad')).length, 1);
  });

  test('approve refusals: no city, a malformed city, a code already taken; the request stays pending', T, async () => {
    const c = await open(srv);
    const id = (await callOk(c, 'membership.request', requestFields({ city_name: 'Bitola' }))).request.id;
    c.close();
    const city = { code: 'bitola', name: 'Bitola', name_local: 'Битола', country: 'MK', tz: 'Europe/Skopje', lat: 41.0297, lon: 21.3292 };
    await callFails(sec.c, 'request.decide', { request: id, decision: 'approve', reason: 'ok' }, 'bad_request', { field: 'city' });
    const { lon, ...noLon } = city;
    const badCities = [
      ['city.lat', { ...city, lat: 91 }], ['city.lat', { ...city, lat: '41.0' }], ['city.lon', { ...city, lon: -181 }], ['city.lon', noLon],
      ['city.code', { ...city, code: 'Bitola' }], ['city.code', { ...city, code: 'b' }], ['city.country', { ...city, country: 'mk' }],
      ['city.tz', { ...city, tz: '../../etc/passwd' }], ['city.tz', { ...city, tz: 'UTC' }], ['city.name', { ...city, name: '' }],
      ['city.name_local', { ...city, name_local: 'Bi\u202Etola' }],
    ];
    assert.equal(lon, 21.3292);
    for (const [field, bad] of badCities) {
      const r = await call(sec.c, 'request.decide', { request: id, decision: 'approve', reason: 'ok', city: bad });
      fails(r, 'bad_request', `approve with city ${JSON.stringify(bad)}`, { field });
    }
    const r = await call(sec.c, 'request.decide', { request: id, decision: 'approve', reason: 'ok', city: { ...city, fee: 0 } });
    fails(r, 'bad_request', 'approve with an extra member in city');
    await callFails(sec.c, 'request.decide', { request: id, decision: 'reject', reason: 'no', city }, 'bad_request', { field: 'city' });
    await callFails(sec.c, 'request.decide', { request: id, decision: 'approve', reason: 'ok', city: { ...city, code: 'athens' } }, 'conflict', { field: 'city.code' });
    await callFails(sec.c, 'request.decide', { request: id, decision: 'maybe', reason: 'ok' }, 'bad_request', { field: 'decision' });
    await callFails(sec.c, 'request.decide', { request: id, decision: 'reject', reason: '' }, 'bad_request', { field: 'reason' });
    await callFails(sec.c, 'request.decide', { request: 999999, decision: 'reject', reason: 'no such request' }, 'not_found');
    const still = (await callOk(sec.c, 'request.list')).requests.find((x) => x.id === id);
    assert.equal(still.status, 'pending', JSON.stringify(still));
    assert.ok(!(await callOk(sec.c, 'members.list')).cities.some((x) => x.code === 'bitola'));
    const athens = (await callOk(sec.c, 'members.list')).cities.find((x) => x.code === 'athens');
    assert.equal(athens.name, 'Athens', 'the conflicting approval changed Athens');
  });

  test('reject with a reason: status rejected, the reason kept, no city', T, async () => {
    const c = await open(srv);
    const id = (await callOk(c, 'membership.request', requestFields({ city_name: 'Faraway Town', country: 'FR' }))).request.id;
    c.close();
    const r = await callOk(sec.c, 'request.decide', { request: id, decision: 'reject', reason: 'Not a Balkan city.' });
    assert.equal(r.request?.id, id, JSON.stringify(r));
    assert.equal(r.request.status, 'rejected', JSON.stringify(r));
    assert.ok(!('city' in r) || r.city === null, `a rejection returned a city: ${JSON.stringify(r)}`);
    const listed = (await callOk(sec.c, 'request.list', { status: 'rejected' })).requests.find((x) => x.id === id);
    assert.equal(listed.status, 'rejected');
    assert.equal(listed.decision_reason, 'Not a Balkan city.');
    assert.equal(listed.city, null);
    assert.match(listed.decided ?? '', TIME_RE);
    assert.ok(!(await callOk(sec.c, 'members.list')).cities.some((x) => x.name === 'Faraway Town'));
    await callFails(sec.c, 'request.decide', { request: id, decision: 'reject', reason: 'twice' }, 'conflict', { field: 'request' });
    await callFails(sec.c, 'request.list', { status: 'maybe' }, 'bad_request', { field: 'status' });
  });

  test('history.list records each decision with the secretary as actor, and never a contact name or e-mail', T, async () => {
    const entries = (await callOk(sec.c, 'history.list', { limit: 500 })).entries;
    assert.ok(entries.length > 0);
    const byAction = (a) => entries.filter((e) => e.action === a);
    assert.ok(byAction('request.approve').some((e) => e.actor === sec.person.id && JSON.stringify(e).includes('novi-sad')),
      `no request.approve of novi-sad by ${sec.person.id}: ${JSON.stringify(entries.slice(0, 10))}`);
    // The refused approval (Bitola with the code athens) left no trace.
    assert.equal(byAction('request.approve').length, 1, JSON.stringify(byAction('request.approve')));
    assert.ok(byAction('request.reject').some((e) => e.actor === sec.person.id), 'no request.reject by the secretary');
    assert.ok(byAction('request.submit').length >= 5, `request.submit entries: ${byAction('request.submit').length}`);
    for (const e of byAction('request.submit')) assert.equal(e.actor, null, `a public request with an actor: ${JSON.stringify(e)}`);
    for (const e of entries) assert.equal(typeof e.details, 'object', `details is not an object: ${JSON.stringify(e)}`);
    const text = JSON.stringify(entries);
    for (const secret of ['office@novisad.example', 'City Hall Office', "o'brien+b40@example.org", 'O\'Brien']) {
      assert.ok(!text.includes(secret), `the history holds ${secret}`);
    }
  });
});

describe('membership.request: the limit across all addresses, and request.list paging', () => {
  let srv;
  let sec;
  before(async () => {
    srv = await startDemo();
    sec = await enrollSecretary(srv);
  });
  after(async () => { sec?.c.close(); await finish(srv); });

  test('200 requests per hour from all addresses together; the 201st, from a fresh address, -> rate_limited', { timeout: 300000 }, async () => {
    let sent = 0;
    while (sent < 200) {
      const c = await open(srv);
      try {
        for (let i = 0; i < 5 && sent < 200; i++) {
          sent += 1;
          ok(await call(c, 'membership.request', requestFields({ city_name: `Town ${sent}` })), `request ${sent}`);
        }
      } finally {
        c.close();
      }
    }
    const c = await open(srv);
    try {
      const e = await callFails(c, 'membership.request', requestFields({ city_name: 'Town 201' }), 'rate_limited');
      assert.match(e.message, /\d+\s*minute/i, e.message);
      assert.equal((await c.ping()).ok, true);
    } finally {
      c.close();
    }
  });

  test('request.list: newest first; limit and before page it; limit over 100 -> bad_request', T, async () => {
    const first = (await callOk(sec.c, 'request.list')).requests;
    assert.equal(first.length, 50, 'the default limit is 50');
    for (let i = 1; i < first.length; i++) assert.ok(first[i - 1].id > first[i].id, 'request.list is not newest first');
    assert.equal(first[0].city_name, 'Town 200');
    const top = (await callOk(sec.c, 'request.list', { limit: 100 })).requests;
    assert.equal(top.length, 100);
    assert.deepEqual(top.slice(0, 50), first);
    const page = (await callOk(sec.c, 'request.list', { before: first[49].id, limit: 3 })).requests;
    assert.deepEqual(page, top.slice(50, 53));
    const pending = (await callOk(sec.c, 'request.list', { status: 'pending', limit: 5 })).requests;
    assert.deepEqual(pending, top.slice(0, 5));
    for (const limit of [0, 101, 'all']) await callFails(sec.c, 'request.list', { limit }, 'bad_request', { field: 'limit' });
  });
});

describe('city.set_status and the history', () => {
  let srv;
  let sec;
  let c;
  const statusOf = async (code) => (await callOk(c, 'members.list')).cities.find((x) => x.code === code)?.status;
  before(async () => {
    srv = await startDemo();
    sec = await enrollSecretary(srv);
    c = sec.c;
  });
  after(async () => { sec?.c.close(); await finish(srv); });

  test('suspend a member: members.list shows suspended; members.as_of today still includes it', T, async () => {
    const r = await callOk(c, 'city.set_status', { city: 'athens', status: 'suspended', reason: 'Suspended for the test.' });
    assertCity(r.city);
    assert.equal(r.city.code, 'athens');
    assert.equal(r.city.status, 'suspended');
    assert.equal(r.city.joined_on, '2021-11-29', 'suspension changed joined_on');
    assert.equal(await statusOf('athens'), 'suspended');
    assert.deepEqual((await callOk(c, 'members.list', { status: 'suspended' })).cities.map((x) => x.code), ['athens']);
    // docs/protocol.md: members.as_of counts "the cities that were members, suspended included".
    assert.ok((await callOk(c, 'members.as_of', { date: today() })).members.includes('athens'), 'a suspended city is not counted a member');
    assert.ok((await callOk(c, 'members.as_of', { date: '2022-07-01' })).members.includes('athens'));
    await callFails(c, 'city.set_status', { city: 'athens', status: 'suspended', reason: 'Again.' }, 'conflict', { field: 'status' });
  });

  test('reinstate: member again; setting member twice -> conflict', T, async () => {
    const r = await callOk(c, 'city.set_status', { city: 'athens', status: 'member', reason: 'Reinstated after the test.' });
    assert.equal(r.city.status, 'member');
    assert.equal(await statusOf('athens'), 'member');
    await callFails(c, 'city.set_status', { city: 'athens', status: 'member', reason: 'Again.' }, 'conflict', { field: 'status' });
    assert.deepEqual((await callOk(c, 'members.list', { status: 'suspended' })).cities, []);
  });

  test('former: listed as former, no longer a member today, still a member on past dates', T, async () => {
    await callOk(c, 'city.set_status', { city: 'kotor', status: 'former', reason: 'Left the network (test).' });
    assert.equal(await statusOf('kotor'), 'former');
    assert.ok(!(await callOk(c, 'members.as_of', { date: today() })).members.includes('kotor'), 'a former city counted today');
    assert.ok((await callOk(c, 'members.as_of', { date: '2021-11-30' })).members.includes('kotor'), 'its past membership was rewritten');
    assert.deepEqual((await callOk(c, 'members.list', { status: 'former' })).cities.map((x) => x.code), ['kotor']);
    await callFails(c, 'city.set_status', { city: 'kotor', status: 'suspended', reason: 'A former city cannot be suspended.' }, 'conflict', { field: 'status' });
    // A former member may rejoin; its history keeps the gap.
    await callOk(c, 'city.set_status', { city: 'kotor', status: 'member', reason: 'Rejoined (test).' });
    assert.equal(await statusOf('kotor'), 'member');
    assert.ok((await callOk(c, 'members.as_of', { date: today() })).members.includes('kotor'));
    await callOk(c, 'city.set_status', { city: 'kotor', status: 'former', reason: 'Left again (test).' });
  });

  test('refusals: unknown city -> not_found; bad status or reason -> bad_request', T, async () => {
    await callFails(c, 'city.set_status', { city: 'atlantis', status: 'suspended', reason: 'No such city.' }, 'not_found');
    for (const status of ['applicant', 'expelled', '', 'MEMBER']) {
      await callFails(c, 'city.set_status', { city: 'athens', status, reason: 'x' }, 'bad_request', { field: 'status' });
    }
    await callFails(c, 'city.set_status', { city: 'athens', status: 'suspended', reason: '' }, 'bad_request', { field: 'reason' });
    await callFails(c, 'city.set_status', { city: 'athens', status: 'suspended', reason: 'r'.repeat(501) }, 'bad_request', { field: 'reason' });
    await callFails(c, 'city.set_status', { city: 'athens', status: 'suspended' }, 'bad_request', { field: 'reason' });
    assert.equal(await statusOf('athens'), 'member', 'a refused change changed Athens');
  });

  test('history.list: each change with the actor\'s person id, newest first; limit and before page it', T, async () => {
    const all = (await callOk(c, 'history.list', { limit: 500 })).entries;
    for (const e of all) {
      assert.deepEqual(Object.keys(e).sort(), ['action', 'actor', 'at', 'details', 'id', 'subject'], JSON.stringify(e));
      assert.match(e.at, TIME_RE);
      assert.ok(e.actor === null || Number.isInteger(e.actor));
    }
    for (let i = 1; i < all.length; i++) assert.ok(all[i - 1].id > all[i].id, 'history not newest first');
    const changes = all.filter((e) => e.action === 'city.status' && JSON.stringify(e).includes('athens'));
    for (const e of changes) assert.equal(e.actor, sec.person.id, `a status change without the secretary as actor: ${JSON.stringify(e)}`);
    const text = changes.map((e) => JSON.stringify(e)).join('\n');
    assert.equal(changes.length, 2, `the two changes of Athens are not in the history with actor ${sec.person.id}:\n${JSON.stringify(all.slice(0, 8), null, 1)}`);
    // Newest first: the reinstatement, then the suspension.
    assert.match(JSON.stringify(changes[0]), /member/);
    assert.match(JSON.stringify(changes[changes.length - 1]), /suspended/, text);
    assert.equal(all.filter((e) => e.action === 'city.status' && e.actor === sec.person.id && JSON.stringify(e).includes('kotor')).length, 3,
      'kotor: former, member, former');
    // Refused changes left no trace.
    assert.ok(!all.some((e) => JSON.stringify(e).includes('atlantis')), 'a refused change is in the history');
    const one = (await callOk(c, 'history.list', { limit: 1 })).entries;
    assert.deepEqual(one, [all[0]]);
    const page = (await callOk(c, 'history.list', { before: all[0].id, limit: 2 })).entries;
    assert.deepEqual(page, all.slice(1, 3));
    for (const limit of [0, 501, -1, 'ten']) await callFails(c, 'history.list', { limit }, 'bad_request', { field: 'limit' });
  });
});
