/*
 * identity: who is who, and the exact bytes that people sign to prove it.
 * Plain C over plain structs, no socket and no database: roles, the text
 * statements of docs/identity.md (enrollment, key binding, login, key
 * revocation), and their checks with libsodium. Any thread.
 *
 * Every statement is UTF-8 text: a first line naming its kind and version,
 * then "name: value" lines in a fixed order, each ending in "\n". The
 * server builds the statement it expects from checked fields and compares
 * it byte for byte with what the client sent before verifying the Ed25519
 * signature over exactly those bytes.
 */
#ifndef B40_IDENTITY_H
#define B40_IDENTITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IDENTITY_NETWORK "b40-balkan-cities"
#define IDENTITY_CODE_BYTES 16        /* an enrollment code: 128 random bits */
#define IDENTITY_CODE_LEN 22          /* as base64url without padding */
#define IDENTITY_ENROLLMENT_ID_LEN 32 /* 16 random bytes as lower-case hex */
#define IDENTITY_CHALLENGE_BYTES 32
#define IDENTITY_CHALLENGE_TTL_MS 60000
#define IDENTITY_ENROLLMENT_MAX_TTL_MS (14LL * 24 * 3600 * 1000)
#define IDENTITY_STATEMENT_MAX 1024

/* Roles, as a bit set. The secretariat's people are secretary or expert;
 * a city's are mayor, deputy (acts for the mayor) or official. */
enum identity_role {
    ROLE_SECRETARY = 1 << 0,
    ROLE_EXPERT = 1 << 1,
    ROLE_MAYOR = 1 << 2,
    ROLE_DEPUTY = 1 << 3,
    ROLE_OFFICIAL = 1 << 4,
};
#define ROLES_SECRETARIAT (ROLE_SECRETARY | ROLE_EXPERT)
#define ROLES_CITY (ROLE_MAYOR | ROLE_DEPUTY | ROLE_OFFICIAL)
#define ROLES_CITY_VOTE (ROLE_MAYOR | ROLE_DEPUTY) /* may cast the city's summit vote */

/*
 * Parses "mayor" or "deputy,official" (comma-separated, any order, no
 * repeats, no spaces) into a bit set. Returns the set, or 0 when invalid.
 */
unsigned identity_roles_parse(const char *text);

/* The name of one role bit ("mayor"), or NULL. */
const char *identity_role_name(unsigned bit);

/* Writes the canonical text of a role set (sorted by the enum's order) into out. 0 or -1. */
int identity_roles_format(unsigned roles, char *out, size_t outlen);

/*
 * A role set fits an affiliation: secretariat people (city_id 0) only
 * secretary/expert, city people only mayor/deputy/official; never empty.
 */
bool identity_roles_fit(unsigned roles, bool is_secretariat);

/* Hex and code helpers. Each returns 0, or -1 on a malformed input. */
int identity_hex_decode(const char *hex, uint8_t *out, size_t outlen); /* exactly 2*outlen lower-case hex digits; outlen <= 256 */
void identity_hex_encode(const uint8_t *in, size_t len, char *out);    /* out holds 2*len+1 */
int identity_code_hash(const char *code, uint8_t sha256[32]);          /* code: 22 base64url chars */
/* Makes a fresh random code (22 base64url chars + NUL) and its SHA-256. Returns 0. */
int identity_code_make(char out[IDENTITY_CODE_LEN + 1], uint8_t sha256[32]);

/* Ed25519 public key check: a canonical encoding of a valid point, not of small order. */
bool identity_key_is_acceptable(const uint8_t public_key[32]);

/* Verifies sig over msg[0..len) with public_key. */
bool identity_verify(const uint8_t public_key[32], const char *msg, size_t len, const uint8_t sig[64]);

/* The fields of an enrollment statement (signed by its creator). */
struct identity_enrollment {
    char id[IDENTITY_ENROLLMENT_ID_LEN + 1];
    int64_t person_id;
    char name[101];
    char affiliation[33]; /* a city code, or "secretariat" */
    unsigned roles;
    uint8_t code_sha256[32];
    int64_t expires_ms;
    uint8_t signer[32];
};

/*
 * Each *_statement function writes the canonical statement into out
 * (IDENTITY_STATEMENT_MAX bytes) and returns its length, or -1.
 */
int identity_enrollment_statement(const struct identity_enrollment *e, char *out);

/* Signed by the new key when it is bound to the person of an enrollment. */
int identity_binding_statement(const char *enrollment_id, const char *code, const uint8_t public_key[32],
                               const char *origin, const uint8_t challenge[IDENTITY_CHALLENGE_BYTES], char *out);

/* Signed by a person's key to sign in on a connection. */
int identity_login_statement(const char *origin, const uint8_t challenge[IDENTITY_CHALLENGE_BYTES],
                             const uint8_t public_key[32], char *out);

/* Signed by the secretariat member who revokes a key. */
int identity_revocation_statement(const uint8_t public_key[32], int64_t person_id, const char *reason,
                                  int64_t revoked_ms, const uint8_t signer[32], char *out);

/*
 * Compares a statement received from a client with the expected one.
 * Returns 0 when identical; otherwise the 1-based number of the first line
 * that differs (for the error message).
 */
int identity_statement_diff(const char *expected, size_t elen, const char *got, size_t glen);

#endif
