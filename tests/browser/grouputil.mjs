// What the working-group browser tests (groups.test.mjs, room.test.mjs)
// share: Debian's Chromium through playwright-core, one browser context per
// device (its own key in IndexedDB, its own time zone), the watch for what
// must never happen on a page (console errors, page errors, failed
// requests, HTTP errors, CSP violations, alerts), waiting with a useful
// message, the phone-layout checks, enrolling with the links `b40 init
// --demo` prints, and the two-signature proposal of a new group through
// web/group-new.html.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { parseEnrollLinks, SOURCE } from '../lib/harness.mjs';

export const ARTIFACTS = process.env.B40_ARTIFACTS || join(SOURCE, 'tests', 'artifacts');
export const CHROMIUM = process.env.B40_CHROMIUM || '/usr/bin/chromium';
export const WAIT_MS = 15000;

export const DESKTOP = { viewport: { width: 1280, height: 800 } };
export const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };

export function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', '--disable-gpu'],
  });
}

/**
 * A new context (one device) that records what must not happen. `allow` is
 * a list of regular expressions for problems a case expects (for example a
 * socket the test drops on purpose).
 */
export async function newDevice(browser, name, options = DESKTOP, { allow = [] } = {}) {
  const context = await browser.newContext({ ignoreHTTPSErrors: true, acceptDownloads: true, locale: 'en-GB', ...options });
  await context.addInitScript(() => {
    window.__b40CspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__b40CspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || '(inline)'}`);
    });
  });
  const problems = [];
  const note = (text) => { if (!allow.some((re) => re.test(text))) problems.push(text); };
  const watch = (page) => {
    page.on('console', (m) => {
      if (m.type() === 'error' || /Content.Security.Policy/i.test(m.text())) note(`${name} console.${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => note(`${name} pageerror: ${e.message}`));
    page.on('requestfailed', (r) => note(`${name} request failed: ${r.url()} (${r.failure()?.errorText})`));
    page.on('response', (r) => { if (r.status() >= 400) note(`${name} HTTP ${r.status()}: ${r.url()}`); });
    page.on('dialog', (d) => { note(`${name} unexpected ${d.type()}: ${d.message()}`); d.dismiss().catch(() => {}); });
  };
  context.on('page', watch);
  return { name, context, problems, allow, newPage: () => context.newPage() };
}

export function cspViolations(page) {
  return page.evaluate(() => window.__b40CspViolations);
}

/** Waits for a selector; on timeout says what the page showed and what the server printed. */
export async function waitFor(page, selector, server, { timeout = WAIT_MS, state = 'visible' } = {}) {
  try {
    return await page.waitForSelector(selector, { timeout, state });
  } catch (err) {
    const shown = await page.evaluate(() => {
      const main = document.querySelector('main');
      const st = main?.querySelector('[data-state]');
      return `data-state=${st?.dataset.state}\n${(main?.innerText || '').slice(0, 2500)}`;
    }).catch(() => '(page gone)');
    throw new Error(`${err.message.split('\n')[0]}\npage ${page.url()} shows:\n${shown}\nserver output ends:\n${server().output().slice(-2500)}`);
  }
}

/** Controls under 44 px, the page's overflow, and any style attribute. */
export async function phoneLayout(page) {
  return page.evaluate(() => {
    const visible = (el) => {
      const r = el.getBoundingClientRect();
      return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden' && !el.closest('[hidden]');
    };
    const small = [...document.querySelectorAll('button, .button, .site-nav a, .brand, input:not([type="checkbox"]):not([type="radio"]), select, textarea, .check, .choice, summary')]
      .filter(visible)
      .map((el) => ({ what: `${el.tagName.toLowerCase()}#${el.id || ''}.${el.className || ''} "${(el.textContent || '').trim().slice(0, 30)}"`, r: el.getBoundingClientRect() }))
      .filter(({ r }) => r.height < 44 || r.width < 44)
      .map(({ what, r }) => `${what} ${Math.round(r.width)}x${Math.round(r.height)}`);
    const tiny = [...document.querySelectorAll('main *')].filter((el) => visible(el) && el.childNodes.length
      && [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim())
      && parseFloat(getComputedStyle(el).fontSize) < 12).map((el) => `${el.tagName.toLowerCase()}.${el.className} "${el.textContent.trim().slice(0, 30)}"`);
    return {
      scrollWidth: document.documentElement.scrollWidth,
      innerWidth: window.innerWidth,
      small,
      tiny,
      styleAttributes: [...document.querySelectorAll('[style]:not([style=""])')].map((el) => el.outerHTML.slice(0, 300)),
    };
  });
}

