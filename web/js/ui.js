// Small helpers the B40 pages share: building DOM nodes (text only through
// textContent: nothing a person typed is ever parsed as HTML), status pills
// and messages, plain-language texts for the server's error codes, dates,
// country names, accent-insensitive search, form-field errors and a modal
// dialog built on <dialog>. An ES module; main thread only.

import { utf8Length } from './statements.js';

export { utf8Length };

/** The element with this id; throws when the page lacks it (a bug in the page). */
export function $(id) {
  const el = document.getElementById(id);
  if (!el) throw new Error(`${location.pathname} has no #${id}`);
  return el;
}

/**
 * Creates an element. props: {class, text, hidden, dataset, attrs, on} —
 * `text` sets textContent, `attrs` sets attributes (never event handlers as
 * strings; `on` adds listeners). Children: nodes, or strings (as text).
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  if (props.class) el.className = props.class;
  if (props.text !== undefined && props.text !== null) el.textContent = String(props.text);
  if (props.hidden) el.hidden = true;
  for (const [k, v] of Object.entries(props.attrs || {})) {
    if (v === false || v === null || v === undefined) continue;
    if (/^on/i.test(k)) throw new Error('h(): use props.on for listeners');
    el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const [k, v] of Object.entries(props.dataset || {})) el.dataset[k] = String(v);
  for (const [k, fn] of Object.entries(props.on || {})) el.addEventListener(k, fn);
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

const PILL_KINDS = ['ok', 'warn', 'error', 'pending', 'info'];

/** Shows text in a status pill and sets its kind (ok, warn, error, pending, info). */
export function setPill(el, kind, text) {
  for (const k of PILL_KINDS) el.classList.toggle(`pill--${k}`, k === kind);
  el.textContent = text;
}

export function pill(kind, text) {
  return h('span', { class: `pill pill--${kind}`, text });
}

/**
 * Shows a message in a status box (an element with class "alert"): kind is
 * ok, error, warn or info; an empty text hides it. The box is meant to sit in
 * (or be) an aria-live region, so the words are announced.
 */
export function showMessage(el, kind, text, ...extra) {
  for (const k of ['ok', 'error', 'warn', 'info']) el.classList.toggle(`alert--${k}`, k === kind);
  el.replaceChildren();
  if (!text) {
    el.hidden = true;
    return;
  }
  el.append(text, ...extra);
  el.hidden = false;
}

// ---- words ---------------------------------------------------------------

export const ROLE_LABELS = {
  secretary: 'network secretary',
  expert: 'expert',
  mayor: 'mayor',
  deputy: 'deputy mayor',
  official: 'city official',
};

export const ROLE_HELP = {
  secretary: 'runs the secretariat: members, people and enrollment links',
  expert: 'works in the secretariat: members, people and enrollment links',
  mayor: "casts the city's summit vote and takes part in working groups",
  deputy: 'acts for the mayor: may cast the city\u2019s vote',
  official: 'takes part in working groups',
};

export function roleWords(roles) {
  return (roles || []).map((r) => ROLE_LABELS[r] || r).join(', ');
}

export const STATUS_LABELS = {
  member: 'Member',
  suspended: 'Suspended',
  former: 'Former member',
  applicant: 'Applicant',
};
export const STATUS_KIND = { member: 'ok', suspended: 'warn', former: 'pending', applicant: 'info' };

export const JOINED_LABELS = {
  founding_summit: 'Founding summit',
  summit_attendance: 'Attended a summit',
  approved_request: 'Approved request',
};

