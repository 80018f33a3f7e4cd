/*
 * demo: the demo network. The cities below are the B40 members as the
 * network has publicly reported them, with the summit (or the approval)
 * through which each joined. Coordinates are those of each city's centre
 * (or its municipal seat), to 4 decimals, for the map. Then the annual
 * summits held so far and the presidency term each opened (the host holds
 * the term from the summit it hosts to the next one). No person is named
 * here. See include/b40/demo.h for the contract.
 */
#include "b40/demo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "b40/groups.h"
#include "b40/identity.h"
#include "b40/log.h"
#include "b40/membership.h"
#include "b40/store.h"
#include "b40/store_groups.h"
#include "b40/store_identity.h"
#include "b40/store_registry.h"
#include "b40/store_summit.h"

#define FOUNDING MEMBERSHIP_JOINED_FOUNDING_SUMMIT, "2021-11-29", "founding summit, Istanbul, 29-30 November 2021"
#define REQUEST_2022_06 MEMBERSHIP_JOINED_APPROVED_REQUEST, "2022-06-01", "membership request approved, June 2022"
#define REQUEST_2022_09 MEMBERSHIP_JOINED_APPROVED_REQUEST, "2022-09-01", "membership request approved, September 2022"
#define TIRANA_2024 MEMBERSHIP_JOINED_SUMMIT_ATTENDANCE, "2024-01-29", "attended the summit in Tirana, 29-31 January 2024"
#define ZAGREB_2026 MEMBERSHIP_JOINED_SUMMIT_ATTENDANCE, "2026-01-25", "attended the summit in Zagreb, January 2026"

#define TR "TR", "Europe/Istanbul"
#define GR "GR", "Europe/Athens"
#define BG "BG", "Europe/Sofia"
#define AL "AL", "Europe/Tirane"
#define BA "BA", "Europe/Sarajevo"
#define HR "HR", "Europe/Zagreb"
#define RS "RS", "Europe/Belgrade"
#define ME "ME", "Europe/Podgorica"
#define MK "MK", "Europe/Skopje"
#define XK "XK", "Europe/Belgrade" /* Kosovo keeps Central European time, as Belgrade's zone gives */

