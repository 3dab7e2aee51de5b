// SPDX-License-Identifier: GPL-2.0
/* kbackport export <kernel> --format mbox|quilt|branch [-o DIR] [--series DIR] */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "branch.h"
#include "builtin.h"
#include "mbox.h"
#include "port.h"
#include "repo.h"
#include "series.h"
#include "util.h"

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

/* git format-patch text -> a DEP-3 headed patch (Debian's debian/patches style). */
static char *dep3_patch(const char *mail, const char *file)
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
	if (url)
		sb_addf(&sb, "Origin: %s, %s\n", strstr(l.v[0].body, "\n[ ") && !upstream_commit ?
			"backport" : "upstream", url);
	closes = strstr(l.v[0].body, "\nCloses: ");
	if (closes)
		sb_addf(&sb, "Bug: %.*s\n", (int)strcspn(closes + 9, "\n"), closes + 9);
	sb_addf(&sb, "Forwarded: not-needed\nLast-Update: %s\n\n%s", day, l.v[0].body);
	free(url);
	msg_list_free(&l);
	return sb_detach(&sb);
}

static int write_exports(git_repository *repo, const git_oid *commits, size_t n, const char *fmt,
			 const char *dir)
{
	struct strbuf mbox = STRBUF_INIT, series = STRBUF_INIT, one = STRBUF_INIT;
	char *pdir = xasprintf("%s/patches", dir);
	int ret = -1;

	if (mkdir_p(!strcmp(fmt, "quilt") ? pdir : dir))
		goto out;
	for (size_t i = 0; i < n; i++) {
		git_commit *c = NULL;
		char *slug, *name, *path, *dep3;

		sb_reset(&one);
		if (branch_format_patch(repo, &commits[i], i + 1, n, &one) ||
		    check_lg2(git_commit_lookup(&c, repo, &commits[i]), "cannot read commit"))
			goto out;
		sb_add(&mbox, one.buf, one.len);
		slug = subject_slug(git_commit_summary(c), 52);
		git_commit_free(c);
		name = xasprintf("%04zu-%s.patch", i + 1, slug);
		path = xasprintf("%s/%s", pdir, name);
		sb_addf(&series, "%s\n", name);
		dep3 = strcmp(fmt, "quilt") ? NULL : dep3_patch(one.buf, name);
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

int cmd_export(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "series", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	const char *fmt = NULL, *out = NULL;
	char *series = NULL, *branch, *dir;
	git_repository *repo = NULL;
	git_oid base, tip, *commits = NULL;
	size_t n = 0;
	int c, ret = KB_EXIT_FAIL;

	while ((c = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
		if (c == 'f')
			fmt = optarg;
		else if (c == 'o')
			out = optarg;
		else if (c == 's')
			series = xstrdup(optarg);
		else
			return usage_of("export"), KB_EXIT_USAGE;
	}
	if (optind != argc - 1 || !fmt || (strcmp(fmt, "mbox") && strcmp(fmt, "quilt") && strcmp(fmt, "branch"))) {
		usage_of("export");
		return KB_EXIT_USAGE;
	}
	if (!series)
		series = default_series_dir();
	branch = port_branch_name(series, argv[optind]);
	dir = out ? xstrdup(out) : xasprintf("%s/%s", series, argv[optind]);
	if (repo_open_tree(argv[optind], &repo) || repo_base_commit(repo, &base))
		goto out;
	if (branch_get(repo, branch, &tip)) {
		error_code(KB_EXIT_NOINPUT, "no branch '%s': run 'kbackport port %s' first", branch, argv[optind]);
		goto out;
	}
	if (!strcmp(fmt, "branch")) {
		printf("%s %s\n", branch, git_oid_tostr_s(&tip));
		ret = 0;
		goto out;
	}
	if (branch_commits(repo, &base, &tip, &commits, &n) || write_exports(repo, commits, n, fmt, dir))
		goto out;
	printf("%s: %zu commit%s of %s written to %s/%s\n", argv[optind], n, n == 1 ? "" : "s", branch, dir,
	       strcmp(fmt, "quilt") ? "backport.mbox" : "patches/");
	ret = 0;
out:
	if (ret && kb_errcode)
		ret = kb_errcode;
	free(commits);
	git_repository_free(repo);
	free(branch);
	free(dir);
	free(series);
	return ret;
}
