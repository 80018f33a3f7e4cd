/*
 * room: one live session's room, event-sourced. See include/b40/room.h.
 * People, connections, attendance intervals and the queue are small arrays
 * searched linearly (a room holds at most a few thousand of each); the chat
 * history and the recent events are rings indexed by position and by
 * sequence number. Service thread only.
 */
#include "b40/room.h"

#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "b40/membership.h"
#include "b40/timeutil.h"

struct person {
    int64_t id, city_id;
    char city[33];
    char name[101];
    unsigned conns;    /* connections attached now */
    bool present;      /* by the events: joined and not left */
    bool attended;     /* joined at least once */
    int64_t since_ms;  /* when the present interval began */
    int64_t chat_window_ms, hand_window_ms;
    int chat_count, hand_count;
};

struct conn {
    uint64_t id;
    size_t person; /* index in people */
};

struct queue_entry {
    size_t person;
    bool point_of_order;
};

struct chat {
    uint64_t seq; /* the message id; 0: empty slot */
    size_t person;
    char *text;
    int64_t at_ms;
    bool hidden;
    int64_t hidden_by, hidden_at_ms;
};

struct room {
    int64_t session;
    uint64_t seq;
    bool closed;
    char *agenda[ROOM_AGENDA_MAX];
    size_t nagenda;
    int64_t current;
    struct person *people;
    size_t npeople, cap_people;
    struct conn *conns;
    size_t nconns, cap_conns;
    struct room_interval *att;
    size_t natt, cap_att;
    struct queue_entry *queue;
    size_t nqueue, cap_queue;
    bool has_floor;
    size_t floor;
    int64_t floor_since_ms, floor_item;
    struct chat chat[ROOM_CHAT_HISTORY]; /* a ring: the oldest at chat_start */
    size_t chat_start, nchat;
    struct json_object *ring[ROOM_RING]; /* the event of seq s at ring[s % ROOM_RING] */
    size_t nring;
};

const char *room_status_code(enum room_status s)
{
    switch (s) {
    case ROOM_OK: return "ok";
    case ROOM_ERR_NOT_CHAIR: return "not_chair";
    case ROOM_ERR_NOT_PRESENT: return "not_present";
    case ROOM_ERR_HAND_RAISED: return "conflict";
    case ROOM_ERR_HAND_NOT_RAISED: return "conflict";
    case ROOM_ERR_BAD_ITEM: return "bad_request";
    case ROOM_ERR_QUEUE_EMPTY: return "queue_empty";
    case ROOM_ERR_NO_FLOOR: return "conflict";
    case ROOM_ERR_NOT_SPEAKER: return "not_chair";
    case ROOM_ERR_NO_MESSAGE: return "not_found";
    case ROOM_ERR_BAD_TEXT: return "bad_request";
    case ROOM_ERR_RATE_LIMITED: return "rate_limited";
    case ROOM_ERR_FULL: return "room_full";
    case ROOM_ERR_CLOSED: return "not_live";
    case ROOM_ERR_NOMEM: return "internal";
    }
    return "internal";
}

/* ---- helpers ---- */

/* Grows *arr to hold n + 1 elements of size bytes, up to max. 0 or -1. */
static int grow(void **arr, size_t *cap, size_t n, size_t size, size_t max)
{
    size_t want;
    void *p;

    if (n < *cap)
        return 0;
    if (n >= max)
        return -1;
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

static void copy_text(char *dst, size_t size, const char *src)
{
    size_t n = src ? strlen(src) : 0;

    if (n >= size)
        n = size - 1;
    memcpy(dst, src ? src : "", n);
    dst[n] = '\0';
}

static bool get_int(struct json_object *o, const char *key, int64_t *out)
{
    struct json_object *v;

    if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_int))
        return false;
    *out = json_object_get_int64(v);
    return true;
}

static const char *get_str(struct json_object *o, const char *key)
{
    struct json_object *v;

    return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string) ? json_object_get_string(v)
                                                                                             : NULL;
}

static bool get_bool(struct json_object *o, const char *key)
{
    struct json_object *v;

    return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_boolean) &&
           json_object_get_boolean(v);
}

