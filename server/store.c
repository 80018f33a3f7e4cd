/*
 * store: the SQLite file, its migrations and its prepared statements. See
 * include/b40/store.h for the contract. Every statement the server runs is
 * in the `stmt_sql` table below, prepared once at open; migrations are
 * constant scripts run statement by statement through prepare/step.
 */
#include "b40/store.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>
#include <sqlite3.h>

#include "b40/log.h"
#include "b40/timeutil.h"
#include "store_internal.h"

/* "B40\0": PRAGMA application_id of every B40 database, so `file` and we can tell one. */
#define STORE_APPLICATION_ID 0x42343000

/*
 * Migration N takes the schema from version N-1 to N. Each runs in one
 * transaction together with the user_version update; never edit a
 * migration that has shipped, add the next one.
 */
static const char *const migrations[STORE_SCHEMA_VERSION] = {
    /* 1: the foundation: identification of the file and the server's public keys. */
    "PRAGMA application_id = 1110716416;" /* STORE_APPLICATION_ID */
    "CREATE TABLE meta ("
    "  key   TEXT PRIMARY KEY,"
    "  value TEXT NOT NULL"
    ") STRICT;"
    "INSERT INTO meta (key, value) VALUES ('application', 'b40');"
    "CREATE TABLE server_keys ("
    "  id            INTEGER PRIMARY KEY,"
    "  public_key    BLOB NOT NULL UNIQUE CHECK (length(public_key) = 32),"
    "  created_at_ms INTEGER NOT NULL,"
    "  retired_at_ms INTEGER"
    ") STRICT;"
    "PRAGMA user_version = 1;",

    /*
     * 2: members and identity. Cities and their status history, people and
     * their roles, enrollments, browser-held keys, membership requests, and
     * the append-only history of every change. Rows that an auditor relies
     * on (history, status history, keys) cannot be deleted; history cannot
     * be updated either.
     */
    "CREATE TABLE cities ("
    "  id         INTEGER PRIMARY KEY,"
    "  code       TEXT NOT NULL UNIQUE CHECK (length(code) BETWEEN 2 AND 32),"
    "  name       TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),"
    "  name_local TEXT NOT NULL CHECK (length(name_local) BETWEEN 1 AND 100),"
    "  country    TEXT NOT NULL CHECK (length(country) = 2),"
    "  tz         TEXT NOT NULL,"
    "  lat        REAL NOT NULL CHECK (lat BETWEEN -90 AND 90),"
    "  lon        REAL NOT NULL CHECK (lon BETWEEN -180 AND 180),"
    "  status     TEXT NOT NULL CHECK (status IN ('applicant', 'member', 'suspended', 'former')),"
    "  joined_how TEXT CHECK (joined_how IN ('founding_summit', 'summit_attendance', 'approved_request')),"
    "  joined_on  TEXT"
    ") STRICT;"
    "CREATE TABLE city_status_history ("
    "  id              INTEGER PRIMARY KEY,"
    "  city_id         INTEGER NOT NULL REFERENCES cities (id),"
    "  status          TEXT NOT NULL CHECK (status IN ('applicant', 'member', 'suspended', 'former')),"
    "  effective_on    TEXT NOT NULL," /* YYYY-MM-DD: the status holds from this day on */
    "  recorded_at_ms  INTEGER NOT NULL,"
    "  actor_person_id INTEGER REFERENCES people (id),"
    "  reason          TEXT NOT NULL"
    ") STRICT;"
    "CREATE INDEX city_status_history_city ON city_status_history (city_id, effective_on);"
    "CREATE TABLE people ("
    "  id            INTEGER PRIMARY KEY,"
    "  name          TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),"
    "  city_id       INTEGER REFERENCES cities (id)," /* NULL: the secretariat */
    "  roles         TEXT NOT NULL," /* comma-separated, sorted: see include/b40/identity.h */
    "  active        INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),"
    "  created_at_ms INTEGER NOT NULL"
    ") STRICT;"
    "CREATE TABLE enrollments ("
    "  id            TEXT PRIMARY KEY CHECK (length(id) = 32),"
    "  person_id     INTEGER NOT NULL REFERENCES people (id),"
    "  code_sha256   BLOB NOT NULL UNIQUE CHECK (length(code_sha256) = 32),"
    "  expires_at_ms INTEGER NOT NULL,"
    "  created_at_ms INTEGER NOT NULL,"
    "  created_by    INTEGER REFERENCES people (id)," /* NULL: the server key (command line) */
    "  signer_key    BLOB NOT NULL CHECK (length(signer_key) = 32),"
    "  statement     TEXT NOT NULL,"
    "  signature     BLOB NOT NULL CHECK (length(signature) = 64),"
    "  used_at_ms    INTEGER"
    ") STRICT;"
    "CREATE TABLE person_keys ("
    "  id                   INTEGER PRIMARY KEY,"
    "  person_id            INTEGER NOT NULL REFERENCES people (id),"
    "  public_key           BLOB NOT NULL UNIQUE CHECK (length(public_key) = 32),"
    "  enrollment_id        TEXT NOT NULL UNIQUE REFERENCES enrollments (id),"
    "  device               TEXT NOT NULL,"
    "  statement            TEXT NOT NULL,"
    "  signature            BLOB NOT NULL CHECK (length(signature) = 64),"
    "  created_at_ms        INTEGER NOT NULL,"
    "  revoked_at_ms        INTEGER,"
    "  revoked_by           INTEGER REFERENCES people (id),"
    "  revocation_statement TEXT,"
    "  revocation_signature BLOB"
    ") STRICT;"
    "CREATE TABLE membership_requests ("
    "  id              INTEGER PRIMARY KEY,"
    "  city_name       TEXT NOT NULL,"
    "  country         TEXT NOT NULL,"
    "  contact_name    TEXT NOT NULL,"
    "  email           TEXT NOT NULL,"
    "  reason          TEXT NOT NULL,"
    "  submitted_at_ms INTEGER NOT NULL,"
    "  status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected')),"
    "  decided_at_ms   INTEGER,"
    "  decided_by      INTEGER REFERENCES people (id),"
    "  decision_reason TEXT,"
    "  city_id         INTEGER REFERENCES cities (id)"
    ") STRICT;"
    "CREATE TABLE history ("
    "  id              INTEGER PRIMARY KEY,"
    "  at_ms           INTEGER NOT NULL,"
    "  actor_person_id INTEGER REFERENCES people (id)," /* NULL: the operator or the server */
    "  action          TEXT NOT NULL,"
    "  subject         TEXT NOT NULL,"
    "  details         TEXT NOT NULL" /* a JSON object, written by json-c */
    ") STRICT;"
    "CREATE TRIGGER history_append_only_u BEFORE UPDATE ON history"
    "  BEGIN SELECT RAISE(ABORT, 'history is append-only'); END;"
    "CREATE TRIGGER history_append_only_d BEFORE DELETE ON history"
    "  BEGIN SELECT RAISE(ABORT, 'history is append-only'); END;"
    "CREATE TRIGGER city_status_history_append_only_u BEFORE UPDATE ON city_status_history"
    "  BEGIN SELECT RAISE(ABORT, 'status history is append-only'); END;"
    "CREATE TRIGGER city_status_history_append_only_d BEFORE DELETE ON city_status_history"
    "  BEGIN SELECT RAISE(ABORT, 'status history is append-only'); END;"
    "CREATE TRIGGER person_keys_kept BEFORE DELETE ON person_keys"
    "  BEGIN SELECT RAISE(ABORT, 'keys are kept so old signatures stay verifiable'); END;"
    "CREATE TRIGGER enrollments_kept BEFORE DELETE ON enrollments"
    "  BEGIN SELECT RAISE(ABORT, 'enrollments are kept for the audit'); END;"
    "PRAGMA user_version = 2;",

    /*
     * 3: summits and the presidency election. Summits with their delegations
     * and attendance; presidency terms; elections, their rounds (each with
     * the signed poll), candidacies, and ballots with their place in the
     * election's hash chain (docs/audit.md). One ballot per city per round is
     * a UNIQUE constraint, so two ballots racing for one city cannot both
     * commit. Ballots, rounds and terms are never deleted.
     */
    "CREATE TABLE summits ("
    "  id        INTEGER PRIMARY KEY,"
    "  year      INTEGER NOT NULL UNIQUE CHECK (year BETWEEN 2021 AND 9999),"
    "  host_city INTEGER NOT NULL REFERENCES cities (id),"
    "  starts_on TEXT NOT NULL,"
    "  ends_on   TEXT NOT NULL CHECK (ends_on >= starts_on),"
    "  place     TEXT NOT NULL"
    ") STRICT;"
    "CREATE TABLE delegations ("
    "  summit_id     INTEGER NOT NULL REFERENCES summits (id),"
    "  city_id       INTEGER NOT NULL REFERENCES cities (id),"
    "  delegates     INTEGER NOT NULL CHECK (delegates BETWEEN 1 AND 50),"
    "  arrival_on    TEXT NOT NULL,"
    "  departure_on  TEXT NOT NULL CHECK (departure_on >= arrival_on),"
    "  nights        INTEGER NOT NULL CHECK (nights >= 0),"
    "  meals         INTEGER NOT NULL CHECK (meals >= 0),"
    "  dietary       TEXT NOT NULL,"
    "  updated_at_ms INTEGER NOT NULL,"
    "  PRIMARY KEY (summit_id, city_id)"
    ") STRICT;"
    "CREATE TABLE attendance ("
    "  summit_id     INTEGER NOT NULL REFERENCES summits (id),"
    "  city_id       INTEGER NOT NULL REFERENCES cities (id),"
    "  checked_in_ms INTEGER NOT NULL,"
    "  how           TEXT NOT NULL CHECK (how IN ('desk', 'online')),"
    "  by_person     INTEGER REFERENCES people (id),"
    "  PRIMARY KEY (summit_id, city_id)"
    ") STRICT;"
    "CREATE TABLE presidencies ("
    "  id              INTEGER PRIMARY KEY,"
    "  city_id         INTEGER NOT NULL REFERENCES cities (id),"
    "  from_summit_id  INTEGER UNIQUE REFERENCES summits (id)," /* the summit it hosts opens the term; NULL until scheduled */
    "  elected_in      INTEGER REFERENCES elections (id),"       /* NULL: before the server, or founding */
    "  elected_at_summit_id INTEGER REFERENCES summits (id),"    /* where it was elected (NULL: founding) */
    "  recorded_at_ms  INTEGER NOT NULL"
    ") STRICT;"
    "CREATE TABLE elections ("
    "  id            INTEGER PRIMARY KEY,"
    "  summit_id     INTEGER NOT NULL REFERENCES summits (id),"
    "  title         TEXT NOT NULL,"
    "  state         TEXT NOT NULL CHECK (state IN ('draft', 'candidacy', 'open', 'closed', 'decided')),"
    "  round         INTEGER NOT NULL DEFAULT 0," /* the current or last round */
    "  quorum_num    INTEGER NOT NULL CHECK (quorum_num >= 0),"
    "  quorum_den    INTEGER NOT NULL CHECK (quorum_den > 0 AND quorum_num <= quorum_den),"
    "  winner_city   INTEGER REFERENCES cities (id),"
    "  created_at_ms INTEGER NOT NULL"
    ") STRICT;"
    "CREATE TABLE candidacies ("
    "  election_id   INTEGER NOT NULL REFERENCES elections (id),"
    "  city_id       INTEGER NOT NULL REFERENCES cities (id),"
    "  declared_by   INTEGER NOT NULL REFERENCES people (id),"
    "  declared_at_ms INTEGER NOT NULL,"
    "  withdrawn_at_ms INTEGER,"
    "  PRIMARY KEY (election_id, city_id)"
    ") STRICT;"
    "CREATE TABLE rounds ("
    "  election_id     INTEGER NOT NULL REFERENCES elections (id),"
    "  round           INTEGER NOT NULL CHECK (round >= 1),"
    "  kind            TEXT NOT NULL CHECK (kind IN ('first', 'runoff')),"
    "  candidates      TEXT NOT NULL," /* sorted codes, comma-separated */
    "  poll            TEXT,"          /* the signed poll text, set when the round opens */
    "  poll_signature  BLOB,"
    "  fingerprint     BLOB,"
    "  opened_at_ms    INTEGER,"
    "  closed_at_ms    INTEGER,"
    "  quorum_open     TEXT," /* JSON: members, present, threshold, met */
    "  result          TEXT," /* JSON, at close: quorum, counts, outcome, roll call */
    "  chain_head      TEXT,"
    "  chain_head_signature BLOB,"
    "  PRIMARY KEY (election_id, round)"
    ") STRICT;"
    "CREATE TABLE ballots ("
    "  election_id   INTEGER NOT NULL REFERENCES elections (id),"
    "  round         INTEGER NOT NULL,"
    "  city_id       INTEGER NOT NULL REFERENCES cities (id),"
    "  seq           INTEGER NOT NULL,"
    "  text          TEXT NOT NULL,"
    "  signature     BLOB NOT NULL CHECK (length(signature) = 64),"
    "  key_id        INTEGER NOT NULL REFERENCES person_keys (id),"
    "  choice        TEXT NOT NULL,"
    "  ballot_hash   BLOB NOT NULL UNIQUE CHECK (length(ballot_hash) = 32),"
    "  chain         BLOB NOT NULL CHECK (length(chain) = 32),"
    "  recorded_at_ms INTEGER NOT NULL,"
    "  receipt       TEXT NOT NULL,"
    "  receipt_signature BLOB NOT NULL,"
    "  PRIMARY KEY (election_id, round, city_id),"
    "  UNIQUE (election_id, seq),"
    "  FOREIGN KEY (election_id, round) REFERENCES rounds (election_id, round)"
    ") STRICT;"
    "CREATE TRIGGER ballots_kept_d BEFORE DELETE ON ballots"
    "  BEGIN SELECT RAISE(ABORT, 'ballots are never deleted'); END;"
    "CREATE TRIGGER ballots_kept_u BEFORE UPDATE ON ballots"
    "  BEGIN SELECT RAISE(ABORT, 'ballots are never changed'); END;"
    "CREATE TRIGGER presidencies_kept BEFORE DELETE ON presidencies"
    "  BEGIN SELECT RAISE(ABORT, 'the presidency history is kept'); END;"
    "PRAGMA user_version = 3;",

    /*
     * 4: working groups and their sessions. Groups (the four founding ones
     * are inserted here, active since the founding summit), the cities that
     * are members of each with their voting delegate, the signed proposal of
     * a new group and the two signatures that make it exist (presidency and
     * secretariat, docs/groups.md), sessions (regular: one per quarter;
     * extra: on a member city's signed request), those requests, time polls
     * with their candidate slots and each city's marks, recommendations (the
     * room's adopted motions) and each city's follow-up of them. Signatures,
     * signed requests and follow-ups are never deleted or changed.
     */
    "CREATE TABLE groups ("
    "  id             INTEGER PRIMARY KEY,"
    "  code           TEXT NOT NULL UNIQUE CHECK (length(code) BETWEEN 2 AND 32),"
    "  name           TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 120),"
    "  description    TEXT NOT NULL CHECK (length(description) <= 1000),"
    "  kind           TEXT NOT NULL CHECK (kind IN ('permanent', 'temporary')),"
    "  ends_on        TEXT CHECK ((kind = 'temporary') = (ends_on IS NOT NULL))," /* YYYY-MM-DD, the last day */
    "  state          TEXT NOT NULL CHECK (state IN ('proposed', 'active', 'closed')),"
    "  founding       INTEGER NOT NULL DEFAULT 0 CHECK (founding IN (0, 1)),"
    "  created_at_ms  INTEGER NOT NULL,"
    "  active_from_ms INTEGER CHECK ((state = 'proposed') = (active_from_ms IS NULL))," /* when both had signed */
    "  closed_at_ms   INTEGER"
    ") STRICT;"
    "CREATE TABLE group_members ("
    "  group_id           INTEGER NOT NULL REFERENCES groups (id),"
    "  city_id            INTEGER NOT NULL REFERENCES cities (id),"
    "  joined_at_ms       INTEGER NOT NULL,"
    "  left_at_ms         INTEGER," /* NULL: a member now */
    "  delegate_person_id INTEGER REFERENCES people (id)," /* NULL: none named */
    "  PRIMARY KEY (group_id, city_id)"
    ") STRICT;"
    "CREATE INDEX group_members_city ON group_members (city_id);"
    "CREATE TABLE group_proposals ("
    "  group_id           INTEGER PRIMARY KEY REFERENCES groups (id),"
    "  statement          TEXT NOT NULL," /* the exact bytes both sides sign (b40-group-proposal-v1) */
    "  presidency_city_id INTEGER NOT NULL REFERENCES cities (id)," /* the term whose mayor must sign */
    "  proposed_by        INTEGER NOT NULL REFERENCES people (id),"
    "  proposed_at_ms     INTEGER NOT NULL"
    ") STRICT;"
    "CREATE TABLE group_signatures ("
    "  group_id     INTEGER NOT NULL REFERENCES group_proposals (group_id),"
    "  side         TEXT NOT NULL CHECK (side IN ('presidency', 'secretariat')),"
    "  person_id    INTEGER NOT NULL REFERENCES people (id),"
    "  key_id       INTEGER NOT NULL REFERENCES person_keys (id),"
    "  public_key   BLOB NOT NULL CHECK (length(public_key) = 32),"
    "  signature    BLOB NOT NULL CHECK (length(signature) = 64),"
    "  signed_at_ms INTEGER NOT NULL,"
    "  PRIMARY KEY (group_id, side)"
    ") STRICT;"
    "CREATE TABLE sessions ("
    "  id              INTEGER PRIMARY KEY,"
    "  group_id        INTEGER NOT NULL REFERENCES groups (id),"
    "  kind            TEXT NOT NULL CHECK (kind IN ('regular', 'extra')),"
    "  quarter         TEXT NOT NULL CHECK (quarter GLOB '[0-9][0-9][0-9][0-9]Q[1-4]'),"
    "  title           TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 120),"
    "  starts_at_ms    INTEGER NOT NULL,"
    "  ends_at_ms      INTEGER NOT NULL CHECK (ends_at_ms > starts_at_ms),"
    "  state           TEXT NOT NULL CHECK (state IN ('scheduled', 'live', 'closed', 'cancelled')),"
    "  chair_person_id INTEGER REFERENCES people (id)," /* NULL: the secretariat chairs */
    "  video_url       TEXT,"
    "  agenda          TEXT NOT NULL," /* a JSON array of item titles */
    "  ical_sequence   INTEGER NOT NULL DEFAULT 0 CHECK (ical_sequence >= 0),"
    "  cancel_reason   TEXT,"
    "  created_by      INTEGER REFERENCES people (id)," /* NULL: the server's plan or the operator */
    "  created_at_ms   INTEGER NOT NULL,"
    "  updated_at_ms   INTEGER NOT NULL"
    ") STRICT;"
    "CREATE INDEX sessions_group ON sessions (group_id, starts_at_ms);"
    "CREATE INDEX sessions_start ON sessions (starts_at_ms);"
    /* the plan makes one regular session per group and quarter; a cancelled one leaves room for another */
    "CREATE UNIQUE INDEX sessions_regular_quarter ON sessions (group_id, quarter)"
    "  WHERE kind = 'regular' AND state <> 'cancelled';"
    "CREATE TABLE session_requests ("
    "  id              INTEGER PRIMARY KEY,"
    "  group_id        INTEGER NOT NULL REFERENCES groups (id),"
    "  city_id         INTEGER NOT NULL REFERENCES cities (id),"
    "  person_id       INTEGER NOT NULL REFERENCES people (id),"
    "  key_id          INTEGER NOT NULL REFERENCES person_keys (id),"
    "  public_key      BLOB NOT NULL CHECK (length(public_key) = 32),"
    "  statement       TEXT NOT NULL," /* the exact bytes signed (b40-session-request-v1) */
    "  signature       BLOB NOT NULL CHECK (length(signature) = 64),"
    "  reason          TEXT NOT NULL,"
    "  requested_at_ms INTEGER NOT NULL,"
    "  state           TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'scheduled', 'declined')),"
    "  decided_by      INTEGER REFERENCES people (id),"
    "  decided_at_ms   INTEGER,"
    "  decision_reason TEXT,"
    "  session_id      INTEGER REFERENCES sessions (id)"
    ") STRICT;"
    "CREATE INDEX session_requests_group ON session_requests (group_id, id);"
    "CREATE TABLE time_polls ("
    "  id             INTEGER PRIMARY KEY,"
    "  session_id     INTEGER NOT NULL REFERENCES sessions (id),"
    "  state          TEXT NOT NULL CHECK (state IN ('open', 'closed')),"
    "  created_by     INTEGER REFERENCES people (id),"
    "  created_at_ms  INTEGER NOT NULL,"
    "  closed_at_ms   INTEGER,"
    "  picked_slot_id INTEGER" /* the slot chosen when it closed; NULL: closed without a pick */
    ") STRICT;"
    "CREATE UNIQUE INDEX time_polls_open ON time_polls (session_id) WHERE state = 'open';"
    "CREATE TABLE time_poll_slots ("
    "  id            INTEGER PRIMARY KEY,"
    "  poll_id       INTEGER NOT NULL REFERENCES time_polls (id),"
    "  position      INTEGER NOT NULL CHECK (position >= 1),"
    "  starts_at_ms  INTEGER NOT NULL,"
    "  ends_at_ms    INTEGER NOT NULL CHECK (ends_at_ms > starts_at_ms),"
    "  UNIQUE (poll_id, position)"
    ") STRICT;"
    "CREATE TABLE time_poll_marks ("
    "  poll_id   INTEGER NOT NULL REFERENCES time_polls (id),"
    "  city_id   INTEGER NOT NULL REFERENCES cities (id),"
    "  slot_id   INTEGER NOT NULL REFERENCES time_poll_slots (id),"
    "  person_id INTEGER NOT NULL REFERENCES people (id),"
    "  at_ms     INTEGER NOT NULL,"
    "  PRIMARY KEY (poll_id, city_id, slot_id)"
    ") STRICT;"
    /* a city that marked no slot still answered: it is listed here with no marks */
    "CREATE TABLE time_poll_answers ("
    "  poll_id   INTEGER NOT NULL REFERENCES time_polls (id),"
    "  city_id   INTEGER NOT NULL REFERENCES cities (id),"
    "  person_id INTEGER NOT NULL REFERENCES people (id),"
    "  at_ms     INTEGER NOT NULL,"
    "  PRIMARY KEY (poll_id, city_id)"
    ") STRICT;"
    "CREATE TABLE recommendations ("
    "  id            INTEGER PRIMARY KEY,"
    "  group_id      INTEGER NOT NULL REFERENCES groups (id),"
    "  session_id    INTEGER NOT NULL REFERENCES sessions (id),"
    "  motion_id     INTEGER," /* the room's motion (schema 5); no foreign key */
    "  text          TEXT NOT NULL CHECK (length(text) >= 1),"
    "  adopted_at_ms INTEGER NOT NULL"
    ") STRICT;"
    "CREATE INDEX recommendations_group ON recommendations (group_id, id);"
    "CREATE TABLE followups ("
    "  id                INTEGER PRIMARY KEY,"
    "  recommendation_id INTEGER NOT NULL REFERENCES recommendations (id),"
    "  city_id           INTEGER NOT NULL REFERENCES cities (id),"
    "  status            TEXT NOT NULL CHECK (status IN ('planned', 'in_progress', 'implemented', 'not_planned')),"
    "  note              TEXT NOT NULL,"
    "  on_date           TEXT NOT NULL," /* YYYY-MM-DD */
    "  person_id         INTEGER REFERENCES people (id),"
    "  at_ms             INTEGER NOT NULL"
    ") STRICT;"
    "CREATE INDEX followups_rec ON followups (recommendation_id, city_id, id);"
    "CREATE TRIGGER followups_append_only_u BEFORE UPDATE ON followups"
    "  BEGIN SELECT RAISE(ABORT, 'follow-ups are append-only'); END;"
    "CREATE TRIGGER followups_append_only_d BEFORE DELETE ON followups"
    "  BEGIN SELECT RAISE(ABORT, 'follow-ups are append-only'); END;"
    "CREATE TRIGGER group_signatures_kept_u BEFORE UPDATE ON group_signatures"
    "  BEGIN SELECT RAISE(ABORT, 'signatures are never changed'); END;"
    "CREATE TRIGGER group_signatures_kept_d BEFORE DELETE ON group_signatures"
    "  BEGIN SELECT RAISE(ABORT, 'signatures are never deleted'); END;"
    "CREATE TRIGGER group_proposals_kept_d BEFORE DELETE ON group_proposals"
    "  BEGIN SELECT RAISE(ABORT, 'proposals are kept'); END;"
    "CREATE TRIGGER group_proposals_kept_u BEFORE UPDATE ON group_proposals"
    "  BEGIN SELECT RAISE(ABORT, 'proposals are never changed'); END;"
    "CREATE TRIGGER session_requests_kept_d BEFORE DELETE ON session_requests"
    "  BEGIN SELECT RAISE(ABORT, 'session requests are kept'); END;"
    /* the founding groups: active since the founding summit, Istanbul, 29 November 2021 (1638144000000) */
    "INSERT INTO groups (code, name, description, kind, state, founding, created_at_ms, active_from_ms) VALUES"
    "  ('climate', 'Local climate action',"
    "   'Founding working group on local climate action.', 'permanent', 'active', 1, 1638144000000, 1638144000000),"
    "  ('democracy-migration', 'Local democracy and migration',"
    "   'Founding working group on local democracy and migration.', 'permanent', 'active', 1, 1638144000000,"
    "   1638144000000),"
    "  ('smart-cities', 'Smart cities and digital transformation',"
    "   'Founding working group on smart cities and digital transformation.', 'permanent', 'active', 1,"
    "   1638144000000, 1638144000000),"
    "  ('economy', 'Local economic cooperation',"
    "   'Founding working group on local economic cooperation.', 'permanent', 'active', 1, 1638144000000,"
    "   1638144000000);"
    "PRAGMA user_version = 4;",

    /*
     * 5: the live session room. Every room event as it was sent (the room's
     * own append-only log: a restarted server rebuilds the room from it and
     * goes on with the next sequence number; the minutes are made from it),
     * each person's join and leave times, motions with their signed polls,
     * motion ballots with their place in the motion's hash chain
     * (docs/audit.md), and the signed minutes of each closed session. One
     * ballot per city per motion and one open motion per session are UNIQUE
     * constraints; nothing here is ever deleted.
     */
    "CREATE TABLE room_events ("
    "  session_id INTEGER NOT NULL REFERENCES sessions (id),"
    "  seq        INTEGER NOT NULL CHECK (seq >= 1),"
    "  kind       TEXT NOT NULL CHECK (length(kind) BETWEEN 1 AND 31),"
    "  data       TEXT NOT NULL," /* the event object as sent, JSON */
    "  at_ms      INTEGER NOT NULL,"
    "  PRIMARY KEY (session_id, seq)"
    ") STRICT;"
    "CREATE TRIGGER room_events_append_only_u BEFORE UPDATE ON room_events"
    "  BEGIN SELECT RAISE(ABORT, 'room events are append-only'); END;"
    "CREATE TRIGGER room_events_append_only_d BEFORE DELETE ON room_events"
    "  BEGIN SELECT RAISE(ABORT, 'room events are append-only'); END;"
    "CREATE TABLE room_attendance ("
    "  id           INTEGER PRIMARY KEY,"
    "  session_id   INTEGER NOT NULL REFERENCES sessions (id),"
    "  person_id    INTEGER NOT NULL REFERENCES people (id),"
    "  city_id      INTEGER REFERENCES cities (id)," /* NULL: the secretariat */
    "  joined_at_ms INTEGER NOT NULL,"
    "  left_at_ms   INTEGER CHECK (left_at_ms IS NULL OR left_at_ms >= joined_at_ms),"
    "  left_how     TEXT CHECK (left_how IN ('leave', 'disconnect', 'restart', 'closed', 'stop'))"
    ") STRICT;"
    "CREATE INDEX room_attendance_session ON room_attendance (session_id, person_id);"
    /* a person is in a room once, however many devices: one open interval at a time */
    "CREATE UNIQUE INDEX room_attendance_open ON room_attendance (session_id, person_id) WHERE left_at_ms IS NULL;"
    "CREATE TRIGGER room_attendance_kept_d BEFORE DELETE ON room_attendance"
    "  BEGIN SELECT RAISE(ABORT, 'attendance is kept'); END;"
    "CREATE TABLE motions ("
    "  id                   INTEGER PRIMARY KEY,"
    "  session_id           INTEGER NOT NULL REFERENCES sessions (id),"
    "  group_id             INTEGER NOT NULL REFERENCES groups (id),"
    "  text                 TEXT NOT NULL CHECK (length(text) >= 1),"
    "  state                TEXT NOT NULL CHECK (state IN ('open', 'closed')),"
    "  poll                 TEXT NOT NULL," /* b40-motion-poll-v1 */
    "  poll_signature       BLOB NOT NULL CHECK (length(poll_signature) = 64),"
    "  fingerprint          BLOB NOT NULL CHECK (length(fingerprint) = 32),"
    "  eligible_keys        TEXT NOT NULL," /* the sorted CITY SPACE KEY LF lines the poll pins */
    "  opened_by            INTEGER REFERENCES people (id),"
    "  opened_at_ms         INTEGER NOT NULL,"
    "  closed_by            INTEGER REFERENCES people (id),"
    "  closed_at_ms         INTEGER,"
    "  result               TEXT," /* JSON: counts, quorum, outcome, roll call */
    "  chain_head           TEXT,"
    "  chain_head_signature BLOB,"
    "  recommendation_id    INTEGER REFERENCES recommendations (id)"
    ") STRICT;"
    "CREATE INDEX motions_session ON motions (session_id, id);"
    "CREATE UNIQUE INDEX motions_one_open ON motions (session_id) WHERE state = 'open';"
    "CREATE TRIGGER motions_kept_d BEFORE DELETE ON motions"
    "  BEGIN SELECT RAISE(ABORT, 'motions are kept'); END;"
    "CREATE TABLE motion_ballots ("
    "  motion_id         INTEGER NOT NULL REFERENCES motions (id),"
    "  seq               INTEGER NOT NULL CHECK (seq >= 1),"
    "  city_id           INTEGER NOT NULL REFERENCES cities (id),"
    "  key_id            INTEGER NOT NULL REFERENCES person_keys (id),"
    "  text              TEXT NOT NULL,"
    "  signature         BLOB NOT NULL CHECK (length(signature) = 64),"
    "  choice            TEXT NOT NULL CHECK (choice IN ('yes', 'no', 'abstain')),"
    "  ballot_hash       BLOB NOT NULL UNIQUE CHECK (length(ballot_hash) = 32),"
    "  chain             BLOB NOT NULL CHECK (length(chain) = 32),"
    "  recorded_at_ms    INTEGER NOT NULL,"
    "  receipt           TEXT NOT NULL,"
    "  receipt_signature BLOB NOT NULL CHECK (length(receipt_signature) = 64),"
    "  PRIMARY KEY (motion_id, seq),"
    "  UNIQUE (motion_id, city_id)"
    ") STRICT;"
    "CREATE TRIGGER motion_ballots_append_only_u BEFORE UPDATE ON motion_ballots"
    "  BEGIN SELECT RAISE(ABORT, 'motion ballots are append-only'); END;"
    "CREATE TRIGGER motion_ballots_append_only_d BEFORE DELETE ON motion_ballots"
    "  BEGIN SELECT RAISE(ABORT, 'motion ballots are append-only'); END;"
    "CREATE TABLE minutes ("
    "  session_id    INTEGER PRIMARY KEY REFERENCES sessions (id),"
    "  markdown      TEXT NOT NULL,"
    "  html          TEXT NOT NULL,"
    "  header        TEXT NOT NULL," /* b40-minutes-v1 */
    "  signature     BLOB NOT NULL CHECK (length(signature) = 64),"
    "  created_at_ms INTEGER NOT NULL"
    ") STRICT;"
    "CREATE TRIGGER minutes_kept_u BEFORE UPDATE ON minutes"
    "  BEGIN SELECT RAISE(ABORT, 'signed minutes are never changed'); END;"
    "CREATE TRIGGER minutes_kept_d BEFORE DELETE ON minutes"
    "  BEGIN SELECT RAISE(ABORT, 'signed minutes are kept'); END;"
    "PRAGMA user_version = 5;",

    /* 6: receipts signed a batch at a time (docs/audit.md "Batch-signed receipts"): the signed Merkle roots,
     * and each ballot's place in its batch; the rows before keep their own receipt signature. The ballots
     * table is rebuilt (SQLite cannot drop a constraint): with the batch columns and their rule, and without
     * the UNIQUE on ballot_hash — the primary key already allows one ballot per city and round, and a ballot's
     * bytes name its election, round and city — whose index, random in the hash, cost a page write a ballot */
    "CREATE TABLE receipt_batches ("
    "  id            INTEGER PRIMARY KEY,"
    "  statement     TEXT NOT NULL,"
    "  signature     BLOB NOT NULL CHECK (length(signature) = 64),"
    "  leaves        INTEGER NOT NULL CHECK (leaves BETWEEN 1 AND 256),"
    "  root          BLOB NOT NULL CHECK (length(root) = 32),"
    "  signed_at_ms  INTEGER NOT NULL"
    ") STRICT;"
    "CREATE TRIGGER receipt_batches_kept_u BEFORE UPDATE ON receipt_batches"
    "  BEGIN SELECT RAISE(ABORT, 'receipt batches are never changed'); END;"
    "CREATE TRIGGER receipt_batches_kept_d BEFORE DELETE ON receipt_batches"
    "  BEGIN SELECT RAISE(ABORT, 'receipt batches are kept'); END;"
    "CREATE TABLE ballots_v6 ("
    "  election_id   INTEGER NOT NULL REFERENCES elections (id),"
    "  round         INTEGER NOT NULL,"
    "  city_id       INTEGER NOT NULL REFERENCES cities (id),"
    "  seq           INTEGER NOT NULL,"
    "  text          TEXT NOT NULL,"
    "  signature     BLOB NOT NULL CHECK (length(signature) = 64),"
    "  key_id        INTEGER NOT NULL REFERENCES person_keys (id),"
    "  choice        TEXT NOT NULL,"
    "  ballot_hash   BLOB NOT NULL CHECK (length(ballot_hash) = 32),"
    "  chain         BLOB NOT NULL CHECK (length(chain) = 32),"
    "  recorded_at_ms INTEGER NOT NULL,"
    "  receipt       TEXT NOT NULL,"
    "  receipt_signature BLOB CHECK (receipt_signature IS NULL OR length(receipt_signature) = 64),"
    /* the batch row is written after its ballots (its root needs them all): checked at commit */
    "  receipt_batch INTEGER REFERENCES receipt_batches (id) DEFERRABLE INITIALLY DEFERRED,"
    "  receipt_index INTEGER CHECK (receipt_index IS NULL OR receipt_index BETWEEN 0 AND 255),"
    "  PRIMARY KEY (election_id, round, city_id),"
    "  UNIQUE (election_id, seq),"
    "  UNIQUE (receipt_batch, receipt_index),"
    "  CHECK ((receipt_batch IS NULL) = (receipt_index IS NULL)"
    "     AND (receipt_batch IS NULL) = (receipt_signature IS NOT NULL)),"
    "  FOREIGN KEY (election_id, round) REFERENCES rounds (election_id, round)"
    ") STRICT;"
    "INSERT INTO ballots_v6 (election_id, round, city_id, seq, text, signature, key_id, choice, ballot_hash, chain,"
    "  recorded_at_ms, receipt, receipt_signature)"
    "  SELECT election_id, round, city_id, seq, text, signature, key_id, choice, ballot_hash, chain,"
    "  recorded_at_ms, receipt, receipt_signature FROM ballots;"
    "DROP TABLE ballots;"
    "ALTER TABLE ballots_v6 RENAME TO ballots;"
    "CREATE TRIGGER ballots_kept_d BEFORE DELETE ON ballots"
    "  BEGIN SELECT RAISE(ABORT, 'ballots are never deleted'); END;"
    "CREATE TRIGGER ballots_kept_u BEFORE UPDATE ON ballots"
    "  BEGIN SELECT RAISE(ABORT, 'ballots are never changed'); END;"
    /* a counter of changes to people and keys, by any writer (the server, the command line): a session
     * checked at a count still current is unchanged, and a ballot's commit need not read it again */
    "CREATE TABLE identity_epoch (id INTEGER PRIMARY KEY CHECK (id = 1), n INTEGER NOT NULL) STRICT;"
    "INSERT INTO identity_epoch (id, n) VALUES (1, 0);"
    "CREATE TRIGGER identity_epoch_people_u AFTER UPDATE ON people"
    "  BEGIN UPDATE identity_epoch SET n = n + 1 WHERE id = 1; END;"
    "CREATE TRIGGER identity_epoch_people_d AFTER DELETE ON people"
    "  BEGIN UPDATE identity_epoch SET n = n + 1 WHERE id = 1; END;"
    "CREATE TRIGGER identity_epoch_keys_u AFTER UPDATE ON person_keys"
    "  BEGIN UPDATE identity_epoch SET n = n + 1 WHERE id = 1; END;"
    "CREATE TRIGGER identity_epoch_keys_d AFTER DELETE ON person_keys"
    "  BEGIN UPDATE identity_epoch SET n = n + 1 WHERE id = 1; END;"
    "CREATE TRIGGER identity_epoch_kept_d BEFORE DELETE ON identity_epoch"
    "  BEGIN SELECT RAISE(ABORT, 'the identity epoch is kept'); END;"
    "PRAGMA user_version = 6;",
};

