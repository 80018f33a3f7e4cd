// The live room across restarts of the server: killed mid-session (SIGKILL,
// with a motion open and a ballot cast), and stopped cleanly (SIGTERM). The
// room is rebuilt from the stored events: the sequence goes on where it
// stopped, a reconnecting client gets exactly what it missed (everyone's
// departure, "restart" or "stop", included), the open motion's chain goes
// on, and the signed minutes outlive a restart too.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { httpGet } from './wsutil.mjs';
import { startDemo, finish } from './idutil.mjs';
import { sqlite } from './elutil.mjs';
import { rqOk, waitEvent, events, liveSession, again, castMotion, motionGenesis, chainNext, sha256hex } from './roomutil.mjs';

const T = { timeout: 180000 };

describe('the room survives restarts', () => {
  let srv;
  let w;
  let A; let B;
  let motion;
  let chain; // chain[1] of the motion, from A's receipt
  before(async () => {
    srv = await startDemo();
    w = await liveSession(srv, { members: 2 });
    [A, B] = w.cities.map((c) => w.people[c]);
    await rqOk(A.c, 'session.start', { session: w.session });
    await rqOk(A.c, 'room.join', { session: w.session });
    await rqOk(B.c, 'room.join', { session: w.session });
  });
  after(async () => { await finish(srv); });

  test('killed mid-session: the sequence goes on; the missed events come back exactly; the open motion\'s chain goes on', T, async () => {
    for (let i = 0; i < 3; i++) await rqOk(B.c, 'room.chat.send', { session: w.session, text: `before the crash ${i}` });
    motion = (await rqOk(A.c, 'motion.open', { session: w.session, text: 'Share heat maps' })).motion;
    const { r, ballot, signature } = await castMotion(A, { motion: motion.id, poll: motion.fingerprint, choice: 'yes' });
    assert.equal(r.ok, true, JSON.stringify(r));
    chain = chainNext(motionGenesis(motion.id), sha256hex(ballot), signature);
    const last = (await waitEvent(A.c, (e) => e.kind === 'motion.ballot', 'A sees the ballot')).seq;
    const stored = sqlite(srv.db, `SELECT max(seq) AS s FROM room_events WHERE session_id = ${w.session}`)[0].s;
    assert.equal(stored, last, 'everything A saw was stored before it was sent');

    const { server } = await srv.restart({ signal: 'SIGKILL' });
    srv = server;
    A = await again(srv, A);
    const j = await rqOk(A.c, 'room.join', { session: w.session, after_seq: last });
    const kinds = j.events.map((e) => `${e.seq}:${e.kind}:${e.persons ?? e.person}:${e.reason ?? ''}`);
    assert.deepEqual(kinds, [
      `${last + 1}:presence.clear:${[A.person.id, B.person.id]}:restart`,
      `${last + 2}:presence.join:${A.person.id}:`,
    ], 'after a crash: everyone left at the restart (one event), then A came back');
    assert.equal(j.seq, last + 2);
    // the attendance intervals of before the crash are closed as "restart"
    const how = sqlite(srv.db, `SELECT left_how FROM room_attendance WHERE session_id = ${w.session} AND left_at_ms IS NOT NULL ORDER BY id`).map((x) => x.left_how);
    assert.deepEqual(how, ['restart', 'restart']);
    // B comes back with a snapshot: the open motion is in it
    B = await again(srv, B);
    const jb = await rqOk(B.c, 'room.join', { session: w.session });
    assert.equal(jb.snapshot.motion.id, motion.id);
    assert.equal(jb.snapshot.motion.state, 'open');
    assert.deepEqual(jb.snapshot.motion.voted, [A.city]);
    assert.equal(jb.snapshot.chat.filter((m) => m.text.startsWith('before the crash')).length, 3, 'the chat history was rebuilt');
    const b = await castMotion(B, { motion: motion.id, poll: motion.fingerprint, choice: 'yes' });
    assert.equal(b.r.ok, true, JSON.stringify(b.r));
    assert.equal(b.r.seq, 2);
    const chain2 = chainNext(chain, sha256hex(b.ballot), b.signature).toString('hex');
    assert.ok(b.r.receipt.includes(`\nchain: ${chain2}\n`), 'the chain goes on from the ballot recorded before the crash');
    const closed = (await rqOk(A.c, 'motion.close', { motion: motion.id })).motion;
    assert.equal(closed.result.outcome, 'adopted');
  });

  test('stopped cleanly: everyone leaves ("stop") before the close frames; the room goes on after the restart', T, async () => {
    const m = await rqOk(B.c, 'room.chat.send', { session: w.session, text: 'before the stop' });
    await waitEvent(A.c, (e) => e.seq === m.seq, 'A sees it');
    const last = events(A.c).at(-1).seq;
    const bSaw = B.c.events.length;
    const { server, stopped } = await srv.restart({ signal: 'SIGTERM' });
    assert.equal(stopped.code, 0);
    // B, connected while the server stopped, got everyone's departure (one event) before its close frame
    await B.c.closed;
    const bEvents = B.c.events.slice(bSaw).map((x) => x.room_event);
    assert.deepEqual(bEvents.map((e) => `${e.kind}:${e.persons}:${e.reason}`), [`presence.clear:${[A.person.id, B.person.id]}:stop`], JSON.stringify(bEvents));
    assert.equal(B.c.closeInfo.code, 1001);
    srv = server;
    A = await again(srv, A);
    const j = await rqOk(A.c, 'room.join', { session: w.session, after_seq: last });
    assert.deepEqual(j.events.map((e) => `${e.kind}:${e.reason ?? ''}`), ['presence.clear:stop', 'presence.join:']);
    assert.equal(j.events[0].seq, last + 1);
  });

  test('the minutes outlive a restart', T, async () => {
    const r = await rqOk(A.c, 'session.close', { session: w.session });
    const { server } = await srv.restart({ signal: 'SIGTERM' });
    srv = server;
    const g = await httpGet(srv, `/sessions/${w.session}/minutes.md`);
    assert.equal(g.status, 200);
    assert.equal(g.body, r.minutes.markdown);
    const rows = sqlite(srv.db, `SELECT count(*) AS n FROM minutes WHERE session_id = ${w.session}`);
    assert.equal(rows[0].n, 1);
  });
});
