// The list of working groups (web/groups.html). Main thread; owns the page's
// B40Client and Session and what group.list last said. Public: the sign-in
// only decides whether the "propose a new group" panel shows (the
// presidency's mayor and the secretariat may propose). Asked again after
// every reconnect, and every minute while visible, so that "next session"
// and the overdue flag stay current.
import { B40Client } from './client.js';
import { Session } from './session.js';
import { $, h, pill, showMessage, watchConnection, formatDate } from './ui.js';
import { formatRange, zoneNote } from './localtime.js';
import {
  kindText, GROUP_STATE_WORDS, GROUP_STATE_KIND, SESSION_STATE_WORDS, SESSION_STATE_KIND, groupErrorText, sideOf, roomLink,
} from './groupwords.js';

const client = new B40Client();
const session = new Session(client);
const root = $('groups');
const status = $('status');

const st = { groups: [], term: null, quarter: null, cities: new Map(), demo: false };

function cityName(code) {
  return st.cities.get(code)?.name || code;
}

async function load() {
  try {
    const [list, members] = await Promise.all([client.request('group.list'), client.request('members.list')]);
    st.groups = list.groups || [];
    st.term = list.term || null;
    st.quarter = list.quarter || null;
    st.cities = new Map((members.cities || []).map((c) => [c.code, c]));
    st.demo = members.demo === true;
    render();
  } catch (err) {
    if (err.code === 'disconnected' || err.code === 'not_connected') return;
    root.dataset.state = 'error';
    showMessage(status, 'error', h('p', { text: `The working groups could not be loaded. ${groupErrorText(err)}` }));
  }
}

function nextLine(g) {
  const s = g.next_session;
  if (!s) {
    return h('p', { class: 'group-card__next group-card__next--none' },
      h('span', { class: 'label', text: 'Next session: ' }), 'none scheduled yet');
  }
  return h('p', { class: 'group-card__next', dataset: { starts: s.starts_at, session: s.id } },
    h('span', { class: 'label', text: 'Next session: ' }),
    h('time', { text: formatRange(s.starts_at, s.ends_at), attrs: { datetime: s.starts_at } }),
    ' ', s.state === 'live' ? pill(SESSION_STATE_KIND.live, SESSION_STATE_WORDS.live) : null,
    h('br'), h('span', { class: 'muted', text: s.title }),
    s.state === 'live' ? h('a', { class: 'button group-card__room', text: 'Enter the live session', attrs: { href: roomLink(s) } }) : null);
}

function groupCard(g) {
  const link = `/group.html?code=${encodeURIComponent(g.code)}`;
  return h('li', { class: `group-card${g.overdue ? ' group-card--overdue' : ''}`, dataset: { code: g.code, overdue: g.overdue ? 'yes' : 'no' } },
    h('h2', { class: 'group-card__title' }, h('a', { text: g.name, attrs: { href: link } })),
    h('p', { class: 'group-card__meta' },
      h('span', { class: 'chip', text: kindText(g) }),
      g.state !== 'active' ? pill(GROUP_STATE_KIND[g.state] || 'pending', GROUP_STATE_WORDS[g.state] || g.state) : null,
      g.overdue ? pill('error', `Overdue: no session in ${g.overdue_quarter || 'the last quarter'}`) : null),
    h('p', { class: 'group-card__count' }, h('strong', { text: String(g.member_count) }),
      g.member_count === 1 ? ' member city' : ' member cities'),
    nextLine(g),
    h('p', { class: 'group-card__desc muted', text: g.description }));
}

function render() {
  root.dataset.state = 'ready';
  showMessage(status, '', '');
  $('demo-banner').hidden = !st.demo;
  $('zone-note').textContent = zoneNote();
  const t = st.term;
  $('term').hidden = !t;
  if (t) {
    $('term').textContent = `Presidency term: ${cityName(t.city)}, ${formatDate(t.starts_on)} – ${formatDate(t.ends_on)}`
      + ` (quarters ${(t.quarters || []).join(', ')}). Every active group meets at least once in each.`;
  }
  const live = st.groups.filter((g) => g.state !== 'proposed');
  const proposed = st.groups.filter((g) => g.state === 'proposed');
  $('group-list').replaceChildren(...live.map(groupCard));
  if (live.length === 0) $('group-list').append(h('li', { class: 'muted', text: 'No working group yet.' }));
  $('proposed').hidden = proposed.length === 0;
  $('proposed-list').replaceChildren(...proposed.map((g) => h('li', { class: 'item item--pending', dataset: { code: g.code } },
    h('div', { class: 'item__head' },
      h('h3', { class: 'item__title' }, h('a', { text: g.name, attrs: { href: `/group-new.html?group=${encodeURIComponent(g.code)}` } })),
      pill('warn', GROUP_STATE_WORDS.proposed)),
    h('p', { class: 'muted', text: g.description }))));
  renderPropose();
}

function renderPropose() {
  $('propose').hidden = !(session.status === 'signed-in' && sideOf(session.person, st.term));
}

function renderCalendar() {
  $('network-webcal').href = `webcal://${location.host}/calendar.ics`;
  $('network-feed').textContent = `${location.origin}/calendar.ics`;
}

session.addEventListener('status', renderPropose);
client.addEventListener('state', (ev) => { if (ev.detail.state === 'open') load(); });
setInterval(() => { if (client.state === 'open' && !document.hidden) load(); }, 60000);

renderCalendar();
$('zone-note').textContent = zoneNote();
watchConnection(client, $('conn'));
client.connect();
session.start();