enum stmt_id {
    ST_HEALTH,
    ST_SERVER_KEY_ADD,
    ST_SERVER_KEY_RETIRE,
    ST_SERVER_KEY_CURRENT,
    ST_HISTORY_ADD,
    ST_BEGIN,
    ST_COMMIT,
    ST_ROLLBACK,
    ST_COUNT
};

_Static_assert(ST_COUNT <= sizeof(((struct store *)0)->stmt) / sizeof(sqlite3_stmt *), "struct store's stmt[] is too small");

static const char *const stmt_sql[ST_COUNT] = {
    [ST_HEALTH] = "SELECT value FROM meta WHERE key = 'application'",
    [ST_SERVER_KEY_ADD] = "INSERT INTO server_keys (public_key, created_at_ms) VALUES (?1, ?2)",
    [ST_SERVER_KEY_RETIRE] = "UPDATE server_keys SET retired_at_ms = ?1 WHERE retired_at_ms IS NULL",
    [ST_SERVER_KEY_CURRENT] = "SELECT public_key FROM server_keys WHERE retired_at_ms IS NULL ORDER BY id DESC LIMIT 1",
    [ST_HISTORY_ADD] = "INSERT INTO history (at_ms, actor_person_id, action, subject, details) VALUES (?1, ?2, ?3, ?4, ?5)",
    [ST_BEGIN] = "BEGIN IMMEDIATE",
    [ST_COMMIT] = "COMMIT",
    [ST_ROLLBACK] = "ROLLBACK",
};


