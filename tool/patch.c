// SPDX-License-Identifier: GPL-2.0
/* The unified-diff model: files, hunks, lines. */
#define _GNU_SOURCE
#include "patch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool parse_range(const char *s, int *start, int *count)
{
	char *end;

	*start = strtol(s, &end, 10);
	if (end == s)
		return false;
	*count = 1;
	if (*end == ',')
		*count = strtol(end + 1, &end, 10);
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

static void add_git_header(struct file_diff *f, const char *s)
{
	const char *b = strstr(s, " b/");

	sv_push(&f->header, s);
	if (b) {
		f->new_path = xstrdup(b + 3);
		f->old_path = xstrndup(s + 13, b - (s + 13));
	}
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
			f = new_file(out);
			add_git_header(f, s);
			i++;
		} else if (starts_with(s, "--- ") && i + 1 < lines.n &&
			   starts_with(lines.v[i + 1], "+++ ")) {
			if (!f || f->n)
				f = new_file(out);
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
			if (f && !f->n && !starts_with(s, "-- "))
				sv_push(&f->header, s);
			i++;
		}
	}
	if (!out->n) {
		*why = xstrdup("no diff found");
		goto out;
	}
	for (size_t k = 0; k < out->n; k++)
		if (!out->files[k].n && !strstr(out->files[k].header.n ? out->files[k].header.v[0] : "", "diff --git")) {
			*why = xasprintf("diff of '%s' has no hunks", out->files[k].new_path);
			goto out;
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
