/*
 * groups: the rules of the working groups (docs/groups.md) as plain C over
 * plain values: no database, no socket. The bounds of every field; the
 * syntax checks of what comes from outside; calendar quarters; the plan of
 * a term's quarterly sessions; the overdue rule; the two-signature rule of
 * a new group; the signed statements of a group proposal and of a request
 * for an extra session. Pure functions; any thread.
 */
#ifndef B40_GROUPS_H
#define B40_GROUPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GROUPS_CODE_MAX 32          /* bytes in a group code: ^[a-z][a-z0-9-]{1,31}$ */
#define GROUPS_NAME_MAX 120         /* bytes in a group's name */
#define GROUPS_DESCRIPTION_MAX 1000 /* bytes in a group's description (one line) */
#define GROUPS_TITLE_MAX 120        /* bytes in a session's title */
#define GROUPS_URL_MAX 300          /* bytes in a session's video link */
#define GROUPS_AGENDA_ITEMS_MAX 50  /* items on a session's agenda (at least 1) */
#define GROUPS_AGENDA_ITEM_MAX 200  /* bytes in one agenda item */
#define GROUPS_AGENDA_JSON_MAX 16384
#define GROUPS_REASON_MAX 1000      /* bytes in a request's reason, a decision's or a cancellation's */
#define GROUPS_NOTE_MAX 1000        /* bytes in a follow-up note (may have several lines) */
#define GROUPS_RECOMMENDATION_MAX 2000 /* bytes in a recommendation's text */
#define GROUPS_SLOTS_MIN 2          /* candidate slots of a time poll */
#define GROUPS_SLOTS_MAX 12
#define GROUPS_STATEMENT_MAX 2048   /* bytes in a signed group proposal or session request */

#endif
