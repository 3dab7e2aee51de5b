/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KB_REPO_H
#define KB_REPO_H

#include <git2.h>
#include <stdbool.h>

#include "lib/kernel.h"
#include "lib/lg2.h"
#include "git/source.h"

/* Where an imported tree keeps its unmodified source; later stages start here. */
#define REPO_BASE_REF "refs/kbackport/base"
/* The branch checked out after import, at the same commit. */
#define REPO_BASE_BRANCH "refs/heads/base"


/*
 * Takes the lock of tree <name> for what (port, import, build): anything
 * that moves its branches, index or work tree holds it. A tree in use is an
 * error naming the holder ("pid 123 (kbackport port)"); the lock of a
 * process that died is free. Nests within one process.
 */
int repo_lock(const char *name, const char *what);
void repo_unlock(const char *name);

/* Opens trees/<name> if it is imported (has REPO_BASE_REF); 1 if not, quietly. out may be NULL. */
int repo_try_open_tree(const char *name, git_repository **out, git_oid *base);

/* Like repo_try_open_tree(), but a missing tree is an error that says how to import it. */
int repo_open_tree(const char *name, git_repository **out);

/*
 * From now on objects written to repo stay in memory (a libgit2 mempack
 * backend ahead of the object database): what is built on them can be
 * read back and diffed, and vanishes with the repository handle.
 */
int repo_write_in_memory(git_repository *repo);

/* Files modified or staged in the work tree (untracked files are not counted). */
int repo_dirty_files(git_repository *repo, struct strvec *out);

/* The commit REPO_BASE_REF points at. */
int repo_base_commit(git_repository *repo, git_oid *out);

/* "6.12.57" (+ EXTRAVERSION) from the top Makefile of commit. */
int repo_kernel_version(git_repository *repo, const git_oid *commit, char **out);

/* The revision the tree's base was imported from (version NULL: not an import of k's source). */
int repo_tree_revision(git_repository *repo, const struct kernel_desc *k, struct source_rev *out);

/* The tarball is readable, or the git repository opens and has the ref. */
bool repo_source_present(const struct kernel_desc *k);

struct import_result {
	bool already;		/* trees/<name> is at this revision already; nothing done */
	git_oid commit;		/* the base commit */
	char *label;		/* the revision imported: "linux-source-6.1 6.1.192-3" */
	char *previous;		/* the revision the tree moved from; NULL for a new tree */
	size_t files;		/* files read */
	double seconds;
};
void import_result_free(struct import_result *res);

/* Called after each file written, to show progress. */
typedef void (*import_progress_fn)(size_t files);

/*
 * Imports the revision of k's source that source_resolve() gives into
 * trees/<name>: one commit, REPO_BASE_REF and REPO_BASE_BRANCH at it,
 * checked out, refs/kbackport/revisions/<version> kept. A new tree is
 * built in trees/.<name>.tmp and renamed into place only on success, so a
 * failed or interrupted import leaves nothing behind. A tree at another
 * revision moves to this one (it must be clean): the old base and the
 * branches made on it stay in the repository.
 */
int repo_import(const struct kernel_desc *k, import_progress_fn progress,
		struct import_result *res);

#endif
