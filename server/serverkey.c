/*
 * serverkey: the server's Ed25519 key and its file. See
 * include/b40/serverkey.h. The seed and the expanded secret key live only
 * in sodium_malloc'd memory (guard pages, wiped on free).
 */
#include "b40/serverkey.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#define KEYFILE_HEADER "b40-server-key-v1\n"
#define KEYFILE_LEN (sizeof(KEYFILE_HEADER) - 1 + 64 + 1)

struct serverkey {
    uint8_t public_key[crypto_sign_PUBLICKEYBYTES];
    uint8_t secret_key[crypto_sign_SECRETKEYBYTES];
};

int serverkey_path(const char *db_path, char *out, size_t outlen)
{
    int n = snprintf(out, outlen, "%s.key", db_path);

    return n < 0 || (size_t)n >= outlen ? -1 : 0;
}

static struct serverkey *key_from_seed(const uint8_t seed[crypto_sign_SEEDBYTES])
{
    struct serverkey *k = sodium_malloc(sizeof(*k));

    if (k && crypto_sign_seed_keypair(k->public_key, k->secret_key, seed) != 0) {
        sodium_free(k);
        k = NULL;
    }
    return k;
}

int serverkey_create(struct serverkey **out, const char *path, char *err, size_t errlen)
{
    uint8_t *seed = NULL;
    char *text = NULL;
    size_t hlen = sizeof(KEYFILE_HEADER) - 1;
    int fd = -1, rc = -1;

    *out = NULL;
    if (sodium_init() < 0) {
        snprintf(err, errlen, "libsodium could not be initialised");
        return -1;
    }
    seed = sodium_malloc(crypto_sign_SEEDBYTES);
    text = sodium_malloc(KEYFILE_LEN + 1);
    if (!seed || !text) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    randombytes_buf(seed, crypto_sign_SEEDBYTES);
    memcpy(text, KEYFILE_HEADER, hlen);
    sodium_bin2hex(text + hlen, 65, seed, crypto_sign_SEEDBYTES);
    text[hlen + 64] = '\n';
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        snprintf(err, errlen, "cannot create key file %s: %s", path, strerror(errno));
        goto out;
    }
    if (fchmod(fd, 0600) != 0 || write(fd, text, KEYFILE_LEN) != (ssize_t)KEYFILE_LEN || fsync(fd) != 0) {
        snprintf(err, errlen, "cannot write key file %s: %s", path, strerror(errno));
        unlink(path);
        goto out;
    }
    *out = key_from_seed(seed);
    if (!*out) {
        snprintf(err, errlen, "cannot derive the key pair");
        unlink(path);
        goto out;
    }
    rc = 0;
out:
    if (fd >= 0)
        close(fd);
    sodium_free(seed);
    sodium_free(text);
    return rc;
}

int serverkey_load(struct serverkey **out, const char *path, char *err, size_t errlen)
{
    uint8_t *seed = NULL;
    char *text = NULL;
    size_t hlen = sizeof(KEYFILE_HEADER) - 1, seed_len = 0;
    struct stat sb;
    ssize_t n;
    int fd = -1, rc = -1;

    *out = NULL;
    if (sodium_init() < 0) {
        snprintf(err, errlen, "libsodium could not be initialised");
        return -1;
    }
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        snprintf(err, errlen, "cannot open the server key %s: %s", path, strerror(errno));
        return -1;
    }
    seed = sodium_malloc(crypto_sign_SEEDBYTES);
    text = sodium_malloc(KEYFILE_LEN + 2);
    if (!seed || !text) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        snprintf(err, errlen, "the server key %s is not a regular file", path);
        goto out;
    }
    if (sb.st_mode & (S_IRWXG | S_IRWXO)) {
        snprintf(err, errlen, "the server key %s can be read or written by others (mode %04o); run: chmod 600 %s",
                 path, (unsigned)(sb.st_mode & 07777), path);
        goto out;
    }
    n = read(fd, text, KEYFILE_LEN + 1);
    if (n != (ssize_t)KEYFILE_LEN || memcmp(text, KEYFILE_HEADER, hlen) != 0 || text[KEYFILE_LEN - 1] != '\n' ||
        sodium_hex2bin(seed, crypto_sign_SEEDBYTES, text + hlen, 64, NULL, &seed_len, NULL) != 0 ||
        seed_len != crypto_sign_SEEDBYTES) {
        snprintf(err, errlen, "the server key %s is malformed", path);
        goto out;
    }
    *out = key_from_seed(seed);
    if (!*out) {
        snprintf(err, errlen, "cannot derive the key pair");
        goto out;
    }
    rc = 0;
out:
    close(fd);
    sodium_free(seed);
    sodium_free(text);
    return rc;
}

const uint8_t *serverkey_public(const struct serverkey *key)
{
    return key->public_key;
}

int serverkey_sign(const struct serverkey *key, const uint8_t *msg, size_t len, uint8_t sig[64])
{
    return crypto_sign_detached(sig, NULL, msg, len, key->secret_key);
}

void serverkey_free(struct serverkey *key)
{
    sodium_free(key); /* wipes before freeing */
}