/** Plain-language text for an error from B40Client (server codes and the client's own). */
export function describeError(err) {
  const code = err?.code;
  const texts = {
    not_connected: 'There is no connection to the server right now. It will reconnect by itself; please try again in a moment.',
    disconnected: 'The connection to the server was lost before it answered. Please try again.',
    timeout: 'The server did not answer in time. Please try again.',
    send_failed: 'The message could not be sent. Please try again.',
    internal: 'The server had a problem and changed nothing. Please try again later.',
    not_signed_in: 'You are not signed in (or your session ended). Please sign in again.',
    forbidden: 'Your role does not allow this. Only the secretariat can do it.',
    key_revoked: 'The key on this device has been revoked. Ask the secretariat for a new enrollment link.',
    unknown_key: 'The server does not know the key on this device. Ask the secretariat for a new enrollment link.',
    person_inactive: 'Your account has been deactivated. Please contact the secretariat.',
    no_challenge: 'The sign-in step timed out. Please try again.',
    challenge_expired: 'The sign-in step took too long. Please try again.',
    bad_signature: 'The signature was not accepted. Please try again; if it happens again, contact the secretariat.',
    bad_statement: 'The signed statement was not accepted. Please reload the page and try again.',
    bad_key: 'The key this browser made was not accepted. Please try again.',
    key_in_use: 'This key is already enrolled.',
    enrollment_unknown: 'This enrollment link is not valid. Check that you opened the whole link, or ask the secretariat for a new one.',
    enrollment_expired: 'This enrollment link has expired. Ask the secretariat for a new one.',
    enrollment_used: 'This enrollment link has already been used. Each link works once; ask the secretariat for a new one if you need it.',
    not_found: 'It was not found; it may have been removed. Please reload.',
    conflict: 'This contradicts the current record (for example, it was already done). Please reload and check.',
    rate_limited: err?.message || 'Too many requests from your address. Please try again later.',
    unsupported: err?.message,
  };
  if (code === 'bad_request' && err.message) return `The server did not accept this: ${err.message}.`;
  return texts[code] || err?.message || 'Something went wrong.';
}

// ---- dates and places -----------------------------------------------------

export function formatDate(text) {
  if (!text) return '—';
  const d = /^\d{4}-\d\d-\d\d$/.test(text) ? new Date(`${text}T12:00:00Z`) : new Date(text);
  if (Number.isNaN(d.getTime())) return String(text);
  return d.toLocaleDateString(undefined, { year: 'numeric', month: 'long', day: 'numeric', timeZone: 'UTC' });
}

export function formatDateTime(text) {
  if (!text) return '—';
  const d = new Date(text);
  if (Number.isNaN(d.getTime())) return String(text);
  return d.toLocaleString(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}

/** The Balkan countries the join form lists, with their usual time zone. */
export const BALKAN_COUNTRIES = [
  ['AL', 'Europe/Tirane'], ['BA', 'Europe/Sarajevo'], ['BG', 'Europe/Sofia'], ['HR', 'Europe/Zagreb'],
  ['CY', 'Asia/Nicosia'], ['GR', 'Europe/Athens'], ['XK', 'Europe/Belgrade'], ['MD', 'Europe/Chisinau'],
  ['ME', 'Europe/Podgorica'], ['MK', 'Europe/Skopje'], ['RO', 'Europe/Bucharest'], ['RS', 'Europe/Belgrade'],
  ['SI', 'Europe/Ljubljana'], ['TR', 'Europe/Istanbul'],
];
export const COUNTRY_TZ = Object.fromEntries(BALKAN_COUNTRIES);

let regionNames = null;
export function countryName(code) {
  if (!code) return '—';
  try {
    regionNames ??= new Intl.DisplayNames(['en'], { type: 'region' });
    return regionNames.of(String(code).toUpperCase()) || code;
  } catch {
    return code;
  }
}

/** Balkan countries sorted by English name: [[code, name], ...]. */
export function balkanCountryOptions() {
  return BALKAN_COUNTRIES.map(([c]) => [c, countryName(c)]).sort((a, b) => a[1].localeCompare(b[1]));
}

const FOLD_EXTRA = { đ: 'd', ı: 'i', ł: 'l', ß: 'ss', æ: 'ae', ø: 'o', œ: 'oe', ħ: 'h' };

/** Lower case without accents: "Niš" and "nis", "Αθήνα" and "αθηνα", "İzmir" and "izmir" match. */
export function fold(text) {
  return String(text ?? '')
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[đıłßæøœħ]/g, (c) => FOLD_EXTRA[c]);
}

