/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KB_TRIAGE_H
#define KB_TRIAGE_H

#include <git2.h>
#include <jansson.h>
#include <stdbool.h>

#include "lib/util.h"
#include "mail/series.h"
#include "port/match.h"

/*
 * Is this fix needed on this tree? The stable maintainer's first question,
 * answered from the tree's code without changing anything: the patch is
 * placed in memory over a commit of the tree (and over what earlier
 * patches changed there).
 */
enum triage_verdict {
	TRIAGE_APPLIES,		/* the bug is here and the patch applies */
	TRIAGE_NEEDS,		/* the bug is here; the patch needs earlier commits the tree lacks */
	TRIAGE_PRESENT,		/* the tree already carries the fix */
	TRIAGE_ABSENT,		/* the code the fix changes is not here: not applicable */
	TRIAGE_CONFLICT,	/* the bug is here; the patch does not fit, for no reason found */
};

struct triage_hunk {
	char *file;
	int index;		/* 1-based over the patch */
	const char *how;	/* exact, offset, fuzzy, whitespace, anchored, present, conflict */
	size_t line;		/* 1-based, where it went or stands */
	char *why;
};

/* The commit a Fixes: or "commit <id> (...)" cites: in the tree or not, and why we think so. */
struct triage_cited {
	char *commit;
	char *subject;
	const char *cited;	/* "Fixes" or "commit" */
	const char *state;	/* present, absent, unknown */
	char *evidence;
};

struct triage_result {
	enum triage_verdict verdict;
	char *evidence;		/* one line a reviewer can check in the tree */
	struct strvec needs;	/* what it needs: commits, or what they must add */
	struct triage_hunk *hunks;
	size_t nhunks;
	struct triage_cited *cited;
	size_t ncited;
};

struct tree_words;

/*
 * Where the commits a fix cites are read from: an upstream git repository
 * (by id), or patch mails (by subject, as a Fixes: line quotes it).
 */
struct triage_upstream {
	git_repository *repo;
	struct spatch *mails;
	size_t nmails;
};

/* path: a git repository, a directory of *.mbox and *.patch mails, or one mail file. */
int triage_upstream_open(const char *path, struct triage_upstream *u);
void triage_upstream_free(struct triage_upstream *u);

/* A commit of an imported tree, and the files earlier patches changed on top of it (in memory). */
struct triage_view {
	git_repository *repo;
	git_oid commit;
	const struct triage_upstream *upstream;	/* where cited commits are read from, or NULL */
	struct strvec paths;
	struct text *texts;
	bool *gone;
	size_t alloc;
	struct tree_words *words;	/* the identifiers it has, read when first needed */
};

void triage_view_init(struct triage_view *v, git_repository *repo, const git_oid *commit);
void triage_view_release(struct triage_view *v);

/* The verdict of patch p (its diff already through the path gate) on v. */
int triage_patch(struct triage_view *v, const struct spatch *p, struct triage_result *r);
/* Makes p's changes part of v (after an 'applies' verdict), for the patches after it. */
int triage_view_apply(struct triage_view *v, const struct spatch *p);
/*
 * The porting literature's protocol (FixMorph, PortGPT) on a stable backport
 * the tree carries: the backport undone on a scratch view, the upstream
 * form ported there, the result compared with the human's.
 */
enum triage_outcome {
	TRIAGE_NOT_CARRIED,	/* the backport does not come off the tree */
	TRIAGE_IDENTICAL,	/* byte for byte */
	TRIAGE_EQUIVALENT,	/* the same code, whitespace and comments aside */
	TRIAGE_DIFFERENT,
	TRIAGE_OUTCOME_CONFLICT,	/* the upstream form does not place */
};

struct triage_compare {
	enum triage_outcome outcome;
	char *why;		/* the first difference, or the hunk that does not place */
	struct strvec paths;	/* every path either side touched */
	struct text *texts;	/* and our port's content of each */
};

int triage_compare_backport(git_repository *repo, const git_oid *commit, const struct spatch *upstream,
			    const struct spatch *backport, struct triage_compare *out);
void triage_compare_free(struct triage_compare *c);
const char *triage_outcome_key(enum triage_outcome o);
void triage_result_free(struct triage_result *r);
/* {commit, subject, cited, state, evidence}: a cited commit as port.json and triage --json show it. */
json_t *triage_cited_json(const char *commit, const char *subject, const char *cited, const char *state,
			  const char *evidence);

/* "needed: applies", "already present", "not applicable (bug absent)", ... */
const char *triage_verdict_text(enum triage_verdict v);
/* applies, needs, present, not-applicable, conflict: the JSON and benchmark key */
const char *triage_verdict_key(enum triage_verdict v);

#endif
