/*
 * Unit tests of the groups' part of the store (include/b40/store_groups.h)
 * on a temporary database with the demo network: the founding groups the
 * migration inserts; members, delegates; the two-signature proposal;
 * sessions and their states, updates, cancellation and the quarterly plan;
 * requests for extra sessions; time polls; recommendations and follow-up.
 * Each test works in its own temporary folder and checks the rows and the
 * history through plain SQLite as another program would.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "b40/identity.h"
#include "b40/store.h"
#include "b40/store_groups.h"
#include "b40/store_identity.h"
#include "b40/timeutil.h"
#include "support.h"

#define T0 1795000000000LL /* 2026-11-18T...Z: a fixed "now" for the writes */
#define HOUR (3600LL * 1000)

static int setup(void **state)
{
    return fixture_setup(state, "b40-groups-store", true);
}

static int setup_empty(void **state)
{
    return fixture_setup(state, "b40-groups-store", false);
}

static int64_t city(struct fixture *f, const char *code)
{
    int64_t id = 0;
    char status[16];

    assert_int_equal(store_city_lookup(f->st, code, &id, status), 0);
    return id;
}

static int64_t person(struct fixture *f, const char *name, const char *city_code, unsigned roles)
{
    int64_t id = 0;

    assert_int_equal(store_person_add(f->st, name, city_code ? city(f, city_code) : 0, roles, &id), 0);
    return id;
}

/* A key row for person p, as enrollment would make it (the store does not check its bytes). */
static int64_t key_for(struct fixture *f, int64_t p, uint8_t fill)
{
    struct identity_enrollment e;
    uint8_t pk[32], sig[64];
    int64_t key = 0;

    memset(&e, 0, sizeof(e));
    snprintf(e.id, sizeof(e.id), "%032x", (unsigned)fill);
    e.person_id = p;
    memset(e.code_sha256, fill, 32);
    e.expires_ms = T0 + HOUR;
    memset(e.signer, 1, 32);
    memset(pk, fill, 32);
    memset(sig, 2, 64);
    assert_int_equal(store_enrollment_add(f->st, &e, 0, "stmt", 4, sig), 0);
    assert_int_equal(store_key_add(f->st, p, pk, e.id, "test", "stmt", 4, sig, T0, &key), 0);
    return key;
}

static int64_t group_id(struct fixture *f, const char *code)
{
    struct group_record g;

    assert_int_equal(store_group_find(f->st, code, &g), 0);
    return g.id;
}

static int history_count(struct fixture *f, const char *action)
{
    char q[200];

    snprintf(q, sizeof(q), "SELECT count(*) FROM history WHERE action = '%s'", action);
    return int_query(f->db, q);
}

static struct group_session session_new(int64_t group, const char *kind, const char *quarter, int64_t start)
{
    struct group_session x;

    memset(&x, 0, sizeof(x));
    x.group_id = group;
    snprintf(x.kind, sizeof(x.kind), "%s", kind);
    snprintf(x.quarter, sizeof(x.quarter), "%s", quarter);
    snprintf(x.title, sizeof(x.title), "Session of %s", quarter);
    x.starts_at_ms = start;
    x.ends_at_ms = start + 2 * HOUR;
    snprintf(x.agenda_json, sizeof(x.agenda_json), "[\"Opening\"]");
    return x;
}

/* Whether plain SQLite refuses a statement (a trigger or a constraint). */
static bool refused_sql(const char *path, const char *text)
{
    sqlite3 *db;
    int rc;

    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    rc = sqlite3_exec(db, text, NULL, NULL, NULL);
    sqlite3_close(db);
    return rc != SQLITE_OK;
}

/* ---- the migration ---- */

static void test_founding_groups(void **state)
{
    static const struct {
        const char *code, *name;
    } founding[] = {
        {"climate", "Local climate action"},
        {"democracy-migration", "Local democracy and migration"},
        {"smart-cities", "Smart cities and digital transformation"},
        {"economy", "Local economic cooperation"},
    };
    struct fixture *f = *state;
    struct group_record *list = NULL;
    struct group_proposal p;
    size_t n = 0;

    assert_true(store_schema_version(f->st) >= 4); /* 5 adds the room's tables */
    assert_int_equal(store_schema_version(f->st), STORE_SCHEMA_VERSION);
    assert_int_equal(store_group_list(f->st, &list, &n), 0);
    assert_int_equal(n, 4);
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(list[i].code, founding[i].code);
        assert_string_equal(list[i].name, founding[i].name);
        assert_string_equal(list[i].kind, "permanent");
        assert_string_equal(list[i].state, "active");
        assert_string_equal(list[i].ends_on, "");
        assert_true(list[i].founding);
        assert_int_equal(list[i].active_from_ms, 1638144000000LL); /* 2021-11-29T00:00:00Z */
        assert_int_equal(store_group_proposal(f->st, list[i].id, &p), 1); /* no proposal: founded with the network */
    }
    free(list);
    {
        struct group_record g;
        assert_int_equal(store_group_find(f->st, "nope", &g), 1);
        assert_int_equal(store_group_get(f->st, 999, &g), 1);
    }
}

