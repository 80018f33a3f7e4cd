// The secretariat's summit and election desk (web/chair.html). Main thread;
// owns the page's B40Client and Session, the summit and election chosen, and
// what it last loaded. Every change (summit.create, attendance.check_in,
// election.create, election.advance) is a secretariat request, checked by
// the server on each message; every step of the election asks for a
// confirmation first. The election is watched (election.watch): the turnout
// moves as ballots are committed (election.turnout), and every change of the
// election, whoever made it (a mayor declaring or withdrawing, another desk
// advancing it), comes as election.changed; after either the page asks
// election.get again, for the cities that have not voted (the server gives
// that list to the secretariat only) and the marked candidacy list. It never
// polls.
import { B40Client } from './client.js';
import { Session } from './session.js';
import {
  loadCities, cityName, loadSummits, findElections, queryInt, STATE_WORDS, STATE_KIND, KIND_WORDS,
  outcomeText, quorumText, electionErrorText, endedCandidacies,
} from './election.js';
import {
  $, h, pill, setPill, showMessage, watchConnection, openDialog, formatDate, countryName, fold, checkLength,
  setFieldError, clearFieldErrors, roleWords, STATUS_LABELS, STATUS_KIND,
} from './ui.js';

const client = new B40Client();
const session = new Session(client);
const root = $('chair');
const status = $('status');

const st = {
  cities: null,      // Map code -> city
  summits: [],
  terms: [],
  summitId: queryInt('summit'),
  elections: [],     // of every summit, newest first
  electionId: queryInt('election'),
  election: null,    // election.get of the chosen one (with not_voted while open)
  watched: null,
};

function nameOf(code) {
  return cityName(st.cities, code);
}

function summit() {
  return st.summits.find((s) => s.id === st.summitId) || null;
}

/** Runs a request; a refusal that ends the session updates the gate. */
async function call(type, fields) {
  try {
    return await client.request(type, fields);
  } catch (err) {
    session.noteError(err);
    throw err;
  }
}

// ---- the gate -------------------------------------------------------------------

function renderGate() {
  const s = session.status;
  const panels = { signin: $('gate-signin'), forbidden: $('gate-forbidden'), workspace: $('workspace') };
  const only = (name) => { for (const [k, el] of Object.entries(panels)) el.hidden = k !== name; };
  $('me').hidden = true;
  if (s === 'signed-in' && session.isSecretariat) {
    root.dataset.state = 'ready';
    only('workspace');
    $('me').hidden = false;
    $('me-name').textContent = `${session.person.name} (${roleWords(session.person.roles)})`;
    showMessage(status, '', '');
  } else if (s === 'signed-in') {
    root.dataset.state = 'forbidden';
    only('forbidden');
    $('forbidden-name').textContent = session.person.name;
    showMessage(status, 'warn', h('p', { text: 'You are signed in, but not as a member of the secretariat.' }));
  } else if (s === 'checking' || s === 'signing-in' || s === 'offline') {
    showMessage(status, s === 'offline' ? 'warn' : 'info', h('p', { text: s === 'offline' ? 'Waiting for the connection to the server…' : 'Signing in…' }));
  } else if (s === 'unsupported') {
    root.dataset.state = 'unsupported';
    only(null);
    showMessage(status, 'error', h('p', { text: session.error?.message || 'This browser cannot hold a key.' }));
  } else {
    root.dataset.state = 'signin';
    only('signin');
    showMessage(status, s === 'failed' ? 'error' : 'info', h('p', { text: s === 'no-key' ? 'This device has no key yet.' : 'Please sign in.' }));
  }
}

session.addEventListener('status', () => {
  renderGate();
  if (session.status === 'signed-in' && session.isSecretariat) loadAll();
});

// ---- loading --------------------------------------------------------------------------

async function loadAll() {
  try {
    st.cities = await loadCities(client);
    await loadSummitList();
    st.elections = await findElections(client, st.summits);
    await chooseElection();
  } catch (err) {
    if (err.code === 'disconnected' || err.code === 'not_connected') return;
    showMessage(status, 'error', h('p', { text: `The summits and elections could not be loaded. ${electionErrorText(err)}` }));
  }
}

async function loadSummitList() {
  ({ summits: st.summits, terms: st.terms } = await loadSummits(client));
  if (!summit()) {
    // Default: the summit of the election asked for, else the newest summit.
    const e = st.elections.find((x) => x.id === st.electionId);
    st.summitId = e?.summit ?? st.summits[0]?.id ?? null;
  }
  renderSummits();
  renderDesk();
}