static const struct demo_city cities[] = {
    /* The founding members: the first summit, Istanbul, 29-30 November 2021. */
    {"istanbul", "Istanbul", "İstanbul", TR, 41.0082, 28.9784, FOUNDING},
    {"edirne", "Edirne", "Edirne", TR, 41.6771, 26.5557, FOUNDING},
    {"tekirdag", "Tekirdağ", "Tekirdağ", TR, 40.9781, 27.5117, FOUNDING},
    {"kirklareli", "Kırklareli", "Kırklareli", TR, 41.7355, 27.2252, FOUNDING},
    {"athens", "Athens", "Αθήνα", GR, 37.9838, 23.7275, FOUNDING},
    {"thessaloniki", "Thessaloniki", "Θεσσαλονίκη", GR, 40.6401, 22.9444, FOUNDING},
    {"patras", "Patras", "Πάτρα", GR, 38.2466, 21.7346, FOUNDING},
    {"trikala", "Trikala", "Τρίκαλα", GR, 39.5557, 21.7679, FOUNDING},
    {"mytilene", "Mytilene", "Μυτιλήνη", GR, 39.1071, 26.5550, FOUNDING},
    {"kardzhali", "Kardzhali", "Кърджали", BG, 41.6338, 25.3777, FOUNDING},
    {"tirana", "Tirana", "Tiranë", AL, 41.3275, 19.8187, FOUNDING},
    {"durres", "Durrës", "Durrës", AL, 41.3246, 19.4565, FOUNDING},
    {"sarajevo", "Sarajevo", "Sarajevo", BA, 43.8563, 18.4131, FOUNDING},
    {"laktasi", "Laktaši", "Лакташи", BA, 44.9086, 17.3008, FOUNDING},
    {"split", "Split", "Split", HR, 43.5081, 16.4402, FOUNDING},
    {"belgrade", "Belgrade", "Београд", RS, 44.7866, 20.4489, FOUNDING},
    {"podgorica", "Podgorica", "Podgorica", ME, 42.4304, 19.2594, FOUNDING},
    {"kotor", "Kotor", "Kotor", ME, 42.4247, 18.7712, FOUNDING},
    {"skopje", "Skopje", "Скопје", MK, 41.9981, 21.4254, FOUNDING},

    /* Bulgarian cities whose requests were approved in June 2022. */
    {"sofia", "Sofia", "София", BG, 42.6977, 23.3219, REQUEST_2022_06},
    {"burgas", "Burgas", "Бургас", BG, 42.5048, 27.4626, REQUEST_2022_06},
    {"plovdiv", "Plovdiv", "Пловдив", BG, 42.1354, 24.7453, REQUEST_2022_06},
    {"veliko-tarnovo", "Veliko Tarnovo", "Велико Търново", BG, 43.0757, 25.6172, REQUEST_2022_06},
    {"dimitrovgrad", "Dimitrovgrad", "Димитровград", BG, 42.0544, 25.5947, REQUEST_2022_06},
    {"troyan", "Troyan", "Троян", BG, 42.8944, 24.7158, REQUEST_2022_06},
    {"karlovo", "Karlovo", "Карлово", BG, 42.6422, 24.8061, REQUEST_2022_06},
    {"karnobat", "Karnobat", "Карнобат", BG, 42.6500, 26.9833, REQUEST_2022_06},
    {"rakovski", "Rakovski", "Раковски", BG, 42.2967, 24.9656, REQUEST_2022_06},

    /* Zagreb, approved in September 2022. */
    {"zagreb", "Zagreb", "Zagreb", HR, 45.8150, 15.9819, REQUEST_2022_09},

    /* Members by January 2024: the summit in Tirana, 29-31 January 2024. */
    {"canakkale", "Çanakkale", "Çanakkale", TR, 40.1553, 26.4142, TIRANA_2024},
    {"izmir", "İzmir", "İzmir", TR, 38.4237, 27.1428, TIRANA_2024},
    {"zenica", "Zenica", "Zenica", BA, 44.2034, 17.9077, TIRANA_2024},
    {"sliven", "Sliven", "Сливен", BG, 42.6817, 26.3229, TIRANA_2024},
    {"stara-zagora", "Stara Zagora", "Стара Загора", BG, 42.4258, 25.6345, TIRANA_2024},
    {"svilengrad", "Svilengrad", "Свиленград", BG, 41.7667, 26.2000, TIRANA_2024},
    {"pula", "Pula", "Pula", HR, 44.8666, 13.8496, TIRANA_2024},
    {"acharnes", "Acharnes", "Αχαρνές", GR, 38.0833, 23.7333, TIRANA_2024},
    {"alexandroupoli", "Alexandroupoli", "Αλεξανδρούπολη", GR, 40.8476, 25.8744, TIRANA_2024},
    {"chania", "Chania", "Χανιά", GR, 35.5138, 24.0180, TIRANA_2024},
    {"karditsa", "Karditsa", "Καρδίτσα", GR, 39.3650, 21.9217, TIRANA_2024},
    {"kilkis", "Kilkis", "Κιλκίς", GR, 40.9937, 22.8750, TIRANA_2024},
    {"lefkada", "Lefkada", "Λευκάδα", GR, 38.8333, 20.7069, TIRANA_2024},
    {"orestiada", "Orestiada", "Ορεστιάδα", GR, 41.5031, 26.5297, TIRANA_2024},
    /* the municipality of Pella; its seat is Giannitsa, whose coordinates these are */
    {"pella", "Pella", "Πέλλα", GR, 40.7917, 22.4089, TIRANA_2024},
    {"pristina", "Pristina", "Prishtinë", XK, 42.6629, 21.1655, TIRANA_2024},
    {"prizren", "Prizren", "Prizren", XK, 42.2139, 20.7397, TIRANA_2024},
    {"niksic", "Nikšić", "Nikšić", ME, 42.7731, 18.9445, TIRANA_2024},
    /* a municipality of the city of Skopje */
    {"kisela-voda", "Kisela Voda", "Кисела Вода", MK, 41.9578, 21.4436, TIRANA_2024},
    {"prilep", "Prilep", "Прилеп", MK, 41.3464, 21.5542, TIRANA_2024},

    /* The summit in Zagreb, January 2026. */
    {"bursa", "Bursa", "Bursa", TR, 40.1885, 29.0610, ZAGREB_2026},
};

