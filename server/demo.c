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
#include <string.h>

#include <json-c/json.h>

#include "b40/log.h"
#include "b40/membership.h"
#include "b40/store.h"
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
