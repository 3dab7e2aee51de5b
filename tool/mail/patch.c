// SPDX-License-Identifier: GPL-2.0
/* The unified-diff model: files, hunks, lines. */
#define _GNU_SOURCE
#include "mail/patch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/treepath.h"

/* A diff bigger than this is no patch a mailing list carries. */
#define DIFF_MAX_FILES 10000
#define DIFF_MAX_HUNK_LINES 1000000

/* "313,6" or "313": a start and a count within what a real diff has. */
static bool parse_range(const char *s, int *start, int *count)
{
	char *end;
	long a, b = 1;

	if (*s < '0' || *s > '9')
		return false;
	a = strtol(s, &end, 10);
	if (*end == ',') {
		if (end[1] < '0' || end[1] > '9')
			return false;
		b = strtol(end + 1, &end, 10);
	}
	if (a > DIFF_MAX_HUNK_LINES * 100L || b > DIFF_MAX_HUNK_LINES)
		return false;
	*start = a;
	*count = b;
	return true;
}

/* "@@ -313,6 +313,12 @@ func" */
static bool parse_hunk_header(const char *s, struct hunk *h)
{
	const char *plus, *close;

	if (!starts_with(s, "@@ -"))
		return false;
	plus = strstr(s + 4, " +");
	close = plus ? strstr(plus, " @@") : NULL;
	if (!close || !parse_range(s + 4, &h->old_start, &h->old_count) ||
	    !parse_range(plus + 2, &h->new_start, &h->new_count))
		return false;
	close += 3;
	h->func = xstrdup(close + strspn(close, " "));
	return true;
}

static char *strip_prefix_path(const char *s)
{
	char *p = xstrdup(s + strspn(s, " "));
	char *tab = strchr(p, '\t');

	if (tab)
		*tab = '\0';
	rtrim(p);
	if (!strcmp(p, "/dev/null")) {
		free(p);
		return NULL;
	}
	if ((p[0] == 'a' || p[0] == 'b') && p[1] == '/')
		memmove(p, p + 2, strlen(p + 2) + 1);
	return p;
}

static struct file_diff *new_file(struct diff *d)
{
	struct file_diff *f;

	d->files = xrealloc(d->files, (d->n + 1) * sizeof(*d->files));
	f = &d->files[d->n++];
	memset(f, 0, sizeof(*f));
	return f;
}

static struct hunk *new_hunk(struct file_diff *f)
{
	struct hunk *h;

	f->hunks = xrealloc(f->hunks, (f->n + 1) * sizeof(*f->hunks));
	h = &f->hunks[f->n++];
	memset(h, 0, sizeof(*h));
	return h;
}

static bool ends_hunk(const char *s)
{
	return starts_with(s, "@@ -") || starts_with(s, "diff --git ") || !strcmp(s, "-- ") ||
	       !strcmp(s, "--");
}

/*
 * Reads the body of one hunk; returns the index after it, or SIZE_MAX when
 * it ends early in a diff that was not damaged (a real truncation). A
 * damaged diff (leading whitespace lost, blank lines dropped) may come up
 * short: the port repairs it against the tree.
 */
static size_t read_hunk(char **lines, size_t n, size_t i, struct hunk *h)
{
	int old_left = h->old_count, new_left = h->new_count;

	while ((old_left > 0 || new_left > 0) && i < n) {
		const char *s = lines[i];

		if (h->damaged && ends_hunk(s))
			break;
		i++;
		switch (s[0]) {
		case '+':
			new_left--;
			sv_push(&h->lines, s);
			break;
		case '-':
			old_left--;
			sv_push(&h->lines, s);
			break;
		case '\\':
			sv_push(&h->lines, s);
			break;
		case ' ':
		case '\0':
			/* an empty line is a blank context line whose space a mailer ate */
			old_left--;
			new_left--;
			sv_push_owned(&h->lines, xasprintf(" %s", s[0] ? s + 1 : ""));
			break;
		default:
			h->damaged = true;
			old_left--;
			new_left--;
			sv_push_owned(&h->lines, xasprintf(" %s", s));
			break;
		}
	}
	if ((old_left > 0 || new_left > 0) && !h->damaged)
		return (size_t)-1;
	/* "\ No newline at end of file" after the last line */
	if (i < n && lines[i][0] == '\\')
		sv_push(&h->lines, lines[i++]);
	return i;
}

