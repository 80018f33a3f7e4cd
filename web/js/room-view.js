// The live parts of a session room (web/room.html) other than motions:
// presence, the agenda, the floor and the speaker queue, and the chat, with
// their buttons (room.hand.*, room.floor.*, room.agenda.move,
// room.chat.send, room.chat.hide). It draws what room.js keeps (ctx.st.room)
// and sends requests; the room's events, not the replies, change what is
// shown, so every participant sees the same order. Every text a person
// typed (names, chat) is set with textContent; a hidden message shows as
// hidden, its text gone. Main thread.
//
// API: roomView(ctx) -> {render()}
import { $, h, pill, showMessage, openDialog } from './ui.js';
import { formatTime } from './localtime.js';
import { groupErrorText } from './groupwords.js';

const ROOM_TEXTS = {
  not_chair: 'Only the chair may do this.',
  not_in_room: 'You are not in the room (the connection may have dropped). Wait a moment: the page enters again by itself.',
  not_present: 'That person is not in the room any more.',
  queue_empty: 'Nobody is waiting to speak.',
  conflict: 'The room changed meanwhile (a hand already raised or lowered, the floor already ended, a vote already open).',
  not_live: 'The session is not live.',
  room_full: 'The room is full.',
  not_delegate: 'Only your city’s voting delegate in this group casts its vote.',
  not_eligible: 'Your city may not vote on this motion: it was not present, or had no delegate, when the vote opened.',
  already_voted: 'Your city has voted on this motion already.',
  not_open: 'The vote on this motion has closed.',
};

export function roomText(err) {
  if (err?.code === 'rate_limited') return `Too many at once. ${err.message ? `${err.message[0].toUpperCase()}${err.message.slice(1)}.` : 'Please wait a little.'}`;
  return ROOM_TEXTS[err?.code] || groupErrorText(err);
}

