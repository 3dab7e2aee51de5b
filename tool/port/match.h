/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KB_MATCH_H
#define KB_MATCH_H

#include <stdbool.h>
#include <stddef.h>

#include "mail/patch.h"

/* A file as lines (no line ends); trailing_newline as in the original. */
struct text {
	struct strvec lines;
	bool trailing_newline;
};

void text_from(struct text *t, const char *data, size_t len);
char *text_join(const struct text *t, size_t *len);
void text_free(struct text *t);

enum place_result {
	PLACE_OK,		/* found: apply at .at */
	PLACE_PRESENT,		/* the change is already in the file */
	PLACE_CONFLICT,		/* not found, or found in more than one place */
};

struct placement {
	enum place_result result;
	size_t at;		/* 0-based first line of the (fuzz-trimmed) pre-image */
	long offset;		/* lines away from where the hunk says it goes */
	int fuzz;		/* context lines ignored at each end */
	size_t skip_lead;	/* of them, before the change */
	size_t skip_trail;	/* and after it */
	bool whitespace;	/* matched only when whitespace is ignored */
	bool anchored;		/* placed by the lines it changes: its outer context differs */
	char *why;		/* conflict reason, already-present evidence, or the context that differed */
	size_t evidence_line;	/* 1-based line of the evidence when PLACE_PRESENT */
};

/*
 * Finds where hunk h goes in t, searching from line 'from' (placements of
 * earlier hunks end there) around hint (0-based). Tries, in order: the
 * change already present, exact context, whitespace-insensitive context,
 * then 1 and 2 lines less context at each end. Several places at the same
 * strictness are a conflict, except an exact match where the hunk says.
 */
void hunk_place(const struct text *t, const struct hunk *h, size_t from, long hint,
		int max_fuzz, struct placement *pl);
/* Replaces the matched pre-image with the post-image; returns lines added minus removed. */
long hunk_apply(struct text *t, const struct hunk *h, const struct placement *pl);
/*
 * Is the change already in the file in another form? Every code line the
 * hunk adds already stands in the function it changes, and no line it
 * removes is still there. Comments and blank lines are not code.
 */
bool hunk_equivalent_present(const struct text *t, const struct hunk *h, char **evidence,
			     size_t *line);
/*
 * Context drift: a hunk whose outer context comes from other code, placed
 * by what it changes instead. Its removed lines and the context between
 * them (for a pure insertion: the line on each side of it) must fit once,
 * whitespace aside, inside the function or struct the hunk names, and hold
 * a line distinctive enough to prove the place. pl->why lists the context
 * lines that differ.
 */
void hunk_place_anchored(const struct text *t, const struct hunk *h, size_t from, long hint,
			 struct placement *pl);
/*
 * Is the hunk's change already in the file, whatever its context? Every
 * code line it adds stands, in order, inside the function or struct it
 * names (each run of added lines together), and no line it removes stands
 * there more often than its result keeps it. Whitespace and comments aside.
 */
bool hunk_stands(const struct text *t, const struct hunk *h, char **evidence, size_t *line);
/*
 * Where the hunk's function or struct lies in t (0-based, inclusive) and its
 * name; the whole file when the header names none. false when the file
 * lacks the one it names.
 */
bool hunk_scope(const struct text *t, const struct hunk *h, size_t *start, size_t *end, char **name);
/* The code on a line: comments and whitespace removed (a new string). */
char *line_code(const char *line);
/* "static int f(void)" -> "f": the name a line at column 0 defines, or NULL. */
char *definition_name(const char *line);
/* Name of the C function whose body holds line (0-based), or NULL. */
char *function_at(const struct text *t, size_t line, size_t *start, size_t *end);
void placement_free(struct placement *pl);

#endif
