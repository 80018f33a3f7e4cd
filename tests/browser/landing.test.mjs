// Browser tests of the landing page (web/index.html) and the shared client
// (web/js/client.js), in Debian's Chromium driven by playwright-core, against
// the real server started by tests/lib/harness.mjs (fresh database, dev
// certificate, free loopback port).
//
//   cd tests && B40_BIN=../build/b40 node --test browser/
//
// Screenshots go to $B40_ARTIFACTS (default tests/artifacts in the source
// tree): landing-desktop.png, landing-phone.png, landing-reconnecting.png.
// Chromium runs headless with the flags below so it makes no network request
// of its own; the dev CA is not installed, so the context ignores HTTPS errors.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { startServer, SOURCE } from '../lib/harness.mjs';

const ARTIFACTS = process.env.B40_ARTIFACTS || join(SOURCE, 'tests', 'artifacts');
const CHROMIUM = process.env.B40_CHROMIUM || '/usr/bin/chromium';
const WAIT_MS = 15000;

const DESKTOP = { viewport: { width: 1280, height: 900 } };
const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };

function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', '--disable-gpu'],
  });
}

/**
 * Opens a page in a new context and records everything that should not
 * happen on a healthy page: console errors, uncaught exceptions, failed or
 * refused requests, HTTP errors and Content-Security-Policy violations (both
 * as reported on the console and as `securitypolicyviolation` events, which
 * an init script collects; init scripts are not subject to the page's CSP).
 * Returns {context, page, problems, cspViolations()}.
 */
async function openPage(browser, contextOptions) {
  const context = await browser.newContext({ ignoreHTTPSErrors: true, ...contextOptions });
  await context.addInitScript(() => {
    window.__b40CspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__b40CspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || '(inline)'}`);
    });
  });
  const page = await context.newPage();
  const problems = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || /Content.Security.Policy/i.test(m.text())) {
      problems.push(`console.${m.type()}: ${m.text()}`);
    }
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} (${r.failure()?.errorText})`));
  page.on('response', (r) => { if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`); });
  const cspViolations = () => page.evaluate(() => window.__b40CspViolations);
  return { context, page, problems, cspViolations };
}

/**
 * Waits until the page shows a healthy server, an open socket and a round
 * trip. On timeout the error says what the page showed and what the server
 * printed, which is usually the quickest way to the cause.
 */
async function waitForLive(page, server) {
  try {
    await page.waitForSelector('#ws-state[data-state="open"]', { timeout: WAIT_MS });
    await page.waitForSelector('#health[data-status="ok"]', { timeout: WAIT_MS });
    await page.waitForSelector('#rtt[data-ms]', { timeout: WAIT_MS });
  } catch (err) {
    const shown = await page.evaluate(() => ['ws-state', 'ws-detail', 'health', 'health-message', 'rtt']
      .map((id) => `#${id}: ${document.getElementById(id)?.textContent}`).join('\n')).catch(() => '(page gone)');
    const exit = server.proc.exitCode ?? server.proc.signalCode;
    err.message += `\npage shows:\n${shown}\nserver ${exit === null ? 'running' : `exited (${exit})`}, its output ends:\n`
      + server.output().slice(-3000);
    throw err;
  }
}

