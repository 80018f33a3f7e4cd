// A ballot storm and a crash (docs/audit.md "The receipt ... sent only after
// the ballot's transaction committed"; docs/protocol.md election.cast): 46
// of the 50 demo member cities' mayors cast at once, the server is killed with
// SIGKILL in the middle, and restarted on the same database and port. Every
// receipt a client received must name a ballot the database holds (same
// seq, same chain); no city has two ballots; the chain recomputed from the
// stored ballots in seq order runs from the genesis to the last stored link
// and agrees with every stored receipt; and after the restart voting goes on
// and the chain continues from where it stopped.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TIME_RE, sleep } from './wsutil.mjs';
import { callOk, fails, startDemo, finish, signHex } from './idutil.mjs';
import {
  secretariat, demoPerson, cityPerson, createSummit, checkInAll, getElection, roundOf, checkPoll, checkReceipt, checkChainHead,
  chainOf, ballotText, sha256hex, verifyHex, sqlite, reconnect, parseText, merkleLeaf, merkleRoot,
} from './elutil.mjs';

const T = { timeout: 300000 };
const MS = 30000;
/** SIGKILL once this many receipts have reached the clients. */
const KILL_AFTER = 10;
/**
 * The storm: the first BURST ballots leave at once (so the server batches them), the rest
 * GAP_MS apart, so that at the kill some are committed, some in flight and some not yet sent.
 */
const BURST = 20;
const GAP_MS = 3;
/** Cities that sit the storm out and vote only after the restart, so the chain always has to go on. */
const LATE = ['prizren', 'niksic', 'kisela-voda', 'prilep'];

const DEMO = ['istanbul', 'edirne', 'tekirdag', 'kirklareli', 'athens', 'thessaloniki', 'patras', 'trikala', 'mytilene',
  'kardzhali', 'tirana', 'durres', 'sarajevo', 'laktasi', 'split', 'belgrade', 'podgorica', 'kotor', 'skopje', 'sofia',
  'burgas', 'plovdiv', 'veliko-tarnovo', 'dimitrovgrad', 'troyan', 'karlovo', 'karnobat', 'rakovski', 'zagreb',
  'canakkale', 'izmir', 'zenica', 'sliven', 'stara-zagora', 'svilengrad', 'pula', 'acharnes', 'alexandroupoli', 'chania',
  'karditsa', 'kilkis', 'lefkada', 'orestiada', 'pella', 'pristina', 'prizren', 'niksic', 'kisela-voda', 'prilep', 'bursa'];

/** The ballots of election e as the database holds them, in seq order (sqlite3 command line). */
function storedBallots(db, e) {
  return sqlite(db, `SELECT b.seq, b.round, c.code AS city, b.text, lower(hex(b.signature)) AS signature,
      lower(hex(b.ballot_hash)) AS ballot_hash, lower(hex(b.chain)) AS chain, b.receipt,
      b.receipt_batch, b.receipt_index, b.choice
    FROM ballots b JOIN cities c ON c.id = b.city_id WHERE b.election_id = ${e} ORDER BY b.seq`);
}

/**
 * Checks every receipt batch the ballots of election e are in: the batch's
 * receipts (all of them, of any election) are 0..leaves-1, their Merkle root
 * is the stored root and the one the signed statement names, and the
 * statement's signature verifies with the server key.
 */
