// The public results page (web/results.html). Main thread; owns the page's
// B40Client and the election it shows (election.get, watched with
// election.watch: election.changed for every change, so that candidacies and
// a round that opens or closes while the page is open appear at once, and
// election.turnout; the page never polls). Public: nothing here needs a
// sign-in.
//
// The bar chart is SVG made with the DOM: each bar's length is the `width`
// attribute of an SVG <rect> in a 0-100 viewBox, so no style attribute is
// ever written (the CSP forbids them). Bars are scaled to all ballots of the
// round (votes for candidates and abstentions), so they add up to the whole;
// in a first round a mark shows half of the votes for candidates, the line
// a candidate must pass.
import { B40Client } from './client.js';
import {
  loadCities, cityName, loadSummits, findElections, queryInt, STATE_WORDS, STATE_KIND, KIND_WORDS, ROLL_WORDS,
  outcomeText, electionErrorText, watchAndGet, changedInPlace,
} from './election.js';
import { $, h, pill, setPill, showMessage, watchConnection, formatDate, formatDateTime, countryName } from './ui.js';

const client = new B40Client();
const root = $('results');
const status = $('status');
const SVG_NS = 'http://www.w3.org/2000/svg';

const st = { cities: null, summits: [], terms: [], elections: [], election: null, watched: null, wanted: queryInt('election') };

function nameOf(code) {
  return cityName(st.cities, code);
}

function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  el.append(...children);
  return el;
}

async function load() {
  try {
    st.cities ??= await loadCities(client);
    ({ summits: st.summits, terms: st.terms } = await loadSummits(client));
    st.elections = await findElections(client, st.summits);
    const id = st.wanted ?? (st.elections.find((e) => e.state !== 'draft') || st.elections[0])?.id ?? null;
    if (id && st.watched !== id) {
      // watch first, then read: no change between the two is missed
      st.election = (await watchAndGet(client, id)).election;
      st.watched = id;
    } else {
      st.election = id ? (await client.request('election.get', { election: id })).election : null;
    }
    render();
  } catch (err) {
    if (err.code === 'disconnected' || err.code === 'not_connected') return;
    root.dataset.state = 'error';
    showMessage(status, 'error', h('p', { text: `The results could not be loaded. ${electionErrorText(err)}` }));
    renderTerms();
  }
}

async function reloadElection() {
  try {
    st.election = (await client.request('election.get', { election: st.election.id })).election;
    ({ summits: st.summits, terms: st.terms } = await loadSummits(client));
    render();
  } catch { /* the next reconnect loads everything again */ }
}

// ---- rendering ----------------------------------------------------------------------

function render() {
  renderPicker();
  renderTerms();
  const e = st.election;
  if (!e) {
    root.dataset.state = 'none';
    setPill($('e-state'), 'pending', 'No election yet');
    showMessage(status, 'info', h('p', { text: 'No presidency election has been held on this server yet.' }));
    $('rounds').replaceChildren();
    return;
  }
  const s = st.summits.find((x) => x.id === e.summit);
  $('e-summit').textContent = s ? `${s.year} summit · ${s.place || nameOf(s.host)} · ${formatDate(s.starts_on)} – ${formatDate(s.ends_on)}` : 'Summit presidency election';
  $('e-title').textContent = e.title;
  setPill($('e-state'), STATE_KIND[e.state] || 'pending', STATE_WORDS[e.state] || e.state);
  $('e-quorum').textContent = `Quorum: more than ${e.quorum || '1/2'} of the member cities present`;
  const winner = $('winner');
  winner.hidden = !e.winner;
  winner.textContent = e.winner ? `${nameOf(e.winner)} is elected. It hosts the next summit and holds the presidency for the year that follows.` : '';
  const rounds = [...(e.rounds || [])].sort((a, b) => b.round - a.round);
  $('rounds').replaceChildren(...rounds.map(renderRound));
  root.dataset.state = 'ready';
  showMessage(status, '', '');
  if (rounds.length === 0) {
    const standing = (e.candidates || []).map(nameOf);
    showMessage(status, 'info', h('p', { text: e.state === 'candidacy'
      ? `Candidacies are open; no round has been held yet. ${standing.length ? `Standing: ${standing.join(', ')}.` : 'No city has been put forward yet.'}`
      : 'No round has been held yet.' }));
  }
}

function renderPicker() {
  $('pick').hidden = st.elections.length < 2;
  $('election-select').replaceChildren(...st.elections.map((e) => {
    const s = st.summits.find((x) => x.id === e.summit);
    return h('option', { text: `${e.title}${s ? ` (${s.year})` : ''}`, attrs: { value: e.id, selected: e.id === st.election?.id } });
  }));
}

$('election-select').addEventListener('change', (ev) => {
  st.wanted = Number(ev.target.value);
  history.replaceState(null, '', `${location.pathname}?election=${st.wanted}`);
  load();
});

function fact(dt, dd) {
  return h('div', {}, h('dt', { text: dt }), h('dd', {}, dd));
}

