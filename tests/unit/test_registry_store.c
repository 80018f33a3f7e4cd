/*
 * Unit tests of the registry's store (include/b40/store_registry.h) and the
 * demo network (include/b40/demo.h) on a temporary database: the demo load,
 * status changes with their history rows, members on a date, requests
 * approved and rejected once only, and that a write failing half-way
 * leaves nothing behind; then the registry's message types of
 * docs/protocol.md through api_handle_text, as a client would send them
 * (access, field checks, error codes, rate limits). Each test works in its
 * own temporary folder.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <json-c/json.h>
#include <sqlite3.h>

#include "b40/api.h"
#include "b40/demo.h"
#include "b40/membership.h"
#include "b40/ratelimit.h"
#include "b40/store.h"
#include "b40/store_registry.h"
#include "support.h"

static int setup(void **state)
{
    return fixture_setup(state, "b40-registry", false);
}

static int teardown(void **state)
{
    return fixture_teardown(state);
}

/* The codes of the cities that were members (suspended included) on `date`, comma-separated and sorted, in out. */
static size_t members_on(struct store *st, const char *date, char *out, size_t outlen)
{
    struct registry_status_row *rows = NULL;
    struct membership_change changes[64];
    const char *codes[128];
    size_t n = 0, count = 0;

    assert_int_equal(store_status_history(st, 0, &rows, &n), 0);
    for (size_t i = 0; i < n;) {
        size_t j = i;
        for (; j < n && rows[j].city_id == rows[i].city_id; j++) {
            assert_true(j - i < COUNT(changes));
            changes[j - i] = rows[j].change;
        }
        if (membership_is_member_on(changes, j - i, date)) {
            assert_true(count < COUNT(codes));
            codes[count++] = rows[i].city;
        }
        i = j;
    }
    /* insertion sort: the lists are short */
    for (size_t i = 1; i < count; i++)
        for (size_t k = i; k > 0 && strcmp(codes[k - 1], codes[k]) > 0; k--) {
            const char *t = codes[k];
            codes[k] = codes[k - 1];
            codes[k - 1] = t;
        }
    out[0] = '\0';
    for (size_t i = 0; i < count; i++) {
        strncat(out, codes[i], outlen - strlen(out) - 1);
        if (i + 1 < count)
            strncat(out, ",", outlen - strlen(out) - 1);
    }
    free(rows);
    return count;
}

/* ---- the demo network ---- */

struct expected_city {
    const char *code, *country, *joined_on, *joined_how;
};

/* The list the network published, city by city. */
static const struct expected_city expected[] = {
    {"istanbul", "TR", "2021-11-29", "founding_summit"},     {"edirne", "TR", "2021-11-29", "founding_summit"},
    {"tekirdag", "TR", "2021-11-29", "founding_summit"},     {"kirklareli", "TR", "2021-11-29", "founding_summit"},
    {"athens", "GR", "2021-11-29", "founding_summit"},       {"thessaloniki", "GR", "2021-11-29", "founding_summit"},
    {"patras", "GR", "2021-11-29", "founding_summit"},       {"trikala", "GR", "2021-11-29", "founding_summit"},
    {"mytilene", "GR", "2021-11-29", "founding_summit"},     {"kardzhali", "BG", "2021-11-29", "founding_summit"},
    {"tirana", "AL", "2021-11-29", "founding_summit"},       {"durres", "AL", "2021-11-29", "founding_summit"},
    {"sarajevo", "BA", "2021-11-29", "founding_summit"},     {"laktasi", "BA", "2021-11-29", "founding_summit"},
    {"split", "HR", "2021-11-29", "founding_summit"},        {"belgrade", "RS", "2021-11-29", "founding_summit"},
    {"podgorica", "ME", "2021-11-29", "founding_summit"},    {"kotor", "ME", "2021-11-29", "founding_summit"},
    {"skopje", "MK", "2021-11-29", "founding_summit"},
    {"sofia", "BG", "2022-06-01", "approved_request"},       {"burgas", "BG", "2022-06-01", "approved_request"},
    {"plovdiv", "BG", "2022-06-01", "approved_request"},     {"veliko-tarnovo", "BG", "2022-06-01", "approved_request"},
    {"dimitrovgrad", "BG", "2022-06-01", "approved_request"}, {"troyan", "BG", "2022-06-01", "approved_request"},
    {"karlovo", "BG", "2022-06-01", "approved_request"},     {"karnobat", "BG", "2022-06-01", "approved_request"},
    {"rakovski", "BG", "2022-06-01", "approved_request"},
    {"zagreb", "HR", "2022-09-01", "approved_request"},
    {"canakkale", "TR", "2024-01-29", "summit_attendance"},  {"izmir", "TR", "2024-01-29", "summit_attendance"},
    {"zenica", "BA", "2024-01-29", "summit_attendance"},     {"sliven", "BG", "2024-01-29", "summit_attendance"},
    {"stara-zagora", "BG", "2024-01-29", "summit_attendance"}, {"svilengrad", "BG", "2024-01-29", "summit_attendance"},
    {"pula", "HR", "2024-01-29", "summit_attendance"},       {"acharnes", "GR", "2024-01-29", "summit_attendance"},
    {"alexandroupoli", "GR", "2024-01-29", "summit_attendance"}, {"chania", "GR", "2024-01-29", "summit_attendance"},
    {"karditsa", "GR", "2024-01-29", "summit_attendance"},   {"kilkis", "GR", "2024-01-29", "summit_attendance"},
    {"lefkada", "GR", "2024-01-29", "summit_attendance"},    {"orestiada", "GR", "2024-01-29", "summit_attendance"},
    {"pella", "GR", "2024-01-29", "summit_attendance"},      {"pristina", "XK", "2024-01-29", "summit_attendance"},
    {"prizren", "XK", "2024-01-29", "summit_attendance"},    {"niksic", "ME", "2024-01-29", "summit_attendance"},
    {"kisela-voda", "MK", "2024-01-29", "summit_attendance"}, {"prilep", "MK", "2024-01-29", "summit_attendance"},
    {"bursa", "TR", "2026-01-25", "summit_attendance"},
};

static const char *zone_of(const char *country)
{
    static const char *const zones[][2] = {
        {"TR", "Europe/Istanbul"}, {"GR", "Europe/Athens"},   {"BG", "Europe/Sofia"},
        {"AL", "Europe/Tirane"},   {"BA", "Europe/Sarajevo"}, {"HR", "Europe/Zagreb"},
        {"RS", "Europe/Belgrade"}, {"ME", "Europe/Podgorica"}, {"MK", "Europe/Skopje"},
        {"XK", "Europe/Belgrade"},
    };

    for (size_t i = 0; i < COUNT(zones); i++)
        if (!strcmp(zones[i][0], country))
            return zones[i][1];
    fail_msg("no zone expected for %s", country);
    return NULL;
}

