// The mayor's ballot page (web/vote.html). Main thread; owns the page's
// B40Client and Session, the election it shows (election.get, watched with
// election.watch: election.changed for every change of state or candidates,
// election.turnout for each ballot; the page never polls), and the step the
// voter is at. The ballot itself is built, signed, stored and sent by ballot.js;
// this file decides when, and says what happened in plain words.
//
// Which election: ?election=ID, else the newest one that is not decided
// (election.js explains how elections are found).
//
// Sending: the signed ballot is stored on the device before it is sent. It
// is sent again, unchanged, whenever the page is signed in with the round
// open and the ballot still unsent: after a reconnect, or when the page is
// opened again. A second send of a recorded ballot is answered
// already_voted with the same hash, which ballot.js turns into the receipt.
import { B40Client } from './client.js';
import { Session } from './session.js';
import { sha256Hex } from './statements.js';
import * as ballots from './ballot.js';
import {
  loadCities, cityName, loadSummits, findElections, currentTerm, queryInt, canVote, watchAndGet, changedInPlace,
  STATE_WORDS, STATE_KIND, KIND_WORDS, outcomeText, electionErrorText,
} from './election.js';
import {
  $, h, setPill, showMessage, watchConnection, openDialog, formatDate, formatDateTime, countryName, describeError,
} from './ui.js';

const client = new B40Client();
const session = new Session(client);
const root = $('vote');
const status = $('status');

const STEPS = ['step-signin', 'step-not-voter', 'step-candidacy', 'attendance', 'candidates-panel', 'step-choose',
  'step-confirm', 'step-receipt', 'step-closed', 'check-panel'];

const st = {
  cities: null,
  summits: [],
  terms: [],
  election: null,
  summit: null,
  pollOk: null,        // the open round's poll text hashes to its fingerprint
  stored: [],          // this device's ballots for the election (ballot.js records)
  draft: null,         // the ballot shown for confirmation
  step: 'choose',      // 'choose' | 'confirm'
  choice: null,
  message: null,       // {kind, text}: shown instead of the state's default words
  loadError: null,
  loaded: false,
  sending: false,
  watched: null,       // the election id watched on this connection
};

// ---- loading --------------------------------------------------------------

function currentRound(e = st.election) {
  if (!e || !e.rounds?.length) return null;
  return e.rounds.find((r) => r.round === e.round) || e.rounds.at(-1);
}

function myCity() {
  return canVote(session.person) ? session.person.affiliation : null;
}

function nameOf(code) {
  return cityName(st.cities, code);
}

async function load() {
  try {
    st.cities ??= await loadCities(client);
    ({ summits: st.summits, terms: st.terms } = await loadSummits(client));
    const wanted = queryInt('election');
    if (wanted) {
      st.election = (await client.request('election.get', { election: wanted })).election;
    } else {
      const all = await findElections(client, st.summits);
      st.election = all.find((e) => e.state !== 'decided' && e.state !== 'draft')
        || all.find((e) => e.state !== 'decided') || all[0] || null;
    }
    await afterElection();
    st.loadError = null;
  } catch (err) {
    if (err.code === 'disconnected' || err.code === 'not_connected') return;
    st.loadError = err;
  }
  st.loaded = true;
  render();
  maybeSend();
}

/** Reloads only the election (after an event), keeping the rest. */
async function reloadElection() {
  if (!st.election) return load();
  try {
    const before = `${st.election.state}/${st.election.round}`;
    st.election = (await client.request('election.get', { election: st.election.id })).election;
    if (`${st.election.state}/${st.election.round}` !== before) {
      st.message = null;   // a new step: the old words and the old choice are stale
      st.choice = null;
    }
    ({ summits: st.summits, terms: st.terms } = await loadSummits(client));
    await afterElection();
  } catch (err) {
    if (err.code !== 'disconnected' && err.code !== 'not_connected') st.message = { kind: 'error', text: electionErrorText(err) };
  }
  render();
  maybeSend();
}