static void test_schema_checks(void **state)
{
    struct fixture *f = *state;

    /* a temporary group needs its end date, a permanent one has none */
    assert_int_equal(int_query(f->db, "SELECT count(*) FROM groups WHERE founding = 1"), 4);
    sql(f->db, "INSERT INTO groups (code, name, description, kind, ends_on, state, created_at_ms)"
               " VALUES ('t1', 'T', '', 'temporary', '2027-06-30', 'proposed', 1)");
    assert_int_equal(int_query(f->db, "SELECT count(*) FROM groups"), 5);
}

/* ---- members and delegates ---- */

static void test_join_leave_delegate(void **state)
{
    struct fixture *f = *state;
    int64_t g = group_id(f, "climate"), athens = city(f, "athens"), sofia = city(f, "sofia");
    int64_t mayor = person(f, "Mayor of Athens", "athens", ROLE_MAYOR);
    int64_t official = person(f, "Officer of Athens", "athens", ROLE_OFFICIAL);
    int64_t sofian = person(f, "Deputy of Sofia", "sofia", ROLE_DEPUTY);
    int64_t expert = person(f, "Expert", NULL, ROLE_EXPERT);
    struct group_member *m = NULL;
    int64_t *ids = NULL, d = -1;
    size_t n = 0;
    bool has = true;

    assert_int_equal(store_group_has_city(f->st, g, athens, &has), 0);
    assert_false(has);
    assert_int_equal(store_group_set_delegate(f->st, g, athens, official, expert, T0), STORE_GROUPS_NOT_MEMBER);
    assert_int_equal(store_group_join(f->st, g, athens, mayor, T0), 0);
    assert_int_equal(store_group_join(f->st, g, athens, mayor, T0 + 1), 1); /* a member already: nothing written */
    assert_int_equal(store_group_join(f->st, g, sofia, expert, T0 + 2), 0);
    assert_int_equal(history_count(f, "group.join"), 2);
    assert_int_equal(store_group_has_city(f->st, g, athens, &has), 0);
    assert_true(has);
    assert_int_equal(store_group_member_cities(f->st, g, &ids, &n), 0);
    assert_int_equal(n, 2);
    assert_true(ids[0] < ids[1]);
    assert_true((ids[0] == athens && ids[1] == sofia) || (ids[0] == sofia && ids[1] == athens));
    free(ids);

    /* the delegate: a person of that city with a city role */
    assert_int_equal(store_group_set_delegate(f->st, g, athens, sofian, mayor, T0), STORE_GROUPS_CONFLICT);
    assert_int_equal(store_group_set_delegate(f->st, g, athens, expert, mayor, T0), STORE_GROUPS_CONFLICT);
    assert_int_equal(store_group_set_delegate(f->st, g, athens, 999, mayor, T0), STORE_GROUPS_CONFLICT);
    assert_int_equal(store_group_set_delegate(f->st, g, athens, official, mayor, T0), 0);
    assert_int_equal(store_group_set_delegate(f->st, g, athens, official, mayor, T0), 0); /* no change, no history */
    assert_int_equal(history_count(f, "group.delegate"), 1);
    assert_int_equal(store_group_delegate(f->st, g, athens, &d), 0);
    assert_int_equal(d, official);
    assert_int_equal(store_group_delegate(f->st, g, sofia, &d), 0);
    assert_int_equal(d, 0);
    assert_int_equal(store_group_members(f->st, g, &m, &n), 0);
    assert_int_equal(n, 2);
    assert_string_equal(m[0].city, "athens");
    assert_string_equal(m[0].delegate_name, "Officer of Athens");
    assert_int_equal(m[0].delegate_person_id, official);
    assert_string_equal(m[0].city_status, "member");
    assert_string_equal(m[1].city, "sofia");
    assert_string_equal(m[1].delegate_name, "");
    free(m);

    /* a deactivated person cannot be named */
    sql(f->db, "UPDATE people SET active = 0 WHERE name = 'Mayor of Athens'");
    assert_int_equal(store_group_set_delegate(f->st, g, athens, mayor, mayor, T0), STORE_GROUPS_CONFLICT);

    /* leaving clears the delegate; joining again starts without one */
    assert_int_equal(store_group_leave(f->st, g, athens, mayor, T0 + 10), 0);
    assert_int_equal(store_group_leave(f->st, g, athens, mayor, T0 + 11), 1);
    assert_int_equal(store_group_has_city(f->st, g, athens, &has), 0);
    assert_false(has);
    assert_int_equal(store_group_join(f->st, g, athens, mayor, T0 + 20), 0);
    assert_int_equal(store_group_delegate(f->st, g, athens, &d), 0);
    assert_int_equal(d, 0);
    assert_int_equal(history_count(f, "group.leave"), 1);
    assert_int_equal(store_group_join(f->st, 999, athens, mayor, T0), STORE_GROUPS_NOT_FOUND);
    assert_int_equal(store_group_join(f->st, g, 99999, mayor, T0), STORE_GROUPS_NOT_FOUND);
}

