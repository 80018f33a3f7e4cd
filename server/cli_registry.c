/*
 * cli_registry: `b40 city list` and `b40 city show`, the registry read
 * from the command line: for the operator at the machine, for scripts (CSV
 * per RFC 4180, JSON as the protocol's city objects) and for a quick look
 * (an aligned table). Read only: nothing here changes the registry.
 * Runs in the `b40` process, single-threaded.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "b40/membership.h"
#include "b40/store.h"
#include "b40/store_registry.h"
#include "b40/timeutil.h"
#include "cli.h"

const char cli_city_usage[] =
    "usage: b40 city list --db PATH [--format table|csv|json] [--status S] [--country CC]\n"
    "       b40 city show --db PATH CODE\n"
    "\n"
    "Lists the cities of the registry, or shows one with its status history.\n"
    "\n"
    "options:\n"
    "  --db PATH       the database (or B40_DB)\n"
    "  --format F      list as an aligned table (default), CSV (RFC 4180, CRLF line\n"
    "                  ends; a text cell that a spreadsheet would run as a formula,\n"
    "                  one starting with = + - or @, gets a leading ') or JSON (the\n"
    "                  city objects of docs/protocol.md)\n"
    "  --status S      only cities in status S: applicant, member, suspended, former\n"
    "                  (default: all)\n"
    "  --country CC    only cities of country CC (two capital letters, e.g. GR)\n"
    "  -h, --help      show this help\n";

enum format { FORMAT_TABLE, FORMAT_CSV, FORMAT_JSON };

static int usage(const char *msg)
{
    if (msg)
        fprintf(stderr, "b40 city: %s\n\n", msg);
    fputs(cli_city_usage, stderr);
    return 2;
}

static int open_db(const char *db, struct store **st)
{
    char err[512];

    if (store_open(st, db, STORE_EXISTING, err, sizeof(err)) != STORE_OK) {
        fprintf(stderr, "b40 city: %s\n", err);
        return -1;
    }
    return 0;
}

/* ---- terminal text ---- */

/* Code points in s: roughly its width on a terminal (each Latin, Greek or Cyrillic letter is one column). */
static size_t display_width(const char *s)
{
    size_t w = 0;

    for (; *s; s++)
        w += ((unsigned char)*s & 0xc0) != 0x80;
    return w;
}

/*
 * Writes s for a terminal: a byte that would be a control character (C0,
 * DEL, or the UTF-8 of a C1 control) becomes '?', so that what the
 * database holds can never drive the operator's terminal.
 */
static void put_safe(const char *s, FILE *f)
{
    const unsigned char *p = (const unsigned char *)s;

    for (size_t i = 0; p[i]; i++) {
        if (p[i] < 0x20 || p[i] == 0x7f) {
            fputc('?', f);
        } else if (p[i] == 0xc2 && p[i + 1] >= 0x80 && p[i + 1] <= 0x9f) {
            fputc('?', f);
            i++;
        } else {
            fputc(p[i], f);
        }
    }
}

static void put_cell(const char *s, size_t width, bool last)
{
    put_safe(s, stdout);
    if (last)
        return;
    for (size_t w = display_width(s); w < width + 2; w++)
        fputc(' ', stdout);
}

/* ---- list ---- */

enum { COL_CODE, COL_NAME, COL_LOCAL, COL_COUNTRY, COL_STATUS, COL_JOINED_HOW, COL_JOINED_ON, COL_TZ, COL_COUNT };

static const char *const table_heads[COL_COUNT] = {"code", "name", "local name", "country", "status", "joined how",
                                                   "joined on", "time zone"};

static const char *cell(const struct registry_city *c, int col)
{
    const char *s = NULL;

    switch (col) {
    case COL_CODE: s = c->code; break;
    case COL_NAME: s = c->name; break;
    case COL_LOCAL: s = c->name_local; break;
    case COL_COUNTRY: s = c->country; break;
    case COL_STATUS: s = membership_status_name(c->status); break;
    case COL_JOINED_HOW: s = membership_joined_name(c->joined_how); break;
    case COL_JOINED_ON: s = c->joined_on; break;
    case COL_TZ: s = c->tz; break;
    }
    return s && *s ? s : "-";
}

