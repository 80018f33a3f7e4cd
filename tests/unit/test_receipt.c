/*
 * Unit tests of batch-signed receipts (docs/audit.md "The receipt" and
 * "Batch-signed receipts (the Merkle tree)"; docs/protocol.md election.cast)
 * through api_handle_text as a client would send them, on a temporary
 * database with the demo network and a real server key. There is no hub:
 * env->request_flush is NULL, so election.cast commits each ballot alone and
 * replies at once, its receipt the only leaf of its batch. Each reply is
 * checked from the documents' definitions: the batch statement's exact
 * bytes, its Ed25519 signature by the server key, the root as the leaf hash
 * of the receipt's bytes, index 0 and an empty audit path; the same ballot
 * sent again gets already_voted with the very same proof (rebuilt from the
 * stored batch), by both ways the server can find the recorded ballot; and a
 * ballot recorded before schema 6 is answered with its own receipt
 * signature. No socket.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>
#include <sodium.h>

#include "b40/api.h"
#include "b40/ballot.h"
#include "b40/identity.h"
#include "b40/merkle.h"
#include "b40/serverkey.h"
#include "b40/timeutil.h"
#include "support.h"

/* The members an already_voted error carries for a resent ballot of schema 6 (docs/protocol.md). */
static const char *const proof_members[] = {
    "ballot_hash", "receipt", "seq", "server_key", "receipt_batch", "receipt_batch_signature", "receipt_index",
    "receipt_path",
};

/* ---- people ---- */

/* A voter: a person with a real Ed25519 key, enrolled before the round opens. */
struct voter {
    int64_t id; /* person id = key id */
    const char *city;
    uint8_t pk[32], sk[64];
};

/*
 * People made with plain SQL; key id = person id: 1 a secretary (a random
 * key: it signs nothing here), and each voter (a mayor or deputy of its
 * city) with its own public key.
 */
static void add_people(struct fixture *f, struct voter *v, size_t n)
{
    char text[1400], pk[65];

    sql(f->db, "INSERT INTO people (id, name, city_id, roles, created_at_ms) VALUES (1, 'Network secretary', NULL,"
               " 'secretary', 0);"
               "INSERT INTO enrollments (id, person_id, code_sha256, expires_at_ms, created_at_ms, signer_key,"
               " statement, signature) VALUES (printf('%032d', 1), 1, randomblob(32), 0, 0, randomblob(32), 's',"
               " randomblob(64));"
               "INSERT INTO person_keys (id, person_id, public_key, enrollment_id, device, statement, signature,"
               " created_at_ms) VALUES (1, 1, randomblob(32), printf('%032d', 1), 'test', 's', randomblob(64), 0);");
    for (size_t i = 0; i < n; i++) {
        crypto_sign_keypair(v[i].pk, v[i].sk);
        identity_hex_encode(v[i].pk, 32, pk);
        snprintf(text, sizeof(text),
                 "INSERT INTO people (id, name, city_id, roles, created_at_ms) VALUES (%lld, 'Mayor of %s',"
                 " (SELECT id FROM cities WHERE code = '%s'), 'mayor', 0);"
                 "INSERT INTO enrollments (id, person_id, code_sha256, expires_at_ms, created_at_ms, signer_key,"
                 " statement, signature) VALUES (printf('%%032d', %lld), %lld, randomblob(32), 0, 0, randomblob(32),"
                 " 's', randomblob(64));"
                 "INSERT INTO person_keys (id, person_id, public_key, enrollment_id, device, statement, signature,"
                 " created_at_ms) VALUES (%lld, %lld, X'%s', printf('%%032d', %lld), 'test', 's', randomblob(64), 0);",
                 (long long)v[i].id, v[i].city, v[i].city, (long long)v[i].id, (long long)v[i].id, (long long)v[i].id,
                 (long long)v[i].id, pk, (long long)v[i].id);
        sql(f->db, text);
    }
}

