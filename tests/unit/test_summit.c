/*
 * Unit tests of the summit rules (include/b40/summit.h: dates, windows,
 * nights and meals), of the summit store (include/b40/store_summit.h) on a
 * temporary database (summits, delegations and their totals, attendance and
 * the charter's attendance rule, presidency terms and the current one on a
 * date, all against the demo network), and of the summit message types of
 * docs/protocol.md through api_handle_text, as a client would send them
 * (access, field checks, error codes). Each store test works in its own
 * temporary folder.
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
#include "b40/store_summit.h"
#include "b40/summit.h"
#include "b40/timeutil.h"

/* ---- the pure rules ---- */

static void test_date_days(void **state)
{
    static const struct {
        const char *date;
        int64_t days;
    } cases[] = {
        {"1970-01-01", 0},       {"1970-01-02", 1},        {"1969-12-31", -1},      {"2000-03-01", 11017},
        {"2021-11-29", 18960},   {"2026-11-27", 20784},    {"0001-01-01", -719162}, {"9999-12-31", 2932896},
        {"2024-02-29", 19782},   {"2100-03-01", 47541},
    };
    static const char *const invalid[] = {"2023-02-29", "2027-01-32", "2027-13-01", "2027-1-01", "27-01-25",
                                          "2027-01-25T00:00:00Z", "", "0000-01-01", "2027/01/25"};
    int64_t d = 42;

    (void)state;
    for (size_t i = 0; i < COUNT(cases); i++) {
        assert_int_equal(summit_date_days(cases[i].date, &d), 0);
        if (d != cases[i].days)
            fail_msg("%s: %lld days, expected %lld", cases[i].date, (long long)d, (long long)cases[i].days);
    }
    for (size_t i = 0; i < COUNT(invalid); i++) {
        d = 42;
        assert_int_equal(summit_date_days(invalid[i], &d), -1);
        assert_int_equal(d, 42); /* left alone */
    }
    assert_int_equal(summit_date_days(NULL, &d), -1);
}

static void test_date_add(void **state)
{
    static const struct {
        const char *date;
        int64_t days;
        const char *expect;
    } cases[] = {
        {"2027-01-25", -3, "2027-01-22"}, {"2027-01-27", 3, "2027-01-30"}, {"2024-02-28", 1, "2024-02-29"},
        {"2023-02-28", 1, "2023-03-01"},  {"2026-12-31", 1, "2027-01-01"}, {"2027-01-01", -1, "2026-12-31"},
        {"2000-02-28", 1, "2000-02-29"},  {"2100-02-28", 1, "2100-03-01"}, {"2027-01-25", 0, "2027-01-25"},
        {"9999-12-30", 1, "9999-12-31"},  {"0001-01-02", -1, "0001-01-01"},
    };
    char out[MEMBERSHIP_DATE_LEN + 1];
    int64_t from, to;

    (void)state;
    for (size_t i = 0; i < COUNT(cases); i++) {
        assert_int_equal(summit_date_add(cases[i].date, cases[i].days, out), 0);
        assert_string_equal(out, cases[i].expect);
    }
    /* outside 0001-9999, or from an invalid date: -1 and "" */
    assert_int_equal(summit_date_add("9999-12-31", 1, out), -1);
    assert_string_equal(out, "");
    assert_int_equal(summit_date_add("0001-01-01", -1, out), -1);
    assert_int_equal(summit_date_add("2027-02-30", 1, out), -1);
    assert_int_equal(summit_date_add("2027-01-01", INT64_MAX, out), -1);
    assert_int_equal(summit_date_add("2027-01-01", INT64_MIN, out), -1);
    /* every day of 2020-2031 and back: the day numbers and the dates agree */
    assert_int_equal(summit_date_days("2020-01-01", &from), 0);
    assert_int_equal(summit_date_days("2031-12-31", &to), 0);
    for (int64_t k = 0; k <= to - from; k++) {
        int64_t back;
        assert_int_equal(summit_date_add("2020-01-01", k, out), 0);
        assert_true(membership_date_is_valid(out));
        assert_int_equal(summit_date_days(out, &back), 0);
        assert_int_equal(back, from + k);
    }
}

static void test_check_dates(void **state)
{
    static const struct {
        int64_t year;
        const char *starts_on, *ends_on;
        enum summit_fault expect;
    } cases[] = {
        {2027, "2027-01-25", "2027-01-27", SUMMIT_FAULT_NONE},
        {2031, "2031-02-01", "2031-02-01", SUMMIT_FAULT_NONE},      /* one day */
        {2027, "2027-01-25", "2027-01-31", SUMMIT_FAULT_NONE},      /* seven days, both ends included */
        {2027, "2027-12-29", "2028-01-02", SUMMIT_FAULT_NONE},      /* over New Year: the year of its start */
        {2021, "2021-11-29", "2021-11-30", SUMMIT_FAULT_NONE},
        {2027, "2027-01-25", "2027-02-01", SUMMIT_FAULT_ENDS_ON},   /* eight days */
        {2027, "2027-01-27", "2027-01-25", SUMMIT_FAULT_ENDS_ON},   /* ends before it starts */
        {2027, "2027-01-25", "2027-01-32", SUMMIT_FAULT_ENDS_ON},
        {2030, "2030-02-30", "2030-03-02", SUMMIT_FAULT_STARTS_ON},
        {2030, "30-01-25", "2030-01-27", SUMMIT_FAULT_STARTS_ON},
        {2028, "2027-01-25", "2027-01-27", SUMMIT_FAULT_YEAR},      /* not the year of starts_on */
        {2028, "2027-12-29", "2028-01-02", SUMMIT_FAULT_YEAR},
        {2020, "2020-01-25", "2020-01-27", SUMMIT_FAULT_YEAR},      /* before the first summit */
        {10000, "2027-01-25", "2027-01-27", SUMMIT_FAULT_YEAR},
    };

    (void)state;
    for (size_t i = 0; i < COUNT(cases); i++) {
        print_message("%lld %s %s\n", (long long)cases[i].year, cases[i].starts_on, cases[i].ends_on);
        assert_int_equal(summit_check_dates(cases[i].year, cases[i].starts_on, cases[i].ends_on), cases[i].expect);
    }
    assert_int_equal(summit_check_dates(2027, NULL, "2027-01-27"), SUMMIT_FAULT_STARTS_ON);
    assert_int_equal(summit_check_dates(2027, "2027-01-25", NULL), SUMMIT_FAULT_ENDS_ON);
}

static void test_delegation_plan(void **state)
{
    /* the summit of 25-27 January 2027: arrival from the 22nd, departure until the 30th */
    static const struct {
        int64_t delegates;
        const char *arrival, *departure;
        enum summit_fault expect;
        int64_t nights, meals;
    } cases[] = {
        {3, "2027-01-22", "2027-01-28", SUMMIT_FAULT_NONE, 6, 3 * 7 * 3},
        {2, "2027-01-26", "2027-01-26", SUMMIT_FAULT_NONE, 0, 6}, /* in and out the same day: three meals each */
        {50, "2027-01-25", "2027-01-27", SUMMIT_FAULT_NONE, 2, 450},
        {1, "2027-01-25", "2027-01-30", SUMMIT_FAULT_NONE, 5, 18},
        {50, "2027-01-22", "2027-01-30", SUMMIT_FAULT_NONE, 8, 50 * 9 * 3}, /* the longest stay */
        {1, "2027-01-27", "2027-01-27", SUMMIT_FAULT_NONE, 0, 3},           /* arrives for the last day */
        {1, "2027-01-22", "2027-01-25", SUMMIT_FAULT_NONE, 3, 12},          /* leaves on the first day */
        {0, "2027-01-25", "2027-01-27", SUMMIT_FAULT_DELEGATES, 0, 0},
        {51, "2027-01-25", "2027-01-27", SUMMIT_FAULT_DELEGATES, 0, 0},
        {-1, "2027-01-25", "2027-01-27", SUMMIT_FAULT_DELEGATES, 0, 0},
        {2, "2027-01-21", "2027-01-27", SUMMIT_FAULT_ARRIVAL, 0, 0},   /* four days early */
        {2, "2027-01-28", "2027-01-29", SUMMIT_FAULT_ARRIVAL, 0, 0},   /* after the summit ended */
        {2, "2027-01-32", "2027-01-27", SUMMIT_FAULT_ARRIVAL, 0, 0},
        {2, "2027-01-25", "2027-01-31", SUMMIT_FAULT_DEPARTURE, 0, 0}, /* four days late */
        {2, "2027-01-22", "2027-01-24", SUMMIT_FAULT_DEPARTURE, 0, 0}, /* before the summit starts */
        {2, "2027-01-26", "2027-01-25", SUMMIT_FAULT_DEPARTURE, 0, 0}, /* before arrival */
        {2, "2027-01-25", "tomorrow", SUMMIT_FAULT_DEPARTURE, 0, 0},
    };
    struct summit_stay stay;

    (void)state;
    for (size_t i = 0; i < COUNT(cases); i++) {
        print_message("%lld %s %s\n", (long long)cases[i].delegates, cases[i].arrival, cases[i].departure);
        memset(&stay, 0x55, sizeof(stay));
        assert_int_equal(summit_delegation_plan("2027-01-25", "2027-01-27", cases[i].delegates, cases[i].arrival,
                                                cases[i].departure, &stay),
                         cases[i].expect);
        if (cases[i].expect == SUMMIT_FAULT_NONE) {
            assert_int_equal(stay.nights, cases[i].nights);
            assert_int_equal(stay.meals, cases[i].meals);
            /* the document's formula, spelled out */
            assert_int_equal(stay.meals, cases[i].delegates * (stay.nights + 1) * 3);
        }
    }
    /* NULL out; and a summit whose own dates are wrong */
    assert_int_equal(summit_delegation_plan("2027-01-25", "2027-01-27", 1, "2027-01-25", "2027-01-25", NULL),
                     SUMMIT_FAULT_NONE);
    assert_int_equal(summit_delegation_plan("2027-02-30", "2027-01-27", 1, "2027-01-25", "2027-01-25", &stay),
                     SUMMIT_FAULT_STARTS_ON);
    assert_int_equal(summit_delegation_plan("2027-01-25", "2027-01-24", 1, "2027-01-25", "2027-01-25", &stay),
                     SUMMIT_FAULT_ENDS_ON);
    assert_int_equal(summit_delegation_plan("2027-01-25", "2027-01-27", 1, NULL, "2027-01-25", &stay),
                     SUMMIT_FAULT_ARRIVAL);
}

