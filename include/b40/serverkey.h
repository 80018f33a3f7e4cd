/*
 * serverkey: the server's Ed25519 signing key, which later signs receipts,
 * poll fingerprints, chain heads and minutes. The secret is a 32-byte seed
 * kept in a file beside the database (DB_PATH ".key", mode 0600, owner
 * only) so that copies and exports of the database never carry it; the
 * database records the public key. The seed lives in sodium_malloc'd memory
 * and is wiped on free. Nothing here ever logs key material.
 *
 * File format (text): the line "b40-server-key-v1", then the seed as 64
 * lower-case hex digits on one line.
 */
#ifndef B40_SERVERKEY_H
#define B40_SERVERKEY_H

#include <stddef.h>
#include <stdint.h>

struct serverkey;

/* Writes the key file's path for a database path into out; -1 if it does not fit. */
int serverkey_path(const char *db_path, char *out, size_t outlen) __attribute__((warn_unused_result));

/*
 * Generates a new key and writes it to `path`, which must not exist
 * (O_EXCL, mode 0600). On success sets *out (free with serverkey_free).
 * Returns 0, or -1 with a message in err.
 */
int serverkey_create(struct serverkey **out, const char *path, char *err, size_t errlen)
    __attribute__((warn_unused_result));

/*
 * Loads the key at `path`. Refuses a file that group or others can read or
 * write, or that is malformed. Returns 0, or -1 with a message in err.
 */
int serverkey_load(struct serverkey **out, const char *path, char *err, size_t errlen)
    __attribute__((warn_unused_result));

/* The 32-byte public key. Borrowed; valid until serverkey_free. */
const uint8_t *serverkey_public(const struct serverkey *key);

/* Signs msg into sig[64] (detached Ed25519). Returns 0 or -1. */
int serverkey_sign(const struct serverkey *key, const uint8_t *msg, size_t len, uint8_t sig[64])
    __attribute__((warn_unused_result));

/* Wipes and frees. NULL is allowed. */
void serverkey_free(struct serverkey *key);

#endif