static void add_time(struct json_object *o, const char *key, int64_t ms)
{
    char text[TIMEUTIL_RFC3339_LEN];

    json_object_object_add(o, key, timeutil_rfc3339(ms, text) == 0 ? json_object_new_string(text) : NULL);
}

static struct person *find_person(const struct room *r, int64_t id, size_t *index)
{
    for (size_t i = 0; i < r->npeople; i++) {
        if (r->people[i].id == id) {
            if (index)
                *index = i;
            return &r->people[i];
        }
    }
    return NULL;
}

/* The person's index, adding a record when there is none. -1 when full. */
static long person_index(struct room *r, int64_t id, const char *name, const char *city)
{
    size_t i;
    struct person *p;

    if (find_person(r, id, &i))
        return (long)i;
    if (grow((void **)&r->people, &r->cap_people, r->npeople, sizeof(*r->people), ROOM_MAX_PEOPLE) != 0)
        return -1;
    p = &r->people[r->npeople];
    memset(p, 0, sizeof(*p));
    p->id = id;
    copy_text(p->name, sizeof(p->name), name);
    copy_text(p->city, sizeof(p->city), city);
    return (long)r->npeople++;
}

static struct conn *find_conn(const struct room *r, uint64_t id)
{
    for (size_t i = 0; i < r->nconns; i++)
        if (r->conns[i].id == id)
            return &r->conns[i];
    return NULL;
}

static long queue_find(const struct room *r, size_t person)
{
    for (size_t i = 0; i < r->nqueue; i++)
        if (r->queue[i].person == person)
            return (long)i;
    return -1;
}

static void queue_remove(struct room *r, size_t person)
{
    long i = queue_find(r, person);

    if (i < 0)
        return;
    memmove(&r->queue[i], &r->queue[i + 1], (r->nqueue - (size_t)i - 1) * sizeof(r->queue[0]));
    r->nqueue--;
}

/* Points of order go after the points of order already waiting, before every ordinary request. */
static int queue_add(struct room *r, size_t person, bool point_of_order)
{
    size_t at = r->nqueue;

    if (queue_find(r, person) >= 0)
        return 0;
    if (grow((void **)&r->queue, &r->cap_queue, r->nqueue, sizeof(*r->queue), ROOM_MAX_PEOPLE) != 0)
        return -1;
    if (point_of_order) {
        at = 0;
        while (at < r->nqueue && r->queue[at].point_of_order)
            at++;
    }
    memmove(&r->queue[at + 1], &r->queue[at], (r->nqueue - at) * sizeof(r->queue[0]));
    r->queue[at].person = person;
    r->queue[at].point_of_order = point_of_order;
    r->nqueue++;
    return 0;
}

/* A fixed window of `burst` actions per `window_ms`. */
static bool allow(int64_t *window_start, int *count, int64_t now_ms, int burst, int64_t window_ms, int64_t *retry_after)
{
    if (now_ms - *window_start >= window_ms || now_ms < *window_start) {
        *window_start = now_ms;
        *count = 0;
    }
    if (*count >= burst) {
        if (retry_after)
            *retry_after = *window_start + window_ms - now_ms;
        return false;
    }
    (*count)++;
    return true;
}

static struct chat *find_chat(const struct room *r, uint64_t seq)
{
    for (size_t i = 0; i < r->nchat; i++) {
        const struct chat *c = &r->chat[(r->chat_start + i) % ROOM_CHAT_HISTORY];
        if (c->seq == seq)
            return (struct chat *)c;
    }
    return NULL;
}

static bool kind_ok(const char *kind)
{
    size_t n = kind ? strlen(kind) : 0;

    if (n < 1 || n > ROOM_KIND_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((kind[i] >= 'a' && kind[i] <= 'z') || kind[i] == '_' || kind[i] == '.'))
            return false;
    return true;
}

struct json_object *room_event_new(const char *kind, int64_t now_ms)
{
    struct json_object *ev;

    if (!kind_ok(kind) || !(ev = json_object_new_object()))
        return NULL;
    /* "seq" first, so that every event reads in the same order; room_stamp fills it in place */
    json_object_object_add(ev, "seq", json_object_new_int64(0));
    json_object_object_add(ev, "kind", json_object_new_string(kind));
    add_time(ev, "at", now_ms);
    return ev;
}

