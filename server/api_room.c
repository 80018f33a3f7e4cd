/*
 * api_room: the live working-group session and its motions
 * (docs/protocol.md "Working-group sessions: the live room"): session.start,
 * session.close, session.minutes, room.* and motion.*. The room's rules are
 * in room.c (plain C) and the counting rule in motion.c; this file loads a
 * live session's room (rebuilding it from the stored events after a
 * restart), checks who may act (the chair is the session's chair, or the
 * secretariat, which may always act as chair), stores every event before
 * anyone sees it and fans it out to the room through env->publish. Motion
 * ballots are signed like election ballots (docs/audit.md "Motions"),
 * checked on this thread (a group has at most a few dozen cities) and
 * recorded one per transaction, each receipt sent after its commit.
 * Service thread.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <sodium.h>

#include "api_internal.h"
#include "b40/ballot.h"
#include "b40/identity.h"
#include "b40/log.h"
#include "b40/membership.h"
#include "b40/minutes.h"
#include "b40/motion.h"
#include "b40/ratelimit.h"
#include "b40/room.h"
#include "b40/room_http.h"
#include "b40/serverkey.h"
#include "b40/store.h"
#include "b40/store_groups.h"
#include "b40/store_identity.h"
#include "b40/store_room.h"
#include "b40/timeutil.h"

#define JOIN_BURST 30         /* room.join per person ... */
#define JOIN_WINDOW_MS 60000  /* ... per minute */
#define JSON_FLAGS (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

/* A live session's room and the facts of its session that do not change while it is live. */
struct live_room {
    struct room *room;
    int64_t session, group_id, chair; /* chair 0: the secretariat */
    char group_code[GROUP_CODE_SIZE];
};

struct api_rooms {
    struct live_room *v;
    size_t n, cap;
    bool stopped; /* the server is stopping: no room opens again */
};

/* ---- the registry of live rooms ---- */

static struct api_rooms *registry(struct api_env *env)
{
    if (!env->rooms)
        env->rooms = calloc(1, sizeof(*env->rooms));
    return env->rooms;
}

static struct live_room *find_live(struct api_env *env, int64_t session)
{
    if (!env->rooms)
        return NULL;
    for (size_t i = 0; i < env->rooms->n; i++)
        if (env->rooms->v[i].session == session)
            return &env->rooms->v[i];
    return NULL;
}

static void drop_live(struct api_env *env, int64_t session)
{
    struct api_rooms *rs = env->rooms;

    for (size_t i = 0; rs && i < rs->n; i++) {
        if (rs->v[i].session == session) {
            room_destroy(rs->v[i].room);
            rs->v[i] = rs->v[--rs->n];
            return;
        }
    }
}

void api_rooms_destroy(struct api_env *env)
{
    if (!env->rooms)
        return;
    for (size_t i = 0; i < env->rooms->n; i++)
        room_destroy(env->rooms->v[i].room);
    free(env->rooms->v);
    free(env->rooms);
    env->rooms = NULL;
}

/* ---- small helpers ---- */

static const char *ev_str(struct json_object *ev, const char *key)
{
    struct json_object *v;

    return json_object_object_get_ex(ev, key, &v) && json_object_is_type(v, json_type_string) ? json_object_get_string(v)
                                                                                             : NULL;
}

static int64_t ev_int(struct json_object *ev, const char *key)
{
    struct json_object *v;

    return json_object_object_get_ex(ev, key, &v) && json_object_is_type(v, json_type_int) ? json_object_get_int64(v) : 0;
}

/* Where the value of the line "name: value" of a signed text starts, and its length. NULL when absent. */
static const char *text_line(const char *text, const char *name, size_t *len)
{
    size_t n = strlen(name);

    for (const char *p = text; p && *p;) {
        const char *nl = strchr(p, '\n');
        if (!strncmp(p, name, n) && p[n] == ':' && p[n + 1] == ' ') {
            *len = nl ? (size_t)(nl - p - n - 2) : strlen(p + n + 2);
            return p + n + 2;
        }
        p = nl ? nl + 1 : NULL;
    }
    *len = 0;
    return NULL;
}

/* Whether code is an item of a comma-joined list of len bytes. */
static bool in_list(const char *list, size_t len, const char *code)
{
    size_t n = strlen(code);

    for (size_t i = 0; list && i < len;) {
        size_t j = i;
        while (j < len && list[j] != ',')
            j++;
        if (j - i == n && !memcmp(list + i, code, n))
            return true;
        i = j + 1;
    }
    return false;
}

/* A comma-joined list of len bytes as a JSON array of strings. */
static struct json_object *list_json(const char *list, size_t len)
{
    struct json_object *a = json_object_new_array();

    for (size_t i = 0; list && i < len;) {
        size_t j = i;
        while (j < len && list[j] != ',')
            j++;
        if (j > i)
            json_object_array_add(a, json_object_new_string_len(list + i, (int)(j - i)));
        i = j + 1;
    }
    return a;
}

/* Appends a history entry whose details are obj (consumed). 0 or -1. */
static int history(struct api_env *env, int64_t actor, const char *action, int64_t session, struct json_object *obj)
{
    char subject[48];
    const char *text = obj ? json_object_to_json_string_ext(obj, JSON_FLAGS) : NULL;
    int rc;

    snprintf(subject, sizeof(subject), "session:%lld", (long long)session);
    rc = text ? store_history_add(env->store, actor, action, subject, text) : -1;
    json_object_put(obj);
    return rc;
}

static bool is_chair(const struct api_conn *conn, int64_t chair_person)
{
    return (conn->roles & ROLES_SECRETARIAT) || (chair_person && conn->person_id == chair_person);
}

static int room_error(struct proto_error *err, enum room_status s, int64_t retry_after_ms)
{
    const char *code = room_status_code(s);

    switch (s) {
    case ROOM_ERR_NOT_CHAIR:
        return api_fail(err, code, NULL, "only the chair may do this");
    case ROOM_ERR_NOT_SPEAKER:
        return api_fail(err, code, NULL, "only the chair or the speaker may end the floor");
    case ROOM_ERR_NOT_PRESENT:
        return api_fail(err, code, "person", "that person is not in the room");
    case ROOM_ERR_HAND_RAISED:
        return api_fail(err, code, NULL, "your hand is raised already (one place in the queue per person)");
    case ROOM_ERR_HAND_NOT_RAISED:
        return api_fail(err, code, "person", "that person's hand is not raised");
    case ROOM_ERR_BAD_ITEM:
        return api_fail(err, code, "item", "no such agenda item");
    case ROOM_ERR_QUEUE_EMPTY:
        return api_fail(err, code, "person", "nobody is waiting to speak");
    case ROOM_ERR_NO_FLOOR:
        return api_fail(err, code, NULL, "nobody holds the floor");
    case ROOM_ERR_NO_MESSAGE:
        return api_fail(err, code, "message", "no such chat message in the room's history");
    case ROOM_ERR_BAD_TEXT:
        return api_fail(err, code, "text",
                        "a chat message is 1 to %d bytes of text with a visible character and no control character "
                        "but the line feed",
                        ROOM_CHAT_MAX);
    case ROOM_ERR_RATE_LIMITED:
        return api_fail(err, code, NULL, "too many messages; try again in %lld seconds",
                        (long long)((retry_after_ms + 999) / 1000));
    case ROOM_ERR_FULL:
        return api_fail(err, code, "session", "the room is full");
    case ROOM_ERR_CLOSED:
        return api_fail(err, code, "session", "the session has closed");
    case ROOM_ERR_NOMEM:
    case ROOM_OK:
        break;
    }
    return api_internal_error(err, "changing the room");
}

/* ---- storing and sending events ---- */

/* Sends one recorded event to everyone in the room. */
static void publish(struct api_env *env, int64_t session, struct json_object *ev)
{
    struct json_object *f;

    if (!env->publish || !env->room_conns)
        return;
    f = json_object_new_object();
    json_object_object_add(f, "session", json_object_new_int64(session));
    json_object_object_add(f, "room_event", json_object_get(ev));
    env->publish(env->hub, API_ROOM_TOPIC(session), "room.event", f);
    json_object_put(f);
}

/* What a step writes besides its events, inside their transaction. 0, or -1 with err. */
typedef int (*in_txn_fn)(struct api_env *env, struct live_room *lr, void *ctx, struct proto_error *err);

/*
 * Stores n events (consumed) of a room in one transaction together with
 * what extra() writes (it runs first, so it may still add members to the
 * events), and each presence event's attendance interval. Only after the
 * commit are they recorded in the room and sent. 0, or -1 with err filled
 * (nothing was written, the room is unchanged).
 */
