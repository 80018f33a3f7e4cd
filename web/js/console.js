// The secretariat console (web/console.html). Main thread; owns the page's
// B40Client and Session and what the four tabs last loaded. Every request it
// makes is a secretariat one (docs/protocol.md): the server checks the role
// on each, and a refusal that ends the session (not_signed_in, key_revoked,
// person_inactive) goes to session.noteError, which updates the gate.
//
// The signed statements (enrollment, key revocation) are built with
// statements.js and signed with the signed-in member's own key; the
// enrollment code is made here, shown once with its QR code, and kept
// nowhere: it lives only in the dialog that shows it.
import { B40Client } from './client.js';
import { Session } from './session.js';
import {
  enrollmentStatement, revocationStatement, newCode, newEnrollmentId, sha256Hex, isoTime,
  SECRETARIAT_ROLES, CITY_ROLES,
} from './statements.js';
import { encode as qrEncode, toSvg as qrSvg } from './qr.js';
import {
  $, h, pill, describeError, formatDate, formatDateTime, countryName, fold, roleWords, ROLE_LABELS, ROLE_HELP,
  STATUS_LABELS, STATUS_KIND, JOINED_LABELS, COUNTRY_TZ, checkLength, clearFieldErrors, setFieldError,
  showMessage, openDialog, watchConnection,
} from './ui.js';

const client = new B40Client();
const session = new Session(client);
const root = $('console');
const status = $('status');

const data = {
  cities: null,      // members.list
  people: null,      // person.list
  requests: null,    // request.list: every pending request
  decided: null,     // request.list: approved and rejected ones, as far as loaded
  decidedMore: null, // {approved, rejected}: whether older ones remain
  history: [],       // history.list pages, newest first
};

/** Runs a secretariat request; a refusal that ends the session updates the gate. */
async function call(type, fields) {
  try {
    return await client.request(type, fields);
  } catch (err) {
    session.noteError(err);
    throw err;
  }
}

function cityName(code) {
  if (code === 'secretariat') return 'Secretariat';
  const c = data.cities?.find((x) => x.code === code);
  return c ? c.name : code;
}

function personName(id) {
  if (id === null || id === undefined) return 'Public or command line';
  const p = data.people?.find((x) => x.id === id);
  return p ? p.name : `Person #${id}`;
}

// ---- the gate: signed in as the secretariat? ----------------------------------

function renderGate() {
  const s = session.status;
  const p = session.person;
  const panels = { signin: $('gate-signin'), forbidden: $('gate-forbidden'), workspace: $('workspace') };
  const only = (name) => { for (const [k, el] of Object.entries(panels)) el.hidden = k !== name; };

  if (s === 'signed-in' && session.isSecretariat) {
    root.dataset.state = 'ready';
    only('workspace');
    showMessage(status, '', '');
    $('me').hidden = false;
    $('me-name').textContent = p.name;
    $('me-roles').textContent = roleWords(p.roles);
    return;
  }
  $('me').hidden = true;
  if (s === 'signed-in') {
    root.dataset.state = 'forbidden';
    only('forbidden');
    $('forbidden-name').textContent = `${p.name} (${cityName(p.affiliation)}, ${roleWords(p.roles)})`;
    showMessage(status, 'warn', h('p', { text: 'You are signed in, but not as a member of the secretariat.' }));
  } else if (s === 'checking' || s === 'signing-in') {
    showMessage(status, 'info', h('p', { text: 'Signing in…' }));
  } else if (s === 'offline') {
    showMessage(status, 'warn', h('p', { text: 'Waiting for the connection to the server…' }));
  } else if (s === 'unsupported') {
    root.dataset.state = 'unsupported';
    only(null);
    showMessage(status, 'error', h('p', { text: session.error?.message || 'This browser cannot hold a key.' }));
  } else {
    root.dataset.state = 'signin';
    only('signin');
    const why = s === 'failed' ? describeError(session.error)
      : s === 'no-key' ? 'This device has no key yet.'
        : 'You are signed out.';
    showMessage(status, s === 'failed' ? 'error' : 'info', h('p', { text: why }));
  }
}

session.addEventListener('status', () => {
  renderGate();
  if (session.status === 'signed-in' && session.isSecretariat) reloadAll();
});

