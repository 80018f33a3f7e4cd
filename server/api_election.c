/*
 * api_election: election.* (docs/protocol.md; rules in
 * docs/election-rules.md; bytes in docs/audit.md). The state machine
 * draft -> candidacy -> open -> closed (-> open for the next round) ->
 * decided, each step by the secretariat, idempotent, with a history entry;
 * the signed poll at opening; ballots verified over their exact bytes and
 * recorded in one transaction under the (election, round, city) uniqueness
 * rule, each extending the election's hash chain; receipts only after the
 * commit; the count, quorum and roll call at closing. Service thread.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "api_internal.h"
#include "b40/ballot.h"
#include "b40/election.h"
#include "b40/identity.h"
#include "b40/log.h"
#include "b40/membership.h"
#include "b40/merkle.h"
#include "b40/serverkey.h"
#include "b40/store.h"
#include "b40/store_election.h"
#include "b40/store_identity.h"
#include "b40/timeutil.h"
#include "b40/verify.h"

/* A comma-joined list of city codes: room for CODES_CITIES cities of up to 15 bytes each. */
#define CODES_CITIES 4096
#define CODES_MAX (CODES_CITIES * 16)

/* ---- small helpers ---- */

struct codes {
    char text[CODES_MAX];
    size_t len, count;
    int64_t ids[CODES_CITIES];
    int overflow;
};

static int add_code(void *ctx, const struct store_city_ref *c)
{
    struct codes *l = ctx;
    size_t n = strlen(c->code);

    if (l->len + n + 2 > sizeof(l->text) || l->count >= sizeof(l->ids) / sizeof(l->ids[0])) {
        l->overflow = 1;
        return 1;
    }
    if (l->len)
        l->text[l->len++] = ',';
    memcpy(l->text + l->len, c->code, n + 1);
    l->len += n;
    l->ids[l->count++] = c->id;
    return 0;
}

static int add_member_code(void *ctx, const struct store_city_ref *c)
{
    return strcmp(c->status, "member") ? 0 : add_code(ctx, c);
}

/* Present cities that count for quorum: members, suspended ones included (they are members). */
static int add_quorum_code(void *ctx, const struct store_city_ref *c)
{
    return strcmp(c->status, "member") && strcmp(c->status, "suspended") ? 0 : add_code(ctx, c);
}

/* Is code an item of the comma-joined list? The list ends at NUL or at a line break. */
static bool in_list(const char *list, const char *code)
{
    size_t n = strlen(code);

    for (const char *p = list; p && *p && *p != '\n';) {
        size_t len = strcspn(p, ",\n");
        if (len == n && !memcmp(p, code, n))
            return true;
        p = p[len] == ',' ? p + len + 1 : NULL;
    }
    return false;
}

/* The number of items in such a list. */
static size_t list_count(const char *list)
{
    size_t n = 0;

    for (const char *p = list; p && *p && *p != '\n';) {
        size_t len = strcspn(p, ",\n");
        n++;
        p = p[len] == ',' ? p + len + 1 : NULL;
    }
    return n;
}

/* Where the value of the line "name: value" starts in a poll text (it runs to the line break); NULL if none. */
static const char *poll_line(const char *text, const char *name)
{
    size_t n = strlen(name);

    for (const char *p = text; p && *p;) {
        const char *nl = strchr(p, '\n');
        if (!strncmp(p, name, n) && p[n] == ':' && p[n + 1] == ' ')
            return p + n + 2;
        p = nl ? nl + 1 : NULL;
    }
    return NULL;
}

static struct json_object *codes_json(const char *list)
{
    struct json_object *a = json_object_new_array();

    for (const char *p = list; p && *p;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        json_object_array_add(a, json_object_new_string_len(p, (int)len));
        p = comma ? comma + 1 : NULL;
    }
    return a;
}

static void add_hex_item(struct json_object *a, const uint8_t b[32])
{
    char hex[65];

    identity_hex_encode(b, 32, hex);
    json_object_array_add(a, json_object_new_string_len(hex, 64));
}

static int history(struct api_env *env, struct api_conn *conn, const char *action, int64_t election,
                   const char *details)
{
    char subject[48];

    snprintf(subject, sizeof(subject), "election:%lld", (long long)election);
    return store_history_add(env->store, conn->person_id, action, subject, details ? details : "{}");
}

static int load_election(struct api_env *env, const struct proto_request *req, struct store_election *e,
                         struct proto_error *err)
{
    int rc = store_election_get(env->store, api_int(req, "election", 0), e);

    if (rc < 0)
        return api_internal_error(err, "reading the election");
    if (rc > 0)
        return api_fail(err, "not_found", "election", "no such election");
    return 0;
}

/* ---- the election object ---- */

struct count_ctx {
    const char *candidates;
    uint64_t votes[ELECTION_MAX_CANDIDATES];
    size_t ncand;
    char cand[ELECTION_MAX_CANDIDATES][33];
    uint64_t abstentions, ballots;
    struct json_object *hashes;
    struct codes voted, abstained;
};

static int count_ballot(void *ctx, const struct store_ballot_row *b)
{
    struct count_ctx *c = ctx;
    struct store_city_ref ref;

    c->ballots++;
    if (c->hashes) {
        char hex[65];
        identity_hex_encode(b->hash, 32, hex);
        json_object_array_add(c->hashes, json_object_new_string(hex));
    }
    memset(&ref, 0, sizeof(ref));
    ref.id = b->city_id;
    memcpy(ref.code, b->city_code, sizeof(ref.code));
    if (!strcmp(b->choice, BALLOT_ABSTAIN)) {
        c->abstentions++;
        add_code(&c->abstained, &ref);
        return 0;
    }
    add_code(&c->voted, &ref);
    for (size_t i = 0; i < c->ncand; i++)
        if (!strcmp(c->cand[i], b->choice))
            c->votes[i]++;
    return 0;
}

static void split_candidates(struct count_ctx *c, const char *list)
{
    c->ncand = 0;
    for (const char *p = list; p && *p && c->ncand < ELECTION_MAX_CANDIDATES;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        if (len < sizeof(c->cand[0])) {
            memcpy(c->cand[c->ncand], p, len);
            c->cand[c->ncand++][len] = '\0';
        }
        p = comma ? comma + 1 : NULL;
    }
}

static struct json_object *round_json(struct api_env *env, int64_t election, const struct store_round *r)
{
    struct json_object *o = json_object_new_object(), *t;
    struct count_ctx cc;

    json_object_object_add(o, "round", json_object_new_int(r->round));
    json_object_object_add(o, "kind", json_object_new_string(r->kind));
    json_object_object_add(o, "candidates", codes_json(r->candidates));
    json_object_object_add(o, "poll", r->poll ? json_object_new_string(r->poll) : NULL);
    if (r->poll) {
        api_add_hex(o, "poll_signature", r->poll_signature, 64);
        api_add_hex(o, "fingerprint", r->fingerprint, 32);
        api_add_time(o, "opened", r->opened_ms);
    }
    if (r->closed_ms)
        api_add_time(o, "closed", r->closed_ms);
    if (r->quorum_open)
        json_object_object_add(o, "quorum_open", json_tokener_parse(r->quorum_open));
    if (r->poll) {
        size_t n = list_count(poll_line(r->poll, "eligible"));
        memset(&cc, 0, sizeof(cc));
        if (store_ballots_each(env->store, election, r->round, count_ballot, &cc) == 0) {
            t = json_object_new_object();
            json_object_object_add(t, "voted", json_object_new_int64((int64_t)cc.ballots));
            json_object_object_add(t, "eligible", json_object_new_int64((int64_t)n));
            json_object_object_add(o, "turnout", t);
        }
    }
    if (r->result)
        json_object_object_add(o, "result", json_tokener_parse(r->result));
    if (r->chain_head) {
        json_object_object_add(o, "chain_head", json_object_new_string(r->chain_head));
        api_add_hex(o, "chain_head_signature", r->chain_head_signature, 64);
    }
    return o;
}

/* The candidacy list being built: every candidacy of the election, standing or not. */
struct candidacies_ctx {
    struct json_object *list;
    size_t ended; /* how many have been withdrawn or dropped */
};

static int add_candidacy(void *ctx, const struct store_candidacy *c)
{
    struct candidacies_ctx *l = ctx;
    struct json_object *o = json_object_new_object();

    json_object_object_add(o, "city", json_object_new_string(c->code));
    api_add_time(o, "declared", c->declared_ms);
    json_object_object_add(o, "status", json_object_new_string(c->withdrawn_ms ? "withdrawn" : "standing"));
    if (c->withdrawn_ms)
        api_add_time(o, "withdrawn", c->withdrawn_ms);
    else
        json_object_object_add(o, "withdrawn", NULL);
    json_object_object_add(o, "withdrawn_by", NULL);
    json_object_array_add(l->list, o);
    l->ended += c->withdrawn_ms != 0;
    return 0;
}

/* A history entry that ended a candidacy: marks the city's (ended) candidacy as dropped or withdrawn by whom. */
static int mark_candidacy_end(void *ctx, const char *city, const char *action, const char *by)
{
    struct candidacies_ctx *l = ctx;

    for (size_t i = 0; i < json_object_array_length(l->list); i++) {
        struct json_object *o = json_object_array_get_idx(l->list, i), *v;
        if (strcmp(json_object_get_string(json_object_object_get(o, "city")), city) ||
            !json_object_object_get_ex(o, "withdrawn", &v) || !v)
            continue; /* another city, or a candidacy declared again since */
        if (!strcmp(action, "election.candidate_dropped")) {
            json_object_object_add(o, "status", json_object_new_string("dropped"));
            json_object_object_add(o, "withdrawn_by", NULL);
        } else {
            json_object_object_add(o, "status", json_object_new_string("withdrawn"));
            json_object_object_add(o, "withdrawn_by", *by ? json_object_new_string(by) : NULL);
        }
        break;
    }
    return 0;
}

/*
 * The "candidacies" member of the election object: every candidacy, by city,
 * standing or not (docs/protocol.md). New, owned by the caller; NULL on failure.
 */
static struct json_object *candidacies_json(struct api_env *env, int64_t election)
{
    struct candidacies_ctx l = {json_object_new_array(), 0};

