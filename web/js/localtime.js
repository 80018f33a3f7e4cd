// Times of the working groups in the viewer's own time zone. The server
// stores and sends every time in UTC (RFC 3339 with milliseconds); the pages
// show them with Intl.DateTimeFormat in the zone of the browser, always with
// the zone named, and turn what a person types into a datetime-local field
// (a wall-clock time in that same zone) back into UTC. An ES module with no
// DOM access; main thread.
//
// API
//   viewerZone()                 'Europe/Athens' (the browser's IANA zone; 'UTC' when unknown)
//   zoneNote()                   'Times are shown in your time zone: Europe/Athens.'
//   offsetName(date)             'GMT+2' for the viewer's zone on that day
//   formatWhen(iso)              'Mon 7 Dec 2026, 09:00 GMT+2' (the viewer's locale)
//   formatTime(iso)              '09:00'
//   formatRange(startIso, endIso)  'Mon 7 Dec 2026, 09:00–11:00 GMT+2' (a second date when it spans days)
//   toLocalInput(iso)            '2026-12-07T09:00', for <input type="datetime-local">
//   fromLocalInput(value)        '2026-12-07T07:00:00.000Z', or null for an empty or invalid value
//   isoNow()                     the current time as the server writes it

const cache = new Map();

function fmt(key, options) {
  let f = cache.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(undefined, options);
    cache.set(key, f);
  }
  return f;
}

export function viewerZone() {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

export function zoneNote() {
  return `Times are shown in your time zone: ${viewerZone()}.`;
}

function toDate(iso) {
  const d = iso instanceof Date ? iso : new Date(iso);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** The short offset name of the viewer's zone at a date: 'GMT+2', 'GMT+3', 'UTC'. */
export function offsetName(date = new Date()) {
  const d = toDate(date);
  if (!d) return '';
  const part = fmt('offset', { timeZoneName: 'shortOffset' }).formatToParts(d).find((p) => p.type === 'timeZoneName');
  return part?.value === 'GMT' ? 'UTC' : part?.value || '';
}

function dayPart(d) {
  return fmt('day', { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' }).format(d);
}

export function formatTime(iso) {
  const d = toDate(iso);
  return d ? fmt('time', { hour: '2-digit', minute: '2-digit' }).format(d) : '—';
}

/** A time with its day and the zone's offset, in the viewer's zone. */
export function formatWhen(iso) {
  const d = toDate(iso);
  if (!d) return '—';
  return `${dayPart(d)}, ${formatTime(d)} ${offsetName(d)}`;
}

/** A session's time: one day and two clock times, or two full times when it spans days. */
export function formatRange(startIso, endIso) {
  const a = toDate(startIso);
  const b = toDate(endIso);
  if (!a) return '—';
  if (!b) return formatWhen(a);
  if (dayPart(a) === dayPart(b)) return `${dayPart(a)}, ${formatTime(a)}–${formatTime(b)} ${offsetName(a)}`;
  return `${formatWhen(a)} – ${formatWhen(b)}`;
}

const pad = (n) => String(n).padStart(2, '0');

/** The wall-clock time of iso in the viewer's zone, as a datetime-local value. */
export function toLocalInput(iso) {
  const d = toDate(iso);
  if (!d) return '';
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/**
 * A datetime-local value (wall-clock time in the viewer's zone) as UTC,
 * spelt as the server wants it. null for anything else.
 */
export function fromLocalInput(value) {
  const m = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d)(?::(\d\d))?$/.exec(String(value || ''));
  if (!m) return null;
  const d = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6] || 0));
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

export function isoNow() {
  return new Date().toISOString();
}