/*
 * The summits held so far, oldest first; each host holds the presidency
 * from its summit on (Istanbul's is the founding presidency). The next
 * summit is the secretariat's to create, or follows from an election.
 */
static const struct demo_summit {
    int64_t year;
    const char *host, *starts_on, *ends_on, *place;
} summits[] = {
    {2021, "istanbul", "2021-11-29", "2021-11-30", "Istanbul"},
    {2023, "athens", "2023-01-22", "2023-01-24", "Athens"},
    {2024, "tirana", "2024-01-29", "2024-01-31", "Tirana"},
    {2025, "sofia", "2025-02-24", "2025-02-25", "Sofia"},
    {2026, "zagreb", "2026-01-25", "2026-01-27", "Zagreb"},
};

/* Adds the demo summits and the term each opens, in the caller's transaction. 0 or -1. */
static int load_summits(struct store *st)
{
    for (size_t i = 0; i < sizeof(summits) / sizeof(summits[0]); i++) {
        const struct demo_summit *d = &summits[i];
        struct summit_new sn = {d->year, d->host, d->starts_on, d->ends_on, d->place};
        int64_t id = 0;
        struct summit_record rec;

        if (store_summit_insert(st, &sn, &id) != 0 || store_summit_get(st, id, &rec) != 0 ||
            store_presidency_add(st, rec.host_city_id, id, 0) != 0) {
            log_error("demo: adding the %lld summit in %s or its presidency failed", (long long)d->year, d->place);
            return -1;
        }
    }
    return 0;
}

const struct demo_city *demo_cities(size_t *n)
{
    *n = sizeof(cities) / sizeof(cities[0]);
    return cities;
}

/* Turns a demo row into a registry city, checking it as if it came from outside. 0 or -1. */
static int to_city(const struct demo_city *d, struct registry_city *c)
{
    memset(c, 0, sizeof(*c));
    if (!membership_code_is_valid(d->code) || !membership_text_is_valid(d->name, 1, MEMBERSHIP_NAME_MAX, false) ||
        !membership_text_is_valid(d->name_local, 1, MEMBERSHIP_NAME_MAX, false) ||
        !membership_country_is_valid(d->country) || !membership_tz_is_valid(d->tz) ||
        !membership_coordinates_are_valid(d->lat, d->lon) || !membership_date_is_valid(d->joined_on) ||
        !membership_joined_name(d->joined_how) || !membership_text_is_valid(d->reason, 1, MEMBERSHIP_REASON_MAX, false))
        return -1;
    snprintf(c->code, sizeof(c->code), "%s", d->code);
    snprintf(c->name, sizeof(c->name), "%s", d->name);
    snprintf(c->name_local, sizeof(c->name_local), "%s", d->name_local);
    snprintf(c->country, sizeof(c->country), "%s", d->country);
    snprintf(c->tz, sizeof(c->tz), "%s", d->tz);
    c->lat = d->lat;
    c->lon = d->lon;
    c->status = MEMBERSHIP_MEMBER;
    c->joined_how = d->joined_how;
    snprintf(c->joined_on, sizeof(c->joined_on), "%s", d->joined_on);
    return 0;
}