/* Signs the connection in as voter v (a mayor), with the facts api_identity.c keeps from a login. */
static void sign_in_voter(struct fixture *f, struct api_fixture *a, const struct voter *v)
{
    char q[120];

    sign_in(a, v->id);
    snprintf(q, sizeof(q), "SELECT id FROM cities WHERE code = '%s'", v->city);
    a->conn.city_id = int_query(f->db, q);
    a->conn.roles = ROLE_MAYOR;
    memcpy(a->conn.key_public, v->pk, 32);
    a->conn.key_created_ms = 0;
    snprintf(a->conn.city_code, sizeof(a->conn.city_code), "%s", v->city);
}

/* ---- messages ---- */

static const char *text_of(struct json_object *o)
{
    return json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
}

static const char *str_of(struct json_object *o, const char *key)
{
    struct json_object *v = get(o, key);

    if (!json_object_is_type(v, json_type_string))
        fail_msg("'%s' is not a string in %s", key, text_of(o));
    return json_object_get_string(v);
}

static void assert_absent(struct json_object *o, const char *key)
{
    if (json_object_object_get_ex(o, key, NULL))
        fail_msg("'%s' should not be in %s", key, text_of(o));
}

/* Decodes exactly n bytes of lower-case hex (the test fails otherwise). */
static void unhex(const char *hex, uint8_t *out, size_t n)
{
    if (strlen(hex) != 2 * n || identity_hex_decode(hex, out, n) != 0)
        fail_msg("not %zu bytes of lower-case hex: %s", n, hex);
}

/* A ballot of city v for choice in the open round (fingerprint fp), a fresh nonce, signed by v's key. */
static void make_ballot(const struct voter *v, int64_t election, const uint8_t fp[32], const char *choice,
                        char text[BALLOT_TEXT_MAX], char sig_hex[129])
{
    struct ballot b;
    uint8_t sig[64];
    int len;

    memset(&b, 0, sizeof(b));
    b.election = election;
    b.round = 1;
    memcpy(b.poll, fp, 32);
    snprintf(b.city, sizeof(b.city), "%s", v->city);
    snprintf(b.choice, sizeof(b.choice), "%s", choice);
    randombytes_buf(b.nonce, sizeof(b.nonce));
    len = ballot_format(&b, text);
    assert_true(len > 0);
    assert_int_equal(crypto_sign_detached(sig, NULL, (const uint8_t *)text, (size_t)len, v->sk), 0);
    identity_hex_encode(sig, 64, sig_hex);
}

/* Sends election.cast (the ballot escaped by json-c) and returns the parsed reply (caller puts it). */
static struct json_object *cast(struct api_fixture *a, const char *ballot, const char *sig_hex)
{
    struct json_object *m = json_object_new_object(), *r;

    json_object_object_add(m, "id", json_object_new_int(20));
    json_object_object_add(m, "type", json_object_new_string("election.cast"));
    json_object_object_add(m, "ballot", json_object_new_string(ballot));
    json_object_object_add(m, "signature", json_object_new_string(sig_hex));
    r = call(a, text_of(m));
    json_object_put(m);
    return r;
}

/* The error object of a refused reply with this code (borrowed from r). */
static struct json_object *error_of(struct json_object *r, const char *code)
{
    struct json_object *e;

    if (json_object_get_boolean(get(r, "ok")))
        fail_msg("accepted, expected %s: %s", code, text_of(r));
    e = get(r, "error");
    assert_string_equal(str_of(e, "code"), code);
    return e;
}

/* ---- the checks, from docs/audit.md ---- */

/* True when s is "YYYY-MM-DDTHH:MM:SS.mmmZ" (digits where digits go). */
static bool is_rfc3339_ms(const char *s)
{
    static const char shape[] = "dddd-dd-ddTdd:dd:dd.dddZ";

    if (strlen(s) != sizeof(shape) - 1)
        return false;
    for (size_t i = 0; shape[i]; i++)
        if (shape[i] == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != shape[i])
            return false;
    return true;
}

/*
 * Checks the proof members of o (a reply, or an already_voted error) for a
 * receipt alone in batch `batch`: the statement is exactly the canonical
 * b40-receipt-batch-v1 text with leaves 1 and the root the leaf hash of the
 * receipt's bytes, its signature verifies over those bytes with the server
 * key, the index is 0 and the path empty. Not relying on the server's own
 * formatting or Merkle code for what is expected.
 */