export async function assertPhoneLayout(page, what) {
  const layout = await phoneLayout(page);
  assert.equal(layout.innerWidth, 390);
  assert.ok(layout.scrollWidth <= layout.innerWidth, `${what}: the page is ${layout.scrollWidth} px wide in a 390 px viewport`);
  assert.deepEqual(layout.small, [], `${what}: every control is at least 44x44 px`);
  assert.deepEqual(layout.tiny, [], `${what}: no text under 12 px`);
  assert.deepEqual(layout.styleAttributes, [], `${what}: no style attributes`);
}

export async function noStyleAttributes(page, what) {
  const n = await page.evaluate(() => [...document.querySelectorAll('[style]:not([style=""])')].map((el) => el.outerHTML.slice(0, 200)));
  assert.deepEqual(n, [], `${what}: no style attributes`);
}

/** The enrollment link `b40 init --demo` printed for the person whose line matches pattern. */
export function linkFor(server, pattern) {
  const found = parseEnrollLinks(server.initOutput).find((l) => pattern.test(l.context));
  assert.ok(found, `b40 init --demo printed no enrollment link matching ${pattern}:\n${server.initOutput}`);
  return found.url(server.origin);
}

/** Opens the enrollment link on the device: the device then holds the person's key. */
export async function enroll(device, server, pattern) {
  const p = await device.newPage();
  await p.goto(linkFor(server, pattern), { waitUntil: 'load' });
  await p.waitForSelector('#enroll[data-state="confirm"]', { timeout: WAIT_MS });
  await p.click('#enroll-button');
  await p.waitForSelector('#enroll[data-state="done"]', { timeout: WAIT_MS });
  await p.close();
}

/** Confirms the open <dialog> (after checking its text against expect). */
export async function confirmDialog(p, { expect } = {}) {
  const dlg = await p.waitForSelector('dialog[open]', { timeout: WAIT_MS });
  if (expect) assert.match(await dlg.textContent(), expect);
  await p.click('dialog[open] button[type="submit"]');
  await p.waitForSelector('dialog[open]', { state: 'detached', timeout: WAIT_MS });
}

/** One public request on a fresh connection from the page (the page's own client is module-private). */
export async function rpc(page, type, fields = {}) {
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

/**
 * The two-signature proposal of a new permanent group through
 * group-new.html: the presidency's mayor (president) proposes and signs,
 * the secretary agrees over the same bytes. Returns {code, text}.
 */
export async function proposeGroup(president, secretary, server, { name, description }) {
  const p = await president.newPage();
  await p.goto(`${server().origin}/group-new.html`, { waitUntil: 'load' });
  await waitFor(p, '#proposal[data-state="form"]', server);
  await p.fill('#p-name', name);
  const code = await p.inputValue('#p-code');
  await p.fill('#p-description', description);
  await p.click('#p-continue');
  await waitFor(p, '#proposal[data-state="confirm"]', server);
  const text = await p.textContent('#p-text');
  await p.click('#p-sign');
  await waitFor(p, '#proposal[data-state="view"] #signatures li[data-side="presidency"][data-verified="yes"]', server);
  await p.close();
  const s = await secretary.newPage();
  await s.goto(`${server().origin}/group-new.html?group=${code}`, { waitUntil: 'load' });
  await waitFor(s, '#agree:not([hidden])', server);
  await s.click('#agree-sign');
  await waitFor(s, '#view-state[data-state="active"]', server);
  await s.close();
  return { code, text };
}