/* ---- the two-signature proposal ---- */

static void test_two_signatures(void **state)
{
    struct fixture *f = *state;
    int64_t zagreb = city(f, "zagreb");
    int64_t mayor = person(f, "Mayor of Zagreb", "zagreb", ROLE_MAYOR), expert = person(f, "Expert", NULL, ROLE_EXPERT);
    int64_t kmayor = key_for(f, mayor, 0x11), kexpert = key_for(f, expert, 0x22);
    struct group_new g = {"water", "Water management", "Rivers and ports", "temporary", "2027-06-30"};
    uint8_t pk1[32], pk2[32], sig1[64], sig2[64];
    struct group_record rec;
    struct group_proposal p;
    int64_t id = 0;
    bool activated = true;
    const char *text = "b40-group-proposal-v1\nnetwork: b40-balkan-cities\ncode: water\n";

    memset(pk1, 0x11, 32);
    memset(pk2, 0x22, 32);
    memset(sig1, 0xa1, 64);
    memset(sig2, 0xa2, 64);
    assert_int_equal(store_group_propose(f->st, &g, text, zagreb, "secretariat", expert, kexpert, pk2, sig2, T0, &id), 0);
    assert_int_equal(store_group_get(f->st, id, &rec), 0);
    assert_string_equal(rec.state, "proposed");
    assert_string_equal(rec.kind, "temporary");
    assert_string_equal(rec.ends_on, "2027-06-30");
    assert_int_equal(rec.active_from_ms, 0);
    /* one signature alone: still proposed, and a second one of the same side is refused */
    assert_int_equal(store_group_sign(f->st, id, "secretariat", expert, kexpert, pk2, sig2, T0 + 1, &activated),
                     STORE_GROUPS_CONFLICT);
    assert_false(activated);
    assert_int_equal(store_group_get(f->st, id, &rec), 0);
    assert_string_equal(rec.state, "proposed");
    /* a group that is only proposed takes no members and no sessions */
    assert_int_equal(store_group_join(f->st, id, zagreb, mayor, T0), STORE_GROUPS_CONFLICT);
    {
        struct group_session x = session_new(id, "regular", "2026Q4", T0 + 24 * HOUR);
        assert_int_equal(store_session_schedule(f->st, &x, expert, T0, NULL), STORE_GROUPS_CONFLICT);
    }
    /* the same code again */
    assert_int_equal(store_group_propose(f->st, &g, text, zagreb, "presidency", mayor, kmayor, pk1, sig1, T0, NULL),
                     STORE_GROUPS_TAKEN);
    /* the other side: active */
    assert_int_equal(store_group_sign(f->st, id, "presidency", mayor, kmayor, pk1, sig1, T0 + 5, &activated), 0);
    assert_true(activated);
    assert_int_equal(store_group_get(f->st, id, &rec), 0);
    assert_string_equal(rec.state, "active");
    assert_int_equal(rec.active_from_ms, T0 + 5);
    assert_int_equal(store_group_proposal(f->st, id, &p), 0);
    assert_string_equal(p.statement, text);
    assert_string_equal(p.presidency_city, "zagreb");
    assert_int_equal(p.nsigs, 2);
    assert_string_equal(p.sigs[0].side, "secretariat");
    assert_string_equal(p.sigs[0].person_name, "Expert");
    assert_memory_equal(p.sigs[0].public_key, pk2, 32);
    assert_memory_equal(p.sigs[0].signature, sig2, 64);
    assert_string_equal(p.sigs[1].side, "presidency");
    assert_int_equal(p.sigs[1].key_id, kmayor);
    assert_int_equal(history_count(f, "group.sign"), 2);
    assert_int_equal(history_count(f, "group.activate"), 1);
    /* signing an active group is a conflict; the signatures cannot be changed behind the server's back either */
    assert_int_equal(store_group_sign(f->st, id, "presidency", mayor, kmayor, pk1, sig1, T0 + 6, &activated),
                     STORE_GROUPS_CONFLICT);
    assert_int_equal(store_group_sign(f->st, 999, "presidency", mayor, kmayor, pk1, sig1, T0 + 6, &activated),
                     STORE_GROUPS_NOT_FOUND);
    assert_int_equal(store_group_join(f->st, id, zagreb, mayor, T0 + 7), 0);
}

