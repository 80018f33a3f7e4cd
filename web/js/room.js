// The live room of a working-group session (web/room.html?session=ID).
// Main thread; owns the page's B40Client and Session and the room as this
// page last knew it: a snapshot (room.join) with every later room event
// applied in order. room-view.js draws it; room-motion.js draws the motion
// and casts the delegate's ballot.
//
// Delivery without loss (docs/protocol.md, the live room): every room event
// carries the room's sequence number. The page applies an event only when
// it is the next number (an older one is a duplicate and is dropped); a gap
// means something was missed, and the page asks again with room.join
// after_seq = the last number applied, which answers with exactly the
// missed events, or with a fresh snapshot when too many were missed. After
// a dropped connection the client reconnects by itself, the session signs
// in again, and the page joins again the same way; meanwhile it shows
// "Reconnecting…" and offers no action.
import { B40Client } from './client.js';
import { Session } from './session.js';
import { $, h, setPill, showMessage, roleWords, openDialog } from './ui.js';
import { formatRange, zoneNote } from './localtime.js';
import { SESSION_STATE_WORDS, SESSION_STATE_KIND, groupErrorText } from './groupwords.js';
import { parseText } from './ballot.js';
import { roomView } from './room-view.js';
import { motionPart } from './room-motion.js';

const client = new B40Client();
const session = new Session(client);
const root = $('room');
const status = $('status');
const sessionId = (() => {
  const v = new URLSearchParams(location.search).get('session');
  return v && /^[1-9]\d{0,15}$/.test(v) ? Number(v) : null;
})();

const st = {
  session: null,     // session.get
  group: null,       // group.get (names, members, delegates)
  cities: new Map(), // members.list
  joined: false,     // room.join answered on this connection
  joining: false,
  seq: 0,            // the last room event applied (0: none yet)
  you: null,         // {person, chair}
  room: null,        // {closed, agenda: {items, current}, present: Map, queue: [], floor, chat: []}
  motion: null,      // the open motion, or the last one closed in this page's view
  closedMotion: null, // a motion that closed while this page was away (its result to fetch)
};

async function call(type, fields) {
  try {
    return await client.request(type, fields);
  } catch (err) {
    session.noteError(err);
    throw err;
  }
}

const ctx = {
  client, session, st, call, sessionId,
  motionFrom: (m) => motionFrom(m),
  nameOf: (code) => (code ? st.cities.get(code)?.name || code : 'Secretariat'),
  // Who it is, kept while the connection is down (the session signs in again by itself).
  person: () => session.person,
  isLive: () => st.joined && client.state === 'open' && !st.room?.closed,
  isChair: () => !!st.you?.chair,
  render: () => render(),
  myDelegateCity: () => {
    const p = ctx.person();
    if (!p || p.affiliation === 'secretariat') return null;
    const m = st.group?.members?.find((x) => x.city === p.affiliation);
    return m && m.delegate?.id === p.id ? m.city : null;
  },
};
const view = roomView(ctx);
const motion = motionPart(ctx);

// ---- loading and joining -------------------------------------------------------------

async function load() {
  if (!sessionId) {
    root.dataset.state = 'error';
    showMessage(status, 'error', h('p', {}, 'No session is named in the address. ', h('a', { text: 'See the working groups', attrs: { href: '/groups.html' } }), '.'));
    return;
  }
  try {
    const reply = await client.request('session.get', { session: sessionId });
    st.session = reply.session;
    const [g, m] = await Promise.all([
      client.request('group.get', { group: st.session.group }),
      st.cities.size ? null : client.request('members.list'),
    ]);
    st.group = g.group;
    if (m) st.cities = new Map((m.cities || []).map((c) => [c.code, c]));
    render();
    await maybeJoin();
  } catch (err) {
    if (err.code === 'disconnected' || err.code === 'not_connected') return;
    root.dataset.state = 'error';
    showMessage(status, 'error', h('p', { text: err.code === 'not_found' ? 'There is no such session.' : `The session could not be loaded. ${groupErrorText(err)}` }));
  }
}