// ---- tabs ------------------------------------------------------------------

const TABS = ['cities', 'people', 'requests', 'history'];
let currentTab = 'cities';

function selectTab(name, { focus = false } = {}) {
  if (!TABS.includes(name)) return;
  currentTab = name;
  for (const t of TABS) {
    const tab = $(`tab-${t}`);
    const selected = t === name;
    tab.setAttribute('aria-selected', String(selected));
    tab.tabIndex = selected ? 0 : -1;
    $(`panel-${t}`).hidden = !selected;
  }
  if (focus) $(`tab-${name}`).focus();
  history.replaceState(null, '', `${location.pathname}#${name}`);
  loadTab(name);
}

for (const t of TABS) {
  const tab = $(`tab-${t}`);
  tab.addEventListener('click', () => selectTab(t));
  tab.addEventListener('keydown', (e) => {
    const i = TABS.indexOf(t);
    const to = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: TABS.length - 1 }[e.key];
    if (to === undefined) return;
    e.preventDefault();
    selectTab(TABS[(to + TABS.length) % TABS.length], { focus: true });
  });
}

function loadTab(name) {
  if (root.dataset.state !== 'ready') return;
  ({ cities: loadCities, people: loadPeople, requests: loadRequests, history: loadHistory })[name]();
}

function reloadAll() {
  data.cities = data.people = data.requests = data.decided = null;
  loadCities().then(() => loadRequestsCount());
  if (currentTab !== 'cities') loadTab(currentTab);
}

function failLoad(el, what, err) {
  if (err.code === 'disconnected' || err.code === 'not_connected') return;   // reloaded on the next sign-in
  showMessage(el, 'error', h('p', { text: `${what} could not be loaded. ${describeError(err)}` }));
}

// ---- cities ----------------------------------------------------------------

const STATUS_ACTIONS = {
  member: [['suspended', 'Suspend'], ['former', 'Mark as former']],
  suspended: [['member', 'Reinstate'], ['former', 'Mark as former']],
  former: [['member', 'Reinstate']],
};

async function loadCities() {
  try {
    const reply = await call('members.list');
    data.cities = [...reply.cities].sort((a, b) => a.name.localeCompare(b.name));
    renderCities();
    fillAffiliations();
    return data.cities;
  } catch (err) {
    failLoad($('cities-status'), 'The cities', err);
    return null;
  }
}

function renderCities() {
  $('cities-rows').replaceChildren(...data.cities.map((c) => h('tr', { dataset: { code: c.code, status: c.status } },
    h('th', { attrs: { scope: 'row' } }, c.name, ' ', h('span', { class: 'muted small', text: `(${c.code})` })),
    h('td', { attrs: { 'data-label': 'Country' }, text: countryName(c.country) }),
    h('td', { attrs: { 'data-label': 'Status' } }, pill(STATUS_KIND[c.status] || 'pending', STATUS_LABELS[c.status] || c.status)),
    h('td', { attrs: { 'data-label': 'Joined' }, text: [JOINED_LABELS[c.joined_how], c.joined_on && formatDate(c.joined_on)].filter(Boolean).join(', ') || '—' }),
    h('td', { class: 'cell--actions' }, h('div', { class: 'actions' },
      ...(STATUS_ACTIONS[c.status] || []).map(([to, label]) => h('button', {
        class: 'button button--secondary',
        text: label,
        attrs: { type: 'button', 'aria-label': `${label}: ${c.name}` },
        dataset: { to },
        on: { click: () => changeCityStatus(c, to, label) },
      })))))));
}

async function changeCityStatus(city, to, label) {
  const verbs = {
    suspended: `Suspending ${city.name} keeps it in the network, but it cannot vote until it is reinstated.`,
    former: `${city.name} will be shown as a former member and can no longer vote.`,
    member: `${city.name} becomes a full member again and can vote.`,
  };
  const done = await openDialog({
    title: `${label}: ${city.name}`,
    body: verbs[to],
    reason: { label: 'Reason', hint: 'Kept in the history and shown to auditors (at most 500 bytes).', max: 500, multiLine: true },
    confirmLabel: label,
    danger: to !== 'member',
    submit: async (reason) => {
      await call('city.set_status', { city: city.code, status: to, reason });
    },
  });
  if (done === null) return;
  showMessage($('cities-status'), 'ok', h('p', { text: `${city.name}: ${STATUS_LABELS[to].toLowerCase()} from now on.` }));
  await loadCities();
}