static void add_person_fields(struct json_object *ev, const struct person *p)
{
    json_object_object_add(ev, "person", json_object_new_int64(p->id));
    json_object_object_add(ev, "name", json_object_new_string(p->name));
    json_object_object_add(ev, "city", p->city[0] ? json_object_new_string(p->city) : NULL);
}

/* ---- life cycle ---- */

struct room *room_create(int64_t session_id, const char *const *agenda, size_t n)
{
    struct room *r = calloc(1, sizeof(*r));

    if (!r)
        return NULL;
    r->session = session_id;
    if (n > ROOM_AGENDA_MAX)
        n = ROOM_AGENDA_MAX;
    for (size_t i = 0; i < n; i++) {
        if (!(r->agenda[i] = strdup(agenda[i] ? agenda[i] : ""))) {
            room_destroy(r);
            return NULL;
        }
        r->nagenda++;
    }
    r->current = n ? 0 : -1;
    return r;
}

void room_destroy(struct room *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->nagenda; i++)
        free(r->agenda[i]);
    for (size_t i = 0; i < ROOM_CHAT_HISTORY; i++)
        free(r->chat[i].text);
    for (size_t i = 0; i < ROOM_RING; i++)
        json_object_put(r->ring[i]);
    free(r->people);
    free(r->conns);
    free(r->att);
    free(r->queue);
    free(r);
}

int64_t room_session(const struct room *r)
{
    return r->session;
}

uint64_t room_seq(const struct room *r)
{
    return r->seq;
}

bool room_is_closed(const struct room *r)
{
    return r->closed;
}

/* ---- connections and presence ---- */

static struct json_object *leave_event(const struct person *p, const char *reason, int64_t now_ms)
{
    struct json_object *ev = room_event_new("presence.leave", now_ms);

    if (ev) {
        json_object_object_add(ev, "person", json_object_new_int64(p->id));
        json_object_object_add(ev, "reason", json_object_new_string(reason));
    }
    return ev;
}

enum room_status room_attach(struct room *r, uint64_t conn, const struct room_who *who, int64_t now_ms,
                             struct json_object **join)
{
    struct person *p;
    long pi;

    *join = NULL;
    if (r->closed)
        return ROOM_ERR_CLOSED;
    if (find_conn(r, conn))
        return ROOM_OK;
    if (r->nconns >= ROOM_MAX_CONNECTIONS)
        return ROOM_ERR_FULL;
    p = find_person(r, who->person, NULL);
    if (!p || !p->present) { /* this connection will open an attendance interval: is there room for it? */
        if (r->natt >= ROOM_MAX_INTERVALS || (!p && r->npeople >= ROOM_MAX_PEOPLE))
            return ROOM_ERR_FULL;
    }
    if (grow((void **)&r->conns, &r->cap_conns, r->nconns, sizeof(*r->conns), ROOM_MAX_CONNECTIONS) != 0)
        return ROOM_ERR_NOMEM;
    pi = person_index(r, who->person, who->name, who->city);
    if (pi < 0)
        return ROOM_ERR_NOMEM;
    p = &r->people[pi];
    /* the record may come from a replay: the live facts win */
    p->city_id = who->city_id;
    copy_text(p->name, sizeof(p->name), who->name);
    copy_text(p->city, sizeof(p->city), who->city);
    if (p->conns == 0 && !p->present) {
        *join = room_event_new("presence.join", now_ms);
        if (!*join)
            return ROOM_ERR_NOMEM;
        add_person_fields(*join, p);
    }
    r->conns[r->nconns].id = conn;
    r->conns[r->nconns].person = (size_t)pi;
    r->nconns++;
    p->conns++;
    return ROOM_OK;
}

int64_t room_detach(struct room *r, uint64_t conn, const char *reason, int64_t now_ms, struct json_object **leave)
{
    struct conn *c = find_conn(r, conn);
    struct person *p;

    *leave = NULL;
    if (!c)
        return 0;
    p = &r->people[c->person];
    *c = r->conns[--r->nconns];
    if (p->conns)
        p->conns--;
    if (p->conns == 0 && p->present)
        *leave = leave_event(p, reason, now_ms);
    return p->id;
}

