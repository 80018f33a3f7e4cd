// What the summit and election pages (vote, chair, results, summit) share:
// reading summits, elections and city names from the server, and saying
// states, outcomes and refusals in plain words (docs/election-rules.md). An
// ES module; main thread only; it never touches the DOM.
//
// API
//   loadCities(client)             Map code -> city (members.list: members, suspended, former)
//   cityName(cities, code)         "Athens" (or the code when unknown)
//   loadSummits(client)            {summits (newest first), terms (newest first)}
//   findElections(client)          every election, newest first (see below)
//   currentTerm(terms)             the term holding the presidency now, or null
//   queryInt(name)                 a positive integer from the page address, or null
//   STATE_WORDS, KIND_WORDS, ROLL_WORDS
//   outcomeText(round, name)       the result of a closed round, in words
//   quorumText(q)                  "26 of 50 member cities present; more than 25 needed: met"
//   electionErrorText(err, ctx)    a refusal of the election area, in words
//   canVote(person)                a mayor or deputy of a city
//   watchAndGet(client, id)        election.watch, then election.get: the election.get reply
//   changedInPlace(e, ev)          an election.changed event applied to e, or null (read again)
//   endedCandidacies(e)            the withdrawn and dropped candidacies of e
//
// Live updates: a page watches its election (election.watch) and reacts to
// election.changed (docs/protocol.md), sent for every change of the
// election; it never polls. A watch lives as long as its connection, and
// events are not replayed: after a (re)connection the page watches first
// and reads the election once (watchAndGet), so nothing that changed while
// it was away, or between the read and the watch, is missed.
//
// Finding elections: the protocol has no message that lists elections, so
// this asks election.get for ids 1, 2, 3, ... until `not_found` (ids are
// consecutive: elections are never deleted). When a summit object carries an
// `elections` list, that is used instead.

import { describeError } from './ui.js';

export const STATE_WORDS = {
  draft: 'Being prepared',
  candidacy: 'Candidacies open',
  open: 'Voting open',
  closed: 'Round closed',
  decided: 'Decided',
};
export const STATE_KIND = { draft: 'pending', candidacy: 'info', open: 'ok', closed: 'warn', decided: 'ok' };

export const KIND_WORDS = { first: 'first round', runoff: 'runoff' };

export const ROLL_WORDS = {
  voted: 'Voted',
  abstained: 'Abstained',
  present_not_voting: 'Present, did not vote',
  absent: 'Absent',
};

export async function loadCities(client) {
  const reply = await client.request('members.list');
  return new Map(reply.cities.map((c) => [c.code, c]));
}

export function cityName(cities, code) {
  if (!code) return '—';
  return cities?.get(code)?.name || code;
}

export async function loadSummits(client) {
  const reply = await client.request('summit.list');
  return { summits: reply.summits || [], terms: reply.terms || [] };
}

/** Every election, newest first. */
export async function findElections(client, summits = null) {
  const ids = summits?.flatMap((s) => (Array.isArray(s.elections) ? s.elections.map((e) => (typeof e === 'object' ? e.id : e)) : []));
  const out = [];
  if (ids && ids.length) {
    for (const id of ids) out.push((await client.request('election.get', { election: id })).election);
  } else {
    for (let id = 1; id <= 500; id++) {
      try {
        out.push((await client.request('election.get', { election: id })).election);
      } catch (err) {
        if (err.code === 'not_found') break;
        throw err;
      }
    }
  }
  return out.sort((a, b) => b.id - a.id);
}

/** The newest term: the city that holds the presidency now (terms come newest first). */
export function currentTerm(terms) {
  return terms?.length ? terms[0] : null;
}

export function queryInt(name) {
  const v = new URLSearchParams(location.search).get(name);
  return v && /^[1-9]\d{0,15}$/.test(v) ? Number(v) : null;
}

export function canVote(person) {
  return !!person && person.affiliation !== 'secretariat'
    && person.roles.some((r) => r === 'mayor' || r === 'deputy');
}

/**
 * Watches election `id` on this connection, then reads it: anything that
 * changes after the watch comes as an event, anything before is in the
 * reply. Resolves to the election.get reply ({election, not_voted?}).
 */
export async function watchAndGet(client, id) {
  await client.request('election.watch', { election: id });
  return client.request('election.get', { election: id });
}

/**
 * Applies an election.changed event to the election object e when the event
 * says all that changed (candidacies opened, a candidacy declared or
 * withdrawn): a new object with the event's state, round, winner and
 * standing candidates, and the candidacy list marked accordingly. Returns e
 * unchanged for another election's event, and null when a round opened or
 * closed (the poll, turnout and result come only with election.get).
 */