static int commit_events(struct api_env *env, struct live_room *lr, struct json_object **evs, size_t n, int64_t now,
                         in_txn_fn extra, void *ctx, struct proto_error *err)
{
    int rc = 0;

    if (store_begin(env->store) != 0) {
        for (size_t i = 0; i < n; i++)
            json_object_put(evs[i]);
        return api_internal_error(err, "starting a transaction");
    }
    if (extra && extra(env, lr, ctx, err) != 0)
        rc = -1;
    for (size_t i = 0; !rc && i < n; i++) {
        uint64_t seq = room_stamp(lr->room, evs[i], i);
        const char *kind = ev_str(evs[i], "kind"), *text = json_object_to_json_string_ext(evs[i], JSON_FLAGS);
        int64_t person = ev_int(evs[i], "person");
        int w = kind && text ? store_room_event_add(env->store, lr->session, seq, kind, text, now) : -1;
        if (w != 0) {
            log_error("room: session %lld: event %llu (%s) could not be stored (%d)", (long long)lr->session,
                      (unsigned long long)seq, kind ? kind : "?", w);
            rc = api_internal_error(err, "storing a room event");
        } else if (!strcmp(kind, "presence.join")) {
            if (store_room_attendance_open(env->store, lr->session, person, room_person_city(lr->room, person), now) != 0)
                rc = api_internal_error(err, "recording attendance");
        } else if (!strcmp(kind, "presence.leave")) {
            if (store_room_attendance_close(env->store, lr->session, person, now, ev_str(evs[i], "reason")) < 0)
                rc = api_internal_error(err, "recording attendance");
        } else if (!strcmp(kind, "presence.clear")) {
            struct json_object *persons = json_object_object_get(evs[i], "persons");
            for (size_t k = 0; !rc && k < json_object_array_length(persons); k++)
                if (store_room_attendance_close(env->store, lr->session,
                                                json_object_get_int64(json_object_array_get_idx(persons, k)), now,
                                                ev_str(evs[i], "reason")) < 0)
                    rc = api_internal_error(err, "recording attendance");
        }
    }
    if (!rc && store_commit(env->store) != 0)
        rc = api_internal_error(err, "committing");
    if (rc) {
        store_rollback(env->store);
        for (size_t i = 0; i < n; i++)
            json_object_put(evs[i]);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        struct json_object *ev = json_object_get(evs[i]);
        if (room_record(lr->room, evs[i], now) != 0)
            log_error("room: session %lld: a stored event could not be recorded", (long long)lr->session);
        else
            publish(env, lr->session, ev);
        json_object_put(ev);
    }
    return 0;
}

/* Stores one event with no other writes. */
static int commit_one(struct api_env *env, struct live_room *lr, struct json_object *ev, int64_t now,
                      struct proto_error *err)
{
    return commit_events(env, lr, &ev, 1, now, NULL, NULL, err);
}

/* ---- loading a room ---- */

static int load_session(struct api_env *env, int64_t id, struct group_session *s, struct proto_error *err)
{
    int rc = store_session_get(env->store, id, s);

    if (rc < 0)
        return api_internal_error(err, "reading the session");
    if (rc > 0)
        return api_fail(err, "not_found", "session", "no such session");
    return 0;
}

struct replay_ctx {
    struct room *room;
    int64_t session;
};

static int replay_one(void *ctx, const struct store_room_event *e)
{
    struct replay_ctx *c = ctx;
    struct json_object *ev = json_tokener_parse(e->data);

    if (room_record(c->room, ev, e->at_ms) != 0) {
        log_error("room: session %lld: stored event %llu cannot be replayed", (long long)c->session,
                  (unsigned long long)e->seq);
        return -1;
    }
    return 0;
}

/* The agenda titles of a session (JSON array text) as a malloc'd array of strings in *json (kept alive by it). */
static size_t agenda_items(const char *agenda_json, struct json_object **json, const char **items, size_t max)
{
    size_t n = 0;

    *json = json_tokener_parse(agenda_json);
    if (!*json || !json_object_is_type(*json, json_type_array))
        return 0;
    for (size_t i = 0; i < json_object_array_length(*json) && n < max; i++) {
        struct json_object *v = json_object_array_get_idx(*json, i);
        if (json_object_is_type(v, json_type_string))
            items[n++] = json_object_get_string(v);
    }
    return n;
}

/*
 * The room of a live session: the one in memory, or rebuilt from the stored
 * events (after a restart: everyone the log still shows present leaves,
 * "restart", since no connection survived). NULL with err.
 */
static struct live_room *open_room(struct api_env *env, const struct group_session *s, struct proto_error *err)
{
    struct live_room *lr = find_live(env, s->id);
    struct api_rooms *rs;
    struct json_object *agenda = NULL, *clear = NULL;
    const char *items[ROOM_AGENDA_MAX];
    struct replay_ctx rc;
    size_t nitems;
    int64_t now = timeutil_now_ms();

    if (lr)
        return lr;
    if (!(rs = registry(env))) {
        api_internal_error(err, "opening the room");
        return NULL;
    }
    if (rs->stopped) {
        api_fail(err, "not_live", "session", "the server is stopping");
        return NULL;
    }
    if (strcmp(s->state, "live")) {
        api_fail(err, "not_live", "session", "the session is %s, not live", s->state);
        return NULL;
    }
    nitems = agenda_items(s->agenda_json, &agenda, items, ROOM_AGENDA_MAX);
    rc.room = room_create(s->id, items, nitems);
    rc.session = s->id;
    json_object_put(agenda);
    if (!rc.room || store_room_events_each(env->store, s->id, replay_one, &rc) != 0 ||
        (rs->n == rs->cap && !(rs->v = realloc(rs->v, (rs->cap = rs->cap ? rs->cap * 2 : 8) * sizeof(*rs->v))))) {
        room_destroy(rc.room);
        api_internal_error(err, "rebuilding the room");
        return NULL;
    }
    lr = &rs->v[rs->n++];
    memset(lr, 0, sizeof(*lr));
    lr->room = rc.room;
    lr->session = s->id;
    lr->group_id = s->group_id;
    lr->chair = s->chair_person_id;
    snprintf(lr->group_code, sizeof(lr->group_code), "%s", s->group_code);
    if (room_seq(lr->room))
        log_info("room: session %lld rebuilt from %llu stored events", (long long)s->id,
                 (unsigned long long)room_seq(lr->room));
    if (room_leave_all(lr->room, "restart", now, &clear) != 0 || (clear && commit_one(env, lr, clear, now, err) != 0)) {
        drop_live(env, s->id);
        api_internal_error(err, "closing the attendance of before the restart");
        return NULL;
    }
    return lr;
}

/* The room this connection is in, for the session the request names. NULL with err. */
static struct live_room *my_room(struct api_env *env, struct api_conn *conn, const struct proto_request *req,
                                 struct proto_error *err)
{
    int64_t sid = api_int(req, "session", 0);
    struct live_room *lr;

    if (conn->room_session != sid || !(lr = find_live(env, sid)) || !conn->person_id ||
        room_conn_person(lr->room, conn->id) != conn->person_id) {
        api_fail(err, "not_in_room", "session", "join the session's room first (room.join)");
        return NULL;
    }
    return lr;
}

/* Takes the connection out of its room; the others see the person leave when it was their last device. */
static void leave_current(struct api_env *env, struct api_conn *conn, const char *reason)
{
    struct live_room *lr;
    struct json_object *ev = NULL;
    struct proto_error e;
    int64_t now = timeutil_now_ms();

    if (!conn->room_session)
        return;
    lr = find_live(env, conn->room_session);
    conn->room_session = 0; /* first: the leaver does not get its own event */
    if (!lr)
        return;
    if (room_detach(lr->room, conn->id, reason, now, &ev) && env->room_conns)
        env->room_conns--;
    if (ev && commit_one(env, lr, ev, now, &e) != 0)
        log_error("room: session %lld: a leave could not be recorded", (long long)lr->session);
}

void api_conn_closed(struct api_env *env, struct api_conn *conn)
{
    leave_current(env, conn, "disconnect");
}

void api_room_signed_out(struct api_env *env, struct api_conn *conn)
{
    leave_current(env, conn, "leave");
}

void api_rooms_stop(struct api_env *env)
{
    struct api_rooms *rs = registry(env);
    int64_t now = timeutil_now_ms();

    if (!rs)
        return;
    for (size_t i = 0; i < rs->n; i++) {
        struct json_object *clear = NULL;
        struct proto_error e;
        if (room_leave_all(rs->v[i].room, "stop", now, &clear) != 0 ||
            (clear && commit_one(env, &rs->v[i], clear, now, &e) != 0))
            log_error("room: session %lld: the leaves at shutdown could not be recorded", (long long)rs->v[i].session);
    }
    for (size_t i = 0; i < rs->n; i++)
        room_destroy(rs->v[i].room);
    rs->n = 0;
    rs->stopped = true;
    env->room_conns = 0;
}

/* ---- objects ---- */

static struct json_object *motion_json(struct api_env *env, const struct store_motion *m)
{
    struct json_object *o = json_object_new_object();
    const char *eligible;
    size_t elen = 0, nballots = 0;
    struct store_motion_ballot *ballots = NULL;

    json_object_object_add(o, "id", json_object_new_int64(m->id));
    json_object_object_add(o, "session", json_object_new_int64(m->session_id));
    json_object_object_add(o, "text", json_object_new_string(m->text));
    json_object_object_add(o, "state", json_object_new_string(m->state));
    json_object_object_add(o, "poll", json_object_new_string(m->poll));
    api_add_hex(o, "poll_signature", m->poll_signature, 64);
    api_add_hex(o, "fingerprint", m->fingerprint, 32);
    api_add_time(o, "opened", m->opened_ms);
    eligible = text_line(m->poll, "eligible", &elen);
    json_object_object_add(o, "eligible", list_json(eligible, elen));
    if (store_motion_ballots(env->store, m->id, &ballots, &nballots) == 0) {
        struct json_object *voted = json_object_new_array();
        for (size_t i = 0; i < nballots; i++)
            json_object_array_add(voted, json_object_new_string(ballots[i].city));
        json_object_object_add(o, "voted", voted); /* which cities, not how: that is shown at close */
        free(ballots);
    }
    if (m->closed_ms) {
        api_add_time(o, "closed", m->closed_ms);
        json_object_object_add(o, "result", m->result ? json_tokener_parse(m->result) : NULL);
        json_object_object_add(o, "chain_head", m->chain_head ? json_object_new_string(m->chain_head) : NULL);
        api_add_hex(o, "chain_head_signature", m->chain_head_signature, 64);
        json_object_object_add(o, "recommendation",
                               m->recommendation_id ? json_object_new_int64(m->recommendation_id) : NULL);
    }
    return o;
}