int demo_load_network(struct store *st)
{
    const size_t n = sizeof(cities) / sizeof(cities[0]), nsummits = sizeof(summits) / sizeof(summits[0]);
    struct json_object *details = NULL;
    struct registry_city c;
    int64_t existing = 0;
    int rc = -1;
    size_t founding = 0;

    if (store_begin(st) != 0)
        return -1;
    if (store_city_count(st, &existing) != 0)
        goto out;
    if (existing > 0) {
        log_error("demo: the registry already holds %lld cities; the demo network loads only into an empty one",
                  (long long)existing);
        rc = -2;
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        if (to_city(&cities[i], &c) != 0) {
            log_error("demo: the demo city '%s' is malformed", cities[i].code);
            goto out;
        }
        if (store_city_insert(st, &c, cities[i].joined_on, cities[i].reason, 0, NULL) != 0) {
            log_error("demo: adding '%s' failed", cities[i].code);
            goto out;
        }
        founding += cities[i].joined_how == MEMBERSHIP_JOINED_FOUNDING_SUMMIT;
    }
    if (load_summits(st) != 0 || store_demo_mark(st) != 0)
        goto out;
    details = json_object_new_object();
    if (!details)
        goto out;
    json_object_object_add(details, "cities", json_object_new_int64((int64_t)n));
    json_object_object_add(details, "founding", json_object_new_int64((int64_t)founding));
    json_object_object_add(details, "summits", json_object_new_int64((int64_t)nsummits));
    json_object_object_add(details, "presidencies", json_object_new_int64((int64_t)nsummits));
    if (store_history_add(st, 0, "demo.load", "registry",
                          json_object_to_json_string_ext(details, JSON_C_TO_STRING_PLAIN)) != 0)
        goto out;
    rc = store_commit(st);
out:
    json_object_put(details);
    if (rc != 0)
        store_rollback(st);
    return rc;
}

/* ---- the demo working groups ---- */

/* Which demo cities are members of each founding group. */
static const struct demo_group {
    const char *code;
    const char *cities[12];
} demo_groups[] = {
    {"climate", {"athens", "thessaloniki", "tirana", "sofia", "zagreb", "istanbul", "izmir", "split", "skopje", "burgas",
                 "mytilene"}},
    {"democracy-migration",
     {"istanbul", "athens", "mytilene", "sarajevo", "belgrade", "pristina", "edirne", "kardzhali", "sofia", "zagreb"}},
    {"smart-cities", {"istanbul", "zagreb", "sofia", "belgrade", "tirana", "podgorica", "plovdiv", "bursa", "athens"}},
    {"economy", {"istanbul", "athens", "sofia", "tirana", "skopje", "sarajevo", "tekirdag", "burgas", "durres",
                 "zagreb"}},
};

/* The groups that held last quarter's session (democracy-migration did not: it is overdue). */
static const char *const demo_held[] = {"climate", "smart-cities", "economy"};

struct person_pick {
    int64_t city_id;
    int64_t official, mayor, deputy;
};

static int pick_person(void *ctx, const struct store_person *p)
{
    struct person_pick *k = ctx;

    if (!p->active || p->city_id != k->city_id)
        return 0;
    if ((p->roles & ROLE_OFFICIAL) && !k->official)
        k->official = p->id;
    if ((p->roles & ROLE_MAYOR) && !k->mayor)
        k->mayor = p->id;
    if ((p->roles & ROLE_DEPUTY) && !k->deputy)
        k->deputy = p->id;
    return 0;
}

/* A demo city's person who speaks for it in the groups (created when it has none). 0 on failure. */
static int64_t demo_delegate(struct store *st, int64_t city_id, const char *code)
{
    struct person_pick k = {city_id, 0, 0, 0};
    struct registry_city c;
    char name[128];
    int64_t id = 0;

    if (store_person_each(st, pick_person, &k) != 0)
        return 0;
    if (k.official || k.mayor || k.deputy)
        return k.official ? k.official : k.mayor ? k.mayor : k.deputy;
    if (store_city_find(st, code, &c) != 0)
        return 0;
    snprintf(name, sizeof(name), "Working-group delegate of %.90s", c.name);
    if (store_begin(st) != 0)
        return 0;
    if (store_person_add(st, name, city_id, ROLE_OFFICIAL, &id) != 0 ||
        store_history_add(st, 0, "person.create", "person", "{\"by\":\"b40 init --demo\"}") != 0 ||
        store_commit(st) != 0) {
        store_rollback(st);
        return 0;
    }
    return id;
}

static int64_t demo_city_id(struct store *st, const char *code)
{
    int64_t id = 0;
    char status[16];

    return store_city_lookup(st, code, &id, status) == 0 ? id : 0;
}

