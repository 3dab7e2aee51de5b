/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KB_BRANCH_H
#define KB_BRANCH_H

#include <git2.h>
#include <stdbool.h>

#include "lib/util.h"

/*
 * What port and export write into an imported tree's repository: commits
 * built in the object database (the work tree is not touched), branches
 * and notes. Everything through libgit2.
 */

struct file_change {
	const char *path;
	const char *data;	/* new content; NULL deletes the file */
	size_t len;
	bool executable;	/* mode 100755; else the file keeps its mode (new: 100644) */
};

struct person {
	const char *name;
	const char *email;
	long long when;		/* seconds since the epoch; < 0: now */
};

/* The content of path in commit; *exists false (and 0 returned) when absent. */
int branch_read_file(git_repository *repo, const git_oid *commit, const char *path,
		     struct strbuf *out, bool *exists);
/* A commit on parent with the changes; *out its id. */
int branch_commit(git_repository *repo, const git_oid *parent, const struct file_change *changes,
		  size_t n, const struct person *author, const struct person *committer,
		  const char *message, git_oid *out);
/* Points refs/heads/<branch> at id (created or moved). */
int branch_set(git_repository *repo, const char *branch, const git_oid *id, const char *why);
/* The commit refs/heads/<branch> points at; 1 if the branch does not exist. */
int branch_get(git_repository *repo, const char *branch, git_oid *out);
/* Commits from base (exclusive) to tip, oldest first. */
int branch_commits(git_repository *repo, const git_oid *base, const git_oid *tip,
		   git_oid **out, size_t *n);
/* Attaches text as the note of commit under refs/notes/kbackport. */
int branch_note(git_repository *repo, const git_oid *commit, const char *text);
/* The note of commit under refs/notes/kbackport, appended to out; 1 if it has none. */
int branch_read_note(git_repository *repo, const git_oid *commit, struct strbuf *out);
/* The user's identity from git config (user.name, user.email); NULL if unset. */
int branch_identity(git_repository *repo, char **name, char **email);
/* git format-patch of one commit (numbered n of total; 0 total: no numbers). */
int branch_format_patch(git_repository *repo, const git_oid *commit, size_t n, size_t total,
			struct strbuf *out);
/* Checks out the branch into the work tree and makes it HEAD. */
int branch_checkout(git_repository *repo, const char *branch);
/* The diff from commit from's tree to to's (NULL: to the work tree, untracked files included), as patch text. */
int branch_diff(git_repository *repo, const git_oid *from, const git_oid *to, struct strbuf *out);

/* "backport/<series>/<kernel>": the branch a port of a series directory makes. */
char *port_branch_name(const char *series_dir, const char *kernel);

#endif