async function afterElection() {
  if (!st.election) return;
  if (st.watched !== st.election.id) {
    // A new connection (or election): watch, then read again, so that no
    // change between the first read and the watch is missed.
    st.election = (await watchAndGet(client, st.election.id)).election;
    st.watched = st.election.id;
  }
  const e = st.election;
  st.summit = st.summits.find((s) => s.id === e.summit) || null;
  if (st.summit === null) {
    try { st.summit = (await client.request('summit.get', { summit: e.summit })).summit; } catch { /* shown without it */ }
  }
  const round = currentRound(e);
  st.pollOk = round?.poll && round?.fingerprint ? (await sha256Hex(round.poll)) === round.fingerprint : null;
  st.stored = await ballots.listBallots(e.id).catch(() => []);
  if (st.draft && (st.draft.election !== e.id || st.draft.round !== round?.round || st.draft.poll !== round?.fingerprint)) {
    st.draft = null;
    st.step = 'choose';
  }
}

function storedFor(round) {
  const city = myCity();
  if (!round || !city) return null;
  return st.stored.find((b) => b.round === round.round && b.city === city) || null;
}

function keepStored(rec) {
  st.stored = [...st.stored.filter((b) => b.id !== rec.id), rec];
}

// ---- rendering ------------------------------------------------------------

function showOnly(...ids) {
  for (const id of STEPS) $(id).hidden = !ids.includes(id);
}

function summitLine(s) {
  if (!s) return 'Summit presidency election';
  const place = s.place || nameOf(s.host);
  return `${s.year} summit · ${place} · ${formatDate(s.starts_on)} – ${formatDate(s.ends_on)}`;
}

function setMessage(kind, text) {
  st.message = text ? { kind, text } : null;
}

function renderHead() {
  const e = st.election;
  $('e-summit').textContent = summitLine(st.summit);
  $('e-title').textContent = e ? e.title : 'Vote';
  if (!e) {
    setPill($('e-state'), 'pending', st.loaded ? 'No election' : 'Loading…');
    $('e-round').textContent = '';
    return;
  }
  setPill($('e-state'), STATE_KIND[e.state] || 'pending', STATE_WORDS[e.state] || e.state);
  const round = currentRound(e);
  const bits = [];
  if (round) bits.push(`Round ${round.round}, ${KIND_WORDS[round.kind] || round.kind}`);
  if (e.state === 'open' && round?.turnout) bits.push(`${round.turnout.voted} of ${round.turnout.eligible} cities have voted`);
  $('e-round').textContent = bits.join(' · ');
  const results = `/results.html?election=${e.id}`;
  for (const id of ['receipt-results', 'closed-results', 'not-voter-results']) $(id).href = results;
  const p = session.person;
  $('me').hidden = !canVote(p);
  if (canVote(p)) {
    $('me-city').textContent = nameOf(p.affiliation);
    $('me-name').textContent = p.name;
  }
}

function renderCandidates(codes) {
  $('candidates').replaceChildren(...codes.map((code) => {
    const c = st.cities?.get(code);
    return h('li', { class: 'candidate', dataset: { code } },
      h('span', { class: 'candidate__name', text: nameOf(code) }),
      c ? h('span', { class: 'candidate__meta', text: `${c.name_local !== c.name ? `${c.name_local} · ` : ''}${countryName(c.country)}` }) : null);
  }));
  if (codes.length === 0) $('candidates').append(h('li', { class: 'muted', text: 'No city has been put forward yet.' }));
}

function renderAttendance() {
  const city = myCity();
  const s = st.summit;
  if (!city || !s) return false;
  const present = (s.present || []).includes(city);
  $('attendance-text').textContent = present
    ? `${nameOf(city)} is checked in at the ${s.year} summit: it can vote when the round opens.`
    : `${nameOf(city)} is not checked in at the ${s.year} summit yet. Only cities checked in before a round opens can vote in it. `
      + 'Check in at the secretariat desk, or here if your city takes part online.';
  $('check-in').hidden = present;
  return true;
}

