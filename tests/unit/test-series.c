// SPDX-License-Identifier: GPL-2.0
/* series.c: picking, ordering, recovering and annotating a series. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"
#include "mail/series.h"
#include "unit.h"
#include "lib/util.h"

#define AUTHOR "A U Thor <author@example.com>"
#define DATE "Thu, 18 Jun 2026 12:57:00 +0000"
#define SOB "Signed-off-by: " AUTHOR

/* An mbox with the given patches of "[PATCH vV n/m] title n" (v1: no vN). */
static void add_patch(struct strbuf *mbox, int v, int n, int m, const char *extra_trailer)
{
	char subject[128], msg[64], added[64];
	char *trailers = xasprintf("%s%s%s", extra_trailer ? extra_trailer : "",
				   extra_trailer ? "\n" : "", SOB);
	char *body, *mail;

	if (v == 3)	/* as some posters write it */
		snprintf(subject, sizeof(subject), "[PATCHv%d %d/%d] demo: change %d", v, n, m, n);
	else if (v > 1)
		snprintf(subject, sizeof(subject), "[PATCH v%d %d/%d] demo: change %d", v, n, m, n);
	else
		snprintf(subject, sizeof(subject), "[PATCH %d/%d] demo: change %d", n, m, n);
	snprintf(msg, sizeof(msg), "Change number %d of the demo.", n);
	snprintf(added, sizeof(added), "value%d = %d;", n, v);
	body = fixture_patch_body(msg, trailers, "lib/demo.c", added);
	mail = fixture_mail(subject, AUTHOR, DATE, body);
	sb_adds(mbox, mail);
	free(mail);
	free(body);
	free(trailers);
}

static void add_reply(struct strbuf *mbox, const char *subject, const char *from, const char *body)
{
	char *mail = fixture_mail(subject, from, "Thu, 18 Jun 2026 14:00:00 +0000", body);

	sb_adds(mbox, mail);
	free(mail);
}

static int import_text(const char *text, const struct import_opts *o, struct series *s)
{
	char *path = fixture_file(text);
	int ret;

	kb_errcode = 0;
	ret = series_import(&path, 1, o, s);
	unlink(path);
	free(path);
	return ret;
}

static int count_collected(const struct spatch *p, const char *key)
{
	int n = 0;

	for (size_t i = 0; i < p->ntrailers; i++)
		n += p->trailers[i].collected && !strcmp(p->trailers[i].key, key);
	return n;
}

static int test_order_and_missing(const void *arg)
{
	struct strbuf mbox = STRBUF_INIT;
	struct import_opts o = { 0 };
	struct series s;

	(void)arg;
	add_patch(&mbox, 1, 3, 3, NULL);
	add_patch(&mbox, 1, 1, 3, NULL);
	CHECK(import_text(mbox.buf, &o, &s) == -1);
	CHECK(kb_errcode == KB_EXIT_INCOMPLETE);
	add_patch(&mbox, 1, 2, 3, NULL);
	CHECK(import_text(mbox.buf, &o, &s) == 0);
	sb_release(&mbox);
	CHECK(s.total == 3);
	for (int i = 0; i < 3; i++) {
		char want[32];

		snprintf(want, sizeof(want), "demo: change %d", i + 1);
		CHECK(s.patches[i].n == i + 1);
		CHECK_STR(s.patches[i].title, want);
		CHECK(s.patches[i].state == TEXT_CLEAN);
	}
	CHECK_STR(s.patches[0].filename, "upstream/0001-demo-change-1.patch");
	series_free(&s);
	return 0;
}

static int test_versions(const void *arg)
{
	struct strbuf mbox = STRBUF_INIT;
	struct import_opts o = { 0 };
	struct series s;

	(void)arg;
	add_patch(&mbox, 2, 1, 2, NULL);
	add_patch(&mbox, 1, 1, 2, NULL);
	add_patch(&mbox, 1, 2, 2, NULL);
	add_patch(&mbox, 2, 2, 2, NULL);
	CHECK(import_text(mbox.buf, &o, &s) == 0);
	CHECK(s.version == 2);
	CHECK(strstr(s.patches[0].diff, "value1 = 2;"));
	series_free(&s);
	o.version = 1;
	CHECK(import_text(mbox.buf, &o, &s) == 0);
	CHECK(s.version == 1);
	CHECK(strstr(s.patches[1].diff, "value2 = 1;"));
	series_free(&s);
	o.version = 3;
	CHECK(import_text(mbox.buf, &o, &s) == -1);
	CHECK(kb_errcode == KB_EXIT_BADINPUT);
	sb_release(&mbox);
	return 0;
}

static int test_glued_version(const void *arg)
{
	struct strbuf mbox = STRBUF_INIT;
	struct import_opts o = { 0 };
	struct series s;

	(void)arg;
	add_patch(&mbox, 3, 1, 2, NULL);
	add_patch(&mbox, 3, 2, 2, NULL);
	CHECK(import_text(mbox.buf, &o, &s) == 0);
	CHECK(s.version == 3 && s.total == 2);
	CHECK(!strcmp(s.patches[1].title, "demo: change 2"));
	series_free(&s);
	sb_release(&mbox);
	return 0;
}

