/*
 * api_identity: auth.*, enroll.*, person.*, enrollment.create, key.revoke
 * (docs/protocol.md, docs/identity.md). Each handler checks its input
 * completely, verifies signatures over the exact statement bytes, and only
 * then writes, in one transaction with its history entry: an error leaves
 * nothing half-written. Service thread.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "api_internal.h"
#include "b40/identity.h"
#include "b40/log.h"
#include "b40/ratelimit.h"
#include "b40/store.h"
#include "b40/store_identity.h"
#include "b40/timeutil.h"

#define AUTH_ATTEMPTS_PER_MINUTE 30
#define REVOCATION_CLOCK_SLACK_MS (5 * 60 * 1000)

/* ---- small helpers ---- */

static int limit(struct api_env *env, struct api_conn *conn, const char *action, struct proto_error *err)
{
    int64_t retry = 0;

    if (ratelimit_allow(env->limits, action, conn->peer, timeutil_now_ms(), AUTH_ATTEMPTS_PER_MINUTE, 60000, &retry))
        return 0;
    return api_fail(err, "rate_limited", NULL, "too many attempts from this address; try again in %lld s",
                    (long long)(retry / 1000 + 1));
}

static int hex_field(const struct proto_request *req, const char *name, uint8_t *out, size_t len,
                     struct proto_error *err)
{
    const char *text = api_str(req, name);

    if (!text || identity_hex_decode(text, out, len) != 0)
        return api_fail(err, "bad_request", name, "field '%s' must be %zu lower-case hex digits", name, 2 * len);
    return 0;
}

/* No control characters: the value can stand on a statement line and in a log. */
static bool text_is_plain(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return false;
    return true;
}

static void new_challenge(struct api_conn *conn, struct json_object *reply)
{
    char hex[2 * IDENTITY_CHALLENGE_BYTES + 1];

    randombytes_buf(conn->challenge, sizeof(conn->challenge));
    conn->challenge_expires_ms = timeutil_now_ms() + IDENTITY_CHALLENGE_TTL_MS;
    conn->has_challenge = true;
    identity_hex_encode(conn->challenge, sizeof(conn->challenge), hex);
    json_object_object_add(reply, "challenge", json_object_new_string(hex));
}

/* Takes the connection's challenge: single use, whatever happens next. */
static int take_challenge(struct api_conn *conn, uint8_t out[IDENTITY_CHALLENGE_BYTES], struct proto_error *err)
{
    if (!conn->has_challenge)
        return api_fail(err, "no_challenge", NULL, "ask for a challenge first (it is single use)");
    conn->has_challenge = false;
    if (timeutil_now_ms() > conn->challenge_expires_ms)
        return api_fail(err, "challenge_expired", NULL, "the challenge has expired; ask for a new one");
    memcpy(out, conn->challenge, IDENTITY_CHALLENGE_BYTES);
    return 0;
}

/* Compares the statement the client sent with the one expected; then verifies its signature. */
static int check_signed(const char *expected, int elen, const char *got, const uint8_t key[32], const uint8_t sig[64],
                        struct proto_error *err)
{
    int line;

    if (elen < 0)
        return api_fail(err, "bad_request", NULL, "the statement cannot be formed from these fields");
    line = identity_statement_diff(expected, (size_t)elen, got, strlen(got));
    if (line)
        return api_fail(err, "bad_statement", "statement",
                        "the statement differs from the expected one at line %d (see docs/identity.md)", line);
    if (!identity_verify(key, expected, (size_t)elen, sig))
        return api_fail(err, "bad_signature", "signature", "the signature does not verify");
    return 0;
}

static struct json_object *person_json(const struct store_person *p)
{
    struct json_object *o = json_object_new_object(), *roles = json_object_new_array();

    json_object_object_add(o, "id", json_object_new_int64(p->id));
    json_object_object_add(o, "name", json_object_new_string(p->name));
    json_object_object_add(o, "affiliation", json_object_new_string(p->affiliation));
    for (unsigned bit = 1; bit <= ROLE_OFFICIAL; bit <<= 1)
        if (p->roles & bit)
            json_object_array_add(roles, json_object_new_string(identity_role_name(bit)));
    json_object_object_add(o, "roles", roles);
    json_object_object_add(o, "active", json_object_new_boolean(p->active));
    return o;
}

