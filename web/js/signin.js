// The sign-in page (web/signin.html). Main thread; owns the page's B40Client
// and Session. Everything shown comes from the session's status and person
// (session.js) and this device's key records (keystore.js); text from the
// server is set with textContent only.
import { B40Client } from './client.js';
import { Session } from './session.js';
import * as keystore from './keystore.js';
import {
  $, h, pill, describeError, formatDateTime, roleWords, ROLE_LABELS, countryName, openDialog,
  showMessage, watchConnection,
} from './ui.js';

const client = new B40Client();
const session = new Session(client);
const root = $('signin');
const status = $('status');
const panels = {
  me: $('panel-me'),
  key: $('panel-key'),
  nokey: $('panel-nokey'),
  forget: $('panel-forget'),
};
const keySelect = $('key-select');
let cities = null;   // code -> city, once members.list has answered
let keys = [];

function show(...names) {
  for (const [name, el] of Object.entries(panels)) el.hidden = !names.includes(name);
}

async function loadCities() {
  if (cities) return cities;
  try {
    const reply = await client.request('members.list');
    cities = new Map(reply.cities.map((c) => [c.code, c]));
  } catch {
    cities = null;
  }
  return cities;
}

function placeText(affiliation) {
  if (affiliation === 'secretariat') return 'Network secretariat';
  const city = cities?.get(affiliation);
  return city ? `${city.name}, ${countryName(city.country)}` : `City: ${affiliation}`;
}

async function renderMe() {
  const { person, key, record } = session;
  if (!person) return;
  $('me-name').textContent = person.name;
  $('me-place').textContent = placeText(person.affiliation);
  $('me-roles').replaceChildren(...person.roles.map((r) => pill('info', ROLE_LABELS[r] || r)));
  $('me-device').textContent = key?.device || record?.device || '—';
  $('me-enrolled').textContent = formatDateTime(key?.created || record?.enrolled);
  $('me-key').textContent = record ? `${record.publicKey.slice(0, 16)}…` : '—';
  $('to-console').hidden = !session.isSecretariat;
  if (person.affiliation !== 'secretariat' && !cities) {
    await loadCities();
    $('me-place').textContent = placeText(person.affiliation);
  }
}

async function renderKeys() {
  keys = (await keystore.listKeys().catch(() => [])).filter((k) => k.status === 'active');
  const current = session.record || keys[0];
  $('key-who').textContent = current
    ? `This device holds the key of ${current.personName} (${roleWords(current.roles)}), made on ${formatDateTime(current.enrolled)} and named “${current.device}”.`
    : '';
  $('key-choice').hidden = keys.length < 2;
  keySelect.replaceChildren(...keys.map((k) => h('option', {
    text: `${k.personName} — ${k.device}`,
    attrs: { value: k.publicKey, selected: k.publicKey === current?.publicKey },
  })));
}

async function render() {
  const s = session.status;
  root.dataset.state = s;
  switch (s) {
    case 'checking':
      show();
      showMessage(status, 'info', h('p', { text: 'Looking for a key on this device…' }));
      break;
    case 'unsupported':
      show();
      showMessage(status, 'error', h('p', { text: session.error?.message || 'This browser cannot hold a key.' }));
      break;
    case 'no-key':
      show('nokey');
      showMessage(status, '', '');
      break;
    case 'signed-out':
      await renderKeys();
      show('key', 'forget');
      showMessage(status, 'info', h('p', { text: 'You are signed out on this device.' }));
      break;
    case 'signing-in':
      showMessage(status, 'info', h('p', { text: `Signing in${session.record ? ` as ${session.record.personName}` : ''}…` }));
      break;
    case 'signed-in':
      await renderMe();
      show('me', 'forget');
      showMessage(status, 'ok', h('p', { text: `Signed in as ${session.person.name}.` }));
      break;
    case 'offline':
      if (!session.person) show();
      showMessage(status, 'warn', h('p', { text: 'Waiting for the connection to the server; you will be signed in when it is back.' }));
      break;
    case 'failed': {
      await renderKeys();
      const final = ['key_revoked', 'unknown_key', 'person_inactive'].includes(session.error?.code);
      show(final ? 'forget' : 'key', 'forget');
      $('sign-in').textContent = 'Try again';
      showMessage(status, 'error', h('p', { text: describeError(session.error) }));
      break;
    }
    default:
      break;
  }
}

session.addEventListener('status', () => { render(); });
session.addEventListener('person', () => { if (session.person) renderMe(); });

$('sign-in').addEventListener('click', async () => {
  const chosen = keys.find((k) => k.publicKey === keySelect.value) || keys[0];
  await session.signIn(chosen);
});

$('sign-out').addEventListener('click', async () => {
  await session.signOut();
});

$('forget').addEventListener('click', async () => {
  const who = session.record?.personName || 'this person';
  const ok = await openDialog({
    title: 'Forget this device’s key?',
    body: [
      h('p', { text: `The key of ${who} will be deleted from this browser. You cannot undo this.` }),
      h('p', { text: 'To sign in on this device again you will need a new enrollment link from the secretariat.' }),
    ],
    confirmLabel: 'Forget the key',
    danger: true,
  });
  if (!ok) return;
  await session.signOut({ forget: true });
  showMessage(status, 'ok', h('p', { text: 'The key has been deleted from this device.' }));
});

watchConnection(client, $('conn'));
client.connect();
session.start();
