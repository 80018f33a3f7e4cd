// One working group's page (web/group.html?code=CODE). Main thread; owns
// the page's B40Client and Session and what group.get (and timepoll.get for
// each open poll) last said. What a signed-in city can do is in
// group-city.js, what the secretariat (or a session's chair) can do in
// group-admin.js, the time poll in timepoll.js: each is given the context
// below and returns the nodes it adds; this file lays them out. Nothing here
// is cached across reconnects: the group is asked for again on each, and
// every 30 seconds while the page is visible (the protocol has no group
// events), so that a poll's marks and a session's state stay current.
import { B40Client } from './client.js';
import { Session } from './session.js';
import { $, h, pill, showMessage, watchConnection, formatDate, roleWords } from './ui.js';
import { formatRange, formatWhen, zoneNote } from './localtime.js';
import {
  kindText, GROUP_STATE_WORDS, GROUP_STATE_KIND, SESSION_STATE_WORDS, SESSION_STATE_KIND, SESSION_KIND_WORDS,
  FOLLOWUP_WORDS, FOLLOWUP_KIND, REQUEST_STATE_WORDS, REQUEST_STATE_KIND, groupErrorText, isSecretariat, isSpeaker,
  isCityVoice, isChairOf, minutesLinks, roomLink,
} from './groupwords.js';
import { cityParts } from './group-city.js';
import { adminParts } from './group-admin.js';
import { pollSection } from './timepoll.js';

const client = new B40Client();
const session = new Session(client);
const root = $('group');
const status = $('status');
const code = new URLSearchParams(location.search).get('code') || '';

const st = {
  group: null,       // group.get (full)
  polls: new Map(),  // poll id -> time_poll
  cities: new Map(), // code -> city (members.list)
  demo: false,
  loading: false,
  pollDirty: false,  // time-poll marks changed and not saved
};

/** Runs a request; a refusal that ends the session updates the sign-in state. */
async function call(type, fields) {
  try {
    return await client.request(type, fields);
  } catch (err) {
    session.noteError(err);
    throw err;
  }
}

const ctx = {
  client, session, st, call, code,
  reload: () => load(),
  nameOf: (c) => st.cities.get(c)?.name || st.group?.members?.find((m) => m.city === c)?.name || c,
  person: () => (session.status === 'signed-in' ? session.person : null),
  isSecretariat: () => isSecretariat(ctx.person()),
  isVoice: () => isCityVoice(ctx.person()),
  isSpeaker: () => isSpeaker(ctx.person(), st.group),
  mayManage: (s) => isSecretariat(ctx.person()) || isChairOf(ctx.person(), s),
  render: () => render(),
};
const city = cityParts(ctx);
const admin = adminParts(ctx);

async function load() {
  if (!/^[a-z][a-z0-9-]{1,31}$/.test(code)) {
    root.dataset.state = 'not-found';
    showMessage(status, 'error', h('p', {}, 'No group is named in the address. ', h('a', { text: 'See every working group', attrs: { href: '/groups.html' } }), '.'));
    return;
  }
  if (st.loading) return;
  st.loading = true;
  try {
    const [g, members] = await Promise.all([
      client.request('group.get', { group: code }),
      st.cities.size ? null : client.request('members.list'),
    ]);
    if (members) {
      st.cities = new Map((members.cities || []).map((c) => [c.code, c]));
      st.demo = members.demo === true;
    }
    st.group = g.group;
    const pollIds = [...new Set(st.group.sessions.map((s) => s.time_poll).filter(Boolean))];
    const polls = await Promise.all(pollIds.map((id) => client.request('timepoll.get', { poll: id }).then((r) => r.time_poll).catch(() => null)));
    st.polls = new Map(polls.filter(Boolean).map((p) => [p.id, p]));
    render();
  } catch (err) {
    if (err.code === 'disconnected' || err.code === 'not_connected') return;
    root.dataset.state = err.code === 'not_found' ? 'not-found' : 'error';
    $('content').hidden = true;
    showMessage(status, 'error', h('p', {},
      err.code === 'not_found' ? `There is no working group “${code}”. ` : `The group could not be loaded. ${groupErrorText(err)} `,
      h('a', { text: 'See every working group', attrs: { href: '/groups.html' } }), '.'));
  } finally {
    st.loading = false;
  }
}