function renderChoices(round) {
  const wasChecked = st.choice;
  const card = (value, name, meta, extra = '') => {
    const id = `choice-${value}`;
    const input = h('input', { attrs: { type: 'radio', name: 'choice', id, value, required: true } });
    input.checked = value === wasChecked;
    return h('label', { class: `choice${extra}`, attrs: { for: id } }, input,
      h('span', { class: 'choice__body' },
        h('span', { class: 'choice__name', text: name }),
        meta ? h('span', { class: 'choice__meta', text: meta }) : null));
  };
  const cards = round.candidates.map((code) => {
    const c = st.cities?.get(code);
    const meta = c ? `${c.name_local !== c.name ? `${c.name_local} · ` : ''}${countryName(c.country)}` : '';
    return card(code, nameOf(code), meta);
  });
  cards.push(card(ballots.ABSTAIN, 'Abstain', 'Counted as an abstention, not as a vote for anyone.', ' choice--abstain'));
  $('choices').replaceChildren(...cards);
}

function choiceWords(choice) {
  return choice === ballots.ABSTAIN ? 'Abstain' : nameOf(choice);
}

function renderReceipt(rec) {
  $('receipt-choice').textContent = rec.choice === ballots.ABSTAIN
    ? `${nameOf(rec.city)} abstained in round ${rec.round}.`
    : `${nameOf(rec.city)} voted for ${nameOf(rec.choice)} in round ${rec.round}.`;
  $('receipt-seq').textContent = rec.seq ?? 'not known';
  $('receipt-time').replaceChildren(...(rec.recorded
    ? [formatDateTime(rec.recorded), h('br'), h('span', { class: 'small muted', text: rec.recorded })]
    : ['not known']));
  $('receipt-hash').textContent = rec.hash;
  const c = rec.receiptCheck || {};
  $('receipt-check').textContent = c.signatureValid === true && c.receiptNamesBallot && c.hashMatches
    ? 'Checked on this device: valid'
    : c.signatureValid === false || c.receiptNamesBallot === false || c.hashMatches === false
      ? 'Does NOT check out — please tell the secretariat'
      : 'Recorded earlier; the receipt text was not sent again';
  $('receipt-text').textContent = rec.receipt || '(not sent again by the server)';
}

/** The words and step for the current state; sets #vote[data-state]. */
function render() {
  renderHead();
  const e = st.election;
  // While the connection is down the session keeps its person: the voter
  // can go on (a ballot signed now waits on the device until it is back).
  const signedIn = session.status === 'signed-in' || (session.status === 'offline' && !!session.person);
  let state;
  let msg = null;   // default {kind, text} for this state
  const visible = [];

  if (st.loadError) {
    state = 'error';
    msg = { kind: 'error', text: `The election could not be loaded. ${electionErrorText(st.loadError)}` };
  } else if (!st.loaded) {
    state = 'loading';
    msg = { kind: 'info', text: 'Loading the election…' };
  } else if (!e) {
    state = 'none';
    msg = { kind: 'info', text: 'There is no election at the moment. The secretariat opens one at the summit.' };
  } else {
    const round = currentRound(e);
    const codes = round && e.state !== 'candidacy' && e.state !== 'draft' ? round.candidates : e.candidates || [];
    renderCandidates(codes);
    // A voter sees the candidates on the ballot cards while a round is open.
    if (e.state !== 'draft' && !(e.state === 'open' && signedIn && canVote(session.person))) visible.push('candidates-panel');

    if (!signedIn) {
      state = session.status === 'checking' || session.status === 'signing-in' || session.status === 'offline' ? 'loading' : 'signin';
      if (state === 'signin') visible.push('step-signin');
      msg = state === 'loading'
        ? { kind: 'info', text: session.status === 'offline' ? 'Waiting for the connection to the server…' : 'Signing in…' }
        : { kind: session.status === 'failed' ? 'error' : 'info', text: session.status === 'failed' ? describeError(session.error) : 'Sign in with the key on this device to vote.' };
    } else if (!canVote(session.person)) {
      state = 'not-voter';
      visible.push('step-not-voter');
      $('not-voter-text').textContent = session.isSecretariat
        ? 'You are signed in as the secretariat. Cities vote here; the secretariat runs the election from the election desk.'
        : `You are signed in as ${session.person.name}. Only a city’s mayor or deputy mayor casts its vote.`;
      msg = { kind: 'info', text: 'Only mayors and deputy mayors vote.' };
    } else {
      ({ state, msg } = renderForVoter(e, round, visible));
    }
  }

  showOnly(...visible);
  root.dataset.state = state;
  const m = st.message || msg;
  if (m) showMessage(status, m.kind, h('p', { text: m.text }));
  else showMessage(status, '', '');
}