int64_t room_conn_person(const struct room *r, uint64_t conn)
{
    const struct conn *c = find_conn(r, conn);

    return c ? r->people[c->person].id : 0;
}

int64_t room_person_city(const struct room *r, int64_t person)
{
    const struct person *p = find_person(r, person, NULL);

    return p ? p->city_id : 0;
}

bool room_is_present(const struct room *r, int64_t person)
{
    const struct person *p = find_person(r, person, NULL);

    return p && p->present;
}

size_t room_conn_count(const struct room *r)
{
    return r->nconns;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

    return x < y ? -1 : x > y;
}

int room_present_city_ids(const struct room *r, int64_t **ids, size_t *n)
{
    int64_t *v = NULL;
    size_t k = 0;

    *ids = NULL;
    *n = 0;
    for (size_t i = 0; i < r->npeople; i++) {
        const struct person *p = &r->people[i];
        bool seen = false;
        if (!p->present || !p->city_id)
            continue;
        for (size_t j = 0; j < k && !seen; j++)
            seen = v[j] == p->city_id;
        if (seen)
            continue;
        if (!v && !(v = malloc(r->npeople * sizeof(*v))))
            return -1;
        v[k++] = p->city_id;
    }
    if (k)
        qsort(v, k, sizeof(*v), cmp_i64);
    *ids = v;
    *n = k;
    return 0;
}

int room_leave_all(struct room *r, const char *reason, int64_t now_ms, struct json_object **event)
{
    struct json_object *persons;

    *event = NULL;
    for (size_t i = 0; i < r->npeople && !*event; i++) {
        if (r->people[i].present && !(*event = room_event_new("presence.clear", now_ms)))
            return -1;
    }
    if (*event) {
        persons = json_object_new_array();
        for (size_t i = 0; i < r->npeople; i++)
            if (r->people[i].present)
                json_object_array_add(persons, json_object_new_int64(r->people[i].id));
        json_object_object_add(*event, "persons", persons);
        json_object_object_add(*event, "reason", json_object_new_string(reason));
    }
    for (size_t i = 0; i < r->npeople; i++)
        r->people[i].conns = 0;
    r->nconns = 0;
    return 0;
}

/* ---- operations ---- */

enum room_status room_agenda_move(const struct room *r, int64_t by, bool is_chair, int64_t item, int64_t now_ms,
                                  struct json_object **ev)
{
    *ev = NULL;
    if (r->closed)
        return ROOM_ERR_CLOSED;
    if (!is_chair)
        return ROOM_ERR_NOT_CHAIR;
    if (item < 0 || (size_t)item >= r->nagenda)
        return ROOM_ERR_BAD_ITEM;
    if (item == r->current)
        return ROOM_OK;
    if (!(*ev = room_event_new("agenda.move", now_ms)))
        return ROOM_ERR_NOMEM;
    json_object_object_add(*ev, "item", json_object_new_int64(item));
    json_object_object_add(*ev, "by", json_object_new_int64(by));
    return ROOM_OK;
}

enum room_status room_hand_raise(struct room *r, int64_t person, bool point_of_order, int64_t now_ms,
                                 int64_t *retry_after_ms, struct json_object **ev)
{
    size_t pi;
    struct person *p = find_person(r, person, &pi);

    *ev = NULL;
    if (r->closed)
        return ROOM_ERR_CLOSED;
    if (!p || !p->present)
        return ROOM_ERR_NOT_PRESENT;
    if (queue_find(r, pi) >= 0)
        return ROOM_ERR_HAND_RAISED;
    if (!allow(&p->hand_window_ms, &p->hand_count, now_ms, ROOM_HAND_BURST, ROOM_HAND_WINDOW_MS, retry_after_ms))
        return ROOM_ERR_RATE_LIMITED;
    if (!(*ev = room_event_new("hand.raise", now_ms)))
        return ROOM_ERR_NOMEM;
    add_person_fields(*ev, p);
    json_object_object_add(*ev, "point_of_order", json_object_new_boolean(point_of_order));
    return ROOM_OK;
}