static void test_names(void **state)
{
    (void)state;
    assert_null(summit_fault_field(SUMMIT_FAULT_NONE));
    assert_string_equal(summit_fault_field(SUMMIT_FAULT_YEAR), "year");
    assert_string_equal(summit_fault_field(SUMMIT_FAULT_STARTS_ON), "starts_on");
    assert_string_equal(summit_fault_field(SUMMIT_FAULT_ENDS_ON), "ends_on");
    assert_string_equal(summit_fault_field(SUMMIT_FAULT_DELEGATES), "delegates");
    assert_string_equal(summit_fault_field(SUMMIT_FAULT_ARRIVAL), "arrival");
    assert_string_equal(summit_fault_field(SUMMIT_FAULT_DEPARTURE), "departure");
    assert_null(summit_fault_field((enum summit_fault)99));
    assert_string_equal(summit_fault_rule(SUMMIT_FAULT_NONE), "");
    for (int f = SUMMIT_FAULT_YEAR; f <= SUMMIT_FAULT_DEPARTURE; f++)
        assert_true(strlen(summit_fault_rule((enum summit_fault)f)) > 10);
    assert_string_equal(summit_attendance_effect_name(MEMBERSHIP_ATTEND_JOINS), "joins");
    assert_string_equal(summit_attendance_effect_name(MEMBERSHIP_ATTEND_STAYS_MEMBER), "stays_member");
    assert_string_equal(summit_attendance_effect_name(MEMBERSHIP_ATTEND_STAYS_SUSPENDED), "stays_suspended");
    assert_string_equal(summit_attendance_effect_name(MEMBERSHIP_ATTEND_NOT_ELIGIBLE), "not_eligible");
    assert_null(summit_attendance_effect_name((enum membership_attendance)99));
    assert_string_equal(summit_how_name(SUMMIT_HOW_DESK), "desk");
    assert_string_equal(summit_how_name(SUMMIT_HOW_ONLINE), "online");
    assert_null(summit_how_name((enum summit_how)7));
}

static int setup(void **state)
{
    return fixture_setup(state, "b40-summit", true);
}

static int teardown(void **state)
{
    return fixture_teardown(state);
}

/* The summit of `year` (it must exist). */
static struct summit_record summit_of(struct fixture *f, int64_t year)
{
    struct summit_record *list = NULL, found;
    size_t n = 0;
    bool ok = false;

    assert_int_equal(store_summit_list(f->st, &list, &n), 0);
    for (size_t i = 0; i < n; i++)
        if (list[i].year == year) {
            found = list[i];
            ok = true;
        }
    free(list);
    if (!ok)
        fail_msg("no summit in %lld", (long long)year);
    return found;
}

static int64_t city_id(struct fixture *f, const char *code)
{
    struct registry_city c;

    assert_int_equal(store_city_find(f->st, code, &c), 0);
    return c.id;
}

static void test_demo_summits(void **state)
{
    struct fixture *f = *state;
    static const struct {
        int64_t year;
        const char *host, *starts_on, *ends_on, *place;
    } expect[] = {
        {2026, "zagreb", "2026-01-25", "2026-01-27", "Zagreb"}, {2025, "sofia", "2025-02-24", "2025-02-25", "Sofia"},
        {2024, "tirana", "2024-01-29", "2024-01-31", "Tirana"}, {2023, "athens", "2023-01-22", "2023-01-24", "Athens"},
        {2021, "istanbul", "2021-11-29", "2021-11-30", "Istanbul"},
    };
    struct summit_record *list = NULL, s;
    struct summit_term *terms = NULL;
    size_t n = 0;

    /* newest first */
    assert_int_equal(store_summit_list(f->st, &list, &n), 0);
    assert_int_equal(n, COUNT(expect));
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(list[i].year, expect[i].year);
        assert_string_equal(list[i].host, expect[i].host);
        assert_int_equal(list[i].host_city_id, city_id(f, expect[i].host));
        assert_string_equal(list[i].starts_on, expect[i].starts_on);
        assert_string_equal(list[i].ends_on, expect[i].ends_on);
        assert_string_equal(list[i].place, expect[i].place);
        assert_int_equal(summit_check_dates(list[i].year, list[i].starts_on, list[i].ends_on), SUMMIT_FAULT_NONE);
        assert_int_equal(store_summit_get(f->st, list[i].id, &s), 0);
        assert_memory_equal(&s, &list[i], sizeof(s));
    }
    /* each host holds the term from the summit it hosted; none was elected by this server */
    assert_int_equal(store_presidency_list(f->st, &terms, &n), 0);
    assert_int_equal(n, COUNT(expect));
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(terms[i].city, expect[i].host);
        assert_int_equal(terms[i].from_summit_id, list[i].id);
        assert_int_equal(terms[i].year, expect[i].year);
        assert_string_equal(terms[i].starts_on, expect[i].starts_on);
        assert_int_equal(terms[i].elected_in, 0);
        assert_int_equal(terms[i].elected_at_summit_id, 0);
    }
    free(terms);
    free(list);
    /* nobody is recorded present and no delegation at the demo summits */
    assert_int_equal(int_query(f->db, "SELECT count(*) FROM attendance"), 0);
    assert_int_equal(int_query(f->db, "SELECT count(*) FROM delegations"), 0);
    /* still one history entry for the whole load, which names the summits */
    assert_int_equal(int_query(f->db, "SELECT count(*) FROM history"), 1);
    assert_int_equal(int_query(f->db, "SELECT count(*) FROM history WHERE action = 'demo.load'"
                                      " AND json_extract(details, '$.summits') = 5"
                                      " AND json_extract(details, '$.presidencies') = 5"),
                     1);
    /* the summit on or after a day */
    assert_int_equal(store_summit_on_or_after(f->st, "2026-01-26", &s), 0);
    assert_int_equal(s.year, 2026); /* on */
    assert_int_equal(store_summit_on_or_after(f->st, "2026-01-27", &s), 0);
    assert_int_equal(s.year, 2026); /* its last day */
    assert_int_equal(store_summit_on_or_after(f->st, "2024-02-01", &s), 0);
    assert_int_equal(s.year, 2025); /* the next */
    assert_int_equal(store_summit_on_or_after(f->st, "2000-01-01", &s), 0);
    assert_int_equal(s.year, 2021);
    assert_int_equal(store_summit_on_or_after(f->st, "2026-01-28", &s), 1);
    assert_int_equal(store_summit_on_or_after(f->st, "2026-11-27", &s), 1);
    assert_int_equal(store_summit_on_or_after(f->st, "not a date", &s), 1);
    assert_int_equal(store_summit_get(f->st, 999, &s), 1);
}

static void test_current_presidency(void **state)
{
    struct fixture *f = *state;
    static const struct {
        const char *date, *city;
    } cases[] = {
        {"2021-11-28", "none"},     {"2021-11-29", "istanbul"}, {"2022-06-01", "istanbul"}, {"2023-01-21", "istanbul"},
        {"2023-01-22", "athens"},   {"2024-01-28", "athens"},   {"2024-01-29", "tirana"},   {"2025-02-23", "tirana"},
        {"2025-02-24", "sofia"},    {"2025-06-01", "sofia"},    {"2026-01-24", "sofia"},    {"2026-01-25", "zagreb"},
        {"2026-11-27", "zagreb"},   {"2030-01-01", "zagreb"},   {"1999-01-01", "none"},     {"2026-02-30", "none"},
    };

    for (size_t i = 0; i < COUNT(cases); i++) {
        int64_t id = 0;
        int rc = store_presidency_current(f->st, cases[i].date, &id);
        print_message("%s -> %s\n", cases[i].date, cases[i].city);
        if (!strcmp(cases[i].city, "none")) {
            assert_int_equal(rc, 1);
        } else {
            assert_int_equal(rc, 0);
            assert_int_equal(id, city_id(f, cases[i].city));
        }
    }
}

static struct summit_new next_summit(const char *host)
{
    return (struct summit_new){2027, host, "2027-01-25", "2027-01-27", "Zagreb, Lisinski Concert Hall"};
}

