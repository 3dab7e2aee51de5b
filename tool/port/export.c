// SPDX-License-Identifier: GPL-2.0
/*
 * Exports of a ported branch: an mbox git am applies to the base, and a
 * Debian quilt series. Both name the source revision the port was made on
 * (X-Kbackport-Source: in every message, "# source:" atop the series), so
 * a committed export is known to be stale once the tree moves.
 */
#define _GNU_SOURCE
#include "port/export.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "git/branch.h"
#include "mail/mbox.h"
#include "port/port.h"
#include "git/repo.h"
#include "mail/series.h"
#include "lib/util.h"

/* "Link: https://..." or "[ Upstream commit <id> ]" in a message, as a URL. */
static char *origin_url(const char *body, bool *upstream_commit)
{
	const char *s = strstr(body, "[ Upstream commit ");
	const char *l = strstr(body, "\nLink: ");

	*upstream_commit = s != NULL;
	if (s) {
		s += strlen("[ Upstream commit ");
		return xasprintf("https://git.kernel.org/linus/%.*s", (int)strspn(s, "0123456789abcdef"), s);
	}
	if (l) {
		l += strlen("\nLink: ");
		return xstrndup(l, strcspn(l, "\n"));
	}
	return NULL;
}

/*
 * git format-patch text -> a DEP-3 headed patch (Debian's debian/patches
 * style); a local fix is the vendor's own, not yet forwarded.
 */