function renderForVoter(e, round, visible) {
  const city = myCity();
  const cityWords = nameOf(city);
  switch (e.state) {
    case 'draft':
      if (renderAttendance()) visible.push('attendance');
      return { state: 'draft', msg: { kind: 'info', text: 'This election is being prepared. Candidacies are not open yet.' } };
    case 'candidacy': {
      const declared = (e.candidates || []).includes(city);
      const holder = currentTerm(st.terms)?.city === city;
      const ended = (e.candidacies || []).find((c) => c.city === city && c.status === 'withdrawn');
      $('term-note').hidden = !holder || declared;
      $('term-note').textContent = holder ? `Note: ${cityWords} holds the presidency now. No city may hold two terms in a row, so ${cityWords} cannot stand in this election.` : '';
      $('declare').hidden = declared;
      $('declared').hidden = !declared;
      $('declared').textContent = declared ? `${cityWords} is a candidate.` : '';
      $('withdraw').hidden = !declared;
      $('withdrawn-note').hidden = declared || !ended;
      $('withdrawn-note').textContent = ended
        ? `${cityWords}’s candidacy was withdrawn${ended.withdrawn_by === 'secretariat' ? ' by the secretariat' : ''}. You can put the city forward again while candidacies are open.`
        : '';
      visible.push('step-candidacy');
      if (renderAttendance()) visible.push('attendance');
      return { state: 'candidacy', msg: { kind: 'info', text: 'Candidacies are open. Voting starts when the secretariat opens the round.' } };
    }
    case 'open':
      return renderOpen(e, round, visible, cityWords);
    default: {
      const unsentLeft = st.stored.find((b) => b.state === 'unsent' && b.city === city);
      $('closed-title').textContent = e.state === 'decided' ? 'The election is decided' : `Round ${round?.round ?? ''} is closed`;
      $('closed-outcome').textContent = e.state === 'decided' && e.winner
        ? `${nameOf(e.winner)} is elected: it hosts the next summit and holds the presidency for the year that follows.`
        : outcomeText(round, nameOf) || 'The result is being published.';
      visible.push('step-closed', 'check-panel');
      prefillCheck();
      return {
        state: e.state === 'decided' ? 'decided' : 'closed',
        msg: unsentLeft
          ? { kind: 'error', text: `Your ballot for round ${unsentLeft.round} did not reach the server before the round closed, so it was not counted.` }
          : { kind: 'info', text: e.state === 'decided' ? 'The election is decided.' : 'Voting in this round is closed.' },
      };
    }
  }
}

