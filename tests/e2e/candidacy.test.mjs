// Candidacies and the live election.changed event over the real server
// (docs/protocol.md "Summits and the presidency election",
// docs/election-rules.md "Who can be elected"): two watching clients, that
// are not the ones acting, get one election.changed event for every change
// of the election (candidacies opened, a candidacy declared or withdrawn, the
// list frozen with a candidate dropped, each round opened and closed, the
// decision), in order, with nothing for a step that changes nothing and
// nothing for the watcher of another election; and election.withdraw: who may
// withdraw which city's candidacy, idempotence, declaring again, the marked
// candidacy list of election.get, the poll listing only standing candidates,
// and the refusal once the list is frozen.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TIME_RE } from './wsutil.mjs';
import { callOk, callFails, fails, open, startDemo, finish } from './idutil.mjs';
import {
  secretariat, demoPerson, cityPerson, createSummit, checkInAll, getElection, roundOf, checkPoll, castBallot, checkReceipt,
} from './elutil.mjs';

const T = { timeout: 180000 };
const MS = 20000; // a generous wait for one message (ASan)

/** 30 of the demo member cities, every city these tests use among them. */
const PRESENT = ['athens', 'belgrade', 'sofia', 'kotor', 'tirana', 'zagreb', 'istanbul', 'edirne', 'tekirdag', 'kirklareli',
  'thessaloniki', 'patras', 'trikala', 'mytilene', 'kardzhali', 'durres', 'sarajevo', 'laktasi', 'split', 'podgorica',
  'skopje', 'burgas', 'plovdiv', 'veliko-tarnovo', 'dimitrovgrad', 'troyan', 'karlovo', 'karnobat', 'rakovski', 'canakkale']
  .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));

const SUMMIT = { year: 2027, host: 'zagreb', starts_on: '2027-01-25', ends_on: '2027-01-27', place: 'Zagreb' };

/**
 * A connection that only watches: every message it gets must be an event,
 * its seq one more than the last (the welcome was 1).
 */
class Watcher {
  constructor(c, name) {
    this.c = c;
    this.name = name;
    this.seq = 1;
  }

  /** The next event, which must be `event`; returns its body (without event and seq). */
  async next(event) {
    const m = await this.c.next(MS);
    assert.equal(m.event, event, `${this.name}: expected ${event}, got ${JSON.stringify(m).slice(0, 400)}`);
    assert.equal(m.seq, this.seq + 1, `${this.name}: event seq ${m.seq} after ${this.seq}`);
    this.seq = m.seq;
    const { event: _e, seq: _s, ...body } = m;
    return body;
  }

  /**
   * Asserts that nothing was sent since: the server answers a ping after
   * whatever it queued for this connection before (events of a step are
   * queued before the step's reply goes out), so the ping's reply must come
   * first.
   */
  async quiet(what) {
    const r = await this.c.ping();
    assert.equal(r.ok, true, `${this.name}: an event after ${what}: ${JSON.stringify(r).slice(0, 400)}`);
    assert.equal(this.c.queue.length, 0, `${this.name}: after ${what}: ${JSON.stringify(this.c.queue).slice(0, 400)}`);
  }
}

