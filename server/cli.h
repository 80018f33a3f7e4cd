/*
 * cli: the `b40` subcommands beyond init and serve, one function each,
 * called by main with argv starting at the command's name. Each returns the
 * process exit code: 0 done, 1 failed (said why on stderr), 2 usage error.
 */
#ifndef B40_CLI_H
#define B40_CLI_H

int cli_city(int argc, char **argv);   /* cli_registry.c: b40 city list|show */
int cli_person(int argc, char **argv); /* cli_identity.c: b40 person list|add */
int cli_enroll(int argc, char **argv); /* cli_identity.c: b40 enroll */

#include <stddef.h>
#include <stdint.h>

struct store;
struct serverkey;

/*
 * Makes an enrollment for a person signed by the server key, records it (with
 * its history entry) in one transaction, and writes the link
 * BASE_URL/enroll#CODE into link. Returns 0, or -1 after saying why on stderr.
 */
int cli_enroll_link(struct store *st, const struct serverkey *key, int64_t person_id, const char *base_url,
                    int64_t ttl_ms, char *link, size_t linklen);

extern const char cli_city_usage[];
extern const char cli_person_usage[];
extern const char cli_enroll_usage[];

#endif
