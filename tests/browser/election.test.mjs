// Browser tests of the summit and election pages (web/chair.html, vote.html,
// results.html, summit.html) and their modules (ballot.js, election.js), in
// Debian's Chromium driven by playwright-core, against the real server
// started by tests/lib/harness.mjs with the demo network (`b40 init --demo`
// prints the enrollment links of the secretary, the expert, the mayors of
// Zagreb and Athens and the deputy mayor of Sofia).
//
//   cd tests && B40_BIN=../build/b40 node --test browser/election.test.mjs
//
// One story, in order (each case builds on the ones before it): the
// secretary schedules the 2027 summit in Zagreb on chair.html, checks in
// Athens, Sofia and Zagreb at the desk and creates the election with a
// quorum of more than 1/20 (so that three cities are a quorum); Athens and
// Sofia put themselves forward, Zagreb (the president city) is refused;
// Sofia withdraws and declares again, the secretary withdraws her and she
// comes back, every open page following live (election.changed) and none
// polling; Athens registers its delegation and corrects it from the form
// filled in with what it registered; round 1 (Athens on a 390x844 phone,
// Sofia, Zagreb abstaining) ends in a runoff; in round 2 the server is
// stopped while Sofia signs, the ballot waits on the device and is sent by
// itself when the server is back, and sent again after a reload it is
// recognised as the same ballot; Athens is elected. Each browser context is
// one device, holding its own key.
//
// Every page is checked for console errors, page errors, failed requests,
// CSP violations and (on the phone) overflow, small touch targets and style
// attributes. While the server is down on purpose, Chromium's own "WebSocket
// connection ... failed" console lines are expected and set aside.
//
// A message type the server does not implement yet (unknown_type) makes the
// cases that need it skip, naming it, rather than fail: the pages were
// written against docs/protocol.md before the server's election code.
//
// Screenshots go to $B40_ARTIFACTS (default tests/artifacts): election-*.png.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { startServer, parseEnrollLinks, SOURCE } from '../lib/harness.mjs';
import { checkReceiptProof } from '../e2e/elutil.mjs';

const ARTIFACTS = process.env.B40_ARTIFACTS || join(SOURCE, 'tests', 'artifacts');
const CHROMIUM = process.env.B40_CHROMIUM || '/usr/bin/chromium';
const WAIT_MS = 15000;

const DESKTOP = { viewport: { width: 1280, height: 900 } };
const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };

const NEEDED = ['summit.list', 'summit.create', 'summit.get', 'attendance.check_in', 'delegation.register', 'delegation.list',
  'delegation.get', 'election.create', 'election.declare', 'election.withdraw', 'election.advance', 'election.get',
  'election.cast', 'election.watch'];

const sha256hex = (t) => crypto.createHash('sha256').update(Buffer.from(t, 'utf8')).digest('hex');
const SPKI_ED25519 = Buffer.from('302a300506032b6570032100', 'hex');
function verifyHex(pubHex, text, sigHex) {
  const key = crypto.createPublicKey({ key: Buffer.concat([SPKI_ED25519, Buffer.from(pubHex, 'hex')]), format: 'der', type: 'spki' });
  return crypto.verify(null, Buffer.from(text, 'utf8'), key, Buffer.from(sigHex, 'hex'));
}

function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', '--disable-gpu'],
  });
}

let serverDown = false;   // set while the test stops the server on purpose

/**
 * A new context (one device) that records what must not happen: console
 * errors, page errors, failed requests, HTTP errors, CSP violations, alerts.
 */
async function newDevice(browser, name, options = DESKTOP) {
  const context = await browser.newContext({ ignoreHTTPSErrors: true, acceptDownloads: true, ...options });
  await context.addInitScript(() => {
    window.__b40CspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__b40CspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || '(inline)'}`);
    });
  });
  const problems = [];
  const expected = [];
  const watch = (page) => {
    page.on('console', (m) => {
      const text = `${name} console.${m.type()}: ${m.text()}`;
      if (serverDown && /WebSocket connection to .* failed/.test(m.text())) expected.push(text);
      else if (m.type() === 'error' || /Content.Security.Policy/i.test(m.text())) problems.push(text);
    });
    page.on('pageerror', (e) => problems.push(`${name} pageerror: ${e.message}`));
    page.on('requestfailed', (r) => { if (!serverDown) problems.push(`${name} request failed: ${r.url()} (${r.failure()?.errorText})`); });
    page.on('response', (r) => { if (r.status() >= 400) problems.push(`${name} HTTP ${r.status()}: ${r.url()}`); });
    page.on('dialog', (d) => { problems.push(`${name} unexpected ${d.type()}: ${d.message()}`); d.dismiss().catch(() => {}); });
  };
  context.on('page', watch);
  return { name, context, problems, expected, newPage: () => context.newPage() };
}

async function cspViolations(page) {
  return page.evaluate(() => window.__b40CspViolations);
}

/** Waits for a selector; on timeout says what the page showed and what the server printed. */
async function waitFor(page, selector, srv, { timeout = WAIT_MS, state = 'visible' } = {}) {
  try {
    return await page.waitForSelector(selector, { timeout, state });
  } catch (err) {
    const shown = await page.evaluate(() => {
      const main = document.querySelector('main');
      const st = main?.querySelector('[data-state]');
      return `data-state=${st?.dataset.state}\n${(main?.innerText || '').slice(0, 2000)}`;
    }).catch(() => '(page gone)');
    err.message += `\npage ${page.url()} shows:\n${shown}\nserver output ends:\n${srv().output().slice(-2500)}`;
    throw err;
  }
}

/** Controls under 44 px, the page's overflow and any style attribute. */
async function phoneLayout(page) {
  return page.evaluate(() => {
    const visible = (el) => {
      const r = el.getBoundingClientRect();
      return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden';
    };
    const small = [...document.querySelectorAll('button, .button, .site-nav a, .brand, input:not([type="checkbox"]):not([type="radio"]), select, textarea, .check, .choice, summary')]
      .filter(visible)
      .map((el) => ({ what: `${el.tagName.toLowerCase()}#${el.id || ''}.${el.className || ''} "${(el.textContent || '').trim().slice(0, 30)}"`, r: el.getBoundingClientRect() }))
      .filter(({ r }) => r.height < 44 || r.width < 44)
      .map(({ what, r }) => `${what} ${Math.round(r.width)}x${Math.round(r.height)}`);
    return {
      scrollWidth: document.documentElement.scrollWidth,
      innerWidth: window.innerWidth,
      small,
      styleAttributes: [...document.querySelectorAll('[style]:not([style=""])')].map((el) => el.outerHTML.slice(0, 300)),
    };
  });
}