enum room_status room_hand_lower(struct room *r, int64_t by, bool is_chair, int64_t person, int64_t now_ms,
                                 int64_t *retry_after_ms, struct json_object **ev)
{
    size_t pi;
    struct person *p = find_person(r, person, &pi), *actor = find_person(r, by, NULL);

    *ev = NULL;
    if (r->closed)
        return ROOM_ERR_CLOSED;
    if (by != person && !is_chair)
        return ROOM_ERR_NOT_CHAIR;
    if (!p || queue_find(r, pi) < 0)
        return ROOM_ERR_HAND_NOT_RAISED;
    if (!is_chair && actor &&
        !allow(&actor->hand_window_ms, &actor->hand_count, now_ms, ROOM_HAND_BURST, ROOM_HAND_WINDOW_MS, retry_after_ms))
        return ROOM_ERR_RATE_LIMITED;
    if (!(*ev = room_event_new("hand.lower", now_ms)))
        return ROOM_ERR_NOMEM;
    json_object_object_add(*ev, "person", json_object_new_int64(person));
    json_object_object_add(*ev, "by", json_object_new_int64(by));
    return ROOM_OK;
}

enum room_status room_floor_give(const struct room *r, int64_t by, bool is_chair, int64_t person, int64_t now_ms,
                                 struct json_object **ev)
{
    const struct person *p;
    bool point_of_order = false;
    long qi;

    *ev = NULL;
    if (r->closed)
        return ROOM_ERR_CLOSED;
    if (!is_chair)
        return ROOM_ERR_NOT_CHAIR;
    if (person == 0) {
        if (!r->nqueue)
            return ROOM_ERR_QUEUE_EMPTY;
        p = &r->people[r->queue[0].person];
    } else {
        p = find_person(r, person, NULL);
    }
    if (!p || !p->present)
        return ROOM_ERR_NOT_PRESENT;
    qi = queue_find(r, (size_t)(p - r->people));
    if (qi >= 0)
        point_of_order = r->queue[qi].point_of_order;
    if (!(*ev = room_event_new("floor.give", now_ms)))
        return ROOM_ERR_NOMEM;
    add_person_fields(*ev, p);
    json_object_object_add(*ev, "by", json_object_new_int64(by));
    json_object_object_add(*ev, "item", json_object_new_int64(r->current));
    json_object_object_add(*ev, "point_of_order", json_object_new_boolean(point_of_order));
    return ROOM_OK;
}

enum room_status room_floor_end(const struct room *r, int64_t by, bool is_chair, int64_t now_ms,
                                struct json_object **ev)
{
    int64_t speaker;

    *ev = NULL;
    if (r->closed)
        return ROOM_ERR_CLOSED;
    if (!r->has_floor)
        return ROOM_ERR_NO_FLOOR;
    speaker = r->people[r->floor].id;
    if (!is_chair && by != speaker)
        return ROOM_ERR_NOT_SPEAKER;
    if (!(*ev = room_event_new("floor.end", now_ms)))
        return ROOM_ERR_NOMEM;
    json_object_object_add(*ev, "person", json_object_new_int64(speaker));
    json_object_object_add(*ev, "by", json_object_new_int64(by));
    return ROOM_OK;
}

enum room_status room_chat_send(struct room *r, int64_t person, const char *text, size_t len, int64_t now_ms,
                                int64_t *retry_after_ms, struct json_object **ev)
{
    struct person *p = find_person(r, person, NULL);

    *ev = NULL;
    if (r->closed)
        return ROOM_ERR_CLOSED;
    if (!p || !p->present)
        return ROOM_ERR_NOT_PRESENT;
    if (!text || len > ROOM_CHAT_MAX || strlen(text) != len || !membership_text_is_valid(text, 1, ROOM_CHAT_MAX, true))
        return ROOM_ERR_BAD_TEXT;
    if (!allow(&p->chat_window_ms, &p->chat_count, now_ms, ROOM_CHAT_BURST, ROOM_CHAT_WINDOW_MS, retry_after_ms))
        return ROOM_ERR_RATE_LIMITED;
    if (!(*ev = room_event_new("chat.message", now_ms)))
        return ROOM_ERR_NOMEM;
    add_person_fields(*ev, p);
    json_object_object_add(*ev, "text", json_object_new_string_len(text, (int)len));
    return ROOM_OK;
}