static void test_summit_create(void **state)
{
    struct fixture *f = *state;
    struct summit_new sn = next_summit("zagreb");
    struct summit_record s, first;
    int64_t id = 0;

    assert_int_equal(store_summit_create(f->st, &sn, 0, &s), 0);
    assert_int_equal(s.year, 2027);
    assert_string_equal(s.host, "zagreb");
    assert_string_equal(s.place, "Zagreb, Lisinski Concert Hall");
    assert_int_equal(int_query(f->db, "SELECT count(*) FROM history WHERE action = 'summit.create'"
                                      " AND subject = 'summit:' || (SELECT max(id) FROM summits)"
                                      " AND json_extract(details, '$.host') = 'zagreb'"
                                      " AND json_extract(details, '$.starts_on') = '2027-01-25'"
                                      " AND json_extract(details, '$.opens_term') IS NULL AND actor_person_id IS NULL"),
                     1);
    first = summit_of(f, 2027);
    assert_memory_equal(&first, &s, sizeof(s));
    /* creating a summit gives its host no term: only an election does */
    assert_int_equal(int_query(f->db, "SELECT count(*) FROM presidencies"), 5);

    /* the year taken; the demo's 2026 too */
    assert_int_equal(store_summit_create(f->st, &sn, 0, NULL), STORE_SUMMIT_YEAR_TAKEN);
    sn = (struct summit_new){2026, "zagreb", "2026-06-01", "2026-06-02", "Zagreb"};
    assert_int_equal(store_summit_create(f->st, &sn, 0, NULL), STORE_SUMMIT_YEAR_TAKEN);
    /* days shared with another summit, over New Year */
    sn = (struct summit_new){2028, "athens", "2028-12-28", "2029-01-02", "Athens"};
    assert_int_equal(store_summit_create(f->st, &sn, 0, NULL), 0);
    sn = (struct summit_new){2029, "athens", "2029-01-02", "2029-01-03", "Athens"};
    assert_int_equal(store_summit_create(f->st, &sn, 0, NULL), STORE_SUMMIT_OVERLAP);
    sn = (struct summit_new){2029, "athens", "2029-01-03", "2029-01-04", "Athens"};
    assert_int_equal(store_summit_insert(f->st, &sn, &id), -1); /* only inside the caller's transaction */
    assert_int_equal(store_begin(f->st), 0);
    assert_int_equal(store_summit_insert(f->st, &sn, &id), 0);
    assert_int_equal(store_commit(f->st), 0);
    assert_true(id > 0);
    /* an unknown host; fields the caller should have refused */
    sn = (struct summit_new){2030, "atlantis", "2030-01-25", "2030-01-27", "Atlantis"};
    assert_int_equal(store_summit_create(f->st, &sn, 0, NULL), STORE_SUMMIT_NOT_FOUND);
    sn = (struct summit_new){2030, "athens", "2030-01-27", "2030-01-25", "Athens"};
    assert_int_equal(store_summit_create(f->st, &sn, 0, NULL), -1);
    sn = (struct summit_new){2031, "athens", "2030-01-25", "2030-01-27", "Athens"};
    assert_int_equal(store_summit_create(f->st, &sn, 0, NULL), -1);
    sn = (struct summit_new){2030, "athens", "2030-01-25", "2030-01-27", "Line\nbreak"};
    assert_int_equal(store_summit_create(f->st, &sn, 0, NULL), -1);
    sn = (struct summit_new){2030, "athens", "2030-01-25", "2030-01-27", ""};
    assert_int_equal(store_summit_create(f->st, &sn, 0, NULL), -1);
    assert_int_equal(int_query(f->db, "SELECT count(*) FROM summits"), 8);
    assert_int_equal(int_query(f->db, "SELECT count(*) FROM history WHERE action = 'summit.create'"), 2);
}

static void test_delegations(void **state)
{
    struct fixture *f = *state;
    struct summit_new sn = next_summit("zagreb");
    struct delegation_record d, *list = NULL;
    struct summit_hospitality h;
    struct summit_record s;
    size_t n = 0;

    assert_int_equal(store_summit_create(f->st, &sn, 0, &s), 0);
    assert_int_equal(store_summit_hospitality(f->st, s.id, &h), 0);
    assert_int_equal(h.delegations + h.delegates + h.nights + h.meals, 0);

    assert_int_equal(store_delegation_register(f->st, s.id, "athens", 3, "2027-01-22", "2027-01-28", "one vegetarian",
                                               0, &d),
                     0);
    assert_string_equal(d.city, "athens");
    assert_int_equal(d.delegates, 3);
    assert_int_equal(d.nights, 6);
    assert_int_equal(d.meals, 63);
    assert_string_equal(d.dietary, "one vegetarian");
    assert_int_equal(store_delegation_register(f->st, s.id, "sofia", 2, "2027-01-26", "2027-01-26", "", 0, NULL), 0);
    assert_int_equal(store_delegation_register(f->st, s.id, "belgrade", 50, "2027-01-25", "2027-01-27", "", 0, NULL), 0);
    assert_int_equal(store_summit_hospitality(f->st, s.id, &h), 0);
    assert_int_equal(h.delegations, 3);
    assert_int_equal(h.delegates, 55);
    assert_int_equal(h.nights, 18 + 0 + 100); /* person-nights */
    assert_int_equal(h.meals, 63 + 6 + 450);

    /* registering again replaces: one row per city */
    assert_int_equal(store_delegation_register(f->st, s.id, "athens", 2, "2027-01-25", "2027-01-27", "", 0, &d), 0);
    assert_int_equal(d.nights, 2);
    assert_int_equal(d.meals, 18);
    assert_string_equal(d.dietary, "");
    assert_int_equal(store_summit_hospitality(f->st, s.id, &h), 0);
    assert_int_equal(h.delegations, 3);
    assert_int_equal(h.delegates, 54);
    assert_int_equal(h.nights, 4 + 0 + 100);
    assert_int_equal(h.meals, 18 + 6 + 450);
    assert_int_equal(store_delegation_list(f->st, s.id, &list, &n), 0);
    assert_int_equal(n, 3);
    assert_string_equal(list[0].city, "athens"); /* sorted by code */
    assert_string_equal(list[1].city, "belgrade");
    assert_string_equal(list[2].city, "sofia");
    free(list);
    assert_int_equal(store_delegation_list(f->st, 999, &list, &n), 0);
    assert_int_equal(n, 0);
    assert_null(list);

    /* refused: unknown summit or city; values outside the rules (the store checks them again) */
    assert_int_equal(store_delegation_register(f->st, 999, "athens", 2, "2027-01-25", "2027-01-27", "", 0, NULL),
                     STORE_SUMMIT_NOT_FOUND);
    assert_int_equal(store_delegation_register(f->st, s.id, "atlantis", 2, "2027-01-25", "2027-01-27", "", 0, NULL),
                     STORE_SUMMIT_NOT_FOUND);
    assert_int_equal(store_delegation_register(f->st, s.id, "athens", 51, "2027-01-25", "2027-01-27", "", 0, NULL), -1);
    assert_int_equal(store_delegation_register(f->st, s.id, "athens", 2, "2027-01-21", "2027-01-27", "", 0, NULL), -1);
    assert_int_equal(store_delegation_register(f->st, s.id, "athens", 2, "2027-01-25", "2027-01-31", "", 0, NULL), -1);
    assert_int_equal(store_delegation_register(f->st, s.id, "athens", 2, "2027-01-25", "2027-01-27", "a\tb", 0, NULL),
                     -1);
    assert_int_equal(store_delegation_register(f->st, s.id, "athens", 2, "2027-01-25", "2027-01-27", NULL, 0, NULL), -1);
    assert_int_equal(int_query(f->db, "SELECT count(*) FROM delegations"), 3);
    assert_int_equal(int_query(f->db, "SELECT delegates FROM delegations d JOIN cities c ON c.id = d.city_id"
                                      " WHERE c.code = 'athens'"),
                     2);

    /* each registration in the history, with the numbers but never the dietary text */
    assert_int_equal(int_query(f->db, "SELECT count(*) FROM history WHERE action = 'delegation.register'"), 4);
    assert_int_equal(int_query(f->db, "SELECT count(*) FROM history WHERE action = 'delegation.register'"
                                      " AND subject = 'athens' AND json_extract(details, '$.meals') = 63"
                                      " AND json_extract(details, '$.nights') = 6"),
                     1);
    assert_int_equal(int_query(f->db, "SELECT count(*) FROM history WHERE details LIKE '%vegetarian%'"), 0);
}

/* Adds two cities by plain SQL: ohrid, a Balkan applicant, and vienna, an applicant outside the Balkans. */
static void add_applicants(struct fixture *f)
{
    sql(f->db, "INSERT INTO cities (code, name, name_local, country, tz, lat, lon, status) VALUES"
               " ('ohrid', 'Ohrid', 'Охрид', 'MK', 'Europe/Skopje', 41.1172, 20.8016, 'applicant'),"
               " ('vienna', 'Vienna', 'Wien', 'AT', 'Europe/Vienna', 48.2082, 16.3738, 'applicant');"
               "INSERT INTO city_status_history (city_id, status, effective_on, recorded_at_ms, reason)"
               " SELECT id, 'applicant', '2026-10-01', 0, 'test' FROM cities WHERE code IN ('ohrid', 'vienna');");
}