function checkStoredBatches(db, e, serverKey) {
  const ids = sqlite(db, `SELECT DISTINCT receipt_batch AS id FROM ballots WHERE election_id = ${e} ORDER BY 1`).map((x) => x.id);
  assert.ok(ids.length >= 1 && ids.every((id) => Number.isInteger(id)), `receipt batches ${JSON.stringify(ids)}`);
  for (const id of ids) {
    const [b] = sqlite(db, `SELECT statement, lower(hex(signature)) AS signature, leaves, lower(hex(root)) AS root FROM receipt_batches WHERE id = ${id}`);
    assert.ok(b, `receipt batch ${id} is not in the database`);
    const receipts = sqlite(db, `SELECT receipt_index AS i, receipt FROM ballots WHERE receipt_batch = ${id} ORDER BY receipt_index`);
    assert.deepEqual(receipts.map((r) => r.i), [...Array(b.leaves).keys()], `receipt batch ${id}: its receipts' places`);
    const root = merkleRoot(receipts.map((r) => merkleLeaf(r.receipt))).toString('hex');
    assert.equal(root, b.root, `receipt batch ${id}: the stored root is not the Merkle root of its receipts`);
    const { fields } = parseText(b.statement, 'b40-receipt-batch-v1', ['network', 'batch', 'leaves', 'root', 'signed'], `batch ${id}`);
    assert.deepEqual([fields.batch, fields.leaves, fields.root], [String(id), String(b.leaves), root], `receipt batch ${id}: statement`);
    assert.ok(verifyHex(serverKey, b.statement, b.signature), `receipt batch ${id}: the server's signature does not verify`);
  }
  return ids.length;
}

/**
 * Checks the stored ballots on their own: each text hashes to its
 * ballot_hash and names its city; seq runs 1..n; the chain recomputed from
 * the genesis matches every stored link; every stored receipt is canonical,
 * names its ballot and link, and is in a receipt batch whose signed root covers it. Returns the rows.
 */
function checkStoredChain(db, e, serverKey) {
  const rows = storedBallots(db, e);
  const links = chainOf(e, rows.map((r) => ({ seq: r.seq, ballotHash: r.ballot_hash, signature: r.signature })));
  rows.forEach((r, i) => {
    assert.equal(sha256hex(r.text), r.ballot_hash, `stored ballot ${r.seq}: the hash is not SHA-256 of its text`);
    assert.ok(r.text.includes(`\ncity: ${r.city}\n`), `stored ballot ${r.seq} of ${r.city} names another city`);
    assert.equal(r.chain, links[i + 1], `stored ballot ${r.seq}: chain[${r.seq}] differs from the one recomputed from the genesis`);
    const { fields } = parseText(r.receipt, 'b40-receipt-v1', ['network', 'election', 'round', 'seq', 'ballot-sha256', 'chain', 'recorded'],
      `stored receipt ${r.seq}`);
    assert.deepEqual([fields.election, fields.round, fields.seq, fields['ballot-sha256'], fields.chain],
      [String(e), String(r.round), String(r.seq), r.ballot_hash, r.chain], `stored receipt ${r.seq}`);
    assert.match(fields.recorded, TIME_RE);
    assert.ok(Number.isInteger(r.receipt_batch) && Number.isInteger(r.receipt_index), `stored receipt ${r.seq}: no batch`);
  });
  checkStoredBatches(db, e, serverKey);
  const cities = rows.map((r) => `${r.round}/${r.city}`);
  assert.equal(new Set(cities).size, cities.length, `a city with two ballots in one round: ${cities.join(' ')}`);
  return rows;
}