// ---- rendering ------------------------------------------------------------------------

function render() {
  const g = st.group;
  if (!g) return;
  root.dataset.state = 'ready';
  document.title = `${g.name} — B40 Balkan Cities Network`;
  $('content').hidden = false;
  if (status.classList.contains('alert--info')) showMessage(status, '', '');
  $('demo-banner').hidden = !st.demo;
  $('zone-note').textContent = zoneNote();
  $('g-name').textContent = g.name;
  $('g-desc').textContent = g.description;
  $('g-pills').replaceChildren(
    h('span', { class: 'chip', text: kindText(g) }),
    pill(GROUP_STATE_KIND[g.state] || 'pending', GROUP_STATE_WORDS[g.state] || g.state),
    g.overdue ? pill('error', `Overdue: no session in ${g.overdue_quarter || 'the last quarter'}`) : '',
    h('span', { class: 'muted', text: `${g.member_count} member ${g.member_count === 1 ? 'city' : 'cities'}` }));
  renderMe();
  renderNext();
  renderPolls();
  renderMembers();
  renderSessions();
  renderCalendar();
  renderRecommendations();
  renderRequests();
  renderProposal();
}

function renderMe() {
  const p = ctx.person();
  $('me').hidden = !p;
  if (!p) return;
  const where = p.affiliation === 'secretariat' ? 'the secretariat' : ctx.nameOf(p.affiliation);
  $('me').replaceChildren('Signed in as ', h('strong', { text: p.name }), ` (${roleWords(p.roles)}, ${where})`);
}

function sessionTitle(s) {
  return h('span', {}, h('strong', { text: s.title }), h('br'),
    h('span', { class: 'muted small', text: `${SESSION_KIND_WORDS[s.kind] || s.kind} · ${s.quarter}` }));
}

function renderNext() {
  const s = st.group.sessions.find((x) => x.state === 'live')
    || st.group.next_session
    || null;
  const box = $('next-session');
  if (!s) {
    delete box.dataset.session;
    box.replaceChildren(h('p', { class: 'muted', text: st.group.state === 'active' ? 'No session is scheduled yet.' : 'This group holds no sessions now.' }));
    return;
  }
  box.dataset.session = s.id;
  const video = s.video_url
    ? h('a', { text: 'Open the video call (new tab)', attrs: { id: 'next-video', href: s.video_url, target: '_blank', rel: 'noopener noreferrer' } })
    : h('span', { class: 'muted', text: 'No video link yet' });
  box.replaceChildren(
    h('h3', { class: 'next__title', text: s.title }),
    h('p', { class: 'next__when' },
      h('time', { text: formatRange(s.starts_at, s.ends_at), attrs: { id: 'next-when', datetime: s.starts_at } }), ' ',
      pill(SESSION_STATE_KIND[s.state] || 'pending', SESSION_STATE_WORDS[s.state] || s.state)),
    h('dl', { class: 'facts' },
      h('div', {}, h('dt', { text: 'Kind' }), h('dd', { text: `${SESSION_KIND_WORDS[s.kind] || s.kind} session of ${s.quarter}` })),
      h('div', {}, h('dt', { text: 'Chair' }), h('dd', { text: s.chair ? s.chair.name : 'The secretariat' })),
      h('div', {}, h('dt', { text: 'Video' }), h('dd', {}, video))),
    h('h4', { text: 'Agenda' }),
    h('ol', { class: 'agenda-list' }, ...s.agenda.map((item) => h('li', { text: item }))),
    h('div', { class: 'actions actions--wide' },
      h('a', { class: 'button', text: s.state === 'live' ? 'Enter the session room (live now)' : 'Open the session room', attrs: { id: 'next-room', href: roomLink(s) } }),
      ...admin.sessionButtons(s)));
}

function renderPolls() {
  const sections = [];
  for (const s of st.group.sessions) {
    const p = s.time_poll ? st.polls.get(s.time_poll) : null;
    if (p) sections.push(pollSection(ctx, p, s));
  }
  $('polls').replaceChildren(...sections);
}