static void test_attendance_rule(void **state)
{
    struct fixture *f = *state;
    struct summit_new sn = next_summit("zagreb");
    struct attendance_outcome o;
    struct summit_city *present = NULL;
    struct registry_city c;
    struct summit_record s;
    size_t n = 0;
    int history;

    add_applicants(f);
    assert_int_equal(store_city_set_status(f->st, "patras", MEMBERSHIP_MEMBER, MEMBERSHIP_SUSPENDED, "2026-03-01",
                                           "test", 0, NULL),
                     0);
    assert_int_equal(store_city_set_status(f->st, "kotor", MEMBERSHIP_MEMBER, MEMBERSHIP_FORMER, "2026-03-01", "test",
                                           0, NULL),
                     0);
    assert_int_equal(store_summit_create(f->st, &sn, 0, &s), 0);

    /* a member: present, nothing else changes */
    assert_int_equal(store_attendance_check_in(f->st, s.id, "athens", SUMMIT_HOW_ONLINE, 0, "2027-01-25", &o), 0);
    assert_true(o.recorded);
    assert_int_equal(o.effect, MEMBERSHIP_ATTEND_STAYS_MEMBER);
    assert_int_equal(o.city.status, MEMBERSHIP_MEMBER);
    assert_int_equal(int_query(f->db, "SELECT count(*) FROM attendance WHERE how = 'online'"), 1);
    /* idempotent: a second check-in, even another way, changes nothing and writes nothing */
    history = int_query(f->db, "SELECT count(*) FROM history");
    assert_int_equal(store_attendance_check_in(f->st, s.id, "athens", SUMMIT_HOW_DESK, 0, "2027-01-26", &o), 0);
    assert_false(o.recorded);
    assert_int_equal(o.effect, MEMBERSHIP_ATTEND_STAYS_MEMBER);
    assert_int_equal(int_query(f->db, "SELECT count(*) FROM attendance"), 1);
    assert_int_equal(int_query(f->db, "SELECT count(*) FROM attendance WHERE how = 'online'"), 1);
    assert_int_equal(int_query(f->db, "SELECT count(*) FROM history"), history);

    /* suspended: present, still suspended (and so still without a vote) */
    assert_int_equal(store_attendance_check_in(f->st, s.id, "patras", SUMMIT_HOW_DESK, 0, "2027-01-25", &o), 0);
    assert_true(o.recorded);
    assert_int_equal(o.effect, MEMBERSHIP_ATTEND_STAYS_SUSPENDED);
    assert_int_equal(store_city_find(f->st, "patras", &c), 0);
    assert_int_equal(c.status, MEMBERSHIP_SUSPENDED);

    /* a former member, a Balkan city: a member again from the summit's first day; how it first joined is kept */
    assert_int_equal(store_attendance_check_in(f->st, s.id, "kotor", SUMMIT_HOW_DESK, 0, "2027-01-26", &o), 0);
    assert_true(o.recorded);
    assert_int_equal(o.effect, MEMBERSHIP_ATTEND_JOINS);
    assert_int_equal(o.city.status, MEMBERSHIP_MEMBER);
    assert_int_equal(store_city_find(f->st, "kotor", &c), 0);
    assert_memory_equal(&c, &o.city, sizeof(c));
    assert_int_equal(c.status, MEMBERSHIP_MEMBER);
    assert_int_equal(c.joined_how, MEMBERSHIP_JOINED_FOUNDING_SUMMIT);
    assert_string_equal(c.joined_on, "2021-11-29");
    assert_int_equal(int_query(f->db, "SELECT count(*) FROM city_status_history h JOIN cities c ON c.id = h.city_id"
                                      " WHERE c.code = 'kotor' AND h.status = 'member' AND h.effective_on = '2027-01-25'"
                                      " AND h.reason LIKE 'attended the summit in Zagreb%'"),
                     1);
    assert_int_equal(int_query(f->db, "SELECT count(*) FROM history WHERE subject = 'kotor' AND action = 'city.status'"
                                      " AND json_extract(details, '$.from') = 'former'"
                                      " AND json_extract(details, '$.to') = 'member'"
                                      " AND json_extract(details, '$.effective_on') = '2027-01-25'"),
                     1);
    assert_int_equal(int_query(f->db, "SELECT count(*) FROM history WHERE subject = 'kotor'"
                                      " AND action = 'attendance.check_in' AND json_extract(details, '$.effect') = 'joins'"
                                      " AND json_extract(details, '$.how') = 'desk'"),
                     1);

    /* an applicant, a Balkan city that never joined: a member by summit attendance, from the first day */
    assert_int_equal(store_attendance_check_in(f->st, s.id, "ohrid", SUMMIT_HOW_DESK, 0, "2027-01-27", &o), 0);
    assert_int_equal(o.effect, MEMBERSHIP_ATTEND_JOINS);
    assert_int_equal(store_city_find(f->st, "ohrid", &c), 0);
    assert_int_equal(c.status, MEMBERSHIP_MEMBER);
    assert_int_equal(c.joined_how, MEMBERSHIP_JOINED_SUMMIT_ATTENDANCE);
    assert_string_equal(c.joined_on, "2027-01-25");

    /* an applicant outside the Balkans: present, but attending does not make it a member */
    assert_int_equal(store_attendance_check_in(f->st, s.id, "vienna", SUMMIT_HOW_DESK, 0, "2027-01-25", &o), 0);
    assert_true(o.recorded);
    assert_int_equal(o.effect, MEMBERSHIP_ATTEND_NOT_ELIGIBLE);
    assert_int_equal(store_city_find(f->st, "vienna", &c), 0);
    assert_int_equal(c.status, MEMBERSHIP_APPLICANT);
    assert_int_equal(c.joined_how, MEMBERSHIP_JOINED_NONE);

    assert_int_equal(store_summit_present(f->st, s.id, &present, &n), 0);
    assert_int_equal(n, 5);
    assert_string_equal(present[0].code, "athens");
    assert_string_equal(present[1].code, "kotor");
    assert_int_equal(present[1].status, MEMBERSHIP_MEMBER);
    assert_string_equal(present[2].code, "ohrid");
    assert_string_equal(present[3].code, "patras");
    assert_int_equal(present[3].status, MEMBERSHIP_SUSPENDED);
    assert_int_equal(present[3].id, city_id(f, "patras"));
    assert_string_equal(present[4].code, "vienna");
    free(present);
    /* exactly two status changes came from attending */
    assert_int_equal(int_query(f->db, "SELECT count(*) FROM history WHERE action = 'city.status'"
                                      " AND json_extract(details, '$.summit') IS NOT NULL"),
                     2);
    assert_int_equal(int_query(f->db, "SELECT count(*) FROM history WHERE action = 'attendance.check_in'"), 5);

    /* unknown summit or city; bad arguments */
    assert_int_equal(store_attendance_check_in(f->st, 999, "athens", SUMMIT_HOW_DESK, 0, "2027-01-25", &o),
                     STORE_SUMMIT_NOT_FOUND);
    assert_int_equal(store_attendance_check_in(f->st, s.id, "atlantis", SUMMIT_HOW_DESK, 0, "2027-01-25", &o),
                     STORE_SUMMIT_NOT_FOUND);
    assert_int_equal(store_attendance_check_in(f->st, s.id, "split", (enum summit_how)9, 0, "2027-01-25", &o), -1);
    assert_int_equal(store_attendance_check_in(f->st, s.id, "split", SUMMIT_HOW_DESK, 0, "today", &o), -1);
    assert_int_equal(store_attendance_check_in(f->st, s.id, "Split", SUMMIT_HOW_DESK, 0, "2027-01-25", &o), -1);
    assert_int_equal(int_query(f->db, "SELECT count(*) FROM attendance"), 5);
}

static void test_attendance_dates(void **state)
{
    struct fixture *f = *state;
    struct summit_new sn = next_summit("zagreb");
    struct attendance_outcome o;
    struct registry_city c;
    struct summit_record s;
    int history, statuses;

    add_applicants(f);
    assert_int_equal(store_summit_create(f->st, &sn, 0, &s), 0);
    /* checked in ahead of its summit: a member from the check-in, not before it and not only from the summit */
    assert_int_equal(store_attendance_check_in(f->st, s.id, "ohrid", SUMMIT_HOW_DESK, 0, "2026-11-27", &o), 0);
    assert_int_equal(o.effect, MEMBERSHIP_ATTEND_JOINS);
    assert_int_equal(store_city_find(f->st, "ohrid", &c), 0);
    assert_string_equal(c.joined_on, "2026-11-27");
    assert_int_equal(int_query(f->db, "SELECT count(*) FROM city_status_history h JOIN cities c ON c.id = h.city_id"
                                      " WHERE c.code = 'ohrid' AND h.status = 'member' AND h.effective_on = '2026-11-27'"),
                     1);
    /* a former member checked in late, after a status change dated later than the summit's start: refused whole */
    assert_int_equal(store_city_set_status(f->st, "kotor", MEMBERSHIP_MEMBER, MEMBERSHIP_FORMER, "2027-02-01",
                                           "left after the summit", 0, NULL),
                     0);
    history = int_query(f->db, "SELECT count(*) FROM history");
    statuses = int_query(f->db, "SELECT count(*) FROM city_status_history");
    assert_int_equal(store_attendance_check_in(f->st, s.id, "kotor", SUMMIT_HOW_DESK, 0, "2027-02-02", &o),
                     STORE_SUMMIT_CONFLICT);
    assert_int_equal(int_query(f->db, "SELECT count(*) FROM attendance WHERE city_id = (SELECT id FROM cities"
                                      " WHERE code = 'kotor')"),
                     0);
    assert_int_equal(int_query(f->db, "SELECT count(*) FROM history"), history);
    assert_int_equal(int_query(f->db, "SELECT count(*) FROM city_status_history"), statuses);
    assert_int_equal(store_city_find(f->st, "kotor", &c), 0);
    assert_int_equal(c.status, MEMBERSHIP_FORMER);
    /* a member is present whatever its history's dates */
    assert_int_equal(store_attendance_check_in(f->st, s.id, "athens", SUMMIT_HOW_DESK, 0, "2027-02-02", &o), 0);
    assert_int_equal(o.effect, MEMBERSHIP_ATTEND_STAYS_MEMBER);
}