async function assertPhoneLayout(page, what) {
  const layout = await phoneLayout(page);
  assert.equal(layout.innerWidth, 390);
  assert.ok(layout.scrollWidth <= layout.innerWidth, `${what}: the page is ${layout.scrollWidth} px wide in a 390 px viewport`);
  assert.deepEqual(layout.small, [], `${what}: every control is at least 44x44 px`);
  assert.deepEqual(layout.styleAttributes, [], `${what}: no style attributes`);
}

async function noStyleAttributes(page, what) {
  const n = await page.evaluate(() => [...document.querySelectorAll('[style]:not([style=""])')].map((el) => el.outerHTML.slice(0, 200)));
  assert.deepEqual(n, [], `${what}: no style attributes`);
}

/** One request on a fresh public connection from the page (the page's own client is module-private). */
async function rpc(page, type, fields = {}) {
  return page.evaluate(async ([t, f]) => {
    const { B40Client } = await import('/js/client.js');
    const c = new B40Client();
    await new Promise((r) => { c.addEventListener('state', (e) => { if (e.detail.state === 'open') r(); }); c.connect(); });
    try {
      return await c.request(t, f);
    } catch (err) {
      return { ok: false, error: { code: err.code, message: err.message } };
    } finally {
      c.close();
    }
  }, [type, fields]);
}