function renderRound(round) {
  const r = round.result;
  const section = h('section', {
    class: 'panel round', dataset: { round: round.round, outcome: r?.outcome || 'pending' },
    attrs: { 'aria-labelledby': `round-${round.round}-title` },
  });
  section.append(
    h('h2', { attrs: { id: `round-${round.round}-title` }, text: `Round ${round.round}: ${KIND_WORDS[round.kind] || round.kind}` }),
    h('p', { class: 'muted small', text: [
      round.opened ? `Opened ${formatDateTime(round.opened)}` : 'Not opened yet',
      round.closed ? `closed ${formatDateTime(round.closed)}` : null,
    ].filter(Boolean).join(' · ') }),
  );
  if (!r) {
    const t = round.turnout;
    section.append(h('p', { class: 'alert alert--info', text: round.opened
      ? `Voting is open${t ? `: ${t.voted} of ${t.eligible} eligible cities have voted` : ''}. The result is published when the round closes.`
      : 'This round has not opened yet.' }));
    section.append(h('p', {}, h('strong', { text: 'Candidates: ' }), round.candidates.map(nameOf).join(', ')));
    return section;
  }
  section.append(h('p', { class: `outcome outcome--${r.outcome}`, text: outcomeText(round, nameOf) }));
  section.append(renderChart(round));
  section.append(renderQuorum(r.quorum));
  section.append(renderRollCall(round));
  section.append(renderAudit(round));
  return section;
}

function renderChart(round) {
  const r = round.result;
  const counts = r.counts || {};
  const codes = [...new Set([...(round.candidates || []), ...Object.keys(counts)])]
    .sort((a, b) => (counts[b] ?? 0) - (counts[a] ?? 0) || nameOf(a).localeCompare(nameOf(b)));
  const base = codes.reduce((n, c) => n + (counts[c] ?? 0), 0);
  const abst = r.abstentions ?? 0;
  const total = base + abst;
  const pct = (n) => (total ? (100 * n) / total : 0);
  const share = (n) => (base ? `${Math.round((100 * n) / base)}%` : '—');
  const half = round.kind === 'first' && total ? (100 * (base / 2)) / total : null;

  const bar = (value, cls, label) => svg('svg', {
    class: 'bar', viewBox: '0 0 100 10', preserveAspectRatio: 'none', 'aria-hidden': 'true', focusable: 'false',
  },
  svg('rect', { class: 'bar__track', x: 0, y: 0, width: 100, height: 10 }),
  svg('rect', { class: `bar__fill ${cls}`, x: 0, y: 0, width: pct(value).toFixed(3), height: 10 }),
  half !== null && label !== 'abstain'
    ? svg('line', { class: 'bar__mark', x1: half.toFixed(3), x2: half.toFixed(3), y1: 0, y2: 10, 'vector-effect': 'non-scaling-stroke' })
    : '');

  const rows = codes.map((code) => {
    const n = counts[code] ?? 0;
    const won = r.winner === code;
    const next = (r.next || []).includes(code);
    const c = st.cities?.get(code);
    return h('li', { class: `bar-row${won ? ' bar-row--winner' : ''}`, dataset: { code, votes: n } },
      h('span', { class: 'bar-row__label' },
        h('strong', { text: nameOf(code) }),
        c ? h('span', { class: 'muted small', text: ` ${countryName(c.country)}` }) : null,
        won ? pill('ok', 'Elected') : next ? pill('info', 'In the runoff') : null),
      h('span', { class: 'bar-row__value', text: `${n} ${n === 1 ? 'vote' : 'votes'} · ${share(n)}` }),
      bar(n, won ? 'bar__fill--winner' : ''));
  });
  rows.push(h('li', { class: 'bar-row bar-row--abstain', dataset: { code: 'abstain', votes: abst } },
    h('span', { class: 'bar-row__label' }, h('strong', { text: 'Abstentions' }), h('span', { class: 'muted small', text: ' not in the base' })),
    h('span', { class: 'bar-row__value', text: `${abst}` }),
    bar(abst, 'bar__fill--abstain', 'abstain')));

  return h('figure', { class: 'chart' },
    h('ul', { class: 'bar-chart', attrs: { 'aria-label': `Votes in round ${round.round}` } }, ...rows),
    h('figcaption', { class: 'small muted', text: `${total} ballots: ${base} for candidates (the base), ${abst} ${abst === 1 ? 'abstention' : 'abstentions'}.`
      + `${half !== null ? ' The dashed line marks half of the base: a candidate must pass it to be elected in the first round.' : ''} Percentages are of the base.` }));
}

function renderQuorum(q) {
  if (!q) return h('p', { class: 'muted', text: 'No quorum record.' });
  return h('div', { class: 'quorum' },
    h('h3', { text: 'Quorum' }),
    h('dl', { class: 'facts' },
      fact('Member cities', String(q.members)),
      fact('Present', String(q.present)),
      fact('Needed', `${q.threshold} present`),
      fact('Quorum', pill(q.met ? 'ok' : 'error', q.met ? 'Met' : 'Not met')),
      fact('Ballots cast', String(q.ballots ?? '—')),
      fact('Abstentions', String(q.abstentions ?? '—'))));
}