// ---- people ----------------------------------------------------------------

const personForm = $('person-form');
const pName = $('p-name');
const pAffiliation = $('p-affiliation');
const pRolesList = $('p-roles-list');

function fillAffiliations() {
  const current = pAffiliation.value || 'secretariat';
  const cities = (data.cities || []).filter((c) => c.status === 'member' || c.status === 'suspended');
  pAffiliation.replaceChildren(
    h('option', { text: 'Network secretariat', attrs: { value: 'secretariat' } }),
    h('optgroup', { attrs: { label: 'Cities' } },
      ...cities.map((c) => h('option', { text: `${c.name} (${countryName(c.country)})`, attrs: { value: c.code } }))),
  );
  pAffiliation.value = [...pAffiliation.options].some((o) => o.value === current) ? current : 'secretariat';
  fillRoles();
}

/** The role checkboxes that fit the chosen affiliation (docs/identity.md, Roles). */
function fillRoles() {
  const roles = pAffiliation.value === 'secretariat' ? SECRETARIAT_ROLES : CITY_ROLES;
  const was = new Set([...pRolesList.querySelectorAll('input:checked')].map((i) => i.value).filter((r) => roles.includes(r)));
  pRolesList.replaceChildren(...roles.map((r, i) => {
    const id = `p-role-${r}`;
    const input = h('input', { attrs: { type: 'checkbox', id, name: 'roles', value: r, 'aria-describedby': `${id}-help` } });
    input.checked = was.has(r) || (was.size === 0 && i === 0);
    return h('div', {},
      h('label', { class: 'check', attrs: { for: id } }, input, h('span', {},
        h('strong', { text: ROLE_LABELS[r] }), ' — ', h('span', { text: ROLE_HELP[r], attrs: { id: `${id}-help` } }))));
  }));
}
pAffiliation.addEventListener('change', fillRoles);

personForm.addEventListener('submit', async (e) => {
  e.preventDefault();
  clearFieldErrors(personForm);
  const name = pName.value.trim();
  const roles = [...pRolesList.querySelectorAll('input:checked')].map((i) => i.value);
  const nameErr = checkLength(name, 1, 100, 'a name');
  setFieldError(pName, nameErr);
  const rolesErr = roles.length ? '' : 'Choose at least one role.';
  setFieldError($('p-roles'), rolesErr);
  if (nameErr || rolesErr) {
    (nameErr ? pName : pRolesList.querySelector('input')).focus();
    return;
  }
  const submit = $('person-submit');
  submit.disabled = true;
  try {
    const reply = await call('person.create', { name, affiliation: pAffiliation.value, roles });
    const person = reply.person;
    pName.value = '';
    showMessage($('person-status'), 'ok', h('p', { text: `${person.name} has been added. Now make an enrollment link so they can set up their key.` }),
      h('div', { class: 'actions' }, h('button', {
        class: 'button', text: `Create an enrollment link for ${person.name}`, attrs: { type: 'button' },
        on: { click: () => createEnrollment(person) },
      })));
    await loadPeople();
  } catch (err) {
    const field = err.field === 'name' ? pName : err.field === 'affiliation' ? pAffiliation : err.field === 'roles' ? $('p-roles') : null;
    if (field) setFieldError(field, describeError(err));
    else showMessage($('person-status'), 'error', h('p', { text: describeError(err) }));
  } finally {
    submit.disabled = false;
  }
});

async function loadPeople() {
  try {
    const reply = await call('person.list');
    data.people = reply.people;
    renderPeople();
    return data.people;
  } catch (err) {
    failLoad($('people-status'), 'The people', err);
    return null;
  }
}

function enrollmentText(en) {
  const used = en.used === true || typeof en.used === 'string';
  if (used) return `Link used${typeof en.used === 'string' ? ` on ${formatDateTime(en.used)}` : ''}.`;
  if (new Date(en.expires) < new Date()) return `Link expired on ${formatDateTime(en.expires)}, unused.`;
  return `Link waiting to be used, until ${formatDateTime(en.expires)}.`;
}