describe('summit and election pages (demo network)', () => {
  let server;
  let browser;
  let missing = null;     // message types the server does not know yet
  const dev = {};         // secretary, expert (phone), athens (phone), sofia, zagreb, anyone
  const page = {};        // the long-lived pages of each device
  let electionId = null;
  let serverKey = null;
  const srv = () => server;

  function linkFor(pattern) {
    const found = parseEnrollLinks(server.initOutput).find((l) => pattern.test(l.context));
    assert.ok(found, `b40 init --demo printed no enrollment link matching ${pattern}:\n${server.initOutput}`);
    return found.url(server.origin);
  }

  async function enroll(d, pattern) {
    const p = await d.newPage();
    await p.goto(linkFor(pattern), { waitUntil: 'load' });
    await waitFor(p, '#enroll[data-state="confirm"]', srv);
    await p.click('#enroll-button');
    await waitFor(p, '#enroll[data-state="done"]', srv);
    return p;
  }

  async function confirmDialog(p, { expect } = {}) {
    const dlg = await waitFor(p, 'dialog[open]', srv);
    if (expect) assert.match(await dlg.textContent(), expect);
    await p.click('dialog[open] button[type="submit"]');
    await p.waitForSelector('dialog[open]', { state: 'detached', timeout: WAIT_MS });
  }

  function skipWhenMissing(t, ...types) {
    const gone = (missing || NEEDED).filter((x) => types.length === 0 || types.includes(x));
    if (missing === null) { t.skip('the first case did not run'); return true; }
    if (gone.length) { t.skip(`NOT IMPLEMENTED by the server yet (unknown_type): ${gone.join(', ')}`); return true; }
    return false;
  }

  function allProblems() {
    return Object.values(dev).flatMap((d) => d.problems);
  }

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    server = await startServer({ demo: true });
    serverKey = /server public key ed25519:([0-9a-f]{64})\b/.exec(server.initOutput)?.[1] ?? null;
    browser = await launchBrowser();
  });

  after(async () => {
    for (const d of Object.values(dev)) await d.context.close().catch(() => {});
    await browser?.close();
    await server?.stop();
  });

  test('(0) which summit and election messages the server implements', { timeout: 60000 }, async () => {
    dev.anyone = await newDevice(browser, 'anyone');
    const p = await dev.anyone.newPage();
    await p.goto(`${server.origin}/members.html`, { waitUntil: 'load' });
    // ballot.js builds the ballot of docs/audit.md byte for byte, and refuses what the server would.
    const built = await p.evaluate(async () => {
      const b = await import('/js/ballot.js');
      const f = { election: 7, round: 2, poll: 'ab'.repeat(32), city: 'athens', choice: 'sofia', nonce: '0f'.repeat(16) };
      const refused = (g) => { try { b.ballotText({ ...f, ...g }); return false; } catch { return true; } };
      const d = b.draftBallot({ ...f, choice: 'abstain' });
      return {
        text: b.ballotText(f),
        draft: d.text,
        nonce: d.nonce,
        refused: [refused({ choice: 'Sofia' }), refused({ choice: 'sofia\n' }), refused({ poll: 'AB'.repeat(32) }),
          refused({ nonce: '0f'.repeat(15) }), refused({ round: 0 }), refused({ city: 'x' })],
        parsed: b.parseText(b.ballotText(f)),
      };
    });
    assert.equal(built.text, `b40-ballot-v1\nnetwork: b40-balkan-cities\nelection: 7\nround: 2\npoll: ${'ab'.repeat(32)}\n`
      + `city: athens\nchoice: sofia\nnonce: ${'0f'.repeat(16)}\n`);
    assert.match(built.nonce, /^[0-9a-f]{32}$/);
    assert.equal(built.draft, built.text.replace('choice: sofia', 'choice: abstain').replace('0f'.repeat(16), built.nonce));
    assert.deepEqual(built.refused, [true, true, true, true, true, true]);
    assert.equal(built.parsed.kind, 'b40-ballot-v1');
    assert.equal(built.parsed.fields.choice, 'sofia');

    missing = [];
    for (const type of NEEDED) {
      const r = await rpc(p, type, {});
      if (r.ok === false && r.error.code === 'unknown_type') missing.push(type);
    }
    await p.close();
    if (missing.length) console.log(`# NOT IMPLEMENTED by the server yet: ${missing.join(', ')}`);
    // The pages load and explain themselves even so; no console error, no CSP violation.
    for (const path of ['/vote.html', '/results.html', '/summit.html', '/chair.html']) {
      const q = await dev.anyone.newPage();
      await q.goto(`${server.origin}${path}`, { waitUntil: 'load' });
      await waitFor(q, 'main [data-state]:not([data-state="loading"]):not([data-state="checking"])', srv);
      assert.deepEqual(await cspViolations(q), [], path);
      await noStyleAttributes(q, path);
      await q.close();
    }
    assert.deepEqual(dev.anyone.problems, []);
  });

  test('(1) chair.html: the secretary schedules the 2027 summit, checks in Athens, Sofia and Zagreb, creates the election and opens candidacies', { timeout: 120000 }, async (t) => {
    if (skipWhenMissing(t, 'summit.list', 'summit.create', 'attendance.check_in', 'election.create', 'election.advance', 'election.get', 'election.watch')) return;
    dev.secretary = await newDevice(browser, 'secretary');
    (await enroll(dev.secretary, /Network secretary/)).close();
    const p = page.secretary = await dev.secretary.newPage();
    await p.goto(`${server.origin}/chair.html`, { waitUntil: 'load' });
    await waitFor(p, '#chair[data-state="ready"]', srv);
    await waitFor(p, '#summit-select option', srv, { state: 'attached' });
    assert.match(await p.textContent('#summit-select'), /2026/, 'the demo summits are listed');

    // Schedule the 2027 summit in Zagreb (the president city hosts it).
    await p.click('#new-summit');
    await waitFor(p, 'dialog[open] #s-year', srv);
    await p.fill('#s-year', '2027');
    await p.selectOption('#s-host', 'zagreb');
    await p.fill('#s-starts', '2027-01-25');
    await p.fill('#s-ends', '2027-01-27');
    await p.fill('#s-place', 'Zagreb, City Hall');
    await p.screenshot({ path: join(ARTIFACTS, 'election-chair-summit-dialog-desktop.png') });
    await p.click('dialog[open] button[type="submit"]');
    await p.waitForSelector('dialog[open]', { state: 'detached', timeout: WAIT_MS });
    await p.waitForFunction(() => /2027/.test(document.querySelector('#summit-select option:checked')?.textContent || ''), null, { timeout: WAIT_MS });
    assert.match(await p.textContent('#summit-facts'), /Zagreb/);

    // The desk: search, check in, three times.
    for (const [q, code] of [['ath', 'athens'], ['Sof', 'sofia'], ['zagreb', 'zagreb']]) {
      await p.fill('#desk-q', q);
      await waitFor(p, `#desk-list li[data-code="${code}"][data-present="no"] button`, srv);
      await p.click(`#desk-list li[data-code="${code}"] button`);
      await confirmDialog(p, { expect: /present/ });
      await waitFor(p, `#desk-list li[data-code="${code}"][data-present="yes"]`, srv);
    }
    await p.fill('#desk-q', '');
    assert.match(await p.textContent('#desk-count'), /^3 of \d+ member cities checked in$/);

    // The election: a quorum of more than 1/20, so that 3 present cities are enough.
    await waitFor(p, '#election-form', srv);
    await p.fill('#e-title-input', 'Presidency election 2027');
    await p.selectOption('#e-quorum', 'other');
    await p.fill('#e-quorum-num', '1');
    await p.fill('#e-quorum-den', '20');
    await p.click('#election-create');
    const view = await waitFor(p, '#election-view[data-state="draft"]', srv);
    electionId = Number(await view.getAttribute('data-election'));
    assert.ok(electionId > 0);
    assert.match(await p.textContent('#ev-quorum'), /1\/20/);
    assert.match(await p.textContent('#quorum-now'), /^3 of \d+ present; 3 needed — met$/);

    await p.click('#advance button[data-to="candidacy"]');
    await confirmDialog(p, { expect: /Zagreb holds the presidency now/ });
    await waitFor(p, '#election-view[data-state="candidacy"]', srv);
    await p.screenshot({ path: join(ARTIFACTS, 'election-chair-desktop.png'), fullPage: true });
    assert.deepEqual(await cspViolations(p), []);
    await noStyleAttributes(p, 'chair');
    assert.deepEqual(dev.secretary.problems, []);
  });

  test('(2) vote.html: Athens (phone) and Sofia put themselves forward; Zagreb, the president city, is refused in plain words', { timeout: 120000 }, async (t) => {
    if (skipWhenMissing(t, 'election.declare', 'election.get')) return;
    assert.ok(electionId, 'case (1) created the election');
    for (const [key, pattern, options] of [['athens', /Mayor of Athens/, PHONE], ['sofia', /Deputy mayor of Sofia/, DESKTOP], ['zagreb', /Mayor of Zagreb/, DESKTOP]]) {
      dev[key] = await newDevice(browser, key, options);
      (await enroll(dev[key], pattern)).close();
      page[key] = await dev[key].newPage();
      // Athens opens the page from the menu: the page finds the election by itself.
      await page[key].goto(`${server.origin}/vote.html${key === 'athens' ? '' : `?election=${electionId}`}`, { waitUntil: 'load' });
      await waitFor(page[key], '#vote[data-state="candidacy"]', srv);
    }
    const a = page.athens;
    assert.equal(await a.textContent('#me-city'), 'Athens');
    assert.match(await a.textContent('#attendance-text'), /Athens is checked in at the 2027 summit/);
    await a.screenshot({ path: join(ARTIFACTS, 'election-vote-candidacy-phone.png'), fullPage: true });
    await assertPhoneLayout(a, 'vote (candidacy)');
    for (const key of ['athens', 'sofia']) {
      await page[key].click('#declare');
      await confirmDialog(page[key], { expect: /hosts the next annual summit/ });
      await waitFor(page[key], `#candidates li[data-code="${key}"]`, srv);
      assert.match(await page[key].textContent('#status'), /is now a candidate/);
    }

    const z = page.zagreb;
    await z.click('#declare');
    await confirmDialog(z);
    await waitFor(z, '#status.alert--error', srv);
    assert.match(await z.textContent('#status'),
      /Zagreb could not be put forward\. Zagreb holds the presidency now, and no city may hold two terms in a row/);
    await z.screenshot({ path: join(ARTIFACTS, 'election-vote-refused-desktop.png'), fullPage: true });
    const e = (await rpc(z, 'election.get', { election: electionId })).election;
    assert.deepEqual([...e.candidates].sort(), ['athens', 'sofia']);
    for (const key of ['athens', 'sofia', 'zagreb']) {
      assert.deepEqual(await cspViolations(page[key]), [], key);
      assert.deepEqual(dev[key].problems, [], key);
    }
  });

  /** The requests a page sends on its WebSocket (JSON frames with a type), from now on. */
  function sentRequests(p) {
    const sent = [];
    p.on('websocket', (ws) => ws.on('framesent', (f) => {
      try {
        const m = JSON.parse(f.payload);
        if (m && typeof m.type === 'string') sent.push(m.type);
      } catch { /* not a request */ }
    }));
    return sent;
  }

  test('(2b) live, never polling: withdrawals and declarations appear at once on the chair, vote and results pages', { timeout: 120000 }, async (t) => {
    if (skipWhenMissing(t, 'election.withdraw', 'election.declare', 'election.watch')) return;
    assert.ok(page.secretary && page.athens && page.sofia, 'cases (1) and (2) ran');
    const LIVE_MS = 4000;   // an event, not a poll (the pages used to ask every 10-15 s)
    const c = page.secretary;
    const a = page.athens;
    const so = page.sofia;
    await waitFor(c, '#chair-candidates li[data-code="athens"]', srv);
    await waitFor(c, '#chair-candidates li[data-code="sofia"]', srv);
    const pub = await dev.anyone.newPage();
    await pub.goto(`${server.origin}/results.html?election=${electionId}`, { waitUntil: 'load' });
    await pub.waitForFunction(() => /Standing: Athens, Sofia\./.test(document.querySelector('#status')?.textContent || ''), null, { timeout: WAIT_MS });

    // Sofia withdraws her city's candidacy on the vote page.
    await so.click('#withdraw');
    await confirmDialog(so, { expect: /no longer be a candidate/ });
    await waitFor(so, '#declare', srv);
    assert.match(await so.textContent('#status'), /Sofia’s candidacy is withdrawn/);
    assert.match(await so.textContent('#withdrawn-note'), /candidacy was withdrawn\. You can put the city forward again/);
    await waitFor(c, '#chair-candidates li[data-code="sofia"]', srv, { state: 'detached', timeout: LIVE_MS });
    assert.match(await c.textContent('#chair-ended'), /No longer standing: Sofia \(withdrawn by the city\)/);
    await waitFor(a, '#candidates li[data-code="sofia"]', srv, { state: 'detached', timeout: LIVE_MS });
    await pub.waitForFunction(() => /Standing: Athens\./.test(document.querySelector('#status')?.textContent || ''), null, { timeout: LIVE_MS });

    // She puts it forward again.
    await so.click('#declare');
    await confirmDialog(so);
    await waitFor(so, '#withdraw', srv);
    await waitFor(c, '#chair-candidates li[data-code="sofia"]', srv, { timeout: LIVE_MS });
    await waitFor(a, '#candidates li[data-code="sofia"]', srv, { timeout: LIVE_MS });

    // The secretary withdraws it at the desk; Sofia's page says so at once, and she comes back once more.
    await c.click('#chair-candidates button[data-withdraw="sofia"]');
    await confirmDialog(c, { expect: /Withdraw the candidacy of Sofia/ });
    await waitFor(c, '#chair-candidates li[data-code="sofia"]', srv, { state: 'detached', timeout: LIVE_MS });
    assert.match(await c.textContent('#chair-ended'), /Sofia \(withdrawn by the secretariat\)/);
    await waitFor(so, '#withdrawn-note:not([hidden])', srv, { timeout: LIVE_MS });
    assert.match(await so.textContent('#withdrawn-note'), /withdrawn by the secretariat/);
    await so.click('#declare');
    await confirmDialog(so);
    await waitFor(c, '#chair-candidates li[data-code="sofia"]', srv, { timeout: LIVE_MS });
    await waitFor(c, '#chair-ended', srv, { state: 'hidden', timeout: LIVE_MS });
    await pub.waitForFunction(() => /Standing: Athens, Sofia\./.test(document.querySelector('#status')?.textContent || ''), null, { timeout: LIVE_MS });
    const e = (await rpc(c, 'election.get', { election: electionId })).election;
    assert.deepEqual(e.candidates, ['athens', 'sofia']);
    assert.deepEqual(e.candidacies.map((x) => [x.city, x.status]), [['athens', 'standing'], ['sofia', 'standing']]);
    await c.screenshot({ path: join(ARTIFACTS, 'election-chair-candidacies-desktop.png'), fullPage: true });
    await pub.close();

    // Idle pages send nothing: a fresh chair page and a fresh vote page, watched for longer than the old polling periods.
    const chair2 = await dev.secretary.newPage();
    const chairSent = sentRequests(chair2);
    await chair2.goto(`${server.origin}/chair.html?election=${electionId}`, { waitUntil: 'load' });
    await waitFor(chair2, '#election-view[data-state="candidacy"]', srv);
    const vote2 = await dev.zagreb.newPage();
    const voteSent = sentRequests(vote2);
    await vote2.goto(`${server.origin}/vote.html?election=${electionId}`, { waitUntil: 'load' });
    await waitFor(vote2, '#vote[data-state="candidacy"]', srv);
    await new Promise((r) => setTimeout(r, 1000));   // the loads settle
    assert.ok(chairSent.includes('election.watch') && voteSent.includes('election.watch'), `${chairSent} / ${voteSent}`);
    const [nChair, nVote] = [chairSent.length, voteSent.length];
    await new Promise((r) => setTimeout(r, 16000));
    assert.deepEqual(chairSent.slice(nChair), [], 'the idle chair page sent requests (polling?)');
    assert.deepEqual(voteSent.slice(nVote), [], 'the idle vote page sent requests (polling?)');
    await chair2.close();
    await vote2.close();
    for (const key of ['secretary', 'athens', 'sofia', 'zagreb', 'anyone']) {
      assert.deepEqual(dev[key].problems, [], key);
    }
  });

  test('(3) summit.html: Athens registers its delegation on a phone, nights and meals computed; the host sees every delegation', { timeout: 90000 }, async (t) => {
    if (skipWhenMissing(t, 'summit.get', 'delegation.register', 'delegation.list')) return;
    assert.ok(dev.athens, 'case (2) enrolled Athens');
    const p = await dev.athens.newPage();
    await p.goto(`${server.origin}/summit.html`, { waitUntil: 'load' });
    await waitFor(p, '#summit[data-state="ready"]', srv);
    assert.match(await p.textContent('#s-title'), /2027/);
    assert.match(await p.textContent('main'), /host city covers the visiting delegations’ accommodation and meals; delegations pay their own travel/);
    await waitFor(p, '#delegation-form', srv);
    await p.fill('#d-delegates', '3');
    await p.fill('#d-arrival', '2027-01-24');
    await p.fill('#d-departure', '2027-01-27');
    await p.fill('#d-dietary', '1 vegetarian');
    const calc = await waitFor(p, '#d-calc[data-nights="3"][data-meals="36"]', srv);
    assert.match(await calc.textContent(), /3 delegates × 3 nights = 9 person-nights/);
    await p.screenshot({ path: join(ARTIFACTS, 'election-summit-phone.png'), fullPage: true });
    await assertPhoneLayout(p, 'summit');
    await p.click('#d-submit');
    await waitFor(p, '#delegation-status.alert--ok', srv);
    assert.match(await p.textContent('#delegation-result'), /Meals\s*36/);
    await waitFor(p, '#hospitality [data-key="meals"] dd:text("36")', srv);
    assert.deepEqual(await cspViolations(p), []);
    await p.close();

    // Back later to correct it: the form shows the registration as stored (delegation.get).
    const p2 = await dev.athens.newPage();
    await p2.goto(`${server.origin}/summit.html`, { waitUntil: 'load' });
    await waitFor(p2, '#delegation-form[data-prefilled="yes"]', srv);
    assert.equal(await p2.inputValue('#d-delegates'), '3');
    assert.equal(await p2.inputValue('#d-arrival'), '2027-01-24');
    assert.equal(await p2.inputValue('#d-departure'), '2027-01-27');
    assert.equal(await p2.inputValue('#d-dietary'), '1 vegetarian');
    assert.match(await p2.textContent('#d-registered'), /Athens’s delegation is registered/);
    assert.equal((await p2.textContent('#d-submit')).trim(), 'Update the registration');
    await waitFor(p2, '#d-calc[data-nights="3"][data-meals="36"]', srv);
    await p2.screenshot({ path: join(ARTIFACTS, 'election-summit-prefilled-phone.png'), fullPage: true });
    await assertPhoneLayout(p2, 'summit (prefilled)');
    await p2.fill('#d-delegates', '2');
    await p2.click('#d-submit');
    await waitFor(p2, '#delegation-status.alert--ok', srv);
    assert.match(await p2.textContent('#delegation-result'), /Meals\s*24/);
    const back = await rpc(p2, 'summit.get', { summit: (await rpc(p2, 'summit.list')).summits[0].id });
    assert.equal(back.summit.hospitality.meals, 24, 'the correction replaced the registration');
    await p2.close();

    const z = await dev.zagreb.newPage();
    await z.goto(`${server.origin}/summit.html`, { waitUntil: 'load' });
    await waitFor(z, '#delegations tr[data-city="athens"]', srv);
    await z.screenshot({ path: join(ARTIFACTS, 'election-summit-desktop.png'), fullPage: true });
    await noStyleAttributes(z, 'summit');
    await z.close();
    assert.deepEqual(dev.athens.problems, []);
    assert.deepEqual(dev.zagreb.problems, []);
  });

  /** Chooses, checks the exact ballot text shown, signs and sends; returns the text shown. */
  async function vote(key, choice, { round, shots = null } = {}) {
    const p = page[key];
    await waitFor(p, '#vote[data-state="choose"]', srv);
    if (shots) await p.screenshot({ path: join(ARTIFACTS, `election-vote-choose-${shots}.png`), fullPage: true });
    if (shots?.endsWith('phone')) await assertPhoneLayout(p, 'vote (choose)');
    assert.equal(await p.$$eval('#choices input:checked', (els) => els.length), 0, 'no choice is made for the voter');
    await p.click(`label[for="choice-${choice}"]`);
    await p.click('#continue');
    await waitFor(p, '#vote[data-state="confirm"]', srv);
    const shown = await p.textContent('#ballot-text');
    const e = (await rpc(p, 'election.get', { election: electionId })).election;
    const r = e.rounds.find((x) => x.round === round);
    assert.equal(r.fingerprint, sha256hex(r.poll), 'the poll fingerprint is SHA-256 of the poll text');
    const m = /^b40-ballot-v1\nnetwork: b40-balkan-cities\nelection: (\d+)\nround: (\d+)\npoll: ([0-9a-f]{64})\ncity: ([a-z-]+)\nchoice: ([a-z-]+)\nnonce: ([0-9a-f]{32})\n$/.exec(shown);
    assert.ok(m, `the ballot text is canonical:\n${shown}`);
    assert.deepEqual(m.slice(1, 6), [String(electionId), String(round), r.fingerprint, key, choice]);
    if (shots) {
      await p.screenshot({ path: join(ARTIFACTS, `election-vote-confirm-${shots}.png`), fullPage: true });
      if (shots.endsWith('phone')) await assertPhoneLayout(p, 'vote (confirm)');
    }
    return { p, shown };
  }

  async function expectReceipt(p, shown, { seq } = {}) {
    await waitFor(p, '#vote[data-state="receipt"]', srv, { timeout: 45000 });
    assert.equal(await p.textContent('#receipt-hash'), sha256hex(shown), 'the receipt names the hash of the text shown');
    if (seq !== undefined) assert.equal(await p.textContent('#receipt-seq'), String(seq));
  }

  test('(4) round 1: the chair opens it; Athens votes on a phone and saves the receipt; Sofia and Zagreb vote; the chair closes it: a runoff', { timeout: 180000 }, async (t) => {
    if (skipWhenMissing(t)) return;
    assert.ok(page.secretary && page.athens, 'cases (1) and (2) ran');
    const c = page.secretary;
    await c.click('#advance button[data-to="open"]');
    await confirmDialog(c, { expect: /3 of \d+ member cities are checked in; 3 are needed for the quorum \(met\)/ });
    await waitFor(c, '#election-view[data-state="open"]', srv);
    await waitFor(c, '#turnout[data-voted="0"][data-eligible="3"]', srv);
    assert.deepEqual(await c.$$eval('#not-voted li[data-code]', (els) => els.map((e) => e.dataset.code).sort()), ['athens', 'sofia', 'zagreb']);

    // Athens, on the phone: the choices, the exact text, the receipt.
    const { p: a, shown } = await vote('athens', 'athens', { round: 1, shots: 'phone' });
    assert.deepEqual(await a.$$eval('#choices input[name="choice"]', (els) => els.map((e) => e.value)), ['athens', 'sofia', 'abstain']);
    await a.click('#sign-send');
    await expectReceipt(a, shown, { seq: 1 });
    assert.equal(await a.textContent('#receipt-check'), 'Checked on this device: valid');
    await a.screenshot({ path: join(ARTIFACTS, 'election-vote-receipt-phone.png'), fullPage: true });
    await assertPhoneLayout(a, 'vote (receipt)');
    const [download] = await Promise.all([a.waitForEvent('download'), a.click('#save-receipt')]);
    assert.match(download.suggestedFilename(), /^b40-receipt-election-\d+-round-1-athens\.txt$/);
    const file = readFileSync(await download.path(), 'utf8');
    const receipt = /----- receipt \(the exact text the server signed\) -----\n(b40-receipt-v1\n(?:[a-z0-9-]+: [^\n]+\n)+)/.exec(file)?.[1];
    const batch = /----- receipt batch \(the exact text the server signed: the Merkle root of its receipts\) -----\n(b40-receipt-batch-v1\n(?:[a-z0-9-]+: [^\n]+\n)+)/.exec(file)?.[1];
    const batchSig = /----- receipt batch signature \(Ed25519, hex\) -----\n([0-9a-f]{128})\n/.exec(file)?.[1];
    const index = /----- place of this receipt in the batch \(index, from 0\) -----\n([0-9]+)\n/.exec(file)?.[1];
    const pathPart = /----- audit path \(SHA-256, hex, nearest the receipt first; RFC 9162 2\.1\.3\) -----\n((?:[0-9a-f]{64}\n)+|\(none: the batch holds this receipt alone\)\n)/.exec(file)?.[1];
    const fileKey = /----- server public key \(Ed25519, hex\) -----\n([0-9a-f]{64})\n/.exec(file)?.[1];
    assert.ok(receipt && batch && batchSig && index && pathPart && fileKey,
      `the saved receipt has the receipt, its batch with signature, place and path, and the server key:\n${file}`);
    const path = pathPart.startsWith('(') ? [] : pathPart.trim().split('\n');
    assert.ok(file.includes(shown), 'the saved receipt holds the ballot text as shown');
    assert.match(receipt, new RegExp(`\nballot-sha256: ${sha256hex(shown)}\n`));
    if (serverKey) assert.equal(fileKey, serverKey, 'the key in the file is the server key b40 init printed');
    // the proof in the file checks out with the docs' definitions (elutil.mjs, written from docs/audit.md)
    checkReceiptProof({ receipt, receipt_batch: batch, receipt_batch_signature: batchSig, receipt_index: Number(index), receipt_path: path },
      fileKey, 'the saved receipt file');

    await waitFor(c, '#turnout[data-voted="1"]', srv);
    await c.waitForFunction(() => !document.querySelector('#not-voted li[data-code="athens"]'), null, { timeout: WAIT_MS });

    const s1 = await vote('sofia', 'sofia', { round: 1, shots: 'desktop' });
    await s1.p.click('#sign-send');
    await expectReceipt(s1.p, s1.shown, { seq: 2 });
    await s1.p.screenshot({ path: join(ARTIFACTS, 'election-vote-receipt-desktop.png'), fullPage: true });
    const z1 = await vote('zagreb', 'abstain', { round: 1 });
    await z1.p.click('#sign-send');
    await expectReceipt(z1.p, z1.shown, { seq: 3 });
    assert.match(await z1.p.textContent('#receipt-choice'), /Zagreb abstained in round 1/);
    await waitFor(c, '#turnout[data-voted="3"]', srv);
    await c.waitForFunction(() => !document.querySelector('#not-voted li[data-code]'), null, { timeout: WAIT_MS });
    await c.screenshot({ path: join(ARTIFACTS, 'election-chair-open-desktop.png'), fullPage: true });

    await c.click('#advance button[data-to="closed"]');
    await confirmDialog(c, { expect: /3 of 3 eligible cities have voted/ });
    await waitFor(c, '#election-view[data-state="closed"]', srv);
    await waitFor(c, '#round-result:not([hidden])', srv);
    assert.match(await c.textContent('#round-outcome'), /A runoff follows between Athens and Sofia/);

    // Athens, after the close: "Check my ballot" finds it in the published list.
    await waitFor(a, '#vote[data-state="closed"]', srv);
    assert.equal(await a.inputValue('#check-hash'), sha256hex(shown));
    await a.click('#check-ballot');
    const found = await waitFor(a, '#check-result[data-found="yes"]', srv);
    assert.match(await found.textContent(), /number 1 of 3 in the list published when round 1 closed/);
    await a.screenshot({ path: join(ARTIFACTS, 'election-vote-closed-phone.png'), fullPage: true });
    await assertPhoneLayout(a, 'vote (closed)');
    assert.deepEqual(allProblems(), []);
  });

  test('(5) results.html after round 1: the bar chart, counts, quorum, roll call adding up to the roll, chain head, ballot hashes', { timeout: 90000 }, async (t) => {
    if (skipWhenMissing(t)) return;
    assert.ok(electionId);
    for (const [options, suffix] of [[DESKTOP, 'desktop'], [PHONE, 'phone']]) {
      const d = await newDevice(browser, `public-${suffix}`, options);
      try {
        const p = await d.newPage();
        await p.goto(`${server.origin}/results.html?election=${electionId}`, { waitUntil: 'load' });
        await waitFor(p, '#results[data-state="ready"]', srv);
        const round = await waitFor(p, '#rounds section[data-round="1"][data-outcome="runoff"]', srv);
        const votes = await round.$$eval('.bar-chart li[data-code]', (els) => Object.fromEntries(els.map((e) => [e.dataset.code, Number(e.dataset.votes)])));
        assert.deepEqual(votes, { athens: 1, sofia: 1, abstain: 1 });
        // Bar lengths are SVG attributes: a third of the ballots each.
        const widths = await round.$$eval('.bar-chart rect.bar__fill', (els) => els.map((e) => Number(e.getAttribute('width'))));
        assert.deepEqual(widths.map((w) => Math.round(w)), [33, 33, 33]);
        assert.match(await round.textContent(), /A runoff follows between Athens and Sofia/);
        const members = (await rpc(p, 'members.list', { status: 'member' })).cities.length
          + (await rpc(p, 'members.list', { status: 'suspended' })).cities.length;
        const totals = await round.$('.roll-totals');
        assert.equal(Number(await totals.getAttribute('data-total')), members, 'the roll call lists every member city');
        assert.equal(await totals.getAttribute('data-sum'), await totals.getAttribute('data-total'), 'the totals add up to the roll');
        const roll = await round.$$eval('.roll-call [data-code]', (els) => Object.fromEntries(els.map((e) => [e.dataset.code, e.dataset.status])));
        assert.equal(roll.athens, 'voted');
        assert.equal(roll.sofia, 'voted');
        assert.equal(roll.zagreb, 'abstained');
        assert.equal(roll.tirana, 'absent');
        assert.match(await round.$eval('.chain-head', (el) => el.textContent), /^b40-chain-head-v1\nnetwork: b40-balkan-cities\nelection: \d+\nround: 1\nseq: 3\n/);
        assert.equal(await round.$$eval('.hash-list li', (els) => els.length), 3);
        await p.screenshot({ path: join(ARTIFACTS, `election-results-round1-${suffix}.png`), fullPage: true });
        if (suffix === 'phone') await assertPhoneLayout(p, 'results');
        else await noStyleAttributes(p, 'results');
        assert.deepEqual(await cspViolations(p), []);
        assert.deepEqual(d.problems, []);
      } finally {
        await d.context.close();
      }
    }
  });

  test('(6) runoff: the server stops while Sofia signs; the ballot waits on the device and is sent when the server is back; a resend is the same ballot; Athens is elected', { timeout: 240000 }, async (t) => {
    if (skipWhenMissing(t)) return;
    const c = page.secretary;
    await c.click('#advance button[data-to="open"]');
    await confirmDialog(c, { expect: /Candidates: Athens, Sofia/ });
    await waitFor(c, '#election-view[data-state="open"]', srv);
    await waitFor(c, '#turnout[data-voted="0"]', srv);
    assert.match(await c.textContent('#ev-round'), /^2 \(runoff\)$/);

    const a2 = await vote('athens', 'athens', { round: 2 });
    await a2.p.click('#sign-send');
    await expectReceipt(a2.p, a2.shown, { seq: 4 });

    // Sofia reaches the confirmation; then the server goes away.
    const s2 = await vote('sofia', 'sofia', { round: 2 });
    const { db, dir, port, initOutput } = server;
    serverDown = true;
    await server.stop('SIGTERM', { keepDir: true });
    await waitFor(s2.p, '#conn:not([hidden])', srv);
    await s2.p.click('#sign-send');
    await waitFor(s2.p, '#vote[data-state="unsent"]', srv);
    assert.match(await s2.p.textContent('#status'), /Not sent yet.*kept on this device.*sent by itself/s);
    assert.equal(await s2.p.textContent('#ballot-text'), s2.shown, 'the waiting ballot is the one shown');
    await s2.p.screenshot({ path: join(ARTIFACTS, 'election-vote-unsent-desktop.png'), fullPage: true });
    server = await startServer({ db, dir, port, initOutput });
    await expectReceipt(s2.p, s2.shown, { seq: 5 });
    serverDown = false;

    // Sent again after a reload (as if the reply had been lost): the server
    // answers already_voted with this ballot's hash, and the page shows the receipt.
    await s2.p.evaluate(([election, round]) => new Promise((resolve, reject) => {
      const req = indexedDB.open('b40-ballots');
      req.onerror = () => reject(req.error);
      req.onsuccess = () => {
        const tx = req.result.transaction('ballots', 'readwrite');
        const store = tx.objectStore('ballots');
        const get = store.get(`${election}/${round}/sofia`);
        get.onsuccess = () => {
          const r = get.result;
          store.put({ ...r, state: 'unsent', receipt: null, receiptSignature: null, receiptProof: null, serverKey: null, seq: null, recorded: null });
        };
        tx.oncomplete = () => resolve();
        tx.onerror = () => reject(tx.error);
      };
    }), [electionId, 2]);
    await s2.p.reload({ waitUntil: 'load' });
    await expectReceipt(s2.p, s2.shown);
    assert.match(await s2.p.textContent('#status'), /already recorded/);
    assert.equal(await s2.p.textContent('#receipt-check'), 'Checked on this device: valid', 'the receipt sent again, with its batch proof');
    await s2.p.screenshot({ path: join(ARTIFACTS, 'election-vote-replayed-desktop.png'), fullPage: true });

    const z2 = await vote('zagreb', 'athens', { round: 2 });
    await z2.p.click('#sign-send');
    await expectReceipt(z2.p, z2.shown, { seq: 6 });

    // The chair page came back by itself after the restart.
    await waitFor(c, '#chair[data-state="ready"]', srv, { timeout: 40000 });
    await waitFor(c, '#turnout[data-voted="3"]', srv, { timeout: 30000 });
    await c.click('#advance button[data-to="closed"]');
    await confirmDialog(c);
    await waitFor(c, '#election-view[data-state="decided"]', srv);
    assert.match(await c.textContent('#round-outcome'), /Athens is elected/);
    await c.screenshot({ path: join(ARTIFACTS, 'election-chair-decided-desktop.png'), fullPage: true });

    await waitFor(page.athens, '#vote[data-state="decided"]', srv, { timeout: 30000 });
    assert.match(await page.athens.textContent('#closed-outcome'), /Athens is elected/);
    assert.deepEqual(allProblems(), []);
  });

  test('(7) results.html after the runoff: both rounds, the winner, and the presidency history; chair.html on a phone', { timeout: 120000 }, async (t) => {
    if (skipWhenMissing(t)) return;
    const d = await newDevice(browser, 'public-final', PHONE);
    try {
      const p = await d.newPage();
      await p.goto(`${server.origin}/results.html`, { waitUntil: 'load' });
      await waitFor(p, '#results[data-state="ready"]', srv);
      assert.match(await p.textContent('#winner'), /^Athens is elected/);
      const r2 = await waitFor(p, '#rounds section[data-round="2"][data-outcome="elected"]', srv);
      const votes = await r2.$$eval('.bar-chart li[data-code]', (els) => Object.fromEntries(els.map((e) => [e.dataset.code, Number(e.dataset.votes)])));
      assert.deepEqual(votes, { athens: 2, sofia: 1, abstain: 0 });
      assert.equal(await r2.$$eval('.hash-list li', (els) => els.length), 3);
      assert.match(await r2.$eval('.chain-head', (el) => el.textContent), /\nround: 2\nseq: 6\n/);
      await waitFor(p, '#rounds section[data-round="1"]', srv);
      await waitFor(p, '#terms tr[data-city="zagreb"]', srv);
      const terms = await p.$$eval('#terms tr[data-city]', (els) => els.map((e) => e.dataset.city));
      assert.ok(terms.includes('athens'), `the presidency history lists the elected city: ${terms}`);
      await p.screenshot({ path: join(ARTIFACTS, 'election-results-phone.png'), fullPage: true });
      await assertPhoneLayout(p, 'results (decided)');
      assert.deepEqual(await cspViolations(p), []);
      assert.deepEqual(d.problems, []);
    } finally {
      await d.context.close();
    }

    const desk = await newDevice(browser, 'results-desktop', DESKTOP);
    const dark = await newDevice(browser, 'results-dark', { ...PHONE, colorScheme: 'dark' });
    try {
      const p = await desk.newPage();
      await p.goto(`${server.origin}/results.html?election=${electionId}`, { waitUntil: 'load' });
      await waitFor(p, '#rounds section[data-round="2"][data-outcome="elected"]', srv);
      await p.screenshot({ path: join(ARTIFACTS, 'election-results-desktop.png'), fullPage: true });
      const q = await dark.newPage();
      await q.goto(`${server.origin}/results.html?election=${electionId}`, { waitUntil: 'load' });
      await waitFor(q, '#rounds section[data-round="2"][data-outcome="elected"]', srv);
      await (await q.$('#rounds section[data-round="2"]')).screenshot({ path: join(ARTIFACTS, 'election-results-dark-phone.png') });
      assert.deepEqual(desk.problems, []);
      assert.deepEqual(dark.problems, []);
    } finally {
      await desk.context.close();
      await dark.context.close();
    }

    // The expert, on a phone: the desk and the decided election fit.
    dev.expert = await newDevice(browser, 'expert', PHONE);
    (await enroll(dev.expert, /Secretariat expert/)).close();
    const p = await dev.expert.newPage();
    await p.goto(`${server.origin}/chair.html`, { waitUntil: 'load' });
    await waitFor(p, '#chair[data-state="ready"]', srv);
    await waitFor(p, '#election-view[data-state="decided"]', srv);
    await p.screenshot({ path: join(ARTIFACTS, 'election-chair-phone.png'), fullPage: true });
    await assertPhoneLayout(p, 'chair');
    assert.deepEqual(dev.expert.problems, []);
  });
});
