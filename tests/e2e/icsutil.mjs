// The iCalendar feeds as a subscriber sees them: fetched over HTTPS and
// parsed by a real iCalendar parser, Debian's python3-icalendar (not by
// code of ours), which unfolds lines and unescapes TEXT values. Also the
// raw line rules of RFC 5545 that a parser may forgive: CRLF, at most 75
// octets a line, no line cut inside a UTF-8 character.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { httpGet } from './wsutil.mjs';

const PARSER = `
import json, sys
from icalendar import Calendar
cal = Calendar.from_ical(sys.stdin.buffer.read())
out = {"calendar": {k: str(cal.get(k)) for k in ("VERSION", "PRODID", "CALSCALE", "METHOD", "X-WR-CALNAME") if cal.get(k) is not None}, "events": []}
for e in cal.walk("VEVENT"):
    def t(k):
        v = e.get(k)
        return None if v is None else v.dt.isoformat()
    out["events"].append({
        "uid": str(e.get("UID")), "sequence": int(e.get("SEQUENCE")), "status": str(e.get("STATUS")),
        "summary": str(e.get("SUMMARY")), "description": None if e.get("DESCRIPTION") is None else str(e.get("DESCRIPTION")),
        "url": None if e.get("URL") is None else str(e.get("URL")),
        "dtstart": t("DTSTART"), "dtend": t("DTEND"), "dtstamp": t("DTSTAMP"), "last_modified": t("LAST-MODIFIED"),
    })
print(json.dumps(out))
`;

// Debian's own interpreter, which sees Debian's python3-icalendar (a python3 earlier on PATH may not).
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

/** Parses iCalendar text with python3-icalendar; returns {calendar, events}. Times: ISO 8601 with +00:00. */
export function parseIcs(text) {
  const out = execFileSync(PYTHON, ['-c', PARSER], { input: Buffer.from(text, 'utf8'), encoding: 'utf8', timeout: 20000, stdio: ['pipe', 'pipe', 'pipe'] });
  return JSON.parse(out);
}

/** Asserts RFC 5545's line rules on the raw bytes. */
export function assertIcsLines(text, what) {
  assert.ok(text.endsWith('\r\n'), `${what}: does not end in CRLF`);
  const lines = text.slice(0, -2).split('\r\n');
  for (const l of lines) {
    assert.ok(!l.includes('\n') && !l.includes('\r'), `${what}: a bare LF or CR in ${JSON.stringify(l)}`);
    assert.ok(Buffer.byteLength(l, 'utf8') <= 75, `${what}: a line of ${Buffer.byteLength(l, 'utf8')} octets: ${l}`);
  }
  // A fold that cut a UTF-8 character would leave invalid bytes, which decoding turns into U+FFFD.
  assert.ok(!text.includes('\uFFFD'), `${what}: invalid UTF-8 (a fold inside a character?)`);
  assert.equal(lines[0], 'BEGIN:VCALENDAR');
  assert.equal(lines.at(-1), 'END:VCALENDAR');
}

/** GET a feed: asserts 200 and text/calendar; returns {text, headers, parsed}. */
export async function fetchIcs(srv, path) {
  const r = await httpGet(srv, path);
  assert.equal(r.status, 200, `GET ${path}: ${r.status} ${r.body.slice(0, 200)}`);
  assert.equal(r.headers['content-type'], 'text/calendar; charset=utf-8', `GET ${path}: content-type`);
  assertIcsLines(r.body, `GET ${path}`);
  return { text: r.body, headers: r.headers, parsed: parseIcs(r.body) };
}

/** The iCalendar form of an RFC 3339 time as python's isoformat gives it: 2026-12-07T07:00:00+00:00 (seconds). */
export const icsTime = (rfc3339) => `${rfc3339.slice(0, 19)}+00:00`;
