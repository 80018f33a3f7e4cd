// What a signed-in city does on a group's page (web/group.html): join or
// leave the group, name its delegate, report the follow-up of a
// recommendation, and ask for an extra session with a signed request
// (b40-session-request-v1, statements.js: shown byte for byte, then signed
// with this device's key). The secretariat may join, remove and name the
// delegate of any city. Main thread; the page (group.js) owns the client,
// the session and the group's state, handed in as ctx.
//
// API: cityParts(ctx) -> {memberButtons(member), renderJoin(), recButtons(rec),
//                         renderRequestForm(), busy()}
import { h, showMessage, openDialog, checkLength, setFieldError, clearFieldErrors, roleWords, $ } from './ui.js';
import { sessionRequestStatement } from './statements.js';
import { FOLLOWUP_WORDS, groupErrorText } from './groupwords.js';

export function cityParts(ctx) {
  const { st, call } = ctx;
  let draft = null;   // the request text shown, not yet signed
  let sending = false;

  const mine = () => ctx.person()?.affiliation;
  const myMember = () => st.group?.members.find((m) => m.city === mine()) || null;
  const say = (id, kind, text) => showMessage($(id), kind, text ? h('p', { text }) : '');

  /** May the signed-in person act for city c in group.join/leave/set_delegate? */
  const actsFor = (c) => ctx.isSecretariat() || (ctx.isVoice() && mine() === c);

  // ---- membership -------------------------------------------------------------------

  function renderJoin() {
    const g = st.group;
    const p = ctx.person();
    const voice = ctx.isVoice() && g.state === 'active';
    const member = !!myMember();
    $('city-actions').hidden = !voice;
    $('join-group').hidden = !voice || member;
    $('leave-group').hidden = !voice || !member;
    if (voice) {
      $('join-group').textContent = `Join this group for ${ctx.nameOf(p.affiliation)}`;
      $('leave-group').textContent = `Leave this group (${ctx.nameOf(p.affiliation)})`;
    }
    const sec = ctx.isSecretariat() && g.state === 'active';
    $('join-city').hidden = !sec;
    if (sec) {
      const inGroup = new Set(g.members.map((m) => m.city));
      const sel = $('join-city-select');
      const was = sel.value;
      const options = [...st.cities.values()].filter((c) => c.status === 'member' && !inGroup.has(c.code))
        .sort((a, b) => a.name.localeCompare(b.name));
      sel.replaceChildren(...options.map((c) => h('option', { text: c.name, attrs: { value: c.code } })));
      if (options.some((c) => c.code === was)) sel.value = was;
      $('join-city-button').disabled = options.length === 0;
    }
  }

  async function join(c) {
    try {
      await call('group.join', { group: ctx.code, city: c });
      say('members-status', 'ok', `${ctx.nameOf(c)} is now a member of the group.`);
      await ctx.reload();
    } catch (err) {
      say('members-status', 'error', `${ctx.nameOf(c)} could not join. ${groupErrorText(err)}`);
    }
  }

  async function leave(c) {
    const ok = await openDialog({
      title: `${ctx.nameOf(c)} leaves the group?`,
      body: `${ctx.nameOf(c)} will no longer be a member of “${st.group.name}”; its delegate is cleared. It can join again later.`,
      confirmLabel: 'Leave the group',
      danger: true,
      submit: async () => { await call('group.leave', { group: ctx.code, city: c }); },
    });
    if (!ok) return;
    say('members-status', 'ok', `${ctx.nameOf(c)} has left the group.`);
    await ctx.reload();
  }

  $('join-group').addEventListener('click', () => join(mine()));
  $('leave-group').addEventListener('click', () => leave(mine()));
  $('join-city-button').addEventListener('click', () => { if ($('join-city-select').value) join($('join-city-select').value); });

  /** The people whom the city may name as its delegate (group.eligible_delegates). */
  async function candidates(c) {
    const reply = await call('group.eligible_delegates', { city: c });
    return reply.people || [];
  }

  async function nameDelegate(m) {
    let people;
    try {
      people = await candidates(m.city);
    } catch (err) {
      say('members-status', 'error', `The people of ${m.name} could not be loaded. ${groupErrorText(err)}`);
      return;
    }
    const me = ctx.person();
    const options = people.map((p) => [p.id, `${p.id === me?.id ? 'Me: ' : ''}${p.name} (${roleWords(p.roles)})`]);
    if (m.delegate && !options.some(([id]) => id === m.delegate.id)) options.unshift([m.delegate.id, `${m.delegate.name} (the delegate now)`]);
    options.push([0, 'Nobody for now']);
    let select;
    const done = await openDialog({
      title: `Delegate of ${m.name}`,
      body: h('p', { text: 'The delegate votes for the city in this group’s motions: one per city. Naming another replaces the one now.' }),
      fields: (box) => {
        select = h('select', { attrs: { id: 'delegate-select' } },
          ...options.map(([id, label]) => h('option', { text: label, attrs: { value: id } })));
        const mine = options.find(([id]) => id === me?.id);
        select.value = String(m.delegate?.id ?? (mine ? mine[0] : options[0][0]));
        box.append(h('div', { class: 'field' }, h('label', { text: 'Delegate', attrs: { for: 'delegate-select' } }), select));
        return { validate: () => true, value: () => Number(select.value) };
      },
      confirmLabel: 'Name the delegate',
      submit: async (person) => { await call('group.set_delegate', { group: ctx.code, city: m.city, person }); },
    });
    if (done === null) return;
    say('members-status', 'ok', done ? `${m.name} has a new delegate.` : `${m.name} has no delegate now.`);
    await ctx.reload();
  }

  function memberButtons(m) {
    if (!ctx.person() || st.group.state !== 'active' || !actsFor(m.city)) return [];
    const out = [h('button', {
      class: 'button button--secondary', text: m.delegate ? 'Change delegate' : 'Name the delegate',
      attrs: { type: 'button', 'aria-label': `Delegate of ${m.name}` }, dataset: { delegateCity: m.city },
      on: { click: () => nameDelegate(m) },
    })];
    if (ctx.isSecretariat()) {
      out.push(h('button', {
        class: 'button button--secondary', text: 'Remove',
        attrs: { type: 'button', 'aria-label': `Remove ${m.name} from the group` }, dataset: { removeCity: m.city },
        on: { click: () => leave(m.city) },
      }));
    }
    return out;
  }

  // ---- follow-up ------------------------------------------------------------------------

  async function report(rec) {
    const c = mine();
    const current = rec.followup.find((f) => f.city === c);
    let status; let note; let onDate;
    const done = await openDialog({
      title: `Follow-up of ${ctx.nameOf(c)}`,
      body: h('p', { class: 'quote', text: rec.text }),
      fields: (box) => {
        status = h('select', { attrs: { id: 'fu-status' } },
          ...Object.entries(FOLLOWUP_WORDS).map(([k, v]) => h('option', { text: v, attrs: { value: k } })));
        status.value = current?.status || 'planned';
        note = h('textarea', { attrs: { id: 'fu-note', rows: 3, maxlength: 1000 } });
        note.value = current?.note || '';
        onDate = h('input', { attrs: { id: 'fu-date', type: 'date', required: true } });
        onDate.value = new Date().toISOString().slice(0, 10);
        box.append(
          h('div', { class: 'field' }, h('label', { text: 'Status', attrs: { for: 'fu-status' } }), status),
          h('div', { class: 'field' }, h('label', { text: 'Since', attrs: { for: 'fu-date' } }), onDate),
          h('div', { class: 'field' }, h('label', { text: 'Note (optional)', attrs: { for: 'fu-note' } }), note));
        return {
          validate: () => {
            const msg = note.value.trim() ? checkLength(note.value.trim(), 0, 1000, 'the note', { multiLine: true }) : '';
            setFieldError(note, msg);
            const dmsg = /^\d{4}-\d\d-\d\d$/.test(onDate.value) ? '' : 'Choose the date the status holds from.';
            setFieldError(onDate, dmsg);
            return !msg && !dmsg;
          },
          value: () => ({ status: status.value, note: note.value.trim(), on_date: onDate.value }),
        };
      },
      confirmLabel: 'Report',
      submit: async (v) => { await call('followup.report', { recommendation: rec.id, ...v }); },
    });
    if (!done) return;
    say('recs-status', 'ok', `Reported: ${FOLLOWUP_WORDS[done.status]}.`);
    await ctx.reload();
  }

  function recButtons(rec) {
    if (!ctx.isSpeaker()) return [];
    return [h('button', {
      class: 'button button--secondary', text: `Report ${ctx.nameOf(mine())}’s status`,
      attrs: { type: 'button' }, dataset: { report: rec.id },
      on: { click: () => report(rec) },
    })];
  }

  // ---- the extra-session request -------------------------------------------------------

  function renderRequestForm() {
    const can = ctx.isSpeaker() && st.group.state === 'active';
    $('request-form').hidden = !can || !!draft;
    $('request-confirm').hidden = !can || !draft;
    if (draft) $('request-text').textContent = draft.text;
  }

  $('request-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const input = $('request-reason');
    clearFieldErrors($('request-form'));
    const reason = input.value.trim();
    const msg = checkLength(reason, 1, 1000, 'a reason');
    setFieldError(input, msg);
    if (msg) { input.focus(); return; }
    try {
      const fields = { group: ctx.code, city: mine(), reason, requested: new Date().toISOString() };
      draft = { ...fields, text: sessionRequestStatement(fields) };
    } catch (err) {
      setFieldError(input, `This text cannot be signed: ${err.message}.`);
      return;
    }
    say('request-status', '', '');
    renderRequestForm();
    $('request-confirm-title').focus();
  });

  $('request-back').addEventListener('click', () => {
    draft = null;
    renderRequestForm();
    $('request-reason').focus();
  });

  $('request-sign').addEventListener('click', async () => {
    if (!draft || sending) return;
    sending = true;
    const button = $('request-sign');
    button.disabled = true;
    try {
      // The request must be signed within 5 minutes of its time: a draft left open longer is made again.
      if (Date.now() - Date.parse(draft.requested) > 4 * 60 * 1000) {
        const fields = { group: draft.group, city: draft.city, reason: draft.reason, requested: new Date().toISOString() };
        draft = { ...fields, text: sessionRequestStatement(fields) };
        $('request-text').textContent = draft.text;
      }
      const signature = await ctx.session.sign(draft.text);
      await call('session.request', { group: draft.group, reason: draft.reason, requested: draft.requested, statement: draft.text, signature });
      draft = null;
      $('request-reason').value = '';
      say('request-status', 'ok', 'Your request is signed and sent. The secretariat will schedule the session or answer with a reason.');
      await ctx.reload();
    } catch (err) {
      say('request-status', 'error', `The request was not accepted. ${groupErrorText(err)}`);
    } finally {
      sending = false;
      button.disabled = false;
      renderRequestForm();
    }
  });

  return { memberButtons, renderJoin, recButtons, renderRequestForm, busy: () => !!draft || sending };
}