__attribute__((format(printf, 4, 5))) static int fail(char *err, size_t errlen, int status, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return status;
}

/* Runs a constant script of one or more statements. Returns SQLITE_OK or an SQLite code. */
static int exec_script(sqlite3 *db, const char *sql)
{
    const char *tail = sql;
    int rc = SQLITE_OK;

    while (rc == SQLITE_OK && tail && *tail) {
        sqlite3_stmt *st = NULL;
        rc = sqlite3_prepare_v2(db, tail, -1, &st, &tail);
        if (rc != SQLITE_OK || !st)
            break; /* an error, or only whitespace left */
        while ((rc = sqlite3_step(st)) == SQLITE_ROW)
            ;
        if (rc == SQLITE_DONE)
            rc = SQLITE_OK;
        sqlite3_finalize(st);
    }
    return rc;
}

/* Reads one integer pragma (a constant name chosen by this file). */
static int read_int_pragma(sqlite3 *db, const char *sql, int *out)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);

    if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        *out = sqlite3_column_int(st, 0);
        rc = SQLITE_OK;
    }
    sqlite3_finalize(st);
    return rc;
}

static int count_tables(sqlite3 *db, int *out)
{
    return read_int_pragma(db, "SELECT count(*) FROM sqlite_schema", out);
}

