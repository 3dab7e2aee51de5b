// SPDX-License-Identifier: GPL-2.0
/* libgit2's errors in kbackport's words: one line, the libgit2 message after ours (lg2.h). */
#include "lib/lg2.h"

#include <git2.h>
#include <stdio.h>

static int lg2_verror(int code, const char *fmt, va_list ap)
{
	const git_error *e = git_error_last();
	char what[4096];

	vsnprintf(what, sizeof(what), fmt, ap);
	error_code(code, "%s: %s", what, e && e->message ? e->message : "unknown libgit2 error");
	git_error_clear();
	return -1;
}

int lg2_error(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	lg2_verror(code, fmt, ap);
	va_end(ap);
	return -1;
}

int check_lg2(int rc, const char *fmt, ...)
{
	va_list ap;

	if (rc >= 0)
		return 0;
	va_start(ap, fmt);
	lg2_verror(KB_EXIT_FAIL, fmt, ap);
	va_end(ap);
	return -1;
}
