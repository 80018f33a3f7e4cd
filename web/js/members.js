// The public member directory (web/members.html). Main thread; owns the
// page's B40Client and the list of cities it got from members.list (asked
// again after every reconnect). Filtering is done here, on the whole list,
// so that typing answers at once; the filters are mirrored in the address
// (?q=&country=&status=) so that a filtered view can be shared.
import { B40Client } from './client.js';
import {
  $, h, pill, describeError, formatDate, countryName, fold, STATUS_LABELS, STATUS_KIND, JOINED_LABELS,
  showMessage, watchConnection,
} from './ui.js';

const client = new B40Client();
const root = $('members');
const status = $('status');
const q = $('q');
const fCountry = $('f-country');
const fStatus = $('f-status');
const count = $('count');
const table = $('city-table');
const rows = $('city-rows');

let cities = [];
let byCode = new Map();

function readAddress() {
  const p = new URLSearchParams(location.search);
  q.value = p.get('q') || '';
  fStatus.value = ['member', 'suspended', 'former'].includes(p.get('status')) ? p.get('status') : '';
  return p.get('country') || '';
}

function writeAddress() {
  const p = new URLSearchParams();
  if (q.value.trim()) p.set('q', q.value.trim());
  if (fCountry.value) p.set('country', fCountry.value);
  if (fStatus.value) p.set('status', fStatus.value);
  const search = p.toString();
  history.replaceState(null, '', `${location.pathname}${search ? `?${search}` : ''}`);
}

function joinedText(city) {
  const how = JOINED_LABELS[city.joined_how] || '';
  const when = city.joined_on ? formatDate(city.joined_on) : '';
  return [how, when].filter(Boolean).join(', ') || '—';
}

function matches(city, needle) {
  if (!needle) return true;
  return [city.name, city.name_local, city.code].some((t) => fold(t).includes(needle));
}

function cell(label, ...content) {
  return h('td', { attrs: { 'data-label': label } }, ...content);
}

function render() {
  const needle = fold(q.value.trim());
  const country = fCountry.value;
  const st = fStatus.value;
  const shown = cities.filter((c) => (!country || c.country === country) && (!st || c.status === st) && matches(c, needle));
  rows.replaceChildren(...shown.map((c) => h('tr', { dataset: { code: c.code, status: c.status, country: c.country } },
    h('th', { attrs: { scope: 'row' } }, c.name, ' ', h('span', { class: 'muted small', text: `(${c.code})` })),
    cell('Local name', h('span', { text: c.name_local, attrs: { lang: '' } })),
    cell('Country', countryName(c.country)),
    cell('Status', pill(STATUS_KIND[c.status] || 'pending', STATUS_LABELS[c.status] || c.status)),
    cell('Joined', joinedText(c)))));
  if (shown.length === 0 && cities.length > 0) {
    rows.append(h('tr', {}, h('td', { attrs: { colspan: 5 }, text: 'No city matches this search.' })));
  }
  table.hidden = cities.length === 0;
  count.dataset.shown = String(shown.length);
  count.dataset.total = String(cities.length);
  count.textContent = shown.length === cities.length
    ? `${cities.length} ${cities.length === 1 ? 'city' : 'cities'}`
    : `Showing ${shown.length} of ${cities.length} cities`;
}

function fillCountries(wanted) {
  const codes = [...new Set(cities.map((c) => c.country))]
    .map((c) => [c, countryName(c)])
    .sort((a, b) => a[1].localeCompare(b[1]));
  const current = wanted ?? fCountry.value;
  fCountry.replaceChildren(h('option', { text: 'All countries', attrs: { value: '' } }),
    ...codes.map(([c, name]) => h('option', { text: name, attrs: { value: c } })));
  fCountry.value = codes.some(([c]) => c === current) ? current : '';
}

let firstLoad = true;
async function load() {
  const wanted = firstLoad ? readAddress() : undefined;
  try {
    const reply = await client.request('members.list');
    cities = [...reply.cities].sort((a, b) => a.name.localeCompare(b.name));
    byCode = new Map(cities.map((c) => [c.code, c]));
    $('demo-banner').hidden = reply.demo !== true;
    fillCountries(wanted);
    showMessage(status, '', '');
    if (cities.length === 0) showMessage(status, 'info', h('p', { text: 'No member cities are recorded yet.' }));
    root.dataset.state = 'ready';
    firstLoad = false;
    render();
  } catch (err) {
    if (err.code === 'disconnected' || err.code === 'not_connected') return;   // the next 'open' loads again
    root.dataset.state = 'error';
    showMessage(status, 'error', h('p', { text: `The member list could not be loaded. ${describeError(err)}` }));
  }
}

for (const el of [q, fCountry, fStatus]) {
  el.addEventListener('input', () => { render(); writeAddress(); });
}
$('filters').addEventListener('submit', (e) => e.preventDefault());

// ---- members on a date --------------------------------------------------------

const asofForm = $('asof-form');
const asofDate = $('asof-date');
const asofResult = $('asof-result');
asofDate.max = new Date().toISOString().slice(0, 10);

asofForm.addEventListener('submit', async (e) => {
  e.preventDefault();
  const date = asofDate.value;
  if (!/^\d{4}-\d\d-\d\d$/.test(date)) {
    asofResult.replaceChildren(h('p', { class: 'field__error', text: 'Please choose a date.' }));
    asofDate.setAttribute('aria-invalid', 'true');
    asofDate.focus();
    return;
  }
  asofDate.removeAttribute('aria-invalid');
  asofResult.replaceChildren(h('p', { class: 'muted', text: 'Looking it up…' }));
  try {
    const reply = await client.request('members.as_of', { date });
    const names = reply.members.map((code) => byCode.get(code)?.name || code)
      .sort((a, b) => a.localeCompare(b));
    asofResult.dataset.count = String(names.length);
    asofResult.replaceChildren(
      h('p', { class: 'count', text: `${names.length} member ${names.length === 1 ? 'city' : 'cities'} on ${formatDate(reply.date)}` }),
      names.length ? h('ul', { class: 'sublist' }, ...names.map((n) => h('li', { text: n }))) : null,
    );
  } catch (err) {
    delete asofResult.dataset.count;
    asofResult.replaceChildren(h('p', { class: 'field__error', text: describeError(err) }));
  }
});

client.addEventListener('state', (e) => { if (e.detail.state === 'open') load(); });
watchConnection(client, $('conn'));
client.connect();
