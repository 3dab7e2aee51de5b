/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KB_FINDING_H
#define KB_FINDING_H

#include <stdbool.h>

#include "lib/util.h"
#include "mail/series.h"

/*
 * A finding: a backporter's local fix (backports/<series>/local/) whose
 * message names the series patch it fixes with a trailer
 * "Link: https://lore.kernel.org/r/<message-id>", and the kb-nowait
 * answers that show it on one kernel.
 */

/* A local fix's name: its file name without "NNNN-" and ".patch" (a new string). */
char *local_fix_name(const char *file);

struct finding {
	char *file;		/* the local fix */
	char *name;
	struct spatch fix;	/* its author, date, title, message, trailers and diff */
	int patch;		/* the series patch it is about: 1..total, 0 for the cover letter */
	char *message_id;	/* that patch's, or the cover letter's when under_cover */
	bool under_cover;	/* the patch's own Message-ID is not known: threaded under the cover */
};

/*
 * The kernel's finding named want (its name, or its number NNNN or N), or
 * its only one when want is NULL: 0, or -1 with kb_errcode set (no local
 * fix: KB_EXIT_NOINPUT; an unknown name or several to choose from:
 * KB_EXIT_USAGE, the names listed; a fix that links no series patch:
 * KB_EXIT_BADINPUT).
 */
int finding_pick(const char *series_dir, const char *kernel, const struct series *s, const char *want,
		 struct finding *f);
void finding_free(struct finding *f);

/* kb-nowait's ways of writing, and the variants a finding is measured on. */
#define NOWAIT_APIS 3
enum nowait_variant { NW_BASE, NW_POSTED, NW_PATCHED, NW_VARIANTS };
extern const char *const nowait_apis[NOWAIT_APIS];
extern const char *const nowait_variants[NW_VARIANTS];

/* One kb-nowait case, as each variant answered it. */
struct nowait_case {
	char *name;
	char *detail;		/* its layout, write, extent cache and mtime */
	char *why;		/* the table's reason for the expected answers; NULL: none */
	char *expect[NOWAIT_APIS];	/* NULL: not known */
	char *cell[NW_VARIANTS][NOWAIT_APIS];	/* "eagain (4096 B written)", "not run", ... */
	int fixed;		/* 1: patched answers as expected, 0: not, -1: cannot tell */
	struct strvec problems;	/* what is wrong with the series as posted, in words */
};

struct nowait_evidence {
	bool ran[NW_VARIANTS];	/* a kb-nowait table is in the variant's dio result */
	struct nowait_case *cases;	/* the cases the series as posted gets wrong (all when posted did not run) */
	size_t n;
	char *table;		/* the expectations' file, NULL if there is none */
};

/*
 * The kb-nowait answers of the dio results of kernel (results/<series>/
 * <kernel>/{base,posted,patched}/dio.json) against the table in
 * expect_dir (nowait-patched-<kernel>.json) or the one the runs recorded.
 * A missing result is "not run", never guessed.
 */
void nowait_evidence(const char *series, const char *kernel, const char *expect_dir, struct nowait_evidence *ev);
void nowait_evidence_free(struct nowait_evidence *ev);

#endif
