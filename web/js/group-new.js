// The two-signature proposal of a new working group (web/group-new.html).
// Main thread; owns the page's B40Client and Session, the current term and
// the proposal shown. The proposer fills in the group, sees the exact
// b40-group-proposal-v1 text (statements.js), and signs it with this
// device's key (group.propose). The other side opens ?group=CODE, sees the
// same text and the first signature (verified here with WebCrypto against
// the text shown), and signs the very same bytes (group.agree); the server
// keeps both and the group is active from the second. Who may sign:
// the mayor of the city holding the current presidency term, and the
// secretariat (groupwords.js sideOf, as the server decides).
import { B40Client } from './client.js';
import { Session } from './session.js';
import { groupProposalStatement } from './statements.js';
import { verifyEd25519, parseText } from './ballot.js';
import {
  $, h, pill, setPill, showMessage, watchConnection, formatDate, checkLength, setFieldError, clearFieldErrors, roleWords,
} from './ui.js';
import { formatWhen } from './localtime.js';
import { GROUP_STATE_WORDS, GROUP_STATE_KIND, groupErrorText, sideOf } from './groupwords.js';

const client = new B40Client();
const session = new Session(client);
const root = $('proposal');
const status = $('status');

const st = {
  wanted: new URLSearchParams(location.search).get('group') || null,
  term: null,
  groups: [],
  cities: new Map(),
  group: null,       // group.get of the proposal shown
  verified: new Map(), // public_key+signature -> boolean
  draft: null,       // {fields, text} shown, not yet signed
  busy: false,
  loaded: false,
};

const SIDE_WORDS = { presidency: 'The presidency', secretariat: 'The secretariat' };

function nameOf(code) {
  return st.cities.get(code)?.name || code;
}

async function call(type, fields) {
  try {
    return await client.request(type, fields);
  } catch (err) {
    session.noteError(err);
    throw err;
  }
}

async function load() {
  try {
    const [list, members] = await Promise.all([client.request('group.list'), st.cities.size ? null : client.request('members.list')]);
    if (members) st.cities = new Map((members.cities || []).map((c) => [c.code, c]));
    st.term = list.term || null;
    st.groups = list.groups || [];
    st.group = null;
    if (st.wanted) {
      st.group = (await client.request('group.get', { group: st.wanted })).group;
      await verifySignatures();
    }
    st.loaded = true;
    render();
  } catch (err) {
    if (err.code === 'disconnected' || err.code === 'not_connected') return;
    root.dataset.state = 'error';
    showMessage(status, 'error', h('p', { text: err.code === 'not_found' ? `There is no group “${st.wanted}”.` : `This could not be loaded. ${groupErrorText(err)}` }));
  }
}

async function verifySignatures() {
  const p = st.group?.proposal;
  for (const s of p?.signatures || []) {
    const k = `${s.public_key}/${s.signature}`;
    if (!st.verified.has(k)) st.verified.set(k, await verifyEd25519(s.public_key, p.statement, s.signature));
  }
}

// ---- rendering ------------------------------------------------------------------------

function show(...ids) {
  for (const id of ['gate-signin', 'gate-forbidden', 'p-form', 'p-confirm', 'view']) $(id).hidden = !ids.includes(id);
}

function render() {
  const p = session.status === 'signed-in' ? session.person : null;
  $('me').hidden = !p;
  if (p) $('me').replaceChildren('Signed in as ', h('strong', { text: p.name }), ` (${roleWords(p.roles)}, ${p.affiliation === 'secretariat' ? 'the secretariat' : nameOf(p.affiliation)})`);
  renderPending();
  if (st.group) { renderView(p); return; }
  if (st.loaded && !st.term) {
    show();
    root.dataset.state = 'error';
    showMessage(status, 'warn', h('p', { text: 'No presidency term is recorded, so no group can be proposed yet.' }));
    return;
  }
  if (['checking', 'signing-in', 'offline'].includes(session.status) || !st.loaded) {
    show();
    showMessage(status, 'info', h('p', { text: session.status === 'offline' ? 'Waiting for the connection…' : 'Signing in…' }));
    return;
  }
  if (!p) {
    show('gate-signin');
    root.dataset.state = 'signin';
    showMessage(status, '', '');
    return;
  }
  const side = sideOf(p, st.term);
  if (!side) {
    show('gate-forbidden');
    root.dataset.state = 'forbidden';
    $('forbidden-text').textContent = `A new group is proposed by the mayor of ${nameOf(st.term.city)} (the city that holds the presidency now) or by the secretariat. You are signed in as ${p.name}.`;
    showMessage(status, '', '');
    return;
  }
  if (st.draft) {
    show('p-confirm');
    root.dataset.state = 'confirm';
    $('p-text').textContent = st.draft.text;
  } else {
    show('p-form');
    root.dataset.state = 'form';
    $('p-side').textContent = side === 'presidency'
      ? `You sign for the presidency (${nameOf(st.term.city)}). The secretariat signs the same text next.`
      : `You sign for the secretariat. The mayor of ${nameOf(st.term.city)}, which holds the presidency, signs the same text next.`;
  }
  if (status.classList.contains('alert--info')) showMessage(status, '', '');
}

