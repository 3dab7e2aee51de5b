// SPDX-License-Identifier: GPL-2.0
/* refresh.c: a committed export and a new one compared hunk by hunk. */
#include <stdlib.h>

#include "port/refresh.h"
#include "unit.h"
#include "lib/util.h"

/* One exported message with one hunk of fs/a.c at line `at`, its context and change. */
static char *mail(const char *subject, int at, const char *before, const char *minus, const char *plus)
{
	return xasprintf("From 1111111111111111111111111111111111111111 Mon Sep 17 00:00:00 2001\n"
			 "From: A <a@example.org>\nDate: Mon, 2 Nov 2026 10:00:00 +0000\n"
			 "Subject: [PATCH 1/1] %s\nX-Kbackport-Source: linux-source-6.1 6.1.192-3\n\n"
			 "Text.\n---\n fs/a.c | 2 +-\n\n"
			 "diff --git a/fs/a.c b/fs/a.c\n--- a/fs/a.c\n+++ b/fs/a.c\n"
			 "@@ -%d,3 +%d,3 @@ int b(void)\n %s\n-%s\n+%s\n }\n--\n2.39.5\n\n",
			 subject, at, at, before, minus, plus);
}

struct rcase {
	int at;
	const char *before, *minus, *plus, *subject;
	enum refresh_verdict want;
	const char *detail;	/* expected in the one detail line; NULL: none */
};

static int run_case(const void *arg)
{
	const struct rcase *c = arg;
	char *old = mail("fs: y is 5", 10, "\tint v = 0;", "\tint y = 2;", "\tint y = 5;");
	char *new = mail(c->subject, c->at, c->before, c->minus, c->plus);
	struct refresh_cmp cmp;
	int ret = refresh_compare(old, strlen(old), new, strlen(new), &cmp), fail = 1;

	free(old);
	free(new);
	CHECK(ret == 0);
	if (c->want == RV_NEW) {
		fail = !(cmp.n == 2 && cmp.count[RV_NEW] == 1 && cmp.count[RV_DROPPED] == 1);
	} else if (cmp.n == 1 && cmp.v[0].verdict == c->want && cmp.count[c->want] == 1) {
		fail = c->detail ? !(cmp.v[0].details.n == 1 && strstr(cmp.v[0].details.v[0], c->detail))
				 : cmp.v[0].details.n != 0;
		if (fail && cmp.v[0].details.n)
			fprintf(stderr, "    detail: %s\n", cmp.v[0].details.v[0]);
	}
	refresh_cmp_free(&cmp);
	return fail;
}

static int test_text(const void *arg)
{
	char *old = mail("fs: y is 5", 10, "\tint v = 0;", "\tint y = 2;", "\tint y = 5;");
	char *new = mail("fs: y is 5", 14, "\tint v = 0;", "\tint y = 2;", "\tint y = 5;");
	struct strbuf sb = STRBUF_INIT;
	struct refresh_cmp cmp;
	int ret;

	(void)arg;
	ret = refresh_compare(old, strlen(old), new, strlen(new), &cmp);
	if (!ret)
		refresh_cmp_text(&cmp, &sb);
	free(old);
	free(new);
	refresh_cmp_free(&cmp);
	CHECK(ret == 0);
	CHECK_STR(sb.buf, "1 patch: 0 same, 1 moved, 0 context changed, 0 changed, 0 new, 0 dropped\n"
			  "  moved: fs: y is 5\n      fs/a.c hunk 1: moved +4 lines (now at 14)\n");
	sb_release(&sb);
	return 0;
}

static int test_unreadable(const void *arg)
{
	const char *junk = "this is no mail\n";
	char *new = mail("fs: y is 5", 10, "x", "y", "z");
	struct refresh_cmp cmp;
	int ret;

	(void)arg;
	ret = refresh_compare(junk, strlen(junk), new, strlen(new), &cmp);
	free(new);
	CHECK(ret == -1);
	return 0;
}

#define ROW(label, ...) { label, run_case, &(const struct rcase){ __VA_ARGS__ } }

static const struct unit_case cases[] = {
	ROW("identical: same", 10, "\tint v = 0;", "\tint y = 2;", "\tint y = 5;", "fs: y is 5", RV_SAME, NULL),
	ROW("other line numbers: moved", 7, "\tint v = 0;", "\tint y = 2;", "\tint y = 5;", "fs: y is 5", RV_MOVED,
	    "moved -3 lines (now at 7)"),
	ROW("other context: context changed", 10, "\tint v = 1;", "\tint y = 2;", "\tint y = 5;", "fs: y is 5",
	    RV_CONTEXT, "same change, other context lines"),
	ROW("another added line: changed", 10, "\tint v = 0;", "\tint y = 2;", "\tint y = 6;", "fs: y is 5",
	    RV_CHANGED, "the change itself differs"),
	ROW("another removed line: changed", 10, "\tint v = 0;", "\tint y = 3;", "\tint y = 5;", "fs: y is 5",
	    RV_CHANGED, "the change itself differs"),
	ROW("another subject: one new, one dropped", 10, "\tint v = 0;", "\tint y = 2;", "\tint y = 5;",
	    "fs: z is 5", RV_NEW, NULL),
	{ "summary text", test_text, NULL },
	{ "an unreadable export is an error", test_unreadable, NULL },
};

SUITE(suite_refresh, "refresh", cases);