/* The members and their delegates. 0 or -1. */
static int demo_members(struct store *st, int64_t now_ms, size_t *joined)
{
    for (size_t i = 0; i < sizeof(demo_groups) / sizeof(demo_groups[0]); i++) {
        struct group_record g;

        if (store_group_find(st, demo_groups[i].code, &g) != 0)
            return -1;
        for (size_t k = 0; k < 12 && demo_groups[i].cities[k]; k++) {
            const char *code = demo_groups[i].cities[k];
            int64_t city = demo_city_id(st, code), delegate;

            if (!city || store_group_join(st, g.id, city, 0, now_ms) < 0 ||
                !(delegate = demo_delegate(st, city, code)) ||
                store_group_set_delegate(st, g.id, city, delegate, 0, now_ms) != 0) {
                log_error("demo: %s could not join %s with a delegate", code, g.code);
                return -1;
            }
            (*joined)++;
        }
    }
    return 0;
}

/* The regular session of quarter p that group `code` held (scheduled, opened, closed). Its id, or 0. */
static int64_t demo_held_session(struct store *st, const char *code, struct groups_quarter p)
{
    struct group_session *s = calloc(1, sizeof(*s));
    struct group_record g;
    int64_t id = 0;

    if (!s || store_group_find(st, code, &g) != 0 ||
        groups_plan_session(p, groups_quarter_start_ms(p) - GROUPS_PLAN_NOTICE_MS, NULL, &s->starts_at_ms,
                            &s->ends_at_ms) != 0)
        goto out;
    s->group_id = g.id;
    snprintf(s->kind, sizeof(s->kind), "regular");
    groups_quarter_name(p, s->quarter);
    snprintf(s->title, sizeof(s->title), "Quarterly session, %s", s->quarter);
    snprintf(s->video_url, sizeof(s->video_url), "https://meet.jit.si/B40-%s-%s", g.code, s->quarter);
    snprintf(s->agenda_json, sizeof(s->agenda_json),
             "[\"Opening\",\"Reports of the member cities\",\"Recommendations\",\"Any other business\"]");
    if (store_session_schedule(st, s, 0, s->starts_at_ms - GROUPS_PLAN_NOTICE_MS, &id) != 0 ||
        store_session_set_state(st, id, "live", 0, s->starts_at_ms) != 0 ||
        store_session_set_state(st, id, "closed", 0, s->ends_at_ms) != 0)
        id = 0;
out:
    free(s);
    return id;
}

/* A recommendation adopted at `session` of `code`, with the follow-up two cities reported at now_ms. 0 or -1. */
static int demo_recommendation(struct store *st, const char *code, int64_t session, int64_t now_ms)
{
    static const char text[] = "Each member city adopts a local heat action plan, with cooling centres open to "
                               "everyone, before the summer of 2027.";
    struct person_pick athens = {demo_city_id(st, "athens"), 0, 0, 0}, tirana = {demo_city_id(st, "tirana"), 0, 0, 0};
    struct group_session *s = malloc(sizeof(*s));
    struct group_record g;
    char today[MEMBERSHIP_DATE_LEN + 1];
    int64_t rec = 0, adopted;

    if (!s || store_session_get(st, session, s) != 0) {
        free(s);
        return -1;
    }
    adopted = s->ends_at_ms;
    free(s);
    if (store_group_find(st, code, &g) != 0 || membership_date_from_ms(now_ms, today) != 0 || store_begin(st) != 0)
        return -1;
    if (store_recommendation_add(st, g.id, session, 0, text, adopted, &rec) != 0 ||
        store_history_add(st, 0, "recommendation.adopt", "group:climate", "{\"by\":\"b40 init --demo\"}") != 0 ||
        store_commit(st) != 0) {
        store_rollback(st);
        return -1;
    }
    if (store_person_each(st, pick_person, &athens) != 0 || store_person_each(st, pick_person, &tirana) != 0)
        return -1;
    if (store_followup_add(st, rec, athens.city_id, "in_progress",
                           "Two cooling centres are open; the plan goes to the city council in January.", today,
                           athens.mayor, now_ms, NULL) != 0 ||
        store_followup_add(st, rec, tirana.city_id, "planned", "In the 2027 budget.", today,
                           tirana.official ? tirana.official : tirana.mayor, now_ms, NULL) != 0)
        return -1;
    return 0;
}

