// The enrollment page (web/enroll.html), opened from /enroll#CODE. Main
// thread; owns the page's B40Client, the code (in memory only, for as long as
// the page lives) and the key it makes.
//
// Flow (docs/identity.md, "Using the link"):
//   1. read the code from the fragment and take it out of the address bar
//      (history.replaceState) so that it is not left visible or in history;
//   2. enroll.begin {code} -> whom the link enrolls; show it, with what will happen;
//   3. on "Create my key": make a non-extractable Ed25519 key, keep it as
//      "pending", ask enroll.begin again for a fresh challenge on this very
//      connection (the first one may be older than its 60 s by now, or from a
//      connection that has since dropped), sign the key binding statement
//      and send enroll.complete; on success keep the key as "active", on a
//      refusal forget it.
import { B40Client } from './client.js';
import * as keystore from './keystore.js';
import { bindingStatement, isCode, loginStatement, utf8Length } from './statements.js';
import { clearSignedOut } from './session.js';
import {
  $, h, describeError, formatDateTime, roleWords, countryName, setFieldError, showMessage,
  whenOpen, watchConnection,
} from './ui.js';

const root = $('enroll');
const status = $('status');
const confirmStep = $('step-confirm');
const doneStep = $('step-done');
const form = $('enroll-form');
const deviceInput = $('device');
const button = $('enroll-button');

