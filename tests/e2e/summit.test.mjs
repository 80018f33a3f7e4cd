// Summits, delegations and attendance over the real server (docs/protocol.md
// "Summits and the presidency election"): the demo summits and presidency
// terms, summit.create and its refusals, delegation.register with the
// hospitality arithmetic the document gives (nights = departure - arrival,
// meals = delegates x (nights + 1) x 3), who may register, list and read
// one back (delegation.get), and attendance.check_in at the desk and
// online, including a former member that attends and so becomes a member
// again.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TIME_RE } from './wsutil.mjs';
import { call, callOk, callFails, fails, open, startDemo, finish } from './idutil.mjs';
import { secretariat, demoPerson, createSummit, memberInfo } from './elutil.mjs';

const T = { timeout: 120000 };

/** Asserts a summit object of docs/protocol.md; returns it. */
function assertSummit(s, expect = {}) {
  assert.ok(s && typeof s === 'object', `not a summit: ${JSON.stringify(s)}`);
  for (const k of ['id', 'year', 'host', 'starts_on', 'ends_on', 'place', 'present', 'hospitality']) {
    assert.ok(k in s, `summit without ${k}: ${JSON.stringify(s)}`);
  }
  assert.ok(Number.isInteger(s.id) && s.id > 0, `summit.id ${s.id}`);
  assert.ok(Array.isArray(s.present), `summit.present ${JSON.stringify(s.present)}`);
  assert.deepEqual(s.present, [...s.present].sort(), 'summit.present is not sorted');
  for (const k of ['delegations', 'delegates', 'nights', 'meals']) {
    assert.ok(Number.isInteger(s.hospitality?.[k]), `summit.hospitality.${k} in ${JSON.stringify(s)}`);
  }
  for (const [k, v] of Object.entries(expect)) assert.deepEqual(s[k], v, `summit.${k} in ${JSON.stringify(s)}`);
  return s;
}

describe('summit.list on the demo network', () => {
  let srv;
  let list;
  before(async () => {
    srv = await startDemo();
    const c = await open(srv);
    try {
      // Public: no sign-in.
      list = await callOk(c, 'summit.list');
    } finally {
      c.close();
    }
  });
  after(async () => { await finish(srv); });

  test('summits, newest first, from Istanbul 2021 to Zagreb 2026', T, () => {
    assert.ok(Array.isArray(list.summits) && list.summits.length >= 3, `summits: ${JSON.stringify(list.summits)}`);
    for (const s of list.summits) assertSummit(s);
    const years = list.summits.map((s) => s.year);
    assert.deepEqual(years, [...years].sort((a, b) => b - a), `summits are not newest first: ${years}`);
    assert.equal(new Set(years).size, years.length, `a year twice: ${years}`);
    const by = Object.fromEntries(list.summits.map((s) => [s.year, s]));
    assert.equal(by[2021]?.host, 'istanbul', 'the founding summit, Istanbul 2021');
    assert.equal(by[2024]?.host, 'tirana', 'the summit in Tirana, 2024');
    assert.equal(by[2026]?.host, 'zagreb', 'the summit in Zagreb, 2026');
    assert.equal(years[0], 2026, 'the newest demo summit is Zagreb 2026');
    assert.equal(years[years.length - 1], 2021, 'the oldest demo summit is Istanbul 2021');
    for (const s of list.summits) {
      assert.match(s.starts_on, /^\d{4}-\d{2}-\d{2}$/);
      assert.ok(s.ends_on >= s.starts_on, `summit ${s.year} ends before it starts`);
    }
  });

  test('the presidency terms, newest first: Zagreb (current) ... Istanbul; each opened by the summit its city hosted', T, () => {
    const { terms, summits } = list;
    assert.ok(Array.isArray(terms) && terms.length >= 2, `terms: ${JSON.stringify(terms)}`);
    for (const t of terms) {
      for (const k of ['city', 'from_summit', 'year', 'elected_in']) assert.ok(k in t, `term without ${k}: ${JSON.stringify(t)}`);
      assert.equal(t.elected_in, null, `a demo term elected by this server: ${JSON.stringify(t)}`);
      const s = summits.find((x) => x.id === t.from_summit);
      assert.ok(s, `term ${JSON.stringify(t)} names no listed summit`);
      assert.equal(s.host, t.city, `term ${JSON.stringify(t)}: the summit that opens it is hosted by ${s.host}`);
      assert.equal(s.year, t.year, `term ${JSON.stringify(t)}: year differs from its summit's`);
    }
    const years = terms.map((t) => t.year);
    assert.deepEqual(years, [...years].sort((a, b) => b - a), `terms are not newest first: ${years}`);
    assert.deepEqual([terms[0].city, terms[0].year], ['zagreb', 2026], 'the current term is Zagreb\'s');
    assert.deepEqual([terms.at(-1).city, terms.at(-1).year], ['istanbul', 2021], 'the first term is Istanbul\'s');
  });

  test('summit.get returns the same summit; an unknown id -> not_found; a bad id -> bad_request', T, async () => {
    const c = await open(srv);
    try {
      const z = list.summits.find((s) => s.year === 2026);
      const r = await callOk(c, 'summit.get', { summit: z.id });
      assert.deepEqual(r.summit, z);
      await callFails(c, 'summit.get', { summit: 999999 }, 'not_found');
      await callFails(c, 'summit.get', { summit: 'x' }, 'bad_request', { field: 'summit' });
      await callFails(c, 'summit.get', {}, 'bad_request', { field: 'summit' });
    } finally {
      c.close();
    }
  });
});