static void print_table(const struct registry_city *cities, size_t n)
{
    size_t width[COL_COUNT];

    for (int col = 0; col < COL_COUNT; col++) {
        width[col] = display_width(table_heads[col]);
        for (size_t i = 0; i < n; i++) {
            size_t w = display_width(cell(&cities[i], col));
            if (w > width[col])
                width[col] = w;
        }
    }
    for (int col = 0; col < COL_COUNT; col++)
        put_cell(table_heads[col], width[col], col == COL_COUNT - 1);
    fputc('\n', stdout);
    for (size_t i = 0; i < n; i++) {
        for (int col = 0; col < COL_COUNT; col++)
            put_cell(cell(&cities[i], col), width[col], col == COL_COUNT - 1);
        fputc('\n', stdout);
    }
    printf("%zu %s\n", n, n == 1 ? "city" : "cities");
}

/* One CSV field per RFC 4180: quoted when it holds a comma, a quote, CR or LF; quotes doubled. */
static void put_csv(const char *s, bool is_text, bool last)
{
    bool formula = is_text && (*s == '=' || *s == '+' || *s == '-' || *s == '@');
    bool quote = formula || strpbrk(s, ",\"\r\n") != NULL;

    if (quote)
        fputc('"', stdout);
    if (formula)
        fputc('\'', stdout);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', stdout);
        fputc(*s, stdout);
    }
    if (quote)
        fputc('"', stdout);
    fputs(last ? "\r\n" : ",", stdout);
}

static void print_csv(const struct registry_city *cities, size_t n)
{
    fputs("code,name,name_local,country,tz,lat,lon,status,joined_how,joined_on\r\n", stdout);
    for (size_t i = 0; i < n; i++) {
        const struct registry_city *c = &cities[i];
        const char *joined_how = membership_joined_name(c->joined_how);
        char lat[32], lon[32];

        snprintf(lat, sizeof(lat), "%.4f", c->lat);
        snprintf(lon, sizeof(lon), "%.4f", c->lon);
        put_csv(c->code, true, false);
        put_csv(c->name, true, false);
        put_csv(c->name_local, true, false);
        put_csv(c->country, true, false);
        put_csv(c->tz, true, false);
        put_csv(lat, false, false);
        put_csv(lon, false, false);
        put_csv(membership_status_name(c->status), true, false);
        put_csv(joined_how ? joined_how : "", true, false);
        put_csv(c->joined_on, true, true);
    }
}