static void test_attendance_rolls_back(void **state)
{
    struct fixture *f = *state;
    struct summit_new sn = next_summit("zagreb");
    struct attendance_outcome o;
    struct registry_city c;
    struct summit_record s;

    add_applicants(f);
    assert_int_equal(store_summit_create(f->st, &sn, 0, &s), 0);
    /* the status history refuses the new row: the last write of a joining check-in */
    sql(f->db, "CREATE TRIGGER test_refuse BEFORE INSERT ON city_status_history"
               " BEGIN SELECT RAISE(ABORT, 'refused'); END;");
    assert_int_equal(store_attendance_check_in(f->st, s.id, "ohrid", SUMMIT_HOW_DESK, 0, "2027-01-25", &o), -1);
    assert_int_equal(int_query(f->db, "SELECT count(*) FROM attendance"), 0);
    assert_int_equal(int_query(f->db, "SELECT count(*) FROM history WHERE action <> 'summit.create'"), 1);
    assert_int_equal(store_city_find(f->st, "ohrid", &c), 0);
    assert_int_equal(c.status, MEMBERSHIP_APPLICANT);
    sql(f->db, "DROP TRIGGER test_refuse;"
               "CREATE TRIGGER test_refuse BEFORE INSERT ON history BEGIN SELECT RAISE(ABORT, 'refused'); END;");
    assert_int_equal(store_attendance_check_in(f->st, s.id, "athens", SUMMIT_HOW_DESK, 0, "2027-01-25", &o), -1);
    assert_int_equal(store_delegation_register(f->st, s.id, "athens", 2, "2027-01-25", "2027-01-27", "", 0, NULL), -1);
    sn.year = 2028;
    sn.starts_on = "2028-01-25";
    sn.ends_on = "2028-01-27";
    assert_int_equal(store_summit_create(f->st, &sn, 0, NULL), -1);
    assert_int_equal(int_query(f->db, "SELECT count(*) FROM attendance"), 0);
    assert_int_equal(int_query(f->db, "SELECT count(*) FROM delegations"), 0);
    assert_int_equal(int_query(f->db, "SELECT count(*) FROM summits"), 6);
    sql(f->db, "DROP TRIGGER test_refuse;");
    assert_int_equal(store_attendance_check_in(f->st, s.id, "ohrid", SUMMIT_HOW_DESK, 0, "2027-01-25", &o), 0);
    assert_int_equal(o.city.status, MEMBERSHIP_MEMBER);
}

static void test_presidency_add(void **state)
{
    struct fixture *f = *state;
    struct summit_new sn = next_summit("zagreb");
    struct summit_record zagreb27, athens28;
    int64_t id = 0;

    assert_int_equal(store_summit_create(f->st, &sn, 0, &zagreb27), 0);
    /* the host of the 2026 summit holds the current term: not two in a row */
    assert_int_equal(store_begin(f->st), 0);
    assert_int_equal(store_presidency_add(f->st, zagreb27.host_city_id, zagreb27.id, 0), STORE_SUMMIT_CONFLICT);
    /* only the host of a summit holds the term it opens */
    assert_int_equal(store_presidency_add(f->st, city_id(f, "athens"), zagreb27.id, 0), STORE_SUMMIT_CONFLICT);
    assert_int_equal(store_presidency_add(f->st, city_id(f, "athens"), 999, 0), STORE_SUMMIT_NOT_FOUND);
    store_rollback(f->st);
    assert_int_equal(store_presidency_add(f->st, zagreb27.host_city_id, zagreb27.id, 0), -1); /* no transaction */
    sn = (struct summit_new){2028, "athens", "2028-01-25", "2028-01-27", "Athens"};
    assert_int_equal(store_summit_create(f->st, &sn, 0, &athens28), 0);
    assert_int_equal(store_begin(f->st), 0);
    assert_int_equal(store_presidency_add(f->st, athens28.host_city_id, athens28.id, 0), 0);
    assert_int_equal(store_commit(f->st), 0);
    assert_int_equal(store_presidency_current(f->st, "2028-01-25", &id), 0);
    assert_int_equal(id, city_id(f, "athens"));
    assert_int_equal(store_presidency_current(f->st, "2028-01-24", &id), 0);
    assert_int_equal(id, city_id(f, "zagreb"));
    /* a summit opens one term */
    assert_int_equal(store_begin(f->st), 0);
    assert_int_equal(store_presidency_add(f->st, athens28.host_city_id, athens28.id, 0), STORE_SUMMIT_CONFLICT);
    store_rollback(f->st);
    assert_int_equal(int_query(f->db, "SELECT count(*) FROM presidencies"), 6);
}

/* An election decided at summit `at` (by plain SQL, as the election code records it): a pending term for `city`. */
static void add_pending_term(struct fixture *f, int64_t at, const char *city)
{
    char text[512];

    snprintf(text, sizeof(text),
             "INSERT INTO elections (summit_id, title, state, round, quorum_num, quorum_den, winner_city, created_at_ms)"
             " VALUES (%lld, 'Presidency', 'decided', 1, 1, 2, (SELECT id FROM cities WHERE code = '%s'), 0);"
             "INSERT INTO presidencies (city_id, from_summit_id, elected_in, elected_at_summit_id, recorded_at_ms)"
             " VALUES ((SELECT id FROM cities WHERE code = '%s'), NULL, (SELECT max(id) FROM elections), %lld, 0);",
             (long long)at, city, city, (long long)at);
    sql(f->db, text);
}

static void test_pending_term(void **state)
{
    struct fixture *f = *state;
    struct summit_record zagreb26 = summit_of(f, 2026), s;
    struct summit_new sn = next_summit("zagreb");
    struct summit_term *terms = NULL, t;
    size_t n = 0;
    int64_t id = 0;

    /* the 2026 summit elected Athens: it hosts the next summit and holds the term from it */
    add_pending_term(f, zagreb26.id, "athens");
    assert_int_equal(store_presidency_list(f->st, &terms, &n), 0);
    assert_int_equal(n, 6);
    assert_string_equal(terms[0].city, "athens"); /* pending first */
    assert_int_equal(terms[0].from_summit_id, 0);
    assert_int_equal(terms[0].year, 0);
    assert_string_equal(terms[0].starts_on, "");
    assert_true(terms[0].elected_in > 0);
    assert_int_equal(terms[0].elected_at_summit_id, zagreb26.id);
    assert_string_equal(terms[1].city, "zagreb");
    free(terms);
    /* a pending term holds no presidency yet */
    assert_int_equal(store_presidency_current(f->st, "2026-11-27", &id), 0);
    assert_int_equal(id, city_id(f, "zagreb"));
    assert_int_equal(store_presidency_pending(f->st, "2027-01-25", &t), 0);
    assert_string_equal(t.city, "athens");
    assert_int_equal(store_presidency_pending(f->st, "2026-01-25", &t), 1); /* not before its election */
    assert_int_equal(store_presidency_pending(f->st, "bad", &t), 1);

    /* the next summit is Athens's to host: another host is refused, and nothing is recorded */
    assert_int_equal(store_summit_create(f->st, &sn, 0, NULL), STORE_SUMMIT_CONFLICT);
    assert_int_equal(int_query(f->db, "SELECT count(*) FROM summits"), 5);
    sn.host = "athens";
    assert_int_equal(store_summit_create(f->st, &sn, 0, &s), 0);
    assert_int_equal(int_query(f->db, "SELECT count(*) FROM presidencies WHERE from_summit_id IS NULL"), 0);
    assert_int_equal(store_presidency_current(f->st, "2027-01-25", &id), 0);
    assert_int_equal(id, city_id(f, "athens"));
    assert_int_equal(store_presidency_current(f->st, "2027-01-24", &id), 0);
    assert_int_equal(id, city_id(f, "zagreb"));
    assert_int_equal(int_query(f->db, "SELECT count(*) FROM history WHERE action = 'summit.create'"
                                      " AND json_extract(details, '$.opens_term') = (SELECT id FROM presidencies"
                                      " WHERE from_summit_id = (SELECT max(id) FROM summits))"),
                     1);
    assert_int_equal(store_presidency_list(f->st, &terms, &n), 0);
    assert_string_equal(terms[0].city, "athens");
    assert_int_equal(terms[0].from_summit_id, s.id);
    assert_int_equal(terms[0].year, 2027);
    free(terms);

    /* a pending term elected at a summit that is no longer the latest before the new one opens nothing */
    add_pending_term(f, zagreb26.id, "sofia");
    sn = (struct summit_new){2028, "split", "2028-01-25", "2028-01-27", "Split"};
    assert_int_equal(store_presidency_pending(f->st, "2028-01-25", &t), 1);
    assert_int_equal(store_summit_create(f->st, &sn, 0, NULL), 0);
    assert_int_equal(int_query(f->db, "SELECT count(*) FROM presidencies WHERE from_summit_id IS NULL"), 1);
}

/* ---- the messages, through api_handle_text ---- */

/*
 * People signed in with a key, made with plain SQL (the identity side's
 * flows are tested elsewhere); each has key id = person id: 1 a secretary,
 * 2 the mayor of Athens, 3 an official of Athens, 4 the mayor of Zagreb,
 * 5 the deputy mayor of Kotor, 6 an expert of the secretariat.
 */