// ---- forms ---------------------------------------------------------------

/**
 * Shows (or clears, with an empty message) the error of one field, next to
 * it: the element #ID-error, tied to the field with aria-describedby and
 * aria-invalid.
 */
export function setFieldError(input, message) {
  const errId = `${input.id}-error`;
  let errEl = document.getElementById(errId);
  if (!errEl) {
    errEl = h('p', { class: 'field__error', attrs: { id: errId } });
    input.insertAdjacentElement('afterend', errEl);
  }
  errEl.textContent = message || '';
  errEl.hidden = !message;
  const ids = new Set((input.getAttribute('aria-describedby') || '').split(/\s+/).filter(Boolean));
  if (message) {
    ids.add(errId);
    input.setAttribute('aria-invalid', 'true');
  } else {
    input.removeAttribute('aria-invalid');
  }
  if (ids.size) input.setAttribute('aria-describedby', [...ids].join(' '));
}

export function clearFieldErrors(form) {
  for (const el of form.querySelectorAll('[aria-invalid="true"]')) setFieldError(el, '');
}

// What the server refuses in free text (docs/protocol.md, "Field syntax"): C0
// controls (the line feed only where several lines are allowed), DEL, C1
// controls, line and paragraph separators, bidirectional overrides and isolates.
// eslint-disable-next-line no-control-regex
const BAD_ONE_LINE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
// eslint-disable-next-line no-control-regex
const BAD_MULTI_LINE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/**
 * Checks a text field as the server does: its length in UTF-8 bytes, a
 * visible character, no control character (line feeds only when
 * multiLine). Returns an error message or ''. Give it the trimmed value.
 */
export function checkLength(value, min, max, what, { multiLine = false } = {}) {
  const n = utf8Length(value);
  const What = `${what[0].toUpperCase()}${what.slice(1)}`;
  if (n < min || (min > 0 && !/[^\s]/u.test(value))) {
    return min === 1 ? `Please enter ${what}.` : `${What} must be at least ${min} characters.`;
  }
  if (n > max) return `${What} is too long (${n} bytes; at most ${max}).`;
  if ((multiLine ? BAD_MULTI_LINE : BAD_ONE_LINE).test(value)) {
    return `${What} contains a character that cannot be used here (such as a tab${multiLine ? '' : ' or a line break'}).`;
  }
  return '';
}

// ---- connection ------------------------------------------------------------

/** Resolves when the client's state is 'open' (at once when it already is). */
export function whenOpen(client) {
  if (client.state === 'open') return Promise.resolve();
  return new Promise((resolve) => {
    const onState = (e) => {
      if (e.detail.state === 'open') {
        client.removeEventListener('state', onState);
        resolve();
      }
    };
    client.addEventListener('state', onState);
  });
}

/**
 * Keeps a small connection pill up to date (hidden while connected, so it
 * only speaks up when something is wrong).
 */
export function watchConnection(client, el) {
  const show = (state) => {
    el.dataset.state = state;
    if (state === 'open') {
      el.hidden = true;
    } else {
      el.hidden = state === 'idle' || state === 'connecting';
      setPill(el, 'warn', 'Connection lost — reconnecting…');
    }
  };
  client.addEventListener('state', (e) => show(e.detail.state));
  show(client.state);
}

// ---- dialog --------------------------------------------------------------

let dialogSeq = 0;

/**
 * A modal dialog (<dialog>, so focus stays inside and Esc cancels). Options:
 *   title, body (string or nodes), confirmLabel, danger (red confirm button),
 *   cancelLabel (default 'Cancel'; null for a dialog with one button),
 *   reason: {label, hint, max, value, multiLine}   a required text field (a
 *           textarea when multiLine, else one line); its trimmed value is
 *           what the promise resolves to
 *   fields: a function (container) -> {validate() -> boolean, value(),
 *           showError(err) -> boolean} for a larger form; the promise
 *           resolves to value(); showError may put a server error next to
 *           its field (returning true) instead of under the form
 *   submit: async (value) => void; runs while the dialog is open (errors
 *           thrown are shown in it, and it stays open)
 * Resolves to the value (true without reason or fields) when confirmed, or
 * null when cancelled.
 */