describe('summit.create, delegations and attendance', () => {
  let srv;
  let w;
  let athens; // the demo mayor of Athens
  let sofia; // the demo deputy mayor of Sofia
  let zagreb; // the demo mayor of Zagreb (the host below)
  let tirana; // the demo climate officer of Tirana (an official)
  let summit;
  const S = { year: 2027, host: 'zagreb', starts_on: '2027-01-25', ends_on: '2027-01-27', place: 'Zagreb, Lisinski Concert Hall' };

  before(async () => {
    srv = await startDemo();
    w = await secretariat(srv);
    athens = await demoPerson(srv, 'athens', 'mayor');
    sofia = await demoPerson(srv, 'sofia', 'deputy');
    zagreb = await demoPerson(srv, 'zagreb', 'mayor');
    tirana = await demoPerson(srv, 'tirana', 'official');
  });
  after(async () => {
    for (const p of [athens, sofia, zagreb, tirana, w?.sec]) p?.c.close();
    await finish(srv);
  });

  test('summit.create by the secretary -> the summit, nobody present, no hospitality yet; summit.list shows it first', T, async () => {
    summit = await createSummit(w.sec, S);
    assertSummit(summit, { ...S, present: [], hospitality: { delegations: 0, delegates: 0, nights: 0, meals: 0 } });
    const c = await open(srv);
    try {
      const l = await callOk(c, 'summit.list');
      assert.deepEqual(l.summits[0], summit, 'the new summit is not first in summit.list');
      assert.deepEqual((await callOk(c, 'summit.get', { summit: summit.id })).summit, summit);
      // Creating a summit does not give its host a term.
      assert.equal(l.terms[0].city, 'zagreb');
      assert.equal(l.terms[0].year, 2026);
    } finally {
      c.close();
    }
  });

  test('summit.create refused: not signed in -> not_signed_in; a mayor or an official -> forbidden', T, async () => {
    const c = await open(srv);
    try {
      await callFails(c, 'summit.create', { ...S, year: 2030 }, 'not_signed_in');
    } finally {
      c.close();
    }
    await callFails(athens.c, 'summit.create', { ...S, year: 2030 }, 'forbidden');
    await callFails(tirana.c, 'summit.create', { ...S, year: 2030 }, 'forbidden');
    const l = await callOk(w.sec.c, 'summit.list');
    assert.ok(!l.summits.some((s) => s.year === 2030), 'a refused summit.create made a summit');
  });

  test('summit.create refused: the year taken -> conflict (2027 again, 2026 of the demo)', T, async () => {
    await callFails(w.sec.c, 'summit.create', { ...S, place: 'Elsewhere' }, 'conflict');
    await callFails(w.sec.c, 'summit.create', { ...S, year: 2026, starts_on: '2026-06-01', ends_on: '2026-06-02' }, 'conflict');
  });

  test('summit.create refused: bad dates, fields and host -> bad_request naming the field / not_found', T, async () => {
    const bad = [
      ['ends_on before starts_on', { starts_on: '2030-01-27', ends_on: '2030-01-25' }, null],
      ['starts_on not a calendar date', { starts_on: '2030-02-30', ends_on: '2030-03-02' }, 'starts_on'],
      ['ends_on not a calendar date', { starts_on: '2030-01-25', ends_on: '2030-01-32' }, 'ends_on'],
      ['starts_on not YYYY-MM-DD', { starts_on: '30-01-25', ends_on: '2030-01-27' }, 'starts_on'],
      ['starts_on with a time', { starts_on: '2030-01-25T10:00:00Z', ends_on: '2030-01-27' }, 'starts_on'],
      ['starts_on a number', { starts_on: 20300125, ends_on: '2030-01-27' }, 'starts_on'],
      ['year a string', { year: '2030' }, 'year'],
      ['place empty', { place: '' }, 'place'],
      ['place 201 bytes', { place: 'x'.repeat(201) }, 'place'],
      ['place with a control character', { place: 'Zagreb\u0007' }, 'place'],
      ['an unknown field', { fee: 100 }, 'fee'],
      ['host missing', { host: undefined }, 'host'],
    ];
    for (const [what, over, field] of bad) {
      const fields = { ...S, year: 2030, starts_on: '2030-01-25', ends_on: '2030-01-27', ...over };
      for (const k of Object.keys(fields)) if (fields[k] === undefined) delete fields[k];
      const r = await call(w.sec.c, 'summit.create', fields);
      fails(r, 'bad_request', `summit.create with ${what}`, field ? { field } : {});
    }
    await callFails(w.sec.c, 'summit.create', { ...S, year: 2030, starts_on: '2030-01-25', ends_on: '2030-01-27', host: 'atlantis' }, 'not_found');
    // A one-day summit is fine.
    const one = await createSummit(w.sec, { ...S, year: 2031, starts_on: '2031-02-01', ends_on: '2031-02-01' });
    assertSummit(one, { year: 2031, starts_on: '2031-02-01', ends_on: '2031-02-01' });
    const l = await callOk(w.sec.c, 'summit.list');
    assert.ok(!l.summits.some((s) => s.year === 2030), 'a refused summit.create made a summit');
  });

  test('delegation.register by a city\'s mayor for its own city: nights and meals computed, hospitality totals', T, async () => {
    assert.ok(summit, 'needs the summit');
    // Arrives 3 days before the start (the earliest allowed), leaves the day after the end.
    const r = await callOk(athens.c, 'delegation.register', {
      summit: summit.id, city: 'athens', delegates: 3, arrival: '2027-01-22', departure: '2027-01-28', dietary: 'one vegetarian',
    });
    assert.deepEqual(r.delegation, {
      city: 'athens', delegates: 3, arrival: '2027-01-22', departure: '2027-01-28', nights: 6, meals: 3 * 7 * 3, dietary: 'one vegetarian',
    });
    assert.deepEqual(r.hospitality, { delegations: 1, delegates: 3, nights: 18, meals: 63 });
  });

  test('delegation.register by a deputy, by an official (a person of the city), by the secretariat for any city', T, async () => {
    // The Sofia deputy: a day trip (0 nights: three meals on the one day).
    let r = await callOk(sofia.c, 'delegation.register', {
      summit: summit.id, city: 'sofia', delegates: 2, arrival: '2027-01-26', departure: '2027-01-26', dietary: '',
    });
    assert.deepEqual(r.delegation, { city: 'sofia', delegates: 2, arrival: '2027-01-26', departure: '2027-01-26', nights: 0, meals: 6, dietary: '' });
    assert.deepEqual(r.hospitality, { delegations: 2, delegates: 5, nights: 18, meals: 69 });
    // The Tirana official for Tirana: "a person of the city for their own".
    r = await callOk(tirana.c, 'delegation.register', {
      summit: summit.id, city: 'tirana', delegates: 1, arrival: '2027-01-25', departure: '2027-01-30', dietary: 'halal',
    });
    assert.deepEqual(r.delegation, { city: 'tirana', delegates: 1, arrival: '2027-01-25', departure: '2027-01-30', nights: 5, meals: 18, dietary: 'halal' });
    assert.deepEqual(r.hospitality, { delegations: 3, delegates: 6, nights: 23, meals: 87 });
    // The secretary for Belgrade: 50 delegates, the most allowed, 2 nights.
    r = await callOk(w.sec.c, 'delegation.register', {
      summit: summit.id, city: 'belgrade', delegates: 50, arrival: '2027-01-25', departure: '2027-01-27', dietary: '',
    });
    assert.deepEqual(r.delegation, { city: 'belgrade', delegates: 50, arrival: '2027-01-25', departure: '2027-01-27', nights: 2, meals: 450, dietary: '' });
    assert.deepEqual(r.hospitality, { delegations: 4, delegates: 56, nights: 123, meals: 537 });
    const s = (await callOk(w.sec.c, 'summit.get', { summit: summit.id })).summit;
    assert.deepEqual(s.hospitality, { delegations: 4, delegates: 56, nights: 123, meals: 537 }, 'summit.get hospitality');
  });

  test('delegation.register again for a city replaces its delegation; the totals follow', T, async () => {
    const r = await callOk(athens.c, 'delegation.register', {
      summit: summit.id, city: 'athens', delegates: 2, arrival: '2027-01-25', departure: '2027-01-27', dietary: '',
    });
    assert.deepEqual(r.delegation, { city: 'athens', delegates: 2, arrival: '2027-01-25', departure: '2027-01-27', nights: 2, meals: 18, dietary: '' });
    // athens 3x6 nights / 63 meals replaced by 2x2 / 18.
    assert.deepEqual(r.hospitality, { delegations: 4, delegates: 55, nights: 109, meals: 492 });
  });

  test('delegation.register refused: another city -> forbidden; not signed in -> not_signed_in; nothing recorded', T, async () => {
    const d = { summit: summit.id, city: 'sofia', delegates: 9, arrival: '2027-01-25', departure: '2027-01-27', dietary: '' };
    await callFails(athens.c, 'delegation.register', d, 'forbidden');
    await callFails(tirana.c, 'delegation.register', { ...d, city: 'athens' }, 'forbidden');
    const c = await open(srv);
    try {
      await callFails(c, 'delegation.register', d, 'not_signed_in');
    } finally {
      c.close();
    }
    const l = await callOk(w.sec.c, 'delegation.list', { summit: summit.id });
    assert.equal(l.delegations.find((x) => x.city === 'sofia')?.delegates, 2, 'a refused registration changed Sofia\'s delegation');
    assert.deepEqual(l.hospitality, { delegations: 4, delegates: 55, nights: 109, meals: 492 });
  });

  test('delegation.register refused: bad numbers, dates and text -> bad_request; unknown summit or city -> not_found', T, async () => {
    const base = { summit: summit.id, city: 'athens', delegates: 2, arrival: '2027-01-25', departure: '2027-01-27', dietary: '' };
    const bad = [
      ['0 delegates', { delegates: 0 }, 'delegates'],
      ['51 delegates', { delegates: 51 }, 'delegates'],
      ['2.5 delegates', { delegates: 2.5 }, 'delegates'],
      ['delegates a string', { delegates: '2' }, 'delegates'],
      ['arrival 4 days before the start', { arrival: '2027-01-21' }, 'arrival'],
      ['departure 4 days after the end', { departure: '2027-01-31' }, 'departure'],
      ['departure before arrival', { arrival: '2027-01-26', departure: '2027-01-25' }, null],
      ['arrival not a calendar date', { arrival: '2027-01-32' }, 'arrival'],
      ['departure not a date', { departure: 'tomorrow' }, 'departure'],
      ['dietary 501 bytes', { dietary: 'x'.repeat(501) }, 'dietary'],
      ['dietary with a control character', { dietary: 'no\u0000nuts' }, 'dietary'],
      ['a travel fee', { travel_fee: 120 }, 'travel_fee'],
    ];
    for (const [what, over, field] of bad) {
      fails(await call(athens.c, 'delegation.register', { ...base, ...over }), 'bad_request', `delegation.register with ${what}`, field ? { field } : {});
    }
    await callFails(athens.c, 'delegation.register', { ...base, summit: 999999 }, 'not_found');
    await callFails(w.sec.c, 'delegation.register', { ...base, city: 'atlantis' }, 'not_found');
    const l = await callOk(w.sec.c, 'delegation.list', { summit: summit.id });
    assert.deepEqual(l.hospitality, { delegations: 4, delegates: 55, nights: 109, meals: 492 }, 'a refused registration changed the totals');
  });

  test('delegation.list: the secretariat and the host city\'s people see every delegation; others -> forbidden', T, async () => {
    const expect = [
      { city: 'athens', delegates: 2, arrival: '2027-01-25', departure: '2027-01-27', nights: 2, meals: 18, dietary: '' },
      { city: 'belgrade', delegates: 50, arrival: '2027-01-25', departure: '2027-01-27', nights: 2, meals: 450, dietary: '' },
      { city: 'sofia', delegates: 2, arrival: '2027-01-26', departure: '2027-01-26', nights: 0, meals: 6, dietary: '' },
      { city: 'tirana', delegates: 1, arrival: '2027-01-25', departure: '2027-01-30', nights: 5, meals: 18, dietary: 'halal' },
    ];
    for (const [who, c] of [['the secretary', w.sec.c], ['the host\'s mayor', zagreb.c]]) {
      const l = await callOk(c, 'delegation.list', { summit: summit.id }, `delegation.list by ${who}`);
      const got = [...l.delegations].sort((a, b) => a.city.localeCompare(b.city));
      assert.deepEqual(got, expect, `delegation.list by ${who}`);
      assert.deepEqual(l.hospitality, { delegations: 4, delegates: 55, nights: 109, meals: 492 });
    }
    await callFails(athens.c, 'delegation.list', { summit: summit.id }, 'forbidden');
    await callFails(tirana.c, 'delegation.list', { summit: summit.id }, 'forbidden');
    const c = await open(srv);
    try {
      await callFails(c, 'delegation.list', { summit: summit.id }, 'not_signed_in');
    } finally {
      c.close();
    }
  });

  test('delegation.get: the city reads its own delegation back exactly as stored, to correct it; null when none', T, async () => {
    let r = await callOk(athens.c, 'delegation.get', { summit: summit.id, city: 'athens' });
    assert.deepEqual(r.delegation, { city: 'athens', delegates: 2, arrival: '2027-01-25', departure: '2027-01-27', nights: 2, meals: 18, dietary: '' });
    assert.match(r.updated, TIME_RE);
    // An official of Tirana, for Tirana: the dietary text exactly as sent (lines, markup and all).
    const dietary = 'halal\n1 vegetarian <no nuts> & "no pork"';
    const reg = await callOk(tirana.c, 'delegation.register', {
      summit: summit.id, city: 'tirana', delegates: 1, arrival: '2027-01-25', departure: '2027-01-30', dietary,
    });
    r = await callOk(tirana.c, 'delegation.get', { summit: summit.id, city: 'tirana' });
    assert.deepEqual(r.delegation, reg.delegation);
    assert.equal(r.delegation.dietary, dietary);
    assert.ok(r.updated >= (await callOk(athens.c, 'delegation.get', { summit: summit.id, city: 'athens' })).updated);
    // The Sofia deputy, for Sofia; the Zagreb mayor for Zagreb, which registered none.
    r = await callOk(sofia.c, 'delegation.get', { summit: summit.id, city: 'sofia' });
    assert.deepEqual(r.delegation, { city: 'sofia', delegates: 2, arrival: '2027-01-26', departure: '2027-01-26', nights: 0, meals: 6, dietary: '' });
    r = await callOk(zagreb.c, 'delegation.get', { summit: summit.id, city: 'zagreb' });
    assert.deepEqual([r.delegation, r.updated], [null, null]);
  });

  test('delegation.get by the secretariat and by the host city (hospitality planning) for any city; the same as delegation.list', T, async () => {
    const list = (await callOk(w.sec.c, 'delegation.list', { summit: summit.id })).delegations;
    for (const [who, c] of [['the secretary', w.sec.c], ['the host\'s mayor', zagreb.c]]) {
      for (const d of list) {
        const r = await callOk(c, 'delegation.get', { summit: summit.id, city: d.city }, `delegation.get ${d.city} by ${who}`);
        assert.deepEqual(r.delegation, d, `delegation.get ${d.city} by ${who}`);
      }
      const none = await callOk(c, 'delegation.get', { summit: summit.id, city: 'skopje' });
      assert.equal(none.delegation, null, `skopje registered nothing (${who})`);
      await callFails(c, 'delegation.get', { summit: summit.id, city: 'atlantis' }, 'not_found', { field: 'city' });
    }
  });

  test('delegation.get refused: another city -> forbidden (known or not); not signed in; bad fields; unknown summit', T, async () => {
    await callFails(athens.c, 'delegation.get', { summit: summit.id, city: 'sofia' }, 'forbidden');
    await callFails(athens.c, 'delegation.get', { summit: summit.id, city: 'atlantis' }, 'forbidden');
    await callFails(tirana.c, 'delegation.get', { summit: summit.id, city: 'athens' }, 'forbidden');
    await callFails(sofia.c, 'delegation.get', { summit: summit.id, city: 'tirana' }, 'forbidden');
    const c = await open(srv);
    try {
      await callFails(c, 'delegation.get', { summit: summit.id, city: 'athens' }, 'not_signed_in');
    } finally {
      c.close();
    }
    await callFails(athens.c, 'delegation.get', { summit: 999999, city: 'athens' }, 'not_found', { field: 'summit' });
    await callFails(athens.c, 'delegation.get', { summit: summit.id, city: 'Athens' }, 'bad_request', { field: 'city' });
    await callFails(athens.c, 'delegation.get', { summit: summit.id }, 'bad_request', { field: 'city' });
    await callFails(athens.c, 'delegation.get', { city: 'athens' }, 'bad_request', { field: 'summit' });
    // Another summit (not hosted by Zagreb): the Zagreb mayor is an ordinary city there.
    const old = (await callOk(w.sec.c, 'summit.list')).summits.find((s) => s.year === 2024);
    await callFails(zagreb.c, 'delegation.get', { summit: old.id, city: 'athens' }, 'forbidden');
    assert.equal((await callOk(zagreb.c, 'delegation.get', { summit: old.id, city: 'zagreb' })).delegation, null);
  });

  test('attendance.check_in at the desk (secretary) for any city, and online by a mayor or deputy for their own; idempotent', T, async () => {
    let r = await callOk(w.sec.c, 'attendance.check_in', { summit: summit.id, city: 'belgrade' });
    assert.deepEqual(r.present, ['belgrade']);
    r = await callOk(athens.c, 'attendance.check_in', { summit: summit.id, city: 'athens' });
    assert.deepEqual(r.present, ['athens', 'belgrade']);
    r = await callOk(sofia.c, 'attendance.check_in', { summit: summit.id, city: 'sofia' });
    assert.deepEqual(r.present, ['athens', 'belgrade', 'sofia']);
    r = await callOk(w.sec.c, 'attendance.check_in', { summit: summit.id, city: 'zagreb' });
    assert.deepEqual(r.present, ['athens', 'belgrade', 'sofia', 'zagreb']);
    // Again, at the desk and online: nothing changes.
    r = await callOk(athens.c, 'attendance.check_in', { summit: summit.id, city: 'athens' });
    assert.deepEqual(r.present, ['athens', 'belgrade', 'sofia', 'zagreb']);
    r = await callOk(w.sec.c, 'attendance.check_in', { summit: summit.id, city: 'athens' });
    assert.deepEqual(r.present, ['athens', 'belgrade', 'sofia', 'zagreb']);
    const s = (await callOk(athens.c, 'summit.get', { summit: summit.id })).summit;
    assert.deepEqual(s.present, ['athens', 'belgrade', 'sofia', 'zagreb']);
  });

  test('attendance.check_in refused: another city -> forbidden; an official -> forbidden; not signed in; unknown summit/city', T, async () => {
    await callFails(athens.c, 'attendance.check_in', { summit: summit.id, city: 'patras' }, 'forbidden');
    await callFails(sofia.c, 'attendance.check_in', { summit: summit.id, city: 'plovdiv' }, 'forbidden');
    await callFails(tirana.c, 'attendance.check_in', { summit: summit.id, city: 'tirana' }, 'forbidden');
    const c = await open(srv);
    try {
      await callFails(c, 'attendance.check_in', { summit: summit.id, city: 'tirana' }, 'not_signed_in');
    } finally {
      c.close();
    }
    await callFails(w.sec.c, 'attendance.check_in', { summit: 999999, city: 'tirana' }, 'not_found');
    await callFails(w.sec.c, 'attendance.check_in', { summit: summit.id, city: 'atlantis' }, 'not_found');
    await callFails(w.sec.c, 'attendance.check_in', { summit: summit.id, city: 'Not A Code' }, 'bad_request', { field: 'city' });
    const s = (await callOk(w.sec.c, 'summit.get', { summit: summit.id })).summit;
    assert.deepEqual(s.present, ['athens', 'belgrade', 'sofia', 'zagreb'], 'a refused check-in changed who is present');
  });

  test('a suspended city that attends is present and stays suspended (it is still a member)', T, async () => {
    await callOk(w.sec.c, 'city.set_status', { city: 'patras', status: 'suspended', reason: 'test: suspended before the summit' });
    const r = await callOk(w.sec.c, 'attendance.check_in', { summit: summit.id, city: 'patras' });
    assert.ok(r.present.includes('patras'), `present: ${r.present}`);
    const info = await memberInfo(w.sec.c);
    assert.equal(info.cities.find((x) => x.code === 'patras').status, 'suspended');
  });

  test('a former member (a Balkan city, not a member) that attends becomes a member again; joined_how/joined_on keep the first joining', T, async () => {
    const today = new Date().toISOString().slice(0, 10);
    const before = (await memberInfo(w.sec.c)).cities.find((x) => x.code === 'kotor');
    assert.deepEqual([before.status, before.joined_how, before.joined_on], ['member', 'founding_summit', '2021-11-29']);
    const set = await callOk(w.sec.c, 'city.set_status', { city: 'kotor', status: 'former', reason: 'test: left the network' });
    assert.equal(set.city.status, 'former');
    const c = await open(srv);
    try {
      let asOf = await callOk(c, 'members.as_of', { date: today });
      assert.ok(!asOf.members.includes('kotor'), 'kotor is still a member after leaving');
      const r = await callOk(w.sec.c, 'attendance.check_in', { summit: summit.id, city: 'kotor' });
      assert.ok(r.present.includes('kotor'), `present: ${r.present}`);
      const after = (await callOk(c, 'members.list')).cities.find((x) => x.code === 'kotor');
      assert.equal(after.status, 'member', `kotor after attending: ${JSON.stringify(after)}`);
      assert.equal(after.joined_how, 'founding_summit', 'joined_how records the first joining (docs/protocol.md)');
      assert.equal(after.joined_on, '2021-11-29', 'joined_on records the first joining (docs/protocol.md)');
      asOf = await callOk(c, 'members.as_of', { date: today });
      assert.ok(asOf.members.includes('kotor'), 'members.as_of today does not list kotor after it attended');
    } finally {
      c.close();
    }
    // The change is in the history, in the same step as the check-in.
    const h = (await callOk(w.sec.c, 'history.list', { limit: 20 })).entries;
    const kotor = h.filter((x) => x.subject === 'kotor');
    assert.ok(kotor.length >= 2, `history for kotor: ${JSON.stringify(kotor)}`);
    assert.equal(kotor[0].action, 'city.status', `the newest kotor entry: ${JSON.stringify(kotor[0])}`);
    assert.match(kotor[0].at, TIME_RE);
    assert.ok(JSON.stringify(kotor[0].details).includes('member'), `details: ${JSON.stringify(kotor[0].details)}`);
  });
});
