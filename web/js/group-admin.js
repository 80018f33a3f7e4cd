// The secretariat's part of a group's page (web/group.html), and a chair's
// for their own session: plan the term's quarterly sessions (session.plan),
// schedule a session (session.schedule), change one (session.update: a
// chair may change everything but the chair), cancel one with a reason
// (session.cancel), offer a time poll (timepoll.create) and decide requests
// for extra sessions (session.request_decide). Every time is typed as a
// wall-clock time in the viewer's zone (datetime-local) and sent in UTC
// (localtime.js). Main thread; the page owns the state (ctx).
//
// API: adminParts(ctx) -> {render(), sessionButtons(session), requestButtons(request)}
import { h, showMessage, openDialog, checkLength, setFieldError, $ } from './ui.js';
import { fromLocalInput, toLocalInput, viewerZone, formatRange } from './localtime.js';
import { groupErrorText } from './groupwords.js';

const HOUR = 3600 * 1000;
let fieldSeq = 0;

/** A labelled field; returns {wrap, input}. */
function field(label, input, hint) {
  const id = input.id || `af-${++fieldSeq}`;
  input.id = id;
  const hintEl = hint ? h('p', { class: 'field__hint', text: hint, attrs: { id: `${id}-hint` } }) : null;
  if (hintEl) input.setAttribute('aria-describedby', hintEl.id);
  return { wrap: h('div', { class: 'field' }, h('label', { text: label, attrs: { for: id } }), hintEl, input), input };
}

/** The next whole hour at least a day from now, as a datetime-local value. */
function defaultStart() {
  const d = new Date(Date.now() + 24 * HOUR);
  d.setMinutes(0, 0, 0);
  d.setHours(d.getHours() + 1);
  return toLocalInput(d);
}