/** Joins (or resumes) when the session is live and the page is signed in. */
async function maybeJoin() {
  if (st.joining || st.joined || !st.session || st.session.state !== 'live') return;
  if (session.status !== 'signed-in' || client.state !== 'open') return;
  st.joining = true;
  render();
  try {
    const fields = { session: sessionId };
    if (st.room && st.seq > 0) fields.after_seq = st.seq;
    const reply = await call('room.join', fields);
    st.you = reply.you;
    if (reply.snapshot) {
      takeSnapshot(reply.snapshot);
      root.dataset.joined = 'snapshot';
    } else {
      for (const ev of reply.events || []) apply(ev);
      root.dataset.joined = 'resume';
    }
    st.joined = true;
    showMessage(status, '', '');
    await motion.refresh();
  } catch (err) {
    if (err.code === 'bad_seq') {
      // The server has no such event: this page's view is from another life of the room. Start afresh.
      st.room = null;
      st.seq = 0;
      st.joining = false;
      await maybeJoin();
      return;
    }
    if (err.code === 'not_live') {
      await reloadSession();
    } else if (err.code !== 'disconnected' && err.code !== 'not_connected') {
      root.dataset.state = err.code === 'not_in_group' ? 'not-member' : 'error';
      showMessage(status, 'error', h('p', { text: err.code === 'not_in_group'
        ? 'Only the member cities of this group, its chair and the secretariat take part in its sessions.'
        : `You could not enter the room. ${groupErrorText(err)}` }));
    }
  } finally {
    st.joining = false;
  }
  render();
}

async function reloadSession() {
  try {
    st.session = (await client.request('session.get', { session: sessionId })).session;
  } catch { /* shown at the next load */ }
  render();
}

function takeSnapshot(s) {
  st.seq = s.seq;
  st.room = {
    closed: !!s.closed,
    agenda: { items: s.agenda?.items || st.session.agenda || [], current: s.agenda?.current ?? 0 },
    present: new Map((s.present || []).map((p) => [p.person, p])),
    queue: (s.queue || []).map((q) => ({ ...q })),
    floor: s.floor || null,
    chat: (s.chat || []).map((c) => ({ ...c })),
  };
  if (s.motion) {
    st.motion = motionFrom(s.motion);
  } else if (st.motion?.state === 'open') {
    // It closed while this page was away: its result is asked for (motion.poll) after the join.
    st.closedMotion = st.motion.id;
    st.motion = null;
  }
}

/** The page's view of a motion object of the protocol (motion.poll, the snapshot). */
function motionFrom(m) {
  const eligible = m.eligible || (parseText(m.poll).fields.eligible || '').split(',').filter(Boolean);
  return {
    id: m.id, text: m.text, state: m.state, poll: m.poll, fingerprint: m.fingerprint, eligible,
    voted: new Set(m.voted || []), quorum: m.quorum || quorumFromPoll(m.poll),
    result: m.result || null, chainHead: m.chain_head || null,
  };
}

function quorumFromPoll(poll) {
  const f = parseText(poll).fields;
  const members = (f.members || '').split(',').filter(Boolean).length;
  const present = (f.present || '').split(',').filter(Boolean).length;
  return { members, present, threshold: Math.floor(members / 2) + 1, met: present * 2 > members };
}

// ---- events ------------------------------------------------------------------------------