static struct json_object *key_json(const struct store_key *k)
{
    struct json_object *o = json_object_new_object();
    char hex[65];

    identity_hex_encode(k->public_key, 32, hex);
    json_object_object_add(o, "public_key", json_object_new_string(hex));
    json_object_object_add(o, "device", json_object_new_string(k->device));
    api_add_time(o, "created", k->created_ms);
    if (k->revoked_ms)
        api_add_time(o, "revoked", k->revoked_ms);
    else
        json_object_object_add(o, "revoked", NULL);
    return o;
}

static int sign_in(struct api_env *env, struct api_conn *conn, const struct store_key *k, struct json_object *reply,
                   struct proto_error *err)
{
    struct store_person p;
    int rc = store_person_get(env->store, k->person_id, &p);

    if (rc != 0)
        return api_internal_error(err, "reading the person");
    if (!p.active)
        return api_fail(err, "person_inactive", NULL, "this person's record has been deactivated");
    conn->person_id = p.id;
    conn->key_id = k->id;
    conn->roles = p.roles;
    conn->city_id = p.city_id;
    memcpy(conn->key_public, k->public_key, 32);
    conn->key_created_ms = k->created_ms;
    snprintf(conn->city_code, sizeof(conn->city_code), "%s", p.city_id ? p.affiliation : "");
    /* the epoch with key, person, roles and city in one read: election.cast's commit skips reading them again
     * while no person or key has changed since (a race with a change leaves the epoch unknown: it reads) */
    {
        struct identity_session s;
        conn->epoch_known = store_session_check(env->store, p.id, k->id, &s) == 0 && s.key_active && s.person_active &&
                            s.roles == conn->roles && s.city_id == conn->city_id;
        conn->identity_epoch = conn->epoch_known ? s.epoch : 0;
    }
    json_object_object_add(reply, "person", person_json(&p));
    json_object_object_add(reply, "key", key_json(k));
    return 0;
}

/* Looks up an enrollment by its code and checks it can still be used. */
static int usable_enrollment(struct api_env *env, const char *code, struct store_enrollment *e,
                             struct proto_error *err)
{
    uint8_t hash[32];
    int rc;

    if (identity_code_hash(code, hash) != 0)
        return api_fail(err, "bad_request", "code", "the code must be 22 base64url characters");
    rc = store_enrollment_by_code_hash(env->store, hash, e);
    if (rc < 0)
        return api_internal_error(err, "reading the enrollment");
    if (rc > 0)
        return api_fail(err, "enrollment_unknown", "code", "no enrollment has this code; ask the secretariat for a new link");
    if (e->used_ms)
        return api_fail(err, "enrollment_used", "code", "this link has been used already; ask the secretariat for a new one");
    if (timeutil_now_ms() > e->expires_ms)
        return api_fail(err, "enrollment_expired", "code", "this link has expired; ask the secretariat for a new one");
    return 0;
}

/* ---- auth.* ---- */

static int handle_auth_challenge(struct api_env *env, struct api_conn *conn, const struct proto_request *req,
                                 struct json_object *reply, struct proto_error *err)
{
    (void)env, (void)req, (void)err;
    new_challenge(conn, reply);
    api_add_time(reply, "expires", conn->challenge_expires_ms);
    return 0;
}

static int handle_auth_login(struct api_env *env, struct api_conn *conn, const struct proto_request *req,
                             struct json_object *reply, struct proto_error *err)
{
    uint8_t pk[32], sig[64], challenge[IDENTITY_CHALLENGE_BYTES];
    char expected[IDENTITY_STATEMENT_MAX];
    struct store_key k;
    int len, rc;