static int set_pragmas(sqlite3 *db, char *err, size_t errlen)
{
    sqlite3_stmt *st = NULL;
    const unsigned char *mode;
    int rc;

    /* WAL: readers never block the writer; FULL: a commit is fsync'ed before COMMIT returns. */
    rc = sqlite3_prepare_v2(db, "PRAGMA journal_mode = WAL", -1, &st, NULL);
    if (rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW && (mode = sqlite3_column_text(st, 0)) &&
        !strcmp((const char *)mode, "wal")) {
        sqlite3_finalize(st);
    } else {
        sqlite3_finalize(st);
        return fail(err, errlen, STORE_ERR_SQLITE, "cannot switch the database to WAL mode: %s",
                    sqlite3_errmsg(db));
    }
    /* cache_size: a summit-sized vote writes ballots faster than SQLite's default 2 MiB page cache
     * holds them, and each miss is a pread(2); 64 MiB keeps the hot pages (the ballots' index, the
     * tail of the chain) in memory. */
    rc = exec_script(db, "PRAGMA synchronous = FULL;"
                         "PRAGMA foreign_keys = ON;"
                         "PRAGMA trusted_schema = OFF;"
                         "PRAGMA cache_size = -65536;");
    if (rc != SQLITE_OK)
        return fail(err, errlen, STORE_ERR_SQLITE, "cannot configure the database: %s", sqlite3_errmsg(db));
    sqlite3_busy_timeout(db, 5000);
    return STORE_OK;
}