function renderPeople() {
  const needle = fold($('people-q').value.trim());
  const people = (data.people || []).filter((p) => !needle
    || fold(p.name).includes(needle) || fold(cityName(p.affiliation)).includes(needle))
    .sort((a, b) => (a.affiliation === 'secretariat' ? 0 : 1) - (b.affiliation === 'secretariat' ? 0 : 1)
      || cityName(a.affiliation).localeCompare(cityName(b.affiliation)) || a.name.localeCompare(b.name));
  const ownKey = session.record?.publicKey;
  $('people-list').replaceChildren(...people.map((p) => {
    const keys = p.keys || [];
    const enrollments = p.enrollments || [];
    return h('li', { class: 'item', dataset: { person: p.id } },
      h('div', { class: 'item__head' },
        h('h3', { class: 'item__title', text: p.name }),
        p.active ? null : pill('pending', 'Inactive')),
      h('p', { text: `${cityName(p.affiliation)} · ${roleWords(p.roles)}` }),
      h('h4', { text: keys.length ? 'Keys' : 'No key yet' }),
      keys.length ? h('ul', { class: 'keys' }, ...keys.map((k) => h('li', { class: 'key', dataset: { key: k.public_key } },
        h('p', { class: 'key__name' }, h('strong', { text: k.device }),
          k.public_key === ownKey ? h('span', { class: 'muted', text: ' (the device you are using)' }) : null),
        h('p', { class: 'small muted' }, `Enrolled ${formatDateTime(k.created)} · key `,
          h('span', { class: 'key-hex', text: `${k.public_key.slice(0, 12)}…` })),
        k.revoked ? h('p', {}, pill('error', `Revoked ${formatDateTime(k.revoked)}`)) : h('div', { class: 'actions' }, h('button', {
          class: 'button button--secondary', text: 'Revoke this key',
          attrs: { type: 'button', 'aria-label': `Revoke the key “${k.device}” of ${p.name}` },
          on: { click: () => revokeKey(p, k) },
        }))))) : null,
      enrollments.length ? h('h4', { text: 'Enrollment links' }) : null,
      enrollments.length ? h('ul', { class: 'sublist' }, ...enrollments.map((en) => h('li', { text: enrollmentText(en) }))) : null,
      h('div', { class: 'actions' }, p.active === false ? null : h('button', {
        class: 'button', text: 'Create enrollment link',
        attrs: { type: 'button', 'aria-label': `Create an enrollment link for ${p.name}` },
        on: { click: () => createEnrollment(p) },
      })));
  }));
  if (people.length === 0) $('people-list').append(h('li', { class: 'muted', text: data.people?.length ? 'Nobody matches.' : 'No people yet.' }));
}
$('people-q').addEventListener('input', renderPeople);

const VALIDITY_DAYS = [1, 3, 7, 10];

/** Makes an enrollment for person, signed with this member's key, and shows its link once. */
async function createEnrollment(person) {
  let made = null;
  let daysSelect = null;
  const ok = await openDialog({
    title: `Enrollment link for ${person.name}`,
    body: [
      h('p', { text: `The link lets ${person.name} set up a key on one device (${cityName(person.affiliation)}, ${roleWords(person.roles)}). It works once.` }),
      h('p', { text: 'You will see the link and its QR code only once: send it to the person directly (for example by e-mail or in person), not to a group.' }),
    ],
    fields: (box) => {
      daysSelect = h('select', { attrs: { id: 'enroll-days' } },
        ...VALIDITY_DAYS.map((d) => h('option', { text: `${d} day${d === 1 ? '' : 's'}`, attrs: { value: d, selected: d === 7 } })));
      box.append(h('div', { class: 'field' }, h('label', { text: 'The link stays valid for', attrs: { for: 'enroll-days' } }), daysSelect));
      return { validate: () => true, value: () => Number(daysSelect.value) };
    },
    confirmLabel: 'Create the link',
    submit: async (days) => {
      const code = newCode();
      const enrollment = newEnrollmentId();
      const codeSha256 = await sha256Hex(code);
      const expires = isoTime(new Date(Date.now() + days * 86400000));
      const statement = enrollmentStatement({
        enrollment,
        person: person.id,
        name: person.name,
        affiliation: person.affiliation,
        roles: person.roles,
        codeSha256,
        expires,
        signer: session.record.publicKey,
      });
      const signature = await session.sign(statement);
      const reply = await call('enrollment.create', {
        enrollment, person: person.id, code_sha256: codeSha256, expires, statement, signature,
      });
      made = { code, expires: reply.expires || expires };
    },
  });
  if (!ok || !made) return;
  showEnrollmentLink(person, made);
  loadPeople();
}

