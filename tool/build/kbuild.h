/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KB_KBUILD_H
#define KB_KBUILD_H

#include <git2.h>
#include <stdbool.h>

#include "lib/kernel.h"
#include "lib/store.h"
#include "lib/util.h"

/*
 * Building kernels: a git worktree per variant, the config merged from the
 * kernel description and verified, make with O= and ccache, the vendor-config
 * compile check of the directories a port touched, checkpatch.
 */

/* One variant of one kernel: where its source is checked out and where it builds. */
struct kbuild_tree {
	const char *series;	/* the series name the results are kept under (store.h) */
	const char *kernel;
	const char *variant;	/* "base", "patched", "debug" */
	git_oid commit;
	char timestamp[64];	/* the commit's date: the build's timestamp, for reproducible images */
	char *src;		/* <work>/worktrees/<series>/<kernel>/<variant> */
	char *out;		/* the O= directory, see kbuild_out_dir() */
};

/*
 * Checks out commit, detached, in the worktree of t (created through
 * libgit2 if missing, moved if at another commit: only the files that
 * differ are written, so make rebuilds only what they touch).
 */
int kbuild_worktree(git_repository *repo, struct kbuild_tree *t);
void kbuild_tree_release(struct kbuild_tree *t);

/*
 * Sets t->out, the O= directory, to <worktree>/.<name>: a directory right
 * inside the source is one kbuild calls "..", so every path the compiler
 * sees is the same in every worktree and every clone, and ccache entries
 * are shared between base, patched and CI's fresh clones.
 * <work>/build/<kernel>/<link_name> is made a link to it.
 */
int kbuild_out_dir(struct kbuild_tree *t, const char *name, const char *link_name);

/* Checks that make, the compiler and the tools a kernel build runs are installed. */
int kbuild_require_tools(void);

/*
 * The config of t: k's base target (e.g. tinyconfig) merged with k's
 * fragments by the tree's scripts/kconfig/merge_config.sh, then
 * olddefconfig. Every option a fragment sets must come out as set, else an
 * error names each one that does not (and whether the tree has it at
 * all). .config is replaced only when it changes, so an unchanged config
 * rebuilds nothing. log receives the tools' output.
 */
int kbuild_config(const struct kernel_desc *k, const struct kbuild_tree *t, const char *log,
		  results_hash hash, size_t *verified);

/*
 * What kbuild_config() makes t's .config from besides the tree at t's
 * commit: k's base target, each fragment's text, and the compiler and
 * linker that Kconfig probes (their --version), hashed. The same inputs give
 * the same .config, so a build made from them can be recognised without
 * running Kconfig again.
 */
int kbuild_config_inputs(const struct kernel_desc *k, const struct kbuild_tree *t, results_hash hash);

struct kbuild_result {
	char *image;		/* bzImage */
	double seconds;
	long cc_hits;		/* ccache hits and misses of this build */
	long cc_misses;
	struct strvec warnings;	/* "file:line:col: warning: message", paths relative to the tree */
};

/*
 * make bzImage in t->out with -j$(nproc) and ccache; clean first makes it a
 * full rebuild (through the cache). The output goes to log; on failure the
 * error names it.
 */
int kbuild_make(const struct kbuild_tree *t, bool clean, const char *log, struct kbuild_result *r);
void kbuild_result_release(struct kbuild_result *r);

/* The ccache directory: $KBACKPORT_CCACHE_DIR or ~/.cache/kbackport-ccache, outside any clone. */
char *kbuild_ccache_dir(void);

/* Files changed between two commits, sorted. */
int kbuild_touched_files(git_repository *repo, const git_oid *from, const git_oid *to,
			 struct strvec *out);

/* The vendor config is named and present, sparse and the host headers a full config needs are installed. */
int kbuild_vendor_ready(const struct kernel_desc *k);

/*
 * The vendor-config compile check of one variant (after kbuild_vendor_ready()): the description's
 * vendor config (.xz, .gz or plain) and olddefconfig in t->out, then every
 * directory holding a touched .c or .h file compiled with W=1, and sparse
 * (C=2) on the touched .c files. warnings gets every diagnostic, paths
 * relative to the tree.
 */
int kbuild_vendor_compile(const struct kernel_desc *k, const struct kbuild_tree *t,
			  const struct strvec *touched, const char *log, struct strvec *warnings);

/*
 * Compiles, in t with k's config, the object of every .c file in files and
 * the directory of every header beside them (a header under include/ or
 * arch/ has no object of its own: not compiled). Fails when make does;
 * errors gets the compiler's error lines. log receives make's output.
 */
int kbuild_compile_objects(const struct kernel_desc *k, const struct kbuild_tree *t, const struct strvec *files,
			   const char *log, struct strvec *errors);

/*
 * kbuild_compile_objects() of commit, checked out in a scratch worktree
 * kept for the purpose (<work>/worktrees/port-check/<kernel>/check).
 */
int kbuild_check_commit(git_repository *repo, const struct kernel_desc *k, const git_oid *commit,
			const struct strvec *files, const char *log, struct strvec *errors);

/*
 * The warnings of patched that base does not have. Line and column are
 * ignored when matching (a warning that only moved is not new), counts are
 * not: a message that appears once more is new.
 */
void kbuild_new_warnings(const struct strvec *base, const struct strvec *patched, struct strvec *out);

struct checkpatch_report {
	char commit[GIT_OID_HEXSZ + 1];
	char *subject;
	int errors;
	int warnings;
	int checks;
	struct strvec lines;	/* the ERROR/WARNING/CHECK lines, checkpatch --terse */
};

/* scripts/checkpatch.pl --no-tree of src on each commit from base (exclusive) to tip. */
int kbuild_checkpatch(git_repository *repo, const char *src, const git_oid *base, const git_oid *tip,
		      const char *tmpdir, struct checkpatch_report **out, size_t *n);
void kbuild_checkpatch_free(struct checkpatch_report *r, size_t n);

#endif
