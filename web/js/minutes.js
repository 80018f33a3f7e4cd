// The signed minutes of a closed session (web/minutes.html?session=ID).
// Main thread; owns the page's B40Client. session.minutes gives the
// Markdown, the printable HTML, the signed b40-minutes-v1 header, its
// signature and the server's key; this page checks, with WebCrypto, that
// the signature verifies over the header and that the header pins the
// Markdown's SHA-256, and draws the Markdown with every text as text
// (mdview.js): nothing from the minutes is ever parsed as HTML here. The
// server's printable page and Markdown file (/sessions/ID/minutes.html and
// .md) are linked.
import { B40Client } from './client.js';
import { $, h, pill, showMessage, watchConnection } from './ui.js';
import { sha256Hex } from './statements.js';
import { parseText, verifyEd25519 } from './ballot.js';
import { groupErrorText } from './groupwords.js';
import { renderMarkdown } from './mdview.js';

const client = new B40Client();
const root = $('minutes');
const status = $('status');
const sessionId = (() => {
  const v = new URLSearchParams(location.search).get('session');
  return v && /^[1-9]\d{0,15}$/.test(v) ? Number(v) : null;
})();
let minutes = null;

async function load() {
  if (!sessionId) {
    root.dataset.state = 'error';
    showMessage(status, 'error', h('p', { text: 'No session is named in the address.' }));
    return;
  }
  try {
    const s = (await client.request('session.get', { session: sessionId })).session;
    $('m-title').textContent = `Minutes: ${s.title}`;
    document.title = `Minutes: ${s.title} — B40 Balkan Cities Network`;
    $('m-group').href = `/group.html?code=${encodeURIComponent(s.group)}`;
    client.request('group.get', { group: s.group }).then((g) => { $('m-group').textContent = g.group.name; }).catch(() => {});
    if (s.state !== 'closed') {
      root.dataset.state = 'not-closed';
      showMessage(status, 'info', h('p', {}, 'This session has no minutes yet: they are written when the chair closes it. ',
        h('a', { text: 'Go to the session room', attrs: { href: `/room.html?session=${sessionId}` } }), '.'));
      return;
    }
    minutes = (await client.request('session.minutes', { session: sessionId })).minutes;
    await render(minutes);
  } catch (err) {
    if (err.code === 'disconnected' || err.code === 'not_connected') return;
    root.dataset.state = 'error';
    showMessage(status, 'error', h('p', { text: err.code === 'not_found' ? 'There are no minutes for this session.' : `The minutes could not be loaded. ${groupErrorText(err)}` }));
  }
}

async function render(m) {
  const header = parseText(m.header);
  const digest = await sha256Hex(m.markdown);
  const sigOk = await verifyEd25519(m.server_key, m.header, m.signature);
  const pins = header.kind === 'b40-minutes-v1' && header.fields['markdown-sha256'] === digest && header.fields.session === String(sessionId);
  const valid = sigOk && pins;
  const check = $('m-check');
  check.dataset.valid = valid ? 'yes' : 'no';
  check.replaceChildren(valid
    ? pill('ok', 'Signature valid')
    : pill('error', sigOk ? 'Header does not match' : 'Signature does NOT verify'),
  h('span', { class: 'muted', text: valid
    ? 'checked on this device: the server’s signature over the header, and the header’s SHA-256 of the text below.'
    : 'Do not rely on these minutes; tell the secretariat.' }));
  $('m-header').textContent = m.header;
  $('m-signature').textContent = m.signature;
  $('m-key').textContent = m.server_key;
  $('m-text').replaceChildren(renderMarkdown(m.markdown, { headingBase: 2 }));
  $('m-raw').textContent = m.markdown;
  $('m-sig').hidden = false;
  $('m-body').hidden = false;
  $('m-printable').href = `/sessions/${sessionId}/minutes.html`;
  $('m-markdown').href = `/sessions/${sessionId}/minutes.md`;
  root.dataset.state = 'ready';
  showMessage(status, '', '');
}


client.addEventListener('state', (ev) => { if (ev.detail.state === 'open' && !minutes) load(); });
watchConnection(client, $('conn'));
client.connect();