function showEnrollmentLink(person, { code, expires }) {
  const link = `${location.origin}/enroll#${code}`;
  const linkBox = h('code', { class: 'link-box', text: link, attrs: { id: 'enroll-link' } });
  const copyStatus = h('p', { class: 'small', attrs: { role: 'status', 'aria-live': 'polite' } });
  const copy = h('button', {
    class: 'button button--secondary', text: 'Copy the link', attrs: { type: 'button', id: 'enroll-copy' },
    on: {
      click: async () => {
        try {
          await navigator.clipboard.writeText(link);
          copyStatus.textContent = 'Copied.';
        } catch {
          getSelection().selectAllChildren(linkBox);
          copyStatus.textContent = 'The link is selected: press Ctrl+C (or ⌘C) to copy it.';
        }
      },
    },
  });
  let qr = null;
  try {
    qr = qrSvg(qrEncode(link, { ecl: 'M' }), { label: `QR code of the enrollment link for ${person.name}` });
    qr.id = 'enroll-qr';
  } catch { /* a link too long for a QR code cannot happen with a 22-character code */ }
  openDialog({
    title: `Link for ${person.name} is ready`,
    body: [
      h('p', { text: `Send this link to ${person.name}, or let them scan the QR code with their phone. It works once, until ${formatDateTime(expires)}.` }),
      linkBox,
      h('div', { class: 'actions' }, copy),
      copyStatus,
      qr,
      h('p', { class: 'muted small', text: 'This is the only time the link is shown: it is not stored anywhere. If it gets lost, make a new one.' }),
    ],
    confirmLabel: 'Done',
    cancelLabel: null,
  });
}

/** Revokes a key: a reason, the revocation statement signed with this member's key, key.revoke. */
async function revokeKey(person, key) {
  const own = key.public_key === session.record?.publicKey;
  const done = await openDialog({
    title: `Revoke the key “${key.device}” of ${person.name}?`,
    body: [
      h('p', { text: 'The key can no longer sign in or vote. What it signed before stays verifiable. This cannot be undone: the person will need a new enrollment link.' }),
      own ? h('p', { class: 'alert alert--warn', text: 'This is the key you are signed in with: you will be signed out.' }) : null,
    ],
    reason: { label: 'Reason', hint: 'One line, for example “lost phone” (at most 200 bytes). It is part of the signed revocation.', max: 200 },
    confirmLabel: 'Revoke the key',
    danger: true,
    submit: async (reason) => {
      const revoked = isoTime();
      const statement = revocationStatement({
        publicKey: key.public_key, person: person.id, reason, revoked, signer: session.record.publicKey,
      });
      const signature = await session.sign(statement);
      await call('key.revoke', { public_key: key.public_key, reason, revoked, statement, signature });
    },
  });
  if (done === null) return;
  showMessage($('people-status'), 'ok', h('p', { text: `The key “${key.device}” of ${person.name} has been revoked.` }));
  if (!own) await loadPeople();
}

// ---- requests --------------------------------------------------------------

const REQUEST_PAGE = 100;

/**
 * Every pending request (they come first), then the decided ones a page at
 * a time (request.list answers newest first, at most 100 at once).
 */
