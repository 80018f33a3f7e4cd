// Motions in the session room (web/room.html): the chair puts a
// recommendation to the vote (motion.open) and closes it (motion.close);
// each member city present when it opened votes yes, no or abstain through
// its delegate's signed ballot (motionballot.js: the exact ballot text is
// shown, then signed on this device, kept until the receipt comes, and sent
// again by itself after a dropped connection); everyone sees the turnout
// live and, when it closes, the outcome with the roll call. Main thread;
// room.js owns the state (ctx.st.motion).
//
// API: motionPart(ctx) -> {render(), refresh(), opened()}
import { $, h, pill, showMessage, openDialog, checkLength, setFieldError } from './ui.js';
import {
  CHOICES, draftMotionBallot, prepareMotionBallot, sendMotionBallot, getMotionBallot, isTransient, motionReceiptFileText,
} from './motionballot.js';
import { roomText } from './room-view.js';

const CHOICE_WORDS = { yes: 'Yes', no: 'No', abstain: 'Abstain' };
const CHOICE_HELP = { yes: 'for the recommendation', no: 'against it', abstain: 'counted, but neither for nor against' };
const OUTCOME_WORDS = {
  adopted: 'Adopted: it becomes a recommendation of the group.',
  rejected: 'Not adopted: no more yes than no votes.',
  no_votes: 'Not adopted: no yes or no vote was cast.',
  no_quorum: 'Not adopted: half of the member cities or fewer were present when the vote opened (no quorum).',
};
const ROLL_WORDS = { yes: 'Yes', no: 'No', abstained: 'Abstained', present_not_voting: 'Present, did not vote', absent: 'Absent' };
const ROLL_KIND = { yes: 'ok', no: 'error', abstained: 'pending', present_not_voting: 'warn', absent: 'pending' };