static int migrate(struct store *st, char *err, size_t errlen)
{
    int from = st->schema_version;

    for (int v = st->schema_version; v < STORE_SCHEMA_VERSION; v++) {
        int rc = exec_script(st->db, "BEGIN IMMEDIATE");
        if (rc == SQLITE_OK)
            rc = exec_script(st->db, migrations[v]);
        if (rc == SQLITE_OK)
            rc = exec_script(st->db, "COMMIT");
        if (rc != SQLITE_OK) {
            char msg[256];
            snprintf(msg, sizeof(msg), "%s", sqlite3_errmsg(st->db));
            (void)exec_script(st->db, "ROLLBACK");
            snprintf(err, errlen, "migration to schema version %d failed: %s", v + 1, msg);
            return STORE_ERR_SQLITE;
        }
        st->schema_version = v + 1;
        if (from > 0) /* an upgrade, not a new file */
            log_info("store: database schema upgraded to version %d", st->schema_version);
    }
    return STORE_OK;
}

/* Every part's statements, in enum store_part's order. */
static const struct {
    const char *const *sql;
    const size_t *n;
} part_sql[STORE_PART_COUNT] = {
    [STORE_PART_IDENTITY] = {store_identity_sql, &store_identity_sql_count},
    [STORE_PART_REGISTRY] = {store_registry_sql, &store_registry_sql_count},
    [STORE_PART_SUMMIT] = {store_summit_sql, &store_summit_sql_count},
    [STORE_PART_ELECTION] = {store_election_sql, &store_election_sql_count},
    [STORE_PART_GROUPS] = {store_groups_sql, &store_groups_sql_count},
    [STORE_PART_ROOM] = {store_room_sql, &store_room_sql_count},
};
/*
 * Before SQLite's first use in the process: a connection is only ever used by
 * one thread (the service thread; the signature workers never touch the
 * store), so SQLite needs no mutex around each connection's calls, and no
 * memory statistics (each allocation would take a global mutex for them).
 * Both are SQLite's documented settings for speed; a process that used
 * SQLite before (a test) keeps its defaults, which are safe as well.
 */
