// The live session room over the real server (docs/protocol.md "The live
// session room"), with several real clients in one room: presence as the
// others see it (a person on two devices counts once; a closed connection
// leaves), chat seen in the same order by everyone, the agenda and the
// speaker queue (points of order first), the chair's actions refused to the
// others, the chat's bounds (rate limit, size, markup kept as text) and the
// chair hiding a message, and reconnecting with the missed events, a
// snapshot when too many were missed, or a refusal for a sequence number
// the room never sent.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TIME_RE } from './wsutil.mjs';
import { startDemo, finish, open } from './idutil.mjs';
import { sqlite } from './elutil.mjs';
import { rq, rqOk, rqFails, waitEvent, events, assertEvent, liveSession, again, signInOn } from './roomutil.mjs';

const T = { timeout: 180000 };

describe('the live room: presence, chat, agenda, queue, chair', () => {
  let srv;
  let w; // the shared setup
  let A; let B; let C; let D; // mayors of the four member cities; A chairs
  before(async () => {
    srv = await startDemo();
    w = await liveSession(srv);
    [A, B, C, D] = w.cities.map((city) => w.people[city]);
  });
  after(async () => { await finish(srv); });

  test('only the chair or the secretariat starts the session; the room opens only once it is live', T, async () => {
    await rqFails(B.c, 'room.join', { session: w.session }, 'not_live', 'session');
    await rqFails(B.c, 'session.start', { session: w.session }, 'not_chair', 'session');
    await rqFails(A.c, 'session.start', { session: 999999 }, 'not_found', 'session');
    const r = await rqOk(A.c, 'session.start', { session: w.session });
    assert.equal(r.session.state, 'live');
    assert.equal(r.seq, 1, 'the first event is the session.start');
    const again1 = await rqOk(w.sec.c, 'session.start', { session: w.session }); // idempotent, and the secretariat may
    assert.equal(again1.seq, 1, 'starting again records nothing');
  });

  test('presence: joins and leaves as the others see them; two devices count once; a non-member city is refused', T, async () => {
    const ra = await rqOk(A.c, 'room.join', { session: w.session });
    assert.equal(ra.you.chair, true);
    assert.equal(ra.snapshot.seq, ra.seq, 'the snapshot names the seq it reflects');
    assert.deepEqual(ra.snapshot.present.map((p) => p.person), [A.person.id]);
    assert.deepEqual(ra.snapshot.agenda.items, ['Opening', 'Heat plans', 'Trees', 'Any other business']);
    assert.equal(ra.snapshot.agenda.current, 0);
    const rb = await rqOk(B.c, 'room.join', { session: w.session });
    assert.equal(rb.you.chair, false);
    assert.equal(rb.seq, ra.seq + 1);
    const seen = await waitEvent(A.c, (e) => e.kind === 'presence.join' && e.person === B.person.id, 'A sees B join');
    assertEvent(seen);
    assert.equal(seen.seq, rb.seq);
    assert.equal(seen.city, B.city);
    assert.equal(seen.name, B.person.name);
    // B on a second device: no second join for anyone
    const B2 = await again(srv, B);
    const rb2 = await rqOk(B2.c, 'room.join', { session: w.session });
    assert.equal(rb2.seq, rb.seq, 'a second device records nothing');
    const me = rb2.snapshot.present.find((p) => p.person === B.person.id);
    assert.equal(me.devices, 2);
    assert.equal(rb2.snapshot.present.length, 2, 'B counts once');
    // the second device goes: still present; the first goes too: leaves, and A sees it
    B2.c.close();
    await rqOk(C.c, 'room.join', { session: w.session });
    await waitEvent(A.c, (e) => e.kind === 'presence.join' && e.person === C.person.id, 'A sees C join');
    assert.equal(events(A.c).filter((e) => e.kind === 'presence.leave').length, 0, 'closing one device of two is no leave');
    // the outsider city is not a member of the group
    const E = w.people[w.outsider];
    await rqFails(E.c, 'room.join', { session: w.session }, 'not_in_group', 'session');
    await rqFails(E.c, 'room.chat.send', { session: w.session, text: 'hi' }, 'not_in_room', 'session');
    // the secretariat may join any room
    await rqOk(w.sec.c, 'room.join', { session: w.session });
    // D joins and then closes its connection: the others see it leave ("disconnect")
    const D2 = await again(srv, D);
    await rqOk(D2.c, 'room.join', { session: w.session });
    D2.c.close();
    const left = await waitEvent(A.c, (e) => e.kind === 'presence.leave' && e.person === D.person.id, 'A sees D leave');
    assert.equal(left.reason, 'disconnect');
    // room.leave
    await rqOk(D.c, 'room.join', { session: w.session });
    await rqOk(D.c, 'room.leave', { session: w.session });
    const l2 = await waitEvent(A.c, (e) => e.kind === 'presence.leave' && e.person === D.person.id && e.reason === 'leave', 'A sees D leave again');
    assert.ok(l2.seq > left.seq);
    await rqFails(D.c, 'room.leave', { session: w.session }, 'not_in_room', 'session');
    // the attendance record: D has two closed intervals
    const rows = sqlite(srv.db, `SELECT person_id, left_how FROM room_attendance WHERE session_id = ${w.session} AND person_id = ${D.person.id} ORDER BY id`);
    assert.deepEqual(rows.map((r) => r.left_how), ['disconnect', 'leave']);
  });

  test('chat: everyone sees the same messages in the same order, with no gap in the room sequence', T, async () => {
    const people = [A, B, C];
    const start = people.map((p) => (p.c.events || []).length);
    // all send at once
    const sends = [];
    for (let i = 0; i < 4; i++) for (const p of people) sends.push(rq(p.c, 'room.chat.send', { session: w.session, text: `${p.city} ${i}` }));
    const replies = await Promise.all(sends);
    for (const r of replies) assert.equal(r.ok, true, JSON.stringify(r));
    const last = Math.max(...replies.map((r) => r.seq));
    for (const p of people) await waitEvent(p.c, (e) => e.seq === last, `${p.city} sees the last message`);
    const seqsOf = (p, i) => (p.c.events || []).slice(start[i]).map((m) => m.room_event);
    const chats = people.map((p, i) => seqsOf(p, i).filter((e) => e.kind === 'chat.message').map((e) => `${e.seq}:${e.text}`));
    assert.equal(chats[0].length, 12);
    assert.deepEqual(chats[1], chats[0], 'B sees what A sees, in that order');
    assert.deepEqual(chats[2], chats[0], 'C sees what A sees, in that order');
    // no gap, no duplicate in what each one received
    for (const p of people) {
      const all = events(p.c).map((e) => e.seq);
      for (let i = 1; i < all.length; i++) assert.equal(all[i], all[i - 1] + 1, `${p.city}: seq ${all[i - 1]} then ${all[i]}`);
    }
    // the envelope's own seq counts every event on each connection, from 2 (the welcome was 1)
    for (const p of people) {
      const env = p.c.events.map((m) => m.seq);
      env.forEach((x, i) => assert.equal(x, i + 2, `${p.city}: envelope seqs ${env.join(',')}`));
    }
    // each reply names its message's id
    for (const r of replies) assert.equal(r.message, r.seq);
  });

  test('chat bounds: 1000 bytes pass, 1001 are refused; markup is kept as sent; a flood is rate-limited', T, async () => {
    const script = '<script>alert("x")</script> & <img src=x onerror=alert(1)>';
    const r = await rqOk(B.c, 'room.chat.send', { session: w.session, text: script });
    const ev = await waitEvent(C.c, (e) => e.seq === r.seq, 'C sees the script message');
    assert.equal(ev.text, script, 'the text arrives exactly as sent');
    const stored = sqlite(srv.db, `SELECT data FROM room_events WHERE session_id = ${w.session} AND seq = ${r.seq}`);
    assert.equal(JSON.parse(stored[0].data).text, script, 'and is stored as sent');
    await rqOk(C.c, 'room.chat.send', { session: w.session, text: 'é'.repeat(500) }); // 1000 bytes
    await rqFails(C.c, 'room.chat.send', { session: w.session, text: `${'é'.repeat(500)}x` }, 'bad_request', 'text');
    await rqFails(C.c, 'room.chat.send', { session: w.session, text: 'tab\there' }, 'bad_request', 'text');
    await rqFails(C.c, 'room.chat.send', { session: w.session, text: ' \n ' }, 'bad_request', 'text');
    // a flood: D joins and sends until refused
    await rqOk(D.c, 'room.join', { session: w.session });
    let refused = null;
    for (let i = 0; i < 30 && !refused; i++) {
      const x = await rq(D.c, 'room.chat.send', { session: w.session, text: `flood ${i}` });
      if (!x.ok) refused = { i, x };
    }
    assert.ok(refused, 'the flood was never limited');
    assert.equal(refused.x.error.code, 'rate_limited');
    assert.match(refused.x.error.message, /try again in \d+ seconds/);
    assert.ok(refused.i >= 5 && refused.i <= 10, `limited after ${refused.i} messages`);
    // the others go on
    await rqOk(B.c, 'room.chat.send', { session: w.session, text: 'still here' });
  });

  test('the agenda: the chair moves it, everyone sees it; others are refused', T, async () => {
    await rqFails(B.c, 'room.agenda.move', { session: w.session, item: 1 }, 'not_chair');
    await rqFails(A.c, 'room.agenda.move', { session: w.session, item: 4 }, 'bad_request', 'item');
    const r = await rqOk(A.c, 'room.agenda.move', { session: w.session, item: 1 });
    const ev = await waitEvent(B.c, (e) => e.seq === r.seq, 'B sees the agenda move');
    assert.deepEqual([ev.kind, ev.item, ev.by], ['agenda.move', 1, A.person.id]);
    // the secretariat may act as chair
    const r2 = await rqOk(w.sec.c, 'room.agenda.move', { session: w.session, item: 2 });
    const ev2 = await waitEvent(C.c, (e) => e.seq === r2.seq, 'C sees the second move');
    assert.equal(ev2.item, 2);
    const snap = (await rqOk(C.c, 'room.join', { session: w.session })).snapshot;
    assert.equal(snap.agenda.current, 2);
    await rqOk(A.c, 'room.agenda.move', { session: w.session, item: 1 });
  });

  test('the speaker queue: points of order first, FIFO within each kind, one place per person; the floor', T, async () => {
    await rqOk(B.c, 'room.hand.raise', { session: w.session });
    await rqOk(C.c, 'room.hand.raise', { session: w.session });
    await rqOk(D.c, 'room.hand.raise', { session: w.session, point_of_order: true });
    await rqFails(B.c, 'room.hand.raise', { session: w.session, point_of_order: true }, 'conflict');
    const snap = (await rqOk(B.c, 'room.join', { session: w.session })).snapshot;
    assert.deepEqual(snap.queue.map((q) => [q.person, q.point_of_order]),
      [[D.person.id, true], [B.person.id, false], [C.person.id, false]]);
    // only the chair gives the floor, or lowers another's hand
    await rqFails(B.c, 'room.floor.give', { session: w.session }, 'not_chair');
    await rqFails(B.c, 'room.hand.lower', { session: w.session, person: C.person.id }, 'not_chair');
    const g = await rqOk(A.c, 'room.floor.give', { session: w.session });
    const ev = await waitEvent(C.c, (e) => e.seq === g.seq, 'C sees the floor given');
    assert.deepEqual([ev.kind, ev.person, ev.point_of_order, ev.item], ['floor.give', D.person.id, true, 1]);
    await rqFails(C.c, 'room.floor.end', { session: w.session }, 'not_chair'); // not the speaker
    await rqOk(D.c, 'room.floor.end', { session: w.session }); // the speaker yields
    await rqOk(C.c, 'room.hand.lower', { session: w.session });
    await rqOk(A.c, 'room.floor.give', { session: w.session });
    const s2 = (await rqOk(C.c, 'room.join', { session: w.session })).snapshot;
    assert.equal(s2.floor.person, B.person.id);
    assert.deepEqual(s2.queue, []);
    await rqOk(A.c, 'room.floor.end', { session: w.session });
    await rqFails(A.c, 'room.floor.give', { session: w.session }, 'queue_empty', 'person');
    await rqFails(A.c, 'room.floor.give', { session: w.session, person: w.people[w.outsider].person.id }, 'not_present', 'person');
  });

  test('the chair hides a message: recorded as an event and in the history; others may not', T, async () => {
    const m = await rqOk(C.c, 'room.chat.send', { session: w.session, text: 'something to hide' });
    await rqFails(B.c, 'room.chat.hide', { session: w.session, message: m.message }, 'not_chair');
    await rqFails(A.c, 'room.chat.hide', { session: w.session, message: 1 }, 'not_found', 'message');
    const h = await rqOk(A.c, 'room.chat.hide', { session: w.session, message: m.message });
    const ev = await waitEvent(B.c, (e) => e.seq === h.seq, 'B sees the hiding');
    assert.deepEqual([ev.kind, ev.message, ev.by], ['chat.hide', m.message, A.person.id]);
    const snap = (await rqOk(B.c, 'room.join', { session: w.session })).snapshot;
    const msg = snap.chat.find((x) => x.id === m.message);
    assert.equal(msg.text, null);
    assert.equal(msg.hidden.by, A.person.id);
    assert.match(msg.hidden.at, TIME_RE);
    const hist = sqlite(srv.db, "SELECT actor_person_id AS actor, details FROM history WHERE action = 'room.chat_hide'");
    assert.equal(hist.length, 1);
    assert.equal(hist[0].actor, A.person.id);
    assert.equal(JSON.parse(hist[0].details).message, m.message);
  });

  test('reconnect: exactly the missed events; a snapshot when too many were missed; a seq never sent is refused', T, async () => {
    const last = events(B.c).at(-1).seq;
    B.c.close(); // B's only device: B leaves
    const leave = await waitEvent(A.c, (e) => e.kind === 'presence.leave' && e.person === B.person.id && e.seq > last, 'A sees B go');
    for (let i = 0; i < 3; i++) await rqOk(C.c, 'room.chat.send', { session: w.session, text: `while B was away ${i}` });
    B = await again(srv, B);
    await rqFails(B.c, 'room.join', { session: w.session, after_seq: 1e9 }, 'bad_seq', 'after_seq');
    const r = await rqOk(B.c, 'room.join', { session: w.session, after_seq: last });
    assert.equal(r.snapshot, undefined, 'no snapshot when the ring holds what was missed');
    const seqs = r.events.map((e) => e.seq);
    assert.equal(seqs[0], last + 1);
    assert.equal(seqs.at(-1), r.seq, 'up to the latest, B\'s own return included');
    for (let i = 1; i < seqs.length; i++) assert.equal(seqs[i], seqs[i - 1] + 1);
    assert.equal(r.events.at(-1).kind, 'presence.join');
    assert.ok(r.events.some((e) => e.seq === leave.seq && e.kind === 'presence.leave'));
    // the same events A saw, byte for byte
    await waitEvent(A.c, (e) => e.seq === r.seq, 'A sees B return');
    const aSaw = new Map(events(A.c).map((e) => [e.seq, JSON.stringify(e)]));
    for (const e of r.events) assert.equal(JSON.stringify(e), aSaw.get(e.seq), `event ${e.seq} differs`);
    // then the live events follow on, without a gap
    const m = await rqOk(C.c, 'room.chat.send', { session: w.session, text: 'welcome back' });
    const next = await waitEvent(B.c, (e) => e.seq === m.seq, 'B sees the next message');
    assert.equal(next.seq, r.seq + 1);
    // more than the ring holds: the chair moves the agenda 1030 times while D is away
    const dLast = r.seq + 1;
    for (let i = 0; i < 1030; i++) await rqOk(A.c, 'room.agenda.move', { session: w.session, item: i % 2 });
    const snapR = await rqOk(D.c, 'room.join', { session: w.session, after_seq: dLast });
    assert.equal(snapR.events, undefined);
    assert.equal(snapR.snapshot.seq, snapR.seq, 'too old: a snapshot of the latest state');
    assert.ok(snapR.seq > dLast + 1024);
    // a stale seq from another life of the room
    await rqFails(D.c, 'room.join', { session: w.session, after_seq: snapR.seq + 1 }, 'bad_seq', 'after_seq');
  });

  test('every room event is stored, in one sequence, with its kind and time', T, async () => {
    const rows = sqlite(srv.db, `SELECT seq, kind, data, at_ms FROM room_events WHERE session_id = ${w.session} ORDER BY seq`);
    rows.forEach((row, i) => {
      assert.equal(row.seq, i + 1);
      const ev = JSON.parse(row.data);
      assert.equal(ev.seq, row.seq);
      assert.equal(ev.kind, row.kind);
      assert.equal(new Date(ev.at).getTime(), row.at_ms);
    });
    assert.ok(rows.length > 1060);
  });
});

