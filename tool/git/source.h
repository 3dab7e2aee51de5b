/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KB_SOURCE_H
#define KB_SOURCE_H

#include <git2.h>
#include <stdbool.h>

#include "lib/kernel.h"

/*
 * Source revisions. A kernel YAML pins one (source.version, or a git ref)
 * or tracks the newest (the installed package, or the newest of
 * source.suite). Every result carries the revision it was made on as a
 * label, "linux-source-6.1 6.1.192-3", so a result made on another
 * revision than the tree's is known to be stale.
 */
struct source_rev {
	char *version;	/* the Debian version; "sha1-<hex>" of a tarball no installed package
			   describes; a git source's commit id. NULL: not known until fetched */
	char *label;	/* "<package> <version>" or "<path>@<ref> <commit>"; NULL with version */
	char *tarball;	/* debian-package: the tarball of that revision; NULL when not at hand */
};

/*
 * The revision k's source gives now. fetch: download it when a pinned or
 * suite revision is not in the cache yet (debian.h); without fetch the
 * revision is reported as far as it is known without the network.
 */
int source_resolve(const struct kernel_desc *k, bool fetch, struct source_rev *out);
void source_rev_free(struct source_rev *r);

/*
 * The vendor config to read for a tree at version: config.vendor-config as
 * given, or, for a Debian source fetched from a suite or pinned, the same
 * path inside the package that ships it (/usr/src/<package>/...) at the
 * tree's own version from that suite, fetched into the cache (debian.h):
 * the config of the kernel that source built, never the system's.
 */
int source_vendor_config(const struct kernel_desc *k, const char *version, char **path);

/* The commit k->git_ref names in k->git_path (a git source). */
int source_git_commit(const struct kernel_desc *k, git_oid *out);

/* The version a label names: its last word. */
const char *source_label_version(const char *label);

/*
 * "stale: <what> made on 6.1.192-2, tree is 6.1.192-3: run 'kbackport
 * refresh <kernel>'", or NULL when the two labels name one version.
 */
char *source_stale_text(const char *what, const char *made_on, const char *tree, const char *kernel);

/* "stale: tree is X, its source is at Y now: run ...", or NULL (also when not known offline). */
char *source_moved_text(const struct kernel_desc *k, const char *tree);

#endif