/* An open time poll on the smart-cities session of the quarter after now's, marked by Athens and Zagreb. 0 or -1. */
static int demo_time_poll(struct store *st, int64_t now_ms)
{
    struct person_pick athens = {demo_city_id(st, "athens"), 0, 0, 0}, zagreb = {demo_city_id(st, "zagreb"), 0, 0, 0};
    struct group_session *list = NULL;
    struct group_record g;
    struct groups_quarter q;
    char next[8];
    size_t n = 0;
    int rc = 0;

    if (store_group_find(st, "smart-cities", &g) != 0 || groups_quarter_of(now_ms, &q) != 0 ||
        store_session_list(st, g.id, &list, &n) != 0)
        return -1;
    groups_quarter_name(groups_quarter_next(q), next);
    for (size_t i = 0; i < n; i++) {
        const struct group_session *s = &list[i];
        int64_t starts[3] = {s->starts_at_ms, s->starts_at_ms + 5 * 3600000LL, s->starts_at_ms + 7 * 86400000LL};
        int64_t ends[3] = {s->ends_at_ms, s->ends_at_ms + 5 * 3600000LL, s->ends_at_ms + 7 * 86400000LL};
        int64_t poll = 0, m1[] = {1, 2}, m2[] = {2, 3};

        if (strcmp(s->quarter, next) || strcmp(s->kind, "regular") || strcmp(s->state, "scheduled"))
            continue;
        if (store_person_each(st, pick_person, &athens) != 0 || store_person_each(st, pick_person, &zagreb) != 0 ||
            store_timepoll_create(st, s->id, starts, ends, 3, 0, now_ms, &poll) != 0 ||
            (athens.mayor && store_timepoll_mark(st, poll, athens.city_id, m1, 2, athens.mayor, now_ms) != 0) ||
            (zagreb.mayor && store_timepoll_mark(st, poll, zagreb.city_id, m2, 2, zagreb.mayor, now_ms) != 0))
            rc = -1;
        break;
    }
    free(list);
    return rc;
}

int demo_load_groups(struct store *st, int64_t now_ms)
{
    struct group_term term;
    struct groups_quarter q, p;
    struct json_object *d;
    size_t joined = 0, planned = 0, held = 0;
    int64_t climate_session = 0;
    int rc;

    if (demo_members(st, now_ms, &joined) != 0)
        return -1;
    if ((rc = store_group_term(st, now_ms, &term)) < 0 ||
        (rc == 0 && store_session_plan_term(st, &term, now_ms, 0, &planned) != 0)) {
        log_error("demo: planning the term's sessions failed");
        return -1;
    }
    if (groups_quarter_of(now_ms, &q) != 0)
        return -1;
    p = groups_quarter_prev(q);
    for (size_t i = 0; i < sizeof(demo_held) / sizeof(demo_held[0]); i++) {
        int64_t id = demo_held_session(st, demo_held[i], p);
        if (!id) {
            log_error("demo: the past session of %s could not be recorded", demo_held[i]);
            return -1;
        }
        if (!strcmp(demo_held[i], "climate"))
            climate_session = id;
        held++;
    }
    if (demo_recommendation(st, "climate", climate_session, now_ms) != 0 ||
        demo_time_poll(st, now_ms) != 0) {
        log_error("demo: the recommendation or the time poll could not be recorded");
        return -1;
    }
    d = json_object_new_object();
    if (d) {
        json_object_object_add(d, "memberships", json_object_new_int64((int64_t)joined));
        json_object_object_add(d, "planned", json_object_new_int64((int64_t)planned));
        json_object_object_add(d, "held", json_object_new_int64((int64_t)held));
    }
    if (store_begin(st) != 0)
        return -1;
    if (store_history_add(st, 0, "demo.groups", "groups",
                          d ? json_object_to_json_string_ext(d, JSON_C_TO_STRING_PLAIN) : "{}") != 0 ||
        store_commit(st) != 0) {
        store_rollback(st);
        json_object_put(d);
        return -1;
    }
    json_object_put(d);
    return 0;
}