static void test_demo_load(void **state)
{
    struct fixture *f = *state;
    struct registry_city *cities = NULL, c;
    struct registry_status_row *rows = NULL;
    size_t n = 0, ndemo = 0, founding = 0;

    assert_int_equal(store_demo_is_loaded(f->st), 0);
    assert_int_equal(demo_load_network(f->st), 0);
    assert_int_equal(store_demo_is_loaded(f->st), 1);

    demo_cities(&ndemo);
    assert_int_equal(ndemo, 50);
    assert_int_equal(COUNT(expected), 50);
    assert_int_equal(int_query(f->db, "SELECT count(*) FROM cities"), 50);
    assert_int_equal(int_query(f->db, "SELECT count(DISTINCT code) FROM cities"), 50);
    assert_int_equal(int_query(f->db, "SELECT count(*) FROM cities WHERE joined_how = 'founding_summit'"), 19);
    assert_int_equal(int_query(f->db, "SELECT count(*) FROM cities WHERE status = 'member'"), 50);
    /* one status row each, effective the day it joined */
    assert_int_equal(int_query(f->db, "SELECT count(*) FROM city_status_history"), 50);
    assert_int_equal(int_query(f->db, "SELECT count(*) FROM city_status_history h JOIN cities c ON c.id = h.city_id"
                                      " WHERE h.effective_on = c.joined_on AND h.status = 'member'"
                                      " AND length(h.reason) > 0 AND h.actor_person_id IS NULL"),
                     50);
    assert_int_equal(int_query(f->db, "SELECT count(*) FROM city_status_history WHERE reason ="
                                      " 'founding summit, Istanbul, 29-30 November 2021'"),
                     19);
    /* one history entry for the load */
    assert_int_equal(int_query(f->db, "SELECT count(*) FROM history"), 1);
    assert_int_equal(int_query(f->db, "SELECT count(*) FROM history WHERE action = 'demo.load'"
                                      " AND actor_person_id IS NULL AND json_extract(details, '$.cities') = 50"
                                      " AND json_extract(details, '$.founding') = 19"),
                     1);

    for (size_t i = 0; i < COUNT(expected); i++) {
        print_message("demo city %s\n", expected[i].code);
        assert_int_equal(store_city_find(f->st, expected[i].code, &c), 0);
        assert_string_equal(c.country, expected[i].country);
        assert_string_equal(c.tz, zone_of(expected[i].country));
        assert_string_equal(c.joined_on, expected[i].joined_on);
        assert_string_equal(membership_joined_name(c.joined_how), expected[i].joined_how);
        assert_int_equal(c.status, MEMBERSHIP_MEMBER);
        assert_true(membership_code_is_valid(c.code));
        assert_true(membership_text_is_valid(c.name, 1, 100, false));
        assert_true(membership_text_is_valid(c.name_local, 1, 100, false));
        /* the Balkans, roughly: every demo city is a Balkan city */
        assert_true(membership_country_is_balkan(c.country));
        assert_true(c.lat > 34.0 && c.lat < 47.0 && c.lon > 13.0 && c.lon < 30.0);
        founding += c.joined_how == MEMBERSHIP_JOINED_FOUNDING_SUMMIT;
    }
    assert_int_equal(founding, 19);

    /* local scripts where the brief asks for them */
    assert_int_equal(store_city_find(f->st, "athens", &c), 0);
    assert_string_equal(c.name_local, "Αθήνα");
    assert_int_equal(store_city_find(f->st, "veliko-tarnovo", &c), 0);
    assert_string_equal(c.name_local, "Велико Търново");
    assert_int_equal(store_city_find(f->st, "belgrade", &c), 0);
    assert_string_equal(c.name_local, "Београд");
    assert_int_equal(store_city_find(f->st, "kirklareli", &c), 0);
    assert_string_equal(c.name, "Kırklareli");

    /* the public list: ordered by country then code */
    assert_int_equal(store_city_list(f->st, NULL, &cities, &n), 0);
    assert_int_equal(n, 50);
    assert_string_equal(cities[0].country, "AL");
    assert_string_equal(cities[0].code, "durres");
    free(cities);

    assert_int_equal(store_status_history(f->st, 0, &rows, &n), 0);
    assert_int_equal(n, 50);
    free(rows);

    /* a second load is refused and changes nothing */
    assert_int_equal(demo_load_network(f->st), -2);
    assert_int_equal(int_query(f->db, "SELECT count(*) FROM cities"), 50);
    assert_int_equal(int_query(f->db, "SELECT count(*) FROM history"), 1);
}

static void test_city_json(void **state)
{
    struct fixture *f = *state;
    struct registry_city c;
    struct json_object *o;

    assert_int_equal(demo_load_network(f->st), 0);
    assert_int_equal(store_city_find(f->st, "athens", &c), 0);
    o = store_city_json(&c);
    assert_non_null(o);
    assert_string_equal(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE),
                        "{\"code\":\"athens\",\"name\":\"Athens\",\"name_local\":\"Αθήνα\",\"country\":\"GR\","
                        "\"tz\":\"Europe/Athens\",\"lat\":37.9838,\"lon\":23.7275,\"status\":\"member\","
                        "\"joined_how\":\"founding_summit\",\"joined_on\":\"2021-11-29\"}");
    json_object_put(o);
    /* trailing zeros are dropped, the value is kept */
    assert_int_equal(store_city_find(f->st, "karnobat", &c), 0);
    o = store_city_json(&c);
    assert_non_null(strstr(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN), "\"lat\":42.65,\"lon\":26.9833"));
    json_object_put(o);
}

static void test_members_as_of(void **state)
{
    struct fixture *f = *state;
    char list[4096];

    assert_int_equal(demo_load_network(f->st), 0);
    assert_int_equal(members_on(f->st, "2021-11-28", list, sizeof(list)), 0);
    assert_int_equal(members_on(f->st, "2021-11-29", list, sizeof(list)), 19);
    assert_int_equal(members_on(f->st, "2022-01-01", list, sizeof(list)), 19);
    assert_string_equal(list, "athens,belgrade,durres,edirne,istanbul,kardzhali,kirklareli,kotor,laktasi,mytilene,"
                              "patras,podgorica,sarajevo,skopje,split,tekirdag,thessaloniki,tirana,trikala");
    assert_int_equal(members_on(f->st, "2022-06-01", list, sizeof(list)), 28);
    assert_int_equal(members_on(f->st, "2022-09-01", list, sizeof(list)), 29);
    assert_int_equal(members_on(f->st, "2024-01-28", list, sizeof(list)), 29);
    assert_int_equal(members_on(f->st, "2024-02-01", list, sizeof(list)), 49);
    assert_non_null(strstr(list, "pristina"));
    assert_non_null(strstr(list, "kisela-voda"));
    assert_null(strstr(list, "bursa"));
    assert_int_equal(members_on(f->st, "2026-01-25", list, sizeof(list)), 50);
}

/* ---- status changes ---- */

