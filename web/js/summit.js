// The summit page (web/summit.html). Main thread; owns the page's B40Client
// and Session (optional here: the summits are public, registering a
// delegation needs a signed-in person), the summit chosen (?summit=ID, else
// the newest) and the delegation form.
//
// The form starts from what the city registered (delegation.get), so that a
// mayor corrects the registration rather than typing it again: filled in
// when the page knows the city (on load, and when the secretariat picks
// another city), unless the person has started typing already.
//
// Nights and meals are computed as the person types, with the rule of
// docs/protocol.md (nights = departure - arrival in days; meals = delegates
// x (nights + 1) x 3), so the figure is known before sending; the server
// computes them again and its reply is what is shown afterwards.
import { B40Client } from './client.js';
import { Session } from './session.js';
import { loadCities, cityName, loadSummits, queryInt, electionErrorText } from './election.js';
import {
  $, h, showMessage, watchConnection, formatDate, formatDateTime, countryName, checkLength, setFieldError, clearFieldErrors,
} from './ui.js';

const client = new B40Client();
const session = new Session(client);
const root = $('summit');
const status = $('status');
const WINDOW_DAYS = 3;
const DAY_MS = 86400000;

const st = {
  cities: null, summits: [], terms: [], summitId: queryInt('summit'), summit: null, delegations: null,
  last: null,        // the delegation as registered (delegation.get, or the last delegation.register reply)
  updated: null,     // when it was registered
  prefilled: null,   // "summit/city" the form was last filled in for
  dirty: false,      // the person has typed in the form since
};

function nameOf(code) {
  return cityName(st.cities, code);
}

function day(text) {
  return /^\d{4}-\d\d-\d\d$/.test(text || '') ? Date.parse(`${text}T00:00:00Z`) : NaN;
}

function dayText(ms) {
  return new Date(ms).toISOString().slice(0, 10);
}

function plural(n, one, many) {
  return `${n} ${n === 1 ? one : many}`;
}

// ---- loading -------------------------------------------------------------------------

async function load() {
  try {
    st.cities ??= await loadCities(client);
    ({ summits: st.summits, terms: st.terms } = await loadSummits(client));
    if (!st.summits.some((s) => s.id === st.summitId)) st.summitId = st.summits[0]?.id ?? null;
    st.summit = st.summitId ? (await client.request('summit.get', { summit: st.summitId })).summit : null;
    render();
    await loadDelegations();
  } catch (err) {
    if (err.code === 'disconnected' || err.code === 'not_connected') return;
    root.dataset.state = 'error';
    showMessage(status, 'error', h('p', { text: `The summits could not be loaded. ${electionErrorText(err)}` }));
  }
}

/** delegation.list, for the secretariat and the host city's people only. */
async function loadDelegations() {
  const p = session.person;
  const s = st.summit;
  st.delegations = null;
  if (s && p && session.status === 'signed-in' && (session.isSecretariat || p.affiliation === s.host)) {
    try {
      const reply = await client.request('delegation.list', { summit: s.id });
      st.delegations = reply.delegations;
      if (reply.hospitality) st.summit = { ...st.summit, hospitality: reply.hospitality };
    } catch (err) {
      session.noteError(err);
    }
  }
  renderHospitality();
  renderDelegations();
}

// ---- rendering ------------------------------------------------------------------------

function render() {
  renderList();
  const s = st.summit;
  if (!s) {
    root.dataset.state = 'none';
    showMessage(status, 'info', h('p', { text: 'No summit is scheduled yet.' }));
    for (const id of ['s-view', 's-hosting', 'register']) $(id).hidden = true;
    return;
  }
  root.dataset.state = 'ready';
  showMessage(status, '', '');
  $('s-title').textContent = `The ${s.year} summit${s.place ? ` · ${s.place}` : ''}`;
  const fact = (dt, dd) => h('div', {}, h('dt', { text: dt }), h('dd', {}, dd));
  const host = st.cities?.get(s.host);
  $('s-facts').replaceChildren(
    fact('Dates', `${formatDate(s.starts_on)} – ${formatDate(s.ends_on)}`),
    fact('Place', s.place || '—'),
    fact('Host city', host ? `${host.name}, ${countryName(host.country)}` : s.host),
    fact('Cities checked in', String((s.present || []).length)));
  $('s-present').textContent = (s.present || []).length
    ? `Present: ${(s.present || []).map(nameOf).join(', ')}.`
    : 'No city has checked in yet.';
  $('s-view').hidden = false;
  renderHospitality();
  renderForm();
}