static void add_people(struct fixture *f)
{
    static const struct {
        int id;
        const char *name, *city, *roles;
    } people[] = {
        {1, "Network secretary", NULL, "secretary"}, {2, "Mayor of Athens", "athens", "mayor"},
        {3, "Official of Athens", "athens", "official"}, {4, "Mayor of Zagreb", "zagreb", "mayor"},
        {5, "Deputy mayor of Kotor", "kotor", "deputy"}, {6, "Network expert", NULL, "expert"},
    };
    char text[1024];

    for (size_t i = 0; i < COUNT(people); i++) {
        snprintf(text, sizeof(text),
                 "INSERT INTO people (id, name, city_id, roles, created_at_ms) VALUES (%d, '%s',"
                 " (SELECT id FROM cities WHERE code = '%s'), '%s', 0);"
                 "INSERT INTO enrollments (id, person_id, code_sha256, expires_at_ms, created_at_ms, signer_key,"
                 " statement, signature) VALUES (printf('%%032d', %d), %d, randomblob(32), 0, 0, randomblob(32), 's',"
                 " randomblob(64));"
                 "INSERT INTO person_keys (id, person_id, public_key, enrollment_id, device, statement, signature,"
                 " created_at_ms) VALUES (%d, %d, randomblob(32), printf('%%032d', %d), 'test', 's', randomblob(64), 0);",
                 people[i].id, people[i].name, people[i].city ? people[i].city : "", people[i].roles, people[i].id,
                 people[i].id, people[i].id, people[i].id, people[i].id);
        sql(f->db, text);
    }
}

/* Sends msg and asserts an ok reply; returns it. */

/* The compact JSON text of o, for comparing whole objects. */
static const char *text_of(struct json_object *o)
{
    return json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
}

static void test_api_summit_list_and_get(void **state)
{
    struct fixture *f = *state;
    struct api_fixture a;
    struct json_object *r, *summits, *terms, *z;
    char msg[128];

    api_setup(f, &a, "192.0.2.1");
    /* public: nobody signed in */
    r = ok(&a, "{\"id\":1,\"type\":\"summit.list\"}");
    summits = get(r, "summits");
    terms = get(r, "terms");
    assert_int_equal(json_object_array_length(summits), 5);
    assert_int_equal(json_object_array_length(terms), 5);
    z = json_object_array_get_idx(summits, 0);
    snprintf(msg, sizeof(msg), "{\"id\":2,\"type\":\"summit.get\",\"summit\":%lld}",
             (long long)json_object_get_int64(get(z, "id")));
    assert_string_equal(strstr(text_of(z), "\"year\""),
                        "\"year\":2026,\"host\":\"zagreb\",\"starts_on\":\"2026-01-25\",\"ends_on\":\"2026-01-27\","
                        "\"place\":\"Zagreb\",\"present\":[],\"hospitality\":{\"delegations\":0,\"delegates\":0,"
                        "\"nights\":0,\"meals\":0}}");
    assert_string_equal(json_object_get_string(get(json_object_array_get_idx(summits, 4), "host")), "istanbul");
    assert_string_equal(json_object_get_string(get(json_object_array_get_idx(terms, 0), "city")), "zagreb");
    assert_int_equal(json_object_get_int64(get(json_object_array_get_idx(terms, 0), "year")), 2026);
    assert_int_equal(json_object_get_int64(get(json_object_array_get_idx(terms, 0), "from_summit")),
                     json_object_get_int64(get(z, "id")));
    assert_true(json_object_is_type(get(json_object_array_get_idx(terms, 0), "elected_in"), json_type_null));
    assert_string_equal(json_object_get_string(get(json_object_array_get_idx(terms, 4), "city")), "istanbul");
    {
        struct json_object *g = ok(&a, msg);
        assert_string_equal(text_of(get(g, "summit")), text_of(z));
        json_object_put(g);
    }
    json_object_put(r);
    refused(&a, "{\"id\":2,\"type\":\"summit.get\",\"summit\":999999}", "not_found", "summit");
    refused(&a, "{\"id\":2,\"type\":\"summit.get\",\"summit\":\"1\"}", "bad_request", "summit");
    refused(&a, "{\"id\":2,\"type\":\"summit.get\",\"summit\":0}", "bad_request", "summit");
    refused(&a, "{\"id\":2,\"type\":\"summit.get\"}", "bad_request", "summit");
    refused(&a, "{\"id\":2,\"type\":\"summit.list\",\"year\":2026}", "bad_request", "year");
    api_teardown(&a);
}

#define CREATE(fields) "{\"id\":3,\"type\":\"summit.create\"," fields "}"
#define S2027 "\"year\":2027,\"host\":\"zagreb\",\"starts_on\":\"2027-01-25\",\"ends_on\":\"2027-01-27\""

static void test_api_summit_create(void **state)
{
    struct fixture *f = *state;
    struct api_fixture a;
    struct json_object *r, *s;

    add_people(f);
    api_setup(f, &a, "192.0.2.1");
    refused(&a, CREATE(S2027 ",\"place\":\"Zagreb\""), "not_signed_in", NULL);
    sign_in(&a, 2);
    refused(&a, CREATE(S2027 ",\"place\":\"Zagreb\""), "forbidden", NULL);
    sign_in(&a, 4); /* the host's own mayor may not either */
    refused(&a, CREATE(S2027 ",\"place\":\"Zagreb\""), "forbidden", NULL);
    sign_in(&a, 1);
    refused(&a, CREATE(S2027 ",\"place\":\"Zagreb\\u0007\""), "bad_request", "place");
    refused(&a, CREATE(S2027 ",\"place\":\" \""), "bad_request", "place");
    refused(&a, CREATE(S2027 ",\"place\":\"\""), "bad_request", "place");
    refused(&a, CREATE(S2027), "bad_request", "place");
    refused(&a, CREATE(S2027 ",\"place\":\"Zagreb\",\"fee\":0"), "bad_request", "fee");
    refused(&a, CREATE("\"year\":2027,\"host\":\"Zagreb\",\"starts_on\":\"2027-01-25\",\"ends_on\":\"2027-01-27\","
                       "\"place\":\"Zagreb\""),
            "bad_request", "host");
    refused(&a, CREATE("\"year\":2027,\"host\":\"zagreb\",\"starts_on\":\"2027-02-30\",\"ends_on\":\"2027-03-01\","
                       "\"place\":\"Zagreb\""),
            "bad_request", "starts_on");
    refused(&a, CREATE("\"year\":2027,\"host\":\"zagreb\",\"starts_on\":\"2027-01-25T09:00Z\",\"ends_on\":\"2027-01-27\","
                       "\"place\":\"Zagreb\""),
            "bad_request", "starts_on");
    refused(&a, CREATE("\"year\":2027,\"host\":\"zagreb\",\"starts_on\":\"2027-01-27\",\"ends_on\":\"2027-01-25\","
                       "\"place\":\"Zagreb\""),
            "bad_request", "ends_on");
    refused(&a, CREATE("\"year\":2027,\"host\":\"zagreb\",\"starts_on\":\"2027-01-25\",\"ends_on\":\"2027-02-01\","
                       "\"place\":\"Zagreb\""),
            "bad_request", "ends_on");
    refused(&a, CREATE("\"year\":2028,\"host\":\"zagreb\",\"starts_on\":\"2027-01-25\",\"ends_on\":\"2027-01-27\","
                       "\"place\":\"Zagreb\""),
            "bad_request", "year");
    refused(&a, CREATE("\"year\":2020,\"host\":\"zagreb\",\"starts_on\":\"2020-01-25\",\"ends_on\":\"2020-01-27\","
                       "\"place\":\"Zagreb\""),
            "bad_request", "year");
    refused(&a, CREATE("\"year\":\"2027\",\"host\":\"zagreb\",\"starts_on\":\"2027-01-25\",\"ends_on\":\"2027-01-27\","
                       "\"place\":\"Zagreb\""),
            "bad_request", "year");
    refused(&a, CREATE("\"year\":2027,\"host\":\"atlantis\",\"starts_on\":\"2027-01-25\",\"ends_on\":\"2027-01-27\","
                       "\"place\":\"Atlantis\""),
            "not_found", "host");
    /* a host that is not a city of the network */
    assert_int_equal(store_city_set_status(f->st, "kotor", MEMBERSHIP_MEMBER, MEMBERSHIP_FORMER, "2026-03-01", "test",
                                           0, NULL),
                     0);
    refused(&a, CREATE("\"year\":2027,\"host\":\"kotor\",\"starts_on\":\"2027-01-25\",\"ends_on\":\"2027-01-27\","
                       "\"place\":\"Kotor\""),
            "conflict", "host");
    assert_int_equal(int_query(f->db, "SELECT count(*) FROM summits"), 5);

    r = ok(&a, CREATE(S2027 ",\"place\":\"Zagreb, Lisinski Concert Hall\""));
    s = get(r, "summit");
    assert_string_equal(strstr(text_of(s), "\"year\""),
                        "\"year\":2027,\"host\":\"zagreb\",\"starts_on\":\"2027-01-25\",\"ends_on\":\"2027-01-27\","
                        "\"place\":\"Zagreb, Lisinski Concert Hall\",\"present\":[],\"hospitality\":{\"delegations\":0,"
                        "\"delegates\":0,\"nights\":0,\"meals\":0}}");
    json_object_put(r);
    assert_int_equal(int_query(f->db, "SELECT count(*) FROM history WHERE action = 'summit.create'"
                                      " AND actor_person_id = 1"),
                     1);
    refused(&a, CREATE(S2027 ",\"place\":\"Elsewhere\""), "conflict", "year");
    refused(&a, CREATE("\"year\":2026,\"host\":\"zagreb\",\"starts_on\":\"2026-06-01\",\"ends_on\":\"2026-06-02\","
                       "\"place\":\"Zagreb\""),
            "conflict", "year");
    sign_in(&a, 6); /* an expert of the secretariat may */
    json_object_put(ok(&a, CREATE("\"year\":2028,\"host\":\"athens\",\"starts_on\":\"2028-12-28\","
                                  "\"ends_on\":\"2029-01-02\",\"place\":\"Athens\"")));
    refused(&a, CREATE("\"year\":2029,\"host\":\"athens\",\"starts_on\":\"2029-01-02\",\"ends_on\":\"2029-01-03\","
                       "\"place\":\"Athens\""),
            "conflict", "starts_on");
    api_teardown(&a);
}