    if (limit(env, conn, "auth", err) || hex_field(req, "public_key", pk, 32, err) ||
        hex_field(req, "signature", sig, 64, err) || take_challenge(conn, challenge, err))
        return -1;
    /* the server writes the statement itself: the origin it saw and the challenge it gave */
    len = identity_login_statement(conn->origin, challenge, pk, expected);
    if (len < 0 || !identity_verify(pk, expected, (size_t)len, sig))
        return api_fail(err, "bad_signature", "signature",
                        "the signature does not verify over the login statement for this origin and challenge");
    rc = store_key_find(env->store, pk, &k);
    if (rc < 0)
        return api_internal_error(err, "reading the key");
    if (rc > 0)
        return api_fail(err, "unknown_key", "public_key", "this key is not enrolled; ask the secretariat for a link");
    if (k.revoked_ms)
        return api_fail(err, "key_revoked", "public_key", "this key has been revoked; enroll this device again");
    if (conn->person_id != k.person_id)
        api_room_signed_out(env, conn); /* the room was joined as the one signed in before */
    conn->person_id = conn->key_id = 0;
    conn->epoch_known = false;
    return sign_in(env, conn, &k, reply, err);
}

static int handle_auth_logout(struct api_env *env, struct api_conn *conn, const struct proto_request *req,
                              struct json_object *reply, struct proto_error *err)
{
    (void)req, (void)reply, (void)err;
    api_room_signed_out(env, conn);
    conn->person_id = conn->key_id = 0;
    conn->epoch_known = false;
    conn->roles = 0;
    conn->city_id = 0;
    return 0;
}

static int handle_auth_whoami(struct api_env *env, struct api_conn *conn, const struct proto_request *req,
                              struct json_object *reply, struct proto_error *err)
{
    struct identity_session s;
    struct store_key k;
    int rc;

    (void)req;
    if (conn->person_id) {
        rc = store_session_check(env->store, conn->person_id, conn->key_id, &s);
        if (rc < 0)
            return api_internal_error(err, "reading the session");
        if (rc == 0 && s.key_active && s.person_active && store_key_get(env->store, conn->key_id, &k) == 0)
            return sign_in(env, conn, &k, reply, err);
        api_room_signed_out(env, conn);
        conn->person_id = conn->key_id = 0; /* revoked or deactivated since */
        conn->epoch_known = false;
    }
    json_object_object_add(reply, "person", NULL);
    json_object_object_add(reply, "key", NULL);
    return 0;
}

/* ---- enroll.* ---- */

static int handle_enroll_begin(struct api_env *env, struct api_conn *conn, const struct proto_request *req,
                               struct json_object *reply, struct proto_error *err)
{
    struct store_enrollment e;
    struct store_person p;

    if (limit(env, conn, "enroll", err) || usable_enrollment(env, api_str(req, "code"), &e, err))
        return -1;
    if (store_person_get(env->store, e.person_id, &p) != 0)
        return api_internal_error(err, "reading the person");
    json_object_object_add(reply, "enrollment", json_object_new_string(e.id));
    json_object_object_add(reply, "person", person_json(&p));
    api_add_time(reply, "expires", e.expires_ms);
    new_challenge(conn, reply);
    json_object_object_add(reply, "origin", json_object_new_string(conn->origin));
    return 0;
}

static int handle_enroll_complete(struct api_env *env, struct api_conn *conn, const struct proto_request *req,
                                  struct json_object *reply, struct proto_error *err)
{
    const char *code = api_str(req, "code"), *device = api_str(req, "device");
    uint8_t pk[32], sig[64], challenge[IDENTITY_CHALLENGE_BYTES];
    char expected[IDENTITY_STATEMENT_MAX], details[256], subject[48], pk_hex[65];
    struct store_enrollment e;
    struct store_key k;
    int len, rc;

    if (limit(env, conn, "enroll", err) || usable_enrollment(env, code, &e, err) ||
        hex_field(req, "public_key", pk, 32, err) || hex_field(req, "signature", sig, 64, err))
        return -1;
    if (!text_is_plain(device))
        return api_fail(err, "bad_request", "device", "the device name must not contain control characters");
    if (!identity_key_is_acceptable(pk))
        return api_fail(err, "bad_key", "public_key",
                        "not a canonical Ed25519 public key of a valid point outside the small-order subgroup");
    rc = store_key_find(env->store, pk, &k);
    if (rc < 0)
        return api_internal_error(err, "reading the key");
    if (rc == 0)
        return api_fail(err, "key_in_use", "public_key", "this key is enrolled already");
    if (take_challenge(conn, challenge, err))
        return -1;
    len = identity_binding_statement(e.id, code, pk, conn->origin, challenge, expected);
    if (check_signed(expected, len, api_str(req, "statement"), pk, sig, err))
        return -1;