/* The open motion of a session as JSON, or JSON null. */
static struct json_object *open_motion_json(struct api_env *env, int64_t session)
{
    struct store_motion m;
    struct json_object *o = NULL;
    int64_t id;

    if (store_motion_open_of_session(env->store, session, &id) == 0 && store_motion_get(env->store, id, &m) == 0) {
        o = motion_json(env, &m);
        store_motion_free(&m);
    }
    return o;
}

/* ---- the minutes ---- */

struct facts_ctx {
    struct minutes_speaker *speakers;
    size_t nspeakers, cap;
    char **strings; /* copies the speakers point into */
    size_t nstrings, scap;
    int64_t opened_ms, closed_ms;
    bool failed;
};

static const char *keep(struct facts_ctx *f, const char *s)
{
    char *copy;

    if (f->nstrings == f->scap) {
        size_t cap = f->scap ? f->scap * 2 : 64;
        char **v = realloc(f->strings, cap * sizeof(*v));
        if (!v) {
            f->failed = true;
            return "";
        }
        f->strings = v;
        f->scap = cap;
    }
    if (!(copy = strdup(s ? s : ""))) {
        f->failed = true;
        return "";
    }
    f->strings[f->nstrings++] = copy;
    return copy;
}

/* Reads the log for the minutes: when the session opened and closed, and every floor given. */
static int collect_facts(void *ctx, const struct store_room_event *e)
{
    struct facts_ctx *f = ctx;
    struct json_object *ev;

    if (!strcmp(e->kind, "session.start") && !f->opened_ms)
        f->opened_ms = e->at_ms;
    if (!strcmp(e->kind, "session.close"))
        f->closed_ms = e->at_ms;
    if (strcmp(e->kind, "floor.give"))
        return 0;
    if (!(ev = json_tokener_parse(e->data)))
        return 0;
    if (f->nspeakers == f->cap) {
        size_t cap = f->cap ? f->cap * 2 : 32;
        struct minutes_speaker *v = realloc(f->speakers, cap * sizeof(*v));
        if (!v) {
            json_object_put(ev);
            f->failed = true;
            return -1;
        }
        f->speakers = v;
        f->cap = cap;
    }
    f->speakers[f->nspeakers].at_ms = e->at_ms;
    f->speakers[f->nspeakers].name = keep(f, ev_str(ev, "name"));
    f->speakers[f->nspeakers].city = keep(f, ev_str(ev, "city"));
    f->speakers[f->nspeakers].item = ev_int(ev, "item");
    {
        struct json_object *p;
        f->speakers[f->nspeakers].point_of_order = json_object_object_get_ex(ev, "point_of_order", &p) &&
                                                   json_object_get_boolean(p);
    }
    f->nspeakers++;
    json_object_put(ev);
    return 0;
}