function electionsOfSummit() {
  return st.elections.filter((e) => e.summit === st.summitId);
}

async function chooseElection() {
  const mine = electionsOfSummit();
  if (!mine.some((e) => e.id === st.electionId)) st.electionId = mine[0]?.id ?? null;
  st.election = null;
  if (st.electionId) await loadElection();
  renderElection();
  writeAddress();
}

/** Reads the chosen election; watches it first when this connection does not yet, so that no change is missed. */
async function loadElection() {
  if (st.watched !== st.electionId) {
    await call('election.watch', { election: st.electionId });
    st.watched = st.electionId;
  }
  const reply = await call('election.get', { election: st.electionId });
  st.election = { ...reply.election, not_voted: reply.not_voted ?? reply.election.not_voted ?? null };
  st.elections = st.elections.map((e) => (e.id === st.election.id ? reply.election : e));
}

function writeAddress() {
  const p = new URLSearchParams();
  if (st.summitId) p.set('summit', st.summitId);
  if (st.electionId) p.set('election', st.electionId);
  history.replaceState(null, '', `${location.pathname}${p.size ? `?${p}` : ''}`);
}

// ---- summit -------------------------------------------------------------------------------

function renderSummits() {
  const sel = $('summit-select');
  sel.replaceChildren(...st.summits.map((s) => h('option', {
    text: `${s.year} · ${s.place || nameOf(s.host)}`, attrs: { value: s.id, selected: s.id === st.summitId },
  })));
  sel.disabled = st.summits.length === 0;
  const s = summit();
  $('summit-none').hidden = !!s;
  const fact = (dt, dd) => h('div', {}, h('dt', { text: dt }), h('dd', { text: dd }));
  $('summit-facts').replaceChildren(...(s ? [
    fact('Dates', `${formatDate(s.starts_on)} – ${formatDate(s.ends_on)}`),
    fact('Place', s.place || '—'),
    fact('Host city', nameOf(s.host)),
    fact('Present', `${(s.present || []).length} cities`),
  ] : []));
}

$('summit-select').addEventListener('change', async (e) => {
  st.summitId = Number(e.target.value);
  showMessage($('summit-status'), '', '');
  showMessage($('desk-status'), '', '');
  showMessage($('election-status'), '', '');
  st.electionId = null;
  renderSummits();
  renderDesk();
  try { await chooseElection(); } catch (err) { showElectionError(err); }
});

function memberCities() {
  return [...(st.cities?.values() || [])].filter((c) => c.status === 'member' || c.status === 'suspended');
}

