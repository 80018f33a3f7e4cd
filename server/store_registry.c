/*
 * store_registry: cities, their status history and membership requests.
 * See include/b40/registry.h. Statements prepared once at open.
 */
#include <stdlib.h>

#include "store_internal.h"

struct store_registry {
    sqlite3_stmt *stmt[1];
};

static const char *const registry_sql[] = {
    "SELECT count(*) FROM cities",
};

int store_registry_prepare(struct store *st)
{
    st->registry = calloc(1, sizeof(*st->registry));
    if (!st->registry)
        return -1;
    return store_prepare_all(st, registry_sql, st->registry->stmt, sizeof(registry_sql) / sizeof(registry_sql[0]));
}

void store_registry_finalize(struct store *st)
{
    if (!st->registry)
        return;
    store_finalize_all(st->registry->stmt, sizeof(registry_sql) / sizeof(registry_sql[0]));
    free(st->registry);
    st->registry = NULL;
}