export function roomView(ctx) {
  const { st, call, sessionId } = ctx;
  const chatItems = new Map();   // message id -> <li>

  const who = (p) => `${p.name}${p.city ? ` (${ctx.nameOf(p.city)})` : ' (secretariat)'}`;

  async function act(type, fields, box) {
    if (!ctx.isLive()) {
      showMessage($(box), 'warn', h('p', { text: 'Reconnecting… try again in a moment.' }));
      return false;
    }
    try {
      await call(type, { session: sessionId, ...fields });
      showMessage($(box), '', '');
      return true;
    } catch (err) {
      showMessage($(box), 'error', h('p', { text: roomText(err) }));
      return false;
    }
  }

  // ---- presence ----------------------------------------------------------------

  function renderPresence() {
    const r = st.room;
    const people = [...r.present.values()].sort((a, b) => ctx.nameOf(a.city).localeCompare(ctx.nameOf(b.city)) || a.name.localeCompare(b.name));
    const members = new Set((st.group?.members || []).map((m) => m.city));
    const cities = new Set(people.map((p) => p.city).filter((c) => c && members.has(c)));
    const count = $('presence-count');
    count.dataset.people = String(people.length);
    count.dataset.cities = String(cities.size);
    count.textContent = `${people.length} ${people.length === 1 ? 'person' : 'people'}; ${cities.size} of ${members.size} member cities`;
    $('presence').replaceChildren(...people.map((p) => h('li', { class: 'presence', dataset: { person: p.person, city: p.city || 'secretariat' } },
      h('span', { class: 'presence__dot', attrs: { 'aria-hidden': 'true' } }),
      h('span', {}, h('strong', { text: p.name }), p.person === ctx.st.you?.person ? h('span', { class: 'muted', text: ' (you)' }) : null,
        h('br'), h('span', { class: 'muted small', text: p.city ? ctx.nameOf(p.city) : 'Secretariat' })))));
  }

  // ---- agenda ------------------------------------------------------------------

  function renderAgenda() {
    const a = st.room.agenda;
    const chair = ctx.isChair();
    $('agenda-list').replaceChildren(...a.items.map((item, i) => {
      const current = i === a.current;
      return h('li', { class: `agenda-item${current ? ' agenda-item--current' : ''}`, dataset: { item: i }, attrs: current ? { 'aria-current': 'step' } : {} },
        h('span', { class: 'agenda-item__text', text: item }),
        current ? pill('ok', 'Now') : null,
        chair && !current ? h('button', {
          class: 'button button--secondary button--small', text: 'Move here',
          attrs: { type: 'button', 'aria-label': `Move the agenda to item ${i + 1}: ${item}` }, dataset: { move: i },
          on: { click: () => act('room.agenda.move', { item: i }, 'floor-status') },
        }) : null);
    }));
    $('agenda-chair').hidden = !chair;
    $('agenda-prev').disabled = a.current <= 0;
    $('agenda-next').disabled = a.current >= a.items.length - 1;
  }

  $('agenda-prev').addEventListener('click', () => act('room.agenda.move', { item: st.room.agenda.current - 1 }, 'floor-status'));
  $('agenda-next').addEventListener('click', () => act('room.agenda.move', { item: st.room.agenda.current + 1 }, 'floor-status'));

  // ---- floor and queue ------------------------------------------------------------

  function renderFloor() {
    const r = st.room;
    const me = st.you?.person;
    const chair = ctx.isChair();
    const floor = $('floor');
    if (r.floor) {
      floor.dataset.person = String(r.floor.person);
      floor.replaceChildren(h('span', { class: 'floor__label', text: r.floor.point_of_order ? 'Point of order — the floor: ' : 'The floor: ' }),
        h('strong', { text: who(r.floor) }), r.floor.person === me ? ' — you are speaking' : '');
      floor.classList.add('floor--held');
    } else {
      delete floor.dataset.person;
      floor.textContent = 'Nobody has the floor.';
      floor.classList.remove('floor--held');
    }
    $('queue-count').textContent = r.queue.length ? `(${r.queue.length})` : '';
    $('queue').replaceChildren(...r.queue.map((q) => h('li', { class: `queue-item${q.point_of_order ? ' queue-item--poo' : ''}`, dataset: { person: q.person, pointOfOrder: q.point_of_order ? 'yes' : 'no' } },
      h('span', { class: 'queue-item__who' }, h('strong', { text: q.name }), ` ${q.city ? ctx.nameOf(q.city) : 'Secretariat'}`),
      q.point_of_order ? pill('warn', 'Point of order') : null,
      chair ? h('button', {
        class: 'button button--small', text: 'Give the floor', attrs: { type: 'button', 'aria-label': `Give the floor to ${q.name}` },
        dataset: { give: q.person }, on: { click: () => act('room.floor.give', { person: q.person }, 'floor-status') },
      }) : null,
      chair && q.person !== me ? h('button', {
        class: 'button button--secondary button--small', text: 'Lower', attrs: { type: 'button', 'aria-label': `Lower the hand of ${q.name}` },
        dataset: { lower: q.person }, on: { click: () => act('room.hand.lower', { person: q.person }, 'floor-status') },
      }) : null)));
    if (!r.queue.length) $('queue').append(h('li', { class: 'muted queue-empty', text: 'Nobody is waiting.' }));
    const mine = r.queue.some((q) => q.person === me);
    $('raise-hand').hidden = mine;
    $('point-of-order').hidden = mine;
    $('lower-hand').hidden = !mine;
    $('floor-chair').hidden = !chair;
    $('give-next').disabled = r.queue.length === 0;
    $('end-floor').hidden = !r.floor || !(chair || r.floor.person === me);
    if (!chair && r.floor?.person === me) $('floor-chair').hidden = false;
    $('give-next').hidden = !chair;
  }

  $('raise-hand').addEventListener('click', () => act('room.hand.raise', { point_of_order: false }, 'floor-status'));
  $('point-of-order').addEventListener('click', () => act('room.hand.raise', { point_of_order: true }, 'floor-status'));
  $('lower-hand').addEventListener('click', () => act('room.hand.lower', {}, 'floor-status'));
  $('give-next').addEventListener('click', () => act('room.floor.give', {}, 'floor-status'));
  $('end-floor').addEventListener('click', () => act('room.floor.end', {}, 'floor-status'));

  // ---- chat ------------------------------------------------------------------------

  function chatItem(c) {
    const li = h('li', { class: 'chat', dataset: { id: c.id, person: c.person } });
    fillChat(li, c);
    return li;
  }

  function fillChat(li, c) {
    li.dataset.hidden = c.hidden ? 'yes' : 'no';
    li.classList.toggle('chat--hidden', !!c.hidden);
    li.classList.toggle('chat--mine', c.person === st.you?.person);
    const head = h('p', { class: 'chat__head' },
      h('strong', { text: c.name }), ' ',
      h('span', { class: 'muted', text: c.city ? ctx.nameOf(c.city) : 'Secretariat' }), ' ',
      h('time', { class: 'muted small', text: formatTime(c.at), attrs: { datetime: c.at } }));
    const body = c.hidden
      ? h('p', { class: 'chat__text chat__text--hidden', text: 'Message hidden by the chair.' })
      : h('p', { class: 'chat__text', text: c.text });
    const hide = ctx.isChair() && !c.hidden ? h('button', {
      class: 'button button--secondary button--small chat__hide', text: 'Hide',
      attrs: { type: 'button', 'aria-label': `Hide the message of ${c.name} at ${formatTime(c.at)}` }, dataset: { hide: c.id },
      on: { click: () => hideMessage(c) },
    }) : null;
    li.replaceChildren(head, body, ...(hide ? [hide] : []));
    li.dataset.chair = ctx.isChair() ? 'yes' : 'no';
  }

  async function hideMessage(c) {
    const ok = await openDialog({
      title: 'Hide this message?',
      body: [h('p', { class: 'quote', text: c.text || '' }), h('p', { text: `From ${c.name}. Everyone sees it as hidden; the hiding is recorded.` })],
      confirmLabel: 'Hide the message',
      danger: true,
    });
    if (ok) act('room.chat.hide', { message: c.id }, 'chat-status');
  }

  function renderChat() {
    const list = $('chat-list');
    const atBottom = list.scrollTop + list.clientHeight >= list.scrollHeight - 40;
    const ids = new Set(st.room.chat.map((c) => c.id));
    for (const [id, li] of chatItems) {
      if (!ids.has(id)) { li.remove(); chatItems.delete(id); }
    }
    const chair = ctx.isChair() ? 'yes' : 'no';
    let prev = null;
    for (const c of st.room.chat) {
      let li = chatItems.get(c.id);
      if (!li) {
        li = chatItem(c);
        chatItems.set(c.id, li);
        if (prev) prev.after(li); else list.prepend(li);
      } else if (li.dataset.hidden !== (c.hidden ? 'yes' : 'no') || li.dataset.chair !== chair) {
        fillChat(li, c);
      }
      prev = li;
    }
    list.querySelector('.chat-empty')?.remove();
    if (!st.room.chat.length) list.append(h('li', { class: 'muted chat-empty', text: 'No message yet.' }));
    if (atBottom) list.scrollTop = list.scrollHeight;
  }

  $('chat-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const input = $('chat-text');
    const text = input.value.trim();
    if (!text) return;
    $('chat-send').disabled = true;
    const ok = await act('room.chat.send', { text }, 'chat-status');
    $('chat-send').disabled = false;
    if (ok) input.value = '';
    input.focus();
  });
  $('chat-text').addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter' && !ev.shiftKey && !ev.isComposing) {
      ev.preventDefault();
      $('chat-form').requestSubmit();
    }
  });

  function render() {
    renderPresence();
    renderAgenda();
    renderFloor();
    renderChat();
    const live = ctx.isLive();
    for (const id of ['raise-hand', 'point-of-order', 'lower-hand', 'chat-send']) $(id).disabled = !live;
  }

  return { render };
}