export function changedInPlace(e, ev) {
  if (!e || ev.election !== e.id) return e;
  if (ev.change !== 'candidacy' && ev.change !== 'declared' && ev.change !== 'withdrawn') return null;
  let candidacies = e.candidacies || [];
  if (ev.city) {
    const now = new Date().toISOString();
    const rest = candidacies.filter((c) => c.city !== ev.city);
    const was = candidacies.find((c) => c.city === ev.city);
    const mine = ev.change === 'declared'
      ? { city: ev.city, declared: now, status: 'standing', withdrawn: null, withdrawn_by: null }
      : { ...(was || { city: ev.city, declared: null }), status: 'withdrawn', withdrawn: now, withdrawn_by: ev.by ?? null };
    candidacies = [...rest, mine].sort((a, b) => (a.city < b.city ? -1 : a.city > b.city ? 1 : 0));
  }
  return { ...e, state: ev.state, round: ev.round, winner: ev.winner, candidates: ev.candidates, candidacies };
}

/** The candidacies of e that no longer stand: withdrawn (by the city or the secretariat) or dropped at the freeze. */
export function endedCandidacies(e) {
  return (e?.candidacies || []).filter((c) => c.status === 'withdrawn' || c.status === 'dropped');
}

function list(names) {
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}

/** "26 of 50 member cities present; more than 25 needed" and whether met. */
export function quorumText(q) {
  if (!q) return '—';
  const rule = `${q.present} of ${q.members} member cities present; at least ${q.threshold} needed`;
  return `${rule} — quorum ${q.met ? 'met' : 'not met'}`;
}

/** The outcome of a closed round, in words; name(code) gives a city's name. */
export function outcomeText(round, name) {
  const r = round?.result;
  if (!r) return '';
  const base = Object.values(r.counts || {}).reduce((a, b) => a + b, 0);
  switch (r.outcome) {
    case 'elected': {
      const votes = r.counts?.[r.winner] ?? 0;
      return round.kind === 'runoff'
        ? `${name(r.winner)} is elected, with ${votes} of ${base} votes for candidates in the runoff.`
        : `${name(r.winner)} is elected, with ${votes} of ${base} votes for candidates: more than half.`;
    }
    case 'runoff':
      return `No candidate had ${round.kind === 'runoff' ? 'the most votes alone' : 'more than half of the votes'}. `
        + `A runoff follows between ${list((r.next || []).map(name))}.`;
    case 'no_quorum':
      return `No quorum: ${r.quorum?.present ?? '?'} of ${r.quorum?.members ?? '?'} member cities were present, `
        + `and at least ${r.quorum?.threshold ?? '?'} are needed. The round has no winner.`;
    case 'no_votes':
      return 'No vote went to a candidate (no ballots, or all abstained). The round has no result; '
        + 'the secretariat may open it again.';
    default:
      return `Outcome: ${r.outcome}.`;
  }
}

/**
 * A refusal of the election area in plain words. ctx: {cityName, termCity}
 * (the city holding the current term, for not_eligible on a candidacy).
 */
export function electionErrorText(err, ctx = {}) {
  const city = ctx.cityName || 'your city';
  switch (err?.code) {
    case 'not_eligible':
      if (ctx.action === 'declare' && ctx.isTermHolder) {
        return `${city} holds the presidency now, and no city may hold two terms in a row, so ${city} cannot stand in this election.`;
      }
      if (ctx.action === 'declare') return `${city} cannot stand in this election: only member cities (not suspended) may stand.`;
      return `${city} cannot vote in this round: only member cities that are checked in at the summit may vote, and a suspended city may not.`;
    case 'not_present':
      return `${city} is not checked in at the summit, so it cannot vote. Ask the secretariat desk to check your city in.`;
    case 'not_open':
      return 'This round is not open for voting: it has not opened yet, or it has just closed.';
    case 'already_voted':
      return `${city} has already voted in this round; each city votes once. If you did not cast it, your mayor or deputy did.`;
    case 'not_candidate':
      if (ctx.action === 'withdraw') return `${city} has no candidacy in this election to withdraw.`;
      return 'That city is not a candidate in this round. Please choose again.';
    case 'bad_ballot':
      return 'The ballot was not in the exact form the server expects. Please reload the page and vote again.';
    case 'bad_signature':
      return 'The signature on the ballot was not accepted. Please reload the page and try again; if it happens again, call the secretariat.';
    case 'forbidden':
      return 'Your role does not allow this. Only a mayor or deputy mayor casts a city’s vote; only the secretariat runs the election.';
    case 'conflict':
      if (ctx.action === 'withdraw') {
        return 'The candidate list is frozen: the vote has opened, and a candidacy can no longer be withdrawn.';
      }
      return `This is not possible in the election’s present state${err.message ? ` (${err.message})` : ''}. Please reload and check.`;
    case 'not_found':
      return 'This election or summit was not found.';
    case 'unknown_type':
      return 'The server does not handle this yet (its election functions are not installed).';
    default:
      return describeError(err);
  }
}