static pthread_once_t sqlite_once = PTHREAD_ONCE_INIT;

static void configure_sqlite(void)
{
    (void)sqlite3_config(SQLITE_CONFIG_MULTITHREAD);
    (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

int store_open(struct store **out, const char *path, enum store_mode mode, char *err, size_t errlen)
{
    struct store *st = NULL;
    struct stat sb;
    int rc, app_id = 0, tables = 0, status;

    *out = NULL;
    (void)pthread_once(&sqlite_once, configure_sqlite);
    if (mode == STORE_CREATE) {
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd < 0)
            return errno == EEXIST ? fail(err, errlen, STORE_ERR_EXISTS, "database %s already exists", path)
                               : fail(err, errlen, STORE_ERR_SQLITE, "cannot create database %s: %s", path, strerror(errno));
        close(fd);
    } else if (stat(path, &sb) != 0) {
        return fail(err, errlen, STORE_ERR_MISSING, "database %s does not exist (create it with: b40 init --db %s)",
                    path, path);
    }
    st = calloc(1, sizeof(*st));
    if (!st)
        return fail(err, errlen, STORE_ERR_SQLITE, "out of memory");
    rc = sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE, NULL);
    if (rc != SQLITE_OK) {
        status = fail(err, errlen, STORE_ERR_SQLITE, "cannot open database %s: %s", path,
                      st->db ? sqlite3_errmsg(st->db) : sqlite3_errstr(rc));
        goto out;
    }
    sqlite3_extended_result_codes(st->db, 1);
    if (read_int_pragma(st->db, "PRAGMA user_version", &st->schema_version) != SQLITE_OK ||
        read_int_pragma(st->db, "PRAGMA application_id", &app_id) != SQLITE_OK ||
        count_tables(st->db, &tables) != SQLITE_OK) {
        status = fail(err, errlen, STORE_ERR_NOT_B40, "cannot read %s as an SQLite database: %s", path,
                      sqlite3_errmsg(st->db));
        goto out;
    }
    if (st->schema_version > STORE_SCHEMA_VERSION) {
        snprintf(err, errlen, "database %s has schema version %d, newer than this server's %d: upgrade b40", path,
                 st->schema_version, STORE_SCHEMA_VERSION);
        status = STORE_ERR_TOO_NEW;
        goto out;
    }
    if ((st->schema_version > 0 && (unsigned)app_id != STORE_APPLICATION_ID) ||
        (st->schema_version == 0 && tables > 0)) {
        status = fail(err, errlen, STORE_ERR_NOT_B40, "%s is an SQLite database but not a B40 one", path);
        goto out;
    }
    if ((status = set_pragmas(st->db, err, errlen)) != STORE_OK)
        goto out;
    if ((status = migrate(st, err, errlen)) != STORE_OK)
        goto out;
    for (int i = 0; i < ST_COUNT; i++) {
        if (sqlite3_prepare_v3(st->db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &st->stmt[i], NULL) != SQLITE_OK) {
            status = fail(err, errlen, STORE_ERR_SQLITE, "cannot prepare a statement: %s", sqlite3_errmsg(st->db));
            goto out;
        }
    }
    for (int i = 0; i < STORE_PART_COUNT; i++) {
        if (!(st->part[i] = calloc(*part_sql[i].n, sizeof(*st->part[i])))) {
            status = fail(err, errlen, STORE_ERR_SQLITE, "out of memory");
            goto out;
        }
        if (store_prepare_all(st, part_sql[i].sql, st->part[i], *part_sql[i].n) != 0) {
            status = fail(err, errlen, STORE_ERR_SQLITE, "cannot prepare a statement: %s", sqlite3_errmsg(st->db));
            goto out;
        }
    }
    *out = st;
    return STORE_OK;
out:
    store_close(st);
    return status;
}