/** Applies one room event in order; false when it is not the next one (a gap). */
function apply(ev) {
  if (!st.room || !Number.isInteger(ev.seq)) return true;
  if (ev.seq <= st.seq) return true;            // seen already: a duplicate
  if (ev.seq !== st.seq + 1) return false;      // something is missing
  st.seq = ev.seq;
  const r = st.room;
  const dropPerson = (id) => {
    r.queue = r.queue.filter((q) => q.person !== id);
  };
  switch (ev.kind) {
    case 'presence.join':
      r.present.set(ev.person, { person: ev.person, name: ev.name, city: ev.city, since: ev.at, devices: 1 });
      break;
    case 'presence.leave':
      r.present.delete(ev.person);
      dropPerson(ev.person);
      if (r.floor?.person === ev.person) r.floor = null;
      break;
    case 'presence.clear':   // everyone leaves at once: the close, the server stopping, a restart
      for (const id of ev.persons || []) r.present.delete(id);
      r.queue = r.queue.filter((q) => !(ev.persons || []).includes(q.person));
      if (r.floor && (ev.persons || []).includes(r.floor.person)) r.floor = null;
      break;
    case 'agenda.move':
      r.agenda.current = ev.item;
      break;
    case 'hand.raise': {
      if (r.queue.some((q) => q.person === ev.person)) break;
      const entry = { person: ev.person, name: ev.name, city: ev.city, point_of_order: !!ev.point_of_order };
      let at = r.queue.length;
      if (entry.point_of_order) {
        at = 0;
        while (at < r.queue.length && r.queue[at].point_of_order) at++;
      }
      r.queue.splice(at, 0, entry);
      break;
    }
    case 'hand.lower':
      dropPerson(ev.person);
      break;
    case 'floor.give':
      dropPerson(ev.person);
      r.floor = { person: ev.person, name: ev.name, city: ev.city, since: ev.at, item: ev.item, point_of_order: !!ev.point_of_order };
      break;
    case 'floor.end':
      r.floor = null;
      break;
    case 'chat.message':
      r.chat.push({ id: ev.seq, person: ev.person, name: ev.name, city: ev.city, text: ev.text, at: ev.at, hidden: null });
      if (r.chat.length > 200) r.chat.splice(0, r.chat.length - 200);
      break;
    case 'chat.hide': {
      const c = r.chat.find((x) => x.id === ev.message);
      if (c) { c.hidden = { by: ev.by, at: ev.at }; c.text = null; }
      break;
    }
    case 'session.close':
      r.closed = true;
      break;
    case 'motion.open':
      st.motion = motionFrom({ id: ev.motion, text: ev.text, state: 'open', poll: ev.poll, fingerprint: ev.fingerprint, quorum: ev.quorum, voted: [] });
      motion.opened();
      break;
    case 'motion.ballot':
      if (st.motion?.id === ev.motion) {
        st.motion.voted.add(ev.city);
        st.motion.votedCount = ev.voted;
      }
      break;
    case 'motion.close':
      if (st.motion?.id === ev.motion) {
        st.motion.state = 'closed';
        st.motion.result = ev.result;
        st.motion.chainHead = ev.chain_head;
      }
      break;
    default:
      break;   // session.start and kinds this page does not know: in the log only
  }
  return true;
}

client.on('room.event', (msg) => {
  if (msg.session !== sessionId || !st.joined) return;
  if (!apply(msg.room_event)) {
    // A gap: take what was missed from the server (room.join resumes from st.seq).
    st.joined = false;
    maybeJoin();
    return;
  }
  if (msg.room_event.kind === 'session.close') {
    st.joined = false;
    reloadSession();
  }
  render();
});

// ---- rendering ------------------------------------------------------------------------------

function pageState() {
  const s = st.session;
  if (!s) return 'loading';
  if (s.state === 'cancelled') return 'cancelled';
  if (s.state === 'closed' || st.room?.closed) return 'closed';
  if (s.state === 'scheduled') return 'scheduled';
  if (st.room && !st.joined && ctx.person()) return 'reconnecting';   // the room stays in view, its actions off
  if (!ctx.person()) return ['checking', 'signing-in', 'offline'].includes(session.status) ? 'joining' : 'signin';
  if (['not-member', 'error'].includes(root.dataset.state) && !st.joined) return root.dataset.state;
  return st.joined ? 'live' : 'joining';
}

