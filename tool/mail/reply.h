/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KB_REPLY_H
#define KB_REPLY_H

/*
 * The upstream report of a finding (finding.h): a reply to the series
 * patch the local fix is about, threaded under its Message-ID, addressed
 * as the thread was, with the kb-nowait evidence, the commands that
 * reproduce it and the fix inline after a scissors line, one message in
 * mbox form that `git send-email` sends and `git am --scissors` applies.
 * Nothing is sent.
 */

struct reply_opts {
	const char *series_dir;
	const char *kernel;
	const char *finding;	/* NAME, NNNN or N; NULL: the kernel's only one */
	const char *from_name;	/* the drafter */
	const char *from_email;
	const char *expect_dir;	/* kb-nowait's tables (tool/guest/expect) */
	const char *checkpatch;	/* the tree's scripts/checkpatch.pl; NULL: not run */
};

struct reply {
	char *text;		/* the message */
	char *finding;		/* the finding's name */
	char *subject;		/* "Re: [PATCH v2 3/8] ...", decoded */
};

/* Drafts the reply; -1 with kb_errcode set when it cannot (finding.h says which). */
int reply_draft(const struct reply_opts *o, struct reply *r);
void reply_free(struct reply *r);

#endif
