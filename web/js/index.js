// Landing page script: fills in the server's health (GET /healthz, every 30 s,
// every 5 s while the live connection is down, and when it changes) and the state of the live
// WebSocket connection (B40Client), with the round trip of a system.ping every
// 15 s while connected. Runs on the page's main thread; owns the one
// B40Client of this page and the timers below. Writes only to the elements of
// the "Server status" section of index.html.
import { B40Client } from './client.js';

const HEALTH_EVERY_MS = 30000;       // while the live connection is open
const HEALTH_DOWN_EVERY_MS = 5000;   // while it is not: is the server itself down?
const PING_EVERY_MS = 15000;

const client = new B40Client();

const $ = (id) => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`index.html has no #${id}`);
  return el;
};

const PILL_KINDS = ['ok', 'warn', 'error', 'pending', 'info'];

/** Shows text in a status pill and sets its kind (one of PILL_KINDS). */
function setPill(el, kind, text) {
  for (const k of PILL_KINDS) el.classList.toggle(`pill--${k}`, k === kind);
  el.textContent = text;
}

function plural(n, unit) {
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}

/**
 * Formats a duration in seconds for people, with its two largest non-zero
 * units: "45 seconds", "3 minutes 12 seconds", "2 days 5 hours".
 */
export function formatDuration(totalSeconds) {
  let s = Math.max(0, Math.floor(totalSeconds));
  const units = [['day', 86400], ['hour', 3600], ['minute', 60], ['second', 1]];
  const parts = [];
  for (const [name, size] of units) {
    const n = Math.floor(s / size);
    s -= n * size;
    if (n > 0 || parts.length > 0) parts.push([n, name]);
  }
  if (parts.length === 0) return '0 seconds';
  return parts.slice(0, 2).filter(([n], i) => i === 0 || n > 0)
    .map(([n, name]) => plural(n, name)).join(' ');
}