void store_close(struct store *st)
{
    if (!st)
        return;
    for (int i = 0; i < ST_COUNT; i++)
        sqlite3_finalize(st->stmt[i]);
    for (int i = 0; i < STORE_PART_COUNT; i++) {
        if (st->part[i])
            store_finalize_all(st->part[i], *part_sql[i].n);
        free(st->part[i]);
    }
    if (st->db && sqlite3_close(st->db) != SQLITE_OK)
        log_error("store: closing the database failed: %s", sqlite3_errmsg(st->db));
    free(st);
}

int store_schema_version(const struct store *st)
{
    return st->schema_version;
}

const char *store_migration_sql(int version)
{
    return version >= 1 && version <= STORE_SCHEMA_VERSION ? migrations[version - 1] : NULL;
}

const char *store_errmsg(const struct store *st)
{
    return st && st->db ? sqlite3_errmsg(st->db) : "no database";
}

int store_check_readable(struct store *st, char *err, size_t errlen)
{
    sqlite3_stmt *s = st->stmt[ST_HEALTH];
    int rc = sqlite3_step(s), ok;

    ok = rc == SQLITE_ROW && sqlite3_column_text(s, 0) && !strcmp((const char *)sqlite3_column_text(s, 0), "b40");
    if (!ok)
        snprintf(err, errlen, "%s", rc == SQLITE_ROW || rc == SQLITE_DONE ? "the database has lost its identification row"
                                                                          : sqlite3_errmsg(st->db));
    sqlite3_reset(s);
    return ok ? 0 : -1;
}

int store_step_done(sqlite3_stmt *s)
{
    int rc = sqlite3_step(s);

    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    return rc == SQLITE_DONE ? 0 : -1;
}

void store_stmt_done(sqlite3_stmt *s)
{
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
}

int store_step_write(struct store *st, sqlite3_stmt *s, const char *what)
{
    int rc = sqlite3_step(s), result = 0;

    if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
        result = STORE_CONFLICT;
    } else if (rc != SQLITE_DONE) {
        log_error("store: %s failed: %s", what, sqlite3_errmsg(st->db));
        result = -1;
    }
    store_stmt_done(s);
    return result;
}

int store_write_changed(struct store *st, sqlite3_stmt *s)
{
    if (store_step_done(s) != 0) {
        log_error("store: %s", sqlite3_errmsg(st->db));
        return -1;
    }
    return sqlite3_changes(st->db) > 0 ? 0 : 1;
}

int store_chain_tail(struct store *st, sqlite3_stmt *s, int64_t owner, int64_t *seq, uint8_t chain[32])
{
    int rc;

    *seq = 0;
    sqlite3_bind_int64(s, 1, owner);
    if ((rc = store_row(st, s)) != 0)
        return rc < 0 ? -1 : 0;
    *seq = sqlite3_column_int64(s, 0);
    store_col_blob(s, 1, chain, 32);
    store_stmt_done(s);
    return 0;
}

