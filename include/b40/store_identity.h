/*
 * store_identity: people, enrollments and browser-held keys in the
 * database (schema version 2). Primitive reads and writes only: the caller
 * (api_identity.c, the command line) groups writes in one transaction with
 * store_begin/store_commit and appends the history entry in the same
 * transaction. Statements prepared once; service thread only.
 */
#ifndef B40_STORE_IDENTITY_H
#define B40_STORE_IDENTITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "b40/identity.h"

struct store;

/* What authorization needs to know about a session, read fresh on every message. */
struct identity_session {
    bool key_active;
    bool person_active;
    unsigned roles;
    int64_t city_id; /* 0: the secretariat */
    int64_t epoch;   /* the identity epoch these facts were read at (store_identity_epoch) */
};

/* Returns 0 and fills out, 1 when the person or key does not exist (or do not belong together), -1 on error. */
/*
 * The identity epoch: a count that every change to a person or a key raises,
 * whoever writes it (triggers). Facts read at an epoch that is still the
 * current one are still true. 0 or -1.
 */
int store_identity_epoch(struct store *st, int64_t *epoch) __attribute__((warn_unused_result));

int store_session_check(struct store *st, int64_t person_id, int64_t key_id, struct identity_session *out)
    __attribute__((warn_unused_result));

struct store_person {
    int64_t id;
    char name[101];
    int64_t city_id;      /* 0: the secretariat */
    char affiliation[33]; /* the city's code, or "secretariat" */
    unsigned roles;
    bool active;
    int64_t created_ms;
};

/* Adds a person; *id_out gets the id. 0 or -1. */
int store_person_add(struct store *st, const char *name, int64_t city_id, unsigned roles, int64_t *id_out)
    __attribute__((warn_unused_result));

/* 0 found, 1 not found, -1 error. */
int store_person_get(struct store *st, int64_t id, struct store_person *out) __attribute__((warn_unused_result));

/* Calls fn for every person in id order; stops early (returning fn's value) when fn returns non-zero. -1 on error. */
int store_person_each(struct store *st, int (*fn)(void *ctx, const struct store_person *p), void *ctx)
    __attribute__((warn_unused_result));

/* The city with this code: 0 found (*city_id, status text copied), 1 not found, -1 error. */
int store_city_lookup(struct store *st, const char *code, int64_t *city_id, char status[16])
    __attribute__((warn_unused_result));

struct store_enrollment {
    char id[IDENTITY_ENROLLMENT_ID_LEN + 1];
    int64_t person_id;
    int64_t expires_ms;
    int64_t used_ms; /* 0: unused */
};

/* Records an enrollment with its signed statement. 0, 1 when the id or code hash exists already, -1 error. */
int store_enrollment_add(struct store *st, const struct identity_enrollment *e, int64_t created_by,
                         const char *statement, size_t statement_len, const uint8_t signature[64])
    __attribute__((warn_unused_result));

/* 0 found, 1 not found, -1 error. */
int store_enrollment_by_code_hash(struct store *st, const uint8_t code_sha256[32], struct store_enrollment *out)
    __attribute__((warn_unused_result));

/* Marks it used at now_ms. 0, 1 when it was already used (nothing changed), -1 error. */
int store_enrollment_use(struct store *st, const char *id, int64_t now_ms) __attribute__((warn_unused_result));

/* Calls fn for each enrollment of a person, newest first. */
int store_enrollment_each(struct store *st, int64_t person_id,
                          int (*fn)(void *ctx, const struct store_enrollment *e), void *ctx)
    __attribute__((warn_unused_result));

struct store_key {
    int64_t id;
    int64_t person_id;
    uint8_t public_key[32];
    char device[65];
    int64_t created_ms;
    int64_t revoked_ms; /* 0: active */
};

/* Binds a key. 0 (and *key_id), 1 when the key or the enrollment is bound already, -1 error. */
int store_key_add(struct store *st, int64_t person_id, const uint8_t public_key[32], const char *enrollment_id,
                  const char *device, const char *statement, size_t statement_len, const uint8_t signature[64],
                  int64_t now_ms, int64_t *key_id) __attribute__((warn_unused_result));

/* By public key or by id: 0 found, 1 not found, -1 error. */
int store_key_find(struct store *st, const uint8_t public_key[32], struct store_key *out)
    __attribute__((warn_unused_result));
int store_key_get(struct store *st, int64_t key_id, struct store_key *out) __attribute__((warn_unused_result));

/* Calls fn for each key of a person, oldest first. */
int store_key_each(struct store *st, int64_t person_id, int (*fn)(void *ctx, const struct store_key *k), void *ctx)
    __attribute__((warn_unused_result));

/* Revokes an active key, keeping its record. 0, 1 when already revoked, -1 error. */
int store_key_revoke(struct store *st, int64_t key_id, int64_t now_ms, int64_t by_person, const char *statement,
                     size_t statement_len, const uint8_t signature[64]) __attribute__((warn_unused_result));

#endif