static uint32_t result_count(struct json_object *res, const char *obj, const char *key)
{
    struct json_object *o, *v;

    return json_object_object_get_ex(res, obj, &o) && json_object_object_get_ex(o, key, &v)
               ? (uint32_t)json_object_get_int64(v)
               : 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * Makes, signs and stores the minutes of a closed session from the
 * database (also after a restart that came between the close and the
 * minutes). 0 with *out filled (store_minutes_free), or -1 with err.
 */
static int ensure_minutes(struct api_env *env, const struct group_session *s, struct store_minutes *out,
                          struct proto_error *err)
{
    struct minutes_input in;
    struct facts_ctx facts;
    struct group_record g;
    struct store_person chair;
    struct store_attendance_row *att = NULL;
    struct group_member *members = NULL;
    struct minutes_attendee *attendees = NULL;
    struct minutes_motion *motions = NULL;
    struct minutes_roll_line **rolls = NULL;
    struct store_motion *ms = NULL;
    struct json_object **results = NULL, *agenda = NULL;
    const char *items[ROOM_AGENDA_MAX], **attended = NULL, **absent = NULL;
    char *md = NULL, *html = NULL, header[MINUTES_HEADER_MAX], sig_hex[129], key_hex[65];
    int64_t *motion_ids = NULL;
    size_t natt = 0, nmembers = 0, nmotions = 0, nattended = 0, nabsent = 0, mdlen = 0, htmllen = 0;
    uint8_t md_hash[32], sig[64];
    int rc = store_minutes_get(env->store, s->id, out), hlen;

    if (rc <= 0)
        return rc == 0 ? 0 : api_internal_error(err, "reading the minutes");
    rc = -1;
    memset(&in, 0, sizeof(in));
    memset(&facts, 0, sizeof(facts));
    if (store_group_get(env->store, s->group_id, &g) != 0 ||
        store_room_attendance_list(env->store, s->id, &att, &natt) != 0 ||
        store_group_members(env->store, s->group_id, &members, &nmembers) != 0 ||
        store_room_events_each(env->store, s->id, collect_facts, &facts) != 0 || facts.failed ||
        store_motion_ids(env->store, s->id, &motion_ids, &nmotions) != 0) {
        api_internal_error(err, "reading what the minutes record");
        goto out;
    }
    in.session = s->id;
    in.title = s->title;
    in.group_code = s->group_code;
    in.group_name = g.name;
    in.kind = s->kind;
    in.quarter = s->quarter;
    in.chair = s->chair_person_id && store_person_get(env->store, s->chair_person_id, &chair) == 0 ? chair.name : NULL;
    in.video_url = s->video_url;
    in.starts_ms = s->starts_at_ms;
    in.ends_ms = s->ends_at_ms;
    in.opened_ms = facts.opened_ms;
    in.closed_ms = facts.closed_ms ? facts.closed_ms : s->updated_at_ms;
    in.nagenda = agenda_items(s->agenda_json, &agenda, items, ROOM_AGENDA_MAX);
    in.agenda = items;
    attendees = calloc(natt + 1, sizeof(*attendees));
    attended = calloc(nmembers + 1, sizeof(*attended));
    absent = calloc(nmembers + 1, sizeof(*absent));
    motions = calloc(nmotions + 1, sizeof(*motions));
    rolls = calloc(nmotions + 1, sizeof(*rolls));
    ms = calloc(nmotions + 1, sizeof(*ms));
    results = calloc(nmotions + 1, sizeof(*results));
    if (!attendees || !attended || !absent || !motions || !rolls || !ms || !results) {
        api_internal_error(err, "making the minutes");
        goto out;
    }
    /* the secretariat first, then by city code, then name (the store's order) */
    for (size_t i = 0; i < natt; i++) {
        attendees[i].name = att[i].name;
        attendees[i].city = att[i].city;
        attendees[i].joined_ms = att[i].joined_ms;
        attendees[i].left_ms = att[i].left_ms;
    }
    in.attendance = attendees;
    in.nattendance = natt;
    for (size_t i = 0; i < nmembers; i++) {
        bool came = false;
        for (size_t j = 0; j < natt && !came; j++)
            came = att[j].city_id == members[i].city_id;
        if (came)
            attended[nattended++] = members[i].city;
        else
            absent[nabsent++] = members[i].city;
    }
    qsort(attended, nattended, sizeof(*attended), cmp_str);
    qsort(absent, nabsent, sizeof(*absent), cmp_str);
    in.cities_attended = attended;
    in.ncities_attended = nattended;
    in.cities_absent = absent;
    in.ncities_absent = nabsent;
    in.speakers = facts.speakers;
    in.nspeakers = facts.nspeakers;
    for (size_t i = 0; i < nmotions; i++) {
        struct minutes_motion *m = &motions[i];
        struct json_object *roll;
        if (store_motion_get(env->store, motion_ids[i], &ms[i]) != 0) {
            api_internal_error(err, "reading a motion");
            goto out;
        }
        m->id = ms[i].id;
        m->text = ms[i].text;
        m->opened_ms = ms[i].opened_ms;
        m->closed_ms = ms[i].closed_ms;
        m->chain_head = ms[i].chain_head;
        m->recommendation_id = ms[i].recommendation_id;
        if (!ms[i].result || !(results[i] = json_tokener_parse(ms[i].result)))
            continue; /* never closed */
        m->outcome = ev_str(results[i], "outcome");
        m->members = result_count(results[i], "quorum", "members");
        m->present = result_count(results[i], "quorum", "present");
        m->threshold = result_count(results[i], "quorum", "threshold");
        {
            struct json_object *q, *met;
            m->quorum_met = json_object_object_get_ex(results[i], "quorum", &q) &&
                            json_object_object_get_ex(q, "met", &met) && json_object_get_boolean(met);
        }
        m->yes = result_count(results[i], "counts", "yes");
        m->no = result_count(results[i], "counts", "no");
        m->abstained = result_count(results[i], "counts", "abstained");
        m->present_not_voting = result_count(results[i], "counts", "present_not_voting");
        m->absent = result_count(results[i], "counts", "absent");
        if (json_object_object_get_ex(results[i], "roll_call", &roll) && json_object_is_type(roll, json_type_array)) {
            size_t n = json_object_array_length(roll);
            if (!(rolls[i] = calloc(n + 1, sizeof(**rolls)))) {
                api_internal_error(err, "making the minutes");
                goto out;
            }
            for (size_t k = 0; k < n; k++) {
                struct json_object *line = json_object_array_get_idx(roll, k);
                rolls[i][k].city = ev_str(line, "city") ? ev_str(line, "city") : "";
                rolls[i][k].status = ev_str(line, "vote") ? ev_str(line, "vote") : "";
            }
            m->roll = rolls[i];
            m->nroll = n;
        }
    }
    in.motions = motions;
    in.nmotions = nmotions;
    if (!(md = minutes_markdown(&in, &mdlen))) {
        api_internal_error(err, "making the minutes");
        goto out;
    }
    ballot_sha256(md, mdlen, md_hash);
    hlen = minutes_header(s->id, md_hash, in.closed_ms, header);
    if (hlen < 0 || serverkey_sign(env->key, (const uint8_t *)header, (size_t)hlen, sig) != 0) {
        api_internal_error(err, "signing the minutes");
        goto out;
    }
    identity_hex_encode(sig, 64, sig_hex);
    identity_hex_encode(serverkey_public(env->key), 32, key_hex);
    if (!(html = minutes_html(&in, header, sig_hex, key_hex, &htmllen))) {
        api_internal_error(err, "making the minutes");
        goto out;
    }
    if (store_begin(env->store) != 0) {
        api_internal_error(err, "starting a transaction");
        goto out;
    }
    {
        struct json_object *d = json_object_new_object();
        char hex[65];
        identity_hex_encode(md_hash, 32, hex);
        json_object_object_add(d, "markdown_sha256", json_object_new_string(hex));
        rc = store_minutes_add(env->store, s->id, md, html, header, sig, timeutil_now_ms());
        if (rc == STORE_ROOM_CONFLICT) { /* made meanwhile: theirs stands */
            json_object_put(d);
            store_rollback(env->store);
        } else if (rc != 0 || history(env, 0, "session.minutes", s->id, d) != 0 || store_commit(env->store) != 0) {
            if (rc != 0)
                json_object_put(d);
            store_rollback(env->store);
            rc = api_internal_error(err, "storing the minutes");
            goto out;
        }
    }
    rc = store_minutes_get(env->store, s->id, out) == 0 ? 0 : api_internal_error(err, "reading the minutes");
out:
    for (size_t i = 0; i < nmotions; i++) {
        if (ms)
            store_motion_free(&ms[i]);
        if (results)
            json_object_put(results[i]);
        if (rolls)
            free(rolls[i]);
    }
    for (size_t i = 0; i < facts.nstrings; i++)
        free(facts.strings[i]);
    free(facts.strings);
    free(facts.speakers);
    json_object_put(agenda);
    free(ms);
    free(results);
    free(rolls);
    free(motions);
    free(motion_ids);
    free(attendees);
    free(attended);
    free(absent);
    free(att);
    free(members);
    free(md);
    free(html);
    return rc;
}

static void add_minutes(struct api_env *env, struct json_object *reply, int64_t session, const struct store_minutes *m)
{
    struct json_object *o = json_object_new_object();
    uint8_t h[32];

    json_object_object_add(o, "session", json_object_new_int64(session));
    json_object_object_add(o, "header", json_object_new_string(m->header));
    api_add_hex(o, "signature", m->signature, 64);
    api_add_hex(o, "server_key", serverkey_public(env->key), 32);
    ballot_sha256(m->markdown, strlen(m->markdown), h);
    api_add_hex(o, "markdown_sha256", h, 32);
    json_object_object_add(o, "markdown", json_object_new_string(m->markdown));
    json_object_object_add(o, "html", json_object_new_string(m->html));
    json_object_object_add(reply, "minutes", o);
}

/* ---- session.start, session.close, session.minutes ---- */

static int handle_session_start(struct api_env *env, struct api_conn *conn, const struct proto_request *req,
                                struct json_object *reply, struct proto_error *err)
{
    struct group_session s;
    struct live_room *lr;
    int64_t now = timeutil_now_ms();
    bool started = false;
    int rc;

    if (load_session(env, api_int(req, "session", 0), &s, err))
        return -1;
    if (!is_chair(conn, s.chair_person_id))
        return api_fail(err, "not_chair", "session", "only the session's chair or the secretariat may start it");
    if (!strcmp(s.state, "scheduled")) {
        rc = store_session_set_state(env->store, s.id, "live", conn->person_id, now);
        if (rc < 0 || rc == 1)
            return api_internal_error(err, "starting the session");
        if (rc == 2)
            return api_fail(err, "conflict", "session", "the session can no longer be started");
        started = true;
        if (load_session(env, s.id, &s, err))
            return -1;
    } else if (strcmp(s.state, "live")) {
        return api_fail(err, "not_live", "session", "the session is %s", s.state);
    }
    if (!(lr = open_room(env, &s, err)))
        return -1;
    if (started) {
        struct json_object *ev = room_event_new("session.start", now);
        if (!ev)
            return api_internal_error(err, "starting the room");
        json_object_object_add(ev, "by", json_object_new_int64(conn->person_id));
        if (commit_one(env, lr, ev, now, err) != 0)
            return -1;
    }
    json_object_object_add(reply, "session", api_session_json(env, &s));
    json_object_object_add(reply, "seq", json_object_new_int64((int64_t)room_seq(lr->room)));
    return 0;
}

static int handle_session_close(struct api_env *env, struct api_conn *conn, const struct proto_request *req,
                                struct json_object *reply, struct proto_error *err)
{
    struct group_session s;
    struct live_room *lr;
    struct store_minutes m;
    int64_t now = timeutil_now_ms(), motion;
    int rc;

    if (load_session(env, api_int(req, "session", 0), &s, err))
        return -1;
    if (!is_chair(conn, s.chair_person_id))
        return api_fail(err, "not_chair", "session", "only the session's chair or the secretariat may close it");
    if (!strcmp(s.state, "live")) {
        rc = store_motion_open_of_session(env->store, s.id, &motion);
        if (rc < 0)
            return api_internal_error(err, "reading the motions");
        if (rc == 0)
            return api_fail(err, "conflict", "session", "motion %lld is still open; close it first", (long long)motion);
        if (!(lr = open_room(env, &s, err)))
            return -1;
        if (!room_is_closed(lr->room)) {
            struct json_object *evs[2] = {NULL, NULL};
            size_t n = 0, conns = room_conn_count(lr->room);
            if (room_leave_all(lr->room, "closed", now, &evs[0]) != 0 ||
                !(evs[evs[0] ? 1 : 0] = room_event_new("session.close", now))) {
                json_object_put(evs[0]);
                return api_internal_error(err, "closing the room");
            }
            n = evs[0] ? 2 : 1;
            json_object_object_add(evs[n - 1], "by", json_object_new_int64(conn->person_id));
            if (commit_events(env, lr, evs, n, now, NULL, NULL, err) != 0)
                return -1;
            env->room_conns = env->room_conns >= conns ? env->room_conns - conns : 0;
        }
        rc = store_session_set_state(env->store, s.id, "closed", conn->person_id, now);
        if (rc != 0)
            return rc == 2 ? api_fail(err, "conflict", "session", "the session can no longer be closed")
                           : api_internal_error(err, "closing the session");
        drop_live(env, s.id);
        if (load_session(env, s.id, &s, err))
            return -1;
    } else if (strcmp(s.state, "closed")) {
        return api_fail(err, "not_live", "session", "the session is %s", s.state);
    }
    if (ensure_minutes(env, &s, &m, err) != 0)
        return -1;
    json_object_object_add(reply, "session", api_session_json(env, &s));
    add_minutes(env, reply, s.id, &m);
    store_minutes_free(&m);
    return 0;
}

static int handle_session_minutes(struct api_env *env, struct api_conn *conn, const struct proto_request *req,
                                  struct json_object *reply, struct proto_error *err)
{
    struct group_session s;
    struct store_minutes m;

    (void)conn;
    if (load_session(env, api_int(req, "session", 0), &s, err))
        return -1;
    if (strcmp(s.state, "closed"))
        return api_fail(err, "not_found", "session", "the session is %s: it has no minutes yet", s.state);
    if (ensure_minutes(env, &s, &m, err) != 0)
        return -1;
    add_minutes(env, reply, s.id, &m);
    store_minutes_free(&m);
    return 0;
}

/* ---- the minutes over HTTP ---- */

static int minutes_route(struct api_env *env, const char params[][HTTP_DYN_PARAM_MAX + 1], size_t nparams, bool html,
                         struct http_dyn_response *out)
{
    struct group_session s;
    struct store_minutes m;
    struct proto_error err;
    int64_t id = 0;
    const char *p;
    int rc;

    if (nparams != 1)
        return -1;
    for (p = params[0]; *p >= '0' && *p <= '9' && id < 1000000000000LL; p++)
        id = id * 10 + (*p - '0');
    if (*p || p == params[0] || params[0][0] == '0') {
        out->status = 404;
        return 0;
    }
    rc = store_session_get(env->store, id, &s);
    if (rc < 0)
        return -1;
    if (rc > 0 || strcmp(s.state, "closed")) {
        out->status = 404;
        return 0;
    }
    if (ensure_minutes(env, &s, &m, &err) != 0)
        return -1;
    out->body = html ? m.html : m.markdown;
    if (html)
        m.html = NULL;
    else
        m.markdown = NULL;
    out->len = strlen(out->body);
    out->status = 200;
    out->content_type = html ? "text/html; charset=utf-8" : "text/markdown; charset=utf-8";
    out->cache_control = "no-cache";
    store_minutes_free(&m);
    return 0;
}

int room_http_minutes_md(struct api_env *env, const char params[][HTTP_DYN_PARAM_MAX + 1], size_t nparams,
                         struct http_dyn_response *out)
{
    return minutes_route(env, params, nparams, false, out);
}

int room_http_minutes_html(struct api_env *env, const char params[][HTTP_DYN_PARAM_MAX + 1], size_t nparams,
                           struct http_dyn_response *out)
{
    return minutes_route(env, params, nparams, true, out);
}

/* ---- room.* ---- */

static void add_state(struct api_env *env, struct json_object *reply, struct live_room *lr)
{
    struct json_object *snap = room_snapshot(lr->room);

    if (snap)
        json_object_object_add(snap, "motion", open_motion_json(env, lr->session));
    json_object_object_add(reply, "snapshot", snap);
}

static int handle_join(struct api_env *env, struct api_conn *conn, const struct proto_request *req,
                       struct json_object *reply, struct proto_error *err)
{
    struct group_session s;
    struct live_room *lr;
    struct json_object *you;
    bool has_after = api_get(req, "after_seq") != NULL;
    int64_t after = api_int(req, "after_seq", 0), now = timeutil_now_ms();

    if (load_session(env, api_int(req, "session", 0), &s, err))
        return -1;
    if (!(conn->roles & ROLES_SECRETARIAT) && conn->person_id != s.chair_person_id) {
        bool member = false;
        if (conn->city_id && store_group_has_city(env->store, s.group_id, conn->city_id, &member) != 0)
            return api_internal_error(err, "reading the group");
        if (!member)
            return api_fail(err, "not_in_group", "session", "%s is not a member city of the group %s",
                            conn->city_id ? conn->city_code : "your city", s.group_code);
    }
    if (!(lr = open_room(env, &s, err)))
        return -1;
    if (room_is_closed(lr->room))
        return api_fail(err, "not_live", "session", "the session has closed");
    if (has_after && (uint64_t)after > room_seq(lr->room))
        return api_fail(err, "bad_seq", "after_seq", "the room's last event is %llu; %lld was never sent",
                        (unsigned long long)room_seq(lr->room), (long long)after);
    if (conn->room_session != s.id || room_conn_person(lr->room, conn->id) != conn->person_id) {
        struct store_person p;
        struct room_who who;
        struct json_object *ev = NULL;
        enum room_status st;
        char key[32];
        int64_t retry = 0;
        snprintf(key, sizeof(key), "person:%lld", (long long)conn->person_id);
        if (!ratelimit_allow(env->limits, "room.join", key, now, JOIN_BURST, JOIN_WINDOW_MS, &retry))
            return api_fail(err, "rate_limited", NULL, "too many joins; try again in %lld seconds",
                            (long long)((retry + 999) / 1000));
        if (store_person_get(env->store, conn->person_id, &p) != 0)
            return api_internal_error(err, "reading the person");
        leave_current(env, conn, "leave");
        who.person = conn->person_id;
        who.city_id = conn->city_id;
        who.city = conn->city_id ? conn->city_code : "";
        who.name = p.name;
        st = room_attach(lr->room, conn->id, &who, now, &ev);
        if (st != ROOM_OK)
            return room_error(err, st, 0);
        if (ev && commit_one(env, lr, ev, now, err) != 0) {
            struct json_object *none = NULL;
            room_detach(lr->room, conn->id, "leave", now, &none);
            json_object_put(none);
            return -1;
        }
        conn->room_session = s.id; /* only now: the joiner's own join is in what the reply shows, not sent twice */
        env->room_conns++;
    }
    json_object_object_add(reply, "session", api_session_json(env, &s));
    json_object_object_add(reply, "seq", json_object_new_int64((int64_t)room_seq(lr->room)));
    you = json_object_new_object();
    json_object_object_add(you, "person", json_object_new_int64(conn->person_id));
    json_object_object_add(you, "chair", json_object_new_boolean(is_chair(conn, lr->chair)));
    json_object_object_add(reply, "you", you);
    if (has_after) {
        struct json_object *evs = NULL;
        if (room_resume(lr->room, (uint64_t)after, &evs) == ROOM_RESUME_EVENTS && evs) {
            json_object_object_add(reply, "events", evs);
            return 0;
        }
    }
    add_state(env, reply, lr);
    return 0;
}

static int handle_leave(struct api_env *env, struct api_conn *conn, const struct proto_request *req,
                        struct json_object *reply, struct proto_error *err)
{
    (void)reply;
    if (!my_room(env, conn, req, err))
        return -1;
    leave_current(env, conn, "leave");
    return 0;
}

/* Runs a room operation's result: the event stored, recorded and sent; the reply names its seq. */
static int finish_op(struct api_env *env, struct live_room *lr, enum room_status st, struct json_object *ev,
                     int64_t retry, int64_t now, struct json_object *reply, struct proto_error *err)
{
    if (st != ROOM_OK)
        return room_error(err, st, retry);
    if (ev && commit_one(env, lr, ev, now, err) != 0)
        return -1;
    json_object_object_add(reply, "seq", json_object_new_int64((int64_t)room_seq(lr->room)));
    return 0;
}

static int handle_agenda_move(struct api_env *env, struct api_conn *conn, const struct proto_request *req,
                              struct json_object *reply, struct proto_error *err)
{
    struct live_room *lr = my_room(env, conn, req, err);
    struct json_object *ev;
    enum room_status st;
    int64_t now = timeutil_now_ms();

    if (!lr)
        return -1;
    st = room_agenda_move(lr->room, conn->person_id, is_chair(conn, lr->chair), api_int(req, "item", 0), now, &ev);
    return finish_op(env, lr, st, ev, 0, now, reply, err);
}

static int handle_hand_raise(struct api_env *env, struct api_conn *conn, const struct proto_request *req,
                             struct json_object *reply, struct proto_error *err)
{
    struct live_room *lr = my_room(env, conn, req, err);
    struct json_object *ev;
    enum room_status st;
    int64_t now = timeutil_now_ms(), retry = 0;

    if (!lr)
        return -1;
    st = room_hand_raise(lr->room, conn->person_id, api_bool(req, "point_of_order", false), now, &retry, &ev);
    return finish_op(env, lr, st, ev, retry, now, reply, err);
}

static int handle_hand_lower(struct api_env *env, struct api_conn *conn, const struct proto_request *req,
                             struct json_object *reply, struct proto_error *err)
{
    struct live_room *lr = my_room(env, conn, req, err);
    struct json_object *ev;
    enum room_status st;
    int64_t now = timeutil_now_ms(), retry = 0;

    if (!lr)
        return -1;
    st = room_hand_lower(lr->room, conn->person_id, is_chair(conn, lr->chair), api_int(req, "person", conn->person_id),
                         now, &retry, &ev);
    return finish_op(env, lr, st, ev, retry, now, reply, err);
}

static int handle_floor_give(struct api_env *env, struct api_conn *conn, const struct proto_request *req,
                             struct json_object *reply, struct proto_error *err)
{
    struct live_room *lr = my_room(env, conn, req, err);
    struct json_object *ev;
    enum room_status st;
    int64_t now = timeutil_now_ms();

    if (!lr)
        return -1;
    st = room_floor_give(lr->room, conn->person_id, is_chair(conn, lr->chair), api_int(req, "person", 0), now, &ev);
    return finish_op(env, lr, st, ev, 0, now, reply, err);
}

static int handle_floor_end(struct api_env *env, struct api_conn *conn, const struct proto_request *req,
                            struct json_object *reply, struct proto_error *err)
{
    struct live_room *lr = my_room(env, conn, req, err);
    struct json_object *ev;
    enum room_status st;
    int64_t now = timeutil_now_ms();

    if (!lr)
        return -1;
    st = room_floor_end(lr->room, conn->person_id, is_chair(conn, lr->chair), now, &ev);
    return finish_op(env, lr, st, ev, 0, now, reply, err);
}

static int handle_chat_send(struct api_env *env, struct api_conn *conn, const struct proto_request *req,
                            struct json_object *reply, struct proto_error *err)
{
    struct live_room *lr = my_room(env, conn, req, err);
    const char *text = api_str(req, "text");
    struct json_object *ev;
    enum room_status st;
    int64_t now = timeutil_now_ms(), retry = 0;

    if (!lr)
        return -1;
    st = room_chat_send(lr->room, conn->person_id, text, strlen(text), now, &retry, &ev);
    if (finish_op(env, lr, st, ev, retry, now, reply, err) != 0)
        return -1;
    json_object_object_add(reply, "message", json_object_new_int64((int64_t)room_seq(lr->room)));
    return 0;
}

static int hide_history(struct api_env *env, struct live_room *lr, void *ctx, struct proto_error *err)
{
    struct json_object *ev = ctx, *d = json_object_new_object();

    json_object_object_add(d, "message", json_object_new_int64(ev_int(ev, "message")));
    if (history(env, ev_int(ev, "by"), "room.chat_hide", lr->session, d) != 0)
        return api_internal_error(err, "recording the history");
    return 0;
}

static int handle_chat_hide(struct api_env *env, struct api_conn *conn, const struct proto_request *req,
                            struct json_object *reply, struct proto_error *err)
{
    struct live_room *lr = my_room(env, conn, req, err);
    struct json_object *ev;
    enum room_status st;
    int64_t now = timeutil_now_ms();

    if (!lr)
        return -1;
    st = room_chat_hide(lr->room, conn->person_id, is_chair(conn, lr->chair), (uint64_t)api_int(req, "message", 0), now,
                        &ev);
    if (st != ROOM_OK)
        return room_error(err, st, 0);
    /* moderation goes in the network's history too: who hid what, when */
    if (ev && commit_events(env, lr, &ev, 1, now, hide_history, ev, err) != 0)
        return -1;
    json_object_object_add(reply, "seq", json_object_new_int64((int64_t)room_seq(lr->room)));
    return 0;
}

/* ---- motions ---- */

struct open_ctx {
    const char *text;
    int64_t person, now;
    struct group_member *members;
    size_t nmembers;
    const int64_t *present;
    size_t npresent;
    struct json_object *ev; /* the motion.open event, filled here */
    int64_t id;
};

struct key_lines {
    char *text;
    size_t len, cap;
    char **lines;
    size_t n, lcap;
};

static int collect_delegate_key(void *ctx, const struct store_key *k)
{
    struct key_lines *kl = ctx;
    char hex[65];

    if (k->revoked_ms)
        return 0;
    identity_hex_encode(k->public_key, 32, hex);
    if (kl->n == kl->lcap) {
        size_t cap = kl->lcap ? kl->lcap * 2 : 32;
        char **v = realloc(kl->lines, cap * sizeof(*v));
        if (!v)
            return -1;
        kl->lines = v;
        kl->lcap = cap;
    }
    if (!(kl->lines[kl->n] = strdup(hex)))
        return -1;
    kl->n++;
    return 0;
}

static int cmp_line(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Appends s to a growable text. 0 or -1. */
static int text_add(char **text, size_t *len, size_t *cap, const char *s)
{
    size_t n = strlen(s);

    if (*len + n + 1 > *cap) {
        size_t c = *cap ? *cap : 1024;
        char *p;
        while (c < *len + n + 1)
            c *= 2;
        if (!(p = realloc(*text, c)))
            return -1;
        *text = p;
        *cap = c;
    }
    memcpy(*text + *len, s, n + 1);
    *len += n;
    return 0;
}

static bool has_id(const int64_t *ids, size_t n, int64_t id)
{
    for (size_t i = 0; i < n; i++)
        if (ids[i] == id)
            return true;
    return false;
}

/* Inside the transaction: the motion's row, its signed poll (which names its id) and the event's members. */
static int open_in_txn(struct api_env *env, struct live_room *lr, void *ctx, struct proto_error *err)
{
    struct open_ctx *o = ctx;
    char *members = NULL, *present = NULL, *eligible = NULL, *keys = NULL, *poll = NULL;
    size_t ml = 0, mc = 0, pl = 0, pc = 0, el = 0, ec = 0, kl = 0, kc = 0, neligible = 0, npresent = 0;
    struct key_lines lines = {0};
    struct motion_poll p;
    uint8_t sig[64], fp[32];
    int len, rc = -1;

    rc = store_motion_add(env->store, lr->session, lr->group_id, o->text, o->person, o->now, &o->id);
    if (rc == STORE_ROOM_CONFLICT)
        return api_fail(err, "conflict", "session", "a motion is open already; close it first");
    if (rc != 0)
        return api_internal_error(err, "adding the motion");
    rc = -1;
    /* the lists start empty, not NULL */
    if (text_add(&members, &ml, &mc, "") || text_add(&present, &pl, &pc, "") || text_add(&eligible, &el, &ec, "") ||
        text_add(&keys, &kl, &kc, ""))
        goto nomem;
    for (size_t i = 0; i < o->nmembers; i++) { /* the store lists them by code: the lists come out sorted */
        const struct group_member *m = &o->members[i];
        bool here = has_id(o->present, o->npresent, m->city_id);
        if ((ml && text_add(&members, &ml, &mc, ",")) || text_add(&members, &ml, &mc, m->city))
            goto nomem;
        if (!here)
            continue;
        npresent++;
        if ((pl && text_add(&present, &pl, &pc, ",")) || text_add(&present, &pl, &pc, m->city))
            goto nomem;
        if (strcmp(m->city_status, "member") || !m->delegate_person_id)
            continue; /* suspended, or no delegate named: present, but no vote */
        {
            struct store_person d;
            if (store_person_get(env->store, m->delegate_person_id, &d) != 0) {
                api_internal_error(err, "reading a delegate");
                goto out;
            }
            if (!d.active)
                continue;
            if ((el && text_add(&eligible, &el, &ec, ",")) || text_add(&eligible, &el, &ec, m->city))
                goto nomem;
            neligible++;
            lines.n = 0;
            if (store_key_each(env->store, m->delegate_person_id, collect_delegate_key, &lines) != 0)
                goto nomem;
            for (size_t k = 0; k < lines.n; k++) {
                if (text_add(&keys, &kl, &kc, m->city) || text_add(&keys, &kl, &kc, " ") ||
                    text_add(&keys, &kl, &kc, lines.lines[k]) || text_add(&keys, &kl, &kc, "\n"))
                    goto nomem;
                free(lines.lines[k]);
                lines.lines[k] = NULL;
            }
        }
    }
    /* the key lines in byte order (docs/audit.md): split, sort, join */
    {
        size_t n = 0;
        char **v = calloc(kl / 66 + 2, sizeof(*v)), *sorted = NULL;
        size_t sl = 0, sc = 0;
        if (!v)
            goto nomem;
        for (char *q = keys; *q;) {
            char *nl = strchr(q, '\n');
            v[n++] = q;
            *nl = '\0';
            q = nl + 1;
        }
        qsort(v, n, sizeof(*v), cmp_line);
        if (text_add(&sorted, &sl, &sc, ""))
            n = (size_t)-1;
        for (size_t i = 0; n != (size_t)-1 && i < n; i++)
            if (text_add(&sorted, &sl, &sc, v[i]) || text_add(&sorted, &sl, &sc, "\n"))
                n = (size_t)-1;
        free(v);
        free(keys);
        keys = sorted;
        kl = sl;
        if (n == (size_t)-1)
            goto nomem;
    }
    memset(&p, 0, sizeof(p));
    p.motion = o->id;
    p.session = lr->session;
    p.group = lr->group_code;
    ballot_sha256(o->text, strlen(o->text), p.text_sha256);
    p.quorum_num = 1;
    p.quorum_den = 2;
    p.members = members;
    p.present = present;
    p.eligible = eligible;
    ballot_sha256(keys, kl, p.eligible_keys_sha256);
    p.opened_ms = o->now;
    if (!(poll = malloc(POLL_TEXT_MAX)) || (len = motion_poll_format(&p, poll)) < 0 ||
        serverkey_sign(env->key, (const uint8_t *)poll, (size_t)len, sig) != 0) {
        api_internal_error(err, "making the motion's poll");
        goto out;
    }
    ballot_sha256(poll, (size_t)len, fp);
    if (store_motion_set_poll(env->store, o->id, poll, sig, fp, keys) != 0) {
        api_internal_error(err, "recording the motion's poll");
        goto out;
    }
    {
        struct json_object *d = json_object_new_object(), *q = json_object_new_object();
        json_object_object_add(d, "motion", json_object_new_int64(o->id));
        json_object_object_add(d, "group", json_object_new_string(lr->group_code));
        json_object_object_add(d, "members", json_object_new_int64((int64_t)o->nmembers));
        json_object_object_add(d, "present", json_object_new_int64((int64_t)npresent));
        json_object_object_add(d, "eligible", json_object_new_int64((int64_t)neligible));
        if (history(env, o->person, "motion.open", lr->session, d) != 0) {
            json_object_put(q);
            api_internal_error(err, "recording the history");
            goto out;
        }
        json_object_object_add(o->ev, "motion", json_object_new_int64(o->id));
        json_object_object_add(o->ev, "text", json_object_new_string(o->text));
        json_object_object_add(o->ev, "poll", json_object_new_string(poll));
        api_add_hex(o->ev, "poll_signature", sig, 64);
        api_add_hex(o->ev, "fingerprint", fp, 32);
        json_object_object_add(q, "members", json_object_new_int64((int64_t)o->nmembers));
        json_object_object_add(q, "present", json_object_new_int64((int64_t)npresent));
        json_object_object_add(q, "threshold", json_object_new_int64((int64_t)(o->nmembers / 2 + 1)));
        json_object_object_add(q, "met", json_object_new_boolean(npresent * 2 > o->nmembers));
        json_object_object_add(o->ev, "quorum", q);
        json_object_object_add(o->ev, "eligible", json_object_new_int64((int64_t)neligible));
    }
    rc = 0;
    goto out;
nomem:
    api_internal_error(err, "opening the motion");
out:
    for (size_t k = 0; k < lines.n; k++)
        free(lines.lines[k]);
    free(lines.lines);
    free(members);
    free(present);
    free(eligible);
    free(keys);
    free(poll);
    return rc;
}

static int handle_motion_open(struct api_env *env, struct api_conn *conn, const struct proto_request *req,
                              struct json_object *reply, struct proto_error *err)
{
    struct live_room *lr = my_room(env, conn, req, err);
    struct open_ctx o;
    struct store_motion m;
    int64_t *present = NULL;
    int rc;

    if (!lr)
        return -1;
    if (!is_chair(conn, lr->chair))
        return api_fail(err, "not_chair", NULL, "only the chair may put a motion to the vote");
    memset(&o, 0, sizeof(o));
    o.text = api_str(req, "text");
    if (!membership_text_is_valid(o.text, 1, MOTION_TEXT_MAX, true))
        return api_fail(err, "bad_request", "text",
                        "a motion is 1 to %d bytes of text with a visible character and no control character but the "
                        "line feed",
                        MOTION_TEXT_MAX);
    if (room_is_closed(lr->room))
        return api_fail(err, "not_live", "session", "the session has closed");
    o.person = conn->person_id;
    o.now = timeutil_now_ms();
    if (store_group_members(env->store, lr->group_id, &o.members, &o.nmembers) != 0 ||
        room_present_city_ids(lr->room, &present, &o.npresent) != 0) {
        free(o.members);
        return api_internal_error(err, "reading the group's members");
    }
    o.present = present;
    o.ev = room_event_new("motion.open", o.now);
    rc = o.ev ? commit_events(env, lr, &o.ev, 1, o.now, open_in_txn, &o, err) : api_internal_error(err, "opening the motion");
    free(o.members);
    free(present);
    if (rc != 0)
        return -1;
    if (store_motion_get(env->store, o.id, &m) != 0)
        return api_internal_error(err, "reading the motion");
    json_object_object_add(reply, "motion", motion_json(env, &m));
    json_object_object_add(reply, "seq", json_object_new_int64((int64_t)room_seq(lr->room)));
    store_motion_free(&m);
    return 0;
}

static int load_motion(struct api_env *env, const struct proto_request *req, struct store_motion *m,
                       struct proto_error *err)
{
    int rc = store_motion_get(env->store, api_int(req, "motion", 0), m);

    if (rc < 0)
        return api_internal_error(err, "reading the motion");
    if (rc > 0)
        return api_fail(err, "not_found", "motion", "no such motion");
    return 0;
}

static int handle_motion_poll(struct api_env *env, struct api_conn *conn, const struct proto_request *req,
                              struct json_object *reply, struct proto_error *err)
{
    struct store_motion m;

    (void)conn;
    if (load_motion(env, req, &m, err))
        return -1;
    json_object_object_add(reply, "motion", motion_json(env, &m));
    store_motion_free(&m);
    return 0;
}

struct cast_ctx {
    const struct store_motion *m;
    const struct motion_ballot *b;
    const char *text;
    size_t len;
    const uint8_t *sig;
    uint8_t hash[32];
    int64_t city_id, key_id, now;
    struct json_object *ev, *reply;
};

/* Inside the transaction: the ballot's place in the chain, its receipt, the event. */
static int cast_in_txn(struct api_env *env, struct live_room *lr, void *ctx, struct proto_error *err)
{
    struct cast_ctx *c = ctx;
    char receipt[BALLOT_TEXT_MAX], hex[65];
    uint8_t chain[32], rsig[64];
    int64_t seq = 0;
    size_t nballots = 0, elen = 0;
    struct store_motion_ballot *ballots = NULL;
    int rlen, rc;

    (void)lr;
    if (store_motion_ballot_last(env->store, c->m->id, &seq, chain) != 0)
        return api_internal_error(err, "reading the motion's chain");
    if (seq == 0)
        motion_chain_genesis(c->m->id, chain);
    ballot_chain_next(chain, c->hash, c->sig, chain);
    seq++;
    rlen = motion_receipt_format(c->m->id, seq, c->hash, chain, c->now, receipt);
    if (rlen < 0 || serverkey_sign(env->key, (const uint8_t *)receipt, (size_t)rlen, rsig) != 0)
        return api_internal_error(err, "signing the receipt");
    rc = store_motion_ballot_add(env->store, c->m->id, c->city_id, seq, c->text, c->len, c->sig, c->key_id, c->b->choice,
                                 c->hash, chain, c->now, receipt, rsig);
    if (rc == STORE_ROOM_CONFLICT)
        return api_fail(err, "already_voted", "ballot", "%s has voted on this motion", c->b->city);
    if (rc != 0 || store_motion_ballots(env->store, c->m->id, &ballots, &nballots) != 0)
        return api_internal_error(err, "recording the ballot");
    free(ballots);
    json_object_object_add(c->reply, "receipt", json_object_new_string(receipt));
    api_add_hex(c->reply, "receipt_signature", rsig, 64);
    api_add_hex(c->reply, "server_key", serverkey_public(env->key), 32);
    identity_hex_encode(c->hash, 32, hex);
    json_object_object_add(c->reply, "ballot_hash", json_object_new_string(hex));
    json_object_object_add(c->reply, "seq", json_object_new_int64(seq));
    json_object_object_add(c->ev, "motion", json_object_new_int64(c->m->id));
    json_object_object_add(c->ev, "city", json_object_new_string(c->b->city));
    json_object_object_add(c->ev, "voted", json_object_new_int64((int64_t)nballots));
    {
        const char *el = text_line(c->m->poll, "eligible", &elen);
        struct json_object *a = list_json(el, elen);
        json_object_object_add(c->ev, "eligible", json_object_new_int64((int64_t)json_object_array_length(a)));
        json_object_put(a);
    }
    return 0;
}

/* Adds the stored receipt of a ballot to an already_voted error (a voter whose reply was lost sends it again). */
static void add_recorded_receipt(struct api_env *env, const uint8_t hash[32], struct proto_error *err)
{
    char receipt[BALLOT_TEXT_MAX], hex[129];
    uint8_t sig[64];
    int64_t seq = 0;

    if (store_motion_ballot_receipt(env->store, hash, &seq, receipt, sizeof(receipt), sig) != 0)
        return;
    identity_hex_encode(sig, 64, hex);
    (void)proto_error_detail(err, "receipt", receipt);
    (void)proto_error_detail(err, "receipt_signature", hex);
    (void)proto_error_detail_int(err, "seq", seq);
}

static int handle_motion_cast(struct api_env *env, struct api_conn *conn, const struct proto_request *req,
                              struct json_object *reply, struct proto_error *err)
{
    const char *text = api_str(req, "ballot"), *sigtext = api_str(req, "signature"), *members, *eligible;
    size_t len = strlen(text), mlen = 0, elen = 0;
    struct store_motion m;
    struct motion_ballot b;
    struct group_session s;
    struct live_room *lr;
    struct cast_ctx c;
    uint8_t sig[64], prev[32];
    char line[BALLOT_CODE_MAX + 72], keyhex[65];
    int64_t delegate = 0;
    int rc = -1;

    if (!conn->city_id)
        return api_fail(err, "forbidden", NULL, "a member city's voting delegate casts its vote");
    if (identity_hex_decode(sigtext, sig, 64) != 0)
        return api_fail(err, "bad_request", "signature", "the signature must be 128 lower-case hex digits");
    if (motion_ballot_parse(text, len, &b) != 0)
        return api_fail(err, "bad_ballot", "ballot", "the ballot is not in the canonical form of docs/audit.md");
    if (load_motion(env, req, &m, err))
        return -1;
    memset(&c, 0, sizeof(c));
    if (strcmp(m.state, "open")) {
        api_fail(err, "not_open", "motion", "the vote on this motion has closed");
        goto out;
    }
    if (b.motion != m.id) {
        api_fail(err, "not_open", "ballot", "the ballot names motion %lld, not %lld", (long long)b.motion, (long long)m.id);
        goto out;
    }
    if (sodium_memcmp(b.poll, m.fingerprint, 32) != 0) {
        api_fail(err, "not_open", "ballot", "the ballot names another poll than this motion's");
        goto out;
    }
    if (strcmp(b.city, conn->city_code)) {
        api_fail(err, "not_delegate", "ballot", "your key casts %s's vote, not %s's", conn->city_code, b.city);
        goto out;
    }
    members = text_line(m.poll, "members", &mlen);
    eligible = text_line(m.poll, "eligible", &elen);
    if (!in_list(members, mlen, b.city)) {
        api_fail(err, "not_in_group", "ballot", "%s is not a member city of the group", b.city);
        goto out;
    }
    if (!in_list(eligible, elen, b.city)) {
        api_fail(err, "not_eligible", "ballot",
                 "%s may not vote on this motion (not present when it opened, suspended, or without a delegate)", b.city);
        goto out;
    }
    identity_hex_encode(conn->key_public, 32, keyhex);
    snprintf(line, sizeof(line), "\n%s %s\n", b.city, keyhex);
    /* a whole line of the pinned keys: at the start, or after a line break */
    if (strncmp(m.eligible_keys, line + 1, strlen(line + 1)) && !strstr(m.eligible_keys, line)) {
        if (store_group_delegate(env->store, m.group_id, conn->city_id, &delegate) != 0) {
            api_internal_error(err, "reading the delegate");
            goto out;
        }
        if (delegate != conn->person_id)
            api_fail(err, "not_delegate", "ballot", "you are not %s's voting delegate in this group", b.city);
        else
            api_fail(err, "not_eligible", "ballot", "this key was not among the poll's eligible keys when the motion opened");
        goto out;
    }
    if (!identity_verify(conn->key_public, text, len, sig)) {
        api_fail(err, "bad_signature", "signature", "the signature does not verify over the ballot");
        goto out;
    }
    ballot_sha256(text, len, c.hash);
    if (store_motion_ballot_of_city(env->store, m.id, conn->city_id, prev) == 0) {
        char hex[65];
        identity_hex_encode(prev, 32, hex);
        api_fail(err, "already_voted", "ballot", "%s has voted on this motion; its ballot hash is %s", b.city, hex);
        (void)proto_error_detail(err, "ballot_hash", hex);
        if (!memcmp(prev, c.hash, 32))
            add_recorded_receipt(env, c.hash, err);
        goto out;
    }
    if (load_session(env, m.session_id, &s, err) || !(lr = open_room(env, &s, err)))
        goto out;
    c.m = &m;
    c.b = &b;
    c.text = text;
    c.len = len;
    c.sig = sig;
    c.city_id = conn->city_id;
    c.key_id = conn->key_id;
    c.now = timeutil_now_ms();
    c.reply = reply;
    c.ev = room_event_new("motion.ballot", c.now);
    if (!c.ev) {
        api_internal_error(err, "recording the ballot");
        goto out;
    }
    rc = commit_events(env, lr, &c.ev, 1, c.now, cast_in_txn, &c, err);
out:
    store_motion_free(&m);
    return rc;
}

struct close_ctx {
    const struct store_motion *m;
    int64_t person, now;
    struct json_object *result, *ev;
    char head[BALLOT_TEXT_MAX];
    uint8_t head_sig[64];
    bool adopted;
    int64_t recommendation;
};

static int close_in_txn(struct api_env *env, struct live_room *lr, void *ctx, struct proto_error *err)
{
    struct close_ctx *c = ctx;
    struct json_object *d;

    if (c->adopted && store_recommendation_add(env->store, lr->group_id, lr->session, c->m->id, c->m->text, c->now,
                                               &c->recommendation) != 0)
        return api_internal_error(err, "recording the recommendation");
    if (store_motion_close(env->store, c->m->id, c->person, c->now, json_object_to_json_string_ext(c->result, JSON_FLAGS),
                           c->head, c->head_sig, c->recommendation) != 0)
        return api_fail(err, "not_open", "motion", "the motion has closed already");
    d = json_object_new_object();
    json_object_object_add(d, "motion", json_object_new_int64(c->m->id));
    json_object_object_add(d, "outcome", json_object_get(json_object_object_get(c->result, "outcome")));
    json_object_object_add(d, "recommendation", c->recommendation ? json_object_new_int64(c->recommendation) : NULL);
    if (history(env, c->person, "motion.close", lr->session, d) != 0)
        return api_internal_error(err, "recording the history");
    json_object_object_add(c->ev, "motion", json_object_new_int64(c->m->id));
    json_object_object_add(c->ev, "result", json_object_get(c->result));
    json_object_object_add(c->ev, "chain_head", json_object_new_string(c->head));
    api_add_hex(c->ev, "chain_head_signature", c->head_sig, 64);
    json_object_object_add(c->ev, "recommendation", c->recommendation ? json_object_new_int64(c->recommendation) : NULL);
    return 0;
}

/* The count of a motion from its poll and ballots: the result object (counts, quorum, outcome, roll call, ballots). */
static struct json_object *count_motion(const struct store_motion *m, const struct store_motion_ballot *ballots,
                                        size_t nballots, bool *adopted)
{
    const char *members, *present;
    size_t mlen = 0, plen = 0, n;
    struct json_object *names, *res = NULL, *q, *counts, *roll, *hashes;
    struct motion_city *cities = NULL;
    enum motion_roll *lines = NULL;
    struct motion_result r;

    members = text_line(m->poll, "members", &mlen);
    present = text_line(m->poll, "present", &plen);
    names = list_json(members, mlen);
    n = json_object_array_length(names);
    cities = calloc(n + 1, sizeof(*cities));
    lines = calloc(n + 1, sizeof(*lines));
    if (!cities || !lines)
        goto out;
    for (size_t i = 0; i < n; i++) {
        const char *code = json_object_get_string(json_object_array_get_idx(names, i));
        cities[i].present = in_list(present, plen, code);
        for (size_t k = 0; k < nballots; k++) {
            if (!strcmp(ballots[k].city, code) && motion_choice_parse(ballots[k].choice, &cities[i].choice) == 0)
                cities[i].voted = true;
        }
    }
    if (motion_decide(cities, n, &r, lines) != 0)
        goto out;
    *adopted = r.outcome == MOTION_ADOPTED;
    res = json_object_new_object();
    q = json_object_new_object();
    json_object_object_add(q, "members", json_object_new_int64(r.members));
    json_object_object_add(q, "present", json_object_new_int64(r.present));
    json_object_object_add(q, "threshold", json_object_new_int64(r.threshold));
    json_object_object_add(q, "met", json_object_new_boolean(r.quorum_met));
    json_object_object_add(res, "quorum", q);
    counts = json_object_new_object();
    json_object_object_add(counts, "yes", json_object_new_int64(r.yes));
    json_object_object_add(counts, "no", json_object_new_int64(r.no));
    json_object_object_add(counts, "abstained", json_object_new_int64(r.abstained));
    json_object_object_add(counts, "present_not_voting", json_object_new_int64(r.present_not_voting));
    json_object_object_add(counts, "absent", json_object_new_int64(r.absent));
    json_object_object_add(res, "counts", counts);
    json_object_object_add(res, "outcome", json_object_new_string(motion_outcome_name(r.outcome)));
    roll = json_object_new_array();
    for (size_t i = 0; i < n; i++) {
        struct json_object *o = json_object_new_object();
        json_object_object_add(o, "city", json_object_get(json_object_array_get_idx(names, i)));
        json_object_object_add(o, "vote", json_object_new_string(motion_roll_name(lines[i])));
        json_object_array_add(roll, o);
    }
    json_object_object_add(res, "roll_call", roll);
    hashes = json_object_new_array();
    for (size_t k = 0; k < nballots; k++) {
        char hex[65];
        identity_hex_encode(ballots[k].hash, 32, hex);
        json_object_array_add(hashes, json_object_new_string(hex));
    }
    json_object_object_add(res, "ballots", hashes);
out:
    json_object_put(names);
    free(cities);
    free(lines);
    return res;
}

static int handle_motion_close(struct api_env *env, struct api_conn *conn, const struct proto_request *req,
                               struct json_object *reply, struct proto_error *err)
{
    struct store_motion m;
    struct store_motion_ballot *ballots = NULL;
    struct live_room *lr;
    struct close_ctx c;
    size_t nballots = 0;
    uint8_t chain[32];
    int64_t seq = 0;
    int rc = -1, hlen;

    if (load_motion(env, req, &m, err))
        return -1;
    memset(&c, 0, sizeof(c));
    if (!(lr = find_live(env, m.session_id)) || conn->room_session != m.session_id ||
        room_conn_person(lr->room, conn->id) != conn->person_id || !conn->person_id) {
        api_fail(err, "not_in_room", "motion", "join the motion's session room first (room.join)");
        goto out;
    }
    if (!is_chair(conn, lr->chair)) {
        api_fail(err, "not_chair", NULL, "only the chair may close the vote");
        goto out;
    }
    if (strcmp(m.state, "open")) {
        api_fail(err, "not_open", "motion", "the vote on this motion has closed already");
        goto out;
    }
    c.m = &m;
    c.person = conn->person_id;
    c.now = timeutil_now_ms();
    if (store_motion_ballots(env->store, m.id, &ballots, &nballots) != 0 ||
        store_motion_ballot_last(env->store, m.id, &seq, chain) != 0 ||
        !(c.result = count_motion(&m, ballots, nballots, &c.adopted))) {
        api_internal_error(err, "counting the motion");
        goto out;
    }
    if (seq == 0)
        motion_chain_genesis(m.id, chain);
    hlen = motion_chain_head_format(m.id, seq, chain, c.now, c.head);
    if (hlen < 0 || serverkey_sign(env->key, (const uint8_t *)c.head, (size_t)hlen, c.head_sig) != 0) {
        api_internal_error(err, "signing the chain head");
        goto out;
    }
    c.ev = room_event_new("motion.close", c.now);
    if (!c.ev) {
        api_internal_error(err, "closing the motion");
        goto out;
    }
    if (commit_events(env, lr, &c.ev, 1, c.now, close_in_txn, &c, err) != 0)
        goto out;
    store_motion_free(&m);
    if (store_motion_get(env->store, api_int(req, "motion", 0), &m) != 0) {
        api_internal_error(err, "reading the motion");
        goto out;
    }
    json_object_object_add(reply, "motion", motion_json(env, &m));
    json_object_object_add(reply, "seq", json_object_new_int64((int64_t)room_seq(lr->room)));
    rc = 0;
out:
    json_object_put(c.result);
    free(ballots);
    store_motion_free(&m);
    return rc;
}

/* ---- the table ---- */

#define SID {"session", PROTO_INT, true, 1, PROTO_MAX_SAFE_INT}
static const struct proto_field f_session[] = {SID};
static const struct proto_field f_join[] = {SID, {"after_seq", PROTO_INT, false, 0, PROTO_MAX_SAFE_INT}};
static const struct proto_field f_agenda[] = {SID, {"item", PROTO_INT, true, 0, ROOM_AGENDA_MAX - 1}};
static const struct proto_field f_raise[] = {SID, {"point_of_order", PROTO_BOOL, false, 0, 0}};
static const struct proto_field f_person[] = {SID, {"person", PROTO_INT, false, 1, PROTO_MAX_SAFE_INT}};
static const struct proto_field f_chat[] = {SID, {"text", PROTO_STRING, true, 1, ROOM_CHAT_MAX}};
static const struct proto_field f_hide[] = {SID, {"message", PROTO_INT, true, 1, PROTO_MAX_SAFE_INT}};
static const struct proto_field f_motion_open[] = {SID, {"text", PROTO_STRING, true, 1, MOTION_TEXT_MAX}};
static const struct proto_field f_motion[] = {{"motion", PROTO_INT, true, 1, PROTO_MAX_SAFE_INT}};
static const struct proto_field f_cast[] = {
    {"motion", PROTO_INT, true, 1, PROTO_MAX_SAFE_INT},
    {"ballot", PROTO_STRING, true, 1, BALLOT_TEXT_MAX},
    {"signature", PROTO_STRING, true, 128, 128},
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

const struct api_type api_room_types[] = {
    {"session.start", API_SIGNED_IN, f_session, N(f_session), handle_session_start},
    {"session.close", API_SIGNED_IN, f_session, N(f_session), handle_session_close},
    {"session.minutes", API_PUBLIC, f_session, N(f_session), handle_session_minutes},
    {"room.join", API_SIGNED_IN, f_join, N(f_join), handle_join},
    {"room.leave", API_SIGNED_IN, f_session, N(f_session), handle_leave},
    {"room.agenda.move", API_SIGNED_IN, f_agenda, N(f_agenda), handle_agenda_move},
    {"room.hand.raise", API_SIGNED_IN, f_raise, N(f_raise), handle_hand_raise},
    {"room.hand.lower", API_SIGNED_IN, f_person, N(f_person), handle_hand_lower},
    {"room.floor.give", API_SIGNED_IN, f_person, N(f_person), handle_floor_give},
    {"room.floor.end", API_SIGNED_IN, f_session, N(f_session), handle_floor_end},
    {"room.chat.send", API_SIGNED_IN, f_chat, N(f_chat), handle_chat_send},
    {"room.chat.hide", API_SIGNED_IN, f_hide, N(f_hide), handle_chat_hide},
    {"motion.open", API_SIGNED_IN, f_motion_open, N(f_motion_open), handle_motion_open},
    {"motion.poll", API_PUBLIC, f_motion, N(f_motion), handle_motion_poll},
    {"motion.cast", API_SIGNED_IN, f_cast, N(f_cast), handle_motion_cast},
    {"motion.close", API_SIGNED_IN, f_motion, N(f_motion), handle_motion_close},
};
const size_t api_room_count = N(api_room_types);