static int print_json(const struct registry_city *cities, size_t n)
{
    struct json_object *arr = json_object_new_array();
    int rc = -1;

    if (!arr)
        return -1;
    for (size_t i = 0; i < n; i++) {
        struct json_object *c = store_city_json(&cities[i]);
        if (!c || json_object_array_add(arr, c) != 0) {
            json_object_put(c);
            goto out;
        }
    }
    puts(json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
    rc = 0;
out:
    json_object_put(arr);
    return rc;
}

static int city_list(const char *db, enum format format, const struct registry_city_filter *filter)
{
    struct store *st = NULL;
    struct registry_city *cities = NULL;
    size_t n = 0;
    int rc = 1;

    if (open_db(db, &st) != 0)
        return 1;
    if (store_city_list(st, filter, &cities, &n) != 0) {
        fprintf(stderr, "b40 city list: reading the cities failed: %s\n", store_errmsg(st));
        goto out;
    }
    switch (format) {
    case FORMAT_TABLE: print_table(cities, n); break;
    case FORMAT_CSV: print_csv(cities, n); break;
    case FORMAT_JSON:
        if (print_json(cities, n) != 0) {
            fprintf(stderr, "b40 city list: out of memory\n");
            goto out;
        }
        break;
    }
    rc = 0;
out:
    free(cities);
    store_close(st);
    return rc;
}

/* ---- show ---- */

static void show_line(const char *label, const char *value)
{
    printf("%-12s ", label);
    put_safe(value && *value ? value : "-", stdout);
    fputc('\n', stdout);
}

static int city_show(const char *db, const char *code)
{
    struct store *st = NULL;
    struct registry_city c;
    struct registry_status_row *rows = NULL;
    char coords[64], recorded[TIMEUTIL_RFC3339_LEN];
    size_t n = 0;
    int rc = 1, found;

    if (open_db(db, &st) != 0)
        return 1;
    found = store_city_find(st, code, &c);
    if (found == STORE_REGISTRY_NOT_FOUND) {
        fprintf(stderr, "b40 city show: no city has the code '%s'\n", code);
        goto out;
    }
    if (found != 0 || store_status_history(st, c.id, &rows, &n) != 0) {
        fprintf(stderr, "b40 city show: reading the city failed: %s\n", store_errmsg(st));
        goto out;
    }
    snprintf(coords, sizeof(coords), "%.4f, %.4f", c.lat, c.lon);
    show_line("code:", c.code);
    show_line("name:", c.name);
    show_line("local name:", c.name_local);
    show_line("country:", c.country);
    show_line("time zone:", c.tz);
    show_line("coordinates:", coords);
    show_line("status:", membership_status_name(c.status));
    show_line("joined how:", membership_joined_name(c.joined_how));
    show_line("joined on:", c.joined_on);
    printf("\nstatus history (%zu):\n", n);
    for (size_t i = 0; i < n; i++) {
        if (timeutil_rfc3339(rows[i].recorded_ms, recorded) != 0)
            strcpy(recorded, "?");
        printf("  from %s  %-9s  recorded %s by %s  ", rows[i].change.effective_on,
               membership_status_name(rows[i].change.status), recorded,
               rows[i].actor_person_id > 0 ? "a person" : "the operator");
        if (rows[i].actor_person_id > 0)
            printf("(id %lld)  ", (long long)rows[i].actor_person_id);
        put_safe(rows[i].reason, stdout);
        fputc('\n', stdout);
    }
    rc = 0;
out:
    free(rows);
    store_close(st);
    return rc;
}

int cli_city(int argc, char **argv)
{
    static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
                                         {"format", required_argument, NULL, 'f'},
                                         {"status", required_argument, NULL, 's'},
                                         {"country", required_argument, NULL, 'c'},
                                         {"help", no_argument, NULL, 'h'},
                                         {0}};
    struct registry_city_filter filter = {.status = MEMBERSHIP_NONE, .include_applicants = true};
    const char *db = getenv("B40_DB"), *sub;
    enum format format = FORMAT_TABLE;
    bool format_set = false, filter_set = false;
    int opt, rc;

    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        if (argc >= 2) {
            fputs(cli_city_usage, stdout);
            return 0;
        }
        return usage("city needs list or show");
    }
    sub = argv[1];
    if (strcmp(sub, "list") && strcmp(sub, "show"))
        return usage("city needs list or show");
    optind = 0;
    opterr = 0;
    while ((opt = getopt_long(argc - 1, argv + 1, "h", opts, NULL)) != -1) {
        switch (opt) {
        case 'd': db = optarg; break;
        case 'f':
            if (!strcmp(optarg, "table"))
                format = FORMAT_TABLE;
            else if (!strcmp(optarg, "csv"))
                format = FORMAT_CSV;
            else if (!strcmp(optarg, "json"))
                format = FORMAT_JSON;
            else
                return usage("--format takes table, csv or json");
            format_set = true;
            break;
        case 's':
            if (membership_status_parse(optarg, &filter.status) != 0)
                return usage("--status takes applicant, member, suspended or former");
            filter_set = true;
            break;
        case 'c':
            if (!membership_country_is_valid(optarg))
                return usage("--country takes two capital letters, e.g. GR");
            memcpy(filter.country, optarg, 3);
            filter_set = true;
            break;
        case 'h': fputs(cli_city_usage, stdout); return 0;
        default: return usage("unknown option or missing value");
        }
    }
    if (!db || !*db)
        return usage("--db PATH is required");
    if (!strcmp(sub, "list")) {
        if (optind < argc - 1)
            return usage("unexpected argument");
        rc = city_list(db, format, &filter);
    } else {
        if (format_set || filter_set)
            return usage("show takes only --db and a city code");
        if (optind != argc - 2)
            return usage("show needs exactly one city code");
        if (!membership_code_is_valid(argv[1 + optind]))
            return usage("a city code is 2 to 32 lower-case letters, digits or '-', starting with a letter");
        rc = city_show(db, argv[1 + optind]);
    }
    if (rc == 0 && (fflush(stdout) != 0 || ferror(stdout))) {
        fprintf(stderr, "b40 city: writing the output failed\n");
        rc = 1;
    }
    return rc;
}