export function adminParts(ctx) {
  const { st, call } = ctx;
  let people = null;   // person.list, for the chair select (secretariat only)

  const say = (kind, text) => showMessage($('sessions-status'), kind, text ? h('p', { text }) : '');

  async function loadPeople() {
    if (people || !ctx.isSecretariat()) return people || [];
    try {
      people = (await call('person.list')).people.filter((p) => p.active !== false);
    } catch {
      people = [];
    }
    return people;
  }

  /**
   * The fields of a session (schedule, or update of s), into box. Returns
   * the openDialog `fields` object; value() gives the request's fields
   * (for an update: only what changed).
   */
  function sessionFields(box, s, chairs) {
    const isNew = !s;
    const title = field('Title', h('input', { attrs: { type: 'text', maxlength: 120, autocomplete: 'off' } }));
    title.input.value = s?.title || `${st.group.name}: quarterly session`;
    const kind = field('Kind', h('select', {},
      h('option', { text: 'Regular (the quarter’s session)', attrs: { value: 'regular' } }),
      h('option', { text: 'Extra', attrs: { value: 'extra' } })));
    const starts = field('Starts', h('input', { attrs: { type: 'datetime-local', required: true } }),
      `Your time zone: ${viewerZone()}. Stored in UTC; every member sees it in their own zone.`);
    starts.input.value = s ? toLocalInput(s.starts_at) : defaultStart();
    const ends = field('Ends', h('input', { attrs: { type: 'datetime-local', required: true } }), '15 minutes to 12 hours after the start.');
    ends.input.value = s ? toLocalInput(s.ends_at) : toLocalInput(new Date(Date.parse(fromLocalInput(starts.input.value)) + 2 * HOUR));
    starts.input.addEventListener('change', () => {
      const a = fromLocalInput(starts.input.value);
      const b = fromLocalInput(ends.input.value);
      if (a && (!b || Date.parse(b) <= Date.parse(a))) ends.input.value = toLocalInput(new Date(Date.parse(a) + 2 * HOUR));
    });
    const video = field('Video link (optional)', h('input', { attrs: { type: 'url', maxlength: 300, autocomplete: 'off', placeholder: 'https://meet.jit.si/…' } }),
      'An https link to the video call (Jitsi, Zoom, Teams…). It opens in a new tab from the session room.');
    video.input.value = s?.video_url || '';
    const agenda = field('Agenda', h('textarea', { attrs: { rows: 5 } }), 'One item per line, 1 to 50 items.');
    agenda.input.value = (s?.agenda || ['Opening and adoption of the agenda', 'Reports of the member cities', 'Recommendations', 'Any other business']).join('\n');
    let chair = null;
    if (chairs) {
      chair = field('Chair', h('select', {}, h('option', { text: 'The secretariat', attrs: { value: 0 } }),
        ...chairs.map((p) => h('option', { text: `${p.name} (${p.affiliation === 'secretariat' ? 'secretariat' : ctx.nameOf(p.affiliation)})`, attrs: { value: p.id } }))));
      chair.input.value = String(s?.chair?.id ?? 0);
    }
    box.append(title.wrap, ...(isNew ? [kind.wrap] : []), starts.wrap, ends.wrap, video.wrap, agenda.wrap, ...(chair ? [chair.wrap] : []));

    const items = () => agenda.input.value.split('\n').map((x) => x.trim()).filter(Boolean);
    const byField = { title: title.input, starts_at: starts.input, ends_at: ends.input, video_url: video.input, agenda: agenda.input, chair: chair?.input, kind: kind.input };
    return {
      validate() {
        const errs = [
          [title.input, checkLength(title.input.value.trim(), 1, 120, 'a title')],
          [starts.input, fromLocalInput(starts.input.value) ? '' : 'Choose the day and time it starts.'],
          [ends.input, (() => {
            const a = Date.parse(fromLocalInput(starts.input.value));
            const b = Date.parse(fromLocalInput(ends.input.value));
            if (Number.isNaN(b)) return 'Choose when it ends.';
            return b - a < 15 * 60000 || b - a > 12 * HOUR ? 'It lasts 15 minutes to 12 hours.' : '';
          })()],
          [video.input, video.input.value.trim() && !/^https:\/\/[A-Za-z0-9.-]+(:\d+)?(\/\S*)?$/.test(video.input.value.trim()) ? 'An https:// link, without spaces.' : ''],
          [agenda.input, items().length < 1 || items().length > 50 ? 'Between 1 and 50 items, one per line.'
            : items().some((x) => checkLength(x, 1, 200, 'an item')) ? 'Each item at most 200 bytes.' : ''],
        ];
        let first = null;
        for (const [el, msg] of errs) {
          setFieldError(el, msg);
          if (msg && !first) first = el;
        }
        first?.focus();
        return !first;
      },
      value() {
        const v = {
          title: title.input.value.trim(),
          starts_at: fromLocalInput(starts.input.value),
          ends_at: fromLocalInput(ends.input.value),
          video_url: video.input.value.trim(),
          agenda: items(),
        };
        if (chair) v.chair = Number(chair.input.value);
        if (isNew) {
          v.kind = kind.input.value;
          if (!v.video_url) delete v.video_url;
          if (!v.chair) delete v.chair;
          return v;
        }
        const changed = {};
        if (v.title !== s.title) changed.title = v.title;
        if (v.starts_at !== s.starts_at) changed.starts_at = v.starts_at;
        if (v.ends_at !== s.ends_at) changed.ends_at = v.ends_at;
        if (v.video_url !== (s.video_url || '')) changed.video_url = v.video_url;
        if (JSON.stringify(v.agenda) !== JSON.stringify(s.agenda)) changed.agenda = v.agenda;
        if (chair && v.chair !== (s.chair?.id ?? 0)) changed.chair = v.chair;
        return changed;
      },
      showError(err) {
        const el = byField[err.field === 'quarter' ? 'starts_at' : err.field];
        if (!el) return false;
        setFieldError(el, groupErrorText(err));
        el.focus();
        return true;
      },
    };
  }

  async function schedule() {
    const chairs = await loadPeople();
    let made = null;
    const done = await openDialog({
      title: `Schedule a session of ${st.group.name}`,
      fields: (box) => sessionFields(box, null, chairs),
      confirmLabel: 'Schedule',
      submit: async (v) => { made = (await call('session.schedule', { group: ctx.code, ...v })).session; },
    });
    if (!done || !made) return;
    say('ok', `Scheduled: “${made.title}”, ${formatRange(made.starts_at, made.ends_at)}.`);
    await ctx.reload();
  }

  async function edit(s) {
    const chairs = ctx.isSecretariat() ? await loadPeople() : null;
    const done = await openDialog({
      title: `Change “${s.title}”`,
      fields: (box) => sessionFields(box, s, chairs),
      confirmLabel: 'Save the changes',
      submit: async (v) => { if (Object.keys(v).length) await call('session.update', { session: s.id, ...v }); },
    });
    if (!done) return;
    say('ok', Object.keys(done).length ? `“${s.title}” is changed; calendars show it at their next refresh.` : 'Nothing was changed.');
    await ctx.reload();
  }

  async function cancel(s) {
    const done = await openDialog({
      title: `Cancel “${s.title}”?`,
      body: `${formatRange(s.starts_at, s.ends_at)}. Subscribed calendars show it as cancelled; an open time poll on it closes.`,
      reason: { label: 'Reason', hint: 'Shown on the group’s page and in calendars (one line, at most 1000 bytes).', max: 1000 },
      confirmLabel: 'Cancel the session',
      cancelLabel: 'Keep it',
      danger: true,
      submit: async (reason) => { await call('session.cancel', { session: s.id, reason }); },
    });
    if (done === null) return;
    say('ok', `“${s.title}” is cancelled.`);
    await ctx.reload();
  }

  async function offerPoll(s) {
    let list; let duration;
    const addRow = (value) => {
      const input = h('input', { attrs: { type: 'datetime-local', 'aria-label': `Slot ${list.children.length + 1} starts` } });
      input.value = value;
      list.append(h('li', {}, input));
    };
    const done = await openDialog({
      title: `Time poll for “${s.title}”`,
      body: h('p', { text: `Offer 2 to 12 candidate times; member cities mark those that suit them, then you pick one. Times in your zone, ${viewerZone()}.` }),
      fields: (box) => {
        list = h('ol', { class: 'slot-inputs', attrs: { id: 'poll-slot-inputs' } });
        const base = Date.parse(s.starts_at);
        for (const shift of [0, 2, 24]) addRow(toLocalInput(new Date(base + shift * HOUR)));
        duration = field('Each slot lasts', h('select', { attrs: { id: 'poll-duration' } },
          ...[[60, '1 hour'], [90, '1½ hours'], [120, '2 hours'], [180, '3 hours']].map(([m, t]) => h('option', { text: t, attrs: { value: m } }))));
        duration.input.value = String(Math.max(60, Math.min(180, Math.round((Date.parse(s.ends_at) - base) / 60000 / 30) * 30)) || 120);
        if (![...duration.input.options].some((o) => o.value === duration.input.value)) duration.input.value = '120';
        const more = h('button', { class: 'button button--secondary', text: 'Add a slot', attrs: { type: 'button', id: 'poll-add-slot' },
          on: { click: () => { if (list.children.length < 12) addRow(''); } } });
        box.append(h('p', { class: 'label', text: 'Candidate slots (start)' }), list, h('div', { class: 'actions' }, more), duration.wrap);
        return {
          validate() {
            const inputs = [...list.querySelectorAll('input')].filter((i) => i.value);
            const ok = inputs.length >= 2 && inputs.every((i) => fromLocalInput(i.value));
            setFieldError(list.querySelector('input'), ok ? '' : 'At least two slots, each with a day and a time.');
            return ok;
          },
          value() {
            const mins = Number(duration.input.value);
            return [...list.querySelectorAll('input')].filter((i) => i.value).map((i) => {
              const a = fromLocalInput(i.value);
              return { starts_at: a, ends_at: new Date(Date.parse(a) + mins * 60000).toISOString() };
            });
          },
        };
      },
      confirmLabel: 'Open the poll',
      submit: async (slots) => { await call('timepoll.create', { session: s.id, slots }); },
    });
    if (!done) return;
    say('ok', `The time poll for “${s.title}” is open.`);
    await ctx.reload();
  }

  async function decide(r) {
    let choice; let reason; let starts; let ends; let title;
    const done = await openDialog({
      title: `Request of ${ctx.nameOf(r.city)}`,
      body: h('p', { class: 'quote', text: r.reason }),
      fields: (box) => {
        const radio = (value, label) => {
          const input = h('input', { attrs: { type: 'radio', name: 'decision', value, id: `decision-${value}` } });
          return { input, label: h('label', { class: 'check', attrs: { for: input.id } }, input, h('span', { text: label })) };
        };
        const yes = radio('schedule', 'Schedule an extra session');
        const no = radio('decline', 'Decline, with a reason');
        yes.input.checked = true;
        choice = () => (no.input.checked ? 'decline' : 'schedule');
        title = field('Title', h('input', { attrs: { type: 'text', maxlength: 120 } }));
        title.input.value = `Extra session: the request of ${ctx.nameOf(r.city)}`;
        starts = field('Starts', h('input', { attrs: { type: 'datetime-local' } }), `Your time zone: ${viewerZone()}.`);
        starts.input.value = defaultStart();
        ends = field('Ends', h('input', { attrs: { type: 'datetime-local' } }));
        ends.input.value = toLocalInput(new Date(Date.parse(fromLocalInput(starts.input.value)) + 2 * HOUR));
        reason = field('Reason (required to decline)', h('textarea', { attrs: { rows: 2, maxlength: 1000 } }));
        const when = h('div', {}, title.wrap, starts.wrap, ends.wrap);
        const sync = () => { when.hidden = choice() === 'decline'; };
        yes.input.addEventListener('change', sync);
        no.input.addEventListener('change', sync);
        box.append(h('fieldset', { class: 'checks' }, h('legend', { text: 'Decision' }), yes.label, no.label), when, reason.wrap);
        return {
          validate() {
            const rv = reason.input.value.trim();
            const rmsg = choice() === 'decline' || rv ? checkLength(rv, 1, 1000, 'a reason') : '';
            setFieldError(reason.input, rmsg);
            const smsg = choice() === 'schedule' && !(fromLocalInput(starts.input.value) && fromLocalInput(ends.input.value)) ? 'Choose when it starts and ends.' : '';
            setFieldError(starts.input, smsg);
            return !rmsg && !smsg;
          },
          value() {
            const v = { request: r.id, decision: choice() };
            const rv = reason.input.value.trim();
            if (rv) v.reason = rv;
            if (v.decision === 'schedule') {
              v.starts_at = fromLocalInput(starts.input.value);
              v.ends_at = fromLocalInput(ends.input.value);
              if (title.input.value.trim()) v.title = title.input.value.trim();
            }
            return v;
          },
          showError(err) {
            const el = { reason: reason.input, starts_at: starts.input, ends_at: ends.input, title: title.input }[err.field];
            if (!el) return false;
            setFieldError(el, groupErrorText(err));
            return true;
          },
        };
      },
      confirmLabel: 'Decide',
      submit: async (v) => { await call('session.request_decide', v); },
    });
    if (!done) return;
    showMessage($('request-status'), 'ok', h('p', { text: done.decision === 'schedule' ? 'The extra session is scheduled.' : 'The request is declined.' }));
    await ctx.reload();
  }

  async function plan() {
    say('info', 'Planning the term’s quarterly sessions…');
    try {
      const reply = await call('session.plan');
      const mine = (reply.sessions || []).filter((s) => s.group === ctx.code).length;
      say('ok', reply.created
        ? `${reply.created} regular session${reply.created === 1 ? '' : 's'} planned across the groups (${mine} for this group in the term).`
        : 'Every quarter of the term already has its regular session: nothing new was planned.');
      await ctx.reload();
    } catch (err) {
      say('error', `The sessions could not be planned. ${groupErrorText(err)}`);
    }
  }

  $('plan-sessions').addEventListener('click', plan);
  $('schedule-session').addEventListener('click', schedule);

  function render() {
    $('admin').hidden = !(ctx.isSecretariat() && st.group.state === 'active');
  }

  function sessionButtons(s) {
    if (s.state !== 'scheduled' || !ctx.mayManage(s)) return [];
    const out = [
      h('button', { class: 'button button--secondary', text: 'Change', attrs: { type: 'button', 'aria-label': `Change ${s.title}` }, dataset: { edit: s.id }, on: { click: () => edit(s) } }),
    ];
    if (!s.time_poll) {
      out.push(h('button', { class: 'button button--secondary', text: 'Time poll', attrs: { type: 'button', 'aria-label': `Offer a time poll for ${s.title}` }, dataset: { pollFor: s.id }, on: { click: () => offerPoll(s) } }));
    }
    if (ctx.isSecretariat()) {
      out.push(h('button', { class: 'button button--secondary', text: 'Cancel', attrs: { type: 'button', 'aria-label': `Cancel ${s.title}` }, dataset: { cancel: s.id }, on: { click: () => cancel(s) } }));
    }
    return out;
  }

  function requestButtons(r) {
    if (r.state !== 'pending' || !ctx.isSecretariat()) return [];
    return [h('button', { class: 'button', text: 'Decide…', attrs: { type: 'button', 'aria-label': `Decide the request of ${ctx.nameOf(r.city)}` }, dataset: { decide: r.id }, on: { click: () => decide(r) } })];
  }

  return { render, sessionButtons, requestButtons };
}
