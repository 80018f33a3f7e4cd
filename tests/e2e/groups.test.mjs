// Working groups over the real server (docs/protocol.md "Working groups",
// docs/groups.md): the demo groups, members and delegates with their
// refusals, the two-signature creation of a new group, the quarterly plan,
// the overdue flag, extra-session requests, time polls, session changes,
// follow-up, and the iCalendar feeds parsed by python3-icalendar. The signed
// texts are written here from docs/groups.md alone and signed with Node's
// own Ed25519, independently of the server's code.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TIME_RE, httpGet } from './wsutil.mjs';
import { call, callOk, callFails, open, startDemo, finish, enrollSecretary, signHex, NETWORK } from './idutil.mjs';
import { demoPerson, cityPerson, verifyHex, text } from './elutil.mjs';
import { startServer } from '../lib/harness.mjs';
import { fetchIcs, parseIcs, icsTime } from './icsutil.mjs';

const T = { timeout: 120000 };
const DAY = 24 * 3600 * 1000;
const iso = (ms) => new Date(ms).toISOString();

// ---- the texts of docs/groups.md ------------------------------------------

const proposalText = (p) => text('b40-group-proposal-v1', [
  ['network', NETWORK], ['code', p.code], ['name', p.name], ['description', p.description], ['kind', p.kind],
  ['ends-on', p.ends_on ?? 'none'], ['presidency', p.presidency], ['proposed', p.proposed]]);

const requestText = (r) => text('b40-session-request-v1', [
  ['network', NETWORK], ['group', r.group], ['city', r.city], ['reason', r.reason], ['requested', r.requested]]);

