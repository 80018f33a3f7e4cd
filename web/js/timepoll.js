// The time poll of a session, on a group's page (web/group.html): its
// candidate slots in the viewer's time zone with how many cities marked
// each, the marks of the viewer's city (timepoll.mark: one answer per city,
// marking again replaces it), and for the secretariat or the session's
// chair a "pick this slot" button per slot (timepoll.pick), which moves the
// session to that slot. Main thread; the page owns the state (ctx).
//
// API: pollSection(ctx, poll, session) -> a <section> element
import { h, pill, showMessage, openDialog } from './ui.js';
import { formatRange, viewerZone } from './localtime.js';
import { groupErrorText } from './groupwords.js';

export function pollSection(ctx, poll, session) {
  const mine = ctx.person()?.affiliation;
  const answer = poll.answers.find((a) => a.city === mine) || null;
  const open = poll.state === 'open';
  const canMark = open && ctx.isSpeaker();
  const canPick = open && ctx.mayManage(session);
  const statusBox = h('div', { class: 'alert', attrs: { role: 'status', 'aria-live': 'polite' }, hidden: true });
  const members = ctx.st.group.members.length;

  const rows = poll.slots.map((slot) => {
    const id = `poll-${poll.id}-slot-${slot.position}`;
    const when = h('span', { class: 'slot__when', text: formatRange(slot.starts_at, slot.ends_at) });
    const marks = h('span', { class: 'poll-marks', dataset: { position: slot.position, marks: slot.marks } },
      `${slot.marks} of ${members} ${members === 1 ? 'city' : 'cities'}`);
    const picked = poll.picked === slot.position;
    let main;
    if (canMark) {
      const input = h('input', { attrs: { type: 'checkbox', id, name: 'slot', value: slot.position } });
      input.checked = !!answer?.positions.includes(slot.position);
      main = h('label', { class: 'check slot__check', attrs: { for: id } }, input, h('span', {}, when, h('br'), marks));
    } else {
      main = h('p', { class: 'slot__text' }, when, h('br'), marks);
    }
    return h('li', { class: `slot${picked ? ' slot--picked' : ''}`, dataset: { position: slot.position } },
      main,
      picked ? pill('ok', 'Picked') : null,
      canPick ? h('button', {
        class: 'button button--secondary', text: 'Pick this slot',
        attrs: { type: 'button', 'aria-label': `Pick slot ${slot.position}: ${formatRange(slot.starts_at, slot.ends_at)}` },
        dataset: { pick: slot.position },
        on: { click: () => pick(slot) },
      }) : null);
  });

  async function save() {
    const positions = [...section.querySelectorAll('input[name="slot"]:checked')].map((i) => Number(i.value));
    try {
      await ctx.call('timepoll.mark', { poll: poll.id, positions });
      ctx.st.pollDirty = false;
      // Kept across the reload that redraws this section.
      ctx.st.pollMessage = {
        poll: poll.id,
        text: positions.length ? `Saved: ${ctx.nameOf(mine)} can attend slot${positions.length > 1 ? 's' : ''} ${positions.join(', ')}.` : `Saved: no slot suits ${ctx.nameOf(mine)}.`,
      };
      await ctx.reload();
    } catch (err) {
      showMessage(statusBox, 'error', h('p', { text: `The marks were not saved. ${groupErrorText(err)}` }));
    }
  }

  async function pick(slot) {
    const ok = await openDialog({
      title: `Pick slot ${slot.position}?`,
      body: [h('p', { text: `“${session.title}” moves to ${formatRange(slot.starts_at, slot.ends_at)} (${viewerZone()}).` }),
        h('p', { text: `${slot.marks} of ${members} member cities marked it. The poll closes; calendars show the new time.` })],
      confirmLabel: 'Pick this slot',
      submit: async () => { await ctx.call('timepoll.pick', { poll: poll.id, position: slot.position }); },
    });
    if (!ok) return;
    await ctx.reload();
  }

  const answered = poll.answers.map((a) => `${ctx.nameOf(a.city)} (${a.positions.length ? `slot${a.positions.length > 1 ? 's' : ''} ${a.positions.join(', ')}` : 'none suits'})`);
  const section = h('section', { class: 'panel poll', dataset: { poll: poll.id, state: poll.state }, attrs: { 'aria-labelledby': `poll-${poll.id}-title` } },
    h('h2', { text: `Time poll: ${session.title}`, attrs: { id: `poll-${poll.id}-title` } }),
    h('p', { text: open
      ? `Member cities mark every slot that suits them; the chair or the secretariat then picks one. Times are in your zone, ${viewerZone()}.`
      : 'This poll is closed.' }),
    open ? h('p', { class: 'muted small', text: 'Istanbul is on UTC+3 all year; Athens and Sofia on UTC+2 and most member cities on UTC+1, one hour more in summer.' }) : null,
    canMark ? h('p', { class: 'muted small', text: answer ? `Your city’s marks were saved; change them and save again.` : 'Your city has not answered yet.' }) : null,
    h('ol', { class: 'slot-list' }, ...rows),
    canMark ? h('div', { class: 'actions actions--wide' }, h('button', {
      class: 'button', text: `Save ${ctx.nameOf(mine)}’s marks`, attrs: { type: 'button', id: `poll-save-${poll.id}` },
      on: { click: save },
    })) : null,
    statusBox,
    h('p', { class: 'small muted poll__answered', text: answered.length ? `Answered: ${answered.join('; ')}.` : 'No city has answered yet.' }));
  if (ctx.st.pollMessage?.poll === poll.id) showMessage(statusBox, 'ok', h('p', { text: ctx.st.pollMessage.text }));
  // Marks not saved yet must survive the page's periodic refresh.
  section.addEventListener('change', () => { ctx.st.pollDirty = true; });
  return section;
}