async function loadRequests({ more = false } = {}) {
  try {
    if (!more) {
      const pending = await pagedRequests('pending');
      const decided = await call('request.list', { limit: REQUEST_PAGE, status: 'approved' });
      const rejected = await call('request.list', { limit: REQUEST_PAGE, status: 'rejected' });
      data.requests = pending;
      data.decided = [...decided.requests, ...rejected.requests];
      data.decidedMore = { approved: decided.requests.length === REQUEST_PAGE, rejected: rejected.requests.length === REQUEST_PAGE };
    } else {
      for (const st of ['approved', 'rejected']) {
        if (!data.decidedMore[st]) continue;
        const last = data.decided.filter((r) => r.status === st).at(-1);
        const reply = await call('request.list', { limit: REQUEST_PAGE, status: st, ...(last ? { before: last.id } : {}) });
        data.decided.push(...reply.requests);
        data.decidedMore[st] = reply.requests.length === REQUEST_PAGE;
      }
    }
    data.decided.sort((a, b) => String(b.decided || b.submitted).localeCompare(String(a.decided || a.submitted)));
    renderRequests();
    return data.requests;
  } catch (err) {
    failLoad($('requests-status'), 'The requests', err);
    return null;
  }
}

/** All requests with one status, following `before` until a short page. */
async function pagedRequests(status) {
  const out = [];
  for (;;) {
    const reply = await call('request.list', { limit: REQUEST_PAGE, status, ...(out.length ? { before: out.at(-1).id } : {}) });
    out.push(...reply.requests);
    if (reply.requests.length < REQUEST_PAGE) return out;
  }
}

async function loadRequestsCount() {
  if (data.requests) return;
  try {
    const pending = await pagedRequests('pending');
    $('pending-count').textContent = pending.length ? `(${pending.length})` : '';
  } catch { /* the count is a convenience */ }
}

const REQUEST_KIND = { pending: 'warn', approved: 'ok', rejected: 'pending' };

function renderRequests() {
  const list = [...(data.requests || []), ...(data.decided || [])];
  const pending = (data.requests || []).length;
  $('requests-more').hidden = !(data.decidedMore?.approved || data.decidedMore?.rejected);
  $('pending-count').textContent = pending ? `(${pending})` : '';
  const fact = (dt, dd) => h('div', {}, h('dt', { text: dt }), h('dd', { text: dd }));
  $('request-list').replaceChildren(...list.map((r) => h('li', {
    class: `item${r.status === 'pending' ? ' item--pending' : ''}`,
    dataset: { request: r.id, status: r.status },
  },
  h('div', { class: 'item__head' },
    h('h3', { class: 'item__title', text: r.city_name }),
    pill(REQUEST_KIND[r.status] || 'pending', r.status === 'pending' ? 'Pending' : r.status === 'approved' ? 'Approved' : 'Rejected'),
    h('span', { class: 'muted small', text: `#${r.id}` })),
  h('dl', { class: 'facts' },
    fact('Country', `${countryName(r.country)} (${r.country})`),
    fact('Contact', r.contact_name),
    fact('E-mail', r.email),
    fact('Sent', formatDateTime(r.submitted)),
    r.decided ? fact('Decided', formatDateTime(r.decided)) : null,
    r.decision_reason ? fact('Decision', r.decision_reason) : null,
    r.city ? fact('City code', typeof r.city === 'string' ? r.city : r.city.code || '') : null),
  h('p', { class: 'label', text: 'Why they want to join' }),
  h('blockquote', { class: 'quote request-reason', text: r.reason }),
  r.status === 'pending' ? h('div', { class: 'actions' },
    h('button', { class: 'button', text: 'Approve…', attrs: { type: 'button', 'aria-label': `Approve the request of ${r.city_name}` }, on: { click: () => approveRequest(r) } }),
    h('button', { class: 'button button--secondary', text: 'Reject…', attrs: { type: 'button', 'aria-label': `Reject the request of ${r.city_name}` }, on: { click: () => rejectRequest(r) } })) : null)));
  if (list.length === 0) $('request-list').append(h('li', { class: 'muted', text: 'No membership requests yet.' }));
}

/** A city code from a name: lower-case ASCII letters, digits and hyphens. */
function slug(name) {
  return fold(name).replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 32);
}