/** The calendar quarter (UTC) of ms as "2026Q4", and its neighbours. */
function quarterOf(ms) {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}Q${Math.floor(d.getUTCMonth() / 3) + 1}`;
}
function previousQuarter(ms) {
  const d = new Date(ms);
  const q = Math.floor(d.getUTCMonth() / 3);
  return q === 0 ? `${d.getUTCFullYear() - 1}Q4` : `${d.getUTCFullYear()}Q${q}`;
}

/** Asserts a session object of docs/protocol.md; returns it. */
function assertSession(s, expect = {}) {
  for (const k of ['id', 'group', 'kind', 'quarter', 'title', 'starts_at', 'ends_at', 'state', 'chair', 'video_url',
    'agenda', 'sequence', 'cancel_reason', 'time_poll']) assert.ok(k in s, `session without ${k}: ${JSON.stringify(s)}`);
  assert.match(s.starts_at, TIME_RE);
  assert.match(s.ends_at, TIME_RE);
  assert.equal(s.quarter, quarterOf(Date.parse(s.starts_at)), `session quarter ${JSON.stringify(s)}`);
  assert.ok(Array.isArray(s.agenda) && s.agenda.length >= 1, `session agenda ${JSON.stringify(s.agenda)}`);
  assert.ok(Number.isInteger(s.sequence) && s.sequence >= 0);
  for (const [k, v] of Object.entries(expect)) assert.deepEqual(s[k], v, `session.${k} in ${JSON.stringify(s)}`);
  return s;
}

/** Asserts a group object; returns it. */
function assertGroup(g, expect = {}) {
  for (const k of ['id', 'code', 'name', 'description', 'kind', 'ends_on', 'state', 'founding', 'active_from',
    'member_count', 'next_session', 'overdue', 'overdue_quarter', 'calendar']) assert.ok(k in g, `group without ${k}: ${JSON.stringify(g).slice(0, 300)}`);
  assert.equal(g.calendar, `/groups/${g.code}/calendar.ics`);
  if (g.next_session) assertSession(g.next_session);
  for (const [k, v] of Object.entries(expect)) assert.deepEqual(g[k], v, `group.${k} in ${JSON.stringify(g).slice(0, 400)}`);
  return g;
}

async function getGroup(c, code) {
  return assertGroup((await callOk(c, 'group.get', { group: code })).group);
}

/** A slot or session time: `days` from now at 07:00 UTC, `hours` long. */
function slot(days, hour = 7, hours = 2) {
  const d = new Date(Date.now() + days * DAY);
  d.setUTCHours(hour, 0, 0, 0);
  return { starts_at: iso(d.getTime()), ends_at: iso(d.getTime() + hours * 3600 * 1000) };
}

describe('working groups on the demo network', () => {
  let srv;
  let sec; // the network secretary
  let expert; // the demo secretariat expert
  let athens; // mayor
  let sofia; // deputy mayor
  let zagreb; // mayor: Zagreb holds the current presidency term
  let tirana; // official: Tirana's delegate in its groups
  let pub; // a connection that is not signed in

  before(async () => {
    srv = await startDemo();
    sec = await enrollSecretary(srv);
    expert = await demoPerson(srv, 'secretariat', 'expert');
    athens = await demoPerson(srv, 'athens', 'mayor');
    sofia = await demoPerson(srv, 'sofia', 'deputy');
    zagreb = await demoPerson(srv, 'zagreb', 'mayor');
    tirana = await demoPerson(srv, 'tirana', 'official');
    pub = await open(srv);
  });
  after(async () => {
    for (const p of [sec, expert, athens, sofia, zagreb, tirana]) p?.c.close();
    pub?.close();
    await finish(srv);
  });

  test('group.list (public): the four founding groups, the term, the quarter; democracy-migration overdue', T, async () => {
    const r = await callOk(pub, 'group.list');
    assert.deepEqual(r.groups.map((g) => g.code), ['climate', 'democracy-migration', 'smart-cities', 'economy']);
    const names = {
      climate: 'Local climate action', 'democracy-migration': 'Local democracy and migration',
      'smart-cities': 'Smart cities and digital transformation', economy: 'Local economic cooperation',
    };
    for (const g of r.groups) {
      assertGroup(g, { name: names[g.code], kind: 'permanent', ends_on: null, state: 'active', founding: true,
        active_from: '2021-11-29T00:00:00.000Z' });
      assert.ok(g.member_count >= 9, `${g.code}: ${g.member_count} members`);
      assert.ok(g.next_session, `${g.code} has no next session`);
      assert.ok(Date.parse(g.next_session.ends_at) > Date.now(), `${g.code}: the next session has ended`);
      assert.ok(!('members' in g) && !('sessions' in g), 'group.list carries the full group');
    }
    assert.equal(r.quarter, quarterOf(Date.now()));
    assert.equal(r.term.city, 'zagreb');
    assert.equal(r.term.starts_on, '2026-01-25');
    assert.equal(r.term.ends_on, '2027-01-24');
    assert.deepEqual(r.term.quarters, ['2026Q1', '2026Q2', '2026Q3', '2026Q4', '2027Q1']);
    // the demo held last quarter's session in three groups; democracy-migration did not
    const by = Object.fromEntries(r.groups.map((g) => [g.code, g]));
    assert.equal(by['democracy-migration'].overdue, true);
    assert.equal(by['democracy-migration'].overdue_quarter, previousQuarter(Date.now()));
    for (const code of ['climate', 'smart-cities', 'economy']) {
      assert.equal(by[code].overdue, false, `${code} is overdue`);
      assert.equal(by[code].overdue_quarter, null);
    }
  });

  test('group.get (public): members with their delegates, sessions, a recommendation with its follow-up; refusals', T, async () => {
    const g = await getGroup(pub, 'climate');
    assert.deepEqual(g.members.map((m) => m.city), [...g.members.map((m) => m.city)].sort());
    assert.equal(g.members.length, g.member_count);
    const m = Object.fromEntries(g.members.map((x) => [x.city, x]));
    assert.equal(m.athens.delegate.name, 'Mayor of Athens');
    assert.equal(m.athens.delegate.id, athens.person.id);
    assert.equal(m.tirana.delegate.name, 'Climate officer of Tirana');
    assert.equal(m.sofia.delegate.name, 'Deputy mayor of Sofia');
    assert.match(m.split.delegate.name, /^Working-group delegate of Split$/);
    assert.equal(m.athens.name, 'Athens');
    assert.equal(m.athens.status, 'member');
    assert.match(m.athens.joined, TIME_RE);
    for (const s of g.sessions) assertSession(s, { group: 'climate' });
    const held = g.sessions.filter((s) => s.state === 'closed');
    assert.equal(held.length, 1);
    assert.equal(held[0].quarter, previousQuarter(Date.now()));
    assert.equal(g.proposal, null, 'a founding group has no proposal');
    assert.deepEqual(g.requests, []);
    assert.equal(g.recommendations.length, 1);
    const rec = g.recommendations[0];
    assert.equal(rec.session, held[0].id);
    assert.match(rec.text, /heat action plan/);
    assert.deepEqual(rec.followup.map((f) => [f.city, f.status]), [['athens', 'in_progress'], ['tirana', 'planned']]);
    assert.deepEqual((await callOk(pub, 'recommendation.list', { group: 'climate' })).recommendations, g.recommendations);
    await callFails(pub, 'group.get', { group: 'nope' }, 'not_found', { field: 'group' });
    await callFails(pub, 'group.get', { group: 'Bad Code' }, 'bad_request', { field: 'group' });
    await callFails(pub, 'group.get', {}, 'bad_request', { field: 'group' });
    await callFails(pub, 'group.get', { group: 'climate', extra: 1 }, 'bad_request', { field: 'extra' });
  });

  test('group.join / leave / set_delegate: who may, for which city; refusals', T, async () => {
    // not signed in
    await callFails(pub, 'group.join', { group: 'democracy-migration', city: 'tirana' }, 'not_signed_in');
    // Tirana is not in democracy-migration: its official may not join it, the secretariat may
    await callFails(tirana.c, 'group.join', { group: 'democracy-migration', city: 'tirana' }, 'forbidden');
    await callFails(athens.c, 'group.join', { group: 'democracy-migration', city: 'tirana' }, 'forbidden');
    await callFails(athens.c, 'group.join', { group: 'democracy-migration', city: 'nowhere' }, 'forbidden');
    let r = await callOk(sec.c, 'group.join', { group: 'democracy-migration', city: 'tirana' });
    assert.ok(r.members.some((x) => x.city === 'tirana' && x.delegate === null));
    const count = r.member_count;
    r = await callOk(sec.c, 'group.join', { group: 'democracy-migration', city: 'tirana' }); // again: nothing changes
    assert.equal(r.member_count, count);
    await callFails(sec.c, 'group.join', { group: 'democracy-migration', city: 'nowhere' }, 'not_found', { field: 'city' });
    await callFails(sec.c, 'group.join', { group: 'nope', city: 'tirana' }, 'not_found', { field: 'group' });
    // Athens's mayor takes Athens out of economy and back in; the delegate is cleared by leaving
    r = await callOk(athens.c, 'group.leave', { group: 'economy', city: 'athens' });
    assert.ok(!r.members.some((x) => x.city === 'athens'));
    await callFails(athens.c, 'group.leave', { group: 'economy', city: 'athens' }, 'not_in_group', { field: 'city' });
    await callFails(athens.c, 'group.set_delegate', { group: 'economy', city: 'athens', person: athens.person.id },
      'not_in_group', { field: 'city' });
    r = await callOk(athens.c, 'group.join', { group: 'economy', city: 'athens' });
    assert.equal(r.members.find((x) => x.city === 'athens').delegate, null);
    // a delegate must be an active person of that city with a city role
    await callFails(athens.c, 'group.set_delegate', { group: 'economy', city: 'athens', person: tirana.person.id },
      'conflict', { field: 'person' });
    await callFails(athens.c, 'group.set_delegate', { group: 'economy', city: 'athens', person: sec.person.id },
      'conflict', { field: 'person' });
    await callFails(athens.c, 'group.set_delegate', { group: 'economy', city: 'athens', person: 999999 },
      'conflict', { field: 'person' });
    await callFails(athens.c, 'group.set_delegate', { group: 'economy', city: 'tirana', person: tirana.person.id }, 'forbidden');
    await callFails(tirana.c, 'group.set_delegate', { group: 'economy', city: 'tirana', person: tirana.person.id }, 'forbidden');
    // whom the mayor may name: the city's active people with a city role
    const people = (await callOk(athens.c, 'group.eligible_delegates', { city: 'athens' })).people;
    assert.deepEqual(people, [{ id: athens.person.id, name: 'Mayor of Athens', roles: ['mayor'] }]);
    await callFails(athens.c, 'group.eligible_delegates', { city: 'sofia' }, 'forbidden');
    await callFails(tirana.c, 'group.eligible_delegates', { city: 'tirana' }, 'forbidden');
    const split = (await callOk(sec.c, 'group.eligible_delegates', { city: 'split' })).people;
    assert.deepEqual(split.map((p) => [p.name, p.roles]), [['Working-group delegate of Split', ['official']]]);
    r = await callOk(athens.c, 'group.set_delegate', { group: 'economy', city: 'athens', person: athens.person.id });
    assert.deepEqual(r.members.find((x) => x.city === 'athens').delegate, { id: athens.person.id, name: 'Mayor of Athens' });
    r = await callOk(sec.c, 'group.set_delegate', { group: 'democracy-migration', city: 'tirana', person: tirana.person.id });
    assert.equal(r.members.find((x) => x.city === 'tirana').delegate.name, 'Climate officer of Tirana');
    r = await callOk(sec.c, 'group.set_delegate', { group: 'democracy-migration', city: 'tirana', person: 0 });
    assert.equal(r.members.find((x) => x.city === 'tirana').delegate, null);
    // a city that is not of status member: no group
    await callOk(sec.c, 'city.set_status', { city: 'prilep', status: 'suspended', reason: 'test' });
    await callFails(sec.c, 'group.join', { group: 'climate', city: 'prilep' }, 'city_not_member', { field: 'city' });
    await callOk(sec.c, 'city.set_status', { city: 'prilep', status: 'member', reason: 'test' });
    await callOk(sec.c, 'group.join', { group: 'climate', city: 'prilep' });
  });

  let water; // the group created by the two signatures

  test('a new group: one signature leaves it proposed; wrong signers and bad bytes refused; both signatures make it active', T, async () => {
    const fields = {
      code: 'water', name: 'Water management', description: 'Rivers, ports and drinking water', kind: 'temporary',
      ends_on: iso(Date.now() + 200 * DAY).slice(0, 10), proposed: iso(Date.now()),
    };
    const st = proposalText({ ...fields, presidency: 'zagreb' });
    const sign = (who, t = st) => signHex(who.key, t);

    await callFails(pub, 'group.propose', { ...fields, statement: st, signature: sign(zagreb) }, 'not_signed_in');
    // neither the presidency's mayor nor the secretariat
    await callFails(athens.c, 'group.propose', { ...fields, statement: st, signature: sign(athens) }, 'not_signatory');
    await callFails(sofia.c, 'group.propose', { ...fields, statement: st, signature: sign(sofia) }, 'not_signatory');
    // not the canonical bytes: CRLF, a missing last LF, another presidency, another order
    const swapped = st.split('\n');
    [swapped[2], swapped[3]] = [swapped[3], swapped[2]]; // name before code
    for (const bad of [st.replace(/\n/g, '\r\n'), st.slice(0, -1), st.replace('presidency: zagreb', 'presidency: athens'),
      swapped.join('\n'), ` ${st}`, st.replace('kind: temporary', 'kind:  temporary')]) {
      await callFails(zagreb.c, 'group.propose', { ...fields, statement: bad, signature: sign(zagreb, bad) }, 'bad_statement',
        { field: 'statement' });
    }
    // the right bytes, signed by another key, or signed over other bytes
    await callFails(zagreb.c, 'group.propose', { ...fields, statement: st, signature: sign(athens) }, 'bad_signature',
      { field: 'signature' });
    await callFails(zagreb.c, 'group.propose', { ...fields, statement: st, signature: sign(zagreb, `${st} `) }, 'bad_signature');
    // field rules
    await callFails(zagreb.c, 'group.propose', { ...fields, proposed: iso(Date.now() - 10 * 60000), statement: st, signature: sign(zagreb) },
      'bad_request', { field: 'proposed' });
    const { ends_on: _e, ...noEnd } = fields;
    await callFails(zagreb.c, 'group.propose', { ...noEnd, statement: st, signature: sign(zagreb) }, 'bad_request', { field: 'ends_on' });
    await callFails(zagreb.c, 'group.propose', { ...fields, kind: 'permanent', statement: st, signature: sign(zagreb) },
      'bad_request', { field: 'ends_on' });
    await callFails(zagreb.c, 'group.propose', { ...fields, ends_on: fields.proposed.slice(0, 10), statement: st, signature: sign(zagreb) },
      'bad_request', { field: 'ends_on' });
    await callFails(zagreb.c, 'group.propose', { ...fields, name: 'two\nlines', statement: st, signature: sign(zagreb) },
      'bad_request', { field: 'name' });
    // a taken code
    {
      const f2 = { ...fields, code: 'climate' };
      const s2 = proposalText({ ...f2, presidency: 'zagreb' });
      await callFails(zagreb.c, 'group.propose', { ...f2, statement: s2, signature: sign(zagreb, s2) }, 'conflict', { field: 'code' });
    }

    // the presidency proposes: one signature, proposed
    let r = await callOk(zagreb.c, 'group.propose', { ...fields, statement: st, signature: sign(zagreb) });
    water = r.group;
    assertGroup(water, { code: 'water', state: 'proposed', kind: 'temporary', ends_on: fields.ends_on, founding: false,
      active_from: null, member_count: 0, next_session: null, overdue: false });
    assert.equal(water.proposal.statement, st);
    assert.equal(water.proposal.presidency, 'zagreb');
    assert.equal(water.proposal.signatures.length, 1);
    assert.equal(water.proposal.signatures[0].side, 'presidency');
    assert.equal(water.proposal.signatures[0].public_key, zagreb.key.pub);
    assert.ok(verifyHex(zagreb.key.pub, st, water.proposal.signatures[0].signature));
    assert.equal((await getGroup(pub, 'water')).state, 'proposed');
    // a proposed group takes no members and no sessions
    await callFails(sec.c, 'group.join', { group: 'water', city: 'athens' }, 'group_not_active', { field: 'group' });
    await callFails(sec.c, 'session.schedule', { group: 'water', kind: 'extra', title: 'x', ...slot(30), agenda: ['a'] },
      'group_not_active', { field: 'group' });
    // the presidency again: refused; a city that is not the presidency: refused
    await callFails(zagreb.c, 'group.agree', { group: 'water', statement: st, signature: sign(zagreb) }, 'already_signed');
    await callFails(athens.c, 'group.agree', { group: 'water', statement: st, signature: sign(athens) }, 'not_signatory');
    await callFails(sec.c, 'group.agree', { group: 'water', statement: st.replace('Rivers', 'Lakes'), signature: sign(sec) },
      'bad_statement', { field: 'statement' });
    await callFails(sec.c, 'group.agree', { group: 'water', statement: st, signature: sign(expert) }, 'bad_signature');
    await callFails(sec.c, 'group.agree', { group: 'nope', statement: st, signature: sign(sec) }, 'not_found');
    assert.equal((await getGroup(pub, 'water')).state, 'proposed', 'a refused agreement changed the group');
    // the secretariat agrees: active
    r = await callOk(sec.c, 'group.agree', { group: 'water', statement: st, signature: sign(sec) });
    assert.equal(r.activated, true);
    water = assertGroup(r.group, { state: 'active' });
    assert.match(water.active_from, TIME_RE);
    assert.deepEqual(water.proposal.signatures.map((s) => s.side), ['presidency', 'secretariat']);
    for (const s of water.proposal.signatures) assert.ok(verifyHex(s.public_key, water.proposal.statement, s.signature), `${s.side}'s signature`);
    assert.equal(water.proposal.signatures[1].public_key, sec.key.pub);
    await callFails(expert.c, 'group.agree', { group: 'water', statement: st, signature: sign(expert) }, 'conflict', { field: 'group' });
    await callOk(athens.c, 'group.join', { group: 'water', city: 'athens' });

    // the other order: the secretariat proposes (a permanent group), the presidency agrees
    const f3 = { code: 'tourism', name: 'Τουρισμός και πολιτισμός', description: 'Culture & tourism', kind: 'permanent', proposed: iso(Date.now()) };
    const s3 = proposalText({ ...f3, presidency: 'zagreb' });
    r = await callOk(expert.c, 'group.propose', { ...f3, statement: s3, signature: sign(expert, s3) });
    assert.equal(r.group.state, 'proposed');
    assert.equal(r.group.ends_on, null);
    await callFails(sec.c, 'group.agree', { group: 'tourism', statement: s3, signature: sign(sec, s3) }, 'already_signed');
    r = await callOk(zagreb.c, 'group.agree', { group: 'tourism', statement: s3, signature: sign(zagreb, s3) });
    assert.equal(r.activated, true);
    assert.equal(r.group.state, 'active');
    const codes = (await callOk(pub, 'group.list')).groups.map((g) => g.code);
    assert.deepEqual(codes, ['climate', 'democracy-migration', 'smart-cities', 'economy', 'water', 'tourism']);
  });

  test('session.plan: the new groups get their quarterly sessions; planning again creates nothing', T, async () => {
    await callFails(athens.c, 'session.plan', {}, 'forbidden');
    const r1 = await callOk(sec.c, 'session.plan');
    assert.equal(r1.term.city, 'zagreb');
    assert.ok(r1.created >= 1, `created ${r1.created}`);
    const water1 = r1.sessions.filter((s) => s.group === 'water');
    const tourism1 = r1.sessions.filter((s) => s.group === 'tourism');
    assert.ok(water1.length >= 1 && tourism1.length >= 1, `plan: ${JSON.stringify(r1.sessions.map((s) => [s.group, s.quarter]))}`);
    assert.equal(r1.created, water1.length + tourism1.length, 'the founding groups were planned already by the demo');
    for (const s of r1.sessions) {
      assertSession(s, { kind: 'regular' });
      assert.ok(r1.term.quarters.includes(s.quarter), `${s.quarter} is not a quarter of the term`);
    }
    for (const s of water1) {
      assert.equal(new Date(s.starts_at).getUTCHours(), 7, 'planned at 07:00 UTC');
      assert.equal(Date.parse(s.ends_at) - Date.parse(s.starts_at), 2 * 3600 * 1000);
      assert.ok(Date.parse(s.starts_at) >= Date.now() + 7 * DAY - 60000, 'planned at least 7 days ahead');
    }
    // one regular session per group and quarter
    const keys = r1.sessions.map((s) => `${s.group} ${s.quarter}`);
    assert.equal(new Set(keys).size, keys.length, `two regular sessions in a quarter: ${keys}`);
    const r2 = await callOk(expert.c, 'session.plan');
    assert.equal(r2.created, 0);
    assert.deepEqual(r2.sessions.map((s) => s.id), r1.sessions.map((s) => s.id));
    assert.equal((await getGroup(pub, 'water')).next_session.id, water1[0].id);
    assert.equal((await getGroup(pub, 'water')).overdue, false, 'a group active since today is not overdue');
  });

  test('session.request: a signed request scheduled, another declined; refusals', T, async () => {
    const ask = (who, group, reason, city = who.city, requested = iso(Date.now())) => {
      const statement = requestText({ group, city, reason, requested });
      return { group, reason, requested, statement, signature: signHex(who.key, statement) };
    };
    const a = ask(athens, 'climate', 'Floods in Thessaly: a coordinated answer, before winter');
    await callFails(pub, 'session.request', a, 'not_signed_in');
    await callFails(sec.c, 'session.request', ask(sec, 'climate', 'x', 'athens'), 'forbidden');
    await callFails(athens.c, 'session.request', { ...a, statement: a.statement.replace('athens', 'sofia') }, 'bad_statement');
    await callFails(athens.c, 'session.request', { ...a, signature: signHex(sofia.key, a.statement) }, 'bad_signature');
    await callFails(athens.c, 'session.request', { ...a, reason: 'two\nlines' }, 'bad_request', { field: 'reason' });
    await callFails(athens.c, 'session.request', ask(athens, 'climate', 'x', 'athens', iso(Date.now() + 10 * 60000)),
      'bad_request', { field: 'requested' });
    // Tirana's official is its delegate in climate, not in democracy-migration (cleared above)
    await callFails(tirana.c, 'session.request', ask(tirana, 'democracy-migration', 'migration'), 'forbidden');
    const r1 = (await callOk(athens.c, 'session.request', a)).request;
    assert.equal(r1.state, 'pending');
    assert.equal(r1.city, 'athens');
    assert.equal(r1.statement, a.statement);
    assert.equal(r1.public_key, athens.key.pub);
    assert.ok(verifyHex(r1.public_key, r1.statement, r1.signature));
    const r2 = (await callOk(sofia.c, 'session.request', ask(sofia, 'climate', 'Heat waves'))).request;
    const r3 = (await callOk(tirana.c, 'session.request', ask(tirana, 'climate', 'Drought'))).request;
    assert.equal(r3.city, 'tirana');

    await callFails(athens.c, 'session.request_decide', { request: r1.id, decision: 'decline', reason: 'no' }, 'forbidden');
    await callFails(sec.c, 'session.request_decide', { request: r2.id, decision: 'decline' }, 'bad_request', { field: 'reason' });
    await callFails(sec.c, 'session.request_decide', { request: r1.id, decision: 'schedule' }, 'bad_request', { field: 'starts_at' });
    await callFails(sec.c, 'session.request_decide', { request: r1.id, decision: 'maybe' }, 'bad_request', { field: 'decision' });
    await callFails(sec.c, 'session.request_decide', { request: 999999, decision: 'decline', reason: 'x' }, 'not_found');
    const when = slot(20);
    let d = await callOk(sec.c, 'session.request_decide', { request: r1.id, decision: 'schedule', ...when });
    assert.equal(d.request.state, 'scheduled');
    assert.equal(d.request.session, d.session.id);
    assertSession(d.session, { kind: 'extra', group: 'climate', state: 'scheduled', title: 'Extra session', ...when,
      agenda: ['Opening', 'The request of athens', 'Any other business'], sequence: 0 });
    d = await callOk(sec.c, 'session.request_decide', { request: r2.id, decision: 'decline', reason: 'The December session covers it' });
    assert.equal(d.request.state, 'declined');
    assert.equal(d.request.decision_reason, 'The December session covers it');
    assert.equal(d.session, null);
    await callFails(sec.c, 'session.request_decide', { request: r1.id, decision: 'decline', reason: 'x' }, 'already_decided',
      { field: 'request' });
    await callFails(expert.c, 'session.request_decide', { request: r2.id, decision: 'schedule', ...when }, 'already_decided');
    const g = await getGroup(pub, 'climate');
    assert.deepEqual(g.requests.map((x) => [x.id, x.state]), [[r3.id, 'pending'], [r2.id, 'declined'], [r1.id, 'scheduled']]);
    // every request stays in the group's public record: a city cannot flood it (5 a day per city and group)
    for (let i = 2; i <= 5; i++) await callOk(athens.c, 'session.request', ask(athens, 'climate', `Request ${i}`));
    await callFails(athens.c, 'session.request', ask(athens, 'climate', 'Request 6'), 'rate_limited');
    assert.equal((await getGroup(pub, 'climate')).requests.filter((x) => x.city === 'athens').length, 5);
    await callOk(sofia.c, 'session.request', ask(sofia, 'climate', 'Heat waves again')); // another city is not held back
  });

  test('a city that is not in the group, or not a member of the network, may not request, mark or report', T, async () => {
    const kotor = await cityPerson(srv, 'kotor', 'mayor');
    try {
      const ask = (group) => {
        const requested = iso(Date.now());
        const statement = requestText({ group, city: 'kotor', reason: 'Tourism and water', requested });
        return { group, reason: 'Tourism and water', requested, statement, signature: signHex(kotor.key, statement) };
      };
      await callFails(kotor.c, 'session.request', ask('climate'), 'not_in_group');
      await callOk(kotor.c, 'group.join', { group: 'climate', city: 'kotor' });
      await callOk(sec.c, 'city.set_status', { city: 'kotor', status: 'suspended', reason: 'test' });
      await callFails(kotor.c, 'session.request', ask('climate'), 'city_not_member', { field: 'city' });
      await callFails(kotor.c, 'group.join', { group: 'economy', city: 'kotor' }, 'city_not_member');
      await callOk(sec.c, 'city.set_status', { city: 'kotor', status: 'member', reason: 'test' });
      await callOk(kotor.c, 'session.request', ask('climate'));
    } finally {
      kotor.c.close();
    }
  });

  test('session.schedule, update and cancel: the sequence goes up with what a calendar shows; refusals', T, async () => {
    const when = slot(40);
    const fields = { group: 'economy', kind: 'extra', title: 'Ports and logistics', ...when,
      video_url: 'https://meet.jit.si/B40-economy-ports', agenda: ['Opening', 'Ports', 'Any other business'] };
    await callFails(athens.c, 'session.schedule', fields, 'forbidden');
    await callFails(sec.c, 'session.schedule', { ...fields, ...slot(-1) }, 'bad_request', { field: 'starts_at' });
    await callFails(sec.c, 'session.schedule', { ...fields, ends_at: when.starts_at }, 'bad_request', { field: 'ends_at' });
    await callFails(sec.c, 'session.schedule', { ...fields, starts_at: '2027-01-10T07:00:00Z' }, 'bad_request', { field: 'starts_at' });
    await callFails(sec.c, 'session.schedule', { ...fields, video_url: 'javascript:alert(1)' }, 'bad_request', { field: 'video_url' });
    await callFails(sec.c, 'session.schedule', { ...fields, agenda: [] }, 'bad_request', { field: 'agenda' });
    await callFails(sec.c, 'session.schedule', { ...fields, agenda: ['a\nb'] }, 'bad_request', { field: 'agenda' });
    await callFails(sec.c, 'session.schedule', { ...fields, agenda: [7] }, 'bad_request', { field: 'agenda' });
    await callFails(sec.c, 'session.schedule', { ...fields, kind: 'weekly' }, 'bad_request', { field: 'kind' });
    await callFails(sec.c, 'session.schedule', { ...fields, chair: 999999 }, 'not_found', { field: 'chair' });
    let s = assertSession((await callOk(sec.c, 'session.schedule', { ...fields, chair: athens.person.id })).session,
      { state: 'scheduled', sequence: 0, chair: { id: athens.person.id, name: 'Mayor of Athens' }, video_url: fields.video_url,
        agenda: fields.agenda, title: fields.title, ...when });
    // a second regular session in a quarter that has one
    const g = await getGroup(pub, 'economy');
    const regular = g.sessions.find((x) => x.kind === 'regular' && x.state === 'scheduled');
    await callFails(sec.c, 'session.schedule', { ...fields, kind: 'regular',
      starts_at: iso(Date.parse(regular.starts_at) + 3600000), ends_at: iso(Date.parse(regular.ends_at) + 3600000) },
    'quarter_taken', { field: 'starts_at' });
    // updates: a title: +1; the chair alone: +0; nothing: +0; a new time by the chair: +1
    s = (await callOk(sec.c, 'session.update', { session: s.id, title: 'Ports, rail and logistics' })).session;
    assert.equal(s.sequence, 1);
    s = (await callOk(sec.c, 'session.update', { session: s.id, chair: sofia.person.id })).session;
    assert.equal(s.sequence, 1);
    assert.equal(s.chair.name, 'Deputy mayor of Sofia');
    await callFails(athens.c, 'session.update', { session: s.id, title: 'x' }, 'forbidden'); // no longer the chair
    await callFails(sofia.c, 'session.update', { session: s.id, chair: athens.person.id }, 'forbidden');
    s = (await callOk(sofia.c, 'session.update', { session: s.id, title: 'Ports, rail and logistics' })).session;
    assert.equal(s.sequence, 1);
    const later = slot(41);
    s = (await callOk(sofia.c, 'session.update', { session: s.id, ...later })).session;
    assertSession(s, { sequence: 2, ...later });
    s = (await callOk(sec.c, 'session.update', { session: s.id, video_url: '' })).session;
    assert.equal(s.video_url, null);
    assert.equal(s.sequence, 3);
    await callFails(sec.c, 'session.update', { session: s.id, starts_at: iso(Date.now() - 3600000) }, 'bad_request', { field: 'starts_at' });
    await callFails(sec.c, 'session.update', { session: 999999, title: 'x' }, 'not_found', { field: 'session' });
    // the regular session cannot move into a quarter that has one
    const other = g.sessions.find((x) => x.kind === 'regular' && x.state === 'scheduled' && x.id !== regular.id);
    if (other) {
      await callFails(sec.c, 'session.update', { session: regular.id, starts_at: other.starts_at, ends_at: other.ends_at },
        'quarter_taken');
    }
    // cancel: +1, CANCELLED; again: no change; a closed session can neither change nor be cancelled
    await callFails(sofia.c, 'session.cancel', { session: s.id, reason: 'x' }, 'forbidden');
    await callFails(sec.c, 'session.cancel', { session: s.id, reason: '' }, 'bad_request', { field: 'reason' });
    s = (await callOk(sec.c, 'session.cancel', { session: s.id, reason: 'The port authority cannot attend' })).session;
    assertSession(s, { state: 'cancelled', sequence: 4, cancel_reason: 'The port authority cannot attend' });
    s = (await callOk(sec.c, 'session.cancel', { session: s.id, reason: 'again' })).session;
    assert.equal(s.sequence, 4);
    assert.equal(s.cancel_reason, 'The port authority cannot attend');
    await callFails(sec.c, 'session.update', { session: s.id, title: 'x' }, 'not_scheduled', { field: 'session' });
    const closed = g.sessions.find((x) => x.state === 'closed');
    await callFails(sec.c, 'session.cancel', { session: closed.id, reason: 'x' }, 'not_scheduled');
    await callFails(sec.c, 'session.update', { session: closed.id, title: 'x' }, 'not_scheduled');
    await callFails(sec.c, 'session.cancel', { session: 999999, reason: 'x' }, 'not_found');
    // session.get and session.list
    assert.deepEqual((await callOk(pub, 'session.get', { session: s.id })).session, s);
    const all = (await callOk(pub, 'session.list')).sessions;
    assert.ok(all.some((x) => x.id === s.id));
    const starts = all.map((x) => Date.parse(x.starts_at));
    assert.deepEqual(starts, [...starts].sort((x, y) => x - y));
    assert.ok((await callOk(pub, 'session.list', { group: 'economy' })).sessions.every((x) => x.group === 'economy'));
  });

  test('time poll: the chair offers slots, cities mark and change their marks, the chair picks; refusals', T, async () => {
    const at = slot(50);
    let s = (await callOk(sec.c, 'session.schedule', { group: 'climate', kind: 'extra', title: 'Heat plans', ...at,
      chair: athens.person.id, agenda: ['Heat plans'] })).session;
    const slots = [slot(51, 7), slot(51, 12), slot(52, 8, 1.5)];
    await callFails(sofia.c, 'timepoll.create', { session: s.id, slots }, 'forbidden');
    await callFails(athens.c, 'timepoll.create', { session: s.id, slots: [slots[0]] }, 'bad_request', { field: 'slots' });
    await callFails(athens.c, 'timepoll.create', { session: s.id, slots: [slots[0], slots[0]] }, 'bad_request', { field: 'slots' });
    await callFails(athens.c, 'timepoll.create', { session: s.id, slots: [slots[0], slot(-2)] }, 'bad_request', { field: 'slots' });
    await callFails(athens.c, 'timepoll.create', { session: s.id, slots: [slots[0], { starts_at: slots[1].starts_at }] },
      'bad_request', { field: 'slots' });
    await callFails(athens.c, 'timepoll.create', { session: 999999, slots }, 'not_found', { field: 'session' });
    let p = (await callOk(athens.c, 'timepoll.create', { session: s.id, slots })).time_poll;
    assert.equal(p.state, 'open');
    assert.equal(p.group, 'climate');
    assert.deepEqual(p.slots.map((x) => [x.position, x.starts_at, x.ends_at, x.marks]),
      slots.map((x, i) => [i + 1, x.starts_at, x.ends_at, 0]));
    await callFails(sec.c, 'timepoll.create', { session: s.id, slots }, 'conflict', { field: 'session' });
    assert.equal((await callOk(pub, 'session.get', { session: s.id })).session.time_poll, p.id);

    await callFails(pub, 'timepoll.mark', { poll: p.id, positions: [1] }, 'not_signed_in');
    await callFails(sec.c, 'timepoll.mark', { poll: p.id, positions: [1] }, 'forbidden');
    await callFails(athens.c, 'timepoll.mark', { poll: p.id, positions: [4] }, 'bad_request', { field: 'positions' });
    await callFails(athens.c, 'timepoll.mark', { poll: p.id, positions: [1, 1] }, 'bad_request', { field: 'positions' });
    await callFails(athens.c, 'timepoll.mark', { poll: p.id, positions: ['1'] }, 'bad_request', { field: 'positions' });
    await callFails(athens.c, 'timepoll.mark', { poll: 999999, positions: [1] }, 'not_found', { field: 'poll' });
    p = (await callOk(athens.c, 'timepoll.mark', { poll: p.id, positions: [1, 2] })).time_poll;
    p = (await callOk(sofia.c, 'timepoll.mark', { poll: p.id, positions: [3] })).time_poll;
    p = (await callOk(tirana.c, 'timepoll.mark', { poll: p.id, positions: [2] })).time_poll; // Tirana's delegate
    assert.deepEqual(p.slots.map((x) => x.marks), [1, 2, 1]);
    // Sofia changes its answer: replaced, not added
    p = (await callOk(sofia.c, 'timepoll.mark', { poll: p.id, positions: [2, 3] })).time_poll;
    assert.deepEqual(p.slots.map((x) => x.marks), [1, 3, 1]);
    assert.deepEqual(p.answers.map((x) => [x.city, x.positions]), [['athens', [1, 2]], ['sofia', [2, 3]], ['tirana', [2]]]);
    p = (await callOk(sofia.c, 'timepoll.mark', { poll: p.id, positions: [] })).time_poll;
    assert.deepEqual(p.slots.map((x) => x.marks), [1, 2, 0]);
    assert.deepEqual(p.answers.find((x) => x.city === 'sofia').positions, []);
    assert.deepEqual((await callOk(pub, 'timepoll.get', { poll: p.id })).time_poll, p);

    await callFails(sofia.c, 'timepoll.pick', { poll: p.id, position: 2 }, 'forbidden');
    await callFails(athens.c, 'timepoll.pick', { poll: p.id, position: 9 }, 'bad_request', { field: 'position' });
    const r = await callOk(athens.c, 'timepoll.pick', { poll: p.id, position: 2 });
    assert.equal(r.time_poll.state, 'closed');
    assert.equal(r.time_poll.picked, 2);
    assert.match(r.time_poll.closed_at, TIME_RE);
    assertSession(r.session, { id: s.id, ...slots[1], sequence: s.sequence + 1, time_poll: null });
    s = r.session;
    await callFails(sofia.c, 'timepoll.mark', { poll: p.id, positions: [1] }, 'poll_closed', { field: 'poll' });
    await callFails(sec.c, 'timepoll.pick', { poll: p.id, position: 1 }, 'poll_closed');
    // a poll on a session that is then cancelled closes without a pick
    const p2 = (await callOk(sec.c, 'timepoll.create', { session: s.id, slots: [slot(53), slot(54)] })).time_poll;
    await callOk(sec.c, 'session.cancel', { session: s.id, reason: 'Merged with the December session' });
    const p2after = (await callOk(pub, 'timepoll.get', { poll: p2.id })).time_poll;
    assert.equal(p2after.state, 'closed');
    assert.equal(p2after.picked, null);
    await callFails(athens.c, 'timepoll.mark', { poll: p2.id, positions: [1] }, 'poll_closed');
    await callFails(sec.c, 'timepoll.create', { session: s.id, slots: [slot(53), slot(54)] }, 'not_scheduled');
    // the demo's open poll: smart-cities' next-quarter session, marked by Athens and Zagreb
    const smart = await getGroup(pub, 'smart-cities');
    const open1 = smart.sessions.find((x) => x.time_poll !== null);
    assert.ok(open1, 'the demo has no open time poll');
    const dp = (await callOk(pub, 'timepoll.get', { poll: open1.time_poll })).time_poll;
    assert.deepEqual(dp.answers.map((x) => x.city), ['athens', 'zagreb']);
  });

  test('follow-up: a member city reports its status; the table shows each city\'s latest; the history keeps all', T, async () => {
    const rec = (await callOk(pub, 'recommendation.list', { group: 'climate' })).recommendations[0];
    const f = { recommendation: rec.id, status: 'implemented', note: 'All four cooling centres open.\nBudget approved.', on_date: '2026-11-20' };
    await callFails(pub, 'followup.report', f, 'not_signed_in');
    await callFails(sec.c, 'followup.report', f, 'forbidden');
    await callFails(athens.c, 'followup.report', { ...f, status: 'done' }, 'bad_request', { field: 'status' });
    await callFails(athens.c, 'followup.report', { ...f, on_date: '2026-02-30' }, 'bad_request', { field: 'on_date' });
    await callFails(athens.c, 'followup.report', { ...f, note: 'bad\r\nnote' }, 'bad_request', { field: 'note' });
    await callFails(athens.c, 'followup.report', { ...f, recommendation: 999999 }, 'not_found', { field: 'recommendation' });
    const belgrade = await cityPerson(srv, 'belgrade', 'mayor');
    try {
      await callFails(belgrade.c, 'followup.report', f, 'not_in_group'); // Belgrade is not in climate
    } finally {
      belgrade.c.close();
    }
    let r = (await callOk(athens.c, 'followup.report', f)).recommendation;
    assert.deepEqual(r.followup.find((x) => x.city === 'athens'),
      { city: 'athens', status: 'implemented', note: f.note, on_date: '2026-11-20', reported_at: r.followup.find((x) => x.city === 'athens').reported_at,
        person: athens.person.id });
    r = (await callOk(sofia.c, 'followup.report', { ...f, status: 'not_planned', note: '' })).recommendation;
    r = (await callOk(tirana.c, 'followup.report', { ...f, status: 'in_progress', note: 'Tender out' })).recommendation;
    assert.deepEqual(r.followup.map((x) => [x.city, x.status]), [['athens', 'implemented'], ['sofia', 'not_planned'], ['tirana', 'in_progress']]);
    const h = (await callOk(pub, 'followup.history', { recommendation: rec.id })).reports;
    assert.deepEqual(h.map((x) => [x.city, x.status]), [['athens', 'in_progress'], ['tirana', 'planned'], ['athens', 'implemented'],
      ['sofia', 'not_planned'], ['tirana', 'in_progress']]);
    await callFails(pub, 'followup.history', { recommendation: 999999 }, 'not_found');
    const g = await getGroup(pub, 'climate');
    assert.deepEqual(g.recommendations[0].followup, r.followup);
    // at most 10 reports a day per city and recommendation (each is kept for good): Sofia has made
    // one, so nine more go through and the eleventh is refused; another city is not held back
    for (let i = 0; i < 9; i++) await callOk(sofia.c, 'followup.report', { ...f, status: 'planned', note: `step ${i}` });
    const limited = await callFails(sofia.c, 'followup.report', { ...f, status: 'planned', note: 'one too many' }, 'rate_limited');
    assert.match(limited.message, /10 times/);
    await callOk(tirana.c, 'followup.report', { ...f, status: 'implemented', note: 'Done' });
  });

  test('the .ics feeds, parsed by python3-icalendar: every session once, stable UIDs, SEQUENCE up on a reschedule, CANCELLED kept', T, async () => {
    const g = await getGroup(pub, 'smart-cities');
    const feed1 = await fetchIcs(srv, '/groups/smart-cities/calendar.ics');
    assert.match(feed1.headers['cache-control'] || '', /no-cache/);
    assert.equal(feed1.headers['x-content-type-options'], 'nosniff');
    assert.match(feed1.headers['content-security-policy'] || '', /default-src 'none'/);
    assert.ok(feed1.headers['strict-transport-security']);
    assert.deepEqual(feed1.parsed.calendar, {
      VERSION: '2.0', PRODID: '-//B40 Balkan Cities Network//b40 0.1.0//EN', CALSCALE: 'GREGORIAN', METHOD: 'PUBLISH',
      'X-WR-CALNAME': 'B40 Smart cities and digital transformation',
    });
    assert.equal(feed1.parsed.events.length, g.sessions.length);
    for (const s of g.sessions) {
      const e = feed1.parsed.events.find((x) => x.uid === `session-${s.id}@b40-balkan-cities`);
      assert.ok(e, `session ${s.id} is not in the feed`);
      assert.equal(e.sequence, s.sequence);
      assert.equal(e.dtstart, icsTime(s.starts_at));
      assert.equal(e.dtend, icsTime(s.ends_at));
      assert.equal(e.summary, `Smart cities and digital transformation: ${s.title}`);
      assert.equal(e.status, s.state === 'cancelled' ? 'CANCELLED' : 'CONFIRMED');
      assert.ok(e.description.includes(`1. ${s.agenda[0]}`), `description ${JSON.stringify(e.description)}`);
      if (s.video_url) assert.equal(e.url, s.video_url);
    }
    // numeric id: the same feed; unknown group: 404
    const byId = await httpGet(srv, `/groups/${g.id}/calendar.ics`);
    assert.equal(byId.status, 200);
    assert.equal(byId.body, feed1.text);
    for (const path of ['/groups/nope/calendar.ics', '/groups/999999/calendar.ics', '/groups/smart-cities/calendar',
      '/groups/', '/groups/smart-cities/calendar.ics/x']) {
      assert.equal((await httpGet(srv, path)).status, 404, path);
    }

    // a reschedule with hostile text: same UID, SEQUENCE up, text round-trips through the parser
    const s = g.next_session;
    let title = ''; // hostile to a calendar writer: ; , \ quotes, 2- and 4-byte UTF-8; at most 120 bytes, whole characters
    for (const ch of 'Open data; APIs, \\ and "ß→ÿ" Ελληνικά 🚲 '.repeat(3)) {
      if (Buffer.byteLength(title + ch) > 120) break;
      title += ch;
    }
    title = title.trim();
    const moved = slot(60);
    const s2 = (await callOk(sec.c, 'session.update', { session: s.id, title, ...(s.kind === 'extra' ? moved : {}),
      agenda: ['Αθήνα; Sofia, Zagreb\\Split', 'Line two'] })).session;
    assert.equal(s2.sequence, s.sequence + 1);
    const feed2 = await fetchIcs(srv, '/groups/smart-cities/calendar.ics');
    const e2 = feed2.parsed.events.find((x) => x.uid === `session-${s.id}@b40-balkan-cities`);
    assert.equal(e2.sequence, s2.sequence);
    assert.equal(e2.summary, `Smart cities and digital transformation: ${title}`);
    assert.ok(e2.description.startsWith('Agenda:\n1. Αθήνα; Sofia, Zagreb\\Split\n2. Line two'), JSON.stringify(e2.description));
    assert.deepEqual(feed2.parsed.events.map((x) => x.uid).sort(), feed1.parsed.events.map((x) => x.uid).sort(), 'UIDs changed');
    // a time poll's pick moves it again
    const poll = (await callOk(sec.c, 'timepoll.create', { session: s.id, slots: [
      { starts_at: iso(Date.parse(s2.starts_at) + 3600000), ends_at: iso(Date.parse(s2.ends_at) + 3600000) },
      { starts_at: iso(Date.parse(s2.starts_at) + 7200000), ends_at: iso(Date.parse(s2.ends_at) + 7200000) }] })).time_poll;
    const picked = (await callOk(sec.c, 'timepoll.pick', { poll: poll.id, position: 2 })).session;
    const e3 = (await fetchIcs(srv, '/groups/smart-cities/calendar.ics')).parsed.events.find((x) => x.uid === e2.uid);
    assert.equal(e3.sequence, s2.sequence + 1);
    assert.equal(e3.dtstart, icsTime(picked.starts_at));
    // a cancellation: still there, CANCELLED, SEQUENCE up
    await callOk(sec.c, 'session.cancel', { session: s.id, reason: 'Moved to the network meeting' });
    const e4 = (await fetchIcs(srv, '/groups/smart-cities/calendar.ics')).parsed.events.find((x) => x.uid === e2.uid);
    assert.equal(e4.status, 'CANCELLED');
    assert.equal(e4.sequence, e3.sequence + 1);
    assert.ok(e4.description.startsWith('Cancelled: Moved to the network meeting'));

    // a feed larger than one write (the server sends its body in parts): 50 long agenda items
    const agenda = Array.from({ length: 50 }, (_, i) => `${i + 1}: Θαλάσσιος τουρισμός, ports; culture — item ${'x'.repeat(120)}`);
    const big = (await callOk(sec.c, 'session.schedule', { group: 'tourism', kind: 'extra', title: 'Long agenda', ...slot(70),
      agenda })).session;
    const tour = await fetchIcs(srv, '/groups/tourism/calendar.ics');
    assert.ok(Buffer.byteLength(tour.text) > 8192, `the feed is only ${Buffer.byteLength(tour.text)} bytes`);
    const eb = tour.parsed.events.find((x) => x.uid === `session-${big.id}@b40-balkan-cities`);
    assert.equal(eb.description, `Agenda:\n${agenda.map((a, i) => `${i + 1}. ${a}`).join('\n')}`);

    // the network's feed: every session of every group, each UID once
    const all = await fetchIcs(srv, '/calendar.ics');
    assert.equal(all.parsed.calendar['X-WR-CALNAME'], 'B40 working groups');
    const sessions = (await callOk(pub, 'session.list')).sessions;
    assert.equal(all.parsed.events.length, sessions.length);
    assert.deepEqual(all.parsed.events.map((x) => x.uid).sort(), sessions.map((x) => `session-${x.id}@b40-balkan-cities`).sort());
    assert.ok(all.parsed.events.some((x) => x.status === 'CANCELLED'));
    assert.ok(all.parsed.events.some((x) => x.summary.startsWith('Local climate action: ')));
    // the parser reads what we wrote; a broken feed would not parse
    assert.throws(() => parseIcs('BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n'), 'python3-icalendar accepted a truncated feed');
  });
});

