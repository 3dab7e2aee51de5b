/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KB_REFRESH_H
#define KB_REFRESH_H

#include "lib/util.h"
#include "port/port.h"

/*
 * A vendor tree moved to a new revision: import it, port the series again
 * (fixups and review actions replayed; a new conflict stops as any port
 * does), compare the new port with the committed one hunk by hunk,
 * re-export, and say what changed — the note a maintainer writes when
 * rebasing a distro patch queue.
 */

/* How one patch of the committed export compares with the new port. */
enum refresh_verdict {
	RV_SAME,	/* every hunk identical, at the same lines */
	RV_MOVED,	/* the same hunks at other line numbers */
	RV_CONTEXT,	/* the same changes, with other context lines around them */
	RV_CHANGED,	/* what the patch adds or removes differs */
	RV_NEW,		/* only in the new port */
	RV_DROPPED,	/* only in the committed export */
	RV_NR,
};

const char *refresh_verdict_name(enum refresh_verdict v);

struct refresh_patch {
	char *title;		/* the subject without its [PATCH n/m] */
	enum refresh_verdict verdict;
	struct strvec details;	/* one line per hunk that is not the same */
};

struct refresh_cmp {
	struct refresh_patch *v;
	size_t n;
	size_t count[RV_NR];
};

/*
 * Compares two mbox exports (committed, new) patch by patch, paired by
 * subject. -1 (reported, naming what) when either cannot be read.
 */
int refresh_compare(const char *old_mbox, size_t old_len, const char *new_mbox, size_t new_len,
		    struct refresh_cmp *out);
void refresh_cmp_free(struct refresh_cmp *c);
/* The summary lines of a comparison, appended to sb. */
void refresh_cmp_text(const struct refresh_cmp *c, struct strbuf *sb);

struct refresh_opts {
	const char *kernel;
	const char *series_dir;
	const char *signoff;	/* as for port; NULL: KBACKPORT_SIGNOFF or git config */
	port_compile_fn compile;	/* as for port */
};

/*
 * Refreshes one kernel's committed port; prints what it did and the
 * comparison, also kept in <work>/ports/<kernel>/refresh.txt. 0, or the
 * exit code of the step that failed (KB_EXIT_CONFLICT when the port stops).
 */
int refresh_kernel(const struct refresh_opts *o);

#endif