// Step 1, before anything else: take the code and clear it from the address bar.
const rawCode = decodeURIComponent(location.hash.replace(/^#/, '')).trim();
if (location.hash) history.replaceState(null, '', location.pathname + location.search);
let code = rawCode;

const client = new B40Client();
let enrollment = null;   // the reply of enroll.begin
let busy = false;

function setState(state) {
  root.dataset.state = state;
}

function fail(text, ...extra) {
  setState('error');
  confirmStep.hidden = true;
  showMessage(status, 'error', h('p', { text }), ...extra);
}

/** "This phone", "This tablet" or "This computer", from the user agent. */
function defaultDeviceName() {
  const ua = navigator.userAgent || '';
  const mobile = navigator.userAgentData?.mobile;
  if (/iPad|Tablet/i.test(ua) || (/Android/i.test(ua) && !/Mobile/i.test(ua))) return 'This tablet';
  if (mobile || /Mobi|iPhone|Android/i.test(ua)) return 'This phone';
  // A touch screen as the main pointer on a small screen is a phone, whatever the browser says it is.
  const coarse = globalThis.matchMedia?.('(pointer: coarse)').matches;
  if (coarse && Math.min(screen.width, screen.height) < 600) return 'This phone';
  if (coarse) return 'This tablet';
  return 'This computer';
}

/** "Athens, mayor" or "Secretariat, network secretary", with the city's name when the registry has it. */
async function describeAffiliation(person) {
  const roles = roleWords(person.roles);
  if (person.affiliation === 'secretariat') return `Secretariat, ${roles}`;
  let place = person.affiliation;
  try {
    const { cities } = await client.request('members.list');
    const city = cities.find((c) => c.code === person.affiliation);
    if (city) place = `${city.name}, ${countryName(city.country)}`;
  } catch { /* the code is still an answer */ }
  return `${place}, ${roles}`;
}

function linkAdvice() {
  return h('p', { text: 'Your link has not been used. Ask the secretariat if you need a new one.' });
}

async function begin() {
  if (!code) {
    fail('This page needs the enrollment link that the secretariat sent you. '
      + 'Please open that whole link (it ends with “#” and a code of 22 letters and digits).');
    return;
  }
  if (!isCode(code)) {
    fail('This enrollment link is incomplete or has been changed. '
      + 'Please open the whole link again, exactly as you received it; if it still does not work, ask the secretariat for a new one.');
    return;
  }
  const support = await keystore.ed25519Support();
  if (!support.ok) {
    fail(`This browser cannot hold your key. ${support.reason}`,
      h('p', { text: 'Your link has not been used: open it again in another browser, or after updating this one.' }));
    return;
  }
  await whenOpen(client);
  try {
    enrollment = await client.request('enroll.begin', { code });
  } catch (err) {
    fail(describeError(err));
    return;
  }
  const { person } = enrollment;
  $('who-name').textContent = person.name;
  $('who-name-2').textContent = person.name;
  $('who-detail').textContent = await describeAffiliation(person);
  $('who-expires').textContent = `This link works once, until ${formatDateTime(enrollment.expires)}.`;
  deviceInput.value = defaultDeviceName();
  showMessage(status, '', '');
  confirmStep.hidden = false;
  setState('confirm');
}

async function complete() {
  const device = deviceInput.value.trim();
  const n = utf8Length(device);
  const msg = n === 0 ? 'Please give this device a name.' : n > 64 ? 'Please use a shorter name (at most 64 bytes).' : '';
  setFieldError(deviceInput, msg);
  if (msg) {
    deviceInput.focus();
    return;
  }
  busy = true;
  button.disabled = true;
  setState('working');
  showMessage(status, 'info', h('p', { text: 'Creating your key and enrolling it…' }));
  let made = null;
  try {
    made = await keystore.generateKeyPair();
    await keystore.saveKey({
      publicKey: made.publicKey,
      keyPair: made.keyPair,
      status: 'pending',
      device,
      personId: enrollment.person.id,
      personName: enrollment.person.name,
      affiliation: enrollment.person.affiliation,
      roles: enrollment.person.roles,
    });
    await whenOpen(client);
    const fresh = await client.request('enroll.begin', { code });
    const statement = bindingStatement({
      enrollment: fresh.enrollment,
      code,
      publicKey: made.publicKey,
      origin: location.origin,
      challenge: fresh.challenge,
    });
    const signature = await keystore.sign({ keyPair: made.keyPair }, statement);
    let reply;
    try {
      reply = await client.request('enroll.complete', {
        code, public_key: made.publicKey, device, statement, signature,
      });
    } catch (err) {
      // The answer was lost, not refused: the key may be bound all the same.
      if (err.code !== 'disconnected' && err.code !== 'timeout') throw err;
      reply = await signInWith(made);
      if (!reply) throw err;
    }
    await keystore.saveKey({
      publicKey: made.publicKey,
      keyPair: made.keyPair,
      status: 'active',
      enrolled: reply.key?.created || new Date().toISOString(),
      device: reply.key?.device || device,
      personId: reply.person.id,
      personName: reply.person.name,
      affiliation: reply.person.affiliation,
      roles: reply.person.roles,
    });
    clearSignedOut();
    code = '';
    done(reply.person);
  } catch (err) {
    if (made) await keystore.deleteKey(made.publicKey).catch(() => {});
    button.disabled = false;
    setState('confirm');
    const final = ['enrollment_used', 'enrollment_expired', 'enrollment_unknown'].includes(err.code);
    if (final) {
      fail(describeError(err));
    } else {
      showMessage(status, 'error', h('p', { text: describeError(err) }),
        err.code === 'storage' ? null : linkAdvice());
    }
  } finally {
    busy = false;
  }
}

/**
 * After a lost enroll.complete reply: signs in with the new key; the reply of
 * auth.login ({person, key}) when the server had bound it, else null.
 */
async function signInWith(made) {
  try {
    await whenOpen(client);
    const { challenge } = await client.request('auth.challenge');
    const text = loginStatement({ origin: location.origin, challenge, publicKey: made.publicKey });
    const signature = await keystore.sign({ keyPair: made.keyPair }, text);
    return await client.request('auth.login', { public_key: made.publicKey, signature });
  } catch {
    return null;
  }
}

function done(person) {
  setState('done');
  confirmStep.hidden = true;
  showMessage(status, 'ok', h('p', { text: `Done: this device is enrolled for ${person.name}.` }));
  $('done-person').textContent = `${person.name} (${$('who-detail').textContent})`;
  const next = $('done-next');
  if (person.affiliation === 'secretariat') {
    next.textContent = 'Open the secretariat console';
    next.href = '/console.html';
    $('done-home').textContent = 'Your sign-in page';
    $('done-home').href = '/signin.html';
  }
  doneStep.hidden = false;
  $('done-title').setAttribute('tabindex', '-1');
  $('done-title').focus();
}

form.addEventListener('submit', (e) => {
  e.preventDefault();
  if (!busy && enrollment) complete();
});
deviceInput.addEventListener('input', () => {
  if (deviceInput.getAttribute('aria-invalid') === 'true') setFieldError(deviceInput, '');
});
// Another link opened in this same tab changes only the fragment: start over with it.
window.addEventListener('hashchange', () => {
  if (location.hash && !busy) location.reload();
});
// The key is being made: leaving now could bind a key the page then loses.
window.addEventListener('beforeunload', (e) => {
  if (busy) e.preventDefault();
});

watchConnection(client, $('conn'));
client.connect();
begin();