describe('working groups on a network without a presidency term', () => {
  let srv;
  let sec;
  before(async () => {
    srv = await startServer();
    sec = await enrollSecretary(srv);
  });
  after(async () => {
    sec?.c.close();
    await finish(srv);
  });

  test('no term: session.plan and group.propose -> no_term; the founding groups exist, overdue since their founding', T, async () => {
    await callFails(sec.c, 'session.plan', {}, 'no_term');
    const fields = { code: 'water', name: 'Water', description: 'Water', kind: 'permanent', proposed: iso(Date.now()) };
    const st = proposalText({ ...fields, presidency: 'zagreb' });
    await callFails(sec.c, 'group.propose', { ...fields, statement: st, signature: signHex(sec.key, st) }, 'no_term');
    const r = await callOk(sec.c, 'group.list');
    assert.equal(r.term, null);
    assert.equal(r.groups.length, 4);
    // without a term, "since" is the founding: a complete quarter has passed with no session held
    for (const g of r.groups) {
      assert.equal(g.overdue, true, g.code);
      assert.equal(g.overdue_quarter, previousQuarter(Date.now()));
      assert.equal(g.next_session, null);
      assert.equal(g.member_count, 0);
    }
    const feed = await fetchIcs(srv, '/calendar.ics');
    assert.deepEqual(feed.parsed.events, []);
    assert.equal((await call(sec.c, 'group.join', { group: 'climate', city: 'athens' })).error.code, 'not_found');
  });
});
