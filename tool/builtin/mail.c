// SPDX-License-Identifier: GPL-2.0
/* kbackport mail <kernel> [--finding NAME] [-o FILE] [--series DIR] */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "builtin/builtin.h"
#include "git/branch.h"
#include "git/repo.h"
#include "lib/kernel.h"
#include "lib/store.h"
#include "lib/util.h"
#include "mail/mbox.h"
#include "mail/reply.h"

static const struct kb_option options[] = {
	{ "finding", 'F', 0, "NAME", "the local fix to report: its name or number (default: the only one)" },
	{ "output", 'o', 'o', "FILE", "write the draft to FILE, a new file (default: stdout)" },
	KB_OPTION_SERIES_DIR,
	{ NULL },
};

const struct kb_usage usage_mail = {
	.name = "mail",
	.summary = "draft the reply that reports a finding upstream (sends nothing)",
	.forms = (const char *const[]){
		"mail <kernel> [{finding}] [{-o}] [{series}]",
		NULL,
	},
	.options = options,
	.text = "A finding is a local fix (<series>/local/NNNN-<name>.patch, or local/<kernel>/)\n"
		"whose message links the series patch it fixes with a trailer\n"
		"'Link: https://lore.kernel.org/r/<message-id>'. The draft replies to that patch\n"
		"(In-Reply-To, References; To and Cc as the archive copies show the thread), shows\n"
		"the kb-nowait answers on base, posted and patched and how to reproduce them, and\n"
		"carries the fix after a scissors line: one message in mbox form for git send-email\n"
		"or git am --scissors. From: KBACKPORT_SIGNOFF, else git config user.name and\n"
		"user.email. Nothing is sent.",
};

/* The drafter, found as port finds the backporter: KBACKPORT_SIGNOFF, else git config. */
static int drafter(git_repository *tree, char **name, char **email)
{
	const char *s = getenv("KBACKPORT_SIGNOFF");
	git_repository *here = NULL;
	int ret;

	*name = *email = NULL;
	if (s && *s) {
		split_address(s, name, email);
		if (*email && **name)
			return 0;
		return error_code(KB_EXIT_USAGE, "bad KBACKPORT_SIGNOFF '%s' (want 'Name <email>')", s);
	}
	/* the tree's config as port reads it; without a tree, the checkout's (the user's own config too) */
	if (!tree && git_repository_open_ext(&here, ".", 0, NULL))
		git_error_clear();
	ret = tree || here ? branch_identity(tree ? tree : here, name, email) : 0;
	git_repository_free(here);
	if (ret)
		return -1;
	if (*name && *email)
		return 0;
	return error_code(KB_EXIT_USAGE, "no identity for the draft's From: set git config user.name and "
			  "user.email, or KBACKPORT_SIGNOFF");
}

/* A new file, written whole or not at all: an existing draft may hold the drafter's edits. */
static int write_new_file(const char *path, const char *text)
{
	char *tmp = xasprintf("%s.%d.tmp", path, (int)getpid());
	int ret = write_file_atomic(tmp, text, strlen(text));

	if (!ret && link(tmp, path))
		ret = errno == EEXIST ? error_code(KB_EXIT_USAGE, "'%s' exists: the draft is not written over it", path)
				      : error("cannot write '%s': %s", path, strerror(errno));
	unlink(tmp);
	free(tmp);
	return ret;
}

int cmd_mail(int argc, char **argv)
{
	const char *want = NULL, *out = NULL;
	char *series = NULL, *checkpatch = NULL, *name = NULL, *email = NULL, *expect;
	struct kernel_desc k = { 0 };
	git_repository *tree = NULL;
	struct reply r = { 0 };
	git_oid base;
	int c, ret = KB_EXIT_FAIL;

	while ((c = kb_getopt(argc, argv, &usage_mail)) != -1) {
		if (c == 'F') {
			want = optarg;
		} else if (c == 'o') {
			out = optarg;
		} else if (c == 's') {
			free(series);
			series = xstrdup(optarg);
		} else {
			free(series);
			return usage_error(&usage_mail);
		}
	}
	if (optind != argc - 1) {
		free(series);
		return usage_error(&usage_mail);
	}
	if (!series)
		series = default_series_dir();
	expect = xasprintf("%s/expect", series);
	if (out && path_exists(out)) {
		error_code(KB_EXIT_USAGE, "'%s' exists: the draft is not written over it", out);
		goto out;
	}
	if (kernel_find(argv[optind], &k))
		goto out;
	/* an imported tree has the sign-off's identity and the checkpatch.pl the build runs */
	if (repo_try_open_tree(argv[optind], &tree, &base))
		tree = NULL;
	if (drafter(tree, &name, &email))
		goto out;
	if (tree) {
		char *dir = store_tree(argv[optind]);

		checkpatch = xasprintf("%s/scripts/checkpatch.pl", dir);
		free(dir);
	}
	if (checkpatch && !path_exists(checkpatch)) {
		free(checkpatch);
		checkpatch = NULL;
	}
	if (reply_draft(&(struct reply_opts){ .series_dir = series, .kernel = argv[optind], .finding = want,
					      .from_name = name, .from_email = email, .expect_dir = expect,
					      .checkpatch = checkpatch }, &r))
		goto out;
	if (!out)
		fputs(r.text, stdout);
	else if (write_new_file(out, r.text))
		goto out;
	else
		printf("%s: draft of '%s' (finding %s) written to %s\n", argv[optind], r.subject, r.finding, out);
	if (!checkpatch)
		note("checkpatch not run on the fix: no tree '%s' with scripts/checkpatch.pl imported", argv[optind]);
	ret = 0;
out:
	if (ret && kb_errcode)
		ret = kb_errcode;
	reply_free(&r);
	git_repository_free(tree);
	kernel_free(&k);
	free(checkpatch);
	free(expect);
	free(name);
	free(email);
	free(series);
	return ret;
}
