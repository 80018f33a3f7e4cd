// The membership request form (web/join.html). Main thread; owns the page's
// B40Client. Checks the fields as the server does (docs/protocol.md,
// membership.request: lengths in UTF-8 bytes, an e-mail address with one @,
// a two-letter country) and shows each problem next to its field; nothing
// typed is ever inserted as HTML.
import { B40Client } from './client.js';
import {
  $, h, balkanCountryOptions, checkLength, clearFieldErrors, describeError, setFieldError, showMessage,
  utf8Length, watchConnection, whenOpen,
} from './ui.js';

const client = new B40Client();
const form = $('join-form');
const status = $('join-status');
const submit = $('join-submit');
const f = {
  city_name: $('city_name'),
  country: $('country'),
  country_other: $('country_other'),
  contact_name: $('contact_name'),
  email: $('email'),
  reason: $('reason'),
};
const OTHER = 'other';

f.country.append(
  ...balkanCountryOptions().map(([code, name]) => h('option', { text: name, attrs: { value: code } })),
  h('option', { text: 'Another country…', attrs: { value: OTHER } }),
);
f.country.addEventListener('change', () => {
  const other = f.country.value === OTHER;
  $('country-other-field').hidden = !other;
  if (other) f.country_other.focus();
});

const reasonCount = $('reason-count');
function updateCount() {
  const n = utf8Length(f.reason.value.trim());
  reasonCount.textContent = `${n} of 2000`;
  reasonCount.classList.toggle('field__error', n > 2000);
}
f.reason.addEventListener('input', updateCount);

// A field's error goes away as soon as it is being corrected.
for (const el of Object.values(f)) {
  el.addEventListener('input', () => { if (el.getAttribute('aria-invalid') === 'true') setFieldError(el, ''); });
}

// docs/protocol.md, "Field syntax": one @; a local part of 1-64 letters,
// digits or !#$%&'*+/=?^_`{|}~.- without a leading, trailing or doubled dot;
// a domain of two or more dot-separated labels of letters, digits and -.
const EMAIL_LOCAL = /^[\p{L}\p{N}!#$%&'*+/=?^_`{|}~.-]{1,64}$/u;
const EMAIL_LABEL = /^[\p{L}\p{N}-]+$/u;

function checkEmail(v) {
  const n = utf8Length(v);
  if (n === 0) return 'Please enter an e-mail address.';
  const parts = v.split('@');
  const ok = n >= 3 && n <= 254 && parts.length === 2
    && EMAIL_LOCAL.test(parts[0]) && !/^\.|\.$|\.\./.test(parts[0])
    && parts[1].split('.').length >= 2 && parts[1].split('.').every((l) => EMAIL_LABEL.test(l));
  return ok ? '' : 'Please enter an e-mail address like name@city.org.';
}

/** Checks every field; returns the fields to send, or null after showing the errors. */
function validate() {
  clearFieldErrors(form);
  const v = {
    city_name: f.city_name.value.trim(),
    contact_name: f.contact_name.value.trim(),
    email: f.email.value.trim(),
    reason: f.reason.value.trim(),
  };
  const errors = [
    [f.city_name, checkLength(v.city_name, 1, 100, 'the name of the city')],
  ];
  if (f.country.value === OTHER) {
    const c = f.country_other.value.trim().toUpperCase();
    errors.push([f.country_other, /^[A-Z]{2}$/.test(c) ? '' : 'Please enter the two-letter country code.']);
    v.country = c;
  } else {
    errors.push([f.country, f.country.value ? '' : 'Please choose a country.']);
    v.country = f.country.value;
  }
  errors.push(
    [f.contact_name, checkLength(v.contact_name, 1, 100, 'your name')],
    [f.email, checkEmail(v.email)],
    [f.reason, checkLength(v.reason, 1, 2000, 'why your city wants to join', { multiLine: true })],
  );
  let first = null;
  for (const [el, msg] of errors) {
    setFieldError(el, msg);
    if (msg && !first) first = el;
  }
  if (first) {
    showMessage(status, 'error', h('p', { text: 'Please correct the fields marked above.' }));
    first.focus();
    return null;
  }
  return v;
}

form.addEventListener('submit', async (e) => {
  e.preventDefault();
  const fields = validate();
  if (!fields) return;
  submit.disabled = true;
  showMessage(status, 'info', h('p', { text: 'Sending your request…' }));
  try {
    if (client.state !== 'open') await Promise.race([whenOpen(client), new Promise((r) => setTimeout(r, 5000))]);
    const reply = await client.request('membership.request', fields);
    showMessage(status, '', '');
    $('done-id').textContent = `#${reply.request.id}`;
    $('done-email').textContent = `by e-mail at ${fields.email}`;
    $('join-done').dataset.request = String(reply.request.id);
    form.hidden = true;
    $('join-done').hidden = false;
    $('done-title').focus();
  } catch (err) {
    const target = err.code === 'bad_request' && err.field
      ? (err.field === 'country' && f.country.value === OTHER ? f.country_other : f[err.field])
      : null;
    if (target) {
      setFieldError(target, `The server did not accept this: ${err.message}.`);
      showMessage(status, 'error', h('p', { text: 'Please correct the field marked above.' }));
      target.focus();
    } else if (err.code === 'rate_limited') {
      showMessage(status, 'error', h('p', { text: `Too many requests have come from your address. ${err.message}` }));
    } else {
      showMessage(status, 'error', h('p', { text: `Your request was not sent. ${describeError(err)}` }));
    }
  } finally {
    submit.disabled = false;
  }
});

$('join-again').addEventListener('click', () => {
  form.reset();
  updateCount();
  $('country-other-field').hidden = true;
  $('join-done').hidden = true;
  form.hidden = false;
  f.city_name.focus();
});

watchConnection(client, $('conn'));
client.connect();