int store_row(struct store *st, sqlite3_stmt *s)
{
    int rc = sqlite3_step(s);

    if (rc == SQLITE_ROW)
        return 0;
    if (rc != SQLITE_DONE)
        log_error("store: %s", sqlite3_errmsg(st->db));
    store_stmt_done(s);
    return rc == SQLITE_DONE ? 1 : -1;
}

int store_read_failed(struct store *st, const char *what)
{
    log_error("store: reading %s failed: %s", what, sqlite3_errmsg(st->db));
    return -1;
}

int store_col_text(sqlite3_stmt *s, int col, char *buf, size_t size, bool nullable)
{
    const unsigned char *t;
    int n;

    if (sqlite3_column_type(s, col) == SQLITE_NULL) {
        buf[0] = '\0';
        return nullable ? 0 : -1;
    }
    t = sqlite3_column_text(s, col);
    n = sqlite3_column_bytes(s, col);
    if (!t || n < 0 || (size_t)n >= size || memchr(t, '\0', (size_t)n))
        return -1;
    memcpy(buf, t, (size_t)n);
    buf[n] = '\0';
    return 0;
}

void store_col_text_cut(sqlite3_stmt *s, int col, char *out, size_t outlen)
{
    const unsigned char *t = sqlite3_column_text(s, col);
    size_t n = t ? (size_t)sqlite3_column_bytes(s, col) : 0;

    if (n >= outlen)
        n = outlen - 1;
    if (n)
        memcpy(out, t, n);
    out[n] = '\0';
}

void store_col_blob(sqlite3_stmt *s, int col, uint8_t *out, size_t len)
{
    memset(out, 0, len);
    if ((size_t)sqlite3_column_bytes(s, col) == len)
        memcpy(out, sqlite3_column_blob(s, col), len);
}

char *store_col_strdup(sqlite3_stmt *s, int col)
{
    const unsigned char *t = sqlite3_column_text(s, col);

    return t ? strdup((const char *)t) : NULL;
}

void store_bind_id_or_null(sqlite3_stmt *s, int col, int64_t id)
{
    if (id > 0)
        sqlite3_bind_int64(s, col, id);
    else
        sqlite3_bind_null(s, col);
}

int store_grow(void **arr, size_t *cap, size_t n, size_t size, size_t max)
{
    size_t want;
    void *p;

    if (n < *cap)
        return 0;
    if (n >= max) {
        log_error("store: a list is longer than %zu rows", max);
        return -1;
    }
    want = *cap ? *cap * 2 : 16;
    if (want > max)
        want = max;
    p = realloc(*arr, want * size);
    if (!p)
        return -1;
    *arr = p;
    *cap = want;
    return 0;
}

int store_collect(struct store *st, sqlite3_stmt *s, size_t size, size_t max, int (*read)(sqlite3_stmt *s, void *elem),
                  const char *what, void **out, size_t *n)
{
    char *arr = NULL;
    size_t count = 0, cap = 0;
    int rc, result = 0;

    *out = NULL;
    *n = 0;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (store_grow((void **)&arr, &cap, count, size, max) != 0 || read(s, arr + count * size) != 0) {
            log_error("store: listing %s failed (memory, or a damaged row)", what);
            result = -1;
            break;
        }
        count++;
    }
    if (result == 0 && rc != SQLITE_DONE)
        result = store_read_failed(st, what);
    store_stmt_done(s);
    if (result != 0) {
        free(arr);
        return -1;
    }
    *out = arr;
    *n = count;
    return 0;
}

int store_history_add_json(struct store *st, int64_t actor, const char *action, const char *subject,
                           struct json_object *obj)
{
    const int flags = JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE;
    const char *text = obj ? json_object_to_json_string_ext(obj, flags) : NULL;
    int rc = text ? store_history_add(st, actor, action, subject, text) : -1;

    if (!text)
        log_error("store: out of memory writing the history of %s", action);
    json_object_put(obj);
    return rc;
}

int store_prepare_all(struct store *st, const char *const *sql, sqlite3_stmt **out, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (sqlite3_prepare_v3(st->db, sql[i], -1, SQLITE_PREPARE_PERSISTENT, &out[i], NULL) != SQLITE_OK) {
            log_error("store: cannot prepare [%s]: %s", sql[i], sqlite3_errmsg(st->db));
            return -1;
        }
    return 0;
}

void store_finalize_all(sqlite3_stmt **stmts, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        sqlite3_finalize(stmts[i]);
        stmts[i] = NULL;
    }
}

int store_begin(struct store *st)
{
    if (store_step_done(st->stmt[ST_BEGIN]) != 0) {
        log_error("store: BEGIN failed: %s", sqlite3_errmsg(st->db));
        return -1;
    }
    return 0;
}

int store_commit(struct store *st)
{
    if (store_step_done(st->stmt[ST_COMMIT]) != 0) {
        log_error("store: COMMIT failed: %s", sqlite3_errmsg(st->db));
        store_rollback(st);
        return -1;
    }
    return 0;
}

void store_rollback(struct store *st)
{
    if (!sqlite3_get_autocommit(st->db))
        (void)store_step_done(st->stmt[ST_ROLLBACK]);
}

int store_history_add(struct store *st, int64_t actor_person_id, const char *action, const char *subject,
                      const char *details_json)
{
    sqlite3_stmt *s = st->stmt[ST_HISTORY_ADD];

    sqlite3_bind_int64(s, 1, timeutil_now_ms());
    if (actor_person_id > 0)
        sqlite3_bind_int64(s, 2, actor_person_id);
    sqlite3_bind_text(s, 3, action, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, subject, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 5, details_json ? details_json : "{}", -1, SQLITE_STATIC);
    if (store_step_done(s) != 0) {
        log_error("store: history append failed: %s", sqlite3_errmsg(st->db));
        return -1;
    }
    return 0;
}

int store_server_key_add(struct store *st, const uint8_t public_key[32], int64_t created_ms)
{
    if (store_step_done(st->stmt[ST_BEGIN]) != 0)
        return -1;
    sqlite3_bind_int64(st->stmt[ST_SERVER_KEY_RETIRE], 1, created_ms);
    sqlite3_bind_blob(st->stmt[ST_SERVER_KEY_ADD], 1, public_key, 32, SQLITE_STATIC);
    sqlite3_bind_int64(st->stmt[ST_SERVER_KEY_ADD], 2, created_ms);
    if (store_step_done(st->stmt[ST_SERVER_KEY_RETIRE]) != 0 || store_step_done(st->stmt[ST_SERVER_KEY_ADD]) != 0 ||
        store_step_done(st->stmt[ST_COMMIT]) != 0) {
        log_error("store: recording the server key failed: %s", sqlite3_errmsg(st->db));
        (void)store_step_done(st->stmt[ST_ROLLBACK]);
        return -1;
    }
    return 0;
}

int store_server_key_current(struct store *st, uint8_t public_key[32])
{
    sqlite3_stmt *s = st->stmt[ST_SERVER_KEY_CURRENT];
    int rc = sqlite3_step(s), result;

    if (rc == SQLITE_ROW && sqlite3_column_bytes(s, 0) == 32) {
        memcpy(public_key, sqlite3_column_blob(s, 0), 32);
        result = 0;
    } else {
        result = rc == SQLITE_DONE ? 1 : -1;
    }
    sqlite3_reset(s);
    return result;
}