static void check_single_proof(struct json_object *o, const uint8_t server_pk[32], int64_t batch)
{
    const char *receipt = str_of(o, "receipt"), *statement = str_of(o, "receipt_batch");
    char root_hex[65], expect[300], *tampered;
    uint8_t leaf[32], sig[64], root[32];
    size_t prefix;

    /* the root of a batch of one is the leaf hash of the receipt's exact bytes: SHA-256(0x00 || receipt) */
    {
        crypto_hash_sha256_state h;
        const uint8_t zero = 0;
        crypto_hash_sha256_init(&h);
        crypto_hash_sha256_update(&h, &zero, 1);
        crypto_hash_sha256_update(&h, (const uint8_t *)receipt, strlen(receipt));
        crypto_hash_sha256_final(&h, leaf);
    }
    identity_hex_encode(leaf, 32, root_hex);
    prefix = (size_t)snprintf(expect, sizeof(expect),
                              "b40-receipt-batch-v1\nnetwork: b40-balkan-cities\nbatch: %lld\nleaves: 1\nroot: %s\n"
                              "signed: ",
                              (long long)batch, root_hex);
    if (strncmp(statement, expect, prefix) != 0)
        fail_msg("the batch statement\n%s\nis not\n%s...", statement, expect);
    /* the last line: the signing time, then the text ends */
    assert_int_equal(strlen(statement), prefix + TIMEUTIL_RFC3339_LEN);
    assert_int_equal(statement[strlen(statement) - 1], '\n');
    {
        char when[TIMEUTIL_RFC3339_LEN];
        memcpy(when, statement + prefix, TIMEUTIL_RFC3339_LEN - 1);
        when[TIMEUTIL_RFC3339_LEN - 1] = '\0';
        assert_true(is_rfc3339_ms(when));
    }

    /* the server signed exactly these bytes with its key (and not, say, the receipt alone) */
    unhex(str_of(o, "receipt_batch_signature"), sig, 64);
    assert_int_equal(crypto_sign_verify_detached(sig, (const uint8_t *)statement, strlen(statement), server_pk), 0);
    tampered = strdup(statement);
    assert_non_null(tampered);
    tampered[prefix - strlen("signed: ") - 2] ^= 1; /* the root's last hex digit */
    assert_int_not_equal(crypto_sign_verify_detached(sig, (const uint8_t *)tampered, strlen(tampered), server_pk), 0);
    free(tampered);
    assert_int_not_equal(crypto_sign_verify_detached(sig, (const uint8_t *)receipt, strlen(receipt), server_pk), 0);

    /* its place: leaf 0 of 1, no path; the inclusion proof checks out against the signed root */
    assert_true(json_object_is_type(get(o, "receipt_index"), json_type_int));
    assert_int_equal(json_object_get_int64(get(o, "receipt_index")), 0);
    assert_true(json_object_is_type(get(o, "receipt_path"), json_type_array));
    assert_int_equal(json_object_array_length(get(o, "receipt_path")), 0);
    unhex(root_hex, root, 32);
    merkle_leaf_hash(receipt, strlen(receipt), leaf);
    assert_memory_equal(leaf, root, 32);
    assert_true(merkle_verify(leaf, 0, 1, NULL, 0, root));

    /* and the receipt is no longer signed alone */
    assert_absent(o, "receipt_signature");
}

/*
 * Checks an election.cast reply: the server key, the ballot hash, the seq,
 * the receipt's canonical bytes up to its time (the chain link recomputed
 * from prev, which becomes this link), and its proof in batch `batch`.
 */
