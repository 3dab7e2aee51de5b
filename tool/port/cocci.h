/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KB_COCCI_H
#define KB_COCCI_H

#include <git2.h>
#include <stdbool.h>

#include "lib/util.h"

/*
 * Semantic patches (Coccinelle rules) and the survey that decides which
 * of them a tree needs. A rule's header, in the kernel's style:
 *
 *   /// what it does
 *   // Confidence: High|Moderate|Low
 *   // Comments: which kernels need it and how the tool detects that
 *   // Needed-if: absent|present SYMBOL in PATH        (every one must hold)
 *   // Needed-if: params FUNCTION <|>|==|!= N in PATH
 *   // Uses: ... (same forms; what the rewritten code needs from the tree)
 *   // Otherwise: a sentence shown when the rule is not needed
 *   // Options: spatch options (only --no-includes, --include-headers,
 *   //          --local-includes, --all-includes)
 *
 * Per-series rules need no Needed-if: they run where their name says; one
 * that has Needed-if lines runs only on the trees where they hold.
 */

/* The cocci/api rules: $KBACKPORT_COCCI_API, or cocci/api. */
const char *cocci_api_dir(void);

enum probe_kind { PROBE_ABSENT, PROBE_PRESENT, PROBE_PARAMS };

struct cocci_probe {
	enum probe_kind kind;
	char *symbol;
	char *path;
	char op[3];		/* PROBE_PARAMS: "<", ">", "==", "!=" */
	int n;
};

struct cocci_rule {
	char *path;		/* the .cocci file */
	char *name;		/* its name without .cocci */
	char *summary;		/* the /// lines, joined */
	char *confidence;
	char *otherwise;
	struct strvec options;
	struct cocci_probe *needed_if, *uses;
	size_t nneeded_if, nuses;
};

/* Reads a rule's header from text; a malformed header names the file and line. */
int cocci_rule_parse(const char *path, const char *text, struct cocci_rule *r);
int cocci_rule_load(const char *path, struct cocci_rule *r);
void cocci_rule_free(struct cocci_rule *r);
/* Every dir/<*.cocci> in name order (a missing dir is no rules). */
int cocci_rules_load(const char *dir, struct cocci_rule **out, size_t *n);
void cocci_rules_free(struct cocci_rule *v, size_t n);

/*
 * Does the probe hold on text (the file's content; exists false: no such
 * file, and no probe holds: a tree without the file needs no rule for it)? *evidence says where the symbol or declaration is, or that it is
 * absent: "include/linux/fs.h:2585: kiocb_modified present".
 */
bool cocci_probe_eval(const struct cocci_probe *p, const char *text, bool exists, char **evidence);

struct cocci_verdict {
	bool needed;		/* every Needed-if holds */
	bool usable;		/* every Uses holds */
	struct strvec evidence;	/* one line per probe */
};

/* The survey of one rule on a commit of an imported tree (blobs read through libgit2). */
int cocci_survey(git_repository *repo, const git_oid *commit, const struct cocci_rule *r,
		 struct cocci_verdict *v);
void cocci_verdict_free(struct cocci_verdict *v);

/* spatch --parse-cocci: a rule that does not parse is an error naming it. */
int cocci_check_rule(const struct cocci_rule *r);

/*
 * Runs the rule in patch mode on files (paths relative to dir, where their
 * content is), with the include paths of tree (its work tree; NULL: none)
 * unless the rule says --no-includes. *diff gets spatch's diff, headers
 * rewritten to a/<path> b/<path>. An spatch failure names rule and file.
 */
int cocci_spatch(const struct cocci_rule *r, const char *dir, const struct strvec *files,
		 const char *tree, struct strbuf *diff);

#endif
