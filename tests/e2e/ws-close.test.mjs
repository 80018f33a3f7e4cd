// A receipt and a connection that lws is closing (server/ws.c, reply_now):
// a mayor's raw client sends a ballot and, in the same write, a frame the
// protocol forbids (a continuation with no message to continue), and then
// answers nothing, not even the close frame. lws closes with 1002 and waits
// for the client's close frame; the ballot is recorded all the same (its
// check was under way), but its receipt must not follow the close frame: a
// close frame is the last frame of a connection (RFC 6455, 5.5.1). Signed in
// again, the mayor gets that receipt back with already_voted.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { rawClient, maskedFrame, sleep } from './wsutil.mjs';
import { callOk, call, fails, startDemo, finish, signHex, signIn, nextAddress } from './idutil.mjs';
import {
  secretariat, demoPerson, createSummit, checkInAll, memberInfo, roundOf, ballotText, sqlite, checkReceipt,
} from './elutil.mjs';

const T = { timeout: 120000 };

describe('a receipt is never written after the close frame', () => {
  let srv;
  let w;
  const voters = {};

  before(async () => {
    srv = await startDemo();
    w = await secretariat(srv);
    for (const [city, role] of [['athens', 'mayor'], ['sofia', 'deputy'], ['zagreb', 'mayor']]) voters[city] = await demoPerson(srv, city, role);
  });
  after(async () => {
    for (const v of Object.values(voters)) v.c?.close();
    w?.sec.c.close();
    await finish(srv);
  });

  test('a ballot, then a bad frame, no close reply: the ballot is recorded, no frame after the close, the receipt comes with already_voted', T, async () => {
    const s = await createSummit(w.sec, { year: 2027, host: 'zagreb', starts_on: '2027-01-25', ends_on: '2027-01-27', place: 'Zagreb' });
    await checkInAll(w.sec, s.id, (await memberInfo(w.sec.c)).member);
    let e = (await callOk(w.sec.c, 'election.create', { summit: s.id, title: 'Presidency 2027' })).election;
    await callOk(w.sec.c, 'election.advance', { election: e.id, to: 'candidacy' });
    await callOk(voters.athens.c, 'election.declare', { election: e.id });
    await callOk(voters.sofia.c, 'election.declare', { election: e.id });
    e = (await callOk(w.sec.c, 'election.advance', { election: e.id, to: 'open' })).election;

    const zagreb = voters.zagreb;
    const raw = await rawClient(srv, { address: nextAddress() });
    assert.equal((await raw.next()).event, 'system.welcome');
    await signIn(srv, zagreb.key, raw);
    const ballot = ballotText({ election: e.id, round: 1, poll: roundOf(e, 1).fingerprint, city: 'zagreb', choice: 'athens' });
    const signature = signHex(zagreb.key, ballot);
    const before = raw.frames.length;
    raw.sock.write(Buffer.concat([
      maskedFrame(0x1, JSON.stringify({ id: 'cast-then-bad-frame', type: 'election.cast', ballot, signature })),
      maskedFrame(0x0), // a continuation frame with no message begun: lws closes with 1002
    ]));

    // the ballot is committed (its signature was being checked when the bad frame came) ...
    let rows = [];
    for (let i = 0; i < 100 && rows.length === 0; i += 1) {
      await sleep(50);
      rows = sqlite(srv.db, `SELECT b.seq FROM ballots b JOIN cities c ON c.id = b.city_id WHERE b.election_id = ${e.id} AND c.code = 'zagreb'`);
    }
    assert.equal(rows.length, 1, 'the ballot was not recorded within 5 s');
    await sleep(500); // ... and the service loop has had every chance to write its receipt
    const after = raw.frames.slice(before);
    const close = after.findIndex((f) => f.opcode === 0x8);
    assert.ok(close >= 0, `no close frame from the server: opcodes ${after.map((f) => f.opcode)}`);
    assert.equal(after[close].payload.readUInt16BE(0), 1002, 'close code');
    assert.deepEqual(after.slice(close + 1).map((f) => f.opcode), [], 'frames after the close frame');
    raw.sock.destroy();

    // signed in again, the same ballot gets the recorded receipt back
    const again = await signIn(srv, zagreb.key);
    const r = await call(again.c, 'election.cast', { ballot, signature });
    const err = fails(r, 'already_voted', 'the same ballot again');
    checkReceipt({ ...err, ok: true }, { serverKey: w.serverKey, election: e.id, round: 1, ballot, signature }, 'the receipt with already_voted');
    again.c.close();
  });
});