static char *dep3_patch(const char *mail, const char *file, bool local)
{
	struct msg_list l = { 0 };
	struct strbuf sb = STRBUF_INIT;
	const char *subject, *close, *closes;
	bool upstream_commit;
	char *url, date[64], day[16];
	time_t t;
	struct tm tm;

	if (mbox_parse(file, mail, strlen(mail), &l, NULL) || l.n != 1)
		return NULL;
	subject = l.v[0].subject;
	close = subject[0] == '[' ? strchr(subject, ']') : NULL;
	if (close)
		subject = close + 1 + strspn(close + 1, " ");
	t = (time_t)l.v[0].when;
	gmtime_r(&t, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
	strftime(day, sizeof(day), "%Y-%m-%d", &tm);
	url = origin_url(l.v[0].body, &upstream_commit);
	sb_addf(&sb, "From: %s <%s>\nDate: %s\nSubject: %s\n", l.v[0].from_name,
		l.v[0].from_email ? l.v[0].from_email : "", date, subject);
	if (local)
		sb_addf(&sb, "Origin: vendor%s%s\n", url ? ", " : "", url ? url : "");
	else if (url)
		sb_addf(&sb, "Origin: %s, %s\n", strstr(l.v[0].body, "\n[ ") && !upstream_commit ?
			"backport" : "upstream", url);
	closes = strstr(l.v[0].body, "\nCloses: ");
	if (closes)
		sb_addf(&sb, "Bug: %.*s\n", (int)strcspn(closes + 9, "\n"), closes + 9);
	sb_addf(&sb, "Forwarded: %s\nLast-Update: %s\n\n%s", local ? "no" : "not-needed", day, l.v[0].body);
	free(url);
	msg_list_free(&l);
	return sb_detach(&sb);
}

/* Does the port's note of commit say it is a local fix? */
static int is_local(git_repository *repo, const git_oid *commit, bool *local)
{
	struct strbuf note = STRBUF_INIT;
	int rc = branch_read_note(repo, commit, &note);
	json_t *o = rc ? NULL : json_loads(note.buf, 0, NULL);

	*local = o && json_is_true(json_object_get(o, "local"));
	json_decref(o);
	sb_release(&note);
	return rc < 0 ? -1 : 0;
}

/* Adds "name: value" as the last header of the one message in mail. */
static void add_header(struct strbuf *mail, const char *name, const char *value)
{
	const char *end = strstr(mail->buf, "\n\n");
	size_t at = end ? (size_t)(end - mail->buf) + 1 : mail->len;
	char *line = xasprintf("%s: %s\n", name, value);
	struct strbuf sb = STRBUF_INIT;

	sb_add(&sb, mail->buf, at);
	sb_adds(&sb, line);
	sb_add(&sb, mail->buf + at, mail->len - at);
	sb_release(mail);
	*mail = sb;
	free(line);
}

int export_write(git_repository *repo, const git_oid *commits, size_t n, const char *fmt,
		 const char *dir, const char *source)
{
	struct strbuf mbox = STRBUF_INIT, series = STRBUF_INIT, one = STRBUF_INIT;
	char *pdir = xasprintf("%s/patches", dir);
	int ret = -1;

	if (mkdir_p(!strcmp(fmt, "quilt") ? pdir : dir))
		goto out;
	sb_addf(&series, "%s%s\n", EXPORT_SERIES_SOURCE, source);
	for (size_t i = 0; i < n; i++) {
		git_commit *c = NULL;
		char *slug, *name, *path, *dep3;
		bool local;

		sb_reset(&one);
		if (is_local(repo, &commits[i], &local) || branch_format_patch(repo, &commits[i], i + 1, n, &one) ||
		    check_lg2(git_commit_lookup(&c, repo, &commits[i]), "cannot read commit"))
			goto out;
		add_header(&one, EXPORT_SOURCE_HEADER, source);
		sb_add(&mbox, one.buf, one.len);
		slug = subject_slug(git_commit_summary(c), 52);
		git_commit_free(c);
		name = xasprintf("%04zu-%s.patch", i + 1, slug);
		path = xasprintf("%s/%s", pdir, name);
		sb_addf(&series, "%s\n", name);
		dep3 = strcmp(fmt, "quilt") ? NULL : dep3_patch(one.buf, name, local);
		ret = dep3 ? write_file_atomic(path, dep3, strlen(dep3)) : strcmp(fmt, "quilt") ? 0 : -1;
		free(dep3);
		free(path);
		free(name);
		free(slug);
		if (ret)
			goto out;
	}
	if (!strcmp(fmt, "quilt")) {
		char *path = xasprintf("%s/series", pdir);

		ret = write_file_atomic(path, series.buf ? series.buf : "", series.len);
		free(path);
	} else {
		char *path = xasprintf("%s/backport.mbox", dir);

		ret = write_file_atomic(path, mbox.buf ? mbox.buf : "", mbox.len);
		free(path);
	}
out:
	sb_release(&mbox);
	sb_release(&series);
	sb_release(&one);
	free(pdir);
	return ret;
}

/* The value of the first "<name>: " line of text, up to the line's end. */
static char *line_value(const char *text, const char *prefix)
{
	for (const char *l = text; l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		if (*l == '\n')
			return NULL;	/* the end of the first message's headers */
		if (starts_with(l, prefix)) {
			l += strlen(prefix);
			return trim_dup(l, strcspn(l, "\n"));
		}
	}
	return NULL;
}

char *export_source(const char *dir)
{
	char *mbox = xasprintf("%s/backport.mbox", dir), *series = xasprintf("%s/patches/series", dir);
	char *header = xasprintf("%s: ", EXPORT_SOURCE_HEADER);
	struct strbuf sb = STRBUF_INIT;
	char *label = NULL;

	if (path_exists(mbox) && !read_file(mbox, &sb))
		label = line_value(sb.buf ? sb.buf : "", header);
	sb_reset(&sb);
	if (!label && path_exists(series) && !read_file(series, &sb) && sb.buf)
		label = starts_with(sb.buf, EXPORT_SERIES_SOURCE) ? line_value(sb.buf, EXPORT_SERIES_SOURCE) : NULL;
	sb_release(&sb);
	free(header);
	free(series);
	free(mbox);
	if (label && !*label) {
		free(label);
		label = NULL;
	}
	return label;
}