    identity_hex_encode(pk, 32, pk_hex);
    snprintf(subject, sizeof(subject), "person:%lld", (long long)e.person_id);
    {
        struct json_object *d = json_object_new_object();
        json_object_object_add(d, "enrollment", json_object_new_string(e.id));
        json_object_object_add(d, "public_key", json_object_new_string(pk_hex));
        json_object_object_add(d, "device", json_object_new_string(device));
        snprintf(details, sizeof(details), "%s", json_object_to_json_string_ext(d, JSON_C_TO_STRING_PLAIN));
        json_object_put(d);
    }
    if (store_begin(env->store) != 0)
        return api_internal_error(err, "starting a transaction");
    rc = store_enrollment_use(env->store, e.id, timeutil_now_ms());
    if (rc == 0) {
        int64_t key_id = 0;
        rc = store_key_add(env->store, e.person_id, pk, e.id, device, expected, (size_t)len, sig, timeutil_now_ms(),
                           &key_id);
        if (rc == 0)
            rc = store_history_add(env->store, e.person_id, "key.bind", subject, details);
        if (rc == 0 && store_commit(env->store) == 0) {
            if (store_key_get(env->store, key_id, &k) != 0)
                return api_internal_error(err, "reading the new key");
            log_info("identity: person %lld enrolled a key (device '%s')", (long long)e.person_id, device);
            return sign_in(env, conn, &k, reply, err);
        }
        store_rollback(env->store);
        if (rc > 0)
            return api_fail(err, "key_in_use", "public_key", "this key is enrolled already");
        return api_internal_error(err, "binding the key");
    }
    store_rollback(env->store);
    if (rc > 0)
        return api_fail(err, "enrollment_used", "code", "this link has been used already");
    return api_internal_error(err, "marking the enrollment used");
}

/* ---- person.* ---- */

struct list_ctx {
    struct store *store;
    struct json_object *array, *current;
};

static int add_key(void *ctx, const struct store_key *k)
{
    json_object_array_add(((struct list_ctx *)ctx)->current, key_json(k));
    return 0;
}

static int add_enrollment(void *ctx, const struct store_enrollment *e)
{
    struct json_object *o = json_object_new_object();

    json_object_object_add(o, "enrollment", json_object_new_string(e->id));
    api_add_time(o, "expires", e->expires_ms);
    if (e->used_ms)
        api_add_time(o, "used", e->used_ms);
    else
        json_object_object_add(o, "used", NULL);
    json_object_array_add(((struct list_ctx *)ctx)->current, o);
    return 0;
}

static int add_person(void *ctx, const struct store_person *p)
{
    struct list_ctx *c = ctx;
    struct json_object *o = person_json(p), *keys = json_object_new_array(), *enr = json_object_new_array();
    int rc;

    c->current = keys;
    rc = store_key_each(c->store, p->id, add_key, c);
    c->current = enr;
    if (rc == 0)
        rc = store_enrollment_each(c->store, p->id, add_enrollment, c);
    json_object_object_add(o, "keys", keys);
    json_object_object_add(o, "enrollments", enr);
    json_object_array_add(c->array, o);
    return rc;
}

static int handle_person_list(struct api_env *env, struct api_conn *conn, const struct proto_request *req,
                              struct json_object *reply, struct proto_error *err)
{
    struct list_ctx c = {env->store, json_object_new_array(), NULL};

    (void)conn, (void)req;
    if (store_person_each(env->store, add_person, &c) != 0) {
        json_object_put(c.array);
        return api_internal_error(err, "listing people");
    }
    json_object_object_add(reply, "people", c.array);
    return 0;
}