static void test_status_change(void **state)
{
    struct fixture *f = *state;
    struct registry_city c;
    struct registry_status_row *rows = NULL;
    size_t n = 0;
    char list[4096];

    assert_int_equal(demo_load_network(f->st), 0);
    assert_int_equal(store_city_set_status(f->st, "athens", MEMBERSHIP_MEMBER, MEMBERSHIP_SUSPENDED, "2026-03-01",
                                           "suspended pending review", 0, &c),
                     0);
    assert_int_equal(c.status, MEMBERSHIP_SUSPENDED);
    assert_string_equal(c.joined_on, "2021-11-29"); /* how and when it first joined do not change */
    assert_int_equal(c.joined_how, MEMBERSHIP_JOINED_FOUNDING_SUMMIT);
    assert_int_equal(store_city_find(f->st, "athens", &c), 0);
    assert_int_equal(c.status, MEMBERSHIP_SUSPENDED);
    assert_int_equal(int_query(f->db, "SELECT count(*) FROM history WHERE action = 'city.status' AND subject = 'athens'"
                                      " AND json_extract(details, '$.from') = 'member'"
                                      " AND json_extract(details, '$.to') = 'suspended'"
                                      " AND json_extract(details, '$.effective_on') = '2026-03-01'"),
                     1);

    /* suspended is still a member of the network */
    assert_int_equal(members_on(f->st, "2026-03-02", list, sizeof(list)), 50);

    /* the caller's view is stale: conflict, nothing written */
    assert_int_equal(store_city_set_status(f->st, "athens", MEMBERSHIP_MEMBER, MEMBERSHIP_FORMER, "2026-03-02", "x", 0,
                                           NULL),
                     STORE_REGISTRY_CONFLICT);
    /* effective before a change on record: conflict */
    assert_int_equal(store_city_set_status(f->st, "athens", MEMBERSHIP_SUSPENDED, MEMBERSHIP_MEMBER, "2026-02-28",
                                           "x", 0, NULL),
                     STORE_REGISTRY_CONFLICT);
    assert_int_equal(store_city_set_status(f->st, "atlantis", MEMBERSHIP_MEMBER, MEMBERSHIP_FORMER, "2026-03-02", "x",
                                           0, NULL),
                     STORE_REGISTRY_NOT_FOUND);
    assert_int_equal(int_query(f->db, "SELECT count(*) FROM history WHERE action = 'city.status'"), 1);

    /* reinstated on the same day, then leaves */
    assert_int_equal(store_city_set_status(f->st, "athens", MEMBERSHIP_SUSPENDED, MEMBERSHIP_MEMBER, "2026-03-01",
                                           "reinstated", 0, NULL),
                     0);
    assert_int_equal(store_city_set_status(f->st, "athens", MEMBERSHIP_MEMBER, MEMBERSHIP_FORMER, "2026-07-01",
                                           "left the network", 0, NULL),
                     0);
    assert_int_equal(store_city_find(f->st, "athens", &c), 0);
    assert_int_equal(store_status_history(f->st, c.id, &rows, &n), 0);
    assert_int_equal(n, 4);
    assert_int_equal(rows[0].change.status, MEMBERSHIP_MEMBER);
    assert_string_equal(rows[0].change.effective_on, "2021-11-29");
    assert_int_equal(rows[1].change.status, MEMBERSHIP_SUSPENDED);
    assert_int_equal(rows[2].change.status, MEMBERSHIP_MEMBER);
    assert_string_equal(rows[2].reason, "reinstated");
    assert_int_equal(rows[3].change.status, MEMBERSHIP_FORMER);
    assert_int_equal(membership_status_on((struct membership_change[]){rows[0].change, rows[1].change, rows[2].change,
                                                                       rows[3].change},
                                          4, "2026-03-01"),
                     MEMBERSHIP_MEMBER);
    free(rows);

    assert_int_equal(members_on(f->st, "2026-06-30", list, sizeof(list)), 50);
    assert_int_equal(members_on(f->st, "2026-07-01", list, sizeof(list)), 49);
    assert_null(strstr(list, "athens"));
    assert_int_equal(members_on(f->st, "2022-01-01", list, sizeof(list)), 19); /* the past is unchanged */
    assert_int_equal(int_query(f->db, "SELECT count(*) FROM city_status_history"), 53);
    assert_int_equal(int_query(f->db, "SELECT count(*) FROM history WHERE action = 'city.status'"), 3);
}

static void test_city_list_filters(void **state)
{
    struct fixture *f = *state;
    struct registry_city city = {0}, *cities = NULL;
    struct registry_city_filter filter = {0};
    size_t n = 0;

    assert_int_equal(demo_load_network(f->st), 0);
    strcpy(city.code, "ljubljana");
    strcpy(city.name, "Ljubljana");
    strcpy(city.name_local, "Ljubljana");
    strcpy(city.country, "SI");
    strcpy(city.tz, "Europe/Ljubljana");
    city.lat = 46.0569;
    city.lon = 14.5058;
    city.status = MEMBERSHIP_APPLICANT;
    assert_int_equal(store_city_add(f->st, &city, "2026-11-01", "applied", 0, NULL), 0);
    assert_int_equal(store_city_add(f->st, &city, "2026-11-01", "applied", 0, NULL), STORE_REGISTRY_CONFLICT);
    assert_int_equal(int_query(f->db, "SELECT count(*) FROM history WHERE action = 'city.add'"), 1);

    /* the public list never shows applicants */
    assert_int_equal(store_city_list(f->st, NULL, &cities, &n), 0);
    assert_int_equal(n, 50);
    free(cities);
    filter.include_applicants = true;
    assert_int_equal(store_city_list(f->st, &filter, &cities, &n), 0);
    assert_int_equal(n, 51);
    free(cities);
    filter.status = MEMBERSHIP_APPLICANT;
    assert_int_equal(store_city_list(f->st, &filter, &cities, &n), 0);
    assert_int_equal(n, 1);
    assert_string_equal(cities[0].code, "ljubljana");
    assert_int_equal(cities[0].joined_how, MEMBERSHIP_JOINED_NONE);
    assert_string_equal(cities[0].joined_on, "");
    free(cities);
    filter.include_applicants = false;
    assert_int_equal(store_city_list(f->st, &filter, &cities, &n), 0);
    assert_int_equal(n, 0);
    assert_null(cities);

    filter.status = MEMBERSHIP_NONE;
    strcpy(filter.country, "GR");
    assert_int_equal(store_city_list(f->st, &filter, &cities, &n), 0);
    assert_int_equal(n, 13);
    free(cities);
    strcpy(filter.country, "XK");
    assert_int_equal(store_city_list(f->st, &filter, &cities, &n), 0);
    assert_int_equal(n, 2);
    free(cities);
    filter.status = MEMBERSHIP_SUSPENDED;
    assert_int_equal(store_city_list(f->st, &filter, &cities, &n), 0);
    assert_int_equal(n, 0);
}

/* ---- membership requests ---- */

