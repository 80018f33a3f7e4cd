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

extern const char cli_city_usage[];
extern const char cli_person_usage[];
extern const char cli_enroll_usage[];

#endif