const ROLL_KIND = { voted: 'ok', abstained: 'info', present_not_voting: 'warn', absent: 'pending' };

/**
 * The roll call, grouped by what each city did: four short lists of names
 * rather than a 50-row table, with the totals that must add up to the roll.
 */
function renderRollCall(round) {
  const roll = [...(round.result.roll_call || [])].sort((a, b) => nameOf(a.city).localeCompare(nameOf(b.city)));
  const groups = Object.fromEntries(Object.keys(ROLL_WORDS).map((k) => [k, []]));
  for (const x of roll) (groups[x.status] ??= []).push(x);
  const sum = Object.values(groups).reduce((n, g) => n + g.length, 0);
  return h('div', { class: 'roll' },
    h('h3', { text: 'Roll call' }),
    h('p', { class: 'roll-totals', dataset: { total: roll.length, sum } },
      ...Object.entries(ROLL_WORDS).flatMap(([k, w], i) => [i ? ' + ' : '', h('strong', { text: String(groups[k].length) }), ` ${w.toLowerCase()}`]),
      ` = ${sum} member cities on the roll${sum === roll.length ? '' : ' (the totals do not add up: please tell the secretariat)'}.`),
    h('dl', { class: 'roll-call' }, ...Object.entries(groups).flatMap(([status, list]) => [
      h('dt', {}, pill(ROLL_KIND[status] || 'pending', `${ROLL_WORDS[status] || status} (${list.length})`)),
      h('dd', {}, list.length
        ? h('ul', { class: 'chip-list' }, ...list.map((x) => h('li', { class: 'chip', dataset: { code: x.city, status }, text: nameOf(x.city) })))
        : h('span', { class: 'muted', text: 'none' })),
    ])));
}

function renderAudit(round) {
  const hashes = round.result.ballots || [];
  return h('div', { class: 'audit' },
    h('h3', { text: 'For auditors' }),
    h('p', { class: 'small muted', text: 'The chain head is signed by the server when the round closes. It seals every ballot of the election up to this round, in the order recorded: changing, removing or adding one would change it.' }),
    round.chain_head ? h('pre', { class: 'ballot-text chain-head', text: round.chain_head }) : h('p', { class: 'muted', text: 'No chain head.' }),
    round.chain_head_signature ? h('p', { class: 'small' }, 'Server’s signature: ', h('span', { class: 'key-hex', text: round.chain_head_signature })) : null,
    h('details', { class: 'details', attrs: { open: true } },
      h('summary', { text: `Ballot hashes of this round (${hashes.length}), in the order recorded` }),
      hashes.length
        ? h('ol', { class: 'hash-list' }, ...hashes.map((x) => h('li', { class: 'key-hex', text: x })))
        : h('p', { class: 'muted', text: 'No ballot was cast.' })),
    round.poll ? h('details', { class: 'details' },
      h('summary', { text: 'The poll (who could vote), signed when the round opened' }),
      h('pre', { class: 'ballot-text', text: round.poll }),
      h('p', { class: 'small' }, 'Fingerprint: ', h('span', { class: 'key-hex', text: round.fingerprint || '—' })),
      h('p', { class: 'small' }, 'Server’s signature: ', h('span', { class: 'key-hex', text: round.poll_signature || '—' }))) : null);
}

function renderTerms() {
  const rows = st.terms.map((t) => h('tr', { dataset: { city: t.city } },
    h('th', { attrs: { scope: 'row' }, text: t.year ? String(t.year) : 'not scheduled yet' }),
    h('td', { attrs: { 'data-label': 'City' }, text: nameOf(t.city) }),
    h('td', { attrs: { 'data-label': 'Elected' } }, t.elected_in
      ? h('a', { attrs: { href: `/results.html?election=${t.elected_in}` }, text: 'in the election on this server' })
      : 'before this server')));
  $('terms').replaceChildren(...rows);
  if (rows.length === 0) $('terms').append(h('tr', {}, h('td', { attrs: { colspan: 3 }, text: 'No presidency recorded yet.' })));
}

// ---- live -----------------------------------------------------------------------------

// Every change comes as election.changed (after election.opened or
// election.closed): a candidacy change is shown from the event itself; a
// round that opened or closed is read again for its poll and result.
client.on('election.changed', (ev) => {
  if (ev.election !== st.election?.id) return;
  const next = changedInPlace(st.election, ev);
  if (!next) {
    reloadElection();
    return;
  }
  st.election = next;
  render();
});
client.on('election.turnout', (ev) => {
  const round = st.election?.rounds?.find((r) => r.round === ev.round);
  if (ev.election !== st.election?.id || !round) return;
  round.turnout = { voted: ev.voted, eligible: ev.eligible };
  render();
});
client.addEventListener('state', (ev) => {
  if (ev.detail.state === 'open') load();
  else st.watched = null;
});

watchConnection(client, $('conn'));
client.connect();