function renderHospitality() {
  const s = st.summit;
  if (!s) return;
  const hsp = s.hospitality || {};
  $('host-words').textContent = `${nameOf(s.host)} hosts this summit: it covers the accommodation and meals of the visiting delegations. Each delegation pays its own travel and other costs.`;
  const row = (key, dt, n) => h('div', { dataset: { key } }, h('dt', { text: dt }), h('dd', { text: String(n ?? 0) }));
  $('hospitality').replaceChildren(
    row('delegations', 'Delegations registered', hsp.delegations),
    row('delegates', 'Delegates', hsp.delegates),
    row('nights', 'Person-nights of accommodation', hsp.nights),
    row('meals', 'Meals', hsp.meals));
  $('s-hosting').hidden = false;
}

function renderList() {
  $('summit-list').replaceChildren(...st.summits.map((s) => h('tr', { dataset: { summit: s.id }, class: s.id === st.summitId ? 'row--current' : '' },
    h('th', { attrs: { scope: 'row' } }, s.id === st.summitId
      ? h('span', { text: String(s.year), attrs: { 'aria-current': 'true' } })
      : h('a', { attrs: { href: `/summit.html?summit=${s.id}` }, text: String(s.year) })),
    h('td', { attrs: { 'data-label': 'Place' }, text: s.place || '—' }),
    h('td', { attrs: { 'data-label': 'Host city' }, text: nameOf(s.host) }),
    h('td', { attrs: { 'data-label': 'Dates' }, text: `${formatDate(s.starts_on)} – ${formatDate(s.ends_on)}` }),
    h('td', { attrs: { 'data-label': 'Cities present' }, text: String((s.present || []).length) }))));
  if (st.summits.length === 0) $('summit-list').append(h('tr', {}, h('td', { attrs: { colspan: 5 }, text: 'No summit recorded yet.' })));
}

function renderDelegations() {
  const list = st.delegations;
  $('delegations-panel').hidden = !list;
  if (!list) return;
  $('delegations').replaceChildren(...list.map((d) => h('tr', { dataset: { city: d.city } },
    h('th', { attrs: { scope: 'row' }, text: nameOf(d.city) }),
    h('td', { attrs: { 'data-label': 'Delegates' }, text: String(d.delegates) }),
    h('td', { attrs: { 'data-label': 'Stay' }, text: `${formatDate(d.arrival)} – ${formatDate(d.departure)}` }),
    h('td', { attrs: { 'data-label': 'Nights' }, text: String(d.nights) }),
    h('td', { attrs: { 'data-label': 'Meals' }, text: String(d.meals) }),
    h('td', { attrs: { 'data-label': 'Dietary needs' }, class: 'cell--wrap', text: d.dietary || '—' }))));
  if (list.length === 0) $('delegations').append(h('tr', {}, h('td', { attrs: { colspan: 6 }, text: 'No delegation has registered yet.' })));
}

// ---- the delegation form -----------------------------------------------------------------

const form = $('delegation-form');

function renderForm() {
  const s = st.summit;
  $('register').hidden = !s;
  if (!s) return;
  const signedIn = session.status === 'signed-in';
  const p = session.person;
  const canRegister = signedIn && (session.isSecretariat || (p && p.affiliation !== 'secretariat'));
  $('register-gate').hidden = canRegister;
  form.hidden = !canRegister;
  if (!canRegister) {
    $('register-gate-text').textContent = session.status === 'checking' || session.status === 'signing-in'
      ? 'Signing in…'
      : 'Sign in as a person of your city (mayor, deputy mayor or city official) to register its delegation.';
    return;
  }
  const sel = $('d-city');
  if (session.isSecretariat) {
    $('d-city-field').hidden = false;
    $('d-city-fixed').hidden = true;
    if (sel.options.length === 0) {
      const cities = [...(st.cities?.values() || [])].filter((c) => c.status === 'member' || c.status === 'suspended')
        .sort((a, b) => a.name.localeCompare(b.name));
      sel.replaceChildren(...cities.map((c) => h('option', { text: `${c.name} (${countryName(c.country)})`, attrs: { value: c.code } })));
    }
  } else {
    $('d-city-field').hidden = true;
    $('d-city-fixed').hidden = false;
    $('d-city-fixed').textContent = `Delegation of ${nameOf(p.affiliation)}`;
  }
  // Arrival: up to 3 days before the first day, at the latest on the last day;
  // departure: from the first day to 3 days after the last (docs/protocol.md).
  const w = window_(s);
  $('d-arrival').min = w.arriveFrom;
  $('d-arrival').max = w.arriveTo;
  $('d-departure').min = w.leaveFrom;
  $('d-departure').max = w.leaveTo;
  if (!$('d-arrival').value) $('d-arrival').value = dayText(day(s.starts_on) - DAY_MS);
  if (!$('d-departure').value) $('d-departure').value = dayText(day(s.ends_on) + DAY_MS);
  $('d-window-hint').textContent = `From ${formatDate(w.arriveFrom)} (${WINDOW_DAYS} days before the summit) to ${formatDate(w.arriveTo)}.`;
  $('d-departure-hint').textContent = `The day you leave: from ${formatDate(w.leaveFrom)} to ${formatDate(w.leaveTo)} (${WINDOW_DAYS} days after the summit).`;
  renderCalc();
  prefill();
}

