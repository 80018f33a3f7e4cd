/*
 * identity: roles, the canonical statements of docs/identity.md, and their
 * checks. Pure functions over plain structs and libsodium; any thread. See
 * include/b40/identity.h.
 */
#include "b40/identity.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "b40/timeutil.h"

static const char *const role_names[] = {"secretary", "expert", "mayor", "deputy", "official"};
#define ROLE_COUNT (sizeof(role_names) / sizeof(role_names[0]))

unsigned identity_roles_parse(const char *text)
{
    unsigned roles = 0;
    const char *p = text;

    if (!text || !*text)
        return 0;
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        unsigned bit = 0;
        for (size_t i = 0; i < ROLE_COUNT; i++)
            if (strlen(role_names[i]) == n && !memcmp(role_names[i], p, n))
                bit = 1u << i;
        if (!bit || (roles & bit))
            return 0; /* unknown or repeated */
        roles |= bit;
        if (!comma)
            return roles;
        p = comma + 1;
    }
}

int identity_roles_format(unsigned roles, char *out, size_t outlen)
{
    size_t used = 0;

    if (!outlen)
        return -1;
    out[0] = '\0';
    for (size_t i = 0; i < ROLE_COUNT; i++) {
        if (!(roles & (1u << i)))
            continue;
        int n = snprintf(out + used, outlen - used, "%s%s", used ? "," : "", role_names[i]);
        if (n < 0 || (size_t)n >= outlen - used)
            return -1;
        used += (size_t)n;
    }
    return used ? 0 : -1;
}

const char *identity_role_name(unsigned bit)
{
    for (size_t i = 0; i < ROLE_COUNT; i++)
        if (bit == 1u << i)
            return role_names[i];
    return NULL;
}

bool identity_roles_fit(unsigned roles, bool is_secretariat)
{
    if (!roles || (roles & ~(unsigned)(ROLES_SECRETARIAT | ROLES_CITY)))
        return false;
    return is_secretariat ? !(roles & ROLES_CITY) : !(roles & ROLES_SECRETARIAT);
}

/* The value of a lower-case hex digit, or -1 (upper case too: one text form per value). */
static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

int identity_hex_decode(const char *hex, uint8_t *out, size_t outlen)
{
    /* one pass (it runs three times a ballot): out is written only once the whole text is good */
    uint8_t buf[256];
    size_t i;

    if (outlen > sizeof(buf))
        return -1;
    for (i = 0; i < outlen; i++) {
        int hi = hex_digit(hex[2 * i]), lo = hi < 0 ? -1 : hex_digit(hex[2 * i + 1]);
        if (lo < 0)
            return -1;
        buf[i] = (uint8_t)(hi << 4 | lo);
    }
    if (hex[2 * outlen] != '\0')
        return -1;
    memcpy(out, buf, outlen);
    return 0;
}

void identity_hex_encode(const uint8_t *in, size_t len, char *out)
{
    sodium_bin2hex(out, 2 * len + 1, in, len);
}