static const struct registry_request_new ohrid = {
    .city_name = "Ohrid", .country = "MK", .contact_name = "Office of international relations",
    .email = "international@ohrid.example", .reason = "We would like to join.\nWe attended as guests.",
};
static const struct registry_request_new vienna = {
    .city_name = "Vienna", .country = "AT", .contact_name = "City office",
    .email = "office@vienna.example", .reason = "<script>alert(1)</script> is stored as text",
};

static struct registry_city ohrid_city(void)
{
    struct registry_city c = {0};

    strcpy(c.code, "ohrid");
    strcpy(c.name, "Ohrid");
    strcpy(c.name_local, "Охрид");
    strcpy(c.country, "MK");
    strcpy(c.tz, "Europe/Skopje");
    c.lat = 41.1172;
    c.lon = 20.8016;
    c.status = MEMBERSHIP_FORMER; /* ignored: an approval makes a member */
    return c;
}

static void test_request_approve_and_reject(void **state)
{
    struct fixture *f = *state;
    struct registry_request r, *list = NULL;
    struct registry_city city = ohrid_city(), made;
    int64_t id1 = 0, id2 = 0;
    bool code_taken = true;
    size_t n = 0;

    assert_int_equal(demo_load_network(f->st), 0);
    assert_int_equal(store_request_add(f->st, &ohrid, &id1), 0);
    assert_int_equal(store_request_add(f->st, &vienna, &id2), 0);
    assert_true(id2 > id1);
    /* the history names the request, the city and the country, never the contact */
    assert_int_equal(int_query(f->db, "SELECT count(*) FROM history WHERE action = 'request.submit'"), 2);
    assert_int_equal(int_query(f->db, "SELECT count(*) FROM history WHERE details LIKE '%ohrid.example%'"
                                      " OR details LIKE '%relations%'"),
                     0);

    assert_int_equal(store_request_find(f->st, id1, &r), 0);
    assert_int_equal(r.state, MEMBERSHIP_REQUEST_PENDING);
    assert_string_equal(r.reason, ohrid.reason);
    assert_string_equal(r.city, "");
    assert_int_equal(r.decided_ms, 0);
    assert_true(r.submitted_ms > 0);

    assert_int_equal(store_request_list(f->st, MEMBERSHIP_REQUEST_PENDING, 0, 100, &list, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(list[0].id, id2); /* newest first */
    free(list);
    assert_int_equal(store_request_list(f->st, MEMBERSHIP_REQUEST_ANY, id2, 100, &list, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(list[0].id, id1);
    free(list);
    assert_int_equal(store_request_list(f->st, MEMBERSHIP_REQUEST_ANY, 0, 1, &list, &n), 0);
    assert_int_equal(n, 1);
    free(list);

    /* approve: the city is made a member by approved_request, on the decision's date */
    assert_int_equal(store_request_approve(f->st, id1, &city, "2026-11-27", "welcome", 0, &r, &made, &code_taken), 0);
    assert_false(code_taken);
    assert_int_equal(r.state, MEMBERSHIP_REQUEST_APPROVED);
    assert_string_equal(r.city, "ohrid");
    assert_string_equal(r.decision_reason, "welcome");
    assert_true(r.decided_ms > 0);
    assert_int_equal(made.status, MEMBERSHIP_MEMBER);
    assert_int_equal(made.joined_how, MEMBERSHIP_JOINED_APPROVED_REQUEST);
    assert_string_equal(made.joined_on, "2026-11-27");
    assert_int_equal(store_city_find(f->st, "ohrid", &made), 0);
    assert_int_equal(made.status, MEMBERSHIP_MEMBER);
    assert_string_equal(made.name_local, "Охрид");
    assert_int_equal(int_query(f->db, "SELECT count(*) FROM city_status_history h JOIN cities c ON c.id = h.city_id"
                                      " WHERE c.code = 'ohrid' AND h.effective_on = '2026-11-27'"),
                     1);
    assert_int_equal(int_query(f->db, "SELECT count(*) FROM history WHERE action = 'request.approve'"
                                      " AND subject = 'ohrid'"),
                     1);

    /* deciding twice is a conflict, whichever way, and writes nothing */
    city = ohrid_city();
    strcpy(city.code, "ohrid-2");
    assert_int_equal(store_request_approve(f->st, id1, &city, "2026-11-27", "again", 0, NULL, NULL, &code_taken),
                     STORE_REGISTRY_CONFLICT);
    assert_false(code_taken);
    assert_int_equal(store_request_reject(f->st, id1, "changed our mind", 0, NULL), STORE_REGISTRY_CONFLICT);
    assert_int_equal(store_city_find(f->st, "ohrid-2", &made), STORE_REGISTRY_NOT_FOUND);

    /* reject */
    assert_int_equal(store_request_reject(f->st, id2, "not a Balkan city; please write to the secretariat", 0, &r), 0);
    assert_int_equal(r.state, MEMBERSHIP_REQUEST_REJECTED);
    assert_string_equal(r.city, "");
    assert_int_equal(store_request_reject(f->st, id2, "again", 0, NULL), STORE_REGISTRY_CONFLICT);
    assert_int_equal(store_request_approve(f->st, id2, &city, "2026-11-27", "again", 0, NULL, NULL, NULL),
                     STORE_REGISTRY_CONFLICT);

    /* no such request */
    assert_int_equal(store_request_reject(f->st, 999, "x", 0, NULL), STORE_REGISTRY_NOT_FOUND);
    assert_int_equal(store_request_approve(f->st, 999, &city, "2026-11-27", "x", 0, NULL, NULL, NULL),
                     STORE_REGISTRY_NOT_FOUND);
    assert_int_equal(store_request_find(f->st, 999, &r), STORE_REGISTRY_NOT_FOUND);

    assert_int_equal(int_query(f->db, "SELECT count(*) FROM history WHERE action LIKE 'request.%'"), 4);
    assert_int_equal(store_request_list(f->st, MEMBERSHIP_REQUEST_REJECTED, 0, 100, &list, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(list[0].id, id2);
    free(list);
}

/* ---- nothing half-written ---- */

static void test_approve_with_taken_code_changes_nothing(void **state)
{
    struct fixture *f = *state;
    struct registry_city city = ohrid_city();
    struct registry_request r;
    int64_t id = 0;
    bool code_taken = false;
    int history, cities, statuses;

    assert_int_equal(demo_load_network(f->st), 0);
    assert_int_equal(store_request_add(f->st, &ohrid, &id), 0);
    history = int_query(f->db, "SELECT count(*) FROM history");
    cities = int_query(f->db, "SELECT count(*) FROM cities");
    statuses = int_query(f->db, "SELECT count(*) FROM city_status_history");

    strcpy(city.code, "athens"); /* taken: fails after the request was marked, inside the transaction */
    assert_int_equal(store_request_approve(f->st, id, &city, "2026-11-27", "welcome", 0, NULL, NULL, &code_taken),
                     STORE_REGISTRY_CONFLICT);
    assert_true(code_taken);
    assert_int_equal(store_request_find(f->st, id, &r), 0);
    assert_int_equal(r.state, MEMBERSHIP_REQUEST_PENDING);
    assert_int_equal(r.decided_ms, 0);
    assert_string_equal(r.decision_reason, "");
    assert_int_equal(int_query(f->db, "SELECT count(*) FROM membership_requests WHERE status = 'pending'"
                                      " AND decided_at_ms IS NULL AND decision_reason IS NULL"),
                     1);
    assert_int_equal(int_query(f->db, "SELECT count(*) FROM history"), history);
    assert_int_equal(int_query(f->db, "SELECT count(*) FROM cities"), cities);
    assert_int_equal(int_query(f->db, "SELECT count(*) FROM city_status_history"), statuses);

    /* and the store is usable after the rollback: the right code goes through */
    strcpy(city.code, "ohrid");
    assert_int_equal(store_request_approve(f->st, id, &city, "2026-11-27", "welcome", 0, &r, NULL, NULL), 0);
    assert_int_equal(r.state, MEMBERSHIP_REQUEST_APPROVED);
}

static void test_failing_history_write_rolls_back(void **state)
{
    struct fixture *f = *state;
    struct registry_city c, city = ohrid_city();
    int64_t id = 0;

    assert_int_equal(demo_load_network(f->st), 0);
    assert_int_equal(store_request_add(f->st, &ohrid, &id), 0);
    /* another program makes the history refuse every new entry: the last step of each write */
    sql(f->db, "CREATE TRIGGER test_refuse BEFORE INSERT ON history BEGIN SELECT RAISE(ABORT, 'refused'); END;");

    assert_int_equal(store_city_set_status(f->st, "athens", MEMBERSHIP_MEMBER, MEMBERSHIP_SUSPENDED, "2026-11-27",
                                           "x", 0, NULL),
                     -1);
    assert_int_equal(store_city_find(f->st, "athens", &c), 0);
    assert_int_equal(c.status, MEMBERSHIP_MEMBER);
    assert_int_equal(store_request_approve(f->st, id, &city, "2026-11-27", "x", 0, NULL, NULL, NULL), -1);
    assert_int_equal(store_request_reject(f->st, id, "x", 0, NULL), -1);
    assert_int_equal(store_request_add(f->st, &vienna, NULL), -1);
    assert_int_equal(store_city_add(f->st, &city, "2026-11-27", "x", 0, NULL), -1);

    assert_int_equal(int_query(f->db, "SELECT count(*) FROM cities"), 50);
    assert_int_equal(int_query(f->db, "SELECT count(*) FROM city_status_history"), 50);
    assert_int_equal(int_query(f->db, "SELECT count(*) FROM membership_requests"), 1);
    assert_int_equal(int_query(f->db, "SELECT count(*) FROM membership_requests WHERE status = 'pending'"), 1);
    assert_int_equal(int_query(f->db, "SELECT count(*) FROM cities WHERE status <> 'member'"), 0);
    assert_int_equal(int_query(f->db, "SELECT count(*) FROM history"), 2);

    sql(f->db, "DROP TRIGGER test_refuse;");
    assert_int_equal(store_city_set_status(f->st, "athens", MEMBERSHIP_MEMBER, MEMBERSHIP_SUSPENDED, "2026-11-27",
                                           "x", 0, NULL),
                     0);
}

static void test_failing_demo_load_leaves_nothing(void **state)
{
    struct fixture *f = *state;

    /* the 50th city cannot be added: the whole load is undone */
    sql(f->db, "CREATE TRIGGER test_refuse BEFORE INSERT ON cities WHEN NEW.code = 'bursa'"
               " BEGIN SELECT RAISE(ABORT, 'refused'); END;");
    assert_int_equal(demo_load_network(f->st), -1);
    assert_int_equal(int_query(f->db, "SELECT count(*) FROM cities"), 0);
    assert_int_equal(int_query(f->db, "SELECT count(*) FROM city_status_history"), 0);
    assert_int_equal(int_query(f->db, "SELECT count(*) FROM history"), 0);
    assert_int_equal(store_demo_is_loaded(f->st), 0);
    sql(f->db, "DROP TRIGGER test_refuse;");
    assert_int_equal(demo_load_network(f->st), 0);
    assert_int_equal(store_demo_is_loaded(f->st), 1);
}

/* ---- history ---- */

static void test_history_list(void **state)
{
    struct fixture *f = *state;
    struct registry_history_entry *e = NULL;
    size_t n = 0;
    int64_t newest;

    assert_int_equal(demo_load_network(f->st), 0);
    for (int i = 0; i < 5; i++)
        assert_int_equal(store_request_add(f->st, &ohrid, NULL), 0);
    assert_int_equal(store_history_list(f->st, 0, 500, &e, &n), 0);
    assert_int_equal(n, 6);
    assert_string_equal(e[0].action, "request.submit");
    assert_string_equal(e[5].action, "demo.load");
    assert_string_equal(e[5].subject, "registry");
    assert_int_equal(e[5].actor_person_id, 0);
    for (size_t i = 1; i < n; i++)
        assert_true(e[i - 1].id > e[i].id); /* newest first */
    newest = e[0].id;
    assert_non_null(strstr(e[0].details, "\"city_name\":\"Ohrid\""));
    store_history_entries_free(e, n);

    assert_int_equal(store_history_list(f->st, 0, 2, &e, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(e[0].id, newest);
    store_history_entries_free(e, n);
    assert_int_equal(store_history_list(f->st, newest - 3, 100, &e, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(e[0].id, newest - 4);
    store_history_entries_free(e, n);
    assert_int_equal(store_history_list(f->st, 1, 100, &e, &n), 0);
    assert_int_equal(n, 0);
    assert_null(e);
    assert_int_equal(store_history_list(f->st, 0, 0, &e, &n), -1);
    assert_int_equal(store_history_list(f->st, 0, 501, &e, &n), -1);
}

/* ---- the registry's messages, through api_handle_text ---- */

/*
 * People signed in with a key, made with plain SQL (the identity side's
 * flows are tested elsewhere): person 1 a secretary, person 2 the mayor of
 * Athens. Each has key id = person id.
 */
static void add_people(struct fixture *f)
{
    sql(f->db, "INSERT INTO people (id, name, city_id, roles, created_at_ms) VALUES (1, 'Network secretary', NULL,"
               " 'secretary', 0), (2, 'Mayor of Athens', (SELECT id FROM cities WHERE code = 'athens'), 'mayor', 0);"
               "INSERT INTO enrollments (id, person_id, code_sha256, expires_at_ms, created_at_ms, signer_key,"
               " statement, signature) VALUES"
               " ('00000000000000000000000000000001', 1, randomblob(32), 0, 0, randomblob(32), 's', randomblob(64)),"
               " ('00000000000000000000000000000002', 2, randomblob(32), 0, 0, randomblob(32), 's', randomblob(64));"
               "INSERT INTO person_keys (id, person_id, public_key, enrollment_id, device, statement, signature,"
               " created_at_ms) VALUES"
               " (1, 1, randomblob(32), '00000000000000000000000000000001', 'test', 's', randomblob(64), 0),"
               " (2, 2, randomblob(32), '00000000000000000000000000000002', 'test', 's', randomblob(64), 0);");
}

/* Sends msg and asserts an ok reply; returns it. */

static void test_api_members(void **state)
{
    struct fixture *f = *state;
    struct api_fixture a;
    struct json_object *r, *cities;

    api_setup(f, &a, "192.0.2.1");
    r = ok(&a, "{\"id\":1,\"type\":\"members.list\"}");
    assert_int_equal(json_object_array_length(get(r, "cities")), 0);
    assert_false(json_object_get_boolean(get(r, "demo")));
    json_object_put(r);

    assert_int_equal(demo_load_network(f->st), 0);
    r = ok(&a, "{\"id\":1,\"type\":\"members.list\"}");
    cities = get(r, "cities");
    assert_int_equal(json_object_array_length(cities), 50);
    assert_true(json_object_get_boolean(get(r, "demo")));
    assert_string_equal(json_object_get_string(get(json_object_array_get_idx(cities, 0), "code")), "durres");
    json_object_put(r);
    r = ok(&a, "{\"id\":1,\"type\":\"members.list\",\"country\":\"XK\",\"status\":\"member\"}");
    assert_int_equal(json_object_array_length(get(r, "cities")), 2);
    json_object_put(r);
    r = ok(&a, "{\"id\":1,\"type\":\"members.list\",\"status\":\"former\"}");
    assert_int_equal(json_object_array_length(get(r, "cities")), 0);
    json_object_put(r);
    refused(&a, "{\"id\":1,\"type\":\"members.list\",\"status\":\"applicant\"}", "bad_request", "status");
    refused(&a, "{\"id\":1,\"type\":\"members.list\",\"status\":\"<b>\"}", "bad_request", "status");
    refused(&a, "{\"id\":1,\"type\":\"members.list\",\"country\":\"gr\"}", "bad_request", "country");
    refused(&a, "{\"id\":1,\"type\":\"members.list\",\"country\":\"GRC\"}", "bad_request", "country");
    refused(&a, "{\"id\":1,\"type\":\"members.list\",\"fee\":0}", "bad_request", "fee");

    r = ok(&a, "{\"id\":2,\"type\":\"members.as_of\",\"date\":\"2022-01-01\"}");
    assert_string_equal(json_object_get_string(get(r, "date")), "2022-01-01");
    assert_int_equal(json_object_array_length(get(r, "members")), 19);
    assert_string_equal(json_object_get_string(json_object_array_get_idx(get(r, "members"), 0)), "athens");
    json_object_put(r);
    r = ok(&a, "{\"id\":2,\"type\":\"members.as_of\",\"date\":\"2024-02-01\"}");
    assert_int_equal(json_object_array_length(get(r, "members")), 49);
    json_object_put(r);
    r = ok(&a, "{\"id\":2,\"type\":\"members.as_of\",\"date\":\"1999-12-31\"}");
    assert_int_equal(json_object_array_length(get(r, "members")), 0);
    json_object_put(r);
    refused(&a, "{\"id\":2,\"type\":\"members.as_of\",\"date\":\"2022-02-30\"}", "bad_request", "date");
    refused(&a, "{\"id\":2,\"type\":\"members.as_of\",\"date\":\"2022-1-01\"}", "bad_request", "date");
    refused(&a, "{\"id\":2,\"type\":\"members.as_of\"}", "bad_request", "date");
    refused(&a, "{\"id\":2,\"type\":\"members.as_of\",\"date\":20220101}", "bad_request", "date");
    api_teardown(&a);
}

#define REQUEST(extra)                                                                                        \
    "{\"id\":3,\"type\":\"membership.request\",\"city_name\":\"Ohrid\",\"country\":\"MK\","                   \
    "\"contact_name\":\"International office\",\"email\":\"office@ohrid.example\",\"reason\":\"We attended.\"" \
    extra "}"

static void test_api_membership_request(void **state)
{
    struct fixture *f = *state;
    struct api_fixture a;
    struct json_object *r, *req, *e;

    api_setup(f, &a, "192.0.2.1");
    r = ok(&a, REQUEST(""));
    req = get(r, "request");
    assert_int_equal(json_object_get_int64(get(req, "id")), 1);
    assert_string_equal(json_object_get_string(get(req, "status")), "pending");
    json_object_put(r);

    /* hostile fields are refused before they count against the address */
    refused(&a, "{\"id\":3,\"type\":\"membership.request\",\"city_name\":\"Ohrid\",\"country\":\"MK\","
                "\"contact_name\":\"x\",\"email\":\"a@b\",\"reason\":\"x\"}",
            "bad_request", "email");
    refused(&a, "{\"id\":3,\"type\":\"membership.request\",\"city_name\":\"Ohrid\",\"country\":\"MK\","
                "\"contact_name\":\"x\",\"email\":\"a@b.c\\nBcc: x@y.z\",\"reason\":\"x\"}",
            "bad_request", "email");
    refused(&a, "{\"id\":3,\"type\":\"membership.request\",\"city_name\":\"Oh\\u202erid\",\"country\":\"MK\","
                "\"contact_name\":\"x\",\"email\":\"a@b.c\",\"reason\":\"x\"}",
            "bad_request", "city_name");
    refused(&a, "{\"id\":3,\"type\":\"membership.request\",\"city_name\":\"Ohrid\",\"country\":\"mk\","
                "\"contact_name\":\"x\",\"email\":\"a@b.c\",\"reason\":\"x\"}",
            "bad_request", "country");
    refused(&a, "{\"id\":3,\"type\":\"membership.request\",\"city_name\":\"Ohrid\",\"country\":\"MK\","
                "\"contact_name\":\"a\\tb\",\"email\":\"a@b.c\",\"reason\":\"x\"}",
            "bad_request", "contact_name");
    refused(&a, "{\"id\":3,\"type\":\"membership.request\",\"city_name\":\"Ohrid\",\"country\":\"MK\","
                "\"contact_name\":\"x\",\"email\":\"a@b.c\",\"reason\":\"a\\r\\nb\"}",
            "bad_request", "reason");
    refused(&a, "{\"id\":3,\"type\":\"membership.request\",\"city_name\":\" \",\"country\":\"MK\","
                "\"contact_name\":\"x\",\"email\":\"a@b.c\",\"reason\":\"x\"}",
            "bad_request", "city_name");
    refused(&a, REQUEST(",\"fee\":100"), "bad_request", "fee");
    refused(&a, REQUEST(",\"membership_fee\":\"none\""), "bad_request", "membership_fee");
    /* markup is stored as text; a reason may have several lines */
    r = ok(&a, "{\"id\":3,\"type\":\"membership.request\",\"city_name\":\"<script>alert(1)</script>\","
               "\"country\":\"MK\",\"contact_name\":\"x\",\"email\":\"a@b.c\",\"reason\":\"line 1\\nline 2\"}");
    json_object_put(r);
    assert_int_equal(int_query(f->db, "SELECT count(*) FROM membership_requests WHERE"
                                      " city_name = '<script>alert(1)</script>' AND reason = 'line 1' || char(10) || 'line 2'"),
                     1);

    /* five per address per hour: three more pass, the sixth is refused, saying when to retry */
    for (int i = 0; i < 3; i++)
        json_object_put(ok(&a, REQUEST("")));
    r = call(&a, REQUEST(""));
    e = get(r, "error");
    assert_string_equal(json_object_get_string(get(e, "code")), "rate_limited");
    assert_non_null(strstr(json_object_get_string(get(e, "message")), "try again in 60 minutes"));
    json_object_put(r);
    assert_int_equal(int_query(f->db, "SELECT count(*) FROM membership_requests"), 5);

    /* another address is served; and across all addresses at most 200 an hour */
    for (int i = 0; i < 39; i++) {
        snprintf(a.conn.peer, sizeof(a.conn.peer), "198.51.100.%d", i);
        for (int k = 0; k < 5; k++)
            json_object_put(ok(&a, REQUEST("")));
    }
    assert_int_equal(int_query(f->db, "SELECT count(*) FROM membership_requests"), 200);
    snprintf(a.conn.peer, sizeof(a.conn.peer), "203.0.113.1");
    r = call(&a, REQUEST(""));
    e = get(r, "error");
    assert_string_equal(json_object_get_string(get(e, "code")), "rate_limited");
    assert_non_null(strstr(json_object_get_string(get(e, "message")), "everywhere"));
    json_object_put(r);
    assert_int_equal(int_query(f->db, "SELECT count(*) FROM membership_requests"), 200);
    assert_int_equal(int_query(f->db, "SELECT count(*) FROM history WHERE action = 'request.submit'"
                                      " AND actor_person_id IS NULL"),
                     200);
    api_teardown(&a);
}

static void test_api_secretariat(void **state)
{
    struct fixture *f = *state;
    struct api_fixture a;
    struct json_object *r, *list, *entry;

    assert_int_equal(demo_load_network(f->st), 0);
    add_people(f);
    api_setup(f, &a, "192.0.2.1");
    assert_int_equal(store_request_add(f->st, &ohrid, NULL), 0);
    assert_int_equal(store_request_add(f->st, &vienna, NULL), 0);

    /* access: nobody signed in, then a mayor */
    refused(&a, "{\"id\":4,\"type\":\"city.set_status\",\"city\":\"athens\",\"status\":\"suspended\",\"reason\":\"x\"}",
            "not_signed_in", NULL);
    refused(&a, "{\"id\":4,\"type\":\"request.list\"}", "not_signed_in", NULL);
    refused(&a, "{\"id\":4,\"type\":\"history.list\"}", "not_signed_in", NULL);
    sign_in(&a, 2);
    refused(&a, "{\"id\":4,\"type\":\"city.set_status\",\"city\":\"athens\",\"status\":\"former\",\"reason\":\"x\"}",
            "forbidden", NULL);
    refused(&a, "{\"id\":4,\"type\":\"request.decide\",\"request\":1,\"decision\":\"reject\",\"reason\":\"x\"}",
            "forbidden", NULL);

    sign_in(&a, 1);
    /* city.set_status */
    r = ok(&a, "{\"id\":4,\"type\":\"city.set_status\",\"city\":\"athens\",\"status\":\"suspended\","
               "\"reason\":\"agreed at the summit\\nsecond line\"}");
    assert_string_equal(json_object_get_string(get(get(r, "city"), "status")), "suspended");
    assert_string_equal(json_object_get_string(get(get(r, "city"), "joined_on")), "2021-11-29");
    json_object_put(r);
    refused(&a, "{\"id\":4,\"type\":\"city.set_status\",\"city\":\"athens\",\"status\":\"suspended\",\"reason\":\"x\"}",
            "conflict", "status");
    refused(&a, "{\"id\":4,\"type\":\"city.set_status\",\"city\":\"atlantis\",\"status\":\"former\",\"reason\":\"x\"}",
            "not_found", "city");
    refused(&a, "{\"id\":4,\"type\":\"city.set_status\",\"city\":\"Athens\",\"status\":\"former\",\"reason\":\"x\"}",
            "bad_request", "city");
    refused(&a, "{\"id\":4,\"type\":\"city.set_status\",\"city\":\"athens\",\"status\":\"applicant\",\"reason\":\"x\"}",
            "bad_request", "status");
    refused(&a, "{\"id\":4,\"type\":\"city.set_status\",\"city\":\"athens\",\"status\":\"member\",\"reason\":\"\\u0007\"}",
            "bad_request", "reason");
    refused(&a, "{\"id\":4,\"type\":\"city.set_status\",\"city\":\"athens\",\"status\":\"member\"}", "bad_request",
            "reason");
    json_object_put(ok(&a, "{\"id\":4,\"type\":\"city.set_status\",\"city\":\"athens\",\"status\":\"former\","
                           "\"reason\":\"left\"}"));
    refused(&a, "{\"id\":4,\"type\":\"city.set_status\",\"city\":\"athens\",\"status\":\"suspended\",\"reason\":\"x\"}",
            "conflict", "status");
    assert_int_equal(int_query(f->db, "SELECT count(*) FROM history WHERE action = 'city.status'"
                                      " AND actor_person_id = 1"),
                     2);
    assert_int_equal(int_query(f->db, "SELECT count(*) FROM city_status_history WHERE actor_person_id = 1"), 2);

    /* request.list */
    r = ok(&a, "{\"id\":5,\"type\":\"request.list\",\"status\":\"pending\"}");
    list = get(r, "requests");
    assert_int_equal(json_object_array_length(list), 2);
    entry = json_object_array_get_idx(list, 0);
    assert_string_equal(json_object_get_string(get(entry, "city_name")), "Vienna");
    assert_true(json_object_is_type(get(entry, "decided"), json_type_null));
    assert_true(json_object_is_type(get(entry, "city"), json_type_null));
    assert_string_equal(json_object_get_string(get(entry, "email")), "office@vienna.example");
    json_object_put(r);
    r = ok(&a, "{\"id\":5,\"type\":\"request.list\",\"limit\":1,\"before\":2}");
    assert_int_equal(json_object_array_length(get(r, "requests")), 1);
    json_object_put(r);
    refused(&a, "{\"id\":5,\"type\":\"request.list\",\"status\":\"done\"}", "bad_request", "status");
    refused(&a, "{\"id\":5,\"type\":\"request.list\",\"limit\":101}", "bad_request", "limit");

    /* request.decide */
#define CITY "\"city\":{\"code\":\"ohrid\",\"name\":\"Ohrid\",\"name_local\":\"Охрид\",\"country\":\"MK\"," \
             "\"tz\":\"Europe/Skopje\",\"lat\":41.11721,\"lon\":20.8016"
    refused(&a, "{\"id\":6,\"type\":\"request.decide\",\"request\":1,\"decision\":\"approve\",\"reason\":\"x\"}",
            "bad_request", "city");
    refused(&a, "{\"id\":6,\"type\":\"request.decide\",\"request\":1,\"decision\":\"maybe\",\"reason\":\"x\"," CITY "}}",
            "bad_request", "decision");
    refused(&a, "{\"id\":6,\"type\":\"request.decide\",\"request\":1,\"decision\":\"approve\",\"reason\":\"x\"," CITY
                ",\"fee\":0}}",
            "bad_request", "city");
    refused(&a, "{\"id\":6,\"type\":\"request.decide\",\"request\":1,\"decision\":\"approve\",\"reason\":\"x\","
                "\"city\":{\"code\":\"ohrid\",\"name\":\"Ohrid\",\"name_local\":\"Охрид\",\"country\":\"MK\","
                "\"tz\":\"Europe/Skopje\",\"lat\":91,\"lon\":20.8}}",
            "bad_request", "city.lat");
    refused(&a, "{\"id\":6,\"type\":\"request.decide\",\"request\":1,\"decision\":\"approve\",\"reason\":\"x\","
                "\"city\":{\"code\":\"ohrid\",\"name\":\"Ohrid\",\"name_local\":\"Охрид\",\"country\":\"MK\","
                "\"tz\":\"../../etc/passwd\",\"lat\":41,\"lon\":20.8}}",
            "bad_request", "city.tz");
    refused(&a, "{\"id\":6,\"type\":\"request.decide\",\"request\":1,\"decision\":\"approve\",\"reason\":\"x\","
                "\"city\":{\"code\":\"ohrid\",\"name\":\"Ohrid\",\"country\":\"MK\","
                "\"tz\":\"Europe/Skopje\",\"lat\":41,\"lon\":20.8}}",
            "bad_request", "city.name_local");
    refused(&a, "{\"id\":6,\"type\":\"request.decide\",\"request\":1,\"decision\":\"approve\",\"reason\":\"x\","
                "\"city\":{\"code\":\"ohrid\",\"name\":\"Ohrid\",\"name_local\":\"Охрид\",\"country\":\"MK\","
                "\"tz\":\"Europe/Skopje\",\"lat\":\"41\",\"lon\":20.8}}",
            "bad_request", "city.lat");
    refused(&a, "{\"id\":6,\"type\":\"request.decide\",\"request\":2,\"decision\":\"reject\",\"reason\":\"x\"," CITY "}}",
            "bad_request", "city");
    refused(&a, "{\"id\":6,\"type\":\"request.decide\",\"request\":99,\"decision\":\"reject\",\"reason\":\"x\"}",
            "not_found", "request");
    refused(&a, "{\"id\":6,\"type\":\"request.decide\",\"request\":1,\"decision\":\"approve\",\"reason\":\"x\","
                "\"city\":{\"code\":\"athens\",\"name\":\"Ohrid\",\"name_local\":\"Охрид\",\"country\":\"MK\","
                "\"tz\":\"Europe/Skopje\",\"lat\":41,\"lon\":20.8}}",
            "conflict", "city.code");
    r = ok(&a, "{\"id\":6,\"type\":\"request.decide\",\"request\":1,\"decision\":\"approve\",\"reason\":\"welcome\","
               CITY "}}");
    assert_string_equal(json_object_get_string(get(get(r, "request"), "status")), "approved");
    assert_string_equal(json_object_get_string(get(get(r, "request"), "city")), "ohrid");
    assert_string_equal(json_object_get_string(get(get(r, "city"), "joined_how")), "approved_request");
    assert_string_equal(json_object_get_string(get(get(r, "city"), "status")), "member");
    assert_true(json_object_get_double(get(get(r, "city"), "lat")) == 41.1172); /* 4 decimals */
    json_object_put(r);
    refused(&a, "{\"id\":6,\"type\":\"request.decide\",\"request\":1,\"decision\":\"reject\",\"reason\":\"x\"}",
            "conflict", "request");
    r = ok(&a, "{\"id\":6,\"type\":\"request.decide\",\"request\":2,\"decision\":\"reject\",\"reason\":\"no\"}");
    assert_string_equal(json_object_get_string(get(get(r, "request"), "status")), "rejected");
    assert_string_equal(json_object_get_string(get(get(r, "request"), "decision_reason")), "no");
    assert_false(json_object_object_get_ex(r, "city", NULL));
    json_object_put(r);
    assert_int_equal(int_query(f->db, "SELECT count(*) FROM membership_requests WHERE decided_by = 1"), 2);

    /* history.list: newest first, the actor named */
    r = ok(&a, "{\"id\":7,\"type\":\"history.list\",\"limit\":2}");
    list = get(r, "entries");
    assert_int_equal(json_object_array_length(list), 2);
    entry = json_object_array_get_idx(list, 0);
    assert_string_equal(json_object_get_string(get(entry, "action")), "request.reject");
    assert_int_equal(json_object_get_int64(get(entry, "actor")), 1);
    assert_string_equal(json_object_get_string(get(get(entry, "details"), "reason")), "no");
    json_object_put(r);
    r = ok(&a, "{\"id\":7,\"type\":\"history.list\",\"before\":2}");
    list = get(r, "entries");
    assert_int_equal(json_object_array_length(list), 1);
    entry = json_object_array_get_idx(list, 0);
    assert_string_equal(json_object_get_string(get(entry, "action")), "demo.load");
    assert_true(json_object_is_type(get(entry, "actor"), json_type_null));
    json_object_put(r);
    refused(&a, "{\"id\":7,\"type\":\"history.list\",\"limit\":0}", "bad_request", "limit");
    refused(&a, "{\"id\":7,\"type\":\"history.list\",\"limit\":501}", "bad_request", "limit");
    api_teardown(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_demo_load, setup, teardown),
        cmocka_unit_test_setup_teardown(test_city_json, setup, teardown),
        cmocka_unit_test_setup_teardown(test_members_as_of, setup, teardown),
        cmocka_unit_test_setup_teardown(test_status_change, setup, teardown),
        cmocka_unit_test_setup_teardown(test_city_list_filters, setup, teardown),
        cmocka_unit_test_setup_teardown(test_request_approve_and_reject, setup, teardown),
        cmocka_unit_test_setup_teardown(test_approve_with_taken_code_changes_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failing_history_write_rolls_back, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failing_demo_load_leaves_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_history_list, setup, teardown),
        cmocka_unit_test_setup_teardown(test_api_members, setup, teardown),
        cmocka_unit_test_setup_teardown(test_api_membership_request, setup, teardown),
        cmocka_unit_test_setup_teardown(test_api_secretariat, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