function renderPending() {
  const pending = st.groups.filter((g) => g.state === 'proposed' && g.code !== st.group?.code);
  $('pending').hidden = pending.length === 0;
  $('pending-list').replaceChildren(...pending.map((g) => h('li', { class: 'item item--pending', dataset: { code: g.code } },
    h('div', { class: 'item__head' },
      h('h3', { class: 'item__title' }, h('a', { text: g.name, attrs: { href: `/group-new.html?group=${encodeURIComponent(g.code)}` } })),
      pill('warn', 'Waiting for a signature')),
    h('p', { class: 'muted', text: g.description }))));
}

function renderView(person) {
  const g = st.group;
  const p = g.proposal;
  show('view');
  root.dataset.state = 'view';
  $('p-title').textContent = g.state === 'proposed' ? `Proposed: ${g.name}` : g.name;
  if (status.classList.contains('alert--info')) showMessage(status, '', '');
  if (!p) {
    showMessage(status, 'info', h('p', { text: 'This is one of the network’s founding groups: it was not proposed, so it has no signatures.' }));
    $('view').hidden = true;
    return;
  }
  const f = parseText(p.statement).fields;
  setPill($('view-state'), GROUP_STATE_KIND[g.state] || 'pending', g.state === 'proposed' ? 'Proposed' : GROUP_STATE_WORDS[g.state] || g.state);
  $('view-state').dataset.state = g.state;
  const signed = new Set(p.signatures.map((s) => s.side));
  $('view-state-words').textContent = g.state === 'proposed'
    ? `Signed by ${[...signed].map((s) => SIDE_WORDS[s].toLowerCase()).join(' and ')}; waiting for ${['presidency', 'secretariat'].filter((s) => !signed.has(s)).map((s) => SIDE_WORDS[s].toLowerCase()).join(' and ')}.`
    : `Both sides have signed; the group is ${g.state === 'active' ? 'active' : g.state}${g.active_from ? ` since ${formatWhen(g.active_from)}` : ''}.`;
  const fact = (dt, dd) => h('div', {}, h('dt', { text: dt }), h('dd', { text: dd }));
  $('view-facts').replaceChildren(
    fact('Name', f.name || g.name),
    fact('Code', f.code || g.code),
    fact('What it is for', f.description || g.description),
    fact('Kind', f.kind === 'temporary' ? `Temporary, until ${formatDate(f['ends-on'])}` : 'Permanent'),
    fact('Presidency', nameOf(f.presidency || p.presidency)),
    fact('Proposed', formatWhen(f.proposed || p.proposed_at)));
  $('view-text').textContent = p.statement;
  $('signatures').replaceChildren(...p.signatures.map((s) => {
    const ok = st.verified.get(`${s.public_key}/${s.signature}`);
    return h('li', { class: 'item', dataset: { side: s.side, verified: ok ? 'yes' : 'no' } },
      h('div', { class: 'item__head' },
        h('h4', { class: 'item__title', text: `${SIDE_WORDS[s.side] || s.side}: ${s.name}` }),
        ok ? pill('ok', 'Signature valid (checked on this device)') : pill('error', 'Signature does NOT verify')),
      h('p', { class: 'small muted', text: `Signed ${formatWhen(s.signed_at)}` }),
      h('p', { class: 'small' }, 'Key ', h('span', { class: 'key-hex', text: s.public_key })),
      h('p', { class: 'small' }, 'Signature ', h('span', { class: 'key-hex', text: s.signature })));
  }));
  $('view-group-link').href = `/group.html?code=${encodeURIComponent(g.code)}`;
  $('view-group-link').hidden = g.state === 'proposed';

  const side = person ? sideOf(person, st.term) : null;
  const canAgree = g.state === 'proposed' && side && !signed.has(side) && p.signatures.every((s) => st.verified.get(`${s.public_key}/${s.signature}`));
  $('agree').hidden = !canAgree;
  if (canAgree) {
    $('agree-text').textContent = `You sign for ${SIDE_WORDS[side].toLowerCase()}: your key signs exactly the text above, the same bytes ${p.signatures.map((s) => s.name).join(' and ')} signed. With your signature the group is created.`;
  } else if (g.state === 'proposed' && side && signed.has(side)) {
    showMessage(status, 'info', h('p', { text: `Your side has signed. The group is created when ${['presidency', 'secretariat'].filter((s) => !signed.has(s)).map((s) => SIDE_WORDS[s].toLowerCase()).join(' and ')} signs the same text. Send them the address of this page:` }),
      h('p', { class: 'link-box', text: location.href }));
  } else if (g.state === 'proposed' && !person) {
    showMessage(status, 'info', h('p', {}, 'To sign, ', h('a', { text: 'sign in', attrs: { href: '/signin.html' } }), ' as the presidency’s mayor or the secretariat.'));
  }
}