/** The form's starting values for summit s when nothing is registered. */
function formDefaults(s) {
  $('d-delegates').value = '2';
  $('d-arrival').value = dayText(day(s.starts_on) - DAY_MS);
  $('d-departure').value = dayText(day(s.ends_on) + DAY_MS);
  $('d-dietary').value = '';
}

/**
 * Reads the chosen city's delegation (delegation.get) once per summit and
 * city, and fills the form in with it, unless the person has typed since the
 * form was shown. A city with no delegation keeps the form's starting values.
 */
async function prefill() {
  const s = st.summit;
  const city = formCity();
  if (!s || !city || session.status !== 'signed-in') return;
  const key = `${s.id}/${city}`;
  if (st.prefilled === key) return;
  const other = st.prefilled !== null;   // the secretariat picked another city: start over
  st.prefilled = key;
  let reply;
  try {
    reply = await client.request('delegation.get', { summit: s.id, city });
  } catch (err) {
    if (st.prefilled === key) st.prefilled = null;   // try again on the next render
    session.noteError(err);
    return;
  }
  if (st.prefilled !== key) return;   // the choice changed while asking
  const d = reply.delegation;
  st.last = d;
  st.updated = reply.updated;
  if (!st.dirty) {
    if (d) {
      $('d-delegates').value = String(d.delegates);
      $('d-arrival').value = d.arrival;
      $('d-departure').value = d.departure;
      $('d-dietary').value = d.dietary;
    } else if (other) {
      formDefaults(s);
    }
    clearFieldErrors(form);
  }
  form.dataset.prefilled = d ? 'yes' : 'no';
  renderRegistered();
  renderCalc();
  renderResult();
}

/** The note above the form: registered already (when), or not yet; and the submit button's words. */
function renderRegistered() {
  const d = st.last;
  const note = $('d-registered');
  note.hidden = !d;
  note.textContent = d
    ? `${nameOf(d.city)}’s delegation is registered${st.updated ? ` (last on ${formatDateTime(st.updated)})` : ''}. `
      + `${st.dirty ? 'Your changes in the form are kept; sending it' : 'The form shows it as registered; change what you need and send it again. Sending it'} replaces the registration.`
    : '';
  $('d-submit').textContent = d ? 'Update the registration' : 'Register the delegation';
}

/** The days a delegation may arrive and leave for summit s (YYYY-MM-DD). */
function window_(s) {
  return {
    arriveFrom: dayText(day(s.starts_on) - WINDOW_DAYS * DAY_MS),
    arriveTo: s.ends_on,
    leaveFrom: s.starts_on,
    leaveTo: dayText(day(s.ends_on) + WINDOW_DAYS * DAY_MS),
  };
}

function formCity() {
  return session.isSecretariat ? $('d-city').value : session.person?.affiliation;
}

/** Nights and meals from the form; null when the dates are not usable yet. */
function computed() {
  const delegates = Number($('d-delegates').value);
  const a = day($('d-arrival').value);
  const d = day($('d-departure').value);
  if (!Number.isInteger(delegates) || delegates < 1 || delegates > 50 || Number.isNaN(a) || Number.isNaN(d) || d < a) return null;
  const nights = Math.round((d - a) / DAY_MS);
  return { delegates, nights, meals: delegates * (nights + 1) * 3 };
}

function renderCalc() {
  const c = computed();
  const el = $('d-calc');
  if (!c) {
    delete el.dataset.nights;
    delete el.dataset.meals;
    el.textContent = 'Fill in the delegates and dates to see the nights and meals.';
    return;
  }
  el.dataset.nights = c.nights;
  el.dataset.meals = c.meals;
  el.replaceChildren(
    h('strong', { text: `${plural(c.delegates, 'delegate', 'delegates')} × ${plural(c.nights, 'night', 'nights')} = ${plural(c.delegates * c.nights, 'person-night', 'person-nights')}` }),
    h('br'),
    h('strong', { text: `${plural(c.meals, 'meal', 'meals')}` }),
    ` (${c.delegates} × ${c.nights + 1} days × 3 meals), covered by the host city. Travel is your city’s own.`);
}