describe('a ballot storm, SIGKILL in the middle, restart on the same database', () => {
  let srv;
  let w;
  let E;
  let present;
  const voters = []; // {c, key, city, person, role, ballot, signature, reply, lost}

  before(async () => {
    srv = await startDemo();
    w = await secretariat(srv);
    for (const city of DEMO) {
      if (city === 'athens') voters.push(await demoPerson(srv, 'athens', 'mayor'));
      else if (city === 'sofia') voters.push(await demoPerson(srv, 'sofia', 'deputy'));
      else if (city === 'zagreb') voters.push(await demoPerson(srv, 'zagreb', 'mayor'));
      else voters.push(await cityPerson(srv, city, 'mayor'));
    }
  });
  after(async () => {
    for (const x of voters) x.c?.close();
    w?.sec.c.close();
    await finish(srv);
  });

  test('setup: a summit with all 50 present, candidates athens and sofia, round 1 open', T, async () => {
    const s = await createSummit(w.sec, { year: 2027, host: 'zagreb', starts_on: '2027-01-25', ends_on: '2027-01-27', place: 'Zagreb' });
    present = await checkInAll(w.sec, s.id, DEMO);
    assert.equal(present.length, 50);
    E = (await callOk(w.sec.c, 'election.create', { summit: s.id, title: 'Presidency 2027' })).election;
    await callOk(w.sec.c, 'election.advance', { election: E.id, to: 'candidacy' });
    await callOk(voters.find((x) => x.city === 'athens').c, 'election.declare', { election: E.id });
    await callOk(voters.find((x) => x.city === 'sofia').c, 'election.declare', { election: E.id });
    E = (await callOk(w.sec.c, 'election.advance', { election: E.id, to: 'open' })).election;
    await checkPoll(w, E, 1, { kind: 'first', candidates: ['athens', 'sofia'], present });
  });

  test('46 ballots at once; SIGKILL after the first receipts; every receipt received is in the database after the restart', T, async (t) => {
    const rnd = roundOf(E, 1);
    const choices = ['athens', 'sofia', 'abstain'];
    voters.forEach((x, i) => {
      x.ballot = ballotText({ election: E.id, round: 1, poll: rnd.fingerprint, city: x.city, choice: choices[i % 3] });
      x.signature = signHex(x.key, x.ballot);
    });
    let receipts = 0;
    let killedAt = null;
    const storm = voters.filter((x) => !LATE.includes(x.city));
    assert.equal(storm.length, 46);
    // Nobody waits for a reply before sending.
    await Promise.all(storm.map(async (x, i) => {
      try {
        if (i >= BURST) await sleep((i - BURST + 1) * GAP_MS);
        if (killedAt !== null) throw new Error('not sent: the server was killed');
        await x.c.sendRaw(JSON.stringify({ id: `storm-${x.city}`, type: 'election.cast', ballot: x.ballot, signature: x.signature }));
        x.reply = await x.c.next(MS);
        if (x.reply.ok) {
          receipts += 1;
          if (receipts >= KILL_AFTER && killedAt === null) {
            killedAt = receipts;
            srv.proc.kill('SIGKILL');
          }
        }
      } catch (e) {
        x.lost = e.message;
      }
    }));
    assert.ok(killedAt !== null, `fewer than ${KILL_AFTER} receipts arrived: ${JSON.stringify(storm.map((x) => x.reply?.error?.code ?? x.lost ?? 'ok'))}`);
    const received = storm.filter((x) => x.reply?.ok);
    for (const x of storm.filter((y) => y.reply && !y.reply.ok)) {
      assert.fail(`a storm ballot was refused: ${x.city}: ${JSON.stringify(x.reply)}`);
    }
    // Each receipt received is well formed and signed, whatever happened next.
    for (const x of received) {
      x.receipt = checkReceipt(x.reply, { serverKey: w.serverKey, election: E.id, round: 1, ballot: x.ballot, signature: x.signature }, `receipt of ${x.city}`);
    }
    const { server, stopped } = await srv.restart({ signal: 'SIGKILL' });
    assert.equal(stopped.signal, 'SIGKILL', `the first server ended with ${JSON.stringify(stopped)}`);
    srv = server;
    const rows = checkStoredChain(srv.db, E.id, w.serverKey);
    const bySeq = new Map(rows.map((r) => [r.seq, r]));
    for (const x of received) {
      const row = bySeq.get(x.receipt.seq);
      assert.ok(row, `${x.city} holds a receipt for seq ${x.receipt.seq}, the database has ${rows.length} ballots`);
      assert.equal(row.ballot_hash, x.receipt.ballotHash, `seq ${x.receipt.seq}: another ballot than ${x.city}'s receipt names`);
      assert.equal(row.chain, x.receipt.chain, `seq ${x.receipt.seq}: the stored chain differs from ${x.city}'s receipt`);
      assert.equal(row.receipt, x.reply.receipt, `seq ${x.receipt.seq}: the stored receipt differs from the one sent`);
      assert.equal(row.city, x.city);
    }
    // Only ballots the clients sent, each from its own city.
    for (const r of rows) {
      const x = storm.find((y) => y.city === r.city);
      assert.ok(x, `a ballot of ${r.city}, which did not vote, is stored`);
      assert.equal(r.text, x.ballot, `the stored ballot of ${r.city} is not the one its mayor sent`);
      assert.equal(r.signature, x.signature);
    }
    t.diagnostic(`killed after ${killedAt} receipts; ${received.length} receipts reached the clients; ${rows.length} of 46 ballots stored; `
      + `${storm.filter((x) => x.lost?.startsWith('not sent')).length} not sent`);
    // election.get after the restart agrees with the database.
    w.sec = await reconnect(srv, w.sec);
    const e = await getElection(w.sec.c, E.id);
    assert.equal(e.state, 'open');
    assert.deepEqual(roundOf(e, 1).turnout, { voted: rows.length, eligible: 50 });
    assert.equal(roundOf(e, 1).poll, rnd.poll, 'the poll changed across the restart');
    E = e;
  });

  test('after the restart voting goes on: the storm again (already_voted for the recorded) and 4 more cities; the chain continues to the head', T, async () => {
    const before = storedBallots(srv.db, E.id);
    const stored = new Map(before.map((r) => [r.city, r]));
    for (let i = 0; i < voters.length; i++) voters[i] = await reconnect(srv, voters[i]);
    // Everyone sends the same ballot again (the four late cities for the first time), all at once.
    await Promise.all(voters.map((x) => x.c.sendRaw(JSON.stringify({ id: `again-${x.city}`, type: 'election.cast', ballot: x.ballot, signature: x.signature }))));
    const replies = await Promise.all(voters.map((x) => x.c.next(MS)));
    const fresh = [];
    voters.forEach((x, i) => {
      const r = replies[i];
      if (stored.has(x.city)) {
        assert.equal(fails(r, 'already_voted', `${x.city} again`).ballot_hash, stored.get(x.city).ballot_hash);
      } else {
        fresh.push(checkReceipt(r, { serverKey: w.serverKey, election: E.id, round: 1, ballot: x.ballot, signature: x.signature }, `${x.city} after the restart`));
      }
    });
    assert.equal(before.length + fresh.length, 50);
    assert.ok(fresh.length >= LATE.length);
    // The new receipts take the seqs after the stored ones, and chain on from the last stored link.
    assert.deepEqual(fresh.map((x) => x.seq).sort((a, b) => a - b), Array.from({ length: fresh.length }, (_, i) => before.length + 1 + i));
    const all = [...before.map((r) => ({ seq: r.seq, ballotHash: r.ballot_hash, signature: r.signature })), ...fresh];
    const links = chainOf(E.id, all);
    for (const x of fresh) assert.equal(x.chain, links[x.seq], `the receipt of seq ${x.seq} does not continue the chain`);
    checkStoredChain(srv.db, E.id, w.serverKey);
    // Close: the head names seq 50 and the last link; the published list is every ballot by seq.
    E = (await callOk(w.sec.c, 'election.advance', { election: E.id, to: 'closed' })).election;
    const rnd = roundOf(E, 1);
    checkChainHead(rnd.chain_head, rnd.chain_head_signature, { serverKey: w.serverKey, election: E.id, round: 1, seq: 50, chain: links[50] });
    const hashes = [...all].sort((a, b) => a.seq - b.seq).map((x) => x.ballotHash);
    assert.deepEqual(rnd.result.ballots, hashes);
    assert.equal(rnd.result.quorum.ballots, 50);
    assert.equal(rnd.result.roll_call.length, 50);
    assert.ok(rnd.result.roll_call.every((x) => x.status === 'voted' || x.status === 'abstained'), 'everyone voted');
    // The count: 17 athens, 17 sofia, 16 abstain by the order of DEMO (i % 3).
    assert.deepEqual(rnd.result.counts, { athens: 17, sofia: 17 });
    assert.equal(rnd.result.abstentions, 16);
    assert.equal(rnd.result.outcome, 'runoff', 'a tie in front: a runoff between the tied');
    assert.deepEqual([...rnd.result.next].sort(), ['athens', 'sofia']);
  });
});