$('new-summit').addEventListener('click', async () => {
  const lastYear = Math.max(new Date().getUTCFullYear() - 1, ...st.summits.map((s) => s.year));
  const hosts = memberCities().filter((c) => c.status === 'member').sort((a, b) => a.name.localeCompare(b.name));
  const term = st.terms[0];
  let f = null;
  const made = await openDialog({
    title: 'Schedule a summit',
    body: h('p', { text: 'The annual summit is hosted by the city elected at the previous one. The host covers the delegations’ accommodation and meals; delegations pay their own travel.' }),
    fields: (box) => {
      const input = (id, label, attrs, hint) => {
        const el = h('input', { attrs: { id, name: id, autocomplete: 'off', ...attrs } });
        return { el, box: h('div', { class: 'field' }, h('label', { text: label, attrs: { for: id } }),
          hint ? h('p', { class: 'field__hint', text: hint }) : null, el) };
      };
      const host = h('select', { attrs: { id: 's-host', name: 'host' } },
        ...hosts.map((c) => h('option', { text: `${c.name} (${countryName(c.country)})`, attrs: { value: c.code, selected: c.code === term?.city } })));
      f = {
        year: input('s-year', 'Year', { type: 'number', min: 2021, max: 9999, inputmode: 'numeric', value: lastYear + 1 }),
        starts: input('s-starts', 'First day', { type: 'date' }),
        ends: input('s-ends', 'Last day', { type: 'date' }),
        place: input('s-place', 'Place', { type: 'text', maxlength: 200 }, 'For example “Zagreb, City Hall”.'),
        host,
      };
      box.append(f.year.box,
        h('div', { class: 'field' }, h('label', { text: 'Host city', attrs: { for: 's-host' } }), host),
        h('div', { class: 'field-row' }, f.starts.box, f.ends.box), f.place.box);
      return {
        validate() {
          const v = this.value();
          const errors = [
            [f.year.el, !(Number.isInteger(v.year) && v.year >= 2021 && v.year <= 9999) ? 'A year from 2021.'
              : /^\d{4}/.test(v.starts_on) && Number(v.starts_on.slice(0, 4)) !== v.year ? 'The year of the first day.' : ''],
            [f.starts.el, /^\d{4}-\d\d-\d\d$/.test(v.starts_on) ? '' : 'Choose the first day.'],
            [f.ends.el, !/^\d{4}-\d\d-\d\d$/.test(v.ends_on) ? 'Choose the last day.' : v.ends_on < v.starts_on ? 'The last day cannot be before the first.'
              : Date.parse(v.ends_on) - Date.parse(v.starts_on) > 6 * 86400000 ? 'A summit lasts 1 to 7 days.' : ''],
            [f.place.el, checkLength(v.place, 1, 200, 'the place')],
          ];
          let first = null;
          for (const [el, msg] of errors) {
            setFieldError(el, msg);
            if (msg && !first) first = el;
          }
          first?.focus();
          return !first;
        },
        value: () => ({
          year: Number(f.year.el.value), host: f.host.value, starts_on: f.starts.el.value,
          ends_on: f.ends.el.value, place: f.place.el.value.trim(),
        }),
        showError(err) {
          const target = { year: f.year.el, host: f.host, starts_on: f.starts.el, ends_on: f.ends.el, place: f.place.el }[err.field]
            || (err.code === 'conflict' ? f.year.el : null);
          if (!target) return false;
          const conflictWords = {
            year: 'A summit is already scheduled for this year.',
            starts_on: 'These days overlap another summit.',
            host: `This city cannot host it: ${err.message}.`,
          };
          setFieldError(target, err.code === 'conflict' ? conflictWords[err.field] || err.message : electionErrorText(err));
          target.focus();
          return true;
        },
      };
    },
    confirmLabel: 'Schedule the summit',
    submit: async (v) => {
      const reply = await call('summit.create', v);
      st.summitId = reply.summit.id;
    },
  });
  if (!made || !f) return;
  showMessage($('summit-status'), 'ok', h('p', { text: `The ${made.year} summit in ${made.place} is scheduled.` }));
  await loadSummitList();
  await chooseElection();
});

// ---- check-in desk --------------------------------------------------------------------------

function renderDesk() {
  const s = summit();
  $('desk').hidden = !s;
  if (!s) return;
  const present = new Set(s.present || []);
  const members = memberCities();
  $('desk-count').textContent = `${members.filter((c) => present.has(c.code)).length} of ${members.length} member cities checked in`;
  const needle = fold($('desk-q').value.trim());
  const cities = [...(st.cities?.values() || [])]
    .filter((c) => !needle || [c.name, c.name_local, c.code].some((t) => fold(t).includes(needle)))
    .sort((a, b) => a.name.localeCompare(b.name));
  $('desk-list').replaceChildren(...cities.map((c) => {
    const here = present.has(c.code);
    return h('li', { class: `desk-city${here ? ' desk-city--present' : ''}`, dataset: { code: c.code, present: here ? 'yes' : 'no' } },
      h('span', { class: 'desk-city__name' }, h('strong', { text: c.name }), ' ',
        h('span', { class: 'muted small', text: `${c.name_local !== c.name ? `${c.name_local} · ` : ''}${countryName(c.country)}` })),
      c.status === 'member' ? null : pill(STATUS_KIND[c.status] || 'pending', STATUS_LABELS[c.status] || c.status),
      here ? pill('ok', 'Present') : h('button', {
        class: 'button button--secondary', text: 'Check in',
        attrs: { type: 'button', 'aria-label': `Check in ${c.name}` },
        on: { click: () => checkIn(c) },
      }));
  }));
  if (cities.length === 0) $('desk-list').append(h('li', { class: 'muted', text: 'No city matches.' }));
}

$('desk-q').addEventListener('input', renderDesk);