static int handle_person_create(struct api_env *env, struct api_conn *conn, const struct proto_request *req,
                                struct json_object *reply, struct proto_error *err)
{
    const char *name = api_str(req, "name"), *affiliation = api_str(req, "affiliation");
    struct json_object *roles_in = api_get(req, "roles");
    bool secretariat = !strcmp(affiliation, "secretariat");
    char status[16], subject[48], details[512], roles_text[64];
    unsigned roles = 0;
    int64_t city_id = 0, id = 0;
    struct store_person p;
    int rc;

    if (!text_is_plain(name) || name[0] == ' ' || name[strlen(name) - 1] == ' ')
        return api_fail(err, "bad_request", "name", "the name must not contain control characters or edge spaces");
    for (size_t i = 0; i < json_object_array_length(roles_in); i++) {
        struct json_object *r = json_object_array_get_idx(roles_in, i);
        unsigned bit = json_object_is_type(r, json_type_string) ? identity_roles_parse(json_object_get_string(r)) : 0;
        if (!bit || (bit & (bit - 1)) || (roles & bit))
            return api_fail(err, "bad_request", "roles", "roles must be distinct names from: secretary, expert, "
                                                         "mayor, deputy, official");
        roles |= bit;
    }
    if (!identity_roles_fit(roles, secretariat))
        return api_fail(err, "bad_request", "roles",
                        secretariat ? "secretariat people are secretary or expert"
                                    : "city people are mayor, deputy or official");
    if (!secretariat) {
        rc = store_city_lookup(env->store, affiliation, &city_id, status);
        if (rc < 0)
            return api_internal_error(err, "reading the city");
        if (rc > 0)
            return api_fail(err, "not_found", "affiliation", "no city has the code '%.32s'", affiliation);
        if (strcmp(status, "member") && strcmp(status, "suspended"))
            return api_fail(err, "conflict", "affiliation", "the city is not a member (its status is %s)", status);
    }
    if (identity_roles_format(roles, roles_text, sizeof(roles_text)) != 0)
        return api_internal_error(err, "formatting roles");
    if (store_begin(env->store) != 0)
        return api_internal_error(err, "starting a transaction");
    rc = store_person_add(env->store, name, city_id, roles, &id);
    if (rc == 0) {
        struct json_object *d = json_object_new_object();
        json_object_object_add(d, "name", json_object_new_string(name));
        json_object_object_add(d, "affiliation", json_object_new_string(affiliation));
        json_object_object_add(d, "roles", json_object_new_string(roles_text));
        snprintf(details, sizeof(details), "%s", json_object_to_json_string_ext(d, JSON_C_TO_STRING_PLAIN));
        json_object_put(d);
        snprintf(subject, sizeof(subject), "person:%lld", (long long)id);
        rc = store_history_add(env->store, conn->person_id, "person.create", subject, details);
    }
    if (rc != 0 || store_commit(env->store) != 0) {
        store_rollback(env->store);
        return api_internal_error(err, "creating the person");
    }
    if (store_person_get(env->store, id, &p) != 0)
        return api_internal_error(err, "reading the new person");
    json_object_object_add(reply, "person", person_json(&p));
    return 0;
}

/* ---- enrollment.create, key.revoke ---- */

static int handle_enrollment_create(struct api_env *env, struct api_conn *conn, const struct proto_request *req,
                                    struct json_object *reply, struct proto_error *err)
{
    const char *id = api_str(req, "enrollment"), *expires = api_str(req, "expires");
    struct identity_enrollment e;
    char expected[IDENTITY_STATEMENT_MAX], subject[48], details[128];
    uint8_t id_bin[16], sig[64];
    struct store_person p;
    struct store_key signer;
    int64_t now = timeutil_now_ms();
    int len, rc;