    if (store_candidacies_all_each(env->store, election, add_candidacy, &l) != 0 ||
        (l.ended && store_candidacy_ends_each(env->store, election, mark_candidacy_end, &l) != 0)) {
        json_object_put(l.list);
        return NULL;
    }
    return l.list;
}

static int election_json(struct api_env *env, const struct store_election *e, struct json_object *reply,
                         struct proto_error *err)
{
    struct json_object *o = json_object_new_object(), *rounds = json_object_new_array(), *t;
    struct codes cands;
    char quorum[24];

    memset(&cands, 0, sizeof(cands));
    if (store_candidacies_each(env->store, e->id, add_code, &cands) < 0) {
        json_object_put(o);
        json_object_put(rounds);
        return api_internal_error(err, "reading the candidacies");
    }
    json_object_object_add(o, "id", json_object_new_int64(e->id));
    json_object_object_add(o, "summit", json_object_new_int64(e->summit_id));
    json_object_object_add(o, "title", json_object_new_string(e->title));
    json_object_object_add(o, "state", json_object_new_string(e->state));
    json_object_object_add(o, "round", json_object_new_int(e->round));
    snprintf(quorum, sizeof(quorum), "%u/%u", e->quorum_num, e->quorum_den);
    json_object_object_add(o, "quorum", json_object_new_string(quorum));
    json_object_object_add(o, "candidates", codes_json(cands.text));
    if (!(t = candidacies_json(env, e->id))) {
        json_object_put(o);
        json_object_put(rounds);
        return api_internal_error(err, "reading the candidacies");
    }
    json_object_object_add(o, "candidacies", t);
    json_object_object_add(o, "winner", e->winner_city ? json_object_new_string(e->winner_code) : NULL);
    for (int32_t r = 1; r <= e->round; r++) {
        struct store_round sr;
        if (store_round_get(env->store, e->id, r, &sr) != 0) {
            json_object_put(o);
            json_object_put(rounds);
            return api_internal_error(err, "reading a round");
        }
        json_object_array_add(rounds, round_json(env, e->id, &sr));
        store_round_free(&sr);
    }
    json_object_object_add(o, "rounds", rounds);
    json_object_object_add(reply, "election", o);
    return 0;
}

/* ---- receipts, signed a batch at a time (docs/audit.md "Batch-signed receipts") ---- */

/* Adds the batch statement, its signature, and leaf `index`'s place and audit path in tree t to o. */
static void add_proof(struct json_object *o, const char *statement, const uint8_t sig[64], size_t index,
                      const struct merkle_tree *t)
{
    uint8_t path[MERKLE_PATH_MAX][32];
    size_t n = merkle_path(t, index, path);
    struct json_object *a = json_object_new_array_ext((int)n);

    for (size_t k = 0; k < n; k++)
        add_hex_item(a, path[k]);
    json_object_object_add(o, "receipt_batch", json_object_new_string(statement));
    api_add_hex(o, "receipt_batch_signature", sig, 64);
    json_object_object_add(o, "receipt_index", json_object_new_int64((int64_t)index));
    json_object_object_add(o, "receipt_path", a);
}

struct batch_leaves {
    uint8_t (*leaves)[32];
    size_t n, max;
};

static int take_leaf(void *ctx, int32_t index, const char *receipt)
{
    struct batch_leaves *b = ctx;

    if (index < 0 || (size_t)index != b->n || b->n == b->max || !receipt)
        return -1; /* the batch's receipts must be 0..leaves-1, each once */
    merkle_leaf_hash(receipt, strlen(receipt), b->leaves[b->n++]);
    return 0;
}

/* The proof of a stored receipt, rebuilt from its batch's stored receipts, into o. 0, or -1. */
static int stored_proof(struct api_env *env, int64_t batch, int32_t index, struct json_object *o)
{
    char statement[BALLOT_TEXT_MAX];
    uint8_t sig[64];
    struct batch_leaves b = {0};
    struct merkle_tree *t = NULL;
    int rc = -1;

    if (store_receipt_batch_get(env->store, batch, statement, sizeof(statement), sig, &b.max) != 0 || !b.max ||
        b.max > RECEIPT_BATCH_MAX || index < 0 || (size_t)index >= b.max || !(b.leaves = calloc(b.max, 32)))
        return -1;
    if (store_receipt_batch_each(env->store, batch, take_leaf, &b) == 0 && b.n == b.max &&
        (t = merkle_build((const uint8_t (*)[32])b.leaves, b.n))) {
        add_proof(o, statement, sig, (size_t)index, t);
        rc = 0;
    }
    merkle_free(t);
    free(b.leaves);
    return rc;
}

/* Adds the stored receipt of a ballot (with its signature or its proof) to an already_voted error, for a voter who resends after a lost reply. */
static void add_recorded_receipt(struct api_env *env, int64_t election, int32_t round, int64_t city_id,
                                 struct proto_error *err)
{
    struct store_receipt r;
    struct json_object *proof;
    char hex[129];

    if (store_ballot_receipt(env->store, election, round, city_id, &r) != 0)
        return;
    if (!r.batch) { /* signed alone (before schema 6) */
        identity_hex_encode(r.signature, 64, hex);
        (void)proto_error_detail(err, "receipt", r.text);
        (void)proto_error_detail_int(err, "seq", r.seq);
        (void)proto_error_detail(err, "receipt_signature", hex);
        return;
    }
    /* all or nothing: a receipt whose batch is not sealed yet (the same ballot twice in one commit) goes
     * without, its first copy's reply carries it */
    if (!(proof = json_object_new_object()))
        return;
    if (stored_proof(env, r.batch, r.index, proof) == 0) {
        identity_hex_encode(serverkey_public(env->key), 32, hex);
        (void)proto_error_detail(err, "receipt", r.text);
        (void)proto_error_detail_int(err, "seq", r.seq);
        (void)proto_error_detail(err, "server_key", hex);
        json_object_object_foreach(proof, key, value)
            (void)proto_error_detail_json(err, key, json_object_get(value));
    }
    json_object_put(proof);
}

/* ---- group commit ---- */

/* A ballot that passed every check and waits for the next commit. */
struct pending_ballot {
    uint64_t conn_id;
    struct json_object *id; /* the request's id, for the deferred reply */
    int64_t election, city_id, key_id, person_id;
    int64_t identity_epoch; /* the connection's, when the ballot came; -1: unknown */
    int32_t round;
    char city_code[33], choice[33];
    char *text;
    size_t len;
    uint8_t sig[64], hash[32];
};

/*
 * What every ballot of an open round is checked against, read once from the
 * round's poll instead of for every ballot: the fingerprint, the opening
 * time, the candidates and, for binary search, the present and eligible
 * city codes (the poll lists them sorted in byte order), and which eligible
 * cities have a ballot recorded in the round. Facts are kept only for rounds
 * found open; handle_advance forgets an election's facts before changing it,
 * and api_flush, inside its transaction, re-reads the state (and refuses a
 * ballot whose round closed meanwhile), so a kept fact can only let a ballot
 * reach the commit, never let it be recorded in a round that is not open.
 */
struct round_facts {
    bool valid;
    int64_t election, opened_ms;
    int32_t round;
    uint64_t used; /* when last looked up, for replacement */
    uint8_t fingerprint[32];
    char *poll;       /* a private copy; present[] and eligible[] point into it */
    char *candidates;
    const char **present, **eligible;
    size_t npresent, neligible;
    uint8_t *voted; /* per eligible[] item: 1 when the city's ballot in this round is recorded */
};

/* Open rounds whose facts are kept at once (elections open side by side at a summit). */
#define FACTS_KEPT 4

struct receipt_batch;

struct api_batch {
    struct pending_ballot *items;
    size_t count, cap;
    int64_t first_ms;               /* monotonic: when the oldest pending ballot joined */
    struct receipt_batch *receipts; /* the flush's receipts (made on the first flush, kept: it is large) */
    struct round_facts facts[FACTS_KEPT];
    uint64_t clock; /* counts lookups, for round_facts.used */
};

static void facts_clear(struct round_facts *f)
{
    free(f->poll);
    free(f->candidates);
    free(f->present);
    free(f->eligible);
    free(f->voted);
    memset(f, 0, sizeof(*f));
}

/* Splits a poll line's value in place into code pointers (its commas and line end become NULs). */
static int facts_split(char *p, const char ***out, size_t *n)
{
    char *end;
    size_t cap;

    *out = NULL;
    *n = 0;
    if (!p)
        return -1;
    end = strchr(p, '\n');
    if (!end)
        return -1;
    *end = '\0';
    cap = list_count(p) + 1;
    *out = calloc(cap, sizeof(**out));
    if (!*out)
        return -1;
    while (*p) {
        char *comma = strchr(p, ',');
        (*out)[(*n)++] = p;
        if (!comma)
            break;
        *comma = '\0';
        p = comma + 1;
    }
    return 0;
}

static int cmp_code(const void *key, const void *item)
{
    return strcmp((const char *)key, *(const char *const *)item);
}

/* The position of code in a sorted list of codes; -1 when absent. */
static ptrdiff_t facts_index(const char **list, size_t n, const char *code)
{
    const char **hit = n ? bsearch(code, list, n, sizeof(*list), cmp_code) : NULL;
    return hit ? hit - list : -1;
}

static bool facts_has(const char **list, size_t n, const char *code)
{
    return facts_index(list, n, code) >= 0;
}

/* The batch whose facts are used; unit tests have none: they keep facts here. */
static struct api_batch *facts_home(struct api_env *env)
{
    static struct api_batch none;
    return env->batch ? env->batch : &none;
}

/* The kept facts of an election's round, or NULL: then the caller reads the election. */
static struct round_facts *facts_find(struct api_env *env, int64_t election, int32_t round)
{
    struct api_batch *b = facts_home(env);

    for (size_t i = 0; i < FACTS_KEPT; i++) {
        struct round_facts *f = &b->facts[i];
        if (f->valid && f->election == election && f->round == round) {
            f->used = ++b->clock;
            return f;
        }
    }
    return NULL;
}