int identity_code_hash(const char *code, uint8_t sha256[32])
{
    uint8_t raw[IDENTITY_CODE_BYTES];
    size_t raw_len = 0;

    if (strlen(code) != IDENTITY_CODE_LEN ||
        sodium_base642bin(raw, sizeof(raw), code, IDENTITY_CODE_LEN, NULL, &raw_len, NULL,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
        raw_len != IDENTITY_CODE_BYTES)
        return -1;
    /* 22 characters carry 132 bits: the last one must have its 4 unused bits clear (one spelling per code) */
    {
        char again[IDENTITY_CODE_LEN + 1];
        sodium_bin2base64(again, sizeof(again), raw, sizeof(raw), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
        if (strcmp(again, code) != 0)
            return -1;
    }
    crypto_hash_sha256(sha256, (const uint8_t *)code, IDENTITY_CODE_LEN);
    return 0;
}

int identity_code_make(char out[IDENTITY_CODE_LEN + 1], uint8_t sha256[32])
{
    uint8_t raw[IDENTITY_CODE_BYTES];

    randombytes_buf(raw, sizeof(raw));
    sodium_bin2base64(out, IDENTITY_CODE_LEN + 1, raw, sizeof(raw), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof(raw));
    crypto_hash_sha256(sha256, (const uint8_t *)out, IDENTITY_CODE_LEN);
    return 0;
}

bool identity_key_is_acceptable(const uint8_t public_key[32])
{
    /* is_valid_point refuses non-canonical encodings, points off the curve and small-order points */
    return crypto_core_ed25519_is_valid_point(public_key) == 1;
}

bool identity_verify(const uint8_t public_key[32], const char *msg, size_t len, const uint8_t sig[64])
{
    return crypto_sign_verify_detached(sig, (const uint8_t *)msg, len, public_key) == 0;
}

/* Appends formatted text to a statement under construction; keeps *len, or sets it to -1 on overflow. */
__attribute__((format(printf, 3, 4))) static void put(char *out, int *len, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (*len < 0)
        return;
    va_start(ap, fmt);
    n = vsnprintf(out + *len, IDENTITY_STATEMENT_MAX - (size_t)*len, fmt, ap);
    va_end(ap);
    *len = n < 0 || n >= IDENTITY_STATEMENT_MAX - *len ? -1 : *len + n;
}

/* A value that may stand on a statement line: no control characters (so no line breaks). */
static bool line_safe(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return false;
    return true;
}

int identity_enrollment_statement(const struct identity_enrollment *e, char *out)
{
    char roles[64], code_hex[65], signer_hex[65], expires[TIMEUTIL_RFC3339_LEN];
    int len = 0;

    if (!line_safe(e->name) || !line_safe(e->affiliation) || strlen(e->id) != IDENTITY_ENROLLMENT_ID_LEN ||
        identity_roles_format(e->roles, roles, sizeof(roles)) != 0 || timeutil_rfc3339(e->expires_ms, expires) != 0)
        return -1;
    identity_hex_encode(e->code_sha256, 32, code_hex);
    identity_hex_encode(e->signer, 32, signer_hex);
    put(out, &len, "b40-enrollment-v1\nnetwork: %s\nenrollment: %s\nperson: %lld\nname: %s\naffiliation: %s\n",
        IDENTITY_NETWORK, e->id, (long long)e->person_id, e->name, e->affiliation);
    put(out, &len, "roles: %s\ncode-sha256: %s\nexpires: %s\nsigner: %s\n", roles, code_hex, expires, signer_hex);
    return len;
}

int identity_binding_statement(const char *enrollment_id, const char *code, const uint8_t public_key[32],
                               const char *origin, const uint8_t challenge[IDENTITY_CHALLENGE_BYTES], char *out)
{
    char key_hex[65], ch_hex[2 * IDENTITY_CHALLENGE_BYTES + 1];
    int len = 0;

    if (!line_safe(enrollment_id) || !line_safe(code) || !line_safe(origin))
        return -1;
    identity_hex_encode(public_key, 32, key_hex);
    identity_hex_encode(challenge, IDENTITY_CHALLENGE_BYTES, ch_hex);
    put(out, &len, "b40-key-binding-v1\nnetwork: %s\nenrollment: %s\ncode: %s\npublic-key: %s\norigin: %s\nchallenge: %s\n",
        IDENTITY_NETWORK, enrollment_id, code, key_hex, origin, ch_hex);
    return len;
}

int identity_login_statement(const char *origin, const uint8_t challenge[IDENTITY_CHALLENGE_BYTES],
                             const uint8_t public_key[32], char *out)
{
    char key_hex[65], ch_hex[2 * IDENTITY_CHALLENGE_BYTES + 1];
    int len = 0;

    if (!line_safe(origin))
        return -1;
    identity_hex_encode(public_key, 32, key_hex);
    identity_hex_encode(challenge, IDENTITY_CHALLENGE_BYTES, ch_hex);
    put(out, &len, "b40-login-v1\nnetwork: %s\norigin: %s\nchallenge: %s\npublic-key: %s\n", IDENTITY_NETWORK, origin,
        ch_hex, key_hex);
    return len;
}

int identity_revocation_statement(const uint8_t public_key[32], int64_t person_id, const char *reason,
                                  int64_t revoked_ms, const uint8_t signer[32], char *out)
{
    char key_hex[65], signer_hex[65], when[TIMEUTIL_RFC3339_LEN];
    int len = 0;

    if (!line_safe(reason) || timeutil_rfc3339(revoked_ms, when) != 0)
        return -1;
    identity_hex_encode(public_key, 32, key_hex);
    identity_hex_encode(signer, 32, signer_hex);
    put(out, &len, "b40-key-revocation-v1\nnetwork: %s\npublic-key: %s\nperson: %lld\nreason: %s\nrevoked: %s\nsigner: %s\n",
        IDENTITY_NETWORK, key_hex, (long long)person_id, reason, when, signer_hex);
    return len;
}

int identity_statement_diff(const char *expected, size_t elen, const char *got, size_t glen)
{
    int line = 1;
    size_t i;

    if (elen == glen && !memcmp(expected, got, elen))
        return 0;
    for (i = 0; i < elen && i < glen && expected[i] == got[i]; i++)
        if (expected[i] == '\n')
            line++;
    return line;
}