function textField(id, label, value, { hint, type = 'text', max, attrs = {} } = {}) {
  const input = h('input', { attrs: { id, name: id, type, maxlength: max, autocomplete: 'off', ...attrs } });
  input.value = value ?? '';
  if (hint) input.setAttribute('aria-describedby', `${id}-hint`);
  return {
    input,
    el: h('div', { class: 'field' }, h('label', { text: label, attrs: { for: id } }),
      hint ? h('p', { class: 'field__hint', text: hint, attrs: { id: `${id}-hint` } }) : null, input),
  };
}

async function approveRequest(r) {
  let form = null;
  const done = await openDialog({
    title: `Approve: ${r.city_name}`,
    body: h('p', { text: 'The city becomes a member from today. Check its details; the code cannot be changed later.' }),
    fields: (box) => {
      const country = (r.country || '').toUpperCase();
      const f = {
        code: textField('a-code', 'City code', slug(r.city_name), { hint: '2 to 32 characters: lower-case letters, digits, hyphens; a letter first. Used in links and records.', max: 32 }),
        name: textField('a-name', 'Name (English)', r.city_name, { max: 100 }),
        name_local: textField('a-name-local', 'Local name', r.city_name, { hint: 'As the city writes it, e.g. Αθήνα.', max: 100 }),
        country: textField('a-country', 'Country code', country, { hint: `Two letters${country ? `: ${countryName(country)}` : ''}.`, max: 2 }),
        tz: textField('a-tz', 'Time zone', COUNTRY_TZ[country] || '', { hint: 'For example Europe/Athens.', max: 64 }),
        lat: textField('a-lat', 'Latitude', '', { hint: 'Decimal degrees, −90 to 90, e.g. 41.0082.', attrs: { inputmode: 'decimal' } }),
        lon: textField('a-lon', 'Longitude', '', { hint: 'Decimal degrees, −180 to 180, e.g. 28.9784.', attrs: { inputmode: 'decimal' } }),
        reason: textField('a-reason', 'Reason for the decision', 'Membership request approved by the secretariat.', { hint: 'Kept in the history (at most 500 bytes).', max: 500 }),
      };
      box.append(f.code.el, h('div', { class: 'field-row' }, f.name.el, f.name_local.el),
        h('div', { class: 'field-row' }, f.country.el, f.tz.el),
        h('div', { class: 'field-row' }, f.lat.el, f.lon.el), f.reason.el);
      form = f;
      const num = (s) => Number(String(s).trim().replace(',', '.').replace('−', '-'));
      return {
        validate() {
          const v = this.value();
          const errors = [
            [f.code.input, /^[a-z][a-z0-9-]{1,31}$/.test(v.city.code) ? '' : 'Use 2 to 32 lower-case letters, digits or hyphens, starting with a letter.'],
            [f.name.input, checkLength(v.city.name, 1, 100, 'the name')],
            [f.name_local.input, checkLength(v.city.name_local, 1, 100, 'the local name')],
            [f.country.input, /^[A-Z]{2}$/.test(v.city.country) ? '' : 'Two letters, e.g. GR.'],
            [f.tz.input, validTz(v.city.tz) ? '' : 'A time zone name such as Europe/Athens.'],
            [f.lat.input, f.lat.input.value.trim() !== '' && Number.isFinite(v.city.lat) && Math.abs(v.city.lat) <= 90 ? '' : 'A number from −90 to 90.'],
            [f.lon.input, f.lon.input.value.trim() !== '' && Number.isFinite(v.city.lon) && Math.abs(v.city.lon) <= 180 ? '' : 'A number from −180 to 180.'],
            [f.reason.input, checkLength(v.reason, 1, 500, 'a reason', { multiLine: true })],
          ];
          let first = null;
          for (const [el, msg] of errors) {
            setFieldError(el, msg);
            if (msg && !first) first = el;
          }
          first?.focus();
          return !first;
        },
        value() {
          return {
            reason: f.reason.input.value.trim(),
            city: {
              code: f.code.input.value.trim(),
              name: f.name.input.value.trim(),
              name_local: f.name_local.input.value.trim(),
              country: f.country.input.value.trim().toUpperCase(),
              tz: f.tz.input.value.trim(),
              lat: num(f.lat.input.value),
              lon: num(f.lon.input.value),
            },
          };
        },
        showError(err) {
          const key = String(err.field || '').replace(/^city\./, '');
          const target = err.code === 'conflict' ? f.code.input : f[key]?.input;
          if (!target) return false;
          setFieldError(target, describeError(err));
          target.focus();
          return true;
        },
      };
    },
    confirmLabel: 'Approve and add the city',
    submit: async (v) => {
      await call('request.decide', { request: r.id, decision: 'approve', reason: v.reason, city: v.city });
    },
  });
  if (done === null || !form) return;
  showMessage($('requests-status'), 'ok', h('p', { text: `${done.city.name} is now a member city.` }));
  await Promise.all([loadRequests(), loadCities()]);
}