describe('landing page', () => {
  let browser;
  let server;

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    server = await startServer();
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('desktop: health, live connection and round trip, with no errors or CSP violations', { timeout: 60000 }, async () => {
    const { context, page, problems, cspViolations } = await openPage(browser, DESKTOP);
    try {
      const res = await page.goto(server.url, { waitUntil: 'load' });
      assert.equal(res.status(), 200);
      assert.match(res.headers()['content-security-policy'] || '', /script-src 'self'/,
        'the server sends its CSP, so this test really checks the page against it');
      await waitForLive(page, server);

      assert.equal(await page.textContent('#ws-state'), 'Connected');
      assert.equal(await page.textContent('#health'), 'Healthy');
      const ms = Number(await page.getAttribute('#rtt', 'data-ms'));
      assert.ok(Number.isInteger(ms) && ms >= 0 && ms < WAIT_MS, `round trip ${ms} ms`);
      assert.equal(await page.textContent('#rtt'), `${ms} ms`);

      // The health card shows what /healthz said.
      const health = await (await page.request.get(`${server.origin}/healthz`)).json();
      assert.equal(health.status, 'ok');
      assert.equal(await page.textContent('#health-version'), health.version);
      assert.equal(await page.textContent('#health-schema'), String(health.schema));
      assert.match(await page.textContent('#health-uptime'), /^\d+ (second|minute|hour|day)s?( \d+ \w+)?$/);
      // ...and the connection card what system.welcome said.
      assert.equal(await page.textContent('#ws-version'), health.version);
      assert.equal(await page.textContent('#ws-protocol'), 'b40.v1');

      // Accessibility basics: one h1, headings in order, landmarks, a polite live region.
      const a11y = await page.evaluate(() => ({
        lang: document.documentElement.lang,
        headings: [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')].map((h) => Number(h.tagName[1])),
        landmarks: ['header', 'main', 'footer'].filter((t) => document.querySelector(t)),
        live: !!document.querySelector('[aria-live="polite"] #ws-state')
          && !!document.querySelector('[aria-live="polite"] #health'),
        imagesWithoutAlt: document.querySelectorAll('img:not([alt])').length,
        styleAttributes: document.querySelectorAll('[style]').length,
      }));
      assert.equal(a11y.lang, 'en');
      assert.equal(a11y.headings.filter((l) => l === 1).length, 1, 'exactly one h1');
      assert.equal(a11y.headings[0], 1, 'the first heading is the h1');
      for (let i = 1; i < a11y.headings.length; i++) {
        assert.ok(a11y.headings[i] <= a11y.headings[i - 1] + 1, `heading levels skip: ${a11y.headings}`);
      }
      assert.deepEqual(a11y.landmarks, ['header', 'main', 'footer']);
      assert.ok(a11y.live, '#ws-state and #health are inside an aria-live="polite" region');
      assert.equal(a11y.imagesWithoutAlt, 0);
      assert.equal(a11y.styleAttributes, 0, 'no style attributes (the CSP would block them)');

      await page.screenshot({ path: join(ARTIFACTS, 'landing-desktop.png'), fullPage: true });
      assert.deepEqual(await cspViolations(), []);
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });

  test('phone: 390 px wide, no horizontal overflow, touch targets of 44 px', { timeout: 60000 }, async () => {
    const { context, page, problems, cspViolations } = await openPage(browser, PHONE);
    try {
      await page.goto(server.url, { waitUntil: 'load' });
      await waitForLive(page, server);
      const size = await page.evaluate(() => ({
        scrollWidth: document.documentElement.scrollWidth,
        innerWidth: window.innerWidth,
      }));
      assert.equal(size.innerWidth, 390);
      assert.ok(size.scrollWidth <= size.innerWidth, `page is ${size.scrollWidth} px wide in a ${size.innerWidth} px viewport`);

      const small = await page.evaluate(() => [...document.querySelectorAll('button, .button, .brand')]
        .map((el) => ({ what: el.id || el.className, h: el.getBoundingClientRect().height }))
        .filter((t) => t.h < 44));
      assert.deepEqual(small, [], 'every control is at least 44 px tall');

      await page.screenshot({ path: join(ARTIFACTS, 'landing-phone.png'), fullPage: true });
      assert.deepEqual(await cspViolations(), []);
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });

  test('client.js: requests, server errors as B40Error, events and close()', { timeout: 60000 }, async () => {
    const { context, page, problems } = await openPage(browser, DESKTOP);
    try {
      await page.goto(server.url, { waitUntil: 'load' });
      await waitForLive(page, server);
      // A second client of its own, driven from the page so it runs under the page's CSP and origin.
      const r = await page.evaluate(async () => {
        const { B40Client, B40Error } = await import('/js/client.js');
        const out = { states: [] };
        const c = new B40Client({ requestTimeoutMs: 5000 });
        c.addEventListener('state', (e) => out.states.push(e.detail.state));
        const notConnected = await c.request('system.ping').catch((e) => e);
        out.notConnected = { isB40: notConnected instanceof B40Error, code: notConnected.code };

        const welcome = new Promise((resolve) => { const off = c.on('system.welcome', (m) => { off(); resolve(m); }); });
        const opened = new Promise((resolve) => c.addEventListener('state', (e) => { if (e.detail.state === 'open') resolve(); }));
        c.connect();
        await opened;
        out.welcome = await welcome;
        out.lastSeq = c.lastSeq;

        const p1 = await c.request('system.ping');
        const p2 = await c.request('system.ping');
        out.pings = [p1, p2];
        const unknown = await c.request('nosuch.thing').catch((e) => e);
        out.unknown = { isB40: unknown instanceof B40Error, code: unknown.code, ok: unknown.reply?.ok };
        const extra = await c.request('system.ping', { colour: 'red' }).catch((e) => e);
        out.extra = { code: extra.code, field: extra.field };

        c.close();
        out.afterClose = c.state;
        const late = await c.request('system.ping').catch((e) => e);
        out.late = late.code;
        await new Promise((resolve) => setTimeout(resolve, 1500));
        out.stillClosed = c.state;
        return out;
      });

      assert.deepEqual(r.notConnected, { isB40: true, code: 'not_connected' });
      assert.equal(r.welcome.event, 'system.welcome');
      assert.equal(r.welcome.seq, 1);
      assert.equal(r.welcome.protocol, 'b40.v1');
      assert.equal(r.lastSeq, 1);
      assert.equal(r.pings[0].ok, true);
      assert.match(r.pings[0].time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      assert.ok(Number.isInteger(r.pings[0].id) && r.pings[1].id === r.pings[0].id + 1, 'ids increase by one');
      assert.deepEqual(r.unknown, { isB40: true, code: 'unknown_type', ok: false });
      assert.deepEqual(r.extra, { code: 'bad_request', field: 'colour' });
      assert.equal(r.afterClose, 'closed');
      assert.equal(r.late, 'not_connected');
      assert.equal(r.stillClosed, 'closed', 'no reconnect after close()');
      assert.deepEqual(r.states, ['connecting', 'open', 'closed']);
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });
});

test('reconnect: stopping the server turns the page to "reconnecting"', { timeout: 60000 }, async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  const server = await startServer();
  let browser;
  try {
    browser = await launchBrowser();
    const { context, page } = await openPage(browser, DESKTOP);
    await page.goto(server.url, { waitUntil: 'load' });
    await waitForLive(page, server);

    const stopped = await server.stop();

    await page.waitForSelector('#ws-state[data-state="reconnecting"]', { timeout: WAIT_MS });
    assert.match(await page.textContent('#ws-state'), /^Reconnecting/);
    assert.equal(await page.getAttribute('#rtt', 'data-ms'), null, 'no stale round trip is shown');
    // The page re-checks /healthz when the connection drops, and finds nobody there.
    await page.waitForSelector('#health[data-status="error"]', { timeout: WAIT_MS });
    // Failed attempts keep the state at 'reconnecting' rather than flickering back to 'connecting'.
    await page.waitForTimeout(2000);
    assert.equal(await page.getAttribute('#ws-state', 'data-state'), 'reconnecting');
    await page.screenshot({ path: join(ARTIFACTS, 'landing-reconnecting.png'), fullPage: true });
    await context.close();
    // Checked last so that a crash on shutdown does not hide what the page did.
    assert.ok(stopped.code === 0 || (stopped.code === null && stopped.signal === 'SIGTERM'),
      `the server exits cleanly on SIGTERM with a browser connected; it ended with ${JSON.stringify(stopped)}:\n`
      + server.output().slice(-2000));
  } finally {
    await browser?.close();
    await server.stop();
  }
});