enum room_status room_chat_hide(const struct room *r, int64_t by, bool is_chair, uint64_t message, int64_t now_ms,
                                struct json_object **ev)
{
    const struct chat *c;

    *ev = NULL;
    if (r->closed)
        return ROOM_ERR_CLOSED;
    if (!is_chair)
        return ROOM_ERR_NOT_CHAIR;
    if (!message || !(c = find_chat(r, message)))
        return ROOM_ERR_NO_MESSAGE;
    if (c->hidden)
        return ROOM_OK;
    if (!(*ev = room_event_new("chat.hide", now_ms)))
        return ROOM_ERR_NOMEM;
    json_object_object_add(*ev, "message", json_object_new_int64((int64_t)message));
    json_object_object_add(*ev, "by", json_object_new_int64(by));
    return ROOM_OK;
}

/* ---- recording ---- */

uint64_t room_stamp(const struct room *r, struct json_object *ev, size_t pending)
{
    uint64_t seq = r->seq + 1 + pending;

    json_object_object_add(ev, "seq", json_object_new_int64((int64_t)seq));
    return seq;
}

static void apply_join(struct room *r, struct json_object *ev, int64_t at_ms)
{
    int64_t id;
    long pi;
    struct person *p;

    if (!get_int(ev, "person", &id) || (pi = person_index(r, id, get_str(ev, "name"), get_str(ev, "city"))) < 0)
        return;
    p = &r->people[pi];
    if (p->present)
        return;
    if (grow((void **)&r->att, &r->cap_att, r->natt, sizeof(*r->att), ROOM_MAX_INTERVALS) != 0)
        return;
    r->att[r->natt].person = id;
    r->att[r->natt].joined_ms = at_ms;
    r->att[r->natt].left_ms = 0;
    r->natt++;
    p->present = p->attended = true;
    p->since_ms = at_ms;
}

static void apply_leave(struct room *r, int64_t id, int64_t at_ms)
{
    size_t pi;
    struct person *p;

    if (!(p = find_person(r, id, &pi)) || !p->present)
        return;
    p->present = false;
    for (size_t i = r->natt; i > 0; i--) {
        if (r->att[i - 1].person == id && !r->att[i - 1].left_ms) {
            r->att[i - 1].left_ms = at_ms > r->att[i - 1].joined_ms ? at_ms : r->att[i - 1].joined_ms;
            break;
        }
    }
    /* someone who leaves is no longer waiting to speak, nor speaking */
    queue_remove(r, pi);
    if (r->has_floor && r->floor == pi)
        r->has_floor = false;
}

static void apply_chat(struct room *r, struct json_object *ev, uint64_t seq, int64_t at_ms)
{
    int64_t id;
    size_t pi;
    const char *text = get_str(ev, "text");
    struct chat *c;
    char *copy;

    if (!get_int(ev, "person", &id) || !text || !find_person(r, id, &pi) || !(copy = strdup(text)))
        return;
    if (r->nchat == ROOM_CHAT_HISTORY) { /* the oldest goes */
        c = &r->chat[r->chat_start];
        r->chat_start = (r->chat_start + 1) % ROOM_CHAT_HISTORY;
        r->nchat--;
    } else {
        c = &r->chat[(r->chat_start + r->nchat) % ROOM_CHAT_HISTORY];
    }
    free(c->text);
    memset(c, 0, sizeof(*c));
    c->seq = seq;
    c->person = pi;
    c->text = copy;
    c->at_ms = at_ms;
    r->nchat++;
}