/*
 * "diff --git a/X b/Y": where names have spaces the split is ambiguous;
 * git's own rule picks the split where both names are the same. The
 * "---"/"+++" and "rename from/to" lines, when present, decide anyway.
 */
static void add_git_header(struct file_diff *f, const char *s)
{
	const char *names = s + strlen("diff --git "), *b = NULL;

	sv_push(&f->header, s);
	if (!starts_with(names, "a/"))
		return;
	for (const char *p = strstr(names + 2, " b/"); p; p = strstr(p + 1, " b/")) {
		size_t alen = p - (names + 2);

		if (!b)
			b = p;
		if (strlen(p + 3) == alen && !strncmp(names + 2, p + 3, alen)) {
			b = p;
			break;
		}
	}
	if (!b)
		return;
	f->old_path = xstrndup(names + 2, b - (names + 2));
	f->new_path = xstrdup(b + 3);
}

static unsigned int parse_mode(const char *s)
{
	char *end;
	unsigned long m = strtoul(s, &end, 8);

	return *end || end == s || m > 0177777 ? 0 : (unsigned int)m;
}

/* git's extended header lines: modes, renames, copies, binary. */
static void extended_header(struct file_diff *f, const char *s)
{
	if (starts_with(s, "new file mode ")) {
		f->new_mode = parse_mode(s + 14);
		free(f->old_path);
		f->old_path = NULL;
	} else if (starts_with(s, "deleted file mode ")) {
		f->old_mode = parse_mode(s + 18);
		free(f->new_path);
		f->new_path = NULL;
	} else if (starts_with(s, "old mode ")) {
		f->old_mode = parse_mode(s + 9);
	} else if (starts_with(s, "new mode ")) {
		f->new_mode = parse_mode(s + 9);
	} else if (starts_with(s, "rename from ") || starts_with(s, "copy from ")) {
		f->rename |= s[0] == 'r';
		f->copy |= s[0] == 'c';
		free(f->old_path);
		f->old_path = xstrdup(strstr(s, " from ") + 6);
	} else if (starts_with(s, "rename to ") || starts_with(s, "copy to ")) {
		free(f->new_path);
		f->new_path = xstrdup(strstr(s, " to ") + 4);
	} else if (starts_with(s, "GIT binary patch") || (starts_with(s, "Binary files ") && ends_with(s, " differ"))) {
		f->binary = true;
	}
}

const char *file_diff_path(const struct file_diff *f)
{
	return f->new_path ? f->new_path : f->old_path;
}

static bool special_mode(unsigned int mode)
{
	return mode && mode != 0100644 && mode != 0100755 && mode != 0100664;
}

int diff_check(const struct diff *d, char **why)
{
	*why = NULL;
	for (size_t i = 0; i < d->n; i++) {
		const struct file_diff *f = &d->files[i];
		const char *paths[] = { f->old_path, f->new_path };

		if (!f->old_path && !f->new_path) {
			*why = xstrdup("has a file diff that names no file");
			return -1;
		}
		for (int k = 0; k < 2; k++) {
			const char *bad = paths[k] ? treepath_check(paths[k]) : NULL;

			if (bad) {
				*why = xasprintf("names a path outside the tree: '%s' (%s)", paths[k], bad);
				return -1;
			}
		}
		if (special_mode(f->old_mode) || special_mode(f->new_mode)) {
			*why = xasprintf("changes '%s' as a symlink or submodule (mode %06o): not supported",
					 file_diff_path(f), special_mode(f->new_mode) ? f->new_mode : f->old_mode);
			return -1;
		}
		if (f->binary) {
			*why = xasprintf("changes '%s' with a binary patch: not supported", file_diff_path(f));
			return -1;
		}
		for (size_t k = 0; k < i; k++)
			if (!strcmp(file_diff_path(&d->files[k]), file_diff_path(f))) {
				*why = xasprintf("changes '%s' twice", file_diff_path(f));
				return -1;
			}
	}
	return 0;
}