/* Patch 2 exists only quoted in a review reply. */
static int test_quoted_only(const void *arg)
{
	struct strbuf mbox = STRBUF_INIT, one = STRBUF_INIT, quoted = STRBUF_INIT;
	struct import_opts o = { 0 };
	struct series s;
	char *body = fixture_patch_body("Change number 2 of the demo.", SOB, "lib/demo.c", "value2 = 1;");

	(void)arg;
	add_patch(&mbox, 1, 1, 2, NULL);
	sb_adds(&quoted, "On Thu 18-06-26 12:57:00, A U Thor wrote:\n");
	for (char *line = strtok(body, "\n"); line; line = strtok(NULL, "\n"))
		sb_addf(&quoted, "> %s\n", line);
	sb_adds(&quoted, "\nLooks good.\n\nReviewed-by: R E Viewer <rev@example.com>\n");
	add_reply(&mbox, "Re: [PATCH 2/2] demo: change 2", "R E Viewer <rev@example.com>", quoted.buf);
	CHECK(import_text(mbox.buf, &o, &s) == 0);
	CHECK(s.patches[1].state == TEXT_FROM_QUOTE);
	CHECK(strstr(s.patches[1].diff, "+\tvalue2 = 1;"));
	CHECK_STR(s.patches[1].author_email, "author@example.com");
	CHECK(count_collected(&s.patches[1], "Reviewed-by") == 1);
	series_free(&s);
	free(body);
	sb_release(&mbox);
	sb_release(&one);
	sb_release(&quoted);
	return 0;
}

/*
 * Trailers count only when given, unquoted, in a reply to that very patch
 * (same version, number and subject); one already in the patch is not added twice.
 */
static int test_trailer_addressing(const void *arg)
{
	struct strbuf mbox = STRBUF_INIT;
	struct import_opts o = { 0 };
	struct series s;

	(void)arg;
	add_patch(&mbox, 2, 1, 2, "Reviewed-by: Old Friend <old@example.com>");
	add_patch(&mbox, 2, 2, 2, NULL);
	add_reply(&mbox, "Re: [PATCH 1/2] demo: change 1", "Other <o@example.com>",
		  "Reviewed-by: Other <o@example.com>\n");
	add_reply(&mbox, "Re: [PATCH v2 1/2] demo: change 1", "Quoter <q@example.com>",
		  "> Reviewed-by: Someone <s@example.com>\n\nnice\n");
	add_reply(&mbox, "Re: [PATCH v2 1/2] demo: change 1", "Old Friend <old@example.com>",
		  "Reviewed-by: Old Friend <old@example.com>\n");
	add_reply(&mbox, "Re: [PATCH v2 2/2] demo: change 2", "Tester <t@example.com>",
		  "Tested-by: Tester <t@example.com>\n");
	add_reply(&mbox, "Re: [PATCH v2 0/2] demo", "Acker <a@example.com>",
		  "For the series:\nAcked-by: Acker <a@example.com>\n");
	CHECK(import_text(mbox.buf, &o, &s) == 0);
	sb_release(&mbox);
	CHECK(count_collected(&s.patches[0], "Reviewed-by") == 0);
	CHECK(count_collected(&s.patches[0], "Tested-by") == 0);
	CHECK(count_collected(&s.patches[1], "Tested-by") == 1);
	series_free(&s);
	return 0;
}

/* A reviewer's question on one hunk and the author's agreement to drop it. */
static int test_review_item(const void *arg)
{
	struct strbuf mbox = STRBUF_INIT;
	struct import_opts o = { 0 };
	struct series s;

	(void)arg;
	add_patch(&mbox, 1, 1, 1, NULL);
	add_reply(&mbox, "Re: [PATCH] demo: change 1", "R E Viewer <rev@example.com>",
		  "On Thu, A U Thor wrote:\n> +\tvalue1 = 1;\n\nWhy is this needed at all?\n\nR.\n");
	add_reply(&mbox, "Re: [PATCH] demo: change 1", AUTHOR,
		  "On Thu, R E Viewer wrote:\n>> +\tvalue1 = 1;\n> Why is this needed at all?\n\n"
		  "You're right, I'll drop this change in the next version.\n");
	CHECK(import_text(mbox.buf, &o, &s) == 0);
	sb_release(&mbox);
	CHECK(s.patches[0].nreviews == 1);
	CHECK(s.patches[0].reviews[0].hunk == 1);
	CHECK_STR(s.patches[0].reviews[0].file, "lib/demo.c");
	CHECK_STR(s.patches[0].reviews[0].comment, "Why is this needed at all?");
	CHECK_STR(s.patches[0].reviews[0].resolution, "agreed");
	CHECK_STR(s.patches[0].reviews[0].action, "drop-hunk");
	series_free(&s);
	return 0;
}

