/*
 * demo: the demo network: the B40 cities as publicly reported, with the
 * dates and the ways they joined, so that a fresh server has a registry to
 * show and to test against. Real public facts only (city names, countries,
 * time zones, coordinates, summit dates); no person's name. Service thread
 * or command line, like the store it writes to.
 */
#ifndef B40_DEMO_H
#define B40_DEMO_H

#include <stddef.h>

#include "b40/store_registry.h"

struct store;

/* One city of the demo network, with its joining. */
struct demo_city {
    const char *code, *name, *name_local, *country, *tz;
    double lat, lon;
    enum membership_joined joined_how;
    const char *joined_on; /* YYYY-MM-DD */
    const char *reason;    /* the first status history row's reason */
};

/* The demo cities, in the order they are loaded; *n is set to their number. Static data. */
const struct demo_city *demo_cities(size_t *n);

/*
 * Loads the demo network into a store whose registry is empty: every city
 * as a member with its first status row, the summits held so far (Istanbul
 * 2021, Athens 2023, Tirana 2024, Sofia 2025, Zagreb 2026) each with the
 * presidency term its host holds from it, meta 'demo' = '1', and one
 * history entry "demo.load" (actor: the operator), all in one transaction.
 * Returns 0; -2 when the registry already holds a city (nothing is
 * changed); -1 on failure (logged; nothing is changed).
 */
int demo_load_network(struct store *st) __attribute__((warn_unused_result));

/*
 * Loads the demo working groups into a store that holds the demo network
 * (and, to serve as delegates, the demo people of `b40 init --demo`), as
 * seen at now_ms: demo cities join the four founding groups; each names a
 * delegate (its official, mayor or deputy among the demo people, else a new
 * "Working-group delegate of CITY" official, no real name); the current
 * term's quarterly sessions are planned; the climate, smart-cities and
 * economy groups held their regular session of the last quarter (closed;
 * the climate one adopted a recommendation, with two cities' follow-up),
 * so that democracy-migration is overdue; and the smart-cities session of
 * the next quarter has an open time poll of three slots that two cities
 * have marked. Each step is its own transaction, with a last history entry
 * "demo.groups". Returns 0, or -1 on failure (logged; the steps done stay).
 */
int demo_load_groups(struct store *st, int64_t now_ms) __attribute__((warn_unused_result));

#endif