    memset(&e, 0, sizeof(e));
    if (identity_hex_decode(id, id_bin, sizeof(id_bin)) != 0)
        return api_fail(err, "bad_request", "enrollment", "the enrollment id must be 32 lower-case hex digits");
    if (hex_field(req, "code_sha256", e.code_sha256, 32, err) || hex_field(req, "signature", sig, 64, err))
        return -1;
    if (timeutil_parse_rfc3339(expires, &e.expires_ms) != 0 || e.expires_ms <= now ||
        e.expires_ms > now + IDENTITY_ENROLLMENT_MAX_TTL_MS)
        return api_fail(err, "bad_request", "expires", "expires must be a time (RFC 3339, UTC, ms) within the next 14 days");
    rc = store_person_get(env->store, api_int(req, "person", 0), &p);
    if (rc < 0)
        return api_internal_error(err, "reading the person");
    if (rc > 0)
        return api_fail(err, "not_found", "person", "no such person");
    if (!p.active)
        return api_fail(err, "conflict", "person", "this person's record is deactivated");
    if (store_key_get(env->store, conn->key_id, &signer) != 0)
        return api_internal_error(err, "reading the signer's key");

    memcpy(e.id, id, IDENTITY_ENROLLMENT_ID_LEN + 1);
    e.person_id = p.id;
    memcpy(e.name, p.name, sizeof(e.name));
    memcpy(e.affiliation, p.affiliation, sizeof(e.affiliation));
    e.roles = p.roles;
    memcpy(e.signer, signer.public_key, 32);
    len = identity_enrollment_statement(&e, expected);
    if (check_signed(expected, len, api_str(req, "statement"), signer.public_key, sig, err))
        return -1;

    snprintf(subject, sizeof(subject), "person:%lld", (long long)p.id);
    snprintf(details, sizeof(details), "{\"enrollment\":\"%s\",\"expires\":\"%s\"}", e.id, expires);
    if (store_begin(env->store) != 0)
        return api_internal_error(err, "starting a transaction");
    rc = store_enrollment_add(env->store, &e, conn->person_id, expected, (size_t)len, sig);
    if (rc == 0)
        rc = store_history_add(env->store, conn->person_id, "enrollment.create", subject, details) ? -1 : 0;
    if (rc != 0 || store_commit(env->store) != 0) {
        store_rollback(env->store);
        if (rc > 0)
            return api_fail(err, "conflict", "enrollment", "an enrollment with this id or code exists already");
        return api_internal_error(err, "recording the enrollment");
    }
    json_object_object_add(reply, "enrollment", json_object_new_string(e.id));
    json_object_object_add(reply, "person", person_json(&p));
    api_add_time(reply, "expires", e.expires_ms);
    return 0;
}

static int handle_key_revoke(struct api_env *env, struct api_conn *conn, const struct proto_request *req,
                             struct json_object *reply, struct proto_error *err)
{
    const char *reason = api_str(req, "reason");
    char expected[IDENTITY_STATEMENT_MAX], subject[48], details[512], pk_hex[65];
    uint8_t pk[32], sig[64];
    struct store_key k, signer;
    int64_t revoked_ms, now = timeutil_now_ms();
    int len, rc;

    if (hex_field(req, "public_key", pk, 32, err) || hex_field(req, "signature", sig, 64, err))
        return -1;
    if (!text_is_plain(reason))
        return api_fail(err, "bad_request", "reason", "the reason must not contain control characters");
    if (timeutil_parse_rfc3339(api_str(req, "revoked"), &revoked_ms) != 0 ||
        llabs(revoked_ms - now) > REVOCATION_CLOCK_SLACK_MS)
        return api_fail(err, "bad_request", "revoked", "revoked must be the current time (RFC 3339, UTC, ms)");
    rc = store_key_find(env->store, pk, &k);
    if (rc < 0)
        return api_internal_error(err, "reading the key");
    if (rc > 0)
        return api_fail(err, "not_found", "public_key", "no such key");
    if (k.revoked_ms)
        return api_fail(err, "conflict", "public_key", "this key is revoked already");
    if (store_key_get(env->store, conn->key_id, &signer) != 0)
        return api_internal_error(err, "reading the signer's key");
    len = identity_revocation_statement(pk, k.person_id, reason, revoked_ms, signer.public_key, expected);
    if (check_signed(expected, len, api_str(req, "statement"), signer.public_key, sig, err))
        return -1;

