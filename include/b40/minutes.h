/*
 * minutes: the minutes of a closed working-group session, written from
 * plain facts (who attended, the agenda, who spoke, each motion with its
 * roll call and outcome) as Markdown and as a printable HTML page, and the
 * signed header that pins the Markdown (b40-minutes-v1, docs/audit.md).
 * Every value that came from a person (names, titles, agenda items, motion
 * texts) is escaped: backslash-escaped in the Markdown so that it cannot
 * become a link, an image or raw HTML, entity-escaped in the HTML. The HTML
 * has no inline script or style (the server's CSP forbids both); it links
 * /css/app.css. Pure functions, no clock, no database; any thread.
 */
#ifndef B40_MINUTES_H
#define B40_MINUTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MINUTES_HEADER_MAX 512

struct minutes_attendee {
    const char *name;
    const char *city;            /* a city code, or "" for the secretariat */
    int64_t joined_ms, left_ms;  /* left_ms 0: the interval was never closed */
};

struct minutes_speaker {
    int64_t at_ms;
    const char *name, *city;     /* city "" for the secretariat */
    int64_t item;                /* the agenda item (0-based), -1 for none */
    bool point_of_order;
};

struct minutes_roll_line {
    const char *city;
    const char *status;          /* yes, no, abstained, present_not_voting, absent */
};

struct minutes_motion {
    int64_t id;
    const char *text;
    const char *outcome;         /* adopted, rejected, no_votes, no_quorum; NULL: never closed */
    uint32_t members, present, threshold;
    bool quorum_met;
    uint32_t yes, no, abstained, present_not_voting, absent;
    const struct minutes_roll_line *roll;
    size_t nroll;
    int64_t opened_ms, closed_ms;
    const char *chain_head;      /* the signed chain head text, or NULL */
    int64_t recommendation_id;   /* 0: none */
};

struct minutes_input {
    int64_t session;
    const char *title, *group_code, *group_name, *kind, *quarter;
    const char *chair;           /* the chair's name; NULL or "": the secretariat */
    const char *video_url;       /* NULL or "": none */
    int64_t starts_ms, ends_ms;  /* as scheduled */
    int64_t opened_ms, closed_ms; /* opened_ms 0: unknown */
    const char *const *agenda;
    size_t nagenda;
    const struct minutes_attendee *attendance; /* in the order to print: by city, then name */
    size_t nattendance;
    const char *const *cities_attended;        /* member cities that attended, sorted */
    size_t ncities_attended;
    const char *const *cities_absent;          /* member cities that did not, sorted */
    size_t ncities_absent;
    const struct minutes_speaker *speakers;    /* in the order they were given the floor */
    size_t nspeakers;
    const struct minutes_motion *motions;
    size_t nmotions;
};

/* The Markdown (malloc'd, NUL-terminated; the caller frees), its length in *len. NULL when memory ran out. */
char *minutes_markdown(const struct minutes_input *in, size_t *len);

/*
 * The header the server signs (MINUTES_HEADER_MAX bytes): b40-minutes-v1,
 * network, session, markdown-sha256, closed. Returns its length or -1.
 */
int minutes_header(int64_t session, const uint8_t markdown_sha256[32], int64_t closed_ms, char *out);

/*
 * The printable HTML page (malloc'd; the caller frees), ending with the
 * signed header, its signature and the server's key (hex). NULL when memory
 * ran out.
 */
char *minutes_html(const struct minutes_input *in, const char *header, const char *signature_hex,
                   const char *server_key_hex, size_t *len);

#endif