function validTz(tz) {
  if (!/^[A-Za-z_]+(\/[A-Za-z0-9_+-]+)+$|^UTC$/.test(tz)) return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz }).format(0);
    return true;
  } catch {
    return false;
  }
}

async function rejectRequest(r) {
  const done = await openDialog({
    title: `Reject: ${r.city_name}`,
    body: h('p', { text: `The request stays on record as rejected. Write the reason plainly: it may be sent to ${r.contact_name}.` }),
    reason: { label: 'Reason', hint: 'At most 500 bytes.', max: 500, multiLine: true },
    confirmLabel: 'Reject the request',
    danger: true,
    submit: async (reason) => {
      await call('request.decide', { request: r.id, decision: 'reject', reason });
    },
  });
  if (done === null) return;
  showMessage($('requests-status'), 'ok', h('p', { text: `The request of ${r.city_name} has been rejected.` }));
  await loadRequests();
}

// ---- history ---------------------------------------------------------------

const HISTORY_PAGE = 50;

async function loadHistory({ more = false } = {}) {
  try {
    if (!data.people) await loadPeople();
    const fields = { limit: HISTORY_PAGE };
    if (more && data.history.length) fields.before = data.history[data.history.length - 1].id;
    const reply = await call('history.list', fields);
    data.history = more ? data.history.concat(reply.entries) : reply.entries;
    $('history-more').hidden = reply.entries.length < HISTORY_PAGE;
    renderHistory();
  } catch (err) {
    failLoad($('history-status'), 'The history', err);
  }
}

function detailsText(details) {
  let d = details;
  if (typeof d === 'string') {
    try { d = JSON.parse(d); } catch { return d; }
  }
  if (d === null || typeof d !== 'object') return String(d ?? '');
  return Object.entries(d).map(([k, v]) => `${k}: ${typeof v === 'object' ? JSON.stringify(v) : v}`).join('; ');
}

function renderHistory() {
  $('history-rows').replaceChildren(...data.history.map((e) => h('tr', { dataset: { id: e.id, action: e.action } },
    h('td', { attrs: { 'data-label': 'When' }, class: 'cell--when', text: formatDateTime(e.at) }),
    h('td', { attrs: { 'data-label': 'Who' }, text: personName(e.actor) }),
    h('td', { attrs: { 'data-label': 'What' }, text: e.action }),
    h('td', { attrs: { 'data-label': 'Subject' }, text: e.subject }),
    h('td', { attrs: { 'data-label': 'Details' }, class: 'small cell--wrap', text: detailsText(e.details) }))));
  if (data.history.length === 0) $('history-rows').append(h('tr', {}, h('td', { attrs: { colspan: 5 }, text: 'Nothing recorded yet.' })));
}

$('history-more').addEventListener('click', () => loadHistory({ more: true }));
$('requests-more').addEventListener('click', () => loadRequests({ more: true }));

// ---- start -----------------------------------------------------------------

const fromHash = location.hash.replace(/^#/, '');
if (TABS.includes(fromHash)) {
  currentTab = fromHash;
  for (const t of TABS) {
    $(`tab-${t}`).setAttribute('aria-selected', String(t === fromHash));
    $(`tab-${t}`).tabIndex = t === fromHash ? 0 : -1;
    $(`panel-${t}`).hidden = t !== fromHash;
  }
}

// A link to another tab of this page (console.html#requests) changes only the fragment.
window.addEventListener('hashchange', () => {
  const name = location.hash.replace(/^#/, '');
  if (TABS.includes(name) && name !== currentTab) selectTab(name);
});

watchConnection(client, $('conn'));
renderGate();
client.connect();
session.start();