static int test_truncated(const void *arg)
{
	struct strbuf mbox = STRBUF_INIT;
	struct import_opts o = { 0 };
	struct series s;
	char *cut;

	(void)arg;
	add_patch(&mbox, 1, 1, 1, NULL);
	cut = strstr(mbox.buf, " \ta = 1;");
	*cut = '\0';
	CHECK(import_text(mbox.buf, &o, &s) == -1);
	CHECK(kb_errcode == KB_EXIT_BADINPUT);
	sb_release(&mbox);
	return 0;
}

static int test_non_utf8(const void *arg)
{
	struct strbuf mbox = STRBUF_INIT;
	struct import_opts o = { 0 };
	struct series s;
	char *json;

	(void)arg;
	add_patch(&mbox, 1, 1, 1, NULL);
	sb_adds(&mbox, "");
	memcpy(strstr(mbox.buf, "Change number"), "Ch\xe4nge", 6);
	CHECK(import_text(mbox.buf, &o, &s) == 0);
	json = series_json(&s);
	CHECK(json && strstr(json, "demo: change 1"));
	free(json);
	CHECK(strstr(s.patches[0].msg, "Ch\xe4nge"));
	series_free(&s);
	sb_release(&mbox);
	return 0;
}

static int test_no_patches(const void *arg)
{
	struct import_opts o = { 0 };
	struct series s;
	char *mail = fixture_mail("hello", AUTHOR, DATE, "just talk\n");

	(void)arg;
	CHECK(import_text(mail, &o, &s) == -1);
	CHECK(kb_errcode == KB_EXIT_BADINPUT);
	free(mail);
	return 0;
}

static int test_damaged(const void *arg)
{
	struct strbuf mbox = STRBUF_INIT;
	struct import_opts o = { 0 };
	struct series s;
	char *p;

	(void)arg;
	add_patch(&mbox, 1, 1, 1, NULL);
	/* what an archive's text view does: leading whitespace gone */
	while ((p = strstr(mbox.buf, "\n \t")))
		memmove(p + 1, p + 3, strlen(p + 3) + 1);
	CHECK(import_text(mbox.buf, &o, &s) == 0);
	CHECK(s.patches[0].state == TEXT_DAMAGED);
	series_free(&s);
	sb_release(&mbox);
	return 0;
}

/* The committed seeds: what a maintainer gets from seed 001 alone. */
static int test_seed_001(const void *arg)
{
	char *files[] = { "backports/ext4-dio-shared-lock/archive/001_2e31d047427a21b3.txt" };
	struct import_opts o = { 0 };
	struct series s;
	static const int reviewed[] = { 1, 1, 0, 0, 1, 0, 1, 1 };

	(void)arg;
	kb_errcode = 0;
	CHECK(series_import(files, 1, &o, &s) == 0);
	CHECK(s.total == 8 && s.version == 2);
	CHECK_STR(s.cover_subject, "ext4: allow more DIO writes under shared i_rwsem");
	CHECK_STR(s.patches[0].title, "ext4: prevent sleeping allocation in NOWAIT write path");
	CHECK(s.patches[1].state == TEXT_FROM_QUOTE);
	for (int i = 0; i < 8; i++) {
		CHECK(count_collected(&s.patches[i], "Reviewed-by") == reviewed[i]);
		if (i != 1)
			CHECK(s.patches[i].state == TEXT_CLEAN);
	}
	CHECK(s.patches[2].ntrailers == 3 && !s.patches[2].trailers[0].collected);
	CHECK(s.patches[2].nprereqs == 2);
	CHECK_STR(s.patches[2].prereqs[0].commit, "5d87c7fca2c1");
	CHECK_STR(s.patches[2].prereqs[1].commit, "012924f0eeef");
	CHECK(s.patches[1].nprereqs == 1);
	CHECK_STR(s.patches[1].prereqs[0].commit, "378f32bab371");
	CHECK_STR(s.patches[1].prereqs[0].cited, "Fixes");
	CHECK(s.patches[5].nreviews == 1);
	CHECK(s.patches[5].reviews[0].hunk == 1);
	CHECK_STR(s.patches[5].reviews[0].reviewer, "Jan Kara");
	CHECK_STR(s.patches[5].reviews[0].responder, "Baokun Li");
	CHECK_STR(s.patches[5].reviews[0].action, "drop-hunk");
	for (int i = 0; i < 8; i++)
		CHECK(i == 5 || s.patches[i].nreviews == 0);
	series_free(&s);
	return 0;
}

static const struct unit_case cases[] = {
	{ "order by n/m, missing patch", test_order_and_missing, NULL },
	{ "two versions mixed", test_versions, NULL },
	{ "[PATCHv3 1/2] spelt together", test_glued_version, NULL },
	{ "patch only quoted in a reply", test_quoted_only, NULL },
	{ "trailer not addressed to the patch", test_trailer_addressing, NULL },
	{ "review item with the author's answer", test_review_item, NULL },
	{ "truncated diff", test_truncated, NULL },
	{ "non-UTF-8 bytes", test_non_utf8, NULL },
	{ "mbox with no patches", test_no_patches, NULL },
	{ "whitespace-damaged diff", test_damaged, NULL },
	{ "seed 001", test_seed_001, NULL },
};

SUITE(suite_series, "series", cases);