/* An election is about to change (a round opens or closes): its facts are no longer kept. */
static void facts_forget(struct api_env *env, int64_t election)
{
    struct api_batch *b = facts_home(env);

    for (size_t i = 0; i < FACTS_KEPT; i++)
        if (b->facts[i].valid && b->facts[i].election == election)
            facts_clear(&b->facts[i]);
}

static int mark_voted(void *ctx, const struct store_ballot_row *row)
{
    struct round_facts *f = ctx;
    ptrdiff_t i = facts_index(f->eligible, f->neligible, row->city_code);

    if (i >= 0)
        f->voted[i] = 1;
    return 0;
}

/* The facts of election e's round, which the caller found open: kept ones, or read now. NULL on failure. */
static struct round_facts *round_facts(struct api_env *env, const struct store_election *e)
{
    struct api_batch *b = facts_home(env);
    struct round_facts *f = facts_find(env, e->id, e->round);
    struct store_round r;
    char *present, *eligible;

    if (f)
        return f;
    f = &b->facts[0];
    for (size_t i = 1; i < FACTS_KEPT && f->valid; i++) /* an empty place, else the least recently used */
        if (!b->facts[i].valid || b->facts[i].used < f->used)
            f = &b->facts[i];
    facts_clear(f);
    if (store_round_get(env->store, e->id, e->round, &r) != 0)
        return NULL;
    if (!r.poll) {
        store_round_free(&r);
        return NULL;
    }
    f->election = e->id;
    f->round = e->round;
    f->opened_ms = r.opened_ms;
    memcpy(f->fingerprint, r.fingerprint, 32);
    f->poll = r.poll;
    f->candidates = r.candidates;
    r.poll = r.candidates = NULL;
    store_round_free(&r);
    /* find both lines before splitting either: splitting cuts the text at line ends */
    present = (char *)poll_line(f->poll, "present");
    eligible = (char *)poll_line(f->poll, "eligible");
    if (facts_split(present, &f->present, &f->npresent) != 0 ||
        facts_split(eligible, &f->eligible, &f->neligible) != 0 || !(f->voted = calloc(f->neligible + 1, 1)) ||
        store_ballots_each(env->store, e->id, e->round, mark_voted, f) != 0) {
        facts_clear(f);
        return NULL;
    }
    f->valid = true;
    f->used = ++b->clock;
    return f;
}

struct api_batch *api_batch_create(void)
{
    return calloc(1, sizeof(struct api_batch));
}

static void pending_clear(struct pending_ballot *p)
{
    json_object_put(p->id);
    free(p->text);
    memset(p, 0, sizeof(*p));
}

void api_batch_destroy(struct api_batch *batch)
{
    if (!batch)
        return;
    for (size_t i = 0; i < FACTS_KEPT; i++)
        facts_clear(&batch->facts[i]);
    free(batch->receipts);
    for (size_t i = 0; i < batch->count; i++)
        pending_clear(&batch->items[i]);
    free(batch->items);
    free(batch);
}

static void deliver(struct api_env *env, struct pending_ballot *p, struct json_object *fields, const struct proto_error *err)
{
    size_t len = 0;
    char *msg = fields ? proto_reply_ok(p->id, fields, &len) : proto_reply_error(p->id, err, &len);

    if (msg)
        env->reply_later(env->hub, p->conn_id, msg, len);
}

/* A reply ready to go out once the commit is durable. */
struct reply_text {
    char *text;
    size_t len;
};

/* The receipts of the flush's current batch: their leaf hashes, and what their replies are made of. */
struct receipt_batch {
    int64_t id; /* the batch's id, from store_receipt_batch_next; the next batch has id + 1 */
    int64_t epoch; /* the identity epoch, read in the recording transaction */
    size_t count;
    uint8_t leaves[RECEIPT_BATCH_MAX][32];
    struct receipt_entry {
        size_t item; /* the ballot's place in the flush */
        int64_t seq;
        int len;
        char text[BALLOT_TEXT_MAX];
    } r[RECEIPT_BATCH_MAX];
};