/* ---- sessions ---- */

static void test_session_states(void **state)
{
    struct fixture *f = *state;
    int64_t g = group_id(f, "economy"), expert = person(f, "Expert", NULL, ROLE_EXPERT), id = 0, other = 0;
    struct group_session x = session_new(g, "regular", "2026Q4", T0 + 24 * HOUR), y;

    assert_int_equal(store_session_schedule(f->st, &x, expert, T0, &id), 0);
    assert_int_equal(store_session_get(f->st, id, &y), 0);
    assert_string_equal(y.state, "scheduled");
    assert_string_equal(y.group_code, "economy");
    assert_int_equal(y.ical_sequence, 0);
    assert_int_equal(y.chair_person_id, 0);
    assert_string_equal(y.video_url, "");
    assert_string_equal(y.agenda_json, "[\"Opening\"]");
    assert_int_equal(store_session_get(f->st, 999, &y), 1);
    /* one regular session per quarter; an extra one any time */
    assert_int_equal(store_session_schedule(f->st, &x, expert, T0, &other), STORE_GROUPS_CONFLICT);
    x = session_new(g, "extra", "2026Q4", T0 + 48 * HOUR);
    assert_int_equal(store_session_schedule(f->st, &x, expert, T0, &other), 0);
    assert_int_equal(history_count(f, "session.schedule"), 2);

    assert_int_equal(store_session_set_state(f->st, id, "closed", expert, T0), 2); /* not from scheduled */
    assert_int_equal(store_session_set_state(f->st, id, "bogus", expert, T0), 2);
    assert_int_equal(store_session_set_state(f->st, 999, "live", expert, T0), 1);
    assert_int_equal(store_session_set_state(f->st, id, "live", expert, T0), 0);
    assert_int_equal(store_session_set_state(f->st, id, "live", expert, T0), 0); /* idempotent */
    assert_int_equal(store_session_get(f->st, id, &y), 0);
    assert_string_equal(y.state, "live");
    assert_int_equal(y.ical_sequence, 1);
    assert_int_equal(store_session_cancel(f->st, id, "no", expert, T0), STORE_GROUPS_CONFLICT); /* live */
    assert_int_equal(store_session_set_state(f->st, id, "closed", expert, T0), 0);
    assert_int_equal(store_session_set_state(f->st, id, "live", expert, T0), 2);
    assert_int_equal(store_session_get(f->st, id, &y), 0);
    assert_string_equal(y.state, "closed");
    assert_int_equal(y.ical_sequence, 2);
    assert_int_equal(history_count(f, "session.state"), 2);
    {
        int64_t last = 0;
        assert_int_equal(store_session_last_closed(f->st, g, &last), 0);
        assert_int_equal(last, T0 + 24 * HOUR);
        assert_int_equal(store_session_last_closed(f->st, group_id(f, "climate"), &last), 0);
        assert_int_equal(last, 0);
    }
    /* the next session: the extra one (the closed one no longer counts) */
    assert_int_equal(store_session_next(f->st, g, T0, &y), 0);
    assert_int_equal(y.id, other);
    assert_int_equal(store_session_next(f->st, g, T0 + 100 * HOUR, &y), 1);
}

static void test_session_update_and_cancel(void **state)
{
    struct fixture *f = *state;
    int64_t g = group_id(f, "climate"), expert = person(f, "Expert", NULL, ROLE_EXPERT);
    int64_t chair = person(f, "Chair", "athens", ROLE_MAYOR), id = 0, id2 = 0;
    struct group_session x = session_new(g, "regular", "2026Q4", T0 + 24 * HOUR), y, z;

    assert_int_equal(store_session_schedule(f->st, &x, expert, T0, &id), 0);
    assert_int_equal(store_session_get(f->st, id, &y), 0);
    /* the chair alone: not visible in a calendar */
    y.chair_person_id = chair;
    assert_int_equal(store_session_update(f->st, &y, expert, T0 + 1, &z), 0);
    assert_int_equal(z.ical_sequence, 0);
    assert_int_equal(z.chair_person_id, chair);
    /* nothing changed: no write */
    assert_int_equal(store_session_update(f->st, &z, expert, T0 + 2, &z), 0);
    assert_int_equal(history_count(f, "session.update"), 1);
    /* a new time and a video link: +1 */
    z.starts_at_ms += HOUR;
    z.ends_at_ms += HOUR;
    snprintf(z.video_url, sizeof(z.video_url), "https://meet.example/b40-climate");
    assert_int_equal(store_session_update(f->st, &z, expert, T0 + 3, &y), 0);
    assert_int_equal(y.ical_sequence, 1);
    assert_string_equal(y.video_url, "https://meet.example/b40-climate");
    assert_int_equal(y.updated_at_ms, T0 + 3);
    /* moving into a quarter that has a regular session is a conflict */
    x = session_new(g, "regular", "2027Q1", T0 + 2000 * HOUR);
    assert_int_equal(store_session_schedule(f->st, &x, expert, T0, &id2), 0);
    snprintf(y.quarter, sizeof(y.quarter), "2027Q1");
    assert_int_equal(store_session_update(f->st, &y, expert, T0 + 4, NULL), STORE_GROUPS_CONFLICT);
    /* cancel: +1, once */
    assert_int_equal(store_session_cancel(f->st, id, "the chair is ill", expert, T0 + 5), 0);
    assert_int_equal(store_session_cancel(f->st, id, "again", expert, T0 + 6), 2);
    assert_int_equal(store_session_cancel(f->st, 999, "x", expert, T0 + 6), 1);
    assert_int_equal(store_session_get(f->st, id, &y), 0);
    assert_string_equal(y.state, "cancelled");
    assert_string_equal(y.cancel_reason, "the chair is ill");
    assert_int_equal(y.ical_sequence, 2);
    assert_int_equal(store_session_update(f->st, &y, expert, T0 + 7, NULL), STORE_GROUPS_CONFLICT);
    /* a cancelled regular session leaves its quarter free */
    x = session_new(g, "regular", "2026Q4", T0 + 30 * HOUR);
    assert_int_equal(store_session_schedule(f->st, &x, expert, T0, NULL), 0);
}