static void test_api_summit_create_opens_the_elected_term(void **state)
{
    struct fixture *f = *state;
    struct api_fixture a;
    struct json_object *r, *terms;

    add_people(f);
    add_pending_term(f, summit_of(f, 2026).id, "athens");
    api_setup(f, &a, "192.0.2.1");
    sign_in(&a, 1);
    refused(&a, CREATE(S2027 ",\"place\":\"Zagreb\""), "conflict", "host");
    json_object_put(ok(&a, CREATE("\"year\":2027,\"host\":\"athens\",\"starts_on\":\"2027-01-25\","
                                  "\"ends_on\":\"2027-01-27\",\"place\":\"Athens\"")));
    r = ok(&a, "{\"id\":1,\"type\":\"summit.list\"}");
    terms = get(r, "terms");
    assert_int_equal(json_object_array_length(terms), 6);
    assert_string_equal(json_object_get_string(get(json_object_array_get_idx(terms, 0), "city")), "athens");
    assert_int_equal(json_object_get_int64(get(json_object_array_get_idx(terms, 0), "year")), 2027);
    assert_true(json_object_get_int64(get(json_object_array_get_idx(terms, 0), "elected_in")) > 0);
    json_object_put(r);
    api_teardown(&a);
}

static int64_t create_2027(struct api_fixture *a)
{
    struct json_object *r;
    int64_t id;

    sign_in(a, 1);
    r = ok(a, CREATE(S2027 ",\"place\":\"Zagreb\""));
    id = json_object_get_int64(get(get(r, "summit"), "id"));
    json_object_put(r);
    return id;
}

static void test_api_delegations(void **state)
{
    struct fixture *f = *state;
    struct api_fixture a;
    struct json_object *r;
    char msg[512];
    int64_t sid;

    add_people(f);
    api_setup(f, &a, "192.0.2.1");
    sid = create_2027(&a);
#define REG(city, rest)                                                                                            \
    (snprintf(msg, sizeof(msg), "{\"id\":4,\"type\":\"delegation.register\",\"summit\":%lld,\"city\":\"%s\"%s}", \
              (long long)sid, city, rest),                                                                         \
     msg)

    a.conn.person_id = 0;
    refused(&a, REG("athens", ",\"delegates\":3,\"arrival\":\"2027-01-22\",\"departure\":\"2027-01-28\""),
            "not_signed_in", NULL);
    /* the mayor for their own city; the dietary needs stored as sent */
    sign_in(&a, 2);
    r = ok(&a, REG("athens", ",\"delegates\":3,\"arrival\":\"2027-01-22\",\"departure\":\"2027-01-28\","
                             "\"dietary\":\"one vegetarian\\nno nuts <b>please</b>\""));
    assert_string_equal(text_of(get(r, "delegation")),
                        "{\"city\":\"athens\",\"delegates\":3,\"arrival\":\"2027-01-22\",\"departure\":\"2027-01-28\","
                        "\"nights\":6,\"meals\":63,\"dietary\":\"one vegetarian\\nno nuts <b>please</b>\"}");
    assert_string_equal(text_of(get(r, "hospitality")), "{\"delegations\":1,\"delegates\":3,\"nights\":18,\"meals\":63}");
    json_object_put(r);
    /* an official of the city may; without dietary the field is "" */
    sign_in(&a, 3);
    r = ok(&a, REG("athens", ",\"delegates\":2,\"arrival\":\"2027-01-25\",\"departure\":\"2027-01-27\""));
    assert_string_equal(json_object_get_string(get(get(r, "delegation"), "dietary")), "");
    assert_string_equal(text_of(get(r, "hospitality")), "{\"delegations\":1,\"delegates\":2,\"nights\":4,\"meals\":18}");
    json_object_put(r);
    /* another city: forbidden, known or not; the secretariat: any city, not_found for an unknown one */
    refused(&a, REG("sofia", ",\"delegates\":2,\"arrival\":\"2027-01-25\",\"departure\":\"2027-01-27\""), "forbidden",
            NULL);
    refused(&a, REG("atlantis", ",\"delegates\":2,\"arrival\":\"2027-01-25\",\"departure\":\"2027-01-27\""),
            "forbidden", NULL);
    sign_in(&a, 1);
    refused(&a, REG("atlantis", ",\"delegates\":2,\"arrival\":\"2027-01-25\",\"departure\":\"2027-01-27\""),
            "not_found", "city");
    r = ok(&a, REG("belgrade", ",\"delegates\":50,\"arrival\":\"2027-01-25\",\"departure\":\"2027-01-27\""));
    assert_string_equal(text_of(get(r, "hospitality")),
                        "{\"delegations\":2,\"delegates\":52,\"nights\":104,\"meals\":468}");
    json_object_put(r);
    /* bad fields, named */
    sign_in(&a, 2);
    refused(&a, REG("athens", ",\"delegates\":0,\"arrival\":\"2027-01-25\",\"departure\":\"2027-01-27\""),
            "bad_request", "delegates");
    refused(&a, REG("athens", ",\"delegates\":51,\"arrival\":\"2027-01-25\",\"departure\":\"2027-01-27\""),
            "bad_request", "delegates");
    refused(&a, REG("athens", ",\"delegates\":2.5,\"arrival\":\"2027-01-25\",\"departure\":\"2027-01-27\""),
            "bad_request", "delegates");
    refused(&a, REG("athens", ",\"delegates\":2,\"arrival\":\"2027-01-21\",\"departure\":\"2027-01-27\""),
            "bad_request", "arrival");
    refused(&a, REG("athens", ",\"delegates\":2,\"arrival\":\"2027-01-28\",\"departure\":\"2027-01-29\""),
            "bad_request", "arrival");
    refused(&a, REG("athens", ",\"delegates\":2,\"arrival\":\"2027-01-32\",\"departure\":\"2027-01-27\""),
            "bad_request", "arrival");
    refused(&a, REG("athens", ",\"delegates\":2,\"arrival\":\"2027-01-25\",\"departure\":\"2027-01-31\""),
            "bad_request", "departure");
    refused(&a, REG("athens", ",\"delegates\":2,\"arrival\":\"2027-01-26\",\"departure\":\"2027-01-25\""),
            "bad_request", "departure");
    refused(&a, REG("athens", ",\"delegates\":2,\"arrival\":\"2027-01-25\",\"departure\":\"tomorrow\""),
            "bad_request", "departure");
    refused(&a, REG("athens", ",\"delegates\":2,\"arrival\":\"2027-01-25\",\"departure\":\"2027-01-27\","
                              "\"dietary\":\"a\\u0000b\""),
            "bad_request", "dietary");
    refused(&a, REG("athens", ",\"delegates\":2,\"arrival\":\"2027-01-25\",\"departure\":\"2027-01-27\","
                              "\"dietary\":\"a\\u202eb\""),
            "bad_request", "dietary");
    refused(&a, REG("athens", ",\"delegates\":2,\"arrival\":\"2027-01-25\",\"departure\":\"2027-01-27\","
                              "\"travel_fee\":120"),
            "bad_request", "travel_fee");
    refused(&a, REG("Athens", ",\"delegates\":2,\"arrival\":\"2027-01-25\",\"departure\":\"2027-01-27\""),
            "bad_request", "city");
    refused(&a, "{\"id\":4,\"type\":\"delegation.register\",\"summit\":999999,\"city\":\"athens\",\"delegates\":2,"
                "\"arrival\":\"2027-01-25\",\"departure\":\"2027-01-27\"}",
            "not_found", "summit");
    assert_int_equal(int_query(f->db, "SELECT sum(delegates) FROM delegations"), 52);

    /* delegation.list: the secretariat and the host city's people */
    refused(&a, "{\"id\":5,\"type\":\"delegation.list\",\"summit\":1}", "forbidden", NULL); /* not the host */
    snprintf(msg, sizeof(msg), "{\"id\":5,\"type\":\"delegation.list\",\"summit\":%lld}", (long long)sid);
    refused(&a, msg, "forbidden", NULL);
    sign_in(&a, 4);
    r = ok(&a, msg);
    assert_int_equal(json_object_array_length(get(r, "delegations")), 2);
    assert_string_equal(json_object_get_string(get(json_object_array_get_idx(get(r, "delegations"), 0), "city")),
                        "athens");
    assert_string_equal(text_of(get(r, "hospitality")),
                        "{\"delegations\":2,\"delegates\":52,\"nights\":104,\"meals\":468}");
    json_object_put(r);
    sign_in(&a, 1);
    json_object_put(ok(&a, msg));
    refused(&a, "{\"id\":5,\"type\":\"delegation.list\",\"summit\":999999}", "not_found", "summit");
    a.conn.person_id = 0;
    refused(&a, msg, "not_signed_in", NULL);
#undef REG
    api_teardown(&a);
}