export function motionPart(ctx) {
  const { st, call, client } = ctx;
  let step = 'choose';      // choose | confirm
  let draft = null;         // the ballot shown, not yet signed
  let stored = null;        // this device's ballot for the open motion and city
  let sending = false;

  const say = (kind, text) => showMessage($('motion-status'), kind, text ? h('p', { text }) : '');

  function canVote(m) {
    const city = ctx.myDelegateCity();
    return !!city && m.state === 'open' && m.eligible.includes(city);
  }

  async function refresh() {
    if (st.closedMotion && !st.motion) {
      try {
        st.motion = ctx.motionFrom((await call('motion.poll', { motion: st.closedMotion })).motion);
      } catch { /* the minutes have it */ }
      st.closedMotion = null;
    }
    const m = st.motion;
    stored = null;
    if (!m) return;
    if (ctx.myDelegateCity()) {
      stored = await getMotionBallot(m.id, ctx.myDelegateCity()).catch(() => null);
      if (stored?.state === 'unsent' && m.state === 'open' && ctx.isLive()) send(stored);
    }
    ctx.render();
  }

  function opened() {
    step = 'choose';
    draft = null;
    stored = null;
    say('', '');
    setTimeout(() => { if (!$('motion-panel').hidden) $('motion-title').focus({ preventScroll: true }); }, 0);
  }

  // ---- drawing ------------------------------------------------------------------------

  function renderChoices() {
    const box = $('motion-choices');
    if (box.children.length) return;
    box.replaceChildren(...CHOICES.map((c) => {
      const id = `motion-choice-${c}`;
      const input = h('input', { attrs: { type: 'radio', name: 'motion-choice', value: c, id } });
      return h('label', { class: `choice${c === 'abstain' ? ' choice--abstain' : ''}`, attrs: { for: id } }, input,
        h('span', { class: 'choice__body' }, h('span', { class: 'choice__name', text: CHOICE_WORDS[c] }), h('span', { class: 'choice__meta', text: CHOICE_HELP[c] })));
    }));
  }

  function render() {
    const m = st.motion;
    const chair = ctx.isChair();
    $('motion-open-panel').hidden = !(chair && (!m || m.state !== 'open'));
    const panel = $('motion-panel');
    panel.hidden = !m;
    if (!m) return;
    panel.dataset.motion = String(m.id);
    panel.dataset.state = m.state;
    $('motion-title').textContent = m.state === 'open' ? 'Vote open: motion' : 'Motion: the vote is closed';
    $('motion-text-shown').textContent = m.text;
    const eligible = m.eligible.length;
    const voted = m.votedCount ?? m.voted.size;
    const turnout = $('motion-turnout');
    turnout.dataset.voted = String(voted);
    turnout.dataset.eligible = String(eligible);
    turnout.textContent = `${voted} of ${eligible} ${eligible === 1 ? 'city' : 'cities'} voted`;
    $('motion-bar').max = Math.max(1, eligible);
    $('motion-bar').value = voted;
    const q = m.quorum;
    $('motion-quorum').textContent = q
      ? `Quorum: ${q.present} of ${q.members} member cities were present when the vote opened; at least ${q.threshold} (more than half) are needed — ${q.met ? 'met' : 'NOT met'}.`
      : '';

    const mineVoted = ctx.myDelegateCity() && m.voted.has(ctx.myDelegateCity());
    const showReceipt = m.state === 'open' && stored?.state === 'recorded';
    const voting = canVote(m) && !showReceipt && !mineVoted && stored?.state !== 'unsent';
    $('motion-vote').hidden = !(voting && step === 'choose');
    $('motion-confirm').hidden = !((voting && step === 'confirm') || (m.state === 'open' && stored?.state === 'unsent'));
    $('motion-receipt').hidden = !showReceipt && !(stored?.state === 'recorded' && m.state !== 'open');
    if (voting && step === 'choose') renderChoices();
    if (!$('motion-confirm').hidden) {
      const rec = stored?.state === 'unsent' ? stored : null;
      $('motion-confirm-choice').textContent = CHOICE_WORDS[(rec || draft)?.choice] || '';
      $('motion-ballot-text').textContent = (rec || draft)?.text || '';
      $('motion-sign').textContent = rec ? 'Send now' : 'Sign and send';
      $('motion-back').hidden = !!rec;
    }
    if (!$('motion-receipt').hidden) renderReceipt(stored);

    const notVoter = $('motion-not-voter');
    notVoter.hidden = true;
    if (m.state === 'open' && !voting && !showReceipt && stored?.state !== 'unsent') {
      notVoter.hidden = false;
      const city = ctx.person()?.affiliation;
      notVoter.textContent = mineVoted ? `${ctx.nameOf(ctx.myDelegateCity())} has voted on this motion.`
        : ctx.myDelegateCity() ? `${ctx.nameOf(ctx.myDelegateCity())} may not vote on this motion: it was not present when the vote opened.`
          : city && city !== 'secretariat' ? `Only ${ctx.nameOf(city)}’s voting delegate in this group casts its vote.`
            : 'Member cities vote through their delegates; you follow the turnout here.';
    }

    $('motion-chair').hidden = !(chair && m.state === 'open');
    renderResult(m);
    const live = ctx.isLive();
    for (const id of ['motion-continue', 'motion-sign', 'motion-close', 'motion-open']) $(id).disabled = !live || sending;
  }

  function renderReceipt(rec) {
    if (!rec) return;
    $('motion-receipt-words').textContent = `${ctx.nameOf(rec.city)} voted ${CHOICE_WORDS[rec.choice].toLowerCase()}.${rec.replayed ? ' (It had reached the server before the connection dropped.)' : ''}`;
    $('motion-receipt-seq').textContent = rec.seq ?? '—';
    $('motion-receipt-hash').textContent = rec.hash;
    $('motion-receipt-check').textContent = rec.receiptOk ? 'Checked on this device: valid' : rec.receipt ? 'NOT valid: keep the receipt and tell the secretariat' : 'Not sent again by the server';
  }

  function renderResult(m) {
    const box = $('motion-result');
    box.hidden = !(m.state === 'closed' && m.result);
    if (box.hidden) return;
    const r = m.result;
    box.dataset.outcome = r.outcome;
    $('motion-outcome').textContent = OUTCOME_WORDS[r.outcome] || r.outcome;
    $('motion-outcome').className = `outcome outcome--${r.outcome}`;
    const c = r.counts || {};
    $('motion-counts').textContent = `Yes ${c.yes ?? 0} · No ${c.no ?? 0} · Abstained ${c.abstained ?? 0} · Present, not voting ${c.present_not_voting ?? 0} · Absent ${c.absent ?? 0}`;
    $('motion-roll').replaceChildren(...(r.roll_call || []).map((line) => h('li', { class: 'roll-line', dataset: { city: line.city, vote: line.vote } },
      h('span', { class: 'roll-line__city', text: ctx.nameOf(line.city) }),
      pill(ROLL_KIND[line.vote] || 'pending', ROLL_WORDS[line.vote] || line.vote))));
    $('motion-chain').textContent = m.chainHead || '';
  }

  // ---- voting -------------------------------------------------------------------------

  $('motion-continue').addEventListener('click', () => {
    const m = st.motion;
    const picked = document.querySelector('input[name="motion-choice"]:checked');
    const err = $('motion-choice-error');
    if (!picked) {
      err.textContent = 'Please choose Yes, No or Abstain.';
      err.hidden = false;
      $('motion-choices').querySelector('input')?.focus();
      return;
    }
    err.hidden = true;
    try {
      draft = draftMotionBallot({ motion: m.id, poll: m.fingerprint, city: ctx.myDelegateCity(), choice: picked.value });
    } catch (e) {
      say('error', `This ballot cannot be made: ${e.message}. Please reload the page.`);
      return;
    }
    step = 'confirm';
    ctx.render();
    $('motion-confirm-title').focus();
    $('motion-confirm-title').scrollIntoView({ block: 'start' });
  });

  $('motion-back').addEventListener('click', () => {
    step = 'choose';
    draft = null;
    ctx.render();
    $('motion-legend').focus();
  });

  $('motion-sign').addEventListener('click', async () => {
    if (sending) return;
    if (stored?.state === 'unsent') { send(stored); return; }
    if (!draft) return;
    try {
      stored = await prepareMotionBallot(draft, ctx.session.record);
    } catch (e) {
      say('error', `The ballot could not be signed on this device: ${e.message}`);
      return;
    }
    await send(stored);
  });

  async function send(rec) {
    if (sending) return;
    sending = true;
    say('info', 'Sending your ballot…');
    ctx.render();
    try {
      stored = await sendMotionBallot(client, rec);
      draft = null;
      step = 'choose';
      say('ok', 'Thank you. Your city’s ballot is recorded; save the receipt.');
      sending = false;
      ctx.render();
      $('motion-receipt-title').focus();
    } catch (err) {
      stored = rec;
      sending = false;
      if (isTransient(err)) {
        say('warn', 'Not sent yet: the connection dropped. Your signed ballot is kept on this device and is sent by itself when the connection is back.');
      } else {
        draft = null;
        step = 'choose';
        say('error', `Your ballot was not accepted. ${roomText(err)}`);
      }
      ctx.render();
    }
  }

  $('motion-save-receipt').addEventListener('click', () => {
    if (!stored) return;
    const text = motionReceiptFileText(stored, { groupName: st.group?.name, title: st.session?.title, cityName: ctx.nameOf(stored.city) });
    const url = URL.createObjectURL(new Blob([text], { type: 'text/plain;charset=utf-8' }));
    const a = h('a', { attrs: { href: url, download: `b40-receipt-motion-${stored.motion}-${stored.city}.txt` } });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60000);
  });

  // ---- the chair ----------------------------------------------------------------------

  $('motion-open').addEventListener('click', async () => {
    const input = $('motion-open-text');
    const text = input.value.trim();
    const msg = checkLength(text, 1, 2000, 'the recommendation', { multiLine: true });
    setFieldError(input, msg);
    if (msg) { input.focus(); return; }
    const ok = await openDialog({
      title: 'Open the vote?',
      body: [h('p', { class: 'quote', text }),
        h('p', { text: 'The member cities present now may vote, through their delegates. The list of voters is fixed and signed by the server when the vote opens.' })],
      confirmLabel: 'Open the vote',
      submit: async () => { await call('motion.open', { session: ctx.sessionId, text }); },
    });
    if (ok) input.value = '';
  });

  $('motion-close').addEventListener('click', async () => {
    const m = st.motion;
    const left = m.eligible.filter((c) => !m.voted.has(c));
    await openDialog({
      title: 'Close the vote?',
      body: [h('p', { text: `${m.votedCount ?? m.voted.size} of ${m.eligible.length} cities have voted.` }),
        left.length ? h('p', { text: `Not voted yet: ${left.map(ctx.nameOf).join(', ')}.` }) : null,
        h('p', { text: 'No ballot is accepted after the vote closes. The result and the roll call are shown at once.' })],
      confirmLabel: 'Close the vote',
      danger: true,
      submit: async () => { await call('motion.close', { motion: m.id }); },
    });
  });

  return { render, refresh, opened };
}