function renderOpen(e, round, visible, cityWords) {
  const rec = storedFor(round);
  if (rec?.state === 'recorded') {
    renderReceipt(rec);
    visible.push('step-receipt');
    return {
      state: 'receipt',
      msg: { kind: 'ok', text: rec.replayed ? 'Your ballot was already recorded: it reached the server before the connection dropped.' : 'Thank you. Your ballot is recorded; save the receipt below.' },
    };
  }
  if (rec?.state === 'unsent') {
    $('confirm-choice').textContent = choiceWords(rec.choice);
    $('ballot-text').textContent = rec.text;
    $('sign-send').textContent = 'Send now';
    $('confirm-lead').textContent = 'This is the exact text your key signed.';
    $('back').hidden = true;
    $('confirm-title').textContent = 'Your signed ballot is waiting to be sent';
    visible.push('step-confirm');
    return {
      state: st.sending ? 'sending' : 'unsent',
      msg: st.sending
        ? { kind: 'info', text: 'Sending your ballot…' }
        : { kind: 'warn', text: 'Not sent yet: the connection to the server dropped. Your signed ballot is kept on this device and is sent by itself as soon as the connection is back.' },
    };
  }
  if (rec?.state === 'refused' && rec.refusal?.code === 'already_voted') {
    visible.push('candidates-panel');
    return {
      state: 'refused',
      msg: { kind: 'warn', text: `${electionErrorText({ code: 'already_voted' }, { cityName: cityWords })}${rec.refusal.ballotHash ? ` The recorded ballot’s hash is ${rec.refusal.ballotHash}.` : ''}` },
    };
  }
  if (st.pollOk === false) {
    return { state: 'error', msg: { kind: 'error', text: 'The list of voters the server published does not match its fingerprint. Do not vote; please call the secretariat.' } };
  }
  const city = myCity();
  const poll = round?.poll ? ballots.parseText(round.poll).fields : null;
  const inList = (name) => (poll?.[name] ?? '').split(',').includes(city);
  if (poll && !inList('present')) {
    return { state: 'not-eligible', msg: { kind: 'error', text: electionErrorText({ code: 'not_present' }, { cityName: cityWords }) } };
  }
  if (poll && !inList('eligible')) {
    return { state: 'not-eligible', msg: { kind: 'error', text: electionErrorText({ code: 'not_eligible' }, { cityName: cityWords }) } };
  }
  if (st.step === 'confirm' && st.draft) {
    $('confirm-choice').textContent = choiceWords(st.draft.choice);
    $('ballot-text').textContent = st.draft.text;
    $('sign-send').textContent = 'Sign and send';
    $('confirm-lead').textContent = 'This is the exact text your key will sign.';
    $('back').hidden = false;
    $('confirm-title').textContent = 'Check your ballot';
    visible.push('step-confirm');
    return { state: st.sending ? 'sending' : 'confirm', msg: st.sending ? { kind: 'info', text: 'Signing and sending your ballot…' } : null };
  }
  renderChoices(round);
  visible.push('step-choose');
  const refused = rec?.state === 'refused' ? rec.refusal : null;
  return {
    state: 'choose',
    msg: refused
      ? { kind: 'error', text: `Your last ballot was not accepted. ${electionErrorText(refused, { cityName: cityWords })}` }
      : { kind: 'info', text: `Voting is open for round ${round.round}. Choose, check, then sign and send.` },
  };
}

function focusStep(id) {
  const el = $(id);
  requestAnimationFrame(() => { el.focus({ preventScroll: false }); el.scrollIntoView({ block: 'start' }); });
}

// ---- voting ----------------------------------------------------------------

$('choose-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const picked = $('choices').querySelector('input[name="choice"]:checked');
  const err = $('choose-error');
  if (!picked) {
    err.textContent = 'Please choose a candidate, or Abstain.';
    err.hidden = false;
    $('choices').querySelector('input')?.focus();
    return;
  }
  err.hidden = true;
  const e = st.election;
  const round = currentRound(e);
  st.choice = picked.value;
  try {
    st.draft = ballots.draftBallot({ election: e.id, round: round.round, poll: round.fingerprint, city: myCity(), choice: picked.value });
  } catch (error) {
    setMessage('error', `This ballot cannot be made: ${error.message}. Please reload the page.`);
    render();
    return;
  }
  st.step = 'confirm';
  setMessage(null, '');
  render();
  focusStep('confirm-title');
});

// The choice is kept here too, so that a re-render (a status change, an event) does not drop it.
$('choices').addEventListener('change', (ev) => {
  $('choose-error').hidden = true;
  if (ev.target.name === 'choice') st.choice = ev.target.value;
});

$('back').addEventListener('click', () => {
  st.step = 'choose';
  st.draft = null;
  setMessage(null, '');
  render();
  focusStep('choose-title');
});

