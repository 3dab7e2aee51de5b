/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KB_PATCH_H
#define KB_PATCH_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

/* One hunk; lines keep their leading ' ', '+', '-' or '\\'. */
struct hunk {
	int old_start, old_count;
	int new_start, new_count;
	char *func;		/* the text after the second "@@", may be empty */
	struct strvec lines;
	bool damaged;		/* lines lost their leading whitespace */
};

struct file_diff {
	char *old_path;		/* without "a/", NULL for /dev/null */
	char *new_path;
	struct strvec header;	/* "diff --git", "index", "---", "+++" lines */
	struct hunk *hunks;
	size_t n;
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

#endif