export function openDialog({
  title, body, confirmLabel = 'Confirm', cancelLabel = 'Cancel', danger = false, reason, fields, submit,
}) {
  const id = `dialog-${++dialogSeq}`;
  const titleEl = h('h2', { class: 'dialog__title', text: title, attrs: { id: `${id}-title` } });
  const bodyEl = h('div', { class: 'dialog__body' });
  if (body) bodyEl.append(...(Array.isArray(body) ? body : [typeof body === 'string' ? h('p', { text: body }) : body]));

  let reasonInput = null;
  if (reason) {
    reasonInput = reason.multiLine
      ? h('textarea', { attrs: { id: `${id}-reason`, name: 'reason', rows: 3, maxlength: reason.max, required: true } })
      : h('input', { attrs: { id: `${id}-reason`, name: 'reason', type: 'text', maxlength: reason.max, required: true, autocomplete: 'off' } });
    reasonInput.value = reason.value || '';
    const field = h('div', { class: 'field' },
      h('label', { text: reason.label || 'Reason', attrs: { for: reasonInput.id } }),
      reason.hint ? h('p', { class: 'field__hint', text: reason.hint, attrs: { id: `${id}-reason-hint` } }) : null,
      reasonInput);
    if (reason.hint) reasonInput.setAttribute('aria-describedby', `${id}-reason-hint`);
    bodyEl.append(field);
  }
  const custom = fields ? fields(bodyEl) : null;

  const status = h('p', { class: 'alert', attrs: { role: 'alert' }, hidden: true });
  const cancel = h('button', { class: 'button button--secondary', text: cancelLabel, attrs: { type: 'button', value: 'cancel' }, hidden: cancelLabel === null });
  const ok = h('button', { class: `button${danger ? ' button--danger' : ''}`, text: confirmLabel, attrs: { type: 'submit', value: 'ok' } });
  const form = h('form', { class: 'dialog__form', attrs: { method: 'dialog', novalidate: true } },
    titleEl, bodyEl, status, h('div', { class: 'actions dialog__actions' }, ok, cancel));
  const dialog = h('dialog', { class: 'dialog', attrs: { 'aria-labelledby': titleEl.id } }, form);
  document.body.append(dialog);

  return new Promise((resolve) => {
    let done = false;
    const finish = (value) => {
      if (done) return;
      done = true;
      dialog.close();
      dialog.remove();
      resolve(value);
    };
    cancel.addEventListener('click', () => finish(null));
    dialog.addEventListener('cancel', (e) => { e.preventDefault(); finish(null); });
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      showMessage(status, '', '');
      let value = true;
      if (reasonInput) {
        const v = reasonInput.value.trim();
        const msg = checkLength(v, 1, reason.max, (reason.label || 'a reason').toLowerCase(), { multiLine: !!reason.multiLine });
        setFieldError(reasonInput, msg);
        if (msg) { reasonInput.focus(); return; }
        value = v;
      }
      if (custom) {
        if (!custom.validate()) return;
        value = custom.value();
      }
      if (submit) {
        ok.disabled = true;
        cancel.disabled = true;
        ok.setAttribute('aria-busy', 'true');
        try {
          await submit(value);
        } catch (err) {
          if (!custom?.showError?.(err)) showMessage(status, 'error', describeError(err));
          return;
        } finally {
          ok.disabled = false;
          cancel.disabled = false;
          ok.removeAttribute('aria-busy');
        }
      }
      finish(value);
    });
    dialog.showModal();
    (reasonInput || bodyEl.querySelector('input, select, textarea') || ok).focus();
  });
}
