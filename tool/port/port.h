/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KB_PORT_H
#define KB_PORT_H

#include <git2.h>
#include <stdbool.h>

#include "lib/kernel.h"
#include "lib/util.h"

enum port_status {
	PS_CLEAN,	/* applied with its own context (offsets allowed) */
	PS_FUZZY,	/* reduced context or whitespace-insensitive */
	PS_ADAPTED,	/* a review action, a rule or a recorded fixup changed it */
	PS_PRESENT,	/* already in the tree: nothing committed */
	PS_CONFLICT,
	PS_SKIPPED,	/* a prerequisite this kernel deliberately does not carry */
};

struct hunk_record {
	char *file;
	int index;		/* 1-based over the whole patch */
	const char *strategy;	/* exact, offset, fuzzy, whitespace, present, equivalent, dropped, conflict,
				   cocci:<rule> (a semantic patch's hunk) */
	long offset;
	int fuzz;
	size_t line;		/* where it went (1-based, in the file as it was then) */
	char *why;
};

struct patch_record {
	bool prereq;		/* one of our prerequisite backports */
	bool local;		/* a backporter's fix carried after the series (local/) */
	int n;
	char *title;
	char *upstream;		/* upstream commit id if known */
	char *source;		/* the patch file used */
	enum port_status status;
	char *how;		/* what adapted it, or the evidence it is present */
	const char *verdict;	/* triage's verdict (triage.h key) when the hunks did not all fit */
	bool committed;
	git_oid commit;
	struct hunk_record *hunks;
	size_t nhunks;
};

struct prereq_record {
	char *commit;
	char *subject;
	char *cited;		/* commit | Fixes | local */
	char *state;		/* present | ported | missing | absent (the code a Fixes target added is not here) */
	char *evidence;
};

struct port_report {
	char *kernel;
	char *series;
	char *branch;
	git_oid base;
	git_oid tip;
	git_oid posted;		/* the series as posted: the last commit before the local fixes */
	char *source;		/* the revision the tree was imported from: "linux-source-6.1 6.1.192-3" */
	struct patch_record *recs;
	size_t nrecs;
	struct prereq_record *prereqs;
	size_t nprereqs;
	int total;		/* patches in the series */
	int nlocal;		/* local fixes carried */
	bool plan;		/* a plan: nothing was committed */
	char *rej;		/* the .rej written on conflict */
	char *partial;		/* and the diff of the hunks that applied */
	struct strvec strategies;	/* owns the "cocci:<rule>" hunk strategies */
};

/*
 * Compiles the objects of files as commit has them (the build stage's
 * kbuild_check_commit(), handed in by the command: port does not reach
 * into its sibling stage). Fails, kb_errcode KB_EXIT_BUILD, when they do not.
 */
typedef int (*port_compile_fn)(git_repository *repo, const struct kernel_desc *k, const git_oid *commit,
			       const struct strvec *files, const char *log, struct strvec *errors);

struct port_opts {
	const char *kernel;
	const char *series_dir;
	const char *signoff;	/* "Name <email>", NULL: from git config */
	bool no_local;		/* the series as posted: without backports/<series>/local/ */
	port_compile_fn compile;	/* trusts a hunk placed by anchor; NULL: such a hunk is a conflict */
	bool plan;		/* port --plan: every patch judged in memory, past conflicts; nothing written */
};

/*
 * Ports the series onto the kernel's tree; 0 when every patch is in, KB_EXIT_* otherwise.
 * With o->plan the same engine runs with the commits kept in memory (a libgit2
 * mempack) and the rules run in a temporary directory: no branch, note,
 * worktree, lock or file under work/ changes. A conflict does not stop it; the
 * hunks that applied stand for the patches after it. Returns 0 or an error.
 */
int port_run(const struct port_opts *o, struct port_report *r);
/* Records the human's resolution of the patch that stopped the last port, then ports again. */
int port_continue(const struct port_opts *o, struct port_report *r);
void port_report_free(struct port_report *r);
char *port_report_json(const struct port_report *r);
const char *port_status_name(enum port_status st);

#endif