    identity_hex_encode(pk, 32, pk_hex);
    snprintf(subject, sizeof(subject), "person:%lld", (long long)k.person_id);
    {
        struct json_object *d = json_object_new_object();
        json_object_object_add(d, "public_key", json_object_new_string(pk_hex));
        json_object_object_add(d, "reason", json_object_new_string(reason));
        snprintf(details, sizeof(details), "%s", json_object_to_json_string_ext(d, JSON_C_TO_STRING_PLAIN));
        json_object_put(d);
    }
    if (store_begin(env->store) != 0)
        return api_internal_error(err, "starting a transaction");
    rc = store_key_revoke(env->store, k.id, now, conn->person_id, expected, (size_t)len, sig);
    if (rc == 0)
        rc = store_history_add(env->store, conn->person_id, "key.revoke", subject, details) ? -1 : 0;
    if (rc != 0 || store_commit(env->store) != 0) {
        store_rollback(env->store);
        if (rc > 0)
            return api_fail(err, "conflict", "public_key", "this key is revoked already");
        return api_internal_error(err, "revoking the key");
    }
    if (store_key_get(env->store, k.id, &k) != 0)
        return api_internal_error(err, "reading the key");
    log_info("identity: key %lld of person %lld revoked by person %lld", (long long)k.id, (long long)k.person_id,
             (long long)conn->person_id);
    if (env->each_conn) /* connections signed in with that key leave their rooms now */
        env->each_conn(env->hub, api_conn_recheck);
    json_object_object_add(reply, "key", key_json(&k));
    return 0;
}

/* ---- the table ---- */

#define HEX(name, n) {name, PROTO_STRING, true, n, n}

static const struct proto_field f_login[] = {HEX("public_key", 64), HEX("signature", 128)};
static const struct proto_field f_begin[] = {{"code", PROTO_STRING, true, IDENTITY_CODE_LEN, IDENTITY_CODE_LEN}};
static const struct proto_field f_complete[] = {
    {"code", PROTO_STRING, true, IDENTITY_CODE_LEN, IDENTITY_CODE_LEN},
    HEX("public_key", 64),
    {"device", PROTO_STRING, true, 1, 64},
    {"statement", PROTO_STRING, true, 1, IDENTITY_STATEMENT_MAX - 1},
    HEX("signature", 128),
};
static const struct proto_field f_person_create[] = {
    {"name", PROTO_STRING, true, 1, 100},
    {"affiliation", PROTO_STRING, true, 2, 32},
    {"roles", PROTO_ARRAY, true, 1, 5},
};
static const struct proto_field f_enrollment_create[] = {
    HEX("enrollment", 32),
    {"person", PROTO_INT, true, 1, PROTO_MAX_SAFE_INT},
    HEX("code_sha256", 64),
    {"expires", PROTO_STRING, true, 24, 24},
    {"statement", PROTO_STRING, true, 1, IDENTITY_STATEMENT_MAX - 1},
    HEX("signature", 128),
};
static const struct proto_field f_key_revoke[] = {
    HEX("public_key", 64),
    {"reason", PROTO_STRING, true, 1, 200},
    {"revoked", PROTO_STRING, true, 24, 24},
    {"statement", PROTO_STRING, true, 1, IDENTITY_STATEMENT_MAX - 1},
    HEX("signature", 128),
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

const struct api_type api_identity_types[] = {
    {"auth.challenge", API_PUBLIC, NULL, 0, handle_auth_challenge},
    {"auth.login", API_PUBLIC, f_login, N(f_login), handle_auth_login},
    {"auth.logout", API_PUBLIC, NULL, 0, handle_auth_logout},
    {"auth.whoami", API_PUBLIC, NULL, 0, handle_auth_whoami},
    {"enroll.begin", API_PUBLIC, f_begin, N(f_begin), handle_enroll_begin},
    {"enroll.complete", API_PUBLIC, f_complete, N(f_complete), handle_enroll_complete},
    {"person.list", API_SECRETARIAT, NULL, 0, handle_person_list},
    {"person.create", API_SECRETARIAT, f_person_create, N(f_person_create), handle_person_create},
    {"enrollment.create", API_SECRETARIAT, f_enrollment_create, N(f_enrollment_create), handle_enrollment_create},
    {"key.revoke", API_SECRETARIAT, f_key_revoke, N(f_key_revoke), handle_key_revoke},
};
const size_t api_identity_count = N(api_identity_types);