describe('election.changed: every watcher gets one event per change of the election', () => {
  let srv;
  let w;
  const v = {};
  let E;
  let other; // another election of the same summit
  let watchers; // two watchers of E
  let elsewhere; // a watcher of `other`

  before(async () => {
    srv = await startDemo();
    w = await secretariat(srv);
    v.athens = await demoPerson(srv, 'athens', 'mayor');
    v.sofia = await demoPerson(srv, 'sofia', 'deputy');
    v.belgrade = await cityPerson(srv, 'belgrade', 'mayor');
    v.kotor = await cityPerson(srv, 'kotor', 'mayor');
  });
  after(async () => {
    for (const p of [...Object.values(v), w?.sec]) p?.c.close();
    for (const x of [...(watchers || []), elsewhere]) x?.c.close();
    await finish(srv);
  });

  /** Both watchers get `event` next, with the same body; returns it. */
  async function both(event) {
    const [a, b] = await Promise.all(watchers.map((x) => x.next(event)));
    assert.deepEqual(b, a, 'the two watchers got different events');
    return a;
  }

  /** Both watchers get election.changed next, with exactly these members. */
  async function changed(expect) {
    const body = await both('election.changed');
    assert.deepEqual(body, { election: E.id, round_candidates: [], winner: null, ...expect });
    return body;
  }

  async function allQuiet(what) {
    for (const x of watchers) await x.quiet(what);
  }

  test('setup: a 2027 summit with 30 cities present, two elections; two public watchers of one, one of the other', T, async () => {
    const s = await createSummit(w.sec, SUMMIT);
    assert.deepEqual(await checkInAll(w.sec, s.id, PRESENT), PRESENT);
    E = (await callOk(w.sec.c, 'election.create', { summit: s.id, title: 'Presidency 2027' })).election;
    other = (await callOk(w.sec.c, 'election.create', { summit: s.id, title: 'Another election' })).election;
    watchers = [new Watcher(await open(srv), 'watcher 1'), new Watcher(await open(srv), 'watcher 2')];
    for (const x of watchers) await callOk(x.c, 'election.watch', { election: E.id });
    elsewhere = new Watcher(await open(srv), 'the other election\'s watcher');
    await callOk(elsewhere.c, 'election.watch', { election: other.id });
  });

  test('draft -> candidacy: one event; advancing to candidacy again: none', T, async () => {
    await callOk(w.sec.c, 'election.advance', { election: E.id, to: 'candidacy' });
    await changed({ change: 'candidacy', state: 'candidacy', round: 0, candidates: [] });
    await callOk(w.sec.c, 'election.advance', { election: E.id, to: 'candidacy' });
    await allQuiet('an idempotent advance');
  });

  test('declarations: one event each, with the standing candidates; declaring twice: none; a refused one: none', T, async () => {
    await callOk(v.athens.c, 'election.declare', { election: E.id });
    await changed({ change: 'declared', city: 'athens', state: 'candidacy', round: 0, candidates: ['athens'] });
    await callOk(v.athens.c, 'election.declare', { election: E.id });
    await allQuiet('declaring twice');
    await callOk(v.sofia.c, 'election.declare', { election: E.id });
    await changed({ change: 'declared', city: 'sofia', state: 'candidacy', round: 0, candidates: ['athens', 'sofia'] });
    await callOk(v.kotor.c, 'election.declare', { election: E.id });
    await changed({ change: 'declared', city: 'kotor', state: 'candidacy', round: 0, candidates: ['athens', 'kotor', 'sofia'] });
    await callOk(v.belgrade.c, 'election.declare', { election: E.id });
    await changed({ change: 'declared', city: 'belgrade', state: 'candidacy', round: 0,
      candidates: ['athens', 'belgrade', 'kotor', 'sofia'] });
    const zagreb = await demoPerson(srv, 'zagreb', 'mayor');
    try {
      await callFails(zagreb.c, 'election.declare', { election: E.id }, 'not_eligible');
    } finally {
      zagreb.c.close();
    }
    await allQuiet('a refused declaration');
  });

  test('withdrawals by the city and by the secretariat: one event each; withdrawing twice: none; declaring again: one', T, async () => {
    await callOk(v.belgrade.c, 'election.withdraw', { election: E.id });
    await changed({ change: 'withdrawn', city: 'belgrade', by: 'city', state: 'candidacy', round: 0,
      candidates: ['athens', 'kotor', 'sofia'] });
    await callOk(v.belgrade.c, 'election.withdraw', { election: E.id });
    await allQuiet('withdrawing twice');
    await callOk(w.sec.c, 'election.withdraw', { election: E.id, city: 'sofia' });
    await changed({ change: 'withdrawn', city: 'sofia', by: 'secretariat', state: 'candidacy', round: 0, candidates: ['athens', 'kotor'] });
    await callOk(v.sofia.c, 'election.declare', { election: E.id });
    await changed({ change: 'declared', city: 'sofia', state: 'candidacy', round: 0, candidates: ['athens', 'kotor', 'sofia'] });
  });

  test('the list freezes with kotor suspended: election.opened, then election.changed naming the dropped candidate', T, async () => {
    await callOk(w.sec.c, 'city.set_status', { city: 'kotor', status: 'suspended', reason: 'test: suspended during the candidacy' });
    await allQuiet('a status change');
    E = (await callOk(w.sec.c, 'election.advance', { election: E.id, to: 'open' })).election;
    const opened = await both('election.opened');
    assert.equal(opened.poll, roundOf(E, 1).poll);
    await changed({ change: 'opened', state: 'open', round: 1, candidates: ['athens', 'sofia'],
      round_candidates: ['athens', 'sofia'], dropped: ['kotor'] });
    await callOk(w.sec.c, 'election.advance', { election: E.id, to: 'open' });
    await allQuiet('opening an open round again');
  });

  test('round 1: two ballots (turnout events), a 1 to 1 tie; the close: election.closed, then election.changed (closed)', T, async () => {
    const rnd = roundOf(E, 1);
    for (const [voter, choice, n] of [[v.athens, 'athens', 1], [v.sofia, 'sofia', 2]]) {
      const { r, ballot, signature } = await castBallot(voter, { election: E.id, round: 1, poll: rnd.fingerprint, choice });
      checkReceipt(r, { serverKey: w.serverKey, election: E.id, round: 1, ballot, signature });
      assert.equal((await both('election.turnout')).voted, n);
    }
    E = (await callOk(w.sec.c, 'election.advance', { election: E.id, to: 'closed' })).election;
    const closed = await both('election.closed');
    assert.equal(closed.result.outcome, 'runoff');
    assert.deepEqual([...closed.result.next].sort(), ['athens', 'sofia']);
    await changed({ change: 'closed', state: 'closed', round: 1, candidates: ['athens', 'sofia'], round_candidates: ['athens', 'sofia'] });
  });

  test('round 2 (runoff) opens and closes: Athens is elected; the last event says decided, with the winner', T, async () => {
    E = (await callOk(w.sec.c, 'election.advance', { election: E.id, to: 'open' })).election;
    await both('election.opened');
    await changed({ change: 'opened', state: 'open', round: 2, candidates: ['athens', 'sofia'], round_candidates: ['athens', 'sofia'] });
    const rnd = roundOf(E, 2);
    for (const [voter, n] of [[v.athens, 1], [v.belgrade, 2]]) {
      const { r } = await castBallot(voter, { election: E.id, round: 2, poll: rnd.fingerprint, choice: 'athens' });
      assert.equal(r.ok, true, JSON.stringify(r));
      assert.equal((await both('election.turnout')).voted, n);
    }
    E = (await callOk(w.sec.c, 'election.advance', { election: E.id, to: 'closed' })).election;
    assert.equal(E.state, 'decided');
    await both('election.closed');
    await changed({ change: 'closed', state: 'decided', round: 2, candidates: ['athens', 'sofia'],
      round_candidates: ['athens', 'sofia'], winner: 'athens' });
    await callOk(w.sec.c, 'election.advance', { election: E.id, to: 'closed' });
    await allQuiet('closing a decided election again');
  });

  test('the watcher of the other election got nothing; a watcher that moves to it gets its events only', T, async () => {
    await elsewhere.quiet('every change of the first election');
    // One connection watches one election: watching another moves it.
    const mover = watchers[1];
    await callOk(mover.c, 'election.watch', { election: other.id });
    await callOk(w.sec.c, 'election.advance', { election: other.id, to: 'candidacy' });
    for (const x of [mover, elsewhere]) {
      assert.deepEqual(await x.next('election.changed'), {
        election: other.id, change: 'candidacy', state: 'candidacy', round: 0, candidates: [], round_candidates: [], winner: null,
      });
    }
    await watchers[0].quiet('a change of the other election');
  });
});