for (const id of ['d-delegates', 'd-arrival', 'd-departure']) $(id).addEventListener('input', renderCalc);
for (const id of ['d-delegates', 'd-arrival', 'd-departure', 'd-dietary']) $(id).addEventListener('input', () => { st.dirty = true; });
$('d-city').addEventListener('change', () => {
  st.dirty = false;   // another city: its own registration, or a fresh form
  showMessage($('delegation-status'), '', '');
  prefill();
});

form.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  clearFieldErrors(form);
  const s = st.summit;
  const w = window_(s);
  const v = {
    summit: s.id,
    city: formCity(),
    delegates: Number($('d-delegates').value),
    arrival: $('d-arrival').value,
    departure: $('d-departure').value,
    dietary: $('d-dietary').value.trim(),
  };
  const errors = [
    [$('d-delegates'), Number.isInteger(v.delegates) && v.delegates >= 1 && v.delegates <= 50 ? '' : 'A whole number from 1 to 50.'],
    [$('d-arrival'), !v.arrival ? 'Choose the arrival day.'
      : v.arrival < w.arriveFrom || v.arrival > w.arriveTo ? `From ${formatDate(w.arriveFrom)} to ${formatDate(w.arriveTo)}.` : ''],
    [$('d-departure'), !v.departure ? 'Choose the departure day.' : v.departure < v.arrival ? 'Not before the arrival.'
      : v.departure < w.leaveFrom || v.departure > w.leaveTo ? `From ${formatDate(w.leaveFrom)} to ${formatDate(w.leaveTo)}.` : ''],
    [$('d-dietary'), v.dietary ? checkLength(v.dietary, 0, 500, 'dietary needs', { multiLine: true }) : ''],
  ];
  let first = null;
  for (const [el, msg] of errors) {
    setFieldError(el, msg);
    if (msg && !first) first = el;
  }
  if (first) { first.focus(); return; }
  const button = $('d-submit');
  button.disabled = true;
  try {
    const reply = await client.request('delegation.register', v);
    st.last = reply.delegation;
    st.updated = new Date().toISOString();
    st.dirty = false;
    form.dataset.prefilled = 'yes';
    renderRegistered();
    if (reply.hospitality) st.summit = { ...st.summit, hospitality: reply.hospitality };
    showMessage($('delegation-status'), 'ok', h('p', { text: `The delegation of ${nameOf(reply.delegation.city)} is registered: ${plural(reply.delegation.delegates, 'delegate', 'delegates')}, ${plural(reply.delegation.nights, 'night', 'nights')}, ${plural(reply.delegation.meals, 'meal', 'meals')}.` }));
    renderResult();
    renderHospitality();
    await loadDelegations();
  } catch (err) {
    session.noteError(err);
    const field = { delegates: 'd-delegates', arrival: 'd-arrival', departure: 'd-departure', dietary: 'd-dietary', city: 'd-city' }[err.field];
    if (field) setFieldError($(field), electionErrorText(err));
    else showMessage($('delegation-status'), 'error', h('p', { text: electionErrorText(err) }));
  } finally {
    button.disabled = false;
  }
});

function renderResult() {
  const d = st.last;
  const box = $('delegation-result');
  box.hidden = !d;
  if (!d) return;
  const fact = (dt, dd) => h('div', {}, h('dt', { text: dt }), h('dd', { text: dd }));
  box.replaceChildren(h('h3', { text: 'As registered' }), h('dl', { class: 'facts' },
    fact('City', nameOf(d.city)),
    fact('Delegates', String(d.delegates)),
    fact('Stay', `${formatDate(d.arrival)} – ${formatDate(d.departure)}`),
    fact('Nights', String(d.nights)),
    fact('Meals', String(d.meals)),
    fact('Dietary needs', d.dietary || '—')));
}

// ---- start -------------------------------------------------------------------------------

session.addEventListener('status', () => {
  if (st.summit) {
    renderForm();
    if (session.status === 'signed-in') loadDelegations();
  }
});
client.addEventListener('state', (ev) => { if (ev.detail.state === 'open') load(); });

watchConnection(client, $('conn'));
client.connect();
session.start();