$('sign-send').addEventListener('click', async () => {
  const rec0 = storedFor(currentRound());
  if (rec0?.state === 'unsent') {
    send(rec0);
    return;
  }
  if (!st.draft || st.sending) return;
  const button = $('sign-send');
  button.disabled = true;
  try {
    const rec = await ballots.prepareBallot(st.draft, session.record);
    keepStored(rec);
    await send(rec);
  } catch (err) {
    setMessage('error', `The ballot could not be signed on this device: ${err.message}`);
    render();
  } finally {
    button.disabled = false;
  }
});

/** Sends a stored ballot and shows what happened. */
async function send(rec) {
  if (st.sending) return;
  st.sending = true;
  setMessage(null, '');
  render();
  try {
    const done = await ballots.sendBallot(client, rec);
    keepStored(done);
    st.draft = null;
    st.step = 'choose';
    st.choice = null;
    st.sending = false;
    render();
    focusStep('receipt-title');
  } catch (err) {
    keepStored(rec);
    st.sending = false;
    if (ballots.isTransient(err)) {
      const why = err.code === 'timeout' ? 'the server did not answer in time.'
        : err.code === 'internal' ? 'the server had a problem and recorded nothing.'
          : err.code === 'not_signed_in' ? 'this device was signing in again.'
            : 'the connection to the server is down.';
      setMessage('warn', `Not sent yet: ${why} Your signed ballot is kept on this device and is sent by itself as soon as the connection is back; you do not need to do anything.`);
      if (err.code === 'not_signed_in') session.noteError(err);
    } else {
      st.draft = null;
      st.step = 'choose';
      st.choice = null;
      if (err.code !== 'already_voted') setMessage('error', `Your ballot was not accepted. ${electionErrorText(err, { cityName: nameOf(myCity()) })}`);
      else setMessage(null, '');
      if (err.code === 'not_open') await reloadElection();
    }
    render();
  }
}

/** Sends the unsent ballot of the open round, if any, once signed in. */
function maybeSend() {
  const e = st.election;
  if (!e || e.state !== 'open' || st.sending || session.status !== 'signed-in' || client.state !== 'open') return;
  const rec = storedFor(currentRound(e));
  if (rec?.state === 'unsent') send(rec);
}

$('save-receipt').addEventListener('click', () => {
  const rec = storedFor(currentRound()) || st.stored.filter((b) => b.state === 'recorded').at(-1);
  if (!rec) return;
  const text = ballots.receiptFileText(rec, { title: st.election?.title, cityName: nameOf(rec.city) });
  const url = URL.createObjectURL(new Blob([text], { type: 'text/plain;charset=utf-8' }));
  const a = h('a', { attrs: { href: url, download: `b40-receipt-election-${rec.election}-round-${rec.round}-${rec.city}.txt` } });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
});

// ---- candidacy and check-in ---------------------------------------------------

$('declare').addEventListener('click', async () => {
  const e = st.election;
  const city = myCity();
  const cityWords = nameOf(city);
  const ok = await openDialog({
    title: `Put ${cityWords} forward?`,
    body: [
      h('p', { text: `${cityWords} becomes a candidate for the presidency in “${e.title}”.` }),
      h('p', { text: 'If elected, it hosts the next annual summit (covering the delegations’ accommodation and meals) and holds the presidency for the year that follows.' }),
    ],
    confirmLabel: 'Yes, put my city forward',
  });
  if (!ok) return;
  try {
    const reply = await client.request('election.declare', { election: e.id });
    st.election = reply.election;
    setMessage('ok', `${cityWords} is now a candidate.`);
  } catch (err) {
    session.noteError(err);
    const isTermHolder = currentTerm(st.terms)?.city === city;
    setMessage('error', `${cityWords} could not be put forward. ${electionErrorText(err, { action: 'declare', cityName: cityWords, isTermHolder })}`);
  }
  render();
});