async function checkIn(city) {
  const s = summit();
  const ok = await openDialog({
    title: `Check in ${city.name}?`,
    body: [
      h('p', { text: `${city.name} is recorded as present at the ${s.year} summit. It counts towards the quorum and can vote in the rounds that open from now on.` }),
      city.status === 'member' ? null : h('p', { class: 'alert alert--warn', text: `${city.name} is ${STATUS_LABELS[city.status]?.toLowerCase() || city.status}: ${city.status === 'suspended' ? 'it is counted as present but cannot vote.' : 'a Balkan city that attends becomes a member.'}` }),
    ],
    confirmLabel: 'Check in',
    submit: async () => {
      const reply = await call('attendance.check_in', { summit: s.id, city: city.code });
      s.present = reply.present || [...(s.present || []), city.code].sort();
      if (reply.city?.code) st.cities.set(reply.city.code, reply.city);   // a city that attends may have become a member
    },
  });
  if (!ok) return;
  showMessage($('desk-status'), 'ok', h('p', { text: `${city.name} is checked in.` }));
  const now = st.cities.get(city.code);
  if (now && now.status !== city.status) {
    showMessage($('desk-status'), 'ok', h('p', { text: `${city.name} is checked in, and is now ${STATUS_LABELS[now.status]?.toLowerCase() || now.status}.` }));
  }
  renderSummits();
  renderDesk();
  renderElection();
  $('desk-q').select();
}

// ---- election --------------------------------------------------------------------------------

function showElectionError(err) {
  if (err.code === 'disconnected' || err.code === 'not_connected') return;
  showMessage($('election-status'), 'error', h('p', { text: electionErrorText(err) }));
}

function currentRound(e) {
  if (!e?.rounds?.length) return null;
  return e.rounds.find((r) => r.round === e.round) || e.rounds.at(-1);
}

/** Threshold of a quorum rule: the fewest present cities that are more than num/den of members. */
function threshold(num, den, members) {
  return Math.floor((num * members) / den) + 1;
}

function quorumRule(e) {
  const [num, den] = String(e.quorum || '1/2').split('/').map(Number);
  return { num, den };
}

function renderElection() {
  const s = summit();
  const mine = electionsOfSummit();
  $('election-panel').hidden = !s;
  if (!s) return;
  $('election-choose').hidden = mine.length < 2;
  $('election-select').replaceChildren(...mine.map((e) => h('option', { text: `${e.title} (${STATE_WORDS[e.state] || e.state})`, attrs: { value: e.id, selected: e.id === st.electionId } })));
  const e = st.election;
  $('election-form').hidden = !!e || mine.length > 0;
  if (!$('e-title-input').value) $('e-title-input').value = `Election of the presidency, ${s.year} summit`;
  const view = $('election-view');
  view.hidden = !e;
  if (!e) return;
  view.dataset.election = e.id;
  view.dataset.state = e.state;
  $('ev-state').replaceChildren(pill(STATE_KIND[e.state] || 'pending', STATE_WORDS[e.state] || e.state));
  const round = currentRound(e);
  $('ev-round').textContent = round ? `${round.round} (${KIND_WORDS[round.kind] || round.kind})` : 'not opened yet';
  const { num, den } = quorumRule(e);
  $('ev-quorum').textContent = `More than ${num}/${den} of the member cities present`;
  const members = memberCities().length;
  const present = memberCities().filter((c) => (s.present || []).includes(c.code)).length;
  const t = threshold(num, den, members);
  $('quorum-now').textContent = `${present} of ${members} present; ${t} needed — ${present >= t ? 'met' : 'not met'}`;
  $('ev-results').href = `/results.html?election=${e.id}`;

  const codes = round && e.state !== 'candidacy' && e.state !== 'draft' ? round.candidates : e.candidates || [];
  const canWithdraw = e.state === 'candidacy';
  $('chair-candidates').replaceChildren(...codes.map((c) => h('li', { class: `candidate${canWithdraw ? ' candidate--action' : ''}`, dataset: { code: c } },
    h('span', { class: 'candidate__name', text: nameOf(c) }),
    canWithdraw ? h('button', {
      class: 'button button--secondary', text: 'Withdraw',
      attrs: { type: 'button', 'aria-label': `Withdraw the candidacy of ${nameOf(c)}` }, dataset: { withdraw: c },
      on: { click: () => withdraw(e, c) },
    }) : null)));
  if (codes.length === 0) $('chair-candidates').append(h('li', { class: 'muted', text: e.state === 'draft' ? 'Candidacies are not open yet.' : 'No city has been put forward yet.' }));
  const ended = endedCandidacies(e);
  $('chair-ended').hidden = ended.length === 0;
  $('chair-ended').textContent = ended.length
    ? `No longer standing: ${ended.map((c) => `${nameOf(c.city)} (${c.status === 'dropped' ? 'dropped when the list was frozen'
      : c.withdrawn_by === 'secretariat' ? 'withdrawn by the secretariat' : 'withdrawn by the city'})`).join(', ')}.`
    : '';

  const live = e.state === 'open' && round;
  $('round-live').hidden = !live;
  if (live) renderTurnout(round);
  const result = round?.result;
  $('round-result').hidden = !result;
  if (result) {
    $('round-result-title').textContent = `Result of round ${round.round}`;
    $('round-outcome').textContent = e.state === 'decided' && e.winner
      ? `${outcomeText(round, nameOf)} The election is decided.`
      : outcomeText(round, nameOf);
  }
  renderAdvance(e, round);
}

