// SPDX-License-Identifier: GPL-2.0
/* match.c: where a hunk goes, and whether it is already there. */
#include <stdlib.h>
#include <string.h>

#include "port/match.h"
#include "mail/patch.h"
#include "unit.h"
#include "lib/util.h"

/* A small C file; each case patches it. */
static const char base[] =
	"static int a(void)\n"
	"{\n"
	"\tint x = 1;\n"
	"\n"
	"\tx += 2;\n"
	"\treturn x;\n"
	"}\n"
	"\n"
	"static int b(struct inode *inode)\n"
	"{\n"
	"\tint ret;\n"
	"\n"
	"\t/* wait for it */\n"
	"\tinode_dio_wait(inode);\n"
	"\tret = do_write(inode);\n"
	"\tif (ret <= 0)\n"
	"\t\tgoto out;\n"
	"out:\n"
	"\treturn ret;\n"
	"}\n"
	"\n"
	"static int c(void)\n"
	"{\n"
	"\tint x = 1;\n"
	"\n"
	"\tx += 2;\n"
	"\treturn x;\n"
	"}\n";

struct match_case {
	const char *name;
	const char *diff;
	enum place_result want;
	long offset;
	int fuzz;
	bool whitespace;
	const char *result_has;	/* a line the patched text must hold */
	bool equivalent;	/* hunk_equivalent_present() answer */
};

static const struct match_case cases_tab[] = {
	{ "offset", "--- a/f.c\n+++ b/f.c\n@@ -5,3 +5,4 @@ static int b(struct inode *inode)\n"
	  " \tret = do_write(inode);\n \tif (ret <= 0)\n+\t\tpr_info(\"short\");\n \t\tgoto out;\n",
	  PLACE_OK, 10, 0, false, "\t\tpr_info(\"short\");", false },
	{ "fuzz: one context line differs", "--- a/f.c\n+++ b/f.c\n@@ -14,4 +14,5 @@ static int b(struct inode *inode)\n"
	  " \tint retval;\n \n \t/* wait for it */\n+\tpr_debug(\"b\");\n \tinode_dio_wait(inode);\n",
	  PLACE_OK, -3, 1, false, "\tpr_debug(\"b\");", false },
	{ "whitespace damage is repaired", "--- a/f.c\n+++ b/f.c\n@@ -15,3 +15,4 @@ static int b(struct inode *inode)\n"
	  "ret = do_write(inode);\nif (ret <= 0)\n+ ret = -EIO;\ngoto out;\n",
	  PLACE_OK, 0, 0, true, "\t\tret = -EIO;", false },
	{ "ambiguous context is a conflict", "--- a/f.c\n+++ b/f.c\n@@ -40,3 +40,3 @@\n"
	  " \tint x = 1;\n \n-\tx += 2;\n+\tx += 3;\n",
	  PLACE_CONFLICT, 0, 0, false, NULL, false },
	{ "context not found", "--- a/f.c\n+++ b/f.c\n@@ -5,3 +5,3 @@\n"
	  " \tint y = 1;\n-\ty += 2;\n+\ty += 3;\n \treturn y;\n",
	  PLACE_CONFLICT, 0, 0, false, NULL, false },
	{ "identical change already applied", "--- a/f.c\n+++ b/f.c\n@@ -12,3 +12,4 @@ static int b(struct inode *inode)\n"
	  " \t/* wait for it */\n+\tinode_dio_wait(inode);\n \tret = do_write(inode);\n \tif (ret <= 0)\n",
	  PLACE_PRESENT, 0, 0, false, NULL, true },
	{ "equivalent change in another form", "--- a/f.c\n+++ b/f.c\n@@ -15,4 +15,9 @@ static int b(struct inode *inode)\n"
	  " \tif (ret <= 0)\n \t\tgoto out;\n \n+\t/*\n+\t * Different words, same call.\n+\t */\n+\tinode_dio_wait(inode);\n+\n out:\n",
	  PLACE_CONFLICT, 0, 0, false, NULL, true },
	{ "not equivalent: removes a line still there", "--- a/f.c\n+++ b/f.c\n@@ -13,3 +13,3 @@ static int b(struct inode *inode)\n"
	  " \t/* wait for it */\n-\tret = do_write(inode);\n+\tinode_dio_wait(inode);\n \tif (ret <= 0)\n",
	  PLACE_CONFLICT, 0, 0, false, NULL, false },
};

static int test_match(const void *arg)
{
	const struct match_case *c = arg;
	struct text t;
	struct diff d;
	struct placement pl;
	char *why = NULL, *ev = NULL;
	size_t line;
	bool eq;

	text_from(&t, base, strlen(base));
	CHECK(diff_parse(c->diff, &d, &why) == 0);
	eq = hunk_equivalent_present(&t, &d.files[0].hunks[0], &ev, &line);
	CHECK(eq == c->equivalent);
	free(ev);
	hunk_place(&t, &d.files[0].hunks[0], 0, d.files[0].hunks[0].old_start - 1, 2, &pl);
	CHECK(pl.result == c->want);
	if (c->want == PLACE_OK) {
		CHECK(pl.offset == c->offset);
		CHECK(pl.fuzz == c->fuzz);
		CHECK(pl.whitespace == c->whitespace);
		hunk_apply(&t, &d.files[0].hunks[0], &pl);
		CHECK(sv_contains(&t.lines, c->result_has));
	}
	placement_free(&pl);
	diff_free(&d);
	text_free(&t);
	return 0;
}

static int test_function_at(const void *arg)
{
	struct text t;
	size_t s, e;
	char *name;

	(void)arg;
	text_from(&t, base, strlen(base));
	name = function_at(&t, 13, &s, &e);
	CHECK_STR(name, "b");
	CHECK(s == 8 && e == 19);
	free(name);
	CHECK(function_at(&t, 7, &s, &e) == NULL);
	text_free(&t);
	return 0;
}

static const struct unit_case cases[] = {
	{ "offset", test_match, &cases_tab[0] },
	{ "fuzz", test_match, &cases_tab[1] },
	{ "whitespace damage", test_match, &cases_tab[2] },
	{ "ambiguous match is a conflict", test_match, &cases_tab[3] },
	{ "context not found", test_match, &cases_tab[4] },
	{ "already applied", test_match, &cases_tab[5] },
	{ "already present in another form", test_match, &cases_tab[6] },
	{ "removing a line still there is not present", test_match, &cases_tab[7] },
	{ "function around a line", test_function_at, NULL },
};

SUITE(suite_match, "match", cases);