function clockTime(date) {
  return date.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

// ---- health ---------------------------------------------------------------

const health = {
  el: $('health'),
  message: $('health-message'),
  version: $('health-version'),
  schema: $('health-schema'),
  uptime: $('health-uptime'),
  checked: $('health-checked'),
  refresh: $('health-refresh'),
  timer: null,
  uptimeAt: null,   // {uptimeS, at: performance.now()} of the last good answer
  inFlight: null,
};

function showHealthError(text, body) {
  health.el.dataset.status = 'error';
  setPill(health.el, 'error', 'Unavailable');
  health.message.textContent = text;
  health.message.hidden = false;
  health.version.textContent = body && typeof body.version === 'string' ? body.version : '—';
  health.schema.textContent = '—';
  health.uptime.textContent = '—';
  health.uptimeAt = null;
}

function renderUptime() {
  if (!health.uptimeAt) return;
  const s = health.uptimeAt.uptimeS + (performance.now() - health.uptimeAt.at) / 1000;
  health.uptime.textContent = formatDuration(s);
}

/** Asks GET /healthz once and shows the answer; concurrent calls share one request. */
function checkHealth() {
  if (health.inFlight) return health.inFlight;
  health.refresh.disabled = true;
  health.inFlight = (async () => {
    try {
      const res = await fetch('/healthz', { cache: 'no-store', headers: { Accept: 'application/json' } });
      let body = null;
      try { body = await res.json(); } catch { /* shown as an unreadable answer below */ }
      if (res.ok && body && body.status === 'ok') {
        health.el.dataset.status = 'ok';
        setPill(health.el, 'ok', 'Healthy');
        health.message.hidden = true;
        health.message.textContent = '';
        health.version.textContent = String(body.version ?? '—');
        health.schema.textContent = String(body.schema ?? '—');
        health.uptimeAt = Number.isFinite(body.uptime_s) ? { uptimeS: body.uptime_s, at: performance.now() } : null;
        if (health.uptimeAt) renderUptime(); else health.uptime.textContent = '—';
      } else if (body && typeof body.error === 'string') {
        showHealthError(`The server reports: ${body.error} (HTTP ${res.status}).`, body);
      } else {
        showHealthError(`The server answered HTTP ${res.status} without a health report.`, body);
      }
    } catch {
      showHealthError('The server could not be reached.', null);
    } finally {
      health.checked.textContent = clockTime(new Date());
      health.refresh.disabled = false;
      health.inFlight = null;
    }
  })();
  return health.inFlight;
}

function scheduleHealth() {
  clearTimeout(health.timer);
  const every = client.state === 'open' ? HEALTH_EVERY_MS : HEALTH_DOWN_EVERY_MS;
  health.timer = setTimeout(async () => {
    await checkHealth();
    scheduleHealth();
  }, every);
}

health.refresh.addEventListener('click', () => { checkHealth(); scheduleHealth(); });

// ---- live connection --------------------------------------------------------

const live = {
  state: $('ws-state'),
  detail: $('ws-detail'),
  rtt: $('rtt'),
  version: $('ws-version'),
  protocol: $('ws-protocol'),
  pingTimer: null,
  retry: null,     // {attempt, at} of the pending reconnect attempt
};

const STATE_VIEW = {
  idle: ['pending', 'Not started'],
  connecting: ['pending', 'Connecting…'],
  open: ['ok', 'Connected'],
  reconnecting: ['warn', 'Reconnecting…'],
  closed: ['error', 'Closed'],
};

function showRtt(ms) {
  if (ms === null) {
    delete live.rtt.dataset.ms;
    live.rtt.textContent = '—';
  } else {
    live.rtt.dataset.ms = String(ms);
    live.rtt.textContent = `${ms} ms`;
  }
}

async function ping() {
  const t0 = performance.now();
  try {
    await client.request('system.ping');
    showRtt(Math.max(0, Math.round(performance.now() - t0)));
  } catch (err) {
    // A ping lost to a disconnect is explained by the state pill already.
    if (err.code !== 'disconnected' && err.code !== 'not_connected') {
      showRtt(null);
      live.rtt.textContent = err.code === 'timeout' ? 'no answer in time' : `failed (${err.code})`;
    }
  }
}

/** The reconnect line counts down to the next attempt (called every second). */
function renderRetry() {
  if (client.state !== 'reconnecting' || live.retry === null) return;
  const left = Math.ceil((live.retry.at - performance.now()) / 1000);
  const n = live.retry.attempt;
  live.detail.textContent = 'The connection was lost or could not be made. '
    + (left > 0 ? `Attempt ${n} in ${left} s.` : `Attempt ${n} under way…`);
}

client.addEventListener('state', (e) => {
  const { state, attempt, delayMs } = e.detail;
  const [kind, label] = STATE_VIEW[state];
  live.state.dataset.state = state;
  setPill(live.state, kind, label);

  clearInterval(live.pingTimer);
  live.pingTimer = null;
  live.retry = null;
  if (state === 'open') {
    live.detail.textContent = `Connected to ${client.url}.`;
    ping();
    live.pingTimer = setInterval(ping, PING_EVERY_MS);
    checkHealth();
    scheduleHealth();
    return;
  }
  // Nothing measured on a connection that is gone is shown as current.
  showRtt(null);
  live.version.textContent = '—';
  live.protocol.textContent = '—';
  if (state === 'reconnecting') {
    live.retry = { attempt, at: performance.now() + delayMs };
    renderRetry();
    // Tell a stopped server from a network problem: check now, then often.
    if (attempt === 1) {
      checkHealth();
      scheduleHealth();
    }
  } else if (state === 'connecting') {
    live.detail.textContent = `Connecting to ${client.url}…`;
  } else if (state === 'closed') {
    live.detail.textContent = 'The connection was closed.';
  }
});

client.on('system.welcome', (msg) => {
  live.version.textContent = typeof msg.version === 'string' ? msg.version : '—';
  live.protocol.textContent = typeof msg.protocol === 'string' ? msg.protocol : '—';
});

setInterval(() => { renderUptime(); renderRetry(); }, 1000);
checkHealth();
scheduleHealth();
client.connect();
