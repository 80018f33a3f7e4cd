/*
 * store_identity: people, enrollments and browser-held keys.
 * See include/b40/identity.h. Statements prepared once at open.
 */
#include <stdlib.h>

#include "store_internal.h"

struct store_identity {
    sqlite3_stmt *stmt[1];
};

static const char *const identity_sql[] = {
    "SELECT count(*) FROM people",
};

int store_identity_prepare(struct store *st)
{
    st->identity = calloc(1, sizeof(*st->identity));
    if (!st->identity)
        return -1;
    return store_prepare_all(st, identity_sql, st->identity->stmt, sizeof(identity_sql) / sizeof(identity_sql[0]));
}

void store_identity_finalize(struct store *st)
{
    if (!st->identity)
        return;
    store_finalize_all(st->identity->stmt, sizeof(identity_sql) / sizeof(identity_sql[0]));
    free(st->identity);
    st->identity = NULL;
}
