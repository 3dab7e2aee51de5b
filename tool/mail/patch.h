/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KB_PATCH_H
#define KB_PATCH_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/util.h"

/* One hunk; lines keep their leading ' ', '+', '-' or '\\'. */
struct hunk {
	int old_start, old_count;
	int new_start, new_count;
	char *func;		/* the text after the second "@@", may be empty */
	struct strvec lines;
	bool damaged;		/* lines lost their leading whitespace */
};

struct file_diff {
	char *old_path;		/* without "a/", NULL for /dev/null (a new file) */
	char *new_path;		/* NULL for /dev/null (a deleted file) */
	struct strvec header;	/* "diff --git", "index", "---", "+++" lines */
	struct hunk *hunks;
	size_t n;
	unsigned int old_mode;	/* from git's extended headers; 0 when not given */
	unsigned int new_mode;
	bool rename;		/* "rename from/to": old_path goes, new_path comes */
	bool copy;		/* "copy from/to": new_path starts as old_path's content */
	bool binary;		/* "GIT binary patch" or "Binary files ... differ" */
};

struct diff {
	struct file_diff *files;
	size_t n;
	bool damaged;
};

/*
 * Parses the unified diff in text (anything before the first "diff --git"
 * or "--- " line, such as a diffstat, is skipped). Fails with a one-line
 * reason in *why when there is no diff or a hunk ends early.
 */
int diff_parse(const char *text, struct diff *out, char **why);
void diff_free(struct diff *d);

/* The path a file diff is about: its new path, or the old one for a deletion. */
const char *file_diff_path(const struct file_diff *f);

/*
 * Every path of d passes the path gate (treepath.h), and no file is a
 * symlink, a submodule, binary or changed twice: 0, or -1 with *why, a
 * predicate naming the path ("names a path outside the tree: '../x' (...)").
 */
int diff_check(const struct diff *d, char **why);

#endif
