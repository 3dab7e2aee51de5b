// SPDX-License-Identifier: GPL-2.0
/* kbackport export <kernel> --format mbox|quilt|branch [-o DIR] [--series DIR] */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "git/branch.h"
#include "builtin/builtin.h"
#include "port/export.h"
#include "lib/kernel.h"
#include "port/port.h"
#include "git/repo.h"
#include "git/source.h"
#include "lib/util.h"

static const struct kb_option options[] = {
	{ "format", 'f', 0, "mbox|quilt|branch", "what to export (required)" },
	{ "output", 'o', 'o', "DIR", "where to write it (default: <series>/<kernel>/)" },
	KB_OPTION_SERIES_DIR,
	{ NULL },
};

const struct kb_usage usage_export = {
	.name = "export",
	.summary = "export a ported branch as mbox or quilt series",
	.forms = (const char *const[]){
		"export <kernel> {format} [{-o}] [{series}]",
		NULL,
	},
	.options = options,
	.text = "mbox: DIR/backport.mbox (git am applies it to the base); quilt:\n"
		"DIR/patches/series + DEP-3 headed patches (quilt push -a applies them to\n"
		"the unpacked source); branch: prints the branch name and its tip.\n"
		"DIR defaults to <series>/<kernel>/.",
};

int cmd_export(int argc, char **argv)
{
	const char *fmt = NULL, *out = NULL;
	char *series = NULL, *branch, *dir;
	struct kernel_desc k = { 0 };
	struct source_rev rev = { 0 };
	git_repository *repo = NULL;
	git_oid base, tip, *commits = NULL;
	size_t n = 0;
	int c, ret = KB_EXIT_FAIL;

	while ((c = kb_getopt(argc, argv, &usage_export)) != -1) {
		if (c == 'f') {
			fmt = optarg;
		} else if (c == 'o') {
			out = optarg;
		} else if (c == 's') {
			free(series);
			series = xstrdup(optarg);
		} else {
			free(series);
			return usage_error(&usage_export);
		}
	}
	if (optind != argc - 1 || !fmt || (strcmp(fmt, "mbox") && strcmp(fmt, "quilt") && strcmp(fmt, "branch"))) {
		free(series);
		return usage_error(&usage_export);
	}
	if (!series)
		series = default_series_dir();
	branch = port_branch_name(series, argv[optind]);
	dir = out ? xstrdup(out) : xasprintf("%s/%s", series, argv[optind]);
	if (kernel_find(argv[optind], &k) || repo_open_tree(argv[optind], &repo) ||
	    repo_base_commit(repo, &base) || repo_tree_revision(repo, &k, &rev))
		goto out;
	if (!rev.label) {
		error_code(KB_EXIT_BADINPUT, "tree '%s' was not imported from its YAML's source: remove it and "
			   "run 'kbackport kernels import %s'", argv[optind], argv[optind]);
		goto out;
	}
	if (branch_get(repo, branch, &tip)) {
		error_code(KB_EXIT_NOINPUT, "no branch '%s': run 'kbackport port %s' first", branch, argv[optind]);
		goto out;
	}
	if (!strcmp(fmt, "branch")) {
		printf("%s %s\n", branch, git_oid_tostr_s(&tip));
		ret = 0;
		goto out;
	}
	if (branch_commits(repo, &base, &tip, &commits, &n) || export_write(repo, commits, n, fmt, dir, rev.label))
		goto out;
	printf("%s: %zu commit%s of %s written to %s/%s (made on %s)\n", argv[optind], n, n == 1 ? "" : "s",
	       branch, dir, strcmp(fmt, "quilt") ? "backport.mbox" : "patches/", rev.label);
	ret = 0;
out:
	if (ret && kb_errcode)
		ret = kb_errcode;
	free(commits);
	source_rev_free(&rev);
	kernel_free(&k);
	git_repository_free(repo);
	free(branch);
	free(dir);
	free(series);
	return ret;
}