describe('room requests from people outside it', () => {
  let srv;
  let w;
  before(async () => {
    srv = await startDemo();
    w = await liveSession(srv, { members: 2 });
  });
  after(async () => { await finish(srv); });

  test('not signed in, not in the room, unknown session', T, async () => {
    const anon = await open(srv);
    await rqFails(anon, 'room.join', { session: w.session }, 'not_signed_in');
    await rqFails(anon, 'session.start', { session: w.session }, 'not_signed_in');
    const A = w.people[w.cities[0]];
    await rqFails(A.c, 'room.join', { session: 424242 }, 'not_found', 'session');
    await rqFails(A.c, 'room.hand.raise', { session: w.session }, 'not_in_room', 'session');
    await rqFails(A.c, 'room.join', { session: w.session, after_seq: -1 }, 'bad_request', 'after_seq');
    await rqFails(A.c, 'room.join', { session: w.session, extra: 1 }, 'bad_request', 'extra');
    // session.minutes of a session that has not closed
    await rqFails(anon, 'session.minutes', { session: w.session }, 'not_found', 'session');
    anon.close();
  });

  test('a person who signs in on a connection already in a room as someone else is not taken for them', T, async () => {
    const [a, b] = w.cities.map((c) => w.people[c]);
    await rqOk(a.c, 'session.start', { session: w.session });
    await rqOk(a.c, 'room.join', { session: w.session });
    await signInOn(srv, b.key, a.c); // the same connection, now b
    await rqFails(a.c, 'room.chat.send', { session: w.session, text: 'who am I' }, 'not_in_room');
    const r = await rqOk(a.c, 'room.join', { session: w.session });
    assert.equal(r.you.person, b.person.id);
    assert.ok(r.snapshot.present.some((p) => p.person === b.person.id));
    assert.ok(!r.snapshot.present.some((p) => p.person === a.person.id), 'a left when its connection became b');
  });
});