// ---- proposing -------------------------------------------------------------------------

function slug(name) {
  return name.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').replace(/^[^a-z]+/, '').slice(0, 32).replace(/-+$/, '');
}

let codeTouched = false;
$('p-code').addEventListener('input', () => { codeTouched = true; });
$('p-name').addEventListener('input', () => { if (!codeTouched) $('p-code').value = slug($('p-name').value); });
for (const r of document.querySelectorAll('input[name="kind"]')) {
  r.addEventListener('change', () => { $('p-ends-field').hidden = !$('p-kind-temporary').checked; });
}

$('p-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const form = $('p-form');
  clearFieldErrors(form);
  const name = $('p-name').value.trim();
  const code = $('p-code').value.trim();
  const description = $('p-description').value.replace(/\s*\n\s*/g, ' ').trim();
  const kind = $('p-kind-temporary').checked ? 'temporary' : 'permanent';
  const endsOn = $('p-ends').value;
  const today = new Date().toISOString().slice(0, 10);
  const errors = [
    [$('p-name'), checkLength(name, 1, 120, 'a name')],
    [$('p-code'), /^[a-z][a-z0-9-]{1,31}$/.test(code) ? '' : '2 to 32 lower-case letters, digits and “-”, starting with a letter.'],
    [$('p-description'), checkLength(description, 1, 1000, 'what the group is for')],
    [$('p-ends'), kind === 'temporary' && !(endsOn > today) ? 'A temporary group ends on a day after today.' : ''],
  ];
  let first = null;
  for (const [el, msg] of errors) {
    setFieldError(el, msg);
    if (msg && !first) first = el;
  }
  if (first) { first.focus(); return; }
  const fields = { code, name, description, kind, presidency: st.term.city, proposed: new Date().toISOString() };
  if (kind === 'temporary') fields.endsOn = endsOn;
  try {
    st.draft = { fields, text: groupProposalStatement(fields) };
  } catch (err) {
    showMessage(status, 'error', h('p', { text: `This proposal cannot be signed: ${err.message}.` }));
    return;
  }
  render();
  $('p-confirm-title').focus();
});

$('p-back').addEventListener('click', () => {
  st.draft = null;
  render();
  $('p-name').focus();
});

$('p-sign').addEventListener('click', async () => {
  if (!st.draft || st.busy) return;
  st.busy = true;
  $('p-sign').disabled = true;
  try {
    // The proposal's time must be within 5 minutes of the server's: a draft left open longer is made again.
    if (Date.now() - Date.parse(st.draft.fields.proposed) > 4 * 60 * 1000) {
      const fields = { ...st.draft.fields, proposed: new Date().toISOString() };
      st.draft = { fields, text: groupProposalStatement(fields) };
      $('p-text').textContent = st.draft.text;
    }
    const { fields, text } = st.draft;
    const signature = await session.sign(text);
    const req = { code: fields.code, name: fields.name, description: fields.description, kind: fields.kind, proposed: fields.proposed, statement: text, signature };
    if (fields.kind === 'temporary') req.ends_on = fields.endsOn;
    const reply = await call('group.propose', req);
    st.draft = null;
    st.wanted = reply.group.code;
    history.replaceState(null, '', `${location.pathname}?group=${encodeURIComponent(st.wanted)}`);
    showMessage(status, 'ok', h('p', { text: 'Proposed and signed. The group exists once the other side signs the same text: send them the address of this page.' }));
    await load();
  } catch (err) {
    const field = { code: 'p-code', name: 'p-name', description: 'p-description', ends_on: 'p-ends' }[err.field];
    if (field) {
      st.draft = null;
      render();
      setFieldError($(field), groupErrorText(err));
      $(field).focus();
    } else {
      showMessage(status, 'error', h('p', { text: `The proposal was not accepted. ${groupErrorText(err)}` }));
    }
  } finally {
    st.busy = false;
    $('p-sign').disabled = false;
  }
});

$('agree-sign').addEventListener('click', async () => {
  const g = st.group;
  if (!g?.proposal || st.busy) return;
  st.busy = true;
  $('agree-sign').disabled = true;
  try {
    const text = g.proposal.statement;
    const signature = await session.sign(text);
    const reply = await call('group.agree', { group: g.code, statement: text, signature });
    showMessage(status, 'ok', h('p', { text: reply.activated ? `Signed. Both sides have signed: “${g.name}” is now an active working group.` : 'Signed.' }));
    await load();
  } catch (err) {
    showMessage(status, 'error', h('p', { text: `Your signature was not accepted. ${groupErrorText(err)}` }));
  } finally {
    st.busy = false;
    $('agree-sign').disabled = false;
  }
});

session.addEventListener('status', render);
client.addEventListener('state', (ev) => { if (ev.detail.state === 'open') load(); });
// The other side signs elsewhere: look again now and then while waiting.
setInterval(() => { if (client.state === 'open' && !document.hidden && st.group?.state === 'proposed' && !st.busy) load(); }, 15000);

watchConnection(client, $('conn'));
client.connect();
session.start();