static void apply(struct room *r, struct json_object *ev, uint64_t seq, int64_t at_ms)
{
    const char *kind = get_str(ev, "kind");
    int64_t v, by = 0;
    size_t pi;

    if (!strcmp(kind, "presence.join")) {
        apply_join(r, ev, at_ms);
    } else if (!strcmp(kind, "presence.leave")) {
        if (get_int(ev, "person", &v))
            apply_leave(r, v, at_ms);
    } else if (!strcmp(kind, "presence.clear")) {
        struct json_object *persons;
        if (json_object_object_get_ex(ev, "persons", &persons) && json_object_is_type(persons, json_type_array))
            for (size_t i = 0; i < json_object_array_length(persons); i++)
                apply_leave(r, json_object_get_int64(json_object_array_get_idx(persons, i)), at_ms);
    } else if (!strcmp(kind, "agenda.move")) {
        if (get_int(ev, "item", &v) && v >= 0 && (size_t)v < r->nagenda)
            r->current = v;
    } else if (!strcmp(kind, "hand.raise")) {
        if (get_int(ev, "person", &v) && find_person(r, v, &pi))
            (void)queue_add(r, pi, get_bool(ev, "point_of_order"));
    } else if (!strcmp(kind, "hand.lower")) {
        if (get_int(ev, "person", &v) && find_person(r, v, &pi))
            queue_remove(r, pi);
    } else if (!strcmp(kind, "floor.give")) {
        if (get_int(ev, "person", &v) && find_person(r, v, &pi)) {
            queue_remove(r, pi);
            r->has_floor = true;
            r->floor = pi;
            r->floor_since_ms = at_ms;
            r->floor_item = get_int(ev, "item", &v) ? v : r->current;
        }
    } else if (!strcmp(kind, "floor.end")) {
        r->has_floor = false;
    } else if (!strcmp(kind, "chat.message")) {
        apply_chat(r, ev, seq, at_ms);
    } else if (!strcmp(kind, "chat.hide")) {
        struct chat *c;
        if (get_int(ev, "message", &v) && v > 0 && (c = find_chat(r, (uint64_t)v)) && !c->hidden) {
            c->hidden = true;
            c->hidden_by = get_int(ev, "by", &by) ? by : 0;
            c->hidden_at_ms = at_ms;
        }
    } else if (!strcmp(kind, "session.close")) {
        r->closed = true;
    }
    /* other kinds (session.start, motion.*) are in the log only */
}

int room_record(struct room *r, struct json_object *ev, int64_t at_ms)
{
    int64_t seq;

    if (!ev || !json_object_is_type(ev, json_type_object) || !get_int(ev, "seq", &seq) ||
        (uint64_t)seq != r->seq + 1 || !kind_ok(get_str(ev, "kind"))) {
        json_object_put(ev);
        return -1;
    }
    apply(r, ev, (uint64_t)seq, at_ms);
    r->seq = (uint64_t)seq;
    json_object_put(r->ring[r->seq % ROOM_RING]);
    r->ring[r->seq % ROOM_RING] = ev;
    if (r->nring < ROOM_RING)
        r->nring++;
    return 0;
}

enum room_resume room_resume(const struct room *r, uint64_t after_seq, struct json_object **events)
{
    uint64_t oldest = r->seq - r->nring + 1; /* the first seq still in the ring (seq + 1 when it is empty) */

    *events = NULL;
    if (after_seq > r->seq)
        return ROOM_RESUME_BAD_SEQ;
    if (after_seq + 1 < oldest)
        return ROOM_RESUME_SNAPSHOT;
    if (!(*events = json_object_new_array()))
        return ROOM_RESUME_EVENTS;
    for (uint64_t s = after_seq + 1; s <= r->seq; s++)
        json_object_array_add(*events, json_object_get(r->ring[s % ROOM_RING]));
    return ROOM_RESUME_EVENTS;
}

/* ---- the snapshot ---- */

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The distinct city codes of the people for whom pick() holds, sorted. */
static struct json_object *city_list(const struct room *r, bool present_only)
{
    struct json_object *a = json_object_new_array();
    const char **v = r->npeople ? calloc(r->npeople, sizeof(*v)) : NULL;
    size_t k = 0;

    if (!a || (r->npeople && !v)) {
        free(v);
        return a;
    }
    for (size_t i = 0; i < r->npeople; i++) {
        const struct person *p = &r->people[i];
        if (!p->city[0] || (present_only ? !p->present : !p->attended))
            continue;
        v[k++] = p->city;
    }
    if (k)
        qsort(v, k, sizeof(*v), cmp_str);
    for (size_t i = 0; i < k; i++)
        if (i == 0 || strcmp(v[i], v[i - 1]))
            json_object_array_add(a, json_object_new_string(v[i]));
    free(v);
    return a;
}