$('withdraw').addEventListener('click', async () => {
  const e = st.election;
  const cityWords = nameOf(myCity());
  const ok = await openDialog({
    title: `Withdraw ${cityWords}’s candidacy?`,
    body: [
      h('p', { text: `${cityWords} will no longer be a candidate in “${e.title}”.` }),
      h('p', { text: 'You can put it forward again as long as candidacies are open. Once the vote opens, the list of candidates is fixed.' }),
    ],
    confirmLabel: 'Withdraw the candidacy',
    danger: true,
  });
  if (!ok) return;
  try {
    const reply = await client.request('election.withdraw', { election: e.id });
    st.election = reply.election;
    setMessage('ok', `${cityWords}’s candidacy is withdrawn.`);
  } catch (err) {
    session.noteError(err);
    setMessage('error', `The candidacy could not be withdrawn. ${electionErrorText(err, { action: 'withdraw', cityName: cityWords })}`);
  }
  render();
});

$('check-in').addEventListener('click', async () => {
  const s = st.summit;
  const city = myCity();
  const ok = await openDialog({
    title: `Check ${nameOf(city)} in?`,
    body: `This records that ${nameOf(city)} takes part in the ${s.year} summit. It counts towards the quorum, and lets your city vote in the rounds that open from now on.`,
    confirmLabel: 'Check my city in',
  });
  if (!ok) return;
  try {
    const reply = await client.request('attendance.check_in', { summit: s.id, city });
    st.summit = { ...s, present: reply.present || s.present };
    setMessage('ok', `${nameOf(city)} is checked in.`);
  } catch (err) {
    session.noteError(err);
    setMessage('error', `The check-in did not work. ${electionErrorText(err, { cityName: nameOf(city) })}`);
  }
  render();
});

// ---- check my ballot -------------------------------------------------------------

function prefillCheck() {
  const input = $('check-hash');
  if (input.value) return;
  const mine = st.stored.filter((b) => b.state === 'recorded').sort((a, b) => b.round - a.round)[0];
  if (mine) input.value = mine.hash;
}

$('check-ballot').addEventListener('click', async () => {
  const out = $('check-result');
  const hash = $('check-hash').value.trim().toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(hash)) {
    out.dataset.found = 'invalid';
    showMessage(out, 'error', h('p', { text: 'A ballot hash is 64 characters, 0–9 and a–f. Copy it from your receipt.' }));
    return;
  }
  await reloadElection();
  const rounds = (st.election?.rounds || []).filter((r) => r.result?.ballots);
  const hit = rounds.map((r) => ({ r, i: r.result.ballots.indexOf(hash) })).find((x) => x.i >= 0);
  if (hit) {
    out.dataset.found = 'yes';
    showMessage(out, 'ok', h('p', { text: `Found: your ballot is number ${hit.i + 1} of ${hit.r.result.ballots.length} in the list published when round ${hit.r.round} closed. It was counted as cast.` }));
  } else {
    out.dataset.found = 'no';
    showMessage(out, 'error', h('p', {
      text: rounds.length
        ? 'This hash is not in the published lists of this election. Check that you copied the whole hash; if it is right, tell the secretariat at once and keep your receipt.'
        : 'No round of this election has closed yet; the list is published when a round closes.',
    }));
  }
});

// ---- live updates -------------------------------------------------------------------

client.on('election.turnout', (ev) => {
  const round = currentRound();
  if (ev.election !== st.election?.id || !round || ev.round !== round.round) return;
  round.turnout = { voted: ev.voted, eligible: ev.eligible };
  renderHead();
});
// Every change of the election (candidacies opened, a candidacy declared or
// withdrawn, a round opened or closed) comes as election.changed, after
// election.opened or election.closed when there is one. A candidacy change
// carries all the page shows; a round's poll or result needs election.get.
client.on('election.changed', (ev) => {
  if (ev.election !== st.election?.id) return;
  const next = changedInPlace(st.election, ev);
  if (!next) {
    reloadElection();
    return;
  }
  if (next.state !== st.election.state) {
    st.message = null;   // a new step: the old words are stale
    st.choice = null;
  }
  st.election = next;
  render();
});

client.addEventListener('state', (ev) => {
  if (ev.detail.state === 'open') load();
  else st.watched = null;   // a watch belongs to one connection
});

session.addEventListener('status', () => {
  if (session.status !== 'signed-in') st.message = st.message?.kind === 'warn' ? st.message : null;
  render();
  maybeSend();
});

watchConnection(client, $('conn'));
render();
client.connect();
session.start();