describe('election.withdraw: who, when, idempotence, declaring again, the marked list, the poll', () => {
  let srv;
  let w;
  const v = {};
  let official;
  let E;

  before(async () => {
    srv = await startDemo();
    w = await secretariat(srv);
    v.athens = await demoPerson(srv, 'athens', 'mayor');
    v.sofia = await demoPerson(srv, 'sofia', 'deputy');
    v.zagreb = await demoPerson(srv, 'zagreb', 'mayor');
    v.belgrade = await cityPerson(srv, 'belgrade', 'mayor');
    official = await demoPerson(srv, 'tirana', 'official');
  });
  after(async () => {
    for (const p of [...Object.values(v), official, w?.sec]) p?.c.close();
    await finish(srv);
  });

  const candidacy = (e, city) => {
    const c = e.candidacies.find((x) => x.city === city);
    assert.ok(c, `no candidacy of ${city} in ${JSON.stringify(e.candidacies)}`);
    return c;
  };

  async function withdrawals() {
    const h = (await callOk(w.sec.c, 'history.list', { limit: 200 })).entries;
    return h.filter((x) => x.action === 'election.withdraw' && x.subject === `election:${E.id}`);
  }

  test('setup: athens, sofia and belgrade stand; the candidacy list shows each, standing', T, async () => {
    const s = await createSummit(w.sec, SUMMIT);
    await checkInAll(w.sec, s.id, PRESENT);
    E = (await callOk(w.sec.c, 'election.create', { summit: s.id, title: 'Presidency 2027' })).election;
    assert.deepEqual(E.candidacies, []);
    // Before candidacies open there is nothing to withdraw.
    await callFails(v.athens.c, 'election.withdraw', { election: E.id }, 'conflict', { field: 'election' });
    await callOk(w.sec.c, 'election.advance', { election: E.id, to: 'candidacy' });
    for (const city of ['athens', 'sofia', 'belgrade']) await callOk(v[city].c, 'election.declare', { election: E.id });
    const e = await getElection(w.sec.c, E.id);
    assert.deepEqual(e.candidates, ['athens', 'belgrade', 'sofia']);
    assert.deepEqual(e.candidacies.map((c) => c.city), ['athens', 'belgrade', 'sofia']);
    for (const c of e.candidacies) {
      assert.deepEqual(Object.keys(c).sort(), ['city', 'declared', 'status', 'withdrawn', 'withdrawn_by']);
      assert.match(c.declared, TIME_RE);
      assert.deepEqual([c.status, c.withdrawn, c.withdrawn_by], ['standing', null, null]);
    }
  });

  test('refused: the wrong city, an official, the public, a city that never declared, a bad or missing city; nothing changes', T, async () => {
    await callFails(v.belgrade.c, 'election.withdraw', { election: E.id, city: 'athens' }, 'forbidden', { field: 'city' });
    await callFails(v.zagreb.c, 'election.withdraw', { election: E.id, city: 'sofia' }, 'forbidden', { field: 'city' });
    await callFails(official.c, 'election.withdraw', { election: E.id }, 'forbidden');
    await callFails(official.c, 'election.withdraw', { election: E.id, city: 'tirana' }, 'forbidden');
    const c = await open(srv);
    try {
      await callFails(c, 'election.withdraw', { election: E.id, city: 'athens' }, 'not_signed_in');
    } finally {
      c.close();
    }
    await callFails(v.zagreb.c, 'election.withdraw', { election: E.id }, 'not_candidate', { field: 'city' });
    await callFails(w.sec.c, 'election.withdraw', { election: E.id, city: 'tirana' }, 'not_candidate', { field: 'city' });
    await callFails(w.sec.c, 'election.withdraw', { election: E.id }, 'bad_request', { field: 'city' });
    await callFails(w.sec.c, 'election.withdraw', { election: E.id, city: 'atlantis' }, 'not_found', { field: 'city' });
    await callFails(w.sec.c, 'election.withdraw', { election: E.id, city: 'Athens' }, 'bad_request', { field: 'city' });
    await callFails(w.sec.c, 'election.withdraw', { election: E.id + 100, city: 'athens' }, 'not_found', { field: 'election' });
    await callFails(v.athens.c, 'election.withdraw', { election: E.id, reason: 'no' }, 'bad_request', { field: 'reason' });
    await callFails(v.athens.c, 'election.withdraw', { election: String(E.id) }, 'bad_request', { field: 'election' });
    const e = await getElection(w.sec.c, E.id);
    assert.deepEqual(e.candidates, ['athens', 'belgrade', 'sofia']);
    assert.ok(e.candidacies.every((x) => x.status === 'standing'));
    assert.deepEqual(await withdrawals(), []);
  });

  test('the Athens mayor withdraws Athens: marked withdrawn by the city, off the standing list, in the history; twice: the same', T, async () => {
    const r = await callOk(v.athens.c, 'election.withdraw', { election: E.id });
    assert.deepEqual(r.election.candidates, ['belgrade', 'sofia']);
    const c = candidacy(r.election, 'athens');
    assert.equal(c.status, 'withdrawn');
    assert.equal(c.withdrawn_by, 'city');
    assert.match(c.withdrawn, TIME_RE);
    assert.ok(c.withdrawn >= c.declared, 'withdrawn before it was declared');
    const again = await callOk(v.athens.c, 'election.withdraw', { election: E.id, city: 'athens' });
    assert.deepEqual(again.election, r.election, 'withdrawing twice changed something');
    const h = await withdrawals();
    assert.equal(h.length, 1, `one history entry: ${JSON.stringify(h)}`);
    assert.deepEqual(h[0].details, { city: 'athens', by: 'city' });
    assert.equal(h[0].actor, v.athens.person.id);
    // The public sees the same list.
    const pub = await open(srv);
    try {
      assert.deepEqual((await callOk(pub, 'election.get', { election: E.id })).election.candidacies, r.election.candidacies);
    } finally {
      pub.close();
    }
  });

  test('the secretariat withdraws Belgrade: marked withdrawn by the secretariat', T, async () => {
    const r = await callOk(w.sec.c, 'election.withdraw', { election: E.id, city: 'belgrade' });
    assert.deepEqual(r.election.candidates, ['sofia']);
    assert.deepEqual([candidacy(r.election, 'belgrade').status, candidacy(r.election, 'belgrade').withdrawn_by], ['withdrawn', 'secretariat']);
    const h = await withdrawals();
    assert.equal(h.length, 2);
    assert.deepEqual(h[0].details, { city: 'belgrade', by: 'secretariat' }, 'newest first');
    assert.equal(h[0].actor, w.sec.person.id);
  });

  test('Athens declares again while candidacies are open: it stands again, with the new declaration\'s time', T, async () => {
    const before = candidacy(await getElection(w.sec.c, E.id), 'athens');
    const r = await callOk(v.athens.c, 'election.declare', { election: E.id });
    assert.deepEqual(r.election.candidates, ['athens', 'sofia']);
    const c = candidacy(r.election, 'athens');
    assert.deepEqual([c.status, c.withdrawn, c.withdrawn_by], ['standing', null, null]);
    assert.ok(c.declared >= before.withdrawn, `declared ${c.declared}, withdrawn ${before.withdrawn}`);
    const h = (await callOk(w.sec.c, 'history.list', { limit: 200 })).entries
      .filter((x) => x.action === 'election.declare' && x.subject === `election:${E.id}`);
    assert.deepEqual(h.map((x) => x.details.city), ['athens', 'belgrade', 'sofia', 'athens'], 'each declaration on the record');
  });

  test('the list freezes: the poll names only the standing candidates; a ballot for the withdrawn one -> not_candidate', T, async () => {
    E = (await callOk(w.sec.c, 'election.advance', { election: E.id, to: 'open' })).election;
    const rnd = await checkPoll(w, E, 1, { kind: 'first', candidates: ['athens', 'sofia'], present: PRESENT });
    assert.deepEqual(E.candidates, ['athens', 'sofia']);
    assert.equal(candidacy(E, 'belgrade').status, 'withdrawn', 'a withdrawn candidacy is not "dropped" by the freeze');
    const { r } = await castBallot(v.belgrade, { election: E.id, round: 1, poll: rnd.fingerprint, choice: 'belgrade' });
    fails(r, 'not_candidate', 'a ballot for the withdrawn candidate');
  });

  test('once frozen, no withdrawal: by the city or by the secretariat -> conflict; nothing changes', T, async () => {
    await callFails(v.athens.c, 'election.withdraw', { election: E.id }, 'conflict', { field: 'election', message: /frozen/ });
    await callFails(v.sofia.c, 'election.withdraw', { election: E.id, city: 'sofia' }, 'conflict', { field: 'election' });
    await callFails(w.sec.c, 'election.withdraw', { election: E.id, city: 'sofia' }, 'conflict', { field: 'election' });
    // Even a candidacy withdrawn before: the list is closed to every change.
    await callFails(w.sec.c, 'election.withdraw', { election: E.id, city: 'belgrade' }, 'conflict', { field: 'election' });
    await callFails(v.belgrade.c, 'election.declare', { election: E.id }, 'conflict', { field: 'election' });
    const e = await getElection(w.sec.c, E.id);
    assert.deepEqual(e.candidates, ['athens', 'sofia']);
    assert.deepEqual(roundOf(e, 1).candidates, ['athens', 'sofia']);
    assert.deepEqual(e.candidacies.map((c) => [c.city, c.status]), [['athens', 'standing'], ['belgrade', 'withdrawn'], ['sofia', 'standing']]);
    assert.equal((await withdrawals()).length, 2);
  });
});
