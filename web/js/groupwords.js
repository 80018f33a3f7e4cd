// What the working-group pages (groups, group, group-new, room) share: the
// words for kinds, states and statuses, who may do what (as the server
// decides it, docs/protocol.md "Working groups", so that a page offers only
// what will be accepted), and the area's refusals in plain words. An ES
// module; main thread; it never touches the DOM.
//
// API
//   KIND_WORDS, GROUP_STATE_WORDS, GROUP_STATE_KIND, SESSION_STATE_WORDS,
//   SESSION_STATE_KIND, SESSION_KIND_WORDS, FOLLOWUP_WORDS, FOLLOWUP_KIND,
//   REQUEST_STATE_WORDS, REQUEST_STATE_KIND
//   kindText(group)                    'Permanent' or 'Temporary, until 30 June 2027'
//   isCityVoice(person)                a mayor or deputy of a city (may join, leave, name the delegate)
//   isSpeaker(person, group)           a mayor or deputy of a member city, or the city's delegate in it
//   isPresidencyMayor(person, term)    the mayor of the city holding the current term
//   isChairOf(person, session)         the session's chair
//   sideOf(person, term)               'presidency' | 'secretariat' | null (who may sign a proposal)
//   groupErrorText(err)                a refusal, in words
//   minutesLinks(session)              {page, html, md}: the minutes page and the server's files
//   roomLink(session)                  the room page of a session

import { describeError, formatDate } from './ui.js';

export const KIND_WORDS = { permanent: 'Permanent', temporary: 'Temporary' };
export const GROUP_STATE_WORDS = { proposed: 'Proposed: waiting for both signatures', active: 'Active', closed: 'Closed' };
export const GROUP_STATE_KIND = { proposed: 'warn', active: 'ok', closed: 'pending' };
export const SESSION_STATE_WORDS = { scheduled: 'Scheduled', live: 'Live now', closed: 'Held', cancelled: 'Cancelled' };
export const SESSION_STATE_KIND = { scheduled: 'info', live: 'ok', closed: 'pending', cancelled: 'error' };
export const SESSION_KIND_WORDS = { regular: 'Regular', extra: 'Extra' };
export const FOLLOWUP_WORDS = {
  planned: 'Planned',
  in_progress: 'In progress',
  implemented: 'Implemented',
  not_planned: 'Not planned',
};
export const FOLLOWUP_KIND = { planned: 'info', in_progress: 'warn', implemented: 'ok', not_planned: 'pending' };
export const REQUEST_STATE_WORDS = { pending: 'Waiting for the secretariat', scheduled: 'Scheduled', declined: 'Declined' };
export const REQUEST_STATE_KIND = { pending: 'warn', scheduled: 'ok', declined: 'pending' };

export function kindText(group) {
  if (group?.kind === 'temporary') return group.ends_on ? `Temporary, until ${formatDate(group.ends_on)}` : 'Temporary';
  return 'Permanent';
}

const hasRole = (person, ...roles) => !!person && (person.roles || []).some((r) => roles.includes(r));

export function isCityVoice(person) {
  return !!person && person.affiliation !== 'secretariat' && hasRole(person, 'mayor', 'deputy');
}

/** Whether person speaks for a member city of group (full group object, with members). */
export function isSpeaker(person, group) {
  if (!person || person.affiliation === 'secretariat') return false;
  const m = (group?.members || []).find((x) => x.city === person.affiliation);
  if (!m) return false;
  return hasRole(person, 'mayor', 'deputy') || m.delegate?.id === person.id;
}

export function isSecretariat(person) {
  return !!person && person.affiliation === 'secretariat' && hasRole(person, 'secretary', 'expert');
}

export function isPresidencyMayor(person, term) {
  return !!person && !!term && person.affiliation === term.city && hasRole(person, 'mayor');
}

export function isChairOf(person, session) {
  return !!person && !!session?.chair && session.chair.id === person.id;
}

/** Which side of a group proposal person signs for, under the current term. */
export function sideOf(person, term) {
  if (isSecretariat(person)) return 'secretariat';
  if (isPresidencyMayor(person, term)) return 'presidency';
  return null;
}

/** The minutes page (signature checked there, over WebSocket) and the server's own files. */
export function minutesLinks(session) {
  return {
    page: `/minutes.html?session=${encodeURIComponent(session.id)}`,
    html: `/sessions/${session.id}/minutes.html`,
    md: `/sessions/${session.id}/minutes.md`,
  };
}

export function roomLink(session) {
  return `/room.html?session=${encodeURIComponent(session.id)}`;
}

const TEXTS = {
  city_not_member: 'Only a city whose membership of the network is in good standing (not suspended, not an applicant or former member) may do this.',
  not_in_group: 'Your city is not a member of this group. Join the group first.',
  group_not_active: 'This group is not active: a proposed group needs both signatures first, and a closed group takes no members or sessions.',
  no_term: 'No presidency term is recorded, so this cannot be done yet.',
  not_signatory: 'Only the mayor of the city that holds the presidency, or the secretariat, may sign a new group’s proposal.',
  already_signed: 'Your side has signed this proposal already.',
  not_scheduled: 'This session is live, held or cancelled: its time, agenda and polls can no longer change.',
  quarter_taken: 'The group already has a regular session in that quarter. Cancel that one first, or make this one an extra session.',
  already_decided: 'This request has been decided already.',
  poll_closed: 'This time poll is closed: a slot was picked, or its session was cancelled or opened.',
  forbidden: 'Your role does not allow this here.',
  conflict: 'This contradicts the current record (for example, the code is taken, or it changed meanwhile). Please reload and check.',
};

export function groupErrorText(err) {
  if (err?.code === 'bad_request' && err.message) return `The server did not accept this: ${err.message}.`;
  if (err?.code === 'bad_statement') return `The signed text did not match what the server expects (${err.message}). Check your device’s clock, reload and try again.`;
  return TEXTS[err?.code] || describeError(err);
}
