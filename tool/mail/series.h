/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KB_SERIES_H
#define KB_SERIES_H

/* Limits that fit any real series with room to spare; beyond them the input is refused. */
#define SERIES_MAX_PATCHES 1000
#define SERIES_MAX_VERSION 1000
#define SERIES_MAX_INPUT (64u << 20)	/* bytes of one archive or mbox file */

#include <stdbool.h>
#include <stdio.h>

#include "lib/util.h"

/* How trustworthy the text of a patch is. */
enum text_state {
	TEXT_CLEAN,
	TEXT_FROM_QUOTE,	/* rebuilt from a reply that quoted it whole */
	TEXT_DAMAGED,		/* diff lines lost their leading whitespace */
};

struct trailer {
	char *key;		/* "Reviewed-by" */
	char *value;		/* "Jan Kara <jack@suse.cz>" */
	bool collected;		/* given in a reply, not in the posted patch */
};

struct prereq {
	char *commit;		/* abbreviated upstream id as cited */
	char *subject;
	char *cited;		/* "commit" (in the message) or "Fixes" */
};

struct review_item {
	char *reviewer;
	long long when;
	int hunk;		/* 1-based hunk of the patch the comment is about, 0 unknown */
	char *file;		/* file of that hunk */
	char *quote;		/* the quoted text the comment answers */
	char *comment;
	char *responder;	/* the patch author, when they answered */
	long long response_when;
	char *response;
	char *resolution;	/* agreed | answered | unanswered */
	char *action;		/* drop-hunk | revise | keep: what the port does */
};

struct spatch {
	int n;
	char *title;
	char *prefix;		/* the subject's tag without numbers: "PATCH 6.1", "RFC PATCH" */
	char *author_name;
	char *author_email;
	long long when;
	char *message_id;
	enum text_state state;
	char *state_note;
	char *source;		/* "file:line" of the copy used */
	char *msg;		/* commit message without the trailer block */
	struct trailer *trailers;
	size_t ntrailers;
	char *diff;		/* after "---": diffstat and diff */
	struct strvec files;
	struct prereq *prereqs;
	size_t nprereqs;
	struct review_item *reviews;
	size_t nreviews;
	char *filename;		/* upstream/NNNN-<slug>.patch */
};

struct series_source {
	char *file;		/* base name, kept under archive/ */
	const char *format;
};

struct series {
	char *name;
	int version;
	int total;
	char *prefix;		/* "PATCH", "RFC PATCH", ... */
	char *cover_subject;
	char *cover_message_id;
	char *cover_author;
	long long cover_when;
	struct spatch *patches;	/* total entries, patches[i].n == i + 1 */
	struct series_source *sources;
	size_t nsources;
	struct strvec notes;	/* what the import decided, for the user */
};

struct import_opts {
	int version;		/* 0: newest */
	const char *subject;	/* substring that picks the series, or NULL */
	const char *name;	/* series name, or NULL for a slug of the cover subject */
};

/* Reads every input, picks one series, and fills s; -1 with kb_errcode set on failure. */
int series_import(char **files, int nfiles, const struct import_opts *o, struct series *s);
/* Writes dir/series.yaml and dir/upstream/NNNN-*.patch; stale patch files are removed. */
int series_write(const struct series *s, const char *dir);
/* Reads dir/series.yaml (metadata only: no message or diff text). */
int series_load(const char *dir, struct series *s);
/* The patch as `git format-patch` writes it, trailers collected. */
char *series_format_patch(const struct series *s, const struct spatch *p);
void series_print(const struct series *s, FILE *f);
char *series_json(const struct series *s);
void series_free(struct series *s);

/* One patch mail (git format-patch form) into title, author, message, trailers and diff. */
int series_read_patch_file(const char *path, struct spatch *p);

/*
 * Every patch mail of an archive or mbox file on its own, as a stream of
 * fixes: replies and cover letters are left out. Each diff passes the path
 * gate. Appends to *out; an error names the file when it holds none.
 */
int series_read_stream(const char *file, struct spatch **out, size_t *n);

/* "[PATCH v2 3/8]": patch n's tag as the series was posted (0: the cover letter). */
char *series_subject_tag(const struct series *s, int n);

/* The *.patch files of dir, sorted by name (none if dir is missing). */
void series_patch_files(const char *dir, struct strvec *out);

/*
 * A layer of patches in a series directory (prereqs, local): <layer>/NNNN-*.patch,
 * each replaced by the one of the same name in <layer>/<kernel>/, sorted by name.
 */
void series_layer_files(const char *series_dir, const char *layer, const char *kernel, struct strvec *out);
void spatch_free(struct spatch *p);

const char *text_state_name(enum text_state st);
/* git format-patch's file-name slug of a subject. */
char *subject_slug(const char *subject, size_t max);

#endif
