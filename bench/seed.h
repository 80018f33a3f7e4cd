/*
 * seed: what b40-bench writes into a fresh database (made by `b40 init`)
 * while the server is NOT running: the synthetic member cities with their
 * status history and their mayors, and, only when the server does not
 * answer summit.create, the summit and its attendance. Everything else
 * (enrollments, keys, sign-ins, the election, the ballots) goes through
 * the real protocol. The bench's thread only.
 */
#ifndef B40_BENCH_SEED_H
#define B40_BENCH_SEED_H

#include <stddef.h>
#include <stdint.h>

/* The code of synthetic city i (0-based): "bench-00001" for i = 0. out holds 16 bytes. */
void seed_city_code(size_t i, char out[16]);

/* The name of the mayor of synthetic city i, as the people row holds it. out holds 64 bytes. */
void seed_mayor_name(size_t i, char out[64]);

/*
 * Adds n member cities (seed_city_code(0..n-1), country XK) with a status
 * history row each, and one mayor each; writes the mayors' person ids into
 * person_ids[n]. One transaction. 0, or -1 (printed to stderr).
 */
int seed_cities(const char *db_path, size_t n, int64_t *person_ids) __attribute__((warn_unused_result));

/*
 * Adds a summit (year, hosted by city 0, starts_on..ends_on) and checks in
 * the n cities at the desk. One transaction. 0 with *summit_id set, or -1.
 */
int seed_summit(const char *db_path, int year, const char *starts_on, const char *ends_on, size_t n,
                int64_t *summit_id) __attribute__((warn_unused_result));

#endif