static void test_session_plan(void **state)
{
    struct fixture *f = *state;
    int64_t climate = group_id(f, "climate"), economy = group_id(f, "economy");
    struct session_plan_item items[] = {
        {climate, "2026Q4", T0 + 24 * HOUR, T0 + 26 * HOUR},
        {climate, "2027Q1", T0 + 2000 * HOUR, T0 + 2002 * HOUR},
        {economy, "2026Q4", T0 + 24 * HOUR, T0 + 26 * HOUR},
        {999, "2026Q4", T0 + 24 * HOUR, T0 + 26 * HOUR}, /* no such group: skipped */
    };
    struct group_session *list = NULL;
    size_t created = 99, n = 0;

    assert_int_equal(store_session_plan(f->st, items, COUNT(items), 0, T0, &created), 0);
    assert_int_equal(created, 3);
    assert_int_equal(store_session_plan(f->st, items, COUNT(items), 0, T0 + 1, &created), 0);
    assert_int_equal(created, 0); /* idempotent */
    assert_int_equal(int_query(f->db, "SELECT count(*) FROM sessions"), 3);
    assert_int_equal(history_count(f, "session.plan"), 2);
    assert_int_equal(store_session_list(f->st, climate, &list, &n), 0);
    assert_int_equal(n, 2);
    assert_string_equal(list[0].quarter, "2026Q4");
    assert_string_equal(list[0].title, "Quarterly session, 2026Q4");
    assert_string_equal(list[0].kind, "regular");
    assert_string_equal(list[1].quarter, "2027Q1");
    free(list);
    assert_int_equal(store_session_list(f->st, 0, &list, &n), 0);
    assert_int_equal(n, 3);
    free(list);
}

/* ---- the term and its plan (the demo's presidency terms) ---- */

static int64_t at(const char *text)
{
    int64_t v = 0;

    assert_int_equal(timeutil_parse_rfc3339(text, &v), 0);
    return v;
}

static void test_term_and_plan(void **state)
{
    struct fixture *f = *state;
    struct group_term t;
    struct group_session *list = NULL;
    size_t created = 0, n = 0;

    assert_int_equal(store_group_term(f->st, at("2026-11-27T12:00:00.000Z"), &t), 0);
    assert_string_equal(t.city, "zagreb");
    assert_string_equal(t.starts_on, "2026-01-25");
    assert_string_equal(t.ends_on, "2027-01-24"); /* no later summit: a year */
    assert_int_equal(t.starts_ms, at("2026-01-25T00:00:00.000Z"));
    assert_int_equal(t.ends_ms, at("2027-01-25T00:00:00.000Z"));
    assert_int_equal(store_group_term(f->st, at("2025-06-01T00:00:00.000Z"), &t), 0);
    assert_string_equal(t.city, "sofia");
    assert_string_equal(t.ends_on, "2026-01-24"); /* the day before Zagreb's summit */
    assert_int_equal(store_group_term(f->st, at("2026-01-25T00:00:00.000Z"), &t), 0);
    assert_string_equal(t.city, "zagreb");
    assert_int_equal(store_group_term(f->st, at("2021-11-28T23:59:59.999Z"), &t), 1); /* before the first */

    /* as seen on 27 November 2026: 2026Q4 on 7 December, 2027Q1 on its default day, for each founding group */
    assert_int_equal(store_group_term(f->st, at("2026-11-27T12:00:00.000Z"), &t), 0);
    assert_int_equal(store_session_plan_term(f->st, &t, at("2026-11-27T12:00:00.000Z"), 0, &created), 0);
    assert_int_equal(created, 8);
    assert_int_equal(store_session_plan_term(f->st, &t, at("2026-11-28T12:00:00.000Z"), 0, &created), 0);
    assert_int_equal(created, 0);
    assert_int_equal(store_session_list(f->st, group_id(f, "economy"), &list, &n), 0);
    assert_int_equal(n, 2);
    assert_string_equal(list[0].quarter, "2026Q4");
    assert_int_equal(list[0].starts_at_ms, at("2026-12-07T07:00:00.000Z"));
    assert_int_equal(list[0].ends_at_ms, at("2026-12-07T09:00:00.000Z"));
    assert_string_equal(list[1].quarter, "2027Q1");
    assert_int_equal(list[1].starts_at_ms, at("2027-02-15T07:00:00.000Z"));
    free(list);
}