int diff_parse(const char *text, struct diff *out, char **why)
{
	char *copy = xstrdup(text);
	struct strvec lines = STRVEC_INIT;
	struct file_diff *f = NULL;
	size_t i = 0;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	*why = NULL;
	for (char *p = copy, *nl; p; p = nl ? nl + 1 : NULL) {
		nl = strchr(p, '\n');
		if (nl)
			*nl = '\0';
		if (nl || *p)
			sv_push(&lines, p);
	}
	while (i < lines.n) {
		const char *s = lines.v[i];
		struct hunk *h;

		if (starts_with(s, "diff --git ")) {
			if (out->n >= DIFF_MAX_FILES) {
				*why = xasprintf("more than %d files", DIFF_MAX_FILES);
				goto out;
			}
			f = new_file(out);
			add_git_header(f, s);
			i++;
		} else if (starts_with(s, "--- ") && i + 1 < lines.n &&
			   starts_with(lines.v[i + 1], "+++ ")) {
			if (!f || f->n)
				f = new_file(out);
			if (out->n > DIFF_MAX_FILES) {
				*why = xasprintf("more than %d files", DIFF_MAX_FILES);
				goto out;
			}
			free(f->old_path);
			free(f->new_path);
			f->old_path = strip_prefix_path(s + 4);
			f->new_path = strip_prefix_path(lines.v[i + 1] + 4);
			sv_push(&f->header, s);
			sv_push(&f->header, lines.v[i + 1]);
			i += 2;
		} else if (f && starts_with(s, "@@ -")) {
			h = new_hunk(f);
			if (!parse_hunk_header(s, h)) {
				*why = xasprintf("bad hunk header '%s'", s);
				goto out;
			}
			i = read_hunk(lines.v, lines.n, i + 1, h);
			if (i == (size_t)-1) {
				*why = xasprintf("diff is truncated: hunk %zu of '%s' ends early",
						 f->n, f->new_path ? f->new_path : f->old_path);
				goto out;
			}
			out->damaged |= h->damaged;
		} else {
			if (f && !f->n && !starts_with(s, "-- ")) {
				sv_push(&f->header, s);
				extended_header(f, s);
			}
			i++;
		}
	}
	if (!out->n) {
		*why = xstrdup("no diff found");
		goto out;
	}
	for (size_t k = 0; k < out->n; k++) {
		const struct file_diff *fd = &out->files[k];

		if (!file_diff_path(fd)) {
			*why = xstrdup("a file diff names no file");
			goto out;
		}
		if (!fd->n && !strstr(fd->header.n ? fd->header.v[0] : "", "diff --git")) {
			*why = xasprintf("diff of '%s' has no hunks", file_diff_path(fd));
			goto out;
		}
	}
	ret = 0;
out:
	sv_release(&lines);
	free(copy);
	if (ret)
		diff_free(out);
	return ret;
}

void diff_free(struct diff *d)
{
	for (size_t i = 0; i < d->n; i++) {
		struct file_diff *f = &d->files[i];

		for (size_t k = 0; k < f->n; k++) {
			free(f->hunks[k].func);
			sv_release(&f->hunks[k].lines);
		}
		free(f->hunks);
		free(f->old_path);
		free(f->new_path);
		sv_release(&f->header);
	}
	free(d->files);
	memset(d, 0, sizeof(*d));
}