/* Appends formatted text at buf[*at]; -1 when it does not fit. */
static int put_text(char *buf, size_t cap, size_t *at, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int put_text(char *buf, size_t cap, size_t *at, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (*at >= cap)
        return -1;
    va_start(ap, fmt);
    n = vsnprintf(buf + *at, cap - *at, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= cap - *at)
        return -1;
    *at += (size_t)n;
    return 0;
}

/* Appends `"<hex of n bytes>"` at buf[*at] (public bytes: no need for a constant-time encoder); -1 when it does not fit. */
static int put_hex_string(char *buf, size_t cap, size_t *at, const uint8_t *b, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    char *p;

    if (*at + 2 * n + 3 > cap)
        return -1;
    p = buf + *at;
    *p++ = '"';
    for (size_t i = 0; i < n; i++) {
        *p++ = digits[b[i] >> 4];
        *p++ = digits[b[i] & 15];
    }
    *p++ = '"';
    *p = '\0';
    *at = (size_t)(p - buf);
    return 0;
}

/* Room for a receipt reply's members: two escaped texts of BALLOT_TEXT_MAX, a path, hex and names. */
#define RECEIPT_REPLY_MAX (4 * BALLOT_TEXT_MAX + MERKLE_PATH_MAX * 67 + 1024)

/*
 * Signs the batch's Merkle root, records the batch (in the caller's
 * transaction) and writes each receipt's reply (docs/protocol.md
 * election.cast) into out[item], as text: json-c objects for thousands of
 * replies a second cost more than the rest of the reply.
 */
static int seal_receipts(struct api_env *env, struct receipt_batch *rb, const struct pending_ballot *items,
                         struct reply_text *out)
{
    char statement[BALLOT_TEXT_MAX], tail[3 * BALLOT_TEXT_MAX], hex[129], *members = NULL;
    uint8_t root[32], sig[64], path[MERKLE_PATH_MAX][32];
    struct merkle_tree *t;
    int64_t now = timeutil_now_ms();
    size_t tn = 0;
    int len, rc = -1;

    if (!rb->count)
        return 0;
    if (!(t = merkle_build((const uint8_t (*)[32])rb->leaves, rb->count)))
        return -1;
    merkle_root(t, root);
    len = receipt_batch_format(rb->id, rb->count, root, now, statement);
    if (len <= 0 || serverkey_sign(env->key, (const uint8_t *)statement, (size_t)len, sig) != 0 ||
        store_receipt_batch_add(env->store, rb->id, statement, sig, rb->count, root, now) != 0 ||
        !(members = malloc(RECEIPT_REPLY_MAX)))
        goto done;
    /* what every reply of the batch shares, written once */
    identity_hex_encode(sig, 64, hex);
    if (put_text(tail, sizeof(tail), &tn, ",\"receipt_batch\":") ||
        proto_json_string(tail, sizeof(tail), &tn, statement, (size_t)len) ||
        put_text(tail, sizeof(tail), &tn, ",\"receipt_batch_signature\":\"%s\"", hex))
        goto done;
    identity_hex_encode(serverkey_public(env->key), 32, hex);
    if (put_text(tail, sizeof(tail), &tn, ",\"server_key\":\"%s\"", hex))
        goto done;
    for (size_t k = 0; k < rb->count; k++) {
        const struct receipt_entry *e = &rb->r[k];
        size_t at = 0, np = merkle_path(t, k, path);
        if (put_text(members, RECEIPT_REPLY_MAX, &at, "\"receipt\":") ||
            proto_json_string(members, RECEIPT_REPLY_MAX, &at, e->text, (size_t)e->len) ||
            put_text(members, RECEIPT_REPLY_MAX, &at, ",\"ballot_hash\":") ||
            put_hex_string(members, RECEIPT_REPLY_MAX, &at, items[e->item].hash, 32) ||
            put_text(members, RECEIPT_REPLY_MAX, &at, ",\"seq\":%lld,\"receipt_index\":%zu,\"receipt_path\":[",
                     (long long)e->seq, k))
            goto done;
        for (size_t j = 0; j < np; j++)
            if ((j && put_text(members, RECEIPT_REPLY_MAX, &at, ",")) ||
                put_hex_string(members, RECEIPT_REPLY_MAX, &at, path[j], 32))
                goto done;
        if (put_text(members, RECEIPT_REPLY_MAX, &at, "]%s", tail) ||
            !(out[e->item].text = proto_reply_ok_text(items[e->item].id, members, at, &out[e->item].len)))
            goto done;
    }
    rb->id++;
    rb->count = 0;
    rc = 0;
done:
    free(members);
    merkle_free(t);
    return rc;
}

/*
 * Records one pending ballot of a round known to be open, inside the flush's
 * transaction: *seq and chain are the election's tail, advanced on success;
 * the receipt takes the next place in rb (sealed when full, which writes the
 * replies of its receipts into out). 0 recorded, 1 refused (err), -1 failed.
 */
static int commit_one(struct api_env *env, const struct pending_ballot *items, size_t item, int64_t *seq,
                      uint8_t chain[32], struct receipt_batch *rb, struct reply_text *out, struct proto_error *err)
{
    const struct pending_ballot *p = &items[item];
    char receipt[BALLOT_TEXT_MAX], hex[65];
    uint8_t prev[32], next[32];
    int64_t now = timeutil_now_ms(), next_seq = *seq + 1;
    struct identity_session s;
    int rlen, rc;

    /* the voter's standing, as of the transaction that records: a key revoked, a person deactivated or a
     * role or city changed since sign-in (or since the ballot arrived) records nothing. Unchanged when no
     * person or key has changed since the connection read them (the identity epoch, read in this
     * transaction, is still theirs); else read again here. */
    if (p->identity_epoch >= 0 && p->identity_epoch == rb->epoch)
        goto standing_ok;
    rc = store_session_check(env->store, p->person_id, p->key_id, &s);
    if (rc < 0)
        return -1;
    if (rc > 0 || !s.key_active || !s.person_active) {
        if (rc == 0 && !s.key_active)
            api_fail(err, "key_revoked", NULL, "this key has been revoked; enroll this device again");
        else
            api_fail(err, "not_signed_in", NULL, "the session has ended; sign in again");
        return 1;
    }
    if (!(s.roles & ROLES_CITY_VOTE) || s.city_id != p->city_id) {
        api_fail(err, "forbidden", NULL, "a city's mayor or deputy casts its vote");
        return 1;
    }
standing_ok:
    /* the chain and receipt as if recorded; the tail moves only once the row is in (the table's
     * uniqueness, not a query before, decides whether the city has voted: one statement a ballot) */
    if (*seq == 0)
        ballot_chain_genesis(p->election, chain);
    ballot_chain_next(chain, p->hash, p->sig, next);
    rlen = receipt_format(p->election, p->round, next_seq, p->hash, next, now, receipt);
    if (rlen < 0)
        return -1;
    rc = store_ballot_add(env->store, p->election, p->round, p->city_id, next_seq, p->text, p->len, p->sig, p->key_id,
                          p->choice, p->hash, next, now, receipt, rb->id, (int32_t)rb->count);
    if (rc == 1) {
        if (store_ballot_of_city(env->store, p->election, p->round, p->city_id, prev) != 0)
            return -1; /* refused, yet no ballot of the city: the sequence number clashed, a bug */
        identity_hex_encode(prev, 32, hex);
        api_fail(err, "already_voted", "ballot", "%s has voted in this round; its ballot hash is %s", p->city_code, hex);
        (void)proto_error_detail(err, "ballot_hash", hex);
        if (!memcmp(prev, p->hash, 32))
            add_recorded_receipt(env, p->election, p->round, p->city_id, err); /* the same ballot twice at once */
        return 1;
    }
    if (rc != 0)
        return -1;
    *seq = next_seq;
    memcpy(chain, next, 32);
    merkle_leaf_hash(receipt, (size_t)rlen, rb->leaves[rb->count]);
    rb->r[rb->count].item = item;
    rb->r[rb->count].seq = next_seq;
    rb->r[rb->count].len = rlen;
    memcpy(rb->r[rb->count].text, receipt, (size_t)rlen + 1);
    rb->count++;
    return rb->count == RECEIPT_BATCH_MAX && seal_receipts(env, rb, items, out) != 0 ? -1 : 0;
}

static void publish_turnout(struct api_env *env, int64_t election, size_t recorded);

/* Moves a pending ballot (heap-held, consumed) into the batch. 0, or -1 when memory ran out. */
static int batch_add(struct api_env *env, struct pending_ballot *p)
{
    struct api_batch *bt = env->batch;

    if (bt->count == bt->cap) {
        size_t cap = bt->cap ? bt->cap * 2 : 64;
        struct pending_ballot *items = realloc(bt->items, cap * sizeof(*items));
        if (!items)
            return -1;
        bt->items = items;
        bt->cap = cap;
    }
    if (!bt->count)
        bt->first_ms = timeutil_monotonic_ms();
    bt->items[bt->count++] = *p;
    free(p);
    env->request_flush(env->hub);
    return 0;
}

bool api_commit_due(size_t pending, size_t verifying, int64_t waited_ms)
{
    /* every ballot whose signature is being checked is about to join: commit once with them (one fsync and
     * one signature for all), unless the batch is full or its oldest ballot has waited long enough */
    return !pending || pending >= RECEIPT_BATCH_MAX || !verifying || waited_ms >= API_FLUSH_WAIT_MAX_MS;
}

bool api_flush_due(struct api_env *env)
{
    const struct api_batch *b = env->batch;

    if (!b || !b->count)
        return true;
    return api_commit_due(b->count, env->verifier ? verify_outstanding(env->verifier) : 0,
                          timeutil_monotonic_ms() - b->first_ms);
}

void api_collect_verified(struct api_env *env)
{
    struct verify_job *j;

    if (!env->verifier)
        return;
    j = verify_take_done(env->verifier);
    while (j) {
        struct verify_job *next = j->next;
        struct pending_ballot *p = j->payload;
        struct proto_error e;
        if (!j->ok) {
            api_fail(&e, "bad_signature", "signature", "the signature does not verify over the ballot");
            deliver(env, p, NULL, &e);
        } else if (batch_add(env, p) != 0) {
            proto_fail(&e, PROTO_INTERNAL, NULL, "out of memory; nothing was recorded; send the ballot again");
            deliver(env, p, NULL, &e);
        } else {
            p = NULL;
        }
        if (p) {
            pending_clear(p);
            free(p);
        }
        free(j);
        j = next;
    }
}

/* Every ballot submitted for checking is checked and in the batch (or refused): the batch is complete. */
static void settle(struct api_env *env)
{
    if (env->verifier) {
        verify_drain(env->verifier);
        api_collect_verified(env);
    }
    api_flush(env);
}

void api_flush(struct api_env *env)
{
    struct api_batch *b = env->batch;
    struct reply_text *out;    /* per item recorded: its receipt reply */
    struct proto_error **errs; /* per item refused: why (allocated then) */
    int *state;                /* per item: 0 receipt, 1 refused (errs), -1 failed */
    size_t n;
    bool ok = true;

    if (!b || !b->count)
        return;
    n = b->count;
    out = calloc(n, sizeof(*out));
    errs = calloc(n, sizeof(*errs));
    state = calloc(n, sizeof(*state));
    if (!b->receipts)
        b->receipts = malloc(sizeof(*b->receipts)); /* kept for the next flushes: it is large */
    if (!out || !errs || !state || !b->receipts || store_begin(env->store) != 0)
        ok = false;
    else if (store_receipt_batch_next(env->store, &b->receipts->id) != 0 ||
             store_identity_epoch(env->store, &b->receipts->epoch) != 0)
        ok = false;
    if (b->receipts)
        b->receipts->count = 0;
    /* the election's tail (seq, chain) and state, read inside the transaction once per election
     * met in the batch and carried from ballot to ballot (nothing else writes during the flush) */
    int64_t tail_election = 0, seq = 0;
    uint8_t chain[32];
    struct store_election tail;
    for (size_t i = 0; ok && i < n; i++) {
        struct pending_ballot *p = &b->items[i];
        struct proto_error why;
        if (p->election != tail_election) {
            int rc = store_election_get(env->store, p->election, &tail);
            if (rc < 0 || store_ballot_last(env->store, p->election, &seq, chain) != 0) {
                ok = false;
                break;
            }
            if (rc > 0)
                tail.state[0] = '\0';
            tail_election = p->election;
        }
        if (strcmp(tail.state, "open") || tail.round != p->round) {
            /* the round closed while this ballot waited: it is not recorded */
            api_fail(&why, "not_open", "ballot", "the round closed before this ballot could be recorded");
            state[i] = 1;
        } else {
            state[i] = commit_one(env, b->items, i, &seq, chain, b->receipts, out, &why);
        }
        if (state[i] == 1 && !(errs[i] = malloc(sizeof(why))))
            state[i] = -1;
        else if (state[i] == 1)
            *errs[i] = why;
        if (state[i] < 0)
            ok = false;
    }
    if (ok && (seal_receipts(env, b->receipts, b->items, out) != 0 || store_commit(env->store) != 0))
        ok = false;
    if (!ok)
        store_rollback(env->store);
    /* durable (or failed as a whole): only now does any voter hear about it */
    for (size_t i = 0; i < n; i++) {
        struct pending_ballot *p = &b->items[i];
        if (!ok) {
            struct proto_error e;
            proto_fail(&e, PROTO_INTERNAL, NULL, "the server could not record the ballot; nothing was recorded; send it again");
            deliver(env, p, NULL, &e);
        } else if (state[i] == 0) {
            env->reply_later(env->hub, p->conn_id, out[i].text, out[i].len); /* takes the text */
            out[i].text = NULL;
        } else {
            deliver(env, p, NULL, errs[i]);
        }
    }
    if (ok) {
        for (size_t i = 0; i < n; i++) { /* kept facts learn who has voted */
            struct round_facts *f = state[i] == 0 ? facts_find(env, b->items[i].election, b->items[i].round) : NULL;
            ptrdiff_t at = f ? facts_index(f->eligible, f->neligible, b->items[i].city_code) : -1;
            if (at >= 0)
                f->voted[at] = 1;
        }
        for (size_t i = 0; i < n; i++) { /* per election: one turnout event per ballot recorded, in order */
            size_t recorded = 0;
            bool seen = false;
            for (size_t j = 0; j < i; j++)
                seen = seen || b->items[j].election == b->items[i].election;
            if (seen)
                continue;
            for (size_t j = i; j < n; j++)
                recorded += b->items[j].election == b->items[i].election && state[j] == 0;
            if (recorded)
                publish_turnout(env, b->items[i].election, recorded);
        }
    } else {
        log_error("election: a batch of %zu ballots could not be committed", n);
    }
    for (size_t i = 0; i < n; i++) {
        pending_clear(&b->items[i]);
        free(errs ? errs[i] : NULL);
        free(out ? out[i].text : NULL);
    }
    b->count = 0;
    free(out);
    free(errs);
    free(state);
}

/* ---- handlers ---- */

static int handle_create(struct api_env *env, struct api_conn *conn, const struct proto_request *req,
                         struct json_object *reply, struct proto_error *err)
{
    const char *title = api_str(req, "title");
    int64_t summit = api_int(req, "summit", 0), qnum = api_int(req, "quorum_num", 1), qden = api_int(req, "quorum_den", 2);
    char starts[11], details[96];
    struct store_election e;
    int32_t year;
    int64_t id = 0;
    int rc;

    if ((api_get(req, "quorum_num") != NULL) != (api_get(req, "quorum_den") != NULL))
        return api_fail(err, "bad_request", "quorum_den", "give both quorum_num and quorum_den, or neither");
    if (qnum > qden)
        return api_fail(err, "bad_request", "quorum_num", "the quorum fraction must be at most 1");
    for (const char *p = title; *p; p++)
        if ((unsigned char)*p < 0x20)
            return api_fail(err, "bad_request", "title", "the title must be one line");
    rc = store_summit_brief(env->store, summit, starts, &year);
    if (rc < 0)
        return api_internal_error(err, "reading the summit");
    if (rc > 0)
        return api_fail(err, "not_found", "summit", "no such summit");
    snprintf(details, sizeof(details), "{\"summit\":%lld,\"quorum\":\"%lld/%lld\"}", (long long)summit, (long long)qnum,
             (long long)qden);
    if (store_begin(env->store) != 0)
        return api_internal_error(err, "starting a transaction");
    if (store_election_add(env->store, summit, title, (uint32_t)qnum, (uint32_t)qden, &id) != 0 ||
        history(env, conn, "election.create", id, details) != 0 || store_commit(env->store) != 0) {
        store_rollback(env->store);
        return api_internal_error(err, "creating the election");
    }
    if (store_election_get(env->store, id, &e) != 0)
        return api_internal_error(err, "reading the election");
    return election_json(env, &e, reply, err);
}

/* A city may stand: a member (not suspended) that does not hold the current term. */
static int check_can_stand(struct api_env *env, const struct store_election *e, int64_t city_id,
                           struct proto_error *err)
{
    struct store_city_ref c;
    char starts[11];
    int32_t year;
    int64_t president = 0;
    int rc;

    if (store_city_by_id(env->store, city_id, &c) != 0 || store_summit_brief(env->store, e->summit_id, starts, &year) != 0)
        return api_internal_error(err, "reading the city");
    if (strcmp(c.status, "member"))
        return api_fail(err, "not_eligible", "election", "%s is not a member in good standing (status %s)", c.code,
                        c.status);
    rc = store_president_on(env->store, starts, &president);
    if (rc < 0)
        return api_internal_error(err, "reading the presidency");
    if (rc == 0 && president == city_id)
        return api_fail(err, "not_eligible", "election",
                        "%s holds the current term; the presidency cannot be held two terms in a row", c.code);
    return 0;
}

/*
 * After a committed change of election `id`: the election.changed event to
 * its watchers (docs/protocol.md), with the state, the round, the standing
 * candidates and the current round's candidates as they are now. `change`
 * names what happened; `city` (or NULL) the city that declared or withdrew,
 * `by` (or NULL) who withdrew it ("city", "secretariat"); `dropped`
 * (borrowed, or NULL) the candidates dropped when the list froze.
 * Nothing is read when nobody watches. A failed read is logged and the event
 * is not sent: a watcher that misses it sees the change when it reads again.
 */
static void publish_changed(struct api_env *env, int64_t id, const char *change, const char *city, const char *by,
                            struct json_object *dropped)
{
    struct json_object *ev;
    struct store_election e;
    struct store_round r;
    struct codes *cands;

    if (!env->publish || !env->watchers)
        return;
    memset(&r, 0, sizeof(r));
    cands = calloc(1, sizeof(*cands));
    if (!cands || store_election_get(env->store, id, &e) != 0 ||
        store_candidacies_each(env->store, id, add_code, cands) != 0 ||
        (e.round > 0 && store_round_get(env->store, id, e.round, &r) != 0)) {
        log_error("election: election.changed (%s) for election %lld not sent: a read failed", change, (long long)id);
        free(cands);
        return;
    }
    ev = json_object_new_object();
    json_object_object_add(ev, "election", json_object_new_int64(e.id));
    json_object_object_add(ev, "change", json_object_new_string(change));
    json_object_object_add(ev, "state", json_object_new_string(e.state));
    json_object_object_add(ev, "round", json_object_new_int(e.round));
    json_object_object_add(ev, "candidates", codes_json(cands->text));
    json_object_object_add(ev, "round_candidates", codes_json(r.candidates));
    json_object_object_add(ev, "winner", e.winner_city ? json_object_new_string(e.winner_code) : NULL);
    if (city)
        json_object_object_add(ev, "city", json_object_new_string(city));
    if (by)
        json_object_object_add(ev, "by", json_object_new_string(by));
    if (dropped)
        json_object_object_add(ev, "dropped", json_object_get(dropped));
    env->publish(env->hub, e.id, "election.changed", ev);
    json_object_put(ev);
    store_round_free(&r);
    free(cands);
}

/* History details naming a city (and, when by is not NULL, who acted for it): {"city": ..., "by": ...}. */
static int candidacy_history(struct api_env *env, struct api_conn *conn, const char *action, int64_t election,
                             const char *city, const char *by)
{
    struct json_object *d = json_object_new_object();
    int rc;

    json_object_object_add(d, "city", json_object_new_string(city));
    if (by)
        json_object_object_add(d, "by", json_object_new_string(by));
    rc = history(env, conn, action, election, json_object_to_json_string_ext(d, JSON_C_TO_STRING_PLAIN));
    json_object_put(d);
    return rc;
}

static int handle_declare(struct api_env *env, struct api_conn *conn, const struct proto_request *req,
                          struct json_object *reply, struct proto_error *err)
{
    struct store_election e;
    struct store_city_ref city;
    int rc;

    if (!(conn->roles & ROLES_CITY_VOTE) || !conn->city_id)
        return api_fail(err, "forbidden", NULL, "a city's mayor (or deputy) declares its candidacy");
    if (load_election(env, req, &e, err))
        return -1;
    if (strcmp(e.state, "candidacy"))
        return api_fail(err, "conflict", "election", "candidacies are not open (the election is %s)", e.state);
    if (check_can_stand(env, &e, conn->city_id, err))
        return -1;
    if (store_city_by_id(env->store, conn->city_id, &city) != 0)
        return api_internal_error(err, "reading the city");
    if (store_begin(env->store) != 0)
        return api_internal_error(err, "starting a transaction");
    /* new, or withdrawn and declared again: it stands (again); standing already: nothing changes */
    rc = store_candidacy_add(env->store, e.id, conn->city_id, conn->person_id);
    if (rc < 0 || (rc == 0 && candidacy_history(env, conn, "election.declare", e.id, city.code, NULL) != 0) ||
        store_commit(env->store) != 0) {
        store_rollback(env->store);
        return api_internal_error(err, "recording the candidacy");
    }
    if (rc == 0)
        publish_changed(env, e.id, "declared", city.code, NULL, NULL);
    return election_json(env, &e, reply, err); /* declaring twice changes nothing */
}

/*
 * election.withdraw: ends a candidacy while candidacies are open. A city's
 * mayor or deputy withdraws their own city's (`city` may be left out); the
 * secretariat any city's (`city` required). Refused once the list is frozen
 * (the first round opened). Withdrawing a withdrawn candidacy changes
 * nothing; a city that never declared is not_candidate. The city may
 * declare again while candidacies are open.
 */
static int handle_withdraw(struct api_env *env, struct api_conn *conn, const struct proto_request *req,
                           struct json_object *reply, struct proto_error *err)
{
    const char *code = api_str(req, "city");
    bool by_secretariat = (conn->roles & ROLES_SECRETARIAT) != 0;
    struct store_election e;
    struct store_candidacy c;
    struct store_city_ref own;
    int64_t city_id = 0;
    char status[16];
    int rc;

    if (code && !membership_code_is_valid(code))
        return api_fail(err, "bad_request", "city", "field 'city' must be a city code (lower-case letters, digits and '-')");
    if (by_secretariat) {
        if (!code)
            return api_fail(err, "bad_request", "city", "field 'city' is required: name the city whose candidacy ends");
    } else if (!(conn->roles & ROLES_CITY_VOTE) || !conn->city_id) {
        return api_fail(err, "forbidden", NULL, "a city's mayor (or deputy), or the secretariat, withdraws a candidacy");
    } else {
        if (store_city_by_id(env->store, conn->city_id, &own) != 0)
            return api_internal_error(err, "reading the city");
        if (code && strcmp(code, own.code))
            return api_fail(err, "forbidden", "city", "only the secretariat may withdraw another city's candidacy");
        code = own.code;
        city_id = own.id;
    }
    if (load_election(env, req, &e, err))
        return -1;
    if (by_secretariat) {
        rc = store_city_lookup(env->store, code, &city_id, status);
        if (rc < 0)
            return api_internal_error(err, "reading the city");
        if (rc > 0)
            return api_fail(err, "not_found", "city", "no city has the code '%s'", code);
    }
    if (!strcmp(e.state, "draft"))
        return api_fail(err, "conflict", "election", "candidacies are not open (the election is a draft)");
    if (strcmp(e.state, "candidacy"))
        return api_fail(err, "conflict", "election",
                        "the candidate list is frozen (the election is %s): a candidacy can no longer be withdrawn",
                        e.state);
    rc = store_candidacy_get(env->store, e.id, city_id, &c);
    if (rc < 0)
        return api_internal_error(err, "reading the candidacy");
    if (rc > 0)
        return api_fail(err, "not_candidate", "city", "%s has not declared a candidacy in this election", code);
    if (c.withdrawn_ms)
        return election_json(env, &e, reply, err); /* withdrawn already: nothing changes */
    if (store_begin(env->store) != 0)
        return api_internal_error(err, "starting a transaction");
    rc = store_candidacy_withdraw(env->store, e.id, city_id);
    if (rc != 0 ||
        candidacy_history(env, conn, "election.withdraw", e.id, code, by_secretariat ? "secretariat" : "city") != 0 ||
        store_commit(env->store) != 0) {
        store_rollback(env->store);
        return api_internal_error(err, "withdrawing the candidacy");
    }
    publish_changed(env, e.id, "withdrawn", code, by_secretariat ? "secretariat" : "city", NULL);
    return election_json(env, &e, reply, err);
}

struct keys_ctx {
    const char *eligible;
    char *lines; /* "code hex\n" lines, to be sorted */
    size_t len, cap, n;
};

static int collect_key(void *ctx, const char *code, const uint8_t pk[32])
{
    struct keys_ctx *k = ctx;
    char hex[65];

    if (!in_list(k->eligible, code))
        return 0;
    if (k->len + strlen(code) + 67 > k->cap) {
        size_t cap = k->cap ? k->cap * 2 : 4096;
        char *p = realloc(k->lines, cap);
        if (!p)
            return -1;
        k->lines = p;
        k->cap = cap;
    }
    identity_hex_encode(pk, 32, hex);
    k->len += (size_t)sprintf(k->lines + k->len, "%s %s\n", code, hex);
    k->n++;
    return 0;
}

static int cmp_lines(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* SHA-256 over the sorted "CODE HEX\n" lines of the eligible cities' voting keys (docs/audit.md). */
static int eligible_keys_hash(struct api_env *env, const char *eligible, uint8_t out[32])
{
    struct keys_ctx k = {eligible, NULL, 0, 0, 0};
    crypto_hash_sha256_state h;
    char **v = NULL;
    size_t i = 0;
    int rc = -1;

    if (store_voting_keys_each(env->store, collect_key, &k) != 0)
        goto out;
    v = calloc(k.n + 1, sizeof(*v));
    if (!v)
        goto out;
    for (char *p = k.lines; p && i < k.n; i++) {
        char *nl = strchr(p, '\n');
        v[i] = p;
        *nl = '\0';
        p = nl + 1;
    }
    qsort(v, k.n, sizeof(*v), cmp_lines);
    crypto_hash_sha256_init(&h);
    for (i = 0; i < k.n; i++) {
        crypto_hash_sha256_update(&h, (const uint8_t *)v[i], strlen(v[i]));
        crypto_hash_sha256_update(&h, (const uint8_t *)"\n", 1);
    }
    crypto_hash_sha256_final(&h, out);
    rc = 0;
out:
    free(v);
    free(k.lines);
    return rc;
}

static int count_members(void *ctx, const struct store_city_ref *c)
{
    (void)c;
    (*(uint32_t *)ctx)++;
    return 0;
}

/* Opens round `round` (already added): the signed poll, the quorum record at opening. */
static int open_round(struct api_env *env, struct api_conn *conn, const struct store_election *e, int32_t round,
                      struct proto_error *err)
{
    struct codes present, eligible, counted;
    struct store_round r;
    struct poll p;
    char *poll = malloc(POLL_TEXT_MAX), quorum_open[160];
    uint8_t fingerprint[32], sig[64];
    uint32_t members = 0;
    struct election_quorum_rule rule = {e->quorum_num, e->quorum_den};
    int len, rc = -1;

    memset(&present, 0, sizeof(present));
    memset(&eligible, 0, sizeof(eligible));
    memset(&counted, 0, sizeof(counted));
    if (!poll || store_round_get(env->store, e->id, round, &r) != 0) {
        free(poll);
        return api_internal_error(err, "reading the round");
    }
    if (store_member_cities_each(env->store, count_members, &members) != 0 ||
        store_summit_present_each(env->store, e->summit_id, add_code, &present) != 0 ||
        store_summit_present_each(env->store, e->summit_id, add_member_code, &eligible) != 0 ||
        store_summit_present_each(env->store, e->summit_id, add_quorum_code, &counted) != 0 || present.overflow ||
        eligible.overflow || counted.overflow) {
        api_internal_error(err, "reading attendance");
        goto out;
    }
    memset(&p, 0, sizeof(p));
    p.election = e->id;
    p.round = round;
    p.is_runoff = !strcmp(r.kind, "runoff");
    p.candidates = r.candidates;
    p.quorum_num = e->quorum_num;
    p.quorum_den = e->quorum_den;
    p.members = members;
    p.present = present.text;
    p.eligible = eligible.text;
    p.opened_ms = timeutil_now_ms();
    if (eligible_keys_hash(env, eligible.text, p.eligible_keys_sha256) != 0 || (len = poll_format(&p, poll)) < 0 ||
        serverkey_sign(env->key, (const uint8_t *)poll, (size_t)len, sig) != 0) {
        api_internal_error(err, "making the poll");
        goto out;
    }
    ballot_sha256(poll, (size_t)len, fingerprint);
    snprintf(quorum_open, sizeof(quorum_open), "{\"members\":%u,\"present\":%zu,\"threshold\":%llu,\"met\":%s}",
             members, counted.count, (unsigned long long)election_quorum_threshold(rule, members),
             election_quorum_met(rule, members, counted.count) ? "true" : "false");
    if (store_round_open(env->store, e->id, round, poll, sig, fingerprint, p.opened_ms, quorum_open) != 0 ||
        store_election_set(env->store, e->id, "open", round, 0) != 0 ||
        history(env, conn, "election.open", e->id, quorum_open) != 0) {
        api_internal_error(err, "opening the round");
        goto out;
    }
    rc = 0;
out:
    store_round_free(&r);
    free(poll);
    return rc;
}

struct roll_ctx {
    struct json_object *roll;
    const struct count_ctx *counted;
    const struct codes *present;
};

static int roll_city(void *ctx, const struct store_city_ref *c)
{
    struct roll_ctx *r = ctx;
    struct json_object *o = json_object_new_object();
    const char *status = in_list(r->counted->voted.text, c->code)       ? "voted"
                         : in_list(r->counted->abstained.text, c->code) ? "abstained"
                         : in_list(r->present->text, c->code)           ? "present_not_voting"
                                                                        : "absent";

    json_object_object_add(o, "city", json_object_new_string(c->code));
    json_object_object_add(o, "status", json_object_new_string(status));
    json_object_array_add(r->roll, o);
    return 0;
}

/* Closes the open round: count, quorum at closing, roll call, signed chain head; decides what follows. */
static int close_round(struct api_env *env, struct api_conn *conn, const struct store_election *e,
                       struct json_object **event_out, struct proto_error *err)
{
    struct election_quorum_rule rule = {e->quorum_num, e->quorum_den};
    struct json_object *res = json_object_new_object(), *q = json_object_new_object(), *counts = json_object_new_object();
    struct election_result er;
    struct count_ctx cc;
    struct codes present, counted;
    struct roll_ctx roll;
    struct store_round r;
    uint8_t chain[32], sig[64];
    char head[BALLOT_TEXT_MAX];
    const char *outcome, *state = "closed";
    uint32_t members = 0;
    int64_t seq = 0, winner_city = 0, now = timeutil_now_ms();
    bool met;
    int rc = -1, hlen;

    memset(&cc, 0, sizeof(cc));
    memset(&present, 0, sizeof(present));
    memset(&counted, 0, sizeof(counted));
    memset(&r, 0, sizeof(r));
    cc.hashes = json_object_new_array();
    if (store_round_get(env->store, e->id, e->round, &r) != 0 ||
        store_member_cities_each(env->store, count_members, &members) != 0 ||
        store_summit_present_each(env->store, e->summit_id, add_code, &present) != 0 ||
        store_summit_present_each(env->store, e->summit_id, add_quorum_code, &counted) != 0) {
        api_internal_error(err, "reading the round");
        goto out;
    }
    split_candidates(&cc, r.candidates);
    if (store_ballots_each(env->store, e->id, e->round, count_ballot, &cc) != 0 ||
        store_ballot_last(env->store, e->id, &seq, chain) != 0) {
        api_internal_error(err, "counting");
        goto out;
    }
    if (seq == 0)
        ballot_chain_genesis(e->id, chain);
    met = election_quorum_met(rule, members, counted.count);
    json_object_object_add(q, "members", json_object_new_int64(members));
    json_object_object_add(q, "present", json_object_new_int64((int64_t)counted.count));
    json_object_object_add(q, "threshold", json_object_new_int64((int64_t)election_quorum_threshold(rule, members)));
    json_object_object_add(q, "met", json_object_new_boolean(met));
    json_object_object_add(q, "ballots", json_object_new_int64((int64_t)cc.ballots));
    json_object_object_add(q, "abstentions", json_object_new_int64((int64_t)cc.abstentions));
    for (size_t i = 0; i < cc.ncand; i++)
        json_object_object_add(counts, cc.cand[i], json_object_new_int64((int64_t)cc.votes[i]));
    if (election_decide(strcmp(r.kind, "runoff") ? ELECTION_FIRST_ROUND : ELECTION_RUNOFF, cc.votes, cc.ncand,
                        cc.abstentions, &er) != 0) {
        api_internal_error(err, "deciding");
        goto out;
    }
    json_object_object_add(res, "quorum", q);
    json_object_object_add(res, "counts", counts);
    json_object_object_add(res, "abstentions", json_object_new_int64((int64_t)cc.abstentions));
    q = counts = NULL;
    {
        struct json_object *next = json_object_new_array();
        if (!met) {
            outcome = "no_quorum";
        } else if (er.outcome == ELECTION_ELECTED) {
            char status[16];
            outcome = "elected";
            state = "decided";
            json_object_object_add(res, "winner", json_object_new_string(cc.cand[er.winner]));
            if (store_city_lookup(env->store, cc.cand[er.winner], &winner_city, status) != 0) {
                json_object_put(next);
                api_internal_error(err, "reading the winner");
                goto out;
            }
        } else if (er.outcome == ELECTION_RUNOFF_NEEDED) {
            outcome = "runoff";
            for (size_t i = 0; i < er.next_count; i++)
                json_object_array_add(next, json_object_new_string(cc.cand[er.next[i]]));
        } else {
            outcome = "no_votes";
        }
        json_object_object_add(res, "outcome", json_object_new_string(outcome));
        if (!json_object_object_get_ex(res, "winner", NULL))
            json_object_object_add(res, "winner", NULL);
        json_object_object_add(res, "next", next);
    }
    roll.roll = json_object_new_array();
    roll.counted = &cc;
    roll.present = &present;
    if (store_member_cities_each(env->store, roll_city, &roll) != 0) {
        json_object_put(roll.roll);
        api_internal_error(err, "the roll call");
        goto out;
    }
    json_object_object_add(res, "roll_call", roll.roll);
    json_object_object_add(res, "ballots", cc.hashes);
    cc.hashes = NULL;
    hlen = chain_head_format(e->id, e->round, seq, chain, now, head);
    if (hlen < 0 || serverkey_sign(env->key, (const uint8_t *)head, (size_t)hlen, sig) != 0) {
        api_internal_error(err, "signing the chain head");
        goto out;
    }
    if (store_round_close(env->store, e->id, e->round, now,
                          json_object_to_json_string_ext(res, JSON_C_TO_STRING_PLAIN), head, sig) != 0 ||
        store_election_set(env->store, e->id, state, e->round, winner_city) != 0 ||
        (winner_city && store_presidency_pending_add(env->store, winner_city, e->id, e->summit_id) != 0) ||
        history(env, conn, "election.close", e->id, json_object_to_json_string_ext(res, JSON_C_TO_STRING_PLAIN)) != 0) {
        api_internal_error(err, "closing the round");
        goto out;
    }
    *event_out = json_object_new_object();
    json_object_object_add(*event_out, "election", json_object_new_int64(e->id));
    json_object_object_add(*event_out, "round", json_object_new_int(e->round));
    json_object_object_add(*event_out, "result", json_object_get(res));
    json_object_object_add(*event_out, "chain_head", json_object_new_string(head));
    api_add_hex(*event_out, "chain_head_signature", sig, 64);
    rc = 0;
out:
    json_object_put(res);
    json_object_put(q);
    json_object_put(counts);
    json_object_put(cc.hashes);
    store_round_free(&r);
    return rc;
}

/* The candidates of the next round: the last round's `next` (a runoff), or its own (no quorum, no votes). */
static int next_round_candidates(struct api_env *env, const struct store_election *e, char *out, size_t outlen,
                                 bool *runoff, struct proto_error *err)
{
    struct store_round r;
    struct json_object *res, *next, *outcome;
    size_t len = 0;

    if (store_round_get(env->store, e->id, e->round, &r) != 0)
        return api_internal_error(err, "reading the last round");
    res = r.result ? json_tokener_parse(r.result) : NULL;
    if (!res || !json_object_object_get_ex(res, "next", &next) || !json_object_object_get_ex(res, "outcome", &outcome)) {
        json_object_put(res);
        store_round_free(&r);
        return api_internal_error(err, "reading the last result");
    }
    *runoff = !strcmp(json_object_get_string(outcome), "runoff") || !strcmp(r.kind, "runoff");
    out[0] = '\0';
    if (!strcmp(json_object_get_string(outcome), "runoff")) {
        for (size_t i = 0; i < json_object_array_length(next); i++)
            len += (size_t)snprintf(out + len, outlen - len, "%s%s", i ? "," : "",
                                    json_object_get_string(json_object_array_get_idx(next, i)));
    } else {
        snprintf(out, outlen, "%s", r.candidates);
    }
    json_object_put(res);
    store_round_free(&r);
    return 0;
}

static int handle_advance(struct api_env *env, struct api_conn *conn, const struct proto_request *req,
                          struct json_object *reply, struct proto_error *err)
{
    const char *to = api_str(req, "to");
    struct json_object *event = NULL, *opened = NULL, *dropped = NULL;
    struct store_election e;
    const char *change = NULL;
    int rc = 0;

    settle(env); /* a round closes only after every ballot that arrived before it is committed (or refused) */
    if (load_election(env, req, &e, err))
        return -1;
    facts_forget(env, e.id); /* read anew on the next ballot, in whatever state this leaves the election */
    if (!strcmp(to, e.state) || (!strcmp(to, "closed") && !strcmp(e.state, "decided")))
        return election_json(env, &e, reply, err); /* idempotent */
    if (store_begin(env->store) != 0)
        return api_internal_error(err, "starting a transaction");
    if (!strcmp(to, "candidacy") && !strcmp(e.state, "draft")) {
        rc = store_election_set(env->store, e.id, "candidacy", 0, 0) || history(env, conn, "election.candidacy", e.id, NULL)
                 ? api_internal_error(err, "opening candidacies")
                 : 0;
        change = "candidacy";
    } else if (!strcmp(to, "open") && (!strcmp(e.state, "candidacy") || !strcmp(e.state, "closed"))) {
        char cands[CODES_MAX];
        bool runoff = false;
        change = "opened";
        if (!strcmp(e.state, "candidacy")) {
            struct codes c;
            memset(&c, 0, sizeof(c));
            /* freeze the list, checking every candidate again */
            struct codes kept;
            memset(&kept, 0, sizeof(kept));
            dropped = json_object_new_array(); /* for the election.changed event */
            rc = store_candidacies_each(env->store, e.id, add_code, &c) ? api_internal_error(err, "reading candidacies") : 0;
            /* freezing re-checks every candidate: one that may no longer stand drops out, on the record */
            for (size_t i = 0; !rc && i < c.count; i++) {
                struct proto_error why;
                struct store_city_ref ref;
                if (store_city_by_id(env->store, c.ids[i], &ref) != 0) {
                    rc = api_internal_error(err, "reading a candidate");
                } else if (check_can_stand(env, &e, c.ids[i], &why) == 0) {
                    add_code(&kept, &ref);
                } else if (why.code == PROTO_DOMAIN) {
                    struct json_object *d = json_object_new_object();
                    json_object_object_add(d, "city", json_object_new_string(ref.code));
                    json_object_object_add(d, "reason", json_object_new_string(why.message));
                    rc = store_candidacy_drop(env->store, e.id, ref.id) ||
                                 history(env, conn, "election.candidate_dropped", e.id,
                                         json_object_to_json_string_ext(d, JSON_C_TO_STRING_PLAIN))
                             ? api_internal_error(err, "recording a dropped candidacy")
                             : 0;
                    json_object_put(d);
                    json_object_array_add(dropped, json_object_new_string(ref.code));
                } else {
                    *err = why;
                    rc = -1;
                }
            }
            if (!rc && kept.count == 0)
                rc = api_fail(err, "conflict", "to", "no city that may stand has declared its candidacy");
            snprintf(cands, sizeof(cands), "%s", kept.text);
        } else {
            rc = next_round_candidates(env, &e, cands, sizeof(cands), &runoff, err);
        }
        if (!rc && store_round_add(env->store, e.id, e.round + 1, runoff ? "runoff" : "first", cands) != 0)
            rc = api_internal_error(err, "adding the round");
        if (!rc)
            rc = open_round(env, conn, &e, e.round + 1, err);
    } else if (!strcmp(to, "closed") && !strcmp(e.state, "open")) {
        rc = close_round(env, conn, &e, &event, err);
        change = "closed";
    } else {
        rc = api_fail(err, "conflict", "to", "an election that is %s cannot go to %s", e.state, to);
    }
    if (rc != 0 || store_commit(env->store) != 0) {
        store_rollback(env->store);
        json_object_put(event);
        json_object_put(dropped);
        return rc ? -1 : api_internal_error(err, "committing");
    }
    if (store_election_get(env->store, e.id, &e) != 0) {
        json_object_put(event);
        json_object_put(dropped);
        return api_internal_error(err, "reading the election");
    }
    if (env->publish && event)
        env->publish(env->hub, e.id, "election.closed", event);
    json_object_put(event);
    if (env->publish && !strcmp(e.state, "open")) {
        struct store_round r;
        if (store_round_get(env->store, e.id, e.round, &r) == 0) {
            opened = json_object_new_object();
            json_object_object_add(opened, "election", json_object_new_int64(e.id));
            json_object_object_add(opened, "round", json_object_new_int(e.round));
            json_object_object_add(opened, "poll", json_object_new_string(r.poll ? r.poll : ""));
            api_add_hex(opened, "poll_signature", r.poll_signature, 64);
            env->publish(env->hub, e.id, "election.opened", opened);
            json_object_put(opened);
            store_round_free(&r);
        }
    }
    /* after the step's own event: the election as it now is, for pages that only refresh */
    publish_changed(env, e.id, change, NULL, NULL, dropped);
    json_object_put(dropped);
    return election_json(env, &e, reply, err);
}

struct not_voted_ctx {
    struct api_env *env;
    int64_t election;
    int32_t round;
    const char *eligible;
    struct json_object *list;
};

static int add_not_voted(void *ctx, const struct store_city_ref *c)
{
    struct not_voted_ctx *n = ctx;
    uint8_t h[32];

    if (in_list(n->eligible, c->code) && store_ballot_of_city(n->env->store, n->election, n->round, c->id, h) == 1)
        json_object_array_add(n->list, json_object_new_string(c->code));
    return 0;
}

static int handle_get(struct api_env *env, struct api_conn *conn, const struct proto_request *req,
                      struct json_object *reply, struct proto_error *err)
{
    struct store_election e;

    settle(env);
    if (load_election(env, req, &e, err) || election_json(env, &e, reply, err))
        return -1;
    if ((conn->roles & ROLES_SECRETARIAT) && conn->person_id && !strcmp(e.state, "open")) {
        struct store_round r;
        if (store_round_get(env->store, e.id, e.round, &r) == 0) {
            struct not_voted_ctx n = {env, e.id, e.round, poll_line(r.poll, "eligible"), json_object_new_array()};
            if (n.eligible && store_member_cities_each(env->store, add_not_voted, &n) == 0)
                json_object_object_add(reply, "not_voted", n.list);
            else
                json_object_put(n.list);
            store_round_free(&r);
        }
    }
    return 0;
}

static int handle_watch(struct api_env *env, struct api_conn *conn, const struct proto_request *req,
                        struct json_object *reply, struct proto_error *err)
{
    struct store_election e;

    (void)reply;
    if (load_election(env, req, &e, err))
        return -1;
    if (!conn->watch_election)
        env->watchers++; /* ws counts it down when the connection closes */
    conn->watch_election = e.id;
    return 0;
}

static int handle_cast(struct api_env *env, struct api_conn *conn, const struct proto_request *req,
                       struct json_object *reply, struct proto_error *err)
{
    const char *text = api_str(req, "ballot"), *sigtext = api_str(req, "signature");
    size_t len = strlen(text);
    struct round_facts *facts;
    struct store_election e;
    struct store_key key;
    struct store_city_ref city;
    struct ballot b;
    uint8_t sig[64], hash[32], chain[32], prev_hash[32];
    int64_t seq = 0;
    ptrdiff_t at;
    int rc = 0;

    /* as of sign-in: api_flush re-reads the key, the person, the roles and the city in the transaction that records */
    if (!(conn->roles & ROLES_CITY_VOTE) || !conn->city_id)
        return api_fail(err, "forbidden", NULL, "a city's mayor or deputy casts its vote");
    if (identity_hex_decode(sigtext, sig, 64) != 0)
        return api_fail(err, "bad_request", "signature", "the signature must be 128 lower-case hex digits");
    if (ballot_parse(text, len, &b) != 0)
        return api_fail(err, "bad_ballot", "ballot", "the ballot is not in the canonical form of docs/audit.md");
    /* an open round's facts are kept from its first ballot on: no database read for the others */
    if (!(facts = facts_find(env, b.election, b.round))) {
        rc = store_election_get(env->store, b.election, &e);
        if (rc < 0)
            return api_internal_error(err, "reading the election");
        if (rc > 0 || strcmp(e.state, "open") || b.round != e.round)
            return api_fail(err, "not_open", "ballot", "this ballot's election round is not open");
        if (!(facts = round_facts(env, &e)))
            return api_internal_error(err, "reading the round");
    }
    if (sodium_memcmp(b.poll, facts->fingerprint, 32) != 0)
        return api_fail(err, "not_open", "ballot", "the ballot names another poll than the open one");
    memset(&key, 0, sizeof(key));
    key.id = conn->key_id;
    memcpy(key.public_key, conn->key_public, 32);
    key.created_ms = conn->key_created_ms;
    memset(&city, 0, sizeof(city));
    city.id = conn->city_id;
    snprintf(city.code, sizeof(city.code), "%s", conn->city_code);
    if (strcmp(b.city, city.code))
        return api_fail(err, "not_eligible", "ballot", "your key casts %s's vote, not %s's", city.code, b.city);
    /* the signature is checked last (below), on the worker thread when there is one */
    if (key.created_ms > facts->opened_ms)
        return api_fail(err, "not_eligible", "ballot", "this key was enrolled after the round opened");
    if (!facts_has(facts->present, facts->npresent, b.city))
        return api_fail(err, "not_present", "ballot", "%s was not checked in when the round opened", b.city);
    if ((at = facts_index(facts->eligible, facts->neligible, b.city)) < 0)
        return api_fail(err, "not_eligible", "ballot", "%s may not vote (it was not a member in good standing)", b.city);
    if (strcmp(b.choice, BALLOT_ABSTAIN) && !in_list(facts->candidates, b.choice))
        return api_fail(err, "not_candidate", "ballot", "%s is not a candidate in this round", b.choice);
    /* a city whose ballot is recorded: the stored one answers (a ballot still pending meets the table's uniqueness) */
    if (facts->voted[at] && store_ballot_of_city(env->store, b.election, b.round, city.id, prev_hash) == 0) {
        char hex[65];
        identity_hex_encode(prev_hash, 32, hex);
        api_fail(err, "already_voted", "ballot", "%s has voted in this round; its ballot hash is %s", b.city, hex);
        (void)proto_error_detail(err, "ballot_hash", hex);
        ballot_sha256(text, len, hash);
        if (!memcmp(prev_hash, hash, 32))
            add_recorded_receipt(env, b.election, b.round, city.id, err); /* the same ballot again (a lost reply) */
        return -1;
    }

    ballot_sha256(text, len, hash);
    if (env->request_flush && env->reply_later && env->batch) {
        /* group commit: the ballot joins a batch once its signature is checked; its receipt follows the commit */
        struct pending_ballot *p = calloc(1, sizeof(*p));
        struct verify_job *job = NULL;
        if (!p || !(p->text = malloc(len + 1))) {
            free(p);
            return api_internal_error(err, "queueing the ballot");
        }
        memcpy(p->text, text, len + 1);
        p->len = len;
        p->conn_id = conn->id;
        p->id = json_object_get(req->id);
        p->election = b.election;
        p->round = b.round;
        p->person_id = conn->person_id;
        p->identity_epoch = conn->epoch_known ? conn->identity_epoch : -1;
        p->city_id = city.id;
        p->key_id = key.id;
        memcpy(p->city_code, city.code, sizeof(p->city_code));
        memcpy(p->choice, b.choice, sizeof(p->choice));
        memcpy(p->sig, sig, 64);
        memcpy(p->hash, hash, 32);
        if (env->verifier && (job = verify_job_new(key.public_key, sig, text, len, p))) {
            verify_submit(env->verifier, job); /* api_collect_verified takes it from here */
            return API_DEFERRED;
        }
        if (!identity_verify(key.public_key, text, len, sig)) {
            pending_clear(p);
            free(p);
            return api_fail(err, "bad_signature", "signature", "the signature does not verify over the ballot");
        }
        if (batch_add(env, p) != 0) {
            pending_clear(p);
            free(p);
            return api_internal_error(err, "queueing the ballot");
        }
        return API_DEFERRED;
    }
    if (!identity_verify(key.public_key, text, len, sig))
        return api_fail(err, "bad_signature", "signature", "the signature does not verify over the ballot");
    /* no hub (unit tests): commit this ballot alone, then reply */
    {
        struct pending_ballot one;
        memset(&one, 0, sizeof(one));
        one.election = b.election;
        one.round = b.round;
        one.person_id = conn->person_id;
        one.identity_epoch = conn->epoch_known ? conn->identity_epoch : -1;
        one.city_id = city.id;
        one.key_id = key.id;
        memcpy(one.city_code, city.code, sizeof(one.city_code));
        memcpy(one.choice, b.choice, sizeof(one.choice));
        one.text = (char *)text;
        one.len = len;
        memcpy(one.sig, sig, 64);
        memcpy(one.hash, hash, 32);
        struct receipt_batch *rb = calloc(1, sizeof(*rb));
        struct reply_text made = {0};
        struct json_object *fields = NULL;
        one.id = req->id;
        if (!rb || store_begin(env->store) != 0) {
            free(rb);
            return api_internal_error(err, "starting a transaction");
        }
        if (store_receipt_batch_next(env->store, &rb->id) != 0 || store_identity_epoch(env->store, &rb->epoch) != 0 ||
            store_ballot_last(env->store, b.election, &seq, chain) != 0 ||
            (rc = commit_one(env, &one, 0, &seq, chain, rb, &made, err)) != 0 || seal_receipts(env, rb, &one, &made) != 0 ||
            store_commit(env->store) != 0) {
            store_rollback(env->store);
            free(rb);
            free(made.text);
            return rc > 0 ? -1 : api_internal_error(err, "recording the ballot");
        }
        free(rb);
        /* the reply's members, from the text written for the hub's deferred reply */
        if (made.text && (fields = json_tokener_parse(made.text))) {
            json_object_object_foreach(fields, name, value) if (strcmp(name, "id") && strcmp(name, "ok"))
                json_object_object_add(reply, name, json_object_get(value));
        }
        json_object_put(fields);
        free(made.text);
    }
    return 0;
}

/* After a commit that recorded `recorded` ballots of an election: one election.turnout event for each. */
static void publish_turnout(struct api_env *env, int64_t election, size_t recorded)
{
    const struct round_facts *f;
    struct store_election e;
    int64_t voted = 0;

    if (!env->publish || !env->watchers || store_election_get(env->store, election, &e) != 0 || strcmp(e.state, "open") ||
        !(f = round_facts(env, &e)) ||
        store_ballot_count(env->store, e.id, e.round, &voted) != 0)
        return;
    for (size_t k = recorded; k > 0; k--) {
        struct json_object *ev = json_object_new_object();
        json_object_object_add(ev, "election", json_object_new_int64(e.id));
        json_object_object_add(ev, "round", json_object_new_int(e.round));
        json_object_object_add(ev, "voted", json_object_new_int64(voted - (int64_t)k + 1));
        json_object_object_add(ev, "eligible", json_object_new_int64((int64_t)f->neligible));
        env->publish(env->hub, e.id, "election.turnout", ev);
        json_object_put(ev);
    }
}

struct list_ctx {
    struct api_env *env;
    struct json_object *list;
};

static int add_election_brief(void *ctx, int64_t id)
{
    struct list_ctx *l = ctx;
    struct store_election e;
    struct json_object *o;

    if (store_election_get(l->env->store, id, &e) != 0)
        return -1;
    o = json_object_new_object();
    json_object_object_add(o, "id", json_object_new_int64(e.id));
    json_object_object_add(o, "summit", json_object_new_int64(e.summit_id));
    json_object_object_add(o, "title", json_object_new_string(e.title));
    json_object_object_add(o, "state", json_object_new_string(e.state));
    json_object_object_add(o, "round", json_object_new_int(e.round));
    json_object_object_add(o, "winner", e.winner_city ? json_object_new_string(e.winner_code) : NULL);
    json_object_array_add(l->list, o);
    return 0;
}

static int handle_list(struct api_env *env, struct api_conn *conn, const struct proto_request *req,
                       struct json_object *reply, struct proto_error *err)
{
    struct list_ctx l = {env, json_object_new_array()};

    (void)conn;
    if (store_elections_each(env->store, api_int(req, "summit", 0), add_election_brief, &l) != 0) {
        json_object_put(l.list);
        return api_internal_error(err, "listing elections");
    }
    json_object_object_add(reply, "elections", l.list);
    return 0;
}

/* ---- the table ---- */

static const struct proto_field f_create[] = {
    {"summit", PROTO_INT, true, 1, PROTO_MAX_SAFE_INT},
    {"title", PROTO_STRING, true, 1, 200},
    {"quorum_num", PROTO_INT, false, 0, 1000},
    {"quorum_den", PROTO_INT, false, 1, 1000},
};
static const struct proto_field f_election[] = {{"election", PROTO_INT, true, 1, PROTO_MAX_SAFE_INT}};
static const struct proto_field f_withdraw[] = {
    {"election", PROTO_INT, true, 1, PROTO_MAX_SAFE_INT},
    {"city", PROTO_STRING, false, 2, MEMBERSHIP_CODE_MAX},
};
static const struct proto_field f_list[] = {{"summit", PROTO_INT, false, 1, PROTO_MAX_SAFE_INT}};
static const struct proto_field f_advance[] = {
    {"election", PROTO_INT, true, 1, PROTO_MAX_SAFE_INT},
    {"to", PROTO_STRING, true, 4, 9},
};
static const struct proto_field f_cast[] = {
    {"ballot", PROTO_STRING, true, 1, BALLOT_TEXT_MAX},
    {"signature", PROTO_STRING, true, 128, 128},
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

const struct api_type api_election_types[] = {
    {"election.list", API_PUBLIC, f_list, N(f_list), handle_list},
    {"election.create", API_SECRETARIAT, f_create, N(f_create), handle_create},
    {"election.declare", API_SIGNED_IN, f_election, N(f_election), handle_declare},
    {"election.withdraw", API_SIGNED_IN, f_withdraw, N(f_withdraw), handle_withdraw},
    {"election.advance", API_SECRETARIAT, f_advance, N(f_advance), handle_advance},
    {"election.get", API_PUBLIC, f_election, N(f_election), handle_get},
    {"election.cast", API_VOTER, f_cast, N(f_cast), handle_cast},
    {"election.watch", API_PUBLIC, f_election, N(f_election), handle_watch},
};
const size_t api_election_count = N(api_election_types);