static void check_cast_reply(struct json_object *r, const uint8_t server_pk[32], int64_t election, const char *ballot,
                             const char *sig_hex, int64_t seq, uint8_t chain[32], int64_t batch)
{
    char hex[65], hash_hex[65], chain_hex[65], expect[400];
    uint8_t hash[32], sig[64];

    if (!json_object_get_boolean(get(r, "ok")))
        fail_msg("election.cast was refused: %s", text_of(r));
    identity_hex_encode(server_pk, 32, hex);
    assert_string_equal(str_of(r, "server_key"), hex);
    ballot_sha256(ballot, strlen(ballot), hash);
    identity_hex_encode(hash, 32, hash_hex);
    assert_string_equal(str_of(r, "ballot_hash"), hash_hex);
    assert_int_equal(json_object_get_int64(get(r, "seq")), seq);
    unhex(sig_hex, sig, 64);
    ballot_chain_next(chain, hash, sig, chain);
    identity_hex_encode(chain, 32, chain_hex);
    snprintf(expect, sizeof(expect),
             "b40-receipt-v1\nnetwork: b40-balkan-cities\nelection: %lld\nround: 1\nseq: %lld\nballot-sha256: %s\n"
             "chain: %s\nrecorded: ",
             (long long)election, (long long)seq, hash_hex, chain_hex);
    if (strncmp(str_of(r, "receipt"), expect, strlen(expect)) != 0)
        fail_msg("the receipt\n%s\nis not\n%s...", str_of(r, "receipt"), expect);
    check_single_proof(r, server_pk, batch);
}

/* Asserts that error e carries every proof member exactly as reply r has it. */
static void expect_same_proof(struct json_object *e, struct json_object *r)
{
    for (size_t i = 0; i < COUNT(proof_members); i++) {
        char want[1200];
        snprintf(want, sizeof(want), "%s", text_of(get(r, proof_members[i])));
        if (strcmp(text_of(get(e, proof_members[i])), want))
            fail_msg("error.%s is %s, the reply had %s", proof_members[i], text_of(get(e, proof_members[i])), want);
    }
}

/* The stored rows: the batch as signed, the ballot at its place with no signature of its own. */
static void check_stored(struct fixture *f, struct json_object *r, int64_t batch)
{
    char q[1200];
    uint8_t leaf[32];
    char root_hex[65];
    const char *receipt = str_of(r, "receipt");

    merkle_leaf_hash(receipt, strlen(receipt), leaf);
    identity_hex_encode(leaf, 32, root_hex);
    snprintf(q, sizeof(q),
             "SELECT count(*) FROM receipt_batches WHERE id = %lld AND statement = '%s'"
             " AND lower(hex(signature)) = '%s' AND leaves = 1 AND lower(hex(root)) = '%s'",
             (long long)batch, str_of(r, "receipt_batch"), str_of(r, "receipt_batch_signature"), root_hex);
    assert_int_equal(int_query(f->db, q), 1);
    snprintf(q, sizeof(q),
             "SELECT count(*) FROM ballots WHERE lower(hex(ballot_hash)) = '%s' AND receipt = '%s'"
             " AND receipt_batch = %lld AND receipt_index = 0 AND receipt_signature IS NULL",
             str_of(r, "ballot_hash"), receipt, (long long)batch);
    assert_int_equal(int_query(f->db, q), 1);
}

/* ---- the test ---- */

static int setup(void **state)
{
    return fixture_setup(state, "b40-receipt", true);
}

static int teardown(void **state)
{
    return fixture_teardown(state);
}

