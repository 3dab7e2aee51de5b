/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KB_REPO_H
#define KB_REPO_H

#include <git2.h>
#include <stdbool.h>

#include "kernel.h"

/* Where an imported tree keeps its unmodified source; later stages start here. */
#define REPO_BASE_REF "refs/kbackport/base"
/* The branch checked out after import, at the same commit. */
#define REPO_BASE_BRANCH "refs/heads/base"

/*
 * If rc < 0, reports "error: <fmt...>: <libgit2's message>" and returns -1
 * (kb_errcode KB_EXIT_FAIL); otherwise returns 0.
 */
__attribute__((format(printf, 2, 3))) int check_lg2(int rc, const char *fmt, ...);

/* <work>/trees/<name>. */
char *repo_tree_path(const char *name);

/* Opens trees/<name> if it is imported (has REPO_BASE_REF); 1 if not, quietly. out may be NULL. */
int repo_try_open_tree(const char *name, git_repository **out, git_oid *base);

/* Like repo_try_open_tree(), but a missing tree is an error that says how to import it. */
int repo_open_tree(const char *name, git_repository **out);

/* The commit REPO_BASE_REF points at. */
int repo_base_commit(git_repository *repo, git_oid *out);

/* "6.12.57" (+ EXTRAVERSION) from the top Makefile of commit. */
int repo_kernel_version(git_repository *repo, const git_oid *commit, char **out);

/* The tarball is readable, or the git repository opens and has the ref. */
bool repo_source_present(const struct kernel_desc *k);

struct import_result {
	bool already;		/* trees/<name> was imported before; nothing done */
	git_oid commit;		/* the base commit */
	size_t files;		/* files written (0 if already) */
	double seconds;
};

/* Called after each file written, to show progress. */
typedef void (*import_progress_fn)(size_t files);

/*
 * Imports the source of k into trees/<name>: one commit, REPO_BASE_REF and
 * REPO_BASE_BRANCH at it, checked out. The tree is built in
 * trees/.<name>.tmp and renamed into place only on success, so a failed or
 * interrupted import leaves nothing behind.
 */
int repo_import(const struct kernel_desc *k, import_progress_fn progress,
		struct import_result *res);

#endif
