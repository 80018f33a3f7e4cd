// Motions in the live room, one city one vote (docs/protocol.md "Motions",
// docs/audit.md "Motions"), then the session's close and its signed minutes:
// the poll checked byte by byte against what the test knows (members,
// present, eligible, the delegates' keys), signed ballots with receipts that
// extend the motion's hash chain, the ballots that must be refused (a city
// outside the group, a person who is not the delegate, a forged signature,
// a ballot for another motion or poll, a second ballot, a city absent at
// the opening, a vote after the close), the roll call and outcome at the
// close (adopted, no votes, no quorum), the recommendation it records, and
// the minutes over WebSocket and HTTP. Ballots are built and signed here
// with Node's Ed25519 from docs/audit.md alone.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TIME_RE, httpGet } from './wsutil.mjs';
import { startDemo, finish } from './idutil.mjs';
import { cityPerson, sqlite, parseText } from './elutil.mjs';
import {
  rq, rqOk, rqFails, waitEvent, liveSession, castMotion, motionPollText, motionReceiptText, motionChainHeadText,
  minutesHeaderText, motionGenesis, chainNext, keysSha256, sha256hex, verifyHex, makeKey, signHex, randomHex, list,
} from './roomutil.mjs';

const T = { timeout: 180000 };

describe('motions: signed ballots, roll call, recommendation; then the minutes', () => {
  let srv;
  let w;
  let A; let B; let C; let D; let E; let Bdeputy;
  let motion; // the first motion object
  const receipts = []; // {seq, ballotHash, signature, chain}
  const TEXT = 'Every member city plants 1000 trees by 2028.\n<script>alert("x")</script> & more';

  before(async () => {
    srv = await startDemo();
    w = await liveSession(srv);
    [A, B, C, D] = w.cities.map((city) => w.people[city]);
    E = w.people[w.outsider];
    Bdeputy = await cityPerson(srv, B.city, 'deputy');
    await rqOk(A.c, 'session.start', { session: w.session });
    for (const p of [A, B, C, Bdeputy]) await rqOk(p.c, 'room.join', { session: w.session });
  });
  after(async () => { await finish(srv); });

  test('only the chair opens a motion; the poll is docs/audit.md\'s text of what the test knows, signed by the server', T, async () => {
    await rqFails(B.c, 'motion.open', { session: w.session, text: 'mine' }, 'not_chair');
    await rqFails(E.c, 'motion.open', { session: w.session, text: 'mine' }, 'not_in_room', 'session');
    await rqFails(A.c, 'motion.open', { session: w.session, text: 'tab\tin it' }, 'bad_request', 'text');
    await rqFails(A.c, 'motion.open', { session: w.session, text: 'x'.repeat(2001) }, 'bad_request', 'text');
    const r = await rqOk(A.c, 'motion.open', { session: w.session, text: TEXT });
    motion = r.motion;
    assert.equal(motion.state, 'open');
    assert.equal(motion.text, TEXT);
    assert.match(motion.opened, TIME_RE);
    const expected = motionPollText({
      motion: motion.id, group: w.group, session: w.session, text: TEXT, members: w.cities,
      present: [A.city, B.city, C.city], eligible: [A.city, B.city, C.city],
      eligibleKeys: keysSha256([[A.city, A.key.pub], [B.city, B.key.pub], [C.city, C.key.pub]]),
      opened: motion.opened,
    });
    assert.equal(motion.poll, expected, 'the poll is not the text docs/audit.md makes of these facts');
    assert.ok(verifyHex(w.serverKey, motion.poll, motion.poll_signature), 'the poll signature');
    assert.equal(motion.fingerprint, sha256hex(motion.poll));
    assert.deepEqual(motion.eligible, list([A.city, B.city, C.city]).split(','));
    // everyone in the room sees it open, with the quorum at opening
    const ev = await waitEvent(C.c, (e) => e.kind === 'motion.open', 'C sees the motion open');
    assert.equal(ev.motion, motion.id);
    assert.equal(ev.poll, motion.poll);
    assert.deepEqual(ev.quorum, { members: 4, present: 3, threshold: 3, met: true });
    // one open motion at a time
    await rqFails(A.c, 'motion.open', { session: w.session, text: 'another' }, 'conflict', 'session');
    // motion.poll is public
    const pub = await rqOk(E.c, 'motion.poll', { motion: motion.id });
    assert.equal(pub.motion.poll, motion.poll);
    await rqFails(E.c, 'motion.poll', { motion: 99999 }, 'not_found', 'motion');
  });

  test('ballots: receipts after the commit, each extending the motion\'s chain', T, async () => {
    const vote = async (p, choice) => {
      const { r, ballot, signature } = await castMotion(p, { motion: motion.id, poll: motion.fingerprint, choice });
      assert.equal(r.ok, true, `${p.city} votes ${choice}: ${JSON.stringify(r)}`);
      const ballotHash = sha256hex(ballot);
      assert.equal(r.ballot_hash, ballotHash);
      assert.equal(r.server_key, w.serverKey);
      const { fields } = parseText(r.receipt, 'b40-motion-receipt-v1', ['network', 'motion', 'seq', 'ballot-sha256', 'chain', 'recorded']);
      const prev = receipts.length ? Buffer.from(receipts.at(-1).chain, 'hex') : motionGenesis(motion.id);
      const chain = chainNext(prev, ballotHash, signature).toString('hex');
      assert.equal(r.seq, receipts.length + 1);
      assert.equal(r.receipt, motionReceiptText({ motion: motion.id, seq: r.seq, ballotHash, chain, recorded: fields.recorded }));
      assert.ok(verifyHex(w.serverKey, r.receipt, r.receipt_signature), 'the receipt signature');
      receipts.push({ seq: r.seq, ballotHash, signature, chain, ballot });
      return r;
    };
    await vote(A, 'yes');
    await vote(B, 'yes');
    const ev = await waitEvent(C.c, (e) => e.kind === 'motion.ballot' && e.voted === 2, 'C sees two ballots');
    assert.deepEqual([ev.motion, ev.city, ev.eligible], [motion.id, B.city, 3]);
    assert.equal(ev.choice, undefined, 'how a city voted is not shown before the close');
    await vote(C, 'no');
  });

  test('ballots that are refused, and leave nothing behind', T, async () => {
    const base = { motion: motion.id, poll: motion.fingerprint };
    const before = sqlite(srv.db, `SELECT count(*) AS n FROM motion_ballots WHERE motion_id = ${motion.id}`)[0].n;
    // a city outside the group
    let r = (await castMotion(E, { ...base, choice: 'yes' })).r;
    assert.equal(r.error?.code, 'not_in_group', JSON.stringify(r));
    // a person of a member city who is not its delegate
    r = (await castMotion(Bdeputy, { ...base, choice: 'no' })).r;
    assert.equal(r.error?.code, 'not_delegate', JSON.stringify(r));
    // another city's ballot
    r = (await castMotion(B, { ...base, city: C.city, choice: 'no' })).r;
    assert.equal(r.error?.code, 'not_delegate', JSON.stringify(r));
    // a second ballot of a city: already_voted, with the first one's hash
    r = (await castMotion(A, { ...base, choice: 'no' })).r;
    assert.equal(r.error?.code, 'already_voted', JSON.stringify(r));
    assert.equal(r.error.ballot_hash, receipts[0].ballotHash);
    assert.equal(r.error.receipt, undefined);
    // the very same ballot again (a lost reply): its receipt once more
    r = await rq(A.c, 'motion.cast', { motion: motion.id, ballot: receipts[0].ballot, signature: receipts[0].signature });
    assert.equal(r.error?.code, 'already_voted');
    assert.equal(r.error.seq, 1);
    assert.ok(verifyHex(w.serverKey, r.error.receipt, r.error.receipt_signature));
    // D was not present when the motion opened: not eligible, even once in the room
    await rqOk(D.c, 'room.join', { session: w.session });
    r = (await castMotion(D, { ...base, choice: 'yes' })).r;
    assert.equal(r.error?.code, 'not_eligible', JSON.stringify(r));
    const other = makeKey();
    // forged: C's ballot signed by a key that is not C's (C has voted, but the signature is checked first)
    const forged = (await castMotion(C, { ...base, choice: 'yes', key: other })).r;
    assert.equal(forged.error?.code, 'bad_signature', JSON.stringify(forged));
    // a ballot for another motion, or another poll
    r = (await castMotion(B, { ...base, motion: motion.id + 1, field: motion.id, choice: 'yes' })).r;
    assert.equal(r.error?.code, 'not_open', JSON.stringify(r));
    r = (await castMotion(B, { ...base, poll: randomHex(32), choice: 'yes' })).r;
    assert.equal(r.error?.code, 'not_open', JSON.stringify(r));
    // a motion ballot's bytes that are not canonical, and an election ballot
    const bad = await rq(B.c, 'motion.cast', { motion: motion.id, ballot: receipts[1].ballot.replace('choice: yes', 'choice: YES'), signature: receipts[1].signature });
    assert.equal(bad.error?.code, 'bad_ballot');
    const election = `b40-ballot-v1\nnetwork: b40-balkan-cities\nelection: ${motion.id}\nround: 1\npoll: ${motion.fingerprint}\ncity: ${B.city}\nchoice: abstain\nnonce: ${randomHex(16)}\n`;
    const eb = await rq(B.c, 'motion.cast', { motion: motion.id, ballot: election, signature: signHex(B.key, election) });
    assert.equal(eb.error?.code, 'bad_ballot', 'an election ballot is never a motion ballot');
    await rqFails(B.c, 'motion.cast', { motion: motion.id, ballot: receipts[1].ballot, signature: 'zz'.repeat(64) }, 'bad_request', 'signature');
    await rqFails(w.sec.c, 'motion.cast', { motion: motion.id, ballot: receipts[1].ballot, signature: receipts[1].signature }, 'forbidden');
    const afterCount = sqlite(srv.db, `SELECT count(*) AS n FROM motion_ballots WHERE motion_id = ${motion.id}`)[0].n;
    assert.equal(afterCount, before, 'a refused ballot left something behind');
  });

  test('the close: roll call, outcome, signed chain head, the recommendation; no vote after it', T, async () => {
    await rqFails(B.c, 'motion.close', { motion: motion.id }, 'not_chair');
    const r = await rqOk(A.c, 'motion.close', { motion: motion.id });
    const m = r.motion;
    assert.equal(m.state, 'closed');
    assert.deepEqual(m.result.quorum, { members: 4, present: 3, threshold: 3, met: true });
    assert.deepEqual(m.result.counts, { yes: 2, no: 1, abstained: 0, present_not_voting: 0, absent: 1 });
    assert.equal(m.result.outcome, 'adopted');
    const roll = Object.fromEntries(m.result.roll_call.map((x) => [x.city, x.vote]));
    assert.deepEqual(roll, { [A.city]: 'yes', [B.city]: 'yes', [C.city]: 'no', [D.city]: 'absent' });
    assert.deepEqual(m.result.roll_call.map((x) => x.city), list(w.cities).split(','), 'the roll is every member, by code');
    assert.deepEqual(m.result.ballots, receipts.map((x) => x.ballotHash));
    const { fields } = parseText(m.chain_head, 'b40-motion-chain-head-v1', ['network', 'motion', 'seq', 'chain', 'closed']);
    assert.equal(m.chain_head, motionChainHeadText({ motion: m.id, seq: 3, chain: receipts.at(-1).chain, closed: fields.closed }));
    assert.ok(verifyHex(w.serverKey, m.chain_head, m.chain_head_signature), 'the chain head signature');
    assert.ok(Number.isInteger(m.recommendation));
    const ev = await waitEvent(B.c, (e) => e.kind === 'motion.close', 'B sees the close');
    assert.deepEqual(ev.result, m.result);
    // the recommendation, recorded in the same step: "a recommendation, not a binding decision"
    const recs = (await rqOk(E.c, 'recommendation.list', { group: w.group })).recommendations;
    const rec = recs.find((x) => x.id === m.recommendation);
    assert.ok(rec, JSON.stringify(recs));
    assert.equal(rec.motion, m.id);
    assert.equal(rec.text, TEXT);
    // a vote after the close
    const late = (await castMotion(C, { motion: m.id, poll: m.fingerprint, choice: 'no' })).r;
    assert.equal(late.error?.code, 'not_open', JSON.stringify(late));
    await rqFails(A.c, 'motion.close', { motion: m.id }, 'not_open', 'motion');
  });

  test('all abstain: no votes; half or fewer present at opening: no quorum, nothing adopted', T, async () => {
    const r2 = await rqOk(A.c, 'motion.open', { session: w.session, text: 'Second motion' });
    const m2 = r2.motion;
    for (const p of [A, B]) {
      const { r } = await castMotion(p, { motion: m2.id, poll: m2.fingerprint, choice: 'abstain' });
      assert.equal(r.ok, true, JSON.stringify(r));
      assert.equal(r.seq, p === A ? 1 : 2, 'each motion has its own chain and numbering');
    }
    const c2 = (await rqOk(A.c, 'motion.close', { motion: m2.id })).motion;
    assert.equal(c2.result.outcome, 'no_votes');
    assert.equal(c2.recommendation, null);
    assert.deepEqual(c2.result.counts, { yes: 0, no: 0, abstained: 2, present_not_voting: 2, absent: 0 });
    // B, C and D leave: 1 of 4 present
    for (const p of [B, C, D, Bdeputy]) await rqOk(p.c, 'room.leave', { session: w.session });
    const m3 = (await rqOk(A.c, 'motion.open', { session: w.session, text: 'Third motion' })).motion;
    assert.ok(m3.poll.includes(`\npresent: ${A.city}\n`));
    const { r } = await castMotion(A, { motion: m3.id, poll: m3.fingerprint, choice: 'yes' });
    assert.equal(r.ok, true);
    // a session with an open motion does not close
    await rqFails(A.c, 'session.close', { session: w.session }, 'conflict', 'session');
    const c3 = (await rqOk(A.c, 'motion.close', { motion: m3.id })).motion;
    assert.equal(c3.result.outcome, 'no_quorum');
    assert.deepEqual(c3.result.quorum, { members: 4, present: 1, threshold: 3, met: false });
    assert.equal(c3.recommendation, null);
    const recs = (await rqOk(E.c, 'recommendation.list', { group: w.group })).recommendations.filter((x) => x.session === w.session);
    assert.equal(recs.length, 1, 'only the adopted motion is a recommendation');
  });

  test('session.close: everyone leaves; signed minutes over WebSocket and HTTP; the room is closed', T, async () => {
    await rqOk(B.c, 'room.join', { session: w.session });
    await rqFails(B.c, 'session.close', { session: w.session }, 'not_chair', 'session');
    const r = await rqOk(A.c, 'session.close', { session: w.session });
    assert.equal(r.session.state, 'closed');
    const ev = await waitEvent(B.c, (e) => e.kind === 'session.close', 'B sees the close');
    const clear = (B.c.events || []).map((x) => x.room_event).find((e) => e.kind === 'presence.clear');
    assert.equal(clear.reason, 'closed');
    assert.equal(clear.seq, ev.seq - 1, 'everyone still in the room leaves, in one event, just before the close');
    assert.deepEqual([...clear.persons].sort(), [A.person.id, B.person.id].sort());
    const min = r.minutes;
    const { fields } = parseText(min.header, 'b40-minutes-v1', ['network', 'session', 'markdown-sha256', 'closed']);
    assert.equal(fields.session, String(w.session));
    assert.equal(fields['markdown-sha256'], sha256hex(min.markdown));
    assert.equal(min.markdown_sha256, sha256hex(min.markdown));
    assert.equal(min.header, minutesHeaderText({ session: w.session, markdownSha256: sha256hex(min.markdown), closed: fields.closed }));
    assert.equal(new Date(fields.closed).getTime(), new Date(ev.at).getTime());
    assert.ok(verifyHex(w.serverKey, min.header, min.signature), 'the minutes signature');
    assert.equal(min.server_key, w.serverKey);
    // the minutes hold attendance by city, the agenda, the motions with their roll calls
    const md = min.markdown;
    for (const city of [A.city, B.city, C.city]) assert.ok(md.includes(`### ${city}\n`), `attendance of ${city}`);
    assert.ok(md.includes('Member cities absent (0): none'), md.slice(0, 800)); /* D came, late */
    assert.ok(md.includes('## Agenda\n\n1. Opening\n2. Heat plans\n'));
    assert.ok(md.includes(`### Motion ${motion.id}: adopted`));
    assert.ok(md.includes(`| ${A.city} | yes |`));
    assert.ok(md.includes('not adopted (no quorum)'));
    assert.ok(md.includes('\\<script\\>'), 'the motion text is escaped in the Markdown');
    // over HTTP, the same bytes; the HTML escaped, without inline script, under the CSP
    const g = await httpGet(srv, `/sessions/${w.session}/minutes.md`);
    assert.equal(g.status, 200);
    assert.match(g.headers['content-type'], /^text\/markdown/);
    assert.equal(g.body, md);
    const h = await httpGet(srv, `/sessions/${w.session}/minutes.html`);
    assert.equal(h.status, 200);
    assert.match(h.headers['content-type'], /^text\/html/);
    assert.match(h.headers['content-security-policy'], /script-src 'self'/);
    assert.equal(h.body, min.html);
    assert.ok(!/<script/i.test(h.body), 'no script element');
    assert.ok(h.body.includes('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;'));
    assert.ok(h.body.includes(min.signature));
    assert.equal((await httpGet(srv, '/sessions/99999/minutes.md')).status, 404);
    assert.equal((await httpGet(srv, '/sessions/abc/minutes.md')).status, 404);
    // public over WebSocket too; closing again gives the same minutes
    const pub = await rqOk(E.c, 'session.minutes', { session: w.session });
    assert.equal(pub.minutes.markdown, md);
    assert.equal(pub.minutes.signature, min.signature);
    const again = await rqOk(w.sec.c, 'session.close', { session: w.session });
    assert.equal(again.minutes.signature, min.signature);
    // the room is closed
    await rqFails(B.c, 'room.join', { session: w.session }, 'not_live', 'session');
    await rqFails(B.c, 'room.chat.send', { session: w.session, text: 'late' }, 'not_in_room', 'session');
    await rqFails(A.c, 'session.start', { session: w.session }, 'not_live', 'session');
    // the history
    const actions = sqlite(srv.db, "SELECT action FROM history WHERE action IN ('motion.open', 'motion.close', 'session.minutes') ORDER BY id").map((x) => x.action);
    assert.deepEqual(actions, ['motion.open', 'motion.close', 'motion.open', 'motion.close', 'motion.open', 'motion.close', 'session.minutes']);
    // the attendance: no interval left open
    const open = sqlite(srv.db, `SELECT count(*) AS n FROM room_attendance WHERE session_id = ${w.session} AND left_at_ms IS NULL`)[0].n;
    assert.equal(open, 0);
  });

  test('a session closed without a room (the demo\'s held sessions) still gets signed minutes', T, async () => {
    const sessions = (await rqOk(E.c, 'session.list', {})).sessions.filter((x) => x.state === 'closed' && x.id !== w.session);
    assert.ok(sessions.length > 0, 'the demo network has held sessions');
    const r = await rqOk(E.c, 'session.minutes', { session: sessions[0].id });
    assert.ok(verifyHex(w.serverKey, r.minutes.header, r.minutes.signature));
    assert.equal(r.minutes.markdown_sha256, sha256hex(r.minutes.markdown));
    assert.ok(r.minutes.markdown.includes('- Opened: unknown'), 'no room log: the opening is unknown');
    const again = await rqOk(E.c, 'session.minutes', { session: sessions[0].id });
    assert.equal(again.minutes.signature, r.minutes.signature, 'made once, then kept');
  });

  test('the database keeps one ballot per city per motion', T, async () => {
    const dup = sqlite(srv.db, 'SELECT motion_id, city_id, count(*) AS n FROM motion_ballots GROUP BY motion_id, city_id HAVING n > 1');
    assert.deepEqual(dup, []);
    await rqOk(w.sec.c, 'system.ping'); // the server is still there
  });
});