static void test_cast_receipt_batch_of_one(void **state)
{
    struct fixture *f = *state;
    struct voter v[] = {{2, "athens", {0}, {0}}, {3, "sofia", {0}, {0}}, {4, "belgrade", {0}, {0}}};
    struct api_fixture a;
    struct serverkey *key = NULL;
    struct json_object *r, *r1, *r2, *e;
    char msg[300], path[160], err[200], hex[65];
    char ballot1[BALLOT_TEXT_MAX], sig1[129], ballot2[BALLOT_TEXT_MAX], sig2[129];
    char other[BALLOT_TEXT_MAX], other_sig[129];
    uint8_t fp[32], chain[32];
    const uint8_t *server_pk;
    int64_t id, sid;

    assert_true(sodium_init() >= 0);
    add_people(f, v, COUNT(v));
    api_setup(f, &a, "192.0.2.1");
    snprintf(path, sizeof(path), "%s/t.db.key", f->dir);
    assert_int_equal(serverkey_create(&key, path, err, sizeof(err)), 0);
    a.env.key = key;
    server_pk = serverkey_public(key);
    /* no hub: request_flush and reply_later stay NULL, so each cast commits alone and replies at once;
     * the batch only keeps the open round's facts */
    a.env.batch = api_batch_create();
    assert_non_null(a.env.batch);
#define M(fmt, ...) (snprintf(msg, sizeof(msg), fmt, __VA_ARGS__), msg)

    /* an election of the 2026 demo summit; Athens and Sofia stand; the three cities are present; round 1 opens */
    sign_in(&a, 1);
    sid = int_query(f->db, "SELECT id FROM summits WHERE year = 2026");
    r = ok(&a, M("{\"id\":1,\"type\":\"election.create\",\"summit\":%lld,\"title\":\"Presidency\"}", (long long)sid));
    id = json_object_get_int64(get(get(r, "election"), "id"));
    json_object_put(r);
    json_object_put(
        ok(&a, M("{\"id\":2,\"type\":\"election.advance\",\"election\":%lld,\"to\":\"candidacy\"}", (long long)id)));
    for (size_t i = 0; i < COUNT(v); i++)
        json_object_put(ok(&a, M("{\"id\":3,\"type\":\"attendance.check_in\",\"summit\":%lld,\"city\":\"%s\"}",
                                 (long long)sid, v[i].city)));
    for (size_t i = 0; i < 2; i++) {
        sign_in_voter(f, &a, &v[i]);
        json_object_put(ok(&a, M("{\"id\":4,\"type\":\"election.declare\",\"election\":%lld}", (long long)id)));
    }
    sign_in(&a, 1);
    json_object_put(
        ok(&a, M("{\"id\":5,\"type\":\"election.advance\",\"election\":%lld,\"to\":\"open\"}", (long long)id)));
    r = ok(&a, M("{\"id\":6,\"type\":\"election.get\",\"election\":%lld}", (long long)id));
    unhex(str_of(json_object_array_get_idx(get(get(r, "election"), "rounds"), 0), "fingerprint"), fp, 32);
    json_object_put(r);
    ballot_chain_genesis(id, chain);

    /* Athens votes: seq 1, its receipt the only leaf of batch 1 */
    sign_in_voter(f, &a, &v[0]);
    make_ballot(&v[0], id, fp, "sofia", ballot1, sig1);
    r1 = cast(&a, ballot1, sig1);
    check_cast_reply(r1, server_pk, id, ballot1, sig1, 1, chain, 1);
    check_stored(f, r1, 1);

    /* the very same bytes again (a lost reply): already_voted with the stored receipt and the same proof,
     * rebuilt from the stored batch. First found by the table's uniqueness in the recording transaction
     * (the round's facts were read before Athens voted) ... */
    r = cast(&a, ballot1, sig1);
    e = error_of(r, "already_voted");
    assert_string_equal(str_of(e, "field"), "ballot");
    expect_same_proof(e, r1);
    check_single_proof(e, server_pk, 1);
    json_object_put(r);
    /* ... then from facts read afresh, which know Athens has voted (answered before any transaction) */
    api_batch_destroy(a.env.batch);
    assert_non_null(a.env.batch = api_batch_create());
    r = cast(&a, ballot1, sig1);
    e = error_of(r, "already_voted");
    expect_same_proof(e, r1);
    check_single_proof(e, server_pk, 1);
    json_object_put(r);
    /* another ballot of Athens (a new nonce): the first one's hash, and no receipt, no proof */
    make_ballot(&v[0], id, fp, "abstain", other, other_sig);
    r = cast(&a, other, other_sig);
    e = error_of(r, "already_voted");
    assert_string_equal(str_of(e, "ballot_hash"), str_of(r1, "ballot_hash"));
    for (size_t i = 1; i < COUNT(proof_members); i++)
        assert_absent(e, proof_members[i]);
    assert_absent(e, "receipt_signature");
    json_object_put(r);
    /* nothing of these was recorded, and no batch was added */
    assert_int_equal(int_query(f->db, "SELECT count(*) FROM ballots"), 1);
    assert_int_equal(int_query(f->db, "SELECT count(*) FROM receipt_batches"), 1);

    /* Sofia votes: seq 2, the next batch, its own root and signature */
    sign_in_voter(f, &a, &v[1]);
    make_ballot(&v[1], id, fp, "abstain", ballot2, sig2);
    r2 = cast(&a, ballot2, sig2);
    check_cast_reply(r2, server_pk, id, ballot2, sig2, 2, chain, 2);
    check_stored(f, r2, 2);
    assert_string_not_equal(str_of(r2, "receipt_batch_signature"), str_of(r1, "receipt_batch_signature"));
    r = cast(&a, ballot2, sig2);
    expect_same_proof(error_of(r, "already_voted"), r2);
    json_object_put(r);

    /* A ballot recorded before schema 6 (Belgrade's, written as that code wrote it): its receipt signed alone.
     * Sent again, it gets that receipt and signature back, and no batch proof. */
    {
        char ballot3[BALLOT_TEXT_MAX], sig3[129], receipt[BALLOT_TEXT_MAX], q[2000], hash_hex[65], rsig_hex[129];
        uint8_t hash[32], sig[64], rsig[64], link[32];
        int rlen;

        make_ballot(&v[2], id, fp, "athens", ballot3, sig3);
        ballot_sha256(ballot3, strlen(ballot3), hash);
        identity_hex_encode(hash, 32, hash_hex);
        unhex(sig3, sig, 64);
        ballot_chain_next(chain, hash, sig, link);
        rlen = receipt_format(id, 1, 3, hash, link, timeutil_now_ms(), receipt);
        assert_true(rlen > 0);
        assert_int_equal(serverkey_sign(key, (const uint8_t *)receipt, (size_t)rlen, rsig), 0);
        identity_hex_encode(rsig, 64, rsig_hex);
        identity_hex_encode(link, 32, hex);
        snprintf(q, sizeof(q),
                 "INSERT INTO ballots (election_id, round, city_id, seq, text, signature, key_id, choice, ballot_hash,"
                 " chain, recorded_at_ms, receipt, receipt_signature) VALUES (%lld, 1, (SELECT id FROM cities WHERE"
                 " code = 'belgrade'), 3, '%s', X'%s', 4, 'athens', X'%s', X'%s', 0, '%s', X'%s')",
                 (long long)id, ballot3, sig3, hash_hex, hex, receipt, rsig_hex);
        sql(f->db, q);
        sign_in_voter(f, &a, &v[2]);
        r = cast(&a, ballot3, sig3);
        e = error_of(r, "already_voted");
        assert_string_equal(str_of(e, "ballot_hash"), hash_hex);
        assert_string_equal(str_of(e, "receipt"), receipt);
        assert_int_equal(json_object_get_int64(get(e, "seq")), 3);
        assert_string_equal(str_of(e, "receipt_signature"), rsig_hex);
        for (size_t i = 3; i < COUNT(proof_members); i++) /* from server_key on: the batch proof's members */
            assert_absent(e, proof_members[i]);
        json_object_put(r);
    }
#undef M
    json_object_put(r1);
    json_object_put(r2);
    api_batch_destroy(a.env.batch);
    a.env.batch = NULL;
    serverkey_free(key);
    api_teardown(&a);
}

/* The group-commit rule: now when nothing else is being verified, else when full or waited long enough. */
static void test_commit_due(void **state)
{
    (void)state;
    assert_true(api_commit_due(0, 5, 0));                          /* nothing to commit: nothing to wait for */
    assert_true(api_commit_due(1, 0, 0));                          /* a lone ballot: at once */
    assert_false(api_commit_due(1, 1, 0));                         /* another is being verified: it joins */
    assert_false(api_commit_due(RECEIPT_BATCH_MAX - 1, 50, API_FLUSH_WAIT_MAX_MS - 1));
    assert_true(api_commit_due(RECEIPT_BATCH_MAX, 50, 0));         /* a full receipt batch */
    assert_true(api_commit_due(3, 50, API_FLUSH_WAIT_MAX_MS));     /* the oldest has waited long enough */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_commit_due),
        cmocka_unit_test_setup_teardown(test_cast_receipt_batch_of_one, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