function render() {
  const s = st.session;
  if (!s) return;
  const state = pageState();
  root.dataset.state = state;
  root.dataset.seq = String(st.seq);
  document.title = `${s.title} — B40 Balkan Cities Network`;
  $('r-title').textContent = s.title;
  $('r-group').textContent = st.group?.name || 'Working group';
  $('r-group').href = `/group.html?code=${encodeURIComponent(s.group)}`;
  $('r-when').textContent = `${formatRange(s.starts_at, s.ends_at)} · ${zoneNote()}`;
  $('r-when').setAttribute('datetime', s.starts_at);
  const shownState = st.room?.closed ? 'closed' : s.state;
  setPill($('r-state'), SESSION_STATE_KIND[shownState] || 'pending', SESSION_STATE_WORDS[shownState] || shownState);

  const p = ctx.person();
  $('me').hidden = !p;
  if (p) {
    const where = p.affiliation === 'secretariat' ? 'the secretariat' : ctx.nameOf(p.affiliation);
    const roles = [roleWords(p.roles)];
    if (st.you?.chair) roles.push('chair');
    if (ctx.myDelegateCity()) roles.push('voting delegate');
    $('me').replaceChildren('You: ', h('strong', { text: p.name }), ` (${where}; ${roles.join(', ')})`);
  }

  const video = $('video-link');
  video.hidden = !s.video_url || state === 'closed' || state === 'cancelled';
  if (s.video_url) video.href = s.video_url;
  const mayChair = st.you?.chair || (p && (p.roles.includes('secretary') || p.roles.includes('expert'))) || (p && s.chair?.id === p.id);
  $('start-session').hidden = !(state === 'scheduled' && mayChair);
  $('close-session').hidden = !(state === 'live' && st.you?.chair);
  $('signin-link').hidden = state !== 'signin';
  $('closed-panel').hidden = state !== 'closed';
  $('minutes-link').href = `/minutes.html?session=${sessionId}`;
  $('room-grid').hidden = state !== 'live' && state !== 'reconnecting';

  if (state === 'scheduled') {
    showMessage(status, 'info', h('p', { text: mayChair
      ? 'The session has not started. As its chair, start it when the members are ready; the room opens for everyone.'
      : 'The session has not started yet. This page opens the room by itself when the chair starts it.' }));
  } else if (state === 'cancelled') {
    showMessage(status, 'warn', h('p', { text: `This session was cancelled.${s.cancel_reason ? ` Reason: ${s.cancel_reason}` : ''}` }));
  } else if (state === 'signin') {
    showMessage(status, 'info', h('p', { text: 'The session is live. Sign in with the key on this device to take part.' }));
  } else if (state === 'closed') {
    showMessage(status, '', '');
  } else if (state === 'joining') {
    showMessage(status, 'info', h('p', { text: 'Entering the room…' }));
  } else {
    showMessage(status, '', '');
  }
  renderConn();
  if (state === 'live' || state === 'reconnecting') {
    view.render();
    motion.render();
  }
}

function renderConn() {
  const el = $('room-conn');
  const c = client.state;
  el.dataset.state = c;
  const down = st.room && !st.room.closed && (c === 'reconnecting' || (c === 'open' && !st.joined && st.session?.state === 'live'));
  el.hidden = !down;
  el.textContent = c === 'open' ? 'Connected again — catching up with the room…' : 'Reconnecting… The room goes on; you will see what you missed.';
  root.classList.toggle('room--offline', !!down);
}

// ---- chair: start and close ----------------------------------------------------------------------

$('start-session').addEventListener('click', async () => {
  $('start-session').disabled = true;
  try {
    await call('session.start', { session: sessionId });
    await reloadSession();
    await maybeJoin();
  } catch (err) {
    showMessage(status, 'error', h('p', { text: `The session could not be started. ${groupErrorText(err)}` }));
  } finally {
    $('start-session').disabled = false;
  }
});

$('close-session').addEventListener('click', async () => {
  const ok = await openDialog({
    title: 'Close the session?',
    body: [h('p', { text: 'Everyone leaves the room, and the server writes and signs the minutes: attendance by city, the agenda, the speakers and every motion with its roll call.' }),
      st.motion?.state === 'open' ? h('p', { class: 'alert alert--warn', text: 'A vote is still open: close it first.' }) : null],
    confirmLabel: 'Close the session',
    danger: true,
    submit: async () => { await call('session.close', { session: sessionId }); },
  });
  if (!ok) return;
  st.joined = false;
  if (st.room) st.room.closed = true;
  await reloadSession();
});

// ---- start -------------------------------------------------------------------------------

client.addEventListener('state', (ev) => {
  if (ev.detail.state === 'open') {
    st.joined = false;   // a room belongs to one connection: join again (resuming) once signed in
    if (!st.session) load(); else reloadSession().then(maybeJoin);
  } else if (ev.detail.state === 'reconnecting') {
    st.joined = false;
  }
  renderConn();
  if (st.session) render();
});

session.addEventListener('status', () => {
  if (session.status === 'signed-in') maybeJoin();
  if (st.session) render();
});

// A scheduled session has no events for those outside its room: look whether it started, every
// 5 seconds from half an hour before its time (people wait here for the chair), else every minute.
let lastLook = 0;
setInterval(() => {
  if (client.state !== 'open' || document.hidden || st.session?.state !== 'scheduled') return;
  const soon = Date.parse(st.session.starts_at) - Date.now() < 30 * 60 * 1000;
  if (!soon && Date.now() - lastLook < 60000) return;
  lastLook = Date.now();
  reloadSession().then(maybeJoin);
}, 5000);

client.connect();
session.start();
