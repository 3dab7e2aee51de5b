/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KB_BUILD_H
#define KB_BUILD_H

#include <git2.h>
#include <stdbool.h>

#include "lib/kernel.h"

/* What `kbackport build` works on: one kernel, its tree, the series whose port it builds. */
struct build {
	struct kernel_desc k;
	git_repository *repo;
	char *series;		/* the series directory whose port branch patched and debug build */
	char *series_name;	/* its name in the store */
	bool force;
};

/*
 * Builds variant (base, patched, debug) of b's kernel: worktree, merged and
 * verified config, bzImage with ccache, checkpatch on patched; reuses the
 * stored image while commit and config are unchanged (unless b->force).
 * Prints its progress; 0, or -1 (reported, kb_errcode set).
 */
int build_variant(struct build *b, const char *variant);

/* The vendor-config check of base and patched (W=1, sparse), stored in results/<k>/patched/. */
int build_vendor_check(struct build *b, const char *prefix);

#endif