struct json_object *room_snapshot(const struct room *r)
{
    struct json_object *s = json_object_new_object(), *agenda, *items, *present, *queue, *chat;

    if (!s)
        return NULL;
    json_object_object_add(s, "session", json_object_new_int64(r->session));
    json_object_object_add(s, "seq", json_object_new_int64((int64_t)r->seq));
    json_object_object_add(s, "closed", json_object_new_boolean(r->closed));
    agenda = json_object_new_object();
    items = json_object_new_array();
    for (size_t i = 0; i < r->nagenda; i++)
        json_object_array_add(items, json_object_new_string(r->agenda[i]));
    json_object_object_add(agenda, "items", items);
    json_object_object_add(agenda, "current", json_object_new_int64(r->current));
    json_object_object_add(s, "agenda", agenda);
    present = json_object_new_array();
    for (size_t i = 0; i < r->npeople; i++) {
        const struct person *p = &r->people[i];
        struct json_object *o;
        if (!p->present)
            continue;
        o = json_object_new_object();
        add_person_fields(o, p);
        add_time(o, "since", p->since_ms);
        json_object_object_add(o, "devices", json_object_new_int64(p->conns));
        json_object_array_add(present, o);
    }
    json_object_object_add(s, "present", present);
    json_object_object_add(s, "cities_present", city_list(r, true));
    json_object_object_add(s, "cities_attended", city_list(r, false));
    queue = json_object_new_array();
    for (size_t i = 0; i < r->nqueue; i++) {
        struct json_object *o = json_object_new_object();
        add_person_fields(o, &r->people[r->queue[i].person]);
        json_object_object_add(o, "point_of_order", json_object_new_boolean(r->queue[i].point_of_order));
        json_object_array_add(queue, o);
    }
    json_object_object_add(s, "queue", queue);
    if (r->has_floor) {
        struct json_object *o = json_object_new_object();
        add_person_fields(o, &r->people[r->floor]);
        add_time(o, "since", r->floor_since_ms);
        json_object_object_add(o, "item", json_object_new_int64(r->floor_item));
        json_object_object_add(s, "floor", o);
    } else {
        json_object_object_add(s, "floor", NULL);
    }
    chat = json_object_new_array();
    for (size_t i = 0; i < r->nchat; i++) {
        const struct chat *c = &r->chat[(r->chat_start + i) % ROOM_CHAT_HISTORY];
        struct json_object *o = json_object_new_object();
        json_object_object_add(o, "id", json_object_new_int64((int64_t)c->seq));
        add_person_fields(o, &r->people[c->person]);
        json_object_object_add(o, "text", c->hidden ? NULL : json_object_new_string(c->text));
        add_time(o, "at", c->at_ms);
        if (c->hidden) {
            struct json_object *h = json_object_new_object();
            json_object_object_add(h, "by", json_object_new_int64(c->hidden_by));
            add_time(h, "at", c->hidden_at_ms);
            json_object_object_add(o, "hidden", h);
        } else {
            json_object_object_add(o, "hidden", NULL);
        }
        json_object_array_add(chat, o);
    }
    json_object_object_add(s, "chat", chat);
    return s;
}

/* ---- reads for tests and minutes ---- */

const struct room_interval *room_attendance(const struct room *r, size_t *n)
{
    *n = r->natt;
    return r->att;
}

size_t room_queue(const struct room *r, int64_t *persons, bool *point_of_order, size_t max)
{
    size_t n = r->nqueue < max ? r->nqueue : max;

    for (size_t i = 0; i < n; i++) {
        persons[i] = r->people[r->queue[i].person].id;
        if (point_of_order)
            point_of_order[i] = r->queue[i].point_of_order;
    }
    return r->nqueue;
}

int64_t room_floor(const struct room *r)
{
    return r->has_floor ? r->people[r->floor].id : 0;
}

int64_t room_agenda_current(const struct room *r)
{
    return r->current;
}