/*
 * delegation.get: one city's delegation exactly as stored, for that city's
 * people, the secretariat and the host city's people; null when none.
 */
static void test_api_delegation_get(void **state)
{
    struct fixture *f = *state;
    struct api_fixture a;
    struct json_object *r;
    char msg[512];
    int64_t sid;

    add_people(f);
    api_setup(f, &a, "192.0.2.1");
    sid = create_2027(&a);
#define GET(city) (snprintf(msg, sizeof(msg), "{\"id\":6,\"type\":\"delegation.get\",\"summit\":%lld,\"city\":\"%s\"}", \
                            (long long)sid, city),                                                                  \
                   msg)
    /* nothing registered yet: null, for the city's mayor */
    sign_in(&a, 2);
    r = ok(&a, GET("athens"));
    assert_null(get(r, "delegation"));
    assert_null(get(r, "updated"));
    json_object_put(r);
    snprintf(msg, sizeof(msg),
             "{\"id\":7,\"type\":\"delegation.register\",\"summit\":%lld,\"city\":\"athens\",\"delegates\":3,"
             "\"arrival\":\"2027-01-22\",\"departure\":\"2027-01-28\",\"dietary\":\"one vegan\\nno nuts <b>please</b>\"}",
             (long long)sid);
    json_object_put(ok(&a, msg));
    /* read back exactly as stored: by the mayor, an official of the city, the secretariat, the host's mayor */
    for (int who = 1; who <= 4; who++) {
        sign_in(&a, who == 1 ? 2 : who == 2 ? 3 : who == 3 ? 1 : 4);
        r = ok(&a, GET("athens"));
        assert_string_equal(text_of(get(r, "delegation")),
                            "{\"city\":\"athens\",\"delegates\":3,\"arrival\":\"2027-01-22\",\"departure\":\"2027-01-28\","
                            "\"nights\":6,\"meals\":63,\"dietary\":\"one vegan\\nno nuts <b>please</b>\"}");
        assert_true(json_object_is_type(get(r, "updated"), json_type_string));
        json_object_put(r);
    }
    /* the host's people and the secretariat: any city (null when none), not_found for an unknown one */
    sign_in(&a, 4);
    r = ok(&a, GET("belgrade"));
    assert_null(get(r, "delegation"));
    json_object_put(r);
    refused(&a, GET("atlantis"), "not_found", "city");
    sign_in(&a, 1);
    refused(&a, GET("atlantis"), "not_found", "city");
    /* another city's people: forbidden, known or not; not signed in */
    sign_in(&a, 5);
    refused(&a, GET("athens"), "forbidden", NULL);
    refused(&a, GET("atlantis"), "forbidden", NULL);
    a.conn.person_id = 0;
    refused(&a, GET("athens"), "not_signed_in", NULL);
    /* bad fields; an unknown summit */
    sign_in(&a, 2);
    refused(&a, GET("Athens"), "bad_request", "city");
    refused(&a, "{\"id\":6,\"type\":\"delegation.get\",\"summit\":999999,\"city\":\"athens\"}", "not_found", "summit");
    refused(&a, "{\"id\":6,\"type\":\"delegation.get\",\"city\":\"athens\"}", "bad_request", "summit");
    snprintf(msg, sizeof(msg), "{\"id\":6,\"type\":\"delegation.get\",\"summit\":%lld}", (long long)sid);
    refused(&a, msg, "bad_request", "city");
#undef GET
    api_teardown(&a);
}

static void test_api_attendance(void **state)
{
    struct fixture *f = *state;
    struct api_fixture a;
    struct json_object *r;
    char msg[256], today[MEMBERSHIP_DATE_LEN + 1];
    int64_t sid;

    add_people(f);
    api_setup(f, &a, "192.0.2.1");
    sid = create_2027(&a);
#define CHECK_IN(city) \
    (snprintf(msg, sizeof(msg), "{\"id\":6,\"type\":\"attendance.check_in\",\"summit\":%lld,\"city\":\"%s\"}", \
              (long long)sid, city),                                                                         \
     msg)

    a.conn.person_id = 0;
    refused(&a, CHECK_IN("athens"), "not_signed_in", NULL);
    /* at the desk, for any city */
    sign_in(&a, 1);
    r = ok(&a, CHECK_IN("belgrade"));
    assert_string_equal(text_of(get(r, "present")), "[\"belgrade\"]");
    assert_string_equal(json_object_get_string(get(get(r, "city"), "status")), "member");
    json_object_put(r);
    /* online, by the mayor, for their own city only */
    sign_in(&a, 2);
    r = ok(&a, CHECK_IN("athens"));
    assert_string_equal(text_of(get(r, "present")), "[\"athens\",\"belgrade\"]");
    json_object_put(r);
    refused(&a, CHECK_IN("patras"), "forbidden", NULL);
    refused(&a, CHECK_IN("atlantis"), "forbidden", NULL);
    /* an official cannot check the city in */
    sign_in(&a, 3);
    refused(&a, CHECK_IN("athens"), "forbidden", NULL);
    assert_int_equal(int_query(f->db, "SELECT count(*) FROM attendance WHERE how = 'desk' AND by_person = 1"), 1);
    assert_int_equal(int_query(f->db, "SELECT count(*) FROM attendance WHERE how = 'online' AND by_person = 2"), 1);
    /* idempotent */
    sign_in(&a, 1);
    r = ok(&a, CHECK_IN("athens"));
    assert_string_equal(text_of(get(r, "present")), "[\"athens\",\"belgrade\"]");
    json_object_put(r);
    assert_int_equal(int_query(f->db, "SELECT count(*) FROM attendance"), 2);
    assert_int_equal(int_query(f->db, "SELECT count(*) FROM history WHERE action = 'attendance.check_in'"), 2);
    refused(&a, CHECK_IN("atlantis"), "not_found", "city");
    refused(&a, CHECK_IN("Not A Code"), "bad_request", "city");
    refused(&a, "{\"id\":6,\"type\":\"attendance.check_in\",\"summit\":999999,\"city\":\"athens\"}", "not_found",
            "summit");
    refused(&a, "{\"id\":6,\"type\":\"attendance.check_in\",\"summit\":1}", "bad_request", "city");

    /* Kotor has left; its deputy mayor checks it in online: attending makes it a member again, from today */
    assert_int_equal(store_city_set_status(f->st, "kotor", MEMBERSHIP_MEMBER, MEMBERSHIP_FORMER, "2026-03-01", "test",
                                           0, NULL),
                     0);
    sign_in(&a, 5);
    r = ok(&a, CHECK_IN("kotor"));
    assert_string_equal(text_of(get(r, "present")), "[\"athens\",\"belgrade\",\"kotor\"]");
    assert_string_equal(json_object_get_string(get(get(r, "city"), "status")), "member");
    assert_string_equal(json_object_get_string(get(get(r, "city"), "joined_how")), "founding_summit");
    json_object_put(r);
    assert_int_equal(membership_date_from_ms(timeutil_now_ms(), today), 0);
    snprintf(msg, sizeof(msg),
             "SELECT count(*) FROM city_status_history WHERE status = 'member' AND actor_person_id = 5"
             " AND effective_on = '%s'",
             strcmp(today, "2027-01-25") < 0 ? today : "2027-01-25");
    assert_int_equal(int_query(f->db, msg), 1);
    assert_int_equal(int_query(f->db, "SELECT count(*) FROM history WHERE action = 'city.status' AND subject = 'kotor'"
                                      " AND actor_person_id = 5"),
                     1);
    /* the summit object shows who is present */
    snprintf(msg, sizeof(msg), "{\"id\":2,\"type\":\"summit.get\",\"summit\":%lld}", (long long)sid);
    r = ok(&a, msg);
    assert_string_equal(text_of(get(get(r, "summit"), "present")), "[\"athens\",\"belgrade\",\"kotor\"]");
    json_object_put(r);
#undef CHECK_IN
    api_teardown(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_date_days),
        cmocka_unit_test(test_date_add),
        cmocka_unit_test(test_check_dates),
        cmocka_unit_test(test_delegation_plan),
        cmocka_unit_test(test_names),
        cmocka_unit_test_setup_teardown(test_demo_summits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_current_presidency, setup, teardown),
        cmocka_unit_test_setup_teardown(test_summit_create, setup, teardown),
        cmocka_unit_test_setup_teardown(test_delegations, setup, teardown),
        cmocka_unit_test_setup_teardown(test_attendance_rule, setup, teardown),
        cmocka_unit_test_setup_teardown(test_attendance_dates, setup, teardown),
        cmocka_unit_test_setup_teardown(test_attendance_rolls_back, setup, teardown),
        cmocka_unit_test_setup_teardown(test_presidency_add, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pending_term, setup, teardown),
        cmocka_unit_test_setup_teardown(test_api_summit_list_and_get, setup, teardown),
        cmocka_unit_test_setup_teardown(test_api_summit_create, setup, teardown),
        cmocka_unit_test_setup_teardown(test_api_summit_create_opens_the_elected_term, setup, teardown),
        cmocka_unit_test_setup_teardown(test_api_delegations, setup, teardown),
        cmocka_unit_test_setup_teardown(test_api_delegation_get, setup, teardown),
        cmocka_unit_test_setup_teardown(test_api_attendance, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