function renderMembers() {
  const g = st.group;
  $('member-rows').replaceChildren(...g.members.map((m) => h('tr', { dataset: { city: m.city, delegate: m.delegate ? m.delegate.id : '' } },
    h('th', { attrs: { scope: 'row' } }, m.name, m.status !== 'member' ? ' ' : '', m.status !== 'member' ? pill('warn', m.status) : ''),
    h('td', { attrs: { 'data-label': 'Delegate' }, text: m.delegate ? m.delegate.name : 'None named yet' }),
    h('td', { class: 'cell--since', attrs: { 'data-label': 'Member since' }, text: formatDate(m.joined) }),
    h('td', { class: 'cell--actions' }, h('div', { class: 'actions' }, ...city.memberButtons(m))))));
  if (g.members.length === 0) $('member-rows').append(h('tr', {}, h('td', { attrs: { colspan: 4 }, text: 'No member city yet.' })));
  city.renderJoin();
}

function renderSessions() {
  const all = st.group.sessions;
  const planned = all.filter((s) => s.state === 'scheduled' || s.state === 'live');
  const past = all.filter((s) => s.state === 'closed' || s.state === 'cancelled').reverse();
  $('session-rows').replaceChildren(...planned.map((s) => h('tr', { dataset: { session: s.id, state: s.state } },
    h('td', { class: 'cell--when', attrs: { 'data-label': 'When' } }, h('time', { text: formatRange(s.starts_at, s.ends_at), attrs: { datetime: s.starts_at } })),
    h('td', { attrs: { 'data-label': 'Session' } }, sessionTitle(s)),
    h('td', { attrs: { 'data-label': 'State' } }, pill(SESSION_STATE_KIND[s.state] || 'pending', SESSION_STATE_WORDS[s.state] || s.state)),
    h('td', { class: 'cell--actions' }, h('div', { class: 'actions' },
      h('a', { class: 'button button--secondary', text: 'Room', attrs: { href: roomLink(s), 'aria-label': `Session room: ${s.title}` } }),
      ...admin.sessionButtons(s))))));
  if (planned.length === 0) $('session-rows').append(h('tr', {}, h('td', { attrs: { colspan: 4 }, text: 'None planned.' })));
  $('past-rows').replaceChildren(...past.map((s) => {
    const links = minutesLinks(s);
    return h('tr', { dataset: { session: s.id, state: s.state } },
      h('td', { class: 'cell--when', attrs: { 'data-label': 'When' } }, h('time', { text: formatRange(s.starts_at, s.ends_at), attrs: { datetime: s.starts_at } })),
      h('td', { attrs: { 'data-label': 'Session' } }, sessionTitle(s)),
      h('td', { attrs: { 'data-label': 'State' } }, pill(SESSION_STATE_KIND[s.state] || 'pending', SESSION_STATE_WORDS[s.state] || s.state),
        s.state === 'cancelled' && s.cancel_reason ? h('p', { class: 'small muted', text: `Reason: ${s.cancel_reason}` }) : null),
      h('td', { attrs: { 'data-label': 'Minutes' } }, s.state === 'closed'
        ? h('span', { class: 'minutes-links' },
          h('a', { class: 'button button--secondary', text: 'Minutes', attrs: { href: links.page, 'data-minutes': s.id, 'aria-label': `Minutes of ${s.title}` } }),
          h('a', { text: 'Print', attrs: { href: links.html, 'aria-label': `Printable minutes of ${s.title}` } }),
          h('a', { text: 'Markdown', attrs: { href: links.md, 'aria-label': `Minutes of ${s.title} in Markdown` } }))
        : h('span', { class: 'muted', text: '—' })));
  }));
  if (past.length === 0) $('past-rows').append(h('tr', {}, h('td', { attrs: { colspan: 4 }, text: 'No session held yet.' })));
  admin.render();
}

function renderCalendar() {
  const path = st.group.calendar || `/groups/${st.group.code}/calendar.ics`;
  $('group-calendar').href = path;
  $('group-webcal').href = `webcal://${location.host}${path}`;
  $('group-feed').textContent = `${location.origin}${path}`;
}