function renderTurnout(round) {
  const t = round.turnout || { voted: 0, eligible: 0 };
  const el = $('turnout');
  el.dataset.voted = t.voted;
  el.dataset.eligible = t.eligible;
  el.textContent = `${t.voted} of ${t.eligible} eligible cities have voted`;
  $('turnout-bar').max = Math.max(1, t.eligible);
  $('turnout-bar').value = t.voted;
  $('quorum-open').textContent = round.quorum_open ? `When the round opened: ${quorumText(round.quorum_open)}.` : '';
  const nv = st.election?.not_voted;
  $('not-voted').replaceChildren(...(nv || []).map((c) => h('li', { class: 'chip', dataset: { code: c }, text: nameOf(c) })));
  if (nv && nv.length === 0) $('not-voted').append(h('li', { class: 'muted', text: 'Every eligible city has voted.' }));
  if (!nv) $('not-voted').append(h('li', { class: 'muted', text: 'The server did not send the list.' }));
}

const STEP_TEXT = {
  candidacy: () => ({
    label: 'Open candidacies',
    title: 'Open candidacies?',
    body: [
      'Mayors and deputy mayors can then put their cities forward on the Vote page.',
      st.terms[0] ? `${nameOf(st.terms[0].city)} holds the presidency now and cannot stand (no two terms in a row).` : '',
    ].filter(Boolean),
  }),
  open: (e, round) => {
    const s = summit();
    const members = memberCities().length;
    const present = memberCities().filter((c) => (s.present || []).includes(c.code)).length;
    const { num, den } = quorumRule(e);
    const t = threshold(num, den, members);
    const runoff = e.state === 'closed';
    const next = runoff ? (round?.result?.next?.length ? round.result.next : round?.candidates || []) : e.candidates || [];
    return {
      label: runoff ? `Open round ${(round?.round || 0) + 1}` : 'Open the vote',
      title: runoff ? `Open round ${(round?.round || 0) + 1}?` : 'Open the vote (round 1)?',
      body: [
        `Candidates: ${next.map(nameOf).join(', ') || 'none'}.`,
        `The list of voters is fixed now: ${present} of ${members} member cities are checked in; ${t} are needed for the quorum (${present >= t ? 'met' : 'NOT met: the round will close with no winner'}). Cities checked in later cannot vote in this round.`,
      ],
    };
  },
  closed: (e, round) => ({
    label: `Close round ${round?.round ?? ''}`,
    title: `Close round ${round?.round ?? ''}?`,
    danger: true,
    body: [
      `${round?.turnout?.voted ?? '?'} of ${round?.turnout?.eligible ?? '?'} eligible cities have voted.`,
      (st.election?.not_voted || []).length ? `Not voted yet: ${st.election.not_voted.map(nameOf).join(', ')}.` : '',
      'No ballot can be cast in this round after it closes. The result and the list of ballots are published at once.',
    ].filter(Boolean),
  }),
};

function renderAdvance(e, round) {
  const steps = { draft: ['candidacy'], candidacy: ['open'], open: ['closed'], closed: ['open'], decided: [] }[e.state] || [];
  $('advance').replaceChildren(...steps.map((to) => {
    const t = STEP_TEXT[to](e, round);
    return h('button', {
      class: `button${t.danger ? ' button--danger' : ''}`, text: t.label,
      attrs: { type: 'button' }, dataset: { to },
      on: { click: () => advance(e, to) },
    });
  }));
}