/* ---- requests for extra sessions ---- */

static void test_session_requests(void **state)
{
    struct fixture *f = *state;
    int64_t g = group_id(f, "smart-cities"), athens = city(f, "athens");
    int64_t mayor = person(f, "Mayor of Athens", "athens", ROLE_MAYOR), expert = person(f, "Expert", NULL, ROLE_EXPERT);
    struct session_request r, got, *list = NULL;
    struct group_session x = session_new(g, "regular", "2026Q4", T0 + 24 * HOUR), s;
    int64_t id1 = 0, id2 = 0, sid = 0;
    size_t n = 0;

    memset(&r, 0, sizeof(r));
    r.group_id = g;
    r.city_id = athens;
    r.person_id = mayor;
    r.key_id = key_for(f, mayor, 0x33);
    memset(r.public_key, 0x33, 32);
    memset(r.signature, 0x44, 64);
    snprintf(r.statement, sizeof(r.statement), "b40-session-request-v1\n");
    snprintf(r.reason, sizeof(r.reason), "floods");
    r.requested_at_ms = T0;
    assert_int_equal(store_session_request_add(f->st, &r, &id1), 0);
    assert_int_equal(store_session_request_add(f->st, &r, &id2), 0);
    assert_int_equal(store_session_request_get(f->st, id1, &got), 0);
    assert_string_equal(got.state, "pending");
    assert_string_equal(got.city, "athens");
    assert_memory_equal(got.signature, r.signature, 64);
    assert_int_equal(store_session_request_decide(f->st, id1, &x, "", expert, T0 + 1, &sid), 0);
    assert_true(sid > 0);
    assert_int_equal(store_session_get(f->st, sid, &s), 0);
    assert_string_equal(s.kind, "extra"); /* whatever the caller said */
    assert_int_equal(s.group_id, g);
    assert_int_equal(store_session_request_decide(f->st, id1, NULL, "twice", expert, T0 + 2, NULL),
                     STORE_GROUPS_CONFLICT);
    assert_int_equal(store_session_request_decide(f->st, id2, NULL, "covered by the regular session", expert, T0 + 3,
                                                  &sid),
                     0);
    assert_int_equal(sid, 0);
    assert_int_equal(store_session_request_decide(f->st, 999, NULL, "x", expert, T0, NULL), STORE_GROUPS_NOT_FOUND);
    assert_int_equal(store_session_request_list(f->st, g, &list, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(list[0].id, id2); /* newest first */
    assert_string_equal(list[0].state, "declined");
    assert_string_equal(list[0].decision_reason, "covered by the regular session");
    assert_string_equal(list[1].state, "scheduled");
    assert_int_equal(list[1].decided_by, expert);
    free(list);
    assert_int_equal(history_count(f, "session.request"), 2);
    assert_int_equal(history_count(f, "session.request_decide"), 2);
}

/* ---- time polls ---- */

static void test_time_poll(void **state)
{
    struct fixture *f = *state;
    int64_t g = group_id(f, "climate"), athens = city(f, "athens"), sofia = city(f, "sofia");
    int64_t expert = person(f, "Expert", NULL, ROLE_EXPERT), mayor = person(f, "Mayor", "athens", ROLE_MAYOR);
    int64_t deputy = person(f, "Deputy", "sofia", ROLE_DEPUTY), sid = 0, pid = 0, other = 0;
    struct group_session x = session_new(g, "regular", "2026Q4", T0 + 24 * HOUR), s;
    int64_t starts[3] = {T0 + 50 * HOUR, T0 + 74 * HOUR, T0 + 98 * HOUR};
    int64_t ends[3] = {T0 + 52 * HOUR, T0 + 76 * HOUR, T0 + 100 * HOUR};
    int64_t m1[] = {1, 2}, m2[] = {2}, m3[] = {3};
    struct time_poll p;
    struct time_poll_answer *a = NULL;
    size_t n = 0;

    assert_int_equal(store_session_schedule(f->st, &x, expert, T0, &sid), 0);
    assert_int_equal(store_timepoll_create(f->st, sid, starts, ends, 3, expert, T0, &pid), 0);
    assert_int_equal(store_timepoll_create(f->st, sid, starts, ends, 3, expert, T0, &other), STORE_GROUPS_CONFLICT);
    assert_int_equal(store_timepoll_create(f->st, 999, starts, ends, 3, expert, T0, &other), STORE_GROUPS_NOT_FOUND);
    assert_int_equal(store_timepoll_create(f->st, sid, starts, ends, 1, expert, T0, &other), -1); /* too few slots */
    assert_int_equal(store_timepoll_of_session(f->st, sid, &other), 0);
    assert_int_equal(other, pid);
    assert_int_equal(store_timepoll_mark(f->st, pid, athens, m1, 2, mayor, T0 + 1), 0);
    assert_int_equal(store_timepoll_mark(f->st, pid, sofia, m3, 1, deputy, T0 + 2), 0);
    /* Sofia changes its mind: its marks are replaced, not added */
    assert_int_equal(store_timepoll_mark(f->st, pid, sofia, m2, 1, deputy, T0 + 3), 0);
    assert_int_equal(store_timepoll_mark(f->st, pid, sofia, (int64_t[]){7}, 1, deputy, T0 + 4), STORE_GROUPS_NOT_FOUND);
    assert_int_equal(store_timepoll_get(f->st, pid, &p), 0);
    assert_string_equal(p.state, "open");
    assert_int_equal(p.group_id, g);
    assert_int_equal(p.nslots, 3);
    assert_int_equal(p.slots[0].marks, 1);
    assert_int_equal(p.slots[1].marks, 2);
    assert_int_equal(p.slots[2].marks, 0);
    assert_int_equal(p.slots[2].starts_at_ms, starts[2]);
    assert_int_equal(store_timepoll_answers(f->st, pid, &a, &n), 0);
    assert_int_equal(n, 2);
    assert_string_equal(a[0].city, "athens");
    assert_int_equal(a[0].npositions, 2);
    assert_int_equal(a[0].positions[0], 1);
    assert_int_equal(a[0].positions[1], 2);
    assert_string_equal(a[1].city, "sofia");
    assert_int_equal(a[1].npositions, 1);
    assert_int_equal(a[1].positions[0], 2);
    free(a);
    /* no slot suits a city: an answer without marks */
    assert_int_equal(store_timepoll_mark(f->st, pid, athens, NULL, 0, mayor, T0 + 5), 0);
    assert_int_equal(store_timepoll_answers(f->st, pid, &a, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(a[0].npositions, 0);
    free(a);
    /* the pick: the session's time is the slot's, its sequence goes up, the poll closes */
    assert_int_equal(store_timepoll_pick(f->st, pid, 9, expert, T0 + 6), STORE_GROUPS_NOT_FOUND);
    assert_int_equal(store_timepoll_pick(f->st, pid, 2, expert, T0 + 6), 0);
    assert_int_equal(store_session_get(f->st, sid, &s), 0);
    assert_int_equal(s.starts_at_ms, starts[1]);
    assert_int_equal(s.ends_at_ms, ends[1]);
    assert_int_equal(s.ical_sequence, 1);
    assert_int_equal(store_timepoll_get(f->st, pid, &p), 0);
    assert_string_equal(p.state, "closed");
    assert_int_equal(p.picked_slot_id, p.slots[1].id);
    assert_int_equal(store_timepoll_pick(f->st, pid, 1, expert, T0 + 7), STORE_GROUPS_CONFLICT);
    assert_int_equal(store_timepoll_mark(f->st, pid, athens, m1, 2, mayor, T0 + 8), STORE_GROUPS_CONFLICT);
    assert_int_equal(history_count(f, "timepoll.mark"), 4);
    assert_int_equal(history_count(f, "timepoll.pick"), 1);
    /* a new poll may open once the first has closed; cancelling the session closes it */
    assert_int_equal(store_timepoll_create(f->st, sid, starts, ends, 2, expert, T0 + 9, &other), 0);
    assert_int_equal(store_session_cancel(f->st, sid, "moved", expert, T0 + 10), 0);
    assert_int_equal(store_timepoll_get(f->st, other, &p), 0);
    assert_string_equal(p.state, "closed");
    assert_int_equal(p.picked_slot_id, 0);
}

/* ---- recommendations and follow-up ---- */

static void test_followup(void **state)
{
    struct fixture *f = *state;
    int64_t g = group_id(f, "climate"), athens = city(f, "athens"), sofia = city(f, "sofia");
    int64_t mayor = person(f, "Mayor", "athens", ROLE_MAYOR), sid = 0, rec = 0;
    struct group_session x = session_new(g, "regular", "2026Q4", T0 + 24 * HOUR);
    struct recommendation *list = NULL, r;
    struct followup *fu = NULL;
    size_t n = 0;

    assert_int_equal(store_session_schedule(f->st, &x, 0, T0, &sid), 0);
    /* only in the caller's transaction */
    assert_int_equal(store_recommendation_add(f->st, g, sid, 0, "Plant trees", T0, &rec), -1);
    assert_int_equal(store_begin(f->st), 0);
    assert_int_equal(store_recommendation_add(f->st, g, sid, 0, "", T0, &rec), -1);
    assert_int_equal(store_recommendation_add(f->st, g, sid, 7, "Plant trees", T0, &rec), 0);
    assert_int_equal(store_commit(f->st), 0);
    assert_int_equal(store_recommendation_get(f->st, rec, &r), 0);
    assert_int_equal(r.motion_id, 7);
    assert_string_equal(r.text, "Plant trees");
    assert_int_equal(store_recommendation_list(f->st, g, &list, &n), 0);
    assert_int_equal(n, 1);
    free(list);

    assert_int_equal(store_followup_add(f->st, rec, athens, "planned", "budget 2027", "2026-12-01", mayor, T0, NULL), 0);
    assert_int_equal(store_followup_add(f->st, rec, sofia, "not_planned", "", "2026-12-02", 0, T0 + 1, NULL), 0);
    assert_int_equal(store_followup_add(f->st, rec, athens, "in_progress", "first 100", "2027-03-01", mayor, T0 + 2, NULL),
                     0);
    assert_int_equal(store_followup_add(f->st, 999, athens, "planned", "", "2027-03-01", mayor, T0, NULL),
                     STORE_GROUPS_NOT_FOUND);
    assert_int_equal(store_followup_list(f->st, rec, true, &fu, &n), 0);
    assert_int_equal(n, 2);
    assert_string_equal(fu[0].city, "athens");
    assert_string_equal(fu[0].status, "in_progress");
    assert_string_equal(fu[0].note, "first 100");
    assert_string_equal(fu[1].city, "sofia");
    assert_string_equal(fu[1].status, "not_planned");
    free(fu);
    assert_int_equal(store_followup_list(f->st, rec, false, &fu, &n), 0);
    assert_int_equal(n, 3);
    assert_string_equal(fu[0].status, "planned");
    free(fu);
    assert_int_equal(history_count(f, "followup.report"), 3);
}

static void test_append_only(void **state)
{
    struct fixture *f = *state;

    sql(f->db, "INSERT INTO sessions (group_id, kind, quarter, title, starts_at_ms, ends_at_ms, state, agenda,"
               " created_at_ms, updated_at_ms) VALUES (1, 'regular', '2026Q4', 'S', 1, 2, 'closed', '[]', 1, 1)");
    sql(f->db, "INSERT INTO recommendations (group_id, session_id, text, adopted_at_ms) VALUES (1, 1, 'R', 1)");
    sql(f->db, "INSERT INTO followups (recommendation_id, city_id, status, note, on_date, at_ms)"
               " VALUES (1, 1, 'planned', '', '2026-01-01', 1)");
    assert_int_equal(int_query(f->db, "SELECT count(*) FROM followups"), 1);
    assert_true(refused_sql(f->db, "UPDATE followups SET status = 'implemented'"));
    assert_true(refused_sql(f->db, "DELETE FROM followups"));
    /* a permanent group with an end date, a temporary one without: refused by the schema */
    assert_true(refused_sql(f->db, "INSERT INTO groups (code, name, description, kind, ends_on, state, created_at_ms)"
                                   " VALUES ('p1', 'P', '', 'permanent', '2027-01-01', 'proposed', 1)"));
    assert_true(refused_sql(f->db, "INSERT INTO groups (code, name, description, kind, state, created_at_ms)"
                                   " VALUES ('t2', 'T', '', 'temporary', 'proposed', 1)"));
    /* an active group has its start; a second open poll per session is refused */
    assert_true(refused_sql(f->db, "UPDATE groups SET active_from_ms = NULL WHERE code = 'climate'"));
    sql(f->db, "INSERT INTO time_polls (session_id, state, created_at_ms) VALUES (1, 'open', 1)");
    assert_true(refused_sql(f->db, "INSERT INTO time_polls (session_id, state, created_at_ms) VALUES (1, 'open', 2)"));
    assert_int_equal(int_query(f->db, "SELECT count(*) FROM followups"), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_founding_groups, setup_empty, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_schema_checks, setup_empty, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_join_leave_delegate, setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_two_signatures, setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_session_states, setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_session_update_and_cancel, setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_session_plan, setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_term_and_plan, setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_session_requests, setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_time_poll, setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_followup, setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_append_only, setup, fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