function renderRecommendations() {
  const g = st.group;
  const recs = g.recommendations || [];
  $('rec-list').replaceChildren(...recs.map((r) => {
    const byCity = new Map((r.followup || []).map((f) => [f.city, f]));
    const cities = [...new Set([...g.members.map((m) => m.city), ...byCity.keys()])].sort();
    return h('li', { class: 'item', dataset: { rec: r.id } },
      h('p', { class: 'rec__text quote', text: r.text }),
      h('p', { class: 'small muted', text: `Adopted ${formatWhen(r.adopted_at)}` }),
      h('table', { class: 'data-table followup-table' },
        h('caption', { class: 'visually-hidden', text: 'Follow-up by city' }),
        h('thead', {}, h('tr', {}, ...['City', 'Status', 'Since', 'Note'].map((t) => h('th', { text: t, attrs: { scope: 'col' } })))),
        h('tbody', {}, ...cities.map((c) => {
          const f = byCity.get(c);
          return h('tr', { dataset: { followupCity: c, status: f ? f.status : 'none' } },
            h('th', { attrs: { scope: 'row' }, text: ctx.nameOf(c) }),
            h('td', { attrs: { 'data-label': 'Status' } }, f ? pill(FOLLOWUP_KIND[f.status] || 'pending', FOLLOWUP_WORDS[f.status] || f.status) : h('span', { class: 'muted', text: 'Not reported' })),
            h('td', { class: f ? '' : 'cell--empty', attrs: { 'data-label': 'Since' }, text: f ? formatDate(f.on_date) : '—' }),
            h('td', { class: `cell--wrap${f?.note ? '' : ' cell--empty'}`, attrs: { 'data-label': 'Note' }, text: f?.note || '—' }));
        }))),
      h('div', { class: 'actions' }, ...city.recButtons(r)));
  }));
  if (recs.length === 0) $('rec-list').append(h('li', { class: 'muted', text: 'No recommendation adopted yet.' }));
}

function renderRequests() {
  const g = st.group;
  city.renderRequestForm();
  $('request-list').replaceChildren(...(g.requests || []).map((r) => h('li', { class: `item${r.state === 'pending' ? ' item--pending' : ''}`, dataset: { request: r.id, state: r.state } },
    h('div', { class: 'item__head' },
      h('h3', { class: 'item__title', text: `${ctx.nameOf(r.city)} asks for an extra session` }),
      pill(REQUEST_STATE_KIND[r.state] || 'pending', REQUEST_STATE_WORDS[r.state] || r.state)),
    h('p', { class: 'quote', text: r.reason }),
    h('p', { class: 'small muted', text: `Signed ${formatWhen(r.requested_at)}${r.decided_at ? ` · decided ${formatWhen(r.decided_at)}` : ''}` }),
    r.decision_reason ? h('p', { text: `Secretariat: ${r.decision_reason}` }) : null,
    h('details', { class: 'details' }, h('summary', { text: 'The signed request' }),
      h('pre', { class: 'ballot-text', text: r.statement }),
      h('p', { class: 'small key-hex', text: `Key ${r.public_key}` }),
      h('p', { class: 'small key-hex', text: `Signature ${r.signature}` })),
    h('div', { class: 'actions' }, ...admin.requestButtons(r)))));
  if (!(g.requests || []).length) $('request-list').append(h('li', { class: 'muted', text: 'No city has asked for an extra session.' }));
}

function renderProposal() {
  const g = st.group;
  const p = g.proposal;
  $('proposal-panel').hidden = !p;
  if (!p) return;
  const sides = p.signatures.map((s) => `${s.side === 'presidency' ? 'the presidency' : 'the secretariat'} (${s.name}, ${formatWhen(s.signed_at)})`);
  $('proposal-words').textContent = `Proposed ${formatWhen(p.proposed_at)}; signed by ${sides.join(' and ') || 'nobody yet'}.`;
  $('proposal-link').href = `/group-new.html?group=${encodeURIComponent(g.code)}`;
}

// ---- start ----------------------------------------------------------------------------

session.addEventListener('status', () => { if (st.group) render(); });
client.addEventListener('state', (ev) => { if (ev.detail.state === 'open') load(); });
setInterval(() => {
  if (client.state === 'open' && !document.hidden && !document.querySelector('dialog[open]') && !city.busy() && !st.pollDirty) load();
}, 30000);

$('zone-note').textContent = zoneNote();
watchConnection(client, $('conn'));
client.connect();
session.start();