async function advance(e, to) {
  const round = currentRound(e);
  const t = STEP_TEXT[to](e, round);
  const ok = await openDialog({
    title: t.title,
    body: t.body.map((p) => h('p', { text: p })),
    confirmLabel: t.label,
    danger: !!t.danger,
    submit: async () => {
      const reply = await call('election.advance', { election: e.id, to });
      st.election = { ...reply.election, not_voted: reply.not_voted ?? null };
    },
  });
  if (!ok) return;
  const n = st.election.round;
  const done = {
    candidacy: 'Candidacies are open: mayors and deputies can put their cities forward on the Vote page.',
    open: `Round ${n} is open: mayors and deputies can vote on the Vote page.`,
    closed: `Round ${n} is closed; its result is below and on the public results page.`,
    decided: `Round ${n} is closed and the election is decided.`,
  }[st.election.state] || `The election is now: ${STATE_WORDS[st.election.state] || st.election.state}.`;
  showMessage($('election-status'), 'ok', h('p', { text: done }));
  try { await loadElection(); } catch (err) { showElectionError(err); }
  renderElection();
}

async function withdraw(e, city) {
  const ok = await openDialog({
    title: `Withdraw the candidacy of ${nameOf(city)}?`,
    body: [
      h('p', { text: `${nameOf(city)} will no longer be a candidate in “${e.title}”. The withdrawal is recorded with your name.` }),
      h('p', { text: 'Its mayor can put the city forward again as long as candidacies are open.' }),
    ],
    confirmLabel: 'Withdraw the candidacy',
    danger: true,
    submit: async () => {
      const reply = await call('election.withdraw', { election: e.id, city });
      st.election = { ...reply.election, not_voted: null };
    },
  });
  if (!ok) return;
  showMessage($('election-status'), 'ok', h('p', { text: `The candidacy of ${nameOf(city)} is withdrawn.` }));
  renderElection();
}

$('election-select').addEventListener('change', async (ev) => {
  st.electionId = Number(ev.target.value);
  try { await loadElection(); } catch (err) { showElectionError(err); }
  renderElection();
  writeAddress();
});

$('e-quorum').addEventListener('change', () => { $('e-quorum-other').hidden = $('e-quorum').value !== 'other'; });

$('election-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const form = $('election-form');
  clearFieldErrors(form);
  const title = $('e-title-input').value.trim();
  const msg = checkLength(title, 1, 200, 'a title');
  setFieldError($('e-title-input'), msg);
  if (msg) { $('e-title-input').focus(); return; }
  const other = $('e-quorum').value === 'other';
  const [num, den] = other
    ? [Number($('e-quorum-num').value), Number($('e-quorum-den').value)]
    : $('e-quorum').value.split('/').map(Number);
  if (other) {
    const bad = !Number.isInteger(num) || !Number.isInteger(den) || num < 0 || den < 1 || num > den;
    setFieldError($('e-quorum-den'), bad ? 'Two whole numbers, the first not larger than the second (for example 2 and 3).' : '');
    if (bad) { $('e-quorum-num').focus(); return; }
  }
  const button = $('election-create');
  button.disabled = true;
  try {
    const reply = await call('election.create', { summit: st.summitId, title, quorum_num: num, quorum_den: den });
    st.elections = [reply.election, ...st.elections.filter((x) => x.id !== reply.election.id)];
    st.electionId = reply.election.id;
    await loadElection();
    showMessage($('election-status'), 'ok', h('p', { text: 'The election is created. Open candidacies when the summit is ready.' }));
    renderElection();
    writeAddress();
  } catch (err) {
    if (err.field === 'title') setFieldError($('e-title-input'), electionErrorText(err));
    else showElectionError(err);
  } finally {
    button.disabled = false;
  }
});

// ---- live ------------------------------------------------------------------------------------

let refreshTimer = null;
function refreshSoon() {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(async () => {
    try { await loadElection(); } catch (err) { showElectionError(err); }
    renderElection();
  }, 150);
}

client.on('election.turnout', (ev) => {
  const e = st.election;
  const round = currentRound(e);
  if (!e || ev.election !== e.id || !round || ev.round !== round.round) return;
  round.turnout = { voted: ev.voted, eligible: ev.eligible };
  if (ev.voted >= ev.eligible) st.election.not_voted = [];
  renderTurnout(round);
  refreshSoon();   // the not-voted list
});
// Every change of the election comes as election.changed (after
// election.opened or election.closed when a round opens or closes).
client.on('election.changed', (ev) => { if (ev.election === st.election?.id) refreshSoon(); });
// A watch belongs to one connection: after a reconnection the session signs
// in again and loadAll() watches and reads the election once more.
client.addEventListener('state', (ev) => { if (ev.detail.state !== 'open') st.watched = null; });

watchConnection(client, $('conn'));
renderGate();
client.connect();
session.start();
